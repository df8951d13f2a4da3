//! `GET /healthz`: liveness and database reachability, for load balancers.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::Health;

use super::error::Result;
use crate::AppState;

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Whether the server can answer: the database is reachable; and whether the bundle is loaded.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The database answered", body = Health),
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 500, response = super::openapi::InternalError),
    ),
)]
async fn health(State(state): State<AppState>) -> Result<Json<Health>> {
    sqlx::query("SELECT CAST(1 AS BIGINT)")
        .execute(&state.db)
        .await?;
    Ok(Json(Health {
        status: "ok".into(),
        bundle: state.bundle.is_some(),
    }))
}
