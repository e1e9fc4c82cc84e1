//! Each finding, positive and negative, and the profiles.

use super::*;
use crate::snapshot;

const BASE: &str = r#"{"apiVersion":"v1","kind":"List","items":[
  {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},
  {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"agent","namespace":"kube-system"}},
  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"agent-n1","namespace":"kube-system"},"spec":{"nodeName":"n1","serviceAccountName":"agent"}}"#;

fn state(extra: &str) -> ClusterState {
    let text = format!("{BASE}{extra}]}}");
    ClusterState::from_objects(snapshot::parse_text("t.json", &text).unwrap().objects)
}

fn run(
    chain: &Chain,
    s: &ClusterState,
    admission: &AdmissionFlags,
    kubelet: Option<&KubeletConfig>,
    profile: Option<Profile>,
) -> Vec<Finding> {
    audit(&AuditInput { chain, state: s, admission, kubelet, profile, depth: 3 })
}

fn ids(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|f| f.rule.id).collect()
}

fn enabled() -> AdmissionFlags {
    AdmissionFlags { enabled: Some(vec!["NodeRestriction".into()]), disabled: vec![] }
}

const SECRET_READER: &str = r#",
  {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:node"},
   "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list","watch"]}]},
  {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"system:aks-client-nodes"},
   "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:node"},
   "subjects":[{"kind":"Group","name":"system:nodes"}]}"#;

#[test]
fn clean_cluster_has_no_findings() {
    let s = state("");
    assert!(run(&Chain::default(), &s, &enabled(), Some(&KubeletConfig::default()), None).is_empty());
}

#[test]
fn chain_findings() {
    let s = state("");
    let no_node = Chain::from_modes("RBAC", None).unwrap();
    assert_eq!(ids(&run(&no_node, &s, &enabled(), None, None)), ["KA-N001"]);
    let allow_first = Chain::from_modes("AlwaysAllow,Node,RBAC", None).unwrap();
    assert_eq!(ids(&run(&allow_first, &s, &enabled(), None, None)), ["KA-N002"]);
    let rbac_first = Chain::from_modes("RBAC,Node", None).unwrap();
    assert!(run(&rbac_first, &s, &enabled(), None, None).is_empty(), "RBAC first is harmless when it grants nodes nothing broad");
    let s2 = state(SECRET_READER);
    let f = run(&rbac_first, &s2, &enabled(), None, Some(Profile::Openshift));
    let shadow = f.iter().find(|f| f.rule.id == "KA-N002").expect("RBAC before Node allowing secrets");
    assert!(shadow.by_design.as_deref().is_some_and(|d| d.contains("OpenShift")));
}

#[test]
fn admission_findings() {
    let s = state("");
    let c = Chain::default();
    assert_eq!(ids(&run(&c, &s, &AdmissionFlags::default(), None, None)), ["KA-N004"]);
    let off = AdmissionFlags { enabled: Some(vec!["NodeRestriction".into()]), disabled: vec!["NodeRestriction".into()] };
    assert_eq!(ids(&run(&c, &s, &off, None, None)), ["KA-N003"]);
    let missing = AdmissionFlags { enabled: Some(vec!["PodSecurity".into()]), disabled: vec![] };
    assert_eq!(ids(&run(&c, &s, &missing, None, None)), ["KA-N003"]);
}

#[test]
fn rbac_grants_to_nodes_and_profiles() {
    let s = state(SECRET_READER);
    let c = Chain::default();
    let f = run(&c, &s, &enabled(), None, None);
    let grant = f.iter().find(|f| f.rule.id == "KA-R010").expect("AKS-like grant found");
    assert_eq!(grant.severity, Severity::Critical);
    assert!(grant.message.contains("system:aks-client-nodes"), "{}", grant.message);
    assert!(grant.by_design.is_none());
    let aks = run(&c, &s, &enabled(), None, Some(Profile::Aks));
    assert!(aks.iter().find(|f| f.rule.id == "KA-R010").unwrap().by_design.as_deref().unwrap().contains("AKS#3004"));
    // kubeadm does not create that binding: no by-design mark.
    let kubeadm = run(&c, &s, &enabled(), None, Some(Profile::Kubeadm));
    assert!(kubeadm.iter().find(|f| f.rule.id == "KA-R010").unwrap().by_design.is_none());
    // A grant inside the Node authorizer's own rules is no finding.
    let within = state(
        r#",
      {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"events"},
       "rules":[{"apiGroups":[""],"resources":["events"],"verbs":["create","patch"]}]},
      {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"events"},
       "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"events"},
       "subjects":[{"kind":"Group","name":"system:nodes"}]}"#,
    );
    assert!(!ids(&run(&c, &within, &enabled(), None, None)).contains(&"KA-R010"));
}

#[test]
fn node_proxy_to_broad_groups() {
    let s = state(
        r#",
      {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"proxy"},
       "rules":[{"apiGroups":[""],"resources":["nodes/proxy","nodes/stats"],"verbs":["get"]}]},
      {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"proxy"},
       "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"proxy"},
       "subjects":[{"kind":"Group","name":"system:authenticated"},{"kind":"User","name":"prometheus"}]}"#,
    );
    let f = run(&Chain::default(), &s, &enabled(), None, None);
    let p = f.iter().find(|f| f.rule.id == "KA-R011").expect("found");
    assert!(p.message.contains("nodes/{proxy,stats}"), "{}", p.message);
    assert_eq!(f.iter().filter(|f| f.rule.id == "KA-R011").count(), 1, "the named user is not a broad group");
}

#[test]
fn escalating_service_account() {
    let s = state(
        r#",
      {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"reader"},
       "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["list"]}]},
      {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"agent"},
       "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"reader"},
       "subjects":[{"kind":"ServiceAccount","name":"agent","namespace":"kube-system"}]}"#,
    );
    let f = run(&Chain::default(), &s, &enabled(), None, None);
    let e = f.iter().find(|f| f.rule.id == "KA-B020").expect("found");
    assert!(e.message.starts_with("serviceaccount kube-system/agent runs on 1 node(s): n1"), "{}", e.message);
    assert!(e.evidence[0].contains("secrets-cluster-wide"), "{:?}", e.evidence);
}

#[test]
fn kubelet_settings() {
    let s = state("");
    let c = Chain::default();
    let k: KubeletConfig = serde_json::from_str(
        r#"{"authentication":{"anonymous":{"enabled":true}},"authorization":{"mode":"AlwaysAllow"},"readOnlyPort":10255}"#,
    )
    .unwrap();
    assert_eq!(ids(&run(&c, &s, &enabled(), Some(&k), None)), ["KA-K041", "KA-K040", "KA-K042"]);
    let safe: KubeletConfig = serde_json::from_str(r#"{"authorization":{"mode":"Webhook"},"readOnlyPort":0}"#).unwrap();
    assert!(run(&c, &s, &enabled(), Some(&safe), None).is_empty());
}

#[test]
fn rule_ids_are_unique() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
}

#[test]
fn stale_destination_index_grant() {
    use crate::model::{Kind, ObjectKey};
    // 200 pods on n2 referencing secret s give it a destination index; a pod on n3 that
    // mounts s twice is counted twice, and deleting it leaves one stale count (upstream's
    // over-count), which still grants n3 the secret.
    let mut pods = String::new();
    for i in 0..200 {
        pods.push_str(&format!(
            r#",{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p{i}","namespace":"ns"}},"spec":{{"nodeName":"n2","volumes":[{{"name":"v","secret":{{"secretName":"s"}}}}]}}}}"#
        ));
    }
    let extra = format!(
        r#"{pods},
      {{"apiVersion":"v1","kind":"Node","metadata":{{"name":"n2"}}}},
      {{"apiVersion":"v1","kind":"Node","metadata":{{"name":"n3"}}}},
      {{"apiVersion":"storage.k8s.io/v1","kind":"VolumeAttachment","metadata":{{"name":"va"}},"spec":{{"attacher":"d","nodeName":"n3","source":{{}}}}}},
      {{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"dup","namespace":"ns"}},
       "spec":{{"nodeName":"n3","volumes":[{{"name":"a","secret":{{"secretName":"s"}}}},{{"name":"b","secret":{{"secretName":"s"}}}}]}}}}"#
    );
    let mut s = state(&extra);
    let c = Chain::default();
    assert!(!ids(&run(&c, &s, &enabled(), None, None)).contains(&"KA-G030"), "a real reference is no finding");
    s.delete(&ObjectKey { kind: Kind::Pod, namespace: "ns".into(), name: "dup".into() });
    let f = run(&c, &s, &enabled(), None, None);
    let stale = f.iter().find(|f| f.rule.id == "KA-G030").expect("stale grant found");
    assert_eq!(stale.message, "node n3 reads secrets ns/s with no pod referencing it");
    assert_eq!(stale.evidence, ["graph: node n3 <- secret ns/s"]);
}

#[test]
fn abac_and_webhook_before_node() {
    let s = state("");
    let policy = r#"{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"group":"system:nodes","namespace":"*","resource":"*","apiGroup":"*"}}"#;
    let abac_first = Chain::from_modes("ABAC,Node,RBAC", Some(("p.jsonl", policy))).unwrap();
    let f = run(&abac_first, &s, &enabled(), None, None);
    assert_eq!(ids(&f), ["KA-N002"]);
    assert!(f[0].message.contains("policy line 1"), "{}", f[0].message);
    let readonly = policy.replace(r#""apiGroup":"*""#, r#""apiGroup":"*","readonly":true"#);
    let ro_first = Chain::from_modes("ABAC,Node,RBAC", Some(("p.jsonl", &readonly))).unwrap();
    assert!(run(&ro_first, &s, &enabled(), None, None).is_empty());
}

#[test]
fn every_profile_parses_and_marks_only_its_own_bindings() {
    for (name, p) in Profile::ALL {
        assert_eq!(Profile::parse(name), Some(p));
        for (binding, source) in p.node_bindings() {
            assert!(!binding.is_empty() && !source.is_empty(), "{name}: a by-design binding names its source");
            // A binding of that name granting nodes cluster-wide secret reads is marked for
            // this profile and no other.
            let extra = format!(
                r#",
              {{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{{"name":"r"}},
               "rules":[{{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}]}},
              {{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{{"name":"{binding}"}},
               "roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"}},
               "subjects":[{{"kind":"Group","name":"system:nodes"}}]}}"#
            );
            let s = state(&extra);
            for (other, q) in Profile::ALL {
                let f = run(&Chain::default(), &s, &enabled(), None, Some(q));
                let marked = f.iter().find(|f| f.rule.id == "KA-R010").expect("finding").by_design.is_some();
                let expected = q.node_bindings().iter().any(|(b, _)| b == binding);
                assert_eq!(marked, expected, "binding {binding} under profile {other}");
            }
        }
    }
    assert_eq!(Profile::parse("minikube"), None);
}
