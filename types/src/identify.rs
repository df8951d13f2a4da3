//! `POST /v1/identify`: a logged-in shopper's browser is linked to her customer profile.

use serde::{Deserialize, Serialize};

/// The body of `POST /v1/identify` (publishable key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdentifyRequest {
    /// The browser's anonymous visitor id: 16–64 of `A-Z a-z 0-9 _ -`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub visitor_id: String,
    /// The shop-signed customer token (see DESIGN.md).
    pub customer_token: String,
}

/// The answer of `POST /v1/identify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentifyResult {
    /// Whether the visitor is now linked to the customer; `false` without tracking consent.
    pub linked: bool,
}
