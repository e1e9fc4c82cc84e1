//! `kauthz explain`: every authorizer's decision for one request, with the binding, rule,
//! policy line or graph path behind it.

use kauthz_core::admission::{AdmissionError, AdmissionResponse};
use kauthz_core::authz::Decision;
use kauthz_core::chain::ChainResult;
use kauthz_core::review::SubjectAccessReview;
use serde::Serialize;

use super::{EXIT_NO, EXIT_UNDETERMINED, EXIT_YES, print};
use crate::cli::{ExplainArgs, OutputFormat};
use crate::{context, output};

pub fn run(args: ExplainArgs) -> Result<u8, String> {
    let user = context::identity_for(&args.identity, &args.cluster)?;
    let attrs = context::attributes(&args.request, user)?;
    let loaded = context::load_for_exit(&args.cluster)?;
    let result = loaded.chain.evaluate(&loaded.state, &attrs);
    let admission = if result.allowed() { context::admit_write(&args.write, &attrs, loaded)? } else { None };
    let refused = admission.as_ref().and_then(|a| a.as_ref().err());
    let code = match (&result.verdict, result.allowed(), refused) {
        (None, _, _) | (_, _, Some(AdmissionError::Undetermined(_))) => EXIT_UNDETERMINED,
        (_, true, None) => EXIT_YES,
        _ => EXIT_NO,
    };
    let mut sar = SubjectAccessReview::from_attributes(&attrs);
    sar.answer(&attrs, &result);
    match args.output {
        OutputFormat::Table | OutputFormat::Wide => {
            let verdict = match code {
                _ if refused.is_some() => "denied by admission",
                EXIT_YES => "allowed",
                EXIT_UNDETERMINED => "undetermined",
                _ if sar.status.denied => "denied",
                _ => "not allowed",
            };
            let mut text = format!("{verdict}\n");
            if !sar.status.reason.is_empty() {
                text.push_str(&format!("reason: {}\n", sar.status.reason.replace('\n', "\n        ")));
            }
            if !sar.status.evaluation_error.is_empty() {
                text.push_str(&format!("evaluation error: {}\n", sar.status.evaluation_error));
            }
            if let Some(e) = refused {
                text.push_str(&format!("admission: NodeRestriction: {e}\n"));
            }
            text.push_str(&render_steps_with_admission(&result, admission.as_ref()));
            print(&text);
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            #[derive(Serialize)]
            struct Out<'a> {
                review: &'a SubjectAccessReview,
                steps: Vec<StepOut>,
                #[serde(skip_serializing_if = "Option::is_none")]
                admission: Option<AdmissionResponse>,
            }
            let admission = admission.as_ref().map(|o| AdmissionResponse::from_result("", o));
            let out = Out { review: &sar, steps: steps_out(&result), admission };
            print(&if args.output == OutputFormat::Json { output::json(&out)? } else { output::yaml(&out)? });
        }
    }
    Ok(code)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepOut {
    authorizer: String,
    #[serde(rename = "type")]
    type_name: &'static str,
    decision: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

fn decision_word(d: Option<Decision>) -> &'static str {
    match d {
        Some(Decision::Allow) => "allow",
        Some(Decision::Deny) => "deny",
        Some(Decision::NoOpinion) => "no opinion",
        None => "not evaluated",
    }
}

fn detail(step: &kauthz_core::chain::Step) -> Option<String> {
    if let Some(src) = &step.rbac_source {
        let r = &src.rule;
        // Like Go's %v, but the core group shows as "" rather than vanishing.
        let list = |items: &[String]| {
            let shown: Vec<String> = items.iter().map(|i| if i.is_empty() { "\"\"".to_string() } else { i.clone() }).collect();
            kauthz_core::analysis::list::go_list(&shown)
        };
        return Some(format!(
            "rule #{} of {} {}: verbs={} apiGroups={} resources={} resourceNames={} nonResourceURLs={}",
            src.rule_index + 1,
            src.role_ref.kind,
            src.role_ref.name,
            list(&r.verbs),
            list(&r.api_groups),
            list(&r.resources),
            list(&r.resource_names),
            list(&r.non_resource_urls)
        ));
    }
    if let Some(path) = &step.graph_path {
        return Some(format!("path: {}", path.hops.join(" <- ")));
    }
    if let Some(line) = step.abac_policy {
        return Some(format!("policy line {}", line + 1));
    }
    if step.verdict.is_none() {
        return Some("webhooks cannot be evaluated offline".into());
    }
    None
}

fn steps_out(result: &ChainResult) -> Vec<StepOut> {
    result
        .steps
        .iter()
        .map(|s| StepOut {
            authorizer: s.authorizer.clone(),
            type_name: s.type_name,
            decision: decision_word(s.verdict.as_ref().map(|v| v.decision)),
            reason: s.verdict.as_ref().map(|v| v.reason.clone()).unwrap_or_default(),
            detail: detail(s),
        })
        .collect()
}

/// The chain's steps, then NodeRestriction's answer when admission ran.
pub fn render_steps_with_admission(result: &ChainResult, admission: Option<&Result<(), AdmissionError>>) -> String {
    let mut rows = vec![vec!["AUTHORIZER".to_string(), "TYPE".into(), "DECISION".into(), "REASON".into()]];
    for s in steps_out(result) {
        let mut reason = s.reason.replace('\n', "; ");
        if let Some(d) = s.detail {
            if !reason.is_empty() {
                reason.push_str("; ");
            }
            reason.push_str(&d);
        }
        rows.push(vec![s.authorizer, s.type_name.into(), s.decision.into(), reason]);
    }
    if let Some(outcome) = admission {
        let (decision, reason) = match outcome {
            Ok(()) => ("admit", String::new()),
            Err(e) => ("deny", e.to_string()),
        };
        rows.push(vec!["NodeRestriction".into(), "Admission".into(), decision.into(), reason]);
    }
    crate::table::tabwrite(&rows)
}
