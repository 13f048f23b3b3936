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
    fn thresholds_are_sorted_percentiles_of_both_sets() {
        let a: Vec<f64> = (0..201).map(|i| i as f64).collect();
        let t = quantile_thresholds(&a, &[]);
        assert_eq!(t.len(), 101);
        assert_eq!((t[0], t[50], t[100]), (0.0, 100.0, 200.0));
        assert_eq!(quantile_thresholds(&[1.0], &[1.0, 2.0]), [1.0, 2.0]);
    }
}
