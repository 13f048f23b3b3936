//! Release gates: acceptance criteria judged on a report's values (the tidy
//! vocabulary of [`crate::value`]), optionally against a baseline report.
//!
//! A gate names a metric, a view (attribute) and a policy, the groups it
//! applies to and a limit. Per matching value it is judged on the estimate
//! or, conservatively, on the interval bound that makes passing hardest (the
//! upper bound against a `max`, the lower against a `min`); a gate has an
//! absolute limit or a relative one, not both. A value whose rate (for a
//! statistic or summary: the fewest trials of the rates behind it) has fewer
//! than `min_trials` trials, that is undefined, or that has no interval when
//! judged on its bound, is *inconclusive*. Relative gates compare with the
//! baseline's value b of the same key: `max_increase` r passes when the
//! judged figure ≤ b + r·|b| (≥ b − r·|b| with `better = "higher"`);
//! `not_worse` fails only when the two intervals do not overlap and the
//! current one is worse. A gate fails when any of its values fails; else it
//! is inconclusive when any is; else it passes. The value that decided is,
//! of those with the gate's outcome, the one furthest past its limit.

use crate::stats::rate::{finite_or_null, null_as_nan};
use crate::value::{Key, Kind, Value};
use serde::{Deserialize, Serialize};

/// An interval; ±∞ and NaN bounds survive the JSON (as `"inf"`, `null`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Lower bound.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub low: f64,
    /// Upper bound.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub high: f64,
}

impl Bounds {
    fn of(ci: Option<(f64, f64)>) -> Option<Bounds> {
        ci.map(|(low, high)| Bounds { low, high })
    }
}

/// The baseline's value of a judged key.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Its estimate.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Its interval.
    pub ci: Option<Bounds>,
}

/// What a gate judges: the estimate, or the interval bound that makes passing hardest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum On {
    /// The value itself.
    #[default]
    Estimate,
    /// The upper bound against `max`, the lower against `min`.
    Bound,
}

/// Which direction of a metric is better, for `not_worse`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// Error rates and disparities: lower is better.
    #[default]
    Lower,
    /// Accuracy, TMR, AUC: higher is better.
    Higher,
}

/// One acceptance criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// A name for the verdict table (default: made from the criterion).
    pub name: String,
    /// Metric id of the tidy vocabulary (`fmr`, `fmr.max_over_geomean`, `garbe`, …).
    pub metric: String,
    /// The view: an attribute, an intersection `race+sex`, or `*` (pooled).
    pub attribute: String,
    /// The policy label (`global-fmr:1e-3`); `None` when the report has one
    /// policy for this metric (or the metric has none).
    pub policy: Option<String>,
    /// The groups judged; `None`: every group (summaries have one, empty).
    pub groups: Option<Vec<String>>,
    /// Upper limit.
    pub max: Option<f64>,
    /// Lower limit.
    pub min: Option<f64>,
    /// Estimate or bound.
    pub on: On,
    /// Fewer trials than this make a value inconclusive.
    pub min_trials: Option<f64>,
    /// Relative to the baseline: at most this fraction worse.
    pub max_increase: Option<f64>,
    /// Relative to the baseline: not significantly worse (intervals).
    pub not_worse: bool,
    /// Direction of `not_worse` (and of `max_increase`'s "worse").
    pub better: Better,
}

/// A gate's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every value within its limit.
    Pass,
    /// Not enough data (or undefined) and no failure.
    Inconclusive,
    /// A value beyond its limit.
    Fail,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Fail => "fail",
        })
    }
}

/// One judged value of a gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    /// The group (empty for a summary).
    pub group: String,
    /// The policy of the value.
    pub policy: String,
    /// The estimate.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Its interval, when it has one.
    pub ci: Option<Bounds>,
    /// The figure compared with the limit (estimate or bound).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub judged: f64,
    /// The limit it was compared with (for a relative gate: from the baseline).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub limit: f64,
    /// The baseline's value and interval, for a relative gate.
    pub baseline: Option<Baseline>,
    /// Trials behind it (the fewest of its groups' for a summary).
    pub trials: Option<f64>,
    /// The outcome for this value.
    pub outcome: Outcome,
    /// Why, in words.
    pub why: String,
}

/// A gate with its judged values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The gate.
    pub gate: Gate,
    /// Every judged value, in report order.
    pub values: Vec<Judged>,
    /// The gate's outcome.
    pub outcome: Outcome,
    /// The index in `values` of the value that decided it.
    pub decided_by: usize,
}

/// Every gate's verdict and the overall outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdicts {
    /// Overall: fail if any gate fails, else inconclusive if any is, else pass.
    pub outcome: Outcome,
    /// Whether a baseline report was given.
    pub baseline: Option<String>,
    /// One per gate, in the file's order.
    pub gates: Vec<Verdict>,
}

/// Why a gate cannot be judged on a report (a usage error, not a verdict).
#[derive(Debug, Clone, PartialEq)]
pub struct GateError {
    /// Which gate (0-based, in the file's order).
    pub gate: usize,
    /// The gate's field at fault (`metric`, `policy`, `groups`, …).
    pub field: &'static str,
    /// What is wrong, with what there is instead.
    pub why: String,
}

impl Gate {
    /// Checks what the gate alone can tell: one kind of limit, finite values.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let absolute = self.max.is_some() || self.min.is_some();
        let relative = self.max_increase.is_some() || self.not_worse;
        if !absolute && !relative {
            return Err((
                "max",
                "a gate needs a limit: max, min, max_increase or not_worse".into(),
            ));
        }
        if self.max.is_some() && self.min.is_some() {
            return Err(("min", "give max or min, not both (write two gates)".into()));
        }
        if absolute && relative {
            return Err((
                if self.max_increase.is_some() { "max_increase" } else { "not_worse" },
                "a gate has an absolute limit (max, min) or a relative one (max_increase, not_worse), not both (write two gates)".into(),
            ));
        }
        if self.max_increase.is_some() && self.not_worse {
            return Err((
                "not_worse",
                "give max_increase or not_worse, not both (write two gates)".into(),
            ));
        }
        for (field, x) in [
            ("max", self.max),
            ("min", self.min),
            ("min_trials", self.min_trials),
            ("max_increase", self.max_increase),
        ] {
            if x.is_some_and(|x| !x.is_finite() || (field != "max" && field != "min" && x < 0.0)) {
                return Err((
                    field,
                    format!("{} is not a finite, non-negative number", x.unwrap()),
                ));
            }
        }
        Ok(())
    }

    /// Whether the gate needs a baseline report.
    pub fn relative(&self) -> bool {
        self.max_increase.is_some() || self.not_worse
    }
}

/// The values of `values` a gate selects, or why there are none.
fn select<'v>(gate: &Gate, values: &'v [Value]) -> Result<Vec<&'v Value>, (&'static str, String)> {
    let judged = |v: &&Value| {
        matches!(
            v.kind,
            Kind::Rate | Kind::Statistic | Kind::Summary | Kind::Calibrated
        )
    };
    let of_metric: Vec<&Value> = values
        .iter()
        .filter(judged)
        .filter(|v| v.key.metric == gate.metric)
        .collect();
    if of_metric.is_empty() {
        let mut known: Vec<&str> = values
            .iter()
            .filter(judged)
            .map(|v| v.key.metric.as_str())
            .collect();
        known.sort_unstable();
        known.dedup();
        return Err((
            "metric",
            format!(
                "{:?} is not a metric of this report; it has {}",
                gate.metric,
                known.join(", ")
            ),
        ));
    }
    let in_view: Vec<&Value> = of_metric
        .iter()
        .copied()
        .filter(|v| v.key.attribute.name() == gate.attribute)
        .collect();
    if in_view.is_empty() {
        let mut views: Vec<String> = of_metric.iter().map(|v| v.key.attribute.name()).collect();
        views.dedup();
        return Err((
            "attribute",
            format!(
                "{:?}: {} has no such view here; it has {}",
                gate.attribute,
                gate.metric,
                views.join(", ")
            ),
        ));
    }
    let mut policies: Vec<&str> = in_view.iter().map(|v| v.key.policy.as_str()).collect();
    policies.dedup();
    let policy = match (&gate.policy, policies.as_slice()) {
        (Some(p), _) if policies.contains(&p.as_str()) => p.clone(),
        (Some(p), _) => {
            return Err((
                "policy",
                format!(
                    "{p:?}: not a policy of this report; it has {}",
                    policies.join(", ")
                ),
            ))
        }
        (None, [one]) => one.to_string(),
        (None, _) => {
            return Err((
                "policy",
                format!(
                    "the report has several: name one of {}",
                    policies.join(", ")
                ),
            ))
        }
    };
    let at: Vec<&Value> = in_view
        .into_iter()
        .filter(|v| v.key.policy == policy && !v.key.group.contains('~'))
        .collect();
    match &gate.groups {
        None => Ok(at),
        Some(groups) => {
            if let Some(g) = groups
                .iter()
                .find(|g| !at.iter().any(|v| &v.key.group == *g))
            {
                let there: Vec<&str> = at.iter().map(|v| v.key.group.as_str()).collect();
                return Err((
                    "groups",
                    format!(
                        "{g:?}: no such group of {}; there are {}",
                        gate.attribute,
                        there.join(", ")
                    ),
                ));
            }
            Ok(at
                .into_iter()
                .filter(|v| groups.contains(&v.key.group))
                .collect())
        }
    }
}

/// Trials behind a value: its denominator; for a per-group statistic
/// without one (EER, AUC), the fewest of its group's rates; for a summary,
/// the fewest of its groups' rates that it summarises (`fmr.gini`: FMR's),
/// or of every rate of its view at its policy (GARBE, FDR, parity
/// differences), or at any policy.
fn trials(v: &Value, values: &[Value]) -> Option<f64> {
    if let Some((_, n)) = v.counts {
        return Some(n);
    }
    let fewest = |keep: &dyn Fn(&Value) -> bool| {
        values
            .iter()
            .filter(|w| w.kind == Kind::Rate && w.key.attribute == v.key.attribute)
            .filter(|w| keep(w))
            .filter_map(|w| w.counts.map(|(_, n)| n))
            .reduce(f64::min)
    };
    if !v.key.group.is_empty() {
        return fewest(&|w| w.key.group == v.key.group);
    }
    let base = v.key.metric.split(['.', '@']).next().unwrap_or("");
    let groups = |w: &Value| !w.key.group.is_empty() && !w.key.group.contains('~');
    fewest(&|w| groups(w) && w.key.policy == v.key.policy && w.key.metric == base)
        .or_else(|| fewest(&|w| groups(w) && w.key.policy == v.key.policy))
        .or_else(|| fewest(&groups))
}

/// The baseline's value of the same key.
fn baseline_of<'b>(key: &Key, baseline: &'b [Value]) -> Option<&'b Value> {
    baseline.iter().find(|b| b.key == *key)
}

/// Judges one value.
fn judge(gate: &Gate, v: &Value, values: &[Value], baseline: Option<&[Value]>) -> Judged {
    let n = trials(v, values);
    let upper = gate.max.is_some() || (gate.relative() && gate.better == Better::Lower);
    let bound = match (gate.on, v.ci, upper) {
        (On::Bound, Some((_, hi)), true) => hi,
        (On::Bound, Some((lo, _)), false) => lo,
        _ => v.value,
    };
    let base = baseline.and_then(|b| baseline_of(&v.key, b));
    let mut out = Judged {
        group: v.key.group.clone(),
        policy: v.key.policy.clone(),
        value: v.value,
        ci: Bounds::of(v.ci),
        judged: bound,
        limit: gate.max.or(gate.min).unwrap_or(f64::NAN),
        baseline: base.map(|b| Baseline {
            value: b.value,
            ci: Bounds::of(b.ci),
        }),
        trials: n,
        outcome: Outcome::Inconclusive,
        why: String::new(),
    };
    if let Some(min) = gate.min_trials {
        match n {
            Some(n) if n < min => {
                out.why = format!("{n} trials, fewer than min_trials {min}");
                return out;
            }
            Some(_) => {}
            None => {
                out.why = "no count of trials to hold against min_trials".into();
                return out;
            }
        }
    }
    if gate.on == On::Bound && v.ci.is_none() && v.kind != Kind::Calibrated {
        out.why = "no interval to judge its bound".into();
        return out;
    }
    if v.value.is_nan() {
        out.why = "undefined".into();
        return out;
    }
    let (limit, pass) = if let Some(max) = gate.max {
        (max, bound <= max)
    } else if let Some(min) = gate.min {
        (min, bound >= min)
    } else {
        let Some(b) = base else {
            out.why = "not in the baseline".into();
            return out;
        };
        if !b.value.is_finite() {
            out.why = "undefined in the baseline".into();
            return out;
        }
        if let Some(r) = gate.max_increase {
            // A fraction of the baseline's magnitude (signed metrics too).
            let step = r * b.value.abs();
            match gate.better {
                Better::Lower => (b.value + step, bound <= b.value + step),
                Better::Higher => (b.value - step, bound >= b.value - step),
            }
        } else {
            let (lo, hi) = v.ci.unwrap_or((v.value, v.value));
            let (blo, bhi) = b.ci.unwrap_or((b.value, b.value));
            match gate.better {
                Better::Lower => (bhi, lo <= bhi),
                Better::Higher => (blo, hi >= blo),
            }
        }
    };
    out.limit = limit;
    out.outcome = if pass { Outcome::Pass } else { Outcome::Fail };
    out.why = match (pass, gate.not_worse && gate.max_increase.is_none()) {
        (true, true) => "intervals overlap the baseline's".into(),
        (false, true) => "interval entirely worse than the baseline's".into(),
        (true, false) => "within the limit".into(),
        (false, false) => "beyond the limit".into(),
    };
    out
}

/// Judges every gate on a report's values (and a baseline's, for relative
/// gates). An error names the gate and field that cannot be judged here.
pub fn judge_all(
    gates: &[Gate],
    values: &[Value],
    baseline: Option<(&str, &[Value])>,
) -> Result<Verdicts, GateError> {
    let mut out = Vec::with_capacity(gates.len());
    for (i, gate) in gates.iter().enumerate() {
        let err = |(field, why): (&'static str, String)| GateError {
            gate: i,
            field,
            why,
        };
        gate.check().map_err(err)?;
        if gate.relative() && baseline.is_none() {
            return Err(err((
                if gate.not_worse {
                    "not_worse"
                } else {
                    "max_increase"
                },
                "a relative gate needs --baseline REPORT.json".into(),
            )));
        }
        let selected = select(gate, values).map_err(err)?;
        if selected.is_empty() {
            return Err(err((
                "groups",
                "no value of this metric to judge here".into(),
            )));
        }
        let judged: Vec<Judged> = selected
            .iter()
            .map(|v| judge(gate, v, values, baseline.map(|b| b.1)))
            .collect();
        let outcome = judged
            .iter()
            .map(|j| j.outcome)
            .max()
            .unwrap_or(Outcome::Inconclusive);
        // The worst value decided: of those with the gate's outcome, the
        // one furthest past (or least within) its own limit.
        let upper = gate.max.is_some() || (gate.min.is_none() && gate.better == Better::Lower);
        let excess = |j: &Judged| {
            let limit = if j.limit.is_nan() { 0.0 } else { j.limit };
            if upper {
                j.judged - limit
            } else {
                limit - j.judged
            }
        };
        let worse = |a: &Judged, b: &Judged| excess(a).total_cmp(&excess(b));
        let decided_by = (0..judged.len())
            .filter(|&k| judged[k].outcome == outcome)
            .max_by(|&a, &b| worse(&judged[a], &judged[b]).then(b.cmp(&a)))
            .unwrap_or(0);
        out.push(Verdict {
            gate: gate.clone(),
            values: judged,
            outcome,
            decided_by,
        });
    }
    Ok(Verdicts {
        outcome: out.iter().map(|v| v.outcome).max().unwrap_or(Outcome::Pass),
        baseline: baseline.map(|b| b.0.to_string()),
        gates: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groups::Attribute;

    fn value(group: &str, metric: &str, v: f64, ci: (f64, f64), n: f64) -> Value {
        Value {
            key: Key {
                attribute: Attribute::One("race".into()),
                group: group.into(),
                policy: "fixed:0.5".into(),
                metric: metric.into(),
            },
            kind: if group.is_empty() {
                Kind::Summary
            } else {
                Kind::Rate
            },
            threshold: Some(0.5),
            value: v,
            ci: Some(ci),
            counts: (!group.is_empty()).then_some((v * n, n)),
        }
    }

    fn gate(metric: &str) -> Gate {
        Gate {
            name: metric.into(),
            metric: metric.into(),
            attribute: "race".into(),
            policy: None,
            groups: None,
            max: None,
            min: None,
            on: On::Estimate,
            min_trials: None,
            max_increase: None,
            not_worse: false,
            better: Better::Lower,
        }
    }

    /// A: 0.10 [0.08, 0.12] of 500; B: 0.20 [0.15, 0.26] of 200; ratio 2 [1.2, 3.3].
    fn report() -> Vec<Value> {
        vec![
            value("A", "tpr", 0.10, (0.08, 0.12), 500.0),
            value("B", "tpr", 0.20, (0.15, 0.26), 200.0),
            value("", "tpr.max_over_min", 2.0, (1.2, 3.3), 0.0),
        ]
    }

    fn outcome(g: Gate, baseline: Option<&[Value]>) -> (Outcome, String) {
        let v = judge_all(&[g], &report(), baseline.map(|b| ("base", b))).unwrap();
        let g = &v.gates[0];
        (g.outcome, g.values[g.decided_by].group.clone())
    }

    #[test]
    fn limits_on_estimate_and_bound() {
        // max 0.21: both estimates pass; B's upper bound 0.26 fails.
        let max = Gate {
            max: Some(0.21),
            ..gate("tpr")
        };
        assert_eq!(outcome(max.clone(), None), (Outcome::Pass, "B".into()));
        let bound = Gate {
            on: On::Bound,
            ..max
        };
        assert_eq!(outcome(bound, None), (Outcome::Fail, "B".into()));
        // min 0.09: A's estimate passes, its lower bound 0.08 does not.
        let min = Gate {
            min: Some(0.09),
            ..gate("tpr")
        };
        assert_eq!(outcome(min.clone(), None), (Outcome::Pass, "A".into()));
        assert_eq!(
            outcome(
                Gate {
                    on: On::Bound,
                    ..min
                },
                None
            ),
            (Outcome::Fail, "A".into())
        );
    }

    #[test]
    fn few_trials_are_inconclusive_also_for_summaries() {
        let g = Gate {
            max: Some(10.0),
            min_trials: Some(300.0),
            ..gate("tpr")
        };
        let v = judge_all(&[g], &report(), None).unwrap();
        let outcomes: Vec<Outcome> = v.gates[0].values.iter().map(|j| j.outcome).collect();
        assert_eq!(outcomes, [Outcome::Pass, Outcome::Inconclusive]);
        assert_eq!(v.outcome, Outcome::Inconclusive);
        // The summary's trials are its groups' fewest (200).
        let s = Gate {
            max: Some(10.0),
            min_trials: Some(300.0),
            ..gate("tpr.max_over_min")
        };
        let v = judge_all(&[s], &report(), None).unwrap();
        assert_eq!(v.gates[0].values[0].trials, Some(200.0));
        assert_eq!(v.outcome, Outcome::Inconclusive);
    }

    #[test]
    fn relative_gates() {
        let mut base = report();
        base[2].value = 1.5; // the baseline's ratio
        base[2].ci = Some((1.1, 1.9));
        let inc = Gate {
            max_increase: Some(0.25),
            ..gate("tpr.max_over_min")
        };
        // 2.0 > 1.5 × 1.25 = 1.875: fails; within +40 % it passes.
        assert_eq!(outcome(inc.clone(), Some(&base)).0, Outcome::Fail);
        let wide = Gate {
            max_increase: Some(0.4),
            ..inc
        };
        assert_eq!(outcome(wide, Some(&base)).0, Outcome::Pass);
        // Intervals [1.2, 3.3] and [1.1, 1.9] overlap: not worse.
        let nw = Gate {
            not_worse: true,
            ..gate("tpr.max_over_min")
        };
        assert_eq!(outcome(nw.clone(), Some(&base)).0, Outcome::Pass);
        base[2].ci = Some((0.9, 1.1));
        assert_eq!(outcome(nw.clone(), Some(&base)).0, Outcome::Fail);
        // Higher is better: a current interval above the baseline's is fine.
        let higher = Gate {
            better: Better::Higher,
            ..nw
        };
        assert_eq!(outcome(higher, Some(&base)).0, Outcome::Pass);
    }

    #[test]
    fn what_cannot_be_judged_is_named() {
        let e = judge_all(
            &[Gate {
                max: Some(1.0),
                ..gate("fpr")
            }],
            &report(),
            None,
        )
        .unwrap_err();
        assert_eq!((e.gate, e.field), (0, "metric"));
        assert!(e.why.contains("tpr.max_over_min"), "{}", e.why);
        let p = Gate {
            max: Some(1.0),
            policy: Some("fixed:0.7".into()),
            ..gate("tpr")
        };
        assert_eq!(
            judge_all(&[p], &report(), None).unwrap_err().field,
            "policy"
        );
        let none = gate("tpr");
        assert_eq!(
            judge_all(&[none], &report(), None).unwrap_err().field,
            "max"
        );
        let rel = Gate {
            not_worse: true,
            ..gate("tpr")
        };
        assert_eq!(
            judge_all(&[rel], &report(), None).unwrap_err().field,
            "not_worse"
        );
    }
    #[test]
    fn mixed_limits_are_refused_and_statistics_find_their_trials() {
        let mixed = Gate {
            min: Some(0.1),
            not_worse: true,
            ..gate("tpr")
        };
        assert_eq!(mixed.check().unwrap_err().0, "not_worse");
        let both = Gate {
            max_increase: Some(0.1),
            not_worse: true,
            ..gate("tpr")
        };
        assert_eq!(both.check().unwrap_err().0, "not_worse");
        // A summary with no rate of its own name: its view's fewest (200).
        let mut values = report();
        values[2].key.metric = "garbe".into();
        let g = Gate {
            max: Some(10.0),
            min_trials: Some(300.0),
            ..gate("garbe")
        };
        let v = judge_all(&[g], &values, None).unwrap();
        assert_eq!(v.gates[0].values[0].trials, Some(200.0));
        assert_eq!(v.outcome, Outcome::Inconclusive);
    }

    #[test]
    fn the_decider_is_furthest_past_its_limit() {
        // max 0.05 with better = "higher" (ignored by absolute limits): B (0.20) is worst.
        let g = Gate {
            max: Some(0.05),
            better: Better::Higher,
            ..gate("tpr")
        };
        assert_eq!(outcome(g, None), (Outcome::Fail, "B".into()));
        // Relative: each group against its own baseline; A is 50 % worse, B 10 %.
        let mut base = report();
        base[0].value = 0.0667;
        base[1].value = 0.1818;
        let inc = Gate {
            max_increase: Some(0.05),
            ..gate("tpr")
        };
        let v = judge_all(&[inc], &report(), Some(("base", &base))).unwrap();
        let g = &v.gates[0];
        assert_eq!(g.outcome, Outcome::Fail);
        // Past its limit by 0.10 − 0.0700 = 0.030 (A) and 0.20 − 0.1909 = 0.009 (B).
        assert_eq!(g.values[g.decided_by].group, "A");
    }
}
