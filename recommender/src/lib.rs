//! Vitrine's recommender: "bought together" and personal top-N from shop, app and till events.
//!
//! - [`Dataset`] interns [`Interaction`]s (profile, SKU, kind, channel, store, time).
//! - [`Model::build`] learns item-to-item weights by the [`Method`] of a [`ModelConfig`] and
//!   counts popularity and trending. The default chooses the model family at every build on
//!   a validation slice of the shop's own data (see [`ModelChoice`]): popularity, recency
//!   popularity, EASE per λ, cosine, or a blend of item-item with popularity; item-item is
//!   served only when it beats popularity by [`MARGIN`], and learns on the most interacted
//!   items within a memory budget, the tail served by popularity.
//!   The same interactions give the same model, whatever their order.
//! - [`Recommender`] serves the current model: queries read an immutable [`Snapshot`] and
//!   never wait; [`Recommender::observe_all`] updates popularity and trending at once;
//!   [`Recommender::swap`] (or [`Recommender::rebuild`]) replaces the model after a rebuild
//!   that runs on any thread.
//! - A [`Query`] carries the profile's history as the caller read it, so a purchase excludes
//!   its item from the very next answer. The rules are enforced here, not in the widget:
//!   never an item the profile bought (any channel: web, app or a store's till), never the
//!   products of the context (page or cart), never one that `available` rejects (out of stock
//!   everywhere and online), and only those `store_filter` accepts when it is set. Each
//!   [`Recommendation`] carries a [`Reason`]. With no usable history or context the answer is
//!   trending then popular items, and any answer is filled up with them to `limit`. Equal
//!   scores are ordered by SKU.
//! - [`metrics`] holds recall@k, NDCG@k and coverage for offline evaluation
//!   (`examples/evaluate.rs`).
//!
//! ```
//! use vitrine_recommender::{
//!     Channel, Context, Dataset, Interaction, Kind, Model, ModelConfig, Query, Reason,
//!     Recommender,
//! };
//!
//! let mut data = Dataset::new();
//! for (basket, skus) in [("b1", ["tent", "mat"]), ("b2", ["tent", "mat"]), ("b3", ["tent", "stove"])] {
//!     for sku in skus {
//!         data.push(&Interaction::purchase(basket, sku, 1_700_000_000));
//!     }
//! }
//! let recommender = Recommender::new(Model::build(&data, &ModelConfig::default()));
//!
//! // A customer who bought a tent at a till in Köln, on the tent's product page: the tent
//! // is owned and on screen, the stove is out of stock everywhere.
//! let history = [Interaction {
//!     channel: Channel::Store,
//!     store: Some("koeln".into()),
//!     ..Interaction::purchase("anna", "tent", 1_700_000_100)
//! }];
//! let available = |sku: &str| sku != "stove";
//! let answer = recommender.recommend(&Query {
//!     context: Context::Product("tent"),
//!     limit: 3,
//!     available: &available,
//!     ..Query::new(&history)
//! });
//! assert_eq!(answer.len(), 1);
//! assert_eq!(answer[0].sku, "mat");
//! assert_eq!(answer[0].reason, Reason::BoughtTogetherWith { sku: "tent".into() });
//!
//! // New events count at once in popularity and trending, without a rebuild.
//! recommender.observe(&Interaction { kind: Kind::View, ..Interaction::purchase("bob", "lamp", 1_700_000_200) });
//! let cold = recommender.recommend(&Query { limit: 4, ..Query::new(&[]) });
//! assert!(cold.iter().any(|r| r.sku == "lamp"));
//! ```

mod counters;
mod dataset;
pub mod metrics;
mod model;
mod query;
mod recommender;
mod validation;

pub use dataset::{Channel, Dataset, Interaction, Kind, Rating, Weights};
pub use model::{Method, Model, ModelConfig};
pub use query::{Context, Query, Reason, Recommendation};
pub use recommender::{Recommender, Snapshot};
pub use validation::{Family, Holdout, ModelChoice, SliceScores, Validation, MARGIN};

impl Model {
    /// Answers a query from the model alone, with its build-time counters.
    pub fn recommend(&self, query: &Query<'_>) -> Vec<Recommendation> {
        query::recommend(self, &self.counters, query)
    }
}
