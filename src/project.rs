//! The project model of a run: which modules exist (resolution through the
//! `src` roots), what they bind (symbol tables), and which lane a module
//! belongs to. It is state built up while the run goes, kept apart from the
//! [`Config`] value it is derived from.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::config::{Config, Lane};
use crate::deps::Deps;
use crate::imports::kept::KeptImports;
use crate::imports::resolve::{BeyondTopLevel, Resolver, Target};
use crate::symbols::index::NameIndex;
use crate::symbols::{Export, ModuleSymbols, Prefetch, SymbolTables};

/// Module index and symbol tables of one run (shared by the worker threads).
#[derive(Debug)]
pub struct Project {
    /// Module-name resolution through `src` (cached for the run).
    pub modules: Resolver,
    /// Symbol tables of the repository's modules (cached for the run).
    pub symbols: SymbolTables,
    /// Static imports of modules read but not checked, kept across runs.
    pub imports: KeptImports,
    /// Every first-party module's names, built on first use.
    index: OnceLock<NameIndex>,
    /// Every occurrence of the `unique` rules' values, built on first use
    /// (the checker's `unique_index::Memo`, type-erased: the project model
    /// sits below the checker).
    pub unique: OnceLock<Arc<dyn std::any::Any + Send + Sync>>,
}

impl Project {
    /// An empty model of the project `config` describes; `store`: whether
    /// symbol tables are kept across runs in the cache folder.
    pub fn new(config: &Config, store: bool) -> Self {
        Self {
            modules: Resolver::new(&config.root, &config.src),
            symbols: SymbolTables::new(&config.root, store, config.target_version),
            imports: KeptImports::new(&config.root, store),
            index: OnceLock::new(),
            unique: Default::default(),
        }
    }

    /// The model as one file's check sees it, recording what the check
    /// depends on into `deps`.
    pub fn view<'a>(&'a self, deps: Deps<'a>) -> ProjectView<'a> {
        ProjectView {
            modules: Modules {
                resolver: &self.modules,
                deps,
            },
            symbols: Symbols {
                tables: &self.symbols,
                deps,
            },
            deps,
            imports: &self.imports,
            index: &self.index,
        }
    }
}

/// The project model as one file's check sees it: each lookup records what
/// the file's result depends on (the paths probed, the modules read) into
/// the check's [`Deps`], for the cache.
#[derive(Debug, Clone, Copy)]
pub struct ProjectView<'a> {
    /// Module-name resolution.
    pub modules: Modules<'a>,
    /// Symbol tables.
    pub symbols: Symbols<'a>,
    /// Where other file-system facts a check reads are recorded.
    pub deps: Deps<'a>,
    /// Static imports of modules read but not checked, kept across runs.
    pub imports: &'a KeptImports,
    index: &'a OnceLock<NameIndex>,
}

impl<'a> ProjectView<'a> {
    /// Every first-party module's names: the project's Python files as
    /// `lint .` would walk them, indexed on first use (once per run). What
    /// a result read from it is not recorded for the cache (see
    /// `docs/collection-campaign.md`).
    /// A lint pass's `prefetch` reads the files (they are then read once).
    pub fn name_index(
        &self,
        config: &Config,
        prefetch: Option<&dyn crate::symbols::Prefetch>,
    ) -> &'a NameIndex {
        self.index.get_or_init(|| {
            let files: Vec<String> =
                crate::walk::collect(config, std::slice::from_ref(&config.root), true)
                    .into_iter()
                    .map(|t| t.rel)
                    .collect();
            NameIndex::build(self.modules.resolver, &files, prefetch)
        })
    }

    /// The top-level packages of the lanes' root folders (`candidate`,
    /// `lukhas`): the packages that mirror each other.
    pub fn lane_packages(&self, config: &Config) -> Vec<String> {
        let mut out: Vec<String> = config
            .lanes
            .iter()
            .flat_map(|l| l.roots.iter())
            .map(|root| self.modules.module_of(&format!("{root}/__init__.py")).0)
            .filter(|m| !m.is_empty() && !m.contains('.'))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The lane of an absolute module name: the lane of its file when it
    /// resolves in the repository, else the lane whose root folder it is
    /// under (`candidate.missing`), else none (third-party).
    pub fn lane_of_module<'c>(
        &self,
        config: &'c Config,
        dotted: &str,
    ) -> (Option<&'c Lane>, Option<Target>) {
        if let Some(t) = self.modules.resolve_longest(dotted) {
            return (config.lane_of(&t.lane_path()), Some(t));
        }
        let paths = self.modules.would_be_paths(dotted);
        let lane = config.lanes.iter().find(|l| {
            l.roots.iter().any(|root| {
                paths
                    .iter()
                    .any(|p| p == root || p.starts_with(&format!("{root}/")))
            })
        });
        (lane, None)
    }
}

/// [`Resolver`] as one file's check sees it (lookups recorded).
#[derive(Debug, Clone, Copy)]
pub struct Modules<'a> {
    resolver: &'a Resolver,
    deps: Deps<'a>,
}

impl<'a> Modules<'a> {
    /// The run's resolver (lookups through it are not recorded).
    pub fn resolver(&self) -> &'a Resolver {
        self.resolver
    }

    /// See [`Resolver::resolve`].
    pub fn resolve(&self, dotted: &str) -> Option<Target> {
        self.resolver.resolve_in(dotted, self.deps)
    }

    /// See [`Resolver::resolve_with`].
    pub fn resolve_with(
        &self,
        dotted: &str,
        overlay: Option<&BTreeMap<String, String>>,
    ) -> Option<Target> {
        self.resolver.resolve_with(dotted, overlay, self.deps)
    }

    /// See [`Resolver::resolve_longest`].
    pub fn resolve_longest(&self, dotted: &str) -> Option<Target> {
        self.resolver.resolve_longest(dotted, self.deps)
    }

    /// See [`Resolver::absolute`].
    pub fn absolute(
        &self,
        rel_file: &str,
        module: &str,
        level: usize,
        package: Option<&str>,
    ) -> Result<String, BeyondTopLevel> {
        self.resolver.absolute(rel_file, module, level, package)
    }

    /// See [`Resolver::module_of`].
    pub fn module_of(&self, rel_file: &str) -> (String, bool) {
        self.resolver.module_of(rel_file)
    }

    /// See [`Resolver::would_be_paths`].
    pub fn would_be_paths(&self, dotted: &str) -> Vec<String> {
        self.resolver.would_be_paths(dotted)
    }

    /// The project root.
    pub fn root(&self) -> &'a Path {
        self.resolver.root()
    }
}

/// [`SymbolTables`] as one file's check sees it (reads recorded).
#[derive(Debug, Clone, Copy)]
pub struct Symbols<'a> {
    tables: &'a SymbolTables,
    deps: Deps<'a>,
}

impl<'a> Symbols<'a> {
    /// The run's tables (reads through them are not recorded).
    pub fn tables(&self) -> &'a SymbolTables {
        self.tables
    }

    /// See [`SymbolTables::get`].
    pub fn get(
        &self,
        root: &Path,
        rel: &str,
        text: Option<&str>,
        prefetch: Option<&dyn Prefetch>,
    ) -> Option<Arc<ModuleSymbols>> {
        self.tables.get(root, rel, text, prefetch, self.deps)
    }

    /// See [`SymbolTables::warm`].
    pub fn warm(&self, root: &Path, rels: &[&str], prefetch: Option<&dyn Prefetch>) {
        self.tables.warm(root, rels, prefetch)
    }

    /// See [`SymbolTables::exports`].
    pub fn exports<'t>(
        &self,
        modules: &Modules,
        texts: &dyn Fn(&str) -> Option<&'t str>,
        rel: &str,
        name: &str,
        seen: &mut Vec<String>,
        prefetch: Option<&dyn Prefetch>,
    ) -> Export {
        self.tables.exports(
            modules.resolver,
            texts,
            rel,
            name,
            seen,
            prefetch,
            self.deps,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_missing_module_under_a_lane_root_is_in_that_lane() {
        let c = Config::from_text(
            PathBuf::from("/p"),
            "[lanes.zeta]\npaths = [\"x/**\"]\n[lanes.alpha]\npaths = [\"**\"]\n",
        )
        .unwrap();
        let project = Project::new(&c, false);
        let view = project.view(Deps::NONE);
        let (lane, target) = view.lane_of_module(&c, "x.missing");
        assert_eq!((lane.unwrap().name.as_str(), target), ("zeta", None));
        let (lane, _) = view.lane_of_module(&c, "requests");
        assert!(lane.is_none());
    }
}
