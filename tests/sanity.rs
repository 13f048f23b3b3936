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
