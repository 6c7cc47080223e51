//! `rulegate tree FILE`: the syntax tree as indented S-expressions with
//! field names and positions, to help write queries.

use std::fmt::Write;

use tree_sitter::Tree;

/// Renders the nodes of `tree`, one per line: the named ones, and with
/// `all` the anonymous tokens too (`"async"`, `"("`), which queries can
/// name as strings.
pub fn pretty(tree: &Tree, text: &str, all: bool) -> String {
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        if node.is_named() || all {
            let field = cursor
                .field_name()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            let start = node.start_position();
            let indent = "  ".repeat(depth);
            if node.is_named() {
                let _ = write!(out, "{indent}{field}({}", node.kind());
                if node.is_missing() {
                    out.push_str(" MISSING");
                }
                let leaf = if all {
                    node.child_count() == 0
                } else {
                    node.named_child_count() == 0
                };
                if leaf {
                    let t: String = text[node.byte_range()].chars().take(40).collect();
                    let _ = write!(out, " {t:?}");
                }
                out.push(')');
            } else {
                let missing = if node.is_missing() { " MISSING" } else { "" };
                let _ = write!(out, "{indent}{field}{:?}{missing}", node.kind());
            }
            let _ = writeln!(out, " [{}:{}]", start.row + 1, start.column + 1);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_tokens_only_with_all() {
        let text = "async def f(): pass\n";
        let tree = crate::parse::Worker::new().parse(text).unwrap();
        let named = pretty(&tree, text, false);
        assert!(!named.contains("\"async\""), "{named}");
        let all = pretty(&tree, text, true);
        assert!(all.contains("  \"async\" [1:1]"), "{all}");
        assert!(all.contains("name: (identifier \"f\") [1:11]"), "{all}");
        assert!(all.contains("\"(\" [1:12]"), "{all}");
    }
}
