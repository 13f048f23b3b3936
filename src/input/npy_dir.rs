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

use super::columnar::hash_files;
use super::npy::{Kind, NpyColumn};
use super::table::InputFile;
use crate::error::{Error, ErrorKind, Result};
use std::path::{Path, PathBuf};

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

/// Opens `DIR/STEM.npy`; its absence is an error naming the flag that chose it.
fn required_column(dir: &Path, stem: &str, flag: &str) -> Result<NpyColumn> {
    let path = column_path(dir, stem);
    if !path.exists() {
        return Err(Error::data_field(
            dir.display().to_string(),
            stem,
            format!("no file {stem}.npy ({flag})"),
        ));
    }
    NpyColumn::open(&path)
}

/// Opens attribute `a`: `a_a.npy` and `a_b.npy` when both exist, else
/// `a.npy`, with the names of `a.labels.txt` (1 to 255 of them) if present.
fn code_columns(dir: &Path, a: &str) -> Result<CodeColumns> {
    let (pa, pb) = (
        column_path(dir, &format!("{a}_a")),
        column_path(dir, &format!("{a}_b")),
    );
    let (side_a, side_b, source) = if pa.exists() && pb.exists() {
        let (x, y) = (NpyColumn::open(&pa)?, NpyColumn::open(&pb)?);
        (x, Some(y), format!("{a}_a/{a}_b files"))
    } else {
        (
            required_column(dir, a, "--attr")?,
            None,
            format!("{a} file"),
        )
    };
    let labels = read_labels(dir, a)?;
    if let Some(l) = labels
        .as_ref()
        .filter(|l| l.is_empty() || l.len() > MAX_CODE as usize + 1)
    {
        return Err(Error::data_field(
            dir.join(format!("{a}.labels.txt")).display().to_string(),
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
    /// The directory read.
    pub dir: PathBuf,
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
    /// Opens the columns named by the flags; every file must have the same length.
    pub fn open(dir: &Path, score: &str, mated: &str, attrs: &[String]) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::data(
                dir.display().to_string(),
                "streaming reads a directory of .npy columns (score.npy, mated.npy, …), and this is not a directory",
            ));
        }
        let score = required_column(dir, score, "--score")?;
        let mated = required_column(dir, mated, "--mated")?;
        let codes = attrs
            .iter()
            .map(|a| code_columns(dir, a))
            .collect::<Result<Vec<_>>>()?;
        let len = score.len;
        check_columns(&score, &mated, &codes)?;
        Ok(NpyComparisons {
            dir: dir.to_path_buf(),
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
                    hash_files(std::slice::from_ref(&c.path))?.1
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
