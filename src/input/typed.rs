//! Column stores (`.npy` directories, Parquet) read straight into typed
//! columns and built through the in-memory builders — the library's own
//! front door — with no text round-trip: scores as `f64`, flags as `bool`,
//! groups and labels as codes into their names.
//!
//! A store whose columns or options the typed path does not cover falls
//! back to the table reader, which renders cells as text and applies every
//! rule: string columns (`S`/`U` dtypes), float group columns, a flag with
//! a value other than 0/1, integer ids beyond `u32`, a code beyond its
//! labels file, `--exclude`, `--id-sep` and `--subjects`. Both paths give
//! the same result (tests/typed_columns.rs); the fallback is only slower.

use super::builder::FileOrigin;
use super::codes::MISSING;
use super::columnar::Columnar;
use super::comparisons::{Comparisons, VerifyColumns};
use super::labels::{ClassifyColumns, Labelled};
use super::table::{InputFile, Table};
use crate::error::Result;
use rustc_hash::FxHashSet;

/// The value of an `Option`, or from the enclosing typed read `Ok(None)`:
/// the typed path does not apply, the table reader takes over.
macro_rules! or_fall_back {
    ($e:expr) => {
        match $e {
            Some(x) => x,
            None => return Ok(None),
        }
    };
}

/// One column read whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// Floats; NaN is a missing value.
    Float(Vec<f64>),
    /// Integers (booleans as 0/1), none missing.
    Int(Vec<i64>),
    /// One-byte unsigned integers or booleans (0/1), none missing: the
    /// file's bytes as they are, an eighth of [`Typed::Int`]'s memory.
    Bytes(Vec<u8>),
    /// Codes into names (a labels file, a string or dictionary column);
    /// [`MISSING`] is a missing value.
    Codes(Vec<u32>, Vec<String>),
}

impl Typed {
    fn len(&self) -> usize {
        match self {
            Typed::Float(v) => v.len(),
            Typed::Int(v) => v.len(),
            Typed::Bytes(v) => v.len(),
            Typed::Codes(c, _) => c.len(),
        }
    }

    /// Numbers as `f64` (integers convert; codes have no number).
    fn numbers(self) -> Option<Vec<f64>> {
        match self {
            Typed::Float(v) => Some(v),
            Typed::Int(v) => Some(v.into_iter().map(|x| x as f64).collect()),
            Typed::Bytes(v) => Some(v.into_iter().map(f64::from).collect()),
            Typed::Codes(..) => None,
        }
    }

    /// 0/1 values as flags (`None` when any is another value, or missing).
    fn flags(&self) -> Option<Vec<bool>> {
        let flag = |x: f64| (x == 0.0 || x == 1.0).then_some(x == 1.0);
        match self {
            Typed::Float(v) => v.iter().map(|&x| flag(x)).collect(),
            Typed::Int(v) => v.iter().map(|&x| flag(x as f64)).collect(),
            Typed::Bytes(v) => v.iter().map(|&x| flag(x.into())).collect(),
            Typed::Codes(..) => None,
        }
    }

    /// Codes into names: integers become codes into their decimal texts
    /// (ascending); floats have no codes.
    fn codes(self) -> Option<(Vec<u32>, Vec<String>)> {
        match self {
            Typed::Codes(c, n) => Some((c, n)),
            Typed::Int(v) => {
                let distinct: FxHashSet<i64> = v.iter().copied().collect();
                let mut distinct: Vec<i64> = distinct.into_iter().collect();
                distinct.sort_unstable();
                let code = |x: &i64| distinct.binary_search(x).expect("present") as u32;
                let codes = v.iter().map(code).collect();
                Some((codes, distinct.iter().map(i64::to_string).collect()))
            }
            Typed::Bytes(v) => {
                // The same codes as for integers: the values present, ascending.
                let mut seen = [false; 256];
                v.iter().for_each(|&b| seen[b as usize] = true);
                let present: Vec<u8> = (0..=255).filter(|&b| seen[b as usize]).collect();
                let mut code = [0u32; 256];
                for (k, &b) in present.iter().enumerate() {
                    code[b as usize] = k as u32;
                }
                let codes = v.iter().map(|&b| code[b as usize]).collect();
                Some((codes, present.iter().map(u8::to_string).collect()))
            }
            Typed::Float(_) => None,
        }
    }

    /// Integer ids below `u32::MAX` as dense-able codes; names are ids by text.
    fn ids(self) -> Option<Ids> {
        match self {
            Typed::Int(v) => v
                .iter()
                .map(|&x| u32::try_from(x).ok().filter(|&x| x != MISSING))
                .collect::<Option<Vec<u32>>>()
                .map(Ids::Codes),
            Typed::Bytes(v) => Some(Ids::Codes(v.into_iter().map(u32::from).collect())),
            Typed::Codes(c, n) => Some(Ids::Names(c, n)),
            Typed::Float(_) => None,
        }
    }
}

/// Subject ids: integers, or codes into names.
enum Ids {
    Codes(Vec<u32>),
    Names(Vec<u32>, Vec<String>),
}

/// Per-row text of codes into names ("" where missing).
fn texts<'n>(codes: &[u32], names: &'n [String]) -> Vec<&'n str> {
    let text = |&c: &u32| names.get(c as usize).map_or("", String::as_str);
    codes.iter().map(text).collect()
}

/// Two sides' codes re-coded into one list of names (the union, ascending).
fn unify(
    a: (Vec<u32>, Vec<String>),
    b: (Vec<u32>, Vec<String>),
) -> (Vec<u32>, Vec<u32>, Vec<String>) {
    if a.1 == b.1 {
        return (a.0, b.0, a.1);
    }
    let mut names: Vec<String> = a.1.iter().chain(&b.1).cloned().collect();
    names.sort_unstable();
    names.dedup();
    let recode = |(codes, own): (Vec<u32>, Vec<String>)| -> Vec<u32> {
        let to: Vec<u32> = own
            .iter()
            .map(|n| names.binary_search(n).expect("in the union") as u32)
            .collect();
        codes
            .iter()
            .map(|&c| to.get(c as usize).copied().unwrap_or(MISSING))
            .collect()
    };
    (recode(a), recode(b), names)
}

/// The store's needed columns, typed, in header order (for provenance).
struct Loaded<'s> {
    store: &'s dyn Columnar,
    used: Vec<usize>,
    rows: Option<usize>,
}

impl<'s> Loaded<'s> {
    /// The column store of a table the typed path may read (`plain`: no
    /// option it leaves to the table reader).
    fn of(t: &'s Table, plain: bool) -> Option<Loaded<'s>> {
        let store = t.store().filter(|_| plain)?;
        Some(Loaded {
            store,
            used: Vec::new(),
            rows: None,
        })
    }

    /// Column `name`, typed; `None` when absent or without a typed form, or
    /// of another length than the columns before it (the table reader then
    /// says so).
    fn get(&mut self, name: &str) -> Result<Option<Typed>> {
        let headers = self.store.headers();
        let Some(j) = headers.iter().position(|h| h == name) else {
            return Ok(None);
        };
        if headers.iter().filter(|h| *h == name).count() > 1 {
            return Ok(None);
        }
        let Some(col) = self.store.typed(name)? else {
            return Ok(None);
        };
        if let Typed::Codes(_, names) = &col {
            // Names the text rows would trim into one value stay theirs.
            let mut trimmed: Vec<&str> = names.iter().map(|n| n.trim()).collect();
            trimmed.sort_unstable();
            if trimmed.windows(2).any(|w| w[0] == w[1]) {
                return Ok(None);
            }
        }
        if *self.rows.get_or_insert(col.len()) != col.len() {
            return Ok(None);
        }
        self.used.push(j);
        Ok(Some(col))
    }

    /// Does the store have a column `name`?
    fn has(&self, name: &str) -> bool {
        self.store.headers().iter().any(|h| h == name)
    }

    /// The provenance of the columns read, as the table reader records it.
    fn input(mut self, file: &str, role: &str) -> Result<InputFile> {
        self.used.sort_unstable();
        self.used.dedup();
        let names: Vec<&str> = self
            .used
            .iter()
            .map(|&j| self.store.headers()[j].as_str())
            .collect();
        let (bytes, sha256) = self.store.content(&names).digest()?;
        Ok(InputFile {
            role: role.into(),
            path: file.into(),
            bytes,
            sha256,
            rows: self.rows.unwrap_or(0) as u64,
        })
    }
}

/// Reads comparisons from any table: a column store through typed columns
/// when it can (see the module docs), else through the table reader.
pub fn comparisons(t: Table, cols: &VerifyColumns) -> Result<Comparisons> {
    match typed_comparisons(&t, cols)? {
        Some(c) => Ok(c),
        None => Comparisons::read(t, cols),
    }
}

/// The typed read of comparisons; `None` when the table is not a column
/// store or the typed path does not cover it (see the module docs).
pub fn typed_comparisons(t: &Table, cols: &VerifyColumns) -> Result<Option<Comparisons>> {
    let plain = cols.exclude.is_empty()
        && cols.id_sep.is_none()
        && cols.subjects.is_none()
        && cols.also_score.is_none();
    let file = &t.file;
    let mut l = or_fall_back!(Loaded::of(t, plain));
    let name = |given: &Option<String>, default: &str| given.clone().unwrap_or(default.into());
    let (sa, sb) = (
        name(&cols.subject_a, "subject_a"),
        name(&cols.subject_b, "subject_b"),
    );
    let mated_name = name(&cols.mated, "mated");
    let score = or_fall_back!(l.get(&cols.score)?.and_then(Typed::numbers));
    let subjects = match (l.has(&sa), l.has(&sb)) {
        (true, true) => Some((
            or_fall_back!(l.get(&sa)?.and_then(Typed::ids)),
            or_fall_back!(l.get(&sb)?.and_then(Typed::ids)),
        )),
        (false, false) if cols.subject_a.is_none() && cols.subject_b.is_none() => None,
        _ => return Ok(None),
    };
    let mated = match l.has(&mated_name) {
        true => Some(or_fall_back!(l
            .get(&mated_name)?
            .as_ref()
            .and_then(Typed::flags))),
        false if cols.mated.is_none() && subjects.is_some() => None,
        false => return Ok(None),
    };
    let mut attributes = Vec::new();
    for a in &cols.attrs {
        let (xa, xb) = (format!("{a}_a"), format!("{a}_b"));
        attributes.push(if l.has(&xa) && l.has(&xb) {
            let ca = or_fall_back!(l.get(&xa)?.and_then(Typed::codes));
            let cb = or_fall_back!(l.get(&xb)?.and_then(Typed::codes));
            let (ca, cb, names) = unify(ca, cb);
            (a, ca, Some(cb), names)
        } else {
            let (c, names) = or_fall_back!(l.get(a)?.and_then(Typed::codes));
            (a, c, None, names)
        });
    }
    if l.rows.unwrap_or(0) == 0 {
        return Ok(None);
    }
    let text_ids = match &subjects {
        Some((Ids::Names(ca, na), Ids::Names(cb, nb))) => Some((texts(ca, na), texts(cb, nb))),
        _ => None,
    };
    let mut b = Comparisons::builder()
        .scores(&score[..])
        .distance(cols.distance);
    if let Some(m) = &mated {
        b = b.mated(&m[..]);
    }
    b = match (&subjects, &text_ids) {
        (_, Some((ta, tb))) => b.subjects(ta, tb),
        (Some((Ids::Codes(ca), Ids::Codes(cb))), None) => b.subject_codes(&ca[..], &cb[..]),
        (Some(_), None) => return Ok(None),
        (None, _) => b,
    };
    for (a, ca, cb, names) in &attributes {
        b = match cb {
            Some(cb) => b.attribute_codes_per_side(a, &ca[..], &cb[..], names),
            None => b.attribute_codes(a, &ca[..], names),
        };
    }
    let group = if subjects.is_some() {
        sa.clone()
    } else {
        cols.score.clone()
    };
    let origin = FileOrigin {
        file: file.to_string(),
        strict: cols.strict,
        columns: vec![
            ("scores", cols.score.clone()),
            ("subject_a", sa),
            ("subject_b", sb),
            ("group", group),
        ],
    };
    let mut c = b.read_from(origin).build()?;
    c.inputs = vec![l.input(file, "comparisons")?];
    Ok(Some(c))
}

/// Reads classifier outputs from any table: a column store through typed
/// columns when it can (see the module docs), else through the table reader.
pub fn labelled(t: Table, cols: &ClassifyColumns) -> Result<Labelled> {
    match typed_labelled(&t, cols)? {
        Some(l) => Ok(l),
        None => Labelled::read(t, cols),
    }
}

/// The typed read of classifier outputs; `None` when the table is not a
/// column store or the typed path does not cover it (see the module docs).
pub fn typed_labelled(t: &Table, cols: &ClassifyColumns) -> Result<Option<Labelled>> {
    let plain = cols.exclude.is_empty() && cols.subjects.is_none() && cols.also.is_none();
    let file = &t.file;
    let mut l = or_fall_back!(Loaded::of(t, plain));
    let pred_name = match (&cols.y_pred, &cols.score) {
        (Some(p), _) => Some(p.clone()),
        (None, None) => Some("y_pred".to_string()),
        (None, Some(_)) => None,
    };
    let truth = or_fall_back!(l.get(&cols.y_true)?.and_then(Typed::codes));
    let pred = match &pred_name {
        Some(p) => Some(or_fall_back!(l.get(p)?.and_then(Typed::codes))),
        None => None,
    };
    let mut numbers = |name: &Option<String>| -> Result<Option<Option<Vec<f64>>>> {
        Ok(match name {
            Some(n) => l.get(n)?.and_then(Typed::numbers).map(Some),
            None => Some(None),
        })
    };
    let score = or_fall_back!(numbers(&cols.score)?);
    let weight = or_fall_back!(numbers(&cols.weight)?);
    let subject = match &cols.subject {
        Some(s) => Some(or_fall_back!(l.get(s)?.and_then(Typed::ids))),
        None => None,
    };
    let mut attributes = Vec::new();
    for a in &cols.attrs {
        attributes.push((a, or_fall_back!(l.get(a)?.and_then(Typed::codes))));
    }
    if l.rows.unwrap_or(0) == 0 {
        return Ok(None);
    }
    let mut b = Labelled::builder().truth_codes(&truth.0[..], &truth.1);
    if let Some((codes, names)) = &pred {
        b = b.pred_codes(&codes[..], names);
    }
    if let Some(s) = &score {
        b = b.scores(&s[..]);
    }
    if let Some(w) = &weight {
        b = b.weights(&w[..]);
    }
    let subject_texts = match &subject {
        Some(Ids::Names(c, n)) => Some(texts(c, n)),
        _ => None,
    };
    b = match (&subject, &subject_texts) {
        (_, Some(t)) => b.subjects(t),
        (Some(Ids::Codes(c)), None) => b.subject_codes(&c[..]),
        _ => b,
    };
    for (a, (codes, names)) in &attributes {
        b = b.attribute_codes(a, &codes[..], names);
    }
    let named = |n: &Option<String>| n.clone().unwrap_or_default();
    let origin = FileOrigin {
        file: file.to_string(),
        strict: cols.strict,
        columns: vec![
            ("truth", cols.y_true.clone()),
            ("pred", named(&pred_name)),
            ("scores", named(&cols.score)),
            ("weights", named(&cols.weight)),
            ("subjects", named(&cols.subject)),
            ("group", cols.y_true.clone()),
        ],
    };
    let mut out = b.read_from(origin).build()?;
    out.inputs = vec![l.input(file, "items")?];
    Ok(Some(out))
}
