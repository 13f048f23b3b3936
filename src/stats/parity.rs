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
//! AIF360 (`ClassificationMetric` with the reference group privileged and
//! group g unprivileged): disparate_impact = SR_g / SR_ref (four-fifths rule
//! violated when < 0.8), statistical_parity_difference = SR_g − SR_ref,
//! average_odds_difference = ½[(FPR_g − FPR_ref) + (TPR_g − TPR_ref)],
//! average_abs_odds_difference = ½[|FPR_g − FPR_ref| + |TPR_g − TPR_ref|],
//! error_rate_ratio = ERR_g / ERR_ref.

use crate::stats::disparity::Stat;

/// One group's value of a rate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Value<'a> {
    pub(crate) group: &'a str,
    pub(crate) value: f64,
    /// Why the value is undefined, if it is.
    pub(crate) why: Option<&'a str>,
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

/// fairlearn `difference(method)`.
pub(crate) fn difference(values: &[Value], overall: Option<f64>) -> Stat {
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

/// fairlearn `ratio(method)`.
pub(crate) fn ratio(values: &[Value], overall: Option<f64>) -> Stat {
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

/// Combines the TPR and FPR results of equalized odds: `worst` picks the
/// larger (differences) or smaller (ratios); otherwise the mean.
pub(crate) fn combine(tpr: Stat, fpr: Stat, worst: bool, larger_is_worse: bool) -> Stat {
    for (name, s) in [("TPR", &tpr), ("FPR", &fpr)] {
        if let Some(r) = &s.reason {
            return Stat::undefined(s.value, format!("{name}: {r}"));
        }
    }
    let v = match (worst, larger_is_worse) {
        (false, _) => (tpr.value + fpr.value) / 2.0,
        (true, true) => tpr.value.max(fpr.value),
        (true, false) => tpr.value.min(fpr.value),
    };
    Stat::ok(v)
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
            })
            .collect()
    }

    #[test]
    fn fairlearn_difference_and_ratio() {
        let v = vals(&[("a", 0.2), ("b", 0.5), ("c", 0.4)]);
        assert!((difference(&v, None).value - 0.3).abs() < 1e-15);
        assert!((ratio(&v, None).value - 0.4).abs() < 1e-15);
        // overall 0.4: |diffs| 0.2, 0.1, 0 → 0.2; ratios 0.5, 0.8 (=0.4/0.5), 1 → 0.5
        assert!((difference(&v, Some(0.4)).value - 0.2).abs() < 1e-15);
        assert!((ratio(&v, Some(0.4)).value - 0.5).abs() < 1e-15);
    }

    #[test]
    fn undefined_groups_are_named() {
        let mut v = vals(&[("a", 0.2), ("b", f64::NAN)]);
        v[1].why = Some("no negatives");
        let s = difference(&v, None);
        assert!(s.value.is_nan());
        assert_eq!(s.reason.unwrap(), "group b is undefined (no negatives)");
        assert!(ratio(&vals(&[("a", 0.0), ("b", 0.0)]), None).value.is_nan());
    }

    #[test]
    fn equalized_odds_combination() {
        let (t, f) = (Stat::ok(0.3), Stat::ok(0.1));
        assert_eq!(combine(t.clone(), f.clone(), true, true).value, 0.3);
        assert_eq!(combine(t.clone(), f.clone(), true, false).value, 0.1);
        assert!((combine(t, f, false, true).value - 0.2).abs() < 1e-15);
    }

    #[test]
    fn reference_forms() {
        let a = Value {
            group: "g",
            value: 0.3,
            why: None,
        };
        let r = Value {
            group: "ref",
            value: 0.6,
            why: None,
        };
        assert_eq!(versus_ratio(a, r).value, 0.5);
        assert!((versus_difference(a, r).value + 0.3).abs() < 1e-15);
        let zero = Value { value: 0.0, ..r };
        assert_eq!(versus_ratio(a, zero).value, f64::INFINITY);
        assert_eq!(versus_ratio(a, zero).reason.unwrap(), "reference ref is 0");
    }
}
