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
//! * Classification: policy `cutoff:T` for thresholded scores, else `none`;
//!   per group `items` and `weight`, every rate, the values (`f1`, `auc`,
//!   `theil_index`, …), multiclass `recall:<class>`, `precision:<class>` and
//!   `confusion:<true>:<predicted>`; summaries and fairlearn's parity metrics
//!   with an empty group (`.to_overall` marks that method); AIF360's forms
//!   with the compared group in `group` (the reference is in the JSON).
//! * Tests of difference: `<rate>.p_homogeneity` (chi-square, group empty);
//!   per group `<rate>.p_vs_reference.fisher` or `.z` and
//!   `<rate>.p_vs_reference_holm`; `NaN` where a test cannot be computed.
//! * With `--bootstrap`, `ci_low`/`ci_high` of every rate and summary hold
//!   the bootstrap percentile interval (the binomial interval stays in the JSON).
//! * Identification: per group `searches_mated`, `searches_nonmated`,
//!   `rank1` and `cmc@R` (policy `none`); at each policy `fpir` and `fnir`
//!   (rank 1; `fnir@R` at rank R), their summaries (`fnir@R.*`, `fdr@R`, …
//!   for R ≠ 1, with FPIR and FNIR in the roles of FMR and FNMR) and tests;
//!   with candidate attributes, `fp_candidates_same_group` per probe group.
//! * Summarize: attribute = the group column, each published rate per group
//!   (`errors` = rate × trials when trials are given), then the summaries.

use super::number::{exact, spreadsheet_safe};
use crate::engine::classify::ClassifyResult;
use crate::engine::identify::IdentifyResult;
use crate::engine::verify::VerifyResult;
use crate::report::Report;
use crate::stats::disparity::Summary;
use crate::stats::rate::Rate;
use crate::stats::significance::RateTests;
use std::collections::HashMap;

pub const HEADER: [&str; 11] = [
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
pub struct TidyRow {
    pub task: &'static str,
    pub attribute: String,
    pub group: String,
    pub policy: String,
    pub threshold: Option<f64>,
    pub metric: String,
    pub value: f64,
    pub ci: Option<(f64, f64)>,
    pub counts: Option<(f64, f64)>,
}

struct Rows<'r> {
    out: Vec<TidyRow>,
    task: &'static str,
    attribute: &'r str,
}

impl Rows<'_> {
    fn push(
        &mut self,
        group: &str,
        policy: &str,
        threshold: Option<f64>,
        metric: &str,
        value: f64,
    ) -> &mut TidyRow {
        self.out.push(TidyRow {
            task: self.task,
            attribute: self.attribute.to_string(),
            group: group.to_string(),
            policy: policy.to_string(),
            threshold,
            metric: metric.to_string(),
            value,
            ci: None,
            counts: None,
        });
        self.out.last_mut().expect("just pushed")
    }

    fn rate(&mut self, group: &str, policy: &str, threshold: Option<f64>, metric: &str, r: &Rate) {
        let row = self.push(group, policy, threshold, metric, r.value);
        row.ci = r.ci.map(|i| (i.low, i.high));
        row.counts = Some((r.events, r.trials));
    }

    fn summaries(&mut self, policy: &str, threshold: Option<f64>, s: &[Summary]) {
        for x in s {
            self.push("", policy, threshold, &x.metric, x.value);
        }
    }

    /// `<rate>.p_homogeneity` (chi-square) over the groups, then per group
    /// `<rate>.p_vs_reference.<fisher|z>` and `<rate>.p_vs_reference_holm`.
    fn tests(&mut self, policy: &str, threshold: Option<f64>, tests: &[RateTests]) {
        let p = |x: Option<f64>| x.unwrap_or(f64::NAN);
        for t in tests {
            self.push(
                "",
                policy,
                threshold,
                &format!("{}.p_homogeneity", t.metric),
                p(t.homogeneity.p),
            );
            for g in &t.versus_reference {
                let method = if g.test.method.starts_with("Fisher") {
                    "fisher"
                } else {
                    "z"
                };
                self.push(
                    &g.group,
                    policy,
                    threshold,
                    &format!("{}.p_vs_reference.{method}", t.metric),
                    p(g.test.p),
                );
                self.push(
                    &g.group,
                    policy,
                    threshold,
                    &format!("{}.p_vs_reference_holm", t.metric),
                    p(g.p_holm),
                );
            }
        }
    }
}

/// Flattens a report into tidy rows, in report order.
pub fn rows(report: &Report) -> Vec<TidyRow> {
    let mut r = Rows {
        out: Vec::new(),
        task: report.task(),
        attribute: "provenance",
    };
    let pr = &report.provenance;
    r.push(
        &format!("{} {}", report.tool.name, report.tool.version),
        "none",
        None,
        "tool",
        f64::NAN,
    );
    r.push(&pr.command.join(" "), "none", None, "command", f64::NAN);
    if let Some(seed) = pr.seed {
        r.push("", "none", None, "seed", seed as f64);
    }
    if let Some(time) = &pr.time {
        r.push(time, "none", None, "time", f64::NAN);
    }
    for f in &pr.inputs {
        r.push(
            &f.path,
            "none",
            None,
            &format!("input.{}.bytes", f.role),
            f.bytes as f64,
        );
        r.push(
            &f.path,
            "none",
            None,
            &format!("input.{}.rows", f.role),
            f.rows as f64,
        );
        r.push(
            &f.sha256,
            "none",
            None,
            &format!("input.{}.sha256", f.role),
            f64::NAN,
        );
    }
    r.attribute = "rows";
    let acc = &report.accounting;
    r.push("read", "none", None, "rows", acc.rows as f64);
    r.push("used", "none", None, "rows", acc.used as f64);
    for d in &acc.dropped {
        r.push(&d.reason.as_str(), "none", None, "rows", d.count as f64);
    }
    if let Some(v) = &report.verify {
        verify_rows(&mut r, v);
    }
    if let Some(c) = &report.classify {
        classify_rows(&mut r, c);
    }
    if let Some(i) = &report.identify {
        identify_rows(&mut r, i);
    }
    if let Some(s) = &report.summarize {
        r.attribute = &s.group_column;
        for col in &s.rates {
            for g in &col.groups {
                let row = r.push(&g.group, "none", None, &col.rate, g.value);
                row.counts = g.trials.map(|n| (g.value * n, n));
            }
        }
        r.summaries("none", None, &s.summaries);
    }
    let mut out = r.out;
    if let Some(b) = &report.bootstrap {
        // With a bootstrap the interval columns hold its percentile intervals.
        let by_key: HashMap<(&str, &str, &str, &str), (f64, f64)> = b
            .intervals
            .iter()
            .map(|i| {
                (
                    (
                        i.attribute.as_str(),
                        i.group.as_str(),
                        i.policy.as_str(),
                        i.metric.as_str(),
                    ),
                    (i.low, i.high),
                )
            })
            .collect();
        for row in &mut out {
            if let Some(&ci) = by_key.get(&(
                row.attribute.as_str(),
                row.group.as_str(),
                row.policy.as_str(),
                row.metric.as_str(),
            )) {
                row.ci = Some(ci);
            }
        }
    }
    out
}

fn verify_rows<'r>(r: &mut Rows<'r>, v: &'r VerifyResult) {
    for view in &v.views {
        r.attribute = &view.attribute;
        for g in &view.groups {
            r.push(&g.group, "none", None, "comparisons_mated", g.mated as f64);
            r.push(
                &g.group,
                "none",
                None,
                "comparisons_nonmated",
                g.nonmated as f64,
            );
            if let Some(s) = g.subjects {
                r.push(&g.group, "none", None, "subjects", s as f64);
            }
        }
        for (at, point) in view.operating_points.iter().zip(&v.operating_points) {
            for g in &at.groups {
                let t = Some(g.threshold).filter(|t| !t.is_nan());
                r.rate(&g.group, &at.policy, t, "fmr", &g.fmr);
                r.rate(&g.group, &at.policy, t, "fnmr", &g.fnmr);
                r.rate(&g.group, &at.policy, t, "tmr", &g.tmr);
                r.rate(&g.group, &at.policy, t, "accuracy", &g.accuracy);
            }
            if let Some(m) = &at.cross_fmr {
                for (i, row) in m.fmr.iter().enumerate() {
                    for (j, cell) in row.iter().enumerate().skip(i + 1) {
                        if cell.trials > 0.0 {
                            let pair = format!("{}~{}", m.groups[i], m.groups[j]);
                            r.rate(&pair, &at.policy, point.threshold, "fmr", cell);
                        }
                    }
                }
            }
            r.summaries(&at.policy, point.threshold, &at.summaries);
            r.tests(&at.policy, point.threshold, &at.tests);
        }
        for g in &view.threshold_free {
            r.push(&g.group, "none", g.eer_threshold, "eer", g.eer);
            r.push(&g.group, "none", None, "auc", g.auc);
            r.push(&g.group, "none", None, "dprime", g.dprime);
        }
        r.summaries("none", None, &view.threshold_free_summaries);
    }
}

fn classify_rows<'r>(r: &mut Rows<'r>, c: &'r ClassifyResult) {
    let (p, t) = (c.policy.as_str(), c.threshold);
    for view in &c.views {
        r.attribute = &view.attribute;
        for g in &view.groups {
            r.push(&g.group, p, t, "items", g.rows as f64);
            r.push(&g.group, p, t, "weight", g.weight);
            for x in &g.rates {
                r.rate(&g.group, p, t, &x.metric, &x.rate);
            }
            for x in &g.values {
                r.push(&g.group, p, t, &x.metric, x.value);
            }
            if let Some(m) = &g.confusion {
                for (i, row) in m.iter().enumerate() {
                    for (j, w) in row.iter().enumerate() {
                        let metric = format!("confusion:{}:{}", c.labels[i], c.labels[j]);
                        r.push(&g.group, p, t, &metric, *w);
                    }
                }
            }
        }
        r.summaries(p, t, &view.summaries);
        r.summaries(p, t, &view.parity);
        for x in &view.versus_reference {
            r.push(&x.group, p, t, &x.value.metric, x.value.value);
        }
        r.tests(p, t, &view.tests);
    }
}

fn identify_rows<'r>(r: &mut Rows<'r>, res: &'r IdentifyResult) {
    for view in &res.views {
        r.attribute = &view.attribute;
        for (g, info) in view.groups.iter().enumerate() {
            r.push(
                &info.group,
                "none",
                None,
                "searches_mated",
                info.mated_searches as f64,
            );
            r.push(
                &info.group,
                "none",
                None,
                "searches_nonmated",
                info.nonmated_searches as f64,
            );
            r.rate(&info.group, "none", None, "rank1", &view.rank1[g]);
            for (k, c) in view.cmc[g].iter().enumerate() {
                r.rate(&info.group, "none", None, &format!("cmc@{}", k + 1), c);
            }
        }
        for (at, point) in view.operating_points.iter().zip(&res.operating_points) {
            let t = point.threshold;
            for (g, info) in view.groups.iter().enumerate() {
                r.rate(&info.group, &at.policy, t, "fpir", &at.fpir[g]);
                if let Some(share) = &at.false_candidates_same_group {
                    r.rate(
                        &info.group,
                        &at.policy,
                        t,
                        "fp_candidates_same_group",
                        &share[g],
                    );
                }
            }
            r.summaries(&at.policy, t, &at.fpir_summaries);
            for k in &at.ranks {
                let metric = if k.rank == 1 {
                    "fnir".to_string()
                } else {
                    format!("fnir@{}", k.rank)
                };
                for (g, info) in view.groups.iter().enumerate() {
                    r.rate(&info.group, &at.policy, t, &metric, &k.fnir[g]);
                }
                r.summaries(&at.policy, t, &k.summaries);
                r.tests(&at.policy, t, &k.tests);
            }
        }
    }
}

/// Writes rows as CSV; text cells are made spreadsheet-safe.
pub fn to_csv(rows: &[TidyRow]) -> String {
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
