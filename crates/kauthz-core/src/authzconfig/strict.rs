//! Strict decoding of an AuthorizationConfiguration: kube-apiserver decodes the file with
//! apimachinery's strict serializer, so a field no API version defines, or a known field
//! given twice in a JSON document, refuses the whole file before validation runs.
//!
//! The errors are sigs.k8s.io/json's, in the order its decoder meets them. A JSON document
//! (`{` after leading white space, `utilyaml.IsJSONBuffer`) is decoded as written; a YAML
//! one is first converted to JSON by sigs.k8s.io/yaml, which resolves keys with YAML 1.1
//! (`y`, `on`, `no`… are booleans, printed `true`/`false`) and writes every map's keys
//! sorted. Only plain (unquoted, untagged) keys are resolved: `"y"` stays `y`. kauthz reads
//! the YAML key tree from the parser's events, which keep each scalar's style (a serde value
//! forgets it). Duplicate keys in YAML are refused by kauthz's YAML parser before this runs
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

/// Why a YAML document's key tree could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum KeyTreeError {
    /// The YAML parser refused the text.
    #[error("invalid YAML: {0}")]
    Syntax(String),
    /// Nesting or alias expansion beyond kauthz's bounds.
    #[error("invalid YAML: the document nests deeper than {MAX_DEPTH} levels or expands to more than {MAX_NODES} nodes")]
    TooLarge,
}

const MAX_DEPTH: usize = 512;
const MAX_NODES: usize = 1_000_000;

/// Builds the key tree of a YAML document's first node from the parser's events, resolving
/// each plain, untagged key as sigs.k8s.io/yaml does (YAML 1.1 booleans and nulls) and
/// every other key (quoted, block or tagged) as written. Aliases expand to their anchor's
/// tree and `<<` merge keys splice the merged maps' keys in (keys written in the map win),
/// as go-yaml does.
pub(super) fn yaml_key_tree(text: &str) -> Result<KeyTree, KeyTreeError> {
    let mut builder = YamlTreeBuilder { parser: granit_parser::Parser::new_from_str(text), anchors: Vec::new(), nodes: 0 };
    loop {
        match builder.next()? {
            None => return Ok(KeyTree::Leaf),
            Some(granit_parser::Event::StreamStart | granit_parser::Event::DocumentStart(..)) => continue,
            Some(granit_parser::Event::StreamEnd | granit_parser::Event::DocumentEnd) => return Ok(KeyTree::Leaf),
            Some(event) => return builder.node(event, 0),
        }
    }
}

/// A node read as a map key: its text, and whether it is a plain untagged scalar.
enum KeyNode {
    Scalar { text: String, plain: bool },
    Other,
}

struct YamlTreeBuilder<'a> {
    parser: granit_parser::Parser<'a, granit_parser::StrInput<'a>>,
    /// Trees of anchored nodes, by anchor id.
    anchors: Vec<(usize, KeyTree)>,
    nodes: usize,
}

impl<'a> YamlTreeBuilder<'a> {
    /// The next event, comments skipped.
    fn next(&mut self) -> Result<Option<granit_parser::Event<'a>>, KeyTreeError> {
        loop {
            return match self.parser.next_event() {
                None => Ok(None),
                Some(Ok((granit_parser::Event::Comment(..), _))) => continue,
                Some(Ok((event, _))) => Ok(Some(event)),
                Some(Err(e)) => Err(KeyTreeError::Syntax(e.to_string())),
            };
        }
    }

    fn next_node(&mut self, depth: usize) -> Result<KeyTree, KeyTreeError> {
        match self.next()? {
            Some(event) => self.node(event, depth),
            None => Err(KeyTreeError::Syntax("unexpected end of the document".into())),
        }
    }

    fn count(&mut self, n: usize) -> Result<(), KeyTreeError> {
        self.nodes += n;
        if self.nodes > MAX_NODES { Err(KeyTreeError::TooLarge) } else { Ok(()) }
    }

    fn remember(&mut self, anchor: usize, tree: &KeyTree) {
        if anchor != 0 {
            self.anchors.push((anchor, tree.clone()));
        }
    }

    fn alias(&mut self, id: usize) -> Result<KeyTree, KeyTreeError> {
        let tree = self.anchors.iter().rev().find(|(a, _)| *a == id).map(|(_, t)| t.clone()).unwrap_or(KeyTree::Leaf);
        self.count(tree.size())?;
        Ok(tree)
    }

    fn node(&mut self, event: granit_parser::Event<'a>, depth: usize) -> Result<KeyTree, KeyTreeError> {
        use granit_parser::Event;
        if depth > MAX_DEPTH {
            return Err(KeyTreeError::TooLarge);
        }
        self.count(1)?;
        match event {
            Event::Alias(id) => self.alias(id),
            Event::Scalar(_, _, anchor, _) => {
                self.remember(anchor, &KeyTree::Leaf);
                Ok(KeyTree::Leaf)
            }
            Event::SequenceStart(_, anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Some(Event::SequenceEnd) => break,
                        Some(event) => items.push(self.node(event, depth + 1)?),
                        None => return Err(KeyTreeError::Syntax("unexpected end of a sequence".into())),
                    }
                }
                let tree = KeyTree::Seq(items);
                self.remember(anchor, &tree);
                Ok(tree)
            }
            Event::MappingStart(_, anchor, _) => {
                let mut entries: Vec<(String, KeyTree)> = Vec::new();
                let mut merged: Vec<(String, KeyTree)> = Vec::new();
                loop {
                    let key = match self.next()? {
                        Some(Event::MappingEnd) => break,
                        Some(Event::Scalar(text, style, key_anchor, tag)) => {
                            self.remember(key_anchor, &KeyTree::Leaf);
                            #[allow(unused_mut)]
                            let mut plain = style == granit_parser::ScalarStyle::Plain && tag.is_none();
                            #[cfg(feature = "mutants")]
                            if crate::mutants::active(crate::mutants::Mutant::AuthzConfigResolveQuotedKeys) {
                                plain = true;
                            }
                            KeyNode::Scalar { text: text.into_owned(), plain }
                        }
                        Some(event) => {
                            self.node(event, depth + 1)?;
                            KeyNode::Other
                        }
                        None => return Err(KeyTreeError::Syntax("unexpected end of a mapping".into())),
                    };
                    let value = self.next_node(depth + 1)?;
                    match key {
                        KeyNode::Scalar { text, plain: true } if text == "<<" => match value {
                            KeyTree::Map(m) => merged.extend(m),
                            KeyTree::Seq(maps) => {
                                for map in maps {
                                    if let KeyTree::Map(m) = map {
                                        merged.extend(m);
                                    }
                                }
                            }
                            KeyTree::Leaf => {}
                        },
                        KeyNode::Scalar { text, plain } => {
                            let text = if plain { yaml11_plain_key(&text).map(str::to_owned).unwrap_or(text) } else { text };
                            entries.push((text, value));
                        }
                        // A non-scalar key: the value decoder refuses the document first.
                        KeyNode::Other => {}
                    }
                }
                for (key, value) in merged {
                    if !entries.iter().any(|(k, _)| *k == key) {
                        entries.push((key, value));
                    }
                }
                let tree = KeyTree::Map(entries);
                self.remember(anchor, &tree);
                Ok(tree)
            }
            _ => Ok(KeyTree::Leaf),
        }
    }
}

impl KeyTree {
    /// The number of nodes in the tree (for the alias expansion bound).
    fn size(&self) -> usize {
        match self {
            KeyTree::Map(entries) => 1 + entries.iter().map(|(_, v)| v.size()).sum::<usize>(),
            KeyTree::Seq(items) => 1 + items.iter().map(KeyTree::size).sum::<usize>(),
            KeyTree::Leaf => 1,
        }
    }
}

/// Whether upstream's universal decoder reads `text` as JSON (`utilyaml.IsJSONBuffer`).
pub(super) fn is_json_buffer(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// sigs.k8s.io/yaml's key for a plain YAML scalar key that go-yaml resolves to a boolean or
/// null (YAML 1.1 spellings); `None` for a key that stays text. Numbers keep their written
/// text: upstream prints a resolved number (`0x10` as `16`), which only an unknown-field
/// message would show.
fn yaml11_plain_key(key: &str) -> Option<&'static str> {
    match key {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => Some("true"),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => Some("false"),
        "" | "~" | "null" | "Null" | "NULL" => Some("null"),
        _ => None,
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
                // The YAML tree's keys are resolved already; sigs.k8s.io/yaml writes them sorted.
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
        let tree: KeyTree = if json { serde_json::from_str(text).unwrap() } else { yaml_key_tree(text).unwrap() };
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
    fn only_plain_yaml_keys_are_resolved() {
        // Quoted, tagged and block keys stay text; plain ones are resolved (seed 402 of the
        // conformance harness: a quoted "y" key is an unknown field "y" upstream).
        let text = "# a comment\napiVersion: apiserver.config.k8s.io/v1 # another\nkind: AuthorizationConfiguration\n\"y\": 1\n'off': 2\n!!str no: 3\n? |-\n  on\n: 4\nNULL: 5\nyEs: 6\nauthorizers: []\n";
        assert_eq!(
            errors(text),
            [
                r#"unknown field "no""#,
                r#"unknown field "null""#,
                r#"unknown field "off""#,
                r#"unknown field "on""#,
                r#"unknown field "y""#,
                r#"unknown field "yEs""#,
            ]
        );
    }

    #[test]
    fn yaml_aliases_and_merge_keys_expand() {
        let text = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- &a {type: RBAC, name: rbac, zz: 1}\n- *a\n- <<: *a\n  name: other\n  yy: 2\n";
        assert_eq!(
            errors(text),
            [
                r#"unknown field "authorizers[0].zz""#,
                r#"unknown field "authorizers[1].zz""#,
                r#"unknown field "authorizers[2].yy""#,
                r#"unknown field "authorizers[2].zz""#,
            ]
        );
    }

    #[test]
    fn yaml_alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        assert_eq!(yaml_key_tree(&text), Err(KeyTreeError::TooLarge));
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 10), "]".repeat(MAX_DEPTH + 10));
        assert!(yaml_key_tree(&deep).is_err());
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
