//! Runs a whole audit: input → groups → engine → report.

use crate::bootstrap::{self, BootstrapSpec};
use crate::engine::classify::{self, ClassifyOptions};
use crate::engine::identify::{self, IdentifyOptions};
use crate::engine::summarize::{self, SummarizeColumns};
use crate::engine::verify::stream::{self, Partial, Plan, StreamLimits};
use crate::engine::verify::{self, VerifyOptions};
use crate::error::{Error, Result};
use crate::input::npy_dir::NpyComparisons;
use crate::input::searches::CandidateColumns;
use crate::input::{
    Accounting, ClassifyColumns, Comparisons, InputFile, Labelled, Table, VerifyColumns,
};
use crate::input::{IdentifyColumns, Searches};
use crate::report::{Provenance, Report};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What a verification audit needs besides its data.
#[derive(Debug, Clone)]
pub struct VerifyJob {
    pub columns: VerifyColumns,
    pub options: VerifyOptions,
    /// The command line, recorded in the provenance.
    pub command: Vec<String>,
    /// Leave the time out of the report.
    pub reproducible: bool,
    pub bootstrap: Option<BootstrapSpec>,
}

/// The outcome of merging partials.
pub enum Merged {
    Report(Box<Report>),
    /// Another pass over every shard is needed, with this plan.
    NeedsPass(Plan),
}

/// What a classification audit needs besides its data.
#[derive(Debug, Clone)]
pub struct ClassifyJob {
    pub columns: ClassifyColumns,
    pub options: ClassifyOptions,
    pub command: Vec<String>,
    pub reproducible: bool,
    pub bootstrap: Option<BootstrapSpec>,
}

/// A report with its provenance: the effective configuration, the inputs and the accounting.
fn new_report(
    command: &[String],
    reproducible: bool,
    config: serde_json::Value,
    inputs: &[InputFile],
    accounting: &Accounting,
) -> Report {
    let provenance = Provenance::new(
        command.to_vec(),
        config,
        inputs.to_vec(),
        None,
        reproducible,
    );
    Report::new(provenance, accounting.clone())
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
    /// Audits a comparisons file.
    pub fn run_file(&self, path: &Path) -> Result<Report> {
        self.run(Table::open(path, self.columns.delimiter)?)
    }

    /// Audits an open table.
    pub fn run(&self, table: Table) -> Result<Report> {
        self.report(Comparisons::read(table, &self.columns)?, None)
    }

    /// Opens a `.npy` comparisons directory for streaming, refusing what the
    /// streaming audit does not do.
    fn streamed(&self, dir: &Path) -> Result<NpyComparisons> {
        let c = &self.columns;
        let refuse = |flag: &str| {
            Err(Error::option(
                flag,
                "is not available in the streaming audit (it needs every row in memory)",
            ))
        };
        if self.bootstrap.is_some() {
            return refuse("--bootstrap");
        }
        if !c.exclude.is_empty() {
            return refuse("--exclude");
        }
        if c.subjects.is_some() {
            return refuse("--subjects");
        }
        if c.id_sep.is_some() {
            return refuse("--id-sep");
        }
        let mated = c.mated.as_deref().unwrap_or("mated");
        NpyComparisons::open(dir, &c.score, mated, &c.attrs)
    }

    /// Audits a `.npy` comparisons directory in bounded memory (see
    /// [`verify::stream`]); `hash` computes the inputs' SHA-256.
    pub fn run_stream(&self, dir: &Path, hash: bool) -> Result<Report> {
        let data = self.streamed(dir)?;
        let inputs = data.provenance(hash)?;
        let (c, _passes) = stream::run(&data, &self.options, StreamLimits::default(), inputs)?;
        let note = stream::note(&c);
        self.report(c, Some(note))
    }

    /// One pass over a shard with `plan`: the partial aggregate for `merge`.
    pub fn partial(&self, dir: &Path, plan: &Plan, hash: bool) -> Result<Partial> {
        let data = self.streamed(dir)?;
        let inputs = data.provenance(hash)?;
        crate::progress::start("pass", data.bytes());
        let part = stream::pass(&data, &self.options, plan, inputs);
        crate::progress::finish();
        part
    }

    /// Merges the partials of every shard: the report, or the plan of the
    /// next pass when the partials do not yet pin every result exactly.
    pub fn merge(&self, partials: Vec<Partial>) -> Result<Merged> {
        let mut parts = partials.into_iter();
        let mut whole = parts
            .next()
            .ok_or_else(|| Error::option("merge", "needs at least one partial file"))?;
        for p in parts {
            whole.merge(p)?;
        }
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

    fn report(&self, c: Comparisons, note: Option<String>) -> Result<Report> {
        let mut result = verify::audit(&c, &self.options)?;
        result.notes.extend(note);
        let cfg = config("verify", &self.columns, &self.options, &c.attributes);
        let mut report = new_report(
            &self.command,
            self.reproducible,
            cfg,
            &c.inputs,
            &c.accounting,
        );
        report.verify = Some(result);
        if let Some(spec) = &self.bootstrap {
            report.bootstrap = Some(bootstrap::verify(&c, &self.options, spec, &report)?);
            report.provenance.seed = Some(spec.seed);
        }
        Ok(report)
    }
}

impl ClassifyJob {
    /// Audits a classification file.
    pub fn run_file(&self, path: &Path) -> Result<Report> {
        self.run(Table::open(path, self.columns.delimiter)?)
    }

    /// Audits an open table.
    pub fn run(&self, table: Table) -> Result<Report> {
        let l = Labelled::read(table, &self.columns)?;
        let result = classify::audit(&l, &self.options)?;
        let cfg = config("classify", &self.columns, &self.options, &l.attributes);
        let mut report = new_report(
            &self.command,
            self.reproducible,
            cfg,
            &l.inputs,
            &l.accounting,
        );
        report.classify = Some(result);
        if let Some(spec) = &self.bootstrap {
            report.bootstrap = Some(bootstrap::classify(&l, &self.options, spec, &report)?);
            report.provenance.seed = Some(spec.seed);
        }
        Ok(report)
    }
}

/// What a summary of published rates needs besides its data.
#[derive(Debug, Clone)]
pub struct SummarizeJob {
    pub columns: SummarizeColumns,
    /// Weight α of FMR in FDR, IR, GARBE and WERM.
    pub alpha: f64,
    pub delimiter: Option<u8>,
    pub command: Vec<String>,
    pub reproducible: bool,
}

impl SummarizeJob {
    pub fn run_file(&self, path: &Path) -> Result<Report> {
        let (result, input, accounting) = summarize::run(
            Table::open(path, self.delimiter)?,
            &self.columns,
            self.alpha,
        )?;
        let cfg = serde_json::json!({ "task": "summarize", "columns": self.columns, "alpha": self.alpha });
        let mut report = new_report(&self.command, self.reproducible, cfg, &[input], &accounting);
        report.summarize = Some(result);
        Ok(report)
    }
}

/// What a 1:N audit needs besides its data.
#[derive(Debug, Clone)]
pub struct IdentifyJob {
    pub columns: IdentifyColumns,
    pub options: IdentifyOptions,
    pub command: Vec<String>,
    pub reproducible: bool,
    /// Candidate-list form: the searches table and the column names; the
    /// audited file is then the candidates table.
    pub candidate_lists: Option<(PathBuf, CandidateColumns)>,
}

impl IdentifyJob {
    /// Audits a searches file, or a candidates file with its searches table.
    pub fn run_file(&self, path: &Path) -> Result<Report> {
        let d = self.columns.delimiter;
        match &self.candidate_lists {
            None => self.run(Table::open(path, d)?),
            Some((searches, cand)) => {
                let s = Searches::from_candidates(
                    Table::open(searches, d)?,
                    Table::open(path, d)?,
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

    fn report(&self, s: Searches) -> Result<Report> {
        let result = identify::audit(&s, &self.options)?;
        let cfg = config("identify", &self.columns, &self.options, &s.attributes);
        let mut report = new_report(
            &self.command,
            self.reproducible,
            cfg,
            &s.inputs,
            &s.accounting,
        );
        report.identify = Some(result);
        Ok(report)
    }
}
