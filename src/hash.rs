//! Content hashes: one stable 64-bit digest for cache keys, rule-set
//! fingerprints and symbol-table keys.

use std::hash::{Hash, Hasher};

/// A stable-enough 64-bit hash (std's SipHash with fixed keys; cache keys
/// also hold rulegate's version, so a change of std's hasher only costs a
/// cold cache).
pub fn digest(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_bytes_equal_digest() {
        assert_eq!(digest(b"abc"), digest(b"abc"));
        assert_ne!(digest(b"abc"), digest(b"abd"));
    }
}
