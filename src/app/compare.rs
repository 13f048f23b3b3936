//! Two models on the same trials (`biasbench compare`): each audited as it
//! would be alone (its own thresholds per policy), then compared trial by
//! trial — McNemar's exact test and Newcombe's interval per group and error
//! rate, the paired subject bootstrap for every rate and summary, Holm over
//! each family, and a verdict per attribute and error rate.
//!
//! Decisions:
//! * Model B is the report's own audit (its findings, tables and figures);
//!   model A, the baseline, rides along in [`Paired::baseline`].
//! * Two forms: both models' columns in one table, or each model's table
//!   (read by the task's own reader) joined on a key column
//!   ([`crate::input::pairing`]). Only trials both models scored are
//!   compared: a row whose other model's column is missing (or not a finite
//!   score), without a key, or whose key the other table lacks is dropped
//!   and counted under its reason; model B's table has its own accounting.
//! * Everything but the model's outputs (groups, subjects, mated flags,
//!   weights) is model A's, so both audits share their trials and units.
//! * The trials where both models err are counted by one more audit of
//!   decisions that err exactly where both models do (1:1: per comparison
//!   the smaller (non-mated) or larger (mated) of the two margins score −
//!   threshold, audited at `fixed:0`; 1:N: the same for the top non-mate,
//!   and a mate found by neither model at each rank; classification: see
//!   [`Binary::both_errors`]). 1:1 needs one threshold per model for that:
//!   per-group policies are compared by the bootstrap alone.
//! * Weighted items have no whole discordant counts: their rates are
//!   compared by the bootstrap alone.

use super::audit::{ClassifyJob, IdentifyJob, VerifyJob};
use crate::bootstrap::{self, BootstrapSpec, PairedDelta};
use crate::counts::threshold::Policy;
use crate::engine::identify::{self, fnir_metric, IdPolicy, IdentifyOptions, IdentifyResult};
use crate::engine::verify::{self, VerifyOptions, VerifyResult};
use crate::engine::{classify, Resample, Unit};
use crate::error::{Error, Result};
use crate::input::binary::{Binary, Decisions};
use crate::input::pairing::{self, Rows};
use crate::input::sense::ScoreSense;
use crate::input::{typed, Accounting, ClassifyColumns, Comparisons, Labelled, Searches, Table};
use crate::input::{IdentifyColumns, VerifyColumns};
use crate::progress::Progress;
use crate::report::paired::{self, Both, Methods, Paired, PairedBootstrap, PairedRate};
use crate::report::{Findings, Report};
use crate::stats::paired::Discordance;
use crate::value::{Flatten, Key, Kind, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The error rates of 1:1 verification whose trials both models share.
const VERIFY_ERRORS: &[&str] = &["fmr", "fnmr"];

/// The error rates of classification whose trials both models share.
const CLASSIFY_ERRORS: &[&str] = &["fpr", "fnr", "error_rate"];

/// The audit both models get.
#[derive(Debug, Clone)]
pub enum Task {
    /// 1:1 verification; the models' columns are score columns.
    Verify(VerifyJob),
    /// Classification; the models' columns are scores (with a cutoff) or
    /// predicted labels.
    Classify(ClassifyJob),
    /// 1:N identification, one row per search; each model's searches are a
    /// table of their own (a [`Join`]).
    Identify(IdentifyJob),
}

/// Model B's own table and the key column that pairs its rows with A's.
#[derive(Debug, Clone)]
pub struct Join {
    /// Model B's table.
    pub file: PathBuf,
    /// The column naming a trial (comparison, item or search) in both tables.
    pub key: String,
}

/// A paired comparison of two models' columns of one table.
#[derive(Debug, Clone)]
pub struct CompareJob {
    /// The audit as the task runs it; its own model column is ignored.
    pub task: Task,
    /// The columns of model A and model B (identify: unused, each table
    /// names its columns as `identify` does).
    pub columns: [String; 2],
    /// Names of model A and model B in the report.
    pub names: [String; 2],
    /// Model B's own table (`None`: one table holds both models' columns).
    pub join: Option<Join>,
    /// The paired bootstrap (`None`: summaries without interval or test).
    pub bootstrap: Option<BootstrapSpec>,
}

/// Both models audited on the same trials.
struct Audited {
    a: Report,
    b: Report,
    /// Model B's table's accounting, when it is a table of its own.
    rows_b: Option<Accounting>,
    /// Per error rate key: the events both models made (absent where unknown).
    both: HashMap<Key, u64>,
    /// The paired bootstrap's differences, its unit and how many units.
    boot: Option<(Vec<PairedDelta>, Unit, usize)>,
    /// The error rates compared trial by trial.
    errors: Vec<String>,
    level: f64,
    notes: Vec<String>,
}

impl CompareJob {
    /// Compares the two models on a file (with a [`Join`], model A's; the
    /// readings reported to `progress`).
    pub fn run_file(&self, path: &Path, progress: Arc<dyn Progress>) -> Result<Report> {
        let text = match &self.task {
            Task::Verify(j) => j.columns.text,
            Task::Classify(j) => j.columns.text,
            Task::Identify(j) => j.columns.text,
        };
        let file_b = self.join.as_ref().map_or(path, |j| &j.file);
        let (open_a, open_b) = (
            || Table::open(path, text, progress.clone()),
            || Table::open(file_b, text, progress.clone()),
        );
        self.run([&open_a, &open_b])
    }

    /// Compares the two models on the tables `open` opens: model A's (or
    /// the one both models' columns are in), then model B's with a [`Join`].
    pub fn run(&self, open: [&dyn Fn() -> Result<Table>; 2]) -> Result<Report> {
        let audited = match &self.task {
            Task::Verify(job) => self.verify(job, open)?,
            Task::Classify(job) => self.classify(job, open)?,
            Task::Identify(job) => self.identify(job, open)?,
        };
        Ok(self.conclude(audited))
    }

    /// The attributes a reading needs: the task's, and the key of a join.
    fn attrs(&self, attrs: &[String]) -> Vec<String> {
        let mut out = attrs.to_vec();
        out.extend(self.join.as_ref().map(|j| j.key.clone()));
        out
    }

    /// Both models' inputs on the same trials, each read from its file by
    /// `read(table, own column, the other's column in a shared table)`,
    /// with model B's table's accounting when it is a table of its own.
    fn pair<T: Rows>(
        &self,
        open: [&dyn Fn() -> Result<Table>; 2],
        read: impl Fn(Table, &str, Option<&str>) -> Result<T>,
    ) -> Result<(T, T, Option<Accounting>)> {
        let [ca, cb] = &self.columns;
        let named = |k: usize, column: &str, other: Option<&str>| -> Result<(T, String)> {
            let t = open[k]()?;
            let name = t.file.clone();
            Ok((read(t, column, other)?, name))
        };
        match &self.join {
            None => {
                let (a, name) = named(0, ca, Some(cb))?;
                let (b, _) = named(0, cb, Some(ca))?;
                let b = a.with_outputs_of(b, &name)?;
                Ok((a, b, None))
            }
            Some(j) => {
                let ((a, name_a), (b, name_b)) = (named(0, ca, None)?, named(1, cb, None)?);
                let (a, b, rows_b) = pairing::join(a, b, &j.key, [&name_a, &name_b])?;
                Ok((a, b, Some(rows_b)))
            }
        }
    }

    fn paired_bootstrap<R: Resample>(
        &self,
        ra: impl FnOnce() -> Result<R>,
        rb: impl FnOnce() -> Result<R>,
        a: &Report,
        b: &Report,
    ) -> Result<Option<(Vec<PairedDelta>, Unit, usize)>> {
        let Some(spec) = &self.bootstrap else {
            return Ok(None);
        };
        let (ra, rb) = (ra()?, rb()?);
        let (unit, units) = ra.units();
        let deltas = bootstrap::paired(&ra, &rb, a.findings.values(), b.findings.values(), spec)?;
        Ok(Some((deltas, unit, units)))
    }

    fn verify(&self, job: &VerifyJob, open: [&dyn Fn() -> Result<Table>; 2]) -> Result<Audited> {
        let columns = |score: &str, other: Option<&str>| VerifyColumns {
            score: score.into(),
            also_score: other.map(Into::into),
            ..job.columns.clone()
        };
        let (a, b, rows_b) = self.pair(open, |t, score, other| {
            let c = VerifyColumns {
                attrs: self.attrs(&job.columns.attrs),
                ..columns(score, other)
            };
            typed::comparisons(t, &c)
        })?;
        let audit = |score: &str, c: &Comparisons| {
            let job = VerifyJob {
                columns: columns(score, None),
                bootstrap: None,
                ..job.clone()
            };
            job.report(c.clone(), None)
        };
        let (report_a, report_b) = (audit(&self.columns[0], &a)?, audit(&self.columns[1], &b)?);
        let (Findings::Verify(ra), Findings::Verify(rb)) = (&report_a.findings, &report_b.findings)
        else {
            unreachable!("verify audits give verify findings")
        };
        let opts = &job.options;
        let rows = self.bootstrap.as_ref().is_some_and(|s| s.rows);
        let boot = self.paired_bootstrap(
            || Ok(verify::Resampler::new(&a, opts, rows)),
            || Ok(verify::Resampler::new(&b, opts, rows)),
            &report_a,
            &report_b,
        )?;
        let notes = (rb.operating_points.iter())
            .filter(|p| matches!(p.spec, Policy::GroupFmr { .. }))
            .map(|p| {
                format!(
                    "{}: each model sets a threshold per group, so its rate differences have \
                     no McNemar test; the paired bootstrap compares them",
                    p.policy
                )
            })
            .collect();
        Ok(Audited {
            both: verify_both_errors(&a, &b, ra, rb, opts)?,
            a: report_a,
            b: report_b,
            rows_b,
            boot,
            errors: names(VERIFY_ERRORS),
            level: opts.ci.level,
            notes,
        })
    }

    fn classify(
        &self,
        job: &ClassifyJob,
        open: [&dyn Fn() -> Result<Table>; 2],
    ) -> Result<Audited> {
        let scored = job.columns.score.is_some();
        let columns = |model: &str, other: Option<&str>| ClassifyColumns {
            y_pred: (!scored).then(|| model.to_string()),
            score: scored.then(|| model.to_string()),
            also: other.map(Into::into),
            ..job.columns.clone()
        };
        let (la, lb, rows_b) = self.pair(open, |t, model, other| {
            let j = ClassifyJob {
                columns: ClassifyColumns {
                    attrs: self.attrs(&job.columns.attrs),
                    ..columns(model, other)
                },
                ..job.clone()
            };
            j.read(t)
        })?;
        let da = job.options.positives().decide(&la)?;
        let db = job.options.positives().decide(&lb)?;
        let (Some(ba), Some(bb)) = (da.binary(), db.binary()) else {
            return Err(Error::option(
                "--positive",
                "compare classify compares binary decisions: name the positive label",
            ));
        };
        if ba.truth() != bb.truth() {
            return Err(Error::data(
                lb.inputs.first().map_or("<model B>", |f| f.path.as_str()),
                "the two models' tables disagree on the true labels of the same items",
            ));
        }
        let audit = |model: &str, l: &Labelled, d: &Decisions| {
            let j = ClassifyJob {
                columns: columns(model, None),
                bootstrap: None,
                ..job.clone()
            };
            j.report(l, d)
        };
        let report_a = audit(&self.columns[0], &la, &da)?;
        let report_b = audit(&self.columns[1], &lb, &db)?;
        let opts = &job.options;
        let rows = self.bootstrap.as_ref().is_some_and(|s| s.rows);
        let boot = self.paired_bootstrap(
            || classify::Resampler::new(&la, &da, opts, rows),
            || classify::Resampler::new(&lb, &db, opts, rows),
            &report_a,
            &report_b,
        )?;
        let weighted = !la.weight.is_empty();
        let both = match weighted {
            true => HashMap::new(),
            false => {
                let both = Decisions::Binary(Binary::both_errors(ba, bb));
                shared_events(classify::audit(&la, &both, opts)?.values(), None)
            }
        };
        let notes = match weighted {
            true => vec!["weighted items have no whole discordant counts: their rate differences have no McNemar test; the paired bootstrap compares them".into()],
            false => Vec::new(),
        };
        Ok(Audited {
            a: report_a,
            b: report_b,
            rows_b,
            both,
            boot,
            errors: names(CLASSIFY_ERRORS),
            level: opts.ci.level,
            notes,
        })
    }

    fn identify(
        &self,
        job: &IdentifyJob,
        open: [&dyn Fn() -> Result<Table>; 2],
    ) -> Result<Audited> {
        let columns = IdentifyColumns {
            attrs: self.attrs(&job.columns.attrs),
            ..job.columns.clone()
        };
        let (a, b, rows_b) = self.pair(open, |t, _, _| Searches::read(t, &columns))?;
        let audit = |s: &Searches| {
            let j = IdentifyJob {
                bootstrap: None,
                ..job.clone()
            };
            j.report(s.clone())
        };
        let (report_a, report_b) = (audit(&a)?, audit(&b)?);
        let (Findings::Identify(ra), Findings::Identify(rb)) =
            (&report_a.findings, &report_b.findings)
        else {
            unreachable!("identify audits give identify findings")
        };
        let opts = &job.options;
        let boot = self.paired_bootstrap(
            || identify::Resampler::new(&a, opts),
            || identify::Resampler::new(&b, opts),
            &report_a,
            &report_b,
        )?;
        Ok(Audited {
            both: identify_both_errors(&a, &b, ra, rb, opts)?,
            a: report_a,
            b: report_b,
            rows_b,
            boot,
            // FPIR, and FNIR at every rank asked for (`fnir`, `fnir@5`, …).
            errors: std::iter::once("fpir".to_string())
                .chain(opts.ranks.iter().map(|&r| fnir_metric(r)))
                .collect(),
            level: opts.ci.level,
            notes: Vec::new(),
        })
    }

    /// The report: model B's, with the paired section.
    fn conclude(&self, x: Audited) -> Report {
        let (va, vb) = (x.a.findings.values(), x.b.findings.values());
        let deltas = x.boot.as_ref().map_or(&[][..], |b| &b.0[..]);
        let by_key: HashMap<&Key, &PairedDelta> =
            deltas.iter().map(|d| (&d.interval.key, d)).collect();
        let is_rate = |v: &Value| {
            v.kind == Kind::Rate && x.errors.contains(&v.key.metric) && !v.key.group.contains('~')
        };
        let rates = paired::pair_values(&va, &vb, is_rate)
            .into_iter()
            .map(|(a, b)| paired_rate(a, b, x.both.get(&b.key).copied(), &by_key, x.level))
            .collect();
        let is_summary = |v: &Value| v.kind == Kind::Summary;
        let summaries = paired::summaries(&paired::pair_values(&va, &vb, is_summary), &by_key);
        let mut notes = vec![INDEPENDENCE.to_string()];
        notes.extend(x.notes);
        if x.boot.is_none() {
            notes.push(
                "no paired bootstrap ran: summary differences have no interval or test".into(),
            );
        }
        let bootstrap =
            x.boot
                .as_ref()
                .zip(self.bootstrap.as_ref())
                .map(|((_, unit, units), spec)| PairedBootstrap {
                    unit: *unit,
                    units: *units,
                    replicates: spec.replicates,
                    seed: spec.seed,
                });
        let mut report = x.b;
        let mut paired = Paired {
            names: self.names.clone(),
            baseline: x.a.findings,
            level: x.level,
            methods: methods(bootstrap.as_ref()),
            bootstrap,
            verdicts: Vec::new(),
            rates,
            summaries,
            rows_b: x.rows_b,
            notes,
        };
        paired.conclude(&verdicts_asked(&vb, &report, &x.errors));
        if let Some(spec) = &self.bootstrap {
            report.provenance.seed = Some(spec.seed);
        }
        report.paired = Some(paired);
        report
    }
}

fn methods(boot: Option<&PairedBootstrap>) -> Methods {
    Methods {
        rate_interval: "Newcombe's square-and-add (Wilson) interval for paired rates".into(),
        rate_test: "McNemar's exact test on the discordant trials".into(),
        summary: match boot {
            Some(b) => format!(
                "paired {} bootstrap, {} replicates: percentile interval of B − A and its two-sided p-value",
                b.unit.name(),
                b.replicates
            ),
            None => "none (no bootstrap)".into(),
        },
        family: "Holm over the groups of each rate and operating point, and over the verdicts"
            .into(),
    }
}

fn names(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Why the per-rate tests are optimistic when trials share subjects.
const INDEPENDENCE: &str = "McNemar's test and Newcombe's interval treat the trials of a group as independent; trials that share a subject are correlated, so with subject ids the paired subject bootstrap (its interval shown beside) is the safer guide";

/// The verdicts to draw: every attribute (all pooled aside) and error
/// rate, at the operating point of model B's finding for that rate (else
/// the first at which model B has that rate).
fn verdicts_asked(b: &[Value], report: &Report, rates: &[String]) -> Vec<(String, String, String)> {
    let mut attributes: Vec<String> = Vec::new();
    for v in b
        .iter()
        .filter(|v| v.kind == Kind::Summary && !v.key.attribute.is_pooled())
    {
        let name = v.key.attribute.name();
        if !attributes.contains(&name) {
            attributes.push(name);
        }
    }
    let mut asked = Vec::new();
    for attribute in &attributes {
        for rate in rates {
            let policy = (report.headline.iter())
                .find(|f| f.rate == *rate)
                .and_then(|f| f.policy.clone())
                .or_else(|| {
                    (b.iter())
                        .find(|v| v.kind == Kind::Rate && v.key.metric == *rate)
                        .map(|v| v.key.policy.clone())
                });
            if let Some(policy) = policy {
                asked.push((attribute.clone(), policy, rate.clone()));
            }
        }
    }
    asked
}

/// One group's error rate under both models; `both`: the events both made.
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

/// The events of every counted rate of an audit of shared errors, keyed as
/// the models' rates (the policy relabelled to `policy` when given).
fn shared_events(values: Vec<Value>, policy: Option<&str>) -> HashMap<Key, u64> {
    values
        .into_iter()
        .filter_map(|v| match (v.kind, v.counts) {
            (Kind::Rate, Some((events, _))) => {
                let key = Key {
                    policy: policy.map_or(v.key.policy.clone(), Into::into),
                    ..v.key
                };
                Some((key, events as u64))
            }
            _ => None,
        })
        .collect()
}

/// Per error rate key: the comparisons where both models erred, at every
/// policy with one threshold per model (see the module docs).
fn verify_both_errors(
    a: &Comparisons,
    b: &Comparisons,
    ra: &VerifyResult,
    rb: &VerifyResult,
    opts: &VerifyOptions,
) -> Result<HashMap<Key, u64>> {
    let sense = ScoreSense::from_distance(opts.distance);
    let both_opts = VerifyOptions {
        policies: vec![Policy::parse("fixed:0")?],
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
        let values = verify::audit(&c, &both_opts)?.values();
        out.extend(shared_events(values, Some(&pb.policy)));
    }
    Ok(out)
}

/// The model's margin over its threshold `t` (similarity units; −∞: every
/// returned candidate counts): ≥ 0 exactly when `x` is accepted.
fn margin(x: f64, t: f64) -> f64 {
    match t == f64::NEG_INFINITY {
        true if x == f64::NEG_INFINITY => f64::NEG_INFINITY,
        true => f64::INFINITY,
        false => x - t,
    }
}

/// Per error rate key: the searches where both models erred, at every
/// policy and rank (see the module docs).
fn identify_both_errors(
    a: &Searches,
    b: &Searches,
    ra: &IdentifyResult,
    rb: &IdentifyResult,
    opts: &IdentifyOptions,
) -> Result<HashMap<Key, u64>> {
    let sense = ScoreSense::from_distance(opts.distance);
    let threshold = |p: &identify::IdOperatingPoint| match (&p.spec, p.threshold) {
        (IdPolicy::Investigative { .. }, _) => Some(f64::NEG_INFINITY),
        (_, t) => t.map(|t| sense.internal(t)),
    };
    let both_opts = IdentifyOptions {
        policies: vec![IdPolicy::parse("fixed:0")?],
        ranks: vec![1],
        distance: false,
        ci: opts.ci.without_interval(),
        ..opts.clone()
    };
    let n = a.mated.len();
    let mut out = HashMap::new();
    for pb in &rb.operating_points {
        let pa = ra.operating_points.iter().find(|p| p.policy == pb.policy);
        let (Some(ta), Some(tb)) = (pa.and_then(threshold), threshold(pb)) else {
            continue;
        };
        for &rank in &opts.ranks {
            let found = |s: &Searches, i: usize, t: f64| {
                (1..=rank).contains(&s.mate_rank[i]) && margin(s.mate_score[i], t) >= 0.0
            };
            let neither: Vec<bool> = (0..n)
                .map(|i| !found(a, i, ta) && !found(b, i, tb))
                .collect();
            let c = Searches {
                top_nonmate: (0..n)
                    .map(|i| margin(a.top_nonmate[i], ta).min(margin(b.top_nonmate[i], tb)))
                    .collect(),
                mate_rank: neither.iter().map(|&x| u32::from(!x)).collect(),
                mate_score: (neither.iter())
                    .map(|&x| if x { f64::NEG_INFINITY } else { 0.0 })
                    .collect(),
                ..a.clone()
            };
            let values = identify::audit(&c, &both_opts)?.values();
            for (key, events) in shared_events(values, Some(&pb.policy)) {
                let metric = match key.metric.as_str() {
                    "fpir" => "fpir".to_string(),
                    "fnir" => fnir_metric(rank),
                    _ => continue,
                };
                out.insert(Key { metric, ..key }, events);
            }
        }
    }
    Ok(out)
}
