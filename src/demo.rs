//! `biasbench demo`: a full verification audit of the built-in synthetic
//! population, with its known differentials written beside the report.

use crate::audit::VerifyJob;
use crate::error::{Error, Result};
use crate::input::{Table, VerifyColumns};
use crate::output::write_atomic;
use crate::report::{render, Format, Report};
use crate::simulate::Population;
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

/// Writes every format as `report.<ext>` and the truth as `population.json`.
pub fn write(report: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for f in Format::ALL {
        write_atomic(
            &dir.join(format!("report.{}", f.extension())),
            render(report, f).as_bytes(),
        )?;
    }
    let truth = serde_json::to_string_pretty(&truth(&Population::demo())).expect("serialisable");
    write_atomic(
        &dir.join("population.json"),
        format!("{truth}\n").as_bytes(),
    )
}
