//! Chunked parallel CSV parsing gives exactly what the sequential parse
//! gives: the same report (accounting included) and, for a bad row in any
//! chunk, the same error message.

use biasbench::app::audit::VerifyJob;
use biasbench::engine::verify::VerifyOptions;
use biasbench::input::table::Parsing;
use biasbench::input::{Table, VerifyColumns};
use biasbench::progress::NoProgress;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;

/// A messy but valid comparisons file: quoted fields with delimiters,
/// quotes and line breaks inside, CRLF and LF endings, blank lines, drops.
fn records(n: usize, seed: u64) -> Vec<String> {
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut t = vec![String::from("\u{feff}score,mated,race_a,race_b,note\n")];
    let races = ["A", "B", "\"C, the third\"", ""];
    for i in 0..n {
        let mated = r.random_bool(0.3);
        let a = races[r.random_range(0..4)];
        let b = if mated {
            a
        } else {
            races[r.random_range(0..4)]
        };
        let score = match r.random_range(0..50) {
            0 => String::new(), // dropped: missing score
            1 => "nan".into(),  // dropped: non-finite
            _ => format!("{:.3}", r.random::<f64>() + mated as u8 as f64 * 0.5),
        };
        let note = match i % 7 {
            0 => "\"line one\nline two, \"\"quoted\"\"\"".to_string(),
            1 => "plain".into(),
            _ => String::new(),
        };
        let end = if i % 5 == 0 { "\r\n" } else { "\n" };
        let blank = if i % 97 == 0 { "\n" } else { "" }; // blank lines are skipped
        t.push(format!(
            "{score},{},{a},{b},{note}{end}{blank}",
            mated as u8
        ));
    }
    t
}

fn text(n: usize, seed: u64) -> String {
    records(n, seed).concat()
}

fn job() -> VerifyJob {
    VerifyJob {
        columns: VerifyColumns {
            attrs: vec!["race".into()],
            ..Default::default()
        },
        options: VerifyOptions::default(),
        command: vec!["test".into()],
        reproducible: true,
        bootstrap: None,
    }
}

fn report(path: &Path, parsing: Parsing, job: &VerifyJob) -> Result<String, String> {
    let table = Table::open_with(path, Default::default(), parsing, Arc::new(NoProgress))
        .map_err(|e| e.to_string())?;
    job.run(table)
        .map(|r| serde_json::to_string(&r).unwrap())
        .map_err(|e| e.to_string())
}

const CHUNKS: [usize; 4] = [1, 61, 997, 1 << 14];

#[test]
fn chunked_parsing_gives_the_sequential_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.csv");
    std::fs::write(&path, text(3000, 1)).unwrap();
    let job = job();
    let one = report(&path, Parsing::Sequential, &job).unwrap();
    assert!(one.contains("\"reason\":\"missing score\""));
    for bytes in CHUNKS {
        assert_eq!(
            report(&path, Parsing::Chunks(bytes), &job).unwrap(),
            one,
            "chunks of {bytes}"
        );
    }
    // Gzip: decompressed on the reading thread, parsed in chunks.
    let gz = dir.path().join("c.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text(3000, 1).as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let seq = report(&gz, Parsing::Sequential, &job).unwrap();
    assert_eq!(report(&gz, Parsing::Chunks(500), &job).unwrap(), seq);
}

#[test]
fn a_bad_row_in_any_chunk_gives_the_same_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.csv");
    let good = records(400, 2);
    let lines: Vec<&str> = good.iter().map(String::as_str).collect();
    let strict = VerifyJob {
        columns: VerifyColumns {
            strict: true,
            ..job().columns
        },
        ..job()
    };
    // An unparsable score, a ragged row and (under --strict) a drop, at
    // the start, the middle and the end of the file.
    for at in [1, lines.len() / 2, lines.len() - 1] {
        for (bad, job) in [
            ("0.5x,1,A,A,\n", job()),
            ("0.5,1,A\n", job()),
            ("0.5,perhaps,A,A,\n", strict.clone()),
        ] {
            let mut t: Vec<&str> = lines.clone();
            t.insert(at, bad);
            std::fs::write(&path, t.concat()).unwrap();
            let Err(want) = report(&path, Parsing::Sequential, &job) else {
                panic!("{bad:?} at record {at} was accepted");
            };
            assert!(want.contains("c.csv:"), "{want}");
            for bytes in CHUNKS {
                let got = report(&path, Parsing::Chunks(bytes), &job).unwrap_err();
                assert_eq!(got, want, "row {at}, chunks of {bytes}");
            }
        }
    }
}

/// Two errors in one file: whatever the chunk size, the first in file
/// order is reported (a ragged row before a quote left open to the end,
/// or before a quoted field spanning too many lines).
#[test]
fn the_first_of_two_errors_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.csv");
    let good = records(40, 3).concat();
    for tail in [
        "0.5,1,\"A\n",
        &format!("0.5,1,\"A{}\",A,\n", "\n".repeat(20)),
    ] {
        std::fs::write(&path, format!("{good}0.5,1,A\n{tail}")).unwrap();
        let ragged = good.matches('\n').count() + 1;
        for parsing in [Parsing::Sequential, Parsing::Chunks(1), Parsing::Chunks(64)] {
            let e = report(&path, parsing, &job()).unwrap_err();
            assert!(
                e.contains(&format!("c.csv:{ragged}: ragged row")),
                "{parsing:?}: {e}"
            );
        }
    }
}
