//! `rulegate tree FILE`: the syntax tree as indented S-expressions with
//! field names and positions, to help write queries.

use std::fmt::Write;

use tree_sitter::Tree;

/// Renders the named nodes of `tree`, one per line.
pub fn pretty(tree: &Tree, text: &str) -> String {
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if node.is_named() {
            let field = cursor
                .field_name()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            let start = node.start_position();
            let _ = write!(out, "{}{field}({}", "  ".repeat(depth), node.kind());
            if node.named_child_count() == 0 {
                let t: String = text[node.byte_range()].chars().take(40).collect();
                let _ = write!(out, " {t:?}");
            }
            let _ = writeln!(out, ") [{}:{}]", start.row + 1, start.column + 1);
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            depth -= 1;
        }
    }
}
