//! `POST /v1/consent` records the shopper's choice on her profile; `GET /v1/consent` reads the
//! consent that applies to the calling browser.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{ConsentState, ConsentUpdate};

use super::auth::{browser_identity, verified_customer, BrowserIdentity, PublishableShop};
use super::error::{ApiError, ApiJson, ApiQuery, Result};
use crate::identity::consent;
use crate::identity::profiles::{self, ProfileKey};
use crate::{unix_now, AppState};

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read, update))
}

#[derive(Debug, Deserialize)]
struct ConsentQuery {
    visitor_id: String,
    customer_token: Option<String>,
}

/// The consent that applies to a browser: the shopper's choice, or the shop's default. A
/// signed-in customer's choice is read only with her token; a visitor id alone reads only
/// the anonymous visitor's.
#[utoipa::path(
    get,
    path = "/v1/consent",
    tag = "browser",
    params(
        ("visitor_id" = String, Query, description = "The browser's visitor id: 16 to 64 of `A-Z a-z 0-9 _ -`",
            min_length = 16, max_length = 64, pattern = "^[A-Za-z0-9_-]{16,64}$"),
        ("customer_token" = Option<String>, Query,
            description = "The shop-signed customer token: her choice, from any device (an \
                expired or invalid one reads the anonymous visitor's)"),
    ),
    responses(
        (status = 200, description = "The consent that applies", body = ConsentState),
        super::openapi::BrowserReadErrors,
    ),
    security(("publishable_key" = [])),
)]
async fn read(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiQuery(query): ApiQuery<ConsentQuery>,
) -> Result<Json<ConsentState>> {
    let visitor = ProfileKey::visitor(&query.visitor_id).map_err(ApiError::InvalidQuery)?;
    // A page left open outlives its token: then the anonymous visitor's choice applies.
    let customer = match &query.customer_token {
        Some(token) => verified_customer(&state, &shop, token, unix_now())
            .await
            .ok()
            .map(|customer| ProfileKey::Customer(customer.customer_id)),
        None => None,
    };
    let browser = BrowserIdentity { visitor, customer };
    let mut conn = state.db.acquire().await?;
    let profile = browser.existing(&mut conn, &shop.id).await?;
    Ok(Json(
        consent::effective(&mut conn, &shop.id, profile.as_deref()).await?,
    ))
}

/// Records the shopper's choice on her profile (kept whatever she chose: it is the proof).
#[utoipa::path(
    post,
    path = "/v1/consent",
    tag = "browser",
    request_body(
        description = "JSON; `text/plain` is read as JSON too (`sendBeacon`, no CORS preflight)",
        content(
            (ConsentUpdate = "application/json"),
            (ConsentUpdate = "text/plain"),
        ),
    ),
    responses(
        (status = 200, description = "The consent now in force", body = ConsentState),
        super::openapi::BrowserWriteErrors,
    ),
    security(("publishable_key" = [])),
)]
async fn update(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiJson(update): ApiJson<ConsentUpdate>,
) -> Result<Json<ConsentState>> {
    let now = unix_now();
    let source = update.source.trim();
    if source.is_empty() || source.len() > 64 || source.chars().any(char::is_control) {
        return Err(ApiError::InvalidBody(
            "source must be 1 to 64 characters".into(),
        ));
    }
    let browser = browser_identity(
        &state,
        &shop,
        &update.visitor_id,
        update.customer_token.as_deref(),
        now,
    )
    .await?;
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    refuse_erased(&mut tx, &shop.id, &browser.keys()).await?;
    // A consent record is kept whatever was chosen: it is the proof of the choice. Without
    // a token it is the anonymous visitor's, never a customer's who once signed in here.
    let profile = browser.resolve(&mut tx, &shop.id, now).await?;
    consent::record(
        &mut tx,
        &shop.id,
        &profile,
        update.tracking,
        update.personalisation,
        source,
        now,
    )
    .await?;
    let state_now = consent::effective(&mut tx, &shop.id, Some(&profile)).await?;
    tx.commit().await?;
    Ok(Json(state_now))
}

/// Refuses ids that were erased (GDPR): they are never linked or tracked again.
pub(super) async fn refuse_erased(
    conn: &mut sqlx::AnyConnection,
    shop_id: &str,
    keys: &[ProfileKey],
) -> Result<()> {
    match profiles::first_erased(conn, shop_id, keys).await? {
        Some(erased) => Err(ApiError::Erased(format!(
            "{} id {}",
            erased.kind(),
            erased.id()
        ))),
        None => Ok(()),
    }
}

/// Whether a browser (its visitor id, and customer if logged in) may be tracked: its ids were
/// not erased, and the consent of the profile they lead to (or the shop's default) allows it.
pub(super) async fn browser_may_be_tracked(
    conn: &mut sqlx::AnyConnection,
    shop_id: &str,
    browser: &BrowserIdentity,
) -> Result<bool> {
    refuse_erased(conn, shop_id, &browser.keys()).await?;
    // The visitor's own choice first (made before she signed in), then the customer's.
    let mut existing = profiles::find_anonymous(conn, shop_id, &browser.visitor).await?;
    if existing.is_none() {
        existing = browser.existing(conn, shop_id).await?;
    }
    Ok(consent::effective(conn, shop_id, existing.as_deref())
        .await?
        .tracking)
}
