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
    /// The file's name model (what each statement reads and binds).
    pub names: &'a NameModel,
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
    let names = ModuleNames::new(env.names, text);
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
mod tests {
    /// The E402 analyzer's hits on `code`.
    fn hits(code: &str) -> Vec<crate::analyzers::Hit> {
        let run = crate::run::test_run("", "2026-01-01");
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        let ctx = run.file_ctx("core/a.py", None, code, &tree);
        let rule = run.rules.get("E402").unwrap();
        let crate::rule::Matcher::Analyzer(a) = &rule.matcher else {
            panic!("E402 is an analyzer rule")
        };
        let mut hits = Vec::new();
        a.check(&ctx, &mut hits);
        hits
    }

    /// The E402 findings' refusals of `code`: (line, kind, reason).
    fn refusals(code: &str) -> Vec<(usize, String, String)> {
        hits(code)
            .iter()
            .filter_map(|h| {
                let r = h.fix_refused.as_ref()?;
                let line = crate::source::line_starts(&code[..h.range.start]).len();
                Some((line, r.kind.clone(), r.reason.clone()))
            })
            .collect()
    }

    /// The E402 fix of `code`, applied.
    fn fixed(code: &str) -> String {
        let Some(fix) = hits(code).iter().find_map(|h| h.fix.clone()) else {
            return code.to_string();
        };
        crate::fix::apply_fix_edits(code, &fix.edits)
    }

    /// A lone CR breaks lines as `\n` does: the import moves alone, its
    /// comment line with it, and every line, moved or not, keeps its own
    /// ending.
    #[test]
    fn lone_cr_and_crlf_break_lines() {
        assert_eq!(
            fixed("import os\rx = 1\r# why\rimport json\ry = 2\r"),
            "import os\r# why\rimport json\rx = 1\ry = 2\r"
        );
        assert_eq!(
            fixed("import os\r\nx = 1\r\n# why\r\nimport json\r\n"),
            "import os\r\n# why\r\nimport json\r\nx = 1\r\n"
        );
        // Mixed: the moved lines are whole lines and keep their own endings
        // byte for byte; the last line, which had none, takes the ending of
        // the line it lands on.
        assert_eq!(
            fixed("import os\nx = 1\rimport a\r\nimport b"),
            "import os\nimport a\r\nimport b\rx = 1\r"
        );
        assert_eq!(
            fixed("import os\r\nx = 1\r\n# why\rimport a\nimport b\r\n"),
            "import os\r\n# why\rimport a\nimport b\r\nx = 1\r\n"
        );
        // The suppression on the line before is its own line: not a
        // suppression of the import, and not moved with it.
        assert_eq!(
            fixed("import os\nx = 1\n# noqa: E402\rimport json\n"),
            "import os\nimport json\nx = 1\n# noqa: E402\r"
        );
    }

    #[test]
    fn late_imports_move_with_their_comments_in_order() {
        assert_eq!(
            fixed(
                "\"\"\"Doc.\"\"\"\nimport os\n\nx = 1\n# why b\nimport b  # trailing\nimport a\n"
            ),
            "\"\"\"Doc.\"\"\"\nimport os\n# why b\nimport b  # trailing\nimport a\n\nx = 1\n"
        );
        // No block: after the docstring; continuation lines come along.
        assert_eq!(
            fixed("\"\"\"Doc.\"\"\"\nx = 1\nfrom m import (\n    a,\n    b,\n)\n"),
            "\"\"\"Doc.\"\"\"\nfrom m import (\n    a,\n    b,\n)\nx = 1\n"
        );
        // The block includes what keeps it open (sys.path.insert).
        assert_eq!(
            fixed("import sys\nsys.path.insert(0, 'x')\nimport foo\nx = 1\nimport bar\n"),
            "import sys\nsys.path.insert(0, 'x')\nimport foo\nimport bar\nx = 1\n"
        );
        // CRLF kept.
        assert_eq!(
            fixed("import os\r\nx = 1\r\nimport a\r\n"),
            "import os\r\nimport a\r\nx = 1\r\n"
        );
        // A lone CR ends a line, as for Python: the imports move with the
        // comment above them, each line with its own break.
        assert_eq!(
            fixed("import os\r\nx = 1\r# why\nimport a\rimport b\n"),
            "import os\r\n# why\nimport a\rimport b\nx = 1\r"
        );
        assert_eq!(
            refusals("import os\r\nx = f()\rimport a\n"),
            [(
                3,
                "call".to_string(),
                "not moved: `x = f()` at line 2 may change what `a` sees".to_string()
            )]
        );
    }

    #[test]
    fn imports_that_cannot_move_safely_stay() {
        for code in [
            // It binds a name a statement it would jump over uses or binds.
            "import os\nmatplotlib = load()\nimport matplotlib.pyplot\n",
            "import os\njson = None\nfrom x import json\n",
            // Shares a line, carries a suppression, star, __future__.
            "import os\nx = 1; import a\n",
            "import os\nx = 1\nimport a  # noqa: F401\n",
            "import os\nx = 1\nfrom a import *\n",
            // A syntax error anywhere.
            "import os\nx = (\nimport a\n",
        ] {
            assert_eq!(fixed(code), code, "{code}");
        }
        // A later import does not jump the earlier one that stays: its
        // suppression pins the order.
        let code = "import os\nx = 1\nimport a  # noqa: F401\nimport b\n";
        assert_eq!(fixed(code), code);
        assert_eq!(
            refusals(code),
            [
                (
                    3,
                    "suppression".into(),
                    "not moved: it carries a suppression comment, which pins it where it is".into()
                ),
                (
                    4,
                    "pinned order".into(),
                    "not moved: `import a` at line 3 pins the order of the imports below it".into()
                )
            ]
        );
    }

    /// The idioms of issue 27 whose hoist changed what the program does,
    /// with the refusal each gets: (program, kind, reason).
    const EFFECT_IDIOMS: &[(&str, &str, &str)] = &[
        (
            "import sys\nsys.path[:0] = ['vendor']\nimport vendored\n",
            "subscript assignment",
            "`sys.path[:0] = ['vendor']` at line 2 may change what `vendored` sees",
        ),
        (
            "import sys\np = sys.path\np.insert(0, 'v')\nimport vendored\n",
            "statement",
            "`p = sys.path` at line 2 may change what `vendored` sees",
        ),
        (
            "import sys\nfrom helpers import add_path\nadd_path('v')\nimport vendored\n",
            "call",
            "`add_path('v')` at line 3",
        ),
        (
            "import sys\nimport types\nsys.modules['fake'] = types.ModuleType('fake')\nimport fake\n",
            "subscript assignment",
            "at line 3 may change what `fake` sees",
        ),
        (
            "import django\ndjango.setup()\nfrom app.models import User\n",
            "call",
            "`django.setup()` at line 2 may change what `app.models` sees",
        ),
        (
            "from gevent import monkey\nmonkey.patch_all()\nimport socket\n",
            "call",
            "`monkey.patch_all()` at line 2",
        ),
        (
            "import warnings\nwarnings.filterwarnings('ignore')\nimport noisy\n",
            "call",
            "line 2",
        ),
        (
            "import multiprocessing\nmultiprocessing.set_start_method('spawn')\nimport worker\n",
            "call",
            "line 2",
        ),
        (
            "import os\nos.chdir('/tmp')\nimport here\n",
            "call",
            "`os.chdir('/tmp')` at line 2",
        ),
        (
            "import sys\nsys.setrecursionlimit(10000)\nimport deep\n",
            "call",
            "line 2",
        ),
        (
            "import os\nglobals()['X'] = 1\nimport reads_x\n",
            "subscript assignment",
            "line 2",
        ),
        (
            "import builtins\nbuiltins._ = str\nimport uses_underscore\n",
            "attribute assignment",
            "`builtins._ = str` at line 2",
        ),
        (
            "import os\n__path__.append('extra')\nimport extra_mod\n",
            "call",
            "line 2",
        ),
        (
            "from core import settings\nsettings.MODE = \"prod\"\nimport core.boot\n",
            "attribute assignment",
            "`settings.MODE = \"prod\"` at line 2 may change what `core.boot` sees",
        ),
        (
            "import os\nx = 1\nimport vendored_setup  # noqa: E402 -- must run before vendored imports\nimport vendored\n",
            "pinned order",
            "pins the order",
        ),
        (
            "import os\nx = compute()\nimport a\n",
            "call",
            "`x = compute()` at line 2",
        ),
        (
            "import os\n@register\ndef f():\n    pass\nimport a\n",
            "decorator",
            "`@register ...` at line 2",
        ),
        (
            "import os\nclass C(Base):\n    pass\nimport a\n",
            "class",
            "`class C(Base): ...` at line 2",
        ),
        (
            "import os\nclass C(metaclass=M):\n    pass\nimport a\n",
            "class",
            "line 2",
        ),
        (
            "import os\nclass C:\n    x = setup()\nimport a\n",
            "class",
            "line 2",
        ),
        (
            "import os\ndef f(x=make()):\n    pass\nimport a\n",
            "definition",
            "line 2",
        ),
        (
            "import os\ndef f(x: Check()):\n    pass\nimport a\n",
            "definition",
            "line 2",
        ),
        (
            "import os\nX: List[int] = []\nimport a\n",
            "annotation",
            "line 2",
        ),
        (
            "import os\nx = 1\ntry:\n    import a\nexcept ImportError:\n    a = None\nimport b\n",
            "statement",
            "`try: ...` at line 3",
        ),
        (
            "import os\nfor i in range(3):\n    pass\nimport a\n",
            "statement",
            "line 2",
        ),
        (
            "import os\nx = 1\nwith open('f') as f:\n    pass\nimport a\n",
            "statement",
            "line 3",
        ),
        (
            "import os\nx = 1\ndel x\nimport a\n",
            "del",
            "`del x` at line 3",
        ),
        ("import os\nx = f'{y}'\nimport a\n", "statement", "line 2"),
        // In place: the list may be another module's, or unbound.
        (
            "from registry import PLUGINS\nx = 1\nPLUGINS += ['extra']\nimport loader\n",
            "augmented assignment",
            "`PLUGINS += ['extra']` at line 3",
        ),
        (
            "import os\nx = 1\n__all__ += ['A']\nimport a\n",
            "augmented assignment",
            "line 3",
        ),
        // `TYPE_CHECKING` not typing's: the block may run (or raise).
        (
            "TYPE_CHECKING = True\nif TYPE_CHECKING:\n    import a\nimport b\n",
            "statement",
            "`if TYPE_CHECKING: ...` at line 2",
        ),
        ("import os\nx = a.b\nimport c\n", "statement", "line 2"),
        ("import os\nx = 1 + y\nimport c\n", "statement", "line 2"),
        (
            "import os\nx = 1\nprint(x)\nimport c\n",
            "call",
            "`print(x)` at line 3",
        ),
    ];

    /// Each idiom keeps its import where it is, and says why.
    #[test]
    fn imports_never_jump_a_statement_whose_effect_they_may_see() {
        let cases = EFFECT_IDIOMS;
        for (code, kind, reason) in cases {
            assert_eq!(fixed(code), *code, "{code}");
            let got = refusals(code);
            let last = got.last().unwrap_or_else(|| panic!("no refusal: {code}"));
            assert_eq!(last.1, *kind, "{code}: {got:?}");
            assert!(last.2.starts_with("not moved: "), "{code}: {got:?}");
            assert!(last.2.contains(reason), "{code}: {got:?}");
        }
    }

    /// The circular-import idiom: a first-party module (here a relative
    /// import) may import this one back, so no module-level binding is
    /// jumped; a third-party one may jump it.
    #[test]
    fn first_party_imports_jump_no_binding() {
        let code = "import os\nAPP = 'app'\nfrom . import views\n";
        assert_eq!(fixed(code), code);
        let got = refusals(code);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, "circular import");
        assert!(
            got[0]
                .2
                .contains("`APP = 'app'` at line 2 binds a name that `.`"),
            "{got:?}"
        );
        // Not a binding (a string statement, `pass`): it moves.
        assert_eq!(
            fixed("import os\n'''note'''\npass\nfrom . import views\n"),
            "import os\nfrom . import views\n'''note'''\npass\n"
        );
        assert_eq!(
            fixed("import os\nAPP = 'app'\nimport requests\n"),
            "import os\nimport requests\nAPP = 'app'\n"
        );
    }

    /// What provably has no effect is jumped.
    #[test]
    fn effect_free_statements_are_jumped() {
        for (code, want) in [
            (
                "import os\nX = 1\n__all__ = ['X']\nimport a\n",
                "import os\nimport a\nX = 1\n__all__ = ['X']\n",
            ),
            (
                "import os\nX = Y = (1, -2.0, None, 'a' 'b', {'k': [True]})\nimport a\n",
                "import os\nimport a\nX = Y = (1, -2.0, None, 'a' 'b', {'k': [True]})\n",
            ),
            (
                "import os\n__all__ = ['X']\nA, B = 1, 2\n__all__ += ['A']\n__all__ += ('B',)\nimport a\n",
                "import os\n__all__ = ['X']\nimport a\nA, B = 1, 2\n__all__ += ['A']\n__all__ += ('B',)\n",
            ),
            (
                "import os\ndef f(x=1, *args, k=None, **kw) -> int:\n    return setup()\nimport a\n",
                "import os\nimport a\ndef f(x=1, *args, k=None, **kw) -> int:\n    return setup()\n",
            ),
            (
                "import os\nclass C:\n    '''Doc.'''\n    x = 1\n    def m(self):\n        run()\nimport a\n",
                "import os\nimport a\nclass C:\n    '''Doc.'''\n    x = 1\n    def m(self):\n        run()\n",
            ),
            (
                "import os\nclass C(object):\n    pass\nimport a\n",
                "import os\nimport a\nclass C(object):\n    pass\n",
            ),
            (
                "import os\nf = lambda x=1: go(x)\nimport a\n",
                "import os\nimport a\nf = lambda x=1: go(x)\n",
            ),
            (
                "import os\nX: int = 1\nimport a\n",
                "import os\nimport a\nX: int = 1\n",
            ),
            (
                "from typing import TYPE_CHECKING\nX = 1\nif TYPE_CHECKING:\n    from m import T\nimport a\n",
                "from typing import TYPE_CHECKING\nimport a\nX = 1\nif TYPE_CHECKING:\n    from m import T\n",
            ),
        ] {
            assert_eq!(fixed(code), want, "{code}");
            assert!(refusals(code).is_empty(), "{code}");
        }
        // Annotations run unless `from __future__ import annotations`.
        let code = "from __future__ import annotations\nimport os\nX: List[int] = []\ndef f(x: Check()) -> Thing():\n    pass\nimport a\n";
        assert_eq!(
            fixed(code),
            "from __future__ import annotations\nimport os\nimport a\nX: List[int] = []\ndef f(x: Check()) -> Thing():\n    pass\n"
        );
    }

    /// Names are the name model's: a parameter, a local or a class
    /// attribute spelled like the import's name is another name, and is
    /// jumped; a module-level read or binding of it is not.
    #[test]
    fn only_the_module_name_clashes() {
        for (code, want) in [
            (
                "import os\ndef f(json):\n    return json\nimport json\n",
                "import os\nimport json\ndef f(json):\n    return json\n",
            ),
            (
                "import os\nclass C:\n    json = 1\nimport json\n",
                "import os\nimport json\nclass C:\n    json = 1\n",
            ),
            (
                "import os\ndef f():\n    json = 1\n    return json\nimport json\n",
                "import os\nimport json\ndef f():\n    json = 1\n    return json\n",
            ),
        ] {
            assert_eq!(fixed(code), want, "{code}");
        }
        for code in [
            "import os\ndef f():\n    return json.dumps(1)\nimport json\n",
            "import os\nX = json\nimport json\n",
            "import os\ndef f(x=json):\n    pass\nimport json\n",
            "import os\ndef f():\n    global json\n    json = 1\nimport json\n",
            "import os\nclass json:\n    pass\nimport json\n",
        ] {
            assert_eq!(fixed(code), code, "{code}");
            let got = refusals(code);
            assert_eq!(got.len(), 1, "{code}: {got:?}");
            assert_eq!(got[0].1, "name clash", "{code}: {got:?}");
        }
    }

    /// The boundaries ruff exempts (`sys.path.insert`, `os.environ[...] =`,
    /// `matplotlib.use`, `site.addsitedir`) end no block: imports after
    /// them are no finding, and later imports move to after them.
    #[test]
    fn exempt_boundaries_stay_above_moved_imports() {
        for setup in [
            "sys.path.insert(0, 'v')",
            "os.environ['A'] = '1'",
            "matplotlib.use('Agg')",
            "site.addsitedir('v')",
        ] {
            let code =
                format!("import os, sys, site, matplotlib\n{setup}\nimport v\nX = 1\nimport w\n");
            assert_eq!(
                fixed(&code),
                format!("import os, sys, site, matplotlib\n{setup}\nimport v\nimport w\nX = 1\n"),
                "{setup}"
            );
        }
    }

    /// Every finding of a file with a syntax error says so.
    #[test]
    fn a_syntax_error_is_the_reason() {
        let got = refusals("import os\nx = 1\nimport a\ny = (\n");
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].1, "syntax error");
    }
}
