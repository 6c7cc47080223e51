//! An index of every first-party module's names (SPEC §4.7, "Bridges and
//! stubs carry the real code"): which modules exist, what each binds, and
//! which modules define a name themselves. STUB001 and STUB003 fixes ask it
//! where a missing name really lives, so that they forward to it instead of
//! writing a placeholder.
//!
//! It costs no parse up front: it reads the project's files once, when the
//! first finding asks, and keeps of each text only the names it may define
//! at column 0 (`def N`, `class N`, `N = …`: a scan of the lines that start
//! at column 0, not the text itself). "Who defines `N`" is then answered
//! per name, once: only the symbol tables of the files that may define it
//! judge (so a lint pass that asks mid-way does not parse the project
//! twice). Keeping the names, not the texts, saves the memory of the whole
//! project's text and a search of all of it per name asked. A definition nested in a top-level block (`try:`, `if os.name`)
//! is therefore not found; definitions under `TYPE_CHECKING` or a version
//! test never count. Test modules and the bridges rulegate made are not
//! places a name "lives": forwarding to a test helper, or to a fallback,
//! would hide the real code.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::{ModuleSymbols, SymbolTables};
use crate::deps::Deps;
use crate::imports::resolve::Resolver;

/// Every first-party module's names.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// Dotted module name → its file (a package wins over a module file).
    modules: BTreeMap<String, String>,
    /// The indexed files' (path, module).
    files: Vec<(String, String)>,
    /// Name → the indexed files (by index) that may define it at column 0.
    column0: HashMap<String, Vec<usize>>,
    /// Name → the modules that define it themselves, sorted (memo).
    defined_in: Mutex<HashMap<String, Arc<Vec<String>>>>,
}

/// Whether a project file is a test module or pytest's `conftest.py`.
fn is_test_file(rel: &str) -> bool {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let stem = file.trim_end_matches(".pyi").trim_end_matches(".py");
    rel.split('/').any(|seg| seg == "tests" || seg == "test")
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem == "conftest"
}

/// The names `text` may define at column 0 (`def`, `class`, an
/// assignment target): a cheap filter, the symbol table judges. A name is
/// one when a line that starts at column 0 holds it as a whole word after
/// `def`, `async def` or `class`, or after nothing but names, commas and
/// spaces with an `=` (not `==`) later on the line.
fn column0_names(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .filter(|line| !line.starts_with([' ', '\t']))
        .flat_map(move |line| {
            let mut names = Vec::new();
            let mut start: Option<usize> = None;
            // Whether the line so far is names, commas and spaces (no tab).
            let mut plain = true;
            for (i, c) in line
                .char_indices()
                .chain(std::iter::once((line.len(), ' ')))
            {
                if is_word(c) {
                    start.get_or_insert(i);
                    continue;
                }
                if let Some(at) = start.take() {
                    let before = &line[..at];
                    let rest = &line[at..];
                    if matches!(before.trim_end(), "def" | "async def" | "class")
                        || plain && rest.contains('=') && !rest.contains("==")
                    {
                        names.push(&line[at..i]);
                    }
                }
                match c {
                    ',' | ' ' => {}
                    // Still after `def` (`def\tf`), no longer a target list.
                    c if c.is_whitespace() => plain = false,
                    // Nothing after this can follow `def` or be a target.
                    _ => break,
                }
            }
            names
        })
}

/// Whether `c` may be part of a Python identifier (XID_Continue: `·`
/// and combining marks are, though not alphanumeric).
fn is_word(c: char) -> bool {
    // ASCII first: XID_Continue's ASCII letters are exactly these.
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        unicode_ident::is_xid_continue(c)
    }
}

/// Whether `text` may define `name` at column 0 (the definition of
/// [`column0_names`], a search per name).
#[cfg(test)]
fn may_define(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, name.as_bytes()).any(|at| {
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        let before = &text[line_start..at];
        let after = text[at + name.len()..].chars().next();
        let word_end = !after.is_some_and(is_word);
        let word_start = !before.chars().next_back().is_some_and(is_word);
        word_end
            && word_start
            && !before.starts_with([' ', '\t'])
            && (matches!(before.trim_end(), "def" | "async def" | "class")
                || before
                    .chars()
                    .all(|c| is_word(c) || c == ',' || c == ' ' || c == '(')
                    && text[at..].lines().next().is_some_and(|l| {
                        l.contains('=') && !l.contains("==") && !before.contains('(')
                    }))
    })
}

impl NameIndex {
    /// Indexes the project files `files` (project-relative paths): their
    /// module names and texts (read in parallel; unreadable files are left
    /// out).
    pub fn build(
        resolver: &Resolver,
        files: &[String],
        prefetch: Option<&dyn super::Prefetch>,
    ) -> Self {
        use rayon::prelude::*;
        // Each text is read, scanned and dropped in parallel: the index
        // keeps names, not texts.
        let read: Vec<(String, String, Option<Vec<String>>)> = files
            .par_iter()
            .filter(|rel| rel.ends_with(".py"))
            .filter_map(|rel| {
                let (module, _) = resolver.module_of(rel);
                if module.is_empty() {
                    return None;
                }
                let path = resolver.root().join(rel);
                // Test modules are not places a name lives: read only to
                // know they are readable (as their importers would), not
                // scanned, and their bytes not kept for their checks (a
                // project's tests would be held in memory until then).
                if is_test_file(rel) {
                    crate::source::read_body(&path).ok()?;
                    return Some((rel.clone(), module, None));
                }
                let text = match prefetch {
                    Some(p) => p.read_body(rel, &path),
                    None => crate::source::read_body(&path),
                };
                let text = text.ok()?;
                let names = column0_names(&text).map(str::to_string).collect();
                Some((rel.clone(), module, Some(names)))
            })
            .collect();
        let mut modules = BTreeMap::new();
        for (rel, module, _) in &read {
            // A module file and a package of one name: Python loads the package.
            match modules.get(module).map(String::as_str) {
                Some(old) if old.ends_with("__init__.py") => {}
                _ => {
                    modules.insert(module.clone(), rel.clone());
                }
            }
        }
        let mut files = Vec::new();
        let mut column0: HashMap<String, Vec<usize>> = HashMap::new();
        for (rel, module, names) in read {
            // Test modules are not places a name lives.
            let Some(names) = names else { continue };
            let i = files.len();
            for name in names {
                let at = column0.entry(name).or_default();
                if at.last() != Some(&i) {
                    at.push(i);
                }
            }
            files.push((rel, module));
        }
        NameIndex {
            modules,
            files,
            column0,
            defined_in: Mutex::default(),
        }
    }

    /// The modules that define `name` themselves (not by importing it),
    /// judged by their symbol tables in `tables`.
    pub fn definers(
        &self,
        name: &str,
        resolver: &Resolver,
        tables: &SymbolTables,
    ) -> Arc<Vec<String>> {
        if let Some(hit) = self
            .defined_in
            .lock()
            .ok()
            .and_then(|m| m.get(name).cloned())
        {
            return hit;
        }
        let mut found: Vec<String> = self
            .column0
            .get(name)
            .into_iter()
            .flatten()
            .map(|&i| &self.files[i])
            .filter(|(rel, _)| {
                tables
                    .get(resolver.root(), rel, None, None, Deps::NONE)
                    .is_some_and(|t| usable(&t) && t.defs.contains(name))
            })
            .map(|(_, module)| module.clone())
            .collect();
        found.sort();
        found.dedup();
        let found = Arc::new(found);
        if let Ok(mut m) = self.defined_in.lock() {
            m.insert(name.to_string(), found.clone());
        }
        found
    }

    /// The file of a module, if the index has it.
    pub fn module_file(&self, dotted: &str) -> Option<&str> {
        self.modules.get(dotted).map(String::as_str)
    }

    /// The table of a module that is a place names live (not a bridge,
    /// parses), if the index has it.
    pub fn module_table(
        &self,
        dotted: &str,
        resolver: &Resolver,
        tables: &SymbolTables,
    ) -> Option<Arc<ModuleSymbols>> {
        let rel = self.module_file(dotted)?;
        let table = tables.get(resolver.root(), rel, None, None, Deps::NONE)?;
        usable(&table).then_some(table)
    }

    /// The modules with the same dotted tail as `module` in another root:
    /// `X.lukhas.a.b` for `lukhas.a.b` (the whole name under another
    /// package) and, when `lukhas` is one of `roots` (the lanes' top-level
    /// packages, which mirror each other), `candidate.a.b` for another of
    /// them. Longest shared tail first, then by name.
    pub fn same_tail(&self, module: &str, roots: &[String]) -> Vec<String> {
        let (top, rest) = module.split_once('.').unwrap_or((module, ""));
        let mirrored = roots.iter().any(|r| r == top) && !rest.is_empty();
        let mut found: Vec<(usize, String)> = self
            .modules
            .iter()
            .filter(|(m, rel)| m.as_str() != module && !is_test_file(rel))
            .filter_map(|(m, _)| {
                if m.ends_with(&format!(".{module}")) {
                    return Some((0, m.clone()));
                }
                let (other_top, other_rest) = m.split_once('.')?;
                (mirrored && other_rest == rest && roots.iter().any(|r| r == other_top))
                    .then(|| (1, m.clone()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, m)| m).collect()
    }
}

/// Whether a module's table is a place names really live: it parses and is
/// not a bridge rulegate made (whose names are fallbacks).
fn usable(t: &ModuleSymbols) -> bool {
    !t.has_errors && t.bridge_stubs_end.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(files: &[(&str, &str)]) -> (tempfile::TempDir, NameIndex, Resolver, SymbolTables) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let resolver = Resolver::new(dir.path(), &[dir.path().to_path_buf()]);
        let tables = SymbolTables::new(
            dir.path(),
            false,
            crate::parse::compat::PythonVersion::DEFAULT,
        );
        let rels: Vec<String> = files.iter().map(|(r, _)| r.to_string()).collect();
        let idx = NameIndex::build(&resolver, &rels, None);
        (dir, idx, resolver, tables)
    }

    #[test]
    fn definitions_not_imports_tests_or_bridges() {
        let (_d, idx, r, t) = index(&[
            (
                "candidate/router.py",
                "class AIProvider: pass\nfrom os import path\n",
            ),
            (
                "lukhas/reexport.py",
                "from candidate.router import AIProvider\nAssigned, Other = 1, 2\nf(NotAssigned=1)\nNotAssigned == 2\ndef g():\n    NotAssigned = 3\n",
            ),
            ("tests/test_x.py", "class AIProvider: pass\n"),
            (
                "lukhas/typed.py",
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    class Hidden: pass\n",
            ),
            (
                "lukhas/made.py",
                "class Made: pass\n# rulegate: end of fallback stubs\n",
            ),
        ]);
        let defs = |n: &str| idx.definers(n, &r, &t).as_ref().clone();
        assert_eq!(defs("AIProvider"), ["candidate.router"]);
        assert!(defs("path").is_empty());
        assert!(defs("Hidden").is_empty(), "TYPE_CHECKING-only");
        assert!(defs("Made").is_empty(), "a bridge's fallbacks");
        assert_eq!(defs("Assigned"), ["lukhas.reexport"]);
        assert!(
            defs("NotAssigned").is_empty(),
            "a keyword argument, a comparison"
        );
        assert!(idx.module_table("lukhas.reexport", &r, &t).is_some());
        assert!(idx.module_table("lukhas.made", &r, &t).is_none());
    }

    /// Every word of a text is a column-0 name exactly when the search
    /// per name says so.
    fn agrees_with_the_search(text: &str) {
        let names: std::collections::HashSet<&str> = column0_names(text).collect();
        let words: std::collections::HashSet<&str> = text
            .split(|c: char| !is_word(c))
            .filter(|w| !w.is_empty())
            .collect();
        for w in words {
            assert_eq!(names.contains(w), may_define(text, w), "{w:?} in {text:?}");
        }
    }

    #[test]
    fn column0_names_are_what_the_search_finds() {
        // Python's identifiers, not only alphanumeric words.
        let names: Vec<&str> = column0_names("a·b = 1\nक्षेत्र = 2\n").collect();
        assert_eq!(names, ["a·b", "क्षेत्र"]);
        for text in [
            "def f(x): y = 1\nasync def g(): pass\nasync  def h(): pass\nclass C(B): pass\n",
            "def\tf(): pass\nclass\t C: z = 1\n",
            "a, b = 1, 2\nc = d == e\nf == g\nh: int = 3\ni += 1\nj(k=1)\n",
            "  indented = 1\n\tTabbed = 2\nx.y = 3\nz[0] = 4\n(p, q) = 5, 6\nr, (s, t) = u\n",
            "m = 1 if n else 2  # o = 3\n\"\"\"doc\nstr_def = 1\n  not = 2\n\"\"\"\n",
            "é_nom = 1\nnamé2, _x = 3, 4\nwin = 1\r\ncrlf_b = 2\r\n",
            "a·b = 1\nक्षेत्र = 2\ne\u{301}t = 3\ndef\x0cf(): pass\nclass\u{a0}C: pass\nx\x0c= 1\n",
            "lambda_ = lambda: 0\nfor i in range(3): k = i\nwith a as b: c = 1\nif x: y = 1\n",
            "def = 1\nclass\nasync def\n=\n==\n,a = 1\n a = 1\nx ,y= 2\nv\tw = 1\n",
        ] {
            agrees_with_the_search(text);
        }
    }

    #[test]
    fn same_tail_mirrors_only_lane_roots() {
        let (_d, idx, _, _) = index(&[
            ("candidate/orchestration/router.py", "X = 1\n"),
            ("site/lukhas/orchestration/router.py", "X = 1\n"),
            ("candidate/core.py", "Y = 1\n"),
            ("candidate/aka_qualia/core.py", "Y = 1\n"),
        ]);
        let roots = ["lukhas".to_string(), "candidate".to_string()];
        assert_eq!(
            idx.same_tail("lukhas.orchestration.router", &roots),
            [
                "site.lukhas.orchestration.router",
                "candidate.orchestration.router"
            ]
        );
        // `aka_qualia` is not a lane root: `candidate.core` is the wrong place.
        assert_eq!(
            idx.same_tail("aka_qualia.core", &roots),
            ["candidate.aka_qualia.core"]
        );
    }
}
