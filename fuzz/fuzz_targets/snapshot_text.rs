//! The snapshot loader on raw text: JSON (single objects, concatenated documents, Lists,
//! nested Lists) and multi-document YAML.
//!
//! Invariants: an error names the file and, for JSON, the document (and item); a
//! successful load yields only normalized objects (named; namespaced kinds in a namespace,
//! cluster-scoped kinds in none); and every object written back as JSON, and as block YAML,
//! loads to the same object (the fast single-pass decoder, the careful tree decoder and the
//! YAML path agree). A state built from the objects answers the probe requests.
#![no_main]

use kauthz_core::ClusterState;
use kauthz_core::snapshot::parse_text;
use kauthz_fuzz::{list, object_json, probe_requests, yaml_block};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Files are read as UTF-8 (`read_to_string`): anything else is refused before parsing.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let first = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}').chars().next();
    match parse_text("input", text) {
        Err(e) => {
            assert_eq!(e.file, "input");
            assert!(!e.message.is_empty(), "an error says what is wrong");
            if matches!(first, Some('{' | '[')) {
                assert!(e.location.starts_with("document "), "a JSON error names its document: {e}");
            } else if e.location.is_empty() {
                assert!(e.message.starts_with("invalid YAML"), "a file-level error is a YAML syntax error: {e}");
            } else {
                assert!(e.location.starts_with("document "), "{e}");
            }
        }
        Ok(snapshot) => {
            for o in &snapshot.objects {
                let m = o.meta();
                assert!(!m.name.is_empty(), "unnamed object {o:?}");
                assert_eq!(o.kind().namespaced(), !m.namespace.is_empty(), "namespace of {o:?}");
            }
            if snapshot.objects.is_empty() {
                return;
            }
            let docs: Vec<_> = snapshot.objects.iter().map(object_json).collect();
            let json = serde_json::to_string(&list(docs.clone())).unwrap();
            let again = parse_text("again.json", &json).unwrap_or_else(|e| panic!("written-back JSON does not load: {e}\n{json}"));
            assert_eq!(again.objects, snapshot.objects, "JSON round trip\n{json}");
            let yaml = yaml_block(&list(docs));
            let again = parse_text("again.yaml", &yaml).unwrap_or_else(|e| panic!("written-back YAML does not load: {e}\n{yaml}"));
            assert_eq!(again.objects, snapshot.objects, "YAML round trip\n{yaml}");
            let state = ClusterState::from_objects(snapshot.objects);
            let chain = kauthz_fuzz::default_chain();
            for attrs in probe_requests() {
                let _ = chain.decide(&state, &attrs);
            }
        }
    }
});
