//! File output: atomic writes (a temporary file beside the target, then a
//! rename), and the removal of unfinished temporary files when the process
//! is interrupted ([`remove_temporaries`], called from a signal handler).

use crate::error::{Error, Result};
use crate::render::svg::figures;
use crate::render::{latex_figures, latex_standalone, render_detail, Detail, Format};
use crate::report::Report;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use tempfile::NamedTempFile;

/// Temporary files being written (for [`remove_temporaries`]).
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_progress() -> MutexGuard<'static, Vec<PathBuf>> {
    IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary file on the list while it is being written.
struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Registered {
        in_progress().push(path.to_path_buf());
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        in_progress().retain(|p| *p != self.0);
    }
}

/// Removes every temporary file still being written, for a process about
/// to end on a signal (temporary files remove themselves on every other
/// way out). Writes that finish later fail; the caller exits.
pub fn remove_temporaries() {
    for p in in_progress().drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// Writes `bytes` to `path` so that readers see either the old file or the
/// whole new one, never a partial write. A path that exists and is not a
/// regular file (`/dev/stdout`, a pipe, a device) is written in place:
/// replacing it would replace the device, not write to it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let io = |e| Error::io(path, e);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .map_err(io)?;
        return f.write_all(bytes).and_then(|()| f.flush()).map_err(io);
    }
    persist(stage(path, bytes)?, path)
}

/// A temporary file written in full beside its target, on the list of
/// [`remove_temporaries`] until renamed or dropped (then removed).
struct Staged {
    tmp: NamedTempFile,
    _listed: Registered,
}

/// `bytes` written in full to a temporary file beside `path`.
fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let io = |e| Error::io(path, e);
    let mut tmp = NamedTempFile::new_in(dir).map_err(io)?;
    let listed = Registered::new(tmp.path());
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
    Ok(Staged {
        tmp,
        _listed: listed,
    })
}

/// Renames a staged file to `path`.
fn persist(staged: Staged, path: &Path) -> Result<()> {
    staged
        .tmp
        .persist(path)
        .map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes every format as `<stem>.<ext>` (the terminal report with
/// `detail`), a compilable `<stem>-standalone.tex` around `<stem>.tex`, the
/// headline figures as pgfplots code `<stem>-<name>.tikz`, and every figure
/// as `<stem>-<name>.svg` into `dir`, and returns
/// the paths written, all or nothing as far as the file system
/// allows: no target may be a directory, and every file is written in full
/// beside its target before the first is renamed into place, so a full disk
/// or a bad target leaves `dir` as it was.
pub fn write_all(report: &Report, dir: &Path, stem: &str, detail: Detail) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut files: Vec<(PathBuf, String)> = Format::ALL
        .iter()
        .map(|&f| {
            (
                dir.join(format!("{stem}.{}", f.extension())),
                render_detail(report, f, detail),
            )
        })
        .collect();
    files.push((
        dir.join(format!("{stem}-standalone.tex")),
        latex_standalone(stem),
    ));
    files.extend(
        latex_figures(report)
            .into_iter()
            .map(|(name, code)| (dir.join(format!("{stem}-{name}.tikz")), code)),
    );
    files.extend(
        figures(report)
            .into_iter()
            .map(|fig| (dir.join(fig.file(stem)), fig.svg)),
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
    Ok(files.into_iter().map(|(p, _)| p).collect())
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

    /// The signal handler's half: a temporary file being written is on the
    /// list until written or dropped. (`remove_temporaries` itself would
    /// remove other tests' files: tests/cli.rs interrupts the binary.)
    #[test]
    fn unfinished_temporaries_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        let listed = Registered::new(tmp.path());
        assert!(in_progress().contains(&tmp.path().to_path_buf()));
        drop(listed);
        assert!(!in_progress().contains(&tmp.path().to_path_buf()));
        let done = dir.path().join("r.txt");
        write_atomic(&done, b"x").unwrap();
        assert!(in_progress().iter().all(|p| !p.starts_with(dir.path())));
    }

    /// A target that is not a regular file is written in place, so a full
    /// device is an error (a rename would have replaced it, here only the
    /// link to it: never /dev/full itself, which root could replace).
    #[cfg(target_os = "linux")]
    #[test]
    fn devices_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("full");
        std::os::unix::fs::symlink("/dev/full", &link).unwrap();
        let e = write_atomic(&link, b"x").unwrap_err();
        assert!(
            e.to_string().contains("full: No space left on device"),
            "{e}"
        );
        assert!(matches!(e.kind(), crate::error::ErrorKind::Io { .. }));
        assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.is_symlink()));
    }
}
