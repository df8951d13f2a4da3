//! The demo shop's own backend, as a real shop runs one beside Vitrine: it knows who is signed
//! in (a session cookie), signs her customer token with the shop's secret key (which never
//! reaches the browser), and reports web orders, till receipts and returns at a till to the
//! Vitrine API server to server (`POST /v1/events/bulk`). The single-page app calls it with
//! JSON under `/api/`; cart changes the app reports itself with `Vitrine.track`, as the embed
//! contract says. Demo only: three customers, no passwords.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::StorefrontConfig;

/// A demo customer: her shop login and her loyalty card.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct DemoCustomer {
    /// The shop's customer id (her history is in the demo data).
    pub id: &'static str,
    /// Her name, shown when she is signed in.
    pub name: &'static str,
    /// Her loyalty card, as the till reads it.
    pub card: &'static str,
}

/// The customers one can sign in as.
pub const CUSTOMERS: [DemoCustomer; 3] = [
    DemoCustomer {
        id: "K-1001",
        name: "Anna Berger",
        card: "2500-1001",
    },
    DemoCustomer {
        id: "K-1002",
        name: "Jonas Huber",
        card: "2500-1002",
    },
    DemoCustomer {
        id: "K-1003",
        name: "Lea Wagner",
        card: "2500-1003",
    },
];

/// The session cookie naming the signed-in customer.
const CUSTOMER_COOKIE: &str = "alpenhaus_kunde";
/// The shop's own anonymous visitor id (first-party), sent with cart events.
const VISITOR_COOKIE: &str = "alpenhaus_besucher";
/// How long a customer token the pages carry is valid.
const TOKEN_SECONDS: i64 = 3600;

/// The signed-in customer of a request, if any.
pub fn signed_in(jar: &CookieJar) -> Option<DemoCustomer> {
    let id = jar.get(CUSTOMER_COOKIE)?.value().to_string();
    CUSTOMERS.iter().copied().find(|customer| customer.id == id)
}

/// The `data-customer-token` attribute for the script tag, or nothing for a guest.
pub fn token_attribute(config: &StorefrontConfig, jar: &CookieJar) -> String {
    match signed_in(jar) {
        Some(customer) => {
            let token = crate::identity::sign(
                &config.secret_key,
                customer.id,
                crate::unix_now() + TOKEN_SECONDS,
            );
            format!(r#" data-customer-token="{token}""#)
        }
        None => String::new(),
    }
}

/// Routes of the backend (nested under `/api/`).
pub fn router() -> Router<Arc<StorefrontConfig>> {
    Router::new()
        .route("/kunden", get(customers))
        .route("/sitzung", get(session))
        .route("/anmelden", post(sign_in))
        .route("/abmelden", post(sign_out))
        .route("/bestellung", post(order))
        .route("/kasse/bon", post(till_receipt))
        .route("/kasse/rueckgabe", post(till_return))
}

/// The customers one can sign in as (the sign-in page and the till's card reader list them).
async fn customers() -> Json<[DemoCustomer; 3]> {
    Json(CUSTOMERS)
}

/// Who is signed in on this browser.
#[derive(Debug, Serialize)]
struct Session {
    customer: Option<DemoCustomer>,
}

async fn session(jar: CookieJar) -> Json<Session> {
    Json(Session {
        customer: signed_in(&jar),
    })
}

#[derive(Debug, Deserialize)]
struct SignIn {
    kunde: String,
}

/// A sign-in's answer: the customer and her token, for `Vitrine.identify`.
#[derive(Debug, Serialize)]
struct SignedIn {
    customer: DemoCustomer,
    customer_token: String,
}

/// Signs in a demo customer; she accepts personalisation on the way (the shop's consent
/// banner, in one click), so her recommendations and cart recovery are hers.
async fn sign_in(
    State(config): State<Arc<StorefrontConfig>>,
    jar: CookieJar,
    Json(request): Json<SignIn>,
) -> Response {
    let Some(customer) = CUSTOMERS.iter().find(|c| c.id == request.kunde).copied() else {
        return (StatusCode::BAD_REQUEST, "unknown demo customer").into_response();
    };
    let (jar, visitor) = with_visitor(jar);
    let token = crate::identity::sign(
        &config.secret_key,
        customer.id,
        crate::unix_now() + TOKEN_SECONDS,
    );
    let consent = json!({"visitor_id": visitor, "customer_token": token, "tracking": true,
                         "personalisation": true, "source": "demo-login"});
    let path = format!("/v1/consent?key={}", config.publishable_key);
    if let Err(err) = call(&config, Method::POST, &path, None, consent.to_string()).await {
        tracing::warn!(error = %err, "the demo sign-in could not record consent");
    }
    let jar = jar.add(session_cookie(CUSTOMER_COOKIE, customer.id.to_string()));
    let answer = SignedIn {
        customer,
        customer_token: token,
    };
    (jar, Json(answer)).into_response()
}

async fn sign_out(jar: CookieJar) -> Response {
    (
        jar.remove(Cookie::build(CUSTOMER_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    )
        .into_response()
}

fn session_cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}

/// The request's visitor id, made and set as a cookie when it has none.
fn with_visitor(jar: CookieJar) -> (CookieJar, String) {
    if let Some(visitor) = jar.get(VISITOR_COOKIE).map(|c| c.value().to_string()) {
        if crate::identity::profiles::ProfileKey::visitor(&visitor).is_ok() {
            return (jar, visitor);
        }
    }
    let visitor = format!("v_{}", uuid::Uuid::new_v4().simple());
    let jar = jar.add(session_cookie(VISITOR_COOKIE, visitor.clone()));
    (jar, visitor)
}

/// One line of an order, a receipt or a return.
#[derive(Debug, Deserialize)]
struct Line {
    sku: String,
    quantity: i64,
}

#[derive(Debug, Deserialize)]
struct Lines {
    lines: Vec<Line>,
}

/// "Jetzt kaufen": a web order, reported with the catalogue's prices.
async fn order(
    State(config): State<Arc<StorefrontConfig>>,
    jar: CookieJar,
    Json(order): Json<Lines>,
) -> Response {
    let (jar, visitor) = with_visitor(jar);
    let order_id = format!("W-{}", &event_id()[..10]);
    let Some(lines) = priced(&config, &order.lines) else {
        return (jar, (StatusCode::BAD_REQUEST, "unknown product")).into_response();
    };
    let mut event = json!({"id": event_id(), "type": "purchase", "order_id": order_id,
                           "channel": "web", "currency": "EUR", "lines": lines,
                           "visitor_id": visitor});
    if let Some(customer) = signed_in(&jar) {
        event["customer_id"] = json!(customer.id);
    }
    match report(&config, &[event]).await {
        (StatusCode::OK, _) => (jar, Json(json!({"order_id": order_id}))).into_response(),
        failed => (jar, failed).into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct Receipt {
    store_id: String,
    /// A loyalty card (one of the demo customers'), or none for an anonymous sale.
    card: Option<String>,
    lines: Vec<Line>,
}

/// The till simulator's "Bon buchen": a receipt in a store, with the loyalty card read at the
/// till, reported as a till export would be. Answers the receipt and the card's points.
async fn till_receipt(
    State(config): State<Arc<StorefrontConfig>>,
    Json(receipt): Json<Receipt>,
) -> Response {
    let Some(lines) = priced(&config, &receipt.lines) else {
        return (StatusCode::BAD_REQUEST, "unknown product").into_response();
    };
    let order_id = format!("R-{}", &event_id()[..10]);
    let event = json!({"id": event_id(), "type": "purchase", "order_id": order_id,
                       "channel": "store", "store_id": receipt.store_id,
                       "currency": "EUR", "lines": lines});
    till_report(
        &config,
        event,
        receipt.card.as_deref(),
        &receipt.store_id,
        &order_id,
    )
    .await
}

#[derive(Debug, Deserialize)]
struct TillReturn {
    store_id: String,
    /// The receipt the items were bought on.
    order_id: String,
    /// The loyalty card shown at the till, if any.
    card: Option<String>,
    lines: Vec<Line>,
}

/// The till simulator's "Rückgabe buchen": items of an earlier receipt brought back to a store;
/// Vitrine takes their points back. Answers the card's points.
async fn till_return(
    State(config): State<Arc<StorefrontConfig>>,
    Json(request): Json<TillReturn>,
) -> Response {
    let lines: Vec<Value> = request
        .lines
        .iter()
        .map(|line| json!({"sku": line.sku, "quantity": line.quantity}))
        .collect();
    let event = json!({"id": event_id(), "type": "return", "order_id": request.order_id,
                       "channel": "store", "store_id": request.store_id, "lines": lines});
    till_report(
        &config,
        event,
        request.card.as_deref(),
        &request.store_id,
        &request.order_id,
    )
    .await
}

/// Reports a till's `event` (a receipt or a return) as the till export would: with the
/// customer of a registered loyalty `card`, else as the store's anonymous till. Answers the
/// receipt and, for a card, its points.
async fn till_report(
    config: &StorefrontConfig,
    mut event: Value,
    card: Option<&str>,
    store_id: &str,
    order_id: &str,
) -> Response {
    let customer = card.and_then(|card| CUSTOMERS.iter().find(|c| c.card == card));
    match customer {
        // A registered card: the till knows whose it is.
        Some(customer) => {
            event["card"] = json!(customer.card);
            event["customer_id"] = json!(customer.id);
        }
        None => event["visitor_id"] = json!(format!("till_{store_id}")),
    }
    let answer = report(config, &[event]).await;
    if answer.0 != StatusCode::OK {
        return answer.into_response();
    }
    let balance = match customer {
        Some(customer) => points(config, customer).await,
        None => None,
    };
    Json(
        json!({"order_id": order_id, "customer": customer.map(|c| c.name),
                "balance": balance}),
    )
    .into_response()
}

/// The points balance of a customer's loyalty account, as the till's card reader shows it.
async fn points(config: &StorefrontConfig, customer: &DemoCustomer) -> Option<Value> {
    let path = format!("/v1/loyalty/account?card={}&lines=1", customer.card);
    match call(
        config,
        Method::GET,
        &path,
        Some(&config.secret_key),
        String::new(),
    )
    .await
    {
        Ok((StatusCode::OK, body)) => body.get("balance").cloned(),
        _ => None,
    }
}

fn event_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The lines with the catalogue's prices; `None` when a SKU is not in the catalogue.
fn priced(config: &StorefrontConfig, lines: &[Line]) -> Option<Vec<Value>> {
    lines
        .iter()
        .map(|line| {
            let price = config.prices.get(&line.sku)?;
            Some(json!({"sku": line.sku, "quantity": line.quantity, "unit_price_minor": price}))
        })
        .collect()
}

/// Sends events to the API with the secret key; answers what the browser should see.
async fn report(config: &StorefrontConfig, events: &[Value]) -> (StatusCode, String) {
    let body = events
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    match call(
        config,
        Method::POST,
        "/v1/events/bulk",
        Some(&config.secret_key),
        body,
    )
    .await
    {
        Ok((StatusCode::OK, answer)) if answer["errors"] == json!([]) => {
            (StatusCode::OK, "ok".into())
        }
        Ok((status, answer)) => {
            tracing::warn!(%status, %answer, "the demo backend's events were refused");
            (StatusCode::BAD_GATEWAY, answer.to_string())
        }
        Err(err) => {
            tracing::warn!(error = %err, "the demo backend cannot reach the API");
            (
                StatusCode::BAD_GATEWAY,
                "the Vitrine API is not reachable".into(),
            )
        }
    }
}

/// One call to the API (plain HTTP: the demo's API runs beside it).
async fn call(
    config: &StorefrontConfig,
    method: Method,
    path: &str,
    secret_key: Option<&str>,
    body: String,
) -> anyhow::Result<(StatusCode, Value)> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<bytes::Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{}{path}", config.api_origin))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = secret_key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    let response = client
        .request(request.body(Full::new(bytes::Bytes::from(body)))?)
        .await?;
    let status = response.status();
    let bytes = response.into_body().collect().await?.to_bytes();
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}
