//! Opens answered from `lint`'s result cache (`crate::lint::cache`): the
//! first lint of a document under a run looks its text up by content
//! digest, under the run's rules fingerprint and date, with every
//! dependency fact re-validated, exactly as `lint` does; a hit is the
//! answer a fresh lint would give ("a cache is a promise of the same
//! answer"). A version the server lints itself is stored the way `lint`
//! stores it, but only when the text is the file on disk: unsaved text is
//! never written, and later keystrokes neither look up nor record facts.
//! Neither happens once a lint of the run has read unsaved text, which the
//! run's shared tables and import graph may then hold (see
//! `linting::schedule`).

use std::path::Path;

use crate::deps::{Deps, Recorder};
use crate::lint::cache::Cache;
use crate::lint::file::FileResult;
use crate::run::Run;

/// The cache of `run`'s project for one lint (a fresh one each time: its
/// validator remembers each dependency it checked, which an editor session
/// outlives), or `None` when the cache folder is not usable (a symlink out
/// of the repository).
pub(super) fn open(run: &Run) -> Option<Cache> {
    crate::store::check_folder(&run.config.root)
        .is_ok()
        .then(|| Cache::open(&run.config.root, run.rules.fingerprint, run.today))
}

/// The key of `text`: the digest `lint` computes of the file's bytes.
pub(super) fn digest(text: &str) -> u64 {
    crate::hash::digest(text.as_bytes())
}

/// Whether `text` is byte for byte the file at `path` (what `lint` would read).
pub(super) fn on_disk(path: &Path, text: &str) -> bool {
    crate::source::read_regular(path).is_ok_and(|bytes| bytes == text.as_bytes())
}

/// Where a lint that will be stored records its dependency facts.
pub(super) struct Store {
    cache: Cache,
    digest: u64,
    recorder: Recorder,
}

impl Store {
    /// A store of the result of `text` into `cache`.
    pub fn new(cache: Cache, text: &str) -> Self {
        Self {
            cache,
            digest: digest(text),
            recorder: Recorder::default(),
        }
    }

    /// The handle the check records its facts through.
    pub fn deps(&self) -> Deps<'_> {
        Deps::to(&self.recorder)
    }

    /// Stores `result` of file `rel` with the facts recorded (a check that
    /// failed inside rulegate is not stored, as in `lint`).
    pub fn put(self, rel: &str, result: &mut FileResult) {
        if result.internal_error {
            return;
        }
        result.deps = self.recorder.finish();
        self.cache.put(rel, self.digest, result);
    }
}
