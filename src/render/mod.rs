//! Layer 8, renderers: pure functions from a [`Report`] to text (terminal
//! tables, JSON, tidy CSV, Markdown, LaTeX, HTML) and SVG figures. Renderers
//! only lay out what the model holds; they never compute a metric.

pub(crate) mod html;
pub(crate) mod latex;
pub(crate) mod number;
mod plot;
pub(crate) mod prose;
pub(crate) mod svg;
pub(crate) mod tables;
pub(crate) mod text;
pub(crate) mod tidy;

use crate::report::Report;
use serde::Serialize;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Terminal tables.
    Table,
    /// The report as JSON (schema [`crate::report::SCHEMA`]).
    Json,
    /// The tidy CSV contract.
    Csv,
    /// Markdown tables.
    Markdown,
    /// One self-contained page with the figures inline.
    Html,
    /// booktabs tables.
    Latex,
}

impl Format {
    /// Every format, in the order written to a directory.
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

/// How much the terminal report shows (the other formats show everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// Findings, rows, the per-group rate tables and the notes.
    #[default]
    Concise,
    /// Everything: operating points, groups, summaries, tests, the
    /// bootstrap, provenance, inputs and the full row accounting.
    Full,
}

/// The line that ends a concise terminal report.
const CONCISE_END: &str = "Operating points, group sizes, disparity summaries, tests, provenance and the full row accounting: --detail full (and every other format).\n";

/// `text` for a terminal: every control character but the line breaks shown
/// escaped (`\u{1b}`), so that no label in a message can drive the terminal.
pub fn for_terminal(text: &str) -> String {
    text.split('\n')
        .map(number::displayable)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the report in a format; the terminal report concise.
pub fn render(report: &Report, format: Format) -> String {
    render_detail(report, format, Detail::Concise)
}

/// Renders the report in a format, the terminal report with `detail`.
pub fn render_detail(report: &Report, format: Format, detail: Detail) -> String {
    let full = || tables::tables(report, Detail::Full);
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).expect("report serialises");
            s.push('\n');
            s
        }
        Format::Csv => tidy::to_csv(&tidy::rows(report)),
        Format::Table => {
            let mut s = text::terminal(&tables::tables(report, detail));
            if detail == Detail::Concise {
                s.push_str(CONCISE_END);
            }
            s
        }
        Format::Markdown => text::markdown(&full()),
        Format::Html => {
            let t = full();
            // The alarms, the findings and the rows go above the summary.
            let lead = usize::from(tables::has_alarms(report)) + 2;
            let (lead, rest) = t.split_at(lead);
            html::page(
                &format!("biasbench {} report", report.task()),
                lead,
                &prose::summary(report),
                &svg::figures(report),
                rest,
            )
        }
        Format::Latex => latex::document(&full()),
    }
}
