//! `biasbench power` against simulation: the subjects it asks for give the
//! promised power on populations from `simulate` with a per-subject effect,
//! and the command line answers and refuses as documented.

mod common;

use biasbench::app::simulate::{GroupSpec, Population};
use biasbench::stats::power::{sample_size, Clustering, Goal};
use common::biasbench;

/// Φ, from libm's erfc (not the crate's).
fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ₂(z, z; ρ) for an equicorrelated pair X = √ρ·U + √(1−ρ)·E (the
/// simulation's per-subject model): ∫ φ(u)·Φ((z − √ρ·u)/√(1−ρ))² du, by
/// Simpson's rule on [−10, 10].
fn both_below(z: f64, rho: f64) -> f64 {
    let f = |u: f64| {
        let density = (-u * u / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        density * phi((z - rho.sqrt() * u) / (1.0 - rho).sqrt()).powi(2)
    };
    let (a, n) = (-10.0, 4000);
    let h = 20.0 / n as f64;
    let inner: f64 = (1..n)
        .map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + f(-a) + inner) * h / 3.0
}

/// The ICC of the error indicators 1{score < τ} of one subject's comparisons:
/// (P(both errors) − p²) / (p(1 − p)), with z = (τ − μ)/σ and p = Φ(z).
fn indicator_icc(z: f64, rho_score: f64) -> f64 {
    let p = phi(z);
    (both_below(z, rho_score) - p * p) / (p * (1.0 - p))
}

/// Mated means at τ = 0, σ = 1 giving FNMR 0.05 and 0.10: −Φ⁻¹(p) (mpmath).
const MEAN_5: f64 = 1.644_853_626_951_472_7;
const MEAN_10: f64 = 1.281_551_565_544_600_4;
const K: usize = 5;
const RHO_SCORE: f64 = 0.5;
const DATA_SETS: u64 = 200;

#[test]
fn the_integration_of_the_test_is_right() {
    assert!((phi(-MEAN_5) - 0.05).abs() < 1e-15);
    assert!((phi(-MEAN_10) - 0.10).abs() < 1e-15);
    // mpmath quad of the same integral: 0.012189428767174909, 0.032401523218343507.
    assert!((both_below(-MEAN_5, RHO_SCORE) - 0.012_189_428_767_174_909).abs() < 1e-12);
    assert!((both_below(-MEAN_10, RHO_SCORE) - 0.032_401_523_218_343_507).abs() < 1e-12);
    // Independent scores: P(both) = p².
    assert!((both_below(-MEAN_5, 0.0) - 0.0025).abs() < 1e-12);
}

/// Per simulated data set, each group's FNMR and its cluster-robust variance
/// (the variance of the mean of the subjects' error shares), from the CSV
/// `simulate` writes.
fn simulate(subjects: usize, seed: u64) -> [(f64, f64); 2] {
    let population = Population {
        groups: [("A", MEAN_5), ("B", MEAN_10)]
            .iter()
            .map(|&(g, mean)| GroupSpec {
                attrs: vec![("g".into(), g.into())],
                mated_mean: mean,
                nonmated_mean: -3.0,
                model_b: None,
            })
            .collect(),
        subjects_per_group: subjects,
        mated_per_subject: K,
        nonmated_per_group: 0,
        cross_nonmated: 0,
        mated_sd: 1.0,
        nonmated_sd: 1.0,
        subject_share: RHO_SCORE,
        cross_shift: 0.0,
        model_correlation: 0.0,
        seed,
    };
    let mut csv = Vec::new();
    population.write_csv(&mut csv).unwrap();
    let mut reader = csv::Reader::from_reader(&csv[..]);
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (subject, score, group) = (col("subject_a"), col("score"), col("g_a"));
    // (group, subject) → errors, in the order written.
    let mut errors: Vec<(usize, String, usize)> = Vec::new();
    for r in reader.records() {
        let r = r.unwrap();
        let g = usize::from(&r[group] == "B");
        let error = usize::from(r[score].parse::<f64>().unwrap() < 0.0);
        match errors.last_mut() {
            Some((_, s, e)) if *s == r[subject] => *e += error,
            _ => errors.push((g, r[subject].to_string(), error)),
        }
    }
    assert_eq!(errors.len(), 2 * subjects);
    [0, 1].map(|g| {
        let shares: Vec<f64> = errors
            .iter()
            .filter(|e| e.0 == g)
            .map(|e| e.2 as f64 / K as f64)
            .collect();
        let m = shares.len() as f64;
        let mean = shares.iter().sum::<f64>() / m;
        let var = shares.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (m - 1.0) / m;
        (mean, var)
    })
}

/// Share of data sets in which the two-sided z test with cluster-robust
/// variances rejects equal FNMR at α = 0.05; also every data set's estimates.
fn empirical_power(subjects: usize, seed: u64) -> (f64, Vec<[(f64, f64); 2]>) {
    let sets: Vec<_> = (0..DATA_SETS)
        .map(|i| simulate(subjects, seed + i))
        .collect();
    let rejected = sets
        .iter()
        .filter(|[(p1, v1), (p2, v2)]| ((p1 - p2) / (v1 + v2).sqrt()).abs() > 1.959_963_984_540_054)
        .count();
    (rejected as f64 / DATA_SETS as f64, sets)
}

#[test]
fn the_planned_size_has_the_promised_power_on_simulated_populations() {
    // ICC of the error indicators under the score model, per group:
    // 0.203988 (p = 0.05) and 0.248906 (p = 0.10) by mpmath. One ρ serves
    // both groups: the variance-weighted mean, so that
    // (p₁q₁ + p₂q₂)·deff equals p₁q₁·deff₁ + p₂q₂·deff₂ (0.233389).
    let (icc5, icc10) = (
        indicator_icc(-MEAN_5, RHO_SCORE),
        indicator_icc(-MEAN_10, RHO_SCORE),
    );
    assert!((icc5 - 0.203_988).abs() < 1e-6 && (icc10 - 0.248_906).abs() < 1e-6);
    let (w5, w10) = (0.05 * 0.95, 0.10 * 0.90);
    let icc = (w5 * icc5 + w10 * icc10) / (w5 + w10);
    let goal = Goal::Difference {
        rate: 0.05,
        ratio: 2.0,
        alpha: 0.05,
        power: 0.8,
    };
    let plan = sample_size(goal, Clustering::new(K as u64, icc).unwrap()).unwrap();
    // 434.43 independent trials × deff 1.93355 = 840.0 trials → 168 subjects of 5.
    assert_eq!(plan.subjects_per_group, 168);
    let subjects = plan.subjects_per_group as usize;

    let (power, sets) = empirical_power(subjects, 1_000);
    eprintln!("empirical power {power} at {subjects} subjects");
    // 200 data sets: the Monte Carlo standard error at 0.8 is
    // √(0.8·0.2/200) = 0.028; ±0.08 is 2.8 of them, with room for the normal
    // approximation (≈ 42 and 84 errors per group) and the single ρ.
    assert!(
        (power - 0.8).abs() <= 0.08,
        "power {power} at {subjects} subjects"
    );

    // The data are what the model says: FNMR 0.05 and 0.10, and the spread of
    // p̂ across data sets is the design effect's (1 + 4·ICC = 1.816 and 1.996)
    // times the binomial's, within 25 % (the standard error of a variance
    // from 200 draws is 10 %).
    for (g, (p, icc)) in [(0.05, icc5), (0.10, icc10)].into_iter().enumerate() {
        let estimates: Vec<f64> = sets.iter().map(|s| s[g].0).collect();
        let mean = estimates.iter().sum::<f64>() / DATA_SETS as f64;
        let var =
            estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (DATA_SETS - 1) as f64;
        let trials = (subjects * K) as f64;
        assert!((mean - p).abs() < 0.003, "group {g}: FNMR {mean}");
        let deff = var / (p * (1.0 - p) / trials);
        let model = 1.0 + (K - 1) as f64 * icc;
        assert!(
            (deff / model - 1.0).abs() < 0.25,
            "group {g}: deff {deff} vs {model}"
        );
    }

    // Half the subjects, or the size that ignores the clustering (ρ = 0:
    // 435 trials, 87 subjects), have clearly less power (≈ 0.51 and 0.53 by
    // the formula).
    let independent = sample_size(goal, Clustering::new(K as u64, 0.0).unwrap()).unwrap();
    assert_eq!(independent.subjects_per_group, 87);
    for smaller in [subjects / 2, independent.subjects_per_group as usize] {
        let (low, _) = empirical_power(smaller, 5_000);
        eprintln!("empirical power {low} at {smaller} subjects");
        assert!(low < 0.68, "power {low} at {smaller} subjects");
    }
}

fn run(args: &[&str]) -> std::process::Output {
    biasbench().arg("power").args(args).output().unwrap()
}

#[test]
fn the_fmr_doubling_example_of_the_readme() {
    let args = ["--rate", "1e-4", "--ratio", "2", "--per-subject", "1000"];
    let out = run(&[&args[..], &["--icc", "0.001"]].concat());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // 235429.89 independent comparisons (mpmath) × deff 1.999 = 470624.4 → 471 subjects.
    for line in [
        "design effect 1 + (k-1) rho      1.999",
        "independent comparisons needed   235430",
        "subjects per group               471\n",
        "comparisons per group            471000\n",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    let out = run(&[&args[..], &["--icc", "0.001", "--json"]].concat());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["goal"], "difference");
    assert_eq!(v["subjects_per_group"], 471);
    assert_eq!(v["trials_per_group"], 471_000);
    assert_eq!(v["per_subject"], 1000);
}

#[test]
fn nonsense_is_refused_with_exit_2_naming_the_option() {
    for (args, says) in [
        (&["--rate", "0", "--ratio", "2"][..], "--rate 0"),
        (&["--rate", "-1e-4", "--ratio", "2"], "--rate -0.0001"),
        (&["--rate", "0.6", "--ratio", "2"], "--ratio 2"),
        (&["--rate", "0.1", "--ratio", "-2"], "--ratio -2"),
        (
            &["--rate", "0.1", "--ratio", "2", "--icc", "1.5"],
            "--icc 1.5",
        ),
        (
            &["--rate", "0.1", "--ratio", "2", "--icc", "-0.1"],
            "--icc -0.1",
        ),
        (
            &[
                "--rate",
                "0.1",
                "--ratio",
                "2",
                "--per-subject",
                "0",
                "--icc",
                "0",
            ],
            "--per-subject 0",
        ),
        // k > 1 without ρ would silently assume independent comparisons.
        (
            &["--rate", "0.1", "--ratio", "2", "--per-subject", "10"],
            "--per-subject 10 needs --icc",
        ),
        (&["--rate", "0.1", "--width", "0"], "--width 0"),
        (
            &["--rate", "0.1", "--relative-width", "-0.5"],
            "--relative-width -0.5",
        ),
        (
            &["--rate", "0.1", "--ratio", "2", "--width", "0.01"],
            "--width",
        ),
        (&["--rate", "0.1"], "--ratio"),
    ] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
