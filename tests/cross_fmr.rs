//! The cross-group FMR is sparse: only pairs of groups with non-mated
//! comparisons have a cell (issue 12: 2,000 per-side groups built a dense
//! groups × groups matrix at every operating point, 4.2 GB and 2.66 GB of
//! JSON), and the heat map shows a bounded number of groups, saying so.

use biasbench::app::audit::VerifyJob;
use biasbench::counts::threshold::Policy;
use biasbench::engine::verify::{CrossCell, VerifyOptions};
use biasbench::input::{Table, VerifyColumns};
use biasbench::render::{render, Format};
use biasbench::report::Report;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;

/// Audits CSV text with per-side `grp_a`/`grp_b` columns at `policies`.
fn audit(csv: String, policies: &[&str]) -> Report {
    let job = VerifyJob {
        columns: VerifyColumns {
            attrs: vec!["grp".into()],
            ..Default::default()
        },
        options: VerifyOptions {
            policies: policies.iter().map(|p| Policy::parse(p).unwrap()).collect(),
            ..Default::default()
        },
        command: vec![],
        reproducible: true,
        bootstrap: None,
    };
    let table = Table::from_reader(
        "cross.csv".into(),
        Box::new(std::io::Cursor::new(csv.into_bytes())),
        Default::default(),
    )
    .unwrap();
    job.run(table).unwrap()
}

/// The cross-group cells of view `grp` at every operating point that has them.
fn cells(report: &Report) -> Vec<(String, Vec<CrossCell>)> {
    let view = report.verify().unwrap().view("grp").unwrap();
    view.operating_points
        .iter()
        .filter_map(|at| Some((at.policy.clone(), at.extra.cross_fmr.clone()?)))
        .collect()
}

/// The SVG of the heat map inside the HTML report.
fn heat_map(report: &Report) -> String {
    let html = render(report, Format::Html);
    let start = html.find("<figure id=\"cross-fmr-").expect("a heat map");
    let end = start + html[start..].find("</figure>").unwrap();
    html[start..end].to_string()
}

#[test]
fn thousands_of_per_side_groups_keep_only_observed_pairs() {
    const GROUPS: usize = 3000;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    let mut csv = String::from("subject_a,subject_b,mated,score,grp_a,grp_b\n");
    // The truth, counted apart from the engine: distinct unordered pairs of
    // non-mated rows (a group with itself included).
    let (mut pairs, mut groups, mut used) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
    for i in 0..4000 {
        let mated = i % 4 == 0;
        let (a, b) = if mated {
            let a = rng.random_range(0..GROUPS);
            (a, a)
        } else if i % 2 == 1 && !used.is_empty() {
            // Half the non-mated rows repeat an earlier pair, sides swapped.
            let (a, b) = used[rng.random_range(0..used.len())];
            (b, a)
        } else {
            (rng.random_range(0..GROUPS), rng.random_range(0..GROUPS))
        };
        used.push((a, b));
        groups.extend([a, b]);
        let score: f64 = rng.random_range(0.0..1.0);
        if !mated {
            pairs.insert((a.min(b), a.max(b)));
        }
        let (sa, sb) = if mated { (i, i) } else { (i, i + 10_000) };
        csv.push_str(&format!(
            "s{sa},s{sb},{},{score},g{a:04},g{b:04}\n",
            mated as u8
        ));
    }
    let report = audit(csv, &["fixed:0.5", "global-fmr:1e-1"]);
    let found = cells(&report);
    assert_eq!(found.len(), 2, "a cross-group FMR at both policies");
    for (policy, cells) in &found {
        // 3000² = 9,000,000 cells before; now one per observed pair.
        assert_eq!(cells.len(), pairs.len(), "{policy}");
        let got: BTreeSet<(usize, usize)> = cells
            .iter()
            .map(|c| (c.a[1..].parse().unwrap(), c.b[1..].parse().unwrap()))
            .collect();
        let want: BTreeSet<(usize, usize)> = pairs.clone();
        assert_eq!(got, want, "{policy}");
        assert!(cells.iter().all(|c| c.fmr.trials > 0.0));
        let trials: f64 = cells.iter().map(|c| c.fmr.trials).sum();
        assert_eq!(trials, 3000.0, "every non-mated row in exactly one cell");
    }
    // The heat map shows 30 groups (900 cells, not 9,000,000) and says what it left out.
    let svg = heat_map(&report);
    assert!(
        svg.contains(&format!(
            "the 30 of {} groups with the most non-mated comparisons; all {} pairs with comparisons are in the JSON and CSV reports",
            groups.len(),
            pairs.len()
        )),
        "no note on the heat map"
    );
    assert!(svg.matches("<rect").count() < 30 * 30 + 100);
    // The tidy CSV has one row per observed cross-group pair and policy.
    let csv = render(&report, Format::Csv);
    let off_diagonal = pairs.iter().filter(|(a, b)| a != b).count();
    assert_eq!(
        csv.lines().filter(|l| l.contains('~')).count(),
        2 * off_diagonal
    );
}

#[test]
fn sparse_cells_hold_the_hand_counted_rates() {
    // At τ = 0.5: A~B has 0.7 of {0.7, 0.2, 0.1} accepted (1/3; the pair
    // written B,A counts for it too), A~C 0 of {0.4}, B~B 1 of {0.3, 0.6};
    // A~A, C~C and B~C have no non-mated comparison and no cell.
    let csv = "subject_a,subject_b,mated,score,grp_a,grp_b\n\
               s1,s1,1,0.9,A,A\n\
               s2,s2,1,0.8,B,B\n\
               s3,s3,1,0.85,C,C\n\
               s1,s2,0,0.7,A,B\n\
               s2,s1,0,0.2,B,A\n\
               s1,s4,0,0.1,A,B\n\
               s2,s5,0,0.3,B,B\n\
               s2,s6,0,0.6,B,B\n\
               s1,s3,0,0.4,A,C\n";
    let report = audit(csv.into(), &["fixed:0.5"]);
    let found = cells(&report);
    assert_eq!(found.len(), 1);
    let got: Vec<(&str, &str, f64, f64, f64)> = found[0]
        .1
        .iter()
        .map(|c| {
            (
                c.a.as_str(),
                c.b.as_str(),
                c.fmr.events,
                c.fmr.trials,
                c.fmr.value,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("A", "B", 1.0, 3.0, 1.0 / 3.0),
            ("A", "C", 0.0, 1.0, 0.0),
            ("B", "B", 1.0, 2.0, 0.5),
        ]
    );
    // The tidy CSV: the two cross-group pairs, in group order.
    let tidy = render(&report, Format::Csv);
    let pairs: Vec<&str> = tidy
        .lines()
        .filter(|l| l.contains('~'))
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(pairs, ["A~B", "A~C"]);
    // With 3 groups the heat map shows them all, without a note.
    assert!(!heat_map(&report).contains("groups with the most"));
}

#[test]
fn the_heat_map_keeps_the_groups_with_the_most_comparisons() {
    // 40 groups; k00 … k09 have one non-mated comparison each (with k10),
    // k10 … k39 twenty each, so the 30 shown are k10 … k39.
    let mut csv = String::from("subject_a,subject_b,mated,score,grp_a,grp_b\n");
    let mut n = 0;
    let mut row = |a: usize, b: usize, csv: &mut String| {
        n += 1;
        csv.push_str(&format!("x{n},y{n},0,0.{n:04},k{a:02},k{b:02}\n"));
    };
    for g in 0..40 {
        csv.push_str(&format!("m{g},m{g},1,0.9,k{g:02},k{g:02}\n"));
    }
    for g in 0..10 {
        row(g, 10, &mut csv);
    }
    for g in 10..40 {
        for k in 1..=10 {
            row(g, 10 + (g - 10 + k) % 30, &mut csv);
        }
    }
    let report = audit(csv, &["fixed:0.5"]);
    let svg = heat_map(&report);
    assert!(svg.contains("the 30 of 40 groups"));
    // Read back from its JSON, the report draws the same heat map.
    let back: Report = serde_json::from_str(&render(&report, Format::Json)).unwrap();
    assert_eq!(heat_map(&back), svg);
    for g in 0..40 {
        let label = format!(">\nk{g:02}\n</text>");
        assert_eq!(svg.contains(&label), g >= 10, "{label}");
    }
}
