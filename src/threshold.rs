//! Threshold policies and the exact order-statistic threshold rule.
//!
//! Scores are held in *similarity* orientation (higher = more alike; distances
//! are negated on input), and a comparison is accepted when `score >= τ`.

use crate::error::{Error, Result};
use serde::Serialize;

/// How the decision threshold of an operating point is chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Policy {
    /// `fixed:T` — the given threshold, in the input's own score units.
    Fixed { label: String, threshold: f64 },
    /// `global-fmr:α` — one τ from the pooled non-mated set.
    GlobalFmr { label: String, alpha: f64 },
    /// `group-fmr:α` — a τ_g per group from that group's own non-mated set.
    GroupFmr { label: String, alpha: f64 },
}

impl Policy {
    /// Parses `fixed:T`, `global-fmr:α` or `group-fmr:α`; the label keeps α as written.
    pub fn parse(s: &str) -> Result<Policy> {
        let (kind, arg) = s.split_once(':').ok_or_else(|| {
            Error::Config(format!(
                "threshold policy {s:?}: expected KIND:VALUE (fixed:T, global-fmr:α, group-fmr:α)"
            ))
        })?;
        let value: f64 = arg.trim().parse().map_err(|_| {
            Error::Config(format!("threshold policy {s:?}: {arg:?} is not a number"))
        })?;
        let label = format!("{kind}:{}", arg.trim());
        let alpha_ok = value > 0.0 && value <= 1.0;
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
            "fixed" => Err(Error::Config(format!(
                "threshold policy {s:?}: the threshold must be finite"
            ))),
            "global-fmr" | "group-fmr" => Err(Error::Config(format!(
                "threshold policy {s:?}: α must be in (0, 1]"
            ))),
            _ => Err(Error::Config(format!(
                "threshold policy {s:?}: unknown kind {kind:?} (fixed, global-fmr, group-fmr)"
            ))),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Policy::Fixed { label, .. }
            | Policy::GlobalFmr { label, .. }
            | Policy::GroupFmr { label, .. } => label,
        }
    }
}

/// Number of scores `>= tau` in an ascending slice.
pub fn count_at_or_above(sorted: &[f64], tau: f64) -> usize {
    sorted.len() - sorted.partition_point(|&x| x < tau)
}

/// The exact order-statistic threshold for a target false-match rate α over
/// non-mated scores sorted ascending.
///
/// With the scores sorted descending s(1) ≥ … ≥ s(N) and k = ⌊αN⌋, τ is the
/// smallest observed score such that #{s ≥ τ} ≤ k, or the next representable
/// value above s(1) when no observed score qualifies (ties at the top exceed k).
/// Ties are never split, so the achieved rate #{s ≥ τ}/N is ≤ α. Returns
/// `None` for an empty set.
pub fn fmr_threshold(sorted_ascending: &[f64], alpha: f64) -> Option<f64> {
    let n = sorted_ascending.len();
    if n == 0 {
        return None;
    }
    let k = ((alpha * n as f64).floor() as usize).min(n);
    if k == n {
        return Some(sorted_ascending[0]);
    }
    // s(k+1) in descending order must be rejected, so τ > s(k+1); the answer is
    // the smallest observed score above it.
    let rejected = sorted_ascending[n - 1 - k];
    let first_above = sorted_ascending.partition_point(|&x| x <= rejected);
    Some(if first_above < n {
        sorted_ascending[first_above]
    } else {
        next_up(sorted_ascending[n - 1])
    })
}

/// The smallest f64 greater than `x` (for finite `x`).
pub fn next_up(x: f64) -> f64 {
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
pub fn smallest_supported_rate(n: usize) -> f64 {
    if n == 0 {
        f64::INFINITY
    } else {
        crate::uncertainty::zero_event_upper_bound(n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asc(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn order_statistic_without_ties() {
        // 10 scores 1..=10; α = 0.2 → k = 2 → accept {10, 9}: τ = 9.
        let s = asc(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10.]);
        assert_eq!(fmr_threshold(&s, 0.2), Some(9.0));
        assert_eq!(count_at_or_above(&s, 9.0), 2);
        // α = 0.25 → k = ⌊2.5⌋ = 2: same threshold, achieved 0.2 ≤ 0.25.
        assert_eq!(fmr_threshold(&s, 0.25), Some(9.0));
        // α = 0.05 → k = 0 → nothing accepted: τ just above the top score.
        let t = fmr_threshold(&s, 0.05).unwrap();
        assert!(t > 10.0 && t < 10.000_000_001);
        assert_eq!(count_at_or_above(&s, t), 0);
        // α = 1 → all accepted: τ = min.
        assert_eq!(fmr_threshold(&s, 1.0), Some(1.0));
    }

    #[test]
    fn ties_at_the_boundary_are_never_split() {
        // descending: 9, 7, 7, 7, 5, 3; α = 0.5 → k = 3. τ = 7 would accept 4,
        // so τ moves up to 9 and the achieved rate is 1/6.
        let s = asc(&[7., 3., 7., 9., 5., 7.]);
        assert_eq!(fmr_threshold(&s, 0.5), Some(9.0));
        // All tied at the top: 4 × 2.0, α = 0.5 → τ above 2.0, achieved 0.
        let s = asc(&[2., 2., 2., 2.]);
        let t = fmr_threshold(&s, 0.5).unwrap();
        assert_eq!(t, next_up(2.0));
        assert_eq!(count_at_or_above(&s, t), 0);
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
