//! One table model for the human-readable formats (terminal, Markdown,
//! LaTeX, HTML): each task says which columns it shows; the per-group rate
//! tables, summaries, tests and cautions of every task are laid out by the
//! same functions over [`crate::counts::table`]'s model.

mod classify;
mod estimate;
pub(crate) mod findings;
mod gate;
mod identify;
mod meta;
pub(crate) mod paired;
mod verify;

use super::number::short;
use super::Detail;
use crate::counts::table::{GroupInfo, ViewAt, ViewResult};
use crate::counts::threshold::OperatingPoint;
use crate::groups::Reference;
use crate::math::interval::CiMethod;
use crate::report::{Findings, Report};
use crate::stats::disparity::Summary;
use crate::stats::rate::Rate;

/// A titled table of text cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableModel {
    pub(crate) title: String,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl TableModel {
    fn new(title: impl Into<String>, header: &[&str]) -> Self {
        TableModel {
            title: title.into(),
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// `0.01234 [0.0100, 0.0150]`, `0 [≤ 0.002996]`, `undefined (0 trials)`;
/// ` ‡` marks an error rate with fewer than 30 errors.
pub(crate) fn rate_cell(r: &Rate) -> String {
    let mark = if r.adequacy.as_ref().is_some_and(|a| a.few_errors) {
        " ‡"
    } else {
        ""
    };
    format!("{}{mark}", interval_cell(r))
}

fn interval_cell(r: &Rate) -> String {
    match (&r.reason, r.ci) {
        (Some(why), _) => format!("undefined ({why})"),
        (None, Some(ci)) => match ci.method {
            CiMethod::Wilson | CiMethod::ClopperPearson | CiMethod::Jeffreys => {
                format!("{} [{}, {}]", short(r.value), short(ci.low), short(ci.high))
            }
            CiMethod::OneSidedUpperZeroEvents => {
                format!("{} [≤ {}]", short(r.value), short(ci.high))
            }
            CiMethod::OneSidedLowerAllEvents => format!("{} [≥ {}]", short(r.value), short(ci.low)),
        },
        (None, None) => short(r.value),
    }
}

/// A summary's value with its simultaneous interval, when it has one.
pub(crate) fn summary_cell(s: &Summary) -> String {
    match s.interval.as_ref().and_then(|i| i.bounds()) {
        Some((lo, hi)) => format!("{} [{}, {}]", short(s.value), short(lo), short(hi)),
        None => short(s.value),
    }
}

/// ` (intervals: simultaneous (Bonferroni box …))` after a summary table's
/// title, from the first summary with an interval.
pub(crate) fn summary_interval_label<'s>(s: impl IntoIterator<Item = &'s Summary>) -> String {
    s.into_iter()
        .find_map(|x| x.interval.as_ref())
        .map_or_else(String::new, |i| format!(" (intervals: {})", i.method))
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), short)
}

/// The tables of a report, in reading order: the release gate's verdicts,
/// when judged, the alarms, when any, the findings, the count of rows, then the task's tables; in full, the
/// bootstrap, provenance, inputs and row accounting last. Concise: the
/// per-group rate tables and the notes only.
pub(crate) fn tables(report: &Report, detail: Detail) -> Vec<TableModel> {
    let full = detail == Detail::Full;
    let mut out: Vec<TableModel> = gate::table(&report.gate).into_iter().collect();
    out.extend(paired::lead(&report.paired));
    out.extend(meta::alarms(report));
    out.push(findings::table(&report.headline));
    out.push(findings::rows(report));
    match &report.findings {
        Findings::Verify(v) => verify::tables(v, full, &mut out),
        Findings::Identify(i) => identify::tables(i, full, &mut out),
        Findings::Classify(c) => classify::tables(c, full, &mut out),
        Findings::Estimate(e) => estimate::tables(e, full, &mut out),
        Findings::Summarize(s) => meta::summarize(s, &mut out),
    }
    if full {
        out.extend(paired::rest(&report.paired));
        if let Some(b) = &report.bootstrap {
            meta::bootstrap(b, &mut out);
        }
        out.extend(meta::provenance(report));
    }
    out
}

/// The titles of the provenance tables (LaTeX has the provenance as comments).
pub(crate) const PROVENANCE_TABLES: [&str; 2] = [meta::PROVENANCE, meta::INPUTS];

/// How many tables open the report before the findings: the gate's, the
/// paired comparison's and the alarms'.
pub(crate) fn lead_count(report: &Report) -> usize {
    usize::from(report.gate.is_some())
        + paired::lead(&report.paired).len()
        + usize::from(has_alarms(report))
}

/// Whether the report opens with the alarms' table.
pub(crate) fn has_alarms(report: &Report) -> bool {
    meta::alarms(report).is_some()
}

/// The notes that end the concise report too: the engine's, each view's
/// summary cautions and undefined summaries (`more` adds summaries beside
/// the operating points'), and the adequacy rule.
fn common_notes<'a, C: 'a, X: 'a, F: 'a>(
    engine: &[String],
    views: impl IntoIterator<Item = (&'a ViewResult<C, X, F>, Vec<(&'a str, &'a [Summary])>)>,
) -> Vec<Vec<String>> {
    let mut notes: Vec<Vec<String>> = engine.iter().map(|n| vec![n.clone()]).collect();
    for (view, more) in views {
        notes.extend(summary_notes(view, more));
    }
    notes.push(vec![ADEQUACY_NOTE.into()]);
    notes
}

const ADEQUACY_NOTE: &str = "‡ fewer than 30 errors: the rate is poorly determined (rule of 30); a rate with no errors can only be bounded by ≈ 3/n";

/// A column of a per-group rate table: its header and the rate metric it shows.
type Shown<'a> = (&'a str, &'a str);

/// The per-group rate table of a view at one operating point: group, the
/// threshold when it differs by group, the chosen rate columns, and what
/// `extra` adds per group (its header in `extra_header`). Groups kept out
/// of summaries are marked.
fn rate_table<C, X, F>(
    view: &ViewResult<C, X, F>,
    at: &ViewAt<X>,
    columns: &[Shown],
    extra_header: &[&str],
    extra: impl Fn(usize) -> Vec<String>,
) -> TableModel {
    let per_group = at.group_thresholds.is_some();
    let mut header = vec!["group"];
    if per_group {
        header.push("threshold");
    }
    header.extend(columns.iter().map(|c| c.0));
    header.extend(extra_header);
    let threshold = at
        .threshold
        .map_or_else(String::new, |t| format!(", threshold {}", short(t)));
    // The interval the last column names, then each column that differs
    // (the pooled FMR a global-fmr target sets has none).
    let labelled: Vec<(&str, &str)> = at
        .rates
        .iter()
        .filter_map(|c| Some((c.metric.as_str(), c.interval.as_deref()?)))
        .collect();
    let intervals = match labelled.last() {
        None => "95% intervals".to_string(),
        Some(&(_, main)) => std::iter::once(main.to_string())
            .chain(
                labelled
                    .iter()
                    .filter(|(_, l)| *l != main)
                    .map(|(m, l)| format!("{m}: {l}")),
            )
            .collect::<Vec<_>>()
            .join("; "),
    };
    let mut t = TableModel::new(
        format!(
            "{} at {}{threshold} ({intervals})",
            view.attribute, at.policy
        ),
        &header,
    );
    for (g, info) in view.groups.iter().enumerate() {
        let mut row = vec![group_cell(&view.attribute, info)];
        if per_group {
            row.push(opt(at.threshold_of(g)));
        }
        row.extend(columns.iter().map(|(_, m)| {
            at.rate(m)
                .map_or_else(|| "-".into(), |c| rate_cell(&c.by_group[g]))
        }));
        row.extend(extra(g));
        t.rows.push(row);
    }
    t
}

/// A group's name, marked when it is kept out of summaries.
fn group_cell<C>(attribute: &crate::groups::Attribute, g: &GroupInfo<C>) -> String {
    if g.in_summaries || attribute.is_pooled() {
        g.group.clone()
    } else {
        format!("{} (small)", g.group)
    }
}

/// The disparity summaries of a view: one row per summary whose metric
/// `shown` accepts, one column per operating point.
fn summaries_table<C, X, F>(
    view: &ViewResult<C, X, F>,
    title: &str,
    shown: impl Fn(&str) -> bool,
) -> TableModel {
    let mut header = vec!["summary"];
    header.extend(view.operating_points.iter().map(|a| a.policy.as_str()));
    let label = summary_interval_label(view.operating_points.iter().flat_map(|a| a.summaries()));
    let mut t = TableModel::new(format!("{}: {title}{label}", view.attribute), &header);
    let Some(first) = view.operating_points.first() else {
        return t;
    };
    for (i, s) in first
        .summaries()
        .enumerate()
        .filter(|(_, s)| shown(&s.metric))
    {
        let mut row = vec![s.metric.clone()];
        row.extend(view.operating_points.iter().map(|a| {
            a.summaries()
                .nth(i)
                .map_or_else(|| "-".into(), summary_cell)
        }));
        t.rows.push(row);
    }
    t
}

/// The tests of one view: homogeneity, then each group against the reference.
fn tests_table<C, X, F>(view: &ViewResult<C, X, F>) -> TableModel {
    let title = match &view.reference {
        Some(Reference { group, rule }) => format!(
            "{}: tests of difference (reference {group}, {rule})",
            view.attribute
        ),
        None => format!("{}: tests of difference", view.attribute),
    };
    let mut t = TableModel::new(
        title,
        &[
            "policy",
            "rate",
            "test",
            "group",
            "statistic",
            "p",
            "p (Holm)",
        ],
    );
    for at in &view.operating_points {
        for x in at.tests() {
            let h = &x.homogeneity;
            let stat = h.statistic.map_or_else(
                || h.reason.clone().unwrap_or_default(),
                |s| format!("χ² = {}, df {}", short(s), h.df.unwrap_or(0.0)),
            );
            t.rows.push(vec![
                at.policy.clone(),
                x.metric.clone(),
                h.method.name().into(),
                "all".into(),
                stat,
                opt(h.p),
                "-".into(),
            ]);
            for g in &x.versus_reference {
                let stat = g.test.statistic.map_or_else(
                    || g.test.reason.clone().unwrap_or_default(),
                    |z| format!("z = {}", short(z)),
                );
                t.rows.push(vec![
                    at.policy.clone(),
                    x.metric.clone(),
                    g.test.method.name().into(),
                    g.group.clone(),
                    stat,
                    opt(g.test.p),
                    opt(g.p_holm),
                ]);
            }
        }
    }
    t
}

/// Notes on a view's summaries: each distinct few-errors caution, every
/// summary that is undefined or infinite with its reason, and why intervals
/// are missing or unbounded (one line per reason).
fn summary_notes<'a, C, X: 'a, F>(
    view: &'a ViewResult<C, X, F>,
    more: impl IntoIterator<Item = (&'a str, &'a [Summary])>,
) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let at = view
        .operating_points
        .iter()
        .map(|a| (a.policy.as_str(), a.summaries().collect::<Vec<_>>()));
    let more = more
        .into_iter()
        .map(|(p, s)| (p, s.iter().collect::<Vec<_>>()));
    for (policy, sums) in at.chain(more) {
        let mut seen: Vec<String> = Vec::new();
        for c in sums.iter().flat_map(|s| &s.cautions) {
            let line = format!("{} summaries at {policy}: {c}", view.attribute);
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
        out.extend(seen.into_iter().map(|l| vec![l]));
        for s in sums.iter().filter(|s| s.reason.is_some()) {
            let why = s.reason.as_deref().unwrap_or_default();
            out.push(vec![format!(
                "{} {} at {policy}: {} because {why}",
                view.attribute,
                s.metric,
                short(s.value)
            )]);
        }
        // Why an interval is missing or unbounded: one line per reason.
        let mut why: Vec<(&str, Vec<&str>)> = Vec::new();
        for s in &sums {
            let Some(note) = s.interval.as_ref().and_then(|i| i.note.as_deref()) else {
                continue;
            };
            match why.iter_mut().find(|(n, _)| *n == note) {
                Some((_, metrics)) => metrics.push(&s.metric),
                None => why.push((note, vec![&s.metric])),
            }
        }
        for (note, metrics) in why {
            out.push(vec![format!(
                "{} intervals at {policy} of {}: {note}",
                view.attribute,
                metrics.join(", ")
            )]);
        }
    }
    out
}

/// The operating points of a task: policy, threshold, pool and achieved rate.
fn operating_points_table<P>(
    title: String,
    achieved: &str,
    points: &[OperatingPoint<P>],
) -> TableModel {
    let mut ops = TableModel::new(
        title,
        &["policy", "threshold", "pool", achieved, "supported"],
    );
    for p in points {
        ops.rows.push(vec![
            p.policy.clone(),
            opt(p.threshold),
            p.pool.to_string(),
            p.achieved.as_ref().map_or_else(|| "-".into(), rate_cell),
            p.supported.map_or_else(
                || "-".into(),
                |s| if s { "yes".into() } else { "no".into() },
            ),
        ]);
    }
    ops
}

/// A notes table from lines.
fn notes_table(lines: impl IntoIterator<Item = Vec<String>>) -> TableModel {
    let mut notes = TableModel::new("Notes", &["note"]);
    notes.rows.extend(lines);
    notes
}
