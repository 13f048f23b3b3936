//! Property tests of the reader invariant: for any bytes, each reader
//! returns an error or data whose accounting adds up (read = used +
//! dropped), chunked parsing gives what the sequential parse gives, and
//! nothing panics. The checks are the fuzz targets' (`fuzz/src/lib.rs`,
//! included here); the inputs are arbitrary bytes and near-valid tables
//! (the task's columns in any order, random quotes, delimiters, CR/LF,
//! empty cells, NaN, huge numbers, ragged rows) and `.npy` folders (any
//! element type, lengths up to 2^64 - 1, short data).

#[path = "../fuzz/src/lib.rs"]
mod harness;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::test_runner::RngSeed;

/// Cells a careless or hostile file holds.
const CELLS: &[&str] = &[
    "0",
    "1",
    "0.5",
    "1.0",
    "0.0",
    "-0",
    "2",
    "-1",
    "1e308",
    "1e400",
    "-1e400",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "",
    " ",
    "  7 ",
    "x",
    "A",
    "B",
    "yes",
    "true",
    "false",
    "a_1",
    "b_2",
    "\"",
    "\"\"",
    "\"A\"",
    "\"quoted, with a comma\"",
    "\"two\nlines\"",
    "\"an \"\"escaped\"\" quote\"",
    "\"unclosed",
    "mid\"quote",
    "é",
    "\u{feff}",
    "\t",
    ";",
    "1,5",
    "99999999999999999999",
];

const ENDINGS: &[&str] = &["\n", "\r\n", "\r", "\n\n"];

/// A table with a subset of `columns` (in any order) as its header and up to
/// 12 rows of cells, mostly as many as the header has.
fn near_valid(columns: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let header = subsequence(columns, 1..=columns.len()).prop_shuffle();
    (header, select(&[",", "\t", ";"][..]))
        .prop_flat_map(|(header, delimiter)| {
            let n = header.len();
            let width = prop_oneof![8 => Just(n), 1 => 0..n + 2];
            let row = width
                .prop_flat_map(|w| (proptest::collection::vec(select(CELLS), w), select(ENDINGS)));
            (
                Just(header),
                Just(delimiter),
                proptest::collection::vec(row, 0..12),
            )
        })
        .prop_map(|(header, delimiter, rows)| {
            let mut text = header.join(delimiter) + "\n";
            for (cells, end) in rows {
                text += &cells.join(delimiter);
                text += end;
            }
            text.into_bytes()
        })
}

/// A flag byte (the targets' options) before the file.
fn with_flags(file: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (any::<u8>(), file).prop_map(|(flags, file)| [vec![flags], file].concat())
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..300)
}

/// Element types: supported, unsupported, zero-width, big-endian.
const DESCRS: &[&str] = &[
    "<f8", "<f4", ">f8", "|u1", "|b1", "<i2", ">i4", "<i8", "<u8", "|S0", "<U0", "|S3", "<U2",
    "<c16", "|O", "<f2", "|V4",
];

/// `.npy` files with any of [`DESCRS`], lengths up to 2^64 - 1, and up to
/// 80 bytes of data (made with the crate's own `.npy` writer).
fn npy_file() -> impl Strategy<Value = Vec<u8>> {
    let len = prop_oneof![0..10usize, select(&[1 << 61, 1 << 62, usize::MAX][..])];
    let data = proptest::collection::vec(any::<u8>(), 0..80);
    (select(DESCRS), len, data).prop_map(|(descr, len, data)| {
        let file = tempfile::NamedTempFile::new().unwrap();
        biasbench::input::npy::write_npy(file.path(), descr, len, &data).unwrap();
        std::fs::read(file.path()).unwrap()
    })
}

/// A flag byte and up to five `.npy` target files (see `harness::npy`).
fn npy_folder() -> impl Strategy<Value = Vec<u8>> {
    (any::<u8>(), proptest::collection::vec(npy_file(), 0..5))
        .prop_map(|(flags, files)| [vec![flags], files.join(harness::NPY_SEPARATOR)].concat())
}

const VERIFY: &[&str] = &[
    "score",
    "mated",
    "race",
    "race_a",
    "race_b",
    "subject_a",
    "subject_b",
    "note",
];
const IDENTIFY: &[&str] = &[
    "mated",
    "mate_rank",
    "mate_score",
    "nonmate_score",
    "race",
    "note",
];
const CLASSIFY: &[&str] = &["y_true", "y_pred", "score", "weight", "race", "note"];
const SUMMARIZE: &[&str] = &["group", "sex", "fmr", "fnmr", "n", "note"];

proptest! {
    // Fixed cases, the same on every run.
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: RngSeed::Fixed(12),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn verify_reader(data in prop_oneof![with_flags(near_valid(VERIFY)), bytes()]) {
        harness::verify_csv(&data);
    }

    #[test]
    fn identify_reader(data in prop_oneof![with_flags(near_valid(IDENTIFY)), bytes()]) {
        harness::identify_csv(&data);
    }

    #[test]
    fn classify_reader(data in prop_oneof![with_flags(near_valid(CLASSIFY)), bytes()]) {
        harness::classify_csv(&data);
    }

    #[test]
    fn summarize_reader(data in prop_oneof![with_flags(near_valid(SUMMARIZE)), bytes()]) {
        harness::summarize_csv(&data);
    }

    #[test]
    fn npy_reader(data in prop_oneof![npy_folder(), bytes()]) {
        harness::npy(&data);
    }

    #[test]
    fn partial_and_plan_loaders(data in bytes()) {
        harness::partial(&data);
        harness::plan(&data);
    }
}
