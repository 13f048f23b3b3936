//! Score keys, buckets and the refinement plan of the streaming audit, and
//! the paged counters its histograms live in.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Key bits fixed by a bucket at each depth (depth 0: the whole key space).
pub(super) const BITS: [u32; 5] = [0, 20, 36, 52, 64];

/// Counts in pages of 2^12 buckets, allocated when first touched: a cell's
/// scores fill a few pages, so memory follows the data, not the key space
/// (an untouched counter holds no memory at all).
#[derive(Clone, Default)]
pub(super) struct Paged<T> {
    pages: Vec<Option<Box<[T]>>>,
}

pub(super) const PAGE_BITS: u32 = 12;
pub(super) const PAGE: usize = 1 << PAGE_BITS;

impl<T: Copy + Default + PartialEq + std::ops::AddAssign> Paged<T> {
    #[inline]
    pub(super) fn add(&mut self, b: usize, n: T) {
        let p = b >> PAGE_BITS;
        if p >= self.pages.len() {
            self.pages.resize_with(p + 1, || None);
        }
        let page = self.pages[p].get_or_insert_with(|| vec![T::default(); PAGE].into_boxed_slice());
        page[b & (PAGE - 1)] += n;
    }

    /// (bucket, count) of every non-zero count, ascending.
    pub(super) fn nonzero(&self) -> impl Iterator<Item = (usize, T)> + '_ {
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

/// Top-level pages per cell.
const PAGES: usize = 1 << (BITS[1] - PAGE_BITS);
/// What [`TopCounts`] holds for a page not touched yet.
const NO_PAGE: u32 = u32::MAX;

/// One worker's top-level counts of every cell, in slabs of pages each
/// allocated when first touched. A count is split into a byte (its low 8
/// bits, the only part most increments touch) and the carries out of it:
/// a worker's hot buckets then take a quarter of the cache they would as
/// whole counters.
#[derive(Default)]
pub(super) struct TopCounts {
    /// Per cell and top-level page (`cell · PAGES + page`): its page in the slabs.
    page_of: Vec<u32>,
    /// Count mod 256 per bucket.
    low: Vec<u8>,
    /// Count div 256 per bucket.
    high: Vec<u32>,
}

impl TopCounts {
    /// Makes room for one more cell.
    pub(super) fn add_cell(&mut self) {
        self.page_of.resize(self.page_of.len() + PAGES, NO_PAGE);
    }

    /// Counts one comparison of cell `c` in top-level bucket `b`.
    #[inline(always)]
    pub(super) fn add(&mut self, c: usize, b: usize) {
        let p = c * PAGES + (b >> PAGE_BITS);
        let page = match self.page_of[p] {
            NO_PAGE => self.new_page(p),
            page => page,
        };
        let i = (page as usize) << PAGE_BITS | (b & (PAGE - 1));
        let n = self.low[i].wrapping_add(1);
        self.low[i] = n;
        if n == 0 {
            self.high[i] += 1;
        }
    }

    #[cold]
    fn new_page(&mut self, p: usize) -> u32 {
        let page = (self.low.len() >> PAGE_BITS) as u32;
        self.low.resize(self.low.len() + PAGE, 0);
        self.high.resize(self.high.len() + PAGE, 0);
        self.page_of[p] = page;
        page
    }

    /// Cell `c`'s counts.
    pub(super) fn paged(&self, c: usize) -> Paged<u32> {
        let of = &self.page_of[c * PAGES..(c + 1) * PAGES];
        let count = |i: usize| self.high[i] << 8 | self.low[i] as u32;
        Paged {
            pages: of
                .iter()
                .map(|&page| {
                    (page != NO_PAGE).then(|| {
                        let at = (page as usize) << PAGE_BITS;
                        (at..at + PAGE).map(count).collect()
                    })
                })
                .collect(),
        }
    }
}

/// One cell's counters: the top level, and those of the split buckets
/// (nodes) its rows reached, ascending by node — so that a plan's opened
/// buckets cost memory only where rows fall.
#[derive(Default)]
pub(super) struct NodeCounts<T> {
    pub(super) top: Paged<T>,
    deep: Vec<(u32, Paged<T>)>,
}

impl<T: Copy + Default + PartialEq + std::ops::AddAssign> NodeCounts<T> {
    /// The counter of `node` (≥ 1), made when first reached.
    #[inline]
    pub(super) fn node_mut(&mut self, node: u32) -> &mut Paged<T> {
        let i = match self.deep.binary_search_by_key(&node, |e| e.0) {
            Ok(i) => i,
            Err(i) => {
                self.deep.insert(i, (node, Paged::default()));
                i
            }
        };
        &mut self.deep[i].1
    }

    /// The counter of `node` (0: the top level), if any row reached it.
    pub(super) fn node(&self, node: u32) -> Option<&Paged<T>> {
        if node == 0 {
            return Some(&self.top);
        }
        let i = self.deep.binary_search_by_key(&node, |e| e.0).ok()?;
        Some(&self.deep[i].1)
    }

    /// Every counter with its node (the top level is node 0).
    pub(super) fn all(&self) -> impl Iterator<Item = (u32, &Paged<T>)> {
        std::iter::once((0, &self.top)).chain(self.deep.iter().map(|(n, p)| (*n, p)))
    }
}

/// Buckets a node at `depth` − 1 splits into (the fan-out at `depth`).
pub(super) fn fanout(depth: u8) -> usize {
    1 << (BITS[depth as usize] - BITS[depth as usize - 1])
}
/// Rows read and decoded at a time by one worker (its buffers stay in cache).
pub(super) const BLOCK: usize = 1 << 14;
/// The version tag of partial files.
pub const FORMAT: &str = "biasbench-partial-2";

/// The result of a check of a file's content: else the field at fault and why.
pub(super) type Checked<T> = std::result::Result<T, (String, String)>;

/// The parent of `b` when `opened` does not split it (a bucket at depth 1
/// has no parent).
pub(super) fn unsplit_parent(b: Bucket, opened: &BTreeMap<Bucket, Open>) -> Option<Bucket> {
    b.parent().filter(|p| opened.get(p) != Some(&Open::Split))
}

/// A biasbench JSON file's contents (`what`: partial, plan), `name` naming them in errors.
pub(super) fn parse_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    name: &str,
    what: &str,
) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::data(
            name.to_string(),
            format!("not a biasbench {what} file: {e}"),
        )
    })
}

/// Order-preserving key of a score: for non-NaN a, b, `a < b ⇔ key(a) < key(b)`
/// and `a == b ⇔ key(a) == key(b)` (−0 and +0 share a key).
#[inline]
pub fn key(s: f64) -> u64 {
    let b = (s + 0.0).to_bits();
    // Negative: all bits flipped; else the sign bit set (branch-free, as
    // signs of scores near 0 are unpredictable).
    b ^ (((b as i64) >> 63) as u64 | 1 << 63)
}

/// The score of a key (inverse of [`key`] on keys of non-NaN scores).
pub fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// A bucket: the keys sharing their top `BITS[depth]` bits (`prefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Bucket {
    /// The refinement level (0 = top level).
    pub depth: u8,
    /// The keys' shared top bits at that level.
    pub prefix: u64,
}

impl Bucket {
    pub(super) fn of(k: u64, depth: u8) -> Bucket {
        Bucket {
            depth,
            prefix: k.checked_shr(64 - BITS[depth as usize]).unwrap_or(k),
        }
    }

    /// The bucket one level up (`None` at depth 1).
    pub(super) fn parent(&self) -> Option<Bucket> {
        (self.depth > 1).then(|| Bucket {
            depth: self.depth - 1,
            prefix: self.prefix >> (BITS[self.depth as usize] - BITS[self.depth as usize - 1]),
        })
    }

    /// The lowest key of the bucket.
    pub(super) fn low(&self) -> u64 {
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
    /// Per cell key (as text), the buckets opened for the next pass.
    pub opened: BTreeMap<String, Open>,
}

impl Plan {
    pub(super) fn name(b: Bucket) -> String {
        format!("{}:{:x}", b.depth, b.prefix)
    }

    pub(super) fn get(&self, b: Bucket) -> Option<Open> {
        self.opened.get(&Self::name(b)).copied()
    }

    /// Reads and checks a plan file written by `biasbench merge`.
    pub fn read(path: &Path) -> Result<Plan> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes, &path.display().to_string())
    }

    /// [`Plan::read`] of a plan's JSON in memory, `name` naming it in errors.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Plan> {
        let plan: Plan = parse_json(bytes, name, "plan")?;
        plan.checked("opened")
            .map_err(|(field, why)| Error::data_field(name.to_string(), field, why))?;
        Ok(plan)
    }

    pub(super) fn buckets(&self) -> Result<Vec<(Bucket, Open)>> {
        self.checked("opened")
            .map_err(|(field, why)| Error::data_field("plan", field, why))
    }

    /// The opened buckets, ascending, each at depth 1 to 3 inside a bucket
    /// the plan splits; else the entry of `field` at fault and why.
    pub(super) fn checked(&self, field: &str) -> Checked<Vec<(Bucket, Open)>> {
        let mut out = Vec::with_capacity(self.opened.len());
        for (name, &open) in &self.opened {
            let bad = || {
                (
                    format!("{field}[{name:?}]"),
                    "bad bucket name (DEPTH:HEX_PREFIX, depth 1 to 3)".to_string(),
                )
            };
            let (d, p) = name.split_once(':').ok_or_else(bad)?;
            let depth: u8 = d.parse().map_err(|_| bad())?;
            let prefix = u64::from_str_radix(p, 16).map_err(|_| bad())?;
            if !(1..=3).contains(&depth) || prefix >> BITS[depth as usize] != 0 {
                return Err(bad());
            }
            out.push((Bucket { depth, prefix }, open));
        }
        out.sort_by_key(|x| x.0);
        let opened: BTreeMap<Bucket, Open> = out.iter().copied().collect();
        for &(b, _) in &out {
            if let Some(p) = unsplit_parent(b, &opened) {
                return Err((
                    format!("{field}[{:?}]", Self::name(b)),
                    format!(
                        "opened inside bucket {}, which the plan does not split",
                        Self::name(p)
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// The bucket holding score `s` that is neither opened nor a single key
    /// (`None`: `s` is known exactly).
    pub(super) fn unresolved(&self, s: f64) -> Option<Bucket> {
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
