//! Reports for the shop's back office (secret key): `GET /v1/reports/attribution`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::AttributionReport;

use super::auth::SecretShop;
use super::error::{ApiError, ApiQuery, Result};
use crate::recommendations::attribution::{self, Period};
use crate::{unix_now, AppState};

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(attribution))
}

#[derive(Debug, Deserialize)]
struct AttributionQuery {
    from: Option<i64>,
    to: Option<i64>,
    window_days: Option<u32>,
}

/// Tile impressions, clicks, click-through rate, and the orders and revenue attributed to
/// clicks, per widget and context, split by the channel of the order: a purchase line goes to
/// the latest click of the same customer (every id of her profile) on the same product at
/// most `window_days` before it, whether she then bought online, in the app or at a till.
#[utoipa::path(
    get,
    path = "/v1/reports/attribution",
    tag = "server",
    params(
        ("from" = Option<i64>, Query,
            description = "Start of the period, unix seconds, inclusive (default: 30 days \
                before `to`)", minimum = 0, maximum = 253_402_300_799_i64),
        ("to" = Option<i64>, Query,
            description = "End of the period, unix seconds, exclusive, after `from` (default: \
                now)", minimum = 0, maximum = 253_402_300_799_i64),
        ("window_days" = Option<u32>, Query,
            description = "Days after a click within which purchases are attributed to it \
                (default 7)", minimum = 1, maximum = 90),
    ),
    responses(
        (status = 200, description = "The report", body = AttributionReport),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn attribution(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    ApiQuery(query): ApiQuery<AttributionQuery>,
) -> Result<Json<AttributionReport>> {
    let period = Period::parse(query.from, query.to, query.window_days, unix_now())
        .map_err(ApiError::InvalidQuery)?;
    let mut conn = state.db.acquire().await?;
    Ok(Json(
        attribution::report(&mut conn, &shop.id, &period).await?,
    ))
}
