//! The shop's own settings a backend may change with the secret key: `/v1/shop/origins`, the
//! origins allowed to embed the widgets (a staging domain added, an old one removed).

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{OriginsChange, ShopOrigins};

use super::auth::SecretShop;
use super::error::{ApiError, ApiJson, Result};
use crate::shops::{self, OriginsError};
use crate::AppState;

/// Routes a shop's servers call (secret key).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read_origins, change_origins))
}

/// The origins allowed to embed the shop's widgets.
#[utoipa::path(
    get,
    path = "/v1/shop/origins",
    tag = "server",
    responses(
        (status = 200, description = "The allowed origins, sorted", body = ShopOrigins),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn read_origins(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
) -> Result<Json<ShopOrigins>> {
    let origins = shops::origins(&state.db, &shop.id)
        .await?
        .unwrap_or_default();
    Ok(Json(ShopOrigins { origins }))
}

/// Allows the origins of `add` and stops allowing those of `remove`, at once for every
/// browser request. Each must be an origin as browsers send it (`https://shop.example`:
/// scheme, host, optional port; no path), else 400 `invalid_body` names it; at most 100.
#[utoipa::path(
    patch,
    path = "/v1/shop/origins",
    tag = "server",
    request_body(content = OriginsChange, content_type = "application/json"),
    responses(
        (status = 200, description = "The origins allowed now, sorted", body = ShopOrigins),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn change_origins(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    ApiJson(change): ApiJson<OriginsChange>,
) -> Result<Json<ShopOrigins>> {
    let parse = |list: &[String]| -> Result<Vec<String>> {
        if list.len() > shops::MAX_ORIGINS {
            return Err(ApiError::InvalidBody(format!(
                "at most {} origins per request",
                shops::MAX_ORIGINS
            )));
        }
        list.iter()
            .map(|origin| shops::parse_origin(origin).map_err(ApiError::InvalidBody))
            .collect()
    };
    let (add, remove) = (parse(&change.add)?, parse(&change.remove)?);
    let origins = shops::change_origins(&state.db, &shop.id, &add, &remove)
        .await
        .map_err(|err| match err {
            OriginsError::Db(err) => ApiError::from(err),
            other => ApiError::InvalidBody(other.to_string()),
        })?;
    tracing::info!(shop = %shop.id, added = ?add, removed = ?remove, "allowed origins changed");
    Ok(Json(ShopOrigins { origins }))
}
