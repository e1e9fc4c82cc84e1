//! The ABAC authorizer: a JSON-lines policy file, first matching line allows
//! (upstream pkg/auth/authorizer/abac, policy versions v0 and v1beta1).

use serde::Deserialize;

use crate::authz::{Attributes, UserInfo, Verdict};

/// One policy line, in its v1beta1 form (v0 lines are converted on load).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PolicySpec {
    /// User name, or `*`.
    pub user: String,
    /// Group name, or `*`.
    pub group: String,
    /// Only read-only verbs (get, list, watch) when true.
    pub readonly: bool,
    /// API group, or `*`; empty means core only.
    pub api_group: String,
    /// Resource, or `*`.
    pub resource: String,
    /// Namespace, or `*`; empty means cluster-scoped requests only.
    pub namespace: String,
    /// Non-resource path, `*`, or a prefix ending in `*`.
    pub non_resource_path: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionedLine {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    spec: PolicySpec,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct V0Line {
    user: String,
    group: String,
    readonly: bool,
    resource: String,
    namespace: String,
}

/// bufio.MaxScanTokenSize: a policy file line must be shorter for upstream's reader.
const MAX_SCAN_TOKEN: usize = 64 * 1024;

/// Why a policy file could not be loaded; messages are upstream's (`pkg/auth/authorizer/abac`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbacError {
    /// A line longer than Go's `bufio.Scanner` buffer ends upstream's read.
    #[error("error reading policy file {path}: bufio.Scanner: token too long")]
    LineTooLong {
        /// The policy file.
        path: String,
    },
    /// A line that does not decode as a policy.
    #[error("error reading policy file {path}, line {line}: {text}: {reason}")]
    Line {
        /// The policy file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
        /// What the decoder said.
        reason: String,
    },
}

/// A loaded ABAC policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyList {
    /// Policies in file order.
    pub policies: Vec<PolicySpec>,
}

impl PolicyList {
    /// Parses a policy file's text; `path` is used in error messages.
    pub fn parse(path: &str, text: &str) -> Result<Self, AbacError> {
        let mut policies = Vec::new();
        for (i, line) in text.lines().enumerate() {
            // Upstream reads the file with a default bufio.Scanner: a line that does not fit
            // its 64 KiB buffer ends the read with an error.
            if line.len() >= MAX_SCAN_TOKEN {
                return Err(AbacError::LineTooLong { path: path.to_string() });
            }
            // Go's JSON decoder reads an unpaired surrogate escape as U+FFFD.
            let raw = line;
            let line = &*crate::gostr::json_replace_invalid_surrogates(line);
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let err = |reason: String| AbacError::Line { path: path.to_string(), line: i + 1, text: raw.to_string(), reason };
            let head: VersionedLine = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
            if head.api_version.is_empty() || head.kind.is_empty() {
                let v0: V0Line = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
                policies.push(convert_v0(v0));
                continue;
            }
            match (head.api_version.as_str(), head.kind.as_str()) {
                ("abac.authorization.kubernetes.io/v1beta1", "Policy") => policies.push(convert_v1beta1(head.spec)),
                ("abac.authorization.kubernetes.io/v0", "Policy") => {
                    let v0: V0Line = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
                    policies.push(convert_v0(v0));
                }
                (v, k) => return Err(err(format!("no kind {k:?} is registered for version {v:?}"))),
            }
        }
        Ok(PolicyList { policies })
    }

    /// Upstream `PolicyList.Authorize`.
    pub fn authorize(&self, attrs: &Attributes) -> Verdict {
        self.matching(attrs).map_or_else(|| Verdict::no_opinion("No policy matched."), |_| Verdict::allow(""))
    }

    /// Index of the first policy that allows the request.
    pub fn matching(&self, attrs: &Attributes) -> Option<usize> {
        self.policies.iter().position(|p| policy_allows(p, attrs))
    }

    /// Policies whose subject applies to `user` (for rule listing and who-can).
    pub fn for_user<'a>(&'a self, user: &'a UserInfo) -> impl Iterator<Item = &'a PolicySpec> + 'a {
        self.policies.iter().filter(move |p| subject_matches(p, user))
    }
}

/// The v1beta1 to internal conversion: a `*` user or group means every authenticated user,
/// so the policy is rewritten to group `system:authenticated` with no user (whatever the
/// other field said).
fn convert_v1beta1(mut spec: PolicySpec) -> PolicySpec {
    if spec.user == "*" || spec.group == "*" {
        spec.group = "system:authenticated".into();
        spec.user.clear();
    }
    spec
}

fn convert_v0(v0: V0Line) -> PolicySpec {
    let mut p = PolicySpec {
        user: v0.user.clone(),
        group: v0.group.clone(),
        namespace: v0.namespace.clone(),
        resource: v0.resource.clone(),
        readonly: v0.readonly,
        ..PolicySpec::default()
    };
    if v0.user.is_empty() && v0.group.is_empty() {
        p.group = "system:authenticated".into();
    }
    if v0.user == "*" || v0.group == "*" {
        p.group = "system:authenticated".into();
        p.user.clear();
    }
    if v0.namespace.is_empty() {
        p.namespace = "*".into();
    }
    if v0.resource.is_empty() {
        p.resource = "*".into();
    }
    p.api_group = "*".into();
    if v0.namespace.is_empty() && v0.resource.is_empty() {
        p.non_resource_path = "*".into();
    }
    p
}

/// Whether one policy line allows the request.
pub fn policy_allows(p: &PolicySpec, a: &Attributes) -> bool {
    subject_matches(p, &a.user) && verb_matches(p, a) && (resource_matches(p, a) || non_resource_matches(p, a))
}

/// Whether the policy's user/group applies; a policy naming neither never applies.
pub fn subject_matches(p: &PolicySpec, user: &UserInfo) -> bool {
    let mut matched = false;
    if !p.user.is_empty() {
        if p.user != "*" && p.user != user.name {
            return false;
        }
        matched = true;
    }
    if !p.group.is_empty() {
        if p.group != "*" && !user.in_group(&p.group) {
            return false;
        }
        matched = true;
    }
    matched
}

fn verb_matches(p: &PolicySpec, a: &Attributes) -> bool {
    a.is_read_only() || !p.readonly
}

fn resource_matches(p: &PolicySpec, a: &Attributes) -> bool {
    a.resource_request
        && (p.namespace == "*" || p.namespace == a.namespace)
        && (p.resource == "*" || p.resource == a.resource)
        && (p.api_group == "*" || p.api_group == a.api_group)
}

fn non_resource_matches(p: &PolicySpec, a: &Attributes) -> bool {
    !a.resource_request
        && (p.non_resource_path == "*"
            || p.non_resource_path == a.path
            || (p.non_resource_path.ends_with('*') && a.path.starts_with(p.non_resource_path.trim_end_matches('*'))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
# comment
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user":"alice", "namespace": "*", "resource": "*", "apiGroup": "*"}}
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user":"kubelet", "namespace": "*", "resource": "pods", "readonly": true}}
{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"group":"system:authenticated", "readonly": true, "nonResourcePath": "*"}}
{"user":"legacy"}
"#;

    #[test]
    fn example_policy() {
        let pl = PolicyList::parse("p.jsonl", EXAMPLE).unwrap();
        assert_eq!(pl.policies.len(), 4);
        let alice = UserInfo::new("alice", Vec::<String>::new());
        let kubelet = UserInfo::new("kubelet", ["system:authenticated"]);
        assert_eq!(pl.authorize(&Attributes::resource(alice, "delete", "secrets", "x", "")), Verdict::allow(""));
        assert_eq!(pl.authorize(&Attributes::resource(kubelet.clone(), "get", "pods", "x", "")), Verdict::allow(""));
        // subresources are ignored: `pods` also covers pods/exec reads.
        let mut exec = Attributes::resource(kubelet.clone(), "get", "pods", "x", "");
        exec.subresource = "exec".into();
        assert_eq!(pl.authorize(&exec).decision, crate::authz::Decision::Allow);
        assert_eq!(
            pl.authorize(&Attributes::resource(kubelet.clone(), "create", "pods", "x", "")),
            Verdict::no_opinion("No policy matched.")
        );
        // core group only when apiGroup is unset
        let mut dep = Attributes::resource(kubelet.clone(), "get", "pods", "x", "");
        dep.api_group = "apps".into();
        assert_eq!(pl.authorize(&dep).decision, crate::authz::Decision::NoOpinion);
        assert_eq!(pl.authorize(&Attributes::non_resource(kubelet.clone(), "get", "/healthz")).decision, crate::authz::Decision::Allow);
        assert_eq!(pl.authorize(&Attributes::non_resource(kubelet, "head", "/healthz")).decision, crate::authz::Decision::NoOpinion);
        // v0 user-only line: all namespaces, all resources, all groups, all paths
        let legacy = UserInfo::new("legacy", Vec::<String>::new());
        assert_eq!(pl.policies[3].non_resource_path, "*");
        assert_eq!(pl.authorize(&Attributes::non_resource(legacy, "post", "/x")).decision, crate::authz::Decision::Allow);
    }

    #[test]
    fn subject_rules() {
        let none = PolicySpec { resource: "*".into(), namespace: "*".into(), ..Default::default() };
        assert!(!subject_matches(&none, &UserInfo::new("a", ["g"])));
        let both = PolicySpec { user: "a".into(), group: "g".into(), ..Default::default() };
        assert!(subject_matches(&both, &UserInfo::new("a", ["g"])));
        assert!(!subject_matches(&both, &UserInfo::new("a", ["h"])));
        let v0_star = convert_v0(V0Line { user: "*".into(), ..Default::default() });
        assert_eq!((v0_star.user.as_str(), v0_star.group.as_str()), ("", "system:authenticated"));
    }

    /// Found by the conformance harness: upstream's v1beta1 conversion turns `*` in either
    /// field into group `system:authenticated` and drops the user, so `{user: alice,
    /// group: "*"}` applies to everyone authenticated, not just alice.
    #[test]
    fn v1beta1_star_means_all_authenticated() {
        let line = r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"alice","group":"*","namespace":"*","resource":"*"}}"#;
        let pl = PolicyList::parse("p", line).unwrap();
        assert_eq!((pl.policies[0].user.as_str(), pl.policies[0].group.as_str()), ("", "system:authenticated"));
        let bob = UserInfo::new("bob", ["system:authenticated"]);
        assert_eq!(pl.authorize(&Attributes::resource(bob, "get", "pods", "x", "")).decision, crate::authz::Decision::Allow);
        let line = r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"*","group":"platform","nonResourcePath":"/api/*"}}"#;
        let pl = PolicyList::parse("p", line).unwrap();
        let sa = UserInfo::new("system:serviceaccount:a:b", ["system:authenticated"]);
        assert_eq!(pl.authorize(&Attributes::non_resource(sa, "get", "/api/v1")).decision, crate::authz::Decision::Allow);
    }

    #[test]
    fn bad_lines() {
        assert!(matches!(PolicyList::parse("p", "{not json").unwrap_err(), AbacError::Line { line: 1, .. }));
        assert!(PolicyList::parse("p", r#"{"apiVersion":"x/v9","kind":"Policy"}"#).is_err());
    }

    #[test]
    fn hostile_lines_like_upstream() {
        // An unpaired surrogate escape decodes to U+FFFD, as Go's decoder reads it.
        let pl = PolicyList::parse("p", r#"{"user":"a\ud800b","namespace":"*","resource":"*"}"#).unwrap();
        assert_eq!(pl.policies[0].user, "a\u{fffd}b");
        // A line longer than bufio.Scanner's buffer ends the read.
        let long = format!(r#"{{"user":"{}"}}"#, "x".repeat(70_000));
        assert_eq!(PolicyList::parse("p", &long).unwrap_err().to_string(), "error reading policy file p: bufio.Scanner: token too long");
        assert!(PolicyList::parse("p", &format!(r#"{{"user":"{}"}}"#, "x".repeat(60_000))).is_ok());
    }
}
