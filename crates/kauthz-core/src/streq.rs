//! Equality of short byte strings without a call into the C library.
//!
//! Slice `==` compares lengths and then calls `bcmp`/`memcmp`. For the strings an
//! authorization decision compares (verbs, resources, API groups, subresources, object and
//! node names: almost all 0–32 bytes, many empty or a few bytes) that call is most of the
//! cost: it goes through the PLT into glibc's vector dispatch, whose setup outweighs the
//! few bytes compared. Here the length is compared first, then the bytes as at most four
//! unaligned `u64` words (overlapping loads cover every length without a byte loop); longer
//! strings fall back to slice `==`. Same answer as `==` for every input (tested below).

/// Strings up to this many bytes are compared word by word; longer ones with slice `==`.
const WORDS_MAX: usize = 32;

/// `a == b`, faster for strings of at most 32 bytes.
#[inline(always)]
pub fn eq(a: &str, b: &str) -> bool {
    bytes_eq(a.as_bytes(), b.as_bytes())
}

/// `a == b` for byte strings, faster for strings of at most 32 bytes.
#[inline(always)]
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && same_len_eq(a, b)
}

/// The word `a[at..at + 8]` (an unaligned load once inlined).
#[inline(always)]
fn word(a: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&a[at..at + 8]);
    u64::from_ne_bytes(w)
}

/// The half word `a[at..at + 4]`.
#[inline(always)]
fn half(a: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&a[at..at + 4]);
    u32::from_ne_bytes(w)
}

/// Byte equality of two slices of the same length. The loads overlap where the length is
/// not a multiple of the word: bytes compared twice are equal or not both times.
#[inline(always)]
fn same_len_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if b.len() != n {
        // Never taken (callers compare lengths); lets the compiler drop the bounds checks.
        return false;
    }
    match n {
        0 => true,
        // First, middle and last byte: every byte of a 1–3 byte string.
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        17..=WORDS_MAX => {
            // No early exit between the words: four loads and one branch.
            ((word(a, 0) ^ word(b, 0))
                | (word(a, 8) ^ word(b, 8))
                | (word(a, n - 16) ^ word(b, n - 16))
                | (word(a, n - 8) ^ word(b, n - 8)))
                == 0
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every length 0..64 (both sides of every branch and of the 32-byte fallback), equal
    /// strings and strings differing in exactly one byte at every position, plus unequal
    /// lengths sharing a prefix.
    #[test]
    fn every_length_and_every_differing_byte() {
        for n in 0..64usize {
            let a: Vec<u8> = (0..n).map(|i| (i * 7 + 1) as u8).collect();
            assert!(bytes_eq(&a, &a.clone()), "equal, len {n}");
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x80;
                assert!(!bytes_eq(&a, &b), "differs at {i}, len {n}");
                assert!(!bytes_eq(&b, &a), "differs at {i}, len {n}");
            }
            for m in 0..n {
                assert!(!bytes_eq(&a[..m], &a), "prefix {m} of len {n}");
                assert!(!bytes_eq(&a, &a[..m]), "len {n} vs prefix {m}");
            }
        }
    }

    #[test]
    fn str_forms() {
        assert!(eq("", ""));
        assert!(eq("system:node:node0", "system:node:node0"));
        assert!(!eq("get", "got"));
        assert!(!eq("secrets", "secret"));
        assert!(eq("ns0/secret-pv0-pod0-node1-ns0-with-a-long-tail", "ns0/secret-pv0-pod0-node1-ns0-with-a-long-tail"));
    }

    proptest! {
        /// Same answer as `==` over random pairs of random lengths 0..64, from a small
        /// alphabet so that equal and nearly equal pairs are common.
        #[test]
        fn same_as_slice_eq(a in proptest::collection::vec(0u8..3, 0..64), b in proptest::collection::vec(0u8..3, 0..64)) {
            prop_assert_eq!(bytes_eq(&a, &b), a == b);
        }

        /// Same answer as `==` for a string against a copy with at most one byte changed.
        #[test]
        fn same_as_slice_eq_near_copies(a in proptest::collection::vec(any::<u8>(), 0..64), at in any::<usize>(), x in any::<u8>()) {
            let mut b = a.clone();
            if !b.is_empty() {
                let i = at % b.len();
                b[i] = x;
            }
            prop_assert_eq!(bytes_eq(&a, &b), a == b);
        }
    }
}
