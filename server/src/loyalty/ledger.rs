//! The ledger lines, the running balance, and expiry first in, first out.

use sqlx::AnyConnection;
use vitrine_types::{Channel, LedgerKind, PointsExpiry};

use crate::identity::profiles::HeldData;

use super::programme::Programme;

/// Rows per multi-row statement: well inside both backends' parameter limits.
pub(super) const ROWS_PER_STATEMENT: usize = 500;

/// A ledger line to write.
pub(super) struct NewLine<'a> {
    pub(super) line_id: String,
    pub(super) profile: &'a str,
    pub(super) kind: LedgerKind,
    pub(super) points: i64,
    pub(super) earned_at: Option<i64>,
    pub(super) occurred_at: i64,
    pub(super) order_id: Option<&'a str>,
    pub(super) channel: Option<Channel>,
    pub(super) store_id: Option<&'a str>,
    pub(super) reason: Option<&'a str>,
}

pub(super) async fn write_line(
    conn: &mut AnyConnection,
    shop_id: &str,
    line: &NewLine<'_>,
    now: i64,
) -> sqlx::Result<()> {
    write_lines(conn, shop_id, std::slice::from_ref(line), now).await
}

pub(super) async fn write_lines(
    conn: &mut AnyConnection,
    shop_id: &str,
    lines: &[NewLine<'_>],
    now: i64,
) -> sqlx::Result<()> {
    for chunk in lines.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO loyalty_ledger (shop_id, line_id, profile_id, kind, points, earned_at,
                 occurred_at, recorded_at, order_id, channel, store_id, reason)
             VALUES {}",
            crate::storage::db::Params::of(conn).rows(chunk.len(), 12)
        );
        let mut query = sqlx::query(&sql).persistent(crate::storage::db::worth_caching(
            chunk.len(),
            ROWS_PER_STATEMENT,
        ));
        for line in chunk {
            query = query
                .bind(shop_id)
                .bind(&line.line_id)
                .bind(line.profile)
                .bind(line.kind.as_str())
                .bind(line.points)
                .bind(line.earned_at)
                .bind(line.occurred_at)
                .bind(now)
                .bind(line.order_id)
                .bind(line.channel.map(Channel::as_str))
                .bind(line.store_id)
                .bind(line.reason);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

pub(super) async fn credit(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
    points: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO loyalty_accounts (shop_id, profile_id, balance) VALUES ($1, $2, $3)
         ON CONFLICT (shop_id, profile_id)
         DO UPDATE SET balance = loyalty_accounts.balance + excluded.balance",
    )
    .bind(shop_id)
    .bind(profile)
    .bind(points)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes `points` if the balance has them; `false` (nothing taken) otherwise.
pub(super) async fn debit(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
    points: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE loyalty_accounts SET balance = balance - $1
         WHERE shop_id = $2 AND profile_id = $3 AND balance >= $1",
    )
    .bind(points)
    .bind(shop_id)
    .bind(profile)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `FOR UPDATE` on PostgreSQL (SQLite's write transactions already run one at a time).
pub(super) fn row_lock(conn: &AnyConnection) -> &'static str {
    if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    }
}

/// The balance, locked until the transaction ends: every change that reads it first comes
/// here, so two of them for one account run one after the other.
pub(super) async fn lock_balance(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
) -> sqlx::Result<i64> {
    let lock = row_lock(conn);
    let row: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT balance FROM loyalty_accounts WHERE shop_id = $1 AND profile_id = $2{lock}"
    ))
    .bind(shop_id)
    .bind(profile)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map_or(0, |(balance,)| balance))
}

/// The sum of a profile's lines (its balance: the ledger's invariant) and its credits by when
/// they were earned, oldest first (reversals net against their order's accrual), marked when
/// they count towards tiers. One query.
pub(super) async fn credits(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
) -> sqlx::Result<(i64, Vec<Credit>)> {
    let rows: Vec<(String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT kind, earned_at, CAST(SUM(points) AS BIGINT) FROM loyalty_ledger
         WHERE shop_id = $1 AND profile_id = $2
         GROUP BY kind, earned_at ORDER BY earned_at",
    )
    .bind(shop_id)
    .bind(profile)
    .fetch_all(&mut *conn)
    .await?;
    let sum = rows.iter().map(|(_, _, points)| points).sum();
    let credits = rows
        .into_iter()
        .filter_map(|(kind, earned_at, points)| {
            Some(Credit {
                earned_at: earned_at?,
                points,
                qualifying: kind == "accrual" || kind == "reversal",
            })
        })
        .collect();
    Ok((sum, credits))
}

/// Points earned at one time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Credit {
    pub(super) earned_at: i64,
    pub(super) points: i64,
    pub(super) qualifying: bool,
}

/// Expiry, first in first out: what has expired by `now` and is not yet written off, and the
/// points that expire next. Debits (all that the balance lacks of the credits) use the oldest
/// credits first.
pub(super) fn expiry_of(
    credits: &[Credit],
    balance: i64,
    lifetime: i64,
    now: i64,
) -> (i64, Option<PointsExpiry>) {
    let total: i64 = credits.iter().map(|c| c.points).sum();
    let mut debits = (total - balance).max(0);
    let mut expired = 0;
    let mut next: Option<PointsExpiry> = None;
    for credit in credits {
        let left = (credit.points - debits).max(0);
        debits = (debits - credit.points).max(0);
        if left == 0 {
            continue;
        }
        let at = credit.earned_at + lifetime;
        if at <= now {
            expired += left;
        } else {
            match &mut next {
                None => next = Some(PointsExpiry { points: left, at }),
                Some(next) if next.at == at => next.points += left,
                Some(_) => break,
            }
        }
    }
    (expired, next)
}

/// Writes off expired points (one `expiry` line); returns how many. Runs before every debit.
pub async fn settle_expiry(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: &Programme,
    profile: &str,
    now: i64,
) -> sqlx::Result<i64> {
    let Some(lifetime) = programme.expiry() else {
        return Ok(0);
    };
    let balance = lock_balance(conn, shop_id, profile).await?;
    if balance == 0 {
        return Ok(0);
    }
    let (_, credits) = credits(conn, shop_id, profile).await?;
    let (expired, _) = expiry_of(&credits, balance, lifetime, now);
    if expired > 0 {
        let line = NewLine {
            line_id: format!("expiry:{}", uuid::Uuid::new_v4().simple()),
            profile,
            kind: LedgerKind::Expiry,
            points: -expired,
            earned_at: None,
            occurred_at: now,
            order_id: None,
            channel: None,
            store_id: None,
            reason: None,
        };
        write_line(conn, shop_id, &line, now).await?;
        debit(conn, shop_id, profile, expired).await?;
    }
    Ok(expired)
}

/// The balance of `profile` (0 without an account).
pub async fn balance(conn: &mut AnyConnection, shop_id: &str, profile: &str) -> sqlx::Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT balance FROM loyalty_accounts WHERE shop_id = $1 AND profile_id = $2",
    )
    .bind(shop_id)
    .bind(profile)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map_or(0, |(balance,)| balance))
}

/// The ledger: what an erasure reports as `loyalty_lines`.
pub const LEDGER_TABLE: &str = "loyalty_ledger";

/// What loyalty keeps per profile: the ledger, the orders that earned, and the balance,
/// which a merge adds to the survivor's.
pub const HELD: HeldData = HeldData {
    tables: &[LEDGER_TABLE, "loyalty_orders", "loyalty_accounts"],
    merge: Some(|conn, shop_id, absorbed, survivor| {
        Box::pin(merge(conn, shop_id, absorbed, survivor))
    }),
};

/// Moves the ledger, orders and balance of `absorbed` to `survivor` (part of a profile
/// merge, in its transaction: done once).
async fn merge(
    conn: &mut AnyConnection,
    shop_id: &str,
    absorbed: &str,
    survivor: &str,
) -> sqlx::Result<()> {
    crate::storage::db::move_rows(
        conn,
        &[LEDGER_TABLE, "loyalty_orders"],
        shop_id,
        absorbed,
        survivor,
    )
    .await?;
    let moved: Option<(i64,)> = sqlx::query_as(
        "DELETE FROM loyalty_accounts WHERE shop_id = $1 AND profile_id = $2 RETURNING balance",
    )
    .bind(shop_id)
    .bind(absorbed)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((balance,)) = moved {
        credit(conn, shop_id, survivor, balance).await?;
    }
    Ok(())
}
