//! Recommendations for a shop's pages: one [`Recommender`] per shop (crate
//! `vitrine-recommender`), learnt from the shop's sales (web, app and till alike) and browsing
//! events, plus the catalogue it needs to answer (titles, prices, what is sold out, store
//! names).
//!
//! Freshness: what a query excludes (the caller's purchases, in any channel) is read from
//! the database on every query, so a purchase counts from the next answer on. New events
//! update popularity and trending at once ([`Recommendations::observe`]); the item-to-item
//! model and the catalogue are rebuilt from the database every `refresh` (in the background:
//! queries keep the previous snapshot meanwhile), after an import through this process, and
//! after an erasure. With `refresh` zero (tests) every query rebuilds first.

pub mod attribution;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use sqlx::AnyConnection;
use vitrine_recommender::{
    Channel, Dataset, Holdout, Interaction, Kind, Model, ModelConfig, Query, Reason,
    Recommendation, Recommender,
};
use vitrine_types::{
    ModelFamily, Money, RecommendationModel, RecommendationReason, RecommendedProduct,
};

use crate::storage::db::Db;

/// Sales and events older than this many days before the shop's newest one are not learnt
/// from.
pub const LEARN_WINDOW_DAYS: i64 = 365;
/// Browsing events of a caller that a query reads (her purchases are read in full).
const HISTORY_EVENTS: i64 = 200;

/// Every shop's recommender, loaded on first use.
pub struct Recommendations {
    refresh: Duration,
    config: ModelConfig,
    shops: Mutex<HashMap<String, Arc<ShopRecommender>>>,
}

/// One shop's model and catalogue.
pub struct ShopRecommender {
    recommender: Recommender,
    catalogue: RwLock<Arc<Catalogue>>,
    freshness: Mutex<Freshness>,
}

struct Freshness {
    built: Instant,
    rebuilding: bool,
    /// An import changed products, stock or stores: reload before the next answer.
    catalogue_stale: bool,
}

/// What answers need besides the model: the products that can be shown, and store names.
#[derive(Debug, Default)]
pub struct Catalogue {
    products: HashMap<String, Product>,
    /// SKUs with stock rows that are all zero: out of stock in every store.
    sold_out: HashSet<String>,
    store_names: HashMap<String, String>,
    /// Every SKU, sorted.
    in_order: Vec<String>,
}

#[derive(Debug)]
struct Product {
    title: String,
    url: String,
    image_url: String,
    price: Money,
}

impl Catalogue {
    /// SKUs of the range in SKU order, for filling a list the model left short.
    pub fn skus(&self) -> impl Iterator<Item = &str> {
        self.in_order.iter().map(String::as_str)
    }

    /// Whether `sku` can be recommended: in the catalogue and not sold out everywhere.
    /// A SKU without any stock rows counts as available (its stock is not tracked).
    pub fn available(&self, sku: &str) -> bool {
        self.products.contains_key(sku) && !self.sold_out.contains(sku)
    }

    /// Whether the shop has a store with this id.
    pub fn has_store(&self, store_id: &str) -> bool {
        self.store_names.contains_key(store_id)
    }
}

impl Recommendations {
    /// Rebuilt every `refresh` (zero: before every query).
    pub fn new(refresh: Duration) -> Self {
        Self {
            refresh,
            config: ModelConfig::default(),
            shops: Mutex::default(),
        }
    }

    /// The shop's recommender, built on first use, rebuilt when due.
    pub async fn shop(&self, db: &Db, shop_id: &str) -> anyhow::Result<Arc<ShopRecommender>> {
        let loaded = self.loaded(shop_id);
        let Some(shop) = loaded else {
            let shop = Arc::new(ShopRecommender {
                recommender: Recommender::new(self.build(db, shop_id).await?),
                catalogue: RwLock::new(Arc::new(load_catalogue(db, shop_id).await?)),
                freshness: Mutex::new(Freshness {
                    built: Instant::now(),
                    rebuilding: false,
                    catalogue_stale: false,
                }),
            });
            let mut shops = self.shops.lock().unwrap_or_else(PoisonError::into_inner);
            // Two first requests may both have built; keep the first one stored.
            return Ok(shops.entry(shop_id.to_string()).or_insert(shop).clone());
        };
        let (due, catalogue_stale) = {
            let mut freshness = shop
                .freshness
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let due = freshness.built.elapsed() >= self.refresh && !freshness.rebuilding;
            if due {
                freshness.rebuilding = true;
            }
            (due, std::mem::take(&mut freshness.catalogue_stale))
        };
        if self.refresh.is_zero() {
            self.rebuild(db, shop_id, &shop).await?;
        } else {
            if catalogue_stale {
                shop.set_catalogue(load_catalogue(db, shop_id).await?);
            }
            if due {
                let (db, shop_id, shop) = (db.clone(), shop_id.to_string(), shop.clone());
                let config = self.config.clone();
                tokio::spawn(async move {
                    if let Err(err) = rebuild_with(&config, &db, &shop_id, &shop).await {
                        tracing::warn!(shop = %shop_id, error = %err, "recommendations rebuild failed");
                        shop.freshness
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .rebuilding = false;
                    }
                });
            }
        }
        Ok(shop)
    }

    /// Rebuilds the shop's model and catalogue now, if it is loaded, and forgets the events
    /// counted since the last build: after an erasure, so nothing learnt from the erased
    /// customer stays.
    pub async fn rebuild_without_observed(&self, db: &Db, shop_id: &str) -> anyhow::Result<()> {
        let Some(shop) = self.loaded(shop_id) else {
            return Ok(());
        };
        let model = build_model(&self.config, db, shop_id).await?;
        let catalogue = load_catalogue(db, shop_id).await?;
        shop.recommender.reset(model);
        shop.set_catalogue(catalogue);
        shop.freshness
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .built = Instant::now();
        Ok(())
    }

    /// Products, stock or stores of the shop changed: the next answer reloads them.
    pub fn catalogue_changed(&self, shop_id: &str) {
        if let Some(shop) = self.loaded(shop_id) {
            shop.freshness
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .catalogue_stale = true;
        }
    }

    /// Counts new events in the shop's popularity and trending at once.
    pub fn observe(&self, shop_id: &str, interactions: &[Interaction]) {
        if interactions.is_empty() {
            return;
        }
        if let Some(shop) = self.loaded(shop_id) {
            shop.recommender.observe_all(interactions);
        }
    }

    fn loaded(&self, shop_id: &str) -> Option<Arc<ShopRecommender>> {
        self.shops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(shop_id)
            .cloned()
    }

    async fn build(&self, db: &Db, shop_id: &str) -> anyhow::Result<Model> {
        build_model(&self.config, db, shop_id).await
    }

    async fn rebuild(&self, db: &Db, shop_id: &str, shop: &ShopRecommender) -> anyhow::Result<()> {
        rebuild_with(&self.config, db, shop_id, shop).await
    }
}

impl ShopRecommender {
    /// The catalogue answers are checked and filled from.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        self.catalogue
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_catalogue(&self, catalogue: Catalogue) {
        *self
            .catalogue
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(catalogue);
    }

    /// Answers `query` from the current snapshot.
    pub fn recommend(&self, query: &Query<'_>) -> Vec<Recommendation> {
        self.recommender.recommend(query)
    }

    /// Which model serves now and how it was chosen, for the shop.
    pub fn model(&self) -> RecommendationModel {
        describe_model(self.recommender.snapshot().model())
    }
}

/// The served model as the shop sees it.
pub fn describe_model(model: &Model) -> RecommendationModel {
    let choice = model.choice();
    let family = match choice.map(|c| c.family.kind()) {
        Some("popularity") => ModelFamily::Popularity,
        Some("blend") => ModelFamily::Blend,
        Some(_) => ModelFamily::ItemItem,
        None if model.neighbour_count() == 0 => ModelFamily::Popularity,
        None => ModelFamily::ItemItem,
    };
    let holdout = match choice.map(|c| &c.holdout) {
        Some(Holdout::Temporal { .. }) => "temporal",
        Some(Holdout::LeaveOneOut) => "leave_one_out",
        Some(Holdout::LeaveOneVisitOut) => "leave_one_visit_out",
        Some(Holdout::TooLittleData) | None => "too_little_data",
    };
    RecommendationModel {
        family,
        detail: choice.map_or_else(|| format!("{:?}", model.method()), |c| c.family.to_string()),
        holdout: holdout.to_string(),
        validation_profiles: choice.map_or(0, |c| c.profiles as u64),
        popularity_ndcg: choice.and_then(|c| c.best_popularity()).map(|b| b.1),
        item_item_ndcg: choice.and_then(|c| c.best_item_item()).map(|b| b.1),
        items: model.item_count() as u64,
        items_learnt: choice.map_or(model.item_count(), |c| c.items_learnt) as u64,
        data_through: model.data_through(),
    }
}

/// Logs the family chosen for a shop's new model and sets its gauge: 1 for the family
/// served, 0 for the others.
fn report_model(shop_id: &str, model: &Model) {
    let described = describe_model(model);
    tracing::info!(
        shop = %shop_id,
        family = ?described.family,
        detail = %described.detail,
        holdout = %described.holdout,
        validation_profiles = described.validation_profiles,
        popularity_ndcg = ?described.popularity_ndcg,
        item_item_ndcg = ?described.item_item_ndcg,
        items = described.items,
        items_learnt = described.items_learnt,
        "recommendation model built"
    );
    // Models built at start, before the first request, must reach /metrics too.
    let _ = crate::telemetry::prometheus();
    for (family, name) in [
        (ModelFamily::Popularity, "popularity"),
        (ModelFamily::ItemItem, "item_item"),
        (ModelFamily::Blend, "blend"),
    ] {
        let value = if family == described.family { 1.0 } else { 0.0 };
        metrics::gauge!(
            "vitrine_recommendation_model_family",
            "shop" => shop_id.to_string(),
            "family" => name
        )
        .set(value);
    }
}

async fn rebuild_with(
    config: &ModelConfig,
    db: &Db,
    shop_id: &str,
    shop: &ShopRecommender,
) -> anyhow::Result<()> {
    let model = build_model(config, db, shop_id).await?;
    let catalogue = load_catalogue(db, shop_id).await?;
    shop.recommender.swap(model);
    shop.set_catalogue(catalogue);
    let mut freshness = shop
        .freshness
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    freshness.built = Instant::now();
    freshness.rebuilding = false;
    Ok(())
}

/// The start of the shop's learning window: [`LEARN_WINDOW_DAYS`] before its newest sale or
/// event, not before the wall clock's today, so a shop that imports its order history from two
/// years ago learns from that history's last year. Times after `now` (a skewed till clock)
/// count as `now`.
pub async fn learning_since(
    conn: &mut sqlx::AnyConnection,
    shop_id: &str,
    now: i64,
) -> sqlx::Result<i64> {
    let (sold,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(purchased_at) FROM purchase_lines WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_one(&mut *conn)
            .await?;
    let (seen,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(occurred_at) FROM events WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_one(&mut *conn)
            .await?;
    let newest = sold.max(seen).unwrap_or(now).min(now);
    Ok(newest - LEARN_WINDOW_DAYS * 24 * 3600)
}

/// Reads the shop's sales and browsing of the learning window and builds the model on a
/// blocking thread (EASE inverts an items × items matrix).
async fn build_model(config: &ModelConfig, db: &Db, shop_id: &str) -> anyhow::Result<Model> {
    let mut dataset = Dataset::new();
    let mut conn = db.acquire().await?;
    let since = learning_since(&mut conn, shop_id, crate::unix_now()).await?;
    {
        // An anonymous till receipt still says what goes together: its order is its basket.
        let mut sales = sqlx::query_as::<_, SaleRow>(
            "SELECT COALESCE(profile_id, 'order:' || order_id), sku, quantity, channel, store_id,
                    purchased_at
             FROM purchase_lines WHERE shop_id = $1 AND purchased_at >= $2",
        )
        .bind(shop_id)
        .bind(since)
        .fetch(&mut *conn);
        while let Some(row) = sales.try_next().await? {
            dataset.push(&sale_interaction(row));
        }
    }
    {
        let mut events = sqlx::query_as::<_, (String, String, String, i64)>(
            "SELECT profile_id, type, sku, occurred_at FROM events
             WHERE shop_id = $1 AND occurred_at >= $2 AND sku IS NOT NULL
               AND type IN ('view', 'add_to_cart', 'wishlist')",
        )
        .bind(shop_id)
        .bind(since)
        .fetch(&mut *conn);
        while let Some((profile, kind, sku, at)) = events.try_next().await? {
            if let Some(kind) = browsing_kind(&kind) {
                dataset.push(&Interaction {
                    profile,
                    sku,
                    kind,
                    channel: Channel::Web,
                    store: None,
                    at,
                    quantity: 1,
                });
            }
        }
    }
    drop(conn);
    let config = config.clone();
    let model = tokio::task::spawn_blocking(move || Model::build(&dataset, &config)).await?;
    report_model(shop_id, &model);
    Ok(model)
}

/// A purchase line as read: profile, SKU, quantity, channel, store, time.
type SaleRow = (String, String, i64, String, Option<String>, i64);

fn sale_interaction((profile, sku, quantity, channel, store, at): SaleRow) -> Interaction {
    Interaction {
        profile,
        sku,
        kind: Kind::Purchase,
        channel: channel_of(&channel),
        store,
        at,
        quantity: u32::try_from(quantity).unwrap_or(1),
    }
}

fn channel_of(stored: &str) -> Channel {
    match stored {
        "store" => Channel::Store,
        "app" => Channel::App,
        _ => Channel::Web,
    }
}

fn browsing_kind(stored: &str) -> Option<Kind> {
    match stored {
        "view" => Some(Kind::View),
        "add_to_cart" => Some(Kind::AddToCart),
        "wishlist" => Some(Kind::Wishlist),
        _ => None,
    }
}

async fn load_catalogue(db: &Db, shop_id: &str) -> sqlx::Result<Catalogue> {
    let products: Vec<(String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT sku, title, url, image_url, price_minor, currency FROM products WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_all(db)
    .await?;
    let sold_out: Vec<(String,)> = sqlx::query_as(
        "SELECT sku FROM stock WHERE shop_id = $1 GROUP BY sku HAVING MAX(quantity) <= 0",
    )
    .bind(shop_id)
    .fetch_all(db)
    .await?;
    let stores: Vec<(String, String)> =
        sqlx::query_as("SELECT store_id, name FROM stores WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_all(db)
            .await?;
    let mut in_order: Vec<String> = products.iter().map(|(sku, ..)| sku.clone()).collect();
    in_order.sort();
    Ok(Catalogue {
        in_order,
        products: products
            .into_iter()
            .map(|(sku, title, url, image_url, amount_minor, currency)| {
                let price = Money {
                    amount_minor,
                    currency,
                };
                (
                    sku,
                    Product {
                        title,
                        url,
                        image_url,
                        price,
                    },
                )
            })
            .collect(),
        sold_out: sold_out.into_iter().map(|(sku,)| sku).collect(),
        store_names: stores.into_iter().collect(),
    })
}

/// What the caller did, as a query needs it: all her purchases (web, app, till) and her
/// latest browsing, from every one of `profiles` (hers only: the caller proved them).
pub async fn history(
    conn: &mut AnyConnection,
    shop_id: &str,
    profiles: &[String],
) -> sqlx::Result<Vec<Interaction>> {
    let mut history = Vec::new();
    for profile in profiles {
        let sales: Vec<SaleRow> = sqlx::query_as(
            "SELECT profile_id, sku, quantity, channel, store_id, purchased_at
             FROM purchase_lines WHERE shop_id = $1 AND profile_id = $2",
        )
        .bind(shop_id)
        .bind(profile)
        .fetch_all(&mut *conn)
        .await?;
        history.extend(sales.into_iter().map(sale_interaction));
        let browsing: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT type, sku, occurred_at FROM events
             WHERE shop_id = $1 AND profile_id = $2 AND sku IS NOT NULL
               AND type IN ('view', 'add_to_cart', 'wishlist')
             ORDER BY occurred_at DESC LIMIT $3",
        )
        .bind(shop_id)
        .bind(profile)
        .bind(HISTORY_EVENTS)
        .fetch_all(&mut *conn)
        .await?;
        history.extend(browsing.into_iter().filter_map(|(kind, sku, at)| {
            Some(Interaction {
                profile: profile.clone(),
                sku,
                kind: browsing_kind(&kind)?,
                channel: Channel::Web,
                store: None,
                at,
                quantity: 1,
            })
        }));
    }
    Ok(history)
}

/// SKUs in stock at `store_id`.
pub async fn in_stock_at(
    conn: &mut AnyConnection,
    shop_id: &str,
    store_id: &str,
) -> sqlx::Result<HashSet<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT sku FROM stock WHERE shop_id = $1 AND store_id = $2 AND quantity > 0",
    )
    .bind(shop_id)
    .bind(store_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(sku,)| sku).collect())
}

/// The wire form of a recommendation, filled from the catalogue; `None` for a SKU the
/// catalogue does not have (the query's `available` keeps those out).
pub fn tile(catalogue: &Catalogue, recommendation: Recommendation) -> Option<RecommendedProduct> {
    let reason = match recommendation.reason {
        Reason::BoughtTogetherWith { sku } => RecommendationReason::BoughtTogetherWith { sku },
        Reason::BecauseYouBought {
            sku,
            channel,
            store,
        } => RecommendationReason::BecauseYouBought {
            sku,
            channel: match channel {
                Channel::Web => vitrine_types::Channel::Web,
                Channel::App => vitrine_types::Channel::App,
                Channel::Store => vitrine_types::Channel::Store,
            },
            store_name: store
                .as_ref()
                .and_then(|store| catalogue.store_names.get(store).cloned()),
            store_id: store,
        },
        Reason::BecauseYouViewed { sku } => RecommendationReason::BecauseYouViewed { sku },
        Reason::Popular => RecommendationReason::Popular,
        Reason::Trending => RecommendationReason::Trending,
    };
    product_tile(catalogue, recommendation.sku, reason)
}

/// The wire form of a catalogue product with `reason`.
pub fn product_tile(
    catalogue: &Catalogue,
    sku: String,
    reason: RecommendationReason,
) -> Option<RecommendedProduct> {
    let product = catalogue.products.get(&sku)?;
    Some(RecommendedProduct {
        sku,
        title: product.title.clone(),
        url: product.url.clone(),
        image_url: product.image_url.clone(),
        price: product.price.clone(),
        reason,
    })
}

/// The interactions new events add, for [`Recommendations::observe`].
pub fn interactions_of(profile: &str, event: &vitrine_types::EventIn, at: i64) -> Vec<Interaction> {
    use vitrine_types::EventBody;
    let one = |sku: &str, kind| Interaction {
        profile: profile.to_string(),
        sku: sku.to_string(),
        kind,
        channel: Channel::Web,
        store: None,
        at,
        quantity: 1,
    };
    match &event.body {
        EventBody::View { sku } => vec![one(sku, Kind::View)],
        EventBody::AddToCart { sku, .. } => vec![one(sku, Kind::AddToCart)],
        EventBody::Wishlist { sku } => vec![one(sku, Kind::Wishlist)],
        EventBody::Purchase {
            channel,
            store_id,
            lines,
            ..
        } => lines
            .iter()
            .map(|line| Interaction {
                channel: channel_of(channel.as_str()),
                store: store_id.clone(),
                quantity: u32::try_from(line.quantity).unwrap_or(1),
                ..one(&line.sku, Kind::Purchase)
            })
            .collect(),
        // A returned item was still bought: it says as much about taste as a kept one.
        EventBody::RemoveFromCart { .. }
        | EventBody::Return { .. }
        | EventBody::Cancellation { .. }
        | EventBody::Impression { .. }
        | EventBody::Click { .. } => Vec::new(),
    }
}
