//! Partial and plan files are checked on load: a corrupt, truncated,
//! hand-edited or inconsistent file is an error naming the file and the
//! field, never a panic (exit code 2, not 101).

mod common;

use biasbench::app::audit::VerifyJob;
use biasbench::counts::threshold::Policy;
use biasbench::engine::verify::stream::{pass, Partial, Plan, StreamLimits};
use biasbench::engine::verify::VerifyOptions;
use biasbench::input::npy::write_npy;
use biasbench::input::npy_dir::NpyComparisons;
use biasbench::input::VerifyColumns;
use biasbench::progress::NoProgress;
use common::biasbench;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// A shard: race per side (code 3 is the empty label, i.e. missing) and sex,
/// with a few rows of each drop reason the stream knows.
fn write_shard(dir: &Path, n: usize, seed: u64) {
    std::fs::create_dir_all(dir).unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let mut score = Vec::new();
    let (mut mated, mut race_a, mut race_b, mut sex) = (vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let m = r.random_bool(0.3);
        let s: f64 = match i % 97 {
            5 => f64::NAN,
            6 => f64::INFINITY,
            _ => (if m { 0.6 } else { 0.2 }) + r.random::<f64>() * 0.5,
        };
        // Half on a grid of 1/64 (ties), half anywhere.
        let s = if i % 2 == 0 {
            (s * 64.0).round() / 64.0
        } else {
            s
        };
        score.extend(s.to_le_bytes());
        mated.push(if i % 89 == 7 { 2 } else { m as u8 });
        let a = if i % 83 == 9 {
            3
        } else {
            r.random_range(0..3u8)
        };
        race_a.push(a);
        race_b.push(if m || i % 83 == 9 {
            a
        } else {
            r.random_range(0..3u8)
        });
        sex.push(r.random_range(0..2u8));
    }
    write_npy(&dir.join("score.npy"), "<f8", n, &score).unwrap();
    for (name, v) in [
        ("mated", &mated),
        ("race_a", &race_a),
        ("race_b", &race_b),
        ("sex", &sex),
    ] {
        write_npy(&dir.join(format!("{name}.npy")), "|u1", n, v).unwrap();
    }
    std::fs::write(dir.join("race.labels.txt"), "A\nB\nC\n\n").unwrap();
    std::fs::write(dir.join("sex.labels.txt"), "F\nM\n").unwrap();
}

fn options() -> VerifyOptions {
    VerifyOptions {
        policies: ["global-fmr:0.05", "group-fmr:0.1", "fixed:0.5"]
            .iter()
            .map(|p| Policy::parse(p).unwrap())
            .collect(),
        ..Default::default()
    }
}

/// The partials of two shards (in a temporary folder) at every pass until
/// the results are exact (small buckets collected, larger ones split, so the
/// plans have both).
fn passes() -> (tempfile::TempDir, Vec<[Partial; 2]>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let attrs = ["race".to_string(), "sex".to_string()];
    let shards: Vec<NpyComparisons> = [(700, 1), (500, 2)]
        .iter()
        .enumerate()
        .map(|(i, &(n, seed))| {
            let d = root.join(format!("shard{i}"));
            write_shard(&d, n, seed);
            NpyComparisons::open(&d, "score", "mated", &attrs).unwrap()
        })
        .collect();
    let mut plan = Plan::default();
    let mut out = Vec::new();
    for _ in 0..4 {
        let [a, b] = [0, 1].map(|i| {
            let inputs = shards[i].provenance(true).unwrap();
            pass(&shards[i], &options(), &plan, inputs, &NoProgress).unwrap()
        });
        let mut whole = a.clone();
        whole.merge(b.clone()).unwrap();
        let c = whole.comparisons().unwrap();
        out.push([a, b]);
        match whole.next_plan(&c, StreamLimits { collect: 6 }) {
            Some(next) => plan = next,
            None => break,
        }
    }
    assert!(out.len() >= 3, "{} passes", out.len());
    (dir, out)
}

fn write_json(path: &Path, v: &impl serde::Serialize) {
    std::fs::write(path, serde_json::to_vec(v).unwrap()).unwrap();
}

fn job(o: &VerifyOptions) -> VerifyJob {
    VerifyJob {
        columns: VerifyColumns::default(),
        options: o.clone(),
        command: Vec::new(),
        reproducible: true,
        bootstrap: None,
    }
}

/// Reads the partials of `paths` and merges them (the report or the next
/// plan), as `biasbench merge` does: the error, if any.
fn merge(paths: &[&Path]) -> Result<(), String> {
    let parts = paths
        .iter()
        .map(|p| Partial::read(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    job(&parts[0].options.clone())
        .merge(parts)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Reads `path` and merges it with `other` in both orders.
fn read_and_merge(path: &Path, other: &Path) -> Result<(), String> {
    merge(&[path, other])?;
    merge(&[other, path])
}

/// `v` with its checksum recomputed when it still has a partial's shape,
/// so that edits reach the checks behind the checksum.
fn resealed(v: Value) -> Value {
    match serde_json::from_value::<Partial>(v.clone()) {
        Ok(mut p) => {
            p.seal().unwrap();
            serde_json::to_value(&p).unwrap()
        }
        Err(_) => v,
    }
}

/// The error of a partial that `edit` corrupts (checksum recomputed).
fn corrupt(dir: &Path, base: &Partial, edit: impl FnOnce(&mut Value)) -> String {
    let mut v = serde_json::to_value(base).unwrap();
    edit(&mut v);
    let path = dir.join("bad.json");
    write_json(&path, &resealed(v));
    let e = Partial::read(&path).unwrap_err().to_string();
    assert!(e.starts_with(&path.display().to_string()), "{e}");
    e
}

#[test]
fn corrupt_partials_are_named_errors() {
    let (dir, passes) = passes();
    let d = dir.path();
    let last = &passes[passes.len() - 1][0];
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        // The review's panics: labels shorter than the radix, a bucket at depth 9.
        (
            Box::new(|v| v["attributes"][0]["labels"] = json!(["A", "B"])),
            "attributes[0].labels: 2 labels for a radix of 4",
        ),
        (
            Box::new(|v| v["cells"][0]["buckets"][0][0] = json!(9)),
            "cells[0].buckets[0]: no bucket 9:",
        ),
        // A bucket of NaNs: its reduced row would be a NaN score.
        (
            Box::new(|v| {
                let n = v["cells"][0]["buckets"][0][2].clone();
                v["cells"][0]["buckets"][0] = json!([1, 0, n]);
            }),
            "cells[0].buckets[0]: bucket 1:0 holds no finite score",
        ),
        (
            Box::new(|v| v["cells"][0]["key"] = json!(1u64 << 40)),
            "cells[0].key: 1099511627776: keys are unique, ascending and below",
        ),
        (
            Box::new(|v| v["cells"][0]["buckets"][0][2] = json!(-1)),
            "not a biasbench partial file: invalid value: integer `-1`",
        ),
        (
            Box::new(|v| v["format"] = json!("biasbench-partial-1")),
            "format: \"biasbench-partial-1\": written by another version of biasbench",
        ),
        (
            Box::new(|v| v["format"] = json!("other-3")),
            "format: \"other-3\": not a partial of biasbench",
        ),
        (
            Box::new(|v| v["options"]["ci"]["level"] = json!(2)),
            "options.ci.level: 2 is outside (0, 1)",
        ),
        (
            Box::new(|v| v["options"]["reference"] = json!(["nope=A"])),
            "options.reference[0]: nope=A: no such attribute (attributes: race, sex, race+sex)",
        ),
        (
            Box::new(|v| v["inputs"][1]["rows"] = json!(9)),
            "inputs[1].rows: 9 rows in ",
        ),
        (
            Box::new(|v| {
                let rows = v["accounting"]["rows"].as_u64().unwrap();
                v["accounting"]["rows"] = json!(rows + 1);
            }),
            "accounting.rows: ",
        ),
        (
            Box::new(|v| v["plan"]["opened"]["1:zz"] = json!("split")),
            "plan.opened[\"1:zz\"]: bad bucket name",
        ),
        (
            Box::new(|v| v["options"]["alpha"] = json!(7)),
            "options.alpha: 7 is outside [0, 1]",
        ),
        (
            Box::new(|v| v["options"]["policies"][0]["alpha"] = json!(0.5)),
            "options.policies[0]: ",
        ),
        (
            Box::new(|v| v["options"]["policies"][0]["alpha"] = json!(-1)),
            "not a biasbench partial file: target rate α -1: not a fraction in (0, 1)",
        ),
        (
            Box::new(|v| v["accounting"]["dropped"][0]["reason"] = json!("lost")),
            "unknown drop reason \"lost\"",
        ),
        (
            Box::new(|v| {
                let e = v["cells"].as_array_mut().unwrap().iter_mut();
                let cell = e.filter(|c| !c["exact"].as_array().unwrap().is_empty());
                cell.last().unwrap()["exact"][0][0] = json!(1e300);
            }),
            "lies in no bucket the plan collects",
        ),
    ];
    for (edit, want) in cases {
        let e = corrupt(d, last, edit);
        assert!(e.contains(want), "{e}\nwants {want}");
    }
    // Truncated.
    let path = d.join("cut.json");
    let text = serde_json::to_string(last).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let e = Partial::read(&path).unwrap_err().to_string();
    assert!(
        e.contains("cut.json: not a biasbench partial file: EOF"),
        "{e}"
    );
}

#[test]
fn partials_of_different_audits_do_not_merge() {
    let (dir, passes) = passes();
    let d = dir.path();
    let [a, b] = &passes[0];
    let (pa, pb) = (d.join("a.json"), d.join("b.json"));
    write_json(&pa, a);
    let mut other = b.clone();
    other.options.alpha = 0.25;
    other.seal().unwrap();
    write_json(&pb, &other);
    let e = merge(&[&pa, &pb]).unwrap_err();
    assert!(
        e.starts_with(&format!(
            "{}: options.alpha: 0.25 differs from 0.5 in {}",
            pb.display(),
            pa.display()
        )),
        "{e}"
    );
    // Other labels of an attribute.
    let mut other = b.clone();
    other.attributes[1].labels = Some(vec!["M".into(), "F".into()]);
    other.seal().unwrap();
    write_json(&pb, &other);
    let e = merge(&[&pa, &pb]).unwrap_err();
    assert!(
        e.contains("b.json: attributes[1].labels[0]: \"M\" differs from \"F\" in"),
        "{e}"
    );
    // A partial of another pass (another plan).
    write_json(&pb, &passes[1][1]);
    let e = merge(&[&pa, &pb]).unwrap_err();
    assert!(e.contains("b.json: plan.opened"), "{e}");
    // Shards whose rows add up past 2^64.
    let mut huge = b.clone();
    huge.accounting.rows = u64::MAX;
    huge.accounting.used = huge.accounting.rows - huge.accounting.dropped_total();
    huge.cells[0].buckets[0].2 += huge.accounting.used - b.accounting.used;
    for f in &mut huge.inputs {
        f.rows = u64::MAX;
    }
    huge.seal().unwrap();
    write_json(&pb, &huge);
    let e = merge(&[&pa, &pb]).unwrap_err();
    assert!(
        e.contains("b.json: accounting.rows: the rows of the partials add up to more than 2^64"),
        "{e}"
    );
}

#[test]
fn corrupt_plans_are_named_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    for (plan, want) in [
        (
            json!({"opened": {"9:1": "split"}}),
            "opened[\"9:1\"]: bad bucket name",
        ),
        (
            json!({"opened": {"1:fffff0": "split"}}),
            "opened[\"1:fffff0\"]: bad bucket name",
        ),
        (
            json!({"opened": {"1:1": "collect", "2:10000": "split"}}),
            "opened[\"2:10000\"]: opened inside bucket 1:1, which the plan does not split",
        ),
        (
            json!({"opened": {"1:1": "open"}}),
            "not a biasbench plan file: unknown variant",
        ),
        (json!([1, 2]), "not a biasbench plan file"),
    ] {
        write_json(&path, &plan);
        let e = Plan::read(&path).unwrap_err().to_string();
        assert!(e.starts_with(&path.display().to_string()), "{e}");
        assert!(e.contains(want), "{e}\nwants {want}");
    }
}

/// One random edit of a JSON value: a node reached by a random walk is
/// replaced, or (an array or object) loses, repeats or swaps an entry.
fn mutate(v: &mut Value, r: &mut ChaCha8Rng) {
    const NUMBERS: [f64; 16] = [
        -1.0,
        0.0,
        1.0,
        2.0,
        3.0,
        4.0,
        9.0,
        255.0,
        256.0,
        1048576.0,
        4294967296.0,
        1.8e19,
        1e300,
        -0.5,
        0.5,
        1e-300,
    ];
    const STRINGS: [&str; 8] = [
        "",
        "race",
        "9:1",
        "1:fffff",
        "missing score",
        "global-fmr:0.1",
        "biasbench-partial-0",
        "split",
    ];
    let mut node = v;
    loop {
        let n = match &*node {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if n == 0 || r.random_bool(0.25) {
            break;
        }
        let i = r.random_range(0..n);
        node = match node {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => o.values_mut().nth(i).unwrap(),
            _ => unreachable!(),
        };
    }
    match (r.random_range(0..9), node) {
        (0, Value::Array(a)) if !a.is_empty() => {
            let i = r.random_range(0..a.len());
            a.remove(i);
        }
        (1, Value::Array(a)) if !a.is_empty() => {
            let i = r.random_range(0..a.len());
            let x = a[i].clone();
            a.insert(i, x);
        }
        (2, Value::Array(a)) if a.len() > 1 => {
            let (i, j) = (r.random_range(0..a.len()), r.random_range(0..a.len()));
            a.swap(i, j);
        }
        (3, Value::Object(o)) if !o.is_empty() => {
            let k = o.keys().nth(r.random_range(0..o.len())).unwrap().clone();
            o.remove(&k);
        }
        (4, n @ Value::Number(_)) => {
            let x = n.as_f64().unwrap() + [-1.0, 1.0, 0.5][r.random_range(0..3)];
            *n = json!(x);
        }
        (5, n) => *n = json!(STRINGS[r.random_range(0..STRINGS.len())]),
        (6, n) => {
            *n = [json!(null), json!(true), json!([]), json!({})][r.random_range(0..4)].clone()
        }
        (7, n) => *n = json!([u64::MAX, 1 << 63, 1 << 40, 1 << 20][r.random_range(0..4)]),
        (_, n) => {
            let x = NUMBERS[r.random_range(0..NUMBERS.len())];
            *n = if x.fract() == 0.0 && (0.0..1.8e19).contains(&x) {
                json!(x as u64)
            } else {
                json!(x)
            };
        }
    }
}

/// Sorts what must be ascending (cells by key, their buckets and exact
/// scores), so that edits of values get past the order checks.
fn reorder(v: &mut Value) {
    fn sort_by_first(a: &mut Value) {
        if let Some(a) = a.as_array_mut() {
            a.sort_by(|x, y| {
                let key = |v: &Value| (v[0].as_f64(), v[1].as_f64());
                key(x)
                    .partial_cmp(&key(y))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            a.dedup_by(|x, y| x[0] == y[0] && (x.get(2).is_none() || x[1] == y[1]));
        }
    }
    if let Some(cells) = v.get_mut("cells").and_then(Value::as_array_mut) {
        cells.sort_by_key(|c| c["key"].as_u64());
        cells.dedup_by(|x, y| x["key"] == y["key"]);
        for c in cells.iter_mut().filter_map(Value::as_object_mut) {
            for list in ["buckets", "exact"] {
                if let Some(a) = c.get_mut(list) {
                    sort_by_first(a);
                }
            }
        }
    }
}

/// Makes the accounting agree with the cells' counts again (where they are
/// numbers), so that count edits get past the first check.
fn rebalance(v: &mut Value) {
    let counts = |cell: &Value, list: &str, at: usize| -> Vec<u64> {
        let entries = cell[list].as_array().cloned().unwrap_or_default();
        entries.iter().filter_map(|e| e[at].as_u64()).collect()
    };
    let cells = v["cells"].as_array().cloned().unwrap_or_default();
    let used = cells
        .iter()
        .flat_map(|c| [counts(c, "buckets", 2), counts(c, "exact", 1)].concat())
        .try_fold(0u64, u64::checked_add);
    let dropped = v["accounting"]["dropped"].as_array().map(|d| {
        d.iter()
            .filter_map(|x| x["count"].as_u64())
            .try_fold(0u64, u64::checked_add)
    });
    let accounting = v.get_mut("accounting").and_then(Value::as_object_mut);
    if let (Some(a), Some(used), Some(Some(dropped))) = (accounting, used, dropped) {
        a.insert("used".into(), json!(used));
        a.insert("rows".into(), json!(used.saturating_add(dropped)));
    }
}

/// Byte edits of the text: truncated, a byte replaced, or a span cut out.
fn mangle(text: &mut Vec<u8>, r: &mut ChaCha8Rng) {
    let i = r.random_range(0..text.len());
    match r.random_range(0..3) {
        0 => text.truncate(i),
        1 => text[i] = b"0123456789-.,:[]{}\"e"[r.random_range(0..20)],
        _ => {
            let j = (i + r.random_range(1..40)).min(text.len());
            text.drain(i..j);
        }
    }
}

/// Mutated partials (and plans) are read, merged and reported without a
/// panic: every case ends in a report, a plan or an error; the CLI exits
/// with 0, 2 or 3 on a sample of them, never 101.
#[test]
fn mutated_partials_never_panic() {
    let (dir, passes) = passes();
    let d = dir.path();
    let mut r = ChaCha8Rng::seed_from_u64(2024);
    let (path, sibling) = (d.join("m.json"), d.join("sibling.json"));
    let (mut ok, mut err, mut panics) = (0, 0, Vec::new());
    let mut cli_runs = Vec::new();
    for case in 0..1500 {
        let pair = &passes[r.random_range(0..passes.len())];
        let which = r.random_range(0..2);
        write_json(&sibling, &pair[1 - which]);
        let mut text = if r.random_bool(0.8) {
            let mut v = serde_json::to_value(&pair[which]).unwrap();
            for _ in 0..r.random_range(1..4) {
                mutate(&mut v, &mut r);
            }
            if r.random_bool(0.5) {
                reorder(&mut v);
            }
            if r.random_bool(0.6) {
                rebalance(&mut v);
            }
            // Mostly resealed, so that the checks behind the checksum run.
            if r.random_bool(0.9) {
                v = resealed(v);
            }
            serde_json::to_vec(&v).unwrap()
        } else {
            serde_json::to_vec(&pair[which]).unwrap()
        };
        if text.len() > 1 && r.random_bool(0.3) {
            mangle(&mut text, &mut r);
        }
        std::fs::write(&path, &text).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let (p, s) = (path.clone(), sibling.clone());
        std::thread::spawn(move || tx.send(catch_unwind(|| read_and_merge(&p, &s))));
        let Ok(outcome) = rx.recv_timeout(std::time::Duration::from_secs(20)) else {
            panic!("case {case} hangs:\n{}", String::from_utf8_lossy(&text));
        };
        match outcome {
            Ok(Ok(())) => ok += 1,
            Ok(Err(e)) => {
                if Partial::read(&path).is_err() {
                    assert!(
                        e.starts_with(&path.display().to_string()),
                        "case {case}: {e}"
                    );
                }
                err += 1;
            }
            Err(p) => {
                let why = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panics.push(format!(
                    "case {case}: {why}\n{}",
                    String::from_utf8_lossy(&text)
                ));
            }
        }
        if case % 25 == 0 {
            let keep = d.join(format!("cli{case}.json"));
            std::fs::copy(&path, &keep).unwrap();
            let sib = d.join(format!("cli{case}-sibling.json"));
            std::fs::copy(&sibling, &sib).unwrap();
            cli_runs.push((keep, sib));
        }
    }
    // Plans: read, then a pass over a shard with them.
    let shard = NpyComparisons::open(
        &d.join("shard0"),
        "score",
        "mated",
        &["race".into(), "sex".into()],
    )
    .unwrap();
    let plan = passes[passes.len() - 1][0].plan.clone();
    for case in 0..150 {
        let mut v = serde_json::to_value(&plan).unwrap();
        mutate(&mut v, &mut r);
        write_json(&path, &v);
        let run = || {
            Plan::read(&path).and_then(|p| pass(&shard, &options(), &p, Vec::new(), &NoProgress))
        };
        if catch_unwind(AssertUnwindSafe(run)).is_err() {
            panics.push(format!("plan case {case}: {v}"));
        }
    }
    assert!(
        panics.is_empty(),
        "{} panics:\n{}",
        panics.len(),
        panics.join("\n\n")
    );
    eprintln!("mutated partials: {ok} merged, {err} errors");
    assert!(ok > 100 && err > 500, "ok {ok}, err {err}");
    for (a, b) in cli_runs {
        let out = biasbench()
            .arg("merge")
            .args([&a, &b])
            .arg("--plan-out")
            .arg(d.join("next-plan.json"))
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 2 | 3)),
            "{}: exit {code:?}\n{}",
            a.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The review's probe, end to end: labels shorter than the radix made
/// `biasbench merge` panic (exit 101); now exit 2 naming the file and field.
#[test]
fn merge_of_a_hand_edited_partial_exits_2() {
    let (dir, passes) = passes();
    let d = dir.path();
    let mut v = serde_json::to_value(&passes[0][0]).unwrap();
    v["attributes"][0]["labels"] = json!(["A", "B"]);
    let bad: PathBuf = d.join("edited.json");
    write_json(&bad, &resealed(v));
    let good = d.join("good.json");
    write_json(&good, &passes[0][1]);
    let out = biasbench()
        .arg("merge")
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("edited.json: attributes[0].labels: 2 labels for a radix of 4"),
        "{err}"
    );
}

/// The probes: the same partial twice (under another name, or a
/// partial of the same inputs written again) doubled every count, and an
/// edited read or cell count merged with exit 0. Now each is an error
/// naming the file and field (exit 2).
#[test]
fn duplicate_and_edited_partials_are_refused() {
    let (dir, passes) = passes();
    let d = dir.path();
    let [a, b] = &passes[0];
    let (pa, pb, pc) = (d.join("a.json"), d.join("b.json"), d.join("c.json"));
    write_json(&pa, a);
    write_json(&pb, b);
    merge(&[&pa, &pb]).unwrap();
    // The same file under another name.
    std::fs::copy(&pa, &pc).unwrap();
    let e = merge(&[&pa, &pb, &pc]).unwrap_err();
    assert!(
        e.starts_with(&format!(
            "{}: checksum: the same shard as {} (same checksum): each shard is merged once",
            pc.display(),
            pa.display()
        )),
        "{e}"
    );
    // The same inputs (same SHA-256s), written again from another folder.
    let mut again = a.clone();
    for f in &mut again.inputs {
        f.path = format!("elsewhere/{}", f.path);
    }
    again.seal().unwrap();
    write_json(&pc, &again);
    let e = merge(&[&pa, &pb, &pc]).unwrap_err();
    assert!(
        e.contains("c.json: inputs: the same shard as") && e.contains("a.json (same inputs)"),
        "{e}"
    );
    let out = biasbench()
        .arg("merge")
        .args([&pa, &pb, &pa])
        .arg("--plan-out")
        .arg(d.join("next.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("each shard is merged once"));
    // Counts edited by hand, kept consistent: the checksum tells.
    let mut v = serde_json::to_value(a).unwrap();
    let n = v["cells"][0]["buckets"][0][2].as_u64().unwrap();
    v["cells"][0]["buckets"][0][2] = json!(n + 1000);
    for field in ["rows", "used"] {
        let x = v["accounting"][field].as_u64().unwrap();
        v["accounting"][field] = json!(x + 1000);
    }
    write_json(&pc, &v);
    let e = merge(&[&pa, &pc]).unwrap_err();
    assert!(
        e.contains("c.json: checksum: ") && e.contains("does not match the content"),
        "{e}"
    );
    // Resealed, the rows read no longer match the inputs' rows.
    write_json(&pc, &resealed(v));
    let e = merge(&[&pa, &pc]).unwrap_err();
    assert!(e.contains("c.json: inputs[0].rows: 700 rows in "), "{e}");
}

/// A plan opening more buckets than any audit with its thresholds and
/// attributes could (a hand-made plan cost ~20 KB per bucket) is refused
/// before the pass, in a partial and on `--plan`.
#[test]
fn plans_opening_too_many_buckets_are_refused() {
    let (dir, passes) = passes();
    let d = dir.path();
    let many: serde_json::Map<String, Value> = (0..20_000u64)
        .map(|p| (format!("1:{:x}", 0x80000 + p), json!("collect")))
        .collect();
    let plan = json!({ "opened": many });
    // In a partial (resealed, so that the size check is what refuses it).
    let mut v = serde_json::to_value(&passes[0][0]).unwrap();
    v["plan"] = plan.clone();
    let path = d.join("p.json");
    write_json(&path, &resealed(v));
    let e = Partial::read(&path).unwrap_err().to_string();
    assert!(
        e.contains("plan.opened: opens 20000 buckets, but an audit with these thresholds and attributes opens at most"),
        "{e}"
    );
    // On the command line.
    let plan_file = d.join("plan.json");
    write_json(&plan_file, &plan);
    let out = biasbench()
        .args([
            "verify",
            "--attr",
            "race,sex",
            "--threshold",
            "global-fmr:0.05",
        ])
        .arg(d.join("shard0"))
        .arg("--emit-partial")
        .arg(d.join("out.json"))
        .arg("--plan")
        .arg(&plan_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--plan") && err.contains("opens 20000 buckets"),
        "{err}"
    );
    assert!(!d.join("out.json").exists());
}
