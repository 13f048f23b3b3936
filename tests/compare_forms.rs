//! `biasbench compare` beyond one score column each: two tables joined on a
//! key (the same report as one table; every unpaired row accounted for),
//! classification and 1:N identification, with discordant counts worked by
//! hand.

use assert_cmd::Command;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

fn biasbench() -> Command {
    Command::cargo_bin("biasbench").unwrap()
}

/// The JSON report of `compare ARGS` (reproducible).
fn compare(dir: &Path, args: &[&str]) -> Value {
    let out = biasbench()
        .current_dir(dir)
        .arg("compare")
        .args(args)
        .args(["--reproducible", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The stderr of a failing `compare ARGS`.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = biasbench()
        .current_dir(dir)
        .arg("compare")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A simulated pair of models: one table with `score` and `score_b`.
fn simulated(dir: &Path) {
    let ok = biasbench()
        .current_dir(dir)
        .args(["simulate", "--out", "one.csv", "--seed", "4"])
        .args(["--subjects-per-group", "60", "--nonmated-per-group", "600"])
        .args(["--cross-nonmated", "300"])
        .args([
            "--group",
            "race=A,mated_mean=4,nonmated_mean=0,mated_mean_b=4,nonmated_mean_b=0",
        ])
        .args([
            "--group",
            "race=B,mated_mean=3.5,nonmated_mean=0.5,mated_mean_b=4,nonmated_mean_b=0.2",
        ])
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok);
}

/// Splits `one.csv` into `a.csv` (with `score`) and `b.csv` (with
/// `score_b` as `score`), keyed by `pair`; B's rows reversed, and the rows
/// whose index `skip_a`/`skip_b` says left out.
fn split(dir: &Path, skip_a: impl Fn(usize) -> bool, skip_b: impl Fn(usize) -> bool) {
    let text = std::fs::read_to_string(dir.join("one.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let score_b = header.iter().position(|h| *h == "score_b").unwrap();
    let shared: Vec<usize> = (0..header.len()).filter(|&i| i != score_b).collect();
    let row = |fields: &[&str], take_b: bool| {
        shared
            .iter()
            .map(|&i| match (header[i], take_b) {
                ("score", true) => fields[score_b],
                _ => fields[i],
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let head = format!("pair,{}\n", row(&header, false));
    let (mut a, mut b) = (head.clone(), Vec::new());
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        if !skip_a(i) {
            writeln!(a, "p{i},{}", row(&fields, false)).unwrap();
        }
        if !skip_b(i) {
            b.push(format!("p{i},{}\n", row(&fields, true)));
        }
    }
    b.reverse();
    std::fs::write(dir.join("a.csv"), a).unwrap();
    std::fs::write(dir.join("b.csv"), head + &b.concat()).unwrap();
}

/// `compare verify` of the one table's two score columns.
const ONE_TABLE: [&str; 6] = [
    "verify",
    "one.csv",
    "--score-a",
    "score",
    "--score-b",
    "score_b",
];

const VERIFY: [&str; 6] = [
    "--attr",
    "race",
    "--threshold",
    "global-fmr:1e-2",
    "--bootstrap",
    "200",
];

#[test]
fn two_tables_joined_on_a_key_give_the_one_table_report() {
    let dir = tempfile::tempdir().unwrap();
    simulated(dir.path());
    split(dir.path(), |_| false, |_| false);
    let one = compare(dir.path(), &[&ONE_TABLE[..], &VERIFY[..]].concat());
    let two = compare(
        dir.path(),
        &[&["verify", "a.csv", "b.csv", "--key", "pair"], &VERIFY[..]].concat(),
    );
    let (p1, p2) = (&one["paired"], &two["paired"]);
    for part in ["verdicts", "rates", "summaries", "baseline", "bootstrap"] {
        assert_eq!(p1[part], p2[part], "{part}");
    }
    assert_eq!(one["verify"], two["verify"]);
    assert_eq!(p2["rows_b"]["used"], two["accounting"]["used"]);
    assert!(p1["verdicts"].as_array().unwrap().len() == 2);
    // Both tables are in the provenance.
    let inputs: Vec<&str> = (two["provenance"]["inputs"].as_array().unwrap().iter())
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["a.csv", "b.csv"]);

    // Rows only A has, of a group and subjects no paired row has, change
    // nothing but the accounting: no empty group, no phantom bootstrap unit.
    let mut a = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    let first = a.lines().next().unwrap().to_string();
    let header: Vec<&str> = first.split(',').collect();
    let width = header.len();
    for i in 0..3 {
        let cell = |h: &str| match h {
            "pair" => format!("extra{i}"),
            "subject_a" | "subject_b" => format!("Z{i}"),
            "mated" => "1".into(),
            "score" => "3.0".into(),
            _ => "Z".into(),
        };
        let row: Vec<String> = header.iter().map(|h| cell(h)).collect();
        assert_eq!(row.len(), width);
        a.push_str(&(row.join(",") + "\n"));
    }
    std::fs::write(dir.path().join("a.csv"), a).unwrap();
    let three = compare(
        dir.path(),
        &[&["verify", "a.csv", "b.csv", "--key", "pair"], &VERIFY[..]].concat(),
    );
    let p3 = &three["paired"];
    for part in ["verdicts", "rates", "summaries", "baseline", "bootstrap"] {
        assert_eq!(p1[part], p3[part], "{part} with rows only A has");
    }
}

#[test]
fn every_unpaired_row_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    simulated(dir.path());
    // A lacks rows 0, 10, 20, …; B lacks 5, 15, 25, ….
    split(dir.path(), |i| i % 10 == 0, |i| i % 10 == 5);
    let r = compare(
        dir.path(),
        &[
            "verify",
            "a.csv",
            "b.csv",
            "--key",
            "pair",
            "--attr",
            "race",
            "--bootstrap",
            "0",
        ],
    );
    let n = 2 * (60 * 3 + 600) + 300;
    let count = |acc: &Value, reason: &str| {
        (acc["dropped"].as_array().unwrap().iter())
            .find(|d| d["reason"] == reason)
            .map_or(0, |d| d["count"].as_u64().unwrap())
    };
    let (acc_a, acc_b) = (&r["accounting"], &r["paired"]["rows_b"]);
    let paired = (0..n).filter(|i| i % 10 != 0 && i % 10 != 5).count() as u64;
    for acc in [acc_a, acc_b] {
        assert_eq!(acc["used"].as_u64().unwrap(), paired);
        assert_eq!(
            count(acc, "key not among the other model's usable rows"),
            (n / 10) as u64
        );
        assert_eq!(acc["rows"].as_u64().unwrap(), paired + (n / 10) as u64);
    }
    // The first unpaired key is named: p5 is missing from B, so A's p5 is unpaired.
    let first = (acc_a["dropped"].as_array().unwrap().iter())
        .find(|d| d["reason"] == "key not among the other model's usable rows")
        .unwrap();
    assert_eq!(first["first"]["value"], "p5");
    assert_eq!(first["first"]["column"], "pair");

    // A repeated key is an error naming the file and the key.
    let text = std::fs::read_to_string(dir.path().join("b.csv")).unwrap();
    let second = text.lines().nth(1).unwrap().to_string();
    std::fs::write(dir.path().join("b.csv"), format!("{text}{second}\n")).unwrap();
    let e = refused(
        dir.path(),
        &[
            "verify", "a.csv", "b.csv", "--key", "pair", "--attr", "race",
        ],
    );
    assert!(
        e.contains("b.csv") && e.contains("more than one row"),
        "{e}"
    );
    // A key without its second table, and a second table without a key.
    let e = refused(dir.path(), &["verify", "a.csv", "--key", "pair"]);
    assert!(e.contains("--key joins two tables"), "{e}");
    let e = refused(dir.path(), &["verify", "a.csv", "b.csv"]);
    assert!(e.contains("needs --key"), "{e}");
}

/// The paired rate `metric` of `group` in a compare report.
fn paired_rate(r: &Value, group: &str, metric: &str) -> Value {
    (r["paired"]["rates"].as_array().unwrap().iter())
        .find(|x| x["group"] == group && x["metric"] == metric)
        .unwrap_or_else(|| panic!("{group} {metric}: {}", r["paired"]["rates"]))
        .clone()
}

/// Ten items of one group: truth, model A's and model B's predictions.
const ITEMS: [(u8, u8, u8); 10] = [
    (1, 1, 1),
    (1, 0, 1),
    (1, 0, 1),
    (1, 0, 0),
    (1, 1, 0),
    (0, 0, 0),
    (0, 1, 0),
    (0, 1, 0),
    (0, 1, 1),
    (0, 0, 1),
];

#[test]
fn classification_discordance_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("item,g,y_true,a,b\n");
    for (i, (t, a, b)) in ITEMS.iter().enumerate() {
        writeln!(csv, "i{i},x,{t},{a},{b}").unwrap();
    }
    std::fs::write(dir.path().join("items.csv"), csv).unwrap();
    let r = compare(
        dir.path(),
        &[
            "classify",
            "items.csv",
            "--score-a",
            "a",
            "--score-b",
            "b",
            "--attr",
            "g",
            "--bootstrap",
            "0",
        ],
    );
    let rate = |metric: &str| paired_rate(&r, "x", metric);
    // Positives 1–5: A misses 2, 3, 4 (FNR 3/5), B misses 4, 5 (2/5); both
    // miss 4; only A: 2, 3; only B: 5. Negatives 6–10: A flags 7, 8, 9
    // (FPR 3/5), B flags 9, 10; both 9; only A 7, 8; only B 10.
    for metric in ["fnr", "fpr"] {
        let x = rate(metric);
        let d = &x["discordance"];
        assert_eq!(
            (d["trials"].as_u64(), d["both"].as_u64()),
            (Some(5), Some(1)),
            "{metric}"
        );
        assert_eq!(
            (d["only_a"].as_u64(), d["only_b"].as_u64()),
            (Some(2), Some(1)),
            "{metric}"
        );
        assert!((x["delta"].as_f64().unwrap() + 0.2).abs() < 1e-15);
        // McNemar: 2·P(X ≤ 1), X ~ Bin(3, ½) = 2·4/8 = 1.
        assert!((x["p"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    }
    // Errors over all ten: A 6, B 4, both 2, only A 4, only B 2: p = 2·P(X ≤ 2 | 6) = 44/64.
    let e = rate("error_rate");
    assert_eq!(e["discordance"]["only_a"].as_u64(), Some(4));
    assert_eq!(e["discordance"]["only_b"].as_u64(), Some(2));
    assert!((e["p"].as_f64().unwrap() - 44.0 / 64.0).abs() < 1e-12);
}

#[test]
fn identification_discordance_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    // Mated searches s1–s4, non-mated s5–s8, one group; at fixed:0.5, rank 1.
    // A: s1 found (rank 1, 0.9); s2 at rank 2; s3 found (0.7); s4 mate 0.4.
    // B: s1 found; s2 found (rank 1, 0.8); s3 mate 0.3; s4 not returned.
    // Non-mates: A tops 0.6, 0.6, 0.2, 0.1; B tops 0.7, 0.1, 0.6, 0.2.
    let a = "q,mated,mate_rank,mate_score,nonmate_score,g\n\
             s1,1,1,0.9,0.1,x\ns2,1,2,0.8,0.85,x\ns3,1,1,0.7,0.2,x\ns4,1,1,0.4,0.3,x\n\
             s5,0,,,0.6,x\ns6,0,,,0.6,x\ns7,0,,,0.2,x\ns8,0,,,0.1,x\n";
    let b = "q,mated,mate_rank,mate_score,nonmate_score,g\n\
             s8,0,,,0.2,x\ns7,0,,,0.6,x\ns6,0,,,0.1,x\ns5,0,,,0.7,x\n\
             s4,1,,,0.3,x\ns3,1,1,0.3,0.2,x\ns2,1,1,0.8,0.1,x\ns1,1,1,0.9,0.1,x\n";
    std::fs::write(dir.path().join("a.csv"), a).unwrap();
    std::fs::write(dir.path().join("b.csv"), b).unwrap();
    let r = compare(
        dir.path(),
        &[
            "identify",
            "a.csv",
            "b.csv",
            "--key",
            "q",
            "--attr",
            "g",
            "--threshold",
            "fixed:0.5",
            "--rank",
            "1",
            "--rank",
            "2",
            "--bootstrap",
            "0",
        ],
    );
    let rate = |metric: &str| paired_rate(&r, "x", metric);
    let counts = |metric: &str| {
        let d = rate(metric)["discordance"].clone();
        [
            d["both"].as_u64(),
            d["only_a"].as_u64(),
            d["only_b"].as_u64(),
        ]
        .map(Option::unwrap)
    };
    // FNIR@1: A misses s2 (rank 2), s4 (0.4 < 0.5); B misses s3, s4: both s4.
    assert_eq!(counts("fnir"), [1, 1, 1]);
    // FNIR@2: A misses only s4 now; B still s3, s4.
    assert_eq!(counts("fnir@2"), [1, 0, 1]);
    // FPIR: A false-alarms on s5, s6; B on s5, s7: both s5.
    assert_eq!(counts("fpir"), [1, 1, 1]);
    // A verdict per rank asked for: two groups, FNIR at rank 2 only.
    let twice = |t: &str| {
        let mut lines = t.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for l in lines {
            out += &format!("{l}\n{}\n", l.replacen(',', "y,", 1).replace(",x", ",y"));
        }
        out
    };
    std::fs::write(dir.path().join("a2.csv"), twice(a)).unwrap();
    std::fs::write(dir.path().join("b2.csv"), twice(b)).unwrap();
    let r = compare(
        dir.path(),
        &[
            "identify",
            "a2.csv",
            "b2.csv",
            "--key",
            "q",
            "--attr",
            "g",
            "--threshold",
            "fixed:0.5",
            "--rank",
            "2",
            "--bootstrap",
            "20",
        ],
    );
    let rates: Vec<&str> = (r["paired"]["verdicts"].as_array().unwrap().iter())
        .map(|v| v["rate"].as_str().unwrap())
        .collect();
    assert_eq!(rates, ["fpir", "fnir@2"]);
    // compare identify needs two tables.
    let e = refused(dir.path(), &["identify", "a.csv", "--attr", "g"]);
    assert!(e.contains("joins two searches tables"), "{e}");
}

/// With `pdflatex` on the PATH, a compare report's standalone LaTeX (its
/// verdicts, with Δ and →, and its wide paired tables) compiles with no
/// overfull box (without it, the test says loudly that it checked nothing).
#[test]
fn compare_latex_compiles_when_pdflatex_is_present() {
    if std::process::Command::new("pdflatex")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: pdflatex is absent; the compare report's LaTeX is not compiled");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    simulated(dir.path());
    let out = biasbench()
        .current_dir(dir.path())
        .arg("compare")
        .args(ONE_TABLE)
        .args(VERIFY)
        .args(["--report", "r", "--reproducible"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let run = std::process::Command::new("pdflatex")
        .args([
            "-interaction=nonstopmode",
            "-halt-on-error",
            "report-standalone.tex",
        ])
        .current_dir(dir.path().join("r"))
        .output()
        .unwrap();
    let log = std::fs::read_to_string(dir.path().join("r/report-standalone.log")).unwrap();
    assert!(run.status.success(), "{log}");
    assert!(!log.contains("Overfull"), "{log}");
    let tex = std::fs::read_to_string(dir.path().join("r/report.tex")).unwrap();
    assert!(tex.contains("$\\Delta$"), "the verdicts come first");
}
