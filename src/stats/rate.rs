//! A counted rate: events over trials, with its interval and, where it is
//! undefined, the reason.

use crate::math::interval::{interval, CiSpec, Interval, Method};
use crate::stats::cluster::Spread;
use crate::stats::summary_ci::Sample;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serialises a float for JSON: NaN (undefined; the reason travels beside
/// it) as `null`, ±∞ as the strings `"inf"` and `"-inf"`.
pub(crate) fn finite_or_null<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if v.is_nan() {
        s.serialize_none()
    } else if *v > 0.0 {
        s.serialize_str("inf")
    } else {
        s.serialize_str("-inf")
    }
}

/// Reads what [`finite_or_null`] wrote: `null` is NaN, `"inf"`/`"-inf"` are ±∞.
pub(crate) fn null_as_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Json {
        Number(f64),
        Text(String),
    }
    match Option::<Json>::deserialize(d)? {
        None => Ok(f64::NAN),
        Some(Json::Number(x)) => Ok(x),
        Some(Json::Text(t)) => match t.as_str() {
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            _ => Err(serde::de::Error::custom(format!("not a number: {t:?}"))),
        },
    }
}

/// `events / trials`. `events` is the numerator of the rate as named: errors
/// for FMR/FNMR, correct decisions for accuracy, true matches for TMR.
/// With zero trials the value is NaN and `reason` says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// events / trials (NaN, written null, when trials = 0).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Numerator (weighted sum when rows carry weights).
    pub events: f64,
    /// Denominator (weighted sum when rows carry weights).
    pub trials: f64,
    /// Confidence interval, unless none was asked for or trials = 0.
    pub ci: Option<Interval>,
    /// Why the rate is undefined, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the sample can support, for error rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adequacy: Option<Adequacy>,
    /// Trials for tests and intervals: the Kish effective sample size when
    /// weighted, `trials` over the design effect when clustered, else
    /// `trials` (not in the JSON: a report read back has 0).
    #[serde(skip)]
    pub effective_trials: f64,
    /// The design effect of subject clustering the interval allows for
    /// ([`crate::stats::cluster`]), when subject ids are known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design_effect: Option<f64>,
    /// The interval method and level asked for (the box of per-group
    /// intervals behind summary intervals uses them; not in the JSON).
    #[serde(skip)]
    pub(crate) spec: CiSpec,
}

/// Sample-size adequacy of an error rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adequacy {
    /// The smallest rate these trials can support: the one-sided 95% bound
    /// after zero errors, 1 − 0.05^(1/n) ≈ 3/n.
    pub smallest_supported: f64,
    /// Fewer than 30 errors were observed (the rule of 30).
    pub few_errors: bool,
}

/// Errors below which an error rate is flagged.
pub(crate) const FEW_ERRORS: f64 = 30.0;

impl Rate {
    /// Builds the rate and its interval (exact one-sided at 0 or n events).
    pub fn new(events: u64, trials: u64, ci: CiSpec) -> Rate {
        Rate::weighted(events as f64, trials as f64, trials as f64, ci)
    }

    /// A rate of weighted sums: `events` and `trials` are sums of weights and
    /// `trials_sq` the sum of squared weights over the trials. The interval is
    /// that of p̂ = events/trials with the Kish effective sample size
    /// n_eff = trials²/trials_sq (n_eff = n for unit weights). A rate with no
    /// trial weight is undefined.
    pub(crate) fn weighted(events: f64, trials: f64, trials_sq: f64, ci: CiSpec) -> Rate {
        if trials <= 0.0 {
            return Rate {
                value: f64::NAN,
                events,
                trials,
                ci: None,
                reason: Some("0 trials".to_string()),
                adequacy: None,
                effective_trials: 0.0,
                design_effect: None,
                spec: ci,
            };
        }
        let p = events / trials;
        let (k, n) = effective(events, trials, trials_sq);
        Rate {
            value: p,
            events,
            trials,
            ci: interval(k, n, ci),
            reason: None,
            adequacy: None,
            effective_trials: n,
            design_effect: None,
            spec: ci,
        }
    }

    /// A rate of unit-weight trials that share subjects: the interval is
    /// that of p̂ at n_eff = trials / deff ([`crate::stats::cluster`]);
    /// with no spread (subjects unknown), that of independent trials.
    pub(crate) fn clustered(events: f64, trials: f64, spread: Option<&Spread>, ci: CiSpec) -> Rate {
        match spread {
            Some(s) if trials > 0.0 => Rate::with_design_effect(
                events,
                trials,
                trials,
                s.design_effect(events, trials),
                ci,
            ),
            _ => Rate::weighted(events, trials, trials, ci),
        }
    }

    /// A rate of weighted sums (as [`Rate::weighted`]) whose interval allows
    /// for the design effect `deff` (≥ 1): it is taken at n_eff = n/deff,
    /// n the Kish effective number of trials.
    pub(crate) fn with_design_effect(
        events: f64,
        trials: f64,
        trials_sq: f64,
        deff: f64,
        ci: CiSpec,
    ) -> Rate {
        let mut r = Rate::weighted(events, trials, trials_sq, ci);
        if trials > 0.0 {
            let n = r.effective_trials / deff;
            r.ci = interval(r.value * n, n, ci);
            r.effective_trials = n;
            r.design_effect = Some(deff);
        }
        r
    }

    /// An undefined rate over `trials` trials, with the reason.
    pub(crate) fn undefined(trials: u64, reason: &str) -> Rate {
        Rate {
            value: f64::NAN,
            events: 0.0,
            trials: trials as f64,
            ci: None,
            reason: Some(reason.to_string()),
            adequacy: None,
            effective_trials: trials as f64,
            design_effect: None,
            spec: CiSpec::default().without_interval(),
        }
    }

    /// Marks an error rate with its adequacy (events are errors), judged on
    /// the Kish counts so that it does not depend on the scale of the weights.
    pub(crate) fn error_rate(mut self) -> Rate {
        if self.trials > 0.0 {
            let (errors, n) = self.counts();
            self.adequacy = Some(Adequacy {
                smallest_supported: crate::math::interval::zero_event_upper_bound(n),
                few_errors: errors < FEW_ERRORS,
            });
        }
        self
    }

    /// (events, trials) for tests of difference: p̂·n_eff of n_eff, where
    /// n_eff allows for the weights (Kish) and for subject clustering (the
    /// design effect) — unchanged when every weight is multiplied by the
    /// same factor.
    pub(crate) fn effective_counts(&self) -> (f64, f64) {
        match self.design_effect {
            Some(_) if self.effective_trials != self.trials => {
                (self.value * self.effective_trials, self.effective_trials)
            }
            _ => self.counts(),
        }
    }

    /// What this rate's interval in a box of simultaneous intervals is
    /// computed from ([`crate::stats::summary_ci`]): its effective counts and
    /// interval method; none when it has no interval.
    pub(crate) fn sample(&self) -> Option<Sample> {
        let (events, trials) = self.effective_counts();
        (self.spec.method != Method::None && trials > 0.0 && self.value.is_finite()).then_some(
            Sample {
                events,
                trials,
                spec: self.spec,
            },
        )
    }

    /// (events, trials) for adequacy and the zero-error rule of the
    /// summaries, which describe the sample, not an interval: the counts, or
    /// p̂·n_eff of the Kish n_eff when weighted (never the design effect).
    pub(crate) fn counts(&self) -> (f64, f64) {
        let kish = whole_if_close(self.effective_trials * self.design_effect.unwrap_or(1.0));
        if kish == self.trials {
            (self.events, self.trials)
        } else {
            (whole_if_close(self.value * kish), kish)
        }
    }

    /// True when the rate is defined and no event was seen.
    #[cfg(test)]
    fn is_zero(&self) -> bool {
        self.trials > 0.0 && self.events == 0.0
    }
}

/// The effective counts (k, n) of a weighted rate: the sums themselves when
/// n_eff = Σw (unit weights), else p̂·n_eff of the Kish n_eff = (Σw)²/Σw².
/// Equal weights give n_eff = n and p̂·n_eff = k up to rounding; those are
/// made whole again, so that weights all equal to c count as unit weights
/// whatever c (the same interval, the same exact test).
fn effective(events: f64, trials: f64, trials_sq: f64) -> (f64, f64) {
    if trials_sq == trials {
        return (events, trials);
    }
    let n = whole_if_close(trials * trials / trials_sq);
    (whole_if_close(events / trials * n), n)
}

/// `x` rounded to a whole number when within rounding error (relative 1e-9) of one.
fn whole_if_close(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * x.abs().max(1.0) {
        r
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rate_is_undefined_with_reason() {
        let r = Rate::new(0, 0, CiSpec::default());
        assert!(r.value.is_nan());
        assert_eq!(r.reason.as_deref(), Some("0 trials"));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.starts_with("{\"value\":null"), "{json}");
    }

    #[test]
    fn weighted_rate_uses_the_effective_sample_size() {
        // Weights 1, 1, 2, 2 (two events of weight 1): p = 2/6, n_eff = 36/10.
        let ci = CiSpec::default();
        // statsmodels proportion_confint(1.2, 3.6, method='wilson') =
        // (0.06991558743067144, 0.7688257092808157).
        let r = Rate::weighted(2.0, 6.0, 10.0, ci);
        let got = r.ci.unwrap();
        assert!(
            (got.low - 0.069_915_587_430_671_44).abs() < 1e-12,
            "{}",
            got.low
        );
        assert!(
            (got.high - 0.768_825_709_280_815_7).abs() < 1e-12,
            "{}",
            got.high
        );
        assert_eq!(Rate::weighted(3.0, 12.0, 12.0, ci), Rate::new(3, 12, ci));
    }

    #[test]
    fn error_rates_carry_their_adequacy() {
        // 0 errors in 1000: supports rates down to 1 - 0.05^(1/1000) = 0.0029912495450953314.
        let a = Rate::new(0, 1000, CiSpec::default())
            .error_rate()
            .adequacy
            .unwrap();
        assert!((a.smallest_supported - 0.002_991_249_545_095_331_4).abs() < 1e-15);
        assert!(a.few_errors);
        let b = Rate::new(30, 1000, CiSpec::default())
            .error_rate()
            .adequacy
            .unwrap();
        assert!(!b.few_errors);
        assert!(Rate::new(0, 0, CiSpec::default())
            .error_rate()
            .adequacy
            .is_none());
    }

    #[test]
    fn rate_is_events_over_trials() {
        let r = Rate::new(3, 12, CiSpec::default());
        assert_eq!(r.value, 0.25);
        assert!(!r.is_zero());
        assert!(Rate::new(0, 5, CiSpec::default()).is_zero());
    }
}
