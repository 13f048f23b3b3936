//! Intervals, special functions and tests of difference against scipy and
//! statsmodels (scripts/crosscheck/special_golden.py → fixtures/golden/special.json).

mod common;

use biasbench::math::interval::{interval, zero_event_bound, CiSpec, Method};
use biasbench::math::special::{chi2_sf, normal_quantile};
use biasbench::stats::significance::{fisher_exact, holm, homogeneity, two_proportion};
use common::root;
use serde_json::Value;

fn golden() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/golden/special.json")).unwrap(),
    )
    .unwrap()
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs() || got == want,
        "{what}: {got:e} vs {want:e}"
    );
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn intervals_match_statsmodels_to_1e_10() {
    let g = golden();
    let mut n_checked = 0;
    for row in g["intervals"].as_array().unwrap() {
        let (k, n, level) = (f(&row["k"]), f(&row["n"]), f(&row["level"]));
        for (name, method) in [
            ("clopper-pearson", Method::ClopperPearson),
            ("jeffreys", Method::Jeffreys),
            ("wilson", Method::Wilson),
        ] {
            let ci = interval(k, n, CiSpec { method, level }).unwrap();
            let want = &row[name];
            let what = format!("{name} k={k} n={n} level={level}");
            close(&format!("{what} low"), ci.low, f(&want[0]), 1e-10);
            close(&format!("{what} high"), ci.high, f(&want[1]), 1e-10);
            n_checked += 2;
        }
    }
    for row in g["one_sided_zero"].as_array().unwrap() {
        let (n, level) = (f(&row["n"]), f(&row["level"]));
        let spec = CiSpec {
            method: Method::ClopperPearson,
            level,
        };
        let ci = interval(0.0, n, spec).unwrap();
        close(
            &format!("zero events n={n} level={level}"),
            ci.high,
            f(&row["upper"]),
            1e-13,
        );
        close(
            "bound",
            zero_event_bound(n, spec.alpha()),
            f(&row["upper"]),
            1e-13,
        );
        n_checked += 1;
    }
    assert!(n_checked > 300);
}

#[test]
fn special_functions_match_scipy() {
    let g = golden();
    for row in g["normal_quantile"].as_array().unwrap() {
        close(
            &format!("norm.ppf({})", row["p"]),
            normal_quantile(f(&row["p"])),
            f(&row["x"]),
            1e-14,
        );
    }
    for row in g["chi2_sf"].as_array().unwrap() {
        close(
            &format!("chi2.sf({}, {})", row["x"], row["df"]),
            chi2_sf(f(&row["x"]), f(&row["df"])),
            f(&row["sf"]),
            1e-12,
        );
    }
}

#[test]
fn tests_of_difference_match_scipy_and_statsmodels() {
    let g = golden();
    for row in g["fisher"].as_array().unwrap() {
        let t: Vec<u64> = row["table"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()))
            .collect();
        close(
            &format!("fisher {t:?}"),
            fisher_exact(t[0], t[1], t[2], t[3]).p.unwrap(),
            f(&row["p"]),
            1e-12,
        );
    }
    for row in g["two_proportion"].as_array().unwrap() {
        let r = two_proportion(f(&row["k1"]), f(&row["n1"]), f(&row["k2"]), f(&row["n2"]));
        close("z", r.statistic.unwrap(), f(&row["z"]), 1e-12);
        close("z p", r.p.unwrap(), f(&row["p"]), 1e-11);
    }
    for row in g["holm"].as_array().unwrap() {
        let p: Vec<Option<f64>> = row["p"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64())
            .collect();
        for (got, want) in holm(&p).iter().zip(row["adjusted"].as_array().unwrap()) {
            close("holm", got.unwrap(), f(want), 1e-15);
        }
    }
    for row in g["homogeneity"].as_array().unwrap() {
        let c: Vec<(f64, f64)> = row["errors"]
            .as_array()
            .unwrap()
            .iter()
            .zip(row["trials"].as_array().unwrap())
            .map(|(k, n)| (f(k), f(n)))
            .collect();
        let t = homogeneity(&c);
        close("chi2", t.statistic.unwrap(), f(&row["chi2"]), 1e-12);
        close("chi2 p", t.p.unwrap(), f(&row["p"]), 1e-11);
        assert_eq!(t.df.unwrap(), f(&row["df"]));
    }
}
