//! Layer 7, the report model: neutral data that every renderer reads. It
//! serialises to JSON (`biasbench.report/v2`) and reads back from it.

use crate::bootstrap::BootstrapResult;
use crate::engine::classify::ClassifyResult;
use crate::engine::estimate::EstimateResult;
use crate::engine::identify::IdentifyResult;
use crate::engine::summarize::SummarizeResult;
use crate::engine::verify::VerifyResult;
use crate::input::{Accounting, InputFile};
use crate::value::{Flatten, Value};
use serde::{Deserialize, Serialize};

pub mod findings;
pub mod gate;
pub mod paired;

/// JSON schema id of [`Report`].
pub const SCHEMA: &str = "biasbench.report/v2";

/// Everything an audit found, with its provenance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The schema id, [`SCHEMA`].
    pub schema: String,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// The largest disparity of every error rate, most severe first (JSON
    /// `findings`; empty in a report written before they were added).
    #[serde(rename = "findings", default)]
    pub headline: Vec<findings::Finding>,
    /// Where the report came from.
    pub provenance: Provenance,
    /// What happened to every input row.
    pub accounting: Accounting,
    /// Problems with the whole audit, shown before anything else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarms: Vec<Alarm>,
    /// The task's results, under the task's name (`"verify": {…}`).
    #[serde(flatten)]
    pub findings: Findings,
    /// The bootstrap section, when one was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapResult>,
    /// The release gate's verdicts (`biasbench check`), when gates were judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<gate::Verdicts>,
    /// The paired comparison with a baseline model (`biasbench compare`):
    /// the findings above are then model B's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paired: Option<paired::Paired>,
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
    /// An age-estimation audit.
    Estimate(EstimateResult),
    /// A summary of published rates.
    Summarize(SummarizeResult),
}

impl Findings {
    /// The task id of the tidy CSV (`verify`, `identify`, `classify`, `estimate`, `summarize`).
    pub fn task(&self) -> &'static str {
        match self {
            Findings::Verify(_) => "verify",
            Findings::Identify(_) => "identify",
            Findings::Classify(_) => "classify",
            Findings::Estimate(_) => "estimate",
            Findings::Summarize(_) => "summarize",
        }
    }
}

impl Findings {
    /// The engine's notes for the reader.
    pub fn notes(&self) -> &[String] {
        match self {
            Findings::Verify(r) => &r.notes,
            Findings::Identify(r) => &r.notes,
            Findings::Classify(r) => &r.notes,
            Findings::Estimate(r) => &r.notes,
            Findings::Summarize(r) => &r.notes,
        }
    }
}

impl Flatten for Findings {
    fn flatten(&self, out: &mut Vec<Value>) {
        match self {
            Findings::Verify(r) => r.flatten(out),
            Findings::Identify(r) => r.flatten(out),
            Findings::Classify(r) => r.flatten(out),
            Findings::Estimate(r) => r.flatten(out),
            Findings::Summarize(r) => r.flatten(out),
        }
    }
}

/// A kind of comparison, search or item that no group has, so that half of
/// the audit is undefined everywhere: said on standard error before
/// anything else and at the top of every human-readable report, with the
/// likely fix. (An audit of one kind alone, such as FMR only, is legitimate.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alarm {
    /// No mated comparison (1:1).
    NoMated,
    /// No non-mated comparison (1:1).
    NoNonMated,
    /// No mated search (1:N).
    NoMatedSearches,
    /// No non-mated search (1:N).
    NoNonMatedSearches,
    /// No truly positive item (binary classification).
    NoPositives,
    /// No truly negative item (binary classification).
    NoNegatives,
}

impl Alarm {
    /// The alarms of `findings`, from the counts of the pooled view (every
    /// used row): a kind that no group has.
    fn of(findings: &Findings) -> Vec<Alarm> {
        fn pooled<C, X, F>(
            views: &[crate::counts::table::ViewResult<C, X, F>],
        ) -> impl Iterator<Item = &C> {
            views
                .iter()
                .filter(|v| v.attribute.is_pooled())
                .flat_map(|v| v.groups.iter().map(|g| &g.counts))
        }
        let (a, b): (u64, u64) = match findings {
            Findings::Verify(r) => {
                pooled(&r.views).fold((0, 0), |(m, n), c| (m + c.mated, n + c.nonmated))
            }
            Findings::Identify(r) => pooled(&r.views).fold((0, 0), |(m, n), c| {
                (m + c.mated_searches, n + c.nonmated_searches)
            }),
            Findings::Classify(r) => {
                let cells: Vec<_> = pooled(&r.views).filter_map(|c| c.cells).collect();
                if cells.is_empty() {
                    // Multiclass: no positives to miss.
                    return Vec::new();
                }
                cells.iter().fold((0, 0), |(p, n), c| {
                    (p + c.positives().rows, n + c.negatives().rows)
                })
            }
            Findings::Estimate(_) | Findings::Summarize(_) => return Vec::new(),
        };
        let (no_a, no_b) = match findings {
            Findings::Verify(_) => (Alarm::NoMated, Alarm::NoNonMated),
            Findings::Identify(_) => (Alarm::NoMatedSearches, Alarm::NoNonMatedSearches),
            _ => (Alarm::NoPositives, Alarm::NoNegatives),
        };
        [(a, no_a), (b, no_b)]
            .into_iter()
            .filter(|&(n, _)| n == 0)
            .map(|(_, alarm)| alarm)
            .collect()
    }
}

impl std::fmt::Display for Alarm {
    /// What is undefined everywhere, and the likely fix.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Alarm::NoMated => "no group has a mated comparison: FNMR, TMR, EER, AUC and d' are undefined everywhere and only FMR is audited. If the file holds mated pairs, name its mated-flag column (--mated COLUMN), or check the subject id columns that decide them (--subject-a, --subject-b, --id-sep)",
            Alarm::NoNonMated => "no group has a non-mated comparison: FMR, EER, AUC, d' and every FMR-target threshold are undefined everywhere and only FNMR is audited. If the file holds non-mated pairs, check the mated-flag column (--mated COLUMN) or the subject id columns (--subject-a, --subject-b, --id-sep)",
            Alarm::NoMatedSearches => "no group has a mated search: FNIR and the rank hit rates are undefined everywhere and only FPIR is audited. If the probes' mates are enrolled, check the mated column (--mated) or the searches' subject ids",
            Alarm::NoNonMatedSearches => "no group has a non-mated search: FPIR and every FPIR-target threshold are undefined everywhere and only FNIR is audited. If some probes have no enrolled mate, check the mated column (--mated) or the searches' subject ids",
            Alarm::NoPositives => "no item is truly positive: TPR, FNR, equal opportunity, F1 and AUC are undefined everywhere. Check the true-label column (--y-true) and which labels count positive (--true-positive)",
            Alarm::NoNegatives => "no item is truly negative: FPR, TNR, equalized odds and AUC are undefined everywhere. Check the true-label column (--y-true) and which labels count positive (--true-positive)",
        })
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
    /// Reads a JSON report biasbench wrote (a baseline for a release gate).
    pub fn read(path: &std::path::Path) -> crate::error::Result<Report> {
        let bytes = std::fs::read(path).map_err(|e| crate::error::Error::io(path, e))?;
        let report: Report = serde_json::from_slice(&bytes).map_err(|e| {
            crate::error::Error::data(
                path.display().to_string(),
                format!("not a biasbench JSON report: {e}"),
            )
        })?;
        if report.schema != SCHEMA {
            return Err(crate::error::Error::data(
                path.display().to_string(),
                format!(
                    "a report of schema {:?}; this biasbench reads {SCHEMA:?}",
                    report.schema
                ),
            ));
        }
        Ok(report)
    }

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
            headline: findings::of(&findings),
            provenance,
            accounting,
            alarms: Alarm::of(&findings),
            findings,
            bootstrap: None,
            gate: None,
            paired: None,
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

    /// The age-estimation results, if this is an `estimate` report.
    pub fn estimate(&self) -> Option<&EstimateResult> {
        match &self.findings {
            Findings::Estimate(r) => Some(r),
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
