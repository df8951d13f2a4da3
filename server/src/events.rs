//! Events: checked where they enter, then stored once per client-made id.

use std::collections::HashSet;

use sqlx::AnyConnection;
use vitrine_types::{EventBody, EventIn};

use crate::identity::profiles::HeldData;

/// The events of a profile and the sale lines they recorded follow it in a merge and go with
/// it in an erasure.
pub const HELD: HeldData = HeldData {
    tables: &[EVENTS_TABLE, SALES_TABLE],
    merge: None,
};
/// Every stored event.
pub const EVENTS_TABLE: &str = "events";
/// Every sale line (from purchase events and orders), the recommender's and attribution's
/// input.
pub const SALES_TABLE: &str = "purchase_lines";

/// How far in the future an event's time may be (clock skew of tills and browsers).
const MAX_FUTURE_SECS: i64 = 300;
/// Oldest event time accepted: 2000-01-01.
const MIN_OCCURRED_AT: i64 = 946_684_800;

/// Who sent an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A browser, with the publishable key.
    Browser,
    /// A shop's server, till or ERP, with the secret key.
    Server,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Browser => "browser",
            Self::Server => "server",
        }
    }

    /// The id an event is stored under: a browser's ids live in their own namespace
    /// (`browser/…`; `/` is never part of a client id), so no browser can take an id a
    /// till or the shop's server will send, and the shop's ids are stored as sent.
    pub fn stored_id(self, id: &str) -> std::borrow::Cow<'_, str> {
        match self {
            Self::Browser => std::borrow::Cow::Owned(format!("{BROWSER_ID_PREFIX}{id}")),
            Self::Server => std::borrow::Cow::Borrowed(id),
        }
    }
}

/// What the ids of browser events are stored under (see [`Source::stored_id`]).
pub const BROWSER_ID_PREFIX: &str = "browser/";

/// An event that passed every check, ready to store.
#[derive(Debug, Clone)]
pub struct ValidEvent {
    event: EventIn,
    occurred_at: i64,
}

impl ValidEvent {
    /// Checks an event as received at `now`.
    pub fn parse(event: EventIn, now: i64) -> Result<Self, String> {
        check_token("id", &event.id, 64)?;
        let occurred_at = event.occurred_at.unwrap_or(now);
        if !(MIN_OCCURRED_AT..=now + MAX_FUTURE_SECS).contains(&occurred_at) {
            return Err(format!(
                "occurred_at {occurred_at} is not a unix time in seconds between 2000 and now"
            ));
        }
        match &event.body {
            EventBody::View { sku } | EventBody::Wishlist { sku } => check_sku(sku)?,
            EventBody::AddToCart { sku, quantity }
            | EventBody::RemoveFromCart { sku, quantity } => {
                check_sku(sku)?;
                check_quantity(*quantity)?;
            }
            EventBody::Purchase {
                order_id,
                channel,
                store_id,
                receipt_id,
                currency,
                lines,
            } => {
                check_token("order_id", order_id, 64)?;
                if let Some(receipt_id) = receipt_id {
                    check_token("receipt_id", receipt_id, 64)?;
                }
                check_store(*channel, store_id.as_deref(), "a purchase in a store")?;
                if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(format!(
                        "currency `{currency}` is not an ISO 4217 code such as EUR"
                    ));
                }
                if lines.is_empty() || lines.len() > 500 {
                    return Err("a purchase has 1 to 500 lines".into());
                }
                for line in lines {
                    check_sku(&line.sku)?;
                    check_quantity(line.quantity)?;
                    if !(0..=10_000_000_000).contains(&line.unit_price_minor) {
                        return Err("unit_price_minor must be between 0 and 10,000,000,000".into());
                    }
                }
            }
            EventBody::Return {
                order_id,
                channel,
                store_id,
                lines,
            } => {
                check_token("order_id", order_id, 64)?;
                check_store(*channel, store_id.as_deref(), "a return in a store")?;
                if lines.is_empty() || lines.len() > 500 {
                    return Err("a return has 1 to 500 lines".into());
                }
                for line in lines {
                    check_sku(&line.sku)?;
                    check_quantity(line.quantity)?;
                }
            }
            EventBody::Cancellation { order_id } => check_token("order_id", order_id, 64)?,
            EventBody::Impression {
                recommendation_id,
                skus,
            } => {
                check_token("recommendation_id", recommendation_id, 64)?;
                if skus.is_empty() || skus.len() > 50 {
                    return Err("an impression names 1 to 50 skus".into());
                }
                skus.iter().try_for_each(|sku| check_sku(sku))?;
            }
            EventBody::Click {
                recommendation_id,
                sku,
            } => {
                check_token("recommendation_id", recommendation_id, 64)?;
                check_sku(sku)?;
            }
        }
        Ok(Self { event, occurred_at })
    }

    /// Whether this event, from `source`, is a sale: a purchase the shop's servers report.
    /// A browser's word about a purchase is no sale (no revenue, attribution, popularity,
    /// "already bought" or points).
    pub fn is_sale(&self, source: Source) -> bool {
        source == Source::Server && matches!(self.event.body, EventBody::Purchase { .. })
    }

    /// Whether this event, from `source`, teaches the recommender anything: everything but
    /// a purchase that is no sale.
    pub fn counts_for_recommendations(&self, source: Source) -> bool {
        !matches!(self.event.body, EventBody::Purchase { .. }) || self.is_sale(source)
    }

    /// The event as received.
    pub fn event(&self) -> &EventIn {
        &self.event
    }

    /// When it happened, unix seconds (the time of receipt when the client did not say).
    pub fn occurred_at(&self) -> i64 {
        self.occurred_at
    }

    fn type_name(&self) -> &'static str {
        match self.event.body {
            EventBody::View { .. } => "view",
            EventBody::AddToCart { .. } => "add_to_cart",
            EventBody::RemoveFromCart { .. } => "remove_from_cart",
            EventBody::Purchase { .. } => "purchase",
            EventBody::Return { .. } => "return",
            EventBody::Cancellation { .. } => "cancellation",
            EventBody::Wishlist { .. } => "wishlist",
            EventBody::Impression { .. } => "impression",
            EventBody::Click { .. } => "click",
        }
    }
}

fn check_store(
    channel: vitrine_types::Channel,
    store_id: Option<&str>,
    what: &str,
) -> Result<(), String> {
    match (channel, store_id) {
        (vitrine_types::Channel::Store, None) => Err(format!("{what} needs its store_id")),
        (_, Some(store_id)) => check_token("store_id", store_id, 64),
        _ => Ok(()),
    }
}

/// The one rule for client-made ids (event ids, adjustment and redemption ids, order ids).
pub fn check_client_id(field: &str, value: &str) -> Result<(), String> {
    check_token(field, value, 64)
}

fn check_token(field: &str, value: &str, max: usize) -> Result<(), String> {
    let valid = !value.is_empty()
        && value.len() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{field} `{value}` must be 1 to {max} of A-Z a-z 0-9 _ - . :"
        ))
    }
}

/// The one rule for SKUs, wherever they enter (events, imports): 1–128 bytes, no control
/// characters.
pub fn check_sku(sku: &str) -> Result<(), String> {
    if !sku.is_empty() && sku.len() <= 128 && !sku.chars().any(char::is_control) {
        Ok(())
    } else {
        Err("sku must be 1 to 128 characters without control characters".into())
    }
}

fn check_quantity(quantity: i64) -> Result<(), String> {
    if (1..=10_000).contains(&quantity) {
        Ok(())
    } else {
        Err(format!("quantity {quantity} must be between 1 and 10,000"))
    }
}

/// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's 65,535 bound
/// parameters for the widest table (events, 14 columns).
const ROWS_PER_INSERT: usize = 500;

/// Stores each event for its profile, in multi-row statements, and the purchase lines of the
/// purchases among them; returns the positions in `events` of those that were new. What
/// follows from new events elsewhere (loyalty points) is `crate::import::ingest`'s to start. An id
/// stored before, or twice in `events`, is stored once and its repetitions change nothing.
pub async fn store_all(
    conn: &mut AnyConnection,
    shop_id: &str,
    source: Source,
    events: &[(&str, &ValidEvent)],
    now: i64,
) -> sqlx::Result<Vec<usize>> {
    let mut stored = Vec::new();
    for (number, chunk) in events.chunks(ROWS_PER_INSERT).enumerate() {
        let sql = format!(
            "INSERT INTO events (shop_id, event_id, profile_id, type, source, occurred_at,
                 received_at, sku, quantity, order_id, channel, store_id, recommendation_id,
                 payload)
             VALUES {}
             ON CONFLICT DO NOTHING
             RETURNING event_id",
            crate::storage::db::Params::of(conn).rows(chunk.len(), 14)
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql).persistent(
            crate::storage::db::worth_caching(chunk.len(), ROWS_PER_INSERT),
        );
        for (profile, event) in chunk {
            let row = EventRow::of(event);
            query = query
                .bind(shop_id)
                .bind(source.stored_id(&event.event.id).into_owned())
                .bind(*profile)
                .bind(event.type_name())
                .bind(source.as_str())
                .bind(event.occurred_at)
                .bind(now)
                .bind(row.sku)
                .bind(row.quantity)
                .bind(row.order_id)
                .bind(row.channel)
                .bind(row.store_id)
                .bind(row.recommendation_id)
                .bind(serde_json::to_string(&event.event).expect("wire types serialise"));
        }
        let new: HashSet<String> = query
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(id,)| id)
            .collect();
        // The purchase lines of the purchases just stored; a repetition of an id within the
        // chunk is skipped because `new` gives each id once.
        let mut sales = Vec::new();
        let mut seen = HashSet::new();
        for (offset, (profile, event)) in chunk.iter().enumerate() {
            let id = source.stored_id(&event.event.id);
            if !new.contains(id.as_ref()) || !seen.insert(event.event.id.as_str()) {
                continue;
            }
            stored.push(number * ROWS_PER_INSERT + offset);
            if !event.is_sale(source) {
                continue;
            }
            if let EventBody::Purchase {
                order_id,
                channel,
                store_id,
                currency,
                lines,
                ..
            } = &event.event.body
            {
                sales.push(Sale {
                    order_id,
                    channel: *channel,
                    store_id: store_id.as_deref(),
                    currency,
                    customer_id: event.event.customer_id.as_deref(),
                    profile: Some(profile),
                    purchased_at: event.occurred_at,
                    lines,
                });
            }
        }
        record_sales(conn, shop_id, &sales).await?;
    }
    Ok(stored)
}

/// The columns of an event that queries filter on, taken out of its body.
struct EventRow<'a> {
    sku: Option<&'a str>,
    quantity: Option<i64>,
    order_id: Option<&'a str>,
    channel: Option<&'static str>,
    store_id: Option<&'a str>,
    recommendation_id: Option<&'a str>,
}

impl<'a> EventRow<'a> {
    fn of(event: &'a ValidEvent) -> Self {
        let mut row = Self {
            sku: None,
            quantity: None,
            order_id: None,
            channel: None,
            store_id: None,
            recommendation_id: None,
        };
        match &event.event.body {
            EventBody::View { sku } | EventBody::Wishlist { sku } => row.sku = Some(sku),
            EventBody::Click {
                sku,
                recommendation_id,
            } => {
                row.sku = Some(sku);
                row.recommendation_id = Some(recommendation_id);
            }
            EventBody::AddToCart { sku, quantity }
            | EventBody::RemoveFromCart { sku, quantity } => {
                row.sku = Some(sku);
                row.quantity = Some(*quantity);
            }
            EventBody::Purchase {
                order_id,
                channel,
                store_id,
                ..
            }
            | EventBody::Return {
                order_id,
                channel,
                store_id,
                ..
            } => {
                row.order_id = Some(order_id);
                row.channel = Some(channel.as_str());
                row.store_id = store_id.as_deref();
            }
            EventBody::Cancellation { order_id } => row.order_id = Some(order_id),
            EventBody::Impression {
                recommendation_id,
                skus,
            } => {
                row.recommendation_id = Some(recommendation_id);
                // The tiles seen: the attribution report sums them without reading payloads.
                row.quantity = Some(skus.len() as i64);
            }
        }
        row
    }
}

/// One order or till receipt as the sales tables keep it.
#[derive(Debug, Clone)]
pub struct Sale<'a> {
    /// Order or receipt number.
    pub order_id: &'a str,
    /// Where it was bought.
    pub channel: vitrine_types::Channel,
    /// The store, for store purchases.
    pub store_id: Option<&'a str>,
    /// ISO 4217 code of the prices.
    pub currency: &'a str,
    /// The shop's customer id, when known.
    pub customer_id: Option<&'a str>,
    /// The profile, when known (an anonymous till receipt has none).
    pub profile: Option<&'a str>,
    /// When, unix seconds.
    pub purchased_at: i64,
    /// What was bought.
    pub lines: &'a [vitrine_types::PurchaseLine],
}

/// Writes the lines of `sales`; an order already recorded (under another event id, or through
/// another channel) adds nothing: each order counts once.
pub async fn record_sales(
    conn: &mut AnyConnection,
    shop_id: &str,
    sales: &[Sale<'_>],
) -> sqlx::Result<()> {
    let lines: Vec<(&Sale, usize, &vitrine_types::PurchaseLine)> = sales
        .iter()
        .flat_map(|sale| {
            sale.lines
                .iter()
                .enumerate()
                .map(move |(line_no, line)| (sale, line_no, line))
        })
        .collect();
    for chunk in lines.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO purchase_lines (shop_id, order_id, line_no, sku, quantity,
                 unit_price_minor, channel, store_id, customer_id, purchased_at, profile_id,
                 currency)
             VALUES {}
             ON CONFLICT DO NOTHING",
            crate::storage::db::Params::of(conn).rows(chunk.len(), 12)
        );
        let mut query = sqlx::query(&sql).persistent(crate::storage::db::worth_caching(
            chunk.len(),
            ROWS_PER_INSERT,
        ));
        for (sale, line_no, line) in chunk {
            query = query
                .bind(shop_id)
                .bind(sale.order_id)
                .bind(*line_no as i64)
                .bind(&line.sku)
                .bind(line.quantity)
                .bind(line.unit_price_minor)
                .bind(sale.channel.as_str())
                .bind(sale.store_id)
                .bind(sale.customer_id)
                .bind(sale.purchased_at)
                .bind(sale.profile)
                .bind(sale.currency);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
