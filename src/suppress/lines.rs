//! The line structure suppressions are judged on, as ruff's tokenizer sees
//! it: which line breaks end a logical line (outside brackets) and which do
//! not (inside brackets, blank and comment-only lines), backslash
//! continuations, multi-line strings, and the indentation of each logical
//! line. Built from the syntax tree (strings and comments) plus one scan of
//! the text.

use std::ops::Range;

use tree_sitter::{Node, Tree};

/// One line break outside strings and comments.
#[derive(Debug, Clone, Copy)]
struct Break {
    /// Offset of the `\n` (of a lone `\r`: Python breaks lines there too).
    at: usize,
    /// Whether it ends a logical line (ruff's `Newline` token).
    logical: bool,
    /// Whether the line it ends holds a token (not blank or comment-only).
    has_token: bool,
}

/// A comment's place in the token stream.
#[derive(Debug, Clone, Copy)]
pub struct CommentAt {
    /// Where it starts.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Whether it is inside brackets.
    inner: bool,
}

/// The line structure of one file.
#[derive(Debug, Default)]
pub struct Lines {
    len: usize,
    line_starts: Vec<usize>,
    breaks: Vec<Break>,
    /// Ranges whose offsets resolve to their end for `noqa` (multi-line
    /// strings and backslash continuations), sorted and merged.
    noqa_ranges: Vec<Range<usize>>,
    /// Start offsets of logical lines with their indentation width.
    logical_starts: Vec<(usize, usize)>,
    /// Comments in file order.
    pub comments: Vec<CommentAt>,
}

impl Lines {
    /// Reads the structure of `text` whose tree is `tree`.
    pub fn new(text: &str, tree: &Tree) -> Self {
        let (strings, comments) = strings_and_comments(text, tree.root_node());
        let mut lines = Lines {
            len: text.len(),
            line_starts: crate::source::line_starts(text),
            ..Default::default()
        };
        let mut continuations = Vec::new();
        lines.scan(text, &strings, &comments, &mut continuations);
        let mut ranges: Vec<Range<usize>> = strings
            .iter()
            .filter(|s| s.multiline_noqa)
            .map(|s| lines.line_start_of(s.range.start)..s.range.end)
            .collect();
        for c in continuations {
            let end = lines.full_line_end(c);
            match ranges.last_mut() {
                Some(last) if last.end == c && last.start <= c => last.end = end,
                _ => ranges.push(c..end),
            }
        }
        ranges.sort_by_key(|r| r.start);
        for r in ranges {
            match lines.noqa_ranges.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => lines.noqa_ranges.push(r),
            }
        }
        lines
    }

    /// One pass over the text outside strings and comments.
    fn scan(
        &mut self,
        text: &str,
        strings: &[StringAt],
        comments: &[Range<usize>],
        continuations: &mut Vec<usize>,
    ) {
        let b = text.as_bytes();
        let (mut si, mut ci) = (0, 0);
        let mut depth: usize = 0;
        let mut has_token = false;
        let mut at_logical_start = true;
        let mut i = 0;
        while i < b.len() {
            // Nodes that start inside something skipped (error recovery) are passed over.
            while strings.get(si).is_some_and(|s| s.range.start < i) {
                si += 1;
            }
            while comments.get(ci).is_some_and(|c| c.start < i) {
                ci += 1;
            }
            if let Some(s) = strings.get(si).filter(|s| s.range.start == i) {
                self.token(i, &mut has_token, &mut at_logical_start);
                i = s.range.end.max(i + 1);
                si += 1;
                continue;
            }
            if let Some(c) = comments.get(ci).filter(|c| c.start == i) {
                self.comments.push(CommentAt {
                    start: c.start,
                    end: c.end,
                    inner: depth > 0,
                });
                i = c.end.max(i + 1);
                ci += 1;
                continue;
            }
            match b[i] {
                b'\\' if matches!(b.get(i + 1), Some(b'\n' | b'\r')) => {
                    continuations.push(self.line_start_of(i));
                    i += if b[i + 1] == b'\r' && b.get(i + 2) == Some(&b'\n') {
                        3
                    } else {
                        2
                    };
                    continue;
                }
                // `\n`, or a lone `\r` (a line break to Python and ruff).
                b'\n' | b'\r' if b[i] == b'\n' || b.get(i + 1) != Some(&b'\n') => {
                    let logical = depth == 0 && has_token;
                    self.breaks.push(Break {
                        at: i,
                        logical,
                        has_token,
                    });
                    has_token = false;
                    at_logical_start |= logical;
                }
                b' ' | b'\t' | b'\r' | b'\x0c' => {}
                c => {
                    self.token(i, &mut has_token, &mut at_logical_start);
                    match c {
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
            }
            i += 1;
        }
    }

    fn token(&mut self, i: usize, has_token: &mut bool, at_logical_start: &mut bool) {
        *has_token = true;
        if *at_logical_start {
            *at_logical_start = false;
            let width = i - self.line_start_of(i);
            self.logical_starts.push((i, width));
        }
    }

    /// The start of the line holding `offset`.
    pub fn line_start_of(&self, offset: usize) -> usize {
        self.line_starts[self.line_of(offset)]
    }

    /// The 0-based line of `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// The end of the line holding `offset`, before its line break.
    fn line_end(&self, offset: usize, text_len: usize) -> usize {
        let next = self.line_of(offset) + 1;
        self.line_starts
            .get(next)
            .map_or(text_len, |&s| s.saturating_sub(1))
    }

    /// The start of the line after the one holding `offset` (or the end).
    fn full_line_end(&self, offset: usize) -> usize {
        self.line_starts
            .get(self.line_of(offset) + 1)
            .copied()
            .unwrap_or(self.len)
    }

    /// The line a `# noqa` must be on to cover a finding starting at
    /// `offset`: the last line of a multi-line string or backslash
    /// continuation it is in, else its own.
    pub fn noqa_line(&self, offset: usize) -> usize {
        let i = self.noqa_ranges.partition_point(|r| r.end <= offset);
        let resolved = match self.noqa_ranges.get(i) {
            Some(r) if r.start <= offset => r.end,
            _ => offset,
        };
        // A range ending at a line start (a continuation) means that line.
        self.line_of(resolved.min(self.len))
    }

    /// Whether only whitespace precedes `offset` on its line.
    pub fn own_line(&self, text: &str, offset: usize) -> bool {
        text[self.line_start_of(offset)..offset]
            .chars()
            .all(char::is_whitespace)
    }

    /// The indentation width of the line holding `offset`.
    pub fn indent_of(&self, text: &str, offset: usize) -> usize {
        let start = self.line_start_of(offset);
        text[start..offset].len() - text[start..offset].trim_start().len()
    }

    /// What a trailing `# ruff: ignore` covers: from the first token after
    /// the previous line break (a backslash continuation or a multi-line
    /// string does not break it) to the end of the comment's line.
    pub fn trailing_ignore_range(&self, text: &str, comment: &CommentAt) -> Range<usize> {
        let prev = self.breaks.partition_point(|b| b.at < comment.start);
        let from = prev.checked_sub(1).map_or(0, |i| self.breaks[i].at + 1);
        let skipped =
            text[from..comment.start].len() - text[from..comment.start].trim_start().len();
        from + skipped..self.line_end(comment.end, text.len())
    }

    /// What an own-line `# ruff: ignore` covers: from the comment to the end
    /// of the next logical line, or (inside brackets) of the next line that
    /// holds a token.
    pub fn own_line_ignore_range(&self, comment: &CommentAt) -> Range<usize> {
        let after = self.breaks.partition_point(|b| b.at < comment.end);
        let end = self.breaks[after..]
            .iter()
            .enumerate()
            .find(|(k, b)| {
                if comment.inner {
                    b.logical || (*k > 0 && b.has_token)
                } else {
                    b.logical
                }
            })
            .map_or(self.len, |(_, b)| b.at);
        comment.start..end
    }

    /// Where the block that a comment at indentation `width` starting at
    /// `offset` sits in ends: the first logical line after it indented
    /// less, else the end of the file.
    pub fn block_end(&self, offset: usize, width: usize) -> usize {
        let i = self.logical_starts.partition_point(|(s, _)| *s < offset);
        self.logical_starts[i..]
            .iter()
            .find(|(_, w)| *w < width)
            .map_or(self.len, |(s, _)| *s)
    }

    /// Whether a comment at indentation `width` fits where it stands: at the
    /// indentation of the code before it, or before an indent or dedent
    /// (ruff rejects a range comment indented otherwise).
    pub fn fits_indentation(&self, offset: usize, width: usize) -> bool {
        let i = self.logical_starts.partition_point(|(s, _)| *s < offset);
        let before = i.checked_sub(1).map_or(0, |k| self.logical_starts[k].1);
        let after = self.logical_starts.get(i).map_or(0, |(_, w)| *w);
        width == before || after != before
    }
}

/// A string token.
struct StringAt {
    range: Range<usize>,
    /// Whether a `noqa` for anything on its lines goes on its last line
    /// (a triple-quoted string or an f-string that spans lines).
    multiline_noqa: bool,
}

/// Every string (outermost) and comment of the tree, in file order.
fn strings_and_comments(text: &str, root: Node) -> (Vec<StringAt>, Vec<Range<usize>>) {
    let mut strings = Vec::new();
    let mut comments = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "comment" => comments.push(node.byte_range()),
            "string" => {
                let range = node.byte_range();
                let s = &text[range.clone()];
                let prefix_len = s.find(['"', '\'']).unwrap_or(0);
                let prefix = s[..prefix_len].to_ascii_lowercase();
                let body = &s[prefix_len..];
                let triple = body.starts_with("\"\"\"") || body.starts_with("'''");
                let fstring = prefix.contains('f') || prefix.contains('t');
                strings.push(StringAt {
                    multiline_noqa: (triple || fstring) && s.contains(['\n', '\r']),
                    range,
                });
                // Comments inside f-string replacement fields belong to it.
            }
            _ => {
                let mut c = node.walk();
                let children: Vec<Node> = node.children(&mut c).collect();
                stack.extend(children.into_iter().rev());
            }
        }
    }
    strings.sort_by_key(|s| s.range.start);
    comments.sort_by_key(|c| c.start);
    (strings, comments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    fn lines(text: &str) -> Lines {
        let tree = Worker::new().parse(text).unwrap();
        Lines::new(text, &tree)
    }

    #[test]
    fn noqa_goes_on_the_last_line_of_a_continuation_or_string() {
        let text = "x = 1\nimport os, \\\n    sys\ny = '''a\nb'''\nz = (\n  1)\n";
        let l = lines(text);
        assert_eq!(l.noqa_line(text.find("import").unwrap()), 2);
        assert_eq!(l.noqa_line(text.find("y =").unwrap()), 4);
        // Brackets are not continuations: the first line.
        assert_eq!(l.noqa_line(text.find("z =").unwrap()), 5);
        assert_eq!(l.noqa_line(0), 0);
    }

    #[test]
    fn ignore_ranges_follow_logical_lines() {
        let text =
            "x = 1\n# ruff: ignore[E402]\n\nfrom os import (\n    path,\n)\nimport re  # c\n";
        let l = lines(text);
        let own = l.own_line_ignore_range(&l.comments[0]);
        assert_eq!(&text[own.end..own.end + 1], "\n");
        assert!(own.contains(&text.find("from").unwrap()));
        assert!(!own.contains(&text.find("import re").unwrap()));
        let trailing = l.trailing_ignore_range(text, &l.comments[1]);
        assert_eq!(&text[trailing], "import re  # c");
    }

    #[test]
    fn a_lone_cr_breaks_lines() {
        let text = "x = 1\r\n# noqa: E402\rimport json\ry = '''a\rb'''\rz = \\\r  1\r";
        let l = lines(text);
        assert_eq!(l.line_of(text.find("# noqa").unwrap()), 1);
        assert_eq!(l.noqa_line(text.find("import").unwrap()), 2);
        // A multi-line string and a continuation across lone CRs.
        assert_eq!(l.noqa_line(text.find("y =").unwrap()), 4);
        assert_eq!(l.noqa_line(text.find("z =").unwrap()), 6);
        assert_eq!(l.comments.len(), 1);
        assert_eq!(
            &text[l.comments[0].start..l.comments[0].end],
            "# noqa: E402"
        );
        let own = l.own_line_ignore_range(&l.comments[0]);
        assert_eq!(&text[own], "# noqa: E402\rimport json");
    }

    #[test]
    fn blocks_end_at_the_dedent() {
        let text = "if x:\n    # c\n    y = 1\nz = 2\n";
        let l = lines(text);
        let c = text.find("# c").unwrap();
        assert_eq!(l.block_end(c, 4), text.find("z = 2").unwrap());
        assert_eq!(l.block_end(c, 0), text.len());
        assert!(l.fits_indentation(c, 4));
    }
}
