//! The result cache: per-file check results in `.rulegate_cache/`, keyed by
//! the file's content hash and by the run's rules and config (their texts
//! and rulegate's version, see `RuleSet::fingerprint`).
//!
//! Dates are never frozen: a result that depended on the date (a file with
//! dated suppressions or covered by a central exception, or with a fix a
//! script computed) is reused only on the day it was computed. A missing,
//! corrupt or foreign cache file is ignored; the run then simply checks.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::file::FileResult;
use crate::dates::Date;
use crate::finding::Finding;
use crate::suppress::SuppressionRecord;

/// The cache folder, relative to the project root.
pub const FOLDER: &str = ".rulegate_cache";

/// What is kept of one file's check.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
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
    file: PathBuf,
    today: String,
    entries: Mutex<HashMap<String, Entry>>,
    dirty: Mutex<bool>,
    /// Checks entries' dependencies, each path once per run.
    validator: crate::deps::Validator,
}

impl Cache {
    /// Opens the cache for a run with rules `fingerprint` at `root`.
    pub fn open(root: &Path, fingerprint: u64, today: Date) -> Self {
        let file = root
            .join(FOLDER)
            .join(format!("results-{fingerprint:016x}.json"));
        let entries = crate::source::read_regular(&file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Self {
            file,
            today: today.to_string(),
            entries: Mutex::new(entries),
            dirty: Mutex::new(false),
            validator: Default::default(),
        }
    }

    /// The cached result of `rel` whose bytes hash to `content`, if still valid today.
    pub fn get(&self, rel: &str, content: u64) -> Option<FileResult> {
        let entries = self.entries.lock().ok()?;
        let e = entries.get(rel)?;
        if e.content != content || e.day.as_ref().is_some_and(|d| *d != self.today) {
            return None;
        }
        if !self.validator.all_hold(&e.deps) {
            return None;
        }
        Some(FileResult {
            path: rel.into(),
            findings: e.findings.clone(),
            records: e.records.clone(),
            exceptions_used: e.exceptions_used.clone(),
            exceptions_in_scope: e.exceptions_in_scope.clone(),
            error_regions: e.error_regions.clone(),
            parsed: e.parsed,
            deps: e.deps.clone(),
            ..Default::default()
        })
    }

    /// Records a fresh result for `rel` whose bytes hash to `content`.
    pub fn put(&self, rel: &str, content: u64, r: &FileResult) {
        let dated = !r.exceptions_in_scope.is_empty()
            || r.records.iter().any(|x| x.expires.is_some())
            || r.findings.iter().any(|f| f.fix.is_some());
        let entry = Entry {
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
        if let (Ok(mut entries), Ok(mut dirty)) = (self.entries.lock(), self.dirty.lock()) {
            entries.insert(rel.to_string(), entry);
            *dirty = true;
        }
    }

    /// Writes the cache if it changed (a folder git ignores by itself, and
    /// a temporary file renamed into place so readers never see half a file).
    /// Failing to write only costs speed next time, so errors are ignored.
    pub fn save(&self) {
        if !self.dirty.lock().is_ok_and(|d| *d) {
            return;
        }
        let Some(folder) = self.file.parent() else {
            return;
        };
        if std::fs::create_dir_all(folder).is_err() {
            return;
        }
        let _ = std::fs::write(folder.join(".gitignore"), "*\n");
        let Ok(entries) = self.entries.lock() else {
            return;
        };
        let Ok(bytes) = serde_json::to_vec(&*entries) else {
            return;
        };
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(folder) {
            use std::io::Write;
            if tmp.write_all(&bytes).is_ok() {
                let _ = tmp.persist(&self.file);
            }
        }
    }
}
