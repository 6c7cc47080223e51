//! A Python source file as rulegate sees it: decoded text, BOM and line-ending
//! facts, and a line index that turns byte offsets into 1-based line/column
//! pairs (columns count Unicode scalar values, as SPEC §1.1 fixes).

use std::sync::Arc;

/// Byte order mark of UTF-8 files.
pub const UTF8_BOM: &str = "\u{feff}";

/// The largest file rulegate reads (a source, pack, config, script, cache
/// or baseline): a bigger one is refused with a clear error, never read
/// until memory runs out.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads `path` only if it is a regular file (after symlinks) of at most
/// [`MAX_FILE_BYTES`]: a FIFO, socket or device (`/dev/zero`, `/dev/stdin`)
/// is an error instead of a hang or an endless read.
pub fn read_regular(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a folder, FIFO, socket or device)",
        ));
    }
    let too_big = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// Reads a regular text file (a pack, config, script, baseline or log) as
/// UTF-8 without its BOM; invalid UTF-8 is an error that names the line.
pub fn read_utf8(path: &std::path::Path) -> std::io::Result<String> {
    let bytes = read_regular(path)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix(UTF8_BOM) {
            Some(rest) => rest.to_string(),
            None => text,
        }),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let column = at
                - bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1;
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not valid UTF-8 at line {line}, column {column} (byte {at}); save it as UTF-8"
                ),
            ))
        }
    }
}

/// The body of a file's text as rulegate reads it: whether it had a BOM,
/// whether its line breaks were lone `\r`s, and the text without the BOM
/// and with `\n` line breaks.
fn body_of(text: &str) -> (bool, bool, std::borrow::Cow<'_, str>) {
    let (bom, body) = match text.strip_prefix(UTF8_BOM) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    // Python reads a lone `\r` as a line break; tree-sitter does not.
    let cr_only = body.contains('\r') && !body.contains('\n');
    if cr_only {
        (bom, cr_only, body.replace('\r', "\n").into())
    } else {
        (bom, cr_only, body.into())
    }
}

/// Reads a regular file's [`SourceText::text`] alone (no line index): for
/// modules read for their names or their digest.
pub fn read_body(path: &std::path::Path) -> std::io::Result<String> {
    body_of_bytes(&read_regular(path)?)
}

/// The text of a file's `bytes` as [`read_body`] gives it.
pub fn body_of_bytes(bytes: &[u8]) -> std::io::Result<String> {
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(e.valid_up_to()))?;
    Ok(body_of(text).2.into_owned())
}

fn not_utf8(offset: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("not valid UTF-8 (first bad byte at offset {offset})"),
    )
}

/// Where one of `words` occurs after a `#` on its line: every occurrence in
/// a comment, and those in strings that hold a `#`. `#` is rare and found
/// by `memchr`, so most of the text is never searched for the words.
pub fn words_after_hash(text: &str, words: &aho_corasick::AhoCorasick) -> Vec<usize> {
    let mut hits = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'#', &bytes[from..]) {
        let hash = from + i;
        // A line ends at `\n`, `\r\n` or a lone `\r`, as Python reads it.
        let end = memchr::memchr2(b'\n', b'\r', &bytes[hash..]).map_or(text.len(), |e| hash + e);
        hits.extend(words.find_iter(&text[hash..end]).map(|m| hash + m.start()));
        from = end;
    }
    hits
}

/// Reads and decodes a regular file as source text.
pub fn read_source(path: &std::path::Path) -> std::io::Result<SourceText> {
    let bytes = read_regular(path)?;
    SourceText::decode(&bytes).map_err(|DecodeError::NotUtf8 { offset }| not_utf8(offset))
}

/// The text of one file, without its BOM, plus what is needed to write it back.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// The text after the BOM. Offsets everywhere in rulegate index into this.
    pub text: Arc<str>,
    /// Whether the file started with a UTF-8 BOM (kept when writing fixes).
    pub bom: bool,
    /// Whether the file breaks lines with a lone `\r` (old Mac style), as
    /// Python allows: `text` then has `\n` in their place (same offsets),
    /// and writing puts the `\r` back.
    pub cr_only: bool,
    /// Line index over `text`.
    pub lines: LineIndex,
}

/// Why a file could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes are not UTF-8.
    NotUtf8 {
        /// Where the first bad byte is.
        offset: usize,
    },
}

impl SourceText {
    /// Decodes raw file bytes: strips a UTF-8 BOM and rejects non-UTF-8 input.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        Ok(Self::new(text))
    }

    /// The source of `text`, sharing `text` and its line index `lines`
    /// when the text needs no change (no BOM, not lone-`\r` only): the
    /// language server's document versions, whose index is built once.
    pub fn new_shared(text: Arc<str>, lines: &LineIndex) -> Self {
        let as_is = matches!(
            body_of(&text),
            (false, false, std::borrow::Cow::Borrowed(_))
        );
        if !as_is {
            return Self::new(&text);
        }
        Self {
            lines: lines.clone(),
            text,
            bom: false,
            cr_only: false,
        }
    }

    /// Builds the source from text that may start with a BOM.
    pub fn new(text: &str) -> Self {
        let (bom, cr_only, body) = body_of(text);
        let text: Arc<str> = Arc::from(&*body);
        Self {
            lines: LineIndex::lazy(text.clone()),
            text,
            bom,
            cr_only,
        }
    }

    /// The bytes to write back for `body`, restoring the BOM if the file had
    /// one, and its lone `\r` line breaks.
    pub fn encode(&self, body: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(body.len() + 3);
        if self.bom {
            out.extend_from_slice(UTF8_BOM.as_bytes());
        }
        if self.cr_only {
            out.extend_from_slice(body.replace('\n', "\r").as_bytes());
        } else {
            out.extend_from_slice(body.as_bytes());
        }
        out
    }

    /// The line ending the file mostly uses.
    pub fn line_ending(&self) -> LineEnding {
        LineEnding::of(&self.text)
    }
}

/// A file's line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// A lone `\r` (old Mac style), a line break to Python.
    Cr,
}

impl LineEnding {
    /// The dominant line ending of `text`: the one it holds most of (bare
    /// LF on a tie with it; CRLF on a tie with lone CR).
    pub fn of(text: &str) -> Self {
        let crlf = memchr::memmem::find_iter(text.as_bytes(), b"\r\n").count();
        let lf = memchr::memchr_iter(b'\n', text.as_bytes()).count() - crlf;
        let cr = memchr::memchr_iter(b'\r', text.as_bytes()).count() - crlf;
        if crlf > lf && crlf >= cr {
            LineEnding::CrLf
        } else if cr > lf && cr > crlf {
            LineEnding::Cr
        } else {
            LineEnding::Lf
        }
    }

    /// The characters that end a line.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }

    /// `text` with every line break written in this ending.
    pub fn apply<'a>(self, text: &'a str) -> std::borrow::Cow<'a, str> {
        match self {
            LineEnding::Lf if text.contains("\r\n") => text.replace("\r\n", "\n").into(),
            LineEnding::Lf => std::borrow::Cow::Borrowed(text),
            LineEnding::CrLf => text.replace("\r\n", "\n").replace('\n', "\r\n").into(),
            LineEnding::Cr if text.contains('\n') => {
                text.replace("\r\n", "\n").replace('\n', "\r").into()
            }
            LineEnding::Cr => std::borrow::Cow::Borrowed(text),
        }
    }

    /// The line break that ends the line holding byte `offset` of `text`:
    /// where it starts and which it is (`\r\n`, a lone `\r` or `\n`, as
    /// Python and ruff break lines); `None` on the last line.
    pub fn after(text: &str, offset: usize) -> Option<(usize, LineEnding)> {
        let b = text.as_bytes();
        let i = offset + memchr::memchr2(b'\n', b'\r', &b[offset..])?;
        Some(match (b[i], b.get(i + 1)) {
            (b'\n', _) => (i, LineEnding::Lf),
            (_, Some(b'\n')) => (i, LineEnding::CrLf),
            _ => (i, LineEnding::Cr),
        })
    }
}

/// Whether `text` holds a lone `\r` (one not followed by `\n`): a line
/// break to Python, and to nothing else rulegate uses unless told.
pub fn has_lone_cr(text: &str) -> bool {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'\r', &b[from..]) {
        let at = from + i;
        if b.get(at + 1) != Some(&b'\n') {
            return true;
        }
        from = at + 1;
    }
    false
}

/// `text` with each lone `\r` written as `\n` (same length, so every byte
/// offset stays valid), borrowed when it has none: the text tree-sitter
/// parses, since its comments and strings run to `\n` only.
pub fn lone_cr_as_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if !has_lone_cr(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut b = text.as_bytes().to_vec();
    for i in memchr::memchr_iter(b'\r', text.as_bytes()) {
        if b.get(i + 1) != Some(&b'\n') {
            b[i] = b'\n';
        }
    }
    std::borrow::Cow::Owned(String::from_utf8(b).expect("ASCII for ASCII keeps UTF-8"))
}

/// A 1-based line and column (in Unicode scalar values).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in Unicode scalar values.
    pub column: usize,
}

/// Start and end positions of a range of text.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Location {
    /// Where the range starts.
    pub start: Position,
    /// Where the range ends (exclusive).
    pub end: Position,
}

/// Byte offsets of line starts, for offset → line/column conversion.
/// A file's index is built on first use: most files have no finding, and
/// nothing else asks for lines. Clones of a built index share it (the
/// language server's document version and its lint).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// The text to index on first use ([`LineIndex::lazy`]).
    text: Option<Arc<str>>,
    starts: std::sync::OnceLock<Arc<Vec<usize>>>,
}

impl LineIndex {
    /// Indexes the line starts of `text` (a line ends at `\n`, `\r\n` or a
    /// lone `\r`, as in Python).
    pub fn new(text: &str) -> Self {
        Self {
            text: None,
            starts: std::sync::OnceLock::from(Arc::new(line_starts(text))),
        }
    }

    /// The index of `text`, built when first asked.
    pub fn lazy(text: Arc<str>) -> Self {
        Self {
            text: Some(text),
            starts: std::sync::OnceLock::new(),
        }
    }

    fn starts(&self) -> &[usize] {
        self.starts
            .get_or_init(|| Arc::new(line_starts(self.text.as_deref().unwrap_or(""))))
    }

    /// Number of lines (a trailing newline opens an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts().len()
    }

    /// 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte offset where 0-based `line` starts (the last line's start for
    /// a line past the end).
    pub fn line_start(&self, line: usize) -> usize {
        let starts = self.starts();
        starts[line.min(starts.len() - 1)]
    }

    /// Byte range of 0-based `line`, including its line ending.
    pub fn line_range(&self, line: usize, text_len: usize) -> std::ops::Range<usize> {
        let start = self.starts()[line];
        let end = self.starts().get(line + 1).copied().unwrap_or(text_len);
        start..end
    }

    /// Position of byte `offset` in `text` (offset is clamped to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts()[line];
        Position {
            line: line + 1,
            column: text[start..offset].chars().count() + 1,
        }
    }

    /// Location of the byte range `range` in `text`.
    pub fn location(&self, text: &str, range: std::ops::Range<usize>) -> Location {
        Location {
            start: self.position(text, range.start),
            end: self.position(text, range.end),
        }
    }

    /// Byte offset of a 1-based line and column, if it lies in `text`.
    pub fn offset(&self, text: &str, pos: Position) -> Option<usize> {
        let start = *self.starts().get(pos.line.checked_sub(1)?)?;
        let end = self.starts().get(pos.line).copied().unwrap_or(text.len());
        let mut col = 1;
        for (i, _) in text[start..end].char_indices() {
            if col == pos.column {
                return Some(start + i);
            }
            col += 1;
        }
        (col == pos.column).then_some(end)
    }
}

/// Line starts: after each `\n`, and after each lone `\r` (Python and
/// ruff break lines at `\r\n`, `\r` and `\n`).
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    // About one line per 32 bytes of Python: most files grow it at most once.
    let mut starts = Vec::with_capacity(b.len() / 32 + 1);
    starts.push(0);
    if memchr::memchr(b'\r', b).is_none() {
        // The common case: one byte to look for is twice as fast as two.
        starts.extend(memchr::memchr_iter(b'\n', b).map(|i| i + 1));
        return starts;
    }
    starts.extend(
        memchr::memchr2_iter(b'\n', b'\r', b)
            .filter(|&i| b[i] == b'\n' || b.get(i + 1) != Some(&b'\n'))
            .map(|i| i + 1),
    );
    starts
}

/// The largest char boundary not above `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_unicode_scalars() {
        let text = "a = 'é'\nb = 1\r\nc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 3);
        let e = text.find('\'').unwrap() + 3; // after "'é"
        assert_eq!(idx.position(text, e), Position { line: 1, column: 7 });
        let c = text.find('c').unwrap();
        assert_eq!(idx.position(text, c), Position { line: 3, column: 1 });
        assert_eq!(idx.offset(text, Position { line: 3, column: 1 }), Some(c));
        assert_eq!(idx.offset(text, Position { line: 9, column: 1 }), None);
    }

    #[test]
    fn bom_is_stripped_and_restored() {
        let src = SourceText::decode("\u{feff}x = 1\n".as_bytes()).unwrap();
        assert!(src.bom);
        assert_eq!(&*src.text, "x = 1\n");
        assert_eq!(src.encode("y\n"), "\u{feff}y\n".as_bytes());
    }

    #[test]
    fn non_utf8_is_an_error_with_offset() {
        assert_eq!(
            SourceText::decode(b"x = '\xe9'\n").unwrap_err(),
            DecodeError::NotUtf8 { offset: 5 }
        );
    }

    #[test]
    fn a_lone_cr_breaks_lines_as_in_python() {
        // Lone CR, CRLF, LF and a CR before a CRLF: four line breaks.
        let text = "a\rb\r\nc\nd\r\r\né";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 6);
        let pos = |s| idx.position(text, text.find(s).unwrap());
        assert_eq!(pos("b"), Position { line: 2, column: 1 });
        assert_eq!(pos("c"), Position { line: 3, column: 1 });
        assert_eq!(pos("d"), Position { line: 4, column: 1 });
        assert_eq!(pos("é"), Position { line: 6, column: 1 });
        assert_eq!(idx.line_range(0, text.len()), 0..2);
        assert_eq!(idx.line_range(1, text.len()), 2..5);
        assert_eq!(idx.offset(text, Position { line: 2, column: 1 }), Some(2));
        // The parser's text: same length, lone CRs as LF, nothing copied
        // when there is none.
        assert_eq!(lone_cr_as_lf(text), "a\nb\r\nc\nd\n\r\né");
        assert!(matches!(
            lone_cr_as_lf("a\r\nb\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(!has_lone_cr("a\r\nb\n") && has_lone_cr("a\r") && has_lone_cr("\r\r\n"));
        assert_eq!(LineEnding::after(text, 0), Some((1, LineEnding::Cr)));
        assert_eq!(LineEnding::after(text, 2), Some((3, LineEnding::CrLf)));
        assert_eq!(LineEnding::after(text, 5), Some((6, LineEnding::Lf)));
        assert_eq!(LineEnding::after(text, 12), None);
        assert_eq!(LineEnding::of("a\rb\rc\n"), LineEnding::Cr);
        assert_eq!(LineEnding::Cr.apply("x\ny\r\n"), "x\ry\r");
        // A directive word after `#` is searched to the line's end only.
        let words = aho_corasick::AhoCorasick::new(["noqa", "json"]).unwrap();
        let t = "x = 1\n# noqa: E402\rimport json  # json\n";
        let hits = words_after_hash(t, &words);
        assert_eq!(hits, [t.find("noqa").unwrap(), t.rfind("json").unwrap()]);
    }

    #[test]
    fn line_endings_are_detected() {
        assert_eq!(LineEnding::of("a\r\nb\r\n"), LineEnding::CrLf);
        assert_eq!(LineEnding::of("a\nb\r\n c\n"), LineEnding::Lf);
        assert_eq!(LineEnding::of(""), LineEnding::Lf);
        assert_eq!(LineEnding::CrLf.apply("a\nb\r\n"), "a\r\nb\r\n");
    }
}
