//! Offline evaluation on the real data in ../shared/data (see docs/recommender.md).
//!
//! `cargo run --profile server -p vitrine-recommender --example evaluate -- --data ../shared/data`
//! prints recall@10, NDCG@10, coverage, build and query times per model, and writes the split
//! it used to `target/eval/<dataset>/` for `scripts/evaluate-implicit.py`.
//! `--grid` prints every setting of the cosine and EASE grids, not only the best; `--tune`
//! adds the recency × λ exploration behind the defaults; `--only
//! onlineretail|groceries|synthetic|tafeng` runs one data set; `--tafeng PATH` is Ta-Feng's CSV
//! (`scripts/fetch-tafeng.sh` fetches it; default `target/tafeng/ta_feng_all_months_merged.csv`).
//! `--default-only` runs popularity and the served default only (no summary written);
//! `--origins N` and `--recent-share S` set the default's temporal validation slices;
//! `--max-profiles N` caps each validation slice; `--no-time-free` drops the leave-one-out slice beside the temporal one; `--candidates` scores every candidate of the default's choice on the test split too.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[path = "shared/onlineretail.rs"]
mod onlineretail;
#[path = "shared/rng.rs"]
mod rng;
use rng::SplitMix64;

use vitrine_recommender::metrics::{coverage, ndcg_at_k, recall_at_k};
use vitrine_recommender::{
    Channel, Dataset, Family, Holdout, Interaction, Method, Model, ModelChoice, ModelConfig, Query,
    Weights,
};

const K: usize = 10;
/// Onlineretail's split: train before 2011-11-01 00:00 UTC, test from then on.
const SPLIT_AT: i64 = 1_320_105_600;
/// Ta-Feng's split: train before 2001-02-01 00:00 (the data's dates, read as UTC).
const TAFENG_SPLIT_AT: i64 = 980_985_600;
/// The data sets, in the order they are run and printed.
const DATA_SETS: [&str; 4] = ["onlineretail", "groceries", "synthetic", "tafeng"];
/// Groceries: share of baskets (with ≥ 2 items) that become test baskets, and the seed.
const TEST_SHARE: f64 = 0.2;
const SEED: u64 = 42;

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// A train/test split: training interactions, and per test profile the held-out items.
struct Split {
    name: &'static str,
    train: Dataset,
    /// Each profile's training interactions: the query history.
    histories: BTreeMap<String, Vec<Interaction>>,
    /// (profile, held-out SKUs), in profile order.
    tests: Vec<(String, Vec<String>)>,
    describe: String,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let data = PathBuf::from(value("--data").unwrap_or_else(|| "../shared/data".into()));
    let out = PathBuf::from(value("--out").unwrap_or_else(|| "target/eval".into()));
    let only = value("--only");
    if let Some(name) = only.as_deref() {
        if !DATA_SETS.contains(&name) {
            return Err(format!("--only {name}: one of {}", DATA_SETS.join(", ")).into());
        }
    }
    let tafeng_csv = PathBuf::from(
        value("--tafeng").unwrap_or_else(|| "target/tafeng/ta_feng_all_months_merged.csv".into()),
    );
    let tune = args.iter().any(|a| a == "--tune");
    // Experiments with the number of validation slices (the default's is Validation::default()).
    let origins: Option<usize> = value("--origins").map(|o| o.parse()).transpose()?;
    let recent_share: Option<f64> = value("--recent-share").map(|o| o.parse()).transpose()?;
    // Only the served default (and popularity, the bar): quicker experiments with the choice.
    let default_only = args.iter().any(|a| a == "--default-only");
    let every_candidate = args.iter().any(|a| a == "--candidates");
    let grid = args.iter().any(|a| a == "--grid");

    if args.iter().any(|a| a == "--build-only") {
        return build_only(&data);
    }
    let mut splits = Vec::new();
    if only.as_deref().is_none_or(|o| o == "onlineretail") {
        splits.push(onlineretail(&data)?);
    }
    if only.as_deref().is_none_or(|o| o == "groceries") {
        splits.push(groceries(&data)?);
    }
    if only.as_deref().is_none_or(|o| o == "synthetic") {
        splits.push(synthetic());
    }
    if only.as_deref().is_none_or(|o| o == "tafeng") {
        splits.push(tafeng(&tafeng_csv)?);
    }
    for split in &splits {
        let defaults = ModelConfig::default();
        write_split(split, &defaults.weights, &out.join(split.name))?;
        println!("\n## {}: {}", split.name, split.describe);
        println!(
            "{:<40} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>8}",
            "model",
            "recall@10",
            "ndcg@10",
            "coverage",
            "build_s",
            "q_p50_us",
            "q_p99_us",
            "model_MB"
        );
        let mut summary = Vec::new();
        for (family, configs) in families(tune, origins, recent_share) {
            if default_only && family != "default" && family != "popularity" {
                continue;
            }
            let mut rows = Vec::new();
            for (label, config) in configs {
                let row = evaluate(split, label, &config);
                if grid || family == "tune" {
                    row.print("");
                }
                rows.push(row);
            }
            if family == "cosine" || family == "ease" || family == "recency" {
                let best = rows
                    .iter()
                    .max_by(|a, b| {
                        a.ndcg
                            .total_cmp(&b.ndcg)
                            .then(a.recall.total_cmp(&b.recall))
                    })
                    .expect("a family has settings");
                best.print(" (best)");
                if family == "recency" {
                    summary.push((family, best.clone()));
                }
            } else if !grid && family != "tune" {
                rows[0].print("");
            }
            if family == "popularity" || family == "default" {
                summary.push((family, rows[0].clone()));
            }
        }
        if every_candidate {
            let (_, configs) = families(false, origins, recent_share)
                .into_iter()
                .find(|f| f.0 == "default")
                .expect("the default family");
            candidates(split, &configs[0].1);
        }
        if !default_only {
            write_summary(&summary, &out.join(split.name).join("ours.tsv"))?;
        }
    }
    println!("\npeak RSS: {} MB", peak_rss_mb());
    Ok(())
}

/// The cosine and EASE grids: like the implicit script, each family is reported at the best
/// setting by NDCG@10 (every setting with `--grid`).
const COSINE_NEIGHBOURS: [usize; 4] = [20, 50, 100, 200];
const EASE_LAMBDAS: [f64; 6] = [100.0, 200.0, 400.0, 800.0, 1500.0, 3000.0];
/// Recency-weighted popularity: half-lives in days (plain popularity's is 90).
const RECENCY_HALF_LIVES: [f32; 4] = [30.0, 14.0, 7.0, 3.0];

/// Families of models compared, each a list of (label, config).
fn families(
    tune: bool,
    origins: Option<usize>,
    recent_share: Option<f64>,
) -> Vec<(&'static str, Vec<(String, ModelConfig)>)> {
    let mut base = ModelConfig::default();
    if let Some(origins) = origins {
        base.validation.origins = origins;
    }
    if let Some(share) = recent_share {
        base.validation.recent_share = share;
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = args
        .iter()
        .position(|a| a == "--max-profiles")
        .and_then(|i| args.get(i + 1)?.parse().ok())
    {
        base.validation.max_profiles = n;
    }
    if args.iter().any(|a| a == "--no-time-free") {
        base.validation.time_free = false;
    }
    let with = |method: Method| ModelConfig {
        method,
        ..base.clone()
    };
    let popularity = ModelConfig {
        method: Method::Popularity,
        trending_slots: 0,
        ..base.clone()
    };
    let recency = RECENCY_HALF_LIVES
        .iter()
        .map(|&days| {
            let config = ModelConfig {
                popularity_half_life_days: Some(days),
                ..popularity.clone()
            };
            (format!("recency popularity h={days}d"), config)
        })
        .collect();
    let cosine = COSINE_NEIGHBOURS
        .iter()
        .map(|&k| {
            (
                format!("cosine k={k}"),
                with(Method::Cosine { neighbours: k }),
            )
        })
        .collect();
    let ease = EASE_LAMBDAS
        .iter()
        .map(|&lambda| {
            let method = Method::Ease {
                lambda,
                neighbours: 200,
            };
            (format!("ease λ={lambda}"), with(method))
        })
        .collect();
    let mut families = vec![
        ("popularity", vec![("popularity".to_owned(), popularity)]),
        ("recency", recency),
        ("cosine", cosine),
        ("ease", ease),
        (
            "default",
            vec![("served default (auto)".to_owned(), base.clone())],
        ),
    ];
    if tune {
        // Recency decay × λ: how the default half-life was chosen.
        let mut grid = Vec::new();
        for half_life in [
            None,
            Some(15.0),
            Some(30.0),
            Some(60.0),
            Some(90.0),
            Some(180.0),
        ] {
            for lambda in [100.0, 200.0, 400.0, 800.0] {
                let mut config = with(Method::Ease {
                    lambda,
                    neighbours: 200,
                });
                config.weights.half_life_days = half_life;
                grid.push((format!("ease λ={lambda} half-life={half_life:?}"), config));
            }
        }
        for neighbours in [20, 50, 1000, usize::MAX] {
            let lambda = 200.0;
            let label = match neighbours {
                usize::MAX => format!("ease λ={lambda} all neighbours"),
                k => format!("ease λ={lambda} k={k}"),
            };
            grid.push((label, with(Method::Ease { lambda, neighbours })));
        }
        families.push(("tune", grid));
    }
    families
}

/// One printed row of the table.
#[derive(Clone)]
struct Row {
    label: String,
    recall: f64,
    ndcg: f64,
    coverage: f64,
    build_s: f64,
    p50_us: f64,
    p99_us: f64,
    model_mb: f64,
    /// For an automatic λ: the validation slice and its score per λ.
    note: Option<String>,
}

impl Row {
    fn print(&self, suffix: &str) {
        println!(
            "{:<40} {:>9.4} {:>8.4} {:>8.4} {:>8.2} {:>9.1} {:>9.1} {:>8.1}",
            format!("{}{suffix}", self.label),
            self.recall,
            self.ndcg,
            self.coverage,
            self.build_s,
            self.p50_us,
            self.p99_us,
            self.model_mb
        );
        if let Some(note) = &self.note {
            println!("    {note}");
        }
    }
}

fn evaluate(split: &Split, label: String, config: &ModelConfig) -> Row {
    let started = Instant::now();
    let model = Model::build(&split.train, config);
    let build_s = started.elapsed().as_secs_f64();
    evaluate_model(split, label, &model, build_s)
}

/// Scores every candidate of the default's choice on the test split, each built on all of
/// the training split as the choice would serve it: what each selection rule would score.
fn candidates(split: &Split, config: &ModelConfig) {
    let model = Model::build(&split.train, config);
    let Some(choice) = model.choice() else {
        return;
    };
    for (family, validation) in &choice.scores {
        let candidate = Model::build_family(&split.train, config, *family);
        let row = evaluate_model(split, String::new(), &candidate, 0.0);
        println!(
            "candidate {family}: validation {validation:.4}, test ndcg@10 {:.4} recall@10 {:.4}",
            row.ndcg, row.recall
        );
    }
}

fn evaluate_model(split: &Split, label: String, model: &Model, build_s: f64) -> Row {
    let (label, note) = match model.choice() {
        Some(choice) => (
            format!("{label} → {}", choice.family),
            Some(describe(choice)),
        ),
        None => (label, None),
    };
    let now = split.train.latest_at();
    let mut times = Vec::with_capacity(split.tests.len());
    let mut lists: Vec<Vec<String>> = Vec::with_capacity(split.tests.len());
    let (mut recall, mut ndcg) = (0.0, 0.0);
    for (profile, held_out) in &split.tests {
        let history = split.histories.get(profile).map_or(&[][..], Vec::as_slice);
        let query = Query {
            limit: K,
            now: Some(now),
            ..Query::new(history)
        };
        let t = Instant::now();
        let answer = model.recommend(&query);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        let ranked: Vec<String> = answer.into_iter().map(|r| r.sku).collect();
        recall += recall_at_k(&ranked, held_out, K);
        ndcg += ndcg_at_k(&ranked, held_out, K);
        lists.push(ranked);
    }
    let n = split.tests.len().max(1) as f64;
    let cov = coverage(lists.iter().map(Vec::as_slice), K, split.train.sku_count());
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    Row {
        label,
        recall: recall / n,
        ndcg: ndcg / n,
        coverage: cov,
        build_s,
        p50_us: pct(0.5),
        p99_us: pct(0.99),
        model_mb: model.heap_bytes() as f64 / 1e6,
        note,
    }
}

/// The validation behind an automatic choice: the slices, the best of each kind, every score
/// (the mean over the slices, then each slice's).
fn describe(choice: &ModelChoice) -> String {
    let holdout = |h: &Holdout| match h {
        Holdout::Temporal { cutoff } => format!("temporal, cut-off {}", date(*cutoff)),
        Holdout::LeaveOneOut => "leave-one-out".to_owned(),
        Holdout::LeaveOneVisitOut => "leave-one-visit-out".to_owned(),
        Holdout::TooLittleData => "too little data".to_owned(),
    };
    let slices: Vec<String> = choice
        .slices
        .iter()
        .map(|s| format!("{} ({} profiles)", holdout(&s.holdout), s.profiles))
        .collect();
    let scores: Vec<String> = choice
        .scores
        .iter()
        .enumerate()
        .map(|(c, (family, ndcg))| {
            let per_slice: Vec<String> = choice
                .slices
                .iter()
                .map(|s| format!("{:.4}", s.scores[c]))
                .collect();
            format!("{family}: {ndcg:.4} [{}]", per_slice.join(" "))
        })
        .collect();
    let best = |b: Option<(Family, f64)>| b.map_or("-".to_owned(), |(f, s)| format!("{f} {s:.4}"));
    format!(
        "validation ({}; item-item on {} items): best popularity {}, best item-item {}\n    all (mean [per slice]): {}",
        if slices.is_empty() { holdout(&choice.holdout) } else { slices.join("; ") },
        choice.items_learnt,
        best(choice.best_popularity()),
        best(choice.best_item_item()),
        scores.join(", ")
    )
}

/// Writes the rows the implicit script's summary table reads: key, label, recall, NDCG,
/// coverage, build seconds.
fn write_summary(rows: &[(&str, Row)], path: &Path) -> Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    for (key, row) in rows {
        writeln!(
            out,
            "{key}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.2}",
            row.label, row.recall, row.ndcg, row.coverage, row.build_s
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Builds the default model on all of onlineretail once: build time and peak memory.
fn build_only(data: &Path) -> Result<()> {
    let mut dataset = Dataset::new();
    for interaction in onlineretail::purchases(data)? {
        dataset.push(&interaction);
    }
    let loaded_mb = peak_rss_mb();
    let started = Instant::now();
    let model = Model::build(&dataset, &ModelConfig::default());
    println!(
        "onlineretail, all {} events, {} items: default model ({:?}) built in {:.2} s; \
         model {:.1} MB; peak RSS {} MB (after loading the data: {} MB)",
        dataset.len(),
        model.item_count(),
        model.method(),
        started.elapsed().as_secs_f64(),
        model.heap_bytes() as f64 / 1e6,
        peak_rss_mb(),
        loaded_mb
    );
    if let Some(choice) = model.choice() {
        println!("{}", describe(choice));
    }
    Ok(())
}

/// Writes the split for the implicit script: items, weighted training matrix, test queries.
fn write_split(split: &Split, weights: &Weights, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    let train = &split.train;
    let mut items = BufWriter::new(File::create(dir.join("items.tsv"))?);
    for i in 0..train.sku_count() as u32 {
        writeln!(items, "{i}\t{}", train.sku(i))?;
    }
    items.flush()?;
    let mut out = BufWriter::new(File::create(dir.join("train.tsv"))?);
    writeln!(
        out,
        "# profiles={} items={}",
        train.profile_count(),
        train.sku_count()
    )?;
    for r in train.ratings(weights, train.latest_at()) {
        writeln!(out, "{}\t{}\t{}", r.profile, r.item, r.weight)?;
    }
    out.flush()?;
    let mut tests = BufWriter::new(File::create(dir.join("test.tsv"))?);
    for (profile, held_out) in &split.tests {
        let p = train
            .profile_index(profile)
            .ok_or("test profile not in training")?;
        let items: Vec<String> = held_out
            .iter()
            .map(|s| {
                train
                    .sku_index(s)
                    .map(|i| i.to_string())
                    .ok_or("held-out SKU not in training")
            })
            .collect::<Result<_, _>>()?;
        writeln!(tests, "{p}\t{}", items.join(" "))?;
    }
    tests.flush()?;
    Ok(())
}

/// Onlineretail, temporal: train before 2011-11-01; test each training customer's purchases
/// from then on of items known to training and not bought in training.
fn onlineretail(data: &Path) -> Result<Split> {
    Ok(temporal_split(
        "onlineretail",
        onlineretail::purchases(data)?,
        SPLIT_AT,
    ))
}

/// A temporal split of `purchases` at `split_at`: train before it; test each training
/// customer's purchases from then on of items known to training and not bought in training.
fn temporal_split(name: &'static str, purchases: Vec<Interaction>, split_at: i64) -> Split {
    let mut train = Dataset::new();
    let mut histories: BTreeMap<String, Vec<Interaction>> = BTreeMap::new();
    let mut later: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for interaction in purchases {
        if interaction.at < split_at {
            train.push(&interaction);
            histories
                .entry(interaction.profile.clone())
                .or_default()
                .push(interaction);
        } else {
            later
                .entry(interaction.profile)
                .or_default()
                .insert(interaction.sku);
        }
    }
    let mut tests = Vec::new();
    for (customer, bought) in later {
        let Some(history) = histories.get(&customer) else {
            continue; // a new customer has no history to personalise from
        };
        let owned: BTreeSet<&str> = history.iter().map(|i| i.sku.as_str()).collect();
        let held_out: Vec<String> = bought
            .into_iter()
            .filter(|s| !owned.contains(s.as_str()) && train.sku_index(s).is_some())
            .collect();
        if !held_out.is_empty() {
            tests.push((customer, held_out));
        }
    }
    let describe = format!(
        "temporal, train < {}: {} events, {} customers, {} items; {} test customers, {} held-out purchases",
        date(split_at),
        train.len(),
        train.profile_count(),
        train.sku_count(),
        tests.len(),
        tests.iter().map(|t| t.1.len()).sum::<usize>()
    );
    Split {
        name,
        train,
        histories,
        tests,
        describe,
    }
}

/// "YYYY-MM-DD" of a unix time (UTC), for the printed descriptions.
fn date(at: i64) -> String {
    // H. Hinnant's civil_from_days.
    let z = at.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Synthetic shop with no co-purchase structure: every basket is drawn independently from one
/// Zipf popularity (s = 1) over 2,000 items, so the best answer is popularity by construction
/// (an item's chance to be bought next is its share, whatever else the customer bought).
/// 3,000 customers, 4–12 baskets of 2–8 items each over 180 days (SplitMix64, seed 42);
/// temporal split at day 150, as onlineretail's.
fn synthetic() -> Split {
    const ITEMS: usize = 2_000;
    const CUSTOMERS: usize = 3_000;
    const DAYS: i64 = 180;
    const START: i64 = 1_700_000_000 - 1_700_000_000 % 86_400;
    let mut rng = SplitMix64(SEED);
    let mut cdf = Vec::with_capacity(ITEMS);
    let mut total = 0.0;
    for rank in 1..=ITEMS {
        total += 1.0 / rank as f64;
        cdf.push(total);
    }
    let mut purchases = Vec::new();
    for c in 0..CUSTOMERS {
        let baskets = 4 + rng.below(9);
        for _ in 0..baskets {
            let at = START + rng.below(DAYS as usize) as i64 * 86_400 + 12 * 3_600;
            let size = 2 + rng.below(7);
            for _ in 0..size {
                let u = rng.unit() * total;
                let item = cdf.partition_point(|&x| x <= u).min(ITEMS - 1);
                purchases.push(Interaction::purchase(
                    format!("s{c:05}"),
                    format!("z{item:04}"),
                    at,
                ));
            }
        }
    }
    temporal_split("synthetic", purchases, START + 150 * 86_400)
}

/// Ta-Feng, a Taiwanese grocery chain (Nov 2000 – Feb 2001): every purchase line as a till
/// purchase, temporal split at 2001-02-01. Columns: TRANSACTION_DT (M/D/YYYY), CUSTOMER_ID,
/// AGE_GROUP, PIN_CODE, PRODUCT_SUBCLASS, PRODUCT_ID, AMOUNT, ASSET, SALES_PRICE.
fn tafeng(csv: &Path) -> Result<Split> {
    let text = fs::read_to_string(csv).map_err(|e| {
        format!(
            "{}: {e} (scripts/fetch-tafeng.sh fetches it; --tafeng PATH)",
            csv.display()
        )
    })?;
    let mut purchases = Vec::with_capacity(820_000);
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').map(|f| f.trim_matches('"')).collect();
        let [day, customer, _, _, _, product, amount, ..] = fields[..] else {
            return Err(format!("Ta-Feng: short line {line:?}").into());
        };
        let mut mdy = day.split('/');
        let (month, dom, year) = (mdy.next(), mdy.next(), mdy.next());
        let iso = format!(
            "{}-{:0>2}-{:0>2}",
            year.unwrap_or(""),
            month.unwrap_or(""),
            dom.unwrap_or("")
        );
        let at = onlineretail::parse_datetime(&iso).ok_or_else(|| format!("bad date {day:?}"))?;
        purchases.push(Interaction {
            channel: Channel::Store,
            quantity: amount.parse::<u32>().map_or(1, |q| q.max(1)),
            ..Interaction::purchase(customer, product, at)
        });
    }
    Ok(temporal_split("tafeng", purchases, TAFENG_SPLIT_AT))
}

/// Groceries, basket leave-one-out: a seeded 20 % of baskets with ≥ 2 distinct items are test
/// baskets; one item of each, drawn by the seeded RNG, is hidden. Training is every other
/// basket plus the visible rest of the test baskets; the query is the visible rest.
fn groceries(data: &Path) -> Result<Split> {
    let text = fs::read_to_string(data.join("groceries/groceries_basket.csv"))?;
    Ok(basket_split(&text))
}

/// The split of `groceries` from its CSV text, one basket a line.
fn basket_split(text: &str) -> Split {
    let mut rng = SplitMix64(SEED);
    let mut train = Dataset::new();
    let mut histories: BTreeMap<String, Vec<Interaction>> = BTreeMap::new();
    let mut tests = Vec::new();
    for (b, line) in text.lines().enumerate() {
        let mut items: Vec<&str> = line
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        items.sort_unstable();
        items.dedup();
        // Always draw, so a basket's fate does not depend on the baskets before it.
        let (coin, pick) = (rng.unit(), rng.next());
        let profile = format!("basket{b:05}");
        let hidden = (items.len() >= 2 && coin < TEST_SHARE)
            .then(|| items.remove((pick % items.len() as u64) as usize));
        for sku in &items {
            let interaction = Interaction {
                channel: Channel::Store,
                ..Interaction::purchase(profile.as_str(), *sku, 0)
            };
            train.push(&interaction);
            histories
                .entry(profile.clone())
                .or_default()
                .push(interaction);
        }
        if let Some(hidden) = hidden {
            tests.push((profile, vec![hidden.to_owned()]));
        }
    }
    // A hidden item seen nowhere else cannot be learnt by any model: dropped like onlineretail's.
    tests.retain(|(_, held)| train.sku_index(&held[0]).is_some());
    let describe = format!(
        "basket leave-one-out (seed {SEED}, {:.0} % of baskets with ≥ 2 items): {} baskets, {} items; {} test baskets",
        TEST_SHARE * 100.0,
        train.profile_count(),
        train.sku_count(),
        tests.len()
    );
    Split {
        name: "groceries",
        train,
        histories,
        tests,
        describe,
    }
}

/// Peak resident memory of this process (VmHWM), in MB.
fn peak_rss_mb() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_instant_is_2011_11_01_midnight_utc() {
        assert_eq!(
            onlineretail::parse_datetime("2011-11-01 00:00:00"),
            Some(SPLIT_AT)
        );
        assert_eq!(onlineretail::parse_datetime("1970-01-01 00:00:01"), Some(1));
        assert_eq!(
            onlineretail::parse_datetime("2001-02-01"),
            Some(TAFENG_SPLIT_AT)
        );
        assert_eq!(date(TAFENG_SPLIT_AT), "2001-02-01");
    }

    /// Customer `c` buys items `items` at `at`.
    fn buys(c: usize, items: &[usize], at: i64) -> Vec<Interaction> {
        items
            .iter()
            .map(|i| Interaction::purchase(format!("c{c:03}"), format!("sku{i:02}"), at))
            .collect()
    }

    #[test]
    fn the_automatic_lambda_is_validated_inside_the_training_period_of_onlineretail() {
        // 120 customers in 6 themes of 25 items, each week a new item of their theme: 20
        // weeks before the split, one after it.
        let mut purchases = Vec::new();
        for week in 0..21i64 {
            let at = SPLIT_AT - (20 - week) * 7 * 86_400 + 3_600;
            for c in 0..120 {
                let item = (c % 6) * 25 + (week as usize + c) % 25;
                purchases.extend(buys(c, &[item], at));
            }
        }
        let split = temporal_split("onlineretail", purchases, SPLIT_AT);
        assert!(!split.tests.is_empty());
        assert!(split.train.latest_at() < SPLIT_AT);
        // What the harness does: build on the training split only.
        let model = Model::build(&split.train, &ModelConfig::default());
        let choice = model.choice().expect("the default chooses its family");
        let Holdout::Temporal { cutoff } = choice.holdout else {
            panic!("weekly orders have useful time: {choice:?}");
        };
        assert!(cutoff <= split.train.latest_at() && cutoff < SPLIT_AT);
    }

    #[test]
    fn groceries_hidden_items_never_reach_the_training_data() {
        let text: String = (0..400)
            .map(|b| format!("sku{:02},sku{:02},sku{:02}\n", b % 7, 7 + b % 5, 12 + b % 3))
            .collect();
        let split = basket_split(&text);
        assert!(!split.tests.is_empty());
        for (profile, held_out) in &split.tests {
            let history = &split.histories[profile];
            assert!(history.iter().all(|i| !held_out.contains(&i.sku)));
        }
        // The training dataset holds exactly the histories: no hidden (basket, item) pair.
        let in_histories: usize = split.histories.values().map(Vec::len).sum();
        assert_eq!(split.train.len(), in_histories);
    }
}
