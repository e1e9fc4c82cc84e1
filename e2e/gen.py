#!/usr/bin/env python3
"""Generators and HTTP helpers of the e2e test (standard library only).

  gen.py example FILE...          kubectl's JSON of the bundled example -> objects the apiserver accepts
  gen.py objects --seed N NODE... a generated cluster with every reference form the Node authorizer follows
  gen.py ephemeral --seed N       ephemeral containers for some pods (stdin: pods List)
  gen.py claims --seed N          claims from templates and their pods' resourceClaimStatuses (stdin: pods List)
  gen.py sars --seed N --count C  SubjectAccessReviews over a snapshot (stdin: the snapshot List)
  gen.py invalid                  SubjectAccessReviews the apiserver refuses (422), one per line
  gen.py post ...                 posts JSON lines to the apiserver over one keep-alive connection
  gen.py merge --apiserver A --oracle O   the apiserver's answers with upstream's acceptable RBAC reasons

Objects are written as a v1 List in creation order (namespaces and service accounts before
the pods that need them).
"""

import argparse
import base64
import http.client
import json
import random
import ssl
import sys

ORDER = [
    "Namespace", "Node", "ServiceAccount", "Secret", "ConfigMap", "CSIDriver", "PersistentVolume",
    "PersistentVolumeClaim", "CSINode", "Lease", "ResourceClaim", "ResourceSlice", "VolumeAttachment",
    "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding", "Pod",
]

DROP_META = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "ownerReferences", "generation",
             "selfLink", "generateName")


def clean(obj):
    """An object as a user would create it: no server-set metadata, no status."""
    meta = obj.get("metadata", {})
    for k in DROP_META:
        meta.pop(k, None)
    obj.pop("status", None)
    if obj.get("kind") == "CSINode":
        spec = obj.setdefault("spec", {})
        spec["drivers"] = spec.get("drivers") or []
    if obj.get("kind") == "Node":
        obj["spec"] = {k: v for k, v in obj.get("spec", {}).items() if k in ("taints", "unschedulable")}
    return obj


def as_list(items):
    items = sorted(items, key=lambda o: ORDER.index(o["kind"]) if o["kind"] in ORDER else len(ORDER))
    return {"apiVersion": "v1", "kind": "List", "items": items}


def cmd_example(args):
    items = []
    decoder = json.JSONDecoder()
    for path in args.files:
        with open(path) as f:
            text = f.read()
        # kubectl's -o json of several objects is a stream of documents (or one List).
        pos = 0
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            doc, pos = decoder.raw_decode(text, pos)
            for o in doc.get("items", [doc]):
                items.append(clean(o))
    json.dump(as_list(items), sys.stdout)


def b64(s):
    return base64.b64encode(s.encode()).decode()


def cmd_objects(args):
    rnd = random.Random(args.seed)
    nodes = args.nodes
    items = []
    add = items.append
    add({"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": "csi.e2e.kauthz.dev"},
         "spec": {"attachRequired": True, "podInfoOnMount": False}})
    for n in nodes:
        add({"apiVersion": "v1", "kind": "Node",
             "metadata": {"name": n, "labels": {"kubernetes.io/hostname": n, "kubernetes.io/os": "linux"}}})
        add({"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": n},
             "spec": {"drivers": [{"name": "csi.e2e.kauthz.dev", "nodeID": n}]}})
        add({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": n, "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": n, "leaseDurationSeconds": 40}})
        add({"apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice", "metadata": {"name": f"slice-{n}"},
             "spec": {"driver": "gpu.e2e.kauthz.dev", "nodeName": n,
                      "pool": {"name": n, "generation": 0, "resourceSliceCount": 1},
                      "devices": [{"name": "gpu-0"}]}})
    pv_count = 0
    for i in range(args.namespaces):
        ns = f"e2e-ns-{i}"
        add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        sas = [f"sa-{j}" for j in range(3)]
        for sa in sas:
            add({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa, "namespace": ns}})
        secrets = [f"secret-{j}" for j in range(8)]
        for s in secrets:
            add({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": s, "namespace": ns}, "type": "Opaque",
                 "data": {"value": b64("not-a-real-secret")}})
        add({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
             "metadata": {"name": "pull", "namespace": ns},
             "data": {".dockerconfigjson": b64('{"auths":{}}')}})
        add({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
             "metadata": {"name": "sa-0-token", "namespace": ns, "annotations": {"kubernetes.io/service-account.name": "sa-0"}}})
        cms = [f"cm-{j}" for j in range(6)]
        for c in cms:
            add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": c, "namespace": ns}, "data": {"k": "v"}})
        pvcs = [f"pvc-{j}" for j in range(4)]
        for j, c in enumerate(pvcs):
            pv = f"pv-{i}-{j}"
            pv_count += 1
            source = [
                {"hostPath": {"path": f"/tmp/{pv}"}},
                {"csi": {"driver": "csi.e2e.kauthz.dev", "volumeHandle": pv,
                         "nodePublishSecretRef": {"name": "secret-5", "namespace": ns},
                         "nodeStageSecretRef": {"name": "secret-6", "namespace": ns},
                         "controllerPublishSecretRef": {"name": "secret-7", "namespace": ns},
                         "nodeExpandSecretRef": {"name": "secret-4", "namespace": ns}}},
                {"azureFile": {"secretName": "secret-3", "shareName": "share", "secretNamespace": ns}},
                {"flexVolume": {"driver": "e2e/flex", "secretRef": {"name": "secret-2", "namespace": ns}}},
            ][j % 4]
            add({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv},
                 "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                          "persistentVolumeReclaimPolicy": "Retain",
                          "claimRef": {"namespace": ns, "name": c}, **source}})
            add({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": c, "namespace": ns},
                 "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                          "volumeName": pv, "storageClassName": ""}})
            if j % 4 == 1:
                add({"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment", "metadata": {"name": f"va-{pv}"},
                     "spec": {"attacher": "csi.e2e.kauthz.dev", "nodeName": rnd.choice(nodes),
                              "source": {"persistentVolumeName": pv}}})
        add({"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim", "metadata": {"name": "claim-0", "namespace": ns},
             "spec": GPU_CLAIM_SPEC})
        add({"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaimTemplate", "metadata": {"name": "gpu-template", "namespace": ns},
             "spec": {"spec": GPU_CLAIM_SPEC}})
        for p in range(args.pods):
            add(pod(rnd, ns, f"pod-{p}", nodes, sas, secrets, cms, pvcs))
        # RBAC: users, groups and service accounts, namespaced and cluster-wide.
        add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader", "namespace": ns},
             "rules": [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list", "watch"]},
                       {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["secret-0", "secret-1"], "verbs": ["get"]}]})
        add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "readers", "namespace": ns},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
             "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": f"user-{i % 4}"},
                          {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": f"group-{i % 3}"},
                          {"kind": "ServiceAccount", "name": "sa-1", "namespace": ns}]})
        add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "editors", "namespace": ns},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
             "subjects": [{"kind": "ServiceAccount", "name": "sa-2", "namespace": ns},
                          {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": f"user-{(i + 1) % 4}"}]})
    add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": "e2e-aggregated-to-view", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
         "rules": [{"apiGroups": ["e2e.kauthz.dev"], "resources": ["widgets"], "verbs": ["get", "list"]}]})
    add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "e2e-node-extras"},
         "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["cm-5"], "verbs": ["get"]},
                   {"nonResourceURLs": ["/e2e/*"], "verbs": ["get"]}]})
    add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "e2e-node-extras"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "e2e-node-extras"},
         "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:nodes"}]})
    add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "e2e-viewers"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
         "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "group-0"},
                      {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "user-3"}]})
    json.dump(as_list(items), sys.stdout)


def pod(rnd, ns, name, nodes, sas, secrets, cms, pvcs):
    """A pod using a random mix of every way a pod references secrets, configmaps, PVCs,
    service accounts and resource claims."""
    env, env_from, volumes, mounts = [], [], [], []
    pick = rnd.choice
    if rnd.random() < 0.5:
        env.append({"name": "S", "valueFrom": {"secretKeyRef": {"name": pick(secrets), "key": "value", "optional": rnd.random() < 0.3}}})
    if rnd.random() < 0.5:
        env.append({"name": "C", "valueFrom": {"configMapKeyRef": {"name": pick(cms), "key": "k"}}})
    if rnd.random() < 0.3:
        env_from.append({"secretRef": {"name": pick(secrets)}})
    if rnd.random() < 0.3:
        env_from.append({"configMapRef": {"name": pick(cms)}})
    kinds = rnd.sample(["secret", "configMap", "projected", "pvc", "ephemeral", "csi", "azureFile"], rnd.randint(0, 4))
    for k in kinds:
        v = f"v-{k.lower()}"
        if k == "secret":
            volumes.append({"name": v, "secret": {"secretName": pick(secrets)}})
        elif k == "configMap":
            volumes.append({"name": v, "configMap": {"name": pick(cms)}})
        elif k == "projected":
            volumes.append({"name": v, "projected": {"sources": [
                {"secret": {"name": pick(secrets)}}, {"configMap": {"name": pick(cms)}},
                {"serviceAccountToken": {"path": "token", "audience": "e2e", "expirationSeconds": 3600}}]}})
        elif k == "pvc":
            volumes.append({"name": v, "persistentVolumeClaim": {"claimName": pick(pvcs)}})
        elif k == "ephemeral":
            volumes.append({"name": v, "ephemeral": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}})
        elif k == "csi":
            volumes.append({"name": v, "csi": {"driver": "csi.e2e.kauthz.dev", "nodePublishSecretRef": {"name": pick(secrets)}}})
        elif k == "azureFile":
            volumes.append({"name": v, "azureFile": {"secretName": pick(secrets), "shareName": "s"}})
        mounts.append({"name": v, "mountPath": f"/mnt/{v}"})
    container = {"name": "main", "image": "registry.invalid/e2e:1", "env": env, "envFrom": env_from, "volumeMounts": mounts}
    spec = {"containers": [container], "volumes": volumes, "serviceAccountName": pick(sas + ["default"])}
    if rnd.random() < 0.3:
        spec["initContainers"] = [{"name": "init", "image": "registry.invalid/e2e:1",
                                   "env": [{"name": "I", "valueFrom": {"secretKeyRef": {"name": pick(secrets), "key": "value"}}}]}]
    if rnd.random() < 0.3:
        spec["imagePullSecrets"] = [{"name": "pull"}]
    claims = []
    if rnd.random() < 0.2:
        claims.append({"name": "gpu", "resourceClaimName": "claim-0"})
    if rnd.random() < 0.2:
        # Generated per pod from the template; `gen.py claims` plays the claim controller.
        claims.append({"name": "tgpu", "resourceClaimTemplateName": "gpu-template"})
    if claims:
        spec["resourceClaims"] = claims
        container["resources"] = {"claims": [{"name": c["name"]} for c in claims]}
    if rnd.random() < 0.85:
        spec["nodeName"] = pick(nodes)
    if rnd.random() < 0.1:
        spec["automountServiceAccountToken"] = False
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": {"app": name}}, "spec": spec}


GPU_CLAIM_SPEC = {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.e2e.kauthz.dev"}}]}}


def cmd_claims(args):
    """Prints `METHOD PATH JSON` lines doing what the resource-claim controller does for pods
    whose claims come from a ResourceClaimTemplate: create each pod's claim (owned by the
    pod, with a generated name), then record it in the pod's status.resourceClaimStatuses
    through the pods/status subresource (stdin: pods List)."""
    rnd = random.Random(args.seed)
    for p in json.load(sys.stdin)["items"]:
        templated = [c for c in p["spec"].get("resourceClaims", []) if c.get("resourceClaimTemplateName")]
        if not templated:
            continue
        ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
        statuses = []
        for c in templated:
            claim = f"{name}-{c['name']}-{rnd.randrange(16 ** 5):05x}"
            owner = {"apiVersion": "v1", "kind": "Pod", "name": name, "uid": p["metadata"]["uid"], "controller": True,
                     "blockOwnerDeletion": True}
            body = {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim",
                    "metadata": {"name": claim, "namespace": ns, "ownerReferences": [owner],
                                 "annotations": {"resource.kubernetes.io/pod-claim-name": c["name"]}},
                    "spec": GPU_CLAIM_SPEC}
            print("POST", f"/apis/resource.k8s.io/v1/namespaces/{ns}/resourceclaims", json.dumps(body))
            statuses.append({"name": c["name"], "resourceClaimName": claim})
        p.setdefault("status", {})["resourceClaimStatuses"] = statuses
        print("PUT", f"/api/v1/namespaces/{ns}/pods/{name}/status", json.dumps(p))


def cmd_ephemeral(args):
    """Prints `NAMESPACE NAME JSON` lines: pods with an ephemeral container added (PUT to
    pods/ephemeralcontainers, as kubectl debug does)."""
    rnd = random.Random(args.seed)
    pods = json.load(sys.stdin)["items"]
    for p in pods:
        if not p["metadata"]["namespace"].startswith("e2e-ns-") or rnd.random() > 0.2:
            continue
        p["spec"].setdefault("ephemeralContainers", []).append({
            "name": "debugger", "image": "registry.invalid/debug:1",
            "env": [{"name": "E", "valueFrom": {"secretKeyRef": {"name": f"secret-{rnd.randint(0, 7)}", "key": "value"}}}],
            "envFrom": [{"configMapRef": {"name": f"cm-{rnd.randint(0, 5)}"}}]})
        print(p["metadata"]["namespace"], p["metadata"]["name"], json.dumps(p))


def cmd_invalid(args):
    """Prints SubjectAccessReviews the apiserver refuses with 422 Invalid, one per line: its
    whole Status (message, details, causes, metadata) is compared with kauthz review's."""
    sar = lambda spec, **extra: {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec, **extra}
    ra = {"verb": "get", "resource": "pods", "namespace": "ns"}
    cases = [
        sar({"user": "u"}),
        sar({"resourceAttributes": ra}),
        sar({"user": "u", "resourceAttributes": ra, "nonResourceAttributes": {"path": "/healthz", "verb": "get"}}),
        sar({"user": "u", "resourceAttributes": ra}, metadata={"name": "named", "labels": {"a": "b"}}),
        sar({"user": "u", "resourceAttributes": {**ra, "labelSelector": {"rawSelector": "a=b", "requirements": [
            {"key": "a", "operator": "In", "values": ["b"]}]}}}),
        sar({"user": "u", "resourceAttributes": {**ra, "labelSelector": {"requirements": [
            {"key": "bad key!", "operator": "In", "values": ["-bad-", "x" * 70]}]}}}),
        sar({"user": "u", "resourceAttributes": {**ra, "labelSelector": {"requirements": [
            {"key": "a", "operator": "Exists", "values": ["b"]}, {"key": "", "operator": "Bogus"}]}}}),
        sar({"user": "u", "resourceAttributes": {**ra, "fieldSelector": {"rawSelector": "spec.nodeName=n", "requirements": [
            {"key": "spec.nodeName", "operator": "In", "values": ["n"]}]}}}),
        sar({"user": "u", "resourceAttributes": {**ra, "fieldSelector": {"requirements": [
            {"key": "", "operator": "In", "values": []}, {"key": "f", "operator": "Gt", "values": ["1"]}]}}}),
        sar({"groups": ["g"], "uid": "x", "extra": {"k": ["v"]}, "nonResourceAttributes": {"path": "/x", "verb": "get"},
             "resourceAttributes": {"verb": "list", "resource": "secrets", "labelSelector": {"rawSelector": "ü=\u0000"}}}),
    ]
    for c in cases:
        print(json.dumps(c, separators=(",", ":")))


# ---------------------------------------------------------------------------------------------
# SubjectAccessReviews over a snapshot

RESOURCES = {
    # kind: (group, resource, namespaced)
    "Secret": ("", "secrets", True), "ConfigMap": ("", "configmaps", True),
    "PersistentVolumeClaim": ("", "persistentvolumeclaims", True), "PersistentVolume": ("", "persistentvolumes", False),
    "ServiceAccount": ("", "serviceaccounts", True), "Pod": ("", "pods", True), "Node": ("", "nodes", False),
    "Namespace": ("", "namespaces", False),
    "VolumeAttachment": ("storage.k8s.io", "volumeattachments", False), "CSINode": ("storage.k8s.io", "csinodes", False),
    "CSIDriver": ("storage.k8s.io", "csidrivers", False), "Lease": ("coordination.k8s.io", "leases", True),
    "ResourceClaim": ("resource.k8s.io", "resourceclaims", True), "ResourceSlice": ("resource.k8s.io", "resourceslices", False),
    "Role": ("rbac.authorization.k8s.io", "roles", True), "ClusterRole": ("rbac.authorization.k8s.io", "clusterroles", False),
    "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings", True),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io", "clusterrolebindings", False),
}
EXTRA = [("", "events", True), ("", "services", True), ("", "endpoints", True), ("certificates.k8s.io", "certificatesigningrequests", False),
         ("authentication.k8s.io", "tokenreviews", False), ("apps", "deployments", True), ("discovery.k8s.io", "endpointslices", True),
         ("certificates.k8s.io", "podcertificaterequests", True), ("", "*", True), ("*", "*", True)]
VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
SUBRESOURCES = {"pods": ["status", "eviction", "log", "exec", "ephemeralcontainers", "binding"], "nodes": ["status", "proxy"],
                "persistentvolumeclaims": ["status"], "serviceaccounts": ["token"], "resourceclaims": ["status"]}


def cmd_sars(args):
    rnd = random.Random(args.seed)
    snap = json.load(sys.stdin)
    objs = {}
    for o in snap["items"]:
        if o.get("kind") in RESOURCES:
            objs.setdefault(o["kind"], []).append(o)
    nodes = [o["metadata"]["name"] for o in objs.get("Node", [])]
    namespaces = [o["metadata"]["name"] for o in objs.get("Namespace", [])]
    sas = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objs.get("ServiceAccount", [])]
    kinds = [k for k in RESOURCES if objs.get(k)]

    def node_user(n):
        r = rnd.random()
        if r < 0.9:
            return f"system:node:{n}", ["system:nodes", "system:authenticated"]
        if r < 0.95:
            return f"system:node:{n}", ["system:authenticated"]  # not a node without the group
        return "system:node:", ["system:nodes", "system:authenticated"]

    def any_user():
        r = rnd.random()
        if r < 0.55:
            return node_user(rnd.choice(nodes))
        if r < 0.75 and sas:
            ns, sa = rnd.choice(sas)
            return f"system:serviceaccount:{ns}:{sa}", ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
        if r < 0.93:
            return f"user-{rnd.randint(0, 4)}", [f"group-{rnd.randint(0, 3)}", "system:authenticated"]
        if r < 0.96:
            return "system:anonymous", ["system:unauthenticated"]
        return "ops", ["system:masters", "system:authenticated"]

    def sar(user, groups, attrs=None, nonres=None):
        spec = {"user": user, "groups": groups}
        if nonres:
            spec["nonResourceAttributes"] = nonres
        else:
            spec["resourceAttributes"] = attrs
        return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}

    def object_request(user, groups):
        kind = rnd.choice(kinds)
        group, resource, namespaced = RESOURCES[kind]
        o = rnd.choice(objs[kind])
        name = o["metadata"]["name"] if rnd.random() < 0.9 else f"missing-{rnd.randint(0, 9)}"
        ns = o["metadata"].get("namespace", "") if namespaced else ""
        if namespaced and rnd.random() < 0.05:
            ns = rnd.choice(namespaces)
        verb = rnd.choice(VERBS[:3]) if rnd.random() < 0.7 else rnd.choice(VERBS)
        attrs = {"verb": verb, "group": group, "version": "v1", "resource": resource, "namespace": ns}
        if verb in ("get", "update", "patch", "delete") or rnd.random() < 0.3:
            attrs["name"] = name
        if resource in SUBRESOURCES and rnd.random() < 0.25:
            attrs["subresource"] = rnd.choice(SUBRESOURCES[resource])
            if attrs["subresource"] == "token":
                attrs["verb"] = "create"
        if verb in ("list", "watch") and rnd.random() < 0.4:
            field = "spec.nodeName" if resource in ("pods", "resourceslices") else "metadata.name"
            target = rnd.choice(nodes) if field == "spec.nodeName" else name
            attrs["fieldSelector"] = {"rawSelector": f"{field}={target}"} if rnd.random() < 0.7 else \
                {"requirements": [{"key": field, "operator": "In", "values": [target]}]}
        return sar(user, groups, attrs)

    def node_focused(n):
        """What a kubelet asks: its pods' objects, its own node, lease, CSINode and slices."""
        user, groups = f"system:node:{n}", ["system:nodes", "system:authenticated"]
        kind = rnd.choice(["Node", "Lease", "CSINode", "ResourceSlice", "Pod", "Secret", "ConfigMap",
                           "PersistentVolumeClaim", "PersistentVolume", "ServiceAccount", "ResourceClaim", "VolumeAttachment"])
        if not objs.get(kind):
            return object_request(user, groups)
        group, resource, namespaced = RESOURCES[kind]
        o = rnd.choice(objs[kind])
        name = o["metadata"]["name"]
        if kind in ("Node", "Lease", "CSINode") and rnd.random() < 0.6:
            name = n
        ns = o["metadata"].get("namespace", "") if namespaced else ""
        if kind == "Lease":
            ns = "kube-node-lease"
        verb = rnd.choice(["get", "get", "get", "list", "watch", "create", "update", "patch", "delete"])
        attrs = {"verb": verb, "group": group, "version": "v1", "resource": resource, "namespace": ns, "name": name}
        if verb in ("list", "watch", "create") and rnd.random() < 0.5:
            attrs["name"] = ""
        if kind == "ServiceAccount" and rnd.random() < 0.6:
            attrs["verb"], attrs["subresource"] = "create", "token"
        if kind == "Pod" and verb in ("list", "watch"):
            attrs["name"] = ""
            attrs["fieldSelector"] = {"rawSelector": f"spec.nodeName={rnd.choice([n] + nodes)}"}
        if kind == "ResourceSlice" and verb in ("list", "watch", "deletecollection"):
            attrs["fieldSelector"] = {"rawSelector": f"spec.nodeName={rnd.choice([n, n, rnd.choice(nodes)])}"}
        if kind == "Node" and rnd.random() < 0.3:
            attrs["subresource"] = "status"
        return sar(user, groups, attrs)

    out = []
    for _ in range(args.count):
        r = rnd.random()
        if r < 0.45:
            out.append(node_focused(rnd.choice(nodes)))
        elif r < 0.9:
            out.append(object_request(*any_user()))
        elif r < 0.95:
            group, resource, namespaced = rnd.choice(EXTRA)
            user, groups = any_user()
            out.append(sar(user, groups, {"verb": rnd.choice(VERBS), "group": group, "version": "v1", "resource": resource,
                                          "namespace": rnd.choice(namespaces) if namespaced else ""}))
        else:
            user, groups = any_user()
            out.append(sar(user, groups, nonres={"verb": rnd.choice(["get", "post"]),
                                                 "path": rnd.choice(["/healthz", "/version", "/metrics", "/e2e/x", "/api", "/logs/x"])}))
    for s in out:
        print(json.dumps(s, separators=(",", ":")))


# ---------------------------------------------------------------------------------------------
# HTTP


def connect(server, ca, cert=None, key=None, token=None):
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    host, port = server.removeprefix("https://").split(":")
    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return conn, headers


def cmd_post(args):
    """Posts each stdin line (a JSON object) to PATH (or METHOD PATH JSON lines with --lines),
    printing each response body on one line."""
    conn, headers = connect(args.server, args.ca, args.cert, args.key)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        method, path, body = "POST", args.path, line
        if args.lines:
            method, path, body = line.split(" ", 2)
        for attempt in range(5):
            try:
                conn.request(method, path, body=body.encode(), headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                conn, headers = connect(args.server, args.ca, args.cert, args.key)
                if attempt == 4:
                    raise
        if resp.status >= 400 and not args.keep_errors:
            sys.stderr.write(f"{method} {path}: {resp.status}: {data.decode()[:300]}\n")
            sys.exit(1)
        print(json.dumps(json.loads(data), separators=(",", ":")))


ACCEPTABLE = "conformance.kauthz.dev/acceptable-reasons"


def cmd_merge(args):
    """The apiserver's answers, each RBAC allow annotated with every reason upstream could
    have given (from the oracle over the same snapshot): RBAC names the first allowing binding
    it meets, in informer map order, so the apiserver's own choice varies from run to run.
    Fails when an apiserver reason is not among them."""
    bad = 0
    with open(args.apiserver) as a, open(args.oracle) as o:
        for i, (al, ol) in enumerate(zip(a, o), 1):
            api, orc = json.loads(al), json.loads(ol)
            reason = api.get("status", {}).get("reason", "")
            if reason.startswith("RBAC: allowed by "):
                acceptable = json.loads(orc.get("metadata", {}).get("annotations", {}).get(ACCEPTABLE, "[]"))
                if reason not in acceptable:
                    bad += 1
                    if bad <= 5:
                        sys.stderr.write(f"request {i}: apiserver reason {reason!r} not among upstream's {acceptable}\n")
                api.setdefault("metadata", {}).setdefault("annotations", {})[ACCEPTABLE] = json.dumps(acceptable)
            print(json.dumps(api, separators=(",", ":")))
    if bad:
        sys.stderr.write(f"merge: {bad} apiserver reasons outside upstream's acceptable set\n")
        sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("example")
    e.add_argument("files", nargs="+")
    o = sub.add_parser("objects")
    o.add_argument("--seed", type=int, default=1)
    o.add_argument("--namespaces", type=int, default=6)
    o.add_argument("--pods", type=int, default=12)
    o.add_argument("nodes", nargs="+")
    ep = sub.add_parser("ephemeral")
    ep.add_argument("--seed", type=int, default=1)
    sub.add_parser("invalid")
    cl = sub.add_parser("claims")
    cl.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("sars")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--count", type=int, default=12000)
    po = sub.add_parser("post")
    po.add_argument("--server", required=True)
    po.add_argument("--ca", required=True)
    po.add_argument("--cert")
    po.add_argument("--key")
    po.add_argument("--path", default="/apis/authorization.k8s.io/v1/subjectaccessreviews")
    po.add_argument("--lines", action="store_true", help="stdin lines are METHOD PATH JSON")
    po.add_argument("--keep-errors", action="store_true", help="print error Status bodies instead of stopping")
    m = sub.add_parser("merge")
    m.add_argument("--apiserver", required=True)
    m.add_argument("--oracle", required=True)
    a = p.parse_args()
    {"example": cmd_example, "objects": cmd_objects, "ephemeral": cmd_ephemeral, "claims": cmd_claims, "invalid": cmd_invalid, "sars": cmd_sars, "post": cmd_post, "merge": cmd_merge}[a.cmd](a)


if __name__ == "__main__":
    main()
