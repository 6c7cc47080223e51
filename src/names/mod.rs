//! The name model of one file (SPEC §3.2): its scopes (module, class,
//! function, lambda, comprehension), the bindings made in each, and every
//! reference with the scope Python looks it up in (`global`/`nonlocal`,
//! class scopes invisible from nested functions, comprehension scopes,
//! defaults and annotations evaluated in the enclosing scope, `del`, star
//! imports). Every rewrite that renames or moves code asks it what a name
//! means at a place, so a local or parameter that shadows an import is
//! never taken for it.
//!
//! Built once per file from the tree ([`NameModel::build`]), and only when a
//! rule asks (`FileCtx::names`), so files whose rules never ask pay nothing.

mod build;

// foldhash, not SipHash: a model hashes every identifier it reads.
use foldhash::{HashMap, HashSet};
use std::ops::Range;

use crate::parse::fields::FIELD;
use tree_sitter::{Node, Tree};

/// Index of a scope in [`NameModel::scopes`]; the module scope is 0.
pub type ScopeId = usize;
/// Index of a binding in [`NameModel::bindings`].
pub type BindingId = usize;

/// What kind of block a scope is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// The file.
    Module,
    /// A class body (invisible from the functions nested in it).
    Class,
    /// A `def` (its parameters and body).
    Function,
    /// A `lambda`.
    Lambda,
    /// A comprehension or generator expression.
    Comprehension,
}

/// One scope.
#[derive(Debug)]
pub struct Scope {
    /// Its kind.
    pub kind: ScopeKind,
    /// The scope it is nested in (`None` for the module).
    pub parent: Option<ScopeId>,
    /// The node that makes it (the whole file for the module).
    pub range: Range<usize>,
    /// Bindings of each name in this scope, in file order.
    names: HashMap<String, Vec<BindingId>>,
    /// Names declared `global` here.
    globals: HashSet<String>,
    /// Names declared `nonlocal` here.
    nonlocals: HashSet<String>,
    /// Whether a `from m import *` binds unknown names here.
    star: bool,
}

/// What an import binds a name to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBinding {
    /// The dotted name the bound name stands for, without the leading dots
    /// of a relative import: `a` for `import a.b`, `a.b` for `import a.b as
    /// x`, `a.b` for `from a import b`.
    pub qualified: String,
    /// The module the statement imports (`a.b` for `import a.b`, `a` for
    /// `from a import b`).
    pub module: String,
    /// Leading dots of a relative `from` import (0 when absolute).
    pub level: usize,
    /// `import a.b` without `as`: the name binds the top package of `module`.
    pub binds_top: bool,
}

/// How a name is bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingKind {
    /// By an import.
    Import(ImportBinding),
    /// By `=`, `+=`, `for`, `with … as`, `except … as`, `:=`, a match capture.
    Assignment,
    /// A bare annotation `x: T` (makes the name local, binds no value).
    Annotation,
    /// A parameter of a `def` or `lambda`.
    Parameter,
    /// A `def`.
    Function,
    /// A `class`.
    Class,
    /// `del x`: the name is unbound after it.
    Deletion,
}

/// One binding of a name.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The name bound.
    pub name: String,
    /// The scope it binds in (after `global`/`nonlocal`).
    pub scope: ScopeId,
    /// The identifier (for an import: the alias, or the dotted name).
    pub range: Range<usize>,
    /// Where the name is bound: references from here on in the same scope
    /// read it (the end of an assignment, which evaluates its right side
    /// first; the end of a `for` target, before the body).
    pub at: usize,
    /// How.
    pub kind: BindingKind,
}

/// One use of a name.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The identifier.
    pub range: Range<usize>,
    /// The scope the expression is evaluated in.
    pub scope: ScopeId,
    /// The scope whose binding it reads (`None`: a builtin, or unbound).
    pub resolved: Option<ScopeId>,
}

/// The scopes, bindings and references of one file.
#[derive(Debug)]
pub struct NameModel {
    scopes: Vec<Scope>,
    bindings: Vec<Binding>,
    /// Sorted by start.
    references: Vec<Reference>,
    /// The string entries of module-level `__all__` assignments and
    /// `+=`/`.append`/`.extend`: (name, range of the string node).
    pub dunder_all: Vec<(String, Range<usize>)>,
}

/// The identifier-like words of `text` (runs of letters, digits, `_` and
/// non-ASCII bytes, which are whole UTF-8 characters), with where each starts.
fn identifiers(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() && !is_word(bytes[at]) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && is_word(bytes[at]) {
            at += 1;
        }
        (start < at).then(|| (start, &text[start..at]))
    })
}

/// Where the `import` of each star import (`from m import *`) may be: the
/// word, then `*` after anything tree-sitter may read as white space
/// between them (any white space, line breaks, continuations, comments,
/// non-ASCII characters). More may be found (in strings, comments, or
/// `import` then `*` that is no star import): they only widen a focused walk.
fn star_imports(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"import").filter(move |&at| {
        let mut i = at + "import".len();
        while let Some(&b) = bytes.get(i) {
            match b {
                b'*' => return true,
                b'#' => {
                    i += memchr::memchr2(b'\n', b'\r', &bytes[i..]).unwrap_or(bytes.len() - i);
                }
                b if b.is_ascii_whitespace() || b == b'\x0b' || b == b'\\' || b >= 0x80 => i += 1,
                _ => return false,
            }
        }
        false
    })
}

impl NameModel {
    /// Builds the model of a parsed file (iterative: deep nesting cannot
    /// overflow the stack).
    pub fn build(tree: &Tree, text: &str) -> NameModel {
        build::build(tree.root_node(), text, None)
    }

    /// The model as far as the names in `words` go: the walk enters only
    /// the nodes whose text holds one of the words or a star import's
    /// `import` (a star import binds every name; any other import spells
    /// the names it binds). It answers for references spelled
    /// with those words, as [`NameModel::build`]'s would, and knows nothing
    /// else: a file where one call must be resolved pays for the few
    /// statements that can bind its name, not for a walk of the whole file.
    pub fn focused(tree: &Tree, text: &str, words: &[&str]) -> NameModel {
        /// Past this many words, one pass over the text's identifiers (a
        /// byte loop, ~2 ns a byte) is cheaper than a SIMD substring search
        /// per word (~0.1 ns a byte each), and the work stays linear.
        const SEARCHES: usize = 16;
        let mut words: Vec<&str> = words.iter().copied().filter(|w| !w.is_empty()).collect();
        words.sort_unstable();
        words.dedup();
        let mut offsets: Vec<usize> = if words.len() <= SEARCHES {
            words
                .iter()
                .flat_map(|w| memchr::memmem::find_iter(text.as_bytes(), w.as_bytes()))
                .collect()
        } else {
            // Whole identifiers: every name node is one.
            let wanted: HashSet<&str> = words.into_iter().collect();
            identifiers(text)
                .filter(|(_, w)| wanted.contains(w))
                .map(|(at, _)| at)
                .collect()
        };
        offsets.extend(star_imports(text));
        offsets.sort_unstable();
        offsets.dedup();
        build::build(tree.root_node(), text, Some(build::Focus::Words(offsets)))
    }

    /// The model of one module-level statement, as if it were the whole
    /// module. It answers, for what is spelled in the statement, as
    /// [`NameModel::build`]'s would whether a name is a module-level one (a
    /// reference resolves to the module, or to no scope, only through scopes
    /// that open inside it), and knows nothing of the module's other
    /// statements. The E402 hoist asks this of a statement an import would
    /// jump.
    pub fn of_statement(stmt: Node, text: &str) -> NameModel {
        build::build(stmt, text, None)
    }

    /// Every binding, in file order of the walk.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// One binding.
    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id]
    }

    /// Every scope.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// Every reference, in file order.
    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    /// The reference whose identifier starts at `start`, if one does.
    pub fn reference_at(&self, start: usize) -> Option<&Reference> {
        let i = self.references.partition_point(|r| r.range.start < start);
        self.references.get(i).filter(|r| r.range.start == start)
    }

    /// The bindings of `name` in `scope`, in file order.
    pub fn bindings_in(&self, scope: ScopeId, name: &str) -> &[BindingId] {
        self.scopes[scope]
            .names
            .get(name)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The binding a reference reads, when one can be told: in its own
    /// scope, the last binding before it (a `del` there: none); from a
    /// nested scope (which runs later), the only binding, or bindings that
    /// all import the same name. `None` when unbound, a builtin, or not
    /// decidable statically.
    pub fn binding_of(&self, reference: &Reference, text: &str) -> Option<BindingId> {
        let scope = reference.resolved?;
        let name = &text[reference.range.clone()];
        let ids = self.bindings_in(scope, name);
        if scope == reference.scope {
            let before = ids
                .iter()
                .rev()
                .find(|&&b| self.bindings[b].at <= reference.range.start)
                .or(if ids.len() == 1 { ids.first() } else { None })?;
            return (self.bindings[*before].kind != BindingKind::Deletion).then_some(*before);
        }
        let last = *ids.last()?;
        let qualified = |b: BindingId| match &self.bindings[b].kind {
            BindingKind::Import(i) => Some((i.qualified.as_str(), i.level)),
            _ => None,
        };
        // Imports of the same name (`import a.b` and `import a.c` both bind `a`).
        let same =
            qualified(last).is_some() && ids.iter().all(|&b| qualified(b) == qualified(last));
        let settled = ids.len() == 1 || same;
        (settled && self.bindings[last].kind != BindingKind::Deletion).then_some(last)
    }

    /// The scope whose binding of `name` code in `scope` would read.
    pub fn lookup(&self, scope: ScopeId, name: &str) -> Option<ScopeId> {
        build::lookup(&self.scopes, scope, name)
    }

    /// The import that binds the name used at `reference`, if an import does.
    pub fn import_of(&self, reference: &Reference, text: &str) -> Option<&ImportBinding> {
        match &self.bindings[self.binding_of(reference, text)?].kind {
            BindingKind::Import(i) => Some(i),
            _ => None,
        }
    }

    /// The qualified name `expr` (an identifier or an attribute chain of
    /// plain names) stands for where it is: `sys.path` for `s.path` after
    /// `import sys as s`, `os.path.join` for `join` after `from os.path
    /// import join`; `builtins.NAME` for a name no scope binds (when no star
    /// import may bind it). `None` when the first name is bound otherwise
    /// (a parameter, a local, a `def`) or by a relative import.
    pub fn qualified_name(&self, expr: Node, text: &str) -> Option<String> {
        let (root, attrs) = chain(expr, text)?;
        let reference = self.reference_at(root.start_byte())?;
        let base = match reference.resolved {
            Some(_) => {
                let import = self.import_of(reference, text)?;
                if import.level > 0 {
                    return None;
                }
                import.qualified.clone()
            }
            None if self.scopes[0].star => return None,
            None => format!("builtins.{}", &text[root.byte_range()]),
        };
        let mut q = base;
        for a in attrs {
            q.push('.');
            q.push_str(a);
        }
        Some(q)
    }

    /// Whether `expr` resolves to one of the dotted names `names`.
    pub fn resolves_to_any(&self, expr: Node, text: &str, names: &[String]) -> bool {
        self.qualified_name(expr, text)
            .is_some_and(|q| names.contains(&q))
    }

    /// The references that read `binding`.
    pub fn references_to<'m>(
        &'m self,
        binding: BindingId,
        text: &'m str,
    ) -> impl Iterator<Item = &'m Reference> + 'm {
        let name = self.bindings[binding].name.as_str();
        self.references.iter().filter(move |r| {
            &text[r.range.clone()] == name && self.binding_of(r, text) == Some(binding)
        })
    }

    /// The references to `name` that resolve to `scope` (any binding there).
    pub fn references_in<'m>(
        &'m self,
        scope: ScopeId,
        name: &'m str,
        text: &'m str,
    ) -> impl Iterator<Item = &'m Reference> + 'm {
        self.references
            .iter()
            .filter(move |r| r.resolved == Some(scope) && &text[r.range.clone()] == name)
    }

    /// The innermost scope holding `offset`.
    pub fn scope_at(&self, offset: usize) -> ScopeId {
        let mut best = 0;
        for (i, s) in self.scopes.iter().enumerate().skip(1) {
            if s.range.contains(&offset) && s.range.len() <= self.scopes[best].range.len() {
                best = i;
            }
        }
        best
    }

    /// Whether `name` is bound at all in the module scope.
    pub fn module_binds(&self, name: &str) -> bool {
        !self.bindings_in(0, name).is_empty()
    }
}

/// The first identifier of an attribute chain of plain names, and the
/// attribute names after it, in order.
pub fn chain<'t>(expr: Node<'t>, text: &'t str) -> Option<(Node<'t>, Vec<&'t str>)> {
    // Iterative: a chain of any length cannot overflow the stack.
    let mut attrs = Vec::new();
    let mut node = expr;
    loop {
        match node.kind() {
            "identifier" => {
                attrs.reverse();
                return Some((node, attrs));
            }
            "attribute" => {
                attrs.push(&text[node.child_by_field_id(FIELD.attribute)?.byte_range()]);
                node = node.child_by_field_id(FIELD.object)?;
            }
            "parenthesized_expression" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

/// The names one import statement binds: (name, its range, what it binds
/// it to). Empty for `from m import *` (see [`is_star_import`]).
pub fn import_bindings(stmt: Node, text: &str) -> Vec<(String, Range<usize>, ImportBinding)> {
    let t = |n: Node| &text[n.byte_range()];
    let mut out = Vec::new();
    match stmt.kind() {
        "import_statement" => {
            for name in stmt.children_by_field_name("name", &mut stmt.walk()) {
                if name.kind() == "aliased_import" {
                    let (Some(module), Some(alias)) = (
                        name.child_by_field_id(FIELD.name),
                        name.child_by_field_id(FIELD.alias),
                    ) else {
                        continue;
                    };
                    let module = dotted(t(module));
                    out.push((
                        t(alias).to_string(),
                        alias.byte_range(),
                        ImportBinding {
                            qualified: module.clone(),
                            module,
                            level: 0,
                            binds_top: false,
                        },
                    ));
                } else {
                    let module = dotted(t(name));
                    let top = module.split('.').next().unwrap_or_default().to_string();
                    out.push((
                        top.clone(),
                        name.byte_range(),
                        ImportBinding {
                            qualified: top,
                            module,
                            level: 0,
                            binds_top: true,
                        },
                    ));
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = stmt.child_by_field_id(FIELD.module_name) else {
                return out;
            };
            let written = t(module);
            let level = written.len() - written.trim_start_matches('.').len();
            let module = dotted(written);
            for name in stmt.children_by_field_name("name", &mut stmt.walk()) {
                let (imported, bound) = match name.kind() {
                    "aliased_import" => match (
                        name.child_by_field_id(FIELD.name),
                        name.child_by_field_id(FIELD.alias),
                    ) {
                        (Some(n), Some(a)) => (n, a),
                        _ => continue,
                    },
                    _ => (name, name),
                };
                let imported = dotted(t(imported));
                let qualified = if module.is_empty() {
                    imported
                } else {
                    format!("{module}.{imported}")
                };
                out.push((
                    t(bound).to_string(),
                    bound.byte_range(),
                    ImportBinding {
                        qualified,
                        module: module.clone(),
                        level,
                        binds_top: false,
                    },
                ));
            }
        }
        _ => {}
    }
    out
}

/// `from m import *`.
pub fn is_star_import(stmt: Node) -> bool {
    stmt.kind() == "import_from_statement"
        && stmt
            .named_children(&mut stmt.walk())
            .any(|c| c.kind() == "wildcard_import")
}

/// A dotted name as written, without whitespace, comments or leading dots.
fn dotted(written: &str) -> String {
    written
        .trim_start_matches('.')
        .split('.')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests;
