//! One browser, several people (issue 16, findings 1 and 2): a visitor id is an anonymous
//! handle, never a credential. Two customers signing in on one browser keep their own
//! profiles, and a visitor id alone reaches nothing of a customer who once signed in on it —
//! not after her token expired, not for the next person at the computer.

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::{identity, unix_now};

use crate::events::{browser, bulk, grant_consent, VISITOR};
use crate::helpers::{assert_error, spawn_app, TestApp};
use crate::identity::{events_of, identify};

const HOUR: i64 = 3600;

fn token(customer: &str) -> String {
    identity::sign(DEMO_SECRET_KEY, customer, unix_now() + 600)
}

/// The points balance the customer's own browser shows her.
async fn balance(app: &TestApp, customer: &str) -> i64 {
    let answer = app
        .get(&format!(
            "/v1/loyalty?key={DEMO_PUBLISHABLE_KEY}&customer_token={}",
            token(customer)
        ))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    answer.json()["balance"]
        .as_i64()
        .expect("a member's balance")
}

/// A till receipt with points for `customer`, from the shop's server.
async fn till_receipt(app: &TestApp, id: &str, customer: &str, amount_minor: i64) {
    let event = json!({"id": id, "type": "purchase", "order_id": id, "channel": "store",
        "store_id": "ulm-muensterplatz", "currency": "EUR", "customer_id": customer,
        "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": amount_minor}]});
    let answer = bulk(app, DEMO_SECRET_KEY, event.to_string()).await;
    assert_eq!(answer.json()["stored"], 1, "{}", answer.json());
}

/// The customer accepts tracking and personalisation on her own phone, signed in.
async fn consents_on_her_phone(app: &TestApp, customer: &str) {
    let phone = format!("v_phone_of_{customer}_0000");
    let answer = app
        .post(
            &format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": phone, "customer_token": token(customer), "tracking": true,
                "personalisation": true, "source": "cookie_banner"})
            .to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
}

/// The profile an id leads to (it must be linked).
async fn profile_of(app: &TestApp, kind: &str, id: &str) -> String {
    crate::identity::profile_of(app, kind, id)
        .await
        .expect("the id is linked")
}

async fn customers_of(app: &TestApp, profile: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT external_id FROM profile_ids
         WHERE shop_id = $1 AND profile_id = $2 AND kind = 'customer' ORDER BY external_id",
    )
    .bind(DEMO_SHOP_ID)
    .bind(profile)
    .fetch_all(&app.db)
    .await
    .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

async fn secret(app: &TestApp, method: &str, uri: &str) -> crate::helpers::Answer {
    crate::cart_recovery::secret(app, DEMO_SECRET_KEY, method, uri, Value::Null).await
}

#[tokio::test]
async fn two_customers_signing_in_on_one_browser_are_never_merged() {
    let app = spawn_app().await;
    till_receipt(&app, "R-SB-1", "K-SB-1", 43_000).await;
    till_receipt(&app, "R-SB-2", "K-SB-2", 32_000).await;
    let (first, second) = (balance(&app, "K-SB-1").await, balance(&app, "K-SB-2").await);
    assert!(first > 0 && second > 0 && first != second);
    consents_on_her_phone(&app, "K-SB-2").await;
    // Anonymous browsing first, then she signs in; later her flatmate signs in on it.
    grant_consent(&app, VISITOR).await;
    browser(
        &app,
        json!({"visitor_id": VISITOR, "events": [{"id": "sb-v1", "type": "view", "sku": "AH-1002"}]}),
    )
    .await;
    assert_eq!(
        identify(&app, VISITOR, &token("K-SB-1")).await.json()["linked"],
        true
    );
    assert_eq!(
        identify(&app, VISITOR, &token("K-SB-2")).await.json()["linked"],
        true
    );

    // Each keeps her own points; neither can spend the other's.
    assert_eq!(balance(&app, "K-SB-1").await, first);
    assert_eq!(balance(&app, "K-SB-2").await, second);
    let one = profile_of(&app, "customer", "K-SB-1").await;
    let two = profile_of(&app, "customer", "K-SB-2").await;
    assert_ne!(one, two, "two customers, two profiles");
    assert_eq!(customers_of(&app, &one).await, ["K-SB-1"]);
    assert_eq!(customers_of(&app, &two).await, ["K-SB-2"]);
    // The browser now belongs to whoever signed in last; the anonymous history before the
    // first sign-in stays with the first.
    assert_eq!(profile_of(&app, "visitor", VISITOR).await, two);
    let (views,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM events WHERE shop_id = $1 AND profile_id = $2 AND sku = 'AH-1002'",
    )
    .bind(DEMO_SHOP_ID)
    .bind(&one)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(views, 1);

    // Her export holds nothing of the other; erasing her leaves the other whole.
    let export = secret(&app, "GET", "/v1/customers/K-SB-2/export").await;
    assert_eq!(export.status, StatusCode::OK);
    let text = export.json().to_string();
    assert!(
        !text.contains("K-SB-1") && !text.contains("R-SB-1"),
        "{text}"
    );
    let erased = secret(&app, "DELETE", "/v1/customers/K-SB-2").await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.json());
    assert_eq!(balance(&app, "K-SB-1").await, first);
    assert_eq!(profile_of(&app, "customer", "K-SB-1").await, one);

    // Signing back in as the first takes the browser back, still without a merge.
    grant_consent(&app, "v_sharedbrowser_0002").await;
    identify(&app, "v_sharedbrowser_0002", &token("K-SB-1")).await;
    till_receipt(&app, "R-SB-3", "K-SB-3", 10_000).await;
    consents_on_her_phone(&app, "K-SB-3").await;
    identify(&app, "v_sharedbrowser_0002", &token("K-SB-3")).await;
    let three = profile_of(&app, "customer", "K-SB-3").await;
    assert_eq!(
        profile_of(&app, "visitor", "v_sharedbrowser_0002").await,
        three
    );
    let back = identify(&app, "v_sharedbrowser_0002", &token("K-SB-1")).await;
    assert_eq!(back.json()["linked"], true, "{}", back.json());
    // (A merge keeps the older profile, the smaller id within one second: re-read hers.)
    let one = profile_of(&app, "customer", "K-SB-1").await;
    assert_eq!(
        profile_of(&app, "visitor", "v_sharedbrowser_0002").await,
        one
    );
    assert_eq!(customers_of(&app, &one).await, ["K-SB-1"]);
    assert_eq!(customers_of(&app, &three).await, ["K-SB-3"]);
    assert_eq!(balance(&app, "K-SB-1").await, first);
}

#[tokio::test]
async fn a_till_receipt_naming_a_card_of_another_customer_moves_the_card_not_the_history() {
    let app = spawn_app().await;
    let receipt = |id: &str, owner: Value| {
        let mut event = json!({"id": id, "type": "purchase", "order_id": id, "channel": "store",
            "store_id": "ulm-muensterplatz", "currency": "EUR",
            "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": 5000}]});
        event
            .as_object_mut()
            .unwrap()
            .extend(owner.as_object().unwrap().clone());
        event.to_string()
    };
    for line in [
        receipt("R-C1", json!({"customer_id": "K-C1", "card": "CARD-77"})),
        receipt("R-C2", json!({"customer_id": "K-C2"})),
        // The card was handed on: the shop's server says it is K-C2's now.
        receipt("R-C3", json!({"customer_id": "K-C2", "card": "CARD-77"})),
    ] {
        let answer = bulk(&app, DEMO_SECRET_KEY, line).await;
        assert_eq!(answer.json()["errors"], json!([]), "{}", answer.json());
    }
    let one = profile_of(&app, "customer", "K-C1").await;
    let two = profile_of(&app, "customer", "K-C2").await;
    assert_ne!(one, two);
    assert_eq!(profile_of(&app, "card", "CARD-77").await, two);
    assert_eq!(customers_of(&app, &one).await, ["K-C1"]);
    assert_eq!(customers_of(&app, &two).await, ["K-C2"]);
}

#[tokio::test]
async fn a_visitor_id_alone_reads_and_changes_nothing_of_the_customer_who_signed_in_on_it() {
    let app = spawn_app().await;
    let customer = "K-SB-10";
    grant_consent(&app, VISITOR).await;
    assert_eq!(
        identify(&app, VISITOR, &token(customer)).await.json()["linked"],
        true
    );
    // She fills her cart, signed in, and leaves it.
    let cart = json!({"visitor_id": VISITOR, "customer_token": token(customer), "events": [
        {"id": "sb-c1", "type": "add_to_cart", "sku": "AH-1003", "quantity": 1}]});
    assert_eq!(browser(&app, cart).await.json()["stored"], 1);
    till_receipt(&app, "R-SB-10", customer, 24_900).await;
    app.state.clock.advance(2 * HOUR);
    let hers = profile_of(&app, "customer", customer).await;
    let her_events = events_of(&app, &hers).await;

    // Signed in: her cart, her personal recommendations.
    let with_token = format!("visitor_id={VISITOR}&customer_token={}", token(customer));
    let signed_in = app
        .get(&format!(
            "/v1/cart-recovery?key={DEMO_PUBLISHABLE_KEY}&{with_token}"
        ))
        .await;
    assert!(
        signed_in.json()["offer"]["offer_id"].is_string(),
        "{}",
        signed_in.json()
    );

    // The visitor id alone (her token gone: expired, signed out, someone else at the
    // computer): no cart, no coupon, nothing personal.
    let alone = app
        .get(&format!(
            "/v1/cart-recovery?key={DEMO_PUBLISHABLE_KEY}&visitor_id={VISITOR}"
        ))
        .await;
    assert_eq!(alone.status, StatusCode::OK);
    assert_eq!(alone.json()["offer"], Value::Null, "{}", alone.json());
    let personal = app
        .get(&format!(
            "/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&visitor_id={VISITOR}&limit=24"
        ))
        .await
        .json();
    let reasons: Vec<&str> = personal["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["reason"]["kind"].as_str())
        .collect();
    assert!(
        !reasons.contains(&"because_you_bought"),
        "a visitor id alone is told nothing of her purchases: {personal}"
    );
    // An expired token is refused, not read as the visitor id alone.
    let expired = identity::sign(DEMO_SECRET_KEY, customer, unix_now() - 3600);
    let answer = app
        .get(&format!(
            "/v1/cart-recovery?key={DEMO_PUBLISHABLE_KEY}&visitor_id={VISITOR}&customer_token={expired}"
        ))
        .await;
    assert_error(&answer, StatusCode::UNAUTHORIZED, "invalid_customer_token");

    // Her consent is hers: the visitor id alone neither reads nor overwrites it.
    let before = app
        .get(&format!(
            "/v1/consent?key={DEMO_PUBLISHABLE_KEY}&{with_token}"
        ))
        .await
        .json();
    assert_eq!(before["tracking"], true);
    let refuse = app
        .post(
            &format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": VISITOR, "tracking": false, "personalisation": false,
                "source": "x"})
            .to_string(),
        )
        .await;
    assert_eq!(refuse.status, StatusCode::OK, "{}", refuse.json());
    let after = app
        .get(&format!(
            "/v1/consent?key={DEMO_PUBLISHABLE_KEY}&{with_token}"
        ))
        .await
        .json();
    assert_eq!(after, before, "the customer's consent is unchanged");
    // The visitor id now leads to a fresh anonymous profile with that choice.
    let anonymous = profile_of(&app, "visitor", VISITOR).await;
    assert_ne!(anonymous, hers);
    assert_eq!(customers_of(&app, &anonymous).await, Vec::<String>::new());

    // What the next person browses is not added to her history.
    grant_consent(&app, VISITOR).await;
    let next = json!({"visitor_id": VISITOR, "events": [
        {"id": "sb-n1", "type": "view", "sku": "AH-1005"}]});
    assert_eq!(browser(&app, next).await.json()["stored"], 1);
    assert_eq!(events_of(&app, &hers).await, her_events);
    // Signing in again brings the browser back to her profile.
    assert_eq!(
        identify(&app, VISITOR, &token(customer)).await.json()["linked"],
        true
    );
    assert_eq!(
        profile_of(&app, "visitor", VISITOR).await,
        profile_of(&app, "customer", customer).await
    );
}
