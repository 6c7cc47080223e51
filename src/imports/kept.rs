//! The static imports of modules a check reads but does not check (IMP002's
//! graph reaches every module a file imports, transitively), kept across
//! runs in the cache folder by the digest of the module's text: a pre-commit
//! run on one edited file then scans and parses none of the others again.
//! What a text's imports are depends on that text alone, and the folder is
//! keyed by rulegate's build, so a kept list is the list a scan would give.

use std::path::PathBuf;
use std::sync::Mutex;

use super::ImportSite;

/// Import lists by content digest, read from and written to the cache folder.
#[derive(Debug, Default)]
pub struct KeptImports {
    /// The project root and the folder (`None`: a run without a cache).
    store: Option<(PathBuf, PathBuf)>,
    /// Lists computed this run, written by [`KeptImports::save`].
    to_keep: Mutex<Vec<(u64, Vec<ImportSite>)>>,
}

impl KeptImports {
    /// Lists of the project at `root`, kept when `store` is on.
    pub fn new(root: &std::path::Path, store: bool) -> Self {
        Self {
            store: store.then(|| {
                (
                    root.to_path_buf(),
                    crate::store::build_folder(root).join("imports"),
                )
            }),
            to_keep: Mutex::default(),
        }
    }

    fn file(&self, hash: u64) -> Option<(&std::path::Path, PathBuf)> {
        let (root, folder) = self.store.as_ref()?;
        Some((root, folder.join(format!("{hash:016x}.json"))))
    }

    /// The imports of the text with digest `hash`: kept, else `compute`d
    /// (and kept at the end of the run).
    pub fn get_or(&self, hash: u64, compute: impl FnOnce() -> Vec<ImportSite>) -> Vec<ImportSite> {
        let Some((_, file)) = self.file(hash) else {
            return compute();
        };
        if let Some(sites) = crate::store::read::<Vec<ImportSite>>(&file) {
            return sites;
        }
        let sites = compute();
        if let Ok(mut k) = self.to_keep.lock() {
            k.push((hash, sites.clone()));
        }
        sites
    }

    /// Writes the lists this run computed that the folder does not hold.
    pub fn save(&self) {
        let Ok(mut to_keep) = self.to_keep.lock() else {
            return;
        };
        for (hash, sites) in to_keep.drain(..) {
            if let Some((root, file)) = self.file(hash)
                && !file.exists()
            {
                crate::store::write(root, &file, &sites);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_computed_once_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let text = "import os\nfrom a.b import c as d\n";
        let sites = crate::imports::scan::static_imports(text).unwrap();
        let kept = KeptImports::new(dir.path(), true);
        assert_eq!(kept.get_or(7, || sites.clone()), sites);
        kept.save();
        // Another run reads it back, and does not compute it.
        let next = KeptImports::new(dir.path(), true);
        assert_eq!(next.get_or(7, || panic!("read back, not computed")), sites);
        // Without a store, always computed.
        let none = KeptImports::new(dir.path(), false);
        assert_eq!(none.get_or(7, Vec::new), Vec::new());
    }
}
