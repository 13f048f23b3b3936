//! 1:N identification: hand-worked FPIR/FNIR/CMC and the FPIR ≈ N·FMR relation.

mod common;

use biasbench::app::audit::IdentifyJob;
use biasbench::engine::identify::{IdPolicy, IdentifyOptions};
use biasbench::input::{IdentifyColumns, Table};
use common::{fails, json};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use serde_json::Value;

use common::SEARCHES;

fn rate<'a>(
    j: &'a Value,
    view: usize,
    policy: usize,
    what: &str,
    rank: usize,
    group: usize,
) -> &'a Value {
    // v2: the columns are fpir, then one FNIR column per rank.
    let at = &j["identify"]["views"][view]["operating_points"][policy];
    let column = if what == "fpir" { 0 } else { 1 + rank };
    &at["rates"][column]["by_group"][group]
}

#[test]
fn hand_worked_searches() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    std::fs::write(&f, SEARCHES).unwrap();
    let j = json(
        "identify",
        &f,
        &[
            "--attr",
            "race",
            "--threshold",
            "fixed:0.55",
            "--threshold",
            "investigative",
            "--rank",
            "1",
            "--rank",
            "5",
        ],
    );
    // Pooled, T = 0.55: mates 0.9@1 hit, 0.7@3 miss at rank 1, not returned, 0.5@1 below T → FNIR 3/4;
    // at rank ≤ 5 the 0.7@3 mate is found → 2/4. Non-mated tops 0.5, 0.2, 0.7, none → FPIR 1/4.
    assert_eq!(rate(&j, 0, 0, "fnir", 0, 0)["value"], 0.75);
    assert_eq!(rate(&j, 0, 0, "fnir", 1, 0)["value"], 0.5);
    assert_eq!(rate(&j, 0, 0, "fpir", 0, 0)["value"], 0.25);
    // Investigative: any returned candidate counts (search 8 returned none) → FPIR 3/4;
    // FNIR at rank 1 misses the rank-3 mate and the unreturned one → 2/4.
    assert_eq!(rate(&j, 0, 1, "fpir", 0, 0)["value"], 0.75);
    assert_eq!(rate(&j, 0, 1, "fnir", 0, 0)["value"], 0.5);
    // By race: B's only mate scores 0.5 < 0.55 → FNIR 1/1; A's non-mates 0.5, 0.2 → FPIR 0/2.
    assert_eq!(rate(&j, 1, 0, "fnir", 0, 1)["value"], 1.0);
    assert_eq!(rate(&j, 1, 0, "fpir", 0, 0)["value"], 0.0);
    let v = &j["identify"]["views"][0];
    assert_eq!(v["rank1"][0]["value"], 0.5);
    assert_eq!(v["cmc"][0][2]["value"], 0.75);
    assert_eq!(
        j["identify"]["operating_points"][1]["threshold"],
        Value::Null
    );
}

#[test]
fn a_ranked_non_mated_search_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    std::fs::write(
        &f,
        "mated,mate_rank,mate_score,nonmate_score\n1,1,0.9,0.1\n0,2,0.5,0.4\n",
    )
    .unwrap();
    let err = fails("identify", &f, &[]);
    assert!(
        err.contains(
            "s.csv:3: column 'mate_rank', value \"2\": a non-mated search has no mate to rank"
        ),
        "{err}"
    );
}

/// Non-mated searches against a gallery of N subjects with independent N(0, 1)
/// impostor scores: FPIR(T) = 1 − (1 − FMR(T))^N ≈ N·FMR(T) when N·FMR is small.
#[test]
fn fpir_follows_n_times_fmr_on_a_synthetic_gallery() {
    let (gallery, searches, tau) = (200usize, 20_000usize, 4.0f64);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8280);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut text = String::from("mated,mate_rank,mate_score,nonmate_score\n");
    for _ in 0..searches {
        let top = (0..gallery)
            .map(|_| normal.sample(&mut rng))
            .fold(f64::NEG_INFINITY, f64::max);
        text.push_str(&format!("0,,,{top}\n"));
    }
    let job = IdentifyJob {
        columns: IdentifyColumns::default(),
        options: IdentifyOptions {
            policies: vec![IdPolicy::parse(&format!("fixed:{tau}")).unwrap()],
            ..Default::default()
        },
        command: vec![],
        reproducible: true,
        bootstrap: None,
        candidate_lists: None,
    };
    let report = job
        .run(
            Table::from_reader(
                "g".into(),
                Box::new(std::io::Cursor::new(text.into_bytes())),
                Default::default(),
            )
            .unwrap(),
        )
        .unwrap();
    let fpir = &report.identify().unwrap().views[0].operating_points[0].rates[0].by_group[0];
    let fmr = 0.5 * libm::erfc(tau / std::f64::consts::SQRT_2); // Q(4) = 3.167e-5
    let exact = 1.0 - (1.0 - fmr).powi(gallery as i32);
    let approx = gallery as f64 * fmr;
    assert!(
        (exact / approx - 1.0).abs() < 0.01,
        "N·FMR = {approx} vs {exact}"
    );
    let se = (exact * (1.0 - exact) / searches as f64).sqrt();
    assert!(
        (fpir.value - approx).abs() < 4.0 * se,
        "FPIR {} vs N·FMR {approx} (se {se})",
        fpir.value
    );
}

/// The same searches as candidate lists and as one row per search (derived
/// here, independently of biasbench) give identical results.
#[test]
fn candidate_lists_and_search_rows_agree() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let gallery: Vec<String> = (0..30).map(|i| format!("S{i}")).collect();
    let mut searches = String::from("search_id,probe,mated,race\n");
    let mut candidates = String::from("search_id,rank,candidate,score\n");
    let mut rows = String::from("search_id,mated,mate_rank,mate_score,nonmate_score,race\n");
    for s in 0..400 {
        let mated = s % 3 != 0;
        let probe = if mated {
            format!("S{}", s % 30)
        } else {
            format!("X{s}")
        };
        let race = ["A", "B"][s % 2];
        let mut scored: Vec<(f64, &String)> = gallery
            .iter()
            .map(|g| {
                (
                    normal.sample(&mut rng) + if *g == probe { 2.5 } else { 0.0 },
                    g,
                )
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(5);
        searches.push_str(&format!("q{s},{probe},{},{race}\n", mated as u8));
        let (mut mate_rank, mut mate_score, mut top) =
            (String::new(), String::new(), String::new());
        for (k, (score, cand)) in scored.iter().enumerate() {
            candidates.push_str(&format!("q{s},{},{cand},{score}\n", k + 1));
            if **cand == probe {
                (mate_rank, mate_score) = ((k + 1).to_string(), score.to_string());
            } else if top.is_empty() {
                top = score.to_string();
            }
        }
        rows.push_str(&format!(
            "q{s},{},{mate_rank},{mate_score},{top},{race}\n",
            mated as u8
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let (sp, cp, rp) = (
        write("searches.csv", &searches),
        write("candidates.csv", &candidates),
        write("rows.csv", &rows),
    );
    let args = [
        "--attr",
        "race",
        "--threshold",
        "fixed:1.5",
        "--threshold",
        "investigative",
        "--rank",
        "1",
        "--rank",
        "5",
        "--format",
        "csv",
    ];
    let from_rows = common::ok("identify", &rp, &args);
    let from_lists = common::ok(
        "identify",
        &cp,
        &[&["--searches", sp.to_str().unwrap()][..], &args].concat(),
    );
    let results = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with("identify,rows,") && !l.starts_with("identify,provenance,"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(results(&from_rows), results(&from_lists));
    assert!(
        from_lists.contains("identify,rows,read,none,,rows,2400,"),
        "400 searches + 2000 candidates"
    );
    // A rank listed twice in a search is an error naming the search.
    let dup = write(
        "dup.csv",
        "search_id,rank,candidate,score\nq1,1,S1,0.9\nq1,1,S2,0.8\n",
    );
    let err = fails("identify", &dup, &["--searches", sp.to_str().unwrap()]);
    assert!(err.contains("search q1 lists rank 1 twice"), "{err}");
    let twice = write(
        "twice.csv",
        "search_id,rank,candidate,score\nq1,1,S1,0.9\nq1,2,S1,0.8\n",
    );
    let err = fails("identify", &twice, &["--searches", sp.to_str().unwrap()]);
    assert!(
        err.contains(
            "twice.csv:3: column 'candidate', value \"S1\": search q1 lists its mate twice"
        ),
        "{err}"
    );
}

/// The demographic make-up of false candidates, from candidate attributes in
/// the subjects table (hand-worked).
#[test]
fn share_of_false_candidates_from_the_probe_group() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let subjects = write(
        "subjects.csv",
        "subject_id,race\nP1,A\nP2,B\nS1,A\nS2,B\nS3,A\n",
    );
    let searches = write("searches.csv", "search_id,probe,mated\nq1,P1,0\nq2,P2,0\n");
    let candidates = write("candidates.csv", "search_id,rank,candidate,score\nq1,1,S1,0.9\nq1,2,S2,0.8\nq1,3,S3,0.4\nq2,1,S2,0.7\nq2,2,S1,0.6\n");
    let j = json(
        "identify",
        &candidates,
        &[
            "--searches",
            searches.to_str().unwrap(),
            "--subjects",
            subjects.to_str().unwrap(),
            "--attr",
            "race",
        ]
        .into_iter()
        .chain([
            "--threshold",
            "fixed:0.5",
            "--threshold",
            "fixed:0.75",
            "--threshold",
            "investigative",
        ])
        .collect::<Vec<_>>(),
    );
    let share = |policy: usize, group: usize| {
        j["identify"]["views"][1]["operating_points"][policy]["false_candidates_same_group"][group]
            .clone()
    };
    // T = 0.5: q1 (A) has S1 (A), S2 (B) → 1/2; q2 (B) has S2 (B), S1 (A) → 1/2.
    assert_eq!(
        (share(0, 0)["events"].clone(), share(0, 0)["trials"].clone()),
        (Value::from(1.0), Value::from(2.0))
    );
    assert_eq!(share(0, 1)["value"], 0.5);
    // T = 0.75: B has no false candidate left: undefined, with its reason.
    assert!(share(1, 1)["value"].is_null());
    assert_eq!(share(1, 1)["reason"], "0 trials");
    // Investigative: all of q1's candidates count: S1, S3 of 3 are A → 2/3.
    assert_eq!(share(2, 0)["events"], 2.0);
    assert_eq!(share(2, 0)["trials"], 3.0);
    // FPIR at 0.75: q1 (0.9) yes, q2 (0.7) no.
    assert_eq!(
        j["identify"]["views"][0]["operating_points"][1]["rates"][0]["by_group"][0]["value"],
        0.5
    );
}

/// `identify --bootstrap` resamples searches: every FPIR and FNIR gets a
/// percentile interval in the CSV, the same whatever the thread count.
#[test]
fn search_bootstrap_is_reproducible_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    std::fs::write(&f, SEARCHES).unwrap();
    let args = [
        "--attr",
        "race",
        "--threshold",
        "fixed:0.5",
        "--bootstrap",
        "40",
        "--seed",
        "5",
        "--reproducible",
        "--format",
        "csv",
    ];
    let run = |threads: &str| {
        let out = common::biasbench()
            .env("RAYON_NUM_THREADS", threads)
            .arg("identify")
            .arg(&f)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let fpir = one
        .lines()
        .find(|l| l.starts_with("identify,race,") && l.contains(",fpir,"))
        .unwrap();
    let cells: Vec<&str> = fpir.split(',').collect();
    let (low, high): (f64, f64) = (cells[7].parse().unwrap(), cells[8].parse().unwrap());
    assert!(low <= high && (0.0..=1.0).contains(&low), "{fpir}");
    let j = json("identify", &f, &args[..8]);
    assert_eq!(j["bootstrap"]["unit"], "row");
    assert_eq!(j["bootstrap"]["replicates"], 40);
}

/// The CMC runs to the longest candidate list (at most rank 50), not only to
/// the highest rank at which a mate was found: 12 mated searches with lists of
/// `len` candidates and mates at ranks 1, 2 or 3 (4 each).
#[test]
fn cmc_runs_to_the_longest_list_at_most_rank_50() {
    let dir = tempfile::tempdir().unwrap();
    let run = |len: usize| {
        let mut searches = String::from("search_id,probe,mated,race\n");
        let mut candidates = String::from("search_id,rank,candidate,score\n");
        for s in 0..12 {
            let mate = 1 + s % 3;
            searches.push_str(&format!("q{s},P{s},1,{}\n", ["A", "B"][s % 2]));
            for rank in 1..=len {
                let who = if rank == mate {
                    format!("P{s}")
                } else {
                    format!("N{s}x{rank}")
                };
                let score = 1.0 - rank as f64 / 100.0;
                candidates.push_str(&format!("q{s},{rank},{who},{score}\n"));
            }
        }
        let (sp, cp) = (dir.path().join("s.csv"), dir.path().join("c.csv"));
        std::fs::write(&sp, searches).unwrap();
        std::fs::write(&cp, candidates).unwrap();
        json(
            "identify",
            &cp,
            &["--searches", sp.to_str().unwrap(), "--attr", "race"],
        )
    };
    for (len, ranks) in [(10, 10), (60, 50)] {
        let j = run(len);
        for view in 0..2 {
            let v = &j["identify"]["views"][view];
            assert_eq!(v["cmc_ranks"], ranks, "lists of {len}");
            let cmc = v["cmc"][0].as_array().unwrap();
            assert_eq!(cmc.len(), ranks);
            // Ranks 1, 2, 3 find 1/3, 2/3, all; from rank 3 on the CMC is 1.
            let at = |r: usize| cmc[r - 1]["value"].as_f64().unwrap();
            assert!((at(1) - 1.0 / 3.0).abs() < 1e-15 && (at(2) - 2.0 / 3.0).abs() < 1e-15);
            assert!((3..=ranks).all(|r| at(r) == 1.0));
        }
    }
}
