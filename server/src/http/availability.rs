//! `GET /v1/availability?key=pk_…&sku=SKU` with the shopper's place (`lat`+`lon`, or
//! `postcode` and optionally `country`, or nothing) and optionally her `visitor_id` and
//! `customer_token` (for her usual store).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::AvailabilityResponse;

use super::auth::{personal_profiles, PublishableShop};
use super::error::{ApiError, ApiQuery, Result};
use crate::availability::postcodes::{self, PostcodeError};
use crate::availability::{self, Whereabouts};
use crate::AppState;

/// Most stores one answer may list.
pub const MAX_LIMIT: u32 = 50;
const DEFAULT_LIMIT: u32 = 5;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(availability))
}

#[derive(Debug, Deserialize)]
struct AvailabilityQuery {
    sku: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    postcode: Option<String>,
    country: Option<String>,
    limit: Option<u32>,
    visitor_id: Option<String>,
    customer_token: Option<String>,
}

/// Which stores have a SKU, nearest first: the customer's usual store (most of her till
/// receipts) first, then stores with stock by distance, then stores without stock by
/// distance; each with its stock level, whether it is open now in its own time zone, its
/// opening hours and when a click & collect order placed now is ready there.
#[utoipa::path(
    get,
    path = "/v1/availability",
    tag = "browser",
    params(
        ("sku" = String, Query, description = "The product (1 to 128 bytes)"),
        ("lat" = Option<f64>, Query,
            description = "The shopper's latitude in degrees, with `lon` (from the browser, \
                only after she asked)", minimum = -90, maximum = 90),
        ("lon" = Option<f64>, Query, description = "The shopper's longitude in degrees, with \
            `lat`", minimum = -180, maximum = 180),
        ("postcode" = Option<String>, Query,
            description = "A German, Austrian or Swiss postcode the shopper typed (not with \
                `lat`/`lon`); `D-`, `A-`, `CH-` prefixes are read as the country"),
        ("country" = Option<String>, Query,
            description = "The postcode's country: `DE`, `AT` or `CH`; without it an \
                ambiguous postcode is read in the country of most of the shop's stores"),
        ("limit" = Option<u32>, Query, description = "Most stores in the answer (default 5)",
            minimum = 1, maximum = 50),
        ("visitor_id" = Option<String>, Query,
            description = "The browser's anonymous id: its usual store comes first when it \
                allows personalisation", pattern = "^[A-Za-z0-9_-]{16,64}$"),
        ("customer_token" = Option<String>, Query,
            description = "A shop-signed customer token: her usual store comes first"),
    ),
    responses(
        (status = 200, description = "The stores, best first", body = AvailabilityResponse),
        (status = 404, description = "`unknown_sku` (not in the shop's catalogue) or \
            `unknown_postcode` (not in the shipped DACH table)",
            body = vitrine_types::ApiErrorBody),
        super::openapi::BrowserReadErrors,
    ),
    security(("publishable_key" = [])),
)]
async fn availability(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiQuery(query): ApiQuery<AvailabilityQuery>,
) -> Result<Json<AvailabilityResponse>> {
    let now = crate::unix_now();
    let sku = query
        .sku
        .as_deref()
        .ok_or_else(|| ApiError::InvalidQuery("`sku` is required".into()))?;
    crate::events::check_sku(sku).map_err(ApiError::InvalidQuery)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let stores = state
        .availability
        .shop(&state.db, &shop.id)
        .await
        .map_err(ApiError::Internal)?;
    let whereabouts = whereabouts(
        query.lat,
        query.lon,
        query.postcode.as_deref(),
        query.country.as_deref(),
        stores.countries(),
    )?;
    let mut conn = state.db.acquire().await?;
    let personal = personal_profiles(
        &state,
        &mut conn,
        &shop,
        query.visitor_id.as_deref(),
        query.customer_token.as_deref(),
        now,
    )
    .await?;
    let usual = availability::usual_store(&mut conn, &shop.id, &personal).await?;
    let ranking = availability::rank(&stores, &whereabouts, usual.as_deref());
    let limit = limit as usize;
    let stock = availability::stock_of_nearest(&mut conn, &shop.id, sku, &ranking, limit).await?;
    // Stock rows name products of the shop only, so the SKU is known when it has any.
    if stock.is_empty() {
        let known: Option<(i64,)> = sqlx::query_as(
            "SELECT CAST(1 AS BIGINT) FROM products WHERE shop_id = $1 AND sku = $2",
        )
        .bind(&shop.id)
        .bind(sku)
        .fetch_optional(&mut *conn)
        .await?;
        if known.is_none() {
            return Err(ApiError::UnknownSku(sku.to_string()));
        }
    }
    drop(conn);
    Ok(Json(availability::answer(
        &stores, ranking, sku, &stock, limit, now,
    )))
}

/// The shopper's place from the query: coordinates, a postcode, or nothing.
pub(super) fn whereabouts(
    lat: Option<f64>,
    lon: Option<f64>,
    postcode: Option<&str>,
    country: Option<&str>,
    countries: &[&str],
) -> Result<Whereabouts> {
    if country.is_some() && postcode.is_none() {
        return Err(ApiError::InvalidQuery(
            "`country` goes with `postcode` only".into(),
        ));
    }
    match (lat, lon, postcode) {
        (None, None, None) => Ok(Whereabouts::Unknown),
        (Some(lat), Some(lon), None) => {
            if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
                return Err(ApiError::InvalidQuery(format!(
                    "lat must be -90 to 90, not {lat}"
                )));
            }
            if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
                return Err(ApiError::InvalidQuery(format!(
                    "lon must be -180 to 180, not {lon}"
                )));
            }
            Ok(Whereabouts::Coordinates { lat, lon })
        }
        (None, None, Some(postcode)) => {
            if postcode.trim().is_empty() || postcode.len() > 16 {
                return Err(ApiError::InvalidQuery(
                    "postcode must be 1 to 16 characters".into(),
                ));
            }
            match postcodes::lookup(postcode, country, countries) {
                Ok(place) => Ok(Whereabouts::Postcode(place)),
                Err(err @ PostcodeError::UnknownCountry(_)) => {
                    Err(ApiError::InvalidQuery(err.to_string()))
                }
                Err(err @ PostcodeError::Unknown(_)) => {
                    Err(ApiError::UnknownPostcode(err.to_string()))
                }
            }
        }
        (Some(_), None, _) | (None, Some(_), _) => {
            Err(ApiError::InvalidQuery("`lat` and `lon` go together".into()))
        }
        (Some(_), Some(_), Some(_)) => Err(ApiError::InvalidQuery(
            "give `lat`/`lon` or `postcode`, not both".into(),
        )),
    }
}
