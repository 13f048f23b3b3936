//! Runs a whole audit: input → groups → engine → report.

use crate::bootstrap::{self, BootstrapSpec};
use crate::classification::{self, ClassifyOptions};
use crate::error::Result;
use crate::identification::{self, IdentifyOptions};
use crate::input::searches::CandidateColumns;
use crate::input::{
    Accounting, ClassifyColumns, Comparisons, InputFile, Labelled, Table, VerifyColumns,
};
use crate::input::{IdentifyColumns, Searches};
use crate::report::{Provenance, Report};
use crate::summarize::{self, SummarizeColumns};
use crate::verification::{self, VerifyOptions};
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
        let c = Comparisons::read(table, &self.columns)?;
        let result = verification::audit(&c, &self.options)?;
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
        let result = classification::audit(&l, &self.options)?;
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
        let result = identification::audit(&s, &self.options)?;
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
