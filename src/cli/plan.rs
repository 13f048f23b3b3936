//! Validation ("hiargs"): the raw flags of [`super::args`] checked and
//! parsed into typed plans before any input is opened, so every error in a
//! flag is reported at once, however large the data. What only the data can
//! tell (a column missing from a header, a named group that does not occur)
//! is checked by the library as it reads.

use super::args::{
    CheckArgs, ClassifyArgs, Command, CommonArgs, CompareArgs, CompareClassifyArgs,
    CompareIdentifyArgs, CompareTask, CompareVerifyArgs, EstimateArgs, IdentifyArgs, ImpostorsArg,
    MergeArgs, ModelArgs, OutputArgs, PowerArgs, SimulateArgs, SimulateTask, SummarizeArgs,
    VerifyArgs,
};
use crate::app::audit::{ClassifyJob, EstimateJob, IdentifyJob, SummarizeJob, VerifyJob};
use crate::app::compare::{CompareJob, Join, Task};
use crate::app::simulate::{AgeGroupSpec, AgePopulation, GroupSpec, Population};
use crate::bootstrap::BootstrapSpec;
use crate::counts::threshold::Policy;
use crate::engine::classify::ClassifyOptions;
use crate::engine::estimate::{Band, Challenge, EstimateOptions};
use crate::engine::identify::{IdPolicy, IdentifyOptions};
use crate::engine::summarize::{SummarizeColumns, TrialsSpec};
use crate::engine::verify::{Impostors, VerifyOptions};
use crate::groups::ReferenceRule;
use crate::input::rules::ExcludeRule;
use crate::input::searches::CandidateColumns;
use crate::input::{ClassifyColumns, EstimateColumns, IdentifyColumns, TextFormat, VerifyColumns};
use crate::math::interval::{CiSpec, Method};
use crate::render::{Detail, Format};
use crate::stats::power::{Clustering, Goal};
use anyhow::{bail, Context, Result};
use clap::FromArgMatches;
use std::path::PathBuf;

/// A validated command: what to run, on what, with which options.
pub enum Plan {
    Verify(Box<Audit<VerifyJob>>, VerifyMode),
    Merge(MergePlan),
    Classify(Box<Audit<ClassifyJob>>),
    Estimate(Box<Audit<EstimateJob>>),
    Identify(Box<Audit<IdentifyJob>>),
    Summarize(Box<Audit<SummarizeJob>>),
    /// A paired comparison of two models.
    Compare(Box<Audit<CompareJob>>),
    /// A release gate: an audit file's audit and gates.
    Check(Box<CheckPlan>),
    /// `check --init TASK`: a starting audit file, printed.
    Init(String),
    Demo {
        out_dir: PathBuf,
    },
    Simulate {
        out: PathBuf,
        population: Box<Population>,
    },
    SimulateAges {
        out: PathBuf,
        population: Box<AgePopulation>,
    },
    Power {
        goal: Goal,
        clustering: Clustering,
        json: bool,
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
    pub detail: Detail,
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

/// An audit file's audit, its gates and the gate's outputs.
pub struct CheckPlan {
    /// The audit file, named in gate errors.
    pub file: PathBuf,
    /// The audit it describes, with the `check` command's output flags.
    pub audit: Plan,
    /// Its gates.
    pub gates: Vec<crate::report::gate::Gate>,
    /// The line of each gate in the file.
    pub gate_lines: Vec<usize>,
    /// A saved report for relative gates.
    pub baseline: Option<PathBuf>,
    /// Where the JUnit XML goes.
    pub junit: Option<PathBuf>,
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

/// Replicates of `compare`'s paired bootstrap when `--bootstrap` is not given.
const PAIRED_REPLICATES: usize = 1000;

impl Plan {
    /// Checks the flags of `command`; `line` is the command line the reports record.
    pub fn new(command: Command, line: Vec<String>) -> Result<Plan> {
        Ok(match command {
            Command::Verify(a) => verify(*a, line)?,
            Command::Merge(a) => Plan::Merge(merge(a, line)),
            Command::Classify(a) => Plan::Classify(Box::new(classify(*a, line)?)),
            Command::Estimate(a) => Plan::Estimate(Box::new(estimate(*a, line)?)),
            Command::Identify(a) => Plan::Identify(Box::new(identify(*a, line)?)),
            Command::Summarize(a) => Plan::Summarize(Box::new(summarize(a, line)?)),
            Command::Compare(a) => compare_models(a, line)?,
            Command::Check(a) => check(a)?,
            Command::Demo(a) => Plan::Demo { out_dir: a.out_dir },
            Command::Simulate(a) => simulate(a)?,
            Command::Power(a) => power(a)?,
        })
    }
}

/// `check`: the audit file read and its audit planned as its command line
/// (with `check`'s output flags) would be.
fn check(a: CheckArgs) -> Result<Plan> {
    if let Some(task) = &a.init {
        return Ok(Plan::Init(super::check::init(task)?));
    }
    let file = a.file.expect("clap requires FILE without --init");
    let o = &a.output;
    fn name(v: &impl clap::ValueEnum) -> String {
        v.to_possible_value()
            .map(|p| p.get_name().to_string())
            .unwrap_or_default()
    }
    let mut extra = vec![
        "--format".into(),
        name(&o.format),
        "--detail".into(),
        name(&o.detail),
    ];
    for (flag, path) in [("--out", &o.out), ("--report", &o.report)] {
        if let Some(p) = path {
            extra.extend([flag.to_string(), p.display().to_string()]);
        }
    }
    if o.reproducible {
        extra.push("--reproducible".into());
    }
    let audit = super::check::read(&file, &extra)?;
    // The task's own checks; their errors point at the option they name.
    let planned = super::help::command()
        .try_get_matches_from(&audit.line)
        .map_err(|e| {
            let text = e.render().to_string();
            let first = text.split("\n\n").next().unwrap_or("").trim_end();
            anyhow::anyhow!(first.trim_start_matches("error: ").to_string())
        })
        .and_then(|m| Ok(super::args::Cli::from_arg_matches(&m)?.command))
        .and_then(|command| Plan::new(command, audit.line.clone()))
        .map_err(|e| anyhow::anyhow!(audit.locate(&file, &format!("{e:#}"))))?;
    Ok(Plan::Check(Box::new(CheckPlan {
        audit: planned,
        file,
        gates: audit.gates,
        gate_lines: audit.gate_lines,
        baseline: a.baseline,
        junit: a.junit,
    })))
}

/// Every value of a repeatable flag, parsed by the library.
fn each<T>(values: &[String], parse: fn(&str) -> crate::Result<T>) -> Result<Vec<T>> {
    Ok(values.iter().map(|s| parse(s)).collect::<Result<_, _>>()?)
}

fn output(o: OutputArgs) -> Output {
    Output {
        format: o.format.into(),
        detail: o.detail.into(),
        out: o.out,
        report: o.report,
    }
}

/// `--delimiter` and `--allow-multiline-fields`.
fn text(delimiter: &Option<String>, multiline_fields: bool) -> Result<TextFormat> {
    let delimiter = match delimiter.as_deref() {
        None => None,
        Some("tab" | "\\t" | "\t") => Some(b'\t'),
        Some(s) if s.len() == 1 => Some(s.as_bytes()[0]),
        Some(s) => bail!("--delimiter {s:?}: expected one character or 'tab'"),
    };
    Ok(TextFormat {
        delimiter,
        multiline_fields,
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

/// `--reference` rules; a named one must name a view of the attributes
/// (one of `attrs`, or their intersection), and at most one rule each.
fn reference(values: &[String], attrs: &[String]) -> Result<Vec<ReferenceRule>> {
    let rules = each(values, ReferenceRule::parse)?;
    if let Err((i, why)) = ReferenceRule::check_all(&rules, attrs) {
        bail!("--reference {}: {why}", rules[i]);
    }
    Ok(rules)
}

/// `--compare A,B`: two different groups (split at the first comma).
fn compare(s: &str) -> Result<(String, String)> {
    match s.split_once(',') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() && a != b => Ok((a.into(), b.into())),
        _ => bail!("--compare {s:?}: expected two different groups, A,B"),
    }
}

/// The first of `flags` (each with whether it was given) that was given.
fn first_given(flags: &[(bool, &'static str)]) -> Option<&'static str> {
    flags
        .iter()
        .find_map(|&(given, flag)| given.then_some(flag))
}

/// The bootstrap's flags, each with whether it was given.
fn bootstrap_flags(c: &CommonArgs) -> [(bool, &'static str); 4] {
    [
        (c.bootstrap.is_some(), "--bootstrap"),
        (c.compare.is_some(), "--compare"),
        (c.seed.is_some(), "--seed"),
        (c.bootstrap_rows, "--bootstrap-rows"),
    ]
}

fn bootstrap(c: &CommonArgs) -> Result<Option<BootstrapSpec>> {
    let compare = c.compare.as_deref().map(compare).transpose()?;
    let Some(replicates) = c.bootstrap else {
        if let Some(flag) = first_given(&bootstrap_flags(c)) {
            bail!("{flag} needs --bootstrap B");
        }
        return Ok(None);
    };
    if replicates < 2 {
        bail!("--bootstrap {replicates}: at least 2 replicates are needed");
    }
    Ok(Some(BootstrapSpec {
        replicates,
        seed: c.seed.unwrap_or(DEFAULT_SEED),
        level: c.level,
        rows: c.bootstrap_rows,
        compare,
    }))
}

/// The 1:N bootstrap: searches are the unit, so `--bootstrap-rows` has no meaning.
fn search_bootstrap(c: &CommonArgs) -> Result<Option<BootstrapSpec>> {
    if c.bootstrap_rows {
        bail!("--bootstrap-rows: identify always resamples searches");
    }
    bootstrap(c)
}

fn verify(a: VerifyArgs, line: Vec<String>) -> Result<Plan> {
    let c = &a.common;
    let columns = VerifyColumns {
        score: a.score,
        also_score: None,
        mated: a.mated,
        subject_a: a.subject_a,
        subject_b: a.subject_b,
        id_sep: a.id_sep,
        attrs: c.attr.clone(),
        distance: a.distance,
        exclude: each(&c.exclude, ExcludeRule::parse)?,
        strict: c.strict,
        text: text(&c.delimiter, c.allow_multiline_fields)?,
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
        reference: reference(&c.reference, &c.attr)?,
    };
    let hash = !a.no_hash;
    let mode = match (a.emit_partial, a.stream) {
        (Some(out), _) => {
            let o = &c.output;
            let report_flags = [
                (o.out.is_some(), "--out"),
                (o.report.is_some(), "--report"),
                (o.reproducible, "--reproducible"),
            ];
            if let Some(flag) = first_given(&report_flags) {
                bail!(
                    "{flag} does not apply to --emit-partial: `biasbench merge` writes the report"
                );
            }
            VerifyMode::Partial {
                out,
                plan: a.plan,
                hash,
            }
        }
        (None, true) => VerifyMode::Stream { hash },
        (None, false) if a.no_hash => {
            bail!("--no-hash applies to --stream and --emit-partial only")
        }
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

/// `compare TASK`: the task's audit planned as for one model, its
/// bootstrap (1000 replicates unless `--bootstrap` says otherwise, none
/// with `--bootstrap 0`) run paired.
fn compare_models(a: CompareArgs, line: Vec<String>) -> Result<Plan> {
    let (models, common) = match &a.task {
        CompareTask::Verify(v) => (&v.models, &v.task.common),
        CompareTask::Classify(c) => (&c.models, &c.task.common),
        CompareTask::Identify(i) => (&i.models, &i.task.common),
    };
    if models.name_a == models.name_b {
        bail!(
            "--name-a and --name-b are both {:?}: give the models different names",
            models.name_a
        );
    }
    if common.compare.is_some() {
        bail!("--compare: compare tests model B against model A, not one group against another");
    }
    let join = match (&models.file_b, &models.key) {
        (Some(file), Some(key)) => Some(Join {
            file: file.clone(),
            key: key.clone(),
        }),
        (None, None) => None,
        (Some(_), None) => {
            bail!("a second table needs --key, the column that names a trial in both")
        }
        (None, Some(_)) => bail!("--key joins two tables: give model B's table after model A's"),
    };
    let paired = |c: &mut CommonArgs| {
        c.bootstrap = match c.bootstrap {
            None => Some(PAIRED_REPLICATES),
            Some(0) => None,
            given => given,
        }
    };
    // The models' columns: named, or with two tables the task's own.
    let columns = |m: &ModelArgs, own: Option<String>| -> Result<[String; 2]> {
        match (&m.score_a, &m.score_b, own) {
            (Some(x), Some(y), _) if x == y && m.file_b.is_none() => {
                bail!("--score-a and --score-b name the same column {x:?}")
            }
            (Some(x), Some(y), _) => Ok([x.clone(), y.clone()]),
            (x, y, Some(own)) if m.file_b.is_some() => Ok([
                x.clone().unwrap_or_else(|| own.clone()),
                y.clone().or_else(|| x.clone()).unwrap_or(own),
            ]),
            _ => bail!("--score-a and --score-b name the two models' columns of one table"),
        }
    };
    let (task, file, output, models, cols) = match a.task {
        CompareTask::Verify(v) => {
            let CompareVerifyArgs { mut task, models } = *v;
            let cols = columns(&models, Some(task.score.clone()))?;
            paired(&mut task.common);
            let Plan::Verify(audit, VerifyMode::Table) = verify(task, line)? else {
                bail!("--stream and --emit-partial: compare reads the whole table into memory");
            };
            let Audit { file, job, output } = *audit;
            (Task::Verify(job), file, output, models, cols)
        }
        CompareTask::Classify(c) => {
            let CompareClassifyArgs { mut task, models } = *c;
            let own = task.score.clone().or_else(|| task.y_pred.clone());
            let cols = columns(&models, Some(own.unwrap_or_else(|| "y_pred".into())))?;
            match task.cutoff {
                Some(_) => (task.score, task.y_pred) = (Some(cols[0].clone()), None),
                None if task.score.is_some() => {
                    bail!("--score needs --cutoff T (predicted positive when score >= T)")
                }
                None => task.y_pred = Some(cols[0].clone()),
            }
            paired(&mut task.common);
            let Audit { file, job, output } = classify(task, line)?;
            (Task::Classify(job), file, output, models, cols)
        }
        CompareTask::Identify(i) => {
            let CompareIdentifyArgs { mut task, models } = *i;
            if join.is_none() {
                bail!("compare identify joins two searches tables: give model B's table after model A's, and --key");
            }
            if models.score_a.is_some() || models.score_b.is_some() {
                bail!("--score-a and --score-b: each searches table names its columns as identify does (--mate-rank, --mate-score, --nonmate-score)");
            }
            if task.searches.is_some() {
                bail!("--searches: compare identify reads one row per search");
            }
            paired(&mut task.common);
            let Audit { file, job, output } = identify(task, line)?;
            let cols = [
                job.columns.mate_score.clone(),
                job.columns.mate_score.clone(),
            ];
            (Task::Identify(job), file, output, models, cols)
        }
    };
    let (task, bootstrap) = match task {
        Task::Verify(mut j) => {
            let b = j.bootstrap.take();
            (Task::Verify(j), b)
        }
        Task::Classify(mut j) => {
            let b = j.bootstrap.take();
            (Task::Classify(j), b)
        }
        Task::Identify(mut j) => {
            let b = j.bootstrap.take();
            (Task::Identify(j), b)
        }
    };
    Ok(Plan::Compare(Box::new(Audit {
        file,
        job: CompareJob {
            task,
            columns: cols,
            names: [models.name_a, models.name_b],
            join,
            bootstrap,
        },
        output,
    })))
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
    match (&a.score, a.cutoff) {
        (Some(_), None) => bail!("--score needs --cutoff T (predicted positive when score >= T)"),
        (None, Some(_)) => bail!("--cutoff applies to a --score column only"),
        (_, Some(t)) if !t.is_finite() => bail!("--cutoff {t}: expected a finite number"),
        _ => {}
    }
    let columns = ClassifyColumns {
        y_true: a.y_true,
        y_pred: a.y_pred,
        score: a.score,
        also: None,
        weight: a.weight,
        attrs: c.attr.clone(),
        subject: a.subject,
        subjects: c.subjects.clone(),
        subject_id: c.subject_id.clone(),
        exclude: each(&c.exclude, ExcludeRule::parse)?,
        strict: c.strict,
        text: text(&c.delimiter, c.allow_multiline_fields)?,
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
        reference: reference(&c.reference, &c.attr)?,
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

fn estimate(a: EstimateArgs, line: Vec<String>) -> Result<Audit<EstimateJob>> {
    let c = &a.common;
    if let Some(t) = a.cs.iter().find(|t| !t.is_finite() || **t < 0.0) {
        bail!("--cs {t}: expected tolerances of 0 years or more");
    }
    if !(0.0..=1.0).contains(&a.alpha) {
        bail!("--alpha {}: expected a weight in [0, 1]", a.alpha);
    }
    let columns = EstimateColumns {
        y_true: a.y_true,
        y_pred: a.y_pred,
        weight: a.weight,
        attrs: c.attr.clone(),
        subject: a.subject,
        subjects: c.subjects.clone(),
        subject_id: c.subject_id.clone(),
        exclude: each(&c.exclude, ExcludeRule::parse)?,
        strict: c.strict,
        text: text(&c.delimiter, c.allow_multiline_fields)?,
    };
    let options = EstimateOptions {
        cs: a.cs,
        bands: a
            .age_bands
            .as_deref()
            .map(Band::parse_list)
            .transpose()?
            .unwrap_or_default(),
        challenges: each(&a.challenges, Challenge::parse)?,
        reference: reference(&c.reference, &c.attr)?,
        min_group_size: c.min_group_size,
        ci: ci(c)?,
        alpha: a.alpha,
    };
    let job = EstimateJob {
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
    let bootstrap = search_bootstrap(c)?;
    if a.ranks.contains(&0) {
        bail!("--rank 0: ranks are whole numbers from 1");
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
        text: text(&c.delimiter, c.allow_multiline_fields)?,
    };
    let options = IdentifyOptions {
        policies: each(&a.thresholds, IdPolicy::parse)?,
        ranks: a.ranks,
        alpha: check_alpha(a.alpha)?,
        min_group_size: c.min_group_size,
        ci: ci(c)?,
        reference: reference(&c.reference, &c.attr)?,
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
        bootstrap,
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
        text: text(&a.delimiter, a.allow_multiline_fields)?,
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
    /// The groups of `--group`, parsed by `parse` (none: the demo's).
    fn groups<T>(specs: &[String], parse: fn(&str) -> Result<T, String>) -> Result<Option<Vec<T>>> {
        if specs.is_empty() {
            return Ok(None);
        }
        let parsed = specs.iter().map(|g| parse(g)).collect::<Result<_, _>>();
        Ok(Some(parsed.map_err(anyhow::Error::msg)?))
    }
    if let SimulateTask::Estimate = a.task {
        let mut p = AgePopulation::demo();
        p.groups = groups(&a.groups, AgeGroupSpec::parse)?.unwrap_or(p.groups);
        p.seed = a.seed.unwrap_or(p.seed);
        p.subjects_per_group = a.subjects_per_group.unwrap_or(p.subjects_per_group);
        p.images_per_subject = a.images_per_subject.unwrap_or(p.images_per_subject);
        return Ok(Plan::SimulateAges {
            out: a.out,
            population: Box::new(p),
        });
    }
    let mut p = Population::demo();
    p.groups = groups(&a.groups, GroupSpec::parse)?.unwrap_or(p.groups);
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

/// The goal of `power`; the values themselves are checked by the library.
fn power(a: PowerArgs) -> Result<Plan> {
    let goal = match (a.ratio, a.width, a.relative_width) {
        (Some(ratio), _, _) => Goal::Difference {
            rate: a.rate,
            ratio,
            alpha: a.alpha,
            power: a.power,
        },
        (None, w, r) => Goal::Width {
            rate: a.rate,
            half_width: w
                .or(r)
                .context("needs one of --ratio, --width, --relative-width")?,
            relative: r.is_some(),
            level: a.level,
        },
    };
    let icc = match (a.per_subject, a.icc) {
        (_, Some(icc)) => icc,
        (1, None) => 0.0,
        (k, None) => bail!(
            "--per-subject {k} needs --icc RHO, the correlation of a subject's error \
             indicators (0 assumes independent comparisons)"
        ),
    };
    Ok(Plan::Power {
        goal,
        clustering: Clustering::new(a.per_subject, icc)?,
        json: a.json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The plan of `biasbench ARGS…`, or its error message.
    fn plan(args: &[&str]) -> Result<Plan, String> {
        let cli = super::super::args::Cli::try_parse_from(
            std::iter::once("biasbench").chain(args.iter().copied()),
        )
        .map_err(|e| e.to_string())?;
        Plan::new(cli.command, vec!["biasbench".into()]).map_err(|e| format!("{e:#}"))
    }

    fn verify_job(args: &[&str]) -> VerifyJob {
        let args = [&["verify", "c.csv"], args].concat();
        match plan(&args) {
            Ok(Plan::Verify(a, VerifyMode::Table)) => a.job,
            Ok(_) => panic!("not an in-memory verify plan"),
            Err(e) => panic!("{e}"),
        }
    }

    /// The error of `biasbench ARGS…`, which must name `flag`.
    fn error(args: &[&str], flag: &str) -> String {
        let e = match plan(args) {
            Ok(_) => panic!("{args:?} passed"),
            Err(e) => e,
        };
        assert!(e.contains(flag), "{args:?}: {e}");
        e
    }

    #[test]
    fn flags_become_typed_values() {
        let job = verify_job(&[
            "--attr",
            "race,sex",
            "--reference",
            "best",
            "--reference",
            "race+sex=A+F",
            "--exclude",
            "note=a=b",
            "--threshold",
            "group-fmr:1e-3",
            "--bootstrap",
            "20",
            "--compare",
            "A,C, the third",
        ]);
        let o = &job.options;
        assert_eq!(
            o.reference,
            [
                ReferenceRule::Best,
                ReferenceRule::Named {
                    attribute: "race+sex".into(),
                    group: "A+F".into()
                }
            ]
        );
        assert_eq!(o.policies, [Policy::parse("group-fmr:1e-3").unwrap()]);
        assert_eq!(
            job.columns.exclude,
            [ExcludeRule {
                column: "note".into(),
                value: "a=b".into()
            }]
        );
        let b = job.bootstrap.unwrap();
        assert_eq!((b.replicates, b.seed, b.rows), (20, DEFAULT_SEED, false));
        assert_eq!(b.compare, Some(("A".into(), "C, the third".into())));
        assert!(verify_job(&[]).bootstrap.is_none());

        let s = match plan(&["summarize", "r.csv", "--trials", "fmr=n", "--exclude", "g="]) {
            Ok(Plan::Summarize(s)) => s.job.columns,
            _ => panic!("not a summarize plan"),
        };
        assert_eq!(s.trials, [TrialsSpec::parse("fmr=n").unwrap()]);
        assert_eq!(s.exclude[0].value, "");
        let modes = |extra: &[&'static str]| match plan(&[&["verify", "d"], extra].concat()) {
            Ok(Plan::Verify(_, VerifyMode::Stream { hash })) => format!("stream {hash}"),
            Ok(Plan::Verify(_, VerifyMode::Partial { hash, .. })) => format!("partial {hash}"),
            Ok(Plan::Verify(_, VerifyMode::Table)) => "table".into(),
            _ => "other".into(),
        };
        assert_eq!(modes(&["--stream", "--no-hash"]), "stream false");
        assert_eq!(modes(&["--emit-partial", "p.json"]), "partial true");
    }

    #[test]
    fn reference_rules_name_an_attribute_of_the_audit() {
        let attrs = ["--attr", "race,sex"];
        let with = |rule: &'static str| [&attrs[..], &["--reference", rule]].concat();
        for ok in ["race=A", "sex=F", "race+sex=A+F", "largest"] {
            verify_job(&with(ok));
        }
        let v = |extra: &[&'static str]| [&["verify", "c.csv"], extra].concat();
        let e = error(&v(&with("nope=A")), "--reference nope=A");
        assert!(e.contains("attributes: race, sex, race+sex"), "{e}");
        let e = error(&v(&["--reference", "race=A"]), "--reference race=A");
        assert!(e.contains("name them with --attr"), "{e}");
        error(&v(&with("biggest")), "--reference");
        error(&v(&with("race=")), "--reference");
        let twice = [&with("race=A")[..], &["--reference", "race=B"]].concat();
        error(&v(&twice), "--reference race=B: a second rule");
        error(
            &["classify", "c.csv", "--reference", "g=x"],
            "--reference g=x",
        );
        error(
            &[
                "identify",
                "s.csv",
                "--attr",
                "race",
                "--reference",
                "sex=F",
            ],
            "--reference sex=F",
        );
    }

    #[test]
    fn every_flag_error_is_caught_in_the_plan() {
        let v = |extra: &[&'static str]| [&["verify", "c.csv"], extra].concat();
        error(&v(&["--threshold", "global-fmr:2"]), "--threshold");
        error(&v(&["--threshold", "fixed"]), "--threshold");
        error(&v(&["--bootstrap", "1"]), "--bootstrap 1");
        error(&v(&["--bootstrap", "0"]), "--bootstrap 0");
        for bad in ["A", "A,", ",B", "A,A"] {
            error(&v(&["--bootstrap", "9", "--compare", bad]), "--compare");
        }
        error(&v(&["--compare", "A,B"]), "--compare needs --bootstrap");
        error(&v(&["--seed", "3"]), "--seed needs --bootstrap");
        error(
            &v(&["--bootstrap-rows"]),
            "--bootstrap-rows needs --bootstrap",
        );
        error(&v(&["--ci", "wald"]), "--ci");
        error(&v(&["--level", "95"]), "--level");
        error(&v(&["--alpha", "2"]), "--alpha");
        error(&v(&["--delimiter", "ab"]), "--delimiter");
        error(&v(&["--exclude", "flag"]), "--exclude");
        error(&v(&["--no-hash"]), "--no-hash");
        error(&v(&["--emit-partial", "p", "--out", "r.txt"]), "--out");
        let i = |extra: &[&'static str]| [&["identify", "s.csv"], extra].concat();
        error(&i(&["--rank", "0"]), "--rank 0");
        error(&i(&["--threshold", "global-fmr:0.1"]), "--threshold");
        error(
            &i(&["--bootstrap", "10", "--bootstrap-rows"]),
            "--bootstrap-rows",
        );
        error(&i(&["--compare", "A,B"]), "--compare needs --bootstrap");
        error(&i(&["--bootstrap", "1"]), "--bootstrap 1");
        let c = |extra: &[&'static str]| [&["classify", "c.csv"], extra].concat();
        error(&c(&["--score", "p"]), "--score needs --cutoff");
        error(&c(&["--cutoff", "0.5"]), "--cutoff");
        error(&c(&["--score", "p", "--cutoff", "NaN"]), "--cutoff");
        let s = |extra: &[&'static str]| [&["summarize", "r.csv"], extra].concat();
        error(&s(&["--trials", "fmr"]), "--trials");
        error(&s(&["--exclude", "=x"]), "--exclude");
    }
}
