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
}

const DE: Texts = Texts {
    popular_heading: "Beliebt bei unseren Kundinnen und Kunden",
    product_heading: "Das könnte Ihnen auch gefallen",
    loading: "Empfehlungen werden geladen",
    reason_popular: "Bestseller",
    reason_trending: "Gerade gefragt",
};

const EN: Texts = Texts {
    popular_heading: "Popular with our customers",
    product_heading: "You may also like",
    loading: "Loading recommendations",
    reason_popular: "Best seller",
    reason_trending: "Trending",
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
