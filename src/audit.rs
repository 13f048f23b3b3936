//! Runs a whole audit: input → groups → engine → report.

use crate::error::Result;
use crate::input::{Comparisons, Table, VerifyColumns};
use crate::report::{Provenance, Report};
use crate::verification::{audit, VerifyOptions};
use std::path::Path;

/// What a verification audit needs besides its data.
#[derive(Debug, Clone)]
pub struct VerifyJob {
    pub columns: VerifyColumns,
    pub options: VerifyOptions,
    /// The command line, recorded in the provenance.
    pub command: Vec<String>,
    /// Leave the time out of the report.
    pub reproducible: bool,
}

impl VerifyJob {
    /// Audits a comparisons file.
    pub fn run_file(&self, path: &Path) -> Result<Report> {
        self.run(Table::open(path, self.columns.delimiter)?)
    }

    /// Audits an open table.
    pub fn run(&self, table: Table) -> Result<Report> {
        let comparisons = Comparisons::read(table, &self.columns)?;
        let result = audit(&comparisons, &self.options);
        let config = serde_json::json!({
            "task": "verify",
            "columns": self.columns,
            "options": self.options,
            "attributes": comparisons.attributes,
        });
        let provenance = Provenance::new(
            self.command.clone(),
            config,
            comparisons.inputs.clone(),
            None,
            self.reproducible,
        );
        let mut report = Report::new(provenance, comparisons.accounting.clone());
        report.verify = Some(result);
        Ok(report)
    }
}
