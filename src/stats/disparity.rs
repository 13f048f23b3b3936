//! Disparity summaries over per-group values of one rate at one threshold.
//!
//! For G groups with values e_1 … e_G (ē their mean):
//! * `max_minus_min` = max − min
//! * `max_over_min` = max / min
//! * `max_over_geomean` = max / (Π e_g)^(1/G), where (NIST IR 8429) a group
//!   with zero errors in n trials enters the geometric mean — and only the
//!   geometric mean — as its one-sided 95% Clopper–Pearson bound 1 − 0.05^(1/n)
//! * `max_over_mean` = max / ē
//! * `gini` = Σ_i Σ_j |e_i − e_j| / (2·G·(G−1)·ē) (the sample-corrected Gini)
//! * `std` = √(Σ(e_g − ē)²/G) (population), `std_sample` = √(Σ(e_g − ē)²/(G−1))
//!
//! Combined over FMR and FNMR of the same groups, with weight α:
//! * `fdr` = 1 − (α·max|ΔFMR| + (1−α)·max|ΔFNMR|) (de Freitas Pereira & Marcel)
//! * `ir` = (max/min FMR)^α · (max/min FNMR)^(1−α) (inequity rate)
//! * `garbe` = α·Gini(FMR) + (1−α)·Gini(FNMR)
//! * `werm` = (max/geomean FMR)^α · (max/geomean FNMR)^(1−α), the weighted
//!   product of NIST IR 8429's max-over-geometric-mean ratios
//! * `ser` = max error / min error (error = 1 − accuracy, or EER)
//!
//! A result that is undefined or infinite is returned as NaN or ∞ together
//! with the reason (which group, how many errors of how many trials); nothing
//! is smoothed by an ε.
//!
//! Every summary whose groups have intervals carries a simultaneous interval:
//! its range over the box of per-group intervals at the Bonferroni level
//! ([`crate::stats::summary_ci`]); FDR, IR, GARBE and WERM rest on 2G
//! intervals (FMR and FNMR of every group), the others on G.

use crate::math::interval::zero_event_upper_bound;
use crate::stats::rate::{finite_or_null, null_as_nan};
use crate::stats::summary_ci::{self, Bx, Sample, SummaryInterval};
use serde::{Deserialize, Serialize};

/// One group's value of a rate, with its counts when it is a counted error
/// rate (needed for the zero-error rule of the geometric mean).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub(crate) group: &'a str,
    pub(crate) value: f64,
    /// (errors, trials) for a counted error rate; when rows carry weights,
    /// the effective counts p̂·n_eff of the Kish n_eff = (Σw)²/Σw², which do
    /// not change when every weight is multiplied by the same factor.
    pub(crate) counts: Option<(f64, f64)>,
    /// What the group's interval in the box of simultaneous intervals is
    /// computed from, when the rate has an interval.
    pub(crate) sample: Option<Sample>,
}

/// A summary value; non-finite values carry a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `<rate>.<summary>` or a combined id (`fdr`, `ir`, …).
    pub metric: String,
    /// The summary's value (NaN, written null, when undefined).
    #[serde(serialize_with = "finite_or_null", deserialize_with = "null_as_nan")]
    pub value: f64,
    /// Number of groups summarised.
    pub groups: usize,
    /// Why the value is undefined, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The error rates this summary rests on that saw fewer than 30 errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cautions: Vec<Caution>,
    /// The simultaneous interval (the summary's range over the box of
    /// per-group intervals), when the groups have intervals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<SummaryInterval>,
}

/// An error rate whose groups saw fewer than 30 errors (the rule of 30).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caution {
    /// The rate (`fmr`), absent for a summary of one unnamed error (SER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    /// (group, errors) of each group below 30 errors.
    pub few_errors: Vec<(String, f64)>,
}

impl std::fmt::Display for Caution {
    /// `fmr rests on groups with fewer than 30 errors: A (3), B (12)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(r) = &self.rate {
            write!(f, "{r} ")?;
        }
        let few: Vec<String> = self
            .few_errors
            .iter()
            .map(|(g, k)| format!("{g} ({})", count_text(*k)))
            .collect();
        write!(
            f,
            "rests on groups with fewer than 30 errors: {}",
            few.join(", ")
        )
    }
}

/// The caution of a counted error rate's entries, if any group has fewer than 30 errors.
pub(crate) fn caution(rate: Option<&str>, entries: &[Entry]) -> Option<Caution> {
    let few: Vec<(String, f64)> = entries
        .iter()
        .filter_map(|e| {
            e.counts
                .filter(|&(k, n)| n > 0.0 && k < crate::stats::rate::FEW_ERRORS)
                .map(|(k, _)| (e.group.to_string(), k))
        })
        .collect();
    (!few.is_empty()).then(|| Caution {
        rate: rate.map(str::to_string),
        few_errors: few,
    })
}

/// A value with the reason it is not finite, and its simultaneous interval.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stat {
    pub(crate) value: f64,
    pub(crate) reason: Option<String>,
    pub(crate) interval: Option<SummaryInterval>,
}

impl Stat {
    pub(crate) fn ok(value: f64) -> Stat {
        Stat {
            value,
            reason: None,
            interval: None,
        }
    }
    pub(crate) fn undefined(value: f64, reason: String) -> Stat {
        Stat {
            value,
            reason: Some(reason),
            interval: None,
        }
    }
    /// The same value with an interval.
    pub(crate) fn with(self, interval: Option<SummaryInterval>) -> Stat {
        Stat { interval, ..self }
    }
}

/// The box of the entries' intervals at the level for `parts` simultaneous intervals.
fn boxed(entries: &[Entry], parts: usize) -> Option<Bx> {
    let samples: Vec<Option<Sample>> = entries.iter().map(|e| e.sample).collect();
    Bx::new(&samples, parts)
}

/// A count as written in a reason: whole counts as they are, effective
/// (weighted) counts to one decimal.
fn count_text(x: f64) -> String {
    if x.fract() == 0.0 {
        // + 0.0 turns a negative zero (1 − 1 in effective counts) into 0.
        (x + 0.0).to_string()
    } else {
        format!("{x:.1}")
    }
}

fn describe(e: &Entry) -> String {
    match e.counts {
        Some((k, n)) => format!(
            "group {} has {} of {} errors",
            e.group,
            count_text(k),
            count_text(n)
        ),
        None => format!("group {} has value {}", e.group, e.value),
    }
}

/// The first problem that makes any summary of `entries` undefined.
fn precheck(entries: &[Entry]) -> Option<Stat> {
    if entries.is_empty() {
        return Some(Stat::undefined(f64::NAN, "no groups to summarise".into()));
    }
    entries.iter().find(|e| !e.value.is_finite()).map(|e| {
        let why = match e.counts {
            Some((_, 0.0)) => format!("group {} has 0 trials", e.group),
            _ => format!("group {} has an undefined value", e.group),
        };
        Stat::undefined(f64::NAN, why)
    })
}

fn max_entry<'a>(entries: &'a [Entry<'a>]) -> &'a Entry<'a> {
    entries
        .iter()
        .fold(&entries[0], |m, e| if e.value > m.value { e } else { m })
}

fn min_entry<'a>(entries: &'a [Entry<'a>]) -> &'a Entry<'a> {
    entries
        .iter()
        .fold(&entries[0], |m, e| if e.value < m.value { e } else { m })
}

fn mean(entries: &[Entry]) -> f64 {
    entries.iter().map(|e| e.value).sum::<f64>() / entries.len() as f64
}

/// max − min.
pub(crate) fn max_minus_min(entries: &[Entry]) -> Stat {
    precheck(entries)
        .unwrap_or_else(|| Stat::ok(max_entry(entries).value - min_entry(entries).value))
}

/// max / min; ∞ with the reason when the minimum is 0 (NaN when all are 0).
pub(crate) fn max_over_min(entries: &[Entry]) -> Stat {
    if let Some(s) = precheck(entries) {
        return s;
    }
    let (hi, lo) = (max_entry(entries), min_entry(entries));
    ratio(hi.value, lo.value, || {
        format!("the minimum is 0 ({})", describe(lo))
    })
}

fn ratio(num: f64, den: f64, why_zero: impl Fn() -> String) -> Stat {
    if den == 0.0 {
        if num == 0.0 {
            Stat::undefined(f64::NAN, format!("0 / 0: every group is 0; {}", why_zero()))
        } else {
            Stat::undefined(f64::INFINITY, why_zero())
        }
    } else {
        Stat::ok(num / den)
    }
}

/// max / geometric mean, with the zero-error rule described in the module docs.
pub(crate) fn max_over_geomean(entries: &[Entry]) -> Stat {
    if let Some(s) = precheck(entries) {
        return s;
    }
    let mut log_sum = 0.0;
    for e in entries {
        let v = match e.counts {
            Some((k, n)) if k == 0.0 && n > 0.0 => zero_event_upper_bound(n),
            _ => e.value,
        };
        if v <= 0.0 {
            let hi = max_entry(entries);
            return ratio(hi.value, 0.0, || {
                format!(
                    "the geometric mean is 0 ({} and no trial count to bound it)",
                    describe(e)
                )
            });
        }
        log_sum += v.ln();
    }
    let geo = (log_sum / entries.len() as f64).exp();
    Stat::ok(max_entry(entries).value / geo)
}

/// max / arithmetic mean.
pub(crate) fn max_over_mean(entries: &[Entry]) -> Stat {
    if let Some(s) = precheck(entries) {
        return s;
    }
    ratio(max_entry(entries).value, mean(entries), || {
        "the mean is 0".into()
    })
}

/// Gini = Σ_i Σ_j |e_i − e_j| / (2·G·(G−1)·ē).
pub(crate) fn gini(entries: &[Entry]) -> Stat {
    if let Some(s) = precheck(entries) {
        return s;
    }
    let g = entries.len();
    if g < 2 {
        return Stat::undefined(f64::NAN, "needs at least 2 groups".into());
    }
    let m = mean(entries);
    if m == 0.0 {
        return Stat::undefined(f64::NAN, "the mean is 0".into());
    }
    let mut sum = 0.0;
    for (i, a) in entries.iter().enumerate() {
        for b in &entries[i + 1..] {
            sum += (a.value - b.value).abs();
        }
    }
    // The double sum over ordered pairs is twice the sum over i < j.
    Stat::ok(2.0 * sum / (2.0 * g as f64 * (g as f64 - 1.0) * m))
}

/// Standard deviation; `sample` divides by G − 1, else by G.
pub(crate) fn std_dev(entries: &[Entry], sample: bool) -> Stat {
    if let Some(s) = precheck(entries) {
        return s;
    }
    let g = entries.len() as f64;
    if sample && entries.len() < 2 {
        return Stat::undefined(f64::NAN, "needs at least 2 groups".into());
    }
    let m = mean(entries);
    let ss: f64 = entries.iter().map(|e| (e.value - m).powi(2)).sum();
    Stat::ok((ss / if sample { g - 1.0 } else { g }).sqrt())
}

pub(crate) fn summary(metric: String, groups: usize, s: Stat, cautions: Vec<Caution>) -> Summary {
    Summary {
        metric,
        value: s.value,
        groups,
        reason: s.reason,
        cautions,
        interval: s.interval,
    }
}

/// The range over box `b` of the single-rate summary `name`.
fn range(name: &str, b: &Bx) -> Option<(f64, f64)> {
    let two = b.lo.len() >= 2;
    Some(match name {
        "max_minus_min" => summary_ci::max_minus_min(b),
        "max_over_min" => summary_ci::max_over_min(b),
        "max_over_geomean" => summary_ci::max_over_mean(b, true),
        "max_over_mean" => summary_ci::max_over_mean(b, false),
        "gini" if two => summary_ci::gini(b),
        "std" => summary_ci::std(b, false),
        "std_sample" if two => summary_ci::std(b, true),
        _ => return None,
    })
}

/// The seven single-rate summaries, as `<rate>.<summary>`.
pub(crate) fn summarize(rate: &str, entries: &[Entry]) -> Vec<Summary> {
    let g = entries.len();
    let b = boxed(entries, g);
    [
        ("max_minus_min", max_minus_min(entries)),
        ("max_over_min", max_over_min(entries)),
        ("max_over_geomean", max_over_geomean(entries)),
        ("max_over_mean", max_over_mean(entries)),
        ("gini", gini(entries)),
        ("std", std_dev(entries, false)),
        ("std_sample", std_dev(entries, true)),
    ]
    .into_iter()
    .map(|(name, s)| {
        let interval = b
            .as_ref()
            .and_then(|b| range(name, b).map(|r| b.interval(r)));
        summary(
            format!("{rate}.{name}"),
            g,
            s.with(interval),
            caution(Some(rate), entries).into_iter().collect(),
        )
    })
    .collect()
}

/// Weighted combination a^α·b^(1−α) or α·a + (1−α)·b of two summaries,
/// carrying the first reason when either is not finite.
fn combine(a: Stat, b: Stat, f: impl Fn(f64, f64) -> f64, what: [&str; 2]) -> Stat {
    let value = f(a.value, b.value);
    let reason = match (a.reason, b.reason) {
        (Some(r), _) => Some(format!("{}: {r}", what[0])),
        (None, Some(r)) => Some(format!("{}: {r}", what[1])),
        _ => None,
    };
    match reason {
        Some(r) if !value.is_finite() => Stat::undefined(value, r),
        _ => Stat::ok(value),
    }
}

/// FDR, IR, GARBE and WERM over the FMR and FNMR of the same groups (or
/// the two rates in their roles, named by `rates`, such as FPIR and FNIR).
pub(crate) fn combined(
    alpha: f64,
    rates: [&str; 2],
    fmr: &[Entry],
    fnmr: &[Entry],
) -> Vec<Summary> {
    let g = fmr.len();
    let upper = rates.map(str::to_uppercase);
    let names = [upper[0].as_str(), upper[1].as_str()];
    let both: Vec<Caution> = [caution(Some(rates[0]), fmr), caution(Some(rates[1]), fnmr)]
        .into_iter()
        .flatten()
        .collect();
    let linear = |a: f64, b: f64| alpha * a + (1.0 - alpha) * b;
    let product = |a: f64, b: f64| a.powf(alpha) * b.powf(1.0 - alpha);
    // Both rates' boxes at the level for 2G simultaneous intervals; each
    // combination is monotone in its two parts, so its range combines theirs.
    let boxes = boxed(fmr, 2 * g).zip(boxed(fnmr, 2 * g));
    let both_ranges = |part: &dyn Fn(&Bx) -> (f64, f64), f: &dyn Fn(f64, f64) -> f64| {
        boxes.as_ref().map(|(a, b)| {
            let (ra, rb) = (part(a), part(b));
            let ends = (f(ra.0, rb.0), f(ra.1, rb.1));
            a.interval((ends.0.min(ends.1), ends.0.max(ends.1)))
        })
    };
    let fdr = combine(
        max_minus_min(fmr),
        max_minus_min(fnmr),
        |a, b| 1.0 - linear(a, b),
        names,
    )
    .with(both_ranges(&summary_ci::max_minus_min, &|a, b| {
        1.0 - linear(a, b)
    }));
    let ir = combine(max_over_min(fmr), max_over_min(fnmr), product, names)
        .with(both_ranges(&summary_ci::max_over_min, &product));
    let garbe = combine(gini(fmr), gini(fnmr), linear, names).with(if g >= 2 {
        both_ranges(&summary_ci::gini, &linear)
    } else {
        None
    });
    let werm = combine(
        max_over_geomean(fmr),
        max_over_geomean(fnmr),
        product,
        names,
    )
    .with(both_ranges(
        &|b| summary_ci::max_over_mean(b, true),
        &product,
    ));
    vec![
        summary("fdr".into(), g, fdr, both.clone()),
        summary("ir".into(), g, ir, both.clone()),
        summary("garbe".into(), g, garbe, both.clone()),
        summary("werm".into(), g, werm, both),
    ]
}

/// SER = max error / min error over per-group error values.
pub(crate) fn ser(errors: &[Entry]) -> Summary {
    let interval = boxed(errors, errors.len()).map(|b| b.interval(summary_ci::max_over_min(&b)));
    summary(
        "ser".into(),
        errors.len(),
        max_over_min(errors).with(interval),
        caution(None, errors).into_iter().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries<'a>(names: &'a [String], v: &[f64]) -> Vec<Entry<'a>> {
        names
            .iter()
            .zip(v)
            .map(|(g, &value)| Entry {
                group: g,
                value,
                counts: None,
                sample: None,
            })
            .collect()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("g{i}")).collect()
    }

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol * b.abs(), "{a} vs {b}");
    }

    fn get(s: &[Summary], m: &str) -> f64 {
        s.iter().find(|x| x.metric == m).unwrap().value
    }

    #[test]
    fn four_group_vector_from_the_issue() {
        // Values given in issue 2 (computed independently of this code).
        let n = names(4);
        let fmr = entries(&n, &[1e-4, 3e-4, 2e-5, 5e-5]);
        let fnmr = entries(&n, &[0.010, 0.020, 0.015, 0.040]);
        let c = combined(0.5, ["fmr", "fnmr"], &fmr, &fnmr);
        close(get(&c, "fdr"), 0.98486, 1e-12);
        close(get(&c, "ir"), 7.745_966_692_4, 1e-10);
        close(get(&c, "garbe"), 0.501_877_346_7, 1e-9);
        close(gini(&fmr).value, 0.631_205_673_8, 1e-9);
        close(gini(&fnmr).value, 0.372_549_019_6, 1e-9);
        close(max_over_geomean(&fmr).value, 4.053_600_464_4, 1e-10);
        close(max_over_geomean(&fnmr).value, 2.149_139_863_6, 1e-10);
        // WERM is the weighted product of the two geomean ratios.
        close(
            get(&c, "werm"),
            (4.053_600_464_4f64 * 2.149_139_863_6).sqrt(),
            1e-10,
        );
    }

    #[test]
    fn nistir_8280_annex_15_visionlabs_006() {
        // NISTIR 8280 Annex 15, visionlabs-006, 8 sex × race groups. The annex
        // plots log10 FMR on a grid, so 3.98107e-4 is 10^-3.4 and so on; the
        // expected FDR, IR and GARBE of issue 2 are those of the exact powers.
        let n = names(8);
        let p = |x: f64| 10f64.powf(x);
        let fmr = entries(
            &n,
            &[
                p(-3.4),
                p(-4.4),
                p(-3.9),
                1e-5,
                p(-3.7),
                1e-5,
                p(-4.9),
                1e-5,
            ],
        );
        let fnmr = entries(
            &n,
            &[
                0.0101, 0.0057, 0.0017, 0.0035, 0.0073, 0.0036, 0.0014, 0.0046,
            ],
        );
        let c = combined(0.5, ["fmr", "fnmr"], &fmr, &fnmr);
        close(get(&c, "fdr"), 0.995_455_95, 5e-9); // 8 decimals as published
        close(get(&c, "ir"), 16.947_150, 1e-7);
        close(get(&c, "garbe"), 0.539_868, 1e-6);
        // With the six-digit rates as printed, numpy gives (scripts/crosscheck):
        // FDR 0.9954559465, IR 16.94714619886529, GARBE 0.5398676572886794.
        let fmr = entries(
            &n,
            &[
                3.98107e-4, 3.98107e-5, 1.25893e-4, 1e-5, 1.99526e-4, 1e-5, 1.25893e-5, 1e-5,
            ],
        );
        let c = combined(0.5, ["fmr", "fnmr"], &fmr, &fnmr);
        close(get(&c, "fdr"), 0.995_455_946_5, 1e-12);
        close(get(&c, "ir"), 16.947_146_198_865_29, 1e-13);
        close(get(&c, "garbe"), 0.539_867_657_288_679_4, 1e-13);
    }

    #[test]
    fn simple_hand_worked_summaries() {
        // e = [1, 2, 3, 6]: mean 3; |diffs| over i<j: 1+2+5+1+4+3 = 16;
        // Gini = 2·16 / (2·4·3·3) = 0.4444…; population var = (4+1+0+9)/4 = 3.5.
        let n = names(4);
        let e = entries(&n, &[1.0, 2.0, 3.0, 6.0]);
        let s = summarize("x", &e);
        close(get(&s, "x.max_minus_min"), 5.0, 0.0);
        close(get(&s, "x.max_over_min"), 6.0, 0.0);
        close(get(&s, "x.max_over_mean"), 2.0, 1e-15);
        close(get(&s, "x.gini"), 4.0 / 9.0, 1e-15);
        close(get(&s, "x.std"), 3.5f64.sqrt(), 1e-15);
        close(get(&s, "x.std_sample"), (14.0f64 / 3.0).sqrt(), 1e-15);
        // geomean = 36^(1/4) = √6
        close(get(&s, "x.max_over_geomean"), 6.0 / 6f64.sqrt(), 1e-14);
    }

    #[test]
    fn a_negative_zero_count_reads_0() {
        assert_eq!(count_text(-0.0), "0");
        assert_eq!(count_text(3.0), "3");
    }

    #[test]
    fn zero_error_group_uses_its_bound_in_the_geomean_only() {
        let n = names(2);
        let e = vec![
            Entry {
                group: &n[0],
                value: 0.0,
                counts: Some((0.0, 1000.0)),
                sample: None,
            },
            Entry {
                group: &n[1],
                value: 0.01,
                counts: Some((10.0, 1000.0)),
                sample: None,
            },
        ];
        let bound = 1.0 - 0.05f64.powf(1.0 / 1000.0);
        close(
            max_over_geomean(&e).value,
            0.01 / (bound * 0.01).sqrt(),
            1e-12,
        );
        // max/min stays honest: infinite, with the group and its counts.
        let r = max_over_min(&e);
        assert_eq!(r.value, f64::INFINITY);
        assert!(r.reason.unwrap().contains("g0 has 0 of 1000 errors"));
        // ... and the mean is not touched by the rule.
        close(max_over_mean(&e).value, 2.0, 1e-15);
    }

    #[test]
    fn undefined_inputs_give_reasons_not_numbers() {
        let n = names(2);
        let e = vec![
            Entry {
                group: &n[0],
                value: f64::NAN,
                counts: Some((0.0, 0.0)),
                sample: None,
            },
            Entry {
                group: &n[1],
                value: 0.01,
                counts: Some((1.0, 100.0)),
                sample: None,
            },
        ];
        for s in summarize("fmr", &e) {
            assert!(s.value.is_nan());
            assert_eq!(s.reason.as_deref(), Some("group g0 has 0 trials"));
        }
        assert!(gini(&[]).reason.unwrap().contains("no groups"));
        let zeros = entries(&n, &[0.0, 0.0]);
        assert!(max_over_min(&zeros).value.is_nan());
        assert!(gini(&zeros).reason.unwrap().contains("mean is 0"));
        let one = entries(&n[..1], &[0.5]);
        assert!(std_dev(&one, true).value.is_nan());
        assert_eq!(std_dev(&one, false).value, 0.0);
    }

    #[test]
    fn ir_with_a_zero_minimum_is_infinite_with_reason() {
        let n = names(2);
        let fmr = entries(&n, &[0.0, 1e-3]);
        let fnmr = entries(&n, &[0.01, 0.02]);
        let c = combined(0.5, ["fmr", "fnmr"], &fmr, &fnmr);
        let ir = c.iter().find(|s| s.metric == "ir").unwrap();
        assert_eq!(ir.value, f64::INFINITY);
        assert!(ir
            .reason
            .as_deref()
            .unwrap()
            .starts_with("FMR: the minimum is 0"));
        let fdr = c.iter().find(|s| s.metric == "fdr").unwrap();
        close(fdr.value, 1.0 - (0.5 * 1e-3 + 0.5 * 0.01), 1e-15);
    }
}
