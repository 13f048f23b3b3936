//! `biasbench power`: the size of an evaluation, per group, that a goal
//! needs ([`crate::stats::power`]), as text or JSON.

use crate::error::Result;
use crate::render::number::short;
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
                "detect a rate of {} against {} (ratio {}) by a two-sided z test at alpha {} with power {}",
                short(rate),
                short(rate * ratio),
                short(ratio),
                short(alpha),
                short(power)
            ),
            ("power at this size", short(s.achieved)),
            format!(
                "{} and {}",
                short(trials * rate),
                short(trials * rate * ratio)
            ),
        ),
        Goal::Width {
            rate,
            half_width,
            relative,
            level,
        } => {
            let w = if relative {
                half_width * rate
            } else {
                half_width
            };
            (
                format!(
                    "estimate a rate of {} within ±{} (±{} %) at {} % confidence",
                    short(rate),
                    short(w),
                    short(100.0 * w / rate),
                    short(100.0 * level)
                ),
                ("half-width at this size", short(s.achieved)),
                short(trials * rate),
            )
        }
    };
    let rows = [
        ("comparisons per subject (k)", k.to_string()),
        ("intra-subject correlation (rho)", short(s.clustering.icc)),
        ("design effect 1 + (k-1) rho", short(s.design_effect)),
        (
            "independent comparisons needed",
            short(s.effective_needed.ceil()),
        ),
        ("subjects per group", s.subjects_per_group.to_string()),
        ("comparisons per group", s.trials_per_group.to_string()),
        ("effective comparisons", short(s.effective_trials)),
        (achieved.0, achieved.1),
        ("errors expected per group", errors),
    ];
    let mut out = format!("To {question}, each group needs:\n\n");
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
