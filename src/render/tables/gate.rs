//! The release gate's verdict table: one row per gate, first in every
//! human-readable format of a `biasbench check` report.

use super::TableModel;
use crate::render::number::short;
use crate::report::gate::{Better, Judged, On, Outcome, Verdicts};

/// The limit as written: `≤ 0.002 (bound)`, `≥ 0.9`, `≤ baseline + 10 %`.
fn limit(v: &crate::report::gate::Verdict) -> String {
    let g = &v.gate;
    let on = match g.on {
        On::Estimate => "",
        On::Bound => " (bound)",
    };
    match (g.max, g.min, g.max_increase) {
        (Some(m), _, _) => format!("≤ {}{on}", short(m)),
        (_, Some(m), _) => format!("≥ {}{on}", short(m)),
        (_, _, Some(r)) => match g.better {
            Better::Lower => format!("≤ baseline + {} %{on}", short(r * 100.0)),
            Better::Higher => format!("≥ baseline − {} %{on}", short(r * 100.0)),
        },
        _ => "not worse than baseline".into(),
    }
}

fn interval(j: &Judged) -> String {
    j.ci.map_or_else(
        || "-".into(),
        |b| format!("[{}, {}]", short(b.low), short(b.high)),
    )
}

/// The verdict table, when gates were judged.
pub(super) fn table(verdicts: &Option<Verdicts>) -> Option<TableModel> {
    let v = verdicts.as_ref()?;
    let count = |o: Outcome| v.gates.iter().filter(|g| g.outcome == o).count();
    let title = format!(
        "Release gate: {} ({} of {} gates pass, {} fail, {} inconclusive{})",
        v.outcome.to_string().to_uppercase(),
        count(Outcome::Pass),
        v.gates.len(),
        count(Outcome::Fail),
        count(Outcome::Inconclusive),
        v.baseline
            .as_ref()
            .map_or_else(String::new, |b| format!("; baseline {b}")),
    );
    let mut header = vec![
        "gate",
        "verdict",
        "decided by",
        "value",
        "interval",
        "limit",
    ];
    if v.baseline.is_some() {
        header.extend(["baseline", "change"]);
    }
    header.push("why");
    let mut t = TableModel::new(title, &header);
    for g in &v.gates {
        let j = &g.values[g.decided_by];
        let by = match j.group.as_str() {
            "" => format!("{} @ {}", g.gate.attribute, j.policy),
            group => format!("{} {group} @ {}", g.gate.attribute, j.policy),
        };
        let mut row = vec![
            g.gate.name.clone(),
            g.outcome.to_string(),
            by,
            short(j.value),
            interval(j),
            limit(g),
        ];
        if v.baseline.is_some() {
            let (base, change) = match j.baseline {
                Some(b) => (short(b.value), short(j.value - b.value)),
                None => ("-".into(), "-".into()),
            };
            row.extend([base, change]);
        }
        row.push(j.why.clone());
        t.rows.push(row);
    }
    Some(t)
}
