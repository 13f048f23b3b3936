//! Parquet input (cargo feature `parquet`): only the needed columns are
//! read (a projection), in record batches; a dictionary-encoded column
//! (the usual form of a group column) is rendered once per dictionary
//! entry and then copied by code.

use super::columnar::Columnar;
use crate::error::{Error, Result};
use std::path::Path;

#[cfg(not(feature = "parquet"))]
pub fn open(path: &Path) -> Result<Box<dyn Columnar>> {
    Err(Error::Config(format!(
        "{}: a Parquet file, and this biasbench was built without Parquet support (build with `--features parquet`)",
        path.display()
    )))
}

#[cfg(feature = "parquet")]
pub fn open(path: &Path) -> Result<Box<dyn Columnar>> {
    Ok(Box::new(reader::ParquetColumns::new(path)?))
}

#[cfg(feature = "parquet")]
mod reader {
    use super::*;
    use crate::input::columnar::hash_files;
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_array::{Array, ArrayRef, RecordBatch};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
    use parquet::arrow::ProjectionMask;
    use std::fs::File;
    use std::path::PathBuf;

    pub struct ParquetColumns {
        path: PathBuf,
        headers: Vec<String>,
        /// Position of each needed header in the projected batches.
        projected: Vec<Option<usize>>,
        reader: Option<ParquetRecordBatchReader>,
        batch: Option<RecordBatch>,
        /// Per projected column: rendered dictionary values (dictionary columns only).
        dictionaries: Vec<Option<Vec<Vec<u8>>>>,
        at: usize,
        row: u64,
        cell: Vec<u8>,
    }

    fn perr(path: &Path, e: impl std::fmt::Display) -> Error {
        Error::Config(format!("{}: {e}", path.display()))
    }

    impl ParquetColumns {
        pub fn new(path: &Path) -> Result<Self> {
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            let builder =
                ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| perr(path, e))?;
            let headers = builder
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect::<Vec<_>>();
            Ok(ParquetColumns {
                path: path.to_path_buf(),
                projected: vec![None; headers.len()],
                headers,
                reader: None,
                batch: None,
                dictionaries: Vec::new(),
                at: 0,
                row: 0,
                cell: Vec::new(),
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
                out.extend_from_slice(a.as_primitive::<$t>().value(i).to_string().as_bytes())
            };
        }
        let float = |x: f64, out: &mut Vec<u8>| {
            if x.is_finite() {
                out.extend_from_slice(ryu::Buffer::new().format_finite(x).as_bytes());
            } else {
                out.extend_from_slice(x.to_string().as_bytes());
            }
        };
        match a.data_type() {
            DataType::Float64 => float(a.as_primitive::<Float64Type>().value(i), out),
            DataType::Float32 => float(a.as_primitive::<Float32Type>().value(i) as f64, out),
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

    impl Columnar for ParquetColumns {
        fn headers(&self) -> &[String] {
            &self.headers
        }

        fn open(&mut self, needed: &[bool]) -> Result<()> {
            let file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
            let builder =
                ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| perr(&self.path, e))?;
            let roots: Vec<usize> = (0..self.headers.len()).filter(|&j| needed[j]).collect();
            for (k, &j) in roots.iter().enumerate() {
                self.projected[j] = Some(k);
            }
            let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
            self.reader = Some(
                builder
                    .with_projection(mask)
                    .with_batch_size(1 << 16)
                    .build()
                    .map_err(|e| perr(&self.path, e))?,
            );
            Ok(())
        }

        fn next(&mut self, rec: &mut csv::ByteRecord) -> Result<bool> {
            while self.batch.as_ref().is_none_or(|b| self.at >= b.num_rows()) {
                let Some(next) = self.reader.as_mut().and_then(|r| r.next()) else {
                    return Ok(false);
                };
                let batch = next.map_err(|e| perr(&self.path, e))?;
                crate::progress::advance(batch.get_array_memory_size() as u64);
                // Render each dictionary once; rows then copy by code.
                self.dictionaries = batch
                    .columns()
                    .iter()
                    .map(|c| {
                        c.as_any_dictionary_opt().map(|d| {
                            let values = d.values();
                            (0..values.len())
                                .map(|v| {
                                    let mut t = Vec::new();
                                    render(values, v, &mut t).map(|_| t)
                                })
                                .collect::<std::result::Result<Vec<_>, _>>()
                        })
                    })
                    .map(|d| d.transpose())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|e| perr(&self.path, e))?;
                self.batch = Some(batch);
                self.at = 0;
            }
            let batch = self.batch.as_ref().expect("a batch");
            let i = self.at;
            for p in &self.projected {
                self.cell.clear();
                if let Some(k) = *p {
                    let col = batch.column(k);
                    match (&self.dictionaries[k], col.as_any_dictionary_opt()) {
                        (Some(values), Some(d)) if col.is_valid(i) => {
                            let code = d.normalized_keys()[i];
                            self.cell.extend_from_slice(&values[code]);
                        }
                        (Some(_), _) => {}
                        (None, _) => {
                            render(col, i, &mut self.cell).map_err(|e| perr(&self.path, e))?
                        }
                    }
                }
                rec.push_field(&self.cell);
            }
            self.at += 1;
            self.row += 1;
            let mut pos = csv::Position::new();
            pos.set_line(self.row);
            rec.set_position(Some(pos));
            Ok(true)
        }

        fn provenance(&self) -> Result<(u64, String)> {
            hash_files(std::slice::from_ref(&self.path))
        }
    }
}
