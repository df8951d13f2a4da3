//! Issue 16, finding 9 and 10: shop links that cannot lead off-site, customer tokens and keys
//! kept out of the request log, the GDPR export of coupons and cart recovery, and a database
//! that refuses a master key other than its own.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use serde_json::{json, Value};
use vitrine_server::app::config::MasterKeyArgs;
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID};
use vitrine_server::shops;
use vitrine_server::storage::db;
use vitrine_server::storage::keyring::{self, MasterKey};

use crate::cart_recovery::{cart, consent, token};
use crate::helpers::{assert_error, database_url, spawn_app, Answer, TestApp};

/// Links a browser would resolve to another site, or not treat as a web link at all.
const OFF_SITE: [&str; 4] = [
    "/\\evil.example/x",
    "//evil.example/x",
    "\\\\evil.example",
    "javascript:alert(1)",
];
/// Links on the shop's own site, or to where it says.
const ON_SITE: [&str; 2] = ["/warenkorb", "https://shop.example/cart"];

async fn secret(app: &TestApp, method: &str, uri: &str, body: &Value) -> Answer {
    crate::cart_recovery::secret(app, DEMO_SECRET_KEY, method, uri, body.clone()).await
}

#[tokio::test]
async fn cart_and_join_links_lead_only_to_the_shops_own_pages_or_http_urls() {
    let app = spawn_app().await;
    for (uri, field) in [
        ("/v1/cart-recovery/rules", "cart_url"),
        ("/v1/loyalty/program", "join_url"),
    ] {
        let current = secret(&app, "GET", uri, &Value::Null).await.json();
        for link in OFF_SITE {
            let mut changed = current.clone();
            changed[field] = json!(link);
            let answer = secret(&app, "PUT", uri, &changed).await;
            assert_error(&answer, StatusCode::BAD_REQUEST, "invalid_body");
            assert!(
                answer.json()["error"]["message"]
                    .as_str()
                    .is_some_and(|message| message.contains(field)),
                "{field} = {link:?}: {}",
                answer.json()
            );
        }
        assert_eq!(secret(&app, "GET", uri, &Value::Null).await.json(), current);
        for link in ON_SITE {
            let mut changed = current.clone();
            changed[field] = json!(link);
            let answer = secret(&app, "PUT", uri, &changed).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "{field} = {link}: {}",
                answer.json()
            );
            assert_eq!(answer.json()[field], link);
        }
    }
}

/// A `tracing` writer into memory, for reading what was logged.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

#[tokio::test]
async fn the_request_log_holds_neither_the_customer_token_nor_the_key() {
    let app = spawn_app().await;
    let token = token("K-LOG-1");
    let signature = token.rsplit('.').next().expect("signed token").to_string();
    let log = CapturedLog::default();
    let writer = log.clone();
    // Everything, at every level, from this test's thread (its runtime runs the requests).
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let single = app
        .get(&format!(
            "/v1/loyalty?key={DEMO_PUBLISHABLE_KEY}&customer_token={token}"
        ))
        .await;
    assert_eq!(single.status, StatusCode::OK);
    let batch = app
        .get(&format!(
            "/v1/batch?key={DEMO_PUBLISHABLE_KEY}&customer_token={token}&r=loyalty%3Flines%3D2"
        ))
        .await;
    assert_eq!(batch.status, StatusCode::OK);
    // A beacon as loaders before this fix sent it: the token in the URL too.
    let beacon = app
        .post(
            &format!("/v1/consent?key={DEMO_PUBLISHABLE_KEY}&customer_token={token}"),
            &[("content-type", "text/plain;charset=UTF-8")],
            json!({"visitor_id": "v_log_0123456789abcdef", "customer_token": token,
                   "tracking": true, "personalisation": true, "source": "banner"})
            .to_string(),
        )
        .await;
    assert_eq!(beacon.status, StatusCode::OK);

    let logged = log.text();
    assert!(
        logged.contains("/v1/loyalty?") && logged.contains("/v1/consent?"),
        "the requests were logged: {logged}"
    );
    assert!(logged.contains("customer_token=[redacted]"), "{logged}");
    assert!(
        !logged.contains(&signature),
        "the token's signature was logged: {logged}"
    );
    assert!(
        !logged.contains(DEMO_PUBLISHABLE_KEY),
        "the key was logged: {logged}"
    );
}

#[tokio::test]
async fn the_export_holds_her_coupons_offers_and_dialog_actions_and_erasure_removes_them() {
    let app = spawn_app().await;
    let tables = ["coupons", "cart_offers", "cart_recovery_actions"];
    let mut before = Vec::new();
    for table in tables {
        before.push(app.count(table, DEMO_SHOP_ID).await);
    }
    // Her coat waits in the cart past the demo rules' idle time (30 min): an offer with a
    // coupon, which she dismisses.
    let phone = "v_gdpr_phone_0123456789";
    consent(&app, phone, Some("K-GDPR")).await;
    cart(&app, phone, Some("K-GDPR"), "AH-1003", 1).await;
    app.state.clock.advance(31 * 60);
    let asked = app
        .get(&format!(
            "/v1/cart-recovery?key={DEMO_PUBLISHABLE_KEY}&customer_token={}",
            token("K-GDPR")
        ))
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.json());
    let offer = asked.json()["offer"].clone();
    let offer_id = offer["offer_id"].as_str().expect("an offer").to_string();
    let code = offer["coupon"]["code"]
        .as_str()
        .expect("a coupon")
        .to_string();
    let dismissed = app
        .post(
            &format!("/v1/cart-recovery/actions?key={DEMO_PUBLISHABLE_KEY}"),
            &[("content-type", "text/plain;charset=UTF-8")],
            json!({"customer_token": token("K-GDPR"), "offer_id": offer_id,
                   "action": "dismissed"})
            .to_string(),
        )
        .await;
    assert_eq!(dismissed.status, StatusCode::NO_CONTENT);

    let export = secret(&app, "GET", "/v1/customers/K-GDPR/export", &Value::Null).await;
    assert_eq!(export.status, StatusCode::OK);
    let export = export.json();
    let coupons = export["coupons"].as_array().expect("coupons");
    assert_eq!(coupons.len(), 1, "{export}");
    assert_eq!(coupons[0]["code"], code.as_str());
    assert_eq!(coupons[0]["source"], "cart_recovery");
    assert_eq!(coupons[0]["percent"], 10);
    assert_eq!(
        export["cart_offers"],
        json!([{"offer_id": offer_id, "coupon_code": code,
                "created_at": export["cart_offers"][0]["created_at"]}])
    );
    assert!(export["cart_offers"][0]["created_at"].is_i64());
    let actions = export["cart_recovery_actions"].as_array().expect("actions");
    assert!(
        actions.iter().any(
            |action| action["offer_id"] == offer_id.as_str() && action["action"] == "dismissed"
        ),
        "{export}"
    );

    let erased = secret(&app, "DELETE", "/v1/customers/K-GDPR", &Value::Null).await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.json());
    for (table, count) in tables.into_iter().zip(before) {
        assert_eq!(app.count(table, DEMO_SHOP_ID).await, count, "{table}");
    }
}

fn key_file_args(path: &std::path::Path) -> MasterKeyArgs {
    MasterKeyArgs {
        master_key: None,
        master_key_file: path.to_path_buf(),
    }
}

#[tokio::test]
async fn a_master_key_that_is_not_the_databases_is_refused_naming_its_key_file() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vitrine-master.key");
    std::fs::write(&path, "22".repeat(32)).expect("key file");
    // A database from before the check value: the key must open its oldest shop's secret.
    let refused = key_file_args(&path)
        .load_for(&app.db)
        .await
        .expect_err("another key");
    let message = format!("{refused:#}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("--master-key-file"), "{message}");
    // Once the database's own key recorded its check value, every other key is compared with it.
    keyring::bind_to_database(&app.db, &app.master_key, "the test's key")
        .await
        .expect("the database's own key");
    let refused = key_file_args(&path)
        .load_for(&app.db)
        .await
        .expect_err("another key");
    assert!(format!("{refused:#}").contains(&path.display().to_string()));
    let given = MasterKeyArgs {
        master_key: Some("33".repeat(32)),
        master_key_file: path.clone(),
    };
    let refused = given.load_for(&app.db).await.expect_err("another key");
    assert!(format!("{refused:#}").contains("--master-key (VITRINE_MASTER_KEY)"));
    // Nothing was sealed with the refused keys: the shops' secrets still open.
    assert_eq!(
        shops::secret_key(&app.db, &app.master_key, DEMO_SHOP_ID)
            .await
            .expect("sealed with the database's key"),
        DEMO_SECRET_KEY
    );
}

#[tokio::test]
async fn no_new_key_file_is_made_for_a_database_that_has_shops() {
    let app = spawn_app().await;
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let path = elsewhere.path().join("vitrine-master.key");
    let refused = key_file_args(&path)
        .load_for(&app.db)
        .await
        .expect_err("no key file for a database with shops");
    let message = format!("{refused:#}");
    assert!(message.contains("--master-key-file"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(!path.exists(), "a key file was created");
}

#[tokio::test]
async fn a_new_database_gets_a_key_file_and_keeps_that_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db::connect(&database_url(dir.path()).await)
        .await
        .expect("database");
    let path = dir.path().join("vitrine-master.key");
    let first = key_file_args(&path)
        .load_for(&db)
        .await
        .expect("first start");
    assert!(path.exists());
    let again = key_file_args(&path).load_for(&db).await.expect("same key");
    assert_eq!(again.check_value(), first.check_value());
    let (other, _) = MasterKey::generate();
    assert!(keyring::bind_to_database(&db, &other, "a stray key")
        .await
        .is_err());
}
