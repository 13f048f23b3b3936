//! Parity metrics with fairlearn's semantics, and AIF360's forms against a
//! reference group.
//!
//! fairlearn (`MetricFrame.difference`/`.ratio`, `demographic_parity_*`,
//! `equalized_odds_*`, `equal_opportunity_*`), over the per-group values v_g
//! of a rate and its value v over all rows of the view:
//! * difference, between_groups = max − min; to_overall = max_g |v_g − v|
//! * ratio, between_groups = min / max; to_overall = min_g min(v_g/v, v/v_g)
//! * equalized odds combine the TPR and FPR results: worst_case takes the
//!   larger difference or the smaller ratio, mean their mean.
//!
//! Unlike fairlearn, a group whose rate is undefined (no positives for TPR,
//! no negatives for FPR) makes the metric undefined, with that group named;
//! fairlearn counts such a rate as 0.
//!
//! Differences and ratios between groups carry a simultaneous interval: the
//! range over the box of per-group intervals ([`crate::stats::summary_ci`]),
//! at the Bonferroni level for G intervals, or 2G for equalized odds (TPR and
//! FPR of every group; the worst case and the mean are monotone in the two
//! parts, so their ranges combine the parts'). The forms against the overall
//! value have none: the overall value moves with every group's rate.
//!
//! AIF360 (`ClassificationMetric` with the reference group privileged and
//! group g unprivileged): disparate_impact = SR_g / SR_ref (four-fifths rule
//! violated when < 0.8), statistical_parity_difference = SR_g − SR_ref,
//! average_odds_difference = ½[(FPR_g − FPR_ref) + (TPR_g − TPR_ref)],
//! average_abs_odds_difference = ½[|FPR_g − FPR_ref| + |TPR_g − TPR_ref|],
//! error_rate_ratio = ERR_g / ERR_ref.

use crate::stats::disparity::Stat;
use crate::stats::summary_ci::{self, Bx, Sample, SummaryInterval};

/// One group's value of a rate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value<'a> {
    pub(crate) group: &'a str,
    pub(crate) value: f64,
    /// Why the value is undefined, if it is.
    pub(crate) why: Option<&'a str>,
    /// What the group's interval in the box is computed from, if it has one.
    pub(crate) sample: Option<Sample>,
}

/// Why a form against the overall value has no simultaneous interval.
const NO_OVERALL_INTERVAL: &str =
    "none against the overall value (it moves with every group's rate); see --bootstrap";

/// The simultaneous interval of a form: between groups, `range` over the
/// box of the values' intervals for `parts` intervals; against the overall
/// value, none (said so when the groups have intervals).
fn simultaneous(
    values: &[Value],
    overall: Option<f64>,
    parts: usize,
    range: fn(&Bx) -> (f64, f64),
) -> Option<SummaryInterval> {
    let samples: Vec<Option<Sample>> = values.iter().map(|v| v.sample).collect();
    let b = Bx::new(&samples, parts)?;
    Some(match overall {
        None => b.interval(range(&b)),
        Some(_) => SummaryInterval {
            low: f64::NAN,
            high: f64::NAN,
            method: summary_ci::label(b.spec),
            note: Some(NO_OVERALL_INTERVAL.into()),
        },
    })
}

fn undefined(values: &[Value]) -> Option<Stat> {
    if values.is_empty() {
        return Some(Stat::undefined(f64::NAN, "no groups to compare".into()));
    }
    values.iter().find(|v| !v.value.is_finite()).map(|v| {
        Stat::undefined(
            f64::NAN,
            format!(
                "group {} is undefined ({})",
                v.group,
                v.why.unwrap_or("no value")
            ),
        )
    })
}

fn extremes(values: &[Value]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v.value), hi.max(v.value))
        })
}

/// fairlearn `difference(method)`, with its interval among `parts` simultaneous intervals.
pub(crate) fn difference(values: &[Value], overall: Option<f64>, parts: usize) -> Stat {
    difference_value(values, overall).with(simultaneous(
        values,
        overall,
        parts,
        summary_ci::max_minus_min,
    ))
}

/// fairlearn `ratio(method)`, with its interval among `parts` simultaneous intervals.
pub(crate) fn ratio(values: &[Value], overall: Option<f64>, parts: usize) -> Stat {
    ratio_value(values, overall).with(simultaneous(
        values,
        overall,
        parts,
        summary_ci::min_over_max,
    ))
}

fn difference_value(values: &[Value], overall: Option<f64>) -> Stat {
    if let Some(s) = undefined(values) {
        return s;
    }
    match overall {
        None => {
            let (lo, hi) = extremes(values);
            Stat::ok(hi - lo)
        }
        Some(o) if !o.is_finite() => {
            Stat::undefined(f64::NAN, "the overall value is undefined".into())
        }
        Some(o) => Stat::ok(
            values
                .iter()
                .map(|v| (v.value - o).abs())
                .fold(0.0, f64::max),
        ),
    }
}

fn ratio_value(values: &[Value], overall: Option<f64>) -> Stat {
    if let Some(s) = undefined(values) {
        return s;
    }
    match overall {
        None => {
            let (lo, hi) = extremes(values);
            if hi == 0.0 {
                Stat::undefined(f64::NAN, "0 / 0: every group is 0".into())
            } else {
                Stat::ok(lo / hi)
            }
        }
        Some(o) if !o.is_finite() => {
            Stat::undefined(f64::NAN, "the overall value is undefined".into())
        }
        Some(0.0) => Stat::undefined(f64::NAN, "the overall value is 0".into()),
        Some(o) => {
            let r = values
                .iter()
                .map(|v| {
                    let x = v.value / o;
                    if x > 1.0 {
                        1.0 / x
                    } else {
                        x
                    }
                })
                .fold(f64::INFINITY, f64::min);
            Stat::ok(r)
        }
    }
}

/// fairlearn's equalized odds over the TPR and FPR of the groups (against
/// `overall` TPR and FPR when given): of the differences, or of the ratios
/// when `ratios`; `worst` takes the larger difference or the smaller ratio,
/// otherwise the mean. The interval rests on 2G simultaneous intervals.
pub(crate) fn equalized_odds(
    tpr: &[Value],
    fpr: &[Value],
    overall: [Option<f64>; 2],
    ratios: bool,
    worst: bool,
) -> Stat {
    let parts = tpr.len() + fpr.len();
    let form: fn(&[Value], Option<f64>, usize) -> Stat = if ratios { ratio } else { difference };
    combine(
        form(tpr, overall[0], parts),
        form(fpr, overall[1], parts),
        worst,
        !ratios,
    )
}

/// Combines the TPR and FPR results of equalized odds: `worst` picks the
/// larger (differences) or smaller (ratios); otherwise the mean. Each is
/// increasing in both parts, so its interval combines the parts' ends.
fn combine(tpr: Stat, fpr: Stat, worst: bool, larger_is_worse: bool) -> Stat {
    for (name, s) in [("TPR", &tpr), ("FPR", &fpr)] {
        if let Some(r) = &s.reason {
            return Stat::undefined(s.value, format!("{name}: {r}"));
        }
    }
    let f = |a: f64, b: f64| match (worst, larger_is_worse) {
        (false, _) => (a + b) / 2.0,
        (true, true) => a.max(b),
        (true, false) => a.min(b),
    };
    let interval = match (tpr.interval, fpr.interval) {
        (Some(t), Some(p)) => Some(match (t.bounds(), p.bounds()) {
            (Some(a), Some(b)) => SummaryInterval {
                low: f(a.0, b.0),
                high: f(a.1, b.1),
                note: t.note.or(p.note),
                ..t
            },
            _ => SummaryInterval {
                note: t.note.or(p.note),
                ..t
            },
        }),
        _ => None,
    };
    Stat::ok(f(tpr.value, fpr.value)).with(interval)
}

/// The reason a comparison with the reference is undefined, if it is.
fn either_undefined(a: Value, reference: Value) -> Option<Stat> {
    let why = |v: Value, who: &str| {
        format!(
            "{who}{} is undefined ({})",
            v.group,
            v.why.unwrap_or("no value")
        )
    };
    if !a.value.is_finite() {
        Some(Stat::undefined(f64::NAN, why(a, "group ")))
    } else if !reference.value.is_finite() {
        Some(Stat::undefined(f64::NAN, why(reference, "reference ")))
    } else {
        None
    }
}

/// a / reference, with reasons for a zero or undefined side.
pub(crate) fn versus_ratio(a: Value, reference: Value) -> Stat {
    either_undefined(a, reference).unwrap_or_else(|| match (a.value, reference.value) {
        (0.0, 0.0) => Stat::undefined(
            f64::NAN,
            format!(
                "0 / 0: both {} and reference {} are 0",
                a.group, reference.group
            ),
        ),
        (_, 0.0) => Stat::undefined(f64::INFINITY, format!("reference {} is 0", reference.group)),
        (x, y) => Stat::ok(x / y),
    })
}

/// a − reference, with reasons for an undefined side.
pub(crate) fn versus_difference(a: Value, reference: Value) -> Stat {
    either_undefined(a, reference).unwrap_or_else(|| Stat::ok(a.value - reference.value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals<'a>(v: &[(&'a str, f64)]) -> Vec<Value<'a>> {
        v.iter()
            .map(|&(group, value)| Value {
                group,
                value,
                why: None,
                sample: None,
            })
            .collect()
    }

    #[test]
    fn fairlearn_difference_and_ratio() {
        let v = vals(&[("a", 0.2), ("b", 0.5), ("c", 0.4)]);
        assert!((difference(&v, None, 3).value - 0.3).abs() < 1e-15);
        assert!((ratio(&v, None, 3).value - 0.4).abs() < 1e-15);
        // overall 0.4: |diffs| 0.2, 0.1, 0 → 0.2; ratios 0.5, 0.8 (=0.4/0.5), 1 → 0.5
        assert!((difference(&v, Some(0.4), 3).value - 0.2).abs() < 1e-15);
        assert!((ratio(&v, Some(0.4), 3).value - 0.5).abs() < 1e-15);
    }

    #[test]
    fn undefined_groups_are_named() {
        let mut v = vals(&[("a", 0.2), ("b", f64::NAN)]);
        v[1].why = Some("no negatives");
        let s = difference(&v, None, 2);
        assert!(s.value.is_nan());
        assert_eq!(s.reason.unwrap(), "group b is undefined (no negatives)");
        assert!(ratio(&vals(&[("a", 0.0), ("b", 0.0)]), None, 2)
            .value
            .is_nan());
    }

    #[test]
    fn equalized_odds_combination() {
        let (t, f) = (Stat::ok(0.3), Stat::ok(0.1));
        assert_eq!(combine(t.clone(), f.clone(), true, true).value, 0.3);
        assert_eq!(combine(t.clone(), f.clone(), true, false).value, 0.1);
        assert!((combine(t, f, false, true).value - 0.2).abs() < 1e-15);
    }

    #[test]
    fn simultaneous_intervals_of_parity_forms() {
        // Two groups with 10 of 100 each. Box of 2 Wilson intervals (α = 0.025
        // each): [0.050787141824366194, 0.18748138065902056]; of 4 (equalized
        // odds, α = 0.0125): [0.04709049622826235, 0.19988705500152293]
        // (the Wilson formula in Python with statistics.NormalDist's Φ⁻¹).
        let sample = Some(Sample {
            events: 10.0,
            trials: 100.0,
            spec: crate::math::interval::CiSpec::default(),
        });
        let mut v = vals(&[("a", 0.1), ("b", 0.1)]);
        v.iter_mut().for_each(|x| x.sample = sample);
        let near = |a: f64, b: f64| (a - b).abs() < 1e-12;
        let d = difference(&v, None, 2).interval.unwrap();
        assert!(d.low == 0.0 && near(d.high, 0.187_481_380_659_020_56 - 0.050_787_141_824_366_194));
        assert!(d.method.starts_with("simultaneous (Bonferroni box"));
        let r = ratio(&v, None, 2).interval.unwrap();
        assert!(near(r.low, 0.050_787_141_824_366_194 / 0.187_481_380_659_020_56) && r.high == 1.0);
        let odds = equalized_odds(&v, &v, [None, None], false, true)
            .interval
            .unwrap();
        assert!(
            odds.low == 0.0
                && near(
                    odds.high,
                    0.199_887_055_001_522_93 - 0.047_090_496_228_262_35
                )
        );
        let odds = equalized_odds(&v, &v, [None, None], true, false)
            .interval
            .unwrap();
        assert!(near(
            odds.low,
            0.047_090_496_228_262_35 / 0.199_887_055_001_522_93
        ));
        // Against the overall value: no interval, and why.
        let o = difference(&v, Some(0.1), 2).interval.unwrap();
        assert!(o.bounds().is_none() && o.note.unwrap().contains("overall"));
        // Groups without intervals: none.
        assert!(difference(&vals(&[("a", 0.1)]), None, 1).interval.is_none());
    }

    #[test]
    fn reference_forms() {
        let a = Value {
            group: "g",
            value: 0.3,
            why: None,
            sample: None,
        };
        let r = Value {
            group: "ref",
            value: 0.6,
            why: None,
            sample: None,
        };
        assert_eq!(versus_ratio(a, r).value, 0.5);
        assert!((versus_difference(a, r).value + 0.3).abs() < 1e-15);
        let zero = Value { value: 0.0, ..r };
        assert_eq!(versus_ratio(a, zero).value, f64::INFINITY);
        assert_eq!(versus_ratio(a, zero).reason.unwrap(), "reference ref is 0");
    }
}
