//! Reading 1:1 comparisons into compact columns, with row accounting.

use super::accounting::{Accounting, DropReason};
use super::attributes::{Attributes, SubjectsSpec};
use super::rows::{read_chunks, RowReader};
use super::rules::ExcludeRule;
use super::sense::ScoreSense;
use super::table::{InputFile, Table, TextFormat};
use super::values::{parse_flag, trim};
use crate::error::{Error, Result};
use crate::input::codes::{extend_remapped, Interner, MISSING};
use rustc_hash::FxHashSet;
use serde::Serialize;
use std::path::PathBuf;

/// How to find the columns of a comparisons table.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyColumns {
    /// Score column.
    pub score: String,
    /// Another score column that every used row must hold a usable score
    /// in too (the other model's, in `compare`): a row without one is
    /// dropped as for its own score, naming this column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also_score: Option<String>,
    /// Mated-flag column; `None` uses `mated` when present, else derives the
    /// flag from `subject_a == subject_b`.
    pub mated: Option<String>,
    /// Subject columns; `None` uses `subject_a`/`subject_b` when present.
    pub subject_a: Option<String>,
    /// Subject column of side b; `None` uses `subject_b` when present.
    pub subject_b: Option<String>,
    /// When set, the subject columns hold sample ids `<subject><SEP><rest>`:
    /// the subject is the text before the last SEP, and a repeated unordered
    /// pair of sample ids is dropped as a duplicate.
    pub id_sep: Option<String>,
    /// Demographic attributes, each from `X_a`/`X_b`, else `X`, else the subjects table.
    pub attrs: Vec<String>,
    /// Lower scores mean more alike.
    pub distance: bool,
    /// `COLUMN=VALUE` rules; matching rows are dropped, counted per rule.
    pub exclude: Vec<ExcludeRule>,
    /// Turn every drop into an error (explicit `exclude` rules excepted).
    pub strict: bool,
    /// Delimiter override (sniffed from the header otherwise) and whether
    /// quoted fields may span many lines.
    #[serde(skip)]
    pub text: TextFormat,
    /// Subjects table and its id column.
    pub subjects: Option<PathBuf>,
    /// Subject id column of the subjects table.
    pub subject_id: String,
}

impl Default for VerifyColumns {
    fn default() -> Self {
        VerifyColumns {
            score: "score".into(),
            also_score: None,
            mated: None,
            subject_a: None,
            subject_b: None,
            id_sep: None,
            attrs: Vec::new(),
            distance: false,
            exclude: Vec::new(),
            strict: false,
            text: TextFormat::default(),
            subjects: None,
            subject_id: "subject_id".into(),
        }
    }
}

/// One attribute's sorted values and the code of each side of each row
/// (`MISSING` where absent).
#[derive(Debug, Clone, Serialize)]
pub struct AttributeData {
    /// The attribute's name (`X`).
    pub name: String,
    /// Where the values came from: `X_a/X_b columns`, `X column` or `subjects table`.
    pub source: String,
    /// The attribute's values in byte order; a code indexes this list.
    pub values: Vec<String>,
    /// Code of side a's value per row (`MISSING` when absent).
    #[serde(skip)]
    pub side_a: Vec<u32>,
    /// Code of side b's value per row (`MISSING` when absent).
    #[serde(skip)]
    pub side_b: Vec<u32>,
}

/// Comparisons in compact columns. Scores are in similarity orientation
/// (distances negated), so a comparison is accepted when `score >= τ`.
#[derive(Debug, Clone)]
pub struct Comparisons {
    /// Score per row in similarity orientation (distances negated).
    pub score: Vec<f64>,
    /// Mated flag per row (`true`: both sides are the same subject).
    pub mated: Vec<bool>,
    /// Dense subject ids per side (empty when the input has none).
    pub subject_a: Vec<u32>,
    /// Dense subject ids of side b (empty when the input has none).
    pub subject_b: Vec<u32>,
    /// Number of distinct subjects over both sides.
    pub n_subjects: usize,
    /// The demographic attributes, with their per-row codes.
    pub attributes: Vec<AttributeData>,
    /// Where every input row went: used or dropped for a reason.
    pub accounting: Accounting,
    /// Provenance of the files read (comparisons, then the subjects table).
    pub inputs: Vec<InputFile>,
    /// How many identical comparisons each row stands for (empty: one each).
    /// Set by the streaming reduction, where a row is a score with its
    /// multiplicity; never combined with the bootstrap.
    pub count: Vec<u64>,
}

/// A row with attribute codes `a` and `b` (per attribute) is placed in some
/// view: a mated row needs one side of some attribute, a non-mated row both
/// sides of the same attribute (true when there are no attributes).
pub(super) fn placeable(mated: bool, a: &[u32], b: &[u32]) -> bool {
    a.is_empty()
        || a.iter().zip(b).any(|(&a, &b)| {
            if mated {
                a != MISSING || b != MISSING
            } else {
                a != MISSING && b != MISSING
            }
        })
}

impl Comparisons {
    /// Reads a comparisons table. Bad input is an error naming file, line,
    /// column and value; rows that cannot be used are dropped and counted
    /// (an error under `strict`).
    pub fn read(t: Table, cols: &VerifyColumns) -> Result<Comparisons> {
        let c = ComparisonColumns::find(&t, cols)?;
        let spec = SubjectsSpec::given(cols.subjects.as_deref(), &cols.subject_id, cols.text);
        let attrs = Attributes::resolve(&t, &cols.attrs, true, spec, c.subjects.is_some())?;
        let rows = Rows {
            c,
            sep: cols.id_sep.as_deref().map(str::as_bytes),
            sense: ScoreSense::from_distance(cols.distance),
        };
        let template = attrs.local();
        let new = || Part::new(template.local());
        let read = |r: &mut RowReader, p: &mut Part| rows.read(r, p);
        let mut all = Part::new(attrs);
        let (input, accounting) = read_chunks(
            t,
            &cols.exclude,
            cols.strict,
            "comparisons",
            new,
            &read,
            |chunk| {
                let earlier = all.seen_before(&chunk.out);
                if !earlier.is_empty() {
                    chunk.reread(Part { earlier, ..new() }, &read);
                }
                all.append(&chunk.out);
                Ok(())
            },
        )?;
        let (attributes, subjects_input) = all.attrs.finish(&mut []);
        Ok(Comparisons {
            score: all.score,
            mated: all.mated,
            subject_a: all.subject_a,
            subject_b: all.subject_b,
            n_subjects: all.subject_ids.len(),
            attributes,
            accounting,
            inputs: std::iter::once(input).chain(subjects_input).collect(),
            count: Vec::new(),
        })
    }
}

/// How the rows of a comparisons table are read.
struct Rows<'c> {
    c: ComparisonColumns,
    /// Separator of sample ids `<subject><SEP><rest>`, when they are.
    sep: Option<&'c [u8]>,
    sense: ScoreSense,
}

impl Rows<'_> {
    /// Reads the rows of `r` into `p`, up to the first error.
    fn read(&self, r: &mut RowReader, p: &mut Part) -> Result<()> {
        let c = &self.c;
        let mut row_a = vec![MISSING; p.attrs.count()];
        let mut row_b = row_a.clone();
        while r.next_row()? {
            let Some(s) = r.score(c.score)? else {
                continue;
            };
            if let Some(o) = c.also {
                if r.score(o)?.is_none() {
                    continue;
                }
            }
            let mut ids = None;
            if let Some(columns) = c.subjects {
                let Some(pair) = p.ids(r, columns, self.sep)? else {
                    continue;
                };
                ids = Some(pair);
            }
            let Some(m) = c.mated(r, ids)? else {
                continue;
            };
            let subject_pair = c
                .subjects
                .map(|(ca, cb)| (r.subject(ca, self.sep), r.subject(cb, self.sep)));
            p.attrs
                .read(|c| r.field(c), subject_pair, &mut row_a, &mut row_b);
            if !placeable(m, &row_a, &row_b) {
                r.drop_row(
                    DropReason::MissingGroup,
                    c.subjects.map_or(c.score, |s| s.0),
                )?;
                continue;
            }
            p.attrs.push(&row_a, &row_b);
            if let Some((a, b)) = ids {
                p.subject_a.push(a);
                p.subject_b.push(b);
            }
            p.score.push(self.sense.internal(s));
            p.mated.push(m);
            r.use_row();
        }
        Ok(())
    }
}

/// Comparisons read from one chunk, or from every chunk so far: the
/// columns, the codes in first-seen order, and the pairs of sample ids seen.
struct Part {
    score: Vec<f64>,
    mated: Vec<bool>,
    subject_a: Vec<u32>,
    subject_b: Vec<u32>,
    attrs: Attributes,
    subject_ids: Interner,
    sample_ids: Interner,
    /// Unordered pairs of sample ids seen (with `--id-sep`).
    seen_pairs: FxHashSet<u64>,
    /// Rows of a chunk (index in it) whose pair it had not seen before, and the pair.
    new_pairs: Vec<(usize, u64)>,
    /// Rows of a chunk (index in it, ascending) whose pair an earlier chunk
    /// holds: duplicates, found by the merge.
    earlier: Vec<usize>,
}

impl Part {
    fn new(attrs: Attributes) -> Part {
        Part {
            score: Vec::new(),
            mated: Vec::new(),
            subject_a: Vec::new(),
            subject_b: Vec::new(),
            attrs,
            subject_ids: Interner::default(),
            sample_ids: Interner::default(),
            seen_pairs: FxHashSet::default(),
            new_pairs: Vec::new(),
            earlier: Vec::new(),
        }
    }

    /// The dense subject ids of the current row's sides; `None` once the
    /// row is dropped (a missing or unknown subject, a repeated pair of
    /// sample ids).
    fn ids(
        &mut self,
        r: &mut RowReader,
        (ca, cb): (usize, usize),
        sep: Option<&[u8]>,
    ) -> Result<Option<(u32, u32)>> {
        if r.drop_if_missing_subject(ca)?
            || r.drop_if_missing_subject(cb)?
            || r.drop_if_unknown_subject(&self.attrs, ca, sep)?
            || r.drop_if_unknown_subject(&self.attrs, cb, sep)?
        {
            return Ok(None);
        }
        if sep.is_some() {
            let x = self.sample_ids.intern(trim(r.field(ca)));
            let y = self.sample_ids.intern(trim(r.field(cb)));
            let pair = pair_key(x, y);
            let new = self.seen_pairs.insert(pair);
            if new {
                self.new_pairs.push((r.index(), pair));
            }
            if !new || self.earlier.binary_search(&r.index()).is_ok() {
                r.drop_row(DropReason::Duplicate, ca)?;
                return Ok(None);
            }
        }
        let a = self.subject_ids.intern(r.subject(ca, sep));
        let b = self.subject_ids.intern(r.subject(cb, sep));
        Ok(Some((a, b)))
    }

    /// The rows of `chunk`, read after these, whose pair of sample ids an
    /// earlier row holds (duplicates the chunk could not see); the chunk's
    /// sample ids and pairs join these.
    fn seen_before(&mut self, chunk: &Part) -> Vec<usize> {
        let remap = self.sample_ids.absorb(&chunk.sample_ids);
        let id = |x: u64| remap[x as usize];
        chunk
            .new_pairs
            .iter()
            .filter(|&&(_, p)| {
                !self
                    .seen_pairs
                    .insert(pair_key(id(p >> 32), id(p & 0xffff_ffff)))
            })
            .map(|&(r, _)| r)
            .collect()
    }

    /// Appends the comparisons of `chunk`, read after these, renumbering its codes.
    fn append(&mut self, chunk: &Part) {
        let remap = self.subject_ids.absorb(&chunk.subject_ids);
        extend_remapped(&mut self.subject_a, &chunk.subject_a, &remap);
        extend_remapped(&mut self.subject_b, &chunk.subject_b, &remap);
        self.score.extend_from_slice(&chunk.score);
        self.mated.extend_from_slice(&chunk.mated);
        self.attrs.append(&chunk.attrs);
    }
}

/// The key of the unordered pair of sample ids `x`, `y`.
fn pair_key(x: u32, y: u32) -> u64 {
    u64::from(x.min(y)) << 32 | u64::from(x.max(y))
}

/// The columns of a comparisons table.
struct ComparisonColumns {
    score: usize,
    /// The other score column a used row must hold too.
    also: Option<usize>,
    /// The subject (or sample id) column of each side.
    subjects: Option<(usize, usize)>,
    mated: Option<usize>,
}

impl ComparisonColumns {
    /// Finds the columns the flags name (or the default names); the mated
    /// flag needs its column or both subject columns.
    fn find(t: &Table, cols: &VerifyColumns) -> Result<ComparisonColumns> {
        let score = t.column(&cols.score, "--score")?;
        let subjects = match (
            optional_column(t, &cols.subject_a, "subject_a", "--subject-a")?,
            optional_column(t, &cols.subject_b, "subject_b", "--subject-b")?,
        ) {
            (Some(a), Some(b)) => Some((a, b)),
            (None, None) => None,
            (a, _) => {
                let missing = match a {
                    Some(_) => cols.subject_b.as_deref().unwrap_or("subject_b"),
                    None => cols.subject_a.as_deref().unwrap_or("subject_a"),
                };
                return Err(Error::data_field(
                    &t.file,
                    missing,
                    "both subject columns are needed, only one was found",
                ));
            }
        };
        let mated = optional_column(t, &cols.mated, "mated", "--mated")?;
        if mated.is_none() && subjects.is_none() {
            return Err(Error::data_field(
                &t.file,
                "mated",
                "no mated column ('mated' or --mated) and no subject columns to derive it from",
            ));
        }
        let also = (cols.also_score.as_ref())
            .map(|c| t.column(c, "--score-b"))
            .transpose()?;
        Ok(ComparisonColumns {
            score,
            also,
            subjects,
            mated,
        })
    }

    /// The mated flag of the current row, from its column or else from
    /// equal subject ids; `None` once the row is dropped (unknown value).
    fn mated(&self, r: &mut RowReader, ids: Option<(u32, u32)>) -> Result<Option<bool>> {
        let Some(c) = self.mated else {
            return Ok(Some(ids.is_some_and(|(a, b)| a == b)));
        };
        let m = parse_flag(r.field(c));
        if m.is_none() {
            r.drop_row(DropReason::UnknownMated, c)?;
        }
        Ok(m)
    }
}

/// A column given by a flag (which must exist), else the default name if present.
fn optional_column(
    t: &Table,
    given: &Option<String>,
    default: &str,
    flag: &str,
) -> Result<Option<usize>> {
    match given {
        Some(c) => t.column(c, flag).map(Some),
        None => t.find(default, flag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, cols: &VerifyColumns) -> Result<Comparisons> {
        let t = Table::from_reader(
            "c.csv".into(),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            Default::default(),
        )?;
        Comparisons::read(t, cols)
    }

    fn attrs(a: &[&str]) -> VerifyColumns {
        VerifyColumns {
            attrs: a.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn every_row_lands_in_one_bucket() {
        let text = "score,mated,race\n0.9,1,A\n,0,A\n0.1,maybe,B\nnan,0,B\n0.2,0,\n0.3,genuine,B\n";
        let c = read(text, &attrs(&["race"])).unwrap();
        let acc = &c.accounting;
        assert_eq!((acc.rows, acc.used), (6, 2));
        assert!(acc.balanced());
        let reasons: Vec<(String, u64, Option<u64>)> = acc
            .dropped
            .iter()
            .map(|d| (d.reason.to_string(), d.count, d.first.line))
            .collect();
        assert_eq!(
            reasons,
            [
                ("missing score".into(), 1, Some(3)),
                ("unknown mated value".into(), 1, Some(4)),
                ("non-finite score".into(), 1, Some(5)),
                ("missing group in every attribute".into(), 1, Some(6))
            ]
        );
        assert_eq!(acc.dropped[1].first.value.as_deref(), Some("maybe"));
        assert_eq!(acc.dropped[1].first.column.as_deref(), Some("mated"));
        assert_eq!(c.attributes[0].values, ["A", "B"]);
        assert_eq!(c.mated, [true, true]);
    }

    #[test]
    fn unparsable_score_names_file_line_column_value() {
        let e = read("score,mated\n0.5,1\n0.5x,0\n", &VerifyColumns::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.csv:3: column 'score', value \"0.5x\": not a number"
        );
    }

    #[test]
    fn strict_turns_a_drop_into_an_error() {
        let cols = VerifyColumns {
            strict: true,
            ..Default::default()
        };
        let e = read("score,mated\n0.5,1\n0.5,perhaps\n", &cols).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.csv:3: column 'mated', value \"perhaps\": row dropped (unknown mated value) and --strict forbids drops"
        );
    }

    #[test]
    fn missing_columns_are_named() {
        let e = read("s,mated\n0.5,1\n", &VerifyColumns::default()).unwrap_err();
        assert!(
            e.to_string().contains("no column 'score' (flag --score)"),
            "{e}"
        );
        let e = read("score\n0.5\n", &VerifyColumns::default()).unwrap_err();
        assert!(e.to_string().contains("no mated column"), "{e}");
        let e = read("score,mated\n0.5,1\n", &attrs(&["race"])).unwrap_err();
        assert!(e.to_string().contains("attribute 'race'"), "{e}");
    }

    #[test]
    fn mated_from_subjects_sample_ids_and_duplicates() {
        let cols = VerifyColumns {
            subject_a: Some("img1".into()),
            subject_b: Some("img2".into()),
            id_sep: Some("_".into()),
            distance: true,
            ..Default::default()
        };
        let text = "img1,img2,score\nm.a_0001,m.a_0002,0.5\nm.a_0001,m.b_0001,1.2\nm.b_0001,m.a_0001,1.3\n";
        let c = read(text, &cols).unwrap();
        assert_eq!(c.mated, [true, false]);
        assert_eq!(c.score, [-0.5, -1.2]);
        assert_eq!(c.n_subjects, 2);
        assert_eq!(
            c.accounting.dropped[0].reason.as_str(),
            "duplicate comparison"
        );
        assert_eq!(c.accounting.dropped[0].first.line, Some(4));
    }

    #[test]
    fn per_side_and_per_pair_attributes_and_exclusions() {
        let mut cols = attrs(&["race", "sex"]);
        cols.exclude = vec![ExcludeRule::parse("flag=1").unwrap()];
        cols.strict = true; // an explicit exclusion is not an error
        let text = "score,mated,race_a,race_b,sex,flag\n1,1,B,B,F,0\n2,0,A,B,M,0\n3,0,A,,M,1\n";
        let c = read(text, &cols).unwrap();
        assert_eq!(
            c.accounting.dropped[0].reason.as_str(),
            "excluded by --exclude flag=1"
        );
        assert_eq!(c.attributes[0].values, ["A", "B"]);
        assert_eq!(c.attributes[0].side_a, [1, 0]);
        assert_eq!(c.attributes[0].side_b, [1, 1]);
        assert_eq!(c.attributes[1].side_a, c.attributes[1].side_b);
        assert_eq!(c.attributes[1].source, "sex column");
    }
}
