//! Two models' tables of the same trials joined on a key column (`compare
//! … --key K`): each table is read by its task's own reader (its errors and
//! drops named as usual), with the key read as one more attribute; the join
//! keeps the trials both tables hold, in table A's order, and accounts for
//! every other row.

use super::accounting::{Accounting, DropReason};
use super::codes::Interner;
use super::codes::MISSING;
use super::comparisons::placeable;
use super::{AttributeData, Comparisons, InputFile, Labelled, Searches};
use crate::error::{Error, Position, Result};
use std::collections::HashMap;

/// An input whose rows can be taken in any order: what the join needs.
pub trait Rows: Sized {
    /// The rows `rows`, in that order (codes and accounting unchanged).
    fn take(&self, rows: &[usize]) -> Self;
    /// The attributes, with their per-row codes.
    fn attributes(&self) -> &[AttributeData];
    /// The attributes, to remove the key from.
    fn attributes_mut(&mut self) -> &mut Vec<AttributeData>;
    /// Where every input row went.
    fn accounting_mut(&mut self) -> &mut Accounting;
    /// The files read.
    fn inputs_mut(&mut self) -> &mut Vec<InputFile>;
    /// Keeps only the subjects (bootstrap units) the rows still have,
    /// numbered in order of first appearance (none without subjects).
    fn compact_subjects(&mut self) {}
    /// A's trials (this) with model B's outputs (`b`, the same rows):
    /// everything but the model's outputs stays A's, so both audits share
    /// their groups, subjects and bootstrap units. An error (naming
    /// `file`, B's) when B's rows disagree with A's on what is not the
    /// model's (a mated flag).
    fn with_outputs_of(&self, b: Self, file: &str) -> Result<Self>;
    /// Whether row `i` has a group in some view.
    fn placeable(&self, i: usize) -> bool {
        let a = self.attributes();
        a.is_empty() || a.iter().any(|x| x.side_a[i] != MISSING)
    }
}

/// [`Rows`]' accessors of a type with `attributes` and `accounting` fields.
macro_rules! fields {
    () => {
        fn attributes(&self) -> &[AttributeData] {
            &self.attributes
        }
        fn attributes_mut(&mut self) -> &mut Vec<AttributeData> {
            &mut self.attributes
        }
        fn accounting_mut(&mut self) -> &mut Accounting {
            &mut self.accounting
        }
        fn inputs_mut(&mut self) -> &mut Vec<InputFile> {
            &mut self.inputs
        }
    };
}

/// The elements of `v` at `rows`; an empty `v` (an optional column not
/// given) stays empty.
fn pick<T: Copy>(v: &[T], rows: &[usize]) -> Vec<T> {
    if v.is_empty() {
        return Vec::new();
    }
    rows.iter().map(|&i| v[i]).collect()
}

fn take_attributes(attributes: &[AttributeData], rows: &[usize]) -> Vec<AttributeData> {
    attributes
        .iter()
        .map(|a| AttributeData {
            side_a: pick(&a.side_a, rows),
            side_b: pick(&a.side_b, rows),
            ..a.clone()
        })
        .collect()
}

/// Keeps the values an attribute's rows still hold (in their byte order).
fn compact_values(a: &mut AttributeData) {
    let mut used = vec![false; a.values.len()];
    for &c in a.side_a.iter().chain(&a.side_b).filter(|&&c| c != MISSING) {
        used[c as usize] = true;
    }
    let mut code = vec![MISSING; a.values.len()];
    let mut values = Vec::new();
    for (i, v) in a.values.iter().enumerate().filter(|(i, _)| used[*i]) {
        code[i] = values.len() as u32;
        values.push(v.clone());
    }
    let recode = |c: &mut u32| {
        if *c != MISSING {
            *c = code[*c as usize];
        }
    };
    a.side_a.iter_mut().for_each(recode);
    a.side_b.iter_mut().for_each(recode);
    a.values = values;
}

/// Subject codes renumbered in order of first appearance across `columns`
/// (read row by row), and how many there are.
fn renumber(columns: &mut [&mut Vec<u32>]) -> usize {
    let mut ids = Interner::default();
    let n = columns.first().map_or(0, |c| c.len());
    let mut fresh: Vec<Vec<u32>> = vec![Vec::with_capacity(n); columns.len()];
    for i in 0..n {
        for (k, c) in columns.iter().enumerate() {
            fresh[k].push(ids.intern(&c[i].to_le_bytes()));
        }
    }
    for (c, f) in columns.iter_mut().zip(fresh) {
        **c = f;
    }
    ids.len()
}

impl Rows for Comparisons {
    fn take(&self, rows: &[usize]) -> Comparisons {
        Comparisons {
            score: pick(&self.score, rows),
            mated: pick(&self.mated, rows),
            subject_a: pick(&self.subject_a, rows),
            subject_b: pick(&self.subject_b, rows),
            n_subjects: self.n_subjects,
            attributes: take_attributes(&self.attributes, rows),
            accounting: self.accounting.clone(),
            inputs: self.inputs.clone(),
            count: pick(&self.count, rows),
        }
    }
    fields!();
    fn with_outputs_of(&self, b: Comparisons, file: &str) -> Result<Comparisons> {
        same_flags(&self.mated, &b.mated, "mated", file)?;
        Ok(Comparisons {
            score: b.score,
            ..self.clone()
        })
    }
    fn compact_subjects(&mut self) {
        if !self.subject_a.is_empty() {
            self.n_subjects = renumber(&mut [&mut self.subject_a, &mut self.subject_b]);
        }
    }
    fn placeable(&self, i: usize) -> bool {
        let a: Vec<u32> = self.attributes.iter().map(|x| x.side_a[i]).collect();
        let b: Vec<u32> = self.attributes.iter().map(|x| x.side_b[i]).collect();
        placeable(self.mated[i], &a, &b)
    }
}

impl Rows for Labelled {
    fn take(&self, rows: &[usize]) -> Labelled {
        Labelled {
            y_true: pick(&self.y_true, rows),
            y_pred: pick(&self.y_pred, rows),
            labels: self.labels.clone(),
            score: pick(&self.score, rows),
            weight: pick(&self.weight, rows),
            subject: pick(&self.subject, rows),
            n_subjects: self.n_subjects,
            attributes: take_attributes(&self.attributes, rows),
            accounting: self.accounting.clone(),
            inputs: self.inputs.clone(),
        }
    }
    fields!();
    fn compact_subjects(&mut self) {
        if !self.subject.is_empty() {
            self.n_subjects = renumber(&mut [&mut self.subject]);
        }
    }
    /// B's labels, predictions and scores (its true labels are checked
    /// against A's once decided); A's weights, subjects and attributes.
    fn with_outputs_of(&self, b: Labelled, file: &str) -> Result<Labelled> {
        if b.y_true.len() != self.y_true.len() {
            return Err(different_trials(file));
        }
        Ok(Labelled {
            y_true: b.y_true,
            y_pred: b.y_pred,
            labels: b.labels,
            score: b.score,
            ..self.clone()
        })
    }
}

impl Rows for Searches {
    /// Searches of one row each (the candidate-list form is not joined).
    fn take(&self, rows: &[usize]) -> Searches {
        Searches {
            mated: pick(&self.mated, rows),
            mate_rank: pick(&self.mate_rank, rows),
            mate_score: pick(&self.mate_score, rows),
            top_nonmate: pick(&self.top_nonmate, rows),
            attributes: take_attributes(&self.attributes, rows),
            false_candidates: Default::default(),
            longest_list: self.longest_list,
            accounting: self.accounting.clone(),
            inputs: self.inputs.clone(),
        }
    }
    fields!();
    fn with_outputs_of(&self, b: Searches, file: &str) -> Result<Searches> {
        same_flags(&self.mated, &b.mated, "mated", file)?;
        Ok(Searches {
            mate_rank: b.mate_rank,
            mate_score: b.mate_score,
            top_nonmate: b.top_nonmate,
            ..self.clone()
        })
    }
}

fn different_trials(file: &str) -> Error {
    Error::data(
        file,
        "the two models' readings hold different trials".to_string(),
    )
}

/// An error unless B's flags (of `file`) are A's.
fn same_flags(a: &[bool], b: &[bool], what: &str, file: &str) -> Result<()> {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        None if a.len() == b.len() => Ok(()),
        None => Err(different_trials(file)),
        Some(i) => Err(Error::data(
            file,
            format!(
                "trial {} of the paired trials: the two tables disagree on its {what} flag",
                i + 1
            ),
        )),
    }
}

/// One table's keys: the key attribute's text per row (`None` where missing).
fn keys<'t>(t: &'t impl Rows, key: &str, file: &str) -> Result<Vec<Option<&'t str>>> {
    let a = (t.attributes().iter())
        .find(|a| a.name == key)
        .ok_or_else(|| Error::data(file, format!("no key column {key:?}")))?;
    Ok(a.side_a
        .iter()
        .map(|&c| (c != MISSING).then(|| a.values[c as usize].as_str()))
        .collect())
}

/// The first key that appears twice, if any.
fn repeated<'k>(keys: &[Option<&'k str>]) -> Option<&'k str> {
    let mut seen = std::collections::HashSet::new();
    keys.iter().flatten().find(|k| !seen.insert(**k)).copied()
}

/// Joins model A's rows `a` (file `files[0]`) with model B's `b` on the
/// key attribute `key`: both keep the trials whose key both hold, in A's
/// order, without the key attribute. Rows without a key, rows whose key
/// the other table lacks, and rows with no group once the key is gone
/// leave each table's used rows for a named drop reason. A key that
/// repeats within a table is an error. B's result holds A's trials with
/// B's outputs ([`Rows::with_outputs_of`]); both list both tables' files,
/// keep only the groups and subjects their rows hold, and the accounting
/// returned is B's table's.
pub fn join<T: Rows>(a: T, b: T, key: &str, files: [&str; 2]) -> Result<(T, T, Accounting)> {
    let (ka, kb) = (keys(&a, key, files[0])?, keys(&b, key, files[1])?);
    for (keys, file) in [(&ka, files[0]), (&kb, files[1])] {
        if let Some(k) = repeated(keys) {
            return Err(Error::data(
                file,
                format!("key {key} = {k:?} is on more than one row: a key names one trial"),
            ));
        }
    }
    let in_b: HashMap<&str, usize> = (kb.iter().enumerate())
        .filter_map(|(j, k)| k.map(|k| (k, j)))
        .collect();
    let pairs: Vec<(usize, usize)> = (ka.iter().enumerate())
        .filter_map(|(i, k)| k.and_then(|k| in_b.get(k)).map(|&j| (i, j)))
        .collect();
    let count = |keys: &[Option<&str>]| keys.iter().filter(|k| k.is_none()).count() as u64;
    let (missing, unpaired) = (
        [count(&ka), count(&kb)],
        [
            ka.len() as u64 - count(&ka) - pairs.len() as u64,
            kb.len() as u64 - count(&kb) - pairs.len() as u64,
        ],
    );
    let first_unpaired = [
        ka.iter()
            .flatten()
            .find(|k| !in_b.contains_key(**k))
            .map(|k| k.to_string()),
        {
            let in_a: std::collections::HashSet<&str> = ka.iter().flatten().copied().collect();
            kb.iter()
                .flatten()
                .find(|k| !in_a.contains(**k))
                .map(|k| k.to_string())
        },
    ];
    let (rows_a, rows_b): (Vec<usize>, Vec<usize>) = pairs.into_iter().unzip();
    let mut out = [a.take(&rows_a), b.take(&rows_b)];
    for (t, k) in out.iter_mut().zip([key, key]) {
        t.attributes_mut().retain(|x| x.name != k);
    }
    // Rows placed in a view only by their key.
    let keep: Vec<usize> = (0..rows_a.len()).filter(|&i| out[0].placeable(i)).collect();
    let groupless = (rows_a.len() - keep.len()) as u64;
    let mut out = out.map(|t| t.take(&keep));
    for (s, t) in out.iter_mut().enumerate() {
        let at = |value: Option<String>| {
            let file = files[s].to_string();
            move || Position {
                file,
                column: Some(key.to_string()),
                value,
                ..Default::default()
            }
        };
        let acc = t.accounting_mut();
        acc.drop_used(DropReason::MissingKey, missing[s], at(Some(String::new())));
        acc.drop_used(
            DropReason::UnpairedKey,
            unpaired[s],
            at(first_unpaired[s].clone()),
        );
        let file = files[s].to_string();
        acc.drop_used(DropReason::MissingGroup, groupless, || Position {
            file,
            ..Default::default()
        });
    }
    let [mut a, mut b] = out;
    let accounting_b = b.accounting_mut().clone();
    let inputs_b = b.inputs_mut().clone();
    a.inputs_mut().extend(inputs_b);
    for x in a.attributes_mut() {
        compact_values(x);
    }
    a.compact_subjects();
    let b = a.with_outputs_of(b, files[1])?;
    Ok((a, b, accounting_b))
}
