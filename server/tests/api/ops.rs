//! Operations: metrics, rate limits, JSON for every rejection.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::http::StatusCode;
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY};
use vitrine_server::http::ops::{KeyRateLimiter, RateBucket, RateLimit, MAX_ADDRESSES};

use crate::helpers::{assert_error, spawn_app, OTHER_SHOP_KEY, STOREFRONT};

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get(&format!("/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}"))
        .await;
    app.get("/v1/recommendations?key=pk_wrong").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = String::from_utf8(metrics.body).unwrap();
    for status in ["200", "401"] {
        let line = text
            .lines()
            .find(|line| {
                line.starts_with("vitrine_http_requests_total")
                    && line.contains("route=\"/v1/recommendations\"")
                    && line.contains(&format!("status=\"{status}\""))
            })
            .unwrap_or_else(|| panic!("no counter for status {status} in:\n{text}"));
        let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(count >= 1.0, "{line}");
    }
    assert!(text.contains("vitrine_http_request_duration_seconds"));
}

#[tokio::test]
async fn a_key_over_its_rate_gets_429_with_retry_after_and_other_keys_do_not() {
    let app = spawn_app().await.with_rate_limit(1, 3);
    let uri = format!("/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}");
    for _ in 0..3 {
        assert_eq!(app.get(&uri).await.status, StatusCode::OK);
    }
    let limited = app.get(&uri).await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After {retry_after}");
    let other = app
        .get(&format!("/v1/recommendations?key={OTHER_SHOP_KEY}"))
        .await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn a_zero_rate_turns_limits_off() {
    let app = spawn_app().await.with_rate_limit(0, 0);
    let uri = format!("/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}");
    for _ in 0..50 {
        assert_eq!(app.get(&uri).await.status, StatusCode::OK);
    }
}

/// How many of `answers` were refused for the rate.
fn limited(answers: &[StatusCode]) -> usize {
    answers
        .iter()
        .filter(|status| **status == StatusCode::TOO_MANY_REQUESTS)
        .count()
}

/// A bearer token nobody was given, different on every call.
fn made_up_bearer() -> String {
    format!("Bearer sk_live_{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn rate_limit_counts_the_key_that_authenticated_not_the_header_sent() {
    // A burst of 5 and one more per second: 30 requests in a row cannot all pass.
    let app = spawn_app().await.with_rate_limit(1, 5);
    let pk = DEMO_PUBLISHABLE_KEY;
    let endpoints = [
        (
            "GET",
            format!("/v1/recommendations?key={pk}"),
            String::new(),
        ),
        (
            "GET",
            format!("/v1/batch?key={pk}&r=%2Fv1%2Fconsent"),
            String::new(),
        ),
        (
            "POST",
            format!("/v1/events?key={pk}"),
            r#"{"visitor_id": "v-rate", "events": []}"#.to_string(),
        ),
    ];
    for (method, uri, body) in endpoints {
        let app = spawn_app().await.with_rate_limit(1, 5);
        let mut answers = Vec::new();
        for _ in 0..30 {
            let bearer = made_up_bearer();
            let headers = [
                ("authorization", bearer.as_str()),
                ("content-type", "application/json"),
                ("origin", STOREFRONT),
            ];
            let answer = app.send_body(method, &uri, &headers, body.clone()).await;
            answers.push(answer.status);
        }
        assert!(limited(&answers) >= 20, "{method} {uri}: {answers:?}");
    }
    // The same holds for a secret key that is valid: one bucket, whatever else is sent.
    let mut answers = Vec::new();
    for attempt in 0..30 {
        let uri = format!("/v1/reports/attribution?key=pk_made_up_{attempt}");
        let bearer = format!("Bearer {DEMO_SECRET_KEY}");
        answers.push(
            app.request("GET", &uri, &[("authorization", &bearer)])
                .await
                .status,
        );
    }
    assert!(limited(&answers) >= 20, "{answers:?}");
}

#[tokio::test]
async fn requests_without_a_valid_key_are_limited_by_client_address() {
    let app = spawn_app().await.with_rate_limit(1, 5);
    let from = |host: [u8; 4]| Some(SocketAddr::from((host, 40_000)));
    let mut answers = Vec::new();
    for _ in 0..30 {
        let uri = format!(
            "/v1/recommendations?key=pk_live_{}",
            uuid::Uuid::new_v4().simple()
        );
        let bearer = made_up_bearer();
        let headers = [("authorization", bearer.as_str())];
        let answer = app
            .send_from(from([10, 0, 0, 1]), "GET", &uri, &headers, Vec::new())
            .await;
        answers.push(answer.status);
    }
    assert!(limited(&answers) >= 20, "{answers:?}");
    assert!(answers[..5]
        .iter()
        .all(|status| *status == StatusCode::UNAUTHORIZED));
    // Another client is not held up by the first one's failures, nor is a valid key from the
    // first client's address.
    let other = app
        .send_from(
            from([10, 0, 0, 2]),
            "GET",
            "/v1/recommendations?key=pk_wrong",
            &[],
            Vec::new(),
        )
        .await;
    assert_error(&other, StatusCode::UNAUTHORIZED, "invalid_key");
    let valid = app
        .send_from(
            from([10, 0, 0, 1]),
            "GET",
            &format!("/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}"),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(valid.status, StatusCode::OK);
}

#[tokio::test]
async fn many_distinct_invalid_keys_do_not_grow_the_rate_limiter() {
    let app = spawn_app().await.with_rate_limit(1_000_000, 1_000_000);
    for attempt in 0..1_000 {
        let bearer = made_up_bearer();
        let publishable = format!("/v1/recommendations?key=pk_live_made_up_{attempt}");
        let answer = app.request("GET", &publishable, &[]).await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "invalid_key");
        let secret = app
            .request(
                "GET",
                "/v1/reports/attribution",
                &[("authorization", &bearer)],
            )
            .await;
        assert_error(&secret, StatusCode::UNAUTHORIZED, "invalid_key");
    }
    // One bucket: the in-process client's (no peer address).
    assert_eq!(app.state.rate_limiter.len(), 1);
}

#[test]
fn the_rate_limiter_forgets_addresses_whose_bucket_has_refilled() {
    // A bucket refills within a microsecond: pruning drops nearly all of them.
    let limiter = KeyRateLimiter::new(RateLimit {
        per_second: 1_000_000,
        burst: 1,
    });
    for host in 0..50_000u32 {
        let address = IpAddr::from(host.to_be_bytes());
        assert!(limiter.check(RateBucket::address(Some(address)), 1).is_ok());
    }
    assert!(limiter.len() < 10_000, "{} buckets", limiter.len());
}

#[test]
fn the_rate_limiter_tracks_at_most_a_bounded_number_of_addresses() {
    // Nothing refills during the test: no bucket can be pruned.
    let limiter = KeyRateLimiter::new(RateLimit {
        per_second: 1,
        burst: 1_000,
    });
    for host in 0..(MAX_ADDRESSES as u32 + 20_000) {
        let address = IpAddr::from(host.to_be_bytes());
        let _ = limiter.check(RateBucket::address(Some(address)), 1);
    }
    assert!(
        limiter.len() <= MAX_ADDRESSES + 1,
        "{} buckets",
        limiter.len()
    );
}

#[test]
fn the_hosts_of_one_ipv6_network_share_a_bucket() {
    let network: u128 = 0x2001_0db8_0000_0001 << 64;
    let bucket = |host: u128| RateBucket::address(Some(IpAddr::from(Ipv6Addr::from(host))));
    assert_eq!(bucket(network | 1), bucket(network | 0xffff_ffff));
    assert_ne!(bucket(network), bucket(network + (1 << 64)));
}
