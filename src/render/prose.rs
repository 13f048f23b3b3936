//! Plain sentences for the top of a page, from the report's findings: how
//! many differences are significant, then the most severe credible ones.

use super::number::{brief, short};
use super::tables::findings::{place, rate_label};
use crate::report::findings::{Adequacy, Finding};
use crate::report::Report;

/// Findings told in sentences, at most.
const TOLD: usize = 5;

/// The sentences, most severe first.
pub(crate) fn summary(report: &Report) -> Vec<String> {
    let f = &report.headline;
    if f.is_empty() {
        return Vec::new();
    }
    let significant = f
        .iter()
        .filter(|x| x.significance.as_ref().is_some_and(|s| s.significant))
        .count();
    let few = f
        .iter()
        .filter(|x| matches!(x.adequacy, Adequacy::FewErrors | Adequacy::ZeroErrors))
        .count();
    let mut out = vec![format!(
        "{significant} of {} differences between the worst and the best group are significant after Holm's correction; {few} rest on groups with fewer than 30 errors.",
        f.len()
    )];
    // A ratio whose interval reaches 1 is no credible disparity.
    out.extend(
        f.iter()
            .filter(|x| x.ratio.low > 1.0)
            .take(TOLD)
            .map(|x| sentence(report, x)),
    );
    out
}

/// "By race at fixed:0.5, FMR is highest for B (…) and lowest for A (…): 3.2 times [2.1, 4.9]."
fn sentence(report: &Report, f: &Finding) -> String {
    let range = |v: f64, lo: f64, hi: f64| format!("{} [{}, {}]", brief(v), brief(lo), brief(hi));
    let g = |g: &crate::report::findings::GroupRate| {
        let r = &g.rate;
        if r.low.is_nan() {
            format!("{} ({})", g.group, brief(r.value))
        } else {
            format!("{} ({})", g.group, range(r.value, r.low, r.high))
        }
    };
    let test = f.significance.as_ref().map_or_else(String::new, |s| {
        format!(
            "; {} vs {}: Holm p {}",
            s.group,
            s.reference,
            brief(s.p_holm)
        )
    });
    format!(
        "By {}, {} is highest for {} and lowest for {}: {} times{test}{}.",
        place(f),
        rate_label(&f.rate),
        g(&f.worst),
        g(&f.best),
        range(f.ratio.value, f.ratio.low, f.ratio.high),
        boot(report, f).unwrap_or_default()
    )
}

/// The bootstrap interval of the finding's max/geomean, when one was run.
fn boot(report: &Report, f: &Finding) -> Option<String> {
    let b = report.bootstrap.as_ref()?;
    let metric = format!("{}.max_over_geomean", f.rate);
    let i = b.intervals.iter().find(|i| {
        i.key.attribute.to_string() == f.attribute
            && Some(&i.key.policy) == f.policy.as_ref()
            && i.key.metric == metric
            && i.key.group.is_empty()
    })?;
    Some(format!(
        " (max/geomean {}, bootstrap {}%: {} to {})",
        short(f.max_over_geomean.value),
        b.level * 100.0,
        short(i.low),
        short(i.high)
    ))
}
