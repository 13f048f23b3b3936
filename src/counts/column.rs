//! A sorted score column with optional whole-number weights (bootstrap
//! multiplicities, row counts): weighted counts at a threshold by binary
//! search over integer prefix sums.

use crate::counts::threshold::Target;

/// Scores sorted ascending, each with weight 1 or the weight implied by a
/// prefix-sum array (`prefix[i]` = Σ weights of indices < i, length n + 1).
/// Counts are exact integers; the `f64` readings ([`below`](Self::below),
/// [`total`](Self::total), …) are exact below 2^53.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column<'a> {
    pub(crate) scores: &'a [f64],
    prefix: Option<&'a [u64]>,
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
    pub(crate) fn weighted(scores: &'a [f64], prefix: &'a [u64]) -> Column<'a> {
        debug_assert_eq!(prefix.len(), scores.len() + 1);
        Column {
            scores,
            prefix: Some(prefix),
        }
    }

    /// Σ weights of the first `i` scores, exactly.
    pub(crate) fn count_below_index(&self, i: usize) -> u64 {
        match self.prefix {
            None => i as u64,
            Some(p) => p[i],
        }
    }

    /// Σ weights of every score, exactly.
    pub(crate) fn count(&self) -> u64 {
        self.count_below_index(self.scores.len())
    }

    /// Σ weights of the first `i` scores.
    pub(crate) fn weight_below_index(&self, i: usize) -> f64 {
        self.count_below_index(i) as f64
    }

    pub(crate) fn total(&self) -> f64 {
        self.count() as f64
    }

    /// Weight of the score at index i, exactly.
    pub(crate) fn count_at(&self, i: usize) -> u64 {
        self.count_below_index(i + 1) - self.count_below_index(i)
    }

    /// Weight of the score at index i.
    pub(crate) fn weight(&self, i: usize) -> f64 {
        self.count_at(i) as f64
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
    /// never split, so the achieved rate is ≤ α. Counts are weighted (N = Σw,
    /// whole multiplicities), so k = ⌊α·N⌋ is exact for the decimal α.
    /// Scores of weight 0 are not observed. `None` for an empty or
    /// weightless column.
    pub(crate) fn fmr_threshold(&self, alpha: Target) -> Option<f64> {
        let n = self.scores.len();
        let total = self.count();
        if n == 0 || total == 0 {
            return None;
        }
        let k = alpha.floor_times(total);
        // The weight at or above scores[i] falls as i rises: find the first i where it is ≤ k.
        let at = |i: usize| {
            let x = self.scores[i];
            total - self.count_below_index(self.scores.partition_point(|&s| s < x))
        };
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
        while i < n && self.count_at(i) == 0 {
            i += 1;
        }
        if i < n {
            return Some(self.scores[i]);
        }
        let top = (0..n)
            .rev()
            .find(|&j| self.count_at(j) > 0)
            .expect("positive total weight");
        Some(crate::counts::threshold::next_up(self.scores[top]))
    }
}

/// Prefix sums of `weight(item)` over a slot's items (in score order): rows
/// weighted by their counts or a replicate's draws, or a replicate's
/// subject pairs. Length `items.len() + 1`, starting at 0.
pub(crate) fn prefix_sums<T: Copy>(items: &[T], weight: impl Fn(T) -> u64) -> Vec<u64> {
    let mut acc = 0u64;
    let sums = items.iter().map(move |&x| {
        acc += weight(x);
        acc
    });
    std::iter::once(0).chain(sums).collect()
}

#[cfg(test)]
pub(crate) mod tests {
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
        let p = prefix_sums(&[0usize, 1, 2, 3], |r| [1, 2, 0, 1][r]);
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
        let p = prefix_sums(
            &(0..99).collect::<Vec<u32>>(),
            |r| if r == 0 { 2 } else { 1 },
        );
        let c = Column::weighted(&s, &p);
        assert_eq!(c.fmr_threshold(a("0.29")), Some(71.0));
    }

    /// Random ascending scores with ties and whole weights (zeros included),
    /// and the same multiset spelled out score by score.
    pub(crate) fn weighted_and_expanded(
        rng: &mut impl rand::Rng,
    ) -> (Vec<f64>, Vec<u64>, Vec<f64>) {
        let n = rng.random_range(0..40);
        let mut scores: Vec<f64> = (0..n)
            .map(|_| rng.random_range(0..12) as f64 / 4.0)
            .collect();
        scores.sort_by(f64::total_cmp);
        let weights: Vec<u64> = (0..n).map(|_| rng.random_range(0..4)).collect();
        let expanded = scores
            .iter()
            .zip(&weights)
            .flat_map(|(&s, &w)| std::iter::repeat_n(s, w as usize))
            .collect();
        (scores, weights, expanded)
    }

    #[test]
    fn weighted_counts_equal_a_recount_of_the_repeated_scores() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..2000 {
            let (s, w, e) = weighted_and_expanded(&mut rng);
            let p = prefix_sums(&w, |x| x);
            let (c, u) = (Column::weighted(&s, &p), Column::unit(&e));
            assert_eq!((c.count(), c.total()), (e.len() as u64, e.len() as f64));
            for i in 0..=s.len() {
                assert_eq!(c.count_below_index(i), w[..i].iter().sum::<u64>());
            }
            for tau in (-1..=13).map(|t| t as f64 / 4.0) {
                let below = e.iter().filter(|&&x| x < tau).count() as f64;
                assert_eq!(c.below(tau), below);
                assert_eq!(c.at_or_above(tau), e.len() as f64 - below);
            }
            for alpha in ["0.1", "0.25", "0.5", "0.9", "1e-3"] {
                assert_eq!(
                    c.fmr_threshold(a(alpha)),
                    u.fmr_threshold(a(alpha)),
                    "{s:?} {w:?}"
                );
            }
        }
    }
}
