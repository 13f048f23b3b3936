//! Row-by-row reading shared by every task's reader: explicit exclusions,
//! drops with a named reason (errors under `--strict`), and the accounting.

use super::accounting::{Accounting, DropReason};
use super::attributes::{no_group, Attributes};
use super::rules::ExcludeRule;
use super::table::{InputFile, Table};
use super::values::{is_missing, parse_score, trim, Score};
use crate::error::{Error, Position, Result};

/// An exclusion rule on an open table.
struct Exclude {
    column: usize,
    value: Vec<u8>,
    reason: DropReason,
}

/// Reads a table one record at a time into a reused `ByteRecord`.
pub struct RowReader {
    table: Table,
    rec: csv::ByteRecord,
    excludes: Vec<Exclude>,
    strict: bool,
    /// Rows read so far: used, dropped or excluded.
    pub accounting: Accounting,
}

impl RowReader {
    /// Rows matching an `exclude` rule are dropped under the rule's name
    /// (never an error, even when `strict`).
    pub fn new(table: Table, exclude: &[ExcludeRule], strict: bool) -> Result<RowReader> {
        let excludes = exclude
            .iter()
            .map(|rule| {
                Ok(Exclude {
                    column: table.column(&rule.column, "--exclude")?,
                    value: rule.value.as_bytes().to_vec(),
                    reason: DropReason::Excluded(rule.to_string()),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RowReader {
            table,
            rec: csv::ByteRecord::new(),
            excludes,
            strict,
            accounting: Accounting::default(),
        })
    }

    /// The table being read.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Advances to the next row that no exclusion rule removes.
    pub fn next_row(&mut self) -> Result<bool> {
        loop {
            if !self.table.read(&mut self.rec)? {
                return Ok(false);
            }
            self.accounting.rows += 1;
            let (table, rec) = (&self.table, &self.rec);
            match self
                .excludes
                .iter()
                .find(|e| trim(&rec[e.column]) == &e.value[..])
            {
                Some(e) => self
                    .accounting
                    .drop_row(&e.reason, || locate(table, rec, e.column)),
                None => return Ok(true),
            }
        }
    }

    /// The raw cell of the current row.
    pub fn field(&self, column: usize) -> &[u8] {
        &self.rec[column]
    }

    /// File, line, column name and value of a cell of the current row.
    pub fn location(&self, column: usize) -> Position {
        locate(&self.table, &self.rec, column)
    }

    /// Drops the current row for `reason`, pointing at `column`; an error under `strict`.
    pub fn drop_row(&mut self, reason: DropReason, column: usize) -> Result<()> {
        if self.strict {
            return Err(Error::strict(self.location(column), reason));
        }
        let (table, rec) = (&self.table, &self.rec);
        self.accounting
            .drop_row(&reason, || locate(table, rec, column));
        Ok(())
    }

    /// An error about a cell of the current row.
    pub fn bad_value(&self, column: usize, message: &str) -> Error {
        Error::value(self.location(column), message)
    }

    /// Parses a number cell of the current row; a cell that is not a number
    /// is an error, so the result is never [`Score::Unparsable`].
    pub fn number(&self, column: usize) -> Result<Score> {
        match parse_score(self.field(column)) {
            Score::Unparsable => Err(self.bad_value(column, "not a number")),
            score => Ok(score),
        }
    }

    /// A number cell the row needs: `None` once the row is dropped, for
    /// `missing` (an empty cell) or `non_finite` (`NaN`, `inf`).
    pub fn required_number(
        &mut self,
        column: usize,
        missing: DropReason,
        non_finite: DropReason,
    ) -> Result<Option<f64>> {
        let reason = match self.number(column)? {
            Score::Value(x) => return Ok(Some(x)),
            Score::NonFinite => non_finite,
            _ => missing,
        };
        self.drop_row(reason, column)?;
        Ok(None)
    }

    /// A score cell the row needs: `None` once the row is dropped ("missing
    /// score", "non-finite score").
    pub fn score(&mut self, column: usize) -> Result<Option<f64>> {
        self.required_number(column, DropReason::MissingScore, DropReason::NonFiniteScore)
    }

    /// The subject id in `column` (trimmed): the text before the last `sep`
    /// when the column holds sample ids `<subject><SEP><rest>`.
    pub fn subject(&self, column: usize, sep: Option<&[u8]>) -> &[u8] {
        let v = trim(self.field(column));
        match sep {
            Some(sep) if !sep.is_empty() => v
                .windows(sep.len())
                .rposition(|w| w == sep)
                .map_or(v, |p| &v[..p]),
            _ => v,
        }
    }

    /// Drops the current row ("missing subject") when `column` holds no
    /// subject id; true when dropped.
    pub fn drop_if_missing_subject(&mut self, column: usize) -> Result<bool> {
        let missing = is_missing(trim(self.field(column)));
        if missing {
            self.drop_row(DropReason::MissingSubject, column)?;
        }
        Ok(missing)
    }

    /// Drops the current row ("unknown subject") when the subject in
    /// `column` (see [`RowReader::subject`]) is not in the subjects table in
    /// use; true when dropped.
    pub fn drop_if_unknown_subject(
        &mut self,
        attrs: &Attributes,
        column: usize,
        sep: Option<&[u8]>,
    ) -> Result<bool> {
        let unknown = attrs.unknown_subject(self.subject(column, sep));
        if unknown {
            self.drop_row(DropReason::UnknownSubject, column)?;
        }
        Ok(unknown)
    }

    /// Reads the one-sided attribute codes of the current row into `row`
    /// (through the subject id in `subject`, when given; `scratch` takes the
    /// unused second side) and drops the row ("missing group", pointing at
    /// `column`) when every attribute is missing; true when dropped.
    pub fn drop_if_no_group(
        &mut self,
        attrs: &mut Attributes,
        subject: Option<usize>,
        row: &mut [u32],
        scratch: &mut [u32],
        column: usize,
    ) -> Result<bool> {
        let sid = subject.map(|c| trim(&self.rec[c]));
        attrs.read(|c| &self.rec[c], sid.map(|s| (s, s)), row, scratch);
        let dropped = no_group(row);
        if dropped {
            self.drop_row(DropReason::MissingGroup, column)?;
        }
        Ok(dropped)
    }

    /// Counts the current row as used.
    pub fn use_row(&mut self) {
        self.accounting.used += 1;
    }

    /// Closes the table: its provenance and the accounting.
    pub fn finish(self, role: &str) -> Result<(InputFile, Accounting)> {
        let mut accounting = self.accounting;
        accounting.multiline = self.table.multiline().cloned();
        Ok((self.table.finish(role)?, accounting))
    }
}

fn locate(table: &Table, rec: &csv::ByteRecord, column: usize) -> Position {
    Position::cell(
        table.file.clone(),
        Table::line(rec),
        table.headers[column].clone(),
        String::from_utf8_lossy(&rec[column]),
    )
}
