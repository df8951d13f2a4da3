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
    /// Every coupon made for her (loyalty redemptions and cart recovery), oldest first.
    #[serde(default)]
    pub coupons: Vec<ExportedCoupon>,
    /// Every cart recovery offer made to her, oldest first.
    #[serde(default)]
    pub cart_offers: Vec<ExportedCartOffer>,
    /// What she did with the cart recovery dialog (shown, clicked, dismissed), oldest first.
    #[serde(default)]
    pub cart_recovery_actions: Vec<ExportedCartRecoveryAction>,
}

/// One coupon in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedCoupon {
    /// The code.
    pub code: String,
    /// What made it: `loyalty` (points redeemed) or `cart_recovery`.
    pub source: String,
    /// What it takes off (zero in the order's currency for a percentage coupon).
    pub value: crate::Money,
    /// A percentage of the order it takes off instead, 1–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<u32>,
    /// Points it took.
    pub points: i64,
    /// When it was made, unix seconds.
    pub created_at: i64,
    /// Last moment it could be used, unix seconds.
    pub expires_at: i64,
    /// When it was used, unix seconds; absent while unused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed_at: Option<i64>,
    /// The order or receipt it was used on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed_order_id: Option<String>,
}

/// One cart recovery offer in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedCartOffer {
    /// The offer's id.
    pub offer_id: String,
    /// The coupon offered with it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// When it was made, unix seconds.
    pub created_at: i64,
}

/// One thing done with the cart recovery dialog, in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportedCartRecoveryAction {
    /// The offer the dialog showed.
    pub offer_id: String,
    /// `shown`, `clicked` or `dismissed`.
    pub action: String,
    /// When, unix seconds.
    pub occurred_at: i64,
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
