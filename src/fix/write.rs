//! Writing fixed files safely: through a temporary file in the same folder
//! and a rename, keeping permissions, and never over a file that changed on
//! disk since it was read.

use std::io::Write;
use std::path::Path;

/// Why a fixed file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Someone changed the file after rulegate read it.
    #[error("{0} changed on disk since it was read; not written (run rulegate again)")]
    ChangedOnDisk(String),
    /// The write itself failed.
    #[error("cannot write {0}: {1}")]
    Io(String, std::io::Error),
}

/// Writes `new` to `path` atomically if the file still holds `original`.
pub fn write_if_unchanged(path: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let shown = path.display().to_string();
    let current = std::fs::read(path).map_err(|e| WriteError::Io(shown.clone(), e))?;
    if current != original {
        return Err(WriteError::ChangedOnDisk(shown));
    }
    if current == new {
        return Ok(());
    }
    let io = |e| WriteError::Io(shown.clone(), e);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(path).map_err(io)?.permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".rulegate-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(new).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    std::fs::set_permissions(tmp.path(), permissions).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
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
        write_if_unchanged(&p, b"old\n", b"new\n").unwrap();
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
        let err = write_if_unchanged(&p, b"old\n", b"new\n").unwrap_err();
        assert!(matches!(err, WriteError::ChangedOnDisk(_)));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "changed\n");
    }
}
