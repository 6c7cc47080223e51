//! Module symbol tables for the repository's own modules: the names a module
//! binds at module level, its `__all__`, its star imports, and whether its
//! names are knowable at all (a module `__getattr__`, a star import from
//! outside the repository, or writes to `globals()` / `vars()` /
//! `sys.modules` make them unknowable). Used by STUB001.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};

use tree_sitter::{Node, Tree};

use crate::deps::Deps;
use crate::imports::resolve::Resolver;
use crate::parse::Worker;

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
    /// Where each name is first bound: the start of the top-level statement
    /// that binds it (for import cycles: is it bound before the module
    /// imports the next one?). Names bound elsewhere count as bound at 0.
    #[serde(default)]
    pub bound_at: HashMap<String, usize>,
    /// The top-level statement being read (for `bound_at`).
    #[serde(skip)]
    at: usize,
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

static TABLE_WORDS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        // No word holds another except `global` in `globals()`, which is
        // never a `global` statement: leftmost-first, non-overlapping
        // matches find every occurrence that counts (and a scan with
        // overlapping matches cannot use the automaton's prefilter).
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(TABLE_WORD_LIST)
            .expect("literal words")
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
        // One scan of the text for every word the table looks for.
        let mut offsets = Vec::new();
        let mut marker = false;
        for m in TABLE_WORDS.find_iter(text) {
            match TABLE_WORD_LIST[m.pattern().as_usize()] {
                "__path__" => s.touches_path = true,
                BRIDGE_MARKER => marker = true,
                "global" if !global_statement_at(text, m.start()) => {}
                _ => offsets.push(m.start()),
            }
        }
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
        self.names.insert(name.to_string());
        self.bound_at.entry(name.to_string()).or_insert(self.at);
    }

    fn statement(&mut self, stmt: Node, text: &str) {
        let t = |n: Node| text[n.byte_range()].to_string();
        match stmt.kind() {
            "function_definition" | "class_definition" => {
                if let Some(n) = stmt.child_by_field_name("name") {
                    let name = t(n);
                    if name == "__getattr__" && stmt.kind() == "function_definition" {
                        self.unknowable = Some("it defines a module `__getattr__`".into());
                    }
                    self.bind(&name);
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
                if let Some(d) = stmt.child_by_field_name("definition") {
                    self.statement(d, text);
                }
            }
            "import_statement" => {
                let mut c = stmt.walk();
                for name in stmt.children_by_field_name("name", &mut c) {
                    let bound = match name.kind() {
                        "aliased_import" => name.child_by_field_name("alias").map(t),
                        _ => t(name).split('.').next().map(|s| s.trim().to_string()),
                    };
                    if let Some(b) = bound {
                        self.bind(&b);
                    }
                }
            }
            "import_from_statement" => {
                let module = stmt
                    .child_by_field_name("module_name")
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
                let mut c = stmt.walk();
                for name in stmt.children_by_field_name("name", &mut c) {
                    let bound = match name.kind() {
                        "aliased_import" => name.child_by_field_name("alias").map(t),
                        _ => Some(t(name)),
                    };
                    if let Some(b) = bound {
                        self.bind(&b);
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
                if let Some(left) = stmt.child_by_field_name("left") {
                    self.targets(left, text);
                }
                self.blocks(stmt, text);
            }
            "with_statement" => {
                let mut stack = vec![stmt];
                while let Some(n) = stack.pop() {
                    if n.kind() == "as_pattern"
                        && let Some(alias) = n.child_by_field_name("alias")
                    {
                        self.targets(alias, text);
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
                        && let Some(alias) = n.child_by_field_name("alias")
                    {
                        self.targets(alias, text);
                    }
                }
                self.blocks(stmt, text);
            }
            "if_statement"
            | "elif_clause"
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
                let value = e.child_by_field_name("right");
                if let Some(left) = e.child_by_field_name("left") {
                    // `x: int` alone binds nothing at run time.
                    if value.is_some() {
                        self.targets(left, text);
                        self.all_assignment(left, value, text);
                    }
                }
                if let Some(v) = value {
                    self.expression(v, text);
                }
            }
            "augmented_assignment" => {
                if let Some(left) = e.child_by_field_name("left") {
                    self.targets(left, text);
                    if &text[left.byte_range()] == "__all__"
                        && let (Some(all), Some(right)) =
                            (&mut self.all, e.child_by_field_name("right"))
                    {
                        all.names.extend(string_items(right, text));
                    }
                }
            }
            "call" => self.all_call(e, text),
            _ => {}
        }
    }

    fn targets(&mut self, target: Node, text: &str) {
        let mut stack = vec![target];
        while let Some(target) = stack.pop() {
            match target.kind() {
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
        let Some(f) = call.child_by_field_name("function") else {
            return;
        };
        let f = &text[f.byte_range()];
        if let (Some(all), Some(args)) = (&mut self.all, call.child_by_field_name("arguments"))
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

    /// What binds or hides module names anywhere in the file, not only in
    /// its top-level statements: `(name := value)` at module scope
    /// (comprehensions included; function and class bodies excluded),
    /// `global` declarations in functions, and writes to `globals()`,
    /// `vars()` or `sys.modules`. One cursor walk that enters only the nodes
    /// holding an occurrence of those words: most files have none, a whole
    /// walk costs a quarter of a parse, and a lookup per occurrence from the
    /// root is quadratic in deeply nested code.
    /// `offsets` are where those words occur, in order.
    fn scan_anywhere(&mut self, root: Node, offsets: &[usize], text: &str) {
        if offsets.is_empty() {
            return;
        }
        let holds = |n: Node| {
            let i = offsets.partition_point(|&at| at < n.start_byte());
            offsets.get(i).is_some_and(|&at| at < n.end_byte())
        };
        let mut cursor = root.walk();
        // Each level's node (`Node::parent` searches from the root each
        // time), and whether it is in a function, class or lambda.
        let mut parents: Vec<(Node, bool)> = Vec::new();
        loop {
            let n = cursor.node();
            let opaque = parents.last().is_some_and(|p| p.1);
            self.anywhere(n, parents.last().map(|p| p.0), opaque, text);
            if holds(n) && cursor.goto_first_child() {
                let hides = matches!(
                    n.kind(),
                    "function_definition" | "class_definition" | "lambda"
                );
                parents.push((n, opaque || hides));
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return;
                }
                parents.pop();
            }
        }
    }

    /// One node of [`ModuleSymbols::scan_anywhere`]'s walk, whose parent is
    /// `parent`; `opaque`: inside a function, class or lambda.
    fn anywhere(&mut self, n: Node, parent: Option<Node>, opaque: bool, text: &str) {
        match n.kind() {
            "named_expression" if !opaque => {
                if let Some(name) = n.child_by_field_name("name") {
                    self.bind(&text[name.byte_range()]);
                }
            }
            // `exec(code, globals())` and friends may bind anything.
            "argument_list" => {
                let mut c = n.walk();
                if n.named_children(&mut c)
                    .any(|a| matches!(&text[a.byte_range()], "globals()" | "vars()" | "locals()"))
                {
                    self.unknowable = Some("it passes `globals()` to a call".into());
                }
            }
            "global_statement" => {
                let mut c = n.walk();
                let names: Vec<String> = n
                    .named_children(&mut c)
                    .map(|i| text[i.byte_range()].to_string())
                    .collect();
                for name in names {
                    self.bind(&name);
                }
            }
            // The object is the node's first child, so its text starts
            // the node's: most attributes are ruled out without a
            // field lookup.
            "subscript" | "attribute"
                if ["globals()", "vars()", "sys.modules"]
                    .iter()
                    .any(|b| text[n.start_byte()..].starts_with(b)) =>
            {
                let object = n
                    .child_by_field_name("value")
                    .or_else(|| n.child_by_field_name("object"));
                let base = object.map(|o| &text[o.byte_range()]).unwrap_or("");
                if matches!(base, "globals()" | "vars()" | "sys.modules")
                    && parent.is_some_and(|p| written(p, n, text))
                {
                    self.unknowable = Some(format!("it writes to `{base}`"));
                }
            }
            _ => {}
        }
    }
}

/// Whether the word `global` at `at` may start a `global` statement: it is
/// followed by a blank and starts its line or follows a `:` or `;`
/// (conservative: strings and comments may pass too, never a real
/// statement fail).
fn global_statement_at(text: &str, at: usize) -> bool {
    let after = text[at + 6..].chars().next();
    let before = text[..at].trim_end_matches([' ', '\t', '\x0c']);
    matches!(after, Some(' ' | '\t' | '\\'))
        && (before.is_empty() || before.ends_with(['\n', '\r', ':', ';']))
}

/// Whether `n` (`globals()[…]`, `sys.modules.update`, …) is written by its parent `p`.
fn written(p: Node, n: Node, text: &str) -> bool {
    let is_target = p
        .child_by_field_name("left")
        .is_some_and(|l| l.id() == n.id());
    let mutating_call = p.kind() == "call"
        || (n.kind() == "attribute"
            && n.child_by_field_name("attribute")
                .is_some_and(|a| matches!(&text[a.byte_range()], "update" | "setdefault" | "pop")));
    is_target || p.kind() == "delete_statement" || mutating_call
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

/// Symbol tables of the run, built on demand from the files (or from the
/// in-memory text a fix round is working on) and cached by content. With a
/// store (the cache folder, see [`crate::store`]), the tables other modules
/// read are kept across runs by content digest: a run that checks one edited
/// file reads the tables of what it imports instead of parsing those modules.
#[derive(Debug, Default)]
pub struct SymbolTables {
    /// Tables of files as they are on disk (disk does not change during a
    /// check pass), by path: no read or hash per lookup.
    on_disk: RwLock<HashMap<String, OnDisk>>,
    /// Tables of texts a fix round is changing, by path and content.
    by_content: RwLock<HashMap<(String, u64), Arc<ModuleSymbols>>>,
    /// The project root and the folder of kept tables, if there is a store.
    store: Option<(PathBuf, PathBuf)>,
    /// Tables read by another module that the store does not hold yet.
    to_keep: Mutex<HashMap<u64, Arc<ModuleSymbols>>>,
    /// Files parsed for their table alone (not by a check).
    parses: std::sync::atomic::AtomicUsize,
}

#[derive(Debug, Clone)]
struct OnDisk {
    table: Arc<ModuleSymbols>,
    /// The digest of the file's text (0 when nobody needs it).
    hash: u64,
    /// Whether the store holds it.
    kept: bool,
}

impl SymbolTables {
    /// Tables of the project at `root`, kept in its cache folder when
    /// `store` is on (a `lint` with its cache on).
    pub fn new(root: &Path, store: bool) -> Self {
        Self {
            store: store.then(|| {
                (
                    root.to_path_buf(),
                    crate::store::build_folder(root).join("symbols"),
                )
            }),
            ..Default::default()
        }
    }

    /// How many files were parsed for their table alone (not by a check).
    pub fn parses(&self) -> usize {
        self.parses.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn parse(&self, text: &str) -> Option<Arc<ModuleSymbols>> {
        self.parses
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(Arc::new(ModuleSymbols::of(
            &Worker::new().parse(text)?,
            text,
        )))
    }

    fn kept_file(&self, hash: u64) -> Option<(&Path, PathBuf)> {
        let (root, folder) = self.store.as_ref()?;
        Some((root, folder.join(format!("{hash:016x}.json"))))
    }

    /// The table of the module at `rel` (project-relative), whose current
    /// text is `text` when given (a fix round's), else read from disk under `root`.
    /// `prefetch`, if given, is asked first for a module on disk whose table
    /// the run does not have yet. A read from disk is recorded into `deps`.
    pub fn get(
        &self,
        root: &std::path::Path,
        rel: &str,
        text: Option<&str>,
        prefetch: Option<&dyn Prefetch>,
        deps: Deps,
    ) -> Option<Arc<ModuleSymbols>> {
        let Some(text) = text else {
            return self.get_on_disk(root, rel, prefetch, deps);
        };
        let key = (rel.to_string(), crate::hash::digest(text.as_bytes()));
        if let Some(hit) = self
            .by_content
            .read()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return Some(hit);
        }
        let table = self.parse(text)?;
        if let Ok(mut c) = self.by_content.write() {
            c.insert(key, table.clone());
        }
        Some(table)
    }

    /// Produces the tables of the modules at `rels` (on disk) in parallel,
    /// unless the run has them or will check the module itself: an importer
    /// checked alone (a pre-commit run, an editor) would otherwise parse the
    /// modules it imports names from one after the other. Nothing is
    /// recorded: the lookups that read the tables record them.
    pub fn warm(&self, root: &Path, rels: &[&str], prefetch: Option<&dyn Prefetch>) {
        use rayon::prelude::*;
        let wanted: Vec<&str> = rels
            .iter()
            .copied()
            .filter(|rel| !prefetch.is_some_and(|p| p.will_check(rel)))
            .filter(|rel| self.on_disk.read().is_ok_and(|c| !c.contains_key(*rel)))
            .collect();
        if wanted.len() > 1 {
            wanted.par_iter().for_each(|rel| {
                self.get_on_disk(root, rel, None, Deps::NONE);
            });
        }
    }

    fn get_on_disk(
        &self,
        root: &Path,
        rel: &str,
        prefetch: Option<&dyn Prefetch>,
        deps: Deps,
    ) -> Option<Arc<ModuleSymbols>> {
        let path = root.join(rel);
        let recorded = || self.on_disk.read().ok().and_then(|c| c.get(rel).cloned());
        let mut hit = recorded();
        if hit.is_none()
            && let Some(p) = prefetch
        {
            p.prefetch(rel);
            hit = recorded();
        }
        if let Some(hit) = hit {
            deps.read(&path, Some(hit.hash));
            if !hit.kept {
                self.keep(hit.hash, &hit.table);
            }
            return Some(hit.table);
        }
        let Ok(text) = crate::source::read_body(&path) else {
            deps.read(&path, None);
            return None;
        };
        let hash = crate::hash::digest(text.as_bytes());
        deps.read(&path, Some(hash));
        let kept = self
            .kept_file(hash)
            .and_then(|(_, file)| crate::store::read::<ModuleSymbols>(&file));
        let (table, was_kept) = match kept {
            Some(t) => (Arc::new(t), true),
            None => {
                let t = self.parse(&text)?;
                self.keep(hash, &t);
                (t, false)
            }
        };
        if let Ok(mut c) = self.on_disk.write() {
            c.insert(
                rel.to_string(),
                OnDisk {
                    table: table.clone(),
                    hash,
                    kept: was_kept,
                },
            );
        }
        Some(table)
    }

    fn keep(&self, hash: u64, table: &Arc<ModuleSymbols>) {
        if self.store.is_some()
            && let Ok(mut k) = self.to_keep.lock()
        {
            k.entry(hash).or_insert_with(|| table.clone());
        }
    }

    /// Writes the tables this run read that the store did not hold.
    pub fn save(&self) {
        let Ok(mut to_keep) = self.to_keep.lock() else {
            return;
        };
        for (hash, table) in to_keep.drain() {
            if let Some((root, file)) = self.kept_file(hash)
                && !file.exists()
            {
                crate::store::write(root, &file, &*table);
            }
        }
        if let Ok(mut c) = self.on_disk.write() {
            for e in c.values_mut() {
                e.kept = true;
            }
        }
    }

    /// Records the table of a file the check pass parsed from disk anyway
    /// (so a module is not parsed again when another imports from it).
    /// `recording`: whether the pass records dependencies (its importers'
    /// records then need the file's digest).
    pub fn insert_on_disk(&self, rel: &str, text: &str, tree: &Tree, recording: bool) {
        if self.on_disk.read().is_ok_and(|c| c.contains_key(rel)) {
            return;
        }
        let table = Arc::new(ModuleSymbols::of(tree, text));
        // The digest is for the dependency record of importers (cache runs).
        let hash = if recording || self.store.is_some() {
            crate::hash::digest(text.as_bytes())
        } else {
            0
        };
        if let Ok(mut c) = self.on_disk.write() {
            c.insert(
                rel.to_string(),
                OnDisk {
                    table,
                    hash,
                    kept: false,
                },
            );
        }
    }

    /// Whether the module at `rel` binds or re-exports `name`, following star
    /// imports between repository modules (`texts` gives in-memory texts of
    /// files being fixed).
    #[allow(clippy::too_many_arguments)]
    pub fn exports<'t>(
        &self,
        resolver: &Resolver,
        texts: &dyn Fn(&str) -> Option<&'t str>,
        rel: &str,
        name: &str,
        seen: &mut Vec<String>,
        prefetch: Option<&dyn Prefetch>,
        deps: Deps,
    ) -> Export {
        self.lookup(resolver, texts, rel, name, seen, prefetch, deps)
            .map_or(Export::Unknowable, |found| {
                if found {
                    Export::Defined
                } else {
                    Export::Missing
                }
            })
    }

    /// `exports`, with `None` for a module on the way whose names cannot be
    /// known (unknowable or unparseable).
    #[allow(clippy::too_many_arguments)]
    fn lookup<'t>(
        &self,
        resolver: &Resolver,
        texts: &dyn Fn(&str) -> Option<&'t str>,
        rel: &str,
        name: &str,
        seen: &mut Vec<String>,
        prefetch: Option<&dyn Prefetch>,
        deps: Deps,
    ) -> Option<bool> {
        if seen.iter().any(|s| s == rel) {
            return Some(false); // a cycle adds nothing new
        }
        seen.push(rel.to_string());
        let table = self.get(resolver.root(), rel, texts(rel), prefetch, deps)?;
        if table.is_unknowable() || table.has_errors {
            return None;
        }
        if table.names.contains(name) {
            return Some(true);
        }
        for (star, level) in &table.star_imports {
            let absolute = resolver.absolute(rel, star, *level, None).ok()?;
            let target = resolver.resolve_in(&absolute, deps)?;
            let inner = self.get(
                resolver.root(),
                &target.rel,
                texts(&target.rel),
                prefetch,
                deps,
            )?;
            let public = match &inner.all {
                Some(all) if all.complete => all.names.iter().any(|n| n == name),
                Some(_) => return None, // a computed `__all__`
                None => !name.starts_with('_'),
            };
            if public && self.lookup(resolver, texts, &target.rel, name, seen, prefetch, deps)? {
                return Some(true);
            }
        }
        Some(false)
    }
}

/// What can produce a module's table the way the run would anyway: a lint
/// run that is going to check the module checks it now, recording its table
/// from that check's parse, so that no module is parsed twice.
pub trait Prefetch: Sync {
    /// Produces the table of the module at `rel` (project-relative) if it
    /// can, by [`SymbolTables::insert_on_disk`]; does nothing otherwise.
    fn prefetch(&self, rel: &str);
    /// Whether the run checks the module at `rel` itself (its table then
    /// comes from that check's parse: [`SymbolTables::warm`] leaves it).
    fn will_check(&self, rel: &str) -> bool;
}

/// What a module's symbol table says of one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// The module binds or re-exports it.
    Defined,
    /// The module certainly lacks it.
    Missing,
    /// It cannot be known (`__getattr__`, a computed `__all__`, a syntax
    /// error, … on the way).
    Unknowable,
}

#[cfg(test)]
mod tests {
    use super::*;

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
