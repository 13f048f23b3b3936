//! Library errors, in rust-csv's shape: an [`Error`] boxes an [`ErrorKind`]
//! (one pointer inside every `Result`). Every error about input data names
//! the file and, where there is one, the line, the column and the offending
//! value ([`Position`]); an error about a flag names the flag.
//!
//! [`DropReason`] lives here rather than beside the row accounting
//! ([`crate::input::accounting`] re-exports it) because `--strict` turns a
//! drop into an error, and this module sits below every layer.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

/// Where in an input file a problem sits. Lines and rows are 1-based; the
/// column is named. For column files (`.npy`) the line is the row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The file (or `<memory>` for data given in memory).
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<u64>,
    /// Data row (header excluded), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The column's name, where the problem is in one cell.
    pub column: Option<String>,
    /// The cell's text, where the problem is in one cell.
    pub value: Option<String>,
}

impl Position {
    /// A line of a file.
    pub fn line(file: impl Into<String>, line: u64) -> Position {
        Position {
            file: file.into(),
            line: Some(line),
            ..Default::default()
        }
    }

    /// A cell: file, line, column name and value.
    pub fn cell(
        file: impl Into<String>,
        line: u64,
        column: impl Into<String>,
        value: impl Into<String>,
    ) -> Position {
        Position {
            file: file.into(),
            line: Some(line),
            row: None,
            column: Some(column.into()),
            value: Some(value.into()),
        }
    }

    /// A cell of a column file (`.npy`, Parquet): its 1-based row, which is
    /// also shown as the line.
    pub fn row_cell(
        file: impl Into<String>,
        row: u64,
        column: impl Into<String>,
        value: impl Into<String>,
    ) -> Position {
        Position {
            row: Some(row),
            ..Position::cell(file, row, column, value)
        }
    }
}

/// `file:line: column 'x', value "v"`, leaving out what is unknown (a row
/// stands in for a missing line as `file: row n`).
impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        match (self.line, self.row) {
            (Some(line), _) => write!(f, ":{line}")?,
            (None, Some(row)) => write!(f, ": row {row}")?,
            (None, None) => {}
        }
        let mut sep = ": ";
        if let Some(c) = &self.column {
            write!(f, "{sep}column '{c}'")?;
            sep = ", ";
        }
        if let Some(v) = &self.value {
            write!(f, "{sep}value {v:?}")?;
        }
        Ok(())
    }
}

/// Why a row was dropped; [`DropReason::as_str`] is the name the row
/// accounting shows (and the partial files store).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// `missing score`: an empty score cell (NaN in a column store).
    MissingScore,
    /// `non-finite score`: ±∞.
    NonFiniteScore,
    /// `unknown mated value`: not 1/0, true/false, genuine/impostor.
    UnknownMated,
    /// `missing subject id`.
    MissingSubject,
    /// `subject not in the subjects table`.
    UnknownSubject,
    /// `duplicate comparison`: the same unordered pair of images again.
    Duplicate,
    /// No attribute has a group for the row.
    MissingGroup,
    /// A published-rates row with an empty group column (`summarize`).
    MissingGroupValue,
    /// `missing true label`.
    MissingTrueLabel,
    /// `missing predicted label`.
    MissingPredLabel,
    /// `missing weight`.
    MissingWeight,
    /// `negative or non-finite weight`.
    BadWeight,
    /// `mate returned without a score`.
    MateWithoutScore,
    /// A candidate row whose search is not in the searches table.
    UnknownSearch,
    /// `missing key`: a row of a paired comparison without its key.
    MissingKey,
    /// `key not among the other model's usable rows` (paired comparison of
    /// two tables: the key is absent there, or its row was dropped).
    UnpairedKey,
    /// `missing true age` (age estimation).
    MissingTrueAge,
    /// `negative or non-finite true age`.
    BadTrueAge,
    /// `missing estimated age`.
    MissingEstimate,
    /// `non-finite estimated age`.
    NonFiniteEstimate,
    /// Removed by an `--exclude COLUMN=VALUE` rule (the rule).
    Excluded(String),
}

impl DropReason {
    /// Every reason but [`DropReason::Excluded`].
    const FIXED: [DropReason; 20] = [
        DropReason::MissingScore,
        DropReason::NonFiniteScore,
        DropReason::UnknownMated,
        DropReason::MissingSubject,
        DropReason::UnknownSubject,
        DropReason::Duplicate,
        DropReason::MissingGroup,
        DropReason::MissingGroupValue,
        DropReason::MissingTrueLabel,
        DropReason::MissingPredLabel,
        DropReason::MissingWeight,
        DropReason::BadWeight,
        DropReason::MateWithoutScore,
        DropReason::UnknownSearch,
        DropReason::MissingKey,
        DropReason::UnpairedKey,
        DropReason::MissingTrueAge,
        DropReason::BadTrueAge,
        DropReason::MissingEstimate,
        DropReason::NonFiniteEstimate,
    ];

    /// The name shown in reports.
    pub fn as_str(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            DropReason::MissingScore => "missing score",
            DropReason::NonFiniteScore => "non-finite score",
            DropReason::UnknownMated => "unknown mated value",
            DropReason::MissingSubject => "missing subject id",
            DropReason::UnknownSubject => "subject not in the subjects table",
            DropReason::Duplicate => "duplicate comparison",
            DropReason::MissingGroup => "missing group in every attribute",
            DropReason::MissingGroupValue => "missing group",
            DropReason::MissingTrueLabel => "missing true label",
            DropReason::MissingPredLabel => "missing predicted label",
            DropReason::MissingWeight => "missing weight",
            DropReason::BadWeight => "negative or non-finite weight",
            DropReason::MateWithoutScore => "mate returned without a score",
            DropReason::UnknownSearch => "candidate of an unknown search",
            DropReason::MissingTrueAge => "missing true age",
            DropReason::BadTrueAge => "negative or non-finite true age",
            DropReason::MissingEstimate => "missing estimated age",
            DropReason::NonFiniteEstimate => "non-finite estimated age",
            DropReason::MissingKey => "missing key",
            DropReason::UnpairedKey => "key not among the other model's usable rows",
            DropReason::Excluded(rule) => {
                return Cow::Owned(format!("{EXCLUDED}{rule}"));
            }
        })
    }
}

const EXCLUDED: &str = "excluded by --exclude ";

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl std::str::FromStr for DropReason {
    type Err = String;

    /// The reason named `s` (the inverse of [`DropReason::as_str`]).
    fn from_str(s: &str) -> std::result::Result<DropReason, String> {
        if let Some(rule) = s.strip_prefix(EXCLUDED) {
            return Ok(DropReason::Excluded(rule.to_string()));
        }
        DropReason::FIXED
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown drop reason {s:?}"))
    }
}

impl Serialize for DropReason {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

impl<'de> Deserialize<'de> for DropReason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<DropReason, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file that could not be opened, read or written.
    /// (The OS error is part of the message, not a `source`, so that it is
    /// printed once.)
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        cause: std::io::Error,
    },
    /// An input without even a header line.
    #[error("{file}: the file is empty (a header line is required)")]
    EmptyFile {
        /// The file.
        file: String,
    },
    /// An input with a header and no data row.
    #[error("{file}: no data rows after the header")]
    NoRows {
        /// The file.
        file: String,
    },
    /// A record that cannot be parsed (malformed or ragged).
    #[error("{pos}: {message}")]
    Parse {
        /// Where.
        pos: Position,
        /// What is wrong.
        message: String,
    },
    /// A cell whose value is wrong.
    #[error("{pos}: {message}")]
    Value {
        /// Where (file, line, column, value).
        pos: Position,
        /// What is wrong.
        message: String,
    },
    /// A column a flag names that the header does not have.
    #[error("{file}: no column '{column}' (flag {flag}); the header has: {}", .header.join(", "))]
    MissingColumn {
        /// The file.
        file: String,
        /// The column asked for.
        column: String,
        /// The flag that asked for it.
        flag: String,
        /// The header's columns.
        header: Vec<String>,
    },
    /// A row dropped under `--strict`.
    #[error("{pos}: row dropped ({reason}) and --strict forbids drops")]
    Strict {
        /// The row's first offending cell.
        pos: Position,
        /// Why it would have been dropped.
        reason: DropReason,
    },
    /// A bad flag or option value, found before any data is read (or a
    /// flag the data turn out to need): `--threshold "x": …`, the flag
    /// first, with no "invalid option" prefix (it may be the data's fault).
    #[error("{flag} {message}")]
    Option {
        /// The flag (`--threshold`).
        flag: String,
        /// What is wrong with its value.
        message: String,
    },
    /// The shape or content of a file other than a row's cell: a `.npy` or
    /// Parquet column, a labels file, a partial or plan file (`field` names
    /// the column or JSON field).
    #[error("{file}: {}{message}", field_prefix(.field))]
    Data {
        /// The file.
        file: String,
        /// The column or JSON field, where there is one.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A broken invariant of biasbench itself.
    #[error("internal error: {0}")]
    Internal(String),
}

fn field_prefix(field: &Option<String>) -> String {
    field.as_ref().map_or(String::new(), |f| format!("{f}: "))
}

/// The error of every fallible biasbench function.
pub struct Error(Box<ErrorKind>);

/// A result with biasbench's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// The kind, owned.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// Where in the input the error sits (parse, value and `--strict` errors).
    pub fn position(&self) -> Option<&Position> {
        match self.kind() {
            ErrorKind::Parse { pos, .. }
            | ErrorKind::Value { pos, .. }
            | ErrorKind::Strict { pos, .. } => Some(pos),
            _ => None,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ErrorKind::Io {
            path: path.into(),
            cause: source,
        }
        .into()
    }

    /// A record that cannot be parsed.
    pub fn parse(pos: Position, message: impl Into<String>) -> Self {
        ErrorKind::Parse {
            pos,
            message: message.into(),
        }
        .into()
    }

    /// A bad cell.
    pub fn value(pos: Position, message: impl Into<String>) -> Self {
        ErrorKind::Value {
            pos,
            message: message.into(),
        }
        .into()
    }

    /// A row that `--strict` refuses to drop.
    pub fn strict(pos: Position, reason: DropReason) -> Self {
        ErrorKind::Strict { pos, reason }.into()
    }

    /// A bad value of `flag` (`message` follows the flag: "--rank takes …").
    pub fn option(flag: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorKind::Option {
            flag: flag.into(),
            message: message.into(),
        }
        .into()
    }

    /// A problem with a whole file.
    pub fn data(file: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorKind::Data {
            file: file.into(),
            field: None,
            message: message.into(),
        }
        .into()
    }

    /// A problem with one column or field of a file.
    pub fn data_field(
        file: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ErrorKind::Data {
            file: file.into(),
            field: Some(field.into()),
            message: message.into(),
        }
        .into()
    }

    /// A broken invariant of biasbench itself.
    pub fn internal(message: impl Into<String>) -> Self {
        ErrorKind::Internal(message.into()).into()
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell() -> Position {
        Position::cell("c.csv", 4, "score", "abc")
    }

    #[test]
    fn position_display_leaves_out_what_is_unknown() {
        assert_eq!(cell().to_string(), "c.csv:4: column 'score', value \"abc\"");
        assert_eq!(Position::line("c.csv", 3).to_string(), "c.csv:3");
        let row = Position {
            row: Some(7),
            column: Some("race".into()),
            ..Position::line("r.npy", 0)
        };
        assert_eq!(row.to_string(), "r.npy:0: column 'race'");
        let row = Position { line: None, ..row };
        assert_eq!(row.to_string(), "r.npy: row 7: column 'race'");
        let value = Position {
            value: Some("x\"y".into()),
            ..Position::line("f", 1)
        };
        assert_eq!(value.to_string(), "f:1: value \"x\\\"y\"");
        assert_eq!(Position::default().to_string(), "");
    }

    #[test]
    fn position_serialises_as_the_accounting_example() {
        let j = serde_json::to_string(&cell()).unwrap();
        assert_eq!(
            j,
            r#"{"file":"c.csv","line":4,"column":"score","value":"abc"}"#
        );
        assert_eq!(serde_json::from_str::<Position>(&j).unwrap(), cell());
    }

    #[test]
    fn every_kind_displays_its_message() {
        let cases: Vec<(Error, &str)> = vec![
            (
                Error::io("/x/y.csv", std::io::Error::other("boom")),
                "/x/y.csv: boom",
            ),
            (
                ErrorKind::EmptyFile { file: "e.csv".into() }.into(),
                "e.csv: the file is empty (a header line is required)",
            ),
            (
                ErrorKind::NoRows { file: "e.csv".into() }.into(),
                "e.csv: no data rows after the header",
            ),
            (
                Error::parse(Position::line("r.csv", 3), "ragged row"),
                "r.csv:3: ragged row",
            ),
            (
                Error::value(cell(), "not a number"),
                "c.csv:4: column 'score', value \"abc\": not a number",
            ),
            (
                ErrorKind::MissingColumn {
                    file: "c.csv".into(),
                    column: "mated".into(),
                    flag: "--mated".into(),
                    header: vec!["score".into(), "x".into()],
                }
                .into(),
                "c.csv: no column 'mated' (flag --mated); the header has: score, x",
            ),
            (
                Error::strict(cell(), DropReason::MissingScore),
                "c.csv:4: column 'score', value \"abc\": row dropped (missing score) and --strict forbids drops",
            ),
            (
                Error::option("--rank", "takes whole numbers from 1"),
                "--rank takes whole numbers from 1",
            ),
            (
                Error::data("p.json", "not a partial"),
                "p.json: not a partial",
            ),
            (
                Error::data_field("p.json", "cells[2].key", "out of range"),
                "p.json: cells[2].key: out of range",
            ),
            (
                Error::internal("c.csv: the parsing thread stopped early"),
                "internal error: c.csv: the parsing thread stopped early",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
            assert_eq!(format!("{e:?}"), format!("{:?}", e.kind()));
        }
    }

    #[test]
    fn accessors_reach_the_kind_and_the_position() {
        let e = Error::value(cell(), "not a number");
        assert_eq!(e.position(), Some(&cell()));
        assert!(matches!(e.kind(), ErrorKind::Value { .. }));
        assert!(Error::option("--x", "y").position().is_none());
        match Error::strict(cell(), DropReason::Duplicate).into_kind() {
            ErrorKind::Strict { reason, .. } => assert_eq!(reason, DropReason::Duplicate),
            k => panic!("{k:?}"),
        }
        // The OS error is said once: in the message, not again as a source.
        let io = Error::io("f", std::io::Error::other("boom"));
        assert_eq!(io.to_string(), "f: boom");
        assert!(std::error::Error::source(&io).is_none());
        assert_eq!(
            std::mem::size_of::<Result<()>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn drop_reasons_round_trip_through_their_names() {
        let mut all = DropReason::FIXED.to_vec();
        all.push(DropReason::Excluded("site=B".into()));
        for r in all {
            let name = r.as_str().into_owned();
            assert_eq!(name.parse::<DropReason>(), Ok(r.clone()), "{name}");
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("{name:?}"));
        }
        assert_eq!(
            DropReason::Excluded("site=B".into()).to_string(),
            "excluded by --exclude site=B"
        );
        assert!("no such reason".parse::<DropReason>().is_err());
        assert!(serde_json::from_str::<DropReason>("\"nope\"").is_err());
    }
}
