//! The first pass of `lint` over its files, in parallel, each through the
//! [`Cache`] and checked once. When an importer needs the symbol table of a
//! module the pass has not reached yet, the module is checked then, on the
//! importer's thread ([`Prefetch`]): its one parse gives both its findings
//! and its table, so no module is parsed twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use tree_sitter::Tree;

use super::Keep;
use super::cache::Cache;
use super::file::{self, FileResult};
use crate::check::Checker;
use crate::deps::{Deps, Recorder};
use crate::imports::ImportSite;
use crate::parse::Worker;
use crate::source::SourceText;
use crate::symbols::Prefetch;
use crate::walk::Target;

/// How deep modules may be checked ahead inside one another's checks (each
/// level holds a syntax tree and a stack of frames; deeper, the table is
/// parsed alone).
const MAX_AHEAD_DEPTH: usize = 8;

/// How many trees the pass keeps for the checks of their files (each holds
/// memory until its file is checked).
const MAX_KEPT_TREES: usize = 256;

/// How many bytes of files read ahead the pass keeps for their checks.
const MAX_KEPT_BYTES: usize = 256 << 20;

/// From how many files a pass without a cache compiles the query rules
/// before it starts.
const EAGER_QUERIES_FROM: usize = 64;

/// The state of one pass.
struct Pass<'a> {
    checker: Checker<'a>,
    targets: &'a [Target],
    /// Target index by project-relative path.
    index: HashMap<&'a str, usize>,
    /// Whether a thread has taken each target.
    taken: Vec<AtomicBool>,
    /// Results of targets checked ahead, by index.
    ahead: Mutex<Vec<(usize, FileResult)>>,
    /// Trees of targets not taken yet, parsed for another reason (a table
    /// alone, deeper than [`MAX_AHEAD_DEPTH`]; imports the scanner cannot
    /// read), with their text: their check takes them instead of parsing.
    trees: Mutex<HashMap<usize, (String, Tree)>>,
    /// Bytes of targets not taken yet, read ahead (an import graph), and
    /// their total size: their check takes them instead of reading again.
    bytes: Mutex<(usize, HashMap<usize, Vec<u8>>)>,
    /// Static imports of targets not taken yet, scanned from their text (an
    /// import graph), by the digest of that text: their check takes them
    /// instead of extracting them from its tree.
    imports: Mutex<HashMap<usize, (u64, Vec<ImportSite>)>>,
    cache: Option<&'a Cache>,
    keep: Keep,
}

/// The pass as the check of one file `depth` levels of checks ahead deep
/// sees it: a module that file needs is checked then, one level deeper.
struct Ahead<'p, 'a> {
    pass: &'p Pass<'a>,
    depth: usize,
}

impl Prefetch for Ahead<'_, '_> {
    fn will_check(&self, rel: &str) -> bool {
        self.pass.index.contains_key(rel)
    }

    fn prefetch(&self, rel: &str) {
        let Some(&i) = self.pass.index.get(rel) else {
            return; // not a file of this run
        };
        if self.depth >= MAX_AHEAD_DEPTH || !self.pass.take(i) {
            return;
        }
        let r = self
            .pass
            .check_target(&mut Worker::new(), i, self.depth + 1);
        if let Ok(mut ahead) = self.pass.ahead.lock() {
            ahead.push((i, r));
        }
    }

    fn keep_tree(&self, rel: &str, text: &str, tree: &Tree) {
        let Some(&i) = self.pass.index.get(rel) else {
            return;
        };
        if self.pass.taken[i].load(Ordering::Acquire) {
            return; // checked already, or being checked
        }
        if let Ok(mut trees) = self.pass.trees.lock()
            && trees.len() < MAX_KEPT_TREES
        {
            trees.insert(i, (text.to_string(), tree.clone()));
        }
    }

    fn read_body(&self, rel: &str, path: &std::path::Path) -> std::io::Result<String> {
        let index = self.pass.index.get(rel).copied();
        // Read ahead already (the name index and the import graph both
        // read ahead): the kept bytes, not the disk again.
        if let Some(i) = index
            && let Ok(kept) = self.pass.bytes.lock()
            && let Some(bytes) = kept.1.get(&i)
        {
            return crate::source::body_of_bytes(bytes);
        }
        let bytes = crate::source::read_regular(path)?;
        let text = crate::source::body_of_bytes(&bytes)?;
        if let Some(i) = index
            && !self.pass.taken[i].load(Ordering::Acquire)
            && let Ok(mut kept) = self.pass.bytes.lock()
            && kept.0 + bytes.len() <= MAX_KEPT_BYTES
        {
            kept.0 += bytes.len();
            kept.1.insert(i, bytes);
        }
        Ok(text)
    }

    fn take_tree(&self, rel: &str, text: &str) -> Option<Tree> {
        let i = *self.pass.index.get(rel)?;
        let (kept, tree) = self.pass.trees.lock().ok()?.remove(&i)?;
        (kept == text).then_some(tree)
    }

    fn keep_imports(&self, rel: &str, hash: u64, sites: Vec<ImportSite>) {
        let Some(&i) = self.pass.index.get(rel) else {
            return;
        };
        if self.pass.taken[i].load(Ordering::Acquire) {
            return; // checked already, or being checked
        }
        if let Ok(mut imports) = self.pass.imports.lock() {
            imports.insert(i, (hash, sites));
        }
    }

    fn take_imports(&self, rel: &str, hash: &dyn Fn() -> u64) -> Option<Vec<ImportSite>> {
        let i = *self.pass.index.get(rel)?;
        let (kept, sites) = self.pass.imports.lock().ok()?.remove(&i)?;
        (kept == hash()).then_some(sites)
    }
}

impl Pass<'_> {
    fn take(&self, i: usize) -> bool {
        !self.taken[i].swap(true, Ordering::AcqRel)
    }

    /// Checks target `i` (or takes its result from the cache), `depth`
    /// levels of checks ahead deep. With a cache, what the result depends
    /// on beyond the file is recorded for it.
    fn check_target(&self, w: &mut Worker, i: usize, depth: usize) -> FileResult {
        let r = self.check_target_inner(w, i, depth);
        // Imports kept for a check that did not take them (its result came
        // from the cache, or it needed no tree): not held to the end.
        if let Ok(mut imports) = self.imports.lock() {
            imports.remove(&i);
        }
        r
    }

    fn check_target_inner(&self, w: &mut Worker, i: usize, depth: usize) -> FileResult {
        let t = &self.targets[i];
        let kept = self.bytes.lock().ok().and_then(|mut b| b.1.remove(&i));
        let bytes = kept.map_or_else(|| crate::source::read_regular(&t.path), Ok);
        // The digest keys the cache: a run without one skips it.
        let content = self
            .cache
            .and(bytes.as_ref().ok())
            .map(|b| crate::hash::digest(b));
        let ahead = Ahead { pass: self, depth };
        let indexes = crate::check::unique_index::Digests {
            run: self.checker.run,
            prefetch: Some(&ahead),
        };
        let cached = self
            .cache
            .zip(content)
            .and_then(|(c, d)| c.get(&t.rel, d, &indexes));
        if let Some(mut r) = cached {
            if !r.findings.is_empty() {
                r.source = bytes.ok().and_then(|b| SourceText::decode(&b).ok());
            }
            return r;
        }
        let recorder = self.cache.map(|_| Recorder::default());
        let checker = Checker {
            prefetch: Some(&ahead),
            deps: recorder.as_ref().map_or(Deps::NONE, Deps::to),
            ..self.checker
        };
        let mut r = file::check_bytes(&checker, w, Arc::from(t.rel.as_str()), bytes);
        r.deps = recorder.map(Recorder::finish).unwrap_or_default();
        if let (Some(c), Some(d)) = (self.cache, content)
            && !r.internal_error
        {
            c.put(&t.rel, d, &r);
        }
        // Memory stays flat on big trees: no text is held for the report
        // unless it shows it.
        match self.keep {
            Keep::All => {}
            Keep::WithFindings if !r.findings.is_empty() => {}
            _ => r.keep_places_only(),
        }
        r
    }
}

/// Checks every target once, in parallel; results in target order.
pub fn check_all(
    checker: &Checker,
    targets: &[Target],
    cache: Option<&Cache>,
    keep: Keep,
) -> Vec<FileResult> {
    // Compiled before the files are: compiled in the middle of the pass, a
    // combined query faults its pages in while the other threads run, and
    // each fault stops them for a TLB shootdown. (Few files, or a cache
    // that may answer them all, may not need the queries at all.)
    if cache.is_none() && targets.len() >= EAGER_QUERIES_FROM {
        checker.run.rules.queries();
    }
    let pass = Pass {
        checker: *checker,
        targets,
        index: targets
            .iter()
            .enumerate()
            .map(|(i, t)| (t.rel.as_str(), i))
            .collect(),
        taken: targets.iter().map(|_| AtomicBool::new(false)).collect(),
        ahead: Mutex::new(Vec::new()),
        trees: Mutex::new(HashMap::new()),
        bytes: Mutex::default(),
        imports: Mutex::default(),
        cache,
        keep,
    };
    let mut results: Vec<Option<FileResult>> = (0..targets.len())
        .into_par_iter()
        .map_init(Worker::new, |w, i| {
            pass.take(i).then(|| pass.check_target(w, i, 0))
        })
        .collect();
    if let Ok(mut ahead) = pass.ahead.lock() {
        for (i, r) in ahead.drain(..) {
            results[i] = Some(r);
        }
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|| pass.check_target(&mut Worker::new(), i, 0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::lint::{LintOptions, lint};
    use crate::run::Run;

    #[test]
    fn each_module_is_parsed_once_and_results_do_not_depend_on_the_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // Importers come first in walk order, and import one another in a
        // chain deeper than the checks ahead may nest.
        let n = super::MAX_AHEAD_DEPTH + 4;
        std::fs::write(
            d.join("rulegate.toml"),
            "[lanes.production]\npaths = [\"**\"]\n",
        )
        .unwrap();
        std::fs::create_dir(d.join("pkg")).unwrap();
        std::fs::write(d.join("pkg/__init__.py"), "").unwrap();
        for i in 0..n {
            let body = if i + 1 < n {
                format!("from pkg.m{:02} import X, MISSING{i}\nX = 1\n", i + 1)
            } else {
                "X = 1\n".to_string()
            };
            std::fs::write(d.join(format!("pkg/m{i:02}.py")), body).unwrap();
        }
        let findings = |threads: usize| {
            let run =
                Run::load(None, d, &[], &[], crate::dates::Date::constant(2026, 1, 1)).unwrap();
            let out = lint(
                &run,
                &LintOptions {
                    paths: vec![d.to_path_buf()],
                    threads: Some(threads),
                    ..Default::default()
                },
            )
            .unwrap();
            // The checks' parses, and the parses for a symbol table alone.
            let parses = out.files_parsed + run.project.symbols.parses();
            let found: Vec<String> = out
                .findings
                .iter()
                .map(|f| format!("{}:{}:{}", f.path, f.location.start.line, f.rule))
                .collect();
            (found, parses, out.files.len())
        };
        let (one, parses, files) = findings(1);
        assert_eq!(one.iter().filter(|f| f.ends_with("STUB001")).count(), n - 1);
        // Parses beyond one per file: only where the chain is deeper than
        // the checks ahead may nest.
        assert!(
            parses <= files + n / super::MAX_AHEAD_DEPTH,
            "{parses} parses of {files} files"
        );
        let (two, _, _) = findings(2);
        assert_eq!(one, two);
    }
}
