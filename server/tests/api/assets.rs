//! The loader and the hashed bundle files.

use std::io::Read;

use axum::http::StatusCode;

use crate::helpers::{assert_error, spawn_app, spawn_app_with_bundle};

#[tokio::test]
async fn the_loader_names_the_hashed_files_and_is_cached_briefly() {
    let app = spawn_app().await;
    let answer = app.get("/v1/vitrine.js").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        answer.header("cache-control"),
        Some("public, max-age=300, stale-while-revalidate=3600")
    );
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    let loader = String::from_utf8(answer.body).unwrap();
    assert!(loader.contains("widgets-abc123.js"), "{loader}");
    assert!(loader.contains("widgets-abc123_bg.wasm"), "{loader}");
    assert!(loader.contains("widgets-def456.css"), "{loader}");
    assert!(!loader.contains("__VITRINE_"), "{loader}");
}

#[tokio::test]
async fn hashed_files_have_their_mime_type_and_are_cached_for_a_year() {
    let app = spawn_app().await;
    for (file, mime) in [
        ("widgets-abc123_bg.wasm", "application/wasm"),
        ("widgets-abc123.js", "text/javascript; charset=utf-8"),
        ("widgets-def456.css", "text/css; charset=utf-8"),
    ] {
        let answer = app.get(&format!("/v1/assets/{file}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{file}");
        assert_eq!(answer.header("content-type"), Some(mime), "{file}");
        assert_eq!(
            answer.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    }
}

#[tokio::test]
async fn files_are_sent_brotli_or_gzip_as_accepted_and_decode_to_the_original() {
    let app = spawn_app().await;
    let uri = "/v1/assets/widgets-abc123_bg.wasm";
    let raw = app.get(uri).await;
    assert_eq!(raw.header("content-encoding"), None);
    assert_eq!(&raw.body[..4], b"\0asm");

    let br = app
        .request("GET", uri, &[("accept-encoding", "gzip, deflate, br")])
        .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("vary"), Some("Accept-Encoding"));
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&br.body[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, raw.body);
    assert!(br.body.len() < raw.body.len());

    let gzip = app
        .request("GET", uri, &[("accept-encoding", "gzip, br;q=0")])
        .await;
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gzip.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, raw.body);
}

#[tokio::test]
async fn a_matching_etag_is_answered_304() {
    let app = spawn_app().await;
    let first = app.get("/v1/vitrine.js").await;
    let etag = first.header("etag").expect("etag").to_string();
    let again = app
        .request("GET", "/v1/vitrine.js", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn each_coding_has_its_own_strong_etag_and_revalidates_with_it() {
    let app = spawn_app().await;
    let uri = "/v1/assets/widgets-abc123_bg.wasm";
    let mut etags = Vec::new();
    for accepted in ["identity", "gzip", "br"] {
        let answer = app
            .request("GET", uri, &[("accept-encoding", accepted)])
            .await;
        let etag = answer.header("etag").expect("etag").to_string();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong: {etag}"
        );
        let again = app
            .request(
                "GET",
                uri,
                &[("accept-encoding", accepted), ("if-none-match", &etag)],
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{accepted}");
        assert_eq!(again.header("etag"), Some(etag.as_str()), "{accepted}");
        etags.push(etag);
    }
    etags.dedup();
    assert_eq!(etags.len(), 3, "one validator per coding: {etags:?}");

    // A copy in another coding is not the one asked for: the whole file comes.
    let other = app
        .request(
            "GET",
            uri,
            &[("accept-encoding", "gzip"), ("if-none-match", &etags[2])],
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.header("content-encoding"), Some("gzip"));
    assert_eq!(other.header("etag"), Some(etags[1].as_str()));
}

#[tokio::test]
async fn unknown_assets_are_a_json_404() {
    let app = spawn_app().await;
    assert_error(
        &app.get("/v1/assets/widgets-000000_bg.wasm").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &app.get("/v1/assets/index.html").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &app.get("/v1/assets/..%2FCargo.toml").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn without_a_built_bundle_the_loader_is_a_json_503_and_the_api_still_works() {
    let app = spawn_app_with_bundle(false).await;
    assert_error(
        &app.get("/v1/vitrine.js").await,
        StatusCode::SERVICE_UNAVAILABLE,
        "bundle_unavailable",
    );
    let health = app.get("/healthz").await;
    assert_eq!(health.json()["bundle"], false);
    let recs = app.get("/v1/recommendations?key=pk_demo_alpenhaus").await;
    assert_eq!(recs.status, StatusCode::OK);
}
