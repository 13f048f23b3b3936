//! One flattening of every result into keyed values: the tidy CSV writes
//! them, the bootstrap resamples them, a release gate reads them. Each
//! engine's result implements [`Flatten`] next to its type; the order of the
//! values is the order of the tidy CSV.

use crate::groups::Attribute;
use crate::stats::disparity::Summary;
use crate::stats::rate::Rate;
use crate::stats::significance::RateTests;
use serde::{Deserialize, Serialize};

/// What a value is, so that consumers never guess from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A count of rows, items, comparisons, subjects or weight.
    Count,
    /// A counted rate with its numerator and denominator.
    Rate,
    /// A per-group statistic that is not a counted rate (EER, AUC, F1, …).
    Statistic,
    /// A summary over the groups of a view (disparity, parity metrics).
    Summary,
    /// A p-value of a test of difference.
    PValue,
    /// A 0/1 flag (the four-fifths rule).
    Flag,
    /// A rate its threshold policy sets (the pooled FMR that a global-fmr
    /// target calibrates): no interval, not resampled.
    Calibrated,
}

impl Kind {
    /// Rates, statistics and summaries: what the bootstrap gives intervals.
    pub(crate) fn is_statistic(self) -> bool {
        matches!(self, Kind::Rate | Kind::Statistic | Kind::Summary)
    }
}

/// Where a value sits: the tidy CSV's attribute, group, policy and metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Key {
    /// The view the value belongs to.
    pub attribute: Attribute,
    /// The group, `A~B` for a pair of groups, empty for a summary over the groups.
    pub group: String,
    /// The operating point's policy label, or `none`.
    pub policy: String,
    /// The metric id (`fmr`, `fmr.gini`, `fnir@5`, `fmr.p_homogeneity`, …).
    pub metric: String,
}

/// One value with its key, kind, threshold, interval and counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// Where the value sits.
    pub key: Key,
    /// What the value is.
    pub kind: Kind,
    /// The threshold applied, in input units.
    pub threshold: Option<f64>,
    /// The value (NaN when undefined).
    pub value: f64,
    /// Confidence interval (low, high), when there is one.
    pub ci: Option<(f64, f64)>,
    /// (numerator, denominator) of a rate.
    pub counts: Option<(f64, f64)>,
}

/// A result that flattens to keyed values, in report order.
pub trait Flatten {
    /// Appends the values, in report order.
    fn flatten(&self, out: &mut Vec<Value>);

    /// The values as a new vector.
    fn values(&self) -> Vec<Value> {
        let mut out = Vec::new();
        self.flatten(&mut out);
        out
    }
}

/// Appends the values of one view (its attribute is fixed) at one policy.
pub(crate) struct Values<'o> {
    pub(crate) out: &'o mut Vec<Value>,
    pub(crate) attribute: Attribute,
}

impl Values<'_> {
    /// A value of a kind; returns it for the caller to add an interval or counts.
    pub(crate) fn push(
        &mut self,
        kind: Kind,
        group: &str,
        policy: &str,
        threshold: Option<f64>,
        metric: &str,
        value: f64,
    ) -> &mut Value {
        self.out.push(Value {
            key: Key {
                attribute: self.attribute.clone(),
                group: group.to_string(),
                policy: policy.to_string(),
                metric: metric.to_string(),
            },
            kind,
            threshold,
            value,
            ci: None,
            counts: None,
        });
        self.out.last_mut().expect("just pushed")
    }

    /// A count (policy `none`, no threshold).
    pub(crate) fn count(&mut self, group: &str, metric: &str, value: f64) {
        self.push(Kind::Count, group, "none", None, metric, value);
    }

    /// A rate with its interval and counts.
    pub(crate) fn rate(
        &mut self,
        group: &str,
        policy: &str,
        threshold: Option<f64>,
        metric: &str,
        r: &Rate,
    ) -> &mut Value {
        let v = self.push(Kind::Rate, group, policy, threshold, metric, r.value);
        v.ci = r.ci.map(|i| (i.low, i.high));
        v.counts = Some((r.events, r.trials));
        v
    }

    /// Summaries over the groups (group empty), with their simultaneous intervals.
    pub(crate) fn summaries<'s>(
        &mut self,
        policy: &str,
        threshold: Option<f64>,
        s: impl IntoIterator<Item = &'s Summary>,
    ) {
        for x in s {
            let v = self.push(Kind::Summary, "", policy, threshold, &x.metric, x.value);
            v.ci = x.interval.as_ref().and_then(|i| i.bounds());
        }
    }

    /// `<rate>.p_homogeneity` (chi-square, group empty), then per group
    /// `<rate>.p_vs_reference.<fisher|z>` and `<rate>.p_vs_reference_holm`;
    /// NaN where a test cannot be computed.
    pub(crate) fn tests<'t>(
        &mut self,
        policy: &str,
        threshold: Option<f64>,
        tests: impl IntoIterator<Item = &'t RateTests>,
    ) {
        let p = |x: Option<f64>| x.unwrap_or(f64::NAN);
        for t in tests {
            let metric = |suffix: &str| format!("{}.{suffix}", t.metric);
            self.push(
                Kind::PValue,
                "",
                policy,
                threshold,
                &metric("p_homogeneity"),
                p(t.homogeneity.p),
            );
            for g in &t.versus_reference {
                let method = format!("p_vs_reference.{}", g.test.method.id());
                self.push(
                    Kind::PValue,
                    &g.group,
                    policy,
                    threshold,
                    &metric(&method),
                    p(g.test.p),
                );
                self.push(
                    Kind::PValue,
                    &g.group,
                    policy,
                    threshold,
                    &metric("p_vs_reference_holm"),
                    p(g.p_holm),
                );
            }
        }
    }
}
