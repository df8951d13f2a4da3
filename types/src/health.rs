//! `GET /healthz`: whether the server can answer, for load balancers.

use serde::{Deserialize, Serialize};

/// The answer of `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok`: a failing database is answered with a 500 error instead.
    pub status: String,
    /// Whether the widget bundle is loaded (`/v1/vitrine.js` and `/v1/assets/…` are served).
    pub bundle: bool,
}
