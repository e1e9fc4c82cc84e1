//! The RBAC authorizer: bindings resolved to their roles once, then matched per request.
//!
//! Upstream walks ClusterRoleBindings, then (for namespaced requests) the RoleBindings of
//! the request's namespace; within a binding only the first subject that applies to the
//! user is named; the first rule that allows decides. Upstream's binding order is informer
//! map order; kauthz walks bindings sorted by name so the named binding is stable.

pub mod aggregation;
pub mod rule;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::authz::{Attributes, UserInfo, Verdict, aggregate_errors};
use crate::gostr::quote;
use crate::model::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject};

pub use rule::rule_allows;

/// A binding with its role already looked up.
#[derive(Debug, Clone)]
pub struct ResolvedBinding {
    /// Binding name.
    pub name: String,
    /// Binding namespace; empty for ClusterRoleBindings.
    pub namespace: String,
    /// The role it references.
    pub role_ref: RoleRef,
    /// Its subjects, in order.
    pub subjects: Vec<Subject>,
    /// The referenced role's rules, or upstream's resolution error text.
    pub rules: Result<Arc<[PolicyRule]>, String>,
}

impl ResolvedBinding {
    /// Whether this is a ClusterRoleBinding.
    pub fn is_cluster(&self) -> bool {
        self.namespace.is_empty()
    }

    /// Index of the first subject that applies to `user` (upstream `appliesTo`).
    pub fn applies_to(&self, user: &UserInfo) -> Option<usize> {
        self.subjects.iter().position(|s| subject_applies(user, s, &self.namespace))
    }

    /// Upstream's description of this binding granting through `subject`, as used in
    /// `RBAC: allowed by <source>`.
    pub fn describe(&self, subject: &Subject) -> String {
        let subj = describe_subject(subject, &self.namespace);
        if self.is_cluster() {
            format!("ClusterRoleBinding {} of {} {} to {}", quote(&self.name), self.role_ref.kind, quote(&self.role_ref.name), subj)
        } else {
            format!(
                "RoleBinding {} of {} {} to {}",
                quote(&format!("{}/{}", self.name, self.namespace)),
                self.role_ref.kind,
                quote(&self.role_ref.name),
                subj
            )
        }
    }
}

fn describe_subject(s: &Subject, binding_namespace: &str) -> String {
    if s.kind == "ServiceAccount" {
        let ns = if s.namespace.is_empty() { binding_namespace } else { &s.namespace };
        format!("{} {}", s.kind, quote(&format!("{}/{}", s.name, ns)))
    } else {
        format!("{} {}", s.kind, quote(&s.name))
    }
}

/// Whether a binding subject applies to the user (upstream `appliesToUser`).
pub fn subject_applies(user: &UserInfo, subject: &Subject, binding_namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => user.name == subject.name,
        "Group" => user.in_group(&subject.name),
        "ServiceAccount" => {
            let ns = if subject.namespace.is_empty() { binding_namespace } else { &subject.namespace };
            !ns.is_empty() && service_account_username_matches(ns, &subject.name, &user.name)
        }
        _ => false,
    }
}

fn service_account_username_matches(namespace: &str, name: &str, username: &str) -> bool {
    username
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.strip_prefix(namespace))
        .and_then(|rest| rest.strip_prefix(':'))
        .is_some_and(|rest| rest == name)
}

/// Where an RBAC allow came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RbacSource {
    /// Binding namespace (empty for a ClusterRoleBinding).
    pub binding_namespace: String,
    /// Binding name.
    pub binding_name: String,
    /// Role reference.
    pub role_ref: RoleRef,
    /// The subject that matched.
    pub subject: Subject,
    /// Index of the rule within the role.
    pub rule_index: usize,
    /// The rule.
    pub rule: PolicyRule,
}

/// One rule an identity holds, with the binding that grants it.
#[derive(Debug, Clone)]
pub struct GrantedRule<'a> {
    /// The binding.
    pub binding: &'a ResolvedBinding,
    /// The matching subject.
    pub subject: &'a Subject,
    /// The rule.
    pub rule: &'a PolicyRule,
}

/// Bindings in evaluation order, with an index from user names and groups to the bindings
/// that name them, so a request visits only the bindings that can apply to its user (in
/// the same order, so the answer and its reason are unchanged).
#[derive(Debug, Clone, Default)]
struct BindingList {
    bindings: Vec<ResolvedBinding>,
    by_user: HashMap<String, Vec<u32>>,
    by_group: HashMap<String, Vec<u32>>,
}

/// Candidate binding positions for one request; most users hit a handful.
type Candidates = smallvec::SmallVec<[u32; 16]>;

impl BindingList {
    fn new(mut bindings: Vec<ResolvedBinding>) -> Self {
        bindings.sort_by(|a, b| a.name.cmp(&b.name));
        let mut list = BindingList { bindings, ..BindingList::default() };
        for (i, b) in list.bindings.iter().enumerate() {
            let i = i as u32;
            for s in &b.subjects {
                // A service account subject is a user name in disguise; subjects of other
                // kinds, or service accounts without any namespace, never apply.
                let key = match s.kind.as_str() {
                    "User" => (&mut list.by_user, s.name.clone()),
                    "Group" => (&mut list.by_group, s.name.clone()),
                    "ServiceAccount" => {
                        let ns = if s.namespace.is_empty() { &b.namespace } else { &s.namespace };
                        if ns.is_empty() {
                            continue;
                        }
                        (&mut list.by_user, format!("system:serviceaccount:{ns}:{}", s.name))
                    }
                    _ => continue,
                };
                let entry = key.0.entry(key.1).or_default();
                if entry.last() != Some(&i) {
                    entry.push(i);
                }
            }
        }
        list
    }

    /// Positions of the bindings with a subject that applies to `user`, in order.
    fn candidates(&self, user: &UserInfo) -> Candidates {
        let mut out = Candidates::new();
        if let Some(v) = self.by_user.get(&user.name) {
            out.extend_from_slice(v);
        }
        for g in &user.groups {
            if let Some(v) = self.by_group.get(g) {
                out.extend_from_slice(v);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The bindings that apply to `user`, in evaluation order, with their first matching subject.
    fn applicable<'a, 'u>(&'a self, user: &'u UserInfo) -> impl Iterator<Item = (&'a ResolvedBinding, usize)> + use<'a, 'u> {
        self.candidates(user).into_iter().filter_map(move |i| {
            let b = &self.bindings[i as usize];
            b.applies_to(user).map(|si| (b, si))
        })
    }
}

/// All RBAC state, resolved: rebuilt whenever roles or bindings change.
#[derive(Debug, Clone, Default)]
pub struct RbacIndex {
    cluster_bindings: BindingList,
    role_bindings: HashMap<String, BindingList>,
    cluster_roles: BTreeMap<String, ClusterRole>,
}

impl RbacIndex {
    /// Builds the index: aggregates ClusterRoles, then resolves each binding's role.
    pub fn build<'a>(
        roles: impl IntoIterator<Item = &'a Role>,
        cluster_roles: impl IntoIterator<Item = &'a ClusterRole>,
        role_bindings: impl IntoIterator<Item = &'a RoleBinding>,
        cluster_role_bindings: impl IntoIterator<Item = &'a ClusterRoleBinding>,
    ) -> Self {
        let mut crs: BTreeMap<String, ClusterRole> = cluster_roles.into_iter().map(|r| (r.metadata.name.to_string(), r.clone())).collect();
        aggregation::aggregate(&mut crs);
        let cr_rules: HashMap<&str, Arc<[PolicyRule]>> = crs.iter().map(|(n, r)| (n.as_str(), Arc::from(r.rules.clone()))).collect();
        let role_rules: HashMap<(&str, &str), Arc<[PolicyRule]>> =
            roles.into_iter().map(|r| ((r.metadata.namespace.as_str(), r.metadata.name.as_str()), Arc::from(r.rules.clone()))).collect();

        let resolve = |role_ref: &RoleRef, ns: &str| -> Result<Arc<[PolicyRule]>, String> {
            match role_ref.kind.as_str() {
                "Role" => role_rules
                    .get(&(ns, role_ref.name.as_str()))
                    .cloned()
                    .ok_or_else(|| format!("role.rbac.authorization.k8s.io {} not found", quote(&role_ref.name))),
                "ClusterRole" => cr_rules
                    .get(role_ref.name.as_str())
                    .cloned()
                    .ok_or_else(|| format!("clusterrole.rbac.authorization.k8s.io {} not found", quote(&role_ref.name))),
                other => Err(format!("unsupported role reference kind: {}", quote(other))),
            }
        };

        let cluster_bindings: Vec<ResolvedBinding> = cluster_role_bindings
            .into_iter()
            .map(|b| ResolvedBinding {
                name: b.metadata.name.to_string(),
                namespace: String::new(),
                role_ref: b.role_ref.clone(),
                subjects: b.subjects.clone(),
                rules: resolve(&b.role_ref, ""),
            })
            .collect();

        let mut by_ns: HashMap<String, Vec<ResolvedBinding>> = HashMap::new();
        for b in role_bindings {
            let ns = b.metadata.namespace.to_string();
            let resolved = ResolvedBinding {
                name: b.metadata.name.to_string(),
                namespace: ns.clone(),
                role_ref: b.role_ref.clone(),
                subjects: b.subjects.clone(),
                rules: resolve(&b.role_ref, &ns),
            };
            by_ns.entry(ns).or_default().push(resolved);
        }
        RbacIndex {
            cluster_bindings: BindingList::new(cluster_bindings),
            role_bindings: by_ns.into_iter().map(|(ns, list)| (ns, BindingList::new(list))).collect(),
            cluster_roles: crs,
        }
    }

    /// ClusterRoles after aggregation, by name.
    pub fn cluster_roles(&self) -> &BTreeMap<String, ClusterRole> {
        &self.cluster_roles
    }

    /// ClusterRoleBindings in evaluation order.
    pub fn cluster_bindings(&self) -> &[ResolvedBinding] {
        &self.cluster_bindings.bindings
    }

    /// RoleBindings of `namespace` in evaluation order.
    pub fn role_bindings(&self, namespace: &str) -> &[ResolvedBinding] {
        self.role_bindings.get(namespace).map_or(&[], |l| l.bindings.as_slice())
    }

    /// Every namespace that has RoleBindings.
    pub fn binding_namespaces(&self) -> impl Iterator<Item = &str> {
        self.role_bindings.keys().map(String::as_str)
    }

    /// The bindings upstream visits for a request in `namespace`, in order.
    pub fn visit_order<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a ResolvedBinding> + 'a {
        let ns: &[ResolvedBinding] = if namespace.is_empty() { &[] } else { self.role_bindings(namespace) };
        self.cluster_bindings().iter().chain(ns.iter())
    }

    /// The bindings upstream would find applicable to `user` for a request in `namespace`,
    /// in visit order, each with the index of its first matching subject.
    pub fn applicable<'a, 'u>(
        &'a self,
        user: &'u UserInfo,
        namespace: &str,
    ) -> impl Iterator<Item = (&'a ResolvedBinding, usize)> + use<'a, 'u> {
        let ns = if namespace.is_empty() { None } else { self.role_bindings.get(namespace) };
        self.cluster_bindings.applicable(user).chain(ns.into_iter().flat_map(move |l| l.applicable(user)))
    }

    /// Upstream `RBACAuthorizer.Authorize`, plus the source of an allow.
    pub fn authorize(&self, attrs: &Attributes) -> (Verdict, Option<RbacSource>) {
        let mut errors: Vec<&str> = Vec::new();
        for (binding, si) in self.applicable(&attrs.user, &attrs.namespace) {
            match &binding.rules {
                Err(e) => errors.push(e),
                Ok(rules) => {
                    if let Some(ri) = rules.iter().position(|r| rule_allows(attrs, r)) {
                        let subject = &binding.subjects[si];
                        let source = RbacSource {
                            binding_namespace: binding.namespace.clone(),
                            binding_name: binding.name.clone(),
                            role_ref: binding.role_ref.clone(),
                            subject: subject.clone(),
                            rule_index: ri,
                            rule: rules[ri].clone(),
                        };
                        return (Verdict::allow(format!("RBAC: allowed by {}", binding.describe(subject))), Some(source));
                    }
                }
            }
        }
        let reason = if errors.is_empty() { String::new() } else { format!("RBAC: {}", aggregate_errors(&errors)) };
        (Verdict::no_opinion(reason), None)
    }

    /// Every rule the user holds in `namespace` (upstream `RulesFor` traversal order), and
    /// the resolution errors met on the way.
    pub fn rules_for<'a>(&'a self, user: &UserInfo, namespace: &str) -> (Vec<GrantedRule<'a>>, Vec<String>) {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (binding, si) in self.applicable(user, namespace) {
            match &binding.rules {
                Err(e) => errors.push(e.clone()),
                Ok(rs) => rules.extend(rs.iter().map(|rule| GrantedRule { binding, subject: &binding.subjects[si], rule })),
            }
        }
        (rules, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ObjectMeta;

    fn meta(ns: &str, name: &str) -> ObjectMeta {
        ObjectMeta { name: name.into(), namespace: ns.into(), ..Default::default() }
    }
    fn subj(kind: &str, name: &str, ns: &str) -> Subject {
        Subject { kind: kind.into(), name: name.into(), namespace: ns.into(), ..Default::default() }
    }
    fn rref(kind: &str, name: &str) -> RoleRef {
        RoleRef { api_group: "rbac.authorization.k8s.io".into(), kind: kind.into(), name: name.into() }
    }
    fn all_rule() -> PolicyRule {
        PolicyRule { verbs: vec!["*".into()], api_groups: vec!["*".into()], resources: vec!["*".into()], ..Default::default() }
    }

    #[test]
    fn subjects() {
        let sa = UserInfo::new("system:serviceaccount:ns1:sa", ["system:serviceaccounts"]);
        assert!(subject_applies(&sa, &subj("ServiceAccount", "sa", "ns1"), ""));
        assert!(subject_applies(&sa, &subj("ServiceAccount", "sa", ""), "ns1"), "defaults to binding ns");
        assert!(!subject_applies(&sa, &subj("ServiceAccount", "sa", ""), ""), "no namespace at all");
        assert!(!subject_applies(&sa, &subj("ServiceAccount", "sa", "ns2"), ""));
        assert!(subject_applies(&sa, &subj("User", "system:serviceaccount:ns1:sa", ""), ""));
        assert!(subject_applies(&sa, &subj("Group", "system:serviceaccounts", ""), ""));
        assert!(!subject_applies(&sa, &subj("Other", "system:serviceaccounts", ""), ""));
        assert!(!service_account_username_matches("ns", "a", "system:serviceaccount:ns:ab"));
        assert!(!service_account_username_matches("ns", "a", "system:serviceaccount:nsx:a"));
    }

    // Restates upstream rbac_test.go's authorizer table.
    #[test]
    fn authorize_table() {
        let cr = ClusterRole { metadata: meta("", "admin"), rules: vec![all_rule()], ..Default::default() };
        let rb = RoleBinding {
            metadata: meta("ns1", "admin"),
            role_ref: rref("ClusterRole", "admin"),
            subjects: vec![subj("User", "admin", ""), subj("Group", "admins", "")],
        };
        let idx = RbacIndex::build([], [&cr], [&rb], []);
        let admin = UserInfo::new("admin", Vec::<String>::new());
        let joe = UserInfo::new("joe", ["admins"]);
        let (v, src) = idx.authorize(&Attributes::resource(admin.clone(), "get", "Pods", "ns1", ""));
        assert_eq!(v.reason, r#"RBAC: allowed by RoleBinding "admin/ns1" of ClusterRole "admin" to User "admin""#);
        assert_eq!(src.unwrap().rule_index, 0);
        let (v, _) = idx.authorize(&Attributes::resource(joe.clone(), "watch", "Foobar", "ns1", ""));
        assert_eq!(v.reason, r#"RBAC: allowed by RoleBinding "admin/ns1" of ClusterRole "admin" to Group "admins""#);
        assert_eq!(idx.authorize(&Attributes::resource(admin.clone(), "GET", "Pods", "ns2", "")).0, Verdict::no_opinion(""));
        assert_eq!(idx.authorize(&Attributes::resource(admin, "GET", "Nodes", "", "")).0, Verdict::no_opinion(""));
    }

    #[test]
    fn cluster_scope_and_errors() {
        let get_apis = ClusterRole {
            metadata: meta("", "apis"),
            rules: vec![PolicyRule { verbs: vec!["get".into()], non_resource_urls: vec!["/apis".into()], ..Default::default() }],
            ..Default::default()
        };
        let crb =
            ClusterRoleBinding { metadata: meta("", "b"), role_ref: rref("ClusterRole", "apis"), subjects: vec![subj("User", "foo", "")] };
        let missing = ClusterRoleBinding {
            metadata: meta("", "a-missing"),
            role_ref: rref("ClusterRole", "nope"),
            subjects: vec![subj("User", "foo", "")],
        };
        let bad_kind =
            ClusterRoleBinding { metadata: meta("", "c-bad"), role_ref: rref("Role", "r"), subjects: vec![subj("User", "foo", "")] };
        let weird =
            ClusterRoleBinding { metadata: meta("", "d-weird"), role_ref: rref("Weird", "r"), subjects: vec![subj("User", "foo", "")] };
        let idx = RbacIndex::build([], [&get_apis], [], [&crb, &missing, &bad_kind, &weird]);
        let foo = UserInfo::new("foo", Vec::<String>::new());
        let (v, _) = idx.authorize(&Attributes::non_resource(foo.clone(), "get", "/apis"));
        assert_eq!(v.reason, r#"RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "apis" to User "foo""#);
        let (v, _) = idx.authorize(&Attributes::non_resource(foo, "watch", "/apis"));
        assert_eq!(
            v.reason,
            r#"RBAC: [clusterrole.rbac.authorization.k8s.io "nope" not found, role.rbac.authorization.k8s.io "r" not found, unsupported role reference kind: "Weird"]"#
        );
    }

    #[test]
    fn sa_subject_description_uses_binding_namespace() {
        let role = Role { metadata: meta("ns1", "r"), rules: vec![all_rule()] };
        let rb =
            RoleBinding { metadata: meta("ns1", "rb"), role_ref: rref("Role", "r"), subjects: vec![subj("ServiceAccount", "default", "")] };
        let idx = RbacIndex::build([&role], [], [&rb], []);
        let sa = UserInfo::new("system:serviceaccount:ns1:default", Vec::<String>::new());
        let (v, _) = idx.authorize(&Attributes::resource(sa, "get", "pods", "ns1", ""));
        assert_eq!(v.reason, r#"RBAC: allowed by RoleBinding "rb/ns1" of Role "r" to ServiceAccount "default/ns1""#);
    }

    #[test]
    fn role_binding_to_cluster_role_is_namespaced_only() {
        let cr = ClusterRole { metadata: meta("", "all"), rules: vec![all_rule()], ..Default::default() };
        let rb = RoleBinding { metadata: meta("ns1", "rb"), role_ref: rref("ClusterRole", "all"), subjects: vec![subj("User", "u", "")] };
        let idx = RbacIndex::build([], [&cr], [&rb], []);
        let u = UserInfo::new("u", Vec::<String>::new());
        assert_eq!(
            idx.authorize(&Attributes::resource(u.clone(), "list", "secrets", "", "")).0.decision,
            crate::authz::Decision::NoOpinion
        );
        assert_eq!(idx.authorize(&Attributes::resource(u, "list", "secrets", "ns1", "")).0.decision, crate::authz::Decision::Allow);
    }

    /// The subject index visits exactly the bindings a full scan finds applicable, in the
    /// same order, with the same subject.
    #[test]
    fn subject_index_equals_full_scan() {
        let kinds = ["User", "Group", "ServiceAccount", "Other"];
        let names = ["alice", "dev", "sa", "system:serviceaccount:ns1:sa", "system:authenticated"];
        let namespaces = ["", "ns1", "ns2"];
        let mut crbs = Vec::new();
        let mut rbs = Vec::new();
        let mut n = 0usize;
        for (ki, k) in kinds.iter().enumerate() {
            for (ni, name) in names.iter().enumerate() {
                for sns in namespaces {
                    n += 1;
                    let subjects = vec![subj(k, name, sns), subj(kinds[(ki + 1) % 4], names[(ni + 2) % 5], "")];
                    crbs.push(ClusterRoleBinding {
                        metadata: meta("", &format!("crb-{n:03}")),
                        role_ref: rref("ClusterRole", "x"),
                        subjects: subjects.clone(),
                    });
                    rbs.push(RoleBinding {
                        metadata: meta(namespaces[n % 3].max("ns1"), &format!("rb-{n:03}")),
                        role_ref: rref("Role", "x"),
                        subjects,
                    });
                }
            }
        }
        let idx = RbacIndex::build([], [], &rbs, &crbs);
        let users = [
            UserInfo::new("alice", ["dev"]),
            UserInfo::new("system:serviceaccount:ns1:sa", ["system:serviceaccounts", "system:authenticated"]),
            UserInfo::new("sa", Vec::<String>::new()),
            UserInfo::new("nobody", ["system:authenticated", "dev"]),
        ];
        for user in &users {
            for ns in namespaces {
                let scanned: Vec<(String, usize)> =
                    idx.visit_order(ns).filter_map(|b| b.applies_to(user).map(|si| (format!("{}/{}", b.namespace, b.name), si))).collect();
                let indexed: Vec<(String, usize)> =
                    idx.applicable(user, ns).map(|(b, si)| (format!("{}/{}", b.namespace, b.name), si)).collect();
                assert_eq!(indexed, scanned, "user {} namespace {ns:?}", user.name);
            }
        }
    }
}
