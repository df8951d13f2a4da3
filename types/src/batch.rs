//! `GET /v1/batch`: the answers of several browser GETs of one page in one request.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The answers of a batch, one per `r`, in the order of the request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchResponse {
    /// One answer per sub-request, in request order.
    pub answers: Vec<BatchAnswer>,
}

/// What one sub-request answered: exactly what the endpoint answers on its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchAnswer {
    /// The HTTP status the endpoint answered.
    pub status: u16,
    /// The endpoint's JSON body, byte for byte: its answer, or `{"error": {"code",
    /// "message"}}` (`ApiErrorBody`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: Box<RawValue>,
}
