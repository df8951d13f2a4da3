//! Operations: Prometheus `/metrics`, rate limits per valid key or client address (429 with
//! `Retry-After`), a time limit per request, and JSON bodies for the rejections tower layers
//! produce themselves.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::AuthenticatedKey;
use super::error::ApiError;
use crate::telemetry::prometheus;
use crate::AppState;

/// Requests allowed per key: a steady rate and a burst.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests per second, per key; 0 turns rate limiting off.
    pub per_second: u32,
    /// Requests a key may send at once before the rate applies.
    pub burst: u32,
}

/// What a request is counted against. A key counts only once it was found valid, so buckets of
/// keys are bounded by the number of shops (and kept by shop, so a rotated key keeps its
/// count); a request without a valid key counts against its client's address, whatever key or
/// `Authorization` header it made up.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RateBucket {
    /// The publishable key of this shop, found valid.
    Publishable(String),
    /// The secret key of this shop, found valid.
    Secret(String),
    /// The client's address (an IPv6 client by its /64 network, which one host usually
    /// has whole); `None` for a request without a peer address (in-process calls), all of
    /// which share one bucket.
    Address(Option<IpAddr>),
    /// Every address once the limiter tracks [`MAX_ADDRESSES`]: a flood from more addresses
    /// than that shares one bucket rather than growing memory.
    Overflow,
}

impl RateBucket {
    /// The bucket of a request without a valid key from `address`.
    pub fn address(address: Option<IpAddr>) -> Self {
        Self::Address(address.map(|address| match address.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !u128::from(u64::MAX);
                IpAddr::V6(Ipv6Addr::from(network))
            }
            v4 => v4,
        }))
    }
}

/// Most client addresses tracked at once; beyond that they share [`RateBucket::Overflow`].
pub const MAX_ADDRESSES: usize = 100_000;
/// Buckets that have refilled are dropped every this many checks of an address.
const PRUNE_EVERY: u64 = 4_096;

/// One token bucket per [`RateBucket`], and the burst, the most one request can take at once.
/// Buckets that are full again are pruned as addresses come and go, so memory follows the
/// clients active in the last few seconds, never the count of keys tried.
pub struct KeyRateLimiter {
    limiter: Option<(DefaultKeyedRateLimiter<RateBucket>, NonZeroU32)>,
    address_checks: AtomicU64,
}

impl KeyRateLimiter {
    /// A limiter for `limit`; `per_second == 0` allows everything.
    pub fn new(limit: RateLimit) -> Self {
        let limiter = NonZeroU32::new(limit.per_second).map(|rate| {
            let burst = NonZeroU32::new(limit.burst).unwrap_or(rate);
            (
                RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
                burst,
            )
        });
        Self {
            limiter,
            address_checks: AtomicU64::new(0),
        }
    }

    /// How many buckets the limiter holds now.
    pub fn len(&self) -> usize {
        self.limiter
            .as_ref()
            .map_or(0, |(limiter, _)| limiter.len())
    }

    /// Whether the limiter holds no bucket.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `Err(wait)` when `bucket` must wait before a request that counts as `weight` requests
    /// (a batch; never more than the burst, so it can always pass once the bucket is full).
    pub fn check(&self, bucket: RateBucket, weight: u32) -> Result<(), Duration> {
        let Some((limiter, burst)) = &self.limiter else {
            return Ok(());
        };
        let bucket = match bucket {
            RateBucket::Address(_) => {
                let checks = self.address_checks.fetch_add(1, Ordering::Relaxed);
                if checks % PRUNE_EVERY == PRUNE_EVERY - 1 {
                    limiter.retain_recent();
                    limiter.shrink_to_fit();
                }
                if limiter.len() >= MAX_ADDRESSES {
                    RateBucket::Overflow
                } else {
                    bucket
                }
            }
            key => key,
        };
        let weight = NonZeroU32::new(weight)
            .unwrap_or(NonZeroU32::MIN)
            .min(*burst);
        match limiter.check_key_n(&bucket, weight) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
            // Cannot happen: the weight is at most the burst.
            Err(_) => Ok(()),
        }
    }
}

/// Refuses a request over its bucket's rate with 429 and `Retry-After` (whole seconds, at
/// least 1). The bucket is the key [`super::auth::check_key`], outside this layer, found
/// valid, else the client's address. A batch counts as its sub-requests, all at once; they
/// are not counted again on their way.
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request
        .extensions()
        .get::<super::auth::SubRequest>()
        .is_some()
    {
        return next.run(request).await;
    }
    let bucket = match request.extensions().get::<AuthenticatedKey>() {
        Some(AuthenticatedKey::Publishable(shop)) => RateBucket::Publishable(shop.clone()),
        Some(AuthenticatedKey::Secret(shop)) => RateBucket::Secret(shop.clone()),
        None => RateBucket::address(
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| peer.ip()),
        ),
    };
    let weight = super::batch::rate_weight(&request);
    if let Err(wait) = state.rate_limiter.check(bucket, weight) {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut response = ApiError::RateLimited(seconds).into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
        return response;
    }
    next.run(request).await
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
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metrics))
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
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::body_too_large(),
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
