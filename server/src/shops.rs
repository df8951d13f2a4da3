//! Shops (tenants), their keys and the origins allowed to embed their widgets.
//!
//! Keys are never stored: only their SHA-256 digest. A key is high-entropy random text, so a
//! plain digest (no salt, no slow hash) is enough to make a leaked table useless, and it keeps
//! the lookup an index hit.

use sha2::{Digest, Sha256};

use crate::db::Db;

/// A shop as the API sees it after authenticating a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shop {
    /// Internal shop id; every row of every table is scoped by it.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// What is needed to create or update a shop.
#[derive(Debug, Clone)]
pub struct NewShop<'a> {
    /// Internal shop id.
    pub id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// The browser key, `pk_…`.
    pub publishable_key: &'a str,
    /// The server-to-server key, `sk_…`.
    pub secret_key: &'a str,
    /// Origins (`https://shop.example`) allowed to embed the widgets.
    pub allowed_origins: &'a [String],
}

/// SHA-256 of a key, hex-encoded: what the `shops` table stores.
pub fn key_digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Creates the shop or updates its name, keys and origins.
pub async fn upsert(db: &Db, shop: &NewShop<'_>, now: i64) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO shops (id, name, publishable_key_hash, secret_key_hash, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             publishable_key_hash = excluded.publishable_key_hash,
             secret_key_hash = excluded.secret_key_hash",
    )
    .bind(shop.id)
    .bind(shop.name)
    .bind(key_digest(shop.publishable_key))
    .bind(key_digest(shop.secret_key))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM shop_origins WHERE shop_id = $1")
        .bind(shop.id)
        .execute(&mut *tx)
        .await?;
    for origin in shop.allowed_origins {
        sqlx::query("INSERT INTO shop_origins (shop_id, origin) VALUES ($1, $2)")
            .bind(shop.id)
            .bind(origin)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// The shop a publishable key belongs to, if any.
pub async fn by_publishable_key(db: &Db, key: &str) -> sqlx::Result<Option<Shop>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM shops WHERE publishable_key_hash = $1")
            .bind(key_digest(key))
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, name)| Shop { id, name }))
}

/// Whether `origin` may embed the widgets of the shop with this publishable key.
pub async fn origin_allowed(db: &Db, publishable_key: &str, origin: &str) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) FROM shops s JOIN shop_origins o ON o.shop_id = s.id
         WHERE s.publishable_key_hash = $1 AND o.origin = $2",
    )
    .bind(key_digest(publishable_key))
    .bind(origin)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}
