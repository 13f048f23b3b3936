//! The 1:N tables: operating points, searches, FPIR and FNIR per policy,
//! summaries, tests and notes.

use super::{
    common_notes, notes_table, operating_points_table, rate_cell, rate_table, summaries_table,
    tests_table, TableModel,
};
use crate::engine::identify::{fnir_metric, IdentifyResult};

/// In `full`, every table; else the per-group rate tables and the notes.
pub(super) fn tables(res: &IdentifyResult, full: bool, out: &mut Vec<TableModel>) {
    if full {
        let title = format!(
            "1:N operating points ({} scores; pool: non-mated searches)",
            res.score_sense
        );
        out.push(operating_points_table(
            title,
            "achieved FPIR",
            &res.operating_points,
        ));
    }
    for view in &res.views {
        let mut g = TableModel::new(
            format!("Searches by {}", view.attribute),
            &["group", "mated", "non-mated", "rank-1 hit rate"],
        );
        for (k, info) in view.groups.iter().enumerate() {
            g.rows.push(vec![
                info.group.clone(),
                info.counts.mated_searches.to_string(),
                info.counts.nonmated_searches.to_string(),
                rate_cell(&view.free.rank1[k]),
            ]);
        }
        if full {
            out.push(g);
        }
        for at in &view.operating_points {
            let heads: Vec<(String, String)> = res
                .ranks
                .iter()
                .map(|&r| (format!("FNIR (rank ≤ {r})"), fnir_metric(r)))
                .collect();
            let mut columns = vec![("FPIR", "fpir")];
            columns.extend(heads.iter().map(|(h, m)| (h.as_str(), m.as_str())));
            let share = at.extra.false_candidates_same_group.as_ref();
            let extra_header: &[&str] = if share.is_some() {
                &["false candidates from the probe's group"]
            } else {
                &[]
            };
            out.push(rate_table(view, at, &columns, extra_header, |g| {
                share.map(|s| rate_cell(&s[g])).into_iter().collect()
            }));
        }
        if view.attribute.is_pooled() || !full {
            continue;
        }
        out.push(summaries_table(view, "disparity summaries", |_| true));
        out.push(tests_table(view));
    }
    let notes = common_notes(&res.notes, res.views.iter().map(|v| (v, Vec::new())));
    out.push(notes_table(notes));
}
