//! Reads the API's answers from the JS values the loader's `Response.json()` produced, into
//! the wire types of `vitrine-types` (recommendations, loyalty; the availability answer into
//! [`Availability`], the same fields with opening hours in a fixed per-weekday array).
//!
//! Deliberately not serde: `serde_wasm_bindgen` plus serde's error messages (which format
//! floats and escape strings) cost about as much wasm as all of Leptos that the widget uses.
//! The checks are those of the types' `Deserialize`: every field present with the right type,
//! unknown fields ignored.

use js_sys::Reflect;
use vitrine_types::{
    AvailabilityOrigin, AvailabilityResponse, Channel, EarnRate, LedgerKind, LedgerLine,
    LoyaltyAccount, LoyaltyInvitation, LoyaltyResponse, Money, NextTier, OriginSource, Pickup,
    PointsExpiry, RecommendationReason, RecommendationsResponse, RecommendedProduct, StockLevel,
    StoreAvailability, Tier,
};
use wasm_bindgen::{JsCast, JsValue};

/// The answer of `GET /v1/recommendations`.
pub fn recommendations(json: &JsValue) -> Result<RecommendationsResponse, String> {
    let items = field(json, "items")?
        .dyn_into::<js_sys::Array>()
        .map_err(|_| "`items` is not an array".to_string())?;
    Ok(RecommendationsResponse {
        recommendation_id: string(json, "recommendation_id")?,
        items: items
            .iter()
            .map(|item| recommended_product(&item))
            .collect::<Result<_, _>>()?,
    })
}

fn recommended_product(item: &JsValue) -> Result<RecommendedProduct, String> {
    let price = field(item, "price")?;
    let reason = field(item, "reason")?;
    Ok(RecommendedProduct {
        sku: string(item, "sku")?,
        title: string(item, "title")?,
        url: string(item, "url")?,
        image_url: string(item, "image_url")?,
        price: money(&price)?,
        reason: recommendation_reason(&reason)?,
    })
}

/// `#[serde(tag = "kind", rename_all = "snake_case")]`
fn recommendation_reason(reason: &JsValue) -> Result<RecommendationReason, String> {
    Ok(match string(reason, "kind")?.as_str() {
        "bought_together_with" => RecommendationReason::BoughtTogetherWith {
            sku: string(reason, "sku")?,
        },
        "because_you_bought" => RecommendationReason::BecauseYouBought {
            sku: string(reason, "sku")?,
            channel: channel(reason, "channel")?,
            store_id: optional_string(reason, "store_id")?,
            store_name: optional_string(reason, "store_name")?,
        },
        "because_you_viewed" => RecommendationReason::BecauseYouViewed {
            sku: string(reason, "sku")?,
        },
        "popular" => RecommendationReason::Popular,
        "trending" => RecommendationReason::Trending,
        "catalogue" => RecommendationReason::Catalogue,
        other => return Err(unknown("reason", other)),
    })
}

fn channel(value: &JsValue, name: &str) -> Result<Channel, String> {
    Ok(match string(value, name)?.as_str() {
        "web" => Channel::Web,
        "app" => Channel::App,
        "store" => Channel::Store,
        other => return Err(unknown("channel", other)),
    })
}

/// The answer of `GET /v1/loyalty`: `#[serde(tag = "status", rename_all = "snake_case")]`.
pub fn loyalty(json: &JsValue) -> Result<LoyaltyResponse, String> {
    let mut r = Reader::default();
    let answer = match r.read(json, "status", string).as_str() {
        "member" => {
            let tier = r.read(json, "tier", field);
            let value = r.read(json, "value", field);
            LoyaltyResponse::Member(LoyaltyAccount {
                balance: r.read(json, "balance", integer),
                value: r.money(&value),
                tier: Tier {
                    name: r.read(&tier, "name", string),
                    multiplier_percent: r.read(&tier, "multiplier_percent", integer),
                },
                next_tier: present(json, "next_tier").map(|next| NextTier {
                    name: r.read(&next, "name", string),
                    threshold: r.read(&next, "threshold", integer),
                    points_needed: r.read(&next, "points_needed", integer),
                }),
                qualifying_points: r.read(json, "qualifying_points", integer),
                tier_window_days: r.read(json, "tier_window_days", unsigned),
                next_expiry: present(json, "next_expiry").map(|expiry| PointsExpiry {
                    points: r.read(&expiry, "points", integer),
                    at: r.read(&expiry, "at", integer),
                }),
                lines: r
                    .read(json, "lines", array)
                    .iter()
                    .map(|line| r.ledger_line(&line))
                    .collect(),
            })
        }
        "guest" => {
            let earn = r.read(json, "earn", field);
            LoyaltyResponse::Guest(LoyaltyInvitation {
                join_url: r.read(json, "join_url", optional_string),
                earn: EarnRate {
                    currency: r.read(&earn, "currency", string),
                    points: r.read(&earn, "points", integer),
                    per_minor: r.read(&earn, "per_minor", integer),
                },
            })
        }
        // Not even an object: the reader's error says so.
        other => return Err(r.error.unwrap_or_else(|| unknown("status", other))),
    };
    r.error.map_or(Ok(answer), Err)
}

/// Reads fields and keeps the first error instead of returning at it. A reader of many fields
/// stays small this way: no early return per field, each with its own code to drop what was
/// read before it (the availability reader, written with `?`, cost twice as much per field).
#[derive(Default)]
struct Reader {
    error: Option<String>,
}

impl Reader {
    /// The field `name` of `value` as `read` reads it; its default on an error, which is kept.
    fn read<T: Default>(
        &mut self,
        value: &JsValue,
        name: &str,
        read: fn(&JsValue, &str) -> Result<T, String>,
    ) -> T {
        read(value, name).unwrap_or_else(|err| {
            self.error.get_or_insert(err);
            T::default()
        })
    }

    /// A value that is one of `names` (`choices` in the same order), or an error.
    fn choice<T: Copy>(
        &mut self,
        value: &JsValue,
        name: &str,
        names: &[&str],
        choices: &[T],
    ) -> Option<T> {
        let text = self.read(value, name, string);
        let found = names.iter().position(|n| *n == text).map(|i| choices[i]);
        if found.is_none() {
            self.error.get_or_insert(unknown(name, &text));
        }
        found
    }

    fn money(&mut self, value: &JsValue) -> Money {
        Money {
            amount_minor: self.read(value, "amount_minor", integer),
            currency: self.read(value, "currency", string),
        }
    }

    fn ledger_line(&mut self, line: &JsValue) -> LedgerLine {
        use LedgerKind::*;
        let kinds = ["accrual", "reversal", "adjustment", "redemption", "expiry"];
        LedgerLine {
            kind: self
                .choice(
                    line,
                    "kind",
                    &kinds,
                    &[Accrual, Reversal, Adjustment, Redemption, Expiry],
                )
                .unwrap_or(Accrual),
            points: self.read(line, "points", integer),
            occurred_at: self.read(line, "occurred_at", integer),
            channel: present(line, "channel").and_then(|_| {
                self.choice(
                    line,
                    "channel",
                    &["web", "app", "store"],
                    &[Channel::Web, Channel::App, Channel::Store],
                )
            }),
            store_id: self.read(line, "store_id", optional_string),
            store_name: self.read(line, "store_name", optional_string),
            order_id: self.read(line, "order_id", optional_string),
            reason: self.read(line, "reason", optional_string),
        }
    }
}

/// The field `name` of `value` when it is there and not `null`.
fn present(value: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(value, &JsValue::from_str(name))
        .ok()
        .filter(|field| !field.is_null_or_undefined())
}

/// [`AvailabilityResponse`] as the bundle keeps it: the same fields, but each store's opening
/// hours in a [`Week`], not the wire type's `BTreeMap` (whose insert, lookup and drop code
/// cost ~1.5 KB brotli of wasm). The JSON read is the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    pub sku: String,
    pub origin: AvailabilityOrigin,
    pub stores: Vec<Store>,
}

/// [`StoreAvailability`] with its opening hours in a [`Week`].
#[derive(Debug, Clone, PartialEq)]
pub struct Store {
    pub store_id: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub usual: bool,
    pub distance_m: Option<u32>,
    pub stock: StockLevel,
    pub timezone: String,
    pub open_now: bool,
    pub next_change_at: Option<String>,
    pub opening_hours: Week,
    pub pickup: Option<Pickup>,
}

/// Opening hours by weekday, Monday first (as [`WEEKDAYS`]); a day absent from the JSON
/// object is closed, like a day with no intervals.
pub type Week = [Vec<[String; 2]>; 7];

/// The keys of the JSON opening hours, Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// What the bundle reads from the server's answer (for tests: the wasm never converts).
impl From<AvailabilityResponse> for Availability {
    fn from(answer: AvailabilityResponse) -> Self {
        Availability {
            sku: answer.sku,
            origin: answer.origin,
            stores: answer.stores.into_iter().map(Store::from).collect(),
        }
    }
}

impl From<StoreAvailability> for Store {
    fn from(store: StoreAvailability) -> Self {
        let mut week = Week::default();
        for (day, intervals) in store.opening_hours {
            week[day.days_from_monday()] = intervals;
        }
        Store {
            store_id: store.store_id,
            name: store.name,
            street: store.street,
            postcode: store.postcode,
            city: store.city,
            country: store.country,
            usual: store.usual,
            distance_m: store.distance_m,
            stock: store.stock,
            timezone: store.timezone,
            open_now: store.open_now,
            next_change_at: store.next_change_at,
            opening_hours: week,
            pickup: store.pickup,
        }
    }
}

/// The answer of `GET /v1/availability`.
pub fn availability(json: &JsValue) -> Result<Availability, String> {
    let origin = field(json, "origin")?;
    Ok(Availability {
        sku: string(json, "sku")?,
        origin: AvailabilityOrigin {
            source: match string(&origin, "source")?.as_str() {
                "coordinates" => OriginSource::Coordinates,
                "postcode" => OriginSource::Postcode,
                "usual_store" => OriginSource::UsualStore,
                "default_region" => OriginSource::DefaultRegion,
                "none" => OriginSource::None,
                other => return Err(unknown("origin source", other)),
            },
            lat: optional(&origin, "lat", number)?,
            lon: optional(&origin, "lon", number)?,
            postcode: optional_string(&origin, "postcode")?,
            country: optional_string(&origin, "country")?,
            place: optional_string(&origin, "place")?,
        },
        stores: {
            // Loops rather than `collect::<Result<…>>`, which copies the parser per use.
            let mut stores = Vec::new();
            for store in array(json, "stores")?.iter() {
                stores.push(store_availability(&store)?);
            }
            stores
        },
    })
}

fn store_availability(store: &JsValue) -> Result<Store, String> {
    Ok(Store {
        store_id: string(store, "store_id")?,
        name: string(store, "name")?,
        street: string(store, "street")?,
        postcode: string(store, "postcode")?,
        city: string(store, "city")?,
        country: string(store, "country")?,
        usual: boolean(store, "usual")?,
        distance_m: optional(store, "distance_m", unsigned)?,
        stock: match string(store, "stock")?.as_str() {
            "in_stock" => StockLevel::InStock,
            "low" => StockLevel::Low,
            "out" => StockLevel::Out,
            other => return Err(unknown("stock level", other)),
        },
        timezone: string(store, "timezone")?,
        open_now: boolean(store, "open_now")?,
        next_change_at: optional_string(store, "next_change_at")?,
        opening_hours: opening_hours(&field(store, "opening_hours")?)?,
        pickup: optional(store, "pickup", |store, name| {
            let pickup = field(store, name)?;
            Ok(Pickup {
                ready_at: string(&pickup, "ready_at")?,
                days_from_today: unsigned(&pickup, "days_from_today")?,
            })
        })?,
    })
}

/// `{"mon": [["10:00", "20:00"]], …}`: every key a weekday, every interval two strings.
fn opening_hours(hours: &JsValue) -> Result<Week, String> {
    if !hours.is_object() || js_sys::Array::is_array(hours) {
        return Err("`opening_hours` is not an object".into());
    }
    let mut week = Week::default();
    for day in js_sys::Object::keys(hours.unchecked_ref::<js_sys::Object>()).iter() {
        let name = day.as_string().unwrap_or_default();
        let Some(weekday) = WEEKDAYS.iter().position(|&key| key == name) else {
            return Err(unknown("weekday", &name));
        };
        let mut intervals = Vec::new();
        for interval in array(hours, &name)?.iter() {
            let pair = interval.dyn_into::<js_sys::Array>().unwrap_or_default();
            let time = |index| pair.get(index).as_string();
            match (pair.length(), time(0), time(1)) {
                (2, Some(from), Some(to)) => intervals.push([from, to]),
                _ => return Err(not_a(&name, "a pair of times")),
            }
        }
        week[weekday] = intervals;
    }
    Ok(week)
}

/// `{"amount_minor": 1999, "currency": "EUR"}`.
fn money(value: &JsValue) -> Result<Money, String> {
    Ok(Money {
        amount_minor: integer(value, "amount_minor")?,
        currency: string(value, "currency")?,
    })
}

/// `unknown stock level `plenty``: one formatting site for every enum (each costs wasm).
fn unknown(what: &str, value: &str) -> String {
    format!("unknown {what} `{value}`")
}

/// `` `distance_m` is not an integer ``.
fn not_a(name: &str, what: &str) -> String {
    format!("`{name}` is not {what}")
}

/// The field `name` of the object `value`; absent (or `null`) is an error.
fn field(value: &JsValue, name: &str) -> Result<JsValue, String> {
    if !value.is_object() {
        return Err(format!("expected an object holding `{name}`"));
    }
    Reflect::get(value, &JsValue::from_str(name))
        .ok()
        .filter(|field| !field.is_null_or_undefined())
        .ok_or_else(|| format!("missing field `{name}`"))
}

fn string(value: &JsValue, name: &str) -> Result<String, String> {
    field(value, name)?
        .as_string()
        .ok_or_else(|| not_a(name, "a string"))
}

/// A string field that may be absent or `null` (`#[serde(default)]` on an `Option`).
fn optional_string(value: &JsValue, name: &str) -> Result<Option<String>, String> {
    let field = Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if field.is_null_or_undefined() {
        return Ok(None);
    }
    field
        .as_string()
        .map(Some)
        .ok_or_else(|| not_a(name, "a string"))
}

/// An integer JSON number, exactly representable (as serde_json's `i64` would demand).
fn integer(value: &JsValue, name: &str) -> Result<i64, String> {
    field(value, name)?
        .as_f64()
        .filter(|number| number.fract() == 0.0 && number.abs() <= 9_007_199_254_740_991.0)
        .map(|number| number as i64)
        .ok_or_else(|| not_a(name, "an integer"))
}

/// Any JSON number (an `f64`).
fn number(value: &JsValue, name: &str) -> Result<f64, String> {
    field(value, name)?
        .as_f64()
        .ok_or_else(|| not_a(name, "a number"))
}

/// A JSON number that is a `u32`.
fn unsigned(value: &JsValue, name: &str) -> Result<u32, String> {
    integer(value, name)?
        .try_into()
        .map_err(|_| not_a(name, "in range"))
}

fn boolean(value: &JsValue, name: &str) -> Result<bool, String> {
    field(value, name)?
        .as_bool()
        .ok_or_else(|| not_a(name, "a boolean"))
}

fn array(value: &JsValue, name: &str) -> Result<js_sys::Array, String> {
    field(value, name)?
        .dyn_into::<js_sys::Array>()
        .map_err(|_| not_a(name, "an array"))
}

/// A field that may be absent or `null` (`#[serde(default)]` on an `Option`), read by `read`
/// when present.
fn optional<T>(
    value: &JsValue,
    name: &str,
    read: impl Fn(&JsValue, &str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    let present = Reflect::get(value, &JsValue::from_str(name))
        .map(|field| !field.is_null_or_undefined())
        .unwrap_or(false);
    if present {
        read(value, name).map(Some)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn json(text: &str) -> JsValue {
        js_sys::JSON::parse(text).unwrap()
    }

    const ITEM: &str = r#"{"sku":"A-1","title":"Mug","url":"https://shop.example/a-1",
        "image_url":"https://shop.example/a-1.jpg","price":{"amount_minor":1999,"currency":"EUR"},
        "reason":{"kind":"trending"},"extra":true}"#;

    #[wasm_bindgen_test]
    fn reads_an_answer() {
        let answer = recommendations(&json(&format!(
            r#"{{"recommendation_id":"r1","items":[{ITEM}]}}"#
        )))
        .unwrap();
        assert_eq!(answer.recommendation_id, "r1");
        let item = &answer.items[0];
        assert_eq!(
            (
                item.sku.as_str(),
                item.title.as_str(),
                item.image_url.as_str()
            ),
            ("A-1", "Mug", "https://shop.example/a-1.jpg")
        );
        assert_eq!(
            (item.price.amount_minor, item.price.currency.as_str()),
            (1999, "EUR")
        );
        assert_eq!(item.reason, RecommendationReason::Trending);
    }

    #[wasm_bindgen_test]
    fn reads_every_reason() {
        let cases = [
            (
                r#"{"kind":"because_you_bought","sku":"B-2","channel":"store","store_id":"ulm","store_name":"Ulm"}"#,
                RecommendationReason::BecauseYouBought {
                    sku: "B-2".into(),
                    channel: Channel::Store,
                    store_id: Some("ulm".into()),
                    store_name: Some("Ulm".into()),
                },
            ),
            (
                r#"{"kind":"because_you_bought","sku":"B-2","channel":"web"}"#,
                RecommendationReason::BecauseYouBought {
                    sku: "B-2".into(),
                    channel: Channel::Web,
                    store_id: None,
                    store_name: None,
                },
            ),
            (
                r#"{"kind":"bought_together_with","sku":"C-3"}"#,
                RecommendationReason::BoughtTogetherWith { sku: "C-3".into() },
            ),
            (
                r#"{"kind":"because_you_viewed","sku":"D-4"}"#,
                RecommendationReason::BecauseYouViewed { sku: "D-4".into() },
            ),
            (r#"{"kind":"popular"}"#, RecommendationReason::Popular),
            (r#"{"kind":"catalogue"}"#, RecommendationReason::Catalogue),
        ];
        for (reason, expected) in cases {
            let item = ITEM.replace(r#"{"kind":"trending"}"#, reason);
            let answer = recommendations(&json(&format!(
                r#"{{"recommendation_id":"r","items":[{item}]}}"#
            )))
            .unwrap();
            assert_eq!(answer.items[0].reason, expected, "{reason}");
        }
    }

    #[wasm_bindgen_test]
    fn rejects_what_serde_rejected() {
        for bad in [
            r#"{"items":[]}"#.to_string(),
            r#"{"recommendation_id":"r1","items":{}}"#.to_string(),
            r#"{"recommendation_id":7,"items":[]}"#.to_string(),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace("1999", "19.99")
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace("trending", "new")
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace(r#""sku":"A-1","#, "")
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace(
                    r#"{"kind":"trending"}"#,
                    r#"{"kind":"because_you_bought","sku":"B","channel":"till"}"#
                )
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace(
                    r#"{"kind":"trending"}"#,
                    r#"{"kind":"bought_together_with"}"#
                )
            ),
            "null".to_string(),
        ] {
            assert!(recommendations(&json(&bad)).is_err(), "{bad}");
        }
    }
}
