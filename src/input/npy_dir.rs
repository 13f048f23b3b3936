//! The `.npy` directory layout of a comparisons set, as read by the streaming
//! verification audit: one file per column, named `<column>.npy`, all of the
//! same length.
//!
//! * `<score>.npy` — float scores (`--score`, default `score`);
//! * `<mated>.npy` — 0/1 or boolean mated flags (`--mated`, default `mated`);
//! * per attribute X: `X_a.npy` and `X_b.npy` (one code per side), else
//!   `X.npy` (one code per comparison): integer group codes 0‥254;
//! * optional `X.labels.txt`: line i names code i, an empty line marking a
//!   missing value (otherwise a group is named by its code). The same file
//!   names the codes when the directory is read as a table.
//!
//! The same layout may be held in memory ([`MemoryTable`], the Python
//! package's front door): each column a buffer of NumPy elements, a code
//! column with its names.

use super::columnar::Content;
use super::npy::{Kind, Memory, NpyColumn};
use super::table::InputFile;
use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

/// One column held in memory.
#[derive(Clone)]
pub struct MemoryColumn {
    /// The column's name (a header).
    pub name: String,
    /// NumPy type string of its elements (`<f8`, `|u1`, `|b1`, `<i8`, …).
    pub descr: String,
    /// Its elements, back to back.
    pub data: Memory,
    /// Names of its integer codes, as an `X.labels.txt` gives them (an
    /// empty name marks a missing value).
    pub labels: Option<Vec<String>>,
}

impl std::fmt::Debug for MemoryColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryColumn")
            .field("name", &self.name)
            .field("descr", &self.descr)
            .field("bytes", &(*self.data).as_ref().len())
            .field("labels", &self.labels)
            .finish()
    }
}

/// A table of columns held in memory, read like a `.npy` directory.
#[derive(Clone, Debug)]
pub struct MemoryTable {
    /// Names the table in messages and provenance (`<DataFrame>`, say).
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<MemoryColumn>,
}

/// Where a `.npy` layout's columns are: files of a directory, or memory.
#[derive(Clone, Debug)]
pub enum NpySource {
    /// `DIR/<column>.npy` files, with `DIR/<column>.labels.txt`.
    Dir(PathBuf),
    /// Columns in memory.
    Memory(MemoryTable),
}

impl NpySource {
    /// The directory's path, or the table's name.
    pub fn name(&self) -> String {
        match self {
            NpySource::Dir(d) => d.display().to_string(),
            NpySource::Memory(t) => t.name.clone(),
        }
    }

    /// Column names (a directory's sorted by file name; memory's in order).
    pub fn headers(&self) -> Result<Vec<String>> {
        Ok(match self {
            NpySource::Dir(dir) => {
                let mut h: Vec<String> = std::fs::read_dir(dir)
                    .map_err(|e| Error::io(dir, e))?
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        name.strip_suffix(".npy").map(str::to_string)
                    })
                    .collect();
                h.sort();
                h
            }
            NpySource::Memory(t) => t.columns.iter().map(|c| c.name.clone()).collect(),
        })
    }

    fn memory(&self, stem: &str) -> Option<&MemoryColumn> {
        match self {
            NpySource::Memory(t) => t.columns.iter().find(|c| c.name == stem),
            NpySource::Dir(_) => None,
        }
    }

    /// Is there a column `stem`?
    pub fn has(&self, stem: &str) -> bool {
        match self {
            NpySource::Dir(dir) => column_path(dir, stem).exists(),
            NpySource::Memory(_) => self.memory(stem).is_some(),
        }
    }

    /// Opens column `stem` (it must exist).
    pub fn open(&self, stem: &str) -> Result<NpyColumn> {
        match self {
            NpySource::Dir(dir) => NpyColumn::open(&column_path(dir, stem)),
            NpySource::Memory(t) => {
                let c = self.memory(stem).ok_or_else(|| {
                    Error::data_field(t.name.clone(), stem, format!("no column {stem}"))
                })?;
                let path = PathBuf::from(format!("{}/{stem}", t.name));
                NpyColumn::in_memory(path, &c.descr, c.data.clone())
            }
        }
    }

    /// The names of the codes of `name`: `name.labels.txt` in a directory;
    /// in memory the column's own, else those of its side `name_a`.
    pub fn labels(&self, name: &str) -> Result<Option<Vec<String>>> {
        match self {
            NpySource::Dir(dir) => read_labels(dir, name),
            NpySource::Memory(_) => Ok(self
                .memory(name)
                .or_else(|| self.memory(&format!("{name}_a")))
                .and_then(|c| c.labels.clone())),
        }
    }

    /// Whether `name` has names of its own (not only through its attribute).
    pub fn has_own_labels(&self, name: &str) -> bool {
        match self {
            NpySource::Dir(dir) => dir.join(format!("{name}.labels.txt")).exists(),
            NpySource::Memory(_) => self.memory(name).is_some_and(|c| c.labels.is_some()),
        }
    }

    /// What the provenance of columns `stems` hashes.
    pub fn content(&self, stems: &[&str]) -> Content {
        match self {
            NpySource::Dir(dir) => {
                Content::Files(stems.iter().map(|s| column_path(dir, s)).collect())
            }
            NpySource::Memory(_) => Content::Memory(
                stems
                    .iter()
                    .filter_map(|s| self.memory(s))
                    .map(|c| c.data.clone())
                    .collect(),
            ),
        }
    }
}

/// Largest group code the streaming layout accepts.
pub const MAX_CODE: u32 = 254;

/// One attribute's code columns and names.
#[derive(Debug)]
pub struct CodeColumns {
    /// The attribute's name (`X`).
    pub name: String,
    /// `X_a/X_b files` or `X file`.
    pub source: String,
    /// Codes of side a (`X_a.npy`), or of the whole comparison (`X.npy`).
    pub side_a: NpyColumn,
    /// Codes of side b (`X_b.npy`); `None` for a single `X.npy`.
    pub side_b: Option<NpyColumn>,
    /// Names by code, from `X.labels.txt`.
    pub labels: Option<Vec<String>>,
}

impl CodeColumns {
    /// The number of distinct codes (labels, else 0‥254).
    pub fn radix(&self) -> u32 {
        self.labels
            .as_ref()
            .map_or(MAX_CODE + 1, |l| l.len() as u32)
    }
}

/// The lines of `DIR/NAME.labels.txt` (trimmed), or `None` when there is no such file.
pub fn read_labels(dir: &Path, name: &str) -> Result<Option<Vec<String>>> {
    let path = dir.join(format!("{name}.labels.txt"));
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    Ok(Some(text.lines().map(|l| l.trim().to_string()).collect()))
}

/// `DIR/STEM.npy`.
fn column_path(dir: &Path, stem: &str) -> PathBuf {
    dir.join(format!("{stem}.npy"))
}

/// Opens column `stem`; its absence is an error naming the flag that chose it.
fn required_column(src: &NpySource, stem: &str, flag: &str) -> Result<NpyColumn> {
    if !src.has(stem) {
        let what = match src {
            NpySource::Dir(_) => format!("no file {stem}.npy ({flag})"),
            NpySource::Memory(_) => format!("no column {stem} ({flag})"),
        };
        return Err(Error::data_field(src.name(), stem, what));
    }
    src.open(stem)
}

/// Opens attribute `a`: columns `a_a` and `a_b` when both exist, else
/// `a`, with the names of its codes (1 to 255 of them) if given.
fn code_columns(src: &NpySource, a: &str) -> Result<CodeColumns> {
    let (pa, pb) = (format!("{a}_a"), format!("{a}_b"));
    let (side_a, side_b, source) = if src.has(&pa) && src.has(&pb) {
        let (x, y) = (src.open(&pa)?, src.open(&pb)?);
        (x, Some(y), format!("{a}_a/{a}_b files"))
    } else {
        (
            required_column(src, a, "--attr")?,
            None,
            format!("{a} file"),
        )
    };
    let labels = src.labels(a)?;
    if let Some(l) = labels
        .as_ref()
        .filter(|l| l.is_empty() || l.len() > MAX_CODE as usize + 1)
    {
        let file = match src {
            NpySource::Dir(dir) => dir.join(format!("{a}.labels.txt")).display().to_string(),
            NpySource::Memory(t) => format!("{}/{a}", t.name),
        };
        return Err(Error::data_field(
            file,
            a,
            format!("expected 1 to {} labels, found {}", MAX_CODE + 1, l.len()),
        ));
    }
    Ok(CodeColumns {
        name: a.to_string(),
        source,
        side_a,
        side_b,
        labels,
    })
}

/// Every flag and code column has the score column's length and holds
/// integers or booleans; scores are numbers; there is at least one row.
fn check_columns(score: &NpyColumn, mated: &NpyColumn, codes: &[CodeColumns]) -> Result<()> {
    let len = score.len;
    let all = std::iter::once(mated).chain(
        codes
            .iter()
            .flat_map(|c| std::iter::once(&c.side_a).chain(&c.side_b)),
    );
    for c in all {
        if c.len != len {
            return Err(Error::data_field(
                c.path.display().to_string(),
                c.name(),
                format!("{} rows, but {} has {len}", c.len, score.path.display()),
            ));
        }
        if matches!(c.kind, Kind::Float | Kind::Bytes | Kind::Unicode) {
            return Err(Error::data_field(
                c.path.display().to_string(),
                c.name(),
                "flags and group codes must be integers or booleans",
            ));
        }
    }
    if matches!(score.kind, Kind::Bytes | Kind::Unicode) {
        return Err(Error::data_field(
            score.path.display().to_string(),
            score.name(),
            "scores must be numbers",
        ));
    }
    if len == 0 {
        return Err(ErrorKind::NoRows {
            file: score.path.display().to_string(),
        }
        .into());
    }
    Ok(())
}

/// The columns of a comparisons directory.
#[derive(Debug)]
pub struct NpyComparisons {
    /// Where the columns are.
    pub source: NpySource,
    /// Float scores, as given (not yet in similarity orientation).
    pub score: NpyColumn,
    /// Mated flags (0/1 or booleans).
    pub mated: NpyColumn,
    /// Code columns of each attribute, in the order asked for.
    pub attrs: Vec<CodeColumns>,
    /// Number of comparisons (every column's length).
    pub len: u64,
}

impl NpyComparisons {
    /// Opens the columns named by the flags in directory `dir`; every file
    /// must have the same length.
    pub fn open(dir: &Path, score: &str, mated: &str, attrs: &[String]) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::data(
                dir.display().to_string(),
                "streaming reads a directory of .npy columns (score.npy, mated.npy, …), and this is not a directory",
            ));
        }
        Self::from_source(NpySource::Dir(dir.to_path_buf()), score, mated, attrs)
    }

    /// [`NpyComparisons::open`] over columns anywhere.
    pub fn from_source(src: NpySource, score: &str, mated: &str, attrs: &[String]) -> Result<Self> {
        let score = required_column(&src, score, "--score")?;
        let mated = required_column(&src, mated, "--mated")?;
        let codes = attrs
            .iter()
            .map(|a| code_columns(&src, a))
            .collect::<Result<Vec<_>>>()?;
        let len = score.len;
        check_columns(&score, &mated, &codes)?;
        Ok(NpyComparisons {
            source: src,
            score,
            mated,
            attrs: codes,
            len,
        })
    }

    /// Every column file, in a fixed order, with its role.
    pub fn files(&self) -> Vec<(&'static str, &NpyColumn)> {
        let mut out = vec![("score", &self.score), ("mated", &self.mated)];
        for a in &self.attrs {
            out.push(("attribute", &a.side_a));
            if let Some(b) = &a.side_b {
                out.push(("attribute", b));
            }
        }
        out
    }

    /// Bytes of all column files.
    pub fn bytes(&self) -> u64 {
        self.files().iter().map(|(_, c)| c.file_bytes()).sum()
    }

    /// Provenance of every file; the SHA-256 is computed when `hash` is set.
    pub fn provenance(&self, hash: bool) -> Result<Vec<InputFile>> {
        self.files()
            .iter()
            .map(|(role, c)| {
                let sha256 = if hash {
                    c.digest()?.1
                } else {
                    "not computed (--no-hash)".into()
                };
                Ok(InputFile {
                    role: role.to_string(),
                    path: c.path.display().to_string(),
                    bytes: c.file_bytes(),
                    sha256,
                    rows: c.len,
                })
            })
            .collect()
    }
}
