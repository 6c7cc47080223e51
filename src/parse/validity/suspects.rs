//! What CPython's compiler rejects in a tree tree-sitter parsed cleanly,
//! found from suspect words: Python 2 syntax (`print "x"`, `exec "x"`,
//! `except E, e:`, `raise E, "m"`, `10L`, `0777`, `ur""`, `<>`, backquotes,
//! parenthesized parameters) and misplaced or unknown `__future__` imports.
//!
//! This runs on every parsed file, so it never walks the tree: a scan of
//! the text for the suspects (see [`Suspects`]), a cheap test of the text
//! around each, and a tree lookup only where one survives. `print >> f, x`
//! is Python 3 (a tuple of a shift and `x`), so it is not rejected.

use std::ops::Range;
use std::sync::LazyLock;

use tree_sitter::{Node, Tree};

use crate::parse::PythonVersion;
use crate::words::WordSet;

/// One construct CPython rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Where it is.
    pub range: Range<usize>,
    /// CPython's words for it, and what to write instead.
    pub message: String,
}

/// What a suspect word may start.
#[derive(Debug, Clone, Copy)]
enum Suspect {
    Print,
    Exec,
    Except,
    Raise,
    NotEqual,
    Backquote,
    Future,
    Def,
    Lambda,
    /// `0` and a digit or `_` (a decimal literal with leading zeros), or a
    /// digit and `L`/`l` (a Python 2 long literal).
    Number,
    /// `ur`/`ru` and a quote, in any letter case.
    UrPrefix,
}

/// Where the suspects are looked for. One automaton over all of them reads
/// about 1.6 ns a byte (Python's frequent letters start many), so each kind
/// gets the fastest search it allows: packed searchers (Teddy) for the
/// keywords, the number pairs and the string prefixes, and a byte search
/// for `` ` `` and `<>`.
struct Suspects {
    /// The keywords, with the kind of each (one packed search for all
    /// seven reads 0.24 ns a byte; a substring search each, 0.66).
    keywords: WordSet,
    keyword_kinds: Vec<Suspect>,
    /// The number pairs (`0` and a digit, a digit and `L`), and the string
    /// prefixes (`ur"`): two small sets, which a packed searcher reads
    /// several times faster than one of both.
    numbers: WordSet,
    prefixes: WordSet,
}

static SUSPECTS: LazyLock<Suspects> = LazyLock::new(|| {
    let (keywords, keyword_kinds): (Vec<&str>, Vec<Suspect>) = [
        ("print", Suspect::Print),
        ("exec", Suspect::Exec),
        ("except", Suspect::Except),
        ("raise", Suspect::Raise),
        ("__future__", Suspect::Future),
        ("def", Suspect::Def),
        ("lambda", Suspect::Lambda),
    ]
    .into_iter()
    .unzip();
    let mut numbers: Vec<String> = Vec::new();
    for d in "0123456789_".chars() {
        numbers.push(format!("0{d}"));
    }
    for d in '0'..='9' {
        numbers.push(format!("{d}L"));
        numbers.push(format!("{d}l"));
    }
    let mut prefixes: Vec<String> = Vec::new();
    for p in ["ur", "uR", "Ur", "UR", "ru", "rU", "Ru", "RU"] {
        prefixes.push(format!("{p}\""));
        prefixes.push(format!("{p}'"));
    }
    Suspects {
        keywords: WordSet::new(&keywords),
        keyword_kinds,
        numbers: WordSet::new(&numbers),
        prefixes: WordSet::new(&prefixes),
    }
});

impl Suspects {
    /// Every suspect in `text`: its start, its kind and its length, by
    /// start. Occurrences overlap (`00L` holds `00` and `0L`): each check
    /// judges the construct around its start, and one rejected construct
    /// hides the suspects inside it.
    fn find(&self, text: &str) -> Vec<(usize, Suspect, usize)> {
        let bytes = text.as_bytes();
        let mut out: Vec<(usize, Suspect, usize)> = Vec::new();
        self.keywords.for_each(bytes, |w, at| {
            out.push((at, self.keyword_kinds[w], self.keywords.len_of(w)));
        });
        for at in memchr::memchr2_iter(b'`', b'<', bytes) {
            match bytes[at] {
                b'`' => out.push((at, Suspect::Backquote, 1)),
                _ if bytes.get(at + 1) == Some(&b'>') => out.push((at, Suspect::NotEqual, 2)),
                _ => {}
            }
        }
        self.numbers
            .for_each(bytes, |_, at| out.push((at, Suspect::Number, 2)));
        self.prefixes
            .for_each(bytes, |_, at| out.push((at, Suspect::UrPrefix, 3)));
        out.sort_unstable_by_key(|(at, ..)| *at);
        out
    }
}

/// The features `from __future__ import` knows (CPython 3.7 to 3.14).
const FUTURE_FEATURES: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Whether `text[at..at + len]` is a whole word (no identifier character
/// or `.` before, no identifier character after).
fn whole_word(text: &str, at: usize, len: usize) -> bool {
    let bytes = text.as_bytes();
    let before = at.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(at + len).copied();
    before.is_none_or(|b| !is_word_byte(b) && b != b'.') && after.is_none_or(|b| !is_word_byte(b))
}

/// The rest of the line from `at`.
fn rest_of_line(text: &str, at: usize) -> &str {
    let rest = &text[at..];
    &rest[..memchr::memchr2(b'\n', b'\r', rest.as_bytes()).unwrap_or(rest.len())]
}

/// Every construct CPython rejects that tree-sitter parsed, in file order.
pub fn compile_rejects(tree: &Tree, text: &str, target: PythonVersion) -> Vec<Rejected> {
    let mut out: Vec<Rejected> = Vec::new();
    for (at, kind, len) in SUSPECTS.find(text) {
        if out.last().is_some_and(|r| r.range.end > at) {
            continue; // inside the construct just rejected
        }
        let found = match kind {
            Suspect::Print => keyword_statement(tree, text, at, "print"),
            Suspect::Exec => keyword_statement(tree, text, at, "exec"),
            Suspect::Except => except_comma(tree, text, at, target),
            Suspect::Raise => raise_comma(tree, text, at),
            Suspect::NotEqual => token(tree, at, 2, "<>").map(|n| Rejected {
                range: n.byte_range(),
                message: "invalid syntax: `<>` is Python 2; write `!=`".into(),
            }),
            Suspect::Backquote => backquote(tree, text, at),
            Suspect::Future => future_import(tree, text, at),
            Suspect::Def | Suspect::Lambda => parenthesized_parameters(tree, text, at, len),
            Suspect::Number => number(tree, text, at),
            Suspect::UrPrefix => ur_prefix(tree, text, at),
        };
        out.extend(found);
    }
    out
}

/// The anonymous token `kind` at `at`, if the tree has one there (not in a
/// string or a comment).
fn token<'t>(tree: &'t Tree, at: usize, len: usize, kind: &str) -> Option<Node<'t>> {
    tree.root_node()
        .descendant_for_byte_range(at, at + len)
        .filter(|n| n.kind() == kind && !n.is_named())
}

/// `print "x"` / `exec "x"`: tree-sitter's Python 2 statements (a `print`
/// with a chevron is a Python 3 shift expression, see the module docs).
fn keyword_statement(tree: &Tree, text: &str, at: usize, word: &str) -> Option<Rejected> {
    if !whole_word(text, at, word.len()) {
        return None;
    }
    // A call, an assignment, an attribute: Python 3 as tree-sitter reads it.
    let next = rest_of_line(text, at + word.len())
        .trim_start()
        .bytes()
        .next();
    if matches!(
        next,
        None | Some(b'(' | b'=' | b'.' | b',' | b')' | b':' | b']' | b'}' | b';' | b'#')
    ) {
        return None;
    }
    let stmt = token(tree, at, word.len(), word)?.parent()?;
    if stmt.kind() != format!("{word}_statement") {
        return None;
    }
    let mut c = stmt.walk();
    if stmt.named_children(&mut c).any(|n| n.kind() == "chevron") {
        return None;
    }
    Some(Rejected {
        range: stmt.byte_range(),
        message: format!(
            "Missing parentheses in call to '{word}'. Did you mean {word}(...)? \
             (`{word}` is a function in Python 3)"
        ),
    })
}

/// `except E, e:`: two exceptions without parentheses, an error before
/// Python 3.14 (PEP 758 reads it as a tuple of two exception types).
fn except_comma(tree: &Tree, text: &str, at: usize, target: PythonVersion) -> Option<Rejected> {
    if target
        >= (PythonVersion {
            major: 3,
            minor: 14,
        })
        || !whole_word(text, at, 6)
        || !rest_of_line(text, at).contains(',')
    {
        return None;
    }
    let clause = token(tree, at, 6, "except")?.parent()?;
    let mut c = clause.walk();
    if clause.children_by_field_name("value", &mut c).count() < 2 {
        return None;
    }
    Some(Rejected {
        range: clause.byte_range().start..clause.child_by_field_name("value")?.end_byte(),
        message: "multiple exception types must be parenthesized \
                  (Python 2 `except E, e:` is `except E as e:` in Python 3)"
            .into(),
    })
}

/// `raise E, "m"`: Python 2's two-argument raise.
fn raise_comma(tree: &Tree, text: &str, at: usize) -> Option<Rejected> {
    if !whole_word(text, at, 5) || !rest_of_line(text, at).contains(',') {
        return None;
    }
    let stmt = token(tree, at, 5, "raise")?.parent()?;
    let first = stmt.named_child(0)?;
    (stmt.kind() == "raise_statement" && first.kind() == "expression_list").then(|| Rejected {
        range: stmt.byte_range(),
        message: "invalid syntax: Python 2 `raise E, value`; write `raise E(value)`".into(),
    })
}

/// `` `x` ``: Python 2's repr quotes, which tree-sitter reads as a string.
fn backquote(tree: &Tree, text: &str, at: usize) -> Option<Rejected> {
    let start = tree
        .root_node()
        .descendant_for_byte_range(at, at + 1)
        .filter(|n| n.kind() == "string_start" && text[n.byte_range()].starts_with('`'))?;
    let string = start.parent()?;
    Some(Rejected {
        range: string.byte_range(),
        message: "invalid syntax: Python 2 backquotes; write `repr(...)`".into(),
    })
}

/// `ur"x"` (and `ru`): a string prefix Python 3 does not have.
fn ur_prefix(tree: &Tree, text: &str, at: usize) -> Option<Rejected> {
    if at > 0 && is_word_byte(text.as_bytes()[at - 1]) {
        return None;
    }
    let start = tree
        .root_node()
        .descendant_for_byte_range(at, at + 1)
        .filter(|n| n.kind() == "string_start" && n.start_byte() == at)?;
    Some(Rejected {
        range: start.parent()?.byte_range(),
        message: format!(
            "invalid syntax: string prefix `{}` is Python 2; write `r` (strings are unicode)",
            &text[at..at + 2]
        ),
    })
}

/// `10L` and `0777`: Python 2 number literals.
fn number(tree: &Tree, text: &str, at: usize) -> Option<Rejected> {
    let bytes = text.as_bytes();
    // The literal's start: back over digits and underscores.
    let mut start = at;
    while start > 0 && (bytes[start - 1].is_ascii_digit() || bytes[start - 1] == b'_') {
        start -= 1;
    }
    if start > 0 && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'.') {
        return None; // inside an identifier, a hex literal or a float
    }
    // The text decides first (most suspects are plain numbers like `100`):
    // the tree is asked only about a literal Python 3 rejects.
    let mut end = start;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'_') {
        end += 1;
    }
    let digits = &text[start..end];
    let long = matches!(bytes.get(end), Some(b'l' | b'L'));
    let leading_zero =
        digits.starts_with('0') && digits.bytes().any(|b| (b'1'..=b'9').contains(&b));
    let other = bytes.get(end + usize::from(long)).copied();
    if !(long || leading_zero) || other.is_some_and(|b| is_word_byte(b) || b == b'.') {
        return None; // `100`, `0.5`, `0777e1`, `07j`, `0x1F`: Python 3
    }
    let node = tree
        .root_node()
        .descendant_for_byte_range(start, start + 1)
        .filter(|n| n.kind() == "integer" && n.start_byte() == start)?;
    let literal = &text[node.byte_range()];
    let message = if literal.ends_with(['l', 'L']) {
        format!("invalid decimal literal: `{literal}` is a Python 2 long; drop the `L`")
    } else if literal.starts_with('0')
        && literal.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && literal.bytes().any(|b| (b'1'..=b'9').contains(&b))
    {
        "leading zeros in decimal integer literals are not permitted; \
         use an 0o prefix for octal integers"
            .to_string()
    } else {
        return None;
    };
    Some(Rejected {
        range: node.byte_range(),
        message,
    })
}

/// `def f(a, (b, c)):` and `lambda (x, y): x`: Python 2 tuple parameters.
fn parenthesized_parameters(tree: &Tree, text: &str, at: usize, len: usize) -> Option<Rejected> {
    if !whole_word(text, at, len) {
        return None;
    }
    // A `(` that opens a parameter: right after `lambda`, or after the
    // parameter list's `(` or a `,`, on the header's first line.
    let line = rest_of_line(text, at + len);
    let line = &line[..line.find(':').unwrap_or(line.len())];
    let mut prev = if len == 6 { Some(b',') } else { None };
    let mut suspect = false;
    for b in line.bytes().filter(|b| !b.is_ascii_whitespace()) {
        if b == b'(' && matches!(prev, Some(b'(' | b',')) {
            suspect = true;
            break;
        }
        prev = Some(b);
    }
    if !suspect {
        return None;
    }
    let def = tree
        .root_node()
        .descendant_for_byte_range(at, at + len)?
        .parent()?;
    if !matches!(def.kind(), "function_definition" | "lambda") {
        return None;
    }
    let params = def.child_by_field_name("parameters")?;
    let mut c = params.walk();
    let tuple = params
        .named_children(&mut c)
        .find(|p| p.kind() == "tuple_pattern")?;
    Some(Rejected {
        range: tuple.byte_range(),
        message: format!(
            "{} parameters cannot be parenthesized (Python 2 tuple parameters)",
            if def.kind() == "lambda" {
                "Lambda expression"
            } else {
                "Function"
            }
        ),
    })
}

/// `from __future__ import x` after other code, or of an unknown feature.
fn future_import(tree: &Tree, text: &str, at: usize) -> Option<Rejected> {
    let node = token(tree, at, "__future__".len(), "__future__")?.parent()?;
    if node.kind() != "future_import_statement" {
        return None;
    }
    let misplaced = || Rejected {
        range: node.byte_range(),
        message: "from __future__ imports must occur at the beginning of the file".into(),
    };
    let parent = node.parent()?;
    if parent.kind() != "module" {
        return Some(misplaced());
    }
    let mut c = parent.walk();
    let mut first = true;
    for stmt in parent.named_children(&mut c) {
        if stmt == node {
            break;
        }
        let docstring = first
            && stmt.kind() == "expression_statement"
            && stmt.named_child_count() == 1
            && stmt.named_child(0).is_some_and(|s| s.kind() == "string");
        let future = stmt.kind() == "future_import_statement";
        match stmt.kind() {
            "comment" => continue,
            _ if docstring || future => first = false,
            _ => return Some(misplaced()),
        }
    }
    let mut c = node.walk();
    for name in node.children_by_field_name("name", &mut c) {
        let feature = match name.kind() {
            "aliased_import" => name.child_by_field_name("name")?,
            _ => name,
        };
        let feature = &text[feature.byte_range()];
        if feature == "braces" {
            return Some(Rejected {
                range: name.byte_range(),
                message: "not a chance".into(),
            });
        }
        if !FUTURE_FEATURES.contains(&feature) {
            return Some(Rejected {
                range: name.byte_range(),
                message: format!("future feature {feature} is not defined"),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    fn messages(src: &str) -> Vec<String> {
        let tree = Worker::new().parse(src).unwrap();
        assert!(!tree.root_node().has_error(), "tree-sitter rejects {src:?}");
        compile_rejects(&tree, src, PythonVersion::DEFAULT)
            .into_iter()
            .map(|r| format!("{}: {}", &src[r.range], r.message))
            .collect()
    }

    #[test]
    fn python_2_syntax_is_rejected_at_its_place() {
        for (src, expect) in [
            (
                "print \"x\"\n",
                "print \"x\": Missing parentheses in call to 'print'",
            ),
            ("if a:\n    print x,\n", "print x,: Missing parentheses"),
            (
                "exec \"x\"\n",
                "exec \"x\": Missing parentheses in call to 'exec'",
            ),
            ("exec code in d\n", "exec code in d: Missing parentheses"),
            (
                "try:\n    pass\nexcept E, e:\n    pass\n",
                "except E: multiple exception types",
            ),
            (
                "raise E, \"m\"\n",
                "raise E, \"m\": invalid syntax: Python 2 `raise",
            ),
            ("x = 10L\n", "10L: invalid decimal literal"),
            ("x = 1_000l\n", "1_000l: invalid decimal literal"),
            ("x = 0777\n", "0777: leading zeros"),
            ("x = 0_7\n", "0_7: leading zeros"),
            (
                "x = ur\"a\"\n",
                "ur\"a\": invalid syntax: string prefix `ur`",
            ),
            ("x = Ru'a'\n", "Ru'a': invalid syntax: string prefix `Ru`"),
            ("x = a <> b\n", "<>: invalid syntax: `<>`"),
            ("x = `a`\n", "`a`: invalid syntax: Python 2 backquotes"),
            (
                "def f(a, (b, c)):\n    pass\n",
                "(b, c): Function parameters",
            ),
            (
                "f = lambda (x, y): x\n",
                "(x, y): Lambda expression parameters",
            ),
            (
                "x = 1\nfrom __future__ import division\n",
                "from __future__ import division: from __future__ imports must",
            ),
            ("from __future__ import braces\n", "braces: not a chance"),
            (
                "from __future__ import nope\n",
                "nope: future feature nope is not defined",
            ),
        ] {
            let got = messages(src);
            assert_eq!(got.len(), 1, "{src:?}: {got:?}");
            assert!(got[0].starts_with(expect), "{src:?}: {got:?}");
        }
    }

    #[test]
    fn what_python_3_compiles_is_not_rejected() {
        for src in [
            "print >> f, x\n",
            "print >>sys.stderr, \"a\" % (b,)\n",
            "print (x), y\n",
            "print(\"a\") if x else 0\n",
            "print\nprint = 3\nx.print = 1\nexec(code)\n",
            "try:\n    pass\nexcept (A, B) as e:\n    pass\nexcept A as e:\n    f(a, b)\n",
            "raise E(\"m\")\nraise E from e\nraise (E, f)\n",
            "x = [0, 00, 0_0, 0777j, 09.5, 0e0, 0o777, 0x10, 10, 2000, 1_000]\n",
            "x = 'a <> b' # `x` 10L 0777 ur'x'\n",
            "x = r\"a\" + u\"b\" + rb\"c\" + f\"{d}\" + Br'e'\n",
            "def f(a, b=(1, 2), *args, c=(3), **kw):\n    return lambda a=(1, 2): a\n",
            "\"\"\"doc\"\"\"\n# c\nfrom __future__ import annotations\nfrom __future__ import (division as d)\nimport __future__\n",
            "printer = 1\nexecute(x)\nexcepted = 2\n",
        ] {
            assert_eq!(messages(src), Vec::<String>::new(), "{src:?}");
        }
    }

    #[test]
    fn except_comma_is_python_314() {
        let src = "try:\n    pass\nexcept E, e:\n    pass\n";
        let tree = Worker::new().parse(src).unwrap();
        assert_eq!(
            compile_rejects(&tree, src, PythonVersion::parse("py313").unwrap()).len(),
            1
        );
        assert!(compile_rejects(&tree, src, PythonVersion::parse("py314").unwrap()).is_empty());
    }
}
