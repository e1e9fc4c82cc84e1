//! Running as a kubectl plugin: kubectl runs `kubectl-authz` from the PATH for `kubectl
//! authz …`. clap takes the program name for its usage lines from argv[0], which would
//! print `Usage: kubectl-authz …`; a plugin's help should show the command the user typed.

use std::ffi::OsStr;
use std::path::Path;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// The executable name krew installs and kubectl looks up.
pub const PLUGIN_EXECUTABLE: &str = "kubectl-authz";

/// Whether `argv0` is the plugin executable (any directory; `.exe` on Windows).
pub fn is_plugin(argv0: &OsStr) -> bool {
    let name = Path::new(argv0).file_name().and_then(OsStr::to_str).unwrap_or_default();
    name.strip_suffix(".exe").unwrap_or(name).ends_with(PLUGIN_EXECUTABLE)
}

/// The command-line definition, named as it was invoked.
pub fn command(argv0: Option<&OsStr>) -> clap::Command {
    let cmd = Cli::command();
    if argv0.is_some_and(is_plugin) { cmd.bin_name("kubectl authz") } else { cmd }
}

/// Parses the process's arguments (clap exits on `--help`, `--version` and usage errors).
pub fn parse() -> Cli {
    let argv0 = std::env::args_os().next();
    let matches = command(argv0.as_deref()).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_names() {
        assert!(is_plugin(OsStr::new("/home/u/.krew/bin/kubectl-authz")));
        assert!(is_plugin(OsStr::new("kubectl-authz.exe")));
        assert!(!is_plugin(OsStr::new("/usr/bin/kauthz")));
        assert!(!is_plugin(OsStr::new("kubectl-authz-old")));
    }

    #[test]
    fn plugin_usage_names_the_kubectl_command() {
        let mut cmd = command(Some(OsStr::new("/x/kubectl-authz")));
        let help = cmd.render_help().to_string();
        assert!(help.contains("Usage: kubectl authz <COMMAND>"), "{help}");
        let mut cmd = command(Some(OsStr::new("kauthz")));
        assert!(cmd.render_help().to_string().contains("Usage: kauthz <COMMAND>"));
    }
}
