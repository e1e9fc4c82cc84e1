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

/// The executable kubectl (v1.26+) runs to complete `kubectl authz …` on the command line:
/// `kubectl_complete-authz WORD…` (the words after `authz`, the last one being completed),
/// answered in cobra's `__complete` format. krew installs only the plugin itself, so this
/// one is linked by hand (see the README).
pub const COMPLETE_EXECUTABLE: &str = "kubectl_complete-authz";

/// Whether `argv0` is the completion helper.
pub fn is_completion_helper(argv0: &OsStr) -> bool {
    let name = Path::new(argv0).file_name().and_then(OsStr::to_str).unwrap_or_default();
    name.strip_suffix(".exe").unwrap_or(name).ends_with(COMPLETE_EXECUTABLE)
}

/// Cobra's directives: complete nothing but the candidates (4), or let the shell complete
/// file names (0).
const NO_FILE_COMP: u8 = 4;
const DEFAULT_COMP: u8 = 0;

/// Candidates for the last of `words` (the words after `kubectl authz`), and cobra's
/// directive: subcommands, `--flags`, a flag's enumerated values, or file names for
/// path-valued flags such as `-f`.
pub fn complete(words: &[String]) -> (Vec<String>, u8) {
    // Built, so arguments report their value counts and enumerated values.
    let mut root = Cli::command();
    root.build();
    let (last, before) = words.split_last().map(|(l, b)| (l.as_str(), b)).unwrap_or(("", &[]));
    let mut cur = &root;
    let mut pending: Option<&clap::Arg> = None;
    for w in before {
        if pending.take().is_some() {
            continue;
        }
        if let Some(flag) = w.strip_prefix("--") {
            pending = cur.get_arguments().find(|a| a.get_long() == Some(flag) && takes_value(a));
        } else if let Some(short) = w.strip_prefix('-').and_then(|s| s.chars().next()).filter(|_| w.len() == 2) {
            pending = cur.get_arguments().find(|a| a.get_short() == Some(short) && takes_value(a));
        } else if let Some(sub) = cur.find_subcommand(w) {
            cur = sub;
        }
    }
    if let Some(arg) = pending {
        let values: Vec<String> = arg.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
        if values.is_empty() {
            let path = arg.get_value_names().is_some_and(|n| n.iter().any(|n| matches!(n.as_str(), "PATH" | "FILE")));
            return (Vec::new(), if path { DEFAULT_COMP } else { NO_FILE_COMP });
        }
        return (values.into_iter().filter(|v| v.starts_with(last)).collect(), NO_FILE_COMP);
    }
    let described = |name: &str, about: Option<&clap::builder::StyledStr>| match about {
        Some(a) => format!("{name}\t{}", a.to_string().lines().next().unwrap_or_default()),
        None => name.to_string(),
    };
    let mut out: Vec<String> = if last.starts_with('-') {
        cur.get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| (format!("--{l}"), a.get_help())))
            .filter(|(l, _)| l.starts_with(last))
            .map(|(l, h)| described(&l, h))
            .collect()
    } else {
        cur.get_subcommands()
            .filter(|c| !c.is_hide_set() && c.get_name().starts_with(last))
            .map(|c| described(c.get_name(), c.get_about()))
            .collect()
    };
    if out.is_empty() && !last.starts_with('-') {
        // A positional with enumerated values (e.g. `completion SHELL`).
        out = cur
            .get_positionals()
            .flat_map(|a| a.get_possible_values())
            .map(|v| v.get_name().to_string())
            .filter(|v| v.starts_with(last))
            .collect();
    }
    (out, NO_FILE_COMP)
}

fn takes_value(a: &clap::Arg) -> bool {
    a.get_num_args().is_some_and(|n| n.takes_values())
}

/// Runs as `kubectl_complete-authz`: prints the candidates and the directive line.
pub fn run_completion_helper() -> u8 {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let (candidates, directive) = complete(&words);
    let mut text = String::new();
    for c in candidates {
        text.push_str(&c);
        text.push('\n');
    }
    text.push_str(&format!(":{directive}\n"));
    crate::commands::print(&text);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn kubectl_completion_helper() {
        let (c, d) = complete(&words(&["bl"]));
        assert_eq!((c.len(), d), (1, NO_FILE_COMP));
        assert!(c[0].starts_with("blast-radius\t"), "{c:?}");
        let (c, _) = complete(&words(&["blast-radius", "--no"]));
        assert!(c.iter().any(|x| x.starts_with("--node\t")), "{c:?}");
        let (c, _) = complete(&words(&["blast-radius", "-o", ""]));
        assert!(c.contains(&"html".to_string()) && c.contains(&"json".to_string()), "{c:?}");
        assert_eq!(complete(&words(&["can-i", "-f", ""])), (Vec::new(), DEFAULT_COMP));
        assert_eq!(complete(&words(&["completion", "z"])).0, ["zsh"]);
        assert!(is_completion_helper(OsStr::new("/usr/local/bin/kubectl_complete-authz")));
    }

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
