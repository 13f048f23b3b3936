//! Parallel record making. For delimited text, one thread reads the byte
//! stream (decompressing and hashing as it goes) and cuts it into chunks
//! that end on a record boundary; the chunks are parsed on all cores; the
//! records come back in file order, each with its line, so the readers
//! above see exactly what a single sequential parse gives them. Column
//! stores render blocks of rows the same way ([`in_order`]).
//!
//! A record boundary is a `\n` outside a quoted field, found with the
//! quoting rules of the CSV parser (RFC 4180: a quote opens a quoted field
//! only at the start of a field, `""` inside one is a literal quote). A text
//! with no `\n` outside quotes is one chunk.

use crate::error::{Error, Position, Result};
use rayon::prelude::*;
use std::io::BufRead;
use std::sync::mpsc::{sync_channel, Receiver};

/// Parsed records of one chunk: their fields' bytes, one after another.
#[derive(Default)]
pub struct Batch {
    bytes: Vec<u8>,
    /// End of each field in `bytes`.
    ends: Vec<usize>,
    /// Index in `ends` one past each record's last field.
    records: Vec<usize>,
    /// 1-based line of each record.
    lines: Vec<u64>,
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

    /// Ends the field being built.
    pub fn end_field(&mut self) {
        self.ends.push(self.bytes.len());
    }

    /// Ends the record being built; it starts on `line`.
    pub fn end_record(&mut self, line: u64) {
        self.records.push(self.ends.len());
        self.lines.push(line);
    }

    /// Copies record `r` into `rec` (its position holds the line).
    pub fn fill(&self, r: usize, rec: &mut csv::ByteRecord) {
        rec.clear();
        let first = if r == 0 { 0 } else { self.records[r - 1] };
        let mut start = if first == 0 { 0 } else { self.ends[first - 1] };
        for &end in &self.ends[first..self.records[r]] {
            rec.push_field(&self.bytes[start..end]);
            start = end;
        }
        let mut pos = csv::Position::new();
        pos.set_line(self.lines[r]);
        rec.set_position(Some(pos));
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
fn parse(chunk: &[u8], delimiter: u8, first_line: u64, file: &str) -> Result<Batch> {
    let mut reader = records_reader(delimiter, chunk);
    let mut rec = csv::ByteRecord::new();
    let mut b = Batch::default();
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| parse_error(file, e, first_line - 1))?
    {
        for f in rec.iter() {
            b.push_field(f);
        }
        b.end_record(first_line + rec.position().map_or(1, |p| p.line()) - 1);
    }
    Ok(b)
}

/// Calls `f` with one past each record boundary of `buf` (which starts on
/// one), in order, until it returns `false`.
fn boundaries(buf: &[u8], delimiter: u8, mut f: impl FnMut(usize) -> bool) {
    let mut quoted = false;
    let mut i = 0;
    while let Some(off) = memchr::memchr2(b'"', b'\n', &buf[i..]) {
        let p = i + off;
        if buf[p] == b'\n' {
            if !quoted && !f(p + 1) {
                return;
            }
            i = p + 1;
            continue;
        }
        if quoted {
            match buf.get(p + 1) {
                Some(b'"') => i = p + 2, // an escaped quote
                Some(_) => {
                    quoted = false;
                    i = p + 1;
                }
                None => return, // undecided until more bytes come
            }
        } else {
            quoted = p == 0 || matches!(buf[p - 1], b'\n' | b'\r') || buf[p - 1] == delimiter;
            i = p + 1;
        }
    }
}

/// One past the last record boundary in `buf`, if any.
pub fn last_boundary(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut last = None;
    boundaries(buf, delimiter, |b| {
        last = Some(b);
        true
    });
    last
}

/// One past the first record boundary in `buf`, if any.
pub fn first_boundary(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut first = None;
    boundaries(buf, delimiter, |b| {
        first = Some(b);
        false
    });
    first
}

/// Batches in file order, then `None`; an error ends the stream.
pub type Batches = Receiver<Result<Option<Batch>>>;

/// Renders jobs into batches on the rayon pool, a few at a time, and sends
/// the batches in job order from a thread of their own.
pub fn in_order<J, I, F>(jobs: I, render: F) -> Batches
where
    J: Send + 'static,
    I: Iterator<Item = Result<J>> + Send + 'static,
    F: Fn(J) -> Result<Batch> + Send + Sync + 'static,
{
    let ahead = 2 * rayon::current_num_threads();
    let (tx, rx) = sync_channel(ahead);
    std::thread::spawn(move || {
        let mut jobs = jobs.peekable();
        while jobs.peek().is_some() {
            let group: Vec<Result<J>> = jobs.by_ref().take(ahead).collect();
            let batches: Vec<Result<Batch>> =
                group.into_par_iter().map(|j| j.and_then(&render)).collect();
            for b in batches {
                let failed = b.is_err();
                if tx.send(b.map(Some)).is_err() || failed {
                    return; // the reader stopped listening, or a job failed
                }
            }
        }
        let _ = tx.send(Ok(None));
    });
    rx
}

/// Chunks of delimited text cut on record boundaries, each with its first line.
struct TextChunks {
    text: Box<dyn BufRead + Send>,
    delimiter: u8,
    chunk_bytes: usize,
    line: u64,
    pending: Vec<u8>,
    eof: bool,
    file: String,
}

impl Iterator for TextChunks {
    type Item = Result<(Vec<u8>, u64)>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut want = self.chunk_bytes;
        loop {
            while self.pending.len() < want && !self.eof {
                match self.text.fill_buf() {
                    Ok([]) => self.eof = true,
                    Ok(buf) => {
                        let n = buf.len();
                        self.pending.extend_from_slice(buf);
                        self.text.consume(n);
                    }
                    Err(e) => {
                        self.eof = true;
                        self.pending.clear();
                        return Some(Err(Error::io(&self.file, e)));
                    }
                }
            }
            let cut = if self.eof {
                Some(self.pending.len())
            } else {
                last_boundary(&self.pending, self.delimiter)
            };
            match cut {
                Some(0) => return None,
                Some(c) => {
                    let rest = self.pending.split_off(c);
                    let chunk = std::mem::replace(&mut self.pending, rest);
                    let first = self.line;
                    self.line += memchr::memchr_iter(b'\n', &chunk).count() as u64;
                    return Some(Ok((chunk, first)));
                }
                // No boundary yet: the chunk grows.
                None => want = self.pending.len() + self.chunk_bytes,
            }
        }
    }
}

/// Reads `text` (positioned at the first record, which is on line
/// `first_line`) in chunks of about `chunk_bytes` and parses them on all cores.
pub fn spawn(
    text: Box<dyn BufRead + Send>,
    delimiter: u8,
    first_line: u64,
    chunk_bytes: usize,
    file: String,
) -> Batches {
    let chunks = TextChunks {
        text,
        delimiter,
        chunk_bytes,
        line: first_line,
        pending: Vec::new(),
        eof: false,
        file: file.clone(),
    };
    in_order(chunks, move |(chunk, line)| {
        parse(&chunk, delimiter, line, &file)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_respect_quotes() {
        assert_eq!(last_boundary(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_boundary(b"a,\"x\ny\"\nc", b','), Some(8));
        assert_eq!(last_boundary(b"a,\"x\"\"\ny", b','), None);
        // A quote inside an unquoted field is a plain character.
        assert_eq!(last_boundary(b"a,b\"c\nd", b','), Some(6));
        assert_eq!(last_boundary(b"no newline", b','), None);
    }
}
