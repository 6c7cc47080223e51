//! Between rulegate and LSP: file URIs and paths, byte offsets and LSP
//! positions (lines and UTF-16 code units, the protocol's default), and
//! findings as LSP diagnostics.

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
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
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

/// The LSP position of byte `offset` of `text`.
pub fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count();
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The LSP range of bytes `range` of `text`.
pub fn range(text: &str, range: std::ops::Range<usize>) -> Range {
    Range::new(position(text, range.start), position(text, range.end))
}

/// The byte offset of an LSP position in `text` (clamped to the text).
pub fn offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut units = 0usize;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= pos.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

/// A finding as an LSP diagnostic of the document `text`.
pub fn diagnostic(f: &Finding, text: &str) -> Diagnostic {
    let severity = match f.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    };
    // A suppression that suppresses nothing is dead text, as editors show it.
    let tags = (&*f.rule == "SUP004").then(|| vec![lsp_types::DiagnosticTag::UNNECESSARY]);
    Diagnostic {
        range: range(text, f.range.clone()),
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

    #[test]
    fn positions_count_utf16_units() {
        let text = "a = 'é😀'\nb\n";
        let at = text.find('b').unwrap();
        assert_eq!(position(text, at), Position::new(1, 0));
        let end = text.find("'\n").unwrap();
        // é is one unit, 😀 two.
        assert_eq!(position(text, end), Position::new(0, 8));
        assert_eq!(offset(text, Position::new(0, 8)), end);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/a b/ç.py");
        let uri = uri_of(p).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A7.py");
        assert_eq!(path_of(&uri).unwrap(), p);
    }
}
