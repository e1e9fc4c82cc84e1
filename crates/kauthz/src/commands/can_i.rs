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
        let loaded = context::load_for_exit(&args.cluster)?;
        let namespace = args.request.namespace.clone().unwrap_or_else(|| "default".into());
        if args.upstream
            && let Some(refusal) = rules_review_refused(loaded, &user)
        {
            // What kubectl prints when the apiserver refuses the SelfSubjectRulesReview.
            eprintln!("Error from server (Forbidden): {refusal}");
            return Ok(EXIT_NO);
        }
        let node = if args.upstream { list::NodeRules::Upstream } else { list::NodeRules::Resolve };
        let mut review = list::rules_for(&loaded.chain, &loaded.state, &user, &namespace, node);
        // Objects the credential could not list may hold more grants.
        if loaded.mark_incomplete(&mut review.evaluation_error) {
            review.incomplete = true;
        }
        return print_list(&args, &namespace, &review);
    }
    let attrs = context::attributes(&args.request, user)?;
    let loaded = context::load_for_exit(&args.cluster)?;
    let result = loaded.chain.evaluate(&loaded.state, &attrs);
    // Admission runs only on what authorization allowed, as in kube-apiserver.
    let admission = if result.allowed() { context::admit_write(&args.write, &attrs, loaded)? } else { None };
    let refused = admission.as_ref().and_then(|a| a.as_ref().err());
    // A state missing objects can only hide grants (every authorizer here is monotone in
    // the objects it reads), so an incomplete state leaves a "yes" standing and turns a
    // "no" into undetermined.
    let incomplete = loaded.incomplete.is_some();
    let code = if result.verdict.is_none() || matches!(refused, Some(AdmissionError::Undetermined(_))) {
        EXIT_UNDETERMINED
    } else if result.allowed() && refused.is_none() {
        EXIT_YES
    } else if incomplete {
        EXIT_UNDETERMINED
    } else {
        EXIT_NO
    };
    if args.quiet {
        return Ok(code);
    }
    let mut sar = SubjectAccessReview::from_attributes(&attrs);
    sar.answer(&attrs, &result);
    loaded.mark_incomplete(&mut sar.status.evaluation_error);
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

/// The apiserver's 403 message when `user` may not create the SelfSubjectRulesReview
/// `can-i --list` sends (e.g. system:anonymous), `None` when it may.
fn rules_review_refused(loaded: &context::Loaded, user: &kauthz_core::UserInfo) -> Option<String> {
    let mut attrs = kauthz_core::Attributes::resource(user.clone(), "create", "selfsubjectrulesreviews", "", "");
    attrs.api_group = "authorization.k8s.io".into();
    attrs.api_version = "v1".into();
    let result = loaded.chain.decide(&loaded.state, &attrs);
    if result.allowed() || result.verdict.is_none() {
        return None;
    }
    let reason = result.verdict.map(|v| v.reason).unwrap_or_default();
    // The authorization filter's message, with its HTML-unsafe characters escaped.
    let msg = format!(
        "User {} cannot create resource \"selfsubjectrulesreviews\" in API group \"authorization.k8s.io\" at the cluster scope",
        kauthz_core::gostr::quote(&user.name)
    )
    .replace('&', "&amp;")
    .replace('<', "&lt;")
    .replace('>', "&gt;");
    let detail = if reason.is_empty() { msg } else { format!("{msg}: {reason}") };
    Some(format!("selfsubjectrulesreviews.authorization.k8s.io is forbidden: {detail}"))
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
    metadata: MetaOut,
    spec: SpecOut<'a>,
    status: StatusOut,
}

/// kauthz's extras ride in annotations of its own group, so the object stays a valid
/// SelfSubjectRulesReview.
#[derive(Serialize)]
struct MetaOut {
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    annotations: std::collections::BTreeMap<&'static str, String>,
}

/// The annotation holding each rule's source, in status order (resource rules, then
/// non-resource rules).
const SOURCES_ANNOTATION: &str = "kauthz.dev/rule-sources";

/// The annotation holding grants that hold only with a field selector (the Node
/// authorizer's `list`/`watch` scoped by `spec.nodeName`): they are not rules an RBAC-style
/// consumer could read, so they are kept out of `resourceRules`.
const FIELD_SELECTOR_ANNOTATION: &str = "kauthz.dev/field-selector-rules";

/// The prefix `can-i --list` puts before a field-selector scope in the names column.
const FIELD_SELECTOR_MARK: &str = "fieldSelector ";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScopedRuleOut<'a> {
    verbs: &'a [String],
    api_groups: &'a [String],
    resources: &'a [String],
    field_selector: &'a str,
    source: &'a str,
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
    /// Only with the `list-json-rule-source` mutant: the harness must reject it.
    #[cfg(feature = "mutants")]
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

fn rule_out(r: &list::SourcedRule) -> RuleOut {
    RuleOut {
        verbs: r.rule.verbs.clone(),
        api_groups: r.rule.api_groups.clone(),
        resources: r.rule.resources.clone(),
        resource_names: r.rule.resource_names.clone(),
        non_resource_urls: r.rule.non_resource_urls.clone(),
        #[cfg(feature = "mutants")]
        source: kauthz_core::mutants::active(kauthz_core::mutants::Mutant::ListJsonRuleSource).then(|| r.source.clone()),
    }
}

fn print_list(args: &CanIArgs, namespace: &str, review: &list::RulesReview) -> Result<u8, String> {
    if review.incomplete {
        eprintln!("Warning: the list may be incomplete: {}", review.evaluation_error);
    }
    match args.output {
        OutputFormat::Table | OutputFormat::Wide => {
            let wide = args.output == OutputFormat::Wide;
            let rows = list::compact(review, wide);
            print(&crate::table::rules_table(&rows, !args.no_headers, wide));
        }
        OutputFormat::Json | OutputFormat::Yaml => {
            // Field-selector scopes are not object names: they go to their own annotation.
            let (plain, selected): (Vec<&list::SourcedRule>, Vec<&list::SourcedRule>) =
                review.resource_rules.iter().partition(|r| !r.rule.resource_names.iter().any(|n| n.starts_with(FIELD_SELECTOR_MARK)));
            let sources: Vec<&str> = plain.iter().copied().chain(&review.non_resource_rules).map(|r| r.source.as_str()).collect();
            let resource_rules: Vec<RuleOut> = plain.into_iter().map(rule_out).collect();
            let non_resource_rules: Vec<RuleOut> = review.non_resource_rules.iter().map(rule_out).collect();
            let scoped: Vec<ScopedRuleOut> = selected
                .iter()
                .flat_map(|r| {
                    r.rule.resource_names.iter().filter_map(|n| n.strip_prefix(FIELD_SELECTOR_MARK)).map(|selector| ScopedRuleOut {
                        verbs: &r.rule.verbs,
                        api_groups: &r.rule.api_groups,
                        resources: &r.rule.resources,
                        field_selector: selector,
                        source: &r.source,
                    })
                })
                .collect();
            let mut annotations = std::collections::BTreeMap::new();
            annotations.insert(SOURCES_ANNOTATION, serde_json::to_string(&sources).map_err(|e| e.to_string())?);
            if !scoped.is_empty() {
                annotations.insert(FIELD_SELECTOR_ANNOTATION, serde_json::to_string(&scoped).map_err(|e| e.to_string())?);
            }
            let out = RulesReviewOut {
                api_version: "authorization.k8s.io/v1",
                kind: "SelfSubjectRulesReview",
                metadata: MetaOut { annotations },
                spec: SpecOut { namespace },
                status: StatusOut {
                    resource_rules,
                    non_resource_rules,
                    incomplete: review.incomplete,
                    evaluation_error: review.evaluation_error.clone(),
                },
            };
            print(&if args.output == OutputFormat::Json { output::json(&out)? } else { output::yaml(&out)? });
        }
    }
    Ok(EXIT_YES)
}
