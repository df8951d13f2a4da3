//! Purchases earn, returns and cancellations take back: once per order, on the order's own
//! terms.

use sqlx::AnyConnection;
use vitrine_types::{Channel, EventBody, LedgerKind, ReturnLine};

use crate::events::ValidEvent;

use super::ledger::{
    debit, lock_balance, row_lock, settle_expiry, write_line, write_lines, NewLine,
    ROWS_PER_STATEMENT,
};
use super::programme::{points_for, programme, rounding_of, rounding_str, Programme};

/// Applies the purchases, returns and cancellations among newly stored server events.
pub async fn apply(
    conn: &mut AnyConnection,
    shop_id: &str,
    events: &[(&str, &ValidEvent)],
    now: i64,
) -> sqlx::Result<()> {
    let relevant = |event: &ValidEvent| {
        matches!(
            event.event().body,
            EventBody::Purchase { .. } | EventBody::Return { .. } | EventBody::Cancellation { .. }
        )
    };
    if !events.iter().any(|(_, event)| relevant(event)) {
        return Ok(());
    }
    let programme = programme(conn, shop_id).await?;
    // Consecutive purchases earn together (a few statements per batch instead of five per
    // order); a return or cancellation first lets the purchases before it earn.
    let mut purchases: Vec<Purchase> = Vec::new();
    for (profile, event) in events {
        let occurred_at = event.occurred_at();
        let reversal = match &event.event().body {
            EventBody::Purchase {
                order_id,
                channel,
                store_id,
                currency,
                lines,
                ..
            } => {
                if programme.is_some() {
                    purchases.push(Purchase {
                        profile,
                        order_id,
                        channel: *channel,
                        store_id: store_id.as_deref(),
                        currency,
                        lines: lines
                            .iter()
                            .map(|l| (l.sku.as_str(), l.quantity, l.unit_price_minor))
                            .collect(),
                        occurred_at,
                    });
                }
                continue;
            }
            EventBody::Return {
                order_id,
                channel,
                store_id,
                lines,
            } => Reversal {
                line_id: format!("reversal:{}", event.event().id),
                order_id,
                channel: Some(*channel),
                store_id: store_id.as_deref(),
                returned: Some(lines),
                occurred_at,
            },
            EventBody::Cancellation { order_id } => Reversal {
                line_id: format!("reversal:{}", event.event().id),
                order_id,
                channel: None,
                store_id: None,
                returned: None,
                occurred_at,
            },
            _ => continue,
        };
        if let Some(programme) = &programme {
            accrue(
                conn,
                shop_id,
                programme,
                &std::mem::take(&mut purchases),
                now,
            )
            .await?;
        }
        reverse(conn, shop_id, programme.as_ref(), &reversal, now).await?;
    }
    if let Some(programme) = &programme {
        accrue(conn, shop_id, programme, &purchases, now).await?;
    }
    Ok(())
}

/// A purchase to earn points for.
pub(super) struct Purchase<'a> {
    pub(super) profile: &'a str,
    pub(super) order_id: &'a str,
    pub(super) channel: Channel,
    pub(super) store_id: Option<&'a str>,
    pub(super) currency: &'a str,
    /// sku, quantity, unit price in minor units.
    pub(super) lines: Vec<(&'a str, i64, i64)>,
    pub(super) occurred_at: i64,
}

/// One line of an order that earned: sku, quantity, unit price, quantity returned.
pub(super) type OrderLine = (String, i64, i64, i64);

/// Earns points for `purchases`, in order: each order once (the first report of it), at the
/// tier its customer had when she bought, counting the purchases before it in the batch.
pub(super) async fn accrue(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: &Programme,
    purchases: &[Purchase<'_>],
    now: i64,
) -> sqlx::Result<()> {
    use std::collections::{HashMap, HashSet};
    if purchases.is_empty() {
        return Ok(());
    }
    let mut seen: HashSet<&str> = known_orders(conn, shop_id, purchases).await?;
    let purchases: Vec<&Purchase> = purchases
        .iter()
        .filter(|p| programme.rate(p.currency).is_some() && seen.insert(p.order_id))
        .collect();
    if purchases.is_empty() {
        return Ok(());
    }
    let skus: HashSet<&str> = purchases
        .iter()
        .flat_map(|p| p.lines.iter().map(|(sku, _, _)| *sku))
        .collect();
    let excluded = excluded_skus(conn, shop_id, programme, &skus).await?;
    let mut history = qualifying_history(conn, shop_id, programme, &purchases).await?;
    let rounding = programme.get().rounding;
    let mut orders = Vec::with_capacity(purchases.len());
    let mut credits: HashMap<&str, i64> = HashMap::new();
    for purchase in purchases {
        let rate = programme.rate(purchase.currency).expect("filtered above");
        let lines: Vec<OrderLine> = purchase
            .lines
            .iter()
            .filter(|(sku, _, _)| !excluded.contains(*sku))
            .map(|(sku, quantity, price)| (sku.to_string(), *quantity, *price, 0))
            .collect();
        let amount: i64 = lines.iter().map(|(_, q, p, _)| q.saturating_mul(*p)).sum();
        let earned = history.entry(purchase.profile).or_default();
        let window_start = purchase.occurred_at - programme.window();
        let qualifying: i64 = earned
            .iter()
            .filter(|(at, _)| *at > window_start && *at <= purchase.occurred_at)
            .map(|(_, points)| points)
            .sum();
        let (_, tier) = programme.tier(qualifying);
        let points = points_for(
            amount,
            rate.points,
            rate.per_minor,
            tier.multiplier_percent,
            rounding,
        );
        earned.push((purchase.occurred_at, points));
        if points > 0 {
            *credits.entry(purchase.profile).or_default() += points;
        }
        orders.push((purchase, rate, tier.multiplier_percent, lines, points));
    }
    for chunk in orders.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO loyalty_orders (shop_id, order_id, profile_id, earned_at, points,
                 per_minor, multiplier_percent, rounding, lines, points_net)
             VALUES {}",
            crate::storage::db::Params::of(conn).rows(chunk.len(), 10)
        );
        let mut query = sqlx::query(&sql).persistent(crate::storage::db::worth_caching(
            chunk.len(),
            ROWS_PER_STATEMENT,
        ));
        for (purchase, rate, multiplier, lines, points) in chunk {
            query = query
                .bind(shop_id)
                .bind(purchase.order_id)
                .bind(purchase.profile)
                .bind(purchase.occurred_at)
                .bind(rate.points)
                .bind(rate.per_minor)
                .bind(*multiplier)
                .bind(rounding_str(rounding))
                .bind(serde_json::to_string(lines).expect("strings and integers serialise"))
                .bind(*points);
        }
        query.execute(&mut *conn).await?;
    }
    let lines: Vec<NewLine> = orders
        .iter()
        .filter(|(.., points)| *points > 0)
        .map(|(purchase, _, _, _, points)| NewLine {
            line_id: format!("accrual:{}", purchase.order_id),
            profile: purchase.profile,
            kind: LedgerKind::Accrual,
            points: *points,
            earned_at: Some(purchase.occurred_at),
            occurred_at: purchase.occurred_at,
            order_id: Some(purchase.order_id),
            channel: Some(purchase.channel),
            store_id: purchase.store_id,
            reason: None,
        })
        .collect();
    write_lines(conn, shop_id, &lines, now).await?;
    let credits: Vec<(&str, i64)> = credits.into_iter().collect();
    for chunk in credits.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO loyalty_accounts (shop_id, profile_id, balance) VALUES {}
             ON CONFLICT (shop_id, profile_id)
             DO UPDATE SET balance = loyalty_accounts.balance + excluded.balance",
            crate::storage::db::Params::of(conn).rows(chunk.len(), 3)
        );
        let mut query = sqlx::query(&sql).persistent(crate::storage::db::worth_caching(
            chunk.len(),
            ROWS_PER_STATEMENT,
        ));
        for (profile, points) in chunk {
            query = query.bind(shop_id).bind(*profile).bind(*points);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The orders among `purchases` that earned before.
pub(super) async fn known_orders<'p>(
    conn: &mut AnyConnection,
    shop_id: &str,
    purchases: &[Purchase<'p>],
) -> sqlx::Result<std::collections::HashSet<&'p str>> {
    let mut known = std::collections::HashSet::new();
    for chunk in purchases.chunks(ROWS_PER_STATEMENT) {
        let params = crate::storage::db::Params::of(conn);
        let sql = format!(
            "SELECT order_id FROM loyalty_orders WHERE shop_id = {} AND order_id IN ({})",
            params.one(1),
            params.list(2, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql)
            .persistent(crate::storage::db::worth_caching(
                chunk.len(),
                ROWS_PER_STATEMENT,
            ))
            .bind(shop_id);
        for purchase in chunk {
            query = query.bind(purchase.order_id);
        }
        let rows: std::collections::HashSet<String> = query
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(order,)| order)
            .collect();
        known.extend(
            chunk
                .iter()
                .map(|p| p.order_id)
                .filter(|order| rows.contains(*order)),
        );
    }
    Ok(known)
}

/// Qualifying points (accruals and reversals) each buyer earned in the tier window before
/// the earliest to the latest of `purchases`, by when: what their tiers are judged by.
pub(super) async fn qualifying_history<'p>(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: &Programme,
    purchases: &[&Purchase<'p>],
) -> sqlx::Result<std::collections::HashMap<&'p str, Vec<(i64, i64)>>> {
    let mut profiles: Vec<&'p str> = purchases.iter().map(|p| p.profile).collect();
    profiles.sort_unstable();
    profiles.dedup();
    let from = purchases.iter().map(|p| p.occurred_at).min().unwrap_or(0) - programme.window();
    let to = purchases.iter().map(|p| p.occurred_at).max().unwrap_or(0);
    let mut history: std::collections::HashMap<&'p str, Vec<(i64, i64)>> = Default::default();
    for chunk in profiles.chunks(ROWS_PER_STATEMENT) {
        let params = crate::storage::db::Params::of(conn);
        let sql = format!(
            "SELECT profile_id, earned_at, CAST(SUM(points) AS BIGINT) FROM loyalty_ledger
             WHERE shop_id = {} AND earned_at > {} AND earned_at <= {}
               AND kind IN ('accrual', 'reversal') AND profile_id IN ({})
             GROUP BY profile_id, earned_at",
            params.one(1),
            params.one(2),
            params.one(3),
            params.list(4, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String, i64, i64)>(&sql)
            .persistent(crate::storage::db::worth_caching(
                chunk.len(),
                ROWS_PER_STATEMENT,
            ))
            .bind(shop_id)
            .bind(from)
            .bind(to);
        for profile in chunk {
            query = query.bind(*profile);
        }
        for (profile, earned_at, points) in query.fetch_all(&mut *conn).await? {
            // The chunk is sorted: find the caller's own &str to key by.
            if let Ok(index) = chunk.binary_search(&profile.as_str()) {
                history
                    .entry(chunk[index])
                    .or_default()
                    .push((earned_at, points));
            }
        }
    }
    Ok(history)
}

/// The SKUs among `skus` whose category the programme excludes.
pub(super) async fn excluded_skus(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: &Programme,
    skus: &std::collections::HashSet<&str>,
) -> sqlx::Result<std::collections::HashSet<String>> {
    let categories = &programme.get().excluded_categories;
    let mut excluded = std::collections::HashSet::new();
    if categories.is_empty() {
        return Ok(excluded);
    }
    let skus: Vec<&str> = skus.iter().copied().collect();
    for chunk in skus.chunks(ROWS_PER_STATEMENT) {
        let params = crate::storage::db::Params::of(conn);
        let sql = format!(
            "SELECT sku FROM products WHERE shop_id = {} AND sku IN ({}) AND category IN ({})",
            params.one(1),
            params.list(2, chunk.len()),
            params.list(2 + chunk.len(), categories.len()),
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql)
            .persistent(crate::storage::db::worth_caching(
                chunk.len(),
                ROWS_PER_STATEMENT,
            ))
            .bind(shop_id);
        for sku in chunk {
            query = query.bind(*sku);
        }
        for category in categories {
            query = query.bind(category);
        }
        excluded.extend(
            query
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(sku,)| sku),
        );
    }
    Ok(excluded)
}

/// A return or cancellation to take points back for.
pub(super) struct Reversal<'a> {
    pub(super) line_id: String,
    pub(super) order_id: &'a str,
    pub(super) channel: Option<Channel>,
    pub(super) store_id: Option<&'a str>,
    /// `None`: the whole order.
    pub(super) returned: Option<&'a [ReturnLine]>,
    pub(super) occurred_at: i64,
}

type OrderRow = (String, i64, i64, i64, i64, String, String, i64);

pub(super) async fn reverse(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: Option<&Programme>,
    reversal: &Reversal<'_>,
    now: i64,
) -> sqlx::Result<()> {
    let lock = row_lock(conn);
    let row: Option<OrderRow> = sqlx::query_as(&format!(
        "SELECT profile_id, earned_at, points, per_minor, multiplier_percent, rounding, lines,
             points_net
         FROM loyalty_orders WHERE shop_id = $1 AND order_id = $2{lock}"
    ))
    .bind(shop_id)
    .bind(reversal.order_id)
    .fetch_optional(&mut *conn)
    .await?;
    // An order that earned nothing (bought before the programme, or in another currency)
    // has nothing to take back.
    let Some((profile, earned_at, points, per_minor, multiplier, rounding, lines, net)) = row
    else {
        return Ok(());
    };
    let mut lines: Vec<OrderLine> =
        serde_json::from_str(&lines).map_err(|err| sqlx::Error::Decode(Box::new(err)))?;
    mark_returned(&mut lines, reversal.returned);
    let kept: i64 = lines
        .iter()
        .map(|(_, quantity, price, returned)| (quantity - returned).saturating_mul(*price))
        .sum();
    let target = points_for(kept, points, per_minor, multiplier, rounding_of(&rounding));
    let due = (net - target).max(0);
    let mut taken = 0;
    if due > 0 {
        if let Some(programme) = programme {
            settle_expiry(conn, shop_id, programme, &profile, now).await?;
        }
        // Points already spent cannot be taken back: the balance never goes below zero.
        taken = due.min(lock_balance(conn, shop_id, &profile).await?);
        if taken > 0 {
            let line = NewLine {
                line_id: reversal.line_id.clone(),
                profile: &profile,
                kind: LedgerKind::Reversal,
                points: -taken,
                earned_at: Some(earned_at),
                occurred_at: reversal.occurred_at,
                order_id: Some(reversal.order_id),
                channel: reversal.channel,
                store_id: reversal.store_id,
                reason: None,
            };
            write_line(conn, shop_id, &line, now).await?;
            debit(conn, shop_id, &profile, taken).await?;
        }
    }
    sqlx::query(
        "UPDATE loyalty_orders SET lines = $1, points_net = points_net - $2
         WHERE shop_id = $3 AND order_id = $4",
    )
    .bind(serde_json::to_string(&lines).expect("strings and integers serialise"))
    .bind(taken)
    .bind(shop_id)
    .bind(reversal.order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Counts returned items against the order's lines (never more than were bought).
pub(super) fn mark_returned(lines: &mut [OrderLine], returned: Option<&[ReturnLine]>) {
    let Some(returned) = returned else {
        for line in lines.iter_mut() {
            line.3 = line.1;
        }
        return;
    };
    for back in returned {
        let mut left = back.quantity;
        for line in lines.iter_mut().filter(|line| line.0 == back.sku) {
            let take = left.min(line.1 - line.3);
            line.3 += take;
            left -= take;
        }
    }
}
