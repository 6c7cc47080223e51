//! Import statements: `import a.b` and `from a.b import c` naming the
//! renamed prefix, relative imports (resolved through the module index),
//! `from parent import src_name, other` split in two, and the removal of an
//! import that nothing uses once its uses are rewritten.

use std::ops::Range;

use tree_sitter::Node;

use super::{FileRename, Out, Parsed, RefKind, Rename};
use crate::imports::{ImportKind, ImportSite};
use crate::names::{BindingId, BindingKind};
use crate::source::LineEnding;

/// `import M` (no `as`) with M renamed: the statement binds the top name of
/// M, which the uses decide whether to keep bound.
pub(super) struct TopImport {
    /// The binding of the top name.
    pub binding: BindingId,
    /// The dotted name's range.
    pub module_range: Range<usize>,
    /// The statement.
    pub stmt: Range<usize>,
    /// The top name before (`candidate`).
    pub old_top: String,
    /// The module after (`core.x`).
    pub new_module: String,
}

/// What the statement rewrites leave for the uses to decide.
#[derive(Default)]
pub(super) struct Plan {
    /// The `import M` statements whose M is renamed.
    pub tops: Vec<TopImport>,
}

impl Plan {
    /// The renamed `import M` that makes `binding`, if one does.
    pub fn top(&self, binding: BindingId) -> Option<&TopImport> {
        self.tops.iter().find(|t| t.binding == binding)
    }
}

/// Rewrites the import statements of the file; `import M` statements whose
/// top name changes are left to [`super::uses`] (through the plan).
pub(super) fn rewrite(fr: &FileRename, file: &Parsed, out: &mut Out) -> Plan {
    let mut plan = Plan::default();
    for site in file.sites {
        match site.kind {
            ImportKind::Import => {
                let Some(new) = fr.rename.apply(&site.module) else {
                    continue;
                };
                let binding = file.names.bindings().iter().position(|b| {
                    b.range == site.module_range
                        && matches!(&b.kind, BindingKind::Import(i) if i.binds_top)
                });
                match binding {
                    Some(binding) if site.binds.is_some() => plan.tops.push(TopImport {
                        binding,
                        module_range: site.module_range.clone(),
                        stmt: site.range.clone(),
                        old_top: site.binds.clone().unwrap_or_default(),
                        new_module: new,
                    }),
                    _ => out.push(
                        RefKind::Import,
                        site.module_range.clone(),
                        site.range.clone(),
                        new,
                    ),
                }
            }
            ImportKind::From => from_import(fr, file, site, out),
            _ => {}
        }
    }
    plan
}

fn from_import(fr: &FileRename, file: &Parsed, site: &ImportSite, out: &mut Out) {
    let abs = match fr.relative {
        Some((resolver, rel)) => match resolver.absolute(rel, &site.module, site.level, None) {
            Ok(abs) => abs,
            Err(_) => return,
        },
        None if site.level == 0 => site.module.clone(),
        None => return,
    };
    let Some(stmt) = file
        .tree
        .root_node()
        .descendant_for_byte_range(site.range.start, site.range.end)
        .filter(|n| n.kind() == "import_from_statement")
    else {
        return;
    };
    let Some(module_node) = stmt.child_by_field_name("module_name") else {
        return;
    };
    let cause = site.range.clone();
    // A relative import between files that move together stays valid.
    if fr.moved && site.level > 0 && fr.rename.covers(&abs) {
        return;
    }
    if let Some(new) = fr.rename.apply(&abs) {
        out.push(RefKind::From, module_node.byte_range(), cause, new);
        return;
    }
    let (parent, last) = Rename::split(&fr.rename.src);
    if abs == parent && site.names.iter().any(|n| n.name == last) {
        if let Some(r) = split_from(fr.rename, file.text, stmt, module_node) {
            out.push(RefKind::From, stmt.byte_range(), cause, r);
        }
        return;
    }
    if fr.moved && site.level > 0 && !abs.is_empty() {
        out.push(RefKind::Relative, module_node.byte_range(), cause, abs);
    }
}

/// `from parent import src_name, other` → the moved name from its new
/// parent (bound to the same local name), the others as before. A
/// statement that shares its line with code before it (`if c: from …`)
/// gets the second import after a `;`, so both stay in the same block.
fn split_from(rename: &Rename, text: &str, stmt: Node, module_node: Node) -> Option<String> {
    let (_, last) = Rename::split(&rename.src);
    let (dst_parent, dst_last) = Rename::split(&rename.dst);
    let mut others = Vec::new();
    let mut binding = None;
    for name in stmt.children_by_field_name("name", &mut stmt.walk()) {
        let (imported, alias) = match name.kind() {
            "aliased_import" => (
                name.child_by_field_name("name")?,
                name.child_by_field_name("alias"),
            ),
            _ => (name, None),
        };
        let imported_text = &text[imported.byte_range()];
        let alias_text = alias.map(|a| &text[a.byte_range()]);
        if imported_text == last {
            binding = Some(alias_text.unwrap_or(last).to_string());
        } else {
            others.push(match alias_text {
                Some(a) => format!("{imported_text} as {a}"),
                None => imported_text.to_string(),
            });
        }
    }
    let binding = binding?;
    let moved = if dst_parent.is_empty() {
        format!("import {} as {binding}", rename.dst)
    } else if binding == dst_last {
        format!("from {dst_parent} import {dst_last}")
    } else {
        format!("from {dst_parent} import {dst_last} as {binding}")
    };
    if others.is_empty() {
        return Some(moved);
    }
    let line_start = text[..stmt.start_byte()]
        .rfind(['\n', '\r'])
        .map_or(0, |n| n + 1);
    let before = &text[line_start..stmt.start_byte()];
    let separator = if before.chars().all(char::is_whitespace) {
        let ending = LineEnding::after(text, stmt.start_byte()).map_or("\n", |(_, e)| e.as_str());
        format!("{ending}{before}")
    } else {
        "; ".to_string()
    };
    Some(format!(
        "from {} import {}{separator}{moved}",
        &text[module_node.byte_range()],
        others.join(", ")
    ))
}

/// The edit that removes the name bound at `binding_range` from its import
/// statement: the name and a comma when the statement imports others, else
/// the statement's line (or `pass`, when it is alone in its block or shares
/// its line). `None` when the statement cannot be found.
pub(super) fn remove_import(
    text: &str,
    root: Node,
    binding_range: Range<usize>,
) -> Option<(Range<usize>, String)> {
    let mut node = root.descendant_for_byte_range(binding_range.start, binding_range.end)?;
    while !matches!(node.kind(), "import_statement" | "import_from_statement") {
        node = node.parent()?;
    }
    let stmt = node;
    let names: Vec<Node> = stmt
        .children_by_field_name("name", &mut stmt.walk())
        .collect();
    if names.len() > 1 {
        let i = names.iter().position(|n| {
            n.start_byte() <= binding_range.start && binding_range.end <= n.end_byte()
        })?;
        // With the comma after it, or before it for the last name.
        let range = match names.get(i + 1) {
            Some(next) => names[i].start_byte()..next.start_byte(),
            None => names[i - 1].end_byte()..names[i].end_byte(),
        };
        return Some((range, String::new()));
    }
    let alone_in_block = stmt.parent().is_some_and(|p| {
        p.kind() == "block"
            && p.named_children(&mut p.walk())
                .filter(|c| c.kind() != "comment")
                .count()
                == 1
    });
    let line_start = text[..stmt.start_byte()]
        .rfind(['\n', '\r'])
        .map_or(0, |n| n + 1);
    let own_line = text[line_start..stmt.start_byte()].trim().is_empty();
    let line_end = LineEnding::after(text, stmt.end_byte());
    let rest_blank = text[stmt.end_byte()..line_end.map_or(text.len(), |(i, _)| i)]
        .trim()
        .is_empty();
    if alone_in_block || !own_line || !rest_blank {
        return Some((stmt.byte_range(), "pass".to_string()));
    }
    let end = line_end.map_or(text.len(), |(i, e)| i + e.as_str().len());
    Some((line_start..end, String::new()))
}
