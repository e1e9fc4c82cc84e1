//! rbac.authorization.k8s.io/v1 objects.

use serde::{Deserialize, Serialize};

use super::ObjectMeta;

/// One RBAC rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PolicyRule {
    /// Verbs, or `*`.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub verbs: Vec<String>,
    /// API groups (`""` is core), or `*`.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub api_groups: Vec<String>,
    /// Resources, `res/sub`, `*/sub`, or `*`.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub resources: Vec<String>,
    /// Resource names; empty means all.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub resource_names: Vec<String>,
    /// Non-resource URLs, optionally ending in `*`.
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty", deserialize_with = "crate::model::shrunk_vec")]
    pub non_resource_urls: Vec<String>,
}

/// A namespaced Role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Role {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Rules.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub rules: Vec<PolicyRule>,
}

/// A ClusterRole, possibly aggregated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterRole {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Rules (for an aggregated role, recomputed by aggregation).
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub rules: Vec<PolicyRule>,
    /// Aggregation rule, if this role aggregates others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregation_rule: Option<AggregationRule>,
}

/// A ClusterRole's aggregation rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AggregationRule {
    /// Label selectors, ORed.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub cluster_role_selectors: Vec<LabelSelector>,
}

/// A metav1 LabelSelector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LabelSelector {
    /// Exact label matches.
    pub match_labels: std::collections::BTreeMap<String, String>,
    /// Expressions.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelSelectorRequirement {
    /// Label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    /// Values for `In` / `NotIn`.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub values: Vec<String>,
}

/// A binding subject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Subject {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// API group (not consulted by authorization).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub api_group: String,
    /// Name.
    pub name: String,
    /// Namespace (service accounts).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

/// The role a binding grants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RoleRef {
    /// Always `rbac.authorization.k8s.io`.
    pub api_group: String,
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// Role name.
    pub name: String,
}

/// A namespaced RoleBinding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RoleBinding {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Subjects.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub subjects: Vec<Subject>,
    /// Role reference.
    pub role_ref: RoleRef,
}

/// A ClusterRoleBinding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterRoleBinding {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Subjects.
    #[serde(deserialize_with = "crate::model::shrunk_vec")]
    pub subjects: Vec<Subject>,
    /// Role reference.
    pub role_ref: RoleRef,
}
