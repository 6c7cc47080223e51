//! What a file's result depended on beyond its own bytes: every path the
//! module resolver probed (and whether it was a file, a folder or nothing),
//! and the content of every module whose symbol table was read. The cache
//! reuses a result only while all of these still hold, so a change to one
//! module invalidates exactly its dependents.
//!
//! Checks record facts into a per-thread recorder while a file is checked
//! ([`track`]); code deep in the resolver or the symbol tables calls
//! [`record`] without threading a collector through every signature.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

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
}

thread_local! {
    static RECORDER: RefCell<Option<Vec<Fact>>> = const { RefCell::new(None) };
}

/// Whether anyone will read the facts (a run with a cache): recording
/// costs allocations and content digests that a run without one does not
/// need.
static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns recording on or off for this process.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether facts are recorded.
pub fn enabled() -> bool {
    ENABLED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs `f`, returning what it depended on (deduplicated, in order).
pub fn track<R>(f: impl FnOnce() -> R) -> (R, Vec<Fact>) {
    if !enabled() {
        return (f(), Vec::new());
    }
    let outer = RECORDER.with(|r| r.borrow_mut().replace(Vec::new()));
    let result = f();
    let mut facts = RECORDER
        .with(|r| std::mem::replace(&mut *r.borrow_mut(), outer))
        .unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    facts.retain(|f| seen.insert(f.clone()));
    (result, facts)
}

/// Records `fact` for the file being checked on this thread, if any.
pub fn record(fact: Fact) {
    RECORDER.with(|r| {
        if let Some(list) = r.borrow_mut().as_mut() {
            list.push(fact);
        }
    });
}

/// What is at `path` now (recorded).
pub fn probe(path: &Path) -> Kind {
    let kind = kind_of(path);
    record(Fact::Probed {
        path: path.to_string_lossy().into_owned(),
        kind,
    });
    kind
}

fn kind_of(path: &Path) -> Kind {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Kind::File,
        Ok(m) if m.is_dir() => Kind::Dir,
        _ => Kind::Absent,
    }
}

/// Whether `dir` holds a compiled extension module named `stem`
/// (`stem.so`, `stem.pyd`, or with an ABI tag: `stem.cpython-311-x86_64-linux-gnu.so`),
/// which Python imports as it would `stem.py` (recorded).
pub fn extension_module(dir: &Path, stem: &str) -> bool {
    let found = has_extension(dir, stem);
    record(Fact::Extension {
        dir: dir.to_string_lossy().into_owned(),
        stem: stem.to_string(),
        found,
    });
    found
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

/// Records that the text of `path` with digest `hash` was read.
pub fn read(path: &Path, hash: Option<u64>) {
    record(Fact::Content {
        path: path.to_string_lossy().into_owned(),
        hash,
    });
}

/// Checks facts against the file system, each path at most once per run.
#[derive(Debug, Default)]
pub struct Validator {
    kinds: Mutex<HashMap<String, Kind>>,
    hashes: Mutex<HashMap<String, Option<u64>>>,
}

impl Validator {
    /// Whether every fact still holds.
    pub fn all_hold(&self, facts: &[Fact]) -> bool {
        facts.iter().all(|f| self.holds(f))
    }

    fn holds(&self, fact: &Fact) -> bool {
        match fact {
            Fact::Probed { path, kind } => {
                let now = *self
                    .kinds
                    .lock()
                    .map(|mut m| {
                        *m.entry(path.clone())
                            .or_insert_with(|| kind_of(Path::new(path)))
                    })
                    .as_ref()
                    .unwrap_or(&Kind::Absent);
                now == *kind
            }
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
    fn facts_are_recorded_only_while_tracking_and_checked_later() {
        set_enabled(true);
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.py");
        std::fs::write(&a, "x = 1\n").unwrap();
        probe(&a); // not tracking: dropped
        let (kind, facts) = track(|| {
            read(&a, Some(crate::hash::digest(b"x = 1\n")));
            probe(&dir.path().join("b.py"))
        });
        assert_eq!(kind, Kind::Absent);
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
        set_enabled(true);
        let dir = tempfile::tempdir().unwrap();
        let (found, facts) = track(|| extension_module(dir.path(), "_speedups"));
        assert!(!found);
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
        assert!(extension_module(dir.path(), "_speedups"));
        assert!(!extension_module(dir.path(), "_speed"));
    }
}
