//! Cart recovery: a cart left without purchase comes back as a dialog, on any device of the
//! customer, with a one-time coupon when the shop's rules allow and the nearest store where
//! everything can be picked up today. `GET /v1/cart-recovery` (the caller's own profile),
//! `POST /v1/cart-recovery/actions` (shown, clicked, dismissed), the rules with the secret key.

use serde::{Deserialize, Serialize};

use crate::{Coupon, Money};

/// The shop's cart recovery rules (`PUT /v1/cart-recovery/rules`, secret key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CartRecoveryRules {
    /// Minutes without cart activity or purchase after which a cart counts as abandoned.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 43_200))]
    pub idle_minutes: u32,
    /// Carts worth less (at current prices) are not recovered; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cart_value: Option<Money>,
    /// The coupon offered with the dialog; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<CouponRule>,
    /// At most one coupon per customer within this many days.
    #[cfg_attr(feature = "openapi", schema(maximum = 3650))]
    pub coupon_once_per_days: u32,
    /// The dialog is shown at most this many times …
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub max_shows: u32,
    /// … within this many hours (frequency cap, across devices).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 8760))]
    pub show_window_hours: u32,
    /// After a dismissal the dialog stays away this many hours, on every device.
    #[cfg_attr(feature = "openapi", schema(maximum = 8760))]
    pub quiet_hours_after_dismiss: u32,
    /// Where "back to cart" leads (the shop's cart page).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2048))]
    pub cart_url: String,
    /// Whether anonymous visitors (no valid customer token) get coupons too; by default
    /// only signed-in customers do, since a visitor id costs nothing to make.
    #[serde(default)]
    pub coupons_for_anonymous: bool,
    /// At most this many cart recovery coupons per shop in any 24 hours, whoever asks: a
    /// second fence against coupon farming (default 500).
    #[serde(default = "default_max_coupons_per_day")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000))]
    pub max_coupons_per_day: u32,
}

fn default_max_coupons_per_day() -> u32 {
    500
}

/// What the recovery coupon takes off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CouponRule {
    /// An amount off (`{"amount_minor": 500, "currency": "EUR"}`) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// … or a percentage off (1–100); exactly one of the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub percent: Option<u32>,
    /// How long a coupon can be used, in days.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub validity_days: u32,
}

/// The answer of `GET /v1/cart-recovery`: an offer to show now, or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartRecoveryResponse {
    /// Absent when there is nothing to show: no abandoned cart, its lines bought meanwhile
    /// (online or in a store), the frequency cap reached or a dismissal's quiet period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<CartRecoveryOffer>,
}

/// An abandoned cart to bring back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartRecoveryOffer {
    /// Names this offer in `POST /v1/cart-recovery/actions`.
    pub offer_id: String,
    /// The cart's lines still open, at current prices.
    pub lines: Vec<CartLine>,
    /// Their sum at current prices.
    pub total: Money,
    /// The one-time coupon, when the rules offer one to this customer now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<Coupon>,
    /// The nearest store where every line can be picked up today, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup: Option<CartPickup>,
    /// Where "back to cart" leads.
    pub cart_url: String,
    /// When the cart was last touched, unix seconds.
    pub last_activity_at: i64,
}

/// One line of an abandoned cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartLine {
    /// The product.
    pub sku: String,
    /// Its title.
    pub title: String,
    /// Its page.
    pub url: String,
    /// Its image.
    pub image_url: String,
    /// How many are in the cart.
    pub quantity: i64,
    /// The current price of one.
    pub unit_price: Money,
    /// Whether it can still be bought (in stock online or in a store).
    pub available: bool,
}

/// Where the whole cart can be picked up today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartPickup {
    /// The store.
    pub store_id: String,
    /// Its name.
    pub name: String,
    /// Its city.
    pub city: String,
    /// Distance from the shopper (or her usual store, or the shop's default region), km.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// When the order can be collected, RFC 3339 with the store's offset.
    pub ready_at: String,
}

/// `POST /v1/cart-recovery/actions`: what the shopper did with the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CartRecoveryAction {
    /// The browser's anonymous visitor id (optional with a customer token; one is needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub visitor_id: Option<String>,
    /// The shop-signed customer token, when signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_token: Option<String>,
    /// The offer, from the answer.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub offer_id: String,
    /// What happened.
    pub action: CartRecoveryActionKind,
}

/// What the shopper did with the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CartRecoveryActionKind {
    /// The dialog opened (counts towards the frequency cap).
    Shown,
    /// "Back to cart" was clicked.
    Clicked,
    /// The dialog was closed (starts the quiet period on every device).
    Dismissed,
}
