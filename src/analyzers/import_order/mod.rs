//! The `import-order` analyzer (E402): a module-level import after other
//! module-level code, with ruff's semantics (SPEC §4.1). Which statements do
//! not end the import block is pack data (`[rule.options]`), not code.

use std::cell::RefCell;
use std::collections::HashMap;

use serde::Deserialize;
use tree_sitter::Node;

mod effects;
mod import_move;
mod jumped_names;
mod late_import_scan;

use super::{Analyzer, FileCtx, Hit};
use crate::names::{NameModel, chain};
use import_move::Layout;

/// Options of `analyzer = "import-order"`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportOrderOptions {
    /// Qualified calls whose bare statement keeps the import block open
    /// (`sys.path.insert`, `os.putenv`, `matplotlib.use`, ...).
    #[serde(default)]
    pub allowed_calls: Vec<String>,
    /// Targets whose assignment (`=`, annotated, subscripted) keeps it open (`os.environ`).
    #[serde(default)]
    pub allowed_assign_targets: Vec<String>,
    /// Targets whose augmented assignment keeps it open (`sys.path`, `os.environ`).
    #[serde(default)]
    pub allowed_augassign_targets: Vec<String>,
    /// Targets whose `del` keeps it open (`os.environ`).
    #[serde(default)]
    pub allowed_delete_targets: Vec<String>,
}

/// The E402 analyzer.
#[derive(Debug)]
pub struct ImportOrder {
    opts: ImportOrderOptions,
}

/// Builds the analyzer from a rule's options.
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    Ok(Box::new(ImportOrder {
        opts: super::options(options)?,
    }))
}

/// Whether `node` is a module-level import statement.
pub fn is_import(node: Node) -> bool {
    matches!(
        node.kind(),
        "import_statement" | "import_from_statement" | "future_import_statement"
    )
}

impl Analyzer for ImportOrder {
    fn variables(&self) -> &'static [&'static str] {
        &[]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["import".to_string()])
    }

    fn may_match(&self, text: &str) -> bool {
        late_import_scan::may_have_late_import(text)
    }

    fn fixable(&self) -> bool {
        true
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let root = ctx.tree().root_node();
        // What an expression names where it is, through the file's name
        // model if a rule built it, else through one focused on the
        // expression's first name (built only when a statement asks).
        let focused: RefCell<HashMap<String, NameModel>> = RefCell::default();
        let resolves = |expr: Node, to: &[String]| match ctx.names.get() {
            Some(model) => model.resolves_to_any(expr, ctx.text, to),
            None => chain(expr, ctx.text).is_some_and(|(head, _)| {
                let word = &ctx.text[head.byte_range()];
                let mut models = focused.borrow_mut();
                models
                    .entry(word.to_string())
                    .or_insert_with(|| NameModel::focused(ctx.tree(), ctx.text, &[word]))
                    .resolves_to_any(expr, ctx.text, to)
            }),
        };
        let mut seen_docstring = false;
        let mut block_end = None;
        let mut layout: Option<Layout> = None;
        let mut cursor = root.walk();
        for stmt in root.named_children(&mut cursor) {
            if stmt.is_extra() {
                continue; // comments
            }
            if let Some(l) = &mut layout {
                l.after.push(stmt);
                if is_import(stmt) {
                    hits.push(Hit::at(stmt.byte_range()));
                }
                continue;
            }
            if is_import(stmt) {
                seen_docstring = true;
                block_end = Some(stmt);
                continue;
            }
            let is_docstring = !seen_docstring && is_string_statement(stmt, ctx.text);
            seen_docstring = true;
            if !is_docstring && !self.keeps_block_open(stmt, ctx.text, &resolves) {
                layout = Some(Layout {
                    block_end,
                    boundary: stmt,
                    after: vec![stmt],
                });
            } else {
                block_end = Some(stmt);
            }
        }
        // One fix moves every import that can move, in one round: it is
        // offered on the first of their findings (a copy on each would make
        // a file of n late imports cost n² edits).
        let Some(layout) = layout.filter(|_| !hits.is_empty()) else {
            return;
        };
        let lazy_annotations = layout_lazy_annotations(root, ctx.text);
        let first_party = |stmt: Node| first_party(ctx, stmt);
        // The hoist reads only the names its imports bind: the file's model
        // if a rule built it, else one focused on those names.
        let focused_model;
        let (names, focused) = match ctx.names.get() {
            Some(model) => (model, false),
            None => {
                let words = jumped_names::imported_names(
                    layout.after.iter().copied().filter(|s| is_import(*s)),
                    ctx.text,
                );
                let words: Vec<&str> = words.iter().map(String::as_str).collect();
                focused_model = NameModel::focused(ctx.tree(), ctx.text, &words);
                (&focused_model, true)
            }
        };
        let env = import_move::Env {
            text: ctx.text,
            has_errors: root.has_error(),
            lazy_annotations,
            names,
            focused,
            first_party: &first_party,
        };
        let plan = import_move::plan(&layout, &env);
        if let Some((fix, first)) = plan.fix
            && let Some(hit) = hits.iter_mut().find(|h| h.range.start == first)
        {
            hit.fix = Some(fix);
        }
        for (start, refused) in plan.refused {
            if let Some(hit) = hits.iter_mut().find(|h| h.range.start == start) {
                hit.fix_refused = Some(refused);
            }
        }
    }
}

/// Whether the module has `from __future__ import annotations` (its
/// annotations are then not evaluated).
fn layout_lazy_annotations(root: Node, text: &str) -> bool {
    let mut c = root.walk();
    root.named_children(&mut c).any(|s| {
        s.kind() == "future_import_statement" && {
            let mut c = s.walk();
            s.children_by_field_name("name", &mut c)
                .any(|n| &text[n.byte_range()] == "annotations")
        }
    })
}

/// Whether an import statement imports a module of the repository: a
/// relative import, or a name whose top package resolves to a file of the
/// project (from an import root, or beside the file: its package's, as
/// when the file runs as a script). Such a module may import this one back.
fn first_party(ctx: &FileCtx, stmt: Node) -> bool {
    let text = ctx.text;
    let mut names: Vec<&str> = Vec::new();
    if let Some(m) = stmt.child_by_field_name("module_name") {
        if m.kind() == "relative_import" {
            return true;
        }
        names.push(&text[m.byte_range()]);
    } else {
        let mut c = stmt.walk();
        for n in stmt.children_by_field_name("name", &mut c) {
            let n = if n.kind() == "aliased_import" {
                n.child_by_field_name("name").unwrap_or(n)
            } else {
                n
            };
            names.push(&text[n.byte_range()]);
        }
    }
    let (module, is_package) = ctx.project.modules.module_of(ctx.path);
    let package = if is_package {
        Some(module.as_str())
    } else {
        module.rsplit_once('.').map(|(p, _)| p)
    };
    names.iter().any(|name| {
        let top = name.split('.').next().unwrap_or(name).trim();
        ctx.resolve(top).is_some()
            || package.is_some_and(|p| ctx.resolve(&format!("{p}.{top}")).is_some())
    })
}

impl ImportOrder {
    fn keeps_block_open(
        &self,
        stmt: Node,
        text: &str,
        names_resolve: &dyn Fn(Node, &[String]) -> bool,
    ) -> bool {
        let o = &self.opts;
        // What `expr` names where it is (`s.path` after `import sys as s`).
        // A name no earlier statement spells is bound by no import yet (or
        // only a builtin): the model is then not needed, nor built.
        let before = &text[..stmt.start_byte()];
        let resolves = |expr: Node, to: &[String]| {
            !to.is_empty()
                && chain(expr, text).is_some_and(|(root, _)| {
                    let name = &text[root.byte_range()];
                    before.contains(name) || to.iter().any(|t| t.starts_with("builtins."))
                })
                && names_resolve(expr, to)
        };
        match stmt.kind() {
            "if_statement" | "try_statement" | "with_statement" | "match_statement" => true,
            "delete_statement" => stmt.named_child(0).is_some_and(|targets| {
                let list: Vec<Node> = if targets.kind() == "expression_list" {
                    targets.named_children(&mut targets.walk()).collect()
                } else {
                    vec![targets]
                };
                list.into_iter()
                    .any(|t| resolves(unsubscript(t), &o.allowed_delete_targets))
            }),
            "expression_statement" => {
                if stmt.named_child_count() != 1 {
                    return false;
                }
                let Some(expr) = stmt.named_child(0) else {
                    return false;
                };
                match expr.kind() {
                    "call" => expr
                        .child_by_field_name("function")
                        .is_some_and(|f| resolves(f, &o.allowed_calls)),
                    "assignment" => {
                        is_dunder_assignment(expr, text)
                            || assignment_targets(expr)
                                .into_iter()
                                .any(|t| resolves(unsubscript(t), &o.allowed_assign_targets))
                    }
                    "augmented_assignment" => expr
                        .child_by_field_name("left")
                        .is_some_and(|t| resolves(unsubscript(t), &o.allowed_augassign_targets)),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// `x[...]` → `x`, as ruff's `map_subscript`.
fn unsubscript(node: Node) -> Node {
    if node.kind() == "subscript" {
        node.child_by_field_name("value").unwrap_or(node)
    } else {
        node
    }
}

/// Targets of a (possibly chained) assignment: `a = b = 1` → [a, b].
fn assignment_targets(assign: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut cur = Some(assign);
    while let Some(a) = cur.filter(|a| a.kind() == "assignment") {
        out.extend(a.child_by_field_name("left"));
        cur = a.child_by_field_name("right");
    }
    out
}

/// `__all__ = ...` or `__x__: T = ...` with a single dunder target.
fn is_dunder_assignment(assign: Node, text: &str) -> bool {
    let chained = assign
        .child_by_field_name("right")
        .is_some_and(|r| r.kind() == "assignment");
    !chained
        && assign.child_by_field_name("left").is_some_and(|l| {
            let name = &text[l.byte_range()];
            l.kind() == "identifier" && name.starts_with("__") && name.ends_with("__")
        })
}

/// A statement that is one plain string literal (a docstring candidate):
/// not an f-string or bytes, possibly implicitly concatenated.
fn is_string_statement(stmt: Node, text: &str) -> bool {
    if stmt.kind() != "expression_statement" || stmt.named_child_count() != 1 {
        return false;
    }
    let Some(expr) = stmt.named_child(0) else {
        return false;
    };
    match expr.kind() {
        "string" => is_plain_string(expr, text),
        "concatenated_string" => {
            let mut c = expr.walk();
            expr.named_children(&mut c)
                .all(|s| s.kind() == "string" && is_plain_string(s, text))
        }
        _ => false,
    }
}

fn is_plain_string(string: Node, text: &str) -> bool {
    let Some(start) = string.child(0) else {
        return false;
    };
    let prefix = &text[start.byte_range()];
    !prefix
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .any(|c| matches!(c.to_ascii_lowercase(), 'f' | 'b' | 't'))
}
