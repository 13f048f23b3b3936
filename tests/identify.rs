//! 1:N identification: hand-worked FPIR/FNIR/CMC and the FPIR ≈ N·FMR relation.

mod common;

use biasbench::audit::IdentifyJob;
use biasbench::identification::{IdPolicy, IdentifyOptions};
use biasbench::input::{IdentifyColumns, Table};
use common::{fails, json};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use serde_json::Value;

const SEARCHES: &str = "search_id,mated,mate_rank,mate_score,nonmate_score,race
1,1,1,0.9,0.4,A
2,1,3,0.7,0.8,A
3,1,,,0.6,A
4,0,,,0.5,A
5,0,,,0.2,A
6,1,1,0.5,0.3,B
7,0,,,0.7,B
8,0,,,,B
";

fn rate<'a>(
    j: &'a Value,
    view: usize,
    policy: usize,
    what: &str,
    rank: usize,
    group: usize,
) -> &'a Value {
    let at = &j["identify"]["views"][view]["operating_points"][policy];
    match what {
        "fpir" => &at["fpir"][group],
        _ => &at["ranks"][rank]["fnir"][group],
    }
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
    };
    let report = job
        .run(
            Table::from_reader(
                "g".into(),
                Box::new(std::io::Cursor::new(text.into_bytes())),
                None,
            )
            .unwrap(),
        )
        .unwrap();
    let fpir = &report.identify.unwrap().views[0].operating_points[0].fpir[0];
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
