//! The NodeRestriction admission plugin, restated from upstream v1.37.2: what a kubelet
//! may write, object by object and field by field.
//!
//! The Node authorizer decides *which kinds* a node may write; this plugin decides *which
//! objects and fields*. Every check, message and error kind follows upstream, so a response
//! can be compared with kube-apiserver's byte for byte.

use crate::admission::{AdmissionError, AdmissionRequest, GroupVersionResource, Operation, RequestObject, csitranslation, csr, pvc_diff};
use crate::authz::{Attributes, Decision};
use crate::chain::Chain;
use crate::features::FeatureGates;
use crate::gostr::quote;
use crate::model::{Kind, Object, Pod, StringMap};
use crate::node::{node_identity, populator};
use crate::state::ClusterState;

/// The annotation that marks a mirror pod.
pub const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// The namespace of node leases.
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

/// Labels a kubelet may set on its own Node although they are in a `kubernetes.io` or
/// `k8s.io` namespace.
pub const KUBELET_LABELS: [&str; 11] = [
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/instance-type",
    "beta.kubernetes.io/os",
    "failure-domain.beta.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "kubernetes.io/arch",
    "kubernetes.io/hostname",
    "kubernetes.io/os",
    "node.kubernetes.io/instance-type",
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
];

/// Label namespaces (and their subdomains) a kubelet may set.
pub const KUBELET_LABEL_NAMESPACES: [&str; 2] = ["kubelet.kubernetes.io", "node.kubernetes.io"];

/// The label namespace reserved for labels kubelets may never set.
pub const NODE_RESTRICTION_LABEL_NAMESPACE: &str = "node-restriction.kubernetes.io";

const KUBELET_SERVING_SIGNER: &str = "kubernetes.io/kubelet-serving";
const KUBELET_CLIENT_SIGNER: &str = "kubernetes.io/kube-apiserver-client-kubelet";

/// The feature gates the plugin inspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeRestrictionConfig {
    /// `RecoverVolumeExpansionFailure`: PVC status may also change allocated resources.
    pub expansion_recovery: bool,
    /// `AllowInsecureKubeletCertificateSigningRequests`: CSRs are not checked.
    pub allow_insecure_kubelet_csrs: bool,
    /// `ServiceAccountNodeAudienceRestriction`: token audiences must be justified.
    pub service_account_node_audience_restriction: bool,
    /// `PodCertificateRequest`: PodCertificateRequests are checked (refused when off).
    pub pod_certificate_requests: bool,
    /// `CSIVolumeHealth`: `csinodes/status` may be written.
    pub csi_volume_health: bool,
}

impl From<&FeatureGates> for NodeRestrictionConfig {
    fn from(g: &FeatureGates) -> Self {
        NodeRestrictionConfig {
            expansion_recovery: g.recover_volume_expansion_failure,
            allow_insecure_kubelet_csrs: g.allow_insecure_kubelet_certificate_signing_requests,
            service_account_node_audience_restriction: g.service_account_node_audience_restriction,
            pod_certificate_requests: g.pod_certificate_request,
            csi_volume_health: g.csi_volume_health,
        }
    }
}

impl Default for NodeRestrictionConfig {
    fn default() -> Self {
        NodeRestrictionConfig::from(&FeatureGates::default())
    }
}

/// The plugin: configuration plus the state and authorizer chain it consults.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeRestriction {
    /// Gates.
    pub config: NodeRestrictionConfig,
}

type Outcome = Result<(), AdmissionError>;

/// One request under evaluation, with what upstream's helpers read from its attributes.
struct Request<'a> {
    req: &'a AdmissionRequest,
    state: &'a ClusterState,
    chain: &'a Chain,
    node: &'a str,
}

impl Request<'_> {
    /// Upstream `admission.NewForbidden`: the request's name, else the object's name or
    /// generateName, else `Unknown`.
    fn forbid(&self, message: impl Into<String>) -> AdmissionError {
        let name = if !self.req.name.is_empty() {
            self.req.name.clone()
        } else {
            match &self.req.object {
                Some(o) if !o.metadata().name.is_empty() => o.metadata().name.to_string(),
                Some(o) if !o.metadata().generate_name.is_empty() => o.metadata().generate_name.to_string(),
                _ => "Unknown".into(),
            }
        };
        AdmissionError::Forbidden { resource: self.req.resource.clone(), name, message: message.into() }
    }

    fn unexpected_type(&self, object: Option<&RequestObject>) -> AdmissionError {
        self.forbid(format!("unexpected type {}", object.map_or_else(|| "<nil>".to_string(), RequestObject::go_type)))
    }

    fn unexpected_operation(&self) -> AdmissionError {
        self.forbid(format!("unexpected operation {}", quote(self.req.operation.as_str())))
    }

    fn pod(&self, namespace: &str, name: &str) -> Result<&Pod, AdmissionError> {
        match self.state.store().get(Kind::Pod, namespace, name) {
            Some(Object::Pod(p)) => Ok(p),
            _ => Err(not_found("", "pod", name)),
        }
    }

    /// Asks the chain, as upstream's fallback checks ask the apiserver's authorizer.
    fn authorize(&self, verb: &str, resource: &str, name: &str) -> Result<(bool, Option<String>), AdmissionError> {
        let attrs = Attributes {
            user: self.req.user.clone(),
            verb: verb.into(),
            api_group: self.req.resource.group.clone(),
            api_version: self.req.resource.version.clone(),
            resource: resource.into(),
            namespace: self.req.namespace.clone(),
            name: name.into(),
            resource_request: true,
            ..Attributes::default()
        };
        let result = self.chain.decide(self.state, &attrs);
        match (result.verdict, result.undetermined_by) {
            (Some(v), _) => Ok((v.decision == Decision::Allow, v.error)),
            (None, webhook) => Err(AdmissionError::Undetermined(webhook.unwrap_or_default())),
        }
    }
}

fn not_found(group: &str, resource: &str, name: &str) -> AdmissionError {
    AdmissionError::NotFound { group: group.into(), resource: resource.into(), name: name.into() }
}

impl NodeRestriction {
    /// A plugin with these gates.
    pub fn new(config: NodeRestrictionConfig) -> Self {
        NodeRestriction { config }
    }

    /// Admits or refuses `req` against `state`; the fallback checks ask `chain`.
    pub fn admit(&self, state: &ClusterState, chain: &Chain, req: &AdmissionRequest) -> Outcome {
        // The plugin handles create, update and delete only.
        if req.operation == Operation::Connect {
            return Ok(());
        }
        let Some(node) = node_identity(&req.user) else {
            return Ok(());
        };
        let r = Request { req, state, chain, node };
        if node.is_empty() {
            return Err(r.forbid(format!("could not determine node from user {}", quote(&req.user.name))));
        }
        match (req.resource.group.as_str(), req.resource.resource.as_str()) {
            ("", "pods") => match req.sub_resource.as_str() {
                "" => self.admit_pod(&r),
                "status" => self.admit_pod_status(&r),
                "eviction" => self.admit_pod_eviction(&r),
                other => Err(r.forbid(format!("unexpected pod subresource {}, only 'status' and 'eviction' are allowed", quote(other)))),
            },
            ("", "nodes") => self.admit_node(&r),
            ("", "persistentvolumeclaims") => match req.sub_resource.as_str() {
                "status" => self.admit_pvc_status(&r),
                _ => Err(r.forbid("may only update PVC status")),
            },
            ("", "serviceaccounts") => self.admit_service_account(&r),
            ("certificates.k8s.io", "podcertificaterequests") => self.admit_pod_certificate_request(&r),
            ("coordination.k8s.io", "leases") => admit_lease(&r),
            ("storage.k8s.io", "csinodes") => self.admit_csi_node(&r),
            ("resource.k8s.io", "resourceslices") => admit_resource_slice(&r),
            ("certificates.k8s.io", "certificatesigningrequests") => {
                if self.config.allow_insecure_kubelet_csrs {
                    Ok(())
                } else {
                    admit_csr(&r)
                }
            }
            _ => Ok(()),
        }
    }

    fn admit_pod(&self, r: &Request) -> Outcome {
        let node = r.node;
        match r.req.operation {
            Operation::Create => self.admit_pod_create(r),
            Operation::Delete => {
                let existing = r.pod(&r.req.namespace, &r.req.name)?;
                if existing.spec.node_name != node {
                    return Err(r.forbid(format!("node {} can only delete pods with spec.nodeName set to itself", quote(node))));
                }
                Ok(())
            }
            op => Err(r.forbid(format!(
                "unexpected operation {}, node {} can only create and delete mirror pods",
                quote(op.as_str()),
                quote(node)
            ))),
        }
    }

    fn admit_pod_create(&self, r: &Request) -> Outcome {
        let node = r.node;
        let Some(RequestObject::Pod(pod)) = &r.req.object else {
            return Err(r.unexpected_type(r.req.object.as_ref()));
        };
        if !pod.metadata.annotations.contains_key(MIRROR_POD_ANNOTATION) {
            return Err(r.forbid(format!(
                "pod does not have {} annotation, node {} can only create mirror pods",
                quote(MIRROR_POD_ANNOTATION),
                quote(node)
            )));
        }
        if pod.spec.node_name != node {
            return Err(r.forbid(format!("node {} can only create pods with spec.nodeName set to itself", quote(node))));
        }
        let owners = &pod.metadata.owner_references;
        if owners.len() > 1 {
            return Err(r.forbid(format!("node {} can only create pods with a single owner reference set to itself", quote(node))));
        }
        let Some(owner) = owners.first() else {
            return Err(r.forbid(format!("node {} can only create pods with an owner reference set to itself", quote(node))));
        };
        if owner.api_version != "v1" || owner.kind != "Node" || owner.name != node {
            return Err(r.forbid(format!("node {} can only create pods with an owner reference set to itself", quote(node))));
        }
        if owner.controller != Some(true) {
            return Err(r.forbid(format!("node {} can only create pods with a controller owner reference set to itself", quote(node))));
        }
        if owner.block_owner_deletion == Some(true) {
            return Err(r.forbid(format!("node {} must not set blockOwnerDeletion on an owner reference", quote(node))));
        }
        let node_uid = match r.state.store().get(Kind::Node, "", node) {
            Some(n) => n.meta().uid.clone(),
            None => return Err(not_found("", "node", node)),
        };
        if owner.uid != node_uid {
            return Err(r.forbid(format!("node {node} UID mismatch: expected {} got {node_uid}", owner.uid)));
        }
        match api_object_reference(pod) {
            Ok(None) => Ok(()),
            Ok(Some(what)) => Err(r.forbid(format!("node {} can not create pods that reference {what}", quote(node)))),
            Err(e) => Err(r.forbid(format!("error checking mirror pod for API references: {e}"))),
        }
    }

    fn admit_pod_status(&self, r: &Request) -> Outcome {
        let node = r.node;
        if r.req.operation != Operation::Update {
            return Err(r.unexpected_operation());
        }
        let Some(RequestObject::Pod(old)) = &r.req.old_object else {
            return Err(r.unexpected_type(r.req.old_object.as_ref()));
        };
        if old.spec.node_name != node {
            return Err(r.forbid(format!("node {} can only update pod status for pods with spec.nodeName set to itself", quote(node))));
        }
        let Some(RequestObject::Pod(new)) = &r.req.object else {
            return Err(r.unexpected_type(r.req.object.as_ref()));
        };
        if old.metadata.labels != new.metadata.labels {
            return Err(r.forbid(format!("node {} cannot update labels through pod status", quote(node))));
        }
        if old.status.resource_claim_statuses != new.status.resource_claim_statuses {
            // Upstream's typo ("statues") is part of the message.
            return Err(r.forbid(format!("node {} cannot update resource claim statues", quote(node))));
        }
        let extended_equal = match (&old.status.extended_resource_claim_status, &new.status.extended_resource_claim_status) {
            (None, None) => true,
            (Some(a), Some(b)) => a.resource_claim_name == b.resource_claim_name && a.request_mappings == b.request_mappings,
            _ => false,
        };
        if !extended_equal {
            return Err(r.forbid(format!("node {} cannot update extended resource claim status", quote(node))));
        }
        if old.status.node_allocatable_resource_claim_statuses != new.status.node_allocatable_resource_claim_statuses {
            return Err(r.forbid(format!("node {} cannot update node allocatable resource claim statuses", quote(node))));
        }
        Ok(())
    }

    fn admit_pod_eviction(&self, r: &Request) -> Outcome {
        let node = r.node;
        if r.req.operation != Operation::Create {
            // This one message prints the operation with %s, not %q.
            return Err(r.forbid(format!("unexpected operation {}", r.req.operation.as_str())));
        }
        let Some(RequestObject::Eviction(eviction)) = &r.req.object else {
            return Err(r.unexpected_type(r.req.object.as_ref()));
        };
        let pod_name = if !r.req.name.is_empty() {
            r.req.name.as_str()
        } else if !eviction.name.is_empty() {
            eviction.name.as_str()
        } else {
            return Err(r.forbid("could not determine pod from request data"));
        };
        let existing = r.pod(&r.req.namespace, pod_name)?;
        if existing.spec.node_name != node {
            return Err(r.forbid(format!("node {node} can only evict pods with spec.nodeName set to itself")));
        }
        Ok(())
    }

    fn admit_pvc_status(&self, r: &Request) -> Outcome {
        if r.req.operation != Operation::Update {
            return Err(r.unexpected_operation());
        }
        let Some(RequestObject::PersistentVolumeClaim(_, old)) = &r.req.old_object else {
            return Err(r.unexpected_type(r.req.old_object.as_ref()));
        };
        let Some(RequestObject::PersistentVolumeClaim(_, new)) = &r.req.object else {
            return Err(r.unexpected_type(r.req.object.as_ref()));
        };
        match pvc_diff::pvc_status_update_diff(old, new, self.config.expansion_recovery) {
            None => Ok(()),
            Some(diff) => Err(r.forbid(format!(
                "node {} is not allowed to update fields other than status.quantity and status.conditions: {diff}",
                quote(r.node)
            ))),
        }
    }

    fn admit_node(&self, r: &Request) -> Outcome {
        let node = r.node;
        if r.req.name != node {
            return Err(r.forbid(format!("node {} is not allowed to modify node {}", quote(node), quote(&r.req.name))));
        }
        match r.req.operation {
            Operation::Create => {
                let Some(RequestObject::Node(new)) = &r.req.object else {
                    return Err(r.unexpected_type(r.req.object.as_ref()));
                };
                if new.spec.config_source.is_some() {
                    return Err(r.forbid(format!("node {} is not allowed to create pods with a non-nil configSource", quote(node))));
                }
                let forbidden = forbidden_labels(modified_labels(&new.metadata.labels, &StringMap::new()));
                if !forbidden.is_empty() {
                    return Err(r.forbid(format!(
                        "node {} is not allowed to set the following labels: {}",
                        quote(node),
                        forbidden.join(", ")
                    )));
                }
            }
            Operation::Update => {
                let Some(RequestObject::Node(new)) = &r.req.object else {
                    return Err(r.unexpected_type(r.req.object.as_ref()));
                };
                let Some(RequestObject::Node(old)) = &r.req.old_object else {
                    // Upstream names the new object's type here.
                    return Err(r.unexpected_type(r.req.object.as_ref()));
                };
                if new.spec.config_source.is_some() && new.spec.config_source != old.spec.config_source {
                    return Err(
                        r.forbid(format!("node {} is not allowed to update configSource to a new non-nil configSource", quote(node)))
                    );
                }
                #[cfg(feature = "mutants")]
                let check_taints = !crate::mutants::active(crate::mutants::Mutant::NodeRestrictionAllowTaints);
                #[cfg(not(feature = "mutants"))]
                let check_taints = true;
                if check_taints && new.spec.taints != old.spec.taints {
                    return Err(r.forbid(format!("node {} is not allowed to modify taints", quote(node))));
                }
                if new.metadata.owner_references != old.metadata.owner_references {
                    return Err(r.forbid(format!("node {} is not allowed to modify ownerReferences", quote(node))));
                }
                let forbidden = forbidden_labels(modified_labels(&new.metadata.labels, &old.metadata.labels));
                if !forbidden.is_empty() {
                    return Err(r.forbid(format!("is not allowed to modify labels: {}", forbidden.join(", "))));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn admit_service_account(&self, r: &Request) -> Outcome {
        if r.req.operation != Operation::Create || r.req.sub_resource != "token" {
            return Ok(());
        }
        let Some(RequestObject::TokenRequest(tr)) = &r.req.object else {
            return Err(r.unexpected_type(r.req.object.as_ref()));
        };
        let bound = match &tr.spec.bound_object_ref {
            Some(b) if b.api_version == "v1" && b.kind == "Pod" && !b.name.is_empty() => b,
            _ => return Err(r.forbid("node requested token not bound to a pod")),
        };
        if bound.uid.is_empty() {
            return Err(r.forbid("node requested token with a pod binding without a uid"));
        }
        let pod = r.pod(&r.req.namespace, &bound.name)?;
        if pod.metadata.uid != *bound.uid {
            return Err(r.forbid(format!(
                "the UID in the bound object reference ({}) does not match the UID in record. The object might have been deleted and then recreated",
                bound.uid
            )));
        }
        if pod.spec.node_name != r.node {
            return Err(r.forbid("node requested token bound to a pod scheduled on a different node"));
        }
        if self.config.service_account_node_audience_restriction {
            self.validate_token_audience(r, &tr.spec.audiences, pod).map_err(|e| match e {
                AudienceError::Refused(m) => r.forbid(m),
                AudienceError::Fatal(e) => e,
            })?;
        }
        Ok(())
    }

    fn validate_token_audience(&self, r: &Request, audiences: &[String], pod: &Pod) -> Result<(), AudienceError> {
        let audience = match audiences {
            [] => "",
            [one] => one.as_str(),
            _ => return Err(AudienceError::Refused("node may only request 0 or 1 audiences".into())),
        };
        match pod_references_audience(r.state, pod, audience) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => return Err(AudienceError::Refused(format!("error validating audience {}: {e}", quote(audience)))),
        }
        let (allowed, error) =
            r.authorize("request-serviceaccounts-token-audience", audience, &r.req.name).map_err(AudienceError::Fatal)?;
        if allowed {
            return Ok(());
        }
        let user = &r.req.user.name;
        Err(AudienceError::Refused(match error {
            Some(e) => format!("error authorizing {user} to request tokens for audience {}: {e}", quote(audience)),
            None => format!("{user} is not authorized to request tokens for audience {}", quote(audience)),
        }))
    }

    fn admit_pod_certificate_request(&self, r: &Request) -> Outcome {
        if !self.config.pod_certificate_requests {
            return Err(r.forbid("PodCertificateRequest feature gate is disabled"));
        }
        if r.req.operation != Operation::Create {
            return Err(r.forbid(format!("unexpected operation {}", r.req.operation.as_str())));
        }
        if !r.req.sub_resource.is_empty() {
            return Err(r.forbid(format!("unexpected subresource {}", r.req.sub_resource)));
        }
        let namespace = r.req.namespace.as_str();
        let Some(RequestObject::PodCertificateRequest(pcr)) = &r.req.object else {
            return Err(r.unexpected_type(r.req.object.as_ref()));
        };
        let spec = &pcr.spec;
        if spec.node_name != r.node {
            return Err(r.forbid(format!(
                "PodCertificateRequest.Spec.NodeName={}, which is not the requesting node {}",
                quote(&spec.node_name),
                quote(r.node)
            )));
        }
        let Some(node) = r.state.store().get(Kind::Node, "", &spec.node_name) else {
            return Err(AdmissionError::Internal(format!(
                "while retrieving node {} named in the PodCertificateRequest: {}",
                quote(&spec.node_name),
                not_found("", "node", &spec.node_name)
            )));
        };
        if node.meta().uid != spec.node_uid {
            return Err(AdmissionError::Internal(format!(
                "PodCertificateRequest for pod {} names node UID {}, inconsistent with the running node ({})",
                quote(&format!("{namespace}/{}", spec.pod_name)),
                quote(&spec.node_uid),
                node.meta().uid.with_str(quote)
            )));
        }
        let pod_ref = format!("{namespace}/{}", spec.pod_name);
        let pod = match r.state.store().get(Kind::Pod, namespace, &spec.pod_name) {
            Some(Object::Pod(p)) => p,
            _ => {
                return Err(AdmissionError::Internal(format!(
                    "while retrieving pod {} named in the PodCertificateRequest: {}",
                    quote(&pod_ref),
                    not_found("", "pod", &spec.pod_name)
                )));
            }
        };
        if spec.pod_uid != pod.metadata.uid {
            return Err(AdmissionError::Internal(format!(
                "PodCertificateRequest for pod {} contains pod UID ({}) which differs from running pod {}",
                quote(&pod_ref),
                quote(&spec.pod_uid),
                pod.metadata.uid.with_str(quote)
            )));
        }
        if pod.spec.node_name != spec.node_name {
            return Err(r.forbid(format!(
                "pod {} is not running on node {} named in the PodCertificateRequest",
                quote(&pod_ref),
                quote(&spec.node_name)
            )));
        }
        if pod.is_mirror() {
            return Err(r.forbid(format!("pod {} is a mirror pod", quote(&pod_ref))));
        }
        if spec.service_account_name != pod.spec.service_account_name {
            return Err(r.forbid(format!(
                "PodCertificateRequest for pod {} contains serviceAccountName ({}) that differs from running pod ({})",
                quote(&pod_ref),
                quote(&spec.service_account_name),
                quote(&pod.spec.service_account_name)
            )));
        }
        let sa_ref = format!("{namespace}/{}", spec.service_account_name);
        let Some(sa) = r.state.store().get(Kind::ServiceAccount, namespace, &spec.service_account_name) else {
            return Err(AdmissionError::Internal(format!(
                "while retrieving service account {} named in the PodCertificateRequest: {}",
                quote(&sa_ref),
                not_found("", "serviceaccount", &spec.service_account_name)
            )));
        };
        if spec.service_account_uid != sa.meta().uid {
            return Err(AdmissionError::Internal(format!(
                "PodCertificateRequest for pod {} names service account UID {}, which differs from the running service account ({})",
                quote(&pod_ref),
                quote(&spec.service_account_uid),
                sa.meta().uid.with_str(quote)
            )));
        }
        // A pod that mounts a podCertificate volume for this signer justifies the request.
        let mounts_signer = pod
            .spec
            .volumes
            .iter()
            .filter_map(|v| v.projected())
            .flat_map(|p| &p.sources)
            .any(|s| s.pod_certificate.as_ref().is_some_and(|c| c.signer_name == spec.signer_name));
        if mounts_signer {
            return Ok(());
        }
        // RBAC cannot match names with slashes: signer names are munged as for trust bundles.
        let munged = spec.signer_name.replace('/', ":");
        let (allowed, error) = r.authorize("request-serviceaccounts-podcertificate-signer", &munged, &spec.service_account_name)?;
        if allowed {
            return Ok(());
        }
        Err(r.forbid(match error {
            Some(e) => format!(
                "error authorizing {} to request podcertificaterequests for signer {}: {e}",
                r.req.user.name,
                quote(&spec.signer_name)
            ),
            None => format!(
                "pod {} does not mount a podCertificate projected volume for signer {}",
                quote(&format!("{namespace}/{}", spec.pod_name)),
                quote(&spec.signer_name)
            ),
        }))
    }

    fn admit_csi_node(&self, r: &Request) -> Outcome {
        let name = if r.req.operation == Operation::Create {
            match &r.req.object {
                Some(o) => o.metadata().name.as_str(),
                None => return Err(r.forbid("unable to access the object name")),
            }
        } else {
            r.req.name.as_str()
        };
        if name != r.node {
            return Err(r.forbid("can only access CSINode with the same name as the requesting node"));
        }
        if r.req.sub_resource == "status" {
            if !self.config.csi_volume_health {
                return Err(r.forbid("CSIVolumeHealth feature gate is disabled"));
            }
            if r.req.operation != Operation::Update {
                return Err(r.unexpected_operation());
            }
            let Some(RequestObject::CsiNode(old)) = &r.req.old_object else {
                return Err(r.unexpected_type(r.req.old_object.as_ref()));
            };
            let Some(RequestObject::CsiNode(new)) = &r.req.object else {
                return Err(r.unexpected_type(r.req.object.as_ref()));
            };
            if old.spec != new.spec {
                return Err(r.forbid(format!("node {} is not allowed to modify CSINode spec via status", quote(r.node))));
            }
        }
        Ok(())
    }
}

/// How a token-audience check ended when it did not admit.
enum AudienceError {
    /// Refused with this reason (wrapped as Forbidden).
    Refused(String),
    /// Could not be decided.
    Fatal(AdmissionError),
}

fn admit_lease(r: &Request) -> Outcome {
    if r.req.namespace != NODE_LEASE_NAMESPACE {
        return Err(r.forbid(format!("can only access leases in the {} system namespace", quote(NODE_LEASE_NAMESPACE))));
    }
    let name = if r.req.operation == Operation::Create {
        match &r.req.object {
            Some(RequestObject::Lease(meta)) => meta.name.as_str(),
            other => return Err(r.unexpected_type(other.as_ref())),
        }
    } else {
        r.req.name.as_str()
    };
    if name != r.node {
        return Err(r.forbid("can only access node lease with the same name as the requesting node"));
    }
    Ok(())
}

fn admit_resource_slice(r: &Request) -> Outcome {
    let (object, verb) = match r.req.operation {
        Operation::Create => (&r.req.object, "create"),
        Operation::Delete => (&r.req.old_object, "delete"),
        _ => return Ok(()),
    };
    let Some(RequestObject::ResourceSlice(slice)) = object else {
        return Err(r.unexpected_type(object.as_ref()));
    };
    if slice.spec.node_name.as_deref() != Some(r.node) {
        return Err(r.forbid(format!("can only {verb} ResourceSlice with the same NodeName as the requesting node")));
    }
    Ok(())
}

fn admit_csr(r: &Request) -> Outcome {
    if r.req.operation != Operation::Create {
        return Ok(());
    }
    let Some(RequestObject::CertificateSigningRequest(csr)) = &r.req.object else {
        return Err(r.unexpected_type(r.req.object.as_ref()));
    };
    if csr.spec.signer_name != KUBELET_SERVING_SIGNER && csr.spec.signer_name != KUBELET_CLIENT_SIGNER {
        return Ok(());
    }
    let common_name = csr::csr_common_name(&csr.spec.request).map_err(|e| r.forbid(format!("unable to parse csr: {e}")))?;
    if common_name != format!("system:node:{}", r.node) {
        return Err(r.forbid(format!("can only create a node CSR with CN=system:node:{}", r.node)));
    }
    Ok(())
}

/// Label keys whose value differs between `a` and `b` (added, removed or changed), sorted.
fn modified_labels(a: &StringMap, b: &StringMap) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (k, v) in a.iter() {
        if b.get(k) != Some(v) {
            keys.push(k.to_owned());
        }
    }
    for (k, v) in b.iter() {
        if a.get(k) != Some(v) && !keys.iter().any(|have| have == k) {
            keys.push(k.to_owned());
        }
    }
    keys.sort();
    keys
}

fn label_namespace(key: &str) -> &str {
    key.split_once('/').map_or("", |(ns, _)| ns)
}

fn in_namespace(namespace: &str, domain: &str) -> bool {
    namespace == domain || namespace.strip_suffix(domain).is_some_and(|p| p.ends_with('.'))
}

/// Whether a kubelet may set this label on its own Node (upstream `IsKubeletLabel`).
pub fn is_kubelet_label(key: &str) -> bool {
    KUBELET_LABELS.contains(&key) || KUBELET_LABEL_NAMESPACES.iter().any(|d| in_namespace(label_namespace(key), d))
}

/// Whether NodeRestriction refuses a kubelet setting, changing or removing this label on
/// its own Node.
pub fn is_forbidden_node_label(key: &str) -> bool {
    let namespace = label_namespace(key);
    if in_namespace(namespace, NODE_RESTRICTION_LABEL_NAMESPACE) {
        return true;
    }
    let kubernetes = in_namespace(namespace, "kubernetes.io") || in_namespace(namespace, "k8s.io");
    kubernetes && !is_kubelet_label(key)
}

fn forbidden_labels(modified: Vec<String>) -> Vec<String> {
    modified.into_iter().filter(|k| is_forbidden_node_label(k)).collect()
}

/// Upstream `HasAPIObjectReference`: the first kind of API object a pod references, in
/// upstream's order, or an error for a volume of no known type.
pub fn api_object_reference(pod: &Pod) -> Result<Option<&'static str>, String> {
    if !pod.spec.service_account_name.is_empty() {
        return Ok(Some("serviceaccounts"));
    }
    let mut secrets = false;
    populator::visit_pod_secret_names(pod, |_| secrets = true);
    if secrets {
        return Ok(Some("secrets"));
    }
    let mut configmaps = false;
    populator::visit_pod_configmap_names(pod, |_| configmaps = true);
    if configmaps {
        return Ok(Some("configmaps"));
    }
    if !pod.spec.resource_claims.is_empty() {
        return Ok(Some("resourceclaims"));
    }
    for v in &pod.spec.volumes {
        let harmless = v.aws_elastic_block_store().is_some()
            || v.azure_disk().is_some()
            || v.cephfs().is_some()
            || v.cinder().is_some()
            || v.downward_api().is_some()
            || v.empty_dir().is_some()
            || v.fc().is_some()
            || v.flex_volume().is_some()
            || v.flocker().is_some()
            || v.gce_persistent_disk().is_some()
            || v.git_repo().is_some()
            || v.host_path().is_some()
            || v.image().is_some()
            || v.iscsi().is_some()
            || v.nfs().is_some()
            || v.photon_persistent_disk().is_some()
            || v.portworx_volume().is_some()
            || v.quobyte().is_some()
            || v.rbd().is_some()
            || v.scale_io().is_some()
            || v.storageos().is_some()
            || v.vsphere_volume().is_some();
        if harmless {
            continue;
        }
        let what = if v.config_map().is_some() {
            "configmaps (via configmap volumes)"
        } else if v.secret().is_some() {
            "secrets (via secret volumes)"
        } else if v.csi().is_some() {
            "csidrivers (via CSI volumes)"
        } else if v.glusterfs().is_some() {
            "endpoints (via glusterFS volumes)"
        } else if v.persistent_volume_claim().is_some() {
            "persistentvolumeclaims"
        } else if v.ephemeral().is_some() {
            "persistentvolumeclaims (via ephemeral volumes)"
        } else if v.azure_file().is_some() {
            "secrets (via azureFile volumes)"
        } else if let Some(p) = v.projected() {
            let mut found = None;
            for s in &p.sources {
                found = if s.config_map.is_some() {
                    Some("configmaps (via projected volumes)")
                } else if s.secret.is_some() {
                    Some("secrets (via projected volumes)")
                } else if s.service_account_token.is_some() {
                    Some("serviceaccounts (via projected volumes)")
                } else if s.cluster_trust_bundle.is_some() {
                    Some("clustertrustbundles")
                } else if s.pod_certificate.is_some() {
                    Some("podcertificates")
                } else if s.downward_api.is_some() {
                    continue;
                } else {
                    return Err(format!("unknown source for projected volume {}", quote(&v.name)));
                };
                break;
            }
            match found {
                Some(what) => what,
                None => continue,
            }
        } else {
            // Upstream's message has two spaces before the name.
            return Err(format!("unknown volume type for volume  {}", quote(&v.name)));
        };
        return Ok(Some(what));
    }
    Ok(None)
}

/// Whether the pod's volumes justify a token for `audience` (a projected token with that
/// audience, or a CSI driver — inline, through a claim, or migrated from an in-tree
/// volume — that requests it); otherwise the lookup errors met on the way, aggregated.
fn pod_references_audience(state: &ClusterState, pod: &Pod, audience: &str) -> Result<bool, String> {
    let mut errors: Vec<String> = Vec::new();
    for v in &pod.spec.volumes {
        if let Some(p) = v.projected()
            && p.sources.iter().any(|s| s.service_account_token.as_ref().is_some_and(|t| t.audience == audience))
        {
            return Ok(true);
        }
        let driver: Result<String, String> = if let Some(e) = v.ephemeral()
            && e.volume_claim_template.is_some()
        {
            csi_driver_of_claim(state, &pod.metadata.namespace, &format!("{}-{}", pod.metadata.name, v.name))
        } else if let Some(c) = v.persistent_volume_claim() {
            csi_driver_of_claim(state, &pod.metadata.namespace, &c.claim_name)
        } else if let Some(c) = v.csi() {
            Ok(c.driver.to_string())
        } else if let Some(translated) = csitranslation::inline_driver(v) {
            translated.map(str::to_string)
        } else {
            Ok(String::new())
        };
        let driver = match driver {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if driver.is_empty() {
            continue;
        }
        match state.store().get(Kind::CsiDriver, "", &driver) {
            Some(Object::CsiDriver(d)) => {
                if d.spec.token_requests.iter().any(|t| t.audience == audience) {
                    return Ok(true);
                }
            }
            _ => errors.push(not_found("storage.k8s.io", "csidriver", &driver).to_string()),
        }
    }
    if errors.is_empty() { Ok(false) } else { Err(crate::authz::aggregate_errors(&errors)) }
}

/// Claim → volume → CSI driver (empty when the volume is neither CSI nor migratable).
fn csi_driver_of_claim(state: &ClusterState, namespace: &str, claim: &str) -> Result<String, String> {
    let Some(Object::PersistentVolumeClaim(pvc)) = state.store().get(Kind::PersistentVolumeClaim, namespace, claim) else {
        return Err(not_found("", "persistentvolumeclaim", claim).to_string());
    };
    let volume = &pvc.spec.volume_name;
    let Some(Object::PersistentVolume(pv)) = state.store().get(Kind::PersistentVolume, "", volume) else {
        return Err(not_found("", "persistentvolume", volume).to_string());
    };
    if let Some(csi) = &pv.spec.csi {
        return Ok(csi.driver.to_string());
    }
    match csitranslation::pv_driver(pv) {
        Some(translated) => translated.map(str::to_string),
        None => Ok(String::new()),
    }
}

/// What a node may write, in words, for `can-i --list` rows the plugin narrows: `None`
/// when NodeRestriction does not restrict writes to this resource.
pub fn write_restriction(group: &str, resource: &str, subresource: &str) -> Option<&'static str> {
    Some(match (group, resource, subresource) {
        ("", "pods", "") => "NodeRestriction: create mirror pods of this node only; delete pods bound to this node only",
        ("", "pods", "status") => "NodeRestriction: pods bound to this node only; labels and resource claim statuses frozen",
        ("", "pods", "eviction") => "NodeRestriction: pods bound to this node only",
        ("", "pods", _) => "NodeRestriction: refused (only status and eviction subresources)",
        ("", "nodes", _) => "NodeRestriction: own Node only; no taint, configSource or ownerReference changes; kubelet labels only",
        ("", "persistentvolumeclaims", "status") => "NodeRestriction: status capacity, conditions and allocated resources only",
        ("", "persistentvolumeclaims", _) => "NodeRestriction: refused (status only)",
        ("", "serviceaccounts", "token") => {
            "NodeRestriction: tokens bound to pods on this node, for audiences their volumes or CSI drivers use"
        }
        ("coordination.k8s.io", "leases", _) => "NodeRestriction: own lease in kube-node-lease only",
        ("storage.k8s.io", "csinodes", _) => "NodeRestriction: own CSINode only",
        ("resource.k8s.io", "resourceslices", _) => "NodeRestriction: slices with this node's nodeName only",
        ("certificates.k8s.io", "certificatesigningrequests", _) => "NodeRestriction: kubelet signers with CN=system:node:<this node> only",
        ("certificates.k8s.io", "podcertificaterequests", _) => {
            "NodeRestriction: for pods on this node, their service account and mounted signers"
        }
        _ => return None,
    })
}

/// The resource a request addresses, for building requests by hand.
pub fn resource(group: &str, version: &str, resource: &str) -> GroupVersionResource {
    GroupVersionResource { group: group.into(), version: version.into(), resource: resource.into() }
}

#[cfg(test)]
#[path = "noderestriction_tests.rs"]
mod tests;
