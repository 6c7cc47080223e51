//! Calls that name the symbol in a string: the dotted target of a patch
//! call (`mock.patch("pkg.mod.Old")`, `monkeypatch.setattr("pkg.mod.Old",
//! …)`, a pack's `module_string_calls`), and the attribute name given to
//! `getattr`-like calls on a module that binds it (`getattr(mod, "Old")`,
//! `mock.patch.object(mod, "Old")`, `monkeypatch.setattr(mod, "Old", …)`):
//! a literal is rewritten; a computed name is listed as not provable.

use tree_sitter::Node;

use super::super::strings::{patch_target, plain_string};
use super::{Lists, SymbolRename};
use crate::rename::{Out, Parsed, RefKind};

/// Calls whose first argument is an object and second an attribute name.
const ATTRIBUTE_CALLS: &[&str] = &[
    "builtins.getattr",
    "builtins.setattr",
    "builtins.hasattr",
    "builtins.delattr",
    "unittest.mock.patch.object",
    "mock.patch.object",
    "patch.object",
    "monkeypatch.setattr",
    "monkeypatch.delattr",
];

pub(super) fn rewrite(sr: &SymbolRename, file: &Parsed, out: &mut Out, listed: &mut Lists) {
    // Most files never spell the name nor call `*attr`: no walk for them.
    if !file.text.contains(sr.old)
        && !file.text.contains("attr(")
        && !file.text.contains(".object(")
    {
        return;
    }
    let mut stack = vec![file.tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.kind() == "call" {
            dotted_target(sr, file, node, out);
            attribute_name(sr, file, node, out, listed);
        }
        stack.extend(node.named_children(&mut node.walk()));
    }
}

/// `mock.patch("pkg.mod.Old.method")` → `"pkg.mod.New.method"`.
fn dotted_target(sr: &SymbolRename, file: &Parsed, call: Node, out: &mut Out) {
    let Some(content) = patch_target(file, call, sr.string_calls) else {
        return;
    };
    let written = &file.text[content.byte_range()];
    for m in sr.modules {
        let Some(rest) = written
            .strip_prefix(m.as_str())
            .and_then(|r| r.strip_prefix('.'))
            .and_then(|r| r.strip_prefix(sr.old))
        else {
            continue;
        };
        if rest.is_empty() || rest.starts_with('.') {
            let new = format!("{m}.{}{rest}", sr.new);
            out.push(
                RefKind::String,
                content.byte_range(),
                call.byte_range(),
                new,
            );
            return;
        }
    }
}

/// `getattr(mod, "Old")` → `getattr(mod, "New")` when `mod` is a module
/// that binds the symbol; `getattr(mod, name)` is listed.
fn attribute_name(sr: &SymbolRename, file: &Parsed, call: Node, out: &mut Out, listed: &mut Lists) {
    let text = file.text;
    let Some(function) = call.child_by_field_name("function") else {
        return;
    };
    let written = &text[function.byte_range()];
    let name = file.names.qualified_name(function, text);
    let known = |n: &str| ATTRIBUTE_CALLS.contains(&n);
    if !name.as_deref().is_some_and(known) && !known(written) {
        return;
    }
    let Some(args) = call.child_by_field_name("arguments") else {
        return;
    };
    let positional: Vec<Node> = args
        .named_children(&mut args.walk())
        .filter(|a| !matches!(a.kind(), "comment" | "keyword_argument"))
        .collect();
    let [object, attr, ..] = positional[..] else {
        return;
    };
    let Some(module) = file.names.qualified_name(object, text) else {
        return;
    };
    if !sr.modules.contains(&module) {
        return;
    }
    match plain_string(attr) {
        Some(content) if &text[content.byte_range()] == sr.old => out.push(
            RefKind::String,
            content.byte_range(),
            call.byte_range(),
            sr.new.into(),
        ),
        Some(_) => {}
        None if attr.kind() == "string" && !text[attr.byte_range()].contains(sr.old) => {}
        None => listed.unprovable(
            out,
            call.start_byte(),
            format!(
                "an attribute of `{module}` named by a computed value: it may be `{}`, which cannot be proven either way",
                sr.old
            ),
        ),
    }
}
