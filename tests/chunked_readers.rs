//! The row readers read a table chunk by chunk on all cores; whatever the
//! chunk size, the comparisons, labelled items and searches they give (the
//! columns, the codes and their values, the subject ids, the accounting) or
//! the error they report are those of one pass over the whole table.
//! Random tables with ties, missing and unknown cells, duplicate pairs of
//! sample ids, exclusions, `--strict`, subjects tables and quoted fields
//! spanning lines; chunks of 1 byte put every row in a chunk of its own.

use biasbench::input::rules::ExcludeRule;
use biasbench::input::table::Parsing;
use biasbench::input::{
    ClassifyColumns, Comparisons, IdentifyColumns, Labelled, Searches, Table, VerifyColumns,
};
use biasbench::progress::NoProgress;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;

const CHUNKS: [usize; 4] = [1, 23, 300, 5000];

/// One of `cells`, at random.
fn pick<'a>(r: &mut ChaCha8Rng, cells: &[&'a str]) -> &'a str {
    cells[r.random_range(0..cells.len())]
}

/// A CSV table: the header, then rows ended by LF or CRLF, with blank lines now and then.
fn csv(r: &mut ChaCha8Rng, header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = header.join(",") + "\n";
    for row in rows {
        t += &row.join(",");
        t += pick(r, &["\n", "\n", "\n", "\r\n", "\n\n"]);
    }
    t
}

/// A cell the readers never look at: empty, plain, or quoted (with a
/// delimiter, or with a line break).
fn note(r: &mut ChaCha8Rng) -> String {
    pick(r, &["", "", "plain", "\"a,b\"", "\"two\nlines\""]).into()
}

/// A subjects table (`subject_id,age`) listing subjects s0..s4 (s5 and
/// others are unknown).
fn subjects(r: &mut ChaCha8Rng) -> String {
    let mut t = String::from("subject_id,age\n");
    for s in 0..5 {
        t += &format!("s{s},{}\n", pick(r, &["young", "old", "", "mid"]));
    }
    t
}

/// Exclusion rule `flag=1`, half the time.
fn exclude(r: &mut ChaCha8Rng) -> Vec<ExcludeRule> {
    match r.random_bool(0.5) {
        true => vec![ExcludeRule::parse("flag=1").unwrap()],
        false => Vec::new(),
    }
}

/// What reading gives: the whole result, or the error's message.
fn outcome<T: Debug>(read: biasbench::error::Result<T>) -> Result<String, String> {
    read.map(|x| format!("{x:?}")).map_err(|e| e.to_string())
}

/// Reads `text` in one chunk and in chunks of each size in [`CHUNKS`];
/// asserts that every read gives the one-chunk outcome, and returns it.
fn same_whatever_the_chunks<T: Debug>(
    dir: &Path,
    text: &str,
    read: impl Fn(Table) -> biasbench::error::Result<T>,
) -> Result<String, String> {
    let path = dir.join("t.csv");
    std::fs::write(&path, text).unwrap();
    let run = |parsing| {
        let t = Table::open_with(&path, Default::default(), parsing, Arc::new(NoProgress));
        outcome(t.and_then(&read))
    };
    let want = run(Parsing::Sequential);
    for bytes in CHUNKS {
        assert_eq!(
            run(Parsing::Chunks(bytes)),
            want,
            "chunks of {bytes} bytes:\n{text}"
        );
    }
    want
}

/// Tally of outcomes, to check that the random tables cover what they should.
#[derive(Default, Debug)]
struct Seen {
    ok: usize,
    errors: usize,
    strict_errors: usize,
    /// Outcomes holding this text.
    marked: usize,
}

impl Seen {
    fn add(&mut self, o: &Result<String, String>, mark: &str) {
        match o {
            Ok(s) => {
                self.ok += 1;
                self.marked += s.contains(mark) as usize;
            }
            Err(e) => {
                self.errors += 1;
                self.strict_errors += e.contains("--strict forbids drops") as usize;
            }
        }
    }
}

#[test]
fn comparisons_read_in_chunks_are_those_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(15);
    let mut seen = Seen::default();
    for _ in 0..160 {
        let has_ids = r.random_bool(0.7);
        let has_mated = !has_ids || r.random_bool(0.5);
        let sep = has_ids && r.random_bool(0.7);
        let table_of_subjects = sep && r.random_bool(0.4);
        let mut header = vec!["score", "race_a", "race_b", "sex", "flag", "note"];
        if has_mated {
            header.push("mated");
        }
        if has_ids {
            header.extend(["img_a", "img_b"]);
        }
        let n = r.random_range(0..200);
        let rows = (0..n)
            .map(|_| {
                let score = match r.random_range(0..400) {
                    0 => "0.5x",
                    _ => pick(
                        &mut r,
                        &["0.1", "0.5", "0.5", " 0.9", "1", "", "nan", "inf", "NA"],
                    ),
                };
                let mut row: Vec<String> = vec![
                    score.into(),
                    pick(&mut r, &["A", "B", "C", "", "NA", " A"]).into(),
                    pick(&mut r, &["A", "B", "C", "", "NA"]).into(),
                    pick(&mut r, &["F", "M", ""]).into(),
                    pick(&mut r, &["0", "0", "0", "1"]).into(),
                    note(&mut r),
                ];
                if has_mated {
                    row.push(pick(&mut r, &["1", "0", "0", "yes", "1.0", "maybe"]).into());
                }
                if has_ids {
                    for _ in 0..2 {
                        row.push(match r.random_range(0..30) {
                            0 => String::new(),
                            1 => "NA".into(),
                            _ => format!("s{}_{}", r.random_range(0..7), r.random_range(0..3)),
                        });
                    }
                }
                row
            })
            .collect();
        let text = csv(&mut r, &header, rows);
        let mut attrs = vec!["race".to_string(), "sex".to_string()];
        let mut cols = VerifyColumns {
            subject_a: has_ids.then(|| "img_a".into()),
            subject_b: has_ids.then(|| "img_b".into()),
            id_sep: sep.then(|| "_".into()),
            distance: r.random_bool(0.5),
            exclude: exclude(&mut r),
            strict: r.random_bool(0.15),
            ..Default::default()
        };
        if table_of_subjects {
            let path = dir.path().join("subjects.csv");
            std::fs::write(&path, subjects(&mut r)).unwrap();
            cols.subjects = Some(path);
            attrs.push("age".into());
        }
        cols.attrs = attrs;
        let o = same_whatever_the_chunks(dir.path(), &text, |t| Comparisons::read(t, &cols));
        seen.add(&o, "Duplicate");
    }
    assert!(
        seen.ok > 80 && seen.errors > 15 && seen.strict_errors > 5 && seen.marked > 20,
        "{seen:?}"
    );
}

#[test]
fn labelled_items_read_in_chunks_are_those_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(16);
    let mut seen = Seen::default();
    let labels = ["a", "b", "c", "c", "", "NA", " b"];
    for _ in 0..160 {
        let header = [
            "y_true", "y_pred", "s", "w", "group", "subj", "flag", "note",
        ];
        let n = r.random_range(0..200);
        let huge = r.random_bool(0.2);
        let rows = (0..n)
            .map(|_| {
                let w = match r.random_range(0..300) {
                    0 => "x",
                    1..=3 if huge => "1e308",
                    _ => pick(&mut r, &["1", "2.5", "0", "", "-1", "nan", "1e150"]),
                };
                vec![
                    pick(&mut r, &labels).into(),
                    pick(&mut r, &labels).into(),
                    pick(&mut r, &["0.2", "0.7", "0.7", "", "inf"]).into(),
                    w.into(),
                    pick(&mut r, &["g1", "g2", "g3", "", "NA"]).into(),
                    pick(&mut r, &["s0", "s1", "s2", "s3", "s4", "s5", "s9", ""]).into(),
                    pick(&mut r, &["0", "0", "0", "1"]).into(),
                    note(&mut r),
                ]
            })
            .collect();
        let text = csv(&mut r, &header, rows);
        let mut cols = ClassifyColumns {
            score: r.random_bool(0.3).then(|| "s".into()),
            weight: r.random_bool(0.5).then(|| "w".into()),
            attrs: vec!["group".into()],
            exclude: exclude(&mut r),
            strict: r.random_bool(0.15),
            ..Default::default()
        };
        if r.random_bool(0.4) {
            cols.subject = Some("subj".into());
        }
        if cols.subject.is_some() && r.random_bool(0.5) {
            let path = dir.path().join("subjects.csv");
            std::fs::write(&path, subjects(&mut r)).unwrap();
            cols.subjects = Some(path);
            cols.attrs.push("age".into());
        }
        let o = same_whatever_the_chunks(dir.path(), &text, |t| Labelled::read(t, &cols));
        seen.add(&o, "MissingTrueLabel");
    }
    assert!(
        seen.ok > 80 && seen.errors > 15 && seen.strict_errors > 5 && seen.marked > 50,
        "{seen:?}"
    );
}

#[test]
fn searches_read_in_chunks_are_those_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(17);
    let mut seen = Seen::default();
    for _ in 0..160 {
        let header = [
            "mated",
            "mate_rank",
            "mate_score",
            "nonmate_score",
            "group",
            "probe",
            "flag",
            "note",
        ];
        let n = r.random_range(0..200);
        let rows = (0..n)
            .map(|_| {
                let mated = pick(&mut r, &["1", "1", "0", "maybe"]);
                let rank = match (mated, r.random_range(0..300)) {
                    (_, 0) => "1",
                    ("1", _) => pick(&mut r, &["1", "2", "5", "", " 3"]),
                    _ => "",
                };
                vec![
                    mated.into(),
                    rank.into(),
                    pick(&mut r, &["0.5", "0.7", "0.7", "", "nan"]).into(),
                    pick(&mut r, &["0.3", "0.9", ""]).into(),
                    pick(&mut r, &["g1", "g2", "", "NA"]).into(),
                    pick(&mut r, &["s0", "s1", "s2", "s3", "s4", "s5", "s9"]).into(),
                    pick(&mut r, &["0", "0", "0", "1"]).into(),
                    note(&mut r),
                ]
            })
            .collect();
        let text = csv(&mut r, &header, rows);
        let mut cols = IdentifyColumns {
            attrs: vec!["group".into()],
            distance: r.random_bool(0.5),
            exclude: exclude(&mut r),
            strict: r.random_bool(0.15),
            ..Default::default()
        };
        if r.random_bool(0.4) {
            let path = dir.path().join("subjects.csv");
            std::fs::write(&path, subjects(&mut r)).unwrap();
            cols.probe = Some("probe".into());
            cols.subjects = Some(path);
            cols.attrs.push("age".into());
        }
        let o = same_whatever_the_chunks(dir.path(), &text, |t| Searches::read(t, &cols));
        seen.add(&o, "UnknownMated");
    }
    assert!(
        seen.ok > 80 && seen.errors > 15 && seen.strict_errors > 5 && seen.marked > 50,
        "{seen:?}"
    );
}
