//! Hostile names: the vertex table must not turn quadratic when a cluster user chooses
//! names that collide under a known hash.
//!
//! The graph used FxHash, whose multiplier is public: from it, anyone who can create pods
//! (and so name the secrets, configmaps and claims they reference) can compute names whose
//! hashes share their low bits, the bits hashbrown picks a probe sequence from. Every such
//! name then probes past all the others: inserts and lookups linear, the build quadratic.
//! The graph now hashes with a per-graph random seed; this test builds 100,000 names that
//! collide under the old hash and checks the graph builds them about as fast as random
//! names. It compares ratios with generous bounds (not a timed benchmark). Under the old
//! hash the same names are an attack: the ignored test below fills an FxHash-keyed table
//! with them in 443 s against 0.8 s for random names (548x, debug build, shared 2 cores).

//!
//! The name generators are public behind the `sample` feature so the server's flooding test
//! drives the same crafted names through its own paths.

use super::graph::VertexType;

/// The namespace every crafted name is built for (the namespace is part of the hash).
pub const NAMESPACE: &str = "ns";
/// Characters a name may use (a DNS label's, without `-`, which may not end one).
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// The low bits every crafted name's old hash shares: probe sequences start from the low
/// bits of the hash, and 2^20 buckets hold far more than `N` vertices.
pub const COLLIDING_BITS: u32 = 20;

/// The graph's previous FxHash step (`(h.rotl(5) ^ word) * K`) and its public multiplier.
fn fx_add(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

fn fx_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        hash = fx_add(hash, u64::from_le_bytes(word));
    }
    hash
}

/// The previous key hash: type byte, namespace, namespace length, name.
pub fn old_key_hash(vtype: VertexType, namespace: &str, name: &str) -> u64 {
    let h = fx_add(0, vtype as u64);
    let h = fx_bytes(h, namespace.as_bytes());
    let h = fx_add(h, namespace.len() as u64);
    fx_bytes(h, name.as_bytes())
}

/// `n` distinct 16-character names whose old hashes agree in their low
/// [`COLLIDING_BITS`] bits. A name is two 8-byte words `A B`: `A` counts up, and the low
/// 20 bits of `B` are solved for so that `rotl(h(A), 5) ^ B` has fixed low bits (the
/// multiply that follows keeps low bits equal). Bytes 0 and 1 of `B` are forced (about one
/// `A` in 50 gives two alphabet characters); byte 2's low nibble is forced, which some
/// alphabet character always has.
pub fn colliding_names(n: usize) -> Vec<String> {
    let prefix = fx_add(fx_bytes(fx_add(0, VertexType::Secret as u64), NAMESPACE.as_bytes()), NAMESPACE.len() as u64);
    let target: u64 = 0x5_6f6f; // any constant works
    let mut names = Vec::with_capacity(n);
    let mut counter: u64 = 0;
    while names.len() < n {
        counter += 1;
        // Least significant digit first: the low bytes of `A` must vary fastest, since
        // the low bits of `h(A)` (the ones solved for) depend only on them.
        let mut a = [b'a'; 8];
        let mut c = counter;
        for byte in a.iter_mut() {
            *byte = ALPHABET[(c % ALPHABET.len() as u64) as usize];
            c /= ALPHABET.len() as u64;
        }
        let need = fx_add(prefix, u64::from_le_bytes(a)).rotate_left(5) ^ target;
        let (b0, b1, nibble) = (need as u8, (need >> 8) as u8, (need >> 16) as u8 & 0xf);
        if !ALPHABET.contains(&b0) || !ALPHABET.contains(&b1) {
            continue;
        }
        let b2 = *ALPHABET.iter().find(|&&ch| ch & 0xf == nibble).expect("every nibble has a character");
        let mut name = a.to_vec();
        name.extend_from_slice(&[b0, b1, b2, b'z', b'z', b'z', b'z', b'z']);
        names.push(String::from_utf8(name).expect("ASCII"));
    }
    names
}

/// `n` distinct random names of the same length and alphabet (deterministic).
pub fn random_names(n: usize) -> Vec<String> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|i| {
            let mut name: Vec<u8> = (0..10)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    ALPHABET[(state % ALPHABET.len() as u64) as usize]
                })
                .collect();
            // Six base-36 digits of the index keep the names distinct.
            let mut c = i;
            for _ in 0..6 {
                name.push(ALPHABET[c % ALPHABET.len()]);
                c /= ALPHABET.len();
            }
            String::from_utf8(name).expect("ASCII")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::super::graph::Graph;
    use super::*;

    const N: usize = 100_000;

    /// Inserts every name as a secret vertex, then looks each one up (what a decision does).
    fn build(names: &[String]) -> Duration {
        let start = Instant::now();
        let mut g = Graph::new();
        for name in names {
            g.get_or_create(VertexType::Secret, NAMESPACE, name);
        }
        for name in names {
            assert!(g.lookup(VertexType::Secret, NAMESPACE, name).is_some());
        }
        assert_eq!(g.vertex_count(), names.len());
        start.elapsed()
    }

    #[test]
    fn colliding_names_build_as_fast_as_random_names() {
        let colliding = colliding_names(N);
        let random = random_names(N);
        let mask = (1u64 << COLLIDING_BITS) - 1;
        let low = old_key_hash(VertexType::Secret, NAMESPACE, &colliding[0]) & mask;
        assert!(colliding.iter().all(|n| old_key_hash(VertexType::Secret, NAMESPACE, n) & mask == low), "names collide under the old hash");
        let distinct: std::collections::HashSet<&String> = colliding.iter().collect();
        assert_eq!(distinct.len(), N);
        assert!(colliding.iter().chain(&random).all(|n| n.len() == 16 && n.bytes().all(|b| ALPHABET.contains(&b))));

        // Interleaved, best of three: the machine is shared and noisy; a quadratic build is
        // not a matter of noise (under the old hash it was tens of times slower).
        let (mut best_colliding, mut best_random) = (Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            best_random = best_random.min(build(&random));
            best_colliding = best_colliding.min(build(&colliding));
        }
        let ratio = best_colliding.as_secs_f64() / best_random.as_secs_f64();
        eprintln!("{N} names: random {best_random:?}, colliding under the old hash {best_colliding:?} ({ratio:.2}x)");
        assert!(
            best_colliding <= best_random * 4 + Duration::from_millis(100),
            "colliding names took {best_colliding:?}, random names {best_random:?} ({ratio:.1}x): the vertex table is attackable"
        );
    }

    /// The attack the seeded hash defends against, shown on the old hash itself: a table keyed
    /// by FxHash, filled with the crafted names, against the same table filled with random
    /// names. Quadratic, so not run by default: `cargo test -p kauthz-core --lib -- --ignored
    /// old_hash`.
    #[test]
    #[ignore = "slow by design: demonstrates the quadratic build the old hash allowed"]
    fn old_hash_build_is_quadratic_on_colliding_names() {
        fn build_old(names: &[String]) -> Duration {
            let start = Instant::now();
            let mut table: hashbrown::HashTable<usize> = hashbrown::HashTable::new();
            let hash = |n: &String| old_key_hash(VertexType::Secret, NAMESPACE, n);
            for (i, name) in names.iter().enumerate() {
                let h = hash(name);
                if table.find(h, |&j| names[j] == *name).is_none() {
                    table.insert_unique(h, i, |&j| hash(&names[j]));
                }
            }
            start.elapsed()
        }
        let (random, colliding) = (build_old(&random_names(N)), build_old(&colliding_names(N)));
        let ratio = colliding.as_secs_f64() / random.as_secs_f64();
        eprintln!("old hash, {N} names: random {random:?}, colliding {colliding:?} ({ratio:.0}x)");
        assert!(ratio > 10.0, "the crafted names should defeat the old hash");
    }
}
