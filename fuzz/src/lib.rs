//! The checks behind the fuzz targets (`fuzz/fuzz_targets/`) and the
//! property tests (`tests/reader_props.rs`, which include this file as a
//! module). Each takes arbitrary bytes, feeds them to one reader through the
//! public API (as files in a scratch folder, the way the binary reads them),
//! and panics only when an invariant fails:
//!
//! * reading returns an error or data whose accounting adds up: rows read =
//!   rows used + rows dropped (every drop bucket non-empty), and the rows used
//!   are the rows in the data;
//! * delimited text parsed in chunks (sizes 1 to 4096 bytes) gives exactly
//!   what the sequential parse gives: the same data or the same error;
//! * an audit of what was read (kept to a few groups, so that the run stays
//!   small) returns a report or an error.
//!
//! Any panic inside the library is a finding. For the delimited readers the
//! first byte chooses options (strict, attributes, exclusions, delimiter,
//! chunk size), the rest is the file.

use biasbench::app::audit::{Merged, SummarizeJob, VerifyJob};
use biasbench::engine::classify::{self, ClassifyOptions};
use biasbench::engine::identify::{self, IdentifyOptions};
use biasbench::engine::verify::stream::{self, Partial, Plan, StreamLimits};
use biasbench::engine::verify::{self, VerifyOptions};
use biasbench::input::npy::NpyColumn;
use biasbench::input::npy_dir::NpyComparisons;
use biasbench::input::rules::ExcludeRule;
use biasbench::input::table::{Parsing, TextFormat};
use biasbench::input::{
    Accounting, AttributeData, ClassifyColumns, Comparisons, IdentifyColumns, InputFile, Labelled,
    Published, Searches, SummarizeColumns, Table, VerifyColumns,
};
use biasbench::progress::NoProgress;
use biasbench::Result;
use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::Arc;

thread_local! {
    /// One scratch folder per thread, reused by every input.
    static SCRATCH: tempfile::TempDir = tempfile::tempdir().expect("a temporary folder");
}

/// A fresh, empty folder `name` in the scratch folder.
fn folder(name: &str) -> PathBuf {
    let dir = SCRATCH.with(|d| d.path().join(name));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Writes `bytes` to file `name` of the scratch folder.
fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = SCRATCH.with(|d| d.path().join(name));
    std::fs::write(&path, bytes).expect("a scratch file");
    path
}

/// The option bits (first byte) and the file (the rest).
fn split(data: &[u8]) -> Option<(Flags, &[u8])> {
    let (&flags, file) = data.split_first()?;
    Some((Flags(flags), file))
}

/// Option bits 0–5 (meaning per reader); bits 6–7 choose the chunk size.
#[derive(Clone, Copy)]
struct Flags(u8);

impl Flags {
    fn bit(self, i: u8) -> bool {
        self.0 >> i & 1 == 1
    }

    fn chunk_bytes(self) -> usize {
        [1, 7, 64, 4096][(self.0 >> 6) as usize]
    }

    /// Bit 5: a tab delimiter given, else sniffed.
    fn text(self) -> TextFormat {
        TextFormat {
            delimiter: self.bit(5).then_some(b'\t'),
            ..TextFormat::default()
        }
    }

    /// Bit 3: rows whose `note` is `x` are excluded.
    fn exclude(self) -> Vec<ExcludeRule> {
        self.bit(3)
            .then(|| ExcludeRule::parse("note=x").expect("a valid rule"))
            .into_iter()
            .collect()
    }

    /// Bit 2: the attribute `race`.
    fn attrs(self) -> Vec<String> {
        self.bit(2)
            .then(|| "race".to_string())
            .into_iter()
            .collect()
    }
}

/// What a read shows: the data, or the error's message.
fn outcome<T: Debug>(r: &Result<T>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("error: {e}"),
    }
}

/// Reads `file` with `read`, parsed sequentially and in chunks; both must
/// show the same. The sequential result, when it is data.
fn read_both<T: Debug>(file: &[u8], flags: Flags, read: impl Fn(Table) -> Result<T>) -> Option<T> {
    let path = scratch_file("input.csv", file);
    let open = |parsing| Table::open_with(&path, flags.text(), parsing, Arc::new(NoProgress));
    let sequential = open(Parsing::Sequential).and_then(&read);
    let chunked = open(Parsing::Chunks(flags.chunk_bytes())).and_then(&read);
    assert_eq!(
        outcome(&sequential),
        outcome(&chunked),
        "parsing in chunks of {} bytes differs from the sequential parse",
        flags.chunk_bytes()
    );
    sequential.ok()
}

/// Rows read = used + dropped, every drop bucket holds a row, the `used`
/// rows are in the data (when known), and the table's row count is the rows read.
fn check_accounting(a: &Accounting, used: Option<u64>, table: Option<&InputFile>) {
    let dropped: u64 = a.dropped.iter().map(|d| d.count).sum();
    assert_eq!(a.rows, a.used + dropped, "read != used + dropped: {a:?}");
    assert!(
        a.dropped.iter().all(|d| d.count > 0),
        "an empty drop bucket: {a:?}"
    );
    if let Some(used) = used {
        assert_eq!(a.used, used, "rows used != rows in the data: {a:?}");
    }
    if let Some(t) = table {
        assert_eq!(
            a.rows, t.rows,
            "rows read != the table's rows: {a:?}, {t:?}"
        );
    }
}

/// Few enough groups that an audit stays small (many groups are a known
/// cost, bounded elsewhere, not what these checks look for).
fn few(attributes: &[AttributeData]) -> bool {
    attributes.iter().all(|a| a.values.len() <= 16)
}

/// A comparisons table (`verify`). Bits: 0 strict, 1 distance, 2 attribute
/// `race`, 3 exclude `note=x`, 4 sample ids split at `_`, 5 tab delimiter.
pub fn verify_csv(data: &[u8]) {
    let Some((flags, file)) = split(data) else {
        return;
    };
    let cols = VerifyColumns {
        attrs: flags.attrs(),
        distance: flags.bit(1),
        exclude: flags.exclude(),
        strict: flags.bit(0),
        id_sep: flags.bit(4).then(|| "_".to_string()),
        ..Default::default()
    };
    let Some(c) = read_both(file, flags, |t| Comparisons::read(t, &cols)) else {
        return;
    };
    check_accounting(&c.accounting, Some(c.score.len() as u64), c.inputs.first());
    assert_eq!(c.mated.len(), c.score.len());
    if few(&c.attributes) {
        let options = VerifyOptions {
            distance: cols.distance,
            ..Default::default()
        };
        let _ = verify::audit(&c, &options);
    }
}

/// A searches table (`identify`). Bits: 0 strict, 1 distance, 2 attribute
/// `race`, 3 exclude `note=x`, 4 ranks 1 and 5, 5 tab delimiter.
pub fn identify_csv(data: &[u8]) {
    let Some((flags, file)) = split(data) else {
        return;
    };
    let cols = IdentifyColumns {
        attrs: flags.attrs(),
        distance: flags.bit(1),
        exclude: flags.exclude(),
        strict: flags.bit(0),
        ..Default::default()
    };
    let Some(s) = read_both(file, flags, |t| Searches::read(t, &cols)) else {
        return;
    };
    check_accounting(&s.accounting, Some(s.mated.len() as u64), s.inputs.first());
    if few(&s.attributes) {
        let options = IdentifyOptions {
            distance: cols.distance,
            ranks: if flags.bit(4) { vec![1, 5] } else { vec![1] },
            ..Default::default()
        };
        let _ = identify::audit(&s, &options);
    }
}

/// A classification table (`classify`). Bits: 0 strict, 1 a `score` column
/// cut at 0.5 (else `y_pred`), 2 attribute `race`, 3 exclude `note=x`, 4 a
/// `weight` column, 5 tab delimiter.
pub fn classify_csv(data: &[u8]) {
    let Some((flags, file)) = split(data) else {
        return;
    };
    let cols = ClassifyColumns {
        score: flags.bit(1).then(|| "score".to_string()),
        weight: flags.bit(4).then(|| "weight".to_string()),
        attrs: flags.attrs(),
        exclude: flags.exclude(),
        strict: flags.bit(0),
        ..Default::default()
    };
    let Some(l) = read_both(file, flags, |t| Labelled::read(t, &cols)) else {
        return;
    };
    check_accounting(&l.accounting, Some(l.y_true.len() as u64), l.inputs.first());
    if few(&l.attributes) && l.labels.len() <= 16 {
        let options = ClassifyOptions {
            cutoff: flags.bit(1).then_some(0.5),
            ..Default::default()
        };
        if let Ok(d) = options.positives().decide(&l) {
            let _ = classify::audit(&l, &d, &options);
        }
    }
}

/// A table of published rates (`summarize`). Bits: 0 strict, 1 percent, 2
/// groups `group`+`sex` (else `group`), 3 exclude `note=x`, 4 trials
/// `fmr=n`, 5 tab delimiter.
pub fn summarize_csv(data: &[u8]) {
    let Some((flags, file)) = split(data) else {
        return;
    };
    let mut group = vec!["group".to_string()];
    if flags.bit(2) {
        group.push("sex".into());
    }
    let columns = SummarizeColumns {
        group,
        rates: Vec::new(),
        trials: flags
            .bit(4)
            .then(|| biasbench::input::published::TrialsSpec::parse("fmr=n").expect("valid"))
            .into_iter()
            .collect(),
        percent: flags.bit(1),
        exclude: flags.exclude(),
        strict: flags.bit(0),
    };
    let Some(p) = read_both(file, flags, |t| Published::read(t, &columns)) else {
        return;
    };
    check_accounting(&p.accounting, Some(p.groups.len() as u64), p.inputs.first());
    for r in &p.rates {
        assert_eq!(r.values.len(), p.groups.len(), "a rate column's length");
    }
    let job = SummarizeJob {
        columns,
        alpha: 0.5,
        text: flags.text(),
        command: Vec::new(),
        reproducible: true,
    };
    let _ = job.run_file(&scratch_file("input.csv", file), Arc::new(NoProgress));
}

/// Separates the files of an `.npy` input.
pub const NPY_SEPARATOR: &[u8] = b"~~~~";

/// A directory of `.npy` columns, from the first byte (bit 0: the attribute
/// per side, `race_a`/`race_b`, else `race`; bit 1: distances) and up to five
/// parts separated by [`NPY_SEPARATOR`]: `score.npy`, `mated.npy`, the
/// attribute's first file, `race_b.npy`, `race.labels.txt`. Each file is
/// opened as a column; the folder is read as a table (`verify DIR`) and
/// audited streaming (`verify DIR --stream`).
pub fn npy(data: &[u8]) {
    let Some((flags, rest)) = split(data) else {
        return;
    };
    let dir = folder("npy");
    let first = if flags.bit(0) {
        "race_a.npy"
    } else {
        "race.npy"
    };
    let names = [
        "score.npy",
        "mated.npy",
        first,
        "race_b.npy",
        "race.labels.txt",
    ];
    let parts = rest
        .windows(NPY_SEPARATOR.len())
        .enumerate()
        .filter(|(_, w)| *w == NPY_SEPARATOR)
        .map(|(i, _)| i);
    let mut start = 0;
    let mut bounds = Vec::new();
    for i in parts {
        if i >= start {
            bounds.push((start, i));
            start = i + NPY_SEPARATOR.len();
        }
    }
    bounds.push((start, rest.len()));
    for (name, &(a, b)) in names.iter().zip(&bounds) {
        std::fs::write(dir.join(name), &rest[a..b]).expect("a scratch file");
    }
    for name in names.iter().filter(|n| n.ends_with(".npy")) {
        if let Ok(c) = NpyColumn::open(&dir.join(name)) {
            column_values(&c);
        }
    }
    let attrs = vec!["race".to_string()];
    let cols = VerifyColumns {
        attrs: attrs.clone(),
        distance: flags.bit(1),
        ..Default::default()
    };
    let table = Table::open_with(
        &dir,
        TextFormat::default(),
        Parsing::Sequential,
        Arc::new(NoProgress),
    );
    if let Ok(c) = table.and_then(|t| Comparisons::read(t, &cols)) {
        check_accounting(&c.accounting, Some(c.score.len() as u64), None);
    }
    let options = VerifyOptions {
        distance: flags.bit(1),
        ..Default::default()
    };
    if let Ok(d) = NpyComparisons::open(&dir, "score", "mated", &attrs) {
        stream_run(&d, &options);
    }
}

/// The first and last values of a column, as numbers and as text.
fn column_values(c: &NpyColumn) {
    for row in [0, c.len.saturating_sub(1)]
        .into_iter()
        .take(c.len as usize)
    {
        let mut raw = Vec::new();
        if c.read_raw(row, 1, &mut raw).is_ok() {
            let _ = c.number(&raw, 0);
            c.text(&raw, 0, &mut Vec::new());
        }
    }
}

/// The streaming audit of a directory: every row counted once.
fn stream_run(d: &NpyComparisons, options: &VerifyOptions) {
    let Ok(inputs) = d.provenance(true) else {
        return;
    };
    if let Ok((c, _)) = stream::run(d, options, StreamLimits::default(), inputs, &NoProgress) {
        assert_eq!(
            c.accounting.rows, d.len,
            "streamed rows != the columns' length"
        );
        check_accounting(&c.accounting, Some(c.count.iter().sum()), None);
    }
}

fn merge_job(options: VerifyOptions) -> VerifyJob {
    VerifyJob {
        columns: VerifyColumns::default(),
        options,
        command: Vec::new(),
        reproducible: true,
        bootstrap: None,
    }
}

/// Comparisons in a partial's histograms.
fn counted(p: &Partial) -> u64 {
    let cells = p.cells.iter();
    cells
        .flat_map(|c| {
            c.buckets
                .iter()
                .map(|b| b.2)
                .chain(c.exact.iter().map(|e| e.1))
        })
        .sum()
}

/// A partial file (`merge`): read and checked (its histograms hold the rows
/// used), merged alone and with itself; a merged report's accounting adds up.
pub fn partial(data: &[u8]) {
    let Ok(p) = Partial::read(&scratch_file("partial.json", data)) else {
        return;
    };
    check_accounting(&p.accounting, Some(counted(&p)), None);
    let job = merge_job(p.options.clone());
    for parts in [vec![p.clone(), p.clone()], vec![p]] {
        if let Ok(Merged::Report(r)) = job.merge(parts) {
            check_accounting(&r.accounting, None, None);
        }
    }
}

thread_local! {
    /// A small fixed `.npy` directory that plans are tried on: 64 mated and
    /// 256 non-mated comparisons over two groups, scores on a coarse grid.
    static PLAN_DATA: PathBuf = {
        let dir = folder("plan-data");
        let n = 320;
        let mated: Vec<u8> = (0..n).map(|i| (i < 64) as u8).collect();
        let score: Vec<u8> = (0..n)
            .flat_map(|i| (((i * 37) % 101) as f64 / 100.0 + f64::from(mated[i]) / 2.0).to_le_bytes())
            .collect();
        let race: Vec<u8> = (0..n).map(|i| (i % 2) as u8).collect();
        let write = |name: &str, descr, data: &[u8]| {
            biasbench::input::npy::write_npy(&dir.join(name), descr, n, data).expect("a column")
        };
        write("score.npy", "<f8", &score);
        write("mated.npy", "|u1", &mated);
        write("race.npy", "|u1", &race);
        dir
    };
}

/// A plan file (`verify --emit-partial --plan`): read and checked, then a
/// pass with it over a small fixed directory (every row counted once), and
/// the next plan.
pub fn plan(data: &[u8]) {
    let Ok(plan) = Plan::read(&scratch_file("plan.json", data)) else {
        return;
    };
    let dir = PLAN_DATA.with(PathBuf::clone);
    let d = NpyComparisons::open(&dir, "score", "mated", &["race".into()]).expect("the plan data");
    let options = VerifyOptions::default();
    let Ok(part) = stream::pass(&d, &options, &plan, Vec::new(), &NoProgress) else {
        return;
    };
    assert_eq!(
        part.accounting.rows, d.len,
        "rows in the pass != the columns' length"
    );
    check_accounting(&part.accounting, Some(counted(&part)), None);
    if let Ok(c) = part.comparisons() {
        check_accounting(&c.accounting, Some(c.count.iter().sum()), None);
        let _ = part.next_plan(&c, StreamLimits::default());
    }
}
