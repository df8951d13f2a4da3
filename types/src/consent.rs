//! `POST /v1/consent`: what the shopper allowed, stored with the profile.

use serde::{Deserialize, Serialize};

/// The body of `POST /v1/consent` (publishable key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentUpdate {
    /// The browser's anonymous visitor id: 16–64 of `A-Z a-z 0-9 _ -`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub visitor_id: String,
    /// The shop-signed customer token of a logged-in shopper, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_token: Option<String>,
    /// Events may be stored.
    pub tracking: bool,
    /// Answers may use the profile.
    pub personalisation: bool,
    /// Where the choice was made, e.g. `cookie_banner` (1–64 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub source: String,
}

/// A profile's consent as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentState {
    /// Events may be stored.
    pub tracking: bool,
    /// Answers may use the profile.
    pub personalisation: bool,
    /// `shopper` when the shopper chose, `shop_default` otherwise.
    pub basis: String,
    /// When the shopper chose, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<i64>,
    /// Where the shopper chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
