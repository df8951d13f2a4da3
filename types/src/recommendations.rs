//! `GET /v1/recommendations`: what the recommendations widget asks for and gets back.

use serde::{Deserialize, Serialize};

use crate::{Channel, Money};

/// Where the widget is shown, which decides what kind of list is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecommendationContext {
    /// The shop's home page: "for you" or popular.
    Home,
    /// The cart page: complements of what is in the cart.
    Cart,
    /// A product page: bought together with / also bought for this SKU.
    Product(String),
}

impl RecommendationContext {
    /// Parses the `context` query value: `home`, `cart` or `product:<sku>`.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "home" => Ok(Self::Home),
            "cart" => Ok(Self::Cart),
            _ => match value.strip_prefix("product:") {
                Some(sku) if !sku.is_empty() && sku.len() <= 128 => Ok(Self::Product(sku.into())),
                Some(_) => {
                    Err("`product:` must be followed by a SKU of 1 to 128 characters".into())
                }
                None => Err(format!(
                    "unknown context `{value}`: expected `home`, `cart` or `product:<sku>`"
                )),
            },
        }
    }

    /// The query-string form, inverse of [`RecommendationContext::parse`].
    pub fn as_query_value(&self) -> String {
        match self {
            Self::Home => "home".into(),
            Self::Cart => "cart".into(),
            Self::Product(sku) => format!("product:{sku}"),
        }
    }

    /// The kind of context without its SKU (`home`, `cart`, `product`): the prefix of a
    /// recommendation id.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Cart => "cart",
            Self::Product(_) => "product",
        }
    }
}

/// The answer: an ordered list of products, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationsResponse {
    /// Identifies this list in impression and click events, for attribution:
    /// `<context>.<32 hex digits>`, where `<context>` is `home`, `cart` or `product` (the kind
    /// of `context` asked for, without the SKU) and the digits are a version-8 UUID (simple
    /// form) digested from the shop, the context and the list itself, so the same answer
    /// carries the same id (and a cached batch answer its `ETag`). The attribution report
    /// reads the context from the prefix; a click needs nothing else stored.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^(home|cart|product)\\.[0-9a-f]{32}$")
    )]
    pub recommendation_id: String,
    /// The products, best first; may be shorter than the requested limit.
    pub items: Vec<RecommendedProduct>,
}

/// One tile of the widget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendedProduct {
    /// The shop's SKU.
    pub sku: String,
    /// Product name in the shop's language.
    pub title: String,
    /// Absolute URL of the product page.
    pub url: String,
    /// Absolute URL of the product image.
    pub image_url: String,
    /// Current price.
    pub price: Money,
    /// Why this product is on the list.
    pub reason: RecommendationReason,
}

/// The machine-readable reason a product was recommended; the widget turns it into text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecommendationReason {
    /// Often bought together with this product of the page or the cart.
    BoughtTogetherWith {
        /// The product on screen or in the cart.
        sku: String,
    },
    /// Goes with something the customer bought, online or at a store's till.
    BecauseYouBought {
        /// The product she bought.
        sku: String,
        /// Where she bought it (her latest purchase of it).
        channel: Channel,
        /// The store, for a till purchase.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_id: Option<String>,
        /// The store's name, for a till purchase.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_name: Option<String>,
    },
    /// Goes with something the shopper looked at, put in the cart or on the wish list.
    BecauseYouViewed {
        /// That product.
        sku: String,
    },
    /// Among the shop's best sellers.
    Popular,
    /// Selling more than usual lately.
    Trending,
    /// From the shop's range: fills the list when sales and browsing know too few products
    /// (a new shop, new products).
    Catalogue,
}

/// The kind of model a shop's recommendations come from, chosen from the shop's own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModelFamily {
    /// Best sellers: nothing personal beat them on the shop's data; reasons say "popular".
    Popularity,
    /// Item-to-item ("bought together", "because you bought").
    ItemItem,
    /// Item-to-item scores blended with popularity.
    Blend,
}

/// `GET /v1/recommendations/model` (secret key): which model serves the shop and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationModel {
    /// The kind of model served.
    pub family: ModelFamily,
    /// The model with its settings, e.g. `EASE λ=200 + popularity β=0.1`.
    pub detail: String,
    /// How the shop's data was held out to choose it: `temporal`, `leave_one_out`, or
    /// `too_little_data` (not measured: item-to-item at default settings).
    pub holdout: String,
    /// Profiles whose held-out purchases scored the candidates.
    pub validation_profiles: u64,
    /// NDCG@10 of the best popularity candidate on the held-out data; null when unmeasured.
    pub popularity_ndcg: Option<f64>,
    /// NDCG@10 of the best item-to-item or blend candidate; null when unmeasured.
    pub item_item_ndcg: Option<f64>,
    /// Products the model knows.
    pub items: u64,
    /// Products item-to-item learnt from (the most bought ones, within the memory budget).
    pub items_learnt: u64,
    /// Time of the newest event the model was built from, unix seconds.
    pub data_through: i64,
}
