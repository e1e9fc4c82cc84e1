//! The kinds kauthz reads from a cluster, and how each is listed.

use kauthz_core::model::Kind;

/// One kind kauthz reads: where it is served and how much of it is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    /// API group ("" for the core group).
    pub group: &'static str,
    /// Versions to try, preferred first (the first one served is used).
    pub versions: &'static [&'static str],
    /// The kind, as objects name it.
    pub kind: &'static str,
    /// The resource (plural), as URLs and RBAC rules name it.
    pub plural: &'static str,
    /// Whether objects live in namespaces (listed across all namespaces either way).
    pub namespaced: bool,
    /// Fetched as `PartialObjectMetadata` only: the values stay in the apiserver.
    pub metadata_only: bool,
}

impl KindSpec {
    /// The `apiVersion` for `version`.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() { version.to_string() } else { format!("{}/{version}", self.group) }
    }

    /// The collection path across all namespaces, e.g. `/apis/storage.k8s.io/v1/csinodes`.
    pub fn path(&self, version: &str) -> String {
        if self.group.is_empty() {
            format!("/api/{version}/{}", self.plural)
        } else {
            format!("/apis/{}/{version}/{}", self.group, self.plural)
        }
    }

    /// `resource.group` as kubectl and RBAC messages write it (`secrets`, `leases.coordination.k8s.io`).
    pub fn resource_name(&self) -> String {
        if self.group.is_empty() { self.plural.to_string() } else { format!("{}.{}", self.plural, self.group) }
    }
}

impl KindSpec {
    /// How `kind` is listed: the core model's table of kinds is the one list.
    pub const fn of(kind: Kind) -> KindSpec {
        KindSpec {
            group: kind.group(),
            versions: kind.versions(),
            kind: kind.name(),
            plural: kind.plural(),
            namespaced: kind.namespaced(),
            metadata_only: kind.metadata_only(),
        }
    }
}

const KIND_SPECS: [KindSpec; Kind::ALL.len()] = {
    let mut out = [KindSpec::of(Kind::Namespace); Kind::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = KindSpec::of(Kind::ALL[i]);
        i += 1;
    }
    out
};

/// Every kind kauthz reads (README, "Kinds read"), in the order a snapshot lists them.
pub const KINDS: &[KindSpec] = &KIND_SPECS;

/// The secret type whose objects kauthz needs beyond their metadata: a legacy
/// service-account token secret yields its account (blast radius).
pub const SERVICE_ACCOUNT_TOKEN_TYPE: &str = "kubernetes.io/service-account-token";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_one_kauthz_decodes() {
        for k in KINDS {
            for v in k.versions {
                assert!(Kind::from_type(&k.api_version(v), k.kind).is_some(), "{}", k.kind);
            }
        }
        assert_eq!(KINDS.len(), 19);
        assert_eq!(KINDS[3].path("v1"), "/api/v1/secrets");
        assert_eq!(KINDS[11].path("v1"), "/apis/coordination.k8s.io/v1/leases");
        assert_eq!(KINDS[11].resource_name(), "leases.coordination.k8s.io");
        assert!(KINDS.iter().filter(|k| k.metadata_only).map(|k| k.kind).eq(["Secret", "ConfigMap"]));
    }
}
