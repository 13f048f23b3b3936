//! One table model for the human-readable formats: the terminal renderer
//! and Markdown only say how a title, a header and a row look.

use super::number::short;
use crate::bootstrap::BootstrapResult;
use crate::counts::threshold::OperatingPoint;
use crate::engine::classify::{ClassGroup, ClassifyResult, NamedValue};
use crate::engine::identify::IdentifyResult;
use crate::engine::verify::VerifyResult;
use crate::groups::Reference;
use crate::math::interval::CiMethod;
use crate::report::Report;
use crate::stats::disparity::Summary;
use crate::stats::rate::Rate;
use crate::stats::significance::RateTests;

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

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), short)
}

/// The tables of a report, in reading order.
pub fn tables(report: &Report) -> Vec<TableModel> {
    let mut out = Vec::new();
    let pr = &report.provenance;
    let mut prov = TableModel::new("Provenance", &["item", "value"]);
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
    if let Some(v) = &report.verify {
        verify_tables(v, &mut out);
    }
    if let Some(c) = &report.classify {
        classify_tables(c, &mut out);
    }
    if let Some(i) = &report.identify {
        identify_tables(i, &mut out);
    }
    if let Some(b) = &report.bootstrap {
        bootstrap_tables(b, &mut out);
    }
    if let Some(s) = &report.summarize {
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
            format!("Disparity summaries (α = {})", s.alpha),
            &["summary", "value", "note"],
        );
        for x in &s.summaries {
            sums.rows.push(vec![
                x.metric.clone(),
                short(x.value),
                x.reason.clone().unwrap_or_default(),
            ]);
        }
        out.push(sums);
        if !s.notes.is_empty() {
            let mut notes = TableModel::new("Notes", &["note"]);
            notes.rows.extend(s.notes.iter().map(|n| vec![n.clone()]));
            out.push(notes);
        }
    }
    out
}

fn verify_tables(v: &VerifyResult, out: &mut Vec<TableModel>) {
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
        let rows: Vec<(&str, &[RateTests])> = view
            .operating_points
            .iter()
            .map(|a| (a.policy.as_str(), &a.tests[..]))
            .collect();
        out.push(tests_table(&view.attribute, view.reference.as_ref(), &rows));
    }
    let mut notes = TableModel::new("Notes", &["note"]);
    notes.rows.extend(v.notes.iter().map(|n| vec![n.clone()]));
    for view in &v.views {
        for a in &view.operating_points {
            notes
                .rows
                .extend(cautions(&view.attribute, &a.policy, a.summaries.iter()));
        }
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
    notes.rows.push(vec![ADEQUACY_NOTE.into()]);
    notes
        .rows
        .push(vec![format!("intervals: {}", v.conventions.interval)]);
    out.push(notes);
}

fn bootstrap_tables(b: &BootstrapResult, out: &mut Vec<TableModel>) {
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
        format!("Bootstrap: {level} percentile intervals of key summaries ({} replicates of {} {}s, seed {}; all values in JSON/CSV)", b.replicates, b.units, b.unit, b.seed),
        &["attribute", "policy", "summary", "interval", "undefined replicates"],
    );
    for i in b
        .intervals
        .iter()
        .filter(|i| i.group.is_empty() && key(&i.metric))
    {
        t.rows.push(vec![
            i.attribute.clone(),
            i.policy.clone(),
            i.metric.clone(),
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
                x.attribute.clone(),
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

fn identify_tables(res: &IdentifyResult, out: &mut Vec<TableModel>) {
    let title = format!(
        "1:N operating points ({} scores; pool: non-mated searches)",
        res.score_sense
    );
    out.push(operating_points_table(
        title,
        "achieved FPIR",
        &res.operating_points,
    ));
    for view in &res.views {
        let mut g = TableModel::new(
            format!("Searches by {}", view.attribute),
            &["group", "mated", "non-mated", "rank-1 hit rate"],
        );
        for (k, info) in view.groups.iter().enumerate() {
            g.rows.push(vec![
                info.group.clone(),
                info.mated_searches.to_string(),
                info.nonmated_searches.to_string(),
                rate_cell(&view.rank1[k]),
            ]);
        }
        out.push(g);
        for at in &view.operating_points {
            let mut header = vec!["group".to_string(), "FPIR".to_string()];
            header.extend(at.ranks.iter().map(|k| format!("FNIR (rank ≤ {})", k.rank)));
            if at.false_candidates_same_group.is_some() {
                header.push("false candidates from the probe's group".into());
            }
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let mut t = TableModel::new(
                format!("{} at {} (95% intervals)", view.attribute, at.policy),
                &header,
            );
            for (k, info) in view.groups.iter().enumerate() {
                let mut row = vec![info.group.clone(), rate_cell(&at.fpir[k])];
                row.extend(at.ranks.iter().map(|r| rate_cell(&r.fnir[k])));
                if let Some(share) = &at.false_candidates_same_group {
                    row.push(rate_cell(&share[k]));
                }
                t.rows.push(row);
            }
            out.push(t);
        }
        if view.attribute == "*" {
            continue;
        }
        let mut sums = TableModel::new(
            format!("{}: disparity summaries", view.attribute),
            &["policy", "summary", "value"],
        );
        for at in &view.operating_points {
            for s in at
                .fpir_summaries
                .iter()
                .chain(at.ranks.iter().flat_map(|k| k.summaries.iter()))
            {
                sums.rows
                    .push(vec![at.policy.clone(), s.metric.clone(), short(s.value)]);
            }
        }
        out.push(sums);
        let rows: Vec<(&str, &[RateTests])> = view
            .operating_points
            .iter()
            .flat_map(|a| {
                a.ranks
                    .iter()
                    .map(move |k| (a.policy.as_str(), &k.tests[..]))
            })
            .collect();
        out.push(tests_table(&view.attribute, view.reference.as_ref(), &rows));
    }
    let mut notes = TableModel::new("Notes", &["note"]);
    notes.rows.extend(res.notes.iter().map(|n| vec![n.clone()]));
    notes.rows.push(vec![ADEQUACY_NOTE.into()]);
    out.push(notes);
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

const ADEQUACY_NOTE: &str = "‡ fewer than 30 errors: the rate is poorly determined (rule of 30); a rate with no errors can only be bounded by ≈ 3/n";

/// The tests of one view: homogeneity, then each group against the reference.
fn tests_table(
    attribute: &str,
    reference: Option<&Reference>,
    rows: &[(&str, &[RateTests])],
) -> TableModel {
    let title = match reference {
        Some(r) => format!(
            "{attribute}: tests of difference (reference {}, {})",
            r.group, r.rule
        ),
        None => format!("{attribute}: tests of difference"),
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
    let opt = |x: Option<f64>| x.map_or_else(|| "-".into(), short);
    for (policy, tests) in rows {
        for x in tests.iter() {
            let h = &x.homogeneity;
            let stat = h.statistic.map_or_else(
                || h.reason.clone().unwrap_or_default(),
                |s| format!("χ² = {}, df {}", short(s), h.df.unwrap_or(0.0)),
            );
            t.rows.push(vec![
                policy.to_string(),
                x.metric.clone(),
                h.method.into(),
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
                    policy.to_string(),
                    x.metric.clone(),
                    g.test.method.into(),
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

/// One line per distinct caution of a view's summaries.
fn cautions<'a>(
    attribute: &str,
    policy: &str,
    summaries: impl Iterator<Item = &'a Summary>,
) -> Vec<Vec<String>> {
    let mut seen: Vec<&str> = Vec::new();
    for c in summaries
        .filter_map(|s| s.caution.as_deref())
        .flat_map(|c| c.split("; "))
    {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.iter()
        .map(|c| vec![format!("{attribute} summaries at {policy}: {c}")])
        .collect()
}

fn value_cell(values: &[NamedValue], metric: &str) -> String {
    values
        .iter()
        .find(|x| x.metric == metric)
        .map_or_else(|| "-".into(), |x| short(x.value))
}

fn rate_of<'a>(g: &'a ClassGroup, metric: &str) -> Option<&'a Rate> {
    g.rates.iter().find(|r| r.metric == metric).map(|r| &r.rate)
}

fn classify_tables(c: &ClassifyResult, out: &mut Vec<TableModel>) {
    let mut head = TableModel::new("Classification", &["setting", "value"]);
    head.rows.push(vec!["mode".into(), c.mode.into()]);
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
        if c.weighted {
            "yes".into()
        } else {
            "no".into()
        },
    ]);
    out.push(head);
    let binary = c.mode == "binary";
    for view in &c.views {
        let cols: Vec<String> = if binary {
            [
                "selection_rate",
                "base_rate",
                "accuracy",
                "tpr",
                "fpr",
                "fnr",
                "ppv",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        } else {
            std::iter::once("accuracy".to_string())
                .chain(c.labels.iter().map(|l| format!("recall:{l}")))
                .collect()
        };
        let mut header = vec!["group", "items"];
        header.extend(cols.iter().map(String::as_str));
        if binary {
            header.extend(["f1", "auc"]);
        }
        let mut t = TableModel::new(format!("{} (95% intervals)", view.attribute), &header);
        for g in &view.groups {
            let mut row = vec![g.group.clone(), g.rows.to_string()];
            row.extend(
                cols.iter()
                    .map(|m| rate_of(g, m).map_or_else(|| "-".into(), rate_cell)),
            );
            if binary {
                row.push(value_cell(&g.values, "f1"));
                row.push(value_cell(&g.values, "auc"));
            }
            if !g.in_summaries && view.attribute != "*" {
                row[0] = format!("{} (small)", g.group);
            }
            t.rows.push(row);
        }
        out.push(t);
        if view.attribute == "*" {
            continue;
        }
        let mut p = TableModel::new(
            format!("{}: fairlearn parity", view.attribute),
            &["metric", "between groups", "to overall"],
        );
        for s in view
            .parity
            .iter()
            .filter(|s| !s.metric.contains('.') || s.metric.ends_with(".mean"))
        {
            let other = view
                .parity
                .iter()
                .find(|x| x.metric == format!("{}.to_overall", s.metric));
            p.rows.push(vec![
                s.metric.clone(),
                short(s.value),
                other.map_or_else(|| "-".into(), |x| short(x.value)),
            ]);
        }
        if !p.rows.is_empty() {
            out.push(p);
        }
        if let Some(r) = &view.reference {
            let names = [
                "disparate_impact",
                "statistical_parity_difference",
                "average_odds_difference",
                "average_abs_odds_difference",
                "error_rate_ratio",
            ];
            let mut header = vec!["group"];
            header.extend(names);
            let mut a = TableModel::new(
                format!(
                    "{}: AIF360, against reference {} ({})",
                    view.attribute, r.group, r.rule
                ),
                &header,
            );
            for g in view.groups.iter().filter(|g| g.group != r.group) {
                let mut row = vec![g.group.clone()];
                for m in names {
                    let x = view
                        .versus_reference
                        .iter()
                        .find(|x| x.group == g.group && x.value.metric == m)
                        .map(|x| x.value.value);
                    let mut cell = x.map_or_else(|| "-".into(), short);
                    if m == "disparate_impact" && x.is_some_and(|x| x < 0.8) {
                        cell.push_str(" (< 4/5)");
                    }
                    row.push(cell);
                }
                a.rows.push(row);
            }
            out.push(a);
        }
        let shown = ["error_rate", "fpr", "fnr", "selection_rate", "accuracy"];
        let mut header = vec!["summary"];
        header.extend(shown.iter().filter(|m| {
            view.summaries
                .iter()
                .any(|s| s.metric.starts_with(&format!("{m}.")))
        }));
        let mut sums = TableModel::new(format!("{}: disparity summaries", view.attribute), &header);
        for kind in [
            "max_minus_min",
            "max_over_min",
            "max_over_geomean",
            "max_over_mean",
            "gini",
            "std",
            "std_sample",
        ] {
            let mut row = vec![kind.to_string()];
            for m in &header[1..] {
                let s = view
                    .summaries
                    .iter()
                    .find(|s| s.metric == format!("{m}.{kind}"));
                row.push(s.map_or_else(|| "-".into(), |s| short(s.value)));
            }
            sums.rows.push(row);
        }
        out.push(sums);
        out.push(tests_table(
            &view.attribute,
            view.reference.as_ref(),
            &[(c.policy.as_str(), &view.tests[..])],
        ));
    }
    let mut notes = TableModel::new("Notes", &["note"]);
    notes.rows.extend(c.notes.iter().map(|n| vec![n.clone()]));
    notes.rows.push(vec![ADEQUACY_NOTE.into()]);
    for view in &c.views {
        notes
            .rows
            .extend(cautions(&view.attribute, &c.policy, view.summaries.iter()));
    }
    notes
        .rows
        .push(vec![format!("intervals: {}", c.conventions.interval)]);
    notes.rows.push(vec![format!(
        "undefined rates: {}",
        c.conventions.undefined
    )]);
    out.push(notes);
}

/// Plain sentences for the top of a page: the largest disparities and
/// where they come from (values already in the report).
pub fn summary(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let get = |s: &[Summary], m: &str| s.iter().find(|x| x.metric == m).map(|x| x.value);
    let boot = |attribute: &str, policy: &str, metric: &str| {
        report.bootstrap.as_ref().and_then(|b| {
            b.intervals
                .iter()
                .find(|i| {
                    i.attribute == attribute
                        && i.policy == policy
                        && i.metric == metric
                        && i.group.is_empty()
                })
                .map(|i| {
                    format!(
                        " (bootstrap {}%: {} to {})",
                        b.level * 100.0,
                        short(i.low),
                        short(i.high)
                    )
                })
        })
    };
    if let Some(v) = &report.verify {
        for view in v.views.iter().filter(|w| w.attribute != "*") {
            for at in view.operating_points.iter().take(2) {
                for (rate, pick) in [("FMR", 0usize), ("FNMR", 1)] {
                    let rates: Vec<(&str, &Rate)> = at
                        .groups
                        .iter()
                        .map(|g| (g.group.as_str(), if pick == 0 { &g.fmr } else { &g.fnmr }))
                        .collect();
                    let Some((worst, r)) = rates
                        .iter()
                        .filter(|(_, r)| r.value.is_finite())
                        .max_by(|a, b| a.1.value.total_cmp(&b.1.value))
                    else {
                        continue;
                    };
                    let metric = format!("{}.max_over_geomean", rate.to_lowercase());
                    if let Some(x) = get(&at.summaries, &metric) {
                        out.push(format!(
                            "By {} at {}: {rate} is highest for {worst} ({}), {} times the geometric mean of the groups{}.",
                            view.attribute,
                            at.policy,
                            rate_cell(r),
                            short(x),
                            boot(&view.attribute, &at.policy, &metric).unwrap_or_default()
                        ));
                    }
                }
            }
        }
    }
    if let Some(c) = &report.classify {
        for view in c.views.iter().filter(|w| w.attribute != "*") {
            for m in ["fpr", "fnr", "selection_rate"] {
                if let Some(x) = get(&view.summaries, &format!("{m}.max_over_min")) {
                    out.push(format!(
                        "By {}: the largest {m} is {} times the smallest.",
                        view.attribute,
                        short(x)
                    ));
                }
            }
        }
    }
    if let Some(i) = &report.identify {
        for view in i.views.iter().filter(|w| w.attribute != "*") {
            for at in &view.operating_points {
                if let Some(x) = get(&at.fpir_summaries, "fpir.max_over_geomean") {
                    out.push(format!("By {} at {}: the highest FPIR is {} times the geometric mean of the groups.", view.attribute, at.policy, short(x)));
                }
            }
        }
    }
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
