//! `kauthz admit`: AdmissionReviews in, answered AdmissionReviews out, one JSON per line,
//! as kube-apiserver's NodeRestriction plugin answers them. Watch events between them
//! update the cluster first.

use std::io::{BufWriter, Write};

use kauthz_core::admission::{AdmissionRequest, AdmissionResponse, NodeRestriction, NodeRestrictionConfig};

use super::review::{Line, for_each_line, write_line};
use super::{EXIT_ERROR, EXIT_YES};
use crate::cli::AdmitArgs;
use crate::context;

pub fn run(args: AdmitArgs) -> Result<u8, String> {
    let loaded = context::load_for_exit(&args.cluster)?;
    let plugin = NodeRestriction::new(NodeRestrictionConfig::from(&loaded.gates));
    let source = args.requests.as_ref().map_or_else(|| "stdin".to_string(), |p| p.display().to_string());
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut unparseable = false;
    for_each_line(args.requests.as_deref(), loaded, |loaded, line| {
        match line {
            // Nothing to answer (no uid can be read): report, carry on, and fail at the end.
            Line::Invalid { lineno, error } => {
                eprintln!("{source}: line {lineno}: invalid JSON: {error}");
                unparseable = true;
            }
            Line::Documents(items) => {
                for item in items {
                    let response = match AdmissionRequest::from_review(item) {
                        Ok(req) => AdmissionResponse::from_result(&req.uid, &plugin.admit(&loaded.state, &loaded.chain, &req)),
                        Err(e) => AdmissionResponse::bad_request(&e),
                    };
                    write_line(&mut out, &response.to_review())?;
                }
            }
        }
        out.flush().map_err(|e| e.to_string())
    })?;
    Ok(if unparseable { EXIT_ERROR } else { EXIT_YES })
}
