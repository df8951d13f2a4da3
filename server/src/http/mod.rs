//! The HTTP surface: one module per resource, each with its `router()`, merged here.

pub mod assets;
pub mod auth;
pub mod availability;
pub mod batch;
pub mod cart_recovery;
pub mod consent;
pub mod coupons;
pub mod customers;
pub mod error;
pub mod events;
pub mod health;
pub mod identify;
pub mod imports;
pub mod loyalty;
pub mod openapi;
pub mod ops;
pub mod recommendations;
pub mod reports;
pub mod request_log;
pub mod shop;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::Router;
use tower_http::compression::CompressionLayer;

use crate::AppState;

/// Largest request body accepted (browser event batches are far smaller).
const BODY_LIMIT: usize = 1024 * 1024;

/// The whole API as a router, built apart from serving so tests can call it in-process.
pub fn app(state: AppState) -> Router {
    // `GET /v1/batch` sends its sub-requests through the API as built without it.
    let dispatcher = batch::Dispatcher::new(routes(state.clone(), None));
    routes(state, Some(dispatcher))
}

/// Every route with every layer; `GET /v1/batch` only with a dispatcher for it.
fn routes(state: AppState, batch: Option<batch::Dispatcher>) -> Router {
    let mut browser_api = recommendations::router()
        .merge(availability::router())
        .merge(events::browser_router())
        .merge(identify::router())
        .merge(consent::router())
        .merge(loyalty::browser_router())
        .merge(cart_recovery::browser_router());
    if let Some(dispatcher) = batch {
        browser_api = browser_api.merge(batch::router(dispatcher));
    }
    // Answers to browsers: CORS per shop (decided by the key and origin `auth::check_key`
    // looked up, outside), compressed on the fly. The 405 fallback is set before the CORS
    // layer so that preflight requests reach the layer.
    let browser_api = browser_api
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(auth::cors())
        .layer(CompressionLayer::new());
    let service = health::router()
        .merge(assets::router())
        .merge(events::server_router())
        .merge(customers::router())
        .merge(loyalty::server_router())
        .merge(coupons::router())
        .merge(cart_recovery::server_router())
        .merge(reports::router())
        .merge(recommendations::server_router())
        .merge(shop::router())
        .method_not_allowed_fallback(error::method_not_allowed);
    // Every request has a time limit but imports, which stream files of any size.
    let timed = Router::new()
        .merge(service)
        .merge(browser_api)
        .merge(ops::router())
        .merge(openapi::router())
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(ops::timeout(state.request_timeout));
    let imports = imports::router().method_not_allowed_fallback(error::method_not_allowed);
    Router::new()
        .merge(timed)
        .merge(imports)
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Outermost last: the keys are looked up once for the rate limit, CORS and the
        // handlers; metrics see every answer, rejections from the layers get JSON bodies.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ops::rate_limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::check_key,
        ))
        .layer(middleware::from_fn(ops::json_rejections))
        .layer(middleware::from_fn(ops::record_metrics))
        // Logged without the key and customer token of the query.
        .layer(request_log::layer())
        .with_state(state)
}
