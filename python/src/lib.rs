//! `biasbench._core`: the Python package's bridge to the library. It holds no
//! logic of its own: a call is a command line (checked and run by
//! `biasbench::cli::run_in_memory` or `compare_in_memory`, as the CLI would
//! run it) over columns
//! lent by NumPy or Arrow, with the GIL released while the library works.

use biasbench::cli::{self, Ran, Want};
use biasbench::engine::verify::stream::{Partial, Plan};
use biasbench::input::npy_dir::{MemoryColumn, MemoryTable, NpySource};
use biasbench::render::{Detail, Format};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;
use std::sync::Arc;

pyo3::create_exception!(
    _core,
    BiasbenchError,
    PyValueError,
    "An input or option biasbench refuses; the message is the command line's."
);

/// The error as the command line prints it (after `error: `).
fn refused(e: anyhow::Error) -> PyErr {
    BiasbenchError::new_err(biasbench::render::for_terminal(&format!("{e:#}")))
}

/// A NumPy array's memory (an Arrow column's, through NumPy), lent without
/// a copy: the array is kept alive, and so its memory, for as long as the
/// library holds it. (The buffer protocol is not in Python 3.9's stable
/// ABI, so the address comes from the array interface.)
struct Lent {
    _owner: Py<PyAny>,
    address: usize,
    bytes: usize,
}

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        if self.bytes == 0 {
            return &[];
        }
        // SAFETY: `address` and `bytes` come from the array interface of
        // `_owner`, checked one-dimensional and C-contiguous (see `lend`);
        // the array cannot be freed or resized while referenced.
        unsafe { std::slice::from_raw_parts(self.address as *const u8, self.bytes) }
    }
}

/// One column as the Python side passes it: name, a one-dimensional
/// contiguous NumPy array, and the names of its codes.
type Column<'py> = (String, Bound<'py, PyAny>, Option<Vec<String>>);

/// The NumPy type string and the lent memory of an array, read from its
/// array interface; refused unless one-dimensional and contiguous.
fn lend(name: &str, array: Bound<'_, PyAny>) -> PyResult<(String, Lent)> {
    let refuse = |why: &str| BiasbenchError::new_err(format!("column {name}: {why}"));
    let iface = array.getattr("__array_interface__")?;
    let shape: Vec<usize> = iface.get_item("shape")?.extract()?;
    let [len] = shape[..] else {
        return Err(refuse("expected a one-dimensional array"));
    };
    if !iface.get_item("strides")?.is_none() {
        return Err(refuse("the array is not contiguous"));
    }
    let (address, _read_only): (usize, bool) = iface.get_item("data")?.extract()?;
    let descr: String = iface.get_item("typestr")?.extract()?;
    let width: usize = array.getattr("itemsize")?.extract()?;
    let bytes = len * width;
    let lent = Lent {
        _owner: array.unbind(),
        address,
        bytes,
    };
    Ok((descr, lent))
}

fn table(name: String, columns: Vec<Column<'_>>) -> PyResult<NpySource> {
    let columns = columns
        .into_iter()
        .map(|(col, array, labels)| {
            let (descr, lent) = lend(&col, array)?;
            Ok(MemoryColumn {
                name: col,
                descr,
                data: Arc::new(lent),
                labels,
            })
        })
        .collect::<PyResult<_>>()?;
    Ok(NpySource::Memory(MemoryTable { name, columns }))
}

fn format(name: &str) -> PyResult<Format> {
    Format::ALL
        .into_iter()
        .find(|f| {
            serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(|s| s == name))
                == Some(true)
        })
        .ok_or_else(|| BiasbenchError::new_err(format!("unknown format {name:?}")))
}

fn detail(full: bool) -> Detail {
    if full {
        Detail::Full
    } else {
        Detail::Concise
    }
}

/// A finished audit's report (see `biasbench.Report`).
#[pyclass(module = "biasbench._core", frozen)]
struct Report(biasbench::report::Report);

#[pymethods]
impl Report {
    /// The report in `format` (table, json, csv, markdown, html, latex), as
    /// the CLI's `--format` writes it; `full` is `--detail full`.
    #[pyo3(signature = (format, full = false))]
    fn render(&self, py: Python<'_>, format: &str, full: bool) -> PyResult<String> {
        let f = self::format(format)?;
        Ok(py.detach(|| biasbench::render::render_detail(&self.0, f, detail(full))))
    }

    /// Writes every format and figure into `dir`, as `--report DIR` does;
    /// returns the paths written.
    #[pyo3(signature = (dir, full = false))]
    fn save(&self, py: Python<'_>, dir: PathBuf, full: bool) -> PyResult<Vec<PathBuf>> {
        py.detach(|| biasbench::app::output::write_all(&self.0, &dir, "report", detail(full)))
            .map_err(|e| refused(e.into()))
    }
}

/// Runs command line `line` on the columns of table `name`; with `plan`
/// (a plan's JSON, `b""` for the first pass) returns a partial's JSON bytes
/// instead of a report.
#[pyfunction]
#[pyo3(signature = (line, name, columns, plan = None))]
fn run<'py>(
    py: Python<'py>,
    line: Vec<String>,
    name: String,
    columns: Vec<Column<'py>>,
    plan: Option<Vec<u8>>,
) -> PyResult<Bound<'py, PyAny>> {
    let source = table(name, columns)?;
    let want = match plan {
        None => Want::Report,
        Some(p) if p.is_empty() => Want::Partial(Plan::default()),
        Some(p) => Want::Partial(Plan::from_bytes(&p, "plan").map_err(|e| refused(e.into()))?),
    };
    let ran = py
        .detach(|| cli::run_in_memory(line, source, want))
        .map_err(refused)?;
    Ok(match ran {
        Ran::Report(r) => Bound::new(py, Report(*r))?.into_any(),
        Ran::Partial(p) => {
            let bytes = serde_json::to_vec(&p).map_err(|e| refused(e.into()))?;
            PyBytes::new(py, &bytes).into_any()
        }
    })
}

/// Runs `biasbench compare …` (`line`) on `tables`, each `(name, columns)`:
/// model A's (or the one both models' columns are in), then model B's.
#[pyfunction]
fn compare<'py>(
    py: Python<'py>,
    line: Vec<String>,
    tables: Vec<(String, Vec<Column<'py>>)>,
) -> PyResult<Report> {
    let sources = tables
        .into_iter()
        .map(|(name, columns)| table(name, columns))
        .collect::<PyResult<Vec<_>>>()?;
    let report = py
        .detach(|| cli::compare_in_memory(line, sources))
        .map_err(refused)?;
    Ok(Report(report))
}

/// Partials from their JSON bytes, named by position in errors.
fn read_partials(partials: &[Vec<u8>]) -> biasbench::Result<Vec<Partial>> {
    partials
        .iter()
        .enumerate()
        .map(|(i, p)| Partial::from_bytes(p, &format!("partial {}", i + 1)))
        .collect()
}

/// Merges partials (their JSON bytes): `(report, None)`, or `(None, plan
/// JSON)` when another pass must run with that plan.
#[pyfunction]
#[pyo3(signature = (partials, command, reproducible = false))]
fn merge<'py>(
    py: Python<'py>,
    partials: Vec<Vec<u8>>,
    command: Vec<String>,
    reproducible: bool,
) -> PyResult<(Option<Report>, Option<Bound<'py, PyBytes>>)> {
    let merged = py
        .detach(|| {
            let parts = read_partials(&partials)?;
            cli::merge_partials(parts, command, reproducible)
        })
        .map_err(refused)?;
    Ok(match merged {
        biasbench::app::audit::Merged::Report(r) => (Some(Report(*r)), None),
        biasbench::app::audit::Merged::NeedsPass(plan) => {
            let bytes = serde_json::to_vec(&plan).map_err(|e| refused(e.into()))?;
            (None, Some(PyBytes::new(py, &bytes)))
        }
    })
}

/// Adds partials (their JSON bytes) into one partial (JSON bytes): the step
/// of a tree reduction. Sums are exact, so any order gives the same report.
#[pyfunction]
fn combine<'py>(py: Python<'py>, partials: Vec<Vec<u8>>) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = py
        .detach(|| -> biasbench::Result<Vec<u8>> {
            let parts = read_partials(&partials)?;
            let mut whole = Partial::merge_all(parts)?;
            whole.seal()?;
            serde_json::to_vec(&whole).map_err(|e| biasbench::Error::internal(e.to_string()))
        })
        .map_err(|e| refused(e.into()))?;
    Ok(PyBytes::new(py, &bytes))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("BiasbenchError", m.py().get_type::<BiasbenchError>())?;
    m.add_class::<Report>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(combine, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
