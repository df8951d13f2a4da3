//! `POST /v1/events` (browser, publishable key) and `POST /v1/events/bulk` (server, secret
//! key, NDJSON): what shops, tills and the widgets report.

use serde::{Deserialize, Serialize};

/// One event as a client sends it. `id` is made by the client: sending the same id again
/// stores nothing new, so retries are safe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventIn {
    /// Client-made id, unique per shop: 1–64 of `A-Z a-z 0-9 _ - . :`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.:-]{1,64}$"))]
    pub id: String,
    /// When it happened, unix seconds; the time of receipt when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<i64>,
    /// Bulk only: the shop's customer id (shop login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// Bulk only: a loyalty card number (till).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// Bulk only: an anonymous visitor id the shop's backend knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub body: EventBody,
}

/// The kinds of event, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// A product page was seen.
    View {
        /// The product.
        sku: String,
    },
    /// Items were put into the cart.
    AddToCart {
        /// The product.
        sku: String,
        /// How many, 1–10,000.
        quantity: i64,
    },
    /// Items were taken out of the cart.
    RemoveFromCart {
        /// The product.
        sku: String,
        /// How many, 1–10,000.
        quantity: i64,
    },
    /// An order online or a receipt at a till.
    Purchase {
        /// The order or receipt number, unique per shop and channel.
        order_id: String,
        /// Where it was bought.
        channel: Channel,
        /// The store, required for `store` purchases.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_id: Option<String>,
        /// The till's receipt id, if it differs from the order id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        receipt_id: Option<String>,
        /// ISO 4217 currency of the prices.
        currency: String,
        /// What was bought: 1–500 lines.
        lines: Vec<PurchaseLine>,
    },
    /// Items of an order or receipt were brought back: their points are taken back.
    Return {
        /// The order or receipt they were bought on.
        order_id: String,
        /// Where they were brought back.
        channel: Channel,
        /// The store, for returns at a till.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store_id: Option<String>,
        /// What came back: 1–500 lines.
        lines: Vec<ReturnLine>,
    },
    /// A whole order was cancelled: all its points are taken back.
    Cancellation {
        /// The order.
        order_id: String,
    },
    /// A product was put on the wish list.
    Wishlist {
        /// The product.
        sku: String,
    },
    /// A recommendations widget was seen (tiles at least half visible for a second).
    Impression {
        /// The list's id, from the recommendations answer.
        recommendation_id: String,
        /// The tiles seen, 1–50.
        skus: Vec<String>,
    },
    /// A recommended tile was clicked.
    Click {
        /// The list's id, from the recommendations answer.
        recommendation_id: String,
        /// The tile clicked.
        sku: String,
    },
}

/// Where a purchase happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The web shop.
    Web,
    /// The shop's app.
    App,
    /// A till in a store.
    Store,
}

impl Channel {
    /// The value stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::App => "app",
            Self::Store => "store",
        }
    }
}

/// One line of a purchase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurchaseLine {
    /// The product.
    pub sku: String,
    /// How many, 1–10,000.
    pub quantity: i64,
    /// Price of one item in minor units, after discounts.
    pub unit_price_minor: i64,
}

/// One line of a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnLine {
    /// The product.
    pub sku: String,
    /// How many, 1–10,000.
    pub quantity: i64,
}

/// The body of `POST /v1/events`: a small batch from one browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BrowserEvents {
    /// The browser's anonymous visitor id (first-party storage): 16–64 of `A-Z a-z 0-9 _ -`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub visitor_id: String,
    /// The shop-signed customer token of a logged-in shopper, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_token: Option<String>,
    /// 1–50 events; `customer_id`, `card` and `visitor_id` inside them are refused.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub events: Vec<EventIn>,
}

/// The answer to an ingestion: what was stored, what was already there, what was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestResult {
    /// Events stored now.
    pub stored: u64,
    /// Events whose id was stored before (a retry): nothing changed.
    pub duplicates: u64,
    /// Browser events dropped because the shopper has not consented to tracking.
    pub dropped_without_consent: u64,
    /// Events stored now that are older than the learning window (365 days before the
    /// shop's newest sale or event): kept for profiles, loyalty and export, but recommendations
    /// do not learn from them.
    #[serde(default)]
    pub outside_learning_window: u64,
    /// Lines refused, with their line number (1-based; the index + 1 in a JSON batch).
    pub errors: Vec<LineError>,
}

/// Why one line of a batch or import was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineError {
    /// 1-based line number.
    pub line: u64,
    /// Stable code: `invalid_json`, `invalid_event`, `unknown_profile`, `erased`, ….
    pub code: String,
    /// What is wrong, for the developer.
    pub message: String,
}
