//! Threshold-free verification metrics over ascending (optionally weighted)
//! score columns in similarity orientation (mated scores should be high).

use crate::counts::column::Column;

/// Equal error rate, bob.measure's `eer`: at the threshold its
/// `eer_threshold` picks, EER = (FMR + FNMR)/2, with FMR(t) = #{non-mated ≥
/// t}/N and FNMR(t) = #{mated < t}/M.
///
/// bob.measure scans from the lowest score up: the lowest score, then the
/// midpoint above each distinct score, which accepts what the next higher
/// score accepts — so its operating points are those of the observed scores
/// as thresholds, and we report the score (bob.measure the midpoint). It
/// keeps the threshold with the least |FMR − FNMR|, a later one on a tie
/// (`<=`) while both classes still have scores at or above it; the first one
/// past the top score of either class is its last and must be strictly
/// better (`<`). FMR − FNMR falls strictly from one observed score to the
/// next, so we find the least gap exactly in integers, and a tie is two
/// neighbours at ±g. There bob.measure compares rates it accumulates in
/// floating point (FMR = 1 − 1/N − 1/N − …, FNMR = 1/M + 1/M + …), and the
/// rounding decides; [`bob_prefers_later`] repeats that arithmetic, so ties
/// resolve as in bob.measure (usually to the higher threshold).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Eer {
    pub(crate) eer: f64,
    pub(crate) threshold: f64,
    pub(crate) fmr: f64,
    pub(crate) fnmr: f64,
}

/// An operating point of the EER scan: threshold and the (whole) weights
/// of mated and non-mated scores below it.
#[derive(Debug, Clone, Copy)]
struct Point {
    t: f64,
    below_m: u64,
    below_n: u64,
}

/// `None` when either set is empty. Weights are whole multiplicities,
/// compared exactly as integers.
pub(crate) fn eer(mated: Column, nonmated: Column) -> Option<Eer> {
    let (ms, ns) = (mated.scores, nonmated.scores);
    let (m, n) = (mated.count(), nonmated.count());
    if m == 0 || n == 0 {
        return None;
    }
    let (mut i, mut j) = (0usize, 0usize); // first index with score >= t
    let mut best: Option<(u128, Point)> = None;
    while i < ms.len() || j < ns.len() {
        let t = match (ms.get(i), ns.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => unreachable!(),
        };
        let p = Point {
            t,
            below_m: mated.count_below_index(i),
            below_n: nonmated.count_below_index(j),
        };
        while i < ms.len() && ms[i] <= t {
            i += 1;
        }
        while j < ns.len() && ns[j] <= t {
            j += 1;
        }
        if mated.count_below_index(i) == p.below_m && nonmated.count_below_index(j) == p.below_n {
            continue; // every score at t has weight 0: not an observed score
        }
        // |FMR − FNMR| · M · N = |(N − below_n)·M − below_m·N|
        let gap = ((n - p.below_n) as u128 * m as u128).abs_diff(p.below_m as u128 * n as u128);
        let take = match best {
            None => true,
            Some((g, b)) => gap < g || (gap == g && bob_prefers_later(b, p, m, n)),
        };
        if take {
            best = Some((gap, p));
        }
        if p.below_m == m || p.below_n == n {
            break; // bob.measure's last threshold: one class lies wholly below
        }
    }
    let (_, p) = best?;
    let fmr = (n - p.below_n) as f64 / n as f64;
    let fnmr = p.below_m as f64 / m as f64;
    Some(Eer {
        eer: (fmr + fnmr) / 2.0,
        threshold: p.t,
        fmr,
        fnmr,
    })
}

/// Whether bob.measure's scan, holding `earlier`, moves to `later` when
/// both have the same |FMR − FNMR| in exact arithmetic: it compares
/// |FMR − FNMR| of its accumulated rates, `<=` while both classes have
/// scores at or above `later`, `<` at its last threshold. Costs one float
/// operation per comparison below the thresholds (at most once per scan:
/// only the two neighbours at the least gap can tie).
fn bob_prefers_later(earlier: Point, later: Point, m: u64, n: u64) -> bool {
    let accumulated = |start: f64, step: f64, times: u64| {
        let mut x = start;
        for _ in 0..times {
            x += step;
        }
        x
    };
    let gap = |p: Point| {
        let fmr = accumulated(1.0, -1.0 / n as f64, p.below_n);
        let fnmr = accumulated(0.0, 1.0 / m as f64, p.below_m);
        (fmr - fnmr).abs()
    };
    let (before, after) = (gap(earlier), gap(later));
    if later.below_m < m && later.below_n < n {
        after <= before
    } else {
        after < before
    }
}

/// Area under the ROC curve: P(mated > non-mated) + ½·P(tie), the
/// Mann–Whitney form (equal to scikit-learn's `roc_auc_score`), weighted.
/// `None` when either set is empty.
pub(crate) fn auc(mated: Column, nonmated: Column) -> Option<f64> {
    let (mt, nt) = (mated.total(), nonmated.total());
    if mt <= 0.0 || nt <= 0.0 {
        return None;
    }
    let ns = nonmated.scores;
    // Twice the weighted count, so that ties count ½ exactly; the mated scores
    // ascend, so both non-mated pointers only move forward.
    let (mut below, mut upto) = (0usize, 0usize);
    let mut twice = 0.0;
    for (i, &s) in mated.scores.iter().enumerate() {
        while below < ns.len() && ns[below] < s {
            below += 1;
        }
        upto = upto.max(below);
        while upto < ns.len() && ns[upto] <= s {
            upto += 1;
        }
        let w = mated.weight(i);
        if w != 0.0 {
            twice += w * (nonmated.weight_below_index(below) + nonmated.weight_below_index(upto));
        }
    }
    Some(twice / (2.0 * mt * nt))
}

/// Decidability d′ = (μ_mated − μ_nonmated) / √((σ²_mated + σ²_nonmated)/2)
/// with population variances (ddof = 0, as pyeer), in similarity orientation
/// (positive when mated comparisons look more alike), weighted. `None` when
/// either set is empty or both variances are 0.
pub(crate) fn dprime(mated: Column, nonmated: Column) -> Option<f64> {
    let (mm, vm) = mean_var(mated)?;
    let (mn, vn) = mean_var(nonmated)?;
    let pooled = ((vm + vn) / 2.0).sqrt();
    (pooled > 0.0).then(|| (mm - mn) / pooled)
}

fn mean_var(c: Column) -> Option<(f64, f64)> {
    let total = c.total();
    if total <= 0.0 {
        return None;
    }
    let w = |i: usize| c.weight(i);
    let mean = c
        .scores
        .iter()
        .enumerate()
        .map(|(i, s)| w(i) * s)
        .sum::<f64>()
        / total;
    let var = c
        .scores
        .iter()
        .enumerate()
        .map(|(i, s)| w(i) * (s - mean).powi(2))
        .sum::<f64>()
        / total;
    Some((mean, var))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::column::prefix_sums;

    #[test]
    fn eer_hand_worked() {
        // mated 3,4,5,6; non-mated 1,2,3,4. Candidates t ∈ {1..6}:
        // t=3: FNMR 0/4, FMR 2/4 → gap 0.5; t=4: FNMR 1/4, FMR 1/4 → gap 0.
        let e = eer(
            Column::unit(&[3., 4., 5., 6.]),
            Column::unit(&[1., 2., 3., 4.]),
        )
        .unwrap();
        assert_eq!((e.threshold, e.fmr, e.fnmr, e.eer), (4.0, 0.25, 0.25, 0.25));
        // Perfect separation: t = 3 gives FMR 0, FNMR 0.
        let e = eer(Column::unit(&[3., 4.]), Column::unit(&[1., 2.])).unwrap();
        assert_eq!((e.threshold, e.eer), (3.0, 0.0));
        assert!(eer(Column::unit(&[]), Column::unit(&[1.0])).is_none());
    }

    #[test]
    fn eer_with_unequal_crossing_averages_the_two_rates() {
        // mated 2,3; non-mated 1,2,2.5: t=2: FNMR 0, FMR 2/3 (gap 2/3);
        // t=2.5: FNMR 1/2, FMR 1/3 (gap 1/6); t=3: FNMR 1/2, FMR 0 (gap 1/2).
        let e = eer(Column::unit(&[2., 3.]), Column::unit(&[1., 2., 2.5])).unwrap();
        assert_eq!(e.threshold, 2.5);
        assert!((e.eer - (0.5 + 1.0 / 3.0) / 2.0).abs() < 1e-15);
    }

    /// EER, threshold, FMR and FNMR of unit columns (sorted here).
    fn eer_of(mated: &[f64], nonmated: &[f64]) -> (f64, f64, f64, f64) {
        let sorted = |v: &[f64]| {
            let mut v = v.to_vec();
            v.sort_by(f64::total_cmp);
            v
        };
        let (m, n) = (sorted(mated), sorted(nonmated));
        let e = eer(Column::unit(&m), Column::unit(&n)).unwrap();
        (e.eer, e.threshold, e.fmr, e.fnmr)
    }

    #[test]
    fn eer_tie_past_the_top_non_mated_score_goes_up_as_bob_measure() {
        // Issue 13: mated {5, 5, 0}, non-mated {4, −1, 4, 4, 4, −1} (M = 3, N = 6).
        // t = −1: FMR 6/6, FNMR 0 (gap 1); t = 0: 4/6, 0 (2/3);
        // t = 4: 4/6, 1/3 (1/3); t = 5: 0, 1/3 (1/3) — a tie, and t = 5 is
        // bob.measure's last threshold (no non-mated score ≥ 5), taken only if
        // strictly better. Its accumulated rates: at t = 4, FMR = 1 − 1/6 −
        // 1/6 = 0.6666666666666667, gap 0.3333333333333334; at t = 5, FMR =
        // 1 − 6 × 1/6 = 1.7e-16, gap 0.33333333333333315 — smaller, so
        // bob.measure takes t = 5 (its threshold 4.5): EER = (0 + 1/3)/2 = 1/6,
        // bob.measure's value in the issue (the lowest tied t gave 0.5).
        let (e, t, fmr, fnmr) = eer_of(&[5., 5., 0.], &[4., -1., 4., 4., 4., -1.]);
        assert_eq!((t, fmr, fnmr), (5.0, 0.0, 1.0 / 3.0));
        assert_eq!(e, 1.0 / 6.0);
    }

    #[test]
    fn eer_tie_at_the_last_threshold_needs_strict_improvement() {
        // mated {1, 2}, non-mated {0, 1}: t = 0: gap 1; t = 1: FMR 1/2,
        // FNMR 0 (1/2); t = 2: FMR 0, FNMR 1/2 (1/2), bob.measure's last
        // threshold. Accumulated: at t = 2, FMR = 1 − 0.5 − 0.5 = 0 exactly, so
        // the gaps are equal (0.5) and `<` keeps t = 1 (its threshold 0.5).
        let (e, t, fmr, fnmr) = eer_of(&[1., 2.], &[0., 1.]);
        assert_eq!((e, t, fmr, fnmr), (0.25, 1.0, 0.5, 0.0));
    }

    #[test]
    fn eer_tie_inside_the_scan_goes_up() {
        // mated {1, 3}, non-mated {0, 2, 4}: t = 2: FMR 2/3, FNMR 1/2 (1/6);
        // t = 3: FMR 1/3, FNMR 1/2 (1/6), with scores of both classes at or
        // above 3, so `<=`. Accumulated: FMR = 1 − 1/3 = 0.6666666666666667,
        // then 0.33333333333333337; gaps 0.16666666666666674 and
        // 0.16666666666666663: bob.measure moves up to t = 3 (its 2.5).
        // EER = (1/3 + 1/2)/2 = 5/12 (the lower t would give 7/12).
        let (e, t, fmr, fnmr) = eer_of(&[1., 3.], &[0., 2., 4.]);
        assert_eq!((t, fmr, fnmr), (3.0, 1.0 / 3.0, 0.5));
        assert_eq!(e, (1.0 / 3.0 + 0.5) / 2.0);
    }

    #[test]
    fn eer_tie_kept_low_where_bob_measure_rounding_says_so() {
        // mated {0, 1, 2, 4, 5}, non-mated {0, 5}: t = 2: FMR 1/2, FNMR 2/5
        // (1/10); t = 4: FMR 1/2, FNMR 3/5 (1/10), inside the scan. FNMR
        // accumulates 0.2 + 0.2 = 0.4, then 0.6000000000000001; gaps
        // 0.5 − 0.4 = 0.09999999999999998 and 0.10000000000000009: the later
        // is larger, so bob.measure stays at t = 2 (its 1.5): EER 0.45.
        let (e, t, fmr, fnmr) = eer_of(&[0., 1., 2., 4., 5.], &[0., 5.]);
        assert_eq!((t, fmr, fnmr), (2.0, 0.5, 0.4));
        assert_eq!(e, (0.5 + 0.4) / 2.0);
    }

    #[test]
    fn eer_ties_weigh_multiplicities_like_repeated_scores() {
        // The case as weights: mated 0 ×1, 5 ×2; non-mated −1 ×2, 4 ×4.
        let (m, n) = ([0., 5.], [-1., 4.]);
        let (pm, pn) = (
            prefix_sums(&[0usize, 1], |r| [1, 2][r]),
            prefix_sums(&[0usize, 1], |r| [2, 4][r]),
        );
        let e = eer(Column::weighted(&m, &pm), Column::weighted(&n, &pn)).unwrap();
        assert_eq!((e.eer, e.threshold), (1.0 / 6.0, 5.0));
    }

    #[test]
    fn auc_counts_ties_as_half() {
        // pairs (m, n): 2>1, 2=2, 3>1, 3>2 → (3 + 0.5)/4
        assert_eq!(
            auc(Column::unit(&[2., 3.]), Column::unit(&[1., 2.])),
            Some(0.875)
        );
        assert_eq!(auc(Column::unit(&[1.]), Column::unit(&[1.])), Some(0.5));
        assert_eq!(auc(Column::unit(&[0.]), Column::unit(&[1., 2.])), Some(0.0));
    }

    #[test]
    fn dprime_hand_worked() {
        // mated 2,4 (μ 3, σ² 1); non-mated 0,0 (μ 0, σ² 0) → 3/√0.5
        let d = dprime(Column::unit(&[2., 4.]), Column::unit(&[0., 0.])).unwrap();
        assert!((d - 3.0 / 0.5f64.sqrt()).abs() < 1e-15);
        assert!(dprime(Column::unit(&[1., 1.]), Column::unit(&[0., 0.])).is_none());
    }

    #[test]
    fn weighted_metrics_equal_those_of_the_repeated_scores() {
        use crate::counts::column::tests::weighted_and_expanded;
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        for _ in 0..2000 {
            let (ms, mw, me) = weighted_and_expanded(&mut rng);
            let (ns, nw, ne) = weighted_and_expanded(&mut rng);
            let (pm, pn) = (prefix_sums(&mw, |x| x), prefix_sums(&nw, |x| x));
            let (m, n) = (Column::weighted(&ms, &pm), Column::weighted(&ns, &pn));
            let (um, un) = (Column::unit(&me), Column::unit(&ne));
            assert_eq!(eer(m, n), eer(um, un), "{ms:?} {mw:?} {ns:?} {nw:?}");
            assert_eq!(auc(m, n), auc(um, un));
            match (dprime(m, n), dprime(um, un)) {
                (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0)),
                (x, y) => assert_eq!(x, y),
            }
        }
    }
}
