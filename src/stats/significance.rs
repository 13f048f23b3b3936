//! Tests of difference between groups: a chi-square test of homogeneity
//! across all groups, each group against the reference (Fisher's exact test
//! for small counts, the two-proportion z test otherwise), and Holm's
//! step-down correction over the comparisons of one rate.

use crate::math::special::{chi2_sf, ln_gamma, normal_cdf};
use crate::stats::rate::Rate;
use serde::{Deserialize, Serialize};

/// The test behind a p-value (serialised by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestMethod {
    /// Pearson's chi-square test of homogeneity across groups.
    #[serde(rename = "chi-square homogeneity")]
    ChiSquareHomogeneity,
    /// Two-proportion z-test (pooled variance).
    #[serde(rename = "two-proportion z")]
    TwoProportionZ,
    /// Fisher's exact test (two-sided).
    #[serde(rename = "Fisher exact")]
    FisherExact,
}

impl TestMethod {
    /// The name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            TestMethod::ChiSquareHomogeneity => "chi-square homogeneity",
            TestMethod::TwoProportionZ => "two-proportion z",
            TestMethod::FisherExact => "Fisher exact",
        }
    }

    /// The tidy CSV's suffix of a test against the reference (`fisher`, `z`).
    pub(crate) fn id(self) -> &'static str {
        match self {
            TestMethod::ChiSquareHomogeneity => "chi2",
            TestMethod::TwoProportionZ => "z",
            TestMethod::FisherExact => "fisher",
        }
    }
}

/// A test result; a p-value that cannot be computed is `None` with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Test {
    /// The test used.
    pub method: TestMethod,
    /// The test statistic (χ² or z; none for Fisher).
    pub statistic: Option<f64>,
    /// Degrees of freedom of a chi-square statistic.
    pub df: Option<f64>,
    /// The p-value, when it can be computed.
    pub p: Option<f64>,
    /// Why there is no p-value, if there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn untestable(method: TestMethod, why: &str) -> Test {
    Test {
        method,
        statistic: None,
        df: None,
        p: None,
        reason: Some(why.to_string()),
    }
}

/// Pearson's chi-square test (no continuity correction) that the groups
/// share one rate: `counts` are (events, trials); groups without trials are
/// left out. df = G − 1.
pub fn homogeneity(counts: &[(f64, f64)]) -> Test {
    const M: TestMethod = TestMethod::ChiSquareHomogeneity;
    let c: Vec<(f64, f64)> = counts.iter().copied().filter(|&(_, n)| n > 0.0).collect();
    if c.len() < 2 {
        return untestable(M, "fewer than 2 groups with trials");
    }
    let (k, n): (f64, f64) = c.iter().fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
    if k == 0.0 || k == n {
        return untestable(
            M,
            if k == 0.0 {
                "no events in any group"
            } else {
                "every trial is an event"
            },
        );
    }
    let p = k / n;
    let stat: f64 = c
        .iter()
        .map(|&(x, m)| {
            let (e1, e0) = (m * p, m * (1.0 - p));
            (x - e1).powi(2) / e1 + ((m - x) - e0).powi(2) / e0
        })
        .sum();
    let df = (c.len() - 1) as f64;
    Test {
        method: M,
        statistic: Some(stat),
        df: Some(df),
        p: Some(chi2_sf(stat, df)),
        reason: None,
    }
}

/// Two-sided two-proportion z test with the pooled proportion.
pub fn two_proportion(k1: f64, n1: f64, k2: f64, n2: f64) -> Test {
    const M: TestMethod = TestMethod::TwoProportionZ;
    if n1 <= 0.0 || n2 <= 0.0 {
        return untestable(M, "a group has no trials");
    }
    let p = (k1 + k2) / (n1 + n2);
    let se = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se == 0.0 {
        return untestable(
            M,
            "no variation: both groups are all events or all non-events",
        );
    }
    let z = (k1 / n1 - k2 / n2) / se;
    Test {
        method: M,
        statistic: Some(z),
        df: None,
        p: Some(2.0 * normal_cdf(-z.abs())),
        reason: None,
    }
}

/// Two-sided Fisher exact test of the 2×2 table [[a, b], [c, d]]: the sum of
/// the hypergeometric probabilities of all tables with the same margins that
/// are no more likely than the observed one (relative tolerance 1e-7, as scipy).
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> Test {
    const M: TestMethod = TestMethod::FisherExact;
    let (r1, r2, c1) = (a + b, c + d, a + c);
    let n = r1 + r2;
    if r1 == 0 || r2 == 0 || c1 == 0 || c1 == n {
        return Test {
            method: M,
            statistic: None,
            df: None,
            p: Some(1.0),
            reason: None,
        };
    }
    let ln_choose = |n: u64, k: u64| {
        ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
    };
    let ln_total = ln_choose(n, c1);
    let pmf = |x: u64| (ln_choose(r1, x) + ln_choose(r2, c1 - x) - ln_total).exp();
    let (lo, hi) = (c1.saturating_sub(r2), c1.min(r1));
    let observed = pmf(a);
    let p: f64 = (lo..=hi)
        .map(pmf)
        .filter(|&q| q <= observed * (1.0 + 1e-7))
        .sum();
    Test {
        method: M,
        statistic: None,
        df: None,
        p: Some(p.min(1.0)),
        reason: None,
    }
}

/// A group against the reference: Fisher's exact test when the counts are
/// whole numbers and some expected cell is below 5, else the z test.
pub(crate) fn versus(k: f64, n: f64, k_ref: f64, n_ref: f64) -> Test {
    let whole = [k, n, k_ref, n_ref]
        .iter()
        .all(|x| x.fract() == 0.0 && *x < 1e15);
    let p = (k + k_ref) / (n + n_ref);
    let smallest = [n * p, n * (1.0 - p), n_ref * p, n_ref * (1.0 - p)]
        .into_iter()
        .fold(f64::INFINITY, f64::min);
    if whole && smallest < 5.0 && n > 0.0 && n_ref > 0.0 {
        fisher_exact(
            k as u64,
            (n - k) as u64,
            k_ref as u64,
            (n_ref - k_ref) as u64,
        )
    } else {
        two_proportion(k, n, k_ref, n_ref)
    }
}

/// Holm's step-down adjustment; `None` p-values stay `None` and do not count.
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    idx.sort_by(|&a, &b| p[a].unwrap_or(1.0).total_cmp(&p[b].unwrap_or(1.0)));
    let m = idx.len();
    let mut out = vec![None; p.len()];
    let mut running: f64 = 0.0;
    for (rank, &i) in idx.iter().enumerate() {
        let adj = ((m - rank) as f64 * p[i].unwrap_or(1.0)).min(1.0);
        running = running.max(adj);
        out[i] = Some(running);
    }
    out
}

/// One group against the reference, with its Holm-adjusted p-value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupTest {
    /// The group tested against the reference.
    pub group: String,
    /// The test of this group against the reference.
    #[serde(flatten)]
    pub test: Test,
    /// The p-value after Holm's step-down adjustment over the groups.
    pub p_holm: Option<f64>,
}

/// The tests of one rate at one operating point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateTests {
    /// The rate tested.
    pub metric: String,
    /// Homogeneity test across the groups.
    pub homogeneity: Test,
    /// The reference group, if the view has one.
    pub reference: Option<String>,
    /// Each other group against the reference.
    pub versus_reference: Vec<GroupTest>,
}

/// Homogeneity across `groups` and each group against `reference` (Holm
/// over those comparisons). Weighted rates enter with effective counts
/// (p̂·n_eff of n_eff), which sends them to the z test.
pub(crate) fn rate_tests(
    metric: &str,
    groups: &[(&str, &Rate)],
    reference: Option<&str>,
) -> RateTests {
    let counts: Vec<(f64, f64)> = groups.iter().map(|(_, r)| r.effective_counts()).collect();
    let reference_counts = reference
        .and_then(|name| groups.iter().position(|(g, _)| *g == name))
        .map(|i| counts[i]);
    let mut versus_reference: Vec<GroupTest> = match reference_counts {
        Some((k0, n0)) => groups
            .iter()
            .zip(&counts)
            .filter(|((g, _), _)| Some(*g) != reference)
            .map(|((g, _), &(k, n))| GroupTest {
                group: g.to_string(),
                test: versus(k, n, k0, n0),
                p_holm: None,
            })
            .collect(),
        None => Vec::new(),
    };
    let adjusted = holm(
        &versus_reference
            .iter()
            .map(|t| t.test.p)
            .collect::<Vec<_>>(),
    );
    for (t, p) in versus_reference.iter_mut().zip(adjusted) {
        t.p_holm = p;
    }
    RateTests {
        metric: metric.to_string(),
        homogeneity: homogeneity(&counts),
        reference: reference.map(str::to_string),
        versus_reference,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_tables() {
        // [[0, 5], [5, 0]]: only the two extreme tables, each 1/252 → p = 2/252.
        let t = fisher_exact(0, 5, 5, 0);
        assert!((t.p.unwrap() - 2.0 / 252.0).abs() < 1e-15);
        // Equal rates: z = 0, p = 1; homogeneity 0.
        assert_eq!(two_proportion(10.0, 100.0, 20.0, 200.0).p, Some(1.0));
        assert_eq!(
            homogeneity(&[(10.0, 100.0), (20.0, 200.0)]).statistic,
            Some(0.0)
        );
        assert!(homogeneity(&[(0.0, 10.0), (0.0, 20.0)]).p.is_none());
    }
}
