//! Every rejection is a JSON error with a stable code, and changes nothing.

use axum::http::StatusCode;
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY};

use crate::helpers::{assert_error, spawn_app, Answer, TestApp};

#[tokio::test]
async fn bad_query_strings_are_answered_400_with_a_json_error() {
    let app = spawn_app().await;
    let key = DEMO_PUBLISHABLE_KEY;
    let cases = [
        format!("/v1/recommendations?key={key}&limit=abc"),
        format!("/v1/recommendations?key={key}&limit=0"),
        format!("/v1/recommendations?key={key}&limit=25"),
        format!("/v1/recommendations?key={key}&limit=-3"),
        format!("/v1/recommendations?key={key}&limit=99999999999"),
        format!("/v1/recommendations?key={key}&limit=2.5"),
        format!("/v1/recommendations?key={key}&context=basket"),
        format!("/v1/recommendations?key={key}&context=product:"),
        format!(
            "/v1/recommendations?key={key}&context=product:{}",
            "X".repeat(129)
        ),
        format!("/v1/recommendations?key={key}&context=%FF"),
        format!("/v1/recommendations?key={key}&limit=1&limit=2"),
    ];
    for uri in cases {
        let answer = app.get(&uri).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_query");
    }
}

#[tokio::test]
async fn unknown_paths_are_a_json_404() {
    let app = spawn_app().await;
    for uri in [
        "/",
        "/v1",
        "/v1/nothing-here",
        "/v2/recommendations",
        "/healthz/extra",
    ] {
        assert_error(&app.get(uri).await, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405() {
    let app = spawn_app().await;
    let answer = app.request("DELETE", "/v1/recommendations", &[]).await;
    assert_error(
        &answer,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    let answer = app.request("POST", "/healthz", &[]).await;
    assert_error(
        &answer,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
}

#[tokio::test]
async fn health_reports_database_and_bundle() {
    let app = spawn_app().await;
    let answer = app.get("/healthz").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json(),
        serde_json::json!({"status": "ok", "bundle": true})
    );
}

/// Every endpoint that reads a JSON body, with the key it is called with: `(method, URI,
/// with the secret key)`.
fn json_body_endpoints() -> Vec<(&'static str, String, bool)> {
    let browser = |path: &str| format!("{path}?key={DEMO_PUBLISHABLE_KEY}");
    vec![
        ("POST", browser("/v1/events"), false),
        ("POST", browser("/v1/identify"), false),
        ("POST", browser("/v1/consent"), false),
        ("POST", browser("/v1/cart-recovery/actions"), false),
        ("POST", browser("/v1/loyalty/redemptions"), false),
        ("POST", "/v1/loyalty/redemptions".into(), true),
        ("PUT", "/v1/loyalty/program".into(), true),
        ("POST", "/v1/loyalty/adjustments".into(), true),
        ("POST", "/v1/coupons/redeem".into(), true),
        ("PUT", "/v1/cart-recovery/rules".into(), true),
        ("PATCH", "/v1/shop/origins".into(), true),
    ]
}

/// `body` sent to an endpoint of [`json_body_endpoints`], with `content_type` if any.
async fn send_json_body(
    app: &TestApp,
    (method, uri, secret): &(&str, String, bool),
    content_type: Option<&str>,
    body: String,
) -> Answer {
    let bearer = format!("Bearer {DEMO_SECRET_KEY}");
    let mut headers = Vec::new();
    if *secret {
        headers.push(("authorization", bearer.as_str()));
    }
    if let Some(content_type) = content_type {
        headers.push(("content-type", content_type));
    }
    app.send_body(method, uri, &headers, body).await
}

#[tokio::test]
async fn a_json_body_sent_as_another_media_type_is_a_415_naming_it() {
    let app = spawn_app().await;
    for endpoint in json_body_endpoints() {
        for content_type in [
            "application/xml",
            "text/html; charset=utf-8",
            "application/x-www-form-urlencoded",
            "application/x-ndjson",
        ] {
            let answer = send_json_body(&app, &endpoint, Some(content_type), "{}".into()).await;
            assert_error(
                &answer,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            );
            let message = answer.json()["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(
                message.contains(content_type),
                "{endpoint:?} {content_type}: {message}"
            );
        }
    }
}

#[tokio::test]
async fn malformed_json_is_a_400_naming_the_problem_whether_typed_json_text_or_untyped() {
    let app = spawn_app().await;
    let cases = [
        ("{", "EOF while parsing an object"),
        ("7", "invalid type: integer `7`"),
        ("{'visitor_id': 1}", "key must be a string"),
        ("", "EOF while parsing a value"),
    ];
    for endpoint in json_body_endpoints() {
        // `text/plain` is what `navigator.sendBeacon` sends; a missing type is read as JSON.
        for content_type in [
            Some("application/json"),
            Some("application/json; charset=utf-8"),
            Some("text/plain;charset=UTF-8"),
            None,
        ] {
            for (body, problem) in cases {
                let answer = send_json_body(&app, &endpoint, content_type, body.into()).await;
                assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_json");
                let message = answer.json()["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                assert!(
                    message.starts_with("body: ") && message.contains(problem),
                    "{endpoint:?} {content_type:?} {body:?}: {message}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_json_body_past_the_size_limit_is_a_413_whatever_its_media_type() {
    let app = spawn_app().await;
    let too_large = format!("\"{}\"", "x".repeat(1024 * 1024));
    for endpoint in json_body_endpoints() {
        for content_type in ["application/json", "application/xml"] {
            let answer =
                send_json_body(&app, &endpoint, Some(content_type), too_large.clone()).await;
            assert_error(&answer, StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large");
        }
    }
}

#[tokio::test]
async fn a_beacon_sends_consent_as_text_plain_and_it_is_recorded() {
    let app = spawn_app().await;
    let visitor = "v_beacon_0123456789";
    let body = serde_json::json!({
        "visitor_id": visitor, "tracking": true, "personalisation": false, "source": "banner",
    });
    let endpoint = json_body_endpoints().swap_remove(2);
    assert_eq!(
        endpoint.1,
        format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}")
    );
    let answer = send_json_body(
        &app,
        &endpoint,
        Some("text/plain;charset=UTF-8"),
        body.to_string(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    assert_eq!(answer.json()["tracking"], true);
    assert_eq!(answer.json()["personalisation"], false);
    assert_eq!(answer.json()["basis"], "shopper");
}
