//! Operations: metrics, rate limits, JSON for every rejection.

use axum::http::StatusCode;
use vitrine_server::demo::DEMO_PUBLISHABLE_KEY;

use crate::helpers::{assert_error, spawn_app, OTHER_SHOP_KEY};

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
