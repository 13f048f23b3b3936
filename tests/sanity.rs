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
