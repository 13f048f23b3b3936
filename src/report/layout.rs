//! One table model for the human-readable formats: the terminal renderer
//! and Markdown only say how a title, a header and a row look.

use super::format::short;
use super::Report;
use crate::rate::Rate;
use crate::uncertainty::CiMethod;

/// A titled table of text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct TableModel {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
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

/// `0.01234 [0.0100, 0.0150]`, `0 [≤ 0.002996]`, `undefined (0 trials)`.
pub fn rate_cell(r: &Rate) -> String {
    match (&r.reason, r.ci) {
        (Some(why), _) => format!("undefined ({why})"),
        (None, Some(ci)) => match ci.method {
            CiMethod::Wilson => {
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

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), short)
}

/// The tables of a report, in reading order.
pub fn tables(report: &Report) -> Vec<TableModel> {
    let mut out = Vec::new();
    let mut inputs = TableModel::new("Inputs", &["role", "path", "rows", "bytes", "sha256"]);
    for f in &report.provenance.inputs {
        inputs.rows.push(vec![
            f.role.clone(),
            f.path.clone(),
            f.rows.to_string(),
            f.bytes.to_string(),
            f.sha256.clone(),
        ]);
    }
    out.push(inputs);
    let acc = &report.accounting;
    let mut rows = TableModel::new(
        "Row accounting",
        &["bucket", "rows", "first (file:line, column, value)"],
    );
    rows.rows
        .push(vec!["read".into(), acc.rows.to_string(), String::new()]);
    rows.rows
        .push(vec!["used".into(), acc.used.to_string(), String::new()]);
    for d in &acc.dropped {
        rows.rows.push(vec![
            format!("dropped: {}", d.reason),
            d.count.to_string(),
            d.first.to_string(),
        ]);
    }
    out.push(rows);

    let Some(v) = &report.verify else { return out };
    let mut ops = TableModel::new(
        format!(
            "Operating points ({} scores, accept if {}; global pool: {:?} non-mated)",
            v.score_sense, v.acceptance, v.impostors
        ),
        &["policy", "threshold", "pool", "achieved FMR", "supported"],
    );
    for p in &v.operating_points {
        ops.rows.push(vec![
            p.policy.clone(),
            opt(p.threshold),
            p.pool.to_string(),
            p.achieved_fmr
                .as_ref()
                .map_or_else(|| "-".into(), rate_cell),
            p.supported.map_or_else(
                || "-".into(),
                |s| if s { "yes".into() } else { "no".into() },
            ),
        ]);
    }
    out.push(ops);

    for view in &v.views {
        let mut groups = TableModel::new(
            format!("Groups by {}", view.attribute),
            &["group", "mated", "non-mated", "subjects", "in summaries"],
        );
        for g in &view.groups {
            groups.rows.push(vec![
                g.group.clone(),
                g.mated.to_string(),
                g.nonmated.to_string(),
                g.subjects.map_or_else(|| "-".into(), |s| s.to_string()),
                match (view.attribute.as_str(), g.in_summaries) {
                    ("*", _) => "pooled".into(),
                    (_, true) => "yes".into(),
                    _ => format!("no (size {} < {})", g.size, v.min_group_size),
                },
            ]);
        }
        out.push(groups);
        for at in &view.operating_points {
            let mut t = TableModel::new(
                format!("{} at {} (95% intervals)", view.attribute, at.policy),
                &["group", "threshold", "FMR", "FNMR", "accuracy"],
            );
            for g in &at.groups {
                t.rows.push(vec![
                    g.group.clone(),
                    short(g.threshold),
                    rate_cell(&g.fmr),
                    rate_cell(&g.fnmr),
                    rate_cell(&g.accuracy),
                ]);
            }
            out.push(t);
        }
        let mut free = TableModel::new(
            format!("{}: threshold-free", view.attribute),
            &["group", "EER", "EER threshold", "AUC", "d'"],
        );
        for g in &view.threshold_free {
            free.rows.push(vec![
                g.group.clone(),
                short(g.eer),
                opt(g.eer_threshold),
                short(g.auc),
                short(g.dprime),
            ]);
        }
        out.push(free);
        if view.attribute == "*" {
            continue;
        }
        let mut header = vec!["summary"];
        header.extend(view.operating_points.iter().map(|a| a.policy.as_str()));
        let mut sums = TableModel::new(
            format!("{}: disparity summaries (α = {})", view.attribute, v.alpha),
            &header,
        );
        if let Some(first) = view.operating_points.first() {
            for (i, s) in first.summaries.iter().enumerate() {
                let mut row = vec![s.metric.clone()];
                row.extend(
                    view.operating_points
                        .iter()
                        .map(|a| short(a.summaries[i].value)),
                );
                sums.rows.push(row);
            }
        }
        out.push(sums);
        let mut eer = TableModel::new(
            format!("{}: EER summaries", view.attribute),
            &["summary", "value"],
        );
        for s in &view.threshold_free_summaries {
            eer.rows.push(vec![s.metric.clone(), short(s.value)]);
        }
        out.push(eer);
    }
    let mut notes = TableModel::new("Notes", &["note"]);
    notes.rows.extend(v.notes.iter().map(|n| vec![n.clone()]));
    for view in &v.views {
        let at = view
            .operating_points
            .iter()
            .map(|a| (a.policy.as_str(), &a.summaries));
        for (policy, sums) in at.chain([("none", &view.threshold_free_summaries)]) {
            for s in sums.iter().filter(|s| s.reason.is_some()) {
                let why = s.reason.as_deref().unwrap_or_default();
                notes.rows.push(vec![format!(
                    "{} {} at {}: {} because {why}",
                    view.attribute,
                    s.metric,
                    policy,
                    short(s.value)
                )]);
            }
        }
    }
    notes.rows.push(vec![format!("EER: {}", v.conventions.eer)]);
    notes
        .rows
        .push(vec![format!("intervals: {}", v.conventions.interval)]);
    out.push(notes);
    out
}

/// Plain-text tables for a terminal.
pub fn terminal(tables: &[TableModel]) -> String {
    let mut s = String::new();
    for t in tables {
        let mut ct = comfy_table::Table::new();
        ct.load_preset(comfy_table::presets::ASCII_MARKDOWN);
        ct.set_header(&t.header);
        for r in &t.rows {
            ct.add_row(r);
        }
        s.push_str(&format!("{}\n{ct}\n\n", t.title));
    }
    s
}

fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

/// GitHub-flavoured Markdown tables.
pub fn markdown(tables: &[TableModel]) -> String {
    let mut s = String::from("# biasbench report\n\n");
    for t in tables {
        s.push_str(&format!("## {}\n\n", md_cell(&t.title)));
        let line = |cells: &[String]| {
            format!(
                "| {} |\n",
                cells
                    .iter()
                    .map(|c| md_cell(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )
        };
        s.push_str(&line(&t.header));
        s.push_str(&format!("|{}\n", " --- |".repeat(t.header.len())));
        for r in &t.rows {
            s.push_str(&line(r));
        }
        s.push('\n');
    }
    s
}
