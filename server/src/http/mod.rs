//! The HTTP surface: one module per resource, each with its `router()`, merged here.

pub mod assets;
pub mod auth;
pub mod error;
pub mod health;
pub mod recommendations;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;

/// Largest request body accepted (browser event batches are far smaller).
const BODY_LIMIT: usize = 1024 * 1024;

/// The whole API as a router, built apart from serving so tests can call it in-process.
pub fn app(state: AppState) -> Router {
    // Answers to browsers: CORS per shop, compressed on the fly.
    let browser_api = recommendations::router()
        .layer(auth::cors(state.clone()))
        .layer(CompressionLayer::new());
    Router::new()
        .merge(health::router())
        .merge(assets::router())
        .merge(browser_api)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
