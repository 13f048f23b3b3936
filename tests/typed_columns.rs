//! `.npy` columns read straight into typed columns give exactly what the
//! table reader gives from the same files rendered as text: values, codes,
//! subject ids, the accounting with each drop's first position, the
//! provenance, and the `--strict` error. Random data with ties, missing and
//! non-finite values, in every dtype the typed path takes.

use biasbench::input::npy::write_npy;
use biasbench::input::typed::{typed_comparisons, typed_labelled};
use biasbench::input::{ClassifyColumns, Comparisons, Labelled, Table, VerifyColumns};
use biasbench::progress::NoProgress;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::sync::Arc;

fn open(dir: &Path) -> Table {
    Table::open(dir, Default::default(), Arc::new(NoProgress)).unwrap()
}

fn npy<T: Copy>(dir: &Path, name: &str, descr: &str, v: &[T], bytes: fn(T) -> Vec<u8>) {
    let data: Vec<u8> = v.iter().flat_map(|&x| bytes(x)).collect();
    write_npy(&dir.join(format!("{name}.npy")), descr, v.len(), &data).unwrap();
}

/// A score with ties, NaN (missing) and ±∞ (non-finite) now and then.
fn score(r: &mut ChaCha8Rng) -> f64 {
    match r.random_range(0..40) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => f64::NEG_INFINITY,
        _ => (r.random::<f64>() * 20.0).round() / 8.0 - 1.0,
    }
}

fn same_comparisons(a: &Comparisons, b: &Comparisons, case: &str) {
    let bits = |c: &Comparisons| c.score.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b), "{case}: scores");
    assert_eq!(a.mated, b.mated, "{case}: mated");
    assert_eq!(
        (&a.subject_a, &a.subject_b),
        (&b.subject_a, &b.subject_b),
        "{case}"
    );
    assert_eq!(a.n_subjects, b.n_subjects, "{case}");
    assert_eq!(a.attributes.len(), b.attributes.len(), "{case}");
    for (x, y) in a.attributes.iter().zip(&b.attributes) {
        assert_eq!(
            (&x.name, &x.source, &x.values),
            (&y.name, &y.source, &y.values),
            "{case}"
        );
        assert_eq!((&x.side_a, &x.side_b), (&y.side_a, &y.side_b), "{case}");
    }
    assert_eq!(a.accounting, b.accounting, "{case}: accounting");
    assert_eq!(a.inputs, b.inputs, "{case}: provenance");
}

/// Writes a comparisons directory in one of several dtype layouts.
fn comparisons_dir(dir: &Path, n: usize, layout: u32, r: &mut ChaCha8Rng) {
    std::fs::create_dir_all(dir).unwrap();
    let s: Vec<f64> = (0..n).map(|_| score(r)).collect();
    let subject_a: Vec<i32> = (0..n).map(|_| r.random_range(0..12)).collect();
    let subject_b: Vec<i32> = (0..n)
        .map(|i| {
            if r.random_bool(0.3) {
                subject_a[i]
            } else {
                r.random_range(0..12)
            }
        })
        .collect();
    let mated: Vec<u8> = (0..n)
        .map(|i| (subject_a[i] == subject_b[i]) as u8)
        .collect();
    // Race per side with labels (code 3 is the empty label: missing).
    let race = |r: &mut ChaCha8Rng| {
        if r.random_bool(0.05) {
            3u8
        } else {
            r.random_range(0..3)
        }
    };
    let race_a: Vec<u8> = (0..n).map(|_| race(r)).collect();
    let race_b: Vec<u8> = (0..n)
        .map(|i| if mated[i] == 1 { race_a[i] } else { race(r) })
        .collect();
    match layout {
        0 => npy(dir, "score", "<f8", &s, |x| x.to_le_bytes().to_vec()),
        _ => npy(dir, "score", "<f4", &s, |x| {
            (x as f32).to_le_bytes().to_vec()
        }),
    }
    match layout {
        0 => npy(dir, "mated", "|b1", &mated, |x| vec![x]),
        1 => npy(dir, "mated", "|i1", &mated, |x| vec![x]),
        _ => {}
    }
    match layout {
        0 => {}
        1 => npy(dir, "subject_a", "<i4", &subject_a, |x| {
            x.to_le_bytes().to_vec()
        }),
        // One-byte ids (the typed path keeps such columns as bytes).
        _ => npy(dir, "subject_a", "|u1", &subject_a, |x| vec![x as u8]),
    }
    if layout != 0 {
        npy(dir, "subject_b", "<i8", &subject_b, |x| {
            (x as i64).to_le_bytes().to_vec()
        });
    }
    npy(dir, "race_a", "|u1", &race_a, |x| vec![x]);
    npy(dir, "race_b", "|u1", &race_b, |x| vec![x]);
    std::fs::write(dir.join("race.labels.txt"), "W\nB\nA\n\n").unwrap();
    // A group without labels: integers are their own names ("10" sorts before "9").
    let age: Vec<u16> = (0..n).map(|_| [9, 10, 30][r.random_range(0..3)]).collect();
    npy(dir, "age", "<u2", &age, |x| x.to_le_bytes().to_vec());
    // The same in one byte.
    let site: Vec<u8> = (0..n).map(|_| [7, 10, 2][r.random_range(0..3)]).collect();
    npy(dir, "site", "|u1", &site, |x| vec![x]);
}

#[test]
fn typed_comparisons_equal_the_text_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(15);
    for case in 0..24 {
        let layout = case % 3;
        let dir = tmp.path().join(format!("c{case}"));
        comparisons_dir(&dir, r.random_range(1..300), layout, &mut r);
        let cols = VerifyColumns {
            // Race alone leaves rows without a group (dropped, pointing at a column).
            attrs: match case % 2 {
                0 => vec!["race".into()],
                _ => vec!["race".into(), "age".into(), "site".into()],
            },
            distance: case % 4 == 1,
            ..Default::default()
        };
        let name = format!("case {case} (layout {layout})");
        let typed = typed_comparisons(&open(&dir), &cols).unwrap().expect(&name);
        let text = Comparisons::read(open(&dir), &cols).unwrap();
        same_comparisons(&typed, &text, &name);
        // Under --strict the first drop is the same error.
        let strict = VerifyColumns {
            strict: true,
            ..cols
        };
        let typed = typed_comparisons(&open(&dir), &strict).map(|_| ());
        let text = Comparisons::read(open(&dir), &strict).map(|_| ());
        assert_eq!(
            typed.map_err(|e| e.to_string()),
            text.map_err(|e| e.to_string()),
            "{name}"
        );
    }
}

#[test]
fn what_the_typed_path_does_not_cover_falls_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    std::fs::create_dir_all(&dir).unwrap();
    npy(&dir, "score", "<f8", &[0.5, 0.7, 0.1], |x: f64| {
        x.to_le_bytes().to_vec()
    });
    // A mated flag of 2 is an unknown value: the text rows drop it by name.
    npy(&dir, "mated", "|u1", &[1u8, 2, 0], |x| vec![x]);
    let cols = VerifyColumns::default();
    assert!(typed_comparisons(&open(&dir), &cols).unwrap().is_none());
    let c = biasbench::input::typed::comparisons(open(&dir), &cols).unwrap();
    assert_eq!(
        c.accounting.dropped[0].reason.as_str(),
        "unknown mated value"
    );
    // Exclusion rules are the table reader's.
    npy(&dir, "mated", "|u1", &[1u8, 1, 0], |x| vec![x]);
    let rule = VerifyColumns {
        exclude: vec![biasbench::input::rules::ExcludeRule::parse("mated=0").unwrap()],
        ..Default::default()
    };
    assert!(typed_comparisons(&open(&dir), &rule).unwrap().is_none());
    assert!(typed_comparisons(&open(&dir), &cols).unwrap().is_some());
}

fn same_labelled(a: &Labelled, b: &Labelled, case: &str) {
    assert_eq!(a.labels, b.labels, "{case}");
    assert_eq!((&a.y_true, &a.y_pred), (&b.y_true, &b.y_pred), "{case}");
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.score), bits(&b.score), "{case}");
    assert_eq!(bits(&a.weight), bits(&b.weight), "{case}");
    assert_eq!(
        (&a.subject, a.n_subjects),
        (&b.subject, b.n_subjects),
        "{case}"
    );
    for (x, y) in a.attributes.iter().zip(&b.attributes) {
        assert_eq!(
            (&x.name, &x.source, &x.values),
            (&y.name, &y.source, &y.values),
            "{case}"
        );
        assert_eq!(&x.side_a, &y.side_a, "{case}");
    }
    assert_eq!(a.accounting, b.accounting, "{case}: accounting");
    assert_eq!(a.inputs, b.inputs, "{case}: provenance");
}

#[test]
fn typed_labels_equal_the_text_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let mut r = ChaCha8Rng::seed_from_u64(16);
    for case in 0..24 {
        let n = r.random_range(1..300);
        let dir = tmp.path().join(format!("l{case}"));
        std::fs::create_dir_all(&dir).unwrap();
        let label = |r: &mut ChaCha8Rng| {
            if r.random_bool(0.04) {
                2u8
            } else {
                r.random_range(0..2)
            }
        };
        let y_true: Vec<u8> = (0..n).map(|_| label(&mut r)).collect();
        let y_pred: Vec<u8> = (0..n).map(|_| label(&mut r)).collect();
        npy(&dir, "y_true", "|u1", &y_true, |x| vec![x]);
        npy(&dir, "y_pred", "|u1", &y_pred, |x| vec![x]);
        // Labels with a missing (empty) third.
        std::fs::write(dir.join("y_true.labels.txt"), "no\nyes\n\n").unwrap();
        std::fs::write(dir.join("y_pred.labels.txt"), "no\nyes\n\n").unwrap();
        let s: Vec<f64> = (0..n).map(|_| score(&mut r)).collect();
        npy(&dir, "score", "<f8", &s, |x| x.to_le_bytes().to_vec());
        let w: Vec<f64> = (0..n)
            .map(|_| match r.random_range(0..30) {
                0 => f64::NAN,
                1 => -1.0,
                _ => r.random_range(1..4) as f64 / 2.0,
            })
            .collect();
        npy(&dir, "weight", "<f8", &w, |x| x.to_le_bytes().to_vec());
        let subject: Vec<u32> = (0..n).map(|_| r.random_range(0..20)).collect();
        npy(&dir, "person", "<u4", &subject, |x| {
            x.to_le_bytes().to_vec()
        });
        let g: Vec<u8> = (0..n).map(|_| r.random_range(0..4)).collect();
        npy(&dir, "group", "|u1", &g, |x| vec![x]);
        std::fs::write(dir.join("group.labels.txt"), "a\nb\nc\n\n").unwrap();
        let cols = ClassifyColumns {
            attrs: vec!["group".into()],
            score: (case % 2 == 0).then(|| "score".into()),
            y_pred: (case % 3 != 0).then(|| "y_pred".into()),
            weight: (case % 4 != 3).then(|| "weight".into()),
            subject: (case % 5 != 4).then(|| "person".into()),
            ..Default::default()
        };
        let name = format!("case {case}");
        let typed = typed_labelled(&open(&dir), &cols).unwrap().expect(&name);
        let text = Labelled::read(open(&dir), &cols).unwrap();
        same_labelled(&typed, &text, &name);
        let strict = ClassifyColumns {
            strict: true,
            ..cols
        };
        let typed = typed_labelled(&open(&dir), &strict).map(|_| ());
        let text = Labelled::read(open(&dir), &strict).map(|_| ());
        assert_eq!(
            typed.map_err(|e| e.to_string()),
            text.map_err(|e| e.to_string()),
            "{name}"
        );
    }
}
