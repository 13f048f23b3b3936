//! Parallel record making. For delimited text, one thread reads the byte
//! stream (decompressing and hashing as it goes) and a [`Cutter`] cuts it
//! into chunks that end on the first record boundary past the chunk size;
//! the chunks are parsed on all cores (or, for small files, one after
//! another on the calling thread) into batches of records, each record with
//! its line, that come back in file order. A chunk with no quote is split
//! at line ends and delimiters in place; others go through the CSV parser.
//! The row readers then read each batch on all cores too and merge in file
//! order ([`super::rows::read_chunks`]). Column stores render blocks of rows
//! the same way ([`in_order`]).
//!
//! A record boundary is a `\n` or `\r` outside a quoted field, found with
//! the quoting rules of the CSV parser (RFC 4180: a quote opens a quoted
//! field only at the start of a field, `""` inside one is a literal quote).
//! The cutter scans each byte once, and bounds what a record may be: at most
//! [`MAX_RECORD`] bytes, a quoted field closed before the end of the text,
//! and (unless multi-line fields are allowed) spanning at most
//! [`MAX_FIELD_LINES`] lines; the errors name the line where the record or
//! the quote starts.

use crate::error::{Error, Position, Result};
use rayon::prelude::*;
use std::io::BufRead;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// The most bytes a record (the header or a row, line breaks inside quoted
/// fields included) may take: 4 MiB. A longer one is an error, so a huge
/// field costs neither unbounded memory nor time.
pub const MAX_RECORD: usize = 4 << 20;

/// The most lines a quoted field may span unless multi-line fields are
/// allowed (`--allow-multiline-fields`).
pub const MAX_FIELD_LINES: u64 = 16;

/// Parsed records of one chunk: their fields' bytes, one after another
/// (or, for a chunk with no quote, the chunk itself).
#[derive(Default)]
pub struct Batch {
    bytes: Vec<u8>,
    /// Start of each field in `bytes`.
    starts: Vec<usize>,
    /// End of each field in `bytes`.
    ends: Vec<usize>,
    /// Index in `ends` one past each record's last field.
    records: Vec<usize>,
    /// 1-based line of each record.
    lines: Vec<u64>,
    /// Records that span several lines: index and line breaks inside, in order.
    spans: Vec<(usize, u64)>,
}

impl Batch {
    /// Number of complete records in the batch.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Adds a field to the record being built.
    pub fn push_field(&mut self, f: &[u8]) {
        self.bytes.extend_from_slice(f);
        self.end_field();
    }

    /// The bytes of the field being built (append to it, then [`Batch::end_field`]).
    pub fn field_bytes(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }

    /// Ends the field being built (it starts where the field before ends).
    pub fn end_field(&mut self) {
        self.starts.push(self.ends.last().map_or(0, |&e| e));
        self.ends.push(self.bytes.len());
    }

    /// Ends the record being built; it starts on `line`.
    pub fn end_record(&mut self, line: u64) {
        self.records.push(self.ends.len());
        self.lines.push(line);
    }

    /// Line breaks inside the quoted fields of record `r` (usually none).
    pub fn breaks(&self, r: usize) -> u64 {
        if self.spans.is_empty() {
            return 0;
        }
        self.spans
            .binary_search_by_key(&r, |s| s.0)
            .map_or(0, |i| self.spans[i].1)
    }

    /// Record `r`: the index of its first field (see [`Batch::field`]) and
    /// its number of fields.
    #[inline]
    pub fn record(&self, r: usize) -> (usize, usize) {
        let first = if r == 0 { 0 } else { self.records[r - 1] };
        (first, self.records[r] - first)
    }

    /// Field `i` of the batch, counting over every record.
    #[inline]
    pub fn field(&self, i: usize) -> &[u8] {
        &self.bytes[self.starts[i]..self.ends[i]]
    }

    /// 1-based line of record `r`.
    #[inline]
    pub fn line(&self, r: usize) -> u64 {
        self.lines[r]
    }
}

/// A CSV reader for the records after the header: no header, any field
/// count (the table checks counts against its header).
pub fn records_reader<R: std::io::Read>(delimiter: u8, r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(r)
}

/// A parse error; `offset` lines precede the parser's line 1.
pub fn parse_error(file: &str, e: csv::Error, offset: u64) -> Error {
    let message = match e.kind() {
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        _ => e.to_string(),
    };
    Error::parse(
        Position::line(file, e.position().map_or(0, |p| p.line()) + offset),
        message,
    )
}

/// Parses one chunk whose first byte is on line `first_line`.
fn parse(chunk: Vec<u8>, delimiter: u8, first_line: u64, file: &str) -> Result<Batch> {
    match memchr::memchr(b'"', &chunk) {
        None => Ok(parse_plain(chunk, delimiter, first_line)),
        Some(_) => parse_quoted(&chunk, delimiter, first_line, file),
    }
}

/// Parses a chunk that holds no quote as the CSV parser does, in place and
/// without its byte-by-byte state machine: a record is a non-empty line
/// (ended by `\n`, `\r` or `\r\n`; blank lines are skipped), its fields
/// the text between delimiters.
fn parse_plain(chunk: Vec<u8>, delimiter: u8, first_line: u64) -> Batch {
    let mut b = Batch::default();
    let (mut start, mut line, mut fields) = (0, first_line, 0);
    for p in memchr::memchr3_iter(delimiter, b'\n', b'\r', &chunk).chain([chunk.len()]) {
        let c = chunk.get(p).copied();
        if c == Some(delimiter) {
            b.starts.push(start);
            b.ends.push(p);
            (start, fields) = (p + 1, fields + 1);
            continue;
        }
        // A line end, or the end of the chunk.
        if fields > 0 || p > start {
            b.starts.push(start);
            b.ends.push(p);
            b.end_record(line);
        }
        line += u64::from(c == Some(b'\n'));
        (start, fields) = (p + 1, 0);
    }
    b.bytes = chunk;
    b
}

/// Parses a chunk with the CSV parser. A record's line is counted from its
/// first byte (the parser's own position stands before the blank lines and
/// the `\n` of a `\r\n` it skips).
fn parse_quoted(chunk: &[u8], delimiter: u8, first_line: u64, file: &str) -> Result<Batch> {
    // The parser strips a UTF-8 BOM at the start of its input; inside the
    // text (a chunk's first record) it is data: a blank line before it keeps
    // it, and positions and lines are shifted back.
    let shift = usize::from(chunk.starts_with(b"\xef\xbb\xbf"));
    let mut reader = records_reader(delimiter, std::io::Read::chain(&b"\n"[..shift], chunk));
    let mut rec = csv::ByteRecord::new();
    let mut b = Batch::default();
    let (mut at, mut line) = (0, first_line);
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| parse_error(file, e, first_line.saturating_sub(1 + shift as u64)))?
    {
        let byte = |p: &csv::Position| (p.byte() as usize).saturating_sub(shift);
        let mut start = rec.position().map_or(at, byte).max(at);
        while matches!(chunk.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        line += memchr::memchr_iter(b'\n', &chunk[at..start]).count() as u64;
        at = start;
        for f in rec.iter() {
            b.push_field(f);
        }
        b.end_record(line);
        let breaks = memchr::memchr_iter(b'\n', rec.as_slice()).count() as u64;
        if breaks > 0 {
            b.spans.push((b.len() - 1, breaks));
        }
    }
    Ok(b)
}

/// Where a [`Scanner`] stopped.
#[derive(Debug, PartialEq)]
enum Stopped {
    /// At the end of the bytes (or at a final quote that the next byte decides).
    End,
    /// At the first boundary at or past the byte asked.
    Boundary,
    /// At the line break that made the open quoted field span too many lines.
    Lines,
    /// At the end of a record longer than [`MAX_RECORD`] (its length).
    Long(usize),
}

/// Finds record boundaries (one past each `\n` or `\r` outside a quoted
/// field) in a buffer that grows at its end and is cut at its front,
/// scanning each byte once.
struct Scanner {
    delimiter: u8,
    /// Line breaks a quoted field may hold.
    max_breaks: u64,
    /// Bytes of the buffer scanned.
    at: usize,
    /// Where the quote of the open quoted field sits, if one is open.
    open: Option<usize>,
    /// Line breaks inside the open quoted field.
    breaks: u64,
    /// One past the last boundary found.
    last: Option<usize>,
}

impl Scanner {
    fn new(delimiter: u8, max_breaks: u64) -> Scanner {
        Scanner {
            delimiter,
            max_breaks,
            at: 0,
            open: None,
            breaks: 0,
            last: None,
        }
    }

    /// Scans `buf` on from where the last call stopped (the bytes before
    /// unchanged): to its end, to the first boundary at or past byte
    /// `from`, to the line break that makes the open quoted field hold more
    /// than `max_breaks`, or to the end of a record longer than [`MAX_RECORD`].
    fn scan(&mut self, buf: &[u8], from: usize) -> Stopped {
        while let Some(off) = memchr::memchr3(b'"', b'\n', b'\r', &buf[self.at..]) {
            let p = self.at + off;
            self.at = p + 1;
            match (buf[p], self.open) {
                (b'"', Some(_)) => match buf.get(p + 1) {
                    Some(b'"') => self.at = p + 2, // an escaped quote
                    Some(_) => (self.open, self.breaks) = (None, 0),
                    None => {
                        self.at = p; // undecided until more bytes come
                        return Stopped::End;
                    }
                },
                (b'"', None) => {
                    if p == 0 || matches!(buf[p - 1], b'\n' | b'\r') || buf[p - 1] == self.delimiter
                    {
                        self.open = Some(p);
                    }
                }
                (b, Some(_)) => {
                    self.breaks += u64::from(b == b'\n');
                    if self.breaks > self.max_breaks {
                        return Stopped::Lines;
                    }
                }
                (_, None) => {
                    let len = p + 1 - self.last.unwrap_or(0);
                    if len > MAX_RECORD {
                        return Stopped::Long(len);
                    }
                    self.last = Some(p + 1);
                    if p + 1 >= from {
                        return Stopped::Boundary;
                    }
                }
            }
        }
        self.at = buf.len();
        Stopped::End
    }

    /// True when a quoted field is open at the end of `buf`, which is the
    /// end of the text (a final quote closes it).
    fn open_at_end(&self, buf: &[u8]) -> bool {
        self.open.is_some() && self.at == buf.len()
    }

    /// Follows the cut of the first `n` bytes: up to the last boundary, or
    /// all of them at the end of the text.
    fn shift(&mut self, n: usize) {
        if n >= self.at {
            *self = Scanner::new(self.delimiter, self.max_breaks);
        } else {
            self.at -= n;
            self.open = self.open.map(|o| o - n);
            self.last = None;
        }
    }
}

/// The 0-based field of `record` (a record's first bytes) that its last byte is in.
fn field_index(record: &[u8], delimiter: u8) -> usize {
    let (mut field, mut quoted, mut start) = (0, false, true);
    let mut i = 0;
    while i < record.len() {
        let b = record[i];
        if quoted {
            if b == b'"' {
                if record.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == delimiter {
            field += 1;
            start = true;
            i += 1;
            continue;
        } else if b == b'"' && start {
            quoted = true;
        }
        start = false;
        i += 1;
    }
    field
}

/// Delimited text cut into chunks that end on record boundaries, each with
/// its first line: the header first ([`Cutter::header`]), then the records
/// (as an iterator).
pub struct Cutter {
    text: Box<dyn BufRead + Send>,
    file: String,
    /// Column names once the header is read; they name the field an error is in.
    headers: Vec<String>,
    chunk_bytes: usize,
    scanner: Scanner,
    pending: Vec<u8>,
    /// Line of `pending[0]`.
    line: u64,
    eof: bool,
    /// An error found past complete records: reported once they are cut,
    /// so errors come in file order whatever the chunk size.
    deferred: Option<Error>,
}

impl Cutter {
    /// Cuts `text` in chunks of about `chunk_bytes`; quoted fields may span
    /// any number of lines when `multiline` (else [`MAX_FIELD_LINES`]).
    pub fn new(
        text: Box<dyn BufRead + Send>,
        delimiter: u8,
        file: String,
        multiline: bool,
        chunk_bytes: usize,
    ) -> Cutter {
        Cutter {
            text,
            file,
            headers: Vec::new(),
            chunk_bytes: chunk_bytes.max(1),
            scanner: Scanner::new(
                delimiter,
                if multiline {
                    u64::MAX
                } else {
                    MAX_FIELD_LINES - 1
                },
            ),
            pending: Vec::new(),
            line: 1,
            eof: false,
            deferred: None,
        }
    }

    /// The header record's bytes (with its line end).
    pub fn header(&mut self) -> Result<Vec<u8>> {
        Ok(self
            .next_cut(true)?
            .map_or_else(Vec::new, |c| self.cut(c).0))
    }

    /// Names the columns, for errors about the records after the header.
    pub fn name_columns(&mut self, headers: Vec<String>) {
        self.headers = headers;
    }

    /// Reads until `pending` holds `len` bytes or the text ends.
    fn fill(&mut self, len: usize) -> Result<()> {
        while self.pending.len() < len && !self.eof {
            match self.text.fill_buf() {
                Ok([]) => self.eof = true,
                Ok(buf) => {
                    let n = buf.len();
                    self.pending.extend_from_slice(buf);
                    self.text.consume(n);
                }
                Err(e) => {
                    let line = self.line + memchr::memchr_iter(b'\n', &self.pending).count() as u64;
                    return Err(Error::parse(
                        Position::line(&self.file, line),
                        format!("read error (the text is readable up to this line): {e}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Where to cut next: the first boundary when `first`, else the first
    /// past a chunk's worth of bytes (or the last before it, when a record
    /// runs past it); the end of the text; `None` when nothing is left.
    fn next_cut(&mut self, first: bool) -> Result<Option<usize>> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        loop {
            let from = if first { 0 } else { self.chunk_bytes };
            let stopped = self.scanner.scan(&self.pending, from);
            let start = self.scanner.last.unwrap_or(0);
            let error = match stopped {
                Stopped::Boundary => return Ok(self.scanner.last),
                Stopped::Lines => Some(self.too_many_lines()),
                Stopped::Long(len) => Some(self.too_long(start, len)),
                Stopped::End if self.pending.len() - start > MAX_RECORD => {
                    Some(self.too_long(start, self.pending.len() - start))
                }
                Stopped::End if self.eof && self.scanner.open_at_end(&self.pending) => {
                    Some(self.unclosed(start))
                }
                Stopped::End => None,
            };
            if let Some(e) = error {
                // The complete records before the bad one go first: their
                // own errors come earlier in the file.
                if start == 0 {
                    return Err(e);
                }
                self.deferred = Some(e);
                return Ok(Some(start));
            }
            if self.eof {
                return Ok(Some(self.pending.len()).filter(|&n| n > 0));
            }
            if !first && self.pending.len() >= self.chunk_bytes && self.scanner.last.is_some() {
                return Ok(self.scanner.last);
            }
            let more = if self.pending.len() < self.chunk_bytes && !first {
                self.chunk_bytes
            } else {
                self.pending.len() + if first { 1 } else { self.chunk_bytes }
            };
            self.fill(more)?;
        }
    }

    /// Cuts off the first `n` bytes: a chunk and its first line.
    fn cut(&mut self, n: usize) -> (Vec<u8>, u64) {
        let rest = self.pending.split_off(n);
        let chunk = std::mem::replace(&mut self.pending, rest);
        self.scanner.shift(n);
        let first = self.line;
        self.line += memchr::memchr_iter(b'\n', &chunk).count() as u64;
        (chunk, first)
    }

    /// An error about the record that starts at `start` of `pending`, placed
    /// at byte `at` (its line, and the field the byte is in).
    fn error(&self, start: usize, at: usize, message: String) -> Error {
        let line = self.line + memchr::memchr_iter(b'\n', &self.pending[..at]).count() as u64;
        let field = field_index(&self.pending[start..at], self.scanner.delimiter);
        let mut pos = Position::line(&self.file, line);
        let message = match self.headers.get(field) {
            Some(name) => {
                pos.column = Some(name.clone());
                message
            }
            None if self.headers.is_empty() => format!("header field {}: {message}", field + 1),
            None => format!("field {}: {message}", field + 1),
        };
        Error::parse(pos, message)
    }

    /// A quoted field spanning more lines than allowed.
    fn too_many_lines(&self) -> Error {
        let open = self.scanner.open.unwrap_or(0);
        let start = self.scanner.last.unwrap_or(0);
        self.error(
            start,
            open,
            format!(
                "a quoted field opened here spans more than {MAX_FIELD_LINES} lines; \
                 is a quote left unclosed? (if fields really hold that many line breaks, \
                 pass --allow-multiline-fields)"
            ),
        )
    }

    /// A quoted field still open at the end of the text.
    fn unclosed(&self, start: usize) -> Error {
        let open = self.scanner.open.unwrap_or(0);
        let lines = memchr::memchr_iter(b'\n', &self.pending[open..]).count();
        self.error(
            start,
            open,
            format!(
                "a quote opened here is never closed: the rest of the file ({lines} line breaks, \
                 {} bytes) would be one field; close or remove the quote",
                self.pending.len() - open
            ),
        )
    }

    /// A record longer than [`MAX_RECORD`] (at least `len` bytes) from `start`.
    fn too_long(&self, start: usize, len: usize) -> Error {
        let limit = format!("the limit of {MAX_RECORD} bytes (4 MiB) for a record");
        match self.scanner.open {
            Some(open) => self.error(
                start,
                open,
                format!("a quoted field opened here runs past {limit}; is a quote left unclosed?"),
            ),
            None => self.error(
                start,
                start + MAX_RECORD,
                format!(
                    "a record of {len} bytes or more passes {limit} (header or row) in this field"
                ),
            ),
        }
    }
}

impl Iterator for Cutter {
    type Item = Result<(Vec<u8>, u64)>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_cut(false) {
            Ok(cut) => cut.map(|c| Ok(self.cut(c))),
            Err(e) => {
                // The text ends with the error.
                self.scanner.shift(usize::MAX);
                self.eof = true;
                self.pending.clear();
                Some(Err(e))
            }
        }
    }
}

/// Batches in file order, then `None`; an error ends the stream.
pub type Batches = Receiver<Result<Option<Batch>>>;

/// Jobs rendered at a time: two per core.
pub fn ahead() -> usize {
    2 * rayon::current_num_threads()
}

/// Renders jobs into batches on the rayon pool, a few at a time, and sends
/// the batches in job order from a thread of their own.
pub fn in_order<J, I, F>(jobs: I, render: F) -> Batches
where
    J: Send + 'static,
    I: Iterator<Item = Result<J>> + Send + 'static,
    F: Fn(J) -> Result<Batch> + Send + Sync + 'static,
{
    let (tx, rx) = sync_channel(ahead());
    std::thread::spawn(move || send_in_order(jobs, render, &tx));
    rx
}

/// Renders jobs on the rayon pool, [`ahead`] at a time, and sends what they
/// make in job order, then `None`; stops after an error, or when nobody
/// listens any more.
pub fn send_in_order<J, O, I, F>(jobs: I, render: F, tx: &SyncSender<Result<Option<O>>>)
where
    J: Send,
    O: Send,
    I: Iterator<Item = Result<J>>,
    F: Fn(J) -> Result<O> + Sync,
{
    let ahead = ahead();
    let mut jobs = jobs.fuse();
    loop {
        // A group ends at a failed job: the jobs after it are not taken.
        let mut group = Vec::with_capacity(ahead);
        for j in jobs.by_ref() {
            let failed = j.is_err();
            group.push(j);
            if failed || group.len() == ahead {
                break;
            }
        }
        if group.is_empty() {
            break;
        }
        let made: Vec<Result<O>> = group.into_par_iter().map(|j| j.and_then(&render)).collect();
        for m in made {
            let failed = m.is_err();
            if tx.send(m.map(Some)).is_err() || failed {
                return; // the reader stopped listening, or a job failed
            }
        }
    }
    let _ = tx.send(Ok(None));
}

/// Where a table's batches come from.
pub enum Feed {
    /// Parsed on the calling thread, chunk after chunk.
    Here(Box<dyn Iterator<Item = Result<Batch>> + Send>),
    /// Made on all cores ([`in_order`]).
    Threads(Batches),
}

impl Feed {
    /// The chunks of `cutter`, parsed on all cores when `threads`.
    pub fn parsed(cutter: Cutter, threads: bool) -> Feed {
        let (delimiter, file) = (cutter.scanner.delimiter, cutter.file.clone());
        let render = move |(chunk, line): (Vec<u8>, u64)| parse(chunk, delimiter, line, &file);
        if threads {
            Feed::Threads(in_order(cutter, render))
        } else {
            Feed::Here(Box::new(cutter.map(move |c| c.and_then(&render))))
        }
    }

    /// The next batch; `None` after the last.
    pub fn next(&mut self, file: &str) -> Result<Option<Batch>> {
        match self {
            Feed::Here(batches) => batches.next().transpose(),
            Feed::Threads(batches) => batches.recv().map_err(|_| {
                Error::internal(format!("{file}: the parsing thread stopped early"))
            })?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last_boundary(buf: &[u8]) -> Option<usize> {
        let mut s = Scanner::new(b',', u64::MAX);
        s.scan(buf, usize::MAX);
        s.last
    }

    #[test]
    fn boundaries_respect_quotes() {
        assert_eq!(last_boundary(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_boundary(b"a,\"x\ny\"\nc"), Some(8));
        assert_eq!(last_boundary(b"a,\"x\"\"\ny"), None);
        // A quote inside an unquoted field is a plain character.
        assert_eq!(last_boundary(b"a,b\"c\nd"), Some(6));
        assert_eq!(last_boundary(b"no newline"), None);
        assert_eq!(last_boundary(b"a\rb"), Some(2));
    }

    #[test]
    fn scanning_resumes_where_it_stopped() {
        // The same boundaries whether the bytes come at once or one by one.
        let text = b"a,\"x\"\"\ny\"\nb,\"\"\nc,\"q\"\r\n";
        let mut s = Scanner::new(b',', u64::MAX);
        let mut found = Vec::new();
        for n in 1..=text.len() {
            s.scan(&text[..n], usize::MAX);
            if let Some(b) = s.last.take() {
                found.push(b);
            }
        }
        assert_eq!(found, [10, 15, 21, 22]);
    }

    #[test]
    fn field_index_counts_delimiters_outside_quotes() {
        assert_eq!(field_index(b"", b','), 0);
        assert_eq!(field_index(b"a,b,", b','), 2);
        assert_eq!(field_index(b"\"a,b\",c", b','), 1);
        assert_eq!(field_index(b"\"a\"\",\",c,\"", b','), 2);
    }

    /// The records of `text` after its header, cut in chunks of `chunk`
    /// bytes: fields, line and line breaks inside.
    type Records = Vec<(Vec<Vec<u8>>, u64, u64)>;

    fn cut(text: &[u8], multiline: bool, chunk: usize) -> Result<Records> {
        let mut c = Cutter::new(
            Box::new(std::io::Cursor::new(text.to_vec())),
            b',',
            "t.csv".into(),
            multiline,
            chunk,
        );
        c.header()?;
        c.name_columns(vec!["h1".into(), "h2".into()]);
        let mut feed = Feed::parsed(c, false);
        let mut out = Vec::new();
        while let Some(b) = feed.next("t.csv")? {
            out.extend(records(&b));
        }
        Ok(out)
    }

    /// The records after the first as the csv crate parses the whole text,
    /// each on the line of its first byte.
    fn whole(text: &[u8]) -> Records {
        let mut r = records_reader(b',', text);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let breaks = rec.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
            let mut start = rec.position().unwrap().byte() as usize;
            while start < text.len() && b"\r\n".contains(&text[start]) {
                start += 1;
            }
            let line = 1 + text[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            out.push((rec.iter().map(<[u8]>::to_vec).collect(), line, breaks));
        }
        out.split_off(1.min(out.len()))
    }

    #[test]
    fn cut_chunks_parse_as_the_whole_text_does() {
        // Random texts over the bytes that matter; every chunk size gives
        // the whole parse, or the text ends inside a quoted field.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let (mut same, mut unclosed) = (0, 0);
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = (x % 40) as usize;
            let mut text = b"h1,h2\n".to_vec();
            let mut y = x;
            for _ in 0..n {
                y = y.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push(b"a,\"\n\r\"b,\n"[(y >> 60) as usize % 9]);
            }
            let want = whole(&text);
            for chunk in [1, 3, 7, 1 << 16] {
                match cut(&text, true, chunk) {
                    Ok(got) => {
                        assert_eq!(
                            got,
                            want,
                            "{:?} in chunks of {chunk}",
                            text.escape_ascii().to_string()
                        );
                        same += 1;
                    }
                    Err(e) => {
                        assert!(e.to_string().contains("never closed"), "{e}");
                        unclosed += 1;
                    }
                }
            }
        }
        assert!(same > 3000 && unclosed > 1000, "{same} {unclosed}");
    }

    /// Fields, line and line breaks inside of every record of a batch.
    fn records(b: &Batch) -> Records {
        (0..b.len())
            .map(|r| {
                let (first, n) = b.record(r);
                let fields = (first..first + n).map(|i| b.field(i).to_vec()).collect();
                (fields, b.line(r), b.breaks(r))
            })
            .collect()
    }

    #[test]
    fn text_without_quotes_parses_as_the_csv_parser_parses_it() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut y = x;
            let text: Vec<u8> = (0..x % 50)
                .map(|_| {
                    y = y.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    b"a,\n\r b,\n;"[(y >> 60) as usize % 9]
                })
                .collect();
            for delimiter in [b',', b';'] {
                let plain = parse_plain(text.clone(), delimiter, 3);
                let quoted = parse_quoted(&text, delimiter, 3, "t.csv").unwrap();
                assert_eq!(
                    records(&plain),
                    records(&quoted),
                    "{:?}",
                    text.escape_ascii().to_string()
                );
            }
        }
    }

    #[test]
    fn a_bom_inside_the_text_is_data_in_every_chunking() {
        // Only the file's first bytes may be a BOM (the header's); a record
        // starting with one keeps it, quoted or not, whatever the chunks.
        for text in [
            &b"h1,h2\na,b\n\xef\xbb\xbfc,\"d\"\"\"\ne,f\n"[..],
            b"h1,h2\na,b\n\xef\xbb\xbfc,d\ne,\"f\n\"\n",
        ] {
            let whole = cut(text, true, 1 << 16).unwrap();
            assert_eq!(whole[1].0[0], b"\xef\xbb\xbfc");
            assert_eq!((whole[1].1, whole[2].1), (3, 4));
            for chunk in [1, 5, 11] {
                assert_eq!(cut(text, true, chunk).unwrap(), whole, "chunks of {chunk}");
            }
        }
        // An error after such a record is still on its line.
        let e = cut(b"h1,h2\na,b\n\xef\xbb\xbfc,\"d\n", true, 1).unwrap_err();
        assert!(e.to_string().starts_with("t.csv:3: column 'h2'"), "{e}");
    }

    #[test]
    fn records_are_on_the_line_of_their_first_byte() {
        // Blank lines, CRLF, and a record spanning two lines.
        let got = cut(
            b"h1,h2\r\na,b\r\n\r\nc,d\n\n\"e\nf\",g\nh,i",
            false,
            1 << 16,
        )
        .unwrap();
        let lines: Vec<(u64, u64)> = got.iter().map(|r| (r.1, r.2)).collect();
        assert_eq!(lines, [(2, 0), (4, 0), (6, 1), (8, 0)]);
    }

    #[test]
    fn an_unclosed_quote_is_an_error_at_its_line() {
        let text = b"h1,h2\na,b\nc,\"d\ne,f\ng,h\n";
        for chunk in [1, 5, 1 << 16] {
            let e = cut(text, true, chunk).unwrap_err().to_string();
            assert!(
                e.starts_with("t.csv:3: column 'h2': a quote opened here is never closed"),
                "{e}"
            );
        }
        // A quote the header leaves open.
        let e = cut(b"h1,\"h2\nx,y\n", true, 4).unwrap_err().to_string();
        assert!(
            e.starts_with("t.csv:1: header field 2: a quote opened here is never closed"),
            "{e}"
        );
    }

    #[test]
    fn quoted_fields_span_a_bounded_number_of_lines() {
        let field = |lines: usize| {
            let inner = vec!["x"; lines].join("\n");
            format!("h1,h2\na,b\nc,\"{inner}\"\nd,e\n").into_bytes()
        };
        let ok = cut(&field(16), false, 1 << 16).unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!((ok[1].1, ok[1].2, ok[2].1), (3, 15, 19));
        let e = cut(&field(17), false, 1 << 16).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "t.csv:3: column 'h2': a quoted field opened here spans more than 16 lines"
            ),
            "{e}"
        );
        assert!(e.contains("--allow-multiline-fields"), "{e}");
        assert_eq!(cut(&field(1000), true, 1 << 16).unwrap()[1].2, 999);
    }

    #[test]
    fn records_and_headers_are_bounded() {
        let mut text = b"h1,h2\na,b\nc,".to_vec();
        text.resize(text.len() + MAX_RECORD + 10, b'x');
        text.extend_from_slice(b"\nd,e\n");
        let e = cut(&text, true, CHUNK_TEST).err().unwrap().to_string();
        assert!(
            e.starts_with("t.csv:3: column 'h2': a record of 4194"),
            "{e}"
        );
        assert!(e.contains("limit of 4194304 bytes (4 MiB)"), "{e}");
        // The same within a quoted field, and in the header.
        let mut quoted = b"h1,h2\na,\"".to_vec();
        quoted.resize(quoted.len() + MAX_RECORD + 10, b'\n');
        let e = cut(&quoted, true, CHUNK_TEST).err().unwrap().to_string();
        assert!(
            e.starts_with("t.csv:2: column 'h2': a quoted field opened here runs past"),
            "{e}"
        );
        let mut header = b"h1,".to_vec();
        header.resize(header.len() + 3 * MAX_RECORD, b'h');
        let e = cut(&header, true, CHUNK_TEST).err().unwrap().to_string();
        assert!(
            e.starts_with("t.csv:1: header field 2: a record of "),
            "{e}"
        );
        assert!(
            e.contains("bytes or more passes the limit of 4194304 bytes"),
            "{e}"
        );
    }

    const CHUNK_TEST: usize = 512 << 10;
}
