//! Inputs that fuzzing (fuzz/) found to crash, hang or blow up a reader,
//! each held inline, with what the user gets now.

use biasbench::app::audit::VerifyJob;
use biasbench::input::npy::{write_npy, NpyColumn};
use biasbench::input::VerifyColumns;
use biasbench::progress::NoProgress;
use std::sync::Arc;

/// `verify DIR` over zero-width string columns (`|S0`, `<U0`) that claim
/// 2^62 rows from a 128-byte file read row after row without end.
#[test]
fn zero_width_npy_columns_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 1 << 62;
    write_npy(&dir.path().join("score.npy"), "|S0", rows, &[]).unwrap();
    write_npy(&dir.path().join("mated.npy"), "<U0", rows, &[]).unwrap();
    for (name, dtype) in [("score.npy", "|S0"), ("mated.npy", "<U0")] {
        let e = NpyColumn::open(&dir.path().join(name))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!("unsupported dtype {dtype}")) && e.contains("0 bytes"),
            "{e}"
        );
    }
    // `verify DIR`
    let job = VerifyJob {
        columns: VerifyColumns::default(),
        options: Default::default(),
        command: Vec::new(),
        reproducible: true,
        bootstrap: None,
    };
    let e = job
        .run_file(dir.path(), Arc::new(NoProgress))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(".npy: unsupported dtype") && e.contains("0 bytes"),
        "{e}"
    );
}

/// A `.npy` header with brackets nested deep (`[[[[…`, found by the `npy`
/// target) sent the header parser into backtracking exponential in the
/// depth; a header longer than NumPy's own limit is refused too.
#[test]
fn deeply_nested_or_huge_npy_headers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("score.npy");
    let nested = format!("<i2', 'x': {}'", "[".repeat(60));
    write_npy(&path, &nested, 8, &[0; 16]).unwrap();
    let e = NpyColumn::open(&path).unwrap_err().to_string();
    assert!(
        e.contains("score.npy") && e.contains("a header nested 62 brackets deep"),
        "{e}"
    );
    let long = format!("<f8', 'note': '{}", "x".repeat(20_000));
    write_npy(&path, &long, 1, &[0; 8]).unwrap();
    let e = NpyColumn::open(&path).unwrap_err().to_string();
    assert!(e.contains("more than the 10000"), "{e}");
    // A plain header still opens.
    write_npy(&path, "<f8", 2, &[0; 16]).unwrap();
    assert_eq!(NpyColumn::open(&path).unwrap().len, 2);
}
