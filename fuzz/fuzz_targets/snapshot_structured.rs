//! The snapshot loader on generated Kubernetes-shaped documents (structure-aware): every
//! kind kauthz reads, unknown kinds, nested Lists, concatenated JSON and multi-document
//! YAML, optionally one poisoned document or one free corruption.
//!
//! Invariants: the JSON and the YAML text of the same documents load to the same answer;
//! clean documents load completely (one object per known-kind document, in order, keyed
//! by kind, namespace and name); a poisoned document fails with exactly its location
//! (`document i, items[j], ...`) and the field's name, and yields no objects.
#![no_main]

use arbitrary::{Result, Unstructured};
use kauthz_core::model::Kind;
use kauthz_core::snapshot::parse_text;
use kauthz_fuzz::{KINDS, any_scalar, gen_object, list, set_path, yaml_block};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// A generated document: an object of a known kind, one kauthz skips, or a List.
enum Doc {
    Object(Kind, Value),
    Unknown(Value),
    List(Vec<Doc>),
}

fn gen_doc(u: &mut Unstructured, depth: u32) -> Result<Doc> {
    Ok(match u.int_in_range(0..=9)? {
        0 if depth < 3 => {
            let n = u.int_in_range(0..=4)?;
            Doc::List((0..n).map(|_| gen_doc(u, depth + 1)).collect::<Result<_>>()?)
        }
        1 => Doc::Unknown(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 1}})),
        _ => {
            let kind = *u.choose(&KINDS)?;
            Doc::Object(kind, gen_object(u, kind)?)
        }
    })
}

fn to_value(doc: &Doc) -> Value {
    match doc {
        Doc::Object(_, v) | Doc::Unknown(v) => v.clone(),
        Doc::List(items) => list(items.iter().map(to_value).collect()),
    }
}

/// Every object document with its location, in load order.
fn objects<'a>(doc: &'a mut Doc, loc: String, out: &mut Vec<(String, Kind, &'a mut Value)>) {
    match doc {
        Doc::Object(kind, v) => out.push((loc, *kind, v)),
        Doc::Unknown(_) => {}
        Doc::List(items) => {
            for (j, item) in items.iter_mut().enumerate() {
                objects(item, format!("{loc}, items[{j}]"), out);
            }
        }
    }
}

enum Damage {
    None,
    /// `metadata.name` set to a number: always an error, at a known location.
    Poison(String),
    /// Some field set to an arbitrary scalar: may or may not be an error.
    Free,
}

fn run(u: &mut Unstructured) -> Result<()> {
    let n = u.int_in_range(1..=5)?;
    let mut docs: Vec<Doc> = (0..n).map(|_| gen_doc(u, 0)).collect::<Result<_>>()?;
    let damage = {
        let mut located = Vec::new();
        for (i, d) in docs.iter_mut().enumerate() {
            objects(d, format!("document {}", i + 1), &mut located);
        }
        match u.int_in_range(0..=3)? {
            1 if !located.is_empty() => {
                let (loc, _, v) = located.swap_remove(u.choose_index(located.len())?);
                v["metadata"]["name"] = json!(7);
                Damage::Poison(loc)
            }
            2 if !located.is_empty() => {
                let (_, _, v) = located.swap_remove(u.choose_index(located.len())?);
                let path = *u.choose(&[
                    &["metadata", "namespace"][..],
                    &["metadata", "labels"],
                    &["spec", "nodeName"],
                    &["spec", "volumes"],
                    &["spec", "claimRef"],
                    &["rules"],
                    &["subjects"],
                    &["roleRef", "name"],
                    &["spec", "source", "persistentVolumeName"],
                    &["aggregationRule"],
                    &["apiVersion"],
                    &["kind"],
                ])?;
                set_path(v, path, any_scalar(u)?);
                Damage::Free
            }
            _ => Damage::None,
        }
    };
    let values: Vec<Value> = docs.iter().map(to_value).collect();
    let json_text = values.iter().map(|v| serde_json::to_string(v).unwrap()).collect::<Vec<_>>().join("\n");
    let yaml_text = values.iter().map(yaml_block).collect::<Vec<_>>().join("---\n");
    let from_json = parse_text("in.json", &json_text);
    let from_yaml = parse_text("in.yaml", &yaml_text);
    match (&from_json, &from_yaml) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.objects, b.objects, "JSON and YAML disagree\n{json_text}\n{yaml_text}");
            assert_eq!(a.skipped, b.skipped);
        }
        (Err(a), Err(b)) => assert_eq!(a.location, b.location, "JSON and YAML fail at different places: {a} / {b}"),
        _ => panic!("JSON and YAML disagree: {from_json:?} / {from_yaml:?}\n{json_text}\n{yaml_text}"),
    }
    match damage {
        Damage::None => {
            let snapshot = from_json.unwrap_or_else(|e| panic!("clean documents fail: {e}\n{json_text}"));
            let mut want = Vec::new();
            for (i, d) in docs.iter_mut().enumerate() {
                objects(d, format!("document {}", i + 1), &mut want);
            }
            assert_eq!(snapshot.objects.len(), want.len(), "{json_text}");
            for (o, (_, kind, v)) in snapshot.objects.iter().zip(&want) {
                assert_eq!(o.kind(), *kind);
                assert_eq!(o.meta().name, v["metadata"]["name"].as_str().unwrap());
                let ns = v["metadata"]["namespace"].as_str().unwrap_or_default();
                let ns = if !kind.namespaced() {
                    ""
                } else if ns.is_empty() {
                    "default"
                } else {
                    ns
                };
                assert_eq!(o.meta().namespace, ns);
            }
        }
        Damage::Poison(loc) => {
            let e = from_json.expect_err("a poisoned document fails");
            assert_eq!(e.location, loc, "{e}\n{json_text}");
            assert!(e.message.contains("metadata.name"), "{e}");
        }
        Damage::Free => {
            if let Err(e) = from_json {
                assert!(e.location.starts_with("document "), "{e}");
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
