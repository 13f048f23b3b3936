//! The `biasbench` command line: parses arguments and calls the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    match biasbench::cli::run() {
        Ok(code) => code,
        Err(e) => {
            // Messages quote names and values from the data: no raw control
            // character. Nothing more to do when even standard error cannot be
            // written.
            use std::io::Write;
            let message = biasbench::render::for_terminal(&format!("{e:#}"));
            let _ = writeln!(std::io::stderr().lock(), "error: {message}");
            ExitCode::from(2)
        }
    }
}
