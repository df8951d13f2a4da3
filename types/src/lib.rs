//! The Vitrine wire format: every request and response body that crosses the network between
//! the widget bundle (wasm) and the profile API (server) is defined here, once.
//!
//! The types only derive serde; they carry no behaviour that needs a runtime, so the crate
//! compiles to wasm without pulling anything heavy into the bundle. The `openapi` feature
//! (enabled by the server only) adds their OpenAPI schemas (utoipa).

pub mod availability;
pub mod batch;
pub mod cart_recovery;
pub mod catalogue;
pub mod consent;
pub mod customers;
pub mod error;
pub mod events;
pub mod health;
pub mod identify;
pub mod loyalty;
pub mod money;
pub mod recommendations;
pub mod reports;
pub mod shop;

pub use availability::{
    AvailabilityOrigin, AvailabilityResponse, OriginSource, Pickup, StockLevel, StoreAvailability,
};
pub use batch::{BatchAnswer, BatchResponse};
pub use cart_recovery::{
    CartLine, CartPickup, CartRecoveryAction, CartRecoveryActionKind, CartRecoveryOffer,
    CartRecoveryResponse, CartRecoveryRules, CouponRule,
};
pub use catalogue::{ImportResult, OpeningHours, ProductRow, StockRow, StoreRow, Weekday};
pub use consent::{ConsentState, ConsentUpdate};
pub use customers::{
    CustomerExport, ErasureResult, ExportedCartOffer, ExportedCartRecoveryAction, ExportedCoupon,
    ExportedPurchaseLine, LinkedId,
};
pub use error::{ApiError, ApiErrorBody};
pub use events::{
    BrowserEvents, Channel, EventBody, EventIn, IngestResult, LineError, PurchaseLine, ReturnLine,
};
pub use health::Health;
pub use identify::{IdentifyRequest, IdentifyResult};
pub use loyalty::{
    AdjustmentRequest, Coupon, CouponRedemption, EarnRate, LedgerKind, LedgerLine, LoyaltyAccount,
    LoyaltyInvitation, LoyaltyProgram, LoyaltyResponse, NextTier, PointValue, PointsExpiry,
    RedemptionRequest, RedemptionRule, Rounding, Tier, TierRule,
};
pub use money::Money;
pub use recommendations::{
    ModelFamily, RecommendationContext, RecommendationModel, RecommendationReason,
    RecommendationsResponse, RecommendedProduct,
};
pub use reports::{
    AttributionContext, AttributionReport, AttributionRow, ChannelAttribution, Widget,
};
pub use shop::{OriginsChange, ShopOrigins};
