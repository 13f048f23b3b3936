//! Validation ("hiargs"): the raw flags of [`super::args`] checked and
//! parsed into typed plans before any input is opened, so every error in a
//! flag is reported at once, however large the data. What only the data can
//! tell (a column missing from a header, a named group that does not occur)
//! is checked by the library as it reads.

use super::args::{
    ClassifyArgs, Command, CommonArgs, IdentifyArgs, ImpostorsArg, MergeArgs, OutputArgs,
    SimulateArgs, SummarizeArgs, VerifyArgs,
};
use anyhow::{bail, Result};
use biasbench::app::audit::{ClassifyJob, IdentifyJob, SummarizeJob, VerifyJob};
use biasbench::app::simulate::{GroupSpec, Population};
use biasbench::bootstrap::BootstrapSpec;
use biasbench::counts::threshold::Policy;
use biasbench::engine::classify::ClassifyOptions;
use biasbench::engine::identify::{IdPolicy, IdentifyOptions};
use biasbench::engine::summarize::{SummarizeColumns, TrialsSpec};
use biasbench::engine::verify::{Impostors, VerifyOptions};
use biasbench::groups::ReferenceRule;
use biasbench::input::rules::ExcludeRule;
use biasbench::input::searches::CandidateColumns;
use biasbench::input::{ClassifyColumns, IdentifyColumns, VerifyColumns};
use biasbench::math::interval::{CiSpec, Method};
use biasbench::render::Format;
use std::path::PathBuf;

/// A validated command: what to run, on what, with which options.
pub enum Plan {
    Verify(Box<Audit<VerifyJob>>, VerifyMode),
    Merge(MergePlan),
    Classify(Box<Audit<ClassifyJob>>),
    Identify(Box<Audit<IdentifyJob>>),
    Summarize(Box<Audit<SummarizeJob>>),
    Demo {
        out_dir: PathBuf,
    },
    Simulate {
        out: PathBuf,
        population: Box<Population>,
    },
}

/// An audit of one input: the library's job and where its report goes.
pub struct Audit<J> {
    pub file: PathBuf,
    pub job: J,
    pub output: Output,
}

/// Where and how a report is written.
pub struct Output {
    pub format: Format,
    pub out: Option<PathBuf>,
    pub report: Option<PathBuf>,
}

/// How a verification audit reads its input.
pub enum VerifyMode {
    /// Every row in memory.
    Table,
    /// A `.npy` directory in bounded memory (`hash`: the inputs' SHA-256).
    Stream { hash: bool },
    /// One pass over a shard, written as a partial for `merge`.
    Partial {
        out: PathBuf,
        plan: Option<PathBuf>,
        hash: bool,
    },
}

/// Merging the partials of shards.
pub struct MergePlan {
    pub partials: Vec<PathBuf>,
    pub plan_out: PathBuf,
    pub output: Output,
    pub command: Vec<String>,
    pub reproducible: bool,
}

/// The bootstrap seed when `--seed` is not given.
const DEFAULT_SEED: u64 = 1;

impl Plan {
    /// Checks the flags of `command`; `line` is the command line the reports record.
    pub fn new(command: Command, line: Vec<String>) -> Result<Plan> {
        Ok(match command {
            Command::Verify(a) => verify(*a, line)?,
            Command::Merge(a) => Plan::Merge(merge(a, line)),
            Command::Classify(a) => Plan::Classify(Box::new(classify(*a, line)?)),
            Command::Identify(a) => Plan::Identify(Box::new(identify(*a, line)?)),
            Command::Summarize(a) => Plan::Summarize(Box::new(summarize(a, line)?)),
            Command::Demo(a) => Plan::Demo { out_dir: a.out_dir },
            Command::Simulate(a) => simulate(a)?,
        })
    }
}

/// Every value of a repeatable flag, parsed by the library.
fn each<T>(values: &[String], parse: fn(&str) -> biasbench::Result<T>) -> Result<Vec<T>> {
    Ok(values.iter().map(|s| parse(s)).collect::<Result<_, _>>()?)
}

fn output(o: OutputArgs) -> Output {
    Output {
        format: o.format.into(),
        out: o.out,
        report: o.report,
    }
}

fn delimiter(d: &Option<String>) -> Result<Option<u8>> {
    Ok(match d.as_deref() {
        None => None,
        Some("tab" | "\\t" | "\t") => Some(b'\t'),
        Some(s) if s.len() == 1 => Some(s.as_bytes()[0]),
        Some(s) => bail!("--delimiter {s:?}: expected one character or 'tab'"),
    })
}

fn check_alpha(alpha: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&alpha) {
        bail!("--alpha {alpha} must be within [0, 1]");
    }
    Ok(alpha)
}

fn ci(c: &CommonArgs) -> Result<CiSpec> {
    let Some(method) = Method::parse(&c.ci) else {
        bail!(
            "--ci {:?}: expected wilson, clopper-pearson, jeffreys or none",
            c.ci
        );
    };
    if !(c.level > 0.0 && c.level < 1.0) {
        bail!("--level {} must be within (0, 1)", c.level);
    }
    Ok(CiSpec {
        method,
        level: c.level,
    })
}

fn bootstrap(c: &CommonArgs) -> Result<Option<BootstrapSpec>> {
    let compare = match &c.compare {
        None => None,
        Some(s) => match s.split_once(',') {
            Some((a, b)) => Some((a.to_string(), b.to_string())),
            None => bail!("--compare {s:?}: expected two groups, A,B"),
        },
    };
    Ok(match c.bootstrap {
        None if compare.is_some() => bail!("--compare needs --bootstrap B"),
        None => None,
        Some(replicates) => Some(BootstrapSpec {
            replicates,
            seed: c.seed.unwrap_or(DEFAULT_SEED),
            level: c.level,
            rows: c.bootstrap_rows,
            compare,
        }),
    })
}

fn verify(a: VerifyArgs, line: Vec<String>) -> Result<Plan> {
    let c = &a.common;
    let columns = VerifyColumns {
        score: a.score,
        mated: a.mated,
        subject_a: a.subject_a,
        subject_b: a.subject_b,
        id_sep: a.id_sep,
        attrs: c.attr.clone(),
        distance: a.distance,
        exclude: each(&c.exclude, ExcludeRule::parse)?,
        strict: c.strict,
        delimiter: delimiter(&c.delimiter)?,
        subjects: c.subjects.clone(),
        subject_id: c.subject_id.clone(),
    };
    let options = VerifyOptions {
        policies: each(&a.thresholds, Policy::parse)?,
        impostors: match a.impostors {
            ImpostorsArg::All => Impostors::All,
            ImpostorsArg::SameGroup => Impostors::SameGroup,
        },
        alpha: check_alpha(a.alpha)?,
        min_group_size: c.min_group_size,
        distance: a.distance,
        ci: ci(c)?,
        reference: each(&c.reference, ReferenceRule::parse)?,
    };
    let hash = !a.no_hash;
    let mode = match (a.emit_partial, a.stream) {
        (Some(out), _) => VerifyMode::Partial {
            out,
            plan: a.plan,
            hash,
        },
        (None, true) => VerifyMode::Stream { hash },
        (None, false) => VerifyMode::Table,
    };
    let job = VerifyJob {
        columns,
        options,
        command: line,
        reproducible: c.output.reproducible,
        bootstrap: bootstrap(c)?,
    };
    let output = output(a.common.output);
    Ok(Plan::Verify(
        Box::new(Audit {
            file: a.file,
            job,
            output,
        }),
        mode,
    ))
}

fn merge(a: MergeArgs, line: Vec<String>) -> MergePlan {
    MergePlan {
        partials: a.partials,
        plan_out: a.plan_out,
        reproducible: a.output.reproducible,
        output: output(a.output),
        command: line,
    }
}

fn classify(a: ClassifyArgs, line: Vec<String>) -> Result<Audit<ClassifyJob>> {
    let c = &a.common;
    let columns = ClassifyColumns {
        y_true: a.y_true,
        y_pred: a.y_pred,
        score: a.score,
        weight: a.weight,
        attrs: c.attr.clone(),
        subject: a.subject,
        subjects: c.subjects.clone(),
        subject_id: c.subject_id.clone(),
        exclude: each(&c.exclude, ExcludeRule::parse)?,
        strict: c.strict,
        delimiter: delimiter(&c.delimiter)?,
    };
    let or_both = |list: Vec<String>| {
        if list.is_empty() {
            a.positive.clone()
        } else {
            list
        }
    };
    let options = ClassifyOptions {
        true_positive: or_both(a.true_positive),
        pred_positive: or_both(a.pred_positive),
        cutoff: a.cutoff,
        reference: each(&c.reference, ReferenceRule::parse)?,
        entropy_alpha: a.entropy_alpha,
        min_group_size: c.min_group_size,
        ci: ci(c)?,
    };
    let job = ClassifyJob {
        columns,
        options,
        command: line,
        reproducible: c.output.reproducible,
        bootstrap: bootstrap(c)?,
    };
    Ok(Audit {
        file: a.file,
        job,
        output: output(a.common.output),
    })
}

fn identify(a: IdentifyArgs, line: Vec<String>) -> Result<Audit<IdentifyJob>> {
    let c = &a.common;
    if c.bootstrap.is_some() {
        bail!("--bootstrap is not available for identify yet");
    }
    let columns = IdentifyColumns {
        mated: a.mated,
        mate_rank: a.mate_rank,
        mate_score: a.mate_score,
        nonmate_score: a.nonmate_score,
        attrs: c.attr.clone(),
        probe: a.probe,
        subjects: c.subjects.clone(),
        subject_id: c.subject_id.clone(),
        distance: a.distance,
        exclude: each(&c.exclude, ExcludeRule::parse)?,
        strict: c.strict,
        delimiter: delimiter(&c.delimiter)?,
    };
    let options = IdentifyOptions {
        policies: each(&a.thresholds, IdPolicy::parse)?,
        ranks: a.ranks,
        alpha: check_alpha(a.alpha)?,
        min_group_size: c.min_group_size,
        ci: ci(c)?,
        reference: each(&c.reference, ReferenceRule::parse)?,
        distance: a.distance,
    };
    let candidate_lists = a.searches.map(|path| {
        let cand = CandidateColumns {
            search_id: a.search_id,
            probe: columns.probe.clone().unwrap_or_else(|| "probe".into()),
            rank: a.rank_column,
            candidate: a.candidate,
            score: a.score,
        };
        (path, cand)
    });
    let job = IdentifyJob {
        columns,
        options,
        command: line,
        reproducible: c.output.reproducible,
        candidate_lists,
    };
    Ok(Audit {
        file: a.file,
        job,
        output: output(a.common.output),
    })
}

fn summarize(a: SummarizeArgs, line: Vec<String>) -> Result<Audit<SummarizeJob>> {
    let job = SummarizeJob {
        columns: SummarizeColumns {
            group: a.group,
            rates: a.rates,
            trials: each(&a.trials, TrialsSpec::parse)?,
            percent: a.percent,
            exclude: each(&a.exclude, ExcludeRule::parse)?,
            strict: false,
        },
        alpha: check_alpha(a.alpha)?,
        delimiter: delimiter(&a.delimiter)?,
        command: line,
        reproducible: a.output.reproducible,
    };
    Ok(Audit {
        file: a.file,
        job,
        output: output(a.output),
    })
}

fn simulate(a: SimulateArgs) -> Result<Plan> {
    let mut p = Population::demo();
    if !a.groups.is_empty() {
        p.groups = a
            .groups
            .iter()
            .map(|g| GroupSpec::parse(g))
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?;
    }
    p.seed = a.seed.unwrap_or(p.seed);
    p.subjects_per_group = a.subjects_per_group.unwrap_or(p.subjects_per_group);
    p.mated_per_subject = a.mated_per_subject.unwrap_or(p.mated_per_subject);
    p.nonmated_per_group = a.nonmated_per_group.unwrap_or(p.nonmated_per_group);
    p.cross_nonmated = a.cross_nonmated.unwrap_or(p.cross_nonmated);
    Ok(Plan::Simulate {
        out: a.out,
        population: Box::new(p),
    })
}
