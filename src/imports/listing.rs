//! What the folders that module resolution looks in hold, each read once
//! per resolver: resolving `a.b` asks for `a/b/__init__.py`, `a/b.py`,
//! `a/b.pyi` and `a/b` under every import root, and most of these are not
//! there. One `stat` each was 21,000 system calls on the stdlib (17,000 of
//! them failing), over 1% of a lint's time; reading the few folders they
//! are in costs a few hundred.
//!
//! Names are compared exactly, as Python's import system compares them
//! (it lists folders too, so that `Foo.py` is not `foo` on a file system
//! that ignores case). A listing lives as long as its resolver, as the
//! resolver's answers do.

use std::ffi::OsString;
use std::path::Path;
use std::sync::{Arc, RwLock};

use crate::deps::{Kind, kind_of as metadata_kind};

/// A folder's entries that are files or folders (links followed).
type Entries = foldhash::HashMap<OsString, Kind>;

/// The folders read so far (`None`: not a readable folder, so nothing is in it).
#[derive(Debug, Default)]
pub struct Listings {
    dirs: RwLock<foldhash::HashMap<OsString, Option<Arc<Entries>>>>,
}

impl Listings {
    /// What is at `path`: what `std::fs::metadata` says of it, from the
    /// listing of its folder.
    pub fn kind(&self, path: &Path) -> Kind {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return metadata_kind(path);
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        match self.entries(dir) {
            Some(Some(entries)) => entries.get(name).copied().unwrap_or(Kind::Absent),
            Some(None) => Kind::Absent,
            // A folder that cannot be listed may still be searched.
            None => metadata_kind(path),
        }
    }

    /// The entries of `dir` (`Some(None)`: no such folder; `None`: it
    /// could not be listed).
    fn entries(&self, dir: &Path) -> Option<Option<Arc<Entries>>> {
        let key = dir.as_os_str();
        if let Some(hit) = self.dirs.read().ok()?.get(key) {
            return Some(hit.clone());
        }
        // A folder its parent does not hold is not opened (most probes of
        // `a/b/c` are in folders that are not there either).
        let listed = if dir.parent().is_some() && self.kind(dir) != Kind::Dir {
            None
        } else {
            match std::fs::read_dir(dir) {
                Ok(read) => Some(Arc::new(
                    read.flatten()
                        .filter_map(|e| {
                            let kind = match e.file_type().ok()? {
                                t if t.is_file() => Kind::File,
                                t if t.is_dir() => Kind::Dir,
                                t if t.is_symlink() => metadata_kind(&e.path()),
                                _ => Kind::Absent,
                            };
                            Some((e.file_name(), kind))
                        })
                        .collect(),
                )),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    None
                }
                Err(_) => return None,
            }
        };
        self.dirs
            .write()
            .ok()?
            .entry(key.to_os_string())
            .or_insert(listed)
            .clone()
            .into()
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
        let listings = Listings::default();
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
                metadata_kind(&path)
            };
            assert_eq!(listings.kind(&path), want, "{rel}");
        }
        // Read once: a file made since is not seen by this resolver.
        std::fs::write(root.join("pkg/new.py"), "").unwrap();
        assert_eq!(listings.kind(&root.join("pkg/new.py")), Kind::Absent);
        assert_eq!(
            Listings::default().kind(&root.join("pkg/new.py")),
            Kind::File
        );
    }
}
