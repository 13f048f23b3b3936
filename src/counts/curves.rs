//! Deterministic counting helpers shared by the engines: a chunked parallel
//! fold whose sums do not depend on the thread count, and the thresholds at
//! which per-group curves (DET, rate against threshold) are sampled.

use rayon::prelude::*;

/// Folds rows into per-slot accumulators in fixed-size chunks merged in a
/// fixed order, so weighted sums do not depend on the thread count.
pub(crate) fn fold<T: Clone + Default + Send>(
    n: usize,
    slots: usize,
    add: impl Fn(&mut [T], usize) + Sync,
    merge: impl Fn(&mut T, &T),
) -> Vec<T> {
    const CHUNK: usize = 1 << 16;
    let parts: Vec<Vec<T>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut acc = vec![T::default(); slots];
            for i in c * CHUNK..n.min((c + 1) * CHUNK) {
                add(&mut acc, i);
            }
            acc
        })
        .collect();
    let mut out = vec![T::default(); slots];
    for p in &parts {
        for (o, x) in out.iter_mut().zip(p) {
            merge(o, x);
        }
    }
    out
}

/// [`fold`] over slots too many to hold densely: each row adds to the slot
/// `key` gives it (none: skipped); the observed slots with their sums come
/// back in key order. Memory and time follow the rows, not the key space.
pub(crate) fn fold_sparse<K: Ord + Copy + Send + Sync, T: Default + Send>(
    n: usize,
    key: impl Fn(usize) -> Option<K> + Sync,
    add: impl Fn(&mut T, usize) + Sync,
    merge: impl Fn(&mut T, &T),
) -> Vec<(K, T)> {
    use std::collections::BTreeMap;
    const CHUNK: usize = 1 << 16;
    let parts: Vec<BTreeMap<K, T>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut acc = BTreeMap::new();
            for i in c * CHUNK..n.min((c + 1) * CHUNK) {
                if let Some(k) = key(i) {
                    add(acc.entry(k).or_default(), i);
                }
            }
            acc
        })
        .collect();
    let mut out: BTreeMap<K, T> = BTreeMap::new();
    for p in &parts {
        for (k, x) in p {
            merge(out.entry(*k).or_default(), x);
        }
    }
    out.into_iter().collect()
}

/// Thresholds at the 101 percentiles (0, 1, …, 100) of each of two sorted
/// score sets, merged, sorted and deduplicated: where a group's curves are drawn.
pub(crate) fn quantile_thresholds(a: &[f64], b: &[f64]) -> Vec<f64> {
    let pick = |v: &[f64]| -> Vec<f64> {
        if v.is_empty() {
            Vec::new()
        } else {
            (0..=100).map(|q| v[(v.len() - 1) * q / 100]).collect()
        }
    };
    let mut t: Vec<f64> = pick(a).into_iter().chain(pick(b)).collect();
    t.sort_by(f64::total_cmp);
    t.dedup();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_sums_in_a_fixed_order() {
        let n = 3 * (1 << 16) + 5;
        let sums = fold(
            n,
            2,
            |acc: &mut [f64], i| acc[i % 2] += i as f64,
            |a, b| *a += b,
        );
        let want: f64 = (0..n).filter(|i| i % 2 == 0).map(|i| i as f64).sum();
        assert_eq!(sums[0], want);
    }

    #[test]
    fn sparse_fold_sums_like_the_dense_fold_over_observed_slots_only() {
        let n = 2 * (1 << 16) + 7;
        // Slots i % 7 of a key space of 10^12; slot 3 is never used.
        let key = |i: usize| (i % 7 != 3).then_some((i % 7) as u64 * 1_000_000_000_000 / 7);
        let sparse = fold_sparse(
            n,
            key,
            |a: &mut f64, i| *a += 0.1 * i as f64,
            |a, b| *a += b,
        );
        let dense = fold(
            n,
            7,
            |acc: &mut [f64], i| {
                if i % 7 != 3 {
                    acc[i % 7] += 0.1 * i as f64
                }
            },
            |a, b| *a += b,
        );
        let want: Vec<(u64, f64)> = [0, 1, 2, 4, 5, 6]
            .iter()
            .map(|&s| (s * 1_000_000_000_000 / 7, dense[s as usize]))
            .collect();
        assert_eq!(sparse, want);
    }

    #[test]
    fn thresholds_are_sorted_percentiles_of_both_sets() {
        let a: Vec<f64> = (0..201).map(|i| i as f64).collect();
        let t = quantile_thresholds(&a, &[]);
        assert_eq!(t.len(), 101);
        assert_eq!((t[0], t[50], t[100]), (0.0, 100.0, 200.0));
        assert_eq!(quantile_thresholds(&[1.0], &[1.0, 2.0]), [1.0, 2.0]);
    }
}
