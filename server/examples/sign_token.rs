//! Signs a Vitrine customer token, as a shop's Rust backend does (docs/getting-started.md):
//! `<customer id>.<expiry>.<hex HMAC-SHA256(secret key, "<customer id>.<expiry>")>`.
//!
//! `VITRINE_SECRET_KEY=sk_live_… cargo run -p vitrine-server --example sign_token -- K-1001`
//! (the crates: `hmac`, `sha2`, `hex`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A token for `customer_id`, valid for `ttl_seconds` from `now` (unix seconds).
fn customer_token(secret_key: &str, customer_id: &str, now: u64, ttl_seconds: u64) -> String {
    let message = format!("{customer_id}.{}", now + ttl_seconds);
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    format!("{message}.{}", hex::encode(mac.finalize().into_bytes()))
}

fn main() {
    let secret_key = std::env::var("VITRINE_SECRET_KEY").expect("VITRINE_SECRET_KEY is not set");
    let customer_id = std::env::args()
        .nth(1)
        .expect("usage: sign_token CUSTOMER_ID");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    println!("{}", customer_token(&secret_key, &customer_id, now, 3600));
}
