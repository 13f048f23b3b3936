//! Weights describe relative importance: multiplying every weight by the same
//! factor must change no statistic of a classification audit — rates,
//! intervals, summaries (the zero-error rule of the geometric mean
//! included), parity metrics, tests, adequacy flags, cautions, the
//! reference group and the bootstrap intervals. Only the weight totals
//! (`weight`, a rate's weighted errors and trials) scale, by design.

use biasbench::bootstrap::{bootstrap, BootstrapSpec};
use biasbench::engine::classify::{self, ClassifyOptions, ClassifyResult, Resampler};
use biasbench::engine::Resample;
use biasbench::input::binary::Decisions;
use biasbench::input::Labelled;
use biasbench::value::{Flatten, Kind, Value};
use proptest::prelude::*;

const N: usize = 96;

/// Four groups of 24 items; group D is always classified right (zero errors).
struct Items {
    truth: Vec<&'static str>,
    pred: Vec<&'static str>,
    score: Vec<f64>,
    subject: Vec<String>,
    race: Vec<&'static str>,
}

fn items() -> Items {
    let mut state = 0x2545_f491_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let mut it = Items {
        truth: Vec::new(),
        pred: Vec::new(),
        score: Vec::new(),
        subject: Vec::new(),
        race: Vec::new(),
    };
    for i in 0..N {
        let race = ["A", "B", "C", "D"][i % 4];
        let truth = next() < 0.45;
        // Error chance by group: A 30 %, B 20 %, C 8 %, D none.
        let wrong = next() < [0.3, 0.2, 0.08, 0.0][i % 4];
        let pred = truth != wrong;
        it.truth.push(if truth { "yes" } else { "no" });
        it.pred.push(if pred { "yes" } else { "no" });
        // Predicted positive when the score is at least 0.5.
        it.score.push(0.5 * next() + if pred { 0.5 } else { 0.0 });
        it.subject.push(format!("s{}", i / 3));
        it.race.push(race);
    }
    it
}

/// The items decided by their scores (AUC included), weighted.
fn labelled(it: &Items, weights: &[f64]) -> Labelled {
    Labelled::builder()
        .truth(&it.truth)
        .scores(weights_view(&it.score))
        .weights(weights_view(weights))
        .subjects(&it.subject)
        .attribute("race", &it.race)
        .build()
        .unwrap()
}

/// Decided items (true and predicted labels) with weights, by race.
fn decided(truth: &[&str], pred: &[&str], w: &[f64], race: &[&str]) -> Labelled {
    Labelled::builder()
        .truth(truth)
        .pred(pred)
        .weights(weights_view(w))
        .attribute("race", race)
        .build()
        .unwrap()
}

fn weights_view(x: &[f64]) -> ndarray::ArrayView1<'_, f64> {
    ndarray::ArrayView1::from(x)
}

fn options(cutoff: Option<f64>) -> ClassifyOptions {
    ClassifyOptions {
        true_positive: vec!["yes".into()],
        cutoff,
        ..Default::default()
    }
}

fn run(l: &Labelled) -> (Decisions, ClassifyResult) {
    let o = options((!l.score.is_empty()).then_some(0.5));
    let d = o.positives().decide(l).unwrap();
    let r = classify::audit(l, &d, &o).unwrap();
    (d, r)
}

/// Equal up to rounding: the same non-finite value, or relative 1e-9.
fn close(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-14
}

fn check_values(base: &[Value], scaled: &[Value], c: f64) -> Result<(), String> {
    if base.len() != scaled.len() {
        return Err(format!("{} values vs {}", base.len(), scaled.len()));
    }
    for (a, b) in base.iter().zip(scaled) {
        let what = format!("{}:{}:{}", a.key.attribute, a.key.group, a.key.metric);
        if a.key != b.key || a.kind != b.kind {
            return Err(format!("{what} became {:?} {:?}", b.key, b.kind));
        }
        let weight_total = a.kind == Kind::Count && a.key.metric != "items";
        let expect = if weight_total { a.value * c } else { a.value };
        if !close(expect, b.value) {
            return Err(format!("{what}: {} vs {}", a.value, b.value));
        }
        let ci = |v: &Value| v.ci.map_or((f64::NAN, f64::NAN), |x| x);
        let (x, y) = (ci(a), ci(b));
        if a.ci.is_some() != b.ci.is_some() || !close(x.0, y.0) || !close(x.1, y.1) {
            return Err(format!("{what}: interval {:?} vs {:?}", a.ci, b.ci));
        }
        match (a.counts, b.counts) {
            (Some((k, n)), Some((k2, n2))) if close(k * c, k2) && close(n * c, n2) => {}
            (None, None) => {}
            _ => return Err(format!("{what}: counts {:?} vs {:?}", a.counts, b.counts)),
        }
    }
    Ok(())
}

/// What the flattened values leave out: adequacy, cautions, reasons, the reference.
fn check_report(a: &ClassifyResult, b: &ClassifyResult) -> Result<(), String> {
    for (va, vb) in a.views.iter().zip(&b.views) {
        let (ra, rb) = (&va.reference, &vb.reference);
        if ra.as_ref().map(|r| &r.group) != rb.as_ref().map(|r| &r.group) {
            return Err(format!("{}: reference {ra:?} vs {rb:?}", va.attribute));
        }
        for (pa, pb) in va.operating_points.iter().zip(&vb.operating_points) {
            for (ca, cb) in pa.rates.iter().zip(&pb.rates) {
                for (x, y) in ca.by_group.iter().zip(&cb.by_group) {
                    let (qa, qb) = (&x.adequacy, &y.adequacy);
                    let same = match (qa, qb) {
                        (Some(p), Some(q)) => {
                            p.few_errors == q.few_errors
                                && close(p.smallest_supported, q.smallest_supported)
                        }
                        (None, None) => true,
                        _ => false,
                    };
                    if !same || x.reason != y.reason {
                        return Err(format!("{}: {qa:?} vs {qb:?}", ca.metric));
                    }
                }
            }
            for (sa, sb) in pa.summaries().zip(pb.summaries()) {
                let few = |s: &biasbench::stats::disparity::Summary| -> Vec<(String, String)> {
                    s.cautions
                        .iter()
                        .flat_map(|c| c.few_errors.iter())
                        .map(|(g, k)| (g.clone(), format!("{k:.6}")))
                        .collect()
                };
                if sa.reason != sb.reason || few(sa) != few(sb) {
                    return Err(format!("{}: {sa:?} vs {sb:?}", sa.metric));
                }
            }
        }
    }
    Ok(())
}

fn boot(l: &Labelled, d: &Decisions, r: &ClassifyResult) -> Vec<(f64, f64)> {
    let spec = BootstrapSpec {
        replicates: 30,
        seed: 7,
        level: 0.95,
        rows: false,
        compare: None,
    };
    let resampler = Resampler::new(l, d, &options(Some(0.5)), false).unwrap();
    let b = bootstrap(&resampler, r.values(), &spec).unwrap();
    b.intervals.iter().map(|i| (i.low, i.high)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Every statistic of the audit and of its bootstrap is the same after
    /// every weight is multiplied by a factor in [1e-3, 1e3]; equal weights
    /// (all 1 before scaling) and unequal ones.
    #[test]
    fn no_statistic_depends_on_the_scale_of_the_weights(
        unequal in proptest::collection::vec(0.05f64..5.0, N),
        equal in any::<bool>(),
        log_c in (1e-3f64).ln()..(1e3f64).ln(),
    ) {
        let c = log_c.exp();
        let it = items();
        let w: Vec<f64> = if equal { vec![1.0; N] } else { unequal };
        let scaled: Vec<f64> = w.iter().map(|x| x * c).collect();
        let (l, ls) = (labelled(&it, &w), labelled(&it, &scaled));
        let ((d, a), (ds, b)) = (run(&l), run(&ls));
        check_values(&a.values(), &b.values(), c).map_err(TestCaseError::fail)?;
        check_report(&a, &b).map_err(TestCaseError::fail)?;
        for (x, y) in boot(&l, &d, &a).iter().zip(boot(&ls, &ds, &b)) {
            prop_assert!(close(x.0, y.0) && close(x.1, y.1), "bootstrap {x:?} vs {y:?}");
        }
    }
}

/// The value of `metric` over the groups of the race view.
fn summary(r: &ClassifyResult, metric: &str) -> f64 {
    r.views[1].operating_points[0]
        .summaries()
        .find(|s| s.metric == metric)
        .unwrap()
        .value
}

/// Two groups of 200 items, each weighing 0.01: A with 20 errors, B with
/// none. B enters the geometric mean at 1 − 0.05^(1/200) (n_eff = 200), not
/// at the bound of its weight 2 (which made the summary depend on the scale).
#[test]
fn zero_error_rule_uses_the_effective_sample_size() {
    let n = 400;
    let race: Vec<&str> = (0..n).map(|i| if i < 200 { "A" } else { "B" }).collect();
    let truth = vec!["yes"; n];
    let pred: Vec<&str> = (0..n).map(|i| if i < 20 { "no" } else { "yes" }).collect();
    let w = vec![0.01; n];
    let (_, r) = run(&decided(&truth, &pred, &w, &race));
    let bound = 1.0 - 0.05f64.powf(1.0 / 200.0);
    let want = 0.1 / (0.1 * bound).sqrt();
    let got = summary(&r, "error_rate.max_over_geomean");
    assert!((got - want).abs() < 1e-12 * want, "{got} vs {want}");
    // 20 errors of 200 (weighted 0.2 of 2) are fewer than 30: flagged.
    let rate = r.views[1].rate(0, "error_rate", "A").unwrap();
    assert!(rate.adequacy.as_ref().unwrap().few_errors);
}

/// 40 errors weighing 0.5 each (20 by weight) are 40 effective errors: not
/// flagged as fewer than 30, as with unit weights.
#[test]
fn few_errors_counts_effective_errors() {
    let n = 100;
    let truth = vec!["yes"; n];
    let pred: Vec<&str> = (0..n).map(|i| if i < 40 { "no" } else { "yes" }).collect();
    let race = vec!["A"; n];
    let w = vec![0.5; n];
    let (_, r) = run(&decided(&truth, &pred, &w, &race));
    let rate = r.views[1].rate(0, "error_rate", "A").unwrap();
    assert_eq!((rate.events, rate.trials), (20.0, 50.0));
    assert!(!rate.adequacy.as_ref().unwrap().few_errors);
}

/// A bootstrap replicate that draws every row twice is the data with every
/// row listed twice: the zero-error rule of its geometric mean uses 2n trials.
#[test]
fn a_replicate_counts_drawn_rows_as_copies() {
    let it = items();
    let twice = |x: &[&'static str]| -> Vec<&'static str> { x.iter().chain(x).copied().collect() };
    let doubled = Labelled::builder()
        .truth(&twice(&it.truth))
        .pred(&twice(&it.pred))
        .attribute("race", &twice(&it.race))
        .build()
        .unwrap();
    let (_, want) = run(&doubled);
    let once = Labelled::builder()
        .truth(&it.truth)
        .pred(&it.pred)
        .attribute("race", &it.race)
        .build()
        .unwrap();
    let (d, _) = run(&once);
    let replicate = Resampler::new(&once, &d, &options(None), true)
        .unwrap()
        .replicate(&vec![2; N])
        .unwrap();
    for metric in ["error_rate.max_over_geomean", "fpr.max_over_geomean"] {
        let (x, y) = (summary(&replicate, metric), summary(&want, metric));
        assert!((x - y).abs() < 1e-12 * y, "{metric}: {x} vs {y}");
    }
}
