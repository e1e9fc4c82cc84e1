//! One module per subcommand; each returns the process exit code.

mod admit;
mod audit;
mod blast_radius;
mod can_i;
mod completion;
mod diff;
mod explain;
mod replay;
mod review;
mod review_watch;
mod serve;
mod snapshot;
mod who_can;

use crate::cli::{Cli, Command};

/// Exit code for "yes" / success.
pub const EXIT_YES: u8 = 0;
/// Exit code for "no".
pub const EXIT_NO: u8 = 1;
/// Exit code for usage and input errors.
pub const EXIT_ERROR: u8 = 2;
/// Exit code when a webhook that could change the answer was not evaluated.
pub const EXIT_UNDETERMINED: u8 = 3;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::CanI(args) => can_i::run(args),
        Command::Explain(args) => explain::run(args),
        Command::WhoCan(args) => who_can::run(args),
        Command::Review(args) => review::run(args),
        Command::Admit(args) => admit::run(args),
        Command::BlastRadius(args) => blast_radius::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Completion(args) => completion::run(args),
        Command::Snapshot(args) => snapshot::run(args),
    }
}

/// Writes to stdout; a closed pipe (e.g. `| head`) is not an error worth a panic.
pub fn print(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
}
