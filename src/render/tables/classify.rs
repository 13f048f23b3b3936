//! The classification tables: settings, rates per group, fairlearn parity,
//! AIF360 forms against the reference, summaries, tests and notes.

use super::{
    common_notes, notes_table, rate_table, summaries_table, summary_cell, summary_interval_label,
    tests_table, TableModel,
};
use crate::counts::table::ViewAt;
use crate::engine::classify::{ClassView, ClassifyAt, ClassifyResult};
use crate::render::number::short;

/// The binary rates shown per group (every rate is in the JSON and CSV).
const BINARY: [&str; 7] = [
    "selection_rate",
    "base_rate",
    "accuracy",
    "tpr",
    "fpr",
    "fnr",
    "ppv",
];

/// The rates whose summaries are shown.
const SUMMARISED: [&str; 5] = ["error_rate", "fpr", "fnr", "selection_rate", "accuracy"];

/// AIF360's forms shown against the reference.
const AIF360: [&str; 5] = [
    "disparate_impact",
    "statistical_parity_difference",
    "average_odds_difference",
    "average_abs_odds_difference",
    "error_rate_ratio",
];

/// Settings; per view its rates, parity, AIF360, summaries and tests;
/// notes. Unless `full`, the per-group rate tables and the notes only.
pub(super) fn tables(c: &ClassifyResult, full: bool, out: &mut Vec<TableModel>) {
    if full {
        out.push(settings_table(c));
    }
    let metrics = shown_rates(c);
    let columns: Vec<(&str, &str)> = metrics.iter().map(|m| (m.as_str(), m.as_str())).collect();
    for view in &c.views {
        for at in &view.operating_points {
            out.push(view_rate_table(view, at, &columns, c.mode == "binary"));
            if view.attribute.is_pooled() || !full {
                continue;
            }
            out.extend(parity_table(view, at));
            out.extend(aif360_table(view, at));
        }
        if view.attribute.is_pooled() || !full {
            continue;
        }
        out.push(summaries_table(view, "disparity summaries", |m| {
            SUMMARISED
                .iter()
                .any(|r| m.strip_prefix(r).is_some_and(|s| s.starts_with('.')))
        }));
        out.push(tests_table(view));
    }
    out.push(notes(c, full));
}

/// The settings: mode, the positive labels and whether rows are weighted.
fn settings_table(c: &ClassifyResult) -> TableModel {
    let mut head = TableModel::new("Classification", &["setting", "value"]);
    head.rows.push(vec!["mode".into(), c.mode.clone()]);
    for (k, v) in [
        ("true positive", &c.truth_positive),
        ("predicted positive", &c.prediction_positive),
    ] {
        if let Some(v) = v {
            head.rows.push(vec![k.into(), v.clone()]);
        }
    }
    head.rows.push(vec![
        "weighted".into(),
        if c.weighted { "yes" } else { "no" }.into(),
    ]);
    head
}

/// The rates shown per group: binary rates, or accuracy and each class's recall.
fn shown_rates(c: &ClassifyResult) -> Vec<String> {
    if c.mode == "binary" {
        BINARY.iter().map(|s| s.to_string()).collect()
    } else {
        std::iter::once("accuracy".to_string())
            .chain(c.labels.iter().map(|l| format!("recall:{l}")))
            .collect()
    }
}

/// A view's per-group rates at an operating point, with items (and F1, AUC if binary).
fn view_rate_table(
    view: &ClassView,
    at: &ViewAt<ClassifyAt>,
    columns: &[(&str, &str)],
    binary: bool,
) -> TableModel {
    let extra_header: &[&str] = if binary {
        &["items", "f1", "auc"]
    } else {
        &["items"]
    };
    rate_table(view, at, columns, extra_header, |g| {
        let counts = &view.groups[g].counts;
        let value = |m: &str| {
            counts
                .values
                .iter()
                .find(|x| x.metric == m)
                .map_or_else(|| "-".into(), |x| short(x.value))
        };
        let mut cells = vec![counts.rows.to_string()];
        if binary {
            cells.extend([value("f1"), value("auc")]);
        }
        cells
    })
}

/// fairlearn's parity metrics between groups and to overall (`None` if there are none).
fn parity_table(view: &ClassView, at: &ViewAt<ClassifyAt>) -> Option<TableModel> {
    let parity = &at.extra.parity;
    let mut p = TableModel::new(
        format!(
            "{}: fairlearn parity{}",
            view.attribute,
            summary_interval_label(parity)
        ),
        &["metric", "between groups", "to overall"],
    );
    for s in parity
        .iter()
        .filter(|s| !s.metric.contains('.') || s.metric.ends_with(".mean"))
    {
        let other = parity
            .iter()
            .find(|x| x.metric == format!("{}.to_overall", s.metric));
        p.rows.push(vec![
            s.metric.clone(),
            summary_cell(s),
            other.map_or_else(|| "-".into(), summary_cell),
        ]);
    }
    (!p.rows.is_empty()).then_some(p)
}

/// AIF360's forms of each group against the reference (DI under 4/5 marked), if any.
fn aif360_table(view: &ClassView, at: &ViewAt<ClassifyAt>) -> Option<TableModel> {
    let r = view.reference.as_ref()?;
    let mut header = vec!["group"];
    header.extend(AIF360);
    let mut a = TableModel::new(
        format!(
            "{}: AIF360, against reference {} ({})",
            view.attribute, r.group, r.rule
        ),
        &header,
    );
    let versus = &at.extra.versus_reference;
    let of = |g: &str, m: &str| {
        versus
            .iter()
            .find(|x| x.group == g && x.value.metric == m)
            .map(|x| x.value.value)
    };
    for g in view.groups.iter().filter(|g| g.group != r.group) {
        let mut row = vec![g.group.clone()];
        for m in AIF360 {
            let mut cell = of(&g.group, m).map_or_else(|| "-".into(), short);
            if of(&g.group, "disparate_impact.four_fifths_violation") == Some(1.0)
                && m == "disparate_impact"
            {
                cell.push_str(" (< 4/5)");
            }
            row.push(cell);
        }
        a.rows.push(row);
    }
    Some(a)
}

/// The notes: the engine's, summary notes, the adequacy rule and, in
/// `full`, the conventions.
fn notes(c: &ClassifyResult, full: bool) -> TableModel {
    let mut notes = common_notes(&c.notes, c.views.iter().map(|v| (v, Vec::new())));
    if !full {
        return notes_table(notes);
    }
    notes.push(vec![format!("intervals: {}", c.conventions.interval)]);
    notes.push(vec![format!(
        "undefined rates: {}",
        c.conventions.undefined
    )]);
    notes_table(notes)
}
