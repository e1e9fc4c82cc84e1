//! Blast radius: everything a stolen kubelet credential reaches, as the configured chain
//! decides, and whether it leads to cluster-wide power.
//!
//! A node reads what the Node authorizer's graph relates to it (and whatever RBAC grants
//! its user and groups), writes what NodeRestriction lets through, and can mint tokens for
//! the service accounts of the pods it runs. Each such service account is an identity of
//! its own: what it may do (asked of the same chain) can open further hops — creating pods
//! or tokens in a namespace yields that namespace's service accounts, reading a legacy
//! token secret yields its account. The search is breadth-first to a fixed depth, so the
//! path it reports to a [`Power`] is a shortest one, and visited identities are not
//! revisited (cycles end there).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::authz::{Attributes, Decision, UserInfo};
use crate::chain::Chain;
use crate::model::{Kind, Object};
use crate::node::{self, GraphGrant, GraphPath, VertexType};
use crate::state::ClusterState;

/// A permission that amounts to cluster-wide power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Power {
    /// Stable id, e.g. `secrets-cluster-wide`.
    pub id: &'static str,
    /// What it means.
    pub description: &'static str,
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    subresource: &'static str,
    namespace: &'static str,
}

/// The powers probed, strongest first.
pub const POWERS: [Power; 9] = [
    Power {
        id: "cluster-admin",
        description: "any verb on any resource in every namespace",
        verb: "*",
        group: "*",
        resource: "*",
        subresource: "",
        namespace: "",
    },
    Power {
        id: "impersonate",
        description: "impersonate any user",
        verb: "impersonate",
        group: "",
        resource: "users",
        subresource: "",
        namespace: "",
    },
    Power {
        id: "escalate-clusterroles",
        description: "grant itself any permission (escalate cluster roles)",
        verb: "escalate",
        group: "rbac.authorization.k8s.io",
        resource: "clusterroles",
        subresource: "",
        namespace: "",
    },
    Power {
        id: "bind-clusterroles",
        description: "bind any cluster role",
        verb: "bind",
        group: "rbac.authorization.k8s.io",
        resource: "clusterroles",
        subresource: "",
        namespace: "",
    },
    Power {
        id: "secrets-cluster-wide",
        description: "read secrets in every namespace",
        verb: "list",
        group: "",
        resource: "secrets",
        subresource: "",
        namespace: "",
    },
    Power {
        id: "nodes-proxy",
        description: "reach every kubelet's API (nodes/proxy)",
        verb: "get",
        group: "",
        resource: "nodes",
        subresource: "proxy",
        namespace: "",
    },
    Power {
        id: "create-pods-kube-system",
        description: "run pods in kube-system (its service accounts, host access)",
        verb: "create",
        group: "",
        resource: "pods",
        subresource: "",
        namespace: "kube-system",
    },
    Power {
        id: "tokens-cluster-wide",
        description: "mint tokens for any service account",
        verb: "create",
        group: "",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "",
    },
    Power {
        id: "pods-cluster-wide",
        description: "create pods in every namespace",
        verb: "create",
        group: "",
        resource: "pods",
        subresource: "",
        namespace: "",
    },
];

/// An identity reached on the way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Identity {
    /// The kubelet of a node.
    Node(String),
    /// A service account `(namespace, name)`.
    ServiceAccount(String, String),
}

impl Identity {
    /// The user kube-apiserver authenticates for it.
    pub fn user(&self) -> UserInfo {
        match self {
            Identity::Node(n) => UserInfo::new(format!("{}{n}", node::NODE_USER_PREFIX), [node::NODES_GROUP, "system:authenticated"]),
            Identity::ServiceAccount(ns, name) => UserInfo::new(
                format!("system:serviceaccount:{ns}:{name}"),
                ["system:serviceaccounts".to_string(), format!("system:serviceaccounts:{ns}"), "system:authenticated".to_string()],
            ),
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Node(n) => write!(f, "node {n}"),
            Identity::ServiceAccount(ns, n) => write!(f, "serviceaccount {ns}/{n}"),
        }
    }
}

/// One step from an identity to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// Where the step starts.
    pub from: Identity,
    /// The identity gained.
    pub to: Identity,
    /// How (e.g. `mints a token: pod apps/web-1 runs as it`).
    pub how: String,
}

/// A shortest path to cluster-wide power.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    /// The hops, from the node (empty when the node itself holds the power).
    pub hops: Vec<Hop>,
    /// The identity holding the power.
    pub holder: Identity,
    /// The power.
    pub power: Power,
    /// The chain's reason for allowing it.
    pub reason: String,
}

/// A service account whose token the node can mint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The pods on the node that run as it.
    pub pods: Vec<String>,
    /// Powers the account itself holds.
    pub powers: Vec<&'static str>,
}

/// Contained or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// The credential reaches only what the node's own pods need.
    Contained,
    /// A path leads to cluster-wide power.
    Escalates,
}

/// What one node's credentials reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlastRadius {
    /// The node.
    pub node: String,
    /// Objects read through the graph, in graph order ([`Analyzer::read_path`] explains
    /// each).
    pub reads: Vec<GraphGrant>,
    /// What the node may write cluster-wide and through the Node authorizer's handlers,
    /// with the source of each rule and, where NodeRestriction narrows it, what it lets
    /// through.
    pub writes: Vec<crate::analysis::list::SourcedRule>,
    /// Powers the node's own user holds (RBAC grants to nodes widen these).
    pub node_powers: Vec<(&'static str, String)>,
    /// Service accounts whose tokens it can mint.
    pub tokens: Vec<Token>,
    /// Identities reached within the depth, beyond the node.
    pub reached: usize,
    /// A shortest path to cluster-wide power, if one exists within the depth.
    pub escalation: Option<Escalation>,
    /// The verdict.
    pub verdict: Verdict,
}

/// The analysis over one state: caches what each identity may do, so ranking every node
/// asks the chain about each service account once.
pub struct Analyzer<'a> {
    chain: &'a Chain,
    state: &'a ClusterState,
    depth: usize,
    node_restriction: bool,
    with_writes: bool,
    grants: node::GrantScanner<'a>,
    pods_by_node: HashMap<&'a str, Vec<&'a crate::model::Pod>>,
    accounts_by_namespace: BTreeMap<&'a str, Vec<&'a str>>,
    token_secrets: BTreeMap<(&'a str, &'a str), &'a str>,
    powers: std::cell::RefCell<HashMap<Identity, Vec<(Power, String)>>>,
    hops: std::cell::RefCell<HashMap<Identity, Vec<Hop>>>,
}

const SA_NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";

impl<'a> Analyzer<'a> {
    /// An analyzer following at most `depth` hops, with the NodeRestriction admission
    /// plugin enabled (kube-apiserver's usual configuration).
    pub fn new(chain: &'a Chain, state: &'a ClusterState, depth: usize) -> Self {
        Analyzer::with_admission(chain, state, depth, true)
    }

    /// Like [`Analyzer::new`]; `node_restriction` says whether NodeRestriction is enabled
    /// (without it, a kubelet's pod creation is a real power: any pod, any account).
    pub fn with_admission(chain: &'a Chain, state: &'a ClusterState, depth: usize, node_restriction: bool) -> Self {
        let mut pods_by_node: HashMap<&str, Vec<&crate::model::Pod>> = HashMap::new();
        for o in state.store().list(Kind::Pod) {
            if let Object::Pod(p) = o
                && !p.spec.node_name.is_empty()
            {
                pods_by_node.entry(p.spec.node_name.as_str()).or_default().push(p);
            }
        }
        let mut accounts_by_namespace: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for o in state.store().list(Kind::ServiceAccount) {
            accounts_by_namespace.entry(o.meta().namespace.as_str()).or_default().push(o.meta().name.as_str());
        }
        let mut token_secrets = BTreeMap::new();
        for o in state.store().list(Kind::Secret) {
            if let Object::Secret(s) = o
                && s.type_ == "kubernetes.io/service-account-token"
                && let Some(sa) = s.metadata.annotations.get(SA_NAME_ANNOTATION)
            {
                token_secrets.insert((s.metadata.namespace.as_str(), s.metadata.name.as_str()), sa);
            }
        }
        Analyzer {
            chain,
            state,
            depth,
            node_restriction,
            with_writes: true,
            grants: node::GrantScanner::new(state.graph()),
            pods_by_node,
            accounts_by_namespace,
            token_secrets,
            powers: Default::default(),
            hops: Default::default(),
        }
    }

    /// The chain's reason when it allows `verb` on `(group, resource, subresource)`.
    fn allows(&self, user: &UserInfo, verb: &str, (group, resource, sub): (&str, &str, &str), ns: &str, name: &str) -> Option<String> {
        let a = Attributes::resource(user.clone(), verb, resource, ns, name).with_group(group).with_subresource(sub);
        let r = self.chain.decide(self.state, &a);
        r.verdict.filter(|v| v.decision == Decision::Allow).map(|v| v.reason)
    }

    /// Skips the write rules (a rules review per node): for rankings that only count.
    pub fn without_writes(mut self) -> Self {
        self.with_writes = false;
        self
    }

    /// The powers `id` holds, with the chain's reasons.
    pub fn powers(&self, id: &Identity) -> Vec<(Power, String)> {
        if let Some(p) = self.powers.borrow().get(id) {
            return p.clone();
        }
        let user = id.user();
        // NodeRestriction lets a kubelet create only mirror pods, which may use no account or
        // secret: for a node, pod creation is then no power.
        let admitted = |p: &Power| !(self.node_restriction && matches!(id, Identity::Node(_)) && p.resource == "pods");
        let found: Vec<(Power, String)> = POWERS
            .iter()
            .filter(|p| admitted(p))
            .filter_map(|p| self.allows(&user, p.verb, (p.group, p.resource, p.subresource), p.namespace, "").map(|r| (*p, r)))
            .collect();
        self.powers.borrow_mut().insert(id.clone(), found.clone());
        found
    }

    /// The identities `id` can become in one step, with how (cached): the steps the blast
    /// radius explores breadth-first, for reports that draw the whole reach.
    pub fn hops(&self, id: &Identity) -> Vec<Hop> {
        self.next(id)
    }

    /// The identities `id` can become in one step.
    fn next(&self, id: &Identity) -> Vec<Hop> {
        if let Some(h) = self.hops.borrow().get(id) {
            return h.clone();
        }
        let user = id.user();
        let mut out: Vec<Hop> = Vec::new();
        let mut push = |to: Identity, how: String| {
            if !out.iter().any(|h| h.to == to) {
                out.push(Hop { from: id.clone(), to, how });
            }
        };
        match id {
            Identity::Node(n) => {
                for pod in self.pods_by_node.get(n.as_str()).into_iter().flatten() {
                    let (ns, sa) = (pod.metadata.namespace.as_str(), pod.spec.service_account_name.as_str());
                    if !sa.is_empty() && self.allows(&user, "create", ("", "serviceaccounts", "token"), ns, sa).is_some() {
                        push(
                            Identity::ServiceAccount(ns.into(), sa.into()),
                            format!("mints a token: pod {ns}/{} runs as it", pod.metadata.name),
                        );
                    }
                }
            }
            Identity::ServiceAccount(..) => {
                for (&ns, accounts) in &self.accounts_by_namespace {
                    let via = if self.allows(&user, "create", ("", "pods", ""), ns, "").is_some() {
                        Some(format!("creates pods in {ns}, which may run as it"))
                    } else if self.allows(&user, "create", ("", "serviceaccounts", "token"), ns, "").is_some() {
                        Some(format!("mints tokens in {ns}"))
                    } else {
                        None
                    };
                    if let Some(via) = via {
                        for &sa in accounts {
                            push(Identity::ServiceAccount(ns.into(), sa.into()), via.clone());
                        }
                    }
                }
            }
        }
        // Legacy token secrets it can read hand over their accounts.
        for (&(ns, secret), &sa) in &self.token_secrets {
            if self.allows(&user, "get", ("", "secrets", ""), ns, secret).is_some() {
                push(Identity::ServiceAccount(ns.into(), sa.into()), format!("reads token secret {ns}/{secret}"));
            }
        }
        out.retain(|h| &h.to != id);
        self.hops.borrow_mut().insert(id.clone(), out.clone());
        out
    }

    /// The blast radius of `node`.
    pub fn node(&self, node_name: &str) -> BlastRadius {
        let start = Identity::Node(node_name.to_string());
        let mut reads = self.grants.grants_unsorted(self.chain.node.config(), node_name);
        reads.retain(|g| g.verbs.iter().any(|v| matches!(*v, "get" | "list" | "watch")));
        let node_powers: Vec<(&'static str, String)> = self.powers(&start).into_iter().map(|(p, r)| (p.id, r)).collect();
        let writes = if self.with_writes {
            let rules =
                crate::analysis::list::rules_for(self.chain, self.state, &start.user(), "", crate::analysis::list::NodeRules::Resolve);
            rules
                .resource_rules
                .into_iter()
                .filter(|r| r.rule.verbs.iter().any(|v| !matches!(v.as_str(), "get" | "list" | "watch")))
                .collect()
        } else {
            Vec::new()
        };

        // Breadth-first over identities: the first power met is on a shortest path.
        let mut escalation = node_powers.first().map(|(id, reason)| Escalation {
            hops: Vec::new(),
            holder: start.clone(),
            power: *POWERS.iter().find(|p| p.id == *id).expect("probed power"),
            reason: reason.clone(),
        });
        let mut parent: HashMap<Identity, Hop> = HashMap::new();
        let mut seen: BTreeSet<Identity> = BTreeSet::from([start.clone()]);
        let mut queue: VecDeque<(Identity, usize)> = VecDeque::from([(start.clone(), 0)]);
        let mut tokens: Vec<Token> = Vec::new();
        while let Some((id, d)) = queue.pop_front() {
            if d >= self.depth {
                continue;
            }
            for hop in self.next(&id) {
                if d == 0
                    && let Identity::ServiceAccount(ns, name) = &hop.to
                    && hop.how.starts_with("mints a token")
                {
                    let pods = self
                        .pods_by_node
                        .get(node_name)
                        .into_iter()
                        .flatten()
                        .filter(|p| p.metadata.namespace == *ns && p.spec.service_account_name == *name);
                    tokens.push(Token {
                        namespace: ns.clone(),
                        name: name.clone(),
                        pods: pods.map(|p| format!("{}/{}", p.metadata.namespace, p.metadata.name)).collect(),
                        powers: self.powers(&hop.to).iter().map(|(p, _)| p.id).collect(),
                    });
                }
                if !seen.insert(hop.to.clone()) {
                    continue;
                }
                parent.insert(hop.to.clone(), hop.clone());
                if escalation.is_none()
                    && let Some((power, reason)) = self.powers(&hop.to).into_iter().next()
                {
                    let mut hops = vec![hop.clone()];
                    let mut at = hop.from.clone();
                    while let Some(h) = parent.get(&at) {
                        hops.push(h.clone());
                        at = h.from.clone();
                    }
                    hops.reverse();
                    escalation = Some(Escalation { hops, holder: hop.to.clone(), power, reason });
                }
                queue.push_back((hop.to, d + 1));
            }
        }
        tokens.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        let verdict = if escalation.is_some() { Verdict::Escalates } else { Verdict::Contained };
        BlastRadius { node: node_name.to_string(), reads, writes, node_powers, tokens, reached: seen.len() - 1, escalation, verdict }
    }

    /// The graph path by which `node_name` reads `grant` (`node … <- pod … <- secret …`).
    pub fn read_path(&self, node_name: &str, grant: &GraphGrant) -> String {
        VertexType::for_resource(grant.api_group, grant.resource)
            .map(|vt| GraphPath::find(self.state.graph(), node_name, vt, &grant.namespace, &grant.name).hops.join(" <- "))
            .unwrap_or_default()
    }

    /// Every node of the snapshot, escalating nodes first, then by reach.
    pub fn all_nodes(&self) -> Vec<BlastRadius> {
        let mut out: Vec<BlastRadius> = self.state.store().list(Kind::Node).map(|n| self.node(&n.meta().name)).collect();
        out.sort_by(|a, b| {
            b.verdict
                .cmp(&a.verdict)
                .then(a.escalation.as_ref().map(|e| e.hops.len()).cmp(&b.escalation.as_ref().map(|e| e.hops.len())))
                .then((b.reads.len() + b.tokens.len()).cmp(&(a.reads.len() + a.tokens.len())))
                .then(a.node.cmp(&b.node))
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot;

    fn state(extra: &str) -> ClusterState {
        let base = r#"{"apiVersion":"v1","kind":"List","items":[
          {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},
          {"apiVersion":"v1","kind":"Node","metadata":{"name":"n2"}},
          {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"web","namespace":"app"}},
          {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"ds","namespace":"kube-system"}},
          {"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"admin","namespace":"kube-system"}},
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"app"},
           "spec":{"nodeName":"n1","serviceAccountName":"web","volumes":[{"name":"s","secret":{"secretName":"db"}}]}},
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"ds-n1","namespace":"kube-system"},"spec":{"nodeName":"n1","serviceAccountName":"ds"}},
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"ds-n2","namespace":"kube-system"},"spec":{"nodeName":"n2","serviceAccountName":"ds"}},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"admin-all"},
           "rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"admin"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"admin-all"},
           "subjects":[{"kind":"ServiceAccount","name":"admin","namespace":"kube-system"}]}"#;
        let text = format!("{base}{extra}]}}");
        ClusterState::from_objects(snapshot::parse_text("t.json", &text).unwrap().objects)
    }

    #[test]
    fn contained_node_reads_what_its_pods_need() {
        let s = state("");
        let chain = Chain::default();
        let b = Analyzer::new(&chain, &s, 3).node("n1");
        assert_eq!(b.verdict, Verdict::Contained);
        let db = b.reads.iter().find(|r| r.resource == "secrets" && r.name == "db").expect("reads the secret");
        assert_eq!(Analyzer::new(&chain, &s, 3).read_path("n1", db), "node n1 <- pod app/web-1 <- secret app/db");
        let tokens: Vec<String> = b.tokens.iter().map(|t| format!("{}/{}", t.namespace, t.name)).collect();
        assert!(
            b.writes.iter().any(|w| w.rule.resources == ["pods"] && w.source.contains("NodeRestriction: create mirror pods")),
            "{:?}",
            b.writes
        );
        assert_eq!(tokens, ["app/web", "kube-system/ds"]);
    }

    #[test]
    fn daemonset_account_that_creates_pods_escalates_every_node() {
        // The DaemonSet's account may create pods in kube-system: every node running it
        // reaches kube-system/admin in two hops.
        let extra = r#",
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"pods","namespace":"kube-system"},
           "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["create"]}]},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"ds-pods","namespace":"kube-system"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pods"},
           "subjects":[{"kind":"ServiceAccount","name":"ds","namespace":"kube-system"}]}"#;
        let s = state(extra);
        let chain = Chain::default();
        let all = Analyzer::new(&chain, &s, 3).all_nodes();
        assert_eq!(all.len(), 2);
        for b in &all {
            let e = b.escalation.as_ref().unwrap_or_else(|| panic!("{} must escalate", b.node));
            assert_eq!(e.power.id, "create-pods-kube-system");
            assert_eq!(e.holder, Identity::ServiceAccount("kube-system".into(), "ds".into()));
            assert_eq!(e.hops.len(), 1);
        }
    }

    #[test]
    fn rbac_grant_to_nodes_escalates_directly_and_depth_limits_paths() {
        let extra = r#",
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"secret-reader"},
           "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]}]},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"aks-like"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"secret-reader"},
           "subjects":[{"kind":"Group","name":"system:nodes"}]},
          {"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token",
           "metadata":{"name":"admin-token","namespace":"kube-system","annotations":{"kubernetes.io/service-account.name":"admin"}}}"#;
        let s = state(extra);
        let chain = Chain::default();
        let b = Analyzer::new(&chain, &s, 3).node("n2");
        let e = b.escalation.expect("escalates");
        assert_eq!((e.power.id, e.hops.len()), ("secrets-cluster-wide", 0));
        assert!(e.reason.contains("aks-like"), "{}", e.reason);
        // The token secret hop to the admin account is found too (cycle-free, depth 1).
        let a = Analyzer::new(&chain, &s, 1);
        assert!(
            a.next(&Identity::Node("n2".into())).iter().any(|h| h.to == Identity::ServiceAccount("kube-system".into(), "admin".into()))
        );
        assert!(Analyzer::new(&chain, &s, 0).node("n2").tokens.is_empty());
    }

    #[test]
    fn cycles_end() {
        // Two accounts that can create pods in each other's namespace.
        let extra = r#",
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"pods"},
           "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["create"]}]},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"a","namespace":"kube-system"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"pods"},
           "subjects":[{"kind":"ServiceAccount","name":"web","namespace":"app"}]},
          {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"b","namespace":"app"},
           "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"pods"},
           "subjects":[{"kind":"ServiceAccount","name":"ds","namespace":"kube-system"}]}"#;
        let s = state(extra);
        let chain = Chain::default();
        let b = Analyzer::new(&chain, &s, 10).node("n1");
        assert_eq!(b.verdict, Verdict::Escalates);
        assert!(b.reached <= 3);
    }
}
