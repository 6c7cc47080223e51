//! Module-level name bindings, enough to resolve an expression such as
//! `s.path.append` to the qualified name `sys.path.append` through the
//! file's own imports (`import sys as s`, `from sys import path`), the way
//! ruff's semantic model does for E402. A later assignment, `def` or `class`
//! of the same name shadows the import.

use std::collections::HashMap;

use tree_sitter::Node;

/// Names bound by imports so far, mapped to their qualified segments.
#[derive(Debug, Default, Clone)]
pub struct Bindings {
    names: HashMap<String, Vec<String>>,
}

impl Bindings {
    /// Updates the bindings with the effects of one module-level statement,
    /// including the bodies of `if`/`try`/`with`/`match` (not of `def`/`class`).
    pub fn record(&mut self, stmt: Node, text: &str) {
        let t = |n: Node| &text[n.byte_range()];
        match stmt.kind() {
            "import_statement" => {
                for name in stmt.children_by_field_name("name", &mut stmt.walk()) {
                    match name.kind() {
                        "aliased_import" => {
                            let (Some(module), Some(alias)) = (
                                name.child_by_field_name("name"),
                                name.child_by_field_name("alias"),
                            ) else {
                                continue;
                            };
                            self.names.insert(t(alias).to_string(), segments(t(module)));
                        }
                        _ => {
                            let segs = segments(t(name));
                            if let Some(first) = segs.first() {
                                self.names.insert(first.clone(), vec![first.clone()]);
                            }
                        }
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = stmt.child_by_field_name("module_name") else {
                    return;
                };
                let relative = module.kind() == "relative_import";
                let base = segments(t(module));
                for name in stmt.children_by_field_name("name", &mut stmt.walk()) {
                    let (imported, bound) = match name.kind() {
                        "aliased_import" => match (
                            name.child_by_field_name("name"),
                            name.child_by_field_name("alias"),
                        ) {
                            (Some(n), Some(a)) => (t(n), t(a)),
                            _ => continue,
                        },
                        _ => (t(name), t(name)),
                    };
                    if relative {
                        self.names.remove(bound);
                    } else {
                        let mut q = base.clone();
                        q.extend(segments(imported));
                        self.names.insert(bound.to_string(), q);
                    }
                }
            }
            "expression_statement" => {
                let mut c = stmt.walk();
                for child in stmt.named_children(&mut c) {
                    self.shadow_assignment(child, text);
                }
            }
            "function_definition" | "class_definition" => {
                if let Some(n) = stmt.child_by_field_name("name") {
                    self.names.remove(t(n));
                }
            }
            "decorated_definition" => {
                if let Some(d) = stmt.child_by_field_name("definition") {
                    self.record(d, text);
                }
            }
            "for_statement" => {
                if let Some(left) = stmt.child_by_field_name("left") {
                    self.shadow_targets(left, text);
                }
            }
            "if_statement" | "try_statement" | "with_statement" | "match_statement" | "block"
            | "else_clause" | "elif_clause" | "except_clause" | "finally_clause"
            | "case_clause" => {
                let mut c = stmt.walk();
                for child in stmt.named_children(&mut c) {
                    self.record(child, text);
                }
            }
            _ => {}
        }
    }

    fn shadow_assignment(&mut self, node: Node, text: &str) {
        if matches!(node.kind(), "assignment" | "augmented_assignment") {
            if let Some(left) = node.child_by_field_name("left") {
                self.shadow_targets(left, text);
            }
            if let Some(right) = node.child_by_field_name("right") {
                self.shadow_assignment(right, text);
            }
        }
    }

    fn shadow_targets(&mut self, target: Node, text: &str) {
        match target.kind() {
            "identifier" => {
                self.names.remove(&text[target.byte_range()]);
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "expression_list" | "tuple"
            | "list" | "list_splat_pattern" => {
                let mut c = target.walk();
                for child in target.named_children(&mut c) {
                    self.shadow_targets(child, text);
                }
            }
            _ => {}
        }
    }

    /// The qualified name of `expr` (`identifier` or `attribute` chain), if it
    /// starts with an imported name.
    pub fn qualified(&self, expr: Node, text: &str) -> Option<Vec<String>> {
        // Iterative: a chain of any length cannot overflow the stack.
        let mut attrs: Vec<String> = Vec::new();
        let mut node = expr;
        loop {
            match node.kind() {
                "identifier" => {
                    let mut q = self.names.get(&text[node.byte_range()])?.clone();
                    q.extend(attrs.into_iter().rev());
                    return Some(q);
                }
                "attribute" => {
                    let attr = node.child_by_field_name("attribute")?;
                    attrs.push(text[attr.byte_range()].to_string());
                    node = node.child_by_field_name("object")?;
                }
                "parenthesized_expression" => node = node.named_child(0)?,
                _ => return None,
            }
        }
    }

    /// Whether `expr` resolves to the dotted name `dotted` (`sys.path`).
    pub fn resolves_to_any(&self, expr: Node, text: &str, dotted: &[String]) -> bool {
        self.qualified(expr, text).is_some_and(|q| {
            dotted
                .iter()
                .any(|d| d.split('.').eq(q.iter().map(String::as_str)))
        })
    }
}

/// Splits a dotted module path into segments, dropping whitespace and leading dots.
fn segments(dotted: &str) -> Vec<String> {
    dotted
        .trim_start_matches('.')
        .split('.')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
