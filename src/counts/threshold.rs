//! Threshold policies (the exact order-statistic rule itself is
//! `Column::fmr_threshold` in the crate-private `counts::column`).
//!
//! Scores are held in *similarity* orientation (higher = more alike; distances
//! are negated on input), and a comparison is accepted when `score >= τ`.

use crate::error::{Error, Result};
use crate::stats::rate::Rate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How the decision threshold of an operating point is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Policy {
    /// `fixed:T` — the given threshold, in the input's own score units.
    Fixed {
        /// The policy as written, e.g. `fixed:0.5`.
        label: String,
        /// The threshold, in input units.
        threshold: f64,
    },
    /// `global-fmr:α` — one τ from the pooled non-mated set.
    GlobalFmr {
        /// The policy as written, e.g. `global-fmr:1e-3`.
        label: String,
        /// The target FMR α.
        alpha: Target,
    },
    /// `group-fmr:α` — a τ_g per group from that group's own non-mated set.
    GroupFmr {
        /// The policy as written, e.g. `group-fmr:1e-3`.
        label: String,
        /// The target FMR α of every group.
        alpha: Target,
    },
}

impl Policy {
    /// Parses `fixed:T`, `global-fmr:α` or `group-fmr:α`; the label keeps α as written.
    pub fn parse(s: &str) -> Result<Policy> {
        let bad = |why: String| Error::option("--threshold", format!("{s:?}: {why}"));
        let (kind, arg) = s.split_once(':').ok_or_else(|| {
            bad("expected KIND:VALUE (fixed:T, global-fmr:α, group-fmr:α)".into())
        })?;
        let arg = arg.trim();
        let value: f64 = arg
            .parse()
            .map_err(|_| bad(format!("{arg:?} is not a number")))?;
        let label = format!("{kind}:{arg}");
        match kind {
            "fixed" if value.is_finite() => Ok(Policy::Fixed {
                label,
                threshold: value,
            }),
            "fixed" => Err(bad("the threshold must be finite".into())),
            "global-fmr" => Ok(Policy::GlobalFmr {
                label,
                alpha: Target::parse(arg).map_err(bad)?,
            }),
            "group-fmr" => Ok(Policy::GroupFmr {
                label,
                alpha: Target::parse(arg).map_err(bad)?,
            }),
            _ => Err(bad(format!(
                "unknown kind {kind:?} (fixed, global-fmr, group-fmr)"
            ))),
        }
    }

    /// The policy as written.
    pub(crate) fn label(&self) -> &str {
        match self {
            Policy::Fixed { label, .. }
            | Policy::GlobalFmr { label, .. }
            | Policy::GroupFmr { label, .. } => label,
        }
    }
}

/// The targets 1e-1 … 1e-`decades` of a data-driven policy `kind` that a
/// pool of `pool` trials (`what`) supports, α ≥ 1 − 0.05^(1/N); a note for
/// each target skipped.
pub(crate) fn supported_targets<P>(
    pool: usize,
    decades: u32,
    kind: &str,
    what: &str,
    make: impl Fn(String, Target) -> P,
) -> (Vec<P>, Vec<String>) {
    let mut keep = Vec::new();
    let mut notes = Vec::new();
    for e in 1..=decades {
        let alpha = Target {
            mantissa: 1,
            scale: e,
        };
        let label = format!("{kind}:1e-{e}");
        if alpha.value() >= smallest_supported_rate(pool) {
            keep.push(make(label, alpha));
        } else {
            notes.push(format!(
                "{label} skipped: {pool} {what} support targets down to {:.3e}",
                smallest_supported_rate(pool)
            ));
        }
    }
    (keep, notes)
}

/// A target rate α of a data-driven threshold, exactly as written: the
/// decimal `mantissa`·10^−`scale`, a fraction in (0, 1), so that
/// k = ⌊α·N⌋ is computed in integers: `0.29` of
/// 100 is 29, where 0.29·100 in floating point is 28.999…
///
/// At most 15 significant digits (as many as a double tells apart), so the
/// nearest double, which is how α is serialised, gives the decimal back;
/// at least 1e-300.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    mantissa: u64,
    scale: u32,
}

impl Target {
    /// Parses a decimal such as `0.29`, `1e-3` or `2.5E-4`. A target of 1
    /// (every impostor accepted) or more is refused with how to write a
    /// percentage (`1` → `0.01`); the error says what is wrong.
    pub fn parse(text: &str) -> std::result::Result<Target, String> {
        let Some((negative, digits, exp)) = decimal(text) else {
            return Err(match text.parse::<f64>() {
                Ok(_) => format!("α must be a fraction in (0, 1), not {text}"),
                Err(_) => format!("{text:?} is not a number"),
            });
        };
        // A value digits·10^exp lies in [10^(len+exp−1), 10^(len+exp)).
        let len = digits.len() as i64;
        if negative || digits.is_empty() || len + exp > 0 {
            let hint = match text.parse::<f64>() {
                Ok(v) if (1.0..=100.0).contains(&v) => {
                    format!("; for {text} % write {}", plain(&digits, exp - 2))
                }
                _ => String::new(),
            };
            return Err(format!("α must be a fraction in (0, 1), not {text}{hint}"));
        }
        if len > 15 {
            return Err(format!(
                "α {text} has more than 15 significant digits; write it with fewer"
            ));
        }
        if len + exp - 1 < -300 {
            return Err(format!("α {text} is below 1e-300"));
        }
        Ok(Target {
            mantissa: digits.parse().expect("at most 15 digits"),
            scale: (-exp) as u32,
        })
    }

    /// The nearest double to α.
    pub fn value(self) -> f64 {
        format!("{}e-{}", self.mantissa, self.scale)
            .parse()
            .expect("a decimal")
    }

    /// ⌊α·n⌋, exactly.
    pub(crate) fn floor_times(self, n: u64) -> u64 {
        // mantissa < 10^15 and n < 2^64, so the product fits in u128; a
        // power of ten too large for u128 exceeds it, and the floor is 0.
        match 10u128.checked_pow(self.scale) {
            Some(p) => (self.mantissa as u128 * n as u128 / p) as u64,
            None => 0,
        }
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_f64(self.value())
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let x = f64::deserialize(d)?;
        // The shortest decimal that rounds to x: the α written.
        Target::parse(&format!("{x:e}")).map_err(|_| {
            serde::de::Error::custom(format!(
                "target rate α {x}: not a fraction in (0, 1) of at most 15 significant digits"
            ))
        })
    }
}

/// A decimal `[+-]digits[.digits][e[+-]digits]` (or `[+-].digits…`) as its
/// sign, significant digits (no leading or trailing zeros; empty for zero)
/// and the power of ten they are scaled by. `None` when `text` is not one.
fn decimal(text: &str) -> Option<(bool, String, i64)> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (body, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let joined = format!("{int}{frac}");
    let trimmed = joined.trim_start_matches('0');
    let significant = trimmed.trim_end_matches('0');
    let zeros = (trimmed.len() - significant.len()) as i64;
    let exp = exp.checked_sub(frac.len() as i64)?.checked_add(zeros)?;
    Some((negative, significant.to_string(), exp))
}

/// `digits`·10^`exp` written out as a plain decimal (`5`, −2 → `0.05`).
fn plain(digits: &str, exp: i64) -> String {
    if exp >= 0 {
        return format!("{digits}{}", "0".repeat(exp as usize));
    }
    let point = digits.len() as i64 + exp;
    if point > 0 {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    } else {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    }
}

/// A threshold policy resolved on the pooled data (1:1 or 1:N).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OperatingPoint<P> {
    /// The policy's label, e.g. `global-fmr:1e-3`.
    pub policy: String,
    /// The policy as parsed (kind and parameter).
    pub spec: P,
    /// The global threshold in input units (none for per-group policies and
    /// for investigative 1:N searches).
    pub threshold: Option<f64>,
    /// Size of the pooled non-mated set (comparisons or searches) behind it.
    pub pool: u64,
    /// FMR (1:1) or FPIR (1:N) achieved on that pooled set.
    pub achieved: Option<Rate>,
    /// Whether the pool supports a data-driven target (α ≥ 1 − 0.05^(1/N)).
    pub supported: Option<bool>,
}

/// The smallest f64 greater than `x` (for finite `x`).
pub(crate) fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let bits = x.to_bits();
    f64::from_bits(if x > 0.0 { bits + 1 } else { bits - 1 })
}

/// The exact one-sided 95% bound 1 − 0.05^(1/N): the smallest rate that `n`
/// trials with no error can support. A target α below it is "unsupported".
pub(crate) fn smallest_supported_rate(n: usize) -> f64 {
    if n == 0 {
        f64::INFINITY
    } else {
        crate::math::interval::zero_event_upper_bound(n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_of_one_or_more_is_refused_with_the_percent_hint() {
        assert!(Policy::parse("global-fmr:0.01").is_ok());
        let e = Policy::parse("global-fmr:1").unwrap_err().to_string();
        assert!(
            e.contains("--threshold") && e.contains("for 1 % write 0.01"),
            "{e}"
        );
        let e = Policy::parse("group-fmr:5").unwrap_err().to_string();
        assert!(e.contains("for 5 % write 0.05"), "{e}");
        assert!(Policy::parse("group-fmr:0").is_err());
        assert!(Policy::parse("global-fmr:1000").is_err());
        let e = crate::engine::identify::IdPolicy::parse("global-fpir:1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("for 1 % write 0.01"), "{e}");
    }

    #[test]
    fn next_up_handles_signs() {
        assert!(next_up(-1.0) > -1.0);
        assert!(next_up(0.0) > 0.0);
        assert_eq!(next_up(1.0), 1.0 + f64::EPSILON);
    }

    #[test]
    fn policy_labels_keep_alpha_as_written() {
        let p = Policy::parse("global-fmr:1e-4").unwrap();
        assert_eq!(p.label(), "global-fmr:1e-4");
        assert!(matches!(p, Policy::GlobalFmr { alpha, .. } if alpha.value() == 1e-4));
        assert!(Policy::parse("global-fmr:2").is_err());
        assert!(Policy::parse("median:0.5").is_err());
        assert!(Policy::parse("fixed").is_err());
        assert!(
            matches!(Policy::parse("fixed:-0.25").unwrap(), Policy::Fixed { threshold, .. } if threshold == -0.25)
        );
    }

    #[test]
    fn targets_are_decimals_as_written() {
        let t = |s: &str| Target::parse(s).unwrap();
        // k = ⌊α·N⌋ by hand: 29·100/100 = 29, 57, 58; 1·1000/1000 = 1.
        assert_eq!(t("0.29").floor_times(100), 29);
        assert_eq!(t("0.57").floor_times(100), 57);
        assert_eq!(t("0.58").floor_times(100), 58);
        assert_eq!(t("1e-3").floor_times(100), 0);
        assert_eq!(t("1e-3").floor_times(1000), 1);
        assert_eq!(t("0.29").floor_times(1000), 290);
        // One decimal, however written.
        for s in ["0.290", "2.9e-1", "29E-2", ".29", "+0.29", "0029e-2"] {
            assert_eq!(t(s), t("0.29"), "{s}");
        }
        assert_eq!(t("0.290"), t("0.29"));
        assert_eq!(t("2.9e-1"), t(".29"));
        // Far below 1/N, k = 0 without overflow; ⌊(10^15 − 1)·(2^64 − 1)/10^15⌋.
        assert_eq!(t("1e-300").floor_times(u64::MAX), 0);
        assert_eq!(
            t("0.999999999999999").floor_times(u64::MAX),
            18446744073709533168
        );
        assert_eq!(t("5e-20").floor_times(u64::MAX), 0);
        assert_eq!(t("1e-19").floor_times(u64::MAX), 1);
        // The double serialised gives the decimal back.
        for s in ["0.29", "1e-3", "0.123456789012345", "3e-300"] {
            let json = serde_json::to_string(&t(s)).unwrap();
            assert_eq!(
                serde_json::from_str::<Target>(&json).unwrap(),
                t(s),
                "{json}"
            );
        }
        assert_eq!(serde_json::to_string(&t("0.29")).unwrap(), "0.29");
    }

    #[test]
    fn bad_targets_say_what_is_wrong() {
        let e = |s: &str| Target::parse(s).unwrap_err();
        assert_eq!(e("0"), "α must be a fraction in (0, 1), not 0");
        assert_eq!(e("-0.5"), "α must be a fraction in (0, 1), not -0.5");
        assert_eq!(
            e("1"),
            "α must be a fraction in (0, 1), not 1; for 1 % write 0.01"
        );
        assert_eq!(
            e("1.1"),
            "α must be a fraction in (0, 1), not 1.1; for 1.1 % write 0.011"
        );
        assert_eq!(
            e("100"),
            "α must be a fraction in (0, 1), not 100; for 100 % write 1"
        );
        assert_eq!(e("nan"), "α must be a fraction in (0, 1), not nan");
        assert_eq!(e("0.x"), "\"0.x\" is not a number");
        assert!(e("0.1234567890123456").contains("more than 15 significant digits"));
        assert_eq!(e("1e-301"), "α 1e-301 is below 1e-300");
    }
}
