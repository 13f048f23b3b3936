//! Hostile and careless delimited text (issue 12): an unclosed quote, quoted
//! fields spanning lines, huge fields and headers, a broken gzip stream, a
//! repeated column name, flags written as floats. Each is refused with the
//! file and line, or read and accounted for; never silently absorbed.

mod common;

use common::{fails, json, ok};
use std::io::Write;
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A comparisons file of `n` rows (header on line 1, row i on line i + 2);
/// `race(i)` writes row i's race cell.
fn comparisons(n: usize, race: impl Fn(usize) -> String) -> String {
    let mut t = String::from("score,mated,race\n");
    for i in 0..n {
        let score = (i * 7919 % 1000) as f64 / 1000.0;
        t += &format!("{score},{},{}\n", u8::from(i % 3 == 0), race(i));
    }
    t
}

/// An items file of `n` rows, row i on line i + 2.
fn items(n: usize, group: impl Fn(usize) -> String) -> String {
    let mut t = String::from("y_true,y_pred,race\n");
    for i in 0..n {
        t += &format!("{},{},{}\n", i % 2, (i / 2) % 2, group(i));
    }
    t
}

fn ab(i: usize) -> String {
    ["A", "B"][i % 2].into()
}

#[test]
fn an_unclosed_quote_is_refused_at_the_line_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    // Row 999 (line 1001) opens a quote that nothing closes. Small files are
    // parsed on one thread, files from 1 MiB on in parallel chunks.
    for (rows, name) in [(2_000, "small"), (200_000, "large")] {
        let quote = |i: usize| if i == 999 { "\"B".into() } else { ab(i) };
        let verify = comparisons(rows, quote);
        let classify = items(rows, quote);
        if name == "large" {
            assert!(verify.len() > 1 << 20 && classify.len() > 1 << 20);
        }
        let cases = [
            (
                "verify",
                write(dir.path(), &format!("{name}.csv"), verify.as_bytes()),
            ),
            (
                "verify",
                write(
                    dir.path(),
                    &format!("{name}.csv.gz"),
                    &gzip(verify.as_bytes()),
                ),
            ),
            (
                "classify",
                write(
                    dir.path(),
                    &format!("{name}-items.csv"),
                    classify.as_bytes(),
                ),
            ),
        ];
        for (task, file) in cases {
            let at = format!("{}:1001: column 'race': ", file.display());
            // By default the field runs past 16 lines: refused there.
            let e = fails(task, &file, &["--attr", "race"]);
            assert!(e.contains(&at), "{e}");
            assert!(e.contains("spans more than 16 lines"), "{e}");
            assert!(e.contains("--allow-multiline-fields"), "{e}");
            // Allowed to span lines, it still swallows the rest of the file.
            let e = fails(task, &file, &["--attr", "race", "--allow-multiline-fields"]);
            assert!(e.contains(&at), "{e}");
            assert!(e.contains("a quote opened here is never closed"), "{e}");
        }
    }
}

#[test]
fn quoted_labels_with_line_breaks_are_read_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    // Row 10 (line 12) holds a label over two lines, row 20 (line 23) one
    // over three: legal CSV, read, and shown in the accounting.
    let label = |i: usize| match i {
        10 => "\"A\nx\"".to_string(),
        20 => "\"B\ny\nz\"".to_string(),
        _ => ab(i),
    };
    let f = write(dir.path(), "c.csv", comparisons(60, label).as_bytes());
    let j = json("verify", &f, &["--attr", "race"]);
    let acc = &j["accounting"];
    assert_eq!(
        (acc["rows"].as_u64(), acc["used"].as_u64()),
        (Some(60), Some(60))
    );
    let m = &acc["multiline"];
    assert_eq!(
        (m["rows"].as_u64(), m["lines"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(m["first"]["line"].as_u64(), Some(12));
    // The full accounting (--detail full) names them; the concise report counts them.
    let text = ok("verify", &f, &["--attr", "race", "--detail", "full"]);
    assert!(
        text.contains("read, spanning several lines (5 lines) | 2"),
        "{text}"
    );
    let concise = ok("verify", &f, &["--attr", "race"]);
    assert!(
        concise.contains("| 60   | 60   | 0       | 2 (5 lines)"),
        "{concise}"
    );
    // A ragged row after them sits on its own physical line (64).
    let mut bad = comparisons(60, label);
    bad += "0.5,1\n";
    let f = write(dir.path(), "bad.csv", bad.as_bytes());
    let e = fails("verify", &f, &["--attr", "race"]);
    assert!(e.contains("bad.csv:65: ragged row"), "{e}");
    // A label over 20 lines needs the opt-in, and is then counted.
    let long = |i: usize| {
        if i == 5 {
            format!("\"{}\"", vec!["A"; 20].join("\n"))
        } else {
            ab(i)
        }
    };
    let f = write(dir.path(), "long.csv", items(40, long).as_bytes());
    let e = fails("classify", &f, &["--attr", "race"]);
    assert!(
        e.contains(
            "long.csv:7: column 'race': a quoted field opened here spans more than 16 lines"
        ),
        "{e}"
    );
    let j = json(
        "classify",
        &f,
        &["--attr", "race", "--allow-multiline-fields"],
    );
    let m = &j["accounting"]["multiline"];
    assert_eq!(
        (m["rows"].as_u64(), m["lines"].as_u64()),
        (Some(1), Some(20))
    );
    // No multi-line rows, no entry.
    let f = write(dir.path(), "plain.csv", comparisons(60, ab).as_bytes());
    assert!(json("verify", &f, &["--attr", "race"])["accounting"]
        .get("multiline")
        .is_none());
}

#[test]
fn a_huge_field_or_header_is_refused_with_its_size_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // A 6 MB field on line 4 (a 6 KB gzip): refused once 4 MiB are read.
    let huge = |i: usize| if i == 2 { "A".repeat(6 << 20) } else { ab(i) };
    let f = write(
        dir.path(),
        "f.csv.gz",
        &gzip(comparisons(10, huge).as_bytes()),
    );
    assert!(std::fs::metadata(&f).unwrap().len() < 100_000);
    let e = fails("verify", &f, &["--attr", "race"]);
    assert!(e.contains("f.csv.gz:4: column 'race': a record of "), "{e}");
    assert!(e.contains("the limit of 4194304 bytes (4 MiB)"), "{e}");
    // The same in a quoted field, and in the header.
    let quoted = |i: usize| {
        if i == 2 {
            format!("\"{}\"", "A".repeat(6 << 20))
        } else {
            ab(i)
        }
    };
    let f = write(dir.path(), "q.csv", comparisons(10, quoted).as_bytes());
    let e = fails("verify", &f, &["--attr", "race"]);
    assert!(
        e.contains("q.csv:4: column 'race': a quoted field opened here runs past the limit"),
        "{e}"
    );
    let header = format!("score,mated,{}\n0.5,1,A\n", "race".repeat(2 << 20));
    let f = write(dir.path(), "h.csv.gz", &gzip(header.as_bytes()));
    let e = fails("verify", &f, &["--attr", "race"]);
    assert!(
        e.contains("h.csv.gz:1: header field 3: a record of "),
        "{e}"
    );
}

#[test]
fn a_broken_gzip_stream_names_the_line_reached() {
    let dir = tempfile::tempdir().unwrap();
    let text = comparisons(100_000, ab);
    let gz = gzip(text.as_bytes());
    let f = write(dir.path(), "t.csv.gz", &gz[..gz.len() / 2]);
    let e = fails("verify", &f, &["--attr", "race"]);
    // Half the compressed bytes hold roughly half the lines.
    let line: u64 = e
        .split("t.csv.gz:")
        .nth(1)
        .and_then(|s| s.split(':').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no line in {e}"));
    assert!((20_000..=80_000).contains(&line), "{e}");
    assert!(e.contains("gzip:"), "{e}");
    assert!(e.contains("bytes of the compressed file"), "{e}");
}

#[test]
fn a_repeated_column_name_a_flag_uses_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "c.csv",
        b"score,race,mated,race\n0.9,A,1,B\n0.1,A,0,B\n",
    );
    let e = fails("verify", &f, &["--attr", "race"]);
    assert!(
        e.contains("c.csv: race: the header names two columns 'race' (columns 2 and 4), and --attr uses that name"),
        "{e}"
    );
    let f = write(
        dir.path(),
        "i.csv",
        b"y_true,y_pred,y_true,race\n1,1,0,A\n0,0,1,B\n",
    );
    let e = fails("classify", &f, &["--attr", "race"]);
    assert!(
        e.contains("columns 1 and 3), and --y-true uses that name"),
        "{e}"
    );
    // A repeated name no flag uses is left alone.
    let f = write(
        dir.path(),
        "n.csv",
        b"score,mated,race,note,note\n0.9,1,A,x,y\n0.1,0,A,x,y\n0.8,1,B,,\n0.2,0,B,,\n",
    );
    ok("verify", &f, &["--attr", "race"]);
}

/// `text` with the 1/0 cells of `columns` written `one`/`zero`.
fn respell(text: &str, columns: &[usize], one: &str, zero: &str) -> String {
    let mut lines = text.lines();
    let mut t = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let cells: Vec<&str> = line
            .split(',')
            .enumerate()
            .map(|(k, c)| match c {
                "1" if columns.contains(&k) => one,
                "0" if columns.contains(&k) => zero,
                c => c,
            })
            .collect();
        t += &format!("{}\n", cells.join(","));
    }
    t
}

#[test]
fn flags_written_as_floats_count_every_row() {
    let dir = tempfile::tempdir().unwrap();
    // The same comparisons with the mated flag as 1/0, as 1.0/0.0, and as
    // other spellings of exactly one and zero.
    let base = comparisons(300, ab);
    let rates = |text: &str, name: &str| {
        let f = write(dir.path(), name, text.as_bytes());
        let j = json("verify", &f, &["--attr", "race", "--reproducible"]);
        assert_eq!(j["accounting"]["used"].as_u64(), Some(300), "{name}");
        j["verify"].to_string()
    };
    let want = rates(&base, "ints.csv");
    assert_eq!(
        rates(&respell(&base, &[1], "1.0", "0.0"), "floats.csv"),
        want
    );
    assert_eq!(
        rates(&respell(&base, &[1], "1.00", "-0"), "other.csv"),
        want
    );
    // 0.5 is no flag: the row drops, named.
    let f = write(
        dir.path(),
        "half.csv",
        respell(&base, &[1], "0.5", "0").as_bytes(),
    );
    let j = json("verify", &f, &["--attr", "race"]);
    assert_eq!(
        j["accounting"]["dropped"][0]["reason"],
        "unknown mated value"
    );
    assert_eq!(j["accounting"]["dropped"][0]["count"].as_u64(), Some(100));
    // Binary labels written 1.0/0.0 give the rates of 1/0 (only the label
    // names differ).
    let t = items(40, ab);
    let a = write(dir.path(), "a.csv", t.as_bytes());
    let b = write(
        dir.path(),
        "b.csv",
        respell(&t, &[0, 1], "1.0", "0.0").as_bytes(),
    );
    let cls = |f: &Path| {
        let j = json("classify", f, &["--attr", "race", "--reproducible"]);
        assert_eq!(j["accounting"]["used"].as_u64(), Some(40));
        j["classify"].to_string()
    };
    let floats = cls(&b)
        .replace("\"1.0\"", "\"1\"")
        .replace("\"0.0\"", "\"0\"");
    assert_eq!(floats, cls(&a));
}
