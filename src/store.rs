//! rulegate's on-disk cache folder, `.rulegate_cache/` under the project
//! root: where it is, the build identity every entry in it is keyed by, and
//! reads and atomic writes of its JSON entries. Three things live there:
//! per-file check results (`lint::cache`), symbol tables by content
//! (`symbols`) and the shapes of queries that compiled (`matching::known`).
//!
//! A missing, corrupt or foreign entry is ignored (the run computes it
//! again); failing to write one only costs speed next time. Whether a run
//! uses the stores is the run's choice (`Run::load_with_store`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The cache folder, relative to the project root.
pub const FOLDER: &str = ".rulegate_cache";

/// The identity of this build of rulegate: its version and its executable's
/// size and modification time, so that a rebuilt binary (a development
/// build keeps its version) never reads what another build wrote.
pub fn build_id() -> u64 {
    static ID: OnceLock<u64> = OnceLock::new();
    *ID.get_or_init(|| {
        let mut key = env!("CARGO_PKG_VERSION").to_string();
        if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
            key.push_str(&format!(" {}", meta.len()));
            if let Ok(t) = meta.modified()
                && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
            {
                key.push_str(&format!(" {}", d.as_nanos()));
            }
        }
        crate::hash::digest(key.as_bytes())
    })
}

/// The folder of this build's entries under the project `root`.
pub fn build_folder(root: &Path) -> PathBuf {
    root.join(FOLDER).join(format!("{:016x}", build_id()))
}

/// Whether the cache folder under `root` may be written: not when it (or
/// a folder on the way) leads out of the repository through a symlink.
pub fn check_folder(root: &Path) -> Result<(), crate::fs_guard::Outside> {
    crate::fs_guard::check(root, &build_folder(root).join("entry.json"))
}

/// Reads one JSON entry (`None`: absent, unreadable or not what it should be).
pub fn read<T: DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = crate::source::read_regular(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes one JSON entry atomically (a temporary file renamed into place, so
/// a reader never sees half of it), creating the cache folder and its
/// `.gitignore` first.
pub fn write<T: Serialize + ?Sized>(root: &Path, path: &Path, value: &T) {
    let Some(folder) = path.parent() else {
        return;
    };
    // Never through a link out of the repository (a cloned repository can
    // ship one); `check_folder` has warned about it once.
    if crate::fs_guard::check(root, path).is_err() {
        return;
    }
    if !folder.is_dir() {
        if std::fs::create_dir_all(folder).is_err() {
            return;
        }
        // Only where nothing is: a `.gitignore` that exists (or a link, even
        // a dangling one) is never written through.
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(root.join(FOLDER).join(".gitignore"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"*\n"));
    }
    let Ok(bytes) = serde_json::to_vec(value) else {
        return;
    };
    if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(folder) {
        use std::io::Write;
        if tmp.write_all(&bytes).is_ok() {
            let _ = tmp.persist(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_bad_ones_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = build_folder(dir.path()).join("x").join("a.json");
        write(dir.path(), &path, &vec![1u32, 2]);
        assert_eq!(read::<Vec<u32>>(&path), Some(vec![1, 2]));
        assert_eq!(
            std::fs::read_to_string(dir.path().join(FOLDER).join(".gitignore")).unwrap(),
            "*\n"
        );
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(read::<Vec<u32>>(&path), None);
        assert_eq!(read::<Vec<u32>>(&dir.path().join("absent.json")), None);
    }
}
