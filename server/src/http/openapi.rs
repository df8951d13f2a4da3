//! `GET /v1/openapi.json`: the OpenAPI document of the API, generated from the handlers'
//! `#[utoipa::path]` annotations and the wire types of `vitrine-types` (feature `openapi`).
//! Each resource registers its handlers with `utoipa_axum::routes!`, which adds the route and
//! its entry at once; [`ApiDoc`] holds what the routes share (info, error answers, schemes).
//! `scripts/schemathesis.sh` fuzzes the live server against it, so a handler that answers
//! something its annotation does not say is caught there.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::Extension;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Response};
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::ApiErrorBody;

use crate::AppState;

/// Name of the security scheme for the publishable key (`?key=pk_…`).
pub const PUBLISHABLE_KEY: &str = "publishable_key";
/// Name of the security scheme for the secret key (`Authorization: Bearer sk_…`).
pub const SECRET_KEY: &str = "secret_key";

/// What the API's OpenAPI document holds besides its routes (which `http::app` adds as it
/// registers them): info, the shared error answers and schemas, the keys, the tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vitrine profile API",
        description = "Customer profiles, events, consent, GDPR and catalogue imports of \
            Vitrine, and the widget bundle it serves. Every answer other than 2xx/304 is \
            `{\"error\": {\"code\", \"message\"}}` (`ApiErrorBody`) with a stable code. A path \
            that does not exist is a 404 `not_found`; a method a path does not serve is a 405 \
            `method_not_allowed`. Browser endpoints (publishable key) answer CORS preflights \
            and send CORS headers only to the shop's allowed origins.",
        license(name = "MIT OR Apache-2.0"),
    ),
    components(
        schemas(
            ApiErrorBody,
            vitrine_types::ApiError,
            vitrine_types::ProductRow,
            vitrine_types::StoreRow,
            vitrine_types::StockRow,
            vitrine_types::EventIn,
        ),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            RequestTimeout,
            Gone,
            PayloadTooLarge,
            UnsupportedMediaType,
            TooManyRequests,
            InternalError,
            BundleUnavailable,
        ),
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "browser", description = "Called from shop pages with the publishable key"),
        (name = "server", description = "Called from shop backends, tills and ERPs with the \
            secret key"),
        (name = "operations", description = "Health, metrics, the widget bundle and this \
            document; no key"),
    ),
)]
pub struct ApiDoc;

/// Adds the two ways of authenticating: the publishable key in the query string (browser
/// requests stay "simple" CORS requests) and the secret key as a bearer token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            PUBLISHABLE_KEY,
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "key",
                "The shop's publishable key `pk_…`. Safe to embed in pages; the page's \
                 `Origin`, when sent, must be one of the shop's allowed origins.",
            ))),
        );
        components.add_security_scheme(
            SECRET_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The shop's secret key `sk_…`, for its servers only: \
                         `Authorization: Bearer sk_…`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// `invalid_query`, `invalid_json` or `invalid_body`: the request is malformed or holds a
/// value out of range; the message says which.
#[derive(ToResponse)]
pub struct BadRequest(pub ApiErrorBody);

/// `missing_key` or `invalid_key` (no key, or one that matches no shop), or
/// `invalid_customer_token` (malformed, expired or wrongly signed).
#[derive(ToResponse)]
pub struct Unauthorized(pub ApiErrorBody);

/// `origin_not_allowed`: the page's `Origin` is not among the shop's allowed origins.
#[derive(ToResponse)]
pub struct Forbidden(pub ApiErrorBody);

/// `not_found`: nothing with this id (of the calling shop).
#[derive(ToResponse)]
pub struct NotFound(pub ApiErrorBody);

/// `insufficient_points`, `id_conflict` or `coupon_redeemed`: the request contradicts what
/// is stored (too few points, an id used before for something else, a coupon used before).
#[derive(ToResponse)]
pub struct Conflict(pub ApiErrorBody);

/// `timeout`: the request took longer than the server's time limit and was stopped.
#[derive(ToResponse)]
pub struct RequestTimeout(pub ApiErrorBody);

/// `erased`: an id of the request was erased (GDPR) and is never linked again.
#[derive(ToResponse)]
pub struct Gone(pub ApiErrorBody);

/// `batch_too_large`: more items, or a larger body, than this endpoint accepts.
#[derive(ToResponse)]
pub struct PayloadTooLarge(pub ApiErrorBody);

/// `unsupported_media_type`: the `Content-Type` is not one this endpoint reads.
#[derive(ToResponse)]
pub struct UnsupportedMediaType(pub ApiErrorBody);

/// `rate_limited`: the key sent more requests than its rate allows.
#[derive(ToResponse)]
#[response(headers(
    ("Retry-After" = u64, description = "Seconds to wait before the next request (at least 1)")
))]
pub struct TooManyRequests(pub ApiErrorBody);

/// `internal`: a failure inside the server (details are in its log, not in the answer).
#[derive(ToResponse)]
pub struct InternalError(pub ApiErrorBody);

/// `bundle_unavailable`: the widget bundle is not built, or the bundle directory is wrong.
#[derive(ToResponse)]
pub struct BundleUnavailable(pub ApiErrorBody);

/// The errors of every endpoint that takes a key: a malformed request, a missing or wrong key,
/// too many requests, a failure inside the server. Secret-key endpoints add their own rows
/// beside it (imports stream files of any size, so they have no time limit and no 408).
#[derive(IntoResponses)]
pub enum KeyErrors {
    /// 400: [`BadRequest`].
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    /// 401: [`Unauthorized`].
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    /// 429: [`TooManyRequests`].
    #[response(status = 429)]
    TooManyRequests(#[ref_response] TooManyRequests),
    /// 500: [`InternalError`].
    #[response(status = 500)]
    InternalError(#[ref_response] InternalError),
}

/// The errors of a browser endpoint that reads: those of [`KeyErrors`], an `Origin` the shop
/// does not allow, and the time limit.
pub struct BrowserReadErrors;

impl IntoResponses for BrowserReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut responses = KeyErrors::responses();
        responses.extend([
            reference::<Forbidden>(403),
            reference::<RequestTimeout>(408),
        ]);
        responses
    }
}

/// The errors of a browser endpoint that writes: those of [`BrowserReadErrors`], an erased id,
/// a body too large, and a `Content-Type` it does not read.
pub struct BrowserWriteErrors;

impl IntoResponses for BrowserWriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut responses = BrowserReadErrors::responses();
        responses.extend([
            reference::<Gone>(410),
            reference::<PayloadTooLarge>(413),
            reference::<UnsupportedMediaType>(415),
        ]);
        responses
    }
}

/// `status` answered with the shared response `R`, as `(status = …, response = R)` in a
/// `#[utoipa::path]` would: a `$ref` to `#/components/responses/…`.
fn reference<'r, R: ToResponse<'r>>(status: u16) -> (String, RefOr<Response>) {
    (
        status.to_string(),
        Ref::from_response_name(R::response().0).into(),
    )
}

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// The document as served, rendered once when the router is built (a request extension, as
/// the document is complete only once every route is registered).
#[derive(Debug, Clone)]
pub struct Document(Bytes);

impl Document {
    /// `openapi` rendered as JSON.
    pub fn new(openapi: &utoipa::openapi::OpenApi) -> Self {
        let json = openapi
            .to_pretty_json()
            .expect("the OpenAPI document is plain data and always serialises");
        Self(Bytes::from(json))
    }
}

/// This OpenAPI document.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this API",
            body = serde_json::Value, content_type = "application/json"),
        (status = 408, response = RequestTimeout),
    ),
)]
async fn openapi_json(Extension(Document(json)): Extension<Document>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], json)
}
