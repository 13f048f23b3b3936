//! Layer 10, the command line, ripgrep's way: raw flags (`args`, clap) are
//! checked into a typed plan (`plan`) before any input is opened; the plan
//! is then run here through the `app` layer, with a progress bar (`bar`)
//! when standard error is a terminal. [`run_in_memory`] runs a command
//! line's audit on columns in memory instead of its file: the Python
//! package's calls, so that their options mean and fail exactly as the
//! CLI's flags.

mod args;
mod bar;
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
use crate::report::Report;
use anyhow::{Context, Result};
use args::Cli;
use clap::FromArgMatches;
use plan::{Audit, MergePlan, Output, Plan, VerifyMode};
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
        (Plan::Identify(a), _) if a.job.candidate_lists.is_none() => a.job.run(table()?)?,
        (Plan::Summarize(a), _) => a.job.run(table()?)?,
        _ => anyhow::bail!("this command does not audit a table in memory"),
    };
    Ok(Ran::Report(Box::new(report)))
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

fn verify(a: Audit<VerifyJob>, mode: VerifyMode, progress: Arc<dyn Progress>) -> Result<()> {
    let report = match mode {
        VerifyMode::Table => a.job.run_file(&a.file, progress)?,
        VerifyMode::Stream { hash } => a.job.run_stream(dir(&a.file), hash, &*progress)?,
        VerifyMode::Partial { out, plan, hash } => {
            return write_partial(&a, &out, plan.as_deref(), hash, &*progress)
        }
    };
    emit(&report, &a.output)
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
    let written = demo::write(&report, &identify, out_dir)?;
    to_stdout(&render(&report, Format::Table))?;
    say_written(&written);
    Ok(())
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
        Plan::Verify(a, mode) => verify(*a, mode, progress)?,
        Plan::Merge(a) => return merge(a),
        Plan::Classify(a) => emit(&a.job.run_file(&a.file, progress)?, &a.output)?,
        Plan::Identify(a) => emit(&a.job.run_file(&a.file, progress)?, &a.output)?,
        Plan::Summarize(a) => emit(&a.job.run_file(&a.file, progress)?, &a.output)?,
        Plan::Demo { out_dir } => demo(&out_dir)?,
        Plan::Simulate { out, population } => {
            let mut bytes = Vec::new();
            population.write_csv(&mut bytes).context("simulating")?;
            write_atomic(&out, &bytes)?;
        }
        Plan::Power {
            goal,
            clustering,
            json,
        } => to_stdout(&power::run(goal, clustering, json)?)?,
    }
    Ok(ExitCode::SUCCESS)
}
