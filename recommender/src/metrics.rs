//! Offline ranking metrics, defined exactly as in scripts/evaluate-implicit.py.

use std::collections::HashSet;
use std::hash::Hash;

/// Hits in the first `k` of `ranked` divided by min(k, |relevant|); 0 when nothing is relevant.
///
/// Dividing by min(k, |relevant|) rather than |relevant| makes 1.0 reachable for a customer
/// who bought more than `k` new items.
pub fn recall_at_k<T: PartialEq>(ranked: &[T], relevant: &[T], k: usize) -> f64 {
    let ideal = k.min(relevant.len());
    if ideal == 0 {
        return 0.0;
    }
    let hits = ranked
        .iter()
        .take(k)
        .filter(|r| relevant.contains(r))
        .count();
    hits as f64 / ideal as f64
}

/// DCG of the first `k` of `ranked` (gain 1 per hit at rank r: 1/log2(r + 1)) over the ideal DCG.
pub fn ndcg_at_k<T: PartialEq>(ranked: &[T], relevant: &[T], k: usize) -> f64 {
    let ideal: f64 = (1..=k.min(relevant.len()))
        .map(|r| 1.0 / (r as f64 + 1.0).log2())
        .sum();
    if ideal == 0.0 {
        return 0.0;
    }
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, r)| relevant.contains(r))
        .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
        .sum();
    dcg / ideal
}

/// Share of the catalogue that appears in the first `k` of at least one list.
pub fn coverage<'a, T: Eq + Hash + 'a>(
    lists: impl IntoIterator<Item = &'a [T]>,
    k: usize,
    catalogue_size: usize,
) -> f64 {
    if catalogue_size == 0 {
        return 0.0;
    }
    let shown: HashSet<&T> = lists.into_iter().flat_map(|l| l.iter().take(k)).collect();
    shown.len() as f64 / catalogue_size as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn recall_counts_hits_in_the_top_k_over_the_reachable_maximum() {
        // 2 of the 3 relevant items in the top 3 of 4.
        assert!(close(recall_at_k(&[1, 9, 2, 3], &[1, 2, 3], 3), 2.0 / 3.0));
        // 5 relevant, k = 2, both shown are relevant: 2 / min(2, 5) = 1.
        assert!(close(recall_at_k(&[1, 2], &[1, 2, 3, 4, 5], 2), 1.0));
        assert!(close(recall_at_k(&[7, 8], &[1], 2), 0.0));
        assert!(close(recall_at_k::<u32>(&[7, 8], &[], 2), 0.0));
    }

    #[test]
    fn ndcg_discounts_hits_by_log2_of_rank_plus_one() {
        // One relevant item at rank 2: (1/log2 3) / (1/log2 2) = 0.6309…
        assert!(close(ndcg_at_k(&[9, 1, 8], &[1], 3), 1.0 / 3f64.log2()));
        // Relevant {1, 2} at ranks 1 and 3: (1 + 1/2) / (1 + 1/log2 3).
        let expected = (1.0 + 0.5) / (1.0 + 1.0 / 3f64.log2());
        assert!(close(ndcg_at_k(&[1, 9, 2], &[1, 2], 3), expected));
        // Perfect ranking scores 1; a hit beyond k scores 0.
        assert!(close(ndcg_at_k(&[1, 2], &[2, 1], 2), 1.0));
        assert!(close(ndcg_at_k(&[9, 8, 1], &[1], 2), 0.0));
    }

    #[test]
    fn coverage_is_distinct_items_shown_over_catalogue_size() {
        let lists: Vec<Vec<u32>> = vec![vec![1, 2, 3], vec![2, 3, 4], vec![5]];
        let c = coverage(lists.iter().map(Vec::as_slice), 2, 10);
        // Top 2 of each: {1,2}, {2,3}, {5} → 4 distinct of 10.
        assert!(close(c, 0.4));
    }
}
