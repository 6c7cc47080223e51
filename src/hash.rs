//! Content hashes: one stable 64-bit digest for cache keys, rule-set
//! fingerprints and symbol-table keys.

/// A stable 64-bit hash: XXH3 (specified, so it does not change with the
/// Rust release, and fast on whole files).
pub fn digest(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
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
