//! Who is calling: the publishable key of browser requests, and the CORS policy it implies;
//! the secret key of shops' servers; which of them a request authenticated with.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::error::ApiError;
use crate::identity::profiles::{self, ProfileKey};
use crate::privacy::HELD_PER_PROFILE;
use crate::shops::{self, Shop};
use crate::AppState;

/// Marks a batch's sub-request (a request extension, which only the server sets): the rate
/// limit counted it with its batch, and it carries the shop the batch was checked as (key and
/// `Origin`), so neither is looked up again.
#[derive(Debug, Clone)]
pub struct SubRequest(pub Shop);

/// The shop of a browser request, authenticated by its publishable key (`key=pk_…` in the
/// query string, so that GETs stay "simple" CORS requests without a preflight), and with the
/// page's `Origin`, when the browser sent one, checked against the shop's allowed origins.
#[derive(Debug, Clone)]
pub struct PublishableShop(pub Shop);

impl FromRequestParts<AppState> for PublishableShop {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // A batch's sub-request: the batch was checked, with the same key and `Origin`
        // (extensions are set by the server only, never by a request).
        if let Some(SubRequest(shop)) = parts.extensions.get::<SubRequest>() {
            return Ok(Self(shop.clone()));
        }
        let key = publishable_key(&parts.uri).ok_or(ApiError::MissingKey)?;
        let origin = parts
            .headers
            .get(ORIGIN)
            .map(|o| o.to_str().unwrap_or_default());
        let found = match parts.extensions.get::<CheckedKey>() {
            Some(CheckedKey(found)) => found.clone(),
            None => shops::by_publishable_key_at(&state.db, &key, origin.unwrap_or("")).await?,
        };
        let (shop, allowed) = found.ok_or(ApiError::InvalidKey)?;
        match origin {
            Some(origin) if !allowed => Err(ApiError::OriginNotAllowed(origin.to_string())),
            _ => Ok(Self(shop)),
        }
    }
}

/// What the key of a browser API request and its `Origin` were found to be (the key's shop, and
/// whether the origin is among its allowed ones), looked up once by [`check_key`] for both the
/// CORS layer and the [`PublishableShop`] extractor.
#[derive(Debug, Clone)]
struct CheckedKey(Option<(Shop, bool)>);

/// The key a request authenticated with, as [`check_key`] found it valid: the shop it belongs
/// to, by kind. Requests are rate limited by it (see `ops::rate_limit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthenticatedKey {
    /// A valid publishable key (`key=` in the query) of this shop.
    Publishable(String),
    /// A valid secret key (`Authorization: Bearer`) of this shop.
    Secret(String),
}

/// What the bearer token of a request was found to be: the shop whose secret key it is.
#[derive(Debug, Clone)]
struct CheckedSecret(Option<Shop>);

/// Looks up, once per request, the publishable key (`key=`, with the `Origin`) and the secret
/// key (`Authorization: Bearer`) a request carries, for the rate limit, the CORS layer and the
/// handler's extractors; and records which of them is valid as an [`AuthenticatedKey`]: the
/// secret key when both are, as [`Caller`] prefers it. Sits outside the rate limit and the CORS
/// layer. A batch's sub-request passes untouched; a failed lookup too (the extractor asks
/// again and answers the error).
pub async fn check_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if request.extensions().get::<SubRequest>().is_some() {
        return next.run(request).await;
    }
    let mut authenticated = None;
    if let Some(key) = publishable_key(request.uri()) {
        let origin = request
            .headers()
            .get(ORIGIN)
            .map(|o| o.to_str().unwrap_or_default());
        if let Ok(found) = shops::by_publishable_key_at(&state.db, &key, origin.unwrap_or("")).await
        {
            if let Some((shop, _)) = &found {
                authenticated = Some(AuthenticatedKey::Publishable(shop.id.clone()));
            }
            request.extensions_mut().insert(CheckedKey(found));
        }
    }
    if let Some(key) = bearer_key(request.headers()) {
        if let Ok(found) = shops::by_secret_key(&state.db, key).await {
            if let Some(shop) = &found {
                authenticated = Some(AuthenticatedKey::Secret(shop.id.clone()));
            }
            request.extensions_mut().insert(CheckedSecret(found));
        }
    }
    if let Some(authenticated) = authenticated {
        request.extensions_mut().insert(authenticated);
    }
    next.run(request).await
}

/// The non-empty token of `Authorization: Bearer …`.
fn bearer_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|key| !key.is_empty())
}

/// The shop of a server-to-server request, authenticated by its secret key in
/// `Authorization: Bearer sk_…`.
#[derive(Debug, Clone)]
pub struct SecretShop(pub Shop);

impl FromRequestParts<AppState> for SecretShop {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = bearer_key(&parts.headers).ok_or(ApiError::MissingSecretKey)?;
        let found = match parts.extensions.get::<CheckedSecret>() {
            Some(CheckedSecret(found)) => found.clone(),
            None => shops::by_secret_key(&state.db, key).await?,
        };
        Ok(Self(found.ok_or(ApiError::InvalidKey)?))
    }
}

/// Who calls an endpoint that serves both: a shop's server (an `Authorization` header: the
/// secret key) or a browser (the publishable key).
#[derive(Debug, Clone)]
pub enum Caller {
    /// With the secret key.
    Server(Shop),
    /// With the publishable key.
    Browser(Shop),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            let SecretShop(shop) = SecretShop::from_request_parts(parts, state).await?;
            Ok(Self::Server(shop))
        } else {
            let PublishableShop(shop) = PublishableShop::from_request_parts(parts, state).await?;
            Ok(Self::Browser(shop))
        }
    }
}

fn publishable_key(uri: &Uri) -> Option<String> {
    let query = uri.query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "key")
        .map(|(_, value)| value.into_owned())
        .filter(|key| !key.is_empty())
}

/// CORS for the browser API: the answer carries `Access-Control-Allow-Origin` only for an
/// origin the key's shop has allowed, so no other site can read a shop's answers. Decided by
/// what [`check_key`], outside this layer, found for the request's key and `Origin`.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(
            |_origin: &HeaderValue, parts: &Parts| {
                matches!(
                    parts.extensions.get::<CheckedKey>(),
                    Some(CheckedKey(Some((_, true))))
                )
            },
        ))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(600))
}

/// The customer a shop-signed token names, checked against the shop's secret key.
pub async fn verified_customer(
    state: &AppState,
    shop: &Shop,
    token: &str,
    now: i64,
) -> Result<crate::identity::CustomerToken, ApiError> {
    let secret_key = shops::secret_key(&state.db, &state.master_key, &shop.id).await?;
    Ok(crate::identity::verify(&secret_key, token, now)?)
}

/// Who a browser request is from, as far as it proved it: its visitor id (an anonymous
/// handle, never a credential) and, with a valid customer token in this request, the
/// customer the token names. A customer's data is reached only through the second.
#[derive(Debug, Clone)]
pub struct BrowserIdentity {
    /// The browser's visitor id.
    pub visitor: ProfileKey,
    /// The customer of a valid token sent with this request.
    pub customer: Option<ProfileKey>,
}

impl BrowserIdentity {
    /// The ids to check against erasure and consent: the visitor, then the customer.
    pub fn keys(&self) -> Vec<ProfileKey> {
        std::iter::once(self.visitor.clone())
            .chain(self.customer.clone())
            .collect()
    }

    /// The profile this browser may read now, if it has one: the customer's with a token,
    /// else the visitor's own anonymous profile (a visitor id that once signed in reads
    /// nothing of the customer's).
    pub async fn existing(
        &self,
        conn: &mut sqlx::AnyConnection,
        shop_id: &str,
    ) -> sqlx::Result<Option<String>> {
        match &self.customer {
            Some(customer) => profiles::find(conn, shop_id, customer).await,
            None => profiles::find_anonymous(conn, shop_id, &self.visitor).await,
        }
    }

    /// The profile this browser writes to, created or linked as needed: with a token, the
    /// customer's (the visitor id is linked to it, taken over from another customer's
    /// profile if it was hers, never merging two customers); without, the visitor's own
    /// anonymous profile. Call inside a transaction.
    pub async fn resolve(
        &self,
        conn: &mut sqlx::AnyConnection,
        shop_id: &str,
        now: i64,
    ) -> sqlx::Result<String> {
        match &self.customer {
            Some(_) => Ok(
                profiles::resolve(conn, shop_id, &self.keys(), now, HELD_PER_PROFILE)
                    .await?
                    .profile,
            ),
            None => {
                profiles::resolve_anonymous(conn, shop_id, &self.visitor, now, HELD_PER_PROFILE)
                    .await
            }
        }
    }
}

/// A browser's ids: its visitor id and, with a valid customer token, the customer it names
/// (an invalid or expired token is refused).
pub async fn browser_identity(
    state: &AppState,
    shop: &Shop,
    visitor_id: &str,
    customer_token: Option<&str>,
    now: i64,
) -> Result<BrowserIdentity, ApiError> {
    let visitor = ProfileKey::visitor(visitor_id).map_err(ApiError::InvalidBody)?;
    let customer = match customer_token {
        Some(token) => {
            let customer = verified_customer(state, shop, token, now).await?;
            Some(ProfileKey::Customer(customer.customer_id))
        }
        None => None,
    };
    Ok(BrowserIdentity { visitor, customer })
}

/// The profiles a browser proved are its own (the customer of a valid token; the visitor's
/// own anonymous profile) that allow personalisation: whose history may shape an answer.
/// Empty for a stranger. A visitor id alone never reaches a customer's profile.
pub async fn personal_profiles(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    shop: &Shop,
    visitor_id: Option<&str>,
    customer_token: Option<&str>,
    now: i64,
) -> Result<Vec<String>, ApiError> {
    let mut found = Vec::new();
    if let Some(visitor) = visitor_id {
        let visitor = ProfileKey::visitor(visitor).map_err(ApiError::InvalidQuery)?;
        found.extend(profiles::find_anonymous(conn, &shop.id, &visitor).await?);
    }
    if let Some(token) = customer_token {
        let customer = verified_customer(state, shop, token, now).await?;
        let key = ProfileKey::Customer(customer.customer_id);
        found.extend(profiles::find(conn, &shop.id, &key).await?);
    }
    let mut personal = Vec::new();
    for profile in found {
        if !personal.contains(&profile)
            && crate::identity::consent::effective(conn, &shop.id, Some(&profile))
                .await?
                .personalisation
        {
            personal.push(profile);
        }
    }
    Ok(personal)
}
