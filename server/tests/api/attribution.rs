//! The attribution report (`GET /v1/reports/attribution`, `vitrine-server report attribution`):
//! a purchase line goes to the latest click of the same profile on the same SKU at most a
//! window before it, in whatever channel she then bought: the web shop, or a till where only
//! her loyalty card was shown.

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::unix_now;

use crate::cart_recovery::{consent, token};
use crate::events::{bearer, browser, bulk, grant_consent};
use crate::helpers::{assert_error, spawn_app, Answer, TestApp};
use crate::identity::identify;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const LAPTOP: &str = "v_attr_laptop_0123456789";
const PHONE: &str = "v_attr_phone_0123456789";
/// Demo catalogue SKUs.
const COAT: &str = "AH-1003";
const SHIRT: &str = "AH-1004";
const CAP: &str = "AH-1006";

/// When each test's story starts: three weeks ago, so every event lies in the past.
fn start() -> i64 {
    unix_now() - 21 * DAY
}

/// Browser events of `visitor` (signed in as `customer`, if any), as the bundle sends them.
async fn from_browser(app: &TestApp, visitor: &str, customer: Option<&str>, events: Value) {
    let mut body = json!({"visitor_id": visitor, "events": events});
    if let Some(customer) = customer {
        body["customer_token"] = json!(token(customer));
    }
    let answer = browser(app, body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert!(answer.json()["errors"].as_array().unwrap().is_empty());
    assert_eq!(answer.json()["dropped_without_consent"], 0);
}

/// One click of `visitor` (signed in as `customer`, if any) on a `context` tile of `sku`.
async fn clicked(
    app: &TestApp,
    visitor: &str,
    customer: Option<&str>,
    context: &str,
    sku: &str,
    at: i64,
) {
    let id = format!("{context}.0123456789abcdef0123456789abcdef");
    from_browser(app, visitor, customer, json!([click("c-1", &id, sku, at)])).await;
}

fn click(id: &str, recommendation_id: &str, sku: &str, at: i64) -> Value {
    json!({"id": id, "type": "click", "recommendation_id": recommendation_id, "sku": sku,
           "occurred_at": at})
}

fn impression(id: &str, recommendation_id: &str, skus: &[&str], at: i64) -> Value {
    json!({"id": id, "type": "impression", "recommendation_id": recommendation_id,
           "skus": skus, "occurred_at": at})
}

/// A purchase reported by the shop's systems; `owner` names the buyer (`customer_id` or
/// `card`), `lines` are (SKU, quantity, unit price in cents).
async fn purchase(
    app: &TestApp,
    order: &str,
    channel: &str,
    owner: Value,
    lines: &[(&str, i64, i64)],
    at: i64,
) {
    let mut event = json!({"id": order, "type": "purchase", "order_id": order,
        "channel": channel, "currency": "EUR", "occurred_at": at,
        "lines": lines.iter().map(|(sku, quantity, price)|
            json!({"sku": sku, "quantity": quantity, "unit_price_minor": price}))
            .collect::<Vec<_>>()});
    if channel == "store" {
        event["store_id"] = json!("ulm-muensterplatz");
    }
    for (name, id) in owner.as_object().unwrap() {
        event[name] = id.clone();
    }
    let stored = bulk(app, DEMO_SECRET_KEY, event.to_string()).await.json();
    assert_eq!(stored["stored"], 1, "{stored}");
}

/// An order in the web shop by a signed-in customer.
async fn web_order(
    app: &TestApp,
    customer: &str,
    order: &str,
    lines: &[(&str, i64, i64)],
    at: i64,
) {
    purchase(
        app,
        order,
        "web",
        json!({"customer_id": customer}),
        lines,
        at,
    )
    .await;
}

/// A till receipt where only the loyalty card was shown.
async fn till_receipt(app: &TestApp, card: &str, order: &str, lines: &[(&str, i64, i64)], at: i64) {
    purchase(app, order, "store", json!({"card": card}), lines, at).await;
}

/// Her loyalty card is known to belong to her (the shop's CRM reported it with an old
/// receipt of something else).
async fn link_card(app: &TestApp, customer: &str, card: &str, at: i64) {
    purchase(
        app,
        &format!("OLD-{card}"),
        "store",
        json!({"customer_id": customer, "card": card}),
        &[(CAP, 1, 3490)],
        at,
    )
    .await;
}

async fn report_answer(app: &TestApp, query: &str) -> Answer {
    app.request(
        "GET",
        &format!("/v1/reports/attribution?{query}"),
        &[("authorization", &bearer(DEMO_SECRET_KEY))],
    )
    .await
}

/// The report from `from` to now, with a window of `window_days`.
async fn report_from(app: &TestApp, from: i64, window_days: u32) -> Value {
    let answer = report_answer(
        app,
        &format!(
            "from={from}&to={}&window_days={window_days}",
            unix_now() + 1
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    answer.json()
}

/// The row of the recommendations widget in `context`.
fn row<'a>(report: &'a Value, context: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["widget"] == "recommendations" && row["context"] == context)
        .unwrap_or_else(|| panic!("no {context} row in {report}"))
}

/// Attributed orders and revenue (EUR cents, 0 when none) of `context` in `channel`.
fn attributed(report: &Value, context: &str, channel: &str) -> (u64, i64) {
    let channel = row(report, context)["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|figures| figures["channel"] == channel)
        .unwrap();
    let revenue = channel["attributed_revenue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|money| money["currency"] == "EUR")
        .map_or(0, |money| money["amount_minor"].as_i64().unwrap());
    (channel["attributed_orders"].as_u64().unwrap(), revenue)
}

#[tokio::test]
async fn a_web_click_then_a_till_purchase_with_her_loyalty_card_is_attributed_to_the_store() {
    let app = spawn_app().await;
    let t = start();
    consent(&app, LAPTOP, Some("K-A1")).await;
    link_card(&app, "K-A1", "CARD-A1", t - 30 * DAY).await;
    clicked(&app, LAPTOP, Some("K-A1"), "home", COAT, t).await;
    // Two days later at a till, only the card is shown.
    till_receipt(
        &app,
        "CARD-A1",
        "R-A1",
        &[(COAT, 1, 19900), (SHIRT, 1, 7990)],
        t + 2 * DAY,
    )
    .await;

    let report = report_from(&app, t - DAY, 7).await;
    assert_eq!(attributed(&report, "home", "store"), (1, 19900));
    assert_eq!(attributed(&report, "home", "web"), (0, 0));
    let home = row(&report, "home");
    assert_eq!(home["clicks"], 1);
    assert_eq!(home["attributed_orders"], 1);
    assert_eq!(
        home["attributed_revenue"],
        json!([{"amount_minor": 19900, "currency": "EUR"}])
    );
    assert_eq!(
        home["channels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|channel| channel["channel"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["web", "app", "store"]
    );
    assert_eq!(row(&report, "product")["attributed_orders"], 0);
}

#[tokio::test]
async fn a_web_order_after_a_click_is_attributed_to_the_web() {
    let app = spawn_app().await;
    let t = start();
    consent(&app, LAPTOP, Some("K-A2")).await;
    clicked(&app, LAPTOP, Some("K-A2"), "product", SHIRT, t).await;
    web_order(&app, "K-A2", "W-A2", &[(SHIRT, 2, 7990)], t + HOUR).await;
    let report = report_from(&app, t - DAY, 7).await;
    assert_eq!(attributed(&report, "product", "web"), (1, 15980));
    assert_eq!(attributed(&report, "product", "store"), (0, 0));
}

#[tokio::test]
async fn purchases_after_the_window_before_the_click_of_another_sku_or_by_someone_else_are_not_attributed(
) {
    let app = spawn_app().await;
    let t = start();
    consent(&app, LAPTOP, Some("K-A3")).await;
    consent(&app, PHONE, Some("K-OTHER")).await;
    // Bought before the click, then clicked; a coat eight days after (window: seven).
    web_order(&app, "K-A3", "W-BEFORE", &[(COAT, 1, 19900)], t - 1).await;
    clicked(&app, LAPTOP, Some("K-A3"), "home", COAT, t).await;
    web_order(&app, "K-A3", "W-LATE", &[(COAT, 1, 19900)], t + 7 * DAY + 1).await;
    // Another product of hers, and the clicked one bought by someone else, within the window.
    web_order(&app, "K-A3", "W-SHIRT", &[(SHIRT, 1, 7990)], t + HOUR).await;
    web_order(&app, "K-OTHER", "W-OTHER", &[(COAT, 1, 19900)], t + HOUR).await;
    let report = report_from(&app, t - DAY, 7).await;
    assert_eq!(row(&report, "home")["clicks"], 1);
    assert_eq!(row(&report, "home")["attributed_orders"], 0);
    assert_eq!(row(&report, "home")["attributed_revenue"], json!([]));
    // A window of eight days reaches the late coat.
    let wider = report_from(&app, t - DAY, 8).await;
    assert_eq!(attributed(&wider, "home", "web"), (1, 19900));
}

#[tokio::test]
async fn the_latest_of_two_clicks_takes_the_purchase_and_the_order_counts_once() {
    let app = spawn_app().await;
    let t = start();
    consent(&app, LAPTOP, Some("K-A4")).await;
    from_browser(
        &app,
        LAPTOP,
        Some("K-A4"),
        json!([
            click("c-1", "home.0123456789abcdef0123456789abcdef", COAT, t),
            click(
                "c-2",
                "product.0123456789abcdef0123456789abcdef",
                COAT,
                t + HOUR
            ),
            click(
                "c-3",
                "product.fedcba9876543210fedcba9876543210",
                SHIRT,
                t + HOUR + 1
            ),
        ]),
    )
    .await;
    // Both clicked products on one order.
    web_order(
        &app,
        "K-A4",
        "W-A4",
        &[(COAT, 2, 19900), (SHIRT, 1, 7990)],
        t + 2 * HOUR,
    )
    .await;
    let report = report_from(&app, t - DAY, 7).await;
    assert_eq!(attributed(&report, "product", "web"), (1, 2 * 19900 + 7990));
    assert_eq!(row(&report, "product")["clicks"], 2);
    assert_eq!(attributed(&report, "home", "web"), (0, 0));
    assert_eq!(row(&report, "home")["clicks"], 1);
    // A period that ends before the later click: the coat still went to the later click, so
    // the earlier one, alone in this period, gets nothing.
    let answer = report_answer(&app, &format!("from={}&to={}", t - DAY, t + 1)).await;
    let early = answer.json();
    assert_eq!(attributed(&early, "home", "web"), (0, 0));
    assert_eq!(row(&early, "home")["clicks"], 1);
    assert_eq!(row(&early, "product")["clicks"], 0);
}

#[tokio::test]
async fn a_click_before_she_signed_in_counts_for_her_till_purchase_once_her_profiles_merge() {
    let app = spawn_app().await;
    let t = start();
    // Anonymous on the phone: she allows tracking and clicks a tile.
    grant_consent(&app, PHONE).await;
    clicked(&app, PHONE, None, "cart", COAT, t).await;
    // Her card is hers; later she signs in on the phone, then buys at a till with the card.
    link_card(&app, "K-A5", "CARD-A5", t - 30 * DAY).await;
    let answer = identify(&app, PHONE, &token("K-A5")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    till_receipt(&app, "CARD-A5", "R-A5", &[(COAT, 1, 19900)], t + DAY).await;
    let report = report_from(&app, t - DAY, 7).await;
    assert_eq!(attributed(&report, "cart", "store"), (1, 19900));
}

#[tokio::test]
async fn impressions_count_tiles_and_ctr_is_clicks_per_tile_impression_in_the_period() {
    let app = spawn_app().await;
    let t = start();
    grant_consent(&app, PHONE).await;
    from_browser(
        &app,
        PHONE,
        None,
        json!([
            impression(
                "i-1",
                "home.0123456789abcdef0123456789abcdef",
                &[COAT, SHIRT, CAP, "AH-1001"],
                t
            ),
            impression(
                "i-2",
                "home.fedcba9876543210fedcba9876543210",
                &[COAT, SHIRT, CAP, "AH-1001"],
                t + 10
            ),
            click("c-1", "home.0123456789abcdef0123456789abcdef", COAT, t + 20),
            click(
                "c-2",
                "home.fedcba9876543210fedcba9876543210",
                SHIRT,
                t + 30
            ),
            // An id of no known context (an older bundle).
            click("c-3", "0123456789abcdef0123456789abcdef", CAP, t + 40),
            // Outside the period below.
            impression(
                "i-3",
                "home.0123456789abcdef0123456789abcdef",
                &[COAT],
                t + DAY
            ),
        ]),
    )
    .await;
    let answer = report_answer(&app, &format!("from={t}&to={}", t + DAY)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let report = answer.json();
    let home = row(&report, "home");
    assert_eq!(home["tile_impressions"], 8);
    assert_eq!(home["clicks"], 2);
    assert_eq!(home["ctr"], 0.25);
    let cart = row(&report, "cart");
    assert_eq!(cart["tile_impressions"], 0);
    assert_eq!(cart["ctr"], Value::Null);
    assert_eq!(row(&report, "other")["clicks"], 1);
    let contexts: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["context"].as_str().unwrap())
        .collect();
    assert_eq!(contexts, ["home", "cart", "product", "other"]);
    assert_eq!(report["window_days"], 7, "the default window");
    assert_eq!(
        (report["from"].as_i64(), report["to"].as_i64()),
        (Some(t), Some(t + DAY))
    );
}

#[tokio::test]
async fn impressions_and_clicks_without_tracking_consent_are_not_counted() {
    let app = spawn_app().await;
    let t = start();
    let answer = browser(
        &app,
        json!({"visitor_id": LAPTOP, "events": [
            impression("i-1", "home.0123456789abcdef0123456789abcdef", &[COAT], t),
            click("c-1", "home.0123456789abcdef0123456789abcdef", COAT, t + 1),
        ]}),
    )
    .await;
    assert_eq!(answer.json()["dropped_without_consent"], 2);
    let report = report_from(&app, t - DAY, 7).await;
    assert_eq!(row(&report, "home")["tile_impressions"], 0);
    assert_eq!(row(&report, "home")["clicks"], 0);
}

#[tokio::test]
async fn the_period_and_the_window_are_checked() {
    let app = spawn_app().await;
    for query in [
        "from=100&to=100",
        "from=200&to=100",
        "from=-1&to=100",
        "from=0&to=253402300800",
        "from=0&to=100&window_days=0",
        "from=0&to=100&window_days=91",
        "from=0&to=100&window_days=-3",
        "from=yesterday",
    ] {
        let answer = report_answer(&app, query).await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let answer = report_answer(&app, "window_days=90").await;
    assert_eq!(answer.status, StatusCode::OK);
    let report = answer.json();
    assert_eq!(
        report["to"].as_i64().unwrap() - report["from"].as_i64().unwrap(),
        30 * DAY,
        "thirty days up to now by default"
    );
}

#[tokio::test]
async fn the_report_needs_the_shops_secret_key_and_shows_only_its_own_figures() {
    let app = spawn_app().await;
    let t = start();
    grant_consent(&app, PHONE).await;
    clicked(&app, PHONE, None, "home", COAT, t).await;
    let publishable = app
        .get(&format!(
            "/v1/reports/attribution?key={DEMO_PUBLISHABLE_KEY}"
        ))
        .await;
    assert_error(&publishable, StatusCode::UNAUTHORIZED, "missing_key");
    let as_bearer = app
        .request(
            "GET",
            "/v1/reports/attribution",
            &[("authorization", &bearer(DEMO_PUBLISHABLE_KEY))],
        )
        .await;
    assert_error(&as_bearer, StatusCode::UNAUTHORIZED, "invalid_key");
    let other = app
        .request(
            "GET",
            &format!("/v1/reports/attribution?from={}", t - DAY),
            &[("authorization", &bearer("sk_test_other_shop"))],
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(row(&other.json(), "home")["clicks"], 0);
}

#[tokio::test]
async fn the_command_line_prints_the_figures_of_the_endpoint() {
    let app = spawn_app().await;
    let t = start();
    consent(&app, LAPTOP, Some("K-A6")).await;
    link_card(&app, "K-A6", "CARD-A6", t - 30 * DAY).await;
    from_browser(
        &app,
        LAPTOP,
        Some("K-A6"),
        json!([
            impression(
                "i-1",
                "home.0123456789abcdef0123456789abcdef",
                &[COAT, SHIRT, CAP, "AH-1001"],
                t
            ),
            click("c-1", "home.0123456789abcdef0123456789abcdef", COAT, t + 1),
        ]),
    )
    .await;
    till_receipt(&app, "CARD-A6", "R-A6", &[(COAT, 1, 19900)], t + DAY).await;
    let (from, to) = (t - DAY, t + 2 * DAY);
    let endpoint = report_answer(&app, &format!("from={from}&to={to}&window_days=3"))
        .await
        .json();
    let run = |format: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine-server"))
            .args(["report", "attribution", "--database-url", &app.database_url])
            .args([
                "--shop",
                DEMO_SHOP_ID,
                "--window-days",
                "3",
                "--format",
                format,
            ])
            .args(["--from", &from.to_string(), "--to", &to.to_string()])
            .output()
            .expect("run `vitrine-server report attribution`");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let json: Value = serde_json::from_str(&run("json")).expect("JSON");
    assert_eq!(json, endpoint);
    let table = run("table");
    let cells: Vec<String> = table
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(
        cells.contains(&"recommendations home all 4 1 25.00 % 1 199.00 EUR".to_string()),
        "{table}"
    );
    assert!(cells.contains(&"store 1 199.00 EUR".to_string()), "{table}");
    // An unknown shop is an error, not an empty report.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine-server"))
        .args(["report", "attribution", "--database-url", &app.database_url])
        .args(["--shop", "no-such-shop"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-shop"));
}

/// Issue 16, finding 4: what a browser says and what the shop's servers say live apart.
#[tokio::test]
async fn a_browser_cannot_take_the_id_of_a_till_receipt_or_an_order() {
    let app = spawn_app().await;
    let t = start();
    consent(&app, LAPTOP, None).await;
    // The attacker's browser sends the ids the till and the shop's server will use.
    from_browser(
        &app,
        LAPTOP,
        None,
        json!([
            {"id": "till-7-0042", "type": "view", "sku": COAT, "occurred_at": t},
            {"id": "ORD-9002", "type": "purchase", "order_id": "ORD-9002", "channel": "web",
             "currency": "EUR", "occurred_at": t,
             "lines": [{"sku": CAP, "quantity": 1, "unit_price_minor": 1}]}
        ]),
    )
    .await;
    // The real receipt and the real order still count, with their own lines and points.
    purchase(
        &app,
        "till-7-0042",
        "store",
        json!({"customer_id": "K-NS1"}),
        &[(COAT, 1, 19900)],
        t + HOUR,
    )
    .await;
    purchase(
        &app,
        "ORD-9002",
        "store",
        json!({"customer_id": "K-NS2"}),
        &[(SHIRT, 2, 7990)],
        t + HOUR,
    )
    .await;
    let lines: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT order_id, sku, quantity, unit_price_minor FROM purchase_lines
         WHERE shop_id = $1 AND order_id IN ('till-7-0042', 'ORD-9002') ORDER BY order_id",
    )
    .bind(DEMO_SHOP_ID)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        lines,
        [
            ("ORD-9002".into(), SHIRT.into(), 2, 7990),
            ("till-7-0042".into(), COAT.into(), 1, 19900)
        ]
    );
    let points: Vec<(i64,)> = sqlx::query_as(
        "SELECT l.points FROM loyalty_ledger l JOIN profile_ids i
           ON i.shop_id = l.shop_id AND i.profile_id = l.profile_id
         WHERE l.shop_id = $1 AND i.kind = 'customer' AND i.external_id = 'K-NS1'",
    )
    .bind(DEMO_SHOP_ID)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        points.iter().any(|(points,)| *points > 0),
        "the receipt earned points"
    );
}

#[tokio::test]
async fn a_purchase_a_browser_reports_is_no_revenue_and_no_bestseller() {
    let app = spawn_app().await;
    let t = start();
    consent(&app, PHONE, None).await;
    let before = app
        .get(&format!(
            "/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&limit=1"
        ))
        .await
        .json();
    clicked(&app, PHONE, None, "home", SOCKS_FOR_POISON, t).await;
    from_browser(
        &app,
        PHONE,
        None,
        json!([{"id": "fake-1", "type": "purchase", "order_id": "FAKE-1", "channel": "web",
            "currency": "EUR", "occurred_at": t + HOUR,
            "lines": [{"sku": SOCKS_FOR_POISON, "quantity": 10000,
                       "unit_price_minor": 10_000_000_000_i64}]}]),
    )
    .await;
    let report = report_from(&app, t - DAY, 7).await;
    assert_eq!(attributed(&report, "home", "web"), (0, 0), "{report}");
    assert_eq!(row(&report, "home")["clicks"], 1);
    let (sold,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM purchase_lines WHERE shop_id = $1 AND order_id = 'FAKE-1'",
    )
    .bind(DEMO_SHOP_ID)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(sold, 0, "no sale recorded");
    let after = app
        .get(&format!(
            "/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&limit=1"
        ))
        .await
        .json();
    assert_eq!(
        after["items"][0]["sku"], before["items"][0]["sku"],
        "the top seller is unchanged"
    );
}

/// A product of the demo catalogue far from the top sellers.
const SOCKS_FOR_POISON: &str = "AH-1035";

#[tokio::test]
async fn the_report_saturates_instead_of_failing_on_sums_beyond_64_bits() {
    let app = spawn_app().await;
    let t = start();
    consent(&app, LAPTOP, Some("K-OV1")).await;
    clicked(&app, LAPTOP, Some("K-OV1"), "home", COAT, t).await;
    web_order(&app, "K-OV1", "OV-1", &[(COAT, 1, 19900)], t + HOUR).await;
    // Lines no API accepts (each near i64::MAX), written straight into the sales table, as a
    // long history of large orders would add up.
    for (order, line_no) in [("OV-2", 0), ("OV-3", 0)] {
        sqlx::query(
            "INSERT INTO purchase_lines (shop_id, order_id, line_no, sku, quantity,
                 unit_price_minor, channel, customer_id, purchased_at, profile_id, currency)
             SELECT shop_id, $1, $2, sku, 1, $3, channel, customer_id, purchased_at + 1,
                    profile_id, currency
             FROM purchase_lines WHERE shop_id = $4 AND order_id = 'OV-1'",
        )
        .bind(order)
        .bind(line_no)
        .bind(i64::MAX / 2 + 1)
        .bind(DEMO_SHOP_ID)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let report = report_from(&app, t - DAY, 7).await;
    let (orders, revenue) = attributed(&report, "home", "web");
    assert_eq!(orders, 3);
    assert_eq!(revenue, i64::MAX, "saturated, not wrapped or failed");
}
