//! Column-stored inputs: a directory of `.npy` files (one per column, named
//! `<column>.npy`) and, with the `parquet` feature, Parquet files. Only the
//! columns a task asks for are read. Verification and classification read
//! them as typed columns ([`Columnar::typed`], see [`super::typed`]); what
//! that path does not cover (and identification) reads them as a table:
//! each row's cells rendered as text into the same record the CSV reader
//! fills, so every task, check and drop rule applies unchanged. Numbers are
//! written in their shortest round-trip form (read back exactly); a float
//! NaN, a Parquet null and an empty string are empty cells (missing); an
//! integer column with an `X.labels.txt` beside it is shown by its labels
//! (an empty label: missing). For these inputs an error's "line" is the
//! 1-based row number.

use super::chunks::{in_order, Batch, Batches};
use super::npy::{Kind, Memory, NpyColumn};
use super::npy_dir::NpySource;
use super::typed::Typed;
use crate::error::{Error, ErrorKind, Position, Result};
use crate::progress::Progress;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A column store, read in batches of rows on other threads.
pub trait Columnar: Send {
    /// Column names.
    fn headers(&self) -> &[String];
    /// Starts reading the needed columns: batches of rows in order (each
    /// row's cells, empty for columns not needed; its line = its 1-based
    /// row number), and what the provenance hashes; the bytes read go to `progress`.
    fn start(
        self: Box<Self>,
        needed: &[bool],
        progress: Arc<dyn Progress>,
    ) -> Result<(Batches, Content)>;
    /// Column `name` read whole into typed memory; `None` when it has no
    /// typed form here (strings, a code beyond its labels), for the text
    /// rows to handle.
    fn typed(&self, name: &str) -> Result<Option<Typed>>;
    /// What holds these columns (in order, without repeats), for the provenance.
    fn content(&self, names: &[&str]) -> Content;
}

/// What an input's provenance hashes: files, or buffers in memory.
pub enum Content {
    /// Files, one after the other.
    Files(Vec<PathBuf>),
    /// Buffers, one after the other.
    Memory(Vec<Memory>),
}

impl Content {
    /// Their size and SHA-256.
    pub fn digest(&self) -> Result<(u64, String)> {
        match self {
            Content::Files(paths) => hash_files(paths),
            Content::Memory(m) => Ok(hash_bytes(m)),
        }
    }
}

/// The size and SHA-256 of buffers, one after the other.
pub fn hash_bytes(buffers: &[Memory]) -> (u64, String) {
    let mut h = Sha256::new();
    let mut bytes = 0;
    for b in buffers {
        let b = (**b).as_ref();
        h.update(b);
        bytes += b.len() as u64;
    }
    (bytes, hex(&h.finalize()))
}

/// The size and SHA-256 of files, one after the other.
pub fn hash_files(paths: &[PathBuf]) -> Result<(u64, String)> {
    let mut h = Sha256::new();
    let mut bytes = 0;
    for p in paths {
        let mut f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
        bytes += std::io::copy(&mut f, &mut h).map_err(|e| Error::io(p, e))?;
    }
    Ok((bytes, hex(&h.finalize())))
}

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rows per block read from each column.
const BLOCK: usize = 1 << 16;

/// A directory of `.npy` columns, or the same layout in memory.
pub struct NpyDir {
    source: NpySource,
    headers: Vec<String>,
}

impl NpyDir {
    /// Lists the `.npy` files of a directory (its columns, by file stem).
    pub fn new(dir: &Path) -> Result<NpyDir> {
        Self::from_source(NpySource::Dir(dir.to_path_buf()))
    }

    /// The columns of a directory or of memory.
    pub fn from_source(source: NpySource) -> Result<NpyDir> {
        let headers = source.headers()?;
        if headers.is_empty() {
            return Err(ErrorKind::EmptyFile {
                file: format!("{} (no columns)", source.name()),
            }
            .into());
        }
        Ok(NpyDir { source, headers })
    }

    /// Labels of column `name`: its own, else those of the attribute whose
    /// `_a`/`_b` sides it is.
    fn labels(&self, name: &str) -> Result<Option<Vec<String>>> {
        let base = name
            .strip_suffix("_a")
            .or_else(|| name.strip_suffix("_b"))
            .filter(|_| !self.source.has_own_labels(name))
            .unwrap_or(name);
        self.source.labels(base)
    }
}

/// One needed column: its file, labels, and header.
struct Needed {
    col: NpyColumn,
    labels: Option<Vec<String>>,
    name: String,
}

/// Renders rows `start..start + rows` of the columns (`None`: not needed).
fn render_block(
    columns: &[Option<Needed>],
    start: u64,
    rows: usize,
    progress: &dyn Progress,
) -> Result<Batch> {
    let mut raw: Vec<Vec<u8>> = columns.iter().map(|_| Vec::new()).collect();
    for (c, r) in columns.iter().zip(&mut raw) {
        if let Some(n) = c {
            n.col.read_raw(start, rows, r)?;
            progress.advance(r.len() as u64);
        }
    }
    let mut b = Batch::default();
    for i in 0..rows {
        for (c, r) in columns.iter().zip(&raw) {
            match c {
                None => {}
                Some(Needed {
                    col, labels: None, ..
                }) => col.text(r, i, b.field_bytes()),
                Some(Needed {
                    col,
                    labels: Some(l),
                    name,
                }) => {
                    let x = col.number(r, i).expect("a number");
                    let label = (x >= 0.0 && (x as usize as f64) == x)
                        .then(|| l.get(x as usize))
                        .flatten()
                        .ok_or_else(|| {
                            Error::value(
                                Position::row_cell(
                                    col.path.display().to_string(),
                                    start + i as u64 + 1,
                                    name,
                                    x.to_string(),
                                ),
                                format!("no line {x} in the labels file ({} labels)", l.len()),
                            )
                        })?;
                    b.field_bytes().extend_from_slice(label.as_bytes());
                }
            }
            b.end_field();
        }
        b.end_record(start + i as u64 + 1);
    }
    Ok(b)
}

impl Columnar for NpyDir {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn typed(&self, name: &str) -> Result<Option<Typed>> {
        let col = self.source.open(name)?;
        if matches!(col.kind, Kind::Bytes | Kind::Unicode) {
            return Ok(None);
        }
        let mut raw = Vec::new();
        col.read_raw(0, col.len as usize, &mut raw)?;
        if col.kind == Kind::Float {
            let mut numbers = Vec::new();
            col.decode(&raw, &mut numbers);
            return Ok(Some(Typed::Float(numbers)));
        }
        Ok(match self.labels(name)? {
            Some(labels) => {
                // A code is a whole number below the number of labels (exact in f64 for
                // every integer width but 8 bytes, where a code that large has no label).
                let code = |x: f64| {
                    (x >= 0.0 && x < labels.len() as f64 && x.fract() == 0.0).then_some(x as u32)
                };
                let (mut codes, mut numbers) = (Vec::new(), Vec::new());
                col.digits(&raw, &code, &mut numbers, &mut codes);
                (!codes.contains(&u32::MAX)).then_some(Typed::Codes(codes, labels))
            }
            // One-byte flags and small integers stay bytes (a width-1
            // column's raw block is its values).
            None if matches!((col.kind, col.width), (Kind::Uint, 1) | (Kind::Bool, 1)) => {
                Some(Typed::Bytes(raw))
            }
            None => col.integers(&raw).map(Typed::Int),
        })
    }

    fn content(&self, names: &[&str]) -> Content {
        self.source.content(names)
    }

    fn start(
        self: Box<Self>,
        needed: &[bool],
        progress: Arc<dyn Progress>,
    ) -> Result<(Batches, Content)> {
        let mut columns = Vec::new();
        let mut len = None;
        for (j, name) in self.headers.iter().enumerate() {
            if !needed[j] {
                columns.push(None);
                continue;
            }
            let col = self.source.open(name)?;
            match len {
                Some(n) if n != col.len => {
                    return Err(Error::data_field(
                        col.path.display().to_string(),
                        name,
                        format!("{} rows where the other columns have {n}", col.len),
                    ))
                }
                _ => len = Some(col.len),
            }
            let labels = match col.kind {
                Kind::Int | Kind::Uint | Kind::Bool => self.labels(name)?,
                _ => None,
            };
            columns.push(Some(Needed {
                col,
                labels,
                name: name.clone(),
            }));
        }
        let names: Vec<&str> = columns.iter().flatten().map(|n| n.name.as_str()).collect();
        let content = self.source.content(&names);
        let len = len.unwrap_or(0);
        let blocks = (0..len).step_by(BLOCK).map(Ok);
        let batches = in_order(blocks, move |start| {
            let rows = (len - start).min(BLOCK as u64) as usize;
            render_block(&columns, start, rows, &*progress)
        });
        Ok((batches, content))
    }
}
