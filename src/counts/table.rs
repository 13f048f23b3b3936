//! The per-group model that every engine fills and every renderer reads.
//!
//! A view (all rows pooled, one attribute, or the intersection of
//! attributes) has groups; at each operating point it has named rate
//! columns, one [`Rate`] per group in group order, each with the disparity
//! summaries and tests of difference over the groups in summaries.
//! `finish_view` (crate-private) computes those summaries, tests and the reference group
//! the same way for verification, identification and classification.

use crate::error::Result;
use crate::groups::{choose_reference, Attribute, Reference, ReferenceRule};
use crate::math::interval::{CiSpec, Method};
use crate::stats::disparity::{self, Entry, Summary};
use crate::stats::rate::Rate;
use crate::stats::significance::{self, RateTests};
use serde::{Deserialize, Serialize};

/// How [`finish_view`] treats a rate column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Treat {
    /// Shown only: no summaries, no tests (TMR).
    Shown,
    /// Summaries of the values, no tests (1:1 accuracy).
    Summarized,
    /// Summaries of the values and tests of difference (classification's
    /// selection rate, TPR, …).
    Tested,
    /// An error rate: summaries with its counts (the zero-error rule of the
    /// geometric mean, the few-errors caution) and tests of difference.
    Error,
}

/// One named rate of every group of a view at one operating point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RateColumn {
    /// The tidy CSV's metric id (`fmr`, `fnir@5`, `recall:cat`, …).
    pub metric: String,
    /// One rate per group, in the view's group order.
    pub by_group: Vec<Rate>,
    /// Summaries of this rate over the groups in summaries, then any summary
    /// the engine pairs with it (SER after the error rate, FDR@R … after FNIR@R).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summaries: Vec<Summary>,
    /// Tests of difference of this rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<RateTests>,
    /// Which interval the rates carry, e.g. `95% Wilson, cluster-robust
    /// (design effect from 300 subjects)`, where the engine says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// Which interval the rates carry: `95% Wilson, cluster-robust (design
/// effect from N subjects)`, or without subjects `95% Wilson, independent
/// <unit>` (comparisons, items, searches); none without intervals.
pub(crate) fn interval_label(ci: CiSpec, subjects: Option<usize>, unit: &str) -> Option<String> {
    let method = match ci.method {
        Method::Wilson => "Wilson",
        Method::ClopperPearson => "Clopper-Pearson",
        Method::Jeffreys => "Jeffreys",
        Method::None => return None,
    };
    let level = (ci.level * 1000.0).round() / 10.0;
    Some(match subjects {
        Some(m) => format!("{level}% {method}, cluster-robust (design effect from {m} subjects)"),
        None => format!("{level}% {method}, independent {unit}"),
    })
}

/// `<label>: <how>`, or "none asked for" without intervals.
pub(crate) fn interval_convention(label: Option<&str>, how: &str) -> String {
    label.map_or_else(|| "none asked for".into(), |l| format!("{l}: {how}"))
}

impl RateColumn {
    pub(crate) fn new(metric: impl Into<String>, by_group: Vec<Rate>) -> RateColumn {
        RateColumn {
            metric: metric.into(),
            by_group,
            summaries: Vec::new(),
            tests: None,
            interval: None,
        }
    }

    /// Entries of the included groups, with their effective counts when
    /// `counted` (the weighted sums would make the zero-error rule and the
    /// few-errors caution depend on the scale of the weights).
    pub(crate) fn entries<'a>(
        &self,
        names: &'a [String],
        included: &[usize],
        counted: bool,
    ) -> Vec<Entry<'a>> {
        included
            .iter()
            .map(|&g| {
                let r = &self.by_group[g];
                Entry {
                    group: &names[g],
                    value: r.value,
                    counts: counted.then(|| r.counts()),
                    sample: r.sample(),
                }
            })
            .collect()
    }
}

/// A view at one operating point (one threshold policy).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewAt<X> {
    /// The policy label (`global-fmr:1e-3`, `cutoff:0.5`, `none`, …).
    pub policy: String,
    /// The threshold applied to every group, in input units (none when the
    /// policy sets one per group, has none, or could not set it).
    pub threshold: Option<f64>,
    /// The threshold of each group when the policy sets one per group (NaN
    /// where it could not be set).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "per_group_or_null",
        deserialize_with = "per_group_from_null"
    )]
    pub group_thresholds: Option<Vec<f64>>,
    /// One column per rate, in report order.
    pub rates: Vec<RateColumn>,
    /// Summaries over two columns (FDR, IR, GARBE, WERM, SER of 1:1), after the columns' own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub combined: Vec<Summary>,
    /// What only this task has at an operating point.
    #[serde(flatten)]
    pub extra: X,
}

impl<X> ViewAt<X> {
    /// The column of a metric.
    pub fn rate(&self, metric: &str) -> Option<&RateColumn> {
        self.rates.iter().find(|c| c.metric == metric)
    }

    /// The threshold applied to group g (input units), if any.
    pub fn threshold_of(&self, g: usize) -> Option<f64> {
        match &self.group_thresholds {
            Some(t) => Some(t[g]).filter(|t| !t.is_nan()),
            None => self.threshold,
        }
    }

    /// Every summary in report order: each column's, then the combined ones.
    pub fn summaries(&self) -> impl Iterator<Item = &Summary> {
        self.rates
            .iter()
            .flat_map(|c| &c.summaries)
            .chain(&self.combined)
    }

    /// Every column's tests, in column order.
    pub(crate) fn tests(&self) -> impl Iterator<Item = &RateTests> {
        self.rates.iter().filter_map(|c| c.tests.as_ref())
    }
}

/// One group of a view with the counts its task keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupInfo<C> {
    /// Group name.
    pub group: String,
    /// False when the group is below `--min-group-size` (or the view is
    /// pooled): shown, but kept out of summaries and tests.
    pub in_summaries: bool,
    /// The group's counts (task-specific).
    #[serde(flatten)]
    pub counts: C,
}

/// One view's results: groups, the reference group, the view at every
/// operating point, and what the task computes without a threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewResult<C, X, F> {
    /// What the view groups by.
    pub attribute: Attribute,
    /// The reference group of the tests (`--reference`; default the largest).
    pub reference: Option<Reference>,
    /// The view's groups, in order (the columns' row order).
    pub groups: Vec<GroupInfo<C>>,
    /// The view at every operating point, in policy order.
    pub operating_points: Vec<ViewAt<X>>,
    /// What the view computes without a threshold (task-specific).
    #[serde(flatten)]
    pub free: F,
}

impl<C, X, F> ViewResult<C, X, F> {
    /// The rate `metric` (`fmr`, `fpir`, `tpr`, …) of `group` at the
    /// operating point of the `policy`-th threshold policy.
    pub fn rate(&self, policy: usize, metric: &str, group: &str) -> Option<&Rate> {
        let g = self.groups.iter().position(|g| g.group == group)?;
        self.operating_points
            .get(policy)?
            .rate(metric)?
            .by_group
            .get(g)
    }

    /// Group names in order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.group.clone()).collect()
    }

    /// Indices of the groups in summaries.
    pub(crate) fn included(&self) -> Vec<usize> {
        (0..self.groups.len())
            .filter(|&g| self.groups[g].in_summaries)
            .collect()
    }
}

/// What every engine does once its rates are counted: choose the reference
/// group among the groups in summaries (`size` and `error` per group feed the
/// `largest` and `best` rules), then give each column its summaries and
/// tests as `treat` says. The pooled view gets neither.
pub(crate) fn finish_view<C, X, F>(
    v: &mut ViewResult<C, X, F>,
    (size, size_unit): (&[f64], &str),
    (error, error_name): (&[f64], &str),
    rules: &[ReferenceRule],
    treat: impl Fn(&str) -> Treat,
) -> Result<()> {
    if v.attribute.is_pooled() {
        return Ok(());
    }
    let names = v.names();
    let included = v.included();
    let candidates: Vec<(&str, f64, f64)> = included
        .iter()
        .map(|&g| (names[g].as_str(), size[g], error[g]))
        .collect();
    v.reference = choose_reference(
        &v.attribute.to_string(),
        &names,
        &candidates,
        rules,
        [size_unit, error_name],
    )?;
    let reference = v.reference.as_ref().map(|r| r.group.as_str());
    for at in &mut v.operating_points {
        for col in &mut at.rates {
            let t = treat(&col.metric);
            if t == Treat::Shown {
                continue;
            }
            let entries = col.entries(&names, &included, t == Treat::Error);
            col.summaries = disparity::summarize(&col.metric, &entries);
            if matches!(t, Treat::Tested | Treat::Error) {
                let rates: Vec<(&str, &Rate)> = included
                    .iter()
                    .map(|&g| (names[g].as_str(), &col.by_group[g]))
                    .collect();
                col.tests = Some(significance::rate_tests(&col.metric, &rates, reference));
            }
        }
    }
    Ok(())
}

fn per_group_or_null<S: serde::Serializer>(
    v: &Option<Vec<f64>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let v = v.as_deref().unwrap_or(&[]);
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&x.is_finite().then_some(*x))?;
    }
    seq.end()
}

fn per_group_from_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<f64>>, D::Error> {
    let v: Vec<Option<f64>> = Vec::deserialize(d)?;
    Ok(Some(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()))
}

/// The view of an attribute by its name (`race`, `race+sex`, `*` pooled).
pub(crate) fn view<'v, C, X, F>(
    views: &'v [ViewResult<C, X, F>],
    attribute: &str,
) -> Option<&'v ViewResult<C, X, F>> {
    views.iter().find(|v| v.attribute.name() == attribute)
}
