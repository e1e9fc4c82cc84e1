//! Object uids, kept in 16 bytes when they are what the apiserver assigns.

use std::fmt;

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

/// An object's `metadata.uid` (or a reference's `uid`). The apiserver assigns lowercase,
/// hyphenated UUIDs (36 bytes of text, too long for [`CompactString`]'s inline form); those
/// are kept as their 16 bytes, which saves a heap allocation per object and per owner
/// reference in a large snapshot. Any other text (uppercase, braces, free-form uids in
/// hand-written files) is kept as written.
///
/// Each text has exactly one representation (only the canonical UUID text is packed), so
/// comparing representations compares texts, and the text written back is the text read.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Uid(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Uuid(uuid::Uuid),
    Text(CompactString),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Text(CompactString::default())
    }
}

/// Length of a hyphenated UUID's text.
const UUID_TEXT_LEN: usize = 36;

impl Uid {
    /// The uid written as `text`.
    pub fn new(text: &str) -> Uid {
        if text.len() == UUID_TEXT_LEN
            && let Ok(id) = uuid::Uuid::try_parse(text)
            && id.hyphenated().encode_lower(&mut [0; UUID_TEXT_LEN]) == text
        {
            return Uid(Repr::Uuid(id));
        }
        #[cfg(feature = "mutants")]
        if crate::mutants::active(crate::mutants::Mutant::UidPackAnyUuidForm)
            && let Ok(id) = uuid::Uuid::try_parse(text)
        {
            return Uid(Repr::Uuid(id));
        }
        Uid(Repr::Text(CompactString::new(text)))
    }

    /// Whether the uid is unset (empty text).
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Repr::Text(t) if t.is_empty())
    }

    /// Calls `f` with the uid's text (formatted on the stack for a packed UUID).
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match &self.0 {
            Repr::Uuid(id) => f(id.hyphenated().encode_lower(&mut [0; UUID_TEXT_LEN])),
            Repr::Text(t) => f(t),
        }
    }
}

impl From<&str> for Uid {
    fn from(text: &str) -> Uid {
        Uid::new(text)
    }
}

impl From<String> for Uid {
    fn from(text: String) -> Uid {
        Uid::new(&text)
    }
}

impl PartialEq<str> for Uid {
    fn eq(&self, other: &str) -> bool {
        self.with_str(|s| s == other)
    }
}

impl PartialEq<&str> for Uid {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl PartialEq<CompactString> for Uid {
    fn eq(&self, other: &CompactString) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Uid> for CompactString {
    fn eq(&self, other: &Uid) -> bool {
        other == self.as_str()
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| f.write_str(s))
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| fmt::Debug::fmt(s, f))
    }
}

impl Serialize for Uid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_str(|s| serializer.serialize_str(s))
    }
}

impl<'de> Deserialize<'de> for Uid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Uid;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Uid, E> {
                Ok(Uid::new(v))
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apiserver_uuids_are_packed_and_other_text_kept_as_written() {
        assert_eq!(std::mem::size_of::<Uid>(), 24, "no larger than the string it replaces");
        let packed = Uid::new("7b0e8c1a-0000-4000-8000-000000000012");
        assert!(matches!(packed.0, Repr::Uuid(_)));
        assert_eq!(packed.to_string(), "7b0e8c1a-0000-4000-8000-000000000012");
        // Forms the UUID parser accepts but that are not the canonical text stay text, so
        // they are written back as read and never equal the canonical form.
        for text in [
            "7B0E8C1A-0000-4000-8000-000000000012",
            "7b0e8c1a000040008000000000000012",
            "{7b0e8c1a-0000-4000-8000-000000000012}",
            "urn:uuid:7b0e8c1a-0000-4000-8000-000000000012",
            "pod1uid",
            "",
        ] {
            let uid = Uid::new(text);
            assert!(matches!(uid.0, Repr::Text(_)), "{text}");
            assert_eq!(uid.to_string(), text);
            assert_eq!(uid, *text);
            assert_ne!(uid, packed);
        }
        assert!(Uid::default().is_empty() && !packed.is_empty());
        assert_eq!(packed, Uid::from("7b0e8c1a-0000-4000-8000-000000000012"));
        assert_ne!(packed, Uid::from("7b0e8c1a-0000-4000-8000-000000000013"));
    }

    #[test]
    fn uids_round_trip_through_json() {
        for text in ["7b0e8c1a-0000-4000-8000-000000000012", "Some-UID", "caf\u{e9}"] {
            let json = serde_json::to_string(text).unwrap();
            let uid: Uid = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&uid).unwrap(), json);
            assert_eq!(format!("{uid:?}"), format!("{text:?}"));
        }
        // An escaped canonical UUID is the same uid as the plain one.
        let escaped: Uid = serde_json::from_str(r#""7b0e8c1a\u002d0000-4000-8000-000000000012""#).unwrap();
        assert_eq!(escaped, Uid::new("7b0e8c1a-0000-4000-8000-000000000012"));
        assert!(serde_json::from_str::<Uid>("12").is_err(), "a uid is a string");
    }
}
