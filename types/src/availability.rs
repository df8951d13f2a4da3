//! `GET /v1/availability`: which stores near the shopper have a SKU, and when it can be
//! picked up there (click & collect).

use serde::{Deserialize, Serialize};

use crate::OpeningHours;

/// The answer: stores in the order the widget shows them, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvailabilityResponse {
    /// The SKU asked for.
    pub sku: String,
    /// Where distances are measured from, and how that place was found.
    pub origin: AvailabilityOrigin,
    /// The customer's usual store (where most of her till receipts are from) comes first,
    /// then stores with stock by distance, then stores without stock by distance.
    pub stores: Vec<StoreAvailability>,
}

/// The place distances are measured from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvailabilityOrigin {
    /// How the place was found.
    pub source: OriginSource,
    /// Latitude in degrees (WGS 84); absent when there is no place (`source` `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Longitude in degrees (WGS 84).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// The postcode, for `postcode` and `default_region`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// ISO 3166-1 alpha-2 country of the postcode (`DE`, `AT`, `CH`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The place name of the postcode (`München`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// Where the origin of an availability answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OriginSource {
    /// `lat`/`lon` from the browser (the shopper asked for her location).
    Coordinates,
    /// A postcode the shopper typed.
    Postcode,
    /// The customer's usual store.
    UsualStore,
    /// The shop's default region (no location, no usual store).
    DefaultRegion,
    /// No place at all: the shop has no default region; no distances.
    None,
}

/// One store's answer for the SKU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreAvailability {
    /// The shop's store id.
    pub store_id: String,
    /// Display name (`München-Schwabing`).
    pub name: String,
    /// Street and number.
    pub street: String,
    /// Postcode of the store.
    pub postcode: String,
    /// City of the store.
    pub city: String,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
    /// Whether this is the customer's usual store (most of her till receipts).
    pub usual: bool,
    /// Great-circle distance from the origin in metres; absent without an origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    /// Stock of the SKU in this store.
    pub stock: StockLevel,
    /// IANA time zone of the store; every time below is local to it.
    pub timezone: String,
    /// Whether the store is open now.
    pub open_now: bool,
    /// When the store next closes (if open) or opens (if closed), RFC 3339 with the store's
    /// offset; absent when the store has no opening hours in the next week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_change_at: Option<String>,
    /// The week's opening hours, local times.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::catalogue::opening_hours_schema))]
    pub opening_hours: OpeningHours,
    /// Click & collect: when an order placed now is ready, absent when out of stock or the
    /// store does not open in the next two weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup: Option<Pickup>,
}

/// Stock of a SKU in one store, as shown to shoppers (quantities stay private).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StockLevel {
    /// At or above the shop's low-stock threshold.
    InStock,
    /// Above zero, below the threshold.
    Low,
    /// None (or the store does not carry the SKU).
    Out,
}

/// When a click & collect order placed now is ready in a store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pickup {
    /// The moment, RFC 3339 with the store's offset (`2026-11-24T16:00:00+01:00`).
    pub ready_at: String,
    /// Days from the store's today to the pickup day: 0 today, 1 tomorrow, …
    pub days_from_today: u32,
}
