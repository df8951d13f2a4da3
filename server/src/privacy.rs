//! GDPR: export (Art. 15/20) and erasure (Art. 17) of a customer across every id linked to her
//! and every table holding her data. Erasure leaves only tombstones (digests of the ids).

use sqlx::AnyConnection;
use vitrine_types::{
    CustomerExport, ErasureResult, ExportedCartOffer, ExportedCartRecoveryAction, ExportedCoupon,
    ExportedPurchaseLine, LinkedId, Money,
};

use std::collections::HashMap;

use crate::identity::consent;
use crate::identity::profiles::{self, HeldData, ProfileKey};
use crate::{cart_recovery, coupons, events, loyalty};

/// What every capability keeps per profile: the one list a merge moves (identity is handed
/// it) and an erasure deletes. A capability that adds a table keyed by profile adds it to its
/// `HELD`; the test below fails for a table in the schema that no capability claims.
pub const HELD_PER_PROFILE: &[HeldData] = &[
    events::HELD,
    coupons::HELD,
    loyalty::HELD,
    cart_recovery::HELD,
];

#[derive(sqlx::FromRow)]
struct PurchaseRow {
    order_id: String,
    sku: String,
    quantity: i64,
    unit_price_minor: i64,
    channel: String,
    store_id: Option<String>,
    purchased_at: i64,
}

#[derive(sqlx::FromRow)]
struct CouponRow {
    code: String,
    source: String,
    amount_minor: i64,
    currency: String,
    percent: Option<i64>,
    points: i64,
    created_at: i64,
    expires_at: i64,
    redeemed_at: Option<i64>,
    redeemed_order_id: Option<String>,
}

/// Her coupons, cart recovery offers and dialog actions, over every profile of her family
/// (merges move these rows, so the others normally hold none), each list oldest first.
async fn cart_and_coupon_rows(
    conn: &mut AnyConnection,
    shop_id: &str,
    family: &[String],
) -> sqlx::Result<(
    Vec<ExportedCoupon>,
    Vec<ExportedCartOffer>,
    Vec<ExportedCartRecoveryAction>,
)> {
    let (mut coupons, mut offers, mut actions) = (Vec::new(), Vec::new(), Vec::new());
    for profile in family {
        let rows: Vec<CouponRow> = sqlx::query_as(
            "SELECT code, source, amount_minor, currency, percent, points, created_at,
                    expires_at, redeemed_at, redeemed_order_id
             FROM coupons WHERE shop_id = $1 AND profile_id = $2",
        )
        .bind(shop_id)
        .bind(profile)
        .fetch_all(&mut *conn)
        .await?;
        coupons.extend(rows.into_iter().map(|row| ExportedCoupon {
            code: row.code,
            source: row.source,
            value: Money {
                amount_minor: row.amount_minor,
                currency: row.currency,
            },
            percent: row.percent.and_then(|percent| u32::try_from(percent).ok()),
            points: row.points,
            created_at: row.created_at,
            expires_at: row.expires_at,
            redeemed_at: row.redeemed_at,
            redeemed_order_id: row.redeemed_order_id,
        }));
        let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
            "SELECT offer_id, coupon_code, created_at FROM cart_offers
             WHERE shop_id = $1 AND profile_id = $2",
        )
        .bind(shop_id)
        .bind(profile)
        .fetch_all(&mut *conn)
        .await?;
        offers.extend(rows.into_iter().map(|(offer_id, coupon_code, created_at)| {
            ExportedCartOffer {
                offer_id,
                coupon_code,
                created_at,
            }
        }));
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT offer_id, action, occurred_at FROM cart_recovery_actions
             WHERE shop_id = $1 AND profile_id = $2",
        )
        .bind(shop_id)
        .bind(profile)
        .fetch_all(&mut *conn)
        .await?;
        actions.extend(rows.into_iter().map(|(offer_id, action, occurred_at)| {
            ExportedCartRecoveryAction {
                offer_id,
                action,
                occurred_at,
            }
        }));
    }
    coupons.sort_by(|a, b| (a.created_at, &a.code).cmp(&(b.created_at, &b.code)));
    offers.sort_by(|a, b| (a.created_at, &a.offer_id).cmp(&(b.created_at, &b.offer_id)));
    // Stable: actions of the same second keep the order they were written in.
    actions.sort_by_key(|action| action.occurred_at);
    Ok((coupons, offers, actions))
}

/// Her profile and every profile merged into it.
async fn family(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer: &ProfileKey,
) -> sqlx::Result<Option<(String, Vec<String>)>> {
    let Some(profile) = profiles::find(conn, shop_id, customer).await? else {
        return Ok(None);
    };
    let merged: Vec<(String,)> =
        sqlx::query_as("SELECT profile_id FROM profiles WHERE shop_id = $1 AND merged_into = $2")
            .bind(shop_id)
            .bind(&profile)
            .fetch_all(&mut *conn)
            .await?;
    let mut all = vec![profile.clone()];
    all.extend(merged.into_iter().map(|(id,)| id));
    Ok(Some((profile, all)))
}

/// Everything held about the customer, or `None` when no such customer is known.
pub async fn export(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer: &ProfileKey,
) -> sqlx::Result<Option<CustomerExport>> {
    let Some((profile, all)) = family(conn, shop_id, customer).await? else {
        return Ok(None);
    };
    let ids: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, external_id, linked_at FROM profile_ids
         WHERE shop_id = $1 AND profile_id = $2 ORDER BY kind, external_id",
    )
    .bind(shop_id)
    .bind(&profile)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM events WHERE shop_id = $1 AND profile_id = $2
         ORDER BY occurred_at, event_id",
    )
    .bind(shop_id)
    .bind(&profile)
    .fetch_all(&mut *conn)
    .await?;
    let purchases: Vec<PurchaseRow> = sqlx::query_as(
        "SELECT order_id, sku, quantity, unit_price_minor, channel, store_id, purchased_at
         FROM purchase_lines
         WHERE shop_id = $1 AND (profile_id = $2 OR customer_id = $3)
         ORDER BY purchased_at, order_id, line_no",
    )
    .bind(shop_id)
    .bind(&profile)
    .bind(customer.id())
    .fetch_all(&mut *conn)
    .await?;
    let (coupons, cart_offers, cart_recovery_actions) =
        cart_and_coupon_rows(conn, shop_id, &all).await?;
    Ok(Some(CustomerExport {
        customer_id: customer.id().to_string(),
        linked_ids: ids
            .into_iter()
            .map(|(kind, id, linked_at)| LinkedId {
                kind,
                id,
                linked_at,
            })
            .collect(),
        consent: consent::effective(conn, shop_id, Some(&profile)).await?,
        events: events
            .into_iter()
            .map(|(payload,)| serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null))
            .collect(),
        loyalty: crate::loyalty::all_lines(conn, shop_id, &profile).await?,
        purchases: purchases
            .into_iter()
            .map(|row| ExportedPurchaseLine {
                order_id: row.order_id,
                sku: row.sku,
                quantity: row.quantity,
                unit_price_minor: row.unit_price_minor,
                channel: row.channel,
                store_id: row.store_id,
                purchased_at: row.purchased_at,
            })
            .collect(),
        coupons,
        cart_offers,
        cart_recovery_actions,
    }))
}

/// Removes the customer from every table; `None` when no such customer is known.
pub async fn erase(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer: &ProfileKey,
    now: i64,
) -> sqlx::Result<Option<ErasureResult>> {
    profiles::serialize_identity_changes(conn, shop_id).await?;
    let Some((_, family)) = family(conn, shop_id, customer).await? else {
        return Ok(None);
    };
    let mut result = ErasureResult {
        profiles: 0,
        ids: 0,
        events: 0,
        purchase_lines: 0,
        loyalty_lines: 0,
    };
    // Counted as `ids` when their tombstones are written.
    let mut removed_links = 0;
    let lines = sqlx::query("DELETE FROM purchase_lines WHERE shop_id = $1 AND customer_id = $2")
        .bind(shop_id)
        .bind(customer.id())
        .execute(&mut *conn)
        .await?;
    result.purchase_lines += lines.rows_affected();
    for profile in &family {
        let ids: Vec<(String, String)> = sqlx::query_as(
            "SELECT kind, external_id FROM profile_ids WHERE shop_id = $1 AND profile_id = $2",
        )
        .bind(shop_id)
        .bind(profile)
        .fetch_all(&mut *conn)
        .await?;
        for (kind, id) in &ids {
            let key = match kind.as_str() {
                "visitor" => ProfileKey::Visitor(id.clone()),
                "card" => ProfileKey::Card(id.clone()),
                _ => ProfileKey::Customer(id.clone()),
            };
            sqlx::query(
                "INSERT INTO tombstones (shop_id, id_digest, erased_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(shop_id)
            .bind(profiles::tombstone_digest(shop_id, &key))
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        result.ids += ids.len() as u64;
        let mut deleted: HashMap<&str, u64> = HashMap::new();
        for table in HELD_PER_PROFILE.iter().flat_map(|held| held.tables) {
            let rows = sqlx::query(&format!(
                "DELETE FROM {table} WHERE shop_id = $1 AND profile_id = $2"
            ))
            .bind(shop_id)
            .bind(profile)
            .execute(&mut *conn)
            .await?;
            *deleted.entry(table).or_default() += rows.rows_affected();
        }
        let count = |table: &str| deleted.get(table).copied().unwrap_or_default();
        result.events += count(events::EVENTS_TABLE);
        result.purchase_lines += count(events::SALES_TABLE);
        result.loyalty_lines += count(loyalty::LEDGER_TABLE);
        for (table, counter) in [
            ("profile_ids", &mut removed_links),
            ("profiles", &mut result.profiles),
        ] {
            let deleted = sqlx::query(&format!(
                "DELETE FROM {table} WHERE shop_id = $1 AND profile_id = $2"
            ))
            .bind(shop_id)
            .bind(profile)
            .execute(&mut *conn)
            .await?;
            *counter += deleted.rows_affected();
        }
    }
    Ok(Some(result))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::HELD_PER_PROFILE;

    /// Every table of the schema keyed by profile is claimed by a capability (or is identity's
    /// own), so merges move it and erasures delete it: a new table that nobody lists fails here.
    #[tokio::test]
    async fn every_table_keyed_by_profile_is_merged_and_erased() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("schema.db").display());
        let db = crate::storage::db::connect(&url).await.unwrap();
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND c.name = 'profile_id'",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        let in_schema: BTreeSet<String> = rows.into_iter().map(|(table,)| table).collect();
        let mut claimed: BTreeSet<String> = ["profiles", "profile_ids"]
            .into_iter()
            .map(String::from)
            .collect();
        for table in HELD_PER_PROFILE.iter().flat_map(|held| held.tables) {
            assert!(
                claimed.insert((*table).to_string()),
                "{table} is listed twice"
            );
        }
        assert_eq!(in_schema, claimed);
    }
}
