//! Between rulegate and LSP: file URIs and paths, byte offsets and LSP
//! positions (lines and UTF-16 code units, the protocol's default), and
//! findings as LSP diagnostics.
//!
//! Lines are the crate's [`LineIndex`] (`source.rs`), the one the CLI
//! reports with: a line ends at `\n`, `\r\n` or a lone `\r`, as LSP, Python
//! and ruff say. Each document version builds it once ([`Positions`] reads
//! it), so a conversion is a binary search plus a scan of its line alone.
//! Every conversion clamps: an offset inside a character, a position past
//! a line's end or inside a surrogate pair, a line past the end of the text.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Position, Range, Uri};

use super::document::Snapshot;
use crate::finding::{Finding, Severity};
use crate::source::{LineIndex, floor_char_boundary};

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

/// LSP positions in one text, through its line index (built from that text).
#[derive(Clone, Copy)]
pub struct Positions<'a> {
    text: &'a str,
    lines: &'a LineIndex,
}

impl<'a> Positions<'a> {
    /// Positions in `text`, whose line index is `lines`.
    pub fn new(text: &'a str, lines: &'a LineIndex) -> Self {
        Self { text, lines }
    }

    /// The byte range of the content of `line` (before its break).
    fn content(&self, line: usize) -> std::ops::Range<usize> {
        let whole = self.lines.line_range(line, self.text.len());
        let body = &self.text.as_bytes()[whole.clone()];
        let cut = match body {
            [.., b'\r', b'\n'] => 2,
            [.., b'\n' | b'\r'] => 1,
            _ => 0,
        };
        whole.start..whole.end - cut
    }

    /// The LSP position of byte `offset` (clamped to the text and to a char
    /// boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.lines.line_of(offset);
        let start = self.lines.line_range(line, self.text.len()).start;
        let before = &self.text[start..offset];
        let character = if before.is_ascii() {
            before.len()
        } else {
            before.chars().map(char::len_utf16).sum()
        };
        Position::new(line as u32, character as u32)
    }

    /// The LSP range of bytes `range`.
    pub fn range(&self, range: std::ops::Range<usize>) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of an LSP position: a line past the end is the end
    /// of the text, a character past the line's end is that end, and one
    /// inside a surrogate pair is the start of its character.
    pub fn offset(&self, pos: Position) -> usize {
        let line = pos.line as usize;
        if line >= self.lines.line_count() {
            return self.text.len();
        }
        let content = self.content(line);
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in self.text[content.clone()].char_indices() {
            units += c.len_utf16();
            if units > want {
                return content.start + i;
            }
        }
        content.end
    }

    /// The byte range of an LSP range (start and end clamped, in order).
    pub fn byte_range(&self, range: Range) -> std::ops::Range<usize> {
        let start = self.offset(range.start);
        let end = self.offset(range.end);
        start.min(end)..end.max(start)
    }
}

/// A finding of version `snap` as an LSP diagnostic (the finding's offsets
/// start `shift` bytes into the document: the length of a BOM).
pub(super) fn diagnostic(f: &Finding, snap: &Snapshot, shift: usize) -> Diagnostic {
    let severity = match f.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    // A suppression that suppresses nothing is dead text, as editors show it.
    let tags = (&*f.rule == "SUP004").then(|| vec![lsp_types::DiagnosticTag::UNNECESSARY]);
    Diagnostic {
        range: snap
            .positions()
            .range(f.range.start + shift..f.range.end + shift),
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

    /// The reference conversion: a scan from the start of the text, lines
    /// ending at `\n`, `\r\n` and a lone `\r`.
    fn slow_position(text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
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
        let lines = LineIndex::new(text);
        let idx = Positions::new(text, &lines);
        let at = text.find('b').unwrap();
        assert_eq!(idx.position(at), Position::new(1, 0));
        let end = text.find("'\n").unwrap();
        // é is one unit, 😀 two.
        assert_eq!(idx.position(end), Position::new(0, 8));
        assert_eq!(idx.offset(Position::new(0, 8)), end);
        assert_eq!(idx.offset(Position::new(9, 0)), text.len());
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(idx.offset(Position::new(0, 7)), emoji);
        // Past the line's end: the end of its content, not the next line.
        assert_eq!(idx.offset(Position::new(0, 99)), end + 1);
        // An offset inside a character: that character's start.
        assert_eq!(idx.position(emoji + 2), Position::new(0, 6));
    }

    #[test]
    fn every_offset_agrees_with_a_scan_from_the_start() {
        // Every line ending, a CR before a CRLF, and non-ASCII text.
        let text = "x = 1\r\n# 日本語 😀\rtail é\n\r\r\nlast";
        let lines = LineIndex::new(text);
        let idx = Positions::new(text, &lines);
        assert_eq!(lines.line_count(), 6);
        for offset in 0..=text.len() + 2 {
            let p = idx.position(offset);
            assert_eq!(p, slow_position(text, offset), "offset {offset}");
            if text.is_char_boundary(offset) && offset <= text.len() {
                let line_end = matches!(text.as_bytes().get(offset), Some(b'\n'))
                    && offset > 0
                    && text.as_bytes()[offset - 1] == b'\r';
                if !line_end {
                    assert_eq!(idx.offset(p), offset, "offset {offset}");
                }
            }
        }
        // CRLF: a position past the end of line 0 stops before the `\r`;
        // a lone CR: before it.
        assert_eq!(idx.offset(Position::new(0, 50)), 5);
        let lone = text.find("😀\r").unwrap() + '😀'.len_utf8();
        assert_eq!(idx.offset(Position::new(1, 50)), lone);
    }

    /// The CLI's 1-based line and column (in characters) and the server's
    /// LSP position (0-based, UTF-16) name the same place on every offset.
    #[test]
    fn positions_are_the_clis_in_utf16() {
        let text = "a\rb = '😀'\r\nc = '日本'\nd\r\r\n😀é\re";
        let lines = LineIndex::new(text);
        let idx = Positions::new(text, &lines);
        for (offset, _) in text.char_indices() {
            let cli = lines.position(text, offset);
            let lsp = idx.position(offset);
            assert_eq!(lsp.line as usize, cli.line - 1, "offset {offset}");
            let start = lines.line_range(cli.line - 1, text.len()).start;
            let units: usize = text[start..]
                .chars()
                .take(cli.column - 1)
                .map(char::len_utf16)
                .sum();
            assert_eq!(lsp.character as usize, units, "offset {offset}");
        }
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
