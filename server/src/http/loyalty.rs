//! Loyalty points: `GET /v1/loyalty` (a signed-in customer's own account, from the browser),
//! the programme (`/v1/loyalty/program`), an account for tills and service desks
//! (`/v1/loyalty/account`), manual adjustments and redemptions into coupons.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_types::{
    AdjustmentRequest, Coupon, LoyaltyAccount, LoyaltyInvitation, LoyaltyProgram, LoyaltyResponse,
    RedemptionRequest,
};

use super::auth::{verified_customer, Caller, PublishableShop, SecretShop};
use super::error::{ApiError, ApiJson, ApiQuery, Result};
use crate::identity::profiles::{self, ProfileKey};
use crate::identity::TokenError;
use crate::loyalty::{self, Programme};
use crate::privacy::HELD_PER_PROFILE;
use crate::{unix_now, AppState};

const DEFAULT_LINES: u32 = 5;
const MAX_LINES: u32 = 50;

/// Routes a browser calls (CORS).
pub fn browser_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(account))
        .routes(routes!(redeem))
}

/// Routes a shop's servers call (secret key).
pub fn server_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(read_program, set_program, end_program))
        .routes(routes!(member_account))
        .routes(routes!(adjust))
}

#[derive(Debug, Deserialize)]
struct AccountQuery {
    customer_token: Option<String>,
    lines: Option<u32>,
    currency: Option<String>,
}

fn lines_of(lines: Option<u32>) -> Result<u32> {
    match lines.unwrap_or(DEFAULT_LINES) {
        lines @ 1..=MAX_LINES => Ok(lines),
        other => Err(ApiError::InvalidQuery(format!(
            "lines must be 1 to {MAX_LINES}, not {other}"
        ))),
    }
}

/// The shop's programme, or 404 `no_loyalty_program`.
async fn programme_of(conn: &mut sqlx::AnyConnection, shop_id: &str) -> Result<Programme> {
    loyalty::programme(conn, shop_id)
        .await?
        .ok_or(ApiError::NoLoyaltyProgram)
}

/// The account of `profile`, expired points written off first (a write only when some have
/// expired since the account was last touched).
async fn current_account(
    state: &AppState,
    mut conn: sqlx::pool::PoolConnection<sqlx::Any>,
    shop_id: &str,
    programme: &Programme,
    profile: Option<&str>,
    lines: u32,
    now: i64,
) -> Result<LoyaltyAccount> {
    let (account, expiry_due) =
        loyalty::account(&mut conn, shop_id, programme, profile, lines, now).await?;
    let Some(profile) = profile.filter(|_| expiry_due) else {
        return Ok(account);
    };
    // Never wait for a second connection while holding one: under load every request would
    // hold one and wait for another.
    drop(conn);
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    loyalty::settle_expiry(&mut tx, shop_id, programme, profile, now).await?;
    let (account, _) =
        loyalty::account(&mut tx, shop_id, programme, Some(profile), lines, now).await?;
    tx.commit().await?;
    Ok(account)
}

/// A signed-in customer's points: balance and its worth, tier and progress, the latest
/// ledger lines with channel and store. Without a customer token, or with an expired one,
/// the invitation to join: never anyone's balance.
#[utoipa::path(
    get,
    path = "/v1/loyalty",
    tag = "browser",
    params(
        ("customer_token" = Option<String>, Query,
            description = "The shop-signed customer token of the signed-in shopper; an \
                expired one answers the invitation"),
        ("lines" = Option<u32>, Query, description = "Ledger lines in the answer (default 5)",
            minimum = 1, maximum = 50),
        ("currency" = Option<String>, Query,
            description = "For the invitation: the currency whose earn rate is shown \
                (default: the programme's first)"),
    ),
    responses(
        (status = 200, description = "The member's account, or the invitation to join",
            body = LoyaltyResponse),
        super::openapi::BrowserReadErrors,
        (status = 404, description = "`no_loyalty_program`: the shop has no programme",
            body = vitrine_types::ApiErrorBody),
    ),
    security(("publishable_key" = [])),
)]
async fn account(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiQuery(query): ApiQuery<AccountQuery>,
) -> Result<Json<LoyaltyResponse>> {
    let lines = lines_of(query.lines)?;
    let now = unix_now();
    let customer = match &query.customer_token {
        None => None,
        // A page left open outlives its token: the shopper is asked to log in again.
        Some(token) => match verified_customer(&state, &shop, token, now).await {
            Err(ApiError::InvalidCustomerToken(TokenError::Expired)) => None,
            other => Some(other?),
        },
    };
    let mut conn = state.db.acquire().await?;
    let programme = programme_of(&mut conn, &shop.id).await?;
    let Some(customer) = customer else {
        let program = programme.get();
        let earn = query
            .currency
            .as_deref()
            .and_then(|currency| programme.rate(currency))
            .unwrap_or(&program.earn[0])
            .clone();
        return Ok(Json(LoyaltyResponse::Guest(LoyaltyInvitation {
            join_url: program.join_url.clone(),
            earn,
        })));
    };
    let key = ProfileKey::Customer(customer.customer_id);
    let profile = profiles::find(&mut conn, &shop.id, &key).await?;
    let account = current_account(
        &state,
        conn,
        &shop.id,
        &programme,
        profile.as_deref(),
        lines,
        now,
    )
    .await?;
    Ok(Json(LoyaltyResponse::Member(account)))
}

#[derive(Debug, Deserialize)]
struct MemberQuery {
    customer_id: Option<String>,
    card: Option<String>,
    lines: Option<u32>,
}

/// The one id a server request names a customer by.
fn member_key(customer_id: Option<&str>, card: Option<&str>) -> Result<ProfileKey, String> {
    match (customer_id, card) {
        (Some(customer), None) => ProfileKey::customer(customer),
        (None, Some(card)) => ProfileKey::card(card),
        _ => Err("name the customer by exactly one of `customer_id` and `card`".into()),
    }
}

/// A member's account by customer id or loyalty card, for a till or service desk.
#[utoipa::path(
    get,
    path = "/v1/loyalty/account",
    tag = "server",
    params(
        ("customer_id" = Option<String>, Query, description = "The shop's customer id …"),
        ("card" = Option<String>, Query, description = "… or a loyalty card number"),
        ("lines" = Option<u32>, Query, description = "Ledger lines in the answer (default 5)",
            minimum = 1, maximum = 50),
    ),
    responses(
        (status = 200, description = "The account", body = LoyaltyAccount),
        super::openapi::KeyErrors,
        (status = 404, description = "`not_found` (no such customer) or `no_loyalty_program`",
            body = vitrine_types::ApiErrorBody),
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn member_account(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> Result<Json<LoyaltyAccount>> {
    let lines = lines_of(query.lines)?;
    let key = member_key(query.customer_id.as_deref(), query.card.as_deref())
        .map_err(ApiError::InvalidQuery)?;
    let now = unix_now();
    let mut conn = state.db.acquire().await?;
    let programme = programme_of(&mut conn, &shop.id).await?;
    let profile = profiles::find(&mut conn, &shop.id, &key)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("{} `{}`", key.kind(), key.id())))?;
    let account = current_account(
        &state,
        conn,
        &shop.id,
        &programme,
        Some(&profile),
        lines,
        now,
    )
    .await?;
    Ok(Json(account))
}

/// The shop's loyalty programme.
#[utoipa::path(
    get,
    path = "/v1/loyalty/program",
    tag = "server",
    responses(
        (status = 200, description = "The programme", body = LoyaltyProgram),
        super::openapi::KeyErrors,
        (status = 404, description = "`no_loyalty_program`", body = vitrine_types::ApiErrorBody),
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn read_program(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
) -> Result<Json<LoyaltyProgram>> {
    let programme = programme_of(&mut *state.db.acquire().await?, &shop.id).await?;
    Ok(Json(programme.get().clone()))
}

/// Sets the shop's loyalty programme. Purchases earn by it from now on; orders that earned
/// before keep their terms (a return takes back what they earned).
#[utoipa::path(
    put,
    path = "/v1/loyalty/program",
    tag = "server",
    request_body(content = LoyaltyProgram, content_type = "application/json"),
    responses(
        (status = 200, description = "The programme as stored", body = LoyaltyProgram),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn set_program(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    ApiJson(program): ApiJson<LoyaltyProgram>,
) -> Result<Json<LoyaltyProgram>> {
    let programme = Programme::parse(program).map_err(ApiError::InvalidBody)?;
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    loyalty::set_programme(&mut tx, &shop.id, Some(&programme)).await?;
    tx.commit().await?;
    Ok(Json(programme.get().clone()))
}

/// Ends the shop's programme: purchases earn nothing from now on; balances and ledgers stay.
#[utoipa::path(
    delete,
    path = "/v1/loyalty/program",
    tag = "server",
    responses(
        (status = 204, description = "Ended (or there was none)"),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn end_program(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
) -> Result<StatusCode> {
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    loyalty::set_programme(&mut tx, &shop.id, None).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds or takes points by hand, with a reason the customer sees. Never below a zero
/// balance; the same `id` again changes nothing.
#[utoipa::path(
    post,
    path = "/v1/loyalty/adjustments",
    tag = "server",
    request_body(content = AdjustmentRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The account after the adjustment", body = LoyaltyAccount),
        super::openapi::KeyErrors,
        (status = 404, description = "`no_loyalty_program`", body = vitrine_types::ApiErrorBody),
        (status = 408, response = super::openapi::RequestTimeout),
        (status = 409, response = super::openapi::Conflict),
        (status = 410, response = super::openapi::Gone),
        (status = 415, response = super::openapi::UnsupportedMediaType),
    ),
    security(("secret_key" = [])),
)]
async fn adjust(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
    ApiJson(request): ApiJson<AdjustmentRequest>,
) -> Result<Json<LoyaltyAccount>> {
    crate::events::check_client_id("id", &request.id).map_err(ApiError::InvalidBody)?;
    let key = member_key(request.customer_id.as_deref(), request.card.as_deref())
        .map_err(ApiError::InvalidBody)?;
    if request.points == 0 || request.points.unsigned_abs() > 1_000_000_000 {
        return Err(ApiError::InvalidBody(
            "points must be non-zero and at most 1,000,000,000 either way".into(),
        ));
    }
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 || reason.chars().any(char::is_control) {
        return Err(ApiError::InvalidBody(
            "reason must be 1 to 200 characters without control characters".into(),
        ));
    }
    let now = unix_now();
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    let programme = programme_of(&mut tx, &shop.id).await?;
    let keys = [key];
    if let Some(erased) = profiles::first_erased(&mut tx, &shop.id, &keys).await? {
        return Err(ApiError::Erased(erased.id().to_string()));
    }
    let profile = profiles::resolve(&mut tx, &shop.id, &keys, now, HELD_PER_PROFILE)
        .await?
        .profile;
    let adjustment = loyalty::Adjustment {
        id: &request.id,
        profile: &profile,
        points: request.points,
        reason,
    };
    loyalty::adjust(&mut tx, &shop.id, &programme, &adjustment, now).await?;
    // The adjustment wrote off expired points first: the account is current.
    let (account, _) = loyalty::account(
        &mut tx,
        &shop.id,
        &programme,
        Some(&profile),
        DEFAULT_LINES,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(account))
}

/// Turns points into a one-time coupon worth their value. From a shop's server (secret key)
/// the customer is named by `customer_id` or `card`; from a browser (publishable key) by her
/// `customer_token`. Never below a zero balance, even for two redemptions at once; the same
/// `id` again answers the same coupon.
#[utoipa::path(
    post,
    path = "/v1/loyalty/redemptions",
    tag = "browser",
    request_body(content = RedemptionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The coupon", body = Coupon),
        super::openapi::BrowserWriteErrors,
        (status = 404, description = "`no_loyalty_program`", body = vitrine_types::ApiErrorBody),
        (status = 409, response = super::openapi::Conflict),
    ),
    security(("publishable_key" = []), ("secret_key" = [])),
)]
async fn redeem(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<RedemptionRequest>,
) -> Result<Json<Coupon>> {
    crate::events::check_client_id("id", &request.id).map_err(ApiError::InvalidBody)?;
    let now = unix_now();
    let (shop, key) = match caller {
        Caller::Server(shop) => {
            if request.customer_token.is_some() {
                return Err(ApiError::InvalidBody(
                    "with the secret key, name the customer by customer_id or card".into(),
                ));
            }
            let key = member_key(request.customer_id.as_deref(), request.card.as_deref())
                .map_err(ApiError::InvalidBody)?;
            (shop, key)
        }
        Caller::Browser(shop) => {
            let (Some(token), None, None) =
                (&request.customer_token, &request.customer_id, &request.card)
            else {
                return Err(ApiError::InvalidBody(
                    "from a browser, name the customer by customer_token only".into(),
                ));
            };
            let customer = verified_customer(&state, &shop, token, now).await?;
            (shop, ProfileKey::Customer(customer.customer_id))
        }
    };
    let mut tx = crate::storage::db::begin_write(&state.db).await?;
    let programme = programme_of(&mut tx, &shop.id).await?;
    let Some(profile) = profiles::find(&mut tx, &shop.id, &key).await? else {
        return Err(loyalty::LoyaltyError::InsufficientPoints {
            balance: 0,
            asked: request.points,
        }
        .into());
    };
    let coupon = loyalty::redeem(
        &mut tx,
        &shop.id,
        &programme,
        &profile,
        &request.id,
        request.points,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(coupon))
}
