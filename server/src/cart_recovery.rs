//! Cart recovery: the open cart of a shopper's profiles (net `add_to_cart`/`remove_from_cart`
//! per SKU, less what was bought since in any channel), judged abandoned after the shop's idle
//! time; one offer per cart (its lines' fingerprint) with at most one coupon, and the dialog's
//! frequency cap and quiet period counted over every device of the customer.

use std::collections::HashMap;

use sqlx::AnyConnection;
use vitrine_types::{CartLine, CartRecoveryActionKind, CartRecoveryRules, Coupon, Money};

use crate::coupons::{self, CouponSource, NewCoupon};
use crate::identity::profiles::HeldData;
use crate::shops::JsonSetting;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// Cart activity older than this is forgotten: such a cart is not recovered any more.
pub const CART_MAX_AGE_SECS: i64 = 30 * DAY;

/// Most lines an offer lists (a cart's fingerprint covers all of them).
pub const MAX_LINES: usize = 50;

/// Tables holding a profile's cart recovery rows (merged and erased with it).
const TABLES: [&str; 2] = ["cart_offers", "cart_recovery_actions"];

/// What cart recovery keeps per profile: its offers (a merge keeps the survivor's offer for
/// the same lines) and dialog actions.
pub const HELD: HeldData = HeldData {
    tables: &TABLES,
    merge: Some(|conn, shop_id, absorbed, survivor| {
        Box::pin(merge(conn, shop_id, absorbed, survivor))
    }),
};

/// A shop's rules, checked.
#[derive(Debug, Clone)]
pub struct Rules(CartRecoveryRules);

impl Rules {
    /// Checks rules as a shop sends them.
    pub fn parse(rules: CartRecoveryRules) -> Result<Self, String> {
        let r = &rules;
        if !(1..=30 * 24 * 60).contains(&r.idle_minutes) {
            return Err("idle_minutes must be 1 to 43200 (30 days)".into());
        }
        if let Some(min) = &r.min_cart_value {
            check_currency(&min.currency)?;
            if min.amount_minor < 0 {
                return Err("min_cart_value must not be negative".into());
            }
        }
        if let Some(coupon) = &r.coupon {
            match (&coupon.amount, coupon.percent) {
                (Some(amount), None) => {
                    check_currency(&amount.currency)?;
                    if !(1..=100_000_000).contains(&amount.amount_minor) {
                        return Err("coupon.amount must be 1 to 100000000 minor units".into());
                    }
                }
                (None, Some(percent)) => {
                    if !(1..=100).contains(&percent) {
                        return Err("coupon.percent must be 1 to 100".into());
                    }
                }
                _ => return Err("coupon needs exactly one of `amount` and `percent`".into()),
            }
            if !(1..=365).contains(&coupon.validity_days) {
                return Err("coupon.validity_days must be 1 to 365".into());
            }
        }
        if r.coupon_once_per_days > 3650 {
            return Err("coupon_once_per_days must be 0 to 3650".into());
        }
        if !(1..=1000).contains(&r.max_shows) {
            return Err("max_shows must be 1 to 1000".into());
        }
        if !(1..=8760).contains(&r.show_window_hours) {
            return Err("show_window_hours must be 1 to 8760".into());
        }
        if r.max_coupons_per_day > 1_000_000 {
            return Err("max_coupons_per_day must be 0 to 1000000".into());
        }
        if r.quiet_hours_after_dismiss > 8760 {
            return Err("quiet_hours_after_dismiss must be 0 to 8760".into());
        }
        crate::shops::link::check("cart_url", &r.cart_url)?;
        Ok(Self(rules))
    }

    /// The rules as the shop set them.
    pub fn get(&self) -> &CartRecoveryRules {
        &self.0
    }
}

fn check_currency(code: &str) -> Result<(), String> {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!("`{code}` is not an ISO 4217 code such as EUR"))
    }
}

/// The shop's rules; `None` when it recovers no carts.
pub async fn rules(conn: &mut AnyConnection, shop_id: &str) -> sqlx::Result<Option<Rules>> {
    Ok(
        crate::shops::json_setting(conn, shop_id, JsonSetting::CartRecoveryRules)
            .await?
            .map(Rules),
    )
}

/// Sets (or with `None` ends) the shop's rules; false when there is no such shop.
pub async fn set_rules(
    conn: &mut AnyConnection,
    shop_id: &str,
    rules: Option<&Rules>,
) -> sqlx::Result<bool> {
    crate::shops::set_json_setting(
        conn,
        shop_id,
        JsonSetting::CartRecoveryRules,
        rules.map(|r| &r.0),
    )
    .await
}

/// One open line of a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLine {
    /// The product.
    pub sku: String,
    /// How many, net of removals.
    pub quantity: i64,
}

/// The open cart of a shopper's profiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    /// Lines with a positive quantity not bought since, in the order first added.
    pub lines: Vec<OpenLine>,
    /// The last add or removal, unix seconds.
    pub last_activity_at: i64,
    /// The last add, removal or purchase: idleness counts from here.
    pub last_touched_at: i64,
}

/// What happened to a cart, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartEvent {
    /// `add_to_cart`.
    Add {
        /// The SKU added.
        sku: String,
        /// How many were added.
        quantity: i64,
    },
    /// `remove_from_cart`.
    Remove {
        /// The SKU removed.
        sku: String,
        /// How many were removed.
        quantity: i64,
    },
    /// A purchase line (web or till).
    Purchase {
        /// The SKU bought.
        sku: String,
    },
}

impl CartEvent {
    /// At equal times a purchase comes after the adds: the cart was bought.
    fn order(&self) -> u8 {
        match self {
            Self::Add { .. } | Self::Remove { .. } => 0,
            Self::Purchase { .. } => 1,
        }
    }
}

/// The cart left by `events` (unix seconds, any order): net quantity per SKU, a removal never
/// below zero, a purchase of a SKU closing its line. `None` when no line is open.
pub fn cart_of(mut events: Vec<(i64, CartEvent)>) -> Option<Cart> {
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.order().cmp(&b.1.order())));
    let mut quantities: Vec<(String, i64)> = Vec::new();
    let (mut last_activity_at, mut last_touched_at) = (0, 0);
    for (at, event) in events {
        last_touched_at = last_touched_at.max(at);
        let (sku, change) = match event {
            CartEvent::Add { sku, quantity } => (sku, Some(quantity)),
            CartEvent::Remove { sku, quantity } => (sku, Some(-quantity)),
            CartEvent::Purchase { sku } => (sku, None),
        };
        if change.is_some() {
            last_activity_at = last_activity_at.max(at);
        }
        let index = match quantities.iter().position(|(s, _)| *s == sku) {
            Some(index) => index,
            None => {
                quantities.push((sku, 0));
                quantities.len() - 1
            }
        };
        let quantity = &mut quantities[index].1;
        *quantity = match change {
            Some(change) => quantity.saturating_add(change).max(0),
            None => 0,
        };
        // A line that came and went starts again at the back when added again.
        if *quantity == 0 {
            let line = quantities.remove(index);
            quantities.push(line);
        }
    }
    let lines: Vec<OpenLine> = quantities
        .into_iter()
        .filter(|(_, quantity)| *quantity > 0)
        .map(|(sku, quantity)| OpenLine { sku, quantity })
        .collect();
    (!lines.is_empty()).then_some(Cart {
        lines,
        last_activity_at,
        last_touched_at,
    })
}

/// The open cart of `profiles` from the last [`CART_MAX_AGE_SECS`] of their events.
pub async fn open_cart(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
    now: i64,
) -> sqlx::Result<Option<Cart>> {
    let since = now - CART_MAX_AGE_SECS;
    let mut events = Vec::new();
    for profile in profiles {
        // A browser's events count from when they arrived: its clock is not trusted with
        // what gates a coupon (an add "two hours ago" is an add now).
        let rows: Vec<(String, Option<String>, Option<i64>, i64)> = sqlx::query_as(&format!(
            "SELECT type, sku, quantity, {AT} FROM events
             WHERE shop_id = $1 AND profile_id = $2 AND {AT} >= $3
               AND type IN ('add_to_cart', 'remove_from_cart')"
        ))
        .bind(shop_id)
        .bind(profile)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        for (kind, sku, quantity, at) in rows {
            let (Some(sku), quantity) = (sku, quantity.unwrap_or(1).max(0)) else {
                continue;
            };
            events.push((
                at,
                if kind == "add_to_cart" {
                    CartEvent::Add { sku, quantity }
                } else {
                    CartEvent::Remove { sku, quantity }
                },
            ));
        }
        let bought: Vec<(String, i64)> = sqlx::query_as(
            "SELECT sku, purchased_at FROM purchase_lines
             WHERE shop_id = $1 AND profile_id = $2 AND purchased_at >= $3",
        )
        .bind(shop_id)
        .bind(profile)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        events.extend(
            bought
                .into_iter()
                .map(|(sku, at)| (at, CartEvent::Purchase { sku })),
        );
        // A purchase the browser reported is no sale, but it may close the cart: showing
        // a dialog for a cart the shopper says she bought helps nobody.
        let reported: Vec<(String, i64)> = sqlx::query_as(
            "SELECT payload, received_at FROM events
             WHERE shop_id = $1 AND profile_id = $2 AND type = 'purchase'
               AND source = 'browser' AND received_at >= $3",
        )
        .bind(shop_id)
        .bind(profile)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
        for (payload, at) in reported {
            if let Ok(vitrine_types::EventIn {
                body: vitrine_types::EventBody::Purchase { lines, .. },
                ..
            }) = serde_json::from_str(&payload)
            {
                events.extend(
                    lines
                        .into_iter()
                        .map(|line| (at, CartEvent::Purchase { sku: line.sku })),
                );
            }
        }
    }
    Ok(cart_of(events))
}

/// When an event counts for cart recovery: a browser's when it arrived, a server's when it
/// happened.
const AT: &str = "CASE WHEN source = 'browser' THEN received_at ELSE occurred_at END";

/// Names a cart by its lines: the same lines are the same offer, changed lines a new one.
pub fn fingerprint(cart: &Cart) -> String {
    use sha2::{Digest, Sha256};
    let mut lines: Vec<_> = cart
        .lines
        .iter()
        .map(|line| format!("{}\u{1f}{}", line.sku, line.quantity))
        .collect();
    lines.sort();
    hex::encode(&Sha256::digest(lines.join("\u{1e}").as_bytes())[..16])
}

/// The cart's lines at current catalogue prices (SKUs no longer in the catalogue are left
/// out), with whether each is in stock in some store.
pub async fn priced_lines(
    conn: &mut AnyConnection,
    shop_id: &str,
    cart: &Cart,
) -> sqlx::Result<Vec<CartLine>> {
    let mut lines = Vec::new();
    for line in cart.lines.iter().take(MAX_LINES) {
        type Row = (String, String, String, i64, String, Option<i64>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT p.title, p.url, p.image_url, p.price_minor, p.currency,
                    (SELECT CAST(MAX(s.quantity) AS BIGINT) FROM stock s
                     WHERE s.shop_id = p.shop_id AND s.sku = p.sku)
             FROM products p WHERE p.shop_id = $1 AND p.sku = $2",
        )
        .bind(shop_id)
        .bind(&line.sku)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((title, url, image_url, amount_minor, currency, stock)) = row {
            lines.push(CartLine {
                sku: line.sku.clone(),
                title,
                url,
                image_url,
                quantity: line.quantity,
                unit_price: Money {
                    amount_minor,
                    currency,
                },
                available: stock.unwrap_or(0) > 0,
            });
        }
    }
    Ok(lines)
}

/// The sum of `lines` in the first line's currency (lines in another are not added).
pub fn total(lines: &[CartLine]) -> Option<Money> {
    let currency = lines.first()?.unit_price.currency.clone();
    let amount_minor = lines
        .iter()
        .filter(|line| line.unit_price.currency == currency)
        .map(|line| line.unit_price.amount_minor.saturating_mul(line.quantity))
        .fold(0i64, i64::saturating_add);
    Some(Money {
        amount_minor,
        currency,
    })
}

/// Whether `total` reaches the rules' minimum (a cart in another currency does not).
pub fn meets_minimum(rules: &CartRecoveryRules, total: &Money) -> bool {
    rules
        .min_cart_value
        .as_ref()
        .is_none_or(|min| min.currency == total.currency && total.amount_minor >= min.amount_minor)
}

/// Whether the dialog must stay away now: shown `max_shows` times within the window, or
/// dismissed within the quiet period, on any of these profiles (every device of the customer).
pub async fn held_back(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
    rules: &CartRecoveryRules,
    now: i64,
) -> sqlx::Result<bool> {
    let show_since = now - i64::from(rules.show_window_hours) * HOUR;
    let quiet_since = now - i64::from(rules.quiet_hours_after_dismiss) * HOUR;
    let (mut shows, mut dismissed) = (0i64, false);
    for profile in profiles {
        let (profile_shows, profile_dismissals): (i64, i64) = sqlx::query_as(
            "SELECT
                 CAST(COALESCE(SUM(CASE WHEN action = 'shown' AND occurred_at > $3
                                        THEN 1 ELSE 0 END), 0) AS BIGINT),
                 CAST(COALESCE(SUM(CASE WHEN action = 'dismissed' AND occurred_at > $4
                                        THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM cart_recovery_actions WHERE shop_id = $1 AND profile_id = $2",
        )
        .bind(shop_id)
        .bind(profile)
        .bind(show_since)
        .bind(quiet_since)
        .fetch_one(&mut *conn)
        .await?;
        shows += profile_shows;
        dismissed |= profile_dismissals > 0;
    }
    Ok(shows >= i64::from(rules.max_shows) || dismissed)
}

/// An offer as stored.
#[derive(Debug, Clone)]
pub struct Offer {
    /// Its id.
    pub offer_id: String,
    /// Whose cart it is.
    pub profile: String,
    /// Its coupon's code, once one was given.
    pub coupon_code: Option<String>,
}

/// The offer for this cart of `profiles`, made now (for `owner`) when there is none yet.
pub async fn offer_for(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
    owner: &str,
    fingerprint: &str,
    now: i64,
) -> sqlx::Result<Offer> {
    if let Some(offer) = existing_offer(conn, shop_id, profiles, fingerprint).await? {
        return Ok(offer);
    }
    let offer_id = format!("cr_{}", uuid::Uuid::new_v4().simple());
    // Two requests for the same new cart: the second keeps the first one's offer.
    sqlx::query(
        "INSERT INTO cart_offers (shop_id, offer_id, profile_id, fingerprint, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (shop_id, profile_id, fingerprint) DO NOTHING",
    )
    .bind(shop_id)
    .bind(&offer_id)
    .bind(owner)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let owner = [owner.to_string()];
    existing_offer(conn, shop_id, &owner, fingerprint)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// The offer for this cart of `profiles`, if one was made.
pub async fn existing_offer(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
    fingerprint: &str,
) -> sqlx::Result<Option<Offer>> {
    for profile in profiles {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT offer_id, coupon_code FROM cart_offers
             WHERE shop_id = $1 AND profile_id = $2 AND fingerprint = $3",
        )
        .bind(shop_id)
        .bind(profile)
        .bind(fingerprint)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((offer_id, coupon_code)) = row {
            return Ok(Some(Offer {
                offer_id,
                profile: profile.clone(),
                coupon_code,
            }));
        }
    }
    Ok(None)
}

/// Who asks for an offer's coupon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// A customer proven by a valid token in the request.
    Customer,
    /// A visitor id alone: costs nothing to make, so no new coupon unless the rules say so.
    Anonymous,
}

/// The offer's coupon: the one it was given, or a new one when the rules give one (to an
/// anonymous asker only when `coupons_for_anonymous`), the shop gave fewer than
/// `max_coupons_per_day` in the last 24 hours, and none of `profiles` got a cart recovery
/// coupon within `coupon_once_per_days`. Shown only while it can be used.
#[allow(
    clippy::too_many_arguments,
    reason = "each is a fact the decision reads; a struct of them would be used once"
)]
pub async fn coupon_for(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
    rules: &CartRecoveryRules,
    offer: &Offer,
    total: &Money,
    asker: Asker,
    now: i64,
) -> sqlx::Result<Option<Coupon>> {
    let usable = |coupon: Coupon| {
        (coupon.redeemed_at.is_none() && coupon.expires_at >= now).then_some(coupon)
    };
    let mut code = offer.coupon_code.clone();
    if code.is_none() && rules.coupon.is_some() {
        // Takes the offer's row lock (PostgreSQL; SQLite writes one at a time anyway), so of
        // two requests for the same offer the second waits and then finds the first's code.
        sqlx::query(
            "UPDATE cart_offers SET coupon_code = coupon_code WHERE shop_id = $1 AND offer_id = $2",
        )
        .bind(shop_id)
        .bind(&offer.offer_id)
        .execute(&mut *conn)
        .await?;
        let (current,): (Option<String>,) = sqlx::query_as(
            "SELECT coupon_code FROM cart_offers WHERE shop_id = $1 AND offer_id = $2",
        )
        .bind(shop_id)
        .bind(&offer.offer_id)
        .fetch_one(&mut *conn)
        .await?;
        code = current;
    }
    if let Some(code) = &code {
        let coupon = coupons::by_code(conn, shop_id, code).await?;
        return Ok(coupon.and_then(|(_, coupon)| usable(coupon)));
    }
    let Some(rule) = &rules.coupon else {
        return Ok(None);
    };
    if asker == Asker::Anonymous && !rules.coupons_for_anonymous {
        return Ok(None);
    }
    let (value, percent) = match (&rule.amount, rule.percent) {
        (Some(amount), _) if amount.currency == total.currency => (amount.clone(), None),
        (None, Some(percent)) => (
            Money {
                amount_minor: 0,
                currency: total.currency.clone(),
            },
            Some(percent),
        ),
        // An amount in another currency than the cart's: no coupon.
        _ => return Ok(None),
    };
    // The shop's fence: at most so many cart recovery coupons in any 24 hours.
    let (today,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM coupons
         WHERE shop_id = $1 AND source = 'cart_recovery' AND created_at > $2",
    )
    .bind(shop_id)
    .bind(now - DAY)
    .fetch_one(&mut *conn)
    .await?;
    if today >= i64::from(rules.max_coupons_per_day) {
        tracing::warn!(
            shop = shop_id,
            cap = rules.max_coupons_per_day,
            "cart recovery coupon cap per day reached; offer shown without a coupon"
        );
        return Ok(None);
    }
    let since = now - i64::from(rules.coupon_once_per_days) * DAY;
    for profile in profiles {
        let (recent,): (i64,) = sqlx::query_as(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM coupons
             WHERE shop_id = $1 AND profile_id = $2 AND source = 'cart_recovery'
               AND created_at > $3",
        )
        .bind(shop_id)
        .bind(profile)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?;
        if recent > 0 && rules.coupon_once_per_days > 0 {
            return Ok(None);
        }
    }
    let coupon = NewCoupon {
        profile: &offer.profile,
        source: CouponSource::CartRecovery,
        request_id: &offer.offer_id,
        value,
        percent,
        points: 0,
        expires_at: now + i64::from(rule.validity_days) * DAY,
    };
    let coupon = coupons::create(conn, shop_id, &coupon, now).await?;
    sqlx::query("UPDATE cart_offers SET coupon_code = $1 WHERE shop_id = $2 AND offer_id = $3")
        .bind(&coupon.code)
        .bind(shop_id)
        .bind(&offer.offer_id)
        .execute(&mut *conn)
        .await?;
    Ok(Some(coupon))
}

/// The profile whose offer `offer_id` is, if it is one of the shop's.
pub async fn offer_owner(
    conn: &mut AnyConnection,
    shop_id: &str,
    offer_id: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT profile_id FROM cart_offers WHERE shop_id = $1 AND offer_id = $2")
            .bind(shop_id)
            .bind(offer_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(profile,)| profile))
}

/// Records what the shopper did with the dialog of `offer_id`.
pub async fn record_action(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
    offer_id: &str,
    action: CartRecoveryActionKind,
    now: i64,
) -> sqlx::Result<()> {
    let action = match action {
        CartRecoveryActionKind::Shown => "shown",
        CartRecoveryActionKind::Clicked => "clicked",
        CartRecoveryActionKind::Dismissed => "dismissed",
    };
    sqlx::query(
        "INSERT INTO cart_recovery_actions (shop_id, profile_id, offer_id, action, occurred_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(shop_id)
    .bind(profile)
    .bind(offer_id)
    .bind(action)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Moves the offers and actions of `absorbed` to `survivor` (a merge: the customer's cart
/// and dialog history follow her).
async fn merge(
    conn: &mut AnyConnection,
    shop_id: &str,
    absorbed: &str,
    survivor: &str,
) -> sqlx::Result<()> {
    // Both may hold an offer for the same lines: the survivor keeps its own.
    sqlx::query(
        "DELETE FROM cart_offers WHERE shop_id = $1 AND profile_id = $2
           AND fingerprint IN (SELECT fingerprint FROM cart_offers
                               WHERE shop_id = $1 AND profile_id = $3)",
    )
    .bind(shop_id)
    .bind(absorbed)
    .bind(survivor)
    .execute(&mut *conn)
    .await?;
    crate::storage::db::move_rows(conn, &TABLES, shop_id, absorbed, survivor).await
}

/// Whether `store` has every line in the quantity of the cart.
pub fn store_has_all(
    stock: &HashMap<(String, String), i64>,
    lines: &[CartLine],
    store: &str,
) -> bool {
    lines.iter().all(|line| {
        stock
            .get(&(store.to_string(), line.sku.clone()))
            .is_some_and(|quantity| *quantity >= line.quantity)
    })
}

/// Stock of the lines' SKUs in every store of the shop, by (store, SKU).
pub async fn stock_of_lines(
    conn: &mut AnyConnection,
    shop_id: &str,
    lines: &[CartLine],
) -> sqlx::Result<HashMap<(String, String), i64>> {
    let mut stock = HashMap::new();
    if lines.is_empty() {
        return Ok(stock);
    }
    let params = crate::storage::db::Params::of(conn);
    let sql = format!(
        "SELECT store_id, sku, quantity FROM stock WHERE shop_id = {} AND sku IN ({})",
        params.one(1),
        params.list(2, lines.len())
    );
    let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql).bind(shop_id);
    for line in lines {
        query = query.bind(&line.sku);
    }
    for (store, sku, quantity) in query.fetch_all(&mut *conn).await? {
        stock.insert((store, sku), quantity);
    }
    Ok(stock)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(sku: &str, quantity: i64) -> CartEvent {
        CartEvent::Add {
            sku: sku.into(),
            quantity,
        }
    }

    fn line(sku: &str, quantity: i64) -> OpenLine {
        OpenLine {
            sku: sku.into(),
            quantity,
        }
    }

    #[test]
    fn a_cart_is_the_net_of_adds_and_removals_never_below_zero() {
        let cart = cart_of(vec![
            (10, add("A", 2)),
            (11, add("B", 1)),
            (
                12,
                CartEvent::Remove {
                    sku: "A".into(),
                    quantity: 1,
                },
            ),
            (
                13,
                CartEvent::Remove {
                    sku: "B".into(),
                    quantity: 5,
                },
            ),
            (14, add("B", 1)),
        ])
        .unwrap();
        assert_eq!(cart.lines, vec![line("A", 1), line("B", 1)]);
        assert_eq!(cart.last_activity_at, 14);
    }

    #[test]
    fn a_purchase_closes_the_lines_it_bought_even_in_the_same_second() {
        let cart = cart_of(vec![
            (20, CartEvent::Purchase { sku: "A".into() }),
            (20, add("A", 1)),
            (20, add("B", 1)),
        ])
        .unwrap();
        assert_eq!(cart.lines, vec![line("B", 1)]);
        assert_eq!(cart.last_touched_at, 20);
        assert_eq!(
            cart_of(vec![
                (1, add("A", 1)),
                (2, CartEvent::Purchase { sku: "A".into() })
            ]),
            None
        );
        // Added again after the purchase: a new line.
        let cart = cart_of(vec![
            (1, add("A", 1)),
            (2, CartEvent::Purchase { sku: "A".into() }),
            (3, add("A", 1)),
        ])
        .unwrap();
        assert_eq!(cart.lines, vec![line("A", 1)]);
    }

    #[test]
    fn the_fingerprint_names_the_lines_not_their_order() {
        let a = Cart {
            lines: vec![line("A", 1), line("B", 2)],
            last_activity_at: 1,
            last_touched_at: 1,
        };
        let b = Cart {
            lines: vec![line("B", 2), line("A", 1)],
            last_activity_at: 9,
            last_touched_at: 9,
        };
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = Cart {
            lines: vec![line("A", 2), line("B", 2)],
            ..a.clone()
        };
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }
}
