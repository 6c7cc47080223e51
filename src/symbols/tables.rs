//! The run's symbol tables: built on demand from the files (or the texts a
//! fix round is changing), cached by content, kept across runs in the
//! cache folder; and the lookup of a name through star imports.

use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use tree_sitter::Tree;

use super::ModuleSymbols;
use crate::deps::Deps;
use crate::imports::resolve::Resolver;
use crate::parse::Worker;
use crate::parse::compat::PythonVersion;

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
    /// The Python version names are judged on (`target-version`; ruff's
    /// default when unset).
    target: Option<PythonVersion>,
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
    pub fn new(root: &Path, store: bool, target: PythonVersion) -> Self {
        Self {
            target: Some(target),
            store: store.then(|| {
                (
                    root.to_path_buf(),
                    crate::store::build_folder(root).join("symbols"),
                )
            }),
            ..Default::default()
        }
    }

    /// The Python version names are judged on.
    pub fn target(&self) -> PythonVersion {
        self.target.unwrap_or(PythonVersion::DEFAULT)
    }

    /// How many files were parsed for their table alone (not by a check).
    pub fn parses(&self) -> usize {
        self.parses.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The table of `text`, from a parse that `tree` is shown.
    fn parse(&self, text: &str, tree: impl FnOnce(&Tree)) -> Option<Arc<ModuleSymbols>> {
        self.parses
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let parsed = Worker::new().parse(text)?;
        let table = ModuleSymbols::of(&parsed, text);
        tree(&parsed);
        Some(Arc::new(table))
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
        let table = self.parse(text, |_| {})?;
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
                let t = self.parse(&text, |tree| {
                    if let Some(p) = prefetch {
                        p.keep_tree(rel, &text, tree);
                    }
                })?;
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
        if table.binds(name, self.target()) {
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
    /// Keeps the tree of `text`, the module at `rel` parsed for another
    /// reason (its table alone, its imports), for the run's own check of
    /// it, if the run has yet to check it: so it is not parsed twice.
    fn keep_tree(&self, rel: &str, text: &str, tree: &Tree);
    /// The tree kept by [`Prefetch::keep_tree`] for the module at `rel`, if
    /// it is of `text`.
    fn take_tree(&self, rel: &str, text: &str) -> Option<Tree>;
    /// Keeps the static imports of the module at `rel` (the text whose
    /// digest is `hash`), read for another reason (IMP002's graph), for the
    /// run's own check of it, if the run has yet to check it: so its
    /// imports are not extracted twice.
    fn keep_imports(&self, rel: &str, hash: u64, sites: Vec<crate::imports::ImportSite>) {
        let _ = (rel, hash, sites);
    }
    /// The imports kept by [`Prefetch::keep_imports`] for the module at
    /// `rel`, if they are of the text whose digest is `hash()`.
    fn take_imports(
        &self,
        rel: &str,
        hash: &dyn Fn() -> u64,
    ) -> Option<Vec<crate::imports::ImportSite>> {
        let _ = (rel, hash);
        None
    }
    /// The text of the module at `rel` (at `path`), as
    /// [`crate::source::read_body`] reads it, for a reader ahead of the
    /// run's check of it: the bytes are kept for that check, so that the
    /// file is read once.
    fn read_body(&self, rel: &str, path: &Path) -> std::io::Result<String> {
        let _ = rel;
        crate::source::read_body(path)
    }
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
