//! `GET /v1/batch?key=pk_…[&customer_token=…][&visitor_id=…]&r=<sub>&r=<sub>…`: the browser
//! GETs of one page in one request. Each `r` is a browser GET endpoint relative to `/v1/` with
//! its own query (`recommendations?context=home&limit=4`); the shared parameters are added to
//! each. Every sub-request is sent through the API's own router, so its answer is byte for
//! byte what the endpoint says on its own, with its authentication, origin check and consent.
//! The answer carries a weak `ETag`, so the browser's HTTP cache revalidates a repeat view
//! with `If-None-Match` and gets a bodiless 304 when nothing changed. Contract and rate limit:
//! docs/batch.md.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde_json::value::RawValue;
use tower::ServiceExt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{BatchAnswer, BatchResponse};

use super::auth::{PublishableShop, SubRequest};
use super::error::{ApiError, Result};
use crate::AppState;

/// The path of this endpoint.
const PATH: &str = "/v1/batch";
/// Most sub-requests in one batch.
pub const MAX_SUBREQUESTS: usize = 20;
/// The browser GETs a batch may carry, by their path after `/v1/`.
pub const ENDPOINTS: [&str; 5] = [
    "recommendations",
    "availability",
    "loyalty",
    "cart-recovery",
    "consent",
];
/// Given once for the whole batch and added to every sub-request.
const SHARED: [&str; 3] = ["key", "customer_token", "visitor_id"];
/// Each view revalidates (no stale personal answers), and only the browser keeps a copy.
const BATCH_CACHE: &str = "private, no-cache";

/// Where sub-requests go: the whole API as built without this route (so a batch cannot
/// carry a batch), with every layer a single request passes but the rate limit, which
/// counted the sub-requests with their batch.
#[derive(Clone)]
pub struct Dispatcher(Router);

impl Dispatcher {
    /// Sends sub-requests through `api`.
    pub fn new(api: Router) -> Self {
        Self(api)
    }
}

/// Routes of this resource.
pub fn router(dispatcher: Dispatcher) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(batch))
        .layer(Extension(dispatcher))
}

/// How many requests of its key's rate `request` counts as: a batch as many as it has
/// sub-requests (at least 1, at most [`MAX_SUBREQUESTS`]), anything else 1.
pub fn rate_weight(request: &Request) -> u32 {
    if request.uri().path() != PATH {
        return 1;
    }
    let count = form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .filter(|(name, _)| name == "r")
        .count();
    count.clamp(1, MAX_SUBREQUESTS) as u32
}

/// The answers of up to 20 browser GETs (`recommendations`, `availability`, `loyalty`,
/// `cart-recovery`, `consent`) in one request, in request order, each exactly as the endpoint
/// answers it alone: its status and its JSON body (an error body too).
#[utoipa::path(
    get,
    path = "/v1/batch",
    tag = "browser",
    params(
        ("r" = Vec<String>, Query,
            description = "1 to 20 sub-requests, each a browser GET endpoint relative to \
                `/v1/` with its own query, URL-encoded: `recommendations?context=home&limit=4`, \
                `availability?sku=X&postcode=80331&country=DE`, `loyalty?lines=5`, \
                `cart-recovery`, `consent`. Anything else is answered (in its place) 404 \
                `unknown_endpoint`; a sub-request naming `key`, `customer_token` or \
                `visitor_id` itself 400 `invalid_query`",
            min_items = 1, max_items = 20, style = Form, explode),
        ("visitor_id" = Option<String>, Query,
            description = "The browser's anonymous id, added to every sub-request",
            pattern = "^[A-Za-z0-9_-]{16,64}$"),
        ("customer_token" = Option<String>, Query,
            description = "A shop-signed customer token, added to every sub-request"),
        ("If-None-Match" = Option<String>, Header,
            description = "The `ETag` of an earlier answer: 304 when the answer is the same"),
    ),
    responses(
        (status = 200, description = "One answer per `r`, in request order",
            body = vitrine_types::BatchResponse, headers(
                ("ETag" = String, description = "Weak validator of the answers (the same for every coding)"),
                ("Cache-Control" = String, description = "`private, no-cache`"),
            )),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`"),
        super::openapi::BrowserReadErrors,
    ),
    security(("publishable_key" = [])),
)]
async fn batch(
    Extension(dispatcher): Extension<Dispatcher>,
    PublishableShop(shop): PublishableShop,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response> {
    let batch = Batch::parse(uri.query().unwrap_or_default())?;
    let marker = SubRequest(shop);
    let answers = futures_util::future::join_all(
        batch
            .subrequests
            .iter()
            .map(|sub| dispatcher.answer(sub, &batch.shared, &marker)),
    )
    .await;
    let body = serde_json::to_vec(&BatchResponse { answers })
        .map_err(|err| ApiError::Internal(err.into()))?;
    let etag = etag_of(&body);
    // `Vary: origin` comes from the CORS layer, as on every browser endpoint.
    let common = [(CACHE_CONTROL, BATCH_CACHE)];
    if super::assets::etag_matches(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, common, [(ETAG, etag)]).into_response());
    }
    Ok((
        common,
        [(ETAG, etag), (CONTENT_TYPE, "application/json".into())],
        body,
    )
        .into_response())
}

/// A batch's query: the shared parameters and the sub-requests.
struct Batch {
    shared: Vec<(&'static str, String)>,
    subrequests: Vec<String>,
}

impl Batch {
    fn parse(query: &str) -> Result<Self> {
        let mut shared: Vec<(&'static str, String)> = Vec::new();
        let mut subrequests = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if name == "r" {
                subrequests.push(value.into_owned());
                continue;
            }
            let Some(known) = SHARED.into_iter().find(|shared| *shared == name) else {
                return Err(ApiError::InvalidQuery(format!(
                    "unknown parameter `{name}`: a batch takes `r`, `key`, `customer_token` \
                     and `visitor_id`"
                )));
            };
            if shared.iter().any(|(given, _)| *given == known) {
                return Err(ApiError::InvalidQuery(format!(
                    "`{known}` is given more than once"
                )));
            }
            shared.push((known, value.into_owned()));
        }
        if !(1..=MAX_SUBREQUESTS).contains(&subrequests.len()) {
            return Err(ApiError::InvalidQuery(format!(
                "a batch carries 1 to {MAX_SUBREQUESTS} sub-requests `r`, not {}",
                subrequests.len()
            )));
        }
        Ok(Self {
            shared,
            subrequests,
        })
    }
}

impl Dispatcher {
    /// The answer of one sub-request, or the error that kept it from being sent.
    async fn answer(
        &self,
        sub: &str,
        shared: &[(&'static str, String)],
        marker: &SubRequest,
    ) -> BatchAnswer {
        match self.send(sub, shared, marker).await {
            Ok(answer) => answer,
            Err(err) => {
                let (status, body) = err.into_status_and_body();
                BatchAnswer {
                    status: status.as_u16(),
                    body: serde_json::value::to_raw_value(&body).expect("wire types serialise"),
                }
            }
        }
    }

    async fn send(
        &self,
        sub: &str,
        shared: &[(&'static str, String)],
        marker: &SubRequest,
    ) -> Result<BatchAnswer> {
        let request = subrequest(sub, shared, marker)?;
        let response = match self.0.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(anyhow::Error::from)
            .and_then(|bytes| Ok(String::from_utf8(bytes.to_vec())?))
            .and_then(|text| Ok(RawValue::from_string(text)?))
            .map_err(|err| ApiError::Internal(err.context("a sub-request's answer is not JSON")))?;
        Ok(BatchAnswer { status, body })
    }
}

/// The request `sub` stands for: `GET /v1/<path>?<its query>&<shared parameters>`, marked as a
/// sub-request and carrying the shop the batch was checked as (key and `Origin`), so neither is
/// looked up again; without an `Origin` of its own, the CORS layer leaves it alone too.
fn subrequest(
    sub: &str,
    shared: &[(&'static str, String)],
    marker: &SubRequest,
) -> Result<Request> {
    let (path, query) = sub.split_once('?').unwrap_or((sub, ""));
    if !ENDPOINTS.contains(&path) {
        return Err(ApiError::UnknownEndpoint(format!(
            "`{sub}` is not an endpoint a batch carries: one of {} with its query",
            ENDPOINTS.join(", ")
        )));
    }
    // Re-encoded, so a sloppily encoded sub-query still makes a valid URI; the endpoint
    // decodes it to the same values.
    let mut uri_query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if SHARED.contains(&name.as_ref()) {
            return Err(ApiError::InvalidQuery(format!(
                "`{name}` is given once for the whole batch, on {PATH}, not in `{path}`"
            )));
        }
        uri_query.append_pair(&name, &value);
    }
    uri_query.extend_pairs(shared.iter().map(|(name, value)| (*name, value)));
    let mut request = Request::get(format!("/v1/{path}?{}", uri_query.finish()))
        .body(Body::empty())
        .map_err(|err| ApiError::Internal(err.into()))?;
    request.extensions_mut().insert(marker.clone());
    Ok(request)
}

/// A weak validator: the first 128 bits of the SHA-256 of the JSON, before the compression
/// layer encodes it per request. Weak, because the bytes sent differ by coding while the
/// answer is the same; `If-None-Match` compares weakly, so revalidation is unaffected.
fn etag_of(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("W/\"{}\"", hex::encode(&Sha256::digest(body)[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_parameters_are_given_once_and_nothing_else_is_taken() {
        let batch = Batch::parse("key=pk_1&r=consent&visitor_id=v&r=loyalty%3Flines%3D2").unwrap();
        assert_eq!(batch.subrequests, ["consent", "loyalty?lines=2"]);
        assert_eq!(
            batch.shared,
            [("key", "pk_1".to_string()), ("visitor_id", "v".to_string())]
        );
        assert!(Batch::parse("key=a&key=b&r=consent").is_err());
        assert!(Batch::parse("key=a&r=consent&limit=4").is_err());
        assert!(Batch::parse("key=a").is_err());
        let many = vec!["r=consent"; MAX_SUBREQUESTS + 1].join("&");
        assert!(Batch::parse(&many).is_err());
    }

    #[test]
    fn a_batch_weighs_as_many_requests_as_it_carries() {
        let weight = |uri: &str| rate_weight(&Request::get(uri).body(Body::empty()).unwrap());
        assert_eq!(weight("/v1/batch?key=k&r=a&r=b&r=c"), 3);
        assert_eq!(weight("/v1/batch?key=k"), 1);
        assert_eq!(
            weight(&format!("/v1/batch?{}", vec!["r=a"; 50].join("&"))),
            20
        );
        assert_eq!(weight("/v1/recommendations?key=k&r=a&r=b"), 1);
    }
}
