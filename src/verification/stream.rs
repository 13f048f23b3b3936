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
//! cross-group matrix, EER and every summary equal the in-memory audit's.
//! AUC, d′, DET points and score histograms use the reduced set: scores in an
//! unopened bucket count at its lower edge (relative error < 2^-8).
//!
//! A pass over a shard of the data yields a [`Partial`]; partials made with
//! the same [`Plan`] add up ([`Partial::merge`]), which is how shards are
//! audited apart and combined exactly.

use super::column::{prefix_sums, Column};
use super::{metrics, prepare, Prepared, VerifyOptions};
use crate::error::{Error, Location, Result};
use crate::groups::{Interner, MISSING};
use crate::input::accounting::{Accounting, Dropped};
use crate::input::npy::NpyColumn;
use crate::input::npy_dir::{CodeColumns, NpyComparisons};
use crate::input::{AttributeData, Comparisons, InputFile};
use crate::threshold::Policy;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

/// Key bits fixed by a bucket at each depth (depth 0: the whole key space).
const BITS: [u32; 5] = [0, 20, 36, 52, 64];

/// Counts in pages of 2^12 buckets, allocated when first touched: a cell's
/// scores fill a few pages, so memory follows the data, not the key space.
#[derive(Clone)]
struct Paged<T> {
    pages: Vec<Option<Box<[T]>>>,
}

const PAGE_BITS: u32 = 12;
const PAGE: usize = 1 << PAGE_BITS;

impl<T: Copy + Default + PartialEq + std::ops::AddAssign> Paged<T> {
    fn new(buckets: usize) -> Self {
        Paged {
            pages: vec![None; buckets.div_ceil(PAGE)],
        }
    }

    #[inline]
    fn add(&mut self, b: usize, n: T) {
        let page = self.pages[b >> PAGE_BITS]
            .get_or_insert_with(|| vec![T::default(); PAGE].into_boxed_slice());
        page[b & (PAGE - 1)] += n;
    }

    /// (bucket, count) of every non-zero count, ascending.
    fn nonzero(&self) -> impl Iterator<Item = (usize, T)> + '_ {
        self.pages.iter().enumerate().flat_map(|(p, page)| {
            page.iter().flat_map(move |page| {
                page.iter()
                    .enumerate()
                    .filter(|(_, &n)| n != T::default())
                    .map(move |(j, &n)| (p * PAGE + j, n))
            })
        })
    }
}

/// Buckets a node at `depth` − 1 splits into (the fan-out at `depth`).
fn fanout(depth: u8) -> usize {
    1 << (BITS[depth as usize] - BITS[depth as usize - 1])
}
/// Rows read and decoded at a time by one worker.
const BLOCK: usize = 1 << 16;
/// The version tag of partial files.
pub const FORMAT: &str = "biasbench-partial-1";

/// Order-preserving key of a score: for non-NaN a, b, `a < b ⇔ key(a) < key(b)`
/// and `a == b ⇔ key(a) == key(b)` (−0 and +0 share a key).
#[inline]
pub fn key(s: f64) -> u64 {
    let b = (s + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

/// The score of a key (inverse of [`key`] on keys of non-NaN scores).
pub fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// A bucket: the keys sharing their top `BITS[depth]` bits (`prefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Bucket {
    pub depth: u8,
    pub prefix: u64,
}

impl Bucket {
    fn of(k: u64, depth: u8) -> Bucket {
        Bucket {
            depth,
            prefix: k.checked_shr(64 - BITS[depth as usize]).unwrap_or(k),
        }
    }

    /// The lowest key of the bucket.
    fn low(&self) -> u64 {
        self.prefix
            .checked_shl(64 - BITS[self.depth as usize])
            .unwrap_or(self.prefix)
    }
}

/// What becomes of an opened bucket in the next pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Open {
    /// Counted again in 2^16 sub-buckets.
    Split,
    /// Every score kept.
    Collect,
}

/// The buckets opened so far; a pass's histograms have this shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub opened: BTreeMap<String, Open>,
}

impl Plan {
    fn name(b: Bucket) -> String {
        format!("{}:{:x}", b.depth, b.prefix)
    }

    fn get(&self, b: Bucket) -> Option<Open> {
        self.opened.get(&Self::name(b)).copied()
    }

    fn buckets(&self) -> Result<Vec<(Bucket, Open)>> {
        let mut out = self
            .opened
            .iter()
            .map(|(name, &open)| {
                let bad = || Error::Config(format!("plan: bad bucket name {name:?}"));
                let (d, p) = name.split_once(':').ok_or_else(bad)?;
                let depth: u8 = d.parse().map_err(|_| bad())?;
                let prefix = u64::from_str_radix(p, 16).map_err(|_| bad())?;
                if !(1..=3).contains(&depth) || prefix >> BITS[depth as usize] != 0 {
                    return Err(bad());
                }
                Ok((Bucket { depth, prefix }, open))
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|x| x.0);
        Ok(out)
    }

    /// The bucket holding score `s` that is neither opened nor a single key
    /// (`None`: `s` is known exactly).
    fn unresolved(&self, s: f64) -> Option<Bucket> {
        let k = key(s);
        for depth in 1..=3 {
            let b = Bucket::of(k, depth);
            match self.get(b) {
                Some(Open::Split) => continue,
                Some(Open::Collect) => return None,
                None => return Some(b),
            }
        }
        None
    }
}

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

/// One attribute as the partial records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaAttribute {
    pub name: String,
    pub source: String,
    pub per_side: bool,
    pub labels: Option<Vec<String>>,
    /// Codes per side, missing included (radix of the cell key).
    pub radix: u32,
}

/// One cell's histogram: counts of unopened buckets and exact scores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The cell: bit 0 the mated flag, then each attribute side's code + 1
    /// (0 = missing) in mixed radix.
    pub key: u64,
    /// (depth, prefix, count) of every non-empty unopened bucket, ascending.
    pub buckets: Vec<(u8, u64, u64)>,
    /// (score, count) of every collected score, ascending.
    pub exact: Vec<(f64, u64)>,
}

/// The mergeable aggregate of one pass over (a shard of) the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    pub format: String,
    pub options: VerifyOptions,
    pub attributes: Vec<SchemaAttribute>,
    pub plan: Plan,
    pub accounting: Accounting,
    pub inputs: Vec<InputFile>,
    pub cells: Vec<Cell>,
}

/// Drop reasons, as the table readers name them (a NaN score is a missing one).
const REASONS: [&str; 4] = [
    "missing score",
    "non-finite score",
    "unknown mated value",
    "missing group in every attribute",
];

/// The pass structure: node 0 splits all keys into depth-1 buckets; node j
/// splits the j-th split bucket. `child` codes: 0 leaf, 2j split into node
/// j, 2c + 1 collected into slot c.
struct Tree {
    child: Vec<Box<[u32]>>,
    /// Depth of each node's buckets.
    depth: Vec<u8>,
    /// Per node: (bucket, node) of each of its split buckets.
    splits: Vec<Vec<(usize, usize)>>,
    collected: Vec<Bucket>,
}

impl Tree {
    fn build(plan: &Plan) -> Result<Tree> {
        let mut child = vec![vec![0u32; fanout(1)].into_boxed_slice()];
        let mut depth = vec![1u8];
        let mut node_of: BTreeMap<Bucket, usize> = BTreeMap::new();
        let mut collected = Vec::new();
        for (b, open) in plan.buckets()? {
            let parent = if b.depth == 1 {
                0
            } else {
                *node_of
                    .get(&Bucket {
                        depth: b.depth - 1,
                        prefix: b.prefix >> (BITS[b.depth as usize] - BITS[b.depth as usize - 1]),
                    })
                    .ok_or_else(|| {
                        Error::Config(format!(
                            "plan: {} opened inside an unsplit bucket",
                            Plan::name(b)
                        ))
                    })?
            };
            let slot = (b.prefix as usize) & (fanout(b.depth) - 1);
            child[parent][slot] = match open {
                Open::Split => {
                    child.push(vec![0u32; fanout(b.depth + 1)].into_boxed_slice());
                    depth.push(b.depth + 1);
                    node_of.insert(b, child.len() - 1);
                    2 * (child.len() - 1) as u32
                }
                Open::Collect => {
                    collected.push(b);
                    2 * (collected.len() - 1) as u32 + 1
                }
            };
        }
        let splits = child
            .iter()
            .map(|c| {
                c.iter()
                    .enumerate()
                    .filter(|(_, &code)| code != 0 && code & 1 == 0)
                    .map(|(b, &code)| (b, (code >> 1) as usize))
                    .collect()
            })
            .collect();
        Ok(Tree {
            child,
            depth,
            splits,
            collected,
        })
    }
}

/// One worker's counts.
struct Acc {
    cell_of: Vec<u32>,
    keys: Vec<u64>,
    /// Per cell and node: a count per bucket (the top level in full passes only).
    counts: Vec<Vec<Paged<u32>>>,
    /// Per collected slot: (cell, score).
    exact: Vec<Vec<(u32, f64)>>,
    rows: u64,
    /// Per reason: count and first row.
    drops: [(u64, u64); REASONS.len()],
    first_values: [String; REASONS.len()],
    first_columns: [String; REASONS.len()],
}

/// How the cell key is laid out.
struct CellLayout {
    /// Multiplier of each attribute side (b only for per-side attributes).
    mult_a: Vec<u64>,
    mult_b: Vec<Option<u64>>,
    size: u64,
}

/// Largest cell-key space the streaming audit allocates a table for.
const MAX_CELL_KEYS: u64 = 1 << 22;

impl CellLayout {
    fn new(attrs: &[SchemaAttribute]) -> Result<CellLayout> {
        let mut mult = 2u64;
        let (mut mult_a, mut mult_b) = (Vec::new(), Vec::new());
        for a in attrs {
            mult_a.push(mult);
            mult = mult.saturating_mul(a.radix as u64 + 1);
            mult_b.push(a.per_side.then_some(mult));
            if a.per_side {
                mult = mult.saturating_mul(a.radix as u64 + 1);
            }
        }
        if mult > MAX_CELL_KEYS {
            return Err(Error::Config(format!(
                "streaming: {mult} possible group combinations exceed {MAX_CELL_KEYS}; give X.labels.txt files to bound the codes, or use fewer attributes"
            )));
        }
        Ok(CellLayout {
            mult_a,
            mult_b,
            size: mult,
        })
    }

    /// (mated, code + 1 of side a and side b per attribute; 0 = missing).
    fn decode(&self, attrs: &[SchemaAttribute], key: u64) -> (bool, Vec<(u64, u64)>) {
        let digit = |m: u64, radix: u32| (key / m) % (radix as u64 + 1);
        let sides = attrs
            .iter()
            .enumerate()
            .map(|(j, a)| {
                let x = digit(self.mult_a[j], a.radix);
                (x, self.mult_b[j].map_or(x, |m| digit(m, a.radix)))
            })
            .collect();
        (key & 1 == 1, sides)
    }
}

/// Reads the data once with `plan`, counting on all cores (bytes read go to
/// the [`crate::progress`] hook).
pub fn pass(
    data: &NpyComparisons,
    options: &VerifyOptions,
    plan: &Plan,
    inputs: Vec<InputFile>,
) -> Result<Partial> {
    pass_after(data, options, plan, inputs, None)
}

/// A pass that, given the partial of an earlier pass over the same data,
/// counts only the rows in buckets opened since and carries the rest over.
fn pass_after(
    data: &NpyComparisons,
    options: &VerifyOptions,
    plan: &Plan,
    inputs: Vec<InputFile>,
    earlier: Option<&Partial>,
) -> Result<Partial> {
    let attributes: Vec<SchemaAttribute> = data
        .attrs
        .iter()
        .map(|a| SchemaAttribute {
            name: a.name.clone(),
            source: a.source.clone(),
            per_side: a.side_b.is_some(),
            labels: a.labels.clone(),
            radix: a.radix(),
        })
        .collect();
    let layout = CellLayout::new(&attributes)?;
    let tree = Tree::build(plan)?;
    // Parts of at most 2^32 − 1 rows keep the u32 counters from overflowing.
    let parts = (rayon::current_num_threads() as u64)
        .max(data.len.div_ceil(u32::MAX as u64))
        .min(data.len);
    let bounds: Vec<u64> = (0..=parts).map(|i| data.len * i / parts).collect();
    let failed = AtomicU64::new(u64::MAX);
    let accs: Vec<Acc> = (0..parts as usize)
        .into_par_iter()
        .map(|p| {
            count_range(
                data,
                options.distance,
                &layout,
                &tree,
                bounds[p]..bounds[p + 1],
                &failed,
                earlier.is_none(),
            )
        })
        .collect::<Vec<Result<Acc>>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let mut part = reduce_parts(data, options, plan, inputs, attributes, &tree, accs);
    if let Some(e) = earlier {
        part.carry_top_level(e);
    }
    Ok(part)
}

#[allow(clippy::too_many_arguments)]
fn count_range(
    data: &NpyComparisons,
    distance: bool,
    layout: &CellLayout,
    tree: &Tree,
    range: std::ops::Range<u64>,
    failed: &AtomicU64,
    full: bool,
) -> Result<Acc> {
    let mut acc = Acc {
        cell_of: vec![u32::MAX; layout.size as usize],
        keys: Vec::new(),
        counts: Vec::new(),
        exact: vec![Vec::new(); tree.collected.len()],
        rows: 0,
        drops: [(0, u64::MAX); REASONS.len()],
        first_values: Default::default(),
        first_columns: Default::default(),
    };
    let mut raw = Vec::new();
    let (mut score, mut mated, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
    let mut codes: Vec<(Vec<u32>, Vec<u32>)> =
        data.attrs.iter().map(|_| Default::default()).collect();
    let row_bytes: u64 = data.files().iter().map(|(_, c)| c.width as u64).sum();
    let root_child = &tree.child[0];
    // Code + 1 of each group code (0: missing, i.e. an empty label).
    let digit_of = |a: &CodeColumns| {
        let blank: Vec<bool> = a.labels.iter().flatten().map(|l| l.is_empty()).collect();
        let radix = a.radix();
        move |x: f64| digit(x, radix, &blank)
    };
    let digit_fns: Vec<_> = data.attrs.iter().map(digit_of).collect();
    let mated_of = |x: f64| match x {
        0.0 => Some(0),
        1.0 => Some(1),
        _ => None,
    };
    let mut hits: Vec<usize> = Vec::new();
    let mut start = range.start;
    while start < range.end {
        // Another worker met a bad value earlier in the file: stop.
        if failed.load(Ordering::Relaxed) < start {
            break;
        }
        let rows = (range.end - start).min(BLOCK as u64) as usize;
        data.score.read_raw(start, rows, &mut raw)?;
        data.score.decode(&raw, &mut score);
        // Not full: only rows in opened buckets count (the rest is known).
        hits.clear();
        if !full {
            let sign = if distance { -1.0 } else { 1.0 };
            hits.extend((0..rows).filter(|&i| {
                let k = key(sign * score[i] + 0.0);
                score[i].is_finite() && root_child[(k >> (64 - BITS[1])) as usize] != 0
            }));
            if hits.is_empty() {
                crate::progress::advance(rows as u64 * row_bytes);
                start += rows as u64;
                continue;
            }
        }
        data.mated.read_raw(start, rows, &mut raw)?;
        data.mated.digits(&raw, &mated_of, &mut numbers, &mut mated);
        for ((a, d), (ca, cb)) in data.attrs.iter().zip(&digit_fns).zip(codes.iter_mut()) {
            a.side_a.read_raw(start, rows, &mut raw)?;
            a.side_a.digits(&raw, d, &mut numbers, ca);
            if let Some(b) = &a.side_b {
                b.read_raw(start, rows, &mut raw)?;
                b.digits(&raw, d, &mut numbers, cb);
            }
        }
        if full {
            hits.extend(0..rows);
        }
        for &i in &hits {
            let row = start + i as u64;
            let drop = |acc: &mut Acc, reason: usize, column: &str, value: String| {
                if !full {
                    return; // counted in the full pass
                }
                let d = &mut acc.drops[reason];
                d.0 += 1;
                if row < d.1 {
                    d.1 = row;
                    acc.first_values[reason] = value;
                    acc.first_columns[reason] = column.to_string();
                }
            };
            let s = score[i];
            if !s.is_finite() {
                let (reason, value) = if s.is_nan() { (0, "") } else { (1, "inf") };
                let value = if s < 0.0 { "-inf" } else { value };
                drop(&mut acc, reason, "score", value.to_string());
                continue;
            }
            let m = match mated[i] {
                NOT_A_DIGIT => {
                    let x = data.mated.value_at(row)?;
                    drop(&mut acc, 2, "mated", x.to_string());
                    continue;
                }
                m => m == 1,
            };
            let mut cell = m as u64;
            let mut placeable = data.attrs.is_empty();
            for (j, a) in data.attrs.iter().enumerate() {
                let (da, db) = (codes[j].0[i], codes[j].1.get(i).copied());
                if da == NOT_A_DIGIT {
                    return Err(bad_code(a, &a.side_a, row, failed));
                }
                let db = match (&a.side_b, db) {
                    (Some(col), Some(NOT_A_DIGIT)) => return Err(bad_code(a, col, row, failed)),
                    (Some(_), Some(d)) => d,
                    _ => da,
                };
                let (da, db) = (da as u64, db as u64);
                cell += da * layout.mult_a[j];
                if let Some(mb) = layout.mult_b[j] {
                    cell += db * mb;
                }
                placeable |= if m {
                    da > 0 || db > 0
                } else {
                    da > 0 && db > 0
                };
            }
            if !placeable {
                drop(&mut acc, 3, &data.attrs[0].name, String::new());
                continue;
            }
            let c = match acc.cell_of[cell as usize] {
                u32::MAX => {
                    acc.cell_of[cell as usize] = acc.keys.len() as u32;
                    acc.keys.push(cell);
                    acc.counts
                        .push(tree.depth.iter().map(|&d| Paged::new(fanout(d))).collect());
                    acc.keys.len() - 1
                }
                c => c as usize,
            };
            let s = if distance { -s + 0.0 } else { s };
            let k = key(s);
            // The top level inline (most rows end there), deeper levels in the loop.
            let b = (k >> (64 - BITS[1])) as usize;
            let counts = &mut acc.counts[c];
            if full {
                counts[0].add(b, 1);
            }
            let mut code = root_child[b];
            while code != 0 {
                if code & 1 == 1 {
                    acc.exact[(code >> 1) as usize].push((c as u32, s));
                    break;
                }
                let node = (code >> 1) as usize;
                let d = tree.depth[node];
                let b =
                    (k.checked_shr(64 - BITS[d as usize]).unwrap_or(k) as usize) & (fanout(d) - 1);
                counts[node].add(b, 1);
                code = tree.child[node][b];
            }
        }
        acc.rows += rows as u64;
        crate::progress::advance(rows as u64 * row_bytes);
        start += rows as u64;
    }
    Ok(acc)
}

/// What [`NpyColumn::digits`] writes for a value that maps to no digit.
const NOT_A_DIGIT: u32 = u32::MAX;

/// Code + 1 of a group code (0 when its label is empty: missing); `None`
/// when it is not a whole number below `radix`.
#[inline]
fn digit(x: f64, radix: u32, blank: &[bool]) -> Option<u32> {
    if x >= 0.0 && x < radix as f64 && (x as u32) as f64 == x {
        let c = x as u32;
        Some(if blank.get(c as usize) == Some(&true) {
            0
        } else {
            c + 1
        })
    } else {
        None
    }
}

/// The error of a bad group code (and the row, so later workers stop).
#[cold]
fn bad_code(a: &CodeColumns, col: &NpyColumn, row: u64, failed: &AtomicU64) -> Error {
    failed.fetch_min(row, Ordering::Relaxed);
    let value = match col.value_at(row) {
        Ok(x) => x.to_string(),
        Err(e) => return e,
    };
    Error::BadValue {
        location: Location {
            file: col.path.display().to_string(),
            line: row + 1,
            column: a.name.clone(),
            value,
        },
        message: format!(
            "group codes must be whole numbers 0 to {}{}",
            a.radix() - 1,
            if a.labels.is_some() {
                ", one per line of the labels file"
            } else {
                ""
            }
        ),
    }
}

/// Adds the workers' counts into a partial (cells ascending by key).
#[allow(clippy::too_many_arguments)]
fn reduce_parts(
    data: &NpyComparisons,
    options: &VerifyOptions,
    plan: &Plan,
    inputs: Vec<InputFile>,
    attributes: Vec<SchemaAttribute>,
    tree: &Tree,
    accs: Vec<Acc>,
) -> Partial {
    let mut totals: BTreeMap<u64, Vec<Paged<u64>>> = BTreeMap::new();
    let mut exact: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    let mut accounting = Accounting::default();
    let mut firsts: Vec<(u64, usize, String, String)> = Vec::new();
    let mut dropped = [0u64; REASONS.len()];
    let mut first: [(u64, String, String); REASONS.len()] = Default::default();
    first.iter_mut().for_each(|f| f.0 = u64::MAX);
    for acc in accs {
        accounting.rows += acc.rows;
        for (c, &k) in acc.keys.iter().enumerate() {
            let t = totals
                .entry(k)
                .or_insert_with(|| tree.depth.iter().map(|&d| Paged::new(fanout(d))).collect());
            for (into, from) in t.iter_mut().zip(&acc.counts[c]) {
                for (b, n) in from.nonzero() {
                    into.add(b, n as u64);
                }
            }
        }
        for slot in &acc.exact {
            for &(c, s) in slot {
                exact.entry(acc.keys[c as usize]).or_default().push(s);
            }
        }
        for r in 0..REASONS.len() {
            dropped[r] += acc.drops[r].0;
            if acc.drops[r].1 < first[r].0 {
                first[r] = (
                    acc.drops[r].1,
                    acc.first_columns[r].clone(),
                    acc.first_values[r].clone(),
                );
            }
        }
    }
    for r in 0..REASONS.len() {
        if dropped[r] > 0 {
            firsts.push((first[r].0, r, first[r].1.clone(), first[r].2.clone()));
        }
    }
    firsts.sort();
    let column_file = |column: &str| match column {
        "score" => data.score.path.display().to_string(),
        "mated" => data.mated.path.display().to_string(),
        _ => data.attrs[0].side_a.path.display().to_string(),
    };
    for (row, r, column, value) in firsts {
        accounting.dropped.push(Dropped {
            reason: REASONS[r].to_string(),
            count: dropped[r],
            first: Location {
                file: column_file(&column),
                line: row + 1,
                column,
                value,
            },
        });
    }
    accounting.used = accounting.rows - accounting.dropped_total();
    // Which (node, slot) pairs are opened: their counts live deeper.
    let cells = totals
        .into_iter()
        .map(|(k, counts)| {
            let mut buckets = Vec::new();
            leaves(tree, &counts, 0, 1, 0, &mut buckets);
            buckets.sort_unstable();
            let mut values = exact.remove(&k).unwrap_or_default();
            values.sort_unstable_by(f64::total_cmp);
            Cell {
                key: k,
                buckets,
                exact: runs(&values),
            }
        })
        .collect();
    Partial {
        format: FORMAT.into(),
        options: options.clone(),
        attributes,
        plan: plan.clone(),
        accounting,
        inputs,
        cells,
    }
}

/// Collects (depth, prefix, count) of the non-empty unopened buckets under `node`.
fn leaves(
    tree: &Tree,
    counts: &[Paged<u64>],
    node: usize,
    depth: u8,
    base: u64,
    out: &mut Vec<(u8, u64, u64)>,
) {
    let prefix = |b: usize| base << (BITS[depth as usize] - BITS[depth as usize - 1]) | b as u64;
    for (b, n) in counts[node].nonzero() {
        // Opened buckets are counted deeper (split) or kept exactly (collected).
        if tree.child[node][b] == 0 {
            out.push((depth, prefix(b), n));
        }
    }
    for &(b, child) in &tree.splits[node] {
        leaves(tree, counts, child, depth + 1, prefix(b), out);
    }
}

/// Equal neighbours of sorted scores as (score, count).
fn runs(sorted: &[f64]) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for &s in sorted {
        match out.last_mut() {
            Some((v, n)) if *v == s => *n += 1,
            _ => out.push((s, 1)),
        }
    }
    out
}

impl Partial {
    /// Adds another partial made with the same options, attributes and plan.
    pub fn merge(&mut self, other: Partial) -> Result<()> {
        let differ = |what: &str| {
            Err(Error::Config(format!(
                "partials differ in their {what}; only partials of one audit (same flags, same plan) merge"
            )))
        };
        if other.format != self.format {
            return differ("format");
        }
        if other.options != self.options {
            return differ("options");
        }
        if other.attributes != self.attributes {
            return differ("attributes");
        }
        if other.plan != self.plan {
            return differ("plan");
        }
        let acc = &mut self.accounting;
        acc.rows += other.accounting.rows;
        acc.used += other.accounting.used;
        for d in other.accounting.dropped {
            match acc.dropped.iter_mut().find(|x| x.reason == d.reason) {
                Some(x) => x.count += d.count,
                None => acc.dropped.push(d),
            }
        }
        self.inputs.extend(other.inputs);
        let mut cells: BTreeMap<u64, Cell> = std::mem::take(&mut self.cells)
            .into_iter()
            .map(|c| (c.key, c))
            .collect();
        for c in other.cells {
            let into = cells.entry(c.key).or_insert_with(|| Cell {
                key: c.key,
                ..Default::default()
            });
            let mut b: BTreeMap<(u8, u64), u64> =
                into.buckets.iter().map(|&(d, p, n)| ((d, p), n)).collect();
            for (d, p, n) in c.buckets {
                *b.entry((d, p)).or_default() += n;
            }
            into.buckets = b.into_iter().map(|((d, p), n)| (d, p, n)).collect();
            let mut e: Vec<(f64, u64)> = into.exact.iter().copied().chain(c.exact).collect();
            e.sort_by(|x, y| x.0.total_cmp(&y.0));
            let mut merged: Vec<(f64, u64)> = Vec::with_capacity(e.len());
            for (s, n) in e {
                match merged.last_mut() {
                    Some((v, m)) if *v == s => *m += n,
                    _ => merged.push((s, n)),
                }
            }
            into.exact = merged;
        }
        self.cells = cells.into_values().collect();
        Ok(())
    }

    /// Takes the accounting and the still unopened top-level buckets from the
    /// partial of an earlier pass over the same data (this pass counted only
    /// rows in opened buckets).
    fn carry_top_level(&mut self, earlier: &Partial) {
        self.accounting = earlier.accounting.clone();
        let mut cells: BTreeMap<u64, Cell> = std::mem::take(&mut self.cells)
            .into_iter()
            .map(|c| (c.key, c))
            .collect();
        for e in &earlier.cells {
            let cell = cells.entry(e.key).or_insert_with(|| Cell {
                key: e.key,
                ..Default::default()
            });
            cell.buckets
                .extend(e.buckets.iter().filter(|&&(depth, prefix, _)| {
                    depth == 1 && self.plan.get(Bucket { depth, prefix }).is_none()
                }));
            cell.buckets.sort_unstable();
        }
        self.cells = cells
            .into_values()
            .filter(|c| !c.buckets.is_empty() || !c.exact.is_empty())
            .collect();
    }

    /// The reduced comparison set: one row per exact score and per unopened
    /// bucket (at its lowest score), each with its count.
    pub fn comparisons(&self) -> Result<Comparisons> {
        let layout = CellLayout::new(&self.attributes)?;
        let mut c = Comparisons {
            score: Vec::new(),
            mated: Vec::new(),
            subject_a: Vec::new(),
            subject_b: Vec::new(),
            n_subjects: 0,
            attributes: Vec::new(),
            accounting: self.accounting.clone(),
            inputs: self.inputs.clone(),
            count: Vec::new(),
        };
        let mut codes: Vec<(Vec<u32>, Vec<u32>)> =
            self.attributes.iter().map(|_| Default::default()).collect();
        for cell in &self.cells {
            let (m, sides) = layout.decode(&self.attributes, cell.key);
            let rows = cell
                .buckets
                .iter()
                .map(|&(d, p, n)| {
                    (
                        unkey(
                            Bucket {
                                depth: d,
                                prefix: p,
                            }
                            .low(),
                        ),
                        n,
                    )
                })
                .chain(cell.exact.iter().copied());
            for (s, n) in rows {
                c.score.push(s);
                c.mated.push(m);
                c.count.push(n);
                for (j, &(a, b)) in sides.iter().enumerate() {
                    let code = |x: u64| if x == 0 { MISSING } else { x as u32 - 1 };
                    codes[j].0.push(code(a));
                    codes[j].1.push(code(b));
                }
            }
        }
        for (a, (mut side_a, mut side_b)) in self.attributes.iter().zip(codes) {
            // Name the codes seen, then number them in name order (as from a table).
            let mut seen: BTreeSet<u32> = side_a.iter().chain(&side_b).copied().collect();
            seen.remove(&MISSING);
            let mut names = Interner::default();
            let mut by_code = vec![MISSING; a.radix as usize];
            for &code in &seen {
                let name = match &a.labels {
                    Some(l) => l[code as usize].clone(),
                    None => code.to_string(),
                };
                by_code[code as usize] = names.intern(name.as_bytes());
            }
            let (values, remap) = names.into_sorted();
            for x in side_a.iter_mut().chain(side_b.iter_mut()) {
                if *x != MISSING {
                    *x = remap[by_code[*x as usize] as usize];
                }
            }
            c.attributes.push(AttributeData {
                name: a.name.clone(),
                source: a.source.clone(),
                values,
                side_a,
                side_b,
            });
        }
        Ok(c)
    }

    /// Comparisons per bucket over all cells (for choosing split or collect).
    fn bucket_totals(&self) -> BTreeMap<Bucket, u64> {
        let mut out = BTreeMap::new();
        for c in &self.cells {
            for &(depth, prefix, n) in &c.buckets {
                *out.entry(Bucket { depth, prefix }).or_default() += n;
            }
        }
        out
    }

    /// The plan of the next pass, or `None` when the results are exact.
    pub fn next_plan(&self, c: &Comparisons, limits: StreamLimits) -> Option<Plan> {
        let need = unresolved(
            c,
            &prepare(c, &self.options, true),
            &self.options,
            &self.plan,
        );
        if need.is_empty() {
            return None;
        }
        let totals = self.bucket_totals();
        let mut plan = self.plan.clone();
        for b in need {
            let n = totals.get(&b).copied().unwrap_or(0);
            let open = if n <= limits.collect {
                Open::Collect
            } else {
                Open::Split
            };
            plan.opened.insert(Plan::name(b), open);
        }
        Some(plan)
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
/// the true thresholds with their true |FMR − FNMR|, which falls then rises;
/// if its minimiser and the next lower score of the group are exact, no
/// hidden threshold with a smaller gap exists (hidden thresholds above the
/// minimiser sit beyond the sign change, where the gap only grows), so it is
/// the true minimiser. A fixed threshold needs its own bucket exact.
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
    let by_count = |r: usize| c.count[r] as f64;
    let order_statistic = |col: Column, alpha: f64, exact: &mut dyn FnMut(f64)| {
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
    let pool_prefix = prefix_sums(&p.pool_rows, by_count);
    let pool = Column::weighted(&p.pool, &pool_prefix);
    for policy in &p.policies {
        match *policy {
            Policy::GlobalFmr { alpha, .. } => order_statistic(pool, alpha, &mut exact),
            Policy::Fixed { threshold, .. } => exact(if opts.distance {
                -threshold + 0.0
            } else {
                threshold
            }),
            Policy::GroupFmr { .. } => {}
        }
    }
    for (v, s) in p.views.iter().zip(&p.scores) {
        let w = Some(s.prefixes(&by_count));
        for g in 0..v.groups.len() {
            let (m, n) = (s.mated_column(g, &w), s.pair_column(g, g, &w));
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

/// Runs passes until the results are exact; returns the reduced comparisons
/// and the number of passes.
pub fn run(
    data: &NpyComparisons,
    options: &VerifyOptions,
    limits: StreamLimits,
    inputs: Vec<InputFile>,
) -> Result<(Comparisons, usize)> {
    let mut plan = Plan::default();
    let mut earlier: Option<Partial> = None;
    for n in 1.. {
        crate::progress::start(&format!("pass {n}"), data.bytes());
        let part = pass_after(data, options, &plan, inputs.clone(), earlier.as_ref());
        crate::progress::finish();
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
    use crate::input::npy::tests::write_npy;
    use crate::input::{Table, VerifyColumns};
    use crate::threshold::Policy;
    use crate::verification::{audit, evaluate};
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
            None,
        )
        .unwrap()
    }

    /// The report without the values the streaming audit only approximates.
    fn exact_part(r: &crate::verification::VerifyResult) -> serde_json::Value {
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
                opts.impostors = crate::verification::Impostors::SameGroup;
            }
            let cols = VerifyColumns {
                attrs: attrs(),
                distance,
                ..Default::default()
            };
            let memory = audit(&Comparisons::read(csv(&rows), &cols).unwrap(), &opts).unwrap();
            let src = NpyComparisons::open(dir.path(), "score", "mated", &attrs()).unwrap();
            let (c, passes) = run(&src, &opts, StreamLimits { collect }, Vec::new()).unwrap();
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
        let shards: Vec<tempfile::TempDir> = rows
            .chunks(700)
            .map(|chunk| {
                let d = tempfile::tempdir().unwrap();
                write_dir(d.path(), chunk);
                d
            })
            .collect();
        let limits = StreamLimits { collect: 8 };
        let mut plan = Plan::default();
        let merged = loop {
            let mut parts = shards.iter().map(|d| {
                let src = NpyComparisons::open(d.path(), "score", "mated", &attrs()).unwrap();
                pass(&src, &opts, &plan, Vec::new()).unwrap()
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
        let (c, _) = run(&src, &opts, limits, Vec::new()).unwrap();
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
        let (c, _) = run(&src, &opts, StreamLimits::default(), Vec::new()).unwrap();
        let d = &c.accounting.dropped;
        assert_eq!(
            (d[0].reason.as_str(), d[0].first.line),
            ("missing score", 4)
        );
        assert_eq!(
            (d[1].reason.as_str(), d[1].first.line),
            ("missing group in every attribute", 8)
        );
        assert!(c.accounting.balanced());
        rows[20].4 = 5; // sex has two labels
        write_dir(dir.path(), &rows);
        let src = NpyComparisons::open(dir.path(), "score", "mated", &attrs()).unwrap();
        let e = run(&src, &opts, StreamLimits::default(), Vec::new()).unwrap_err();
        assert!(
            e.to_string()
                .contains("sex.npy:21: column 'sex', value \"5\""),
            "{e}"
        );
    }
}
