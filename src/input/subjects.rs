//! The subjects table: `subject_id` plus attribute columns, looked up
//! through the subject ids of the comparisons.

use super::rows::RowReader;
use super::table::{InputFile, Table, TextFormat};
use super::values::{is_missing, trim};
use crate::error::{Error, Position, Result};
use crate::input::codes::{Interner, MISSING};
use crate::progress::NoProgress;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Attribute codes per subject, for the attributes this table supplies.
pub struct SubjectTable {
    index: HashMap<Box<[u8]>, usize>,
    /// Row-major: `codes[row * attrs + j]`.
    codes: Vec<u32>,
    attrs: usize,
    /// Provenance of the subjects file.
    pub input: InputFile,
}

impl SubjectTable {
    /// Reads `path`; `interners[j]` codes the values of `attrs[j]`. A subject
    /// listed twice with different values is an error naming both lines.
    pub fn read(
        path: &Path,
        id_column: &str,
        attrs: &[&str],
        interners: &mut [&mut Interner],
        text: TextFormat,
    ) -> Result<SubjectTable> {
        // Small beside the rows: not reported (the bar of the rows stays).
        let t = Table::open(path, text, Arc::new(NoProgress))?;
        let id = t.column(id_column, "--subject-id")?;
        let cols = attrs
            .iter()
            .map(|a| t.column(a, "--attr"))
            .collect::<Result<Vec<_>>>()?;
        let mut index: HashMap<Box<[u8]>, usize> = HashMap::new();
        let mut lines: Vec<u64> = Vec::new();
        let mut codes = Vec::new();
        let mut row_codes = vec![0u32; attrs.len()];
        let file = t.file.clone();
        let mut r = RowReader::new(t, &[], false)?;
        while r.next_row()? {
            let line = r.line();
            let sid = trim(r.field(id));
            for (j, &c) in cols.iter().enumerate() {
                let v = trim(r.field(c));
                row_codes[j] = if is_missing(v) {
                    MISSING
                } else {
                    interners[j].intern(v)
                };
            }
            match index.get(sid) {
                Some(&row) => {
                    if codes[row * attrs.len()..(row + 1) * attrs.len()] != row_codes[..] {
                        return Err(Error::value(
                            Position::cell(
                                file.clone(),
                                line,
                                id_column,
                                String::from_utf8_lossy(sid),
                            ),
                            format!(
                                "subject listed again with different attributes (first at line {})",
                                lines[row]
                            ),
                        ));
                    }
                }
                None => {
                    index.insert(sid.into(), lines.len());
                    lines.push(line);
                    codes.extend_from_slice(&row_codes);
                }
            }
        }
        Ok(SubjectTable {
            index,
            codes,
            attrs: attrs.len(),
            input: r.finish("subjects")?.0,
        })
    }

    /// The codes of a subject, or `None` when the table does not list it.
    pub fn lookup(&self, subject: &[u8]) -> Option<&[u32]> {
        self.index
            .get(subject)
            .map(|&r| &self.codes[r * self.attrs..(r + 1) * self.attrs])
    }
}
