//! Watch-event decoding (`snapshot::decode_object`), the path `review`/`admit` use for
//! `{"type": ..., "object": ...}` lines, on raw JSON and on generated objects.
//!
//! Invariants: the watch decoder and the file loader agree on every single object (same
//! object, same skip, an error for the same input); a watch event never carries more than
//! one object; applying the object to a cluster stores exactly it, deleting it removes
//! exactly it, and the probe requests are answered either way.
#![no_main]

use arbitrary::{Result, Unstructured};
use kauthz_core::snapshot::{decode_object, parse_text};
use kauthz_fuzz::{KINDS, gen_object, probe_requests, small_state};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn input(data: &[u8]) -> Option<Value> {
    let (&mode, rest) = data.split_first()?;
    if mode & 1 == 0 {
        return serde_json::from_slice(rest).ok();
    }
    let mut u = Unstructured::new(rest);
    let generate = |u: &mut Unstructured| -> Result<Value> {
        let kind = *u.choose(&KINDS)?;
        gen_object(u, kind)
    };
    generate(&mut u).ok()
}

fn check(value: Value) {
    let text = serde_json::to_string(&value).unwrap();
    let decoded = decode_object(value.clone());
    let is_list = value.get("kind").and_then(Value::as_str).is_some_and(|k| k.ends_with("List")) && value.get("items").is_some();
    let loaded = parse_text("event.json", &text);
    match &decoded {
        Ok(Some(o)) => {
            let s = loaded.unwrap_or_else(|e| panic!("the loader refuses what the watch decoder takes: {e}\n{text}"));
            assert_eq!(s.objects, vec![o.clone()], "{text}");
        }
        Ok(None) => {
            let s = loaded.unwrap_or_else(|e| panic!("the loader refuses what the watch decoder skips: {e}\n{text}"));
            assert!(s.objects.is_empty(), "{text}");
        }
        Err(m) => {
            let m = m.to_string();
            assert!(!m.is_empty());
            if !is_list {
                let e = loaded.expect_err("the loader takes what the watch decoder refuses");
                assert_eq!(e.message, m, "{text}");
            }
        }
    }
    if is_list {
        assert!(decoded.is_err(), "a watch event carries one object, not a List: {text}");
    }
    let Ok(Some(object)) = decoded else { return };
    let mut state = small_state().clone();
    let key = object.key();
    state.apply(object.clone());
    assert_eq!(state.store().get(key.kind, &key.namespace, &key.name), Some(&object));
    let chain = kauthz_fuzz::default_chain();
    for attrs in probe_requests() {
        let _ = chain.decide(&state, &attrs);
    }
    assert_eq!(state.delete(&key), Some(object));
    assert_eq!(state.store().get(key.kind, &key.namespace, &key.name), None);
    for attrs in probe_requests() {
        let _ = chain.decide(&state, &attrs);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(value) = input(data) {
        check(value);
    }
});
