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
    let format = intl(
        "NumberFormat",
        locale,
        &[("style", "currency"), ("currency", currency)],
    )?;
    Reflect::get(&format, &"format".into())?.dyn_into()
}

/// `new Intl[constructor](locale, options)`; `und` (or an empty locale) means the browser's.
/// Option values are strings: `Intl` converts the numeric ones itself.
fn intl(constructor: &str, locale: &str, options: &[(&str, &str)]) -> Result<Object, JsValue> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into())?;
    let constructor: Function = Reflect::get(&intl, &constructor.into())?.dyn_into()?;
    let settings = Object::new();
    for (name, value) in options {
        Reflect::set(&settings, &(*name).into(), &(*value).into())?;
    }
    let locales = if locale == "und" || locale.is_empty() {
        Array::new()
    } else {
        Array::of1(&locale.into())
    };
    Ok(Reflect::construct(&constructor, &Array::of2(&locales, &settings))?.unchecked_into())
}

/// Numbers and moments formatted with `Intl` for one locale: points (`1.234`), distances
/// (`1,2 km`), times in each store's own time zone (`16:00`, so a store in Salzburg shows
/// Salzburg's clock whatever the shopper's is) and dates on the shopper's clock (`12.11.`).
///
/// A formatter is made per call, not cached: a few dozen per answer cost well under a
/// millisecond, and a cache costs bundle size.
pub struct LocalFormat {
    locale: String,
}

impl LocalFormat {
    /// Formats for `locale` (BCP 47).
    pub fn new(locale: &str) -> Self {
        Self {
            locale: locale.to_string(),
        }
    }

    /// `850 m`, `1,2 km`, `23 km` in de-DE (`1.2 km` in en-GB).
    pub fn distance(&self, metres: u32) -> String {
        let (unit, digits, number) = match metres {
            0..=999 => ("meter", "0", f64::from(metres / 10 * 10)),
            1000..=9_999 => ("kilometer", "1", f64::from(metres) / 1000.0),
            _ => ("kilometer", "0", f64::from(metres) / 1000.0),
        };
        let options = [
            ("style", "unit"),
            ("unit", unit),
            ("maximumFractionDigits", digits),
        ];
        self.format("NumberFormat", &options, number)
            .unwrap_or_default()
    }

    /// The time of day of `at` (ms since the epoch) on the clock of `timezone`: `16:00`,
    /// `4:00 PM`.
    pub fn time(&self, at: f64, timezone: &str) -> String {
        let options = [
            ("hour", "numeric"),
            ("minute", "2-digit"),
            ("timeZone", timezone),
        ];
        self.format("DateTimeFormat", &options, at)
            .unwrap_or_default()
    }

    /// Day and month of `at` in `timezone`: `3. Dez.`, `Dec 3`.
    pub fn date(&self, at: f64, timezone: &str) -> String {
        let options = [
            ("day", "numeric"),
            ("month", "short"),
            ("timeZone", timezone),
        ];
        self.format("DateTimeFormat", &options, at)
            .unwrap_or_default()
    }

    /// The weekday of `at` in `timezone`: `Montag`, `Monday`, `lundi`. Written out: the
    /// browsers' abbreviations differ (`Mo` or `Mo.`), and it reads better in a sentence.
    pub fn weekday(&self, at: f64, timezone: &str) -> String {
        let options = [("weekday", "long"), ("timeZone", timezone)];
        self.format("DateTimeFormat", &options, at)
            .unwrap_or_default()
    }

    /// Whether a count of `number` takes the singular (`Intl.PluralRules`): `1 Punkt`, and in
    /// French `0 point` too.
    pub fn singular(&self, number: i64) -> bool {
        self.call(
            "PluralRules",
            "select",
            &[("type", "cardinal")],
            number as f64,
        )
        .map_or(number.abs() == 1, |category| category == "one")
    }

    /// A whole number: `1.234` in de-DE, `1,234` in en-GB; `signed` adds the sign to
    /// positive numbers too (`+120`, `-20`).
    pub fn integer(&self, number: i64, signed: bool) -> String {
        let sign = if signed { "exceptZero" } else { "auto" };
        self.format("NumberFormat", &[("signDisplay", sign)], number as f64)
            .unwrap_or_default()
    }

    /// A percentage: `10 %` in de-DE, `10%` in en-GB.
    pub fn percent(&self, percent: u32) -> String {
        self.format(
            "NumberFormat",
            &[("style", "percent")],
            f64::from(percent) / 100.0,
        )
        .unwrap_or_default()
    }

    /// Day and month of `at` (ms since the epoch) on the shopper's clock: `12.11.` in de-DE,
    /// `12/11` in en-GB, `11/12` in en-US; with `year`, `12.11.27` (two digits: it fits the
    /// narrow rows it is shown in).
    pub fn day_month(&self, at: f64, year: bool) -> String {
        let options = [
            ("day", "numeric"),
            ("month", "numeric"),
            ("year", "2-digit"),
        ];
        let options = if year { &options[..] } else { &options[..2] };
        self.format("DateTimeFormat", options, at)
            .unwrap_or_default()
    }

    /// A wall-clock time of opening hours (`"20:00"`) in the locale's style: `20:00`,
    /// `8:00 PM`. The text as it is when it is not `HH:MM`.
    pub fn wall_clock(&self, time: &str) -> String {
        let minutes = match time.as_bytes() {
            [h1, h2, b':', m1, m2] => clock_minutes([*h1, *h2, *m1, *m2]),
            _ => None,
        };
        let Some(minutes) = minutes else {
            return time.to_string();
        };
        // 2000-01-01T00:00Z plus the time: formatted in UTC, it shows its own wall-clock time.
        let at = 946_684_800_000.0 + minutes * 60_000.0;
        Some(self.time(at, "UTC"))
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| time.to_string())
    }

    /// `new Intl[constructor](locale, options).format(value)`. A locale the browser refuses
    /// falls back to its own; a time zone it does not know (the last option) to its own.
    fn format(&self, constructor: &str, options: &[(&str, &str)], value: f64) -> Option<String> {
        self.call(constructor, "format", options, value)
    }

    /// `new Intl[constructor](locale, options)[method](value)`, with the fallbacks of
    /// [`Self::format`].
    fn call(
        &self,
        constructor: &str,
        method: &str,
        options: &[(&str, &str)],
        value: f64,
    ) -> Option<String> {
        let (_, without_last) = options.split_last()?;
        let format = intl(constructor, &self.locale, options)
            .or_else(|_| intl(constructor, "und", options))
            .or_else(|_| intl(constructor, "und", without_last))
            .ok()?;
        let method: Function = Reflect::get(&format, &method.into())
            .ok()?
            .dyn_into()
            .ok()?;
        method.call1(&format, &value.into()).ok()?.as_string()
    }
}

/// Minutes since midnight of the digits of `HH:MM`.
pub(crate) fn clock_minutes(digits: [u8; 4]) -> Option<f64> {
    let mut value = 0.0;
    for (digit, scale) in digits.into_iter().zip([600.0, 60.0, 10.0, 1.0]) {
        if !digit.is_ascii_digit() {
            return None;
        }
        value += f64::from(digit - b'0') * scale;
    }
    Some(value)
}
