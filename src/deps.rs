//! What a file's result depended on beyond its own bytes: every path the
//! module resolver probed (and whether it was a file, a folder or nothing),
//! and the content of every module whose symbol table was read. The cache
//! reuses a result only while all of these still hold, so a change to one
//! module invalidates exactly its dependents.
//!
//! A check records facts into the [`Recorder`] of the file it checks,
//! reached through a [`Deps`] handle that the check passes down (the
//! project view of `FileCtx`, the resolver, the symbol tables). A run
//! without a cache passes [`Deps::NONE`]: nothing is built or recorded.

mod listing;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

pub use listing::Listings;

use serde::{Deserialize, Serialize};

/// What was found at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// Nothing (or something that is neither a file nor a folder).
    Absent,
    /// A regular file.
    File,
    /// A folder.
    Dir,
}

/// One thing a result depended on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fact {
    /// What `path` was when probed.
    Probed {
        /// Absolute path.
        path: String,
        /// What was there.
        kind: Kind,
    },
    /// The digest of the decoded text (BOM excluded) of a file that was read
    /// (`None`: unreadable).
    Content {
        /// Absolute path.
        path: String,
        /// Its digest.
        hash: Option<u64>,
    },
    /// Whether folder `dir` held a compiled extension module `stem`.
    Extension {
        /// Absolute path of the folder.
        dir: String,
        /// The module's name.
        stem: String,
        /// Whether one was there.
        found: bool,
    },
    /// The other places in the project of a value that a `unique` rule
    /// found in the file (SPEC §3.5): their digest, as the run's index
    /// gives it ([`Indexes::unique`]).
    Unique {
        /// The rule's id.
        rule: String,
        /// The value, as the unique index gives it (`unique::value_of` in matching).
        value: String,
        /// The file whose own places are left out.
        file: String,
        /// The digest of the other places.
        others: u64,
    },
}

/// What a project-wide index of the run says, for the facts about it
/// (which the file system alone cannot check).
pub trait Indexes: Sync {
    /// The digest of the places of `value` under the `unique` rule `rule`
    /// outside `file` (`None`: no such rule in this run).
    fn unique(&self, rule: &str, value: &str, file: &str) -> Option<u64>;
}

/// The facts one file's check depended on, in the order they were found.
/// (A mutex, never contended: a check records on its own thread, but the
/// checker that reaches it is shared by the pass's threads.)
#[derive(Debug, Default)]
pub struct Recorder {
    facts: Mutex<Vec<Fact>>,
}

impl Recorder {
    /// The facts recorded, each once, in order.
    pub fn finish(self) -> Vec<Fact> {
        let mut facts = self.facts.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut seen = std::collections::HashSet::new();
        facts.retain(|f| seen.insert(f.clone()));
        facts
    }
}

/// Where a check's facts go: the recorder of the file being checked, or
/// nowhere (a run without a cache, which has no use for them).
#[derive(Debug, Clone, Copy, Default)]
pub struct Deps<'a>(Option<&'a Recorder>);

impl<'a> Deps<'a> {
    /// Records nothing.
    pub const NONE: Deps<'static> = Deps(None);

    /// Records into `recorder`.
    pub fn to(recorder: &'a Recorder) -> Self {
        Self(Some(recorder))
    }

    /// Whether facts are recorded.
    pub fn on(self) -> bool {
        self.0.is_some()
    }

    /// Records the fact `fact` builds (built only when recording).
    pub fn record(self, fact: impl FnOnce() -> Fact) {
        if let Some(mut facts) = self.0.and_then(|r| r.facts.lock().ok()) {
            facts.push(fact());
        }
    }

    /// Records `facts`.
    pub fn extend(self, facts: &[Fact]) {
        if let Some(mut list) = self.0.and_then(|r| r.facts.lock().ok()) {
            list.extend_from_slice(facts);
        }
    }

    /// What is at `path` now (recorded).
    pub fn probe(self, path: &Path) -> Kind {
        self.probed(path, kind_of(path))
    }

    /// Records that `kind` was found at `path` (by a listing of its
    /// folder), and returns it.
    pub fn probed(self, path: &Path, kind: Kind) -> Kind {
        self.record(|| Fact::Probed {
            path: path.to_string_lossy().into_owned(),
            kind,
        });
        kind
    }

    /// Whether `dir` holds a compiled extension module named `stem`
    /// (`stem.so`, `stem.pyd`, or with an ABI tag: `stem.cpython-311-x86_64-linux-gnu.so`),
    /// which Python imports as it would `stem.py` (recorded).
    pub fn extension_module(self, dir: &Path, stem: &str) -> bool {
        let found = has_extension(dir, stem);
        self.record(|| Fact::Extension {
            dir: dir.to_string_lossy().into_owned(),
            stem: stem.to_string(),
            found,
        });
        found
    }

    /// Records that the text of `path` with digest `hash` was read.
    pub fn read(self, path: &Path, hash: Option<u64>) {
        self.record(|| Fact::Content {
            path: path.to_string_lossy().into_owned(),
            hash,
        });
    }
}

/// What `std::fs::metadata` says is at `path`.
pub fn kind_of(path: &Path) -> Kind {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Kind::File,
        Ok(m) if m.is_dir() => Kind::Dir,
        _ => Kind::Absent,
    }
}

fn has_extension(dir: &Path, stem: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let prefix = format!("{stem}.");
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with(&prefix)
            && (name.ends_with(".so") || name.ends_with(".pyd"))
            && !name[prefix.len()..].contains('/')
            && e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink())
    })
}

/// Checks facts against the file system, each path at most once per run
/// (probes as module resolution makes them: from folder listings).
#[derive(Debug, Default)]
pub struct Validator {
    listings: Listings,
    hashes: Mutex<HashMap<String, Option<u64>>>,
}

impl Validator {
    /// Whether every fact still holds (a fact about an index does not:
    /// see [`Validator::all_hold_in`]).
    #[cfg(test)]
    pub fn all_hold(&self, facts: &[Fact]) -> bool {
        facts.iter().all(|f| self.holds(f, None))
    }

    /// Whether every fact still holds, those about an index as `indexes`
    /// answers.
    pub fn all_hold_in(&self, facts: &[Fact], indexes: &dyn Indexes) -> bool {
        facts.iter().all(|f| self.holds(f, Some(indexes)))
    }

    fn holds(&self, fact: &Fact, indexes: Option<&dyn Indexes>) -> bool {
        match fact {
            Fact::Unique {
                rule,
                value,
                file,
                others,
            } => indexes.and_then(|i| i.unique(rule, value, file)) == Some(*others),
            Fact::Probed { path, kind } => self.listings.kind(Path::new(path)) == *kind,
            Fact::Content { path, hash } => {
                let now = self.hashes.lock().ok().map(|mut m| {
                    *m.entry(path.clone()).or_insert_with(|| {
                        crate::source::read_body(Path::new(path))
                            .ok()
                            .map(|text| crate::hash::digest(text.as_bytes()))
                    })
                });
                now.as_ref() == Some(hash)
            }
            Fact::Extension { dir, stem, found } => has_extension(Path::new(dir), stem) == *found,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_recorded_only_into_a_recorder_and_checked_later() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.py");
        std::fs::write(&a, "x = 1\n").unwrap();
        assert_eq!(Deps::NONE.probe(&a), Kind::File); // not recording: dropped
        let recorder = Recorder::default();
        let deps = Deps::to(&recorder);
        deps.read(&a, Some(crate::hash::digest(b"x = 1\n")));
        assert_eq!(deps.probe(&dir.path().join("b.py")), Kind::Absent);
        deps.probe(&dir.path().join("b.py")); // recorded once
        let facts = recorder.finish();
        assert_eq!(facts.len(), 2);
        assert!(Validator::default().all_hold(&facts));
        std::fs::write(dir.path().join("b.py"), "").unwrap();
        assert!(!Validator::default().all_hold(&facts), "b.py now exists");
        std::fs::remove_file(dir.path().join("b.py")).unwrap();
        std::fs::write(&a, "x = 2\n").unwrap();
        assert!(!Validator::default().all_hold(&facts), "a.py changed");
    }

    #[test]
    fn extension_modules_are_found_and_their_arrival_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder::default();
        let found = Deps::to(&recorder).extension_module(dir.path(), "_speedups");
        assert!(!found);
        let facts = recorder.finish();
        assert_eq!(facts.len(), 1);
        assert!(Validator::default().all_hold(&facts));
        std::fs::write(
            dir.path().join("_speedups.cpython-311-x86_64-linux-gnu.so"),
            "",
        )
        .unwrap();
        assert!(
            !Validator::default().all_hold(&facts),
            "the extension arrived"
        );
        assert!(Deps::NONE.extension_module(dir.path(), "_speedups"));
        assert!(!Deps::NONE.extension_module(dir.path(), "_speed"));
    }
}
