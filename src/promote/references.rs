//! The references to a module that a move must rewrite, in one file:
//! `import`/`from` statements (absolute and relative), literal dynamic
//! imports, string arguments of calls such as `mock.patch`, attribute chains
//! through a bound parent, and the old parent's `__all__` entry (SPEC §4.8).

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::imports::resolve::Resolver;
use crate::imports::{ImportKind, ImportSite};
use crate::parse::bindings::Bindings;

/// A module moving from `src` to `dst` (absolute dotted names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// Where it is.
    pub src: String,
    /// Where it goes.
    pub dst: String,
}

impl Rename {
    /// `name` after the move, if it is `src` or inside it.
    pub fn apply(&self, name: &str) -> Option<String> {
        let rest = name.strip_prefix(self.src.as_str())?;
        (rest.is_empty() || rest.starts_with('.')).then(|| format!("{}{rest}", self.dst))
    }

    /// Whether `name` is `src` or inside it.
    pub fn covers(&self, name: &str) -> bool {
        self.apply(name).is_some()
    }

    fn split(name: &str) -> (&str, &str) {
        name.rsplit_once('.').unwrap_or(("", name))
    }
}

/// What kind of reference a rewrite changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    /// `import a.b`.
    Import,
    /// `from a.b import c` (absolute or relative).
    From,
    /// A relative import of the moved code that reaches outside it (made absolute).
    Relative,
    /// `importlib.import_module("a.b")`, `__import__("a.b")`.
    Dynamic,
    /// A string argument of a call such as `mock.patch("a.b.f")`.
    String,
    /// `a.b.f()` through `import a.b`.
    Attribute,
    /// An entry of the old parent's `__all__`.
    All,
    /// An import added so that a rewritten attribute chain has its name.
    AddedImport,
}

/// One change to a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rewrite {
    /// What it changes.
    pub kind: RefKind,
    /// Byte range replaced.
    #[serde(skip)]
    pub range: Range<usize>,
    /// 1-based line.
    pub line: usize,
    /// The text replaced.
    pub before: String,
    /// The new text.
    pub after: String,
}

/// What the scan of one file needs to know.
pub struct Scan<'a> {
    /// The move.
    pub rename: &'a Rename,
    /// Module resolution of the project.
    pub resolver: &'a Resolver,
    /// The file's project-relative path (where it is now).
    pub rel: &'a str,
    /// Whether the file moves with the module.
    pub moved: bool,
    /// Whether the file is the `__init__` of the module's parent package.
    pub parent_init: bool,
    /// Qualified names of calls whose first string argument names a module.
    pub string_calls: &'a [String],
}

impl Scan<'_> {
    /// The rewrites `text` needs (non-overlapping, in file order).
    pub fn rewrites(&self, text: &str, tree: &Tree, sites: &[ImportSite]) -> Vec<Rewrite> {
        let mut out = Vec::new();
        let at = |range: Range<usize>, kind: RefKind, after: String| Rewrite {
            kind,
            line: text[..range.start].matches('\n').count() + 1,
            before: text[range.clone()].to_string(),
            range,
            after,
        };
        for site in sites {
            match site.kind {
                ImportKind::Import => {
                    if let Some(new) = self.rename.apply(&site.module) {
                        out.push(at(site.module_range.clone(), RefKind::Import, new));
                    }
                }
                ImportKind::From => self.rewrite_from_import(text, tree, site, &at, &mut out),
                ImportKind::Dynamic if site.level == 0 => {
                    if let Some(new) = self.rename.apply(&site.module) {
                        out.push(at(site.module_range.clone(), RefKind::Dynamic, new));
                    }
                }
                _ => {}
            }
        }
        self.strings_and_chains(text, tree, sites, &at, &mut out);
        if self.parent_init {
            self.all_entry(text, tree, &at, &mut out);
        }
        out.sort_by_key(|r| (r.range.start, r.range.end));
        // One rewrite per place (an insertion may share its start).
        out.dedup_by(|b, a| !a.range.is_empty() && a.range.end > b.range.start);
        out
    }

    fn rewrite_from_import(
        &self,
        text: &str,
        tree: &Tree,
        site: &ImportSite,
        at: &dyn Fn(Range<usize>, RefKind, String) -> Rewrite,
        out: &mut Vec<Rewrite>,
    ) {
        let Ok(abs) = self
            .resolver
            .absolute(self.rel, &site.module, site.level, None)
        else {
            return;
        };
        let Some(stmt) = tree
            .root_node()
            .descendant_for_byte_range(site.range.start, site.range.end)
            .filter(|n| n.kind() == "import_from_statement")
        else {
            return;
        };
        let Some(module_node) = stmt.child_by_field_name("module_name") else {
            return;
        };
        // A relative import between files that move together stays valid.
        if self.moved && site.level > 0 && self.rename.covers(&abs) {
            return;
        }
        if let Some(new) = self.rename.apply(&abs) {
            out.push(at(module_node.byte_range(), RefKind::From, new));
            return;
        }
        let (parent, last) = Rename::split(&self.rename.src);
        if abs == parent && site.names.iter().any(|n| n.name == last) {
            if let Some(r) = self.split_from(text, stmt, module_node) {
                out.push(at(stmt.byte_range(), RefKind::From, r));
            }
            return;
        }
        if self.moved && site.level > 0 && !abs.is_empty() {
            out.push(at(module_node.byte_range(), RefKind::Relative, abs));
        }
    }

    /// `from parent import src_name, other` → the moved name from its new
    /// parent (bound to the same local name), the others as before.
    fn split_from(&self, text: &str, stmt: Node, module_node: Node) -> Option<String> {
        let (_, last) = Rename::split(&self.rename.src);
        let (dst_parent, dst_last) = Rename::split(&self.rename.dst);
        let mut others = Vec::new();
        let mut binding = None;
        let mut c = stmt.walk();
        for name in stmt.children_by_field_name("name", &mut c) {
            let (imported, alias) = match name.kind() {
                "aliased_import" => (
                    name.child_by_field_name("name")?,
                    name.child_by_field_name("alias"),
                ),
                _ => (name, None),
            };
            let imported_text = &text[imported.byte_range()];
            let alias_text = alias.map(|a| &text[a.byte_range()]);
            if imported_text == last {
                binding = Some(alias_text.unwrap_or(last).to_string());
            } else {
                others.push(match alias_text {
                    Some(a) => format!("{imported_text} as {a}"),
                    None => imported_text.to_string(),
                });
            }
        }
        let binding = binding?;
        let moved = if dst_parent.is_empty() {
            format!("import {} as {binding}", self.rename.dst)
        } else if binding == dst_last {
            format!("from {dst_parent} import {dst_last}")
        } else {
            format!("from {dst_parent} import {dst_last} as {binding}")
        };
        if others.is_empty() {
            return Some(moved);
        }
        let line_start = text[..stmt.start_byte()]
            .rfind(['\n', '\r'])
            .map_or(0, |n| n + 1);
        let indent: String = text[line_start..stmt.start_byte()]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        Some(format!(
            "from {} import {}\n{indent}{moved}",
            &text[module_node.byte_range()],
            others.join(", ")
        ))
    }

    /// Strings of the module-string calls, and attribute chains that reach
    /// the module through a bound parent (`import a.b` … `a.b.src.f()`,
    /// `import a as x` … `x.b.src`).
    fn strings_and_chains(
        &self,
        text: &str,
        tree: &Tree,
        sites: &[ImportSite],
        at: &dyn Fn(Range<usize>, RefKind, String) -> Rewrite,
        out: &mut Vec<Rewrite>,
    ) {
        let mut bindings = Bindings::default();
        let root = tree.root_node();
        let mut c = root.walk();
        for stmt in root.named_children(&mut c) {
            bindings.record(stmt, text);
        }
        let mut chained = false;
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "call" if !self.string_calls.is_empty() => {
                    if let Some(r) = self.string_argument(text, node, &bindings) {
                        out.push(at(r.0, RefKind::String, r.1));
                    }
                }
                "attribute" => {
                    if let Some((new, needs_import)) = self.chain(text, node, &bindings) {
                        out.push(at(node.byte_range(), RefKind::Attribute, new));
                        chained |= needs_import;
                        continue;
                    }
                }
                _ => {}
            }
            let mut c = node.walk();
            stack.extend(node.named_children(&mut c));
        }
        // A chain rewritten to the full new name needs its first name bound.
        let dst_top = self.rename.dst.split('.').next().unwrap_or_default();
        let bound = sites.iter().any(|s| {
            s.kind == ImportKind::Import
                && s.binds.is_some()
                && self
                    .rename
                    .apply(&s.module)
                    .unwrap_or_else(|| s.module.clone())
                    .split('.')
                    .next()
                    == Some(dst_top)
        });
        if chained && !bound {
            let insert_at = crate::symbols::ModuleSymbols::of(tree, text).import_insert_at;
            out.push(at(
                insert_at..insert_at,
                RefKind::AddedImport,
                format!("import {}\n", self.rename.dst),
            ));
        }
    }

    /// The new text of an attribute chain that names the module through an
    /// imported name, and whether it is the full new name (which then needs
    /// an import): `x.b.src` → `x.b.dst` when the name `x` stays a parent of
    /// the destination, else `dst`.
    fn chain(&self, text: &str, node: Node, bindings: &Bindings) -> Option<(String, bool)> {
        let chain = dotted_chain(node, text)?;
        let qualified = bindings.qualified(node, text)?.join(".");
        if qualified != self.rename.src {
            return None;
        }
        let root_name = chain.split('.').next()?;
        let mut root = node;
        while root.kind() == "attribute" {
            root = root.child_by_field_name("object")?;
        }
        let bound_to = bindings.qualified(root, text)?.join(".");
        match self.rename.dst.strip_prefix(&format!("{bound_to}.")) {
            Some(rest) => Some((format!("{root_name}.{rest}"), false)),
            None => Some((self.rename.dst.clone(), true)),
        }
    }

    /// The rewrite of a module-string call's first argument, if it names
    /// the moved module: (content range, new content).
    fn string_argument(
        &self,
        text: &str,
        call: Node,
        bindings: &Bindings,
    ) -> Option<(Range<usize>, String)> {
        let function = call.child_by_field_name("function")?;
        let name = bindings
            .qualified(function, text)
            .map(|q| q.join("."))
            .unwrap_or_else(|| text[function.byte_range()].to_string());
        if !self.string_calls.contains(&name) {
            return None;
        }
        let args = call.child_by_field_name("arguments")?;
        let first = args.named_child(0)?;
        if first.kind() != "string" || first.named_child_count() != 3 {
            return None; // not a plain literal (an f-string, escapes, …)
        }
        let content = first
            .named_child(1)
            .filter(|n| n.kind() == "string_content")?;
        let new = self.rename.apply(&text[content.byte_range()])?;
        Some((content.byte_range(), new))
    }

    /// The old parent's `__all__ = [..., "src", ...]` entry, removed.
    fn all_entry(
        &self,
        text: &str,
        tree: &Tree,
        at: &dyn Fn(Range<usize>, RefKind, String) -> Rewrite,
        out: &mut Vec<Rewrite>,
    ) {
        let (_, last) = Rename::split(&self.rename.src);
        let root = tree.root_node();
        let mut c = root.walk();
        for stmt in root.named_children(&mut c) {
            let Some(assign) = stmt.named_child(0).filter(|n| n.kind() == "assignment") else {
                continue;
            };
            let (Some(left), Some(right)) = (
                assign.child_by_field_name("left"),
                assign.child_by_field_name("right"),
            ) else {
                continue;
            };
            if &text[left.byte_range()] != "__all__" || !matches!(right.kind(), "list" | "tuple") {
                continue;
            }
            let mut c = right.walk();
            let items: Vec<Node> = right.children(&mut c).collect();
            for (i, item) in items.iter().enumerate() {
                let value = &text[item.byte_range()];
                if item.kind() != "string" || value.trim_matches(['"', '\'']) != last {
                    continue;
                }
                // The entry and the comma after it; a last entry leaves the
                // comma before it (so a one-entry tuple stays a tuple).
                let range = match items.get(i + 1).filter(|n| n.kind() == ",") {
                    Some(comma) => {
                        let next = items
                            .get(i + 2)
                            .map_or(comma.end_byte(), |n| n.start_byte());
                        item.start_byte()..next
                    }
                    None => item.byte_range(),
                };
                out.push(at(range, RefKind::All, String::new()));
            }
        }
    }
}

/// `a.b.c` for an attribute chain of plain names, else `None`.
fn dotted_chain(node: Node, text: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut n = node;
    loop {
        match n.kind() {
            "attribute" => {
                parts.push(&text[n.child_by_field_name("attribute")?.byte_range()]);
                n = n.child_by_field_name("object")?;
            }
            "identifier" => {
                parts.push(&text[n.byte_range()]);
                break;
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(rel: &str, moved: bool, parent_init: bool, code: &str) -> String {
        let rename = Rename {
            src: "candidate.x".into(),
            dst: "core.x".into(),
        };
        let resolver = Resolver::new(
            std::path::Path::new("/nonexistent"),
            &[std::path::PathBuf::from("/nonexistent")],
        );
        let calls: Vec<String> = ["unittest.mock.patch", "mock.patch", "patch"]
            .map(String::from)
            .to_vec();
        let scan = Scan {
            rename: &rename,
            resolver: &resolver,
            rel,
            moved,
            parent_init,
            string_calls: &calls,
        };
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        let dynamic: Vec<String> = crate::imports::DEFAULT_DYNAMIC_CALLS
            .iter()
            .map(|s| s.to_string())
            .collect();
        let sites = crate::imports::extract(&tree, code, &dynamic);
        let rewrites = scan.rewrites(code, &tree, &sites);
        let edits: Vec<(Range<usize>, &str)> = rewrites
            .iter()
            .map(|r| (r.range.clone(), r.after.as_str()))
            .collect();
        crate::fix::apply_edits(code, &edits)
    }

    #[test]
    fn imports_of_every_form() {
        assert_eq!(
            rewrite(
                "app.py",
                false,
                false,
                "import candidate.x\nimport candidate.x.sub as s\nfrom candidate.x import f\nfrom candidate import x, y as z\nfrom candidate import x as cx\nimport candidate.other\n"
            ),
            "import core.x\nimport core.x.sub as s\nfrom core.x import f\nfrom candidate import y as z\nfrom core import x\nfrom core import x as cx\nimport candidate.other\n"
        );
    }

    #[test]
    fn relative_imports_outside_and_inside_the_moved_package() {
        // A sibling of the module imports it relatively: made absolute.
        assert_eq!(
            rewrite(
                "candidate/y.py",
                false,
                false,
                "from .x import f\nfrom . import x\nfrom . import y\n"
            ),
            "from core.x import f\nfrom core import x\nfrom . import y\n"
        );
        // Inside the moved package: internal relative imports stay, those
        // reaching out become absolute.
        assert_eq!(
            rewrite(
                "candidate/x/a.py",
                true,
                false,
                "from .b import g\nfrom ..y import h\nfrom candidate.x.b import g2\n"
            ),
            "from .b import g\nfrom candidate.y import h\nfrom core.x.b import g2\n"
        );
    }

    #[test]
    fn dynamic_strings_chains_and_all() {
        let code = "import candidate.x\nimport importlib\nfrom unittest import mock\n\n\
                    importlib.import_module(\"candidate.x.sub\")\n\
                    mock.patch(\"candidate.x.f\")\n\
                    candidate.x.f(candidate.xy)\n\
                    print(\"candidate.x.f\")\n";
        assert_eq!(
            rewrite("t.py", false, false, code),
            "import core.x\nimport importlib\nfrom unittest import mock\n\n\
             importlib.import_module(\"core.x.sub\")\n\
             mock.patch(\"core.x.f\")\n\
             core.x.f(candidate.xy)\n\
             print(\"candidate.x.f\")\n"
        );
        // Through an alias of a parent that stays a parent.
        assert_eq!(
            rewrite(
                "t.py",
                false,
                false,
                "import candidate as c\nc.x.f()\nc.y.g()\n"
            ),
            "import candidate as c\nimport core.x\ncore.x.f()\nc.y.g()\n"
        );
        // A chain whose new first name no import binds gets its import.
        assert_eq!(
            rewrite(
                "t.py",
                false,
                false,
                "import candidate\nimport candidate.y\ncandidate.x.f()\n"
            ),
            "import candidate\nimport candidate.y\nimport core.x\ncore.x.f()\n"
        );
        assert_eq!(
            rewrite(
                "candidate/__init__.py",
                false,
                true,
                "from . import x, y\n__all__ = [\"x\", \"y\"]\n__all__ = (\"y\", \"x\")\n"
            ),
            "from . import y\nfrom core import x\n__all__ = [\"y\"]\n__all__ = (\"y\", )\n"
        );
    }
}
