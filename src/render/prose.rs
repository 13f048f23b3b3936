//! Plain sentences for the top of a page: the largest disparities and where
//! they come from (values already in the report).

use super::number::short;
use super::tables::rate_cell;
use crate::counts::table::{ViewAt, ViewResult};
use crate::report::{Findings, Report};

/// The sentences, in report order.
pub(crate) fn summary(report: &Report) -> Vec<String> {
    let boot = |view: &str, policy: &str, metric: &str| {
        report.bootstrap.as_ref().and_then(|b| {
            b.intervals
                .iter()
                .find(|i| {
                    i.key.attribute.to_string() == view
                        && i.key.policy == policy
                        && i.key.metric == metric
                        && i.key.group.is_empty()
                })
                .map(|i| {
                    format!(
                        " (bootstrap {}%: {} to {})",
                        b.level * 100.0,
                        short(i.low),
                        short(i.high)
                    )
                })
        })
    };
    let mut out = Vec::new();
    match &report.findings {
        Findings::Verify(v) => {
            for view in v.views.iter().filter(|w| !w.attribute.is_pooled()) {
                for at in view.operating_points.iter().take(2) {
                    for (rate, label) in [("fmr", "FMR"), ("fnmr", "FNMR")] {
                        out.extend(worst(view, at, rate, label, &boot));
                    }
                }
            }
        }
        Findings::Identify(i) => {
            for view in i.views.iter().filter(|w| !w.attribute.is_pooled()) {
                for at in &view.operating_points {
                    out.extend(worst(view, at, "fpir", "FPIR", &boot));
                }
            }
        }
        Findings::Classify(c) => {
            for view in c.views.iter().filter(|w| !w.attribute.is_pooled()) {
                for at in &view.operating_points {
                    for m in ["fpr", "fnr", "selection_rate"] {
                        if let Some(x) = summary_value(at, &format!("{m}.max_over_min")) {
                            out.push(format!(
                                "By {}: the largest {m} is {} times the smallest.",
                                view.attribute,
                                short(x)
                            ));
                        }
                    }
                }
            }
        }
        Findings::Summarize(_) => {}
    }
    out
}

fn summary_value<X>(at: &ViewAt<X>, metric: &str) -> Option<f64> {
    at.summaries().find(|s| s.metric == metric).map(|s| s.value)
}

/// "By race at fixed:0.5: FMR is highest for B (…), 3.2 times the geometric mean of the groups."
fn worst<C, X, F>(
    view: &ViewResult<C, X, F>,
    at: &ViewAt<X>,
    rate: &str,
    label: &str,
    boot: &dyn Fn(&str, &str, &str) -> Option<String>,
) -> Option<String> {
    let col = at.rate(rate)?;
    let (g, r) = col
        .by_group
        .iter()
        .enumerate()
        .filter(|(_, r)| r.value.is_finite())
        .max_by(|a, b| a.1.value.total_cmp(&b.1.value))?;
    let metric = format!("{rate}.max_over_geomean");
    let x = summary_value(at, &metric)?;
    let name = view.attribute.to_string();
    Some(format!(
        "By {name} at {}: {label} is highest for {} ({}), {} times the geometric mean of the groups{}.",
        at.policy,
        view.groups[g].group,
        rate_cell(r),
        short(x),
        boot(&name, &at.policy, &metric).unwrap_or_default()
    ))
}
