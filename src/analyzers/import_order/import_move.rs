//! E402's unsafe fix (SPEC §4.9; ruff has none): move each late import,
//! with its own comment lines, to the end of the module's top import block.
//! An import is left where it is (a finding without a fix) when the file has
//! a syntax error, when it shares a line with other code, carries a
//! suppression comment, is a `__future__` or star import, or binds a name
//! that a statement it would jump over uses or binds. The movable imports of
//! a file move together, in their order, in one fix, which the first of
//! their findings carries.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use crate::finding::{Applicability, Edit, Fix};

/// The module-level statements E402 saw.
pub struct Layout<'t> {
    /// The last statement of the top import block (a docstring, an import
    /// or a statement that keeps the block open), if any.
    pub block_end: Option<Node<'t>>,
    /// The first statement after the block.
    pub boundary: Node<'t>,
    /// The statements from the boundary on, comments excluded, in order.
    pub after: Vec<Node<'t>>,
}

/// The one fix that moves every movable late import of the file, and the
/// start of the first import it moves (whose finding carries it).
pub fn fix(layout: &Layout, text: &str, has_errors: bool) -> Option<(Fix, usize)> {
    if has_errors {
        return None;
    }
    let insert_at = match layout.block_end {
        Some(end) => line_end(text, end.end_byte()),
        None => line_start(text, layout.boundary.start_byte()),
    };
    // Names the statements between the block and each import use or bind.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut moved = String::new();
    let mut edits = Vec::new();
    let mut first = None;
    let is_import = |s: &Node| matches!(s.kind(), "import_statement" | "import_from_statement");
    // What comes after the last import is jumped over by none.
    let last_import = layout.after.iter().rposition(is_import)?;
    // Only the names the imports bind matter: a statement whose text holds
    // none of them has no identifier to note (a walk costs much more).
    let wanted: HashSet<&str> = layout.after[..=last_import]
        .iter()
        .filter(|s| is_import(s))
        .filter_map(|s| bound_names(*s, text))
        .flatten()
        .collect();
    for stmt in &layout.after[..=last_import] {
        let is_import = is_import(stmt);
        let movable = is_import
            .then(|| movable_lines(*stmt, text))
            .flatten()
            .filter(|_| {
                bound_names(*stmt, text).is_some_and(|b| b.iter().all(|n| !seen.contains(n)))
            });
        match movable {
            Some(lines) => {
                let mut block = text[lines.clone()].to_string();
                if !block.ends_with('\n') {
                    block.push('\n');
                }
                moved.push_str(&block);
                edits.push(Edit::new(None, lines, String::new()));
                first.get_or_insert(stmt.start_byte());
            }
            None => {
                // It stays: what it uses and binds is jumped over by later ones.
                // Outside strings, only identifiers hold other than ASCII
                // punctuation and blanks: an identifier is one of these words.
                let mut words = text[stmt.byte_range()].split(|c: char| {
                    c.is_ascii_whitespace() || (c.is_ascii_punctuation() && c != '_')
                });
                if words.any(|w| wanted.contains(w)) {
                    identifiers(*stmt, text, &mut seen);
                }
            }
        }
    }
    if moved.is_empty() {
        return None;
    }
    edits.push(Edit::new(None, insert_at..insert_at, moved));
    let n = edits.len() - 1;
    let fix = Fix::new(
        Applicability::Unsafe,
        format!("Move {n} import(s) to the top import block"),
        edits,
    )?;
    Some((fix, first?))
}

/// The whole lines of an import with the comment lines right above it,
/// unless it shares a line with other code or carries a suppression.
fn movable_lines(stmt: Node, text: &str) -> Option<Range<usize>> {
    let start = line_start(text, stmt.start_byte());
    let end = line_end(text, stmt.end_byte());
    if !text[start..stmt.start_byte()].trim().is_empty() {
        return None; // `x = 1; import os`
    }
    let tail = &text[stmt.end_byte()..end];
    let tail = tail.trim();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return None;
    }
    let lower = text[start..end].to_ascii_lowercase();
    if lower.contains("noqa") || lower.contains("ruff:") || lower.contains("type: ignore") {
        return None;
    }
    // Comment lines directly above belong to it.
    let mut from = start;
    while from > 0 {
        let prev = line_start(text, from - 1);
        let line = text[prev..from].trim();
        if !line.starts_with('#') {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.contains("noqa") || lower.contains("ruff:") {
            break;
        }
        from = prev;
    }
    Some(from..end)
}

/// The names an import binds (`None` for a star import).
fn bound_names<'a>(stmt: Node, text: &'a str) -> Option<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut c = stmt.walk();
    for name in stmt.children_by_field_name("name", &mut c) {
        let bound = match name.kind() {
            "aliased_import" => name.child_by_field_name("alias")?,
            _ => name,
        };
        let t = &text[bound.byte_range()];
        out.push(if stmt.kind() == "import_statement" {
            t.split('.').next().unwrap_or(t).trim()
        } else {
            t
        });
    }
    let mut c = stmt.walk();
    let star = stmt.children(&mut c).any(|n| n.kind() == "wildcard_import");
    (!star && !out.is_empty()).then_some(out)
}

/// Every identifier of `node` (a coarse, safe over-approximation of the
/// names it uses and binds).
fn identifiers<'a>(node: Node, text: &'a str, out: &mut HashSet<&'a str>) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == "identifier" {
            out.insert(&text[n.byte_range()]);
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

#[cfg(test)]
mod tests {
    /// The E402 fix of `code`, applied.
    fn fixed(code: &str) -> String {
        let run = crate::run::test_run("", "2026-01-01");
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        let ctx = run.file_ctx("core/a.py", None, code, &tree);
        let rule = run.rules.get("E402").unwrap();
        let crate::rule::Matcher::Analyzer(a) = &rule.matcher else {
            panic!("E402 is an analyzer rule")
        };
        let mut hits = Vec::new();
        a.check(&ctx, &mut hits);
        let Some(fix) = hits.iter().find_map(|h| h.fix.clone()) else {
            return code.to_string();
        };
        let edits: Vec<(std::ops::Range<usize>, &str)> = fix
            .edits
            .iter()
            .map(|e| (e.range.clone(), e.content.as_str()))
            .collect();
        crate::fix::apply_edits(code, &edits)
    }

    #[test]
    fn late_imports_move_with_their_comments_in_order() {
        assert_eq!(
            fixed(
                "\"\"\"Doc.\"\"\"\nimport os\n\nx = 1\n# why b\nimport b  # trailing\nimport a\n"
            ),
            "\"\"\"Doc.\"\"\"\nimport os\n# why b\nimport b  # trailing\nimport a\n\nx = 1\n"
        );
        // No block: after the docstring; continuation lines come along.
        assert_eq!(
            fixed("\"\"\"Doc.\"\"\"\nx = 1\nfrom m import (\n    a,\n    b,\n)\n"),
            "\"\"\"Doc.\"\"\"\nfrom m import (\n    a,\n    b,\n)\nx = 1\n"
        );
        // The block includes what keeps it open (sys.path.insert).
        assert_eq!(
            fixed("import sys\nsys.path.insert(0, 'x')\nimport foo\nx = 1\nimport bar\n"),
            "import sys\nsys.path.insert(0, 'x')\nimport foo\nimport bar\nx = 1\n"
        );
        // CRLF kept.
        assert_eq!(
            fixed("import os\r\nx = 1\r\nimport a\r\n"),
            "import os\r\nimport a\r\nx = 1\r\n"
        );
    }

    #[test]
    fn imports_that_cannot_move_safely_stay() {
        for code in [
            // It binds a name a statement it would jump over uses or binds.
            "import os\nmatplotlib = load()\nimport matplotlib.pyplot\n",
            "import os\njson = None\nfrom x import json\n",
            // Shares a line, carries a suppression, star, __future__.
            "import os\nx = 1; import a\n",
            "import os\nx = 1\nimport a  # noqa: F401\n",
            "import os\nx = 1\nfrom a import *\n",
            // A syntax error anywhere.
            "import os\nx = (\nimport a\n",
        ] {
            assert_eq!(fixed(code), code, "{code}");
        }
        // A later import is judged with the earlier one that stays.
        assert_eq!(
            fixed("import os\nx = 1\nimport a  # noqa: F401\nimport b\n"),
            "import os\nimport b\nx = 1\nimport a  # noqa: F401\n"
        );
    }
}
