//! Reads the API's answers from the JS values the loader's `Response.json()` produced, into
//! the wire types of `vitrine-types` (recommendations, loyalty; the availability answer into
//! [`Availability`], the same fields with opening hours in a fixed per-weekday array).
//!
//! Every reader goes through `Reader`, which keeps the first error and reads on.
//!
//! Deliberately not serde: `serde_wasm_bindgen` plus serde's error messages (which format
//! floats and escape strings) cost about as much wasm as all of Leptos that the widget uses.
//! The checks are those of the types' `Deserialize`: every field present with the right type,
//! unknown fields ignored.

use js_sys::Reflect;
use vitrine_types::{
    AvailabilityOrigin, AvailabilityResponse, CartLine, CartPickup, CartRecoveryOffer,
    CartRecoveryResponse, Channel, Coupon, EarnRate, LedgerKind, LedgerLine, LoyaltyAccount,
    LoyaltyInvitation, LoyaltyResponse, Money, NextTier, OriginSource, Pickup, PointsExpiry,
    RecommendationReason, RecommendationsResponse, RecommendedProduct, StockLevel,
    StoreAvailability, Tier,
};
use wasm_bindgen::{JsCast, JsValue};

/// The answer of `GET /v1/recommendations`.
pub fn recommendations(json: &JsValue) -> Result<RecommendationsResponse, String> {
    let mut r = Reader::default();
    let answer = RecommendationsResponse {
        recommendation_id: r.read(json, "recommendation_id", string),
        items: r
            .read(json, "items", array)
            .iter()
            .map(|item| r.recommended_product(&item))
            .collect(),
    };
    r.finish(answer)
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
        // Not even an object: the reader's error says so (it comes first).
        other => {
            r.fail(unknown("status", other));
            return Err(r.error.unwrap_or_default());
        }
    };
    r.finish(answer)
}

/// The answer of `GET /v1/cart-recovery`: `{}` when there is nothing to show.
pub fn cart_recovery(json: &JsValue) -> Result<CartRecoveryResponse, String> {
    let mut r = Reader::default();
    if !json.is_object() {
        r.fail(not_a("answer", "an object"));
    }
    let offer = present(json, "offer").map(|offer| {
        let total = r.read(&offer, "total", field);
        CartRecoveryOffer {
            offer_id: r.read(&offer, "offer_id", string),
            lines: r
                .read(&offer, "lines", array)
                .iter()
                .map(|line| {
                    let price = r.read(&line, "unit_price", field);
                    CartLine {
                        sku: r.read(&line, "sku", string),
                        title: r.read(&line, "title", string),
                        url: r.read(&line, "url", string),
                        image_url: r.read(&line, "image_url", string),
                        quantity: r.read(&line, "quantity", integer),
                        unit_price: r.money(&price),
                        available: r.read(&line, "available", boolean),
                    }
                })
                .collect(),
            total: r.money(&total),
            coupon: present(&offer, "coupon").map(|coupon| {
                let value = r.read(&coupon, "value", field);
                Coupon {
                    code: r.read(&coupon, "code", string),
                    value: r.money(&value),
                    percent: r.read(&coupon, "percent", |coupon, name| {
                        optional(coupon, name, unsigned)
                    }),
                    points: r.read(&coupon, "points", integer),
                    expires_at: r.read(&coupon, "expires_at", integer),
                    redeemed_at: r.read(&coupon, "redeemed_at", |coupon, name| {
                        optional(coupon, name, integer)
                    }),
                }
            }),
            pickup: present(&offer, "pickup").map(|pickup| CartPickup {
                store_id: r.read(&pickup, "store_id", string),
                name: r.read(&pickup, "name", string),
                city: r.read(&pickup, "city", string),
                distance_km: r.read(&pickup, "distance_km", |pickup, name| {
                    optional(pickup, name, number)
                }),
                ready_at: r.read(&pickup, "ready_at", string),
            }),
            cart_url: r.read(&offer, "cart_url", string),
            last_activity_at: r.read(&offer, "last_activity_at", integer),
        }
    });
    r.finish(CartRecoveryResponse { offer })
}

/// Reads fields and keeps the first error instead of returning at it. Readers of many fields
/// stay small this way: no early return per field, each with its own code to drop what was
/// read before it. (The recommendations and availability readers written with `?` cost 753 B
/// brotli more wasm; docs/bundle-size.md.)
#[derive(Default)]
struct Reader {
    error: Option<String>,
}

impl Reader {
    /// Keeps `err` unless an earlier error is kept already.
    fn fail(&mut self, err: String) {
        self.error.get_or_insert(err);
    }

    /// `value` when nothing went wrong, else the first error.
    fn finish<T>(self, value: T) -> Result<T, String> {
        self.error.map_or(Ok(value), Err)
    }

    /// The field `name` of `value` as `read` reads it; its default on an error, which is kept.
    fn read<T: Default>(
        &mut self,
        value: &JsValue,
        name: &str,
        read: fn(&JsValue, &str) -> Result<T, String>,
    ) -> T {
        read(value, name).unwrap_or_else(|err| {
            self.fail(err);
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
            self.fail(unknown(name, &text));
        }
        found
    }

    fn recommended_product(&mut self, item: &JsValue) -> RecommendedProduct {
        let price = self.read(item, "price", field);
        let reason = self.read(item, "reason", field);
        RecommendedProduct {
            sku: self.read(item, "sku", string),
            title: self.read(item, "title", string),
            url: self.read(item, "url", string),
            image_url: self.read(item, "image_url", string),
            price: self.money(&price),
            reason: self.recommendation_reason(&reason),
        }
    }

    /// `#[serde(tag = "kind", rename_all = "snake_case")]`
    fn recommendation_reason(&mut self, reason: &JsValue) -> RecommendationReason {
        match self.read(reason, "kind", string).as_str() {
            "bought_together_with" => RecommendationReason::BoughtTogetherWith {
                sku: self.read(reason, "sku", string),
            },
            "because_you_bought" => RecommendationReason::BecauseYouBought {
                sku: self.read(reason, "sku", string),
                channel: self.channel(reason).unwrap_or(Channel::Web),
                store_id: self.read(reason, "store_id", optional_string),
                store_name: self.read(reason, "store_name", optional_string),
            },
            "because_you_viewed" => RecommendationReason::BecauseYouViewed {
                sku: self.read(reason, "sku", string),
            },
            "popular" => RecommendationReason::Popular,
            "trending" => RecommendationReason::Trending,
            "catalogue" => RecommendationReason::Catalogue,
            other => {
                self.fail(unknown("reason", other));
                RecommendationReason::Popular
            }
        }
    }

    fn store(&mut self, store: &JsValue) -> Store {
        let levels = [StockLevel::InStock, StockLevel::Low, StockLevel::Out];
        Store {
            store_id: self.read(store, "store_id", string),
            name: self.read(store, "name", string),
            street: self.read(store, "street", string),
            postcode: self.read(store, "postcode", string),
            city: self.read(store, "city", string),
            country: self.read(store, "country", string),
            usual: self.read(store, "usual", boolean),
            distance_m: self.read(store, "distance_m", |store, name| {
                optional(store, name, unsigned)
            }),
            stock: self
                .choice(store, "stock", &["in_stock", "low", "out"], &levels)
                .unwrap_or(StockLevel::Out),
            timezone: self.read(store, "timezone", string),
            open_now: self.read(store, "open_now", boolean),
            next_change_at: self.read(store, "next_change_at", optional_string),
            opening_hours: self.read(store, "opening_hours", |store, name| {
                opening_hours(&field(store, name)?)
            }),
            pickup: present(store, "pickup").map(|pickup| Pickup {
                ready_at: self.read(&pickup, "ready_at", string),
                days_from_today: self.read(&pickup, "days_from_today", unsigned),
            }),
        }
    }

    /// `"web"`, `"app"` or `"store"`.
    fn channel(&mut self, value: &JsValue) -> Option<Channel> {
        let channels = [Channel::Web, Channel::App, Channel::Store];
        self.choice(value, "channel", &["web", "app", "store"], &channels)
    }

    /// `{"amount_minor": 1999, "currency": "EUR"}`.
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
            channel: present(line, "channel").and_then(|_| self.channel(line)),
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
    /// The SKU asked for.
    pub sku: String,
    /// Where distances are measured from.
    pub origin: AvailabilityOrigin,
    /// The usual store first, then stores with stock, then without, each by distance.
    pub stores: Vec<Store>,
}

/// [`StoreAvailability`] with its opening hours in a [`Week`].
#[derive(Debug, Clone, PartialEq)]
pub struct Store {
    /// The shop's store id.
    pub store_id: String,
    /// Display name.
    pub name: String,
    /// Street and number.
    pub street: String,
    /// Postcode of the store.
    pub postcode: String,
    /// City of the store.
    pub city: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// Whether this is the customer's usual store.
    pub usual: bool,
    /// Distance from the origin in metres; none without an origin.
    pub distance_m: Option<u32>,
    /// Stock of the SKU in this store.
    pub stock: StockLevel,
    /// IANA time zone of the store; every time is local to it.
    pub timezone: String,
    /// Whether the store is open now.
    pub open_now: bool,
    /// When the store next closes or opens (RFC 3339), if within a week.
    pub next_change_at: Option<String>,
    /// The week's opening hours, local times.
    pub opening_hours: Week,
    /// Click & collect: when an order placed now is ready.
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
    use OriginSource::*;
    let mut r = Reader::default();
    let origin = r.read(json, "origin", field);
    let sources = [
        "coordinates",
        "postcode",
        "usual_store",
        "default_region",
        "none",
    ];
    let answer = Availability {
        sku: r.read(json, "sku", string),
        origin: AvailabilityOrigin {
            source: r
                .choice(
                    &origin,
                    "source",
                    &sources,
                    &[Coordinates, Postcode, UsualStore, DefaultRegion, None],
                )
                .unwrap_or(None),
            lat: r.read(&origin, "lat", |origin, name| {
                optional(origin, name, number)
            }),
            lon: r.read(&origin, "lon", |origin, name| {
                optional(origin, name, number)
            }),
            postcode: r.read(&origin, "postcode", optional_string),
            country: r.read(&origin, "country", optional_string),
            place: r.read(&origin, "place", optional_string),
        },
        stores: r
            .read(json, "stores", array)
            .iter()
            .map(|store| r.store(&store))
            .collect(),
    };
    r.finish(answer)
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
