//! ProPublica's COMPAS truth tables, reproduced from the command line
//! (published numbers quoted in ../shared/data/compas/SOURCE.md).

mod common;

use serde_json::Value;

/// (events, trials) of a rate of a group, from the JSON report.
fn counts(j: &Value, attribute: &str, group: &str, metric: &str) -> (f64, f64) {
    let view = j["classify"]["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["attribute"] == attribute)
        .unwrap();
    let g = view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .position(|g| g["group"] == group)
        .unwrap();
    let col = view["operating_points"][0]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == metric)
        .unwrap();
    let r = &col["by_group"][g];
    (r["events"].as_f64().unwrap(), r["trials"].as_f64().unwrap())
}

fn run(pred_positive: &str) -> Option<Value> {
    let dir = common::shared_data("compas")?;
    let args = [
        "--y-true",
        "two_year_recid",
        "--true-positive",
        "1",
        "--pred",
        "score_text",
        "--pred-positive",
        pred_positive,
        "--attr",
        "race",
        "--reference",
        "race=Caucasian",
    ];
    Some(common::json(
        "classify",
        &dir.join("compas-scores-two-years.deidentified.csv"),
        &args,
    ))
}

/// Rounds a fraction to ProPublica's two-decimal percentage.
fn pct(c: (f64, f64)) -> f64 {
    (c.0 / c.1 * 10_000.0).round() / 100.0
}

#[test]
fn medium_or_high_is_positive() {
    let Some(j) = run("Medium,High") else { return };
    assert_eq!(j["accounting"]["rows"], 7214);
    assert_eq!(j["accounting"]["used"], 7214);
    // All defendants: Survived 2681 Low / 1282 High; Recidivated 1216 / 2035.
    assert_eq!(counts(&j, "*", "*", "fpr"), (1282.0, 3963.0));
    assert_eq!(counts(&j, "*", "*", "fnr"), (1216.0, 3251.0));
    assert_eq!(
        (
            pct(counts(&j, "*", "*", "fpr")),
            pct(counts(&j, "*", "*", "fnr"))
        ),
        (32.35, 37.40)
    );
    // Black: 990 / 805, 532 / 1369 → FPR 44.85, FNR 27.99.
    assert_eq!(
        counts(&j, "race", "African-American", "fpr"),
        (805.0, 1795.0)
    );
    assert_eq!(
        counts(&j, "race", "African-American", "fnr"),
        (532.0, 1901.0)
    );
    assert_eq!(pct(counts(&j, "race", "African-American", "fpr")), 44.85);
    assert_eq!(pct(counts(&j, "race", "African-American", "fnr")), 27.99);
    // White: 1139 / 349, 461 / 505 → FPR 23.45, FNR 47.72.
    assert_eq!(counts(&j, "race", "Caucasian", "fpr"), (349.0, 1488.0));
    assert_eq!(counts(&j, "race", "Caucasian", "fnr"), (461.0, 966.0));
    assert_eq!(pct(counts(&j, "race", "Caucasian", "fpr")), 23.45);
    assert_eq!(pct(counts(&j, "race", "Caucasian", "fnr")), 47.72);
}

#[test]
fn high_only_is_positive() {
    let Some(j) = run("High") else { return };
    // hightable: White TN 1407, FP 81, FN 771, TP 195; Black TN 1511, FP 284, FN 1160, TP 741.
    assert_eq!(counts(&j, "race", "Caucasian", "fpr"), (81.0, 1488.0));
    assert_eq!(counts(&j, "race", "Caucasian", "fnr"), (771.0, 966.0));
    assert_eq!(
        counts(&j, "race", "African-American", "fpr"),
        (284.0, 1795.0)
    );
    assert_eq!(
        counts(&j, "race", "African-American", "fnr"),
        (1160.0, 1901.0)
    );
    assert_eq!(pct(counts(&j, "race", "Caucasian", "fpr")), 5.44);
    assert_eq!(pct(counts(&j, "race", "Caucasian", "fnr")), 79.81);
    assert_eq!(pct(counts(&j, "race", "African-American", "fpr")), 15.82);
    assert_eq!(pct(counts(&j, "race", "African-American", "fnr")), 61.02);
    // The named reference group is the one used for the AIF360 forms.
    let race = j["classify"]["views"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["attribute"] == "race")
        .unwrap();
    assert_eq!(race["reference"]["group"], "Caucasian");
}
