//! Replaying kube-apiserver audit events (`audit.k8s.io/v1` Event, JSON lines as the log
//! backend writes them): every recorded request of a node identity is decided again with
//! the snapshot's chain and with strict mode, so an operator sees what strict mode would
//! deny before switching it on.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::authz::{Attributes, Decision, Selector, UserInfo};
use crate::chain::Chain;
use crate::enforce::{Enforcer, Mode};
use crate::node::node_identity;
use crate::selector::{parse_field_selector, parse_label_selector};
use crate::state::ClusterState;

/// The parts of an audit Event replay reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AuditEvent {
    /// `audit.k8s.io/v1`.
    pub api_version: String,
    /// `Event`.
    pub kind: String,
    /// Request id (an event is logged per stage).
    #[serde(rename = "auditID")]
    pub audit_id: String,
    /// `RequestReceived`, `ResponseStarted`, `ResponseComplete`, `Panic`.
    pub stage: String,
    /// The verb.
    pub verb: String,
    /// The request URI (query holds selectors).
    #[serde(rename = "requestURI")]
    pub request_uri: String,
    /// Who.
    pub user: AuditUser,
    /// What.
    pub object_ref: Option<ObjectReference>,
}

/// `user`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditUser {
    /// Name.
    pub username: String,
    /// Uid.
    pub uid: String,
    /// Groups.
    pub groups: Vec<String>,
    /// Extra.
    pub extra: BTreeMap<String, Vec<String>>,
}

/// `objectRef`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectReference {
    /// Resource.
    pub resource: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// API group.
    pub api_group: String,
    /// API version.
    pub api_version: String,
    /// Subresource.
    pub subresource: String,
}

/// Decodes a URL query value (`%XX` escapes, `+` for space); malformed escapes stay as
/// written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(uri: &str, key: &str) -> Option<String> {
    let query = uri.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then(|| percent_decode(v))
    })
}

impl AuditEvent {
    /// The authorization request the apiserver evaluated for this event.
    pub fn attributes(&self) -> Attributes {
        let user = UserInfo {
            name: self.user.username.clone(),
            uid: self.user.uid.clone(),
            groups: self.user.groups.clone(),
            extra: self.user.extra.clone(),
        };
        match &self.object_ref {
            Some(o) if !o.resource.is_empty() => {
                let mut a = Attributes::resource(user, &self.verb, &o.resource, &o.namespace, &o.name);
                a.api_group = o.api_group.clone();
                a.api_version = if o.api_version.is_empty() { "*".into() } else { o.api_version.clone() };
                a.subresource = o.subresource.clone();
                if let Some(fs) = query_param(&self.request_uri, "fieldSelector") {
                    a.field_selector = match parse_field_selector(&fs) {
                        Ok(r) => Selector { requirements: r, error: None },
                        Err(e) => Selector { requirements: Vec::new(), error: Some(e.message) },
                    };
                }
                if let Some(ls) = query_param(&self.request_uri, "labelSelector") {
                    a.label_selector = match parse_label_selector(&ls) {
                        Ok(r) => Selector { requirements: r, error: None },
                        Err(e) => Selector { requirements: Vec::new(), error: Some(e.message) },
                    };
                }
                a
            }
            _ => {
                let path = self.request_uri.split('?').next().unwrap_or("").to_string();
                Attributes::non_resource(user, &self.verb, &path)
            }
        }
    }
}

/// What strict mode would have denied, for one (node, verb, resource) group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WouldDeny {
    /// The node.
    pub node: String,
    /// The verb.
    pub verb: String,
    /// `resource[/subresource][.group]` or the path.
    pub resource: String,
    /// How many requests.
    pub count: usize,
    /// One example: namespace/name and strict mode's reason.
    pub example: String,
    /// How the configured chain decided them (`allow` when RBAC granted what strict denies).
    pub chain_decision: String,
}

/// The replay's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// Events read.
    pub events: usize,
    /// Node requests decided again (one per request).
    pub node_requests: usize,
    /// Grouped would-be denials, most frequent first.
    pub would_deny: Vec<WouldDeny>,
}

/// Replays `events`: node requests only, each request once (its `ResponseComplete` event,
/// or the first event of an id logged without one).
pub fn replay<'a>(chain: &Chain, state: &ClusterState, events: impl IntoIterator<Item = &'a AuditEvent>) -> Replay {
    let strict = Enforcer::new(Mode::Audit);
    let mut out = Replay::default();
    let mut seen = std::collections::HashSet::new();
    let mut groups: BTreeMap<(String, String, String), WouldDeny> = BTreeMap::new();
    for e in events {
        out.events += 1;
        if !(e.stage.is_empty() || e.stage == "ResponseComplete") {
            continue;
        }
        if !e.audit_id.is_empty() && !seen.insert(e.audit_id.clone()) {
            continue;
        }
        let attrs = e.attributes();
        let Some(node) = node_identity(&attrs.user) else { continue };
        out.node_requests += 1;
        let answer = strict.authorize(chain, state, &attrs);
        let Some(reason) = answer.would_deny else { continue };
        let chain_decision = match chain.decide(state, &attrs).verdict.map(|v| v.decision) {
            Some(Decision::Allow) => "allow",
            Some(Decision::Deny) => "deny",
            Some(Decision::NoOpinion) => "no opinion",
            None => "undetermined",
        };
        let resource = if attrs.resource_request {
            let mut r = attrs.resource.clone();
            if !attrs.subresource.is_empty() {
                r = format!("{r}/{}", attrs.subresource);
            }
            if !attrs.api_group.is_empty() {
                r = format!("{r}.{}", attrs.api_group);
            }
            r
        } else {
            attrs.path.clone()
        };
        let key = (node.to_string(), attrs.verb.clone(), resource.clone());
        let entry = groups.entry(key).or_insert_with(|| WouldDeny {
            node: node.to_string(),
            verb: attrs.verb.clone(),
            resource,
            count: 0,
            example: format!("{}/{}: {reason}", attrs.namespace, attrs.name),
            chain_decision: chain_decision.to_string(),
        });
        entry.count += 1;
    }
    out.would_deny = groups.into_values().collect();
    out.would_deny
        .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.node, &a.verb, &a.resource).cmp(&(&b.node, &b.verb, &b.resource))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot;

    #[test]
    fn replays_node_requests_once() {
        let text = r#"{"apiVersion":"v1","kind":"List","items":[
          {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"app"},
           "spec":{"nodeName":"n1","volumes":[{"name":"s","secret":{"secretName":"db"}}]}}]}"#;
        let state = ClusterState::from_objects(snapshot::parse_text("t.json", text).unwrap().objects);
        let lines = [
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"Event","auditID":"1","stage":"RequestReceived","verb":"get","requestURI":"/api/v1/namespaces/app/secrets/x","user":{"username":"system:node:n1","groups":["system:nodes"]},"objectRef":{"resource":"secrets","namespace":"app","name":"x","apiVersion":"v1"}}"#,
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"Event","auditID":"1","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/app/secrets/x","user":{"username":"system:node:n1","groups":["system:nodes"]},"objectRef":{"resource":"secrets","namespace":"app","name":"x","apiVersion":"v1"}}"#,
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"Event","auditID":"2","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/app/secrets/db","user":{"username":"system:node:n1","groups":["system:nodes"]},"objectRef":{"resource":"secrets","namespace":"app","name":"db","apiVersion":"v1"}}"#,
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"Event","auditID":"3","stage":"ResponseComplete","verb":"list","requestURI":"/api/v1/pods?fieldSelector=spec.nodeName%3Dn1&limit=500","user":{"username":"system:node:n1","groups":["system:nodes"]},"objectRef":{"resource":"pods","apiVersion":"v1"}}"#,
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"Event","auditID":"4","stage":"ResponseComplete","verb":"list","requestURI":"/api/v1/secrets","user":{"username":"alice","groups":[]},"objectRef":{"resource":"secrets","apiVersion":"v1"}}"#,
        ];
        let events: Vec<AuditEvent> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        let r = replay(&Chain::default(), &state, &events);
        assert_eq!((r.events, r.node_requests), (5, 3));
        assert_eq!(r.would_deny.len(), 1);
        let d = &r.would_deny[0];
        assert_eq!((d.node.as_str(), d.verb.as_str(), d.resource.as_str(), d.count), ("n1", "get", "secrets", 1));
        assert!(d.example.starts_with("app/x: kauthz strict"), "{}", d.example);
    }

    #[test]
    fn query_decoding() {
        assert_eq!(query_param("/api?fieldSelector=spec.nodeName%3Dn1&x=1", "fieldSelector").as_deref(), Some("spec.nodeName=n1"));
        assert_eq!(query_param("/api", "fieldSelector"), None);
        assert_eq!(percent_decode("a%2Cb+c%zz%"), "a,b c%zz%");
    }
}
