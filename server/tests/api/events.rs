//! Event ingestion: idempotent, per-line errors, consent, tenancy.

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::shops;

use crate::helpers::{assert_error, spawn_app, TestApp, OTHER_SHOP_KEY};

pub const VISITOR: &str = "v_0123456789abcdef";
const BULK: &str = "/v1/events/bulk";

pub fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// NDJSON of till purchases for customer K-1, one per order.
fn till_export(orders: usize) -> String {
    (0..orders)
        .map(|i| {
            json!({"id": format!("till-{i}"), "type": "purchase", "customer_id": "K-1",
                   "order_id": format!("R-{i}"), "channel": "store", "store_id": "ulm-muensterplatz",
                   "currency": "EUR", "occurred_at": 1_700_000_000 + i as i64,
                   "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": 24900}]})
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn bulk(app: &TestApp, key: &str, body: impl Into<Vec<u8>>) -> crate::helpers::Answer {
    let auth = bearer(key);
    app.post(
        BULK,
        &[
            ("authorization", &auth),
            ("content-type", "application/x-ndjson"),
        ],
        body,
    )
    .await
}

pub async fn browser(app: &TestApp, body: Value) -> crate::helpers::Answer {
    app.post(
        &format!("/v1/events?key={DEMO_PUBLISHABLE_KEY}"),
        &[("content-type", "text/plain;charset=UTF-8")],
        body.to_string(),
    )
    .await
}

pub async fn grant_consent(app: &TestApp, visitor: &str) {
    let answer = app
        .post(
            &format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": visitor, "tracking": true, "personalisation": true, "source": "cookie_banner"})
                .to_string(),
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
}

#[tokio::test]
async fn the_same_ndjson_batch_posted_twice_is_stored_once() {
    let app = spawn_app().await;
    let before = app.count("events", DEMO_SHOP_ID).await;
    let first = bulk(&app, DEMO_SECRET_KEY, till_export(25)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json()["stored"], 25);
    let again = bulk(&app, DEMO_SECRET_KEY, till_export(25)).await;
    assert_eq!(again.json()["stored"], 0);
    assert_eq!(again.json()["duplicates"], 25);
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, before + 25);
}

#[tokio::test]
async fn an_order_sent_again_under_a_new_event_id_adds_no_purchase_lines() {
    let app = spawn_app().await;
    let lines_before = app.count("purchase_lines", DEMO_SHOP_ID).await;
    bulk(&app, DEMO_SECRET_KEY, till_export(1)).await;
    let resent = till_export(1).replace("till-0", "web-copy-of-0");
    let answer = bulk(&app, DEMO_SECRET_KEY, resent).await;
    assert_eq!(
        answer.json()["stored"],
        1,
        "a different event id is a different event"
    );
    assert_eq!(
        app.count("purchase_lines", DEMO_SHOP_ID).await,
        lines_before + 1
    );
}

#[tokio::test]
async fn bad_lines_are_reported_by_number_and_good_lines_are_kept() {
    let app = spawn_app().await;
    let good = json!({"id": "ok-1", "type": "view", "customer_id": "K-9", "sku": "AH-1001"});
    let body = [
        good.to_string(),
        "{not json".to_string(),
        json!({"id": "no-owner", "type": "view", "sku": "AH-1001"}).to_string(),
        String::new(),
        json!({"id": "bad qty", "type": "add_to_cart", "customer_id": "K-9", "sku": "A", "quantity": 0}).to_string(),
        json!({"id": "ok-2", "type": "add_to_cart", "customer_id": "K-9", "sku": "AH-1002", "quantity": 2}).to_string(),
        json!({"id": "no-store", "type": "purchase", "card": "C-1", "order_id": "X", "channel": "store",
               "currency": "EUR", "lines": [{"sku": "A", "quantity": 1, "unit_price_minor": 5}]}).to_string(),
    ]
    .join("\n");
    let answer = bulk(&app, DEMO_SECRET_KEY, body).await;
    assert_eq!(answer.status, StatusCode::OK);
    let result = answer.json();
    assert_eq!(result["stored"], 2);
    let lines: Vec<(u64, String)> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (2, "invalid_json".into()),
            (3, "invalid_event".into()),
            (5, "invalid_event".into()),
            (7, "invalid_event".into())
        ]
    );
}

#[tokio::test]
async fn a_bulk_request_over_the_limit_is_refused_whole() {
    let app = spawn_app().await;
    let before = app.count("events", DEMO_SHOP_ID).await;
    let body = (0..10_001)
        .map(|i| {
            json!({"id": format!("e{i}"), "type": "view", "customer_id": "K-1", "sku": "A"})
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_error(
        &bulk(&app, DEMO_SECRET_KEY, body).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "batch_too_large",
    );
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, before);
}

#[tokio::test]
async fn bulk_ingestion_needs_the_shops_secret_key() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    let body = till_export(1);
    assert_error(
        &app.post(BULK, &[], body.clone()).await,
        StatusCode::UNAUTHORIZED,
        "missing_key",
    );
    assert_error(
        &bulk(&app, DEMO_PUBLISHABLE_KEY, body.clone()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_key",
    );
    assert_error(
        &bulk(&app, "sk_live_guessed", body.clone()).await,
        StatusCode::UNAUTHORIZED,
        "invalid_key",
    );
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events);
}

#[tokio::test]
async fn two_shops_may_use_the_same_event_ids_without_touching_each_other() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    let other = shops::create(
        &app.db,
        &app.master_key,
        Some("zweit"),
        "Zweit",
        &[],
        "opt_in",
        1,
    )
    .await
    .unwrap();
    assert_eq!(
        bulk(&app, DEMO_SECRET_KEY, till_export(3)).await.json()["stored"],
        3
    );
    assert_eq!(
        bulk(&app, &other.secret_key, till_export(3)).await.json()["stored"],
        3
    );
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events + 3);
    assert_eq!(app.count("events", "zweit").await, 3);
    assert_eq!(app.count("profile_ids", "zweit").await, 1);
    let _ = OTHER_SHOP_KEY;
}

#[tokio::test]
async fn without_tracking_consent_browser_events_leave_no_trace() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    let base_profiles = app.count("profiles", DEMO_SHOP_ID).await;
    let events =
        json!({"visitor_id": VISITOR, "events": [{"id": "b1", "type": "view", "sku": "AH-1001"}]});
    let answer = browser(&app, events.clone()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["dropped_without_consent"], 1);
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events);
    assert_eq!(app.count("profiles", DEMO_SHOP_ID).await, base_profiles);

    grant_consent(&app, VISITOR).await;
    let answer = browser(&app, events.clone()).await;
    assert_eq!(answer.json()["stored"], 1);
    assert_eq!(browser(&app, events).await.json()["duplicates"], 1);
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events + 1);
}

#[tokio::test]
async fn browser_events_cannot_name_a_customer_or_card() {
    let app = spawn_app().await;
    let base_profile_ids = app.count("profile_ids", DEMO_SHOP_ID).await;
    grant_consent(&app, VISITOR).await;
    let answer = browser(
        &app,
        json!({"visitor_id": VISITOR, "events": [
            {"id": "b1", "type": "view", "sku": "AH-1001", "customer_id": "K-1"},
            {"id": "b2", "type": "wishlist", "sku": "AH-1002", "card": "C-1"},
            {"id": "b3", "type": "view", "sku": "AH-1003"}]}),
    )
    .await;
    let result = answer.json();
    assert_eq!(result["stored"], 1);
    assert_eq!(result["errors"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.count("profile_ids", DEMO_SHOP_ID).await,
        base_profile_ids + 1,
        "only the visitor id"
    );
}

#[tokio::test]
async fn malformed_bodies_and_queries_get_a_json_4xx_and_change_nothing() {
    let app = spawn_app().await;
    grant_consent(&app, VISITOR).await;
    let events_before = app.count("events", DEMO_SHOP_ID).await;
    let profiles_before = app.count("profiles", DEMO_SHOP_ID).await;
    let pk = DEMO_PUBLISHABLE_KEY;
    let view = json!({"id": "e1", "type": "view", "sku": "AH-1001"});
    let cases: Vec<(String, &str, String, StatusCode, &str)> = vec![
        (format!("/v1/events?key={pk}"), "application/json", "".into(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", "{".into(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", "[]".into(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"events": [view]}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": 7, "events": [view]}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "events": [view], "extra": 1}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": "short", "events": [view]}).to_string(), StatusCode::BAD_REQUEST, "invalid_body"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": "v_0123456789abcdef!!", "events": [view]}).to_string(), StatusCode::BAD_REQUEST, "invalid_body"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "events": []}).to_string(), StatusCode::BAD_REQUEST, "invalid_body"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "events": vec![view.clone(); 51]}).to_string(), StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "events": [{"id": "x", "type": "teleport"}]}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "events": [{"id": "x", "type": "view"}]}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "events": [{"id": "x", "type": "add_to_cart", "sku": "A", "quantity": "2"}]}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/events?key={pk}"), "application/xml", "<events/>".into(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
        (format!("/v1/events?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "customer_token": "K-1.1.00", "events": [view]}).to_string(), StatusCode::UNAUTHORIZED, "invalid_customer_token"),
        ("/v1/events".into(), "application/json", json!({"visitor_id": VISITOR, "events": [view]}).to_string(), StatusCode::UNAUTHORIZED, "missing_key"),
        ("/v1/events?key=pk_nope".into(), "application/json", json!({"visitor_id": VISITOR, "events": [view]}).to_string(), StatusCode::UNAUTHORIZED, "invalid_key"),
        (format!("/v1/events?key={pk}"), "application/json", "x".repeat(70_000), StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large"),
        (format!("/v1/identify?key={pk}"), "application/json", json!({"visitor_id": VISITOR}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/identify?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "customer_token": "nonsense"}).to_string(), StatusCode::UNAUTHORIZED, "invalid_customer_token"),
        (format!("/v1/consent?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "tracking": "yes", "personalisation": true, "source": "x"}).to_string(), StatusCode::BAD_REQUEST, "invalid_json"),
        (format!("/v1/consent?key={pk}"), "application/json", json!({"visitor_id": VISITOR, "tracking": true, "personalisation": true, "source": ""}).to_string(), StatusCode::BAD_REQUEST, "invalid_body"),
        (BULK.into(), "application/x-ndjson", "\u{0}\u{ff}".into(), StatusCode::UNAUTHORIZED, "missing_key"),
    ];
    assert!(cases.len() >= 20);
    for (uri, content_type, body, status, code) in cases {
        let answer = app
            .post(&uri, &[("content-type", content_type)], body.clone())
            .await;
        assert_eq!(
            answer.status,
            status,
            "{uri} {body:.80}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        if !code.is_empty() {
            assert_error(&answer, status, code);
        }
    }
    let bad_queries = [
        format!("/v1/consent?key={pk}"),
        format!("/v1/consent?key={pk}&visitor_id=abc"),
        format!("/v1/consent?key={pk}&visitor_id={VISITOR}&visitor_id={VISITOR}"),
    ];
    for uri in bad_queries {
        assert_error(
            &app.get(&uri).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        );
    }
    let invalid_utf8 = bulk(&app, DEMO_SECRET_KEY, vec![0xff, 0xfe]).await;
    assert_error(&invalid_utf8, StatusCode::BAD_REQUEST, "invalid_body");
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, events_before);
    assert_eq!(app.count("profiles", DEMO_SHOP_ID).await, profiles_before);
}

#[tokio::test]
async fn a_full_bulk_request_of_many_customers_stores_every_event_and_order_once() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    let base_lines = app.count("purchase_lines", DEMO_SHOP_ID).await;
    let base_profiles = app.count("profiles", DEMO_SHOP_ID).await;
    // More rows than one multi-row statement takes, 300 customers, every 7th a purchase of
    // two lines, and the same order sent again under a new id at the end.
    let mut lines: Vec<String> = (0..1_203)
        .map(|i| {
            let customer = format!("BULK-{}", i % 300);
            if i % 7 == 0 {
                json!({"id": format!("b-{i}"), "type": "purchase", "customer_id": customer,
                       "order_id": format!("O-{i}"), "channel": "store", "store_id": "ulm-muensterplatz",
                       "currency": "EUR", "occurred_at": 1_700_000_000 + i,
                       "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": 100},
                                 {"sku": "AH-1002", "quantity": 2, "unit_price_minor": 200}]})
            } else {
                json!({"id": format!("b-{i}"), "type": "view", "customer_id": customer,
                       "sku": "AH-1003", "occurred_at": 1_700_000_000 + i})
            }
            .to_string()
        })
        .collect();
    lines.push(
        json!({"id": "b-again", "type": "purchase", "customer_id": "BULK-0", "order_id": "O-0",
               "channel": "web", "currency": "EUR",
               "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": 100}]})
        .to_string(),
    );
    let answer = bulk(&app, DEMO_SECRET_KEY, lines.join("\n")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["stored"], 1_204);
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events + 1_204);
    let orders = (0..1_203).filter(|i| i % 7 == 0).count() as i64;
    assert_eq!(
        app.count("purchase_lines", DEMO_SHOP_ID).await,
        base_lines + 2 * orders
    );
    assert_eq!(
        app.count("profiles", DEMO_SHOP_ID).await,
        base_profiles + 300
    );
    let again = bulk(&app, DEMO_SECRET_KEY, lines.join("\n")).await;
    assert_eq!(again.json()["stored"], 0);
    assert_eq!(again.json()["duplicates"], 1_204);
    assert_eq!(
        app.count("profiles", DEMO_SHOP_ID).await,
        base_profiles + 300
    );
}

#[tokio::test]
async fn impressions_and_clicks_sent_with_send_beacon_are_stored_with_their_context_and_tiles() {
    let app = spawn_app().await;
    grant_consent(&app, VISITOR).await;
    // What `navigator.sendBeacon(url, string)` sends: a text/plain POST from the shop's page.
    let body = json!({"visitor_id": VISITOR, "events": [
        {"id": "imp-1", "type": "impression", "skus": ["AH-1001", "AH-1002", "AH-1003"],
         "recommendation_id": "product.0123456789abcdef0123456789abcdef"},
        {"id": "clk-1", "type": "click", "sku": "AH-1002",
         "recommendation_id": "product.0123456789abcdef0123456789abcdef"}]});
    let answer = app
        .post(
            &format!("/v1/events?key={DEMO_PUBLISHABLE_KEY}"),
            &[
                ("content-type", "text/plain;charset=UTF-8"),
                ("origin", crate::helpers::STOREFRONT),
            ],
            body.to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(answer.json()["stored"], 2);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(crate::helpers::STOREFRONT)
    );
    let rows: Vec<(String, String, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT type, recommendation_id, sku, quantity FROM events
         WHERE shop_id = $1 AND recommendation_id IS NOT NULL ORDER BY event_id",
    )
    .bind(DEMO_SHOP_ID)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let id = "product.0123456789abcdef0123456789abcdef".to_string();
    assert_eq!(
        rows,
        [
            ("click".into(), id.clone(), Some("AH-1002".into()), None),
            ("impression".into(), id, None, Some(3)),
        ]
    );
}
