//! Dotted strings: the names given to import-by-name calls (every
//! `import_module` form: positional, `name=`, relative with `package=`;
//! `__import__`), to patch calls (`mock.patch("a.b.f")`,
//! `monkeypatch.setattr("a.b.f", …)`) and to the pack's
//! `module_string_calls`; and, in the old parent package's `__init__`, the
//! `__all__` entry and the lazy-import table naming the moved module.

use tree_sitter::Node;

use super::{FileRename, Out, Parsed, RefKind, Rename};
use crate::imports::ImportKind;

/// Calls that patch by dotted name, whatever the pack says (shared with
/// the lane guards, which count them as import sites).
pub use crate::imports::patch::PATCH_CALLS;

pub(super) fn rewrite(fr: &FileRename, file: &Parsed, out: &mut Out) {
    for site in file.sites {
        if !matches!(site.kind, ImportKind::Dynamic | ImportKind::DynamicPrefix) {
            continue;
        }
        if site.level == 0 {
            if let Some(new) = fr.rename.apply(&site.module) {
                out.push(
                    RefKind::Dynamic,
                    site.module_range.clone(),
                    site.range.clone(),
                    new,
                );
            }
            continue;
        }
        // `import_module(".x", package="candidate")`: made absolute (the
        // package argument is then ignored).
        let Some(package) = &site.package else {
            continue;
        };
        let mut anchor: Vec<&str> = package.split('.').collect();
        anchor.truncate(anchor.len().saturating_sub(site.level - 1));
        if anchor.is_empty() {
            continue;
        }
        let mut abs = anchor.join(".");
        if !site.module.is_empty() {
            abs = format!("{abs}.{}", site.module);
        }
        if let Some(new) = fr.rename.apply(&abs) {
            let range = site.module_range.start - site.level..site.module_range.end;
            out.push(RefKind::Dynamic, range, site.range.clone(), new);
        }
    }
    // Most files never name the prefix: no walk for them.
    if !file.text.contains(fr.rename.src.as_str()) {
        return;
    }
    let mut stack = vec![file.tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "call"
            && let Some((range, new)) = string_argument(fr, file, node)
        {
            out.push(RefKind::String, range, node.byte_range(), new);
        }
        stack.extend(node.named_children(&mut node.walk()));
    }
}

/// The rewrite of a patch or module-string call's dotted-name argument
/// (the first positional one, or `target=`), if it names the prefix:
/// (content range, new content).
fn string_argument(
    fr: &FileRename,
    file: &Parsed,
    call: Node,
) -> Option<(std::ops::Range<usize>, String)> {
    let content = patch_target(file, call, fr.string_calls)?;
    let new = fr.rename.apply(&file.text[content.byte_range()])?;
    Some((content.byte_range(), new))
}

/// The content node of the dotted-name argument of a patch call or one of
/// `string_calls` (the first positional argument, or `target=`), when it
/// is a plain string literal.
pub(super) fn patch_target<'t>(
    file: &Parsed<'t>,
    call: Node<'t>,
    string_calls: &[String],
) -> Option<Node<'t>> {
    let text = file.text;
    let function = call.child_by_field_name("function")?;
    let written = &text[function.byte_range()];
    let name = file
        .names
        .qualified_name(function, text)
        .unwrap_or_else(|| written.to_string());
    let known = |n: &str| PATCH_CALLS.contains(&n) || string_calls.iter().any(|c| c == n);
    if !known(&name) && !known(written) {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let first = args
        .named_children(&mut c)
        .find(|a| a.kind() != "comment")
        .and_then(|a| match a.kind() {
            "keyword_argument" => a
                .child_by_field_name("name")
                .filter(|n| &text[n.byte_range()] == "target")
                .and_then(|_| a.child_by_field_name("value")),
            _ => Some(a),
        })?;
    plain_string(first)
}

/// The content node of a plain one-part string literal (not an f-string
/// with fields, not escaped).
pub(super) fn plain_string(node: Node) -> Option<Node> {
    if node.kind() != "string" || node.named_child_count() != 3 {
        return None;
    }
    node.named_child(1).filter(|n| n.kind() == "string_content")
}

/// In SRC's parent package `__init__`: the `__all__` entry naming SRC
/// (renamed when DST has the same parent; kept when the name stays bound
/// there, as after `from core import x`; removed when it truly leaves), and
/// the entries of its lazy-import tables ([`lazy_tables`]).
pub(super) fn parent_tables(fr: &FileRename, file: &Parsed, out: &mut Out) {
    let (src_parent, last) = Rename::split(&fr.rename.src);
    let (dst_parent, dst_last) = Rename::split(&fr.rename.dst);
    let same_parent = src_parent == dst_parent;
    let root = file.tree.root_node();
    let bound = file.names.module_binds(last);
    for (name, range) in &file.names.dunder_all {
        if name != last {
            continue;
        }
        let Some(item) = root.descendant_for_byte_range(range.start, range.end) else {
            continue;
        };
        let Some(content) = plain_string(item) else {
            continue;
        };
        if same_parent {
            out.push(
                RefKind::All,
                content.byte_range(),
                range.clone(),
                dst_last.into(),
            );
        } else if !bound {
            out.push(
                RefKind::All,
                entry_with_comma(item),
                range.clone(),
                String::new(),
            );
        }
    }
    lazy_tables(fr, file, bound, out);
}

/// The lazy-import tables of a package `__init__` that has a lazy-import
/// hook (PEP 562's module-level `__getattr__`, defined or assigned, as
/// `__getattr__, __dir__, __all__ = lazy.attach(__name__, submodules=[…])`):
/// the list, tuple, set and dict literals on the right of its module-level
/// assignments (inside a call's arguments too). Their string entries that
/// name SRC:
///
/// - the full dotted name (`"candidate.x"`, `"candidate.x.f"`): renamed,
///   wherever DST goes;
/// - `"x"` or `".x"` when DST has the same parent: renamed (`"z"`, `".z"`);
/// - `".x"` when DST is in another package: made absolute (`"core.x"`),
///   which `import_module(entry, __name__)` imports whatever the package;
/// - `"x"` in a list, tuple or set when DST is in another package and the
///   `__init__` no longer binds `x`: removed, as its `__all__` entry is (the
///   name truly leaves: a stale entry would turn `hasattr(pkg, "x")` into a
///   `ModuleNotFoundError`). A dict key is left: its value says what it
///   maps to, which the rename cannot judge.
fn lazy_tables(fr: &FileRename, file: &Parsed, bound: bool, out: &mut Out) {
    let (src_parent, last) = Rename::split(&fr.rename.src);
    let (dst_parent, dst_last) = Rename::split(&fr.rename.dst);
    let same_parent = src_parent == dst_parent;
    let text = file.text;
    let root = file.tree.root_node();
    if !has_lazy_hook(root, text) {
        return;
    }
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        let Some(assignment) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
            continue;
        };
        let (Some(left), Some(value)) = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("right"),
        ) else {
            continue;
        };
        // `__all__` is handled above.
        if &text[left.byte_range()] == "__all__" {
            continue;
        }
        let mut stack = vec![(value, false)];
        while let Some((n, in_table)) = stack.pop() {
            let table = in_table || matches!(n.kind(), "list" | "tuple" | "set" | "dictionary");
            if let Some(content) = plain_string(n).filter(|_| table) {
                let entry = &text[content.byte_range()];
                let in_list = n
                    .parent()
                    .is_some_and(|p| matches!(p.kind(), "list" | "tuple" | "set"));
                let edit = if let Some(new) = fr.rename.apply(entry) {
                    Some((content.byte_range(), new))
                } else if entry == last && same_parent {
                    Some((content.byte_range(), dst_last.to_string()))
                } else if entry.strip_prefix('.') == Some(last) {
                    let new = match same_parent {
                        true => format!(".{dst_last}"),
                        false => fr.rename.dst.clone(),
                    };
                    Some((content.byte_range(), new))
                } else if entry == last && in_list && !bound {
                    Some((entry_with_comma(n), String::new()))
                } else {
                    None
                };
                if let Some((range, new)) = edit {
                    out.push(RefKind::LazyTable, range, stmt.byte_range(), new);
                }
                continue;
            }
            // A call's arguments are walked for tables, never taken as one.
            stack.extend(n.named_children(&mut n.walk()).map(|ch| (ch, table)));
        }
    }
}

/// Whether the module binds `__getattr__` at module level (PEP 562): a
/// `def __getattr__`, or an assignment to it (alone or in a tuple).
fn has_lazy_hook(root: Node, text: &str) -> bool {
    root.named_children(&mut root.walk()).any(|s| {
        let def = match s.kind() {
            "decorated_definition" => s.child_by_field_name("definition"),
            _ => Some(s),
        };
        if let Some(name) = def
            .filter(|d| d.kind() == "function_definition")
            .and_then(|d| d.child_by_field_name("name"))
        {
            return &text[name.byte_range()] == "__getattr__";
        }
        s.named_child(0)
            .filter(|n| n.kind() == "assignment")
            .and_then(|a| a.child_by_field_name("left"))
            .is_some_and(|left| {
                let mut stack = vec![left];
                while let Some(n) = stack.pop() {
                    if n.kind() == "identifier" && &text[n.byte_range()] == "__getattr__" {
                        return true;
                    }
                    stack.extend(n.named_children(&mut n.walk()));
                }
                false
            })
    })
}

/// A list entry with the comma after it; a last entry with the comma
/// before it (so a one-entry tuple stays a tuple).
fn entry_with_comma(item: Node) -> std::ops::Range<usize> {
    let Some(list) = item.parent() else {
        return item.byte_range();
    };
    let items: Vec<Node> = list.children(&mut list.walk()).collect();
    let Some(i) = items.iter().position(|n| n.id() == item.id()) else {
        return item.byte_range();
    };
    match items.get(i + 1).filter(|n| n.kind() == ",") {
        Some(comma) => {
            let next = items
                .get(i + 2)
                .map_or(comma.end_byte(), |n| n.start_byte());
            item.start_byte()..next
        }
        None => item.byte_range(),
    }
}
