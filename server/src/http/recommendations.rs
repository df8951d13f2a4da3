//! `GET /v1/recommendations?key=pk_…&context=home|cart|product:SKU&limit=N`, optionally with
//! the caller's `visitor_id` and `customer_token`, the `cart`'s SKUs and a `store`.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use vitrine_types::{
    RecommendationContext, RecommendationModel, RecommendationReason, RecommendationsResponse,
};

use std::collections::HashSet;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vitrine_recommender::{Context, Kind, Query};

use super::auth::{personal_profiles, PublishableShop, SecretShop};
use super::error::{ApiError, ApiQuery, Result};
use crate::{recommendations, AppState};

/// Most tiles one widget may ask for.
pub const MAX_LIMIT: u32 = 24;
const DEFAULT_LIMIT: u32 = 4;

/// Routes of this resource called from browsers (publishable key).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(recommendations))
}

/// Routes of this resource called from the shop's back office (secret key).
pub fn server_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(model))
}

/// The model the shop's recommendations come from, chosen at every rebuild from the shop's
/// own data: popularity when nothing personal beat it on held-out purchases (tiles then say
/// "popular"), else item-to-item or its blend with popularity; with the scores behind it.
#[utoipa::path(
    get,
    path = "/v1/recommendations/model",
    tag = "server",
    responses(
        (status = 200, description = "The model served now", body = RecommendationModel),
        super::openapi::KeyErrors,
        (status = 408, response = super::openapi::RequestTimeout),
    ),
    security(("secret_key" = [])),
)]
async fn model(
    State(state): State<AppState>,
    SecretShop(shop): SecretShop,
) -> Result<Json<RecommendationModel>> {
    let recommender = state
        .recommendations
        .shop(&state.db, &shop.id)
        .await
        .map_err(ApiError::Internal)?;
    Ok(Json(recommender.model()))
}

#[derive(Debug, Deserialize)]
struct RecommendationsQuery {
    context: Option<String>,
    limit: Option<u32>,
    visitor_id: Option<String>,
    customer_token: Option<String>,
    cart: Option<String>,
    store: Option<String>,
}

/// Products for a recommendations widget, best first: personal for a known caller with
/// personalisation consent, popular and trending otherwise; never a product the caller bought
/// (online or in a store), never one on the page or in the cart, never one sold out
/// everywhere.
#[utoipa::path(
    get,
    path = "/v1/recommendations",
    tag = "browser",
    params(
        ("context" = Option<String>, Query,
            description = "Where the widget is: `home` (default), `cart` or `product:<sku>` \
                (a SKU of 1 to 128 bytes)",
            pattern = "^(home|cart|product:.+)$"),
        ("limit" = Option<u32>, Query, description = "Most products in the answer (default 4)",
            minimum = 1, maximum = 24),
        ("visitor_id" = Option<String>, Query,
            description = "The browser's anonymous id (16 to 64 of A-Z a-z 0-9 _ -): answers \
                are personal for its profile when it allows personalisation",
            pattern = "^[A-Za-z0-9_-]{16,64}$"),
        ("customer_token" = Option<String>, Query,
            description = "A shop-signed customer token: answers are personal for that customer"),
        ("cart" = Option<String>, Query,
            description = "With `context=cart`: the cart's SKUs, comma-separated (at most 50)"),
        ("store" = Option<String>, Query,
            description = "Only products in stock at this store of the shop"),
    ),
    responses(
        (status = 200, description = "The products, best first; may be fewer than `limit`",
            body = RecommendationsResponse),
        super::openapi::BrowserReadErrors,
    ),
    security(("publishable_key" = [])),
)]
async fn recommendations(
    State(state): State<AppState>,
    PublishableShop(shop): PublishableShop,
    ApiQuery(query): ApiQuery<RecommendationsQuery>,
) -> Result<Json<RecommendationsResponse>> {
    let now = crate::unix_now();
    let context = match query.context.as_deref() {
        None => RecommendationContext::Home,
        Some(value) => RecommendationContext::parse(value).map_err(ApiError::InvalidQuery)?,
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let cart = cart_skus(&context, query.cart.as_deref())?;
    let recommender = state
        .recommendations
        .shop(&state.db, &shop.id)
        .await
        .map_err(ApiError::Internal)?;
    let catalogue = recommender.catalogue();
    let mut conn = state.db.acquire().await?;
    // Only profiles the caller proved are hers, and only those that allow personalisation.
    let personal = personal_profiles(
        &state,
        &mut conn,
        &shop,
        query.visitor_id.as_deref(),
        query.customer_token.as_deref(),
        now,
    )
    .await?;
    let history = recommendations::history(&mut conn, &shop.id, &personal).await?;
    let at_store = match &query.store {
        Some(store) if !catalogue.has_store(store) => {
            return Err(ApiError::InvalidQuery(format!("unknown store `{store}`")))
        }
        Some(store) => Some(recommendations::in_stock_at(&mut conn, &shop.id, store).await?),
        None => None,
    };
    drop(conn);
    let available = |sku: &str| catalogue.available(sku);
    let in_store = |sku: &str| at_store.as_ref().is_some_and(|skus| skus.contains(sku));
    let answer = recommender.recommend(&Query {
        history: &history,
        context: match &context {
            RecommendationContext::Home => Context::Home,
            RecommendationContext::Product(sku) => Context::Product(sku),
            RecommendationContext::Cart => Context::Cart(&cart),
        },
        limit: limit as usize,
        available: &available,
        store_filter: at_store
            .is_some()
            .then_some(&in_store as &dyn Fn(&str) -> bool),
        now: Some(now),
    });
    let mut items: Vec<_> = answer
        .into_iter()
        .filter_map(|item| recommendations::tile(&catalogue, item))
        .collect();
    // A new shop or new products: the model knows too few, the rest of the range fills in,
    // under the same rules (nothing owned, on the page or in the cart, or unavailable).
    if items.len() < limit as usize {
        let excluded: HashSet<&str> = history
            .iter()
            .filter(|interaction| interaction.kind == Kind::Purchase)
            .map(|interaction| interaction.sku.as_str())
            .chain(match &context {
                RecommendationContext::Product(sku) => vec![sku.as_str()],
                RecommendationContext::Cart => cart.iter().map(String::as_str).collect(),
                RecommendationContext::Home => Vec::new(),
            })
            .chain(items.iter().map(|item| item.sku.as_str()))
            .collect();
        let fill: Vec<String> = catalogue
            .skus()
            .filter(|sku| !excluded.contains(sku) && available(sku))
            .filter(|sku| at_store.is_none() || in_store(sku))
            .take(limit as usize - items.len())
            .map(str::to_string)
            .collect();
        items.extend(fill.into_iter().filter_map(|sku| {
            recommendations::product_tile(&catalogue, sku, RecommendationReason::Catalogue)
        }));
    }
    Ok(Json(RecommendationsResponse {
        recommendation_id: recommendation_id(&shop.id, &context, &items),
        items,
    }))
}

/// `<context kind>.<uuid>`: the kind lets the attribution report count clicks per context;
/// the UUID (version 8) is digested from the shop, the context and the list, so a repeated
/// answer is byte for byte the same and a batch's `ETag` can match.
fn recommendation_id(
    shop_id: &str,
    context: &RecommendationContext,
    items: &[vitrine_types::RecommendedProduct],
) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for part in [shop_id, &context.as_query_value()] {
        digest.update(part.as_bytes());
        digest.update([0]);
    }
    digest.update(serde_json::to_vec(items).expect("wire types serialise"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.finalize()[..16]);
    let uuid = uuid::Builder::from_custom_bytes(bytes).into_uuid();
    format!("{}.{}", context.kind(), uuid.simple())
}

/// Most SKUs a `cart` parameter may name.
const MAX_CART_SKUS: usize = 50;

/// The SKUs of `cart=A,B,C`, only with `context=cart`.
fn cart_skus(context: &RecommendationContext, cart: Option<&str>) -> Result<Vec<String>> {
    let Some(cart) = cart else {
        return Ok(Vec::new());
    };
    if *context != RecommendationContext::Cart {
        return Err(ApiError::InvalidQuery(
            "`cart` goes with `context=cart` only".into(),
        ));
    }
    let skus: Vec<String> = cart
        .split(',')
        .filter(|sku| !sku.is_empty())
        .map(str::to_string)
        .collect();
    if skus.len() > MAX_CART_SKUS {
        return Err(ApiError::InvalidQuery(format!(
            "`cart` names at most {MAX_CART_SKUS} SKUs"
        )));
    }
    skus.iter()
        .try_for_each(|sku| crate::events::check_sku(sku))
        .map_err(ApiError::InvalidQuery)?;
    Ok(skus)
}
