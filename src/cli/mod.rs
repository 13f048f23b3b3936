//! Layer 10, the command line, ripgrep's way: raw flags (`args`, clap) are
//! checked into a typed plan (`plan`) before any input is opened; the plan
//! is then run here through the `app` layer, with a progress bar (`bar`)
//! when standard error is a terminal. [`run_in_memory`] runs a command
//! line's audit on columns in memory instead of its file: the Python
//! package's calls, so that their options mean and fail exactly as the
//! CLI's flags.

mod args;
mod bar;
mod check;
mod help;
mod plan;

use crate::app::audit::{Merged, VerifyJob};
use crate::app::demo;
use crate::app::output::{remove_temporaries, write_all, write_atomic};
use crate::app::power;
use crate::engine::verify::stream::{Partial, Plan as StreamPlan};
use crate::input::npy_dir::NpySource;
use crate::input::VerifyColumns;
use crate::progress::{NoProgress, Progress};
use crate::render::{render, render_detail, Format};
use crate::report::gate::{judge_all, Outcome};
use crate::report::Report;
use crate::value::Flatten;
use anyhow::{Context, Result};
use args::Cli;
use clap::FromArgMatches;
use plan::{Audit, CheckPlan, MergePlan, Output, Plan, VerifyMode};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// The command line as recorded in reports (program name normalised).
fn command_line() -> Vec<String> {
    std::iter::once("biasbench".to_string())
        .chain(std::env::args().skip(1))
        .collect()
}

fn emit(report: &Report, out: &Output) -> Result<()> {
    // The alarms come first, before any other output.
    for a in &report.alarms {
        eprintln!("caution: {a}");
    }
    if let Some(dir) = &out.report {
        let written = write_all(report, dir, "report", out.detail)?;
        say_written(&written);
    }
    let text = render_detail(report, out.format, out.detail);
    match &out.out {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None if out.report.is_none() => to_stdout(&text)?,
        None => {}
    }
    Ok(())
}

/// A status line on standard error; when that cannot be written (a full
/// disk), the run goes on: the files it writes are what matters.
fn say(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Ends the process on SIGINT or SIGTERM (exit 128 + the signal, as a shell
/// reports it) after removing the temporary files of unfinished writes.
fn on_interrupt() -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .context("installing the signal handler")?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            remove_temporaries();
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

/// Writes to standard output. A reader that closed the pipe early
/// (`biasbench … | head`) ends the output quietly, as Unix tools do; any
/// other write error (a full disk) is an error.
fn to_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r.context("writing to standard output")?),
    }
}

/// A directory of `.npy` columns.
fn dir(path: &Path) -> NpySource {
    NpySource::Dir(path.to_path_buf())
}

/// What [`run_in_memory`] is asked for.
pub enum Want {
    /// The report.
    Report,
    /// One streaming pass's partial aggregate, with the plan of that pass
    /// (the command line must ask for `--stream`).
    Partial(StreamPlan),
}

/// What [`run_in_memory`] gives.
pub enum Ran {
    /// A report.
    Report(Box<Report>),
    /// A partial aggregate, for [`merge_partials`].
    Partial(Box<Partial>),
}

/// Runs the audit of command line `line` (`biasbench TASK FILE FLAGS…`,
/// FILE naming the table) on the columns of `source` instead of reading
/// FILE. Flags are checked as on the command line and mean the same;
/// `--report`, `--out` and `--format` are not for this call (the caller
/// renders the report).
pub fn run_in_memory(line: Vec<String>, source: NpySource, want: Want) -> Result<Ran> {
    let cli = help::command()
        .try_get_matches_from(&line)
        .and_then(|m| Cli::from_arg_matches(&m))?;
    let plan = Plan::new(cli.command, line)?;
    let table = || crate::input::Table::memory(source.clone());
    let report = match (plan, want) {
        (Plan::Verify(a, VerifyMode::Stream { hash }), Want::Partial(p)) => {
            let part = a.job.partial(source.clone(), &p, hash, &NoProgress)?;
            return Ok(Ran::Partial(Box::new(part)));
        }
        (_, Want::Partial(_)) => {
            anyhow::bail!("a partial needs a streaming verification (--stream)")
        }
        (Plan::Verify(a, VerifyMode::Table), _) => a.job.run(table()?)?,
        (Plan::Verify(a, VerifyMode::Stream { hash }), _) => {
            a.job.run_stream(source.clone(), hash, &NoProgress)?
        }
        (Plan::Classify(a), _) => a.job.run(table()?)?,
        (Plan::Estimate(a), _) => a.job.run(table()?)?,
        (Plan::Identify(a), _) if a.job.candidate_lists.is_none() => a.job.run(table()?)?,
        (Plan::Summarize(a), _) => a.job.run(table()?)?,
        _ => anyhow::bail!("this command does not audit a table in memory"),
    };
    Ok(Ran::Report(Box::new(report)))
}

/// Runs `biasbench compare TASK …` (`line`) on tables in memory:
/// `sources[0]` is model A's table (or the one both models' columns are
/// in), `sources[1]` model B's when the line joins two tables (`--key`).
/// Flags are checked as on the command line and mean the same.
pub fn compare_in_memory(line: Vec<String>, sources: Vec<NpySource>) -> Result<Report> {
    let cli = help::command()
        .try_get_matches_from(&line)
        .and_then(|m| Cli::from_arg_matches(&m))?;
    let Plan::Compare(a) = Plan::new(cli.command, line)? else {
        anyhow::bail!("not a compare command");
    };
    let table = |k: usize| match sources.get(k).or(sources.first()) {
        Some(s) => crate::input::Table::memory(s.clone()),
        None => Err(crate::Error::data("<memory>", "no table given".to_string())),
    };
    let (open_a, open_b) = (|| table(0), || table(1));
    Ok(a.job.run([&open_a, &open_b])?)
}

/// Merges partial aggregates as `biasbench merge` does: the report, or the
/// plan of another pass over every batch. `command` is recorded in the
/// report's provenance.
pub fn merge_partials(
    partials: Vec<Partial>,
    command: Vec<String>,
    reproducible: bool,
) -> Result<Merged> {
    let Some(first) = partials.first() else {
        anyhow::bail!("no partial to merge");
    };
    let job = VerifyJob {
        columns: VerifyColumns::default(),
        options: first.options.clone(),
        command,
        reproducible,
        bootstrap: None,
    };
    Ok(job.merge(partials)?)
}

/// The report of a plan that audits one input, and where it goes.
fn report_of(plan: Plan, progress: Arc<dyn Progress>) -> Result<(Report, Output)> {
    Ok(match plan {
        Plan::Verify(a, VerifyMode::Table) => (a.job.run_file(&a.file, progress)?, a.output),
        Plan::Verify(a, VerifyMode::Stream { hash }) => {
            (a.job.run_stream(dir(&a.file), hash, &*progress)?, a.output)
        }
        Plan::Classify(a) => (a.job.run_file(&a.file, progress)?, a.output),
        Plan::Estimate(a) => (a.job.run_file(&a.file, progress)?, a.output),
        Plan::Identify(a) => (a.job.run_file(&a.file, progress)?, a.output),
        Plan::Summarize(a) => (a.job.run_file(&a.file, progress)?, a.output),
        Plan::Compare(a) => (a.job.run_file(&a.file, progress)?, a.output),
        _ => anyhow::bail!("this command is not an audit of one input"),
    })
}

/// Runs an audit file's audit, judges its gates and writes the report
/// (the verdicts first) and the JUnit XML: exit 0 when every gate passes,
/// 1 when one fails, 3 when one is inconclusive and none fails.
fn check(c: CheckPlan, progress: Arc<dyn Progress>) -> Result<ExitCode> {
    // The baseline first: a bad one is refused before the audit runs.
    let baseline = c.baseline.as_deref().map(Report::read).transpose()?;
    let (mut report, output) = report_of(c.audit, progress)?;
    let values = report.findings.values();
    let base_values = baseline.as_ref().map(|b| b.findings.values());
    let base_name = c.baseline.as_ref().map(|p| p.display().to_string());
    let base = base_name.as_deref().zip(base_values.as_deref());
    let verdicts = judge_all(&c.gates, &values, base).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}: gate {}: {}: {}",
            c.file.display(),
            c.gate_lines[e.gate],
            e.gate + 1,
            e.field,
            e.why
        )
    })?;
    if let Some(path) = &c.junit {
        write_atomic(
            path,
            crate::render::junit(&verdicts, report.task()).as_bytes(),
        )?;
        say(format_args!("wrote {}", path.display()));
    }
    let code = match verdicts.outcome {
        Outcome::Pass => 0,
        Outcome::Fail => 1,
        Outcome::Inconclusive => 3,
    };
    report.gate = Some(verdicts);
    emit(&report, &output)?;
    Ok(ExitCode::from(code))
}

/// One streaming pass over a shard, written as a partial for `merge`.
fn write_partial(
    a: &Audit<VerifyJob>,
    out: &Path,
    plan: Option<&Path>,
    hash: bool,
    progress: &dyn Progress,
) -> Result<()> {
    let plan = match plan {
        None => StreamPlan::default(),
        Some(p) => StreamPlan::read(p)?,
    };
    let part = a.job.partial(dir(&a.file), &plan, hash, progress)?;
    write_atomic(out, &serde_json::to_vec(&part)?)?;
    say(format_args!("wrote {}", out.display()));
    Ok(())
}

/// Merges partials: the report, or exit code 3 and a plan for another pass.
fn merge(a: MergePlan) -> Result<ExitCode> {
    let partials = a
        .partials
        .iter()
        .map(|p| Ok(Partial::read(p)?))
        .collect::<Result<Vec<_>>>()?;
    match merge_partials(partials, a.command, a.reproducible)? {
        Merged::Report(report) => {
            emit(&report, &a.output)?;
            Ok(ExitCode::SUCCESS)
        }
        Merged::NeedsPass(plan) => {
            write_atomic(&a.plan_out, &serde_json::to_vec_pretty(&plan)?)?;
            say(format_args!(
                "the partials do not yet pin every result exactly: run `biasbench verify ... --emit-partial FILE --plan {}` on every shard and merge the new partials",
                a.plan_out.display()
            ));
            Ok(ExitCode::from(3))
        }
    }
}

fn demo(out_dir: &Path) -> Result<()> {
    let report = demo::run(command_line())?;
    let identify = demo::run_identify(command_line())?;
    let ages = demo::run_estimate(command_line())?;
    let mut written = demo::write(&report, &identify, &ages, out_dir)?;
    written.extend(demo_gate(&report, out_dir)?);
    to_stdout(&render(&report, Format::Table))?;
    say_written(&written);
    Ok(())
}

/// The demo's release gate ([`check::DEMO_AUDIT`]) judged on its audit:
/// the audit file, the verdict table and the JUnit XML, written to `dir`.
fn demo_gate(report: &Report, dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let path = dir.join("audit.toml");
    let audit = check::parse(check::DEMO_AUDIT, &path, &[])?;
    let verdicts = judge_all(&audit.gates, &report.findings.values(), None)
        .map_err(|e| anyhow::anyhow!("the demo's gate {}: {}: {}", e.gate + 1, e.field, e.why))?;
    let xml = crate::render::junit(&verdicts, report.task());
    let judged = Report {
        gate: Some(verdicts),
        ..report.clone()
    };
    let files = [
        (path, check::DEMO_AUDIT.to_string()),
        (dir.join("gate.txt"), crate::render::gate_table(&judged)),
        (dir.join("gate.xml"), xml),
    ];
    for (p, text) in &files {
        write_atomic(p, text.as_bytes())?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// "wrote N files:" and one path a line.
fn say_written(paths: &[std::path::PathBuf]) {
    say(format_args!("wrote {} files:", paths.len()));
    for p in paths {
        say(format_args!("  {}", p.display()));
    }
}

/// The command line's `main`: parses the process's arguments and runs them.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::from_arg_matches(&help::command().get_matches())?;
    let plan = Plan::new(cli.command, command_line())?;
    on_interrupt()?;
    let progress = bar::progress();
    match plan {
        Plan::Verify(a, VerifyMode::Partial { out, plan, hash }) => {
            write_partial(&a, &out, plan.as_deref(), hash, &*progress)?
        }
        Plan::Merge(a) => return merge(a),
        Plan::Check(c) => return check(*c, progress),
        Plan::Init(text) => to_stdout(&text)?,
        Plan::Demo { out_dir } => demo(&out_dir)?,
        Plan::Simulate { out, population } => {
            let mut bytes = Vec::new();
            population.write_csv(&mut bytes).context("simulating")?;
            write_atomic(&out, &bytes)?;
        }
        Plan::SimulateAges { out, population } => {
            let mut bytes = Vec::new();
            population.write_csv(&mut bytes).context("simulating")?;
            write_atomic(&out, &bytes)?;
        }
        Plan::Power {
            goal,
            clustering,
            json,
        } => to_stdout(&power::run(goal, clustering, json)?)?,
        audit => {
            let (report, output) = report_of(audit, progress)?;
            emit(&report, &output)?
        }
    }
    Ok(ExitCode::SUCCESS)
}
