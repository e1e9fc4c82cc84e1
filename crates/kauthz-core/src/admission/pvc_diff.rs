//! NodeRestriction's check of a node's PersistentVolumeClaim status update.
//!
//! A node may only change a PVC's status capacity and conditions (and, with volume expansion
//! recovery, the allocated resources and their statuses). Upstream compares copies of the
//! old and new internal objects with those fields, `metadata.resourceVersion` and
//! `metadata.managedFields` cleared, using apimachinery's semantic equality, and when they
//! differ puts a unified diff of their indented JSON into the denial. This module restates
//! the whole path over the v1 JSON an admission request carries:
//!
//! * decoding as Kubernetes' JSON serializer does (case-sensitive keys, unknown fields
//!   dropped, `null` giving zero values, nil versus empty collections kept apart);
//! * the v1 to internal conversion, a field-for-field copy that leaves the type meta empty;
//! * semantic equality: quantities by value, times by instant, nil and empty slices and
//!   maps alike;
//! * the JSON of the internal type, whose structs mostly carry no JSON tags (Go field
//!   names, nothing omitted), with Go's escaping, sorted map keys, quantities in canonical
//!   form (or as written, when upstream's parser keeps the text) and RFC 3339 times;
//! * the line diff ([`super::difflib`]).
//!
//! Checked byte for byte against upstream on generated pairs (`tests/pvc_diff_fixture.rs`).
//! Known limits, none of which the apiserver's own serialization produces:
//!
//! * inputs the Go decoder rejects (a value of the wrong JSON type, an unparsable quantity
//!   or time) cannot reach admission; here such a value is taken as the field's zero value;
//! * a quantity given as a JSON *number* is seen through `serde_json`'s parsed number, not
//!   its source text: `1e3` (kept as `"1e3"` by upstream) reads as `1000.0`, integers beyond
//!   64 bits lose precision; quantity strings with JSON escapes are seen unescaped;
//! * duplicate object keys are resolved by `serde_json` (last wins) before this code runs,
//!   where Go would merge a repeated map or struct;
//! * quantities whose exponent would make upstream compute with billions of digits are
//!   refused (taken as zero) instead.
//!
//! The apiserver defaults both objects before admission; AdmissionReview objects are
//! already defaulted, other callers must default first to get upstream's answer.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::Value;

use super::difflib;
use crate::model::quantity::Quantity;

/// `None` when upstream would find the PVCs semantically equal after blanking; otherwise the
/// text `diff.Diff(oldInternalPVC, newInternalPVC)` produces.
///
/// `old` and `new` are v1 PersistentVolumeClaim objects as an AdmissionReview carries them
/// (`oldObject`, `object`). `expansion_recovery` is the RecoverVolumeExpansionFailure gate
/// (locked on in v1.37): when set, `status.allocatedResources` and
/// `status.allocatedResourceStatuses` are ignored as well. The caller builds upstream's
/// message as `node "<name>" is not allowed to update fields other than status.quantity and
/// status.conditions: <diff>`.
pub fn pvc_status_update_diff(old: &Value, new: &Value, expansion_recovery: bool) -> Option<String> {
    let old = decode_for_comparison(old, expansion_recovery);
    let new = decode_for_comparison(new, expansion_recovery);
    if semantic_eq(&old, &new) {
        return None;
    }
    let a = difflib::split_lines(&to_pretty_json(&old, &PVC));
    let b = difflib::split_lines(&to_pretty_json(&new, &PVC));
    Some(difflib::unified_diff(&a, &b, 3))
}

/// Decodes a v1 PVC into the internal layout and clears what upstream ignores.
fn decode_for_comparison(v: &Value, expansion_recovery: bool) -> V {
    fn set(fields: &mut [V], index: usize, value: V) {
        if let Some(slot) = fields.get_mut(index) {
            *slot = value;
        }
    }
    let mut pvc = decode(&PVC, v);
    if let V::Struct(top) = &mut pvc {
        if let Some(V::Struct(meta)) = top.get_mut(TOP_METADATA) {
            set(meta, META_RESOURCE_VERSION, V::Str(String::new()));
            set(meta, META_MANAGED_FIELDS, V::Nil);
        }
        if let Some(V::Struct(status)) = top.get_mut(TOP_STATUS) {
            set(status, STATUS_CAPACITY, V::Nil);
            set(status, STATUS_CONDITIONS, V::Nil);
            if expansion_recovery {
                set(status, STATUS_ALLOCATED_RESOURCES, V::Nil);
                set(status, STATUS_ALLOCATED_RESOURCE_STATUSES, V::Nil);
            }
        }
    }
    pvc
}

// ---------------------------------------------------------------------------------------
// Schema: the v1 wire names (for decoding) and the internal type's JSON (for the diff).
// ---------------------------------------------------------------------------------------

/// The Go type of a field, as far as decoding, equality and encoding tell apart.
#[derive(Debug)]
enum Ty {
    /// A string (or string-kinded type).
    Str,
    /// An int64.
    I64,
    /// A bool.
    Bool,
    /// `metav1.Time`.
    Time,
    /// `resource.Quantity`.
    Qty,
    /// A field never decoded because upstream clears it before comparing; always nil.
    Cleared,
    /// A pointer.
    Ptr(&'static Ty),
    /// A slice.
    Slice(&'static Ty),
    /// A map with string keys.
    Map(&'static Ty),
    /// A struct.
    Struct(&'static [Field]),
}

/// A struct field.
#[derive(Debug)]
struct Field {
    /// The key in v1 JSON.
    wire: &'static str,
    /// The key in the internal type's JSON.
    name: &'static str,
    /// `omitempty` in the internal type.
    omitempty: bool,
    /// `omitzero` in the internal type.
    omitzero: bool,
    /// Embedded without a tag in the internal type: its fields are promoted.
    inline: bool,
    ty: &'static Ty,
}

/// A field whose v1 and internal JSON names are the same (metav1 types, tagged alike).
const fn tagged(name: &'static str, omitempty: bool, ty: &'static Ty) -> Field {
    Field { wire: name, name, omitempty, omitzero: false, inline: false, ty }
}

/// A field of an internal core type: Go field name, nothing omitted.
const fn untagged(wire: &'static str, name: &'static str, ty: &'static Ty) -> Field {
    Field { wire, name, omitempty: false, omitzero: false, inline: false, ty }
}

const STR: Ty = Ty::Str;
const PTR_STR: Ty = Ty::Ptr(&STR);
const STRS: Ty = Ty::Slice(&STR);
const STR_MAP: Ty = Ty::Map(&STR);
const QTY_MAP: Ty = Ty::Map(&Ty::Qty);
const PTR_BOOL: Ty = Ty::Ptr(&Ty::Bool);

const OWNER_REFERENCE: Ty = Ty::Struct(&[
    tagged("apiVersion", false, &STR),
    tagged("kind", false, &STR),
    tagged("name", false, &STR),
    tagged("uid", false, &STR),
    tagged("controller", true, &PTR_BOOL),
    tagged("blockOwnerDeletion", true, &PTR_BOOL),
]);

const OBJECT_META: Ty = Ty::Struct(&[
    tagged("name", true, &STR),
    tagged("generateName", true, &STR),
    tagged("namespace", true, &STR),
    tagged("selfLink", true, &STR),
    tagged("uid", true, &STR),
    tagged("resourceVersion", true, &STR),
    tagged("generation", true, &Ty::I64),
    Field { wire: "creationTimestamp", name: "creationTimestamp", omitempty: true, omitzero: true, inline: false, ty: &Ty::Time },
    tagged("deletionTimestamp", true, &Ty::Ptr(&Ty::Time)),
    tagged("deletionGracePeriodSeconds", true, &Ty::Ptr(&Ty::I64)),
    tagged("labels", true, &STR_MAP),
    tagged("annotations", true, &STR_MAP),
    tagged("ownerReferences", true, &Ty::Slice(&OWNER_REFERENCE)),
    tagged("finalizers", true, &STRS),
    tagged("managedFields", true, &Ty::Cleared),
]);
const META_RESOURCE_VERSION: usize = 5;
const META_MANAGED_FIELDS: usize = 14;

const LABEL_SELECTOR_REQUIREMENT: Ty =
    Ty::Struct(&[tagged("key", false, &STR), tagged("operator", false, &STR), tagged("values", true, &STRS)]);

const LABEL_SELECTOR: Ty =
    Ty::Struct(&[tagged("matchLabels", true, &STR_MAP), tagged("matchExpressions", true, &Ty::Slice(&LABEL_SELECTOR_REQUIREMENT))]);

const TYPED_LOCAL_OBJECT_REFERENCE: Ty =
    Ty::Struct(&[untagged("apiGroup", "APIGroup", &PTR_STR), untagged("kind", "Kind", &STR), untagged("name", "Name", &STR)]);

const TYPED_OBJECT_REFERENCE: Ty = Ty::Struct(&[
    untagged("apiGroup", "APIGroup", &PTR_STR),
    untagged("kind", "Kind", &STR),
    untagged("name", "Name", &STR),
    untagged("namespace", "Namespace", &PTR_STR),
]);

const VOLUME_RESOURCE_REQUIREMENTS: Ty = Ty::Struct(&[untagged("limits", "Limits", &QTY_MAP), untagged("requests", "Requests", &QTY_MAP)]);

const SPEC: Ty = Ty::Struct(&[
    untagged("accessModes", "AccessModes", &STRS),
    untagged("selector", "Selector", &Ty::Ptr(&LABEL_SELECTOR)),
    untagged("resources", "Resources", &VOLUME_RESOURCE_REQUIREMENTS),
    untagged("volumeName", "VolumeName", &STR),
    untagged("storageClassName", "StorageClassName", &PTR_STR),
    untagged("volumeMode", "VolumeMode", &PTR_STR),
    untagged("dataSource", "DataSource", &Ty::Ptr(&TYPED_LOCAL_OBJECT_REFERENCE)),
    untagged("dataSourceRef", "DataSourceRef", &Ty::Ptr(&TYPED_OBJECT_REFERENCE)),
    untagged("volumeAttributesClassName", "VolumeAttributesClassName", &PTR_STR),
]);

const MODIFY_VOLUME_STATUS: Ty =
    Ty::Struct(&[untagged("targetVolumeAttributesClassName", "TargetVolumeAttributesClassName", &STR), untagged("status", "Status", &STR)]);

const VOLUME_HEALTH_CONDITION: Ty =
    Ty::Struct(&[untagged("status", "Status", &STR), untagged("reason", "Reason", &STR), untagged("message", "Message", &STR)]);

const VOLUME_HEALTH_STATUS: Ty = Ty::Struct(&[
    untagged("healthConditions", "HealthConditions", &Ty::Slice(&VOLUME_HEALTH_CONDITION)),
    untagged("lastTransitionTime", "LastTransitionTime", &Ty::Time),
]);

const STATUS: Ty = Ty::Struct(&[
    untagged("phase", "Phase", &STR),
    untagged("accessModes", "AccessModes", &STRS),
    untagged("capacity", "Capacity", &Ty::Cleared),
    untagged("conditions", "Conditions", &Ty::Cleared),
    untagged("allocatedResources", "AllocatedResources", &QTY_MAP),
    untagged("allocatedResourceStatuses", "AllocatedResourceStatuses", &STR_MAP),
    untagged("currentVolumeAttributesClassName", "CurrentVolumeAttributesClassName", &PTR_STR),
    untagged("modifyVolumeStatus", "ModifyVolumeStatus", &Ty::Ptr(&MODIFY_VOLUME_STATUS)),
    untagged("healthStatus", "HealthStatus", &Ty::Ptr(&VOLUME_HEALTH_STATUS)),
]);
const STATUS_CAPACITY: usize = 2;
const STATUS_CONDITIONS: usize = 3;
const STATUS_ALLOCATED_RESOURCES: usize = 4;
const STATUS_ALLOCATED_RESOURCE_STATUSES: usize = 5;

/// The internal PVC: empty type meta (omitted), object meta promoted, then `Spec`, `Status`.
const PVC: Ty = Ty::Struct(&[
    Field { wire: "metadata", name: "", omitempty: false, omitzero: false, inline: true, ty: &OBJECT_META },
    untagged("spec", "Spec", &SPEC),
    untagged("status", "Status", &STATUS),
]);
const TOP_METADATA: usize = 0;
const TOP_STATUS: usize = 2;

// ---------------------------------------------------------------------------------------
// Values.
// ---------------------------------------------------------------------------------------

/// A decoded Go value.
#[derive(Clone, Debug)]
enum V {
    Str(String),
    I64(i64),
    Bool(bool),
    Time(GoTime),
    Qty(Quantity),
    /// A nil pointer, slice or map.
    Nil,
    Ptr(Box<V>),
    Slice(Vec<V>),
    Map(BTreeMap<String, V>),
    Struct(Vec<V>),
}

fn zero(ty: &Ty) -> V {
    match ty {
        Ty::Str => V::Str(String::new()),
        Ty::I64 => V::I64(0),
        Ty::Bool => V::Bool(false),
        Ty::Time => V::Time(GoTime::ZERO),
        Ty::Qty => V::Qty(Quantity::zero()),
        Ty::Cleared | Ty::Ptr(_) | Ty::Slice(_) | Ty::Map(_) => V::Nil,
        Ty::Struct(fields) => V::Struct(fields.iter().map(|f| zero(f.ty)).collect()),
    }
}

/// Decodes `v` as Go's JSON decoder would into a fresh value of type `ty`; a value of the
/// wrong shape leaves the zero value.
fn decode(ty: &Ty, v: &Value) -> V {
    if v.is_null() {
        return zero(ty);
    }
    match (ty, v) {
        (Ty::Str, Value::String(s)) => V::Str(s.clone()),
        (Ty::I64, Value::Number(n)) => V::I64(n.as_i64().unwrap_or(0)),
        (Ty::Bool, Value::Bool(b)) => V::Bool(*b),
        (Ty::Time, Value::String(s)) => V::Time(GoTime::parse_rfc3339(s).unwrap_or(GoTime::ZERO)),
        (Ty::Qty, Value::String(s)) => V::Qty(Quantity::parse(s.trim()).unwrap_or_else(|_| Quantity::zero())),
        (Ty::Qty, Value::Number(n)) => V::Qty(Quantity::parse(&n.to_string()).unwrap_or_else(|_| Quantity::zero())),
        (Ty::Ptr(inner), v) => V::Ptr(Box::new(decode(inner, v))),
        (Ty::Slice(inner), Value::Array(items)) => V::Slice(items.iter().map(|i| decode(inner, i)).collect()),
        (Ty::Map(inner), Value::Object(map)) => V::Map(map.iter().map(|(k, i)| (k.clone(), decode(inner, i))).collect()),
        (Ty::Struct(fields), Value::Object(map)) => V::Struct(
            fields
                .iter()
                .map(|f| match (f.ty, map.get(f.wire)) {
                    (Ty::Cleared, _) | (_, None) => zero(f.ty),
                    (ty, Some(v)) => decode(ty, v),
                })
                .collect(),
        ),
        _ => zero(ty),
    }
}

/// apimachinery's `Semantic.DeepEqual` over two values of the same type.
fn semantic_eq(a: &V, b: &V) -> bool {
    fn empty(v: &V) -> bool {
        match v {
            V::Nil => true,
            V::Slice(s) => s.is_empty(),
            V::Map(m) => m.is_empty(),
            _ => false,
        }
    }
    match (a, b) {
        (V::Str(x), V::Str(y)) => x == y,
        (V::I64(x), V::I64(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Time(x), V::Time(y)) => x == y,
        (V::Qty(x), V::Qty(y)) => x.cmp_value(y) == std::cmp::Ordering::Equal,
        (V::Ptr(x), V::Ptr(y)) => semantic_eq(x, y),
        (V::Struct(x), V::Struct(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| semantic_eq(x, y)),
        (V::Slice(x), V::Slice(y)) if !x.is_empty() || !y.is_empty() => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| semantic_eq(x, y))
        }
        (V::Map(x), V::Map(y)) if !x.is_empty() || !y.is_empty() => {
            x.len() == y.len() && x.iter().all(|(k, xv)| y.get(k).is_some_and(|yv| semantic_eq(xv, yv)))
        }
        (V::Nil, V::Nil) => true,
        // Nil and empty collections are equal; a nil pointer never equals a non-nil one.
        (x, y) if matches!(x, V::Nil | V::Slice(_) | V::Map(_)) && matches!(y, V::Nil | V::Slice(_) | V::Map(_)) => empty(x) && empty(y),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Encoding: `json.MarshalIndent(obj, "", " ")`.
// ---------------------------------------------------------------------------------------

fn to_pretty_json(v: &V, ty: &Ty) -> String {
    let mut out = String::new();
    encode(v, ty, 0, &mut out);
    out
}

fn indent(depth: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..depth {
        out.push(' ');
    }
}

/// Whether `omitempty` drops this value.
fn is_empty_value(v: &V) -> bool {
    match v {
        V::Str(s) => s.is_empty(),
        V::I64(i) => *i == 0,
        V::Bool(b) => !*b,
        V::Nil => true,
        V::Slice(s) => s.is_empty(),
        V::Map(m) => m.is_empty(),
        V::Time(_) | V::Qty(_) | V::Ptr(_) | V::Struct(_) => false,
    }
}

/// Whether `omitzero` drops this value (only used for times).
fn is_zero_value(v: &V) -> bool {
    match v {
        V::Time(t) => t.is_zero(),
        V::Nil => true,
        _ => false,
    }
}

/// Collects the (name, value, type) members a struct contributes to its JSON object.
fn struct_members<'v>(fields: &'static [Field], values: &'v [V], members: &mut Vec<(&'static str, &'v V, &'static Ty)>) {
    for (f, v) in fields.iter().zip(values) {
        if f.inline {
            if let (Ty::Struct(inner), V::Struct(inner_values)) = (f.ty, v) {
                struct_members(inner, inner_values, members);
            }
            continue;
        }
        if (f.omitempty && is_empty_value(v)) || (f.omitzero && is_zero_value(v)) {
            continue;
        }
        members.push((f.name, v, f.ty));
    }
}

fn encode(v: &V, ty: &Ty, depth: usize, out: &mut String) {
    match (v, ty) {
        (V::Str(s), _) => push_go_json_string(s, out),
        (V::I64(i), _) => {
            let _ = write!(out, "{i}");
        }
        (V::Bool(b), _) => out.push_str(if *b { "true" } else { "false" }),
        (V::Time(t), _) => match t.format_rfc3339() {
            Some(s) => {
                out.push('"');
                out.push_str(&s);
                out.push('"');
            }
            None => out.push_str("null"),
        },
        (V::Qty(q), _) => {
            out.push('"');
            out.push_str(&q.to_json_text());
            out.push('"');
        }
        (V::Nil, _) => out.push_str("null"),
        (V::Ptr(inner), Ty::Ptr(inner_ty)) => encode(inner, inner_ty, depth, out),
        (V::Slice(items), Ty::Slice(inner_ty)) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                indent(depth + 1, out);
                encode(item, inner_ty, depth + 1, out);
            }
            indent(depth, out);
            out.push(']');
        }
        (V::Map(map), Ty::Map(inner_ty)) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (n, (k, item)) in map.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                indent(depth + 1, out);
                push_go_json_string(k, out);
                out.push_str(": ");
                encode(item, inner_ty, depth + 1, out);
            }
            indent(depth, out);
            out.push('}');
        }
        (V::Struct(values), Ty::Struct(fields)) => {
            let mut members = Vec::new();
            struct_members(fields, values, &mut members);
            if members.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (n, (name, item, item_ty)) in members.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                indent(depth + 1, out);
                push_go_json_string(name, out);
                out.push_str(": ");
                encode(item, item_ty, depth + 1, out);
            }
            indent(depth, out);
            out.push('}');
        }
        // Values always match their schema; nothing else is built.
        _ => out.push_str("null"),
    }
}

/// A JSON string as Go's `encoding/json` writes it with HTML escaping on.
fn push_go_json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 || c == '<' || c == '>' || c == '&' => {
                let b = c as u32 as u8;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------
// Times: `metav1.Time`, RFC 3339 in, RFC 3339 (UTC, whole seconds) out.
// ---------------------------------------------------------------------------------------

/// An instant: seconds since the Unix epoch and nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct GoTime {
    secs: i64,
    nanos: u32,
}

use crate::model::values::days_from_civil;

/// The proleptic Gregorian date of a day count from 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl GoTime {
    /// Go's zero `time.Time`: January 1, year 1, 00:00:00 UTC.
    const ZERO: GoTime = GoTime { secs: -62_135_596_800, nanos: 0 };

    fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }

    /// `time.Parse(time.RFC3339, s)`: its strict fast path and the general layout parser
    /// it falls back to (which also takes a one-digit hour, a comma before the fraction,
    /// and offsets up to 24 hours or 60 minutes).
    fn parse_rfc3339(s: &str) -> Option<GoTime> {
        let b = s.as_bytes();
        let digit = |i: usize| b.get(i).copied().filter(u8::is_ascii_digit).map(|c| i64::from(c - b'0'));
        let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
        let year = digit(0)? * 1000 + digit(1)? * 100 + digit(2)? * 10 + digit(3)?;
        if b.get(4) != Some(&b'-') {
            return None;
        }
        let month = two(5)?;
        if b.get(7) != Some(&b'-') {
            return None;
        }
        let day = two(8)?;
        if b.get(10) != Some(&b'T') {
            return None;
        }
        let mut p = 11;
        let hour = match (digit(p), digit(p + 1)) {
            (Some(h1), Some(h2)) => {
                p += 2;
                h1 * 10 + h2
            }
            (Some(h), None) => {
                p += 1;
                h
            }
            _ => return None,
        };
        if b.get(p) != Some(&b':') {
            return None;
        }
        let min = two(p + 1)?;
        if b.get(p + 3) != Some(&b':') {
            return None;
        }
        let sec = two(p + 4)?;
        p += 6;
        if !(1..=12).contains(&month) || hour >= 24 || min >= 60 || sec >= 60 {
            return None;
        }
        let mut nanos = 0i64;
        if matches!(b.get(p), Some(b'.' | b',')) && digit(p + 1).is_some() {
            let mut n = p + 1;
            let mut count = 0;
            while let Some(d) = digit(n) {
                if count < 9 {
                    nanos = nanos * 10 + d;
                    count += 1;
                }
                n += 1;
            }
            for _ in count..9 {
                nanos *= 10;
            }
            p = n;
        }
        let offset = match b.get(p) {
            Some(b'Z') if p + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if p + 6 == b.len() && b[p + 3] == b':' => {
                let hr = two(p + 1)?;
                let mm = two(p + 4)?;
                if hr > 24 || mm > 60 {
                    return None;
                }
                let off = (hr * 60 + mm) * 60;
                if *sign == b'-' { -off } else { off }
            }
            _ => return None,
        };
        if day < 1 || day > days_in(month, year) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset;
        Some(GoTime { secs, nanos: u32::try_from(nanos).ok()? })
    }

    /// `metav1.Time`'s JSON text: `None` (null) for the zero time, else RFC 3339 in UTC
    /// without fractional seconds.
    fn format_rfc3339(&self) -> Option<String> {
        if self.is_zero() {
            return None;
        }
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let year = if y < 0 { format!("-{:04}", -y) } else { format!("{y:04}") };
        Some(format!("{year}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pvc(status_phase: &str, label: &str) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "c", "namespace": "ns", "resourceVersion": "7",
                         "labels": {"a": label}, "creationTimestamp": "2024-01-02T03:04:05Z"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": status_phase, "capacity": {"storage": "1Gi"}}
        })
    }

    #[test]
    fn ignored_fields_give_none() {
        let mut new = pvc("Bound", "x");
        new["metadata"]["resourceVersion"] = json!("8");
        new["status"]["capacity"]["storage"] = json!("2Gi");
        new["status"]["allocatedResources"] = json!({"storage": "2Gi"});
        assert_eq!(pvc_status_update_diff(&pvc("Bound", "x"), &new, true), None);
        assert!(pvc_status_update_diff(&pvc("Bound", "x"), &new, false).is_some());
    }

    #[test]
    fn label_change_is_diffed() {
        let d = pvc_status_update_diff(&pvc("Bound", "x"), &pvc("Bound", "y"), true).unwrap();
        assert!(d.starts_with("@@ "), "{d}");
        assert!(d.contains("-  \"a\": \"x\"\n+  \"a\": \"y\"\n"), "{d}");
    }

    #[test]
    fn times() {
        let t = GoTime::parse_rfc3339("2024-01-02T03:04:05.5+01:00").unwrap();
        assert_eq!(t.format_rfc3339().unwrap(), "2024-01-02T02:04:05Z");
        assert_eq!(GoTime::parse_rfc3339("0001-01-01T00:00:00Z"), Some(GoTime::ZERO));
        assert!(GoTime::parse_rfc3339("2023-02-29T00:00:00Z").is_none());
    }
}
