//! `biasbench demo`: a full verification audit of the built-in synthetic
//! population, with its known differentials written beside the report.

use crate::audit::{IdentifyJob, VerifyJob};
use crate::error::{Error, Result};
use crate::identification::{IdPolicy, IdentifyOptions};
use crate::input::{IdentifyColumns, Table, VerifyColumns};
use crate::output::write_atomic;
use crate::report::{render, Format, Report};
use crate::simulate::{Population, SearchPopulation};
use crate::threshold::Policy;
use crate::verification::VerifyOptions;
use serde::Serialize;
use std::path::Path;

/// The fixed threshold at which the demo states its true rates.
pub const DEMO_THRESHOLD: f64 = 3.0;

/// The policies the demo audits.
pub const DEMO_POLICIES: [&str; 5] = [
    "global-fmr:1e-2",
    "global-fmr:1e-3",
    "global-fmr:1e-4",
    "group-fmr:1e-3",
    "fixed:3",
];

/// The true per-group rates the demo population was built with.
#[derive(Debug, Clone, Serialize)]
pub struct KnownRates {
    pub group: String,
    pub mated_mean: f64,
    pub nonmated_mean: f64,
    pub fmr_at_3: f64,
    pub fnmr_at_3: f64,
}

/// The demo population and the truth it encodes.
#[derive(Debug, Clone, Serialize)]
pub struct DemoTruth {
    pub population: Population,
    pub threshold: f64,
    pub groups: Vec<KnownRates>,
}

pub fn truth(p: &Population) -> DemoTruth {
    DemoTruth {
        population: p.clone(),
        threshold: DEMO_THRESHOLD,
        groups: (0..p.groups.len())
            .map(|g| KnownRates {
                group: p.groups[g].name(),
                mated_mean: p.groups[g].mated_mean,
                nonmated_mean: p.groups[g].nonmated_mean,
                fmr_at_3: p.expected_fmr(g, DEMO_THRESHOLD),
                fnmr_at_3: p.expected_fnmr(g, DEMO_THRESHOLD),
            })
            .collect(),
    }
}

/// Audits the demo population (always reproducible: no time stamp).
pub fn run(command: Vec<String>) -> Result<Report> {
    let p = Population::demo();
    let mut data = Vec::new();
    p.write_csv(&mut data)
        .map_err(|e| Error::io("<demo population>", e))?;
    let job = VerifyJob {
        columns: VerifyColumns {
            attrs: vec!["race".into(), "sex".into()],
            ..Default::default()
        },
        options: VerifyOptions {
            policies: DEMO_POLICIES
                .iter()
                .map(|s| Policy::parse(s))
                .collect::<Result<_>>()?,
            ..Default::default()
        },
        command,
        reproducible: true,
        bootstrap: None,
    };
    let name = format!("<built-in demo population, seed {}>", p.seed);
    let mut report = job.run(Table::from_reader(
        name,
        Box::new(std::io::Cursor::new(data)),
        None,
    )?)?;
    report.provenance.seed = Some(p.seed);
    Ok(report)
}

/// The fixed threshold at which the 1:N demo states its true rates.
pub const SEARCH_THRESHOLD: f64 = 2.5;

/// The true per-group 1:N rates of the demo's search population.
#[derive(Debug, Clone, Serialize)]
pub struct KnownSearchRates {
    pub group: String,
    pub fpir_at_2_5: f64,
    /// FNIR at T = 2.5 with the whole gallery (rank ≤ 20) returned.
    pub fnir_full_list_at_2_5: f64,
}

/// The demo's 1:N population and the truth it encodes.
pub fn search_truth(p: &SearchPopulation) -> Vec<KnownSearchRates> {
    (0..p.groups.len())
        .map(|g| KnownSearchRates {
            group: p.groups[g].name(),
            fpir_at_2_5: p.expected_fpir(g, SEARCH_THRESHOLD),
            fnir_full_list_at_2_5: p.expected_fnir_full_list(g, SEARCH_THRESHOLD),
        })
        .collect()
}

/// Audits the demo's 1:N search population (reproducible).
pub fn run_identify(command: Vec<String>) -> Result<Report> {
    let p = SearchPopulation::demo();
    let mut data = Vec::new();
    p.write_csv(&mut data)
        .map_err(|e| Error::io("<demo searches>", e))?;
    let job = IdentifyJob {
        columns: IdentifyColumns {
            attrs: vec!["race".into(), "sex".into()],
            ..Default::default()
        },
        options: IdentifyOptions {
            policies: ["fixed:2.5", "investigative", "global-fpir:1e-2"]
                .iter()
                .map(|s| IdPolicy::parse(s))
                .collect::<Result<_>>()?,
            ranks: vec![1, p.gallery as u32],
            ..Default::default()
        },
        command,
        reproducible: true,
        candidate_lists: None,
    };
    let name = format!("<built-in demo searches, seed {}>", p.seed);
    let mut report = job.run(Table::from_reader(
        name,
        Box::new(std::io::Cursor::new(data)),
        None,
    )?)?;
    report.provenance.seed = Some(p.seed);
    Ok(report)
}

/// Writes every format of the 1:1 report as `report.<ext>`, of the 1:N
/// report as `identify.<ext>`, and the truths as `population.json` and
/// `search_population.json`.
pub fn write(report: &Report, identify: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for f in Format::ALL {
        write_atomic(
            &dir.join(format!("report.{}", f.extension())),
            render(report, f).as_bytes(),
        )?;
        write_atomic(
            &dir.join(format!("identify.{}", f.extension())),
            render(identify, f).as_bytes(),
        )?;
    }
    let searches = SearchPopulation::demo();
    let known = serde_json::json!({ "population": searches, "threshold": SEARCH_THRESHOLD, "groups": search_truth(&searches) });
    let text = serde_json::to_string_pretty(&known).expect("serialisable");
    write_atomic(
        &dir.join("search_population.json"),
        format!("{text}\n").as_bytes(),
    )?;
    let truth = serde_json::to_string_pretty(&truth(&Population::demo())).expect("serialisable");
    write_atomic(
        &dir.join("population.json"),
        format!("{truth}\n").as_bytes(),
    )
}
