//! Module symbol tables for the repository's own modules: the names a module
//! binds at module level, its `__all__`, its star imports, and whether its
//! names are knowable at all (a module `__getattr__`, a star import from
//! outside the repository, or writes to `globals()` / `vars()` /
//! `sys.modules` make them unknowable). Used by STUB001.

// foldhash, not SipHash: a table hashes every name it binds several times
// (about half of building one was SipHash).
use foldhash::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use tree_sitter::{Node, Tree};

use crate::parse::compat::PythonVersion;

mod anywhere;
pub mod guards;
pub mod index;
mod tables;

pub use tables::{Export, Prefetch, SymbolTables};

use crate::parse::fields::FIELD;
use guards::{Guard, VersionTest};

/// The `__all__` of a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllSpec {
    /// `list` or `tuple` (the first assignment's literal).
    pub kind: AllKind,
    /// The names it lists (literal strings only).
    pub names: Vec<String>,
    /// Whether `names` is all of it (no computed part, such as
    /// `__all__.extend(tok_name.values())`).
    pub complete: bool,
}

/// Names every module has.
const MODULE_DUNDERS: &[&str] = &[
    "__name__",
    "__doc__",
    "__file__",
    "__spec__",
    "__loader__",
    "__package__",
    "__path__",
    "__builtins__",
    "__cached__",
    "__dict__",
    "__annotations__",
];

/// The literal kind of `__all__`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllKind {
    /// `__all__ = [...]`.
    List,
    /// `__all__ = (...)`.
    Tuple,
    /// Something else (a computed value).
    Other,
}

/// What a module binds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModuleSymbols {
    /// Names bound at module level.
    pub names: HashSet<String>,
    /// `__all__`, if assigned.
    pub all: Option<AllSpec>,
    /// Modules star-imported, as written (dots kept for relative ones).
    pub star_imports: Vec<(String, usize)>,
    /// Why the module's names cannot be known statically, if so.
    pub unknowable: Option<String>,
    /// Whether the file had syntax errors.
    pub has_errors: bool,
    /// End of the module's leading import block (after the docstring,
    /// `__future__` and imports): where a new import goes.
    pub import_insert_at: usize,
    /// For a bridge module rulegate made (it holds [`BRIDGE_MARKER`]): where
    /// the marker line starts, which is where more fallback stubs go. Its
    /// names are known from its fallbacks, though it copies its candidate's
    /// names at run time.
    pub bridge_stubs_end: Option<usize>,
    /// Whether the module mentions `__path__` (a package that extends its
    /// search path may find submodules anywhere).
    pub touches_path: bool,
    /// Names bound only under `if TYPE_CHECKING:`: never at run time.
    #[serde(default)]
    pub typing_only: HashSet<String>,
    /// Names bound only under a `sys.version_info` test, with the test.
    #[serde(default)]
    pub versioned: Vec<(String, VersionTest)>,
    /// Names the module defines itself (`def`, `class`, assignment), as
    /// opposed to importing them: where a name really lives.
    #[serde(default)]
    pub defs: HashSet<String>,
    /// The guard of the statements being walked (the walk's state).
    #[serde(skip)]
    guard: Option<Guard>,
    /// Where each name is first bound: the start of the top-level statement
    /// that binds it (for import cycles: is it bound before the module
    /// imports the next one?). Names bound elsewhere count as bound at 0.
    #[serde(default)]
    pub bound_at: HashMap<String, usize>,
    /// The top-level statement being read (for `bound_at`).
    #[serde(skip)]
    at: usize,
    /// Names whose last unguarded binding is an import, with what they
    /// import: a first-party module's re-exports (`where.CAP.resolves_to`).
    #[serde(default)]
    pub imported: HashMap<String, ImportOrigin>,
}

/// What a module-level import binds a name to, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOrigin {
    /// The module named (without the leading dots of a relative import).
    pub module: String,
    /// The name imported from it (`None`: `import a.b as c` binds the module).
    pub name: Option<String>,
    /// Leading dots of a relative import.
    pub level: usize,
}

/// The comment line that ends a bridge module's fallback stubs (SPEC §4.7).
pub const BRIDGE_MARKER: &str = "# rulegate: end of fallback stubs";

/// The words a symbol table looks for in the module's text: where names
/// may be bound or hidden outside the top-level statements (see
/// [`ModuleSymbols::scan_anywhere`]), `__path__` and the bridge marker.
const TABLE_WORD_LIST: [&str; 8] = [
    ":=",
    "globals()",
    "vars()",
    "locals()",
    "sys.modules",
    "global",
    "__path__",
    BRIDGE_MARKER,
];

static TABLE_WORDS: std::sync::LazyLock<crate::words::WordSet> = std::sync::LazyLock::new(|| {
    // Every occurrence is found, overlapping ones too: `global` inside
    // `globals()` is one, which `global_statement_at` rejects.
    crate::words::WordSet::new(&TABLE_WORD_LIST)
});

/// The start of the line holding [`BRIDGE_MARKER`] alone, if any.
fn bridge_marker_at(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(BRIDGE_MARKER) {
        let at = from + i;
        let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |n| n + 1);
        if text[line_start..at].trim().is_empty() {
            return Some(line_start);
        }
        from = at + BRIDGE_MARKER.len();
    }
    None
}

impl ModuleSymbols {
    /// Builds the table of a parsed module.
    pub fn of(tree: &Tree, text: &str) -> Self {
        let mut s = ModuleSymbols {
            has_errors: tree.root_node().has_error(),
            ..Default::default()
        };
        s.names.extend(MODULE_DUNDERS.iter().map(|d| d.to_string()));
        let root = tree.root_node();
        let mut c = root.walk();
        let stmts: Vec<Node> = root.named_children(&mut c).collect();
        s.import_insert_at = import_block_end(&stmts, text);
        for stmt in stmts {
            s.at = stmt.start_byte();
            s.statement(stmt, text);
        }
        s.at = 0;
        // A name also bound unguarded is always there.
        let always = std::mem::take(&mut s.names);
        s.typing_only.retain(|n| !always.contains(n));
        s.versioned.retain(|(n, _)| !always.contains(n));
        s.names = always;
        // One scan of the text for every word the table looks for.
        let mut offsets = Vec::new();
        let mut marker = false;
        TABLE_WORDS.for_each(text.as_bytes(), |word, at| match TABLE_WORD_LIST[word] {
            "__path__" => s.touches_path = true,
            BRIDGE_MARKER => marker = true,
            "global" if !anywhere::global_statement_at(text, at) => {}
            _ => offsets.push(at),
        });
        // By start, as `scan_anywhere` reads them (the automaton a word
        // set may fall back to reports by end).
        offsets.sort_unstable();
        offsets.dedup();
        s.scan_anywhere(root, &offsets, text);
        s.bridge_stubs_end = if marker { bridge_marker_at(text) } else { None };
        s
    }

    /// Whether the module's names cannot be known statically (a bridge's
    /// can: they are its fallbacks).
    pub fn is_unknowable(&self) -> bool {
        self.unknowable.is_some() && self.bridge_stubs_end.is_none()
    }

    fn bind(&mut self, name: &str) {
        // Any binding replaces what an earlier import bound.
        self.imported.remove(name);
        // For IMP002: where the name is first bound at run time (a
        // `TYPE_CHECKING` binding never is).
        // (Looked up before a key is allocated: a module rebinds some names
        // many times.)
        if self.guard != Some(Guard::TypeChecking) && !self.bound_at.contains_key(name) {
            self.bound_at.insert(name.to_string(), self.at);
        }
        let set = match self.guard {
            None => &mut self.names,
            Some(Guard::TypeChecking) => &mut self.typing_only,
            Some(Guard::Version(v)) => {
                self.versioned.push((name.to_string(), v));
                return;
            }
        };
        if !set.contains(name) {
            set.insert(name.to_string());
        }
    }

    /// Binds a name the module defines itself (not an import).
    /// An import's binding, remembered with its origin when unguarded.
    fn bind_import(&mut self, name: &str, origin: Option<ImportOrigin>) {
        self.bind(name);
        if let (None, Some(origin)) = (self.guard, origin) {
            self.imported.insert(name.to_string(), origin);
        }
    }

    fn define(&mut self, name: &str) {
        if self.guard.is_none() {
            self.defs.insert(name.to_string());
        }
        self.bind(name);
    }

    /// Whether `name` exists at run time on `target`: always bound, or
    /// bound under a version test that `target` passes.
    pub fn binds(&self, name: &str, target: PythonVersion) -> bool {
        self.names.contains(name)
            || self
                .versioned
                .iter()
                .any(|(n, test)| n == name && test.holds(target))
    }

    /// Why a name the module binds somewhere is not there at run time on
    /// `target`, if that is the case (for the finding's message).
    pub fn why_invisible(&self, name: &str, target: PythonVersion) -> Option<String> {
        if self.binds(name, target) {
            return None;
        }
        if self.typing_only.contains(name) {
            return Some(
                "the module binds it only under `if TYPE_CHECKING:`, which never runs".into(),
            );
        }
        let test = self.versioned.iter().find(|(n, _)| n == name)?.1;
        Some(format!(
            "the module binds it only when `{test}`, which is false on the target version {target}"
        ))
    }

    fn statement(&mut self, stmt: Node, text: &str) {
        let t = |n: Node| text[n.byte_range()].to_string();
        match stmt.kind() {
            "function_definition" | "class_definition" => {
                if let Some(n) = stmt.child_by_field_id(FIELD.name) {
                    let name = t(n);
                    if name == "__getattr__"
                        && stmt.kind() == "function_definition"
                        && self.guard != Some(Guard::TypeChecking)
                    {
                        self.unknowable = Some("it defines a module `__getattr__`".into());
                    }
                    self.define(&name);
                }
            }
            "decorated_definition" => {
                // `@enum.global_enum` copies the members into the module
                // (through sys.modules): names no table can list.
                let mut c = stmt.walk();
                if stmt.named_children(&mut c).any(|d| {
                    d.kind() == "decorator" && text[d.byte_range()].ends_with("global_enum")
                }) {
                    self.unknowable = Some("a `global_enum` decorator injects names".into());
                }
                if let Some(d) = stmt.child_by_field_id(FIELD.definition) {
                    self.statement(d, text);
                }
            }
            "import_statement" => {
                let mut c = stmt.walk();
                for name in stmt.children_by_field_name("name", &mut c) {
                    let (bound, origin) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_id(FIELD.alias).map(t),
                            name.child_by_field_id(FIELD.name).map(|m| ImportOrigin {
                                module: t(m).replace(char::is_whitespace, ""),
                                name: None,
                                level: 0,
                            }),
                        ),
                        _ => (
                            t(name).split('.').next().map(|s| s.trim().to_string()),
                            None,
                        ),
                    };
                    if let Some(b) = bound {
                        self.bind_import(&b, origin);
                    }
                }
            }
            "import_from_statement" => {
                let module = stmt
                    .child_by_field_id(FIELD.module_name)
                    .map(t)
                    .unwrap_or_default();
                let mut c = stmt.walk();
                if stmt
                    .named_children(&mut c)
                    .any(|n| n.kind() == "wildcard_import")
                {
                    let level = module.len() - module.trim_start_matches('.').len();
                    self.star_imports
                        .push((module.trim_start_matches('.').to_string(), level));
                }
                let level = module.len() - module.trim_start_matches('.').len();
                let from = module[level..].replace(char::is_whitespace, "");
                let mut c = stmt.walk();
                for name in stmt.children_by_field_name("name", &mut c) {
                    let (bound, imported) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_id(FIELD.alias).map(t),
                            name.child_by_field_id(FIELD.name).map(t),
                        ),
                        _ => (Some(t(name)), Some(t(name))),
                    };
                    if let Some(b) = bound {
                        let origin = imported.map(|n| ImportOrigin {
                            module: from.clone(),
                            name: Some(n),
                            level,
                        });
                        self.bind_import(&b, origin);
                    }
                }
            }
            "expression_statement" => {
                let mut c = stmt.walk();
                for e in stmt.named_children(&mut c) {
                    self.expression(e, text);
                }
            }
            "for_statement" => {
                if let Some(left) = stmt.child_by_field_id(FIELD.left) {
                    self.targets(left, text, false);
                }
                self.blocks(stmt, text);
            }
            "with_statement" => {
                let mut stack = vec![stmt];
                while let Some(n) = stack.pop() {
                    if n.kind() == "as_pattern"
                        && let Some(alias) = n.child_by_field_id(FIELD.alias)
                    {
                        self.targets(alias, text, false);
                    }
                    if n.kind() != "block" {
                        let mut c = n.walk();
                        stack.extend(n.named_children(&mut c));
                    }
                }
                self.blocks(stmt, text);
            }
            "except_clause" => {
                let mut c = stmt.walk();
                for n in stmt.named_children(&mut c) {
                    if n.kind() == "as_pattern"
                        && let Some(alias) = n.child_by_field_id(FIELD.alias)
                    {
                        self.targets(alias, text, false);
                    }
                }
                self.blocks(stmt, text);
            }
            "if_statement" => self.if_statement(stmt, text),
            "elif_clause"
            | "else_clause"
            | "try_statement"
            | "finally_clause"
            | "while_statement"
            | "match_statement"
            | "case_clause"
            | "block"
            | "except_group_clause" => self.blocks(stmt, text),
            _ => {}
        }
    }

    /// An `if`: its body and its other branches under the guards its
    /// condition sets (an outer guard wins: nesting only narrows it).
    fn if_statement(&mut self, stmt: Node, text: &str) {
        let (body, rest) = stmt
            .child_by_field_id(FIELD.condition)
            .map_or((None, None), |c| guards::guard_of(c, text));
        let outer = self.guard;
        let mut c = stmt.walk();
        let children: Vec<Node> = stmt.named_children(&mut c).collect();
        for child in children {
            match child.kind() {
                "block" => {
                    self.guard = outer.or(body);
                    let mut c = child.walk();
                    let inner: Vec<Node> = child.named_children(&mut c).collect();
                    for s in inner {
                        self.statement(s, text);
                    }
                }
                "elif_clause" | "else_clause" => {
                    self.guard = outer.or(rest);
                    self.statement(child, text);
                }
                _ => {}
            }
        }
        self.guard = outer;
    }

    /// Recurses into the statements of a compound statement's blocks.
    fn blocks(&mut self, stmt: Node, text: &str) {
        let mut c = stmt.walk();
        let children: Vec<Node> = stmt.named_children(&mut c).collect();
        for child in children {
            match child.kind() {
                "block" => {
                    let mut c = child.walk();
                    let inner: Vec<Node> = child.named_children(&mut c).collect();
                    for s in inner {
                        self.statement(s, text);
                    }
                }
                "elif_clause"
                | "else_clause"
                | "except_clause"
                | "finally_clause"
                | "except_group_clause"
                | "case_clause" => self.statement(child, text),
                _ => {}
            }
        }
    }

    fn expression(&mut self, e: Node, text: &str) {
        match e.kind() {
            "assignment" => {
                let value = e.child_by_field_id(FIELD.right);
                if let Some(left) = e.child_by_field_id(FIELD.left) {
                    // `x: int` alone binds nothing at run time.
                    if value.is_some() {
                        self.targets(left, text, true);
                        self.all_assignment(left, value, text);
                    }
                }
                if let Some(v) = value {
                    self.expression(v, text);
                }
            }
            "augmented_assignment" => {
                if let Some(left) = e.child_by_field_id(FIELD.left) {
                    self.targets(left, text, false);
                    if &text[left.byte_range()] == "__all__"
                        && let (Some(all), Some(right)) =
                            (&mut self.all, e.child_by_field_id(FIELD.right))
                    {
                        all.names.extend(string_items(right, text));
                    }
                }
            }
            "call" => self.all_call(e, text),
            _ => {}
        }
    }

    fn targets(&mut self, target: Node, text: &str, define: bool) {
        let mut stack = vec![target];
        while let Some(target) = stack.pop() {
            match target.kind() {
                "identifier" if define => self.define(&text[target.byte_range()]),
                "identifier" => self.bind(&text[target.byte_range()]),
                "pattern_list"
                | "tuple_pattern"
                | "list_pattern"
                | "expression_list"
                | "tuple"
                | "list"
                | "list_splat_pattern"
                | "parenthesized_expression"
                | "list_splat"
                | "as_pattern_target" => {
                    let mut c = target.walk();
                    stack.extend(target.named_children(&mut c));
                }
                _ => {}
            }
        }
    }

    fn all_assignment(&mut self, left: Node, value: Option<Node>, text: &str) {
        if &text[left.byte_range()] != "__all__" {
            return;
        }
        let Some(v) = value else { return };
        let kind = match v.kind() {
            "list" => AllKind::List,
            "tuple" => AllKind::Tuple,
            _ => AllKind::Other,
        };
        self.all = Some(AllSpec {
            kind,
            names: string_items(v, text),
            complete: kind != AllKind::Other,
        });
    }

    /// `__all__.append("x")` / `.extend([...])`.
    fn all_call(&mut self, call: Node, text: &str) {
        let Some(f) = call.child_by_field_id(FIELD.function) else {
            return;
        };
        let f = &text[f.byte_range()];
        if let (Some(all), Some(args)) = (&mut self.all, call.child_by_field_id(FIELD.arguments))
            && (f == "__all__.append" || f == "__all__.extend")
        {
            let literal = args.named_children(&mut args.walk()).all(|a| {
                a.kind() == "string"
                    || (f == "__all__.extend" && matches!(a.kind(), "list" | "tuple"))
            });
            all.complete &= literal;
            all.names.extend(string_items(args, text));
        }
    }
}

/// The literal strings of a list/tuple/argument list.
fn string_items(node: Node, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut c = node.walk();
    for item in node.named_children(&mut c) {
        match item.kind() {
            "string" => {
                let s = text[item.byte_range()].trim_matches(|c| c == '"' || c == '\'');
                out.push(s.to_string());
            }
            "list" | "tuple" | "parenthesized_expression" => out.extend(string_items(item, text)),
            _ => {}
        }
    }
    out
}

/// Byte offset just after the leading docstring, `__future__` imports and imports.
fn import_block_end(stmts: &[Node], text: &str) -> usize {
    let mut end = 0;
    for (i, s) in stmts.iter().enumerate() {
        let is_doc = i == 0
            && s.kind() == "expression_statement"
            && s.named_child(0).is_some_and(|c| c.kind() == "string");
        let is_import = matches!(
            s.kind(),
            "import_statement" | "import_from_statement" | "future_import_statement"
        );
        if s.kind() == "comment" {
            continue;
        }
        if is_doc || is_import {
            end = s.end_byte();
        } else {
            break;
        }
    }
    // After the line's end (`\n`, `\r\n` or a lone `\r`).
    match crate::source::LineEnding::after(text, end) {
        Some((at, ending)) => at + ending.as_str().len(),
        None => text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;
    use anywhere::global_statement_at;

    fn has_global_statement(text: &str) -> bool {
        text.match_indices("global")
            .any(|(at, _)| global_statement_at(text, at))
    }

    #[test]
    fn global_statements_are_found_by_the_line_scan() {
        for yes in [
            "global x\n",
            "def f():\n    global x\n",
            "def f(): global x\n",
            "def f():\n    y = 1; global x\n",
            "def f():\n\tglobal \\\n x\n",
            "def f():\r\n    global x\r\n",
        ] {
            assert!(has_global_statement(yes), "{yes:?}");
        }
        for no in [
            "# the global lock\n",
            "x = global_var\n",
            "globals()\n",
            "nonglobal x\n",
        ] {
            assert!(!has_global_statement(no), "{no:?}");
        }
    }

    #[test]
    fn dynamic_writes_and_walrus_bindings() {
        let table = |text: &str| {
            let tree = Worker::new().parse(text).unwrap();
            ModuleSymbols::of(&tree, text)
        };
        let t = table(
            "def f():\n    global late\n    late = 1\n[y := 2 for _ in ()]\ndef g():\n    (z := 3)\n",
        );
        assert!(t.names.contains("late") && t.names.contains("y"));
        assert!(!t.names.contains("z"), "a function's walrus binds a local");
        assert!(t.unknowable.is_none());
        for text in [
            "globals()['x'] = 1\n",
            "import sys\nsys.modules.update(a=1)\n",
            "exec(code, globals())\n",
            "def f():\n    del vars()['x']\n",
        ] {
            assert!(table(text).unknowable.is_some(), "{text}");
        }
        assert!(
            table("x = globals()['y']\nm = sys.modules['a']\n")
                .unknowable
                .is_none()
        );
    }
}
