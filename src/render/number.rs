//! Number and text formatting shared by the renderers.

use std::borrow::Cow;

/// Shortest round-trip form (`1e-4`, `0.0123`), `NaN`, `inf` or `-inf`.
pub(crate) fn exact(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    ryu::Buffer::new().format_finite(x).to_string()
}

/// Four significant digits for people: `0.01234`, `1.234e-05`, `undefined`, `inf`.
pub(crate) fn short(x: f64) -> String {
    significant(x, 4)
}

/// Two significant digits for a headline: `0.052`, `2.5`, `12`, `1.2e-4`,
/// `undefined`, `inf`.
pub(crate) fn brief(x: f64) -> String {
    significant(x, 2)
}

/// As [`short`], without trailing zeros: `1e-4`, `0.05`, `2`, `47.1`.
pub(crate) fn plain(x: f64) -> String {
    let s = short(x);
    let (mantissa, exponent) = s.split_at(s.find('e').unwrap_or(s.len()));
    match mantissa.contains('.') {
        true => format!(
            "{}{exponent}",
            mantissa.trim_end_matches('0').trim_end_matches('.')
        ),
        false => s,
    }
}

/// `n` significant digits, in scientific notation outside [1e-3, 1e6).
fn significant(x: f64, n: i32) -> String {
    if x.is_nan() {
        return "undefined".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{x:.prec$e}", prec = (n - 1) as usize);
    }
    let decimals = |a: f64| (n - 1 - a.log10().floor() as i32).max(0) as usize;
    let d = decimals(a);
    let s = format!("{x:.d$}");
    // Rounding may carry into a new digit (0.0996 → 0.100): one decimal fewer.
    match s.trim_start_matches('-').parse::<f64>() {
        Ok(r) if decimals(r) < d => format!("{x:.prec$}", prec = decimals(r)),
        _ => s,
    }
}

/// A text made displayable on one line: control characters (C0 with tab,
/// CR and LF, DEL, C1), the bidirectional overrides and isolates, and the
/// line and paragraph separators become visible escapes such as `\u{1b}`;
/// all else is kept. Every human-readable format escapes its text through this.
pub(crate) fn displayable(s: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    };
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A text cell safe for a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return is neutralised with a leading apostrophe.
pub(crate) fn spreadsheet_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_is_shortest_round_trip() {
        assert_eq!(exact(1e-4), "0.0001");
        assert_eq!(exact(1e-7), "1e-7");
        assert_eq!(exact(0.0123), "0.0123");
        assert_eq!(exact(3.0), "3");
        assert_eq!(exact(f64::NAN), "NaN");
        assert_eq!(exact(f64::INFINITY), "inf");
        let x = 0.1 + 0.2;
        assert_eq!(exact(x).parse::<f64>().unwrap(), x);
    }

    #[test]
    fn short_has_four_significant_digits() {
        assert_eq!(short(0.012345), "0.01235");
        assert_eq!(short(1.5), "1.500");
        assert_eq!(short(0.999_999), "1.000");
        assert_eq!(short(-0.012345), "-0.01235");
        assert_eq!(short(2.5e-5), "2.500e-5");
        assert_eq!(short(f64::NAN), "undefined");
    }

    #[test]
    fn brief_has_two_significant_digits() {
        assert_eq!(brief(0.05234), "0.052");
        assert_eq!(brief(2.46), "2.5");
        assert_eq!(brief(12.4), "12");
        assert_eq!(brief(196.7), "197");
        assert_eq!(brief(0.0996), "0.10");
        assert_eq!(brief(9.96), "10");
        assert_eq!(brief(2.43e-4), "2.4e-4");
        assert_eq!(brief(0.0), "0");
        assert_eq!(brief(f64::INFINITY), "inf");
    }

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(displayable("A+B [1in] <b>"), "A+B [1in] <b>");
        assert_eq!(
            displayable("a\u{1b}[31mb\rc\nd\0e\u{7f}\u{85}\tf"),
            "a\\u{1b}[31mb\\u{d}c\\u{a}d\\u{0}e\\u{7f}\\u{85}\\u{9}f"
        );
        assert_eq!(displayable("x\u{202e}y\u{2028}"), "x\\u{202e}y\\u{2028}");
        assert_eq!(displayable("Māori"), "Māori");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(spreadsheet_safe("=1+1"), "'=1+1");
        assert_eq!(spreadsheet_safe("@SUM"), "'@SUM");
        assert_eq!(spreadsheet_safe("Black"), "Black");
    }
}
