//! `GET /v1/reports/attribution` (secret key): what the widgets were seen and clicked, and the
//! purchases, online or at a till, that followed a click.

use serde::{Deserialize, Serialize};

use crate::{Channel, Money};

/// The attribution report of one shop over a period (rules in `docs/attribution.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttributionReport {
    /// Start of the period, unix seconds, inclusive: impressions and clicks from then on.
    pub from: i64,
    /// End of the period, unix seconds, exclusive.
    pub to: i64,
    /// Days after a click within which a purchase of the clicked product is attributed to it.
    pub window_days: u32,
    /// One row per widget and context: `recommendations` on `home`, `cart` and `product`
    /// always (zeros when nothing happened), then `other` when clicks or impressions carried
    /// a recommendation id of no known context.
    pub rows: Vec<AttributionRow>,
}

/// The figures of one widget in one context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttributionRow {
    /// The widget.
    pub widget: Widget,
    /// Where it was shown, from the recommendation id's prefix.
    pub context: AttributionContext,
    /// Tiles seen: the SKUs of the impression events in the period, summed.
    pub tile_impressions: u64,
    /// Click events in the period.
    pub clicks: u64,
    /// `clicks / tile_impressions`; null without impressions.
    pub ctr: Option<f64>,
    /// Orders with at least one line attributed to a click of this row, every channel.
    pub attributed_orders: u64,
    /// Σ quantity × unit price of the attributed lines, per currency (sorted by code), every
    /// channel; empty when nothing was attributed.
    pub attributed_revenue: Vec<Money>,
    /// The attributed orders and revenue by the channel the order was placed in: `web`,
    /// `app`, `store`, always all three in this order. (Impressions and clicks come from the
    /// widget in a browser and have no channel.)
    pub channels: Vec<ChannelAttribution>,
}

/// Attributed orders and revenue of one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelAttribution {
    /// Where the orders were placed.
    pub channel: Channel,
    /// Orders with at least one attributed line.
    pub attributed_orders: u64,
    /// Σ quantity × unit price of the attributed lines, per currency (sorted by code).
    pub attributed_revenue: Vec<Money>,
}

/// A widget whose impressions and clicks are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    /// The recommendations widget.
    Recommendations,
}

impl Widget {
    /// The value sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recommendations => "recommendations",
        }
    }
}

/// Where a widget was shown, as the recommendation id's prefix says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttributionContext {
    /// The home page (`home.…`).
    Home,
    /// The cart page (`cart.…`).
    Cart,
    /// A product page (`product.…`).
    Product,
    /// A recommendation id with no known prefix (sent by an older bundle, or made up).
    Other,
}

impl AttributionContext {
    /// The value sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Cart => "cart",
            Self::Product => "product",
            Self::Other => "other",
        }
    }
}
