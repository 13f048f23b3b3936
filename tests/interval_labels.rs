//! Every report says which interval its rate columns show, and a report
//! whose intervals assume independent trials says so at the top.

mod common;
use common::ok;
use std::path::Path;

const CAUTION: &str = "Caution: read this first";

fn first_lines(text: &str) -> String {
    text.lines().take(6).collect::<Vec<_>>().join("\n")
}

#[test]
fn verify_without_subject_ids_cautions_at_the_top() {
    let file = Path::new("fixtures/tidy/inputs/verify_messy.csv");
    let args = [
        "--score",
        "sim",
        "--mated",
        "is_mate",
        "--attr",
        "eth",
        "--threshold",
        "fixed:0.5",
    ];
    let text = ok("verify", file, &args);
    let top = first_lines(&text);
    assert!(top.contains(CAUTION), "{top}");
    assert!(
        top.contains("intervals assume independent comparisons"),
        "{top}"
    );
    assert!(
        text.contains("95% Wilson, independent comparisons"),
        "{text}"
    );
    // With the subject columns: cluster-robust, and no caution about it.
    let mut with = args.to_vec();
    with.extend([
        "--subject-a",
        "img_a",
        "--subject-b",
        "img_b",
        "--id-sep",
        "_",
    ]);
    let text = ok("verify", file, &with);
    assert!(!text.contains("intervals assume independent"), "{text}");
    assert!(
        text.contains("95% Wilson, cluster-robust (design effect from"),
        "{text}"
    );
    let json = ok(
        "verify",
        file,
        &[with.as_slice(), &["--format", "json"]].concat(),
    );
    assert!(json.contains("\"design_effect\""), "{json}");
    // No intervals asked for: nothing to caution about.
    let none = ok(
        "verify",
        file,
        &[args.as_slice(), &["--ci", "none"]].concat(),
    );
    assert!(!none.contains("intervals assume independent"), "{none}");
}

#[test]
fn identify_reports_say_their_searches_are_taken_as_independent() {
    let file = Path::new("fixtures/tidy/inputs/identify_searches.csv");
    let text = ok(
        "identify",
        file,
        &["--attr", "race", "--threshold", "fixed:0.5"],
    );
    let top = first_lines(&text);
    assert!(
        top.contains(CAUTION) && top.contains("independent searches"),
        "{top}"
    );
    assert!(text.contains("95% Wilson, independent searches"), "{text}");
}

#[test]
fn classify_tables_name_their_interval() {
    let plain = ok(
        "classify",
        Path::new("fixtures/golden/classify_plain.csv"),
        &["--attr", "race"],
    );
    assert!(plain.contains("95% Wilson, independent items"), "{plain}");
    assert!(!plain.contains(CAUTION), "{plain}");
}
