//! Personal recommendations and the omnichannel rules, through `GET /v1/recommendations` on
//! the demo shop (600 orders of history, 8 stores, stock): what a customer bought at a till
//! never comes back online, nor what is on screen or sold out everywhere; new purchases count
//! without a restart; erasure leaves nothing learnt.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::{identity, unix_now};

use crate::events::bulk;
use crate::helpers::{assert_error, spawn_app, TestApp};

const VISITOR: &str = "v_personal_0123456789";
/// Long enough that nothing is rebuilt during a test unless the test makes it.
const NO_REBUILD: Duration = Duration::from_secs(3600);

fn token(customer: &str) -> String {
    identity::sign(DEMO_SECRET_KEY, customer, unix_now() + 600)
}

/// The customer, signed in on this browser, allows personalisation.
async fn consent_to_personalisation(app: &TestApp, customer: &str, allowed: bool) {
    let answer = app
        .post(
            &format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": VISITOR, "customer_token": token(customer),
                   "tracking": allowed, "personalisation": allowed, "source": "banner"})
            .to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
}

async fn recommendations_for(app: &TestApp, customer: Option<&str>, query: &str) -> Value {
    let who = match customer {
        Some(customer) => format!("&visitor_id={VISITOR}&customer_token={}", token(customer)),
        None => String::new(),
    };
    let answer = app
        .get(&format!(
            "/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&limit=24{who}&{query}"
        ))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    answer.json()
}

fn skus(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["sku"].as_str().unwrap().to_string())
        .collect()
}

/// The best seller of the demo shop for an anonymous visitor.
async fn top_seller(app: &TestApp) -> String {
    skus(&recommendations_for(app, None, "context=home").await)[0].clone()
}

async fn till_purchase(app: &TestApp, customer: &str, order: &str, sku: &str) {
    let event = json!({"id": order, "type": "purchase", "customer_id": customer, "order_id": order,
        "channel": "store", "store_id": "ulm-muensterplatz", "currency": "EUR",
        "lines": [{"sku": sku, "quantity": 1, "unit_price_minor": 4990}]});
    let answer = bulk(app, DEMO_SECRET_KEY, event.to_string()).await;
    assert_eq!(answer.json()["stored"], 1, "{}", answer.json());
}

#[tokio::test]
async fn items_bought_in_a_store_never_come_back_online_and_count_at_once() {
    let app = spawn_app().await.with_recommendations_refresh(NO_REBUILD);
    consent_to_personalisation(&app, "K-77", true).await;
    let bought = top_seller(&app).await;
    let before = recommendations_for(&app, Some("K-77"), "context=home").await;
    assert!(
        skus(&before).contains(&bought),
        "offered before she bought it"
    );
    till_purchase(&app, "K-77", "TILL-77", &bought).await;
    // No rebuild (the model refreshes hourly here): the next answer already knows.
    let after = recommendations_for(&app, Some("K-77"), "context=home").await;
    assert!(!skus(&after).contains(&bought), "{after}");
    assert!(!skus(&after).is_empty());
    // The product page of what she bought shows what goes with it, not it.
    let product =
        recommendations_for(&app, Some("K-77"), &format!("context=product:{bought}")).await;
    assert!(!skus(&product).contains(&bought));
    // Anonymous visitors still get it: only her own purchases are excluded.
    assert!(skus(&recommendations_for(&app, None, "context=home").await).contains(&bought));
}

#[tokio::test]
async fn a_till_purchase_becomes_the_reason_with_the_stores_name() {
    let app = spawn_app().await;
    consent_to_personalisation(&app, "K-78", true).await;
    let bought = top_seller(&app).await;
    till_purchase(&app, "K-78", "TILL-78", &bought).await;
    let answer = recommendations_for(&app, Some("K-78"), "context=home").await;
    let reason = answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["reason"])
        .find(|reason| reason["kind"] == "because_you_bought")
        .unwrap_or_else(|| panic!("no personal reason in {answer}"));
    assert_eq!(reason["sku"], bought.as_str());
    assert_eq!(reason["channel"], "store");
    assert_eq!(reason["store_id"], "ulm-muensterplatz");
    assert!(
        reason["store_name"]
            .as_str()
            .is_some_and(|name| name.contains("Ulm")),
        "{reason}"
    );
}

#[tokio::test]
async fn without_personalisation_consent_answers_are_not_personal() {
    let app = spawn_app().await;
    consent_to_personalisation(&app, "K-79", false).await;
    let bought = top_seller(&app).await;
    till_purchase(&app, "K-79", "TILL-79", &bought).await;
    let answer = recommendations_for(&app, Some("K-79"), "context=home").await;
    assert_eq!(
        skus(&answer),
        skus(&recommendations_for(&app, None, "context=home").await)
    );
    assert!(answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|item| item["reason"]["kind"] != "because_you_bought"));
}

#[tokio::test]
async fn products_sold_out_in_every_store_never_come_back() {
    let app = spawn_app().await.with_recommendations_refresh(NO_REBUILD);
    let top = top_seller(&app).await;
    let stores: Vec<(String,)> = sqlx::query_as("SELECT store_id FROM stores WHERE shop_id = $1")
        .bind(DEMO_SHOP_ID)
        .fetch_all(&app.db)
        .await
        .unwrap();
    // Sold out in all stores but one: still offered.
    let stock = |last: i64| {
        stores
            .iter()
            .enumerate()
            .map(|(i, (store,))| {
                let quantity = if i == 0 { last } else { 0 };
                json!({"store_id": store, "sku": top, "quantity": quantity}).to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let import = |body: String| {
        let app = &app;
        async move {
            let answer = app
                .post(
                    "/v1/stock",
                    &[
                        ("authorization", &format!("Bearer {DEMO_SECRET_KEY}")),
                        ("content-type", "application/x-ndjson"),
                    ],
                    body,
                )
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
        }
    };
    import(stock(1)).await;
    assert!(skus(&recommendations_for(&app, None, "context=home").await).contains(&top));
    // The import went through this server: the next answer knows, no rebuild needed.
    import(stock(0)).await;
    assert!(!skus(&recommendations_for(&app, None, "context=home").await).contains(&top));
    assert!(
        !skus(&recommendations_for(&app, None, "context=cart&cart=AH-1001").await).contains(&top)
    );
}

#[tokio::test]
async fn a_store_filter_keeps_only_products_in_stock_there() {
    let app = spawn_app().await;
    let answer = recommendations_for(&app, None, "context=home&store=ulm-muensterplatz").await;
    let offered = skus(&answer);
    assert!(!offered.is_empty());
    for sku in &offered {
        let (quantity,): (i64,) = sqlx::query_as(
            "SELECT quantity FROM stock WHERE shop_id = $1 AND store_id = $2 AND sku = $3",
        )
        .bind(DEMO_SHOP_ID)
        .bind("ulm-muensterplatz")
        .bind(sku)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert!(quantity > 0, "{sku} is not in stock in Ulm");
    }
    let unknown = app
        .get(&format!(
            "/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&store=nowhere"
        ))
        .await;
    assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn the_cart_and_its_items_shape_the_answer_but_never_appear_in_it() {
    let app = spawn_app().await;
    let cart = ["AH-1001", "AH-1002", "AH-1003"];
    let answer =
        recommendations_for(&app, None, &format!("context=cart&cart={}", cart.join(","))).await;
    let offered = skus(&answer);
    assert_eq!(offered.len(), 24);
    assert!(cart.iter().all(|sku| !offered.contains(&sku.to_string())));
    for bad in [
        "context=home&cart=AH-1001",
        "context=cart&cart=A%01B",
        "visitor_id=short",
    ] {
        let answer = app
            .get(&format!(
                "/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&{bad}"
            ))
            .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let forged = app
        .get(&format!(
            "/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&customer_token=K-1.9999999999.00"
        ))
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn erasing_a_customer_removes_what_the_model_learnt_from_her() {
    let app = spawn_app().await.with_recommendations_refresh(NO_REBUILD);
    // A product nobody bought, made the best seller by one customer's 40 orders.
    let niche = {
        let top: Vec<String> = skus(&recommendations_for(&app, None, "context=home").await);
        let (sku,): (String,) =
            sqlx::query_as("SELECT sku FROM products WHERE shop_id = $1 ORDER BY sku DESC LIMIT 1")
                .bind(DEMO_SHOP_ID)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_ne!(top.first(), Some(&sku));
        sku
    };
    for order in 0..40 {
        till_purchase(&app, "K-ERASE", &format!("E-{order}"), &niche).await;
    }
    assert_eq!(top_seller(&app).await, niche, "her purchases count at once");
    let erased = app
        .request(
            "DELETE",
            "/v1/customers/K-ERASE",
            &[("authorization", &format!("Bearer {DEMO_SECRET_KEY}"))],
        )
        .await;
    assert_eq!(erased.status, StatusCode::OK);
    assert_ne!(
        top_seller(&app).await,
        niche,
        "nothing learnt from her stays"
    );
}

#[tokio::test]
async fn the_same_question_gets_the_same_answer() {
    let app = spawn_app().await;
    consent_to_personalisation(&app, "K-80", true).await;
    let bought = top_seller(&app).await;
    till_purchase(&app, "K-80", "TILL-80", &bought).await;
    let first = recommendations_for(&app, Some("K-80"), "context=home").await;
    let again = recommendations_for(&app, Some("K-80"), "context=home").await;
    assert_eq!(skus(&first), skus(&again));
    assert_eq!(first["items"], again["items"]);
}
