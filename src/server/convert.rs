//! Between rulegate and LSP: file URIs and paths, byte offsets and LSP
//! positions (lines and UTF-16 code units, the protocol's default), and
//! findings as LSP diagnostics.
//!
//! Each document version has one [`LineIndex`]: line starts and which lines
//! are pure ASCII, so a conversion is a binary search plus, on a line with
//! other characters, a scan of that line alone. Every conversion clamps:
//! an offset inside a character, a position past a line's end or inside a
//! surrogate pair, a line past the end of the text.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, Uri};

use crate::finding::{Finding, Severity};

/// The `file://` URI of an absolute path (percent-encoding what must be).
pub fn uri_of(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&s).ok()
}

/// The path of a `file://` URI.
pub fn path_of(uri: &str) -> Option<PathBuf> {
    let s = uri.strip_prefix("file://")?;
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// Line starts of one text, for LSP positions. A line ends at `\n`, `\r\n`
/// or a lone `\r`, as LSP says.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Whether each line (its content and break) is ASCII.
    ascii: Vec<bool>,
    /// Length of the text.
    len: usize,
    /// Whether some line ends in a lone `\r` (tree-sitter counts rows by
    /// `\n` alone, so its points differ from LSP lines there).
    pub lone_cr: bool,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        let mut lone_cr = false;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b >= 0x80 {
                line_ascii = false;
            } else if b == b'\n' || b == b'\r' {
                let end = if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    lone_cr |= b == b'\r';
                    i + 1
                };
                ascii.push(line_ascii);
                line_ascii = true;
                starts.push(end);
                i = end;
                continue;
            }
            i += 1;
        }
        ascii.push(line_ascii);
        Self {
            starts,
            ascii,
            len: text.len(),
            lone_cr,
        }
    }

    /// Number of lines (a text ending in a line break has an empty last line).
    #[cfg(test)]
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// End of the content of `line` (before its break).
    fn content_end(&self, text: &str, line: usize) -> usize {
        let Some(&next) = self.starts.get(line + 1) else {
            return self.len;
        };
        let b = text.as_bytes();
        if next >= 2 && b[next - 2] == b'\r' && b[next - 1] == b'\n' {
            next - 2
        } else {
            next - 1
        }
    }

    /// The LSP position of byte `offset` of `text` (the text this index
    /// was built from; the offset is clamped to it and to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = crate::source::floor_char_boundary(text, offset.min(self.len));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character = if self.ascii[line] {
            offset - start
        } else {
            text[start..offset].chars().map(char::len_utf16).sum()
        };
        Position::new(line as u32, character as u32)
    }

    /// The LSP range of bytes `range` of `text`.
    pub fn range(&self, text: &str, range: std::ops::Range<usize>) -> Range {
        Range::new(
            self.position(text, range.start),
            self.position(text, range.end),
        )
    }

    /// The byte offset of an LSP position in `text`: a line past the end is
    /// the end of the text, a character past the line's end is that end,
    /// and one inside a surrogate pair is the start of its character.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let line = pos.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return self.len;
        };
        let end = self.content_end(text, line);
        let want = pos.character as usize;
        if self.ascii[line] {
            return (start + want).min(end);
        }
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            units += c.len_utf16();
            if units > want {
                return start + i;
            }
        }
        end
    }

    /// The line of byte `offset` and its byte column (tree-sitter's point,
    /// when no line ends in a lone `\r`).
    pub fn row_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line, offset - self.starts[line])
    }

    /// The byte range of an LSP range (start and end clamped, in order).
    pub fn byte_range(&self, text: &str, range: Range) -> std::ops::Range<usize> {
        let start = self.offset(text, range.start);
        let end = self.offset(text, range.end);
        start.min(end)..end.max(start)
    }
}

/// A finding as an LSP diagnostic of the document `text` (whose findings'
/// offsets start `shift` bytes in: the length of a BOM).
pub fn diagnostic(f: &Finding, text: &str, lines: &LineIndex, shift: usize) -> Diagnostic {
    let severity = match f.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    // A suppression that suppresses nothing is dead text, as editors show it.
    let tags = (&*f.rule == "SUP004").then(|| vec![lsp_types::DiagnosticTag::UNNECESSARY]);
    Diagnostic {
        range: lines.range(text, f.range.start + shift..f.range.end + shift),
        severity: Some(severity),
        code: Some(NumberOrString::String(f.rule.to_string())),
        // No web page documents the rules: hover shows `explain` instead.
        code_description: None,
        source: Some("rulegate".to_string()),
        message: f.message.clone(),
        related_information: None,
        tags,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference conversion: a scan from the start of the text.
    fn slow_position(text: &str, offset: usize) -> Position {
        let offset = crate::source::floor_char_boundary(text, offset.min(text.len()));
        let mut line = 0;
        let mut start = 0;
        let b = text.as_bytes();
        let mut i = 0;
        while i < offset {
            if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                line += 1;
                start = i + 1;
            }
            i += 1;
        }
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line, character as u32)
    }

    #[test]
    fn positions_count_utf16_units() {
        let text = "a = 'é😀'\nb\n";
        let idx = LineIndex::new(text);
        let at = text.find('b').unwrap();
        assert_eq!(idx.position(text, at), Position::new(1, 0));
        let end = text.find("'\n").unwrap();
        // é is one unit, 😀 two.
        assert_eq!(idx.position(text, end), Position::new(0, 8));
        assert_eq!(idx.offset(text, Position::new(0, 8)), end);
        assert_eq!(idx.offset(text, Position::new(9, 0)), text.len());
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(idx.offset(text, Position::new(0, 7)), emoji);
        // Past the line's end: the end of its content, not the next line.
        assert_eq!(idx.offset(text, Position::new(0, 99)), end + 1);
        // An offset inside a character: that character's start.
        assert_eq!(idx.position(text, emoji + 2), Position::new(0, 6));
    }

    #[test]
    fn every_offset_agrees_with_a_scan_from_the_start() {
        let text = "x = 1\r\n# 日本語 😀\rtail é\n\nlast";
        let idx = LineIndex::new(text);
        assert!(idx.lone_cr);
        assert_eq!(idx.line_count(), 5);
        for offset in 0..=text.len() + 2 {
            let p = idx.position(text, offset);
            assert_eq!(p, slow_position(text, offset), "offset {offset}");
            if text.is_char_boundary(offset) && offset <= text.len() {
                let line_end = matches!(text.as_bytes().get(offset), Some(b'\n'))
                    && offset > 0
                    && text.as_bytes()[offset - 1] == b'\r';
                if !line_end {
                    assert_eq!(idx.offset(text, p), offset, "offset {offset}");
                }
            }
        }
        // CRLF: a position past the end of line 0 stops before the `\r`.
        assert_eq!(idx.offset(text, Position::new(0, 50)), 5);
    }

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/a b/ç.py");
        let uri = uri_of(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A7.py");
        assert_eq!(path_of(uri.as_str()).unwrap(), p);
        // A `%` followed by a multi-byte character is not an escape.
        assert_eq!(path_of("file:///a%é").unwrap(), Path::new("/a%é"));
    }
}
