//! The protocol without sockets: every path, every bad-request class, the stale-state rule.

use std::time::Duration;

use kauthz_core::admission::NodeRestriction;
use kauthz_core::chain::Chain;
use kauthz_core::enforce::Mode;
use kauthz_core::snapshot;
use kauthz_core::state::ClusterState;
use serde_json::{Value, json};

use super::*;

fn state() -> ClusterState {
    let text = r#"{"apiVersion":"v1","kind":"List","items":[
      {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"app","uid":"u"},
       "spec":{"nodeName":"n1","volumes":[{"name":"s","secret":{"secretName":"db"}}]}}]}"#;
    ClusterState::from_objects(snapshot::parse_text("t.json", text).unwrap().objects)
}

pub(crate) fn shared(mode: Mode, staleness: Option<Duration>) -> Shared {
    let s = Shared::new(served(Chain::default(), state(), NodeRestriction::default(), mode), staleness);
    s.mark_synced();
    s
}

pub(crate) fn sar(user: &str, groups: &[&str], verb: &str, resource: &str, ns: &str, name: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{
        "user": user, "groups": groups,
        "resourceAttributes": {"verb": verb, "resource": resource, "namespace": ns, "name": name, "version": "v1"}}}))
    .unwrap()
}

fn status(r: &Reply) -> Value {
    serde_json::from_slice::<Value>(&r.body).unwrap()["status"].clone()
}

#[test]
fn authorize_by_mode() {
    let node = ["system:nodes", "system:authenticated"];
    let own = sar("system:node:n1", &node, "get", "secrets", "app", "db");
    let other = sar("system:node:n1", &node, "get", "secrets", "app", "x");
    let s = shared(Mode::Strict, None);
    let r = respond(&s, "POST", "/authorize", &own);
    assert_eq!((r.status, status(&r)["allowed"].as_bool()), (200, Some(true)));
    let r = respond(&s, "POST", "/authorize", &other);
    assert_eq!(status(&r)["denied"], true);
    assert!(status(&r)["reason"].as_str().unwrap().starts_with("kauthz strict:"));
    let n = shared(Mode::Node, None);
    let r = respond(&n, "POST", "/authorize", &other);
    assert_eq!((status(&r)["allowed"].as_bool(), status(&r).get("denied")), (Some(false), None));
    let a = shared(Mode::Audit, None);
    respond(&a, "POST", "/authorize", &other);
    assert_eq!(a.metrics.would_deny.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert!(respond(&a, "GET", "/metrics", b"").body.starts_with(b"# HELP kauthz_decisions_total"));
}

#[test]
fn stale_or_unsynced_state_never_allows() {
    let own = sar("system:node:n1", &["system:nodes"], "get", "secrets", "app", "db");
    let s = Shared::new(served(Chain::default(), state(), NodeRestriction::default(), Mode::Strict), Some(Duration::from_millis(30)));
    let r = respond(&s, "POST", "/authorize", &own);
    assert_eq!(status(&r)["allowed"], false, "not synced: no opinion");
    assert_eq!(respond(&s, "GET", "/readyz", b"").status, 503);
    s.mark_synced();
    assert_eq!(status(&respond(&s, "POST", "/authorize", &own))["allowed"], true);
    std::thread::sleep(Duration::from_millis(60));
    let r = respond(&s, "POST", "/authorize", &own);
    assert_eq!(status(&r)["allowed"], false, "stale: no opinion");
    assert!(status(&r)["reason"].as_str().unwrap().contains("unconfirmed"));
    s.confirm();
    assert_eq!(status(&respond(&s, "POST", "/authorize", &own))["allowed"], true);
    s.watch_failed(Some(Kind::Pod), "pods: watch: connection reset");
    let r = respond(&s, "POST", "/authorize", &own);
    assert_eq!(status(&r)["allowed"], false, "a failed watch: no opinion");
    assert!(status(&r)["reason"].as_str().unwrap().contains("pods: watch: connection reset"));
    assert_eq!(respond(&s, "GET", "/readyz", b"").status, 503);
    s.mark_synced();
    assert_eq!(status(&respond(&s, "POST", "/authorize", &own))["allowed"], false, "only a relist of the failed kind recovers");
    let review = json!({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","resource":{"resource":"pods","version":"v1"},
        "operation":"DELETE","name":"p","namespace":"app","userInfo":{"username":"system:node:n1","groups":["system:nodes"]}}});
    assert_eq!(respond(&s, "POST", "/admit", &serde_json::to_vec(&review).unwrap()).status, 503);
    s.relisted(Kind::Pod);
    assert_eq!(s.metrics.resyncs.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(status(&respond(&s, "POST", "/authorize", &own))["allowed"], true);
    let r = respond(&s, "POST", "/admit", &serde_json::to_vec(&review).unwrap());
    assert_eq!(serde_json::from_slice::<Value>(&r.body).unwrap()["response"]["allowed"], true);
}

#[test]
fn bad_requests() {
    let s = shared(Mode::Strict, None);
    for (body, code) in [
        (&b"not json"[..], 400),
        (br#"{"apiVersion":"v1","kind":"Pod"}"#, 400),
        (br#"{"apiVersion":"authorization.k8s.io/v1beta1","kind":"SubjectAccessReview"}"#, 400),
        (br#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":5}}"#, 400),
        (br#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"a"}}"#, 422),
    ] {
        assert_eq!(respond(&s, "POST", "/authorize", body).status, code, "{}", String::from_utf8_lossy(body));
    }
    assert_eq!(respond(&s, "POST", "/admit", b"{}").status, 400);
    assert_eq!(respond(&s, "GET", "/authorize", b"").status, 405);
    assert_eq!(respond(&s, "GET", "/nope", b"").status, 404);
    assert_eq!(respond(&s, "GET", "/healthz", b"").status, 200);
}

/// An undecodable SubjectAccessReview is refused with the field named.
#[test]
fn bad_review_names_the_field() {
    let s = shared(Mode::Node, None);
    let body =
        br#"{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"u","resourceAttributes":{"verb":5}}}"#;
    let r = respond(&s, "POST", "/authorize", body);
    assert_eq!(r.status, 400);
    let message = serde_json::from_slice::<Value>(&r.body).unwrap()["message"].as_str().unwrap().to_string();
    assert!(message.contains("spec.resourceAttributes.verb"), "{message}");
}

#[test]
fn fail_when_stale_answers_503() {
    let own = sar("system:node:n1", &["system:nodes"], "get", "secrets", "app", "db");
    let mut s = Shared::new(served(Chain::default(), state(), NodeRestriction::default(), Mode::Strict), Some(Duration::from_secs(60)));
    s.fail_when_stale = true;
    let r = respond(&s, "POST", "/authorize", &own);
    assert_eq!(r.status, 503, "not synced: an error, so the apiserver applies failurePolicy");
    assert!(String::from_utf8_lossy(&r.body).contains("not synced"));
    s.mark_synced();
    assert_eq!(status(&respond(&s, "POST", "/authorize", &own))["allowed"], true);
}
