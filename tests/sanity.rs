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
