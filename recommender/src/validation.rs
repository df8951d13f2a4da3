//! The automatic choice of the model family: a validation slice held out of the build's own data.
//!
//! What works depends on the shop: on onlineretail item-item (EASE) beats best sellers by
//! three times, on grocery data with sparse baskets it loses to them, and EASE's λ itself
//! depends on the data. A server with hundreds of shops cannot tune this by hand. So
//! [`crate::Method::EaseAuto`] holds out a slice of the shop's own interactions the way the
//! offline evaluation holds out its test set, scores every candidate on it through the query
//! path the server uses (NDCG@10): popularity with a few half-lives, EASE per λ (the Gram
//! matrix is summed once), cosine, and blends of each item-item model with popularity. With
//! useful time there are two slices, the latest weeks and a time-free leave-one-visit-out, and a
//! candidate's score is its mean share of each slice's best. The best item-item candidate is
//! served only when it beats the best popularity by [`MARGIN`]; otherwise the shop gets
//! popularity, whose answers say "popular".

use std::fmt;

use crate::dataset::{Channel, Dataset, Event, Interaction, Kind};
use crate::metrics::ndcg_at_k;
use crate::model::{cosine_neighbours, Gram, Model, ModelConfig, TopItems};
use crate::query::Query;

/// The cut-off of the validation metric, the size of the widget's answers.
const K: usize = 10;
/// How much better (relative NDCG@10 on the slice) item-item must be than popularity to be
/// served: a smaller edge is within the noise of a slice of a few hundred profiles.
pub const MARGIN: f64 = 0.02;
/// Popularity half-lives tried besides the config's own (days; recent sales weigh more).
const RECENCY_HALF_LIVES: [f32; 3] = [30.0, 14.0, 7.0];
/// Weights β of popularity in the blends of item-item with popularity (0: item-item alone).
const BLENDS: [f32; 4] = [0.0, 0.1, 0.25, 0.5];

/// How [`crate::Method::EaseAuto`] holds out its validation slice.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// Share of the events, the latest, at or after the temporal cut-off.
    pub recent_share: f64,
    /// Temporal slices scored, each `recent_share` of the events earlier than the one after
    /// it (1: the latest only; more did not help on any evaluation set).
    pub origins: usize,
    /// Also score a leave-one-visit-out slice when time is useful: the long run beside the
    /// latest weeks.
    pub time_free: bool,
    /// Share of the profiles with ≥ 2 purchased items that hide one, when time is no use.
    pub leave_one_out_share: f64,
    /// Seed of the per-profile draws (leave-one-out and the sample of profiles).
    pub seed: u64,
    /// Fewest validation profiles a slice needs; with fewer EASE at the grid's middle λ is built, unmeasured.
    pub min_profiles: usize,
    /// Most validation profiles scored per candidate (a seeded sample beyond): bounds the build time.
    pub max_profiles: usize,
    /// Threads the candidates are built and scored on (EASE λ side by side, queries split);
    /// the choice is the same whatever the number.
    pub threads: usize,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            recent_share: 0.1,
            origins: 1,
            time_free: true,
            leave_one_out_share: 0.2,
            seed: 42,
            min_profiles: 50,
            max_profiles: 2_000,
            threads: 2,
        }
    }
}

/// How the validation slice was held out.
#[derive(Clone, Debug, PartialEq)]
pub enum Holdout {
    /// Each profile's purchases from `cutoff` (unix s) on, of items known before the cut-off
    /// and not bought before it; the history is everything before it.
    Temporal {
        /// Start of the held-out period.
        cutoff: i64,
    },
    /// One purchased item of a seeded share of the profiles, for data without useful time
    /// (baskets all at one instant) or too few returning profiles.
    LeaveOneOut,
    /// Every purchase of one visit (one instant) of a seeded share of the profiles with at
    /// least two: the time-free slice beside a temporal one. Its history holds the profile's
    /// other visits, before and after, but nothing of the same basket, as a later visit.
    LeaveOneVisitOut,
    /// Too few profiles for either slice: EASE at the grid's middle λ, not measured.
    TooLittleData,
}

/// A family of models, with the settings the automatic choice scored it with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Family {
    /// Best sellers, counted with this half-life in days (`None`: all time); no trending slot.
    Popularity {
        /// Half-life of the popularity counters.
        half_life_days: Option<f32>,
    },
    /// EASE item-item at `lambda`, its scores blended with popularity by weight `beta`.
    Ease {
        /// EASE's λ.
        lambda: f64,
        /// Weight of popularity in the blend (0: item-item alone).
        beta: f32,
        /// Half-life of the popularity in the blend and the fill.
        half_life_days: Option<f32>,
    },
    /// Cosine item-item, its scores blended with popularity by weight `beta`.
    Cosine {
        /// Weight of popularity in the blend (0: item-item alone).
        beta: f32,
        /// Half-life of the popularity in the blend and the fill.
        half_life_days: Option<f32>,
    },
}

impl Family {
    /// The family's kind in one word, for logs and metrics: `popularity`, `item_item` or `blend`.
    pub fn kind(&self) -> &'static str {
        match self {
            Family::Popularity { .. } => "popularity",
            Family::Ease { beta, .. } | Family::Cosine { beta, .. } if *beta > 0.0 => "blend",
            _ => "item_item",
        }
    }

    /// Half-life of the family's popularity counters (for item-item: its blend's and fill's).
    pub fn popularity_half_life_days(&self) -> Option<f32> {
        match *self {
            Family::Popularity { half_life_days }
            | Family::Ease { half_life_days, .. }
            | Family::Cosine { half_life_days, .. } => half_life_days,
        }
    }

    /// The config the family is built with: its half-life; no trending slot for popularity.
    pub(crate) fn config(&self, base: &ModelConfig) -> ModelConfig {
        let trending_slots = match self {
            Family::Popularity { .. } => 0,
            _ => base.trending_slots,
        };
        ModelConfig {
            popularity_half_life_days: self.popularity_half_life_days(),
            trending_slots,
            ..base.clone()
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Family::Popularity {
                half_life_days: Some(days),
            } => write!(f, "popularity h={days}d"),
            Family::Popularity {
                half_life_days: None,
            } => write!(f, "popularity all-time"),
            Family::Ease { lambda, beta, .. } => write!(f, "EASE λ={lambda}")
                .and_then(|()| blend(f, *beta, self.popularity_half_life_days())),
            Family::Cosine { beta, .. } => {
                write!(f, "cosine").and_then(|()| blend(f, *beta, self.popularity_half_life_days()))
            }
        }
    }
}

/// " + popularity β=… (h=…d)" of an item-item family; only the half-life without a blend.
fn blend(f: &mut fmt::Formatter<'_>, beta: f32, half_life_days: Option<f32>) -> fmt::Result {
    if beta > 0.0 {
        write!(f, " + popularity β={beta}")?;
    }
    match half_life_days {
        Some(days) => write!(f, " (h={days}d)"),
        None => write!(f, " (all-time)"),
    }
}

/// The outcome of the automatic choice, for the server's log and the shop's view.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelChoice {
    /// The family served.
    pub family: Family,
    /// How the validation slice was made.
    pub holdout: Holdout,
    /// Validation profiles scored.
    pub profiles: usize,
    /// Items item-item learnt on (the most interacted, within the memory budget).
    pub items_learnt: usize,
    /// Half-life of the served popularity counters in days: the family's own (for item-item
    /// the one its fill and blend were scored with).
    pub popularity_half_life_days: Option<f32>,
    /// Every candidate and its score over the slices (its mean share of each slice's best
    /// NDCG@10, in the latest slice's units), in the order tried: what the choice compares.
    pub scores: Vec<(Family, f64)>,
    /// Each validation slice, the latest first, with every candidate's NDCG@10 on it (in
    /// the order of `scores`).
    pub slices: Vec<SliceScores>,
}

/// One validation slice and every candidate's NDCG@10 on it.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceScores {
    /// How the slice was held out.
    pub holdout: Holdout,
    /// Validation profiles scored on it.
    pub profiles: usize,
    /// NDCG@10 per candidate, in the order of [`ModelChoice::scores`].
    pub scores: Vec<f64>,
}

impl ModelChoice {
    /// The best popularity candidate and its score (`None` without a slice).
    pub fn best_popularity(&self) -> Option<(Family, f64)> {
        best(
            self.scores
                .iter()
                .filter(|s| s.1.is_finite() && matches!(s.0, Family::Popularity { .. })),
        )
    }

    /// The best item-item or blend candidate and its score (`None` without a slice).
    pub fn best_item_item(&self) -> Option<(Family, f64)> {
        best(
            self.scores
                .iter()
                .filter(|s| !matches!(s.0, Family::Popularity { .. })),
        )
    }
}

/// The first of the highest scores (strictly better only replaces it).
fn best<'a>(scores: impl Iterator<Item = &'a (Family, f64)>) -> Option<(Family, f64)> {
    let mut out: Option<(Family, f64)> = None;
    for &(family, score) in scores {
        if out.is_none_or(|b| score > b.1) {
            out = Some((family, score));
        }
    }
    out
}

/// Training data without the held-out slice, and the queries that score it.
struct Slice {
    holdout: Holdout,
    train: Dataset,
    queries: Vec<ValidationQuery>,
}

/// One validation profile: its history in the slice's training data and what it held out.
struct ValidationQuery {
    history: Vec<Interaction>,
    held_out: Vec<String>,
}

/// Scores every candidate on a slice held out of `dataset` and returns the family to serve.
///
/// # Panics
/// When `lambdas` has no positive, finite λ.
pub(crate) fn choose(
    dataset: &Dataset,
    config: &ModelConfig,
    lambdas: &[f64],
    neighbours: usize,
) -> ModelChoice {
    let mut grid: Vec<f64> = lambdas
        .iter()
        .copied()
        .filter(|l| l.is_finite() && *l > 0.0)
        .collect();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    assert!(!grid.is_empty(), "Method::EaseAuto needs a positive λ");
    let limit = config.item_item_max_items();
    let v = &config.validation;
    // With useful time the latest temporal slice (up to `origins − 1` earlier ones after it)
    // and a time-free leave-one-visit-out slice, so that one season of the latest weeks
    // cannot decide alone; without, the leave-one-out slice only.
    let slices: Vec<Slice> = match temporal(dataset, v, 0) {
        Some(latest) => {
            let mut slices: Vec<Slice> = std::iter::once(latest)
                .chain((1..v.origins.max(1)).map_while(|k| temporal(dataset, v, k)))
                .collect();
            if v.time_free {
                slices.extend(leave_one_visit_out(dataset, v));
            }
            slices
        }
        None => leave_one_out(dataset, v).into_iter().collect(),
    };
    if slices.is_empty() {
        return ModelChoice {
            family: Family::Ease {
                lambda: grid[grid.len() / 2],
                beta: 0.0,
                half_life_days: config.popularity_half_life_days,
            },
            holdout: Holdout::TooLittleData,
            profiles: 0,
            items_learnt: dataset.sku_count().min(limit),
            popularity_half_life_days: config.popularity_half_life_days,
            scores: Vec::new(),
            slices: Vec::new(),
        };
    }
    // Per candidate, its NDCG@10 on each slice.
    let mut table: Vec<(Family, Vec<f64>)> = Vec::new();

    // Popularity: the config's half-life first, then shorter ones.
    let mut half_lives = vec![config.popularity_half_life_days];
    half_lives.extend(RECENCY_HALF_LIVES.iter().map(|&d| Some(d)));
    half_lives.dedup();
    for half_life_days in half_lives {
        let family = Family::Popularity { half_life_days };
        let per_slice = slices
            .iter()
            .map(|slice| {
                let model = Model::build_with(&slice.train, &family.config(config), |n, _| {
                    vec![Vec::new(); n]
                });
                score(&model, slice, v.threads)
            })
            .collect();
        table.push((family, per_slice));
    }
    let half_life = match best(aggregated(&table).iter()) {
        Some((Family::Popularity { half_life_days }, _)) => half_life_days,
        _ => config.popularity_half_life_days,
    };

    // Item-item on each slice, with the best popularity's counters for the fill and blends,
    // and with the config's (the long run) when that is another.
    let mut item_half_lives = vec![half_life];
    if config.popularity_half_life_days != half_life {
        item_half_lives.push(config.popularity_half_life_days);
    }
    let with_half_life = |half_life_days| ModelConfig {
        popularity_half_life_days: half_life_days,
        ..config.clone()
    };
    let first_item_item = table.len();
    let mut items_learnt = 0;
    for (s, slice) in slices.iter().enumerate() {
        let mut learnt = None;
        let mut models = vec![Model::build_with(
            &slice.train,
            &with_half_life(item_half_lives[0]),
            |n, ratings| {
                let (top, sub) = TopItems::select(n, ratings, limit);
                let cosine = top.expand(cosine_neighbours(top.len(), &sub, neighbours));
                learnt = Some((Gram::new(top.len(), &sub), top, cosine));
                vec![Vec::new(); n]
            },
        )];
        for &half_life_days in &item_half_lives[1..] {
            models.push(Model::build_with(
                &slice.train,
                &with_half_life(half_life_days),
                |n, _| vec![Vec::new(); n],
            ));
        }
        let (gram, top, cosine) = learnt.expect("build_with calls rows_of once");
        if s == 0 {
            items_learnt = top.len();
        }
        let mut next = first_item_item;
        let mut try_blends =
            |models: &mut [Model],
             rows: Vec<Vec<(u32, f32)>>,
             family: &dyn Fn(f32, Option<f32>) -> Family| {
                for (model, &half_life_days) in models.iter_mut().zip(&item_half_lives) {
                    model.set_neighbours(rows.clone());
                    for beta in BLENDS {
                        model.blend = beta;
                        let ndcg = score(model, slice, v.threads);
                        if s == 0 {
                            table.push((family(beta, half_life_days), vec![ndcg]));
                        } else {
                            table[next].1.push(ndcg);
                        }
                        next += 1;
                    }
                }
            };
        // `threads` λ at a time (each inverse is sequential, so the weights do not depend on it).
        for lambdas in grid.chunks(v.threads.max(1)) {
            let rows: Vec<_> = std::thread::scope(|scope| {
                let builds: Vec<_> = lambdas
                    .iter()
                    .map(|&lambda| {
                        let gram = &gram;
                        scope.spawn(move || gram.ease_neighbours(lambda, neighbours))
                    })
                    .collect();
                builds
                    .into_iter()
                    .map(|b| b.join().expect("an EASE thread panicked"))
                    .collect()
            });
            for (&lambda, rows) in lambdas.iter().zip(rows) {
                try_blends(&mut models, top.expand(rows), &|beta, half_life_days| {
                    Family::Ease {
                        lambda,
                        beta,
                        half_life_days,
                    }
                });
            }
        }
        drop(gram);
        try_blends(&mut models, cosine, &|beta, half_life_days| {
            Family::Cosine {
                beta,
                half_life_days,
            }
        });
    }

    let mut choice = ModelChoice {
        family: Family::Popularity {
            half_life_days: half_life,
        },
        holdout: slices[0].holdout.clone(),
        profiles: slices[0].queries.len(),
        items_learnt,
        popularity_half_life_days: half_life,
        scores: aggregated(&table),
        slices: slices
            .iter()
            .enumerate()
            .map(|(s, slice)| SliceScores {
                holdout: slice.holdout.clone(),
                profiles: slice.queries.len(),
                scores: table.iter().map(|c| c.1[s]).collect(),
            })
            .collect(),
    };
    if let (Some((popularity, p)), Some((item_item, i))) =
        (choice.best_popularity(), choice.best_item_item())
    {
        choice.family = if i > p * (1.0 + MARGIN) {
            item_item
        } else {
            popularity
        };
        choice.popularity_half_life_days = choice.family.popularity_half_life_days();
    }
    choice
}

/// Each candidate's score over the slices: the mean over the slices of its NDCG@10 relative
/// to the best candidate's on that slice, times the latest slice's best (so that with one
/// slice it is the NDCG@10 itself): every slice weighs the same whatever its scale.
fn aggregated(table: &[(Family, Vec<f64>)]) -> Vec<(Family, f64)> {
    let slices = table.first().map_or(0, |c| c.1.len());
    let best: Vec<f64> = (0..slices)
        .map(|s| table.iter().map(|c| c.1[s]).fold(0.0, f64::max))
        .collect();
    let scale = best.first().copied().unwrap_or(0.0);
    table
        .iter()
        .map(|(family, per_slice)| {
            let relative: f64 = per_slice
                .iter()
                .zip(&best)
                .map(|(score, best)| if *best > 0.0 { score / best } else { 0.0 })
                .sum();
            (*family, scale * relative / slices.max(1) as f64)
        })
        .collect()
}

/// Mean NDCG@10 of the slice's queries answered by `model`, summed in profile-name order.
fn score(model: &Model, slice: &Slice, threads: usize) -> f64 {
    let now = slice.train.latest_at();
    let ndcg = |q: &ValidationQuery| {
        let answer = model.recommend(&Query {
            limit: K,
            now: Some(now),
            ..Query::new(&q.history)
        });
        let ranked: Vec<&str> = answer.iter().map(|r| r.sku.as_str()).collect();
        let relevant: Vec<&str> = q.held_out.iter().map(String::as_str).collect();
        ndcg_at_k(&ranked, &relevant, K)
    };
    // Each thread answers a run of the queries; the sum is then taken in profile order, so
    // the score is the same bit for bit whatever the number of threads.
    let run = slice.queries.len().div_ceil(threads.max(1)).max(1);
    let per_query: Vec<f64> = std::thread::scope(|scope| {
        let runs: Vec<_> = slice
            .queries
            .chunks(run)
            .map(|queries| scope.spawn(move || queries.iter().map(ndcg).collect::<Vec<f64>>()))
            .collect();
        runs.into_iter()
            .flat_map(|r| r.join().expect("a scoring thread panicked"))
            .collect()
    });
    per_query.iter().sum::<f64>() / slice.queries.len().max(1) as f64
}

/// The `origin`-th temporal slice (0: the latest): holds out each profile's purchases from a
/// cut-off that leaves `(origin + 1) · recent_share` of the events after it, up to the cut-off
/// of the slice after it (the end of the data for the latest); `None` when all events are at
/// one instant or too few profiles qualify.
fn temporal(dataset: &Dataset, v: &Validation, origin: usize) -> Option<Slice> {
    let mut times: Vec<i64> = dataset.events.iter().map(|e| e.at).collect();
    times.sort_unstable();
    let first = *times.first()?;
    let cut = |k: usize| {
        let share = (1.0 - v.recent_share * (k + 1) as f64).max(0.0);
        let at = ((times.len() as f64) * share).floor() as usize;
        times[at.min(times.len() - 1)]
    };
    let cutoff = cut(origin);
    let end = if origin == 0 {
        i64::MAX
    } else {
        cut(origin - 1)
    };
    if cutoff <= first || cutoff >= end {
        return None;
    }
    let profiles = dataset.profile_count();
    let mut known = vec![false; dataset.sku_count()];
    let mut has_history = vec![false; profiles];
    let mut bought_before: Vec<Vec<u32>> = vec![Vec::new(); profiles];
    let mut bought_after: Vec<Vec<u32>> = vec![Vec::new(); profiles];
    for e in &dataset.events {
        let p = e.profile as usize;
        if e.at < cutoff {
            known[e.item as usize] = true;
            has_history[p] = true;
            if e.kind == Kind::Purchase {
                bought_before[p].push(e.item);
            }
        } else if e.kind == Kind::Purchase && e.at < end {
            bought_after[p].push(e.item);
        }
    }
    let mut held_out: Vec<Vec<u32>> = vec![Vec::new(); profiles];
    for p in 0..profiles {
        if !has_history[p] {
            continue;
        }
        let before = &mut bought_before[p];
        before.sort_unstable();
        let mut after = std::mem::take(&mut bought_after[p]);
        after.sort_unstable();
        after.dedup();
        // A purchase repeated is never recommended (owned), and an item new to the shop
        // cannot be learnt: neither can be a hit, so neither is held out.
        after.retain(|&i| known[i as usize] && before.binary_search(&i).is_err());
        held_out[p] = after;
    }
    let candidates: Vec<u32> = (0..profiles as u32)
        .filter(|&p| !held_out[p as usize].is_empty())
        .collect();
    let chosen = sample(dataset, candidates, v)?;
    let train = dataset.filtered(|e| e.at < cutoff);
    let queries = queries(
        dataset,
        &chosen,
        |e| e.at < cutoff,
        |p| held_out[p as usize].clone(),
    );
    Some(Slice {
        holdout: Holdout::Temporal { cutoff },
        train,
        queries,
    })
}

/// Hides one purchased item (a seeded draw among its distinct ones, in SKU order) of a
/// seeded `leave_one_out_share` of the profiles with at least two; `None` with too few.
fn leave_one_out(dataset: &Dataset, v: &Validation) -> Option<Slice> {
    let profiles = dataset.profile_count();
    let mut bought: Vec<Vec<u32>> = vec![Vec::new(); profiles];
    for e in dataset.events.iter().filter(|e| e.kind == Kind::Purchase) {
        bought[e.profile as usize].push(e.item);
    }
    // Per profile the hidden item, u32::MAX for none.
    let mut hidden = vec![u32::MAX; profiles];
    for (p, items) in bought.iter_mut().enumerate() {
        items.sort_unstable_by(|&a, &b| dataset.sku(a).cmp(dataset.sku(b)));
        items.dedup();
        let name = dataset.profile(p as u32);
        if items.len() >= 2 && unit(draw(v.seed, name, 0)) < v.leave_one_out_share {
            hidden[p] = items[(draw(v.seed, name, 1) % items.len() as u64) as usize];
        }
    }
    let keep = |e: &Event| hidden[e.profile as usize] != e.item;
    let train = dataset.filtered(keep);
    // An item only the hidden profile bought cannot be learnt by any λ: not a validation case.
    let candidates: Vec<u32> = (0..profiles as u32)
        .filter(|&p| {
            let h = hidden[p as usize];
            h != u32::MAX && train.sku_index(dataset.sku(h)).is_some()
        })
        .collect();
    let chosen = sample(dataset, candidates, v)?;
    let queries = queries(dataset, &chosen, keep, |p| vec![hidden[p as usize]]);
    Some(Slice {
        holdout: Holdout::LeaveOneOut,
        train,
        queries,
    })
}

/// Hides every purchase of one visit (a seeded draw among the profile's distinct purchase
/// instants) of a seeded `leave_one_out_share` of the profiles with at least two visits;
/// `None` with too few. Unlike [`leave_one_out`] the rest of the basket is hidden too: a
/// visit to come has no basket-mates in the history, only other visits.
fn leave_one_visit_out(dataset: &Dataset, v: &Validation) -> Option<Slice> {
    let profiles = dataset.profile_count();
    let mut visits: Vec<Vec<i64>> = vec![Vec::new(); profiles];
    for e in dataset.events.iter().filter(|e| e.kind == Kind::Purchase) {
        visits[e.profile as usize].push(e.at);
    }
    // Per profile the hidden visit's instant, i64::MIN for none.
    let mut hidden = vec![i64::MIN; profiles];
    for (p, instants) in visits.iter_mut().enumerate() {
        instants.sort_unstable();
        instants.dedup();
        let name = dataset.profile(p as u32);
        if instants.len() >= 2 && unit(draw(v.seed, name, 3)) < v.leave_one_out_share {
            hidden[p] = instants[(draw(v.seed, name, 4) % instants.len() as u64) as usize];
        }
    }
    let keep = |e: &Event| hidden[e.profile as usize] != e.at;
    let train = dataset.filtered(keep);
    let mut held_out: Vec<Vec<u32>> = vec![Vec::new(); profiles];
    let mut bought_elsewhen: Vec<Vec<u32>> = vec![Vec::new(); profiles];
    for e in dataset.events.iter().filter(|e| e.kind == Kind::Purchase) {
        let p = e.profile as usize;
        if hidden[p] == e.at {
            held_out[p].push(e.item);
        } else {
            bought_elsewhen[p].push(e.item);
        }
    }
    for (held, other) in held_out.iter_mut().zip(&mut bought_elsewhen) {
        if held.is_empty() {
            continue;
        }
        other.sort_unstable();
        held.sort_unstable();
        held.dedup();
        // Owned items are never recommended, and an item nobody else bought cannot be learnt.
        held.retain(|&i| {
            other.binary_search(&i).is_err() && train.sku_index(dataset.sku(i)).is_some()
        });
    }
    let candidates: Vec<u32> = (0..profiles as u32)
        .filter(|&p| !held_out[p as usize].is_empty())
        .collect();
    let chosen = sample(dataset, candidates, v)?;
    let queries = queries(dataset, &chosen, keep, |p| held_out[p as usize].clone());
    Some(Slice {
        holdout: Holdout::LeaveOneVisitOut,
        train,
        queries,
    })
}

/// At most `max_profiles` of the candidates (those with the smallest seeded draws), in
/// profile-name order; `None` when there are fewer than `min_profiles`.
fn sample(dataset: &Dataset, mut candidates: Vec<u32>, v: &Validation) -> Option<Vec<u32>> {
    if candidates.len() < v.min_profiles.max(1) {
        return None;
    }
    if candidates.len() > v.max_profiles {
        let key = |p: u32| (draw(v.seed, dataset.profile(p), 2), dataset.profile(p));
        candidates.sort_by_cached_key(|&p| key(p));
        candidates.truncate(v.max_profiles);
    }
    // Name order: the mean is summed in the same order whatever order the events came in.
    candidates.sort_by(|&a, &b| dataset.profile(a).cmp(dataset.profile(b)));
    Some(candidates)
}

/// The validation queries of `chosen`: each profile's events that `in_history` keeps, and
/// the SKUs of the items `held_out` returns for it.
fn queries(
    dataset: &Dataset,
    chosen: &[u32],
    in_history: impl Fn(&Event) -> bool,
    held_out: impl Fn(u32) -> Vec<u32>,
) -> Vec<ValidationQuery> {
    let mut slot = vec![usize::MAX; dataset.profile_count()];
    for (q, &p) in chosen.iter().enumerate() {
        slot[p as usize] = q;
    }
    let mut histories: Vec<Vec<Interaction>> = vec![Vec::new(); chosen.len()];
    for e in dataset.events.iter().filter(|e| in_history(e)) {
        let q = slot[e.profile as usize];
        if q != usize::MAX {
            histories[q].push(Interaction {
                profile: dataset.profile(e.profile).to_owned(),
                sku: dataset.sku(e.item).to_owned(),
                kind: e.kind,
                // Channel and store change the reason cited, never the score.
                channel: Channel::Web,
                store: None,
                at: e.at,
                quantity: 1,
            });
        }
    }
    chosen
        .iter()
        .zip(histories)
        .map(|(&p, history)| ValidationQuery {
            history,
            held_out: held_out(p)
                .into_iter()
                .map(|i| dataset.sku(i).to_owned())
                .collect(),
        })
        .collect()
}

/// A seeded draw for a profile: FNV-1a of its name mixed by SplitMix64, so that a profile's
/// fate depends on its name only, not on the order of the events.
fn draw(seed: u64, name: &str, salt: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = h ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.rotate_left(32);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A draw as a number in [0, 1).
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Method;
    use crate::query::Reason;

    /// Baskets of a synthetic shop: 40 items in 8 themes of 5, each basket 2–4 items mostly
    /// from one theme, some from anywhere, with popular items across themes.
    fn shop(baskets: usize, at: impl Fn(usize) -> i64) -> Vec<Interaction> {
        let mut rng = 7u64;
        let mut next = || {
            rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut out = Vec::new();
        for b in 0..baskets {
            let theme = next() % 8;
            let size = 2 + next() % 3;
            for _ in 0..size {
                let item = match next() % 10 {
                    0..=5 => theme * 5 + next() % 5,
                    6 | 7 => next() % 3,
                    _ => next() % 40,
                };
                out.push(Interaction::purchase(
                    format!("p{b:04}"),
                    format!("sku{item:02}"),
                    at(b),
                ));
            }
        }
        out
    }

    fn dataset(interactions: &[Interaction]) -> Dataset {
        let mut data = Dataset::new();
        for i in interactions {
            data.push(i);
        }
        data
    }

    fn auto(lambdas: &[f64]) -> ModelConfig {
        ModelConfig {
            method: Method::EaseAuto {
                lambdas: lambdas.to_vec(),
                neighbours: 200,
            },
            validation: Validation {
                min_profiles: 10,
                ..Validation::default()
            },
            ..ModelConfig::default()
        }
    }

    const GRID: [f64; 6] = [1.0, 4.0, 16.0, 64.0, 256.0, 1024.0];

    /// EASE at `lambda` blended by `beta` with the default's popularity (90 days).
    fn ease(lambda: f64, beta: f32) -> Family {
        Family::Ease {
            lambda,
            beta,
            half_life_days: Some(90.0),
        }
    }

    /// Baskets with no co-purchase structure: every item drawn from one Zipf popularity over
    /// 200 items, 400 customers returning weekly for 20 weeks.
    fn zipf_shop() -> Vec<Interaction> {
        let mut rng = 11u64;
        let mut next = || {
            rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) >> 11
        };
        let cdf: Vec<f64> = (1..=200)
            .scan(0.0, |total, rank| {
                *total += 1.0 / f64::from(rank);
                Some(*total)
            })
            .collect();
        let total = cdf[199];
        let mut out = Vec::new();
        for week in 0..20i64 {
            for c in 0..400 {
                for _ in 0..3 {
                    let u = next() as f64 / (1u64 << 53) as f64 * total;
                    let item = cdf.partition_point(|&x| x <= u).min(199);
                    out.push(Interaction::purchase(
                        format!("c{c:03}"),
                        format!("sku{item:03}"),
                        1_700_000_000 + week * 7 * 86_400,
                    ));
                }
            }
        }
        out
    }

    /// Strong co-purchase: 40 items in pairs, each customer buys one item of a pair one week
    /// and its partner a later week; popularity is flat.
    fn paired_shop() -> Vec<Interaction> {
        let mut out = Vec::new();
        for c in 0..600usize {
            let pair = (c * 7) % 20;
            let (first, second) = if c % 2 == 0 { (0, 1) } else { (1, 0) };
            let week = (c % 10) as i64;
            for (item, at) in [(pair * 2 + first, week), (pair * 2 + second, week + 10)] {
                out.push(Interaction::purchase(
                    format!("c{c:03}"),
                    format!("sku{item:02}"),
                    1_700_000_000 + at * 7 * 86_400,
                ));
            }
        }
        out
    }

    #[test]
    fn the_choice_falls_to_popularity_when_baskets_have_no_co_purchase_structure() {
        let model = Model::build(&dataset(&zipf_shop()), &auto(&GRID));
        let choice = model.choice().expect("EaseAuto records its choice");
        assert!(matches!(choice.holdout, Holdout::Temporal { .. }));
        assert_eq!(choice.family.kind(), "popularity", "{choice:?}");
        assert_eq!(model.method(), &Method::Popularity);
        assert_eq!(model.neighbour_count(), 0);
    }

    #[test]
    fn the_choice_falls_to_item_item_when_items_are_bought_together() {
        let model = Model::build(&dataset(&paired_shop()), &auto(&GRID));
        let choice = model.choice().expect("EaseAuto records its choice");
        assert_ne!(choice.family.kind(), "popularity", "{choice:?}");
        let (_, popularity) = choice.best_popularity().expect("scored");
        let (_, item_item) = choice.best_item_item().expect("scored");
        assert!(item_item > popularity * (1.0 + MARGIN));
        assert_eq!(model.similar("sku00").first().map(|s| s.0), Some("sku01"));
    }

    #[test]
    fn reasons_follow_the_choice() {
        let history = [Interaction::purchase("new", "sku00", 1_700_000_000)];
        let paired = Model::build(&dataset(&paired_shop()), &auto(&GRID));
        let answer = paired.recommend(&Query::new(&history));
        assert_eq!(answer[0].sku, "sku01");
        assert!(matches!(answer[0].reason, Reason::BecauseYouBought { .. }));

        let popular = Model::build(&dataset(&zipf_shop()), &auto(&GRID));
        let history = [Interaction::purchase("new", "sku005", 1_700_000_000)];
        let answer = popular.recommend(&Query::new(&history));
        assert_eq!(answer.len(), 10);
        assert!(
            answer.iter().all(|r| r.reason == Reason::Popular),
            "{answer:?}"
        );
    }

    #[test]
    fn a_blend_cites_popularity_where_popularity_outweighs_the_item_item_score() {
        let data = dataset(&paired_shop());
        let mut model = Model::build(
            &data,
            &ModelConfig {
                method: Method::Ease {
                    lambda: 1.0,
                    neighbours: 200,
                },
                ..ModelConfig::default()
            },
        );
        model.blend = 0.5;
        let history = [Interaction::purchase("new", "sku00", 1_700_000_000)];
        let answer = model.recommend(&Query::new(&history));
        assert_eq!(answer[0].sku, "sku01");
        assert!(matches!(answer[0].reason, Reason::BecauseYouBought { .. }));
        assert_eq!(answer.len(), 10);
        assert!(
            answer[1..].iter().all(|r| r.reason == Reason::Popular),
            "{answer:?}"
        );
    }

    #[test]
    fn the_choice_is_the_same_whatever_the_order_of_the_events() {
        let events = shop(600, |b| 1_700_000_000 + b as i64 * 3_600);
        let config = auto(&GRID);
        let model = Model::build(&dataset(&events), &config);
        let reversed: Vec<Interaction> = events.iter().rev().cloned().collect();
        let again = Model::build(&dataset(&reversed), &config);
        assert_eq!(model.choice(), again.choice());
        for i in 0..40 {
            let sku = format!("sku{i:02}");
            assert_eq!(model.similar(&sku), again.similar(&sku));
        }
    }

    #[test]
    fn every_lambda_and_blend_is_scored_and_ties_go_to_the_first_tried() {
        // Grids in any order, with duplicates: the same, sorted choice.
        let data = dataset(&shop(600, |_| 0));
        let shuffled = Model::build(&data, &auto(&[1024.0, 1.0, 64.0, 16.0, 4.0, 256.0, 64.0]));
        let sorted = Model::build(&data, &auto(&GRID));
        assert_eq!(shuffled.choice(), sorted.choice());
        let choice = sorted.choice().expect("a choice");
        assert_eq!(choice.holdout, Holdout::LeaveOneOut);
        for lambda in GRID {
            for beta in BLENDS {
                assert!(choice.scores.iter().any(|s| s.0 == ease(lambda, beta)));
            }
        }
        // Two λ so close that every validation answer is the same: the smaller one is first.
        let tied = Model::build(&data, &auto(&[64.0, 64.000_001]));
        let scores = &tied.choice().expect("a choice").scores;
        let score_of = |lambda| {
            scores
                .iter()
                .find(|s| s.0 == ease(lambda, 0.0))
                .map(|s| s.1)
        };
        assert_eq!(score_of(64.0), score_of(64.000_001));
        assert_ne!(tied.choice().map(|c| c.family), Some(ease(64.000_001, 0.0)));
    }

    #[test]
    fn a_temporal_slice_holds_out_only_later_purchases_of_the_data_given() {
        let events = returning_shop();
        let data = dataset(&events);
        let v = Validation {
            min_profiles: 10,
            ..Validation::default()
        };
        let slice = temporal(&data, &v, 0).expect("returning customers");
        let Holdout::Temporal { cutoff } = slice.holdout else {
            panic!("time is useful here");
        };
        assert!(cutoff > data.events.iter().map(|e| e.at).min().unwrap());
        assert!(cutoff <= data.latest_at());
        assert!(slice.train.events.iter().all(|e| e.at < cutoff));
        for q in &slice.queries {
            assert!(q.history.iter().all(|i| i.at < cutoff));
            let profile = &q.history[0].profile;
            for sku in &q.held_out {
                // Bought by this profile in the given data at or after the cut-off, not before.
                assert!(events
                    .iter()
                    .any(|i| &i.profile == profile && &i.sku == sku && i.at >= cutoff));
                assert!(!q.history.iter().any(|i| &i.sku == sku));
            }
        }
        let model = Model::build(&data, &auto(&GRID));
        assert_eq!(
            model.choice().map(|c| &c.holdout),
            Some(&Holdout::Temporal { cutoff })
        );
    }

    /// Returning customers: basket b belongs to customer b % 150, one basket a day.
    fn returning_shop() -> Vec<Interaction> {
        shop(900, |b| 1_700_000_000 + b as i64 * 86_400)
            .into_iter()
            .map(|i| {
                let b: usize = i.profile[1..].parse().expect("p + number");
                Interaction {
                    profile: format!("c{:03}", b % 150),
                    ..i
                }
            })
            .collect()
    }

    #[test]
    fn with_useful_time_the_choice_also_scores_a_time_free_slice_and_weighs_both_alike() {
        let data = dataset(&returning_shop());
        let model = Model::build(&data, &auto(&GRID));
        let choice = model.choice().expect("a choice");
        let holdouts: Vec<&Holdout> = choice.slices.iter().map(|s| &s.holdout).collect();
        assert!(matches!(
            holdouts[..],
            [Holdout::Temporal { .. }, Holdout::LeaveOneVisitOut]
        ));
        assert_eq!(choice.holdout, choice.slices[0].holdout);
        // Each candidate's score: its mean share of the best on each slice, in the units of
        // the latest slice's NDCG@10.
        let best = |s: usize| choice.slices[s].scores.iter().copied().fold(0.0, f64::max);
        for (c, (_, aggregate)) in choice.scores.iter().enumerate() {
            let relative =
                (choice.slices[0].scores[c] / best(0) + choice.slices[1].scores[c] / best(1)) / 2.0;
            assert!((aggregate - best(0) * relative).abs() < 1e-12);
        }

        // Item-item is scored with the best popularity's half-life and with the config's.
        let (best_popularity, _) = choice.best_popularity().expect("scored");
        let mut half_lives: Vec<Option<f32>> = choice
            .scores
            .iter()
            .filter(|s| !matches!(s.0, Family::Popularity { .. }))
            .map(|s| s.0.popularity_half_life_days())
            .collect();
        half_lives.sort_by(|a, b| a.partial_cmp(b).expect("finite half-lives"));
        half_lives.dedup();
        let mut expected = vec![best_popularity.popularity_half_life_days(), Some(90.0)];
        expected.sort_by(|a, b| a.partial_cmp(b).expect("finite half-lives"));
        expected.dedup();
        assert_eq!(half_lives, expected);
        assert_eq!(
            choice.popularity_half_life_days,
            choice.family.popularity_half_life_days()
        );

        // Without the time-free slice: one slice, and the scores are its NDCG@10.
        let mut config = auto(&GRID);
        config.validation.time_free = false;
        let latest_only = Model::build(&data, &config);
        let choice = latest_only.choice().expect("a choice");
        assert_eq!(choice.slices.len(), 1);
        for (c, (_, aggregate)) in choice.scores.iter().enumerate() {
            assert!((aggregate - choice.slices[0].scores[c]).abs() < 1e-12);
        }
    }

    #[test]
    fn the_time_free_slice_hides_a_whole_visit_and_keeps_the_others() {
        let events = returning_shop();
        let data = dataset(&events);
        let v = Validation {
            min_profiles: 10,
            ..Validation::default()
        };
        let slice = leave_one_visit_out(&data, &v).expect("returning customers");
        assert_eq!(slice.holdout, Holdout::LeaveOneVisitOut);
        assert!(slice.queries.len() >= 10);
        for q in &slice.queries {
            let profile = &q.history[0].profile;
            let visit = |sku: &str| {
                events
                    .iter()
                    .find(|i| &i.profile == profile && i.sku == sku)
                    .map(|i| i.at)
            };
            // Every held-out item was bought at one and the same visit, absent from the history.
            let hidden = visit(&q.held_out[0]).expect("bought by this profile");
            assert!(q.held_out.iter().all(|sku| visit(sku) == Some(hidden)));
            assert!(q.history.iter().all(|i| i.at != hidden));
            // The profile's other visits, before and after it, stay in the history.
            let others = events
                .iter()
                .filter(|i| &i.profile == profile && i.at != hidden)
                .count();
            assert_eq!(q.history.len(), others);
            // The whole basket is gone: nothing of the hidden visit is in the training data.
            let p = slice.train.profile_index(profile).expect("other visits");
            assert!(slice
                .train
                .events
                .iter()
                .all(|e| e.profile != p || e.at != hidden));
        }
    }

    #[test]
    fn an_earlier_origin_holds_out_only_purchases_before_the_later_cut_off() {
        let events = returning_shop();
        let data = dataset(&events);
        let v = Validation {
            min_profiles: 10,
            ..Validation::default()
        };
        let cutoff = |slice: &Slice| match slice.holdout {
            Holdout::Temporal { cutoff } => cutoff,
            _ => panic!("time is useful here"),
        };
        let latest = temporal(&data, &v, 0).expect("returning customers");
        let earlier = temporal(&data, &v, 1).expect("returning customers");
        let (start, end) = (cutoff(&earlier), cutoff(&latest));
        assert!(start < end);
        assert!(earlier.train.events.iter().all(|e| e.at < start));
        for q in &earlier.queries {
            let profile = &q.history[0].profile;
            for sku in &q.held_out {
                assert!(events.iter().any(|i| &i.profile == profile
                    && &i.sku == sku
                    && (start..end).contains(&i.at)));
            }
        }
        let mut config = auto(&GRID);
        config.validation.origins = 2;
        config.validation.time_free = false;
        let model = Model::build(&data, &config);
        let holdouts: Vec<Holdout> = model
            .choice()
            .expect("a choice")
            .slices
            .iter()
            .map(|s| s.holdout.clone())
            .collect();
        assert_eq!(
            holdouts,
            [
                Holdout::Temporal { cutoff: end },
                Holdout::Temporal { cutoff: start }
            ]
        );
    }

    #[test]
    fn the_choice_is_the_same_on_one_thread_or_several() {
        let data = dataset(&returning_shop());
        let mut one = auto(&GRID);
        one.validation.threads = 1;
        let mut three = auto(&GRID);
        three.validation.threads = 3;
        let a = Model::build(&data, &one);
        let b = Model::build(&data, &three);
        assert_eq!(a.choice(), b.choice());
        for i in 0..40 {
            let sku = format!("sku{i:02}");
            assert_eq!(a.similar(&sku), b.similar(&sku));
        }
    }

    #[test]
    fn too_little_data_takes_ease_at_the_middle_of_the_grid() {
        let data = dataset(&shop(5, |_| 0));
        let model = Model::build(&data, &ModelConfig::default());
        let choice = model.choice().expect("the default is EaseAuto");
        assert_eq!(choice.holdout, Holdout::TooLittleData);
        assert_eq!(
            choice.family,
            Family::Ease {
                lambda: 400.0,
                beta: 0.0,
                half_life_days: Some(90.0),
            }
        );
    }
}
