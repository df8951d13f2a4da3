//! Operations: Prometheus `/metrics`, per-key rate limits (429 with `Retry-After`), a time
//! limit per request, and JSON bodies for the rejections tower layers produce themselves.

use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::error::ApiError;
use crate::shops::key_digest;
use crate::AppState;

/// Requests allowed per key: a steady rate and a burst.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests per second, per key; 0 turns rate limiting off.
    pub per_second: u32,
    /// Requests a key may send at once before the rate applies.
    pub burst: u32,
}

/// One token bucket per key (by the key's digest: raw keys are not kept in memory), and the
/// burst, the most one request can take at once.
pub struct KeyRateLimiter(Option<(DefaultKeyedRateLimiter<String>, NonZeroU32)>);

impl KeyRateLimiter {
    /// A limiter for `limit`; `per_second == 0` allows everything.
    pub fn new(limit: RateLimit) -> Self {
        Self(NonZeroU32::new(limit.per_second).map(|rate| {
            let burst = NonZeroU32::new(limit.burst).unwrap_or(rate);
            (
                RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
                burst,
            )
        }))
    }

    /// `Err(wait)` when the key must wait before a request that counts as `weight` requests
    /// (a batch; never more than the burst, so it can always pass once the bucket is full).
    fn check(&self, key: &str, weight: u32) -> Result<(), Duration> {
        let Some((limiter, burst)) = &self.0 else {
            return Ok(());
        };
        let weight = NonZeroU32::new(weight)
            .unwrap_or(NonZeroU32::MIN)
            .min(*burst);
        match limiter.check_key_n(&key_digest(key), weight) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
            // Cannot happen: the weight is at most the burst.
            Err(_) => Ok(()),
        }
    }
}

/// The key a request authenticates with: `key=` in the query or a bearer token.
fn request_key(request: &Request) -> Option<String> {
    if let Some(bearer) = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_string());
    }
    let query = request.uri().query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "key")
        .map(|(_, value)| value.into_owned())
}

/// Refuses a key over its rate with 429 and `Retry-After` (whole seconds, at least 1). A batch
/// counts as its sub-requests, all at once; they are not counted again on their way.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request
        .extensions()
        .get::<super::batch::SubRequest>()
        .is_some()
    {
        return next.run(request).await;
    }
    if let Some(key) = request_key(&request) {
        let weight = super::batch::rate_weight(&request);
        if let Err(wait) = state.rate_limiter.check(&key, weight) {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut response = ApiError::RateLimited(seconds).into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
            return response;
        }
    }
    next.run(request).await
}

/// The process-wide Prometheus recorder, installed on first use.
fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Only fails when another recorder was installed first; then ours just stays unused.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts requests and their latency by route template, method and status.
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let _ = prometheus();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("route", route),
        ("method", method),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("vitrine_http_requests_total", &labels).increment(1);
    metrics::histogram!("vitrine_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` in the Prometheus text format.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Requests and their latency by route, method and status, in the Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4",
            body = String, content_type = "text/plain"),
        (status = 408, response = super::openapi::RequestTimeout),
    ),
)]
async fn metrics() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        prometheus().render(),
    )
}

/// Gives rejections made by tower layers (body too large, time limit) our JSON error body.
pub async fn json_rejections(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::BatchTooLarge("the request body is larger than this endpoint accepts".into())
        }
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => ApiError::Timeout,
        _ => return response,
    };
    let mut json = error.into_response();
    *json.status_mut() = status;
    json
}

/// A time limit for every request (the answer is 408 with a JSON error).
pub fn timeout(limit: Duration) -> tower_http::timeout::TimeoutLayer {
    tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limit)
}
