//! biasbench against values computed independently by numpy, scikit-learn
//! and statsmodels (scripts/crosscheck/verify_golden.py →
//! fixtures/golden/verify_random.{csv,json}).

mod common;

use biasbench::app::audit::{ClassifyJob, VerifyJob};
use biasbench::counts::threshold::Policy;
use biasbench::engine::classify::ClassifyOptions;
use biasbench::engine::verify::VerifyOptions;
use biasbench::input::{ClassifyColumns, VerifyColumns};
use biasbench::progress::NoProgress;
use common::{assert_close, root};
use serde_json::Value;
use std::sync::Arc;

const TOL: f64 = 1e-12;

#[test]
fn verification_matches_reference_implementations() {
    let dir = root().join("fixtures/golden");
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("verify_random.json")).unwrap())
            .unwrap();
    let policies: Vec<String> = golden["policies"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let job = VerifyJob {
        columns: VerifyColumns {
            attrs: vec!["race".into(), "sex".into()],
            ..Default::default()
        },
        options: VerifyOptions {
            policies: policies.iter().map(|p| Policy::parse(p).unwrap()).collect(),
            ..Default::default()
        },
        command: vec![],
        reproducible: true,
        bootstrap: None,
    };
    let report = job
        .run_file(&dir.join("verify_random.csv"), Arc::new(NoProgress))
        .unwrap();
    let v = report.verify().unwrap();

    for p in &v.operating_points {
        match &golden["policies"][&p.policy] {
            Value::Null => assert!(p.threshold.is_none(), "{}", p.policy),
            t => assert_close(&p.policy, p.threshold.unwrap(), t, 0.0),
        }
    }
    let mut checked = 0;
    for view in &v.views {
        let gv = &golden["views"][&view.attribute.to_string()];
        let gnames: Vec<&String> = gv["groups"].as_object().unwrap().keys().collect();
        let names: Vec<&String> = view.groups.iter().map(|g| &g.group).collect();
        assert_eq!(names, gnames, "groups of {}", view.attribute);
        for (i, info) in view.groups.iter().enumerate() {
            let gg = &gv["groups"][&info.group];
            let at = |what: &str| format!("{} {} {what}", view.attribute, info.group);
            assert_eq!(
                info.counts.mated,
                gg["mated"].as_u64().unwrap(),
                "{}",
                at("mated")
            );
            assert_eq!(
                info.counts.nonmated,
                gg["nonmated"].as_u64().unwrap(),
                "{}",
                at("nonmated")
            );
            assert_eq!(
                info.counts.subjects,
                gg["subjects"].as_u64(),
                "{}",
                at("subjects")
            );
            let free = &view.free.threshold_free[i];
            assert_close(&at("eer"), free.eer, &gg["eer"], TOL);
            if let Some(t) = free.eer_threshold {
                assert_close(&at("eer threshold"), t, &gg["eer_threshold"], 0.0);
            }
            if !gg["auc"].is_null() {
                assert_close(&at("auc"), free.auc, &gg["auc"], TOL);
                assert_close(&at("dprime"), free.dprime, &gg["dprime"], TOL);
            }
            for op in &view.operating_points {
                let rate = |m: &str| &op.rate(m).unwrap().by_group[i];
                let want = &gg["at"][&op.policy];
                if want.is_null() {
                    assert!(
                        rate("fmr").value.is_nan() && op.threshold_of(i).is_none(),
                        "{}",
                        at(&op.policy)
                    );
                    continue;
                }
                let t = op.threshold_of(i).unwrap();
                assert_close(&at("threshold"), t, &want["threshold"], 0.0);
                for (name, rate) in [
                    ("fmr", rate("fmr")),
                    ("fnmr", rate("fnmr")),
                    ("accuracy", rate("accuracy")),
                ] {
                    let w = &want[name];
                    let what = at(&format!("{} {name}", op.policy));
                    assert_eq!(rate.events, w[0].as_f64().unwrap(), "{what} events");
                    assert_eq!(rate.trials, w[1].as_f64().unwrap(), "{what} trials");
                    // The pooled FMR a global-fmr target calibrates is set
                    // by the policy: no interval (issue 13 §2).
                    let set = view.attribute.is_pooled()
                        && name == "fmr"
                        && op.policy.starts_with("global-fmr");
                    if set {
                        assert!(rate.ci.is_none(), "{what}: set by policy, no interval");
                        let label = op.rate("fmr").and_then(|c| c.interval.as_deref());
                        assert!(
                            label.is_some_and(|l| l.starts_with("set by policy")),
                            "{what}"
                        );
                        checked += 1;
                        continue;
                    }
                    match (&rate.ci, &w[2]) {
                        (None, Value::Null) => {}
                        (Some(ci), w) => {
                            assert_close(&format!("{what} ci_low"), ci.low, &w[0], TOL);
                            assert_close(&format!("{what} ci_high"), ci.high, &w[1], TOL);
                        }
                        (None, w) => panic!("{what}: no interval, reference {w}"),
                    }
                    checked += 1;
                }
            }
        }
        if view.attribute.is_pooled() {
            continue;
        }
        for op in &view.operating_points {
            let want = &gv["summaries"][&op.policy];
            for s in op.summaries() {
                assert_close(
                    &format!("{} {} {}", view.attribute, op.policy, s.metric),
                    s.value,
                    &want[&s.metric],
                    TOL,
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "only {checked} values compared");
}

/// Classification against fairlearn, AIF360 and scikit-learn
/// (scripts/crosscheck/classify_golden.py → fixtures/golden/classify_*).
#[test]
fn classification_matches_fairlearn_aif360_and_sklearn() {
    let dir = root().join("fixtures/golden");
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("classify_golden.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    for (set, weighted) in [("weighted", true), ("plain", false)] {
        let job = ClassifyJob {
            columns: ClassifyColumns {
                score: Some("score".into()),
                weight: weighted.then(|| "w".to_string()),
                attrs: vec!["race".into(), "sex".into()],
                ..Default::default()
            },
            options: ClassifyOptions {
                cutoff: Some(0.5),
                ..Default::default()
            },
            command: vec![],
            reproducible: true,
            bootstrap: None,
        };
        let report = job
            .run_file(
                &dir.join(format!("classify_{set}.csv")),
                Arc::new(NoProgress),
            )
            .unwrap();
        let c = report.classify().unwrap();
        for (attribute, gv) in golden[set].as_object().unwrap() {
            let view = c
                .views
                .iter()
                .find(|v| &v.attribute.to_string() == attribute)
                .unwrap();
            let op = &view.operating_points[0];
            let at = |what: &str| format!("{set} {attribute} {what}");
            for (group, want) in gv["groups"].as_object().unwrap() {
                let k = view.groups.iter().position(|g| &g.group == group).unwrap();
                let undefined: Vec<&str> = gv["undefined"][group]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect();
                for (metric, w) in want.as_object().unwrap() {
                    let got = op
                        .rate(metric)
                        .map(|c| c.by_group[k].value)
                        .or_else(|| {
                            view.groups[k]
                                .counts
                                .values
                                .iter()
                                .find(|v| &v.metric == metric)
                                .map(|v| v.value)
                        })
                        .unwrap_or_else(|| panic!("{}", at(metric)));
                    if undefined.contains(&metric.as_str()) {
                        // fairlearn reports 0 here; biasbench says the rate is undefined.
                        assert!(got.is_nan(), "{}: {got}", at(&format!("{group} {metric}")));
                    } else {
                        assert_close(&at(&format!("{group} {metric}")), got, w, TOL);
                    }
                    checked += 1;
                }
            }
            let any_undefined = |rates: &[&str]| {
                gv["undefined"].as_object().unwrap().values().any(|u| {
                    u.as_array()
                        .unwrap()
                        .iter()
                        .any(|r| rates.contains(&r.as_str().unwrap()))
                })
            };
            for (metric, w) in gv["parity"].as_object().unwrap() {
                let got = op
                    .extra
                    .parity
                    .iter()
                    .find(|s| &s.metric == metric)
                    .unwrap_or_else(|| panic!("{}", at(metric)));
                let rates: Vec<&str> = match metric.split('.').next().unwrap() {
                    "demographic_parity_difference" | "demographic_parity_ratio" => {
                        vec!["selection_rate"]
                    }
                    "equal_opportunity_difference" | "equal_opportunity_ratio" => vec!["tpr"],
                    "equalized_odds_difference" | "equalized_odds_ratio" => vec!["tpr", "fpr"],
                    rate => vec![rate],
                };
                if any_undefined(&rates) {
                    assert!(got.value.is_nan() && got.reason.is_some(), "{}", at(metric));
                } else {
                    assert_close(&at(metric), got.value, w, TOL);
                }
                checked += 1;
            }
            assert_eq!(
                view.reference.as_ref().unwrap().group,
                gv["reference"].as_str().unwrap(),
                "{}",
                at("reference")
            );
            for (group, want) in gv["versus"].as_object().unwrap() {
                for (metric, w) in want.as_object().unwrap() {
                    let got = op
                        .extra
                        .versus_reference
                        .iter()
                        .find(|x| &x.group == group && &x.value.metric == metric)
                        .unwrap();
                    assert_close(&at(&format!("{group} {metric}")), got.value.value, w, TOL);
                    checked += 1;
                }
            }
            if let Some(entropy) = gv.get("entropy") {
                for (group, want) in entropy.as_object().unwrap() {
                    let v = if group == "*" { &c.views[0] } else { view };
                    let g = v.groups.iter().find(|g| &g.group == group).unwrap();
                    for (metric, w) in want.as_object().unwrap() {
                        let got = g
                            .counts
                            .values
                            .iter()
                            .find(|x| &x.metric == metric)
                            .unwrap()
                            .value;
                        assert_close(&at(&format!("{group} {metric}")), got, w, 1e-12);
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} values compared");
}
