//! `analyzer = "undeclared-imports"` (DEP001, deptry's anchor): an import of
//! a top-level module that is neither first-party (it resolves to a file or
//! folder of the repository through `src`), nor in the standard library,
//! nor provided by a declared dependency (see [`crate::deps_decl`]).
//! pytest would hit `ModuleNotFoundError` wherever the dependency is not
//! installed. A guarded import (`try: … except ImportError:`) expects to
//! fail and is not reported; relative and dynamic imports are not either.
//! A project with no declaration file at all (or an unreadable one) gets
//! no finding; `rulegate lint -v` says so once per run ([`silence_note`]).
//! A plain run stays quiet: the note would be noise on every repository
//! that does not declare its dependencies.

mod stdlib;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::deps::Kind;
use crate::deps_decl::{Declared, ModuleMap, installed};
use crate::imports::ImportKind;

/// Options of `analyzer = "undeclared-imports"`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UndeclaredOptions {}

/// The analyzer. What a project declares is read once, on the first file
/// of that project checked (a language server reads it again only when it
/// reloads its rules).
#[derive(Debug)]
pub struct Undeclared {
    projects: Mutex<HashMap<PathBuf, Option<Arc<Knowledge>>>>,
    /// The import extraction's dynamic-import functions (the other import
    /// rules' default, so that the file's imports are extracted once).
    dynamic_calls: Vec<String>,
}

/// The declarations and the module map, read once.
#[derive(Debug)]
struct Knowledge {
    declared: Declared,
    map: ModuleMap,
}

/// Builds the analyzer from a rule's options.
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let _: UndeclaredOptions = crate::analyzers::options(options)?;
    Ok(Box::new(Undeclared {
        projects: Mutex::new(HashMap::new()),
        dynamic_calls: crate::imports::DEFAULT_DYNAMIC_CALLS
            .iter()
            .map(|c| c.to_string())
            .collect(),
    }))
}

impl Undeclared {
    /// The project's declarations, read on first use; `None` when it has
    /// none or they cannot be read.
    fn knowledge(&self, ctx: &FileCtx) -> Option<Arc<Knowledge>> {
        let root = &ctx.config.root;
        let mut projects = self.projects.lock().unwrap_or_else(|e| e.into_inner());
        projects
            .entry(root.clone())
            .or_insert_with(|| {
                let declared = match Declared::read(root) {
                    Ok(Some(d)) => d,
                    // Nothing declared: nothing to judge against (`lint -v`
                    // says so, through `silence_note`).
                    Ok(None) => return None,
                    // An unreadable pyproject.toml is reported by the tools
                    // that own it; this rule stays silent rather than guess.
                    Err(_) => return None,
                };
                let environment = installed::environment(root, ctx.config.python.as_deref());
                let mut map = ModuleMap {
                    providers: environment
                        .as_deref()
                        .map(installed::providers)
                        .unwrap_or_default(),
                };
                map.add_map(&ctx.config.package_module_name_map);
                Some(Arc::new(Knowledge { declared, map }))
            })
            .clone()
    }
}

/// Whether `analyzer` is DEP001's (`undeclared-imports`).
pub fn is_undeclared(analyzer: &dyn Analyzer) -> bool {
    (analyzer as &dyn std::any::Any).is::<Undeclared>()
}

/// The note that says why the active DEP001 rule `rule` (see
/// [`is_undeclared`]) is silent for the project at `root`: no dependency
/// declaration found, or one that cannot be read; `None` when the project
/// declares its dependencies. Read once per run, by `lint -v`.
pub fn silence_note(rule: &str, root: &std::path::Path) -> Option<String> {
    match Declared::read(root) {
        Ok(Some(_)) => None,
        Ok(None) => Some(format!(
            "note: {} is silent: no dependency declarations found at {} \
             (pyproject.toml [project] dependencies, [dependency-groups], \
             [tool.poetry], or requirements*.txt)",
            rule,
            root.display()
        )),
        Err(e) => Some(format!(
            "note: {rule} is silent: {e}; fix the file to check imports against it"
        )),
    }
}

impl Analyzer for Undeclared {
    fn variables(&self) -> &'static [&'static str] {
        &["module", "declared_in"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["import".to_string()])
    }

    fn needs_tree(&self, _text: &str) -> bool {
        false
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        let Some(k) = self.knowledge(ctx) else {
            return;
        };
        ctx.project.deps.extend(&k.declared.facts);
        let mut reported: Vec<&str> = Vec::new();
        let sites = ctx.imports(&self.dynamic_calls);
        for site in sites.iter() {
            if site.level > 0
                || site.guarded
                || !matches!(site.kind, ImportKind::Import | ImportKind::From)
            {
                continue;
            }
            let top = site.module.split('.').next().unwrap_or_default();
            if top.is_empty()
                || stdlib::is_stdlib(top)
                || ctx.resolve(top).is_some()
                || k.map.declared(&k.declared, top)
            {
                continue;
            }
            // A name beside the importing file (a script's sibling module).
            let sibling = std::path::Path::new(ctx.path)
                .parent()
                .map(|dir| ctx.config.root.join(dir).join(top));
            let (deps, resolver) = (ctx.project.deps, ctx.project.modules.resolver());
            if sibling.is_some_and(|p| {
                resolver.probe(&p.with_extension("py"), deps) == Kind::File
                    || resolver.probe(&p, deps) == Kind::Dir
            }) {
                continue;
            }
            let start = site.module_range.start;
            let end = start + top.len();
            if reported.contains(&top) {
                continue; // one finding per module and file, at its first import
            }
            reported.push(top);
            hits.push(Hit {
                vars: vec![
                    ("module", top.to_string()),
                    ("declared_in", k.declared.sources.join(", ")),
                ],
                ..Hit::at(start..end)
            });
        }
    }
}
