//! The findings: for each attribute, operating point and error rate, the
//! worst and the best group, the ratio between them (and max/geomean) with
//! its simultaneous interval, whether the difference is significant after
//! Holm's correction and whether the groups saw enough errors — ranked by
//! severity, most severe first. Computed once from the task's results;
//! every human-readable format opens with them.

use crate::counts::table::ViewResult;
use crate::engine::identify::fnir_metric;
use crate::engine::summarize::SummarizeResult;
use crate::stats::disparity::Summary;
use crate::stats::rate::{finite_or_null, null_as_nan, Rate, FEW_ERRORS};
use crate::stats::significance::RateTests;
use serde::{Deserialize, Serialize};

use super::Findings;

/// The level below which a Holm-adjusted p-value is called significant.
pub const SIGNIFICANCE: f64 = 0.05;

/// The largest disparity of one error rate in one view at one operating point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The view's attribute (`race`, `race+sex`; the group column of `summarize`).
    pub attribute: String,
    /// The operating point's policy (none for published rates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The error rate's metric id (`fnmr`, `fnir@1`, `fpr`, …).
    pub rate: String,
    /// The group with the highest rate (the first of equals).
    pub worst: GroupRate,
    /// Another group with the lowest rate (the first of equals).
    pub best: GroupRate,
    /// worst / best (the view's `<rate>.max_over_min`).
    pub ratio: Estimate,
    /// worst / geometric mean of the groups (`<rate>.max_over_geomean`).
    pub max_over_geomean: Estimate,
    /// The Holm-adjusted test behind the difference, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significance: Option<Significance>,
    /// Whether the groups with a defined rate saw enough errors.
    pub adequacy: Adequacy,
    /// The groups in summaries with a defined rate and fewer than 30 errors
    /// (those with none included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub few_errors: Vec<String>,
}

/// One group's rate with its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRate {
    /// Group name.
    pub group: String,
    /// The rate and its interval.
    #[serde(flatten)]
    pub rate: Estimate,
}

/// A value with its interval (NaN ends, written null, when it has none):
/// a group's rate, or a ratio summary with its simultaneous interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The value (`"inf"` when a ratio's denominator is 0, null when undefined).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Lower end of its interval.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub low: f64,
    /// Upper end of its interval.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub high: f64,
    /// Why the value is undefined or infinite, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The test of the worst or the best group against the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Significance {
    /// The group tested (the worst or the best).
    pub group: String,
    /// The view's reference group.
    pub reference: String,
    /// Holm-adjusted p-value over the groups' tests of this rate.
    pub p_holm: f64,
    /// `p_holm` < [`SIGNIFICANCE`].
    pub significant: bool,
}

/// Whether the groups of a finding saw enough errors (rule of 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Adequacy {
    /// Every group saw at least 30 errors.
    Adequate,
    /// Some group saw fewer than 30 errors.
    FewErrors,
    /// Some group saw no error: its rate is only bounded.
    ZeroErrors,
    /// The error counts are unknown (published rates without trials).
    Unknown,
    /// Not a counted rate: a mean error (age estimation's MAE).
    NotCounted,
}

/// One group's rate as a finding reads it: the rate, its interval and
/// (zero errors, fewer than 30 errors), none when the errors are unknown.
#[derive(Clone)]
struct Entry<'a> {
    group: &'a str,
    value: f64,
    interval: (f64, f64),
    errors: Option<(bool, bool)>,
}

impl<'a> Entry<'a> {
    fn of(group: &'a str, r: &Rate) -> Entry<'a> {
        Entry {
            group,
            value: r.value,
            interval: r.ci.map_or((f64::NAN, f64::NAN), |c| (c.low, c.high)),
            errors: r.adequacy.as_ref().map(|a| (r.events == 0.0, a.few_errors)),
        }
    }

    fn rate(&self) -> GroupRate {
        GroupRate {
            group: self.group.to_string(),
            rate: Estimate {
                value: self.value,
                low: self.interval.0,
                high: self.interval.1,
                reason: None,
            },
        }
    }
}

/// The findings of a task's results, most severe first.
pub(crate) fn of(findings: &Findings) -> Vec<Finding> {
    let mut out = Vec::new();
    match findings {
        Findings::Verify(v) => views(&v.views, |m| matches!(m, "fmr" | "fnmr"), &mut out),
        Findings::Identify(i) => {
            let fnir: Vec<String> = i.ranks.iter().map(|&r| fnir_metric(r)).collect();
            views(
                &i.views,
                |m| m == "fpir" || fnir.iter().any(|f| f == m),
                &mut out,
            );
        }
        Findings::Classify(c) => views(
            &c.views,
            |m| crate::engine::classify::cells::ERROR_RATES.contains(&m),
            &mut out,
        ),
        Findings::Estimate(e) => {
            mean_errors(&e.views, &mut out);
            views(
                &e.views,
                |m| m == "false_admit" || m == "false_refusal",
                &mut out,
            );
        }
        Findings::Summarize(s) => published(s, &mut out),
    }
    rank(&mut out);
    out
}

/// Sorts by severity: the lower end of the ratio's interval (1, no credible
/// disparity, without an interval), then the ratio; undefined ratios last;
/// equals keep report order.
pub(crate) fn rank(findings: &mut [Finding]) {
    let key = |f: &Finding| {
        let r = &f.ratio;
        if r.value.is_nan() {
            (f64::NEG_INFINITY, f64::NEG_INFINITY)
        } else {
            (if r.low.is_nan() { 1.0 } else { r.low }, r.value)
        }
    };
    findings.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    });
}

/// The findings of every view but the pooled one, at every operating point,
/// of the columns `error` accepts.
fn views<C, X, F>(
    views: &[ViewResult<C, X, F>],
    error: impl Fn(&str) -> bool,
    out: &mut Vec<Finding>,
) {
    for view in views.iter().filter(|v| !v.attribute.is_pooled()) {
        let included = view.included();
        for at in &view.operating_points {
            for col in at.rates.iter().filter(|c| error(&c.metric)) {
                let entries: Vec<Entry> = included
                    .iter()
                    .map(|&g| Entry::of(&view.groups[g].group, &col.by_group[g]))
                    .collect();
                out.extend(build(
                    view.attribute.to_string(),
                    Some(at.policy.clone()),
                    &col.metric,
                    &entries,
                    &col.summaries,
                    col.tests.as_ref(),
                ));
            }
        }
    }
}

/// The MAE findings of age estimation: per view, the groups' mean absolute
/// errors with their t intervals, the ratio of `mae.max_over_min`.
fn mean_errors(views: &[crate::engine::estimate::AgeView], out: &mut Vec<Finding>) {
    for view in views.iter().filter(|v| !v.attribute.is_pooled()) {
        let entries: Vec<Entry> = view
            .included()
            .into_iter()
            .filter_map(|g| {
                let s = view.groups[g].counts.error("mae")?;
                Some(Entry {
                    group: &view.groups[g].group,
                    value: s.value,
                    interval: (s.low, s.high),
                    errors: None,
                })
            })
            .collect();
        out.extend(
            build(
                view.attribute.to_string(),
                None,
                "mae",
                &entries,
                &view.free.summaries,
                None,
            )
            .map(|f| Finding {
                adequacy: Adequacy::NotCounted,
                ..f
            }),
        );
    }
}

/// The findings of published rates: one per rate column, without tests.
fn published(s: &SummarizeResult, out: &mut Vec<Finding>) {
    for col in &s.rates {
        let entries: Vec<Entry> = col
            .groups
            .iter()
            .map(|g| Entry {
                group: &g.group,
                value: g.value,
                interval: (f64::NAN, f64::NAN),
                errors: g.trials.map(|n| {
                    let k = (g.value * n).round();
                    (k == 0.0, k < FEW_ERRORS)
                }),
            })
            .collect();
        out.extend(build(
            s.group_column.clone(),
            None,
            &col.rate,
            &entries,
            &s.summaries,
            None,
        ));
    }
}

/// The finding of one rate over `entries` (the groups in summaries); none
/// with fewer than two defined rates.
fn build(
    attribute: String,
    policy: Option<String>,
    rate: &str,
    entries: &[Entry],
    summaries: &[Summary],
    tests: Option<&RateTests>,
) -> Option<Finding> {
    let defined: Vec<&Entry> = entries.iter().filter(|e| e.value.is_finite()).collect();
    if defined.len() < 2 {
        return None;
    }
    let w = (0..defined.len()).fold(0, |m, i| {
        if defined[i].value > defined[m].value {
            i
        } else {
            m
        }
    });
    let others = (0..defined.len()).filter(|&i| i != w);
    let b = others.fold(usize::from(w == 0), |m, i| {
        if defined[i].value < defined[m].value {
            i
        } else {
            m
        }
    });
    let (worst, best) = (defined[w], defined[b]);
    let ratio = |name: &str| {
        let metric = format!("{rate}.{name}");
        summaries.iter().find(|s| s.metric == metric).map_or(
            Estimate {
                value: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
                reason: Some(format!("no {metric}")),
            },
            |s| {
                let (low, high) = s
                    .interval
                    .as_ref()
                    .and_then(|i| i.bounds())
                    .unwrap_or((f64::NAN, f64::NAN));
                Estimate {
                    value: s.value,
                    low,
                    high,
                    reason: s.reason.clone(),
                }
            },
        )
    };
    let few_errors: Vec<String> = defined
        .iter()
        .filter(|e| e.errors.is_some_and(|(zero, few)| zero || few))
        .map(|e| e.group.to_string())
        .collect();
    let adequacy = if defined.iter().any(|e| e.errors.is_none()) {
        Adequacy::Unknown
    } else if defined
        .iter()
        .any(|e| e.errors.is_some_and(|(zero, _)| zero))
    {
        Adequacy::ZeroErrors
    } else if !few_errors.is_empty() {
        Adequacy::FewErrors
    } else {
        Adequacy::Adequate
    };
    Some(Finding {
        attribute,
        policy,
        rate: rate.to_string(),
        significance: tests.and_then(|t| significance(t, worst.group, best.group)),
        worst: worst.rate(),
        best: best.rate(),
        ratio: ratio("max_over_min"),
        max_over_geomean: ratio("max_over_geomean"),
        adequacy,
        few_errors,
    })
}

/// The Holm-adjusted test of the worst or the best group against the
/// reference: the one that is not the reference when the other is (then it
/// tests worst against best), else the smaller p-value of the two.
fn significance(t: &RateTests, worst: &str, best: &str) -> Option<Significance> {
    let reference = t.reference.as_deref()?;
    t.versus_reference
        .iter()
        .filter(|g| g.group == worst || g.group == best)
        .filter_map(|g| Some((g, g.p_holm?)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(g, p)| Significance {
            group: g.group.clone(),
            reference: reference.to_string(),
            p_holm: p,
            significant: p < SIGNIFICANCE,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::significance::{GroupTest, Test, TestMethod};

    fn ratio(value: f64, low: f64) -> Estimate {
        Estimate {
            value,
            low,
            high: f64::NAN,
            reason: None,
        }
    }

    fn finding(rate: &str, r: Estimate) -> Finding {
        let g = |name: &str| GroupRate {
            group: name.into(),
            rate: ratio(0.1, f64::NAN),
        };
        Finding {
            attribute: "race".into(),
            policy: None,
            rate: rate.into(),
            worst: g("B"),
            best: g("A"),
            max_over_geomean: r.clone(),
            ratio: r,
            significance: None,
            adequacy: Adequacy::Unknown,
            few_errors: Vec::new(),
        }
    }

    /// Credible (lower-end) ratio first, then the ratio; no interval counts
    /// as a lower end of 1; undefined last; equals keep their order.
    #[test]
    fn ranking_puts_the_largest_credible_ratio_first() {
        let mut f = vec![
            finding("undefined", ratio(f64::NAN, f64::NAN)),
            finding("big but uncertain", ratio(9.0, 1.0)),
            finding("no interval", ratio(3.0, f64::NAN)),
            finding("credible", ratio(2.5, 1.9)),
            finding("infinite", ratio(f64::INFINITY, 1.2)),
            finding("tie a", ratio(2.0, 1.5)),
            finding("tie b", ratio(2.0, 1.5)),
        ];
        rank(&mut f);
        let order: Vec<&str> = f.iter().map(|x| x.rate.as_str()).collect();
        assert_eq!(
            order,
            [
                "credible",
                "tie a",
                "tie b",
                "infinite",
                "big but uncertain",
                "no interval",
                "undefined"
            ]
        );
    }

    fn entry(group: &str, value: f64, errors: Option<(bool, bool)>) -> Entry<'_> {
        Entry {
            group,
            value,
            interval: (value / 2.0, value * 2.0),
            errors,
        }
    }

    fn versus(group: &str, p_holm: f64) -> GroupTest {
        GroupTest {
            group: group.into(),
            test: Test {
                method: TestMethod::TwoProportionZ,
                statistic: None,
                df: None,
                p: Some(p_holm),
                reason: None,
            },
            p_holm: Some(p_holm),
        }
    }

    #[test]
    fn worst_best_adequacy_and_the_test_of_the_pair() {
        let ok = Some((false, false));
        let entries = [
            entry("A", 0.02, ok),
            entry("B", 0.08, Some((false, true))),
            entry("C", f64::NAN, None),
            entry("D", 0.01, Some((true, true))),
        ];
        let tests = RateTests {
            metric: "fnmr".into(),
            homogeneity: Test {
                method: TestMethod::ChiSquareHomogeneity,
                statistic: None,
                df: None,
                p: None,
                reason: None,
            },
            reference: Some("A".into()),
            versus_reference: vec![versus("B", 0.2), versus("D", 0.01)],
        };
        let f = build("race".into(), None, "fnmr", &entries, &[], Some(&tests)).unwrap();
        assert_eq!((f.worst.group.as_str(), f.best.group.as_str()), ("B", "D"));
        assert_eq!((f.worst.rate.low, f.worst.rate.high), (0.04, 0.16));
        // The smaller Holm p of the worst's and the best's tests.
        let s = f.significance.unwrap();
        assert_eq!(
            (s.group.as_str(), s.p_holm, s.significant),
            ("D", 0.01, true)
        );
        // C's rate is undefined: D's zero errors decide.
        assert_eq!(f.adequacy, Adequacy::ZeroErrors);
        assert_eq!(f.few_errors, ["B", "D"]);
        let unknown = [entries[0].clone(), entry("E", 0.3, None)];
        let f = build("race".into(), None, "fnmr", &unknown, &[], None).unwrap();
        assert_eq!(f.adequacy, Adequacy::Unknown);
        assert!(f.significance.is_none() && f.ratio.value.is_nan());
        let few = [entries[0].clone(), entries[1].clone()];
        let f = build("race".into(), None, "fnmr", &few, &[], None).unwrap();
        assert_eq!(f.adequacy, Adequacy::FewErrors);
    }

    /// Equal rates still name two groups; one defined rate is no finding.
    #[test]
    fn equal_rates_name_two_groups_and_one_group_is_none() {
        let ok = Some((false, false));
        let same = [
            entry("A", 0.1, ok),
            entry("B", 0.1, ok),
            entry("C", 0.1, ok),
        ];
        let f = build("race".into(), None, "fmr", &same, &[], None).unwrap();
        assert_eq!((f.worst.group.as_str(), f.best.group.as_str()), ("A", "B"));
        assert_eq!(f.adequacy, Adequacy::Adequate);
        let one = [entry("A", 0.1, ok), entry("B", f64::NAN, ok)];
        assert!(build("race".into(), None, "fmr", &one, &[], None).is_none());
    }
}
