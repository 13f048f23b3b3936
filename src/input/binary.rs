//! Binary decisions of classifier outputs: which true labels and which
//! predictions count positive. The classification engine receives the
//! decisions and never reads label text.
//!
//! An item is truly positive when its true label is one of the positive
//! labels (or reads as a yes/true/1 flag when none are given); it is
//! predicted positive when its predicted label is one of the
//! predicted-positive labels, or when `score >= cutoff`. Without positive
//! labels or scores, labels that do not all read as flags make the audit
//! multiclass, which needs more than two labels.

use super::labels::Labelled;
use super::values::parse_flag;
use crate::error::{Error, Result};

/// An error in the options that decide positives.
fn option_error(message: String) -> Error {
    Error::option("--positive", message)
}

/// The rule that makes items binary (the options of a classification audit).
#[derive(Debug, Clone, Copy, Default)]
pub struct Positives<'a> {
    /// True labels counted positive (empty: labels that read as yes/true/1).
    pub truth: &'a [String],
    /// Predicted labels counted positive (empty: as `truth`).
    pub pred: &'a [String],
    /// Predicted positive when `score >= cutoff` (score input).
    pub cutoff: Option<f64>,
}

/// The binary decisions of every item, with their descriptions as the
/// report shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    truth: Vec<bool>,
    pred: Vec<bool>,
    truth_rule: String,
    pred_rule: String,
}

impl Binary {
    /// Whether each item is truly positive.
    pub fn truth(&self) -> &[bool] {
        &self.truth
    }

    /// Whether each item is predicted positive.
    pub fn pred(&self) -> &[bool] {
        &self.pred
    }

    /// How the truth was decided (`true label in {…}`, `true label reads as 1/true/yes`).
    pub fn truth_rule(&self) -> &str {
        &self.truth_rule
    }

    /// How the prediction was decided (`predicted label in {…}`, `score >= T`, …).
    pub fn pred_rule(&self) -> &str {
        &self.pred_rule
    }
}

impl Binary {
    /// The decisions on which both this model and `other` (the same items)
    /// err: a positive item is predicted negative only when both models
    /// call it negative, a negative item positive only when both call it
    /// positive. Their false negatives, false positives and errors are the
    /// ones the two models share.
    pub fn both_errors(&self, other: &Binary) -> Binary {
        let pred = (self.truth.iter().zip(&self.pred).zip(&other.pred))
            .map(|((&t, &a), &b)| if t { a || b } else { a && b })
            .collect();
        Binary {
            truth: self.truth.clone(),
            pred,
            truth_rule: self.truth_rule.clone(),
            pred_rule: "both models err".into(),
        }
    }
}

/// What the classification engine audits besides the labelled items.
#[derive(Debug, Clone, PartialEq)]
pub enum Decisions {
    /// Every item decided positive or negative.
    Binary(Binary),
    /// The items' label codes, `Labelled::y_true` and `Labelled::y_pred`.
    Multiclass,
}

impl Decisions {
    /// The binary decisions, if the audit is binary.
    pub fn binary(&self) -> Option<&Binary> {
        match self {
            Decisions::Binary(b) => Some(b),
            Decisions::Multiclass => None,
        }
    }
}

fn label_set(labels: &[String], wanted: &[String]) -> Vec<bool> {
    labels
        .iter()
        .map(|l| wanted.iter().any(|w| w == l))
        .collect()
}

/// Positive-label flags from a list, or from labels that read as flags.
fn positives(
    labels: &[String],
    used: &[bool],
    list: &[String],
    what: &str,
) -> Result<(Vec<bool>, String)> {
    if !list.is_empty() {
        return Ok((
            label_set(labels, list),
            format!("{what} in {{{}}}", list.join(", ")),
        ));
    }
    let mut flags = Vec::with_capacity(labels.len());
    for (l, &u) in labels.iter().zip(used) {
        match parse_flag(l.as_bytes()) {
            Some(f) => flags.push(f),
            None if !u => flags.push(false),
            None => {
                return Err(option_error(format!(
                    "{what} label {l:?} is not a yes/no flag: name the positive labels (--positive, --true-positive, --pred-positive)"
                )))
            }
        }
    }
    Ok((flags, format!("{what} reads as 1/true/yes")))
}

/// An error when no predicted label occurs among the true labels (as with
/// COMPAS's `score_text` Low/Medium/High against a 0/1 outcome): every
/// prediction would count wrong, so the audit would mean nothing.
fn disjoint_vocabularies(l: &Labelled) -> Result<()> {
    let k = l.labels.len();
    let (truth, pred) = (used(&l.y_true, k), used(&l.y_pred, k));
    if l.y_pred.is_empty() || truth.iter().zip(&pred).any(|(&t, &p)| t && p) {
        return Ok(());
    }
    let seen = |used: &[bool]| {
        let names: Vec<&str> = l
            .labels
            .iter()
            .zip(used)
            .filter(|(_, &u)| u)
            .map(|(n, _)| n.as_str())
            .collect();
        const SHOWN: usize = 10;
        let more = match names.len() {
            n if n > SHOWN => format!(", … ({n} in all)"),
            _ => String::new(),
        };
        format!("{}{more}", names[..names.len().min(SHOWN)].join(", "))
    };
    let file = l.inputs.first().map_or("<memory>", |i| i.path.as_str());
    Err(Error::data(
        file,
        format!(
            "no predicted label occurs among the true labels (true labels seen: {}; predicted labels seen: {}), so every prediction would count wrong; name the positive labels of each column (--true-positive LABEL,… --pred-positive LABEL,…), or map the predicted labels onto the true ones",
            seen(&truth),
            seen(&pred)
        ),
    ))
}

/// Labels used by some item's codes (codes out of range are ignored).
fn used(codes: &[u32], k: usize) -> Vec<bool> {
    let mut used = vec![false; k];
    for &c in codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    used
}

/// Each item's flag (false for a code out of range).
fn decide_codes(codes: &[u32], flags: &[bool]) -> Vec<bool> {
    codes
        .iter()
        .map(|&c| flags.get(c as usize).copied().unwrap_or(false))
        .collect()
}

impl Positives<'_> {
    /// What can be checked before any data is read: scores need a cutoff.
    pub fn check(&self, has_score: bool) -> Result<()> {
        if has_score && self.cutoff.is_none() {
            return Err(option_error(
                "a score column needs --cutoff T (predicted positive when score >= T)".into(),
            ));
        }
        Ok(())
    }

    /// Decides every item of `l`, as soon as its labels are known: binary
    /// when positive labels, scores or flag-like labels make it so, else
    /// multiclass (an error with two labels: name the positive one).
    pub fn decide(&self, l: &Labelled) -> Result<Decisions> {
        let has_score = !l.score.is_empty();
        self.check(has_score)?;
        let k = l.labels.len();
        let all_flags = l.labels.iter().all(|s| parse_flag(s.as_bytes()).is_some());
        let binary = !self.truth.is_empty() || !self.pred.is_empty() || has_score || all_flags;
        // Predicted labels compared as text with the true labels must share some.
        if !has_score && self.pred.is_empty() && !all_flags {
            disjoint_vocabularies(l)?;
        }
        if !binary {
            if k <= 2 {
                return Err(option_error(format!(
                    "labels {:?}: with two labels, name the positive one (--positive)",
                    l.labels
                )));
            }
            return Ok(Decisions::Multiclass);
        }
        let (t, truth_rule) = positives(&l.labels, &used(&l.y_true, k), self.truth, "true label")?;
        let truth = decide_codes(&l.y_true, &t);
        let (pred, pred_rule) = match self.cutoff.filter(|_| has_score) {
            // Without scores the predicted labels decide (`check` saw to a cutoff with scores).
            None => {
                let list = if self.pred.is_empty() {
                    self.truth
                } else {
                    self.pred
                };
                let used = used(&l.y_pred, k);
                let (p, rule) = positives(&l.labels, &used, list, "predicted label")?;
                (decide_codes(&l.y_pred, &p), rule)
            }
            Some(cut) => (
                l.score.iter().map(|&s| s >= cut).collect(),
                format!("score >= {cut}"),
            ),
        };
        Ok(Decisions::Binary(Binary {
            truth,
            pred,
            truth_rule,
            pred_rule,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(labels: &[&str], y_true: &[u32], y_pred: &[u32], score: &[f64]) -> Labelled {
        Labelled {
            y_true: y_true.to_vec(),
            y_pred: y_pred.to_vec(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            score: score.to_vec(),
            weight: Vec::new(),
            subject: Vec::new(),
            n_subjects: 0,
            attributes: Vec::new(),
            accounting: Default::default(),
            inputs: Vec::new(),
        }
    }

    #[test]
    fn flags_lists_and_cutoffs() {
        let l = items(&["0", "1"], &[1, 0, 1], &[1, 1, 0], &[]);
        let Decisions::Binary(b) = Positives::default().decide(&l).unwrap() else {
            panic!("binary")
        };
        assert_eq!(b.truth(), [true, false, true]);
        assert_eq!(b.pred(), [true, true, false]);
        assert_eq!(b.truth_rule(), "true label reads as 1/true/yes");
        assert_eq!(b.pred_rule(), "predicted label reads as 1/true/yes");

        let listed = vec!["high".to_string()];
        let l = items(&["high", "low"], &[0, 1], &[0, 0], &[]);
        let p = Positives {
            truth: &listed,
            ..Default::default()
        };
        let b = p.decide(&l).unwrap();
        let b = b.binary().unwrap();
        assert_eq!(
            (b.truth(), b.pred()),
            (&[true, false][..], &[true, true][..])
        );
        assert_eq!(b.pred_rule(), "predicted label in {high}");

        let l = items(&["no", "yes"], &[1, 0], &[], &[0.7, 0.1]);
        let p = Positives {
            cutoff: Some(0.5),
            ..Default::default()
        };
        let b = p.decide(&l).unwrap();
        assert_eq!(b.binary().unwrap().pred(), [true, false]);
        assert_eq!(b.binary().unwrap().pred_rule(), "score >= 0.5");
    }

    #[test]
    fn errors_come_from_the_options_and_the_labels() {
        let e = Positives::default().check(true).unwrap_err();
        assert!(e.to_string().contains("needs --cutoff"), "{e}");
        let l = items(&["cat", "dog"], &[0, 1], &[1, 0], &[]);
        let e = Positives::default().decide(&l).unwrap_err();
        assert!(e.to_string().contains("name the positive one"), "{e}");
        let l = items(&["maybe", "yes"], &[0, 1], &[], &[0.2, 0.9]);
        let p = Positives {
            cutoff: Some(0.5),
            ..Default::default()
        };
        let e = p.decide(&l).unwrap_err();
        assert!(
            e.to_string().contains("\"maybe\" is not a yes/no flag"),
            "{e}"
        );
        let l = items(&["a", "b", "c"], &[0, 1, 2], &[2, 1, 0], &[]);
        assert_eq!(
            Positives::default().decide(&l).unwrap(),
            Decisions::Multiclass
        );
    }

    #[test]
    fn predicted_labels_that_never_occur_among_the_true_labels_are_refused() {
        // COMPAS: score_text against two_year_recid, without --pred-positive.
        let l = items(
            &["0", "1", "High", "Low", "Medium"],
            &[0, 1, 1, 0],
            &[3, 2, 4, 3],
            &[],
        );
        let want = "<memory>: no predicted label occurs among the true labels (true labels seen: 0, 1; predicted labels seen: High, Low, Medium), so every prediction would count wrong; name the positive labels of each column (--true-positive LABEL,… --pred-positive LABEL,…), or map the predicted labels onto the true ones";
        assert_eq!(
            Positives::default().decide(&l).unwrap_err().to_string(),
            want
        );
        // --true-positive alone would count every prediction negative.
        let one = vec!["1".to_string()];
        let p = Positives {
            truth: &one,
            ..Default::default()
        };
        assert_eq!(p.decide(&l).unwrap_err().to_string(), want);
        // Naming the predicted positives decides them.
        let pred = vec!["Medium".to_string(), "High".to_string()];
        let p = Positives {
            truth: &one,
            pred: &pred,
            cutoff: None,
        };
        assert_eq!(
            p.decide(&l).unwrap().binary().unwrap().pred(),
            [false, true, true, false]
        );
        // Flags of two spellings share a meaning: yes/no against 1/0 is fine.
        let l = items(&["0", "1", "no", "yes"], &[0, 1], &[2, 3], &[]);
        assert!(Positives::default().decide(&l).is_ok());
        // Many labels are listed up to ten.
        let names: Vec<String> = (0..30).map(|i| format!("c{i:02}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let l = items(
            &names,
            &(0..15).collect::<Vec<_>>(),
            &(15..30).collect::<Vec<_>>(),
            &[],
        );
        let e = Positives::default().decide(&l).unwrap_err().to_string();
        assert!(
            e.contains("c09, … (15 in all); predicted labels seen: c15"),
            "{e}"
        );
    }
}
