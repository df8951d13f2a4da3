//! The master-key trap: `shop create` run from another directory without `--master-key-file`
//! must not make a new key and seal a shop's secret with it.

use std::process::Command;

use crate::support::Installation;

/// The binary under test.
const SERVER: &str = env!("CARGO_BIN_EXE_vitrine-server");

#[test]
fn shop_create_from_another_directory_refuses_and_creates_no_key_file() {
    let installation = Installation::new();
    installation.create_shop("first", "First");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let output = Command::new(SERVER)
        .args(["shop", "--database-url", &installation.database_url])
        .args(["create", "--name", "Second", "--id", "second"])
        .env_remove("VITRINE_MASTER_KEY")
        .env_remove("VITRINE_MASTER_KEY_FILE")
        .current_dir(elsewhere.path())
        .output()
        .expect("run `vitrine-server shop create`");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "`shop create` succeeded: {stderr}"
    );
    assert!(stderr.contains("--master-key-file"), "{stderr}");
    assert!(stderr.contains("vitrine-master.key"), "{stderr}");
    assert!(
        !elsewhere.path().join("vitrine-master.key").exists(),
        "a new master key file was created"
    );
    let listed = Command::new(SERVER)
        .args([
            "shop",
            "--json",
            "--database-url",
            &installation.database_url,
            "list",
        ])
        .current_dir(elsewhere.path())
        .output()
        .expect("run `vitrine-server shop list`");
    let shops = String::from_utf8_lossy(&listed.stdout);
    assert!(
        !shops.contains("\"second\""),
        "the shop was created: {shops}"
    );
}
