//! Shops, keys and the `shop` command line.

use std::process::Command;

use axum::http::StatusCode;
use vitrine_server::shops::{self, KeyKind};

use serde_json::json;
use vitrine_server::demo::{DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY};

use crate::cart_recovery::secret;
use crate::helpers::{assert_error, database_url, spawn_app, STOREFRONT};

#[tokio::test]
async fn a_created_shop_answers_with_its_new_key_and_stores_only_digests() {
    let app = spawn_app().await;
    let created = shops::create(
        &app.db,
        &app.master_key,
        Some("muster"),
        "Muster",
        &["https://muster.example".into()],
        "opt_in",
        1,
    )
    .await
    .unwrap();
    assert!(created.publishable_key.starts_with("pk_live_") && created.publishable_key.len() == 40);
    assert!(created.secret_key.starts_with("sk_live_") && created.secret_key.len() == 40);
    let answer = app
        .get(&format!(
            "/v1/recommendations?key={}",
            created.publishable_key
        ))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT publishable_key_hash, secret_key_hash FROM shops WHERE id = 'muster'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let (publishable, secret) = &stored[0];
    assert_eq!(publishable, &shops::key_digest(&created.publishable_key));
    assert_eq!(secret, &shops::key_digest(&created.secret_key));
    assert!(!publishable.contains(&created.publishable_key[8..]));
}

#[tokio::test]
async fn keys_are_random_and_never_repeat() {
    let keys: std::collections::HashSet<String> = (0..1000)
        .map(|_| shops::generate_key(KeyKind::Secret))
        .collect();
    assert_eq!(keys.len(), 1000);
    assert!(keys
        .iter()
        .all(|key| key[8..].bytes().all(|b| b.is_ascii_alphanumeric())));
}

#[tokio::test]
async fn a_rotated_secret_key_is_sealed_again_and_the_old_one_is_refused() {
    let app = spawn_app().await;
    let created = shops::create(
        &app.db,
        &app.master_key,
        Some("sec"),
        "Sec",
        &[],
        "opt_in",
        1,
    )
    .await
    .unwrap();
    assert_eq!(
        shops::secret_key(&app.db, &app.master_key, "sec")
            .await
            .unwrap(),
        created.secret_key
    );
    let new_key = shops::rotate_key(&app.db, &app.master_key, "sec", KeyKind::Secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        shops::secret_key(&app.db, &app.master_key, "sec")
            .await
            .unwrap(),
        new_key
    );
    assert_eq!(
        shops::by_secret_key(&app.db, &created.secret_key)
            .await
            .unwrap(),
        None
    );
    assert!(shops::by_secret_key(&app.db, &new_key)
        .await
        .unwrap()
        .is_some());
    // Rotating the publishable key leaves the secret key as it was.
    shops::rotate_key(&app.db, &app.master_key, "sec", KeyKind::Publishable)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        shops::secret_key(&app.db, &app.master_key, "sec")
            .await
            .unwrap(),
        new_key
    );
    let (sealed,): (String,) =
        sqlx::query_as("SELECT secret_key_sealed FROM shops WHERE id = 'sec'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(!sealed.contains(&new_key));
}

#[tokio::test]
async fn a_rotated_key_stops_working_at_once() {
    let app = spawn_app().await;
    let created = shops::create(
        &app.db,
        &app.master_key,
        Some("rot"),
        "Rot",
        &[],
        "opt_in",
        1,
    )
    .await
    .unwrap();
    let new_key = shops::rotate_key(&app.db, &app.master_key, "rot", KeyKind::Publishable)
        .await
        .unwrap()
        .unwrap();
    assert_error(
        &app.get(&format!(
            "/v1/recommendations?key={}",
            created.publishable_key
        ))
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_key",
    );
    let answer = app.get(&format!("/v1/recommendations?key={new_key}")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        shops::rotate_key(&app.db, &app.master_key, "no-such-shop", KeyKind::Secret)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn shop_ids_and_origins_are_validated() {
    let app = spawn_app().await;
    assert!(shops::create(
        &app.db,
        &app.master_key,
        Some("bad id!"),
        "X",
        &[],
        "opt_in",
        1
    )
    .await
    .is_err());
    assert!(shops::create(
        &app.db,
        &app.master_key,
        Some("demo"),
        "Twice",
        &[],
        "opt_in",
        1
    )
    .await
    .is_err());
    assert!(
        shops::create(&app.db, &app.master_key, None, " ", &[], "opt_in", 1)
            .await
            .is_err()
    );
    assert_eq!(
        shops::parse_origin("HTTPS://Shop.Example/").unwrap(),
        "https://shop.example"
    );
    assert_eq!(
        shops::parse_origin("http://127.0.0.1:8081").unwrap(),
        "http://127.0.0.1:8081"
    );
    for bad in [
        "shop.example",
        "ftp://shop.example",
        "https://shop.example/path",
        "https://u:p@shop.example",
        "",
    ] {
        assert!(shops::parse_origin(bad).is_err(), "{bad}");
    }
}

/// Runs `vitrine-server shop --json` with `args` on the database `url`: whether it succeeded,
/// its standard output and its standard error.
fn shop_command(url: &str, master_key: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_vitrine-server"))
        .args([
            "shop",
            "--json",
            "--database-url",
            url,
            "--master-key",
            master_key,
        ])
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).to_string();
    (
        output.status.success(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

#[tokio::test]
async fn the_shop_command_creates_lists_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).await;
    let (_, master_key) = vitrine_server::storage::keyring::MasterKey::generate();
    let run = |args: &[&str]| shop_command(&url, &master_key, args);
    let (ok, out, err) = run(&[
        "create",
        "--name",
        "Muster GmbH",
        "--id",
        "muster",
        "--origin",
        "https://muster.example",
    ]);
    assert!(ok, "{err}");
    let created: serde_json::Value = serde_json::from_str(&out).unwrap();
    let secret = created["secret_key"].as_str().unwrap().to_string();
    assert_eq!(created["id"], "muster");

    let (ok, out, _) = run(&["list"]);
    assert!(ok);
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        listed[0]["allowed_origins"],
        serde_json::json!(["https://muster.example"])
    );
    assert_eq!(listed[0]["consent_default"], "opt_in");
    assert!(!out.contains(&secret), "list never shows keys");

    let (ok, out, _) = run(&["rotate-key", "--shop", "muster", "--kind", "secret"]);
    assert!(ok);
    let rotated: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_ne!(rotated["key"], secret.as_str());

    let (ok, _, err) = run(&["rotate-key", "--shop", "nobody", "--kind", "secret"]);
    assert!(!ok);
    assert!(err.contains("no shop with id `nobody`"), "{err}");
    let (ok, _, err) = run(&["create", "--name", "X", "--origin", "not an origin"]);
    assert!(!ok);
    assert!(err.contains("not an origin"), "{err}");
}

/// `GET /v1/loyalty` from a page at `origin` with the demo shop's publishable key.
async fn from_page(app: &crate::helpers::TestApp, origin: &str) -> crate::helpers::Answer {
    let uri = format!("/v1/loyalty?key={DEMO_PUBLISHABLE_KEY}");
    app.request("GET", &uri, &[("origin", origin)]).await
}

#[tokio::test]
async fn a_shop_adds_a_staging_origin_and_removes_it_again_over_the_api() {
    let app = spawn_app().await;
    let staging = "https://staging.alpenhaus.example";
    let answer = secret(
        &app,
        DEMO_SECRET_KEY,
        "GET",
        "/v1/shop/origins",
        json!(null),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let before = answer.json()["origins"].clone();
    assert!(
        before.as_array().unwrap().contains(&json!(STOREFRONT)),
        "{before}"
    );
    assert_error(
        &from_page(&app, staging).await,
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
    );

    let answer = secret(
        &app,
        DEMO_SECRET_KEY,
        "PATCH",
        "/v1/shop/origins",
        json!({"add": [staging]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.json());
    let origins = answer.json()["origins"].clone();
    assert!(
        origins.as_array().unwrap().contains(&json!(staging)),
        "{origins}"
    );
    let answer = from_page(&app, staging).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("access-control-allow-origin"), Some(staging));
    // Added twice: still once.
    let again = secret(
        &app,
        DEMO_SECRET_KEY,
        "PATCH",
        "/v1/shop/origins",
        json!({"add": [staging]}),
    )
    .await;
    assert_eq!(again.json()["origins"], origins);

    let answer = secret(
        &app,
        DEMO_SECRET_KEY,
        "PATCH",
        "/v1/shop/origins",
        json!({"remove": [staging]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["origins"], before);
    assert_error(
        &from_page(&app, staging).await,
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
    );
    // The storefront was never touched.
    assert_eq!(from_page(&app, STOREFRONT).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_bad_origin_change_is_refused_whole_and_changes_nothing() {
    let app = spawn_app().await;
    let read = || {
        secret(
            &app,
            DEMO_SECRET_KEY,
            "GET",
            "/v1/shop/origins",
            json!(null),
        )
    };
    let before = read().await.json();
    let allowed = before["origins"].as_array().unwrap().len();
    let too_many: Vec<String> = (0..=shops::MAX_ORIGINS)
        .map(|i| format!("https://m{i}.alpenhaus.example"))
        .collect();
    for (body, code, says) in [
        (
            json!({"add": ["https://ok.example", "staging.alpenhaus.example"]}),
            "invalid_body",
            "not an origin",
        ),
        (
            json!({"add": ["https://alpenhaus.example/shop"]}),
            "invalid_body",
            "no path",
        ),
        (
            json!({"remove": ["javascript:alert(1)"]}),
            "invalid_body",
            "not an origin",
        ),
        (json!({"add": too_many}), "invalid_body", "at most 100"),
        // Within one request's limit, but one more than the shop may allow in all.
        (
            json!({"add": too_many[..=shops::MAX_ORIGINS - allowed]}),
            "invalid_body",
            "at most 100 origins",
        ),
        (
            json!({"origins": ["https://x.example"]}),
            "invalid_json",
            "unknown field",
        ),
        (
            json!({"add": "https://x.example"}),
            "invalid_json",
            "invalid type",
        ),
    ] {
        let answer = secret(
            &app,
            DEMO_SECRET_KEY,
            "PATCH",
            "/v1/shop/origins",
            body.clone(),
        )
        .await;
        assert_error(&answer, StatusCode::BAD_REQUEST, code);
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(says), "{body}: {message}");
        assert_eq!(read().await.json(), before, "{body} changed something");
    }
    // Only the shop's own secret key: not its publishable key, not another shop's.
    let answer = secret(
        &app,
        DEMO_PUBLISHABLE_KEY,
        "PATCH",
        "/v1/shop/origins",
        json!({"add": ["https://evil.example"]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = secret(
        &app,
        "sk_test_other_shop",
        "PATCH",
        "/v1/shop/origins",
        json!({"add": ["https://evil.example"]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        read().await.json(),
        before,
        "another shop's key changed this shop"
    );
}

#[tokio::test]
async fn the_shop_command_adds_and_removes_origins() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).await;
    let (_, master_key) = vitrine_server::storage::keyring::MasterKey::generate();
    let run = |args: &[&str]| shop_command(&url, &master_key, args);
    let (ok, _, err) = run(&[
        "create",
        "--name",
        "Muster",
        "--id",
        "muster",
        "--origin",
        "https://muster.example",
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&[
        "configure",
        "--shop",
        "muster",
        "--add-origin",
        "https://staging.muster.example",
        "--add-origin",
        "http://127.0.0.1:8081",
        "--remove-origin",
        "https://muster.example",
    ]);
    assert!(ok, "{err}");
    let changed: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(
        changed["origins"],
        json!(["http://127.0.0.1:8081", "https://staging.muster.example"])
    );
    let (_, out, _) = run(&["list"]);
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["allowed_origins"], changed["origins"]);

    let (ok, _, err) = run(&[
        "configure",
        "--shop",
        "muster",
        "--add-origin",
        "muster.example",
    ]);
    assert!(!ok);
    assert!(err.contains("not an origin"), "{err}");
    let (ok, _, err) = run(&[
        "configure",
        "--shop",
        "nobody",
        "--add-origin",
        "https://x.example",
    ]);
    assert!(!ok);
    assert!(err.contains("no shop with id `nobody`"), "{err}");
    let (_, out, _) = run(&["list"]);
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        listed[0]["allowed_origins"], changed["origins"],
        "refused runs changed nothing"
    );
}
