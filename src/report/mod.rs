//! The report model and its renderers. Renderers only lay out what the
//! model holds; they never compute a metric.

pub mod format;
pub mod html;
pub mod latex;
pub mod layout;
pub mod tidy;

use crate::bootstrap::BootstrapResult;
use crate::classification::ClassifyResult;
use crate::identification::IdentifyResult;
use crate::input::{Accounting, InputFile};
use crate::summarize::SummarizeResult;
use crate::verification::VerifyResult;
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

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Terminal tables.
    Table,
    Json,
    /// The tidy CSV contract.
    Csv,
    Markdown,
    /// One self-contained page with the figures inline.
    Html,
    /// booktabs tables.
    Latex,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Table,
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Html,
        Format::Latex,
    ];

    /// File extension used when writing every format into a directory.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Latex => "tex",
        }
    }
}

/// Renders the report in a format.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("report serialises");
            s.push('\n');
            s
        }
        Format::Csv => tidy::to_csv(&tidy::rows(report)),
        Format::Table => layout::terminal(&layout::tables(report)),
        Format::Markdown => layout::markdown(&layout::tables(report)),
        Format::Html => html::page(
            &format!("biasbench {} report", report.task()),
            &layout::summary(report),
            &crate::plot::figures(report),
            &layout::tables(report),
        ),
        Format::Latex => latex::document(&layout::tables(report)),
    }
}

/// Writes every format as `<stem>.<ext>` and every figure as `<name>.svg` into `dir`.
pub fn write_all(report: &Report, dir: &std::path::Path, stem: &str) -> crate::error::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| crate::error::Error::io(dir, e))?;
    for f in Format::ALL {
        crate::output::write_atomic(
            &dir.join(format!("{stem}.{}", f.extension())),
            render(report, f).as_bytes(),
        )?;
    }
    for fig in crate::plot::figures(report) {
        crate::output::write_atomic(&dir.join(format!("{}.svg", fig.name)), fig.svg.as_bytes())?;
    }
    Ok(())
}
