//! Writing fixed files safely: through a temporary file in the same folder
//! and a rename, keeping permissions, never over a file that changed on disk
//! since it was read, never over a read-only file, and through a symlink to
//! its target (the link stays a link).
//!
//! The check for a concurrent writer is made as late as possible (just
//! before the rename) and again after it, on the original file's open
//! handle: bytes another process appended in between are put back and the
//! file is reported as not fixed.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why a fixed file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Someone changed the file after rulegate read it.
    #[error("{0} changed on disk since it was read; not written (run rulegate again)")]
    ChangedOnDisk(String),
    /// The file is read-only.
    #[error("{0} is read-only; not fixed (make it writable to fix it)")]
    ReadOnly(String),
    /// The write itself failed.
    #[error("cannot write {0}: {1}")]
    Io(String, std::io::Error),
    /// The path leads out of the repository through a symlink.
    #[error(transparent)]
    Outside(#[from] crate::fs_guard::Outside),
}

/// Writes `new` to `path` atomically if the file still holds `original`
/// and `path` does not lead out of `root` through a symlink.
pub fn write_if_unchanged(
    root: &Path,
    path: &Path,
    original: &[u8],
    new: &[u8],
) -> Result<(), WriteError> {
    crate::fs_guard::check(root, path)?;
    let shown = path.display().to_string();
    let io = |e| WriteError::Io(shown.clone(), e);
    // A symlink is fixed through to its target.
    let target: PathBuf = std::fs::canonicalize(path).map_err(io)?;
    let mut file = std::fs::File::open(&target).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let current = read_all(&mut file).map_err(io)?;
    if current != original {
        return Err(WriteError::ChangedOnDisk(shown));
    }
    if current == new {
        return Ok(());
    }
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly(shown));
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = temp_with(dir, new, Some(meta.permissions())).map_err(io)?;
    // As late as possible: the file as it is now must still be the original.
    let now = std::fs::metadata(&target).map_err(io)?;
    if now.len() != meta.len() || now.modified().ok() != meta.modified().ok() {
        return Err(WriteError::ChangedOnDisk(shown));
    }
    tmp.persist(&target).map_err(|e| io(e.error))?;
    // Bytes written to the old file between that check and the rename are
    // still reachable through our handle: put them back.
    let after = read_all(&mut file).map_err(io)?;
    if after != original {
        restore(&target, &after, &meta).map_err(io)?;
        return Err(WriteError::ChangedOnDisk(shown));
    }
    Ok(())
}

/// Writes a file a fix created (`created`) or moved here from `from`:
/// never over an existing file; a moved file's old place must still hold
/// `original`, and is removed once the new one is written.
pub fn write_new(
    root: &Path,
    to: &Path,
    new: &[u8],
    from: &Path,
    original: &[u8],
    created: bool,
) -> Result<(), WriteError> {
    crate::fs_guard::check(root, to)?;
    let shown = to.display().to_string();
    let io = |e| WriteError::Io(shown.clone(), e);
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "a file is already there; not overwritten",
        )));
    }
    let permissions = if created {
        None
    } else {
        if std::fs::read(from).map_err(io)? != original {
            return Err(WriteError::ChangedOnDisk(from.display().to_string()));
        }
        Some(std::fs::metadata(from).map_err(io)?.permissions())
    };
    let dir = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = temp_with(dir, new, permissions).map_err(io)?;
    tmp.persist_noclobber(to).map_err(|e| io(e.error))?;
    if !created {
        std::fs::remove_file(from).map_err(io)?;
    }
    Ok(())
}

/// Deletes the file at `path` if it still holds `original`: never a
/// symlink (the link, not what it names, would go), never through one that
/// leads out of `root`, never a file that changed since it was read.
pub fn delete_if_unchanged(root: &Path, path: &Path, original: &[u8]) -> Result<(), WriteError> {
    crate::fs_guard::check(root, path)?;
    let shown = path.display().to_string();
    let io = |e| WriteError::Io(shown.clone(), e);
    let meta = std::fs::symlink_metadata(path).map_err(io)?;
    if !meta.file_type().is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a symlink is never deleted); delete it by hand",
        )));
    }
    if std::fs::read(path).map_err(io)? != original {
        return Err(WriteError::ChangedOnDisk(shown));
    }
    std::fs::remove_file(path).map_err(io)
}

/// A temporary file in `dir` holding `bytes` (synced), with `permissions`,
/// ready to be renamed into place.
fn temp_with(
    dir: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".rulegate-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Some(p) = permissions {
        std::fs::set_permissions(tmp.path(), p)?;
    }
    Ok(tmp)
}

fn read_all(file: &mut std::fs::File) -> std::io::Result<Vec<u8>> {
    file.rewind()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Puts `bytes` (another writer's) back at `target`.
fn restore(target: &Path, bytes: &[u8], meta: &std::fs::Metadata) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let tmp = temp_with(dir, bytes, Some(meta.permissions()))?;
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.py");
        std::fs::write(&p, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o751)).unwrap();
        }
        write_if_unchanged(dir.path(), &p, b"old\n", b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o751);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn refuses_a_file_changed_since_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.py");
        std::fs::write(&p, "changed\n").unwrap();
        let err = write_if_unchanged(dir.path(), &p, b"old\n", b"new\n").unwrap_err();
        assert!(matches!(err, WriteError::ChangedOnDisk(_)));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "changed\n");
    }

    #[cfg(unix)]
    #[test]
    fn read_only_files_are_not_rewritten_and_links_stay_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.py");
        std::fs::write(&p, "old\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_if_unchanged(dir.path(), &p, b"old\n", b"new\n").unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly(_)), "{err}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");

        let target = dir.path().join("real.py");
        let link = dir.path().join("link.py");
        std::fs::write(&target, "old\n").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_if_unchanged(dir.path(), &link, b"old\n", b"new\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");

        // A link out of the repository is not written through.
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.py");
        std::fs::write(&victim, "old\n").unwrap();
        let out_link = dir.path().join("out.py");
        std::os::unix::fs::symlink(&victim, &out_link).unwrap();
        let err = write_if_unchanged(dir.path(), &out_link, b"old\n", b"new\n").unwrap_err();
        assert!(matches!(err, WriteError::Outside(_)), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "old\n");
        let err = write_new(
            dir.path(),
            &dir.path().join("via/new.py"),
            b"x",
            &victim,
            b"",
            true,
        );
        assert!(err.is_ok(), "a plain new folder inside");
        std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
        let err = write_new(
            dir.path(),
            &dir.path().join("linked/bridge.py"),
            b"x",
            &victim,
            b"",
            true,
        )
        .unwrap_err();
        assert!(matches!(err, WriteError::Outside(_)), "{err}");
        assert!(!outside.path().join("bridge.py").exists());
    }
}
