//! Column-stored inputs read as tables: a directory of `.npy` files (one per
//! column, named `<column>.npy`) and, with the `parquet` feature, Parquet
//! files. Only the columns a task asks for are read; each row's cells are
//! rendered as text into the same record the CSV reader fills, so every
//! task, check and drop rule applies unchanged. Numbers are written in their
//! shortest round-trip form (read back exactly; NaN as `NaN`); a Parquet
//! null and an empty string are empty cells (missing); an integer column with an
//! `X.labels.txt` beside it is shown by its labels (an empty label: missing).
//! For these inputs an error's "line" is the 1-based row number.

use super::npy::{Kind, NpyColumn};
use crate::error::{Error, Location, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A column store read row by row.
pub trait Columnar {
    /// Column names.
    fn headers(&self) -> &[String];
    /// Opens the needed columns; called once, before the first row.
    fn open(&mut self, needed: &[bool]) -> Result<()>;
    /// Appends the next row's cells (empty for columns not needed) to `rec`;
    /// `false` at the end.
    fn next(&mut self, rec: &mut csv::ByteRecord) -> Result<bool>;
    /// Bytes and SHA-256 of the files read (the needed columns, in header order).
    fn provenance(&self) -> Result<(u64, String)>;
}

/// SHA-256 of files, one after the other; and their total size.
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

/// A directory of `.npy` columns.
pub struct NpyDir {
    dir: PathBuf,
    headers: Vec<String>,
    columns: Vec<Option<(NpyColumn, Option<Vec<String>>)>>,
    raw: Vec<Vec<u8>>,
    len: u64,
    /// First row of the block in `raw`, rows in it, next row within it.
    block_start: u64,
    block_rows: usize,
    at: usize,
    cell: Vec<u8>,
}

impl NpyDir {
    /// Lists the `.npy` files of a directory (its columns, by file stem).
    pub fn new(dir: &Path) -> Result<NpyDir> {
        let mut headers: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".npy").map(str::to_string)
            })
            .collect();
        headers.sort();
        if headers.is_empty() {
            return Err(Error::EmptyFile {
                file: format!("{} (no .npy files)", dir.display()),
            });
        }
        Ok(NpyDir {
            dir: dir.to_path_buf(),
            columns: headers.iter().map(|_| None).collect(),
            raw: headers.iter().map(|_| Vec::new()).collect(),
            headers,
            len: 0,
            block_start: 0,
            block_rows: 0,
            at: 0,
            cell: Vec::new(),
        })
    }

    fn path(&self, j: usize) -> PathBuf {
        self.dir.join(format!("{}.npy", self.headers[j]))
    }

    /// Labels of column `name`: `<name>.labels.txt`, else of the attribute
    /// whose `_a`/`_b` sides it is.
    fn labels(&self, name: &str) -> Result<Option<Vec<String>>> {
        let base = name
            .strip_suffix("_a")
            .or_else(|| name.strip_suffix("_b"))
            .filter(|_| !self.dir.join(format!("{name}.labels.txt")).exists())
            .unwrap_or(name);
        let path = self.dir.join(format!("{base}.labels.txt"));
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Some(text.lines().map(|l| l.trim().to_string()).collect()))
    }
}

impl Columnar for NpyDir {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn open(&mut self, needed: &[bool]) -> Result<()> {
        let mut len = None;
        for j in (0..self.headers.len()).filter(|&j| needed[j]) {
            let col = NpyColumn::open(&self.path(j))?;
            match len {
                Some(n) if n != col.len => {
                    return Err(Error::Config(format!(
                        "{}: {} rows where the other columns have {n}",
                        col.path.display(),
                        col.len
                    )))
                }
                _ => len = Some(col.len),
            }
            let labels = match col.kind {
                Kind::Int | Kind::Uint | Kind::Bool => self.labels(&self.headers[j])?,
                _ => None,
            };
            self.columns[j] = Some((col, labels));
        }
        self.len = len.unwrap_or(0);
        Ok(())
    }

    fn next(&mut self, rec: &mut csv::ByteRecord) -> Result<bool> {
        if self.at == self.block_rows {
            self.block_start += self.block_rows as u64;
            if self.block_start >= self.len {
                return Ok(false);
            }
            self.block_rows = (self.len - self.block_start).min(BLOCK as u64) as usize;
            self.at = 0;
            for (c, raw) in self.columns.iter().zip(&mut self.raw) {
                if let Some((col, _)) = c {
                    col.read_raw(self.block_start, self.block_rows, raw)?;
                    crate::progress::advance(raw.len() as u64);
                }
            }
        }
        let i = self.at;
        for (j, c) in self.columns.iter().enumerate() {
            self.cell.clear();
            if let Some((col, labels)) = c {
                match labels {
                    None => col.text(&self.raw[j], i, &mut self.cell),
                    Some(l) => {
                        let x = col.number(&self.raw[j], i).expect("a number");
                        let label = (x >= 0.0 && (x as usize as f64) == x)
                            .then(|| l.get(x as usize))
                            .flatten()
                            .ok_or_else(|| Error::BadValue {
                                location: Location {
                                    file: col.path.display().to_string(),
                                    line: self.block_start + i as u64 + 1,
                                    column: self.headers[j].clone(),
                                    value: x.to_string(),
                                },
                                message: format!(
                                    "no line {x} in the labels file ({} labels)",
                                    l.len()
                                ),
                            })?;
                        self.cell.extend_from_slice(label.as_bytes());
                    }
                }
            }
            rec.push_field(&self.cell);
        }
        self.at += 1;
        let mut pos = csv::Position::new();
        pos.set_line(self.block_start + i as u64 + 1);
        rec.set_position(Some(pos));
        Ok(true)
    }

    fn provenance(&self) -> Result<(u64, String)> {
        let paths: Vec<PathBuf> = self
            .columns
            .iter()
            .filter_map(|c| c.as_ref().map(|(col, _)| col.path.clone()))
            .collect();
        hash_files(&paths)
    }
}
