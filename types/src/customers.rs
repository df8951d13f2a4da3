//! `GET /v1/customers/{id}/export` and `DELETE /v1/customers/{id}` (secret key): everything
//! held about a customer (GDPR Art. 15/20), and its erasure (Art. 17).

use serde::{Deserialize, Serialize};

/// Everything Vitrine holds about one customer, across all the ids linked to her.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerExport {
    /// The customer id asked for.
    pub customer_id: String,
    /// Every id linked to her: `{"kind": "visitor"|"customer"|"card", "id": …}`.
    pub linked_ids: Vec<LinkedId>,
    /// Her consent as it stands.
    pub consent: crate::ConsentState,
    /// Every event, oldest first, as received.
    pub events: Vec<serde_json::Value>,
    /// Every purchase line, online and in stores.
    pub purchases: Vec<ExportedPurchaseLine>,
    /// Every line of her loyalty ledger, oldest first.
    #[serde(default)]
    pub loyalty: Vec<crate::LedgerLine>,
}

/// One id linked to a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedId {
    /// `visitor`, `customer` or `card`.
    pub kind: String,
    /// The id.
    pub id: String,
    /// When it was linked, unix seconds.
    pub linked_at: i64,
}

/// One purchase line in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedPurchaseLine {
    /// Order or receipt number.
    pub order_id: String,
    /// The product.
    pub sku: String,
    /// How many.
    pub quantity: i64,
    /// Price of one, minor units.
    pub unit_price_minor: i64,
    /// `web`, `app` or `store`.
    pub channel: String,
    /// The store, for store purchases.
    pub store_id: Option<String>,
    /// When, unix seconds.
    pub purchased_at: i64,
}

/// What an erasure removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureResult {
    /// Profiles removed (hers and those merged into it).
    pub profiles: u64,
    /// Ids removed, each now a tombstone.
    pub ids: u64,
    /// Events removed.
    pub events: u64,
    /// Purchase lines removed.
    pub purchase_lines: u64,
    /// Loyalty ledger lines removed (her orders' terms, balance and coupons go with them).
    #[serde(default)]
    pub loyalty_lines: u64,
}
