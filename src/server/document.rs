//! An open document: its text and line index per version, incremental
//! changes applied to both, and the syntax tree kept in step with the text
//! (each change is also a tree-sitter edit), so the next parse re-parses
//! only what changed.
//!
//! The line index is the crate's (`source::LineIndex`, lines ending at
//! `\n`, `\r\n` and a lone `\r`), built once per version and shared with
//! the lint of that version, so LSP positions and the CLI's name the same
//! lines.

use std::sync::Arc;

use lsp_types::TextDocumentContentChangeEvent;
use tree_sitter::{InputEdit, Point, Tree};

use super::convert::Positions;
use crate::finding::Finding;
use crate::source::{LineIndex, SourceText};

/// One version of a document's text, with its line index (built once).
#[derive(Debug)]
pub(super) struct Snapshot {
    /// The version.
    pub version: i32,
    /// The text.
    pub text: Arc<str>,
    /// Its line index.
    pub lines: LineIndex,
    /// Whether a line ends in a lone `\r` (tree-sitter counts rows by `\n`
    /// alone, so its points differ from the lines there).
    pub lone_cr: bool,
}

impl Snapshot {
    /// The text and its line index, read in LSP positions.
    pub fn positions(&self) -> Positions<'_> {
        Positions::new(&self.text, &self.lines)
    }

    /// The text as the checker reads it. Without a BOM (whose bytes the
    /// findings' offsets leave out) and with a line break besides a lone
    /// `\r`, it shares this version's text and line index.
    pub fn source(&self) -> SourceText {
        let src = SourceText::new_shared(self.text.clone(), &self.lines);
        debug_assert_eq!(src.text.len() + 3 * usize::from(src.bom), self.text.len());
        src
    }
}

/// The findings of one version.
pub(super) struct Linted {
    /// The version they were computed for.
    pub version: i32,
    /// The findings (offsets into the text after its BOM).
    pub findings: Vec<Finding>,
    /// Bytes before the text the findings index into (a BOM's length).
    pub shift: usize,
}

/// An open document.
pub(super) struct Doc {
    /// The current version.
    pub snap: Arc<Snapshot>,
    /// The last parsed tree, edited to match the current text (`None`:
    /// the next parse starts afresh).
    pub tree: Option<Tree>,
    /// The findings of the current version, once its lint is done.
    pub linted: Option<Linted>,
    /// The (version, load generation) last sent to be linted.
    pub asked: Option<(i32, u64)>,
    /// Whether a lint of this document is running.
    pub in_flight: bool,
}

impl Doc {
    /// A document opened with `text` at `version`.
    pub fn open(text: String, version: i32) -> Self {
        Self {
            snap: Arc::new(snapshot(version, Arc::from(text))),
            tree: None,
            linted: None,
            asked: None,
            in_flight: false,
        }
    }

    /// The findings of the current version, when its lint is done.
    pub fn current_findings(&self) -> Option<&Linted> {
        self.linted
            .as_ref()
            .filter(|l| l.version == self.snap.version)
    }

    /// Applies the changes of one `didChange`, in order, and moves to `version`.
    pub fn change(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        let mut text: Arc<str> = self.snap.text.clone();
        let mut lines: Option<LineIndex> = None;
        for change in changes {
            let Some(range) = change.range else {
                text = Arc::from(change.text);
                lines = None;
                self.tree = None;
                continue;
            };
            let index = lines.take().unwrap_or_else(|| {
                if Arc::ptr_eq(&text, &self.snap.text) {
                    self.snap.lines.clone()
                } else {
                    LineIndex::new(&text)
                }
            });
            let bytes = Positions::new(&text, &index).byte_range(range);
            if crate::source::has_lone_cr(&text) {
                self.tree = None; // tree-sitter rows and LSP lines differ
            }
            if let Some(tree) = &mut self.tree {
                tree.edit(&input_edit(&index, bytes.clone(), &change.text));
            }
            let mut next = String::with_capacity(text.len() - bytes.len() + change.text.len());
            next.push_str(&text[..bytes.start]);
            next.push_str(&change.text);
            next.push_str(&text[bytes.end..]);
            text = Arc::from(next);
            lines = Some(LineIndex::new(&text));
        }
        let lines = lines.unwrap_or_else(|| LineIndex::new(&text));
        self.snap = Arc::new(Snapshot {
            version,
            lone_cr: crate::source::has_lone_cr(&text),
            text,
            lines,
        });
        self.linted = None;
    }
}

fn snapshot(version: i32, text: Arc<str>) -> Snapshot {
    Snapshot {
        version,
        lines: LineIndex::new(&text),
        lone_cr: crate::source::has_lone_cr(&text),
        text,
    }
}

/// The tree-sitter edit replacing bytes `range` of the indexed text with `new`
/// (points in rows of `\n` and byte columns, as tree-sitter counts).
fn input_edit(lines: &LineIndex, range: std::ops::Range<usize>, new: &str) -> InputEdit {
    // Without a lone `\r`, the index's lines are tree-sitter's rows.
    let point = |offset: usize| {
        let row = lines.line_of(offset);
        Point::new(row, offset - lines.line_start(row))
    };
    let start_position = point(range.start);
    let new_end_position = match new.rfind('\n') {
        Some(i) => Point::new(
            start_position.row + new.matches('\n').count(),
            new.len() - i - 1,
        ),
        None => Point::new(start_position.row, start_position.column + new.len()),
    };
    InputEdit {
        start_byte: range.start,
        old_end_byte: range.end,
        new_end_byte: range.start + new.len(),
        start_position,
        old_end_position: point(range.end),
        new_end_position,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_count_utf16_and_apply_in_order() {
        let mut doc = Doc::open("a = '😀'\nb = 2\n".into(), 1);
        // After the emoji (two UTF-16 units): insert CJK, then on the result
        // replace line 1.
        doc.change(
            2,
            vec![change(0, 7, 0, 7, "日本"), change(1, 0, 1, 5, "import os")],
        );
        assert_eq!(&*doc.snap.text, "a = '😀日本'\nimport os\n");
        assert_eq!(doc.snap.version, 2);
        // A range past the end is clamped; a whole-text change replaces all.
        doc.change(3, vec![change(7, 0, 9, 9, "x\n")]);
        assert_eq!(&*doc.snap.text, "a = '😀日本'\nimport os\nx\n");
        doc.change(
            4,
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new\n".into(),
            }],
        );
        assert_eq!(&*doc.snap.text, "new\n");
    }

    /// After any edits, the kept tree re-parses to what a fresh parse gives.
    #[test]
    fn the_edited_tree_reparses_to_a_fresh_parse() {
        let mut worker = crate::parse::Worker::new();
        let start = "import os\n\ndef f(x):\n    return '😀' + x\n\nclass A:\n    y = '日本'\n";
        let mut doc = Doc::open(start.into(), 1);
        doc.tree = worker.parse(start);
        let edits = [
            vec![change(3, 11, 3, 12, "é")],
            vec![change(0, 0, 0, 0, "x = 1\n"), change(4, 4, 4, 10, "yield")],
            vec![change(5, 0, 7, 0, "")],
            vec![change(2, 6, 2, 6, "\n\n  ")],
            vec![
                change(1, 0, 1, 0, "if True:\n    import sys\n"),
                change(0, 2, 0, 3, "=="),
            ],
        ];
        for (i, changes) in edits.into_iter().enumerate() {
            doc.change(i as i32 + 2, changes);
            let text = doc.snap.text.clone();
            worker.reparse_from(text.clone(), doc.tree.take());
            let incremental = worker.parse(&text).unwrap();
            assert!(worker.take_reparsed().is_some());
            let fresh = crate::parse::Worker::new().parse(&text).unwrap();
            assert_eq!(
                incremental.root_node().to_sexp(),
                fresh.root_node().to_sexp(),
                "after edit {i}: {text:?}"
            );
            assert_eq!(
                incremental.root_node().end_position(),
                fresh.root_node().end_position()
            );
            doc.tree = Some(incremental);
        }
    }
}
