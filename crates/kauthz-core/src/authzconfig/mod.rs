//! `apiserver.config.k8s.io` AuthorizationConfiguration (`--authorization-config`): decoded,
//! defaulted and validated as kube-apiserver's `LoadAndValidateFile` does
//! (k8s.io/apiserver `ValidateAuthorizationConfiguration` with kube-apiserver's known and
//! repeatable types, then the check that non-webhook authorizers carry their mode's
//! lower-cased name), with upstream's messages; and the webhook part the chain evaluates
//! offline: failure policy and compiled `matchConditions` (see [`crate::cel`]).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::authz::{Attributes, aggregate_errors};
use crate::cel;
use crate::selector::Operator;

mod strict;

/// Why an AuthorizationConfiguration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationConfigError {
    /// The file is not a decodable AuthorizationConfiguration (kauthz's wording).
    #[error("{path}: {message}")]
    Decode {
        /// The file.
        path: String,
        /// What failed.
        message: String,
    },
    /// Upstream's validation refuses it; `message` is upstream's text exactly.
    #[error("{path}: invalid AuthorizationConfiguration: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Upstream's error text.
        message: String,
    },
}

/// What a webhook does when its match conditions cannot be evaluated (or, in a live
/// apiserver, when the call fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailurePolicy {
    /// The webhook has no opinion (the chain goes on); kube-apiserver's flag-configured webhook.
    #[default]
    NoOpinion,
    /// The request is denied.
    Deny,
}

/// How a webhook's match conditions stand.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum MatchConditions {
    /// None configured: every request goes to the webhook.
    #[default]
    MatchAll,
    /// Compiled conditions, all of which must hold.
    Compiled(Vec<cel::Program>),
    /// At least one uses CEL kauthz does not implement: never decided offline.
    Unsupported(String),
}

/// The offline-relevant part of a Webhook authorizer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookConfig {
    /// `failurePolicy`.
    pub failure_policy: FailurePolicy,
    /// `matchConditions`.
    pub match_conditions: MatchConditions,
}

/// What a webhook's match conditions say about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The webhook would be called: its answer is unknown offline.
    Called,
    /// A condition is false: the webhook has no opinion, without a call.
    Excluded,
    /// Evaluation failed: the failure policy decides, with these error messages
    /// (upstream aggregates them).
    Failed(Vec<String>),
}

impl WebhookConfig {
    /// Upstream's `CELMatcher.Eval` over the SubjectAccessReview the webhook authorizer
    /// builds from `attrs`: the first condition that is false excludes; errors are
    /// collected and reported only if no condition is false; otherwise the webhook is called.
    pub fn matches(&self, attrs: &Attributes) -> Match {
        let programs = match &self.match_conditions {
            MatchConditions::MatchAll | MatchConditions::Unsupported(_) => return Match::Called,
            MatchConditions::Compiled(p) => p,
        };
        #[cfg(feature = "mutants")]
        if crate::mutants::active(crate::mutants::Mutant::MatchConditionsIgnore) {
            return Match::Called;
        }
        let fs = programs.iter().any(|p| p.uses_field_selector);
        let ls = programs.iter().any(|p| p.uses_label_selector);
        let request = request_value(attrs, fs, ls);
        let mut errors = Vec::new();
        for p in programs {
            match p.eval(&request) {
                Ok(true) => {}
                Ok(false) => return Match::Excluded,
                Err(e) => errors.push(format!("cel evaluation error: expression '{}' resulted in error: {e}", p.source())),
            }
        }
        if errors.is_empty() { Match::Called } else { Match::Failed(errors) }
    }
}

/// The `request` variable: upstream's `convertObjectToUnstructured` of the
/// SubjectAccessReviewSpec the webhook authorizer builds from the attributes (selector
/// requirements converted as `fieldSelectorToAuthorizationAPI`/`labelSelectorToAuthorizationAPI`
/// do, included only when an expression reads them).
fn request_value(a: &Attributes, with_fields: bool, with_labels: bool) -> cel::Value {
    use cel::Value as V;
    let s = |x: &str| V::Str(x.to_string());
    let strs = |xs: &[String]| V::List(xs.iter().map(|x| s(x)).collect());
    let mut m = BTreeMap::new();
    m.insert("user".into(), s(&a.user.name));
    m.insert("groups".into(), strs(&a.user.groups));
    m.insert("uid".into(), s(&a.user.uid));
    m.insert("extra".into(), V::Map(a.user.extra.iter().map(|(k, v)| (k.clone(), strs(v))).collect()));
    let req = |key: &str, op: &str, values: V| {
        V::Map(BTreeMap::from([("key".into(), s(key)), ("operator".into(), s(op)), ("values".into(), values)]))
    };
    if a.resource_request {
        let mut r = BTreeMap::new();
        for (k, v) in [
            ("namespace", &a.namespace),
            ("verb", &a.verb),
            ("group", &a.api_group),
            ("version", &a.api_version),
            ("resource", &a.resource),
            ("subresource", &a.subresource),
            ("name", &a.name),
        ] {
            r.insert(k.to_string(), s(v));
        }
        if with_fields {
            let reqs: Vec<V> = a
                .field_selector
                .requirements
                .iter()
                .filter_map(|q| {
                    let op = match q.operator {
                        Operator::Equals | Operator::In => "In",
                        Operator::NotEquals | Operator::NotIn => "NotIn",
                        _ => return None,
                    };
                    Some(req(&q.field, op, V::List(vec![s(&q.value)])))
                })
                .collect();
            if !reqs.is_empty() {
                r.insert("fieldSelector".into(), V::Map(BTreeMap::from([("requirements".into(), V::List(reqs))])));
            }
        }
        if with_labels {
            let reqs: Vec<V> = a
                .label_selector
                .requirements
                .iter()
                .filter_map(|q| {
                    let op = match q.operator {
                        Operator::Equals | Operator::In => "In",
                        Operator::NotEquals | Operator::NotIn => "NotIn",
                        Operator::Exists => "Exists",
                        Operator::DoesNotExist => "DoesNotExist",
                        _ => return None,
                    };
                    Some(req(&q.key, op, strs(&q.values)))
                })
                .collect();
            if !reqs.is_empty() {
                r.insert("labelSelector".into(), V::Map(BTreeMap::from([("requirements".into(), V::List(reqs))])));
            }
        }
        m.insert("resourceAttributes".into(), V::Map(r));
    } else {
        m.insert("nonResourceAttributes".into(), V::Map(BTreeMap::from([("verb".into(), s(&a.verb)), ("path".into(), s(&a.path))])));
    }
    V::Map(m)
}

/// One configured authorizer, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfiguredAuthorizer {
    /// `type`.
    pub type_name: String,
    /// `name`.
    pub name: String,
    /// For `Webhook`.
    pub webhook: Option<WebhookConfig>,
}

/// The authorizer types kube-apiserver knows (`modes.AuthorizationModeChoices`), sorted as
/// upstream lists them in "supported values".
const KNOWN_TYPES: [&str; 6] = ["ABAC", "AlwaysAllow", "AlwaysDeny", "Node", "RBAC", "Webhook"];

/// A field error, printed as apimachinery's `field.Error`.
fn field_err(path: &str, body: String) -> String {
    format!("{path}: {body}")
}

fn not_supported(path: &str, value: &str, supported: &[&str]) -> String {
    let list = supported.iter().map(|s| crate::gostr::quote(s)).collect::<Vec<_>>().join(", ");
    field_err(path, format!("Unsupported value: {}: supported values: {list}", crate::gostr::quote(value)))
}

/// `validation.IsDNS1123Subdomain`'s messages.
fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !crate::selector::is_dns1123_subdomain(s) {
        errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_string());
    }
    errs
}

fn str_field<'a>(obj: &'a Json, key: &str) -> &'a str {
    obj.get(key).and_then(Json::as_str).unwrap_or("")
}

/// Parses, defaults and validates an AuthorizationConfiguration (YAML or JSON).
pub fn load(path: &str, text: &str) -> Result<Vec<ConfiguredAuthorizer>, AuthorizationConfigError> {
    let decode = |message: String| AuthorizationConfigError::Decode { path: path.to_string(), message };
    // Upstream reads a JSON document with a JSON decoder (duplicate keys allowed, the last
    // wins) and anything else as YAML.
    let json_input = strict::is_json_buffer(text);
    let (v, tree): (Json, strict::KeyTree) = if json_input {
        let invalid = |e: serde_json::Error| decode(format!("invalid JSON: {e}"));
        (serde_json::from_str(text).map_err(invalid)?, serde_json::from_str(text).map_err(invalid)?)
    } else {
        let invalid = |e: serde_saphyr::Error| decode(format!("invalid YAML: {e}"));
        let value = serde_saphyr::from_str_with_options(text, crate::snapshot::yaml_options()).map_err(invalid)?;
        (value, strict::yaml_key_tree(text).map_err(|e| decode(e.to_string()))?)
    };
    let api_version = str_field(&v, "apiVersion");
    let kind = str_field(&v, "kind");
    if !matches!(api_version, "apiserver.config.k8s.io/v1" | "apiserver.config.k8s.io/v1beta1" | "apiserver.config.k8s.io/v1alpha1")
        || kind != "AuthorizationConfiguration"
    {
        return Err(decode(format!("expected apiserver.config.k8s.io/v1 AuthorizationConfiguration, found {api_version}/{kind}")));
    }
    #[allow(unused_mut)]
    let mut strict_errors = strict::strict_errors(&tree, !json_input);
    #[cfg(feature = "mutants")]
    if crate::mutants::active(crate::mutants::Mutant::AuthzConfigNotStrict) {
        strict_errors.clear();
    }
    if !strict_errors.is_empty() {
        return Err(AuthorizationConfigError::Invalid {
            path: path.to_string(),
            message: format!("failed to load AuthorizationConfiguration from file: strict decoding error: {}", strict_errors.join(", ")),
        });
    }
    let entries: Vec<Json> = match v.get("authorizers") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Array(a)) => a.clone(),
        Some(_) => return Err(decode("authorizers: expected a list".into())),
    };
    let mut errs: Vec<String> = Vec::new();
    if entries.is_empty() {
        errs.push("authorizers: Required value: at least one authorization mode must be defined".into());
    }
    let mut seen_types: Vec<String> = Vec::new();
    let mut seen_names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let at = format!("authorizers[{i}]");
        let typ = str_field(e, "type");
        let name = str_field(e, "name");
        if typ.is_empty() {
            errs.push(field_err(&format!("{at}.type"), "Required value".into()));
            continue;
        }
        if !KNOWN_TYPES.contains(&typ) {
            errs.push(not_supported(&format!("{at}.type"), typ, &KNOWN_TYPES));
            continue;
        }
        if seen_types.iter().any(|t| t == typ) && typ != "Webhook" {
            errs.push(field_err(&format!("{at}.type"), format!("Duplicate value: {}", crate::gostr::quote(typ))));
            continue;
        }
        seen_types.push(typ.to_string());
        if name.is_empty() {
            errs.push(field_err(&format!("{at}.name"), "Required value".into()));
        } else if seen_names.iter().any(|n| n == name) {
            errs.push(field_err(&format!("{at}.name"), format!("Duplicate value: {}", crate::gostr::quote(name))));
        } else {
            let dns = dns1123_subdomain_errors(name);
            if !dns.is_empty() {
                errs.push(field_err(
                    &format!("{at}.name"),
                    format!("Invalid value: {}: authorizer name is invalid: {}", crate::gostr::quote(name), dns.join(", ")),
                ));
            }
        }
        seen_names.push(name.to_string());
        let webhook = e.get("webhook").filter(|w| !w.is_null());
        let mut wh = None;
        if typ == "Webhook" {
            let Some(w) = webhook else {
                errs.push(field_err(&format!("{at}.webhook"), "Required value: required when type=Webhook".into()));
                continue;
            };
            wh = Some(validate_webhook(&at, w, &mut errs));
        } else if webhook.is_some() {
            errs.push(field_err(&format!("{at}.webhook"), "Invalid value: \"non-null\": may only be specified when type=Webhook".into()));
        }
        out.push(ConfiguredAuthorizer { type_name: typ.to_string(), name: name.to_string(), webhook: wh });
    }
    if !errs.is_empty() {
        return Err(AuthorizationConfigError::Invalid { path: path.to_string(), message: aggregate_errors(&errs) });
    }
    // kube-apiserver's own check: a non-webhook authorizer is named by its lower-cased type.
    let misnamed: Vec<String> = out
        .iter()
        .filter(|a| a.type_name != "Webhook" && a.name != a.type_name.to_lowercase())
        .map(|a| format!("expected name {} for authorizer {} instead of {}", a.type_name.to_lowercase(), a.type_name, a.name))
        .collect();
    if !misnamed.is_empty() {
        return Err(AuthorizationConfigError::Invalid { path: path.to_string(), message: aggregate_errors(&misnamed) });
    }
    Ok(out)
}

/// `ValidateWebhookConfiguration` (its paths hang off the authorizer's path, not
/// `.webhook`, as upstream's do), after v1 defaulting of the TTLs.
fn validate_webhook(at: &str, w: &Json, errs: &mut Vec<String>) -> WebhookConfig {
    let duration = |key: &str, errs: &mut Vec<String>| -> Option<i64> {
        match w.get(key) {
            None | Some(Json::Null) => Some(0),
            Some(Json::String(s)) => match parse_go_duration(s) {
                Some(d) => Some(d),
                None => {
                    errs.push(format!("{at}.{key}: time: invalid duration {}", crate::gostr::quote(s)));
                    None
                }
            },
            Some(other) => {
                errs.push(format!("{at}.{key}: not a duration: {other}"));
                None
            }
        }
    };
    const SECOND: i64 = 1_000_000_000;
    if let Some(t) = duration("timeout", errs) {
        if t == 0 {
            errs.push(field_err(&format!("{at}.timeout"), "Required value".into()));
        } else if !(0..=30 * SECOND).contains(&t) {
            errs.push(field_err(
                &format!("{at}.timeout"),
                format!("Invalid value: {}: must be > 0s and <= 30s", crate::gostr::quote(&format_go_duration(t))),
            ));
        }
    }
    for key in ["authorizedTTL", "unauthorizedTTL"] {
        // v1 defaulting replaces a zero TTL (5m / 30s), so only negatives remain to refuse.
        if let Some(t) = duration(key, errs)
            && t < 0
        {
            errs.push(field_err(
                &format!("{at}.{key}"),
                format!("Invalid value: {}: must be > 0s", crate::gostr::quote(&format_go_duration(t))),
            ));
        }
    }
    match str_field(w, "subjectAccessReviewVersion") {
        "" => errs.push(field_err(&format!("{at}.subjectAccessReviewVersion"), "Required value".into())),
        "v1" | "v1beta1" => {}
        other => errs.push(not_supported(&format!("{at}.subjectAccessReviewVersion"), other, &["v1", "v1beta1"])),
    }
    let conditions: Vec<Json> = w.get("matchConditions").and_then(Json::as_array).cloned().unwrap_or_default();
    match str_field(w, "matchConditionSubjectAccessReviewVersion") {
        "" if !conditions.is_empty() => errs.push(field_err(
            &format!("{at}.matchConditionSubjectAccessReviewVersion"),
            "Required value: required if match conditions are specified".into(),
        )),
        "" | "v1" => {}
        other => errs.push(not_supported(&format!("{at}.matchConditionSubjectAccessReviewVersion"), other, &["v1"])),
    }
    let failure_policy = match str_field(w, "failurePolicy") {
        "" => {
            errs.push(field_err(&format!("{at}.failurePolicy"), "Required value".into()));
            FailurePolicy::NoOpinion
        }
        "NoOpinion" => FailurePolicy::NoOpinion,
        "Deny" => FailurePolicy::Deny,
        other => {
            errs.push(not_supported(&format!("{at}.failurePolicy"), other, &["NoOpinion", "Deny"]));
            FailurePolicy::NoOpinion
        }
    };
    let ci = w.get("connectionInfo").cloned().unwrap_or(Json::Null);
    let kubeconfig = ci.get("kubeConfigFile").and_then(Json::as_str);
    let kc_path = format!("{at}.connectionInfo.kubeConfigFile");
    match str_field(&ci, "type") {
        "" => errs.push(field_err(&format!("{at}.connectionInfo.type"), "Required value".into())),
        "InClusterConfig" => {
            if let Some(k) = kubeconfig {
                errs.push(field_err(
                    &kc_path,
                    format!("Invalid value: {}: can only be set when type=KubeConfigFile", crate::gostr::quote(k)),
                ));
            }
        }
        "KubeConfigFile" => match kubeconfig {
            None | Some("") => errs.push(field_err(&kc_path, "Required value".into())),
            Some(k) if !k.starts_with('/') => {
                errs.push(field_err(&kc_path, format!("Invalid value: {}: must be an absolute path", crate::gostr::quote(k))))
            }
            Some(k) => match std::fs::metadata(k) {
                Err(e) => errs.push(field_err(
                    &kc_path,
                    format!("Invalid value: {}: error loading file: stat {k}: {}", crate::gostr::quote(k), go_errno_text(&e)),
                )),
                Ok(m) if !m.is_file() => {
                    errs.push(field_err(&kc_path, format!("Invalid value: {}: must be a regular file", crate::gostr::quote(k))))
                }
                Ok(_) => {}
            },
        },
        other => errs.push(format!(
            "{at}.connectionInfo.type: Unsupported value: {}: supported values: \"InClusterConfig\", \"KubeConfigFile\"",
            crate::gostr::quote(other)
        )),
    }
    WebhookConfig { failure_policy, match_conditions: compile_conditions(at, &conditions, errs) }
}

/// `compileMatchConditions`: at most 64, none blank, none repeated, each compiling to bool.
fn compile_conditions(at: &str, conditions: &[Json], errs: &mut Vec<String>) -> MatchConditions {
    if conditions.len() > 64 {
        errs.push(format!("{at}.matchConditions: Too many: {}: must have at most 64 items", conditions.len()));
        return MatchConditions::MatchAll;
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut programs = Vec::new();
    let mut unsupported = None;
    for (i, c) in conditions.iter().enumerate() {
        let path = format!("{at}.matchConditions[{i}].expression");
        let expr = str_field(c, "expression");
        if expr.trim().is_empty() {
            errs.push(field_err(&path, "Required value".into()));
            continue;
        }
        if seen.contains(&expr) {
            errs.push(field_err(&path, format!("Duplicate value: {}", crate::gostr::quote(expr))));
            continue;
        }
        seen.push(expr);
        match cel::compile(expr) {
            Ok(p) => programs.push(p),
            Err(cel::CompileError::Invalid(detail)) => {
                errs.push(field_err(&path, format!("Invalid value: {}: {detail}", crate::gostr::quote(expr))))
            }
            Err(e @ cel::CompileError::Unsupported { .. }) => unsupported = Some(format!("{path}: {e}")),
        }
    }
    match unsupported {
        Some(why) => MatchConditions::Unsupported(why),
        None if programs.is_empty() => MatchConditions::MatchAll,
        None => MatchConditions::Compiled(programs),
    }
}

/// Go's text for the errno of a failed `os.Stat` (the common ones).
fn go_errno_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotADirectory => "not a directory".into(),
        _ => e.to_string(),
    }
}

/// Go's `time.ParseDuration`, in nanoseconds; `None` where Go returns an error.
pub fn parse_go_duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    let mut exact: i128 = 0;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let num = &rest[..num_end];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return None;
        }
        rest = &rest[num_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit: i64 = match &rest[..unit_end] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        rest = &rest[unit_end..];
        let value: f64 = num.parse().ok()?;
        total += value * unit as f64;
        if !num.contains('.') {
            exact += num.parse::<i128>().ok()? * i128::from(unit);
        } else {
            exact = i128::MIN;
        }
    }
    let ns = if exact >= 0 { exact } else { total.round() as i128 };
    let ns = i64::try_from(ns).ok()?;
    Some(if neg { -ns } else { ns })
}

/// Go's `time.Duration.String`.
pub fn format_go_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let frac = |v: u64, digits: u32| -> String {
        // v / 10^digits with trailing zeros of the fraction dropped
        let p = 10u64.pow(digits);
        let (w, f) = (v / p, v % p);
        if f == 0 {
            w.to_string()
        } else {
            let fs = format!("{f:0width$}", width = digits as usize);
            format!("{w}.{}", fs.trim_end_matches('0'))
        }
    };
    let body = if u < 1_000 {
        format!("{u}ns")
    } else if u < 1_000_000 {
        format!("{}µs", frac(u, 3))
    } else if u < 1_000_000_000 {
        format!("{}ms", frac(u, 6))
    } else {
        let secs_ns = u % 60_000_000_000;
        let mins = u / 60_000_000_000;
        let s = format!("{}s", frac(secs_ns, 9));
        if mins == 0 {
            s
        } else if mins < 60 {
            format!("{mins}m{s}")
        } else {
            format!("{}h{}m{s}", mins / 60, mins % 60)
        }
    };
    if neg { format!("-{body}") } else { body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        for (s, ns, shown) in [
            ("3s", 3_000_000_000, "3s"),
            ("31s", 31_000_000_000, "31s"),
            ("1m", 60_000_000_000, "1m0s"),
            ("-2s", -2_000_000_000, "-2s"),
            ("1.5s", 1_500_000_000, "1.5s"),
            ("500ms", 500_000_000, "500ms"),
            ("1h30m", 5_400_000_000_000, "1h30m0s"),
        ] {
            assert_eq!(parse_go_duration(s), Some(ns), "{s}");
            assert_eq!(format_go_duration(ns), shown, "{s}");
        }
        assert_eq!(parse_go_duration("3"), None);
        assert_eq!(parse_go_duration(""), None);
    }

    fn load_err(cfg: &str) -> String {
        match load("c", cfg) {
            Err(AuthorizationConfigError::Invalid { message, .. }) => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn validation_like_upstream() {
        let head = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\n";
        assert_eq!(
            load_err(&format!("{head}authorizers: []\n")),
            "authorizers: Required value: at least one authorization mode must be defined"
        );
        assert_eq!(
            load_err(&format!(
                "{head}authorizers:\n- {{type: RBAC, name: rbac}}\n- {{type: RBAC, name: rbac2}}\n- {{type: Foo, name: x}}\n- {{type: Node, name: rbac}}\n"
            )),
            "[authorizers[1].type: Duplicate value: \"RBAC\", authorizers[2].type: Unsupported value: \"Foo\": supported values: \"ABAC\", \"AlwaysAllow\", \"AlwaysDeny\", \"Node\", \"RBAC\", \"Webhook\", authorizers[3].name: Duplicate value: \"rbac\"]"
        );
        assert_eq!(
            load_err(&format!("{head}authorizers:\n- {{type: Node, name: node}}\n- {{type: RBAC, name: authz}}\n")),
            "expected name rbac for authorizer RBAC instead of authz"
        );
        assert_eq!(
            load_err(&format!(
                "{head}authorizers:\n- type: Webhook\n  name: wh\n  webhook:\n    timeout: 31s\n    failurePolicy: Allow\n    subjectAccessReviewVersion: v1\n    connectionInfo: {{type: KubeConfigFile, kubeConfigFile: rel/kc}}\n    matchConditions:\n    - expression: request.user\n"
            )),
            "[authorizers[0].timeout: Invalid value: \"31s\": must be > 0s and <= 30s, authorizers[0].matchConditionSubjectAccessReviewVersion: Required value: required if match conditions are specified, authorizers[0].failurePolicy: Unsupported value: \"Allow\": supported values: \"NoOpinion\", \"Deny\", authorizers[0].connectionInfo.kubeConfigFile: Invalid value: \"rel/kc\": must be an absolute path, authorizers[0].matchConditions[0].expression: Invalid value: \"request.user\": must evaluate to bool but got string]"
        );
    }

    #[test]
    fn conditions_decide_offline() {
        let w = WebhookConfig {
            failure_policy: FailurePolicy::Deny,
            match_conditions: MatchConditions::Compiled(vec![
                cel::compile("request.resourceAttributes.namespace == 'kube-system'").unwrap(),
                cel::compile("request.user != 'bob'").unwrap(),
            ]),
        };
        let user = crate::authz::UserInfo::new("alice", ["g"]);
        assert_eq!(w.matches(&Attributes::resource(user.clone(), "get", "pods", "kube-system", "")), Match::Called);
        assert_eq!(w.matches(&Attributes::resource(user.clone(), "get", "pods", "default", "")), Match::Excluded);
        assert_eq!(
            w.matches(&Attributes::non_resource(user, "get", "/healthz")),
            Match::Failed(vec![
                "cel evaluation error: expression 'request.resourceAttributes.namespace == 'kube-system'' resulted in error: no such key: resourceAttributes".into()
            ])
        );
    }
}
