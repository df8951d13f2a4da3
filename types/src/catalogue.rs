//! `POST /v1/products`, `POST /v1/stores` and `POST /v1/stock` (secret key, NDJSON or CSV) and
//! `vitrine-server import`: one row per line, upserted; bad lines reported by number.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::LineError;

/// One product of a shop's catalogue, keyed by `sku`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductRow {
    /// The shop's article number: 1–128 characters, no control characters.
    pub sku: String,
    /// Display name: 1–300 characters.
    pub title: String,
    /// Price in minor units (cents), 0 to 10^10.
    pub price_minor: i64,
    /// ISO 4217 currency: three upper-case letters.
    pub currency: String,
    /// The product page: an absolute `http(s)` URL of at most 2,048 characters.
    pub url: String,
    /// The product image: an absolute `http(s)` URL of at most 2,048 characters.
    pub image_url: String,
    /// The shop's category: 1–100 characters.
    pub category: String,
    /// Free attributes (`{"colour": "red"}`); in CSV a column holding a JSON object, optional.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// One physical store of a shop, keyed by `store_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreRow {
    /// The shop's store id: 1–64 of `A-Z a-z 0-9 _ -`.
    pub store_id: String,
    /// Display name.
    pub name: String,
    /// Street and number.
    pub street: String,
    /// Postal code (may be empty where a country has none).
    pub postcode: String,
    /// City.
    pub city: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `DE`.
    pub country: String,
    /// Latitude in degrees, −90 to 90.
    pub lat: f64,
    /// Longitude in degrees, −180 to 180.
    pub lon: f64,
    /// IANA time zone the opening hours are in, e.g. `Europe/Berlin`.
    pub timezone: String,
    /// Opening hours per weekday; in CSV a column holding the JSON object.
    #[cfg_attr(feature = "openapi", schema(schema_with = opening_hours_schema))]
    pub opening_hours: OpeningHours,
    /// Click & collect: minutes of opening time the store needs to have an order ready,
    /// 0 to 10,080 (a week); 120 when absent. In CSV an optional column.
    #[serde(default = "default_pickup_preparation_minutes")]
    pub pickup_preparation_minutes: u32,
}

/// A store's preparation time for click & collect when the import does not say.
pub const DEFAULT_PICKUP_PREPARATION_MINUTES: u32 = 120;

fn default_pickup_preparation_minutes() -> u32 {
    DEFAULT_PICKUP_PREPARATION_MINUTES
}

/// The schema of [`OpeningHours`]: utoipa has none for fixed-size arrays like `[String; 2]`.
#[cfg(feature = "openapi")]
pub(crate) fn opening_hours_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
    let time = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-2][0-9]:[0-5][0-9]$"));
    let interval = ArrayBuilder::new()
        .items(time)
        .min_items(Some(2))
        .max_items(Some(2));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Weekday (`mon` … `sun`) → `[\"HH:MM\", \"HH:MM\"]` intervals; a day absent or \
             empty is closed.",
        ))
        .additional_properties(Some(AdditionalProperties::RefOr(
            ArrayBuilder::new().items(interval).build().into(),
        )))
        .build()
}

/// Opening hours: weekday → `["HH:MM", "HH:MM"]` intervals (a day absent or empty is closed).
pub type OpeningHours = BTreeMap<Weekday, Vec<[String; 2]>>;

/// A day of the week, as the keys of [`OpeningHours`] spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Days after Monday: 0 for Monday … 6 for Sunday (the order of the variants).
    pub const fn days_from_monday(self) -> usize {
        self as usize
    }
}

/// How many items of a product one store holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockRow {
    /// The store: one imported before, of the same shop.
    pub store_id: String,
    /// The product: one imported before, of the same shop.
    pub sku: String,
    /// Items in stock, 0 to 10^9.
    pub quantity: i64,
}

/// The answer to an import: rows written, and the lines refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResult {
    /// Rows inserted or updated.
    pub upserted: u64,
    /// Lines refused (the first 1,000), with their 1-based line number in the file.
    pub errors: Vec<LineError>,
    /// Lines refused beyond those listed in `errors`.
    pub errors_truncated: u64,
}
