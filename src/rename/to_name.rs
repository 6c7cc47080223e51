//! A pack fix `{ rename_to = "pkg.mod.name" }` (SPEC §3.5): one reference
//! (an identifier or an attribute chain) is rewritten to reach a new
//! qualified name. The name it starts with is an import the file already
//! has (`import pkg.mod`, `from pkg import mod`, `from pkg.mod import
//! name`) or one the fix adds in the style of the old reference's import;
//! the old import goes when nothing else reads it. Every question about a
//! name is put to the file's name model, focused on the few names the fix
//! touches, so a parameter, local or `def` that would shadow the new name
//! refuses the fix instead of silently changing what the code calls.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::statements::remove_import;
use crate::names::{BindingId, BindingKind, ImportBinding, NameModel, chain, is_star_import};

/// Why a rename was not offered: a `fix_refused` kind and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Short kind (`--statistics` counts by it).
    pub kind: &'static str,
    /// For humans.
    pub reason: String,
}

impl Refusal {
    fn new(kind: &'static str, reason: String) -> Self {
        Self { kind, reason }
    }
}

/// How the rewritten reference reaches the new name.
struct Spelling {
    /// The new expression.
    expr: String,
    /// The name it starts with.
    first: String,
    /// The import to add (`None`: an existing binding is reused).
    add: Option<String>,
    /// The existing import binding reused.
    reused: Option<BindingId>,
    /// What the added import binds `first` to (as the name model writes it).
    binds: String,
}

/// The edits (byte range, replacement) that make the expression at `expr`
/// reach `to`, or why they would not keep the program's behaviour.
pub fn rename_reference(
    tree: &Tree,
    text: &str,
    expr: Range<usize>,
    to: &str,
) -> Result<Vec<(Range<usize>, String)>, Refusal> {
    let root = tree.root_node();
    let line = |at: usize| text[..at].matches('\n').count() + 1;
    let node = root
        .descendant_for_byte_range(expr.start, expr.end)
        .filter(|n| n.byte_range() == expr)
        .and_then(|n| chain(n, text).map(|(head, _)| (n, head)));
    let Some((node, head)) = node else {
        return Err(Refusal::new(
            "not-a-name",
            format!(
                "`{}` is not a name or a chain of attributes",
                &text[expr.clone()]
            ),
        ));
    };
    if let Some(star) = root
        .named_children(&mut root.walk())
        .find(|s| is_star_import(*s))
    {
        return Err(Refusal::new(
            "star-import",
            format!(
                "the star import at line {} may bind any name, so the new one cannot be proven to reach `{to}`",
                line(star.start_byte())
            ),
        ));
    }
    let (_, last) = to.rsplit_once('.').unwrap_or(("", to));
    let top = to.split('.').next().unwrap_or(to);
    let head_text = &text[head.byte_range()];
    let mut model = NameModel::focused(tree, text, &[head_text, top, last]);
    // The old import's top package too: chains through it may need its load.
    let old_top = model
        .reference_at(head.start_byte())
        .and_then(|r| model.import_of(r, text))
        .map(|i| i.module.split('.').next().unwrap_or_default().to_string())
        .filter(|m| !m.is_empty() && ![head_text, top, last].contains(&m.as_str()));
    if let Some(m) = old_top {
        model = NameModel::focused(tree, text, &[head_text, top, last, &m]);
    }
    let Some(reference) = model.reference_at(head.start_byte()).cloned() else {
        return Err(Refusal::new(
            "not-a-name",
            format!("`{head_text}` is not read there"),
        ));
    };
    let old = match reference.resolved {
        None => None,
        Some(_) => match model.binding_of(&reference, text) {
            Some(b) if matches!(model.binding(b).kind, BindingKind::Import(_)) => Some(b),
            Some(b) => {
                return Err(Refusal::new(
                    "shadowed",
                    format!(
                        "`{head_text}` is bound at line {} by a local, parameter or definition, not an import",
                        line(model.binding(b).range.start)
                    ),
                ));
            }
            None => {
                return Err(Refusal::new(
                    "ambiguous-binding",
                    format!("which binding `{head_text}` reads there cannot be told statically"),
                ));
            }
        },
    };
    let removal = old.and_then(|b| removal(&model, text, root, b, node.byte_range()));
    let spelling = spell(&model, text, &reference, old, removal.is_some(), to)?;
    if let Some(reason) = shadowing(&model, text, &reference, old, &spelling, removal.is_some()) {
        return Err(Refusal::new("shadowed", reason));
    }
    let mut edits = vec![(node.byte_range(), spelling.expr.clone())];
    let ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut added = spelling.add.clone();
    if let (Some(b), Some((range, after))) = (old, removal.clone()) {
        let rewritten = node.byte_range();
        if let Some(reason) = lost_load(&model, (text, root), b, to, spelling.reused, rewritten) {
            return Err(Refusal::new("import-side-effects", reason));
        }
        // A module-level import that goes entirely makes room for the new one.
        let own_line = after.is_empty() && at_module_level(root, &model.binding(b).range);
        match added.take() {
            Some(new) if own_line => {
                let kept = if text[range.clone()].ends_with("\r\n") {
                    "\r\n"
                } else if text[range.clone()].ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                edits.push((range, format!("{new}{kept}")));
            }
            other => {
                added = other;
                edits.push((range, after));
            }
        }
    }
    if let (Some(b), None) = (old, &removal) {
        // The old import stays while another reference reads it. If that
        // one is a finding too, its fix must not run in the same round,
        // each counting the other as a use: the last one then removes the
        // import. Rewriting the binding's name as itself makes the fixes
        // of one binding overlap, and the fix engine defers all but one.
        let range = model.binding(b).range.clone();
        edits.push((range.clone(), text[range].to_string()));
    }
    if let Some(new) = added {
        let at = crate::symbols::ModuleSymbols::of(tree, text).import_insert_at;
        if reference.scope == 0 && at > reference.range.start {
            return Err(Refusal::new(
                "import-order",
                format!(
                    "the import of `{to}` would go after its use at line {}",
                    line(reference.range.start)
                ),
            ));
        }
        let lead = if at > 0 && !text[..at].ends_with('\n') {
            ending
        } else {
            ""
        };
        edits.push((at..at, format!("{lead}{new}{ending}")));
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    Ok(edits)
}

/// How to reach `to` from the reference: through a module-level import the
/// file has, else through one to add, in the style of the old import.
fn spell(
    model: &NameModel,
    text: &str,
    reference: &crate::names::Reference,
    old: Option<BindingId>,
    old_goes: bool,
    to: &str,
) -> Result<Spelling, Refusal> {
    for (id, b) in model.bindings().iter().enumerate() {
        let BindingKind::Import(i) = &b.kind else {
            continue;
        };
        if b.scope != 0 || i.level > 0 || (Some(id) == old && old_goes) {
            continue;
        }
        // Only what the import surely loads: `import a.b` loads `a` and
        // `a.b`, not `a.b.c`, so `a.b.c.f` is not reached through it.
        let parent = to.rsplit_once('.').map_or("", |(p, _)| p);
        let expr = if i.binds_top {
            (i.module == parent || i.module.starts_with(&format!("{parent}.")))
                .then(|| to.to_string())
        } else if i.qualified == to {
            Some(b.name.clone())
        } else {
            to.strip_prefix(&format!("{}.", i.qualified))
                .filter(|rest| !rest.contains('.'))
                .map(|rest| format!("{}.{rest}", b.name))
        };
        let Some(expr) = expr else { continue };
        let reads_it = model.lookup(reference.scope, &b.name) == Some(0)
            && model
                .bindings_in(0, &b.name)
                .iter()
                .all(|&o| same_import(model, o, i))
            && (reference.scope != 0 || b.at <= reference.range.start);
        if reads_it {
            return Ok(Spelling {
                expr,
                first: b.name.clone(),
                add: None,
                reused: Some(id),
                binds: i.qualified.clone(),
            });
        }
    }
    let plain_import = old.is_some_and(|b| {
        let at = model.binding(b).range.start;
        text[..at]
            .rfind(['\n', ';'])
            .map_or(&text[..at], |n| &text[n + 1..at])
            .trim_start()
            .starts_with("import ")
    });
    let (parent, last) = to.rsplit_once('.').unwrap_or(("", to));
    let top = to.split('.').next().unwrap_or(to);
    Ok(if parent.is_empty() {
        Spelling {
            expr: to.to_string(),
            first: to.to_string(),
            add: Some(format!("import {to}")),
            reused: None,
            binds: to.to_string(),
        }
    } else if plain_import {
        Spelling {
            expr: to.to_string(),
            first: top.to_string(),
            add: Some(format!("import {parent}")),
            reused: None,
            binds: top.to_string(),
        }
    } else {
        Spelling {
            expr: last.to_string(),
            first: last.to_string(),
            add: Some(format!("from {parent} import {last}")),
            reused: None,
            binds: to.to_string(),
        }
    })
}

/// Whether binding `b` imports what `i` imports (`import a.b` and `import
/// a.c` both bind `a`).
fn same_import(model: &NameModel, b: BindingId, i: &ImportBinding) -> bool {
    matches!(&model.binding(b).kind, BindingKind::Import(o) if o.qualified == i.qualified && o.level == i.level)
}

/// Why the name the new spelling starts with would not reach the new name
/// at the reference, or would change what other code reads; `None` when
/// it is safe.
fn shadowing(
    model: &NameModel,
    text: &str,
    reference: &crate::names::Reference,
    old: Option<BindingId>,
    s: &Spelling,
    old_goes: bool,
) -> Option<String> {
    // A reused binding was checked to be the one read there.
    s.add.as_ref()?;
    let line = |at: usize| text[..at].matches('\n').count() + 1;
    let first = s.first.as_str();
    if let Some(scope) = model.lookup(reference.scope, first).filter(|&s| s != 0)
        && let Some(&b) = model.bindings_in(scope, first).first()
    {
        return Some(format!(
            "`{first}` at line {} means the {} bound at line {}, not the import the new name needs",
            line(reference.range.start),
            kind_word(&model.binding(b).kind),
            line(model.binding(b).range.start)
        ));
    }
    let removed = |b: BindingId| old_goes && Some(b) == old;
    let new_is = |b: BindingId| matches!(&model.binding(b).kind, BindingKind::Import(o) if o.qualified == s.binds && o.level == 0);
    if let Some(&b) = model
        .bindings_in(0, first)
        .iter()
        .find(|&&b| !removed(b) && !new_is(b))
    {
        return Some(format!(
            "`{first}` is already bound at line {} (a {}), so an import of it would change what other code reads",
            line(model.binding(b).range.start),
            kind_word(&model.binding(b).kind)
        ));
    }
    let builtin_use = model.references().iter().find(|r| {
        r.resolved.is_none()
            && &text[r.range.clone()] == first
            && r.range.start != reference.range.start
    });
    builtin_use.map(|r| {
        format!(
            "an import of `{first}` would shadow the builtin `{first}` used at line {}",
            line(r.range.start)
        )
    })
}

fn kind_word(kind: &BindingKind) -> &'static str {
    match kind {
        BindingKind::Import(_) => "different import",
        BindingKind::Parameter => "parameter",
        BindingKind::Function => "function",
        BindingKind::Class => "class",
        _ => "variable",
    }
}

/// The edit that removes the old import when nothing but the rewritten
/// reference (at `rewritten`) reads it, `__all__` does not export it and
/// nothing else binds its name in its scope.
fn removal(
    model: &NameModel,
    text: &str,
    root: Node,
    b: BindingId,
    rewritten: Range<usize>,
) -> Option<(Range<usize>, String)> {
    let binding = model.binding(b);
    let name = binding.name.as_str();
    let still_read = model.references().iter().any(|r| {
        r.resolved == Some(binding.scope)
            && &text[r.range.clone()] == name
            && !(rewritten.start <= r.range.start && r.range.end <= rewritten.end)
    });
    let exported = binding.scope == 0 && model.dunder_all.iter().any(|(n, _)| n == name);
    let only = model.bindings_in(binding.scope, name).len() == 1;
    if still_read || exported || !only {
        return None;
    }
    remove_import(text, root, binding.range.clone())
}

/// Why removing the old import would change what other code reads: the
/// module it loads is loaded by no other import of the file (nor by the
/// new one), and an attribute chain through another binding reaches it
/// (`import a` … `a.b.f()` works only while something imports `a.b`).
fn lost_load(
    model: &NameModel,
    (text, root): (&str, Node),
    b: BindingId,
    to: &str,
    reused: Option<BindingId>,
    rewritten: Range<usize>,
) -> Option<String> {
    let BindingKind::Import(old) = &model.binding(b).kind else {
        return None;
    };
    let module = old.module.as_str();
    if old.level > 0 || module.is_empty() {
        return None;
    }
    let inside = |m: &str| m == module || m.starts_with(&format!("{module}."));
    let new_loads = inside(to.rsplit_once('.').map_or(to, |(p, _)| p))
        || reused.is_some_and(
            |r| matches!(&model.binding(r).kind, BindingKind::Import(i) if inside(&i.module)),
        );
    let other_loads = model.bindings().iter().enumerate().any(|(id, o)| {
        id != b && matches!(&o.kind, BindingKind::Import(i) if i.level == 0 && inside(&i.module))
    });
    if new_loads || other_loads {
        return None;
    }
    let top = module.split('.').next().unwrap_or(module);
    model
        .references()
        .iter()
        .filter(|r| &text[r.range.clone()] == top && !rewritten.contains(&r.range.start))
        .find_map(|r| {
            let mut node = root.descendant_for_byte_range(r.range.start, r.range.end)?;
            while let Some(p) = node
                .parent()
                .filter(|p| p.kind() == "attribute" && p.child_by_field_name("object") == Some(node))
            {
                node = p;
            }
            let q = model.qualified_name(node, text)?;
            (q.starts_with(&format!("{module}.")) && module.contains('.')).then(|| {
                format!(
                    "removing the old import would stop loading `{module}`, which `{}` at line {} reads",
                    &text[node.byte_range()],
                    text[..r.range.start].matches('\n').count() + 1
                )
            })
        })
}

/// Whether the import statement holding `binding` is a direct child of
/// the module (not inside an `if`, `try` or `def`).
fn at_module_level(root: Node, binding: &Range<usize>) -> bool {
    let mut node = root.descendant_for_byte_range(binding.start, binding.end);
    while let Some(n) = node {
        if matches!(n.kind(), "import_statement" | "import_from_statement") {
            return n.parent().is_some_and(|p| p.kind() == "module");
        }
        node = n.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file after renaming the `nth` occurrence of `old` (an expression).
    fn renamed(text: &str, old: &str, to: &str) -> Result<String, Refusal> {
        let tree = crate::parse::Worker::new().parse(text).unwrap();
        let at = text.rfind(&format!("{old}(")).expect("a call of old");
        let edits = rename_reference(&tree, text, at..at + old.len(), to)?;
        let mut out = text.to_string();
        for (range, new) in edits.into_iter().rev() {
            out.replace_range(range, &new);
        }
        Ok(out)
    }

    const TO: &str = "some.other.function";

    #[test]
    fn the_old_import_makes_room_for_the_new_one() {
        let got = renamed(
            "from my.code import deprecated_function\n\ndeprecated_function(1)\n",
            "deprecated_function",
            TO,
        );
        assert_eq!(
            got.unwrap(),
            "from some.other import function\n\nfunction(1)\n"
        );
        let alias = "import os\nfrom my.code import deprecated_function as df\nos.getcwd()\ndf()\n";
        assert_eq!(
            renamed(alias, "df", TO).unwrap(),
            "import os\nfrom some.other import function\nos.getcwd()\nfunction()\n"
        );
        let plain = "import my.code\nmy.code.deprecated_function()\n";
        assert_eq!(
            renamed(plain, "my.code.deprecated_function", TO).unwrap(),
            "import some.other\nsome.other.function()\n"
        );
    }

    #[test]
    fn an_import_still_used_stays_and_an_existing_binding_is_reused() {
        let text = "import some.other\nfrom my.code import deprecated_function, other\n\nother()\ndeprecated_function()\n";
        assert_eq!(
            renamed(text, "deprecated_function", TO).unwrap(),
            "import some.other\nfrom my.code import other\n\nother()\nsome.other.function()\n"
        );
        let used = "from my.code import deprecated_function\nf = deprecated_function\ndeprecated_function()\n";
        assert_eq!(
            renamed(used, "deprecated_function", TO).unwrap(),
            "from my.code import deprecated_function\nfrom some.other import function\nf = deprecated_function\nfunction()\n"
        );
        let aliased =
            "from some import other as o\nimport my.code as mc\nmc.deprecated_function()\n";
        assert_eq!(
            renamed(aliased, "mc.deprecated_function", TO).unwrap(),
            "from some import other as o\no.function()\n"
        );
    }

    #[test]
    fn an_import_that_does_not_load_the_new_module_is_not_reused() {
        let text = "import some\nfrom my.code import deprecated_function\nsome.x()\ndeprecated_function()\n";
        assert_eq!(
            renamed(text, "deprecated_function", TO).unwrap(),
            "import some\nfrom some.other import function\nsome.x()\nfunction()\n"
        );
        let deep =
            "import some.other as so\nimport my.code\nso.x()\nmy.code.deprecated_function()\n";
        assert_eq!(
            renamed(
                deep,
                "my.code.deprecated_function",
                "some.other.sub.function"
            )
            .unwrap(),
            "import some.other as so\nimport some.other.sub\nso.x()\nsome.other.sub.function()\n"
        );
    }

    #[test]
    fn shadowing_refuses() {
        let local = "from my.code import deprecated_function\ndef g(function):\n    deprecated_function(function)\n";
        let err = renamed(local, "deprecated_function", TO).unwrap_err();
        assert_eq!(err.kind, "shadowed", "{err:?}");
        assert!(err.reason.contains("parameter"), "{err:?}");
        let module =
            "from my.code import deprecated_function\ndef function(): ...\ndeprecated_function()\n";
        assert_eq!(
            renamed(module, "deprecated_function", TO).unwrap_err().kind,
            "shadowed"
        );
        let builtin = "from my.code import deprecated_function\nopen('x')\ndeprecated_function()\n";
        let err = renamed(builtin, "deprecated_function", "io.open").unwrap_err();
        assert!(err.reason.contains("builtin"), "{err:?}");
        let star = "from my.code import *\ndeprecated_function()\n";
        assert_eq!(
            renamed(star, "deprecated_function", TO).unwrap_err().kind,
            "star-import"
        );
    }

    #[test]
    fn a_load_other_code_needs_refuses() {
        // `my.code.helper` works through `import my` only while something loads `my.code`.
        let text = "import my\nfrom my.code import deprecated_function\nmy.code.helper()\ndeprecated_function()\n";
        let err = renamed(text, "deprecated_function", TO).unwrap_err();
        assert_eq!(err.kind, "import-side-effects", "{err:?}");
        // Another import loads it: the old one may go.
        let loaded = "import my.code\nfrom my.code import deprecated_function\nmy.code.helper()\ndeprecated_function()\n";
        assert!(renamed(loaded, "deprecated_function", TO).is_ok());
    }
}
