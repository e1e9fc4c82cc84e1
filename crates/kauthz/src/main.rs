//! The `kauthz` binary: parse the command line, run the command, exit with its code.

mod cli;
mod commands;
mod context;
mod live;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(commands::EXIT_ERROR)
        }
    }
}
