//! The webhook server's request decoding (`kauthz_server::respond`, no sockets): POST
//! bodies for `/authorize` (SubjectAccessReview) and `/admit` (AdmissionReview) over the
//! small fixed cluster, in each enforcement mode.
//!
//! Input: the first byte picks the path and the mode; the rest is the body.
//!
//! Invariants: deterministic; every answer is 200, 400 or 422 with a JSON body (the state
//! is synced); a 400 names what is wrong (`invalid JSON: ... line L column C`, the field
//! path of an undecodable review, or the expected type); a 200 to `/authorize` is a
//! SubjectAccessReview whose status never both allows and denies, and which allows only
//! what the chain allows for the same decoded review; a 200 to `/admit` echoes the request
//! uid; nothing is ever allowed from a body that did not decode.
#![no_main]

use std::sync::OnceLock;

use kauthz_core::admission::NodeRestriction;
use kauthz_core::enforce::Mode;
use kauthz_core::review::SubjectAccessReview;
use kauthz_fuzz::{default_chain, small_state};
use kauthz_server::{Shared, respond, served};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn shared(mode: usize) -> &'static Shared {
    static SHARED: OnceLock<[Shared; 3]> = OnceLock::new();
    &SHARED.get_or_init(|| {
        [Mode::Node, Mode::Strict, Mode::Audit].map(|m| {
            let s = Shared::new(served(default_chain().clone(), small_state().clone(), NodeRestriction::default(), m), None);
            s.mark_synced();
            s
        })
    })[mode]
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else { return };
    let path = if first & 1 == 0 { "/authorize" } else { "/admit" };
    let s = shared((first as usize >> 1) % 3);
    let reply = respond(s, "POST", path, body);
    let again = respond(s, "POST", path, body);
    assert_eq!((reply.status, &reply.body), (again.status, &again.body), "deterministic");
    assert!(matches!(reply.status, 200 | 400 | 422), "status {}", reply.status);
    let answer: Value = serde_json::from_slice(&reply.body).expect("every answer is JSON");
    let request: Option<Value> = serde_json::from_slice(body).ok();
    match reply.status {
        400 => {
            let message = answer["message"].as_str().unwrap_or_default();
            assert_eq!(answer["code"], 400);
            let named = message.starts_with("invalid JSON: ") && message.contains(" line ") && message.contains(" column ")
                || message.starts_with("invalid SubjectAccessReview: ")
                || message.starts_with("expected apiVersion ")
                || path == "/admit" && !message.is_empty();
            assert!(named, "a 400 names what is wrong: {message}");
            if message.starts_with("invalid JSON") {
                assert!(request.is_none(), "valid JSON refused as invalid: {message}");
            }
        }
        422 => assert_eq!(answer["reason"], "Invalid"),
        _ => {
            let request = request.expect("a 200 answers a body that decoded");
            if path == "/authorize" {
                let status = &answer["status"];
                let (allowed, denied) = (status["allowed"] == true, status["denied"] == true);
                assert!(!(allowed && denied), "allowed and denied: {answer}");
                assert_eq!(answer["kind"], "SubjectAccessReview");
                let sar: SubjectAccessReview = serde_json::from_value(request).expect("a 200 SAR decodes");
                let chain_allows = default_chain().decide(small_state(), &sar.attributes()).allowed();
                assert!(!allowed || chain_allows, "the webhook allowed what the chain does not: {answer}");
            } else {
                assert_eq!(answer["kind"], "AdmissionReview");
                // An absent uid decodes as "" (serde default) and is echoed as such.
                let uid = request["request"]["uid"].as_str().unwrap_or_default();
                assert_eq!(answer["response"]["uid"].as_str(), Some(uid), "uid echoed");
            }
        }
    }
});
