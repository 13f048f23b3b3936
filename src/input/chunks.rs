//! Parallel parsing of delimited text. One thread reads the byte stream
//! (decompressing and hashing as it goes) and cuts it into chunks that end
//! on a record boundary; the chunks are parsed on all cores; the records
//! come back in file order, each with its line, so the readers above see
//! exactly what a single sequential parse gives them.
//!
//! A record boundary is a `\n` outside a quoted field, found with the
//! quoting rules of the CSV parser (RFC 4180: a quote opens a quoted field
//! only at the start of a field, `""` inside one is a literal quote). A text
//! with no `\n` outside quotes is one chunk.

use crate::error::{Error, Result};
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
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
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
    Error::Malformed {
        file: file.to_string(),
        line: e.position().map_or(0, |p| p.line()) + offset,
        message,
    }
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
            b.bytes.extend_from_slice(f);
            b.ends.push(b.bytes.len());
        }
        b.records.push(b.ends.len());
        b.lines
            .push(first_line + rec.position().map_or(1, |p| p.line()) - 1);
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

/// Reads `text` (positioned at the first record, which is on line
/// `first_line`) in chunks of about `chunk_bytes`, parses them on the rayon
/// pool and returns the batches in file order, then `None`.
pub fn spawn(
    mut text: Box<dyn BufRead + Send>,
    delimiter: u8,
    first_line: u64,
    chunk_bytes: usize,
    file: String,
) -> Receiver<Result<Option<Batch>>> {
    let ahead = 2 * rayon::current_num_threads();
    let (tx, rx) = sync_channel(ahead);
    std::thread::spawn(move || {
        let send_io = |e| tx.send(Err(Error::io(&file, e)));
        let mut line = first_line;
        let mut pending: Vec<u8> = Vec::new();
        let mut chunks: Vec<(Vec<u8>, u64)> = Vec::new();
        let mut want = chunk_bytes;
        let mut eof = false;
        loop {
            while pending.len() < want && !eof {
                match text.fill_buf() {
                    Ok([]) => eof = true,
                    Ok(buf) => {
                        let n = buf.len();
                        pending.extend_from_slice(buf);
                        text.consume(n);
                    }
                    Err(e) => {
                        let _ = send_io(e);
                        return;
                    }
                }
            }
            let cut = if eof {
                Some(pending.len())
            } else {
                last_boundary(&pending, delimiter)
            };
            match cut {
                Some(c) if c > 0 => {
                    let rest = pending.split_off(c);
                    let chunk = std::mem::replace(&mut pending, rest);
                    let lines = memchr::memchr_iter(b'\n', &chunk).count() as u64;
                    chunks.push((chunk, line));
                    line += lines;
                    want = chunk_bytes;
                }
                // No boundary yet: the chunk grows.
                _ if !eof => want = pending.len() + chunk_bytes,
                _ => {}
            }
            let last = eof && pending.is_empty();
            if chunks.len() == ahead || last {
                let batches: Vec<Result<Batch>> = chunks
                    .par_iter()
                    .map(|(c, l)| parse(c, delimiter, *l, &file))
                    .collect();
                chunks.clear();
                for b in batches {
                    let failed = b.is_err();
                    if tx.send(b.map(Some)).is_err() || failed {
                        return; // the reader stopped listening, or a chunk failed
                    }
                }
            }
            if last {
                let _ = tx.send(Ok(None));
                return;
            }
        }
    });
    rx
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
