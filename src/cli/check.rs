//! `biasbench check audit.toml`: an audit and its acceptance criteria in
//! one versioned file. The file's options become the task's command line
//! (checked as the CLI checks it), the audit runs, and its gates are judged
//! on the report ([`crate::report::gate`]). Relative paths (`input`, and the
//! `subjects` and `searches` options) are read from the audit file's directory.

use crate::report::gate::{Better, Gate, On};
use anyhow::{bail, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The audit file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFile {
    task: Spanned<String>,
    input: Spanned<String>,
    #[serde(default)]
    options: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default, rename = "gate")]
    gates: Vec<Spanned<GateFile>>,
}

/// One `[[gate]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GateFile {
    name: Option<String>,
    metric: String,
    #[serde(default = "pooled")]
    attribute: String,
    policy: Option<String>,
    groups: Option<Groups>,
    max: Option<f64>,
    min: Option<f64>,
    #[serde(default)]
    on: On,
    min_trials: Option<f64>,
    max_increase: Option<f64>,
    #[serde(default)]
    not_worse: bool,
    #[serde(default)]
    better: Better,
}

fn pooled() -> String {
    "*".into()
}

/// `groups = "all"` or a list of groups.
#[derive(Deserialize)]
#[serde(untagged)]
enum Groups {
    All(String),
    These(Vec<String>),
}

/// A checked audit file: the task's command line and the gates, with the
/// line of each gate (for messages).
pub struct Audit {
    /// `biasbench TASK INPUT FLAGS…`.
    pub line: Vec<String>,
    /// The gates, in the file's order.
    pub gates: Vec<Gate>,
    /// The 1-based line of each gate's `[[gate]]`.
    pub gate_lines: Vec<usize>,
    /// Each option's flag (`--attr`) and line, for errors in its value.
    pub option_lines: Vec<(String, usize)>,
}

impl Audit {
    /// `file:line: options.KEY: …` for an error the task's flags gave,
    /// placed at the option it names (else at the file).
    pub fn locate(&self, file: &Path, message: &str) -> String {
        let named = self
            .option_lines
            .iter()
            .filter(|(flag, _)| message.contains(flag.as_str()))
            .max_by_key(|(flag, _)| flag.len());
        match named {
            Some((flag, line)) => format!(
                "{}:{line}: options.{}: {message}",
                file.display(),
                flag.trim_start_matches('-')
            ),
            None => format!("{}: options: {message}", file.display()),
        }
    }
}

/// The 1-based line of byte `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// A flag's values as command-line words: a string, a number, `true`, or
/// an array of them (a repeated flag).
fn words(v: &toml::Value) -> Option<Vec<String>> {
    Some(match v {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Integer(i) => vec![i.to_string()],
        toml::Value::Float(f) => vec![f.to_string()],
        toml::Value::Array(a) => {
            let mut out = Vec::new();
            for x in a {
                match x {
                    toml::Value::Array(_) | toml::Value::Table(_) | toml::Value::Boolean(_) => {
                        return None
                    }
                    x => out.extend(words(x)?),
                }
            }
            out
        }
        _ => return None,
    })
}

/// The long flags a task takes, without their dashes.
fn flags_of(task: &str) -> Option<Vec<String>> {
    let cmd = super::help::command();
    let sub = cmd.find_subcommand(task)?;
    Some(
        sub.get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect(),
    )
}

/// Reads and checks an audit file; `extra` are the output flags of the
/// `check` command line, appended to the task's.
pub fn read(path: &Path, extra: &[String]) -> Result<Audit> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    parse(&text, path, extra)
}

/// [`read`] of an audit file's text; `path` names it and places its relative input.
pub fn parse(text: &str, path: &Path, extra: &[String]) -> Result<Audit> {
    let file = path.display().to_string();
    let f: AuditFile = toml::from_str(text)
        .map_err(|e| anyhow::anyhow!("{file}: {}", e.to_string().trim_end()))?;
    let at = |span: std::ops::Range<usize>| format!("{file}:{}", line_of(text, span.start));
    let task = f.task.get_ref().as_str();
    const TASKS: [&str; 5] = ["verify", "identify", "classify", "estimate", "summarize"];
    if !TASKS.contains(&task) {
        bail!(
            "{}: task: {task:?} is not an audit (one of {})",
            at(f.task.span()),
            TASKS.join(", ")
        );
    }
    let known = flags_of(task).expect("the audits are subcommands");
    const NOT_HERE: [&str; 7] = [
        "format",
        "detail",
        "out",
        "report",
        "emit-partial",
        "plan",
        "help",
    ];
    let beside = |p: &str| {
        let p = PathBuf::from(p);
        let base = path.parent().unwrap_or(Path::new("."));
        if p.is_relative() {
            base.join(p)
        } else {
            p
        }
    };
    let input = beside(f.input.get_ref());
    let mut line = vec![
        "biasbench".to_string(),
        task.to_string(),
        input.display().to_string(),
    ];
    for (key, value) in &f.options {
        let flag = key.get_ref().replace('_', "-");
        if !known.contains(&flag) || NOT_HERE.contains(&flag.as_str()) {
            let mut options: Vec<&str> = known
                .iter()
                .map(String::as_str)
                .filter(|k| !NOT_HERE.contains(k))
                .collect();
            options.sort_unstable();
            bail!(
                "{}: options.{}: not an option of {task} (options: {})",
                at(key.span()),
                key.get_ref(),
                options.join(", ")
            );
        }
        // Files an option names, like the input, are read from this file's directory.
        let value = match (flag.as_str(), value.get_ref()) {
            ("subjects" | "searches", toml::Value::String(p)) => {
                toml::Value::String(beside(p).display().to_string())
            }
            (_, v) => v.clone(),
        };
        match &value {
            toml::Value::Boolean(true) => line.push(format!("--{flag}")),
            toml::Value::Boolean(false) => {}
            v => {
                let Some(ws) = words(v) else {
                    bail!(
                        "{}: options.{}: expected a string, a number, true/false or a list of them, found {v:?}",
                        at(key.span()),
                        key.get_ref()
                    );
                };
                for w in ws {
                    line.push(format!("--{flag}"));
                    line.push(w);
                }
            }
        }
    }
    line.extend(extra.iter().cloned());
    let option_lines = f
        .options
        .keys()
        .map(|k| {
            (
                format!("--{}", k.get_ref().replace('_', "-")),
                line_of(text, k.span().start),
            )
        })
        .collect();
    let mut gates: Vec<Gate> = Vec::new();
    let mut gate_lines = Vec::new();
    for (i, g) in f.gates.iter().enumerate() {
        let l = line_of(text, g.span().start);
        let g = g.get_ref();
        let groups = match &g.groups {
            None => None,
            Some(Groups::All(s)) if s == "all" => None,
            Some(Groups::All(s)) => {
                bail!(
                    "{file}:{l}: gate {}: groups: {s:?}: write \"all\" or a list of groups",
                    i + 1
                )
            }
            Some(Groups::These(v)) => Some(v.clone()),
        };
        let name = g.name.clone().unwrap_or_else(|| {
            let limit = match (g.max, g.min, g.max_increase) {
                (Some(m), _, _) => format!(" ≤ {m}"),
                (_, Some(m), _) => format!(" ≥ {m}"),
                (_, _, Some(r)) => format!(" within +{}% of baseline", r * 100.0),
                _ => " not worse than baseline".into(),
            };
            format!("{} {}{limit}", g.attribute, g.metric)
        });
        let gate = Gate {
            name,
            metric: g.metric.clone(),
            attribute: g.attribute.clone(),
            policy: g.policy.clone(),
            groups,
            max: g.max,
            min: g.min,
            on: g.on,
            min_trials: g.min_trials,
            max_increase: g.max_increase,
            not_worse: g.not_worse,
            better: g.better,
        };
        if let Err((field, why)) = gate.check() {
            bail!("{file}:{l}: gate {}: {field}: {why}", i + 1);
        }
        if let Some(k) = gates.iter().position(|g| g.name == gate.name) {
            bail!(
                "{file}:{l}: gate {}: name: {:?} is the name of gate {} too: give each gate its own",
                i + 1,
                gate.name,
                k + 1
            );
        }
        gates.push(gate);
        gate_lines.push(l);
    }
    if gates.is_empty() {
        bail!("{file}: no [[gate]]: an audit file needs at least one gate");
    }
    Ok(Audit {
        line,
        gates,
        gate_lines,
        option_lines,
    })
}

/// The demo's release gate (`biasbench demo` judges it and writes it to
/// `reports/demo/audit.toml`, with the verdict as `gate.txt` and `gate.xml`).
pub const DEMO_AUDIT: &str = r#"# The demo's release gate. `biasbench demo` judges these gates on its audit
# and writes the verdict beside it (gate.txt, gate.xml). To run it yourself:
#   biasbench simulate --out reports/demo/demo.csv
#   biasbench check reports/demo/audit.toml --junit gate.xml
task = "verify"
input = "demo.csv"

[options]
attr = ["race", "sex"]
threshold = ["global-fmr:1e-2", "global-fmr:1e-3", "global-fmr:1e-4", "group-fmr:1e-3", "fixed:3"]

[[gate]]
name = "FMR of every race group at most 3e-3 (upper bound)"
metric = "fmr"
attribute = "race"
policy = "global-fmr:1e-3"
max = 3e-3
on = "bound"
min_trials = 1000

[[gate]]
name = "FMR disparity by race (max/geomean) at most 2"
metric = "fmr.max_over_geomean"
attribute = "race"
policy = "global-fmr:1e-3"
max = 2

[[gate]]
name = "FNMR of every race+sex group at most 0.3"
metric = "fnmr"
attribute = "race+sex"
policy = "global-fmr:1e-3"
max = 0.3

[[gate]]
name = "GARBE by race at most 0.5"
metric = "garbe"
attribute = "race"
policy = "global-fmr:1e-3"
max = 0.5
"#;

/// A commented starting audit file for `task`.
pub fn init(task: &str) -> Result<String> {
    let body = match task {
        "verify" => INIT_VERIFY,
        "identify" => INIT_IDENTIFY,
        "classify" => INIT_CLASSIFY,
        "estimate" => INIT_ESTIMATE,
        "summarize" => INIT_SUMMARIZE,
        _ => bail!("--init {task}: expected verify, identify, classify, estimate or summarize"),
    };
    Ok(format!("{INIT_HEADER}{body}"))
}

/// What every starting file says first.
const INIT_HEADER: &str =
    "# biasbench release gate: `biasbench check audit.toml` (exit 0 pass, 1 fail,
# 3 inconclusive, 2 usage or input error). Keep this file under version control.
";

const INIT_VERIFY: &str = r#"task = "verify"
# Relative paths are read from this file's directory.
input = "comparisons.csv"

# Every flag of `biasbench verify`, by its name (see `biasbench verify --help`).
[options]
score = "score"
mated = "mated"
attr = ["race", "sex"]
threshold = ["global-fmr:1e-3"]
# distance = true
# subjects = "subjects.csv"
# bootstrap = 1000
# seed = 1

# One [[gate]] per criterion. metric: a name of the tidy CSV's metric column
# (fmr, fnmr, eer, fmr.max_over_geomean, fmr.max_minus_min, garbe, fdr, ...);
# attribute: a view (race, race+sex, or "*" pooled); policy: when the audit
# has several; groups: "all" (default) or a list; max or min: the limit;
# on: "estimate" (default) or "bound" (the interval bound that makes passing
# hardest); min_trials: fewer trials make the gate inconclusive.
[[gate]]
name = "FMR of every race group at most 2e-3 (upper bound)"
metric = "fmr"
attribute = "race"
policy = "global-fmr:1e-3"
max = 2e-3
on = "bound"
min_trials = 1000

[[gate]]
name = "FMR disparity by race (max/geomean) at most 2"
metric = "fmr.max_over_geomean"
attribute = "race"
policy = "global-fmr:1e-3"
max = 2.0

# Relative to a saved report (`--baseline old.json`): at most 10 % worse,
# or not significantly worse (the two intervals).
# [[gate]]
# metric = "fnmr.max_over_geomean"
# attribute = "race"
# policy = "global-fmr:1e-3"
# max_increase = 0.10
"#;

const INIT_IDENTIFY: &str = r#"task = "identify"
input = "searches.csv"

# Every flag of `biasbench identify`, by its name.
[options]
attr = ["race"]
threshold = ["fixed:0.5"]

[[gate]]
name = "FPIR of every group at most 1e-2"
metric = "fpir"
attribute = "race"
max = 1e-2
on = "bound"

[[gate]]
metric = "fnir"
attribute = "race"
max = 0.1
"#;

const INIT_CLASSIFY: &str = r#"task = "classify"
input = "predictions.csv"

# Every flag of `biasbench classify`, by its name.
[options]
y-true = "y_true"
y-pred = "y_pred"
attr = ["race"]

[[gate]]
name = "demographic parity difference at most 0.1"
metric = "demographic_parity_difference"
attribute = "race"
max = 0.1

[[gate]]
metric = "tpr"
attribute = "race"
min = 0.8
"#;

const INIT_ESTIMATE: &str = r#"task = "estimate"
input = "ages.csv"

# Every flag of `biasbench estimate`, by its name.
[options]
y-true = "age"
y-pred = "predicted_age"
attr = ["sex", "region"]
subject = "subject_id"
challenge = ["18:25"]

[[gate]]
name = "MAE gap between groups at most 1.5 years"
metric = "mae.max_minus_min"
attribute = "region"
max = 1.5

[[gate]]
name = "under-18s admitted at most 5% in every group"
metric = "false_admit"
attribute = "region"
policy = "challenge:18:25"
max = 0.05
"#;

const INIT_SUMMARIZE: &str = r#"task = "summarize"
input = "published.csv"

# Every flag of `biasbench summarize`, by its name.
[options]
group = ["group"]
rates = ["fmr", "fnmr"]

[[gate]]
metric = "fmr.max_over_geomean"
attribute = "group"
max = 2.0
"#;
