//! Loyalty points: an append-only ledger of integer points per profile.
//!
//! - A purchase earns once per order (`loyalty_orders` keyed by order id), whichever channel
//!   or event reports it, at the programme's rate for its currency, without excluded
//!   categories, times the tier multiplier the customer had when she bought, rounded once.
//! - A return or cancellation takes back what the returned lines earned on the order's own
//!   terms: the order keeps `points_net`, and after each return the target is what the kept
//!   lines earn, so a full return takes back exactly the accrual.
//! - Only purchases the shop's servers report (secret key: till, ERP, checkout backend) earn;
//!   a purchase a browser reports feeds recommendations but earns nothing, since anyone can
//!   send one.
//! - Expiry is first in, first out: debits use the oldest credits first, and what is left of
//!   credits older than the expiry period is written off as an `expiry` line before any debit
//!   and whenever the account is read.
//! - The running balance (`loyalty_accounts`, never negative by a CHECK) is what concurrent
//!   redemptions race for: a debit is one conditional UPDATE, so two cannot both succeed.

use crate::shops::JsonSetting;
use sqlx::AnyConnection;
use vitrine_types::{
    Channel, Coupon, EarnRate, EventBody, LedgerKind, LedgerLine, LoyaltyAccount, LoyaltyProgram,
    Money, NextTier, PointsExpiry, ReturnLine, Rounding, Tier,
};

use crate::coupons::{self, CouponSource, NewCoupon};
use crate::events::ValidEvent;

const DAY: i64 = 86_400;

/// A programme that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme(LoyaltyProgram);

impl Programme {
    /// Checks a programme as a shop sends it.
    pub fn parse(program: LoyaltyProgram) -> Result<Self, String> {
        let p = &program;
        if p.earn.is_empty() || p.earn.len() > 10 {
            return Err("earn needs 1 to 10 rates".into());
        }
        for (index, rate) in p.earn.iter().enumerate() {
            check_currency(&rate.currency)?;
            if p.earn[..index].iter().any(|r| r.currency == rate.currency) {
                return Err(format!("earn names {} twice", rate.currency));
            }
            if !(1..=1_000_000).contains(&rate.points)
                || !(1..=1_000_000_000).contains(&rate.per_minor)
            {
                return Err("earn: points 1–1,000,000 per 1–1,000,000,000 minor units".into());
            }
        }
        if p.excluded_categories.len() > 100
            || p.excluded_categories
                .iter()
                .any(|c| c.is_empty() || c.len() > 200)
        {
            return Err("excluded_categories: at most 100 names of 1–200 characters".into());
        }
        if p.tiers.is_empty() || p.tiers.len() > 10 {
            return Err("tiers needs 1 to 10 tiers".into());
        }
        if p.tiers[0].threshold != 0 {
            return Err("the first tier has threshold 0".into());
        }
        for (index, tier) in p.tiers.iter().enumerate() {
            if tier.name.trim().is_empty() || tier.name.chars().count() > 40 {
                return Err("a tier name has 1 to 40 characters".into());
            }
            if !(1..=1000).contains(&tier.multiplier_percent) {
                return Err("multiplier_percent must be 1 to 1000".into());
            }
            if index > 0 && tier.threshold <= p.tiers[index - 1].threshold {
                return Err("tier thresholds must rise".into());
            }
        }
        if !(1..=3650).contains(&p.tier_window_days) {
            return Err("tier_window_days must be 1 to 3650".into());
        }
        if p.expiry_days
            .is_some_and(|days| !(1..=3650).contains(&days))
        {
            return Err("expiry_days must be 1 to 3650".into());
        }
        check_currency(&p.point_value.value.currency)?;
        if !(1..=1_000_000).contains(&p.point_value.points)
            || !(0..=1_000_000_000).contains(&p.point_value.value.amount_minor)
        {
            return Err("point_value: 1–1,000,000 points worth 0–1,000,000,000 minor units".into());
        }
        let r = &p.redemption;
        if !(1..=1_000_000_000).contains(&r.min_points)
            || !(1..=1_000_000_000).contains(&r.step_points)
            || !(1..=3650).contains(&r.coupon_validity_days)
        {
            return Err(
                "redemption: min_points and step_points 1–1,000,000,000, validity 1–3650 days"
                    .into(),
            );
        }
        if let Some(url) = &p.join_url {
            crate::shop_link::check("join_url", url)?;
        }
        Ok(Self(program))
    }

    /// The programme as the shop set it.
    pub fn get(&self) -> &LoyaltyProgram {
        &self.0
    }

    /// The earn rate of `currency`.
    pub fn rate(&self, currency: &str) -> Option<&EarnRate> {
        self.0.earn.iter().find(|rate| rate.currency == currency)
    }

    /// The tier reached with `qualifying` points, and its position.
    fn tier(&self, qualifying: i64) -> (usize, &vitrine_types::TierRule) {
        let index = self
            .0
            .tiers
            .iter()
            .rposition(|tier| tier.threshold <= qualifying)
            .unwrap_or(0);
        (index, &self.0.tiers[index])
    }

    fn window(&self) -> i64 {
        i64::from(self.0.tier_window_days) * DAY
    }

    fn expiry(&self) -> Option<i64> {
        self.0.expiry_days.map(|days| i64::from(days) * DAY)
    }

    /// What `points` points are worth (rounded down).
    pub fn value_of(&self, points: i64) -> Money {
        let pv = &self.0.point_value;
        let amount = i128::from(points) * i128::from(pv.value.amount_minor) / i128::from(pv.points);
        Money {
            amount_minor: i64::try_from(amount).unwrap_or(i64::MAX),
            currency: pv.value.currency.clone(),
        }
    }
}

fn check_currency(code: &str) -> Result<(), String> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!("`{code}` is not an ISO 4217 code such as EUR"))
    }
}

/// Points an amount earns: `amount × points / per_minor × multiplier %`, rounded once.
pub fn points_for(
    amount_minor: i64,
    points: i64,
    per_minor: i64,
    multiplier_percent: i64,
    rounding: Rounding,
) -> i64 {
    let numerator = i128::from(amount_minor) * i128::from(points) * i128::from(multiplier_percent);
    let denominator = i128::from(per_minor) * 100;
    let quotient = match rounding {
        Rounding::Down => numerator / denominator,
        Rounding::Up => (numerator + denominator - 1) / denominator,
        Rounding::Nearest => (2 * numerator + denominator) / (2 * denominator),
    };
    i64::try_from(quotient).unwrap_or(i64::MAX)
}

fn rounding_str(rounding: Rounding) -> &'static str {
    match rounding {
        Rounding::Down => "down",
        Rounding::Nearest => "nearest",
        Rounding::Up => "up",
    }
}

fn rounding_of(value: &str) -> Rounding {
    match value {
        "nearest" => Rounding::Nearest,
        "up" => Rounding::Up,
        _ => Rounding::Down,
    }
}

/// The shop's programme; `None` when it has none.
pub async fn programme(conn: &mut AnyConnection, shop_id: &str) -> sqlx::Result<Option<Programme>> {
    Ok(
        crate::shops::json_setting(conn, shop_id, JsonSetting::LoyaltyProgram)
            .await?
            .map(Programme),
    )
}

/// Sets (or with `None` ends) the shop's programme; `false` when there is no such shop.
/// Orders earned before keep their terms.
pub async fn set_programme(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: Option<&Programme>,
) -> sqlx::Result<bool> {
    crate::shops::set_json_setting(
        conn,
        shop_id,
        JsonSetting::LoyaltyProgram,
        programme.map(|p| &p.0),
    )
    .await
}

/// Why a change to an account was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoyaltyError {
    /// The shop has no programme.
    #[error("the shop has no loyalty programme")]
    NoProgramme,
    /// The balance is smaller than what was asked.
    #[error("the balance is {balance} points, {asked} were asked for")]
    InsufficientPoints {
        /// The balance.
        balance: i64,
        /// What was asked.
        asked: i64,
    },
    /// A client id used before for something else.
    #[error("id `{0}` was used before for a different request")]
    IdConflict(String),
    /// The points do not fit the programme's rules.
    #[error("{0}")]
    InvalidPoints(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

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
struct Purchase<'a> {
    profile: &'a str,
    order_id: &'a str,
    channel: Channel,
    store_id: Option<&'a str>,
    currency: &'a str,
    /// sku, quantity, unit price in minor units.
    lines: Vec<(&'a str, i64, i64)>,
    occurred_at: i64,
}

/// One line of an order that earned: sku, quantity, unit price, quantity returned.
type OrderLine = (String, i64, i64, i64);

/// Rows per multi-row statement: well inside both backends' parameter limits.
const ROWS_PER_STATEMENT: usize = 500;

/// Earns points for `purchases`, in order: each order once (the first report of it), at the
/// tier its customer had when she bought, counting the purchases before it in the batch.
async fn accrue(
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
            crate::db::Params::of(conn).rows(chunk.len(), 10)
        );
        let mut query =
            sqlx::query(&sql).persistent(crate::db::worth_caching(chunk.len(), ROWS_PER_STATEMENT));
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
            crate::db::Params::of(conn).rows(chunk.len(), 3)
        );
        let mut query =
            sqlx::query(&sql).persistent(crate::db::worth_caching(chunk.len(), ROWS_PER_STATEMENT));
        for (profile, points) in chunk {
            query = query.bind(shop_id).bind(*profile).bind(*points);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The orders among `purchases` that earned before.
async fn known_orders<'p>(
    conn: &mut AnyConnection,
    shop_id: &str,
    purchases: &[Purchase<'p>],
) -> sqlx::Result<std::collections::HashSet<&'p str>> {
    let mut known = std::collections::HashSet::new();
    for chunk in purchases.chunks(ROWS_PER_STATEMENT) {
        let params = crate::db::Params::of(conn);
        let sql = format!(
            "SELECT order_id FROM loyalty_orders WHERE shop_id = {} AND order_id IN ({})",
            params.one(1),
            params.list(2, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql)
            .persistent(crate::db::worth_caching(chunk.len(), ROWS_PER_STATEMENT))
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
async fn qualifying_history<'p>(
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
        let params = crate::db::Params::of(conn);
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
            .persistent(crate::db::worth_caching(chunk.len(), ROWS_PER_STATEMENT))
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
async fn excluded_skus(
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
        let params = crate::db::Params::of(conn);
        let sql = format!(
            "SELECT sku FROM products WHERE shop_id = {} AND sku IN ({}) AND category IN ({})",
            params.one(1),
            params.list(2, chunk.len()),
            params.list(2 + chunk.len(), categories.len()),
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql)
            .persistent(crate::db::worth_caching(chunk.len(), ROWS_PER_STATEMENT))
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
struct Reversal<'a> {
    line_id: String,
    order_id: &'a str,
    channel: Option<Channel>,
    store_id: Option<&'a str>,
    /// `None`: the whole order.
    returned: Option<&'a [ReturnLine]>,
    occurred_at: i64,
}

type OrderRow = (String, i64, i64, i64, i64, String, String, i64);

async fn reverse(
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
fn mark_returned(lines: &mut [OrderLine], returned: Option<&[ReturnLine]>) {
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

/// A ledger line to write.
struct NewLine<'a> {
    line_id: String,
    profile: &'a str,
    kind: LedgerKind,
    points: i64,
    earned_at: Option<i64>,
    occurred_at: i64,
    order_id: Option<&'a str>,
    channel: Option<Channel>,
    store_id: Option<&'a str>,
    reason: Option<&'a str>,
}

async fn write_line(
    conn: &mut AnyConnection,
    shop_id: &str,
    line: &NewLine<'_>,
    now: i64,
) -> sqlx::Result<()> {
    write_lines(conn, shop_id, std::slice::from_ref(line), now).await
}

async fn write_lines(
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
            crate::db::Params::of(conn).rows(chunk.len(), 12)
        );
        let mut query =
            sqlx::query(&sql).persistent(crate::db::worth_caching(chunk.len(), ROWS_PER_STATEMENT));
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

async fn credit(
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
async fn debit(
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
fn row_lock(conn: &AnyConnection) -> &'static str {
    if conn.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    }
}

/// The balance, locked until the transaction ends: every change that reads it first comes
/// here, so two of them for one account run one after the other.
async fn lock_balance(conn: &mut AnyConnection, shop_id: &str, profile: &str) -> sqlx::Result<i64> {
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
async fn credits(
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
struct Credit {
    earned_at: i64,
    points: i64,
    qualifying: bool,
}

/// Expiry, first in first out: what has expired by `now` and is not yet written off, and the
/// points that expire next. Debits (all that the balance lacks of the credits) use the oldest
/// credits first.
fn expiry_of(
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

/// The account of `profile` (`None`: a member with no points yet) with its latest `lines`,
/// and whether points have expired that are not written off yet (then [`settle_expiry`] and
/// read again: this account still counts them).
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

async fn latest_lines(
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

fn kind_of(value: &str) -> LedgerKind {
    match value {
        "accrual" => LedgerKind::Accrual,
        "reversal" => LedgerKind::Reversal,
        "adjustment" => LedgerKind::Adjustment,
        "redemption" => LedgerKind::Redemption,
        _ => LedgerKind::Expiry,
    }
}

fn channel_of(value: &str) -> Channel {
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

/// A manual adjustment.
#[derive(Debug, Clone)]
pub struct Adjustment<'a> {
    /// The client's id.
    pub id: &'a str,
    /// Whose points.
    pub profile: &'a str,
    /// Points to add or take.
    pub points: i64,
    /// Why.
    pub reason: &'a str,
}

/// Adds or takes points by hand; the same id again changes nothing.
pub async fn adjust(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: &Programme,
    adjustment: &Adjustment<'_>,
    now: i64,
) -> Result<(), LoyaltyError> {
    let line_id = format!("adjustment:{}", adjustment.id);
    lock_balance(conn, shop_id, adjustment.profile).await?;
    let before: Option<(String, i64)> = sqlx::query_as(
        "SELECT profile_id, points FROM loyalty_ledger WHERE shop_id = $1 AND line_id = $2",
    )
    .bind(shop_id)
    .bind(&line_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((profile, points)) = before {
        return if profile == adjustment.profile && points == adjustment.points {
            Ok(())
        } else {
            Err(LoyaltyError::IdConflict(adjustment.id.to_string()))
        };
    }
    settle_expiry(conn, shop_id, programme, adjustment.profile, now).await?;
    if adjustment.points < 0 {
        let asked = -adjustment.points;
        if !debit(conn, shop_id, adjustment.profile, asked).await? {
            let balance = balance(conn, shop_id, adjustment.profile).await?;
            return Err(LoyaltyError::InsufficientPoints { balance, asked });
        }
    } else {
        credit(conn, shop_id, adjustment.profile, adjustment.points).await?;
    }
    let line = NewLine {
        line_id,
        profile: adjustment.profile,
        kind: LedgerKind::Adjustment,
        points: adjustment.points,
        earned_at: (adjustment.points > 0).then_some(now),
        occurred_at: now,
        order_id: None,
        channel: None,
        store_id: None,
        reason: Some(adjustment.reason),
    };
    write_line(conn, shop_id, &line, now).await?;
    Ok(())
}

/// Turns `points` of `profile` into a one-time coupon; the same request id again answers the
/// same coupon and takes nothing more.
pub async fn redeem(
    conn: &mut AnyConnection,
    shop_id: &str,
    programme: &Programme,
    profile: &str,
    request_id: &str,
    points: i64,
    now: i64,
) -> Result<Coupon, LoyaltyError> {
    let rule = &programme.get().redemption;
    if points < rule.min_points || points % rule.step_points != 0 {
        return Err(LoyaltyError::InvalidPoints(format!(
            "redeem at least {} points, in steps of {}",
            rule.min_points, rule.step_points
        )));
    }
    // The lock first: a retry of the same request racing the original waits here and then
    // finds its coupon.
    lock_balance(conn, shop_id, profile).await?;
    if let Some((owner, coupon)) =
        coupons::by_request(conn, shop_id, CouponSource::Loyalty, request_id).await?
    {
        return if owner == profile && coupon.points == points {
            Ok(coupon)
        } else {
            Err(LoyaltyError::IdConflict(request_id.to_string()))
        };
    }
    settle_expiry(conn, shop_id, programme, profile, now).await?;
    if !debit(conn, shop_id, profile, points).await? {
        let balance = balance(conn, shop_id, profile).await?;
        return Err(LoyaltyError::InsufficientPoints {
            balance,
            asked: points,
        });
    }
    let coupon = NewCoupon {
        profile,
        source: CouponSource::Loyalty,
        request_id,
        value: programme.value_of(points),
        percent: None,
        points,
        expires_at: now + i64::from(rule.coupon_validity_days) * DAY,
    };
    let coupon = coupons::create(conn, shop_id, &coupon, now).await?;
    let line = NewLine {
        line_id: format!("redemption:{request_id}"),
        profile,
        kind: LedgerKind::Redemption,
        points: -points,
        earned_at: None,
        occurred_at: now,
        order_id: None,
        channel: None,
        store_id: None,
        reason: None,
    };
    write_line(conn, shop_id, &line, now).await?;
    Ok(coupon)
}

/// Moves the ledger, orders, coupons and balance of `absorbed` to `survivor` (part of a
/// profile merge, in its transaction: done once).
pub async fn merge(
    conn: &mut AnyConnection,
    shop_id: &str,
    absorbed: &str,
    survivor: &str,
) -> sqlx::Result<()> {
    crate::profiles::move_rows(
        conn,
        &["loyalty_ledger", "loyalty_orders", "coupons"],
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

/// Tables holding a profile's loyalty data, for erasure.
pub const TABLES: [&str; 4] = [
    "loyalty_ledger",
    "loyalty_orders",
    "loyalty_accounts",
    "coupons",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn credit(earned_at: i64, points: i64) -> Credit {
        Credit {
            earned_at,
            points,
            qualifying: true,
        }
    }

    #[test]
    fn points_are_rounded_once_per_order_by_the_programmes_rule() {
        // 12,34 € at 1 point per euro, 125 %: 15.425 points.
        assert_eq!(points_for(1234, 1, 100, 125, Rounding::Down), 15);
        assert_eq!(points_for(1234, 1, 100, 125, Rounding::Nearest), 15);
        assert_eq!(points_for(1234, 1, 100, 125, Rounding::Up), 16);
        // 12,50 € at 1 point per 2 €: 6.25 → 6 / 6 / 7; 13,00 €: 6.5 rounds half up.
        assert_eq!(points_for(1300, 1, 200, 100, Rounding::Nearest), 7);
        assert_eq!(points_for(0, 1, 100, 150, Rounding::Up), 0);
        assert_eq!(
            points_for(i64::MAX, 1_000_000, 1, 1000, Rounding::Down),
            i64::MAX
        );
    }

    #[test]
    fn oldest_credits_are_spent_first_and_the_rest_expires() {
        let year = 365 * DAY;
        let credits = [credit(0, 100), credit(10 * DAY, 50), credit(400 * DAY, 30)];
        // 120 of 180 spent: the first 100 and 20 of the second are gone.
        let (expired, next) = expiry_of(&credits, 60, year, 370 * DAY);
        assert_eq!(expired, 0);
        assert_eq!(
            next,
            Some(PointsExpiry {
                points: 30,
                at: 10 * DAY + year
            })
        );
        let (expired, next) = expiry_of(&credits, 60, year, 380 * DAY);
        assert_eq!(expired, 30);
        assert_eq!(next.map(|n| n.points), Some(30));
        // Nothing spent: everything older than a year expires.
        assert_eq!(expiry_of(&credits, 180, year, 380 * DAY).0, 150);
    }

    #[test]
    fn returned_items_are_counted_against_lines_never_beyond_what_was_bought() {
        let mut lines: Vec<OrderLine> = vec![
            ("A".into(), 2, 1000, 0),
            ("B".into(), 1, 500, 0),
            ("A".into(), 1, 900, 0),
        ];
        let back = [ReturnLine {
            sku: "A".into(),
            quantity: 5,
        }];
        mark_returned(&mut lines, Some(&back));
        assert_eq!(lines[0].3, 2);
        assert_eq!(lines[1].3, 0);
        assert_eq!(lines[2].3, 1);
        mark_returned(&mut lines, None);
        assert_eq!(lines[1].3, 1);
    }
}
