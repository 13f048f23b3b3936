//! The demo audit recovers the differentials its population was built with.

mod common;

use biasbench::app::demo::{self, DEMO_THRESHOLD};
use biasbench::app::simulate::{Population, SearchPopulation};
use biasbench::render::{render, render_detail, Detail, Format};

#[test]
fn demo_recovers_the_known_differentials() {
    let report = demo::run(vec!["biasbench".into(), "demo".into()]).unwrap();
    let v = report.verify().unwrap();
    let truth = demo::truth(&Population::demo());
    let view = v
        .views
        .iter()
        .find(|x| x.attribute.to_string() == "race+sex")
        .unwrap();
    let at = view
        .operating_points
        .iter()
        .find(|a| a.policy == "fixed:3")
        .unwrap();
    let (fmr, fnmr) = (
        &at.rate("fmr").unwrap().by_group,
        &at.rate("fnmr").unwrap().by_group,
    );
    assert_eq!(view.groups.len(), truth.groups.len());
    let p = &truth.population;
    // FNMR comparisons of one subject share its effect: design effect at most
    // 1 + ρ(m − 1) = 2 for ρ = 0.5, m = 3.
    let deff = 1.0 + p.subject_share * (p.mated_per_subject as f64 - 1.0);
    for (g, (got, want)) in view.groups.iter().zip(&truth.groups).enumerate() {
        assert_eq!(got.group, want.group);
        assert_eq!(at.threshold_of(g), Some(DEMO_THRESHOLD));
        for (what, rate, expect, d) in [
            ("fmr", &fmr[g], want.fmr_at_3, 1.0),
            ("fnmr", &fnmr[g], want.fnmr_at_3, deff),
        ] {
            let se = (expect * (1.0 - expect) * d / rate.trials).sqrt();
            let z = (rate.value - expect) / se;
            assert!(
                z.abs() < 4.0,
                "{} {what}: observed {} vs true {expect} (z = {z:.2})",
                got.group,
                rate.value
            );
        }
    }
    // The largest true differentials are found: D+F has the highest FMR and
    // FNMR, A+M the lowest FMR (its lowest FNMR is too close to C+M's to test).
    let by = |rates: &[biasbench::stats::rate::Rate]| {
        let mut g: Vec<_> = rates
            .iter()
            .zip(&view.groups)
            .map(|(r, info)| (r.value, info.group.clone()))
            .collect();
        g.sort_by(|a, b| a.0.total_cmp(&b.0));
        (g[0].1.clone(), g[g.len() - 1].1.clone())
    };
    assert_eq!(by(fmr), ("A+M".into(), "D+F".into()));
    assert_eq!(by(fnmr).1, "D+F");
    // The true FMR max/min across race+sex is Q(2.2)/Q(3) ≈ 10.3.
    let truth_ratio = truth.groups.iter().map(|g| g.fmr_at_3).fold(0.0, f64::max)
        / truth.groups.iter().map(|g| g.fmr_at_3).fold(1.0, f64::min);
    let got = at
        .summaries()
        .find(|s| s.metric == "fmr.max_over_min")
        .unwrap()
        .value;
    assert!(
        (got / truth_ratio - 1.0).abs() < 0.5,
        "max/min {got} vs true {truth_ratio}"
    );
}

#[test]
fn committed_demo_report_is_current() {
    let cmd = || vec!["biasbench".to_string(), "demo".to_string()];
    let reports = [
        ("report", demo::run(cmd()).unwrap()),
        ("identify", demo::run_identify(cmd()).unwrap()),
        ("ages", demo::run_estimate(cmd()).unwrap()),
    ];
    let dir = common::root().join("reports/demo");
    for (stem, report) in &reports {
        for f in Format::ALL {
            let path = dir.join(format!("{stem}.{}", f.extension()));
            let committed = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                committed == render_detail(report, f, Detail::Concise),
                "{} is stale: run `cargo run --release -- demo`",
                path.display()
            );
        }
    }
}

#[test]
fn demo_writes_every_format() {
    let dir = tempfile::tempdir().unwrap();
    demo::write(
        &demo::run(vec![]).unwrap(),
        &demo::run_identify(vec![]).unwrap(),
        &demo::run_estimate(vec![]).unwrap(),
        dir.path(),
    )
    .unwrap();
    for name in [
        "report.txt",
        "report.json",
        "report.csv",
        "report.md",
        "population.json",
        "identify.json",
        "identify.csv",
        "search_population.json",
        "ages.json",
        "ages.csv",
        "age_population.json",
    ] {
        assert!(
            dir.path().join(name).metadata().unwrap().len() > 100,
            "{name}"
        );
    }
    // The committed figures (SVG; pgfplots for LaTeX) and standalone LaTeX
    // documents are exactly those the demo writes, byte for byte.
    let svgs = |d: &std::path::Path| {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| {
                n.ends_with(".svg") || n.ends_with(".tikz") || n.ends_with("-standalone.tex")
            })
            .collect();
        names.sort();
        names
    };
    let committed = common::root().join("reports/demo");
    let names = svgs(dir.path());
    assert_eq!(
        svgs(&committed),
        names,
        "stale figures: run `cargo run --release -- demo`"
    );
    for n in &names {
        assert!(
            std::fs::read(committed.join(n)).unwrap() == std::fs::read(dir.path().join(n)).unwrap(),
            "{n} is stale: run `cargo run --release -- demo`"
        );
    }
}

/// The 1:N demo recovers its known FPIR and full-list FNIR per group.
#[test]
fn identify_demo_recovers_the_known_rates() {
    let report = demo::run_identify(vec![]).unwrap();
    let p = SearchPopulation::demo();
    let truth = demo::search_truth(&p);
    let id = report.identify().unwrap();
    let view = id
        .views
        .iter()
        .find(|v| v.attribute.to_string() == "race+sex")
        .unwrap();
    let at = view
        .operating_points
        .iter()
        .find(|a| a.policy == "fixed:2.5")
        .unwrap();
    let full = &at.rate(&format!("fnir@{}", p.gallery)).unwrap().by_group;
    let fpir = &at.rate("fpir").unwrap().by_group;
    for (g, want) in truth.iter().enumerate() {
        assert_eq!(view.groups[g].group, want.group);
        for (what, rate, expect) in [
            ("fpir", &fpir[g], want.fpir_at_2_5),
            ("fnir", &full[g], want.fnir_full_list_at_2_5),
        ] {
            let se = (expect * (1.0 - expect) / rate.trials).sqrt();
            let z = (rate.value - expect) / se;
            assert!(
                z.abs() < 4.0,
                "{} {what}: observed {} vs true {expect} (z = {z:.2})",
                want.group,
                rate.value
            );
        }
    }
    // The largest true FPIR differential is found: D+F highest, A+M lowest.
    let order = |v: &[biasbench::stats::rate::Rate]| {
        let hi = (0..v.len())
            .max_by(|&a, &b| v[a].value.total_cmp(&v[b].value))
            .unwrap();
        let lo = (0..v.len())
            .min_by(|&a, &b| v[a].value.total_cmp(&v[b].value))
            .unwrap();
        (view.groups[lo].group.clone(), view.groups[hi].group.clone())
    };
    assert_eq!(order(fpir), ("A+M".to_string(), "D+F".to_string()));
}

/// A saved JSON report reads back into the same model: every format renders
/// byte-identically from the read-back report (the release gate and model
/// comparison read saved reports).
#[test]
fn json_reports_read_back_and_render_identically() {
    let reports = [
        demo::run(vec![]).unwrap(),
        demo::run_identify(vec![]).unwrap(),
    ];
    for report in &reports {
        let json = render(report, Format::Json);
        let back: biasbench::report::Report = serde_json::from_str(&json).unwrap();
        for f in Format::ALL {
            assert!(
                render(&back, f) == render(report, f),
                "{} {f:?} differs after a JSON round trip",
                report.task()
            );
        }
    }
}
