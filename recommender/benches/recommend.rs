//! Query and build speed (criterion), plus a percentile loop for the query's p50/p99.
//!
//! `cargo bench --profile server -p vitrine-recommender --bench recommend`
//! (`release` is tuned for the wasm bundle's size; `server` is opt-level 3).
//! The build bench uses ../shared/data (or `VITRINE_DATA`) when present, else synthetic data.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use vitrine_recommender::{Context, Dataset, Interaction, Model, ModelConfig, Query};

#[path = "../examples/shared/onlineretail.rs"]
mod onlineretail;
#[path = "../examples/shared/rng.rs"]
mod rng;
use rng::SplitMix64;

const ITEMS: usize = 4_000;
const CUSTOMERS: usize = 6_000;
const CLUSTERS: usize = 100;
const T0: i64 = 1_700_000_000;

/// A synthetic shop of 4,000 items in 100 themes; each customer buys 10–60 items of two themes
/// (and a few at random), with skewed popularity inside a theme.
fn synthetic_shop() -> (Dataset, Vec<Vec<Interaction>>) {
    let mut rng = SplitMix64(7);
    let per_cluster = ITEMS / CLUSTERS;
    let mut data = Dataset::new();
    let mut histories = Vec::with_capacity(CUSTOMERS);
    for c in 0..CUSTOMERS {
        let themes = [rng.below(CLUSTERS), rng.below(CLUSTERS)];
        let count = 10 + rng.below(51);
        let mut history = Vec::with_capacity(count);
        for n in 0..count {
            let item = if rng.below(10) == 0 {
                rng.below(ITEMS)
            } else {
                // The product of two uniforms skews towards the first items of a theme.
                let skewed = (rng.unit() * rng.unit() * per_cluster as f64) as usize;
                themes[rng.below(2)] * per_cluster + skewed
            };
            let at = T0 + (rng.below(365 * 86_400) as i64) + n as i64;
            let interaction = Interaction::purchase(format!("c{c}"), format!("SKU-{item:05}"), at);
            data.push(&interaction);
            history.push(interaction);
        }
        histories.push(history);
    }
    (data, histories)
}

/// One SKU in ten is out of stock everywhere.
fn in_stock(sku: &str) -> bool {
    !sku.ends_with('7')
}

fn query_benches(c: &mut Criterion) {
    let (data, histories) = synthetic_shop();
    let started = Instant::now();
    let model = Model::build(&data, &ModelConfig::default());
    println!(
        "synthetic shop: {} items, {} events, EASE built in {:.2} s, model {:.1} MB",
        model.item_count(),
        data.len(),
        started.elapsed().as_secs_f64(),
        model.heap_bytes() as f64 / 1e6
    );
    percentiles(&model, &histories);

    let mut group = c.benchmark_group("query_4000_items");
    let mut next = 0;
    group.bench_function("home_top10_known_customer", |b| {
        b.iter(|| {
            next = (next + 1) % histories.len();
            let query = Query {
                limit: 10,
                available: &in_stock,
                ..Query::new(&histories[next])
            };
            black_box(model.recommend(black_box(&query)))
        })
    });
    group.bench_function("product_page_top10_known_customer", |b| {
        b.iter(|| {
            next = (next + 1) % histories.len();
            let history = &histories[next];
            let query = Query {
                limit: 10,
                context: Context::Product(&history[0].sku),
                available: &in_stock,
                ..Query::new(history)
            };
            black_box(model.recommend(black_box(&query)))
        })
    });
    group.finish();
}

/// p50/p99 over single queries, which criterion's means do not show.
fn percentiles(model: &Model, histories: &[Vec<Interaction>]) {
    let mut times = Vec::with_capacity(20_000);
    for n in 0..20_000 {
        let query = Query {
            limit: 10,
            available: &in_stock,
            ..Query::new(&histories[n % histories.len()])
        };
        let t = Instant::now();
        black_box(model.recommend(black_box(&query)));
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "home top-10, known customer (10–60 purchases, owned and out-of-stock excluded), 20,000 queries: \
         p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}

fn build_benches(c: &mut Criterion) {
    let dir = std::env::var_os("VITRINE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data"))
        });
    let (name, data) = match onlineretail::purchases(&dir) {
        Ok(purchases) => {
            let mut data = Dataset::new();
            purchases.iter().for_each(|i| data.push(i));
            ("onlineretail", data)
        }
        Err(e) => {
            println!("no onlineretail data ({e}): building the synthetic shop instead");
            ("synthetic_4000_items", synthetic_shop().0)
        }
    };
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(format!("ease_default_{name}"), |b| {
        b.iter(|| black_box(Model::build(black_box(&data), &ModelConfig::default())))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = query_benches, build_benches
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
