//! Cart recovery: `GET /v1/cart-recovery` (the caller's own abandoned cart, from the
//! browser), `POST /v1/cart-recovery/actions` (the dialog shown, clicked, dismissed), and the
//! shop's rules (`/v1/cart-recovery/rules`, secret key).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{
    CartRecoveryAction, CartRecoveryOffer, CartRecoveryResponse, CartRecoveryRules,
};

use super::auth::{personal_profiles, PublishableShop, SecretShop};
use super::error::{ApiError, ApiJson, ApiQuery, Result};
use crate::availability;
use crate::cart_recovery::{self, Rules};
use crate::{unix_now, AppState};

/// Routes a browser calls (CORS).
pub fn browser_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(offer))
        .routes(routes!(record_action))
}

/// Routes a shop's servers call (secret key).
pub fn server_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read_rules, set_rules, end_rules))
}

#[derive(Debug, Deserialize)]
struct OfferQuery {
    visitor_id: Option<String>,
    customer_token: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    postcode: Option<String>,
    country: Option<String>,
}

/// The shop's rules, or 404 `no_cart_recovery`.
async fn rules_of(conn: &mut sqlx::AnyConnection, shop_id: &str) -> Result<Rules> {
    cart_recovery::rules(conn, shop_id)
        .await?
        .ok_or(ApiError::NoCartRecovery)
}

/// The caller's abandoned cart, if there is one to show now: its open lines at current prices
/// with their availability, the total, a one-time coupon when the rules give one, and the
/// nearest store where every line can be picked up today. Only the caller's own profiles
/// (her visitor id, the customer of a valid token) are read; without personalisation consent,
/// before the idle time, after a purchase of the lines (any channel), below the minimum
/// value, over the frequency cap or in a dismissal's quiet period the answer has no offer.
#[utoipa::path(
    get,
    path = "/v1/cart-recovery",
    tag = "browser",
    params(
        ("visitor_id" = Option<String>, Query,
            description = "The browser's anonymous id (this or `customer_token` is required)",
            pattern = "^[A-Za-z0-9_-]{16,64}$"),
        ("customer_token" = Option<String>, Query,
            description = "The shop-signed customer token: her cart from any device"),
        ("lat" = Option<f64>, Query, description = "The shopper's latitude, with `lon`",
            minimum = -90, maximum = 90),
        ("lon" = Option<f64>, Query, description = "The shopper's longitude, with `lat`",
            minimum = -180, maximum = 180),
        ("postcode" = Option<String>, Query,
            description = "A German, Austrian or Swiss postcode (not with `lat`/`lon`)"),
        ("country" = Option<String>, Query,
            description = "The postcode's country: `DE`, `AT` or `CH`"),
    ),
    responses(
        (status = 200, description = "The offer to show, or none", body = CartRecoveryResponse),
        super::openapi::BrowserReadErrors,
        (status = 404, description = "`unknown_postcode`", body = vitrine_types::ApiErrorBody),
    ),
    security(("publishable_key" = [])),
)]
async fn offer(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiQuery(query): ApiQuery<OfferQuery>,
) -> Result<Json<CartRecoveryResponse>> {
    if query.visitor_id.is_none() && query.customer_token.is_none() {
        return Err(ApiError::InvalidQuery(
            "`visitor_id` or `customer_token` is required".into(),
        ));
    }
    let now = state.clock.now();
    // Read before a connection is held: a stale cache reads the stores with one of its own.
    let stores = state
        .availability
        .shop(&state.db, &shop.id)
        .await
        .map_err(ApiError::Internal)?;
    let whereabouts = super::availability::whereabouts(
        query.lat,
        query.lon,
        query.postcode.as_deref(),
        query.country.as_deref(),
        stores.countries(),
    )?;
    let mut conn = state.db.acquire().await?;
    let nothing = || Ok(Json(CartRecoveryResponse { offer: None }));
    // A shop that recovers no carts answers "nothing to show" like any other page view: an
    // error would be a console error on every signed-in page of a shop not using the feature.
    let Some(rules) = cart_recovery::rules(&mut conn, &shop.id).await? else {
        return nothing();
    };
    let rules = rules.get();
    // Tokens are judged by the real time, the cart by the recovery clock.
    let personal = personal_profiles(
        &state,
        &mut conn,
        &shop,
        query.visitor_id.as_deref(),
        query.customer_token.as_deref(),
        unix_now(),
    )
    .await?;
    // personal_profiles refused an invalid token: a token here is a proven customer.
    let asker = match query.customer_token {
        Some(_) => cart_recovery::Asker::Customer,
        None => cart_recovery::Asker::Anonymous,
    };
    let Some(cart) = cart_recovery::open_cart(&mut conn, &shop.id, &personal, now).await? else {
        return nothing();
    };
    if now - cart.last_touched_at < i64::from(rules.idle_minutes) * 60 {
        return nothing();
    }
    let lines = cart_recovery::priced_lines(&mut conn, &shop.id, &cart).await?;
    let Some(total) = cart_recovery::total(&lines) else {
        return nothing();
    };
    if !cart_recovery::meets_minimum(rules, &total)
        || cart_recovery::held_back(&mut conn, &shop.id, &personal, rules, now).await?
    {
        return nothing();
    }
    let usual = availability::usual_store(&mut conn, &shop.id, &personal).await?;
    let ranking = availability::rank(&stores, &whereabouts, usual.as_deref());
    let stock = cart_recovery::stock_of_lines(&mut conn, &shop.id, &lines).await?;
    let pickup = availability::pickup_today(&ranking, now, |store| {
        cart_recovery::store_has_all(&stock, &lines, store)
    });
    let fingerprint = cart_recovery::fingerprint(&cart);
    let existing =
        cart_recovery::existing_offer(&mut conn, &shop.id, &personal, &fingerprint).await?;
    let (offer, coupon) = match existing {
        // Nothing to write: the offer exists and has its coupon, or the rules give none.
        Some(offer) if offer.coupon_code.is_some() || rules.coupon.is_none() => {
            let coupon = cart_recovery::coupon_for(
                &mut conn, &shop.id, &personal, rules, &offer, &total, asker, now,
            )
            .await?;
            (offer, coupon)
        }
        _ => {
            // Never wait for a second connection while holding one.
            drop(conn);
            // The customer's profile owns a new offer when she is signed in (listed last).
            let owner = personal.last().cloned().unwrap_or_default();
            let mut tx = crate::storage::db::begin_write(&state.db).await?;
            let offer =
                cart_recovery::offer_for(&mut tx, &shop.id, &personal, &owner, &fingerprint, now)
                    .await?;
            let coupon = cart_recovery::coupon_for(
                &mut tx, &shop.id, &personal, rules, &offer, &total, asker, now,
            )
            .await?;
            tx.commit().await?;
            (offer, coupon)
        }
    };
    Ok(Json(CartRecoveryResponse {
        offer: Some(CartRecoveryOffer {
            offer_id: offer.offer_id,
            lines,
            total,
            coupon,
            pickup,
            cart_url: rules.cart_url.clone(),
            last_activity_at: cart.last_activity_at,
        }),
    }))
}

/// Records what the shopper did with the dialog: `shown` counts towards the frequency cap,
/// `dismissed` starts the quiet period, both on every device of the customer; `clicked` is
/// kept for the shop's figures. The offer must be one of the caller's own (404
/// `unknown_offer` otherwise). `text/plain` is accepted (sendBeacon).
#[utoipa::path(
    post,
    path = "/v1/cart-recovery/actions",
    tag = "browser",
    request_body(content = CartRecoveryAction, content_type = "application/json"),
    responses(
        (status = 204, description = "Recorded"),
        super::openapi::BrowserWriteErrors,
        (status = 404, description = "`unknown_offer` (not an offer of the caller) or \
            `no_cart_recovery`", body = vitrine_types::ApiErrorBody),
    ),
    security(("publishable_key" = [])),
)]
async fn record_action(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiJson(action): ApiJson<CartRecoveryAction>,
) -> Result<StatusCode> {
    if action.visitor_id.is_none() && action.customer_token.is_none() {
        return Err(ApiError::InvalidBody(
            "`visitor_id` or `customer_token` is required".into(),
        ));
    }
    if let Some(visitor) = &action.visitor_id {
        crate::identity::profiles::ProfileKey::visitor(visitor).map_err(ApiError::InvalidBody)?;
    }
    if action.offer_id.is_empty() || action.offer_id.len() > 64 {
        return Err(ApiError::InvalidBody(
            "offer_id must be 1 to 64 characters".into(),
        ));
    }
    let now = state.clock.now();
    let unknown = || ApiError::UnknownOffer(format!("no offer `{}` of yours", action.offer_id));
    let owner = {
        let mut conn = state.db.acquire().await?;
        rules_of(&mut conn, &shop.id).await?;
        let personal = personal_profiles(
            &state,
            &mut conn,
            &shop,
            action.visitor_id.as_deref(),
            action.customer_token.as_deref(),
            unix_now(),
        )
        .await?;
        cart_recovery::offer_owner(&mut conn, &shop.id, &action.offer_id)
            .await?
            .filter(|owner| personal.contains(owner))
            .ok_or_else(unknown)?
    };
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    cart_recovery::record_action(
        &mut tx,
        &shop.id,
        &owner,
        &action.offer_id,
        action.action,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The shop's cart recovery rules.
#[utoipa::path(
    get,
    path = "/v1/cart-recovery/rules",
    tag = "server",
    responses(
        (status = 200, description = "The rules", body = CartRecoveryRules),
        super::openapi::KeyErrors,
        (status = 404, description = "`no_cart_recovery`", body = vitrine_types::ApiErrorBody),
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn read_rules(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
) -> Result<Json<CartRecoveryRules>> {
    let rules = rules_of(&mut *state.db.acquire().await?, &shop.id).await?;
    Ok(Json(rules.get().clone()))
}

/// Sets the shop's cart recovery rules (checked: 400 `invalid_body` says what is wrong).
/// Offers and coupons made before stay as they are.
#[utoipa::path(
    put,
    path = "/v1/cart-recovery/rules",
    tag = "server",
    request_body(content = CartRecoveryRules, content_type = "application/json"),
    responses(
        (status = 200, description = "The rules as stored", body = CartRecoveryRules),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn set_rules(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    ApiJson(rules): ApiJson<CartRecoveryRules>,
) -> Result<Json<CartRecoveryRules>> {
    let rules = Rules::parse(rules).map_err(ApiError::InvalidBody)?;
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    cart_recovery::set_rules(&mut tx, &shop.id, Some(&rules)).await?;
    tx.commit().await?;
    Ok(Json(rules.get().clone()))
}

/// Ends cart recovery for the shop: no more offers; coupons given stay usable.
#[utoipa::path(
    delete,
    path = "/v1/cart-recovery/rules",
    tag = "server",
    responses(
        (status = 204, description = "Ended (or there were none)"),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn end_rules(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
) -> Result<StatusCode> {
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    cart_recovery::set_rules(&mut tx, &shop.id, None).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
