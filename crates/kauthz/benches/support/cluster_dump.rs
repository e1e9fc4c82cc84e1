//! A whole-cluster `kubectl get -A -o json` dump for scale benchmarks (`make bench-scale`),
//! written straight to a writer (a million pods make a 2-3 GB file: never held as text).
//!
//! Shape, for `pods` pods on `nodes` nodes (defaults: GKE's published maximum, 65,000 nodes
//! and 1,000,000 pods):
//! * one Namespace per 200 pods, five ServiceAccounts per namespace;
//! * Deployments of 20 pods: each shares one Secret (env) and one ConfigMap (envFrom); every
//!   pod also mounts the namespace's `kube-root-ca.crt`, a shared pull secret and its
//!   projected service-account token; pods are spread round-robin over the nodes;
//! * every 10th pod is stateful: its own PVC, bound to its own CSI PV (with a node-publish
//!   secret) and a VolumeAttachment to the pod's node;
//! * Nodes, one ResourceSlice per node (a DRA driver's devices);
//! * RBAC: 150 ClusterRoles and ClusterRoleBindings, a Role and RoleBinding per namespace.
//!
//! Naming lets benchmarks rebuild requests: pod `i` is `app-{d}-{k}` (`d = i / 20`,
//! `k = i % 20`) in `ns-{i / 200}` on `node-{i % nodes}`, and uses secret `app-secret-{d}`,
//! configmap `app-config-{d}` and, when `i % 10 == 0`, PVC `data-{i}`, PV `pv-{i}`,
//! attachment `va-{i}`.

use std::io::{self, Write};

/// Pods per namespace.
pub const PODS_PER_NAMESPACE: usize = 200;
/// Pods per deployment (sharing a secret and a configmap).
pub const PODS_PER_DEPLOYMENT: usize = 20;
/// Every this many pods one is stateful (PVC, PV, VolumeAttachment).
pub const STATEFUL_EVERY: usize = 10;

/// Sizes of a generated cluster.
#[derive(Debug, Clone, Copy)]
pub struct ClusterSize {
    /// Nodes.
    pub nodes: usize,
    /// Pods.
    pub pods: usize,
}

impl ClusterSize {
    /// Namespaces (one per 200 pods, at least one).
    pub fn namespaces(&self) -> usize {
        self.pods.div_ceil(PODS_PER_NAMESPACE).max(1)
    }
    /// Deployments.
    pub fn deployments(&self) -> usize {
        self.pods.div_ceil(PODS_PER_DEPLOYMENT)
    }
}

/// Namespace of pod `i`.
pub fn pod_namespace(i: usize) -> String {
    format!("ns-{}", i / PODS_PER_NAMESPACE)
}

/// Name of pod `i`.
pub fn pod_name(i: usize) -> String {
    format!("app-{}-{}", i / PODS_PER_DEPLOYMENT, i % PODS_PER_DEPLOYMENT)
}

/// Node of pod `i`.
pub fn pod_node(i: usize, size: &ClusterSize) -> String {
    format!("node-{}", i % size.nodes)
}

/// Writes the dump.
pub fn write_cluster(out: &mut impl Write, size: &ClusterSize) -> io::Result<()> {
    let mut first = true;
    let mut sep = |out: &mut dyn Write| -> io::Result<()> {
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        Ok(())
    };
    out.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")?;
    let namespaces = size.namespaces();
    for n in 0..namespaces {
        sep(out)?;
        write!(
            out,
            r#"        {{
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {{"creationTimestamp": "2026-11-01T10:00:00Z", "labels": {{"kubernetes.io/metadata.name": "ns-{n}"}}, "name": "ns-{n}", "resourceVersion": "{n}", "uid": "0a000000-0000-4000-8000-{n:012}"}},
            "spec": {{"finalizers": ["kubernetes"]}},
            "status": {{"phase": "Active"}}
        }}"#
        )?;
        for s in 0..5 {
            sep(out)?;
            write!(
                out,
                r#"        {{
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {{"creationTimestamp": "2026-11-01T10:00:00Z", "name": "sa-{s}", "namespace": "ns-{n}", "resourceVersion": "{n}", "uid": "0b000000-0000-4000-8000-{n:08}{s:04}"}}
        }}"#
            )?;
        }
        sep(out)?;
        write!(
            out,
            r#"        {{
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {{"name": "app-reader", "namespace": "ns-{n}"}},
            "rules": [{{"apiGroups": [""], "resources": ["configmaps", "pods", "services"], "verbs": ["get", "list", "watch"]}}, {{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]}}]
        }},
        {{
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {{"name": "app-reader", "namespace": "ns-{n}"}},
            "roleRef": {{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "app-reader"}},
            "subjects": [{{"kind": "ServiceAccount", "name": "sa-0", "namespace": "ns-{n}"}}, {{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "team-{}"}}]
        }}"#,
            n % 50
        )?;
    }
    for c in 0..150 {
        sep(out)?;
        write!(
            out,
            r#"        {{
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {{"labels": {{"rbac.example/aggregate": "{}"}}, "name": "operator-{c}"}},
            "rules": [{{"apiGroups": ["", "apps"], "resources": ["pods", "deployments", "replicasets"], "verbs": ["get", "list", "watch", "update"]}}, {{"apiGroups": ["example{c}.io"], "resources": ["widgets", "widgets/status"], "verbs": ["*"]}}, {{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}}]
        }},
        {{
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {{"name": "operator-{c}"}},
            "roleRef": {{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "operator-{c}"}},
            "subjects": [{{"kind": "ServiceAccount", "name": "operator", "namespace": "ns-{}"}}]
        }}"#,
            c % 3 == 0,
            c % namespaces
        )?;
    }
    for n in 0..size.nodes {
        sep(out)?;
        write!(
            out,
            r#"        {{
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {{
                "annotations": {{"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
                "creationTimestamp": "2026-11-01T10:00:00Z",
                "labels": {{"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "node-{n}", "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "e2-standard-8", "topology.kubernetes.io/zone": "zone-{}"}},
                "name": "node-{n}",
                "resourceVersion": "{n}",
                "uid": "0c000000-0000-4000-8000-{n:012}"
            }},
            "spec": {{"podCIDR": "10.{}.{}.0/24", "providerID": "gce://project/zone/node-{n}"}},
            "status": {{"addresses": [{{"address": "10.128.{}.{}", "type": "InternalIP"}}, {{"address": "node-{n}", "type": "Hostname"}}], "allocatable": {{"cpu": "7910m", "memory": "29Gi", "pods": "110"}}, "capacity": {{"cpu": "8", "memory": "32Gi", "pods": "110"}}, "nodeInfo": {{"kubeletVersion": "v1.37.2", "operatingSystem": "linux", "architecture": "amd64"}}}}
        }}"#,
            n % 3,
            n / 256 % 256,
            n % 256,
            n / 256 % 256,
            n % 256
        )?;
        sep(out)?;
        write!(
            out,
            r#"        {{
            "apiVersion": "resource.k8s.io/v1",
            "kind": "ResourceSlice",
            "metadata": {{"name": "node-{n}-gpu.example.com-x7k2p", "ownerReferences": [{{"apiVersion": "v1", "controller": true, "kind": "Node", "name": "node-{n}", "uid": "0c000000-0000-4000-8000-{n:012}"}}]}},
            "spec": {{"devices": [{{"name": "gpu-0", "attributes": {{"model": {{"string": "example-a100"}}}}}}, {{"name": "gpu-1", "attributes": {{"model": {{"string": "example-a100"}}}}}}], "driver": "gpu.example.com", "nodeName": "node-{n}", "pool": {{"generation": 1, "name": "node-{n}", "resourceSliceCount": 1}}}}
        }}"#
        )?;
    }
    for d in 0..size.deployments() {
        let ns = pod_namespace(d * PODS_PER_DEPLOYMENT);
        sep(out)?;
        write!(
            out,
            r#"        {{
            "apiVersion": "v1",
            "data": {{"password": "c2VjcmV0LXZhbHVlLXtkfQ==", "username": "YXBw"}},
            "kind": "Secret",
            "metadata": {{"creationTimestamp": "2026-11-01T10:00:00Z", "name": "app-secret-{d}", "namespace": "{ns}", "resourceVersion": "{d}", "uid": "0d000000-0000-4000-8000-{d:012}"}},
            "type": "Opaque"
        }},
        {{
            "apiVersion": "v1",
            "data": {{"app.properties": "mode=prod\nreplicas=20\n", "log-level": "info"}},
            "kind": "ConfigMap",
            "metadata": {{"creationTimestamp": "2026-11-01T10:00:00Z", "name": "app-config-{d}", "namespace": "{ns}", "resourceVersion": "{d}", "uid": "0e000000-0000-4000-8000-{d:012}"}}
        }}"#
        )?;
    }
    for i in 0..size.pods {
        sep(out)?;
        write_pod(out, i, size)?;
    }
    for i in (0..size.pods).step_by(STATEFUL_EVERY) {
        let (ns, node) = (pod_namespace(i), pod_node(i, size));
        sep(out)?;
        write!(
            out,
            r#"        {{
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {{"annotations": {{"pv.kubernetes.io/bind-completed": "yes"}}, "creationTimestamp": "2026-11-01T10:00:00Z", "name": "data-{i}", "namespace": "{ns}", "resourceVersion": "{i}", "uid": "0f000000-0000-4000-8000-{i:012}"}},
            "spec": {{"accessModes": ["ReadWriteOnce"], "resources": {{"requests": {{"storage": "10Gi"}}}}, "storageClassName": "standard-rwo", "volumeMode": "Filesystem", "volumeName": "pv-{i}"}},
            "status": {{"accessModes": ["ReadWriteOnce"], "capacity": {{"storage": "10Gi"}}, "phase": "Bound"}}
        }},
        {{
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {{"annotations": {{"pv.kubernetes.io/provisioned-by": "pd.csi.storage.gke.io"}}, "creationTimestamp": "2026-11-01T10:00:00Z", "name": "pv-{i}", "resourceVersion": "{i}", "uid": "10000000-0000-4000-8000-{i:012}"}},
            "spec": {{"accessModes": ["ReadWriteOnce"], "capacity": {{"storage": "10Gi"}}, "claimRef": {{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": "data-{i}", "namespace": "{ns}", "uid": "0f000000-0000-4000-8000-{i:012}"}}, "csi": {{"driver": "pd.csi.storage.gke.io", "fsType": "ext4", "nodePublishSecretRef": {{"name": "csi-publish", "namespace": "kube-system"}}, "volumeHandle": "projects/p/zones/z/disks/pv-{i}"}}, "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard-rwo", "volumeMode": "Filesystem"}},
            "status": {{"phase": "Bound"}}
        }},
        {{
            "apiVersion": "storage.k8s.io/v1",
            "kind": "VolumeAttachment",
            "metadata": {{"creationTimestamp": "2026-11-01T10:00:00Z", "name": "va-{i}", "resourceVersion": "{i}", "uid": "11000000-0000-4000-8000-{i:012}"}},
            "spec": {{"attacher": "pd.csi.storage.gke.io", "nodeName": "{node}", "source": {{"persistentVolumeName": "pv-{i}"}}}},
            "status": {{"attached": true}}
        }}"#
        )?;
    }
    out.write_all(b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n")
}

fn write_pod(out: &mut impl Write, i: usize, size: &ClusterSize) -> io::Result<()> {
    let (ns, node, name) = (pod_namespace(i), pod_node(i, size), pod_name(i));
    let d = i / PODS_PER_DEPLOYMENT;
    let sa = d % 5;
    let pvc = if i.is_multiple_of(STATEFUL_EVERY) {
        format!(
            r#"{{"name": "data", "persistentVolumeClaim": {{"claimName": "data-{i}"}}}},
                    "#
        )
    } else {
        String::new()
    };
    write!(
        out,
        r#"        {{
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {{
                "creationTimestamp": "2026-11-01T10:00:00Z",
                "generateName": "app-{d}-5d78c9869d-",
                "labels": {{"app": "app-{d}", "pod-template-hash": "5d78c9869d"}},
                "name": "{name}",
                "namespace": "{ns}",
                "ownerReferences": [{{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet", "name": "app-{d}-5d78c9869d", "uid": "3f1c2a7e-0000-4000-8000-{d:012}"}}],
                "resourceVersion": "{i}",
                "uid": "7b0e8c1a-0000-4000-8000-{i:012}"
            }},
            "spec": {{
                "containers": [{{
                    "env": [{{"name": "DB_PASSWORD", "valueFrom": {{"secretKeyRef": {{"key": "password", "name": "app-secret-{d}"}}}}}}, {{"name": "MODE", "value": "prod"}}],
                    "envFrom": [{{"configMapRef": {{"name": "app-config-{d}"}}}}],
                    "image": "registry.example/app:1.2.3",
                    "imagePullPolicy": "IfNotPresent",
                    "name": "app",
                    "ports": [{{"containerPort": 8080, "protocol": "TCP"}}],
                    "resources": {{"limits": {{"memory": "256Mi"}}, "requests": {{"cpu": "100m", "memory": "128Mi"}}}},
                    "volumeMounts": [{{"mountPath": "/data", "name": "data"}}, {{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}}]
                }}],
                "dnsPolicy": "ClusterFirst",
                "imagePullSecrets": [{{"name": "shared-pull-secret"}}],
                "nodeName": "{node}",
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "serviceAccountName": "sa-{sa}",
                "volumes": [
                    {pvc}{{"name": "kube-api-access", "projected": {{"defaultMode": 420, "sources": [
                        {{"serviceAccountToken": {{"expirationSeconds": 3607, "path": "token"}}}},
                        {{"configMap": {{"items": [{{"key": "ca.crt", "path": "ca.crt"}}], "name": "kube-root-ca.crt"}}}},
                        {{"downwardAPI": {{"items": [{{"fieldRef": {{"apiVersion": "v1", "fieldPath": "metadata.namespace"}}, "path": "namespace"}}]}}}}
                    ]}}}}
                ]
            }},
            "status": {{"hostIP": "10.128.{}.{}", "phase": "Running", "podIP": "10.{}.{}.{}", "qosClass": "Burstable", "startTime": "2026-11-01T10:00:05Z"}}
        }}"#,
        (i % size.nodes) / 256 % 256,
        i % size.nodes % 256,
        (i / 65536) % 256,
        (i / 256) % 256,
        i % 256
    )
}
