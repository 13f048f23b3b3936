//! Columns in memory (the Python package's front door) audit like the same
//! columns as a `.npy` directory, through the command line's own checks;
//! partial sums of shards do not depend on the order or grouping of merges.

use biasbench::cli::{merge_partials, run_in_memory, Ran, Want};
use biasbench::engine::verify::stream::{Partial, Plan};
use biasbench::input::npy::write_npy;
use biasbench::input::npy_dir::{MemoryColumn, MemoryTable, NpySource};
use biasbench::report::Report;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::sync::Arc;

/// Columns of `n` random comparisons: (name, NumPy type, element bytes).
/// Scores tie often; a few are NaN; race code 3 is the empty label (missing).
fn columns(n: usize, seed: u64) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let (mut score, mut mated, mut race, mut site) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let m = r.random_bool(0.2);
        let code: u8 = r.random_range(0..4);
        let s: f32 = if r.random_bool(0.01) {
            f32::NAN
        } else {
            (r.random_range(0..200) as f32) / 50.0 + if m { 1.0 } else { 0.0 } + code as f32 * 0.1
        };
        score.extend(s.to_le_bytes());
        mated.push(m as u8);
        race.push(code);
        site.extend((r.random_range(1..4) as i64).to_le_bytes());
    }
    vec![
        ("score", "<f4", score),
        ("mated", "|b1", mated),
        ("race", "|u1", race),
        ("site", "<i8", site),
    ]
}

const RACE: [&str; 4] = ["A", "B", "C", ""];

fn memory(name: &str, cols: &[(&'static str, &'static str, Vec<u8>)]) -> NpySource {
    let columns = cols
        .iter()
        .map(|(n, descr, bytes)| MemoryColumn {
            name: n.to_string(),
            descr: descr.to_string(),
            data: Arc::new(bytes.clone()),
            labels: (*n == "race").then(|| RACE.iter().map(|s| s.to_string()).collect()),
        })
        .collect();
    NpySource::Memory(MemoryTable {
        name: name.into(),
        columns,
    })
}

fn directory(dir: &Path, cols: &[(&'static str, &'static str, Vec<u8>)]) -> NpySource {
    for (n, descr, bytes) in cols {
        let width = descr[2..].parse::<usize>().unwrap();
        write_npy(
            &dir.join(format!("{n}.npy")),
            descr,
            bytes.len() / width,
            bytes,
        )
        .unwrap();
    }
    // One name a line; the last line, empty, marks a missing value.
    std::fs::write(dir.join("race.labels.txt"), RACE.join("\n") + "\n").unwrap();
    NpySource::Dir(dir.to_path_buf())
}

fn line(file: &str, flags: &[&str]) -> Vec<String> {
    [
        "biasbench",
        "verify",
        file,
        "--attr",
        "race,site",
        "--reproducible",
    ]
    .iter()
    .chain(flags)
    .map(|s| s.to_string())
    .collect()
}

fn report(ran: Ran) -> Report {
    match ran {
        Ran::Report(r) => *r,
        Ran::Partial(_) => panic!("a report was asked for"),
    }
}

/// The JSON report without its provenance (names and sizes of inputs differ).
fn findings(r: &Report) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    v.as_object_mut().unwrap().remove("provenance");
    v
}

#[test]
fn memory_audits_like_the_npy_directory() {
    let cols = columns(3000, 1);
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(tmp.path(), &cols);
    for flags in [
        &["--threshold", "global-fmr:1e-2"][..],
        &["--threshold", "fixed:2", "--stream"],
    ] {
        let d = report(run_in_memory(line("d", flags), dir.clone(), Want::Report).unwrap());
        let m =
            report(run_in_memory(line("<m>", flags), memory("<m>", &cols), Want::Report).unwrap());
        let (mut fd, mut fm) = (findings(&d), findings(&m));
        // A drop's first example names its file: the directory (or its
        // column's file), or the table (or its column).
        let rename = |v: &mut serde_json::Value, from: &str| {
            let text = v.to_string().replace(from, "X").replace(".npy\"", "\"");
            *v = serde_json::from_str(&text).unwrap();
        };
        rename(&mut fd, &tmp.path().display().to_string());
        rename(&mut fm, "<m>");
        assert_eq!(fd["accounting"], fm["accounting"], "{flags:?}");
        assert!(fd == fm, "{flags:?}: the reports differ");
        assert!(fm["accounting"]["dropped"]
            .as_array()
            .is_some_and(|d| !d.is_empty()));
        // Provenance hashes the columns in memory.
        let inputs = &m.provenance.inputs;
        assert!(!inputs.is_empty() && inputs.iter().all(|f| f.sha256.len() == 64));
    }
}

#[test]
fn options_are_checked_as_on_the_command_line() {
    let cols = columns(100, 2);
    let bad = line("<m>", &["--threshold", "global-fmr:2"]);
    let e = run_in_memory(bad, memory("<m>", &cols), Want::Report)
        .err()
        .unwrap();
    assert!(format!("{e:#}").contains("global-fmr"), "{e:#}");
    let e = run_in_memory(
        line("<m>", &["--score", "nope"]),
        memory("<m>", &cols),
        Want::Report,
    )
    .err()
    .unwrap();
    assert!(format!("{e:#}").contains("nope"), "{e:#}");
    // A partial needs the streaming audit.
    let e = run_in_memory(
        line("<m>", &[]),
        memory("<m>", &cols),
        Want::Partial(Plan::default()),
    )
    .err()
    .unwrap();
    assert!(format!("{e:#}").contains("--stream"), "{e:#}");
}

/// Partials of three shards, summed in every order and grouping, give one
/// report, byte for byte.
#[test]
fn partial_sums_do_not_depend_on_order_or_grouping() {
    let flags = ["--threshold", "global-fmr:1e-2", "--stream"];
    let parts = |plan: &Plan| -> Vec<Partial> {
        (0..3)
            .map(|i| {
                let name = format!("<shard {i}>");
                let src = memory(&name, &columns(800 + 300 * i, 10 + i as u64));
                match run_in_memory(line(&name, &flags), src, Want::Partial(plan.clone())).unwrap()
                {
                    Ran::Partial(p) => *p,
                    Ran::Report(_) => panic!("a partial was asked for"),
                }
            })
            .collect()
    };
    let command = || vec!["biasbench".to_string(), "merge".to_string()];
    let merged = |ps: Vec<Partial>| merge_partials(ps, command(), true).unwrap();
    // Passes until the merge gives a report.
    let mut plan = Plan::default();
    let shards = loop {
        let p = parts(&plan);
        match merged(p.clone()) {
            biasbench::app::audit::Merged::Report(_) => break p,
            biasbench::app::audit::Merged::NeedsPass(next) => plan = next,
        }
    };
    let text = |ps: Vec<Partial>| match merged(ps) {
        biasbench::app::audit::Merged::Report(r) => serde_json::to_string(&*r).unwrap(),
        biasbench::app::audit::Merged::NeedsPass(_) => panic!("the plan was complete"),
    };
    let [a, b, c] = [0, 1, 2].map(|i| shards[i].clone());
    let sum = |x: &Partial, y: &Partial| {
        let mut s = Partial::merge_all(vec![x.clone(), y.clone()]).unwrap();
        s.seal().unwrap();
        s
    };
    let first = text(vec![a.clone(), b.clone(), c.clone()]);
    for order in [
        vec![c.clone(), b.clone(), a.clone()],
        vec![b.clone(), a.clone(), c.clone()],
        vec![sum(&a, &c), b.clone()],
        vec![sum(&c, &b), a.clone()],
        vec![sum(&sum(&b, &c), &a)],
    ] {
        assert_eq!(text(order), first);
    }
}
