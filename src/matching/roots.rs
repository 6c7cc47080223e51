//! The node kinds a query pattern can be rooted at, read from its text. A
//! query whose every pattern has known root kinds need not be walked with
//! tree-sitter's query cursor over the whole tree (which computes points,
//! fields and states at every node): a plain cursor walk finds the nodes of
//! those kinds, and the query runs rooted at each (`QuerySet::run`).
//!
//! Anything this reader does not understand (a wildcard, a supertype, a
//! quantified or rootless pattern, a sequence of siblings) gives `None`,
//! and the query is walked as before.

use tree_sitter::Language;

/// The kind ids one pattern (`text`, the pattern alone) can be rooted at.
pub fn pattern_roots(text: &str, language: &Language) -> Option<Vec<u16>> {
    let mut r = Reader {
        s: text.as_bytes(),
        i: 0,
    };
    r.skip_blank();
    let kinds = r.node(language)?;
    r.skip_blank();
    (r.i == r.s.len()).then_some(kinds)
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips blanks and `;` comments.
    fn skip_blank(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.i += 1;
            } else if c == b';' {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Skips blanks and captures (`@name`) after a node.
    fn skip_captures(&mut self) {
        loop {
            self.skip_blank();
            if self.peek() != Some(b'@') {
                return;
            }
            self.i += 1;
            while self.peek().is_some_and(is_name_byte) {
                self.i += 1;
            }
        }
    }

    fn name(&mut self) -> &str {
        let start = self.i;
        while self.peek().is_some_and(is_name_byte) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }

    /// A quoted string (the reader is on its `"`), unescaped.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out).ok();
                }
                b'\\' => {
                    out.push(*self.s.get(self.i + 1)?);
                    self.i += 2;
                }
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// Skips to after the `)` that closes the node being read (strings
    /// and comments respected).
    fn skip_to_close(&mut self) -> Option<()> {
        let mut depth = 1;
        while depth > 0 {
            match self.peek()? {
                b'(' | b'[' => {
                    depth += 1;
                    self.i += 1;
                }
                b')' | b']' => {
                    depth -= 1;
                    self.i += 1;
                }
                b'"' => {
                    self.string()?;
                }
                b';' => self.skip_blank(),
                _ => self.i += 1,
            }
        }
        Some(())
    }

    /// One node (with its captures), not quantified: its root kinds.
    fn node(&mut self, language: &Language) -> Option<Vec<u16>> {
        let kinds = match self.peek()? {
            b'[' => {
                self.i += 1;
                let mut kinds = Vec::new();
                loop {
                    self.skip_blank();
                    if self.peek()? == b']' {
                        self.i += 1;
                        break;
                    }
                    kinds.extend(self.node(language)?);
                }
                kinds
            }
            b'"' => {
                let s = self.string()?;
                vec![kind_id(language, &s, false)?]
            }
            b'(' => {
                self.i += 1;
                self.skip_blank();
                match self.peek()? {
                    // A group: one node, then only predicates.
                    b'(' | b'[' | b'"' => {
                        let kinds = self.node(language)?;
                        loop {
                            self.skip_blank();
                            match self.peek()? {
                                b')' => {
                                    self.i += 1;
                                    break;
                                }
                                b'(' if self.s.get(self.i + 1) == Some(&b'#') => {
                                    self.i += 1;
                                    self.skip_to_close()?;
                                }
                                _ => return None, // a sequence of siblings
                            }
                        }
                        kinds
                    }
                    _ => {
                        let name = self.name().to_string();
                        let id = kind_id(language, &name, true)?;
                        self.skip_to_close()?;
                        vec![id]
                    }
                }
            }
            _ => return None, // a wildcard, a field or a predicate at the root
        };
        if matches!(self.peek(), Some(b'*' | b'+' | b'?')) {
            return None;
        }
        self.skip_captures();
        Some(kinds)
    }
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-'
}

/// The id of a concrete node kind (`None` for unknown kinds, supertypes
/// and the error and missing pseudo-kinds).
fn kind_id(language: &Language, name: &str, named: bool) -> Option<u16> {
    if name.is_empty() || name == "_" || name == "ERROR" || name == "MISSING" {
        return None;
    }
    let id = language.id_for_node_kind(name, named);
    (id != 0 && !language.node_kind_is_supertype(id)).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python;

    /// The root kinds' names, joined by spaces.
    fn roots(text: &str) -> Option<String> {
        let language = python();
        let ids = pattern_roots(text, &language)?;
        let names: Vec<&str> = ids
            .iter()
            .map(|&id| language.node_kind_for_id(id).unwrap())
            .collect();
        Some(names.join(" "))
    }

    #[test]
    fn root_kinds_of_patterns() {
        let cases = [
            ("(except_clause !value) @handler", "except_clause"),
            (
                "[(default_parameter value: (list) @v)\n (typed_default_parameter value: [(list) (set)] @v)]",
                "default_parameter typed_default_parameter",
            ),
            (
                "((identifier) @x (#eq? @x \"a)\") (#match? @x \"[(]\"))",
                "identifier",
            ),
            ("\"async\" @kw ; a comment\n", "async"),
            ("(call function: (identifier) @f ; (\n)", "call"),
        ];
        for (text, want) in cases {
            assert_eq!(roots(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn what_is_not_understood_has_no_roots() {
        for text in [
            "(_) @any",
            "_",
            "(expression) @e",
            "(call)* @c",
            "((identifier) (identifier))",
            "(identifier) (string)",
            "(ERROR) @e",
            "(no_such_kind)",
            "(call",
        ] {
            assert_eq!(roots(text), None, "{text}");
        }
    }
}
