//! Library errors. Every error about input data names the file and, where
//! there is one, the line, the column and the offending value.

use std::path::PathBuf;

/// Where in an input file a problem sits (1-based line; column by name).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: column '{}', value {:?}",
            self.file, self.line, self.column, self.value
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: the file is empty (a header line is required)")]
    EmptyFile { file: String },
    #[error("{file}: no data rows after the header")]
    NoRows { file: String },
    #[error("{file}:{line}: {message}")]
    Malformed {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file}: no column '{column}' (flag {flag}); the header has: {header}")]
    MissingColumn {
        file: String,
        column: String,
        flag: String,
        header: String,
    },
    #[error("{location}: {message}")]
    BadValue { location: Location, message: String },
    #[error("{location}: row dropped ({reason}) and --strict forbids drops")]
    Strict { location: Location, reason: String },
    #[error("invalid option: {0}")]
    Config(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
