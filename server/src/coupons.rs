//! One-time coupon codes: bought with loyalty points or offered to win a cart back. A code is
//! unguessable (80 random bits), bound to its shop and customer, expires, and is used once:
//! the redemption is one conditional UPDATE, so two tills racing for it cannot both win.

use sqlx::AnyConnection;
use vitrine_types::{Coupon, Money};

use crate::identity::profiles::HeldData;

/// A customer's coupons follow her profile in a merge and go with it in an erasure.
pub const HELD: HeldData = HeldData {
    tables: &["coupons"],
    merge: None,
};

/// What a coupon was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponSource {
    /// Bought with loyalty points.
    Loyalty,
    /// Offered by cart recovery.
    CartRecovery,
}

impl CouponSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Loyalty => "loyalty",
            Self::CartRecovery => "cart_recovery",
        }
    }
}

/// A coupon to write.
#[derive(Debug, Clone)]
pub struct NewCoupon<'a> {
    /// Whose it is.
    pub profile: &'a str,
    /// What made it.
    pub source: CouponSource,
    /// The client's id of the request that made it (unique per shop and source).
    pub request_id: &'a str,
    /// What it takes off (an amount; for a percentage coupon zero in the order's currency).
    pub value: Money,
    /// A percentage of the order it takes off instead of `value`.
    pub percent: Option<u32>,
    /// Points it took.
    pub points: i64,
    /// Until when it can be used, unix seconds.
    pub expires_at: i64,
}

/// Why a coupon could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    /// No such code in this shop.
    #[error("no coupon `{0}` in this shop")]
    Unknown(String),
    /// Used before.
    #[error("coupon `{0}` was already used")]
    AlreadyRedeemed(String),
    /// Past its validity.
    #[error("coupon `{0}` has expired")]
    Expired(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Crockford's base 32: no I, L, O, U, so a code read aloud at a till is not mistyped.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh code: 16 characters of 5 random bits each, in groups of four.
fn new_code() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    let mut code = String::with_capacity(19);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 && index % 4 == 0 {
            code.push('-');
        }
        // 256 is a multiple of 32: every character is equally likely.
        code.push(char::from(ALPHABET[usize::from(byte % 32)]));
    }
    code
}

/// Writes a new coupon and returns it.
pub async fn create(
    conn: &mut AnyConnection,
    shop_id: &str,
    coupon: &NewCoupon<'_>,
    now: i64,
) -> sqlx::Result<Coupon> {
    let code = new_code();
    sqlx::query(
        "INSERT INTO coupons (shop_id, code, profile_id, source, request_id, amount_minor,
             currency, percent, points, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(shop_id)
    .bind(&code)
    .bind(coupon.profile)
    .bind(coupon.source.as_str())
    .bind(coupon.request_id)
    .bind(coupon.value.amount_minor)
    .bind(&coupon.value.currency)
    .bind(coupon.percent.map(i64::from))
    .bind(coupon.points)
    .bind(now)
    .bind(coupon.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(Coupon {
        code,
        value: coupon.value.clone(),
        percent: coupon.percent,
        points: coupon.points,
        expires_at: coupon.expires_at,
        redeemed_at: None,
    })
}

type CouponRow = (
    String,
    String,
    i64,
    String,
    Option<i64>,
    i64,
    i64,
    Option<i64>,
);

const COUPON_COLUMNS: &str =
    "code, profile_id, amount_minor, currency, percent, points, expires_at, redeemed_at";

fn coupon_of(row: CouponRow) -> (String, Coupon) {
    let (code, profile, amount_minor, currency, percent, points, expires_at, redeemed_at) = row;
    (
        profile,
        Coupon {
            code,
            value: Money {
                amount_minor,
                currency,
            },
            // Checked to be 1–100 when the rule was set.
            percent: percent.and_then(|percent| u32::try_from(percent).ok()),
            points,
            expires_at,
            redeemed_at,
        },
    )
}

/// The coupon a request made before, with its owner's profile.
pub async fn by_request(
    conn: &mut AnyConnection,
    shop_id: &str,
    source: CouponSource,
    request_id: &str,
) -> sqlx::Result<Option<(String, Coupon)>> {
    let row: Option<CouponRow> = sqlx::query_as(&format!(
        "SELECT {COUPON_COLUMNS} FROM coupons
         WHERE shop_id = $1 AND source = $2 AND request_id = $3"
    ))
    .bind(shop_id)
    .bind(source.as_str())
    .bind(request_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(coupon_of))
}

/// A coupon by its code, with its owner's profile.
pub async fn by_code(
    conn: &mut AnyConnection,
    shop_id: &str,
    code: &str,
) -> sqlx::Result<Option<(String, Coupon)>> {
    let row: Option<CouponRow> = sqlx::query_as(&format!(
        "SELECT {COUPON_COLUMNS} FROM coupons WHERE shop_id = $1 AND code = $2"
    ))
    .bind(shop_id)
    .bind(normalise(code))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(coupon_of))
}

/// A code as typed: upper case, with the letters Crockford reads as digits mapped back.
fn normalise(code: &str) -> String {
    code.trim()
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// Uses a coupon on an order: exactly once, even when two checkouts race for it.
pub async fn redeem(
    conn: &mut AnyConnection,
    shop_id: &str,
    code: &str,
    order_id: &str,
    now: i64,
) -> Result<Coupon, RedeemError> {
    let code = normalise(code);
    let used = sqlx::query(
        "UPDATE coupons SET redeemed_at = $1, redeemed_order_id = $2
         WHERE shop_id = $3 AND code = $4 AND redeemed_at IS NULL AND expires_at >= $1",
    )
    .bind(now)
    .bind(order_id)
    .bind(shop_id)
    .bind(&code)
    .execute(&mut *conn)
    .await?;
    let Some((_, coupon)) = by_code(conn, shop_id, &code).await? else {
        return Err(RedeemError::Unknown(code));
    };
    if used.rows_affected() == 1 {
        Ok(coupon)
    } else if coupon.redeemed_at.is_some() {
        Err(RedeemError::AlreadyRedeemed(code))
    } else {
        Err(RedeemError::Expired(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_four_groups_of_crockford_characters_and_differ() {
        let a = new_code();
        let b = new_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(groups
            .iter()
            .all(|group| group.len() == 4 && group.bytes().all(|b| ALPHABET.contains(&b))));
    }

    #[test]
    fn a_typed_code_is_read_the_crockford_way() {
        assert_eq!(normalise(" abcd-ol1i-0000-zzzz "), "ABCD-0111-0000-ZZZZ");
    }
}
