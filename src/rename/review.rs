//! The places that name the renamed prefix but that the engine leaves as
//! they are, for a person to check (SPEC §4.8: dotted strings are
//! "rewritten in calls that import or patch by name … and listed in the
//! gate wherever else they appear"):
//!
//! - a string equal to the prefix or a dotted name inside it, outside the
//!   calls the engine rewrites (`packages=["candidate.x"]` in `setup.py`, a
//!   config value read by a helper the pack does not list);
//! - a string that names it inside a longer text, such as Python code given
//!   to `python -c` (`"from candidate.x import f"`) or a message;
//! - a use left as it was because a local shadows the new name there.
//!
//! Docstrings (a string alone as a statement) are documentation, not
//! references: they are not listed. A mention inside a text counts only as
//! a whole dotted name (`candidate.x`, `candidate.x.f`, never
//! `candidate.xy`), and for a one-segment prefix (`idna`) only with a
//! member after it (`idna.core`): the bare word is too common in prose.

use std::ops::Range;

use tree_sitter::Node;

use super::{FileRename, Outcome, Parsed, Review, ReviewKind};

/// The review list of `file`, given what the engine rewrites in it.
pub(super) fn collect(fr: &FileRename, file: &Parsed, outcome: &Outcome) -> Vec<Review> {
    let text = file.text;
    let lines = crate::source::LineIndex::new(text);
    let mut out: Vec<Review> = Vec::new();
    let line_text = |at: usize| {
        let start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
        text[start..end].trim().to_string()
    };
    for (at, _) in &outcome.conflicts {
        out.push(Review {
            kind: ReviewKind::Shadowed,
            line: lines.line_of(*at) + 1,
            text: line_text(*at),
        });
    }
    // Most files never name the prefix: no walk for them.
    if text.contains(fr.rename.src.as_str()) {
        let rewritten: Vec<&Range<usize>> = outcome.rewrites.iter().map(|r| &r.range).collect();
        let mut stack = vec![file.tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "string" {
                if let Some(kind) = string_kind(fr, node, text)
                    && !is_docstring(node)
                    && !rewritten
                        .iter()
                        .any(|r| r.start < node.end_byte() && node.start_byte() < r.end)
                {
                    out.push(Review {
                        kind,
                        line: lines.line_of(node.start_byte()) + 1,
                        text: text[node.byte_range()].to_string(),
                    });
                }
                continue;
            }
            stack.extend(node.named_children(&mut node.walk()));
        }
    }
    out.sort_by_key(|r| r.line);
    out
}

/// Whether the string names the prefix, and how.
fn string_kind(fr: &FileRename, string: Node, text: &str) -> Option<ReviewKind> {
    let mut c = string.walk();
    let parts: Vec<&str> = string
        .named_children(&mut c)
        .filter(|n| n.kind() == "string_content")
        .map(|n| &text[n.byte_range()])
        .collect();
    if let [only] = parts[..]
        && string.named_child_count() == 3
        && fr.rename.covers(only)
    {
        return Some(ReviewKind::DottedString);
    }
    parts
        .iter()
        .any(|p| mentions(p, &fr.rename.src))
        .then_some(ReviewKind::Mention)
}

/// Whether `text` holds `src` as a whole dotted name (with a member after
/// it when `src` has one segment).
fn mentions(text: &str, src: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let dotted = src.contains('.');
    text.match_indices(src).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = &text[i + src.len()..];
        let starts = before.is_none_or(|c| !word(c) && c != '.');
        let member = after.strip_prefix('.').and_then(|r| r.chars().next());
        let ends = match after.chars().next() {
            None => true,
            Some('.') => true,
            Some(c) => !word(c),
        };
        starts && ends && (dotted || member.is_some_and(word))
    })
}

/// A string alone as a statement (a docstring, or a no-op string).
fn is_docstring(string: Node) -> bool {
    let mut node = string;
    // An implicitly concatenated docstring.
    if node
        .parent()
        .is_some_and(|p| p.kind() == "concatenated_string")
    {
        node = node.parent().unwrap_or(node);
    }
    node.parent()
        .is_some_and(|p| p.kind() == "expression_statement" && p.named_child_count() == 1)
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn mentions_are_whole_dotted_names() {
        assert!(mentions("from a.b import c", "a.b"));
        assert!(mentions("x = 'a.b.C'", "a.b"));
        assert!(mentions("a.b", "a.b"));
        assert!(mentions("see a.b.", "a.b"));
        assert!(!mentions("a.bc", "a.b"));
        assert!(!mentions("xa.b", "a.b"));
        assert!(!mentions("z.a.b", "a.b"));
        // A one-segment prefix needs a member.
        assert!(!mentions("the idna codec", "idna"));
        assert!(!mentions("idna.", "idna"));
        assert!(mentions("import idna.core", "idna"));
    }
}
