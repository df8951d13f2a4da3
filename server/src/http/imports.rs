//! `POST /v1/products`, `POST /v1/stores`, `POST /v1/stock` (secret key): catalogue imports
//! as NDJSON (`application/x-ndjson`, `application/json` or no `Content-Type`) or CSV
//! (`text/csv`), of any size. The body is read as a stream, line by line; the answer is an
//! [`ImportResult`] with the rows written and the lines refused (see `crate::import`).

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::Json;
use futures_util::TryStreamExt;
use tokio_util::io::StreamReader;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::ImportResult;

use super::auth::SecretShop;
use super::error::{media_type, ApiError, Result};
use crate::import::{self, Format, ImportError, Kind};
use crate::AppState;

/// Routes for catalogue imports (secret key, bodies of any size).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(products))
        .routes(routes!(stores))
        .routes(routes!(stock))
        // The body is streamed, never held whole, so no size limit applies.
        .layer(DefaultBodyLimit::disable())
}

/// Upserts products of the catalogue, keyed by `sku`.
#[utoipa::path(
    post,
    path = "/v1/products",
    tag = "server",
    request_body(
        description = "One `ProductRow` per line: NDJSON (`application/x-ndjson`, `application/json` \
            or no `Content-Type`), or CSV (`text/csv`) with a header line naming the columns. \
            Streamed, of any size; bad lines are reported, the others kept.",
        content(
            (String = "application/x-ndjson"),
            (String = "application/json"),
            (String = "text/csv"),
        ),
    ),
    responses(
        (status = 200, description = "Rows written and lines refused", body = ImportResult),
        super::openapi::KeyErrors,
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn products(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportResult>> {
    run(&state, &shop.id, Kind::Products, &headers, body).await
}

/// Upserts the shop's physical stores, keyed by `store_id`.
#[utoipa::path(
    post,
    path = "/v1/stores",
    tag = "server",
    request_body(
        description = "One `StoreRow` per line: NDJSON (`application/x-ndjson`, `application/json` \
            or no `Content-Type`), or CSV (`text/csv`) with a header line naming the columns. \
            Streamed, of any size; bad lines are reported, the others kept.",
        content(
            (String = "application/x-ndjson"),
            (String = "application/json"),
            (String = "text/csv"),
        ),
    ),
    responses(
        (status = 200, description = "Rows written and lines refused", body = ImportResult),
        super::openapi::KeyErrors,
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn stores(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportResult>> {
    run(&state, &shop.id, Kind::Stores, &headers, body).await
}

/// Upserts stock levels per store and product.
#[utoipa::path(
    post,
    path = "/v1/stock",
    tag = "server",
    request_body(
        description = "One `StockRow` per line: NDJSON (`application/x-ndjson`, `application/json` \
            or no `Content-Type`), or CSV (`text/csv`) with a header line naming the columns. \
            Streamed, of any size; bad lines are reported, the others kept.",
        content(
            (String = "application/x-ndjson"),
            (String = "application/json"),
            (String = "text/csv"),
        ),
    ),
    responses(
        (status = 200, description = "Rows written and lines refused", body = ImportResult),
        super::openapi::KeyErrors,
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn stock(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportResult>> {
    run(&state, &shop.id, Kind::Stock, &headers, body).await
}

async fn run(
    state: &AppState,
    shop_id: &str,
    kind: Kind,
    headers: &HeaderMap,
    body: Body,
) -> Result<Json<ImportResult>> {
    let format = format_of(headers)?;
    let input = StreamReader::new(body.into_data_stream().map_err(std::io::Error::other));
    let result = import::import(&state.db, shop_id, kind, format, input).await;
    // Even a failed import may have committed its first batches.
    state.recommendations.catalogue_changed(shop_id);
    if kind == Kind::Stores {
        state.availability.stores_changed(shop_id);
    }
    let result = result.map_err(|err| match err {
        ImportError::Database(err) => ApiError::Database(err),
        ImportError::Io(err) => ApiError::InvalidBody(format!(
            "the body could not be read to its end ({err}); the rows before were kept"
        )),
    })?;
    Ok(Json(result))
}

/// The import format a `Content-Type` names.
fn format_of(headers: &HeaderMap) -> Result<Format> {
    let Some((essence, value)) = media_type(headers) else {
        return Ok(Format::Ndjson);
    };
    match essence.as_str() {
        "application/x-ndjson" | "application/json" => Ok(Format::Ndjson),
        "text/csv" => Ok(Format::Csv),
        _ => Err(ApiError::UnsupportedMediaType(value)),
    }
}
