//! An index of every first-party module's names (SPEC §4.7, "Bridges and
//! stubs carry the real code"): which modules exist, what each binds, and
//! which modules define a name themselves. STUB001 and STUB003 fixes ask it
//! where a missing name really lives, so that they forward to it instead of
//! writing a placeholder.
//!
//! It is built once per run, and only when a fix or finding asks (a run with
//! no missing name never builds it). Test modules and the bridges rulegate
//! made are not places a name "lives": forwarding to a test helper, or to a
//! fallback, would hide the real code.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::{ModuleSymbols, SymbolTables};
use crate::deps::Deps;
use crate::imports::resolve::Resolver;

/// Every first-party module's names.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// Dotted module name → (its file, its table).
    modules: BTreeMap<String, (String, Arc<ModuleSymbols>)>,
    /// Name → the modules that define it themselves, sorted.
    defined_in: HashMap<String, Vec<String>>,
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

impl NameIndex {
    /// Indexes the project files `files` (project-relative paths) with the
    /// run's symbol tables (read in parallel; unreadable or unparseable
    /// files are left out).
    pub fn build(resolver: &Resolver, tables: &SymbolTables, files: &[String]) -> Self {
        use rayon::prelude::*;
        let read: Vec<(String, String, Arc<ModuleSymbols>)> = files
            .par_iter()
            .filter(|rel| rel.ends_with(".py") && !is_test_file(rel))
            .filter_map(|rel| {
                let table = tables.get(resolver.root(), rel, None, None, Deps::NONE)?;
                let (module, _) = resolver.module_of(rel);
                (!module.is_empty() && !table.has_errors && table.bridge_stubs_end.is_none())
                    .then(|| (module, rel.clone(), table))
            })
            .collect();
        let mut index = NameIndex::default();
        for (module, rel, table) in read {
            for name in &table.defs {
                if !name.starts_with("__") {
                    index
                        .defined_in
                        .entry(name.clone())
                        .or_default()
                        .push(module.clone());
                }
            }
            // A module file and a package of one name: Python loads the package.
            let package = rel.ends_with("__init__.py");
            match index.modules.get(&module) {
                Some((old, _)) if old.ends_with("__init__.py") && !package => {}
                _ => {
                    index.modules.insert(module, (rel, table));
                }
            }
        }
        for list in index.defined_in.values_mut() {
            list.sort();
            list.dedup();
        }
        index
    }

    /// The modules that define `name` themselves (not by importing it).
    pub fn definers(&self, name: &str) -> &[String] {
        self.defined_in.get(name).map_or(&[], Vec::as_slice)
    }

    /// The file and table of a module, if the index has it.
    pub fn module(&self, dotted: &str) -> Option<&(String, Arc<ModuleSymbols>)> {
        self.modules.get(dotted)
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
            .keys()
            .filter(|m| m.as_str() != module)
            .filter_map(|m| {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn index(files: &[(&str, &str)]) -> (tempfile::TempDir, NameIndex) {
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
        let idx = NameIndex::build(&resolver, &tables, &rels);
        (dir, idx)
    }

    #[test]
    fn definitions_not_imports_tests_or_bridges() {
        let (_d, idx) = index(&[
            (
                "candidate/router.py",
                "class AIProvider: pass\nfrom os import path\n",
            ),
            (
                "lukhas/reexport.py",
                "from candidate.router import AIProvider\n",
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
        assert_eq!(idx.definers("AIProvider"), ["candidate.router"]);
        assert!(idx.definers("path").is_empty());
        assert!(idx.definers("Hidden").is_empty(), "TYPE_CHECKING-only");
        assert!(idx.definers("Made").is_empty(), "a bridge's fallbacks");
        assert!(idx.module("lukhas.reexport").is_some());
    }

    #[test]
    fn same_tail_mirrors_only_lane_roots() {
        let (_d, idx) = index(&[
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
