//! Threshold-free verification metrics over ascending score slices in
//! similarity orientation (mated scores should be high).

/// Equal error rate, bob.measure convention: over every observed score t
/// (mated or non-mated) as threshold, with FMR(t) = #{non-mated ≥ t}/N and
/// FNMR(t) = #{mated < t}/M, take the t minimising |FMR − FNMR| (the lowest
/// such t on ties; compared exactly in integers) and report
/// EER = (FMR + FNMR)/2 there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eer {
    pub eer: f64,
    pub threshold: f64,
    pub fmr: f64,
    pub fnmr: f64,
}

/// `None` when either set is empty.
pub fn eer(mated: &[f64], nonmated: &[f64]) -> Option<Eer> {
    let (m, n) = (mated.len() as u128, nonmated.len() as u128);
    if m == 0 || n == 0 {
        return None;
    }
    let (mut i, mut j) = (0usize, 0usize); // #mated < t, #non-mated < t
    let mut best: Option<(u128, f64, usize, usize)> = None;
    while i < mated.len() || j < nonmated.len() {
        let t = match (mated.get(i), nonmated.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => unreachable!(),
        };
        // |FMR − FNMR| · M · N = |(N − j)·M − i·N|
        let lhs = (n - j as u128) * m;
        let rhs = i as u128 * n;
        let gap = lhs.abs_diff(rhs);
        if best.is_none_or(|b| gap < b.0) {
            best = Some((gap, t, i, j));
        }
        while i < mated.len() && mated[i] <= t {
            i += 1;
        }
        while j < nonmated.len() && nonmated[j] <= t {
            j += 1;
        }
    }
    let (_, threshold, i, j) = best?;
    let fmr = (nonmated.len() - j) as f64 / n as f64;
    let fnmr = i as f64 / m as f64;
    Some(Eer {
        eer: (fmr + fnmr) / 2.0,
        threshold,
        fmr,
        fnmr,
    })
}

/// Area under the ROC curve: P(mated > non-mated) + ½·P(tie), the
/// Mann–Whitney form (equal to scikit-learn's `roc_auc_score`). `None` when
/// either set is empty.
pub fn auc(mated: &[f64], nonmated: &[f64]) -> Option<f64> {
    if mated.is_empty() || nonmated.is_empty() {
        return None;
    }
    // Twice the count, to keep the half for ties exact.
    let (mut below, mut upto) = (0usize, 0usize);
    let mut twice: u128 = 0;
    for &s in mated {
        while below < nonmated.len() && nonmated[below] < s {
            below += 1;
        }
        upto = upto.max(below);
        while upto < nonmated.len() && nonmated[upto] <= s {
            upto += 1;
        }
        twice += (below + upto) as u128;
    }
    Some(twice as f64 / (2.0 * mated.len() as f64 * nonmated.len() as f64))
}

/// Decidability d′ = (μ_mated − μ_nonmated) / √((σ²_mated + σ²_nonmated)/2)
/// with population variances (ddof = 0, as pyeer), in similarity orientation
/// (positive when mated comparisons look more alike). `None` when either set
/// is empty or both variances are 0.
pub fn dprime(mated: &[f64], nonmated: &[f64]) -> Option<f64> {
    let (mm, vm) = mean_var(mated)?;
    let (mn, vn) = mean_var(nonmated)?;
    let pooled = ((vm + vn) / 2.0).sqrt();
    (pooled > 0.0).then(|| (mm - mn) / pooled)
}

fn mean_var(x: &[f64]) -> Option<(f64, f64)> {
    if x.is_empty() {
        return None;
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Some((mean, var))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eer_hand_worked() {
        // mated 3,4,5,6; non-mated 1,2,3,4. Candidates t ∈ {1..6}:
        // t=3: FNMR 0/4, FMR 2/4 → gap 0.5; t=4: FNMR 1/4, FMR 1/4 → gap 0.
        let e = eer(&[3., 4., 5., 6.], &[1., 2., 3., 4.]).unwrap();
        assert_eq!((e.threshold, e.fmr, e.fnmr, e.eer), (4.0, 0.25, 0.25, 0.25));
        // Perfect separation: t = 3 gives FMR 0, FNMR 0.
        let e = eer(&[3., 4.], &[1., 2.]).unwrap();
        assert_eq!((e.threshold, e.eer), (3.0, 0.0));
        assert!(eer(&[], &[1.0]).is_none());
    }

    #[test]
    fn eer_with_unequal_crossing_averages_the_two_rates() {
        // mated 2,3; non-mated 1,2,2.5: t=2: FNMR 0, FMR 2/3 (gap 2/3);
        // t=2.5: FNMR 1/2, FMR 1/3 (gap 1/6); t=3: FNMR 1/2, FMR 0 (gap 1/2).
        let e = eer(&[2., 3.], &[1., 2., 2.5]).unwrap();
        assert_eq!(e.threshold, 2.5);
        assert!((e.eer - (0.5 + 1.0 / 3.0) / 2.0).abs() < 1e-15);
    }

    #[test]
    fn auc_counts_ties_as_half() {
        // pairs (m, n): 2>1, 2=2, 3>1, 3>2 → (3 + 0.5)/4
        assert_eq!(auc(&[2., 3.], &[1., 2.]), Some(0.875));
        assert_eq!(auc(&[1.], &[1.]), Some(0.5));
        assert_eq!(auc(&[0.], &[1., 2.]), Some(0.0));
    }

    #[test]
    fn dprime_hand_worked() {
        // mated 2,4 (μ 3, σ² 1); non-mated 0,0 (μ 0, σ² 0) → 3/√0.5
        let d = dprime(&[2., 4.], &[0., 0.]).unwrap();
        assert!((d - 3.0 / 0.5f64.sqrt()).abs() < 1e-15);
        assert!(dprime(&[1., 1.], &[0., 0.]).is_none());
    }
}
