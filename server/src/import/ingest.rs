//! Ingestion: what storing events sets off. The event store (`events`) and loyalty know
//! nothing of each other; this module stores a batch and then lets loyalty accrue for the
//! purchases among the new events the shop's own servers reported (a browser could send any
//! purchase), once per order.

use sqlx::AnyConnection;

use crate::events::{self, Source, ValidEvent};
use crate::loyalty;

/// Stores each event for its profile (see [`events::store_all`]) and applies the new servers'
/// purchases, returns and cancellations to loyalty; returns the positions in `events` of the
/// events that were new.
pub async fn store_all(
    conn: &mut AnyConnection,
    shop_id: &str,
    source: Source,
    events: &[(&str, &ValidEvent)],
    now: i64,
) -> sqlx::Result<Vec<usize>> {
    let stored = events::store_all(conn, shop_id, source, events, now).await?;
    if source == Source::Server {
        let new: Vec<(&str, &ValidEvent)> = stored.iter().map(|&index| events[index]).collect();
        loyalty::apply(conn, shop_id, &new, now).await?;
    }
    Ok(stored)
}

/// Stores `event` for `profile` as [`store_all`] does; `false` when its id was stored before
/// (nothing changes).
pub async fn store(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
    source: Source,
    event: &ValidEvent,
    now: i64,
) -> sqlx::Result<bool> {
    Ok(!store_all(conn, shop_id, source, &[(profile, event)], now)
        .await?
        .is_empty())
}
