//! Build time and peak memory of the default model (the automatic choice) on large synthetic
//! catalogues: 25,000 and 100,000 items (issue 17; bounds: ≤ 60 s, ≤ 1.5 GB on 2 cores).
//!
//! `cargo bench --profile server -p vitrine-recommender --bench large_catalogue`
//! (`-- 25000` for one size). Each size is measured in a process of its own (this binary
//! runs itself per size), so its peak resident memory (VmHWM) is that build's alone. Not a
//! criterion bench: one build of tens of seconds is the figure, not a mean of many.

use std::process::Command;
use std::time::Instant;

use vitrine_recommender::{Dataset, Interaction, Model, ModelConfig};

#[path = "../examples/shared/rng.rs"]
mod rng;
use rng::SplitMix64;

/// Catalogue sizes measured when none is given.
const SIZES: [usize; 2] = [25_000, 100_000];
/// Items per theme: a customer buys mostly within two themes.
const THEME: usize = 50;
const T0: i64 = 1_700_000_000;
/// Set in the child process: the catalogue size it measures.
const CHILD: &str = "VITRINE_LARGE_CATALOGUE_ITEMS";

/// A shop of `items` items in themes of 50, the themes' popularity Zipf-like (s = 1), one
/// customer per item buying 10–40 items over a year: mostly of two themes (skewed to each
/// theme's first items), one in ten anywhere. About 25 purchases per item.
fn shop(items: usize) -> Dataset {
    let themes = items / THEME;
    let mut rng = SplitMix64(42);
    let cdf: Vec<f64> = (1..=themes)
        .scan(0.0, |total, rank| {
            *total += 1.0 / rank as f64;
            Some(*total)
        })
        .collect();
    let total = cdf[themes - 1];
    let theme = |rng: &mut SplitMix64| {
        let u = rng.unit() * total;
        cdf.partition_point(|&x| x <= u).min(themes - 1)
    };
    let mut data = Dataset::new();
    for c in 0..items {
        let liked = [theme(&mut rng), theme(&mut rng)];
        let count = 10 + rng.below(31);
        for _ in 0..count {
            let item = if rng.below(10) == 0 {
                rng.below(items)
            } else {
                let skewed = (rng.unit() * rng.unit() * THEME as f64) as usize;
                liked[rng.below(2)] * THEME + skewed
            };
            let at = T0 + rng.below(365 * 86_400) as i64;
            data.push(&Interaction::purchase(
                format!("c{c:06}"),
                format!("SKU-{item:06}"),
                at,
            ));
        }
    }
    data
}

/// CPU seconds (user + system, all threads) this process has used: with other jobs on the
/// machine the wall time varies with their load, the CPU time much less.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // USER_HZ is 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// The 1-minute load average, to read the wall time by.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

/// Peak resident memory of this process (VmHWM), in MB.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn measure(items: usize) {
    let data = shop(items);
    let loaded_mb = peak_rss_mb();
    let load = load_average();
    let cpu = cpu_seconds();
    let started = Instant::now();
    let model = Model::build(&data, &ModelConfig::default());
    let build_s = started.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - cpu;
    let choice = model.choice().map_or("-".to_owned(), |c| {
        format!(
            "{} (item-item on {} items, {} validation profiles in the latest slice)",
            c.family, c.items_learnt, c.profiles
        )
    });
    println!(
        "{items} items, {} events, {} customers: default build {build_s:.1} s wall ({cpu_s:.1} s \
         CPU; load average {load} at the start), peak RSS {} MB ({loaded_mb} MB after generating \
         the data); model {:.1} MB; chose {choice}",
        data.len(),
        data.profile_count(),
        peak_rss_mb(),
        model.heap_bytes() as f64 / 1e6,
    );
}

fn main() {
    if let Some(items) = std::env::var(CHILD).ok().and_then(|v| v.parse().ok()) {
        measure(items);
        return;
    }
    // `cargo bench` passes `--bench`; a number is a size to measure. Without either (e.g.
    // `cargo test --all-targets`) nothing is measured: a build takes tens of seconds.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() && !args.iter().any(|a| a == "--bench") {
        println!("large_catalogue: run by `cargo bench` (or with sizes as arguments)");
        return;
    }
    let me = std::env::current_exe().expect("the bench's own path");
    for items in if sizes.is_empty() {
        SIZES.to_vec()
    } else {
        sizes
    } {
        let status = Command::new(&me)
            .env(CHILD, items.to_string())
            .status()
            .expect("the bench runs itself per size");
        assert!(status.success(), "the build of {items} items failed");
    }
}
