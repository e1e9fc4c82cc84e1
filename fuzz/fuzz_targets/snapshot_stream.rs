//! The streaming loader (`stream_lists`, what `load_paths` uses for large files) against
//! the whole-text loader (`parse_text`).
//!
//! The first two bytes choose the read size (1..=4096 bytes, so items, strings and escapes
//! are cut at every position; the items of each read buffer are decoded as a batch) and
//! the number of decoding threads (0-3); the rest is the file. Invariants: the stream answers for
//! an input or declines it (`None`) the same way whatever the read size; when it answers,
//! the input is UTF-8 and `parse_text` accepts it with exactly the same objects and skip
//! counts, so taking the streamed answer never changes what a file means and never yields
//! a snapshot `parse_text` would refuse (no partial snapshot).
#![no_main]

use std::io::Cursor;

use kauthz_core::snapshot::{StreamOptions, parse_text, stream_lists};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, input @ ..] = data else { return };
    let chunk = 1 + (usize::from(u16::from_le_bytes([*a, *b])) % 4096);
    let small = StreamOptions { chunk, decoders: usize::from(*b >> 4) % 4 };
    let small = stream_lists(Cursor::new(input), small).expect("an in-memory reader cannot fail");
    let large = stream_lists(Cursor::new(input), StreamOptions::default()).expect("an in-memory reader cannot fail");
    match (small, large) {
        (None, None) => {}
        (Some(small), Some(large)) => {
            assert_eq!(small.objects, large.objects, "objects depend on the read size {chunk}");
            assert_eq!(small.skipped, large.skipped, "skips depend on the read size {chunk}");
            let text = std::str::from_utf8(input).expect("the stream answered for input that is not UTF-8");
            let whole = parse_text("input", text).unwrap_or_else(|e| panic!("the stream answered, parse_text refuses: {e}"));
            assert_eq!(small.objects, whole.objects, "streamed and whole-text objects differ");
            assert_eq!(small.skipped, whole.skipped, "streamed and whole-text skips differ");
        }
        (small, large) => panic!(
            "read size {chunk} {} the input, the default read size {}",
            if small.is_some() { "answers" } else { "declines" },
            if large.is_some() { "answers" } else { "declines" }
        ),
    }
});
