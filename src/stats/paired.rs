//! Two models on the same trials: McNemar's exact test on the trials where
//! their decisions differ, and Newcombe's interval for the difference of the
//! two (paired) rates.

use crate::math::interval::wilson;
use crate::math::special::{binomial_cdf, normal_quantile};
use serde::{Deserialize, Serialize};

/// How two models' events (errors) fall on the same `trials` of one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discordance {
    /// Trials both models saw.
    pub trials: u64,
    /// Trials where both made the event.
    pub both: u64,
    /// Trials where only model A made it.
    pub only_a: u64,
    /// Trials where only model B made it.
    pub only_b: u64,
}

impl Discordance {
    /// From each model's events and the events they share; `None` without
    /// trials (nothing to test) or when the counts contradict one another
    /// (shared events beyond either model's).
    pub fn new(trials: u64, events_a: u64, events_b: u64, both: u64) -> Option<Discordance> {
        if trials == 0 {
            return None;
        }
        let d = Discordance {
            trials,
            both,
            only_a: events_a.checked_sub(both)?,
            only_b: events_b.checked_sub(both)?,
        };
        (events_a + events_b - both <= trials).then_some(d)
    }

    /// The rate of model B minus that of model A: (only_b − only_a) / trials.
    pub fn difference(&self) -> f64 {
        (self.only_b as f64 - self.only_a as f64) / self.trials as f64
    }

    /// McNemar's exact test, two-sided: with m = only_a + only_b discordant
    /// trials and k = min(only_a, only_b), p = min(1, 2·P(X ≤ k)) for
    /// X ~ Binomial(m, ½); 1 when no trial is discordant. This is scipy's
    /// `binomtest(only_a, m, 0.5)` (the distribution is symmetric).
    pub fn mcnemar_p(&self) -> f64 {
        let m = self.only_a + self.only_b;
        if m == 0 {
            return 1.0;
        }
        (2.0 * binomial_cdf(self.only_a.min(self.only_b), m, 0.5)).min(1.0)
    }

    /// Newcombe's square-and-add interval (1998, method 10) for the rate of
    /// B minus the rate of A at `level`: Wilson intervals (l, u) of both
    /// rates p_A, p_B, combined as Δ − √((p_B − l_B)² + (u_A − p_A)² −
    /// 2ψ(p_B − l_B)(u_A − p_A)) and Δ + √((u_B − p_B)² + (p_A − l_A)² −
    /// 2ψ(u_B − p_B)(p_A − l_A)), where ψ is the correlation of the paired
    /// decisions, (ad − bc)/√(product of the margins), with Newcombe's
    /// continuity adjustment (ad − bc − N/2 when that is positive, 0 for
    /// 0 ≤ ad − bc ≤ N/2) and 0 when a margin is empty. `None` without trials.
    pub fn newcombe(&self, level: f64) -> Option<(f64, f64)> {
        if self.trials == 0 {
            return None;
        }
        let n = self.trials as f64;
        let (a, b, c) = (self.both as f64, self.only_a as f64, self.only_b as f64);
        let d = n - a - b - c;
        let (ka, kb) = (a + b, a + c);
        let z = normal_quantile(1.0 - (1.0 - level) / 2.0);
        let ((la, ua), (lb, ub)) = (wilson(ka, n, z), wilson(kb, n, z));
        let (pa, pb) = (ka / n, kb / n);
        let margins = ka * (n - ka) * kb * (n - kb);
        let cross = a * d - b * c;
        let psi = match cross {
            _ if margins == 0.0 => 0.0,
            x if x > n / 2.0 => (x - n / 2.0) / margins.sqrt(),
            x if x >= 0.0 => 0.0,
            x => x / margins.sqrt(),
        };
        let half = |x: f64, y: f64| (x * x + y * y - 2.0 * psi * x * y).max(0.0).sqrt();
        let delta = pb - pa;
        Some((
            (delta - half(pb - lb, ua - pa)).max(-1.0),
            (delta + half(ub - pb, pa - la)).min(1.0),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newcombe_matches_the_published_example() {
        // Fagerland, Lydersen & Laake, "Statistical Analysis of Contingency
        // Tables" (2017), ch. 8, Cavo et al. (2012): [[59, 6], [16, 80]],
        // p₁₊ − p₊₁ = −0.0621, 95 % CI −0.1186 to −0.0046. Here A is the row
        // (59 + 6 events), B the column (59 + 16), so B − A = +0.0621.
        let d = Discordance::new(161, 65, 75, 59).unwrap();
        assert!((d.difference() - 10.0 / 161.0).abs() < 1e-15);
        let (lo, hi) = d.newcombe(0.95).unwrap();
        assert!((lo - 0.0046).abs() < 5e-5, "{lo}");
        assert!((hi - 0.1186).abs() < 5e-5, "{hi}");
    }

    #[test]
    fn mcnemar_by_hand() {
        // 6 and 16 discordant: 2·P(X ≤ 6), X ~ Bin(22, ½) =
        // 2·(1 + 22 + 231 + 1540 + 7315 + 26334 + 74613) / 2²² = 0.0524787902…
        let d = Discordance::new(161, 65, 75, 59).unwrap();
        assert!((d.mcnemar_p() - 220112.0 / 4194304.0).abs() < 1e-14);
        // 0 and 5 discordant: 2 / 32.
        let d = Discordance::new(100, 10, 15, 10).unwrap();
        assert!((d.mcnemar_p() - 0.0625).abs() < 1e-15);
        // equal discordance, or none: 1.
        assert_eq!(Discordance::new(50, 7, 7, 3).unwrap().mcnemar_p(), 1.0);
        assert_eq!(Discordance::new(50, 4, 4, 4).unwrap().mcnemar_p(), 1.0);
    }

    #[test]
    fn contradictory_counts_and_no_trials_are_refused() {
        assert!(Discordance::new(0, 0, 0, 0).is_none());
        assert!(Discordance::new(10, 3, 4, 5).is_none());
        assert!(Discordance::new(10, 8, 8, 5).is_none());
        assert!(Discordance::new(10, 8, 7, 5).is_some());
    }

    #[test]
    fn no_discordance_gives_a_tight_interval_around_zero() {
        let (lo, hi) = Discordance::new(1000, 30, 30, 30)
            .unwrap()
            .newcombe(0.95)
            .unwrap();
        assert!(lo < 0.0 && hi > 0.0 && hi - lo < 0.03, "{lo} {hi}");
    }
}
