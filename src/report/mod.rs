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
    pub schema: String,
    pub tool: Tool,
    pub provenance: Provenance,
    /// What happened to every input row.
    pub accounting: Accounting,
    /// The task's results, under the task's name (`"verify": {…}`).
    #[serde(flatten)]
    pub findings: Findings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapResult>,
}

/// The results of one task.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Findings {
    Verify(VerifyResult),
    Identify(IdentifyResult),
    Classify(ClassifyResult),
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// Where the report came from. `time` is left out with `--reproducible`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provenance {
    pub command: Vec<String>,
    pub config: serde_json::Value,
    pub inputs: Vec<InputFile>,
    pub seed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

impl Provenance {
    /// `time` is the current UTC time unless `reproducible`.
    pub fn new(
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

    pub fn new(provenance: Provenance, accounting: Accounting, findings: Findings) -> Report {
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
