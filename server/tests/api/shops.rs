//! Shops, keys and the `shop` command line.

use std::process::Command;

use axum::http::StatusCode;
use vitrine_server::shops::{self, KeyKind};

use crate::helpers::{assert_error, database_url, spawn_app};

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

#[tokio::test]
async fn the_shop_command_creates_lists_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path()).await;
    let (_, master_key) = vitrine_server::keyring::MasterKey::generate();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_vitrine-server"))
            .args([
                "shop",
                "--json",
                "--database-url",
                &url,
                "--master-key",
                &master_key,
            ])
            .args(args)
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string(),
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    };
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
