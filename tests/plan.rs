//! Every error in a flag is reported before any input is opened: each case
//! runs on an input that does not exist, so failing with exit code 2 and a
//! message about the flag (not about the missing file) proves that the
//! flags were checked first.

mod common;

use common::fails;
use std::path::Path;

/// An input that does not exist: opening it would be the error.
const NEVER_OPENED: &str = "/nonexistent/never-opened";

/// `biasbench SUB NEVER_OPENED ARGS…` fails on its flags, naming `flag`.
fn flag_error(sub: &str, args: &[&str], flag: &str) {
    let err = fails(sub, Path::new(NEVER_OPENED), args);
    assert!(err.contains(flag), "{sub} {args:?}: {err}");
    assert!(
        !err.contains("never-opened"),
        "{sub} {args:?} opened its input first: {err}"
    );
}

#[test]
fn reference_rules_are_checked_before_reading() {
    flag_error(
        "verify",
        &["--attr", "race", "--reference", "nope=A"],
        "--reference nope=A",
    );
    flag_error("verify", &["--reference", "biggest"], "--reference");
    flag_error(
        "verify",
        &["--attr", "race", "--reference", "race="],
        "--reference",
    );
    flag_error(
        "verify",
        &[
            "--attr",
            "race",
            "--reference",
            "race=A",
            "--reference",
            "race=B",
        ],
        "--reference race=B",
    );
    flag_error("classify", &["--reference", "race=A"], "--reference race=A");
    flag_error(
        "identify",
        &["--attr", "race", "--reference", "sex=F"],
        "--reference sex=F",
    );
}

#[test]
fn verify_flags_are_checked_before_reading() {
    let cases: &[(&[&str], &str)] = &[
        (&["--threshold", "global-fmr:0"], "--threshold"),
        (&["--threshold", "median"], "--threshold"),
        (&["--bootstrap", "1"], "--bootstrap 1"),
        (&["--bootstrap", "10", "--compare", "A"], "--compare"),
        (&["--bootstrap", "10", "--compare", "A,A"], "--compare"),
        (&["--compare", "A,B"], "--compare needs --bootstrap"),
        (&["--seed", "4"], "--seed needs --bootstrap"),
        (&["--bootstrap-rows"], "--bootstrap-rows needs --bootstrap"),
        (&["--ci", "wald"], "--ci"),
        (&["--level", "1.5"], "--level"),
        (&["--alpha", "1.5"], "--alpha"),
        (&["--delimiter", ";;"], "--delimiter"),
        (&["--exclude", "flag"], "--exclude"),
        (&["--no-hash"], "--no-hash"),
        (&["--stream", "--bootstrap", "10"], "--bootstrap"),
        (&["--stream", "--exclude", "flag=1"], "--exclude"),
        (&["--stream", "--strict"], "--strict"),
        (&["--stream", "--delimiter", "tab"], "--delimiter"),
        (&["--stream", "--subject-a", "a"], "--subject-a"),
        (&["--emit-partial", "p.json", "--strict"], "--strict"),
        (&["--emit-partial", "p.json", "--out", "r.txt"], "--out"),
    ];
    for (args, flag) in cases {
        flag_error("verify", args, flag);
    }
}

#[test]
fn identify_classify_and_summarize_flags_are_checked_before_reading() {
    flag_error("identify", &["--rank", "0"], "--rank 0");
    flag_error(
        "identify",
        &["--threshold", "global-fmr:0.1"],
        "--threshold",
    );
    flag_error(
        "identify",
        &["--bootstrap", "10", "--bootstrap-rows"],
        "--bootstrap-rows: identify always resamples searches",
    );
    flag_error("identify", &["--seed", "2"], "--seed needs --bootstrap");
    flag_error("classify", &["--score", "p"], "--score needs --cutoff");
    flag_error("classify", &["--cutoff", "0.5"], "--cutoff");
    flag_error("classify", &["--bootstrap", "1"], "--bootstrap 1");
    flag_error("summarize", &["--trials", "fmr"], "--trials");
    flag_error("summarize", &["--exclude", "=1"], "--exclude");
    flag_error("summarize", &["--alpha", "3"], "--alpha");
}
