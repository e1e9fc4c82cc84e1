//! SubjectAccessReview and SubjectRulesReview decoding and validation
//! (`kauthz_core::review`), as `kauthz review` reads them: raw JSON, or generated reviews
//! (structure-aware, so that most inputs get past decoding to validation and decisions).
//!
//! Invariants: a decoding error names the field; a valid review is answered, and the
//! answered review written out and read back is the same review, validates the same, asks
//! the same question and gets the same answer; a question rebuilt from its attributes gets
//! the same answer; a rules review round-trips the same way.
#![no_main]

use arbitrary::{Result, Unstructured};
use kauthz_core::analysis::list::{NodeRules, rules_for};
use kauthz_core::review::{SubjectAccessReview, SubjectRulesReview};
use kauthz_fuzz::{NAMES, NAMESPACES, default_chain, pick, small_state};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

fn selector(u: &mut Unstructured, raws: &[&str], keys: &[&str]) -> Result<Value> {
    let mut s = Map::new();
    if u.arbitrary()? {
        s.insert("rawSelector".into(), pick(u, raws)?.into());
    }
    if u.arbitrary()? {
        let n = u.int_in_range(0..=3)?;
        let mut reqs = Vec::new();
        for _ in 0..n {
            let nvals = u.int_in_range(0..=2)?;
            let values = (0..nvals).map(|_| pick(u, NAMES)).collect::<Result<Vec<_>>>()?;
            reqs.push(json!({
                "key": pick(u, keys)?,
                "operator": pick(u, &["In", "NotIn", "Exists", "DoesNotExist", "Equals", ""])?,
                "values": values,
            }));
        }
        s.insert("requirements".into(), reqs.into());
    }
    Ok(Value::Object(s))
}

fn opt(u: &mut Unstructured, map: &mut Map<String, Value>, key: &str, pool: &[&str]) -> Result<()> {
    if u.ratio(3, 4)? {
        map.insert(key.into(), pick(u, pool)?.into());
    }
    Ok(())
}

fn gen_review(u: &mut Unstructured) -> Result<Value> {
    let rules_review = u.ratio(1, 4)?;
    let mut spec = Map::new();
    opt(u, &mut spec, "user", &["system:node:n1", "system:node:n2", "alice", "system:serviceaccount:ns:sa", "system:node:", ""])?;
    if u.arbitrary()? {
        let n = u.int_in_range(0..=3)?;
        let groups =
            (0..n).map(|_| pick(u, &["system:nodes", "system:authenticated", "system:masters", "g"])).collect::<Result<Vec<_>>>()?;
        spec.insert(if u.ratio(1, 5)? { "group" } else { "groups" }.into(), groups.into());
    }
    if u.ratio(1, 4)? {
        spec.insert("extra".into(), json!({ pick(u, &["k", "scopes"])?: [pick(u, NAMES)?] }));
    }
    opt(u, &mut spec, "uid", &["u", ""])?;
    let (api_version, kind) = if rules_review {
        opt(u, &mut spec, "namespace", NAMESPACES)?;
        ("kauthz.dev/v1alpha1", "SubjectRulesReview")
    } else {
        if u.ratio(4, 5)? {
            let mut ra = Map::new();
            opt(u, &mut ra, "namespace", NAMESPACES)?;
            opt(u, &mut ra, "verb", &["get", "list", "watch", "create", "update", "patch", "delete", "*", "deletecollection"])?;
            opt(u, &mut ra, "group", &["", "storage.k8s.io", "resource.k8s.io", "certificates.k8s.io", "*"])?;
            opt(u, &mut ra, "version", &["v1", "", "*"])?;
            opt(
                u,
                &mut ra,
                "resource",
                &[
                    "secrets",
                    "configmaps",
                    "pods",
                    "nodes",
                    "persistentvolumes",
                    "persistentvolumeclaims",
                    "serviceaccounts",
                    "volumeattachments",
                    "resourceclaims",
                    "resourceslices",
                    "podcertificaterequests",
                    "leases",
                    "csinodes",
                    "*",
                ],
            )?;
            opt(u, &mut ra, "subresource", &["", "status", "token", "eviction", "log"])?;
            opt(u, &mut ra, "name", NAMES)?;
            if u.ratio(1, 3)? {
                ra.insert(
                    "fieldSelector".into(),
                    selector(
                        u,
                        &["spec.nodeName=n1", "spec.nodeName!=n1", "metadata.name=x,spec.nodeName=n2", "", "a=b=c"],
                        &["spec.nodeName", "metadata.name"],
                    )?,
                );
            }
            if u.ratio(1, 3)? {
                ra.insert(
                    "labelSelector".into(),
                    selector(u, &["app=a", "app in (a,b)", "!x", "x>1", "", "a b"], &["app", "x", "Bad Key"])?,
                );
            }
            spec.insert("resourceAttributes".into(), Value::Object(ra));
        }
        if u.ratio(1, 4)? {
            spec.insert(
                "nonResourceAttributes".into(),
                json!({"path": pick(u, &["/healthz", "/api", "/metrics", ""])?, "verb": pick(u, &["get", "post"])?}),
            );
        }
        ("authorization.k8s.io/v1", "SubjectAccessReview")
    };
    let mut review = json!({"apiVersion": api_version, "kind": kind, "spec": spec});
    match u.int_in_range(0..=5)? {
        0 => review["metadata"] = json!({"creationTimestamp": null}),
        1 => review["metadata"] = json!({"name": "x"}),
        2 => review["status"] = json!({"allowed": true, "reason": "r"}),
        _ => {}
    }
    Ok(review)
}

fn check_sar(value: Value) {
    let mut sar: SubjectAccessReview = match serde_path_to_error::deserialize(value) {
        Ok(s) => s,
        Err(e) => {
            assert!(!e.inner().to_string().is_empty());
            return;
        }
    };
    let errors = sar.validate();
    // The question alone round-trips.
    let text = serde_json::to_string(&sar).unwrap();
    let back: SubjectAccessReview = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(back, sar, "{text}");
    assert_eq!(back.validate(), errors);
    if !errors.is_empty() {
        return;
    }
    let (state, chain) = (small_state(), default_chain());
    let attrs = sar.attributes();
    assert_eq!(back.attributes(), attrs);
    let result = chain.decide(state, &attrs);
    sar.answer(&attrs, &result);
    let text = serde_json::to_string(&sar).unwrap();
    let back: SubjectAccessReview = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(back, sar, "answered review round trip: {text}");
    assert!(back.validate().is_empty());
    let again = back.attributes();
    assert_eq!(again, attrs);
    let mut answered = back.clone();
    answered.answer(&again, &chain.decide(state, &again));
    assert_eq!(answered.status, sar.status, "same question, same answer: {text}");
    // kauthz's own questions (`can-i`) go through `from_attributes`: same answer.
    if attrs.field_selector.error.is_none() && attrs.label_selector.error.is_none() {
        let rebuilt = SubjectAccessReview::from_attributes(&attrs).attributes();
        assert_eq!(chain.decide(state, &rebuilt).allowed(), result.allowed(), "{attrs:?} vs {rebuilt:?}");
    }
}

fn check_rules(value: Value) {
    let mut review: SubjectRulesReview = match serde_path_to_error::deserialize(value) {
        Ok(r) => r,
        Err(e) => {
            assert!(!e.inner().to_string().is_empty());
            return;
        }
    };
    if !review.validate().is_empty() {
        return;
    }
    let rules = rules_for(default_chain(), small_state(), &review.user(), &review.spec.namespace, NodeRules::Upstream);
    review.answer(&rules);
    let text = serde_json::to_string(&review).unwrap();
    let back: SubjectRulesReview = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(back, review, "{text}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let value = if mode & 1 == 0 {
        let Ok(v) = serde_json::from_slice::<Value>(rest) else { return };
        v
    } else {
        let Ok(v) = gen_review(&mut Unstructured::new(rest)) else { return };
        v
    };
    if value.get("kind").and_then(Value::as_str) == Some("SubjectRulesReview") {
        check_rules(value);
    } else {
        check_sar(value);
    }
});
