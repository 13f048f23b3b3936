//! The mergeable aggregate of a pass ([`Partial`]): merging shards, the
//! reduced comparison set, and the plan of the next pass.

use super::buckets::{
    key, parse_json, unkey, unsplit_parent, Bucket, Checked, Open, Plan, BITS, FORMAT,
};
use super::pass::CellLayout;
use super::{check_plan_size, prepare, unresolved, StreamLimits};
use crate::counts::threshold::Policy;
use crate::engine::verify::VerifyOptions;
use crate::error::{Error, Result};
use crate::groups::ReferenceRule;
use crate::input::accounting::Accounting;
use crate::input::codes::{Interner, MISSING};
use crate::input::npy_dir::MAX_CODE;
use crate::input::{AttributeData, Comparisons, InputFile};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One attribute as the partial records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaAttribute {
    /// The attribute's name.
    pub name: String,
    /// Where its values came from (`race_a/race_b columns`, …).
    pub source: String,
    /// One value per side of a comparison (else one per row).
    pub per_side: bool,
    /// The names of the codes, when a labels file gives them.
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
    /// The partial file format's id (checked on load).
    pub format: String,
    /// Lower-case hex SHA-256 of the rest of the partial in canonical form
    /// ([`Partial::seal`]); checked on load. Empty when not sealed (a merge).
    #[serde(default)]
    pub checksum: String,
    /// The audit options every shard must share.
    pub options: VerifyOptions,
    /// The attributes, in cell-key order.
    pub attributes: Vec<SchemaAttribute>,
    /// The buckets this pass opened.
    pub plan: Plan,
    /// What happened to every row of the shard.
    pub accounting: Accounting,
    /// The shard's input files.
    pub inputs: Vec<InputFile>,
    /// The histogram of every non-empty cell.
    pub cells: Vec<Cell>,
    /// The file it was read from ([`Partial::read`]; not stored), named by
    /// merge errors.
    #[serde(skip)]
    pub origin: Option<String>,
}

/// Each shard's inputs: a sum of partials lists its shards in turn, each
/// starting with its score column.
fn shards(inputs: &[InputFile]) -> Vec<&[InputFile]> {
    let starts: Vec<usize> = (0..inputs.len())
        .filter(|&i| i == 0 || inputs[i].role == "score")
        .collect();
    let ends = starts.iter().skip(1).copied().chain([inputs.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&a, b)| &inputs[a..b])
        .collect()
}

/// The inputs of two sums of shards as one list: each shard's columns
/// together (its score column first), shards ordered by their score column's
/// name and SHA-256, so that any order of merging lists them alike.
fn sorted_shards(ours: Vec<InputFile>, theirs: Vec<InputFile>) -> Vec<InputFile> {
    let all: Vec<InputFile> = ours.into_iter().chain(theirs).collect();
    let mut groups = shards(&all);
    groups.sort_by(|a, b| (&a[0].path, &a[0].sha256).cmp(&(&b[0].path, &b[0].sha256)));
    groups.concat()
}

impl SchemaAttribute {
    /// The name of a code: its label, else the code itself.
    fn label(&self, code: u32) -> String {
        match self.labels.as_ref().and_then(|l| l.get(code as usize)) {
            Some(l) => l.clone(),
            None => code.to_string(),
        }
    }
}

impl Partial {
    /// Reads a partial file and checks it ([`Partial::validate`]).
    pub fn read(path: &Path) -> Result<Partial> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// [`Partial::read`] of a partial's JSON in memory, `name` naming it in errors.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Partial> {
        let mut p: Partial = parse_json(bytes, name, "partial")?;
        p.validate(name)?;
        p.origin = Some(name.to_string());
        Ok(p)
    }

    /// The file named in errors.
    fn file(&self) -> &str {
        self.origin.as_deref().unwrap_or("partial")
    }

    /// The SHA-256 of the partial's canonical form: its fields but the
    /// checksum, serialised as JSON in declaration order (floats round-trip
    /// exactly, so a partial read back hashes as written).
    pub fn digest(&self) -> Result<String> {
        use sha2::{Digest, Sha256};
        let Partial {
            format,
            checksum: _,
            options,
            attributes,
            plan,
            accounting,
            inputs,
            cells,
            origin: _,
        } = self;
        let body = (format, options, attributes, plan, accounting, inputs, cells);
        let mut h = Sha256::new();
        serde_json::to_writer(&mut h, &body)
            .map_err(|e| Error::internal(format!("partial: {e}")))?;
        Ok(format!("{:x}", h.finalize()))
    }

    /// Sets the checksum to the partial's [`Partial::digest`].
    pub fn seal(&mut self) -> Result<()> {
        self.checksum = self.digest()?;
        Ok(())
    }

    /// Checks what a file can get wrong, so that merging and reporting do
    /// not panic on it: the format tag; the checksum (a file changed after
    /// it was written); the options' ranges; each
    /// attribute's radix (1 to 255, the number of its labels) and a cell
    /// layout within bounds; the plan; the accounting (balanced, one bucket
    /// per reason); and every cell: its key inside the layout and ascending;
    /// its buckets at depth 1 to 4, holding finite scores, ascending,
    /// unopened and inside buckets the plan splits; its exact scores finite,
    /// ascending and inside buckets the plan collects; every count from 1;
    /// all counts adding up to the rows used; and the inputs' rows equal
    /// to the rows read (the shard is whole). The error names `file` and
    /// the field.
    pub fn validate(&self, file: &str) -> Result<()> {
        self.check()
            .map_err(|(field, why)| Error::data_field(file, field, why))
    }

    fn check(&self) -> Checked<()> {
        if self.format != FORMAT {
            let why = if self.format.starts_with("biasbench-partial-") {
                "written by another version of biasbench: run `biasbench verify ... --emit-partial` on the shard again with this one"
            } else {
                "not a partial of biasbench"
            };
            return Err((
                "format".into(),
                format!("{:?}: {why} (this one reads {FORMAT:?})", self.format),
            ));
        }
        let digest = self
            .digest()
            .map_err(|e| ("checksum".to_string(), e.to_string()))?;
        if self.checksum != digest {
            return Err((
                "checksum".into(),
                format!(
                    "{:?} does not match the content (SHA-256 {digest}): the file was changed after biasbench wrote it; write it again with `biasbench verify ... --emit-partial`",
                    self.checksum
                ),
            ));
        }
        check_options(&self.options, &self.attributes)?;
        let layout = self.check_attributes()?;
        check_plan_size(&self.plan, &self.options, &self.attributes)
            .map_err(|why| ("plan.opened".to_string(), why))?;
        let plan = self.plan.checked("plan.opened")?.into_iter().collect();
        self.check_accounting()?;
        self.check_cells(layout.size, &plan)
    }

    fn check_accounting(&self) -> Checked<()> {
        let a = &self.accounting;
        let mut dropped = 0u64;
        for (i, d) in a.dropped.iter().enumerate() {
            let why = if d.count == 0 {
                "a count of 0 (buckets hold at least one row)".into()
            } else if a.dropped[..i].iter().any(|e| e.reason == d.reason) {
                format!("reason {:?} listed twice", d.reason.as_str())
            } else if let Some(sum) = dropped.checked_add(d.count) {
                dropped = sum;
                continue;
            } else {
                TOO_MANY.into()
            };
            return Err((format!("accounting.dropped[{i}]"), why));
        }
        if a.used.checked_add(dropped) != Some(a.rows) {
            return Err((
                "accounting.rows".into(),
                format!("{} rows, but {} used and {dropped} dropped", a.rows, a.used),
            ));
        }
        // A pass reads every row of its shard's columns; a sum of partials
        // lists each shard's columns in turn, its score column first.
        let (mut total, mut shard, mut last) = (0u64, None, None);
        for (i, f) in self.inputs.iter().enumerate() {
            if f.role == "score" {
                total = total
                    .checked_add(f.rows)
                    .ok_or(("accounting.rows".into(), TOO_MANY.into()))?;
                (shard, last) = (Some(f.rows), Some((i, f)));
            } else if shard != Some(f.rows) {
                let why = match shard {
                    Some(n) => format!(
                        "{} rows in {}, but its shard's scores have {n}",
                        f.rows, f.path
                    ),
                    None => format!("{} rows in {}, before any score column", f.rows, f.path),
                };
                return Err((format!("inputs[{i}].rows"), why));
            }
        }
        match last {
            Some((i, f)) if total != a.rows => {
                let before = match total - f.rows {
                    0 => String::new(),
                    n => format!(" (and {n} in the shards before it)"),
                };
                Err((
                    format!("inputs[{i}].rows"),
                    format!("{} rows in {}{before}, but {} read", f.rows, f.path, a.rows),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Cells against the layout's key space and the plan; their counts add
    /// up to the rows used.
    fn check_cells(&self, keys: u64, plan: &BTreeMap<Bucket, Open>) -> Checked<()> {
        let mut counted = 0u64;
        let mut add = |n: u64| match counted.checked_add(n) {
            _ if n == 0 => Some("a count of 0 (only what was seen is written)"),
            Some(sum) => {
                counted = sum;
                None
            }
            None => Some(TOO_MANY),
        };
        for (i, c) in self.cells.iter().enumerate() {
            let field = |f: String| format!("cells[{i}].{f}");
            if c.key >= keys || (i > 0 && self.cells[i - 1].key >= c.key) {
                return Err((
                    field("key".into()),
                    format!("{}: keys are unique, ascending and below {keys}", c.key),
                ));
            }
            for (j, &(depth, prefix, n)) in c.buckets.iter().enumerate() {
                let b = Bucket { depth, prefix };
                let why = if !(1..=4).contains(&depth)
                    || prefix.checked_shr(BITS[depth as usize]).unwrap_or(0) != 0
                {
                    format!(
                        "no bucket {depth}:{prefix:x} (depth 1 to 4, prefix of the depth's bits)"
                    )
                } else if !unkey(b.low()).is_finite() {
                    format!("bucket {} holds no finite score", Plan::name(b))
                } else if j > 0 && c.buckets[j - 1] >= (depth, prefix, 0) {
                    "buckets must be unique and ascending".into()
                } else if plan.contains_key(&b) {
                    format!(
                        "bucket {} is opened by the plan (its counts are deeper)",
                        Plan::name(b)
                    )
                } else if let Some(p) = unsplit_parent(b, plan) {
                    format!(
                        "bucket {} lies inside bucket {}, which the plan does not split",
                        Plan::name(b),
                        Plan::name(p)
                    )
                } else if let Some(why) = add(n) {
                    why.into()
                } else {
                    continue;
                };
                return Err((field(format!("buckets[{j}]")), why));
            }
            for (j, &(s, n)) in c.exact.iter().enumerate() {
                let why = if !s.is_finite() || (j > 0 && c.exact[j - 1].0 >= s) {
                    format!("score {s}: exact scores are finite, unique and ascending")
                } else if !collects(plan, s) {
                    format!("score {s} lies in no bucket the plan collects")
                } else if let Some(why) = add(n) {
                    why.into()
                } else {
                    continue;
                };
                return Err((field(format!("exact[{j}]")), why));
            }
        }
        if counted != self.accounting.used {
            return Err((
                "cells".into(),
                format!(
                    "the counts add up to {counted}, but the accounting uses {} rows",
                    self.accounting.used
                ),
            ));
        }
        Ok(())
    }

    /// The cell layout of valid attributes.
    fn check_attributes(&self) -> Checked<CellLayout> {
        for (j, a) in self.attributes.iter().enumerate() {
            let field = |f: &str| format!("attributes[{j}].{f}");
            if self.attributes[..j].iter().any(|b| b.name == a.name) {
                return Err((field("name"), format!("{:?} listed twice", a.name)));
            }
            if !(1..=MAX_CODE + 1).contains(&a.radix) {
                return Err((
                    field("radix"),
                    format!("{} is outside 1 to {}", a.radix, MAX_CODE + 1),
                ));
            }
            if let Some(l) = a.labels.as_ref().filter(|l| l.len() != a.radix as usize) {
                return Err((
                    field("labels"),
                    format!("{} labels for a radix of {}", l.len(), a.radix),
                ));
            }
        }
        CellLayout::new(&self.attributes).map_err(|why| ("attributes".to_string(), why))
    }

    /// Merges the partials of every shard, refusing any shard twice: the
    /// same partial (checksum) or a partial of the same inputs (their
    /// SHA-256s, sizes and rows; not when made with `--no-hash`).
    pub fn merge_all(parts: Vec<Partial>) -> Result<Partial> {
        let mut seen: BTreeMap<(&str, String), &Partial> = BTreeMap::new();
        for p in &parts {
            let ids = [("checksum", p.checksum.clone())]
                .into_iter()
                .chain(p.shard_ids().into_iter().map(|id| ("inputs", id)))
                .filter(|(_, id)| !id.is_empty());
            for (field, id) in ids {
                if let Some(first) = seen.insert((field, id), p) {
                    return Err(Error::data_field(
                        p.file(),
                        field,
                        format!(
                            "the same shard as {} (same {field}): each shard is merged once",
                            first.file()
                        ),
                    ));
                }
            }
        }
        let mut parts = parts.into_iter();
        let mut whole = parts
            .next()
            .ok_or_else(|| Error::option("merge", "needs at least one partial file"))?;
        for p in parts {
            whole.merge(p)?;
        }
        Ok(whole)
    }

    /// Each shard's identity (a sum has several): its inputs' roles,
    /// SHA-256s, sizes and rows, and for a table in memory (named `<…>` by
    /// its caller, with no file behind it) its name; none when not hashed.
    fn shard_ids(&self) -> Vec<String> {
        let hashed = |f: &InputFile| f.sha256.len() == 64;
        shards(&self.inputs)
            .into_iter()
            .filter(|shard| shard.iter().all(hashed))
            .map(|shard| {
                let id = shard.iter().map(|f| {
                    let name = if f.path.starts_with('<') {
                        f.path.as_str()
                    } else {
                        ""
                    };
                    format!("{} {} {} {} {name}", f.role, f.sha256, f.bytes, f.rows)
                });
                id.collect::<Vec<_>>().join("\n")
            })
            .collect()
    }

    /// Adds another partial made with the same options, attributes and plan
    /// (both valid: made by a pass, or read by [`Partial::read`]). The sum is
    /// no file's: its checksum is cleared. Sums are commutative and
    /// associative, to the byte: counts add, inputs are listed by shard
    /// ([`sorted_shards`]), the row accounting merges without order
    /// ([`Accounting::merge_unordered`]).
    pub fn merge(&mut self, other: Partial) -> Result<()> {
        let pairs = [
            ("format", json(&self.format), json(&other.format)),
            ("options", json(&self.options), json(&other.options)),
            (
                "attributes",
                json(&self.attributes),
                json(&other.attributes),
            ),
            ("plan", json(&self.plan), json(&other.plan)),
        ];
        for (what, mine, theirs) in pairs {
            if let Some((field, why)) = first_difference(what, &theirs, &mine) {
                return Err(Error::data_field(
                    other.file(),
                    field,
                    format!(
                        "{why} in {}; only partials of one audit (same flags, same plan) merge",
                        self.file()
                    ),
                ));
            }
        }
        self.checksum.clear();
        // Every count is at most the rows (valid partials): no sum below overflows.
        if self
            .accounting
            .rows
            .checked_add(other.accounting.rows)
            .is_none()
        {
            return Err(Error::data_field(
                other.file(),
                "accounting.rows",
                "the rows of the partials add up to more than 2^64",
            ));
        }
        self.accounting.merge_unordered(other.accounting);
        self.inputs = sorted_shards(std::mem::take(&mut self.inputs), other.inputs);
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
    pub(super) fn carry_top_level(&mut self, earlier: &Partial) {
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
        let layout = CellLayout::new(&self.attributes)
            .map_err(|why| Error::data_field(self.file(), "attributes", why))?;
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
                by_code[code as usize] = names.intern(a.label(code).as_bytes());
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
    pub(super) fn bucket_totals(&self) -> BTreeMap<Bucket, u64> {
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

const TOO_MANY: &str = "the counts add up to more than 2^64";

/// The JSON form of a value (for comparing and naming what differs).
fn json(v: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The first place where `a` differs from `b`: its path below `path`, and
/// both values (shortened).
fn first_difference(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
) -> Option<(String, String)> {
    use serde_json::Value::{Array, Object};
    match (a, b) {
        _ if a == b => None,
        (Object(x), Object(y)) => x.keys().chain(y.keys()).find_map(|k| {
            let null = serde_json::Value::Null;
            let (u, v) = (x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null));
            first_difference(&format!("{path}.{k}"), u, v)
        }),
        (Array(x), Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(&format!("{path}[{i}]"), u, v)),
        _ => {
            let short = |v: &serde_json::Value| {
                let t = v.to_string();
                match t.char_indices().nth(60) {
                    Some((i, _)) => format!("{}...", &t[..i]),
                    None => t,
                }
            };
            Some((
                path.to_string(),
                format!("{} differs from {}", short(a), short(b)),
            ))
        }
    }
}

/// Options as `verify` checks its flags: policies as they parse, α in
/// [0, 1], the interval level in (0, 1), reference rules naming views of
/// the attributes.
fn check_options(o: &VerifyOptions, attributes: &[SchemaAttribute]) -> Checked<()> {
    let names: Vec<String> = attributes.iter().map(|a| a.name.clone()).collect();
    if let Err((i, why)) = ReferenceRule::check_all(&o.reference, &names) {
        return Err((
            format!("options.reference[{i}]"),
            format!("{}: {why}", o.reference[i]),
        ));
    }
    for (i, p) in o.policies.iter().enumerate() {
        if Policy::parse(p.label()).ok().as_ref() != Some(p) {
            return Err((
                format!("options.policies[{i}]"),
                format!("{p:?} is not the policy its label {:?} names", p.label()),
            ));
        }
    }
    if !(0.0..=1.0).contains(&o.alpha) {
        return Err((
            "options.alpha".into(),
            format!("{} is outside [0, 1]", o.alpha),
        ));
    }
    if !(o.ci.level > 0.0 && o.ci.level < 1.0) {
        return Err((
            "options.ci.level".into(),
            format!("{} is outside (0, 1)", o.ci.level),
        ));
    }
    Ok(())
}

/// Whether `plan` collects the bucket holding score `s`, score by score.
fn collects(plan: &BTreeMap<Bucket, Open>, s: f64) -> bool {
    let k = key(s);
    (1..=3).find_map(|depth| match plan.get(&Bucket::of(k, depth)) {
        Some(Open::Split) => None,
        Some(Open::Collect) => Some(true),
        None => Some(false),
    }) == Some(true)
}
