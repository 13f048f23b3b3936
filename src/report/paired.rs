//! A paired comparison of two models audited on the same trials
//! (`biasbench compare`): model B's audit is the report's own findings,
//! model A's rides along here with the differences B − A, their intervals
//! and tests, and a verdict per headline disparity.

use super::Findings;
use crate::bootstrap::PairedDelta;
use crate::engine::Unit;
use crate::input::Accounting;
use crate::stats::paired::Discordance;
use crate::stats::rate::{finite_or_null, null_as_nan};
use crate::stats::significance::holm;
use crate::value::{Key, Value};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The paired section of a `compare` report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Paired {
    /// The models' names: A (the baseline), then B (the report's findings).
    pub names: [String; 2],
    /// Model A's audit of the same trials.
    pub baseline: Findings,
    /// Level of every interval.
    pub level: f64,
    /// How each kind of interval and test is made.
    pub methods: Methods,
    /// The paired bootstrap, when one ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<PairedBootstrap>,
    /// One verdict per attribute and error rate, at the operating point of
    /// model B's finding for that rate.
    pub verdicts: Vec<Verdict>,
    /// Every error rate of every group at every operating point both models have.
    pub rates: Vec<PairedRate>,
    /// Every summary over the groups both models have.
    pub summaries: Vec<PairedSummary>,
    /// Where every row of model B's table went, when it is a table of its
    /// own (`--key`); the report's accounting is model A's table's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_b: Option<Accounting>,
    /// What the reader should know about the comparison.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The methods behind the columns, in words (shown in every report).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Methods {
    /// The interval of a rate difference.
    pub rate_interval: String,
    /// The test of a rate difference.
    pub rate_test: String,
    /// The interval and test of a summary difference.
    pub summary: String,
    /// The correction for many tests.
    pub family: String,
}

/// What the paired bootstrap drew.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairedBootstrap {
    /// `subject` or `row`.
    pub unit: Unit,
    /// How many units there are.
    pub units: usize,
    /// Number of replicates.
    pub replicates: usize,
    /// Seed of the draws.
    pub seed: u64,
}

/// A value of model A, of model B, and B − A.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Both {
    /// Model A's value.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub a: f64,
    /// Model B's value.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub b: f64,
    /// B − A.
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub delta: f64,
}

impl Both {
    /// The values of `a` and `b`.
    pub fn of(a: &Value, b: &Value) -> Both {
        Both {
            a: a.value,
            b: b.value,
            delta: b.value - a.value,
        }
    }
}

/// One group's error rate under both models at one operating point.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairedRate {
    /// The rate's key (attribute, group, policy, metric).
    #[serde(flatten)]
    pub key: Key,
    /// Threshold model A applied (input units), if one.
    #[serde(default)]
    pub threshold_a: Option<f64>,
    /// Threshold model B applied (input units), if one.
    #[serde(default)]
    pub threshold_b: Option<f64>,
    /// Both models' values and B − A.
    #[serde(flatten)]
    pub values: Both,
    /// Newcombe's interval of B − A (needs the discordance).
    #[serde(default)]
    pub ci: Option<(f64, f64)>,
    /// How the two models' errors fall on the same trials (single-threshold policies).
    #[serde(default)]
    pub discordance: Option<Discordance>,
    /// McNemar's exact p-value.
    #[serde(default)]
    pub p: Option<f64>,
    /// Holm-adjusted over the groups of this rate at this operating point.
    #[serde(default)]
    pub p_holm: Option<f64>,
    /// The paired bootstrap's percentile interval of B − A, when one ran.
    #[serde(default)]
    pub bootstrap_ci: Option<(f64, f64)>,
}

/// One summary over the groups under both models.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairedSummary {
    /// The summary's key (attribute, policy, metric; the group is empty).
    #[serde(flatten)]
    pub key: Key,
    /// Both models' values and B − A.
    #[serde(flatten)]
    pub values: Both,
    /// The paired bootstrap's percentile interval of B − A.
    #[serde(default)]
    pub ci: Option<(f64, f64)>,
    /// The paired bootstrap's two-sided p-value.
    #[serde(default)]
    pub p: Option<f64>,
    /// Holm-adjusted over the verdicts (for a verdict's summary only).
    #[serde(default)]
    pub p_holm: Option<f64>,
    /// Replicates where B − A was undefined.
    #[serde(default)]
    pub undefined: usize,
}

/// Whether model B changed a disparity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// B's disparity is significantly smaller.
    Narrows,
    /// B's disparity is significantly larger.
    Widens,
    /// The difference is not significant after Holm's correction.
    NoSignificantChange,
    /// No test could be made (no bootstrap, or an undefined summary).
    Untested,
}

/// The headline of one disparity: a summary of one rate under both models.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verdict {
    /// The summary compared (its metric is `<rate>.<summary>`).
    pub summary: PairedSummary,
    /// The rate's id (`fmr`, `fnir@1`, `fpr`, …).
    pub rate: String,
    /// What the comparison found.
    pub change: Change,
}

/// The summaries a verdict prefers, in order: the first one finite under
/// both models is compared.
const VERDICT_SUMMARIES: [&str; 2] = ["max_over_geomean", "max_minus_min"];

impl Paired {
    /// Adds Holm's correction — over the groups of each rate at each
    /// operating point (the rates' McNemar tests), and over the verdicts —
    /// then draws a verdict for each `(attribute, policy, rate)` asked for.
    /// Summaries outside the verdicts keep their unadjusted p-value alone.
    pub fn conclude(&mut self, asked: &[(String, String, String)]) {
        let families: Vec<(String, String, String)> = (self.rates.iter())
            .map(|r| {
                (
                    r.key.attribute.name(),
                    r.key.policy.clone(),
                    r.key.metric.clone(),
                )
            })
            .collect();
        let mut done = vec![false; self.rates.len()];
        for i in 0..self.rates.len() {
            if done[i] {
                continue;
            }
            let members: Vec<usize> = (i..self.rates.len())
                .filter(|&j| families[j] == families[i])
                .collect();
            let p: Vec<Option<f64>> = members.iter().map(|&j| self.rates[j].p).collect();
            for (&j, q) in members.iter().zip(holm(&p)) {
                self.rates[j].p_holm = q;
                done[j] = true;
            }
        }
        let chosen: Vec<(usize, String)> = asked
            .iter()
            .filter_map(|(attribute, policy, rate)| {
                let found = VERDICT_SUMMARIES.iter().find_map(|s| {
                    let metric = format!("{rate}.{s}");
                    self.summaries.iter().position(|x| {
                        x.key.attribute.name() == *attribute
                            && x.key.policy == *policy
                            && x.key.metric == metric
                            && x.values.a.is_finite()
                            && x.values.b.is_finite()
                    })
                })?;
                Some((found, rate.clone()))
            })
            .collect();
        let p: Vec<Option<f64>> = chosen.iter().map(|(i, _)| self.summaries[*i].p).collect();
        for ((i, _), q) in chosen.iter().zip(holm(&p)) {
            self.summaries[*i].p_holm = q;
        }
        let alpha = 1.0 - self.level;
        self.verdicts = chosen
            .into_iter()
            .map(|(i, rate)| {
                let summary = self.summaries[i].clone();
                let change = match summary.p_holm {
                    None => Change::Untested,
                    Some(p) if p >= alpha => Change::NoSignificantChange,
                    Some(_) if summary.values.delta < 0.0 => Change::Narrows,
                    Some(_) => Change::Widens,
                };
                Verdict {
                    summary,
                    rate,
                    change,
                }
            })
            .collect();
    }
}

/// Pairs each value of B with A's value of the same key, in B's order:
/// `keep` selects the values.
pub fn pair_values<'a>(
    a: &'a [Value],
    b: &'a [Value],
    keep: impl Fn(&Value) -> bool,
) -> Vec<(&'a Value, &'a Value)> {
    let index: HashMap<&Key, &Value> = a.iter().filter(|v| keep(v)).map(|v| (&v.key, v)).collect();
    b.iter()
        .filter(|v| keep(v))
        .filter_map(|v| index.get(&v.key).map(|x| (*x, v)))
        .collect()
}

/// Summaries of both models with the paired bootstrap's intervals (by key) where one ran.
pub fn summaries(
    pairs: &[(&Value, &Value)],
    boot: &HashMap<&Key, &PairedDelta>,
) -> Vec<PairedSummary> {
    pairs
        .iter()
        .map(|(a, b)| {
            let d = boot.get(&b.key);
            PairedSummary {
                key: b.key.clone(),
                values: Both::of(a, b),
                ci: d.and_then(|d| d.bounds()),
                p: d.map(|d| d.p).filter(|p| p.is_finite()),
                p_holm: None,
                undefined: d.map_or(0, |d| d.interval.undefined),
            }
        })
        .collect()
}
