//! Building inputs from data in memory — the library's front door:
//! [`Comparisons::builder`](super::Comparisons::builder),
//! [`Searches::builder`](super::Searches::builder),
//! [`Labelled::builder`](super::Labelled::builder) and
//! [`Ages::builder`](super::Ages::builder).
//!
//! Columns are [`ndarray::ArrayView1`]s, so NumPy arrays reach them without
//! copies; slices, arrays and `Vec`s convert too (`&[0.9, 0.8]`,
//! `ArrayView1::from(&v[..])`). Group labels are text (`&[S]` with
//! `S: AsRef<str>`) or integer codes into a list of names
//! (`ArrayView1<u32>` + `&[S]`, the form of a pandas categorical), where the
//! code [`MISSING`] (`u32::MAX`) marks a missing value.
//!
//! The builders read values as the table readers read cells:
//! * text is trimmed, and empty, `NA`, `N/A`, `NaN`, `null` and `None` are missing;
//! * a NaN number stands for an empty cell (missing), ±∞ for a non-finite value;
//! * label codes are interned and the names sorted, as from a file.
//!
//! `build` checks that every column has one value per row, that codes index
//! their names (which must be distinct), and the rules of each input. A row
//! the table reader would drop (a missing score, a missing group in every
//! attribute, …) is an error naming its index, unless
//! `drop_unusable(true)` asks to drop such rows: they are then counted in
//! the accounting under the reader's reasons, with the file `<memory>` and
//! the 1-based row number as the line. Otherwise every row is used. The
//! builders never panic on bad input.

/// The setters every builder has: attributes with one value per row, as
/// text or as codes, and whether unusable rows are dropped. `$row` names a
/// row in the docs.
macro_rules! shared_setters {
    ($row:literal) => {
        #[doc = concat!("An attribute with one value per ", $row, ".")]
        pub fn attribute<S: AsRef<str>>(mut self, name: &str, values: &'a [S]) -> Self {
            self.attributes.add(name, Labels::text(values), None);
            self
        }

        #[doc = concat!("An attribute as codes into `names`, one per ", $row, ".")]
        pub fn attribute_codes<S: AsRef<str>>(
            mut self,
            name: &str,
            codes: impl Into<ArrayView1<'a, u32>>,
            names: &'a [S],
        ) -> Self {
            self.attributes
                .add(name, Labels::codes(codes.into(), names), None);
            self
        }

        /// Drop and count the rows the table reader would drop instead of
        /// refusing them (see the module docs).
        pub fn drop_unusable(mut self, drop: bool) -> Self {
            self.drop_unusable = drop;
            self
        }
    };
}

pub mod ages;
pub mod comparisons;
pub mod labelled;
pub mod searches;

use super::accounting::Accounting;
use super::accounting::DropReason;
use super::attributes::Attributes;
use super::codes::{Interner, MISSING};
use crate::error::{Error, Position, Result};
use ndarray::ArrayView1;

/// An error in data given in memory.
fn invalid(message: String) -> Error {
    Error::data("<memory>", message)
}

/// The error when a required column was not given.
fn required<T>(column: Option<T>, what: &str) -> Result<T> {
    column.ok_or_else(|| invalid(format!("{what} are required")))
}

/// Checks that a column has one value per row.
fn same_length(rows: usize, first: &str, column: &str, len: usize) -> Result<()> {
    if len == rows {
        return Ok(());
    }
    Err(invalid(format!(
        "{column} has {len} values but {first} has {rows}: give one per row"
    )))
}

/// The drop reason of a score that is not a usable number.
fn unusable_score(x: f64) -> Option<DropReason> {
    match x {
        x if x.is_nan() => Some(DropReason::MissingScore),
        x if x.is_infinite() => Some(DropReason::NonFiniteScore),
        _ => None,
    }
}

/// Text labels of every row, or codes into names, or yes/no flags (read as `1`/`0`).
enum Labels<'a> {
    Text(Vec<&'a str>),
    Codes {
        codes: ArrayView1<'a, u32>,
        names: Vec<&'a str>,
    },
    Flags(ArrayView1<'a, bool>),
}

impl<'a> Labels<'a> {
    fn text<S: AsRef<str>>(values: &'a [S]) -> Labels<'a> {
        Labels::Text(values.iter().map(AsRef::as_ref).collect())
    }

    fn codes<S: AsRef<str>>(codes: ArrayView1<'a, u32>, names: &'a [S]) -> Labels<'a> {
        Labels::Codes {
            codes,
            names: names.iter().map(AsRef::as_ref).collect(),
        }
    }

    /// How many values a coded side can hold (0 for text).
    fn distinct(&self) -> usize {
        match self {
            Labels::Text(_) => 0,
            Labels::Codes { names, .. } => names.len(),
            Labels::Flags(_) => 2,
        }
    }

    /// Row `i`'s code in attribute `j`; a coded value is coded at first
    /// sight and remembered in `known` (indexed by its code).
    fn code(&self, attrs: &mut Attributes, j: usize, known: &mut [u32], i: usize) -> u32 {
        let k = match self {
            Labels::Text(_) => return attrs.code(j, self.cell(i)),
            Labels::Codes { codes, .. } if codes[i] == MISSING => return MISSING,
            Labels::Codes { codes, .. } => codes[i] as usize,
            Labels::Flags(f) => f[i] as usize,
        };
        if known[k] == UNSEEN {
            known[k] = attrs.code(j, self.cell(i));
        }
        known[k]
    }

    fn len(&self) -> usize {
        match self {
            Labels::Text(v) => v.len(),
            Labels::Codes { codes, .. } => codes.len(),
            Labels::Flags(f) => f.len(),
        }
    }

    /// Codes index the names (or are `MISSING`); names are distinct.
    fn check(&self, what: &str) -> Result<()> {
        let Labels::Codes { codes, names } = self else {
            return Ok(());
        };
        if let Some((i, c)) = codes
            .iter()
            .enumerate()
            .find(|&(_, &c)| c != MISSING && c as usize >= names.len())
        {
            return Err(invalid(format!(
                "{what}: code {c} at index {i} has no name (there are {} names)",
                names.len()
            )));
        }
        let mut sorted: Vec<&str> = names.iter().map(|s| s.trim_ascii()).collect();
        sorted.sort_unstable();
        match sorted.windows(2).find(|w| w[0] == w[1]) {
            Some(w) => Err(invalid(format!(
                "{what}: the name {:?} is listed twice",
                w[0]
            ))),
            None => Ok(()),
        }
    }

    /// Row `i` as a table cell would hold it (empty for a missing code).
    fn cell(&self, i: usize) -> &'a [u8] {
        match self {
            Labels::Text(v) => v[i].as_bytes(),
            Labels::Codes { codes, names } => match codes[i] {
                MISSING => b"",
                c => names[c as usize].as_bytes(),
            },
            Labels::Flags(f) if f[i] => b"1",
            Labels::Flags(_) => b"0",
        }
    }
}

/// Subject ids: text, or integer ids (`MISSING` = missing).
enum Ids<'a> {
    Text(Vec<&'a str>),
    Codes(ArrayView1<'a, u32>),
}

/// One present subject id.
#[derive(Clone, Copy)]
enum Id<'a> {
    Text(&'a [u8]),
    Code(u32),
}

impl<'a> Ids<'a> {
    fn len(&self) -> usize {
        match self {
            Ids::Text(v) => v.len(),
            Ids::Codes(c) => c.len(),
        }
    }

    /// The id of row `i`, `None` when missing.
    fn get(&self, i: usize) -> Option<Id<'a>> {
        match self {
            Ids::Text(v) => {
                let t = v[i].trim_ascii().as_bytes();
                (!super::values::is_missing(t)).then_some(Id::Text(t))
            }
            Ids::Codes(c) => (c[i] != MISSING).then_some(Id::Code(c[i])),
        }
    }

    /// Row `i` as its cell shows it (an integer id as a number).
    fn cell(&self, i: usize) -> Cell<'a> {
        match self {
            Ids::Text(v) => Cell::Text(v[i]),
            Ids::Codes(c) => Cell::Number(c[i] as f64),
        }
    }
}

impl Id<'_> {
    /// The dense id, numbered in first-seen order as the readers number them.
    fn intern(self, ids: &mut Interner) -> u32 {
        match self {
            Id::Text(t) => ids.intern(t),
            Id::Code(c) => ids.intern(&c.to_le_bytes()),
        }
    }
}

/// The codes of coded attribute sides (side a, side b per attribute),
/// indexed by their codes there: [`UNSEEN`] until first read.
struct Known(Vec<Vec<u32>>);

/// A coded value not read yet (never an interned code, nor [`MISSING`]).
const UNSEEN: u32 = MISSING - 1;

/// Demographic attributes given in memory, in the order given.
#[derive(Default)]
struct Given<'a> {
    names: Vec<String>,
    /// Side a (or the row) and side b of each attribute.
    sides: Vec<(Labels<'a>, Option<Labels<'a>>)>,
}

impl<'a> Given<'a> {
    fn add(&mut self, name: &str, a: Labels<'a>, b: Option<Labels<'a>>) {
        self.names.push(name.to_string());
        self.sides.push((a, b));
    }

    /// One value per row, valid codes, distinct attribute names.
    fn check(&self, rows: usize, first: &str) -> Result<()> {
        for (j, (name, (a, b))) in self.names.iter().zip(&self.sides).enumerate() {
            if self.names[..j].contains(name) {
                return Err(invalid(format!("attribute {name:?} is given twice")));
            }
            for side in std::iter::once(a).chain(b) {
                same_length(rows, first, &format!("attribute {name:?}"), side.len())?;
                side.check(&format!("attribute {name:?}"))?;
            }
        }
        Ok(())
    }

    /// The attributes to read into, and an empty cache of the codes of coded sides.
    fn start(&self) -> (Attributes, Known) {
        let per_side: Vec<bool> = self.sides.iter().map(|(_, b)| b.is_some()).collect();
        let known = (self.sides.iter())
            .flat_map(|(a, b)| [Some(a), b.as_ref()])
            .map(|side| vec![UNSEEN; side.map_or(0, Labels::distinct)])
            .collect();
        (Attributes::given(&self.names, &per_side), Known(known))
    }

    /// Codes of row `i` into `a` and `b` (MISSING where absent): each value
    /// coded as the table reader codes its text, a coded side's values once.
    fn read(
        &self,
        attrs: &mut Attributes,
        known: &mut Known,
        i: usize,
        a: &mut [u32],
        b: &mut [u32],
    ) {
        for (j, (first, second)) in self.sides.iter().enumerate() {
            a[j] = first.code(attrs, j, &mut known.0[2 * j], i);
            b[j] = match second {
                Some(second) => second.code(attrs, j, &mut known.0[2 * j + 1], i),
                None => a[j],
            };
        }
    }

    /// The name a dropped row points at.
    fn column(&self) -> &str {
        self.names.first().map_or("attributes", String::as_str)
    }
}

/// The file a builder's columns were read from (a column store), when they
/// were: drops then name the file, the 1-based row as the line, the file's
/// column and the cell's text, as the table reader's do, and are counted
/// unless `strict` turns the first into an error.
pub(crate) struct FileOrigin {
    pub(crate) file: String,
    pub(crate) strict: bool,
    /// The file's column of each builder column (`scores`, `truth`, …), and
    /// under `group` the column a row without a group is pointed at.
    pub(crate) columns: Vec<(&'static str, String)>,
}

impl FileOrigin {
    /// The file's name of builder column `column`.
    fn column<'c>(&'c self, column: &'c str) -> &'c str {
        let named = self.columns.iter().find(|c| c.0 == column);
        named.map_or(column, |c| &c.1)
    }
}

/// A dropped row's cell, rendered only when shown or kept.
enum Cell<'c> {
    /// A number: as a table shows it when read from a file, else as Rust prints it.
    Number(f64),
    /// Text as given.
    Text(&'c str),
    /// Nothing to show.
    Empty,
}

impl Cell<'_> {
    /// The cell's text: a number as a table shows it when read from a
    /// file, else as Rust prints it.
    fn text(&self, from_file: bool) -> String {
        match *self {
            Cell::Number(x) if from_file => {
                let mut out = Vec::new();
                super::values::format_number(x, &mut out);
                String::from_utf8_lossy(&out).into_owned()
            }
            Cell::Number(x) => x.to_string(),
            Cell::Text(t) => t.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// Label bytes as text (they come from `&str`s).
fn text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// Where row `i`'s cell of builder column `column` is: the file's line and
/// column when read from one, else the row of `<memory>`.
fn position(origin: Option<&FileOrigin>, i: usize, column: &str, value: String) -> Position {
    match origin {
        Some(o) => Position::cell(o.file.clone(), i as u64 + 1, o.column(column), value),
        None => Position::row_cell("<memory>", i as u64 + 1, column, value),
    }
}

/// The accounting of rows given in memory (or read from a column store).
struct Rows {
    /// What a row is (`comparisons`, `searches`, `items`).
    what: &'static str,
    drop: bool,
    origin: Option<FileOrigin>,
    accounting: Accounting,
}

impl Rows {
    fn new(what: &'static str, rows: usize, drop: bool, origin: Option<FileOrigin>) -> Rows {
        Rows {
            what,
            drop,
            origin,
            accounting: Accounting {
                rows: rows as u64,
                ..Accounting::default()
            },
        }
    }

    /// Was the data read from a file?
    fn is_file(&self) -> bool {
        self.origin.is_some()
    }

    /// Drops row `i` for `reason` if asked to, else an error naming it.
    fn drop(&mut self, i: usize, reason: DropReason, column: &str, cell: Cell) -> Result<()> {
        let from_file = self.is_file();
        let text = || cell.text(from_file);
        let origin = self.origin.as_ref();
        let at = || position(origin, i, column, text());
        match origin {
            Some(o) if o.strict => return Err(Error::strict(at(), reason)),
            None if !self.drop => {
                return Err(invalid(format!(
                    "{} index {i}: {reason} ({column} = {:?}); drop_unusable(true) drops such rows",
                    self.what,
                    text()
                )))
            }
            _ => {}
        }
        self.accounting.drop_row(&reason, at);
        Ok(())
    }

    /// Drops row `i` for having no group: in memory pointing at the first
    /// attribute, from a file at the column the table reader points at
    /// (`group` in the origin's columns), whose cell is `cell`.
    fn drop_ungrouped(&mut self, i: usize, attribute: &str, cell: Cell) -> Result<()> {
        match self.is_file() {
            true => self.drop(i, DropReason::MissingGroup, "group", cell),
            false => self.drop(i, DropReason::MissingGroup, attribute, Cell::Empty),
        }
    }

    /// An error about a value of row `i` in builder column `column`.
    fn bad_value(&self, i: usize, column: &str, value: String, message: String) -> Error {
        Error::value(position(self.origin.as_ref(), i, column, value), message)
    }

    fn use_row(&mut self) {
        self.accounting.used += 1;
    }
}

/// Each drop reason with its count and first line (for tests).
#[cfg(test)]
fn reasons(a: &Accounting) -> Vec<(String, u64, u64)> {
    let d = a.dropped.iter();
    d.map(|d| {
        (
            d.reason.as_str().into_owned(),
            d.count,
            d.first.line.unwrap_or(0),
        )
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_cells() {
        let names = ["b", "a"];
        let codes = [1, MISSING, 0];
        let l = Labels::codes(ArrayView1::from(&codes), &names);
        assert_eq!(
            (l.cell(0), l.cell(1), l.cell(2)),
            (&b"a"[..], &b""[..], &b"b"[..])
        );
        let f = [true, false];
        let l = Labels::Flags(ArrayView1::from(&f));
        assert_eq!((l.cell(0), l.cell(1)), (&b"1"[..], &b"0"[..]));
        let bad = [2];
        let e = Labels::codes(ArrayView1::from(&bad), &names)
            .check("x")
            .unwrap_err();
        assert!(
            e.to_string().contains("code 2 at index 0 has no name"),
            "{e}"
        );
        let e = Labels::codes(ArrayView1::from(&codes), &["a", " a"])
            .check("x")
            .unwrap_err();
        assert!(e.to_string().contains("\"a\" is listed twice"), "{e}");
    }

    #[test]
    fn ids_are_dense_in_first_seen_order() {
        let mut ids = Interner::default();
        let c = [7, 3, MISSING, 7];
        let c = Ids::Codes(ArrayView1::from(&c));
        assert!(c.get(2).is_none());
        let got: Vec<u32> = [0, 1, 3]
            .iter()
            .map(|&i| c.get(i).unwrap().intern(&mut ids))
            .collect();
        assert_eq!(got, [0, 1, 0]);
        let t = Ids::Text(vec![" s1 ", "NA"]);
        assert!(t.get(1).is_none());
        assert_eq!(t.get(0).unwrap().intern(&mut ids), 2);
    }
}
