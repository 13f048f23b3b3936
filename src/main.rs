//! The `biasbench` command line: parses arguments and calls the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            // Nothing more to do when even standard error cannot be written.
            use std::io::Write;
            let _ = writeln!(std::io::stderr().lock(), "error: {e:#}");
            ExitCode::from(2)
        }
    }
}
