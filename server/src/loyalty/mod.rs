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
//!
//! The parts: `programme` (its checks and rates), `accrual` (purchases earn, returns take
//! back), `ledger` (lines, balance, expiry), `account` (what a member sees), `adjustments`
//! (the shop's adjustments and redemptions); here the error type, and what loyalty keeps per
//! profile (`HELD`: how a merge moves it, what an erasure deletes).

mod account;
mod accrual;
mod adjustments;
mod error;
mod ledger;
mod programme;

pub use self::account::{account, all_lines};
pub use self::accrual::apply;
pub use self::adjustments::{adjust, redeem, Adjustment};
pub use self::error::LoyaltyError;
pub use self::ledger::{balance, settle_expiry, HELD, LEDGER_TABLE};
pub use self::programme::{points_for, programme, set_programme, Programme};

#[cfg(test)]
mod tests {
    use super::accrual::{mark_returned, OrderLine};
    use super::ledger::{expiry_of, Credit};
    use super::programme::DAY;
    use super::*;
    use vitrine_types::{PointsExpiry, ReturnLine, Rounding};

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
