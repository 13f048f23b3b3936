//! The tidy CSV: one row per value, with exactly the columns
//! `task,attribute,group,policy,threshold,metric,value,ci_low,ci_high,errors,trials`.
//!
//! * Per-group rates: group = the group's value; `errors`/`trials` hold the
//!   rate's numerator and denominator (errors for fmr/fnmr, correct decisions
//!   for accuracy, true matches for tmr).
//! * Cross-group FMR: group = `A~B` (only pairs with comparisons).
//! * Summaries: group empty. Pooled values: attribute and group `*`.
//! * Threshold-free values (eer, auc, dprime, counts): policy `none`; the
//!   eer row's threshold is the EER threshold.
//! * Provenance first: attribute `provenance`, the text in `group` (tool and
//!   version, command line, time, each input's path and SHA-256) and the
//!   number in `value` where there is one (seed, input bytes and rows);
//!   the configuration is in the JSON.
//! * Row accounting: attribute `rows`, group = the bucket (`read`, `used`, or
//!   the drop reason), metric `rows`, value = the count.
//! * Release gate (`biasbench check`): attribute `gate`, group = the gate's
//!   name, metric = its verdict (`pass`, `fail`, `inconclusive`), value and
//!   interval = the value that decided it, threshold = the limit it met.
//! * Paired comparison (`biasbench compare`): the rows above are model B's;
//!   then per group and error rate `baseline.<rate>` (model A's value, its
//!   threshold and counts), `delta.<rate>` (B − A with Newcombe's interval),
//!   `delta.<rate>.p_mcnemar`, `delta.<rate>.p_holm` and, with the paired
//!   bootstrap, `delta.<rate>.bootstrap` (B − A with its percentile
//!   interval); per summary `baseline.<summary>` and `delta.<summary>` (the
//!   bootstrap interval), `delta.<summary>.p` (and `.p_holm` for a
//!   verdict's); per verdict attribute `compare`, group =
//!   `<view>:<summary>`, metric = the verdict (`narrows`, `widens`,
//!   `no-significant-change`, `untested`), value and interval = B − A;
//!   with two tables (`--key`), model B's table's row accounting as
//!   attribute `rows_b` (A's is `rows`).
//! * Classification: policy `cutoff:T` for thresholded scores, else `none`;
//!   per group `items` and `weight`, every rate, the values (`f1`, `auc`,
//!   `theil_index`, …), multiclass `recall:<class>`, `precision:<class>` and
//!   `confusion:<true>:<predicted>`; summaries and fairlearn's parity metrics
//!   with an empty group (`.to_overall` marks that method); AIF360's forms
//!   with the compared group in `group` (the reference is in the JSON).
//! * Tests of difference: `<rate>.p_homogeneity` (chi-square, group empty);
//!   per group `<rate>.p_vs_reference.fisher` or `.z` and
//!   `<rate>.p_vs_reference_holm`; `NaN` where a test cannot be computed.
//! * Summaries: `ci_low`/`ci_high` hold the simultaneous interval (the
//!   summary's range over the Bonferroni box of per-group intervals), also
//!   with `--bootstrap`: the bootstrap percentile interval of a summary is in
//!   the JSON's bootstrap section and the report's bootstrap table.
//! * With `--bootstrap`, `ci_low`/`ci_high` of every per-group rate and
//!   statistic hold the bootstrap percentile interval (the binomial interval
//!   stays in the JSON).
//! * The pooled FMR a `global-fmr` policy calibrates is set by the policy:
//!   no interval.
//! * Identification: per group `searches_mated`, `searches_nonmated`,
//!   `rank1` and `cmc@R` (policy `none`); at each policy `fpir` and `fnir`
//!   (rank 1; `fnir@R` at rank R), their summaries (`fnir@R.*`, `fdr@R`, …
//!   for R ≠ 1, with FPIR and FNIR in the roles of FMR and FNMR) and tests;
//!   with candidate attributes, `fp_candidates_same_group` per probe group.
//! * Summarize: attribute = the group column, each published rate per group
//!   (`errors` = rate × trials when trials are given), then the summaries.

use super::number::{exact, spreadsheet_safe};
use crate::report::paired::Paired;
use crate::report::Report;
use crate::value::{Flatten, Key, Kind};
use std::collections::HashMap;

pub(crate) const HEADER: [&str; 11] = [
    "task",
    "attribute",
    "group",
    "policy",
    "threshold",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "errors",
    "trials",
];

/// One row of the tidy CSV.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TidyRow {
    pub(crate) task: &'static str,
    pub(crate) attribute: String,
    pub(crate) group: String,
    pub(crate) policy: String,
    pub(crate) threshold: Option<f64>,
    pub(crate) metric: String,
    pub(crate) value: f64,
    pub(crate) ci: Option<(f64, f64)>,
    pub(crate) counts: Option<(f64, f64)>,
}

impl TidyRow {
    fn new(task: &'static str, attribute: &str, group: &str, metric: &str, value: f64) -> TidyRow {
        TidyRow {
            task,
            attribute: attribute.to_string(),
            group: group.to_string(),
            policy: "none".into(),
            threshold: None,
            metric: metric.to_string(),
            value,
            ci: None,
            counts: None,
        }
    }
}

/// The provenance rows, then the row accounting.
fn meta_rows(report: &Report, task: &'static str) -> Vec<TidyRow> {
    let prov = |group: &str, metric: &str, value: f64| {
        TidyRow::new(task, "provenance", group, metric, value)
    };
    let pr = &report.provenance;
    let mut out = vec![
        prov(
            &format!("{} {}", report.tool.name, report.tool.version),
            "tool",
            f64::NAN,
        ),
        prov(&pr.command.join(" "), "command", f64::NAN),
    ];
    if let Some(seed) = pr.seed {
        out.push(prov("", "seed", seed as f64));
    }
    if let Some(time) = &pr.time {
        out.push(prov(time, "time", f64::NAN));
    }
    for f in &pr.inputs {
        let metric = |what: &str| format!("input.{}.{what}", f.role);
        out.push(prov(&f.path, &metric("bytes"), f.bytes as f64));
        out.push(prov(&f.path, &metric("rows"), f.rows as f64));
        out.push(prov(&f.sha256, &metric("sha256"), f64::NAN));
    }
    let acc = &report.accounting;
    let rows = |bucket: &str, n: u64| TidyRow::new(task, "rows", bucket, "rows", n as f64);
    out.push(rows("read", acc.rows));
    out.push(rows("used", acc.used));
    for d in &acc.dropped {
        out.push(rows(&d.reason.as_str(), d.count));
    }
    // The release gate: per gate, its verdict as the metric and the value
    // that decided it, the limit as the threshold.
    for v in report.gate.iter().flat_map(|g| &g.gates) {
        let j = &v.values[v.decided_by];
        out.push(TidyRow {
            policy: j.policy.clone(),
            threshold: Some(j.limit),
            ci: j.ci.map(|b| (b.low, b.high)),
            counts: None,
            ..TidyRow::new(task, "gate", &v.gate.name, &v.outcome.to_string(), j.value)
        });
    }
    out
}

/// Flattens a report into tidy rows, in report order. With a bootstrap the
/// interval columns of every value it resampled hold its percentile interval.
pub(crate) fn rows(report: &Report) -> Vec<TidyRow> {
    let task = report.task();
    let boot: HashMap<&Key, (f64, f64)> = report
        .bootstrap
        .iter()
        .flat_map(|b| &b.intervals)
        .map(|i| (&i.key, (i.low, i.high)))
        .collect();
    let mut out = meta_rows(report, task);
    out.extend(report.findings.values().into_iter().map(|v| TidyRow {
        task,
        attribute: v.key.attribute.to_string(),
        ci: match v.kind {
            Kind::Summary => v.ci,
            _ => boot.get(&v.key).copied().or(v.ci),
        },
        group: v.key.group,
        policy: v.key.policy,
        threshold: v.threshold,
        metric: v.key.metric,
        value: v.value,
        counts: v.counts,
    }));
    if let Some(p) = &report.paired {
        paired_rows(p, task, &mut out);
    }
    out
}

/// The paired comparison's rows (see the module docs).
fn paired_rows(p: &Paired, task: &'static str, out: &mut Vec<TidyRow>) {
    let row = |key: &Key, metric: String, value: f64| TidyRow {
        policy: key.policy.clone(),
        ..TidyRow::new(task, &key.attribute.name(), &key.group, &metric, value)
    };
    for r in &p.rates {
        let (k, m) = (&r.key, &r.key.metric);
        out.push(TidyRow {
            threshold: r.threshold_a,
            counts: (r.discordance).map(|d| ((d.both + d.only_a) as f64, d.trials as f64)),
            ..row(k, format!("baseline.{m}"), r.values.a)
        });
        out.push(TidyRow {
            threshold: r.threshold_b,
            ci: r.ci,
            ..row(k, format!("delta.{m}"), r.values.delta)
        });
        for (suffix, p) in [("p_mcnemar", r.p), ("p_holm", r.p_holm)] {
            out.extend(p.map(|p| row(k, format!("delta.{m}.{suffix}"), p)));
        }
        if r.bootstrap_ci.is_some() {
            out.push(TidyRow {
                ci: r.bootstrap_ci,
                ..row(k, format!("delta.{m}.bootstrap"), r.values.delta)
            });
        }
    }
    for s in &p.summaries {
        let (k, m) = (&s.key, &s.key.metric);
        out.push(row(k, format!("baseline.{m}"), s.values.a));
        out.push(TidyRow {
            ci: s.ci,
            ..row(k, format!("delta.{m}"), s.values.delta)
        });
        for (suffix, p) in [("p", s.p), ("p_holm", s.p_holm)] {
            out.extend(p.map(|p| row(k, format!("delta.{m}.{suffix}"), p)));
        }
    }
    if let Some(acc) = &p.rows_b {
        let rows = |bucket: &str, n: u64| TidyRow::new(task, "rows_b", bucket, "rows", n as f64);
        out.push(rows("read", acc.rows));
        out.push(rows("used", acc.used));
        out.extend(
            acc.dropped
                .iter()
                .map(|d| rows(&d.reason.as_str(), d.count)),
        );
    }
    for v in &p.verdicts {
        let s = &v.summary;
        let group = format!("{}:{}", s.key.attribute.name(), s.key.metric);
        let change = serde_json::to_value(v.change).expect("a verdict serialises");
        out.push(TidyRow {
            policy: s.key.policy.clone(),
            ci: s.ci,
            ..TidyRow::new(
                task,
                "compare",
                &group,
                change.as_str().unwrap_or(""),
                s.values.delta,
            )
        });
    }
}

/// Writes rows as CSV; text cells are made spreadsheet-safe.
pub(crate) fn to_csv(rows: &[TidyRow]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let opt = |x: Option<f64>| x.map(exact).unwrap_or_default();
    w.write_record(HEADER).expect("write to memory");
    for r in rows {
        w.write_record([
            r.task.to_string(),
            spreadsheet_safe(&r.attribute),
            spreadsheet_safe(&r.group),
            r.policy.clone(),
            opt(r.threshold),
            r.metric.clone(),
            exact(r.value),
            opt(r.ci.map(|c| c.0)),
            opt(r.ci.map(|c| c.1)),
            opt(r.counts.map(|c| c.0)),
            opt(r.counts.map(|c| c.1)),
        ])
        .expect("write to memory");
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("CSV of UTF-8 cells")
}
