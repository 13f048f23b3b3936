//! The findings table that opens every human-readable report, and the
//! one-row count of the rows read, used and dropped.

use super::TableModel;
use crate::input::Accounting;
use crate::render::number::brief;
use crate::report::findings::{Adequacy, Estimate, Finding, GroupRate, SIGNIFICANCE};
use crate::report::Report;

/// Groups with few errors named, at most (else counted).
const NAMED: usize = 2;

/// One row per finding, most severe first.
pub(crate) fn table(findings: &[Finding]) -> TableModel {
    let mut t = TableModel::new(
        format!("Findings, most severe first (ratios with simultaneous intervals; significant: Holm p < {SIGNIFICANCE}, worst or best vs reference; errors: groups with < 30)"),
        &[
            "where",
            "rate",
            "worst",
            "best",
            "worst/best",
            "max/geomean",
            "significant",
            "errors",
        ],
    );
    for f in findings {
        t.rows.push(vec![
            place(f),
            rate_label(&f.rate),
            group(&f.worst),
            group(&f.best),
            ratio(&f.ratio),
            ratio(&f.max_over_geomean),
            f.significance.as_ref().map_or_else(
                || "not tested".into(),
                |s| {
                    let yes = if s.significant { "yes" } else { "no" };
                    format!("{yes}, p {}", brief(s.p_holm))
                },
            ),
            errors(f),
        ]);
    }
    if t.rows.is_empty() {
        let mut row = vec!["no error rate has two groups with defined rates".to_string()];
        row.resize(t.header.len(), String::new());
        t.rows.push(row);
    }
    t
}

/// `race at global-fmr:1e-3`, or the attribute alone (published rates, or
/// classification without a cutoff: policy `none`).
pub(crate) fn place(f: &Finding) -> String {
    match f.policy.as_deref() {
        Some(p) if p != "none" => format!("{} at {p}", f.attribute),
        _ => f.attribute.clone(),
    }
}

/// `FNMR`, `FNIR (rank ≤ 1)` (metric `fnir`), `FNIR (rank ≤ 20)`, `error_rate`:
/// the labels of the rate tables.
pub(crate) fn rate_label(metric: &str) -> String {
    if metric == "fnir" {
        return "FNIR (rank ≤ 1)".into();
    }
    if let Some(r) = metric.strip_prefix("fnir@") {
        return format!("FNIR (rank ≤ {r})");
    }
    match metric {
        "false_admit" => return "false-admit rate".into(),
        "false_refusal" => return "false-refusal rate".into(),
        "bias" => return "mean signed error".into(),
        _ => {}
    }
    if metric.len() <= 4 && metric.chars().all(|c| c.is_ascii_lowercase()) {
        return metric.to_ascii_uppercase();
    }
    metric.to_string()
}

/// `B 0.052 [0.047, 0.058]`.
fn group(g: &GroupRate) -> String {
    format!(
        "{} {}",
        g.group,
        interval(g.rate.value, g.rate.low, g.rate.high)
    )
}

/// `2.5 [1.9, 3.3]`, `inf [12, inf]`, `undefined`.
fn ratio(r: &Estimate) -> String {
    if r.value.is_nan() {
        return "undefined".into();
    }
    interval(r.value, r.low, r.high)
}

fn interval(value: f64, low: f64, high: f64) -> String {
    if low.is_nan() || high.is_nan() {
        brief(value)
    } else {
        format!("{} [{}, {}]", brief(value), brief(low), brief(high))
    }
}

/// `ok`, `<30: A, B`, `<30 (some 0): 8 groups`, `unknown`.
fn errors(f: &Finding) -> String {
    let few = &f.few_errors;
    let named = if few.len() <= NAMED {
        few.join(", ")
    } else {
        format!("{} groups", few.len())
    };
    match f.adequacy {
        Adequacy::Adequate => "ok".into(),
        Adequacy::FewErrors => format!("<30: {named}"),
        Adequacy::ZeroErrors => format!("<30 (some 0): {named}"),
        Adequacy::Unknown => "unknown".into(),
        Adequacy::NotCounted => "n/a (a mean)".into(),
    }
}

/// Rows read, used and dropped, in one row (and those read over several
/// lines, when any).
pub(crate) fn rows(report: &Report) -> TableModel {
    accounting("Rows", &report.accounting)
}

/// The count of rows read, used and dropped, titled `title`.
pub(crate) fn accounting(title: &str, acc: &Accounting) -> TableModel {
    let mut t = TableModel::new(title, &["read", "used", "dropped"]);
    let dropped: u64 = acc.dropped.iter().map(|d| d.count).sum();
    t.rows.push(vec![
        acc.rows.to_string(),
        acc.used.to_string(),
        dropped.to_string(),
    ]);
    if let Some(m) = &acc.multiline {
        t.header.push("read over several lines".into());
        t.rows[0].push(format!("{} ({} lines)", m.rows, m.lines));
    }
    t
}
