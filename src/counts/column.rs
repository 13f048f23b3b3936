//! A sorted score column with optional weights (bootstrap multiplicities):
//! weighted counts at a threshold by binary search over prefix sums.

use crate::counts::threshold::Target;

/// Scores sorted ascending, each with weight 1 or the weight implied by a
/// prefix-sum array (`prefix[i]` = Σ weights of indices < i, length n + 1).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column<'a> {
    pub(crate) scores: &'a [f64],
    prefix: Option<&'a [f64]>,
}

impl<'a> Column<'a> {
    /// Every score weighs 1.
    pub(crate) fn unit(scores: &'a [f64]) -> Column<'a> {
        Column {
            scores,
            prefix: None,
        }
    }

    /// Weighted by the prefix sums (`prefix.len() == scores.len() + 1`).
    pub(crate) fn weighted(scores: &'a [f64], prefix: &'a [f64]) -> Column<'a> {
        debug_assert_eq!(prefix.len(), scores.len() + 1);
        Column {
            scores,
            prefix: Some(prefix),
        }
    }

    /// Σ weights of the first `i` scores.
    pub(crate) fn weight_below_index(&self, i: usize) -> f64 {
        match self.prefix {
            None => i as f64,
            Some(p) => p[i],
        }
    }

    pub(crate) fn total(&self) -> f64 {
        self.weight_below_index(self.scores.len())
    }

    /// Weight of the score at index i.
    pub(crate) fn weight(&self, i: usize) -> f64 {
        self.weight_below_index(i + 1) - self.weight_below_index(i)
    }

    /// Σ weights of scores `< tau`.
    pub(crate) fn below(&self, tau: f64) -> f64 {
        self.weight_below_index(self.scores.partition_point(|&x| x < tau))
    }

    /// Σ weights of scores `>= tau`.
    pub(crate) fn at_or_above(&self, tau: f64) -> f64 {
        self.total() - self.below(tau)
    }

    /// The exact order-statistic threshold for a target false-match rate α:
    /// with the scores sorted descending s(1) ≥ … ≥ s(N) and k = ⌊α·N⌋, the
    /// smallest observed score τ such that #{s ≥ τ} ≤ k, or the next float
    /// above s(1) when none qualifies (ties at the top exceed k). Ties are
    /// never split, so the achieved rate is ≤ α. Counts are weighted (N = Σw);
    /// weights are whole multiplicities (bootstrap draws, streamed counts), so
    /// N is an integer and k = ⌊α·N⌋ exact for the decimal α. Scores of
    /// weight 0 are not observed. `None` for an empty or weightless column.
    pub(crate) fn fmr_threshold(&self, alpha: Target) -> Option<f64> {
        let n = self.scores.len();
        let total = self.total();
        if n == 0 || total <= 0.0 {
            return None;
        }
        debug_assert_eq!(total.fract(), 0.0, "whole multiplicities");
        let k = alpha.floor_times(total.round() as u64) as f64;
        // The weight at or above scores[i] falls as i rises: find the first i where it is ≤ k.
        let at = |i: usize| self.at_or_above(self.scores[i]);
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if at(mid) <= k {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        // Only scores that are present (positive weight) count as observed.
        let mut i = lo;
        while i < n && self.weight(i) <= 0.0 {
            i += 1;
        }
        if i < n {
            return Some(self.scores[i]);
        }
        let top = (0..n)
            .rev()
            .find(|&j| self.weight(j) > 0.0)
            .expect("positive total weight");
        Some(crate::counts::threshold::next_up(self.scores[top]))
    }
}

/// Builds the prefix sums of `weight(row)` over a slot's rows (in score order).
pub(crate) fn prefix_sums(rows: &[u32], weight: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows.len() + 1);
    let mut acc = 0.0;
    out.push(0.0);
    for &r in rows {
        acc += weight(r as usize);
        out.push(acc);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::threshold::next_up;

    fn a(text: &str) -> Target {
        Target::parse(text).unwrap()
    }

    fn asc(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn order_statistic_without_ties() {
        // 10 scores 1..=10; α = 0.2 → k = 2 → accept {10, 9}: τ = 9.
        let s = asc(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10.]);
        assert_eq!(Column::unit(&s).fmr_threshold(a("0.2")), Some(9.0));
        assert_eq!(Column::unit(&s).at_or_above(9.0), 2.0);
        // α = 0.25 → k = ⌊2.5⌋ = 2: same threshold, achieved 0.2 ≤ 0.25.
        assert_eq!(Column::unit(&s).fmr_threshold(a("0.25")), Some(9.0));
        // α = 0.05 → k = 0 → nothing accepted: τ just above the top score.
        let t = Column::unit(&s).fmr_threshold(a("0.05")).unwrap();
        assert!(t > 10.0 && t < 10.000_000_001);
        assert_eq!(Column::unit(&s).at_or_above(t), 0.0);
    }

    #[test]
    fn ties_at_the_boundary_are_never_split() {
        // descending: 9, 7, 7, 7, 5, 3; α = 0.5 → k = 3. τ = 7 would accept 4,
        // so τ moves up to 9 and the achieved rate is 1/6.
        let s = asc(&[7., 3., 7., 9., 5., 7.]);
        assert_eq!(Column::unit(&s).fmr_threshold(a("0.5")), Some(9.0));
        // All tied at the top: 4 × 2.0, α = 0.5 → τ above 2.0, achieved 0.
        let s = asc(&[2., 2., 2., 2.]);
        let t = Column::unit(&s).fmr_threshold(a("0.5")).unwrap();
        assert_eq!(t, next_up(2.0));
        assert_eq!(Column::unit(&s).at_or_above(t), 0.0);
    }

    #[test]
    fn weights_act_as_multiplicities() {
        // 1, 2, 2, 3 (weights 1, 2, 0, 1) is the multiset {1, 2, 2, 3}:
        // α = 0.5 → k = 2 → τ = 2 accepts 2 + 1 = 3 > 2, so τ = 3.
        let s = [1., 2., 2.5, 3.];
        let p = prefix_sums(&[0, 1, 2, 3], |r| [1., 2., 0., 1.][r]);
        let c = Column::weighted(&s, &p);
        assert_eq!(c.total(), 4.0);
        assert_eq!(c.at_or_above(2.0), 3.0);
        let plain = [1., 2., 2., 3.];
        assert_eq!(
            c.fmr_threshold(a("0.5")),
            Column::unit(&plain).fmr_threshold(a("0.5"))
        );
        assert_eq!(c.fmr_threshold(a("0.5")), Some(3.0));
    }

    #[test]
    fn k_is_the_exact_floor_of_the_decimal_target() {
        // Scores 1..=N, all distinct: accepting the top k means τ = N + 1 − k.
        // k = ⌊α·N⌋ by hand, α = mantissa/10^scale: 0.29·100 = 29 where the
        // double 0.29 × 100 is 28.999999999999996 (likewise 0.57 → 56.99…,
        // 0.58 → 57.99…).
        for n in [100u64, 1000] {
            let s: Vec<f64> = (1..=n).map(|x| x as f64).collect();
            for (text, mantissa, scale) in [
                ("0.29", 29, 2),
                ("0.57", 57, 2),
                ("0.58", 58, 2),
                ("1e-3", 1, 3),
            ] {
                let k = mantissa * n / 10u64.pow(scale);
                let alpha = a(text);
                assert_eq!(alpha.floor_times(n), k, "{text} of {n}");
                let tau = Column::unit(&s).fmr_threshold(alpha).unwrap();
                if k == 0 {
                    assert_eq!(tau, next_up(n as f64), "{text} of {n}");
                } else {
                    assert_eq!(tau, (n + 1 - k) as f64, "{text} of {n}");
                }
                assert_eq!(Column::unit(&s).at_or_above(tau), k as f64);
            }
        }
        // Weighted: scores 1..=99, the lowest weighing 2 (N = 100): 0.29 →
        // k = 29 accepts the top 29, τ = 71.
        let s: Vec<f64> = (1..=99).map(|x| x as f64).collect();
        let p = prefix_sums(&(0..99).collect::<Vec<u32>>(), |r| {
            if r == 0 {
                2.0
            } else {
                1.0
            }
        });
        let c = Column::weighted(&s, &p);
        assert_eq!(c.fmr_threshold(a("0.29")), Some(71.0));
    }
}
