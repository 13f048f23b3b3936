//! Planning an evaluation: how many subjects and comparisons per group a
//! goal needs, under the clustered-binomial model of the per-group intervals.
//!
//! Model (Schuckers' correlated binomial): a group's trials come in clusters
//! of k per subject whose error indicators correlate with intra-subject
//! correlation ρ; n trials then carry the information of
//! n_eff = n / deff independent ones, deff = 1 + (k − 1)·ρ.
//!
//! Goals, with z_q = Φ⁻¹(q):
//! * **difference** — detect p₁ = p against p₂ = r·p with a two-sided
//!   two-sample z test of p̂₁ − p̂₂ at level α with power 1 − β, equal group
//!   sizes, pooled variance under the null (Fleiss' formula without continuity
//!   correction): with p̄ = (p₁ + p₂)/2, q = 1 − p,
//!   n_eff = (z_{1−α/2}·√(2 p̄ q̄) + z_{1−β}·√(p₁q₁ + p₂q₂))² / (p₁ − p₂)²;
//!   the power at n_eff is Φ((|p₁ − p₂|·√n_eff − z_{1−α/2}·√(2 p̄ q̄)) / √(p₁q₁ + p₂q₂));
//! * **width** — the half-width w of one group's interval at confidence
//!   level 1 − a (normal approximation): n_eff = z_{1−a/2}² · p q / w².
//!
//! The trials per group are n_eff·deff rounded up to whole subjects (at least
//! two: the between-subject variance needs two subjects).

use crate::error::{Error, Result};
use crate::math::special::{normal_cdf, normal_quantile};
use serde::Serialize;

/// How a group's trials cluster by subject.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Clustering {
    /// Trials (comparisons) per subject, k ≥ 1.
    pub per_subject: u64,
    /// Intra-subject correlation ρ ∈ [0, 1] of the error indicators.
    pub icc: f64,
}

impl Clustering {
    /// Checks k ≥ 1 (`--per-subject`) and ρ ∈ [0, 1] (`--icc`).
    pub fn new(per_subject: u64, icc: f64) -> Result<Clustering> {
        if per_subject == 0 {
            return Err(Error::option(
                "--per-subject",
                "0: a subject contributes at least one comparison",
            ));
        }
        if !(0.0..=1.0).contains(&icc) {
            return Err(Error::option(
                "--icc",
                format!("{icc}: a correlation of error indicators is within [0, 1]"),
            ));
        }
        Ok(Clustering { per_subject, icc })
    }

    /// deff = 1 + (k − 1)·ρ.
    pub fn design_effect(&self) -> f64 {
        1.0 + (self.per_subject - 1) as f64 * self.icc
    }
}

/// What the evaluation must achieve, per group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "goal", rename_all = "kebab-case")]
pub enum Goal {
    /// Detect `rate` against `ratio`·`rate` (two-sided z test).
    Difference {
        /// The first group's rate p.
        rate: f64,
        /// r: the second group's rate is r·p.
        ratio: f64,
        /// Significance level α of the test.
        alpha: f64,
        /// Power 1 − β.
        power: f64,
    },
    /// An interval of one group's rate no wider than ± `half_width`.
    Width {
        /// The group's rate p.
        rate: f64,
        /// The half-width w (absolute, or a share of p when `relative`).
        half_width: f64,
        /// `half_width` is relative to the rate (`--relative-width`).
        relative: bool,
        /// Confidence level of the interval.
        level: f64,
    },
}

/// The answer: the size per group and what it achieves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleSize {
    /// The goal asked for.
    #[serde(flatten)]
    pub goal: Goal,
    /// The clustering assumed.
    #[serde(flatten)]
    pub clustering: Clustering,
    /// deff = 1 + (k − 1)·ρ.
    pub design_effect: f64,
    /// Independent trials per group the goal needs (unrounded n_eff).
    pub effective_needed: f64,
    /// Subjects per group.
    pub subjects_per_group: u64,
    /// Trials per group: subjects × k.
    pub trials_per_group: u64,
    /// Effective trials per group at that size: trials / deff.
    pub effective_trials: f64,
    /// At that size: the power (difference) or the half-width (width).
    pub achieved: f64,
}

/// More trials than this are not a plan (f64 counts stay exact below 2⁵³).
const MAX_TRIALS: f64 = 9.007_199_254_740_992e15;

/// The sample size per group for `goal` under `clustering`, or an error
/// naming the option whose value makes no sense.
pub fn sample_size(goal: Goal, clustering: Clustering) -> Result<SampleSize> {
    let needed = effective_needed(&goal)?;
    let deff = clustering.design_effect();
    let k = clustering.per_subject as f64;
    // A hair below the exact quotient, so that a whole number is not pushed
    // one subject up by rounding error.
    let subjects = (needed * deff / k * (1.0 - 1e-12)).ceil().max(2.0);
    let trials = subjects * k;
    if trials.is_nan() || trials > MAX_TRIALS {
        let (flag, value) = match goal {
            Goal::Difference { ratio, .. } => ("--ratio", ratio),
            Goal::Width {
                relative: false,
                half_width,
                ..
            } => ("--width", half_width),
            Goal::Width { half_width, .. } => ("--relative-width", half_width),
        };
        return Err(Error::option(
            flag,
            format!(
                "{value}: asks for {trials:.3e} trials per group, more than any evaluation can hold"
            ),
        ));
    }
    let effective = trials / deff;
    Ok(SampleSize {
        goal,
        clustering,
        design_effect: deff,
        effective_needed: needed,
        subjects_per_group: subjects as u64,
        trials_per_group: trials as u64,
        effective_trials: effective,
        achieved: achieved(&goal, effective),
    })
}

/// The unrounded n_eff of the module doc, after checking every value of `goal`.
pub fn effective_needed(goal: &Goal) -> Result<f64> {
    match *goal {
        Goal::Difference {
            rate,
            ratio,
            alpha,
            power,
        } => {
            check_rate(rate)?;
            let p2 = ratio * rate;
            if !(ratio > 0.0 && ratio.is_finite()) || ratio == 1.0 || p2 >= 1.0 {
                return Err(Error::option(
                    "--ratio",
                    format!(
                        "{ratio}: a positive ratio other than 1 with ratio × rate ({p2}) below 1"
                    ),
                ));
            }
            check_probability("--alpha", alpha)?;
            check_probability("--power", power)?;
            let (null, alt) = spreads(rate, p2);
            let z = normal_quantile(1.0 - alpha / 2.0) * null + normal_quantile(power) * alt;
            if z <= 0.0 {
                return Err(Error::option(
                    "--power",
                    format!("{power}: at --alpha {alpha} any sample has more power than that"),
                ));
            }
            Ok((z / (rate - p2)).powi(2))
        }
        Goal::Width {
            rate,
            half_width,
            relative,
            level,
        } => {
            check_rate(rate)?;
            let flag = ["--width", "--relative-width"][usize::from(relative)];
            let w = goal.absolute_width().unwrap_or(f64::NAN);
            if !(w > 0.0 && w.is_finite()) {
                return Err(Error::option(
                    flag,
                    format!("{half_width}: the half-width must be positive"),
                ));
            }
            check_probability("--level", level)?;
            let z = normal_quantile(0.5 + level / 2.0);
            Ok(z * z * rate * (1.0 - rate) / (w * w))
        }
    }
}

impl Goal {
    /// The half-width in rate units of a width goal (`--relative-width` R
    /// is R·p); none for a difference.
    pub fn absolute_width(&self) -> Option<f64> {
        match *self {
            Goal::Width {
                rate,
                half_width,
                relative,
                ..
            } => Some(if relative {
                half_width * rate
            } else {
                half_width
            }),
            Goal::Difference { .. } => None,
        }
    }
}

/// The power (difference) or half-width (width) that `n_eff` independent
/// trials per group give.
pub fn achieved(goal: &Goal, n_eff: f64) -> f64 {
    match *goal {
        Goal::Difference {
            rate, ratio, alpha, ..
        } => {
            let p2 = ratio * rate;
            let (null, alt) = spreads(rate, p2);
            let z = normal_quantile(1.0 - alpha / 2.0);
            normal_cdf(((rate - p2).abs() * n_eff.sqrt() - z * null) / alt)
        }
        Goal::Width { rate, level, .. } => {
            normal_quantile(0.5 + level / 2.0) * (rate * (1.0 - rate) / n_eff).sqrt()
        }
    }
}

/// √(2 p̄ q̄) (the null's spread) and √(p₁q₁ + p₂q₂) (the alternative's).
fn spreads(p1: f64, p2: f64) -> (f64, f64) {
    let mean = (p1 + p2) / 2.0;
    (
        (2.0 * mean * (1.0 - mean)).sqrt(),
        (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt(),
    )
}

fn check_rate(rate: f64) -> Result<()> {
    if !(rate > 0.0 && rate < 1.0) {
        return Err(Error::option(
            "--rate",
            format!("{rate}: an error rate strictly between 0 and 1"),
        ));
    }
    Ok(())
}

fn check_probability(flag: &str, x: f64) -> Result<()> {
    if !(x > 0.0 && x < 1.0) {
        return Err(Error::option(
            flag,
            format!("{x}: expected a value strictly between 0 and 1"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn difference(rate: f64, ratio: f64) -> Goal {
        Goal::Difference {
            rate,
            ratio,
            alpha: 0.05,
            power: 0.8,
        }
    }

    fn independent() -> Clustering {
        Clustering::new(1, 0.0).unwrap()
    }

    #[test]
    fn textbook_two_proportion_size() {
        // p₁ = 0.05, p₂ = 0.10, α = 0.05, power 0.8 (mpmath, 30 digits):
        // z_0.975 = 1.959963984540054, z_0.8 = 0.8416212335729142,
        // √(2·0.075·0.925) = 0.3724916106, √(0.0475 + 0.09) = 0.3708099244,
        // n = (0.7300741 + 0.3120798)² / 0.05² = 434.432022439468677.
        let n = effective_needed(&difference(0.05, 2.0)).unwrap();
        assert!((n - 434.432_022_439_468_68).abs() < 1e-9, "{n}");
        let s = sample_size(difference(0.05, 2.0), independent()).unwrap();
        assert_eq!((s.subjects_per_group, s.trials_per_group), (435, 435));
        assert!(s.achieved >= 0.8 && s.achieved < 0.801, "{}", s.achieved);
        // The same question from the other side (p₂ < p₁) needs the same n.
        let back = effective_needed(&difference(0.10, 0.5)).unwrap();
        assert!((back - n).abs() < 1e-9);
    }

    #[test]
    fn fmr_doubling_at_1e_4() {
        // p₁ = 1e-4, p₂ = 2e-4 (mpmath): n_eff = 235429.893131427.
        let n = effective_needed(&difference(1e-4, 2.0)).unwrap();
        assert!((n / 235_429.893_131_427_38 - 1.0).abs() < 1e-11, "{n}");
        // k = 1000, ρ = 0.001: deff = 1.999; n = 235429.89 × 1.999 = 470624.36
        // → 471 subjects, 471000 trials, 471000 / 1.999 = 235617.8 effective.
        let s = sample_size(difference(1e-4, 2.0), Clustering::new(1000, 0.001).unwrap()).unwrap();
        assert!((s.design_effect - 1.999).abs() < 1e-15);
        assert_eq!((s.subjects_per_group, s.trials_per_group), (471, 471_000));
        assert!((s.effective_trials - 471_000.0 / 1.999).abs() < 1e-9);
    }

    #[test]
    fn interval_width() {
        // p = 0.1, w = 0.01, 95 %: n = 1.959963984540054² · 0.09 / 1e-4
        // = 3457.31293862471336 (mpmath).
        let goal = Goal::Width {
            rate: 0.1,
            half_width: 0.01,
            relative: false,
            level: 0.95,
        };
        let n = effective_needed(&goal).unwrap();
        assert!((n - 3_457.312_938_624_713_4).abs() < 1e-6, "{n}");
        // k = 10, ρ = 0.05: deff 1.45, 5013.10 trials → 502 subjects.
        let s = sample_size(goal, Clustering::new(10, 0.05).unwrap()).unwrap();
        assert_eq!((s.subjects_per_group, s.trials_per_group), (502, 5020));
        assert!(s.achieved <= 0.01 && s.achieved > 0.0099);
        // Relative ±10 % of 0.1 is the same question.
        let relative = Goal::Width {
            rate: 0.1,
            half_width: 0.1,
            relative: true,
            level: 0.95,
        };
        let m = effective_needed(&relative).unwrap();
        assert!((m / n - 1.0).abs() < 1e-12);
    }

    #[test]
    fn nonsense_is_an_error_naming_the_option_and_value() {
        let message = |r: Result<f64>| match r {
            Err(e) => e.to_string(),
            Ok(n) => panic!("accepted, n = {n}"),
        };
        let diff = |rate, ratio, alpha, power| {
            message(effective_needed(&Goal::Difference {
                rate,
                ratio,
                alpha,
                power,
            }))
        };
        for (rate, flag) in [
            (0.0, "--rate 0:"),
            (1.0, "--rate 1:"),
            (-0.1, "--rate -0.1:"),
        ] {
            assert!(diff(rate, 2.0, 0.05, 0.8).contains(flag));
        }
        assert!(diff(f64::NAN, 2.0, 0.05, 0.8).contains("--rate NaN"));
        for (ratio, flag) in [
            (0.0, "--ratio 0:"),
            (-2.0, "--ratio -2:"),
            (1.0, "--ratio 1:"),
            (20.0, "--ratio 20:"),
            (f64::INFINITY, "--ratio inf:"),
        ] {
            assert!(diff(0.05, ratio, 0.05, 0.8).contains(flag), "{ratio}");
        }
        assert!(diff(0.05, 2.0, 0.0, 0.8).contains("--alpha 0:"));
        assert!(diff(0.05, 2.0, 0.05, 1.0).contains("--power 1:"));
        // Power below α/2 needs no sample at all.
        assert!(diff(0.05, 2.0, 0.05, 0.01).contains("--power 0.01:"));
        let width = |half_width, relative, level| {
            message(effective_needed(&Goal::Width {
                rate: 0.1,
                half_width,
                relative,
                level,
            }))
        };
        assert!(width(0.0, false, 0.95).contains("--width 0:"));
        assert!(width(-1.0, true, 0.95).contains("--relative-width -1:"));
        assert!(width(0.01, false, 95.0).contains("--level 95:"));
        let clustering = |k, icc| match Clustering::new(k, icc) {
            Err(e) => e.to_string(),
            Ok(c) => panic!("accepted {c:?}"),
        };
        assert!(clustering(0, 0.1).contains("--per-subject 0:"));
        assert!(clustering(5, 1.5).contains("--icc 1.5:"));
        assert!(clustering(5, -0.1).contains("--icc -0.1:"));
        assert!(clustering(5, f64::NAN).contains("--icc NaN:"));
        // A difference too small to plan for: a size error, not an overflow.
        let tiny = sample_size(difference(1e-12, 1.000_001), independent());
        assert!(tiny
            .unwrap_err()
            .to_string()
            .contains("--ratio 1.000001: asks for 1.570e25"));
    }
}
