//! Inputs that fuzzing (fuzz/) found to crash, hang or blow up a reader,
//! each held inline, with what the user gets now.

use biasbench::app::audit::VerifyJob;
use biasbench::input::npy::NpyColumn;
use biasbench::input::VerifyColumns;
use biasbench::progress::NoProgress;
use std::path::Path;
use std::sync::Arc;

/// A format 1.0 `.npy` header with `descr` and `shape`, and no data.
fn npy_header(descr: &str, shape: &str) -> Vec<u8> {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let pad = (64 - (10 + dict.len() + 1) % 64) % 64;
    let header = format!("{dict}{}\n", " ".repeat(pad));
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    b
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// `verify DIR` over zero-width string columns (`|S0`, `<U0`) that claim
/// 2^62 rows from a 128-byte file read row after row without end.
#[test]
fn zero_width_npy_columns_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "(4611686018427387904,)";
    write(dir.path(), "score.npy", &npy_header("|S0", rows));
    write(dir.path(), "mated.npy", &npy_header("<U0", rows));
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
