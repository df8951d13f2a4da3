//! The one error body every rejection of the API carries.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": …, "message": …}}`: the body of every non-2xx answer of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    /// The error itself, wrapped so that clients can tell an error body from a payload.
    pub error: ApiError,
}

/// A stable, machine-readable code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable snake_case code clients may branch on (`not_found`, `invalid_query`, …).
    pub code: String,
    /// English explanation for the developer reading the response; never shown to shoppers.
    pub message: String,
}
