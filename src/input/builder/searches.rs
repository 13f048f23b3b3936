//! [`Searches`] from columns in memory.

use super::{invalid, required, same_length, Cell, Given, Labels, Rows};
use crate::error::Result;
use crate::input::accounting::DropReason;
use crate::input::attributes::no_group;
use crate::input::codes::MISSING;
use crate::input::searches::{FalseCandidates, Searches};
use ndarray::ArrayView1;

/// Builds [`Searches`] from columns in memory (see [the module](super)), one
/// row per search: whether the probe is enrolled, the rank of its mate (0:
/// not returned), the mate's score and the highest non-mate score (NaN: not
/// returned), and the probe's attributes. All four columns are required.
/// Rows the reader would drop: an infinite score, a ranked mate without a
/// score, no group.
#[derive(Default)]
pub struct SearchesBuilder<'a> {
    mated: Option<ArrayView1<'a, bool>>,
    mate_rank: Option<ArrayView1<'a, u32>>,
    mate_score: Option<ArrayView1<'a, f64>>,
    nonmate_score: Option<ArrayView1<'a, f64>>,
    attributes: Given<'a>,
    distance: bool,
    drop_unusable: bool,
}

impl Searches {
    /// Starts building searches from columns in memory.
    pub fn builder<'a>() -> SearchesBuilder<'a> {
        SearchesBuilder::default()
    }
}

impl<'a> SearchesBuilder<'a> {
    /// Whether each search's probe is enrolled in the gallery.
    pub fn mated(mut self, mated: impl Into<ArrayView1<'a, bool>>) -> Self {
        self.mated = Some(mated.into());
        self
    }

    /// The rank of each search's mate (1 = top), 0 when it was not returned.
    pub fn mate_rank(mut self, rank: impl Into<ArrayView1<'a, u32>>) -> Self {
        self.mate_rank = Some(rank.into());
        self
    }

    /// The score of each search's mate (NaN when it was not returned).
    pub fn mate_score(mut self, score: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.mate_score = Some(score.into());
        self
    }

    /// The highest score among each search's non-mate candidates (NaN when
    /// none was returned).
    pub fn nonmate_score(mut self, score: impl Into<ArrayView1<'a, f64>>) -> Self {
        self.nonmate_score = Some(score.into());
        self
    }

    /// Scores are distances: lower is more alike.
    pub fn distance(mut self, distance: bool) -> Self {
        self.distance = distance;
        self
    }

    shared_setters!("search (its probe's)");

    /// Checks the columns and builds the searches.
    pub fn build(self) -> Result<Searches> {
        let mated = required(self.mated, "mated flags")?;
        let rank = required(self.mate_rank, "mate ranks")?;
        let mate = required(self.mate_score, "mate scores")?;
        let top = required(self.nonmate_score, "non-mate scores")?;
        let n = mated.len();
        same_length(n, "mated", "mate_rank", rank.len())?;
        same_length(n, "mated", "mate_score", mate.len())?;
        same_length(n, "mated", "nonmate_score", top.len())?;
        self.attributes.check(n, "mated")?;
        let mut rows = Rows::new("searches", n, self.drop_unusable, None);
        let (mut attrs, mut known) = self.attributes.start();
        let mut row = vec![MISSING; self.attributes.names.len()];
        let mut row_b = row.clone();
        let sign = if self.distance { -1.0 } else { 1.0 };
        let mut out = Searches {
            mated: Vec::with_capacity(n),
            mate_rank: Vec::with_capacity(n),
            mate_score: Vec::with_capacity(n),
            top_nonmate: Vec::with_capacity(n),
            attributes: Vec::new(),
            false_candidates: FalseCandidates::default(),
            longest_list: None,
            accounting: Default::default(),
            inputs: Vec::new(),
        };
        'rows: for i in 0..n {
            // NaN means "nothing returned": −∞ in similarity orientation.
            let mut scores = [f64::NEG_INFINITY; 2];
            for (slot, column, x) in [(0, "mate_score", mate[i]), (1, "nonmate_score", top[i])] {
                if x.is_infinite() {
                    rows.drop(i, DropReason::NonFiniteScore, column, Cell::Number(x))?;
                    continue 'rows;
                }
                if !x.is_nan() {
                    scores[slot] = sign * x + 0.0;
                }
            }
            let r = rank[i];
            if r > 0 && !mated[i] {
                return Err(invalid(format!(
                    "searches index {i}: mate_rank {r}: a non-mated search has no mate to rank"
                )));
            }
            if r > 0 && scores[0] == f64::NEG_INFINITY {
                rows.drop(
                    i,
                    DropReason::MateWithoutScore,
                    "mate_score",
                    Cell::Text("NaN"),
                )?;
                continue;
            }
            self.attributes
                .read(&mut attrs, &mut known, i, &mut row, &mut row_b);
            if no_group(&row) {
                rows.drop_ungrouped(i, self.attributes.column(), Cell::Empty)?;
                continue;
            }
            attrs.push(&row, &row);
            out.mated.push(mated[i]);
            out.mate_rank.push(r);
            out.mate_score
                .push(if r > 0 { scores[0] } else { f64::NEG_INFINITY });
            out.top_nonmate.push(scores[1]);
            rows.use_row();
        }
        out.attributes = attrs.finish(&mut []).0;
        out.accounting = rows.accounting;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn four() -> SearchesBuilder<'static> {
        Searches::builder()
            .mated(&[true, true, false, false])
            .mate_rank(&[1, 0, 0, 0])
            .mate_score(&[0.9, f64::NAN, f64::NAN, f64::NAN])
            .nonmate_score(&[0.3, 0.5, f64::NAN, 0.7])
            .attribute("race", &["A", "B", "A", "B"])
    }

    fn error(b: SearchesBuilder) -> String {
        b.build().unwrap_err().to_string()
    }

    #[test]
    fn builds_in_similarity_orientation() {
        let s = four().distance(true).build().unwrap();
        assert_eq!(s.mate_rank, [1, 0, 0, 0]);
        assert_eq!(s.mate_score[0], -0.9);
        assert_eq!(s.mate_score[1], f64::NEG_INFINITY);
        assert_eq!(s.top_nonmate, [-0.3, -0.5, f64::NEG_INFINITY, -0.7]);
        assert_eq!(s.attributes[0].values, ["A", "B"]);
        assert_eq!((s.accounting.rows, s.accounting.used), (4, 4));
    }

    #[test]
    fn every_error_path() {
        assert!(error(Searches::builder()).contains("mated flags are required"));
        let no_top = Searches::builder()
            .mated(&[true])
            .mate_rank(&[1])
            .mate_score(&[0.5]);
        assert!(error(no_top).contains("non-mate scores are required"));
        let short = four().mate_rank(&[1, 0]);
        assert!(error(short).contains("mate_rank has 2 values but mated has 4"));
        let short = four().mate_score(&[1.0]);
        assert!(error(short).contains("mate_score has 1 values"));
        let short = four().nonmate_score(&[1.0]);
        assert!(error(short).contains("nonmate_score has 1 values"));
        let bad = four().attribute_codes("sex", &[0, 0, 5, 0], &["F"]);
        assert!(error(bad).contains("code 5 at index 2 has no name"));
        let ranked = four().mate_rank(&[1, 0, 2, 0]);
        assert!(error(ranked).contains("index 2: mate_rank 2: a non-mated search"));
        let unscored = four().mate_rank(&[1, 3, 0, 0]);
        assert!(error(unscored).contains("index 1: mate returned without a score"));
        let inf = four().nonmate_score(&[0.3, f64::INFINITY, 0.1, 0.1]);
        assert!(error(inf).contains("index 1: non-finite score"));
        let twice = four().attribute("race", &["A", "", "A", "B"]);
        assert!(error(twice).contains("\"race\" is given twice"));
        let dropped = four()
            .drop_unusable(true)
            .nonmate_score(&[0.3, f64::INFINITY, 0.1, 0.1])
            .build()
            .unwrap();
        assert_eq!(
            dropped.accounting.dropped[0].reason,
            DropReason::NonFiniteScore
        );
        assert_eq!(dropped.mated, [true, false, false]);
        let missing = Searches::builder()
            .mated(&[false])
            .mate_rank(&[0])
            .mate_score(&[f64::NAN])
            .nonmate_score(&[0.1])
            .attribute("race", &["N/A"]);
        assert!(error(missing).contains("index 0: missing group in every attribute"));
    }
}
