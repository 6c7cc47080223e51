//! The import graph: what a file imports ([`extract`] from the tree,
//! [`scan`] from the text alone) and which file of the repository each
//! import names (`resolve`). Used by every rule and command that follows
//! imports: the lane, legacy and relative-import checks, STUB001/STUB003,
//! the symbol tables, `rulegate promote`, `rulegate stubs` and `rulegate
//! report lanes`.

mod computed;
pub mod kept;
pub(crate) mod lex;
pub mod patch;
pub(crate) mod resolve;
pub mod scan;

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::names::NameModel;
use crate::parse::fields::FIELD;

/// How a module is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ImportKind {
    /// `import a.b` / `import a.b as c`.
    Import,
    /// `from a import b`.
    From,
    /// `import_module("a.b")` / `__import__("a.b")` with a literal name.
    Dynamic,
    /// A dynamic import whose name has a literal prefix (`f"a.b.{x}"`): the
    /// import is of the prefix.
    DynamicPrefix,
    /// A dynamic import with no literal prefix: the target is unknown.
    DynamicUnknown,
    /// A literal module name that reaches a dynamic import's name argument
    /// through the module's code (a tuple looped into `import_module`, a
    /// table of plugin modules, an `os.environ.get` default): the site is
    /// the string, the call is [`ImportSite::range`].
    DynamicComputed,
}

impl ImportKind {
    /// Whether the module name is computed at run time.
    pub fn is_dynamic(self) -> bool {
        matches!(
            self,
            ImportKind::Dynamic
                | ImportKind::DynamicPrefix
                | ImportKind::DynamicUnknown
                | ImportKind::DynamicComputed
        )
    }

    /// A word for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Import => "import",
            ImportKind::From => "from",
            ImportKind::Dynamic => "dynamic",
            ImportKind::DynamicPrefix => "dynamic-prefix",
            ImportKind::DynamicUnknown => "dynamic-unknown",
            ImportKind::DynamicComputed => "dynamic-computed",
        }
    }
}

/// One name of a `from … import` statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportedName {
    /// The imported name (`b` in `from a import b as c`).
    pub name: String,
    /// Its range in the file.
    pub range: Range<usize>,
}

/// One import in a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportSite {
    /// The kind.
    pub kind: ImportKind,
    /// The dotted module name as written, without leading dots (empty for
    /// `from . import x` and for unknown dynamic imports).
    pub module: String,
    /// Leading dots of a relative import (0 for absolute).
    pub level: usize,
    /// For a dynamic import with `package="..."`, that package.
    pub package: Option<String>,
    /// Range of the module name in the file (the dotted name, or the string's
    /// literal part of a dynamic import); the call for unknown dynamic imports.
    pub module_range: Range<usize>,
    /// Range of the whole statement or call.
    pub range: Range<usize>,
    /// For `from` imports: the names imported (empty for `*`).
    pub names: Vec<ImportedName>,
    /// `from m import *`.
    pub star: bool,
    /// For `import a.b` without `as`: the name it binds (`a`).
    pub binds: Option<String>,
    /// Inside `if TYPE_CHECKING:`.
    pub typing_only: bool,
    /// Inside a function or class.
    pub nested: bool,
    /// Inside `try:` with an `except` catching ImportError (or a parent of
    /// it), or `with …(ImportError)`: a failure is expected and handled.
    pub guarded: bool,
}

/// The qualified names of functions that import by name at run time.
pub const DEFAULT_DYNAMIC_CALLS: &[&str] = &["importlib.import_module", "builtins.__import__"];

/// Extracts every import of a file, static and dynamic, in file order.
/// `dynamic_calls` are qualified names (`importlib.import_module`); builtins
/// are spelled `builtins.NAME`. The walk of the tree enters only the nodes
/// that hold the word `import` (every import statement does) or the name of
/// a dynamic-import call: most of a file is never visited.
pub fn extract(tree: &Tree, text: &str, dynamic_calls: &[String]) -> Vec<ImportSite> {
    extract_with(tree, text, dynamic_calls, None)
}

/// [`extract`] with the file's name model if it is built already (else a
/// model focused on the names the calls are spelled with is built, only
/// when a dynamic-import call must be resolved).
pub(crate) fn extract_with(
    tree: &Tree,
    text: &str,
    dynamic_calls: &[String],
    names: Option<&NameModel>,
) -> Vec<ImportSite> {
    let dynamic = names_dynamic_call(text, dynamic_calls);
    let mut walker = Walker {
        text,
        dynamic_calls,
        calls: Vec::new(),
        out: Vec::new(),
        guarded: false,
        import_words: occurrences(text, "import").collect(),
        call_names: if dynamic {
            call_name_offsets(text, dynamic_calls)
        } else {
            Vec::new()
        },
    };
    walker.walk(tree, dynamic);
    // Any call may be an alias (`im("x")` after `import_module as im`): calls
    // are resolved once every import of the file is known (flow-insensitive:
    // nested imports count too).
    let calls = std::mem::take(&mut walker.calls);
    let focused;
    let names = match names {
        Some(model) => model,
        None => {
            // The heads of the calls' names (`importlib` of
            // `importlib.import_module`, `im` of `im`) are all that binds them.
            let heads: Vec<&str> = calls
                .iter()
                .filter_map(|(call, ..)| call.child_by_field_id(FIELD.function))
                .filter_map(|f| crate::names::chain(f, text))
                .map(|(head, _)| &text[head.byte_range()])
                .collect();
            focused = (!heads.is_empty()).then(|| NameModel::focused(tree, text, &heads));
            match &focused {
                Some(model) => model,
                None => return finish(walker.out),
            }
        }
    };
    for (call, typing_only, nested, guarded) in calls {
        walker.guarded = guarded;
        walker.call(call, typing_only, nested, names);
    }
    finish(walker.out)
}

/// The sites in file order, a name that reaches two calls as one site.
fn finish(mut out: Vec<ImportSite>) -> Vec<ImportSite> {
    out.sort_by_key(|s| (s.range.start, s.module_range.start));
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| s.kind != ImportKind::DynamicComputed || seen.insert(s.module_range.clone()));
    out
}

/// Whether `text` may call one of `dynamic_calls` (it holds the last part
/// of one's name: an alias is bound by an import that spells it). When not,
/// the file's imports are its static ones, which [`scan`] reads without a
/// parse.
pub fn names_dynamic_call(text: &str, dynamic_calls: &[String]) -> bool {
    dynamic_calls
        .iter()
        .filter_map(|c| c.rsplit('.').next())
        .any(|w| memchr::memmem::find(text.as_bytes(), w.as_bytes()).is_some())
}

/// Where `word` occurs in `text` (a SIMD search; std's substring search is
/// several times slower on whole files).
fn occurrences<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    memchr::memmem::find_iter(text.as_bytes(), word.as_bytes())
}

/// Statements whose bodies may hold imports.
const CONTAINERS: &[&str] = &[
    "module",
    "block",
    "if_statement",
    "elif_clause",
    "else_clause",
    "for_statement",
    "while_statement",
    "try_statement",
    "except_clause",
    "except_group_clause",
    "finally_clause",
    "with_statement",
    "function_definition",
    "class_definition",
    "decorated_definition",
    "match_statement",
    "case_clause",
];

/// What the children of a node inherit.
#[derive(Clone, Copy, Default)]
struct Context {
    typing_only: bool,
    nested: bool,
    guarded: bool,
    /// The node is `if TYPE_CHECKING:`: its `consequence` is typing-only.
    type_checking_if: bool,
    /// The node is a `try` or `with` that handles ImportError: its `body` is guarded.
    guards_body: bool,
}

/// Exceptions whose handler means an ImportError is expected.
const IMPORT_ERRORS: &[&str] = &[
    "ImportError",
    "ModuleNotFoundError",
    "Exception",
    "BaseException",
];

struct Walker<'a, 't> {
    text: &'a str,
    dynamic_calls: &'a [String],
    /// (call, typing-only, nested, guarded), checked once all imports are known.
    calls: Vec<(Node<'t>, bool, bool, bool)>,
    out: Vec<ImportSite>,
    /// Whether the node being visited is guarded (see [`ImportSite::guarded`]).
    guarded: bool,
    /// Where a dynamic-import function's name (or an alias an import gives
    /// it) may occur, sorted: only nodes around one can hold such a call.
    call_names: Vec<usize>,
    /// Where the word `import` occurs, in order: only statements around
    /// one can hold an import statement.
    import_words: Vec<usize>,
}

/// Whether `node` holds one of `offsets` (sorted).
fn holds(offsets: &[usize], node: Node) -> bool {
    let i = offsets.partition_point(|&at| at < node.start_byte());
    offsets.get(i).is_some_and(|&at| at < node.end_byte())
}

/// Offsets of the words a dynamic-import call can be spelled with: the
/// last part of each function's name, and the aliases `from m import f as
/// g` gives them (a superset: substrings of other words count too).
fn call_name_offsets(text: &str, dynamic_calls: &[String]) -> Vec<usize> {
    let mut words: Vec<&str> = dynamic_calls
        .iter()
        .filter_map(|c| c.rsplit('.').next())
        .collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        for at in occurrences(text, w) {
            let rest = text[at + w.len()..].trim_start_matches([' ', '\t', '\\', '\n', '\r']);
            let Some(rest) = rest.strip_prefix("as") else {
                continue;
            };
            let alias = rest.trim_start_matches([' ', '\t', '\\', '\n', '\r']);
            let end = alias
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(alias.len());
            if end > 0 && alias.len() < rest.len() && !words.contains(&&alias[..end]) {
                words.push(&alias[..end]);
            }
        }
        i += 1;
    }
    let mut out: Vec<usize> = words.iter().flat_map(|w| occurrences(text, w)).collect();
    out.sort_unstable();
    out
}

impl<'t> Walker<'_, 't> {
    fn t(&self, n: Node) -> &str {
        &self.text[n.byte_range()]
    }

    /// One cursor walk (the cheapest traversal tree-sitter offers), keeping
    /// a stack of what each level's children inherit.
    fn walk(&mut self, tree: &'t Tree, dynamic: bool) {
        let has_error = tree.root_node().has_error();
        let mut cursor = tree.walk();
        let mut stack = vec![Context::default()];
        loop {
            let node = cursor.node();
            let parent = *stack.last().expect("the root's context stays");
            let typing_only = parent.typing_only
                || (parent.type_checking_if && cursor.field_name() == Some("consequence"));
            self.guarded =
                parent.guarded || (parent.guards_body && cursor.field_name() == Some("body"));
            let guarded = self.guarded;
            let kind = node.kind();
            let descend = match kind {
                "import_statement" => {
                    self.import(node, typing_only, parent.nested);
                    false
                }
                "import_from_statement" => {
                    self.import_from(node, typing_only, parent.nested);
                    false
                }
                "call" if dynamic && self.may_name_a_call(node) => {
                    self.calls.push((node, typing_only, parent.nested, guarded));
                    true
                }
                _ => {
                    (CONTAINERS.contains(&kind)
                        && (holds(&self.import_words, node) || self.may_name_a_call(node)))
                        || (dynamic && self.may_name_a_call(node))
                }
            };
            if descend && cursor.goto_first_child() {
                stack.push(Context {
                    typing_only,
                    nested: parent.nested
                        || matches!(kind, "function_definition" | "class_definition"),
                    guarded,
                    type_checking_if: kind == "if_statement" && self.is_type_checking(node),
                    guards_body: self.handles_import_error(node),
                });
                continue;
            }
            // On to the next sibling that holds an offset (only a node
            // that holds one can be, or hold, an import or a call), else up.
            // A tree with errors is walked sibling by sibling: a statement
            // whose `import` is a missing node holds no offset.
            if has_error {
                while !cursor.goto_next_sibling() {
                    if !cursor.goto_parent() {
                        return;
                    }
                    stack.pop();
                }
                continue;
            }
            loop {
                let next = self.next_offset(cursor.node().end_byte());
                if !cursor.goto_parent() {
                    return;
                }
                if next.is_some_and(|at| {
                    at < cursor.node().end_byte() && cursor.goto_first_child_for_byte(at).is_some()
                }) {
                    break;
                }
                stack.pop();
            }
        }
    }

    /// The first offset of an `import` word or a call name at or after `from`.
    fn next_offset(&self, from: usize) -> Option<usize> {
        let first = |offsets: &[usize]| {
            offsets
                .get(offsets.partition_point(|&at| at < from))
                .copied()
        };
        match (first(&self.import_words), first(&self.call_names)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether `node` holds an offset of [`Walker::call_names`].
    fn may_name_a_call(&self, node: Node) -> bool {
        holds(&self.call_names, node)
    }

    /// `try` with a bare `except` or one naming an import error, or a `with`
    /// whose items name one (`with self.assertRaises(ImportError):`).
    fn handles_import_error(&self, node: Node) -> bool {
        let names = |n: Node| {
            let t = self.t(n);
            IMPORT_ERRORS.iter().any(|e| t.contains(e))
        };
        match node.kind() {
            "try_statement" => {
                let mut c = node.walk();
                node.named_children(&mut c).any(|clause| {
                    clause.kind() == "except_clause" && {
                        let mut c = clause.walk();
                        let caught: Vec<Node> = clause
                            .named_children(&mut c)
                            .filter(|n| !matches!(n.kind(), "block" | "comment"))
                            .collect();
                        caught.is_empty() || caught.iter().any(|n| names(*n))
                    }
                })
            }
            "with_statement" => node
                .named_children(&mut node.walk())
                .any(|n| n.kind() == "with_clause" && names(n)),
            _ => false,
        }
    }

    fn is_type_checking(&self, node: Node) -> bool {
        node.child_by_field_id(FIELD.condition).is_some_and(|c| {
            let t = self.t(c);
            t == "TYPE_CHECKING" || t.ends_with(".TYPE_CHECKING")
        })
    }

    fn site(&self, kind: ImportKind, node: Node, typing_only: bool, nested: bool) -> ImportSite {
        ImportSite {
            kind,
            module: String::new(),
            level: 0,
            package: None,
            module_range: node.byte_range(),
            range: node.byte_range(),
            names: Vec::new(),
            star: false,
            binds: None,
            typing_only,
            nested,
            guarded: self.guarded,
        }
    }

    fn import(&mut self, node: Node, typing_only: bool, nested: bool) {
        let mut c = node.walk();
        for name in node.children_by_field_name("name", &mut c) {
            let (dotted, aliased) = match name.kind() {
                "aliased_import" => match name.child_by_field_id(FIELD.name) {
                    Some(d) => (d, true),
                    None => continue,
                },
                _ => (name, false),
            };
            let module = dotted_text(self.t(dotted));
            let mut site = self.site(ImportKind::Import, node, typing_only, nested);
            site.binds = (!aliased).then(|| module.split('.').next().unwrap_or("").to_string());
            site.module = module;
            site.module_range = dotted.byte_range();
            self.out.push(site);
        }
    }

    fn import_from(&mut self, node: Node, typing_only: bool, nested: bool) {
        let Some(module) = node.child_by_field_id(FIELD.module_name) else {
            return;
        };
        let mut site = self.site(ImportKind::From, node, typing_only, nested);
        let written = self.t(module);
        site.level = written.len() - written.trim_start_matches('.').len();
        site.module = dotted_text(written);
        site.module_range = match module.kind() {
            "relative_import" => {
                let mut c = module.walk();
                let dotted = module
                    .named_children(&mut c)
                    .find(|n| n.kind() == "dotted_name");
                dotted.map_or(module.byte_range(), |d| d.byte_range())
            }
            _ => module.byte_range(),
        };
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            if child.kind() == "wildcard_import" {
                site.star = true;
            }
        }
        let mut c = node.walk();
        for name in node.children_by_field_name("name", &mut c) {
            let n = match name.kind() {
                "aliased_import" => match name.child_by_field_id(FIELD.name) {
                    Some(n) => n,
                    None => continue,
                },
                _ => name,
            };
            site.names.push(ImportedName {
                name: dotted_text(self.t(n)),
                range: n.byte_range(),
            });
        }
        self.out.push(site);
    }

    fn call(&mut self, node: Node, typing_only: bool, nested: bool, names: &NameModel) {
        let Some(function) = node.child_by_field_id(FIELD.function) else {
            return;
        };
        // As Python resolves it there: a parameter named `import_module` is not the import.
        let Some(q) = names.qualified_name(function, self.text) else {
            return;
        };
        if !self.dynamic_calls.contains(&q) {
            return;
        }
        let Some(args) = node.child_by_field_id(FIELD.arguments) else {
            return;
        };
        let mut c = args.walk();
        let positional: Vec<Node> = args
            .named_children(&mut c)
            .filter(|a| a.kind() != "keyword_argument" && a.kind() != "comment")
            .collect();
        let mut c = args.walk();
        // `package=` or the second positional argument (`import_module(name, package)`).
        let package_arg = args
            .named_children(&mut c)
            .filter(|a| a.kind() == "keyword_argument")
            .find(|a| {
                a.child_by_field_id(FIELD.name)
                    .is_some_and(|n| self.t(n) == "package")
            })
            .and_then(|a| a.child_by_field_id(FIELD.value))
            .or_else(|| positional.get(1).copied());
        let package = package_arg.and_then(|v| literal_string(v, self.text));
        let mut site = self.site(ImportKind::DynamicUnknown, node, typing_only, nested);
        site.package = package.as_ref().map(|(p, _)| p.clone());
        // The name: the first positional argument, or `name=`.
        let mut c = args.walk();
        let name_arg = positional.first().copied().or_else(|| {
            args.named_children(&mut c)
                .filter(|a| a.kind() == "keyword_argument")
                .find(|a| {
                    a.child_by_field_id(FIELD.name)
                        .is_some_and(|n| self.t(n) == "name")
                })
                .and_then(|a| a.child_by_field_id(FIELD.value))
        });
        let Some(first) = name_arg.as_ref() else {
            self.out.push(site);
            return;
        };
        let literal = literal_prefix(*first, self.text);
        match &literal {
            Some((literal, range, complete)) => {
                self.literal_name(&mut site, literal, range.clone(), *complete)
            }
            None => site.module_range = first.byte_range(),
        }
        if site.kind != ImportKind::DynamicUnknown {
            self.out.push(site);
            return;
        }
        // A computed name: the literal names that reach it, and with a
        // literal `package=`, the package it imports under.
        let traced = match literal {
            Some(_) => computed::Traced::default(),
            None => computed::trace(*first, self.text),
        };
        let mut all_known = traced.complete && !traced.strings.is_empty();
        for (name, range) in &traced.strings {
            let mut s = site.clone();
            self.literal_name(&mut s, name, range.clone(), true);
            if s.kind == ImportKind::Dynamic {
                s.kind = ImportKind::DynamicComputed;
                self.out.push(s);
            } else {
                all_known = false;
            }
        }
        if all_known {
            return; // every name it can import is a site: the call is known
        }
        if let Some((_, package_range)) = package {
            site.kind = ImportKind::DynamicPrefix;
            site.level = 1;
            site.module = String::new();
            site.module_range = package_range;
        }
        self.out.push(site);
    }

    /// Fills `site` from the literal (or literal prefix, when not
    /// `complete`) of its name argument; the site stays unknown when the
    /// literal names no module (a relative name without a literal package).
    fn literal_name(
        &self,
        site: &mut ImportSite,
        literal: &str,
        range: Range<usize>,
        complete: bool,
    ) {
        let dots = literal.len() - literal.trim_start_matches('.').len();
        let rest = &literal[dots..];
        let name = if complete {
            rest
        } else {
            // Only whole segments of the prefix name a module.
            rest.rfind('.').map_or("", |dot| &rest[..dot])
        };
        // A relative name is resolved against the package argument:
        // unknown when that is not a literal.
        let anchored = dots == 0 || site.package.is_some();
        if !anchored || (!complete && name.is_empty() && dots == 0) {
            return;
        }
        site.kind = if complete {
            ImportKind::Dynamic
        } else {
            ImportKind::DynamicPrefix
        };
        site.level = dots;
        let start = range.start + dots;
        site.module_range = start..start + name.len();
        site.module = name.to_string();
    }
}

/// `a . b` → `a.b`.
fn dotted_text(s: &str) -> String {
    s.trim_start_matches('.')
        .split('.')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(".")
}

/// A plain string literal's value and the range of its content.
fn literal_string(node: Node, text: &str) -> Option<(String, Range<usize>)> {
    match literal_prefix(node, text)? {
        (s, r, true) => Some((s, r)),
        _ => None,
    }
}

/// The literal text a string expression starts with: (text, its range,
/// whether that is the whole value). Handles plain strings, f-strings and
/// `"lit" + x` concatenations; escapes make it give up (no prefix).
fn literal_prefix(node: Node, text: &str) -> Option<(String, Range<usize>, bool)> {
    match node.kind() {
        "string" => {
            let start = node.child(0)?;
            let opening = &text[start.byte_range()];
            let prefix = opening.trim_end_matches(['"', '\'']).to_ascii_lowercase();
            if prefix.contains('b') {
                return None;
            }
            let mut c = node.walk();
            let parts: Vec<Node> = node
                .named_children(&mut c)
                .filter(|n| !matches!(n.kind(), "string_start" | "string_end"))
                .collect();
            match parts.first() {
                None => Some((String::new(), start.end_byte()..start.end_byte(), true)),
                Some(p) if p.kind() == "string_content" => {
                    let s = &text[p.byte_range()];
                    if s.contains('\\') && !prefix.contains('r') {
                        return None;
                    }
                    Some((s.to_string(), p.byte_range(), parts.len() == 1))
                }
                Some(_) => Some((String::new(), start.end_byte()..start.end_byte(), false)),
            }
        }
        "binary_operator" => {
            let op = node.child_by_field_name("operator")?;
            if &text[op.byte_range()] != "+" {
                return None;
            }
            let (s, r, _) = literal_prefix(node.child_by_field_id(FIELD.left)?, text)?;
            Some((s, r, false))
        }
        "parenthesized_expression" => literal_prefix(node.named_child(0)?, text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    fn sites(src: &str) -> Vec<ImportSite> {
        let tree = Worker::new().parse(src).unwrap();
        let calls: Vec<String> = DEFAULT_DYNAMIC_CALLS
            .iter()
            .map(|s| s.to_string())
            .collect();
        extract(&tree, src, &calls)
    }

    fn summary(src: &str) -> Vec<(ImportKind, String, usize, bool)> {
        sites(src)
            .into_iter()
            .map(|s| (s.kind, s.module, s.level, s.typing_only))
            .collect()
    }

    #[test]
    fn static_forms() {
        use ImportKind::*;
        let got = summary(
            "import a.b as c, d\nfrom . import x\nfrom ..pkg.m import y as z\nfrom .mod import *\n",
        );
        assert_eq!(
            got,
            vec![
                (Import, "a.b".into(), 0, false),
                (Import, "d".into(), 0, false),
                (From, "".into(), 1, false),
                (From, "pkg.m".into(), 2, false),
                (From, "mod".into(), 1, false),
            ]
        );
        let s = sites("import a.b\nfrom p import q as r, s\n");
        assert_eq!(s[0].binds.as_deref(), Some("a"));
        let names: Vec<&str> = s[1].names.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["q", "s"]);
        assert!(sites("from m import *\n")[0].star);
    }

    #[test]
    fn nested_and_typing_only() {
        let s = sites(
            "if TYPE_CHECKING:\n    import t\nelse:\n    import u\ndef f():\n    import v\nclass C:\n    from w import x\ntry:\n    import y\nexcept ImportError:\n    pass\n",
        );
        let got: Vec<(&str, bool, bool)> = s
            .iter()
            .map(|s| (s.module.as_str(), s.typing_only, s.nested))
            .collect();
        assert_eq!(
            got,
            [
                ("t", true, false),
                ("u", false, false),
                ("v", false, true),
                ("w", false, true),
                ("y", false, false)
            ]
        );
        assert!(sites("import typing\nif typing.TYPE_CHECKING:\n    import t\n")[1].typing_only);
    }

    #[test]
    fn dynamic_forms() {
        use ImportKind::*;
        let got = summary(
            "import importlib\nfrom importlib import import_module as im\n\
             importlib.import_module('a.b')\nim(\"c\")\n__import__('d')\n\
             importlib.import_module(f'candidate.plugins.{name}')\n\
             importlib.import_module('lanes.' + x)\nimportlib.import_module(name)\n\
             importlib.import_module(f'{x}.y')\nimportlib.import_module('.rel', package='pkg')\n",
        );
        assert_eq!(
            got[2..],
            [
                (Dynamic, "a.b".into(), 0, false),
                (Dynamic, "c".into(), 0, false),
                (Dynamic, "d".into(), 0, false),
                (DynamicPrefix, "candidate.plugins".into(), 0, false),
                (DynamicPrefix, "lanes".into(), 0, false),
                (DynamicUnknown, "".into(), 0, false),
                (DynamicUnknown, "".into(), 0, false),
                (Dynamic, "rel".into(), 1, false),
            ]
        );
        let s = sites("import importlib\nimportlib.import_module('.rel', package='pkg')\n");
        assert_eq!(s[1].package.as_deref(), Some("pkg"));
        // The package as the second positional argument; a computed one
        // leaves a relative name unknown.
        let s = sites(
            "import importlib\nimportlib.import_module('.rel', 'pkg')\nimportlib.import_module('.m', app.name)\n",
        );
        assert_eq!(s[1].package.as_deref(), Some("pkg"));
        assert_eq!(s[1].kind, ImportKind::Dynamic);
        assert_eq!(s[2].kind, ImportKind::DynamicUnknown);
    }

    #[test]
    fn computed_names_are_sites_and_a_literal_package_is_a_prefix() {
        use ImportKind::*;
        let src = "import importlib, os\n\
                   CANDIDATES = ('candidate.governance.guardian', 'core.guardian')\n\
                   for name in CANDIDATES:\n    importlib.import_module(name)\n\
                   name = os.environ.get('P', 'candidate.plugins.default')\n\
                   importlib.import_module(name)\n\
                   importlib.import_module('.' + key, package='candidate.plugins')\n\
                   import logging\nlogging.getLogger('lukhas.core')\n";
        let got: Vec<(ImportKind, String, usize)> = sites(src)
            .into_iter()
            .filter(|s| s.kind.is_dynamic())
            .map(|s| (s.kind, s.module, s.level))
            .collect();
        assert_eq!(
            got,
            [
                // The tuple's names; the loop's call is known, so not unknown.
                (DynamicComputed, "candidate.governance.guardian".into(), 0),
                (DynamicComputed, "core.guardian".into(), 0),
                // The default, and the call, whose value is the environment's.
                (DynamicComputed, "candidate.plugins.default".into(), 0),
                (DynamicUnknown, "".into(), 0),
                // Under the literal package.
                (DynamicPrefix, "".into(), 1),
            ]
        );
        let s = sites(src);
        let computed = s.iter().find(|s| s.kind == DynamicComputed).unwrap();
        assert_eq!(
            &src[computed.module_range.clone()],
            "candidate.governance.guardian"
        );
        let prefix = s.iter().find(|s| s.kind == DynamicPrefix).unwrap();
        assert_eq!(prefix.package.as_deref(), Some("candidate.plugins"));
        // A name that reaches two calls is one site.
        let twice = "import importlib\nM = ('a.b',)\nfor m in M:\n    importlib.import_module(m)\nfor m in M:\n    __import__(m)\n";
        assert_eq!(
            sites(twice)
                .iter()
                .filter(|s| s.kind == DynamicComputed)
                .count(),
            1
        );
    }

    #[test]
    fn guarded_imports() {
        let s = sites(
            "try:\n    import a\nexcept ImportError:\n    import b\ntry:\n    import c\nexcept ValueError:\n    pass\n\
             try:\n    import d\nexcept:\n    pass\nwith self.assertRaises(ImportError):\n    from re import bogus\n",
        );
        let got: Vec<(&str, bool)> = s.iter().map(|s| (s.module.as_str(), s.guarded)).collect();
        assert_eq!(
            got,
            [
                ("a", true),
                ("b", false),
                ("c", false),
                ("d", true),
                ("re", true)
            ]
        );
    }

    #[test]
    fn unrelated_calls_and_shadowed_names_are_not_imports() {
        assert_eq!(
            summary("import_module('x')\nfoo.import_module('y')\n").len(),
            0
        );
        let src = "import importlib\nimportlib.import_module('a')\n";
        let s = sites(src);
        assert_eq!(&src[s[1].module_range.clone()], "a");
    }
}
