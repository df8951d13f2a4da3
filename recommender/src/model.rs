//! The immutable model: item-to-item weights of the chosen method plus the fallback counters.

use std::collections::HashMap;
use std::sync::Arc;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::{factor, inverse};
use faer::{Mat, Par};

use crate::counters::Counters;
use crate::dataset::{Dataset, Rating, Weights};
use crate::validation::{self, Family, ModelChoice, Validation};

/// How item-to-item weights are learnt.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// No item-to-item weights: every answer comes from the popular/trending fallback.
    Popularity,
    /// Cosine similarity of items' profile vectors, keeping the `neighbours` most similar per item.
    Cosine {
        /// Neighbours kept per item.
        neighbours: usize,
    },
    /// EASE (Steck 2019): B = I − P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹, zero diagonal.
    ///
    /// Dense: O(n²) memory and O(n³) time in the number of items, so above the items that
    /// `ModelConfig::item_item_memory_mb` allows it learns on the most interacted ones only
    /// and the tail is served by popularity.
    Ease {
        /// The L2 regularisation λ added to the diagonal of the Gram matrix.
        lambda: f64,
        /// Largest positive weights kept per item for queries (the dense B is dropped).
        neighbours: usize,
    },
    /// The model family chosen at every build from the data itself: popularity (several
    /// half-lives), EASE for each λ of `lambdas`, cosine, and blends of item-item with
    /// popularity are scored (NDCG@10) on a validation slice held out of the dataset, and
    /// the winner is built on all of it; item-item must beat popularity by a margin. See
    /// [`Validation`] for the slice and [`ModelChoice`] for the outcome; [`Model::method`]
    /// then reports the concrete method.
    EaseAuto {
        /// The λ tried (positive; order does not matter; ties go to the smaller λ).
        lambdas: Vec<f64>,
        /// Largest positive weights kept per item for queries.
        neighbours: usize,
    },
}

impl Method {
    /// The default: λ depends on the shop (onlineretail's best is 200, groceries' 800 or
    /// more), so a doubling grid over both; five λ keep onlineretail's build under 10 s.
    pub fn ease_auto() -> Method {
        Method::EaseAuto {
            lambdas: vec![100.0, 200.0, 400.0, 800.0, 1600.0],
            neighbours: 200,
        }
    }
}

/// Everything [`Model::build`] needs besides the data.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelConfig {
    /// The item-to-item method.
    pub method: Method,
    /// Event weights and recency decay for the model and for a query's history.
    pub weights: Weights,
    /// Half-life of the popularity counters in days; `None`: all-time counts.
    pub popularity_half_life_days: Option<f32>,
    /// Half-life of the trending counters in days (short: what sells now).
    pub trending_half_life_days: f32,
    /// How many of the fallback places go to trending items before popular ones.
    pub trending_slots: usize,
    /// Length of the precomputed popular and trending lists the fallback walks.
    pub fallback_depth: usize,
    /// Memory budget of an item-item build in MB: it learns on as many of the most
    /// interacted items as fit, the rest by popularity. The automatic choice's peak is about
    /// (5 + 11.2·threads)·n² bytes (the packed Gram matrix plus, per thread building a λ,
    /// the factor, the inverse and their scratch; measured, see docs/recommender.md).
    pub item_item_memory_mb: usize,
    /// How [`Method::EaseAuto`] holds out its validation slice.
    pub validation: Validation,
}

impl Default for ModelConfig {
    /// The settings chosen by the evaluation in docs/recommender.md.
    fn default() -> Self {
        ModelConfig {
            method: Method::ease_auto(),
            weights: Weights::default(),
            popularity_half_life_days: Some(90.0),
            trending_half_life_days: 7.0,
            trending_slots: 1,
            fallback_depth: 1000,
            // About 3,800 items with two threads (every item of onlineretail): the automatic
            // choice on 100,000 items in well under a minute on this 2-core machine.
            item_item_memory_mb: 400,
            validation: Validation::default(),
        }
    }
}

/// An immutable snapshot: item-to-item neighbours plus popularity and trending counters.
#[derive(Clone, Debug)]
pub struct Model {
    pub(crate) skus: Vec<Arc<str>>,
    pub(crate) index: HashMap<Arc<str>, u32>,
    /// CSR rows: the neighbours of item i are `targets[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u32>,
    targets: Vec<u32>,
    strengths: Vec<f32>,
    pub(crate) counters: Counters,
    pub(crate) config: ModelConfig,
    method: Method,
    /// Weight β of popularity in item-item scores (0: item-item only).
    pub(crate) blend: f32,
    choice: Option<ModelChoice>,
    data_through: i64,
}

impl ModelConfig {
    /// Most items an item-item build learns on within `item_item_memory_mb`.
    pub fn item_item_max_items(&self) -> usize {
        let bytes = self.item_item_memory_mb as f64 * 1e6;
        let per_pair = 5.0 + 11.2 * self.validation.threads.max(1) as f64;
        ((bytes / per_pair).sqrt() as usize).max(2)
    }
}

impl Model {
    /// Builds the model of `config.method` from every interaction in `dataset`.
    ///
    /// With [`Method::EaseAuto`] this first chooses λ on a validation slice of `dataset`
    /// (one EASE build per λ of the grid on the rest of it), then builds on all of it.
    pub fn build(dataset: &Dataset, config: &ModelConfig) -> Model {
        let limit = config.item_item_max_items();
        let Method::EaseAuto {
            lambdas,
            neighbours,
        } = &config.method
        else {
            let method = config.method.clone();
            let mut model = Model::build_with(dataset, config, |n, ratings| match method {
                Method::Popularity | Method::EaseAuto { .. } => vec![Vec::new(); n],
                Method::Cosine { neighbours } => cosine_neighbours(n, ratings, neighbours),
                Method::Ease { lambda, neighbours } => {
                    let (top, sub) = TopItems::select(n, ratings, limit);
                    top.expand(Gram::new(top.len(), &sub).ease_neighbours(lambda, neighbours))
                }
            });
            model.method = config.method.clone();
            return model;
        };
        let choice = validation::choose(dataset, config, lambdas, *neighbours);
        let mut model = Model::build_family(dataset, config, choice.family);
        model.choice = Some(choice);
        model
    }

    /// The model of one candidate of the automatic choice, built on all of `dataset` as the
    /// choice serves it (with the family's own popularity half-life). For the offline
    /// evaluation of every candidate; [`Model::build`] calls it with the winner.
    pub fn build_family(dataset: &Dataset, config: &ModelConfig, family: Family) -> Model {
        let limit = config.item_item_max_items();
        let neighbours = match config.method {
            Method::Cosine { neighbours }
            | Method::Ease { neighbours, .. }
            | Method::EaseAuto { neighbours, .. } => neighbours,
            Method::Popularity => 200,
        };
        let served = family.config(config);
        let (method, blend) = match family {
            Family::Popularity { .. } => (Method::Popularity, 0.0),
            Family::Ease { lambda, beta, .. } => (Method::Ease { lambda, neighbours }, beta),
            Family::Cosine { beta, .. } => (Method::Cosine { neighbours }, beta),
        };
        let learn = method.clone();
        let mut model = Model::build_with(dataset, &served, |n, ratings| {
            let (top, sub) = TopItems::select(n, ratings, limit);
            match learn {
                Method::Popularity | Method::EaseAuto { .. } => vec![Vec::new(); n],
                Method::Cosine { neighbours } => {
                    top.expand(cosine_neighbours(top.len(), &sub, neighbours))
                }
                Method::Ease { lambda, neighbours } => {
                    top.expand(Gram::new(top.len(), &sub).ease_neighbours(lambda, neighbours))
                }
            }
        });
        model.method = method;
        model.blend = blend;
        model
    }

    /// The model of `dataset` with the item-to-item rows `rows_of(items, ratings)` returns;
    /// its method is left as `Popularity` for the caller to set.
    pub(crate) fn build_with(
        dataset: &Dataset,
        config: &ModelConfig,
        rows_of: impl FnOnce(usize, &[Rating]) -> Vec<Vec<(u32, f32)>>,
    ) -> Model {
        // Items in SKU order and profiles in name order, so that the same interactions give
        // the same model bit for bit whatever order the event store returned them in.
        let mut sku_order: Vec<u32> = (0..dataset.sku_count() as u32).collect();
        sku_order.sort_by(|&a, &b| dataset.sku(a).cmp(dataset.sku(b)));
        let mut item_of = vec![0u32; dataset.sku_count()];
        for (canonical, &original) in sku_order.iter().enumerate() {
            item_of[original as usize] = canonical as u32;
        }
        let mut profile_order: Vec<u32> = (0..dataset.profile_count() as u32).collect();
        profile_order.sort_by(|&a, &b| dataset.profile(a).cmp(dataset.profile(b)));
        let mut profile_of = vec![0u32; dataset.profile_count()];
        for (canonical, &original) in profile_order.iter().enumerate() {
            profile_of[original as usize] = canonical as u32;
        }

        let skus: Vec<Arc<str>> = sku_order
            .iter()
            .map(|&i| Arc::from(dataset.sku(i)))
            .collect();
        let index = skus
            .iter()
            .enumerate()
            .map(|(i, s)| (Arc::clone(s), i as u32))
            .collect();
        let n = skus.len();
        let data_through = dataset.latest_at();

        let mut ratings: Vec<Rating> = dataset
            .ratings(&config.weights, data_through)
            .into_iter()
            .map(|r| Rating {
                profile: profile_of[r.profile as usize],
                item: item_of[r.item as usize],
                weight: r.weight,
            })
            .collect();
        ratings.sort_by_key(|r| (r.profile, r.item));
        let rows = rows_of(n, &ratings);
        drop(ratings);

        let mut counters = Counters::new(config, data_through, n);
        let mut events: Vec<_> = dataset
            .events
            .iter()
            .map(|e| (item_of[e.item as usize], e.at, e.kind))
            .collect();
        // Summed in a fixed order: float sums in event-store order could differ in the last bit.
        events.sort_unstable();
        for (item, at, kind) in events {
            counters.add(item, kind, at);
        }
        counters.rank(&skus);

        let mut model = Model {
            skus,
            index,
            offsets: Vec::new(),
            targets: Vec::new(),
            strengths: Vec::new(),
            counters,
            config: config.clone(),
            method: Method::Popularity,
            blend: 0.0,
            choice: None,
            data_through,
        };
        model.set_neighbours(rows);
        model
    }

    /// Replaces the item-to-item weights (one row per item, in item order) by `rows`.
    pub(crate) fn set_neighbours(&mut self, rows: Vec<Vec<(u32, f32)>>) {
        debug_assert_eq!(rows.len(), self.skus.len());
        self.offsets.clear();
        self.targets.clear();
        self.strengths.clear();
        self.offsets.push(0);
        for row in rows {
            for (j, w) in row {
                self.targets.push(j);
                self.strengths.push(w);
            }
            let end = u32::try_from(self.targets.len()).expect("fewer than 2^32 neighbours");
            self.offsets.push(end);
        }
    }

    /// How the family was chosen, when the config asked for [`Method::EaseAuto`] (for the
    /// server's log and the shop's view of its model).
    pub fn choice(&self) -> Option<&ModelChoice> {
        self.choice.as_ref()
    }

    /// The method actually built: [`Method::EaseAuto`] becomes the chosen family's method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The configuration the model was built with.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Number of items the model knows.
    pub fn item_count(&self) -> usize {
        self.skus.len()
    }

    /// Number of stored item-to-item weights.
    pub fn neighbour_count(&self) -> usize {
        self.targets.len()
    }

    /// Time of the newest event the model was built from (unix s).
    pub fn data_through(&self) -> i64 {
        self.data_through
    }

    /// Approximate heap bytes held by the model.
    pub fn heap_bytes(&self) -> usize {
        let names: usize = self.skus.iter().map(|s| s.len() + 16).sum();
        names * 2 + self.offsets.len() * 4 + self.targets.len() * 8 + self.counters.heap_bytes()
    }

    /// The SKU of item `i`.
    pub(crate) fn sku(&self, i: u32) -> &str {
        &self.skus[i as usize]
    }

    /// The item's neighbours and their weights.
    pub(crate) fn neighbours(&self, item: u32) -> (&[u32], &[f32]) {
        let from = self.offsets[item as usize] as usize;
        let to = self.offsets[item as usize + 1] as usize;
        (&self.targets[from..to], &self.strengths[from..to])
    }

    /// The item-to-item weights of `sku`, strongest first (for inspection and tests).
    pub fn similar(&self, sku: &str) -> Vec<(&str, f32)> {
        let Some(&i) = self.index.get(sku) else {
            return Vec::new();
        };
        let (targets, strengths) = self.neighbours(i);
        let mut out: Vec<(&str, f32)> = targets
            .iter()
            .zip(strengths)
            .map(|(&j, &w)| (self.sku(j), w))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        out
    }
}

/// The items an item-item build learns on: all of them, or the `limit` with the most
/// ratings (ties: the lower index, i.e. SKU order) when there are more.
pub(crate) struct TopItems {
    /// Kept items in increasing index order; `None`: every item.
    kept: Option<Vec<u32>>,
    n: usize,
}

impl TopItems {
    /// Chooses the items and returns the ratings of those, renumbered from 0 (still sorted).
    pub(crate) fn select(n: usize, ratings: &[Rating], limit: usize) -> (TopItems, Vec<Rating>) {
        if n <= limit {
            return (TopItems { kept: None, n }, ratings.to_vec());
        }
        let mut count = vec![0u32; n];
        for r in ratings {
            count[r.item as usize] += 1;
        }
        let mut kept: Vec<u32> = (0..n as u32).collect();
        kept.sort_by(|&a, &b| count[b as usize].cmp(&count[a as usize]).then(a.cmp(&b)));
        kept.truncate(limit);
        kept.sort_unstable();
        let mut local = vec![u32::MAX; n];
        for (l, &g) in kept.iter().enumerate() {
            local[g as usize] = l as u32;
        }
        // A monotone renumbering: the ratings stay sorted by (profile, item).
        let sub = ratings
            .iter()
            .filter(|r| local[r.item as usize] != u32::MAX)
            .map(|r| Rating {
                item: local[r.item as usize],
                ..*r
            })
            .collect();
        (
            TopItems {
                kept: Some(kept),
                n,
            },
            sub,
        )
    }

    /// Number of items learnt on.
    pub(crate) fn len(&self) -> usize {
        self.kept.as_ref().map_or(self.n, Vec::len)
    }

    /// Rows of the kept items in all items' numbering; the tail's rows are empty.
    pub(crate) fn expand(&self, rows: Vec<Vec<(u32, f32)>>) -> Vec<Vec<(u32, f32)>> {
        let Some(kept) = &self.kept else {
            return rows;
        };
        let mut out = vec![Vec::new(); self.n];
        for (l, row) in rows.into_iter().enumerate() {
            out[kept[l] as usize] = row
                .into_iter()
                .map(|(j, w)| (kept[j as usize], w))
                .collect();
        }
        out
    }
}

/// The rows of the rating matrix: one slice of the sorted ratings per profile.
fn profile_rows(ratings: &[Rating]) -> Vec<&[Rating]> {
    ratings.chunk_by(|a, b| a.profile == b.profile).collect()
}

/// Cosine similarity over profile vectors, one item row at a time (memory O(n·k), not O(n²)).
pub(crate) fn cosine_neighbours(n: usize, ratings: &[Rating], k: usize) -> Vec<Vec<(u32, f32)>> {
    let rows = profile_rows(ratings);
    // Item → the profile rows that contain it.
    let mut holders: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut norm = vec![0f64; n];
    for (p, row) in rows.iter().enumerate() {
        for r in row.iter() {
            holders[r.item as usize].push(p as u32);
            norm[r.item as usize] += f64::from(r.weight) * f64::from(r.weight);
        }
    }
    let norm: Vec<f64> = norm.into_iter().map(f64::sqrt).collect();
    let mut dot = vec![0f64; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        for &p in &holders[i] {
            let row = rows[p as usize];
            let wi = row
                .iter()
                .find(|r| r.item as usize == i)
                .map_or(0.0, |r| f64::from(r.weight));
            for r in row.iter() {
                let j = r.item as usize;
                if j == i {
                    continue;
                }
                if dot[j] == 0.0 {
                    touched.push(j as u32);
                }
                dot[j] += wi * f64::from(r.weight);
            }
        }
        let mut row: Vec<(u32, f32)> = touched
            .iter()
            .map(|&j| (j, (dot[j as usize] / (norm[i] * norm[j as usize])) as f32))
            .filter(|&(_, s)| s > 0.0)
            .collect();
        for &j in &touched {
            dot[j as usize] = 0.0;
        }
        touched.clear();
        out.push(top_k(row.as_mut_slice(), k));
    }
    out
}

/// XᵀX of the ratings (lower triangle, packed by rows), kept so that several λ can be
/// inverted from one pass over the data: only the diagonal changes with λ.
pub(crate) struct Gram {
    n: usize,
    lower: Vec<f32>,
}

impl Gram {
    /// Sums the products of every profile's ratings, profile by profile (a fixed order).
    pub(crate) fn new(n: usize, ratings: &[Rating]) -> Gram {
        let mut lower = vec![0f32; n * (n + 1) / 2];
        for row in profile_rows(ratings) {
            for a in row {
                let (i, wa) = (a.item as usize, a.weight);
                let start = i * (i + 1) / 2;
                // Rows are sorted by item, so the items up to `a` are the lower triangle's.
                for b in row.iter().take_while(|b| b.item <= a.item) {
                    lower[start + b.item as usize] += wa * b.weight;
                }
            }
        }
        Gram { n, lower }
    }

    /// EASE's closed form for `lambda` through a dense Cholesky inverse, then the top `k`
    /// weights per item.
    ///
    /// In f32: on both evaluation data sets the metrics equal f64's to four decimals, while
    /// the build takes a third less time and half the memory (λ keeps the system well
    /// conditioned). Sequential, so the same data gives the same weights bit for bit.
    pub(crate) fn ease_neighbours(&self, lambda: f64, k: usize) -> Vec<Vec<(u32, f32)>> {
        let n = self.n;
        if n == 0 {
            return Vec::new();
        }
        let mut l = Mat::<f32>::zeros(n, n);
        for i in 0..n {
            let start = i * (i + 1) / 2;
            for j in 0..=i {
                l[(i, j)] = self.lower[start + j];
            }
            l[(i, i)] += lambda as f32;
        }
        let scratch = factor::cholesky_in_place_scratch::<f32>(n, Par::Seq, Default::default())
            .or(inverse::inverse_scratch::<f32>(n, Par::Seq));
        let mut memory = MemBuffer::new(scratch);
        let stack = MemStack::new(&mut memory);
        // XᵀX + λI with λ > 0 is symmetric positive definite, so Cholesky cannot fail.
        factor::cholesky_in_place(
            l.as_mut(),
            Default::default(),
            Par::Seq,
            stack,
            Default::default(),
        )
        .expect("XᵀX + λI is positive definite for λ > 0");
        let mut p = Mat::<f32>::zeros(n, n);
        // Writes P's lower triangle, P[i][j] for i ≥ j; P is symmetric.
        inverse::inverse(p.as_mut(), l.as_ref(), Par::Seq, stack);
        drop(l);
        drop(memory);
        let mut out = Vec::with_capacity(n);
        let mut row: Vec<(u32, f32)> = Vec::with_capacity(n);
        for i in 0..n {
            row.clear();
            // B[i][j] = −P[i][j] / P[j][j], read from the lower triangle.
            for j in 0..n {
                if j != i {
                    let pij = if j > i { p[(j, i)] } else { p[(i, j)] };
                    let b = -pij / p[(j, j)];
                    if b > 0.0 {
                        row.push((j as u32, b));
                    }
                }
            }
            out.push(top_k(&mut row, k));
        }
        out
    }
}

/// The `k` largest weights (ties: lower index first), returned in index order.
fn top_k(row: &mut [(u32, f32)], k: usize) -> Vec<(u32, f32)> {
    let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if row.len() > k && k > 0 {
        row.select_nth_unstable_by(k - 1, order);
    }
    let mut kept = row[..row.len().min(k)].to_vec();
    kept.sort_unstable_by_key(|&(j, _)| j);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Interaction;

    fn baskets(lists: &[&[&str]]) -> Dataset {
        let mut data = Dataset::new();
        for (b, items) in lists.iter().enumerate() {
            for sku in items.iter() {
                data.push(&Interaction::purchase(format!("b{b}"), *sku, 0));
            }
        }
        data
    }

    #[test]
    fn cosine_of_items_always_bought_together_is_one() {
        let data = baskets(&[&["A", "B"], &["A", "B"], &["C"]]);
        let config = ModelConfig {
            method: Method::Cosine { neighbours: 10 },
            ..ModelConfig::default()
        };
        let model = Model::build(&data, &config);
        let similar = model.similar("A");
        assert_eq!(similar.len(), 1);
        assert_eq!(similar[0].0, "B");
        assert!((similar[0].1 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn ease_matches_the_closed_form_on_two_items() {
        // X = [[1,1],[1,0]]: G = [[2,1],[1,1]], λ = 1 → G+λI = [[3,1],[1,2]],
        // P = 1/5·[[2,−1],[−1,3]], B[0][1] = −P01/P11 = 1/3, B[1][0] = −P10/P00 = 1/2.
        let data = baskets(&[&["A", "B"], &["A"]]);
        let config = ModelConfig {
            method: Method::Ease {
                lambda: 1.0,
                neighbours: 10,
            },
            ..ModelConfig::default()
        };
        let model = Model::build(&data, &config);
        assert!((model.similar("A")[0].1 - 1.0 / 3.0).abs() < 1e-6);
        assert!((model.similar("B")[0].1 - 0.5).abs() < 1e-6);
    }

    #[test]
    fn above_the_memory_budget_item_item_learns_on_the_most_interacted_items_only() {
        // A and B are bought most; C and D once each, together.
        let data = baskets(&[&["A", "B"], &["A", "B"], &["A", "B", "C", "D"]]);
        let config = ModelConfig {
            method: Method::Ease {
                lambda: 1.0,
                neighbours: 10,
            },
            // (5 + 11.2·2)·2² bytes: room for two items.
            item_item_memory_mb: 0,
            ..ModelConfig::default()
        };
        assert_eq!(config.item_item_max_items(), 2);
        let model = Model::build(&data, &config);
        assert_eq!(model.similar("A").first().map(|s| s.0), Some("B"));
        assert!(model.similar("C").is_empty());
        assert!(model.similar("D").is_empty());
        assert!(model.similar("A").iter().all(|s| s.0 == "B"));
    }
}
