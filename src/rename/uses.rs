//! The uses of imported names: each reference that reads an import (as
//! the name model resolves it, so a shadowing parameter or local is not
//! one) and whose attribute chain reaches the renamed prefix is rewritten
//! to reach it at its new place; a renamed `import a.b` keeps its top name
//! bound when a use still needs it; an import whose every use is rewritten
//! is removed, and one is added when a rewritten chain needs it.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::statements::{Plan, remove_import};
use super::{FileRename, Out, Parsed, RefKind};
use crate::imports::ImportKind;
use crate::names::{BindingId, BindingKind, Reference};

pub(super) fn rewrite(fr: &FileRename, file: &Parsed, plan: &Plan, out: &mut Out) {
    let (text, names) = (file.text, file.names);
    let src: Vec<&str> = fr.rename.src.split('.').collect();
    let dst_top = fr.rename.dst.split('.').next().unwrap_or_default();
    let root = file.tree.root_node();
    let mut keep_top: HashSet<BindingId> = HashSet::new();
    let mut uses: HashMap<BindingId, (usize, usize)> = HashMap::new(); // (all, rewritten)
    let mut needs_dst_import = None;
    for r in names.references() {
        let Some(id) = names.binding_of(r, text) else {
            continue;
        };
        let binding = names.binding(id);
        let BindingKind::Import(import) = &binding.kind else {
            continue;
        };
        if import.level > 0 {
            continue;
        }
        uses.entry(id).or_default().0 += 1;
        let top = plan.top(id);
        let base: Vec<&str> = import.qualified.split('.').collect();
        // A name bound to something inside the prefix (`from src import f`,
        // `import src as s`) is renamed by its statement.
        if top.is_none() && (base.len() >= src.len() || base[..] != src[..base.len()]) {
            continue;
        }
        let Some(ident) = root.descendant_for_byte_range(r.range.start, r.range.end) else {
            continue;
        };
        let depth = src.len() - base.len().min(src.len());
        let Some(sub) = reaching(ident, depth, &src[base.len().min(src.len())..], text) else {
            // The use does not reach the prefix (`candidate.helper()`).
            if top.is_some_and(|t| t.old_top != t.new_module.split('.').next().unwrap_or_default())
            {
                keep_top.insert(id);
            }
            continue;
        };
        let (new, first) = match top {
            Some(_) => (fr.rename.dst.clone(), dst_top),
            None => match fr
                .rename
                .dst
                .strip_prefix(&format!("{}.", import.qualified))
            {
                // `import candidate as c` … `c.x` → `c.y` when DST stays inside.
                Some(rest) => (format!("{}.{rest}", &text[r.range.clone()]), ""),
                None => {
                    needs_dst_import.get_or_insert(stmt_of(root, binding.range.clone()));
                    (fr.rename.dst.clone(), dst_top)
                }
            },
        };
        let cause = top.map_or_else(|| stmt_of(root, binding.range.clone()), |t| t.stmt.clone());
        if !first.is_empty() && shadowed(file, r, first) {
            out.conflicts.push((r.range.start, cause));
            if top.is_some() {
                keep_top.insert(id);
            }
            continue;
        }
        if !first.is_empty() {
            // The new chain no longer reads this binding.
            uses.entry(id).or_default().1 += 1;
        }
        out.push(RefKind::Attribute, sub.byte_range(), cause, new);
    }
    for t in &plan.tops {
        let after = if keep_top.contains(&t.binding) {
            format!("{}, {}", t.old_top, t.new_module)
        } else {
            t.new_module.clone()
        };
        out.push(
            RefKind::Import,
            t.module_range.clone(),
            t.stmt.clone(),
            after,
        );
    }
    remove_unused(file, plan, &uses, out);
    if let Some(cause) = needs_dst_import
        && !loads_dst(fr, file)
    {
        let at = crate::symbols::ModuleSymbols::of(file.tree, text).import_insert_at;
        out.push(
            RefKind::AddedImport,
            at..at,
            cause,
            format!("import {}\n", fr.rename.dst),
        );
    }
}

/// The attribute node `depth` levels above `ident` when the attribute
/// names along the way are `attrs` (`x` for `candidate` in `candidate.x.f`).
fn reaching<'t>(ident: Node<'t>, depth: usize, attrs: &[&str], text: &str) -> Option<Node<'t>> {
    let mut node = ident;
    for want in attrs.iter().take(depth) {
        let parent = node.parent().filter(|p| p.kind() == "attribute")?;
        let object = parent.child_by_field_name("object")?;
        let attr = parent.child_by_field_name("attribute")?;
        if object.id() != node.id() || &text[attr.byte_range()] != *want {
            return None;
        }
        node = parent;
    }
    Some(node)
}

/// Whether `name` at the place of `r` means something other than an import
/// (a local, a parameter, a `def` named like DST's top package).
fn shadowed(file: &Parsed, r: &Reference, name: &str) -> bool {
    let names = file.names;
    names.lookup(r.scope, name).is_some_and(|s| {
        names
            .bindings_in(s, name)
            .iter()
            .any(|&b| !matches!(names.binding(b).kind, BindingKind::Import(_)))
    })
}

/// The import statement holding a binding's range.
fn stmt_of(root: Node, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut node = root.descendant_for_byte_range(range.start, range.end);
    while let Some(n) = node {
        if matches!(n.kind(), "import_statement" | "import_from_statement") {
            return n.byte_range();
        }
        node = n.parent();
    }
    range
}

/// Whether an `import` of the file (after the rewrite) loads DST, so a
/// chain rewritten to DST's full name is bound.
fn loads_dst(fr: &FileRename, file: &Parsed) -> bool {
    let dst = &fr.rename.dst;
    file.sites.iter().any(|s| {
        s.kind == ImportKind::Import && s.binds.is_some() && {
            let m = fr
                .rename
                .apply(&s.module)
                .unwrap_or_else(|| s.module.clone());
            m == *dst || m.starts_with(&format!("{dst}."))
        }
    })
}

/// Module-level imports (not renamed ones) whose every use was rewritten
/// are removed, unless `__all__` exports the name.
fn remove_unused(
    file: &Parsed,
    plan: &Plan,
    uses: &HashMap<BindingId, (usize, usize)>,
    out: &mut Out,
) {
    let mut removed: Vec<BindingId> = uses
        .iter()
        .filter(|(id, (all, rewritten))| *all == *rewritten && plan.top(**id).is_none())
        .map(|(id, _)| *id)
        .collect();
    removed.sort_unstable();
    for id in removed {
        let b = file.names.binding(id);
        let exported = file.names.dunder_all.iter().any(|(n, _)| *n == b.name);
        // Another binding of the name in the module keeps it meaningful.
        let only = file.names.bindings_in(b.scope, &b.name).len() == 1;
        if b.scope != 0 || exported || !only {
            continue;
        }
        let root = file.tree.root_node();
        if let Some((range, after)) = remove_import(file.text, root, b.range.clone()) {
            let cause = stmt_of(root, b.range.clone());
            out.push(RefKind::RemovedImport, range, cause, after);
        }
    }
}
