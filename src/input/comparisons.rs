//! Reading 1:1 comparisons into compact columns, with row accounting.

use super::accounting::Accounting;
use super::subjects::SubjectTable;
use super::table::{InputFile, Table};
use super::values::{is_missing, parse_mated, parse_score, trim, Score};
use crate::error::{Error, Location, Result};
use crate::groups::{apply_remap, Interner, MISSING};
use serde::Serialize;
use std::collections::HashSet;
use std::path::PathBuf;

/// How to find the columns of a comparisons table.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyColumns {
    /// Score column.
    pub score: String,
    /// Mated-flag column; `None` uses `mated` when present, else derives the
    /// flag from `subject_a == subject_b`.
    pub mated: Option<String>,
    /// Subject columns; `None` uses `subject_a`/`subject_b` when present.
    pub subject_a: Option<String>,
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
    pub exclude: Vec<String>,
    /// Turn every drop into an error (explicit `exclude` rules excepted).
    pub strict: bool,
    /// Delimiter override (sniffed from the header otherwise).
    #[serde(skip)]
    pub delimiter: Option<u8>,
    /// Subjects table and its id column.
    pub subjects: Option<PathBuf>,
    pub subject_id: String,
}

impl Default for VerifyColumns {
    fn default() -> Self {
        VerifyColumns {
            score: "score".into(),
            mated: None,
            subject_a: None,
            subject_b: None,
            id_sep: None,
            attrs: Vec::new(),
            distance: false,
            exclude: Vec::new(),
            strict: false,
            delimiter: None,
            subjects: None,
            subject_id: "subject_id".into(),
        }
    }
}

/// One attribute's sorted values and the code of each side of each row
/// (`MISSING` where absent).
#[derive(Debug, Clone, Serialize)]
pub struct AttributeData {
    pub name: String,
    /// Where the values came from: `X_a/X_b columns`, `X column` or `subjects table`.
    pub source: String,
    pub values: Vec<String>,
    #[serde(skip)]
    pub side_a: Vec<u32>,
    #[serde(skip)]
    pub side_b: Vec<u32>,
}

/// Comparisons in compact columns. Scores are in similarity orientation
/// (distances negated), so a comparison is accepted when `score >= τ`.
#[derive(Debug, Clone)]
pub struct Comparisons {
    pub score: Vec<f64>,
    pub mated: Vec<bool>,
    /// Dense subject ids per side (empty when the input has none).
    pub subject_a: Vec<u32>,
    pub subject_b: Vec<u32>,
    pub n_subjects: usize,
    pub attributes: Vec<AttributeData>,
    pub accounting: Accounting,
    pub inputs: Vec<InputFile>,
}

enum AttrSource {
    Sides(usize, usize),
    Pair(usize),
    Subjects(usize),
}

const MISSING_SCORE: &str = "missing score";
const NON_FINITE_SCORE: &str = "non-finite score";
const UNKNOWN_MATED: &str = "unknown mated value";
const MISSING_SUBJECT: &str = "missing subject id";
const UNKNOWN_SUBJECT: &str = "subject not in the subjects table";
const DUPLICATE: &str = "duplicate comparison";
const MISSING_GROUP: &str = "missing group in every attribute";

fn subject_of<'v>(v: &'v [u8], sep: Option<&[u8]>) -> &'v [u8] {
    match sep {
        Some(sep) if !sep.is_empty() => v
            .windows(sep.len())
            .rposition(|w| w == sep)
            .map_or(v, |p| &v[..p]),
        _ => v,
    }
}

impl Comparisons {
    /// Reads a comparisons table. Bad input is an error naming file, line,
    /// column and value; rows that cannot be used are dropped and counted
    /// (an error under `strict`).
    pub fn read(mut t: Table, cols: &VerifyColumns) -> Result<Comparisons> {
        let score_col = t.column(&cols.score, "--score")?;
        let optional = |t: &Table, given: &Option<String>, default: &str, flag: &str| match given {
            Some(c) => t.column(c, flag).map(Some),
            None => Ok(t.find(default)),
        };
        let subj_a = optional(&t, &cols.subject_a, "subject_a", "--subject-a")?;
        let subj_b = optional(&t, &cols.subject_b, "subject_b", "--subject-b")?;
        let subjects = match (subj_a, subj_b) {
            (Some(a), Some(b)) => Some((a, b)),
            (None, None) => None,
            _ => {
                return Err(Error::Config(format!(
                    "{}: both subject columns are needed, only one was found",
                    t.file
                )))
            }
        };
        let mated_col = optional(&t, &cols.mated, "mated", "--mated")?;
        if mated_col.is_none() && subjects.is_none() {
            return Err(Error::Config(format!(
                "{}: no mated column ('mated' or --mated) and no subject columns to derive it from",
                t.file
            )));
        }
        let excludes = cols
            .exclude
            .iter()
            .map(|rule| {
                let (c, v) = rule.split_once('=').ok_or_else(|| {
                    Error::Config(format!("--exclude {rule:?}: expected COLUMN=VALUE"))
                })?;
                Ok((
                    t.column(c, "--exclude")?,
                    v.as_bytes().to_vec(),
                    format!("excluded by --exclude {rule}"),
                ))
            })
            .collect::<Result<Vec<_>>>()?;

        // Attribute sources, and the subjects table for those it supplies.
        let mut interners: Vec<Interner> = cols.attrs.iter().map(|_| Interner::default()).collect();
        let mut sources = Vec::new();
        let mut from_table = Vec::new();
        for (j, a) in cols.attrs.iter().enumerate() {
            let src = match (t.find(&format!("{a}_a")), t.find(&format!("{a}_b")), t.find(a)) {
                (Some(x), Some(y), _) => AttrSource::Sides(x, y),
                (_, _, Some(x)) => AttrSource::Pair(x),
                _ if cols.subjects.is_some() && subjects.is_some() => {
                    from_table.push(j);
                    AttrSource::Subjects(from_table.len() - 1)
                }
                _ => {
                    return Err(Error::Config(format!(
                        "attribute '{a}': {} has no columns {a}_a/{a}_b or {a}, and no --subjects table (with subject columns) supplies it",
                        t.file
                    )))
                }
            };
            sources.push(src);
        }
        let table = match &cols.subjects {
            Some(path) if !from_table.is_empty() => {
                let names: Vec<&str> = from_table.iter().map(|&j| cols.attrs[j].as_str()).collect();
                let mut refs: Vec<&mut Interner> = interners
                    .iter_mut()
                    .enumerate()
                    .filter(|(j, _)| from_table.contains(j))
                    .map(|(_, i)| i)
                    .collect();
                Some(SubjectTable::read(
                    path,
                    &cols.subject_id,
                    &names,
                    &mut refs,
                    cols.delimiter,
                )?)
            }
            _ => None,
        };

        let sep = cols.id_sep.as_deref().map(str::as_bytes);
        let mut out = Comparisons {
            score: Vec::new(),
            mated: Vec::new(),
            subject_a: Vec::new(),
            subject_b: Vec::new(),
            n_subjects: 0,
            attributes: Vec::new(),
            accounting: Accounting::default(),
            inputs: Vec::new(),
        };
        let mut side_a: Vec<Vec<u32>> = cols.attrs.iter().map(|_| Vec::new()).collect();
        let mut side_b = side_a.clone();
        let mut subject_ids = Interner::default();
        let mut sample_ids = Interner::default();
        let mut seen_pairs: HashSet<u64> = HashSet::new();
        let mut row_a = vec![MISSING; cols.attrs.len()];
        let mut row_b = row_a.clone();
        let mut rec = csv::ByteRecord::new();
        let file = t.file.clone();
        let headers = t.headers.clone();

        while t.read(&mut rec)? {
            out.accounting.rows += 1;
            let line = Table::line(&rec);
            let loc = |c: usize, v: &[u8]| Location {
                file: file.clone(),
                line,
                column: headers[c].clone(),
                value: String::from_utf8_lossy(v).into_owned(),
            };
            // An explicit exclusion is counted under its rule, even with --strict.
            if let Some((c, _, reason)) = excludes.iter().find(|(c, v, _)| trim(&rec[*c]) == &v[..])
            {
                out.accounting.drop_row(reason, || loc(*c, &rec[*c]));
                continue;
            }
            // A drop: counted, or an error under --strict.
            macro_rules! drop_row {
                ($reason:expr, $col:expr, $val:expr) => {{
                    if cols.strict {
                        return Err(Error::Strict {
                            location: loc($col, $val),
                            reason: $reason.to_string(),
                        });
                    }
                    out.accounting.drop_row($reason, || loc($col, $val));
                    continue;
                }};
            }
            let score = match parse_score(&rec[score_col]) {
                Score::Value(x) => x,
                Score::Missing => drop_row!(MISSING_SCORE, score_col, &rec[score_col]),
                Score::NonFinite => drop_row!(NON_FINITE_SCORE, score_col, &rec[score_col]),
                Score::Unparsable => {
                    return Err(Error::BadValue {
                        location: loc(score_col, &rec[score_col]),
                        message: "not a number".into(),
                    })
                }
            };
            let mut ids = None;
            if let Some((ca, cb)) = subjects {
                let (va, vb) = (trim(&rec[ca]), trim(&rec[cb]));
                if is_missing(va) {
                    drop_row!(MISSING_SUBJECT, ca, va);
                }
                if is_missing(vb) {
                    drop_row!(MISSING_SUBJECT, cb, vb);
                }
                let (sa, sb) = (subject_of(va, sep), subject_of(vb, sep));
                if let Some(tbl) = &table {
                    for (c, s) in [(ca, sa), (cb, sb)] {
                        if tbl.lookup(s).is_none() {
                            drop_row!(UNKNOWN_SUBJECT, c, s);
                        }
                    }
                }
                if sep.is_some() {
                    let (x, y) = (sample_ids.intern(va) as u64, sample_ids.intern(vb) as u64);
                    let key = x.min(y) << 32 | x.max(y);
                    if !seen_pairs.insert(key) {
                        drop_row!(DUPLICATE, ca, &rec[ca]);
                    }
                }
                ids = Some((subject_ids.intern(sa), subject_ids.intern(sb), sa, sb));
            }
            let mated = match mated_col {
                Some(c) => match parse_mated(&rec[c]) {
                    Some(m) => m,
                    None => drop_row!(UNKNOWN_MATED, c, &rec[c]),
                },
                None => ids.is_some_and(|(a, b, _, _)| a == b),
            };
            let mut placeable = cols.attrs.is_empty();
            for (j, src) in sources.iter().enumerate() {
                let code = |i: &mut Interner, v: &[u8]| {
                    if is_missing(v) {
                        MISSING
                    } else {
                        i.intern(trim(v))
                    }
                };
                let (a, b) = match *src {
                    AttrSource::Sides(x, y) => (
                        code(&mut interners[j], &rec[x]),
                        code(&mut interners[j], &rec[y]),
                    ),
                    AttrSource::Pair(x) => {
                        let c = code(&mut interners[j], &rec[x]);
                        (c, c)
                    }
                    AttrSource::Subjects(k) => {
                        let (tbl, (_, _, sa, sb)) =
                            (table.as_ref().expect("table"), ids.expect("ids"));
                        (
                            tbl.lookup(sa).map_or(MISSING, |c| c[k]),
                            tbl.lookup(sb).map_or(MISSING, |c| c[k]),
                        )
                    }
                };
                row_a[j] = a;
                row_b[j] = b;
                placeable |= if mated {
                    a != MISSING || b != MISSING
                } else {
                    a != MISSING && b != MISSING
                };
            }
            if !placeable {
                let c = match sources[0] {
                    AttrSource::Sides(x, _) | AttrSource::Pair(x) => x,
                    AttrSource::Subjects(_) => subjects.map_or(score_col, |s| s.0),
                };
                drop_row!(MISSING_GROUP, c, &rec[c]);
            }
            for j in 0..cols.attrs.len() {
                side_a[j].push(row_a[j]);
                side_b[j].push(row_b[j]);
            }
            if let Some((a, b, _, _)) = ids {
                out.subject_a.push(a);
                out.subject_b.push(b);
            }
            out.score.push(if cols.distance { -score } else { score });
            out.mated.push(mated);
            out.accounting.used += 1;
        }
        out.inputs.push(t.finish("comparisons")?);
        if let Some(tbl) = table {
            out.inputs.push(tbl.input);
        }
        out.n_subjects = subject_ids.len();
        for (j, ((interner, mut a), mut b)) in
            interners.into_iter().zip(side_a).zip(side_b).enumerate()
        {
            let (values, remap) = interner.into_sorted();
            apply_remap(&mut a, &remap);
            apply_remap(&mut b, &remap);
            let name = &cols.attrs[j];
            out.attributes.push(AttributeData {
                name: name.clone(),
                source: match sources[j] {
                    AttrSource::Sides(..) => format!("{name}_a/{name}_b columns"),
                    AttrSource::Pair(_) => format!("{name} column (one group per pair)"),
                    AttrSource::Subjects(_) => "subjects table".into(),
                },
                values,
                side_a: a,
                side_b: b,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, cols: &VerifyColumns) -> Result<Comparisons> {
        let t = Table::from_reader(
            "c.csv".into(),
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            None,
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
        let reasons: Vec<(&str, u64, u64)> = acc
            .dropped
            .iter()
            .map(|d| (d.reason.as_str(), d.count, d.first.line))
            .collect();
        assert_eq!(
            reasons,
            [
                ("missing score", 1, 3),
                ("unknown mated value", 1, 4),
                ("non-finite score", 1, 5),
                ("missing group in every attribute", 1, 6)
            ]
        );
        assert_eq!(acc.dropped[1].first.value, "maybe");
        assert_eq!(acc.dropped[1].first.column, "mated");
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
        assert_eq!(c.accounting.dropped[0].reason, "duplicate comparison");
        assert_eq!(c.accounting.dropped[0].first.line, 4);
    }

    #[test]
    fn per_side_and_per_pair_attributes_and_exclusions() {
        let mut cols = attrs(&["race", "sex"]);
        cols.exclude = vec!["flag=1".into()];
        cols.strict = true; // an explicit exclusion is not an error
        let text = "score,mated,race_a,race_b,sex,flag\n1,1,B,B,F,0\n2,0,A,B,M,0\n3,0,A,,M,1\n";
        let c = read(text, &cols).unwrap();
        assert_eq!(
            c.accounting.dropped[0].reason,
            "excluded by --exclude flag=1"
        );
        assert_eq!(c.attributes[0].values, ["A", "B"]);
        assert_eq!(c.attributes[0].side_a, [1, 0]);
        assert_eq!(c.attributes[0].side_b, [1, 1]);
        assert_eq!(c.attributes[1].side_a, c.attributes[1].side_b);
        assert_eq!(c.attributes[1].source, "sex column (one group per pair)");
    }
}
