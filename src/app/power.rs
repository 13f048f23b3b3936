//! `biasbench power`: the size of an evaluation, per group, that a goal
//! needs ([`crate::stats::power`]), as text or JSON.

use crate::error::Result;
use crate::render::number::plain;
use crate::stats::power::{sample_size, Clustering, Goal, SampleSize};
use std::fmt::Write;

/// Answers the planning question, as text (`json`: pretty JSON).
pub fn run(goal: Goal, clustering: Clustering, json: bool) -> Result<String> {
    let size = sample_size(goal, clustering)?;
    Ok(if json {
        let mut s =
            serde_json::to_string_pretty(&size).expect("a sample size has only numbers and flags");
        s.push('\n');
        s
    } else {
        text(&size)
    })
}

/// The plain-text answer: the question, the size per group, the model.
pub fn text(s: &SampleSize) -> String {
    let k = s.clustering.per_subject;
    let trials = s.trials_per_group as f64;
    let (question, achieved, errors) = match s.goal {
        Goal::Difference {
            rate,
            ratio,
            alpha,
            power,
        } => (
            format!(
                "detect a rate of {} against {} (ratio {}): two-sided z test, alpha {}, power {}",
                plain(rate),
                plain(rate * ratio),
                plain(ratio),
                plain(alpha),
                plain(power)
            ),
            ("power at this size", plain(s.achieved)),
            format!(
                "{} and {}",
                plain(trials * rate),
                plain(trials * rate * ratio)
            ),
        ),
        Goal::Width { rate, level, .. } => {
            let w = s.goal.absolute_width().unwrap_or(f64::NAN);
            (
                format!(
                    "estimate a rate of {} within ±{} (±{} %) at {} % confidence",
                    plain(rate),
                    plain(w),
                    plain(100.0 * w / rate),
                    plain(100.0 * level)
                ),
                ("half-width at this size", plain(s.achieved)),
                plain(trials * rate),
            )
        }
    };
    let rows = [
        ("comparisons per subject (k)", k.to_string()),
        ("intra-subject correlation (rho)", plain(s.clustering.icc)),
        ("design effect 1 + (k-1) rho", plain(s.design_effect)),
        (
            "independent comparisons needed",
            plain(s.effective_needed.ceil()),
        ),
        ("subjects per group", s.subjects_per_group.to_string()),
        ("comparisons per group", s.trials_per_group.to_string()),
        ("effective comparisons", plain(s.effective_trials)),
        (achieved.0, achieved.1),
        ("errors expected per group", errors),
    ];
    let mut out = format!("Goal: {question}.\nPer group:\n\n");
    for (label, value) in rows {
        let _ = writeln!(out, "  {label:<33}{value}");
    }
    out.push_str(
        "\nModel: the k comparisons of a subject are correlated trials (Schuckers' clustered\n\
         binomial); n comparisons weigh as n / (1 + (k-1) rho) independent ones, as in the\n\
         default cluster-robust intervals. rho is the correlation of the error indicators\n\
         (not of the scores): estimate it from a pilot or a previous evaluation.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn plain_numbers() {
        let cases = [
            (1e-4, "1e-4"),
            (0.05, "0.05"),
            (2.0, "2"),
            (47.1, "47.1"),
            (1.999, "1.999"),
        ];
        for (x, want) in cases {
            assert_eq!(plain(x), want);
        }
        assert_eq!(plain(235_617.8), "235618");
        assert_eq!(plain(1.5e-5), "1.5e-5");
    }
}
