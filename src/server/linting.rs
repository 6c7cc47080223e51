//! Linting open documents: each document version not yet linted under the
//! current run goes to the pool, one lint per document at a time; a lint's
//! findings are published with their version, or dropped when the text has
//! moved on (the newer version is linted next).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lsp_types::{Diagnostic, Uri};

use super::document::Linted;
use super::pool::{Done, Job, LintJob};
use super::{Server, cached, convert};
use crate::finding::Finding;
use crate::run::Run;

/// Records that a job of the current run reads text that is not on disk,
/// before the job is sent: from then on the run neither reads nor writes
/// the lint cache (see `pool::lint`).
pub(super) fn mark_unsaved_seen(flag: &AtomicBool) {
    flag.store(true, Ordering::SeqCst);
}

impl Server {
    /// Whether the document at `uri` is one the server lints.
    pub(super) fn lints(&self, uri: &str) -> bool {
        self.run.is_some() && convert::path_of(uri).is_some_and(|p| crate::walk::is_python(&p))
    }

    /// The path of `uri` relative to the run's project.
    pub(super) fn rel(&self, uri: &str, run: &Run) -> Option<String> {
        let path = convert::path_of(uri)?;
        Some(crate::walk::relative(&run.config, &path))
    }

    /// Sends every document whose current version (under the current run)
    /// has not been linted to the pool, one lint per document at a time.
    pub(super) fn schedule(&mut self) {
        let Some(run) = self.run.clone() else { return };
        // Module resolution lists each folder once; what is on disk now
        // counts for these lints.
        run.project.modules.forget_listings();
        let uris: Vec<String> = self
            .docs
            .iter()
            .filter(|(_, d)| !d.in_flight && d.asked != Some((d.snap.version, self.generation)))
            .map(|(u, _)| u.clone())
            .collect();
        for uri in uris {
            let lints = self.lints(&uri);
            let rel = self.rel(&uri, &run);
            let generation = self.generation;
            let Some(doc) = self.docs.get_mut(&uri) else {
                continue;
            };
            // The first lint of a document under a run goes through the
            // lint cache (an open, or every open file after a save); later
            // changes do not pay for it.
            let first = doc.asked.is_none_or(|(_, g)| g != generation);
            doc.asked = Some((doc.snap.version, generation));
            let Some(rel) = rel.filter(|_| lints) else {
                continue;
            };
            doc.in_flight = true;
            // Only a run whose lints have read nothing but files as they are
            // on disk answers from, or stores into, the lint cache: other
            // modules' tables and the import graph are shared by its lints.
            // Set before the lint of unsaved text is sent (see `pool::lint`).
            // (Only the cache reads the flag: with it off, which a session
            // never changes, no file is read for it.)
            let cached = self.cache
                && !self.unsaved_seen.load(Ordering::SeqCst)
                && first
                && convert::path_of(&uri).is_some_and(|p| cached::on_disk(&p, &doc.snap.text));
            if self.cache && !cached {
                mark_unsaved_seen(&self.unsaved_seen);
            }
            self.pool.submit(Job::Lint(LintJob {
                uri,
                snap: doc.snap.clone(),
                rel,
                run: run.clone(),
                old_tree: doc.tree.clone(),
                cached,
                unsaved_seen: self.unsaved_seen.clone(),
            }));
        }
    }

    /// A job of the pool is done.
    pub(super) fn finished(&mut self, done: Done) {
        match done {
            Done::Linted {
                uri,
                version,
                findings,
                shift,
                tree,
                ..
            } => self.linted(&uri, version, findings, shift, tree),
            Done::FixAll {
                id,
                uri,
                version,
                edit,
            } => self.fix_all_done(id, &uri, version, edit),
        }
    }

    /// A lint of `version` is done (`findings` is `None` when rulegate
    /// failed on the text: nothing is published, and the waiting requests
    /// are answered with nothing).
    fn linted(
        &mut self,
        uri: &str,
        version: i32,
        findings: Option<Vec<Finding>>,
        shift: usize,
        tree: Option<tree_sitter::Tree>,
    ) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        doc.in_flight = false;
        if doc.snap.version != version {
            return; // stale: the newer version is linted next
        }
        if tree.is_some() {
            doc.tree = tree;
        }
        let failed = findings.is_none();
        let findings = findings.unwrap_or_default();
        let snap = Arc::clone(&doc.snap);
        let diagnostics: Vec<Diagnostic> = findings
            .iter()
            .map(|f| convert::diagnostic(f, &snap, shift))
            .collect();
        doc.linted = Some(Linted {
            version,
            findings,
            shift,
        });
        if !failed && let Ok(u) = uri.parse::<Uri>() {
            self.publish(u, diagnostics, Some(version));
        }
        self.answer_waiting(uri);
    }
}
