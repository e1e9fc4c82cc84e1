//! Single-pass decoder for JSON snapshots: objects are decoded straight from the text,
//! without building a tree or scanning each object twice, and secret payloads are skipped
//! unread. (Decoding from a reader would save holding the text, at nearly twice the time;
//! the text is dropped as soon as the objects are decoded.)
//!
//! kubectl writes keys sorted, so `apiVersion` and `kind` come first in every object and
//! the rest of the object can be handed to the kind's own decoder. Anything unusual (keys
//! in another order, nulls, type errors, invalid objects) makes this decoder give up on
//! the file; the caller then reads it with the tree-based decoder, whose errors name the
//! document and field. Giving up is never an answer: nothing decoded here is kept then.

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Snapshot, normalize, served_version};
use crate::model::{Kind, Object};

/// Decodes JSON text, or `None` if it is not a JSON object or anything about it needs the
/// careful decoder.
pub(super) fn try_json(text: &str) -> Option<Snapshot> {
    let mut snapshot = Snapshot::default();
    try_json_into(text, &mut snapshot).then_some(snapshot)
}

/// [`try_json`] appending to `out`; `false` when the careful decoder is needed, and then
/// `out` may hold part of the text's objects (the caller discards them).
pub(super) fn try_json_into(text: &str, out: &mut Snapshot) -> bool {
    if !text.trim_start().starts_with('{') {
        return false;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    if de::Deserializer::deserialize_map(&mut de, ObjectVisitor { out }).is_err() {
        return false;
    }
    // Concatenated documents are rare: leave them to the careful decoder.
    de.end().is_ok()
}

/// Decodes one JSON object: a `List` (its items streamed), a known kind, or a skipped one.
struct ObjectVisitor<'a> {
    out: &'a mut Snapshot,
}

/// Why the streaming decoder gave up (the message is never shown).
#[derive(Debug)]
struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("needs the careful decoder")
    }
}

impl<'de> Visitor<'de> for ObjectVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let give_up = || de::Error::custom(GiveUp);
        let (mut api_version, mut kind): (Option<String>, Option<String>) = (None, None);
        let mut saw_items = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "apiVersion" if api_version.is_none() => api_version = Some(map.next_value()?),
                "kind" if kind.is_none() => kind = Some(map.next_value()?),
                "items" => {
                    map.next_value_seed(ItemsSeed { out: self.out })?;
                    saw_items = true;
                    continue;
                }
                // A List's own fields (metadata) are skipped; any other field before the type
                // is known means an unusual key order.
                _ if saw_items || kind.as_deref().is_some_and(|k| k.ends_with("List")) => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                _ => return Err(give_up()),
            }
            let (Some(av), Some(k)) = (&api_version, &kind) else { continue };
            if k.ends_with("List") {
                continue;
            }
            if saw_items {
                return Err(give_up());
            }
            let Some(known) = Kind::from_type(av, k) else {
                map_rest::<A>(map)?;
                *self.out.skipped.entry(format!("{av}/{k}")).or_default() += 1;
                return Ok(());
            };
            if !served_version(known, av) {
                map_rest::<A>(map)?;
                *self.out.skipped.entry(format!("{av}/{k} (unknown apiVersion)")).or_default() += 1;
                return Ok(());
            }
            let mut object = Object::deserialize_kind(known, MapAccessDeserializer::new(map))?;
            normalize(&mut object).map_err(|_| give_up())?;
            self.out.objects.push(object);
            return Ok(());
        }
        match (saw_items, kind) {
            (true, Some(k)) if k.ends_with("List") => Ok(()),
            _ => Err(give_up()),
        }
    }
}

fn map_rest<'de, A: MapAccess<'de>>(map: A) -> Result<(), A::Error> {
    de::Deserializer::deserialize_map(MapAccessDeserializer::new(map), IgnoredAny).map(|_| ())
}

/// A List's `items`, each decoded as it is read.
struct ItemsSeed<'a> {
    out: &'a mut Snapshot,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Kubernetes objects")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while seq.next_element_seed(ItemSeed { out: self.out })?.is_some() {}
        Ok(())
    }
}

struct ItemSeed<'a> {
    out: &'a mut Snapshot,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(ObjectVisitor { out: self.out })
    }
}
