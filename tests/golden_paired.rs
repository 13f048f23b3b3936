//! McNemar's exact test of two models' discordant decisions against scipy
//! and statsmodels (scripts/crosscheck/paired_golden.py →
//! fixtures/golden/paired.json).

mod common;

use biasbench::stats::paired::Discordance;
use common::root;
use serde_json::Value;

#[test]
fn mcnemar_matches_scipy_and_statsmodels() {
    let text = std::fs::read_to_string(root().join("fixtures/golden/paired.json")).unwrap();
    let golden: Value = serde_json::from_str(&text).unwrap();
    let cases = golden["mcnemar"].as_array().unwrap();
    assert!(cases.len() >= 10);
    let n = |c: &Value, k: &str| c[k].as_u64().unwrap();
    for c in cases {
        let (both, only_a, only_b) = (n(c, "both"), n(c, "only_a"), n(c, "only_b"));
        let d = Discordance::new(n(c, "trials"), both + only_a, both + only_b, both).unwrap();
        let (got, want) = (d.mcnemar_p(), c["p"].as_f64().unwrap());
        assert!(
            (got - want).abs() <= 1e-10 * want.max(1e-300) || got == want,
            "{only_a} vs {only_b}: {got:e}, scipy {want:e}"
        );
    }
}
