//! Weighted means of per-row quantities (absolute error, signed error,
//! squared error of an age estimate) with cluster-robust t intervals, and
//! the simultaneous intervals of their disparity summaries.
//!
//! A group's mean is m = Σv/Σd over its rows (d the row's weight, v its
//! weighted quantity w·x). Rows of one subject are correlated (the same face
//! looks old in every image), so with subjects the rows are grouped into
//! clusters c (one per subject; without subjects every row is its own), and
//! the linearised variance of the ratio estimator is
//!
//! Var(m) = G/(G−1) · Σ_c (v_c − m·d_c)² / (Σd)²,
//!
//! G clusters with rows of the group. The interval is m ± t_{G−1}·√Var: for
//! unit weights and no subjects this is the textbook t interval s/√n. The
//! RMSE's is the square root of the mean squared error's, taken on the log
//! scale m·exp(±t·√Var/m) since the mean of e² is right-skewed.
//! Summaries over groups take the box of per-group t intervals at the
//! Bonferroni level 1 − α/G ([`crate::stats::summary_ci`]).

use crate::math::interval::{CiSpec, Method};
use crate::math::special::t_critical;
use crate::stats::disparity::{self, Entry, Stat, Summary};
use crate::stats::rate::{finite_or_null, null_as_nan};
use crate::stats::summary_ci::{self, Bx, SummaryInterval};
use serde::{Deserialize, Serialize};

/// Sums of one ratio Σv/Σd over rows or clusters: Σd, Σv and the second
/// moments Σd², Σd·v, Σv² of the units summed (rows, or clusters' totals).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Moments {
    /// Units with d > 0.
    pub(crate) units: f64,
    pub(crate) d: f64,
    pub(crate) v: f64,
    pub(crate) dd: f64,
    pub(crate) dv: f64,
    pub(crate) vv: f64,
}

impl Moments {
    /// Adds a unit (a row, or a cluster's totals) of weight d and weighted value v.
    #[inline]
    pub(crate) fn add(&mut self, d: f64, v: f64) {
        if d > 0.0 {
            self.units += 1.0;
            self.d += d;
            self.v += v;
            self.dd += d * d;
            self.dv += d * v;
            self.vv += v * v;
        }
    }

    /// Adds the sums of other units.
    pub(crate) fn merge(&mut self, o: &Moments) {
        self.units += o.units;
        self.d += o.d;
        self.v += o.v;
        self.dd += o.dd;
        self.dv += o.dv;
        self.vv += o.vv;
    }

    /// m = Σv/Σd (NaN without weight).
    pub(crate) fn mean(&self) -> f64 {
        if self.d > 0.0 {
            self.v / self.d
        } else {
            f64::NAN
        }
    }

    /// Σ (v − m·d)² over the units, by the moments (never below 0).
    pub(crate) fn residual_sq(&self) -> f64 {
        let m = self.mean();
        (self.vv - 2.0 * m * self.dv + m * m * self.dd).max(0.0)
    }

    /// The standard error of the mean, √(G/(G−1)·Σ(v − m·d)²)/Σd; NaN with
    /// fewer than 2 units.
    pub(crate) fn standard_error(&self) -> f64 {
        let g = self.units;
        if g < 2.0 {
            return f64::NAN;
        }
        (g / (g - 1.0) * self.residual_sq()).sqrt() / self.d
    }
}

/// How a mean-type statistic maps to the mean its interval is taken on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// The mean itself, any sign (mean signed error).
    Signed,
    /// The mean of a non-negative quantity (MAE): the interval starts at 0 at least.
    NonNegative,
    /// The square root of a mean (RMSE of the mean squared error).
    Root,
}

/// A per-group mean-type statistic (MAE, mean signed error, RMSE, median
/// absolute error) with its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanStat {
    /// `mae`, `bias`, `rmse`, `median_ae`.
    pub metric: String,
    /// The value (null when the group has no rows).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Lower end of the interval (null without one).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub low: f64,
    /// Upper end of the interval (null without one).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub high: f64,
    /// Standard error of the underlying mean (of e² for RMSE; null for the median).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub se: f64,
    /// Degrees of freedom of the t interval: clusters − 1.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub df: f64,
    /// Why the value or its interval is missing, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl MeanStat {
    /// The statistic of `m` (row or cluster moments) on `scale`, with its
    /// t interval at `ci`'s level (none when `ci` asks for none).
    pub(crate) fn of(metric: &str, m: &Moments, scale: Scale, ci: CiSpec) -> MeanStat {
        let mean = m.mean();
        let mut s = MeanStat {
            metric: metric.into(),
            value: if scale == Scale::Root {
                mean.sqrt()
            } else {
                mean
            },
            low: f64::NAN,
            high: f64::NAN,
            se: m.standard_error(),
            df: m.units - 1.0,
            reason: None,
        };
        if mean.is_nan() {
            s.reason = Some("no rows with a weight above 0".into());
        } else if ci.method != Method::None {
            match s.bounds(ci.alpha(), scale) {
                Some((lo, hi)) => (s.low, s.high) = (lo, hi),
                None => s.reason = Some("one subject or row: no interval".into()),
            }
        }
        s
    }

    /// A value without an interval (the median without an interval).
    pub(crate) fn plain(metric: &str, value: f64, reason: Option<String>) -> MeanStat {
        MeanStat {
            metric: metric.into(),
            value,
            low: f64::NAN,
            high: f64::NAN,
            se: f64::NAN,
            df: f64::NAN,
            reason,
        }
    }

    /// The two-sided interval at error rate `alpha` on `scale`; none
    /// without a standard error.
    pub(crate) fn bounds(&self, alpha: f64, scale: Scale) -> Option<(f64, f64)> {
        if !self.se.is_finite() || self.df < 1.0 {
            return None;
        }
        let mean = match scale {
            Scale::Root => self.value * self.value,
            _ => self.value,
        };
        let t = t_critical(alpha, self.df);
        let (lo, hi) = (mean - t * self.se, mean + t * self.se);
        Some(match scale {
            Scale::Signed => (lo, hi),
            Scale::NonNegative => (lo.max(0.0), hi),
            // The mean of e² is right-skewed: its interval is taken on the
            // log scale (delta method, se/m), which reaches further up.
            Scale::Root if mean > 0.0 => {
                let f = (t * self.se / mean).exp();
                ((mean / f).sqrt(), (mean * f).sqrt())
            }
            Scale::Root => (0.0, hi.max(0.0).sqrt()),
        })
    }

    /// (low, high) when there is an interval.
    pub fn interval(&self) -> Option<(f64, f64)> {
        (!self.low.is_nan() && !self.high.is_nan()).then_some((self.low, self.high))
    }
}

/// The label of the intervals of [`MeanStat`]s at `spec`'s level.
pub(crate) fn label(spec: CiSpec, clustered: bool) -> Option<String> {
    (spec.method != Method::None).then(|| {
        let level = (spec.level * 1000.0).round() / 10.0;
        let how = if clustered {
            "cluster-robust by subject"
        } else {
            "independent rows"
        };
        format!("{level}% t, {how}")
    })
}

/// Summaries of one mean-type statistic over groups: max − min, std (and
/// max / min, max / geomean when `ratios`, for non-negative statistics),
/// named `<metric>.<summary>`, each with the range over the box of per-group
/// t intervals at the Bonferroni level 1 − α/G.
pub(crate) fn summarize(
    metric: &str,
    groups: &[(&str, &MeanStat)],
    scale: Scale,
    ratios: bool,
    spec: CiSpec,
) -> Vec<Summary> {
    let g = groups.len();
    let entries: Vec<Entry> = groups
        .iter()
        .map(|(group, s)| Entry {
            group,
            value: s.value,
            counts: None,
            sample: None,
        })
        .collect();
    let boxed = (spec.method != Method::None && g > 0)
        .then(|| {
            let alpha = spec.alpha() / g as f64;
            let (lo, hi) = groups
                .iter()
                .map(|(_, s)| s.bounds(alpha, scale))
                .collect::<Option<(Vec<f64>, Vec<f64>)>>()?;
            Some(Bx { lo, hi, spec })
        })
        .flatten();
    let level = (spec.level * 1000.0).round() / 10.0;
    let interval = |range: &dyn Fn(&Bx) -> (f64, f64)| {
        boxed.as_ref().map(|b| {
            let (low, high) = range(b);
            SummaryInterval {
                low,
                high,
                method: format!("simultaneous (Bonferroni box of per-group {level}% t intervals)"),
                note: high
                    .is_infinite()
                    .then(|| "unbounded: a group's interval reaches 0".into()),
            }
        })
    };
    let mut out: Vec<(&str, Stat)> = vec![(
        "max_minus_min",
        disparity::max_minus_min(&entries).with(interval(&summary_ci::max_minus_min)),
    )];
    if ratios {
        out.push((
            "max_over_min",
            disparity::max_over_min(&entries).with(interval(&summary_ci::max_over_min)),
        ));
        out.push((
            "max_over_geomean",
            disparity::max_over_geomean(&entries)
                .with(interval(&|b| summary_ci::max_over_mean(b, true))),
        ));
    }
    out.push((
        "std",
        disparity::std_dev(&entries, false).with(interval(&|b| summary_ci::std(b, false))),
    ));
    out.into_iter()
        .map(|(name, s)| disparity::summary(format!("{metric}.{name}"), g, s, Vec::new()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(rows: &[(f64, f64)]) -> Moments {
        let mut m = Moments::default();
        rows.iter().for_each(|&(d, v)| m.add(d, v));
        m
    }

    #[test]
    fn unit_weights_give_the_textbook_t_interval() {
        // x = 1, 2, 3, 4, 10: mean 4, s² = (9+4+1+0+36)/4 = 12.5, se = √(12.5/5).
        let m = moments(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0), (1.0, 4.0), (1.0, 10.0)]);
        let s = MeanStat::of("mae", &m, Scale::NonNegative, CiSpec::default());
        assert_eq!(s.value, 4.0);
        assert!((s.se - 2.5f64.sqrt()).abs() < 1e-12);
        // scipy.stats.t.ppf(0.975, 4) = 2.7764451051977987
        let half = 2.7764451051977987 * 2.5f64.sqrt();
        assert!((s.low - (4.0 - half).max(0.0)).abs() < 1e-9);
        assert!((s.high - (4.0 + half)).abs() < 1e-9);
        assert_eq!(s.df, 4.0);
    }

    #[test]
    fn clusters_count_once_and_root_takes_the_square_root() {
        // Two clusters' totals (d, v): (2, 2) and (2, 6): m = 2, residuals
        // −2 and 2: Var = 2/1 · 8 / 16 = 1.
        let m = moments(&[(2.0, 2.0), (2.0, 6.0)]);
        assert_eq!(m.mean(), 2.0);
        assert!((m.standard_error() - 1.0).abs() < 1e-12);
        let s = MeanStat::of("rmse", &m, Scale::Root, CiSpec::default());
        assert!((s.value - 2f64.sqrt()).abs() < 1e-12);
        // t(0.975, 1) = 12.706…, on the log scale: MSE 2 · exp(±12.706/2).
        let f = (12.706204736174694f64 / 2.0).exp();
        assert!((s.low - (2.0 / f).sqrt()).abs() < 1e-9);
        assert!((s.high - (2.0 * f).sqrt()).abs() < 1e-9);
        let one = MeanStat::of(
            "bias",
            &moments(&[(1.0, -3.0)]),
            Scale::Signed,
            CiSpec::default(),
        );
        assert_eq!(one.value, -3.0);
        assert!(one.interval().is_none() && one.reason.is_some());
    }

    #[test]
    fn summaries_cover_no_disparity_when_the_intervals_overlap() {
        let a = MeanStat::of(
            "mae",
            &moments(&[(1.0, 3.0), (1.0, 5.0), (1.0, 4.0)]),
            Scale::NonNegative,
            CiSpec::default(),
        );
        let b = MeanStat::of(
            "mae",
            &moments(&[(1.0, 4.0), (1.0, 6.0), (1.0, 5.0)]),
            Scale::NonNegative,
            CiSpec::default(),
        );
        let s = summarize(
            "mae",
            &[("A", &a), ("B", &b)],
            Scale::NonNegative,
            true,
            CiSpec::default(),
        );
        let names: Vec<&str> = s.iter().map(|x| x.metric.as_str()).collect();
        assert_eq!(
            names,
            [
                "mae.max_minus_min",
                "mae.max_over_min",
                "mae.max_over_geomean",
                "mae.std"
            ]
        );
        assert_eq!(s[0].value, 1.0);
        assert_eq!(s[1].value, 5.0 / 4.0);
        let i = s[0].interval.as_ref().unwrap();
        assert_eq!(i.low, 0.0);
        assert!(i.high > 1.0);
        assert!(s[1].interval.as_ref().unwrap().low == 1.0);
    }
}
