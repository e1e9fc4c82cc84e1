//! Streaming reader for large JSON snapshots: reads a file in large chunks, splits each
//! top-level `List`'s `items` with a byte scanner (SIMD `memchr` over strings and braces),
//! and hands each read buffer's items to a decoding thread, which decodes each with the
//! single-pass decoder (the careful decoder for items it does not take); their objects are
//! appended in input order. The reader's thread only reads and scans; decoding, most of the
//! work, runs beside it on the other cores. Only a few chunks of text are held at a time,
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
use std::sync::mpsc;

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
    /// Complete List items in `buf` (their extents) not yet handed on, in input order.
    pending: Vec<(usize, usize)>,
    /// Batches of items handed off by refills, to be passed on in order.
    ready: Vec<Batch>,
    /// Buffers the decoders are done with, to read into again.
    spare: Option<mpsc::Receiver<Vec<u8>>>,
}

impl<R: Read> Window<R> {
    fn new(reader: R, chunk: usize) -> Self {
        Window { reader, buf: Vec::new(), pos: 0, end: 0, eof: false, chunk, pending: Vec::new(), ready: Vec::new(), spare: None }
    }

    /// Moves `buf[keep..end]` to the front (into another buffer when items are pending:
    /// see [`Window::hand_off`]) and reads more input after it; `false` at the end of the
    /// input (nothing more read).
    fn refill(&mut self, keep: usize) -> io::Result<bool> {
        if !self.pending.is_empty() {
            self.hand_off(keep);
        } else if keep > 0 {
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

    /// Hands the pending items off, with the buffer that holds them, as a batch (into
    /// `ready`): the window goes on in another buffer holding `buf[keep..end]`, so item
    /// text is never copied.
    fn hand_off(&mut self, keep: usize) {
        if self.pending.is_empty() {
            return;
        }
        let mut next = self.spare.as_ref().and_then(|spare| spare.try_recv().ok()).unwrap_or_default();
        let tail = self.end - keep;
        if next.len() < tail + self.chunk {
            next.resize(tail + self.chunk, 0);
        }
        next[..tail].copy_from_slice(&self.buf[keep..self.end]);
        let full = std::mem::replace(&mut self.buf, next);
        self.ready.push(Batch { buf: full, items: std::mem::take(&mut self.pending) });
        self.end = tail;
        self.pos -= keep;
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

/// How [`stream_lists`] reads and decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// Bytes read at a time; the items in one read buffer are decoded as one batch.
    pub chunk: usize,
    /// Threads decoding items beside the reader; 0 or 1 decodes on the reader's thread.
    pub decoders: usize,
}

impl StreamOptions {
    /// Reads `chunk` bytes at a time and decodes on up to one thread per core (at most four).
    pub fn with_chunk(chunk: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        StreamOptions { chunk, decoders: cores.min(MAX_DECODERS) }
    }
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions::with_chunk(DEFAULT_CHUNK)
    }
}

/// Decoding threads at most. The reader's thread (reads and the item scan) is about as
/// busy as each of two decoders, so beyond three or four it, not decoding, sets the pace.
const MAX_DECODERS: usize = 4;

/// Streams every top-level `List` of the JSON read from `reader`. `Ok(None)`: the input
/// needs [`super::parse_text`] (see the module comment). The answer does not depend on
/// the options.
pub fn stream_lists<R: Read>(reader: R, options: StreamOptions) -> io::Result<Option<Snapshot>> {
    let chunk = options.chunk.max(1);
    let mut w = Window::new(reader, chunk);
    while w.end < 3 && w.refill(0)? {}
    // A byte-order mark may open the file (as parse_text allows).
    if w.buf[..w.end].starts_with("\u{feff}".as_bytes()) {
        w.pos = 3;
    }
    let mut out = Snapshot::default();
    while let Some(b) = w.peek_non_ws()? {
        if b != b'{' || !stream_document(&mut w, options.decoders, &mut out)? {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

/// One top-level object that must be a `List`; `false` when it is not one, or anything in
/// it needs the whole-text path.
fn stream_document<R: Read>(w: &mut Window<R>, decoders: usize, out: &mut Snapshot) -> io::Result<bool> {
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
            if next != b'[' || !stream_items(w, decoders, out)? {
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

/// Items handed to a decoding thread: the read buffer that holds them and their extents.
struct Batch {
    buf: Vec<u8>,
    items: Vec<(usize, usize)>,
}

impl Batch {
    /// Decodes every item into one snapshot; `None` when any needs the whole-text path
    /// (invalid UTF-8 included).
    fn decode(&self, scratch: &mut Snapshot) -> Option<Snapshot> {
        let mut out = Snapshot::default();
        for &(a, b) in &self.items {
            let text = std::str::from_utf8(&self.buf[a..b]).ok()?;
            if !decode_item(text, &mut out, scratch) {
                return None;
            }
        }
        Some(out)
    }
}

/// A List's `items` (the window at `[`). The reader finds where each item ends; the items
/// of each read buffer go, with the buffer, to a decoding thread, and their objects are
/// appended in input order. Decoded buffers come back to be read into again.
fn stream_items<R: Read>(w: &mut Window<R>, decoders: usize, out: &mut Snapshot) -> io::Result<bool> {
    w.pos += 1; // '['
    if w.peek_non_ws()? == Some(b']') {
        w.pos += 1;
        return Ok(true);
    }
    let (recycle, spare) = mpsc::channel::<Vec<u8>>();
    w.spare = Some(spare);
    let streamed = if decoders < 2 {
        let mut scratch = Snapshot::default();
        scan_items(w, |batch| {
            let decoded = batch.decode(&mut scratch);
            let _ = recycle.send(batch.buf);
            decoded.map(|s| out.extend(s)).is_some()
        })
    } else {
        decode_on_threads(w, decoders, &recycle, out)
    };
    w.spare = None;
    streamed
}

/// [`stream_items`] with `decoders` threads: batch `i` goes to decoder `i % decoders`, and
/// the results are taken from each decoder in turn, which keeps input order.
fn decode_on_threads<R: Read>(w: &mut Window<R>, decoders: usize, recycle: &mpsc::Sender<Vec<u8>>, out: &mut Snapshot) -> io::Result<bool> {
    std::thread::scope(|scope| {
        let mut jobs = Vec::with_capacity(decoders);
        let mut results = Vec::with_capacity(decoders);
        let mut threads = Vec::with_capacity(decoders);
        for _ in 0..decoders {
            // One batch queued per decoder bounds the text in flight.
            let (job_tx, job_rx) = mpsc::sync_channel::<Batch>(1);
            let (result_tx, result_rx) = mpsc::channel::<Option<Snapshot>>();
            let recycle = recycle.clone();
            let spawned = std::thread::Builder::new().name("kauthz-decode".into()).spawn_scoped(scope, move || {
                let mut scratch = Snapshot::default();
                for batch in job_rx {
                    let decoded = batch.decode(&mut scratch);
                    // The reader may be gone (a refused item): the buffer is then dropped.
                    let _ = recycle.send(batch.buf);
                    if result_tx.send(decoded).is_err() {
                        break;
                    }
                }
            });
            // Fewer threads than asked for still decode everything; none is a read error
            // (the caller then reads the file whole).
            match spawned {
                Ok(thread) => {
                    jobs.push(job_tx);
                    results.push(result_rx);
                    threads.push(thread);
                }
                Err(e) if jobs.is_empty() => return Err(e),
                Err(_) => break,
            }
        }
        let decoders = jobs.len();
        let mut received = 0usize;
        let mut collect = |sent: usize, wait: bool| -> bool {
            while received < sent {
                let from = &results[received % decoders];
                let result = if wait {
                    from.recv().ok()
                } else {
                    match from.try_recv() {
                        Ok(result) => Some(result),
                        Err(mpsc::TryRecvError::Empty) => return true,
                        Err(mpsc::TryRecvError::Disconnected) => None,
                    }
                };
                let Some(Some(snapshot)) = result else { return false };
                out.extend(snapshot);
                received += 1;
            }
            true
        };
        let mut sent = 0usize;
        let scanned = scan_items(w, |batch| {
            if jobs[sent % decoders].send(batch).is_err() {
                return false;
            }
            sent += 1;
            collect(sent, false)
        });
        let streamed = scanned.map(|scanned| scanned && collect(sent, true));
        // Closing the queues stops the decoders (early on a refusal). Each is joined, not
        // just awaited as the scope ends: a join also waits for the thread's exit (its
        // thread-local destructors), so nothing of it outlives the call (LeakSanitizer
        // flagged what a finishing thread still held when the scope had returned).
        drop(jobs);
        for thread in threads {
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
        streamed
    })
}

/// Finds where each item of a List's `items` ends (the window just after `[` and a first
/// item) and hands them on in batches, each as its read buffer fills; `false` when `take`
/// refuses a batch or the items are not well formed.
fn scan_items<R: Read>(w: &mut Window<R>, mut take: impl FnMut(Batch) -> bool) -> io::Result<bool> {
    loop {
        if w.peek_non_ws()? != Some(b'{') {
            return Ok(false);
        }
        let Some(extent) = w.value_extent()? else { return Ok(false) };
        w.pending.push(extent);
        w.pos = extent.1;
        if !w.ready.drain(..).all(&mut take) {
            return Ok(false);
        }
        match w.peek_non_ws()? {
            Some(b',') => w.pos += 1,
            Some(b']') => {
                w.pos += 1;
                w.hand_off(w.pos);
                return Ok(w.ready.drain(..).all(&mut take));
            }
            _ => return Ok(false),
        }
    }
}

/// Decodes one item as the whole-text path would: the single-pass decoder, else the careful
/// one. `false` when the careful decoder refuses it (the whole-text path then reports it).
fn decode_item(text: &str, out: &mut Snapshot, scratch: &mut Snapshot) -> bool {
    // Lone surrogate escapes are rewritten as Go reads them (U+FFFD) only when the first
    // attempt fails: serde_json refuses them in every string a decoder reads, and where it
    // ignores a string its content makes no difference.
    if decode_single_pass(text, out, scratch) {
        return true;
    }
    let text = crate::gostr::json_replace_invalid_surrogates(text);
    if matches!(text, std::borrow::Cow::Owned(_)) && decode_single_pass(&text, out, scratch) {
        return true;
    }
    let Ok(raw) = serde_json::from_str::<&RawValue>(&text) else { return false };
    // The location is never shown: a refusal sends the file to the whole-text path.
    decode_json_document(raw, "items", out).is_ok()
}

/// The single-pass decoder on one item, appending to `out` only when it succeeds.
fn decode_single_pass(text: &str, out: &mut Snapshot, scratch: &mut Snapshot) -> bool {
    let decoded = stream::try_json_into(text, scratch);
    if decoded {
        out.objects.append(&mut scratch.objects);
        for (k, n) in std::mem::take(&mut scratch.skipped) {
            *out.skipped.entry(k).or_default() += n;
        }
    }
    scratch.objects.clear();
    scratch.skipped.clear();
    decoded
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::Window;

    /// JSON values whose strings are full of what the scanner must see through: braces,
    /// brackets, quotes and backslash runs (escaped as serde_json writes them).
    fn json_value() -> impl Strategy<Value = Value> {
        let text = "[a-z{}\\[\\]\"\\\\ é\u{1F600}]{0,80}";
        let leaf = prop_oneof![Just(Value::Null), any::<i32>().prop_map(Value::from), text.prop_map(Value::String)];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text, inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Wherever reads end (escapes cut in two included), the scanner finds exactly where
        /// an object ends, compact or pretty-printed.
        #[test]
        fn object_extent_is_found_across_blocks_and_reads(
            fields in prop::collection::vec(("[a-z\"{}]{1,12}", json_value()), 0..8),
            pretty in any::<bool>(),
            chunk in prop_oneof![1usize..130, Just(4096)],
        ) {
            let object = Value::Object(fields.into_iter().collect());
            let text = if pretty { serde_json::to_string_pretty(&object) } else { serde_json::to_string(&object) }.unwrap();
            let input = format!("{text} , {{\"next\": 1}}");
            let mut w = Window::new(input.as_bytes(), chunk);
            prop_assert_eq!(w.peek_non_ws().unwrap(), Some(b'{'));
            let (a, b) = w.value_extent().unwrap().expect("a complete object");
            prop_assert_eq!(&w.buf[a..b], text.as_bytes());
        }
    }
}
