//! The age-estimation tables: settings, the error per group, the error by
//! true-age band, the age-verification rates per challenge, summaries,
//! tests and notes.

use super::{
    common_notes, notes_table, rate_cell, rate_table, summary_cell, tests_table, TableModel,
};
use crate::engine::estimate::{cs_metric, AgeView, EstimateResult};
use crate::render::number::short;
use crate::stats::mean::MeanStat;

/// A count, or a weight (a sum of weights) when it is not whole.
fn count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        short(x)
    }
}

/// `4.1 [3.8, 4.4]`, `4.1`, `undefined (no rows)`.
fn mean_cell(s: &MeanStat) -> String {
    match (s.value.is_nan(), s.interval()) {
        (true, _) => format!("undefined ({})", s.reason.as_deref().unwrap_or("no rows")),
        (false, Some((lo, hi))) => format!("{} [{}, {}]", short(s.value), short(lo), short(hi)),
        (false, None) => short(s.value),
    }
}

/// Settings; per view the errors, the bands, each challenge's rates and
/// (in full) the summaries and tests; notes. Unless `full`, the errors,
/// challenge rates and notes only.
pub(super) fn tables(e: &EstimateResult, full: bool, out: &mut Vec<TableModel>) {
    if full {
        out.push(settings(e));
    }
    let label = e
        .conventions
        .mean_interval
        .split(':')
        .next()
        .unwrap_or_default();
    for view in &e.views {
        out.push(errors(view, e, label));
        if full && !e.bands.is_empty() {
            out.push(bands(view, label));
        }
        for at in view.operating_points.iter().skip(1) {
            out.push(rate_table(
                view,
                at,
                &[
                    ("false admit", "false_admit"),
                    ("false refusal", "false_refusal"),
                ],
                &["under age", "of age"],
                |g| {
                    at.rates
                        .iter()
                        .map(|c| count(c.by_group[g].trials))
                        .collect()
                },
            ));
        }
        if view.attribute.is_pooled() || !full {
            continue;
        }
        out.push(summaries(view));
        out.push(tests_table(view));
    }
    let views = e
        .views
        .iter()
        .map(|v| (v, vec![("none", v.free.summaries.as_slice())]));
    let mut notes = common_notes(&e.notes, views);
    if full {
        let c = &e.conventions;
        for (k, v) in [
            ("error", &c.error),
            ("mean intervals", &c.mean_interval),
            ("rate intervals", &c.interval),
            ("median", &c.median),
            ("challenge", &c.challenge),
            ("bands", &c.bands),
        ] {
            notes.push(vec![format!("{k}: {v}")]);
        }
    }
    out.push(notes_table(notes));
}

fn settings(e: &EstimateResult) -> TableModel {
    let mut t = TableModel::new("Age estimation", &["setting", "value"]);
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    let cs: Vec<String> = e.cs.iter().map(|x| x.to_string()).collect();
    for (k, v) in [
        (
            "weighted",
            if e.weighted {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        (
            "subjects (interval clusters)",
            e.subjects.map_or_else(|| "-".into(), |s| s.to_string()),
        ),
        ("CS tolerances (years)", list(&cs)),
        ("true-age bands", list(&e.bands)),
        ("challenges (AGE:T)", list(&e.challenges)),
        (
            "estimates outside [0, 130]",
            e.out_of_range.rows.to_string(),
        ),
    ] {
        t.rows.push(vec![k.into(), v]);
    }
    t
}

/// Per group: rows, MAE, bias, RMSE, median AE, each CS(θ), out-of-range estimates.
fn errors(view: &AgeView, e: &EstimateResult, label: &str) -> TableModel {
    let cs: Vec<String> = e.cs.iter().map(|t| format!("CS({t})")).collect();
    let mut header = vec![
        "group",
        "rows",
        "MAE",
        "bias (mean signed)",
        "RMSE",
        "median AE",
    ];
    header.extend(cs.iter().map(String::as_str));
    header.push("outside [0, 130]");
    let rate_label = view
        .operating_points
        .first()
        .and_then(|a| a.rates.first())
        .and_then(|c| c.interval.clone())
        .map_or_else(String::new, |l| format!("; CS: {l}"));
    let mut t = TableModel::new(
        format!(
            "{}: age-estimation error in years ({label}{rate_label})",
            view.attribute
        ),
        &header,
    );
    for (g, info) in view.groups.iter().enumerate() {
        let c = &info.counts;
        let mut row = vec![super::group_cell(&view.attribute, info), c.rows.to_string()];
        row.extend(c.errors.iter().map(mean_cell));
        for theta in &e.cs {
            let cell = view
                .operating_points
                .first()
                .and_then(|a| a.rate(&cs_metric(*theta)));
            row.push(cell.map_or_else(|| "-".into(), |col| rate_cell(&col.by_group[g])));
        }
        row.push(c.out_of_range.to_string());
        t.rows.push(row);
    }
    t
}

/// Per group and true-age band: MAE and bias with intervals, and rows.
fn bands(view: &AgeView, label: &str) -> TableModel {
    let names: Vec<String> = view
        .groups
        .first()
        .map(|g| g.counts.bands.iter().map(|b| b.band.clone()).collect())
        .unwrap_or_default();
    let mut header = vec!["group", "error"];
    header.extend(names.iter().map(String::as_str));
    let mut t = TableModel::new(
        format!(
            "{}: error by true-age band in years ({label})",
            view.attribute
        ),
        &header,
    );
    for info in &view.groups {
        let b = &info.counts.bands;
        let rows: [(&str, Vec<String>); 3] = [
            ("MAE", b.iter().map(|x| mean_cell(&x.mae)).collect()),
            ("bias", b.iter().map(|x| mean_cell(&x.bias)).collect()),
            ("rows", b.iter().map(|x| x.rows.to_string()).collect()),
        ];
        for (what, cells) in rows {
            let mut row = vec![info.group.clone(), what.into()];
            row.extend(cells);
            t.rows.push(row);
        }
    }
    t
}

/// Every summary of a view: the errors' (policy `none`), the cumulative
/// scores', then each challenge's rates and their combinations.
fn summaries(view: &AgeView) -> TableModel {
    let mut t = TableModel::new(
        format!(
            "{}: disparity summaries (intervals: simultaneous Bonferroni boxes of the per-group intervals)",
            view.attribute
        ),
        &["policy", "summary", "value"],
    );
    let free = view.free.summaries.iter().map(|s| ("none", s));
    let at = view
        .operating_points
        .iter()
        .flat_map(|a| a.summaries().map(move |s| (a.policy.as_str(), s)));
    for (policy, s) in free.chain(at) {
        t.rows
            .push(vec![policy.into(), s.metric.clone(), summary_cell(s)]);
    }
    t
}
