//! Writes stay inside the repository (SPEC §8): a path whose nearest
//! existing ancestor resolves, through symlinks, to a place outside the
//! project root is refused, and so is a dangling symlink (writing through
//! it would create its target, wherever that is). A cloned repository can
//! ship such links; following them would let `rulegate lint` overwrite a
//! user's files.

use std::path::{Path, PathBuf};

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Outside {
    /// The path resolves outside the root.
    #[error("{path} leads out of the repository (to {target}) through a symlink; not written")]
    Escapes {
        /// The path as given.
        path: String,
        /// Where it resolves.
        target: String,
    },
    /// The path is a symlink to nothing.
    #[error(
        "{0} is a dangling symlink; not written (remove it, or point it inside the repository)"
    )]
    Dangling(String),
}

/// Checks that writing `path` stays inside `root`.
pub fn check(root: &Path, path: &Path) -> Result<(), Outside> {
    let shown = || path.display().to_string();
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut probe: PathBuf = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    loop {
        match std::fs::symlink_metadata(&probe) {
            Ok(meta) => {
                let Ok(real) = std::fs::canonicalize(&probe) else {
                    return if meta.file_type().is_symlink() {
                        Err(Outside::Dangling(probe.display().to_string()))
                    } else {
                        Ok(()) // unreadable, not a link: the write reports it
                    };
                };
                return if real.starts_with(&root) {
                    Ok(())
                } else {
                    Err(Outside::Escapes {
                        path: shown(),
                        target: real.display().to_string(),
                    })
                };
            }
            Err(_) => {
                if !probe.pop() {
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_out_of_the_root_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        let repo = tempfile::tempdir().unwrap();
        let root = repo.path();
        std::fs::create_dir(root.join("pkg")).unwrap();
        std::fs::write(outside.path().join("victim"), "x").unwrap();
        symlink(outside.path(), root.join("out")).unwrap();
        symlink(outside.path().join("victim"), root.join("file")).unwrap();
        symlink(root.join("pkg"), root.join("alias")).unwrap();
        symlink(root.join("nowhere"), root.join("dangling")).unwrap();

        assert_eq!(check(root, &root.join("pkg/new.py")), Ok(()));
        assert_eq!(
            check(root, &root.join("a/b/c.py")),
            Ok(()),
            "missing folders"
        );
        assert_eq!(
            check(root, &root.join("alias/x.py")),
            Ok(()),
            "a link inside"
        );
        assert!(matches!(
            check(root, &root.join("out/x.py")),
            Err(Outside::Escapes { .. })
        ));
        assert!(matches!(
            check(root, &root.join("out/sub/x.py")),
            Err(Outside::Escapes { .. })
        ));
        assert!(matches!(
            check(root, &root.join("file")),
            Err(Outside::Escapes { .. })
        ));
        assert!(matches!(
            check(root, &root.join("dangling")),
            Err(Outside::Dangling(_))
        ));
    }
}
