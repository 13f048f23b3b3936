//! The command line, ripgrep's way: raw flags ([`args`], clap) are checked
//! into a typed plan ([`plan`]) before any input is opened; the plan is then
//! run here through the library's `app` layer, with a progress bar
//! ([`bar`]) when standard error is a terminal.

mod args;
mod bar;
mod help;
mod plan;

use anyhow::{Context, Result};
use args::Cli;
use biasbench::app::audit::{Merged, VerifyJob};
use biasbench::app::demo;
use biasbench::app::output::{remove_temporaries, write_all, write_atomic};
use biasbench::app::power;
use biasbench::engine::verify::stream::{Partial, Plan as StreamPlan};
use biasbench::input::VerifyColumns;
use biasbench::progress::Progress;
use biasbench::render::{render, render_detail, Format};
use biasbench::report::Report;
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

fn verify(a: Audit<VerifyJob>, mode: VerifyMode, progress: Arc<dyn Progress>) -> Result<()> {
    let report = match mode {
        VerifyMode::Table => a.job.run_file(&a.file, progress)?,
        VerifyMode::Stream { hash } => a.job.run_stream(&a.file, hash, &*progress)?,
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
    let part = a.job.partial(&a.file, &plan, hash, progress)?;
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
    let job = VerifyJob {
        columns: VerifyColumns::default(),
        options: partials[0].options.clone(),
        command: a.command,
        reproducible: a.reproducible,
        bootstrap: None,
    };
    match job.merge(partials)? {
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
