//! Parsing single cell values without allocating.

/// Trims ASCII white space from both ends.
pub fn trim(v: &[u8]) -> &[u8] {
    v.trim_ascii()
}

/// A cell that stands for "no value": empty, `NA`, `N/A`, `NaN`, `null`,
/// `None` (case-insensitive). Used for attributes and ids; a score cell
/// reading `NaN` is reported as non-finite instead.
pub fn is_missing(v: &[u8]) -> bool {
    let v = trim(v);
    // Every token starts with n and has at most 4 bytes: most cells stop here.
    v.is_empty()
        || (v.len() <= 4
            && v[0].eq_ignore_ascii_case(&b'n')
            && [&b"na"[..], b"n/a", b"nan", b"null", b"none"]
                .iter()
                .any(|m| v.eq_ignore_ascii_case(m)))
}

/// What a score cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Score {
    /// A finite number.
    Value(f64),
    /// Empty or a missing token other than `NaN`.
    Missing,
    /// `NaN` or an infinity.
    NonFinite,
    /// Not a number.
    Unparsable,
}

/// Writes a float as text that parses back to it exactly: whole numbers
/// (below 2^53, not −0) without a fraction, others in the shortest
/// round-trip form, `inf`, `-inf`; NaN as nothing (a missing value, as
/// pandas writes it to CSV).
pub fn format_number(x: f64, out: &mut Vec<u8>) {
    if x.is_nan() {
        return;
    }
    if x.fract() == 0.0 && x.abs() < 9.0e15 && !(x == 0.0 && x.is_sign_negative()) {
        out.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
    } else if x.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(x).as_bytes());
    } else {
        out.extend_from_slice(x.to_string().as_bytes());
    }
}

/// Parses a score cell: missing tokens other than `NaN` give `Missing`;
/// `NaN`/`inf` give `NonFinite`.
pub fn parse_score(v: &[u8]) -> Score {
    let v = trim(v);
    if is_missing(v) && !v.eq_ignore_ascii_case(b"nan") {
        return Score::Missing;
    }
    match std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        Some(x) if x.is_finite() => Score::Value(x),
        Some(_) => Score::NonFinite,
        None => Score::Unparsable,
    }
}

/// Parses a yes/no flag (a mated flag, a binary label): 1/0, true/false, t/f, yes/no, y/n, genuine/impostor,
/// mated/non-mated (also nonmated, non_mated), case-insensitive; and any
/// other number exactly 1 or 0 (`1.0`, `0.00`, `1e0`, `-0`, as pandas
/// writes a float column).
pub fn parse_flag(v: &[u8]) -> Option<bool> {
    const YES: [&[u8]; 6] = [b"1", b"true", b"t", b"yes", b"y", b"genuine"];
    const NO: [&[u8]; 8] = [
        b"0",
        b"false",
        b"f",
        b"no",
        b"n",
        b"impostor",
        b"non-mated",
        b"nonmated",
    ];
    let v = trim(v);
    if YES.iter().any(|y| v.eq_ignore_ascii_case(y)) || v.eq_ignore_ascii_case(b"mated") {
        Some(true)
    } else if NO.iter().any(|n| v.eq_ignore_ascii_case(n)) || v.eq_ignore_ascii_case(b"non_mated") {
        Some(false)
    } else {
        match parse_score(v) {
            Score::Value(1.0) => Some(true),
            Score::Value(0.0) => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mated_values() {
        for y in ["1", "TRUE", "Yes", "genuine", "Mated", " y "] {
            assert_eq!(parse_flag(y.as_bytes()), Some(true), "{y}");
        }
        for n in [
            "0",
            "false",
            "NO",
            "impostor",
            "non-mated",
            "NonMated",
            "non_mated",
        ] {
            assert_eq!(parse_flag(n.as_bytes()), Some(false), "{n}");
        }
        for y in ["1.0", "1.00", " 1e0", "+1", "1."] {
            assert_eq!(parse_flag(y.as_bytes()), Some(true), "{y}");
        }
        for n in ["0.0", "0.", "-0", "0e5", ".0", "0.000"] {
            assert_eq!(parse_flag(n.as_bytes()), Some(false), "{n}");
        }
        for u in [
            "",
            "2",
            "maybe",
            "matedx",
            "1.5",
            "0.1",
            "-1",
            "1.0000001",
            "nan",
            "inf",
            "1,0",
        ] {
            assert_eq!(parse_flag(u.as_bytes()), None, "{u}");
        }
    }

    #[test]
    fn scores() {
        assert_eq!(parse_score(b" 0.5 "), Score::Value(0.5));
        assert_eq!(parse_score(b"-1e-3"), Score::Value(-1e-3));
        assert_eq!(parse_score(b""), Score::Missing);
        assert_eq!(parse_score(b"NA"), Score::Missing);
        assert_eq!(parse_score(b"NaN"), Score::NonFinite);
        assert_eq!(parse_score(b"-inf"), Score::NonFinite);
        assert_eq!(parse_score(b"0.5x"), Score::Unparsable);
    }

    #[test]
    fn missing_tokens() {
        assert!(is_missing(b" "));
        assert!(is_missing(b"N/A"));
        assert!(!is_missing(b"Asian"));
    }
}
