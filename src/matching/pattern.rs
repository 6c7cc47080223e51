//! Code-like patterns (SPEC §3.5): Python source with metavariables,
//! compiled to a tree-sitter query, so relations, `where` and fixes work on
//! them exactly as on a hand-written query.
//!
//! `$X` matches one node and captures it as `@X`; `$$$XS` matches any number
//! of siblings (a gap: tree-sitter cannot capture a run of siblings
//! exactly, so it is not a capture); `$_` matches one node without
//! capturing it. The same metavariable twice must match the same text. `$` is not
//! Python, so each metavariable is first replaced by a placeholder
//! identifier, as ast-grep does, and the placeholder tree is translated.
//!
//! What does not matter (the strictness, documented in
//! `docs/writing-rules.md`): comments, trailing commas, the pattern's own
//! parentheses, one pair of redundant parentheses around a sub-expression
//! of the code, and the quote style or prefix of a string (strings compare
//! by the text between their quotes). Everything else must be as written:
//! `f($A)` matches calls with exactly one argument.

use std::collections::HashMap;
use std::fmt::Write;

use tree_sitter::Node;

/// The capture every pattern puts on its whole match, so a rule without
/// `report` underlines the whole matched code.
pub const MATCH_CAPTURE: &str = "match";

/// Placeholder prefixes: valid Python identifiers no real code uses.
const ONE: &str = "__rg_one_";
const MANY: &str = "__rg_many_";
const ANY: &str = "__rg_any_";

/// A pattern longer than this once compiled is refused: each
/// sub-expression may be parenthesized in the code, which doubles the
/// query at each level of nesting.
const MAX_QUERY_BYTES: usize = 64 * 1024;

/// A pattern that cannot be compiled, with the byte offset in the
/// pattern's text where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Byte offset in the pattern.
    pub offset: usize,
    /// What is wrong, and what to write instead.
    pub message: String,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledPattern {
    /// The tree-sitter query it stands for.
    pub query: String,
    /// The metavariables it captures, in order of first appearance.
    pub metavariables: Vec<String>,
}

/// Compiles `pattern` into a tree-sitter query.
pub fn compile(pattern: &str) -> Result<CompiledPattern, PatternError> {
    let (source, offsets) = substitute(pattern)?;
    let tree = crate::parse::Worker::new()
        .parse(&source)
        .ok_or_else(|| PatternError {
            offset: 0,
            message: "the pattern could not be parsed".into(),
        })?;
    let back = |at: usize| {
        offsets
            .iter()
            .take_while(|(s, _)| *s <= at)
            .last()
            .map_or(at, |(s, p)| p + (at - s))
    };
    if let Some(bad) = first_error(tree.root_node()) {
        return Err(PatternError {
            offset: back(bad.start_byte()).min(pattern.len()),
            message: "the pattern is not Python (with `$X`, `$$$XS` and `$_` for code)".into(),
        });
    }
    let root = pattern_root(tree.root_node()).ok_or_else(|| PatternError {
        offset: 0,
        message: "a pattern is one statement or one expression; write a query for more".into(),
    })?;
    let mut emitter = Emitter {
        text: &source,
        literals: 0,
        seen: HashMap::new(),
        order: Vec::new(),
        equalities: Vec::new(),
    };
    let mut body = String::new();
    emitter.node(root, &mut body);
    let mut query = format!("({body} @{MATCH_CAPTURE}");
    for (first, again) in &emitter.equalities {
        let _ = write!(query, " (#eq? @{first} @{again})");
    }
    query.push(')');
    if query.len() > MAX_QUERY_BYTES {
        return Err(PatternError {
            offset: 0,
            message: "the pattern nests too deeply to compile; write a query instead".into(),
        });
    }
    Ok(CompiledPattern {
        query,
        metavariables: emitter.order,
    })
}

/// Replaces each metavariable with its placeholder identifier; returns the
/// new text and, for each replacement, (offset in the new text, offset in
/// the pattern), to map error positions back.
fn substitute(pattern: &str) -> Result<(String, Vec<(usize, usize)>), PatternError> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut offsets = Vec::new();
    let bytes = pattern.as_bytes();
    let mut i = 0;
    let mut anonymous = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let c = pattern[i..].chars().next().expect("in bounds");
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let many = pattern[i..].starts_with("$$$");
        i += if many { 3 } else { 1 };
        let name_len = pattern[i..]
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        let name = &pattern[i..i + name_len];
        if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
            return Err(PatternError {
                offset: start,
                message: "a metavariable is `$` then capital letters, digits or `_` (`$X`, `$$$ARGS`, `$_`)".into(),
            });
        }
        offsets.push((out.len(), start));
        match (many, name) {
            (false, "_") => {
                let _ = write!(out, "{ANY}{anonymous}");
                anonymous += 1;
            }
            (true, _) => {
                let _ = write!(out, "{MANY}{name}");
            }
            (false, _) => {
                let _ = write!(out, "{ONE}{name}");
            }
        }
        i += name_len;
        offsets.push((out.len(), i));
    }
    Ok((out, offsets))
}

/// The first error or missing node of the tree, if any.
fn first_error(node: Node) -> Option<Node> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    if !node.has_error() {
        return None;
    }
    (0..node.child_count()).find_map(|i| node.child(i).and_then(first_error))
}

/// The node a pattern stands for: its one statement, or that statement's
/// expression when the statement is a bare expression.
fn pattern_root(module: Node) -> Option<Node> {
    let mut cursor = module.walk();
    let mut statements = module
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment");
    let stmt = statements.next()?;
    if statements.next().is_some() {
        return None;
    }
    if stmt.kind() == "expression_statement" && stmt.named_child_count() == 1 {
        return stmt.named_child(0);
    }
    Some(stmt)
}

/// What a metavariable placeholder stands for.
enum Meta<'a> {
    One(&'a str),
    Many,
    Any,
}

/// Translates the placeholder tree to query text.
struct Emitter<'a> {
    text: &'a str,
    /// Hidden captures made so far for literal text.
    literals: usize,
    /// How many times each metavariable was captured.
    seen: HashMap<String, usize>,
    /// Metavariables in order of first appearance.
    order: Vec<String>,
    /// Captures that must hold the same text: (first, again).
    equalities: Vec<(String, String)>,
}

impl<'a> Emitter<'a> {
    /// The metavariable `node` stands for: a placeholder identifier, or a
    /// statement that is only one.
    fn meta(&self, node: Node<'a>) -> Option<Meta<'a>> {
        let node = if node.kind() == "expression_statement" && node.named_child_count() == 1 {
            node.named_child(0)?
        } else {
            node
        };
        if node.kind() != "identifier" {
            return None;
        }
        let name = &self.text[node.byte_range()];
        if name.starts_with(MANY) {
            Some(Meta::Many)
        } else if let Some(n) = name.strip_prefix(ONE) {
            Some(Meta::One(n))
        } else if name.starts_with(ANY) {
            Some(Meta::Any)
        } else {
            None
        }
    }

    /// A capture name for metavariable `name`: itself the first time, then
    /// a fresh name tied to the first by an equality.
    fn capture(&mut self, name: &str) -> String {
        let count = self.seen.entry(name.to_string()).or_insert(0);
        *count += 1;
        if *count == 1 {
            self.order.push(name.to_string());
            return name.to_string();
        }
        let again = format!("{name}__{count}");
        self.equalities.push((name.to_string(), again.clone()));
        again
    }

    /// Emits `node` (not a metavariable for many nodes).
    fn node(&mut self, node: Node<'a>, out: &mut String) {
        match self.meta(node) {
            Some(Meta::One(name)) => {
                let capture = self.capture(name);
                let _ = write!(out, "(_) @{capture}");
                return;
            }
            Some(Meta::Many) | Some(Meta::Any) => {
                out.push_str("(_)");
                return;
            }
            None => {}
        }
        if let (true, Some(inner)) = (
            node.kind() == "parenthesized_expression" && node.named_child_count() == 1,
            node.named_child(0),
        ) {
            return self.node(inner, out);
        }
        if node.kind() == "string" {
            return self.string(node, out);
        }
        let children = significant_children(node);
        if children.iter().all(|c| !c.is_named()) {
            // A leaf (`x`, `1`, `True`) or a node of tokens only (`()`,
            // `pass`): its kind and its tokens, whatever the spaces between.
            let mut cursor = node.walk();
            let tokens: Vec<&str> = node
                .children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .map(|c| &self.text[c.byte_range()])
                .collect();
            let capture = self.literal();
            if tokens.is_empty() {
                let _ = write!(
                    out,
                    "(({}) @{capture} (#eq? @{capture} {}))",
                    node.kind(),
                    quote(&self.text[node.byte_range()])
                );
            } else {
                let spaced: Vec<String> = tokens.iter().map(|t| regex::escape(t)).collect();
                let _ = write!(
                    out,
                    "(({}) @{capture} (#match? @{capture} {}))",
                    node.kind(),
                    quote(&format!("^{}$", spaced.join(r"\s*")))
                );
            }
            return;
        }
        // Named children only: anchor them, so `f($A)` has one argument,
        // except next to `$$$XS`, which stands for a gap. (A comment is a
        // named node too, so one between anchored items makes a
        // difference: tree-sitter's anchors do not skip it.)
        let anchored = children.iter().all(|c| c.is_named());
        let _ = write!(out, "({}", node.kind());
        let mut gap = true;
        for (i, child) in children.iter().enumerate() {
            if let Some(Meta::Many) = self.meta(*child) {
                // Not captured: tree-sitter cannot capture a run of
                // siblings exactly, so `$$$XS` is a gap, not a capture.
                gap = true;
                continue;
            }
            if anchored && (i == 0 || !gap) {
                out.push_str(" .");
            }
            gap = false;
            out.push(' ');
            if let Some(field) = field_of(node, *child) {
                let _ = write!(out, "{field}: ");
            }
            if !child.is_named() {
                out.push_str(&quote(child.kind()));
            } else if may_be_parenthesized(node, *child) && self.meta(*child).is_none() {
                let mut inner = String::new();
                self.node(*child, &mut inner);
                let _ = write!(out, "[{inner} (parenthesized_expression {inner})]");
            } else {
                self.node(*child, out);
            }
        }
        if anchored && !children.is_empty() && !gap {
            out.push_str(" .");
        }
        out.push(')');
    }

    /// A string compares by the text between its quotes, whatever the
    /// quotes and prefix; an f-string is matched part by part.
    fn string(&mut self, node: Node<'a>, out: &mut String) {
        let mut cursor = node.walk();
        let parts: Vec<Node> = node.named_children(&mut cursor).collect();
        if parts.iter().any(|p| p.kind() == "interpolation") {
            let _ = write!(out, "(string");
            for part in parts {
                if part.kind() == "interpolation" {
                    out.push(' ');
                    self.node(part, out);
                } else if part.kind() == "string_content" {
                    let capture = self.literal();
                    let _ = write!(
                        out,
                        " ((string_content) @{capture} (#eq? @{capture} {}))",
                        quote(&self.text[part.byte_range()])
                    );
                }
            }
            out.push(')');
            return;
        }
        let content: String = parts
            .iter()
            .filter(|p| p.kind() == "string_content")
            .map(|p| &self.text[p.byte_range()])
            .collect();
        if content.is_empty() {
            out.push_str("(string (string_start) . (string_end))");
        } else {
            let capture = self.literal();
            let _ = write!(
                out,
                "(string (string_content) @{capture} (#eq? @{capture} {}))",
                quote(&content)
            );
        }
    }

    /// A fresh hidden capture for a literal's text.
    fn literal(&mut self) -> String {
        self.literals += 1;
        format!("_lit{}", self.literals)
    }
}

/// The children a pattern constrains: named ones (not comments), and the
/// unnamed ones that carry meaning: operators (they have a field) and
/// keywords (`async`, `not`, `in`, `is`, `lambda`…). Punctuation such as
/// brackets and commas follows from the node's kind.
fn significant_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .enumerate()
        .filter(|(i, c)| {
            if c.kind() == "comment" {
                return false;
            }
            if c.is_named() {
                return true;
            }
            let keyword = c.kind().bytes().all(|b| b.is_ascii_alphabetic());
            let has_field = node.field_name_for_child(*i as u32).is_some();
            (keyword || has_field) && !is_structural_keyword(node.kind(), c.kind())
        })
        .map(|(_, c)| c)
        .collect()
}

/// Keywords the node's kind already implies (`def` in a function
/// definition): leaving them out keeps the query short.
fn is_structural_keyword(parent: &str, keyword: &str) -> bool {
    matches!(
        (parent, keyword),
        ("function_definition", "def")
            | ("class_definition", "class")
            | ("if_statement", "if")
            | ("elif_clause", "elif")
            | ("else_clause", "else")
            | ("while_statement", "while")
            | ("return_statement", "return")
            | ("import_statement", "import")
            | ("import_from_statement", "from" | "import")
            | ("with_statement", "with")
            | ("try_statement", "try")
            | ("except_clause", "except")
            | ("finally_clause", "finally")
            | ("raise_statement", "raise")
            | ("assert_statement", "assert")
            | ("lambda", "lambda")
            | ("await", "await")
            | ("global_statement", "global")
            | ("nonlocal_statement", "nonlocal")
            | ("delete_statement", "del")
    )
}

/// The field `child` fills in `parent`, if any.
fn field_of<'t>(parent: Node<'t>, child: Node<'t>) -> Option<&'t str> {
    let mut cursor = parent.walk();
    let index = parent
        .children(&mut cursor)
        .position(|c| c.id() == child.id())?;
    parent.field_name_for_child(index as u32)
}

/// Whether the code may wrap `child` in redundant parentheses: it is an
/// expression where any expression may stand (not a name being bound or
/// an attribute's name).
fn may_be_parenthesized(parent: Node, child: Node) -> bool {
    const EXPRESSIONS: &[&str] = &[
        "identifier",
        "attribute",
        "call",
        "subscript",
        "string",
        "concatenated_string",
        "integer",
        "float",
        "true",
        "false",
        "none",
        "ellipsis",
        "list",
        "tuple",
        "set",
        "dictionary",
        "list_comprehension",
        "set_comprehension",
        "dictionary_comprehension",
        "generator_expression",
        "binary_operator",
        "unary_operator",
        "boolean_operator",
        "not_operator",
        "comparison_operator",
        "conditional_expression",
        "lambda",
        "await",
        "named_expression",
    ];
    if !EXPRESSIONS.contains(&child.kind()) {
        return false;
    }
    let field = field_of(parent, child);
    match parent.kind() {
        "attribute" => field == Some("object"),
        "assignment" | "augmented_assignment" => field == Some("right"),
        "keyword_argument" | "pair" => field == Some("value"),
        "call"
        | "argument_list"
        | "binary_operator"
        | "comparison_operator"
        | "boolean_operator"
        | "not_operator"
        | "unary_operator"
        | "subscript"
        | "return_statement"
        | "list"
        | "tuple"
        | "set"
        | "conditional_expression"
        | "await"
        | "assert_statement"
        | "expression_statement" => true,
        "if_statement" | "elif_clause" | "while_statement" => field == Some("condition"),
        _ => false,
    }
}

/// `s` as a query string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests;
