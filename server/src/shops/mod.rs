//! Shops (tenants), their keys and the origins allowed to embed their widgets.
//!
//! Keys are never stored: only their SHA-256 digest. A key is high-entropy random text, so a
//! plain digest (no salt, no slow hash) is enough to make a leaked table useless, and it keeps
//! the lookup an index hit.

pub mod link;

use sha2::{Digest, Sha256};

use crate::storage::db::Db;
use crate::storage::keyring::MasterKey;

/// A shop as the API sees it after authenticating a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shop {
    /// Internal shop id; every row of every table is scoped by it.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Which of a shop's two keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyKind {
    /// `pk_…`: in browsers; read and track only, bound to the shop's origins.
    Publishable,
    /// `sk_…`: server to server (imports, tills, admin, GDPR); never in a browser.
    Secret,
}

impl KeyKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Publishable => "pk_live_",
            Self::Secret => "sk_live_",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::Publishable => "publishable_key_hash",
            Self::Secret => "secret_key_hash",
        }
    }
}

/// A new random key: the kind's prefix and 32 base62 characters (190 bits from the OS).
pub fn generate_key(kind: KeyKind) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut key = String::from(kind.prefix());
    while key.len() < kind.prefix().len() + 32 {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).expect("the OS random source works");
        // 248 = 4 × 62: rejecting the bytes above it keeps every character equally likely.
        for byte in bytes.into_iter().filter(|byte| *byte < 248) {
            if key.len() == kind.prefix().len() + 32 {
                break;
            }
            key.push(ALPHABET[usize::from(byte % 62)] as char);
        }
    }
    key
}

/// Parses an origin as browsers send it (`https://shop.example`, `http://127.0.0.1:8081`).
pub fn parse_origin(value: &str) -> Result<String, String> {
    let uri: http::Uri = value
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not an origin such as https://shop.example"))?;
    let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
    let path_is_empty = uri.path_and_query().is_none_or(|path| path.as_str() == "/");
    match (scheme.as_str(), uri.authority()) {
        ("http" | "https", Some(authority)) if path_is_empty && !authority.as_str().contains('@') => {
            Ok(format!("{scheme}://{}", authority.as_str().to_ascii_lowercase()))
        }
        _ => Err(format!("`{value}` is not an origin such as https://shop.example (scheme, host, optional port; no path)")),
    }
}

/// What `shop list` shows: never the keys.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShopSummary {
    /// Internal shop id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Origins allowed to embed the widgets.
    pub allowed_origins: Vec<String>,
    /// Consent before the shopper chose: `opt_in` or `opt_out`.
    pub consent_default: String,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// A shop just created, with its keys: the only time they are shown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedShop {
    /// Internal shop id.
    pub id: String,
    /// The browser key.
    pub publishable_key: String,
    /// The server-to-server key.
    pub secret_key: String,
}

/// Creates a shop with fresh keys. `id` defaults to a random `shop_…`.
pub async fn create(
    db: &Db,
    master_key: &MasterKey,
    id: Option<&str>,
    name: &str,
    allowed_origins: &[String],
    consent_default: &str,
    now: i64,
) -> anyhow::Result<CreatedShop> {
    let id = match id {
        Some(id) => id.to_string(),
        None => format!(
            "shop_{}",
            &generate_key(KeyKind::Publishable)["pk_live_".len()..][..12]
        ),
    };
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        anyhow::bail!("shop id `{id}` must be 1 to 64 letters, digits, `_` or `-`");
    }
    if name.trim().is_empty() {
        anyhow::bail!("a shop needs a name");
    }
    let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM shops WHERE id = $1")
        .bind(&id)
        .fetch_optional(db)
        .await?;
    if exists.is_some() {
        anyhow::bail!("a shop with id `{id}` exists already");
    }
    let created = CreatedShop {
        id,
        publishable_key: generate_key(KeyKind::Publishable),
        secret_key: generate_key(KeyKind::Secret),
    };
    upsert(
        db,
        master_key,
        &NewShop {
            id: &created.id,
            name: name.trim(),
            publishable_key: &created.publishable_key,
            secret_key: &created.secret_key,
            allowed_origins,
        },
        now,
    )
    .await?;
    sqlx::query("UPDATE shops SET consent_default = $1 WHERE id = $2")
        .bind(consent_default)
        .bind(&created.id)
        .execute(db)
        .await?;
    Ok(created)
}

/// A shop's availability settings: stock below `low_stock_threshold` shows as low; distances
/// are measured from `default_region` (country, postcode of the shipped table) when the
/// shopper gave no place. Callers check the region with [`crate::availability::postcodes::lookup`].
pub async fn configure_availability(
    db: &Db,
    shop_id: &str,
    low_stock_threshold: Option<u32>,
    default_region: Option<Option<(&str, &str)>>,
) -> anyhow::Result<()> {
    let mut tx = crate::storage::db::begin_write(db).await?;
    let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?;
    anyhow::ensure!(exists.is_some(), "no shop `{shop_id}`");
    if let Some(threshold) = low_stock_threshold {
        sqlx::query("UPDATE shops SET low_stock_threshold = $1 WHERE id = $2")
            .bind(i64::from(threshold))
            .bind(shop_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(region) = default_region {
        let (country, postcode) = region.unzip();
        sqlx::query("UPDATE shops SET default_country = $1, default_postcode = $2 WHERE id = $3")
            .bind(country)
            .bind(postcode)
            .bind(shop_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every shop, by id.
pub async fn list(db: &Db) -> sqlx::Result<Vec<ShopSummary>> {
    let shops: Vec<(String, String, String, i64)> =
        sqlx::query_as("SELECT id, name, consent_default, created_at FROM shops ORDER BY id")
            .fetch_all(db)
            .await?;
    let origins: Vec<(String, String)> =
        sqlx::query_as("SELECT shop_id, origin FROM shop_origins ORDER BY shop_id, origin")
            .fetch_all(db)
            .await?;
    Ok(shops
        .into_iter()
        .map(|(id, name, consent_default, created_at)| ShopSummary {
            allowed_origins: origins
                .iter()
                .filter(|(shop, _)| *shop == id)
                .map(|(_, origin)| origin.clone())
                .collect(),
            id,
            name,
            consent_default,
            created_at,
        })
        .collect())
}

/// Replaces one of a shop's keys; the old one stops working at once. `None`: no such shop.
pub async fn rotate_key(
    db: &Db,
    master_key: &MasterKey,
    shop_id: &str,
    kind: KeyKind,
) -> sqlx::Result<Option<String>> {
    let key = generate_key(kind);
    // The sealed copy changes with the secret key; for a publishable key it is kept.
    let updated = sqlx::query(&format!(
        "UPDATE shops SET {} = $1,
             secret_key_sealed = CASE WHEN $2 THEN $3 ELSE secret_key_sealed END
         WHERE id = $4",
        kind.column()
    ))
    .bind(key_digest(&key))
    .bind(kind == KeyKind::Secret)
    .bind(master_key.seal(&key))
    .bind(shop_id)
    .execute(db)
    .await?;
    Ok((updated.rows_affected() == 1).then_some(key))
}

/// A shop's secret key in clear, to check the HMAC of its customer tokens.
pub async fn secret_key(db: &Db, master_key: &MasterKey, shop_id: &str) -> anyhow::Result<String> {
    let (sealed,): (String,) = sqlx::query_as("SELECT secret_key_sealed FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_one(db)
        .await?;
    master_key.open(&sealed)
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
pub async fn upsert(
    db: &Db,
    master_key: &MasterKey,
    shop: &NewShop<'_>,
    now: i64,
) -> sqlx::Result<()> {
    let mut tx = crate::storage::db::begin_write(db).await?;
    sqlx::query(
        "INSERT INTO shops (id, name, publishable_key_hash, secret_key_hash, secret_key_sealed,
                            created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             publishable_key_hash = excluded.publishable_key_hash,
             secret_key_hash = excluded.secret_key_hash,
             secret_key_sealed = excluded.secret_key_sealed",
    )
    .bind(shop.id)
    .bind(shop.name)
    .bind(key_digest(shop.publishable_key))
    .bind(key_digest(shop.secret_key))
    .bind(master_key.seal(shop.secret_key))
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

/// Most origins one shop may allow: enough for every market, staging and preview domain.
pub const MAX_ORIGINS: usize = 100;

/// Why a change of a shop's origins was refused.
#[derive(Debug, thiserror::Error)]
pub enum OriginsError {
    /// No shop with the id.
    #[error("no shop with id `{0}`")]
    UnknownShop(String),
    /// More than [`MAX_ORIGINS`] would be allowed.
    #[error("a shop allows at most {MAX_ORIGINS} origins; remove one first")]
    TooMany,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The shop's allowed origins, sorted; `None` for an unknown shop.
pub async fn origins(db: &Db, shop_id: &str) -> sqlx::Result<Option<Vec<String>>> {
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_optional(db)
        .await?;
    if known.is_none() {
        return Ok(None);
    }
    let origins: Vec<(String,)> =
        sqlx::query_as("SELECT origin FROM shop_origins WHERE shop_id = $1 ORDER BY origin")
            .bind(shop_id)
            .fetch_all(db)
            .await?;
    Ok(Some(origins.into_iter().map(|(origin,)| origin).collect()))
}

/// Allows the origins `add`, then stops allowing `remove` (origins as [`parse_origin`] gives
/// them), in one transaction; answers the origins allowed afterwards. Takes effect with the
/// next browser request: every request checks its `Origin` against the table.
pub async fn change_origins(
    db: &Db,
    shop_id: &str,
    add: &[String],
    remove: &[String],
) -> Result<Vec<String>, OriginsError> {
    let mut tx = crate::storage::db::begin_write(db).await?;
    let known: Option<(String,)> = sqlx::query_as("SELECT id FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(OriginsError::UnknownShop(shop_id.into()));
    }
    for origin in add {
        sqlx::query(
            "INSERT INTO shop_origins (shop_id, origin) VALUES ($1, $2)
             ON CONFLICT (shop_id, origin) DO NOTHING",
        )
        .bind(shop_id)
        .bind(origin)
        .execute(&mut *tx)
        .await?;
    }
    for origin in remove {
        sqlx::query("DELETE FROM shop_origins WHERE shop_id = $1 AND origin = $2")
            .bind(shop_id)
            .bind(origin)
            .execute(&mut *tx)
            .await?;
    }
    let origins: Vec<(String,)> =
        sqlx::query_as("SELECT origin FROM shop_origins WHERE shop_id = $1 ORDER BY origin")
            .bind(shop_id)
            .fetch_all(&mut *tx)
            .await?;
    // Checked after the change, so a swap at the limit (one out, one in) goes through.
    if origins.len() > MAX_ORIGINS {
        return Err(OriginsError::TooMany);
    }
    tx.commit().await?;
    Ok(origins.into_iter().map(|(origin,)| origin).collect())
}

/// The shop a publishable key belongs to, if any, and whether `origin` is among its allowed
/// origins: one query for what a browser request is checked for (by its extractor and by the
/// CORS layer).
pub async fn by_publishable_key_at(
    db: &Db,
    key: &str,
    origin: &str,
) -> sqlx::Result<Option<(Shop, bool)>> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT s.id, s.name, o.origin FROM shops s
         LEFT JOIN shop_origins o ON o.shop_id = s.id AND o.origin = $2
         WHERE s.publishable_key_hash = $1",
    )
    .bind(key_digest(key))
    .bind(origin)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, name, allowed)| (Shop { id, name }, allowed.is_some())))
}

/// The shop a secret key belongs to, if any.
pub async fn by_secret_key(db: &Db, key: &str) -> sqlx::Result<Option<Shop>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, name FROM shops WHERE secret_key_hash = $1")
            .bind(key_digest(key))
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id, name)| Shop { id, name }))
}

/// A shop setting kept as JSON in its own column of `shops` (`loyalty_program`,
/// `cart_recovery_rules`): the one place both are read and written.
#[derive(Debug, Clone, Copy)]
pub enum JsonSetting {
    /// The loyalty programme.
    LoyaltyProgram,
    /// The cart recovery rules.
    CartRecoveryRules,
}

impl JsonSetting {
    fn column(self) -> &'static str {
        match self {
            Self::LoyaltyProgram => "loyalty_program",
            Self::CartRecoveryRules => "cart_recovery_rules",
        }
    }
}

/// The shop's `setting`; `None` when it has none (or there is no such shop).
pub async fn json_setting<T: serde::de::DeserializeOwned>(
    conn: &mut sqlx::AnyConnection,
    shop_id: &str,
    setting: JsonSetting,
) -> sqlx::Result<Option<T>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(&format!(
        "SELECT {} FROM shops WHERE id = $1",
        setting.column()
    ))
    .bind(shop_id)
    .fetch_optional(&mut *conn)
    .await?;
    // Checked when it was set: a failure here is a damaged row, not bad input.
    row.and_then(|(json,)| json)
        .map(|json| serde_json::from_str(&json).map_err(|err| sqlx::Error::Decode(Box::new(err))))
        .transpose()
}

/// Sets (or with `None` ends) the shop's `setting`; `false` when there is no such shop.
pub async fn set_json_setting<T: serde::Serialize>(
    conn: &mut sqlx::AnyConnection,
    shop_id: &str,
    setting: JsonSetting,
    value: Option<&T>,
) -> sqlx::Result<bool> {
    let json = value.map(|v| serde_json::to_string(v).expect("wire types serialise"));
    let updated = sqlx::query(&format!(
        "UPDATE shops SET {} = $1 WHERE id = $2",
        setting.column()
    ))
    .bind(json)
    .bind(shop_id)
    .execute(&mut *conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}
