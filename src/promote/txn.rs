//! A promotion's writes as one transaction (SPEC §4.8, "all or nothing").
//!
//! Every new content is staged first, in the journal folder
//! `.rulegate-journal/` at the project root (inside the repository, so every
//! rename stays on one file system and nothing is written through a symlink
//! out of it). Then the journal lists every operation, and only then do the
//! renames start: each target that exists goes to `backup/N`, each staged
//! file to its target. A failure rulegate sees rolls back at once; a killed
//! process leaves the journal, and the next run ([`recover`]) rolls it back
//! (state `committing`) or finishes its cleanup (state `committed`).
//!
//! A batch commits several steps into one journal: a later failure rolls
//! back the earlier steps too, newest first, so a file touched twice gets
//! its first backup last.
//!
//! Testing only: `RULEGATE_TEST_KILL_AT_RENAME=K` aborts the process right
//! after the K-th rename of a commit, as `kill -9` would, and
//! `RULEGATE_TEST_FAIL_AT_RENAME=K` makes the K-th rename fail as a full
//! disk would. Debug builds only; release builds ignore both.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The journal folder, at the project root.
pub const JOURNAL_DIR: &str = ".rulegate-journal";
const JOURNAL_FILE: &str = "journal.json";
const FAULT_ENV: &str = "RULEGATE_TEST_KILL_AT_RENAME";
const FAIL_ENV: &str = "RULEGATE_TEST_FAIL_AT_RENAME";

/// The number a test-only variable holds (always `None` in release builds).
fn test_count(var: &str) -> Option<usize> {
    if !cfg!(debug_assertions) {
        return None;
    }
    std::env::var(var).ok()?.parse().ok()
}

/// Why a transaction failed (nothing is left changed when it is returned
/// from [`Journal::commit`] followed by [`Journal::rollback`]).
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// A target is read-only.
    #[error("{0} is read-only; nothing was changed (make it writable and run again)")]
    ReadOnly(String),
    /// A target leads out of the repository.
    #[error(transparent)]
    Outside(#[from] crate::fs_guard::Outside),
    /// Another transaction's journal is there.
    #[error(
        "{0} exists: another promotion is running or was interrupted; run rulegate again to recover it"
    )]
    Busy(String),
    /// A file changed on disk after rulegate read it.
    #[error("{0} changed on disk since it was read; nothing was changed (run rulegate again)")]
    ChangedOnDisk(String),
    /// A file-system operation failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// What a target becomes.
#[derive(Debug, Clone)]
pub enum New {
    /// A regular file with these bytes, with the permissions of the project
    /// file `mode_of` (when it exists).
    Bytes {
        /// The content.
        bytes: Vec<u8>,
        /// Whose permissions it keeps.
        mode_of: Option<String>,
    },
    /// A symlink with this target text.
    Link(PathBuf),
}

/// One target of a step: `None` removes it.
pub type Op = (String, Option<New>);

/// One operation as the journal records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// Project-relative target.
    rel: String,
    /// Whether `staged/N` holds a new content for it.
    staged: bool,
    /// Whether the target existed (then `backup/N` holds it once renamed).
    had_original: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum State {
    Committing,
    Committed,
}

/// The journal file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    /// What the transaction is (`promote a → b`).
    label: String,
    state: State,
    entries: Vec<Entry>,
    /// Folders the commit created, outermost first.
    created_dirs: Vec<String>,
    /// Folders to remove after the commit when only caches are left.
    cleanup: Vec<String>,
}

/// An open transaction.
#[derive(Debug)]
pub struct Journal {
    root: PathBuf,
    dir: PathBuf,
    record: Record,
    renames: usize,
}

impl Journal {
    /// Starts a transaction at `root`; refused when a journal is there.
    pub fn begin(root: &Path, label: &str) -> Result<Self, TxError> {
        let dir = root.join(JOURNAL_DIR);
        crate::fs_guard::check(root, &dir)?;
        if std::fs::symlink_metadata(&dir).is_ok() {
            return Err(TxError::Busy(dir.display().to_string()));
        }
        for sub in ["staged", "backup"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(io(&dir))?;
        }
        let journal = Self {
            root: root.to_path_buf(),
            dir,
            record: Record {
                label: label.to_string(),
                state: State::Committing,
                entries: Vec::new(),
                created_dirs: Vec::new(),
                cleanup: Vec::new(),
            },
            renames: 0,
        };
        journal.save()?;
        Ok(journal)
    }

    /// Stages and applies one step. `unchanged` lists targets with the
    /// bytes they held when read: each is compared just before it is
    /// replaced, so a concurrent edit is never lost. On an error, call
    /// [`Journal::rollback`]: the step may be half-applied.
    pub fn commit(&mut self, ops: Vec<Op>, unchanged: &[(String, Vec<u8>)]) -> Result<(), TxError> {
        let first = self.record.entries.len();
        let mut planned = Vec::new();
        // Check and stage everything before the first rename.
        for (i, (rel, new)) in ops.into_iter().enumerate() {
            let rel = self.real_rel(&rel)?;
            let path = self.root.join(&rel);
            let meta = std::fs::symlink_metadata(&path).ok();
            if let (Some(m), Some(New::Bytes { .. })) = (&meta, &new)
                && m.is_file()
                && m.permissions().readonly()
            {
                return Err(TxError::ReadOnly(rel));
            }
            let n = first + i;
            if let Some(new) = &new {
                self.stage(n, new)?;
            }
            planned.push(Entry {
                rel,
                staged: new.is_some(),
                had_original: meta.is_some(),
            });
        }
        let created = self.missing_dirs(&planned);
        self.record.entries.extend(planned);
        self.record.created_dirs.extend(created.iter().cloned());
        self.save()?;
        for d in &created {
            let p = self.root.join(d);
            std::fs::create_dir(&p).map_err(io(&p))?;
        }
        for n in first..self.record.entries.len() {
            let e = self.record.entries[n].clone();
            let target = self.root.join(&e.rel);
            if let Some((_, before)) = unchanged.iter().find(|(rel, _)| *rel == e.rel)
                && std::fs::read(&target).ok().as_ref() != Some(before)
            {
                return Err(TxError::ChangedOnDisk(e.rel));
            }
            if e.had_original {
                self.rename(&target, &self.dir.join("backup").join(n.to_string()))?;
            }
            if e.staged {
                self.rename(&self.dir.join("staged").join(n.to_string()), &target)?;
            }
        }
        Ok(())
    }

    /// Folders to remove after the commit when nothing but caches is left
    /// in them (an empty folder would still import as a namespace package).
    pub fn cleanup_after(&mut self, rel_dir: &str) {
        self.record.cleanup.push(rel_dir.to_string());
    }

    /// Marks the transaction done and removes the backups.
    pub fn finish(mut self) -> Result<(), TxError> {
        self.record.state = State::Committed;
        self.save()?;
        finish_committed(&self.root, &self.record);
        std::fs::remove_dir_all(&self.dir).map_err(io(&self.dir))
    }

    /// Undoes every step, newest first, and removes the journal.
    pub fn rollback(self) -> Result<(), TxError> {
        roll_back(&self.root, &self.dir, &self.record)
    }

    /// `rel` itself, or where it leads when it is a symlink inside the
    /// repository (a link is written through, as the fix engine does).
    fn real_rel(&self, rel: &str) -> Result<String, TxError> {
        let path = self.root.join(rel);
        crate::fs_guard::check(&self.root, &path)?;
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return Ok(rel.to_string());
        }
        let real = std::fs::canonicalize(&path).map_err(io(&path))?;
        let root = std::fs::canonicalize(&self.root).map_err(io(&self.root))?;
        let inside = real.strip_prefix(&root).map_err(|_| {
            TxError::Outside(crate::fs_guard::Outside::Escapes {
                path: rel.to_string(),
                target: real.display().to_string(),
            })
        })?;
        Ok(inside.to_string_lossy().replace('\\', "/"))
    }

    fn stage(&self, n: usize, new: &New) -> Result<(), TxError> {
        let path = self.dir.join("staged").join(n.to_string());
        match new {
            New::Bytes { bytes, mode_of } => {
                use std::io::Write;
                let mut f = std::fs::File::create(&path).map_err(io(&path))?;
                f.write_all(bytes).map_err(io(&path))?;
                f.sync_all().map_err(io(&path))?;
                if let Some(m) = mode_of
                    .as_ref()
                    .and_then(|r| self.root.join(r).metadata().ok())
                {
                    std::fs::set_permissions(&path, m.permissions()).map_err(io(&path))?;
                }
            }
            New::Link(to) => make_link(to, &path).map_err(io(&path))?,
        }
        Ok(())
    }

    /// The parent folders of new targets that do not exist yet, outermost first.
    fn missing_dirs(&self, entries: &[Entry]) -> Vec<String> {
        let mut dirs = Vec::new();
        for e in entries.iter().filter(|e| e.staged) {
            let mut d = Path::new(&e.rel).parent();
            let mut chain = Vec::new();
            while let Some(p) = d.filter(|p| !p.as_os_str().is_empty()) {
                if self.root.join(p).exists() {
                    break;
                }
                chain.push(p.to_string_lossy().replace('\\', "/"));
                d = p.parent();
            }
            for c in chain.into_iter().rev() {
                if !dirs.contains(&c) {
                    dirs.push(c);
                }
            }
        }
        dirs
    }

    fn rename(&mut self, from: &Path, to: &Path) -> Result<(), TxError> {
        if test_count(FAIL_ENV) == Some(self.renames + 1) {
            let simulated = std::io::Error::other(format!("{FAIL_ENV}: a simulated failure"));
            return Err(io(from)(simulated));
        }
        std::fs::rename(from, to).map_err(io(from))?;
        self.renames += 1;
        if test_count(FAULT_ENV) == Some(self.renames) {
            eprintln!("{FAULT_ENV}: aborting after rename {}", self.renames);
            std::process::abort();
        }
        Ok(())
    }

    fn save(&self) -> Result<(), TxError> {
        save_record(&self.dir, &self.record)
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> TxError + '_ {
    move |e| TxError::Io(path.display().to_string(), e)
}

#[cfg(unix)]
fn make_link(to: &Path, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(to, at)
}

#[cfg(not(unix))]
fn make_link(_to: &Path, _at: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("symlinks are not supported here"))
}

/// Writes the journal file atomically (temp file, sync, rename).
fn save_record(dir: &Path, record: &Record) -> Result<(), TxError> {
    use std::io::Write;
    let text = serde_json::to_vec_pretty(record).expect("the journal serialises");
    let tmp = dir.join("journal.tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(&text).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    let path = dir.join(JOURNAL_FILE);
    std::fs::rename(&tmp, &path).map_err(io(&path))
}

fn roll_back(root: &Path, dir: &Path, record: &Record) -> Result<(), TxError> {
    for (n, e) in record.entries.iter().enumerate().rev() {
        let target = root.join(&e.rel);
        let backup = dir.join("backup").join(n.to_string());
        if e.had_original {
            if std::fs::symlink_metadata(&backup).is_ok() {
                std::fs::rename(&backup, &target).map_err(io(&target))?;
            }
        } else if e.staged
            && std::fs::symlink_metadata(dir.join("staged").join(n.to_string())).is_err()
            && std::fs::symlink_metadata(&target).is_ok()
        {
            // Its staged file went into place: the target is ours to remove.
            std::fs::remove_file(&target).map_err(io(&target))?;
        }
    }
    for d in record.created_dirs.iter().rev() {
        let _ = std::fs::remove_dir(root.join(d)); // only when empty, as it should
    }
    std::fs::remove_dir_all(dir).map_err(io(dir))
}

fn finish_committed(root: &Path, record: &Record) {
    for d in &record.cleanup {
        remove_if_only_caches(&root.join(d));
    }
}

/// Removes `dir` (deepest folders first) when it holds nothing but
/// `__pycache__` folders.
fn remove_if_only_caches(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            if e.file_name() == "__pycache__" {
                let _ = std::fs::remove_dir_all(&path);
            } else {
                remove_if_only_caches(&path);
            }
        }
    }
    let _ = std::fs::remove_dir(dir); // fails, as it should, when not empty
}

/// Completes or rolls back a transaction a killed run left at `root`, before
/// anything else reads the tree; returns what was done, to tell the user.
pub fn recover(root: &Path) -> Result<Option<String>, TxError> {
    let dir = root.join(JOURNAL_DIR);
    if std::fs::symlink_metadata(&dir).is_err() {
        return Ok(None);
    }
    crate::fs_guard::check(root, &dir)?;
    let path = dir.join(JOURNAL_FILE);
    let Some(record) = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Record>(&b).ok())
    else {
        // Killed before the journal was written: no rename happened yet.
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        return Ok(Some(
            "an interrupted promotion had changed nothing yet; its staging folder was removed"
                .to_string(),
        ));
    };
    Ok(Some(match record.state {
        State::Committing => {
            roll_back(root, &dir, &record)?;
            format!(
                "an interrupted `{}` was rolled back: every file is as before it; run it again",
                record.label
            )
        }
        State::Committed => {
            finish_committed(root, &record);
            std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
            format!(
                "an interrupted `{}` had committed; its cleanup was completed",
                record.label
            )
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Option<New> {
        Some(New::Bytes {
            bytes: s.as_bytes().to_vec(),
            mode_of: None,
        })
    }

    fn tree(root: &Path) -> Vec<(String, String)> {
        let mut out = walkdir(root);
        out.sort();
        out
    }

    fn walkdir(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push((p.display().to_string(), "<dir>".into()));
                out.extend(walkdir(&p));
            } else {
                out.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
        out
    }

    fn setup() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x.py"), "x\n").unwrap();
        std::fs::write(dir.path().join("imp.py"), "import a.x\n").unwrap();
        dir
    }

    fn ops() -> Vec<Op> {
        vec![
            ("a/x.py".into(), None),
            ("b/c/x.py".into(), bytes("x\n")),
            ("imp.py".into(), bytes("import b.c.x\n")),
        ]
    }

    #[test]
    fn a_commit_moves_and_a_rollback_restores_every_byte() {
        let dir = setup();
        let root = dir.path();
        let before = tree(root);
        let mut j = Journal::begin(root, "t").unwrap();
        j.commit(ops(), &[]).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("imp.py")).unwrap(),
            "import b.c.x\n"
        );
        assert!(!root.join("a/x.py").exists());
        j.rollback().unwrap();
        assert_eq!(tree(root), before);

        let mut j = Journal::begin(root, "t").unwrap();
        j.commit(ops(), &[]).unwrap();
        j.cleanup_after("a");
        j.finish().unwrap();
        assert!(!root.join("a").exists() && !root.join(JOURNAL_DIR).exists());
        assert!(root.join("b/c/x.py").is_file());
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_target_stops_the_step_before_any_rename() {
        use std::os::unix::fs::PermissionsExt;
        let dir = setup();
        let root = dir.path();
        std::fs::set_permissions(root.join("imp.py"), std::fs::Permissions::from_mode(0o444))
            .unwrap();
        let before = tree(root);
        let mut j = Journal::begin(root, "t").unwrap();
        let err = j.commit(ops(), &[]).unwrap_err();
        assert!(
            matches!(err, TxError::ReadOnly(ref p) if p == "imp.py"),
            "{err}"
        );
        j.rollback().unwrap();
        assert_eq!(tree(root), before);
    }

    #[test]
    fn recovery_rolls_back_an_interrupted_commit_at_every_point() {
        for k in 0..=5 {
            let dir = setup();
            let root = dir.path();
            let before = tree(root);
            let mut j = Journal::begin(root, "t").unwrap();
            // Commit fully, then undo the renames after the k-th by hand:
            // the tree as a kill after k renames would leave it.
            j.commit(ops(), &[]).unwrap();
            let record = j.record.clone();
            let jdir = j.dir.clone();
            drop(j); // as a killed process would: no rollback
            let mut renames = Vec::new();
            for (n, e) in record.entries.iter().enumerate() {
                let target = root.join(&e.rel);
                if e.had_original {
                    renames.push((target.clone(), jdir.join("backup").join(n.to_string())));
                }
                if e.staged {
                    renames.push((jdir.join("staged").join(n.to_string()), target));
                }
            }
            for (from, to) in renames.iter().skip(k).rev() {
                std::fs::rename(to, from).unwrap();
            }
            let said = recover(root).unwrap().unwrap();
            assert!(said.contains("rolled back"), "{said}");
            assert_eq!(tree(root), before, "after {k} renames");
            assert_eq!(recover(root).unwrap(), None);
        }
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_replaced() {
        let dir = setup();
        let root = dir.path();
        std::fs::write(root.join("imp.py"), "import a.x  # edited\n").unwrap();
        let before = tree(root);
        let mut j = Journal::begin(root, "t").unwrap();
        let read = [("imp.py".to_string(), b"import a.x\n".to_vec())];
        let err = j.commit(ops(), &read).unwrap_err();
        assert!(
            matches!(err, TxError::ChangedOnDisk(ref p) if p == "imp.py"),
            "{err}"
        );
        j.rollback().unwrap();
        assert_eq!(tree(root), before, "the edit is kept");
    }

    #[test]
    fn a_second_transaction_waits_for_recovery() {
        let dir = setup();
        let _j = Journal::begin(dir.path(), "t").unwrap();
        assert!(matches!(
            Journal::begin(dir.path(), "u"),
            Err(TxError::Busy(_))
        ));
    }
}
