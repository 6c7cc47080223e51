//! The result cache: per-file check results in `.rulegate_cache/`, keyed by
//! the file's content hash and by the run's rules and config (their texts,
//! see `RuleSet::fingerprint`) under the folder of rulegate's build (see
//! [`crate::store`]). Each file's result is an entry of its own, so a
//! pre-commit run on one file reads and writes one entry, whatever the size
//! of the repository.
//!
//! Dates are never frozen: a result that depended on the date (a file with
//! dated suppressions or covered by a central exception, or with a fix a
//! script computed) is reused only on the day it was computed. A missing,
//! corrupt or foreign entry is ignored; the run then simply checks.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::file::FileResult;
use crate::dates::Date;
use crate::finding::Finding;
use crate::suppress::SuppressionRecord;

/// What is kept of one file's check.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// The file's path (an entry's name is a digest of it).
    path: String,
    content: u64,
    /// The day the result holds for, if it depends on the date.
    day: Option<String>,
    findings: Vec<Finding>,
    records: Vec<SuppressionRecord>,
    exceptions_used: BTreeSet<usize>,
    exceptions_in_scope: BTreeSet<usize>,
    error_regions: Vec<Range<usize>>,
    parsed: bool,
    /// What the result depended on besides the file (imports resolved,
    /// modules read): the entry holds only while all of it does.
    deps: Vec<crate::deps::Fact>,
}

/// The cache of one run (shared by the worker threads).
#[derive(Debug)]
pub struct Cache {
    root: PathBuf,
    /// The folder of this rule set's entries.
    folder: PathBuf,
    today: String,
    /// Checks entries' dependencies, each path once per run.
    validator: crate::deps::Validator,
}

impl Cache {
    /// Opens the cache for a run with rules `fingerprint` at `root`.
    pub fn open(root: &Path, fingerprint: u64, today: Date) -> Self {
        Self {
            root: root.to_path_buf(),
            folder: crate::store::build_folder(root).join(format!("results-{fingerprint:016x}")),
            today: today.to_string(),
            validator: Default::default(),
        }
    }

    fn entry_file(&self, rel: &str) -> PathBuf {
        self.folder
            .join(format!("{:016x}.json", crate::hash::digest(rel.as_bytes())))
    }

    /// The cached result of `rel` whose bytes hash to `content`, if still
    /// valid today (facts about the run's indexes as `indexes` answers).
    pub fn get(
        &self,
        rel: &str,
        content: u64,
        indexes: &dyn crate::deps::Indexes,
    ) -> Option<FileResult> {
        let e: Entry = crate::store::read(&self.entry_file(rel))?;
        if e.path != rel || e.content != content || e.day.as_ref().is_some_and(|d| *d != self.today)
        {
            return None;
        }
        if !self.validator.all_hold_in(&e.deps, indexes) {
            return None;
        }
        Some(FileResult {
            path: rel.into(),
            findings: e.findings,
            records: e.records,
            exceptions_used: e.exceptions_used,
            exceptions_in_scope: e.exceptions_in_scope,
            error_regions: e.error_regions,
            parsed: e.parsed,
            deps: e.deps,
            ..Default::default()
        })
    }

    /// Records a fresh result for `rel` whose bytes hash to `content`.
    pub fn put(&self, rel: &str, content: u64, r: &FileResult) {
        let dated = !r.exceptions_in_scope.is_empty()
            || r.records.iter().any(|x| x.expires.is_some())
            || r.findings.iter().any(|f| f.fix.is_some());
        let entry = Entry {
            path: rel.to_string(),
            content,
            day: dated.then(|| self.today.clone()),
            findings: r.findings.clone(),
            records: r.records.clone(),
            exceptions_used: r.exceptions_used.clone(),
            exceptions_in_scope: r.exceptions_in_scope.clone(),
            error_regions: r.error_regions.clone(),
            parsed: r.parsed,
            deps: r.deps.clone(),
        };
        crate::store::write(&self.root, &self.entry_file(rel), &entry);
    }
}
