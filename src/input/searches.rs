//! Reading 1:N searches, one row per search: whether the probe's identity is
//! enrolled (mated), the rank and score of its mate when the mate was
//! returned, and the highest non-mate score returned.

use super::accounting::{Accounting, DropReason};
use super::attributes::{Attributes, SubjectsSpec};
use super::comparisons::AttributeData;
use super::rows::{read_chunks, RowReader};
use super::rules::ExcludeRule;
use super::table::{InputFile, Table, TextFormat};
use super::values::{is_missing, parse_flag, trim, Score};
use crate::error::{Error, Position, Result};
use crate::input::codes::{Interner, MISSING};
use serde::Serialize;
use std::collections::HashMap;
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
    /// Delimiter override (sniffed from the header otherwise) and whether
    /// quoted fields may span many lines.
    #[serde(skip)]
    pub text: TextFormat,
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
            text: TextFormat::default(),
        }
    }
}

/// Searches in compact columns; scores in similarity orientation.
#[derive(Debug, Clone, Default)]
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
    /// The longest candidate list: the largest rank any search lists
    /// (candidate-list form only; one row per search does not record it).
    pub longest_list: Option<u32>,
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
    /// Reads a searches table, one row per search. Bad input is an error
    /// naming file, line, column and value; rows that cannot be used are
    /// dropped and counted (an error under `strict`).
    pub fn read(t: Table, cols: &IdentifyColumns) -> Result<Searches> {
        let c = SearchColumns::find(&t, cols)?;
        let spec = SubjectsSpec::given(cols.subjects.as_deref(), &cols.subject_id, cols.text);
        let mut attrs = Attributes::resolve(&t, &cols.attrs, false, spec, c.probe.is_some())?;
        let template = attrs.local();
        let new = || (Searches::default(), template.local());
        let read =
            |r: &mut RowReader, (out, attrs): &mut (Searches, Attributes)| c.read(r, out, attrs);
        let mut out = Searches::default();
        let (input, accounting) = read_chunks(
            t,
            &cols.exclude,
            cols.strict,
            "searches",
            new,
            &read,
            |chunk| {
                let (part, codes) = &chunk.out;
                out.mated.extend_from_slice(&part.mated);
                out.mate_rank.extend_from_slice(&part.mate_rank);
                out.mate_score.extend_from_slice(&part.mate_score);
                out.top_nonmate.extend_from_slice(&part.top_nonmate);
                attrs.append(codes);
                Ok(())
            },
        )?;
        let (attributes, subjects_input) = attrs.finish(&mut []);
        out.attributes = attributes;
        out.accounting = accounting;
        out.inputs = std::iter::once(input).chain(subjects_input).collect();
        Ok(out)
    }

    /// Adds a used search: its flag, mate rank and scores.
    fn push(&mut self, mated: bool, rank: u32, mate_score: f64, top_nonmate: f64) {
        self.mated.push(mated);
        self.mate_rank.push(rank);
        self.mate_score.push(mate_score);
        self.top_nonmate.push(top_nonmate);
    }
}

/// The columns of a searches table (one row per search) and the score sign.
struct SearchColumns {
    mated: usize,
    rank: usize,
    mate: usize,
    top: usize,
    probe: Option<usize>,
    /// −1 for distances, so that scores are in similarity orientation.
    sign: f64,
}

impl SearchColumns {
    /// Finds the columns the flags name.
    fn find(t: &Table, cols: &IdentifyColumns) -> Result<SearchColumns> {
        Ok(SearchColumns {
            mated: t.column(&cols.mated, "--mated")?,
            rank: t.column(&cols.mate_rank, "--mate-rank")?,
            mate: t.column(&cols.mate_score, "--mate-score")?,
            top: t.column(&cols.nonmate_score, "--nonmate-score")?,
            probe: t.column_if(cols.probe.as_deref(), "--probe")?,
            sign: if cols.distance { -1.0 } else { 1.0 },
        })
    }

    /// Reads the rows of `r` into `out` and `attrs`, up to the first error.
    fn read(&self, r: &mut RowReader, out: &mut Searches, attrs: &mut Attributes) -> Result<()> {
        let mut row = vec![MISSING; attrs.count()];
        let mut row_b = row.clone();
        while r.next_row()? {
            let Some((mated, rank, [mate, top])) = self.outcome(r)? else {
                continue;
            };
            let unknown = match self.probe {
                Some(p) => r.drop_if_unknown_subject(attrs, p, None)?,
                None => false,
            };
            if unknown || r.drop_if_no_group(attrs, self.probe, &mut row, &mut row_b, self.mated)? {
                continue;
            }
            attrs.push(&row, &row);
            // A mate score without a rank is no mate returned.
            let mate = if rank > 0 { mate } else { f64::NEG_INFINITY };
            out.push(mated, rank, mate, top);
            r.use_row();
        }
        Ok(())
    }

    /// The mated flag, mate rank and (mate, top non-mate) scores of the
    /// current row; `None` once the row is dropped.
    fn outcome(&self, r: &mut RowReader) -> Result<Option<(bool, u32, [f64; 2])>> {
        let Some(mated) = parse_flag(r.field(self.mated)) else {
            r.drop_row(DropReason::UnknownMated, self.mated)?;
            return Ok(None);
        };
        let Some(scores) = self.scores(r)? else {
            return Ok(None);
        };
        let rank_cell = trim(r.field(self.rank));
        let rank = if is_missing(rank_cell) {
            0
        } else {
            parse_rank(r, self.rank)?
        };
        if rank > 0 && !mated {
            return Err(r.bad_value(self.rank, "a non-mated search has no mate to rank"));
        }
        if rank > 0 && scores[0] == f64::NEG_INFINITY {
            r.drop_row(DropReason::MateWithoutScore, self.mate)?;
            return Ok(None);
        }
        Ok(Some((mated, rank, scores)))
    }

    /// The mate and top non-mate scores in similarity orientation, an empty
    /// cell meaning "nothing returned" (−∞); `None` once the row is dropped
    /// for a non-finite score.
    fn scores(&self, r: &mut RowReader) -> Result<Option<[f64; 2]>> {
        let mut scores = [f64::NEG_INFINITY; 2];
        for (slot, c) in [(0, self.mate), (1, self.top)] {
            match r.number(c)? {
                Score::Value(x) => scores[slot] = self.sign * x + 0.0,
                Score::NonFinite => {
                    r.drop_row(DropReason::NonFiniteScore, c)?;
                    return Ok(None);
                }
                // Missing: nothing returned.
                _ => {}
            }
        }
        Ok(Some(scores))
    }
}

/// The rank in `column` of the current row: a whole number from 1.
fn parse_rank(r: &RowReader, column: usize) -> Result<u32> {
    match std::str::from_utf8(trim(r.field(column)))
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
    {
        Some(k) if k >= 1 => Ok(k),
        _ => Err(r.bad_value(column, "a rank is a whole number from 1")),
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
        let mut listed = Listed::read(searches, cols, cand)?;
        let (candidates_input, cand_accounting) = listed.read_candidates(candidates, cols, cand)?;
        let Listed {
            mut out,
            attrs,
            input,
            ..
        } = listed;
        out.accounting.rows += cand_accounting.rows;
        out.accounting.used += cand_accounting.used;
        out.accounting.dropped.extend(cand_accounting.dropped);
        let (attributes, subjects_input) = attrs.finish(&mut out.false_candidates.codes);
        out.attributes = attributes;
        out.inputs = [input, candidates_input]
            .into_iter()
            .chain(subjects_input)
            .collect();
        Ok(out)
    }
}

/// The searches table of the candidate-list form, read: every used search
/// (no candidate counted yet), its id and its probe.
struct Listed {
    out: Searches,
    attrs: Attributes,
    /// The search of each search id.
    index: HashMap<Box<[u8]>, usize>,
    /// Probe subject ids, interned; `probe[s]` is the probe of search s.
    subjects: Interner,
    probe: Vec<u32>,
    input: InputFile,
}

/// The columns of a candidates table and the score sign.
struct CandidateCells {
    search: usize,
    rank: usize,
    candidate: usize,
    score: usize,
    /// −1 for distances, so that scores are in similarity orientation.
    sign: f64,
}

impl Listed {
    /// Reads the searches table: one row per search, with its probe, mated
    /// flag and the probe's attributes.
    fn read(searches: Table, cols: &IdentifyColumns, cand: &CandidateColumns) -> Result<Listed> {
        let sid_col = searches.column(&cand.search_id, "--search-id")?;
        let probe_col = searches.column(&cand.probe, "--probe")?;
        let mated_col = searches.column(&cols.mated, "--mated")?;
        let spec = SubjectsSpec::given(cols.subjects.as_deref(), &cols.subject_id, cols.text);
        let mut attrs = Attributes::resolve(&searches, &cols.attrs, false, spec, true)?;
        let mut r = RowReader::new(searches, &cols.exclude, cols.strict)?;
        let mut index: HashMap<Box<[u8]>, usize> = HashMap::new();
        let mut subjects = Interner::default();
        let mut probe = Vec::new();
        let mut out = Searches::default();
        let (mut row, mut row_b) = (
            vec![MISSING; cols.attrs.len()],
            vec![MISSING; cols.attrs.len()],
        );
        while r.next_row()? {
            let Some(mated) = parse_flag(r.field(mated_col)) else {
                r.drop_row(DropReason::UnknownMated, mated_col)?;
                continue;
            };
            if r.drop_if_unknown_subject(&attrs, probe_col, None)?
                || r.drop_if_no_group(&mut attrs, Some(probe_col), &mut row, &mut row_b, mated_col)?
            {
                continue;
            }
            let id = trim(r.field(sid_col));
            if index.insert(id.into(), out.mated.len()).is_some() {
                return Err(r.bad_value(sid_col, "this search is listed twice"));
            }
            attrs.push(&row, &row);
            probe.push(subjects.intern(trim(r.field(probe_col))));
            out.push(mated, 0, f64::NEG_INFINITY, f64::NEG_INFINITY);
            r.use_row();
        }
        let input;
        (input, out.accounting) = r.finish("searches")?;
        Ok(Listed {
            out,
            attrs,
            index,
            subjects,
            probe,
            input,
        })
    }

    /// Reads the candidates table: each candidate is the mate of its search
    /// or a non-mate; its provenance and accounting.
    fn read_candidates(
        &mut self,
        candidates: Table,
        cols: &IdentifyColumns,
        cand: &CandidateColumns,
    ) -> Result<(InputFile, Accounting)> {
        let c = CandidateCells {
            search: candidates.column(&cand.search_id, "--search-id")?,
            rank: candidates.column(&cand.rank, "--rank-column")?,
            candidate: candidates.column(&cand.candidate, "--candidate")?,
            score: candidates.column(&cand.score, "--score")?,
            sign: if cols.distance { -1.0 } else { 1.0 },
        };
        let file = candidates.file.clone();
        let mut r = RowReader::new(candidates, &cols.exclude, cols.strict)?;
        let mut ranks: Vec<(u32, u32, u64)> = Vec::new(); // (search, rank, line)
        let mut codes = vec![MISSING; cols.attrs.len()];
        self.out.false_candidates.codes = vec![Vec::new(); cols.attrs.len()];
        while r.next_row()? {
            let Some(&s) = self.index.get(trim(r.field(c.search))) else {
                r.drop_row(DropReason::UnknownSearch, c.search)?;
                continue;
            };
            let Some(score) = r.score(c.score)? else {
                continue;
            };
            let rank = parse_rank(&r, c.rank)?;
            ranks.push((s as u32, rank, r.location(c.rank).line.unwrap_or_default()));
            self.add_candidate(&r, &c, s, rank, c.sign * score + 0.0, &mut codes)?;
            r.use_row();
        }
        let read = r.finish("candidates")?;
        self.out.longest_list = Some(ranks.iter().map(|x| x.1).max().unwrap_or(0));
        self.check_ranks(ranks, file, cand)?;
        Ok(read)
    }

    /// Counts the current candidate row into search `s`: as its mate (an
    /// error for a non-mated search or a second mate) or as a non-mate.
    fn add_candidate(
        &mut self,
        r: &RowReader,
        c: &CandidateCells,
        s: usize,
        rank: u32,
        score: f64,
        codes: &mut [u32],
    ) -> Result<()> {
        let out = &mut self.out;
        let candidate = trim(r.field(c.candidate));
        if self.subjects.get(candidate) != Some(self.probe[s]) {
            out.top_nonmate[s] = out.top_nonmate[s].max(score);
            self.attrs.subject_codes(candidate, codes);
            out.false_candidates.search.push(s as u32);
            out.false_candidates.score.push(score);
            for (j, c) in codes.iter().enumerate() {
                out.false_candidates.codes[j].push(*c);
            }
            return Ok(());
        }
        let search = String::from_utf8_lossy(trim(r.field(c.search))).into_owned();
        if !out.mated[s] {
            let why = format!("search {search} is non-mated but lists its probe as a candidate");
            return Err(r.bad_value(c.candidate, &why));
        }
        if out.mate_rank[s] != 0 {
            return Err(r.bad_value(
                c.candidate,
                &format!("search {search} lists its mate twice"),
            ));
        }
        out.mate_rank[s] = rank;
        out.mate_score[s] = score;
        Ok(())
    }

    /// An error when a search lists a rank twice, at the later line.
    fn check_ranks(
        &self,
        mut ranks: Vec<(u32, u32, u64)>,
        file: String,
        cand: &CandidateColumns,
    ) -> Result<()> {
        ranks.sort_unstable();
        let Some(w) = ranks
            .windows(2)
            .find(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
        else {
            return Ok(());
        };
        let id = self
            .index
            .iter()
            .find(|(_, &i)| i == w[1].0 as usize)
            .map(|(k, _)| String::from_utf8_lossy(k).into_owned());
        Err(Error::value(
            Position::cell(file, w[1].2, cand.rank.clone(), w[1].1.to_string()),
            format!(
                "search {} lists rank {} twice",
                id.unwrap_or_default(),
                w[1].1
            ),
        ))
    }
}
