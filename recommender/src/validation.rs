//! The automatic choice of EASE's λ: a validation slice held out of the build's own data.
//!
//! λ depends on the data (onlineretail's best is 200, groceries' 800 or more), and a server
//! with hundreds of shops cannot tune it by hand. So [`crate::Method::EaseAuto`] holds out a
//! slice of the shop's own interactions the way the offline evaluation holds out its test set,
//! builds EASE on the rest once per λ of a grid (the Gram matrix is summed once), scores
//! NDCG@10 on the slice through the query path the server uses, and keeps the best λ.

use crate::dataset::{Channel, Dataset, Event, Interaction, Kind};
use crate::metrics::ndcg_at_k;
use crate::model::{Gram, Model, ModelConfig};
use crate::query::Query;

/// The cut-off of the validation metric, the size of the widget's answers.
const K: usize = 10;

/// How [`crate::Method::EaseAuto`] holds out its validation slice.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// Share of the events, the latest, at or after the temporal cut-off.
    pub recent_share: f64,
    /// Share of the profiles with ≥ 2 purchased items that hide one, when time is no use.
    pub leave_one_out_share: f64,
    /// Seed of the per-profile draws (leave-one-out and the sample of profiles).
    pub seed: u64,
    /// Fewest validation profiles a slice needs; with fewer the grid's middle λ is taken.
    pub min_profiles: usize,
    /// Most validation profiles scored per λ (a seeded sample beyond): bounds the build time.
    pub max_profiles: usize,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            recent_share: 0.1,
            leave_one_out_share: 0.2,
            seed: 42,
            min_profiles: 50,
            max_profiles: 2_000,
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
    /// Too few profiles for either slice: λ is the middle of the grid, not measured.
    TooLittleData,
}

/// The outcome of the automatic choice of λ, for the server's log.
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaChoice {
    /// The λ the model was built with.
    pub lambda: f64,
    /// How the validation slice was made.
    pub holdout: Holdout,
    /// Validation profiles scored.
    pub profiles: usize,
    /// (λ, NDCG@10 on the slice) for every λ tried, in increasing λ.
    pub scores: Vec<(f64, f64)>,
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

/// Scores every λ of `lambdas` on a slice held out of `dataset` and returns the best one
/// (ties: the smaller λ).
///
/// # Panics
/// When `lambdas` has no positive, finite λ.
pub(crate) fn choose_lambda(
    dataset: &Dataset,
    config: &ModelConfig,
    lambdas: &[f64],
    neighbours: usize,
) -> LambdaChoice {
    let mut grid: Vec<f64> = lambdas
        .iter()
        .copied()
        .filter(|l| l.is_finite() && *l > 0.0)
        .collect();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    assert!(!grid.is_empty(), "Method::EaseAuto needs a positive λ");
    let v = &config.validation;
    let Some(slice) = temporal(dataset, v).or_else(|| leave_one_out(dataset, v)) else {
        return LambdaChoice {
            lambda: grid[grid.len() / 2],
            holdout: Holdout::TooLittleData,
            profiles: 0,
            scores: Vec::new(),
        };
    };
    let mut gram = None;
    let mut model = Model::build_with(&slice.train, config, |n, ratings| {
        gram = Some(Gram::new(n, ratings));
        vec![Vec::new(); n]
    });
    let gram = gram.expect("build_with calls rows_of once");
    let now = slice.train.latest_at();
    let mut scores = Vec::with_capacity(grid.len());
    for &lambda in &grid {
        model.set_neighbours(gram.ease_neighbours(lambda, neighbours));
        let total: f64 = slice
            .queries
            .iter()
            .map(|q| {
                let answer = model.recommend(&Query {
                    limit: K,
                    now: Some(now),
                    ..Query::new(&q.history)
                });
                let ranked: Vec<&str> = answer.iter().map(|r| r.sku.as_str()).collect();
                let relevant: Vec<&str> = q.held_out.iter().map(String::as_str).collect();
                ndcg_at_k(&ranked, &relevant, K)
            })
            .sum();
        scores.push((lambda, total / slice.queries.len() as f64));
    }
    let mut best = scores[0];
    for &score in &scores[1..] {
        // Strictly better only: on a tie the smaller λ, met first, stays.
        if score.1 > best.1 {
            best = score;
        }
    }
    LambdaChoice {
        lambda: best.0,
        holdout: slice.holdout,
        profiles: slice.queries.len(),
        scores,
    }
}

/// Holds out each profile's purchases after a cut-off that leaves `recent_share` of the
/// events after it; `None` when all events are at one instant or too few profiles qualify.
fn temporal(dataset: &Dataset, v: &Validation) -> Option<Slice> {
    let mut times: Vec<i64> = dataset.events.iter().map(|e| e.at).collect();
    times.sort_unstable();
    let first = *times.first()?;
    let at = ((times.len() as f64) * (1.0 - v.recent_share)).floor() as usize;
    let cutoff = times[at.min(times.len() - 1)];
    if cutoff <= first {
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
        } else if e.kind == Kind::Purchase {
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

    #[test]
    fn automatic_lambda_is_the_best_of_a_hand_run_grid() {
        let data = dataset(&shop(600, |_| 0));
        let config = auto(&GRID);
        let model = Model::build(&data, &config);
        let choice = model.lambda_choice().expect("EaseAuto records its choice");
        assert_eq!(choice.holdout, Holdout::LeaveOneOut);

        // By hand: the same slice, one ordinary EASE build per λ, scored query by query.
        let slice = leave_one_out(&data, &config.validation).expect("enough baskets");
        assert_eq!(choice.profiles, slice.queries.len());
        let now = slice.train.latest_at();
        let by_hand: Vec<(f64, f64)> = GRID
            .iter()
            .map(|&lambda| {
                let ease = ModelConfig {
                    method: Method::Ease {
                        lambda,
                        neighbours: 200,
                    },
                    ..config.clone()
                };
                let model = Model::build(&slice.train, &ease);
                let total: f64 = slice
                    .queries
                    .iter()
                    .map(|q| {
                        let query = Query {
                            now: Some(now),
                            ..Query::new(&q.history)
                        };
                        let ranked: Vec<String> =
                            model.recommend(&query).into_iter().map(|r| r.sku).collect();
                        ndcg_at_k(&ranked, &q.held_out, K)
                    })
                    .sum();
                (lambda, total / slice.queries.len() as f64)
            })
            .collect();
        // Reusing one Gram matrix across λ gives exactly the scores of separate builds.
        assert_eq!(choice.scores, by_hand);
        let best = by_hand.iter().map(|s| s.1).fold(f64::MIN, f64::max);
        let first_best = by_hand.iter().find(|s| s.1 == best).expect("a best λ");
        assert_eq!(choice.lambda, first_best.0);
        // The case discriminates: the grid's scores are not all equal.
        assert!(by_hand.iter().any(|s| s.1 != best), "{by_hand:?}");
        assert_eq!(
            model.method(),
            &Method::Ease {
                lambda: choice.lambda,
                neighbours: 200
            }
        );
    }

    #[test]
    fn automatic_lambda_is_the_same_whatever_the_order_of_the_events() {
        let events = shop(600, |b| 1_700_000_000 + b as i64 * 3_600);
        let config = auto(&GRID);
        let model = Model::build(&dataset(&events), &config);
        let reversed: Vec<Interaction> = events.iter().rev().cloned().collect();
        let again = Model::build(&dataset(&reversed), &config);
        assert_eq!(model.lambda_choice(), again.lambda_choice());
        for i in 0..40 {
            let sku = format!("sku{i:02}");
            assert_eq!(model.similar(&sku), again.similar(&sku));
        }
    }

    #[test]
    fn ties_go_to_the_smaller_lambda() {
        // Grids in any order, with duplicates: the same, sorted choice.
        let data = dataset(&shop(600, |_| 0));
        let shuffled = Model::build(&data, &auto(&[1024.0, 1.0, 64.0, 16.0, 4.0, 256.0, 64.0]));
        let sorted = Model::build(&data, &auto(&GRID));
        assert_eq!(shuffled.lambda_choice(), sorted.lambda_choice());
        // Two λ so close that every validation answer is the same: the smaller one wins.
        let tied = Model::build(&data, &auto(&[64.0, 64.000_001]));
        let choice = tied.lambda_choice().expect("a choice");
        assert_eq!(choice.scores[0].1, choice.scores[1].1);
        assert_eq!(choice.lambda, 64.0);
    }

    #[test]
    fn a_temporal_slice_holds_out_only_later_purchases_of_the_data_given() {
        // Profiles return: basket b belongs to customer b % 150, one basket a day.
        let events: Vec<Interaction> = shop(900, |b| 1_700_000_000 + b as i64 * 86_400)
            .into_iter()
            .map(|i| {
                let b: usize = i.profile[1..].parse().expect("p + number");
                Interaction {
                    profile: format!("c{:03}", b % 150),
                    ..i
                }
            })
            .collect();
        let data = dataset(&events);
        let v = Validation {
            min_profiles: 10,
            ..Validation::default()
        };
        let slice = temporal(&data, &v).expect("returning customers");
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
            model.lambda_choice().map(|c| &c.holdout),
            Some(&Holdout::Temporal { cutoff })
        );
    }

    #[test]
    fn too_little_data_takes_the_middle_of_the_grid() {
        let data = dataset(&shop(5, |_| 0));
        let model = Model::build(&data, &ModelConfig::default());
        let choice = model.lambda_choice().expect("the default is EaseAuto");
        assert_eq!(choice.holdout, Holdout::TooLittleData);
        assert_eq!(choice.lambda, 400.0);
    }
}
