//! What the E402 hoist asks of names, answered by a name model (SPEC
//! §3.2: one model under every rewrite): the names an import binds, the
//! module-level names a statement it would jump reads or binds, and whether
//! a statement binds a module-level name at all. The model is the file's
//! full one when a rule built it, else one focused on the names the late
//! imports bind (all the hoist reads of it); whether a statement binds any
//! module-level name is then asked of a model of that statement alone.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use crate::names::{BindingKind, NameModel, import_bindings, is_star_import};

/// The module-level names of one file, looked up by statement.
pub struct ModuleNames<'a> {
    model: &'a NameModel,
    text: &'a str,
    /// Whether `model` is focused (it knows only some names).
    focused: bool,
    /// The module scope's bindings (after `global` moved them there):
    /// where each is spelled, its name and whether an import makes it,
    /// sorted by where it is spelled.
    bindings: Vec<(Range<usize>, &'a str, bool)>,
}

/// The names the import statements among `stmts` bind: the words a model
/// for the hoist must be focused on.
pub fn imported_names<'t>(stmts: impl Iterator<Item = Node<'t>>, text: &str) -> Vec<String> {
    let mut out: Vec<String> = stmts
        .filter(|s| !is_star_import(*s))
        .flat_map(|s| import_bindings(s, text))
        .map(|(name, ..)| name)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn module_bindings<'a>(model: &'a NameModel) -> Vec<(Range<usize>, &'a str, bool)> {
    let mut bindings: Vec<(Range<usize>, &'a str, bool)> = model
        .bindings()
        .iter()
        .filter(|b| b.scope == 0)
        .map(|b| {
            let import = matches!(b.kind, BindingKind::Import(_));
            (b.range.clone(), b.name.as_str(), import)
        })
        .collect();
    bindings.sort_by_key(|(r, ..)| r.start);
    bindings
}

impl<'a> ModuleNames<'a> {
    /// The module-level names of the file `model` was built from: its full
    /// model, or (`focused`) one focused on the names the late imports bind
    /// ([`imported_names`]).
    pub fn new(model: &'a NameModel, text: &'a str, focused: bool) -> Self {
        Self {
            model,
            text,
            focused,
            bindings: module_bindings(model),
        }
    }

    /// The module bindings spelled inside `stmt`.
    fn bindings_in(&self, stmt: Node) -> &[(Range<usize>, &'a str, bool)] {
        let from = self
            .bindings
            .partition_point(|(r, ..)| r.start < stmt.start_byte());
        let to = self
            .bindings
            .partition_point(|(r, ..)| r.start < stmt.end_byte());
        &self.bindings[from..to]
    }

    /// The names an import statement binds (`import a.b` binds `a`);
    /// `None` for a star import, which binds names no one can see.
    pub fn bound_by_import(&self, stmt: Node) -> Option<Vec<&'a str>> {
        if is_star_import(stmt) {
            return None;
        }
        let names: Vec<&'a str> = self
            .bindings_in(stmt)
            .iter()
            .filter(|(.., import)| *import)
            .map(|(_, name, _)| *name)
            .collect();
        (!names.is_empty()).then_some(names)
    }

    /// Adds to `seen` the names of `wanted` that `stmt` reads as module
    /// names (a reference that resolves to the module scope, or to no scope:
    /// a builtin, or unbound) or binds in the module scope. A local or a
    /// parameter of that name, an attribute or a keyword is another name.
    pub fn note(&self, stmt: Node, wanted: &HashSet<&str>, seen: &mut HashSet<&'a str>) {
        let refs = self.model.references();
        let from = refs.partition_point(|r| r.range.start < stmt.start_byte());
        for r in refs[from..]
            .iter()
            .take_while(|r| r.range.start < stmt.end_byte())
        {
            let name = &self.text[r.range.clone()];
            if r.resolved.is_none_or(|s| s == 0) && wanted.contains(name) {
                seen.insert(name);
            }
        }
        for (_, name, _) in self.bindings_in(stmt) {
            if wanted.contains(name) {
                seen.insert(name);
            }
        }
    }

    /// Whether a statement the judgement may jump binds a module-level
    /// name (what a module importing this one back could read). An `if
    /// TYPE_CHECKING:` block, the only jumpable `if`, runs nothing: the
    /// imports in it bind nothing at run time.
    pub fn binds(&self, stmt: Node) -> bool {
        if stmt.kind() == "if_statement" {
            return false;
        }
        if !self.focused {
            return !self.bindings_in(stmt).is_empty();
        }
        // A definition binds its name; else a model of the statement alone.
        matches!(
            stmt.kind(),
            "function_definition" | "class_definition" | "decorated_definition"
        ) || NameModel::of_statement(stmt, self.text)
            .bindings()
            .iter()
            .any(|b| b.scope == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_names(code: &str, check: impl Fn(&ModuleNames, Vec<Node>)) {
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        let root = tree.root_node();
        let stmts: Vec<Node> = root.named_children(&mut root.walk()).collect();
        let model = NameModel::build(&tree, code);
        check(&ModuleNames::new(&model, code, false), stmts.clone());
        // A model focused on the names the imports bind (and the one the
        // tests ask about) answers the same.
        let mut words = imported_names(stmts.iter().copied(), code);
        words.push("json".to_string());
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let focused = NameModel::focused(&tree, code, &words);
        check(&ModuleNames::new(&focused, code, true), stmts);
    }

    #[test]
    fn imports_bind_their_top_name_or_alias() {
        with_names(
            "import a.b, c as d\nfrom . import views\nfrom m import *\n",
            |n, s| {
                assert_eq!(n.bound_by_import(s[0]), Some(vec!["a", "d"]));
                assert_eq!(n.bound_by_import(s[1]), Some(vec!["views"]));
                assert_eq!(n.bound_by_import(s[2]), None);
            },
        );
    }

    /// Only the module's `json` counts: not a parameter, a local, an
    /// attribute, a keyword or a class attribute of that name.
    #[test]
    fn only_module_names_are_noted() {
        let wanted: HashSet<&str> = ["json"].into();
        let code = "def f(json):\n    return json\n\
                    def g():\n    json = 1\n    return x.json\n\
                    class C:\n    json = 1\n\
                    def h(x=json):\n    pass\n\
                    def k():\n    global json\n    json = 2\n\
                    json = None\n";
        with_names(code, |n, s| {
            let noted = |i: usize| {
                let mut seen = HashSet::new();
                n.note(s[i], &wanted, &mut seen);
                !seen.is_empty()
            };
            assert_eq!(
                (0..s.len()).map(noted).collect::<Vec<_>>(),
                [false, false, false, true, true, true]
            );
            assert!(n.binds(s[0]) && n.binds(s[2]) && n.binds(s[5]));
        });
        with_names(
            "pass\n'''doc'''\nx\nif TYPE_CHECKING:\n    import a\nX: int\n",
            |n, s| {
                let binds: Vec<bool> = s.iter().map(|s| n.binds(*s)).collect();
                assert_eq!(binds, [false, false, false, false, true]);
            },
        );
    }
}
