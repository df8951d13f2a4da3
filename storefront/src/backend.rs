//! The shop's own backend (`server/src/demo/storefront/backend.rs`, under `/api/`), called with
//! gloo-net: who is signed in, sign-in and sign-out, orders, and the till. It holds the shop's
//! secret key; the app only ever sees a signed customer token.

use gloo_net::http::{Request, Response};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A demo customer, as the backend names her.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Customer {
    /// Her customer id in the shop.
    pub id: String,
    /// Her name.
    pub name: String,
    /// Her loyalty card number.
    pub card: String,
}

/// One line of an order, a receipt or a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The product (or size) sold.
    pub sku: String,
    /// How many.
    pub quantity: i64,
}

/// What the till shows after a receipt or a return.
#[derive(Debug, Clone, Deserialize)]
pub struct TillAnswer {
    /// The receipt's number.
    pub order_id: String,
    /// The name of the card's owner, when a loyalty card was read.
    pub customer: Option<String>,
    /// Her points after it.
    pub balance: Option<i64>,
}

/// The signed-in customer of this browser, as the header shows it.
#[derive(Debug, Clone, Copy)]
pub struct SessionState(pub RwSignal<Option<Customer>>);

impl SessionState {
    /// Asks the backend who is signed in; `None` until it has answered.
    pub fn load() -> Self {
        let state = RwSignal::new(None);
        leptos::task::spawn_local(async move {
            #[derive(Deserialize)]
            struct Session {
                customer: Option<Customer>,
            }
            match get::<Session>("/api/sitzung").await {
                Ok(session) => state.set(session.customer),
                Err(err) => leptos::logging::warn!("the session could not be read: {err}"),
            }
        });
        Self(state)
    }
}

/// The session of the app's context.
pub fn use_session() -> SessionState {
    expect_context()
}

/// The demo customers one can sign in as.
pub async fn customers() -> Result<Vec<Customer>, String> {
    get("/api/kunden").await
}

/// Signs `customer_id` in: the backend sets its session cookie and answers her customer token.
pub async fn sign_in(customer_id: &str) -> Result<(Customer, String), String> {
    #[derive(Serialize)]
    struct SignIn<'a> {
        kunde: &'a str,
    }
    #[derive(Deserialize)]
    struct SignedIn {
        customer: Customer,
        customer_token: String,
    }
    let answer: SignedIn = post("/api/anmelden", &SignIn { kunde: customer_id }).await?;
    Ok((answer.customer, answer.customer_token))
}

/// Signs the customer out (the backend drops its session cookie).
pub async fn sign_out() -> Result<(), String> {
    let response = Request::post("/api/abmelden")
        .send()
        .await
        .map_err(|err| err.to_string())?;
    if response.ok() {
        Ok(())
    } else {
        Err(format!("HTTP {}", response.status()))
    }
}

/// Orders `lines` online; answers the order number.
pub async fn order(lines: Vec<Line>) -> Result<String, String> {
    #[derive(Serialize)]
    struct Order {
        lines: Vec<Line>,
    }
    #[derive(Deserialize)]
    struct Ordered {
        order_id: String,
    }
    let answer: Ordered = post("/api/bestellung", &Order { lines }).await?;
    Ok(answer.order_id)
}

/// A receipt at a store's till, with the loyalty card read there (if any).
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// The store.
    pub store_id: String,
    /// The loyalty card, if the customer showed one.
    pub card: Option<String>,
    /// What was sold.
    pub lines: Vec<Line>,
}

/// Books a receipt at a till.
pub async fn till_receipt(receipt: &Receipt) -> Result<TillAnswer, String> {
    post("/api/kasse/bon", receipt).await
}

/// Items of an earlier receipt brought back to a store's till.
#[derive(Debug, Clone, Serialize)]
pub struct TillReturn {
    /// The store.
    pub store_id: String,
    /// The receipt they were bought on.
    pub order_id: String,
    /// The loyalty card, if the customer showed one.
    pub card: Option<String>,
    /// What came back.
    pub lines: Vec<Line>,
}

/// Books a return at a till.
pub async fn till_return(request: &TillReturn) -> Result<TillAnswer, String> {
    post("/api/kasse/rueckgabe", request).await
}

async fn get<T: for<'de> Deserialize<'de>>(url: &str) -> Result<T, String> {
    answer(Request::get(url).send().await).await
}

async fn post<B: Serialize, T: for<'de> Deserialize<'de>>(
    url: &str,
    body: &B,
) -> Result<T, String> {
    let request = Request::post(url)
        .json(body)
        .map_err(|err| err.to_string())?;
    answer(request.send().await).await
}

/// The JSON of a successful answer; a failed request or an error status as text.
async fn answer<T: for<'de> Deserialize<'de>>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, String> {
    let response = response.map_err(|err| err.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    response.json().await.map_err(|err| err.to_string())
}
