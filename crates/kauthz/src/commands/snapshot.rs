//! `kauthz snapshot`: every kind kauthz reads, listed from a live cluster into a `v1` `List`.

use std::io::Write as _;
use std::time::Instant;

use super::EXIT_YES;
use crate::live::{self, SnapshotArgs};

pub fn run(args: SnapshotArgs) -> Result<u8, String> {
    let started = Instant::now();
    let snap = live::snapshot(&args.live, args.page_size)?;
    let list = snap.to_list();
    let text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())? + "\n";
    if args.output.as_os_str() == "-" {
        std::io::stdout().write_all(text.as_bytes()).map_err(|e| format!("stdout: {e}"))?;
    } else {
        std::fs::write(&args.output, text).map_err(|e| format!("{}: cannot write: {e}", args.output.display()))?;
    }
    let kinds: Vec<String> = snap.counts.iter().filter(|(_, n)| *n > 0).map(|(r, n)| format!("{n} {r}")).collect();
    eprintln!(
        "wrote {} objects to {} in {:.2}s ({})",
        snap.items.len(),
        args.output.display(),
        started.elapsed().as_secs_f64(),
        kinds.join(", ")
    );
    if !snap.incomplete.is_empty() {
        eprintln!("the snapshot is marked incomplete (annotation {}): {}", kauthz_kube::INCOMPLETE_ANNOTATION, snap.incomplete_message());
    }
    Ok(EXIT_YES)
}
