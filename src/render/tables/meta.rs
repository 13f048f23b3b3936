//! The tables every report has (provenance, inputs, row accounting), the
//! bootstrap's, and those of published rates.

use super::{notes_table, TableModel};
use crate::bootstrap::BootstrapResult;
use crate::engine::summarize::SummarizeResult;
use crate::render::number::short;
use crate::report::Report;

/// The alarms of the whole audit ([`crate::report::Alarm`]), if any.
pub(super) fn alarms(report: &Report) -> Option<TableModel> {
    let mut t = TableModel::new("Caution: read this first", &["caution"]);
    t.rows
        .extend(report.alarms.iter().map(|a| vec![a.to_string()]));
    let interval = match &report.findings {
        crate::report::Findings::Verify(v) => &v.interval_caution,
        crate::report::Findings::Identify(i) => &i.interval_caution,
        _ => &None,
    };
    t.rows.extend(interval.iter().map(|c| vec![c.clone()]));
    (!t.rows.is_empty()).then_some(t)
}

/// Provenance, inputs and row accounting.
/// The provenance table's title.
pub(super) const PROVENANCE: &str = "Provenance";

/// The inputs table's title.
pub(super) const INPUTS: &str = "Inputs";

pub(super) fn provenance(report: &Report) -> Vec<TableModel> {
    let mut out = Vec::new();
    let pr = &report.provenance;
    let mut prov = TableModel::new(PROVENANCE, &["item", "value"]);
    prov.rows.push(vec![
        "tool".into(),
        format!("{} {}", report.tool.name, report.tool.version),
    ]);
    prov.rows.push(vec!["command".into(), pr.command.join(" ")]);
    prov.rows.push(vec![
        "seed".into(),
        pr.seed.map_or_else(|| "-".into(), |s| s.to_string()),
    ]);
    prov.rows.push(vec![
        "time".into(),
        pr.time
            .clone()
            .unwrap_or_else(|| "omitted (--reproducible)".into()),
    ]);
    prov.rows
        .push(vec!["configuration".into(), pr.config.to_string()]);
    out.push(prov);
    let mut inputs = TableModel::new(INPUTS, &["role", "path", "rows", "bytes", "sha256"]);
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
    if let Some(m) = &acc.multiline {
        rows.rows.push(vec![
            format!("read, spanning several lines ({} lines)", m.lines),
            m.rows.to_string(),
            m.first.to_string(),
        ]);
    }
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
    out
}

/// The published rates and their summaries.
pub(super) fn summarize(s: &SummarizeResult, out: &mut Vec<TableModel>) {
    let mut header = vec![s.group_column.as_str()];
    header.extend(s.rates.iter().map(|r| r.rate.as_str()));
    let mut t = TableModel::new("Published rates", &header);
    for (i, g) in s
        .rates
        .first()
        .map_or(&[][..], |r| &r.groups[..])
        .iter()
        .enumerate()
    {
        let mut row = vec![g.group.clone()];
        row.extend(s.rates.iter().map(|r| short(r.groups[i].value)));
        t.rows.push(row);
    }
    out.push(t);
    let mut sums = TableModel::new(
        format!(
            "Disparity summaries (α = {}){}",
            s.alpha,
            super::summary_interval_label(&s.summaries)
        ),
        &["summary", "value", "note"],
    );
    for x in &s.summaries {
        sums.rows.push(vec![
            x.metric.clone(),
            super::summary_cell(x),
            x.reason.clone().unwrap_or_default(),
        ]);
    }
    out.push(sums);
    if !s.notes.is_empty() {
        out.push(notes_table(s.notes.iter().map(|n| vec![n.clone()])));
    }
}

/// Intervals of the key summaries, and the test of a difference.
pub(super) fn bootstrap(b: &BootstrapResult, out: &mut Vec<TableModel>) {
    let key = |m: &str| {
        [
            "fdr",
            "ir",
            "garbe",
            "werm",
            "ser",
            "demographic_parity_difference",
            "equalized_odds_difference",
        ]
        .contains(&m)
            || m.ends_with(".max_over_geomean")
            || m.ends_with(".gini")
    };
    let level = format!("{}%", b.level * 100.0);
    let mut t = TableModel::new(
        format!("Bootstrap: {level} bootstrap percentile intervals of key summaries (the summary tables show simultaneous intervals; {} replicates of {} {}s, seed {}; all values in JSON/CSV)", b.replicates, b.units, b.unit.name(), b.seed),
        &["attribute", "policy", "summary", "interval", "undefined replicates"],
    );
    for i in b
        .intervals
        .iter()
        .filter(|i| i.key.group.is_empty() && key(&i.key.metric))
    {
        t.rows.push(vec![
            i.key.attribute.to_string(),
            i.key.policy.clone(),
            i.key.metric.clone(),
            format!("[{}, {}]", short(i.low), short(i.high)),
            i.undefined.to_string(),
        ]);
    }
    out.push(t);
    if !b.comparisons.is_empty() {
        let mut c = TableModel::new(
            "Bootstrap test of a difference",
            &[
                "attribute",
                "policy",
                "metric",
                "groups",
                "difference",
                "interval",
                "p",
            ],
        );
        for x in &b.comparisons {
            c.rows.push(vec![
                x.attribute.to_string(),
                x.policy.clone(),
                x.metric.clone(),
                format!("{} − {}", x.groups[0], x.groups[1]),
                short(x.difference),
                format!("[{}, {}]", short(x.low), short(x.high)),
                short(x.p),
            ]);
        }
        out.push(c);
    }
}
