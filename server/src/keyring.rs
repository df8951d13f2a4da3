//! The server's master key, which seals (AES-256-GCM) the one secret the server must be able to
//! read back: each shop's secret key, the HMAC key of its customer tokens. Authentication
//! itself only ever compares digests. A copy of the database without the master key reveals
//! no usable key.

use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{bail, Context};

/// The master key (32 bytes), from `--master-key`/`VITRINE_MASTER_KEY` or a key file.
#[derive(Clone)]
pub struct MasterKey(Aes256Gcm);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

const SEALED_PREFIX: &str = "v1:";

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
        Ok(Self(
            Aes256Gcm::new_from_slice(&bytes).expect("32 bytes is an AES-256 key"),
        ))
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

    /// Reads the key file, or creates it (mode 0600) with a new key on first start.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text).with_context(|| format!("in {}", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let (key, hex_key) = Self::generate();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).with_context(|| {
                    format!("cannot create the master key file {}", path.display())
                })?;
                file.write_all(hex_key.as_bytes())?;
                tracing::warn!(
                    "created a new master key in {}; keep it with the database: without it the \
                     shops' customer tokens cannot be checked",
                    path.display()
                );
                Ok(key)
            }
            Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Encrypts `secret`: `v1:` and hex of nonce and ciphertext.
    pub fn seal(&self, secret: &str) -> String {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("the OS random source works");
        let sealed = self
            .0
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
            .0
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| anyhow::anyhow!("sealed with another master key, or altered"))?;
        String::from_utf8(plain).context("sealed value is not UTF-8")
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
}
