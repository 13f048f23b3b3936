//! The streaming 1:1 audit: bounded memory, exact thresholds and rates.
//!
//! Scores never sit in memory all at once. Each pass over the data counts
//! every comparison into a histogram of its *cell* (mated flag and group codes
//! of both sides) on an order-preserving integer [`key`] of its score: 2^20
//! buckets on the top 20 bits (sign, exponent and 8 mantissa bits, so a
//! bucket spans under 0.4% of its scores' magnitude). Buckets that a result
//! depends on are *opened* for the next pass: split on the next 16 bits (then
//! 16, then the last 12), or, when they hold at most
//! [`StreamLimits::collect`] comparisons, collected score by score. A bucket
//! at depth 4 is one key, i.e. one score, and so exact by itself.
//!
//! After a pass the histograms become a reduced comparison set — each exact
//! score with its count, each unopened bucket as one row at its lowest
//! possible score weighing its count — and the in-memory engine runs on it.
//! A result is exact when every score it hinges on is exact: the threshold of
//! each `global-fmr`/`group-fmr` target and the score just below it, each
//! fixed threshold's bucket, and each group's EER threshold (see
//! [`unresolved`] for why these suffice). Otherwise those buckets are opened
//! and the data read again; two passes are usual. Counts at every threshold
//! are then exact for every group and cell, so FMR, FNMR, TMR, accuracy, the
//! cross-group FMR, EER and every summary equal the in-memory audit's.
//! AUC, d′, DET points and score histograms use the reduced set: scores in an
//! unopened bucket count at its lower edge (relative error < 2^-8).
//!
//! A pass over a shard of the data yields a [`Partial`]; partials made with
//! the same [`Plan`] add up ([`Partial::merge`]), which is how shards are
//! audited apart and combined exactly.
//!
//! # Partial and plan files
//!
//! A partial file (format [`FORMAT`], `biasbench-partial-2`) is the JSON of
//! a [`Partial`]: the format tag, a `checksum` (hex SHA-256 of every other
//! field serialised in order, [`Partial::digest`]), the options, the
//! attributes with their labels, the plan, the accounting, the shard's
//! input files (path, size, SHA-256, rows) and the cells. On load
//! ([`Partial::read`]) a partial of another format version is refused
//! (write it again with this version), then a checksum that does not match
//! (the file was edited or damaged), then anything the structure rules out:
//! options `verify` would refuse, a plan opening more buckets than the
//! audit could, accounting that does not add up (rows = used + dropped, the
//! cells' counts = used, every input's rows = rows read: a shard is read
//! whole). Merging ([`Partial::merge_all`]) refuses a shard twice — the same
//! checksum, or the same inputs (SHA-256, size and rows of each; not
//! detectable with `--no-hash`) — and partials whose format, options,
//! attributes or plan differ, naming the file and the first field that
//! differs. The checksum guards against edits and damage, not forgery.
//!
//! A plan file is the JSON of a [`Plan`]: the opened buckets by name
//! (`DEPTH:HEX_PREFIX`, `split` or `collect`). A plan opening more buckets
//! than an audit with its thresholds and attributes could (see
//! `max_opened`) is refused before any row is read; an opened bucket
//! costs memory only where rows fall in it.

mod buckets;
mod partial;
mod pass;

pub use buckets::{key, unkey, Bucket, Open, Plan, FORMAT};
pub use partial::{Cell, Partial, SchemaAttribute};
pub use pass::pass;
use pass::pass_after;

use super::{metrics, prepare, Prepared, VerifyOptions};
use crate::counts::column::{prefix_sums, Column};
use crate::counts::threshold::{Policy, Target};
use crate::error::Result;
use crate::input::npy_dir::NpyComparisons;
use crate::input::sense::ScoreSense;
use crate::input::{Comparisons, InputFile};
use crate::progress::Progress;
use std::collections::BTreeSet;

/// Memory limits of the streaming audit.
#[derive(Debug, Clone, Copy)]
pub struct StreamLimits {
    /// Largest bucket (in comparisons) collected score by score; larger ones are split.
    pub collect: u64,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits { collect: 1 << 21 }
    }
}

/// The unopened buckets the results hinge on.
///
/// With rows standing for unopened buckets at their lowest score, counts at
/// or above any exact score are exact. The order-statistic threshold of a
/// target is then exact when the chosen score is exact (else it stands for
/// its bucket's unknown minimum) and the pool's next lower score is exact
/// (else higher scores inside that bucket might qualify); with no qualifying
/// score, the top score must be exact. The EER scan visits a subsequence of
/// the true thresholds with their true counts, and FMR − FNMR falls strictly
/// along them. If its choice and the next lower score of the group are
/// exact, that score and the next reduced row are the choice's true
/// neighbours (a row at an unopened bucket's lower edge has the counts of
/// the bucket's lowest score). Every hidden threshold lies below that score
/// or above that row, where |FMR − FNMR| is larger than at the choice; so
/// the choice, including how a tie between neighbours is broken (from the
/// exact counts), is the true one. A fixed threshold needs its own bucket
/// exact.
fn unresolved(
    c: &Comparisons,
    p: &Prepared,
    opts: &VerifyOptions,
    plan: &Plan,
) -> BTreeSet<Bucket> {
    let mut need = BTreeSet::new();
    let mut exact = |s: f64| {
        if let Some(b) = plan.unresolved(s) {
            need.insert(b);
        }
    };
    let by_count = |r: u32| c.count[r as usize];
    let order_statistic = |col: Column, alpha: Target, exact: &mut dyn FnMut(f64)| {
        if let Some(t) = col.fmr_threshold(alpha) {
            let i = col.scores.partition_point(|&x| x < t);
            match col.scores.get(i) {
                None => exact(col.scores[i - 1]),
                Some(&s) => {
                    exact(s);
                    if i > 0 {
                        exact(col.scores[i - 1]);
                    }
                }
            }
        }
    };
    let pool_prefix = prefix_sums(p.pool_rows(), by_count);
    let pool = Column::weighted(p.pool(), &pool_prefix);
    for policy in &p.policies {
        match *policy {
            Policy::GlobalFmr { alpha, .. } => order_statistic(pool, alpha, &mut exact),
            Policy::Fixed { threshold, .. } => {
                exact(ScoreSense::from_distance(opts.distance).internal(threshold))
            }
            Policy::GroupFmr { .. } => {}
        }
    }
    for (v, s) in p.views.iter().zip(&p.scores) {
        let w = Some(s.prefixes(by_count));
        for g in 0..v.groups.len() {
            let (m, n) = (s.mated_column(g, &w), s.same_group_column(g, &w));
            for policy in &p.policies {
                if let Policy::GroupFmr { alpha, .. } = *policy {
                    order_statistic(n, alpha, &mut exact);
                }
            }
            if let Some(e) = metrics::eer(m, n) {
                exact(e.threshold);
                let below = |c: &Column| {
                    let i = c.scores.partition_point(|&x| x < e.threshold);
                    i.checked_sub(1).map(|j| c.scores[j])
                };
                if let Some(b) = below(&m).into_iter().chain(below(&n)).reduce(f64::max) {
                    exact(b);
                }
            }
        }
    }
    need
}

/// Openings a score the results hinge on may need: one per depth it is
/// split to (three), with room for the score to move to a neighbouring
/// bucket as the buckets around it are opened.
const OPENINGS_PER_SCORE: u64 = 12;

/// The most buckets a plan of an audit with `options` over `attributes`
/// opens. Each pass opens only buckets that [`unresolved`] names: two
/// scores per global-fmr target (six targets when none is given), one per
/// fixed threshold, and per group of every view (at most the product of its
/// attributes' code counts) two per group-fmr target and two for its EER;
/// each such score needs at most [`OPENINGS_PER_SCORE`] openings.
pub(crate) fn max_opened(options: &VerifyOptions, attributes: &[SchemaAttribute]) -> u64 {
    let count = |f: fn(&Policy) -> bool| options.policies.iter().filter(|p| f(p)).count() as u64;
    let global = match options.policies.len() {
        0 => 6,
        _ => count(|p| matches!(p, Policy::GlobalFmr { .. })),
    };
    let fixed = count(|p| matches!(p, Policy::Fixed { .. }));
    let per_group = 2 * count(|p| matches!(p, Policy::GroupFmr { .. })) + 2;
    let radices = attributes.iter().map(|a| a.radix as u64);
    let mut groups: u64 = radices.clone().sum();
    if attributes.len() >= 2 {
        groups = groups.saturating_add(radices.fold(1u64, u64::saturating_mul));
    }
    let scores = (2 * global + fixed).saturating_add(groups.saturating_mul(per_group));
    scores.saturating_mul(OPENINGS_PER_SCORE)
}

/// Refuses a plan that opens more buckets than an audit with `options`
/// over `attributes` could (a plan not made by `biasbench merge` for it);
/// the error says why.
pub(crate) fn check_plan_size(
    plan: &Plan,
    options: &VerifyOptions,
    attributes: &[SchemaAttribute],
) -> std::result::Result<(), String> {
    let max = max_opened(options, attributes);
    match plan.opened.len() as u64 {
        n if n > max => Err(format!(
            "opens {n} buckets, but an audit with these thresholds and attributes opens at most {max}: it was not written by `biasbench merge` for this audit"
        )),
        _ => Ok(()),
    }
}

/// Runs passes until the results are exact; returns the reduced comparisons
/// and the number of passes. Each pass is a step reported to `progress`.
pub fn run(
    data: &NpyComparisons,
    options: &VerifyOptions,
    limits: StreamLimits,
    inputs: Vec<InputFile>,
    progress: &dyn Progress,
) -> Result<(Comparisons, usize)> {
    let mut plan = Plan::default();
    let mut earlier: Option<Partial> = None;
    for n in 1.. {
        progress.start(&format!("pass {n}"), data.bytes());
        let part = pass_after(
            data,
            options,
            &plan,
            inputs.clone(),
            earlier.as_ref(),
            progress,
        );
        progress.finish();
        let part = part?;
        let c = part.comparisons()?;
        match part.next_plan(&c, limits) {
            None => return Ok((c, n)),
            Some(next) => plan = next,
        }
        earlier = Some(part);
    }
    unreachable!("passes end when every bucket that matters is exact")
}

/// The note a streamed (or merged) report carries.
pub fn note(c: &Comparisons) -> String {
    format!(
        "streaming audit: {} histogram rows stand for the comparisons. Thresholds, FMR, FNMR, TMR, accuracy and EER are exact; AUC, d', DET points and score histograms count each unopened bucket at its lowest score (relative error < 2^-8)",
        c.score.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::threshold::Policy;
    use crate::engine::verify::{audit, evaluate};
    use crate::input::npy::tests::write_npy;
    use crate::input::Accounting;
    use crate::input::{Table, VerifyColumns};
    use crate::progress::NoProgress;
    use rand::{Rng, SeedableRng};
    use std::path::Path;

    #[test]
    fn keys_preserve_order_and_equality() {
        let xs = [
            -f64::MAX,
            -1.5,
            -1e-300,
            -0.0,
            0.0,
            1e-310,
            0.25,
            1.0,
            f64::MAX,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) <= key(w[1]), "{} {}", w[0], w[1]);
            assert_eq!(key(w[0]) == key(w[1]), w[0] == w[1]);
        }
        for x in xs {
            assert_eq!(unkey(key(x)), x + 0.0);
        }
        // Every depth-1 bucket holding a finite score starts at a finite score.
        for s in [-f64::MAX, -2.0, -1e-320, 0.0, 3.0, f64::MAX] {
            assert!(unkey(Bucket::of(key(s), 1).low()).is_finite());
        }
    }

    #[test]
    fn the_branch_free_key_is_the_sign_flip_it_stands_for() {
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let plain = |s: f64| {
            let b = (s + 0.0).to_bits();
            if b >> 63 == 1 {
                !b
            } else {
                b | 1 << 63
            }
        };
        for _ in 0..100_000 {
            let s = f64::from_bits(r.random::<u64>());
            if !s.is_nan() {
                assert_eq!(key(s), plain(s), "{s}");
            }
        }
    }

    #[test]
    fn top_counts_with_carries_match_a_plain_count() {
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut top = buckets::TopCounts::default();
        let mut plain = std::collections::BTreeMap::new();
        let mut cells = 0;
        // Few buckets, so counts pass 256 (and 65536) many times.
        let buckets: Vec<usize> = (0..40).map(|_| r.random_range(0..1 << 20)).collect();
        for _ in 0..300_000 {
            let c = r.random_range(0..3);
            while cells <= c {
                top.add_cell();
                cells += 1;
            }
            let b = buckets[r.random_range(0..buckets.len())];
            let (c, b) = if r.random_bool(0.5) { (c, b) } else { (0, 7) };
            top.add(c, b);
            *plain.entry((c, b)).or_insert(0u32) += 1;
        }
        let counted: std::collections::BTreeMap<(usize, usize), u32> = (0..cells)
            .flat_map(|c| {
                top.paged(c)
                    .nonzero()
                    .map(move |(b, n)| ((c, b), n))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(plain.values().any(|&n| n > 65_536));
        assert_eq!(counted, plain);
    }

    /// Random comparisons with many ties: (score, mated, race_a, race_b, sex).
    fn data(n: usize, seed: u64) -> Vec<(f64, bool, i8, i8, i8)> {
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let mated = r.random_bool(0.2);
                let shift = if mated { 1.0 } else { 0.0 };
                let s: f64 = if r.random_bool(0.5) {
                    (r.random_range(0..40) as f64) / 8.0 - 1.0 + shift // coarse: many ties
                } else {
                    r.random::<f64>() * 3.0 - 1.0 + shift
                };
                let g = |r: &mut rand_chacha::ChaCha8Rng, k: i8| {
                    if r.random_bool(0.05) {
                        -1
                    } else {
                        r.random_range(0..k)
                    }
                };
                let a = g(&mut r, 3);
                let b = if mated && r.random_bool(0.9) {
                    a
                } else {
                    g(&mut r, 3)
                };
                (s, mated, a, b, g(&mut r, 2))
            })
            .collect()
    }

    fn write_dir(dir: &Path, rows: &[(f64, bool, i8, i8, i8)]) {
        let n = rows.len();
        let f: Vec<u8> = rows.iter().flat_map(|r| r.0.to_le_bytes()).collect();
        write_npy(&dir.join("score.npy"), "<f8", n, &f);
        let m: Vec<u8> = rows.iter().map(|r| r.1 as u8).collect();
        write_npy(&dir.join("mated.npy"), "|b1", n, &m);
        // Missing (−1) becomes the code whose label is empty.
        for (name, col, blank) in [("race_a", 2, 3), ("race_b", 3, 3), ("sex", 4, 2)] {
            let v: Vec<u8> = rows
                .iter()
                .map(|r| [r.2, r.3, r.4][col - 2])
                .map(|x| if x < 0 { blank } else { x as u8 })
                .collect();
            write_npy(&dir.join(format!("{name}.npy")), "|u1", n, &v);
        }
        std::fs::write(dir.join("race.labels.txt"), "0\n1\n2\n\n").unwrap();
        std::fs::write(dir.join("sex.labels.txt"), "F\nM\n\n").unwrap();
    }

    fn csv(rows: &[(f64, bool, i8, i8, i8)]) -> Table {
        let cell = |x: i8| if x < 0 { String::new() } else { x.to_string() };
        let mut text = String::from("score,mated,race_a,race_b,sex\n");
        for r in rows {
            let sex = match r.4 {
                0 => "F",
                1 => "M",
                _ => "",
            };
            text += &format!("{},{},{},{},{sex}\n", r.0, r.1 as u8, cell(r.2), cell(r.3));
        }
        Table::from_reader(
            "c.csv".into(),
            Box::new(std::io::Cursor::new(text.into_bytes())),
            Default::default(),
        )
        .unwrap()
    }

    /// The report without the values the streaming audit only approximates.
    fn exact_part(r: &crate::engine::verify::VerifyResult) -> serde_json::Value {
        fn strip(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(m) => {
                    for k in ["auc", "dprime", "det", "histogram"] {
                        m.remove(k);
                    }
                    m.values_mut().for_each(strip);
                }
                serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
                _ => {}
            }
        }
        let mut v = serde_json::to_value(r).unwrap();
        strip(&mut v);
        v
    }

    /// The first path where two JSON values differ.
    fn first_difference(
        a: &serde_json::Value,
        b: &serde_json::Value,
        path: &str,
    ) -> Option<String> {
        use serde_json::Value::*;
        match (a, b) {
            (Object(x), Object(y)) => {
                x.keys()
                    .chain(y.keys())
                    .find_map(|k| match (x.get(k), y.get(k)) {
                        (Some(u), Some(v)) => first_difference(u, v, &format!("{path}.{k}")),
                        _ => Some(format!("{path}.{k}: present on one side only")),
                    })
            }
            (Array(x), Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (u, v))| first_difference(u, v, &format!("{path}[{i}]"))),
            _ if a == b => None,
            _ => Some(format!("{path}: {a} vs {b}")),
        }
    }

    fn options(distance: bool) -> VerifyOptions {
        VerifyOptions {
            policies: [
                "global-fmr:0.1",
                "global-fmr:0.01",
                "group-fmr:0.05",
                "fixed:0.5",
            ]
            .iter()
            .map(|p| Policy::parse(p).unwrap())
            .collect(),
            distance,
            ..Default::default()
        }
    }

    fn attrs() -> Vec<String> {
        vec!["race".into(), "sex".into()]
    }

    #[test]
    fn streamed_results_equal_the_in_memory_audit() {
        for (seed, distance, collect) in [(1, false, 4), (2, true, 1 << 20), (3, false, 0)] {
            let rows = data(3000, seed);
            let dir = tempfile::tempdir().unwrap();
            write_dir(dir.path(), &rows);
            let mut opts = options(distance);
            if seed == 3 {
                // Global thresholds from same-group non-mated comparisons only.
                opts.impostors = crate::engine::verify::Impostors::SameGroup;
            }
            let cols = VerifyColumns {
                attrs: attrs(),
                distance,
                ..Default::default()
            };
            let memory = audit(&Comparisons::read(csv(&rows), &cols).unwrap(), &opts).unwrap();
            let src = NpyComparisons::open(dir.path(), "score", "mated", &attrs()).unwrap();
            let (c, passes) = run(
                &src,
                &opts,
                StreamLimits { collect },
                Vec::new(),
                &NoProgress,
            )
            .unwrap();
            assert!(passes >= 2, "seed {seed}: {passes} passes");
            assert!(c.score.len() < rows.len(), "the reduced set is smaller");
            let streamed = evaluate(&c, &prepare(&c, &opts, true), &opts, None).unwrap();
            let diff = first_difference(&exact_part(&streamed), &exact_part(&memory), "");
            assert_eq!(diff, None, "seed {seed}");
            assert_eq!(c.accounting.rows, 3000);
        }
    }

    #[test]
    fn partials_of_shards_merge_to_the_whole() {
        let rows = data(2000, 7);
        let opts = options(false);
        // Shards named in row order: a merge lists them, and picks each drop
        // reason's first example, by name.
        let root = tempfile::tempdir().unwrap();
        let shards: Vec<std::path::PathBuf> = rows
            .chunks(700)
            .enumerate()
            .map(|(i, chunk)| {
                let d = root.path().join(format!("s{i}"));
                std::fs::create_dir(&d).unwrap();
                write_dir(&d, chunk);
                d
            })
            .collect();
        let limits = StreamLimits { collect: 8 };
        let mut plan = Plan::default();
        let merged = loop {
            let mut parts = shards.iter().map(|d| {
                let src = NpyComparisons::open(d, "score", "mated", &attrs()).unwrap();
                pass(&src, &opts, &plan, Vec::new(), &NoProgress).unwrap()
            });
            let mut whole = parts.next().unwrap();
            for p in parts {
                whole.merge(p).unwrap();
            }
            let c = whole.comparisons().unwrap();
            match whole.next_plan(&c, limits) {
                None => break c,
                Some(next) => plan = next,
            }
        };
        let one = tempfile::tempdir().unwrap();
        write_dir(one.path(), &rows);
        let src = NpyComparisons::open(one.path(), "score", "mated", &attrs()).unwrap();
        let (c, _) = run(&src, &opts, limits, Vec::new(), &NoProgress).unwrap();
        let eval = |c: &Comparisons| {
            serde_json::to_value(evaluate(c, &prepare(c, &opts, true), &opts, None).unwrap())
                .unwrap()
        };
        assert_eq!(eval(&merged), eval(&c));
        let counts = |a: &Accounting| {
            (
                a.rows,
                a.used,
                a.dropped
                    .iter()
                    .map(|d| (d.reason.clone(), d.count, d.first.line))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(counts(&merged.accounting), counts(&c.accounting));
    }

    #[test]
    fn drops_are_counted_and_bad_codes_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = data(50, 9);
        rows[3].0 = f64::NAN;
        rows[7].2 = -1;
        rows[7].3 = -1;
        rows[7].4 = -1;
        write_dir(dir.path(), &rows);
        let opts = options(false);
        let src = NpyComparisons::open(dir.path(), "score", "mated", &attrs()).unwrap();
        let (c, _) = run(
            &src,
            &opts,
            StreamLimits::default(),
            Vec::new(),
            &NoProgress,
        )
        .unwrap();
        let d = &c.accounting.dropped;
        assert_eq!(
            (d[0].reason.as_str(), d[0].first.line),
            ("missing score".into(), Some(4))
        );
        assert_eq!(
            (d[1].reason.as_str(), d[1].first.line),
            ("missing group in every attribute".into(), Some(8))
        );
        assert!(c.accounting.balanced());
        rows[20].4 = 5; // sex has two labels
        write_dir(dir.path(), &rows);
        let src = NpyComparisons::open(dir.path(), "score", "mated", &attrs()).unwrap();
        let e = run(
            &src,
            &opts,
            StreamLimits::default(),
            Vec::new(),
            &NoProgress,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("sex.npy:21: column 'sex', value \"5\""),
            "{e}"
        );
    }
}
