//! Runs a whole audit: input → groups → engine → report.

use crate::bootstrap::{self, BootstrapSpec};
use crate::engine::classify::{self, ClassifyOptions};
use crate::engine::estimate::{self, EstimateOptions};
use crate::engine::identify::{self, IdentifyOptions};
use crate::engine::summarize;
use crate::engine::verify::stream::{self, Partial, Plan, StreamLimits};
use crate::engine::verify::{self, VerifyOptions};
use crate::engine::Resample;
use crate::error::{Error, Result};
use crate::input::npy_dir::{NpyComparisons, NpySource};
use crate::input::searches::CandidateColumns;
use crate::input::{typed, IdentifyColumns, Searches};
use crate::input::{
    Accounting, Ages, ClassifyColumns, Comparisons, EstimateColumns, InputFile, Published,
    SummarizeColumns, Table, TextFormat, VerifyColumns,
};
use crate::progress::Progress;
use crate::report::{Findings, Provenance, Report};
use crate::value::{Flatten, Kind};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a verification audit needs besides its data.
#[derive(Debug, Clone)]
pub struct VerifyJob {
    /// Which columns hold scores, mated flags, subjects and attributes.
    pub columns: VerifyColumns,
    /// Options of the audit.
    pub options: VerifyOptions,
    /// The command line, recorded in the provenance.
    pub command: Vec<String>,
    /// Leave the time out of the report.
    pub reproducible: bool,
    /// Bootstrap intervals to add, if asked for.
    pub bootstrap: Option<BootstrapSpec>,
}

/// The outcome of merging partials.
pub enum Merged {
    /// The merged report.
    Report(Box<Report>),
    /// Another pass over every shard is needed, with this plan.
    NeedsPass(Plan),
}

/// What a classification audit needs besides its data.
#[derive(Debug, Clone)]
pub struct ClassifyJob {
    /// Which columns hold labels, predictions, scores and attributes.
    pub columns: ClassifyColumns,
    /// Options of the audit.
    pub options: ClassifyOptions,
    /// The command line, recorded in the provenance.
    pub command: Vec<String>,
    /// Leave the time out of the report.
    pub reproducible: bool,
    /// Bootstrap intervals to add, if asked for.
    pub bootstrap: Option<BootstrapSpec>,
}

/// A report with its provenance: the effective configuration, the inputs and the accounting.
fn new_report(
    command: &[String],
    reproducible: bool,
    config: serde_json::Value,
    inputs: &[InputFile],
    accounting: &Accounting,
    findings: Findings,
) -> Report {
    let provenance = Provenance::new(
        command.to_vec(),
        config,
        inputs.to_vec(),
        None,
        reproducible,
    );
    Report::new(provenance, accounting.clone(), findings)
}

/// An error when no input row is usable (see [`Accounting::require_used`]).
fn require_rows(accounting: &Accounting, inputs: &[InputFile]) -> Result<()> {
    accounting.require_used(inputs.first().map_or("<memory>", |f| f.path.as_str()))
}

/// The report, or an error when it holds no defined rate or statistic at
/// all: its alarms and first notes say why.
fn require_some_rate(report: Report) -> Result<Report> {
    let values = report.findings.values();
    let defined = |v: &&crate::value::Value| matches!(v.kind, Kind::Rate | Kind::Statistic);
    if values.iter().filter(defined).any(|v| v.value.is_finite()) {
        return Ok(report);
    }
    const SHOWN: usize = 5;
    let notes = report.findings.notes();
    let mut why: Vec<String> = report.alarms.iter().map(ToString::to_string).collect();
    why.extend(notes.iter().take(SHOWN).cloned());
    if notes.len() > SHOWN {
        why.push(format!("and {} more in the notes", notes.len() - SHOWN));
    }
    let file = report
        .provenance
        .inputs
        .first()
        .map_or("<memory>", |f| f.path.as_str());
    Err(Error::data(
        file,
        format!(
            "the audit produced no rate: every rate and statistic is undefined. {}",
            why.join("; ")
        ),
    ))
}

/// Adds the bootstrap of `audit` (and its seed) to a report.
/// Adds the bootstrap when `spec` asks for one; the replicates' audit is
/// prepared (by `audit`) only then.
fn with_bootstrap<R: Resample>(
    mut report: Report,
    audit: impl FnOnce() -> Result<R>,
    spec: Option<&BootstrapSpec>,
) -> Result<Report> {
    if let Some(spec) = spec {
        report.bootstrap = Some(bootstrap::bootstrap(
            &audit()?,
            report.findings.values(),
            spec,
        )?);
        report.provenance.seed = Some(spec.seed);
    }
    Ok(report)
}

fn config(
    task: &str,
    columns: impl Serialize,
    options: impl Serialize,
    attributes: impl Serialize,
) -> serde_json::Value {
    serde_json::json!({ "task": task, "columns": columns, "options": options, "attributes": attributes })
}

impl VerifyJob {
    /// Audits a comparisons file (its reading reported to `progress`).
    pub fn run_file(&self, path: &Path, progress: Arc<dyn Progress>) -> Result<Report> {
        self.run(Table::open(path, self.columns.text, progress)?)
    }

    /// Audits an open table.
    pub fn run(&self, table: Table) -> Result<Report> {
        self.report(typed::comparisons(table, &self.columns)?, None)
    }

    /// Opens `.npy` comparison columns for streaming, refusing what the
    /// streaming audit does not do.
    fn streamed(&self, src: NpySource) -> Result<NpyComparisons> {
        let c = &self.columns;
        let refuse = |flag: &str, why: &str| {
            Err(Error::option(
                flag,
                format!("is not available in the streaming audit ({why})"),
            ))
        };
        let in_memory = "it needs every row in memory";
        if self.bootstrap.is_some() {
            return refuse("--bootstrap", in_memory);
        }
        for (given, flag) in [
            (!c.exclude.is_empty(), "--exclude"),
            (c.subjects.is_some(), "--subjects"),
            (c.id_sep.is_some(), "--id-sep"),
        ] {
            if given {
                return refuse(flag, in_memory);
            }
        }
        if c.subject_a.is_some() || c.subject_b.is_some() {
            return refuse(
                "--subject-a or --subject-b",
                "it reads the mated flag from a column",
            );
        }
        if c.strict {
            return refuse("--strict", "it counts drops without stopping");
        }
        if c.text.delimiter.is_some() {
            return refuse("--delimiter", "it reads .npy columns");
        }
        if c.text.multiline_fields {
            return refuse("--allow-multiline-fields", "it reads .npy columns");
        }
        let mated = c.mated.as_deref().unwrap_or("mated");
        match src {
            NpySource::Dir(dir) => NpyComparisons::open(&dir, &c.score, mated, &c.attrs),
            memory => NpyComparisons::from_source(memory, &c.score, mated, &c.attrs),
        }
    }

    /// Audits `.npy` comparison columns in bounded memory (see
    /// [`verify::stream`]); `hash` computes the inputs' SHA-256; each pass
    /// is reported to `progress`.
    pub fn run_stream(
        &self,
        src: NpySource,
        hash: bool,
        progress: &dyn Progress,
    ) -> Result<Report> {
        let data = self.streamed(src)?;
        let inputs = data.provenance(hash)?;
        let limits = StreamLimits::default();
        let (c, _passes) = stream::run(&data, &self.options, limits, inputs, progress)?;
        let note = stream::note(&c);
        self.report(c, Some(note))
    }

    /// One pass over a shard with `plan`: the partial aggregate for `merge`
    /// (the pass reported to `progress`).
    pub fn partial(
        &self,
        src: NpySource,
        plan: &Plan,
        hash: bool,
        progress: &dyn Progress,
    ) -> Result<Partial> {
        let data = self.streamed(src)?;
        let inputs = data.provenance(hash)?;
        progress.start("pass", data.bytes());
        let part = stream::pass(&data, &self.options, plan, inputs, progress);
        progress.finish();
        part
    }

    /// Merges the partials of every shard: the report, or the plan of the
    /// next pass when the partials do not yet pin every result exactly.
    pub fn merge(&self, partials: Vec<Partial>) -> Result<Merged> {
        let whole = Partial::merge_all(partials)?;
        let c = whole.comparisons()?;
        if let Some(plan) = whole.next_plan(&c, StreamLimits::default()) {
            return Ok(Merged::NeedsPass(plan));
        }
        let job = VerifyJob {
            options: whole.options.clone(),
            ..self.clone()
        };
        let note = stream::note(&c);
        Ok(Merged::Report(Box::new(job.report(c, Some(note))?)))
    }

    pub(crate) fn report(&self, c: Comparisons, note: Option<String>) -> Result<Report> {
        require_rows(&c.accounting, &c.inputs)?;
        let mut result = verify::audit(&c, &self.options)?;
        result.notes.extend(note);
        // The effective configuration: the policies that ran (the defaults when none was given).
        let options = VerifyOptions {
            policies: ran(&result.operating_points, |p| &p.spec),
            ..self.options.clone()
        };
        let cfg = config("verify", &self.columns, &options, &c.attributes);
        let report = new_report(
            &self.command,
            self.reproducible,
            cfg,
            &c.inputs,
            &c.accounting,
            Findings::Verify(result),
        );
        let report = require_some_rate(report)?;
        let rows = self.bootstrap.as_ref().is_some_and(|b| b.rows);
        with_bootstrap(
            report,
            || Ok(verify::Resampler::new(&c, &self.options, rows)),
            self.bootstrap.as_ref(),
        )
    }
}

impl ClassifyJob {
    /// Audits a classification file (its reading reported to `progress`).
    pub fn run_file(&self, path: &Path, progress: Arc<dyn Progress>) -> Result<Report> {
        self.check()?;
        self.run(Table::open(path, self.columns.text, progress)?)
    }

    /// What the options alone can tell before any data is read.
    fn check(&self) -> Result<()> {
        let has_score = self.columns.score.is_some();
        self.options.positives().check(has_score)
    }

    /// Audits an open table; the items are decided binary (or multiclass)
    /// as soon as their labels are read.
    pub fn run(&self, table: Table) -> Result<Report> {
        self.check()?;
        let l = self.read(table)?;
        let d = self.options.positives().decide(&l)?;
        let report = self.report(&l, &d)?;
        let rows = self.bootstrap.as_ref().is_some_and(|b| b.rows);
        with_bootstrap(
            report,
            || classify::Resampler::new(&l, &d, &self.options, rows),
            self.bootstrap.as_ref(),
        )
    }
}

impl ClassifyJob {
    /// The items of an open table (an error when none is usable).
    pub(crate) fn read(&self, table: Table) -> Result<crate::input::Labelled> {
        let l = typed::labelled(table, &self.columns)?;
        require_rows(&l.accounting, &l.inputs)?;
        Ok(l)
    }

    /// The report of decided items, without a bootstrap.
    pub(crate) fn report(
        &self,
        l: &crate::input::Labelled,
        d: &crate::input::binary::Decisions,
    ) -> Result<Report> {
        let result = classify::audit(l, d, &self.options)?;
        let cfg = config("classify", &self.columns, &self.options, &l.attributes);
        require_some_rate(new_report(
            &self.command,
            self.reproducible,
            cfg,
            &l.inputs,
            &l.accounting,
            Findings::Classify(result),
        ))
    }
}

/// What an age-estimation audit needs besides its data.
#[derive(Debug, Clone)]
pub struct EstimateJob {
    /// Which columns hold true and estimated ages, weights, subjects and attributes.
    pub columns: EstimateColumns,
    /// Options of the audit.
    pub options: EstimateOptions,
    /// The command line, recorded in the provenance.
    pub command: Vec<String>,
    /// Leave the time out of the report.
    pub reproducible: bool,
    /// Bootstrap intervals to add, if asked for.
    pub bootstrap: Option<BootstrapSpec>,
}

impl EstimateJob {
    /// Audits an age-estimation file (its reading reported to `progress`).
    pub fn run_file(&self, path: &Path, progress: Arc<dyn Progress>) -> Result<Report> {
        self.run(Table::open(path, self.columns.text, progress)?)
    }

    /// Audits an open table.
    pub fn run(&self, table: Table) -> Result<Report> {
        let a = Ages::read(table, &self.columns)?;
        require_rows(&a.accounting, &a.inputs)?;
        let result = estimate::audit(&a, &self.options)?;
        let cfg = config("estimate", &self.columns, &self.options, &a.attributes);
        let report = require_some_rate(new_report(
            &self.command,
            self.reproducible,
            cfg,
            &a.inputs,
            &a.accounting,
            Findings::Estimate(result),
        ))?;
        let rows = self.bootstrap.as_ref().is_some_and(|b| b.rows);
        with_bootstrap(
            report,
            || estimate::Resampler::new(&a, &self.options, rows),
            self.bootstrap.as_ref(),
        )
    }
}

/// What a summary of published rates needs besides its data.
#[derive(Debug, Clone)]
pub struct SummarizeJob {
    /// Which columns hold groups, rates and trials.
    pub columns: SummarizeColumns,
    /// Weight α of FMR in FDR, IR, GARBE and WERM.
    pub alpha: f64,
    /// Field delimiter of the table (`None`: detected) and quoting.
    pub text: TextFormat,
    /// The command line, recorded in the provenance.
    pub command: Vec<String>,
    /// Leave the time out of the report.
    pub reproducible: bool,
}

impl SummarizeJob {
    /// Summarises a table of published rates (its reading reported to `progress`).
    pub fn run_file(&self, path: &Path, progress: Arc<dyn Progress>) -> Result<Report> {
        self.run(Table::open(path, self.text, progress)?)
    }

    /// Summarises an open table of published rates.
    pub fn run(&self, table: Table) -> Result<Report> {
        let table = Published::read(table, &self.columns)?;
        require_rows(&table.accounting, &table.inputs)?;
        let result = summarize::summarize(&table, self.alpha);
        let cfg = serde_json::json!({ "task": "summarize", "columns": self.columns, "alpha": self.alpha });
        require_some_rate(new_report(
            &self.command,
            self.reproducible,
            cfg,
            &table.inputs,
            &table.accounting,
            Findings::Summarize(result),
        ))
    }
}

/// What a 1:N audit needs besides its data.
#[derive(Debug, Clone)]
pub struct IdentifyJob {
    /// Which columns hold the searches (or candidates) and their attributes.
    pub columns: IdentifyColumns,
    /// Options of the audit.
    pub options: IdentifyOptions,
    /// The command line, recorded in the provenance.
    pub command: Vec<String>,
    /// Leave the time out of the report.
    pub reproducible: bool,
    /// Searches resampled (each search is one unit).
    pub bootstrap: Option<BootstrapSpec>,
    /// Candidate-list form: the searches table and the column names; the
    /// audited file is then the candidates table.
    pub candidate_lists: Option<(PathBuf, CandidateColumns)>,
}

impl IdentifyJob {
    /// Audits a searches file, or a candidates file with its searches table
    /// (their reading reported to `progress`).
    pub fn run_file(&self, path: &Path, progress: Arc<dyn Progress>) -> Result<Report> {
        let d = self.columns.text;
        match &self.candidate_lists {
            None => self.run(Table::open(path, d, progress)?),
            Some((searches, cand)) => {
                let s = Searches::from_candidates(
                    Table::open(searches, d, progress.clone())?,
                    Table::open(path, d, progress)?,
                    &self.columns,
                    cand,
                )?;
                self.report(s)
            }
        }
    }

    /// Audits a table of one row per search.
    pub fn run(&self, table: Table) -> Result<Report> {
        self.report(Searches::read(table, &self.columns)?)
    }

    pub(crate) fn report(&self, s: Searches) -> Result<Report> {
        require_rows(&s.accounting, &s.inputs)?;
        let result = identify::audit(&s, &self.options)?;
        let options = IdentifyOptions {
            policies: ran(&result.operating_points, |p| &p.spec),
            ..self.options.clone()
        };
        let cfg = config("identify", &self.columns, &options, &s.attributes);
        let report = new_report(
            &self.command,
            self.reproducible,
            cfg,
            &s.inputs,
            &s.accounting,
            Findings::Identify(result),
        );
        let report = require_some_rate(report)?;
        with_bootstrap(
            report,
            || identify::Resampler::new(&s, &self.options),
            self.bootstrap.as_ref(),
        )
    }
}

/// The policies that ran, one per operating point (the defaults when none
/// was given), for the effective configuration.
fn ran<T, P: Clone>(points: &[T], spec: impl Fn(&T) -> &P) -> Vec<P> {
    points.iter().map(|p| spec(p).clone()).collect()
}
