//! `kauthz review`: SubjectAccessReviews in, answered SubjectAccessReviews out, one JSON
//! per line. Watch events (`{"type":"ADDED","object":{...}}`) between them update the
//! cluster first, so incremental updates can be checked against upstream.

use std::io::{BufRead, BufWriter, Write};

use kauthz_core::analysis::list;
use kauthz_core::model::Object;
use kauthz_core::review::{StatusFailure, SubjectAccessReview, SubjectRulesReview};
use kauthz_core::snapshot;
use serde_json::Value;

use super::EXIT_YES;
use crate::cli::ReviewArgs;
use crate::context::{self, Loaded};

pub fn run(args: ReviewArgs) -> Result<u8, String> {
    if args.watch {
        return super::review_watch::run(args);
    }
    let loaded = context::load_for_exit(&args.cluster)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for_each_line(args.requests.as_deref(), loaded, |loaded, line| {
        match line {
            Line::Invalid { lineno, error } => {
                write_line(&mut out, &StatusFailure::bad_request(format!("line {lineno}: invalid JSON: {error}")))?
            }
            Line::Documents(items) => {
                for item in items {
                    answer(loaded, item, &mut out)?;
                }
            }
        }
        out.flush().map_err(|e| e.to_string())
    })?;
    Ok(EXIT_YES)
}

/// One input line of a review stream, once watch events are applied.
pub(crate) enum Line {
    /// Not JSON.
    Invalid {
        /// 1-based line number.
        lineno: usize,
        /// The parse error.
        error: serde_json::Error,
    },
    /// The documents to answer (a `List` is expanded to its items).
    Documents(Vec<Value>),
}

/// Reads a review stream (stdin or `path`), one JSON per line: watch events update the
/// cluster, everything else goes to `f`.
pub(crate) fn for_each_line(
    path: Option<&std::path::Path>,
    loaded: &mut Loaded,
    mut f: impl FnMut(&Loaded, Line) -> Result<(), String>,
) -> Result<(), String> {
    let source = path.map_or_else(|| "stdin".to_string(), |p| p.display().to_string());
    let input: Box<dyn BufRead> = match path {
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p).map_err(|e| format!("{source}: {e}"))?)),
        None => Box::new(std::io::stdin().lock()),
    };
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| format!("{source}: reading requests: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let lineno = i + 1;
        // Go's encoding/json turns unpaired surrogate escapes into U+FFFD; serde_json rejects them.
        let value: Value = match serde_json::from_str(&kauthz_core::gostr::json_replace_invalid_surrogates(&line)) {
            Ok(v) => v,
            Err(error) => {
                f(loaded, Line::Invalid { lineno, error })?;
                continue;
            }
        };
        if value.get("type").is_some() && value.get("object").is_some() {
            apply_event(loaded, value).map_err(|e| format!("{source}: line {lineno}: {e}"))?;
            continue;
        }
        let items = match value.get("kind").and_then(Value::as_str) {
            Some(k) if k.ends_with("List") => match value.get("items") {
                Some(Value::Array(items)) => items.clone(),
                _ => vec![],
            },
            _ => vec![value],
        };
        f(loaded, Line::Documents(items))?;
    }
    Ok(())
}

pub(crate) fn answer(loaded: &Loaded, item: Value, out: &mut impl Write) -> Result<(), String> {
    if item.get("kind").and_then(Value::as_str) == Some("SubjectRulesReview") {
        return answer_rules(loaded, item, out);
    }
    let mut sar: SubjectAccessReview = match serde_path_to_error::deserialize(item) {
        Ok(s) => s,
        Err(e) => return write_line(out, &StatusFailure::bad_request(format!("field {}: {}", e.path(), e.inner()))),
    };
    let errors = sar.validate();
    if !errors.is_empty() {
        return write_line(out, &StatusFailure::invalid(&errors));
    }
    let attrs = sar.attributes();
    let result = loaded.chain.decide(&loaded.state, &attrs);
    sar.answer(&attrs, &result);
    loaded.mark_incomplete(&mut sar.status.evaluation_error);
    write_line(out, &sar)
}

/// A `kauthz.dev/v1alpha1` SubjectRulesReview, answered as kube-apiserver's rule resolver
/// would answer a SelfSubjectRulesReview from that user (node rules are not resolved here:
/// this is the machine interface, compared with upstream).
fn answer_rules(loaded: &Loaded, item: Value, out: &mut impl Write) -> Result<(), String> {
    let mut review: SubjectRulesReview = match serde_path_to_error::deserialize(item) {
        Ok(r) => r,
        Err(e) => return write_line(out, &StatusFailure::bad_request(format!("field {}: {}", e.path(), e.inner()))),
    };
    let errors = review.validate();
    if !errors.is_empty() {
        return write_line(out, &StatusFailure::bad_request(errors.join(", ")));
    }
    let mut rules = list::rules_for(&loaded.chain, &loaded.state, &review.user(), &review.spec.namespace, list::NodeRules::Upstream);
    if loaded.mark_incomplete(&mut rules.evaluation_error) {
        rules.incomplete = true;
    }
    review.answer(&rules);
    write_line(out, &review)
}

fn apply_event(loaded: &mut Loaded, event: Value) -> Result<(), String> {
    let kind = event.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
    let object = event.get("object").cloned().unwrap_or(Value::Null);
    match kind.as_str() {
        "ADDED" | "MODIFIED" | "DELETED" => {
            let Some(obj): Option<Object> = snapshot::decode_object(object).map_err(|e| e.to_string())? else { return Ok(()) };
            if kind == "DELETED" {
                loaded.state.delete(&obj.key());
            } else {
                loaded.state.apply(obj);
            }
            Ok(())
        }
        "BOOKMARK" => Ok(()),
        other => Err(format!("unsupported watch event type {other:?}")),
    }
}

pub(crate) fn write_line<T: serde::Serialize>(out: &mut impl Write, value: &T) -> Result<(), String> {
    serde_json::to_writer(&mut *out, value).map_err(|e| e.to_string())?;
    out.write_all(b"\n").map_err(|e| e.to_string())
}
