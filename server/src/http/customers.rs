//! `GET /v1/customers/{customer_id}/export` and `DELETE /v1/customers/{customer_id}` (secret
//! key): GDPR export and erasure of one customer across every id and table.

use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{CustomerExport, ErasureResult};

use super::auth::SecretShop;
use super::error::{ApiError, Result};
use crate::identity::profiles::ProfileKey;
use crate::privacy;
use crate::{unix_now, AppState};

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export))
        .routes(routes!(erase))
}

fn customer_key(customer_id: &str) -> Result<ProfileKey> {
    ProfileKey::customer(customer_id).map_err(ApiError::InvalidBody)
}

/// Everything held about a customer across every id linked to her (GDPR Art. 15/20).
#[utoipa::path(
    get,
    path = "/v1/customers/{customer_id}/export",
    tag = "server",
    params(
        ("customer_id" = String, Path, description = "The shop's customer id: 1 to 128 characters, no control characters"),
    ),
    responses(
        (status = 200, description = "Her ids, consent, events, purchases, loyalty ledger, coupons, cart recovery offers and dialog actions", body = CustomerExport),
        super::openapi::KeyErrors,
        (status = 404, response = super::openapi::NotFound),
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn export(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    Path(customer_id): Path<String>,
) -> Result<Json<CustomerExport>> {
    let key = customer_key(&customer_id)?;
    let mut conn = state.db.acquire().await?;
    privacy::export(&mut conn, &shop.id, &key)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("customer `{customer_id}`")))
}

/// Erases a customer across every id and table (GDPR Art. 17); her ids become tombstones
/// that are refused from then on.
#[utoipa::path(
    delete,
    path = "/v1/customers/{customer_id}",
    tag = "server",
    params(
        ("customer_id" = String, Path, description = "The shop's customer id: 1 to 128 characters, no control characters"),
    ),
    responses(
        (status = 200, description = "What was removed", body = ErasureResult),
        super::openapi::KeyErrors,
        (status = 404, response = super::openapi::NotFound),
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn erase(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    Path(customer_id): Path<String>,
) -> Result<Json<ErasureResult>> {
    let key = customer_key(&customer_id)?;
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    let result = privacy::erase(&mut tx, &shop.id, &key, unix_now())
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("customer `{customer_id}`")))?;
    tx.commit().await?;
    // Nothing learnt from her stays in the recommender: it is rebuilt without her events.
    state
        .recommendations
        .rebuild_without_observed(&state.db, &shop.id)
        .await
        .map_err(ApiError::Internal)?;
    Ok(Json(result))
}
