//! Simulations with a fixed seed: 95% intervals cover a known truth 95% ± 2%
//! of the time, and a row bootstrap under-covers when comparisons share
//! subjects (so resampling subjects, the default, matters).

use biasbench::app::audit::VerifyJob;
use biasbench::app::simulate::{GroupSpec, Population};
use biasbench::bootstrap::BootstrapSpec;
use biasbench::counts::threshold::Policy;
use biasbench::engine::verify::VerifyOptions;
use biasbench::input::{Table, VerifyColumns};
use biasbench::math::interval::{interval, CiSpec, Method};
use rand::{Rng, SeedableRng};

#[test]
fn binomial_intervals_cover_at_their_level() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    for (n, p) in [(400u32, 0.05), (2000, 0.01), (150, 0.3)] {
        for method in [Method::Wilson, Method::ClopperPearson, Method::Jeffreys] {
            let trials = 4000;
            let covered = (0..trials)
                .filter(|_| {
                    let k = (0..n).filter(|_| rng.random_bool(p)).count() as f64;
                    let ci = interval(
                        k,
                        n as f64,
                        CiSpec {
                            method,
                            level: 0.95,
                        },
                    )
                    .unwrap();
                    ci.low <= p && p <= ci.high
                })
                .count();
            let rate = covered as f64 / trials as f64;
            assert!(
                (rate - 0.95).abs() <= 0.02,
                "{method:?} n={n} p={p}: coverage {rate}"
            );
        }
    }
}

/// One group whose mated scores carry a strong per-subject effect.
fn clustered(seed: u64) -> Population {
    Population {
        groups: vec![GroupSpec {
            attrs: vec![("g".into(), "x".into())],
            mated_mean: 4.2,
            nonmated_mean: 0.0,
            model_b: None,
        }],
        subjects_per_group: 300,
        mated_per_subject: 4,
        nonmated_per_group: 60,
        cross_nonmated: 0,
        mated_sd: 2.0,
        nonmated_sd: 1.0,
        subject_share: 0.9,
        cross_shift: 0.0,
        model_correlation: 0.0,
        seed,
    }
}

/// Share of data sets whose 95% bootstrap interval of FNMR at τ = 2 covers
/// the truth Φ((2 − 4.2)/2). 1000 replicates: with 200, percentile intervals
/// under-cover by about 2 points even without clustering (seen in development).
fn bootstrap_coverage(rows: bool) -> f64 {
    // 300 data sets: the coverage estimate has a standard error of about 1.3%.
    let datasets: u64 = 300;
    let covered = (0..datasets)
        .filter(|&d| {
            let p = clustered(10_000 + d);
            let truth = p.expected_fnmr(0, 2.0);
            let mut bytes = Vec::new();
            p.write_csv(&mut bytes).unwrap();
            let job = VerifyJob {
                columns: VerifyColumns::default(),
                options: VerifyOptions {
                    policies: vec![Policy::parse("fixed:2").unwrap()],
                    ..Default::default()
                },
                command: vec![],
                reproducible: true,
                bootstrap: Some(BootstrapSpec {
                    replicates: 1000,
                    seed: d,
                    level: 0.95,
                    rows,
                    compare: None,
                }),
            };
            let table = Table::from_reader(
                "sim".into(),
                Box::new(std::io::Cursor::new(bytes)),
                Default::default(),
            )
            .unwrap();
            let report = job.run(table).unwrap();
            let b = report.bootstrap.unwrap();
            assert_eq!(b.unit.name(), if rows { "row" } else { "subject" });
            let i = b
                .intervals
                .iter()
                .find(|i| i.key.attribute.is_pooled() && i.key.metric == "fnmr")
                .unwrap();
            i.low <= truth && truth <= i.high
        })
        .count();
    covered as f64 / datasets as f64
}

#[test]
fn subject_bootstrap_covers_and_row_bootstrap_does_not() {
    let subjects = bootstrap_coverage(false);
    let rows = bootstrap_coverage(true);
    eprintln!("coverage: subjects {subjects}, rows {rows}");
    assert!(
        (subjects - 0.95).abs() <= 0.03,
        "subject bootstrap coverage {subjects}"
    );
    assert!(
        rows < 0.85,
        "row bootstrap coverage {rows} should fall well short of 95%"
    );
}

/// The 1:N bootstrap (searches resampled) covers a known FPIR and FNIR:
/// 200 data sets of 300 searches per group, B = 200, 95% percentile intervals.
#[test]
fn identify_search_bootstrap_covers_known_rates() {
    use biasbench::bootstrap::bootstrap;
    use biasbench::engine::identify::{IdPolicy, IdentifyOptions, Resampler};
    use biasbench::input::Searches;
    use biasbench::value::Flatten;
    let (p_fp, p_miss) = (0.2, 0.1);
    let opts = IdentifyOptions {
        policies: vec![IdPolicy::parse("fixed:0.5").unwrap()],
        ..Default::default()
    };
    let spec = |seed| BootstrapSpec {
        replicates: 200,
        seed,
        level: 0.95,
        rows: true,
        compare: None,
    };
    let (mut fp_covered, mut fn_covered, sets) = (0, 0, 200);
    for set in 0..sets {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7000 + set);
        let n = 600;
        let mated: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
        // Mated: the mate at rank 1 scores 0.9, or is missed (not returned).
        let hit: Vec<bool> = (0..n).map(|_| !rng.random_bool(p_miss)).collect();
        let rank: Vec<u32> = (0..n).map(|i| (mated[i] && hit[i]) as u32).collect();
        let mate: Vec<f64> = (0..n)
            .map(|i| if rank[i] == 1 { 0.9 } else { f64::NAN })
            .collect();
        // Non-mated: the top non-mate scores 0.7 (a false positive) or 0.1.
        let top: Vec<f64> = (0..n)
            .map(|_| if rng.random_bool(p_fp) { 0.7 } else { 0.1 })
            .collect();
        let top: Vec<f64> = (0..n)
            .map(|i| if mated[i] { f64::NAN } else { top[i] })
            .collect();
        let s = Searches::builder()
            .mated(&mated)
            .mate_rank(&rank)
            .mate_score(&mate)
            .nonmate_score(&top)
            .build()
            .unwrap();
        let r = Resampler::new(&s, &opts).unwrap();
        let original = biasbench::engine::identify::audit(&s, &opts)
            .unwrap()
            .values();
        let b = bootstrap(&r, original, &spec(set)).unwrap();
        let covers = |metric: &str, truth: f64| {
            let i = b
                .intervals
                .iter()
                .find(|i| i.key.attribute.is_pooled() && i.key.metric == metric)
                .unwrap();
            (i.low <= truth && truth <= i.high) as u32
        };
        fp_covered += covers("fpir", p_fp);
        fn_covered += covers("fnir", p_miss);
    }
    for (what, c) in [("fpir", fp_covered), ("fnir", fn_covered)] {
        let rate = c as f64 / sets as f64;
        assert!(rate >= 0.91, "{what}: bootstrap coverage {rate}");
    }
}
