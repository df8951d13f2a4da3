//! Events: checked where they enter, then stored once per client-made id.

use sqlx::AnyConnection;
use vitrine_types::{EventBody, EventIn};

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
}

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
                match (channel, store_id) {
                    (vitrine_types::Channel::Store, None) => {
                        return Err("a purchase in a store needs its store_id".into())
                    }
                    (_, Some(store_id)) => check_token("store_id", store_id, 64)?,
                    _ => {}
                }
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

    /// The event as received.
    pub fn event(&self) -> &EventIn {
        &self.event
    }

    fn type_name(&self) -> &'static str {
        match self.event.body {
            EventBody::View { .. } => "view",
            EventBody::AddToCart { .. } => "add_to_cart",
            EventBody::RemoveFromCart { .. } => "remove_from_cart",
            EventBody::Purchase { .. } => "purchase",
            EventBody::Wishlist { .. } => "wishlist",
            EventBody::Impression { .. } => "impression",
            EventBody::Click { .. } => "click",
        }
    }
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

/// Stores `event` for `profile`; `false` when its id was stored before (nothing changes).
pub async fn store(
    conn: &mut AnyConnection,
    shop_id: &str,
    profile: &str,
    source: Source,
    event: &ValidEvent,
    now: i64,
) -> sqlx::Result<bool> {
    let body = &event.event.body;
    let (sku, quantity) = match body {
        EventBody::View { sku } | EventBody::Wishlist { sku } | EventBody::Click { sku, .. } => {
            (Some(sku.as_str()), None)
        }
        EventBody::AddToCart { sku, quantity } | EventBody::RemoveFromCart { sku, quantity } => {
            (Some(sku.as_str()), Some(*quantity))
        }
        EventBody::Purchase { .. } | EventBody::Impression { .. } => (None, None),
    };
    let (order_id, channel, store_id) = match body {
        EventBody::Purchase {
            order_id,
            channel,
            store_id,
            ..
        } => (
            Some(order_id.as_str()),
            Some(channel.as_str()),
            store_id.as_deref(),
        ),
        _ => (None, None, None),
    };
    let recommendation_id = match body {
        EventBody::Impression {
            recommendation_id, ..
        }
        | EventBody::Click {
            recommendation_id, ..
        } => Some(recommendation_id.as_str()),
        _ => None,
    };
    let payload = serde_json::to_string(&event.event).expect("wire types serialise");
    let inserted = sqlx::query(
        "INSERT INTO events (shop_id, event_id, profile_id, type, source, occurred_at, received_at,
                             sku, quantity, order_id, channel, store_id, recommendation_id, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT DO NOTHING",
    )
    .bind(shop_id)
    .bind(&event.event.id)
    .bind(profile)
    .bind(event.type_name())
    .bind(source.as_str())
    .bind(event.occurred_at)
    .bind(now)
    .bind(sku)
    .bind(quantity)
    .bind(order_id)
    .bind(channel)
    .bind(store_id)
    .bind(recommendation_id)
    .bind(payload)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    if let EventBody::Purchase {
        order_id,
        channel,
        store_id,
        lines,
        ..
    } = body
    {
        let sale = Sale {
            order_id,
            channel: *channel,
            store_id: store_id.as_deref(),
            customer_id: event.event.customer_id.as_deref(),
            profile: Some(profile),
            purchased_at: event.occurred_at,
            lines,
        };
        record_sale(conn, shop_id, &sale).await?;
    }
    Ok(true)
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
    /// The shop's customer id, when known.
    pub customer_id: Option<&'a str>,
    /// The profile, when known (an anonymous till receipt has none).
    pub profile: Option<&'a str>,
    /// When, unix seconds.
    pub purchased_at: i64,
    /// What was bought.
    pub lines: &'a [vitrine_types::PurchaseLine],
}

/// Writes a sale's lines; an order already recorded (under another event id, or through
/// another channel) adds nothing: each order counts once.
pub async fn record_sale(
    conn: &mut AnyConnection,
    shop_id: &str,
    sale: &Sale<'_>,
) -> sqlx::Result<()> {
    for (line_no, line) in sale.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO purchase_lines (shop_id, order_id, line_no, sku, quantity,
                 unit_price_minor, channel, store_id, customer_id, purchased_at, profile_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT DO NOTHING",
        )
        .bind(shop_id)
        .bind(sale.order_id)
        .bind(line_no as i64)
        .bind(&line.sku)
        .bind(line.quantity)
        .bind(line.unit_price_minor)
        .bind(sale.channel.as_str())
        .bind(sale.store_id)
        .bind(sale.customer_id)
        .bind(sale.purchased_at)
        .bind(sale.profile)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
