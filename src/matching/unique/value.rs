//! The value a `unique` capture stands for: a string literal compares by
//! what Python makes of it (`"a"`, `'a'`, `"""a"""`, `u"a"`, `"\x61"` and
//! `"a" ""` are one value), a number by its value (`0x10` is `16`), `True`,
//! `False` and `None` as themselves. A string with non-literal parts (an
//! f-string's `{x}`) and any other expression (a name, a call) have no
//! value: what they stand for is known only when the program runs.

use tree_sitter::Node;

/// The value of the captured `node` of `text`, with its sort in front
/// (`s:` a str, `b:` bytes, `n:` a number, `k:` `True`/`False`/`None`),
/// or `None` when it is not a constant (a name, a call, an f-string or a
/// concatenation with interpolated parts, a node with a syntax error).
pub fn value_of(node: Node, text: &str) -> Option<String> {
    if node.has_error() {
        return None;
    }
    match node.kind() {
        "string" => string_value(node, text).map(|(bytes, v)| sorted(bytes, &v)),
        "concatenated_string" => {
            let mut sort = None;
            let mut value = String::new();
            let mut walk = node.walk();
            for part in node.named_children(&mut walk) {
                if part.kind() == "comment" {
                    continue;
                }
                let (bytes, v) = string_value(part, text)?;
                // Python refuses to join bytes and str: no value.
                if *sort.get_or_insert(bytes) != bytes {
                    return None;
                }
                value.push_str(&v);
            }
            sort.map(|bytes| sorted(bytes, &value))
        }
        "parenthesized_expression" => {
            let mut walk = node.walk();
            let inner: Vec<Node> = node
                .named_children(&mut walk)
                .filter(|n| n.kind() != "comment")
                .collect();
            match inner[..] {
                [only] => value_of(only, text),
                _ => None,
            }
        }
        "integer" => Some(format!("n:{}", integer(&text[node.byte_range()]))),
        "float" => Some(format!("n:{}", text[node.byte_range()].replace('_', ""))),
        "true" | "false" | "none" => Some(format!("k:{}", &text[node.byte_range()])),
        // A name, a call, an expression: its value is not known before
        // the program runs (every `getLogger(__name__)` is another name).
        _ => None,
    }
}

/// An integer literal's value in decimal (`0x10`, `0o20`, `1_6` are
/// `16`), or its text when it does not fit 128 bits or has a suffix
/// (`1j` is a complex number).
fn integer(literal: &str) -> String {
    let digits = literal.replace('_', "").to_ascii_lowercase();
    let (radix, body) = match digits.get(..2) {
        Some("0x") => (16, &digits[2..]),
        Some("0o") => (8, &digits[2..]),
        Some("0b") => (2, &digits[2..]),
        _ => (10, &digits[..]),
    };
    u128::from_str_radix(body, radix).map_or(digits.clone(), |n| n.to_string())
}

fn sorted(bytes: bool, value: &str) -> String {
    format!("{}:{value}", if bytes { "b" } else { "s" })
}

/// Whether a `string` node is bytes, and its decoded value; `None` for a
/// node that is not a string or has interpolated parts.
fn string_value(node: Node, text: &str) -> Option<(bool, String)> {
    if node.kind() != "string" {
        return None;
    }
    let mut walk = node.walk();
    let children: Vec<Node> = node.children(&mut walk).collect();
    if children.iter().any(|c| c.kind() == "interpolation") {
        return None;
    }
    let start = children.iter().find(|c| c.kind() == "string_start")?;
    let end = children.iter().rfind(|c| c.kind() == "string_end")?;
    let opening = &text[start.byte_range()];
    let prefix = opening.trim_end_matches(['"', '\'']).to_ascii_lowercase();
    let raw = prefix.contains('r');
    let bytes = prefix.contains('b');
    let formatted = prefix.contains('f') || prefix.contains('t');
    if prefix.contains('t') {
        // A template string (PEP 750) is a `Template`, not a str.
        return None;
    }
    let body = text.get(start.end_byte()..end.start_byte())?;
    let mut value = if raw {
        body.to_string()
    } else {
        unescape(body, bytes)
    };
    if formatted {
        // With no interpolation, `{{` and `}}` are the only braces.
        value = value.replace("{{", "{").replace("}}", "}");
    }
    Some((bytes, value))
}

/// Decodes the escape sequences of a non-raw literal's body as Python
/// does; an unknown escape keeps its backslash. (`\N{NAME}` is kept as
/// written: rulegate holds no table of Unicode names.)
fn unescape(body: &str, bytes: bool) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let simple = match e {
            '\n' => Some(None),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                Some(None)
            }
            '\\' | '\'' | '"' => Some(Some(e)),
            'a' => Some(Some('\x07')),
            'b' => Some(Some('\x08')),
            'f' => Some(Some('\x0c')),
            'n' => Some(Some('\n')),
            'r' => Some(Some('\r')),
            't' => Some(Some('\t')),
            'v' => Some(Some('\x0b')),
            _ => None,
        };
        if let Some(c) = simple {
            out.extend(c);
            continue;
        }
        let mut digits = |n: usize, radix: u32, first: Option<char>| {
            let mut s: String = first.into_iter().collect();
            while s.len() < n {
                match chars.peek() {
                    Some(d) if d.is_digit(radix) => {
                        s.push(*d);
                        chars.next();
                    }
                    _ => break,
                }
            }
            s
        };
        let code = match e {
            '0'..='7' => u32::from_str_radix(&digits(3, 8, Some(e)), 8).ok(),
            'x' => {
                let d = digits(2, 16, None);
                (d.len() == 2)
                    .then(|| u32::from_str_radix(&d, 16).ok())
                    .flatten()
            }
            'u' | 'U' if !bytes => {
                let n = if e == 'u' { 4 } else { 8 };
                let d = digits(n, 16, None);
                (d.len() == n)
                    .then(|| u32::from_str_radix(&d, 16).ok())
                    .flatten()
            }
            _ => None,
        };
        match code.and_then(char::from_u32) {
            Some(c) => out.push(c),
            // Not an escape Python knows: kept as written.
            None => {
                out.push('\\');
                out.push(e);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the expression statement `src` (its first one).
    fn value(src: &str) -> Option<String> {
        let tree = crate::parse::Worker::new().parse(src).unwrap();
        let stmt = tree.root_node().named_child(0).unwrap();
        let expr = stmt.named_child(0).unwrap();
        value_of(expr, src)
    }

    #[test]
    fn strings_compare_by_value_as_cpython_reads_them() {
        // Each row's literals are equal under CPython's `ast.literal_eval`
        // (checked with Python 3.11: `len({ast.literal_eval(s) for s in row}) == 1`).
        let rows: &[&[&str]] = &[
            &[
                "'a'",
                "\"a\"",
                "\"\"\"a\"\"\"",
                "'''a'''",
                "u'a'",
                "U\"a\"",
                "r'a'",
                "f'a'",
                "\"\\x61\"",
                "'\\141'",
                "'\\u0061'",
                "'\\U00000061'",
                "'' 'a'",
                "('a')",
                "(\n 'a'  # why\n)",
            ],
            &[
                "'a\\nb'",
                "\"\"\"a\nb\"\"\"",
                "'a\\012b'",
                "'a' '\\n' \"b\"",
            ],
            &["'\\\\d'", "r'\\d'", "'\\d'", "R'\\d'"],
            &["'{x}'", "f'{{x}}'", "rf'{{x}}'"],
            &["b'a'", "B\"a\"", "br'a'", "b'\\x61'"],
            &["'a\\\nb'", "'ab'"],
        ];
        for row in rows {
            let first = value(row[0]);
            assert!(first.is_some(), "{}", row[0]);
            for s in &row[1..] {
                assert_eq!(value(s), first, "{s} vs {}", row[0]);
            }
        }
        // Not equal: bytes and str, raw and cooked escapes, other escapes.
        assert_ne!(value("b'a'"), value("'a'"));
        assert_ne!(value("r'\\n'"), value("'\\n'"));
        assert_ne!(value("b'\\u0061'"), value("'a'"));
    }

    #[test]
    fn interpolated_parts_are_not_values_other_nodes_are_their_text() {
        for s in [
            "f'{x}'",
            "f'a{x}b'",
            "'a' f'{x}'",
            "'a' b'b'",
            "t'a'",
            "requests_total",
            "__name__",
            "name()",
            "(a, b)",
        ] {
            assert_eq!(value(s), None, "{s}");
        }
        // Numbers by value (CPython: 0x10 == 0o20 == 0b1_0000 == 16).
        for s in ["0x10", "0o20", "0b1_0000", "1_6", "0X10"] {
            assert_eq!(value(s).as_deref(), Some("n:16"), "{s}");
        }
        assert_eq!(value("1.5").as_deref(), Some("n:1.5"));
        assert_ne!(value("1j"), value("1"));
        assert_eq!(value("None").as_deref(), Some("k:None"));
    }
}
