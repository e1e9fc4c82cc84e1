//! Feeding objects into the graph (upstream `graph_populator.go`, the `Add*`/`Delete*`
//! graph operations, and the reference visitors of `pkg/api/v1/pod` and
//! `pkg/api/v1/persistentvolume`).
//!
//! Vertex creation order follows upstream exactly, because vertex ids (smallest free id
//! first) are observable through the destination index.

use super::graph::{Graph, VertexType};
use crate::model::{
    ExtendedResourceClaimStatus, Object, PersistentVolume, Pod, PodCertificateRequest, PodResourceClaimStatus, ResourceSlice,
};

impl Graph {
    /// Feeds an added or updated object (with its previous version, if any) to the graph,
    /// filtering exactly as upstream's informer handlers do. Kinds the graph does not
    /// watch are ignored.
    pub fn on_upsert(&mut self, object: &Object, previous: Option<&Object>) {
        match object {
            Object::Pod(pod) => {
                let old = match previous {
                    Some(Object::Pod(p)) => Some(&**p),
                    _ => None,
                };
                self.update_pod(old, pod);
            }
            Object::PersistentVolume(pv) => self.add_pv(pv),
            Object::VolumeAttachment(va) => {
                if let Some(Object::VolumeAttachment(old)) = previous
                    && old.spec.node_name == va.spec.node_name
                {
                    return;
                }
                self.add_volume_attachment(&va.metadata.name, &va.spec.node_name);
            }
            // Upstream registers no update handler: nodeName and the spec are immutable.
            Object::ResourceSlice(slice) if self.watch.resource_slices && previous.is_none() => self.add_resource_slice_object(slice),
            Object::PodCertificateRequest(pcr) if self.watch.pod_certificate_requests && previous.is_none() => {
                self.add_pod_certificate_request(pcr)
            }
            _ => {}
        }
    }

    /// Removes a deleted object's contribution from the graph.
    pub fn on_delete(&mut self, object: &Object) {
        match object {
            Object::Pod(pod) if !pod.spec.node_name.is_empty() => self.delete_pod(&pod.metadata.name, &pod.metadata.namespace),
            Object::PersistentVolume(pv) => self.delete_pv(&pv.metadata.name),
            Object::VolumeAttachment(va) => self.delete_volume_attachment(&va.metadata.name),
            Object::ResourceSlice(slice) if self.watch.resource_slices => self.delete_resource_slice(&slice.metadata.name),
            Object::PodCertificateRequest(pcr) if self.watch.pod_certificate_requests => {
                self.delete_pod_certificate_request(&pcr.metadata.namespace, &pcr.metadata.name)
            }
            _ => {}
        }
    }

    /// Upstream `graphPopulator.updatePod` (`old == None` for an add): pods without a node
    /// are ignored, and so are updates that cannot change the pod's references.
    pub fn update_pod(&mut self, old: Option<&Pod>, pod: &Pod) {
        if pod.spec.node_name.is_empty() {
            return;
        }
        if let Some(old) = old {
            // Spec references are immutable once bound; only new ephemeral containers and
            // claim statuses can add references.
            let new_ephemeral = pod.spec.ephemeral_containers.len() > old.spec.ephemeral_containers.len();
            if pod.spec.node_name == old.spec.node_name
                && pod.metadata.uid == old.metadata.uid
                && !new_ephemeral
                && claim_statuses_equal(&old.status.resource_claim_statuses, &pod.status.resource_claim_statuses)
                && extended_status_equal(
                    old.status.extended_resource_claim_status.as_deref(),
                    pod.status.extended_resource_claim_status.as_deref(),
                )
            {
                return;
            }
        }
        self.add_pod(pod);
    }

    /// Upstream `AddPod`: replaces the pod's vertex and links everything it references.
    /// References are added once per occurrence, as upstream does (see the module docs
    /// of `graph` on the resulting index over-count).
    pub fn add_pod(&mut self, pod: &Pod) {
        let ns = pod.metadata.namespace.as_str();
        self.delete_vertex(VertexType::Pod, ns, &pod.metadata.name);
        let pod_v = self.get_or_create(VertexType::Pod, ns, &pod.metadata.name);
        let node_v = self.get_or_create(VertexType::Node, "", &pod.spec.node_name);
        self.add_edge(pod_v, node_v, Some(node_v));

        // A mirror pod must never grant its node access to other objects.
        if pod.is_mirror() {
            return;
        }
        if !pod.spec.service_account_name.is_empty() {
            let sa = self.get_or_create(VertexType::ServiceAccount, ns, &pod.spec.service_account_name);
            self.add_edge(sa, pod_v, Some(node_v));
        }
        visit_pod_secret_names(pod, |name| {
            let s = self.get_or_create(VertexType::Secret, ns, name);
            self.add_edge(s, pod_v, Some(node_v));
        });
        visit_pod_configmap_names(pod, |name| {
            let c = self.get_or_create(VertexType::ConfigMap, ns, name);
            self.add_edge(c, pod_v, Some(node_v));
        });
        for v in &pod.spec.volumes {
            let claim = if let Some(pvc) = v.persistent_volume_claim() {
                pvc.claim_name.to_string()
            } else if v.ephemeral().is_some() {
                format!("{}-{}", pod.metadata.name, v.name)
            } else {
                String::new()
            };
            if !claim.is_empty() {
                let c = self.get_or_create(VertexType::Pvc, ns, &claim);
                self.add_edge(c, pod_v, Some(node_v));
            }
        }
        visit_pod_claim_names(pod, |name| {
            let c = self.get_or_create(VertexType::ResourceClaim, ns, name);
            self.add_edge(c, pod_v, Some(node_v));
        });
    }

    /// Upstream `DeletePod`.
    pub fn delete_pod(&mut self, name: &str, namespace: &str) {
        self.delete_vertex(VertexType::Pod, namespace, name);
    }

    /// Upstream `AddPV`: a PV without claimRef leaves the graph; otherwise pv → pvc and
    /// secret → pv for every kubelet-visible secret reference.
    pub fn add_pv(&mut self, pv: &PersistentVolume) {
        self.delete_vertex(VertexType::Pv, "", &pv.metadata.name);
        let Some(claim) = &pv.spec.claim_ref else { return };
        let pv_v = self.get_or_create(VertexType::Pv, "", &pv.metadata.name);
        let pvc_v = self.get_or_create(VertexType::Pvc, &claim.namespace, &claim.name);
        self.add_edge(pv_v, pvc_v, None);
        visit_pv_secret_names(pv, |namespace, name, kubelet_visible| {
            if kubelet_visible {
                let s = self.get_or_create(VertexType::Secret, namespace, name);
                self.add_edge(s, pv_v, None);
            }
        });
    }

    /// Upstream `DeletePV`.
    pub fn delete_pv(&mut self, name: &str) {
        self.delete_vertex(VertexType::Pv, "", name);
    }

    /// Upstream `AddVolumeAttachment`.
    pub fn add_volume_attachment(&mut self, name: &str, node_name: &str) {
        self.delete_vertex(VertexType::VolumeAttachment, "", name);
        if !node_name.is_empty() {
            let va = self.get_or_create(VertexType::VolumeAttachment, "", name);
            let node = self.get_or_create(VertexType::Node, "", node_name);
            self.add_edge(va, node, Some(node));
        }
    }

    /// Upstream `DeleteVolumeAttachment`.
    pub fn delete_volume_attachment(&mut self, name: &str) {
        self.delete_vertex(VertexType::VolumeAttachment, "", name);
    }

    fn add_resource_slice_object(&mut self, slice: &ResourceSlice) {
        self.add_resource_slice(&slice.metadata.name, slice.spec.node_name.as_deref().unwrap_or(""));
    }

    /// Upstream `AddResourceSlice`.
    pub fn add_resource_slice(&mut self, name: &str, node_name: &str) {
        self.delete_vertex(VertexType::ResourceSlice, "", name);
        if !node_name.is_empty() {
            let s = self.get_or_create(VertexType::ResourceSlice, "", name);
            let node = self.get_or_create(VertexType::Node, "", node_name);
            self.add_edge(s, node, Some(node));
        }
    }

    /// Upstream `DeleteResourceSlice`.
    pub fn delete_resource_slice(&mut self, name: &str) {
        self.delete_vertex(VertexType::ResourceSlice, "", name);
    }

    /// Upstream `AddPodCertificateRequest`: pcr → node, with no emptiness check on the
    /// node name (admission guarantees one).
    pub fn add_pod_certificate_request(&mut self, pcr: &PodCertificateRequest) {
        let (ns, name) = (pcr.metadata.namespace.as_str(), pcr.metadata.name.as_str());
        self.delete_vertex(VertexType::PodCertificateRequest, ns, name);
        let p = self.get_or_create(VertexType::PodCertificateRequest, ns, name);
        let node = self.get_or_create(VertexType::Node, "", &pcr.spec.node_name);
        self.add_edge(p, node, Some(node));
    }

    /// Upstream `DeletePodCertificateRequest`.
    pub fn delete_pod_certificate_request(&mut self, namespace: &str, name: &str) {
        self.delete_vertex(VertexType::PodCertificateRequest, namespace, name);
    }
}

/// Upstream `resourceclaim.PodStatusEqual`: same length, same order, same names and claim
/// names (both absent or equal).
fn claim_statuses_equal(a: &[PodResourceClaimStatus], b: &[PodResourceClaimStatus]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name && x.resource_claim_name == y.resource_claim_name)
}

/// Upstream `resourceclaim.PodExtendedStatusEqual`.
fn extended_status_equal(a: Option<&ExtendedResourceClaimStatus>, b: Option<&ExtendedResourceClaimStatus>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.resource_claim_name == b.resource_claim_name && a.request_mappings == b.request_mappings,
        _ => false,
    }
}

/// Containers in upstream's visiting order: init, regular, ephemeral.
fn all_containers(pod: &Pod) -> impl Iterator<Item = &crate::model::Container> {
    let init: &[crate::model::Container] = &pod.spec.init_containers;
    #[cfg(feature = "mutants")]
    let init = if crate::mutants::active(crate::mutants::Mutant::IgnoreInitContainers) { &[] } else { init };
    init.iter().chain(&pod.spec.containers).chain(&pod.spec.ephemeral_containers)
}

/// Every secret name the pod references directly, in upstream's order (image pull
/// secrets, containers' envFrom then env, then one source per volume in upstream's switch
/// order), empty names skipped.
pub fn visit_pod_secret_names(pod: &Pod, mut f: impl FnMut(&str)) {
    let mut visit = |name: &str| {
        if !name.is_empty() {
            f(name)
        }
    };
    for r in &pod.spec.image_pull_secrets {
        visit(&r.name);
    }
    for c in all_containers(pod) {
        for e in &c.env_from {
            if let Some(r) = &e.secret_ref {
                visit(&r.name);
            }
        }
        for e in &c.env {
            if let Some(r) = e.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
                visit(&r.name);
            }
        }
    }
    let holder = |h: &crate::model::SecretRefHolder| h.secret_ref.as_ref().map(|r| r.name.clone());
    for v in &pod.spec.volumes {
        // The first present source decides, as upstream's switch does.
        if let Some(a) = v.azure_file() {
            visit(&a.secret_name);
        } else if let Some(h) = v.cephfs() {
            holder(h).inspect(|n| visit(n));
        } else if let Some(h) = v.cinder() {
            holder(h).inspect(|n| visit(n));
        } else if let Some(h) = v.flex_volume() {
            holder(h).inspect(|n| visit(n));
        } else if let Some(p) = v.projected() {
            for s in &p.sources {
                if let Some(r) = &s.secret {
                    visit(&r.name);
                }
            }
        } else if let Some(h) = v.rbd() {
            holder(h).inspect(|n| visit(n));
        } else if let Some(s) = v.secret() {
            visit(&s.secret_name);
        } else if let Some(h) = v.scale_io() {
            holder(h).inspect(|n| visit(n));
        } else if let Some(h) = v.iscsi() {
            holder(h).inspect(|n| visit(n));
        } else if let Some(h) = v.storageos() {
            holder(h).inspect(|n| visit(n));
        } else if let Some(c) = v.csi()
            && let Some(r) = &c.node_publish_secret_ref
        {
            visit(&r.name);
        }
    }
}

/// Every configmap name the pod references, in upstream's order, empty names skipped.
pub fn visit_pod_configmap_names(pod: &Pod, mut f: impl FnMut(&str)) {
    let mut visit = |name: &str| {
        if !name.is_empty() {
            f(name)
        }
    };
    for c in all_containers(pod) {
        for e in &c.env_from {
            if let Some(r) = &e.config_map_ref {
                visit(&r.name);
            }
        }
        for e in &c.env {
            if let Some(r) = e.value_from.as_ref().and_then(|v| v.config_map_key_ref.as_ref()) {
                visit(&r.name);
            }
        }
    }
    for v in &pod.spec.volumes {
        if let Some(p) = v.projected() {
            for s in &p.sources {
                if let Some(r) = &s.config_map {
                    visit(&r.name);
                }
            }
        } else if let Some(c) = v.config_map() {
            visit(&c.name);
        }
    }
}

/// Upstream `resourceclaim.PodClaims`: claims named directly, claims generated from
/// templates once recorded in the status (a recorded absent name means "not needed"),
/// then the extended-resource claim. Names are not checked for emptiness, as upstream.
pub fn visit_pod_claim_names(pod: &Pod, mut f: impl FnMut(&str)) {
    for c in &pod.spec.resource_claims {
        if let Some(name) = &c.resource_claim_name {
            f(name);
        } else if c.resource_claim_template_name.is_some()
            && let Some(s) = pod.status.resource_claim_statuses.iter().find(|s| s.name == c.name)
            && let Some(name) = &s.resource_claim_name
        {
            f(name);
        }
    }
    if let Some(e) = &pod.status.extended_resource_claim_status
        && !e.resource_claim_name.is_empty()
    {
        f(&e.resource_claim_name);
    }
}

/// Upstream `VisitPVSecretNames`: `(namespace, name, kubelet_visible)` for the first
/// present source, empty names skipped. Sources that predate secret namespaces fall back
/// to the claimRef's namespace.
pub fn visit_pv_secret_names(pv: &PersistentVolume, mut f: impl FnMut(&str, &str, bool)) {
    let mut visit = |ns: &str, name: &str, visible: bool| {
        if !name.is_empty() {
            f(ns, name, visible)
        }
    };
    let claim_ns = pv.spec.claim_ref.as_ref().map_or("", |c| c.namespace.as_str());
    let s = &pv.spec;
    // Namespace if set, else the claim's (cephfs, flex, rbd, scaleIO, iscsi).
    fn defaulted<'a>(h: &'a crate::model::PvSecretRefHolder, claim_ns: &'a str) -> Option<(&'a str, &'a str)> {
        h.secret_ref.as_ref().map(|r| (if r.namespace.is_empty() { claim_ns } else { r.namespace.as_str() }, r.name.as_str()))
    }
    // Namespace as given (cinder, storageos).
    fn literal(h: &crate::model::PvSecretRefHolder) -> Option<(&str, &str)> {
        h.secret_ref.as_ref().map(|r| (r.namespace.as_str(), r.name.as_str()))
    }
    let found = if let Some(a) = &s.azure_file {
        if a.secret_name.is_empty() {
            None
        } else {
            let ns = a.secret_namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(claim_ns);
            Some((ns, a.secret_name.as_str()))
        }
    } else if let Some(h) = &s.cephfs {
        defaulted(h, claim_ns)
    } else if let Some(h) = &s.cinder {
        literal(h)
    } else if let Some(h) = &s.flex_volume {
        defaulted(h, claim_ns)
    } else if let Some(h) = &s.rbd {
        defaulted(h, claim_ns)
    } else if let Some(h) = &s.scale_io {
        defaulted(h, claim_ns)
    } else if let Some(h) = &s.iscsi {
        defaulted(h, claim_ns)
    } else if let Some(h) = &s.storageos {
        literal(h)
    } else if let Some(c) = &s.csi {
        let refs = [
            (&c.controller_publish_secret_ref, false),
            (&c.controller_expand_secret_ref, false),
            (&c.node_publish_secret_ref, true),
            (&c.node_stage_secret_ref, true),
            (&c.node_expand_secret_ref, true),
        ];
        for (r, visible) in refs {
            if let Some(r) = r {
                visit(&r.namespace, &r.name, visible);
            }
        }
        None
    } else {
        None
    };
    if let Some((ns, name)) = found {
        visit(ns, name, true);
    }
}
