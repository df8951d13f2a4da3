//! The attribution report: tile impressions, clicks and click-through rate of the widgets per
//! context, and the purchases in any channel (web, app, a store's till) that followed a click
//! of the same profile on the same product. Merged profiles are one profile here because a
//! merge moves `events` and `purchase_lines` to the survivor (`identity::profiles::merge`, with `events::HELD`). Rules and
//! figures in docs/attribution.md.

use std::collections::BTreeMap;

use sqlx::AnyConnection;
use vitrine_types::{
    AttributionContext, AttributionReport, AttributionRow, Channel, ChannelAttribution, Money,
    Widget,
};

/// Longest attribution window, in days.
pub const MAX_WINDOW_DAYS: u32 = 90;
/// The window when none is given, in days.
pub const DEFAULT_WINDOW_DAYS: u32 = 7;
/// The period when no `from` is given: this many days before `to`.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;
/// Latest time a period may name: 9999-12-31T23:59:59Z.
const MAX_TIME: i64 = 253_402_300_799;
const DAY: i64 = 86_400;

/// Lines whose currency was never recorded (bought before currencies were kept, of a
/// product no longer in the catalogue) are summed under ISO 4217's "no currency".
const UNKNOWN_CURRENCY: &str = "XXX";

/// The context of an event's recommendation id (`home.…`, `cart.…`, `product.…`), in SQL
/// both backends read alike (`substr` compares case-sensitively, unlike SQLite's `LIKE`).
const CONTEXT_OF_RECOMMENDATION: &str = "CASE
    WHEN substr(recommendation_id, 1, 5) = 'home.' THEN 'home'
    WHEN substr(recommendation_id, 1, 5) = 'cart.' THEN 'cart'
    WHEN substr(recommendation_id, 1, 8) = 'product.' THEN 'product'
    ELSE 'other' END";

/// The channels of a row, in the order the report lists them.
const CHANNELS: [Channel; 3] = [Channel::Web, Channel::App, Channel::Store];

/// What a report covers: impressions and clicks in `[from, to)`, each click's purchases up to
/// `window_days` after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: i64,
    to: i64,
    window_days: u32,
}

impl Period {
    /// Checks a period as asked for at `now`: `to` defaults to `now`, `from` to 30 days
    /// before `to`, the window to 7 days (1 to 90).
    pub fn parse(
        from: Option<i64>,
        to: Option<i64>,
        window_days: Option<u32>,
        now: i64,
    ) -> Result<Self, String> {
        let window_days = window_days.unwrap_or(DEFAULT_WINDOW_DAYS);
        if !(1..=MAX_WINDOW_DAYS).contains(&window_days) {
            return Err(format!(
                "window_days must be between 1 and {MAX_WINDOW_DAYS}, not {window_days}"
            ));
        }
        let to = to.unwrap_or(now);
        let from = from.unwrap_or(to.saturating_sub(DEFAULT_PERIOD_DAYS * DAY));
        for (name, value) in [("from", from), ("to", to)] {
            if !(0..=MAX_TIME).contains(&value) {
                return Err(format!(
                    "{name} must be a unix time in seconds between 0 and {MAX_TIME}, not {value}"
                ));
            }
        }
        if from >= to {
            return Err(format!("from ({from}) must be before to ({to})"));
        }
        Ok(Self {
            from,
            to,
            window_days,
        })
    }

    fn window_secs(&self) -> i64 {
        i64::from(self.window_days) * DAY
    }
}

/// The figures of one context while they are added up.
#[derive(Debug, Default)]
struct Figures {
    tile_impressions: u64,
    clicks: u64,
    /// Per channel: attributed orders and revenue per currency.
    channels: BTreeMap<&'static str, (u64, BTreeMap<String, i64>)>,
}

/// The shop's attribution report over `period`.
pub async fn report(
    conn: &mut AnyConnection,
    shop_id: &str,
    period: &Period,
) -> sqlx::Result<AttributionReport> {
    let mut figures: BTreeMap<AttributionContext, Figures> = BTreeMap::new();
    let seen: Vec<(String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT type, {CONTEXT_OF_RECOMMENDATION} AS context, COUNT(*),
                CAST(COALESCE(SUM(quantity), 0) AS BIGINT)
         FROM events
         WHERE shop_id = $1 AND type IN ('impression', 'click')
           AND recommendation_id IS NOT NULL AND occurred_at >= $2 AND occurred_at < $3
         GROUP BY 1, 2"
    ))
    .bind(shop_id)
    .bind(period.from)
    .bind(period.to)
    .fetch_all(&mut *conn)
    .await?;
    for (kind, context, events, tiles) in seen {
        let row = figures.entry(context_of(&context)).or_default();
        match kind.as_str() {
            "impression" => row.tile_impressions += tiles as u64,
            _ => row.clicks += events as u64,
        }
    }
    // Each purchase line goes to the latest click of its profile on its SKU at most a window
    // before it (among every click, so a later click outside the period takes a line from an
    // earlier one inside it); the report keeps the lines whose click is in the period. Clicks
    // up to a window after the period can still be the latest for a line.
    // Amounts are summed as floating point and saturate into i64 below: no sum of lines,
    // however large or many, can overflow the report into an error.
    let attributed: Vec<(String, String, String, i64, f64)> = sqlx::query_as(&format!(
        "WITH clicks AS (
             SELECT event_id, profile_id, sku, occurred_at,
                    {CONTEXT_OF_RECOMMENDATION} AS context
             FROM events
             WHERE shop_id = $1 AND type = 'click' AND recommendation_id IS NOT NULL
               AND occurred_at >= $2 AND occurred_at < $3
         ),
         latest AS (
             SELECT c.occurred_at AS clicked_at, c.context, l.order_id, l.channel,
                    COALESCE(l.currency, '{UNKNOWN_CURRENCY}') AS currency,
                    CAST(l.quantity AS DOUBLE PRECISION) * l.unit_price_minor AS amount,
                    ROW_NUMBER() OVER (PARTITION BY l.order_id, l.line_no
                                       ORDER BY c.occurred_at DESC, c.event_id DESC) AS recency
             FROM clicks c
             JOIN purchase_lines l
               ON l.shop_id = $1 AND l.profile_id = c.profile_id AND l.sku = c.sku
              AND l.purchased_at >= c.occurred_at AND l.purchased_at <= c.occurred_at + $4
         )
         SELECT context, channel, currency, COUNT(DISTINCT order_id),
                CAST(SUM(amount) AS DOUBLE PRECISION)
         FROM latest
         WHERE recency = 1 AND clicked_at >= $2 AND clicked_at < $5
         GROUP BY 1, 2, 3"
    ))
    .bind(shop_id)
    .bind(period.from)
    .bind(period.to.saturating_add(period.window_secs()))
    .bind(period.window_secs())
    .bind(period.to)
    .fetch_all(&mut *conn)
    .await?;
    for (context, channel, currency, orders, amount) in attributed {
        let channel = channel_of(&channel)?;
        let (channel_orders, revenue) = figures
            .entry(context_of(&context))
            .or_default()
            .channels
            .entry(channel.as_str())
            .or_default();
        // An order has one channel and one currency: its lines fall into one group.
        *channel_orders += orders as u64;
        let entry: &mut i64 = revenue.entry(currency).or_default();
        // `as` saturates a float at i64's bounds (and maps NaN to 0).
        *entry = entry.saturating_add(amount.round() as i64);
    }
    for context in [
        AttributionContext::Home,
        AttributionContext::Cart,
        AttributionContext::Product,
    ] {
        figures.entry(context).or_default();
    }
    Ok(AttributionReport {
        from: period.from,
        to: period.to,
        window_days: period.window_days,
        rows: figures
            .into_iter()
            .map(|(context, figures)| row(context, figures))
            .collect(),
    })
}

fn row(context: AttributionContext, figures: Figures) -> AttributionRow {
    let channels: Vec<ChannelAttribution> = CHANNELS
        .iter()
        .map(|channel| {
            let (orders, revenue) = figures
                .channels
                .get(channel.as_str())
                .cloned()
                .unwrap_or_default();
            ChannelAttribution {
                channel: *channel,
                attributed_orders: orders,
                attributed_revenue: money(&revenue),
            }
        })
        .collect();
    let mut total = BTreeMap::new();
    for (_, revenue) in figures.channels.values() {
        for (currency, amount) in revenue {
            let entry: &mut i64 = total.entry(currency.clone()).or_default();
            *entry = entry.saturating_add(*amount);
        }
    }
    AttributionRow {
        widget: Widget::Recommendations,
        context,
        tile_impressions: figures.tile_impressions,
        clicks: figures.clicks,
        ctr: (figures.tile_impressions > 0)
            .then(|| figures.clicks as f64 / figures.tile_impressions as f64),
        attributed_orders: channels.iter().map(|c| c.attributed_orders).sum(),
        attributed_revenue: money(&total),
        channels,
    }
}

fn money(revenue: &BTreeMap<String, i64>) -> Vec<Money> {
    revenue
        .iter()
        .map(|(currency, amount)| Money {
            amount_minor: *amount,
            currency: currency.clone(),
        })
        .collect()
}

fn context_of(value: &str) -> AttributionContext {
    match value {
        "home" => AttributionContext::Home,
        "cart" => AttributionContext::Cart,
        "product" => AttributionContext::Product,
        _ => AttributionContext::Other,
    }
}

fn channel_of(value: &str) -> sqlx::Result<Channel> {
    CHANNELS
        .into_iter()
        .find(|channel| channel.as_str() == value)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown channel `{value}`").into()))
}

/// The report as a text table for the command line: a line per widget and context (`all`
/// channels, with impressions, clicks and CTR), then a line per channel.
pub fn render_table(shop_id: &str, report: &AttributionReport) -> String {
    let mut lines = vec![[
        "widget",
        "context",
        "channel",
        "impressions",
        "clicks",
        "ctr",
        "orders",
        "revenue",
    ]
    .map(String::from)];
    for row in &report.rows {
        lines.push([
            row.widget.as_str().to_string(),
            row.context.as_str().to_string(),
            "all".to_string(),
            row.tile_impressions.to_string(),
            row.clicks.to_string(),
            row.ctr
                .map_or_else(|| "-".to_string(), |ctr| format!("{:.2} %", ctr * 100.0)),
            row.attributed_orders.to_string(),
            revenue_text(&row.attributed_revenue),
        ]);
        for channel in &row.channels {
            lines.push([
                String::new(),
                String::new(),
                channel.channel.as_str().to_string(),
                String::new(),
                String::new(),
                String::new(),
                channel.attributed_orders.to_string(),
                revenue_text(&channel.attributed_revenue),
            ]);
        }
    }
    let mut widths = [0; 8];
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = format!(
        "Attribution report for shop {shop_id}: clicks and impressions from {} to {} (UTC), \
         purchases up to {} days after the click they follow (last click)\n",
        utc(report.from),
        utc(report.to),
        report.window_days
    );
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// `12.34 EUR; 5 JPY` (major units, as many decimals as the currency has), or `-`.
fn revenue_text(revenue: &[Money]) -> String {
    if revenue.is_empty() {
        return "-".into();
    }
    revenue
        .iter()
        .map(|money| {
            let digits = money.minor_unit_digits();
            let scale = 10i64.pow(digits);
            let sign = if money.amount_minor < 0 { "-" } else { "" };
            let (major, minor) = (
                money.amount_minor.unsigned_abs() / scale as u64,
                money.amount_minor.unsigned_abs() % scale as u64,
            );
            match digits {
                0 => format!("{sign}{major} {}", money.currency),
                _ => format!(
                    "{sign}{major}.{minor:0width$} {}",
                    money.currency,
                    width = digits as usize
                ),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn utc(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|time| time.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_defaults_to_thirty_days_before_now_with_a_seven_day_window() {
        let period = Period::parse(None, None, None, 1_000_000_000).unwrap();
        assert_eq!(
            period,
            Period {
                from: 1_000_000_000 - 30 * DAY,
                to: 1_000_000_000,
                window_days: 7
            }
        );
    }

    #[test]
    fn a_period_refuses_an_empty_range_and_windows_outside_one_to_ninety_days() {
        assert!(Period::parse(Some(10), Some(10), None, 0).is_err());
        assert!(Period::parse(Some(11), Some(10), None, 0).is_err());
        assert!(Period::parse(Some(-1), Some(10), None, 0).is_err());
        assert!(Period::parse(Some(0), Some(MAX_TIME + 1), None, 0).is_err());
        assert!(Period::parse(Some(0), Some(10), Some(0), 0).is_err());
        assert!(Period::parse(Some(0), Some(10), Some(91), 0).is_err());
        assert!(Period::parse(Some(0), Some(10), Some(90), 0).is_ok());
    }

    #[test]
    fn revenue_is_written_in_major_units_of_each_currency() {
        let revenue = [
            Money {
                amount_minor: 12_345,
                currency: "EUR".into(),
            },
            Money {
                amount_minor: 7,
                currency: "CHF".into(),
            },
            Money {
                amount_minor: 500,
                currency: "JPY".into(),
            },
        ];
        assert_eq!(revenue_text(&revenue), "123.45 EUR; 0.07 CHF; 500 JPY");
        assert_eq!(revenue_text(&[]), "-");
    }

    #[test]
    fn the_table_has_a_line_per_context_and_one_per_channel() {
        let report = AttributionReport {
            from: 0,
            to: DAY,
            window_days: 7,
            rows: vec![row(
                AttributionContext::Home,
                Figures {
                    tile_impressions: 8,
                    clicks: 2,
                    channels: BTreeMap::from([(
                        "store",
                        (1, BTreeMap::from([("EUR".to_string(), 4_990)])),
                    )]),
                },
            )],
        };
        let table = render_table("demo", &report);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].contains("1970-01-01 00:00:00 to 1970-01-02 00:00:00"));
        let cells = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            cells(lines[1]),
            "widget context channel impressions clicks ctr orders revenue"
        );
        assert_eq!(
            cells(lines[2]),
            "recommendations home all 8 2 25.00 % 1 49.90 EUR"
        );
        assert_eq!(cells(lines[3]), "web 0 -");
        assert_eq!(cells(lines[4]), "app 0 -");
        assert_eq!(cells(lines[5]), "store 1 49.90 EUR");
    }
}
