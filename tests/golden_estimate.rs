//! The age-estimation audit (`biasbench estimate`) against values computed
//! independently with numpy/pandas and checked by fairlearn and
//! numpy.median (scripts/crosscheck/estimate_golden.py →
//! fixtures/estimate/ages.csv, fixtures/golden/estimate.json).
//!
//! The binary runs on the fixture twice, weighted (`--weight w --subject
//! subject_id`) and unweighted, and every value of the golden file must be
//! in its JSON report: per group of every view the rows, weight and
//! out-of-range count, MAE, bias, RMSE (to 1e-12 relative), the median AE
//! (exactly), MAE and bias by true-age band, the cumulative scores and the
//! challenges' false-admit and false-refusal rates with their events and
//! trials. A value the oracle finds undefined ("NaN") must be null.

mod common;

use common::{biasbench, root};
use serde_json::Value;
use std::collections::BTreeSet;

const TOL: f64 = 1e-12;

fn golden() -> Value {
    let text = std::fs::read_to_string(root().join("fixtures/golden/estimate.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs `biasbench estimate` on the golden file's data with its options and
/// the run's own arguments; returns the report's `estimate` part.
fn report(golden: &Value, run_args: &[Value]) -> Value {
    let text = |v: &Value| v.as_str().unwrap().to_string();
    let cs: Vec<String> = golden["cs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap().to_string())
        .collect();
    let mut args: Vec<String> = vec![
        "estimate".into(),
        root().join(text(&golden["data"])).display().to_string(),
        "--y-true".into(),
        "age".into(),
        "--y-pred".into(),
        "predicted_age".into(),
        "--cs".into(),
        cs.join(","),
        "--age-bands".into(),
        text(&golden["age_bands"]),
    ];
    for a in golden["attrs"].as_array().unwrap() {
        args.extend(["--attr".into(), text(a)]);
    }
    for c in golden["challenges"].as_array().unwrap() {
        args.extend(["--challenge".into(), text(c)]);
    }
    args.extend(run_args.iter().map(text));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("estimate.json");
    let run = biasbench()
        .args(&args)
        .args(["--format", "json", "--reproducible", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "biasbench {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&run.stderr)
    );
    let mut parsed: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    parsed["estimate"].take()
}

/// Collects mismatches instead of stopping at the first.
struct Check {
    failures: Vec<String>,
    checked: usize,
}

impl Check {
    /// A reported number (null: undefined, NaN) against a golden one.
    fn num(&mut self, what: &str, got: &Value, want: &Value, tol: f64) {
        self.checked += 1;
        let got = match got {
            Value::Null => f64::NAN,
            Value::Number(n) => n.as_f64().unwrap(),
            other => {
                self.failures.push(format!("{what}: reported {other}"));
                return;
            }
        };
        let want_f = match want {
            Value::String(s) if s == "NaN" => f64::NAN,
            Value::Number(n) => n.as_f64().unwrap(),
            other => panic!("{what}: unexpected golden value {other}"),
        };
        let ok = if want_f.is_nan() {
            got.is_nan()
        } else {
            got == want_f || (got - want_f).abs() <= tol * want_f.abs()
        };
        if !ok {
            self.failures
                .push(format!("{what}: biasbench {got:e}, reference {want_f:e}"));
        }
    }

    /// A count, exactly.
    fn count(&mut self, what: &str, got: &Value, want: &Value) {
        self.checked += 1;
        if got.as_u64().is_none() || got.as_u64() != want.as_u64() {
            self.failures
                .push(format!("{what}: biasbench {got}, reference {want}"));
        }
    }

    fn same<T: Ord + std::fmt::Debug>(&mut self, what: &str, got: BTreeSet<T>, want: BTreeSet<T>) {
        if got != want {
            self.failures
                .push(format!("{what}: biasbench {got:?}, reference {want:?}"));
        }
    }
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// The entries of a list (absent: none) by their name under `key`.
fn by<'a>(list: &'a Value, key: &str) -> Vec<(String, &'a Value)> {
    match list {
        Value::Null => Vec::new(),
        l => l
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x[key].as_str().unwrap().to_string(), x))
            .collect(),
    }
}

fn check_run(g: &Value, name: &str, c: &mut Check) {
    let run = &g["runs"][name];
    let est = report(g, run["args"].as_array().unwrap());
    let views = est["views"].as_array().unwrap();
    let golden_views = &run["views"];
    c.same(
        &format!("{name}: views"),
        views
            .iter()
            .map(|v| v["attribute"].as_str().unwrap().to_string())
            .collect(),
        keys(golden_views),
    );
    for view in views {
        let attr = view["attribute"].as_str().unwrap();
        let gv = &golden_views[attr];
        let groups = by(&view["groups"], "group");
        c.same(
            &format!("{name} {attr}: groups"),
            groups.iter().map(|(n, _)| n.clone()).collect(),
            keys(gv),
        );
        // Operating points hold one entry per group, in the groups' order.
        let points = by(&view["operating_points"], "policy");
        c.same(
            &format!("{name} {attr}: operating points"),
            points.iter().map(|(p, _)| p.clone()).collect(),
            keys(&g["policies"]),
        );
        for (policy, op) in &points {
            let what = format!("{name} {attr} {policy}: threshold");
            match &g["policies"][policy] {
                Value::Null if op["threshold"].is_null() => {}
                Value::Null => c.failures.push(format!("{what}: {}", op["threshold"])),
                t => c.num(&what, &op["threshold"], t, 0.0),
            }
        }
        for (i, (group, rep)) in groups.iter().enumerate() {
            let want = &gv[group];
            if want.is_null() {
                continue;
            }
            let at = format!("{name} {attr}={group}");
            c.count(&format!("{at} rows"), &rep["rows"], &want["rows"]);
            c.num(
                &format!("{at} weight"),
                &rep["weight"],
                &want["weight"],
                TOL,
            );
            let (got_oor, want_oor) = (&rep["out_of_range"], &want["out_of_range"]);
            c.count(&format!("{at} out_of_range"), got_oor, want_oor);

            let errors = by(&rep["errors"], "metric");
            c.same(
                &format!("{at} errors"),
                errors.iter().map(|(m, _)| m.clone()).collect(),
                keys(&want["errors"]),
            );
            for (metric, stat) in &errors {
                let tol = if metric == "median_ae" { 0.0 } else { TOL };
                let w = &want["errors"][metric];
                c.num(&format!("{at} {metric}"), &stat["value"], w, tol);
            }

            let bands = by(&rep["bands"], "band");
            c.same(
                &format!("{at} bands"),
                bands.iter().map(|(b, _)| b.clone()).collect(),
                keys(&want["bands"]),
            );
            for (band, b) in &bands {
                let w = &want["bands"][band];
                c.count(&format!("{at} band {band} rows"), &b["rows"], &w["rows"]);
                c.num(
                    &format!("{at} band {band} weight"),
                    &b["weight"],
                    &w["weight"],
                    TOL,
                );
                for m in ["mae", "bias"] {
                    c.num(&format!("{at} band {band} {m}"), &b[m]["value"], &w[m], TOL);
                }
            }

            let mut seen = BTreeSet::new();
            for (policy, op) in &points {
                for (metric, rate) in by(&op["rates"], "metric") {
                    let key = format!("{policy}/{metric}");
                    let cells = rate["by_group"].as_array().unwrap();
                    assert_eq!(cells.len(), groups.len(), "{at} {key}: one cell a group");
                    let w = &want["rates"][&key];
                    for part in ["value", "events", "trials"] {
                        c.num(
                            &format!("{at} {key} {part}"),
                            &cells[i][part],
                            &w[part],
                            TOL,
                        );
                    }
                    seen.insert(key);
                }
            }
            c.same(&format!("{at} rates"), seen, keys(&want["rates"]));
        }
    }
}

#[test]
fn estimate_matches_numpy_and_fairlearn() {
    let g = golden();
    let mut c = Check {
        failures: Vec::new(),
        checked: 0,
    };
    for run in ["weighted", "unweighted"] {
        let before = c.checked;
        check_run(&g, run, &mut c);
        assert!(
            c.checked - before > 1000,
            "{run}: {} values",
            c.checked - before
        );
    }
    assert!(
        c.failures.is_empty(),
        "{} of {} values disagree with the oracle:\n{}",
        c.failures.len(),
        c.checked,
        c.failures.join("\n")
    );
}
