//! Layer 8, renderers: pure functions from a [`Report`] to text (terminal
//! tables, JSON, tidy CSV, Markdown, LaTeX, HTML) and SVG figures. Renderers
//! only lay out what the model holds; they never compute a metric.

mod age_figures;
pub(crate) mod html;
mod junit;
pub(crate) mod latex;
pub(crate) mod number;
mod paired_figures;
mod plot;
pub(crate) mod prose;
pub(crate) mod svg;
pub(crate) mod tables;
pub(crate) mod text;
pub(crate) mod tidy;

use crate::groups::Attribute;
use crate::report::{Findings, Report};
use serde::Serialize;

pub use junit::junit;

/// A compilable LaTeX document around the fragment `<stem>.tex` beside it.
pub fn latex_standalone(stem: &str) -> String {
    latex::standalone(stem)
}

/// The headline figures as pgfplots code: `(<name>, code)`, each written
/// as `<stem>-<name>.tikz` (the LaTeX fragment embeds them too).
pub fn latex_figures(report: &Report) -> Vec<(String, String)> {
    latex::pgfplots::figures(report)
        .into_iter()
        .map(|f| (f.name, f.code))
        .collect()
}

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

/// The release gate's verdict table alone, as the terminal shows it (empty
/// when no gate was judged).
pub fn gate_table(report: &Report) -> String {
    let t: Vec<_> = tables::tables(report, Detail::Concise)
        .into_iter()
        .take(usize::from(report.gate.is_some()))
        .collect();
    text::terminal(&t)
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
        Format::Html => page(report),
        Format::Latex => latex::document(report, &full(), tables::lead_count(report)),
    }
}

/// The attributes of the report's views, in view order.
fn attributes(report: &Report) -> Vec<&Attribute> {
    match &report.findings {
        Findings::Verify(v) => v.views.iter().map(|w| &w.attribute).collect(),
        Findings::Identify(i) => i.views.iter().map(|w| &w.attribute).collect(),
        Findings::Classify(c) => c.views.iter().map(|w| &w.attribute).collect(),
        Findings::Estimate(e) => e.views.iter().map(|w| &w.attribute).collect(),
        Findings::Summarize(_) => Vec::new(),
    }
}

/// The attribute (index into `names`) a table of the table model belongs
/// to, read from its title (`Groups by race`, `Searches by race`, `race at
/// …`, `race: …`); the longest name wins, so `race+sex` is not `race`.
fn part_of(title: &str, names: &[String]) -> Option<usize> {
    names
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            title == format!("Groups by {a}")
                || title == format!("Searches by {a}")
                || title.starts_with(&format!("{a} at "))
                || title.starts_with(&format!("{a}: "))
        })
        .max_by_key(|(_, a)| a.len())
        .map(|(k, _)| k)
}

/// The HTML page: the gate's verdicts, the cautions, the findings and the rows first, then per
/// attribute its tables and figures (numbered in the order the figures are
/// written, as in LaTeX), then the remaining tables (set-up, provenance, notes).
fn page(report: &Report) -> String {
    let t = tables::tables(report, Detail::Full);
    let lead_tables = tables::lead_count(report);
    let (lead, rest) = t.split_at(lead_tables + 2);
    let figures = svg::figures(report);
    let mut names: Vec<String> = attributes(report).iter().map(|a| a.name()).collect();
    let mut parts: Vec<html::Part<'_>> = attributes(report)
        .iter()
        .map(|a| html::Part {
            heading: if a.is_pooled() {
                "All groups pooled (*)".to_string()
            } else {
                format!("By {a}")
            },
            tables: Vec::new(),
            figures: Vec::new(),
        })
        .collect();
    let mut others = Vec::new();
    for table in rest {
        match part_of(&table.title, &names) {
            Some(k) => parts[k].tables.push(table),
            None => others.push(table),
        }
    }
    for (k, f) in figures.iter().enumerate() {
        let p = names
            .iter()
            .position(|n| *n == f.attribute)
            .unwrap_or_else(|| {
                names.push(f.attribute.clone());
                parts.push(html::Part {
                    heading: format!("By {}", f.attribute),
                    tables: Vec::new(),
                    figures: Vec::new(),
                });
                parts.len() - 1
            });
        parts[p].figures.push((k + 1, f));
    }
    let title = match &report.paired {
        Some(p) => format!(
            "biasbench {} report: {} against {}",
            report.task(),
            p.names[1],
            p.names[0]
        ),
        None => format!("biasbench {} report", report.task()),
    };
    html::page(&title, lead, &prose::summary(report), &parts, &others)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_go_to_the_attribute_their_title_names() {
        let names = ["*", "race", "race+sex"].map(String::from);
        let part = |t: &str| part_of(t, &names);
        assert_eq!(part("Groups by race"), Some(1));
        assert_eq!(part("Searches by race+sex"), Some(2));
        assert_eq!(part("race+sex at fixed:3, threshold 3.000 (…)"), Some(2));
        assert_eq!(part("race at fixed:3 (…)"), Some(1));
        assert_eq!(part("race: tests of difference"), Some(1));
        assert_eq!(part("*: threshold-free"), Some(0));
        assert_eq!(part("Provenance"), None);
        assert_eq!(part("racecar at x"), None);
    }
}
