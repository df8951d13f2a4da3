//! Vitrine profile API: the server behind the widgets.
//!
//! Layout: `http/` holds one module per API resource; the modules beside it hold the domain
//! (shops, profiles, events, recommendations, availability), storage (`db`), the widget bundle it serves (`bundle`), and the demo
//! (`demo` data, `storefront` shop). `main.rs` only parses the command line and starts things.

pub mod attribution;
pub mod availability;
pub mod bundle;
pub mod cart_recovery;
pub mod config;
pub mod consent;
pub mod coupons;
pub mod customers;
pub mod db;
pub mod demo;
pub mod events;
pub mod http;
pub mod identity;
pub mod import;
pub mod ingest;
pub mod keyring;
pub mod loyalty;
pub mod postcodes;
pub mod profiles;
pub mod recommendations;
pub mod serve;
pub mod shop_link;
pub mod shops;
pub mod storefront;
pub mod telemetry;

use std::sync::Arc;

pub use http::app;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: db::Db,
    /// The widget bundle, absent when it has not been built (the API still works).
    pub bundle: Option<Arc<bundle::Bundle>>,
    /// Opens the sealed secret keys that customer tokens are signed with.
    pub master_key: keyring::MasterKey,
    /// Per-key request rate limits.
    pub rate_limiter: Arc<http::ops::KeyRateLimiter>,
    /// Longest time a request may take.
    pub request_timeout: std::time::Duration,
    /// Each shop's recommender and catalogue, rebuilt periodically.
    pub recommendations: Arc<recommendations::Recommendations>,
    /// Each shop's stores and availability settings, cached.
    pub availability: Arc<availability::Availability>,
    /// The time cart recovery judges idleness, caps and quiet periods by (tests move it).
    pub clock: Arc<Clock>,
}

/// The time by the system clock plus an offset that tests can move forward, so that an
/// idle time of half an hour or a quiet period of days passes without waiting.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: std::sync::atomic::AtomicI64,
}

impl Clock {
    /// Seconds since the Unix epoch, as this clock reads.
    pub fn now(&self) -> i64 {
        unix_now() + self.offset_secs.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves the clock forward (or back, with a negative number) by `secs`.
    pub fn advance(&self, secs: i64) {
        self.offset_secs
            .fetch_add(secs, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}
