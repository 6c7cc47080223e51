//! The server's work off the message loop: a fixed number of threads, each
//! with its own parser, that lint document versions (re-parsing from the
//! document's edited tree) and compute `source.fixAll.rulegate`. A job
//! that panics is reported back as failed; the thread goes on.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender};
use serde_json::Value;
use tree_sitter::Tree;

use super::cached;
use super::document::Snapshot;
use crate::deps::Deps;
use crate::finding::Finding;
use crate::fix::workspace::Workspace;
use crate::lint::file::check_source;
use crate::lint::fixing::fix_results;
use crate::parse::Worker;
use crate::run::Run;

/// A document version to lint.
pub(super) struct LintJob {
    pub uri: String,
    pub snap: Arc<Snapshot>,
    /// The path relative to the project root.
    pub rel: String,
    pub run: Arc<Run>,
    /// The document's earlier tree, edited to match `snap`'s text.
    pub old_tree: Option<Tree>,
    /// Through the lint cache (the document's first lint under the run,
    /// its text the file's on disk, and no lint of the run yet read text
    /// that is not on disk): looked up, else stored (see [`super::cached`]).
    pub cached: bool,
    /// Set once a lint of the run reads text that is not on disk (the
    /// run's shared tables and import graph may then hold it): from then
    /// on nothing is looked up or stored.
    pub unsaved_seen: Arc<AtomicBool>,
}

/// A `source.fixAll.rulegate` request to compute.
pub(super) struct FixAllJob {
    pub id: Value,
    pub uri: String,
    pub snap: Arc<Snapshot>,
    pub rel: String,
    pub run: Arc<Run>,
}

pub(super) enum Job {
    Lint(LintJob),
    FixAll(FixAllJob),
}

/// What a job produced.
pub(super) enum Done {
    /// A lint's findings (`None`: rulegate failed on the file).
    Linted {
        uri: String,
        version: i32,
        findings: Option<Vec<Finding>>,
        shift: usize,
        /// The new tree, when the text was parsed and can be re-parsed
        /// from (no BOM, no lone `\r`).
        tree: Option<Tree>,
        /// Whether the findings came from the lint cache (what the tests
        /// tell a hit from a lint by).
        #[cfg_attr(not(test), allow(dead_code))]
        from_cache: bool,
    },
    /// The edit of fixAll for a version: `(byte range, replacement)` in the
    /// snapshot's text, `None` when nothing changes; `Err` when it failed.
    FixAll {
        id: Value,
        uri: String,
        version: i32,
        edit: Result<Option<(std::ops::Range<usize>, String)>, String>,
    },
}

/// The pool's handle: jobs go in, results come out on the `done` channel
/// given to [`Pool::new`].
pub(super) struct Pool {
    jobs: Sender<Job>,
}

impl Pool {
    /// Starts `threads` workers sending their results to `done`.
    pub fn new(threads: usize, done: Sender<Done>) -> Self {
        let (jobs, inbox) = crossbeam_channel::unbounded::<Job>();
        for i in 0..threads.max(1) {
            let (inbox, done): (Receiver<Job>, Sender<Done>) = (inbox.clone(), done.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("rulegate-lsp-{i}"))
                .spawn(move || {
                    let mut worker = Worker::new();
                    for job in inbox {
                        let result = run_job(&mut worker, job);
                        if done.send(result).is_err() {
                            return;
                        }
                    }
                });
            if let Err(e) = spawned {
                eprintln!("rulegate server: cannot start a worker thread: {e}");
            }
        }
        Self { jobs }
    }

    /// Queues a job.
    pub fn submit(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

/// Runs `job`.
fn run_job(worker: &mut Worker, job: Job) -> Done {
    match job {
        Job::Lint(j) => {
            let (uri, version) = (j.uri.clone(), j.snap.version);
            match std::panic::catch_unwind(AssertUnwindSafe(|| lint(worker, j))) {
                Ok(done) => done,
                Err(_) => {
                    *worker = Worker::new();
                    Done::Linted {
                        uri,
                        version,
                        findings: None,
                        shift: 0,
                        tree: None,
                        from_cache: false,
                    }
                }
            }
        }
        Job::FixAll(j) => {
            let (id, uri, version) = (j.id.clone(), j.uri.clone(), j.snap.version);
            let edit = std::panic::catch_unwind(AssertUnwindSafe(|| fix_all(&j)))
                .unwrap_or_else(|_| Err("rulegate failed while fixing (a bug)".into()));
            Done::FixAll {
                id,
                uri,
                version,
                edit,
            }
        }
    }
}

/// Lints one version, re-parsing from the document's edited tree. Through
/// the cache (`j.cached`): a valid entry for the text is the version's
/// findings, with no parse; a miss lints, and stores the result. Neither
/// once the run has read unsaved text (`j.unsaved_seen`), checked after
/// the lint as well: the loop sets it before it sends a lint of unsaved
/// text, so a lint that still finds it clear saw none.
fn lint(worker: &mut Worker, j: LintJob) -> Done {
    let src = j.snap.source();
    let shift = j.snap.text.len() - src.text.len();
    // Offsets of a text without its BOM, or with lone `\r`s read as `\n`,
    // are not the document's: parse those afresh and keep no tree.
    let reusable = shift == 0 && !src.cr_only && !j.snap.lone_cr;
    let clean = || j.cached && !j.unsaved_seen.load(Ordering::SeqCst);
    let cache = if clean() { cached::open(&j.run) } else { None };
    let version = j.snap.version;
    if let Some(hit) = cache.as_ref().and_then(|c| {
        // Facts about the run's indexes (repository-wide `unique`
        // rules) are checked against the run's own index.
        let indexes = crate::check::unique_index::Digests {
            run: &j.run,
            prefetch: None,
        };
        c.get(&j.rel, cached::digest(&j.snap.text), &indexes)
    }) {
        // No parse: a document only read never pays for one, and its
        // first change parses in full (there is no tree to edit).
        return Done::Linted {
            uri: j.uri,
            version,
            findings: Some(hit.findings),
            shift,
            tree: None,
            from_cache: true,
        };
    }
    if reusable {
        worker.reparse_from(src.text.clone(), j.old_tree);
    }
    let store = cache.map(|c| cached::Store::new(c, &j.snap.text));
    let checker = crate::check::Checker {
        deps: store.as_ref().map_or(Deps::NONE, cached::Store::deps),
        ..crate::check::Checker::new(&j.run)
    };
    let mut result = check_source(&checker, worker, Arc::from(j.rel.as_str()), src);
    if let Some(store) = store.filter(|_| clean()) {
        store.put(&j.rel, &mut result);
    }
    let tree = worker.take_reparsed().filter(|_| reusable);
    Done::Linted {
        uri: j.uri,
        version,
        findings: Some(result.findings),
        shift,
        tree,
        from_cache: false,
    }
}

/// Every safe fix of one version, through the fix engine, as one edit of
/// the part of the text that changes.
fn fix_all(j: &FixAllJob) -> Result<Option<(std::ops::Range<usize>, String)>, String> {
    let src = j.snap.source();
    let shift = j.snap.text.len() - src.text.len();
    let mut ws = Workspace::new(j.run.config.root.clone());
    ws.insert(&j.rel, None, &src);
    let checker = crate::check::Checker::new(&j.run);
    let result = check_source(
        &checker,
        &mut Worker::new(),
        Arc::from(j.rel.as_str()),
        src.clone(),
    );
    let (ws, _) = fix_results(&j.run, &mut [result], ws, false);
    let Some(new) = ws.text(&j.rel) else {
        return Ok(None);
    };
    Ok(changed_part(&src.text, new)
        .map(|(range, text)| (range.start + shift..range.end + shift, text)))
}

/// The smallest byte range of `old` (on char boundaries) whose replacement
/// turns it into `new`, with that replacement; `None` when they are equal.
pub(super) fn changed_part(old: &str, new: &str) -> Option<(std::ops::Range<usize>, String)> {
    if old == new {
        return None;
    }
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    suffix = suffix.min(max_suffix);
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some((
        prefix..old.len() - suffix,
        new[prefix..new.len() - suffix].to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_changed_part_is_the_smallest_replacement() {
        let apply = |old: &str, new: &str| {
            let (r, t) = changed_part(old, new).unwrap();
            format!("{}{t}{}", &old[..r.start], &old[r.end..])
        };
        for (old, new) in [
            ("import os\nprint(os)\n", "import os\nlogger.info()\n"),
            ("aaa", "aaaa"),
            ("aaaa", "aaa"),
            ("x😀y", "x😁y"),
            ("日本", "日日本"),
            ("", "x"),
            ("x", ""),
        ] {
            assert_eq!(apply(old, new), new, "{old:?} -> {new:?}");
        }
        assert_eq!(changed_part("abc", "abc"), None);
        let (r, t) = changed_part("import os\nprint(os)\n", "import os\nlogger.info()\n").unwrap();
        // `print(os` becomes `logger.info(`: the `)\n` after them stays.
        assert_eq!((r, t.as_str()), (10..18, "logger.info("));
    }
}
