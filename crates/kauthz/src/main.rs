//! The `kauthz` binary: parse the command line, run the command, exit with its code.

mod cli;
mod commands;
mod context;
mod html;
mod live;
mod output;
mod plugin;
mod resources;
mod sarif;
mod table;

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args_os().next().is_some_and(|a| plugin::is_completion_helper(&a)) {
        return ExitCode::from(plugin::run_completion_helper());
    }
    let cli = plugin::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(commands::EXIT_ERROR)
        }
    }
}
