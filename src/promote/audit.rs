//! The audit log (SPEC §4.8): every applied promotion appends one JSON line
//! (time, SRC, DST, the files moved and rewritten, the gate's verdict, the
//! `--force` reason) to `promotion-audit.log` at the project root, or the
//! file `[promote] audit-log` names. The line is written in the move's own
//! transaction: a rolled-back move leaves no line.

use serde_json::json;

use super::Promotion;
use super::txn::{New, Op};

/// What one applied promotion records.
pub struct Entry<'a> {
    /// The promotion.
    pub promotion: &'a Promotion,
    /// The project files whose text was rewritten in place.
    pub rewritten: Vec<String>,
    /// Whether the gate was blocked (then `reason` says why it was forced).
    pub blocked: bool,
    /// The `--force` reason.
    pub reason: Option<&'a str>,
    /// Whether a shim was left at SRC.
    pub shim: bool,
}

impl Entry<'_> {
    /// The JSON line, newline included.
    pub fn line(&self) -> String {
        let p = self.promotion;
        let moved: Vec<_> = p
            .files
            .iter()
            .filter_map(|f| Some(json!({"from": f.path, "to": f.moved_to.as_ref()?})))
            .chain(
                p.raw
                    .iter()
                    .map(|(from, to, _)| json!({"from": from, "to": to})),
            )
            .collect();
        let value = json!({
            "time": jiff::Timestamp::now().to_string(),
            "src": p.rename.src,
            "dst": p.rename.dst,
            "moved": moved,
            "rewritten": self.rewritten,
            "shim": self.shim,
            "verdict": if self.blocked { "blocked" } else { "pass" },
            "forced": self.reason.is_some(),
            "reason": self.reason,
        });
        format!("{value}\n")
    }
}

/// The write that appends `line` to the log at `rel` (under `root`).
pub fn append(root: &std::path::Path, rel: &str, line: &str) -> Op {
    let mut bytes = std::fs::read(root.join(rel)).unwrap_or_default();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(line.as_bytes());
    (
        rel.to_string(),
        Some(New::Bytes {
            bytes,
            mode_of: Some(rel.to_string()),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_appends_after_the_last_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("log"), "{\"a\":1}").unwrap();
        let (rel, new) = append(dir.path(), "log", "{\"b\":2}\n");
        assert_eq!(rel, "log");
        let Some(New::Bytes { bytes, .. }) = new else {
            panic!("bytes")
        };
        assert_eq!(bytes, b"{\"a\":1}\n{\"b\":2}\n");
    }
}
