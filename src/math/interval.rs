//! Confidence intervals for binomial rates.
//!
//! At level 1 − α, for k events in n trials:
//! * Wilson score (default): centre = (k + z²/2)/(n + z²), half-width =
//!   z/(n + z²)·√(k(n−k)/n + z²/4), z = Φ⁻¹(1 − α/2);
//! * Clopper–Pearson (exact): [B⁻¹(α/2; k, n−k+1), B⁻¹(1−α/2; k+1, n−k)];
//! * Jeffreys: the α/2 and 1−α/2 quantiles of Beta(k + ½, n − k + ½).
//!
//! At the edges every method gives the exact one-sided bound, labelled so:
//! with k = 0 the interval is [0, 1 − α^(1/n)] (≈ 3/n at 95%, the "rule of
//! three"); with k = n it is [α^(1/n), 1]. A rate with n = 0 has no interval.
//! Weighted rates pass p̂·n_eff and n_eff (non-integer counts are fine).

use crate::math::special::{beta_quantile, normal_quantile};
use serde::{Deserialize, Serialize};

/// Which interval a user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Wilson score interval.
    Wilson,
    /// Clopper–Pearson (exact) interval.
    ClopperPearson,
    /// Jeffreys (Beta(½, ½) prior) interval.
    Jeffreys,
    /// No interval.
    None,
}

impl Method {
    /// Parses `wilson`, `clopper-pearson` (or `exact`), `jeffreys` or `none`.
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "wilson" => Some(Method::Wilson),
            "clopper-pearson" | "exact" => Some(Method::ClopperPearson),
            "jeffreys" => Some(Method::Jeffreys),
            "none" => Some(Method::None),
            _ => None,
        }
    }
}

/// Interval method and confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CiSpec {
    /// The interval method.
    pub method: Method,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
}

impl CiSpec {
    /// The same level with no interval (bootstrap replicates need none).
    pub(crate) fn without_interval(self) -> CiSpec {
        CiSpec {
            method: Method::None,
            level: self.level,
        }
    }

    /// α = 1 − level, taken to 12 decimals so that a level of 0.95 gives
    /// exactly the α = 0.05 of the published formulas.
    pub fn alpha(&self) -> f64 {
        ((1.0 - self.level) * 1e12).round() / 1e12
    }
}

impl Default for CiSpec {
    fn default() -> Self {
        CiSpec {
            method: Method::Wilson,
            level: 0.95,
        }
    }
}

/// How an interval was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiMethod {
    /// Wilson score interval.
    Wilson,
    /// Clopper–Pearson (exact) interval.
    ClopperPearson,
    /// Jeffreys interval.
    Jeffreys,
    /// Exact one-sided upper bound, used when no event was observed.
    OneSidedUpperZeroEvents,
    /// Exact one-sided lower bound, used when every trial was an event.
    OneSidedLowerAllEvents,
}

/// A confidence interval with its method and level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// How the interval was obtained.
    pub method: CiMethod,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
}

/// The exact one-sided upper bound on a rate after 0 events in `n` trials at
/// level 1 − α: 1 − α^(1/n).
pub fn zero_event_bound(n: f64, alpha: f64) -> f64 {
    // 1 − exp(ln α / n), without cancellation for large n.
    -(alpha.ln() / n).exp_m1()
}

/// The 95% bound 1 − 0.05^(1/n) (NIST IR 8429's zero-error rule, support of a target).
pub(crate) fn zero_event_upper_bound(n: f64) -> f64 {
    zero_event_bound(n, 0.05)
}

/// Wilson's score interval for `k` events in `n > 0` trials at the normal
/// quantile `z`: (k + z²/2 ± z·√(k(n−k)/n + z²/4)) / (n + z²), clipped to [0, 1].
pub(crate) fn wilson(k: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let denom = n + z2;
    let centre = (k + z2 / 2.0) / denom;
    let half = z / denom * (k * (n - k) / n + z2 / 4.0).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The interval for `k` events in `n` trials (`None` when n = 0 or none was asked for).
pub fn interval(k: f64, n: f64, spec: CiSpec) -> Option<Interval> {
    if n <= 0.0 || spec.method == Method::None {
        return None;
    }
    let (level, alpha) = (spec.level, spec.alpha());
    let make = |low: f64, high: f64, method| {
        Some(Interval {
            low,
            high,
            method,
            level,
        })
    };
    if k <= 0.0 {
        return make(
            0.0,
            zero_event_bound(n, alpha),
            CiMethod::OneSidedUpperZeroEvents,
        );
    }
    if k >= n {
        return make(
            1.0 - zero_event_bound(n, alpha),
            1.0,
            CiMethod::OneSidedLowerAllEvents,
        );
    }
    match spec.method {
        Method::Wilson => {
            let (low, high) = wilson(k, n, normal_quantile(1.0 - alpha / 2.0));
            make(low, high, CiMethod::Wilson)
        }
        Method::ClopperPearson => make(
            beta_quantile(k, n - k + 1.0, alpha / 2.0),
            beta_quantile(k + 1.0, n - k, 1.0 - alpha / 2.0),
            CiMethod::ClopperPearson,
        ),
        Method::Jeffreys => make(
            beta_quantile(k + 0.5, n - k + 0.5, alpha / 2.0),
            beta_quantile(k + 0.5, n - k + 0.5, 1.0 - alpha / 2.0),
            CiMethod::Jeffreys,
        ),
        Method::None => None,
    }
}

/// The 95% Wilson interval (the default).
#[cfg(test)]
fn wilson95(k: f64, n: f64) -> Option<Interval> {
    interval(k, n, CiSpec::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_hand_worked() {
        // statsmodels 0.14 proportion_confint(10, 100, method='wilson') gives
        // (0.05522913706067509, 0.17436566150491348).
        let i = wilson95(10.0, 100.0).unwrap();
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
        let i = wilson95(0.0, 1000.0).unwrap();
        assert_eq!(i.low, 0.0);
        // Python: 1 - 0.05**(1/1000) = 0.0029912495450953314 (rule of three: ≈ 0.003)
        assert!(
            (i.high - 0.002_991_249_545_095_331_4).abs() < 1e-15,
            "{}",
            i.high
        );
        assert_eq!(i.method, CiMethod::OneSidedUpperZeroEvents);
        let all = wilson95(1000.0, 1000.0).unwrap();
        assert!((all.low - (1.0 - 0.002_991_249_545_095_331_4)).abs() < 1e-15);
        assert!(wilson95(0.0, 0.0).is_none());
        let none = CiSpec {
            method: Method::None,
            level: 0.95,
        };
        assert!(interval(3.0, 10.0, none).is_none());
    }

    #[test]
    fn zero_event_bound_is_accurate_for_huge_n() {
        // Python: -math.expm1(math.log(0.05)/1e9) = 2.995732269066785e-09;
        // the naive 1 - 0.05**(1/n) loses about 8 digits here.
        let b = zero_event_upper_bound(1e9);
        assert!((b / 2.995_732_269_066_785e-9 - 1.0).abs() < 1e-14, "{b}");
    }
}
