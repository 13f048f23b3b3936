//! Column-stored inputs give the same audits as the same rows in CSV:
//! `.npy` directories (read as tables and streamed), the shard/merge
//! protocol, and (with `--features parquet`) Parquet files.

mod common;

use biasbench::input::npy::write_npy;
use common::{biasbench, json};
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::path::Path;

/// Rows of a verification set: score, mated, race code per side (3 = missing).
fn rows(n: usize, seed: u64) -> Vec<(f64, bool, u8, u8)> {
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let mated = r.random_bool(0.25);
            let a = if r.random_bool(0.03) {
                3
            } else {
                r.random_range(0..3u8)
            };
            let b = if mated { a } else { r.random_range(0..3u8) };
            let base = if mated { 0.6 } else { 0.1 * a as f64 };
            // Two decimals: many ties.
            let s = ((base + r.random::<f64>() * 0.5) * 100.0).round() / 100.0;
            (s, mated, a, b)
        })
        .collect()
}

const RACE: [&str; 4] = ["A", "B", "C", ""];

fn write_csv(path: &Path, rows: &[(f64, bool, u8, u8)]) {
    let mut text = String::from("score,mated,race_a,race_b\n");
    for r in rows {
        text += &format!(
            "{},{},{},{}\n",
            r.0, r.1 as u8, RACE[r.2 as usize], RACE[r.3 as usize]
        );
    }
    std::fs::write(path, text).unwrap();
}

fn write_dir(dir: &Path, rows: &[(f64, bool, u8, u8)]) {
    std::fs::create_dir_all(dir).unwrap();
    let n = rows.len();
    let f: Vec<u8> = rows.iter().flat_map(|r| r.0.to_le_bytes()).collect();
    write_npy(&dir.join("score.npy"), "<f8", n, &f).unwrap();
    let m: Vec<u8> = rows.iter().map(|r| r.1 as u8).collect();
    write_npy(&dir.join("mated.npy"), "|b1", n, &m).unwrap();
    let a: Vec<u8> = rows.iter().map(|r| r.2).collect();
    write_npy(&dir.join("race_a.npy"), "|u1", n, &a).unwrap();
    let b: Vec<u8> = rows.iter().map(|r| r.3).collect();
    write_npy(&dir.join("race_b.npy"), "|u1", n, &b).unwrap();
    std::fs::write(dir.join("race.labels.txt"), RACE.join("\n") + "\n").unwrap();
}

/// The audit part of a report (provenance, which names the files, left out).
fn audit(v: &Value, task: &str) -> Value {
    v[task].clone()
}

/// The audit without the values streaming only approximates.
fn exact(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in ["auc", "dprime", "det", "histogram", "notes"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// Same counts and reasons; a column store's "line" is the row number, one
/// less than the CSV line (the header).
fn same_accounting(columns: &Value, csv: &Value) {
    let (a, b) = (&columns["accounting"], &csv["accounting"]);
    assert_eq!((&a["rows"], &a["used"]), (&b["rows"], &b["used"]));
    let drops = |v: &Value, shift: u64| -> Vec<(String, u64, u64)> {
        v["dropped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let line = d["first"]["line"].as_u64().unwrap() - shift;
                (d["reason"].to_string(), d["count"].as_u64().unwrap(), line)
            })
            .collect()
    };
    assert_eq!(drops(a, 0), drops(b, 1));
}

const ARGS: [&str; 6] = [
    "--attr",
    "race",
    "--threshold",
    "global-fmr:0.01",
    "--threshold",
    "group-fmr:0.1",
];

#[test]
fn npy_directory_reads_like_csv_and_streams_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(4000, 1);
    let csv = dir.path().join("c.csv");
    write_csv(&csv, &data);
    let npy = dir.path().join("npy");
    write_dir(&npy, &data);
    let from_csv = json("verify", &csv, &ARGS);
    let from_npy = json("verify", &npy, &ARGS);
    assert_eq!(audit(&from_npy, "verify"), audit(&from_csv, "verify"));
    same_accounting(&from_npy, &from_csv);
    // The table path reads only the needed columns and hashes them.
    let inputs = from_npy["provenance"]["inputs"].as_array().unwrap();
    assert_eq!(inputs[0]["sha256"].as_str().unwrap().len(), 64);
    let streamed = json("verify", &npy, &[&ARGS[..], &["--stream"]].concat());
    // Not a terminal: no progress bar, nothing on stderr.
    let quiet = common::run("verify", &npy, &[&ARGS[..], &["--stream"]].concat());
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    assert_eq!(
        exact(audit(&streamed, "verify")),
        exact(audit(&from_csv, "verify"))
    );
    assert_eq!(streamed["accounting"]["rows"], 4000);
}

#[test]
fn shards_emit_partials_that_merge_into_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = rows(3000, 2);
    let whole = dir.path().join("whole");
    write_dir(&whole, &data);
    let shards: Vec<_> = data
        .chunks(1000)
        .enumerate()
        .map(|(i, c)| {
            let d = dir.path().join(format!("shard{i}"));
            write_dir(&d, c);
            d
        })
        .collect();
    let plan = dir.path().join("plan.json");
    let mut with_plan = false;
    let merged = loop {
        let mut parts = Vec::new();
        for (i, s) in shards.iter().enumerate() {
            let part = dir.path().join(format!("part{i}.json"));
            let mut cmd = biasbench();
            cmd.arg("verify")
                .arg(s)
                .args(ARGS)
                .arg("--emit-partial")
                .arg(&part);
            if with_plan {
                cmd.arg("--plan").arg(&plan);
            }
            assert!(cmd.output().unwrap().status.success());
            parts.push(part);
        }
        let out = biasbench()
            .arg("merge")
            .args(&parts)
            .arg("--plan-out")
            .arg(&plan)
            .args(["--format", "json"])
            .output()
            .unwrap();
        match out.status.code() {
            Some(0) => break serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            Some(3) => with_plan = true,
            other => panic!("merge: {other:?} {}", String::from_utf8_lossy(&out.stderr)),
        }
    };
    assert!(with_plan, "the shards needed a second pass");
    let one = json("verify", &whole, &[&ARGS[..], &["--stream"]].concat());
    assert_eq!(audit(&merged, "verify"), audit(&one, "verify"));
    assert_eq!(merged["accounting"]["rows"], 3000);
}

#[test]
fn classify_reads_npy_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let n = 2000;
    let rows: Vec<(u8, u8, u8)> = (0..n)
        .map(|_| {
            (
                r.random_range(0..2),
                r.random_range(0..2),
                r.random_range(0..3),
            )
        })
        .collect();
    let sex = ["F", "M", "X"];
    let mut text = String::from("y_true,y_pred,sex\n");
    for x in &rows {
        text += &format!("{},{},{}\n", x.0, x.1, sex[x.2 as usize]);
    }
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, text).unwrap();
    let npy = dir.path().join("npy");
    std::fs::create_dir(&npy).unwrap();
    let col = |f: fn(&(u8, u8, u8)) -> u8| rows.iter().map(f).collect::<Vec<u8>>();
    write_npy(&npy.join("y_true.npy"), "|i1", n, &col(|x| x.0)).unwrap();
    write_npy(&npy.join("y_pred.npy"), "|u1", n, &col(|x| x.1)).unwrap();
    write_npy(&npy.join("sex.npy"), "|u1", n, &col(|x| x.2)).unwrap();
    std::fs::write(npy.join("sex.labels.txt"), "F\nM\nX\n").unwrap();
    let a = json("classify", &csv, &["--attr", "sex"]);
    let b = json("classify", &npy, &["--attr", "sex"]);
    assert_eq!(audit(&a, "classify"), audit(&b, "classify"));
}

#[test]
fn a_code_beyond_the_labels_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = rows(50, 4);
    data[9].2 = 7;
    write_dir(dir.path(), &data);
    let e = common::fails("verify", dir.path(), &["--attr", "race"]);
    assert!(
        e.contains("race_a.npy:10: column 'race_a', value \"7\""),
        "{e}"
    );
    let e = common::fails("verify", dir.path(), &["--attr", "race", "--stream"]);
    assert!(
        e.contains("race_a.npy:10: column 'race', value \"7\""),
        "{e}"
    );
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_reads_like_csv_with_dictionary_groups() {
    use arrow_array::types::Int8Type;
    use arrow_array::{
        ArrayRef, BooleanArray, DictionaryArray, Float64Array, RecordBatch, StringArray,
    };
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let data = rows(3000, 5);
    let csv = dir.path().join("c.csv");
    write_csv(&csv, &data);
    let race = |k: fn(&(f64, bool, u8, u8)) -> u8| -> ArrayRef {
        let codes: Vec<Option<&str>> = data
            .iter()
            .map(|r| Some(RACE[k(r) as usize]).filter(|s| !s.is_empty()))
            .collect();
        Arc::new(codes.into_iter().collect::<DictionaryArray<Int8Type>>())
    };
    let batch = RecordBatch::try_from_iter([
        (
            "score",
            Arc::new(Float64Array::from_iter_values(data.iter().map(|r| r.0))) as ArrayRef,
        ),
        (
            "mated",
            Arc::new(BooleanArray::from_iter(data.iter().map(|r| Some(r.1)))) as ArrayRef,
        ),
        ("race_a", race(|r| r.2)),
        ("race_b", race(|r| r.3)),
        (
            "unused",
            Arc::new(StringArray::from_iter_values(data.iter().map(|_| "x"))) as ArrayRef,
        ),
    ])
    .unwrap();
    let pq = dir.path().join("c.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&pq).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let from_csv = json("verify", &csv, &ARGS);
    let from_pq = json("verify", &pq, &ARGS);
    assert_eq!(audit(&from_pq, "verify"), audit(&from_csv, "verify"));
    same_accounting(&from_pq, &from_csv);
}

#[test]
fn identify_reads_npy_columns_with_nan_as_missing() {
    // The searches of tests/identify.rs; a float NaN is "not returned".
    let csv_text = common::SEARCHES;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("s.csv");
    std::fs::write(&csv, csv_text).unwrap();
    let npy = dir.path().join("npy");
    std::fs::create_dir(&npy).unwrap();
    let rows: Vec<Vec<&str>> = csv_text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let floats = |j: usize| -> Vec<u8> {
        rows.iter()
            .flat_map(|r| r[j].parse::<f64>().unwrap_or(f64::NAN).to_le_bytes())
            .collect()
    };
    let n = rows.len();
    for (j, name) in [
        (0, "search_id"),
        (2, "mate_rank"),
        (3, "mate_score"),
        (4, "nonmate_score"),
    ] {
        write_npy(&npy.join(format!("{name}.npy")), "<f8", n, &floats(j)).unwrap();
    }
    let mated: Vec<u8> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    write_npy(&npy.join("mated.npy"), "|b1", n, &mated).unwrap();
    let race: Vec<u8> = rows.iter().flat_map(|r| [r[5].as_bytes()[0], 0]).collect();
    write_npy(&npy.join("race.npy"), "|S2", n, &race).unwrap();
    let args = ["--attr", "race", "--threshold", "fixed:0.55"];
    let a = json("identify", &csv, &args);
    let b = json("identify", &npy, &args);
    assert_eq!(audit(&a, "identify"), audit(&b, "identify"));
    same_accounting(&b, &a);
}

/// An age-estimation table in Parquet (float ages, string groups) gives the
/// CSV's audit.
#[cfg(feature = "parquet")]
#[test]
fn estimate_reads_parquet_like_csv() {
    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let csv = common::root().join("fixtures/estimate/ages.csv");
    let mut r = csv::Reader::from_path(&csv).unwrap();
    let (mut age, mut pred, mut sex) = (vec![], vec![], vec![]);
    for row in r.records() {
        let row = row.unwrap();
        sex.push(row[1].to_string());
        age.push(row[3].parse::<f64>().unwrap());
        pred.push(row[4].parse::<f64>().unwrap());
    }
    let batch = RecordBatch::try_from_iter([
        ("age", Arc::new(Float64Array::from(age)) as ArrayRef),
        (
            "predicted_age",
            Arc::new(Float64Array::from(pred)) as ArrayRef,
        ),
        ("sex", Arc::new(StringArray::from(sex)) as ArrayRef),
    ])
    .unwrap();
    let pq = dir.path().join("a.parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&pq).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let args = [
        "--y-true",
        "age",
        "--y-pred",
        "predicted_age",
        "--attr",
        "sex",
        "--challenge",
        "18:25",
        "--reproducible",
    ];
    let (a, b) = (json("estimate", &csv, &args), json("estimate", &pq, &args));
    assert_eq!(a["estimate"]["views"], b["estimate"]["views"]);
    assert_eq!(a["findings"], b["findings"]);
}
