//! Matching one RBAC rule against one request (upstream `RuleAllows` and its helpers).

use crate::authz::Attributes;
use crate::model::PolicyRule;
use crate::streq::{bytes_eq, eq};

/// Whether `rule` allows the request.
pub fn rule_allows(attrs: &Attributes, rule: &PolicyRule) -> bool {
    if attrs.resource_request {
        verb_matches(rule, &attrs.verb)
            && api_group_matches(rule, &attrs.api_group)
            && resource_matches(rule, &attrs.resource, &attrs.subresource)
            && resource_name_matches(rule, &attrs.name)
    } else {
        verb_matches(rule, &attrs.verb) && non_resource_url_matches(rule, &attrs.path)
    }
}

/// A rule verb equals the request verb, or is `*`.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || eq(v, verb))
}

/// A rule group equals the request group, or is `*`.
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || eq(g, group))
}

/// `*` matches everything (subresources too); otherwise `resource[/subresource]` must be
/// equal, or the rule must be `*/<subresource>`.
pub fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == "*" {
            return true;
        }
        if subresource.is_empty() {
            return eq(r, resource);
        }
        // `resource/subresource` or `*/subresource`, compared in place (no joined string).
        let (r, rl) = (r.as_bytes(), resource.len());
        let tail = |at: usize| bytes_eq(&r[at..], subresource.as_bytes());
        (r.len() == rl + 1 + subresource.len() && bytes_eq(&r[..rl], resource.as_bytes()) && r[rl] == b'/' && tail(rl + 1))
            || (r.len() == subresource.len() + 2 && r.starts_with(b"*/") && tail(2))
    })
}

/// An empty name list matches any name; otherwise the name must be listed.
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    #[cfg(feature = "mutants")]
    if crate::mutants::active(crate::mutants::Mutant::RbacIgnoreResourceNames) {
        return true;
    }
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| eq(n, name))
}

/// `*`, an exact path, or a prefix ending in `*` (all trailing `*` removed).
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*'))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::UserInfo;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str], urls: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        PolicyRule { verbs: v(verbs), api_groups: v(groups), resources: v(resources), resource_names: v(names), non_resource_urls: v(urls) }
    }

    fn req(verb: &str, group: &str, resource: &str, sub: &str, name: &str) -> Attributes {
        Attributes::resource(UserInfo::default(), verb, resource, "ns", name).with_group(group).with_subresource(sub)
    }

    fn path(verb: &str, p: &str) -> Attributes {
        Attributes::non_resource(UserInfo::default(), verb, p)
    }

    // Restates upstream rbac_test.go's rule table.
    #[test]
    fn resource_rules() {
        let r = rule(&["*"], &["group1"], &["resource1"], &[], &[]);
        assert!(rule_allows(&req("verb1", "group1", "resource1", "", ""), &r));
        assert!(!rule_allows(&req("verb1", "group2", "resource1", "", ""), &r));
        let r = rule(&["verb1"], &["*"], &["resource1"], &[], &[]);
        assert!(rule_allows(&req("verb1", "group2", "resource1", "", ""), &r));
        let r = rule(&["verb1"], &["group1"], &["*"], &[], &[]);
        assert!(rule_allows(&req("verb1", "group1", "resource2", "", ""), &r));
        assert!(rule_allows(&req("verb1", "group1", "pods", "exec", ""), &r), "* covers subresources");
        let r = rule(&["*"], &["*"], &["resource1/subresource1"], &[], &[]);
        assert!(rule_allows(&req("verb2", "group1", "resource1", "subresource1", ""), &r));
        assert!(!rule_allows(&req("verb1", "group2", "resource1", "subresource2", ""), &r));
        assert!(!rule_allows(&req("verb1", "group2", "resource2", "subresource1", ""), &r));
        assert!(!rule_allows(&req("verb1", "group2", "resource1", "", ""), &r));
        let r = rule(&["*"], &["*"], &["pods"], &[], &[]);
        assert!(rule_allows(&req("get", "", "pods", "", ""), &r));
        assert!(!rule_allows(&req("get", "", "pods", "status", ""), &r));
        let r = rule(&["*"], &["*"], &["*/scale"], &[], &[]);
        assert!(rule_allows(&req("update", "apps", "deployments", "scale", ""), &r));
        assert!(!rule_allows(&req("update", "apps", "deployments", "status", ""), &r));
        assert!(!rule_allows(&req("update", "apps", "deployments", "", ""), &r));
        let r = rule(&["*"], &["*"], &["pods/*"], &[], &[]);
        assert!(!rule_allows(&req("get", "", "pods", "log", ""), &r), "pods/* is literal");
        let r = rule(&["GET"], &[""], &["pods"], &[], &[]);
        assert!(!rule_allows(&req("get", "", "pods", "", ""), &r), "verbs are case-sensitive");
    }

    #[test]
    fn resource_names() {
        let r = rule(&["get"], &[""], &["configmaps"], &["a"], &[]);
        assert!(rule_allows(&req("get", "", "configmaps", "", "a"), &r));
        assert!(!rule_allows(&req("get", "", "configmaps", "", "b"), &r));
        assert!(!rule_allows(&req("get", "", "configmaps", "", ""), &r));
        let r = rule(&["get"], &[""], &["configmaps"], &["*"], &[]);
        assert!(rule_allows(&req("get", "", "configmaps", "", "*"), &r), "* in resourceNames is literal");
        assert!(!rule_allows(&req("get", "", "configmaps", "", "x"), &r));
    }

    #[test]
    fn non_resource_rules() {
        let r = rule(&["verb1"], &[], &[], &[], &["*"]);
        assert!(rule_allows(&path("verb1", "/foo"), &r));
        assert!(rule_allows(&path("verb1", "/foo/bar/one"), &r));
        assert!(!rule_allows(&path("verb2", "/foo"), &r));
        let r = rule(&["verb1"], &[], &[], &[], &["/foo/*"]);
        assert!(!rule_allows(&path("verb1", "/foo"), &r));
        assert!(rule_allows(&path("verb1", "/foo/bar"), &r));
        assert!(rule_allows(&path("verb1", "/foo/bar/one"), &r));
        assert!(!rule_allows(&path("verb1", "/notfoo"), &r));
        let r = rule(&["*"], &[], &[], &[], &["/foo", "/foo/bar/one"]);
        assert!(rule_allows(&path("verb1", "/foo"), &r));
        assert!(rule_allows(&path("verb1", "/foo/bar/one"), &r));
        assert!(!rule_allows(&path("verb1", "/foo/bar"), &r));
        assert!(!rule_allows(&path("verb1", "/foo/baz"), &r));
        let r = rule(&["get"], &[], &[], &[], &["/api**"]);
        assert!(rule_allows(&path("get", "/apis"), &r));
        assert!(rule_allows(&path("get", "/api"), &r));
        let r = rule(&["get"], &[], &[], &[], &["/apis/*"]);
        assert!(!rule_allows(&path("get", "/apis"), &r));
    }

    #[test]
    fn rule_kinds_do_not_cross() {
        let url_rule = rule(&["*"], &[], &[], &[], &["*"]);
        assert!(!rule_allows(&req("get", "", "pods", "", ""), &url_rule));
        let res_rule = rule(&["*"], &["*"], &["*"], &[], &[]);
        assert!(!rule_allows(&path("get", "/healthz"), &res_rule));
    }
}
