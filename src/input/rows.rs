//! Row-by-row reading shared by every task's reader: explicit exclusions,
//! drops with a named reason (errors under `--strict`), and the accounting.
//!
//! A [`RowReader`] is a cursor over batches of records: over all of a
//! table's batches in turn ([`RowReader::new`]), or over one batch, a chunk
//! ([`read_chunks`]). Chunks are read on all cores into chunk-local columns
//! and codes, then merged in file order: each task re-maps its chunk-local
//! codes to the first-seen numbering a single pass would give, counts and
//! drops add up with each reason's first row the earliest, and the error
//! returned is the first in file order.

use super::accounting::{Accounting, DropReason, Multiline};
use super::attributes::{no_group, Attributes};
use super::chunks::{ahead, send_in_order, Batch};
use super::rules::ExcludeRule;
use super::table::{InputFile, Table};
use super::values::{is_missing, parse_score, trim, Score};
use crate::error::{Error, Position, Result};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

/// An exclusion rule on an open table.
struct Exclude {
    column: usize,
    value: Vec<u8>,
    reason: DropReason,
}

/// What every cursor over one table's rows shares.
struct Shared {
    file: String,
    headers: Vec<String>,
    excludes: Vec<Exclude>,
    strict: bool,
}

/// Reads a table's records one at a time, from one batch after another.
pub struct RowReader {
    shared: Arc<Shared>,
    /// Where more batches come from; none when reading one chunk.
    table: Option<Table>,
    batch: Batch,
    /// Records of `batch` taken so far; the current one is `next - 1`.
    next: usize,
    /// Index in `batch` of the current record's first field.
    first: usize,
    /// Rows read so far: used, dropped or excluded.
    pub accounting: Accounting,
}

impl RowReader {
    /// Reads `table` one batch after another. Rows matching an `exclude`
    /// rule are dropped under the rule's name (never an error, even when
    /// `strict`).
    pub fn new(table: Table, exclude: &[ExcludeRule], strict: bool) -> Result<RowReader> {
        let shared = Arc::new(Shared::new(&table, exclude, strict)?);
        Ok(RowReader {
            table: Some(table),
            ..RowReader::chunk(shared, Batch::default())
        })
    }

    /// A reader of the rows of one batch.
    fn chunk(shared: Arc<Shared>, batch: Batch) -> RowReader {
        RowReader {
            shared,
            table: None,
            batch,
            next: 0,
            first: 0,
            accounting: Accounting::default(),
        }
    }

    /// Advances to the next row that no exclusion rule removes.
    pub fn next_row(&mut self) -> Result<bool> {
        loop {
            while self.next == self.batch.len() {
                let Some(table) = self.table.as_mut() else {
                    return Ok(false);
                };
                match table.next_batch()? {
                    Some(b) => (self.batch, self.next) = (b, 0),
                    None => return Ok(false),
                }
            }
            self.next += 1;
            self.enter()?;
            let (shared, batch, r, first) = (&*self.shared, &self.batch, self.index(), self.first);
            match shared
                .excludes
                .iter()
                .find(|e| trim(batch.field(first + e.column)) == &e.value[..])
            {
                Some(e) => self
                    .accounting
                    .drop_row(&e.reason, || locate(shared, batch, r, e.column)),
                None => return Ok(true),
            }
        }
    }

    /// Counts the record just taken (and the lines it spans); a record
    /// whose field count is not the header's is an error.
    fn enter(&mut self) -> Result<()> {
        let r = self.index();
        let (first, fields) = self.batch.record(r);
        self.first = first;
        self.accounting.rows += 1;
        let breaks = self.batch.breaks(r);
        if breaks > 0 {
            let m = self.accounting.multiline.get_or_insert_with(|| Multiline {
                rows: 0,
                lines: 0,
                first: Position::line(self.shared.file.clone(), self.batch.line(r)),
            });
            m.rows += 1;
            m.lines += breaks + 1;
        }
        let columns = self.shared.headers.len();
        if fields != columns {
            return Err(Error::parse(
                Position::line(self.shared.file.clone(), self.batch.line(r)),
                format!("ragged row: {fields} fields where the header has {columns}"),
            ));
        }
        Ok(())
    }

    /// Index of the current row in its batch.
    pub fn index(&self) -> usize {
        self.next - 1
    }

    /// 1-based line of the current row.
    pub fn line(&self) -> u64 {
        self.batch.line(self.index())
    }

    /// The raw cell of the current row.
    #[inline]
    pub fn field(&self, column: usize) -> &[u8] {
        self.batch.field(self.first + column)
    }

    /// File, line, column name and value of a cell of the current row.
    pub fn location(&self, column: usize) -> Position {
        self.cell(self.index(), column)
    }

    /// File, line, column name and value of a cell of row `r` of the batch.
    pub fn cell(&self, r: usize, column: usize) -> Position {
        locate(&self.shared, &self.batch, r, column)
    }

    /// Drops the current row for `reason`, pointing at `column`; an error under `strict`.
    pub fn drop_row(&mut self, reason: DropReason, column: usize) -> Result<()> {
        if self.shared.strict {
            return Err(Error::strict(self.location(column), reason));
        }
        let (shared, batch, r) = (&*self.shared, &self.batch, self.index());
        self.accounting
            .drop_row(&reason, || locate(shared, batch, r, column));
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
        let sid = subject.map(|c| trim(self.field(c)));
        attrs.read(|c| self.field(c), sid.map(|s| (s, s)), row, scratch);
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
        let table = self.table.expect("a reader of a whole table");
        Ok((table.finish(role)?, self.accounting))
    }
}

impl Shared {
    fn new(table: &Table, exclude: &[ExcludeRule], strict: bool) -> Result<Shared> {
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
        Ok(Shared {
            file: table.file.clone(),
            headers: table.headers.clone(),
            excludes,
            strict,
        })
    }
}

/// File, line, column name and value of a cell of row `r` of `batch`.
fn locate(shared: &Shared, batch: &Batch, r: usize, column: usize) -> Position {
    let (first, _) = batch.record(r);
    Position::cell(
        shared.file.clone(),
        batch.line(r),
        shared.headers[column].clone(),
        String::from_utf8_lossy(batch.field(first + column)),
    )
}

/// One chunk's rows as a task read them: what it made of them, the first
/// error it met (reading stops there), and the chunk's cursor (its
/// accounting; it can read the chunk again).
pub struct Chunk<T> {
    /// What the task made of the rows before `error`.
    pub out: T,
    /// The first error in the chunk.
    pub error: Option<Error>,
    /// The chunk's rows.
    pub rows: RowReader,
}

impl<T> Chunk<T> {
    /// Reads the chunk again, from its first row, into `out` (a task does
    /// when a merge finds that a row depends on earlier chunks).
    pub fn reread(&mut self, out: T, read: &impl Fn(&mut RowReader, &mut T) -> Result<()>) {
        (self.rows.next, self.rows.accounting) = (0, Accounting::default());
        self.out = out;
        self.error = read(&mut self.rows, &mut self.out).err();
    }
}

/// Reads every row of `table` chunk by chunk (a chunk is a batch of
/// records): `read` reads a chunk into a fresh `new()` (on all cores when
/// the table's records are made on all cores, else on this thread), and
/// `merge` takes the chunks in file order. A chunk's error is returned
/// after its merge (which may find an earlier one); the accountings add up
/// in file order. Rows matching an `exclude` rule are dropped under the
/// rule's name (never an error); `role` names the table in the provenance.
pub fn read_chunks<T, N, R, M>(
    mut table: Table,
    exclude: &[ExcludeRule],
    strict: bool,
    role: &str,
    new: N,
    read: &R,
    mut merge: M,
) -> Result<(InputFile, Accounting)>
where
    T: Send,
    N: Fn() -> T + Sync,
    R: Fn(&mut RowReader, &mut T) -> Result<()> + Sync,
    M: FnMut(&mut Chunk<T>) -> Result<()>,
{
    let shared = Arc::new(Shared::new(&table, exclude, strict)?);
    let chunk = |batch: Batch| {
        let mut rows = RowReader::chunk(shared.clone(), batch);
        let mut out = new();
        let error = read(&mut rows, &mut out).err();
        Chunk { out, error, rows }
    };
    let mut accounting = Accounting::default();
    let mut take = |mut c: Chunk<T>| {
        merge(&mut c)?;
        accounting.merge(std::mem::take(&mut c.rows.accounting));
        c.error.map_or(Ok(()), Err)
    };
    if table.parallel() {
        let t = &mut table;
        let chunk = &chunk;
        std::thread::scope(|s| -> Result<()> {
            let (tx, rx) = sync_channel(ahead());
            s.spawn(move || {
                let batches = std::iter::from_fn(|| t.next_batch().transpose());
                send_in_order(batches, |b| Ok(chunk(b)), &tx)
            });
            // Returning drops `rx`: the thread then stops at its next send.
            while let Some(c) = rx.recv().map_err(|_| stopped(&shared.file))?? {
                take(c)?;
            }
            Ok(())
        })?;
    } else {
        while let Some(b) = table.next_batch()? {
            take(chunk(b))?;
        }
    }
    Ok((table.finish(role)?, accounting))
}

/// The error when the thread reading chunks ends without a word.
fn stopped(file: &str) -> Error {
    Error::internal(format!("{file}: the reading thread stopped early"))
}
