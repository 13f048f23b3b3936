//! The raw command line ("lowargs"): clap's structs, one per subcommand,
//! exactly as typed. Nothing here is validated beyond clap's own parsing;
//! [`super::plan`] turns these into typed plans.

use crate::render::{Detail, Format};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "biasbench",
    version,
    about = "Audit recognition models for demographic differentials"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// 1:1 verification audit of a comparisons table (CSV/TSV, gzip welcome),
    /// a Parquet file or a directory of .npy columns.
    Verify(Box<VerifyArgs>),
    /// Merge the partial files of `verify --emit-partial` on shards into one report.
    Merge(MergeArgs),
    /// Classifier audit: per-group confusion rates, fairlearn and AIF360 parity.
    Classify(Box<ClassifyArgs>),
    /// 1:N identification audit: FPIR and FNIR per group (one row per search).
    Identify(Box<IdentifyArgs>),
    /// Age estimation and age verification audit: per group MAE, mean signed
    /// error, RMSE, median AE, cumulative scores, error by true-age band, and
    /// false-admit / false-refusal rates at challenge ages.
    Estimate(Box<EstimateArgs>),
    /// Disparity summaries of a table of published per-group rates.
    Summarize(SummarizeArgs),
    /// Paired comparison of two models on the same trials: per group and
    /// rate both models, B − A with McNemar's exact test; every summary with
    /// a paired subject bootstrap; a verdict per headline disparity.
    Compare(CompareArgs),
    /// Release gate: run the audit an audit file describes and judge its
    /// gates. Exit codes: 0 every gate passes, 1 a gate fails, 3 a gate is
    /// inconclusive (too few trials, undefined) and none fails, 2 a usage or
    /// input error.
    Check(CheckArgs),
    /// Audit the built-in synthetic population; writes reports/demo/.
    Demo(DemoArgs),
    /// Write a synthetic comparisons table (or, with --task estimate, age
    /// estimates) with chosen per-group distributions.
    Simulate(SimulateArgs),
    /// Plan an evaluation: subjects and comparisons per group to detect a
    /// ratio of error rates or to reach an interval width.
    Power(PowerArgs),
}

/// `biasbench compare TASK …`.
#[derive(Args)]
pub struct CompareArgs {
    #[command(subcommand)]
    pub task: CompareTask,
}

/// The tasks `compare` pairs.
#[derive(Subcommand)]
pub enum CompareTask {
    /// Two score columns of one 1:1 comparisons table, or two tables joined
    /// on --key (every `verify` flag applies to both models; each model
    /// derives its own thresholds).
    Verify(Box<CompareVerifyArgs>),
    /// Two prediction columns (or, with --cutoff, two score columns) of one
    /// classification table, or two tables joined on --key (every
    /// `classify` flag applies to both models).
    Classify(Box<CompareClassifyArgs>),
    /// Two searches tables (one row per search) joined on --key (every
    /// `identify` flag applies to both models).
    Identify(Box<CompareIdentifyArgs>),
}

/// `compare identify`: the audit's flags and the two models.
#[derive(Args)]
pub struct CompareIdentifyArgs {
    #[command(flatten)]
    pub task: IdentifyArgs,
    #[command(flatten)]
    pub models: ModelArgs,
}

/// `compare classify`: the audit's flags and the two models.
#[derive(Args)]
pub struct CompareClassifyArgs {
    #[command(flatten)]
    pub task: ClassifyArgs,
    #[command(flatten)]
    pub models: ModelArgs,
}

/// `compare verify`: the audit's flags and the two models.
#[derive(Args)]
pub struct CompareVerifyArgs {
    #[command(flatten)]
    pub task: VerifyArgs,
    #[command(flatten)]
    pub models: ModelArgs,
}

/// The two models of a paired comparison.
#[derive(Args)]
pub struct ModelArgs {
    /// Model B's table, joined to model A's (FILE) on --key [default: none;
    /// both models' columns are in FILE].
    #[arg(value_name = "FILE_B")]
    pub file_b: Option<std::path::PathBuf>,
    /// The column that names a trial (comparison, item, search) in both
    /// tables [default: none; one table].
    #[arg(long)]
    pub key: Option<String>,
    /// Model A's column, the baseline: scores (verify; classify with
    /// --cutoff) or predicted labels (classify) [default: with two tables,
    /// the task's column (--score, --y-pred)].
    #[arg(long)]
    pub score_a: Option<String>,
    /// Model B's column, the model under test [default: as --score-a].
    #[arg(long)]
    pub score_b: Option<String>,
    /// Name of model A in the report.
    #[arg(long, default_value = "A")]
    pub name_a: String,
    /// Name of model B in the report.
    #[arg(long, default_value = "B")]
    pub name_b: String,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
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
pub enum DetailArg {
    Concise,
    Full,
}

impl From<DetailArg> for Detail {
    fn from(d: DetailArg) -> Detail {
        match d {
            DetailArg::Concise => Detail::Concise,
            DetailArg::Full => Detail::Full,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ImpostorsArg {
    All,
    SameGroup,
}

#[derive(Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// How much the terminal report (--format table and report.txt) shows: concise
    /// (findings, rows, per-group rates, notes) or full (also operating points, group
    /// sizes, summaries, tests, provenance and the full row accounting).
    #[arg(long, value_enum, default_value = "concise")]
    pub detail: DetailArg,
    /// Write to this file (atomically) instead of standard output [default: standard output].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Leave the time out of the report, so the same input gives the same bytes.
    #[arg(long)]
    pub reproducible: bool,
    /// Write every format (report.txt/json/csv/md/html/tex) and the figures (*.svg) here [default: none].
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
}

/// Flags every audit shares.
#[derive(Args)]
pub struct CommonArgs {
    /// Demographic attributes (columns), else --subjects [default: none; one pooled view].
    #[arg(long, value_delimiter = ',')]
    pub attr: Vec<String>,
    /// Subjects table with a subject id column and attribute columns [default: none; attributes from the rows].
    #[arg(long)]
    pub subjects: Option<PathBuf>,
    /// Id column of the subjects table.
    #[arg(long, default_value = "subject_id")]
    pub subject_id: String,
    /// Groups smaller than this stay in the tables, flagged, and out of summaries.
    #[arg(long, default_value_t = 1)]
    pub min_group_size: u64,
    /// Drop rows where COLUMN equals VALUE (repeatable; counted per rule) [default: none].
    #[arg(long, value_name = "COLUMN=VALUE")]
    pub exclude: Vec<String>,
    /// Any dropped row is an error (explicit --exclude rules excepted).
    #[arg(long)]
    pub strict: bool,
    /// Field delimiter (`,`, `;`, `|`, `tab`) [default: sniffed from the header].
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Quoted fields may span any number of lines (up to 4 MiB a record);
    /// without it a quoted field spanning more than 16 lines is an error.
    #[arg(long)]
    pub allow_multiline_fields: bool,
    /// Reference group of the tests: largest, best or ATTRIBUTE=VALUE (repeatable).
    #[arg(long)]
    pub reference: Vec<String>,
    /// Bootstrap replicates: percentile intervals for every rate and summary [default: none; no bootstrap].
    #[arg(long, value_name = "B")]
    pub bootstrap: Option<usize>,
    /// Seed of the bootstrap [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Resample rows even when subject ids are known.
    #[arg(long)]
    pub bootstrap_rows: bool,
    /// Bootstrap test of the difference between two groups of one attribute (with --bootstrap) [default: none].
    #[arg(long, value_name = "A,B")]
    pub compare: Option<String>,
    /// Interval of every rate: wilson, clopper-pearson, jeffreys or none.
    #[arg(long, default_value = "wilson")]
    pub ci: String,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub level: f64,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args)]
pub struct ClassifyArgs {
    /// Items table, one row per item.
    pub file: PathBuf,
    /// True label column.
    #[arg(long, default_value = "y_true")]
    pub y_true: String,
    /// Predicted label column [default: y_pred, unless --score is given].
    #[arg(long, visible_alias = "pred")]
    pub y_pred: Option<String>,
    /// Score column, predicted positive when score >= --cutoff [default: none; y_pred gives the decisions].
    #[arg(long)]
    pub score: Option<String>,
    /// Predicted positive when the score is at least this (with --score) [default: none; required with --score].
    #[arg(long)]
    pub cutoff: Option<f64>,
    /// Positive labels of both columns (comma-separated) [default: none; see --true-positive].
    #[arg(long, value_delimiter = ',')]
    pub positive: Vec<String>,
    /// Positive labels of the true-label column [default: --positive, or labels reading 1/true/yes].
    #[arg(long, value_delimiter = ',')]
    pub true_positive: Vec<String>,
    /// Positive labels of the predicted-label column [default: as the true labels].
    #[arg(long, value_delimiter = ',')]
    pub pred_positive: Vec<String>,
    /// Non-negative weight column [default: none; every item weighs 1].
    #[arg(long)]
    pub weight: Option<String>,
    /// Subject id column of the items: intervals allow for items that share a subject, the bootstrap draws subjects, and --subjects joins on it [default: none; items independent].
    #[arg(long)]
    pub subject: Option<String>,
    /// α of the generalized entropy index.
    #[arg(long, default_value_t = 2.0)]
    pub entropy_alpha: f64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args)]
pub struct EstimateArgs {
    /// Table of age estimates, one row per face image.
    pub file: PathBuf,
    /// True age column (years).
    #[arg(long, default_value = "y_true")]
    pub y_true: String,
    /// Estimated age column (years).
    #[arg(long, visible_alias = "pred", default_value = "y_pred")]
    pub y_pred: String,
    /// Tolerances θ in years of the cumulative score CS(θ) = share with |error| <= θ (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "5")]
    pub cs: Vec<f64>,
    /// True-age bands of whole years, LOW-HIGH or LOW- (e.g. 0-12,13-17,18-24,25-39,40-64,65-) [default: none].
    #[arg(long, value_name = "BANDS")]
    pub age_bands: Option<String>,
    /// Age verification AGE:T[:UNDER-BAND[:OVER-BAND]]: admit when the estimate >= T, the law asking for AGE (e.g. 18:25, 18:25:13-17:18-30; repeatable) [default: none].
    #[arg(long = "challenge", value_name = "AGE:T")]
    pub challenges: Vec<String>,
    /// Non-negative weight column [default: none; every row weighs 1].
    #[arg(long)]
    pub weight: Option<String>,
    /// Subject id column: intervals allow for rows of one person, the bootstrap draws subjects, and --subjects joins on it [default: none; rows independent].
    #[arg(long)]
    pub subject: Option<String>,
    /// Weight of the false-admit rate in FDR, IR, GARBE and WERM.
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Comparisons table, one row per comparison.
    pub file: PathBuf,
    /// Score column.
    #[arg(long, default_value = "score")]
    pub score: String,
    /// Mated-flag column [default: mated if present, else subject_a == subject_b].
    #[arg(long)]
    pub mated: Option<String>,
    /// Subject column of side a [default: subject_a if present].
    #[arg(long)]
    pub subject_a: Option<String>,
    /// Subject column of side b [default: subject_b if present].
    #[arg(long)]
    pub subject_b: Option<String>,
    /// Subject columns hold sample ids <subject><SEP><rest>; enables duplicate detection [default: none; ids are subjects].
    #[arg(long, value_name = "SEP")]
    pub id_sep: Option<String>,
    /// Lower scores mean more alike (accept if score <= threshold).
    #[arg(long)]
    pub distance: bool,
    /// Threshold policy: fixed:T, global-fmr:α, group-fmr:α (repeatable)
    /// [default: global-fmr 1e-1 … 1e-6, as far as the data support].
    #[arg(long = "threshold", value_name = "POLICY")]
    pub thresholds: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Non-mated comparisons that set a global threshold.
    #[arg(long, value_enum, default_value = "all")]
    pub impostors: ImpostorsArg,
    /// Weight of FMR in FDR, IR, GARBE and WERM.
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    /// Stream a directory of .npy columns in bounded memory (exact thresholds,
    /// rates and EER; see the README's "Scale" section).
    #[arg(long)]
    pub stream: bool,
    /// Write this shard's partial aggregate (one streaming pass) for `biasbench merge` [default: none; a report].
    #[arg(long, value_name = "FILE")]
    pub emit_partial: Option<PathBuf>,
    /// The plan that `biasbench merge` asked for (with --emit-partial) [default: none; the first pass].
    #[arg(long, value_name = "FILE", requires = "emit_partial")]
    pub plan: Option<PathBuf>,
    /// Skip the SHA-256 of streamed inputs (it costs one more read of the data).
    #[arg(long)]
    pub no_hash: bool,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Partial files written by `verify --emit-partial`, one per shard.
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    /// Where to write the plan when another pass over the shards is needed.
    #[arg(long, value_name = "FILE", default_value = "plan.json")]
    pub plan_out: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args)]
pub struct IdentifyArgs {
    /// Searches table, one row per search; with --searches, the candidates table
    /// (search id, rank, candidate subject, score).
    pub file: PathBuf,
    /// Searches table (search id, probe subject, mated flag, attributes) for candidate lists [default: none; FILE is a searches table].
    #[arg(long)]
    pub searches: Option<PathBuf>,
    /// Search id column (candidate-list form).
    #[arg(long, default_value = "search_id")]
    pub search_id: String,
    /// Rank column of the candidates table.
    #[arg(long, default_value = "rank")]
    pub rank_column: String,
    /// Candidate subject column of the candidates table.
    #[arg(long, default_value = "candidate")]
    pub candidate: String,
    /// Score column of the candidates table.
    #[arg(long, default_value = "score")]
    pub score: String,
    /// Mated-flag column (the probe's identity is enrolled).
    #[arg(long, default_value = "mated")]
    pub mated: String,
    /// Rank of the mate; empty when it was not returned.
    #[arg(long, default_value = "mate_rank")]
    pub mate_rank: String,
    /// Score of the mate.
    #[arg(long, default_value = "mate_score")]
    pub mate_score: String,
    /// Highest non-mate candidate score; empty when none was returned.
    #[arg(long, default_value = "nonmate_score")]
    pub nonmate_score: String,
    /// Probe subject column, for --subjects [default: probe with --searches, else none].
    #[arg(long)]
    pub probe: Option<String>,
    /// Lower scores mean more alike.
    #[arg(long)]
    pub distance: bool,
    /// fixed:T, global-fpir:α or investigative (repeatable)
    /// [default: investigative and global-fpir 1e-1 … 1e-3, as far as the data support].
    #[arg(long = "threshold", value_name = "POLICY")]
    pub thresholds: Vec<String>,
    /// Ranks R of FNIR(R, T) (repeatable).
    #[arg(long = "rank", default_value = "1")]
    pub ranks: Vec<u32>,
    /// Weight of FPIR in FDR, IR, GARBE and WERM.
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args)]
pub struct SummarizeArgs {
    /// Table of per-group rates, one row per group.
    pub file: PathBuf,
    /// Group column(s), joined with '+'.
    #[arg(long, value_delimiter = ',', default_value = "group")]
    pub group: Vec<String>,
    /// Rate columns [default: every column that is not a group or trials column];
    /// `fmr` and `fnmr` also give FDR, IR, GARBE and WERM; `eer`, `error_rate` or `accuracy` give SER.
    #[arg(long, value_delimiter = ',')]
    pub rates: Vec<String>,
    /// RATE=COLUMN: trials behind a rate (repeatable), for the zero-error rule of the geometric mean and the summaries' intervals [default: none].
    #[arg(long)]
    pub trials: Vec<String>,
    /// Rates are percentages.
    #[arg(long)]
    pub percent: bool,
    /// Weight of FMR in FDR, IR, GARBE and WERM.
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    /// Drop rows where COLUMN equals VALUE (repeatable) [default: none].
    #[arg(long, value_name = "COLUMN=VALUE")]
    pub exclude: Vec<String>,
    /// Field delimiter (`,`, `;`, `|`, `tab`) [default: sniffed from the header].
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Quoted fields may span any number of lines (up to 4 MiB a record);
    /// without it a quoted field spanning more than 16 lines is an error.
    #[arg(long)]
    pub allow_multiline_fields: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args)]
pub struct CheckArgs {
    /// The audit file (TOML): task, input, options and gates [default: none; required unless --init].
    #[arg(required_unless_present = "init", conflicts_with = "init")]
    pub file: Option<PathBuf>,
    /// Print a commented starting audit file for TASK (verify, identify, classify, estimate, summarize) and exit [default: none].
    #[arg(long, value_name = "TASK")]
    pub init: Option<String>,
    /// A JSON report biasbench wrote earlier, for relative gates (max_increase, not_worse) [default: none].
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Also write the verdicts as JUnit XML (one test case per gate and group) [default: none].
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Directory for the report files.
    #[arg(long, default_value = "reports/demo")]
    pub out_dir: PathBuf,
}

#[derive(Args)]
pub struct SimulateArgs {
    /// Where to write the CSV (required).
    #[arg(long)]
    pub out: PathBuf,
    /// What to simulate: 1:1 comparisons (verify) or age estimates (estimate).
    #[arg(long, value_enum, default_value = "verify")]
    pub task: SimulateTask,
    /// Images of each subject (estimate) [default: 3].
    #[arg(long)]
    pub images_per_subject: Option<usize>,
    /// Random seed [default: 20261128, the demo's].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Groups as race=A,sex=F,mated_mean=5,nonmated_mean=0.2 (repeatable; add mated_mean_b=…,nonmated_mean_b=… on every group for a second model's score_b column); with --task estimate as sex=F,region=A,bias=1.5,spread=4 (years) [default: the demo's groups].
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// Subjects in each group [default: 400].
    #[arg(long)]
    pub subjects_per_group: Option<usize>,
    /// Mated comparisons of each subject [default: 3].
    #[arg(long)]
    pub mated_per_subject: Option<usize>,
    /// Non-mated comparisons within each group, between random pairs of its subjects [default: 20000].
    #[arg(long)]
    pub nonmated_per_group: Option<usize>,
    /// Non-mated comparisons between subjects of different groups [default: 60000].
    #[arg(long)]
    pub cross_nonmated: Option<usize>,
}

/// What `simulate` writes: 1:1 comparisons (subject_a, subject_b, mated,
/// score, attributes per side) or age estimates (subject_id, attributes,
/// age, predicted_age).
#[derive(Clone, Copy, ValueEnum)]
pub enum SimulateTask {
    Verify,
    Estimate,
}

#[derive(Args)]
pub struct PowerArgs {
    /// Error rate p of a group (FMR, FNMR, ...), strictly between 0 and 1 (required).
    #[arg(long, allow_hyphen_values = true)]
    pub rate: f64,
    /// Detect p against RATIO x p (two-sided z test; e.g. 2 for "FMR x 2") [default: none; one of --ratio, --width, --relative-width].
    #[arg(long, allow_hyphen_values = true, required_unless_present_any = ["width", "relative_width"])]
    pub ratio: Option<f64>,
    /// Instead of --ratio: the half-width W of a group's interval (in rate units) [default: none].
    #[arg(long, value_name = "W", allow_hyphen_values = true, conflicts_with_all = ["ratio", "relative_width"])]
    pub width: Option<f64>,
    /// Instead of --ratio: the half-width as a share of the rate (0.2 = +-20 %) [default: none].
    #[arg(
        long,
        value_name = "R",
        allow_hyphen_values = true,
        conflicts_with = "ratio"
    )]
    pub relative_width: Option<f64>,
    /// Significance level of the test (with --ratio).
    #[arg(long, default_value_t = 0.05, conflicts_with_all = ["width", "relative_width"])]
    pub alpha: f64,
    /// Power of the test (with --ratio).
    #[arg(long, default_value_t = 0.8, conflicts_with_all = ["width", "relative_width"])]
    pub power: f64,
    /// Confidence level of the interval (with --width or --relative-width).
    #[arg(long, default_value_t = 0.95, conflicts_with = "ratio")]
    pub level: f64,
    /// Comparisons per subject (k).
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub per_subject: u64,
    /// Intra-subject correlation of the error indicators (rho), needed when K > 1;
    /// design effect 1 + (K-1) rho. 0 assumes independent comparisons [default: none; required when K > 1].
    #[arg(long, value_name = "RHO", allow_hyphen_values = true)]
    pub icc: Option<f64>,
    /// Write the answer as JSON.
    #[arg(long)]
    pub json: bool,
}
