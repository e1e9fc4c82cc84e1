//! Go's `%q` string quoting, which upstream reason strings use for names.
//!
//! Reasons must match kube-apiserver byte for byte, so names are quoted the way Go's
//! `strconv.Quote` does: printable Unicode kept, `\a \b \f \n \r \t \v \\ \"` escaped,
//! other control characters as `\xNN` (below 0x80) or `\uNNNN` / `\UNNNNNNNN`.

use std::fmt::Write;

/// Quotes `s` exactly as Go's `fmt.Sprintf("%q", s)` does for valid UTF-8 input.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

mod print_table;

/// Rewrites the JSON text `json` so that every `\uXXXX` escape of a UTF-16 surrogate that
/// is not part of a valid pair becomes `\ufffd`, as Go's `encoding/json` decodes it (it
/// substitutes U+FFFD; serde_json rejects such text). Everything else is left alone.
pub fn json_replace_invalid_surrogates(json: &str) -> std::borrow::Cow<'_, str> {
    fn escape_at(b: &[u8], i: usize) -> Option<u32> {
        let hex = b.get(i + 2..i + 6)?;
        if b[i] != b'\\' || b[i + 1] != b'u' {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    }
    let b = json.as_bytes();
    if !json.contains("\\u") {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match escape_at(b, i) {
            Some(0xd800..=0xdbff) if matches!(escape_at(b, i + 6), Some(0xdc00..=0xdfff)) => i += 12,
            Some(0xd800..=0xdfff) => {
                out.push_str(&json[copied..i]);
                out.push_str("\\ufffd");
                i += 6;
                copied = i;
            }
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(json);
    }
    out.push_str(&json[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Writes `s` as Go's `encoding/json` writes a string: `"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f` escaped,
/// other control characters as `\u00XX` (lower-case hex), `<`, `>`, `&`, U+2028 and U+2029
/// as `\u` escapes (HTML-safe escaping, Go's default).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes a JSON value as Go's `json.Marshal` of the equivalent Go value would: compact,
/// object keys in the order given (callers pass Go's field order; Go sorts map keys, as
/// `serde_json::Map` does), strings escaped by [`json_string`].
pub fn json_value(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => json_string(s),
        Value::Array(a) => format!("[{}]", a.iter().map(json_value).collect::<Vec<_>>().join(",")),
        Value::Object(m) => {
            format!("{{{}}}", m.iter().map(|(k, v)| format!("{}:{}", json_string(k), json_value(v))).collect::<Vec<_>>().join(","))
        }
        other => other.to_string(),
    }
}

/// Go's `strconv.IsPrint` (the same set as `unicode.IsPrint`): letters, marks, numbers,
/// punctuation, symbols and the ASCII space, from the table `conformance/cmd/gostrtable`
/// writes from the Go toolchain's own Unicode tables (Unicode 15.0.0 for Go 1.26).
pub fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return (0x20..0x7f).contains(&u);
    }
    #[cfg(feature = "mutants")]
    if crate::mutants::active(crate::mutants::Mutant::QuoteAllNonAsciiPrintable) {
        return true;
    }
    let table = print_table::PRINTABLE;
    let i = table.partition_point(|&(_, hi)| hi < u);
    table.get(i).is_some_and(|&(lo, _)| lo <= u)
}

fn is_go_printable(c: char) -> bool {
    is_print(c)
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_like_go() {
        assert_eq!(quote("system:node"), "\"system:node\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("tab\there\n"), "\"tab\\there\\n\"");
        assert_eq!(quote("\u{1}"), "\"\\x01\"");
        assert_eq!(quote("\u{7f}"), "\"\\x7f\"");
        assert_eq!(quote("héllo"), "\"héllo\"");
        assert_eq!(quote("\u{200b}"), "\"\\u200b\"");
        assert_eq!(quote(""), "\"\"");
    }

    #[test]
    fn json_surrogates_like_go() {
        use super::json_replace_invalid_surrogates as fix;
        assert_eq!(fix(r#"{"a":"x\ud800y"}"#), r#"{"a":"x\ufffdy"}"#);
        assert_eq!(fix(r#""\udc00""#), r#""\ufffd""#);
        assert_eq!(fix(r#""\ud83d\ude00""#), r#""\ud83d\ude00""#);
        assert_eq!(fix(r#""\ud800\u0041""#), r#""\ufffd\u0041""#);
        assert_eq!(fix(r#""\ud800\ud800\udc00""#), r#""\ufffd\ud800\udc00""#);
        assert_eq!(fix(r#""\\ud800""#), r#""\\ud800""#, "an escaped backslash is not an escape");
        assert_eq!(fix(r#""é\u00e9""#), r#""é\u00e9""#);
        let v: String = serde_json::from_str(&fix(r#""a\udfffb""#)).unwrap();
        assert_eq!(v, "a\u{fffd}b");
    }

    #[test]
    fn unicode_tables_like_go() {
        use super::is_print;
        // Separators other than the ASCII space, format characters, private use,
        // unassigned code points and noncharacters are not printable; letters, marks,
        // numbers, punctuation and symbols are, in every plane.
        for c in
            ['\u{a0}', '\u{ad}', '\u{85}', '\u{2028}', '\u{3000}', '\u{feff}', '\u{e000}', '\u{378}', '\u{fffe}', '\u{e0001}', '\u{10ffff}']
        {
            assert!(!is_print(c), "{c:?} must not be printable");
        }
        for c in ['é', '\u{301}', '٣', '€', '\u{1f600}', '\u{20000}', '\u{fffd}', '\u{a7c0}', '\u{1e030}'] {
            assert!(is_print(c), "{c:?} must be printable");
        }
        assert_eq!(quote("\u{378}\u{85}\u{e0001}"), "\"\\u0378\\u0085\\U000e0001\"");
        assert_eq!(quote("\u{1f600}\u{a0}"), "\"\u{1f600}\\u00a0\"");
    }
}
