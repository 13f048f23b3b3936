//! Verification benches: CSV ingest throughput (sequential and chunked),
//! the in-memory audit of 10^7 comparisons (8 groups, two attributes), the
//! streaming audit of 10^7 `.npy` rows, the subject bootstrap, and two short
//! ones through the library: typed columns (`Comparisons::builder()`) to an
//! audit of 10^6 comparisons, and 20 bootstrap replicates of 10^5.
//!
//! Run: `cargo bench --bench verify` (one group: `cargo bench --bench verify -- library`)

use biasbench::app::simulate::Population;
use biasbench::bootstrap::{bootstrap, BootstrapSpec};
use biasbench::engine::verify::stream::{self, StreamLimits};
use biasbench::engine::verify::{audit, Resampler, VerifyOptions};
use biasbench::input::npy::write_npy;
use biasbench::input::npy_dir::NpyComparisons;
use biasbench::input::table::{Parsing, CHUNK_BYTES};
use biasbench::input::{Accounting, AttributeData, Comparisons, Table, VerifyColumns};
use biasbench::progress::NoProgress;
use biasbench::value::Flatten;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

fn ingest(c: &mut Criterion) {
    // ~1.15 M rows of the demo population's shape.
    let mut p = Population::demo();
    p.nonmated_per_group = 100_000;
    p.cross_nonmated = 300_000;
    p.subjects_per_group = 2_000;
    let mut bytes = Vec::new();
    p.write_csv(&mut bytes).unwrap();
    let cols = VerifyColumns {
        attrs: vec!["race".into(), "sex".into()],
        ..Default::default()
    };
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.csv");
    std::fs::write(&path, &bytes).unwrap();
    for (name, parsing) in [
        ("csv_1.15M_rows", Parsing::Sequential),
        ("csv_1.15M_rows_chunked", Parsing::Chunks(CHUNK_BYTES)),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let t = Table::open_with(&path, Default::default(), parsing, Arc::new(NoProgress))
                    .unwrap();
                black_box(Comparisons::read(t, &cols).unwrap())
            })
        });
    }
    g.finish();
}

/// The streaming audit of 10^7 comparisons (`.npy`: f32 scores, 8 groups).
fn streaming(c: &mut Criterion) {
    let n = 10_000_000;
    let dir = tempfile::tempdir().unwrap();
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let (mut score, mut mated, mut group) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let m = r.random_bool(0.05);
        let g: u8 = r.random_range(0..8);
        let s = r.random::<f32>() * 0.5 + if m { 0.5 } else { 0.02 * g as f32 };
        score.extend(s.to_le_bytes());
        mated.push(m as u8);
        group.push(g);
    }
    write_npy(&dir.path().join("score.npy"), "<f4", n, &score).unwrap();
    write_npy(&dir.path().join("mated.npy"), "|b1", n, &mated).unwrap();
    write_npy(&dir.path().join("group.npy"), "|u1", n, &group).unwrap();
    let data = NpyComparisons::open(dir.path(), "score", "mated", &["group".into()]).unwrap();
    let opts = VerifyOptions::default();
    let mut g = c.benchmark_group("stream");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("10M_npy_rows_8_groups", |b| {
        b.iter(|| {
            black_box(
                stream::run(
                    &data,
                    &opts,
                    StreamLimits::default(),
                    Vec::new(),
                    &NoProgress,
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

/// `n` comparisons (5% mated) over 4 races × 2 sexes, built in memory;
/// with `subjects` > 0, each comparison also gets subject ids.
fn comparisons(n: usize, subjects: u32) -> Comparisons {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let (mut score, mut mated) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut ra, mut rb, mut sa, mut sb) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut subject_a, mut subject_b) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let m = rng.random_bool(0.05);
        if subjects > 0 {
            let a = rng.random_range(0..subjects);
            subject_a.push(a);
            subject_b.push(if m {
                a
            } else {
                (a + rng.random_range(1..subjects)) % subjects
            });
        }
        let (r1, s1) = (rng.random_range(0..4u32), rng.random_range(0..2u32));
        let (r2, s2) = if m || rng.random_bool(0.8) {
            (r1, s1)
        } else {
            (rng.random_range(0..4), rng.random_range(0..2))
        };
        score.push(rng.random::<f64>() + if m { 0.6 } else { 0.0 });
        mated.push(m);
        ra.push(r1);
        rb.push(r2);
        sa.push(s1);
        sb.push(s2);
    }
    let attr = |name: &str, values: &[&str], a, b| AttributeData {
        name: name.into(),
        source: "bench".into(),
        values: values.iter().map(|s| s.to_string()).collect(),
        side_a: a,
        side_b: b,
    };
    Comparisons {
        score,
        mated,
        subject_a,
        subject_b,
        n_subjects: subjects as usize,
        attributes: vec![
            attr("race", &["A", "B", "C", "D"], ra, rb),
            attr("sex", &["F", "M"], sa, sb),
        ],
        accounting: Accounting::default(),
        inputs: Vec::new(),
        count: Vec::new(),
    }
}

fn engine(c: &mut Criterion) {
    let data = comparisons(10_000_000, 0);
    let mut g = c.benchmark_group("audit");
    g.throughput(Throughput::Elements(data.score.len() as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(40));
    g.bench_function("10M_comparisons_8_groups", |b| {
        b.iter(|| black_box(audit(&data, &VerifyOptions::default()).unwrap()))
    });
    g.finish();
}

/// B = 1000 subject-bootstrap replicates of 10^6 comparisons of 10^4 subjects.
fn bootstraps(c: &mut Criterion) {
    let data = comparisons(1_000_000, 10_000);
    let opts = VerifyOptions::default();
    let original = audit(&data, &opts).unwrap().values();
    let resampler = Resampler::new(&data, &opts, false);
    let spec = BootstrapSpec {
        replicates: 1000,
        seed: 1,
        level: 0.95,
        rows: false,
        compare: None,
    };
    let mut g = c.benchmark_group("bootstrap");
    g.sample_size(10).measurement_time(Duration::from_secs(60));
    g.bench_function("B1000_1M_comparisons_10k_subjects", |b| {
        b.iter(|| black_box(bootstrap(&resampler, original.clone(), &spec).unwrap()))
    });
    g.finish();
}

/// Typed columns of `n` comparisons (5% mated, 8 groups; subject ids when
/// `subjects` > 0, mated pairs sharing one): scores, mated, group codes,
/// subjects a and b.
#[allow(clippy::type_complexity)]
fn columns(n: usize, subjects: u32) -> (Vec<f64>, Vec<bool>, Vec<u32>, Vec<u32>, Vec<u32>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let (mut score, mut mated, mut group) = (Vec::new(), Vec::new(), Vec::new());
    let (mut subject_a, mut subject_b) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let m = rng.random_bool(0.05);
        let g = rng.random_range(0..8u32);
        score.push(rng.random::<f64>() * 0.5 + if m { 0.5 } else { 0.02 * g as f64 });
        mated.push(m);
        group.push(g);
        if subjects > 0 {
            // Subject s is in group s mod 8.
            let a = rng.random_range(0..subjects / 8) * 8 + g;
            subject_a.push(a);
            subject_b.push(if m {
                a
            } else {
                (a + 8 * rng.random_range(1..subjects / 8)) % subjects
            });
        }
    }
    (score, mated, group, subject_a, subject_b)
}

/// The library path: typed columns built into comparisons, then audited
/// (10^6 comparisons, 8 groups); and 20 subject-bootstrap replicates of
/// 10^5 comparisons of 2,000 subjects. Short runs (`.ci/run` only builds them).
fn library(c: &mut Criterion) {
    let names: Vec<String> = (0..8).map(|g| format!("g{g}")).collect();
    let (score, mated, group, _, _) = columns(1_000_000, 0);
    let opts = VerifyOptions::default();
    let mut g = c.benchmark_group("library");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(score.len() as u64));
    g.bench_function("builder_and_audit_1M_comparisons_8_groups", |b| {
        b.iter(|| {
            let data = Comparisons::builder()
                .scores(&score[..])
                .mated(&mated[..])
                .attribute_codes("group", &group[..], &names)
                .build()
                .unwrap();
            black_box(audit(&data, &opts).unwrap())
        })
    });
    let (score, mated, group, subject_a, subject_b) = columns(100_000, 2_000);
    let data = Comparisons::builder()
        .scores(&score[..])
        .mated(&mated[..])
        .subject_codes(&subject_a[..], &subject_b[..])
        .attribute_codes("group", &group[..], &names)
        .build()
        .unwrap();
    let original = audit(&data, &opts).unwrap().values();
    let resampler = Resampler::new(&data, &opts, false);
    let spec = BootstrapSpec {
        replicates: 20,
        seed: 1,
        level: 0.95,
        rows: false,
        compare: None,
    };
    g.throughput(Throughput::Elements(score.len() as u64));
    g.bench_function("bootstrap_B20_100k_comparisons_2k_subjects", |b| {
        b.iter(|| black_box(bootstrap(&resampler, original.clone(), &spec).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, ingest, engine, streaming, bootstraps, library);
criterion_main!(benches);
