//! Python-version syntax that tree-sitter accepts but older interpreters do
//! not. tree-sitter-python parses the newest grammar (PEP 701 f-strings of
//! Python 3.12), so a fix that nests the enclosing quote inside an f-string
//! replacement field re-parses cleanly yet breaks the file on Python 3.11.
//! The fix loop counts these as syntax errors when the project targets an
//! older Python.

use std::fmt;

use tree_sitter::{Node, Tree};

/// A Python version, as ruff spells it in `target-version` (`py311`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PythonVersion {
    /// Major version (3).
    pub major: u8,
    /// Minor version.
    pub minor: u8,
}

impl PythonVersion {
    /// ruff's default target: code must keep working on Python 3.10.
    pub const DEFAULT: Self = Self {
        major: 3,
        minor: 10,
    };

    /// Parses `py311` or `3.11`.
    pub fn parse(s: &str) -> Option<Self> {
        let digits = s.strip_prefix("py").unwrap_or(s);
        if !digits.is_ascii() {
            return None; // and byte slicing below stays on char boundaries
        }
        let (major, minor) = match digits.split_once('.') {
            Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
            None if digits.len() >= 2 => (digits[..1].parse().ok()?, digits[1..].parse().ok()?),
            None => return None,
        };
        (major == 3 && (7..=20).contains(&minor)).then_some(Self { major, minor })
    }

    /// Whether f-strings follow PEP 701 (nested quotes, backslashes, comments).
    pub fn has_pep701(self) -> bool {
        self >= Self {
            major: 3,
            minor: 12,
        }
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "py{}{}", self.major, self.minor)
    }
}

/// Replacement fields that only Python 3.12+ accepts: ones containing the
/// f-string's own quote, or a backslash or comment in the expression.
pub fn pre_pep701_violations(tree: &Tree, text: &str) -> usize {
    let mut count = 0;
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "string" {
            count += fstring_violations(node, text);
        }
        let mut c = node.walk();
        stack.extend(node.children(&mut c));
    }
    count
}

fn fstring_violations(string: Node, text: &str) -> usize {
    let Some(start) = string.child(0).filter(|c| c.kind() == "string_start") else {
        return 0;
    };
    let opening = &text[start.byte_range()];
    let quote_at = opening.find(['"', '\'']).unwrap_or(opening.len());
    if !opening[..quote_at].contains(['f', 'F']) {
        return 0;
    }
    let quote = &opening[quote_at..];
    let mut c = string.walk();
    string
        .children(&mut c)
        .filter(|ch| ch.kind() == "interpolation")
        .filter(|field| {
            let inner = &text[field.byte_range()];
            let expr = field
                .child_by_field_name("expression")
                .map(|e| &text[e.byte_range()])
                .unwrap_or("");
            inner.contains(quote) || expr.contains('\\') || has_comment(*field)
        })
        .count()
}

fn has_comment(node: Node) -> bool {
    let mut c = node.walk();
    node.children(&mut c)
        .any(|ch| ch.kind() == "comment" || has_comment(ch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    fn count(src: &str) -> usize {
        let tree = Worker::new().parse(src).unwrap();
        pre_pep701_violations(&tree, src)
    }

    #[test]
    fn versions_parse_like_ruff() {
        assert_eq!(PythonVersion::parse("py311").unwrap().minor, 11);
        assert_eq!(PythonVersion::parse("3.12").unwrap().minor, 12);
        assert!(PythonVersion::parse("py2").is_none());
        assert!(PythonVersion::parse("python").is_none());
        assert!(PythonVersion::parse("pyé1").is_none());
        assert!(!PythonVersion::DEFAULT.has_pep701());
    }

    #[test]
    fn nested_same_quotes_are_pep701_only() {
        assert_eq!(count("f\"{x['k']}\"\n"), 0);
        assert_eq!(count("f\"{x[\"k\"]}\"\n"), 1);
        assert_eq!(count("f'{x['k']}'\n"), 1);
        // Triple-quoted f-strings may hold the single quote character.
        assert_eq!(count("f\"\"\"{x[\"k\"]}\"\"\"\n"), 0);
        assert_eq!(count("f\"{'\\n'.join(x)}\"\n"), 1);
        // Plain strings are not f-strings.
        assert_eq!(count("\"{x[\\\"k\\\"]}\"\n"), 0);
        assert_eq!(count("rb'{x}'\n"), 0);
    }
}
