//! `GET /healthz`: liveness and database reachability, for load balancers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::error::Result;
use crate::AppState;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(state): State<AppState>) -> Result<Json<Value>> {
    sqlx::query("SELECT CAST(1 AS BIGINT)")
        .execute(&state.db)
        .await?;
    Ok(Json(
        json!({ "status": "ok", "bundle": state.bundle.is_some() }),
    ))
}
