//! GDPR: export everything about a customer, erase it everywhere, keep it erased.

use axum::http::StatusCode;
use serde_json::json;
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::{identity, unix_now};

use crate::events::{bearer, browser, bulk, grant_consent, VISITOR};
use crate::helpers::{assert_error, spawn_app, TestApp, OTHER_SHOP_KEY};

async fn export(app: &TestApp, key: &str, customer: &str) -> crate::helpers::Answer {
    let auth = bearer(key);
    app.request(
        "GET",
        &format!("/v1/customers/{customer}/export"),
        &[("authorization", &auth)],
    )
    .await
}

async fn erase(app: &TestApp, key: &str, customer: &str) -> crate::helpers::Answer {
    let auth = bearer(key);
    app.request(
        "DELETE",
        &format!("/v1/customers/{customer}"),
        &[("authorization", &auth)],
    )
    .await
}

/// Anna: browsing (visitor), a login (customer K-77), a till receipt with her card.
async fn anna(app: &TestApp) {
    grant_consent(app, VISITOR).await;
    let token = identity::sign(DEMO_SECRET_KEY, "K-77", unix_now() + 600);
    let answer = browser(
        app,
        json!({"visitor_id": VISITOR, "customer_token": token,
        "events": [{"id": "a1", "type": "view", "sku": "AH-1001"},
                   {"id": "a2", "type": "add_to_cart", "sku": "AH-1001", "quantity": 1}]}),
    )
    .await;
    assert_eq!(answer.json()["stored"], 2);
    let till = json!({"id": "a3", "type": "purchase", "customer_id": "K-77", "card": "C-77",
        "order_id": "R-77", "channel": "store", "store_id": "ulm-muensterplatz", "currency": "EUR",
        "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": 24900}]});
    assert_eq!(
        bulk(app, DEMO_SECRET_KEY, till.to_string()).await.json()["stored"],
        1
    );
}

#[tokio::test]
async fn export_holds_every_linked_id_event_purchase_and_the_consent() {
    let app = spawn_app().await;
    anna(&app).await;
    let answer = export(&app, DEMO_SECRET_KEY, "K-77").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    let ids: Vec<(String, String)> = body["linked_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            (
                id["kind"].as_str().unwrap().into(),
                id["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("card".into(), "C-77".into()),
            ("customer".into(), "K-77".into()),
            ("visitor".into(), VISITOR.into())
        ]
    );
    let events: Vec<&str> = body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(events.len(), 3);
    assert!(events.contains(&"a3"));
    assert_eq!(body["purchases"][0]["order_id"], "R-77");
    assert_eq!(body["purchases"][0]["store_id"], "ulm-muensterplatz");
    assert_eq!(body["consent"]["tracking"], true);
}

#[tokio::test]
async fn export_then_erase_then_export_returns_nothing_identifying() {
    let app = spawn_app().await;
    anna(&app).await;
    let others_before = app.count("events", DEMO_SHOP_ID).await - 3;
    let erased = erase(&app, DEMO_SECRET_KEY, "K-77").await;
    assert_eq!(erased.status, StatusCode::OK);
    assert_eq!(
        erased.json(),
        json!({"profiles": 1, "ids": 3, "events": 3, "purchase_lines": 1, "loyalty_lines": 1})
    );
    assert_error(
        &export(&app, DEMO_SECRET_KEY, "K-77").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        app.count("events", DEMO_SHOP_ID).await,
        others_before,
        "other customers keep theirs"
    );
    // No table holds any of her ids or her order any more.
    for (table, column, value) in [
        ("profile_ids", "external_id", VISITOR),
        ("profile_ids", "external_id", "K-77"),
        ("profile_ids", "external_id", "C-77"),
        ("purchase_lines", "order_id", "R-77"),
        ("events", "event_id", "a1"),
        ("tombstones", "id_digest", "K-77"),
    ] {
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"))
                .bind(value)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(n, 0, "{table}.{column} = {value}");
    }
    assert_eq!(app.count("tombstones", DEMO_SHOP_ID).await, 3);
}

#[tokio::test]
async fn an_erased_customer_is_not_brought_back_by_a_reimport_or_a_login() {
    let app = spawn_app().await;
    anna(&app).await;
    erase(&app, DEMO_SECRET_KEY, "K-77").await;
    let reimport = [
        json!({"id": "r1", "type": "view", "customer_id": "K-77", "sku": "A"}),
        json!({"id": "r2", "type": "view", "card": "C-77", "sku": "A"}),
        json!({"id": "r3", "type": "view", "customer_id": "K-78", "sku": "A"}),
    ]
    .map(|line| line.to_string())
    .join("\n");
    let answer = bulk(&app, DEMO_SECRET_KEY, reimport).await.json();
    assert_eq!(answer["stored"], 1, "only the other customer: {answer}");
    let codes: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["erased", "erased"]);
    let token = identity::sign(DEMO_SECRET_KEY, "K-77", unix_now() + 600);
    let login = app
        .post(
            &format!("/v1/identify?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": "v_a_fresh_browser_01", "customer_token": token}).to_string(),
        )
        .await;
    assert_error(&login, StatusCode::GONE, "erased");
    let old_browser = browser(
        &app,
        json!({"visitor_id": VISITOR, "events": [{"id": "z", "type": "view", "sku": "A"}]}),
    )
    .await;
    assert_error(&old_browser, StatusCode::GONE, "erased");
    assert_error(
        &export(&app, DEMO_SECRET_KEY, "K-77").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn another_shop_can_neither_export_nor_erase_nor_tell_the_customer_exists() {
    let app = spawn_app().await;
    anna(&app).await;
    let other_secret = "sk_test_other_shop";
    let missing = export(&app, other_secret, "K-77").await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found");
    let unknown = export(&app, other_secret, "K-does-not-exist").await;
    assert_eq!(
        missing.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace("K-77", "X"),
        unknown.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace("K-does-not-exist", "X")
    );
    assert_error(
        &erase(&app, other_secret, "K-77").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        export(&app, DEMO_SECRET_KEY, "K-77").await.status,
        StatusCode::OK
    );
    assert_error(
        &export(&app, DEMO_PUBLISHABLE_KEY, "K-77").await,
        StatusCode::UNAUTHORIZED,
        "invalid_key",
    );
    assert_error(
        &app.get("/v1/customers/K-77/export").await,
        StatusCode::UNAUTHORIZED,
        "missing_key",
    );
    let _ = OTHER_SHOP_KEY;
}
