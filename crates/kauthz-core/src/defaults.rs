//! The default RBAC policy kube-apiserver v1.37.2 creates at start (`--with-defaults`).
//!
//! The data files are generated from upstream's own bootstrap policy by the conformance
//! oracle (`oracle dump-defaults`), so they equal what the apiserver reconciles.

use std::sync::OnceLock;

use crate::model::Object;
use crate::snapshot;

const CLUSTER_ROLES: &str = include_str!("../data/bootstrap-cluster-roles.yaml");
const CLUSTER_ROLE_BINDINGS: &str = include_str!("../data/bootstrap-cluster-role-bindings.yaml");
const NAMESPACE_ROLES: &str = include_str!("../data/bootstrap-namespace-roles.yaml");

/// Every default ClusterRole, ClusterRoleBinding, and kube-system / kube-public Role and
/// RoleBinding, parsed once.
pub fn bootstrap_policy() -> &'static [Object] {
    static POLICY: OnceLock<Vec<Object>> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut objects = Vec::new();
        for (name, text) in [
            ("bootstrap-cluster-roles.yaml", CLUSTER_ROLES),
            ("bootstrap-cluster-role-bindings.yaml", CLUSTER_ROLE_BINDINGS),
            ("bootstrap-namespace-roles.yaml", NAMESPACE_ROLES),
        ] {
            let parsed = snapshot::parse_text(name, text).expect("embedded default policy parses (checked by tests)");
            objects.extend(parsed.objects);
        }
        objects
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn default_policy_is_complete() {
        let p = bootstrap_policy();
        let count = |k: Kind| p.iter().filter(|o| o.kind() == k).count();
        assert!(count(Kind::ClusterRole) > 60);
        assert!(count(Kind::ClusterRoleBinding) > 40);
        assert!(count(Kind::Role) > 0 && count(Kind::RoleBinding) > 0);
        let node = p.iter().find(|o| o.kind() == Kind::ClusterRoleBinding && o.meta().name == "system:node").unwrap();
        let crate::model::Object::ClusterRoleBinding(b) = node else { unreachable!() };
        assert!(b.subjects.is_empty(), "system:node is bound to nobody by default");
    }
}
