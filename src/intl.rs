//! Numbers formatted by the browser's `Intl` for the page's locale: exact, localised, and
//! without pulling float formatting into the bundle.

use js_sys::{Array, Function, Object, Reflect};
use vitrine_types::{Money, Weekday};
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

/// What the availability widget says about stores, formatted with `Intl` for one locale:
/// distances (`1,2 km`) and times in each store's own time zone (`16:00`, `Mo.`), so a store
/// in Salzburg shows Salzburg's clock whatever the shopper's is.
pub struct StoreFormat {
    locale: String,
    /// Formatters by what they format and the time zone; `None` when `Intl` refused both
    /// the locale and the browser's default.
    formatters: std::cell::RefCell<Vec<(Kind, String, Option<Object>)>>,
}

/// What a [`StoreFormat`] formatter formats.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Metres,
    Kilometres,
    WholeKilometres,
    Time,
    Date,
    /// Parts of the store's calendar day (`en-US`, read by [`StoreFormat::local_day`]).
    Day,
}

impl Kind {
    /// `Intl` options (the time zone comes on top for times and dates).
    fn options(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Metres => &[
                ("style", "unit"),
                ("unit", "meter"),
                ("maximumFractionDigits", "0"),
            ],
            Kind::Kilometres => &[
                ("style", "unit"),
                ("unit", "kilometer"),
                ("maximumFractionDigits", "1"),
            ],
            Kind::WholeKilometres => &[
                ("style", "unit"),
                ("unit", "kilometer"),
                ("maximumFractionDigits", "0"),
            ],
            Kind::Time => &[("hour", "numeric"), ("minute", "2-digit")],
            Kind::Date => &[("day", "numeric"), ("month", "short")],
            Kind::Day => &[
                ("year", "numeric"),
                ("month", "numeric"),
                ("day", "numeric"),
                ("weekday", "short"),
            ],
        }
    }
}

impl StoreFormat {
    /// Formats for `locale` (BCP 47).
    pub fn new(locale: &str) -> Self {
        Self {
            locale: locale.to_string(),
            formatters: Default::default(),
        }
    }

    /// `850 m`, `1,2 km`, `23 km` in de-DE (`1.2 km` in en-GB).
    pub fn distance(&self, metres: u32) -> String {
        let (kind, number) = match metres {
            0..=999 => (Kind::Metres, f64::from(metres / 10 * 10)),
            1000..=9_999 => (Kind::Kilometres, f64::from(metres) / 1000.0),
            _ => (Kind::WholeKilometres, f64::from(metres) / 1000.0),
        };
        self.format(kind, None, &JsValue::from_f64(number))
            .unwrap_or_else(|| {
                let km = metres / 1000;
                [km.to_string(), " km".into()].concat()
            })
    }

    /// The time of day of `at` (ms since the epoch) on the clock of `timezone`: `16:00`,
    /// `4:00 PM`.
    pub fn time(&self, at: f64, timezone: &str) -> String {
        self.format(Kind::Time, Some(timezone), &JsValue::from_f64(at))
            .unwrap_or_default()
    }

    /// Day and month of `at` in `timezone`: `3. Dez.`, `Dec 3`.
    pub fn date(&self, at: f64, timezone: &str) -> String {
        self.format(Kind::Date, Some(timezone), &JsValue::from_f64(at))
            .unwrap_or_default()
    }

    /// A wall-clock time of opening hours (`"20:00"`) in the locale's style: `20:00`,
    /// `8:00 PM`. The text as it is when it is not `HH:MM`.
    pub fn wall_clock(&self, time: &str) -> String {
        let parsed = time
            .split_once(':')
            .and_then(|(h, m)| Some((h.parse::<u8>().ok()?, m.parse::<u8>().ok()?)));
        let Some((hours, minutes)) = parsed else {
            return time.to_string();
        };
        // Any day will do: formatted in UTC, a UTC moment shows its own wall-clock time.
        let at = js_sys::Date::utc(2000.0, 0.0)
            + (f64::from(hours) * 60.0 + f64::from(minutes)) * 60_000.0;
        self.format(Kind::Time, Some("UTC"), &JsValue::from_f64(at))
            .unwrap_or_else(|| time.to_string())
    }

    /// The calendar day of `at` in `timezone`: a day number (days since 1970-01-01, so two
    /// days subtract) and its weekday.
    pub fn local_day(&self, at: f64, timezone: &str) -> Option<(i64, Weekday)> {
        let format = self.formatter(Kind::Day, Some(timezone))?;
        let to_parts: Function = Reflect::get(&format, &"formatToParts".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let parts: Array = to_parts
            .call1(&format, &JsValue::from_f64(at))
            .ok()?
            .dyn_into()
            .ok()?;
        let (mut year, mut month, mut day, mut weekday) = (None, None, None, None);
        for part in parts.iter() {
            let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
            let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
            match kind.as_str() {
                "year" => year = value.parse::<u16>().ok(),
                "month" => month = value.parse::<u8>().ok(),
                "day" => day = value.parse::<u8>().ok(),
                "weekday" => {
                    weekday = Some(match value.as_str() {
                        "Mon" => Weekday::Mon,
                        "Tue" => Weekday::Tue,
                        "Wed" => Weekday::Wed,
                        "Thu" => Weekday::Thu,
                        "Fri" => Weekday::Fri,
                        "Sat" => Weekday::Sat,
                        "Sun" => Weekday::Sun,
                        _ => return None,
                    })
                }
                _ => {}
            }
        }
        let midnight = js_sys::Date::utc(f64::from(year?), f64::from(month?) - 1.0);
        let days = (midnight / 86_400_000.0) as i64 + i64::from(day?) - 1;
        Some((days, weekday?))
    }

    fn format(&self, kind: Kind, timezone: Option<&str>, value: &JsValue) -> Option<String> {
        let format = self.formatter(kind, timezone)?;
        let format: Function = Reflect::get(&format, &"format".into())
            .ok()?
            .dyn_into()
            .ok()?;
        format.call1(&JsValue::NULL, value).ok()?.as_string()
    }

    /// The formatter of `kind` in `timezone`, made once. A locale or time zone the browser
    /// refuses falls back to the browser's own.
    fn formatter(&self, kind: Kind, timezone: Option<&str>) -> Option<Object> {
        let timezone = timezone.unwrap_or_default();
        let mut formatters = self.formatters.borrow_mut();
        if let Some((_, _, format)) = formatters
            .iter()
            .find(|(k, zone, _)| *k == kind && zone == timezone)
        {
            return format.clone();
        }
        let (constructor, locale) = match kind {
            Kind::Metres | Kind::Kilometres | Kind::WholeKilometres => {
                ("NumberFormat", self.locale.as_str())
            }
            Kind::Day => ("DateTimeFormat", "en-US"),
            _ => ("DateTimeFormat", self.locale.as_str()),
        };
        let mut options = kind.options().to_vec();
        if !timezone.is_empty() {
            options.push(("timeZone", timezone));
        }
        let format = intl(constructor, locale, &options)
            .or_else(|_| intl(constructor, "und", &options))
            .or_else(|err| {
                web_sys::console::warn_2(&"[vitrine] Intl refused:".into(), &err);
                intl(constructor, "und", kind.options())
            })
            .ok();
        formatters.push((kind, timezone.to_string(), format.clone()));
        format
    }
}
