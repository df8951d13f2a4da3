//! One-time coupons (secret key): a checkout or till looks a code up and uses it, once.

use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{Coupon, CouponRedemption};

use super::auth::SecretShop;
use super::error::{ApiError, ApiJson, Result};
use crate::{coupons, unix_now, AppState};

/// Routes of this resource.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(redeem))
        .routes(routes!(read))
}

/// A coupon by its code: value, expiry, whether it was used.
#[utoipa::path(
    get,
    path = "/v1/coupons/{code}",
    tag = "server",
    params(("code" = String, Path, description = "The code as printed (case and `O`/`0`, `I`/`1` do not matter)")),
    responses(
        (status = 200, description = "The coupon", body = Coupon),
        super::openapi::KeyErrors,
        (status = 404, description = "`unknown_coupon`", body = vitrine_types::ApiErrorBody),
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn read(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    Path(code): Path<String>,
) -> Result<Json<Coupon>> {
    let mut conn = state.db.acquire().await?;
    coupons::by_code(&mut conn, &shop.id, &code)
        .await?
        .map(|(_, coupon)| Json(coupon))
        .ok_or_else(|| ApiError::UnknownCoupon(format!("no coupon `{code}` in this shop")))
}

/// Uses a coupon on an order: exactly once, even when two checkouts race for it (the second
/// gets 409 `coupon_redeemed`); 410 `coupon_expired` past its validity.
#[utoipa::path(
    post,
    path = "/v1/coupons/redeem",
    tag = "server",
    request_body(content = CouponRedemption, content_type = "application/json"),
    responses(
        (status = 200, description = "Used now", body = Coupon),
        super::openapi::KeyErrors,
        (status = 404, description = "`unknown_coupon`", body = vitrine_types::ApiErrorBody),
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 409, response = super::openapi::Conflict),
        (status = 410, description = "`coupon_expired`", body = vitrine_types::ApiErrorBody),
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn redeem(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    ApiJson(request): ApiJson<CouponRedemption>,
) -> Result<Json<Coupon>> {
    crate::events::check_client_id("order_id", &request.order_id).map_err(ApiError::InvalidBody)?;
    if request.code.is_empty() || request.code.len() > 64 {
        return Err(ApiError::InvalidBody(
            "code must be 1 to 64 characters".into(),
        ));
    }
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    let coupon = coupons::redeem(
        &mut tx,
        &shop.id,
        &request.code,
        &request.order_id,
        unix_now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(coupon))
}
