//! Confidence intervals for binomial rates.
//!
//! Wilson score interval (two-sided, 95%):
//! centre = (k + z²/2) / (n + z²), half-width = z / (n + z²) · √(k(n−k)/n + z²/4),
//! with z = Φ⁻¹(0.975).
//!
//! At the edges the two-sided interval is replaced by the exact one-sided
//! Clopper–Pearson bound, and labelled so: with k = 0 the interval is
//! [0, 1 − 0.05^(1/n)] (≈ 3/n, the "rule of three"); with k = n it is
//! [0.05^(1/n), 1]. A rate with n = 0 has no interval.

use serde::Serialize;

/// Φ⁻¹(0.975), the two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// How an interval was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiMethod {
    /// Two-sided 95% Wilson score interval.
    Wilson,
    /// Exact one-sided 95% upper bound, used when no event was observed.
    OneSidedUpperZeroEvents,
    /// Exact one-sided 95% lower bound, used when every trial was an event.
    OneSidedLowerAllEvents,
}

/// A confidence interval with its method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    pub method: CiMethod,
}

/// The exact one-sided 95% upper bound on a rate after 0 events in `n`
/// trials: 1 − 0.05^(1/n) (Clopper–Pearson with k = 0).
pub fn zero_event_upper_bound(n: f64) -> f64 {
    // 1 − exp(ln 0.05 / n), computed without cancellation for large n.
    -(0.05f64.ln() / n).exp_m1()
}

/// 95% interval for `k` events in `n` trials (`None` when n = 0).
pub fn wilson(k: f64, n: f64) -> Option<Interval> {
    if n <= 0.0 {
        return None;
    }
    if k <= 0.0 {
        return Some(Interval {
            low: 0.0,
            high: zero_event_upper_bound(n),
            method: CiMethod::OneSidedUpperZeroEvents,
        });
    }
    if k >= n {
        return Some(Interval {
            low: 1.0 - zero_event_upper_bound(n),
            high: 1.0,
            method: CiMethod::OneSidedLowerAllEvents,
        });
    }
    let z2 = Z95 * Z95;
    let denom = n + z2;
    let centre = (k + z2 / 2.0) / denom;
    let half = Z95 / denom * (k * (n - k) / n + z2 / 4.0).sqrt();
    Some(Interval {
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
        method: CiMethod::Wilson,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_hand_worked() {
        // statsmodels 0.14 proportion_confint(10, 100, method='wilson') gives
        // (0.05522913706067509, 0.17436566150491348).
        let i = wilson(10.0, 100.0).unwrap();
        assert!(
            (i.low - 0.055_229_137_060_675_09).abs() < 1e-12,
            "{}",
            i.low
        );
        assert!(
            (i.high - 0.174_365_661_504_913_48).abs() < 1e-12,
            "{}",
            i.high
        );
        assert_eq!(i.method, CiMethod::Wilson);
    }

    #[test]
    fn zero_events_use_exact_one_sided_bound() {
        let i = wilson(0.0, 1000.0).unwrap();
        assert_eq!(i.low, 0.0);
        // Python: 1 - 0.05**(1/1000) = 0.0029912495450953314 (rule of three: ≈ 0.003)
        assert!(
            (i.high - 0.002_991_249_545_095_331_4).abs() < 1e-15,
            "{}",
            i.high
        );
        assert_eq!(i.method, CiMethod::OneSidedUpperZeroEvents);
        let all = wilson(1000.0, 1000.0).unwrap();
        assert!((all.low - (1.0 - 0.002_991_249_545_095_331_4)).abs() < 1e-15);
        assert!(wilson(0.0, 0.0).is_none());
    }

    #[test]
    fn zero_event_bound_is_accurate_for_huge_n() {
        // Python: -math.expm1(math.log(0.05)/1e9) = 2.995732269066785e-09;
        // the naive 1 - 0.05**(1/n) loses about 8 digits here.
        let b = zero_event_upper_bound(1e9);
        assert!((b / 2.995_732_269_066_785e-9 - 1.0).abs() < 1e-14, "{b}");
    }
}
