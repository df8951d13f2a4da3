//! Loyalty points: the shop's programme (`PUT /v1/loyalty/program`), a member's account
//! (`GET /v1/loyalty`), manual adjustments, and redeeming points for a one-time coupon.
//!
//! Points are integers; a purchase earns once whatever the channel it reaches Vitrine through.

use serde::{Deserialize, Serialize};

use crate::{Channel, Money};

/// The shop's loyalty programme: how purchases earn, tiers, expiry, what points are worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoyaltyProgram {
    /// Earning per currency: purchases in a currency not listed earn nothing. 1–10 rates.
    pub earn: Vec<EarnRate>,
    /// How a fraction of a point is rounded, per order.
    #[serde(default)]
    pub rounding: Rounding,
    /// Product categories that earn nothing (gift cards, deposits, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_categories: Vec<String>,
    /// Tiers by points earned within `tier_window_days`; the first has threshold 0. 1–10 tiers
    /// with rising thresholds.
    pub tiers: Vec<TierRule>,
    /// The rolling window tiers are judged over, in days (e.g. 365).
    pub tier_window_days: u32,
    /// Points expire this many days after they were earned (oldest first); never when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_days: Option<u32>,
    /// What points are worth: `value` for every `points` points.
    pub point_value: PointValue,
    /// Turning points into a coupon.
    pub redemption: RedemptionRule,
    /// Where anonymous visitors join or log in (shown by the widget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 2048))]
    pub join_url: Option<String>,
}

/// Points earned per amount spent in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EarnRate {
    /// ISO 4217 code.
    pub currency: String,
    /// Points earned for every `per_minor` minor units (1 point per 100 cents: 1 and 100).
    pub points: i64,
    /// The amount in minor units that earns `points`.
    pub per_minor: i64,
}

/// How fractions of a point are rounded (once per order, after the tier multiplier).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Down (the usual rule).
    #[default]
    Down,
    /// To the nearest point, halves up.
    Nearest,
    /// Up.
    Up,
}

/// One tier of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierRule {
    /// Shown to the customer (`Silber`).
    pub name: String,
    /// Points earned within the window needed to reach it.
    pub threshold: i64,
    /// Earning in this tier in percent of the base rate (100 = base, 150 = one and a half).
    pub multiplier_percent: i64,
}

/// What points are worth in money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PointValue {
    /// A number of points …
    pub points: i64,
    /// … and what they are worth (100 points = 1,00 €).
    pub value: Money,
}

/// The rules for turning points into a coupon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedemptionRule {
    /// The fewest points one coupon takes.
    pub min_points: i64,
    /// Points are redeemed in multiples of this.
    pub step_points: i64,
    /// How long a coupon can be used, in days.
    pub coupon_validity_days: u32,
}

/// The answer of `GET /v1/loyalty`: a signed-in member's account, or for anyone else the
/// invitation to join (never someone else's balance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LoyaltyResponse {
    /// The customer of a valid customer token.
    Member(LoyaltyAccount),
    /// No valid customer token: what the programme offers and where to join.
    Guest(LoyaltyInvitation),
}

/// A member's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoyaltyAccount {
    /// Points available now (never negative).
    pub balance: i64,
    /// What the balance is worth.
    pub value: Money,
    /// The tier the member is in now.
    pub tier: Tier,
    /// The next tier up and how far away it is; absent in the top tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<NextTier>,
    /// Points earned within the tier window (what tiers are judged by).
    pub qualifying_points: i64,
    /// The tier window in days.
    pub tier_window_days: u32,
    /// The points that expire next, when the programme lets points expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_expiry: Option<PointsExpiry>,
    /// The latest ledger lines, newest first.
    pub lines: Vec<LedgerLine>,
}

/// A tier as the member sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tier {
    /// Its name.
    pub name: String,
    /// Earning in percent of the base rate.
    pub multiplier_percent: i64,
}

/// The next tier up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextTier {
    /// Its name.
    pub name: String,
    /// Qualifying points it needs.
    pub threshold: i64,
    /// Qualifying points still missing.
    pub points_needed: i64,
}

/// Points that will expire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PointsExpiry {
    /// How many.
    pub points: i64,
    /// When, unix seconds.
    pub at: i64,
}

/// One line of the ledger: the ledger is append-only, the balance is the sum of its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerLine {
    /// What the line is.
    pub kind: LedgerKind,
    /// Points added (positive) or taken (negative).
    pub points: i64,
    /// When it happened (the purchase's time for accruals), unix seconds.
    pub occurred_at: i64,
    /// Where the purchase or return happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// The store of a till purchase or return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// The store's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_name: Option<String>,
    /// The order or receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Why, for adjustments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The kinds of ledger line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Earned by a purchase.
    Accrual,
    /// Taken back by a return or cancellation.
    Reversal,
    /// Added or taken by the shop, with a reason.
    Adjustment,
    /// Turned into a coupon.
    Redemption,
    /// Expired.
    Expiry,
}

impl LedgerKind {
    /// The value stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accrual => "accrual",
            Self::Reversal => "reversal",
            Self::Adjustment => "adjustment",
            Self::Redemption => "redemption",
            Self::Expiry => "expiry",
        }
    }
}

/// What an anonymous visitor is shown instead of an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoyaltyInvitation {
    /// Where to join or log in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_url: Option<String>,
    /// What one earns: the rate of the currency asked for (or the first).
    pub earn: EarnRate,
}

/// `POST /v1/loyalty/adjustments` (secret key): points added or taken by the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    /// Client-made id: the same id again changes nothing (1–64 of `A-Z a-z 0-9 _ - . :`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.:-]{1,64}$"))]
    pub id: String,
    /// The customer, by the shop's customer id …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// … or by loyalty card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// Points to add (positive) or take (negative), not 0; never below a zero balance.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = -1_000_000_000, maximum = 1_000_000_000)
    )]
    pub points: i64,
    /// Why (1–200 characters), shown to the customer.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub reason: String,
}

/// `POST /v1/loyalty/redemptions`: turns points into a one-time coupon. With the secret key
/// the customer is named by `customer_id` or `card`; from a browser (publishable key) by a
/// valid `customer_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedemptionRequest {
    /// Client-made id: the same id again answers the same coupon and takes nothing more.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.:-]{1,64}$"))]
    pub id: String,
    /// Secret key only: the shop's customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Secret key only: a loyalty card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// Publishable key only: the shop-signed customer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_token: Option<String>,
    /// Points to redeem: at least the programme's minimum, a multiple of its step.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub points: i64,
}

/// A one-time coupon code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coupon {
    /// The code to type at checkout or show at the till (unguessable, one use).
    pub code: String,
    /// What it takes off: an amount (loyalty coupons; cart recovery with an amount rule) …
    pub value: Money,
    /// … or, when present, a percentage of the order instead (cart recovery), 1–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<u32>,
    /// Points it took (0 for coupons not bought with points).
    pub points: i64,
    /// Last moment it can be used, unix seconds.
    pub expires_at: i64,
    /// When it was used, unix seconds; absent while unused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeemed_at: Option<i64>,
}

/// `POST /v1/coupons/redeem` (secret key): a checkout or till uses a coupon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CouponRedemption {
    /// The code.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub code: String,
    /// The order or receipt it was used on (1–64 of `A-Z a-z 0-9 _ - . :`).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.:-]{1,64}$"))]
    pub order_id: String,
}
