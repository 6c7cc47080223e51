//! A top-level class or function renamed in place (`rulegate rename
//! pkg.mod.Old --to New`, SPEC §1 and §3.5): what one file needs
//! rewritten. Every decision goes through the file's [`NameModel`]: the
//! definition and the names that read it, the imports of it (`from pkg.mod
//! import Old`, whose local name is renamed with its uses; `… as X` keeps
//! `X`), attribute chains that reach it through an import (`pkg.mod.Old`,
//! `m.Old`), the `__all__` entries of the modules that bind it, and
//! (`calls`) dotted strings of patch calls and literal names given to
//! `getattr`-like calls. A local or parameter named `Old` reads no import
//! and no definition, so it is never touched.
//!
//! The modules that bind the symbol are its defining module and every
//! first-party module that binds it at module level by a `from … import
//! Old` (its re-exporters): each of them binds `New` after the rename, and
//! with `--alias` (`alias`) each answers `Old` through a PEP 562
//! `__getattr__` that warns.

mod alias;
mod calls;

use std::ops::Range;

use tree_sitter::Node;

use super::{Out, Parsed, RefKind};
use crate::imports::resolve::Resolver;
use crate::names::{BindingId, BindingKind, ImportBinding, NameModel, ScopeId};

/// The rename of one symbol, as one file sees it.
pub struct SymbolRename<'a> {
    /// The old name (`Old`).
    pub old: &'a str,
    /// The new name (`New`).
    pub new: &'a str,
    /// The modules that bind the symbol under `old` at module level: the
    /// defining module first, then its first-party re-exporters.
    pub modules: &'a [String],
    /// This file's module name.
    pub module: &'a str,
    /// The module index and the file's project path, to resolve relative
    /// imports; `None` leaves them alone.
    pub relative: Option<(&'a Resolver, &'a str)>,
    /// Qualified names of calls whose first string argument names a
    /// module or a member (besides the patch calls the engine knows).
    pub string_calls: &'a [String],
    /// Whether the modules that bind the symbol keep answering `old`
    /// through a deprecated PEP 562 alias.
    pub alias: bool,
}

/// A place the rename lists: what it cannot do there, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Listed {
    /// 1-based line.
    pub line: usize,
    /// The code there (trimmed, one line).
    pub code: String,
    /// Why.
    pub reason: String,
}

/// The engine's answer for one file.
#[derive(Debug, Default)]
pub struct SymbolOutcome {
    /// The rewrites, non-overlapping, in file order.
    pub rewrites: Vec<super::Rewrite>,
    /// What would change the program's meaning (the new name already
    /// bound where the rename lands, `Old` bound again, a star import):
    /// the rename is refused while any is left.
    pub refusals: Vec<Listed>,
    /// Accesses that may reach the symbol but cannot be proven to
    /// (`getattr(mod, name)` with a computed name): the gate lists them.
    pub unprovable: Vec<Listed>,
}

/// Why `old` in the defining module's model cannot be renamed to `new`:
/// it is not a top-level class or function there, or `new` is bound
/// there already.
pub fn check_definition(names: &NameModel, text: &str, old: &str, new: &str) -> Result<(), String> {
    let lines = crate::source::LineIndex::new(text);
    let line = |b: BindingId| lines.line_of(names.binding(b).range.start) + 1;
    let ids = names.bindings_in(0, old);
    if ids.is_empty() {
        return Err(format!(
            "`{old}` is not bound at the top level of the module; only a top-level class or function can be renamed"
        ));
    }
    if let Some(&b) = ids.iter().find(|&&b| {
        !matches!(
            names.binding(b).kind,
            BindingKind::Function | BindingKind::Class
        )
    }) {
        return Err(format!(
            "`{old}` is not a top-level class or function: line {} binds it otherwise",
            line(b)
        ));
    }
    if let Some(&b) = names.bindings_in(0, new).first() {
        return Err(format!(
            "`{new}` is already bound in the module (line {})",
            line(b)
        ));
    }
    Ok(())
}

impl SymbolRename<'_> {
    /// The rewrites `file` needs, with what the rename refuses or cannot
    /// prove there.
    pub fn rewrites(&self, file: &Parsed) -> SymbolOutcome {
        let mut out = Out {
            text: file.text,
            lines: crate::source::LineIndex::new(file.text),
            rewrites: Vec::new(),
            conflicts: Vec::new(),
        };
        let mut listed = Lists::default();
        let own = self.modules.iter().any(|m| m == self.module);
        let mut renamed_scopes: Vec<(ScopeId, Vec<BindingId>)> = Vec::new();
        if self.module == self.modules[0] {
            let defs: Vec<BindingId> = file.names.bindings_in(0, self.old).to_vec();
            for &b in &defs {
                let range = file.names.binding(b).range.clone();
                out.push(RefKind::Definition, range.clone(), range, self.new.into());
            }
            if !defs.is_empty() {
                renamed_scopes.push((0, defs));
            }
        }
        self.imports(file, &mut out, &mut renamed_scopes);
        // A star import of a module that binds the symbol binds it here too.
        let star = self.star_at(file);
        if star.is_some() && !renamed_scopes.iter().any(|(s, _)| *s == 0) {
            renamed_scopes.push((0, Vec::new()));
        }
        for (scope, ids) in &renamed_scopes {
            let star = star.clone().filter(|_| *scope == 0);
            self.names_in_scope(file, *scope, ids, star, &mut out, &mut listed);
        }
        self.attributes(file, &mut out);
        if own {
            self.dunder_all(file, &mut out);
        }
        calls::rewrite(self, file, &mut out, &mut listed);
        if own && self.alias && self.keeps_alias(file) {
            match alias::rewrite(self, file) {
                Ok(Some((at, text))) => {
                    out.push(RefKind::Alias, at..at, at..at, text);
                }
                Ok(None) => {}
                Err((at, reason)) => listed.refuse(&out, at, reason),
            }
        }
        let mut rewrites = out.rewrites;
        rewrites.sort_by_key(|r| (r.range.start, r.range.end));
        rewrites.dedup_by(|b, a| a.range == b.range);
        SymbolOutcome {
            rewrites,
            refusals: listed.refusals,
            unprovable: listed.unprovable,
        }
    }

    /// Whether `--alias` answers the old name in this module (one that
    /// binds the symbol): the defining module, a package `__init__` and a
    /// module that exports it in `__all__` (its public re-exporters); an
    /// importer that merely uses the symbol gets no alias.
    fn keeps_alias(&self, file: &Parsed) -> bool {
        self.module == self.modules[0]
            || self
                .relative
                .is_some_and(|(_, rel)| rel.ends_with("/__init__.py") || rel == "__init__.py")
            || file.names.dunder_all.iter().any(|(n, _)| n == self.old)
    }

    /// Whether this file's module binds the symbol under `old` at module
    /// level through an import of it or a star import: a re-exporter.
    pub fn rebinds(&self, file: &Parsed) -> bool {
        let names = file.names;
        names.bindings_in(0, self.old).iter().any(|&b| {
            matches!(&names.binding(b).kind, BindingKind::Import(i)
                if !i.binds_top && self.absolute(i).is_some_and(|q| self.is_symbol(&q)))
        }) || self.star_at(file).is_some()
    }

    /// The absolute qualified name an import binds (`pkg.mod.Old` for
    /// `from .mod import Old` in `pkg/__init__.py`); `None` when a relative
    /// import cannot be resolved.
    fn absolute(&self, import: &ImportBinding) -> Option<String> {
        if import.level == 0 {
            return Some(import.qualified.clone());
        }
        let (resolver, rel) = self.relative?;
        let base = resolver
            .absolute(rel, &import.module, import.level, None)
            .ok()?;
        let imported = if import.module.is_empty() {
            import.qualified.as_str()
        } else {
            import
                .qualified
                .strip_prefix(import.module.as_str())?
                .strip_prefix('.')?
        };
        Some(match base.is_empty() {
            true => imported.to_string(),
            false => format!("{base}.{imported}"),
        })
    }

    /// Whether `qualified` is the symbol in one of the modules that bind it.
    fn is_symbol(&self, qualified: &str) -> bool {
        qualified
            .rsplit_once('.')
            .is_some_and(|(m, last)| last == self.old && self.modules.iter().any(|x| x == m))
    }

    /// `from M import Old` (M one of the modules): the imported name is
    /// renamed; when the statement binds `Old` itself (no alias, or `as
    /// Old`), the alias too, and the scope's uses of it (`renamed_scopes`).
    fn imports(
        &self,
        file: &Parsed,
        out: &mut Out,
        renamed_scopes: &mut Vec<(ScopeId, Vec<BindingId>)>,
    ) {
        let root = file.tree.root_node();
        for (id, b) in file.names.bindings().iter().enumerate() {
            let BindingKind::Import(import) = &b.kind else {
                continue;
            };
            if import.binds_top || !self.absolute(import).is_some_and(|q| self.is_symbol(&q)) {
                continue;
            }
            let Some(node) = root.descendant_for_byte_range(b.range.start, b.range.end) else {
                continue;
            };
            let stmt = statement_of(node);
            let aliased = node
                .parent()
                .filter(|p| p.kind() == "aliased_import")
                .filter(|p| {
                    p.child_by_field_name("alias")
                        .is_some_and(|a| a.id() == node.id())
                });
            let name_node = aliased
                .and_then(|p| p.child_by_field_name("name"))
                .unwrap_or(node);
            out.push(
                RefKind::From,
                name_node.byte_range(),
                stmt.clone(),
                self.new.into(),
            );
            if b.name == self.old {
                if aliased.is_some() {
                    out.push(RefKind::From, b.range.clone(), stmt, self.new.into());
                }
                match renamed_scopes.iter_mut().find(|(s, _)| *s == b.scope) {
                    Some((_, ids)) => ids.push(id),
                    None => renamed_scopes.push((b.scope, vec![id])),
                }
            }
        }
    }

    /// The uses of `old` that read the renamed bindings `ids` of `scope`,
    /// renamed; refused when `old` has other bindings there or `new` would
    /// mean something else at a renamed use, or something new at a use of
    /// `new`.
    fn names_in_scope(
        &self,
        file: &Parsed,
        scope: ScopeId,
        ids: &[BindingId],
        star: Option<Range<usize>>,
        out: &mut Out,
        listed: &mut Lists,
    ) {
        let (names, text) = (file.names, file.text);
        if let Some(&other) = names
            .bindings_in(scope, self.old)
            .iter()
            .find(|b| !ids.contains(b))
        {
            listed.refuse(
                out,
                names.binding(other).range.start,
                format!(
                    "`{}` is bound again here: renaming the class, function or import would change what this name means",
                    self.old
                ),
            );
        }
        if let Some(&b) = names.bindings_in(scope, self.new).first() {
            let at = names.binding(b).range.start;
            listed.refuse(out, at, format!("`{}` is already bound here", self.new));
        }
        let Some(cause) = ids
            .first()
            .map(|&b| names.binding(b).range.clone())
            .or(star.clone())
        else {
            return;
        };
        let mut refs: Vec<_> = names
            .references_in(scope, self.old, text)
            .cloned()
            .collect();
        if star.is_some() {
            // Names the star import may bind read no binding of the model.
            refs.extend(
                names
                    .references()
                    .iter()
                    .filter(|r| r.resolved.is_none() && &text[r.range.clone()] == self.old)
                    .cloned(),
            );
        }
        for r in refs {
            if let Some(s) = names.lookup(r.scope, self.new) {
                let b = names.bindings_in(s, self.new).first().copied();
                let at = b.map_or(r.range.start, |b| names.binding(b).range.start);
                listed.refuse(
                    out,
                    at,
                    format!(
                        "`{}` is bound here, where the renamed `{}` is used (line {})",
                        self.new,
                        self.old,
                        out.lines.line_of(r.range.start) + 1
                    ),
                );
                continue;
            }
            out.push(
                RefKind::Name,
                r.range.clone(),
                cause.clone(),
                self.new.into(),
            );
        }
        // A use of `new` that found nothing (a builtin) would find the renamed symbol.
        let inside = names.scopes()[scope].range.clone();
        for r in names.references() {
            let landing = r.resolved.is_none() && scope == 0 || r.resolved == Some(scope);
            if landing && inside.contains(&r.range.start) && &text[r.range.clone()] == self.new {
                listed.refuse(
                    out,
                    r.range.start,
                    format!(
                        "`{}` is used here and would then mean the renamed `{}`",
                        self.new, self.old
                    ),
                );
            }
        }
    }

    /// `pkg.mod.Old` and `m.Old`: an attribute chain that starts at an
    /// import and reaches the symbol in one of the modules.
    fn attributes(&self, file: &Parsed, out: &mut Out) {
        let (names, text) = (file.names, file.text);
        let root = file.tree.root_node();
        for r in names.references() {
            let Some(import) = names.import_of(r, text) else {
                continue;
            };
            let Some(mut cur) = self.absolute(import) else {
                continue;
            };
            let Some(mut node) = root.descendant_for_byte_range(r.range.start, r.range.end) else {
                continue;
            };
            while let Some(parent) = node.parent().filter(|p| p.kind() == "attribute") {
                let (Some(object), Some(attr)) = (
                    parent.child_by_field_name("object"),
                    parent.child_by_field_name("attribute"),
                ) else {
                    break;
                };
                if object.id() != node.id() {
                    break;
                }
                let a = &text[attr.byte_range()];
                if a == self.old && self.modules.contains(&cur) {
                    out.push(
                        RefKind::Attribute,
                        attr.byte_range(),
                        parent.byte_range(),
                        self.new.into(),
                    );
                    break;
                }
                cur = format!("{cur}.{a}");
                let prefix = format!("{cur}.");
                if !self
                    .modules
                    .iter()
                    .any(|m| *m == cur || m.starts_with(&prefix))
                {
                    break;
                }
                node = parent;
            }
        }
    }

    /// The module's `__all__` entries naming `old`.
    fn dunder_all(&self, file: &Parsed, out: &mut Out) {
        let root = file.tree.root_node();
        for (name, range) in &file.names.dunder_all {
            if name != self.old {
                continue;
            }
            let content = root
                .descendant_for_byte_range(range.start, range.end)
                .and_then(super::strings::plain_string);
            if let Some(content) = content {
                out.push(
                    RefKind::All,
                    content.byte_range(),
                    range.clone(),
                    self.new.into(),
                );
            }
        }
    }

    /// Where the file star-imports one of the modules that bind the
    /// symbol, at module level (then it binds the symbol too).
    pub(super) fn star_at(&self, file: &Parsed) -> Option<Range<usize>> {
        let root = file.tree.root_node();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if n.kind() == "import_from_statement" && crate::names::is_star_import(n) {
                let module = n.child_by_field_name("module_name")?;
                let written = &file.text[module.byte_range()];
                let level = written.len() - written.trim_start_matches('.').len();
                let import = ImportBinding {
                    qualified: format!("{}.{}", written.trim_start_matches('.'), self.old)
                        .trim_start_matches('.')
                        .to_string(),
                    module: written.trim_start_matches('.').to_string(),
                    level,
                    binds_top: false,
                };
                if self.absolute(&import).is_some_and(|q| self.is_symbol(&q)) {
                    return Some(n.byte_range());
                }
                continue;
            }
            if matches!(
                n.kind(),
                "module" | "block" | "if_statement" | "try_statement"
            ) || n.kind().ends_with("_clause")
            {
                stack.extend(n.named_children(&mut n.walk()));
            }
        }
        None
    }
}

/// The import statement holding `node` (the node's own range otherwise).
fn statement_of(node: Node) -> Range<usize> {
    let mut n = Some(node);
    while let Some(x) = n {
        if matches!(x.kind(), "import_statement" | "import_from_statement") {
            return x.byte_range();
        }
        n = x.parent();
    }
    node.byte_range()
}

/// What a file's rename refuses and cannot prove, one entry per line and
/// reason.
#[derive(Default)]
pub(super) struct Lists {
    refusals: Vec<Listed>,
    unprovable: Vec<Listed>,
}

impl Lists {
    fn entry(out: &Out, at: usize, reason: String) -> Listed {
        let line = out.lines.line_of(at);
        let start = out.text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let end = out.text[at..]
            .find(['\n', '\r'])
            .map_or(out.text.len(), |i| at + i);
        Listed {
            line: line + 1,
            code: out.text[start..end].trim().to_string(),
            reason,
        }
    }

    pub(super) fn refuse(&mut self, out: &Out, at: usize, reason: String) {
        let e = Self::entry(out, at, reason);
        if !self.refusals.contains(&e) {
            self.refusals.push(e);
        }
    }

    pub(super) fn unprovable(&mut self, out: &Out, at: usize, reason: String) {
        let e = Self::entry(out, at, reason);
        if !self.unprovable.contains(&e) {
            self.unprovable.push(e);
        }
    }
}

#[cfg(test)]
mod tests;
