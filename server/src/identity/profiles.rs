//! Profiles and the ids that lead to them: anonymous visitor ids (browser), customer ids (shop
//! login) and loyalty card numbers (till). Resolving a set of ids finds or creates the one
//! profile they belong to and links every id to it; ids that led to different profiles mean
//! one person, so those profiles are merged into the oldest.
//!
//! Merging is idempotent (it re-points rows from the absorbed profile to the survivor, and a
//! second run finds nothing left to move), its survivor is deterministic (oldest, then
//! smallest id), and changes to links run one at a time per shop, so concurrent requests
//! move history exactly once.

use std::collections::{HashMap, HashSet};

use futures_util::future::BoxFuture;
use sqlx::AnyConnection;

/// Rows a capability keeps per profile, in tables with `shop_id` and `profile_id`: a merge
/// gives them to the surviving profile, an erasure deletes them. Each capability offers its
/// own; identity loops over the list its caller hands it (the server's is
/// `privacy::HELD_PER_PROFILE`) and knows none of them.
#[derive(Debug, Clone, Copy)]
pub struct HeldData {
    /// The tables, in the order an erasure deletes from them.
    pub tables: &'static [&'static str],
    /// How the rows follow a merge when moving every row of `tables` is not enough (two
    /// rows that may not both exist, a balance to add up); `None`: they are moved.
    pub merge: Option<MergeRows>,
}

/// A capability's own merge, inside the merge's transaction: `(conn, shop_id, absorbed,
/// survivor)`.
pub type MergeRows =
    for<'c> fn(&'c mut AnyConnection, &'c str, &'c str, &'c str) -> BoxFuture<'c, sqlx::Result<()>>;

/// One id that can lead to a profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProfileKey {
    /// Anonymous browser id.
    Visitor(String),
    /// The shop's customer id.
    Customer(String),
    /// A loyalty card number.
    Card(String),
}

impl ProfileKey {
    /// A visitor id: 16–64 of `A-Z a-z 0-9 _ -`; long and random enough not to be guessed.
    pub fn visitor(id: &str) -> Result<Self, String> {
        let valid = (16..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if valid {
            Ok(Self::Visitor(id.to_string()))
        } else {
            Err(format!(
                "visitor_id `{id}` must be 16 to 64 of A-Z a-z 0-9 _ -"
            ))
        }
    }

    /// A customer id: 1–128 characters, no control characters.
    pub fn customer(id: &str) -> Result<Self, String> {
        if !id.is_empty() && id.len() <= 128 && !id.chars().any(char::is_control) {
            Ok(Self::Customer(id.to_string()))
        } else {
            Err("customer_id must be 1 to 128 characters without control characters".into())
        }
    }

    /// A card number: 1–64 of `A-Z a-z 0-9 -`.
    pub fn card(number: &str) -> Result<Self, String> {
        let valid = !number.is_empty()
            && number.len() <= 64
            && number
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if valid {
            Ok(Self::Card(number.to_string()))
        } else {
            Err("card must be 1 to 64 of A-Z a-z 0-9 -".into())
        }
    }

    /// The `profile_ids.kind` value.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Visitor(_) => "visitor",
            Self::Customer(_) => "customer",
            Self::Card(_) => "card",
        }
    }

    /// The id itself.
    pub fn id(&self) -> &str {
        match self {
            Self::Visitor(id) | Self::Customer(id) | Self::Card(id) => id,
        }
    }
}

/// The profile `key` leads to, if it is linked to one.
pub async fn find(
    conn: &mut AnyConnection,
    shop_id: &str,
    key: &ProfileKey,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT profile_id FROM profile_ids WHERE shop_id = $1 AND kind = $2 AND external_id = $3",
    )
    .bind(shop_id)
    .bind(key.kind())
    .bind(key.id())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(profile,)| profile))
}

/// The outcome of [`resolve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The profile all the keys now lead to.
    pub profile: String,
    /// The profiles merged into it (profile ids known before may be stale).
    pub absorbed: Vec<String>,
}

/// Finds or creates the profile of `keys` (at least one), links all of them to it, and merges
/// the profiles they led to. Call inside a transaction.
///
/// A profile holds at most one customer: ids that lead to profiles of different customers
/// are never merged. The customer the keys name (a `Customer` key, else the customer of the
/// profile a card, then a visitor, leads to) keeps her profile; the other keys that led to
/// another customer's profile are re-pointed to hers, that profile and its history staying
/// where they are. So a second customer signing in on a shared browser takes the browser's
/// visitor id over to her own profile, and the first customer's data stays hers alone.
pub async fn resolve(
    conn: &mut AnyConnection,
    shop_id: &str,
    keys: &[ProfileKey],
    now: i64,
    held: &[HeldData],
) -> sqlx::Result<Resolved> {
    // Fast path, the common case of a returning visitor: every key leads to the same live
    // profile. The shared row lock makes a concurrent merge of that profile wait for us.
    // On PostgreSQL inside a savepoint: when the profile turns out merged, the share lock on
    // its row is let go before we queue for the identity lock. Held while queueing, it
    // deadlocked with the lock's holder re-pointing that row in a later merge (`merged_into`).
    let postgres = conn.backend_name() == "PostgreSQL";
    if postgres {
        sqlx::query("SAVEPOINT vitrine_fast_path")
            .execute(&mut *conn)
            .await?;
    }
    let (found, unlinked) = lookup(conn, shop_id, keys).await?;
    let single = match found.first() {
        Some((_, first)) if unlinked.is_empty() && found.iter().all(|(_, p)| p == first) => {
            Some(first.clone())
        }
        _ => None,
    };
    if let Some(profile) = single {
        if is_live(conn, shop_id, &profile).await? {
            if postgres {
                sqlx::query("RELEASE SAVEPOINT vitrine_fast_path")
                    .execute(&mut *conn)
                    .await?;
            }
            return Ok(Resolved {
                profile,
                absorbed: Vec::new(),
            });
        }
    }
    if postgres {
        for statement in [
            "ROLLBACK TO SAVEPOINT vitrine_fast_path",
            "RELEASE SAVEPOINT vitrine_fast_path",
        ] {
            sqlx::query(statement).execute(&mut *conn).await?;
        }
    }
    // Something changes: links or merges. These run one at a time per shop, so two requests
    // can never pick different survivors for overlapping profiles.
    serialize_identity_changes(conn, shop_id).await?;
    let (found, unlinked) = lookup(conn, shop_id, keys).await?;
    let mut customers: HashMap<String, Vec<String>> = HashMap::new();
    for (_, profile) in &found {
        if !customers.contains_key(profile) {
            customers.insert(profile.clone(), customers_of(conn, shop_id, profile).await?);
        }
    }
    let owner = owning_customer(keys, &found, &customers);
    // Profiles of another customer than the owner keep what they hold; the keys that led
    // there are taken over.
    let foreign = |profile: &String| {
        customers.get(profile).is_some_and(|held| {
            !held.is_empty() && !owner.as_ref().is_some_and(|owner| held.contains(owner))
        })
    };
    let mut joined: Vec<String> = found
        .iter()
        .map(|(_, profile)| profile.clone())
        .filter(|profile| !foreign(profile))
        .collect();
    joined.sort();
    joined.dedup();
    let taken_over: Vec<&ProfileKey> = found
        .iter()
        .filter(|(_, profile)| foreign(profile))
        .map(|(key, _)| *key)
        .collect();
    let survivor = match oldest(conn, shop_id, &joined).await? {
        Some(survivor) => survivor,
        None => create(conn, shop_id, now).await?,
    };
    let mut absorbed = Vec::new();
    for profile in joined.iter().filter(|profile| **profile != survivor) {
        merge(conn, shop_id, profile, &survivor, held).await?;
        absorbed.push(profile.clone());
    }
    for key in taken_over {
        tracing::info!(
            kind = key.kind(),
            "an id of another customer's profile re-pointed, not merged"
        );
        repoint(conn, shop_id, key, &survivor, now).await?;
    }
    for key in unlinked {
        sqlx::query(
            "INSERT INTO profile_ids (shop_id, kind, external_id, profile_id, linked_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(shop_id)
        .bind(key.kind())
        .bind(key.id())
        .bind(&survivor)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Resolved {
        profile: survivor,
        absorbed,
    })
}

/// Links `key`, linked before, to `profile` instead; what it led to stays where it is.
async fn repoint(
    conn: &mut AnyConnection,
    shop_id: &str,
    key: &ProfileKey,
    profile: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE profile_ids SET profile_id = $1, linked_at = $2
         WHERE shop_id = $3 AND kind = $4 AND external_id = $5",
    )
    .bind(profile)
    .bind(now)
    .bind(shop_id)
    .bind(key.kind())
    .bind(key.id())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The customer `keys` belong to: the one a `Customer` key names, else the customer of the
/// profile a card leads to, else that of a visitor's profile (the shop's ids win over the
/// browser's), else none.
fn owning_customer(
    keys: &[ProfileKey],
    found: &[(&ProfileKey, String)],
    customers: &HashMap<String, Vec<String>>,
) -> Option<String> {
    if let Some(ProfileKey::Customer(customer)) = keys
        .iter()
        .find(|key| matches!(key, ProfileKey::Customer(_)))
    {
        return Some(customer.clone());
    }
    ["card", "visitor"].iter().find_map(|kind| {
        found
            .iter()
            .filter(|(key, _)| key.kind() == *kind)
            .find_map(|(_, profile)| customers.get(profile)?.first().cloned())
    })
}

/// The customer ids linked to `profile` (at most one for profiles made since issue 16).
pub async fn customers_of(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT external_id FROM profile_ids
         WHERE shop_id = $1 AND profile_id = $2 AND kind = 'customer' ORDER BY external_id",
    )
    .bind(shop_id)
    .bind(profile)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(customer,)| customer).collect())
}

/// Whether `profile` is anonymous: no customer id and no loyalty card leads to it. Only
/// such a profile may be read or written with a visitor id alone.
pub async fn is_anonymous(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT CAST(1 AS BIGINT) FROM profile_ids
         WHERE shop_id = $1 AND profile_id = $2 AND kind IN ('customer', 'card') LIMIT 1",
    )
    .bind(shop_id)
    .bind(profile)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_none())
}

/// The anonymous profile a visitor id alone leads to, if any: a visitor id whose profile
/// belongs to a customer (she signed in on this browser) reads nothing of hers without her
/// token.
pub async fn find_anonymous(
    conn: &mut AnyConnection,
    shop_id: &str,
    visitor: &ProfileKey,
) -> sqlx::Result<Option<String>> {
    match find(conn, shop_id, visitor).await? {
        Some(profile) if is_anonymous(conn, shop_id, &profile).await? => Ok(Some(profile)),
        _ => Ok(None),
    }
}

/// The profile a browser writes to with its visitor id alone (no valid customer token): the
/// visitor's own anonymous profile, created when new. A visitor id whose profile belongs to
/// a customer is moved to a fresh anonymous profile first: whoever uses the browser after
/// her (her token expired, she signed out, someone else) starts anew and adds nothing to
/// her history. Call inside a transaction.
pub async fn resolve_anonymous(
    conn: &mut AnyConnection,
    shop_id: &str,
    visitor: &ProfileKey,
    now: i64,
    held: &[HeldData],
) -> sqlx::Result<String> {
    let visitors = std::slice::from_ref(visitor);
    // The common case, the visitor's own anonymous profile (or none yet): `resolve`, whose
    // fast path takes no identity lock. No row lock is held while queueing for that lock
    // below (see `resolve` on the deadlock that would risk on PostgreSQL).
    match find(conn, shop_id, visitor).await? {
        Some(profile) if !is_anonymous(conn, shop_id, &profile).await? => {}
        _ => return Ok(resolve(conn, shop_id, visitors, now, held).await?.profile),
    }
    serialize_identity_changes(conn, shop_id).await?;
    match find(conn, shop_id, visitor).await? {
        Some(profile) if !is_anonymous(conn, shop_id, &profile).await? => {
            let fresh = create(conn, shop_id, now).await?;
            repoint(conn, shop_id, visitor, &fresh, now).await?;
            Ok(fresh)
        }
        _ => Ok(resolve(conn, shop_id, visitors, now, held).await?.profile),
    }
}

/// Ids per `IN (…)` list of a batched lookup.
const IDS_PER_LOOKUP: usize = 500;

/// [`resolve`] for many id sets at once, as bulk ingestion needs it: one batched lookup of
/// every id, new profiles and links written in multi-row statements, and only id sets that
/// join different profiles go through [`resolve`]'s merge. Returns, for each set, the profile
/// it leads to once every set is resolved (a later set may merge an earlier one's profile).
/// Takes the shop's identity lock; call inside a transaction.
pub async fn resolve_all(
    conn: &mut AnyConnection,
    shop_id: &str,
    sets: &[&[ProfileKey]],
    now: i64,
    held: &[HeldData],
) -> sqlx::Result<Vec<String>> {
    serialize_identity_changes(conn, shop_id).await?;
    let mut distinct: Vec<&ProfileKey> = sets.iter().flat_map(|set| set.iter()).collect();
    distinct.sort_by(|a, b| (a.kind(), a.id()).cmp(&(b.kind(), b.id())));
    distinct.dedup();
    let mut links = find_all(conn, shop_id, &distinct).await?;
    let mut pending = PendingLinks::default();
    for set in sets {
        let mut found: Vec<&String> = set.iter().filter_map(|key| links.get(key)).collect();
        found.sort();
        found.dedup();
        // A customer id new to a known profile: that profile may be another customer's.
        let new_customer = set
            .iter()
            .any(|key| matches!(key, ProfileKey::Customer(_)) && !links.contains_key(key));
        let profile = match found.as_slice() {
            [] => {
                let profile = new_profile_id();
                pending.profiles.push(profile.clone());
                profile
            }
            [profile] if !new_customer => (*profile).clone(),
            _ => {
                // Several profiles, or a customer id meeting a known profile: the rare case,
                // resolved one at a time (merged, or re-pointed when customers differ).
                pending.write(conn, shop_id, now).await?;
                let resolved = resolve(conn, shop_id, set, now, held).await?;
                for linked in links.values_mut() {
                    if resolved.absorbed.contains(linked) {
                        linked.clone_from(&resolved.profile);
                    }
                }
                for key in set.iter() {
                    links.insert(key.clone(), resolved.profile.clone());
                }
                continue;
            }
        };
        for key in set.iter() {
            if !links.contains_key(key) {
                links.insert(key.clone(), profile.clone());
                pending.links.push((key.clone(), profile.clone()));
            }
        }
    }
    pending.write(conn, shop_id, now).await?;
    sets.iter()
        .map(|set| {
            set.first()
                .and_then(|key| links.get(key))
                .cloned()
                .ok_or_else(|| sqlx::Error::Protocol("an id set without ids".into()))
        })
        .collect()
}

/// Profiles and links decided by [`resolve_all`] but not yet written.
#[derive(Default)]
struct PendingLinks {
    profiles: Vec<String>,
    links: Vec<(ProfileKey, String)>,
}

impl PendingLinks {
    async fn write(
        &mut self,
        conn: &mut AnyConnection,
        shop_id: &str,
        now: i64,
    ) -> sqlx::Result<()> {
        for chunk in self.profiles.chunks(IDS_PER_LOOKUP) {
            let sql = format!(
                "INSERT INTO profiles (shop_id, profile_id, created_at) VALUES {}",
                crate::storage::db::Params::of(conn).rows(chunk.len(), 3)
            );
            let mut query = sqlx::query(&sql);
            for profile in chunk {
                query = query.bind(shop_id).bind(profile).bind(now);
            }
            query.execute(&mut *conn).await?;
        }
        for chunk in self.links.chunks(IDS_PER_LOOKUP) {
            let sql = format!(
                "INSERT INTO profile_ids (shop_id, kind, external_id, profile_id, linked_at)
                 VALUES {}",
                crate::storage::db::Params::of(conn).rows(chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for (key, profile) in chunk {
                query = query
                    .bind(shop_id)
                    .bind(key.kind())
                    .bind(key.id())
                    .bind(profile)
                    .bind(now);
            }
            query.execute(&mut *conn).await?;
        }
        self.profiles.clear();
        self.links.clear();
        Ok(())
    }
}

/// The profiles `keys` are linked to, in batched lookups; unlinked keys are absent.
async fn find_all(
    conn: &mut AnyConnection,
    shop_id: &str,
    keys: &[&ProfileKey],
) -> sqlx::Result<HashMap<ProfileKey, String>> {
    let mut links = HashMap::with_capacity(keys.len());
    for kind in ["visitor", "customer", "card"] {
        let ids: Vec<&str> = keys
            .iter()
            .filter(|key| key.kind() == kind)
            .map(|key| key.id())
            .collect();
        for chunk in ids.chunks(IDS_PER_LOOKUP) {
            let params = crate::storage::db::Params::of(conn);
            let sql = format!(
                "SELECT external_id, profile_id FROM profile_ids
                 WHERE shop_id = {} AND kind = {} AND external_id IN ({})",
                params.one(1),
                params.one(2),
                params.list(3, chunk.len())
            );
            let mut query = sqlx::query_as::<_, (String, String)>(&sql)
                .bind(shop_id)
                .bind(kind);
            for id in chunk {
                query = query.bind(*id);
            }
            for (id, profile) in query.fetch_all(&mut *conn).await? {
                let key = match kind {
                    "visitor" => ProfileKey::Visitor(id),
                    "customer" => ProfileKey::Customer(id),
                    _ => ProfileKey::Card(id),
                };
                links.insert(key, profile);
            }
        }
    }
    Ok(links)
}

/// Takes the shop's identity lock until the transaction ends (PostgreSQL: an advisory lock;
/// SQLite: nothing to do, its write transactions already run one at a time). Callers that
/// resolve many id sets in one transaction take it first, so they never wait for it while
/// holding row locks a merge needs.
pub async fn serialize_identity_changes(
    conn: &mut AnyConnection,
    shop_id: &str,
) -> sqlx::Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('vitrine-identity:' || $1))")
            .bind(shop_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether `profile` has not been merged away; on PostgreSQL it stays so until we commit.
async fn is_live(conn: &mut AnyConnection, shop_id: &str, profile: &str) -> sqlx::Result<bool> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        " FOR SHARE"
    } else {
        ""
    };
    let row: Option<(Option<String>,)> = sqlx::query_as(&format!(
        "SELECT merged_into FROM profiles WHERE shop_id = $1 AND profile_id = $2{lock}"
    ))
    .bind(shop_id)
    .bind(profile)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(matches!(row, Some((None,))))
}

/// The profile each linked key leads to (in the order of `keys`), and the keys linked to none.
async fn lookup<'k>(
    conn: &mut AnyConnection,
    shop_id: &str,
    keys: &'k [ProfileKey],
) -> sqlx::Result<(Vec<(&'k ProfileKey, String)>, Vec<&'k ProfileKey>)> {
    let mut found = Vec::new();
    let mut unlinked = Vec::new();
    for key in keys {
        match find(conn, shop_id, key).await? {
            Some(profile) => found.push((key, profile)),
            None => unlinked.push(key),
        }
    }
    Ok((found, unlinked))
}

fn new_profile_id() -> String {
    format!("p_{}", uuid::Uuid::new_v4().simple())
}

async fn create(conn: &mut AnyConnection, shop_id: &str, now: i64) -> sqlx::Result<String> {
    let profile_id = new_profile_id();
    sqlx::query("INSERT INTO profiles (shop_id, profile_id, created_at) VALUES ($1, $2, $3)")
        .bind(shop_id)
        .bind(&profile_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(profile_id)
}

/// The oldest of `profiles` (then the smallest id): the survivor of a merge.
async fn oldest(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
) -> sqlx::Result<Option<String>> {
    let mut best: Option<(i64, String)> = None;
    for profile in profiles {
        let (created_at,): (i64,) = sqlx::query_as(
            "SELECT created_at FROM profiles WHERE shop_id = $1 AND profile_id = $2",
        )
        .bind(shop_id)
        .bind(profile)
        .fetch_one(&mut *conn)
        .await?;
        let candidate = (created_at, profile.clone());
        if best.as_ref().is_none_or(|current| candidate < *current) {
            best = Some(candidate);
        }
    }
    Ok(best.map(|(_, profile)| profile))
}

/// Moves everything of `absorbed` to `survivor` (its links and what each capability in
/// `held` keeps); `absorbed` keeps a row pointing there.
pub async fn merge(
    conn: &mut AnyConnection,
    shop_id: &str,
    absorbed: &str,
    survivor: &str,
    held: &[HeldData],
) -> sqlx::Result<()> {
    crate::storage::db::move_rows(conn, &["profile_ids"], shop_id, absorbed, survivor).await?;
    for data in held {
        match data.merge {
            Some(merge) => merge(conn, shop_id, absorbed, survivor).await?,
            None => {
                crate::storage::db::move_rows(conn, data.tables, shop_id, absorbed, survivor)
                    .await?;
            }
        }
    }
    // The shopper's most recent consent decision wins.
    sqlx::query(
        "UPDATE profiles SET
             consent_tracking = a.consent_tracking,
             consent_personalisation = a.consent_personalisation,
             consent_at = a.consent_at,
             consent_source = a.consent_source
         FROM (SELECT consent_tracking, consent_personalisation, consent_at, consent_source
               FROM profiles WHERE shop_id = $1 AND profile_id = $2) AS a
         WHERE profiles.shop_id = $1 AND profiles.profile_id = $3
           AND a.consent_at IS NOT NULL
           AND (profiles.consent_at IS NULL OR profiles.consent_at < a.consent_at)",
    )
    .bind(shop_id)
    .bind(absorbed)
    .bind(survivor)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE profiles SET merged_into = $1
         WHERE shop_id = $2 AND (profile_id = $3 OR merged_into = $3)",
    )
    .bind(survivor)
    .bind(shop_id)
    .bind(absorbed)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The tombstone of an erased id: SHA-256 of shop, kind and id, hex.
pub fn tombstone_digest(shop_id: &str, key: &ProfileKey) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [shop_id, key.kind(), key.id()] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

/// Which of `keys` were erased, in batched lookups: such ids are never linked again.
pub async fn erased_among(
    conn: &mut AnyConnection,
    shop_id: &str,
    keys: &[&ProfileKey],
) -> sqlx::Result<HashSet<ProfileKey>> {
    let digests: HashMap<String, &ProfileKey> = keys
        .iter()
        .map(|key| (tombstone_digest(shop_id, key), *key))
        .collect();
    let digest_list: Vec<&String> = digests.keys().collect();
    let mut erased = HashSet::new();
    for chunk in digest_list.chunks(IDS_PER_LOOKUP) {
        let params = crate::storage::db::Params::of(conn);
        let sql = format!(
            "SELECT id_digest FROM tombstones WHERE shop_id = {} AND id_digest IN ({})",
            params.one(1),
            params.list(2, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(shop_id);
        for digest in chunk {
            query = query.bind(digest.as_str());
        }
        for (digest,) in query.fetch_all(&mut *conn).await? {
            if let Some(key) = digests.get(&digest) {
                erased.insert((*key).clone());
            }
        }
    }
    Ok(erased)
}

/// The first of `keys` that was erased, if any: such ids are never linked again.
pub async fn first_erased<'k>(
    conn: &mut AnyConnection,
    shop_id: &str,
    keys: &'k [ProfileKey],
) -> sqlx::Result<Option<&'k ProfileKey>> {
    for key in keys {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT erased_at FROM tombstones WHERE shop_id = $1 AND id_digest = $2",
        )
        .bind(shop_id)
        .bind(tombstone_digest(shop_id, key))
        .fetch_optional(&mut *conn)
        .await?;
        if row.is_some() {
            return Ok(Some(key));
        }
    }
    Ok(None)
}
