//! The parse layer: one tree-sitter parser per thread, the syntax errors of
//! a tree, and the syntax that only some Python versions accept. What the
//! names of a tree mean is the name model's (the `names` module).

pub(crate) mod compat;
pub mod fields;
pub(crate) mod validity;

use std::ops::Range;

use tree_sitter::{Node, Parser, QueryCursor, Tree};

pub use compat::PythonVersion;

/// The tree-sitter Python language.
pub fn python() -> tree_sitter::Language {
    tree_sitter_python::LANGUAGE.into()
}

/// Every parse of the process (a measurement for tests that run alone:
/// `cargo test --lib -- --ignored`).
#[cfg(test)]
pub static PARSES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Per-thread parsing state (parsers and cursors are not shared).
pub struct Worker {
    parser: Parser,
    /// The query cursor of this thread (reused across files).
    pub cursor: QueryCursor,
    /// A text to re-parse incrementally (see [`Worker::reparse_from`]).
    reuse: Option<Reuse>,
}

/// An incremental re-parse: the text, the earlier tree edited to match
/// it, and the tree of its last parse.
struct Reuse {
    text: std::sync::Arc<str>,
    old: Option<Tree>,
    new: Option<Tree>,
}

impl Default for Worker {
    fn default() -> Self {
        Self::new()
    }
}

impl Worker {
    /// A parser set to Python and a fresh query cursor.
    pub fn new() -> Self {
        let mut parser = Parser::new();
        parser
            .set_language(&python())
            .expect("tree-sitter-python matches the tree-sitter ABI");
        Self {
            parser,
            cursor: QueryCursor::new(),
            reuse: None,
        }
    }

    /// Parses `text`. Python breaks lines at a lone `\r` too, tree-sitter
    /// only at `\n` (its comments run to `\n`, so `# noqa\rimport json`
    /// would be one comment): it parses a copy with each lone `\r` written
    /// as `\n`, same length, so the tree's offsets index `text` (and its
    /// own endings stay for edits). A text with no lone `\r` is not copied.
    pub fn parse(&mut self, text: &str) -> Option<Tree> {
        #[cfg(test)]
        PARSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The reuse check compares the caller's string, before any copy.
        let reuse = self
            .reuse
            .as_mut()
            .filter(|r| std::ptr::eq(r.text.as_ptr(), text.as_ptr()) && r.text.len() == text.len());
        let text = crate::source::lone_cr_as_lf(text);
        if let Some(r) = reuse {
            let tree = self.parser.parse(&*text, r.new.as_ref().or(r.old.as_ref()));
            r.new = tree.clone();
            return tree;
        }
        self.parser.parse(&*text, None)
    }

    /// Makes parses of `text` (this very string, not merely an equal one)
    /// incremental: they start from `old`, an earlier tree of the same
    /// document edited ([`Tree::edit`]) to match `text`, so tree-sitter
    /// re-parses only what changed (the language server's documents). The
    /// tree of the last such parse is kept for [`Worker::take_reparsed`].
    pub fn reparse_from(&mut self, text: std::sync::Arc<str>, old: Option<Tree>) {
        self.reuse = Some(Reuse {
            text,
            old,
            new: None,
        });
    }

    /// The tree of the last parse of the text given to
    /// [`Worker::reparse_from`] (`None` when nothing parsed it), which is
    /// then forgotten.
    pub fn take_reparsed(&mut self) -> Option<Tree> {
        self.reuse.take().and_then(|r| r.new)
    }

    /// Number of syntax errors in `text` for `target`: tree-sitter's error
    /// regions, what CPython's compiler rejects that tree-sitter accepts
    /// (`validity`, Python 2 syntax included), plus (before Python 3.12) f-string fields only PEP 701
    /// allows.
    /// `usize::MAX` when the text cannot be parsed at all.
    pub fn error_count(&mut self, text: &str, target: PythonVersion) -> usize {
        let Some(tree) = self.parse(text) else {
            return usize::MAX;
        };
        let pep701 = if target.has_pep701() {
            0
        } else {
            compat::pre_pep701_violations(&tree, text)
        };
        syntax_errors(&tree).len()
            + pep701
            + validity::cpython_rejects(&tree)
            + validity::compile_rejects(&tree, text, target).len()
    }
}

/// Byte ranges of ERROR and MISSING nodes, outermost first, in file order.
/// Iterative, so that deeply nested input cannot overflow the stack.
pub fn syntax_errors(tree: &Tree) -> Vec<Range<usize>> {
    let root = tree.root_node();
    let mut out = Vec::new();
    if !root.has_error() {
        return out;
    }
    let mut stack: Vec<Node> = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            out.push(node.byte_range());
            continue;
        }
        let mut c = node.walk();
        let children: Vec<Node> = node.children(&mut c).filter(|n| n.has_error()).collect();
        // Reversed so that the stack pops them in file order.
        stack.extend(children.into_iter().rev());
    }
    if out.is_empty() {
        out.push(0..0);
    }
    out
}

/// The byte ranges of every comment node of `tree`, in file order: one
/// cursor walk. Callers that look comments up one by one from the root
/// (`descendant_for_byte_range`) pay for the root's children on every
/// lookup, which is quadratic in a file of many comments; past a few dozen
/// lookups, this walk is cheaper.
pub fn comment_ranges(tree: &Tree) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            out.push(node.byte_range());
        } else if node.kind() != "string" && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// The comment of `comments` (from [`comment_ranges`]) that holds `offset`.
pub fn comment_at(comments: &[Range<usize>], offset: usize) -> Option<Range<usize>> {
    let i = comments.partition_point(|c| c.end <= offset);
    comments.get(i).filter(|c| c.start <= offset).cloned()
}

/// Lookups of comments by offset past which walking all comments once is
/// cheaper than looking each up from the root.
pub const COMMENT_LOOKUPS_BEFORE_WALK: usize = 64;

/// A one-line description of the syntax error at `range`.
pub fn describe_error(tree: &Tree, range: Range<usize>, text: &str) -> String {
    let node = tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end);
    match node {
        Some(n) if n.is_missing() => format!("expected `{}`", n.kind()),
        _ => {
            let snippet: String = text[range].chars().take(30).collect();
            let snippet = snippet.lines().next().unwrap_or("").trim();
            if snippet.is_empty() {
                "invalid syntax".to_string()
            } else {
                format!("invalid syntax near `{snippet}`")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_listed_in_file_order() {
        let mut w = Worker::new();
        let text = "x = (1,\ny = 2\ndef f(:\n    pass\n";
        let tree = w.parse(text).unwrap();
        let errors = syntax_errors(&tree);
        assert!(!errors.is_empty());
        assert!(errors.windows(2).all(|p| p[0].start <= p[1].start));
        assert_eq!(
            syntax_errors(&w.parse("x = 1\n").unwrap()),
            Vec::<std::ops::Range<usize>>::new()
        );
    }

    #[test]
    fn a_lone_cr_ends_a_comment_as_in_python() {
        let mut w = Worker::new();
        let text = "x = 1\n# noqa: E402\rimport json\r\n";
        let tree = w.parse(text).unwrap();
        assert!(!tree.root_node().has_error());
        let comments = comment_ranges(&tree);
        assert_eq!(comments.len(), 1);
        assert_eq!(&text[comments[0].clone()], "# noqa: E402");
        let kinds: Vec<&str> = {
            let root = tree.root_node();
            let mut c = root.walk();
            root.named_children(&mut c).map(|n| n.kind()).collect()
        };
        assert_eq!(
            kinds,
            ["expression_statement", "comment", "import_statement"]
        );
        // A lone CR inside a one-quote string is its end, as for CPython.
        assert!(w.parse("x = 'a\rb'\n").unwrap().root_node().has_error());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut w = Worker::new();
        let text = format!("x = {}1{}\n", "(".repeat(20_000), ")".repeat(19_999));
        let tree = w.parse(&text).unwrap();
        assert!(!syntax_errors(&tree).is_empty());
    }

    #[test]
    fn error_count_sees_pep701_before_312() {
        let mut w = Worker::new();
        let text = "f\"{x[\"k\"]}\"\n";
        assert_eq!(w.error_count(text, PythonVersion::DEFAULT), 1);
        assert_eq!(
            w.error_count(text, PythonVersion::parse("py312").unwrap()),
            0
        );
    }
}
