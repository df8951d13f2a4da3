//! `GET /v1/recommendations?key=pk_…&context=home|cart|product:SKU&limit=N`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use vitrine_types::{RecommendationContext, RecommendationsResponse};

use super::auth::PublishableShop;
use super::error::{ApiError, ApiQuery, Result};
use crate::AppState;

/// Most tiles one widget may ask for.
pub const MAX_LIMIT: u32 = 24;
const DEFAULT_LIMIT: u32 = 4;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/recommendations", get(recommendations))
}

#[derive(Debug, Deserialize)]
struct RecommendationsQuery {
    context: Option<String>,
    limit: Option<u32>,
}

/// Products for a recommendations widget, best first; never the product on screen.
#[utoipa::path(
    get,
    path = "/v1/recommendations",
    tag = "browser",
    params(
        ("context" = Option<String>, Query,
            description = "Where the widget is: `home` (default), `cart` or `product:<sku>` \
                (a SKU of 1 to 128 bytes)",
            pattern = "^(home|cart|product:.+)$"),
        ("limit" = Option<u32>, Query, description = "Most products in the answer (default 4)",
            minimum = 1, maximum = 24),
    ),
    responses(
        (status = 200, description = "The products, best first; may be fewer than `limit`",
            body = RecommendationsResponse),
        (status = 400, response = super::openapi::BadRequest),
        (status = 401, response = super::openapi::Unauthorized),
        (status = 403, response = super::openapi::Forbidden),
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 429, response = super::openapi::TooManyRequests),
        (status = 500, response = super::openapi::InternalError),
    ),
    security(("publishable_key" = [])),
)]
async fn recommendations(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiQuery(query): ApiQuery<RecommendationsQuery>,
) -> Result<Json<RecommendationsResponse>> {
    let context = match query.context.as_deref() {
        None => RecommendationContext::Home,
        Some(value) => RecommendationContext::parse(value).map_err(ApiError::InvalidQuery)?,
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let on_screen = match &context {
        RecommendationContext::Product(sku) => Some(sku.as_str()),
        RecommendationContext::Home | RecommendationContext::Cart => None,
    };
    let ranking = state
        .popularity
        .ranking(&state.db, &shop.id, crate::unix_now())
        .await?;
    let items = ranking
        .iter()
        .filter(|product| Some(product.sku.as_str()) != on_screen)
        .take(limit as usize)
        .cloned()
        .collect();
    Ok(Json(RecommendationsResponse {
        recommendation_id: uuid::Uuid::new_v4().simple().to_string(),
        items,
    }))
}
