//! Vitrine profile API: the server behind the widgets.
//!
//! One folder (or file) per capability, in layers; a module imports only from its own layer
//! or the ones below (`scripts/import-cycles.py` checks there is no circle and prints the
//! layers):
//!
//! - `app/` runs the server: command-line and environment settings (`config`), start-up and
//!   shutdown (`serve`), the widget bundle it serves (`bundle`). `main.rs` only parses the
//!   command line and starts things.
//! - `http/` is the edge: one module per API resource, authentication, errors, limits.
//! - `demo/` the demo shop's data and its storefront (the app's server and backend).
//! - the capabilities: `import/` (catalogue, stores, stock; ingestion of events and orders),
//!   `privacy` (a customer's export and erasure, and the list of what every capability keeps
//!   per profile), `recommendations/` (+ attribution), `availability/` (+ hours, postcodes),
//!   `loyalty/`, `cart_recovery`, `coupons`, `events`, `identity/` (customer tokens, profiles,
//!   consent), `shops/` (tenants, keys, the links shops set).
//! - `storage/` the database and the key ring; `telemetry` the metrics recorder.

pub mod app;
pub mod availability;
pub mod bundle;
pub mod cart_recovery;
pub mod coupons;
pub mod demo;
pub mod events;
pub mod http;
pub mod identity;
pub mod import;
pub mod loyalty;
pub mod privacy;
pub mod recommendations;
pub mod shops;
pub mod storage;
pub mod telemetry;

use std::sync::Arc;

pub use http::app;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: storage::db::Db,
    /// The widget bundle, absent when it has not been built (the API still works).
    pub bundle: Option<Arc<bundle::Bundle>>,
    /// Opens the sealed secret keys that customer tokens are signed with.
    pub master_key: storage::keyring::MasterKey,
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
