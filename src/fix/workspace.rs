//! The files a fix run works on: each file's bytes as read, its BOM, its
//! text when the run started and its current text. Fix rounds edit the
//! current texts; nothing reaches the disk until [`Workspace::write`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::write::write_if_unchanged;
use crate::parse::{PythonVersion, Worker, syntax_errors};
use crate::source::SourceText;

/// A file whose text a fix run changed.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Project-relative path.
    pub rel: String,
    /// Text before (BOM and all, as on disk).
    pub before: String,
    /// Text after.
    pub after: String,
    /// Where the file was before a fix moved it here.
    pub moved_from: Option<String>,
    /// Whether a fix created the file.
    pub created: bool,
    /// Whether a fix deleted the file (`after` is empty).
    pub deleted: bool,
}

/// One file of the workspace.
#[derive(Debug)]
struct Member {
    /// Where it is on disk (`None`: standard input or an example; never written).
    path: Option<PathBuf>,
    /// Its bytes as read.
    original: Vec<u8>,
    /// How its text is written back (BOM, lone `\r` line breaks).
    form: SourceText,
    /// Its text (BOM excluded) when the run started.
    start: String,
    /// Whether the starting text has a syntax error (computed on demand).
    broken: Option<bool>,
    /// Whether a fix created it (it did not exist when the run started).
    created: bool,
    /// Where it was before a fix moved it (`path` is still the old place).
    moved_from: Option<String>,
    /// Whether a fix deleted it (its text is gone from the workspace).
    deleted: bool,
}

/// The files of one fix run, by project-relative path.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    members: BTreeMap<String, Member>,
    /// Current texts (BOM excluded): what checks of a fix round read.
    texts: BTreeMap<String, String>,
}

impl Workspace {
    /// An empty workspace of the project at `root`.
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            members: BTreeMap::new(),
            texts: BTreeMap::new(),
        }
    }

    /// Adds a file read from `path` (`None`: not on disk) as `src`.
    pub fn insert(&mut self, rel: &str, path: Option<PathBuf>, src: &SourceText) {
        self.texts.insert(rel.to_string(), src.text.to_string());
        self.members.insert(
            rel.to_string(),
            Member {
                path,
                original: src.encode(&src.text),
                form: SourceText {
                    text: std::sync::Arc::from(""),
                    lines: Default::default(),
                    ..src.clone()
                },
                start: src.text.to_string(),
                broken: None,
                created: false,
                moved_from: None,
                deleted: false,
            },
        );
    }

    /// Whether something exists on disk at the project path `rel`.
    pub fn exists_on_disk(&self, rel: &str) -> bool {
        std::fs::symlink_metadata(self.root.join(rel)).is_ok()
    }

    /// Records that a fix created `rel`, whose text is already current.
    pub(super) fn mark_created(&mut self, rel: &str) {
        self.members.insert(
            rel.to_string(),
            Member {
                path: Some(self.root.join(rel)),
                original: Vec::new(),
                form: SourceText::new(""),
                start: String::new(),
                broken: Some(false),
                created: true,
                moved_from: None,
                deleted: false,
            },
        );
    }

    /// Records that a fix deleted `rel`: its text leaves the workspace
    /// (later rounds see no such file); false when it is not here.
    pub(super) fn mark_deleted(&mut self, rel: &str) -> bool {
        let Some(m) = self.members.get_mut(rel) else {
            return false;
        };
        m.deleted = true;
        self.texts.remove(rel).is_some()
    }

    /// Whether a fix deleted `rel`.
    pub fn is_deleted(&self, rel: &str) -> bool {
        self.members.get(rel).is_some_and(|m| m.deleted)
    }

    /// Moves `from` to `to` (both project-relative); false when `from` is
    /// not here or `to` is taken.
    pub(super) fn rename(&mut self, from: &str, to: &str) -> bool {
        if self.texts.contains_key(to) || !self.texts.contains_key(from) {
            return false;
        }
        let (Some(mut m), Some(text)) = (self.members.remove(from), self.texts.remove(from)) else {
            return false;
        };
        m.moved_from = m.moved_from.take().or_else(|| Some(from.to_string()));
        self.members.insert(to.to_string(), m);
        self.texts.insert(to.to_string(), text);
        true
    }

    /// Reads the project file `rel` into the workspace (a fix reaches a file
    /// that was not linted); false when it cannot be read as UTF-8.
    pub fn load(&mut self, rel: &str) -> bool {
        if self.texts.contains_key(rel) {
            return true;
        }
        let path = self.root.join(rel);
        let Ok(bytes) = crate::source::read_regular(&path) else {
            return false;
        };
        let Ok(src) = SourceText::decode(&bytes) else {
            return false;
        };
        self.insert(rel, Some(path), &src);
        true
    }

    /// The length of `rel`'s text when the run started.
    pub fn start_len(&self, rel: &str) -> Option<usize> {
        self.members.get(rel).map(|m| m.start.len())
    }

    /// Whether `rel` is in the workspace.
    pub fn contains(&self, rel: &str) -> bool {
        self.texts.contains_key(rel)
    }

    /// The current text of `rel`.
    pub fn text(&self, rel: &str) -> Option<&str> {
        self.texts.get(rel).map(String::as_str)
    }

    /// The current texts, by path (what a fix round's checks read).
    pub fn texts(&self) -> &BTreeMap<String, String> {
        &self.texts
    }

    /// The current texts, for a round to edit.
    pub(super) fn texts_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.texts
    }

    /// `rel`'s current text as a source (with its BOM flag).
    pub fn source(&self, rel: &str) -> Option<SourceText> {
        let text = self.texts.get(rel)?;
        let mut src = SourceText::new(text);
        if let Some(m) = self.members.get(rel) {
            src.bom = m.form.bom;
            src.cr_only = m.form.cr_only;
        }
        Some(src)
    }

    /// Whether `rel` had a syntax error when the run started: such a file
    /// is never edited (the promise of E999), nor one with syntax CPython
    /// rejects for `target` though tree-sitter parsed it (Python 2).
    pub fn is_broken(&mut self, rel: &str, worker: &mut Worker, target: PythonVersion) -> bool {
        if !super::is_python(rel) {
            return false;
        }
        let Some(m) = self.members.get_mut(rel) else {
            return false;
        };
        *m.broken.get_or_insert_with(|| {
            worker.parse(&m.start).is_none_or(|t| {
                !syntax_errors(&t).is_empty()
                    || !crate::parse::validity::compile_rejects(&t, &m.start, target).is_empty()
            })
        })
    }

    /// Files whose text changed, before and after (BOM included).
    pub fn changed(&self) -> Vec<ChangedFile> {
        self.members
            .iter()
            // A created file is a change even when it is empty (an `__init__.py`).
            .filter(|(rel, m)| {
                m.deleted || self.texts[*rel] != m.start || m.moved_from.is_some() || m.created
            })
            // A file created and then deleted in one run never existed.
            .filter(|(_, m)| !(m.deleted && m.created))
            .map(|(rel, m)| ChangedFile {
                rel: rel.clone(),
                before: String::from_utf8_lossy(&m.original).into_owned(),
                after: if m.deleted {
                    String::new()
                } else {
                    self.with_bom(rel, m)
                },
                moved_from: m.moved_from.clone(),
                created: m.created,
                deleted: m.deleted,
            })
            .collect()
    }

    fn with_bom(&self, rel: &str, m: &Member) -> String {
        String::from_utf8(m.form.encode(&self.texts[rel])).expect("text encodes to UTF-8")
    }

    /// Writes every changed file that lives on disk; returns the files
    /// written and, per file that could not be, its path and why.
    pub fn write(&self) -> (Vec<ChangedFile>, Vec<(String, String)>) {
        let mut written = Vec::new();
        let mut errors = Vec::new();
        for change in self.changed() {
            let m = &self.members[&change.rel];
            let Some(path) = &m.path else {
                written.push(change);
                continue;
            };
            let result = if m.deleted {
                super::write::delete_if_unchanged(&self.root, path, &m.original)
            } else if m.created || m.moved_from.is_some() {
                let to = self.root.join(&change.rel);
                super::write::write_new(
                    &self.root,
                    &to,
                    change.after.as_bytes(),
                    path,
                    &m.original,
                    m.created,
                )
            } else {
                write_if_unchanged(&self.root, path, &m.original, change.after.as_bytes())
            };
            match result {
                Ok(()) => written.push(change),
                Err(e) => errors.push((change.rel.clone(), e.to_string())),
            }
        }
        (written, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_keep_the_bom_and_broken_files_are_known() {
        let mut ws = Workspace::new(PathBuf::from("/nonexistent"));
        ws.insert("a.py", None, &SourceText::new("\u{feff}x = 1\n"));
        ws.insert("b.py", None, &SourceText::new("x = (\n"));
        ws.insert("c.py", None, &SourceText::new("print \"x\"\n"));
        assert!(ws.changed().is_empty());
        ws.texts_mut().insert("a.py".into(), "x = 2\n".into());
        let changed = ws.changed();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].after, "\u{feff}x = 2\n");
        let mut w = Worker::new();
        assert!(!ws.is_broken("a.py", &mut w, PythonVersion::DEFAULT));
        assert!(ws.is_broken("b.py", &mut w, PythonVersion::DEFAULT));
        assert!(ws.is_broken("c.py", &mut w, PythonVersion::DEFAULT));
        assert!(!ws.load("missing.py"));
    }
}
