//! The subject common name of a PEM certificate signing request, as NodeRestriction reads it.
//!
//! Upstream's `certapi.ParseCSR` takes the first PEM block (`encoding/pem.Decode`), requires
//! the type `CERTIFICATE REQUEST` and hands the DER to `crypto/x509.ParseCertificateRequest`;
//! NodeRestriction compares `Subject.CommonName` with `system:node:<name>` and forbids with
//! `unable to parse csr: <error>` when parsing fails. Parsing a CSR in Go is more than reading
//! the subject: the outer structure goes through `encoding/asn1`'s reflective decoder (with
//! its own notion of what is accepted, e.g. trailing elements in a SEQUENCE are ignored), the
//! public key is validated for the algorithms Go knows (RSA, ECDSA on P-224/256/384/521,
//! Ed25519, DSA), the subject must decode as an RDN sequence, requested extensions must
//! decode and be unique, and a subject alternative name extension must be well formed.
//! Each of those steps can fail with its own message, which ends up in the denial, so this
//! module restates them with the same messages.
//!
//! Checked against upstream on generated requests (`tests/csr_fixture.rs`). Not reproduced:
//!
//! * the `tag:0x…` in a "tags don't match" message about the attributes field: Go prints a
//!   heap address there (different from run to run); this module prints `tag:0xc000000000`;
//! * error texts that quote bytes of a URI SAN's host after percent-decoding to non-UTF-8
//!   (Go quotes the raw bytes, this module the lossily decoded text); the failure itself is
//!   the same.

use std::collections::HashSet;

use num_bigint::{BigInt, BigUint, Sign};

/// Why a CSR could not be parsed; `Display` is Go's error text (without the
/// `unable to parse csr: ` prefix NodeRestriction adds).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    /// No PEM block was found, or the first one is not of type `CERTIFICATE REQUEST`.
    #[error("PEM block type must be CERTIFICATE REQUEST")]
    NotCertificateRequestPem,
    /// `x509.ParseCertificateRequest` failed; the message is Go's.
    #[error("{0}")]
    Parse(String),
}

/// The subject CommonName Go's crypto/x509 would report for this PEM CSR, or Go's error text.
///
/// An empty string means the request parsed but has no (string-valued) CN attribute; with
/// several, the last one wins.
pub fn csr_common_name(request: &[u8]) -> Result<String, CsrError> {
    let (block_type, der) = pem_decode(request).ok_or(CsrError::NotCertificateRequestPem)?;
    if block_type != b"CERTIFICATE REQUEST" {
        return Err(CsrError::NotCertificateRequestPem);
    }
    parse_certificate_request(&der).map_err(CsrError::Parse)
}

// ---------------------------------------------------------------------------------------
// encoding/pem
// ---------------------------------------------------------------------------------------

/// One line: the text before `\n` (and a `\r` before it) with trailing spaces and tabs
/// removed, the rest, and how many bytes were consumed.
fn get_line(data: &[u8]) -> (&[u8], &[u8], usize) {
    let (mut i, j) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (i, i + 1),
        None => (data.len(), data.len()),
    };
    if j > i && i > 0 && data[i - 1] == b'\r' {
        i -= 1;
    }
    let mut line = &data[..i];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, &data[j..], j)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// `pem.Decode`: the type and contents of the first well-formed block, if any.
fn pem_decode(data: &[u8]) -> Option<(&[u8], Vec<u8>)> {
    const START: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const EOL: &[u8] = b"-----";
    let mut rest = data;
    let mut end_trailer_index: isize = 0;
    loop {
        let eti = usize::try_from(end_trailer_index).ok()?;
        rest = rest.get(eti..)?;
        let mut end_index = find(rest, END)? as isize;
        end_trailer_index = end_index + END.len() as isize;
        let begin = match rfind(&rest[..end_index as usize], START) {
            Some(b) if b == 0 || rest[b - 1] == b'\n' => b,
            _ => continue,
        };
        let skip = begin + START.len();
        rest = &rest[skip..];
        end_index -= skip as isize;
        end_trailer_index -= skip as isize;
        let (type_line, next, consumed) = get_line(rest);
        rest = next;
        end_index -= consumed as isize;
        end_trailer_index -= consumed as isize;
        let Some(type_line) = type_line.strip_suffix(EOL) else {
            continue;
        };
        let mut headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next, consumed) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            headers = true;
            rest = next;
            end_index -= consumed as isize;
            end_trailer_index -= consumed as isize;
        }
        if headers && end_index < 0 {
            continue;
        }
        let end_trailer = rest.get(usize::try_from(end_trailer_index).ok()?..)?;
        let trailer_len = type_line.len() + EOL.len();
        if end_trailer.len() < trailer_len {
            continue;
        }
        let (end_trailer, rest_of_end_line) = end_trailer.split_at(trailer_len);
        if !end_trailer.starts_with(type_line) || !end_trailer.ends_with(EOL) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let mut bytes = Vec::new();
        if end_index > 0 {
            let body: Vec<u8> = rest[..end_index as usize].iter().copied().filter(|&b| b != b' ' && b != b'\t').collect();
            match base64_decode(&body) {
                Some(b) => bytes = b,
                None => continue,
            }
        }
        return Some((type_line, bytes));
    }
}

/// `base64.StdEncoding.Decode`: padding required, `\r` and `\n` ignored, nothing but line
/// breaks after the padding, unused low bits of the last character ignored.
fn base64_decode(src: &[u8]) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let chars: Vec<u8> = src.iter().copied().filter(|&c| c != b'\r' && c != b'\n').collect();
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quanta = chars.len() / 4;
    for (q, quad) in chars.chunks(4).enumerate() {
        let last = q + 1 == quanta;
        let pad = match quad {
            [_, _, b'=', b'='] if last => 2,
            [_, _, _, b'='] if last => 1,
            _ => 0,
        };
        let mut acc = 0u32;
        for &c in &quad[..4 - pad] {
            acc = (acc << 6) | value(c)?;
        }
        acc <<= 6 * pad as u32;
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------
// encoding/asn1, for the Go types ParseCertificateRequest decodes into.
// ---------------------------------------------------------------------------------------

type AResult<T> = Result<T, String>;

fn structural(msg: &str) -> String {
    format!("asn1: structure error: {msg}")
}

fn syntax(msg: &str) -> String {
    format!("asn1: syntax error: {msg}")
}

/// A tag and length as `encoding/asn1` reads them.
#[derive(Clone, Copy, Debug)]
struct TagLen {
    class: u32,
    tag: i64,
    length: usize,
    compound: bool,
}

/// The Go field types met while decoding a CSR.
#[derive(Debug)]
enum GoTy {
    RawValue,
    /// `asn1.RawContent`, only as a struct's first field.
    RawContent,
    Int,
    Bool,
    Oid,
    BitString,
    /// `[]byte` (OCTET STRING).
    Bytes,
    /// `any`.
    Any,
    /// A struct type: its name and fields.
    Struct(&'static str, &'static [(GoTy, Params)]),
    /// A slice type: its name (empty for unnamed) and element type.
    Slice(&'static str, &'static GoTy),
}

impl GoTy {
    fn name(&self) -> &'static str {
        match self {
            GoTy::RawValue => "RawValue",
            GoTy::RawContent => "RawContent",
            GoTy::Int => "int",
            GoTy::Bool => "bool",
            GoTy::Oid => "ObjectIdentifier",
            GoTy::BitString => "BitString",
            GoTy::Bytes | GoTy::Any => "",
            GoTy::Struct(name, _) | GoTy::Slice(name, _) => name,
        }
    }

    /// `getUniversalType`: (match any, tag, compound).
    fn universal(&self) -> (bool, i64, bool) {
        match self {
            GoTy::RawValue | GoTy::RawContent | GoTy::Any => (true, -1, false),
            GoTy::Oid => (false, 6, false),
            GoTy::BitString => (false, 3, false),
            GoTy::Bool => (false, 1, false),
            GoTy::Int => (false, 2, false),
            GoTy::Bytes => (false, 4, false),
            GoTy::Struct(..) => (false, 16, true),
            GoTy::Slice(name, _) if name.ends_with("SET") => (false, 17, true),
            GoTy::Slice(..) => (false, 16, true),
        }
    }
}

/// The `asn1:"..."` options in use.
#[derive(Clone, Copy, Debug)]
struct Params {
    optional: bool,
    set: bool,
    /// An implicit context-specific tag.
    tag: Option<i64>,
}

const NO_PARAMS: Params = Params { optional: false, set: false, tag: None };
const OPTIONAL: Params = Params { optional: true, ..NO_PARAMS };
const SET: Params = Params { set: true, ..NO_PARAMS };
const TAG0: Params = Params { tag: Some(0), ..NO_PARAMS };

impl Params {
    /// `%+v` of upstream's fieldParameters (a set tag is a pointer: Go prints its address).
    fn go_format(&self) -> String {
        format!(
            "{{optional:{} explicit:false application:false private:false defaultValue:<nil> tag:{} stringType:0 timeType:0 set:{} omitEmpty:false}}",
            self.optional,
            if self.tag.is_some() { "0xc000000000" } else { "<nil>" },
            self.set
        )
    }
}

const ALGORITHM_IDENTIFIER: GoTy = GoTy::Struct("AlgorithmIdentifier", &[(GoTy::Oid, NO_PARAMS), (GoTy::RawValue, OPTIONAL)]);
const PUBLIC_KEY_INFO: GoTy =
    GoTy::Struct("publicKeyInfo", &[(GoTy::RawContent, NO_PARAMS), (ALGORITHM_IDENTIFIER, NO_PARAMS), (GoTy::BitString, NO_PARAMS)]);
const TBS_CSR: GoTy = GoTy::Struct(
    "tbsCertificateRequest",
    &[
        (GoTy::RawContent, NO_PARAMS),
        (GoTy::Int, NO_PARAMS),
        (GoTy::RawValue, NO_PARAMS),
        (PUBLIC_KEY_INFO, NO_PARAMS),
        (GoTy::Slice("", &GoTy::RawValue), TAG0),
    ],
);
const CERTIFICATE_REQUEST: GoTy = GoTy::Struct(
    "certificateRequest",
    &[(GoTy::RawContent, NO_PARAMS), (TBS_CSR, NO_PARAMS), (ALGORITHM_IDENTIFIER, NO_PARAMS), (GoTy::BitString, NO_PARAMS)],
);
const ATTRIBUTE_TYPE_AND_VALUE: GoTy = GoTy::Struct("AttributeTypeAndValue", &[(GoTy::Oid, NO_PARAMS), (GoTy::Any, NO_PARAMS)]);
const RDN_SET: GoTy = GoTy::Slice("RelativeDistinguishedNameSET", &ATTRIBUTE_TYPE_AND_VALUE);
const RDN_SEQUENCE: GoTy = GoTy::Slice("RDNSequence", &RDN_SET);
const PKCS10_ATTRIBUTE: GoTy = GoTy::Struct("pkcs10Attribute", &[(GoTy::Oid, NO_PARAMS), (GoTy::Slice("", &GoTy::RawValue), SET)]);
const EXTENSION: GoTy = GoTy::Struct("Extension", &[(GoTy::Oid, NO_PARAMS), (GoTy::Bool, OPTIONAL), (GoTy::Bytes, NO_PARAMS)]);
const EXTENSIONS: GoTy = GoTy::Slice("", &EXTENSION);

/// A decoded value.
#[derive(Clone, Debug)]
enum AV {
    /// An optional field that was absent, or an `any` holding nil.
    Absent,
    Raw {
        full: Vec<u8>,
    },
    Int,
    Bool,
    Oid(Vec<i64>),
    Bits {
        bytes: Vec<u8>,
        bit_length: usize,
    },
    Bytes(Vec<u8>),
    /// An `any` holding a string.
    Str(String),
    /// An `any` holding something other than a string.
    Other,
    Struct(Vec<AV>),
    Slice(Vec<AV>),
}

fn parse_base128(bytes: &[u8], mut offset: usize) -> AResult<(i64, usize)> {
    let mut ret: i64 = 0;
    let mut shifted = 0;
    while offset < bytes.len() {
        if shifted == 5 {
            return Err(structural("base 128 integer too large"));
        }
        ret <<= 7;
        let b = bytes[offset];
        if shifted == 0 && b == 0x80 {
            return Err(syntax("integer is not minimally encoded"));
        }
        ret |= i64::from(b & 0x7f);
        offset += 1;
        if b & 0x80 == 0 {
            if ret > i64::from(i32::MAX) {
                return Err(structural("base 128 integer too large"));
            }
            return Ok((ret, offset));
        }
        shifted += 1;
    }
    Err(syntax("truncated base 128 integer"))
}

fn parse_tag_and_length(bytes: &[u8], mut offset: usize) -> AResult<(TagLen, usize)> {
    let Some(&b) = bytes.get(offset) else {
        return Err("asn1: internal error in parseTagAndLength".into());
    };
    offset += 1;
    let mut t = TagLen { class: u32::from(b >> 6), tag: i64::from(b & 0x1f), length: 0, compound: b & 0x20 == 0x20 };
    if t.tag == 0x1f {
        let (tag, o) = parse_base128(bytes, offset)?;
        offset = o;
        if tag < 0x1f {
            return Err(syntax("non-minimal tag"));
        }
        t.tag = tag;
    }
    let Some(&b) = bytes.get(offset) else {
        return Err(syntax("truncated tag or length"));
    };
    offset += 1;
    if b & 0x80 == 0 {
        t.length = usize::from(b & 0x7f);
    } else {
        let num = usize::from(b & 0x7f);
        if num == 0 {
            return Err(syntax("indefinite length found (not DER)"));
        }
        let mut length: usize = 0;
        for _ in 0..num {
            let Some(&b) = bytes.get(offset) else {
                return Err(syntax("truncated tag or length"));
            };
            offset += 1;
            if length >= 1 << 23 {
                return Err(structural("length too large"));
            }
            length = (length << 8) | usize::from(b);
            if length == 0 {
                return Err(structural("superfluous leading zeros in length"));
            }
        }
        if length < 0x80 {
            return Err(structural("non-minimal length"));
        }
        t.length = length;
    }
    Ok((t, offset))
}

fn check_integer(bytes: &[u8]) -> AResult<()> {
    match bytes {
        [] => Err(structural("empty integer")),
        [_] => Ok(()),
        [0, b, ..] if b & 0x80 == 0 => Err(structural("integer not minimally-encoded")),
        [0xff, b, ..] if b & 0x80 == 0x80 => Err(structural("integer not minimally-encoded")),
        _ => Ok(()),
    }
}

fn parse_int64(bytes: &[u8]) -> AResult<()> {
    check_integer(bytes)?;
    if bytes.len() > 8 {
        return Err(structural("integer too large"));
    }
    Ok(())
}

fn parse_bool(bytes: &[u8]) -> AResult<bool> {
    match bytes {
        [0] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(syntax("invalid boolean")),
    }
}

fn parse_bit_string(bytes: &[u8]) -> AResult<AV> {
    let Some(&padding) = bytes.first() else {
        return Err(syntax("zero length BIT STRING"));
    };
    let last = bytes[bytes.len() - 1];
    if padding > 7 || (bytes.len() == 1 && padding > 0) || last & ((1u16 << padding) - 1) as u8 != 0 {
        return Err(syntax("invalid padding bits in BIT STRING"));
    }
    Ok(AV::Bits { bytes: bytes[1..].to_vec(), bit_length: (bytes.len() - 1) * 8 - usize::from(padding) })
}

fn parse_oid(bytes: &[u8]) -> AResult<Vec<i64>> {
    if bytes.is_empty() {
        return Err(syntax("zero length OBJECT IDENTIFIER"));
    }
    let (v, mut offset) = parse_base128(bytes, 0)?;
    let mut out = if v < 80 { vec![v / 40, v % 40] } else { vec![2, v - 80] };
    while offset < bytes.len() {
        let (v, o) = parse_base128(bytes, offset)?;
        out.push(v);
        offset = o;
    }
    Ok(out)
}

fn is_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric() || (b'\''..=b')').contains(&b) || (b'+'..=b'/').contains(&b) || b" :=?*&".contains(&b)
}

/// The value an `any` field gets for a universal primitive element.
fn parse_any(tag: i64, inner: &[u8]) -> AResult<AV> {
    let s = |s: String| Ok(AV::Str(s));
    match tag {
        1 => parse_bool(inner).map(|_| AV::Other),
        19 => {
            if inner.iter().all(|&b| is_printable(b)) {
                s(String::from_utf8_lossy(inner).into_owned())
            } else {
                Err(syntax("PrintableString contains invalid character"))
            }
        }
        18 => {
            if inner.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
                s(String::from_utf8_lossy(inner).into_owned())
            } else {
                Err(syntax("NumericString contains invalid character"))
            }
        }
        22 => {
            if inner.is_ascii() {
                s(String::from_utf8_lossy(inner).into_owned())
            } else {
                Err(syntax("IA5String contains invalid character"))
            }
        }
        20 => s(inner.iter().map(|&b| char::from(b)).collect()),
        12 => match std::str::from_utf8(inner) {
            Ok(v) => s(v.to_owned()),
            Err(_) => Err("asn1: invalid UTF-8 string".into()),
        },
        2 => parse_int64(inner).map(|_| AV::Other),
        3 => parse_bit_string(inner).map(|_| AV::Other),
        6 => parse_oid(inner).map(|_| AV::Other),
        23 => parse_utc_time(inner).map(|_| AV::Other),
        24 => parse_generalized_time(inner).map(|_| AV::Other),
        4 => Ok(AV::Other),
        30 => parse_bmp_string(inner).map(AV::Str),
        _ => Ok(AV::Absent),
    }
}

fn parse_bmp_string(bytes: &[u8]) -> AResult<String> {
    if !bytes.len().is_multiple_of(2) {
        return Err("invalid BMPString".into());
    }
    let bytes = match bytes {
        [head @ .., 0, 0] => head,
        _ => bytes,
    };
    let mut out = String::new();
    for pair in bytes.chunks(2) {
        let point = (u16::from(pair[0]) << 8) | u16::from(pair[1]);
        if point == 0xfffe || point == 0xffff || (0xfdd0..=0xfdef).contains(&point) || (0xd800..=0xdfff).contains(&point) {
            return Err("invalid BMPString".into());
        }
        out.push(char::from_u32(u32::from(point)).unwrap_or('\u{fffd}'));
    }
    Ok(out)
}

mod gotime {
    //! `time.Parse` and `Time.Format` for the three layouts `encoding/asn1` uses for
    //! UTCTime and GeneralizedTime, with Go's error texts and the round-trip check.

    /// The layout elements met in those layouts.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Std {
        Year2,
        Year4,
        Month,
        Day,
        Hour,
        Minute,
        Second,
        Frac9,
        Zone,
    }

    const UTC_NO_SECONDS: (&str, &[(Std, &str)]) = (
        "0601021504Z0700",
        &[(Std::Year2, "06"), (Std::Month, "01"), (Std::Day, "02"), (Std::Hour, "15"), (Std::Minute, "04"), (Std::Zone, "Z0700")],
    );
    const UTC_SECONDS: (&str, &[(Std, &str)]) = (
        "060102150405Z0700",
        &[
            (Std::Year2, "06"),
            (Std::Month, "01"),
            (Std::Day, "02"),
            (Std::Hour, "15"),
            (Std::Minute, "04"),
            (Std::Second, "05"),
            (Std::Zone, "Z0700"),
        ],
    );
    const GENERALIZED: (&str, &[(Std, &str)]) = (
        "20060102150405.999999999Z0700",
        &[
            (Std::Year4, "2006"),
            (Std::Month, "01"),
            (Std::Day, "02"),
            (Std::Hour, "15"),
            (Std::Minute, "04"),
            (Std::Second, "05"),
            (Std::Frac9, ".999999999"),
            (Std::Zone, "Z0700"),
        ],
    );

    /// time's own quoting: ASCII kept (with `"` and `\` escaped), other bytes as `\xNN`.
    fn quote(s: &[u8]) -> String {
        let mut out = String::from("\"");
        for &b in s {
            if !(b' '..0x80).contains(&b) {
                out.push_str(&format!("\\x{b:02x}"));
            } else {
                if b == b'"' || b == b'\\' {
                    out.push('\\');
                }
                out.push(char::from(b));
            }
        }
        out.push('"');
        out
    }

    struct Fields {
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        min: i64,
        sec: i64,
        nsec: i64,
        offset: Option<i64>,
    }

    fn is_digit(s: &[u8], i: usize) -> bool {
        s.get(i).is_some_and(u8::is_ascii_digit)
    }

    /// `getnum`.
    fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
        if !is_digit(s, 0) {
            return None;
        }
        if !is_digit(s, 1) {
            if fixed {
                return None;
            }
            return Some((i64::from(s[0] - b'0'), &s[1..]));
        }
        Some((i64::from(s[0] - b'0') * 10 + i64::from(s[1] - b'0'), &s[2..]))
    }

    /// `atoi`: an optional sign and digits only.
    fn atoi(s: &[u8]) -> Option<i64> {
        let (neg, digits) = match s {
            [b'-', rest @ ..] => (true, rest),
            [b'+', rest @ ..] => (false, rest),
            _ => (false, s),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || digits.len() > 18 {
            return None;
        }
        let v = digits.iter().fold(0i64, |a, &d| a * 10 + i64::from(d - b'0'));
        Some(if neg { -v } else { v })
    }

    fn days_in(month: i64, year: i64) -> i64 {
        match month {
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    fn parse(layout: (&str, &[(Std, &str)]), value: &[u8]) -> Result<Fields, String> {
        let (name, elems) = layout;
        let bad = |elem: &str, at: &[u8]| {
            format!("parsing time {} as {}: cannot parse {} as {}", quote(value), quote(name.as_bytes()), quote(at), quote(elem.as_bytes()))
        };
        let range = |what: &str| format!("parsing time {}: {what} out of range", quote(value));
        let mut f = Fields { year: 0, month: -1, day: -1, hour: 0, min: 0, sec: 0, nsec: 0, offset: None };
        let mut v = value;
        for (k, &(std, text)) in elems.iter().enumerate() {
            let hold = v;
            let mut range_err = None;
            let ok: Option<()> = (|| {
                match std {
                    Std::Year2 => {
                        if v.len() < 2 {
                            return None;
                        }
                        let y = atoi(&v[..2])?;
                        v = &v[2..];
                        f.year = if y >= 69 { y + 1900 } else { y + 2000 };
                    }
                    Std::Year4 => {
                        if v.len() < 4 || !is_digit(v, 0) {
                            return None;
                        }
                        f.year = atoi(&v[..4])?;
                        v = &v[4..];
                    }
                    Std::Month => {
                        let (m, r) = getnum(v, true)?;
                        v = r;
                        f.month = m;
                        if !(1..=12).contains(&m) {
                            range_err = Some("month");
                        }
                    }
                    Std::Day => {
                        let (d, r) = getnum(v, true)?;
                        v = r;
                        f.day = d;
                    }
                    Std::Hour => {
                        let (h, r) = getnum(v, false)?;
                        v = r;
                        f.hour = h;
                        if h >= 24 {
                            range_err = Some("hour");
                        }
                    }
                    Std::Minute => {
                        let (m, r) = getnum(v, true)?;
                        v = r;
                        f.min = m;
                        if m >= 60 {
                            range_err = Some("minute");
                        }
                    }
                    Std::Second => {
                        let (s, r) = getnum(v, true)?;
                        v = r;
                        f.sec = s;
                        if s >= 60 {
                            range_err = Some("second");
                            return Some(());
                        }
                        let next_is_frac = elems.get(k + 1).is_some_and(|e| e.0 == Std::Frac9);
                        if v.len() >= 2 && matches!(v[0], b'.' | b',') && is_digit(v, 1) && !next_is_frac {
                            let mut n = 2;
                            while is_digit(v, n) {
                                n += 1;
                            }
                            f.nsec = nanoseconds(&v[..n]);
                            v = &v[n..];
                        }
                    }
                    Std::Frac9 => {
                        if v.len() < 2 || !matches!(v[0], b'.' | b',') || !is_digit(v, 1) {
                            return Some(());
                        }
                        let mut n = 1;
                        while is_digit(v, n) {
                            n += 1;
                        }
                        f.nsec = nanoseconds(&v[..n]);
                        v = &v[n..];
                    }
                    Std::Zone => {
                        if v.first() == Some(&b'Z') {
                            v = &v[1..];
                            f.offset = Some(0);
                            return Some(());
                        }
                        if v.len() < 5 {
                            return None;
                        }
                        let (sign, hh, mm) = (v[0], &v[1..3], &v[3..5]);
                        v = &v[5..];
                        let (hr, _) = getnum(hh, true)?;
                        let (mi, _) = getnum(mm, true)?;
                        if hr > 24 {
                            range_err = Some("time zone offset hour");
                        }
                        if mi > 60 {
                            range_err = Some("time zone offset minute");
                        }
                        let off = (hr * 60 + mi) * 60;
                        f.offset = Some(match sign {
                            b'+' => off,
                            b'-' => -off,
                            _ => return None,
                        });
                    }
                }
                Some(())
            })();
            if let Some(what) = range_err {
                return Err(range(what));
            }
            if ok.is_none() {
                return Err(bad(text, hold));
            }
        }
        if !v.is_empty() {
            return Err(format!("parsing time {}: extra text: {}", quote(value), quote(v)));
        }
        if f.day < 1 || f.day > days_in(f.month, f.year) {
            return Err(range("day"));
        }
        Ok(f)
    }

    /// `parseNanoseconds` over `.ddd…` (at most nine digits count).
    fn nanoseconds(v: &[u8]) -> i64 {
        let digits = &v[1..v.len().min(10)];
        let mut ns = digits.iter().fold(0i64, |a, &d| a * 10 + i64::from(d - b'0'));
        for _ in digits.len()..9 {
            ns *= 10;
        }
        ns
    }

    fn format(layout: (&str, &[(Std, &str)]), f: &Fields) -> String {
        let mut out = String::new();
        for &(std, _) in layout.1 {
            match std {
                Std::Year2 => out.push_str(&format!("{:02}", f.year.rem_euclid(100))),
                Std::Year4 => out.push_str(&format!("{:04}", f.year)),
                Std::Month => out.push_str(&format!("{:02}", f.month)),
                Std::Day => out.push_str(&format!("{:02}", f.day)),
                Std::Hour => out.push_str(&format!("{:02}", f.hour)),
                Std::Minute => out.push_str(&format!("{:02}", f.min)),
                Std::Second => out.push_str(&format!("{:02}", f.sec)),
                Std::Frac9 => {
                    if f.nsec != 0 {
                        let s = format!("{:09}", f.nsec);
                        out.push('.');
                        out.push_str(s.trim_end_matches('0'));
                    }
                }
                Std::Zone => match f.offset.unwrap_or(0) {
                    0 => out.push('Z'),
                    off => {
                        let zone = off / 60;
                        out.push(if zone < 0 { '-' } else { '+' });
                        let zone = zone.abs();
                        out.push_str(&format!("{:02}{:02}", zone / 60, zone % 60));
                    }
                },
            }
        }
        out
    }

    fn round_trip(layout: (&str, &[(Std, &str)]), value: &[u8], f: &Fields) -> Result<(), String> {
        let serialized = format(layout, f);
        if serialized.as_bytes() != value {
            return Err(format!(
                "asn1: time did not serialize back to the original value and may be invalid: given {}, but serialized as {}",
                crate::gostr::quote(&String::from_utf8_lossy(value)),
                crate::gostr::quote(&serialized)
            ));
        }
        Ok(())
    }

    /// `parseUTCTime`.
    pub(super) fn parse_utc_time(value: &[u8]) -> Result<(), String> {
        match parse(UTC_NO_SECONDS, value) {
            Ok(f) => round_trip(UTC_NO_SECONDS, value, &f),
            Err(_) => {
                let f = parse(UTC_SECONDS, value)?;
                round_trip(UTC_SECONDS, value, &f)
            }
        }
    }

    /// `parseGeneralizedTime`.
    pub(super) fn parse_generalized_time(value: &[u8]) -> Result<(), String> {
        let f = parse(GENERALIZED, value)?;
        round_trip(GENERALIZED, value, &f)
    }
}

use gotime::{parse_generalized_time, parse_utc_time};

fn invalid_length(offset: usize, length: usize, len: usize) -> bool {
    offset.checked_add(length).is_none_or(|end| end > len)
}

/// `parseField` for value `ty` at `bytes[offset..]`.
fn parse_field(ty: &GoTy, params: Params, bytes: &[u8], init_offset: usize) -> AResult<(usize, AV)> {
    let mut offset = init_offset;
    if offset == bytes.len() {
        if params.optional {
            return Ok((offset, AV::Absent));
        }
        return Err(syntax("sequence truncated"));
    }
    if let GoTy::Any = ty {
        let (t, o) = parse_tag_and_length(bytes, offset)?;
        offset = o;
        if invalid_length(offset, t.length, bytes.len()) {
            return Err(syntax("data truncated"));
        }
        let inner = &bytes[offset..offset + t.length];
        let value = if !t.compound && t.class == 0 { parse_any(t.tag, inner)? } else { AV::Absent };
        return Ok((offset + t.length, value));
    }
    let (t, o) = parse_tag_and_length(bytes, offset)?;
    offset = o;
    let (match_any, mut universal_tag, compound_type) = ty.universal();
    if params.set {
        universal_tag = 17;
    }
    let (mut match_any_class_and_tag, mut expected_class, mut expected_tag) = (match_any, 0, universal_tag);
    if let Some(tag) = params.tag {
        expected_class = 2;
        expected_tag = tag;
        match_any_class_and_tag = false;
    }
    if (!match_any_class_and_tag && (t.class != expected_class || t.tag != expected_tag)) || (!match_any && t.compound != compound_type) {
        if params.optional {
            return Ok((init_offset, AV::Absent));
        }
        return Err(structural(&format!(
            "tags don't match ({} vs {{class:{} tag:{} length:{} isCompound:{}}}) {} {} @{}",
            expected_tag,
            t.class,
            t.tag,
            t.length,
            t.compound,
            params.go_format(),
            ty.name(),
            offset
        )));
    }
    if invalid_length(offset, t.length, bytes.len()) {
        return Err(syntax("data truncated"));
    }
    let inner = &bytes[offset..offset + t.length];
    offset += t.length;
    let value = match ty {
        GoTy::RawValue | GoTy::RawContent => AV::Raw { full: bytes[init_offset..offset].to_vec() },
        GoTy::Oid => AV::Oid(parse_oid(inner)?),
        GoTy::BitString => parse_bit_string(inner)?,
        GoTy::Bool => {
            parse_bool(inner)?;
            AV::Bool
        }
        GoTy::Int => {
            parse_int64(inner)?;
            AV::Int
        }
        GoTy::Bytes => AV::Bytes(inner.to_vec()),
        GoTy::Struct(_, fields) => {
            let mut values = Vec::with_capacity(fields.len());
            let mut inner_offset = 0;
            for (i, (fty, fparams)) in fields.iter().enumerate() {
                if i == 0 && matches!(fty, GoTy::RawContent) {
                    values.push(AV::Raw { full: bytes[init_offset..offset].to_vec() });
                    continue;
                }
                let (o, v) = parse_field(fty, *fparams, inner, inner_offset)?;
                inner_offset = o;
                values.push(v);
            }
            AV::Struct(values)
        }
        GoTy::Slice(_, elem) => AV::Slice(parse_sequence_of(inner, elem)?),
        GoTy::Any => AV::Absent,
    };
    Ok((offset, value))
}

fn parse_sequence_of(bytes: &[u8], elem: &GoTy) -> AResult<Vec<AV>> {
    let (match_any, expected_tag, compound_type) = elem.universal();
    let mut count = 0;
    let mut offset = 0;
    while offset < bytes.len() {
        let (mut t, o) = parse_tag_and_length(bytes, offset)?;
        offset = o;
        match t.tag {
            22 | 27 | 20 | 12 | 18 | 30 => t.tag = 19,
            24 | 23 => t.tag = 23,
            _ => {}
        }
        if !match_any && (t.class != 0 || t.compound != compound_type || t.tag != expected_tag) {
            return Err(structural("sequence tag mismatch"));
        }
        if invalid_length(offset, t.length, bytes.len()) {
            return Err(syntax("truncated sequence"));
        }
        offset += t.length;
        count += 1;
    }
    let mut out = Vec::with_capacity(count);
    let mut offset = 0;
    for _ in 0..count {
        let (o, v) = parse_field(elem, NO_PARAMS, bytes, offset)?;
        offset = o;
        out.push(v);
    }
    Ok(out)
}

/// `asn1.Unmarshal`: the value and the number of bytes consumed.
fn unmarshal(ty: &GoTy, bytes: &[u8]) -> AResult<(AV, usize)> {
    let (offset, v) = parse_field(ty, NO_PARAMS, bytes, 0)?;
    Ok((v, offset))
}

// ---------------------------------------------------------------------------------------
// golang.org/x/crypto/cryptobyte, as the public key and SAN parsers use it.
// ---------------------------------------------------------------------------------------

/// Reads one element (low tag numbers only, DER lengths): its tag byte and contents.
fn cb_read_any(s: &mut &[u8]) -> Option<(u8, Vec<u8>)> {
    let data = *s;
    if data.len() < 2 {
        return None;
    }
    let (tag, len_byte) = (data[0], data[1]);
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (header, length) = if len_byte & 0x80 == 0 {
        (2usize, usize::from(len_byte))
    } else {
        let len_len = usize::from(len_byte & 0x7f);
        if len_len == 0 || len_len > 4 || data.len() < 2 + len_len {
            return None;
        }
        let len32 = data[2..2 + len_len].iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
        if len32 < 128 || (len32 >> ((len_len - 1) * 8)) == 0 {
            return None;
        }
        (2 + len_len, len32 as usize)
    };
    let end = header.checked_add(length)?;
    if end > data.len() {
        return None;
    }
    let contents = data[header..end].to_vec();
    *s = &data[end..];
    Some((tag, contents))
}

fn cb_read(s: &mut &[u8], tag: u8) -> Option<Vec<u8>> {
    let (t, c) = cb_read_any(s)?;
    (t == tag).then_some(c)
}

fn cb_check_integer(b: &[u8]) -> bool {
    match b {
        [] => false,
        [_] => true,
        [0, x, ..] if x & 0x80 == 0 => false,
        [0xff, x, ..] if x & 0x80 == 0x80 => false,
        _ => true,
    }
}

/// `ReadASN1Integer` into a big integer.
fn cb_read_big_int(s: &mut &[u8]) -> Option<BigInt> {
    let b = cb_read(s, 0x02)?;
    if !cb_check_integer(&b) {
        return None;
    }
    Some(BigInt::from_signed_bytes_be(&b))
}

/// `ReadASN1Integer` into an `int`.
fn cb_read_int64(s: &mut &[u8]) -> Option<i64> {
    let b = cb_read(s, 0x02)?;
    if !cb_check_integer(&b) || b.len() > 8 {
        return None;
    }
    let mut v: i64 = if b[0] & 0x80 != 0 { -1 } else { 0 };
    for &x in &b {
        v = (v << 8) | i64::from(x);
    }
    Some(v)
}

fn cb_read_oid(s: &mut &[u8]) -> Option<Vec<i64>> {
    let bytes = cb_read(s, 0x06)?;
    if bytes.is_empty() {
        return None;
    }
    let mut rest = &bytes[..];
    let v = cb_read_base128(&mut rest)?;
    let mut out = if v < 80 { vec![v / 40, v % 40] } else { vec![2, v - 80] };
    while !rest.is_empty() {
        out.push(cb_read_base128(&mut rest)?);
    }
    Some(out)
}

/// cryptobyte's base-128 reader (at most 31 bits, minimal encoding).
fn cb_read_base128(rest: &mut &[u8]) -> Option<i64> {
    let mut ret: i64 = 0;
    let mut i = 0;
    while let Some((&b, tail)) = rest.split_first() {
        if i == 5 || ret >= 1 << (31 - 7) {
            return None;
        }
        ret <<= 7;
        *rest = tail;
        if i == 0 && b == 0x80 {
            return None;
        }
        ret |= i64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some(ret);
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------
// crypto/x509
// ---------------------------------------------------------------------------------------

const OID_RSA: &[i64] = &[1, 2, 840, 113_549, 1, 1, 1];
const OID_DSA: &[i64] = &[1, 2, 840, 10_040, 4, 1];
const OID_ECDSA: &[i64] = &[1, 2, 840, 10_045, 2, 1];
const OID_ED25519: &[i64] = &[1, 3, 101, 112];
const OID_EXTENSION_REQUEST: &[i64] = &[1, 2, 840, 113_549, 1, 9, 14];
const OID_SAN: &[i64] = &[2, 5, 29, 17];
const OID_CN: &[i64] = &[2, 5, 4, 3];

fn right_align(bytes: &[u8], bit_length: usize) -> Vec<u8> {
    let shift = 8 - (bit_length % 8);
    if shift == 8 || bytes.is_empty() {
        return bytes.to_vec();
    }
    let mut a = vec![0u8; bytes.len()];
    a[0] = bytes[0] >> shift;
    for i in 1..bytes.len() {
        a[i] = (bytes[i - 1] << (8 - shift)) | (bytes[i] >> shift);
    }
    a
}

/// A NIST curve: name, field prime (decimal), `b` (hex), element length.
struct Curve {
    name: &'static str,
    p: &'static str,
    b: &'static str,
    len: usize,
    /// P-256 uses an assembly implementation with its own element error message.
    asm: bool,
}

const P224: Curve = Curve {
    name: "P224",
    p: "26959946667150639794667015087019630673557916260026308143510066298881",
    b: "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
    len: 28,
    asm: false,
};
const P256: Curve = Curve {
    name: "P256",
    p: "115792089210356248762697446949407573530086143415290314195533631308867097853951",
    b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    len: 32,
    asm: true,
};
const P384: Curve = Curve {
    name: "P384",
    p: "39402006196394479212279040100143613805079739270465446667948293404245721771496870329047266088258938001861606973112319",
    b: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    len: 48,
    asm: false,
};
const P521: Curve = Curve {
    name: "P521",
    p: "6864797660130609714981900799081393217269435300143305409394463459185543183397656052122559640661454554977296311391480858037121987999716643812574028291115057151",
    b: "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
    len: 66,
    asm: false,
};

fn named_curve(oid: &[i64]) -> Option<&'static Curve> {
    match oid {
        [1, 3, 132, 0, 33] => Some(&P224),
        [1, 2, 840, 10_045, 3, 1, 7] => Some(&P256),
        [1, 3, 132, 0, 34] => Some(&P384),
        [1, 3, 132, 0, 35] => Some(&P521),
        _ => None,
    }
}

/// `ecdsa.ParseUncompressedPublicKey`'s checks.
fn check_ec_point(curve: &Curve, data: &[u8]) -> Result<(), String> {
    if data.first() != Some(&4) {
        return Err("ecdsa: invalid uncompressed public key".into());
    }
    if data.len() != 1 + 2 * curve.len {
        return Err(format!("invalid {} point encoding", curve.name));
    }
    let p = BigUint::parse_bytes(curve.p.as_bytes(), 10).unwrap_or_default();
    let b = BigUint::parse_bytes(curve.b.as_bytes(), 16).unwrap_or_default();
    let x = BigUint::from_bytes_be(&data[1..1 + curve.len]);
    let y = BigUint::from_bytes_be(&data[1 + curve.len..]);
    if x >= p || y >= p {
        return Err(if curve.asm {
            format!("invalid {} element encoding", curve.name)
        } else {
            format!("invalid {}Element encoding", curve.name)
        });
    }
    // y² = x³ - 3x + b (mod p)
    let lhs = (&y * &y) % &p;
    let rhs = ((&x * &x % &p * &x) + &b + (&p * 3u32) - (&x * 3u32 % &p)) % &p;
    if lhs != rhs {
        return Err(format!("{} point not on curve", curve.name));
    }
    Ok(())
}

/// `parsePublicKey` for the algorithms Go recognises in a CSR.
fn parse_public_key(oid: &[i64], params_full: &[u8], data: &[u8]) -> Result<(), String> {
    let err = |m: &str| Err(m.to_owned());
    match oid {
        OID_RSA => {
            if params_full != [0x05, 0x00] {
                return err("x509: RSA key missing NULL parameters");
            }
            let mut der = data;
            let Some(seq) = cb_read(&mut der, 0x30) else {
                return err("x509: invalid RSA public key");
            };
            let mut seq = &seq[..];
            let Some(n) = cb_read_big_int(&mut seq) else {
                return err("x509: invalid RSA modulus");
            };
            let Some(e) = cb_read_int64(&mut seq) else {
                return err("x509: invalid RSA public exponent");
            };
            if n.sign() != Sign::Plus {
                return err("x509: RSA modulus is not a positive number");
            }
            if e <= 0 {
                return err("x509: RSA public exponent is not a positive number");
            }
            Ok(())
        }
        OID_ECDSA => {
            let mut p = params_full;
            let Some(curve_oid) = cb_read_oid(&mut p) else {
                return err("x509: invalid ECDSA parameters");
            };
            let Some(curve) = named_curve(&curve_oid) else {
                return err("x509: unsupported elliptic curve");
            };
            check_ec_point(curve, data)
        }
        OID_ED25519 => {
            if !params_full.is_empty() {
                return err("x509: Ed25519 key encoded with illegal parameters");
            }
            if data.len() != 32 {
                return err("x509: wrong Ed25519 public key size");
            }
            Ok(())
        }
        OID_DSA => {
            let mut der = data;
            let Some(y) = cb_read_big_int(&mut der) else {
                return err("x509: invalid DSA public key");
            };
            let mut p = params_full;
            let parsed = cb_read(&mut p, 0x30).and_then(|seq| {
                let mut s = &seq[..];
                Some((cb_read_big_int(&mut s)?, cb_read_big_int(&mut s)?, cb_read_big_int(&mut s)?))
            });
            let Some((pp, q, g)) = parsed else {
                return err("x509: invalid DSA parameters");
            };
            if [y, pp, q, g].iter().any(|v| v.sign() != Sign::Plus) {
                return err("x509: zero or negative DSA parameter");
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn field(v: &AV, i: usize) -> &AV {
    match v {
        AV::Struct(f) => f.get(i).unwrap_or(&AV::Absent),
        _ => &AV::Absent,
    }
}

fn raw_full(v: &AV) -> &[u8] {
    match v {
        AV::Raw { full } => full,
        _ => &[],
    }
}

fn oid_of(v: &AV) -> &[i64] {
    match v {
        AV::Oid(o) => o,
        _ => &[],
    }
}

fn oid_string(oid: &[i64]) -> String {
    oid.iter().map(i64::to_string).collect::<Vec<_>>().join(".")
}

/// `parseCertificateRequest` up to the subject's common name.
fn parse_certificate_request(der: &[u8]) -> Result<String, String> {
    let (csr, consumed) = unmarshal(&CERTIFICATE_REQUEST, der)?;
    if consumed != der.len() {
        return Err(syntax("trailing data"));
    }
    let tbs = field(&csr, 1);
    let subject = raw_full(field(tbs, 2)).to_vec();
    let spki = field(tbs, 3);
    let algorithm = field(spki, 1);
    let key_oid = oid_of(field(algorithm, 0));
    let params_full = raw_full(field(algorithm, 1));
    let key = match field(spki, 2) {
        AV::Bits { bytes, bit_length } => right_align(bytes, *bit_length),
        _ => Vec::new(),
    };
    parse_public_key(key_oid, params_full, &key)?;

    let (rdns, consumed) = unmarshal(&RDN_SEQUENCE, &subject)?;
    if consumed != subject.len() {
        return Err("x509: trailing data after X.509 Subject".into());
    }
    let mut common_name = String::new();
    if let AV::Slice(rdns) = &rdns {
        for rdn in rdns {
            let AV::Slice(atvs) = rdn else { continue };
            for atv in atvs {
                if let AV::Str(value) = field(atv, 1)
                    && oid_of(field(atv, 0)) == OID_CN
                {
                    common_name.clone_from(value);
                }
            }
        }
    }

    let attributes: &[AV] = match field(tbs, 4) {
        AV::Slice(a) => a,
        _ => &[],
    };
    let mut seen = HashSet::new();
    let mut san_values = Vec::new();
    for raw in attributes {
        let full = raw_full(raw);
        let Ok((attr, consumed)) = unmarshal(&PKCS10_ATTRIBUTE, full) else {
            continue;
        };
        let values: &[AV] = match field(&attr, 1) {
            AV::Slice(v) => v,
            _ => &[],
        };
        if consumed != full.len() || values.is_empty() || oid_of(field(&attr, 0)) != OID_EXTENSION_REQUEST {
            continue;
        }
        let (extensions, _) = unmarshal(&EXTENSIONS, raw_full(&values[0]))?;
        let AV::Slice(extensions) = extensions else { continue };
        for ext in &extensions {
            if !seen.insert(oid_string(oid_of(field(ext, 0)))) {
                return Err("x509: certificate request contains duplicate requested extensions".into());
            }
        }
        for ext in &extensions {
            if oid_of(field(ext, 0)) == OID_SAN
                && let AV::Bytes(value) = field(ext, 2)
            {
                san_values.push(value.clone());
            }
        }
    }
    for value in &san_values {
        parse_san(value)?;
    }
    Ok(common_name)
}

/// `parseSANExtension`'s checks.
fn parse_san(value: &[u8]) -> Result<(), String> {
    let mut der = value;
    let Some(seq) = cb_read(&mut der, 0x30) else {
        return Err("x509: invalid subject alternative names".into());
    };
    let mut seq = &seq[..];
    while !seq.is_empty() {
        let Some((tag, data)) = cb_read_any(&mut seq) else {
            return Err("x509: invalid subject alternative name".into());
        };
        match tag ^ 0x80 {
            1 if !data.is_ascii() => return Err("x509: SAN rfc822Name is malformed".into()),
            2 if !data.is_ascii() => return Err("x509: SAN dNSName is malformed".into()),
            6 if !data.is_ascii() => return Err("x509: SAN uniformResourceIdentifier is malformed".into()),
            6 => uri::check(&String::from_utf8_lossy(&data))?,
            7 if data.len() != 4 && data.len() != 16 => {
                return Err(format!("x509: cannot parse IP address of length {}", data.len()));
            }
            _ => {}
        }
    }
    Ok(())
}

mod uri {
    //! What `net/url.Parse` and x509's `domainNameValid` reject in a URI SAN.

    use crate::gostr::quote;

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mode {
        Host,
        Zone,
        /// Path, fragment and user info: only escapes are checked.
        Other,
    }

    /// The characters `net/url` leaves unescaped in a host (and a zone).
    fn host_char(c: u8) -> bool {
        c.is_ascii_alphanumeric() || b"!\"$&'()*+,-.:;<=>[]_~".contains(&c)
    }

    fn unhex(c: u8) -> u8 {
        9 * (c >> 6) + (c & 15)
    }

    /// `unescape`'s validation; the text is Go's error message.
    fn unescape(s: &str, mode: Mode) -> Result<Vec<u8>, String> {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                if i + 2 >= b.len() || !b[i + 1].is_ascii_hexdigit() || !b[i + 2].is_ascii_hexdigit() {
                    let end = (i + 3).min(b.len());
                    return Err(format!("invalid URL escape {}", quote(&String::from_utf8_lossy(&b[i..end]))));
                }
                let esc = &s[i..i + 3];
                let v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && esc != "%25" {
                    return Err(format!("invalid URL escape {}", quote(esc)));
                }
                if mode == Mode::Zone && esc != "%25" && v != b' ' && !host_char(v) {
                    return Err(format!("invalid URL escape {}", quote(esc)));
                }
                out.push(v);
                i += 3;
                continue;
            }
            if mode != Mode::Other && b[i] < 0x80 && !host_char(b[i]) {
                return Err(format!("invalid character {} in host name", quote(&String::from_utf8_lossy(&b[i..i + 1]))));
            }
            out.push(b[i]);
            i += 1;
        }
        Ok(out)
    }

    fn valid_optional_port(port: &str) -> bool {
        match port.strip_prefix(':') {
            None => port.is_empty(),
            Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
        }
    }

    fn valid_userinfo(s: &str) -> bool {
        s.bytes().all(|c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c))
    }

    /// `parseHost`.
    fn parse_host(scheme: &str, host: &str) -> Result<Vec<u8>, String> {
        match host.rfind('[') {
            Some(i) if i > 0 => return Err("invalid IP-literal".into()),
            Some(_) => {
                let Some(close) = host.rfind(']') else {
                    return Err("missing ']' in host".into());
                };
                let colon_port = &host[close + 1..];
                if !valid_optional_port(colon_port) {
                    return Err(format!("invalid port {} after host", quote(colon_port)));
                }
                let port = unescape(colon_port, Mode::Host)?;
                let hostname = &host[1..close];
                let unescaped = match hostname.find("%25") {
                    Some(z) => {
                        let mut h = unescape(&hostname[..z], Mode::Host)?;
                        h.extend(unescape(&hostname[z..], Mode::Zone)?);
                        h
                    }
                    None => unescape(hostname, Mode::Host)?,
                };
                match parse_addr(&unescaped) {
                    Err(e) => return Err(format!("invalid host: {e}")),
                    Ok(true) => return Err("invalid IP-literal".into()),
                    Ok(false) => {}
                }
                let mut h = vec![b'['];
                h.extend(unescaped);
                h.push(b']');
                h.extend(port);
                return Ok(h);
            }
            None => {}
        }
        if let Some(first) = host.find(':') {
            let last = host.rfind(':').unwrap_or(first);
            let i = if last != first && scheme != "http" && scheme != "https" { last } else { first };
            let colon_port = &host[i..];
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", quote(colon_port)));
            }
        }
        unescape(host, Mode::Host)
    }

    /// `url.parse` (not via a request): the host, or the error text.
    fn parse(raw: &str) -> Result<Vec<u8>, String> {
        if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        if raw == "*" {
            return Ok(Vec::new());
        }
        let mut scheme = String::new();
        let mut rest = raw;
        for (i, c) in raw.bytes().enumerate() {
            if c.is_ascii_alphabetic() {
                continue;
            }
            if c.is_ascii_digit() || c == b'+' || c == b'-' || c == b'.' {
                if i == 0 {
                    break;
                }
                continue;
            }
            if c == b':' {
                if i == 0 {
                    return Err("missing protocol scheme".into());
                }
                scheme = raw[..i].to_ascii_lowercase();
                rest = &raw[i + 1..];
            }
            break;
        }
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            rest = &rest[..rest.len() - 1];
        } else if let Some((r, _)) = rest.split_once('?') {
            rest = r;
        }
        if !rest.starts_with('/') {
            if !scheme.is_empty() {
                return Ok(Vec::new());
            }
            let segment = rest.split('/').next().unwrap_or("");
            if segment.contains(':') {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        let mut host = Vec::new();
        if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = &rest[2..];
            let (authority, path) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            rest = path;
            let (userinfo, host_part) = match authority.rfind('@') {
                Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
                None => (None, authority),
            };
            host = parse_host(&scheme, host_part)?;
            if let Some(userinfo) = userinfo {
                if !valid_userinfo(userinfo) {
                    return Err("net/url: invalid userinfo".into());
                }
                match userinfo.split_once(':') {
                    Some((user, password)) => {
                        unescape(user, Mode::Other)?;
                        unescape(password, Mode::Other)?;
                    }
                    None => {
                        unescape(userinfo, Mode::Other)?;
                    }
                }
            }
        }
        unescape(rest, Mode::Other)?;
        Ok(host)
    }

    fn addr_error(input: &[u8], msg: &str, at: &[u8]) -> String {
        if at.is_empty() {
            format!("ParseAddr({}): {msg}", quote_bytes(input))
        } else {
            format!("ParseAddr({}): {msg} (at {})", quote_bytes(input), quote_bytes(at))
        }
    }

    /// `strconv.Quote` over bytes: invalid UTF-8 as `\xNN`.
    fn quote_bytes(b: &[u8]) -> String {
        let mut out = String::from("\"");
        for chunk in b.utf8_chunks() {
            let q = quote(chunk.valid());
            out.push_str(&q[1..q.len() - 1]);
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        }
        out.push('"');
        out
    }

    /// `netip.ParseAddr`: whether the address is IPv4, or Go's error text.
    fn parse_addr(s: &[u8]) -> Result<bool, String> {
        for &c in s {
            match c {
                b'.' => return parse_ipv4_fields(s, 0, s.len()).map(|()| true),
                b':' => return parse_ipv6(s).map(|()| false),
                b'%' => return Err(addr_error(s, "missing IPv6 address", b"")),
                _ => {}
            }
        }
        Err(addr_error(s, "unable to parse IP", b""))
    }

    fn parse_ipv4_fields(input: &[u8], off: usize, end: usize) -> Result<(), String> {
        let s = &input[off..end];
        let (mut val, mut pos, mut dig_len) = (0u32, 0, 0);
        for i in 0..s.len() {
            let c = s[i];
            if c.is_ascii_digit() {
                if dig_len == 1 && val == 0 {
                    return Err(addr_error(input, "IPv4 field has octet with leading zero", b""));
                }
                val = val * 10 + u32::from(c - b'0');
                dig_len += 1;
                if val > 255 {
                    return Err(addr_error(input, "IPv4 field has value >255", b""));
                }
            } else if c == b'.' {
                if i == 0 || i == s.len() - 1 || s[i - 1] == b'.' {
                    return Err(addr_error(input, "IPv4 field must have at least one digit", &input[off + i..end]));
                }
                if pos == 3 {
                    return Err(addr_error(input, "IPv4 address too long", b""));
                }
                pos += 1;
                val = 0;
                dig_len = 0;
            } else {
                return Err(addr_error(input, "unexpected character", &input[off + i..end]));
            }
        }
        if pos < 3 {
            return Err(addr_error(input, "IPv4 address too short", b""));
        }
        Ok(())
    }

    fn parse_ipv6(input: &[u8]) -> Result<(), String> {
        let mut s = input;
        let mut zone: &[u8] = b"";
        if let Some(i) = s.iter().position(|&c| c == b'%') {
            zone = &s[i + 1..];
            s = &s[..i];
            if zone.is_empty() {
                return Err(addr_error(input, "zone must be a non-empty string", b""));
            }
        }
        let mut ellipsis: Option<usize> = None;
        if s.starts_with(b"::") {
            ellipsis = Some(0);
            s = &s[2..];
            if s.is_empty() {
                return Ok(());
            }
        }
        let mut i = 0;
        while i < 16 {
            let b = s;
            let mut off = 0;
            let mut acc: u32 = 0;
            while off < b.len() {
                let Some(d) = char::from(b[off]).to_digit(16) else {
                    break;
                };
                acc = (acc << 4) + d;
                if off > 3 {
                    return Err(addr_error(input, "each group must have 4 or less digits", s));
                }
                if acc > 0xffff {
                    return Err(addr_error(input, "IPv6 field has value >=2^16", s));
                }
                off += 1;
            }
            if off == 0 {
                return Err(addr_error(input, "each colon-separated field must have at least one digit", s));
            }
            if off < b.len() && b[off] == b'.' {
                if ellipsis.is_none() && i != 12 {
                    return Err(addr_error(input, "embedded IPv4 address must replace the final 2 fields of the address", s));
                }
                if i + 4 > 16 {
                    return Err(addr_error(input, "too many hex fields to fit an embedded IPv4 at the end of the address", s));
                }
                let mut end = input.len();
                if !zone.is_empty() {
                    end -= zone.len() + 1;
                }
                parse_ipv4_fields(input, end - s.len(), end)?;
                s = b"";
                i += 4;
                break;
            }
            i += 2;
            s = &s[off..];
            if s.is_empty() {
                break;
            }
            if !s.starts_with(b":") {
                return Err(addr_error(input, "unexpected character, want colon", s));
            } else if s.len() == 1 {
                return Err(addr_error(input, "colon must be followed by more characters", s));
            }
            s = &s[1..];
            if s.starts_with(b":") {
                if ellipsis.is_some() {
                    return Err(addr_error(input, "multiple :: in address", s));
                }
                ellipsis = Some(i);
                s = &s[1..];
                if s.is_empty() {
                    break;
                }
            }
        }
        if !s.is_empty() {
            return Err(addr_error(input, "trailing garbage after address", s));
        }
        if i < 16 {
            if ellipsis.is_none() {
                return Err(addr_error(input, "address string too short", b""));
            }
        } else if ellipsis.is_some() {
            return Err(addr_error(input, "the :: must expand to at least one field of zeros", b""));
        }
        Ok(())
    }

    /// x509's `domainNameValid(s, false)`.
    fn domain_name_valid(b: &[u8]) -> bool {
        if b.is_empty() {
            return true;
        }
        if b[b.len() - 1] == b'.' {
            return false;
        }
        b.iter().all(|&c| (33..=126).contains(&c)) && b.split(|&c| c == b'.').all(|label| !label.is_empty())
    }

    /// `x509: cannot parse URI …` unless `net/url.Parse` accepts `s` and its host is a
    /// valid domain by x509's (lenient) rules.
    pub(super) fn check(s: &str) -> Result<(), String> {
        let fail = |m: &str| Err(format!("x509: cannot parse URI {}: {m}", quote(s)));
        let (u, fragment) = match s.split_once('#') {
            Some((u, f)) => (u, f),
            None => (s, ""),
        };
        let host = match parse(u) {
            Ok(host) => host,
            Err(e) => return fail(&format!("parse {}: {e}", quote(u))),
        };
        if !fragment.is_empty()
            && let Err(e) = unescape(fragment, Mode::Other)
        {
            return fail(&format!("parse {}: {e}", quote(s)));
        }
        if !domain_name_valid(&host) {
            return fail("invalid domain");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_block() {
        assert_eq!(csr_common_name(b"garbage"), Err(CsrError::NotCertificateRequestPem));
        assert_eq!(
            csr_common_name(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(CsrError::NotCertificateRequestPem)
        );
    }

    #[test]
    fn empty_der() {
        assert_eq!(
            csr_common_name(b"-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n"),
            Err(CsrError::Parse("asn1: syntax error: sequence truncated".into()))
        );
    }

    #[test]
    fn base64_rules() {
        assert_eq!(base64_decode(b"QUJD"), Some(b"ABC".to_vec()));
        assert_eq!(base64_decode(b"QUI="), Some(b"AB".to_vec()));
        assert_eq!(base64_decode(b"QQ=="), Some(b"A".to_vec()));
        assert_eq!(base64_decode(b"QQ="), None);
        assert_eq!(base64_decode(b"QQ==QUJD"), None);
        assert_eq!(base64_decode(b"QR=="), Some(b"A".to_vec()));
    }
}
