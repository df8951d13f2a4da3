//! The shop's catalogue: `public/catalogue.json` (the shop's own data; Vitrine has its copy
//! through the demo's import), built into the app, so every view is drawn whole at once and
//! nothing of the shop's page moves when it comes.

use std::sync::LazyLock;

use serde::Deserialize;

/// The whole catalogue file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Catalogue {
    /// The product categories.
    pub categories: Vec<Category>,
    /// Every product, in the shop's order.
    pub products: Vec<Product>,
    /// The shop's stores (the till simulator rings up in one of them).
    pub stores: Vec<Store>,
}

impl Catalogue {
    /// The product sold under `sku`, or the product one of whose sizes it is.
    pub fn product(&self, sku: &str) -> Option<&Product> {
        self.products
            .iter()
            .find(|p| p.sku == sku || p.variants.iter().any(|v| v.sku == sku))
    }

    /// The name of a category.
    pub fn category_name(&self, id: &str) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
    }
}

/// A product category.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Category {
    /// Its id, as products name it.
    pub id: String,
    /// Its German name.
    pub name: String,
}

/// A product of the shop.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Product {
    /// The product's own SKU.
    pub sku: String,
    /// Its name.
    pub title: String,
    /// Price in cents (every size costs the same).
    pub price_minor: i64,
    /// Its category's id.
    pub category: String,
    /// A sentence about it.
    pub description: String,
    /// Its sizes, each sold under its own SKU.
    #[serde(default)]
    pub variants: Vec<Variant>,
}

/// A size of a product.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Variant {
    /// The size's SKU.
    pub sku: String,
    /// The size as printed ("M").
    pub label: String,
}

/// A store of the shop.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Store {
    /// Its id, as the till reports it.
    pub store_id: String,
    /// Its name.
    pub name: String,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../public/catalogue.json"))
        .expect("public/catalogue.json is the demo catalogue (tested)")
});

/// The shop's catalogue.
pub fn catalogue() -> &'static Catalogue {
    &CATALOGUE
}

#[cfg(test)]
mod tests {
    use super::catalogue;

    #[test]
    fn the_shops_catalogue_file_has_products_sizes_and_stores() {
        let catalogue = catalogue();
        assert!(catalogue.products.len() >= 40);
        assert!(!catalogue.stores.is_empty());
        let jacket = catalogue
            .product("AH-1001-M")
            .expect("a size finds its product");
        assert_eq!(jacket.sku, "AH-1001");
        assert_eq!(catalogue.category_name(&jacket.category), Some("Jacken"));
    }
}
