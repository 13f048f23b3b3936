//! The main table a paper prints, one per attribute, narrow enough for a
//! single text column: the task's two error rates as columns, each with its
//! interval as sub- and superscript and in units of one power of ten so
//! that the digits line up; a block per operating point (the first two):
//! its groups, then the disparity summaries (STD and max/geomean per rate,
//! the combined FDR, GARBE or SER across both).

use super::escape;
use crate::counts::table::{RateColumn, ViewAt, ViewResult};
use crate::engine::estimate::AgeView;
use crate::report::{Findings, Report};
use crate::stats::disparity::Summary;
use crate::stats::mean::MeanStat;
use crate::stats::rate::Rate;

/// The two error rates of each task's main table, with their headings.
fn rates(report: &Report) -> [(&'static str, &'static str); 2] {
    match &report.findings {
        Findings::Verify(_) => [("fmr", "FMR"), ("fnmr", "FNMR")],
        Findings::Identify(_) => [("fpir", "FPIR"), ("fnir", "FNIR")],
        Findings::Estimate(_) => [
            ("false_admit", "false admit"),
            ("false_refusal", "false refusal"),
        ],
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
        Findings::Estimate(e) => e
            .views
            .iter()
            .flat_map(|w| [errors_table(w), table(w, rates)])
            .flatten()
            .collect(),
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

/// The rate column `metric` of an operating point that has it.
fn column<'a, X>(at: &'a ViewAt<X>, metric: &str) -> &'a RateColumn {
    at.rate(metric)
        .expect("operating points without the rate are left out")
}

/// The main table of a view (none for the pooled view or without rates):
/// three columns (group and the two rates, each at one power of ten over
/// the operating points) so that it fits a single text column; a block of
/// rows per operating point, its summaries under its groups.
fn table<C, X, F>(view: &ViewResult<C, X, F>, rates: [(&str, &str); 2]) -> Option<String> {
    if view.attribute.is_pooled() {
        return None;
    }
    let points: Vec<&ViewAt<X>> = (view.operating_points.iter())
        .filter(|at| rates.iter().all(|r| at.rate(r.0).is_some()))
        .take(POLICIES)
        .collect();
    if points.is_empty() {
        return None;
    }
    let attribute = view.attribute.name();
    let interval = (points.iter())
        .find_map(|at| column(at, rates[0].0).interval.clone())
        .map_or_else(String::new, |i| format!(" Intervals: {i}."));
    let mut s = String::from("\\begin{table}[htbp]\n\\centering\\footnotesize\n");
    s.push_str(&format!(
        "\\caption{{{} and {} by {}: rates and STD in units of the power of ten beside each operating point, the interval as sub- and superscript.{}}}\n",
        rates[0].1,
        rates[1].1,
        escape(&attribute),
        escape(&interval)
    ));
    s.push_str(&format!("\\label{{tab:biasbench-{}}}\n", label(&attribute)));
    s.push_str("\\begin{tabular}{@{}lrr@{}}\n\\toprule\n");
    s.push_str(&format!(
        "{} & {} & {} \\\\\n",
        escape(&attribute),
        rates[0].1,
        rates[1].1
    ));
    for at in &points {
        let cols = [column(at, rates[0].0), column(at, rates[1].0)];
        let scales = cols.map(|c| scale(c.by_group.iter().map(|r| r.value)));
        let unit = |k: usize| match scales[k] {
            0 => String::new(),
            e => format!("$\\times10^{{{e}}}$"),
        };
        s.push_str(&format!(
            "\\midrule\n\\emph{{{}}} & {} & {} \\\\\n",
            escape(&at.policy),
            unit(0),
            unit(1)
        ));
        for (g, info) in view.groups.iter().enumerate() {
            s.push_str(&format!(
                "{} & {} & {} \\\\\n",
                escape(&info.group),
                cell(&cols[0].by_group[g], scales[0]),
                cell(&cols[1].by_group[g], scales[1])
            ));
        }
        s.push_str("\\addlinespace\n");
        for (id, name, in_units) in PER_RATE {
            let value = |k: usize| {
                let metric = format!("{}.{id}", cols[k].metric);
                let scale = if in_units { scales[k] } else { 0 };
                summary(cols[k].summaries.iter().find(|x| x.metric == metric), scale)
            };
            s.push_str(&format!("{name} & {} & {} \\\\\n", value(0), value(1)));
        }
        for (id, name) in COMBINED {
            if let Some(x) = at.combined.iter().find(|x| x.metric == id) {
                s.push_str(&format!(
                    "{name} & \\multicolumn{{2}}{{c}}{{{}}} \\\\\n",
                    summary(Some(x), 0)
                ));
            }
        }
    }
    s.push_str("\\bottomrule\n\\end{tabular}\n\\end{table}\n\n");
    Some(s)
}

/// A mean error in years as `value$_{low}^{high}$`, `--` when undefined.
fn mean_cell(m: &MeanStat) -> String {
    if !m.value.is_finite() {
        return "--".into();
    }
    match m.interval() {
        Some((lo, hi)) => format!(
            "{}$_{{{}}}^{{{}}}$",
            fixed(m.value, 0),
            fixed(lo, 0),
            fixed(hi, 0)
        ),
        None => fixed(m.value, 0),
    }
}

/// The age-estimation table of a view (none for the pooled view): MAE and
/// mean signed error in years per group with their intervals, then their
/// summaries over the groups.
fn errors_table(view: &AgeView) -> Option<String> {
    if view.attribute.is_pooled() {
        return None;
    }
    let attribute = view.attribute.name();
    let label = view
        .groups
        .first()
        .and_then(|g| g.counts.error("mae"))
        .filter(|m| m.interval().is_some())
        .map_or_else(String::new, |_| {
            " Intervals: t, cluster-robust by subject when subjects are given.".into()
        });
    let mut s = String::from("\\begin{table}[htbp]\n\\centering\\footnotesize\n");
    s.push_str(&format!(
        "\\caption{{Age-estimation error by {} in years: mean absolute error (MAE) and mean signed error (bias, positive when estimates are too old), the interval as sub- and superscript.{}}}\n",
        escape(&attribute),
        escape(&label)
    ));
    s.push_str(&format!(
        "\\label{{tab:biasbench-{}-errors}}\n",
        self::label(&attribute)
    ));
    s.push_str("\\begin{tabular}{@{}lrr@{}}\n\\toprule\n");
    s.push_str(&format!(
        "{} & MAE & bias \\\\\n\\midrule\n",
        escape(&attribute)
    ));
    for info in &view.groups {
        let c = &info.counts;
        let of = |m: &str| c.error(m).map_or_else(|| "--".into(), mean_cell);
        s.push_str(&format!(
            "{} & {} & {} \\\\\n",
            escape(&info.group),
            of("mae"),
            of("bias")
        ));
    }
    s.push_str("\\addlinespace\n");
    let sum = |m: &str| summary(view.free.summaries.iter().find(|x| x.metric == m), 0);
    s.push_str(&format!(
        "max$-$min & {} & {} \\\\\nmax/min & {} & \\\\\nSTD & {} & {} \\\\\n",
        sum("mae.max_minus_min"),
        sum("bias.max_minus_min"),
        sum("mae.max_over_min"),
        sum("mae.std"),
        sum("bias.std")
    ));
    s.push_str("\\bottomrule\n\\end{tabular}\n\\end{table}\n\n");
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
