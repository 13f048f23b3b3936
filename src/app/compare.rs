//! Two models on the same trials (`biasbench compare`): each audited as it
//! would be alone (its own thresholds per policy), then compared trial by
//! trial — McNemar's exact test and Newcombe's interval per group and rate,
//! the paired subject bootstrap for every summary, Holm over the family,
//! and a verdict per headline disparity.
//!
//! Decisions:
//! * Model B is the report's own audit (its findings, tables and figures);
//!   model A, the baseline, rides along in [`Paired::baseline`].
//! * Only trials both models scored are compared: a row whose other score is
//!   missing or not finite is dropped and counted under that column.
//! * The trials where both models err are counted by auditing one more score
//!   column at `fixed:0`: per comparison, the smaller (non-mated) or larger
//!   (mated) of the two margins score − threshold, so that it is accepted
//!   exactly when both models accept (non-mated) and rejected exactly when
//!   both reject (mated). That needs one threshold per model: per-group
//!   policies are compared by the bootstrap alone.

use super::audit::VerifyJob;
use crate::bootstrap::{self, BootstrapSpec, PairedDelta};
use crate::counts::threshold::Policy;
use crate::engine::verify::{self, Resampler, VerifyOptions, VerifyResult};
use crate::engine::Resample;
use crate::error::{Error, Result};
use crate::input::sense::ScoreSense;
use crate::input::{typed, Comparisons, Table, VerifyColumns};
use crate::progress::Progress;
use crate::report::findings::Finding;
use crate::report::paired::{self, Both, Methods, Paired, PairedBootstrap, PairedRate};
use crate::report::{Findings, Report};
use crate::stats::paired::Discordance;
use crate::value::{Flatten, Key, Kind, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The error rates of 1:1 verification whose trials both models share.
const VERIFY_ERRORS: [&str; 2] = ["fmr", "fnmr"];

/// A paired comparison of two score columns of one comparisons table.
#[derive(Debug, Clone)]
pub struct CompareJob {
    /// The audit as the task runs it; its score column is ignored.
    pub job: VerifyJob,
    /// Score columns of model A and model B.
    pub scores: [String; 2],
    /// Names of model A and model B in the report.
    pub names: [String; 2],
    /// The paired bootstrap (`None`: summaries without interval or test).
    pub bootstrap: Option<BootstrapSpec>,
}

impl CompareJob {
    /// Compares the two models on a comparisons file (its two readings
    /// reported to `progress`).
    pub fn run_file(&self, path: &Path, progress: Arc<dyn Progress>) -> Result<Report> {
        let [sa, sb] = &self.scores;
        let read = |score: &str, other: &str| {
            let columns = self.columns(score, Some(other));
            typed::comparisons(Table::open(path, columns.text, progress.clone())?, &columns)
        };
        let a = read(sa, sb)?;
        let b = read(sb, sa)?;
        if a.mated != b.mated || a.accounting.used != b.accounting.used {
            return Err(Error::data(
                path.display().to_string(),
                "the two readings of the table differ: it changed while being read",
            ));
        }
        let b = Comparisons {
            score: b.score,
            ..a.clone()
        };
        self.compare(&a, &b)
    }

    fn columns(&self, score: &str, other: Option<&str>) -> VerifyColumns {
        VerifyColumns {
            score: score.into(),
            also_score: other.map(Into::into),
            ..self.job.columns.clone()
        }
    }

    /// The audit of one model's comparisons, without a bootstrap of its own.
    fn audit(&self, score: &str, c: &Comparisons) -> Result<Report> {
        let job = VerifyJob {
            columns: self.columns(score, None),
            bootstrap: None,
            ..self.job.clone()
        };
        job.report(c.clone(), None)
    }

    /// Compares model A's comparisons `a` with model B's `b` (the same rows).
    fn compare(&self, a: &Comparisons, b: &Comparisons) -> Result<Report> {
        let opts = &self.job.options;
        let report_a = self.audit(&self.scores[0], a)?;
        let mut report = self.audit(&self.scores[1], b)?;
        let (ra, rb) = match (&report_a.findings, &report.findings) {
            (Findings::Verify(x), Findings::Verify(y)) => (x, y),
            _ => unreachable!("verify audits give verify findings"),
        };
        let (va, vb) = (ra.values(), rb.values());
        let both = both_errors(a, b, ra, rb, opts)?;
        let level = opts.ci.level;
        let boot = match &self.bootstrap {
            None => Vec::new(),
            Some(spec) => bootstrap::paired(
                &Resampler::new(a, opts, spec.rows),
                &Resampler::new(b, opts, spec.rows),
                va.clone(),
                vb.clone(),
                spec,
            )?,
        };
        let by_key: HashMap<&Key, &PairedDelta> =
            boot.iter().map(|d| (&d.interval.key, d)).collect();
        let is_rate = |v: &Value| {
            v.kind == Kind::Rate
                && VERIFY_ERRORS.contains(&v.key.metric.as_str())
                && !v.key.group.contains('~')
        };
        let rates = paired::pair_values(&va, &vb, is_rate)
            .into_iter()
            .map(|(x, y)| paired_rate(x, y, both.get(&y.key).copied(), &by_key, level))
            .collect();
        let is_summary = |v: &Value| v.kind == Kind::Summary;
        let summaries = paired::summaries(&paired::pair_values(&va, &vb, is_summary), &by_key);
        let mut notes = vec![INDEPENDENCE.to_string()];
        notes.extend(
            (rb.operating_points.iter())
                .filter(|p| matches!(p.spec, Policy::GroupFmr { .. }))
                .map(|p| {
                    format!(
                        "{}: each model sets a threshold per group, so its rate differences have \
                         no McNemar test; the paired bootstrap compares them",
                        p.policy
                    )
                }),
        );
        if self.bootstrap.is_none() {
            notes.push(
                "no paired bootstrap ran: summary differences have no interval or test".into(),
            );
        }
        let unit = self.bootstrap.as_ref().map(|spec| {
            let (unit, units) = Resampler::new(a, opts, spec.rows).units();
            PairedBootstrap {
                unit,
                units,
                replicates: spec.replicates,
                seed: spec.seed,
            }
        });
        let mut paired = Paired {
            names: self.names.clone(),
            baseline: report_a.findings,
            level,
            methods: Methods {
                rate_interval: "Newcombe's square-and-add (Wilson) interval for paired rates".into(),
                rate_test: "McNemar's exact test on the discordant trials".into(),
                summary: match &unit {
                    Some(u) => format!(
                        "paired {} bootstrap, {} replicates: percentile interval of B − A and its two-sided p-value",
                        u.unit.name(),
                        u.replicates
                    ),
                    None => "none (no bootstrap)".into(),
                },
                family: "Holm over the groups of each rate and operating point, and over the verdicts".into(),
            },
            bootstrap: unit,
            verdicts: Vec::new(),
            rates,
            summaries,
            notes,
        };
        let asked = verdicts_asked(rb, &report.headline, &VERIFY_ERRORS);
        paired.conclude(&asked);
        if let Some(spec) = &self.bootstrap {
            report.provenance.seed = Some(spec.seed);
        }
        report.paired = Some(paired);
        Ok(report)
    }
}

/// Why the per-rate tests are optimistic when comparisons share subjects.
const INDEPENDENCE: &str = "McNemar's test and Newcombe's interval treat the comparisons of a group as independent trials; comparisons that share a subject are correlated, so with subject ids the paired subject bootstrap (its interval shown beside) is the safer guide";

/// The verdicts to draw: every attribute (all pooled aside) and error
/// rate, at the operating point of model B's finding for that rate (else
/// the first).
fn verdicts_asked(
    rb: &VerifyResult,
    headline: &[Finding],
    rates: &[&str],
) -> Vec<(String, String, String)> {
    let first = rb.operating_points.first().map(|p| p.policy.clone());
    let mut asked = Vec::new();
    for view in rb.views.iter().filter(|v| !v.attribute.is_pooled()) {
        for &rate in rates {
            let policy = (headline.iter())
                .find(|f| f.rate == rate)
                .and_then(|f| f.policy.clone())
                .or_else(|| first.clone());
            if let Some(policy) = policy {
                asked.push((view.attribute.name(), policy, rate.to_string()));
            }
        }
    }
    asked
}

/// One group's error rate under both models.
fn paired_rate(
    a: &Value,
    b: &Value,
    both: Option<u64>,
    boot: &HashMap<&Key, &PairedDelta>,
    level: f64,
) -> PairedRate {
    let discordance = match (a.counts, b.counts, both) {
        (Some((ea, n)), Some((eb, _)), Some(both)) => {
            Discordance::new(n as u64, ea as u64, eb as u64, both)
        }
        _ => None,
    };
    PairedRate {
        key: b.key.clone(),
        threshold_a: a.threshold,
        threshold_b: b.threshold,
        values: Both::of(a, b),
        ci: discordance.and_then(|d| d.newcombe(level)),
        discordance,
        p: discordance.map(|d| d.mcnemar_p()),
        p_holm: None,
        bootstrap_ci: boot.get(&b.key).and_then(|d| d.bounds()),
    }
}

/// Per error rate key (policy of the operating point): the trials where
/// both models erred, at every policy with one threshold per model (see the
/// module docs).
fn both_errors(
    a: &Comparisons,
    b: &Comparisons,
    ra: &VerifyResult,
    rb: &VerifyResult,
    opts: &VerifyOptions,
) -> Result<HashMap<Key, u64>> {
    let sense = ScoreSense::from_distance(opts.distance);
    let zero = Policy::parse("fixed:0")?;
    let both_opts = VerifyOptions {
        policies: vec![zero.clone()],
        distance: false,
        ci: opts.ci.without_interval(),
        ..opts.clone()
    };
    let mut out = HashMap::new();
    for pb in &rb.operating_points {
        if matches!(pb.spec, Policy::GroupFmr { .. }) {
            continue;
        }
        let pa = ra.operating_points.iter().find(|p| p.policy == pb.policy);
        let (Some(ta), Some(tb)) = (pa.and_then(|p| p.threshold), pb.threshold) else {
            continue;
        };
        let (ta, tb) = (sense.internal(ta), sense.internal(tb));
        let score = (a.score.iter().zip(&b.score).zip(&a.mated))
            .map(|((&x, &y), &mated)| {
                let (ma, mb) = (x - ta, y - tb);
                if mated {
                    ma.max(mb)
                } else {
                    ma.min(mb)
                }
            })
            .collect();
        let c = Comparisons { score, ..a.clone() };
        for v in verify::audit(&c, &both_opts)?.values() {
            if let (Kind::Rate, Some((events, _))) = (v.kind, v.counts) {
                let key = Key {
                    policy: pb.policy.clone(),
                    ..v.key
                };
                out.insert(key, events as u64);
            }
        }
    }
    Ok(out)
}
