//! `kauthz admit`: AdmissionReviews in, answered AdmissionReviews out, one JSON per line,
//! as kube-apiserver's NodeRestriction plugin answers them. Watch events between them
//! update the cluster first.

use std::io::{BufRead, BufWriter, Write};

use kauthz_core::admission::{AdmissionRequest, AdmissionResponse, NodeRestriction, NodeRestrictionConfig};
use serde_json::Value;

use super::review::{apply_event, write_line};
use super::{EXIT_ERROR, EXIT_YES};
use crate::cli::AdmitArgs;
use crate::context;

pub fn run(args: AdmitArgs) -> Result<u8, String> {
    let mut loaded = context::load(&args.cluster)?;
    let plugin = NodeRestriction::new(NodeRestrictionConfig::from(&loaded.gates));
    let input: Box<dyn BufRead> = match &args.requests {
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?)),
        None => Box::new(std::io::stdin().lock()),
    };
    let source = args.requests.as_ref().map_or_else(|| "stdin".to_string(), |p| p.display().to_string());
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut unparseable = false;
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("{source}: reading requests: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let lineno = i + 1;
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                // Nothing to answer (no uid can be read): report and carry on.
                eprintln!("{source}: line {lineno}: invalid JSON: {e}");
                unparseable = true;
                continue;
            }
        };
        if value.get("type").is_some() && value.get("object").is_some() {
            apply_event(&mut loaded, value).map_err(|e| format!("{source}: line {lineno}: {e}"))?;
            continue;
        }
        let items = match value.get("kind").and_then(Value::as_str) {
            Some("List") => match value.get("items") {
                Some(Value::Array(items)) => items.clone(),
                _ => vec![],
            },
            _ => vec![value],
        };
        for item in items {
            let response = match AdmissionRequest::from_review(item) {
                Ok(req) => AdmissionResponse::from_result(&req.uid, &plugin.admit(&loaded.state, &loaded.chain, &req)),
                Err(e) => AdmissionResponse::bad_request(&e),
            };
            write_line(&mut out, &response.to_review())?;
        }
        out.flush().map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(if unparseable { EXIT_ERROR } else { EXIT_YES })
}
