//! The paired comparison of two models (`biasbench compare`): the verdicts
//! and the per-group rate differences first in every human-readable format,
//! the summaries and the methods at the end of the full report.

use super::{opt, TableModel};
use crate::render::number::short;
use crate::report::paired::{Change, Paired, PairedSummary, Verdict};

/// `max/geomean` for `fmr.max_over_geomean`: the summary's short name.
fn summary_name(metric: &str) -> &str {
    match metric.rsplit_once('.').map_or(metric, |(_, s)| s) {
        "max_over_geomean" => "max/geomean",
        "max_minus_min" => "max−min",
        "max_over_min" => "max/min",
        "max_over_mean" => "max/mean",
        s => s,
    }
}

/// A level as a percentage: `95` for 0.95.
fn percent(level: f64) -> String {
    format!("{}", (level * 1e8).round() / 1e6)
}

/// `[lo, hi]`, or `-` without an interval.
fn interval(ci: Option<(f64, f64)>) -> String {
    ci.map_or_else(
        || "-".into(),
        |(lo, hi)| format!("[{}, {}]", short(lo), short(hi)),
    )
}

/// The verdict as a sentence: "B narrows the FMR disparity by race:
/// max/geomean 3.4 → 1.8 (Δ −1.6, 95 % CI [−2.1, −1.0], Holm p 0.002)".
pub(crate) fn sentence(p: &Paired, v: &Verdict) -> String {
    let s = &v.summary;
    let [a, b] = &p.names;
    // `FMR`, `FNIR@5`; `error rate` for a long id.
    let rate = match v.rate.contains('_') {
        true => v.rate.replace('_', " "),
        false => v.rate.to_uppercase(),
    };
    let attribute = s.key.attribute.name();
    let numbers = format!(
        "{} {} → {} (Δ {}{}{})",
        summary_name(&s.key.metric),
        short(s.values.a),
        short(s.values.b),
        short(s.values.delta),
        s.ci.map_or_else(String::new, |ci| format!(
            ", {} % CI {}",
            percent(p.level),
            interval(Some(ci))
        )),
        s.p_holm
            .map_or_else(String::new, |q| match p.bootstrap.as_ref() {
                // No replicate crossed 0: the p-value is below one in B.
                Some(b) if q == 0.0 => format!(", Holm p < {}", 1.0 / b.replicates as f64),
                _ => format!(", Holm p {}", short(q)),
            }),
    );
    match v.change {
        Change::Narrows => format!("{b} narrows the {rate} disparity by {attribute}: {numbers}"),
        Change::Widens => format!("{b} widens the {rate} disparity by {attribute}: {numbers}"),
        Change::NoSignificantChange => format!(
            "{b} against {a}, {rate} disparity by {attribute}: no significant change, {numbers}"
        ),
        Change::Untested => format!(
            "{b} against {a}, {rate} disparity by {attribute}: not tested (no paired bootstrap p-value), {numbers}"
        ),
    }
}

/// The verdicts and the per-group rates: the report's first tables.
pub(super) fn lead(paired: &Option<Paired>) -> Vec<TableModel> {
    let Some(p) = paired else {
        return Vec::new();
    };
    let [a, b] = &p.names;
    let mut verdicts = TableModel::new(
        format!("Paired comparison: {b} against {a} on the same trials (B − A; the findings below are {b}'s)"),
        &["verdict", "at"],
    );
    for v in &p.verdicts {
        verdicts
            .rows
            .push(vec![sentence(p, v), v.summary.key.policy.clone()]);
    }
    if p.verdicts.is_empty() {
        verdicts.rows.push(vec![
            "no disparity summary is defined under both models".into(),
            "-".into(),
        ]);
    }
    let mut out = vec![verdicts];
    if let Some(acc) = &p.rows_b {
        out.push(super::findings::accounting(
            &format!("Rows of {b}'s table (joined on the key; {a}'s are below)"),
            acc,
        ));
    }
    let boot = p.bootstrap.is_some();
    let mut header = vec![
        "view".to_string(),
        "group".into(),
        "policy".into(),
        "rate".into(),
        a.clone(),
        b.clone(),
        "B − A [Newcombe]".into(),
        "discordant A / B".into(),
        "p (McNemar)".into(),
        "p (Holm)".into(),
    ];
    if boot {
        header.push("B − A [paired bootstrap]".into());
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut rates = TableModel::new(
        format!(
            "Paired rates: {b} against {a} per group ({} % intervals; McNemar's exact test, Holm over the groups of each rate)",
            percent(p.level)
        ),
        &header,
    );
    for r in &p.rates {
        let mut row = vec![
            r.key.attribute.name(),
            r.key.group.clone(),
            r.key.policy.clone(),
            r.key.metric.clone(),
            short(r.values.a),
            short(r.values.b),
            format!("{} {}", short(r.values.delta), interval(r.ci)),
            r.discordance
                .map_or_else(|| "-".into(), |d| format!("{} / {}", d.only_a, d.only_b)),
            opt(r.p),
            opt(r.p_holm),
        ];
        if boot {
            row.push(interval(r.bootstrap_ci));
        }
        rates.rows.push(row);
    }
    out.push(rates);
    out
}

/// The summaries and the methods: the end of the full report.
pub(super) fn rest(paired: &Option<Paired>) -> Vec<TableModel> {
    let Some(p) = paired else {
        return Vec::new();
    };
    let [a, b] = &p.names;
    let mut summaries = TableModel::new(
        format!("Paired summaries: {b} against {a} ({})", p.methods.summary),
        &[
            "view",
            "policy",
            "summary",
            a,
            b,
            "B − A",
            "interval",
            "p",
            "p (Holm, verdicts)",
        ],
    );
    for s in &p.summaries {
        summaries.rows.push(summary_row(s));
    }
    let mut notes = TableModel::new("Paired comparison: methods and notes", &["", ""]);
    let m = &p.methods;
    for (what, how) in [
        ("rate interval", &m.rate_interval),
        ("rate test", &m.rate_test),
        ("summaries", &m.summary),
        ("many tests", &m.family),
    ] {
        notes.rows.push(vec![what.into(), how.clone()]);
    }
    for n in &p.notes {
        notes.rows.push(vec!["note".into(), n.clone()]);
    }
    for d in p.rows_b.iter().flat_map(|acc| &acc.dropped) {
        notes.rows.push(vec![
            format!("{b}'s table"),
            format!(
                "{} rows dropped: {} (first: {})",
                d.count, d.reason, d.first
            ),
        ]);
    }
    vec![summaries, notes]
}

fn summary_row(s: &PairedSummary) -> Vec<String> {
    vec![
        s.key.attribute.name(),
        s.key.policy.clone(),
        s.key.metric.clone(),
        short(s.values.a),
        short(s.values.b),
        short(s.values.delta),
        interval(s.ci),
        opt(s.p),
        opt(s.p_holm),
    ]
}
