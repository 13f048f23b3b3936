//! The mergeable aggregate of a pass ([`Partial`]): merging shards, the
//! reduced comparison set, and the plan of the next pass.

use super::buckets::{unkey, Bucket, Open, Plan};
use super::pass::CellLayout;
use super::{prepare, unresolved, StreamLimits};
use crate::engine::verify::VerifyOptions;
use crate::error::{Error, Result};
use crate::input::accounting::Accounting;
use crate::input::codes::{Interner, MISSING};
use crate::input::{AttributeData, Comparisons, InputFile};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

impl SchemaAttribute {
    /// The name of a code: its label, else the code itself.
    fn label(&self, code: u32) -> String {
        match &self.labels {
            Some(l) => l[code as usize].clone(),
            None => code.to_string(),
        }
    }
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
