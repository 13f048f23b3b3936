//! Classification bench: the audit of 10^7 items over 4 races × 2 sexes
//! (each attribute, the intersection and the pooled view).
//!
//! Run: `cargo bench --bench classify`

use biasbench::engine::classify::{audit, ClassifyOptions};
use biasbench::input::{Accounting, AttributeData, Labelled};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::time::Duration;

fn items(n: usize) -> Labelled {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let (mut y_true, mut y_pred, mut race, mut sex) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let r = rng.random_range(0..4u32);
        let t = rng.random_bool(0.3 + 0.1 * r as f64);
        y_true.push(t as u32);
        y_pred.push((if rng.random_bool(0.8) { t } else { !t }) as u32);
        race.push(r);
        sex.push(rng.random_range(0..2u32));
    }
    let attr = |name: &str, values: &[&str], codes: Vec<u32>| AttributeData {
        name: name.into(),
        source: "bench".into(),
        values: values.iter().map(|s| s.to_string()).collect(),
        side_b: codes.clone(),
        side_a: codes,
    };
    Labelled {
        y_true,
        y_pred,
        labels: vec!["0".into(), "1".into()],
        score: Vec::new(),
        weight: Vec::new(),
        subject: Vec::new(),
        n_subjects: 0,
        attributes: vec![
            attr("race", &["A", "B", "C", "D"], race),
            attr("sex", &["F", "M"], sex),
        ],
        accounting: Accounting::default(),
        inputs: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let data = items(10_000_000);
    let options = ClassifyOptions::default();
    let decisions = options.positives().decide(&data).unwrap();
    let mut g = c.benchmark_group("classify");
    g.throughput(Throughput::Elements(data.y_true.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("10M_items_8_groups", |b| {
        b.iter(|| black_box(audit(&data, &decisions, &options).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
