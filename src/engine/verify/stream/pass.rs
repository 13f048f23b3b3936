//! One pass over the `.npy` columns: every comparison counted into the
//! histogram of its cell on all cores, opened buckets refined or collected,
//! the workers' counts added into a [`Partial`].

use super::buckets::{fanout, key, Bucket, NodeCounts, Open, Plan, TopCounts, BITS, BLOCK, FORMAT};
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
    /// One bit per top-level bucket: opened (a compact copy of `root != 0`
    /// for the per-row test, 64 times smaller).
    opened_top: Box<[u64]>,
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
            opened_top: vec![0u64; fanout(1) / 64].into_boxed_slice(),
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
                0 => {
                    tree.root[slot] = code;
                    tree.opened_top[slot / 64] |= 1 << (slot % 64);
                }
                _ => tree.deep[parent].push((slot as u32, code)),
            }
        }
        Ok(tree)
    }

    /// Whether top-level bucket `b` is opened.
    #[inline]
    fn is_opened(&self, b: usize) -> bool {
        self.opened_top[b / 64] >> (b % 64) & 1 == 1
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
    /// Per cell: a count per bucket of each node below the top level, and
    /// of the top level (in full passes only) once the range is counted.
    counts: Vec<NodeCounts<u32>>,
    /// The top level's counts while counting.
    top: TopCounts,
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

/// Counts rows `range` into one worker's [`Acc`], a block at a time. A
/// full pass goes column by column: the cell of every row, then one loop
/// over the scores counting each row's top-level bucket (and, for the few
/// rows in an opened bucket, the deeper levels). Rows with a missing or bad
/// value — and, in a pass that counts opened buckets only, the rows in them
/// — take the careful path, [`count_row`], in row order, so a drop reason
/// keeps its first row and an error its row. Drops are counted in full
/// passes only; another worker's bad value stops the range.
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
        top: TopCounts::default(),
        exact: vec![Vec::new(); tree.collected.len()],
        accounting: Accounting::default(),
    };
    let ctx = RowContext {
        data,
        tree,
        sense: ScoreSense::from_distance(distance),
        full,
        failed,
    };
    let top = |s: f64| (key(ctx.sense.internal(s)) >> (64 - BITS[1])) as usize;
    let (mut raw, mut raw_score, mut gathered) = (Vec::new(), Vec::new(), Vec::new());
    let mut numbers = Vec::new();
    let mut block = Block {
        mated: Vec::new(),
        codes: data.attrs.iter().map(|_| Default::default()).collect(),
        keys: Vec::new(),
        flags: Vec::new(),
    };
    let (mut cells, mut careful, mut deeper) = (Vec::new(), Vec::new(), Vec::new());
    let (mut scores, mut tops) = (Vec::new(), Vec::<u32>::new());
    let row_bytes: u64 = data.files().iter().map(|(_, c)| c.width as u64).sum();
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
    let mut start = range.start;
    while start < range.end {
        // Another worker met a bad value earlier in the file: stop.
        if failed.load(Ordering::Relaxed) < start {
            break;
        }
        let rows = (range.end - start).min(BLOCK as u64) as usize;
        data.score.read_raw(start, rows, &mut raw_score)?;
        careful.clear();
        if !full {
            // Only rows in opened buckets count (the rest is known).
            let mut i = 0;
            data.score.for_each_number(&raw_score, |s| {
                if s.is_finite() && tree.is_opened(top(s)) {
                    careful.push(i);
                }
                i += 1;
            });
            if careful.is_empty() {
                progress.advance(rows as u64 * row_bytes);
                start += rows as u64;
                continue;
            }
        }
        // The block's other columns: every row in a full pass, else the
        // rows in opened buckets (`careful`), the j-th of them at j.
        let picked = (!full).then_some(&careful[..]);
        let mut read = |col: &NpyColumn, f: &dyn Fn(f64) -> Option<u32>, out: &mut Vec<u32>| {
            col.read_raw(start, rows, &mut raw)?;
            if let Some(picked) = picked {
                gathered.clear();
                let w = col.width;
                gathered.extend(picked.iter().flat_map(|&i| &raw[i as usize * w..][..w]));
                std::mem::swap(&mut raw, &mut gathered);
            }
            col.digits(&raw, &f, &mut numbers, out);
            Ok::<_, Error>(())
        };
        read(&data.mated, &mated_of, &mut block.mated)?;
        for ((a, d), (ca, cb)) in data
            .attrs
            .iter()
            .zip(&digit_fns)
            .zip(block.codes.iter_mut())
        {
            read(&a.side_a, d, ca)?;
            if let Some(b) = &a.side_b {
                read(b, d, cb)?;
            }
        }
        block.cell_keys(layout);
        if full {
            // Tight passes the compiler vectorises: decode, bucket, then count.
            data.score.decode(&raw_score, &mut scores);
            cells.clear();
            cells.extend(block.keys.iter().map(|&k| match k {
                CAREFUL => CAREFUL,
                k => acc.cell(k) as u32,
            }));
            tops.clear();
            tops.extend(scores.iter().map(|&s| match s.is_finite() {
                true => top(s) as u32,
                false => NOT_FINITE,
            }));
            deeper.clear();
            for (i, (&c, &b)) in cells.iter().zip(&tops).enumerate() {
                if c == CAREFUL || b == NOT_FINITE {
                    careful.push(i as u32);
                    continue;
                }
                acc.top.add(c as usize, b as usize);
                if tree.is_opened(b as usize) {
                    deeper.push(i as u32);
                }
            }
            for &i in &deeper {
                let s = ctx.sense.internal(scores[i as usize]);
                acc.walk(tree, cells[i as usize] as usize, s);
            }
        }
        for (j, &i) in careful.iter().enumerate() {
            let s = data.score.number(&raw_score, i as usize).expect("a number");
            let at = if full { i as usize } else { j };
            count_row(&mut acc, &ctx, &block, at, start + i as u64, s)?;
        }
        acc.accounting.rows += rows as u64;
        progress.advance(rows as u64 * row_bytes);
        start += rows as u64;
    }
    for (c, counts) in acc.counts.iter_mut().enumerate() {
        counts.top = acc.top.paged(c);
    }
    Ok(acc)
}

/// What a full pass's cell list holds for a row on the careful path.
const CAREFUL: u32 = u32::MAX;

/// What a full pass's bucket list holds for a non-finite score (top-level
/// buckets are below 2^20).
const NOT_FINITE: u32 = u32::MAX;

/// A block's mated digits, group-code digits (side a, side b) per
/// attribute, and the cell key of each row.
pub(super) struct Block {
    mated: Vec<u32>,
    codes: Vec<(Vec<u32>, Vec<u32>)>,
    keys: Vec<u32>,
    flags: Vec<u8>,
}

impl Block {
    /// The cell key of every row, mated + Σ digit × multiplier, column by
    /// column; [`CAREFUL`] when a value maps to no digit or the row has no
    /// group on the sides that must have one (either side of a mated
    /// comparison, both of a non-mated one, in some attribute).
    fn cell_keys(&mut self, layout: &CellLayout) {
        const PLACED: u8 = 2;
        let none = if self.codes.is_empty() { PLACED } else { 0 };
        self.keys.clear();
        self.keys.extend_from_slice(&self.mated);
        self.flags.clear();
        self.flags
            .extend(self.mated.iter().map(|&m| (m == NOT_A_DIGIT) as u8 | none));
        for (j, (ca, cb)) in self.codes.iter().enumerate() {
            // (Keys fit u32: the layout has at most MAX_CELL_KEYS.)
            let ma = layout.mult_a[j] as u32;
            let (cb, mb) = match layout.mult_b[j] {
                Some(mb) => (cb, mb as u32),
                None => (ca, 0),
            };
            let rows = self.keys.iter_mut().zip(self.flags.iter_mut());
            for ((((k, f), &m), &da), &db) in rows.zip(&self.mated).zip(ca).zip(cb) {
                *k = k.wrapping_add(da.wrapping_mul(ma).wrapping_add(db.wrapping_mul(mb)));
                let (a, b) = (da > 0, db > 0);
                let placed = if m == 1 { a | b } else { a & b };
                *f |= (da == NOT_A_DIGIT || db == NOT_A_DIGIT) as u8 | (placed as u8) << 1;
            }
        }
        for (k, &f) in self.keys.iter_mut().zip(&self.flags) {
            if f != PLACED {
                *k = CAREFUL;
            }
        }
    }
}

/// What [`count_row`] needs besides the worker's counts and the block.
struct RowContext<'a> {
    data: &'a NpyComparisons,
    tree: &'a Tree,
    sense: ScoreSense,
    full: bool,
    failed: &'a AtomicU64,
}

/// Counts row `row` (`i` of the block's values, score `s` as read) the careful way:
/// a non-finite score (NaN is a missing one, as in the table readers), an
/// unknown mated flag or no group on the sides that must have one drops
/// the row (counted in full passes only); a bad group code is an error.
fn count_row(
    acc: &mut Acc,
    ctx: &RowContext,
    block: &Block,
    i: usize,
    row: u64,
    s: f64,
) -> Result<()> {
    let drop = |acc: &mut Acc, reason, col: &NpyColumn, column: &str, value: String| {
        if ctx.full {
            let first = || Position::cell(col.path.display().to_string(), row + 1, column, value);
            acc.accounting.drop_row(&reason, first);
        }
    };
    let data = ctx.data;
    if !s.is_finite() {
        let (reason, value) = if s.is_nan() {
            (DropReason::MissingScore, "")
        } else {
            (DropReason::NonFiniteScore, "inf")
        };
        let value = if s < 0.0 { "-inf" } else { value };
        drop(acc, reason, &data.score, "score", value.to_string());
        return Ok(());
    }
    if block.mated[i] == NOT_A_DIGIT {
        let x = data.mated.value_at(row)?;
        let value = x.to_string();
        drop(acc, DropReason::UnknownMated, &data.mated, "mated", value);
        return Ok(());
    }
    for (a, (ca, cb)) in data.attrs.iter().zip(&block.codes) {
        if ca[i] == NOT_A_DIGIT {
            return Err(bad_code(a, &a.side_a, row, ctx.failed));
        }
        if let (Some(col), Some(&NOT_A_DIGIT)) = (&a.side_b, cb.get(i)) {
            return Err(bad_code(a, col, row, ctx.failed));
        }
    }
    if block.keys[i] == CAREFUL {
        let a = &data.attrs[0];
        drop(
            acc,
            DropReason::MissingGroup,
            &a.side_a,
            &a.name,
            String::new(),
        );
        return Ok(());
    }
    let c = acc.cell(block.keys[i]);
    let s = ctx.sense.internal(s);
    if ctx.full {
        acc.top.add(c, (key(s) >> (64 - BITS[1])) as usize);
    }
    acc.walk(ctx.tree, c, s);
    Ok(())
}

impl Acc {
    /// The worker's index of cell key `cell`, made when first met.
    #[inline]
    fn cell(&mut self, cell: u32) -> usize {
        match self.cell_of[cell as usize] {
            u32::MAX => {
                self.cell_of[cell as usize] = self.keys.len() as u32;
                self.keys.push(cell as u64);
                self.counts.push(NodeCounts::default());
                self.top.add_cell();
                self.keys.len() - 1
            }
            c => c as usize,
        }
    }

    /// Counts internal score `s` of cell `c` below the top level: in each
    /// split bucket on its way, then in the collected bucket if it ends in one.
    fn walk(&mut self, tree: &Tree, c: usize, s: f64) {
        let k = key(s);
        let mut code = tree.root[(k >> (64 - BITS[1])) as usize];
        while code != 0 {
            if code & 1 == 1 {
                self.exact[(code >> 1) as usize].push((c as u32, s));
                break;
            }
            let node = (code >> 1) as usize;
            let d = tree.depth[node];
            let b = (k.checked_shr(64 - BITS[d as usize]).unwrap_or(k) as usize) & (fanout(d) - 1);
            self.counts[c].node_mut(node as u32).add(b, 1);
            code = tree.child(node, b);
        }
    }
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
