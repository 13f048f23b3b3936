//! The 1:1 tables: operating points, groups, rates per policy, threshold-free
//! values, summaries, tests and notes.

use super::{
    common_notes, notes_table, operating_points_table, opt, rate_table, summaries_table,
    summary_cell, summary_interval_label, tests_table, TableModel,
};
use crate::engine::verify::VerifyResult;
use crate::render::number::short;

/// In `full`, every table; else the per-group rate tables and the notes.
pub(super) fn tables(v: &VerifyResult, full: bool, out: &mut Vec<TableModel>) {
    let columns = [("FMR", "fmr"), ("FNMR", "fnmr"), ("accuracy", "accuracy")];
    if !full {
        for view in &v.views {
            for at in &view.operating_points {
                out.push(rate_table(view, at, &columns, &[], |_| Vec::new()));
            }
        }
        out.push(notes_table(notes(v)));
        return;
    }
    let title = format!(
        "Operating points ({} scores, accept if {}; global pool: {:?} non-mated)",
        v.score_sense, v.acceptance, v.impostors
    );
    out.push(operating_points_table(
        title,
        "achieved FMR",
        &v.operating_points,
    ));
    for view in &v.views {
        let mut groups = TableModel::new(
            format!("Groups by {}", view.attribute),
            &["group", "mated", "non-mated", "subjects", "in summaries"],
        );
        for g in &view.groups {
            let c = &g.counts;
            groups.rows.push(vec![
                g.group.clone(),
                c.mated.to_string(),
                c.nonmated.to_string(),
                c.subjects.map_or_else(|| "-".into(), |s| s.to_string()),
                match (view.attribute.is_pooled(), g.in_summaries) {
                    (true, _) => "pooled".into(),
                    (_, true) => "yes".into(),
                    _ => format!("no (size {} < {})", c.size, v.min_group_size),
                },
            ]);
        }
        out.push(groups);
        for at in &view.operating_points {
            out.push(rate_table(view, at, &columns, &[], |_| Vec::new()));
        }
        let mut free = TableModel::new(
            format!("{}: threshold-free", view.attribute),
            &["group", "EER", "EER threshold", "AUC", "d'"],
        );
        for g in &view.free.threshold_free {
            free.rows.push(vec![
                g.group.clone(),
                short(g.eer),
                opt(g.eer_threshold),
                short(g.auc),
                short(g.dprime),
            ]);
        }
        out.push(free);
        if view.attribute.is_pooled() {
            continue;
        }
        let title = format!("disparity summaries (α = {})", v.alpha);
        out.push(summaries_table(view, &title, |_| true));
        let mut eer = TableModel::new(
            format!(
                "{}: EER summaries{}",
                view.attribute,
                summary_interval_label(&view.free.threshold_free_summaries)
            ),
            &["summary", "value"],
        );
        for s in &view.free.threshold_free_summaries {
            eer.rows.push(vec![s.metric.clone(), summary_cell(s)]);
        }
        out.push(eer);
        out.push(tests_table(view));
    }
    let mut notes = notes(v);
    notes.push(vec![format!("EER: {}", v.conventions.eer)]);
    notes.push(vec![format!("intervals: {}", v.conventions.interval)]);
    out.push(notes_table(notes));
}

/// The notes of the concise report.
fn notes(v: &VerifyResult) -> Vec<Vec<String>> {
    common_notes(
        &v.notes,
        v.views.iter().map(|view| {
            let free: &[_] = &view.free.threshold_free_summaries;
            (view, vec![("none", free)])
        }),
    )
}
