//! Threshold-free verification metrics over ascending (optionally weighted)
//! score columns in similarity orientation (mated scores should be high).

use crate::counts::column::Column;

/// Equal error rate, bob.measure convention: over every observed score t
/// (mated or non-mated) as threshold, with FMR(t) = #{non-mated ≥ t}/N and
/// FNMR(t) = #{mated < t}/M, take the t minimising |FMR − FNMR| (the lowest
/// such t on ties; compared exactly in integers) and report
/// EER = (FMR + FNMR)/2 there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Eer {
    pub(crate) eer: f64,
    pub(crate) threshold: f64,
    pub(crate) fmr: f64,
    pub(crate) fnmr: f64,
}

/// `None` when either set is empty. Weights are whole multiplicities
/// (compared exactly as integers).
pub(crate) fn eer(mated: Column, nonmated: Column) -> Option<Eer> {
    let (ms, ns) = (mated.scores, nonmated.scores);
    let (m, n) = (
        mated.total().round() as u128,
        nonmated.total().round() as u128,
    );
    if m == 0 || n == 0 {
        return None;
    }
    let whole = |c: &Column, i: usize| c.weight_below_index(i).round() as u128;
    let (mut i, mut j) = (0usize, 0usize); // first index with score >= t
    let mut best: Option<(u128, f64, u128, u128)> = None;
    while i < ms.len() || j < ns.len() {
        let t = match (ms.get(i), ns.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => unreachable!(),
        };
        let (below_m, below_n) = (whole(&mated, i), whole(&nonmated, j));
        while i < ms.len() && ms[i] <= t {
            i += 1;
        }
        while j < ns.len() && ns[j] <= t {
            j += 1;
        }
        if whole(&mated, i) == below_m && whole(&nonmated, j) == below_n {
            continue; // every score at t has weight 0: not an observed score
        }
        // |FMR − FNMR| · M · N = |(N − below_n)·M − below_m·N|
        let gap = ((n - below_n) * m).abs_diff(below_m * n);
        if best.is_none_or(|b| gap < b.0) {
            best = Some((gap, t, below_m, below_n));
        }
    }
    let (_, threshold, below_m, below_n) = best?;
    let fmr = (n - below_n) as f64 / n as f64;
    let fnmr = below_m as f64 / m as f64;
    Some(Eer {
        eer: (fmr + fnmr) / 2.0,
        threshold,
        fmr,
        fnmr,
    })
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
}
