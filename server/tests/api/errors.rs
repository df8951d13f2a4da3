//! Every rejection is a JSON error with a stable code, and changes nothing.

use axum::http::StatusCode;
use vitrine_server::demo::DEMO_PUBLISHABLE_KEY;

use crate::helpers::{assert_error, spawn_app};

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
