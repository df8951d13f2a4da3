//! Identity: customer tokens, visitor → customer links, till cards, merges.

use axum::http::StatusCode;
use serde_json::json;
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::{identity, unix_now};

use crate::events::{browser, bulk, grant_consent, VISITOR};
use crate::helpers::{assert_error, spawn_app, TestApp};

fn token(customer: &str) -> String {
    identity::sign(DEMO_SECRET_KEY, customer, unix_now() + 600)
}

pub async fn identify(app: &TestApp, visitor: &str, token: &str) -> crate::helpers::Answer {
    app.post(
        &format!("/v1/identify?key={DEMO_PUBLISHABLE_KEY}"),
        &[("content-type", "application/json")],
        json!({"visitor_id": visitor, "customer_token": token}).to_string(),
    )
    .await
}

/// The profile an id leads to.
pub async fn profile_of(app: &TestApp, kind: &str, id: &str) -> Option<String> {
    sqlx::query_as::<_, (String,)>(
        "SELECT profile_id FROM profile_ids WHERE shop_id = $1 AND kind = $2 AND external_id = $3",
    )
    .bind(DEMO_SHOP_ID)
    .bind(kind)
    .bind(id)
    .fetch_optional(&app.db)
    .await
    .unwrap()
    .map(|(p,)| p)
}

pub async fn events_of(app: &TestApp, profile: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE shop_id = $1 AND profile_id = $2")
            .bind(DEMO_SHOP_ID)
            .bind(profile)
            .fetch_one(&app.db)
            .await
            .unwrap();
    n
}

async fn till_purchase(app: &TestApp, id: &str, owner: serde_json::Value) {
    let mut event = json!({"id": id, "type": "purchase", "order_id": id, "channel": "store",
        "store_id": "ulm-muensterplatz", "currency": "EUR",
        "lines": [{"sku": "AH-1001", "quantity": 1, "unit_price_minor": 24900}]});
    event
        .as_object_mut()
        .unwrap()
        .extend(owner.as_object().unwrap().clone());
    let answer = bulk(app, DEMO_SECRET_KEY, event.to_string()).await;
    assert_eq!(answer.json()["stored"], 1, "{}", answer.json());
}

#[tokio::test]
async fn identify_joins_browser_history_and_till_purchases_under_one_customer() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    grant_consent(&app, VISITOR).await;
    browser(
        &app,
        json!({"visitor_id": VISITOR, "events": [
        {"id": "w1", "type": "view", "sku": "AH-1002"},
        {"id": "w2", "type": "add_to_cart", "sku": "AH-1002", "quantity": 1}]}),
    )
    .await;
    till_purchase(&app, "R-1", json!({"customer_id": "K-7"})).await;
    let visitor_profile = profile_of(&app, "visitor", VISITOR).await.unwrap();
    let customer_profile = profile_of(&app, "customer", "K-7").await.unwrap();
    assert_ne!(visitor_profile, customer_profile);

    let answer = identify(&app, VISITOR, &token("K-7")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json(), json!({"linked": true}));
    let joined = profile_of(&app, "visitor", VISITOR).await.unwrap();
    assert_eq!(profile_of(&app, "customer", "K-7").await.unwrap(), joined);
    assert_eq!(
        events_of(&app, &joined).await,
        3,
        "both histories, each event once"
    );
    // Identifying again moves nothing twice.
    identify(&app, VISITOR, &token("K-7")).await;
    assert_eq!(events_of(&app, &joined).await, 3);
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events + 3);
}

#[tokio::test]
async fn forged_expired_and_edited_tokens_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    grant_consent(&app, VISITOR).await;
    let profiles_before = app.count("profile_ids", DEMO_SHOP_ID).await;
    let valid = token("K-1");
    let forged = identity::sign("sk_live_not_the_shops_key", "K-1", unix_now() + 600);
    let expired = identity::sign(
        DEMO_SECRET_KEY,
        "K-1",
        unix_now() - identity::CLOCK_SKEW_SECS - 5,
    );
    let edited = valid.replacen("K-1", "K-2", 1);
    let unsigned = format!("K-1.{}", unix_now() + 600);
    for bad in [forged, expired, edited, unsigned, String::new()] {
        assert_error(
            &identify(&app, VISITOR, &bad).await,
            StatusCode::UNAUTHORIZED,
            "invalid_customer_token",
        );
        let events = browser(
            &app,
            json!({"visitor_id": VISITOR, "customer_token": bad,
            "events": [{"id": "x", "type": "view", "sku": "A"}]}),
        )
        .await;
        assert_error(&events, StatusCode::UNAUTHORIZED, "invalid_customer_token");
    }
    assert_eq!(
        app.count("profile_ids", DEMO_SHOP_ID).await,
        profiles_before
    );
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events);
    // Within the 90 s skew a just-expired token still works.
    let recent = identity::sign(DEMO_SECRET_KEY, "K-1", unix_now() - 30);
    assert_eq!(
        identify(&app, VISITOR, &recent).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_token_signed_for_another_shop_is_refused() {
    let app = spawn_app().await;
    grant_consent(&app, VISITOR).await;
    let other_shop_token = identity::sign("sk_test_other_shop", "K-1", unix_now() + 600);
    assert_error(
        &identify(&app, VISITOR, &other_shop_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_customer_token",
    );
}

#[tokio::test]
async fn a_till_receipt_with_a_card_links_in_store_purchases_to_the_customer() {
    let app = spawn_app().await;
    till_purchase(&app, "R-10", json!({"card": "4711-0001"})).await;
    let card_profile = profile_of(&app, "card", "4711-0001").await.unwrap();
    // The shop's backend knows card and customer belong together.
    till_purchase(
        &app,
        "R-11",
        json!({"card": "4711-0001", "customer_id": "K-42"}),
    )
    .await;
    let customer = profile_of(&app, "customer", "K-42").await.unwrap();
    assert_eq!(customer, card_profile);
    till_purchase(&app, "R-12", json!({"card": "4711-0001"})).await;
    assert_eq!(events_of(&app, &customer).await, 3);
}

#[tokio::test]
async fn merging_a_customer_seen_through_card_and_login_moves_history_once() {
    let app = spawn_app().await;
    till_purchase(&app, "R-20", json!({"card": "C-20"})).await;
    till_purchase(&app, "R-21", json!({"customer_id": "K-20"})).await;
    let lines_before = app.count("purchase_lines", DEMO_SHOP_ID).await;
    till_purchase(&app, "R-22", json!({"card": "C-20", "customer_id": "K-20"})).await;
    let survivor = profile_of(&app, "card", "C-20").await.unwrap();
    assert_eq!(
        profile_of(&app, "customer", "K-20").await.unwrap(),
        survivor
    );
    assert_eq!(events_of(&app, &survivor).await, 3);
    assert_eq!(
        app.count("purchase_lines", DEMO_SHOP_ID).await,
        lines_before + 1
    );
    let (on_survivor,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM purchase_lines WHERE shop_id = $1 AND profile_id = $2",
    )
    .bind(DEMO_SHOP_ID)
    .bind(&survivor)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(on_survivor, 3);
    let (merged,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM profiles WHERE shop_id = $1 AND merged_into = $2")
            .bind(DEMO_SHOP_ID)
            .bind(&survivor)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(merged, 1);
}

#[tokio::test]
async fn concurrent_identifies_of_one_customer_end_in_one_profile_with_every_event_once() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    let visitors: Vec<String> = (0..8)
        .map(|i| format!("v_concurrent_{i:04}_abcdef"))
        .collect();
    for (i, visitor) in visitors.iter().enumerate() {
        grant_consent(&app, visitor).await;
        browser(&app, json!({"visitor_id": visitor, "events": [{"id": format!("c{i}"), "type": "view", "sku": "A"}]}))
            .await;
    }
    till_purchase(&app, "R-30", json!({"customer_id": "K-30"})).await;
    let token = token("K-30");
    let calls = visitors
        .iter()
        .chain(visitors.iter())
        .map(|visitor| identify(&app, visitor, &token));
    for answer in futures_join_all(calls).await {
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
    }
    let survivor = profile_of(&app, "customer", "K-30").await.unwrap();
    for visitor in &visitors {
        assert_eq!(
            profile_of(&app, "visitor", visitor).await.unwrap(),
            survivor
        );
    }
    assert_eq!(events_of(&app, &survivor).await, 9);
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events + 9);
}

/// Runs futures at once on the test's runtime (the router is called concurrently).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for future in futures {
        set.push(future);
    }
    let mut outputs = Vec::new();
    // Poll all together: join them pairwise through tokio::join! is awkward for a Vec, so
    // drive them with a FuturesUnordered-free approach: spawn nothing, just select in order.
    let pinned: Vec<_> = set.into_iter().map(Box::pin).collect();
    for output in join_vec(pinned).await {
        outputs.push(output);
    }
    outputs
}

async fn join_vec<F: std::future::Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match std::pin::Pin::new(&mut *future).poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|output| output.expect("all ready"))
        .collect()
}

#[tokio::test]
async fn consent_is_read_for_the_callers_own_visitor_only() {
    let app = spawn_app().await;
    let read = |visitor: &'static str| {
        let app = &app;
        async move {
            app.get(&format!(
                "/v1/consent?key={DEMO_PUBLISHABLE_KEY}&visitor_id={visitor}"
            ))
            .await
            .json()
        }
    };
    assert_eq!(read(VISITOR).await["basis"], "shop_default");
    assert_eq!(read(VISITOR).await["tracking"], false, "EU default: opt-in");
    grant_consent(&app, VISITOR).await;
    let mine = read(VISITOR).await;
    assert_eq!(
        (
            mine["basis"].as_str(),
            mine["tracking"].as_bool(),
            mine["source"].as_str()
        ),
        (Some("shopper"), Some(true), Some("cookie_banner"))
    );
    assert_eq!(read("v_someone_else_0000").await["basis"], "shop_default");
}

#[tokio::test]
async fn one_bulk_request_that_links_card_and_login_midway_ends_in_one_profile() {
    let app = spawn_app().await;
    let base_events = app.count("events", DEMO_SHOP_ID).await;
    // K-50 is known from an earlier request; C-50 appears first in this one; line 3 says
    // they are one person; line 4 repeats line 1's id; line 5 comes after the merge.
    till_purchase(&app, "R-49", json!({"customer_id": "K-50"})).await;
    let view = |id: &str, owner: serde_json::Value| {
        let mut event = json!({"id": id, "type": "view", "sku": "AH-1001"});
        event
            .as_object_mut()
            .unwrap()
            .extend(owner.as_object().unwrap().clone());
        event.to_string()
    };
    let body = [
        view("m-1", json!({"card": "C-50"})),
        view("m-2", json!({"customer_id": "K-50"})),
        view("m-3", json!({"card": "C-50", "customer_id": "K-50"})),
        view("m-1", json!({"card": "C-50"})),
        view("m-4", json!({"card": "C-50"})),
    ]
    .join("\n");
    let answer = crate::events::bulk(&app, vitrine_server::demo::DEMO_SECRET_KEY, body).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["stored"], 4);
    assert_eq!(answer.json()["duplicates"], 1);
    let survivor = profile_of(&app, "customer", "K-50").await.unwrap();
    assert_eq!(profile_of(&app, "card", "C-50").await.unwrap(), survivor);
    assert_eq!(events_of(&app, &survivor).await, 5);
    assert_eq!(app.count("events", DEMO_SHOP_ID).await, base_events + 5);
    let (live,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM profiles p JOIN profile_ids i
             ON i.shop_id = p.shop_id AND i.profile_id = p.profile_id
         WHERE p.shop_id = $1 AND i.external_id IN ('K-50', 'C-50') AND p.merged_into IS NULL",
    )
    .bind(DEMO_SHOP_ID)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(live, 2, "both ids lead to the one live profile");
}
