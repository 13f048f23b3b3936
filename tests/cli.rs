//! The command line end to end: formats, errors, determinism, real data.

mod common;

use common::{biasbench, fails, json, ok};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const SMALL: &str = "subject_a,subject_b,score,race_a,race_b\n\
s1,s1,0.9,A,A\ns2,s2,0.4,A,A\ns3,s3,0.8,B,B\ns4,s4,0.7,B,B\n\
s1,s2,0.6,A,A\ns1,s3,0.2,A,B\ns3,s4,0.1,B,B\ns2,s4,0.3,A,B\ns4,s1,0.5,B,A\n";

const RACE_AT_HALF: [&str; 4] = ["--attr", "race", "--threshold", "fixed:0.5"];

#[test]
fn tidy_csv_has_exactly_the_contract_columns_and_hand_worked_values() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", SMALL);
    let text = ok(
        "verify",
        &f,
        &[&RACE_AT_HALF[..], &["--format", "csv"]].concat(),
    );
    assert_eq!(
        text.lines().next().unwrap(),
        "task,attribute,group,policy,threshold,metric,value,ci_low,ci_high,errors,trials"
    );
    let find = |attr: &str, group: &str, metric: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
            .find(|c| c[1] == attr && c[2] == group && c[3] == "fixed:0.5" && c[5] == metric)
            .unwrap_or_else(|| panic!("no row {attr} {group} {metric}"))
    };
    // Group A at τ = 0.5: mated 0.9 (accept), 0.4 (reject) → FNMR 1/2;
    // same-group non-mated: 0.6 → FMR 1/1. Group B: mated 0.8, 0.7 → FNMR 0/2;
    // non-mated 0.1 → FMR 0/1. Cross A~B: 0.2, 0.3, 0.5 → 1/3.
    let a = find("race", "A", "fnmr");
    assert_eq!((&*a[4], &*a[6], &*a[9], &*a[10]), ("0.5", "0.5", "1", "2"));
    assert_eq!(find("race", "A", "fmr")[6], "1");
    let b = find("race", "B", "fnmr");
    assert_eq!((&*b[6], &*b[7]), ("0", "0"));
    // Zero errors: upper bound 1 − 0.05^(1/2) = 0.7763932022500211 (Python).
    assert_eq!(b[8], "0.7763932022500211");
    let x = find("race", "A~B", "fmr");
    assert_eq!((&*x[9], &*x[10]), ("1", "3"));
    // Pooled: mated 4, FNMR 1/4; all non-mated 5, FMR 2/5.
    assert_eq!(find("*", "*", "fnmr")[6], "0.25");
    assert_eq!(find("*", "*", "fmr")[6], "0.4");
    // FMR max/min with B at 0: infinite.
    assert_eq!(find("race", "", "fmr.max_over_min")[6], "inf");
}

/// Rate `metric` of group `g` at operating point `op` of a view in the JSON (v2).
fn rate_json<'a>(
    view: &'a serde_json::Value,
    op: usize,
    metric: &str,
    g: usize,
) -> &'a serde_json::Value {
    let cols = view["operating_points"][op]["rates"].as_array().unwrap();
    let col = cols.iter().find(|c| c["metric"] == metric).unwrap();
    &col["by_group"][g]
}

#[test]
fn json_carries_reasons_for_non_finite_values() {
    let dir = tempfile::tempdir().unwrap();
    let j = json("verify", &write(dir.path(), "c.csv", SMALL), &RACE_AT_HALF);
    assert_eq!(j["schema"], "biasbench.report/v2");
    let race = &j["verify"]["views"][1];
    assert_eq!(race["attribute"], "race");
    let s = race["operating_points"][0]["combined"].as_array().unwrap();
    let ir = s.iter().find(|x| x["metric"] == "ir").unwrap();
    assert_eq!(ir["value"], "inf");
    assert_eq!(
        ir["reason"],
        "FMR: the minimum is 0 (group B has 0 of 1 errors)"
    );
}

#[test]
fn gzip_tsv_and_distance_scores() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(SMALL.replace(',', "\t").as_bytes()).unwrap();
    let p = dir.path().join("c.tsv.gz");
    std::fs::write(&p, gz.finish().unwrap()).unwrap();
    let j = json("verify", &p, &["--distance", "--threshold", "fixed:0.5"]);
    // As distances, accept d ≤ 0.5: mated 0.9, 0.8, 0.7 rejected, 0.4 accepted → FNMR 3/4.
    let pooled = &j["verify"]["views"][0];
    assert_eq!(rate_json(pooled, 0, "fnmr", 0)["value"], 0.75);
    assert_eq!(pooled["operating_points"][0]["threshold"], 0.5);
    // Non-mated 0.6, 0.2, 0.1, 0.3, 0.5: accepted 0.2, 0.1, 0.3, 0.5 → FMR 4/5.
    assert_eq!(rate_json(pooled, 0, "fmr", 0)["value"], 0.8);
    assert_eq!(j["verify"]["acceptance"], "score <= threshold");
}

#[test]
fn bad_input_fails_naming_file_line_column_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let err = fails(
        "verify",
        &write(d, "bad.csv", "score,mated\n0.5,1\n0.7,0\nabc,1\n"),
        &[],
    );
    assert!(
        err.contains("bad.csv:4: column 'score', value \"abc\": not a number"),
        "{err}"
    );
    let err = fails(
        "verify",
        &write(d, "ragged.csv", "score,mated\n0.5,1\n0.7\n"),
        &[],
    );
    assert!(err.contains("ragged.csv:3: ragged row"), "{err}");
    let err = fails("verify", &write(d, "empty.csv", ""), &[]);
    assert!(err.contains("empty.csv: the file is empty"), "{err}");
    let err = fails("verify", Path::new("/nonexistent/x.csv"), &[]);
    assert!(err.contains("/nonexistent/x.csv"), "{err}");

    let f = write(d, "drop.csv", "score,mated\n0.5,1\n0.7,perhaps\n0.2,0\n");
    let err = fails("verify", &f, &["--strict"]);
    assert!(
        err.contains("drop.csv:3: column 'mated', value \"perhaps\""),
        "{err}"
    );
    // Without --strict the row is dropped and shown in the accounting.
    let j = json("verify", &f, &[]);
    assert_eq!(j["accounting"]["rows"], 3);
    assert_eq!(j["accounting"]["used"], 2);
    assert_eq!(
        j["accounting"]["dropped"][0]["reason"],
        "unknown mated value"
    );
    assert_eq!(j["accounting"]["dropped"][0]["first"]["line"], 3);
}

#[test]
fn subjects_table_supplies_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let c = write(
        dir.path(),
        "c.csv",
        "subject_a,subject_b,score\ns1,s1,0.9\ns2,s2,0.4\ns1,s2,0.6\ns1,s9,0.1\n",
    );
    let s = write(dir.path(), "s.csv", "subject_id,race\ns1,A\ns2,A\n");
    let j = json(
        "verify",
        &c,
        &[&["--subjects", s.to_str().unwrap()][..], &RACE_AT_HALF].concat(),
    );
    assert_eq!(
        j["accounting"]["dropped"][0]["reason"],
        "subject not in the subjects table"
    );
    assert_eq!(j["accounting"]["dropped"][0]["first"]["value"], "s9");
    let race = &j["verify"]["views"][1];
    assert_eq!(race["groups"][0]["group"], "A");
    assert_eq!(rate_json(race, 0, "fnmr", 0)["value"], 0.5);
    assert_eq!(rate_json(race, 0, "fmr", 0)["value"], 1.0);
    assert_eq!(j["provenance"]["inputs"][1]["role"], "subjects");
}

#[test]
fn spreadsheet_formulas_in_group_names_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "c.csv",
        "score,mated,race\n0.9,1,=cmd()\n0.1,0,=cmd()\n",
    );
    let text = ok(
        "verify",
        &f,
        &[&RACE_AT_HALF[..], &["--format", "csv"]].concat(),
    );
    assert!(text.contains(",'=cmd(),"), "{text}");
    assert!(!text.contains(",=cmd"));
}

#[test]
fn reproducible_reports_are_byte_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sim.csv");
    biasbench()
        .args(["simulate", "--out", data.to_str().unwrap()])
        .args([
            "--subjects-per-group",
            "30",
            "--nonmated-per-group",
            "400",
            "--cross-nonmated",
            "500",
        ])
        .assert()
        .success();
    for format in ["json", "csv", "markdown", "table", "html", "latex"] {
        let run = |threads: &str| {
            let out = biasbench()
                .env("RAYON_NUM_THREADS", threads)
                .arg("verify")
                .arg(&data)
                .args(["--attr", "race,sex", "--reproducible", "--format", format])
                .output()
                .unwrap();
            out.stdout
        };
        let one = run("1");
        assert!(!one.is_empty());
        assert_eq!(one, run("2"), "{format}");
        assert_eq!(one, run("2"), "{format}");
    }
    let out = dir.path().join("r.json");
    ok(
        "verify",
        &data,
        &["--format", "json", "--out", out.to_str().unwrap()],
    );
    let j: Value = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert!(
        j["provenance"]["time"].is_string(),
        "time is recorded without --reproducible"
    );
}

#[test]
fn impostor_population_sets_the_global_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", SMALL);
    let threshold = |impostors: &str| {
        let j = json(
            "verify",
            &f,
            &[
                "--attr",
                "race",
                "--threshold",
                "global-fmr:0.5",
                "--impostors",
                impostors,
            ],
        );
        let p = &j["verify"]["operating_points"][0];
        (p["threshold"].clone(), p["pool"].clone())
    };
    // all: non-mated 0.1, 0.2, 0.3, 0.5, 0.6; k = ⌊2.5⌋ = 2 → accept {0.6, 0.5}: τ = 0.5.
    assert_eq!(threshold("all"), (Value::from(0.5), Value::from(5)));
    // same-group: 0.6 (A), 0.1 (B); k = 1 → τ = 0.6.
    assert_eq!(threshold("same-group"), (Value::from(0.6), Value::from(2)));
}

#[test]
fn small_groups_stay_in_tables_but_out_of_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "c.csv", SMALL);
    let j = json(
        "verify",
        &f,
        &[&RACE_AT_HALF[..], &["--min-group-size", "2"]].concat(),
    );
    let race = &j["verify"]["views"][1];
    // Both groups have 2 mated but 1 same-group non-mated comparison: size 1 < 2.
    assert_eq!(race["groups"][0]["in_summaries"], false);
    assert_eq!(
        race["operating_points"][0]["rates"][0]["by_group"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let s = &race["operating_points"][0]["rates"][0]["summaries"][0];
    assert!(s["value"].is_null());
    assert_eq!(s["reason"], "no groups to summarise");
}

#[test]
fn default_policies_follow_the_supported_targets() {
    let dir = tempfile::tempdir().unwrap();
    let j = json("verify", &write(dir.path(), "c.csv", SMALL), &[]);
    // 5 non-mated comparisons support only α ≥ 1 − 0.05^(1/5) = 0.4507, so every
    // default target (1e-1 … 1e-6) is skipped, each with a note.
    assert_eq!(j["verify"]["operating_points"].as_array().unwrap().len(), 0);
    let notes = j["verify"]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 6);
    assert!(notes[0]
        .as_str()
        .unwrap()
        .starts_with("global-fmr:1e-1 skipped: 5 non-mated"));
}

/// RFW distances of a published model. Reference counts at the FaVFA global
/// threshold are those in the data set's SOURCE.md (computed by its curators).
#[test]
fn rfw_bupt_distances_match_the_reference_table() {
    let Some(dir) = common::shared_data("rfw-bupt-distances") else {
        return;
    };
    let j = json(
        "verify",
        &dir.join("bupt_rfw_scores.csv"),
        &[
            "--score",
            "dist",
            "--distance",
            "--mated",
            "label",
            "--subject-a",
            "img_1",
            "--subject-b",
            "img_2",
            "--id-sep",
            "_",
            "--attr",
            "ethnicity",
            "--exclude",
            "ethnicity_ambiguous=1",
            "--threshold",
            "fixed:1.1906802654266357",
        ],
    );
    let acc = &j["accounting"];
    assert_eq!(
        (acc["rows"].as_u64(), acc["used"].as_u64()),
        (Some(24000), Some(23980))
    );
    assert_eq!(
        acc["dropped"][0]["reason"],
        "excluded by --exclude ethnicity_ambiguous=1"
    );
    assert_eq!(acc["dropped"][0]["count"], 20);
    let view = &j["verify"]["views"][1];
    assert_eq!(view["attribute"], "ethnicity");
    // ethnicity: TP, FN, FP, TN from SOURCE.md.
    let table = [
        ("African", 2734, 254, 380, 2620),
        ("Asian", 2558, 439, 144, 2856),
        ("Caucasian", 2686, 314, 124, 2876),
        ("Indian", 2682, 313, 153, 2847),
    ];
    for (g, (name, tp, fn_, fp, tn)) in table.iter().enumerate() {
        let r = |m: &str| rate_json(view, 0, m, g);
        assert_eq!(view["groups"][g]["group"], *name);
        assert_eq!(r("fnmr")["events"], *fn_ as f64, "{name}");
        assert_eq!(r("fnmr")["trials"], (*tp + *fn_) as f64, "{name}");
        assert_eq!(r("fmr")["events"], *fp as f64, "{name}");
        assert_eq!(r("fmr")["trials"], (*fp + *tn) as f64, "{name}");
        assert_eq!(r("accuracy")["events"], (*tp + *tn) as f64, "{name}");
    }
}

#[test]
fn summarize_published_nist_annex_rates() {
    let f = common::root().join("fixtures/nist_annex15_visionlabs006.csv");
    let j = json("summarize", &f, &[]);
    let get = |m: &str| {
        j["summarize"]["summaries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["metric"] == m)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    // Issue 2's values (from the annex's exact 10^x rates; the six printed
    // digits move IR in the 7th digit, so the tolerance is 1e-6).
    assert!((get("fdr") - 0.995_455_95).abs() < 5e-9);
    assert!((get("ir") / 16.947_150 - 1.0).abs() < 1e-6);
    assert!((get("garbe") / 0.539_868 - 1.0).abs() < 1e-6);
    assert_eq!(j["accounting"]["used"], 8);
    // Percentages and trial counts: a zero rate with 1000 trials enters the
    // geometric mean as 1 − 0.05^(1/1000).
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "p.csv", "group,eer,n\nA,0,1000\nB,1,1000\n");
    let args = [
        "--rates",
        "eer",
        "--trials",
        "eer=n",
        "--percent",
        "--format",
        "csv",
    ];
    let text = ok("summarize", &p, &args);
    let bound = 1.0 - 0.05f64.powf(1.0 / 1000.0);
    let want = 0.01 / (bound * 0.01).sqrt();
    let row = text
        .lines()
        .find(|l| l.contains(",eer.max_over_geomean,"))
        .unwrap();
    let got: f64 = row.split(',').nth(6).unwrap().parse().unwrap();
    assert!((got / want - 1.0).abs() < 1e-12, "{row}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("summarize,group,B,none,,eer,0.01,")),
        "{text}"
    );
    assert!(text.contains(",ser,inf,"), "{text}");
}

#[test]
fn classify_binary_and_multiclass_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    // Hand-worked: group A: TP 1, FN 1, TN 1; group B: FP 1, TP 1, TN 1.
    let f = write(
        dir.path(),
        "c.csv",
        "y_true,y_pred,race\n1,1,A\n1,0,A\n0,0,A\n0,1,B\n1,1,B\n0,0,B\n",
    );
    let text = ok(
        "classify",
        &f,
        &["--attr", "race", "--format", "csv", "--reference", "race=A"],
    );
    let has = |row: &str| {
        assert!(
            text.lines().any(|l| l.starts_with(row)),
            "missing {row}\n{text}"
        )
    };
    has("classify,race,A,none,,tpr,0.5,");
    has("classify,race,B,none,,fpr,0.5,");
    has("classify,race,A,none,,fpr,0,0,0.95,0,1"); // one-sided bound 1 − 0.05^(1/1)
                                                   // Selection rates 1/3 and 2/3: difference 1/3, ratio 1/2; B against A: DI 2.
    has("classify,race,,none,,demographic_parity_ratio,0.5,");
    has("classify,race,B,none,,disparate_impact,2,");
    has("classify,race,B,none,,statistical_parity_difference,0.3333333333333333,");
    // Reference rules: `best` is the lowest error rate (tie A/B at 1/3 → the first, A);
    // an unknown named group is an error listing the groups.
    let j = json("classify", &f, &["--attr", "race", "--reference", "best"]);
    assert_eq!(j["classify"]["views"][1]["reference"]["group"], "A");
    assert_eq!(
        j["classify"]["views"][1]["reference"]["rule"],
        "best (lowest error rate: 0.3333; a tie within 1e-9 keeps the first group in table order)"
    );
    let err = fails("classify", &f, &["--attr", "race", "--reference", "race=Z"]);
    assert!(
        err.contains("--reference race=Z: no such group (groups: A, B)"),
        "{err}"
    );
    // Three labels and no positive label: multiclass.
    let m = write(
        dir.path(),
        "m.csv",
        "y_true,y_pred,g\ncat,cat,x\ndog,cat,x\nbird,bird,x\ncat,dog,y\n",
    );
    let text = ok("classify", &m, &["--attr", "g", "--format", "csv"]);
    assert!(
        text.contains("classify,g,x,none,,accuracy,0.6666666666666666,"),
        "{text}"
    );
    assert!(text.contains("classify,g,x,none,,recall:cat,1,"), "{text}");
    assert!(
        text.contains("classify,g,x,none,,precision:cat,0.5,"),
        "{text}"
    );
    assert!(
        text.contains("classify,g,y,none,,confusion:cat:dog,1,"),
        "{text}"
    );
    // Two labels that are not flags need a positive label.
    let b = write(dir.path(), "b.csv", "y_true,y_pred\ncat,dog\ndog,dog\n");
    assert!(fails("classify", &b, &[]).contains("name the positive one"));
}

#[test]
fn bootstrap_is_identical_for_one_thread_and_many() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sim.csv");
    biasbench()
        .args(["simulate", "--out", data.to_str().unwrap()])
        .args([
            "--subjects-per-group",
            "20",
            "--nonmated-per-group",
            "300",
            "--cross-nonmated",
            "300",
        ])
        .assert()
        .success();
    let run = |threads: &str, format: &str, seed: &str| {
        let out = biasbench()
            .env("RAYON_NUM_THREADS", threads)
            .arg("verify")
            .arg(&data)
            .args([
                "--attr",
                "race",
                "--threshold",
                "global-fmr:1e-2",
                "--bootstrap",
                "60",
                "--seed",
                seed,
            ])
            .args(["--compare", "A,D", "--reproducible", "--format", format])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    for format in ["json", "csv"] {
        assert_eq!(run("1", format, "9"), run("2", format, "9"), "{format}");
    }
    let j: Value = serde_json::from_slice(&run("2", "json", "9")).unwrap();
    let b = &j["bootstrap"];
    assert_eq!(b["unit"], "subject");
    assert_eq!(b["units"], 160);
    assert_eq!(j["provenance"]["seed"], 9);
    let c = b["comparisons"].as_array().unwrap();
    assert!(c
        .iter()
        .any(|x| x["metric"] == "fmr" && x["policy"] == "global-fmr:1e-2"));
    // The CSV interval columns of a summary hold its bootstrap interval.
    let csv = String::from_utf8(run("2", "csv", "9")).unwrap();
    let gini = csv
        .lines()
        .find(|l| l.contains(",global-fmr:1e-2,") && l.contains(",fmr.gini,"))
        .unwrap();
    let cells: Vec<&str> = gini.split(',').collect();
    let (lo, value, hi): (f64, f64, f64) = (
        cells[7].parse().unwrap(),
        cells[6].parse().unwrap(),
        cells[8].parse().unwrap(),
    );
    assert!(lo < hi && lo <= value * 1.5 && value <= hi * 1.5, "{gini}");
    // A different seed gives different intervals.
    assert_ne!(run("2", "csv", "10"), run("2", "csv", "9"));
}

#[test]
fn report_directory_is_self_contained_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "c.csv",
        "score,mated,race_a,race_b\n0.9,1,<script>alert(1)</script>,<script>alert(1)</script>\n0.1,0,<script>alert(1)</script>,<script>alert(1)</script>\n0.8,1,B_1,B_1\n0.2,0,B_1,B_1\n0.3,0,B_1,<script>alert(1)</script>\n",
    );
    let out = dir.path().join("r");
    ok(
        "verify",
        &f,
        &[
            "--attr",
            "race",
            "--threshold",
            "fixed:0.5",
            "--report",
            out.to_str().unwrap(),
            "--reproducible",
        ],
    );
    for ext in ["txt", "json", "csv", "md", "html", "tex"] {
        assert!(out.join(format!("report.{ext}")).is_file(), "{ext}");
    }
    let svgs = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "svg")
        })
        .count();
    assert!(svgs >= 3, "{svgs} figures");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for forbidden in ["<script", "src=", "<link", "@import"] {
        assert!(!html.contains(forbidden), "{forbidden} in the page");
    }
    assert!(html.contains("<svg"), "figures are inline");
    let tex = std::fs::read_to_string(out.join("report.tex")).unwrap();
    assert!(tex.contains("B\\_1") && tex.contains("\\toprule"), "{tex}");
}

/// `biasbench … | head`: a reader that closes the pipe early ends the output
/// quietly (exit 0), never a panic (exit 101).
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::process::{Command, Stdio};
    let file = common::root().join("fixtures/golden/verify_random.csv");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("biasbench"))
        .args(["verify", file.to_str().unwrap(), "--attr", "race,sex"])
        .args(["--format", "json", "--reproducible"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before the report is written
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// A link to /dev/full in a fresh folder: writing through it meets a full
/// disk (a regression would replace the link, never the device).
#[cfg(target_os = "linux")]
fn full_disk(dir: &Path) -> PathBuf {
    let link = dir.join("full.txt");
    std::os::unix::fs::symlink("/dev/full", &link).unwrap();
    link
}

/// A full disk is a clear error naming the file (exit 2), never a panic
/// (exit 101): for `--out`, standard output, and standard error (status
/// lines are skipped, the run goes on).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let full = full_disk(dir.path());
    let file = common::root().join("fixtures/golden/verify_random.csv");
    let out = biasbench()
        .args(["verify", file.to_str().unwrap(), "--attr", "race", "--out"])
        .arg(&full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}: No space left on device", full.display())),
        "{err}"
    );
    let out = biasbench()
        .args(["simulate", "--out"])
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let to_full = || Stdio::from(std::fs::File::create(&full).unwrap());
    let bin = || std::process::Command::new(assert_cmd::cargo::cargo_bin("biasbench"));
    let out = bin()
        .args(["verify", file.to_str().unwrap(), "--attr", "race"])
        .stdout(to_full())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("writing to standard output: No space left"),
        "{err}"
    );
    let report = dir.path().join("report");
    let out = bin()
        .args([
            "verify",
            file.to_str().unwrap(),
            "--attr",
            "race",
            "--report",
        ])
        .arg(&report)
        .stderr(to_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(report.join("report.json").exists());
    assert!(std::fs::symlink_metadata(&full).unwrap().is_symlink());
}

/// SIGTERM during a large write ends the run with 143 and removes the
/// hidden temporary file (it stayed behind: up to 585 MB).
#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_no_temporary_file() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("biasbench"))
        .args(["simulate", "--nonmated-per-group", "200000", "--out"])
        .arg(&out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let hidden = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
            .count()
    };
    let start = Instant::now();
    while hidden() == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the write ended before a temporary file was seen"
        );
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "no temporary file"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert_eq!(hidden(), 0, "a temporary file is left behind");
    assert!(!out.exists());
}
