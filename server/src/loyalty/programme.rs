//! The programme: its checks, the points a purchase earns, where it is stored.

use sqlx::AnyConnection;
use vitrine_types::{EarnRate, LoyaltyProgram, Money, Rounding};

use crate::shops::JsonSetting;

/// Seconds in a day.
pub(super) const DAY: i64 = 86_400;

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
            crate::shops::link::check("join_url", url)?;
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
    pub(super) fn tier(&self, qualifying: i64) -> (usize, &vitrine_types::TierRule) {
        let index = self
            .0
            .tiers
            .iter()
            .rposition(|tier| tier.threshold <= qualifying)
            .unwrap_or(0);
        (index, &self.0.tiers[index])
    }

    pub(super) fn window(&self) -> i64 {
        i64::from(self.0.tier_window_days) * DAY
    }

    pub(super) fn expiry(&self) -> Option<i64> {
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

pub(super) fn check_currency(code: &str) -> Result<(), String> {
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

pub(super) fn rounding_str(rounding: Rounding) -> &'static str {
    match rounding {
        Rounding::Down => "down",
        Rounding::Nearest => "nearest",
        Rounding::Up => "up",
    }
}

pub(super) fn rounding_of(value: &str) -> Rounding {
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
