//! The tidy CSV contract (`--format csv`), byte for byte.
//!
//! Each line of `fixtures/tidy/cases.txt` is `<name>\t<arguments>` (arguments
//! separated by single spaces, paths relative to the repository root); the
//! test runs `biasbench <arguments>` from the repository root and compares its
//! standard output with `fixtures/tidy/<name>.csv`, byte for byte. The inputs
//! authored for these cases are in `fixtures/tidy/inputs/`.
//!
//! The fixtures were produced by the pre-refactor binary at commit
//! b50d81d74b6135e5f7fd98dcbfc58cedf3fa4042. They must never be regenerated
//! to make a refactor pass: a mismatch means the refactor changed the output.
//! Regenerate them only for a deliberate, documented change of the CSV
//! contract (say which rows or cells change, and why, in the same commit).
//!
//! Cases that read `../shared/data` print `SKIPPED (../shared/data absent):
//! <name>` on standard error and pass when that directory is absent.

use std::io::Write;
use std::path::{Path, PathBuf};

const SHARED: &str = "../shared/data";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Case {
    name: String,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let path = root().join("fixtures/tidy/cases.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let (name, args) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("cases.txt:{}: no tab after the name", i + 1));
            let args: Vec<String> = args.split(' ').map(str::to_string).collect();
            assert!(
                !name.is_empty() && args.iter().all(|a| !a.is_empty()),
                "cases.txt:{}: an empty name or argument (arguments are separated by single spaces)",
                i + 1
            );
            Case {
                name: name.to_string(),
                args,
            }
        })
        .collect()
}

/// Written past the test harness's capture, so a skip is never silent.
fn say(msg: &str) {
    let _ = std::io::stderr().write_all(format!("{msg}\n").as_bytes());
}

/// Lines with their terminators, so a changed line ending is a difference too.
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// Describes how `got` differs from `want`: line counts, the first differing
/// line numbers (1-based) and both versions of each.
fn describe_difference(want: &[u8], got: &[u8]) -> String {
    let (w, g) = (lines(want), lines(got));
    let show = |l: Option<&&[u8]>| match l {
        Some(l) => format!("{:?}", String::from_utf8_lossy(l)),
        None => "<no such line>".to_string(),
    };
    let differing: Vec<usize> = (0..w.len().max(g.len()))
        .filter(|&i| w.get(i) != g.get(i))
        .collect();
    let mut out = format!(
        "fixture {} lines ({} bytes), output {} lines ({} bytes); {} lines differ, first at line(s) {:?}\n",
        w.len(),
        want.len(),
        g.len(),
        got.len(),
        differing.len(),
        differing.iter().take(5).map(|i| i + 1).collect::<Vec<_>>()
    );
    for &i in differing.iter().take(5) {
        out.push_str(&format!(
            "  line {}:\n    fixture: {}\n    output:  {}\n",
            i + 1,
            show(w.get(i)),
            show(g.get(i))
        ));
    }
    out
}

/// Runs one case; `Err` describes a failure.
fn check(case: &Case) -> Result<(), String> {
    let fixture = root()
        .join("fixtures/tidy")
        .join(format!("{}.csv", case.name));
    let want = std::fs::read(&fixture)
        .map_err(|e| format!("cannot read fixture {}: {e}", fixture.display()))?;
    let out = assert_cmd::Command::cargo_bin("biasbench")
        .map_err(|e| e.to_string())?
        .current_dir(root())
        .args(&case.args)
        .output()
        .map_err(|e| format!("cannot run biasbench: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "biasbench exited with {}; stderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if out.stdout != want {
        return Err(describe_difference(&want, &out.stdout));
    }
    Ok(())
}

fn reads_shared_data(case: &Case) -> bool {
    case.args.iter().any(|a| Path::new(a).starts_with(SHARED))
}

#[test]
fn tidy_csv_is_byte_identical_to_the_pre_refactor_fixtures() {
    let shared_present = root().join(SHARED).is_dir();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases() {
        if reads_shared_data(&case) && !shared_present {
            say(&format!("SKIPPED ({SHARED} absent): {}", case.name));
            continue;
        }
        checked += 1;
        if let Err(e) = check(&case) {
            failures.push(format!(
                "case {} (biasbench {}):\n{e}",
                case.name,
                case.args.join(" ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} tidy CSV cases differ from fixtures/tidy (produced by the \
         pre-refactor binary; do not regenerate them to make a refactor pass):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_contract_lists_at_least_ten_cases_each_with_a_fixture() {
    let cases = cases();
    assert!(
        cases.len() >= 10,
        "fixtures/tidy/cases.txt lists {} cases; the contract needs at least 10",
        cases.len()
    );
    for c in &cases {
        let f = root().join("fixtures/tidy").join(format!("{}.csv", c.name));
        assert!(f.is_file(), "case {}: no fixture {}", c.name, f.display());
        for flag in ["--reproducible", "--format"] {
            assert!(
                c.args.iter().any(|a| a == flag),
                "case {} lacks {flag}",
                c.name
            );
        }
        assert!(
            c.args
                .windows(2)
                .any(|w| w[0] == "--format" && w[1] == "csv"),
            "case {} is not --format csv",
            c.name
        );
    }
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        cases.len(),
        "duplicate case names in cases.txt"
    );
}
