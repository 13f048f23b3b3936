//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A data folder under `../shared/data`, or `None` after saying loudly that
/// it is absent (the test then checks nothing and says so). The message is
/// written to the real stderr, past the test harness's capture, so a skip is
/// never silent.
pub fn shared_data(folder: &str) -> Option<PathBuf> {
    use std::io::Write;
    let dir = root().join("..").join("shared").join("data").join(folder);
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!(
        "SKIPPED: {} is absent; this test needs the shared data set '{folder}' beside the checkout\n",
        dir.display()
    );
    let _ = std::io::stderr().write_all(msg.as_bytes());
    None
}

/// Compares to a golden number (`"NaN"`, `"inf"` strings allowed) within a
/// relative tolerance.
pub fn assert_close(what: &str, got: f64, want: &serde_json::Value, tol: f64) {
    let want = match want {
        serde_json::Value::String(s) if s == "NaN" => f64::NAN,
        serde_json::Value::String(s) if s == "inf" => f64::INFINITY,
        serde_json::Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("{what}: unexpected golden value {other}"),
    };
    let ok = if want.is_nan() {
        got.is_nan()
    } else if want.is_infinite() {
        got == want
    } else {
        (got - want).abs() <= tol * want.abs().max(1e-300) || got == want
    };
    assert!(ok, "{what}: biasbench {got:e}, reference {want:e}");
}

pub fn biasbench() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("biasbench").unwrap()
}

/// Runs `biasbench SUBCOMMAND FILE ARGS…`.
pub fn run(sub: &str, file: &Path, args: &[&str]) -> Output {
    biasbench().arg(sub).arg(file).args(args).output().unwrap()
}

/// A run that must succeed; returns stdout.
pub fn ok(sub: &str, file: &Path, args: &[&str]) -> String {
    let out = run(sub, file, args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A successful run with `--format json`, parsed.
pub fn json(sub: &str, file: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(sub, file, &[args, &["--format", "json"]].concat())).unwrap()
}

/// A run that must fail with exit code 2; returns stderr.
pub fn fails(sub: &str, file: &Path, args: &[&str]) -> String {
    let out = run(sub, file, args);
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Hand-worked 1:N searches (one row per search), shared by the identify tests.
pub const SEARCHES: &str = "search_id,mated,mate_rank,mate_score,nonmate_score,race
1,1,1,0.9,0.4,A
2,1,3,0.7,0.8,A
3,1,,,0.6,A
4,0,,,0.5,A
5,0,,,0.2,A
6,1,1,0.5,0.3,B
7,0,,,0.7,B
8,0,,,,B
";
