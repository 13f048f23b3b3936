//! Issue 12, "wrong answers and silent nonsense": inputs that used to give
//! an audit with exit 0 although it meant nothing are refused (exit 2) or
//! flagged first, with the likely fix.

mod common;

use common::{fails, ok};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn summarize_refuses_percentages_without_percent() {
    let dir = tempfile::tempdir().unwrap();
    // NIST-style percentages: FDR used to come out −0.65 with exit 0.
    let p = write(
        dir.path(),
        "p.csv",
        "group,fmr,fnmr\nA,0.12,2.5\nB,0.05,1.9\n",
    );
    let e = fails("summarize", &p, &[]);
    assert!(
        e.contains("p.csv:2: column 'fnmr', value \"2.5\": rate 2.5 > 1")
            && e.contains("add --percent"),
        "{e}"
    );
    ok("summarize", &p, &["--percent"]);
}

#[test]
fn classify_refuses_predicted_labels_foreign_to_the_true_labels() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "c.csv",
        "y_true,score_text,race\n1,High,A\n0,Low,B\n1,Medium,A\n0,Low,B\n",
    );
    let e = fails(
        "classify",
        &p,
        &["--y-pred", "score_text", "--attr", "race"],
    );
    assert!(
        e.contains("c.csv: no predicted label occurs among the true labels (true labels seen: 0, 1; predicted labels seen: High, Low, Medium)")
            && e.contains("--pred-positive"),
        "{e}"
    );
    let fixed = [
        "--y-pred",
        "score_text",
        "--attr",
        "race",
        "--true-positive",
        "1",
    ];
    fails("classify", &p, &fixed);
    ok(
        "classify",
        &p,
        &[&fixed[..], &["--pred-positive", "Medium,High"]].concat(),
    );
    // The COMPAS case of the issue, when the data set is present.
    if let Some(d) = common::shared_data("compas") {
        let f = d.join("compas-scores-two-years.deidentified.csv");
        let args = [
            "--y-true",
            "two_year_recid",
            "--y-pred",
            "score_text",
            "--attr",
            "race",
        ];
        let e = fails("classify", &f, &args);
        assert!(
            e.contains("predicted labels seen: High, Low, Medium"),
            "{e}"
        );
    }
}

#[test]
fn classify_with_thousands_of_classes_keeps_to_the_observed_cells() {
    // 3,000 classes, 20,000 rows, 3 groups: a dense classes × classes matrix
    // per group (and its k³ sums) took minutes and many GB; every output
    // now follows the observed cells.
    let (k, n) = (3000u64, 20_000u64);
    let mut text = String::from("y_true,y_pred,grp\n");
    let mut x = 12345u64;
    for i in 0..n {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let t = (x >> 33) % k;
        let p = if i % 4 == 0 { (x >> 13) % k } else { t };
        text.push_str(&format!(
            "c{t},c{p},{}\n",
            ["A", "B", "C"][(i % 3) as usize]
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "many.csv", &text);
    let csv = ok("classify", &f, &["--attr", "grp", "--format", "csv"]);
    let confusion: Vec<&str> = csv.lines().filter(|l| l.contains(",confusion:")).collect();
    // Each row lands in one cell of its group and one of the pooled view.
    assert!(
        !confusion.is_empty() && confusion.len() as u64 <= 2 * n,
        "{}",
        confusion.len()
    );
    // The weights of the listed cells add up to the rows, per view.
    let total: f64 = confusion
        .iter()
        .filter(|l| l.starts_with("classify,*,"))
        .map(|l| l.split(',').nth(6).unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(total, n as f64);
    // Only observed cells: no zeros.
    assert!(confusion.iter().all(|l| l.split(',').nth(6) != Some("0")));
    let j = common::json("classify", &f, &["--attr", "grp"]);
    let notes = j["classify"]["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|s| s.as_str().unwrap().ends_with(" labels: the confusion matrices list only their observed cells (a cell not listed is 0)")),
        "{notes:?}"
    );
}

/// Runs `biasbench SUB FILE ARGS…` and returns (exit code, stdout, stderr).
fn run(sub: &str, file: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = common::run(sub, file, args);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn zero_usable_rows_is_an_error_with_the_drop_accounting_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let v = write(
        dir.path(),
        "v.csv",
        "score,mated,race\nNaN,1,A\n,0,B\n,1,A\n",
    );
    let e = fails("verify", &v, &["--attr", "race"]);
    let e = e.replace(&format!("{}/", dir.path().display()), "");
    assert!(
        e.contains("v.csv: no usable row: read 3, used 0, dropped 1 non-finite score (first: v.csv:2: column 'score', value \"NaN\"); 2 missing score (first: v.csv:3: column 'score', value \"\"). Check that --score names the score column."),
        "{e}"
    );
    let c = write(dir.path(), "c.csv", "y_true,y_pred,race\n1,1,\n0,1,\n");
    let e = fails("classify", &c, &["--attr", "race"]);
    assert!(
        e.contains(
            "c.csv: no usable row: read 2, used 0, dropped 2 missing group in every attribute"
        ) && e.contains("Check that --attr names the attribute columns"),
        "{e}"
    );
    let s = write(dir.path(), "s.csv", "group,site,fmr\nA,x,0.1\nB,x,0.2\n");
    let e = fails("summarize", &s, &["--rates", "fmr", "--exclude", "site=x"]);
    assert!(
        e.contains("no usable row: read 2, used 0, dropped 2 excluded by --exclude site=x")
            && e.contains("The --exclude rules remove every row"),
        "{e}"
    );
}

#[test]
fn an_audit_with_no_defined_rate_exits_2_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    // No mated flag and distinct subject ids: no mated pair, and five
    // non-mated comparisons support none of the default FMR targets.
    let v = write(
        dir.path(),
        "v.csv",
        "subject_a,subject_b,score,race,is_mate\na1,b1,0.9,A,1\na2,b2,0.4,A,0\na3,b3,0.8,B,1\na4,b4,0.7,B,0\na5,b5,0.2,A,0\n",
    );
    let e = fails(
        "verify",
        &v,
        &[
            "--subject-a",
            "subject_a",
            "--subject-b",
            "subject_b",
            "--attr",
            "race",
        ],
    );
    assert!(
        e.contains("v.csv: the audit produced no rate: every rate and statistic is undefined. no group has a mated comparison")
            && e.contains("--mated COLUMN")
            && e.contains("global-fmr:1e-1 skipped"),
        "{e}"
    );
    let s = write(dir.path(), "s.csv", "group,fmr\nA,\nB,NA\n");
    let e = fails("summarize", &s, &[]);
    assert!(e.contains("s.csv: the audit produced no rate"), "{e}");
}

#[test]
fn no_mated_comparison_anywhere_is_said_first_and_an_fmr_only_audit_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let v = write(
        dir.path(),
        "v.csv",
        "subject_a,subject_b,score,race,is_mate\na1,b1,0.9,A,1\na2,b2,0.4,A,0\na3,b3,0.8,B,1\na4,b4,0.7,B,0\na5,b5,0.2,A,0\n",
    );
    let args = [
        "--subject-a",
        "subject_a",
        "--subject-b",
        "subject_b",
        "--attr",
        "race",
        "--threshold",
        "fixed:0.5",
    ];
    let (code, out, err) = run("verify", &v, &args);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.starts_with("caution: no group has a mated comparison: FNMR, TMR, EER, AUC and d' are undefined everywhere and only FMR is audited. If the file holds mated pairs, name its mated-flag column (--mated COLUMN)"),
        "{err}"
    );
    assert!(out.starts_with("Caution: read this first\n"), "{out}");
    let (_, md, _) = run(
        "verify",
        &v,
        &[&args[..], &["--format", "markdown"]].concat(),
    );
    let first = md.lines().find(|l| l.starts_with("## ")).unwrap();
    assert_eq!(first, "## Caution: read this first", "{md}");
    let (_, html, _) = run("verify", &v, &[&args[..], &["--format", "html"]].concat());
    let caution = html.find("Caution: read this first").unwrap();
    assert!(caution < html.find("Provenance").unwrap());
    assert!(html.find("Summary").is_none_or(|s| caution < s));
    let (_, json, _) = run("verify", &v, &[&args[..], &["--format", "json"]].concat());
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(j["alarms"], serde_json::json!(["no-mated"]));
    // With the mated flag named, the audit has both kinds and no alarm.
    let (code, out, err) = run("verify", &v, &[&args[..], &["--mated", "is_mate"]].concat());
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !err.contains("caution") && !out.contains("Caution"),
        "{err}"
    );
}

#[test]
fn identify_and_classify_say_which_kind_no_group_has() {
    let dir = tempfile::tempdir().unwrap();
    // Every search is mated: FNIR only.
    let s = write(
        dir.path(),
        "s.csv",
        "search_id,mated,mate_rank,mate_score,nonmate_score,race\nq1,1,1,0.9,0.4,A\nq2,1,2,0.5,0.6,B\nq3,1,1,0.8,0.2,A\n",
    );
    let (code, _, err) = run(
        "identify",
        &s,
        &["--attr", "race", "--threshold", "fixed:0.5"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.starts_with("caution: no group has a non-mated search: FPIR"),
        "{err}"
    );
    // No truly positive item: selection rate and FPR remain.
    let c = write(
        dir.path(),
        "c.csv",
        "y_true,y_pred,race\n0,1,A\n0,0,B\n0,1,B\n",
    );
    let (code, out, err) = run("classify", &c, &["--attr", "race"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.starts_with("caution: no item is truly positive: TPR, FNR"),
        "{err}"
    );
    assert!(out.starts_with("Caution: read this first\n"), "{out}");
}
