//! Simulations with a fixed seed: the default (simultaneous) intervals of
//! disparity summaries cover the true summary at ≥ 93 % when groups are
//! equal, nearly equal and clearly different, with and without subject
//! clustering — where a bootstrap percentile interval covers "no disparity"
//! never (issue 13: 0 of 200 at equal groups), since the true value sits at
//! the edge of the statistic's range.
//!
//! Verification model (as tests/coverage_cluster.rs), per group g of m
//! subjects at threshold τ = 1.6: mated comparisons score 2.9 + u_s + e
//! (FNMR = Φ(−1.3) in every group), non-mated pairs μ_g + w_s + w_t + e with
//! μ_g = τ − Φ⁻¹(1 − FMR_g), u ~ N(0, ρ), w ~ N(0, ρ/2), e ~ N(0, 1 − ρ).
//! "Clustered": ρ = 0.4 with subject ids (cluster-robust per-group
//! intervals); "independent": ρ = 0 without subject ids.
//!
//! Classification: per group n items, each predicted positive with
//! probability SR_g (demographic parity difference = |SR_1 − SR_2|);
//! clustered, each subject's items with a probability of its own, drawn
//! around SR_g, with subject ids (cluster-robust per-group intervals).

use biasbench::counts::threshold::Policy;
use biasbench::engine::classify::{self, ClassifyOptions};
use biasbench::engine::verify::{self, VerifyOptions};
use biasbench::input::Labelled;
use biasbench::stats::disparity::Summary;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution};

#[path = "support/clustered.rs"]
mod clustered;
use clustered::{dataset, TAU, TRUE_FNMR};

/// (FMR_g, μ_g = 1.6 − Φ⁻¹(1 − FMR_g)) by Python's statistics.NormalDist.
const FMR_5: (f64, f64) = (0.05, -0.044_853_626_951_471_44);
const FMR_5_5: (f64, f64) = (0.055, 0.001_806_860_077_183_225_5);
const FMR_10: (f64, f64) = (0.10, 0.318_448_434_455_399_3);

fn covers(s: &Summary, truth: f64) -> bool {
    let (lo, hi) = s
        .interval
        .as_ref()
        .and_then(|i| i.bounds())
        .unwrap_or_else(|| panic!("{} has no interval", s.metric));
    lo <= truth * (1.0 + 1e-12) && truth <= hi * (1.0 + 1e-12)
}

/// Coverage of [FMR and FNMR per group, fmr.max_minus_min,
/// fmr.max_over_geomean, fmr.gini, fdr] over `datasets` data sets.
fn verify_coverage(seed: u64, datasets: usize, rho: f64, fmr: [(f64, f64); 2]) -> [f64; 5] {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let opts = VerifyOptions {
        policies: vec![Policy::parse(&format!("fixed:{TAU}")).unwrap()],
        ..Default::default()
    };
    let (p, q) = (fmr[0].0, fmr[1].0);
    let truths = [
        ("fmr.max_minus_min", (p - q).abs()),
        ("fmr.max_over_geomean", p.max(q) / (p * q).sqrt()),
        ("fmr.gini", (p - q).abs() / (p + q)),
        // FDR = 1 − (α|ΔFMR| + (1 − α)|ΔFNMR|), α = 0.5, equal FNMR.
        ("fdr", 1.0 - 0.5 * (p - q).abs()),
    ];
    let (mut hits, mut rates, mut rate_hits) = ([0usize; 4], 0usize, 0usize);
    for _ in 0..datasets {
        let c = dataset(&mut rng, (80, 8), rho, [fmr[0].1, fmr[1].1], rho > 0.0);
        let result = verify::audit(&c, &opts).unwrap();
        let at = &result.view("g").unwrap().operating_points[0];
        for (metric, truth) in [("fmr", [p, q]), ("fnmr", [TRUE_FNMR; 2])] {
            for (r, t) in at.rate(metric).unwrap().by_group.iter().zip(truth) {
                assert_eq!(r.design_effect.is_some(), rho > 0.0);
                let ci = r.ci.unwrap();
                rates += 1;
                rate_hits += (ci.low <= t && t <= ci.high) as usize;
            }
        }
        for (k, (metric, truth)) in truths.iter().enumerate() {
            let s = at.summaries().find(|s| s.metric == *metric).unwrap();
            hits[k] += covers(s, *truth) as usize;
        }
    }
    let share = |h: usize| h as f64 / datasets as f64;
    [
        rate_hits as f64 / rates as f64,
        share(hits[0]),
        share(hits[1]),
        share(hits[2]),
        share(hits[3]),
    ]
}

/// Coverage of the per-group selection rates and of the demographic parity
/// difference over `datasets` data sets of `m` subjects × `k` items per group
/// with selection rates `sr`. Clustered (`phi` given): a subject's items are
/// predicted positive with its own probability p_s ~ Beta(SR·φ, (1−SR)·φ)
/// (mean SR, intra-subject correlation 1/(φ+1)), and the subject ids are
/// given; else every item is independent and no subject ids are given.
fn parity_coverage(
    seed: u64,
    datasets: usize,
    (m, k): (usize, usize),
    phi: Option<f64>,
    sr: [f64; 2],
) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let opts = ClassifyOptions {
        true_positive: vec!["yes".into()],
        ..Default::default()
    };
    let (mut rate_hits, mut hits) = (0, 0);
    for _ in 0..datasets {
        let (mut truth, mut pred, mut group, mut subject) = (vec![], vec![], vec![], vec![]);
        for (g, &s) in sr.iter().enumerate() {
            for subj in 0..m {
                let p = match phi {
                    Some(phi) => Beta::new(s * phi, (1.0 - s) * phi)
                        .unwrap()
                        .sample(&mut rng),
                    None => s,
                };
                for _ in 0..k {
                    truth.push(if rng.random_bool(0.5) { "yes" } else { "no" });
                    pred.push(if rng.random_bool(p) { "yes" } else { "no" });
                    group.push(if g == 0 { "x" } else { "y" });
                    subject.push(format!("{g}-{subj}"));
                }
            }
        }
        let mut b = Labelled::builder()
            .truth(&truth)
            .pred(&pred)
            .attribute("g", &group);
        if phi.is_some() {
            b = b.subjects(&subject);
        }
        let l = b.build().unwrap();
        let d = opts.positives().decide(&l).unwrap();
        let result = classify::audit(&l, &d, &opts).unwrap();
        let view = result
            .views
            .iter()
            .find(|v| v.attribute.to_string() == "g")
            .unwrap();
        for (name, truth) in [("x", sr[0]), ("y", sr[1])] {
            let ci = view.rate(0, "selection_rate", name).unwrap().ci.unwrap();
            rate_hits += (ci.low <= truth && truth <= ci.high) as usize;
        }
        let dp = view.operating_points[0]
            .extra
            .parity
            .iter()
            .find(|s| s.metric == "demographic_parity_difference")
            .unwrap();
        hits += covers(dp, (sr[0] - sr[1]).abs()) as usize;
    }
    (
        rate_hits as f64 / (2 * datasets) as f64,
        hits as f64 / datasets as f64,
    )
}

const REGIMES: [(&str, [(f64, f64); 2]); 3] = [
    ("equal", [FMR_5, FMR_5]),
    ("nearly equal", [FMR_5, FMR_5_5]),
    ("clearly different", [FMR_5, FMR_10]),
];

#[test]
fn simultaneous_summary_intervals_cover_in_every_regime() {
    // 120 data sets per cell: a coverage of 0.95 has a standard error of 2 %;
    // the box intervals are conservative (coverage near 1), so 0.93 holds with room.
    for (clustering, rho) in [("independent", 0.0), ("clustered", 0.4)] {
        for (regime, fmr) in REGIMES {
            let c = verify_coverage(13, 120, rho, fmr);
            eprintln!(
                "verify {clustering:11} {regime:17}: per-group rates {:.3}, max−min {:.3}, max/geomean {:.3}, Gini {:.3}, FDR {:.3}",
                c[0], c[1], c[2], c[3], c[4]
            );
            for (what, x) in ["rates", "max−min", "max/geomean", "Gini", "FDR"]
                .iter()
                .zip(c)
            {
                assert!(x >= 0.93, "{clustering} {regime}: {what} coverage {x}");
            }
        }
    }
}

#[test]
fn demographic_parity_interval_covers_in_every_regime() {
    // Independent: 1,000 items per group; clustered: 100 subjects × 10
    // items per group, intra-subject correlation 1/(4+1) = 0.2.
    for (clustering, size, phi) in [
        ("independent", (1000, 1), None),
        ("clustered", (100, 10), Some(4.0)),
    ] {
        for (regime, sr) in [
            ("equal", [0.3, 0.3]),
            ("nearly equal", [0.3, 0.32]),
            ("clearly different", [0.3, 0.4]),
        ] {
            let (rates, dp) = parity_coverage(13, 300, size, phi, sr);
            eprintln!(
                "classify {clustering:11} {regime:17}: selection rates {rates:.3}, demographic parity difference {dp:.3}"
            );
            assert!(
                rates >= 0.93,
                "{clustering} {regime}: selection rate coverage {rates}"
            );
            assert!(dp >= 0.93, "{clustering} {regime}: coverage {dp}");
        }
    }
}
