//! Resource names as kubectl accepts them for built-in types: plural, singular, short
//! names and `resource.group`, resolved to the resource and API group a v1.37 server serves.

/// One built-in resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// Plural resource name.
    pub plural: &'static str,
    /// Singular name.
    pub singular: &'static str,
    /// kubectl short names.
    pub short: &'static [&'static str],
    /// API group (`""` for core).
    pub group: &'static str,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
}

macro_rules! r {
    ($plural:literal, $singular:literal, [$($short:literal),*], $group:literal, $ns:literal) => {
        ResourceType { plural: $plural, singular: $singular, short: &[$($short),*], group: $group, namespaced: $ns }
    };
}

/// Built-in resources of kube-apiserver v1.37 (default-enabled groups).
pub const BUILTIN: &[ResourceType] = &[
    r!("bindings", "binding", [], "", true),
    r!("componentstatuses", "componentstatus", ["cs"], "", false),
    r!("configmaps", "configmap", ["cm"], "", true),
    r!("endpoints", "endpoints", ["ep"], "", true),
    r!("events", "event", ["ev"], "", true),
    r!("limitranges", "limitrange", ["limits"], "", true),
    r!("namespaces", "namespace", ["ns"], "", false),
    r!("nodes", "node", ["no"], "", false),
    r!("persistentvolumeclaims", "persistentvolumeclaim", ["pvc"], "", true),
    r!("persistentvolumes", "persistentvolume", ["pv"], "", false),
    r!("pods", "pod", ["po"], "", true),
    r!("podtemplates", "podtemplate", [], "", true),
    r!("replicationcontrollers", "replicationcontroller", ["rc"], "", true),
    r!("resourcequotas", "resourcequota", ["quota"], "", true),
    r!("secrets", "secret", [], "", true),
    r!("serviceaccounts", "serviceaccount", ["sa"], "", true),
    r!("services", "service", ["svc"], "", true),
    r!("mutatingwebhookconfigurations", "mutatingwebhookconfiguration", [], "admissionregistration.k8s.io", false),
    r!("validatingadmissionpolicies", "validatingadmissionpolicy", [], "admissionregistration.k8s.io", false),
    r!("validatingadmissionpolicybindings", "validatingadmissionpolicybinding", [], "admissionregistration.k8s.io", false),
    r!("validatingwebhookconfigurations", "validatingwebhookconfiguration", [], "admissionregistration.k8s.io", false),
    r!("customresourcedefinitions", "customresourcedefinition", ["crd", "crds"], "apiextensions.k8s.io", false),
    r!("apiservices", "apiservice", [], "apiregistration.k8s.io", false),
    r!("controllerrevisions", "controllerrevision", [], "apps", true),
    r!("daemonsets", "daemonset", ["ds"], "apps", true),
    r!("deployments", "deployment", ["deploy"], "apps", true),
    r!("replicasets", "replicaset", ["rs"], "apps", true),
    r!("statefulsets", "statefulset", ["sts"], "apps", true),
    r!("selfsubjectreviews", "selfsubjectreview", [], "authentication.k8s.io", false),
    r!("tokenreviews", "tokenreview", [], "authentication.k8s.io", false),
    r!("localsubjectaccessreviews", "localsubjectaccessreview", [], "authorization.k8s.io", true),
    r!("selfsubjectaccessreviews", "selfsubjectaccessreview", [], "authorization.k8s.io", false),
    r!("selfsubjectrulesreviews", "selfsubjectrulesreview", [], "authorization.k8s.io", false),
    r!("subjectaccessreviews", "subjectaccessreview", [], "authorization.k8s.io", false),
    r!("horizontalpodautoscalers", "horizontalpodautoscaler", ["hpa"], "autoscaling", true),
    r!("cronjobs", "cronjob", ["cj"], "batch", true),
    r!("jobs", "job", [], "batch", true),
    r!("certificatesigningrequests", "certificatesigningrequest", ["csr"], "certificates.k8s.io", false),
    r!("clustertrustbundles", "clustertrustbundle", [], "certificates.k8s.io", false),
    r!("podcertificaterequests", "podcertificaterequest", [], "certificates.k8s.io", true),
    r!("leases", "lease", [], "coordination.k8s.io", true),
    r!("endpointslices", "endpointslice", [], "discovery.k8s.io", true),
    r!("flowschemas", "flowschema", [], "flowcontrol.apiserver.k8s.io", false),
    r!("prioritylevelconfigurations", "prioritylevelconfiguration", [], "flowcontrol.apiserver.k8s.io", false),
    r!("ingressclasses", "ingressclass", [], "networking.k8s.io", false),
    r!("ingresses", "ingress", ["ing"], "networking.k8s.io", true),
    r!("ipaddresses", "ipaddress", ["ip"], "networking.k8s.io", false),
    r!("networkpolicies", "networkpolicy", ["netpol"], "networking.k8s.io", true),
    r!("servicecidrs", "servicecidr", [], "networking.k8s.io", false),
    r!("runtimeclasses", "runtimeclass", [], "node.k8s.io", false),
    r!("poddisruptionbudgets", "poddisruptionbudget", ["pdb"], "policy", true),
    r!("clusterrolebindings", "clusterrolebinding", [], "rbac.authorization.k8s.io", false),
    r!("clusterroles", "clusterrole", [], "rbac.authorization.k8s.io", false),
    r!("rolebindings", "rolebinding", [], "rbac.authorization.k8s.io", true),
    r!("roles", "role", [], "rbac.authorization.k8s.io", true),
    r!("deviceclasses", "deviceclass", [], "resource.k8s.io", false),
    r!("resourceclaims", "resourceclaim", [], "resource.k8s.io", true),
    r!("resourceclaimtemplates", "resourceclaimtemplate", [], "resource.k8s.io", true),
    r!("resourceslices", "resourceslice", [], "resource.k8s.io", false),
    r!("priorityclasses", "priorityclass", ["pc"], "scheduling.k8s.io", false),
    r!("csidrivers", "csidriver", [], "storage.k8s.io", false),
    r!("csinodes", "csinode", [], "storage.k8s.io", false),
    r!("csistoragecapacities", "csistoragecapacity", [], "storage.k8s.io", true),
    r!("storageclasses", "storageclass", ["sc"], "storage.k8s.io", false),
    r!("volumeattachments", "volumeattachment", [], "storage.k8s.io", false),
    r!("volumeattributesclasses", "volumeattributesclass", ["vac"], "storage.k8s.io", false),
];

/// A resolved resource argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Resource (plural).
    pub resource: String,
    /// API group.
    pub group: String,
    /// The built-in type, if the name was recognised.
    pub known: Option<&'static ResourceType>,
}

/// Resolves `arg` as kubectl does: `*` stays `*`; `name.group` narrows by group (a group
/// may be given by its first labels, e.g. `deployments.apps`); otherwise plural, singular
/// or short name. Unknown names come back as given (`known` is `None`) so the caller can
/// warn like kubectl: "the server doesn't have a resource type".
pub fn resolve(arg: &str) -> Resolved {
    if arg == "*" {
        return Resolved { resource: "*".into(), group: String::new(), known: None };
    }
    let lower = arg.to_ascii_lowercase();
    let matches_name = |t: &ResourceType, n: &str| t.plural == n || t.singular == n || t.short.contains(&n);
    if let Some(t) = BUILTIN.iter().find(|t| matches_name(t, &lower)) {
        return Resolved { resource: t.plural.into(), group: t.group.into(), known: Some(t) };
    }
    if let Some((name, group)) = lower.split_once('.') {
        if let Some(t) = BUILTIN.iter().find(|t| matches_name(t, name) && (t.group == group || t.group.starts_with(&format!("{group}.")))) {
            return Resolved { resource: t.plural.into(), group: t.group.into(), known: Some(t) };
        }
        return Resolved { resource: name.into(), group: group.into(), known: None };
    }
    Resolved { resource: lower, group: String::new(), known: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_names() {
        assert_eq!(resolve("po").resource, "pods");
        assert_eq!(resolve("Pod").resource, "pods");
        assert_eq!(resolve("cm").resource, "configmaps");
        assert_eq!(resolve("deploy").group, "apps");
        assert_eq!(resolve("deployments.apps").resource, "deployments");
        assert_eq!(resolve("csr").group, "certificates.k8s.io");
        assert_eq!(resolve("leases.coordination").group, "coordination.k8s.io");
        assert_eq!(resolve("*").resource, "*");
        let unknown = resolve("widgets.example.com");
        assert_eq!((unknown.resource.as_str(), unknown.group.as_str(), unknown.known), ("widgets", "example.com", None));
    }
}
