//! `GET /v1/openapi.json`: an OpenAPI 3 document that describes exactly the routes the router
//! serves, how they authenticate, and only references what it defines.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::Value;

use crate::helpers::{assert_error, spawn_app};

/// Every route of `vitrine_server::app`, method and path template, and how it authenticates.
/// A route added to the router must be added here; its entry in the document comes with it when
/// it is registered with `utoipa_axum::routes!`.
const ROUTES: &[(&str, &str, &[&str])] = &[
    ("get", "/healthz", &[]),
    ("get", "/metrics", &[]),
    ("get", "/v1/openapi.json", &[]),
    ("get", "/v1/vitrine.js", &[]),
    ("get", "/v1/assets/{file}", &[]),
    ("get", "/v1/recommendations", &["publishable_key"]),
    ("get", "/v1/availability", &["publishable_key"]),
    ("post", "/v1/events", &["publishable_key"]),
    ("post", "/v1/identify", &["publishable_key"]),
    ("get", "/v1/consent", &["publishable_key"]),
    ("post", "/v1/consent", &["publishable_key"]),
    ("post", "/v1/events/bulk", &["secret_key"]),
    ("get", "/v1/customers/{customer_id}/export", &["secret_key"]),
    ("delete", "/v1/customers/{customer_id}", &["secret_key"]),
    ("post", "/v1/products", &["secret_key"]),
    ("post", "/v1/stores", &["secret_key"]),
    ("post", "/v1/stock", &["secret_key"]),
    ("get", "/v1/loyalty", &["publishable_key"]),
    (
        "post",
        "/v1/loyalty/redemptions",
        &["publishable_key", "secret_key"],
    ),
    ("get", "/v1/loyalty/program", &["secret_key"]),
    ("put", "/v1/loyalty/program", &["secret_key"]),
    ("delete", "/v1/loyalty/program", &["secret_key"]),
    ("get", "/v1/loyalty/account", &["secret_key"]),
    ("post", "/v1/loyalty/adjustments", &["secret_key"]),
    ("get", "/v1/coupons/{code}", &["secret_key"]),
    ("post", "/v1/coupons/redeem", &["secret_key"]),
    ("get", "/v1/cart-recovery", &["publishable_key"]),
    ("post", "/v1/cart-recovery/actions", &["publishable_key"]),
    ("get", "/v1/cart-recovery/rules", &["secret_key"]),
    ("put", "/v1/cart-recovery/rules", &["secret_key"]),
    ("delete", "/v1/cart-recovery/rules", &["secret_key"]),
    ("get", "/v1/reports/attribution", &["secret_key"]),
    ("get", "/v1/recommendations/model", &["secret_key"]),
    ("get", "/v1/shop/origins", &["secret_key"]),
    ("patch", "/v1/shop/origins", &["secret_key"]),
    ("get", "/v1/batch", &["publishable_key"]),
];

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

async fn document() -> Value {
    let app = spawn_app().await;
    let answer = app.get("/v1/openapi.json").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    answer.json()
}

/// The (method, path) pairs the document describes.
fn described_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths object");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("path item object");
            item.keys()
                .filter(|key| HTTP_METHODS.contains(&key.as_str()))
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect()
}

/// A URI that reaches the route (path parameters filled in, no key).
fn concrete_uri(path: &str) -> String {
    path.replace("{file}", "no-such-file.js")
        .replace("{customer_id}", "no-such-customer")
        .replace("{code}", "NO-SUCH-CODE")
}

#[tokio::test]
async fn the_document_is_openapi_3_json_describing_every_route_of_the_router() {
    let doc = document().await;
    let version = doc["openapi"].as_str().expect("openapi version string");
    assert!(version.starts_with("3."), "OpenAPI 3, not {version}");
    assert!(doc["info"]["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(doc["info"]["version"]
        .as_str()
        .is_some_and(|v| !v.is_empty()));

    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path, _)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(described_operations(&doc), expected);

    // And the list above is the router's: the documented method is served (not 405), and the
    // path is a route (another method is a JSON 405, where an unknown path would be a 404).
    let app = spawn_app().await;
    for (method, path, _) in ROUTES {
        let uri = concrete_uri(path);
        let answer = app.request(&method.to_uppercase(), &uri, &[]).await;
        assert_ne!(
            answer.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        // No route serves TRACE.
        let answer = app.request("TRACE", &uri, &[]).await;
        assert_error(
            &answer,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        );
    }
}

#[tokio::test]
async fn every_operation_names_its_key_and_answers_and_the_schemes_exist() {
    let doc = document().await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["publishable_key"]["type"], "apiKey");
    assert_eq!(schemes["publishable_key"]["in"], "query");
    assert_eq!(schemes["publishable_key"]["name"], "key");
    assert_eq!(schemes["secret_key"]["type"], "http");
    assert_eq!(schemes["secret_key"]["scheme"], "bearer");

    for (method, path, scheme) in ROUTES {
        let operation = &doc["paths"][path][method];
        let names: Vec<&str> = operation["security"]
            .as_array()
            .map(|requirements| {
                requirements
                    .iter()
                    .flat_map(|requirement| requirement.as_object().expect("requirement").keys())
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(names, scheme.to_vec(), "{method} {path}");

        let responses = operation["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{method} {path} documents a success"
        );
        if !scheme.is_empty() {
            // Any keyed request can be malformed, refused for its key or its rate, or fail.
            for status in ["400", "401", "429", "500"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} documents {status}"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    let doc = document().await;
    let mut references = Vec::new();
    collect_references(&doc, &mut references);
    assert!(
        !references.is_empty(),
        "the document shares its schemas by reference"
    );
    for reference in references {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references: {reference}"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{reference} points at nothing"
        );
    }
    // The one error body is described once and used by the error answers.
    assert_eq!(
        doc["components"]["responses"]["Unauthorized"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/ApiErrorBody"
    );
}

fn collect_references(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(reference)) => into.push(reference.clone()),
                    _ => collect_references(item, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_references(item, into)),
        _ => {}
    }
}
