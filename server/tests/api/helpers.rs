//! `spawn_app()`: a fresh database and bundle directory per test, and request helpers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;
use vitrine_server::bundle::Bundle;
use vitrine_server::http::ops::{KeyRateLimiter, RateLimit};
use vitrine_server::recommendations::Recommendations;
use vitrine_server::storage::db::{self, Db};
use vitrine_server::storage::keyring::MasterKey;

#[path = "../shared/database.rs"]
mod database;
pub use database::database_url;
use vitrine_server::shops::{self, NewShop};
use vitrine_server::{app, demo, AppState};

/// The storefront origin the demo shop is configured for in tests.
pub const STOREFRONT: &str = "http://127.0.0.1:18081";
/// A second shop, to check that shops never see each other's data.
pub const OTHER_SHOP_KEY: &str = "pk_test_other_shop";
pub const OTHER_SHOP_ORIGIN: &str = "https://other-shop.example";

/// A running (in-process) API with the demo shop and a second, empty shop.
pub struct TestApp {
    pub state: AppState,
    /// The test's database, for running the `vitrine-server` binary on it.
    pub database_url: String,
    pub db: Db,
    pub master_key: MasterKey,
    pub router: Router,
    _dir: TempDir,
}

/// An answer: status, headers and body bytes.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "body is not JSON ({err}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The SKUs of a recommendations answer, in order.
    pub fn skus(&self) -> Vec<String> {
        self.json()["items"]
            .as_array()
            .expect("items array")
            .iter()
            .map(|item| item["sku"].as_str().expect("sku").to_string())
            .collect()
    }
}

pub fn public_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../public")
}

/// Builds a bundle directory like Trunk's output, with small stand-in files.
pub fn write_bundle(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("vitrine.js"),
        "import('./assets/__VITRINE_GLUE__'); fetch('__VITRINE_WASM__'); fetch('__VITRINE_CSS__');",
    )
    .unwrap();
    std::fs::write(
        dir.join("widgets-abc123_bg.wasm"),
        b"\0asm\x01\0\0\0".repeat(200),
    )
    .unwrap();
    std::fs::write(
        dir.join("widgets-abc123.js"),
        "export default function init() {}\n".repeat(50),
    )
    .unwrap();
    std::fs::write(
        dir.join("widgets-def456.css"),
        ".vitrine { color: black; }\n".repeat(50),
    )
    .unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
}

/// Fresh database, migrated, demo shop loaded, a second shop, bundle present.
pub async fn spawn_app() -> TestApp {
    spawn_app_with_bundle(true).await
}

pub async fn spawn_app_with_bundle(with_bundle: bool) -> TestApp {
    // The server's warnings and errors in the test's captured output, shown when it fails: a
    // 500 says only "see the server log".
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = database_url(dir.path()).await;
    let db = db::connect(&database_url).await.expect("database");
    let (master_key, _) = MasterKey::generate();
    demo::load(
        &db,
        &master_key,
        &public_dir(),
        &[STOREFRONT.to_string()],
        vitrine_server::unix_now(),
    )
    .await
    .expect("demo data");
    shops::upsert(
        &db,
        &master_key,
        &NewShop {
            id: "other",
            name: "Other shop",
            publishable_key: OTHER_SHOP_KEY,
            secret_key: "sk_test_other_shop",
            allowed_origins: &[OTHER_SHOP_ORIGIN.to_string()],
        },
        0,
    )
    .await
    .expect("second shop");
    let bundle = if with_bundle {
        let bundle_dir = dir.path().join("dist");
        write_bundle(&bundle_dir);
        Some(Arc::new(Bundle::load(&bundle_dir).expect("bundle")))
    } else {
        None
    };
    let state = AppState {
        db: db.clone(),
        bundle,
        master_key: master_key.clone(),
        rate_limiter: std::sync::Arc::new(KeyRateLimiter::new(RateLimit {
            per_second: 1000,
            burst: 1000,
        })),
        request_timeout: std::time::Duration::from_secs(30),
        // Recomputed on every call, so tests see their own sales at once.
        recommendations: std::sync::Arc::new(Recommendations::new(std::time::Duration::ZERO)),
        availability: Default::default(),
        clock: Default::default(),
    };
    let router = app(state.clone());
    TestApp {
        state,
        database_url,
        db,
        master_key,
        router,
        _dir: dir,
    }
}

impl TestApp {
    /// The same app with recommendation models rebuilt every `refresh`.
    pub fn with_recommendations_refresh(mut self, refresh: std::time::Duration) -> Self {
        self.state.recommendations = std::sync::Arc::new(Recommendations::new(refresh));
        self.router = app(self.state.clone());
        self
    }

    /// The same app with a different per-key rate limit.
    pub fn with_rate_limit(mut self, per_second: u32, burst: u32) -> Self {
        self.state.rate_limiter =
            std::sync::Arc::new(KeyRateLimiter::new(RateLimit { per_second, burst }));
        self.router = app(self.state.clone());
        self
    }

    /// Sends a request with the given method, URI and headers.
    pub async fn request(&self, method: &str, uri: &str, headers: &[(&str, &str)]) -> Answer {
        self.send(method, uri, headers, Vec::new()).await
    }

    /// `POST uri` with a body.
    pub async fn post(
        &self,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> Answer {
        self.send("POST", uri, headers, body.into()).await
    }

    /// Counts the rows of `table` belonging to `shop`.
    pub async fn count(&self, table: &str, shop: &str) -> i64 {
        let (count,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE shop_id = $1"))
                .bind(shop)
                .fetch_one(&self.db)
                .await
                .expect("count");
        count
    }

    /// Any method with a body.
    pub async fn send_body(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Answer {
        self.send(method, uri, headers, body.into_bytes()).await
    }

    async fn send(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        self.send_from(None, method, uri, headers, body).await
    }

    /// A request as if it came over a connection from `peer` (what the server's
    /// `ConnectInfo` says); `None`: without a peer address, as other helpers send.
    pub async fn send_from(
        &self,
        peer: Option<std::net::SocketAddr>,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(peer) = peer {
            request = request.extension(axum::extract::ConnectInfo(peer));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body)).expect("request"))
            .await
            .expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// `GET uri` without headers.
    pub async fn get(&self, uri: &str) -> Answer {
        self.request("GET", uri, &[]).await
    }
}

/// Asserts a JSON error answer with this status and code.
pub fn assert_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(
        answer.status,
        status,
        "body: {}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let body = answer.json();
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "an error carries a message: {body}"
    );
}
