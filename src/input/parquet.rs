//! Parquet input (cargo feature `parquet`): only the needed columns are
//! read (a projection), in record batches; a dictionary-encoded column
//! (the usual form of a group column) is rendered once per dictionary
//! entry and then copied by code.

use super::columnar::Columnar;
use crate::error::{Error, Result};
use std::path::Path;

/// Opens a Parquet file as a column store; an error, as this build has no Parquet support.
#[cfg(not(feature = "parquet"))]
pub fn open(path: &Path) -> Result<Box<dyn Columnar>> {
    Err(Error::data(
        path.display().to_string(),
        "a Parquet file, and this biasbench was built without Parquet support (build with `--features parquet`)",
    ))
}

/// Opens a Parquet file as a column store (only the columns a reader asks for are read).
#[cfg(feature = "parquet")]
pub fn open(path: &Path) -> Result<Box<dyn Columnar>> {
    Ok(Box::new(reader::ParquetColumns::new(path)?))
}

#[cfg(feature = "parquet")]
mod reader {
    use super::*;
    use crate::input::chunks::{in_order, Batch, Batches};
    use crate::input::codes::{apply_remap, Interner, MISSING};
    use crate::input::columnar::Content;
    use crate::input::typed::Typed;
    use crate::input::values::format_number;
    use crate::progress::Progress;
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_array::{Array, ArrayRef, RecordBatch};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ProjectionMask;
    use std::fs::File;
    use std::path::PathBuf;
    use std::sync::Arc;

    pub struct ParquetColumns {
        path: PathBuf,
        headers: Vec<String>,
    }

    fn perr(path: &Path, e: impl std::fmt::Display) -> Error {
        Error::data(path.display().to_string(), e.to_string())
    }

    fn builder(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| perr(path, e))
    }

    impl ParquetColumns {
        pub fn new(path: &Path) -> Result<Self> {
            let headers = builder(path)?
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            Ok(ParquetColumns {
                path: path.to_path_buf(),
                headers,
            })
        }
    }

    /// Appends the text of `a[i]` (nothing for null).
    fn render(a: &ArrayRef, i: usize, out: &mut Vec<u8>) -> std::result::Result<(), String> {
        if a.is_null(i) {
            return Ok(());
        }
        macro_rules! int {
            ($t:ty) => {
                out.extend_from_slice(
                    itoa::Buffer::new()
                        .format(a.as_primitive::<$t>().value(i))
                        .as_bytes(),
                )
            };
        }
        match a.data_type() {
            DataType::Float64 => format_number(a.as_primitive::<Float64Type>().value(i), out),
            DataType::Float32 => {
                format_number(a.as_primitive::<Float32Type>().value(i) as f64, out)
            }
            DataType::Int8 => int!(Int8Type),
            DataType::Int16 => int!(Int16Type),
            DataType::Int32 => int!(Int32Type),
            DataType::Int64 => int!(Int64Type),
            DataType::UInt8 => int!(UInt8Type),
            DataType::UInt16 => int!(UInt16Type),
            DataType::UInt32 => int!(UInt32Type),
            DataType::UInt64 => int!(UInt64Type),
            DataType::Boolean => out.push(if a.as_boolean().value(i) { b'1' } else { b'0' }),
            DataType::Utf8 => out.extend_from_slice(a.as_string::<i32>().value(i).as_bytes()),
            DataType::LargeUtf8 => out.extend_from_slice(a.as_string::<i64>().value(i).as_bytes()),
            DataType::Utf8View => out.extend_from_slice(a.as_string_view().value(i).as_bytes()),
            other => return Err(format!("unsupported column type {other}")),
        }
        Ok(())
    }

    /// Renders a record batch whose first row is row `first` (0-based);
    /// `projected[j]` is header j's column in the batch.
    fn render_batch(
        batch: &RecordBatch,
        first: u64,
        projected: &[Option<usize>],
    ) -> std::result::Result<Batch, String> {
        // A dictionary column's values are rendered once; rows copy by code.
        let dictionaries: Vec<Option<Vec<Vec<u8>>>> = batch
            .columns()
            .iter()
            .map(|c| {
                c.as_any_dictionary_opt()
                    .map(|d| {
                        let values = d.values();
                        (0..values.len())
                            .map(|v| {
                                let mut t = Vec::new();
                                render(values, v, &mut t).map(|_| t)
                            })
                            .collect::<std::result::Result<Vec<_>, _>>()
                    })
                    .transpose()
            })
            .collect::<std::result::Result<_, _>>()?;
        let keys: Vec<Option<Vec<usize>>> = batch
            .columns()
            .iter()
            .map(|c| c.as_any_dictionary_opt().map(|d| d.normalized_keys()))
            .collect();
        let mut b = Batch::default();
        let mut cell = Vec::new();
        for i in 0..batch.num_rows() {
            for p in projected {
                cell.clear();
                if let Some(k) = *p {
                    let col = batch.column(k);
                    match (&dictionaries[k], &keys[k]) {
                        (Some(values), Some(codes)) if col.is_valid(i) => {
                            cell.extend_from_slice(&values[codes[i]])
                        }
                        (Some(_), _) => {}
                        _ => render(col, i, &mut cell)?,
                    }
                }
                b.push_field(&cell);
            }
            b.end_record(first + i as u64 + 1);
        }
        Ok(b)
    }

    /// One column's batches as typed values; `None` for a type (or nulls
    /// in integers and flags) the typed path leaves to the text rows.
    fn typed_column(batches: &[ArrayRef]) -> Option<Typed> {
        let first = batches.first()?.data_type().clone();
        macro_rules! each {
            ($t:ty, $f:expr) => {
                batches.iter().flat_map(|a| {
                    let p = a.as_primitive::<$t>();
                    (0..p.len()).map(move |i| $f(p.is_valid(i).then(|| p.value(i))))
                })
            };
        }
        macro_rules! ints {
            ($t:ty) => {
                each!($t, |v: Option<_>| v.and_then(|x| i64::try_from(x).ok()))
                    .collect::<Option<Vec<i64>>>()
                    .map(Typed::Int)
            };
        }
        match first {
            DataType::Float64 => Some(Typed::Float(
                each!(Float64Type, |v: Option<f64>| v.unwrap_or(f64::NAN)).collect(),
            )),
            DataType::Float32 => Some(Typed::Float(
                each!(Float32Type, |v: Option<f32>| v.map_or(f64::NAN, f64::from)).collect(),
            )),
            DataType::Int8 => ints!(Int8Type),
            DataType::Int16 => ints!(Int16Type),
            DataType::Int32 => ints!(Int32Type),
            DataType::Int64 => ints!(Int64Type),
            DataType::UInt8 => ints!(UInt8Type),
            DataType::UInt16 => ints!(UInt16Type),
            DataType::UInt32 => ints!(UInt32Type),
            DataType::UInt64 => ints!(UInt64Type),
            DataType::Boolean => batches
                .iter()
                .flat_map(|a| {
                    let b = a.as_boolean();
                    (0..b.len()).map(move |i| b.is_valid(i).then(|| b.value(i) as i64))
                })
                .collect::<Option<Vec<i64>>>()
                .map(Typed::Int),
            _ => texts(batches),
        }
    }

    /// A string or dictionary column as codes into its distinct texts
    /// (null: missing); `None` for any other type.
    fn texts(batches: &[ArrayRef]) -> Option<Typed> {
        let mut names = Interner::default();
        let mut codes = Vec::new();
        let mut cell = Vec::new();
        for a in batches {
            let (values, keys) = match a.as_any_dictionary_opt() {
                Some(d) => (d.values().clone(), Some(d.normalized_keys())),
                None => (a.clone(), None),
            };
            if !matches!(
                values.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) {
                return None;
            }
            for i in 0..a.len() {
                let v = keys.as_ref().map_or(i, |k| k[i]);
                if a.is_null(i) || values.is_null(v) {
                    codes.push(MISSING);
                    continue;
                }
                cell.clear();
                render(&values, v, &mut cell).ok()?;
                codes.push(names.intern(&cell));
            }
        }
        let (names, remap) = names.into_sorted();
        apply_remap(&mut codes, &remap);
        Some(Typed::Codes(codes, names))
    }

    impl Columnar for ParquetColumns {
        fn headers(&self) -> &[String] {
            &self.headers
        }

        fn typed(&self, name: &str) -> Result<Option<Typed>> {
            let builder = builder(&self.path)?;
            let Some(j) = self.headers.iter().position(|h| h == name) else {
                return Ok(None);
            };
            let mask = ProjectionMask::roots(builder.parquet_schema(), [j]);
            let reader = builder
                .with_projection(mask)
                .with_batch_size(1 << 16)
                .build()
                .map_err(|e| perr(&self.path, e))?;
            let batches = reader
                .map(|b| b.map(|b| b.column(0).clone()))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| perr(&self.path, e))?;
            Ok(typed_column(&batches))
        }

        fn content(&self, _names: &[&str]) -> Content {
            Content::Files(vec![self.path.clone()])
        }

        fn start(
            self: Box<Self>,
            needed: &[bool],
            progress: Arc<dyn Progress>,
        ) -> Result<(Batches, Content)> {
            let builder = builder(&self.path)?;
            let roots: Vec<usize> = (0..self.headers.len()).filter(|&j| needed[j]).collect();
            let mut projected = vec![None; self.headers.len()];
            for (k, &j) in roots.iter().enumerate() {
                projected[j] = Some(k);
            }
            let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
            let reader = builder
                .with_projection(mask)
                .with_batch_size(1 << 16)
                .build()
                .map_err(|e| perr(&self.path, e))?;
            let path = self.path.clone();
            let mut row = 0u64;
            let jobs = reader.map(move |b| {
                let b = b.map_err(|e| perr(&path, e))?;
                progress.advance(b.get_array_memory_size() as u64);
                let first = row;
                row += b.num_rows() as u64;
                Ok((b, first))
            });
            let path = self.path.clone();
            let batches = in_order(jobs, move |(b, first)| {
                render_batch(&b, first, &projected).map_err(|e| perr(&path, e))
            });
            Ok((batches, Content::Files(vec![self.path])))
        }
    }
}
