//! Numbers formatted by the browser's `Intl` for the page's locale: exact, localised, and
//! without pulling float formatting into the bundle.

use js_sys::{Array, Function, Object, Reflect};
use vitrine_types::Money;
use wasm_bindgen::{JsCast, JsValue};

/// Formats prices with `Intl.NumberFormat` for one locale; one formatter per currency.
pub struct PriceFormat {
    locale: String,
    default_currency: String,
    formatters: std::cell::RefCell<Vec<(String, Option<Function>)>>,
}

impl PriceFormat {
    /// Formats for `locale` (BCP 47), with `default_currency` used when a price names none.
    pub fn new(locale: &str, default_currency: &str) -> Self {
        Self {
            locale: locale.to_string(),
            default_currency: default_currency.to_string(),
            formatters: Default::default(),
        }
    }

    /// `19,99 €` in de-DE, `€19.99` in en-GB.
    pub fn format(&self, price: &Money) -> String {
        let currency = if price.currency.is_empty() {
            &self.default_currency
        } else {
            &price.currency
        };
        let amount = JsValue::from_f64(price.major_units());
        self.formatter(currency)
            .and_then(|format| format.call1(&JsValue::NULL, &amount).ok())
            .and_then(|text| text.as_string())
            // A locale or currency the browser rejects still shows the number and the code.
            .unwrap_or_else(|| {
                let number = js_sys::Number::from(amount)
                    .to_locale_string("en")
                    .as_string();
                format!("{} {currency}", number.unwrap_or_default())
            })
    }

    fn formatter(&self, currency: &str) -> Option<Function> {
        let mut formatters = self.formatters.borrow_mut();
        if let Some((_, format)) = formatters.iter().find(|(code, _)| code == currency) {
            return format.clone();
        }
        let format = number_format(&self.locale, currency)
            .or_else(|err| {
                web_sys::console::warn_2(
                    &format!(
                        "[vitrine] locale `{}` unusable, using the browser's:",
                        self.locale
                    )
                    .into(),
                    &err,
                );
                number_format("und", currency)
            })
            .ok();
        formatters.push((currency.to_string(), format.clone()));
        format
    }
}

/// `new Intl.NumberFormat(locale, {style: "currency", currency}).format`, with the
/// `RangeError` of a bad locale or currency returned instead of thrown.
fn number_format(locale: &str, currency: &str) -> Result<Function, JsValue> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into())?;
    let constructor: Function = Reflect::get(&intl, &"NumberFormat".into())?.dyn_into()?;
    let options = Object::new();
    Reflect::set(&options, &"style".into(), &"currency".into())?;
    Reflect::set(&options, &"currency".into(), &currency.into())?;
    let locales = if locale == "und" {
        Array::new()
    } else {
        Array::of1(&locale.into())
    };
    let format = Reflect::construct(&constructor, &Array::of2(&locales, &options))?;
    Reflect::get(&format, &"format".into())?.dyn_into()
}
