//! E402's unsafe fix (SPEC §4.9; ruff has none): move each late import,
//! with its own comment lines, to the end of the module's top import block.
//! An import is left where it is (a finding without a fix) when the file has
//! a syntax error, when it shares a line with other code, carries a
//! suppression comment, is a `__future__` or star import, or binds a name
//! that a statement it would jump over uses or binds. The movable imports of
//! a file move together, in their order, in one fix, which the first of
//! their findings carries.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use super::effects;
use super::jumped_names::ModuleNames;
use crate::finding::{Applicability, Edit, Fix, FixRefused};
use crate::names::NameModel;
use crate::source::{LineEnding, LineIndex};

/// The module-level statements E402 saw.
pub struct Layout<'t> {
    /// The last statement of the top import block (a docstring, an import
    /// or a statement that keeps the block open), if any.
    pub block_end: Option<Node<'t>>,
    /// The first statement after the block.
    pub boundary: Node<'t>,
    /// The statements from the boundary on, comments excluded, in order.
    pub after: Vec<Node<'t>>,
}

/// What the file's E402 fix is: the one fix that moves every movable late
/// import (and the start of the first import it moves, whose finding
/// carries it), and, for each import that stays, why (keyed by its start).
#[derive(Default)]
pub struct Plan {
    /// The fix and the start of the import whose finding carries it.
    pub fix: Option<(Fix, usize)>,
    /// Imports that stay, with the reason.
    pub refused: Vec<(usize, FixRefused)>,
}

/// What the plan needs to know of the file beyond its layout.
pub struct Env<'a> {
    /// The file's text.
    pub text: &'a str,
    /// The file has a syntax error.
    pub has_errors: bool,
    /// `from __future__ import annotations`: annotations are not evaluated.
    pub lazy_annotations: bool,
    /// The file's name model (what each statement reads and binds), or
    /// one focused on the names the late imports bind.
    pub names: &'a NameModel,
    /// Whether `names` is focused.
    pub focused: bool,
    /// Whether an import statement imports a module of the repository
    /// (which may import this module back).
    pub first_party: &'a dyn Fn(Node) -> bool,
}

/// The file's plan: imports move in their order to the end of the top
/// import block; an import stays (with a reason) when it cannot move
/// itself, or when it would jump over a statement with an effect it could
/// observe, an import that stays, or (a first-party import, which may
/// import this module back) a module-level binding.
pub fn plan(layout: &Layout, env: &Env) -> Plan {
    let text = env.text;
    let mut out = Plan::default();
    let is_import = |s: &Node| {
        matches!(
            s.kind(),
            "import_statement" | "import_from_statement" | "future_import_statement"
        )
    };
    // What comes after the last import is jumped over by none.
    let Some(last_import) = layout.after.iter().rposition(is_import) else {
        return out;
    };
    let insert_at = match layout.block_end {
        Some(end) => line_end(text, end.end_byte()),
        None => line_start(text, layout.boundary.start_byte()),
    };
    let module = effects::Module::new(text, env.lazy_annotations);
    let names = ModuleNames::new(env.names, text, env.focused);
    // Names the statements between the block and each import use or bind.
    let mut seen: HashSet<&str> = HashSet::new();
    // The first statement jumped that has an effect, and the first that
    // binds a module-level name.
    let mut blocked: Option<(&'static str, Node)> = None;
    let mut binding: Option<Node> = None;
    let mut moved = String::new();
    let mut edits = Vec::new();
    let mut first = None;
    // Only the names the imports bind matter.
    let wanted: HashSet<&str> = layout.after[..=last_import]
        .iter()
        .filter(|s| is_import(s))
        .filter_map(|s| names.bound_by_import(*s))
        .flatten()
        .collect();
    for stmt in &layout.after[..=last_import] {
        let stmt = *stmt;
        if !is_import(&stmt) {
            names.note(stmt, &wanted, &mut seen);
            match effects::blocker(stmt, &module) {
                Some(kind) => {
                    blocked.get_or_insert((kind, stmt));
                }
                None if names.binds(stmt) => {
                    binding.get_or_insert(stmt);
                }
                None => {}
            }
            continue;
        }
        let verdict = verdict(stmt, env, &names, (blocked, binding), &seen);
        match verdict {
            Ok(lines) => {
                let mut block = text[lines.clone()].to_string();
                if !block.ends_with(['\n', '\r']) {
                    // The file's last line, which had no break: it takes
                    // the ending of the line it lands on.
                    let landing = LineEnding::after(text, insert_at)
                        .map_or_else(|| LineEnding::of(text), |(_, e)| e);
                    block.push_str(landing.as_str());
                }
                moved.push_str(&block);
                edits.push(Edit::new(None, lines, String::new()));
                first.get_or_insert(stmt.start_byte());
            }
            Err(refused) => {
                // It stays: it runs before the imports below it (a
                // suppression on it says the order matters), and what it
                // uses and binds is jumped over by them.
                let kind = if refused.kind == "suppression" {
                    "pinned order"
                } else {
                    "import"
                };
                blocked.get_or_insert((kind, stmt));
                names.note(stmt, &wanted, &mut seen);
                out.refused.push((stmt.start_byte(), refused));
            }
        }
    }
    if moved.is_empty() {
        return out;
    }
    // The moved lines keep their own endings, byte for byte.
    edits.push(Edit::new(None, insert_at..insert_at, moved).keeping_endings());
    let n = edits.len() - 1;
    out.fix = Fix::new(
        Applicability::Unsafe,
        format!("Move {n} import(s) to the top import block"),
        edits,
    )
    .zip(first);
    out
}

/// The first statement before an import that has an effect (and its
/// kind), and the first that binds a module-level name.
type Jumped<'t> = (Option<(&'static str, Node<'t>)>, Option<Node<'t>>);

/// Whether `stmt`, an import, may move above the statements before it
/// (`jumped`: the first with an effect, the first that binds a
/// module-level name; `seen`: the names they read or bind that the
/// imports bind): its own lines, or why not.
fn verdict(
    stmt: Node,
    env: &Env,
    names: &ModuleNames,
    (blocked, binding): Jumped,
    seen: &HashSet<&str>,
) -> Result<Range<usize>, FixRefused> {
    let text = env.text;
    let module = module_names(stmt, text);
    if env.has_errors {
        return Err(FixRefused::new(
            "syntax error",
            "not moved: the file has a syntax error".to_string(),
        ));
    }
    if stmt.kind() == "future_import_statement" {
        return Err(FixRefused::new(
            "future import",
            "not moved: a `__future__` import must be the first statement; move it by hand"
                .to_string(),
        ));
    }
    let lines = own_verdict(stmt, text, names)?;
    if let Some((kind, b)) = blocked {
        let why = match kind {
            "pinned order" => "pins the order of the imports below it".to_string(),
            _ => format!("may change what `{module}` sees"),
        };
        return Err(FixRefused::new(
            kind,
            format!(
                "not moved: `{}` at line {} {why}",
                snippet(b, text),
                line_of(b, text)
            ),
        ));
    }
    if let Some(b) = binding.filter(|_| (env.first_party)(stmt)) {
        return Err(FixRefused::new(
            "circular import",
            format!(
                "not moved: `{}` at line {} binds a name that `{module}`, a module of this repository, may import back",
                snippet(b, text),
                line_of(b, text)
            ),
        ));
    }
    let bound = names.bound_by_import(stmt).unwrap_or_default();
    if let Some(name) = bound.iter().find(|n| seen.contains(*n)) {
        return Err(FixRefused::new(
            "name clash",
            format!(
                "not moved: it binds `{name}`, which a statement it would jump over uses or binds"
            ),
        ));
    }
    Ok(lines)
}

/// Why an import cannot move, whatever it jumps: it shares a line,
/// carries a suppression, or is a star import. Else its lines.
fn own_verdict(stmt: Node, text: &str, names: &ModuleNames) -> Result<Range<usize>, FixRefused> {
    let lines = movable_lines(stmt, text)?;
    if names.bound_by_import(stmt).is_none() {
        return Err(FixRefused::new(
            "star import",
            "not moved: a star import binds names no one can see".to_string(),
        ));
    }
    Ok(lines)
}

/// The modules an import statement names, for messages.
fn module_names(stmt: Node, text: &str) -> String {
    if let Some(m) = stmt.child_by_field_name("module_name") {
        return text[m.byte_range()].to_string();
    }
    let mut c = stmt.walk();
    let names: Vec<&str> = stmt
        .children_by_field_name("name", &mut c)
        .map(|n| {
            let n = if n.kind() == "aliased_import" {
                n.child_by_field_name("name").unwrap_or(n)
            } else {
                n
            };
            &text[n.byte_range()]
        })
        .collect();
    names.join(", ")
}

/// The statement's first line, shortened, for a message.
fn snippet(stmt: Node, text: &str) -> String {
    let all = text[stmt.byte_range()].trim();
    let line = all.split(['\n', '\r']).next().unwrap_or("").trim_end();
    let chars: Vec<char> = line.chars().collect();
    if chars.len() > 48 {
        format!("{}...", chars[..45].iter().collect::<String>().trim_end())
    } else if line.len() < all.len() {
        format!("{line} ...")
    } else {
        line.to_string()
    }
}

/// The 1-based line of a statement's start.
fn line_of(stmt: Node, text: &str) -> usize {
    LineIndex::new(&text[..stmt.start_byte()]).line_count()
}

/// The whole lines of an import with the comment lines right above it,
/// unless it shares a line with other code or carries a suppression.
fn movable_lines(stmt: Node, text: &str) -> Result<Range<usize>, FixRefused> {
    let start = line_start(text, stmt.start_byte());
    let end = line_end(text, stmt.end_byte());
    let shared = || {
        Err(FixRefused::new(
            "shared line",
            "not moved: it shares its line with other code".to_string(),
        ))
    };
    if !text[start..stmt.start_byte()].trim().is_empty() {
        return shared(); // `x = 1; import os`
    }
    let tail = &text[stmt.end_byte()..end];
    let tail = tail.trim();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return shared();
    }
    let lower = text[start..end].to_ascii_lowercase();
    if lower.contains("noqa") || lower.contains("ruff:") || lower.contains("type: ignore") {
        return Err(FixRefused::new(
            "suppression",
            "not moved: it carries a suppression comment, which pins it where it is".to_string(),
        ));
    }
    // Comment lines directly above belong to it.
    let mut from = start;
    while from > 0 {
        let prev = line_start(text, from - 1);
        let line = text[prev..from].trim();
        if !line.starts_with('#') {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.contains("noqa") || lower.contains("ruff:") {
            break;
        }
        from = prev;
    }
    Ok(from..end)
}

/// The start of the line holding byte `at`. Lines end at `\n`, `\r\n` and
/// a lone `\r`, as CPython breaks them (`# noqa: E402\rimport json` is two
/// lines); the break belongs to the line it ends.
fn line_start(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    let mut i = at;
    while i > 0 {
        let ends_line = b[i - 1] == b'\n' || (b[i - 1] == b'\r' && b.get(i) != Some(&b'\n'));
        if ends_line {
            break;
        }
        i -= 1;
    }
    i
}

/// The end of the line holding byte `at`, after its line break.
fn line_end(text: &str, at: usize) -> usize {
    LineEnding::after(text, at).map_or(text.len(), |(i, e)| i + e.as_str().len())
}

#[cfg(test)]
mod tests;
