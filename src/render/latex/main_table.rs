//! The main table a paper prints, one per attribute: groups as rows; for
//! each of the first two operating points the task's two error rates, each
//! with its interval as sub- and superscript, scaled by a power of ten per
//! column so that the digits line up; then the disparity summaries (STD,
//! max/geomean per rate, and the combined FDR, GARBE or SER across both).

use super::escape;
use crate::counts::table::{RateColumn, ViewAt, ViewResult};
use crate::report::{Findings, Report};
use crate::stats::disparity::Summary;
use crate::stats::rate::Rate;

/// The two error rates of each task's main table, with their headings.
fn rates(report: &Report) -> [(&'static str, &'static str); 2] {
    match &report.findings {
        Findings::Verify(_) => [("fmr", "FMR"), ("fnmr", "FNMR")],
        Findings::Identify(_) => [("fpir", "FPIR"), ("fnir", "FNIR")],
        _ => [("fpr", "FPR"), ("fnr", "FNR")],
    }
}

/// Operating points per main table.
const POLICIES: usize = 2;

/// The per-rate summaries shown, with their row labels and whether they
/// are in the rate's units (shown at its column's scale).
const PER_RATE: [(&str, &str, bool); 2] = [
    ("std", "STD", true),
    ("max_over_geomean", "max/geomean", false),
];

/// The summaries over both rates shown, with their row labels.
const COMBINED: [(&str, &str); 3] = [("fdr", "FDR"), ("garbe", "GARBE"), ("ser", "SER")];

/// The main tables of a report (summaries of published rates have none).
pub(super) fn tables(report: &Report) -> Vec<String> {
    let rates = rates(report);
    match &report.findings {
        Findings::Verify(v) => v.views.iter().filter_map(|w| table(w, rates)).collect(),
        Findings::Identify(i) => i.views.iter().filter_map(|w| table(w, rates)).collect(),
        Findings::Classify(c) => c.views.iter().filter_map(|w| table(w, rates)).collect(),
        Findings::Summarize(_) => Vec::new(),
    }
}

/// `x` scaled by 10^-k with three significant figures at most, as fixed digits.
fn fixed(x: f64, k: i32) -> String {
    let v = x / 10f64.powi(k);
    match v.abs() {
        a if a >= 100.0 => format!("{v:.0}"),
        a if a >= 10.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

/// The power of ten that puts the largest of `values` in [1, 10) (0 when
/// none is positive).
fn scale(values: impl Iterator<Item = f64>) -> i32 {
    let top = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    if top > 0.0 {
        top.log10().floor() as i32
    } else {
        0
    }
}

/// A rate as `value$_{low}^{high}$` at scale k, `--` when undefined.
fn cell(r: &Rate, k: i32) -> String {
    if !r.value.is_finite() {
        return "--".into();
    }
    match r.ci {
        Some(ci) => format!(
            "{}$_{{{}}}^{{{}}}$",
            fixed(r.value, k),
            fixed(ci.low, k),
            fixed(ci.high, k)
        ),
        None => fixed(r.value, k),
    }
}

/// A summary value at scale k, `--` when undefined.
fn summary(s: Option<&Summary>, k: i32) -> String {
    match s.map(|s| s.value) {
        Some(v) if v.is_finite() => fixed(v, k),
        _ => "--".into(),
    }
}

/// One column of the table: an operating point's rate, at its scale.
struct Column<'a> {
    rate: &'a RateColumn,
    heading: &'a str,
    k: i32,
}

/// The main table of a view (none for the pooled view or without rates).
fn table<C, X, F>(view: &ViewResult<C, X, F>, rates: [(&str, &str); 2]) -> Option<String> {
    if view.attribute.is_pooled() {
        return None;
    }
    let points: Vec<&ViewAt<X>> = view.operating_points.iter().take(POLICIES).collect();
    let columns: Vec<Vec<Column>> = points
        .iter()
        .map(|at| {
            rates
                .iter()
                .filter_map(|&(metric, heading)| {
                    let rate = at.rate(metric)?;
                    let k = scale(rate.by_group.iter().map(|r| r.value));
                    Some(Column { rate, heading, k })
                })
                .collect()
        })
        .collect();
    let n: usize = columns.iter().map(Vec::len).sum();
    if n == 0 {
        return None;
    }
    let attribute = view.attribute.name();
    let mut s = String::new();
    s.push_str("\\begin{table}[htbp]\n\\centering\\footnotesize\n");
    let interval = columns
        .iter()
        .flatten()
        .find_map(|c| c.rate.interval.clone())
        .map_or_else(String::new, |i| format!("; intervals: {i}"));
    s.push_str(&format!(
        "\\caption{{{} by {} (rates and STD in units of the power of ten in each heading; max/geomean and the combined summaries as they are{})}}\n",
        rates.map(|r| r.1).join(" and "),
        escape(&attribute),
        escape(&interval)
    ));
    s.push_str(&format!("\\label{{tab:biasbench-{}}}\n", label(&attribute)));
    s.push_str(&format!(
        "\\biasbenchfit{{\\begin{{tabular}}{{@{{}}l{}@{{}}}}\n\\toprule\n",
        "r".repeat(n)
    ));
    // Policies over their columns, then the rates with their scales.
    let mut top = vec![String::new()];
    let mut rules = Vec::new();
    let mut first = 2;
    for (at, cols) in points.iter().zip(&columns) {
        if cols.is_empty() {
            continue;
        }
        top.push(format!(
            "\\multicolumn{{{}}}{{c}}{{{}}}",
            cols.len(),
            escape(&at.policy)
        ));
        rules.push(format!(
            "\\cmidrule(lr){{{first}-{}}}",
            first + cols.len() - 1
        ));
        first += cols.len();
    }
    s.push_str(&(top.join(" & ") + " \\\\\n"));
    s.push_str(&(rules.concat() + "\n"));
    let mut head = vec![escape(&attribute)];
    head.extend(columns.iter().flatten().map(|c| match c.k {
        0 => c.heading.to_string(),
        k => format!("{} ($\\times10^{{{k}}}$)", c.heading),
    }));
    s.push_str(&(head.join(" & ") + " \\\\\n\\midrule\n"));
    for (g, info) in view.groups.iter().enumerate() {
        let mut row = vec![escape(&info.group)];
        row.extend(
            columns
                .iter()
                .flatten()
                .map(|c| cell(&c.rate.by_group[g], c.k)),
        );
        s.push_str(&(row.join(" & ") + " \\\\\n"));
    }
    s.push_str("\\midrule\n");
    for (id, name, in_units) in PER_RATE {
        let mut row = vec![name.to_string()];
        row.extend(columns.iter().flatten().map(|c| {
            let metric = format!("{}.{id}", c.rate.metric);
            let k = if in_units { c.k } else { 0 };
            summary(c.rate.summaries.iter().find(|x| x.metric == metric), k)
        }));
        s.push_str(&(row.join(" & ") + " \\\\\n"));
    }
    for (id, name) in COMBINED {
        let found: Vec<Option<&Summary>> = points
            .iter()
            .map(|at| at.combined.iter().find(|x| x.metric == id))
            .collect();
        if found.iter().all(Option::is_none) {
            continue;
        }
        let mut row = vec![name.to_string()];
        for (f, cols) in found.iter().zip(&columns).filter(|(_, c)| !c.is_empty()) {
            row.push(format!(
                "\\multicolumn{{{}}}{{c}}{{{}}}",
                cols.len(),
                summary(*f, 0)
            ));
        }
        s.push_str(&(row.join(" & ") + " \\\\\n"));
    }
    s.push_str("\\bottomrule\n\\end{tabular}}\n\\end{table}\n\n");
    Some(s)
}

/// A label's name: the attribute's letters and digits (case kept, as
/// LaTeX's labels are case-sensitive), any other character as `-`.
pub(super) fn label(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_line_up_at_their_scale() {
        assert_eq!(scale([0.0049, 0.022, f64::NAN].into_iter()), -2);
        assert_eq!(scale([0.0].into_iter()), 0);
        assert_eq!(fixed(0.022, -2), "2.20");
        assert_eq!(fixed(0.0049, -2), "0.49");
        assert_eq!(fixed(2.6, 0), "2.60");
        assert_eq!(fixed(123.4, 0), "123");
        assert_eq!(label("race+sex"), "race-sex");
    }
}
