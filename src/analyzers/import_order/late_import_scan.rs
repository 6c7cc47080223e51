//! A conservative line scan for E402 (`import-order`): whether a file may
//! hold a module-level import after other module-level code. When it says
//! no, the file needs no parse for E402. It may say yes for a file that has
//! no such import (a function-level import after a `def`, a docstring it
//! does not understand), never no for one that has: `scripts/e402-parity.sh`
//! (in CI, on the stdlib and sphinx) compares E402 with ruff 0.17.5 finding
//! for finding, so a file the scan wrongly ruled out would show up there as
//! a finding only ruff has. On the stdlib, 55% of the files need no parse
//! for E402.
//!
//! The scan reads lines: after an optional module docstring, only blank
//! lines, comments and imports (with their parenthesised or backslash
//! continuation lines) may come before the first other statement, which
//! starts at column 0; after it, any line that starts with `import` or
//! `from` (at any indentation) is a maybe.

/// Whether `text` may hold a module-level import after other code.
pub fn may_have_late_import(text: &str) -> bool {
    let mut lines = text.lines().peekable();
    // Blank lines and comments, then maybe a docstring.
    while lines
        .peek()
        .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        lines.next();
    }
    if let Some(first) = lines.peek().copied()
        && let Some((quote, rest)) = string_start(first)
    {
        lines.next();
        let after = match rest.find(quote) {
            Some(end) => &rest[end + quote.len()..],
            None if quote.len() == 3 => loop {
                let Some(line) = lines.next() else {
                    return true; // unterminated: a syntax error
                };
                if let Some(end) = line.find(quote) {
                    break &line[end + 3..];
                }
            },
            None => return true, // a continued one-quote string
        };
        let after = after.trim();
        if !after.is_empty() && !after.starts_with('#') {
            return true; // `"""doc""" + x` or the like
        }
    }
    let mut continuation: Option<Continuation> = None;
    for line in lines {
        match continuation {
            Some(Continuation::Paren) => {
                if line.contains(')') {
                    continuation = None;
                }
                continue;
            }
            Some(Continuation::Backslash) => {
                if !line.trim_end().ends_with('\\') {
                    continuation = None;
                }
                continue;
            }
            None => {}
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t', '\x0c']) {
            return true; // indented, not a continuation: not foreseen
        }
        if starts_import(line) && !line.contains(';') {
            if line.contains('(') && !line.contains(')') {
                continuation = Some(Continuation::Paren);
            } else if line.trim_end().ends_with('\\') {
                continuation = Some(Continuation::Backslash);
            }
            continue;
        }
        if line.contains("import") {
            return true; // `x = 1; import os`
        }
        // Code: any later line that starts with an import is a maybe.
        let end = line.as_ptr() as usize - text.as_ptr() as usize + line.len();
        return has_import_line(&text[end..]);
    }
    false
}

/// Whether a line of `rest` starts, after its indentation, with `import`
/// or `from`: such a line holds the word, so only the places of the two
/// words are read (a SIMD search), not every line.
fn has_import_line(rest: &str) -> bool {
    let bytes = rest.as_bytes();
    ["import", "from"].iter().any(|word| {
        memchr::memmem::find_iter(bytes, word.as_bytes()).any(|at| {
            let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            bytes[line_start..at]
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
                && starts_import(&rest[at..])
        })
    })
}

#[derive(Clone, Copy)]
enum Continuation {
    /// Inside `from m import (`, until a `)`.
    Paren,
    /// After a line that ends with `\`.
    Backslash,
}

/// Whether `line` starts with the keyword `import` or `from`.
fn starts_import(line: &str) -> bool {
    ["import", "from"].iter().any(|k| {
        line.strip_prefix(k)
            .is_some_and(|rest| rest.starts_with([' ', '\t', '\x0c', '\\', '(']))
    })
}

/// The quote that opens a string at the start of `line` (after a `r`, `u`
/// or `b` prefix), and the text after it.
fn string_start(line: &str) -> Option<(&'static str, &str)> {
    let body = line.trim_start_matches(['r', 'R', 'u', 'U', 'b', 'B']);
    if line.len() - body.len() > 2 {
        return None;
    }
    ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| body.starts_with(q))
        .map(|q| (q, &body[q.len()..]))
}

#[cfg(test)]
mod tests {
    use super::may_have_late_import as scan;

    #[test]
    fn files_whose_imports_all_come_first_need_no_parse() {
        for text in [
            "",
            "import os\nimport sys\n\ndef f():\n    pass\n",
            "\"\"\"Doc.\n\nimport x\n\"\"\"\nimport os\nx = 1\n",
            "#!/usr/bin/env python\n# comment\nr'''doc'''\nfrom a import (\n    b,\nc)\nfrom d import \\\n    e\nx = 1\n",
            "import os\r\nx = 1\r\n",
            "'doc'\nimport os\nclass A:\n    pass\n",
            "x = 1\ny = 'from x'  # import\nz = f(import_module)\nfromage = 1\n",
            "x = 1\r\nfrom\r\nimport\n",
        ] {
            assert!(!scan(text), "{text}");
        }
    }

    #[test]
    fn anything_else_is_a_maybe() {
        for text in [
            "x = 1\nimport os\n",
            "import os\nif x:\n    import y\n",
            "import os; x = 1\nimport sys\n",
            "x = 1; import os\n",
            "def f():\n    import os\n",
            "   x = 1\nimport os\n",
            "\"\"\"unterminated\nimport os\n",
            "\"\"\"doc\"\"\" + x\nimport os\n",
            "\"one\\\n line\"\nimport os\n",
            "x = 1\nfrom\\\n a import b\n",
            "x = 1\nfrom(a) import b\n",
            "x = 1\n\n  \x0cimport os\n",
            "x = 1\r\ny = 2\r\n\timport os\r\n",
        ] {
            assert!(scan(text), "{text}");
        }
    }
}
