//! Streaming reader for large JSON snapshots: reads a file in large chunks, splits each
//! top-level `List`'s `items` with a byte scanner (SIMD `memchr` over strings and braces),
//! and decodes every item as soon as it is complete with the single-pass decoder (the
//! careful decoder for items it does not take). Only one chunk of text is held at a time,
//! instead of the whole file.
//!
//! The scanner handles exactly what `kubectl get -o json` writes: one or more top-level
//! objects with an `items` array and a `kind` ending in `List`. Anything else (a plain
//! object, an array, a duplicate key, a read error, invalid UTF-8, and any item that even
//! the careful decoder refuses) makes it answer `None`, and the caller reads the whole
//! file with [`super::parse_text`], which then gives exactly the answer or error it always
//! gave (file, document, item and field named). Nothing decoded here is kept then: a bad
//! file never yields a partial snapshot.
//!
//! Every byte is still validated: each item and each other top-level value is parsed by
//! serde_json on its own, and the punctuation between them is checked here.

use std::io::{self, Read};

use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Snapshot, decode_json_document, stream};

/// Default read size: large enough that refills and the carry-over copy are rare.
pub const DEFAULT_CHUNK: usize = 4 << 20;

/// A refillable window over the input.
struct Window<R> {
    reader: R,
    buf: Vec<u8>,
    /// First unconsumed byte.
    pos: usize,
    /// End of the bytes read.
    end: usize,
    eof: bool,
    chunk: usize,
}

impl<R: Read> Window<R> {
    /// Moves `buf[keep..end]` to the front and reads more input after it; `false` at the
    /// end of the input (nothing more read).
    fn refill(&mut self, keep: usize) -> io::Result<bool> {
        if keep > 0 {
            self.buf.copy_within(keep..self.end, 0);
            self.end -= keep;
            self.pos -= keep;
        }
        if self.eof {
            return Ok(false);
        }
        // At least a chunk free: an item larger than a chunk makes the buffer grow.
        if self.buf.len() - self.end < self.chunk {
            self.buf.resize(self.end + self.chunk, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next non-whitespace byte (not consumed), reading more as needed.
    fn peek_non_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            while self.pos < self.end {
                match self.buf[self.pos] {
                    b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                    b => return Ok(Some(b)),
                }
            }
            if !self.refill(self.pos)? {
                return Ok(None);
            }
        }
    }

    /// Finds the end of the JSON value starting at `pos` (which must not be whitespace):
    /// returns its extent `[pos, end)` in the buffer, reading more as needed (`None` when
    /// the input ends inside it). Only strings, braces and brackets are tracked; the value
    /// itself is validated by whoever decodes it.
    fn value_extent(&mut self) -> io::Result<Option<(usize, usize)>> {
        let first = self.buf[self.pos];
        let (mut scanned, mut depth, mut in_string) = (0usize, 0usize, false);
        loop {
            let start = self.pos;
            let mut i = start + scanned;
            while i < self.end {
                if in_string {
                    match memchr::memchr2(b'"', b'\\', &self.buf[i..self.end]) {
                        None => i = self.end,
                        Some(k) => {
                            i += k;
                            if self.buf[i] == b'\\' {
                                // The escaped byte may not be read yet: resume at the backslash.
                                if i + 1 >= self.end {
                                    break;
                                }
                                i += 2;
                            } else {
                                i += 1;
                                in_string = false;
                                if depth == 0 {
                                    return Ok(Some((start, i)));
                                }
                            }
                        }
                    }
                } else if first == b'{' {
                    // In an object only quotes and braces decide where it ends.
                    match memchr::memchr3(b'"', b'{', b'}', &self.buf[i..self.end]) {
                        None => i = self.end,
                        Some(k) => {
                            i += k;
                            match self.buf[i] {
                                b'"' => in_string = true,
                                b'{' => depth += 1,
                                _ => {
                                    depth -= 1;
                                    if depth == 0 {
                                        return Ok(Some((start, i + 1)));
                                    }
                                }
                            }
                            i += 1;
                        }
                    }
                } else {
                    match self.buf[i] {
                        b'"' => in_string = true,
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' if depth == 0 => return Ok(Some((start, i))),
                        b']' | b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(Some((start, i + 1)));
                            }
                        }
                        b',' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Ok(Some((start, i))),
                        _ => {}
                    }
                    i += 1;
                }
            }
            scanned = i - start;
            if !self.refill(start)? {
                // The input ends: only a bare scalar (number, literal) may end with it.
                let scalar = depth == 0 && !in_string && !matches!(first, b'{' | b'[' | b'"') && scanned > 0;
                return Ok(scalar.then_some((self.pos, self.pos + scanned)));
            }
        }
    }

    fn text(&self, (a, b): (usize, usize)) -> Option<&str> {
        std::str::from_utf8(&self.buf[a..b]).ok()
    }
}

/// Streams every top-level `List` of the JSON read from `reader`, `chunk` bytes at a time.
/// `Ok(None)`: the input needs [`super::parse_text`] (see the module comment).
pub fn stream_lists<R: Read>(reader: R, chunk: usize) -> io::Result<Option<Snapshot>> {
    let mut w = Window { reader, buf: Vec::new(), pos: 0, end: 0, eof: false, chunk: chunk.max(1) };
    while w.end < 3 && w.refill(0)? {}
    // A byte-order mark may open the file (as parse_text allows).
    if w.buf[..w.end].starts_with("\u{feff}".as_bytes()) {
        w.pos = 3;
    }
    let mut out = Snapshot::default();
    let mut scratch = Snapshot::default();
    let mut document = 0usize;
    while let Some(b) = w.peek_non_ws()? {
        document += 1;
        if b != b'{' || !stream_document(&mut w, document, &mut out, &mut scratch)? {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

/// One top-level object that must be a `List`; `false` when it is not one, or anything in
/// it needs the whole-text path.
fn stream_document<R: Read>(w: &mut Window<R>, document: usize, out: &mut Snapshot, scratch: &mut Snapshot) -> io::Result<bool> {
    w.pos += 1; // '{'
    let mut kind: Option<Value> = None;
    let mut saw_items = false;
    let mut seen_keys: Vec<String> = Vec::new();
    let mut first = true;
    loop {
        match w.peek_non_ws()? {
            Some(b'}') if first => {
                w.pos += 1;
                return Ok(false);
            }
            Some(b'"') => {}
            _ => return Ok(false),
        }
        first = false;
        let Some(extent) = w.value_extent()? else { return Ok(false) };
        let Some(key) = w.text(extent).and_then(|t| serde_json::from_str::<String>(t).ok()) else { return Ok(false) };
        w.pos = extent.1;
        if seen_keys.contains(&key) {
            return Ok(false);
        }
        if w.peek_non_ws()? != Some(b':') {
            return Ok(false);
        }
        w.pos += 1;
        let Some(next) = w.peek_non_ws()? else { return Ok(false) };
        if key == "items" {
            if next != b'[' || !stream_items(w, document, out, scratch)? {
                return Ok(false);
            }
            saw_items = true;
        } else {
            let Some(extent) = w.value_extent()? else { return Ok(false) };
            let Some(text) = w.text(extent) else { return Ok(false) };
            if key == "kind" {
                let Ok(v) = serde_json::from_str::<Value>(text) else { return Ok(false) };
                kind = Some(v);
            } else if serde_json::from_str::<IgnoredAny>(text).is_err() {
                return Ok(false);
            }
            w.pos = extent.1;
        }
        seen_keys.push(key);
        match w.peek_non_ws()? {
            Some(b',') => w.pos += 1,
            Some(b'}') => {
                w.pos += 1;
                break;
            }
            _ => return Ok(false),
        }
    }
    let is_list = matches!(&kind, Some(Value::String(k)) if k.ends_with("List"));
    Ok(is_list && saw_items)
}

/// A List's `items` (the window at `[`), each decoded as soon as it is complete.
fn stream_items<R: Read>(w: &mut Window<R>, document: usize, out: &mut Snapshot, scratch: &mut Snapshot) -> io::Result<bool> {
    w.pos += 1; // '['
    if w.peek_non_ws()? == Some(b']') {
        w.pos += 1;
        return Ok(true);
    }
    let mut index = 0usize;
    loop {
        if w.peek_non_ws()? != Some(b'{') {
            return Ok(false);
        }
        let Some(extent) = w.value_extent()? else { return Ok(false) };
        let Some(text) = w.text(extent) else { return Ok(false) };
        if !decode_item(text, document, index, out, scratch) {
            return Ok(false);
        }
        w.pos = extent.1;
        index += 1;
        match w.peek_non_ws()? {
            Some(b',') => w.pos += 1,
            Some(b']') => {
                w.pos += 1;
                return Ok(true);
            }
            _ => return Ok(false),
        }
    }
}

/// Decodes one item as the whole-text path would: the single-pass decoder, else the careful
/// one. `false` when the careful decoder refuses it (the whole-text path then reports it).
fn decode_item(text: &str, document: usize, index: usize, out: &mut Snapshot, scratch: &mut Snapshot) -> bool {
    let text = crate::gostr::json_replace_invalid_surrogates(text);
    if stream::try_json_into(&text, scratch) {
        out.objects.append(&mut scratch.objects);
        for (k, n) in std::mem::take(&mut scratch.skipped) {
            *out.skipped.entry(k).or_default() += n;
        }
        return true;
    }
    scratch.objects.clear();
    scratch.skipped.clear();
    let Ok(raw) = serde_json::from_str::<&RawValue>(&text) else { return false };
    decode_json_document(raw, &format!("document {document}, items[{index}]"), out).is_ok()
}
