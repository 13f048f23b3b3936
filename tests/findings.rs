//! The findings that open every report: the concise terminal report of a
//! hand-worked input, the first screen of the demo's, the JSON's order, and
//! `--detail full` holding all that the concise report holds.

mod common;

use biasbench::app::demo;
use biasbench::render::{render, render_detail, Detail, Format};
use common::{json, ok, root};

const TWO_GROUPS: [&str; 8] = [
    "--score",
    "score",
    "--mated",
    "mated",
    "--attr",
    "race",
    "--threshold",
    "fixed:0.5",
];

/// The concise report of fixtures/findings/two_groups.csv, checked by hand:
/// FNMR A 40/200, B 50/100; FMR A 2/40, B 0/40 (its bound 1 − 0.05^(1/40)
/// = 0.0722). Wilson 95%: A FNMR [0.1505, 0.2609], B [0.4038, 0.5962], A
/// FMR [0.01382, 0.1650]. FNMR ratio 2.5 in [lo_B/hi_A, hi_B/lo_A] of the
/// per-group 97.5% intervals = [1.44, 4.22]; max/geomean 0.5/√0.1 = 1.58 in
/// [lo_B/√(hi_A·lo_B), √(hi_B/lo_A)] = [1.20, 2.05]. B vs A (reference, the
/// larger): z = 0.3/√(0.3·0.7·(1/100 + 1/200)) = 5.35, p = 9.0e-8; FMR:
/// Fisher's exact test of 0/40 vs 2/40, p = 0.494. The FNMR finding comes
/// first: its ratio's lower end 1.44 exceeds FMR's 1.
const CONCISE: &str = r#"Caution: read this first
| caution                                                                                                                                                                                                                                                                                |
|----------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------|
| no subject ids: the intervals assume independent comparisons and may be too narrow when subjects appear in many comparisons (subject ids, from subject_a/subject_b columns or --subject-a/--subject-b, give cluster-robust intervals in an audit in memory; a streamed audit has none) |

Findings, most severe first (ratios with simultaneous intervals; significant: Holm p < 0.05, worst or best vs reference; errors: groups with < 30)
| where             | rate | worst                 | best                | worst/best     | max/geomean     | significant   | errors             |
|-------------------|------|-----------------------|---------------------|----------------|-----------------|---------------|--------------------|
| race at fixed:0.5 | FNMR | B 0.50 [0.40, 0.60]   | A 0.20 [0.15, 0.26] | 2.5 [1.4, 4.2] | 1.6 [1.2, 2.1]  | yes, p 9.0e-8 | ok                 |
| race at fixed:0.5 | FMR  | A 0.050 [0.014, 0.17] | B 0 [0, 0.072]      | inf [1.0, inf] | 0.83 [1.0, inf] | no, p 0.49    | <30 (some 0): A, B |

Rows
| read | used | dropped |
|------|------|---------|
| 380  | 380  | 0       |

* at fixed:0.5, threshold 0.5000 (95% Wilson, independent comparisons)
| group | FMR                           | FNMR                    | accuracy                |
|-------|-------------------------------|-------------------------|-------------------------|
| *     | 0.02500 [0.006883, 0.08664] ‡ | 0.3000 [0.2509, 0.3541] | 0.7579 [0.7124, 0.7982] |

race at fixed:0.5, threshold 0.5000 (95% Wilson, independent comparisons)
| group | FMR                         | FNMR                    | accuracy                |
|-------|-----------------------------|-------------------------|-------------------------|
| A     | 0.05000 [0.01382, 0.1650] ‡ | 0.2000 [0.1505, 0.2609] | 0.8250 [0.7719, 0.8678] |
| B     | 0 [≤ 0.07216] ‡             | 0.5000 [0.4038, 0.5962] | 0.6429 [0.5606, 0.7174] |

Notes
| note                                                                                                                        |
|-----------------------------------------------------------------------------------------------------------------------------|
| race summaries at fixed:0.5: fmr rests on groups with fewer than 30 errors: A (2), B (0)                                    |
| race fmr.max_over_min at fixed:0.5: inf because the minimum is 0 (group B has 0 of 40 errors)                               |
| race ir at fixed:0.5: inf because FMR: the minimum is 0 (group B has 0 of 40 errors)                                        |
| race intervals at fixed:0.5 of fmr.max_over_min, fmr.max_over_geomean, ir, werm: unbounded: a group's interval reaches 0    |
| race eer.max_over_min at none: inf because the minimum is 0 (group B has value 0)                                           |
| race eer.max_over_geomean at none: inf because the geometric mean is 0 (group B has value 0 and no trial count to bound it) |
| race ser at none: inf because the minimum is 0 (group B has value 0)                                                        |
| ‡ fewer than 30 errors: the rate is poorly determined (rule of 30); a rate with no errors can only be bounded by ≈ 3/n      |

Operating points, group sizes, disparity summaries, tests, provenance and the full row accounting: --detail full (and every other format).
"#;

fn two_groups() -> std::path::PathBuf {
    root().join("fixtures/findings/two_groups.csv")
}

#[test]
fn concise_terminal_report_of_a_hand_worked_input() {
    assert_eq!(ok("verify", &two_groups(), &TWO_GROUPS), CONCISE);
}

/// A line of a terminal table with its cells trimmed (column widths differ
/// between the concise and the full report).
fn cells(line: &str) -> String {
    line.split('|').map(str::trim).collect::<Vec<_>>().join("|")
}

#[test]
fn full_detail_holds_everything_the_concise_report_holds() {
    let full = ok(
        "verify",
        &two_groups(),
        &[&TWO_GROUPS[..], &["--detail", "full"]].concat(),
    );
    let have: std::collections::HashSet<String> = full.lines().map(cells).collect();
    let concise: Vec<&str> = CONCISE.lines().collect();
    // All but the last line, which points to --detail full.
    for line in &concise[..concise.len() - 1] {
        if line.starts_with("|--") {
            continue;
        }
        assert!(have.contains(&cells(line)), "missing in full: {line}");
    }
    for more in [
        "Provenance",
        "Inputs",
        "Row accounting",
        "race: tests of difference",
    ] {
        assert!(full.lines().any(|l| l.starts_with(more)), "{more}");
    }
    // Provenance and the full accounting come last, after the findings.
    let at = |t: &str| full.find(t).unwrap();
    assert!(at("Findings") < at("race at fixed:0.5, threshold") && at("Notes") < at("Provenance"));
    assert!(at("Provenance") < at("Row accounting"));
}

/// Severity key of a JSON finding: the lower end of the ratio's interval
/// (1 without one), then the ratio; undefined ratios last.
fn severity(f: &serde_json::Value) -> (f64, f64) {
    let num = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) if s == "inf" => f64::INFINITY,
        v => v.as_f64().unwrap_or(f64::NAN),
    };
    let r = &f["ratio"];
    let value = num(&r["value"]);
    if value.is_nan() {
        return (f64::NEG_INFINITY, f64::NEG_INFINITY);
    }
    let low = num(&r["low"]);
    (if low.is_nan() { 1.0 } else { low }, value)
}

#[test]
fn json_findings_come_first_and_by_severity() {
    let text = ok(
        "verify",
        &two_groups(),
        &[&TWO_GROUPS[..], &["--format", "json"]].concat(),
    );
    let top = |k: &str| text.find(&format!("\n  \"{k}\": ")).unwrap();
    assert!(top("schema") < top("tool") && top("tool") < top("findings"));
    assert!(top("findings") < top("provenance"));
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    let f = j["findings"].as_array().unwrap();
    let rates: Vec<&str> = f.iter().map(|x| x["rate"].as_str().unwrap()).collect();
    assert_eq!(rates, ["fnmr", "fmr"]);
    assert_eq!(f[0]["worst"]["group"], "B");
    assert_eq!(f[0]["best"]["group"], "A");
    assert_eq!(f[1]["adequacy"], "zero-errors");
    assert_eq!(f[1]["significance"]["significant"], false);
    // The demo: every view but the pooled one × 5 policies × FMR and FNMR,
    // in non-increasing severity.
    let demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("reports/demo/report.json")).unwrap(),
    )
    .unwrap();
    let f = demo["findings"].as_array().unwrap();
    assert_eq!(f.len(), 3 * 5 * 2);
    for w in f.windows(2) {
        let (a, b) = (severity(&w[0]), severity(&w[1]));
        assert!(
            a.0 > b.0 || (a.0 == b.0 && a.1 >= b.1),
            "{a:?} before {b:?}"
        );
    }
}

/// The rate label the findings use.
fn label(metric: &str) -> String {
    metric.to_ascii_uppercase()
}

#[test]
fn demo_first_screen_names_the_worst_group_and_ratio_of_every_rate() {
    let report = demo::run(vec!["biasbench".into(), "demo".into()]).unwrap();
    let text = std::fs::read_to_string(root().join("reports/demo/report.txt")).unwrap();
    assert_eq!(
        text,
        render(&report, Format::Table),
        "run `cargo run --release -- demo`"
    );
    let screen: Vec<Vec<String>> = text
        .lines()
        .take(40)
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    let v = report.verify().unwrap();
    let mut seen = 0;
    for view in v.views.iter().filter(|w| !w.attribute.is_pooled()) {
        for at in &view.operating_points {
            for metric in ["fmr", "fnmr"] {
                // The worst group and max/min, from the per-group rates.
                let rates = &at.rate(metric).unwrap().by_group;
                let (mut hi, mut lo) = (0, 0);
                for (g, r) in rates.iter().enumerate() {
                    if r.value > rates[hi].value {
                        hi = g;
                    }
                    if r.value < rates[lo].value {
                        lo = g;
                    }
                }
                let ratio = rates[hi].value / rates[lo].value;
                let place = format!("{} at {}", view.attribute, at.policy);
                let row = screen
                    .iter()
                    .find(|c| c.len() > 6 && c[1] == place && c[2] == label(metric))
                    .unwrap_or_else(|| panic!("{place} {metric}: not in the first 40 lines"));
                let worst = &view.groups[hi].group;
                assert!(
                    row[3].starts_with(&format!("{worst} ")),
                    "{place} {metric}: {row:?}"
                );
                let shown: f64 = row[5].split(' ').next().unwrap().parse().unwrap();
                assert!(
                    shown == ratio || (shown / ratio - 1.0).abs() < 0.05,
                    "{place} {metric}: ratio {shown} vs {ratio}"
                );
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 30);
}

#[test]
fn the_concise_report_is_the_default_and_full_adds_provenance() {
    let report = demo::run(vec![]).unwrap();
    let concise = render(&report, Format::Table);
    assert_eq!(
        concise,
        render_detail(&report, Format::Table, Detail::Concise)
    );
    assert!(!concise.contains("Provenance"));
    let full = render_detail(&report, Format::Table, Detail::Full);
    assert!(full.contains("\nProvenance\n") && full.starts_with("Findings"));
    // LaTeX for a paper: the provenance as comments, then the main tables
    // (what was found, per attribute), then the findings and the details.
    let tex = render(&report, Format::Latex);
    assert!(tex.starts_with("% biasbench report") && tex.contains("\n% command: "));
    assert!(tex.find("tab:biasbench-race").unwrap() < tex.find("Findings").unwrap());
    assert!(!tex.contains("\\caption{Provenance}"));
    // Every other format is complete and opens with the findings too.
    for f in [Format::Markdown, Format::Html] {
        let s = render(&report, f);
        let (findings, provenance) = (s.find("Findings").unwrap(), s.find("Provenance").unwrap());
        assert!(findings < provenance, "{f:?}");
        assert!(
            s.find("Rows").unwrap() < s.find("Summary").unwrap_or(usize::MAX),
            "{f:?}"
        );
    }
}

#[test]
fn demo_lists_every_file_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let mut listed = demo::write(
        &demo::run(vec![]).unwrap(),
        &demo::run_identify(vec![]).unwrap(),
        &demo::run_estimate(vec![]).unwrap(),
        dir.path(),
    )
    .unwrap();
    let mut present: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    listed.sort();
    present.sort();
    assert_eq!(listed, present);
}

#[test]
fn provenance_lists_the_default_policies_that_ran() {
    let j = json("verify", &two_groups(), &TWO_GROUPS[..6]);
    let ran: Vec<&str> = j["verify"]["operating_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["policy"].as_str().unwrap())
        .collect();
    assert!(!ran.is_empty());
    let listed: Vec<&str> = j["provenance"]["config"]["options"]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ran);
}

#[test]
fn identify_names_groups_of_fpir_and_fnir_with_cautions_and_no_null_disparity() {
    let report = demo::run_identify(vec![]).unwrap();
    let text = render(&report, Format::Table);
    let screen: Vec<&str> = text.lines().take(40).collect();
    for rate in ["FPIR", "FNIR (rank ≤ 1)", "FNIR (rank ≤ 20)"] {
        assert!(
            screen
                .iter()
                .any(|l| l.split('|').nth(2).map(str::trim) == Some(rate)),
            "{rate}"
        );
    }
    // The page's sentences tell only disparities whose interval excludes 1
    // (the FPIR of the investigative policy is 1 for every group).
    let html = render(&report, Format::Html);
    let summary = &html[html.find("<h2>Summary").unwrap()..];
    let summary = &summary[..summary.find("</ul>").unwrap()];
    assert!(
        summary.contains("FNIR (rank ≤ 1) is highest for D+F"),
        "{summary}"
    );
    assert!(
        !summary
            .lines()
            .any(|l| l.contains("at investigative") && l.contains("FPIR")),
        "{summary}"
    );
    // Every caution of the JSON is in the concise text.
    let i = report.identify().unwrap();
    let mut cautions = 0;
    for view in &i.views {
        for at in &view.operating_points {
            for c in at.summaries().flat_map(|s| &s.cautions) {
                let line = format!("{} summaries at {}: {c}", view.attribute, at.policy);
                assert!(text.contains(&line), "{line}");
                cautions += 1;
            }
        }
    }
    assert!(cautions > 100, "{cautions}");
}
