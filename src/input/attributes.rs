//! Where each demographic attribute comes from, and its per-row codes.

use super::comparisons::AttributeData;
use super::subjects::SubjectTable;
use super::table::{InputFile, Table, TextFormat};
use super::values::{is_missing, trim};
use crate::error::{Error, Result};
use crate::input::codes::{apply_remap, extend_remapped, Interner, MISSING};
use std::path::Path;
use std::sync::Arc;

#[derive(Clone, Copy)]
enum Source {
    /// `X_a`/`X_b`: one value per side.
    Sides(usize, usize),
    /// `X`: one value for the row (both sides).
    Row(usize),
    /// The subjects table, column k of those it supplies.
    Subjects(usize),
}

/// The subjects table a task may consult: path, id column, text format.
pub struct SubjectsSpec<'a> {
    /// The subjects table's file.
    pub path: &'a Path,
    /// Its subject id column.
    pub id_column: &'a str,
    /// Its delimiter (`None`: sniffed from the header) and quoting.
    pub text: TextFormat,
}

impl<'a> SubjectsSpec<'a> {
    /// The spec of the subjects table at `path`, when one is given.
    pub fn given(
        path: Option<&'a Path>,
        id_column: &'a str,
        text: TextFormat,
    ) -> Option<SubjectsSpec<'a>> {
        path.map(|path| SubjectsSpec {
            path,
            id_column,
            text,
        })
    }
}

/// True when a row's codes (one per attribute) name no group: there are
/// attributes and every one is missing.
pub fn no_group(row: &[u32]) -> bool {
    !row.is_empty() && row.iter().all(|&c| c == MISSING)
}

/// Attribute sources of one table and the codes read so far.
pub struct Attributes {
    names: Vec<String>,
    sources: Vec<Source>,
    interners: Vec<Interner>,
    table: Option<Arc<SubjectTable>>,
    side_a: Vec<Vec<u32>>,
    side_b: Vec<Vec<u32>>,
}

impl Attributes {
    /// Resolves each attribute X: `X_a`/`X_b` columns (when `per_side`), else
    /// an `X` column, else the subjects table (when given and the rows carry
    /// subject ids).
    pub fn resolve(
        t: &Table,
        names: &[String],
        per_side: bool,
        subjects: Option<SubjectsSpec>,
        has_subject_ids: bool,
    ) -> Result<Attributes> {
        let mut interners: Vec<Interner> = names.iter().map(|_| Interner::default()).collect();
        let mut sources = Vec::new();
        let mut from_table = Vec::new();
        for (j, a) in names.iter().enumerate() {
            let side = |s: &str| t.find(&format!("{a}_{s}"), "--attr");
            let sides = if per_side {
                (side("a")?, side("b")?)
            } else {
                (None, None)
            };
            let row = match sides {
                (Some(_), Some(_)) => None,
                _ => t.find(a, "--attr")?,
            };
            sources.push(match (sides, row) {
                ((Some(x), Some(y)), _) => Source::Sides(x, y),
                (_, Some(x)) => Source::Row(x),
                _ if subjects.is_some() && has_subject_ids => {
                    from_table.push(j);
                    Source::Subjects(from_table.len() - 1)
                }
                _ => {
                    let cols = if per_side { format!("{a}_a/{a}_b or {a}") } else { a.clone() };
                    return Err(Error::data_field(
                        &t.file,
                        a,
                        format!("no column {cols} for attribute '{a}' (--attr), and no --subjects table (with subject ids) supplies it"),
                    ));
                }
            });
        }
        let table = match subjects {
            Some(s) if !from_table.is_empty() => {
                let cols: Vec<&str> = from_table.iter().map(|&j| names[j].as_str()).collect();
                let mut refs: Vec<&mut Interner> = interners
                    .iter_mut()
                    .enumerate()
                    .filter(|(j, _)| from_table.contains(j))
                    .map(|(_, i)| i)
                    .collect();
                Some(Arc::new(SubjectTable::read(
                    s.path,
                    s.id_column,
                    &cols,
                    &mut refs,
                    s.text,
                )?))
            }
            _ => None,
        };
        Ok(Attributes {
            names: names.to_vec(),
            sources,
            interners,
            table,
            side_a: names.iter().map(|_| Vec::new()).collect(),
            side_b: names.iter().map(|_| Vec::new()).collect(),
        })
    }

    /// Attributes given in memory: attribute `j` reads the row's cell `2j`,
    /// and cell `2j + 1` for its second side when `per_side[j]`.
    pub fn given(names: &[String], per_side: &[bool]) -> Attributes {
        let sources = per_side
            .iter()
            .enumerate()
            .map(|(j, &two)| match two {
                true => Source::Sides(2 * j, 2 * j + 1),
                false => Source::Row(2 * j),
            })
            .collect();
        Attributes {
            names: names.to_vec(),
            sources,
            interners: names.iter().map(|_| Interner::default()).collect(),
            table: None,
            side_a: names.iter().map(|_| Vec::new()).collect(),
            side_b: names.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// The same sources with no value read yet: codes of a chunk of rows,
    /// to [`Attributes::append`] to these in file order.
    pub fn local(&self) -> Attributes {
        Attributes {
            names: self.names.clone(),
            sources: self.sources.clone(),
            interners: self.names.iter().map(|_| Interner::default()).collect(),
            table: self.table.clone(),
            side_a: self.names.iter().map(|_| Vec::new()).collect(),
            side_b: self.names.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// Appends the codes of a chunk read after the rows so far (from
    /// [`Attributes::local`]), renumbered into these values; codes from the
    /// subjects table are shared already.
    pub fn append(&mut self, chunk: &Attributes) {
        for (j, (a, b)) in chunk.side_a.iter().zip(&chunk.side_b).enumerate() {
            if matches!(self.sources[j], Source::Subjects(_)) {
                self.side_a[j].extend_from_slice(a);
                self.side_b[j].extend_from_slice(b);
                continue;
            }
            let remap = self.interners[j].absorb(&chunk.interners[j]);
            extend_remapped(&mut self.side_a[j], a, &remap);
            extend_remapped(&mut self.side_b[j], b, &remap);
        }
    }

    /// Number of attributes.
    pub fn count(&self) -> usize {
        self.names.len()
    }

    /// True when `subject` is missing from a subjects table that is in use.
    pub fn unknown_subject(&self, subject: &[u8]) -> bool {
        self.table
            .as_ref()
            .is_some_and(|t| t.lookup(subject).is_none())
    }

    /// Codes of the current row into `a`/`b` (MISSING where absent); the
    /// subject ids are those of the two sides (the same for one-sided rows).
    pub fn read<'r>(
        &mut self,
        field: impl Fn(usize) -> &'r [u8],
        subjects: Option<(&[u8], &[u8])>,
        a: &mut [u32],
        b: &mut [u32],
    ) {
        for j in 0..self.sources.len() {
            (a[j], b[j]) = match self.sources[j] {
                Source::Sides(x, y) => (self.code(j, field(x)), self.code(j, field(y))),
                Source::Row(x) => {
                    let c = self.code(j, field(x));
                    (c, c)
                }
                Source::Subjects(k) => {
                    let look = |s: &[u8]| {
                        self.table
                            .as_ref()
                            .and_then(|t| t.lookup(s))
                            .map_or(MISSING, |c| c[k])
                    };
                    subjects.map_or((MISSING, MISSING), |(sa, sb)| (look(sa), look(sb)))
                }
            };
        }
    }

    /// The code of value `v` of attribute `j` (MISSING for a missing value).
    #[inline]
    pub fn code(&mut self, j: usize, v: &[u8]) -> u32 {
        if is_missing(v) {
            MISSING
        } else {
            self.interners[j].intern(trim(v))
        }
    }

    /// Keeps the codes of a used row.
    pub fn push(&mut self, a: &[u32], b: &[u32]) {
        for j in 0..self.names.len() {
            self.side_a[j].push(a[j]);
            self.side_b[j].push(b[j]);
        }
    }

    /// Codes of a subject's attributes from the subjects table (MISSING for
    /// attributes that come from columns, or for an unlisted subject).
    pub fn subject_codes(&self, subject: &[u8], out: &mut [u32]) {
        for (j, src) in self.sources.iter().enumerate() {
            out[j] = match (*src, &self.table) {
                (Source::Subjects(k), Some(t)) => t.lookup(subject).map_or(MISSING, |c| c[k]),
                _ => MISSING,
            };
        }
    }

    /// The attributes with values sorted by name, and the subjects table's
    /// provenance; `extra[j]`, when given, are more codes of attribute j
    /// (read through [`Attributes::subject_codes`]) to renumber alike.
    pub fn finish(self, extra: &mut [Vec<u32>]) -> (Vec<AttributeData>, Option<InputFile>) {
        let Attributes {
            names,
            sources,
            interners,
            table,
            side_a,
            side_b,
        } = self;
        let mut out = Vec::new();
        for (j, ((((name, src), interner), mut a), mut b)) in names
            .into_iter()
            .zip(sources)
            .zip(interners)
            .zip(side_a)
            .zip(side_b)
            .enumerate()
        {
            let (values, remap) = interner.into_sorted();
            apply_remap(&mut a, &remap);
            apply_remap(&mut b, &remap);
            if let Some(x) = extra.get_mut(j) {
                apply_remap(x, &remap);
            }
            let source = match src {
                Source::Sides(..) => format!("{name}_a/{name}_b columns"),
                Source::Row(_) => format!("{name} column"),
                Source::Subjects(_) => "subjects table".into(),
            };
            out.push(AttributeData {
                name,
                source,
                values,
                side_a: a,
                side_b: b,
            });
        }
        (out, table.map(|t| t.input.clone()))
    }
}
