//! The `mailroom` binary: parse the command line, set up logging, run, map to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = mailroom::cli::Cli::parse();
    mailroom::cli::init_tracing(&cli);
    match mailroom::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("Erreur : {error:#}");
            ExitCode::from(2)
        }
    }
}
