//! `GET /v1/recommendations`.

use axum::http::StatusCode;
use vitrine_server::demo::DEMO_PUBLISHABLE_KEY;
use vitrine_server::shops::{self, NewShop};
use vitrine_server::unix_now;

use crate::helpers::{
    assert_error, spawn_app, TestApp, OTHER_SHOP_KEY, OTHER_SHOP_ORIGIN, STOREFRONT,
};

const RANKED_KEY: &str = "pk_test_ranked";

/// A shop with products A–D; `sales` are (sku, quantity, days ago).
async fn ranked_shop(app: &TestApp, sales: &[(&str, i64, i64)]) {
    shops::upsert(
        &app.db,
        &app.master_key,
        &NewShop {
            id: "ranked",
            name: "Ranked",
            publishable_key: RANKED_KEY,
            secret_key: "sk_test_ranked",
            allowed_origins: &[],
        },
        0,
    )
    .await
    .unwrap();
    for sku in ["A", "B", "C", "D"] {
        ranked_product(app, sku).await;
    }
    let now = unix_now();
    for (line, (sku, quantity, days_ago)) in sales.iter().enumerate() {
        sqlx::query(
            "INSERT INTO purchase_lines (shop_id, order_id, line_no, sku, quantity, unit_price_minor,
                 channel, purchased_at)
             VALUES ('ranked', $1, 0, $2, $3, 1000, 'web', $4)",
        )
        .bind(format!("O-{line}"))
        .bind(sku)
        .bind(quantity)
        .bind(now - days_ago * 24 * 3600)
        .execute(&app.db)
        .await
        .unwrap();
    }
}

fn recs(key: &str, query: &str) -> String {
    format!("/v1/recommendations?key={key}&{query}")
}

#[tokio::test]
async fn an_anonymous_visitor_gets_trending_then_popular_then_the_rest_of_the_range() {
    let app = spawn_app().await;
    // One order each: C two days ago, B 100 days ago, A 200 days ago (many units: units do
    // not count, orders do, so one bulk buyer cannot make a product popular); D never sold.
    ranked_shop(&app, &[("A", 50, 200), ("C", 3, 2), ("B", 1, 100)]).await;
    let answer = app.get(&recs(RANKED_KEY, "context=home&limit=4")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.skus(), ["C", "B", "A", "D"]);
    let body = answer.json();
    let reasons: Vec<&str> = (0..4)
        .map(|i| body["items"][i]["reason"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["trending", "popular", "popular", "catalogue"]);
    assert_eq!(
        body["items"][0]["price"],
        serde_json::json!({"amount_minor": 1000, "currency": "EUR"})
    );
    // `<context>.<32 hex digits>`: the attribution report reads the context from it.
    let id = body["recommendation_id"].as_str().unwrap();
    let (context, digits) = id.split_once('.').unwrap();
    assert_eq!(context, "home");
    assert!(digits.len() == 32 && digits.bytes().all(|b| b.is_ascii_hexdigit()));
    // The same answer carries the same id (a batch's ETag can match); another list another.
    let again = app.get(&recs(RANKED_KEY, "context=home&limit=4")).await;
    assert_eq!(again.json()["recommendation_id"], id);
    let shorter = app.get(&recs(RANKED_KEY, "context=home&limit=3")).await;
    assert_ne!(shorter.json()["recommendation_id"], id);
    let product = app
        .get(&recs(RANKED_KEY, "context=product:A&limit=4"))
        .await;
    assert!(product.json()["recommendation_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("product.")));
}

#[tokio::test]
async fn recommendations_never_include_the_product_on_screen() {
    let app = spawn_app().await;
    ranked_shop(&app, &[("A", 9, 1), ("B", 5, 1), ("C", 3, 1)]).await;
    let answer = app
        .get(&recs(RANKED_KEY, "context=product:A&limit=4"))
        .await;
    assert_eq!(answer.skus(), ["B", "C", "D"]);
}

#[tokio::test]
async fn the_limit_caps_the_number_of_tiles_and_defaults_to_four() {
    let app = spawn_app().await;
    let two = app.get(&recs(DEMO_PUBLISHABLE_KEY, "limit=2")).await;
    assert_eq!(two.skus().len(), 2);
    let default = app.get(&recs(DEMO_PUBLISHABLE_KEY, "context=home")).await;
    assert_eq!(default.skus().len(), 4);
    let many = app.get(&recs(DEMO_PUBLISHABLE_KEY, "limit=24")).await;
    assert_eq!(many.skus().len(), 24);
}

#[tokio::test]
async fn demo_products_come_with_absolute_storefront_urls() {
    let app = spawn_app().await;
    let body = app.get(&recs(DEMO_PUBLISHABLE_KEY, "limit=1")).await.json();
    let item = &body["items"][0];
    let sku = item["sku"].as_str().unwrap();
    assert_eq!(item["url"], format!("{STOREFRONT}/produkt/{sku}"));
    assert_eq!(item["image_url"], format!("{STOREFRONT}/images/{sku}.svg"));
}

#[tokio::test]
async fn a_shop_never_sees_another_shops_products() {
    let app = spawn_app().await;
    ranked_shop(&app, &[("A", 1, 1)]).await;
    let other = app.get(&recs(OTHER_SHOP_KEY, "limit=24")).await;
    assert_eq!(other.status, StatusCode::OK);
    assert!(
        other.skus().is_empty(),
        "the other shop has no products: {:?}",
        other.skus()
    );
    let ranked = app.get(&recs(RANKED_KEY, "limit=24")).await;
    assert_eq!(ranked.skus(), ["A", "B", "C", "D"]);
}

#[tokio::test]
async fn requests_without_a_valid_key_are_refused() {
    let app = spawn_app().await;
    assert_error(
        &app.get("/v1/recommendations").await,
        StatusCode::UNAUTHORIZED,
        "missing_key",
    );
    assert_error(
        &app.get("/v1/recommendations?key=").await,
        StatusCode::UNAUTHORIZED,
        "missing_key",
    );
    assert_error(
        &app.get(&recs("pk_guessed", "limit=2")).await,
        StatusCode::UNAUTHORIZED,
        "invalid_key",
    );
    // A secret key is not a publishable key.
    assert_error(
        &app.get(&recs("sk_demo_alpenhaus_not_for_production", ""))
            .await,
        StatusCode::UNAUTHORIZED,
        "invalid_key",
    );
}

#[tokio::test]
async fn an_allowed_origin_gets_cors_headers() {
    let app = spawn_app().await;
    let answer = app
        .request(
            "GET",
            &recs(DEMO_PUBLISHABLE_KEY, "limit=2"),
            &[("origin", STOREFRONT)],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(STOREFRONT)
    );
}

#[tokio::test]
async fn an_origin_the_shop_did_not_allow_is_refused() {
    let app = spawn_app().await;
    let answer = app
        .request(
            "GET",
            &recs(DEMO_PUBLISHABLE_KEY, "limit=2"),
            &[("origin", OTHER_SHOP_ORIGIN)],
        )
        .await;
    assert_error(&answer, StatusCode::FORBIDDEN, "origin_not_allowed");
    assert_eq!(answer.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn preflight_is_answered_only_for_the_shops_origins() {
    let app = spawn_app().await;
    let preflight = |origin: &'static str| {
        let app = &app;
        async move {
            app.request(
                "OPTIONS",
                &recs(DEMO_PUBLISHABLE_KEY, "limit=2"),
                &[("origin", origin), ("access-control-request-method", "GET")],
            )
            .await
        }
    };
    let allowed = preflight(STOREFRONT).await;
    assert!(allowed.status.is_success(), "status {}", allowed.status);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(STOREFRONT)
    );
    let foreign = preflight(OTHER_SHOP_ORIGIN).await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn json_answers_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let answer = app
        .request(
            "GET",
            &recs(DEMO_PUBLISHABLE_KEY, "limit=24"),
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(answer.header("content-encoding"), Some("gzip"));
    let mut json = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&answer.body[..]),
        &mut json,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["items"]
            .as_array()
            .unwrap()
            .len(),
        24
    );
}

#[tokio::test]
async fn the_ranking_is_kept_for_its_refresh_time_then_recomputed() {
    let app = spawn_app()
        .await
        .with_recommendations_refresh(std::time::Duration::from_secs(3600));
    ranked_shop(&app, &[("B", 5, 1)]).await;
    let first = app.get(&recs(RANKED_KEY, "limit=4")).await.skus();
    assert_eq!(first, ["B", "A", "C", "D"]);
    sqlx::query(
        "INSERT INTO purchase_lines (shop_id, order_id, line_no, sku, quantity, unit_price_minor,
             channel, purchased_at)
         VALUES ('ranked', 'late', 0, 'D', 99, 1000, 'web', $1)",
    )
    .bind(unix_now())
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(
        app.get(&recs(RANKED_KEY, "limit=4")).await.skus(),
        first,
        "served from the cache"
    );
    let fresh = app.with_recommendations_refresh(std::time::Duration::ZERO);
    assert_eq!(
        fresh.get(&recs(RANKED_KEY, "limit=4")).await.skus(),
        ["D", "B", "A", "C"]
    );
}

/// Puts `sku` in the catalogue of the shop "ranked" (once; a second call changes nothing).
async fn ranked_product(app: &TestApp, sku: &str) {
    sqlx::query(
        "INSERT INTO products (shop_id, sku, title, price_minor, currency, url, image_url, category)
         VALUES ('ranked', $1, $1, 1000, 'EUR', 'https://shop.example/p', 'https://shop.example/i', 'x')
         ON CONFLICT DO NOTHING",
    )
    .bind(sku)
    .execute(&app.db)
    .await
    .unwrap();
}

/// Adds `baskets` orders of the shop "ranked" (one basket each, hours apart, within the last
/// 30 days), with their products in the catalogue.
async fn ranked_orders(app: &TestApp, first: usize, baskets: &[Vec<String>]) {
    let now = unix_now();
    for (b, skus) in baskets.iter().enumerate() {
        let order = first + b;
        for (line, sku) in skus.iter().enumerate() {
            ranked_product(app, sku).await;
            sqlx::query(
                "INSERT INTO purchase_lines (shop_id, order_id, line_no, sku, quantity,
                     unit_price_minor, channel, purchased_at)
                 VALUES ('ranked', $1, $2, $3, 1, 1000, 'web', $4)",
            )
            .bind(format!("M-{order}"))
            .bind(line as i64)
            .bind(sku)
            .bind(now - 30 * 24 * 3600 + order as i64 * 600)
            .execute(&app.db)
            .await
            .unwrap();
        }
    }
}

const RANKED_SECRET: [(&str, &str); 1] = [("authorization", "Bearer sk_test_ranked")];

#[tokio::test]
async fn the_model_a_shop_is_served_switches_from_popularity_to_item_item_when_its_data_shows_co_purchase(
) {
    let app = spawn_app().await;
    ranked_shop(&app, &[]).await;
    // Every basket is the two best sellers: the item-to-item model finds nothing that best
    // sellers do not, so the shop is served popularity, and says so.
    let best_sellers: Vec<Vec<String>> = (0..400).map(|_| vec!["A".into(), "B".into()]).collect();
    ranked_orders(&app, 0, &best_sellers).await;
    let model = app
        .request("GET", "/v1/recommendations/model", &RANKED_SECRET)
        .await;
    assert_eq!(model.status, StatusCode::OK);
    let body = model.json();
    assert_eq!(body["family"], "popularity", "{body}");
    assert_eq!(body["holdout"], "leave_one_out");
    let metrics = app.get("/metrics").await;
    let text = String::from_utf8_lossy(&metrics.body).to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with("vitrine_recommendation_model_family{")
                && l.contains("shop=\"ranked\"")),
        "{text}"
    );
    let answer = app
        .get(&recs(RANKED_KEY, "context=product:A&limit=1"))
        .await
        .json();
    assert_eq!(answer["items"][0]["sku"], "B");
    assert_eq!(answer["items"][0]["reason"]["kind"], "popular");

    // Then baskets of fixed pairs: what goes together is now worth more than what sells.
    let pairs: Vec<Vec<String>> = (0..400)
        .map(|b| {
            vec![
                format!("P{}", (b % 10) * 2),
                format!("P{}", (b % 10) * 2 + 1),
            ]
        })
        .collect();
    ranked_orders(&app, 400, &pairs).await;
    let body = app
        .request("GET", "/v1/recommendations/model", &RANKED_SECRET)
        .await
        .json();
    assert_ne!(body["family"], "popularity", "{body}");
    let answer = app
        .get(&recs(RANKED_KEY, "context=product:P0&limit=1"))
        .await
        .json();
    assert_eq!(answer["items"][0]["sku"], "P1");
    assert_eq!(
        answer["items"][0]["reason"]["kind"], "bought_together_with",
        "{answer}"
    );
}

#[tokio::test]
async fn the_model_endpoint_needs_the_shops_secret_key() {
    let app = spawn_app().await;
    ranked_shop(&app, &[("A", 1, 1)]).await;
    let anonymous = app.get("/v1/recommendations/model").await;
    assert_error(&anonymous, StatusCode::UNAUTHORIZED, "missing_key");
    let publishable = app
        .get(&format!("/v1/recommendations/model?key={RANKED_KEY}"))
        .await;
    assert_eq!(publishable.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_order_history_from_two_years_ago_is_learnt_from_and_older_lines_are_named() {
    let app = spawn_app().await;
    ranked_shop(&app, &[]).await;
    for sku in (0..20).map(|p| format!("P{p}")) {
        ranked_product(&app, &sku).await;
    }
    // A shop's import of its history: 400 web orders of fixed pairs, the newest two years old.
    let two_years_ago = unix_now() - 730 * 24 * 3600;
    let order = |n: i64, at: i64, skus: &[String]| {
        let lines: Vec<_> = skus
            .iter()
            .map(|sku| serde_json::json!({"sku": sku, "quantity": 1, "unit_price_minor": 1000}))
            .collect();
        serde_json::json!({"id": format!("web-{n}"), "type": "purchase",
            "customer_id": format!("K-{}", n % 150), "order_id": format!("W-{n}"),
            "channel": "web", "currency": "EUR", "occurred_at": at, "lines": lines})
        .to_string()
    };
    let history: Vec<String> = (0..400)
        .map(|n| {
            let pair = (n % 10) * 2;
            let skus = [format!("P{pair}"), format!("P{}", pair + 1)];
            order(n, two_years_ago - (400 - n) * 3600, &skus)
        })
        .collect();
    let auth = [
        ("authorization", "Bearer sk_test_ranked"),
        ("content-type", "application/x-ndjson"),
    ];
    let answer = app.post("/v1/events/bulk", &auth, history.join("\n")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(answer.json()["stored"], 400);
    // Two years old, but the shop's newest: all inside the window measured from it.
    assert_eq!(answer.json()["outside_learning_window"], 0);

    let answer = app
        .get(&recs(RANKED_KEY, "context=product:P0&limit=1"))
        .await
        .json();
    assert_eq!(answer["items"][0]["sku"], "P1", "{answer}");
    assert_eq!(answer["items"][0]["reason"]["kind"], "bought_together_with");

    // A line from three years ago is stored, and the answer says it will not be learnt from.
    let old = order(9999, two_years_ago - 400 * 24 * 3600, &["P3".into()]);
    let answer = app.post("/v1/events/bulk", &auth, old).await;
    assert_eq!(answer.json()["stored"], 1);
    assert_eq!(
        answer.json()["outside_learning_window"],
        1,
        "{}",
        answer.json()
    );
}
