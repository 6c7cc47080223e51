//! What the folders that module resolution looks in hold, each read once:
//! resolving `a.b` asks for `a/b/__init__.py`, `a/b.py`, `a/b.pyi` and
//! `a/b` under every import root, and most of these are not there. One
//! `stat` each was 21,000 system calls on the stdlib (17,000 of them
//! failing), over 1% of a lint's time; reading the few folders they are in
//! costs a few hundred.
//!
//! Names are compared exactly, as Python's import system compares them (it
//! lists folders too, so that `import pkg.MOD` does not load `pkg/mod.py`
//! on a file system that ignores case, where a `stat` would find it). The
//! cache's validation asks the same way, so a recorded probe holds. A
//! listing is kept until [`Listings::forget`]: for a run, or for one lint
//! of the language server.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::{Kind, kind_of};

/// A folder's entries that are files or folders (links followed).
type Entries = foldhash::HashMap<OsString, Kind>;

/// What reading a folder gave.
#[derive(Debug, Clone)]
enum Listing {
    /// Its entries.
    Read(Arc<Entries>),
    /// No such folder: nothing is in it.
    Missing,
    /// It could not be listed (permissions): each path in it is asked.
    Unlistable,
}

/// The folders read so far.
#[derive(Debug, Default)]
pub struct Listings {
    /// Below this folder, a folder its parent does not hold is not opened
    /// (empty: every folder is opened).
    within: PathBuf,
    dirs: RwLock<foldhash::HashMap<OsString, Listing>>,
}

impl Listings {
    /// Listings that, below `root`, read a folder only when its parent
    /// holds it (most probes of `a/b/c` are in folders that are not there
    /// either); above it, no parent is read (a home folder may be large).
    pub fn within(root: &Path) -> Self {
        Self {
            within: root.to_path_buf(),
            dirs: RwLock::default(),
        }
    }

    /// What is at `path`: what `std::fs::metadata` says of it, from the
    /// listing of its folder, names compared exactly.
    pub fn kind(&self, path: &Path) -> Kind {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return kind_of(path);
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        // A folder read before is answered under the read lock: no clone
        // of its listing (whose count both threads of a pass would bump).
        let known = self
            .dirs
            .read()
            .ok()
            .and_then(|d| match d.get(dir.as_os_str())? {
                Listing::Read(entries) => Some(entries.get(name).copied().unwrap_or(Kind::Absent)),
                Listing::Missing => Some(Kind::Absent),
                Listing::Unlistable => None,
            });
        if let Some(kind) = known {
            return kind;
        }
        match self.listing(dir) {
            Listing::Read(entries) => entries.get(name).copied().unwrap_or(Kind::Absent),
            Listing::Missing => Kind::Absent,
            Listing::Unlistable => kind_of(path),
        }
    }

    /// Forgets every listing (files may have come or gone since).
    pub fn forget(&self) {
        if let Ok(mut dirs) = self.dirs.write() {
            dirs.clear();
        }
    }

    fn listing(&self, dir: &Path) -> Listing {
        let key = dir.as_os_str();
        if let Some(hit) = self.dirs.read().ok().and_then(|d| d.get(key).cloned()) {
            return hit;
        }
        let below = !self.within.as_os_str().is_empty()
            && dir.starts_with(&self.within)
            && dir != self.within;
        let listing = if below && self.kind(dir) != Kind::Dir {
            Listing::Missing
        } else {
            read(dir)
        };
        if let Ok(mut dirs) = self.dirs.write() {
            dirs.entry(key.to_os_string()).or_insert(listing).clone()
        } else {
            listing
        }
    }
}

/// Reads folder `dir`.
fn read(dir: &Path) -> Listing {
    match std::fs::read_dir(dir) {
        Ok(entries) => Listing::Read(Arc::new(
            entries
                .flatten()
                .map(|e| {
                    let kind = match e.file_type() {
                        Ok(t) if t.is_file() => Kind::File,
                        Ok(t) if t.is_dir() => Kind::Dir,
                        Ok(t) if !t.is_symlink() => Kind::Absent,
                        // A link (followed), or a type to ask for.
                        _ => kind_of(&e.path()),
                    };
                    (e.file_name(), kind)
                })
                .collect(),
        )),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Listing::Missing
        }
        Err(_) => Listing::Unlistable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_answers_as_metadata_does() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("pkg/sub")).unwrap();
        std::fs::write(root.join("pkg/__init__.py"), "").unwrap();
        std::fs::write(root.join("pkg/mod.py"), "").unwrap();
        std::fs::write(root.join("top.pyi"), "").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("pkg/mod.py"), root.join("link.py")).unwrap();
            std::os::unix::fs::symlink(root.join("pkg"), root.join("linked")).unwrap();
            std::os::unix::fs::symlink(root.join("gone.py"), root.join("broken.py")).unwrap();
        }
        for listings in [Listings::within(root), Listings::default()] {
            for rel in [
                "pkg",
                "pkg/__init__.py",
                "pkg/__init__.pyi",
                "pkg/mod.py",
                "pkg/MOD.py",
                "pkg/sub",
                "pkg/sub/x.py",
                "pkg/mod.py/x",
                "top.pyi",
                "top.py",
                "nowhere/deeper/x.py",
                "link.py",
                "linked",
                "linked/mod.py",
                "broken.py",
                "pkg/../top.pyi",
                "pkg/./mod.py",
            ] {
                let path = root.join(rel);
                let want = if rel == "pkg/MOD.py" {
                    Kind::Absent // even where the file system ignores case
                } else {
                    kind_of(&path)
                };
                assert_eq!(listings.kind(&path), want, "{rel}");
            }
        }
        // Read once: a file made since is seen once the listings are forgotten.
        let listings = Listings::within(root);
        assert_eq!(listings.kind(&root.join("pkg/new.py")), Kind::Absent);
        std::fs::write(root.join("pkg/new.py"), "").unwrap();
        assert_eq!(listings.kind(&root.join("pkg/new.py")), Kind::Absent);
        listings.forget();
        assert_eq!(listings.kind(&root.join("pkg/new.py")), Kind::File);
        // A relative path is under the working folder.
        assert_eq!(
            Listings::default().kind(Path::new("Cargo.toml")),
            Kind::File
        );
        assert_eq!(Listings::default().kind(Path::new("src")), Kind::Dir);
    }
}
