//! The vocabulary every authorizer shares: who is asking, what they ask, and the answer.
//!
//! Mirrors k8s.io/apiserver's `authorizer.Attributes` and `Decision` closely enough that
//! each upstream authorizer can be restated against these types line by line.

use std::collections::BTreeMap;

use crate::selector::{FieldRequirement, LabelRequirement};

/// The authenticated identity a request is evaluated for (upstream `user.Info`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// User name, e.g. `system:node:worker-1`.
    pub name: String,
    /// Opaque unique id; no built-in authorizer reads it.
    pub uid: String,
    /// Groups in the order the authenticator produced them.
    pub groups: Vec<String>,
    /// Extra authenticator-provided attributes.
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// A user with a name and groups, no uid and no extra.
    pub fn new(name: impl Into<String>, groups: impl IntoIterator<Item = impl Into<String>>) -> Self {
        UserInfo { name: name.into(), groups: groups.into_iter().map(Into::into).collect(), ..UserInfo::default() }
    }

    /// Whether the user carries `group` (exact match).
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// One authorization question (upstream `authorizer.AttributesRecord`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes {
    /// Who asks.
    pub user: UserInfo,
    /// The verb: a resource verb (`get`, `list`, ...) or a lower-case HTTP method for paths.
    pub verb: String,
    /// Namespace of the object; empty for cluster-scoped requests.
    pub namespace: String,
    /// API group; empty for the core group.
    pub api_group: String,
    /// API version; `*` when a SubjectAccessReview leaves it empty.
    pub api_version: String,
    /// Resource (plural, lower case).
    pub resource: String,
    /// Subresource, e.g. `status` or `token`.
    pub subresource: String,
    /// Object name; empty for list, watch, create and deletecollection.
    pub name: String,
    /// True for resource requests, false for non-resource (URL path) requests.
    pub resource_request: bool,
    /// URL path of a non-resource request.
    pub path: String,
    /// Parsed field selector, if the request carried one.
    pub field_selector: Selector<FieldRequirement>,
    /// Parsed label selector, if the request carried one.
    pub label_selector: Selector<LabelRequirement>,
}

/// A parsed selector with the parse error kept beside the requirements that survived,
/// as upstream keeps `(requirements, err)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector<R> {
    /// Requirements that parsed.
    pub requirements: Vec<R>,
    /// Parse error, if any part failed.
    pub error: Option<String>,
}

impl<R> Default for Selector<R> {
    fn default() -> Self {
        Selector { requirements: Vec::new(), error: None }
    }
}

impl Attributes {
    /// A resource request with the given verb, resource and namespace; the rest default.
    pub fn resource(user: UserInfo, verb: &str, resource: &str, namespace: &str, name: &str) -> Self {
        Attributes {
            user,
            verb: verb.into(),
            resource: resource.into(),
            namespace: namespace.into(),
            name: name.into(),
            api_version: "*".into(),
            resource_request: true,
            ..Attributes::default()
        }
    }

    /// The same request in API group `group` (builder style).
    pub fn with_group(mut self, group: &str) -> Self {
        self.api_group = group.into();
        self
    }

    /// The same request to subresource `subresource` (builder style).
    pub fn with_subresource(mut self, subresource: &str) -> Self {
        self.subresource = subresource.into();
        self
    }

    /// A non-resource request for `path`.
    pub fn non_resource(user: UserInfo, verb: &str, path: &str) -> Self {
        Attributes { user, verb: verb.into(), path: path.into(), ..Attributes::default() }
    }

    /// Upstream `IsReadOnly`: exactly get, list and watch.
    pub fn is_read_only(&self) -> bool {
        matches!(self.verb.as_str(), "get" | "list" | "watch")
    }
}

/// An authorizer's verdict (upstream `authorizer.Decision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The request is allowed; the chain stops.
    Allow,
    /// The request is denied; the chain stops.
    Deny,
    /// This authorizer has no opinion; the chain continues.
    NoOpinion,
}

/// A decision with the reason and evaluation error upstream returns beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The decision.
    pub decision: Decision,
    /// Human-readable reason, exactly as upstream words it (may be empty).
    pub reason: String,
    /// Evaluation error, if the authorizer hit one.
    pub error: Option<String>,
}

impl Verdict {
    /// Allow with `reason`.
    pub fn allow(reason: impl Into<String>) -> Self {
        Verdict { decision: Decision::Allow, reason: reason.into(), error: None }
    }
    /// No opinion with `reason`.
    pub fn no_opinion(reason: impl Into<String>) -> Self {
        Verdict { decision: Decision::NoOpinion, reason: reason.into(), error: None }
    }
    /// Deny with `reason`.
    pub fn deny(reason: impl Into<String>) -> Self {
        Verdict { decision: Decision::Deny, reason: reason.into(), error: None }
    }
}

/// Formats several error messages as apimachinery's `utilerrors.NewAggregate(..).Error()`:
/// one unique message alone, several as `[a, b]`, duplicates removed, first occurrence kept.
pub fn aggregate_errors<S: AsRef<str>>(messages: &[S]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for m in messages {
        let m = m.as_ref();
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen[0].to_string(),
        _ => format!("[{}]", seen.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregate_like_apimachinery() {
        assert_eq!(aggregate_errors::<&str>(&[]), "");
        assert_eq!(aggregate_errors(&["a"]), "a");
        assert_eq!(aggregate_errors(&["a", "a"]), "a");
        assert_eq!(aggregate_errors(&["a", "b", "a"]), "[a, b]");
    }

    #[test]
    fn read_only_verbs() {
        let u = UserInfo::default();
        for (v, ro) in [("get", true), ("list", true), ("watch", true), ("GET", false), ("create", false)] {
            assert_eq!(Attributes::resource(u.clone(), v, "pods", "", "").is_read_only(), ro, "{v}");
        }
    }
}
