//! The widgets' texts in German and English, chosen by the page's locale.

/// Every text a widget shows.
#[derive(Debug)]
pub struct Texts {
    /// Heading of the recommendations on home and cart pages.
    pub popular_heading: &'static str,
    /// Heading of the recommendations on a product page.
    pub product_heading: &'static str,
    /// Accessible label of the recommendations while they load.
    pub loading: &'static str,
    /// Reason shown on a tile recommended for being a best seller.
    pub reason_popular: &'static str,
    /// Reason shown on a tile recommended for selling more than usual.
    pub reason_trending: &'static str,
    /// Reason shown on a tile often bought with the product on screen or in the cart.
    pub reason_bought_together: &'static str,
    /// Reason shown on a tile that goes with an online purchase of the customer.
    pub reason_bought: &'static str,
    /// Before and after the store's name, on a tile that goes with a purchase in a store.
    pub reason_bought_in_store: (&'static str, &'static str),
    /// Reason shown on a tile that goes with products the shopper looked at.
    pub reason_viewed: &'static str,
    /// Reason shown on a tile from the shop's range (nothing more specific is known).
    pub reason_catalogue: &'static str,
}

const DE: Texts = Texts {
    popular_heading: "Beliebt bei unseren Kundinnen und Kunden",
    product_heading: "Das könnte Ihnen auch gefallen",
    loading: "Empfehlungen werden geladen",
    reason_popular: "Bestseller",
    reason_trending: "Gerade gefragt",
    reason_bought_together: "Oft zusammen gekauft",
    reason_bought: "Passend zu Ihrem Kauf",
    reason_bought_in_store: ("Weil Sie in ", " gekauft haben"),
    reason_viewed: "Passend zu Ihrem Interesse",
    reason_catalogue: "Aus unserem Sortiment",
};

const EN: Texts = Texts {
    popular_heading: "Popular with our customers",
    product_heading: "You may also like",
    loading: "Loading recommendations",
    reason_popular: "Best seller",
    reason_trending: "Trending",
    reason_bought_together: "Frequently bought together",
    reason_bought: "Goes with your purchase",
    reason_bought_in_store: ("Because you shopped at ", ""),
    reason_viewed: "Based on your browsing",
    reason_catalogue: "From our range",
};

impl Texts {
    /// German for `de*` locales, English otherwise.
    pub fn for_locale(locale: &str) -> &'static Texts {
        if locale
            .get(..2)
            .is_some_and(|lang| lang.eq_ignore_ascii_case("de"))
        {
            &DE
        } else {
            &EN
        }
    }
}
