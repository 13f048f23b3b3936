//! Simulations with a fixed seed: the intervals of the age-estimation audit
//! (`biasbench::engine::estimate`) cover known truths at their level.
//!
//! Model: in group g, subject s has a true age t_s, and each of its images
//! is estimated at t_s + b_g + u_s + ε, u_s ~ N(0, σ_u²) shared by the
//! subject's images, ε ~ N(0, σ_ε²) per image. The error of an image is
//! e = b_g + u_s + ε ~ N(b_g, σ²), σ² = σ_u² + σ_ε², whatever t_s, so
//!
//! * MAE = E|e| = σ·√(2/π)·exp(−b²/2σ²) + b·(1 − 2Φ(−b/σ)), bias = b;
//! * at challenge 18:25 (admit when the estimate ≥ 25), with under-age true
//!   ages t ~ U[13, 18) and of-age ones t ~ U[18, 30), the false-admit rate
//!   ∫ Φ((t + b − 25)/σ) dt / 5 = σ/5 · [G((b − 7)/σ) − G((b − 12)/σ)] and
//!   the false-refusal rate ∫ Φ((25 − t − b)/σ) dt / 12 =
//!   σ/12 · [G((7 − b)/σ) − G((−5 − b)/σ)], G(x) = x·Φ(x) + φ(x) (the
//!   antiderivative of Φ).
//!
//! The constants below are these formulas evaluated with Python's
//! statistics.NormalDist; [`the_truths_match_a_large_monte_carlo`] checks
//! them against 2·10⁶ draws of the model.
//!
//! Rows of one subject are correlated (ICC of e = σ_u²/σ² = 9/13), so only
//! intervals that cluster by subject can cover: the tests of the means and
//! of the challenge also run the audit without subject ids on the same rows,
//! where the intervals treat the rows as independent and fall well short.

use biasbench::engine::estimate::{audit, AgeView, Challenge, EstimateOptions, EstimateResult};
use biasbench::input::ages::OutOfRange;
use biasbench::input::{Accounting, Ages, AttributeData, EstimateColumns, Table};
use biasbench::stats::disparity::Summary;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// σ_u and σ_ε (years): σ = √13.
const SD_SUBJECT: f64 = 3.0;
const SD_IMAGE: f64 = 2.0;

/// The error model of the MAE tests: b = 1.5, σ = √13.
const BIAS: f64 = 1.5;
/// E|e| for e ~ N(1.5, 13).
const TRUE_MAE: f64 = 3.122_239_228_776_321;
/// √(b² + σ²) = √15.25.
const TRUE_RMSE: f64 = 3.905_124_837_953_327;
/// P(|e| ≤ 5) = Φ(3.5/σ) − Φ(−6.5/σ).
const TRUE_CS5: f64 = 0.798_445_737_106_642_7;
/// E|e| for e ~ N(4, 13) (the summary test's second group when it differs).
const MAE_B4: f64 = 4.485_695_073_378_106;

/// The challenge tests: group x with b = 2, group y with b = 4, σ = √13.
const CHALLENGE_BIAS: [f64; 2] = [2.0, 4.0];
/// False-admit rates of x and y at 18:25 (under-age ages U[13, 18)).
const TRUE_FALSE_ADMIT: [f64; 2] = [0.026_623_180_408_647_92, 0.078_552_647_279_232_61];
/// False-refusal rates of x and y at 18:25 (of-age ages U[18, 30)).
const TRUE_FALSE_REFUSAL: [f64; 2] = [0.425_029_265_767_749_9, 0.283_512_562_337_469_8];

/// Whether [low, high] holds `truth` (a hair of slack for rounding).
fn holds(low: f64, high: f64, truth: f64) -> bool {
    let eps = 1e-12 * truth.abs().max(1.0);
    low - eps <= truth && truth <= high + eps
}

/// Rows of two groups `x` (code 0) and `y` (code 1) in memory, with the
/// subject ids when `subjects` (as `Ages::read` would give them: attribute
/// codes on both sides, values in byte order).
fn ages(
    truth: Vec<f64>,
    estimate: Vec<f64>,
    group: Vec<u32>,
    subject: &[u32],
    subjects: bool,
) -> Ages {
    let (subject, n_subjects) = if subjects {
        let n = subject.iter().max().map_or(0, |&m| m as usize + 1);
        (subject.to_vec(), n)
    } else {
        (Vec::new(), 0)
    };
    Ages {
        truth,
        estimate,
        weight: Vec::new(),
        subject,
        n_subjects,
        attributes: vec![AttributeData {
            name: "g".into(),
            source: "g column".into(),
            values: vec!["x".into(), "y".into()],
            side_b: group.clone(),
            side_a: group,
        }],
        accounting: Accounting::default(),
        out_of_range: OutOfRange::default(),
        inputs: Vec::new(),
    }
}

/// A simulated data set: per group and subject the true age (drawn by
/// `age`), the images (`images` per subject) and their estimates
/// t + b_g + u_s + ε with σ_u = `sd_subject` and σ² = 13 in total:
/// `sd_subject` = 0 makes every image independent.
struct Draw {
    truth: Vec<f64>,
    estimate: Vec<f64>,
    group: Vec<u32>,
    subject: Vec<u32>,
}

impl Draw {
    fn new(
        rng: &mut ChaCha8Rng,
        subjects: u32,
        images: &mut dyn FnMut(&mut ChaCha8Rng) -> usize,
        age: &mut dyn FnMut(&mut ChaCha8Rng, u32) -> f64,
        bias: [f64; 2],
        sd_subject: f64,
    ) -> Draw {
        let shared = Normal::new(0.0, sd_subject).unwrap();
        // The image noise takes what the subject's share leaves of σ² = 13.
        let total = SD_SUBJECT * SD_SUBJECT + SD_IMAGE * SD_IMAGE;
        let noise = Normal::new(0.0, (total - sd_subject * sd_subject).sqrt()).unwrap();
        let mut d = Draw {
            truth: Vec::new(),
            estimate: Vec::new(),
            group: Vec::new(),
            subject: Vec::new(),
        };
        for (g, b) in bias.iter().enumerate() {
            for s in 0..subjects {
                let t = age(rng, s);
                let u = shared.sample(rng);
                for _ in 0..images(rng) {
                    d.truth.push(t);
                    d.estimate.push(t + b + u + noise.sample(rng));
                    d.group.push(g as u32);
                    d.subject.push(g as u32 * subjects + s);
                }
            }
        }
        d
    }

    /// The audit of these rows, with or without their subject ids.
    fn audit(&self, subjects: bool, opts: &EstimateOptions) -> EstimateResult {
        let a = ages(
            self.truth.clone(),
            self.estimate.clone(),
            self.group.clone(),
            &self.subject,
            subjects,
        );
        let r = audit(&a, opts).unwrap();
        assert_eq!(r.subjects.is_some(), subjects);
        r
    }
}

fn view(r: &EstimateResult) -> &AgeView {
    r.view("g").expect("a view of attribute g")
}

fn summary<'a>(v: &'a AgeView, metric: &str) -> &'a Summary {
    v.free
        .summaries
        .iter()
        .find(|s| s.metric == metric)
        .unwrap_or_else(|| panic!("no summary {metric}"))
}

/// How many images a subject has.
type Images = fn(&mut ChaCha8Rng) -> usize;

/// Share of hits.
fn share(hits: usize, total: usize) -> f64 {
    hits as f64 / total as f64
}

/// Coverage of [MAE, bias, RMSE, cs@5] per group over `datasets` data sets
/// of 2 groups × 150 subjects, `images` images each, by the intervals with
/// subject ids and by those without (same rows).
fn mean_coverage(
    seed: u64,
    datasets: usize,
    images: &mut dyn FnMut(&mut ChaCha8Rng) -> usize,
) -> ([f64; 4], [f64; 4]) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let opts = EstimateOptions::default();
    let truths = [
        ("mae", TRUE_MAE),
        ("bias", BIAS),
        ("rmse", TRUE_RMSE),
        ("cs@5", TRUE_CS5),
    ];
    let mut hits = [[0usize; 4]; 2];
    let mut total = 0;
    for _ in 0..datasets {
        let d = Draw::new(
            &mut rng,
            150,
            images,
            &mut |rng, _| rng.random_range(5.0..80.0),
            [BIAS; 2],
            SD_SUBJECT,
        );
        for (k, subjects) in [true, false].into_iter().enumerate() {
            let r = d.audit(subjects, &opts);
            let v = view(&r);
            for (g, info) in v.groups.iter().enumerate() {
                for (j, (metric, truth)) in truths.iter().enumerate() {
                    let (low, high) = if metric.starts_with("cs@") {
                        let rate = v.rate(0, metric, &info.group).unwrap();
                        assert_eq!(rate.design_effect.is_some(), subjects);
                        let ci = rate.ci.as_ref().unwrap();
                        (ci.low, ci.high)
                    } else {
                        info.counts.error(metric).unwrap().interval().unwrap()
                    };
                    hits[k][j] += holds(low, high, *truth) as usize;
                }
                if k == 0 {
                    // The clustered audit counts each group's 150 subjects once.
                    assert_eq!(info.counts.error("mae").unwrap().df, 149.0, "group {g}");
                }
            }
        }
        total += 2;
    }
    (
        hits[0].map(|h| share(h, total)),
        hits[1].map(|h| share(h, total)),
    )
}

#[test]
fn the_truths_match_a_large_monte_carlo() {
    // 2·10⁶ draws: standard errors ≤ 0.003 years for the MAE, ≤ 0.0004 for
    // the rates; a wrong formula would be off by far more than 5 of them.
    // (Each draw serves every truth: the checks share their noise.)
    let mut rng = ChaCha8Rng::seed_from_u64(20);
    let e = Normal::new(0.0, 13f64.sqrt()).unwrap();
    let n = 2_000_000;
    let (mut abs, mut sq, mut cs) = (0.0, 0.0, 0.0);
    let (mut admit, mut refuse) = ([0.0; 2], [0.0; 2]);
    for _ in 0..n {
        let x = BIAS + e.sample(&mut rng);
        abs += x.abs();
        sq += x * x;
        cs += f64::from(u8::from(x.abs() <= 5.0));
        let z = e.sample(&mut rng);
        let (under, over) = (rng.random_range(13.0..18.0), rng.random_range(18.0..30.0));
        for g in 0..2 {
            let b = CHALLENGE_BIAS[g];
            admit[g] += f64::from(u8::from(under + b + z >= 25.0));
            refuse[g] += f64::from(u8::from(over + b + z < 25.0));
        }
    }
    let n = n as f64;
    let close = |what: &str, got: f64, want: f64, sd: f64| {
        let se = sd / n.sqrt();
        eprintln!("{what}: Monte Carlo {got:.5}, formula {want:.5} (se {se:.5})");
        assert!((got - want).abs() < 5.0 * se, "{what}: {got} vs {want}");
    };
    close("MAE", abs / n, TRUE_MAE, 13f64.sqrt());
    // Var(e²) = 2σ⁴ + 4b²σ² = 455.
    close("RMSE²", sq / n, TRUE_RMSE * TRUE_RMSE, 455f64.sqrt());
    close("cs@5", cs / n, TRUE_CS5, 0.5);
    for g in 0..2 {
        close("false admit", admit[g] / n, TRUE_FALSE_ADMIT[g], 0.5);
        close("false refusal", refuse[g] / n, TRUE_FALSE_REFUSAL[g], 0.5);
    }
}

#[test]
fn rows_in_memory_audit_like_a_csv_read() {
    // The tests build `Ages` directly; the reader gives the same audit.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let d = Draw::new(
        &mut rng,
        20,
        &mut |rng| rng.random_range(1..=4),
        &mut |rng, _| rng.random_range(10.0..40.0),
        CHALLENGE_BIAS,
        SD_SUBJECT,
    );
    let mut csv = String::from("y_true,y_pred,g,subject\n");
    for i in 0..d.truth.len() {
        let g = ["x", "y"][d.group[i] as usize];
        csv += &format!("{},{},{g},s{}\n", d.truth[i], d.estimate[i], d.subject[i]);
    }
    let table = Table::from_reader(
        "ages.csv".into(),
        Box::new(std::io::Cursor::new(csv.into_bytes())),
        Default::default(),
    )
    .unwrap();
    let cols = EstimateColumns {
        attrs: vec!["g".into()],
        subject: Some("subject".into()),
        ..Default::default()
    };
    let read = Ages::read(table, &cols).unwrap();
    assert_eq!(read.n_subjects, 40);
    let opts = EstimateOptions {
        challenges: vec![Challenge::parse("18:25").unwrap()],
        ..Default::default()
    };
    let (a, b) = (audit(&read, &opts).unwrap(), d.audit(true, &opts));
    let (va, vb) = (view(&a), view(&b));
    for (ga, gb) in va.groups.iter().zip(&vb.groups) {
        assert_eq!(ga.group, gb.group);
        for (x, y) in ga.counts.errors.iter().zip(&gb.counts.errors) {
            assert_eq!(x.metric, y.metric);
            for (p, q) in [(x.value, y.value), (x.low, y.low), (x.high, y.high)] {
                assert!(
                    (p - q).abs() <= 1e-9 * p.abs().max(1.0) || (p.is_nan() && q.is_nan()),
                    "{}: {p} vs {q}",
                    x.metric
                );
            }
        }
        for metric in ["false_admit", "false_refusal"] {
            let (p, q) = (
                va.rate(1, metric, &ga.group).unwrap(),
                vb.rate(1, metric, &gb.group).unwrap(),
            );
            assert_eq!(p.value, q.value, "{metric}");
            assert_eq!(p.ci.as_ref().map(|c| c.low), q.ci.as_ref().map(|c| c.low));
        }
    }
}

#[test]
fn cluster_robust_mean_intervals_cover_where_row_intervals_do_not() {
    // 1,000 data sets × 2 groups: a coverage of 0.95 has a standard error
    // of 0.5 %, so 93–97 % is ±4 standard errors. Row intervals ignore a
    // design effect of about 1 + 3·ICC ≈ 3 (for e; less for |e|): their
    // half-width is ~1/√3 of what it should be.
    //
    // Long-run coverage with subjects (5 seeds × 2,500 data sets × 2 groups
    // per design): 4 images MAE 0.948, bias 0.951; 1–7 images MAE 0.947,
    // bias 0.949 (seed 14's first 1,000 data sets are on the low side: MAE
    // 0.939). The engine's se² averages 0–5 % above the replicates' variance
    // (10,000 groups per design). The mean of e² is right-skewed, so RMSE's
    // interval is taken on the log scale: 0.949 and 0.932 here (a symmetric
    // t interval on e² gave 0.9465 and 0.9245, missing one-sidedly); it is
    // held to ≥ 93 %.
    let configs: [(&str, u64, Images); 2] = [
        ("4 images per subject", 13, |_| 4),
        ("1–7 images per subject", 14, |rng| {
            rng.random_range(1..=7)
        }),
    ];
    for (name, seed, mut images) in configs {
        let (robust, rows) = mean_coverage(seed, 1000, &mut images);
        eprintln!(
            "{name}: cluster-robust MAE {:.4}, bias {:.4}, RMSE {:.4}, cs@5 {:.4}; independent rows MAE {:.4}, bias {:.4}, RMSE {:.4}, cs@5 {:.4}",
            robust[0], robust[1], robust[2], robust[3], rows[0], rows[1], rows[2], rows[3]
        );
        for (metric, x) in ["MAE", "bias"].iter().zip(robust) {
            assert!(
                (0.93..=0.97).contains(&x),
                "{name}: cluster-robust {metric} coverage {x}"
            );
        }
        let (rmse, cs5) = (robust[2], robust[3]);
        assert!(rmse >= 0.93, "{name}: cluster-robust RMSE coverage {rmse}");
        assert!(cs5 >= 0.93, "{name}: cluster-robust cs@5 coverage {cs5}");
        for (metric, x) in ["MAE", "bias", "RMSE", "cs@5"].iter().zip(rows) {
            assert!(x < 0.90, "{name}: independent-row {metric} coverage {x}");
        }
    }
}

#[test]
fn challenge_rates_cover_with_subjects() {
    // Per group 150 under-age subjects (U[13, 18)) and 150 of age
    // (U[18, 30)), 4 images each: 600 rows on each side of the challenge.
    // A subject's images share its true age and u_s, so the admit decisions
    // of a subject are strongly correlated (true design effects 2.0–3.1).
    // 1,000 data sets × 2 groups: the pooled coverage of a rate has a
    // standard error of 0.5 %.
    //
    // Long-run coverage (20,000 data sets, 3 other seeds): false admit 0.935
    // in group x (2.7 %: about 8 events at the effective size 600/2) and
    // 0.949 in y (7.9 %); false refusal 0.947 in x and 0.951 in y. Group x falls short of 95 % by
    // about 1.5 points at so few events: the design effect is estimated
    // (unbiased on average, 1.98 against a true 2.04) from the few subjects
    // with an admit, and its noise is not in the Wilson interval's normal
    // quantile (plain Wilson at n = 300, p = 2.7 % covers 0.955). Both tails
    // miss more than 2.5 % (interval below the truth 3.5 %, above 3.0 %). Hence the pooled coverage of
    // the two groups is held to ≥ 93 % and each group's to ≥ 92 %.
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let opts = EstimateOptions {
        challenges: vec![Challenge::parse("18:25").unwrap()],
        ..Default::default()
    };
    let datasets = 1000;
    // hits[clustered or rows][false admit or refusal][group]
    let mut hits = [[[0usize; 2]; 2]; 2];
    let mut deff = [0.0; 2];
    for _ in 0..datasets {
        let d = Draw::new(
            &mut rng,
            300,
            &mut |_| 4,
            &mut |rng, s| {
                if s < 150 {
                    rng.random_range(13.0..18.0)
                } else {
                    rng.random_range(18.0..30.0)
                }
            },
            CHALLENGE_BIAS,
            SD_SUBJECT,
        );
        for (k, subjects) in [true, false].into_iter().enumerate() {
            let r = d.audit(subjects, &opts);
            let v = view(&r);
            assert_eq!(v.operating_points[1].policy, "challenge:18:25");
            for (g, info) in v.groups.iter().enumerate() {
                for (j, (metric, truth)) in [
                    ("false_admit", TRUE_FALSE_ADMIT[g]),
                    ("false_refusal", TRUE_FALSE_REFUSAL[g]),
                ]
                .into_iter()
                .enumerate()
                {
                    let rate = v.rate(1, metric, &info.group).unwrap();
                    assert_eq!(rate.trials, 600.0);
                    assert_eq!(rate.design_effect.is_some(), subjects);
                    if j == 0 {
                        deff[g] += rate.design_effect.unwrap_or(0.0);
                    }
                    let ci = rate.ci.as_ref().unwrap();
                    hits[k][j][g] += holds(ci.low, ci.high, truth) as usize;
                }
            }
        }
    }
    let per_group = hits.map(|h| h.map(|g| g.map(|x| share(x, datasets))));
    let pooled = hits.map(|h| h.map(|g| share(g[0] + g[1], 2 * datasets)));
    for (k, how) in ["cluster-robust Wilson", "Wilson on rows"]
        .iter()
        .enumerate()
    {
        for (j, metric) in ["false admit", "false refusal"].iter().enumerate() {
            eprintln!(
                "challenge 18:25, {how}: {metric} {:.4} (x {:.4}, y {:.4})",
                pooled[k][j], per_group[k][j][0], per_group[k][j][1]
            );
        }
    }
    eprintln!(
        "mean design effect of false admit: x {:.2}, y {:.2}",
        deff[0] / datasets as f64,
        deff[1] / datasets as f64
    );
    for (j, metric) in ["false admit", "false refusal"].iter().enumerate() {
        let x = pooled[0][j];
        assert!(x >= 0.93, "cluster-robust {metric} coverage {x}");
        for (g, x) in per_group[0][j].iter().enumerate() {
            assert!(
                *x >= 0.92,
                "cluster-robust {metric} coverage {x} in group {g}"
            );
        }
        let x = pooled[1][j];
        assert!(x < 0.90, "Wilson on rows: {metric} coverage {x}");
    }
}

#[test]
fn range_intervals_cover_no_disparity_between_equal_groups_and_the_true_range() {
    // The true MAE range (max − min over the two groups) is 0 when both
    // groups have b = 1.5, and 4.4857 − 3.1222 = 1.3635 years when group y
    // has b = 4 (bias range 2.5). 400 data sets per cell: clustered (150
    // subjects × 4 images per group, subject ids given) and independent (600
    // images per group, σ_u = 0, no subject ids). The simultaneous interval
    // (Bonferroni box of per-group 97.5 % t intervals) holds 0 unless the two
    // groups' intervals are disjoint, so its coverage is ≈ 0.99+; the regime
    // with different groups checks it is not trivially wide (it must leave
    // out 0 there) and still covers the true range.
    for (name, seed, subjects, sd_subject, per) in [
        ("clustered", 13, true, SD_SUBJECT, 150u32),
        ("independent", 14, false, 0.0, 600),
    ] {
        for (regime, bias_y) in [("equal", BIAS), ("different", 4.0)] {
            let truths = if regime == "equal" {
                [0.0, 0.0]
            } else {
                [MAE_B4 - TRUE_MAE, bias_y - BIAS]
            };
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let opts = EstimateOptions::default();
            let datasets = 400;
            let (mut covers, mut zero) = ([0usize; 2], [0usize; 2]);
            for _ in 0..datasets {
                let images = if subjects { 4 } else { 1 };
                let d = Draw::new(
                    &mut rng,
                    per,
                    &mut |_| images,
                    &mut |rng, _| rng.random_range(5.0..80.0),
                    [BIAS, bias_y],
                    sd_subject,
                );
                let r = d.audit(subjects, &opts);
                let v = view(&r);
                for (k, metric) in ["mae.max_minus_min", "bias.max_minus_min"]
                    .into_iter()
                    .enumerate()
                {
                    let s = summary(v, metric);
                    assert_eq!(s.groups, 2);
                    let i = s.interval.as_ref().expect("a summary interval");
                    let (low, high) = i.bounds().unwrap();
                    assert!(low <= s.value && s.value <= high, "{metric}: {s:?}");
                    covers[k] += holds(low, high, truths[k]) as usize;
                    zero[k] += holds(low, high, 0.0) as usize;
                }
            }
            let [mae, bias] = covers.map(|h| share(h, datasets));
            let [mae0, bias0] = zero.map(|h| share(h, datasets));
            eprintln!(
                "{name} {regime}: true range covered by mae.max_minus_min {mae:.4}, bias.max_minus_min {bias:.4}; 0 covered {mae0:.4}, {bias0:.4}"
            );
            assert!(
                mae >= 0.95,
                "{name} {regime}: mae.max_minus_min coverage {mae}"
            );
            assert!(
                bias >= 0.95,
                "{name} {regime}: bias.max_minus_min coverage {bias}"
            );
            if regime == "different" {
                assert!(
                    mae0 <= 0.1 && bias0 <= 0.1,
                    "{name}: a range of 1.36 years left 0 in {mae0} (bias: {bias0})"
                );
            }
        }
    }
}
