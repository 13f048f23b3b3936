//! Layer 7, the report model: neutral data that every renderer reads.

use crate::bootstrap::BootstrapResult;
use crate::engine::classify::ClassifyResult;
use crate::engine::identify::IdentifyResult;
use crate::engine::summarize::SummarizeResult;
use crate::engine::verify::VerifyResult;
use crate::input::{Accounting, InputFile};
use serde::Serialize;

/// JSON schema id of [`Report`].
pub const SCHEMA: &str = "biasbench.report/v1";

/// Everything an audit found, with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool: Tool,
    pub provenance: Provenance,
    /// What happened to every input row.
    pub accounting: Accounting,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classify: Option<ClassifyResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identify: Option<IdentifyResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summarize: Option<SummarizeResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// Where the report came from. `time` is left out with `--reproducible`.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub command: Vec<String>,
    pub config: serde_json::Value,
    pub inputs: Vec<InputFile>,
    pub seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
        if self.classify.is_some() {
            "classify"
        } else if self.identify.is_some() {
            "identify"
        } else if self.summarize.is_some() {
            "summarize"
        } else {
            "verify"
        }
    }

    pub fn new(provenance: Provenance, accounting: Accounting) -> Report {
        Report {
            schema: SCHEMA,
            tool: Tool {
                name: "biasbench",
                version: env!("CARGO_PKG_VERSION"),
            },
            provenance,
            accounting,
            verify: None,
            classify: None,
            identify: None,
            summarize: None,
            bootstrap: None,
        }
    }
}
