//! What the shop does to an account: adjustments and redemptions for a coupon.

use sqlx::AnyConnection;
use vitrine_types::{Coupon, LedgerKind};

use crate::coupons::{self, CouponSource, NewCoupon};

use super::error::LoyaltyError;
use super::ledger::{balance, credit, debit, lock_balance, settle_expiry, write_line, NewLine};
use super::programme::{Programme, DAY};

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
