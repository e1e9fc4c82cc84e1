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
//! forgets it). A key repeated in a YAML map (after resolution; `<<` merges included) is
//! go-yaml's strict error `line N: key K already set in map`, reported before the field errors,
//! while the non-strict conversion the field errors come from keeps the last value.

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
        // JSON object keys are strings (the YAML tree is built from parser events instead).
        while let Some((key, value)) = map.next_entry::<String, KeyTree>()? {
            entries.push((key, value));
        }
        Ok(KeyTree::Map(entries))
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

/// A YAML document's keys as upstream reads them: the tree its (non-strict) YAML-to-JSON
/// conversion yields, and the errors its strict conversion adds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct YamlKeys {
    /// Every map's keys, resolved and converted to JSON object keys; a repeated key keeps
    /// its last value (go-yaml's non-strict decoding overwrites).
    pub tree: KeyTree,
    /// go-yaml's strict decoding errors (`line N: key "k" already set in map`), in decoding order.
    pub duplicates: Vec<String>,
}

/// Reads a YAML document's first node from the parser's events, resolving each plain,
/// untagged key as go-yaml does (YAML 1.1 booleans and nulls; every other key, quoted, block
/// or tagged, is text). Aliases expand to their anchor's node and `<<` merge keys insert the
/// merged maps' entries where they stand, as go-yaml does.
pub(super) fn yaml_key_tree(text: &str) -> Result<YamlKeys, KeyTreeError> {
    let mut builder = YamlTreeBuilder { parser: granit_parser::Parser::new_from_str(text), anchors: Vec::new(), nodes: 0 };
    let root = loop {
        match builder.next()? {
            None => break YamlNode::Leaf,
            Some((granit_parser::Event::StreamStart | granit_parser::Event::DocumentStart(..), _)) => continue,
            Some((granit_parser::Event::StreamEnd | granit_parser::Event::DocumentEnd, _)) => break YamlNode::Leaf,
            Some((event, _)) => break builder.node(event, 0)?,
        }
    };
    let mut duplicates = Vec::new();
    strict_duplicates(&root, &mut duplicates);
    Ok(YamlKeys { tree: root.to_key_tree(), duplicates })
}

/// A resolved YAML map key (go-yaml decodes keys into typed values).
#[derive(Debug, Clone, PartialEq)]
enum YamlKey {
    Str(String),
    Bool(bool),
    Null,
}

impl YamlKey {
    /// go-yaml's value for a key: a plain key spelled as a YAML 1.1 boolean or null is one;
    /// every other key (quoted, tagged, block, or any other spelling) is text. Numbers keep
    /// their written text: upstream prints a resolved number (`0x10` as `16`), which only an
    /// unknown-field message would show.
    fn resolve(text: String, plain: bool) -> YamlKey {
        if !plain {
            return YamlKey::Str(text);
        }
        match text.as_str() {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => YamlKey::Bool(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => YamlKey::Bool(false),
            "" | "~" | "null" | "Null" | "NULL" => YamlKey::Null,
            _ => YamlKey::Str(text),
        }
    }

    /// The JSON object key sigs.k8s.io/yaml writes.
    fn json_key(&self) -> String {
        match self {
            YamlKey::Str(s) => s.clone(),
            YamlKey::Bool(b) => b.to_string(),
            YamlKey::Null => "null".to_owned(),
        }
    }

    /// Go's `%#v` of the decoded key.
    fn go_syntax(&self) -> String {
        match self {
            YamlKey::Str(s) => crate::gostr::quote(s),
            YamlKey::Bool(b) => b.to_string(),
            YamlKey::Null => "<nil>".to_owned(),
        }
    }
}

/// A YAML node with every entry kept (duplicates, merge keys) and each value's line.
#[derive(Debug, Clone)]
enum YamlNode {
    Map(Vec<YamlEntry>),
    Seq(Vec<YamlNode>),
    Leaf,
}

#[derive(Debug, Clone)]
enum YamlEntry {
    /// `key: value`; `line` is the value's first line (go-yaml's error position).
    Pair { key: YamlKey, line: usize, value: YamlNode },
    /// `<<: value`.
    Merge(YamlNode),
    /// A key that is not a scalar (the value decoder refuses the document first).
    Other,
}

impl YamlNode {
    /// The node's size, for the alias expansion bound.
    fn size(&self) -> usize {
        match self {
            YamlNode::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|e| match e {
                        YamlEntry::Pair { value, .. } | YamlEntry::Merge(value) => value.size(),
                        YamlEntry::Other => 1,
                    })
                    .sum::<usize>()
            }
            YamlNode::Seq(items) => 1 + items.iter().map(YamlNode::size).sum::<usize>(),
            YamlNode::Leaf => 1,
        }
    }

    /// The tree go-yaml's non-strict decoding converts to JSON: entries in order, merged
    /// maps inserted where the merge key stands (a sequence of them from the last), a later
    /// value overwriting an earlier one.
    fn to_key_tree(&self) -> KeyTree {
        match self {
            YamlNode::Map(entries) => KeyTree::Map(Self::map_entries(entries).into_iter().map(|(k, v)| (k.json_key(), v)).collect()),
            YamlNode::Seq(items) => KeyTree::Seq(items.iter().map(YamlNode::to_key_tree).collect()),
            YamlNode::Leaf => KeyTree::Leaf,
        }
    }

    /// A map's entries with typed keys, after merges and overwrites.
    fn map_entries(entries: &[YamlEntry]) -> Vec<(YamlKey, KeyTree)> {
        fn set(out: &mut Vec<(YamlKey, KeyTree)>, key: YamlKey, value: KeyTree) {
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
        fn merge(out: &mut Vec<(YamlKey, KeyTree)>, node: &YamlNode) {
            match node {
                YamlNode::Map(entries) => {
                    for (k, v) in YamlNode::map_entries(entries) {
                        set(out, k, v);
                    }
                }
                YamlNode::Seq(items) => items.iter().rev().for_each(|i| merge(out, i)),
                YamlNode::Leaf => {}
            }
        }
        let mut out = Vec::new();
        for entry in entries {
            match entry {
                YamlEntry::Pair { key, value, .. } => set(&mut out, key.clone(), value.to_key_tree()),
                YamlEntry::Merge(node) => merge(&mut out, node),
                YamlEntry::Other => {}
            }
        }
        out
    }
}

/// go-yaml's strict decoding of `node` into a generic map: a value is decoded (and its own
/// errors recorded) before its key is set; a key already set is an error at the value's
/// line and keeps the first value.
fn strict_duplicates(node: &YamlNode, out: &mut Vec<String>) {
    fn map_into(entries: &[YamlEntry], set: &mut Vec<YamlKey>, out: &mut Vec<String>) {
        for entry in entries {
            match entry {
                YamlEntry::Pair { key, line, value } => {
                    strict_duplicates(value, out);
                    if set.contains(key) {
                        out.push(format!("line {line}: key {} already set in map", key.go_syntax()));
                    } else {
                        set.push(key.clone());
                    }
                }
                YamlEntry::Merge(node) => merge_into(node, set, out),
                YamlEntry::Other => {}
            }
        }
    }
    fn merge_into(node: &YamlNode, set: &mut Vec<YamlKey>, out: &mut Vec<String>) {
        match node {
            YamlNode::Map(entries) => map_into(entries, set, out),
            YamlNode::Seq(items) => items.iter().rev().for_each(|i| merge_into(i, set, out)),
            YamlNode::Leaf => {}
        }
    }
    match node {
        YamlNode::Map(entries) => map_into(entries, &mut Vec::new(), out),
        YamlNode::Seq(items) => items.iter().for_each(|i| strict_duplicates(i, out)),
        YamlNode::Leaf => {}
    }
}

type Spanned<'a> = (granit_parser::Event<'a>, granit_parser::Span);

struct YamlTreeBuilder<'a> {
    parser: granit_parser::Parser<'a, granit_parser::StrInput<'a>>,
    /// Anchored nodes, by anchor id.
    anchors: Vec<(usize, YamlNode)>,
    nodes: usize,
}

impl<'a> YamlTreeBuilder<'a> {
    /// The next event and its span, comments skipped.
    fn next(&mut self) -> Result<Option<Spanned<'a>>, KeyTreeError> {
        loop {
            return match self.parser.next_event() {
                None => Ok(None),
                Some(Ok((granit_parser::Event::Comment(..), _))) => continue,
                Some(Ok(spanned)) => Ok(Some(spanned)),
                Some(Err(e)) => Err(KeyTreeError::Syntax(e.to_string())),
            };
        }
    }

    fn count(&mut self, n: usize) -> Result<(), KeyTreeError> {
        self.nodes += n;
        if self.nodes > MAX_NODES { Err(KeyTreeError::TooLarge) } else { Ok(()) }
    }

    fn remember(&mut self, anchor: usize, node: &YamlNode) {
        if anchor != 0 {
            self.anchors.push((anchor, node.clone()));
        }
    }

    fn node(&mut self, event: granit_parser::Event<'a>, depth: usize) -> Result<YamlNode, KeyTreeError> {
        use granit_parser::Event;
        if depth > MAX_DEPTH {
            return Err(KeyTreeError::TooLarge);
        }
        self.count(1)?;
        match event {
            Event::Alias(id) => {
                let node = self.anchors.iter().rev().find(|(a, _)| *a == id).map(|(_, n)| n.clone()).unwrap_or(YamlNode::Leaf);
                self.count(node.size())?;
                Ok(node)
            }
            Event::Scalar(_, _, anchor, _) => {
                self.remember(anchor, &YamlNode::Leaf);
                Ok(YamlNode::Leaf)
            }
            Event::SequenceStart(_, anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Some((Event::SequenceEnd, _)) => break,
                        Some((event, _)) => items.push(self.node(event, depth + 1)?),
                        None => return Err(KeyTreeError::Syntax("unexpected end of a sequence".into())),
                    }
                }
                let node = YamlNode::Seq(items);
                self.remember(anchor, &node);
                Ok(node)
            }
            Event::MappingStart(_, anchor, _) => {
                let mut entries = Vec::new();
                loop {
                    let key = match self.next()? {
                        Some((Event::MappingEnd, _)) => break,
                        Some((Event::Scalar(text, style, key_anchor, tag), _)) => {
                            self.remember(key_anchor, &YamlNode::Leaf);
                            #[allow(unused_mut)]
                            let mut plain = style == granit_parser::ScalarStyle::Plain && tag.is_none();
                            #[cfg(feature = "mutants")]
                            if crate::mutants::active(crate::mutants::Mutant::AuthzConfigResolveQuotedKeys) {
                                plain = true;
                            }
                            Some((text.into_owned(), plain))
                        }
                        Some((event, _)) => {
                            self.node(event, depth + 1)?;
                            None
                        }
                        None => return Err(KeyTreeError::Syntax("unexpected end of a mapping".into())),
                    };
                    let Some((event, span)) = self.next()? else {
                        return Err(KeyTreeError::Syntax("unexpected end of a mapping".into()));
                    };
                    let line = span.start.line();
                    let value = self.node(event, depth + 1)?;
                    entries.push(match key {
                        Some((text, true)) if text == "<<" => YamlEntry::Merge(value),
                        Some((text, plain)) => YamlEntry::Pair { key: YamlKey::resolve(text, plain), line, value },
                        None => YamlEntry::Other,
                    });
                }
                let node = YamlNode::Map(entries);
                self.remember(anchor, &node);
                Ok(node)
            }
            _ => Ok(YamlNode::Leaf),
        }
    }
}

/// Whether upstream's universal decoder reads `text` as JSON (`utilyaml.IsJSONBuffer`).
pub(super) fn is_json_buffer(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// The strict decoding errors (`unknown field "…"`, `duplicate field "…"`), deduplicated
/// and in decoding order; empty when the document decodes strictly.
/// `yaml_duplicates` are go-yaml's strict errors for a YAML document: they come first, as one
/// error (`yaml: unmarshal errors:` and one indented line each).
pub(super) fn strict_errors(tree: &KeyTree, from_yaml: bool, yaml_duplicates: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if !yaml_duplicates.is_empty() {
        out.push(format!("yaml: unmarshal errors:\n  {}", yaml_duplicates.join("\n  ")));
    }
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
        if json {
            strict_errors(&serde_json::from_str(text).unwrap(), false, &[])
        } else {
            let keys = yaml_key_tree(text).unwrap();
            strict_errors(&keys.tree, true, &keys.duplicates)
        }
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
                // go-yaml's strict decoding: the merge set "name" before the explicit key.
                "yaml: unmarshal errors:\n  line 7: key \"name\" already set in map",
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
