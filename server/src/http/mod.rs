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
use axum::{middleware, Extension, Router};
use tower_http::compression::CompressionLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Largest request body accepted (browser event batches are far smaller).
const BODY_LIMIT: usize = 1024 * 1024;

/// The whole API as a router, built apart from serving so tests can call it in-process.
pub fn app(state: AppState) -> Router {
    // `GET /v1/batch` sends its sub-requests through the API as built without it.
    let dispatcher = batch::Dispatcher::new(routes(state.clone(), None));
    routes(state, Some(dispatcher))
}

/// Every route with every layer; `GET /v1/batch` only with a dispatcher for it. Each
/// resource's `router()` registers its routes with their OpenAPI entries, so the document
/// served at `/v1/openapi.json` is collected here with them.
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
    let browser_api = with_json_405(browser_api)
        .layer(auth::cors())
        .layer(CompressionLayer::new());
    let service = with_json_405(
        health::router()
            .merge(assets::router())
            .merge(events::server_router())
            .merge(customers::router())
            .merge(loyalty::server_router())
            .merge(coupons::router())
            .merge(cart_recovery::server_router())
            .merge(reports::router())
            .merge(recommendations::server_router())
            .merge(shop::router()),
    );
    // Every request has a time limit but imports, which stream files of any size.
    let timed = with_json_405(
        OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
            .merge(service)
            .merge(browser_api)
            .merge(ops::router())
            .merge(openapi::router()),
    )
    .layer(ops::timeout(state.request_timeout));
    let imports = with_json_405(imports::router());
    let (api, document) = timed.merge(imports).split_for_parts();
    api.layer(Extension(openapi::Document::new(&document)))
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

/// `routes` answering our JSON 405 for a method their paths do not serve. Set before a
/// group's own layers, so that those wrap the 405 too.
fn with_json_405(routes: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let (router, document) = routes.split_for_parts();
    let router = router.method_not_allowed_fallback(error::method_not_allowed);
    OpenApiRouter::with_openapi(document).merge(router.into())
}
