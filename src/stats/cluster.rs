//! The design effect of a rate whose trials share subjects.
//!
//! Every subject appears in many comparisons, and comparisons of one subject
//! are correlated (a "goat" fails many of its mated comparisons, a "wolf"
//! matches many impostors), so a binomial interval on the comparisons is too
//! narrow. For p̂ = Σe/N, with e_s and n_s the events and trials involving
//! subject s (a mated comparison involves its subject, a non-mated one both
//! of its subjects) and e_d, n_d those of an unordered pair d of distinct
//! subjects, the cluster-robust variance is
//!
//! Var(p̂) = m/(m−1) · [Σ_s (e_s − p̂ n_s)² − Σ_d (e_d − p̂ n_d)²] / N²,
//!
//! m subjects. With every trial in one subject this is the ratio-estimator
//! variance of clustered binomial data (Schuckers, *Computational Methods in
//! Biometric Authentication*, 2010, ch. 3). A non-mated comparison is in
//! the cluster of *both* its subjects: the two-way (Cameron–Gelbach–Miller)
//! variance V_a + V_b − V_ab in its dyadic form (Fafchamps–Gubert 2007),
//! where a subject's comparisons as side a and as side b fall in one
//! cluster, so each pair of comparisons sharing a subject adds its
//! covariance once (the pair sum removes the second count of comparisons of
//! the same two subjects). Clustering by side a alone would miss the
//! correlation of a subject's comparisons on side b.
//!
//! The design effect is deff = Var(p̂) / (p̂(1−p̂)/N), at least 1, and the
//! interval is the chosen method's at n_eff = N/deff trials with p̂·n_eff
//! events. With 0 or N events (or one subject) the variance cannot be
//! estimated: the worst case, every trial of a subject alike, gives
//! deff = (Σ_s n_s² − Σ_d n_d²)/N (≈ the mean subject size; about the
//! number of subjects for all-pairs non-mated comparisons), so a bound
//! after zero errors is the exact one over roughly one trial per subject.
//!
//! The estimate needs subjects: in simulations with strong clustering
//! (tests/coverage_cluster.rs) 95% intervals cover 94–96% of the time with
//! 100 or more subjects per group, but FMR only 92–94% with 60 and about 88%
//! with 40 (a few "wolves" dominate the between-subject sum of squares).

/// The between-subject spread of a rate's events, summed over its trials.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Spread {
    /// Distinct subjects m among the trials.
    pub(crate) subjects: u64,
    /// Σ_s (e_s − p̂ n_s)² − Σ_d (e_d − p̂ n_d)².
    pub(crate) residual_sq: f64,
    /// Σ_s n_s² − Σ_d n_d².
    pub(crate) size_sq: f64,
}

impl Spread {
    /// The design effect of `events` in `trials` (> 0): estimated when
    /// 0 < events < trials and m ≥ 2, else the worst case; within [1, trials].
    pub(crate) fn design_effect(&self, events: f64, trials: f64) -> f64 {
        let p = events / trials;
        let d = if events > 0.0 && events < trials && self.subjects >= 2 {
            let m = self.subjects as f64;
            m / (m - 1.0) * self.residual_sq / (trials * p * (1.0 - p))
        } else {
            self.size_sq / trials
        };
        d.clamp(1.0, trials.max(1.0))
    }
}

/// The one-way form, for trials that each belong to one subject
/// (classification items): the spread of a rate's per-subject weighted
/// events e_s of trials n_s around p̂, accumulated subject by subject.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OneWay {
    p: f64,
    spread: Spread,
}

impl OneWay {
    /// An empty accumulator for the rate p̂ = `events` / `trials`.
    pub(crate) fn new(events: f64, trials: f64) -> OneWay {
        OneWay {
            p: events / trials,
            spread: Spread::default(),
        }
    }

    /// The accumulator of the rate `events` / `trials` whose per-subject
    /// events e_s of trials n_s sum to Σ(e_s − p̂ n_s)² = `residual_sq` and
    /// Σ n_s² = `size_sq` over `subjects` subjects with trials.
    pub(crate) fn from_sums(
        events: f64,
        trials: f64,
        subjects: u64,
        residual_sq: f64,
        size_sq: f64,
    ) -> OneWay {
        OneWay {
            p: events / trials,
            spread: Spread {
                subjects,
                residual_sq,
                size_sq,
            },
        }
    }

    /// Adds a subject with `events` of `trials` (weighted); one with no
    /// trial of this rate is not among its subjects.
    pub(crate) fn add(&mut self, events: f64, trials: f64) {
        if trials > 0.0 {
            self.spread.subjects += 1;
            self.spread.residual_sq += (events - self.p * trials).powi(2);
            self.spread.size_sq += trials * trials;
        }
    }

    /// The design effect relative to the Kish effective number of trials
    /// n = (Σw)²/Σw² (`trials` = Σw, `trials_sq` = Σw²): with c = Σw/Σw²,
    /// the weighted sums scaled by c are those of n unit trials, and
    /// deff = m/(m−1)·Σ_s(e_s − p̂ n_s)² / (p̂(1−p̂)·Σw²) (the linearised
    /// variance of a ratio estimator over the binomial one at n).
    pub(crate) fn design_effect(&self, trials: f64, trials_sq: f64) -> f64 {
        let c = trials / trials_sq;
        let scaled = Spread {
            residual_sq: self.spread.residual_sq * c * c,
            size_sq: self.spread.size_sq * c * c,
            ..self.spread
        };
        scaled.design_effect(self.p * trials * c, trials * c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_effect_of_hand_worked_clusters() {
        // Three subjects of 4 mated trials with 0, 2 and 4 events: p̂ = 1/2,
        // residuals −2, 0, 2: Σ = 8; Var = 3/2 · 8 / 144 = 1/12;
        // binomial 1/4/12 = 1/48, so deff = 4 (all the variance is between subjects).
        let s = Spread {
            subjects: 3,
            residual_sq: 8.0,
            size_sq: 48.0,
        };
        assert!((s.design_effect(6.0, 12.0) - 4.0).abs() < 1e-12);
        // Zero events: the worst case Σn²/N = 48/12 = 4.
        assert_eq!(s.design_effect(0.0, 12.0), 4.0);
        // Events spread evenly (residual 0) never narrow the interval.
        let even = Spread {
            residual_sq: 0.0,
            ..s
        };
        assert_eq!(even.design_effect(6.0, 12.0), 1.0);
        // One subject: the worst case, at most the number of trials.
        let one = Spread {
            subjects: 1,
            residual_sq: 0.0,
            size_sq: 16.0,
        };
        assert_eq!(one.design_effect(2.0, 4.0), 4.0);
    }

    #[test]
    fn one_way_matches_the_hand_worked_clusters_and_ignores_the_weights_scale() {
        // The same three subjects as above, accumulated one by one.
        let subjects = [(0.0, 4.0), (2.0, 4.0), (4.0, 4.0)];
        let mut w = OneWay::new(6.0, 12.0);
        subjects.iter().for_each(|&(e, n)| w.add(e, n));
        assert!((w.design_effect(12.0, 12.0) - 4.0).abs() < 1e-12);
        // Every weight ×0.01: the same design effect.
        let mut scaled = OneWay::new(0.06, 0.12);
        subjects
            .iter()
            .for_each(|&(e, n)| scaled.add(e * 0.01, n * 0.01));
        assert!((scaled.design_effect(0.12, 12.0 * 1e-4) - 4.0).abs() < 1e-9);
        // A subject without trials of the rate is not counted.
        let mut z = OneWay::new(6.0, 12.0);
        z.add(0.0, 0.0);
        assert_eq!(z.spread.subjects, 0);
    }
}
