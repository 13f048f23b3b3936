//! Classification items of one subject are correlated: with a subject
//! column, each rate's interval is taken at the effective number of items
//! n/deff, deff from the between-subject spread of the per-subject errors
//! (the one-way form of `stats::cluster`). Hand-worked: three subjects of
//! four items with 0, 2 and 4 errors, p̂ = 1/2, residuals −2, 0, 2, so
//! Var(p̂) = 3/2 · 8 / 12² = 1/12 against the binomial 1/48: deff = 4,
//! n_eff = 3, and the interval is Wilson's for 1.5 of 3.

use biasbench::engine::classify::{self, ClassifyOptions, ClassifyResult};
use biasbench::input::Labelled;
use biasbench::stats::rate::Rate;

/// Wilson's 95% interval for k of n, written out.
fn wilson(k: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let p = k / n;
    let d = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / d;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    (centre - half, centre + half)
}

fn audit(
    truth: &[&str],
    pred: &[&str],
    subject: Option<&[String]>,
    binary: bool,
) -> ClassifyResult {
    let group = vec!["A"; truth.len()];
    let mut b = Labelled::builder()
        .truth(truth)
        .pred(pred)
        .attribute("race", &group);
    if let Some(s) = subject {
        b = b.subjects(s);
    }
    let l = b.build().unwrap();
    let o = ClassifyOptions {
        true_positive: if binary {
            vec!["yes".into()]
        } else {
            Vec::new()
        },
        pred_positive: if binary {
            vec!["yes".into()]
        } else {
            Vec::new()
        },
        ..Default::default()
    };
    let d = o.positives().decide(&l).unwrap();
    classify::audit(&l, &d, &o).unwrap()
}

fn rate<'a>(r: &'a ClassifyResult, metric: &str) -> &'a Rate {
    let view = r
        .views
        .iter()
        .find(|v| v.attribute.to_string() == "race")
        .unwrap();
    view.rate(0, metric, "A").unwrap()
}

fn assert_interval(r: &Rate, want: (f64, f64)) {
    let ci = r.ci.unwrap();
    assert!(
        (ci.low - want.0).abs() < 1e-12 && (ci.high - want.1).abs() < 1e-12,
        "interval [{}, {}], want [{}, {}]",
        ci.low,
        ci.high,
        want.0,
        want.1
    );
}

fn subjects(per: usize) -> Vec<String> {
    (0..3 * per).map(|i| format!("s{}", i / per)).collect()
}

#[test]
fn binary_rates_allow_for_items_that_share_subjects() {
    // Four negatives per subject with 0, 2, 4 false positives, then one
    // positive per subject, always found.
    let mut truth = vec!["no"; 12];
    let mut pred = [
        "no", "no", "no", "no", "yes", "yes", "no", "no", "yes", "yes", "yes", "yes",
    ]
    .to_vec();
    let mut subject = subjects(4);
    for s in 0..3 {
        truth.push("yes");
        pred.push("yes");
        subject.push(format!("s{s}"));
    }
    let r = audit(&truth, &pred, Some(&subject), true);
    let fpr = rate(&r, "fpr");
    assert_eq!((fpr.events, fpr.trials), (6.0, 12.0));
    assert!((fpr.design_effect.unwrap() - 4.0).abs() < 1e-12);
    assert_interval(fpr, wilson(1.5, 3.0));
    // TPR: 3 of 3, one per subject: the worst case Σn²/N = 1, the exact
    // one-sided bound over 3 items.
    let tpr = rate(&r, "tpr");
    assert_eq!(tpr.design_effect, Some(1.0));
    assert_interval(tpr, (0.05f64.powf(1.0 / 3.0), 1.0));
    // Without subject ids: independent items, Wilson's for 6 of 12.
    let plain = audit(&truth, &pred, None, true);
    assert_eq!(rate(&plain, "fpr").design_effect, None);
    assert_interval(rate(&plain, "fpr"), wilson(6.0, 12.0));
}

#[test]
fn multiclass_rates_allow_for_items_that_share_subjects() {
    // Subject s0 always right, s1 right twice, s2 never (a wrong answer
    // is "eel"): accuracy 6 of 12.
    let truth = [
        "cat", "dog", "cat", "dog", "cat", "dog", "cat", "dog", "cat", "dog", "cat", "dog",
    ];
    let pred = [
        "cat", "dog", "cat", "dog", "cat", "dog", "eel", "eel", "eel", "eel", "eel", "eel",
    ];
    let r = audit(&truth, &pred, Some(&subjects(4)), false);
    for metric in ["accuracy", "error_rate"] {
        let a = rate(&r, metric);
        assert_eq!((a.events, a.trials), (6.0, 12.0), "{metric}");
        assert!((a.design_effect.unwrap() - 4.0).abs() < 1e-12, "{metric}");
        assert_interval(a, wilson(1.5, 3.0));
    }
    // Recall of cat: hits per subject 2 of 2, 1 of 2, 0 of 2: p̂ = 1/2,
    // residuals 1, 0, −1: Var = 3/2 · 2 / 36 = 1/12 against 1/24: deff = 2.
    let recall = rate(&r, "recall:cat");
    assert!((recall.design_effect.unwrap() - 2.0).abs() < 1e-12);
    assert_interval(recall, wilson(1.5, 3.0));
}
