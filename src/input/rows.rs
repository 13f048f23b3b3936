//! Row-by-row reading shared by every task's reader: explicit exclusions,
//! drops with a named reason (errors under `--strict`), and the accounting.

use super::accounting::{Accounting, DropReason};
use super::rules::ExcludeRule;
use super::table::{InputFile, Table};
use super::values::trim;
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

    /// Counts the current row as used.
    pub fn use_row(&mut self) {
        self.accounting.used += 1;
    }

    /// Closes the table: its provenance and the accounting.
    pub fn finish(self, role: &str) -> Result<(InputFile, Accounting)> {
        Ok((self.table.finish(role)?, self.accounting))
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
