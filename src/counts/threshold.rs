//! Threshold policies (the exact order-statistic rule itself is
//! `Column::fmr_threshold` in the crate-private `counts::column`).
//!
//! Scores are held in *similarity* orientation (higher = more alike; distances
//! are negated on input), and a comparison is accepted when `score >= τ`.

use crate::error::{Error, Result};
use crate::stats::rate::Rate;
use serde::{Deserialize, Serialize};

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
        alpha: f64,
    },
    /// `group-fmr:α` — a τ_g per group from that group's own non-mated set.
    GroupFmr {
        /// The policy as written, e.g. `group-fmr:1e-3`.
        label: String,
        /// The target FMR α of every group.
        alpha: f64,
    },
}

impl Policy {
    /// Parses `fixed:T`, `global-fmr:α` or `group-fmr:α`; the label keeps α as written.
    pub fn parse(s: &str) -> Result<Policy> {
        let bad = |why: String| Error::option("--threshold", format!("{s:?}: {why}"));
        let (kind, arg) = s.split_once(':').ok_or_else(|| {
            bad("expected KIND:VALUE (fixed:T, global-fmr:α, group-fmr:α)".into())
        })?;
        let value: f64 = arg
            .trim()
            .parse()
            .map_err(|_| bad(format!("{arg:?} is not a number")))?;
        let label = format!("{kind}:{}", arg.trim());
        let alpha_ok = target_rate(value).is_ok();
        match kind {
            "fixed" if value.is_finite() => Ok(Policy::Fixed {
                label,
                threshold: value,
            }),
            "global-fmr" if alpha_ok => Ok(Policy::GlobalFmr {
                label,
                alpha: value,
            }),
            "group-fmr" if alpha_ok => Ok(Policy::GroupFmr {
                label,
                alpha: value,
            }),
            "fixed" => Err(bad("the threshold must be finite".into())),
            "global-fmr" | "group-fmr" => Err(bad(target_rate(value).unwrap_err())),
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
    decades: i32,
    kind: &str,
    what: &str,
    make: impl Fn(String, f64) -> P,
) -> (Vec<P>, Vec<String>) {
    let mut keep = Vec::new();
    let mut notes = Vec::new();
    for e in 1..=decades {
        let alpha = 10f64.powi(-e);
        let label = format!("{kind}:1e-{e}");
        if alpha >= smallest_supported_rate(pool) {
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

/// A target rate α of a data-driven threshold: a fraction in (0, 1). A
/// target of 1 (every impostor accepted) or more is refused, with how to
/// write a percentage (`1` → `0.01`).
pub(crate) fn target_rate(alpha: f64) -> std::result::Result<f64, String> {
    if alpha > 0.0 && alpha < 1.0 {
        return Ok(alpha);
    }
    let hint = if (1.0..=100.0).contains(&alpha) {
        format!("; for {alpha} % write {}", alpha / 100.0)
    } else {
        String::new()
    };
    Err(format!("α must be a fraction in (0, 1), not {alpha}{hint}"))
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
        assert!(matches!(p, Policy::GlobalFmr { alpha, .. } if alpha == 1e-4));
        assert!(Policy::parse("global-fmr:2").is_err());
        assert!(Policy::parse("median:0.5").is_err());
        assert!(Policy::parse("fixed").is_err());
        assert!(
            matches!(Policy::parse("fixed:-0.25").unwrap(), Policy::Fixed { threshold, .. } if threshold == -0.25)
        );
    }
}
