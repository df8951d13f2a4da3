//! `POST /v1/identify`: links the browser's visitor id to the customer a shop-signed token
//! names, merging the visitor's anonymous history into her profile. A visitor id that led to
//! another customer's profile (a shared browser) is re-pointed, never merged. An unsigned, expired or wrongly signed token is refused and
//! changes nothing.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{IdentifyRequest, IdentifyResult};

use super::auth::{browser_identity, PublishableShop};
use super::error::{ApiJson, Result};
use crate::{unix_now, AppState};

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(identify))
}

/// Links the browser's visitor id to the customer a shop-signed token names, merging their
/// profiles; without tracking consent nothing is linked.
#[utoipa::path(
    post,
    path = "/v1/identify",
    tag = "browser",
    request_body(
        description = "JSON; `text/plain` is read as JSON too (`sendBeacon`, no CORS preflight)",
        content(
            (IdentifyRequest = "application/json"),
            (IdentifyRequest = "text/plain"),
        ),
    ),
    responses(
        (status = 200, description = "Linked, or not for want of consent", body = IdentifyResult),
        super::openapi::BrowserWriteErrors,
    ),
    security(("publishable_key" = [])),
)]
async fn identify(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiJson(request): ApiJson<IdentifyRequest>,
) -> Result<Json<IdentifyResult>> {
    let now = unix_now();
    let browser = browser_identity(
        &state,
        &shop,
        &request.visitor_id,
        Some(&request.customer_token),
        now,
    )
    .await?;
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    if !super::consent::browser_may_be_tracked(&mut tx, &shop.id, &browser).await? {
        return Ok(Json(IdentifyResult { linked: false }));
    }
    browser.resolve(&mut tx, &shop.id, now).await?;
    tx.commit().await?;
    Ok(Json(IdentifyResult { linked: true }))
}
