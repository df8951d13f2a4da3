//! `/v1/shop/origins` (secret key): the origins a shop's widgets may be embedded from.

use serde::{Deserialize, Serialize};

/// The origins allowed to embed the shop's widgets (browsers' `Origin`, e.g.
/// `https://shop.example`), sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopOrigins {
    /// Scheme, host and port, no path.
    pub origins: Vec<String>,
}

/// `PATCH /v1/shop/origins`: origins to allow (a staging domain) and to stop allowing (an old
/// one). Additions come first, so an origin in both lists ends up removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OriginsChange {
    /// Origins to allow, e.g. `https://staging.shop.example`.
    #[serde(default)]
    pub add: Vec<String>,
    /// Origins to stop allowing; one not allowed is no error.
    #[serde(default)]
    pub remove: Vec<String>,
}
