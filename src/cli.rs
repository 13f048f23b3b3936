//! Argument parsing: raw flags (clap) validated into the library's plan structs.

use anyhow::{bail, Context, Result};
use biasbench::app::audit::{ClassifyJob, IdentifyJob, Merged, SummarizeJob, VerifyJob};
use biasbench::app::demo;
use biasbench::app::output::write_all;
use biasbench::app::output::write_atomic;
use biasbench::app::simulate::{GroupSpec, Population};
use biasbench::bootstrap::BootstrapSpec;
use biasbench::counts::threshold::Policy;
use biasbench::engine::classify::ClassifyOptions;
use biasbench::engine::identify::{IdPolicy, IdentifyOptions};
use biasbench::engine::summarize::SummarizeColumns;
use biasbench::engine::verify::stream::{Partial, Plan};
use biasbench::engine::verify::{Impostors, VerifyOptions};
use biasbench::input::searches::CandidateColumns;
use biasbench::input::{ClassifyColumns, IdentifyColumns, VerifyColumns};
use biasbench::math::interval::{CiSpec, Method};
use biasbench::render::{render, Format};
use biasbench::report::Report;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "biasbench",
    version,
    about = "Audit recognition models for demographic differentials"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 1:1 verification audit of a comparisons table (CSV/TSV, gzip welcome),
    /// a Parquet file or a directory of .npy columns.
    Verify(Box<VerifyArgs>),
    /// Merge the partial files of `verify --emit-partial` on shards into one report.
    Merge(MergeArgs),
    /// Classifier audit: per-group confusion rates, fairlearn and AIF360 parity.
    Classify(Box<ClassifyArgs>),
    /// 1:N identification audit: FPIR and FNIR per group (one row per search).
    Identify(Box<IdentifyArgs>),
    /// Disparity summaries of a table of published per-group rates.
    Summarize(SummarizeArgs),
    /// Audit the built-in synthetic population; writes reports/demo/.
    Demo(DemoArgs),
    /// Write a synthetic comparisons table with chosen per-group distributions.
    Simulate(SimulateArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Csv,
    Markdown,
    Html,
    Latex,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Html => Format::Html,
            FormatArg::Latex => Format::Latex,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ImpostorsArg {
    All,
    SameGroup,
}

#[derive(Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Leave the time out of the report, so the same input gives the same bytes.
    #[arg(long)]
    reproducible: bool,
    /// Write every format (report.txt/json/csv/md/html/tex) and the figures (*.svg) here.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
}

/// Flags every audit shares.
#[derive(Args)]
struct CommonArgs {
    /// Demographic attributes (verify: X_a/X_b columns, else X; classify: X), else --subjects.
    #[arg(long, value_delimiter = ',')]
    attr: Vec<String>,
    /// Subjects table with a subject id column and attribute columns.
    #[arg(long)]
    subjects: Option<PathBuf>,
    /// Id column of the subjects table.
    #[arg(long, default_value = "subject_id")]
    subject_id: String,
    /// Groups smaller than this stay in the tables, flagged, and out of summaries
    /// (verify: the smaller of mated and non-mated counts; classify: items).
    #[arg(long, default_value_t = 1)]
    min_group_size: u64,
    /// Drop rows where COLUMN equals VALUE (repeatable; counted per rule).
    #[arg(long, value_name = "COLUMN=VALUE")]
    exclude: Vec<String>,
    /// Any dropped row is an error (explicit --exclude rules excepted).
    #[arg(long)]
    strict: bool,
    /// Field delimiter (`,`, `;`, `|`, `tab`) [default: sniffed from the header].
    #[arg(long)]
    delimiter: Option<String>,
    /// Reference group of the tests (and of AIF360's forms): largest, best
    /// (lowest error: EER for verify), or ATTRIBUTE=VALUE (repeatable).
    #[arg(long)]
    reference: Vec<String>,
    /// Bootstrap replicates: percentile intervals for every rate and summary.
    #[arg(long, value_name = "B")]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Resample rows even when subject ids are known.
    #[arg(long)]
    bootstrap_rows: bool,
    /// Bootstrap test of the difference between two groups of one attribute.
    #[arg(long, value_name = "A,B")]
    compare: Option<String>,
    /// Interval of every rate: wilson, clopper-pearson, jeffreys or none.
    #[arg(long, default_value = "wilson")]
    ci: String,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    level: f64,
    #[command(flatten)]
    output: OutputArgs,
}

impl CommonArgs {
    fn bootstrap(&self) -> Result<Option<BootstrapSpec>> {
        let compare = match &self.compare {
            None => None,
            Some(s) => match s.split_once(',') {
                Some((a, b)) => Some((a.to_string(), b.to_string())),
                None => bail!("--compare {s:?}: expected two groups, A,B"),
            },
        };
        Ok(match self.bootstrap {
            None if compare.is_some() => bail!("--compare needs --bootstrap B"),
            None => None,
            Some(replicates) => Some(BootstrapSpec {
                replicates,
                seed: self.seed,
                level: self.level,
                rows: self.bootstrap_rows,
                compare,
            }),
        })
    }

    fn ci(&self) -> Result<CiSpec> {
        let Some(method) = Method::parse(&self.ci) else {
            bail!(
                "--ci {:?}: expected wilson, clopper-pearson, jeffreys or none",
                self.ci
            );
        };
        if !(self.level > 0.0 && self.level < 1.0) {
            bail!("--level {} must be within (0, 1)", self.level);
        }
        Ok(CiSpec {
            method,
            level: self.level,
        })
    }
}

#[derive(Args)]
struct ClassifyArgs {
    /// Items table, one row per item.
    file: PathBuf,
    /// True label column.
    #[arg(long, default_value = "y_true")]
    y_true: String,
    /// Predicted label column [default: y_pred, unless --score is given].
    #[arg(long, visible_alias = "pred")]
    y_pred: Option<String>,
    /// Score column, predicted positive when score >= --cutoff.
    #[arg(long)]
    score: Option<String>,
    #[arg(long)]
    cutoff: Option<f64>,
    /// Positive labels of both columns (comma-separated).
    #[arg(long, value_delimiter = ',')]
    positive: Vec<String>,
    /// Positive labels of the true-label column [default: --positive, or labels reading 1/true/yes].
    #[arg(long, value_delimiter = ',')]
    true_positive: Vec<String>,
    /// Positive labels of the predicted-label column [default: as the true labels].
    #[arg(long, value_delimiter = ',')]
    pred_positive: Vec<String>,
    /// Non-negative weight column.
    #[arg(long)]
    weight: Option<String>,
    /// Subject id column of the items (for --subjects).
    #[arg(long)]
    subject: Option<String>,
    /// α of the generalized entropy index.
    #[arg(long, default_value_t = 2.0)]
    entropy_alpha: f64,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct VerifyArgs {
    /// Comparisons table, one row per comparison.
    file: PathBuf,
    /// Score column.
    #[arg(long, default_value = "score")]
    score: String,
    /// Mated-flag column [default: mated if present, else subject_a == subject_b].
    #[arg(long)]
    mated: Option<String>,
    /// Subject column of side a [default: subject_a if present].
    #[arg(long)]
    subject_a: Option<String>,
    /// Subject column of side b [default: subject_b if present].
    #[arg(long)]
    subject_b: Option<String>,
    /// Subject columns hold sample ids <subject><SEP><rest>; enables duplicate detection.
    #[arg(long, value_name = "SEP")]
    id_sep: Option<String>,
    /// Lower scores mean more alike (accept if score <= threshold).
    #[arg(long)]
    distance: bool,
    /// Threshold policy: fixed:T, global-fmr:α, group-fmr:α (repeatable)
    /// [default: global-fmr 1e-1 … 1e-6, as far as the data support].
    #[arg(long = "threshold", value_name = "POLICY")]
    thresholds: Vec<String>,
    #[command(flatten)]
    common: CommonArgs,
    /// Non-mated comparisons that set a global threshold.
    #[arg(long, value_enum, default_value = "all")]
    impostors: ImpostorsArg,
    /// Weight of FMR in FDR, IR, GARBE and WERM.
    #[arg(long, default_value_t = 0.5)]
    alpha: f64,
    /// Stream a directory of .npy columns in bounded memory (exact thresholds,
    /// rates and EER; see the README's "Scale" section).
    #[arg(long)]
    stream: bool,
    /// Write this shard's partial aggregate (one streaming pass) for `biasbench merge`.
    #[arg(long, value_name = "FILE")]
    emit_partial: Option<PathBuf>,
    /// The plan that `biasbench merge` asked for (with --emit-partial).
    #[arg(long, value_name = "FILE", requires = "emit_partial")]
    plan: Option<PathBuf>,
    /// Skip the SHA-256 of streamed inputs (it costs one more read of the data).
    #[arg(long)]
    no_hash: bool,
}

#[derive(Args)]
struct MergeArgs {
    /// Partial files written by `verify --emit-partial`, one per shard.
    #[arg(required = true)]
    partials: Vec<PathBuf>,
    /// Where to write the plan when another pass over the shards is needed.
    #[arg(long, value_name = "FILE", default_value = "plan.json")]
    plan_out: PathBuf,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct IdentifyArgs {
    /// Searches table, one row per search; with --searches, the candidates table
    /// (search id, rank, candidate subject, score).
    file: PathBuf,
    /// Searches table (search id, probe subject, mated flag, attributes) for candidate lists.
    #[arg(long)]
    searches: Option<PathBuf>,
    /// Search id column (candidate-list form).
    #[arg(long, default_value = "search_id")]
    search_id: String,
    /// Rank column of the candidates table.
    #[arg(long, default_value = "rank")]
    rank_column: String,
    /// Candidate subject column of the candidates table.
    #[arg(long, default_value = "candidate")]
    candidate: String,
    /// Score column of the candidates table.
    #[arg(long, default_value = "score")]
    score: String,
    /// Mated-flag column (the probe's identity is enrolled).
    #[arg(long, default_value = "mated")]
    mated: String,
    /// Rank of the mate; empty when it was not returned.
    #[arg(long, default_value = "mate_rank")]
    mate_rank: String,
    /// Score of the mate.
    #[arg(long, default_value = "mate_score")]
    mate_score: String,
    /// Highest non-mate candidate score; empty when none was returned.
    #[arg(long, default_value = "nonmate_score")]
    nonmate_score: String,
    /// Probe subject column (for --subjects; with --searches, default "probe").
    #[arg(long)]
    probe: Option<String>,
    /// Lower scores mean more alike.
    #[arg(long)]
    distance: bool,
    /// fixed:T, global-fpir:α or investigative (repeatable)
    /// [default: investigative and global-fpir 1e-1 … 1e-3, as far as the data support].
    #[arg(long = "threshold", value_name = "POLICY")]
    thresholds: Vec<String>,
    /// Ranks R of FNIR(R, T) (repeatable).
    #[arg(long = "rank", default_value = "1")]
    ranks: Vec<u32>,
    /// Weight of FPIR in FDR, IR, GARBE and WERM.
    #[arg(long, default_value_t = 0.5)]
    alpha: f64,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct SummarizeArgs {
    /// Table of per-group rates, one row per group.
    file: PathBuf,
    /// Group column(s), joined with '+'.
    #[arg(long, value_delimiter = ',', default_value = "group")]
    group: Vec<String>,
    /// Rate columns [default: every column that is not a group or trials column];
    /// `fmr` and `fnmr` also give FDR, IR, GARBE and WERM; `eer`, `error_rate` or `accuracy` give SER.
    #[arg(long, value_delimiter = ',')]
    rates: Vec<String>,
    /// RATE=COLUMN: trials behind a rate (repeatable), for the zero-error rule of the geometric mean.
    #[arg(long)]
    trials: Vec<String>,
    /// Rates are percentages.
    #[arg(long)]
    percent: bool,
    /// Weight of FMR in FDR, IR, GARBE and WERM.
    #[arg(long, default_value_t = 0.5)]
    alpha: f64,
    /// Drop rows where COLUMN equals VALUE (repeatable).
    #[arg(long, value_name = "COLUMN=VALUE")]
    exclude: Vec<String>,
    /// Field delimiter [default: sniffed].
    #[arg(long)]
    delimiter: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct DemoArgs {
    /// Directory for the report files.
    #[arg(long, default_value = "reports/demo")]
    out_dir: PathBuf,
}

#[derive(Args)]
struct SimulateArgs {
    /// Where to write the CSV.
    #[arg(long)]
    out: PathBuf,
    /// Random seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Groups as race=A,sex=F,mated_mean=5,nonmated_mean=0.2 (repeatable) [default: the demo's].
    #[arg(long = "group")]
    groups: Vec<String>,
    #[arg(long)]
    subjects_per_group: Option<usize>,
    #[arg(long)]
    mated_per_subject: Option<usize>,
    #[arg(long)]
    nonmated_per_group: Option<usize>,
    #[arg(long)]
    cross_nonmated: Option<usize>,
}

/// The command line as recorded in reports (program name normalised).
fn command_line() -> Vec<String> {
    std::iter::once("biasbench".to_string())
        .chain(std::env::args().skip(1))
        .collect()
}

fn emit(report: &Report, out: &OutputArgs) -> Result<()> {
    if let Some(dir) = &out.report {
        write_all(report, dir, "report")?;
        eprintln!(
            "wrote {}",
            dir.join("report.{txt,json,csv,md,html,tex}").display()
        );
    }
    let text = render(report, out.format.into());
    match &out.out {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None if out.report.is_none() => print!("{text}"),
        None => {}
    }
    Ok(())
}

fn delimiter(d: &Option<String>) -> Result<Option<u8>> {
    Ok(match d.as_deref() {
        None => None,
        Some("tab" | "\\t" | "\t") => Some(b'\t'),
        Some(s) if s.len() == 1 => Some(s.as_bytes()[0]),
        Some(s) => bail!("--delimiter {s:?}: expected one character or 'tab'"),
    })
}

fn verify(a: VerifyArgs) -> Result<()> {
    let columns = VerifyColumns {
        score: a.score,
        mated: a.mated,
        subject_a: a.subject_a,
        subject_b: a.subject_b,
        id_sep: a.id_sep,
        attrs: a.common.attr.clone(),
        distance: a.distance,
        exclude: a.common.exclude.clone(),
        strict: a.common.strict,
        delimiter: delimiter(&a.common.delimiter)?,
        subjects: a.common.subjects.clone(),
        subject_id: a.common.subject_id.clone(),
    };
    let options = VerifyOptions {
        policies: a
            .thresholds
            .iter()
            .map(|s| Policy::parse(s))
            .collect::<Result<_, _>>()?,
        impostors: match a.impostors {
            ImpostorsArg::All => Impostors::All,
            ImpostorsArg::SameGroup => Impostors::SameGroup,
        },
        alpha: check_alpha(a.alpha)?,
        min_group_size: a.common.min_group_size,
        distance: a.distance,
        ci: a.common.ci()?,
        reference: a.common.reference.clone(),
    };
    let job = VerifyJob {
        columns,
        options,
        command: command_line(),
        reproducible: a.common.output.reproducible,
        bootstrap: a.common.bootstrap()?,
    };
    let hash = !a.no_hash;
    if let Some(out) = &a.emit_partial {
        let plan = match &a.plan {
            None => Plan::default(),
            Some(p) => Plan::read(p)?,
        };
        let part = job.partial(&a.file, &plan, hash)?;
        write_atomic(out, &serde_json::to_vec(&part)?)?;
        eprintln!("wrote {}", out.display());
        return Ok(());
    }
    let report = if a.stream {
        job.run_stream(&a.file, hash)?
    } else {
        job.run_file(&a.file)?
    };
    emit(&report, &a.common.output)
}

/// Merges partials: the report, or exit code 3 and a plan for another pass.
fn merge(a: MergeArgs) -> Result<ExitCode> {
    let partials = a
        .partials
        .iter()
        .map(|p| Ok(Partial::read(p)?))
        .collect::<Result<Vec<_>>>()?;
    let job = VerifyJob {
        columns: VerifyColumns::default(),
        options: partials[0].options.clone(),
        command: command_line(),
        reproducible: a.output.reproducible,
        bootstrap: None,
    };
    match job.merge(partials)? {
        Merged::Report(report) => {
            emit(&report, &a.output)?;
            Ok(ExitCode::SUCCESS)
        }
        Merged::NeedsPass(plan) => {
            write_atomic(&a.plan_out, &serde_json::to_vec_pretty(&plan)?)?;
            eprintln!(
                "the partials do not yet pin every result exactly: run `biasbench verify ... --emit-partial FILE --plan {}` on every shard and merge the new partials",
                a.plan_out.display()
            );
            Ok(ExitCode::from(3))
        }
    }
}

fn classify(a: ClassifyArgs) -> Result<()> {
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
        exclude: c.exclude.clone(),
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
        reference: c.reference.clone(),
        entropy_alpha: a.entropy_alpha,
        min_group_size: c.min_group_size,
        ci: c.ci()?,
    };
    let job = ClassifyJob {
        columns,
        options,
        command: command_line(),
        reproducible: c.output.reproducible,
        bootstrap: c.bootstrap()?,
    };
    emit(&job.run_file(&a.file)?, &c.output)
}

fn identify(a: IdentifyArgs) -> Result<()> {
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
        exclude: c.exclude.clone(),
        strict: c.strict,
        delimiter: delimiter(&c.delimiter)?,
    };
    let options = IdentifyOptions {
        policies: a
            .thresholds
            .iter()
            .map(|s| IdPolicy::parse(s))
            .collect::<Result<_, _>>()?,
        ranks: a.ranks,
        alpha: check_alpha(a.alpha)?,
        min_group_size: c.min_group_size,
        ci: c.ci()?,
        reference: c.reference.clone(),
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
        command: command_line(),
        reproducible: c.output.reproducible,
        candidate_lists,
    };
    emit(&job.run_file(&a.file)?, &c.output)
}

fn summarize(a: SummarizeArgs) -> Result<()> {
    let job = SummarizeJob {
        columns: SummarizeColumns {
            group: a.group,
            rates: a.rates,
            trials: a.trials,
            percent: a.percent,
            exclude: a.exclude,
            strict: false,
        },
        alpha: check_alpha(a.alpha)?,
        delimiter: delimiter(&a.delimiter)?,
        command: command_line(),
        reproducible: a.output.reproducible,
    };
    emit(&job.run_file(&a.file)?, &a.output)
}

fn check_alpha(alpha: f64) -> Result<f64> {
    if !(0.0..=1.0).contains(&alpha) {
        bail!("--alpha {alpha} must be within [0, 1]");
    }
    Ok(alpha)
}

fn simulate(a: SimulateArgs) -> Result<()> {
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
    let mut bytes = Vec::new();
    p.write_csv(&mut bytes).context("simulating")?;
    write_atomic(&a.out, &bytes)?;
    Ok(())
}

/// A progress bar on standard error (installed only when it is a terminal).
struct Bar(std::sync::Mutex<Option<indicatif::ProgressBar>>);

impl biasbench::progress::Progress for Bar {
    fn start(&self, step: &str, total: u64) {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:8} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.set_message(step.to_string());
        *self.0.lock().expect("progress lock") = Some(bar);
    }

    fn advance(&self, bytes: u64) {
        if let Some(b) = self.0.lock().expect("progress lock").as_ref() {
            b.inc(bytes);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.0.lock().expect("progress lock").take() {
            b.finish_and_clear();
        }
    }
}

pub fn run() -> Result<ExitCode> {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        biasbench::progress::install(Box::new(Bar(std::sync::Mutex::new(None))));
    }
    match Cli::parse().command {
        Command::Verify(a) => verify(*a)?,
        Command::Merge(a) => return merge(a),
        Command::Classify(a) => classify(*a)?,
        Command::Identify(a) => identify(*a)?,
        Command::Summarize(a) => summarize(a)?,
        Command::Demo(a) => {
            let report = demo::run(command_line())?;
            let identify = demo::run_identify(command_line())?;
            demo::write(&report, &identify, &a.out_dir)?;
            print!("{}", render(&report, Format::Table));
            eprintln!(
                "wrote {}",
                a.out_dir
                    .join("{report,identify}.{txt,json,csv,md}")
                    .display()
            );
        }
        Command::Simulate(a) => simulate(a)?,
    }
    Ok(ExitCode::SUCCESS)
}
