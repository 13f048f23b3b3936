//! `biasbench compare`: a simulated pair of models with known per-group
//! rates (the true differences recovered), and simulations of the paired
//! tests when model B truly equals model A (intervals cover 0, tests reject
//! at their level) and when B truly narrows a gap (power, reported).

use biasbench::app::audit::VerifyJob;
use biasbench::app::compare::{CompareJob, Task};
use biasbench::app::simulate::{GroupSpec, Population};
use biasbench::bootstrap::BootstrapSpec;
use biasbench::counts::threshold::Policy;
use biasbench::engine::verify::VerifyOptions;
use biasbench::input::VerifyColumns;
use biasbench::math::interval::CiSpec;
use biasbench::progress::NoProgress;
use biasbench::report::paired::{Change, Paired};
use std::sync::Arc;

/// Two groups X and Y; model A's (mated, non-mated) means first, then model B's.
fn population(seed: u64, x: [f64; 4], y: [f64; 4], subjects: usize) -> Population {
    groups(seed, &[("X", x), ("Y", y)], subjects)
}

/// Groups of attribute `g`, each with model A's (mated, non-mated) means, then model B's.
fn groups(seed: u64, means: &[(&str, [f64; 4])], subjects: usize) -> Population {
    let group = |&(name, m): &(&str, [f64; 4])| GroupSpec {
        attrs: vec![("g".into(), name.into())],
        mated_mean: m[0],
        nonmated_mean: m[1],
        model_b: Some((m[2], m[3])),
    };
    Population {
        groups: means.iter().map(group).collect(),
        subjects_per_group: subjects,
        mated_per_subject: 1,
        nonmated_per_group: 10 * subjects,
        cross_nonmated: 0,
        mated_sd: 1.0,
        nonmated_sd: 1.0,
        subject_share: 0.5,
        cross_shift: 0.0,
        model_correlation: 0.7,
        seed,
    }
}

/// The paired section of `compare verify` at `fixed:2.5` on the population.
fn compare(p: &Population, replicates: Option<usize>) -> Paired {
    compare_at(p, replicates, 0.95)
}

/// [`compare`] with intervals at `level`.
fn compare_at(p: &Population, replicates: Option<usize>, level: f64) -> Paired {
    let file = tempfile::NamedTempFile::new().unwrap();
    p.write_csv(std::fs::File::create(file.path()).unwrap())
        .unwrap();
    let job = CompareJob {
        task: Task::Verify(VerifyJob {
            columns: VerifyColumns {
                attrs: vec!["g".into()],
                ..Default::default()
            },
            options: VerifyOptions {
                policies: vec![Policy::parse("fixed:2.5").unwrap()],
                ci: CiSpec {
                    level,
                    ..Default::default()
                },
                ..Default::default()
            },
            command: vec![],
            reproducible: true,
            bootstrap: None,
        }),
        columns: ["score".into(), "score_b".into()],
        join: None,
        names: ["A".into(), "B".into()],
        bootstrap: replicates.map(|replicates| BootstrapSpec {
            replicates,
            seed: 5,
            level,
            rows: false,
            compare: None,
        }),
    };
    let report = job.run_file(file.path(), Arc::new(NoProgress)).unwrap();
    report
        .paired
        .expect("a compare report has its paired section")
}

/// Φ, the standard normal distribution function.
fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// True FNMR and FMR at τ = 2.5 of means (mated, non-mated), unit spread.
fn truth(mated: f64, nonmated: f64) -> [f64; 2] {
    [phi(2.5 - mated), 1.0 - phi(2.5 - nonmated)]
}

#[test]
fn the_true_differences_are_recovered() {
    // RFW's four groups (as in OCFR-style comparisons of a baseline and a
    // debiased model): model A's FNMR at τ = 2.5 runs from Φ(−2.5) = 0.006
    // (Caucasian) to Φ(−1.5) = 0.067 (African), its FMR from Q(2.5) = 0.006
    // to Q(1.7) = 0.045; model B halves every group's gap to Caucasian.
    // 16 intervals at 99.9 %: all cover their true Δ but by a 1.6 % chance.
    let means = [
        ("Caucasian", [5.0, 0.0, 5.0, 0.0]),
        ("Indian", [4.6, 0.3, 4.8, 0.15]),
        ("Asian", [4.3, 0.5, 4.65, 0.25]),
        ("African", [4.0, 0.8, 4.5, 0.4]),
    ];
    let p = compare_at(&groups(11, &means, 3000), Some(400), 0.999);
    for (group, m) in means {
        let (a, b) = (truth(m[0], m[1]), truth(m[2], m[3]));
        for (k, metric) in ["fnmr", "fmr"].iter().enumerate() {
            let r = (p.rates.iter())
                .find(|r| r.key.group == group && r.key.metric == *metric)
                .unwrap();
            let (lo, hi) = r.ci.unwrap();
            let delta = b[k] - a[k];
            assert!(
                lo <= delta && delta <= hi,
                "{group} {metric}: true Δ {delta} outside [{lo}, {hi}]"
            );
            let (blo, bhi) = r.bootstrap_ci.unwrap();
            assert!(blo <= delta && delta <= bhi, "{group} {metric} bootstrap");
        }
    }
    // The gaps narrow for both rates, and the verdicts say so.
    assert_eq!(p.verdicts.len(), 2);
    for v in &p.verdicts {
        assert_eq!(v.change, Change::Narrows, "{:?}", v.summary);
    }
}

#[test]
fn identical_models_show_no_difference() {
    // B's means equal A's: the true Δ of every rate and summary is 0.
    let m = [[4.0, 0.0, 4.0, 0.0], [3.5, 0.5, 3.5, 0.5]];
    let reps = 200;
    let (mut covered, mut rejected, mut tests) = (0, 0, 0);
    for seed in 0..reps {
        let p = compare(&population(1000 + seed, m[0], m[1], 200), None);
        for r in p.rates.iter().filter(|r| r.key.group != "*") {
            let (lo, hi) = r.ci.unwrap();
            covered += usize::from(lo <= 0.0 && 0.0 <= hi);
            rejected += usize::from(r.p.unwrap() < 0.05);
            tests += 1;
        }
    }
    let coverage = covered as f64 / tests as f64;
    let size = rejected as f64 / tests as f64;
    eprintln!(
        "B = A: Newcombe coverage of 0 {coverage:.3}, McNemar size {size:.3} ({tests} tests)"
    );
    assert!(coverage >= 0.93, "coverage {coverage}");
    assert!(size <= 0.06, "size {size}");
}

#[test]
fn identical_models_rarely_get_a_verdict_and_a_real_narrowing_usually_does() {
    // The paired bootstrap's verdicts (Holm over FMR and FNMR): family-wise
    // error under B = A, power when B truly narrows the FNMR gap.
    let same = [[4.0, 0.0, 4.0, 0.0], [3.5, 0.5, 3.5, 0.5]];
    let closed = [[4.0, 0.0, 4.0, 0.0], [3.5, 0.5, 4.0, 0.5]];
    let reps = 60;
    let share = |m: [[f64; 4]; 2], counts: fn(&Paired) -> bool| {
        (0..reps)
            .filter(|&seed| {
                counts(&compare(
                    &population(5000 + seed, m[0], m[1], 1000),
                    Some(199),
                ))
            })
            .count() as f64
            / reps as f64
    };
    let false_verdicts = share(same, |p| {
        (p.verdicts.iter()).any(|v| matches!(v.change, Change::Narrows | Change::Widens))
    });
    let power = share(closed, |p| {
        (p.verdicts.iter()).any(|v| v.rate == "fnmr" && v.change == Change::Narrows)
    });
    eprintln!("paired bootstrap verdicts: family-wise error {false_verdicts:.3} under B = A; power {power:.3} when B closes a 0.5 σ FNMR gap");
    assert!(false_verdicts <= 0.12, "family-wise error {false_verdicts}");
    assert!(power >= 0.7, "power {power}");
}
