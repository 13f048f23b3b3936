//! `biasbench check`: every exit code from a small fixture, estimate and
//! bound deciding differently, baselines passing and failing, JUnit XML
//! checked structurally, and errors naming the key and line.
//!
//! The fixture's race FMR at `global-fmr:1e-2` (see `biasbench verify
//! fixtures/golden/verify_random.csv --attr race`): A 0 of 917, B 1 of 587
//! (0.0017, Wilson-cluster interval up to 0.0096), C 0.056 (411 trials),
//! D 0 of 29; max/geomean 4.23.

mod common;
use common::{biasbench, root};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    root().join("fixtures/golden/verify_random.csv")
}

/// An audit file over `input` with `gates` (TOML text) in `dir`.
fn audit(dir: &Path, input: &Path, gates: &str) -> PathBuf {
    let text = format!(
        "task = \"verify\"\ninput = {:?}\n\n[options]\nattr = [\"race\"]\nthreshold = [\"global-fmr:1e-2\"]\n\n{gates}",
        input.display().to_string()
    );
    let path = dir.join("audit.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Exit code and standard error of `biasbench check FILE ARGS…`.
fn check(file: &Path, args: &[&str]) -> (i32, String, String) {
    let out = biasbench()
        .arg("check")
        .arg(file)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const FMR_B: &str =
    "[[gate]]\nmetric = \"fmr\"\nattribute = \"race\"\ngroups = [\"B\"]\nmax = 0.005\n";

#[test]
fn every_exit_code() {
    let d = tempfile::tempdir().unwrap();
    let pass = audit(d.path(), &fixture(), FMR_B);
    let (code, out, _) = check(&pass, &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Release gate: PASS"), "{out}");

    let fail = "[[gate]]\nmetric = \"fmr.max_over_geomean\"\nattribute = \"race\"\nmax = 2\n";
    let (code, out, _) = check(&audit(d.path(), &fixture(), fail), &[]);
    assert_eq!(code, 1);
    assert!(out.starts_with("Release gate: FAIL"), "{out}");

    // Every group has fewer than 1000 trials: inconclusive, though all pass.
    let few = "[[gate]]\nmetric = \"fmr\"\nattribute = \"race\"\nmax = 1\nmin_trials = 1000\n";
    let (code, out, _) = check(&audit(d.path(), &fixture(), few), &[]);
    assert_eq!(code, 3);
    assert!(out.contains("fewer than min_trials 1000"), "{out}");

    // A failure outweighs an inconclusive gate.
    let (code, _, _) = check(&audit(d.path(), &fixture(), &format!("{few}\n{fail}")), &[]);
    assert_eq!(code, 1);

    let (code, _, err) = check(&audit(d.path(), Path::new("absent.csv"), FMR_B), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("absent.csv"), "{err}");
}

#[test]
fn estimate_and_bound_decide_differently() {
    let d = tempfile::tempdir().unwrap();
    let (code, _, _) = check(&audit(d.path(), &fixture(), FMR_B), &[]);
    assert_eq!(code, 0, "B's estimate 0.0017 is below 0.005");
    let bound = format!("{FMR_B}on = \"bound\"\n");
    let (code, out, _) = check(&audit(d.path(), &fixture(), &bound), &[]);
    assert_eq!(code, 1, "B's upper bound is above 0.005: {out}");
    assert!(out.contains("race B @ global-fmr:1e-2"), "{out}");
}

/// The fixture with race C's non-mated scores halved: a model with less FMR disparity.
fn better_model(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let at = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let (mated, score, race) = (at("mated"), at("score"), at("race_a"));
    let mut out = format!("{header}\n");
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if cells[mated] == "0" && cells[race] == "C" {
            if let Ok(s) = cells[score].parse::<f64>() {
                cells[score] = (s * 0.5).to_string();
            }
        }
        out += &cells.join(",");
        out.push('\n');
    }
    let path = dir.join("better.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn baselines_pass_and_fail() {
    let d = tempfile::tempdir().unwrap();
    let relative = "[[gate]]\nmetric = \"fmr.max_over_geomean\"\nattribute = \"race\"\nmax_increase = 0.10\n\n[[gate]]\nmetric = \"fnmr\"\nattribute = \"race\"\nnot_worse = true\n";
    let file = audit(d.path(), &fixture(), relative);
    let save = |input: &Path, name: &str| {
        let path = d.path().join(name);
        let out = biasbench()
            .args(["verify", input.to_str().unwrap(), "--attr", "race"])
            .args([
                "--threshold",
                "global-fmr:1e-2",
                "--format",
                "json",
                "--out",
            ])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success());
        path
    };
    // Against itself: no change.
    let same = save(&fixture(), "same.json");
    let (code, out, err) = check(&file, &["--baseline", same.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("| baseline | change |"), "{out}");
    // Against a release with less disparity: more than 10 % worse.
    let better = save(&better_model(d.path()), "better.json");
    let (code, out, _) = check(&file, &["--baseline", better.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let row = out
        .lines()
        .find(|l| l.contains("fmr.max_over_geomean"))
        .unwrap();
    assert!(row.contains("fail"), "{row}");
    // A relative gate without a baseline is a usage error.
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--baseline"), "{err}");
}

#[test]
fn junit_xml_has_a_test_case_per_gate_and_group() {
    let d = tempfile::tempdir().unwrap();
    let gates = "[[gate]]\nmetric = \"fmr\"\nattribute = \"race\"\nmax = 0.01\nname = \"FMR <= 1%\"\n\n[[gate]]\nmetric = \"fmr\"\nattribute = \"race\"\ngroups = [\"D\"]\nmax = 1\nmin_trials = 100\n";
    let xml = d.path().join("gate.xml");
    let (code, _, _) = check(
        &audit(d.path(), &fixture(), gates),
        &["--junit", xml.to_str().unwrap()],
    );
    assert_eq!(code, 1, "C's FMR 0.056 is above 1 %");
    let text = std::fs::read_to_string(&xml).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let suite = suites
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 5, "four race groups and D again");
    let count = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
            .count()
    };
    for node in [suites, suite] {
        assert_eq!(node.attribute("tests"), Some("5"));
        assert_eq!(
            node.attribute("failures"),
            Some(count("failure").to_string().as_str())
        );
        assert_eq!(
            node.attribute("skipped"),
            Some(count("skipped").to_string().as_str())
        );
    }
    assert_eq!((count("failure"), count("skipped")), (1, 1));
    assert!(cases
        .iter()
        .all(|c| c.attribute("classname").is_some() && c.attribute("name").is_some()));
    let failed = cases
        .iter()
        .find(|c| c.children().any(|n| n.has_tag_name("failure")))
        .unwrap();
    assert_eq!(failed.attribute("name"), Some("race C"));
    assert_eq!(failed.attribute("classname"), Some("FMR <= 1%"));
}

#[test]
fn errors_name_the_key_and_line() {
    let d = tempfile::tempdir().unwrap();
    // A misspelt metric: after the audit, naming the gate's line and what there is.
    let file = audit(
        d.path(),
        &fixture(),
        &format!("{FMR_B}\n[[gate]]\nmetric = \"fmrr\"\nattribute = \"race\"\nmax = 1\n"),
    );
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    let line = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .position(|l| l.contains("fmrr"))
        .unwrap();
    // The gate's table starts on the line before its metric.
    assert!(
        err.contains(&format!(
            "audit.toml:{line}: gate 2: metric: \"fmrr\" is not a metric"
        )),
        "{err}"
    );
    assert!(err.contains("fnmr"), "{err}");
    // A misspelt key: the TOML reader names it and its line.
    let file = audit(
        d.path(),
        &fixture(),
        "[[gate]]\nmetric = \"fmr\"\nattribute = \"race\"\nmaxx = 1\n",
    );
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown field `maxx`") && err.contains("line 11"),
        "{err}"
    );
    // A wrong type.
    let file = audit(
        d.path(),
        &fixture(),
        "[[gate]]\nmetric = \"fmr\"\nattribute = \"race\"\nmax = \"low\"\n",
    );
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("line 11") && err.contains("max"), "{err}");
    // An option the task does not have.
    let text = format!(
        "task = \"verify\"\ninput = {:?}\n[options]\natr = \"race\"\n\n{FMR_B}",
        fixture().display().to_string()
    );
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("audit.toml:4: options.atr: not an option of verify"),
        "{err}"
    );
    // A value an option's flag refuses: at the option's line.
    let text = format!("task = \"verify\"\ninput = {:?}\n[options]\nattr = \"race\"\nthreshold = \"global-fmr:abc\"\n\n{FMR_B}", fixture().display().to_string());
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("audit.toml:5: options.threshold: --threshold \"global-fmr:abc\""),
        "{err}"
    );
    // Two gates of one name.
    let file = audit(d.path(), &fixture(), &format!("{FMR_B}\n{FMR_B}"));
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("gate 2: name: ") && err.contains("the name of gate 1 too"),
        "{err}"
    );
    // An absolute and a relative limit in one gate.
    let file = audit(d.path(), &fixture(), &format!("{FMR_B}not_worse = true\n"));
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("gate 1: not_worse: a gate has an absolute limit"),
        "{err}"
    );
    // A group that does not exist.
    let file = audit(
        d.path(),
        &fixture(),
        "[[gate]]\nmetric = \"fmr\"\nattribute = \"race\"\ngroups = [\"Z\"]\nmax = 1\n",
    );
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("groups: \"Z\": no such group of race"),
        "{err}"
    );
}

#[test]
fn init_files_run() {
    let d = tempfile::tempdir().unwrap();
    for (task, input) in [
        ("verify", "fixtures/golden/verify_random.csv"),
        ("identify", "fixtures/tidy/inputs/identify_searches.csv"),
        ("classify", "fixtures/golden/classify_plain.csv"),
        ("estimate", "fixtures/estimate/ages.csv"),
    ] {
        let out = biasbench()
            .args(["check", "--init", task])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let first_input = text.lines().find(|l| l.starts_with("input = ")).unwrap();
        let text = text
            .replace(
                first_input,
                &format!("input = {:?}", root().join(input).display().to_string()),
            )
            .replace("attr = [\"race\", \"sex\"]", "attr = [\"race\"]")
            .replace("global-fmr:1e-3", "global-fmr:1e-2");
        let file = d.path().join(format!("{task}.toml"));
        std::fs::write(&file, text).unwrap();
        let (code, out, err) = check(&file, &[]);
        assert!([0, 1, 3].contains(&code), "{task}: {code}: {out}{err}");
        assert!(out.starts_with("Release gate: "), "{task}: {out}");
    }
    let out = biasbench()
        .args(["check", "--init", "summarize"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = biasbench()
        .args(["check", "--init", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `reports/demo/audit.toml` run by `check` on the simulated demo population
/// gives the verdict `biasbench demo` wrote beside it.
#[test]
fn the_demo_gate_reproduces() {
    let d = tempfile::tempdir().unwrap();
    let csv = d.path().join("demo.csv");
    let out = biasbench()
        .args(["simulate", "--out"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(root().join("reports/demo/audit.toml")).unwrap();
    let file = d.path().join("audit.toml");
    std::fs::write(&file, text).unwrap();
    let (code, out, err) = check(&file, &[]);
    assert_eq!(code, 1, "{err}");
    let written = std::fs::read_to_string(root().join("reports/demo/gate.txt")).unwrap();
    assert!(out.starts_with(&written), "{out}");
}

/// The README's RFW gate, on the data at hand (says SKIPPED when absent).
#[test]
fn the_rfw_gate_of_the_readme() {
    if common::shared_data("rfw-bupt-distances").is_none() {
        return;
    }
    let (code, out, err) = check(&root().join("fixtures/gate/rfw.toml"), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.starts_with("Release gate: FAIL (2 of 4 gates pass, 2 fail, 0 inconclusive)"),
        "{out}"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table = out.split("\n\n").next().unwrap();
    assert!(
        readme.contains(table),
        "the README shows this verdict:\n{table}"
    );
}
