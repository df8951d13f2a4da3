//! Popular products: the cold-start list every shop has from day one, ranked by units sold in
//! the last 30 days, then all time, then SKU (so equal counts give a stable order).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vitrine_types::{Money, RecommendationReason, RecommendedProduct};

use crate::db::Db;

/// Length of the ranking kept per shop: the most a widget asks for, plus the product on screen.
pub const RANKING_LEN: u32 = crate::http::recommendations::MAX_LIMIT + 1;

/// Each shop's ranking, recomputed at most once per `ttl`: the ranking aggregates every sale,
/// far too much work for every page view, and a minute-old best-seller list is just as good.
/// When a ranking is due, one request recomputes it while the others keep getting the old one.
pub struct PopularityCache {
    ttl: Duration,
    rankings: Mutex<HashMap<String, CachedRanking>>,
}

struct CachedRanking {
    computed: Instant,
    refreshing: bool,
    ranking: Arc<Vec<RecommendedProduct>>,
}

impl PopularityCache {
    /// A cache whose rankings are recomputed after `ttl` (zero: on every call).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            rankings: Mutex::default(),
        }
    }

    /// The shop's top [`RANKING_LEN`] products, best first.
    pub async fn ranking(
        &self,
        db: &Db,
        shop_id: &str,
        now: i64,
    ) -> sqlx::Result<Arc<Vec<RecommendedProduct>>> {
        {
            let mut rankings = self.rankings.lock().expect("not poisoned");
            if let Some(cached) = rankings.get_mut(shop_id) {
                if cached.computed.elapsed() < self.ttl
                    || (cached.refreshing && !self.ttl.is_zero())
                {
                    return Ok(cached.ranking.clone());
                }
                cached.refreshing = true;
            }
        }
        let computed = popular_products(db, shop_id, None, RANKING_LEN, now).await;
        let mut rankings = self.rankings.lock().expect("not poisoned");
        match computed {
            Ok(ranking) => {
                let ranking = Arc::new(ranking);
                rankings.insert(
                    shop_id.to_string(),
                    CachedRanking {
                        computed: Instant::now(),
                        refreshing: false,
                        ranking: ranking.clone(),
                    },
                );
                Ok(ranking)
            }
            Err(err) => {
                // Let the next request try again.
                if let Some(cached) = rankings.get_mut(shop_id) {
                    cached.refreshing = false;
                }
                Err(err)
            }
        }
    }
}

/// Seconds in the window that counts as "recent".
const RECENT_WINDOW_SECS: i64 = 30 * 24 * 3600;

/// The `limit` most popular products of a shop, leaving out `exclude_sku`.
pub async fn popular_products(
    db: &Db,
    shop_id: &str,
    exclude_sku: Option<&str>,
    limit: u32,
    now: i64,
) -> sqlx::Result<Vec<RecommendedProduct>> {
    let rows: Vec<(String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT p.sku, p.title, p.url, p.image_url, p.price_minor, p.currency
         FROM products p
         LEFT JOIN purchase_lines l ON l.shop_id = p.shop_id AND l.sku = p.sku
         WHERE p.shop_id = $1 AND p.sku <> $2
         GROUP BY p.sku, p.title, p.url, p.image_url, p.price_minor, p.currency
         ORDER BY COALESCE(SUM(CASE WHEN l.purchased_at >= $3 THEN l.quantity END), 0) DESC,
                  COALESCE(SUM(l.quantity), 0) DESC,
                  p.sku
         LIMIT $4",
    )
    .bind(shop_id)
    .bind(exclude_sku.unwrap_or(""))
    .bind(now - RECENT_WINDOW_SECS)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(sku, title, url, image_url, amount_minor, currency)| RecommendedProduct {
                sku,
                title,
                url,
                image_url,
                price: Money {
                    amount_minor,
                    currency,
                },
                reason: RecommendationReason::Popular,
            },
        )
        .collect())
}
