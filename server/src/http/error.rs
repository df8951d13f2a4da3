//! The API's one error type: every rejection becomes `{"error": {"code", "message"}}`.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use vitrine_types::{ApiError as WireError, ApiErrorBody};

/// Handler results default to our error type.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// Everything a request can fail with, mapped to a status and a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No route matches the path.
    #[error("no such resource: {0}")]
    NotFound(String),
    /// The SKU is not in the shop's catalogue.
    #[error("unknown SKU `{0}`")]
    UnknownSku(String),
    /// The postcode is not in the shipped DACH postcode table.
    #[error("{0}")]
    UnknownPostcode(String),
    /// A batch's sub-request names no browser GET endpoint a batch can carry.
    #[error("{0}")]
    UnknownEndpoint(String),
    /// The route exists but not for this method.
    #[error("method not allowed for this resource")]
    MethodNotAllowed,
    /// The query string is malformed or has a bad value.
    #[error("{0}")]
    InvalidQuery(String),
    /// No `key` was given.
    #[error("a publishable key is required: add `key=pk_…` to the query string")]
    MissingKey,
    /// No `Authorization: Bearer sk_…` header was given.
    #[error("a secret key is required: send `Authorization: Bearer sk_…`")]
    MissingSecretKey,
    /// The body is not JSON (or NDJSON) of the expected shape.
    #[error("{0}")]
    InvalidJson(String),
    /// The body parsed but a value is not acceptable.
    #[error("{0}")]
    InvalidBody(String),
    /// More items than one request may carry.
    #[error("{0}")]
    BatchTooLarge(String),
    /// The body's media type is not one this endpoint reads.
    #[error("unsupported Content-Type `{0}`")]
    UnsupportedMediaType(String),
    /// The customer token is malformed, expired or wrongly signed.
    #[error(transparent)]
    InvalidCustomerToken(#[from] crate::identity::TokenError),
    /// The key sent more requests than its rate allows.
    #[error("too many requests for this key; retry in {0} s")]
    RateLimited(u64),
    /// The request took longer than the server's time limit.
    #[error("the request took too long and was stopped")]
    Timeout,
    /// The id was erased (GDPR) and is never linked again.
    #[error("`{0}` was erased and cannot be used again")]
    Erased(String),
    /// The key matches no shop.
    #[error("the key is not valid")]
    InvalidKey,
    /// The page's origin is not among the shop's allowed origins.
    #[error("origin `{0}` is not allowed to use this key")]
    OriginNotAllowed(String),
    /// The widget bundle has not been built (or the bundle directory is wrong).
    #[error("the widget bundle is not available on this server")]
    BundleUnavailable,
    /// The shop has no loyalty programme.
    #[error("the shop has no loyalty programme")]
    NoLoyaltyProgram,
    /// The balance is smaller than the points asked for.
    #[error("{0}")]
    InsufficientPoints(String),
    /// A client-made id was used before for a different request.
    #[error("{0}")]
    IdConflict(String),
    /// The shop recovers no carts.
    #[error("the shop has no cart recovery rules")]
    NoCartRecovery,
    /// No such cart recovery offer of the caller.
    #[error("{0}")]
    UnknownOffer(String),
    /// No such coupon code in this shop.
    #[error("{0}")]
    UnknownCoupon(String),
    /// The coupon was used before.
    #[error("{0}")]
    CouponRedeemed(String),
    /// The coupon is past its validity.
    #[error("{0}")]
    CouponExpired(String),
    /// A database failure; details go to the log, not to the client.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Any other internal failure; details go to the log, not to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::UnknownSku(_) => (StatusCode::NOT_FOUND, "unknown_sku"),
            Self::UnknownPostcode(_) => (StatusCode::NOT_FOUND, "unknown_postcode"),
            Self::UnknownEndpoint(_) => (StatusCode::NOT_FOUND, "unknown_endpoint"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "invalid_query"),
            Self::MissingKey | Self::MissingSecretKey => (StatusCode::UNAUTHORIZED, "missing_key"),
            Self::InvalidKey => (StatusCode::UNAUTHORIZED, "invalid_key"),
            Self::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            Self::InvalidBody(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
            Self::BatchTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::InvalidCustomerToken(_) => (StatusCode::UNAUTHORIZED, "invalid_customer_token"),
            Self::Erased(_) => (StatusCode::GONE, "erased"),
            Self::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Timeout => (StatusCode::REQUEST_TIMEOUT, "timeout"),
            Self::OriginNotAllowed(_) => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            Self::BundleUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "bundle_unavailable"),
            Self::NoLoyaltyProgram => (StatusCode::NOT_FOUND, "no_loyalty_program"),
            Self::InsufficientPoints(_) => (StatusCode::CONFLICT, "insufficient_points"),
            Self::IdConflict(_) => (StatusCode::CONFLICT, "id_conflict"),
            Self::NoCartRecovery => (StatusCode::NOT_FOUND, "no_cart_recovery"),
            Self::UnknownOffer(_) => (StatusCode::NOT_FOUND, "unknown_offer"),
            Self::UnknownCoupon(_) => (StatusCode::NOT_FOUND, "unknown_coupon"),
            Self::CouponRedeemed(_) => (StatusCode::CONFLICT, "coupon_redeemed"),
            Self::CouponExpired(_) => (StatusCode::GONE, "coupon_expired"),
            Self::Database(_) | Self::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl From<crate::loyalty::LoyaltyError> for ApiError {
    fn from(err: crate::loyalty::LoyaltyError) -> Self {
        use crate::loyalty::LoyaltyError;
        match err {
            LoyaltyError::NoProgramme => Self::NoLoyaltyProgram,
            LoyaltyError::InsufficientPoints { .. } => Self::InsufficientPoints(err.to_string()),
            LoyaltyError::IdConflict(_) => Self::IdConflict(err.to_string()),
            LoyaltyError::InvalidPoints(message) => Self::InvalidBody(message),
            LoyaltyError::Database(err) => Self::Database(err),
        }
    }
}

impl From<crate::coupons::RedeemError> for ApiError {
    fn from(err: crate::coupons::RedeemError) -> Self {
        use crate::coupons::RedeemError;
        match err {
            RedeemError::Unknown(_) => Self::UnknownCoupon(err.to_string()),
            RedeemError::AlreadyRedeemed(_) => Self::CouponRedeemed(err.to_string()),
            RedeemError::Expired(_) => Self::CouponExpired(err.to_string()),
            RedeemError::Database(err) => Self::Database(err),
        }
    }
}

impl ApiError {
    /// The status and the JSON body this error is answered with (internal details are
    /// logged here, never sent).
    pub fn into_status_and_body(self) -> (StatusCode, ApiErrorBody) {
        let (status, code) = self.status_and_code();
        let message = match &self {
            Self::Database(err) => {
                tracing::error!(error = %err, "database error");
                "internal error; see the server log".to_string()
            }
            Self::Internal(err) => {
                tracing::error!(error = ?err, "internal error");
                "internal error; see the server log".to_string()
            }
            other => other.to_string(),
        };
        let body = ApiErrorBody {
            error: WireError {
                code: code.into(),
                message,
            },
        };
        (status, body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.into_status_and_body();
        (status, Json(body)).into_response()
    }
}

/// `Query<T>` whose rejection is our JSON error instead of axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection: QueryRejection| ApiError::InvalidQuery(rejection.body_text()))
    }
}

/// A JSON request body as `T`, or our JSON error: 415 `unsupported_media_type` for a
/// `Content-Type` other than `application/json` or `text/plain` (none is read as JSON),
/// 400 `invalid_json` naming what does not parse, 413 `batch_too_large` past the body limit.
/// `text/plain` is read as JSON because `navigator.sendBeacon` sends strings with it, and it
/// keeps a browser POST a "simple" request without a CORS preflight.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// The media types [`ApiJson`] reads.
const JSON_MEDIA_TYPES: [&str; 2] = ["application/json", "text/plain"];

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self> {
        // The body is read before its type is checked: a body past the limit is a 413
        // whatever its type.
        let media_type = check_media_type(request.headers(), &JSON_MEDIA_TYPES);
        let body = Bytes::from_request(request, state)
            .await
            .map_err(body_unread)?;
        media_type?;
        serde_json::from_slice(&body)
            .map(Self)
            .map_err(|err| ApiError::InvalidJson(format!("body: {err}")))
    }
}

/// The error for a body that could not be read: past the size limit, or broken off.
fn body_unread(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::body_too_large()
    } else {
        ApiError::InvalidBody(format!(
            "the body could not be read: {}",
            rejection.body_text()
        ))
    }
}

impl ApiError {
    /// A request body larger than the endpoint's limit (413 `batch_too_large`).
    pub fn body_too_large() -> Self {
        Self::BatchTooLarge("the request body is larger than this endpoint accepts".into())
    }
}

/// Refuses a `Content-Type` outside `accepted` (a missing one is accepted).
pub fn check_media_type(headers: &axum::http::HeaderMap, accepted: &[&str]) -> Result<()> {
    match media_type(headers) {
        Some((essence, value)) if !accepted.contains(&essence.as_str()) => {
            Err(ApiError::UnsupportedMediaType(value))
        }
        _ => Ok(()),
    }
}

/// The `Content-Type` essence (lower case, parameters dropped) and the header as sent.
pub fn media_type(headers: &axum::http::HeaderMap) -> Option<(String, String)> {
    let value = headers.get(axum::http::header::CONTENT_TYPE)?;
    let value = value.to_str().unwrap_or_default();
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Some((essence, value.to_string()))
}

/// Fallback for unknown paths.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(uri.path().to_string())
}

/// Fallback for known paths with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
