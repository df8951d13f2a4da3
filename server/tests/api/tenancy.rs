//! One shop can never read, write, enumerate or infer another's data, whatever ids it guesses:
//! every endpoint called with the other shop's valid keys, and with the wrong kind of key.

use axum::http::StatusCode;
use serde_json::json;
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::{identity, unix_now};

use crate::events::{bearer, browser, bulk, grant_consent, VISITOR};
use crate::helpers::{spawn_app, OTHER_SHOP_KEY};

const OTHER_SECRET: &str = "sk_test_other_shop";

/// Row counts of every table of this shop.
async fn snapshot(app: &crate::helpers::TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "events",
        "profiles",
        "profile_ids",
        "purchase_lines",
        "products",
        "stock",
        "tombstones",
    ] {
        counts.push(app.count(table, DEMO_SHOP_ID).await);
    }
    counts
}

#[tokio::test]
async fn every_endpoint_with_another_shops_keys_sees_and_changes_nothing_of_this_shop() {
    let app = spawn_app().await;
    // This shop: a customer with a login, a browser and a till receipt.
    grant_consent(&app, VISITOR).await;
    let token = identity::sign(DEMO_SECRET_KEY, "K-500", unix_now() + 600);
    browser(
        &app,
        json!({"visitor_id": VISITOR, "customer_token": token,
        "events": [{"id": "t1", "type": "view", "sku": "AH-1001"}]}),
    )
    .await;
    let before = snapshot(&app).await;
    let other_pk = OTHER_SHOP_KEY;
    let json_ct = [("content-type", "application/json")];

    // Reads: the other shop's answers never contain this shop's data.
    let recs = app
        .get(&format!("/v1/recommendations?key={other_pk}&limit=24"))
        .await;
    assert_eq!((recs.status, recs.skus().len()), (StatusCode::OK, 0));
    let stock = app
        .get(&format!("/v1/availability?key={other_pk}&sku=AH-1001"))
        .await;
    assert_eq!(
        stock.status,
        StatusCode::NOT_FOUND,
        "this shop's SKUs and stores are unknown there: {}",
        stock.json()
    );
    let consent = app
        .get(&format!("/v1/consent?key={other_pk}&visitor_id={VISITOR}"))
        .await
        .json();
    assert_eq!(
        consent["basis"], "shop_default",
        "this shop's consent record is not visible"
    );
    let auth = bearer(OTHER_SECRET);
    let export = app
        .request(
            "GET",
            "/v1/customers/K-500/export",
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(export.status, StatusCode::NOT_FOUND);

    // Writes: land in the other shop, or are refused.
    let identify = app
        .post(
            &format!("/v1/identify?key={other_pk}"),
            &json_ct,
            json!({"visitor_id": VISITOR, "customer_token": token}).to_string(),
        )
        .await;
    assert_eq!(
        identify.status,
        StatusCode::UNAUTHORIZED,
        "this shop's token means nothing there"
    );
    let foreign_events = app
        .post(&format!("/v1/events?key={other_pk}"), &json_ct,
              json!({"visitor_id": VISITOR, "events": [{"id": "t1", "type": "view", "sku": "AH-1001"}]}).to_string())
        .await;
    assert_eq!(foreign_events.status, StatusCode::OK);
    app.post(
        &format!("/v1/consent?key={other_pk}"),
        &json_ct,
        json!({"visitor_id": VISITOR, "tracking": false, "personalisation": false, "source": "x"})
            .to_string(),
    )
    .await;
    let till = json!({"id": "t1", "type": "purchase", "customer_id": "K-500", "order_id": "R-1",
        "channel": "web", "currency": "EUR", "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": 1}]});
    assert_eq!(
        bulk(&app, OTHER_SECRET, till.to_string()).await.json()["stored"],
        1
    );
    let erase = app
        .request("DELETE", "/v1/customers/K-500", &[("authorization", &auth)])
        .await;
    assert_eq!(
        erase.status,
        StatusCode::OK,
        "the other shop erases its own K-500 only"
    );

    assert_eq!(snapshot(&app).await, before, "nothing of this shop changed");
    let mine = app
        .get(&format!(
            "/v1/consent?key={DEMO_PUBLISHABLE_KEY}&visitor_id={VISITOR}&customer_token={token}"
        ))
        .await
        .json();
    assert_eq!(mine["tracking"], true);
    let auth = bearer(DEMO_SECRET_KEY);
    let still_here = app
        .request(
            "GET",
            "/v1/customers/K-500/export",
            &[("authorization", &auth)],
        )
        .await;
    assert_eq!(still_here.status, StatusCode::OK);
    assert_eq!(still_here.json()["events"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_wrong_kind_of_key_is_refused_everywhere() {
    let app = spawn_app().await;
    let json_ct = ("content-type", "application/json");
    // Secret keys never work in the query string; publishable keys never as a bearer token.
    for (method, uri) in [
        ("GET", format!("/v1/recommendations?key={DEMO_SECRET_KEY}")),
        ("POST", format!("/v1/events?key={DEMO_SECRET_KEY}")),
        ("POST", format!("/v1/identify?key={DEMO_SECRET_KEY}")),
        (
            "GET",
            format!("/v1/consent?key={DEMO_SECRET_KEY}&visitor_id={VISITOR}"),
        ),
        ("POST", format!("/v1/consent?key={DEMO_SECRET_KEY}")),
    ] {
        let answer = app.request(method, &uri, &[json_ct]).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(answer.json()["error"]["code"], "invalid_key");
    }
    let auth = bearer(DEMO_PUBLISHABLE_KEY);
    for (method, uri) in [
        ("POST", "/v1/events/bulk"),
        ("GET", "/v1/customers/K-1001/export"),
        ("DELETE", "/v1/customers/K-1001"),
    ] {
        let answer = app.request(method, uri, &[("authorization", &auth)]).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
        assert_eq!(answer.json()["error"]["code"], "invalid_key");
    }
}
