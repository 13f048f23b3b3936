//! Atomic file output: write to a temporary file beside the target, then rename.

use crate::error::{Error, Result};
use crate::render::svg::figures;
use crate::render::{render, Format};
use crate::report::Report;
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Writes `bytes` to `path` so that readers see either the old file or the
/// whole new one, never a partial write.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    persist(stage(path, bytes)?, path)
}

/// `bytes` written in full to a temporary file beside `path` (removed if dropped).
fn stage(path: &Path, bytes: &[u8]) -> Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let io = |e| Error::io(path, e);
    let mut tmp = NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    #[cfg(unix)]
    {
        // Temporary files are created 0600; a report is an ordinary file.
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    Ok(tmp)
}

/// Renames a staged file to `path`.
fn persist(tmp: NamedTempFile, path: &Path) -> Result<()> {
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes every format as `<stem>.<ext>` and every figure as
/// `<stem>-<name>.svg` into `dir`, all or nothing as far as the file system
/// allows: no target may be a directory, and every file is written in full
/// beside its target before the first is renamed into place, so a full disk
/// or a bad target leaves `dir` as it was.
pub fn write_all(report: &Report, dir: &Path, stem: &str) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut files: Vec<(PathBuf, String)> = Format::ALL
        .iter()
        .map(|&f| {
            (
                dir.join(format!("{stem}.{}", f.extension())),
                render(report, f),
            )
        })
        .collect();
    files.extend(
        figures(report)
            .into_iter()
            .map(|fig| (dir.join(format!("{stem}-{}.svg", fig.name)), fig.svg)),
    );
    if let Some((path, _)) = files.iter().find(|(p, _)| p.is_dir()) {
        let e = std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory, where the report writes a file: move it away or choose another --report directory",
        );
        return Err(Error::io(path, e));
    }
    let staged = files
        .iter()
        .map(|(path, text)| stage(path, text.as_bytes()))
        .collect::<Result<Vec<_>>>()?;
    for (tmp, (path, _)) in staged.into_iter().zip(&files) {
        persist(tmp, path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        write_atomic(&p, b"old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(write_atomic(&dir.path().join("missing/r.json"), b"x").is_err());
    }
}
