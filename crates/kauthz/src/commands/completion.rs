//! `kauthz completion SHELL`: a shell completion script, as `kubectl completion` prints one.

use clap_complete::Shell;

use super::{EXIT_YES, print};
use crate::cli::CompletionArgs;
use crate::plugin;

/// Writes the completion script for `args.shell` to stdout, for the name the program was
/// invoked as (`kauthz`, or `kubectl-authz` when installed as a kubectl plugin).
pub fn run(args: CompletionArgs) -> Result<u8, String> {
    let argv0 = std::env::args_os().next();
    let name = if argv0.as_deref().is_some_and(plugin::is_plugin) { plugin::PLUGIN_EXECUTABLE } else { "kauthz" };
    print(&script(args.shell, name));
    Ok(EXIT_YES)
}

/// The completion script for `shell`, completing the program `name`.
pub fn script(shell: Shell, name: &str) -> String {
    let mut cmd = plugin::command(None);
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_complete_subcommands_and_flags() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let s = script(shell, "kauthz");
            for word in ["blast-radius", "can-i", "as-node", "with-defaults", "completion"] {
                assert!(s.contains(word), "{shell}: {word} missing");
            }
        }
        assert!(script(Shell::Bash, "kubectl-authz").contains("kubectl-authz"));
    }
}
