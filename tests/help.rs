//! Help that teaches: every flag of every subcommand is described and
//! states its default, every `--help` ends with runnable examples, a task's
//! help speaks of that task only, and errors say their cause once.

mod common;
use common::biasbench;

const SUBCOMMANDS: [&str; 11] = [
    "verify",
    "identify",
    "classify",
    "estimate",
    "summarize",
    "check",
    "merge",
    "compare",
    "demo",
    "simulate",
    "power",
];

fn help(sub: &str) -> String {
    let out = biasbench().args([sub, "--help"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// (flag line, description) of every option in a help text.
fn options(text: &str) -> Vec<(String, String)> {
    let body = &text[text.find("Options:").expect("an Options section")..];
    let body = body.split("\nExamples:").next().unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in body.lines().skip(1) {
        let t = line.trim_start();
        if t.starts_with('-') {
            // `--flag <V>  description` on one line, or the description below.
            let (flag, desc) = match t.split_once("  ") {
                Some((f, d)) => (f.to_string(), d.trim().to_string()),
                None => (t.to_string(), String::new()),
            };
            out.push((flag, desc));
        } else if let Some(last) = out.last_mut() {
            last.1.push(' ');
            last.1.push_str(t);
        }
    }
    out
}

#[test]
fn every_flag_is_described_and_states_its_default() {
    for sub in SUBCOMMANDS {
        let text = help(sub);
        for (flag, desc) in options(&text) {
            if flag.contains("--help") {
                continue;
            }
            assert!(!desc.trim().is_empty(), "{sub} {flag}: no description");
            if flag.contains('<') {
                assert!(
                    desc.contains("[default") || desc.contains("(required)"),
                    "{sub} {flag}: no default stated: {desc}"
                );
            }
        }
    }
}

#[test]
fn every_help_ends_with_examples_that_run() {
    let dir = tempfile::tempdir().unwrap();
    for sub in SUBCOMMANDS {
        let text = help(sub);
        let examples = text
            .split("\nExamples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{sub}: no examples"));
        let lines: Vec<&str> = examples
            .lines()
            .filter(|l| l.starts_with("  biasbench "))
            .collect();
        assert!(
            (2..=3).contains(&lines.len()),
            "{sub}: {} examples",
            lines.len()
        );
        for line in lines {
            // Those on the data in the repository run as written (output to a
            // scratch folder); the others need files they make themselves.
            let args: Vec<&str> = line.split_whitespace().skip(1).collect();
            let self_contained = args.iter().skip(1).all(|a| {
                a.starts_with('-')
                    || !a.contains('/')
                    || std::path::Path::new(a).exists()
                    || *a == "out/"
            }) && !line.contains("sim.csv")
                && !line.contains(".json ")
                && !line.contains("--stream");
            if !self_contained || args[0] == "demo" {
                continue;
            }
            let args: Vec<String> = args
                .iter()
                .map(|a| {
                    if *a == "out/" {
                        dir.path().display().to_string()
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            let out = biasbench().args(&args).output().unwrap();
            assert!(
                out.status.success(),
                "{line}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn a_task_s_help_speaks_of_that_task_only() {
    for (sub, others) in [
        ("verify", ["classify", "identify", "items", "searches"]),
        ("identify", ["classify", "verify", "items", "EER"]),
        ("classify", ["verify", "identify", "EER", "searches"]),
        ("estimate", ["verify", "identify", "FMR", "searches"]),
    ] {
        let text = help(sub);
        for other in others {
            assert!(!text.contains(other), "{sub} --help mentions {other:?}");
        }
    }
}

#[test]
fn errors_say_their_cause_once_and_no_data_error_is_an_invalid_option() {
    let out = biasbench()
        .args(["verify", "/no/such/file.csv"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    let out = biasbench()
        .args([
            "verify",
            "fixtures/golden/verify_random.csv",
            "--threshold",
            "global-fmr:2",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("--threshold").count(), 1, "{err}");
    assert!(!err.contains("invalid option"), "{err}");
    assert!(err.contains("global-fmr:2"), "{err}");
    // A flag the data need (two labels, no positive one named).
    let out = biasbench()
        .args([
            "classify",
            "fixtures/tidy/inputs/classify_multiclass.csv",
            "--attr",
            "grp",
            "--true-positive",
            "nope",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains("invalid option"), "{err}");
}
