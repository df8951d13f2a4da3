//! Top-N queries: scoring from the context and the history, the exclusion rules, the fallback.

use std::cmp::Ordering;

use crate::counters::Counters;
use crate::dataset::{Channel, Interaction, Kind};
use crate::model::Model;

/// The page a recommendation is shown on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Context<'a> {
    /// Home or any page without products: "for you".
    Home,
    /// A product page: "frequently bought together"; the product itself is never recommended.
    Product(&'a str),
    /// The cart: what goes with its items; the items themselves are never recommended.
    Cart(&'a [String]),
}

/// One top-N question: who (history), where (context), how many, and what may be shown.
#[derive(Clone, Copy)]
pub struct Query<'a> {
    /// Every interaction of the profile, any channel; purchases in it are never recommended.
    pub history: &'a [Interaction],
    /// The page.
    pub context: Context<'a>,
    /// How many recommendations at most.
    pub limit: usize,
    /// True when the SKU is in stock in some store or online; false ones are never returned.
    pub available: &'a dyn Fn(&str) -> bool,
    /// When set, only SKUs for which it is true (e.g. in stock at the shopper's store).
    pub store_filter: Option<&'a dyn Fn(&str) -> bool>,
    /// The time the history's recency decay counts from; `None`: its newest event.
    pub now: Option<i64>,
}

fn always(_: &str) -> bool {
    true
}

impl<'a> Query<'a> {
    /// A home-page query for ten items, everything available, no store filter.
    pub fn new(history: &'a [Interaction]) -> Self {
        Query {
            history,
            context: Context::Home,
            limit: 10,
            available: &always,
            store_filter: None,
            now: None,
        }
    }
}

/// Why an item is recommended, for the widget to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Often bought with this product of the page or cart.
    BoughtTogetherWith {
        /// The product on screen or in the cart.
        sku: String,
    },
    /// Goes with a purchase of the customer, online or in a store.
    BecauseYouBought {
        /// The product bought.
        sku: String,
        /// Where it was bought (the latest purchase of it).
        channel: Channel,
        /// The store, for a till purchase.
        store: Option<String>,
    },
    /// Goes with a product the customer viewed, put in the cart or on the wish list.
    BecauseYouViewed {
        /// The product.
        sku: String,
    },
    /// Among the shop's best sellers.
    Popular,
    /// Selling well right now.
    Trending,
}

/// One recommended product.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// The product.
    pub sku: String,
    /// Model score, or the counter relative to the top item for popular/trending; only
    /// comparable within one kind of reason.
    pub score: f32,
    /// Why it is recommended.
    pub reason: Reason,
}

/// What a seed of the scoring came from.
#[derive(Clone, Copy)]
enum Source {
    /// An item of the page or cart.
    Context(u32),
    /// An interaction of the history (its index).
    History(usize),
}

/// Answers `query` from the model's item weights and the given counters.
pub(crate) fn recommend(
    model: &Model,
    counters: &Counters,
    query: &Query<'_>,
) -> Vec<Recommendation> {
    let mut answer = Answer {
        model,
        counters,
        query,
        blocked: Vec::new(),
        chosen: Vec::new(),
        out: Vec::with_capacity(query.limit),
    };
    if query.limit == 0 {
        return answer.out;
    }
    let resolve = |sku: &str| {
        model
            .index
            .get(sku)
            .copied()
            .or_else(|| counters.extra_index(sku))
    };
    // Owned = bought in any channel; the context's products are on screen already.
    let context_skus: Vec<&str> = match query.context {
        Context::Home => Vec::new(),
        Context::Product(sku) => vec![sku],
        Context::Cart(skus) => skus.iter().map(String::as_str).collect(),
    };
    answer.blocked = query
        .history
        .iter()
        .filter(|i| i.kind == Kind::Purchase)
        .map(|i| i.sku.as_str())
        .chain(context_skus.iter().copied())
        .filter_map(resolve)
        .collect();
    answer.blocked.sort_unstable();
    answer.blocked.dedup();

    let mut context_seeds: Vec<(u32, f32, Source)> = context_skus
        .iter()
        .filter_map(|s| model.index.get(*s).map(|&i| (i, 1.0, Source::Context(i))))
        .collect();
    context_seeds.sort_by_key(|s| s.0);
    context_seeds.dedup_by_key(|s| s.0);
    answer.take_scored(&context_seeds);
    answer.take_scored(&history_seeds(model, query));
    answer.take_fallback();
    answer.out
}

/// The history as seeds: per item the strongest decayed weight, and the interaction to cite.
fn history_seeds(model: &Model, query: &Query<'_>) -> Vec<(u32, f32, Source)> {
    let now = query
        .now
        .or_else(|| query.history.iter().map(|i| i.at).max())
        .unwrap_or(0);
    let weights = &model.config.weights;
    let mut seeds: Vec<(u32, f32, usize)> = query
        .history
        .iter()
        .enumerate()
        .filter_map(|(h, i)| {
            let item = *model.index.get(i.sku.as_str())?;
            Some((item, weights.weigh(i.kind, i.at, now), h))
        })
        .collect();
    seeds.sort_by_key(|s| s.0);
    let mut merged: Vec<(u32, f32, Source)> = Vec::new();
    for group in seeds.chunk_by(|a, b| a.0 == b.0) {
        let weight = group.iter().map(|s| s.1).fold(0.0, f32::max);
        // Cite the latest purchase of the item if there is one, else its latest interaction.
        let cite = group
            .iter()
            .map(|s| s.2)
            .max_by_key(|&h| {
                let i = &query.history[h];
                (i.kind == Kind::Purchase, i.at, h)
            })
            .expect("a group is never empty");
        if weight > 0.0 {
            merged.push((group[0].0, weight, Source::History(cite)));
        }
    }
    merged
}

struct Answer<'q, 'a> {
    model: &'q Model,
    counters: &'q Counters,
    query: &'q Query<'a>,
    /// Sorted item indices that may never be returned (owned, on screen).
    blocked: Vec<u32>,
    /// Item indices already in `out`.
    chosen: Vec<u32>,
    out: Vec<Recommendation>,
}

impl Answer<'_, '_> {
    fn full(&self) -> bool {
        self.out.len() >= self.query.limit
    }

    fn sku(&self, i: u32) -> &str {
        self.counters.sku(&self.model.skus, i)
    }

    /// True when the item may be shown: not owned or on screen, not chosen, in stock.
    fn admissible(&self, i: u32) -> bool {
        if self.blocked.binary_search(&i).is_ok() || self.chosen.contains(&i) {
            return false;
        }
        let sku = self.sku(i);
        (self.query.available)(sku) && self.query.store_filter.is_none_or(|f| f(sku))
    }

    fn push(&mut self, i: u32, score: f32, reason: Reason) {
        self.chosen.push(i);
        self.out.push(Recommendation {
            sku: self.sku(i).to_owned(),
            score,
            reason,
        });
    }

    /// Scores every neighbour of the seeds and takes the best admissible ones.
    fn take_scored(&mut self, seeds: &[(u32, f32, Source)]) {
        if self.full() || seeds.is_empty() {
            return;
        }
        let n = self.model.item_count();
        let mut score = vec![0f32; n];
        // The seed contributing most to each item: what its reason cites.
        let mut best = vec![0f32; n];
        let mut source = vec![u32::MAX; n];
        let mut touched: Vec<u32> = Vec::new();
        for (s, &(item, weight, _)) in seeds.iter().enumerate() {
            let (targets, strengths) = self.model.neighbours(item);
            for (&j, &w) in targets.iter().zip(strengths) {
                let j_ = j as usize;
                let c = weight * w;
                if source[j_] == u32::MAX {
                    touched.push(j);
                    source[j_] = s as u32;
                    best[j_] = c;
                } else if c > best[j_] {
                    best[j_] = c;
                    source[j_] = s as u32;
                }
                score[j_] += c;
            }
        }
        let mut candidates: Vec<(u32, f32)> = touched
            .into_iter()
            .filter(|&j| score[j as usize] > 0.0 && self.blocked.binary_search(&j).is_err())
            .map(|j| (j, score[j as usize]))
            .collect();
        // Candidates the blend ranks by their popularity more than by item-item: cited as popular.
        let mut by_popularity: Vec<u32> = Vec::new();
        let beta = self.model.blend;
        if beta > 0.0 && !candidates.is_empty() {
            let counters = self.counters;
            let top_item_item = candidates.iter().map(|c| c.1).fold(0.0, f32::max);
            let top_popular = counters
                .popular_top
                .first()
                .map_or(1.0, |&i| counters.popular(i)) as f32;
            let popularity = |i: u32| beta * counters.popular(i) as f32 / top_popular;
            for c in &mut candidates {
                let item_item = (1.0 - beta) * c.1 / top_item_item;
                let popular = popularity(c.0);
                if popular > item_item {
                    by_popularity.push(c.0);
                }
                c.1 = item_item + popular;
            }
            for &i in &counters.popular_top {
                let scored =
                    (i as usize) < n && source[i as usize] != u32::MAX && score[i as usize] > 0.0;
                if !scored && self.blocked.binary_search(&i).is_err() {
                    candidates.push((i, popularity(i)));
                    by_popularity.push(i);
                }
            }
            by_popularity.sort_unstable();
        }
        let (model, counters) = (self.model, self.counters);
        let order = |a: &(u32, f32), b: &(u32, f32)| -> Ordering {
            b.1.total_cmp(&a.1).then_with(|| {
                counters
                    .sku(&model.skus, a.0)
                    .cmp(counters.sku(&model.skus, b.0))
            })
        };
        // Sort only a head large enough for stock filtering to leave `limit`; the rest if not.
        let head = (self.query.limit * 4 + 64).min(candidates.len());
        if head < candidates.len() {
            candidates.select_nth_unstable_by(head - 1, order);
        }
        candidates[..head].sort_unstable_by(order);
        let mut sorted_tail = false;
        let mut k = 0;
        while k < candidates.len() && !self.full() {
            if k == head && !sorted_tail {
                candidates[head..].sort_unstable_by(order);
                sorted_tail = true;
            }
            let (j, s) = candidates[k];
            k += 1;
            if !self.admissible(j) {
                continue;
            }
            if by_popularity.binary_search(&j).is_ok() {
                self.push(j, s, Reason::Popular);
                continue;
            }
            let reason = match seeds[source[j as usize] as usize].2 {
                Source::Context(c) => Reason::BoughtTogetherWith {
                    sku: self.model.sku(c).to_owned(),
                },
                Source::History(h) => {
                    let cited = &self.query.history[h];
                    if cited.kind == Kind::Purchase {
                        Reason::BecauseYouBought {
                            sku: cited.sku.clone(),
                            channel: cited.channel,
                            store: cited.store.clone(),
                        }
                    } else {
                        Reason::BecauseYouViewed {
                            sku: cited.sku.clone(),
                        }
                    }
                }
            };
            self.push(j, s, reason);
        }
    }

    /// Fills up with trending items (at most `trending_slots`), then popular ones.
    fn take_fallback(&mut self) {
        let counters = self.counters;
        let mut trending_left = self.model.config.trending_slots;
        let top_trending = counters
            .trending_top
            .first()
            .map_or(1.0, |&i| counters.trending(i));
        for &i in &counters.trending_top {
            if self.full() || trending_left == 0 {
                break;
            }
            if self.admissible(i) {
                self.push(
                    i,
                    (counters.trending(i) / top_trending) as f32,
                    Reason::Trending,
                );
                trending_left -= 1;
            }
        }
        let top_popular = counters
            .popular_top
            .first()
            .map_or(1.0, |&i| counters.popular(i));
        for &i in &counters.popular_top {
            if self.full() {
                break;
            }
            if self.admissible(i) {
                self.push(
                    i,
                    (counters.popular(i) / top_popular) as f32,
                    Reason::Popular,
                );
            }
        }
    }
}
