//! Rules given as text on the command line (`--exclude COLUMN=VALUE`, and
//! the `NAME=VALUE` forms of other layers): parsed once into typed values
//! that print, and serialise, as written.

use crate::error::{Error, Result};
use std::fmt;

/// An error in a flag's value (one place to change when the error kinds do).
pub(crate) fn option_error(flag: &str, message: String) -> Error {
    Error::option(flag, message)
}

/// Splits `flag`'s value `s`, written `NAME=VALUE`, at the first `=`. The
/// name must not be empty, nor the value unless `empty_value`; otherwise the
/// error names the flag and the expected `form`.
pub fn split_assignment<'a>(
    flag: &str,
    s: &'a str,
    form: &str,
    empty_value: bool,
) -> Result<(&'a str, &'a str)> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() && (empty_value || !value.is_empty()) => {
            Ok((name, value))
        }
        _ => Err(option_error(flag, format!("{s:?}: expected {form}"))),
    }
}

/// Serialises a type as its `Display` text and deserialises it with its
/// `parse(&str) -> Result<Self>`, so a rule reads back as it was written.
macro_rules! serde_as_text {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<$t, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                <$t>::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_as_text;

/// An exclusion rule (`--exclude COLUMN=VALUE`): rows whose cell in
/// `column` equals `value` (trimmed) are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludeRule {
    /// The column's name.
    pub column: String,
    /// The value that excludes a row (compared with the trimmed cell).
    pub value: String,
}

impl ExcludeRule {
    /// Parses `COLUMN=VALUE` (split at the first `=`; the value may be empty).
    pub fn parse(s: &str) -> Result<ExcludeRule> {
        let (column, value) = split_assignment("--exclude", s, "COLUMN=VALUE", true)?;
        Ok(ExcludeRule {
            column: column.into(),
            value: value.into(),
        })
    }
}

impl fmt::Display for ExcludeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.column, self.value)
    }
}

serde_as_text!(ExcludeRule);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclude_rules_parse_and_print_as_written() {
        let r = ExcludeRule::parse("note=a=b").unwrap();
        assert_eq!((&*r.column, &*r.value), ("note", "a=b"));
        assert_eq!(r.to_string(), "note=a=b");
        let empty = ExcludeRule::parse("flag=").unwrap();
        assert_eq!(empty.value, "");
        assert_eq!(serde_json::to_string(&empty).unwrap(), "\"flag=\"");
        let back: ExcludeRule = serde_json::from_str("\"flag=\"").unwrap();
        assert_eq!(back, empty);
        for bad in ["flag", "=1", ""] {
            let e = ExcludeRule::parse(bad).unwrap_err().to_string();
            assert!(e.contains("--exclude") && e.contains("COLUMN=VALUE"), "{e}");
        }
        assert!(serde_json::from_str::<ExcludeRule>("\"flag\"").is_err());
    }

    #[test]
    fn assignments_split_at_the_first_equals_sign() {
        let split = |s, empty| split_assignment("--x", s, "A=B", empty);
        assert_eq!(split("a=b=c", false).unwrap(), ("a", "b=c"));
        assert_eq!(split("a=", true).unwrap(), ("a", ""));
        let e = split("a=", false).unwrap_err().to_string();
        assert!(e.contains("--x \"a=\": expected A=B"), "{e}");
    }
}
