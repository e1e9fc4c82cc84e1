//! Generated pod dumps for load benchmarks, shared by `benches/load.rs` and `examples/gen_pods.rs`.

/// A `kubectl get pods -A -o json` dump of `n` realistic pods: each references a unique
/// secret (env), configmap (envFrom) and PVC, a shared pull secret, and the projected
/// service-account token with `kube-root-ca.crt`.
pub fn pods_json(n: usize) -> String {
    let mut s = String::with_capacity(n * 2200);
    s.push_str("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    for i in 0..n {
        if i > 0 {
            s.push_str(",\n");
        }
        let ns = format!("ns-{}", i % 200);
        let node = format!("node-{}", i % 500);
        s.push_str(&format!(
            r#"        {{
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {{
                "creationTimestamp": "2026-11-01T10:00:00Z",
                "generateName": "web-{i}-",
                "labels": {{"app": "web", "pod-template-hash": "5d78c9869d"}},
                "name": "web-{i}",
                "namespace": "{ns}",
                "ownerReferences": [{{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": "ReplicaSet", "name": "web-5d78c9869d", "uid": "3f1c2a7e-0000-4000-8000-{i:012}"}}],
                "resourceVersion": "{i}",
                "uid": "7b0e8c1a-0000-4000-8000-{i:012}"
            }},
            "spec": {{
                "containers": [{{
                    "env": [{{"name": "DB_PASSWORD", "valueFrom": {{"secretKeyRef": {{"key": "password", "name": "db-{i}"}}}}}}, {{"name": "MODE", "value": "prod"}}],
                    "envFrom": [{{"configMapRef": {{"name": "web-config-{i}"}}}}],
                    "image": "registry.example/web:1.2.3",
                    "imagePullPolicy": "IfNotPresent",
                    "name": "web",
                    "ports": [{{"containerPort": 8080, "protocol": "TCP"}}],
                    "resources": {{"limits": {{"memory": "256Mi"}}, "requests": {{"cpu": "100m", "memory": "128Mi"}}}},
                    "volumeMounts": [{{"mountPath": "/data", "name": "data"}}, {{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": true}}]
                }}],
                "dnsPolicy": "ClusterFirst",
                "imagePullSecrets": [{{"name": "shared-pull-secret"}}],
                "nodeName": "{node}",
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "serviceAccountName": "web",
                "volumes": [
                    {{"name": "data", "persistentVolumeClaim": {{"claimName": "data-{i}"}}}},
                    {{"name": "kube-api-access", "projected": {{"defaultMode": 420, "sources": [
                        {{"serviceAccountToken": {{"expirationSeconds": 3607, "path": "token"}}}},
                        {{"configMap": {{"items": [{{"key": "ca.crt", "path": "ca.crt"}}], "name": "kube-root-ca.crt"}}}},
                        {{"downwardAPI": {{"items": [{{"fieldRef": {{"apiVersion": "v1", "fieldPath": "metadata.namespace"}}, "path": "namespace"}}]}}}}
                    ]}}}}
                ]
            }},
            "status": {{"phase": "Running", "podIP": "10.244.{}.{}", "qosClass": "Burstable"}}
        }}"#,
            (i / 250) % 256,
            i % 250
        ));
    }
    s.push_str("\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n");
    s
}
