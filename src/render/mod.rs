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

/// `text` for a terminal: every control character but the line breaks shown
/// escaped (`\u{1b}`), so that no label in a message can drive the terminal.
pub fn for_terminal(text: &str) -> String {
    text.split('\n')
        .map(number::displayable)
        .collect::<Vec<_>>()
        .join("\n")
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
        Format::Table => text::terminal(&tables::tables(report)),
        Format::Markdown => text::markdown(&tables::tables(report)),
        Format::Html => {
            let t = tables::tables(report);
            // The alarms' table goes above the summary.
            let (lead, rest) = t.split_at(usize::from(!report.alarms.is_empty()));
            html::page(
                &format!("biasbench {} report", report.task()),
                lead,
                &prose::summary(report),
                &svg::figures(report),
                rest,
            )
        }
        Format::Latex => latex::document(&tables::tables(report)),
    }
}
