//! Reading 1:N searches, one row per search: whether the probe's identity is
//! enrolled (mated), the rank and score of its mate when the mate was
//! returned, and the highest non-mate score returned.

use super::accounting::{Accounting, DropReason};
use super::attributes::{Attributes, SubjectsSpec};
use super::comparisons::AttributeData;
use super::rows::RowReader;
use super::rules::ExcludeRule;
use super::table::{InputFile, Table};
use super::values::{is_missing, parse_flag, parse_score, trim, Score};
use crate::error::Result;
use crate::input::codes::MISSING;
use serde::Serialize;
use std::path::PathBuf;

/// How to find the columns of a searches table.
#[derive(Debug, Clone, Serialize)]
pub struct IdentifyColumns {
    /// Mated-flag column (the probe's identity is enrolled).
    pub mated: String,
    /// Rank of the mate (1 = top); empty when the mate was not returned.
    pub mate_rank: String,
    /// Mate score column; empty when the mate was not returned.
    pub mate_score: String,
    /// Highest score among the non-mate candidates; empty when none was returned.
    pub nonmate_score: String,
    /// Attributes of the probe: a column `X` each, else the subjects table.
    pub attrs: Vec<String>,
    /// Probe subject column, for `subjects`.
    pub probe: Option<String>,
    /// Subjects table (attributes per subject).
    pub subjects: Option<PathBuf>,
    /// Subject id column of the subjects table.
    pub subject_id: String,
    /// Lower scores mean more alike.
    pub distance: bool,
    /// `COLUMN=VALUE` rules; matching rows are dropped, counted per rule.
    pub exclude: Vec<ExcludeRule>,
    /// Turn every drop into an error (explicit `exclude` rules excepted).
    pub strict: bool,
    /// Delimiter override (sniffed from the header otherwise).
    #[serde(skip)]
    pub delimiter: Option<u8>,
}

impl Default for IdentifyColumns {
    fn default() -> Self {
        IdentifyColumns {
            mated: "mated".into(),
            mate_rank: "mate_rank".into(),
            mate_score: "mate_score".into(),
            nonmate_score: "nonmate_score".into(),
            attrs: Vec::new(),
            probe: None,
            subjects: None,
            subject_id: "subject_id".into(),
            distance: false,
            exclude: Vec::new(),
            strict: false,
            delimiter: None,
        }
    }
}

/// Searches in compact columns; scores in similarity orientation.
#[derive(Debug, Clone)]
pub struct Searches {
    /// Mated flag per search (the probe's identity is enrolled).
    pub mated: Vec<bool>,
    /// Rank of the mate, 0 when it was not returned (always 0 for non-mated searches).
    pub mate_rank: Vec<u32>,
    /// Score of the mate (−∞ when not returned).
    pub mate_score: Vec<f64>,
    /// Highest non-mate score (−∞ when no non-mate candidate was returned).
    pub top_nonmate: Vec<f64>,
    /// The probe's demographic attributes, with their per-search codes.
    pub attributes: Vec<AttributeData>,
    /// Non-mate candidates (candidate-list form only).
    pub false_candidates: FalseCandidates,
    /// Where every input row went: used or dropped for a reason.
    pub accounting: Accounting,
    /// Provenance of the files read (searches, candidates, subjects table).
    pub inputs: Vec<InputFile>,
}

/// Every non-mate candidate: its search, score and (from the subjects table)
/// attribute codes per attribute (MISSING where unknown).
#[derive(Debug, Clone, Default)]
pub struct FalseCandidates {
    /// Search (row index in [`Searches`]) of each candidate.
    pub search: Vec<u32>,
    /// Score of each candidate in similarity orientation.
    pub score: Vec<f64>,
    /// Codes per attribute, then per candidate: `codes[j][i]` (`MISSING` where unknown).
    pub codes: Vec<Vec<u32>>,
}

impl Searches {
    /// Reads the searches table (one row per search, summary form).
    pub fn read(t: Table, cols: &IdentifyColumns) -> Result<Searches> {
        let mated_col = t.column(&cols.mated, "--mated")?;
        let rank_col = t.column(&cols.mate_rank, "--mate-rank")?;
        let mate_col = t.column(&cols.mate_score, "--mate-score")?;
        let top_col = t.column(&cols.nonmate_score, "--nonmate-score")?;
        let probe = cols
            .probe
            .as_deref()
            .map(|c| t.column(c, "--probe"))
            .transpose()?;
        let spec = cols.subjects.as_deref().map(|path| SubjectsSpec {
            path,
            id_column: &cols.subject_id,
            delimiter: cols.delimiter,
        });
        let mut attrs = Attributes::resolve(&t, &cols.attrs, false, spec, probe.is_some())?;
        let mut r = RowReader::new(t, &cols.exclude, cols.strict)?;
        let sign = if cols.distance { -1.0 } else { 1.0 };
        let mut out = Searches {
            mated: Vec::new(),
            mate_rank: Vec::new(),
            mate_score: Vec::new(),
            top_nonmate: Vec::new(),
            attributes: Vec::new(),
            false_candidates: FalseCandidates::default(),
            accounting: Accounting::default(),
            inputs: Vec::new(),
        };
        let mut row = vec![MISSING; cols.attrs.len()];
        let mut row_b = row.clone();
        'rows: while r.next_row()? {
            let Some(mated) = parse_flag(r.field(mated_col)) else {
                r.drop_row(DropReason::UnknownMated, mated_col)?;
                continue;
            };
            // An empty score means "nothing returned": −∞ in similarity orientation.
            let mut scores = [f64::NEG_INFINITY; 2];
            for (slot, c) in [(0, mate_col), (1, top_col)] {
                match parse_score(r.field(c)) {
                    Score::Value(x) => scores[slot] = sign * x + 0.0,
                    Score::Missing => {}
                    Score::NonFinite => {
                        r.drop_row(DropReason::NonFiniteScore, c)?;
                        continue 'rows;
                    }
                    Score::Unparsable => return Err(r.bad_value(c, "not a number")),
                }
            }
            let rank_cell = trim(r.field(rank_col));
            let rank = if is_missing(rank_cell) {
                0
            } else {
                match std::str::from_utf8(rank_cell)
                    .ok()
                    .and_then(|s| s.parse::<u32>().ok())
                {
                    Some(k) if k >= 1 => k,
                    _ => return Err(r.bad_value(rank_col, "a rank is a whole number from 1")),
                }
            };
            if rank > 0 && !mated {
                return Err(r.bad_value(rank_col, "a non-mated search has no mate to rank"));
            }
            if rank > 0 && scores[0] == f64::NEG_INFINITY {
                r.drop_row(DropReason::MateWithoutScore, mate_col)?;
                continue;
            }
            let sid = probe.map(|c| trim(r.field(c)));
            if let (Some(c), Some(s)) = (probe, sid) {
                if attrs.unknown_subject(s) {
                    r.drop_row(DropReason::UnknownSubject, c)?;
                    continue;
                }
            }
            attrs.read(|c| r.field(c), sid.map(|s| (s, s)), &mut row, &mut row_b);
            if !cols.attrs.is_empty() && row.iter().all(|&c| c == MISSING) {
                r.drop_row(DropReason::MissingGroup, mated_col)?;
                continue;
            }
            attrs.push(&row, &row);
            out.mated.push(mated);
            out.mate_rank.push(rank);
            out.mate_score.push(if rank > 0 {
                scores[0]
            } else {
                f64::NEG_INFINITY
            });
            out.top_nonmate.push(scores[1]);
            r.use_row();
        }
        let (input, accounting) = r.finish("searches")?;
        let (attributes, subjects_input) = attrs.finish(&mut []);
        out.attributes = attributes;
        out.accounting = accounting;
        out.inputs = std::iter::once(input).chain(subjects_input).collect();
        Ok(out)
    }
}

/// Columns of the candidate-list form: a searches table (search id, probe
/// subject, mated flag, probe attributes) and a candidates table (search id,
/// rank, candidate subject, score).
#[derive(Debug, Clone, Serialize)]
pub struct CandidateColumns {
    /// Search id column (both tables).
    pub search_id: String,
    /// Probe subject column (searches table).
    pub probe: String,
    /// Candidate rank column, 1 = top (candidates table).
    pub rank: String,
    /// Candidate subject column (candidates table).
    pub candidate: String,
    /// Candidate score column (candidates table).
    pub score: String,
}

impl Default for CandidateColumns {
    fn default() -> Self {
        CandidateColumns {
            search_id: "search_id".into(),
            probe: "probe".into(),
            rank: "rank".into(),
            candidate: "candidate".into(),
            score: "score".into(),
        }
    }
}

impl Searches {
    /// Derives each search's mate rank and score and its highest non-mate
    /// score from candidate lists. A search listed twice, a rank listed twice
    /// in a search, or a mate listed twice is an error naming the search.
    pub fn from_candidates(
        searches: Table,
        candidates: Table,
        cols: &IdentifyColumns,
        cand: &CandidateColumns,
    ) -> Result<Searches> {
        use crate::error::{Error, Position};
        use crate::input::codes::Interner;
        use std::collections::HashMap;
        let sid_col = searches.column(&cand.search_id, "--search-id")?;
        let probe_col = searches.column(&cand.probe, "--probe")?;
        let mated_col = searches.column(&cols.mated, "--mated")?;
        let spec = cols.subjects.as_deref().map(|path| SubjectsSpec {
            path,
            id_column: &cols.subject_id,
            delimiter: cols.delimiter,
        });
        let mut attrs = Attributes::resolve(&searches, &cols.attrs, false, spec, true)?;
        let mut r = RowReader::new(searches, &cols.exclude, cols.strict)?;
        let mut index: HashMap<Box<[u8]>, usize> = HashMap::new();
        let mut subjects = Interner::default();
        let mut probe = Vec::new();
        let mut out = Searches {
            mated: Vec::new(),
            mate_rank: Vec::new(),
            mate_score: Vec::new(),
            top_nonmate: Vec::new(),
            attributes: Vec::new(),
            false_candidates: FalseCandidates::default(),
            accounting: Accounting::default(),
            inputs: Vec::new(),
        };
        let (mut row, mut row_b) = (
            vec![MISSING; cols.attrs.len()],
            vec![MISSING; cols.attrs.len()],
        );
        while r.next_row()? {
            let Some(mated) = parse_flag(r.field(mated_col)) else {
                r.drop_row(DropReason::UnknownMated, mated_col)?;
                continue;
            };
            let p = trim(r.field(probe_col));
            if attrs.unknown_subject(p) {
                r.drop_row(DropReason::UnknownSubject, probe_col)?;
                continue;
            }
            attrs.read(|c| r.field(c), Some((p, p)), &mut row, &mut row_b);
            if !cols.attrs.is_empty() && row.iter().all(|&c| c == MISSING) {
                r.drop_row(DropReason::MissingGroup, mated_col)?;
                continue;
            }
            let id = trim(r.field(sid_col));
            if index.insert(id.into(), out.mated.len()).is_some() {
                return Err(r.bad_value(sid_col, "this search is listed twice"));
            }
            attrs.push(&row, &row);
            probe.push(subjects.intern(p));
            out.mated.push(mated);
            out.mate_rank.push(0);
            out.mate_score.push(f64::NEG_INFINITY);
            out.top_nonmate.push(f64::NEG_INFINITY);
            r.use_row();
        }
        let (searches_input, mut accounting) = r.finish("searches")?;

        let c_sid = candidates.column(&cand.search_id, "--search-id")?;
        let c_rank = candidates.column(&cand.rank, "--rank-column")?;
        let c_cand = candidates.column(&cand.candidate, "--candidate")?;
        let c_score = candidates.column(&cand.score, "--score")?;
        let file = candidates.file.clone();
        let mut r = RowReader::new(candidates, &cols.exclude, cols.strict)?;
        let sign = if cols.distance { -1.0 } else { 1.0 };
        let mut ranks: Vec<(u32, u32, u64)> = Vec::new(); // (search, rank, line)
        let mut codes = vec![MISSING; cols.attrs.len()];
        out.false_candidates.codes = vec![Vec::new(); cols.attrs.len()];
        while r.next_row()? {
            let Some(&s) = index.get(trim(r.field(c_sid))) else {
                r.drop_row(DropReason::UnknownSearch, c_sid)?;
                continue;
            };
            let score = match parse_score(r.field(c_score)) {
                Score::Value(x) => sign * x + 0.0,
                Score::Missing => {
                    r.drop_row(DropReason::MissingScore, c_score)?;
                    continue;
                }
                Score::NonFinite => {
                    r.drop_row(DropReason::NonFiniteScore, c_score)?;
                    continue;
                }
                Score::Unparsable => return Err(r.bad_value(c_score, "not a number")),
            };
            let rank = match std::str::from_utf8(trim(r.field(c_rank)))
                .ok()
                .and_then(|s| s.parse::<u32>().ok())
            {
                Some(k) if k >= 1 => k,
                _ => return Err(r.bad_value(c_rank, "a rank is a whole number from 1")),
            };
            ranks.push((s as u32, rank, r.location(c_rank).line.unwrap_or_default()));
            let is_mate = subjects.get(trim(r.field(c_cand))) == Some(probe[s]);
            if is_mate {
                let search = String::from_utf8_lossy(trim(r.field(c_sid))).into_owned();
                if !out.mated[s] {
                    let why =
                        format!("search {search} is non-mated but lists its probe as a candidate");
                    return Err(r.bad_value(c_cand, &why));
                }
                if out.mate_rank[s] != 0 {
                    return Err(
                        r.bad_value(c_cand, &format!("search {search} lists its mate twice"))
                    );
                }
                out.mate_rank[s] = rank;
                out.mate_score[s] = score;
            } else {
                out.top_nonmate[s] = out.top_nonmate[s].max(score);
                attrs.subject_codes(trim(r.field(c_cand)), &mut codes);
                out.false_candidates.search.push(s as u32);
                out.false_candidates.score.push(score);
                for (j, c) in codes.iter().enumerate() {
                    out.false_candidates.codes[j].push(*c);
                }
            }
            r.use_row();
        }
        let (candidates_input, cand_accounting) = r.finish("candidates")?;
        ranks.sort_unstable();
        if let Some(w) = ranks
            .windows(2)
            .find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
        {
            let id = index
                .iter()
                .find(|(_, &i)| i == w[1].0 as usize)
                .map(|(k, _)| String::from_utf8_lossy(k).into_owned());
            return Err(Error::value(
                Position::cell(file, w[1].2, cand.rank.clone(), w[1].1.to_string()),
                format!(
                    "search {} lists rank {} twice",
                    id.unwrap_or_default(),
                    w[1].1
                ),
            ));
        }
        accounting.rows += cand_accounting.rows;
        accounting.used += cand_accounting.used;
        accounting.dropped.extend(cand_accounting.dropped);
        let (attributes, subjects_input) = attrs.finish(&mut out.false_candidates.codes);
        out.attributes = attributes;
        out.accounting = accounting;
        out.inputs = [searches_input, candidates_input]
            .into_iter()
            .chain(subjects_input)
            .collect();
        Ok(out)
    }
}
