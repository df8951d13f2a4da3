//! A member's account as the API answers it: balance, value, tier, ledger.

use sqlx::AnyConnection;
use vitrine_types::{Channel, LedgerKind, LedgerLine, LoyaltyAccount, NextTier, Tier};

use super::ledger::{credits, expiry_of};
use super::programme::Programme;

/// The account of `profile` (`None`: a member with no points yet) with its latest `lines`,
/// and whether points have expired that are not written off yet (then
/// [`settle_expiry`](super::settle_expiry) and read again: this account still counts them).
pub async fn account(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: &Programme,
    profile: Option<&str>,
    lines: u32,
    now: i64,
) -> sqlx::Result<(LoyaltyAccount, bool)> {
    let ((balance, credits), ledger) = match profile {
        None => ((0, Vec::new()), Vec::new()),
        Some(profile) => (
            credits(conn, shop_id, profile).await?,
            latest_lines(conn, shop_id, profile, lines).await?,
        ),
    };
    let window_start = now - programme.window();
    let qualifying: i64 = credits
        .iter()
        .filter(|c| c.qualifying && c.earned_at > window_start && c.earned_at <= now)
        .map(|c| c.points)
        .sum();
    let (index, tier) = programme.tier(qualifying);
    let next_tier = programme.get().tiers.get(index + 1).map(|next| NextTier {
        name: next.name.clone(),
        threshold: next.threshold,
        points_needed: next.threshold - qualifying,
    });
    let (expired, next_expiry) = match programme.expiry() {
        Some(lifetime) => expiry_of(&credits, balance, lifetime, now),
        None => (0, None),
    };
    let account = LoyaltyAccount {
        balance,
        value: programme.value_of(balance),
        tier: Tier {
            name: tier.name.clone(),
            multiplier_percent: tier.multiplier_percent,
        },
        next_tier,
        qualifying_points: qualifying,
        tier_window_days: programme.get().tier_window_days,
        next_expiry,
        lines: ledger,
    };
    Ok((account, expired > 0))
}

type LineRow = (
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(super) async fn latest_lines(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
    limit: u32,
) -> sqlx::Result<Vec<LedgerLine>> {
    let rows: Vec<LineRow> = sqlx::query_as(
        "SELECT l.kind, l.points, l.occurred_at, l.channel, l.store_id, s.name, l.order_id,
             l.reason
         FROM loyalty_ledger l
         LEFT JOIN stores s ON s.shop_id = l.shop_id AND s.store_id = l.store_id
         WHERE l.shop_id = $1 AND l.profile_id = $2
         ORDER BY l.occurred_at DESC, l.recorded_at DESC, l.line_id DESC
         LIMIT $3",
    )
    .bind(shop_id)
    .bind(profile)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(kind, points, occurred_at, channel, store_id, store_name, order_id, reason)| {
                LedgerLine {
                    kind: kind_of(&kind),
                    points,
                    occurred_at,
                    channel: channel.as_deref().map(channel_of),
                    store_id,
                    store_name,
                    order_id,
                    reason,
                }
            },
        )
        .collect())
}

pub(super) fn kind_of(value: &str) -> LedgerKind {
    match value {
        "accrual" => LedgerKind::Accrual,
        "reversal" => LedgerKind::Reversal,
        "adjustment" => LedgerKind::Adjustment,
        "redemption" => LedgerKind::Redemption,
        _ => LedgerKind::Expiry,
    }
}

pub(super) fn channel_of(value: &str) -> Channel {
    match value {
        "store" => Channel::Store,
        "app" => Channel::App,
        _ => Channel::Web,
    }
}

/// Every ledger line of `profile`, oldest first (GDPR export).
pub async fn all_lines(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
) -> sqlx::Result<Vec<LedgerLine>> {
    let mut lines = latest_lines(conn, shop_id, profile, u32::MAX).await?;
    lines.reverse();
    Ok(lines)
}
