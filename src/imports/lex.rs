//! A Python tokenizer just deep enough for [`super::scan`]: names,
//! operators, strings (f-strings with their replacement fields), numbers,
//! comments skipped, brackets, backslash continuations, and logical lines
//! with their indentation. It gives up (`None`) on what it does not follow
//! and on what Python itself rejects: tabs or form feeds in indentation, a
//! lone carriage return, unbalanced brackets, unterminated strings, a
//! backslash outside a string that does not end its line.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword.
    Name,
    /// One punctuation byte (`.`, `,`, `(`, `:`, `;`, `*`, …).
    Op(u8),
    /// `:=`.
    ColonEq,
    /// A string literal, prefix included.
    Str,
    /// A number.
    Number,
}

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Where it starts.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Bracket depth before it (its own bracket excluded).
    pub depth: u32,
}

/// One logical line: its tokens and the column of the first.
#[derive(Debug, Clone)]
pub struct Line {
    /// Indentation width in spaces.
    pub indent: usize,
    /// Its tokens, as a range of [`Tokens::tokens`].
    pub tokens: Range<usize>,
}

/// A file's tokens, by logical line.
#[derive(Debug, Default)]
pub struct Tokens {
    /// Every token in file order.
    pub tokens: Vec<Token>,
    /// The logical lines.
    pub lines: Vec<Line>,
}

/// Tokenizes `text`; `None` when it holds something the tokenizer does not
/// follow.
pub fn tokenize(text: &str) -> Option<Tokens> {
    let b = text.as_bytes();
    let mut out = Tokens::default();
    let mut i = 0;
    let mut depth: u32 = 0;
    // Start of the current physical line, and of the logical line's tokens.
    let mut line_start = 0;
    let mut first_token = 0;
    let mut indent = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let kind = match c {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                i += 1;
                continue;
            }
            // `\n` or a lone `\r`: Python breaks lines at both.
            b'\n' | b'\r' => {
                i += 1;
                line_start = i;
                if depth == 0 {
                    end_line(&mut out, &mut first_token, indent);
                }
                continue;
            }
            b' ' | b'\t' | b'\x0c' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = memchr_newline(b, i);
                continue;
            }
            b'\\' => {
                // A continuation joins the next line to this logical line.
                let after = newline_end(b, i + 1)?;
                if out.tokens.len() == first_token {
                    return None;
                }
                i = after;
                line_start = i;
                continue;
            }
            b'"' | b'\'' => {
                i = string(b, i, false)?;
                Kind::Str
            }
            b'0'..=b'9' => {
                i = number(b, i);
                Kind::Number
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number(b, i);
                Kind::Number
            }
            c if is_ident_start(c) => {
                i = ident_end(b, i);
                match b.get(i) {
                    Some(b'"' | b'\'') if string_prefix(&b[start..i]).is_some() => {
                        let formatted = string_prefix(&b[start..i]) == Some(true);
                        i = string(b, i, formatted)?;
                        Kind::Str
                    }
                    _ => Kind::Name,
                }
            }
            b':' if b.get(i + 1) == Some(&b'=') => {
                i += 2;
                Kind::ColonEq
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                depth += 1;
                out.tokens.push(Token {
                    kind: Kind::Op(c),
                    start,
                    end: i,
                    depth: depth - 1,
                });
                continue;
            }
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                i += 1;
                Kind::Op(c)
            }
            c if c.is_ascii_graphic() => {
                i += 1;
                Kind::Op(c)
            }
            _ => return None,
        };
        if out.tokens.len() == first_token {
            // The first token of a logical line: its indentation.
            let lead = &b[line_start..start];
            if lead.iter().any(|&c| c != b' ') {
                return None;
            }
            indent = lead.len();
        }
        out.tokens.push(Token {
            kind,
            start,
            end: i,
            depth,
        });
    }
    if depth != 0 {
        return None;
    }
    end_line(&mut out, &mut first_token, indent);
    Some(out)
}

fn end_line(out: &mut Tokens, first_token: &mut usize, indent: usize) {
    if out.tokens.len() > *first_token {
        out.lines.push(Line {
            indent,
            tokens: *first_token..out.tokens.len(),
        });
        *first_token = out.tokens.len();
    }
}

/// Where the line break at or after `from` starts (`\n`, or the `\r` of
/// `\r\n` or of a lone `\r`), or the end of the text.
fn memchr_newline(b: &[u8], from: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &b[from..]).map_or(b.len(), |p| from + p)
}

/// The end of the line break (`\r\n`, `\n` or a lone `\r`) at `i`, if one is there.
fn newline_end(b: &[u8], i: usize) -> Option<usize> {
    match (b.get(i)?, b.get(i + 1)) {
        (b'\r', Some(b'\n')) => Some(i + 2),
        (b'\r' | b'\n', _) => Some(i + 1),
        _ => None,
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
        i += 1;
    }
    i
}

/// Whether `word` is a string prefix (`r`, `b`, `f`, `rb`, `t`, …), and if
/// so whether the string is formatted (has replacement fields).
fn string_prefix(word: &[u8]) -> Option<bool> {
    if word.is_empty() || word.len() > 2 {
        return None;
    }
    let lower: Vec<u8> = word.iter().map(u8::to_ascii_lowercase).collect();
    let formatted = lower.iter().any(|c| matches!(c, b'f' | b't'));
    match lower.as_slice() {
        b"r" | b"b" | b"u" | b"f" | b"t" | b"rb" | b"br" | b"fr" | b"rf" | b"tr" | b"rt" => {
            Some(formatted)
        }
        _ => None,
    }
}

fn number(b: &[u8], mut i: usize) -> usize {
    let hex = b[i..].len() > 1 && b[i] == b'0' && matches!(b[i + 1], b'x' | b'X');
    while i < b.len() {
        let c = b[i];
        let exponent_sign = matches!(c, b'+' | b'-') && !hex && matches!(b[i - 1], b'e' | b'E');
        if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign) {
            break;
        }
        i += 1;
    }
    i
}

/// The end of the string whose quote is at `i`.
fn string(b: &[u8], mut i: usize, formatted: bool) -> Option<usize> {
    let q = b[i];
    let triple = b[i..].starts_with(&[q, q, q]);
    i += if triple { 3 } else { 1 };
    loop {
        let c = *b.get(i)?;
        match c {
            b'\\' => i = newline_end(b, i + 1).unwrap_or(i + 2),
            b'{' if formatted => {
                if b.get(i + 1) == Some(&b'{') {
                    i += 2;
                } else {
                    i = replacement_field(b, i + 1)?;
                }
            }
            c if c == q => {
                if !triple {
                    return Some(i + 1);
                }
                if b[i..].starts_with(&[q, q, q]) {
                    return Some(i + 3);
                }
                i += 1;
            }
            b'\n' | b'\r' if !triple => return None,
            _ => i += 1,
        }
    }
}

/// The end (past `}`) of an f-string replacement field whose expression
/// starts at `i`.
fn replacement_field(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0u32;
    loop {
        let c = *b.get(i)?;
        match c {
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' => {
                depth = depth.checked_sub(1)?;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i + 1),
            b'}' => {
                depth -= 1;
                i += 1;
            }
            // The format spec: its quotes are literal, `{…}` nests.
            b':' if depth == 0 => return format_spec(b, i + 1),
            b'"' | b'\'' => i = string(b, i, false)?,
            b'#' | b'\\' => return None,
            c if is_ident_start(c) => {
                let start = i;
                i = ident_end(b, i);
                if matches!(b.get(i), Some(b'"' | b'\'')) {
                    let formatted = string_prefix(&b[start..i])?;
                    i = string(b, i, formatted)?;
                }
            }
            _ => i += 1,
        }
    }
}

fn format_spec(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match *b.get(i)? {
            b'}' => return Some(i + 1),
            b'{' => i = replacement_field(b, i + 1)?,
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<Vec<&str>> {
        let t = tokenize(src).unwrap();
        t.lines
            .iter()
            .map(|l| {
                t.tokens[l.tokens.clone()]
                    .iter()
                    .map(|k| &src[k.start..k.end])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn logical_lines_join_brackets_and_continuations() {
        let src = "import a  # c\nx = (1,\n  2)\ny = 1 + \\\n  2\n\n   \n";
        assert_eq!(
            texts(src),
            [
                vec!["import", "a"],
                vec!["x", "=", "(", "1", ",", "2", ")"],
                vec!["y", "=", "1", "+", "2"]
            ]
        );
    }

    #[test]
    fn strings_hide_what_they_hold() {
        let src = "a = '''\nimport x\n''' + r'\\'' + f\"{d['k']:>{w}} {{\" + b'#'\n";
        let lines = texts(src);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0][2], "'''\nimport x\n'''");
        assert_eq!(lines[0][6], "f\"{d['k']:>{w}} {{\"");
        // PEP 701: the same quote inside a replacement field.
        assert_eq!(texts("f\"{\"a\"}\" + x\n")[0].len(), 3);
    }

    #[test]
    fn indentation_is_the_first_tokens_column() {
        let t = tokenize("if x:\n    y\r\n  # c\nz\n").unwrap();
        let indents: Vec<usize> = t.lines.iter().map(|l| l.indent).collect();
        assert_eq!(indents, [0, 4, 0]);
    }

    #[test]
    fn a_lone_cr_breaks_lines_as_in_python() {
        let src = "x = 1\n# noqa: E402\rimport json\r\ny = \\\r  2\rimport os";
        assert_eq!(
            texts(src),
            [
                vec!["x", "=", "1"],
                vec!["import", "json"],
                vec!["y", "=", "2"],
                vec!["import", "os"]
            ]
        );
        assert_eq!(
            texts("a = '''\r'''\rb\r"),
            [vec!["a", "=", "'''\r'''"], vec!["b"]]
        );
    }

    #[test]
    fn gives_up_on_what_python_rejects() {
        for src in [
            "x = (\n",
            "x = )\n",
            "x = 'abc\n",
            "x = '''abc\n",
            "if x:\n\ty\n",
            "x = 1 \\ 2\n",
            "x = f'{a'\n",
            "x = 'a\rb'\n",
        ] {
            assert!(tokenize(src).is_none(), "{src:?}");
        }
    }
}
