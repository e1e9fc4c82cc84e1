//! `kauthz can-i`: one question, or the complete list.

use kauthz_core::admission::{AdmissionError, AdmissionResponse};
use kauthz_core::analysis::list;
use kauthz_core::review::SubjectAccessReview;
use serde::Serialize;

use super::{EXIT_NO, EXIT_UNDETERMINED, EXIT_YES, print};
use crate::cli::{CanIArgs, OutputFormat};
use crate::{context, output};

pub fn run(args: CanIArgs) -> Result<u8, String> {
    let user = context::identity_for(&args.identity, &args.cluster)?;
    if args.list {
        if args.request.all_namespaces || args.request.subresource.is_some() || args.quiet {
            return Err("--list does not work with -A, --subresource or --quiet".into());
        }
        let loaded = context::load(&args.cluster)?;
        let namespace = args.request.namespace.clone().unwrap_or_else(|| "default".into());
        let node = if args.upstream { list::NodeRules::Upstream } else { list::NodeRules::Resolve };
        let review = list::rules_for(&loaded.chain, &loaded.state, &user, &namespace, node);
        return print_list(&args, &namespace, &review);
    }
    let attrs = context::attributes(&args.request, user)?;
    let loaded = context::load(&args.cluster)?;
    let result = loaded.chain.evaluate(&loaded.state, &attrs);
    // Admission runs only on what authorization allowed, as in kube-apiserver.
    let admission = if result.allowed() { context::admit_write(&args.write, &attrs, &loaded)? } else { None };
    let refused = admission.as_ref().and_then(|a| a.as_ref().err());
    let code = if result.verdict.is_none() || matches!(refused, Some(AdmissionError::Undetermined(_))) {
        EXIT_UNDETERMINED
    } else if result.allowed() && refused.is_none() {
        EXIT_YES
    } else {
        EXIT_NO
    };
    if args.quiet {
        return Ok(code);
    }
    let mut sar = SubjectAccessReview::from_attributes(&attrs);
    sar.answer(&attrs, &result);
    let answer = match refused {
        Some(e) => format!("no - NodeRestriction: {e}\n"),
        None => kubectl_answer(&sar, code),
    };
    match args.output {
        OutputFormat::Table => print(&answer),
        OutputFormat::Wide => {
            print(&answer);
            print(&super::explain::render_steps_with_admission(&result, admission.as_ref()));
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            // The answered SubjectAccessReview; with admission, a List holding it and the
            // AdmissionReview response.
            let value = match &admission {
                None => serde_json::to_value(&sar).map_err(|e| e.to_string())?,
                Some(outcome) => serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
                    sar, AdmissionResponse::from_result("", outcome).to_review()]}),
            };
            print(&if args.output == OutputFormat::Json { output::json(&value)? } else { output::yaml(&value)? });
        }
    }
    Ok(code)
}

/// kubectl's line: `yes`, or `no[ - reason][ - evaluationError]`.
fn kubectl_answer(sar: &SubjectAccessReview, code: u8) -> String {
    if sar.status.allowed {
        return "yes\n".into();
    }
    let mut s = String::from(if code == EXIT_UNDETERMINED { "unknown" } else { "no" });
    if !sar.status.reason.is_empty() {
        s.push_str(" - ");
        s.push_str(&sar.status.reason);
    }
    if !sar.status.evaluation_error.is_empty() {
        s.push_str(" - ");
        s.push_str(&sar.status.evaluation_error);
    }
    s.push('\n');
    s
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RulesReviewOut<'a> {
    api_version: &'static str,
    kind: &'static str,
    spec: SpecOut<'a>,
    status: StatusOut,
}

#[derive(Serialize)]
struct SpecOut<'a> {
    namespace: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusOut {
    resource_rules: Vec<RuleOut>,
    non_resource_rules: Vec<RuleOut>,
    incomplete: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    evaluation_error: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut {
    verbs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    api_groups: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    non_resource_urls: Vec<String>,
    /// kauthz addition: which authorizer and binding granted the rule.
    source: String,
}

fn print_list(args: &CanIArgs, namespace: &str, review: &list::RulesReview) -> Result<u8, String> {
    if review.incomplete {
        eprintln!("Warning: the list may be incomplete: {}", review.evaluation_error);
    }
    match args.output {
        OutputFormat::Table | OutputFormat::Wide => {
            let wide = args.output == OutputFormat::Wide;
            let rows = list::compact(review, wide);
            print(&list::render_table(&rows, !args.no_headers, wide));
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            let conv = |rs: &[list::SourcedRule]| -> Vec<RuleOut> {
                rs.iter()
                    .map(|r| RuleOut {
                        verbs: r.rule.verbs.clone(),
                        api_groups: r.rule.api_groups.clone(),
                        resources: r.rule.resources.clone(),
                        resource_names: r.rule.resource_names.clone(),
                        non_resource_urls: r.rule.non_resource_urls.clone(),
                        source: r.source.clone(),
                    })
                    .collect()
            };
            let out = RulesReviewOut {
                api_version: "authorization.k8s.io/v1",
                kind: "SelfSubjectRulesReview",
                spec: SpecOut { namespace },
                status: StatusOut {
                    resource_rules: conv(&review.resource_rules),
                    non_resource_rules: conv(&review.non_resource_rules),
                    incomplete: review.incomplete,
                    evaluation_error: review.evaluation_error.clone(),
                },
            };
            print(&if args.output == OutputFormat::Json { output::json(&out)? } else { output::yaml(&out)? });
        }
    }
    Ok(EXIT_YES)
}
