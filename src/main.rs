//! The `listpulse` binary: parse the command line, run it, turn the outcome
//! into an exit status. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use listpulse::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match listpulse::cmd::dispatch(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) => {
            // A closed pipe (`listpulse classify | head`) is not a failure: the
            // reader got what it wanted. Same convention as ripgrep.
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // Error text can quote input (a name, an address): never let
            // it drive the terminal.
            eprintln!(
                "listpulse: {}",
                listpulse::term::visible(&format!("{err:#}"))
            );
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
