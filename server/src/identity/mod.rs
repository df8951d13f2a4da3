//! Identity: who a browser and a customer are. `profiles` (the ids that lead to one profile,
//! merges, tombstones of erased ids), `consent` (what a shopper allowed), and here the
//! customer tokens.
//!
//! Customer tokens: how a shop's backend tells Vitrine which customer a browser belongs to.
//!
//! Format (DESIGN.md): `<customer id>.<expiry, unix s>.<hex HMAC-SHA256(secret key,
//! "<customer id>.<expiry>")>`. The customer id may itself contain dots, so the token is split
//! from the right. The MAC is compared in constant time; expiry allows 90 s of clock skew.

pub mod consent;
pub mod profiles;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Clock skew allowed between the shop's server and ours.
pub const CLOCK_SKEW_SECS: i64 = 90;
/// Longest customer id accepted.
pub const MAX_CUSTOMER_ID_LEN: usize = 128;

/// A verified token: the customer it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerToken {
    /// The shop's customer id.
    pub customer_id: String,
    /// Expiry, unix seconds.
    pub expires_at: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not `<id>.<expiry>.<64 hex>`.
    #[error(
        "the customer token is malformed: expected `<customer id>.<expiry>.<hex HMAC-SHA256>`"
    )]
    Malformed,
    /// Past its expiry (plus the allowed skew).
    #[error("the customer token has expired")]
    Expired,
    /// The MAC does not match: wrong key, or the id or expiry were edited.
    #[error("the customer token's signature does not match")]
    BadSignature,
}

/// Signs a token, as a shop's backend does (used by the demo storefront and tests).
pub fn sign(secret_key: &str, customer_id: &str, expires_at: i64) -> String {
    let message = format!("{customer_id}.{expires_at}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    format!("{message}.{}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a token against the shop's secret key at time `now`.
pub fn verify(secret_key: &str, token: &str, now: i64) -> Result<CustomerToken, TokenError> {
    let (message, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let (customer_id, expiry) = message.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let signature = hex::decode(signature).map_err(|_| TokenError::Malformed)?;
    let expires_at: i64 = expiry.parse().map_err(|_| TokenError::Malformed)?;
    if customer_id.is_empty()
        || customer_id.len() > MAX_CUSTOMER_ID_LEN
        || customer_id.chars().any(char::is_control)
        || signature.len() != 32
        || !expiry.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(TokenError::Malformed);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    // `verify_slice` compares in constant time; check the MAC before the expiry so a forged
    // token learns nothing from which answer it gets.
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    if now > expires_at.saturating_add(CLOCK_SKEW_SECS) {
        return Err(TokenError::Expired);
    }
    Ok(CustomerToken {
        customer_id: customer_id.to_string(),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_live_0123456789abcdefghijklmnopqrstuv";

    #[test]
    fn a_signed_token_verifies_until_expiry_plus_skew() {
        let token = sign(KEY, "K-1001", 1_000);
        let expected = CustomerToken {
            customer_id: "K-1001".into(),
            expires_at: 1_000,
        };
        assert_eq!(verify(KEY, &token, 500), Ok(expected.clone()));
        assert_eq!(verify(KEY, &token, 1_090), Ok(expected));
        assert_eq!(verify(KEY, &token, 1_091), Err(TokenError::Expired));
    }

    #[test]
    fn customer_ids_may_contain_dots() {
        let token = sign(KEY, "anna.schmidt@example.de", 1_000);
        assert_eq!(
            verify(KEY, &token, 0).unwrap().customer_id,
            "anna.schmidt@example.de"
        );
    }

    #[test]
    fn forged_edited_and_malformed_tokens_are_refused() {
        let token = sign(KEY, "K-1001", 1_000);
        assert_eq!(
            verify("sk_live_other", &token, 0),
            Err(TokenError::BadSignature)
        );
        let edited = token.replacen("K-1001", "K-1002", 1);
        assert_eq!(verify(KEY, &edited, 0), Err(TokenError::BadSignature));
        let extended = token.replacen(".1000.", ".9999999999.", 1);
        assert_eq!(verify(KEY, &extended, 0), Err(TokenError::BadSignature));
        for bad in [
            "",
            "K-1001",
            "K-1001.1000",
            "K-1001.1000.zz",
            ".1000.00",
            "K.-5.00",
            "K.1e3.00",
        ] {
            assert_eq!(verify(KEY, bad, 0), Err(TokenError::Malformed), "{bad}");
        }
        let short = format!("K-1001.1000.{}", "ab".repeat(16));
        assert_eq!(verify(KEY, &short, 0), Err(TokenError::Malformed));
    }
}
