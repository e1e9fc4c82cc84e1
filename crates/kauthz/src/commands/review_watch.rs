//! `kauthz review --watch`: SubjectAccessReviews answered over a watched live state. Before
//! each request line, every change the watches delivered is applied, so answers follow the
//! cluster (the delay is the watch's, usually well under a second).

use std::io::{BufRead, BufWriter, Write};
use std::time::Duration;

use kauthz_core::review::StatusFailure;
use serde_json::Value;

use super::EXIT_YES;
use super::review::{answer, write_line};
use crate::cli::ReviewArgs;
use crate::context;

/// How long the initial lists may take.
const SYNC_TIMEOUT: Duration = Duration::from_secs(120);

pub fn run(args: ReviewArgs) -> Result<u8, String> {
    // The chain, gates and an empty state come from the usual loader over no objects: the
    // watches fill the state.
    let cluster = crate::live::effective(&args.cluster)?;
    let mut loaded = context::load_empty(&cluster)?;
    let watched = kauthz_kube::blocking::watch(&args.cluster.live.client_options()).map_err(|e| e.to_string())?;
    let incomplete = watched.sync(&mut loaded.state, SYNC_TIMEOUT).map_err(|e| e.to_string())?;
    for missing in &incomplete {
        eprintln!("Warning: cannot watch {missing}: answers computed without it are incomplete");
    }
    let source = args.requests.as_ref().map_or_else(|| "stdin".to_string(), |p| p.display().to_string());
    let input: Box<dyn BufRead> = match &args.requests {
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p).map_err(|e| format!("{source}: {e}"))?)),
        None => Box::new(std::io::stdin().lock()),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("{source}: reading requests: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        watched.drain(&mut loaded.state);
        match serde_json::from_str::<Value>(&line) {
            Ok(value) => answer(&loaded, value, &mut out)?,
            Err(e) => write_line(&mut out, &StatusFailure::bad_request(format!("line {}: invalid JSON: {e}", i + 1)))?,
        }
        out.flush().map_err(|e| e.to_string())?;
    }
    Ok(EXIT_YES)
}
