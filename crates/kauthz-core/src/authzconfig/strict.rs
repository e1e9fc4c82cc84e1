//! Strict decoding of an AuthorizationConfiguration: kube-apiserver decodes the file with
//! apimachinery's strict serializer, so a field no API version defines, or a known field
//! given twice in a JSON document, refuses the whole file before validation runs.
//!
//! The errors are sigs.k8s.io/json's, in the order its decoder meets them. A JSON document
//! (`{` after leading white space, `utilyaml.IsJSONBuffer`) is decoded as written; a YAML
//! one is first converted to JSON by sigs.k8s.io/yaml, which resolves keys with YAML 1.1
//! (`y`, `on`, `no`… are booleans, printed `true`/`false`) and writes every map's keys
//! sorted. Duplicate keys in YAML are refused by kauthz's YAML parser before this runs
//! (with its own wording; upstream also refuses them).

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};

/// A decoded document reduced to what strict decoding looks at: every map key, in
/// document order, duplicates kept.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum KeyTree {
    /// An object.
    Map(Vec<(String, KeyTree)>),
    /// An array.
    Seq(Vec<KeyTree>),
    /// Anything else.
    Leaf,
}

impl<'de> Deserialize<'de> for KeyTree {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = KeyTree;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_i64<E>(self, _: i64) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_u64<E>(self, _: u64) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_i128<E>(self, _: i128) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_u128<E>(self, _: u128) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_f64<E>(self, _: f64) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_str<E>(self, _: &str) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_unit<E>(self) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_none<E>(self) -> Result<KeyTree, E> {
        Ok(KeyTree::Leaf)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<KeyTree, D::Error> {
        KeyTree::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyTree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<KeyTree>()? {
            items.push(item);
        }
        Ok(KeyTree::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyTree, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<MapKey, KeyTree>()? {
            entries.push((key.0, value));
        }
        Ok(KeyTree::Map(entries))
    }
}

/// A map key as text, whatever scalar the parser made of it.
struct MapKey(String);

impl<'de> Deserialize<'de> for MapKey {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = MapKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a scalar map key")
            }
            fn visit_str<E>(self, v: &str) -> Result<MapKey, E> {
                Ok(MapKey(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<MapKey, E> {
                Ok(MapKey(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<MapKey, E> {
                Ok(MapKey(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<MapKey, E> {
                Ok(MapKey(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<MapKey, E> {
                Ok(MapKey(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<MapKey, E> {
                Ok(MapKey("null".into()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

/// The fields the v1 (and identical v1beta1, v1alpha1) types define.
enum Shape {
    Object(&'static [(&'static str, Shape)]),
    List(&'static Shape),
    Scalar,
}

const MATCH_CONDITION: Shape = Shape::Object(&[("expression", Shape::Scalar)]);
const CONNECTION_INFO: Shape = Shape::Object(&[("type", Shape::Scalar), ("kubeConfigFile", Shape::Scalar)]);
const WEBHOOK: Shape = Shape::Object(&[
    ("authorizedTTL", Shape::Scalar),
    ("cacheAuthorizedRequests", Shape::Scalar),
    ("unauthorizedTTL", Shape::Scalar),
    ("cacheUnauthorizedRequests", Shape::Scalar),
    ("timeout", Shape::Scalar),
    ("subjectAccessReviewVersion", Shape::Scalar),
    ("matchConditionSubjectAccessReviewVersion", Shape::Scalar),
    ("failurePolicy", Shape::Scalar),
    ("connectionInfo", CONNECTION_INFO),
    ("matchConditions", Shape::List(&MATCH_CONDITION)),
]);
const AUTHORIZER: Shape = Shape::Object(&[("type", Shape::Scalar), ("name", Shape::Scalar), ("webhook", WEBHOOK)]);
const CONFIGURATION: Shape =
    Shape::Object(&[("apiVersion", Shape::Scalar), ("kind", Shape::Scalar), ("authorizers", Shape::List(&AUTHORIZER))]);

/// Whether upstream's universal decoder reads `text` as JSON (`utilyaml.IsJSONBuffer`).
pub(super) fn is_json_buffer(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// sigs.k8s.io/yaml's key for an unquoted YAML scalar key: YAML 1.1 booleans become
/// `true`/`false`.
fn yaml11_key(key: &str) -> &str {
    match key {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => "true",
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => "false",
        other => other,
    }
}

/// The strict decoding errors (`unknown field "…"`, `duplicate field "…"`), deduplicated
/// and in decoding order; empty when the document decodes strictly.
pub(super) fn strict_errors(tree: &KeyTree, from_yaml: bool) -> Vec<String> {
    let mut out = Vec::new();
    walk(tree, &CONFIGURATION, "", from_yaml, &mut out);
    out
}

fn push_once(out: &mut Vec<String>, error: String) {
    if !out.contains(&error) {
        out.push(error);
    }
}

fn walk(tree: &KeyTree, shape: &Shape, path: &str, from_yaml: bool, out: &mut Vec<String>) {
    match (tree, shape) {
        (KeyTree::Map(entries), Shape::Object(fields)) => {
            let mut entries: Vec<(&str, &KeyTree)> = entries.iter().map(|(k, v)| (k.as_str(), v)).collect();
            if from_yaml {
                for e in &mut entries {
                    e.0 = yaml11_key(e.0);
                }
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            let mut seen: Vec<&str> = Vec::new();
            for (key, value) in entries {
                let at = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
                match fields.iter().find(|(name, _)| *name == key) {
                    None => push_once(out, format!("unknown field {}", crate::gostr::quote(&at))),
                    Some((name, child)) => {
                        if seen.contains(name) {
                            push_once(out, format!("duplicate field {}", crate::gostr::quote(&at)));
                        }
                        seen.push(name);
                        walk(value, child, &at, from_yaml, out);
                    }
                }
            }
        }
        (KeyTree::Seq(items), Shape::List(item)) => {
            for (i, value) in items.iter().enumerate() {
                walk(value, item, &format!("{path}[{i}]"), from_yaml, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        let json = is_json_buffer(text);
        let tree: KeyTree = if json {
            serde_json::from_str(text).unwrap()
        } else {
            serde_saphyr::from_str_with_options(text, crate::snapshot::yaml_options()).unwrap()
        };
        strict_errors(&tree, !json)
    }

    #[test]
    fn json_in_document_order_with_duplicates() {
        // Messages read from kube-apiserver v1.37.2's LoadAndValidateFile.
        let text = r#" {"zz":1,"apiVersion":"apiserver.config.k8s.io/v1","kind":"AuthorizationConfiguration","authorizers":[{"type":"RBAC","q":1,"name":"x","name":"rbac","q":2}],"kind":"AuthorizationConfiguration","aa":1}"#;
        assert_eq!(
            errors(text),
            [
                r#"unknown field "zz""#,
                r#"unknown field "authorizers[0].q""#,
                r#"duplicate field "authorizers[0].name""#,
                r#"duplicate field "kind""#,
                r#"unknown field "aa""#,
            ]
        );
    }

    #[test]
    fn yaml_keys_sorted_and_resolved_as_yaml_1_1() {
        let text = "zz: 1\napiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- type: RBAC\n  y: 1\n  name: rbac\n  b: 2\n  Name: x\naa: 1\n";
        assert_eq!(
            errors(text),
            [
                r#"unknown field "aa""#,
                r#"unknown field "authorizers[0].Name""#,
                r#"unknown field "authorizers[0].b""#,
                r#"unknown field "authorizers[0].true""#,
                r#"unknown field "zz""#,
            ]
        );
    }

    #[test]
    fn nested_webhook_fields_and_go_quoting() {
        let text = r#"{"apiVersion":"apiserver.config.k8s.io/v1","kind":"AuthorizationConfiguration","authorizers":[{"type":"Webhook","name":"w","webhook":{"timeout":"3s","connectionInfo":{"type":"InClusterConfig","zz":1},"matchConditions":[{"expression":"true","x\u00e9\n":1}]}}]}"#;
        assert_eq!(
            errors(text),
            [
                r#"unknown field "authorizers[0].webhook.connectionInfo.zz""#,
                r#"unknown field "authorizers[0].webhook.matchConditions[0].xé\n""#
            ]
        );
        let valid = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- {type: Node, name: node, webhook: null}\n";
        assert!(errors(valid).is_empty());
    }
}
