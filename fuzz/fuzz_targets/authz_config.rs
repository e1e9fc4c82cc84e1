//! Apiserver authorization configuration: AuthorizationConfiguration files
//! (`chain::Chain::from_config`, YAML or JSON) and `--authorization-mode` lists
//! (`Chain::from_modes`).
//!
//! Invariants: an error names the file (configuration) or is a mode error; a chain built
//! answers the probe requests over the small cluster (webhook `matchConditions` are
//! compiled and evaluated on them, so the CEL subset is fuzzed too), and only a chain with
//! a webhook ever answers "undetermined".
#![no_main]

use kauthz_core::Chain;
use kauthz_fuzz::{probe_requests, small_state};
use libfuzzer_sys::fuzz_target;

const POLICY: &str = r#"{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": "alice", "namespace": "*", "resource": "*", "apiGroup": "*"}}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let abac = (mode & 2 != 0).then_some(("policy.jsonl", POLICY));
    let chain = if mode & 1 == 0 {
        match Chain::from_config("authz.yaml", text, abac) {
            Ok(c) => c,
            Err(e) => {
                let e = e.to_string();
                assert!(e.starts_with("authz.yaml: ") || e.starts_with("error reading policy file"), "{e}");
                return;
            }
        }
    } else {
        match Chain::from_modes(text, abac) {
            Ok(c) => c,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                return;
            }
        }
    };
    let state = small_state();
    for attrs in probe_requests() {
        let result = chain.decide(state, &attrs);
        if !chain.has_webhook() {
            assert!(result.incomplete_message().is_none(), "undetermined without a webhook: {attrs:?}");
        }
    }
});
