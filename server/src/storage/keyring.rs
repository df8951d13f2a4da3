//! The server's master key, which seals (AES-256-GCM) the one secret the server must be able to
//! read back: each shop's secret key, the HMAC key of its customer tokens. Authentication
//! itself only ever compares digests. A copy of the database without the master key reveals
//! no usable key.
//!
//! The database remembers which key it belongs to: a check value (HMAC-SHA256 of a fixed
//! label under the key, which reveals nothing of the key) in `master_key_check`, written by
//! the first process that uses a key with it. Every later process compares before it starts,
//! so a process with another key (a key file created afresh in another working directory)
//! refuses instead of sealing new shops' secrets with a key the others do not have.

use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{bail, Context};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::storage::db::Db;

/// The master key (32 bytes), from `--master-key`/`VITRINE_MASTER_KEY` or a key file.
#[derive(Clone)]
pub struct MasterKey {
    cipher: Aes256Gcm,
    check_value: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

const SEALED_PREFIX: &str = "v1:";
/// What the check value is the HMAC of.
const CHECK_LABEL: &[u8] = b"vitrine master key check v1";

impl MasterKey {
    /// A key from 64 hex characters.
    pub fn from_hex(hex_key: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(hex_key.trim()).context("the master key is not hex")?;
        if bytes.len() != 32 {
            bail!(
                "the master key must be 32 bytes (64 hex characters), not {}",
                bytes.len()
            );
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&bytes).expect("any key length");
        mac.update(CHECK_LABEL);
        Ok(Self {
            cipher: Aes256Gcm::new_from_slice(&bytes).expect("32 bytes is an AES-256 key"),
            check_value: hex::encode(mac.finalize().into_bytes()),
        })
    }

    /// The key's check value: HMAC-SHA256 of a fixed label, hex; the same for the same key.
    pub fn check_value(&self) -> &str {
        &self.check_value
    }

    /// Reads the key file; `None` when there is no such file.
    pub fn read_file(path: &Path) -> anyhow::Result<Option<Self>> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text)
                .with_context(|| format!("in {}", path.display()))
                .map(Some),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// A new random key and its hex form.
    pub fn generate() -> (Self, String) {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        let hex_key = hex::encode(bytes);
        (
            Self::from_hex(&hex_key).expect("valid by construction"),
            hex_key,
        )
    }

    /// Reads the key file, or creates it (mode 0600) with a new key when there is none. Only
    /// for a database without shops: see [`crate::app::config::MasterKeyArgs::load_for`].
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if let Some(key) = Self::read_file(path)? {
            return Ok(key);
        }
        let (key, hex_key) = Self::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .with_context(|| format!("cannot create the master key file {}", path.display()))?;
        file.write_all(hex_key.as_bytes())?;
        tracing::warn!(
            "created a new master key in {}; keep it with the database: without it the \
             shops' customer tokens cannot be checked",
            path.display()
        );
        Ok(key)
    }

    /// Encrypts `secret`: `v1:` and hex of nonce and ciphertext.
    pub fn seal(&self, secret: &str) -> String {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("the OS random source works");
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), secret.as_bytes())
            .expect("AES-GCM encryption of a short text cannot fail");
        format!(
            "{SEALED_PREFIX}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        )
    }

    /// Decrypts what [`MasterKey::seal`] made; fails for another key or altered text.
    pub fn open(&self, sealed: &str) -> anyhow::Result<String> {
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|hex_text| hex::decode(hex_text).ok())
            .filter(|bytes| bytes.len() > 12)
            .context("not a sealed value")?;
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| anyhow::anyhow!("sealed with another master key, or altered"))?;
        String::from_utf8(plain).context("sealed value is not UTF-8")
    }
}

/// Whether the database already belongs to a master key: it has shops (their secrets are
/// sealed with one) or a check value.
pub async fn database_has_a_key(db: &Db) -> anyhow::Result<bool> {
    let (shops,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM shops")
        .fetch_one(db)
        .await?;
    let (checks,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM master_key_check")
        .fetch_one(db)
        .await?;
    Ok(shops > 0 || checks > 0)
}

/// Makes sure `key` is the database's master key, or fails with a message naming `source`
/// (where the key came from). The first key used with a database is recorded as its key; for
/// a database from before the check value, the key must open the oldest shop's sealed secret.
pub async fn bind_to_database(db: &Db, key: &MasterKey, source: &str) -> anyhow::Result<()> {
    let wrong_key = || {
        anyhow::anyhow!(
            "the master key from {source} is not the master key of this database (its shops' \
             secret keys are sealed with another one); start with the database's own key: \
             --master-key-file PATH (VITRINE_MASTER_KEY_FILE) or --master-key \
             (VITRINE_MASTER_KEY). Nothing was changed"
        )
    };
    let recorded: Option<(String,)> =
        sqlx::query_as("SELECT check_value FROM master_key_check WHERE id = 1")
            .fetch_optional(db)
            .await?;
    if let Some((check_value,)) = recorded {
        return if check_value == key.check_value() {
            Ok(())
        } else {
            Err(wrong_key())
        };
    }
    // Shops stored before the check value existed (or created before 0004 sealed secrets).
    let oldest: Option<(String,)> = sqlx::query_as(
        "SELECT secret_key_sealed FROM shops WHERE secret_key_sealed <> ''
         ORDER BY created_at, id LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    if let Some((sealed,)) = oldest {
        if key.open(&sealed).is_err() {
            return Err(wrong_key());
        }
    }
    // Two processes starting at once: the first write wins, the other compares with it.
    sqlx::query(
        "INSERT INTO master_key_check (id, check_value, created_at) VALUES (1, $1, $2)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(key.check_value())
    .bind(crate::unix_now())
    .execute(db)
    .await?;
    let (check_value,): (String,) =
        sqlx::query_as("SELECT check_value FROM master_key_check WHERE id = 1")
            .fetch_one(db)
            .await?;
    if check_value == key.check_value() {
        Ok(())
    } else {
        Err(wrong_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let (key, _) = MasterKey::generate();
        let sealed = key.seal("sk_live_abc");
        assert_ne!(sealed, key.seal("sk_live_abc"), "a fresh nonce every time");
        assert!(!sealed.contains("sk_live_abc"));
        assert_eq!(key.open(&sealed).unwrap(), "sk_live_abc");
        let (other, _) = MasterKey::generate();
        assert!(other.open(&sealed).is_err());
        let mut altered = sealed.clone();
        altered.replace_range(sealed.len() - 2.., "00");
        assert!(key.open(&altered).is_err());
    }

    #[test]
    fn a_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let first = MasterKey::load_or_create(&path).unwrap();
        let sealed = first.seal("x");
        let second = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(second.open(&sealed).unwrap(), "x");
        assert!(MasterKey::from_hex("abcd").is_err());
    }

    #[test]
    fn the_check_value_is_the_same_for_the_same_key_and_differs_for_another() {
        let hex_key = "11".repeat(32);
        let key = MasterKey::from_hex(&hex_key).unwrap();
        assert_eq!(
            key.check_value(),
            MasterKey::from_hex(&hex_key).unwrap().check_value()
        );
        assert!(!key.check_value().contains(&hex_key));
        let (other, _) = MasterKey::generate();
        assert_ne!(key.check_value(), other.check_value());
    }
}
