//! `GET /v1/batch`: the browser GETs of one page in one request. Each answer is byte for byte
//! what the endpoint says alone (status and body, errors too), with the batch's key, customer
//! token and visitor id; the batch as a whole is a browser read with CORS per shop, a strong
//! `ETag` for the browser's cache, and one rate-limit charge per sub-request.

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::demo::DEMO_PUBLISHABLE_KEY;
use vitrine_types::BatchResponse;

use crate::cart_recovery::{cart, consent, till_purchase, token};
use crate::helpers::{assert_error, spawn_app, Answer, TestApp, OTHER_SHOP_ORIGIN, STOREFRONT};

const LAPTOP: &str = "v_batch_laptop_0123456789";
const STRANGER: &str = "v_batch_stranger_0123456789";
/// Demo catalogue SKUs: a coat and a shirt.
const COAT: &str = "AH-1003";
const SHIRT: &str = "AH-1004";

/// `r=…&r=…`, each sub-request URL-encoded as the loader does.
fn subrequests(subs: &[&str]) -> String {
    subs.iter()
        .map(|sub| {
            format!(
                "r={}",
                form_urlencoded::byte_serialize(sub.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `GET /v1/batch?key=<demo>&<shared>&r=…` from the storefront's origin.
async fn batch(app: &TestApp, shared: &str, subs: &[&str], headers: &[(&str, &str)]) -> Answer {
    let uri = format!(
        "/v1/batch?key={DEMO_PUBLISHABLE_KEY}{shared}&{}",
        subrequests(subs)
    );
    let mut all = vec![("origin", STOREFRONT)];
    all.extend_from_slice(headers);
    app.request("GET", &uri, &all).await
}

/// The answers of a batch, with their bodies exactly as sent.
fn answers(answer: &Answer) -> Vec<(u16, String)> {
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let parsed: BatchResponse = serde_json::from_slice(&answer.body).expect("a batch answer");
    parsed
        .answers
        .into_iter()
        .map(|answer| (answer.status, answer.body.get().to_string()))
        .collect()
}

/// What the endpoint of `sub` answers alone, with the shared parameters added.
async fn single(app: &TestApp, shared: &str, sub: &str) -> (u16, String) {
    let separator = if sub.contains('?') { '&' } else { '?' };
    let answer = app
        .request(
            "GET",
            &format!("/v1/{sub}{separator}key={DEMO_PUBLISHABLE_KEY}{shared}"),
            &[("origin", STOREFRONT)],
        )
        .await;
    (
        answer.status.as_u16(),
        String::from_utf8(answer.body).expect("UTF-8"),
    )
}

/// The customer K-B1 on her laptop: consent to everything, a till purchase (points, history),
/// and a cart left for longer than the shop's idle time.
async fn known_customer(app: &TestApp) -> String {
    consent(app, LAPTOP, Some("K-B1")).await;
    till_purchase(app, "K-B1", &[SHIRT]).await;
    cart(app, LAPTOP, Some("K-B1"), COAT, 1).await;
    app.state.clock.advance(45 * 60);
    format!("&visitor_id={LAPTOP}&customer_token={}", token("K-B1"))
}

/// Whether a cache must keep the answer apart per `Origin` (as the CORS layer says).
fn varies_by_origin(answer: &Answer) -> bool {
    answer.headers.get_all("vary").iter().any(|value| {
        value
            .to_str()
            .unwrap()
            .split(',')
            .any(|name| name.trim().eq_ignore_ascii_case("origin"))
    })
}

const PAGE: [&str; 5] = [
    "recommendations?context=home&limit=4",
    "availability?sku=AH-1003&postcode=80331&country=DE",
    "loyalty?lines=5&currency=EUR",
    "cart-recovery",
    "consent",
];

#[tokio::test]
async fn each_answer_is_byte_for_byte_what_the_endpoint_says_alone() {
    let app = spawn_app().await;
    let shared = known_customer(&app).await;
    let mut expected = Vec::new();
    for sub in PAGE {
        expected.push(single(&app, &shared, sub).await);
    }
    let got = answers(&batch(&app, &shared, &PAGE, &[]).await);
    assert_eq!(got, expected);
    // They are her answers: personal recommendations, her points, her cart with a coupon.
    let bodies: Vec<Value> = got
        .iter()
        .map(|(_, body)| serde_json::from_str(body).unwrap())
        .collect();
    assert!(got.iter().all(|(status, _)| *status == 200), "{got:?}");
    assert!(bodies[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|item| item["sku"] != SHIRT));
    assert!(bodies[2]["balance"].as_i64().unwrap() > 0, "{}", bodies[2]);
    assert_eq!(bodies[3]["offer"]["lines"][0]["sku"], COAT);
    assert_eq!(bodies[4]["personalisation"], true);
}

#[tokio::test]
async fn errors_stand_in_the_place_of_their_sub_request_and_the_others_are_answered() {
    let app = spawn_app().await;
    let subs = [
        "recommendations?context=home&limit=99",
        "availability?sku=NO-SUCH-SKU",
        "recommendations?context=cart&cart=AH-1001",
        "events",
        "customers/K-1/export",
        "loyalty/program",
        "batch?r=consent",
        "/v1/consent",
        "recommendations?key=pk_test_other_shop",
        "loyalty?customer_token=x",
        "availability?sku=AH-1003&visitor_id=v_batch_inner_0123456789",
    ];
    let got = answers(&batch(&app, "", &subs, &[]).await);
    let summary: Vec<(u16, String)> = got
        .iter()
        .map(|(status, body)| {
            let body: Value = serde_json::from_str(body).unwrap();
            let code = body["error"]["code"].as_str().unwrap_or("ok").to_string();
            (*status, code)
        })
        .collect();
    let expected = [
        (400, "invalid_query"),
        (404, "unknown_sku"),
        (200, "ok"),
        (404, "unknown_endpoint"),
        (404, "unknown_endpoint"),
        (404, "unknown_endpoint"),
        (404, "unknown_endpoint"),
        (404, "unknown_endpoint"),
        (400, "invalid_query"),
        (400, "invalid_query"),
        (400, "invalid_query"),
    ]
    .map(|(status, code)| (status, code.to_string()));
    assert_eq!(summary, expected);
    // An error answer is the endpoint's own error, byte for byte.
    assert_eq!(got[0], single(&app, "", subs[0]).await);
    assert_eq!(got[1], single(&app, "", subs[1]).await);
    // A customer token that is not valid fails the sub-requests that read it, alone.
    let forged = format!("&visitor_id={STRANGER}&customer_token=K-B1.9999999999.00");
    let subs = ["consent", "loyalty", "recommendations"];
    let got = answers(&batch(&app, &forged, &subs, &[]).await);
    let mut expected = Vec::new();
    for sub in subs {
        expected.push(single(&app, &forged, sub).await);
    }
    assert_eq!(got, expected);
    let statuses: Vec<u16> = got.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, [200, 401, 401]);
}

#[tokio::test]
async fn a_batch_carries_one_to_twenty_sub_requests_and_only_shared_parameters() {
    let app = spawn_app().await;
    let twenty = ["consent"; 20];
    assert_eq!(answers(&batch(&app, "", &twenty, &[]).await).len(), 20);
    let refused = [
        batch(&app, "", &["consent"; 21], &[]).await,
        app.get(&format!("/v1/batch?key={DEMO_PUBLISHABLE_KEY}"))
            .await,
        batch(&app, "&limit=4", &["consent"], &[]).await,
        batch(
            &app,
            &format!("&key={DEMO_PUBLISHABLE_KEY}"),
            &["consent"],
            &[],
        )
        .await,
        batch(
            &app,
            "&visitor_id=a_visitor_0123456789&visitor_id=b_visitor_0123456789",
            &["consent"],
            &[],
        )
        .await,
    ];
    for answer in &refused {
        assert_error(answer, StatusCode::BAD_REQUEST, "invalid_query");
    }
    let keyless = app
        .get(&format!("/v1/batch?{}", subrequests(&["consent"])))
        .await;
    assert_error(&keyless, StatusCode::UNAUTHORIZED, "missing_key");
    let wrong = app
        .get(&format!(
            "/v1/batch?key=pk_nope&{}",
            subrequests(&["consent"])
        ))
        .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_key");
}

#[tokio::test]
async fn only_the_shops_origins_may_read_a_batch() {
    let app = spawn_app().await;
    let subs = subrequests(&["recommendations?context=home"]);
    let uri = format!("/v1/batch?key={DEMO_PUBLISHABLE_KEY}&{subs}");
    for origin in ["https://evil.example", OTHER_SHOP_ORIGIN] {
        let answer = app.request("GET", &uri, &[("origin", origin)]).await;
        assert_error(&answer, StatusCode::FORBIDDEN, "origin_not_allowed");
        assert_eq!(answer.header("access-control-allow-origin"), None);
    }
    let allowed = app.request("GET", &uri, &[("origin", STOREFRONT)]).await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(STOREFRONT)
    );
    let single = app
        .request(
            "GET",
            &format!("/v1/recommendations?key={DEMO_PUBLISHABLE_KEY}&context=home"),
            &[("origin", STOREFRONT)],
        )
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        single.header("access-control-allow-origin")
    );
    assert!(varies_by_origin(&allowed));
}

#[tokio::test]
async fn a_repeat_view_revalidates_with_the_etag_and_gets_a_bodiless_304() {
    let app = spawn_app().await;
    let shared = known_customer(&app).await;
    let first = batch(&app, &shared, &PAGE, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));
    let etag = first.header("etag").expect("an ETag").to_string();
    // Weak: the answers are the same in every coding the compression layer sends.
    assert!(
        etag.starts_with("W/\"") && etag.ends_with('"'),
        "a weak ETag: {etag}"
    );

    let again = batch(&app, &shared, &PAGE, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(
        again.header("access-control-allow-origin"),
        Some(STOREFRONT)
    );
    assert_eq!(again.header("cache-control"), Some("private, no-cache"));
    assert!(varies_by_origin(&again));

    // She withdraws her consent: the answers change, and so does the ETag.
    let answer = app
        .post(
            &format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "application/json")],
            json!({"visitor_id": LAPTOP, "customer_token": token("K-B1"), "tracking": false,
                   "personalisation": false, "source": "banner"})
            .to_string(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let changed = batch(&app, &shared, &PAGE, &[("if-none-match", &etag)]).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn without_personalisation_consent_the_answers_are_the_non_personal_ones_of_the_endpoints() {
    let app = spawn_app().await;
    // She bought the shirt at a till but never allowed personalisation on this browser.
    till_purchase(&app, "K-B2", &[SHIRT]).await;
    let shared = format!("&visitor_id={STRANGER}&customer_token={}", token("K-B2"));
    let subs = [
        "recommendations?context=home&limit=24",
        "cart-recovery",
        "consent",
    ];
    let got = answers(&batch(&app, &shared, &subs, &[]).await);
    let mut expected = Vec::new();
    for sub in subs {
        expected.push(single(&app, &shared, sub).await);
    }
    assert_eq!(got, expected);
    // The same list as for anyone: nothing of hers shaped it.
    let anonymous = single(&app, "", subs[0]).await;
    assert_eq!(got[0], anonymous);
    let consent: Value = serde_json::from_str(&got[2].1).unwrap();
    assert_eq!(consent["personalisation"], false);
    assert_eq!(got[1].1, "{}");
}

#[tokio::test]
async fn a_batch_counts_against_the_rate_limit_as_its_sub_requests() {
    let app = spawn_app().await.with_rate_limit(1, 5);
    let shared = format!("&visitor_id={STRANGER}");
    let first = batch(&app, &shared, &["consent"; 3], &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(answers(&first).iter().all(|(status, _)| *status == 200));
    // Two requests of the burst are left: a batch of three is refused whole.
    let second = batch(&app, &shared, &["consent"; 3], &[]).await;
    assert_error(&second, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(second.header("retry-after").is_some());
    let third = batch(&app, &shared, &["consent"; 2], &[]).await;
    assert_eq!(third.status, StatusCode::OK);
}
