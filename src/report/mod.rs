//! Layer 7, the report model: neutral data that every renderer reads. It
//! serialises to JSON (`biasbench.report/v2`) and reads back from it.

use crate::bootstrap::BootstrapResult;
use crate::engine::classify::ClassifyResult;
use crate::engine::identify::IdentifyResult;
use crate::engine::summarize::SummarizeResult;
use crate::engine::verify::VerifyResult;
use crate::input::{Accounting, InputFile};
use crate::value::{Flatten, Value};
use serde::{Deserialize, Serialize};

/// JSON schema id of [`Report`].
pub const SCHEMA: &str = "biasbench.report/v2";

/// Everything an audit found, with its provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The schema id, [`SCHEMA`].
    pub schema: String,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// Where the report came from.
    pub provenance: Provenance,
    /// What happened to every input row.
    pub accounting: Accounting,
    /// The task's results, under the task's name (`"verify": {…}`).
    #[serde(flatten)]
    pub findings: Findings,
    /// The bootstrap section, when one was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapResult>,
}

/// The results of one task.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Findings {
    /// A 1:1 verification audit.
    Verify(VerifyResult),
    /// A 1:N identification audit.
    Identify(IdentifyResult),
    /// A classification audit.
    Classify(ClassifyResult),
    /// A summary of published rates.
    Summarize(SummarizeResult),
}

impl Findings {
    /// The task id of the tidy CSV (`verify`, `identify`, `classify`, `summarize`).
    pub fn task(&self) -> &'static str {
        match self {
            Findings::Verify(_) => "verify",
            Findings::Identify(_) => "identify",
            Findings::Classify(_) => "classify",
            Findings::Summarize(_) => "summarize",
        }
    }
}

impl Flatten for Findings {
    fn flatten(&self, out: &mut Vec<Value>) {
        match self {
            Findings::Verify(r) => r.flatten(out),
            Findings::Identify(r) => r.flatten(out),
            Findings::Classify(r) => r.flatten(out),
            Findings::Summarize(r) => r.flatten(out),
        }
    }
}

/// The tool's name and version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    /// `biasbench`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// Where the report came from. `time` is left out with `--reproducible`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provenance {
    /// The command line.
    pub command: Vec<String>,
    /// The effective configuration.
    pub config: serde_json::Value,
    /// The input files, with their hashes.
    pub inputs: Vec<InputFile>,
    /// Seed of the data or the bootstrap, when one was used.
    pub seed: Option<u64>,
    /// When the report was written (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

impl Provenance {
    /// `time` is the current UTC time unless `reproducible`.
    pub(crate) fn new(
        command: Vec<String>,
        config: serde_json::Value,
        inputs: Vec<InputFile>,
        seed: Option<u64>,
        reproducible: bool,
    ) -> Self {
        Provenance {
            command,
            config,
            inputs,
            seed,
            time: (!reproducible).then(|| {
                humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
            }),
        }
    }
}

impl Report {
    /// The task id of the tidy CSV (`verify`, `classify`, …).
    pub fn task(&self) -> &'static str {
        self.findings.task()
    }

    /// A report of the current tool over `findings`.
    pub(crate) fn new(
        provenance: Provenance,
        accounting: Accounting,
        findings: Findings,
    ) -> Report {
        Report {
            schema: SCHEMA.to_string(),
            tool: Tool {
                name: "biasbench".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            provenance,
            accounting,
            findings,
            bootstrap: None,
        }
    }

    /// The 1:1 results, if this is a 1:1 report.
    pub fn verify(&self) -> Option<&VerifyResult> {
        match &self.findings {
            Findings::Verify(r) => Some(r),
            _ => None,
        }
    }

    /// The 1:N results, if this is a 1:N report.
    pub fn identify(&self) -> Option<&IdentifyResult> {
        match &self.findings {
            Findings::Identify(r) => Some(r),
            _ => None,
        }
    }

    /// The classification results, if this is a classification report.
    pub fn classify(&self) -> Option<&ClassifyResult> {
        match &self.findings {
            Findings::Classify(r) => Some(r),
            _ => None,
        }
    }

    /// The published-rates results, if this is a `summarize` report.
    pub fn summarize(&self) -> Option<&SummarizeResult> {
        match &self.findings {
            Findings::Summarize(r) => Some(r),
            _ => None,
        }
    }
}
