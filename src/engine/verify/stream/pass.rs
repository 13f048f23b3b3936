//! One pass over the `.npy` columns: every comparison counted into the
//! histogram of its cell on all cores, opened buckets refined or collected,
//! the workers' counts added into a [`Partial`].

use super::buckets::{fanout, key, Bucket, NodeCounts, Open, Plan, BITS, BLOCK, FORMAT};
use super::check_plan_size;
use super::partial::{Cell, Partial, SchemaAttribute};
use crate::engine::verify::VerifyOptions;
use crate::error::{Error, Position, Result};
use crate::input::accounting::{Accounting, DropReason};
use crate::input::npy::NpyColumn;
use crate::input::npy_dir::{CodeColumns, NpyComparisons};
use crate::input::sense::ScoreSense;
use crate::input::InputFile;
use crate::progress::Progress;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// The pass structure: node 0 splits all keys into depth-1 buckets; node j
/// splits the j-th split bucket. `child` codes: 0 leaf, 2j split into node
/// j, 2c + 1 collected into slot c. The top level is a table (most rows end
/// there); deeper nodes list only their opened buckets, so a plan costs
/// memory per opened bucket, not per possible one.
pub(super) struct Tree {
    root: Box<[u32]>,
    /// Per node ≥ 1: (bucket, code) of its opened buckets, ascending.
    deep: Vec<Vec<(u32, u32)>>,
    /// Depth of each node's buckets.
    depth: Vec<u8>,
    /// Per node: (bucket, node) of each of its split buckets.
    splits: Vec<Vec<(usize, usize)>>,
    collected: Vec<Bucket>,
}

impl Tree {
    pub(super) fn build(plan: &Plan) -> Result<Tree> {
        let mut tree = Tree {
            root: vec![0u32; fanout(1)].into_boxed_slice(),
            deep: vec![Vec::new()],
            depth: vec![1u8],
            splits: vec![Vec::new()],
            collected: Vec::new(),
        };
        let mut node_of: BTreeMap<Bucket, usize> = BTreeMap::new();
        // Ascending, so every parent comes before its children.
        for (b, open) in plan.buckets()? {
            // (`buckets` checked that every parent is split.)
            let parent = match b.parent() {
                None => 0,
                Some(p) => *node_of.get(&p).ok_or_else(|| {
                    Error::internal(format!(
                        "plan: {} opened inside an unsplit bucket",
                        Plan::name(b)
                    ))
                })?,
            };
            let slot = (b.prefix as usize) & (fanout(b.depth) - 1);
            let code = match open {
                Open::Split => {
                    tree.deep.push(Vec::new());
                    tree.depth.push(b.depth + 1);
                    tree.splits.push(Vec::new());
                    let node = tree.depth.len() - 1;
                    tree.splits[parent].push((slot, node));
                    node_of.insert(b, node);
                    2 * (tree.depth.len() - 1) as u32
                }
                Open::Collect => {
                    tree.collected.push(b);
                    2 * (tree.collected.len() - 1) as u32 + 1
                }
            };
            match parent {
                0 => tree.root[slot] = code,
                _ => tree.deep[parent].push((slot as u32, code)),
            }
        }
        Ok(tree)
    }

    /// The code of bucket `b` of `node`.
    #[inline]
    fn child(&self, node: usize, b: usize) -> u32 {
        if node == 0 {
            return self.root[b];
        }
        let list = &self.deep[node];
        match list.binary_search_by_key(&(b as u32), |e| e.0) {
            Ok(i) => list[i].1,
            Err(_) => 0,
        }
    }
}

/// One worker's counts.
pub(super) struct Acc {
    cell_of: Vec<u32>,
    keys: Vec<u64>,
    /// Per cell: a count per bucket of each node (the top level in full passes only).
    counts: Vec<NodeCounts<u32>>,
    /// Per collected slot: (cell, score).
    exact: Vec<Vec<(u32, f64)>>,
    /// Rows read and dropped (`used` is set when the parts are added up).
    accounting: Accounting,
}

/// How the cell key is laid out.
pub(super) struct CellLayout {
    /// Multiplier of each attribute side (b only for per-side attributes).
    mult_a: Vec<u64>,
    mult_b: Vec<Option<u64>>,
    pub(super) size: u64,
}

/// Largest cell-key space the streaming audit allocates a table for.
pub(super) const MAX_CELL_KEYS: u64 = 1 << 22;

impl CellLayout {
    /// The layout; the error says why there is none (its key space exceeds
    /// [`MAX_CELL_KEYS`]), for the caller to name the flag or file.
    pub(super) fn new(attrs: &[SchemaAttribute]) -> std::result::Result<CellLayout, String> {
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
            return Err(format!(
                "{mult} possible group combinations exceed {MAX_CELL_KEYS}; give X.labels.txt files to bound the codes, or use fewer attributes"
            ));
        }
        Ok(CellLayout {
            mult_a,
            mult_b,
            size: mult,
        })
    }

    /// (mated, code + 1 of side a and side b per attribute; 0 = missing).
    pub(super) fn decode(&self, attrs: &[SchemaAttribute], key: u64) -> (bool, Vec<(u64, u64)>) {
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
/// `progress`).
pub fn pass(
    data: &NpyComparisons,
    options: &VerifyOptions,
    plan: &Plan,
    inputs: Vec<InputFile>,
    progress: &dyn Progress,
) -> Result<Partial> {
    let mut part = pass_after(data, options, plan, inputs, None, progress)?;
    part.seal()?;
    Ok(part)
}

/// A pass that, given the partial of an earlier pass over the same data,
/// counts only the rows in buckets opened since and carries the rest over.
pub(super) fn pass_after(
    data: &NpyComparisons,
    options: &VerifyOptions,
    plan: &Plan,
    inputs: Vec<InputFile>,
    earlier: Option<&Partial>,
    progress: &dyn Progress,
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
    let layout = CellLayout::new(&attributes)
        .map_err(|why| Error::option("--attr", format!("(streaming audit): {why}")))?;
    check_plan_size(plan, options, &attributes).map_err(|why| Error::option("--plan", why))?;
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
                progress,
            )
        })
        .collect::<Vec<Result<Acc>>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let mut part = reduce_parts(options, plan, inputs, attributes, &tree, accs);
    if let Some(e) = earlier {
        part.carry_top_level(e);
    }
    Ok(part)
}

/// Counts rows `range` into one worker's [`Acc`]: the hot loop, kept whole
/// on purpose (the project's exception to the ~80-line rule). The per-row
/// work — drop checks and their bookkeeping, the cell key, the bucket walk
/// — stays inline, with no function call in the inner path; only the cold
/// error path ([`bad_code`]) and column reads per block leave it. Drops are
/// counted in full passes only; another worker's bad value stops the range.
#[allow(clippy::too_many_arguments)]
pub(super) fn count_range(
    data: &NpyComparisons,
    distance: bool,
    layout: &CellLayout,
    tree: &Tree,
    range: std::ops::Range<u64>,
    failed: &AtomicU64,
    full: bool,
    progress: &dyn Progress,
) -> Result<Acc> {
    let mut acc = Acc {
        cell_of: vec![u32::MAX; layout.size as usize],
        keys: Vec::new(),
        counts: Vec::new(),
        exact: vec![Vec::new(); tree.collected.len()],
        accounting: Accounting::default(),
    };
    let mut raw = Vec::new();
    let (mut score, mut mated, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
    let mut codes: Vec<(Vec<u32>, Vec<u32>)> =
        data.attrs.iter().map(|_| Default::default()).collect();
    let row_bytes: u64 = data.files().iter().map(|(_, c)| c.width as u64).sum();
    let root_child = &tree.root;
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
                progress.advance(rows as u64 * row_bytes);
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
            // Drops count in full passes only; a NaN score is a missing one
            // (as in the table readers).
            let drop = |acc: &mut Acc, reason, col: &NpyColumn, column: &str, value: String| {
                if full {
                    let first =
                        || Position::cell(col.path.display().to_string(), row + 1, column, value);
                    acc.accounting.drop_row(&reason, first);
                }
            };
            let s = score[i];
            if !s.is_finite() {
                let (reason, value) = if s.is_nan() {
                    (DropReason::MissingScore, "")
                } else {
                    (DropReason::NonFiniteScore, "inf")
                };
                let value = if s < 0.0 { "-inf" } else { value };
                drop(&mut acc, reason, &data.score, "score", value.to_string());
                continue;
            }
            let m = match mated[i] {
                NOT_A_DIGIT => {
                    let x = data.mated.value_at(row)?;
                    drop(
                        &mut acc,
                        DropReason::UnknownMated,
                        &data.mated,
                        "mated",
                        x.to_string(),
                    );
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
                let a = &data.attrs[0];
                drop(
                    &mut acc,
                    DropReason::MissingGroup,
                    &a.side_a,
                    &a.name,
                    String::new(),
                );
                continue;
            }
            let c = match acc.cell_of[cell as usize] {
                u32::MAX => {
                    acc.cell_of[cell as usize] = acc.keys.len() as u32;
                    acc.keys.push(cell);
                    acc.counts.push(NodeCounts::default());
                    acc.keys.len() - 1
                }
                c => c as usize,
            };
            let s = ScoreSense::from_distance(distance).internal(s);
            let k = key(s);
            // The top level inline (most rows end there), deeper levels in the loop.
            let b = (k >> (64 - BITS[1])) as usize;
            let counts = &mut acc.counts[c];
            if full {
                counts.top.add(b, 1);
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
                counts.node_mut(node as u32).add(b, 1);
                code = tree.child(node, b);
            }
        }
        acc.accounting.rows += rows as u64;
        progress.advance(rows as u64 * row_bytes);
        start += rows as u64;
    }
    Ok(acc)
}

/// What [`NpyColumn::digits`] writes for a value that maps to no digit.
pub(super) const NOT_A_DIGIT: u32 = u32::MAX;

/// Code + 1 of a group code (0 when its label is empty: missing); `None`
/// when it is not a whole number below `radix`.
#[inline]
pub(super) fn digit(x: f64, radix: u32, blank: &[bool]) -> Option<u32> {
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
pub(super) fn bad_code(a: &CodeColumns, col: &NpyColumn, row: u64, failed: &AtomicU64) -> Error {
    failed.fetch_min(row, Ordering::Relaxed);
    let value = match col.value_at(row) {
        Ok(x) => x.to_string(),
        Err(e) => return e,
    };
    Error::value(
        Position::row_cell(col.path.display().to_string(), row + 1, &a.name, value),
        format!(
            "group codes must be whole numbers 0 to {}{}",
            a.radix() - 1,
            if a.labels.is_some() {
                ", one per line of the labels file"
            } else {
                ""
            }
        ),
    )
}

/// Adds the workers' counts into a partial (cells ascending by key).
pub(super) fn reduce_parts(
    options: &VerifyOptions,
    plan: &Plan,
    inputs: Vec<InputFile>,
    attributes: Vec<SchemaAttribute>,
    tree: &Tree,
    accs: Vec<Acc>,
) -> Partial {
    let mut totals = Totals::default();
    let mut accounting = Accounting::default();
    for acc in accs {
        // Parts are in row order: a reason's first row is in the first part with it.
        accounting.merge(acc.accounting);
        totals.add(&acc.keys, &acc.counts, &acc.exact);
    }
    accounting.used = accounting.rows - accounting.dropped_total();
    Partial {
        format: FORMAT.into(),
        checksum: String::new(),
        options: options.clone(),
        attributes,
        plan: plan.clone(),
        accounting,
        inputs,
        cells: totals.cells(tree),
        origin: None,
    }
}

/// The workers' counts added up, per cell key.
#[derive(Default)]
struct Totals {
    /// Per cell: a count per bucket of each node.
    counts: BTreeMap<u64, NodeCounts<u64>>,
    /// Per cell: the scores of its collected buckets.
    exact: BTreeMap<u64, Vec<f64>>,
}

impl Totals {
    /// Adds one worker's bucket counts and collected scores.
    fn add(&mut self, keys: &[u64], counts: &[NodeCounts<u32>], exact: &[Vec<(u32, f64)>]) {
        for (c, &k) in keys.iter().enumerate() {
            let t = self.counts.entry(k).or_default();
            for (node, from) in counts[c].all() {
                let into = match node {
                    0 => &mut t.top,
                    _ => t.node_mut(node),
                };
                for (b, n) in from.nonzero() {
                    into.add(b, n as u64);
                }
            }
        }
        for slot in exact {
            for &(c, s) in slot {
                self.exact.entry(keys[c as usize]).or_default().push(s);
            }
        }
    }

    /// The cells, ascending by key: the unopened buckets' counts and the
    /// collected scores as runs.
    fn cells(mut self, tree: &Tree) -> Vec<Cell> {
        // Which (node, slot) pairs are opened: their counts live deeper.
        self.counts
            .into_iter()
            .map(|(k, counts)| {
                let mut buckets = Vec::new();
                leaves(tree, &counts, 0, 1, 0, &mut buckets);
                buckets.sort_unstable();
                let mut values = self.exact.remove(&k).unwrap_or_default();
                values.sort_unstable_by(f64::total_cmp);
                Cell {
                    key: k,
                    buckets,
                    exact: runs(&values),
                }
            })
            .collect()
    }
}

/// Collects (depth, prefix, count) of the non-empty unopened buckets under `node`.
pub(super) fn leaves(
    tree: &Tree,
    counts: &NodeCounts<u64>,
    node: usize,
    depth: u8,
    base: u64,
    out: &mut Vec<(u8, u64, u64)>,
) {
    let prefix = |b: usize| base << (BITS[depth as usize] - BITS[depth as usize - 1]) | b as u64;
    let Some(here) = counts.node(node as u32) else {
        return; // no row reached this node
    };
    for (b, n) in here.nonzero() {
        // Opened buckets are counted deeper (split) or kept exactly (collected).
        if tree.child(node, b) == 0 {
            out.push((depth, prefix(b), n));
        }
    }
    for &(b, child) in &tree.splits[node] {
        leaves(tree, counts, child, depth + 1, prefix(b), out);
    }
}

/// Equal neighbours of sorted scores as (score, count).
pub(super) fn runs(sorted: &[f64]) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for &s in sorted {
        match out.last_mut() {
            Some((v, n)) if *v == s => *n += 1,
            _ => out.push((s, 1)),
        }
    }
    out
}
