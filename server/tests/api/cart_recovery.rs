//! Cart recovery on the demo shop's rules (idle 30 min, from 20 €, 10 % coupon valid 7 days
//! once per 30 days, 3 shows per 24 h, quiet 72 h after a dismissal): time is moved with the
//! app's clock, never waited for. A cart is offered only to its own shopper, on any of her
//! devices, never once its lines were bought (online or at a till); coupons are made once
//! per offer and used once even when two tills race for them.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::{identity, unix_now};

use crate::events::{bearer, bulk};
use crate::helpers::{assert_error, spawn_app, Answer, TestApp, OTHER_SHOP_KEY};

const PHONE: &str = "v_cart_phone_0123456789";
const LAPTOP: &str = "v_cart_laptop_0123456789";
const STRANGER: &str = "v_cart_stranger_0123456789";
const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// SKUs of the demo catalogue: 199,00 €, 79,90 €, 34,90 €, 6,90 €.
const COAT: &str = "AH-1003";
const SHIRT: &str = "AH-1004";
const CAP: &str = "AH-1006";
const SOCKS: &str = "AH-1035";

static EVENT: AtomicU32 = AtomicU32::new(0);

pub fn token(customer: &str) -> String {
    identity::sign(DEMO_SECRET_KEY, customer, unix_now() + 600)
}

/// The browser (signed in as `customer`, if any) allows tracking and personalisation.
pub async fn consent(app: &TestApp, visitor: &str, customer: Option<&str>) {
    let mut body = json!({"visitor_id": visitor, "tracking": true, "personalisation": true,
                          "source": "banner"});
    if let Some(customer) = customer {
        body["customer_token"] = json!(token(customer));
    }
    let answer = app
        .post(
            &format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
}

/// An `add_to_cart` (positive) or `remove_from_cart` (negative) from a browser.
pub async fn cart(app: &TestApp, visitor: &str, customer: Option<&str>, sku: &str, quantity: i64) {
    let id = format!("cart-{}", EVENT.fetch_add(1, Ordering::Relaxed));
    let kind = if quantity > 0 {
        "add_to_cart"
    } else {
        "remove_from_cart"
    };
    let mut body = json!({"visitor_id": visitor, "events": [
        {"id": id, "type": kind, "sku": sku, "quantity": quantity.abs()}]});
    if let Some(customer) = customer {
        body["customer_token"] = json!(token(customer));
    }
    let answer = app
        .post(
            &format!("/v1/events?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "text/plain;charset=UTF-8")],
            body.to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(answer.json()["stored"], 1, "{}", answer.json());
}

/// A till receipt of `skus` for the customer, reported by the shop's server.
pub async fn till_purchase(app: &TestApp, customer: &str, skus: &[&str]) {
    let id = format!("till-{}", EVENT.fetch_add(1, Ordering::Relaxed));
    let line = json!({"id": id, "type": "purchase", "customer_id": customer, "order_id": id,
        "channel": "store", "store_id": "ulm-muensterplatz", "currency": "EUR",
        "lines": skus.iter().map(|sku| json!({"sku": sku, "quantity": 1, "unit_price_minor": 1000}))
            .collect::<Vec<_>>()});
    let answer = bulk(app, DEMO_SECRET_KEY, line.to_string()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(answer.json()["errors"], json!([]), "{}", answer.json());
}

fn later(app: &TestApp, secs: i64) {
    app.state.clock.advance(secs);
}

/// `GET /v1/cart-recovery` with `who` (`visitor_id=…&customer_token=…`).
async fn ask(app: &TestApp, who: &str) -> Answer {
    app.get(&format!(
        "/v1/cart-recovery?key={DEMO_PUBLISHABLE_KEY}&{who}"
    ))
    .await
}

/// The offer the browser gets now, or `Value::Null`.
async fn offer(app: &TestApp, who: &str) -> Value {
    let answer = ask(app, who).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    answer.json()["offer"].clone()
}

fn visitor(visitor: &str) -> String {
    format!("visitor_id={visitor}")
}

fn signed_in(visitor: &str, customer: &str) -> String {
    format!("visitor_id={visitor}&customer_token={}", token(customer))
}

fn lines(offer: &Value) -> Vec<(String, i64)> {
    offer["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line["sku"].as_str().unwrap().to_string(),
                line["quantity"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn action(app: &TestApp, body: Value) -> Answer {
    app.post(
        &format!("/v1/cart-recovery/actions?key={DEMO_PUBLISHABLE_KEY}"),
        &[("content-type", "text/plain;charset=UTF-8")],
        body.to_string(),
    )
    .await
}

async fn act(app: &TestApp, visitor: &str, customer: Option<&str>, offer_id: &str, what: &str) {
    let mut body = json!({"visitor_id": visitor, "offer_id": offer_id, "action": what});
    if let Some(customer) = customer {
        body["customer_token"] = json!(token(customer));
    }
    let answer = action(app, body).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.json());
}

/// A request with the shop's secret `key` (a JSON body for methods that carry one).
pub async fn secret(app: &TestApp, key: &str, method: &str, uri: &str, body: Value) -> Answer {
    let auth = bearer(key);
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    if method == "GET" || method == "DELETE" {
        app.request(method, uri, &headers[..1]).await
    } else {
        app.send_body(method, uri, &headers, body.to_string()).await
    }
}

fn rules(changes: Value) -> Value {
    let mut rules = json!({"idle_minutes": 30,
        "min_cart_value": {"amount_minor": 2000, "currency": "EUR"},
        "coupon": {"percent": 10, "validity_days": 7}, "coupon_once_per_days": 30,
        "max_shows": 3, "show_window_hours": 24, "quiet_hours_after_dismiss": 72,
        "cart_url": "/warenkorb", "coupons_for_anonymous": false,
        "max_coupons_per_day": 500});
    for (key, value) in changes.as_object().unwrap() {
        rules[key] = value.clone();
    }
    rules
}

async fn set_rules(app: &TestApp, rules: Value) {
    let answer = secret(
        app,
        DEMO_SECRET_KEY,
        "PUT",
        "/v1/cart-recovery/rules",
        rules.clone(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(answer.json(), rules);
}

#[tokio::test]
async fn a_cart_is_offered_only_after_the_idle_time_with_current_prices_and_a_coupon() {
    let app = spawn_app().await;
    // A shop that gives anonymous carts coupons too (the default gives them to customers).
    set_rules(&app, rules(json!({"coupons_for_anonymous": true}))).await;
    consent(&app, PHONE, None).await;
    cart(&app, PHONE, None, COAT, 1).await;
    cart(&app, PHONE, None, CAP, 2).await;
    assert_eq!(offer(&app, &visitor(PHONE)).await, Value::Null);
    later(&app, 29 * MINUTE);
    assert_eq!(offer(&app, &visitor(PHONE)).await, Value::Null);
    later(&app, 2 * MINUTE);
    let first = offer(&app, &visitor(PHONE)).await;
    assert_eq!(
        lines(&first),
        vec![(COAT.to_string(), 1), (CAP.to_string(), 2)]
    );
    assert_eq!(
        first["lines"][0]["unit_price"],
        json!({"amount_minor": 19900, "currency": "EUR"})
    );
    assert_eq!(
        first["lines"][0]["title"].as_str().map(str::is_empty),
        Some(false)
    );
    assert_eq!(
        first["total"],
        json!({"amount_minor": 19900 + 2 * 3490, "currency": "EUR"})
    );
    assert_eq!(first["cart_url"], "/warenkorb");
    assert!(first["last_activity_at"].as_i64().unwrap() <= unix_now());
    let coupon = &first["coupon"];
    assert_eq!(coupon["percent"], 10, "{first}");
    assert_eq!(coupon["value"]["currency"], "EUR");
    // Valid for 7 days from the (moved) clock's now, give or take the second it took.
    let expires_in = coupon["expires_at"].as_i64().unwrap() - app.state.clock.now();
    assert!(
        (7 * DAY - 2..=7 * DAY).contains(&expires_in),
        "{expires_in}"
    );
    assert_eq!(coupon["code"].as_str().unwrap().len(), 19);
    // The same cart: the same offer and the same coupon, not a new one.
    let again = offer(&app, &visitor(PHONE)).await;
    assert_eq!(again["offer_id"], first["offer_id"]);
    assert_eq!(again["coupon"]["code"], first["coupon"]["code"]);
    assert_eq!(app.count("coupons", DEMO_SHOP_ID).await, 1);
    // The current price, not the one when it was added.
    let answer = secret(
        &app,
        DEMO_SECRET_KEY,
        "GET",
        &format!("/v1/coupons/{}", coupon["code"].as_str().unwrap()),
        Value::Null,
    )
    .await;
    assert_eq!(answer.json()["percent"], 10);
    // Carts older than 30 days are forgotten.
    later(&app, 31 * DAY);
    assert_eq!(offer(&app, &visitor(PHONE)).await, Value::Null);
}

#[tokio::test]
async fn a_cart_is_never_offered_to_another_browser_or_customer() {
    let app = spawn_app().await;
    consent(&app, PHONE, Some("K-CR1")).await;
    consent(&app, STRANGER, Some("K-CR2")).await;
    cart(&app, PHONE, Some("K-CR1"), COAT, 1).await;
    later(&app, HOUR);
    assert!(offer(&app, &signed_in(PHONE, "K-CR1")).await.is_object());
    assert_eq!(offer(&app, &visitor(STRANGER)).await, Value::Null);
    assert_eq!(
        offer(&app, &signed_in(STRANGER, "K-CR2")).await,
        Value::Null
    );
    // A stranger's browser naming her customer id without a valid token gets a 401.
    let forged = format!("visitor_id={STRANGER}&customer_token=K-CR1.9999999999.00");
    assert_error(
        &ask(&app, &forged).await,
        StatusCode::UNAUTHORIZED,
        "invalid_customer_token",
    );
    // Without any id: 400; another shop without rules: 404.
    assert_error(
        &ask(&app, "").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
    // A shop without rules: nothing to show, not an error on its pages.
    let other = app
        .get(&format!(
            "/v1/cart-recovery?key={OTHER_SHOP_KEY}&visitor_id={PHONE}"
        ))
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.json(), json!({}));
}

#[tokio::test]
async fn a_cart_left_on_the_phone_is_recovered_on_the_laptop_of_the_same_customer() {
    let app = spawn_app().await;
    consent(&app, PHONE, Some("K-CR3")).await;
    cart(&app, PHONE, Some("K-CR3"), SHIRT, 1).await;
    later(&app, HOUR);
    // The laptop's visitor id never saw the cart; the customer token brings it.
    let on_laptop = offer(&app, &signed_in(LAPTOP, "K-CR3")).await;
    assert_eq!(lines(&on_laptop), vec![(SHIRT.to_string(), 1)]);
    assert_eq!(offer(&app, &visitor(LAPTOP)).await, Value::Null);
    // Only the token, no visitor id yet.
    let token_only = offer(&app, &format!("customer_token={}", token("K-CR3"))).await;
    assert_eq!(token_only["offer_id"], on_laptop["offer_id"]);
    // The phone, signed in, sees the same offer.
    let on_phone = offer(&app, &signed_in(PHONE, "K-CR3")).await;
    assert_eq!(on_phone["offer_id"], on_laptop["offer_id"]);
    assert_eq!(on_phone["coupon"]["code"], on_laptop["coupon"]["code"]);
}

#[tokio::test]
async fn a_till_purchase_of_the_same_skus_by_the_same_customer_cancels_the_offer() {
    let app = spawn_app().await;
    consent(&app, PHONE, Some("K-CR4")).await;
    cart(&app, PHONE, Some("K-CR4"), COAT, 1).await;
    cart(&app, PHONE, Some("K-CR4"), SHIRT, 1).await;
    // Another customer's receipt of the same SKUs changes nothing.
    till_purchase(&app, "K-OTHER", &[COAT, SHIRT]).await;
    later(&app, HOUR);
    let before = offer(&app, &signed_in(PHONE, "K-CR4")).await;
    assert_eq!(lines(&before).len(), 2);
    // Bought one of them in the store: the other is still open (a new cart, a new offer).
    till_purchase(&app, "K-CR4", &[COAT]).await;
    let partial = offer(&app, &signed_in(PHONE, "K-CR4")).await;
    assert_eq!(lines(&partial), vec![(SHIRT.to_string(), 1)]);
    assert_ne!(partial["offer_id"], before["offer_id"]);
    // And the rest too: never offered again, on any device.
    till_purchase(&app, "K-CR4", &[SHIRT]).await;
    later(&app, HOUR);
    assert_eq!(offer(&app, &signed_in(PHONE, "K-CR4")).await, Value::Null);
    assert_eq!(offer(&app, &signed_in(LAPTOP, "K-CR4")).await, Value::Null);
}

#[tokio::test]
async fn removals_count_and_small_carts_are_not_recovered() {
    let app = spawn_app().await;
    consent(&app, PHONE, None).await;
    cart(&app, PHONE, None, SOCKS, 3).await;
    cart(&app, PHONE, None, COAT, 1).await;
    cart(&app, PHONE, None, COAT, -1).await;
    cart(&app, PHONE, None, SOCKS, -1).await;
    later(&app, HOUR);
    // 2 × 6,90 € = 13,80 €: under the shop's 20 €.
    assert_eq!(offer(&app, &visitor(PHONE)).await, Value::Null);
    set_rules(
        &app,
        rules(json!({"min_cart_value": {"amount_minor": 1380, "currency": "EUR"}})),
    )
    .await;
    let offer = offer(&app, &visitor(PHONE)).await;
    assert_eq!(lines(&offer), vec![(SOCKS.to_string(), 2)]);
    assert_eq!(offer["total"]["amount_minor"], 1380);
}

#[tokio::test]
async fn a_coupon_is_given_once_per_period_as_an_amount_or_a_percentage() {
    let app = spawn_app().await;
    set_rules(
        &app,
        rules(
            json!({"coupon": {"amount": {"amount_minor": 500, "currency": "EUR"},
                                "validity_days": 3},
                     "coupon_once_per_days": 1}),
        ),
    )
    .await;
    consent(&app, PHONE, Some("K-CR5")).await;
    cart(&app, PHONE, Some("K-CR5"), COAT, 1).await;
    later(&app, HOUR);
    let first = offer(&app, &signed_in(PHONE, "K-CR5")).await;
    assert_eq!(
        first["coupon"]["value"],
        json!({"amount_minor": 500, "currency": "EUR"})
    );
    assert_eq!(first["coupon"].get("percent"), None);
    // A changed cart is a new offer, without a coupon within the day …
    cart(&app, PHONE, Some("K-CR5"), CAP, 1).await;
    let second = offer(&app, &signed_in(PHONE, "K-CR5")).await;
    assert_ne!(second["offer_id"], first["offer_id"]);
    assert_eq!(second.get("coupon"), None, "{second}");
    // … and with one after it.
    later(&app, DAY);
    let third = offer(&app, &signed_in(PHONE, "K-CR5")).await;
    assert_eq!(third["offer_id"], second["offer_id"]);
    assert_eq!(third["coupon"]["value"]["amount_minor"], 500);
    assert_ne!(third["coupon"]["code"], first["coupon"]["code"]);
    // A used coupon is not shown again.
    let answer = secret(
        &app,
        DEMO_SECRET_KEY,
        "POST",
        "/v1/coupons/redeem",
        json!({"code": third["coupon"]["code"], "order_id": "O-CR5"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let fourth = offer(&app, &signed_in(PHONE, "K-CR5")).await;
    assert_eq!(fourth.get("coupon"), None, "{fourth}");
}

#[tokio::test]
async fn the_dialog_is_capped_across_devices_and_stays_away_after_a_dismissal() {
    let app = spawn_app().await;
    consent(&app, PHONE, Some("K-CR6")).await;
    cart(&app, PHONE, Some("K-CR6"), COAT, 1).await;
    later(&app, HOUR);
    let offer_id = offer(&app, &signed_in(PHONE, "K-CR6")).await["offer_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Shown twice on the phone, once on the laptop: the cap of 3 a day is reached everywhere.
    act(&app, PHONE, Some("K-CR6"), &offer_id, "shown").await;
    act(&app, PHONE, Some("K-CR6"), &offer_id, "shown").await;
    act(&app, LAPTOP, Some("K-CR6"), &offer_id, "shown").await;
    assert_eq!(offer(&app, &signed_in(PHONE, "K-CR6")).await, Value::Null);
    assert_eq!(offer(&app, &signed_in(LAPTOP, "K-CR6")).await, Value::Null);
    later(&app, 24 * HOUR + MINUTE);
    assert!(offer(&app, &signed_in(LAPTOP, "K-CR6")).await.is_object());
    // Dismissed on the laptop (only the token): quiet for 72 hours on the phone too.
    let answer = action(
        &app,
        json!({"customer_token": token("K-CR6"), "offer_id": offer_id, "action": "dismissed"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(offer(&app, &signed_in(PHONE, "K-CR6")).await, Value::Null);
    later(&app, 71 * HOUR);
    assert_eq!(offer(&app, &signed_in(PHONE, "K-CR6")).await, Value::Null);
    later(&app, 2 * HOUR);
    assert_eq!(
        offer(&app, &signed_in(PHONE, "K-CR6")).await["offer_id"],
        json!(offer_id)
    );
    act(&app, PHONE, Some("K-CR6"), &offer_id, "clicked").await;
    assert_eq!(app.count("cart_recovery_actions", DEMO_SHOP_ID).await, 5);
}

#[tokio::test]
async fn actions_are_recorded_only_for_the_callers_own_offers() {
    let app = spawn_app().await;
    consent(&app, PHONE, Some("K-CR7")).await;
    consent(&app, STRANGER, Some("K-CR8")).await;
    cart(&app, PHONE, Some("K-CR7"), COAT, 1).await;
    later(&app, HOUR);
    let offer_id = offer(&app, &signed_in(PHONE, "K-CR7")).await["offer_id"].clone();
    let cases = [
        (
            json!({"visitor_id": PHONE, "offer_id": "cr_nope", "action": "shown"}),
            StatusCode::NOT_FOUND,
            "unknown_offer",
        ),
        (
            json!({"visitor_id": STRANGER, "customer_token": token("K-CR8"),
                   "offer_id": offer_id, "action": "dismissed"}),
            StatusCode::NOT_FOUND,
            "unknown_offer",
        ),
        (
            json!({"offer_id": offer_id, "action": "shown"}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"visitor_id": "short", "offer_id": offer_id, "action": "shown"}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            json!({"visitor_id": PHONE, "offer_id": offer_id, "action": "liked"}),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
    ];
    for (body, status, code) in cases {
        assert_error(&action(&app, body).await, status, code);
    }
    assert_eq!(app.count("cart_recovery_actions", DEMO_SHOP_ID).await, 0);
    // The stranger's attempt did not silence the owner's dialog.
    assert!(offer(&app, &signed_in(PHONE, "K-CR7")).await.is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cart_coupon_is_redeemed_exactly_once_when_two_tills_race() {
    let app = std::sync::Arc::new(spawn_app().await);
    consent(&app, PHONE, Some("K-CR9")).await;
    cart(&app, PHONE, Some("K-CR9"), COAT, 1).await;
    later(&app, HOUR);
    let code = offer(&app, &signed_in(PHONE, "K-CR9")).await["coupon"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let tasks: Vec<_> = (0..2)
        .map(|n| {
            let app = app.clone();
            let code = code.clone();
            tokio::spawn(async move {
                secret(
                    &app,
                    DEMO_SECRET_KEY,
                    "POST",
                    "/v1/coupons/redeem",
                    json!({"code": code, "order_id": format!("O-RACE-{n}")}),
                )
                .await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers.sort_by_key(|answer| answer.status);
    assert_eq!(answers[0].status, StatusCode::OK, "{}", answers[0].json());
    assert_eq!(answers[0].json()["percent"], 10);
    assert_error(&answers[1], StatusCode::CONFLICT, "coupon_redeemed");
}

#[tokio::test]
async fn rules_are_checked_when_set_and_can_be_ended() {
    let app = spawn_app().await;
    let read = secret(
        &app,
        DEMO_SECRET_KEY,
        "GET",
        "/v1/cart-recovery/rules",
        Value::Null,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json(), rules(json!({})));
    let bad = [
        json!({"idle_minutes": 0}),
        json!({"coupon": {"percent": 0, "validity_days": 7}}),
        json!({"coupon": {"percent": 101, "validity_days": 7}}),
        json!({"coupon": {"percent": 10, "amount": {"amount_minor": 5, "currency": "EUR"},
                          "validity_days": 7}}),
        json!({"coupon": {"validity_days": 7}}),
        json!({"coupon": {"percent": 10, "validity_days": 0}}),
        json!({"min_cart_value": {"amount_minor": 100, "currency": "euro"}}),
        json!({"max_shows": 0}),
        json!({"show_window_hours": 0}),
        json!({"cart_url": "javascript:alert(1)"}),
        json!({"cart_url": "//evil.example/cart"}),
    ];
    for changes in bad {
        let answer = secret(
            &app,
            DEMO_SECRET_KEY,
            "PUT",
            "/v1/cart-recovery/rules",
            rules(changes.clone()),
        )
        .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_body");
    }
    let unknown_field = secret(
        &app,
        DEMO_SECRET_KEY,
        "PUT",
        "/v1/cart-recovery/rules",
        rules(json!({"idle": 3})),
    )
    .await;
    assert_error(&unknown_field, StatusCode::BAD_REQUEST, "invalid_json");
    assert_error(
        &app.request("GET", "/v1/cart-recovery/rules", &[]).await,
        StatusCode::UNAUTHORIZED,
        "missing_key",
    );
    // The other shop's key sees the other shop's (none).
    assert_error(
        &secret(
            &app,
            "sk_test_other_shop",
            "GET",
            "/v1/cart-recovery/rules",
            Value::Null,
        )
        .await,
        StatusCode::NOT_FOUND,
        "no_cart_recovery",
    );
    let ended = secret(
        &app,
        DEMO_SECRET_KEY,
        "DELETE",
        "/v1/cart-recovery/rules",
        Value::Null,
    )
    .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT);
    let ended_answer = ask(&app, &visitor(PHONE)).await;
    assert_eq!(ended_answer.status, StatusCode::OK);
    assert_eq!(ended_answer.json(), json!({}));
    assert_error(
        &action(
            &app,
            json!({"visitor_id": PHONE, "offer_id": "cr_x", "action": "shown"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "no_cart_recovery",
    );
}

#[tokio::test]
async fn the_pickup_is_the_nearest_store_with_every_line_ready_today() {
    let app = spawn_app().await;
    // Noon in Germany on a weekday at least an hour from now: the stores are open, pickup
    // is today.
    let now = unix_now();
    let mut target = now - now.rem_euclid(DAY) + 11 * HOUR;
    // 1970-01-01 was a Thursday: day 2 is a Saturday, day 3 a Sunday.
    while target - now < HOUR || matches!((target / DAY).rem_euclid(7), 2 | 3) {
        target += DAY;
    }
    consent(&app, PHONE, None).await;
    cart(&app, PHONE, None, COAT, 1).await;
    cart(&app, PHONE, None, SHIRT, 2).await;
    later(&app, target - now);
    let sold_out: String = [COAT, SHIRT]
        .iter()
        .flat_map(|sku| {
            [
                "muenchen-schwabing",
                "muenchen-pasing",
                "augsburg-city",
                "nuernberg-lorenz",
                "stuttgart-mitte",
                "ulm-muensterplatz",
                "freiburg-altstadt",
                "salzburg-altstadt",
            ]
            .map(|store| {
                let quantity = match (store, *sku) {
                    // Pasing has one shirt too few; Augsburg has both.
                    ("muenchen-pasing", s) if s == SHIRT => 1,
                    ("muenchen-pasing" | "augsburg-city" | "ulm-muensterplatz", _) => 5,
                    _ => 0,
                };
                format!(
                    "{}\n",
                    json!({"store_id": store, "sku": sku, "quantity": quantity})
                )
            })
        })
        .collect();
    let auth = bearer(DEMO_SECRET_KEY);
    let answer = app
        .post(
            "/v1/stock",
            &[
                ("authorization", &auth),
                ("content-type", "application/x-ndjson"),
            ],
            sold_out,
        )
        .await;
    assert_eq!(answer.json()["errors"], json!([]), "{}", answer.json());
    // From Munich: Pasing is nearer but lacks a shirt; Augsburg has everything.
    let from_munich = offer(&app, &format!("{}&postcode=80331", visitor(PHONE))).await;
    let pickup = &from_munich["pickup"];
    assert_eq!(pickup["store_id"], "augsburg-city", "{from_munich}");
    assert!(pickup["distance_km"].as_f64().unwrap() > 40.0);
    assert!(pickup["ready_at"].as_str().unwrap().contains('T'));
    assert!(from_munich["lines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|line| line["available"] == true));
    // From Ulm by coordinates: Ulm.
    let from_ulm = offer(&app, &format!("{}&lat=48.3984&lon=9.9916", visitor(PHONE))).await;
    assert_eq!(from_ulm["pickup"]["store_id"], "ulm-muensterplatz");
    // Bad places are refused as availability refuses them.
    assert_error(
        &ask(&app, &format!("{}&lat=48.1", visitor(PHONE))).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
}

#[tokio::test]
async fn erasing_a_customer_removes_her_offers_and_dialog_history() {
    let app = spawn_app().await;
    consent(&app, PHONE, Some("K-CR10")).await;
    cart(&app, PHONE, Some("K-CR10"), COAT, 1).await;
    later(&app, HOUR);
    let offer_id = offer(&app, &signed_in(PHONE, "K-CR10")).await["offer_id"]
        .as_str()
        .unwrap()
        .to_string();
    act(&app, PHONE, Some("K-CR10"), &offer_id, "shown").await;
    assert_eq!(app.count("cart_offers", DEMO_SHOP_ID).await, 1);
    let erased = secret(
        &app,
        DEMO_SECRET_KEY,
        "DELETE",
        "/v1/customers/K-CR10",
        Value::Null,
    )
    .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.json());
    assert_eq!(app.count("cart_offers", DEMO_SHOP_ID).await, 0);
    assert_eq!(app.count("cart_recovery_actions", DEMO_SHOP_ID).await, 0);
    assert_eq!(app.count("coupons", DEMO_SHOP_ID).await, 0);
}

#[tokio::test]
async fn an_anonymous_cart_and_its_dismissal_follow_the_shopper_when_she_signs_in() {
    let app = spawn_app().await;
    // A shop that gives anonymous carts coupons too (the default gives them to customers).
    set_rules(&app, rules(json!({"coupons_for_anonymous": true}))).await;
    consent(&app, PHONE, None).await;
    cart(&app, PHONE, None, COAT, 1).await;
    later(&app, HOUR);
    let anonymous = offer(&app, &visitor(PHONE)).await;
    let offer_id = anonymous["offer_id"].as_str().unwrap().to_string();
    act(&app, PHONE, None, &offer_id, "dismissed").await;
    // She signs in on the phone: her visitor profile joins the customer's.
    let answer = app
        .post(
            &format!("/v1/identify?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": PHONE, "customer_token": token("K-CR11")}).to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    // The laptop, signed in, is quiet too; after the quiet period it gets the same offer.
    assert_eq!(offer(&app, &signed_in(LAPTOP, "K-CR11")).await, Value::Null);
    later(&app, 73 * HOUR);
    let on_laptop = offer(&app, &signed_in(LAPTOP, "K-CR11")).await;
    assert_eq!(on_laptop["offer_id"], json!(offer_id));
    assert_eq!(on_laptop["coupon"]["code"], anonymous["coupon"]["code"]);
}

#[tokio::test]
async fn the_browser_endpoints_answer_the_shops_origin_only() {
    let app = spawn_app().await;
    let uri = format!("/v1/cart-recovery?key={DEMO_PUBLISHABLE_KEY}&visitor_id={PHONE}");
    let answer = app
        .request("GET", &uri, &[("origin", crate::helpers::STOREFRONT)])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(crate::helpers::STOREFRONT)
    );
    assert_error(
        &app.request("GET", &uri, &[("origin", "https://evil.example")])
            .await,
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
    );
}

/// Issue 16, finding 3: ten fresh visitor ids, each with an `add_to_cart` dated two hours
/// back by its browser, used to get ten valid coupons without signing in.
#[tokio::test]
async fn fresh_visitor_ids_with_backdated_carts_farm_no_coupons() {
    let app = spawn_app().await;
    for n in 0..10 {
        let farmer = format!("v_farm_{n:02}_0123456789");
        consent(&app, &farmer, None).await;
        let backdated = json!({"visitor_id": farmer, "events": [{"id": format!("farm-{n}"),
            "type": "add_to_cart", "sku": COAT, "quantity": 1,
            "occurred_at": unix_now() - 2 * HOUR}]});
        let answer = app
            .post(
                &format!("/v1/events?key={DEMO_PUBLISHABLE_KEY}"),
                &[("content-type", "application/json")],
                backdated.to_string(),
            )
            .await;
        assert_eq!(answer.json()["stored"], 1, "{}", answer.json());
        // The browser's clock moves nothing into the past: the cart was touched just now.
        assert_eq!(offer(&app, &visitor(&farmer)).await, Value::Null);
    }
    // Even once the idle time has really passed, an anonymous cart gets no coupon.
    later(&app, 31 * MINUTE);
    for n in 0..10 {
        let offered = offer(&app, &visitor(&format!("v_farm_{n:02}_0123456789"))).await;
        assert!(offered["offer_id"].is_string(), "{offered}");
        assert_eq!(offered["coupon"], Value::Null, "{offered}");
    }
    assert_eq!(app.count("coupons", DEMO_SHOP_ID).await, 0);
}

#[tokio::test]
async fn coupons_go_only_to_signed_in_customers_unless_the_shop_says_otherwise() {
    let app = spawn_app().await;
    consent(&app, PHONE, None).await;
    cart(&app, PHONE, None, COAT, 1).await;
    consent(&app, LAPTOP, Some("K-CR40")).await;
    cart(&app, LAPTOP, Some("K-CR40"), COAT, 1).await;
    later(&app, HOUR);
    let anonymous = offer(&app, &visitor(PHONE)).await;
    assert!(anonymous["offer_id"].is_string(), "{anonymous}");
    assert_eq!(anonymous["coupon"], Value::Null);
    let signed_in_offer = offer(&app, &signed_in(LAPTOP, "K-CR40")).await;
    assert_eq!(
        signed_in_offer["coupon"]["percent"], 10,
        "{signed_in_offer}"
    );
    // A shop that wants anonymous carts to get coupons says so in its rules.
    set_rules(&app, rules(json!({"coupons_for_anonymous": true}))).await;
    let anonymous = offer(&app, &visitor(PHONE)).await;
    assert_eq!(anonymous["coupon"]["percent"], 10, "{anonymous}");
}

#[tokio::test]
async fn the_shop_gives_at_most_its_daily_cap_of_cart_recovery_coupons() {
    let app = spawn_app().await;
    set_rules(
        &app,
        rules(json!({"coupons_for_anonymous": true, "max_coupons_per_day": 2})),
    )
    .await;
    let shoppers: Vec<String> = (0..3).map(|n| format!("v_cap_{n}_0123456789")).collect();
    for shopper in &shoppers {
        consent(&app, shopper, None).await;
        cart(&app, shopper, None, COAT, 1).await;
    }
    later(&app, HOUR);
    let mut coupons = 0;
    for shopper in &shoppers {
        let offered = offer(&app, &visitor(shopper)).await;
        assert!(offered["offer_id"].is_string(), "{offered}");
        coupons += usize::from(offered["coupon"].is_object());
    }
    assert_eq!(coupons, 2, "the cap holds");
    // A day later the fence opens again.
    later(&app, DAY);
    let last = offer(&app, &visitor(&shoppers[2])).await;
    assert_eq!(last["coupon"]["percent"], 10, "{last}");
    let bad = secret(
        &app,
        DEMO_SECRET_KEY,
        "PUT",
        "/v1/cart-recovery/rules",
        rules(json!({"max_coupons_per_day": 1_000_001})),
    )
    .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_body");
}
