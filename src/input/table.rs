//! A table: delimited text (gzip detection, delimiter sniffing, the header,
//! records parsed in order or in parallel chunks, the SHA-256 of the bytes
//! read) or a column store (`.npy` directory, Parquet); header lookup, and
//! batches of records in file order whatever the source.

use super::chunks::{self, Batch, Cutter, Feed};
use super::columnar::{hex, Columnar, Content, NpyDir};
use super::npy_dir::NpySource;
use crate::error::{Error, ErrorKind, Result};
use crate::progress::{NoProgress, Progress};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Provenance of one input file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    /// The file's role, such as `comparisons`, `items`, `candidates` or `subjects`.
    pub role: String,
    /// The file's path (or name), as given.
    pub path: String,
    /// Bytes read, as stored on disk (compressed when gzip).
    pub bytes: u64,
    /// Lower-case hex SHA-256 of those bytes.
    pub sha256: String,
    /// Data rows read (header excluded).
    pub rows: u64,
}

#[derive(Default)]
struct DigestState {
    hasher: Sha256,
    bytes: u64,
}

/// Hashes every byte that passes through, as stored on disk, and reports it read.
struct HashingReader<R> {
    inner: R,
    state: Arc<Mutex<DigestState>>,
    progress: Arc<dyn Progress>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        let mut s = self.state.lock().expect("digest lock");
        s.hasher.update(&buf[..n]);
        s.bytes += n as u64;
        Ok(n)
    }
}

/// Where a table's records come from.
enum Source {
    /// Batches of records, parsed here or on all cores (see [`super::chunks`]).
    Batches { feed: Feed, origin: Origin },
    /// A column store not yet started (it starts when the needed columns are known).
    Columns(Option<Box<dyn Columnar>>),
}

/// How delimited text is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextFormat {
    /// Field delimiter (`None`: sniffed from the header).
    pub delimiter: Option<u8>,
    /// Quoted fields may span any number of lines (up to
    /// [`chunks::MAX_RECORD`] bytes a record); otherwise at most
    /// [`chunks::MAX_FIELD_LINES`] (`--allow-multiline-fields`).
    pub multiline_fields: bool,
}

/// An open table, positioned after its header.
pub struct Table {
    /// The file's path (or name), as given; names it in errors and provenance.
    pub file: String,
    /// Column names, in file order.
    pub headers: Vec<String>,
    /// Field delimiter (`,` for column stores).
    pub delimiter: u8,
    source: Source,
    /// Columns a reader asked for (a column store reads only these).
    needed: RefCell<Vec<bool>>,
    rows: u64,
    /// Hears of the bytes read (on whichever thread reads them).
    progress: Arc<dyn Progress>,
}

const CANDIDATE_DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Picks the candidate delimiter that occurs most often in the header line
/// (ties go to the earlier of `, \t ; |`; none found means `,`).
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let mut best = (b',', 0usize);
    for d in CANDIDATE_DELIMITERS {
        let n = line.iter().filter(|&&b| b == d).count();
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// The text of a stream: gunzipped when it starts with the gzip magic bytes.
fn decompressed(
    hashing: HashingReader<Box<dyn Read + Send>>,
    name: &str,
) -> Result<Box<dyn BufRead + Send>> {
    let stored = hashing.state.clone();
    let mut buffered = BufReader::with_capacity(1 << 16, hashing);
    let head = buffered.fill_buf().map_err(|e| Error::io(name, e))?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            1 << 16,
            Gunzip {
                inner: flate2::bufread::MultiGzDecoder::new(buffered),
                stored,
            },
        ))
    } else {
        Box::new(buffered)
    })
}

/// A gzip decoder whose errors say how far into the stored bytes they came.
struct Gunzip<R> {
    inner: R,
    stored: Arc<Mutex<DigestState>>,
}

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            let bytes = self.stored.lock().expect("digest lock").bytes;
            std::io::Error::new(
                e.kind(),
                format!("gzip: {e} (within the first {bytes} bytes of the compressed file)"),
            )
        })
    }
}

/// The column names of the header record: trimmed, a leading byte-order
/// mark removed; an empty file when every name is empty.
fn header_names(name: &str, delimiter: u8, header: &[u8]) -> Result<Vec<String>> {
    let mut first = csv::ByteRecord::new();
    chunks::records_reader(delimiter, header)
        .read_byte_record(&mut first)
        .map_err(|e| chunks::parse_error(name, e, 0))?;
    let headers: Vec<String> = first
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_string()
        })
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(ErrorKind::EmptyFile {
            file: name.to_string(),
        }
        .into());
    }
    Ok(headers)
}

/// What batches are made from, for the provenance.
enum Origin {
    /// A byte stream, hashed as read.
    Stream(Arc<Mutex<DigestState>>),
    /// Whole files (a column store's needed columns), hashed at the end.
    Files(Content),
}

/// How delimited text is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsing {
    /// One chunk after another on the calling thread.
    Sequential,
    /// In chunks of about this many bytes, on all cores.
    Chunks(usize),
}

/// Files from this size on are parsed in chunks (when there are cores to share).
const CHUNKED_FROM: u64 = 1 << 20;
/// Chunk size of parallel parsing: small enough that the reading thread
/// hands work on early, large enough that a chunk costs little to send.
pub const CHUNK_BYTES: usize = 512 << 10;

impl Table {
    /// Opens a file: a directory of `.npy` columns, a Parquet file (by its
    /// magic bytes), or delimited text (gzip detected by its magic bytes).
    /// The bytes read are reported to `progress`.
    pub fn open(path: &Path, format: TextFormat, progress: Arc<dyn Progress>) -> Result<Table> {
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        let parsing = if size >= CHUNKED_FROM && rayon::current_num_threads() > 1 {
            Parsing::Chunks(CHUNK_BYTES)
        } else {
            Parsing::Sequential
        };
        Self::open_with(path, format, parsing, progress)
    }

    /// [`Table::open`] with the parsing of delimited text chosen.
    pub fn open_with(
        path: &Path,
        format: TextFormat,
        parsing: Parsing,
        progress: Arc<dyn Progress>,
    ) -> Result<Table> {
        if path.is_dir() {
            return Ok(Self::columns(
                path.display().to_string(),
                Box::new(NpyDir::new(path)?),
                progress,
            ));
        }
        if is_parquet(path)? {
            return Ok(Self::columns(
                path.display().to_string(),
                super::parquet::open(path)?,
                progress,
            ));
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        progress.start("reading", size);
        Self::from_stream(
            path.display().to_string(),
            Box::new(file),
            format,
            parsing,
            progress,
        )
    }

    /// Reads a table from any byte stream (used for built-in data; no progress reports).
    pub fn from_reader(
        name: String,
        raw: Box<dyn Read + Send>,
        format: TextFormat,
    ) -> Result<Table> {
        Self::from_stream(name, raw, format, Parsing::Sequential, Arc::new(NoProgress))
    }

    /// Reads the header of a byte stream (gzip detected, the delimiter
    /// sniffed unless given) and positions a table after it.
    fn from_stream(
        name: String,
        raw: Box<dyn Read + Send>,
        format: TextFormat,
        parsing: Parsing,
        progress: Arc<dyn Progress>,
    ) -> Result<Table> {
        let digest = Arc::new(Mutex::new(DigestState::default()));
        let hashing = HashingReader {
            inner: raw,
            state: digest.clone(),
            progress: progress.clone(),
        };
        let mut text = decompressed(hashing, &name)?;
        let head = text.fill_buf().map_err(|e| Error::io(&name, e))?;
        if head.is_empty() {
            return Err(ErrorKind::EmptyFile { file: name }.into());
        }
        let delimiter = format.delimiter.unwrap_or_else(|| sniff_delimiter(head));
        let chunk_bytes = match parsing {
            Parsing::Sequential => CHUNK_BYTES,
            Parsing::Chunks(bytes) => bytes,
        };
        let mut cutter = Cutter::new(
            text,
            delimiter,
            name.clone(),
            format.multiline_fields,
            chunk_bytes,
        );
        let headers = header_names(&name, delimiter, &cutter.header()?)?;
        cutter.name_columns(headers.clone());
        let source = Source::Batches {
            feed: Feed::parsed(cutter, matches!(parsing, Parsing::Chunks(_))),
            origin: Origin::Stream(digest),
        };
        Ok(Table {
            file: name,
            needed: RefCell::new(vec![false; headers.len()]),
            headers,
            delimiter,
            source,
            rows: 0,
            progress,
        })
    }

    /// A table over columns held in memory (see [`NpySource::Memory`]),
    /// named in messages and provenance by the source's name.
    pub fn memory(source: NpySource) -> Result<Table> {
        let name = source.name();
        let store = Box::new(NpyDir::from_source(source)?);
        Ok(Self::columns(name, store, Arc::new(NoProgress)))
    }

    /// A table over a column store.
    fn columns(file: String, store: Box<dyn Columnar>, progress: Arc<dyn Progress>) -> Table {
        let headers = store.headers().to_vec();
        Table {
            file,
            needed: RefCell::new(vec![false; headers.len()]),
            headers,
            delimiter: b',',
            source: Source::Columns(Some(store)),
            rows: 0,
            progress,
        }
    }

    /// The column store behind this table, when it is one and no row has been read.
    pub fn store(&self) -> Option<&dyn Columnar> {
        match &self.source {
            Source::Columns(Some(store)) => Some(&**store),
            _ => None,
        }
    }

    /// Index of a column by exact header name (the column is then read); a
    /// name the header holds twice is an error naming `flag`, which chose it.
    pub fn find(&self, name: &str, flag: &str) -> Result<Option<usize>> {
        let mut at = (0..self.headers.len()).filter(|&i| self.headers[i] == name);
        let Some(i) = at.next() else {
            return Ok(None);
        };
        if let Some(j) = at.next() {
            return Err(Error::data_field(
                self.file.clone(),
                name,
                format!(
                    "the header names two columns '{name}' (columns {} and {}), and {flag} uses that name; rename one of them",
                    i + 1,
                    j + 1
                ),
            ));
        }
        self.needed.borrow_mut()[i] = true;
        Ok(Some(i))
    }

    /// Index of a required column; the error names the flag that chose it.
    pub fn column(&self, name: &str, flag: &str) -> Result<usize> {
        self.find(name, flag)?.ok_or_else(|| {
            ErrorKind::MissingColumn {
                file: self.file.clone(),
                column: name.to_string(),
                flag: flag.to_string(),
                header: self.headers.clone(),
            }
            .into()
        })
    }

    /// Index of an optional column, when a flag names one; the error names the flag.
    pub fn column_if(&self, name: Option<&str>, flag: &str) -> Result<Option<usize>> {
        name.map(|name| self.column(name, flag)).transpose()
    }

    /// The next batch of records, in file order; `None` after the last.
    pub fn next_batch(&mut self) -> Result<Option<Batch>> {
        if let Source::Columns(store) = &mut self.source {
            let store = store.take().expect("a column store starts once");
            let (batches, files) = store.start(&self.needed.borrow(), self.progress.clone())?;
            self.source = Source::Batches {
                feed: Feed::Threads(batches),
                origin: Origin::Files(files),
            };
        }
        let Source::Batches { feed, .. } = &mut self.source else {
            unreachable!("started above")
        };
        let batch = feed.next(&self.file)?;
        self.rows += batch.as_ref().map_or(0, |b| b.len() as u64);
        Ok(batch)
    }

    /// True when the records are made on all cores (chunked text, column
    /// stores), so that the rows are best read on all cores too.
    pub fn parallel(&self) -> bool {
        !matches!(
            self.source,
            Source::Batches {
                feed: Feed::Here(_),
                ..
            }
        )
    }

    /// Closes the table and returns its provenance record.
    pub fn finish(self, role: &str) -> Result<InputFile> {
        if self.rows == 0 {
            return Err(ErrorKind::NoRows { file: self.file }.into());
        }
        self.progress.finish();
        let (bytes, sha256) = match self.source {
            Source::Batches {
                origin: Origin::Stream(digest),
                ..
            } => {
                let state = std::mem::take(&mut *digest.lock().expect("digest lock"));
                (state.bytes, hex(&state.hasher.finalize()))
            }
            Source::Batches {
                origin: Origin::Files(files),
                ..
            } => files.digest()?,
            Source::Columns(_) => unreachable!("rows were read"),
        };
        Ok(InputFile {
            role: role.to_string(),
            path: self.file,
            bytes,
            sha256,
            rows: self.rows,
        })
    }
}

/// True when the file starts with Parquet's magic bytes `PAR1`.
fn is_parquet(path: &Path) -> Result<bool> {
    let mut head = [0u8; 4];
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let n = f.read(&mut head).map_err(|e| Error::io(path, e))?;
    Ok(n == 4 && &head == b"PAR1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::rows::RowReader;
    use std::io::Write;

    fn table(bytes: &[u8]) -> Result<Table> {
        Table::from_reader(
            "t.csv".into(),
            Box::new(std::io::Cursor::new(bytes.to_vec())),
            Default::default(),
        )
    }

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1|2"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b\n"), b';');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    #[test]
    fn reads_gzip_and_hashes_the_stored_bytes() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"a\tb\n1\t2\n").unwrap();
        let bytes = gz.finish().unwrap();
        let t = table(&bytes).unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        let mut r = RowReader::new(t, &[], false).unwrap();
        assert!(r.next_row().unwrap());
        assert_eq!(r.field(1), b"2");
        assert!(!r.next_row().unwrap());
        let f = r.finish("x").unwrap().0;
        assert_eq!(f.bytes, bytes.len() as u64);
        assert_eq!(f.rows, 1);
        assert_eq!(f.sha256.len(), 64);
    }

    #[test]
    fn sha256_of_known_bytes() {
        // sha256("a\n1\n") from coreutils sha256sum.
        let mut t = table(b"a\n1\n").unwrap();
        while t.next_batch().unwrap().is_some() {}
        let f = t.finish("x").unwrap();
        assert_eq!(
            f.sha256,
            "309b0e45a73d3fc5325e2b6ed0a01ef8b9cde6b05a5633c1f893f970d52bfddc"
        );
    }

    #[test]
    fn ragged_and_empty_inputs_are_errors() {
        assert!(matches!(
            table(b"").map_err(Error::into_kind),
            Err(ErrorKind::EmptyFile { .. })
        ));
        let mut r = RowReader::new(table(b"a,b\n1,2\n3\n").unwrap(), &[], false).unwrap();
        assert!(r.next_row().unwrap());
        let e = r.next_row().unwrap_err().to_string();
        assert_eq!(e, "t.csv:3: ragged row: 1 fields where the header has 2");
        let t = table(b"a,b\n").unwrap();
        assert!(matches!(
            t.finish("x").map_err(Error::into_kind),
            Err(ErrorKind::NoRows { .. })
        ));
    }
}
