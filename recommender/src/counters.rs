//! Popularity and trending counters: cheap to update per event, ranked for the fallback.

use std::collections::HashMap;
use std::sync::Arc;

use crate::dataset::{Kind, Weights};
use crate::model::ModelConfig;

/// Beyond this many half-lives past the epoch the counters are rescaled, far below f64's range.
const REBASE_AFTER_HALF_LIVES: f64 = 600.0;

/// Decayed event counts per item, plus SKUs first seen after the model was built.
///
/// Decay is stored against a fixed epoch (an event at `t` adds `w·2^((t − epoch)/half_life)`)
/// so an update touches one item only; the ranking is the same from any "now".
#[derive(Clone, Debug)]
pub(crate) struct Counters {
    epoch: i64,
    popular_half_life_s: Option<f64>,
    trending_half_life_s: f64,
    weights: Weights,
    depth: usize,
    model_items: usize,
    popular: Vec<f64>,
    trending: Vec<f64>,
    /// SKUs the model does not know, with indices `model_items..`.
    extra_skus: Vec<Arc<str>>,
    extra_index: HashMap<Arc<str>, u32>,
    pub(crate) popular_top: Vec<u32>,
    pub(crate) trending_top: Vec<u32>,
}

impl Counters {
    /// Zero counters for `items` model items, decaying from `epoch`.
    pub(crate) fn new(config: &ModelConfig, epoch: i64, items: usize) -> Self {
        Counters {
            epoch,
            popular_half_life_s: config
                .popularity_half_life_days
                .filter(|d| *d > 0.0)
                .map(|d| f64::from(d) * 86_400.0),
            trending_half_life_s: f64::from(config.trending_half_life_days.max(1e-3)) * 86_400.0,
            weights: config.weights.clone(),
            depth: config.fallback_depth,
            model_items: items,
            popular: vec![0.0; items],
            trending: vec![0.0; items],
            extra_skus: Vec::new(),
            extra_index: HashMap::new(),
            popular_top: Vec::new(),
            trending_top: Vec::new(),
        }
    }

    /// Counts one event of a known item (call [`Counters::rank`] after a batch).
    pub(crate) fn add(&mut self, item: u32, kind: Kind, at: i64) {
        let w = f64::from(self.weights.of(kind));
        if w <= 0.0 {
            return;
        }
        if (at - self.epoch) as f64 / self.trending_half_life_s > REBASE_AFTER_HALF_LIVES {
            self.rebase(at);
        }
        let since = (at - self.epoch) as f64;
        let i = item as usize;
        self.popular[i] += match self.popular_half_life_s {
            Some(h) => w * (since / h).exp2(),
            None => w,
        };
        self.trending[i] += w * (since / self.trending_half_life_s).exp2();
    }

    /// Counts one event by SKU, adding SKUs the model has never seen; returns the item index.
    pub(crate) fn add_sku(
        &mut self,
        model_index: &HashMap<Arc<str>, u32>,
        sku: &str,
        kind: Kind,
        at: i64,
    ) -> u32 {
        let item = match model_index.get(sku).or_else(|| self.extra_index.get(sku)) {
            Some(&i) => i,
            None => {
                let i = (self.model_items + self.extra_skus.len()) as u32;
                let name: Arc<str> = Arc::from(sku);
                self.extra_skus.push(Arc::clone(&name));
                self.extra_index.insert(name, i);
                self.popular.push(0.0);
                self.trending.push(0.0);
                i
            }
        };
        self.add(item, kind, at);
        item
    }

    /// Moves the epoch to `at`, scaling every counter so that rankings do not change.
    fn rebase(&mut self, at: i64) {
        let shift = (at - self.epoch) as f64;
        if let Some(h) = self.popular_half_life_s {
            let f = (-shift / h).exp2();
            self.popular.iter_mut().for_each(|v| *v *= f);
        }
        let f = (-shift / self.trending_half_life_s).exp2();
        self.trending.iter_mut().for_each(|v| *v *= f);
        self.epoch = at;
    }

    /// Recomputes the popular and trending lists (score, then SKU, for equal scores).
    pub(crate) fn rank(&mut self, model_skus: &[Arc<str>]) {
        self.popular_top = self.top(&self.popular, model_skus);
        self.trending_top = self.top(&self.trending, model_skus);
    }

    fn top(&self, scores: &[f64], model_skus: &[Arc<str>]) -> Vec<u32> {
        let mut items: Vec<u32> = (0..scores.len() as u32)
            .filter(|&i| scores[i as usize] > 0.0)
            .collect();
        let order = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then_with(|| self.sku(model_skus, *a).cmp(self.sku(model_skus, *b)))
        };
        if items.len() > self.depth && self.depth > 0 {
            items.select_nth_unstable_by(self.depth - 1, order);
            items.truncate(self.depth);
        }
        items.sort_unstable_by(order);
        items
    }

    /// The SKU of an item index, model items first, then SKUs seen since.
    pub(crate) fn sku<'a>(&'a self, model_skus: &'a [Arc<str>], i: u32) -> &'a str {
        let i = i as usize;
        if i < self.model_items {
            &model_skus[i]
        } else {
            &self.extra_skus[i - self.model_items]
        }
    }

    /// The index of a SKU the model does not know but the counters have seen.
    pub(crate) fn extra_index(&self, sku: &str) -> Option<u32> {
        self.extra_index.get(sku).copied()
    }

    /// The popularity score of item `i`.
    pub(crate) fn popular(&self, i: u32) -> f64 {
        self.popular[i as usize]
    }

    /// The trending score of item `i`.
    pub(crate) fn trending(&self, i: u32) -> f64 {
        self.trending[i as usize]
    }

    /// Approximate heap bytes.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.popular.len() * 16
            + (self.popular_top.len() + self.trending_top.len()) * 4
            + self.extra_skus.iter().map(|s| s.len() + 48).sum::<usize>()
    }
}
