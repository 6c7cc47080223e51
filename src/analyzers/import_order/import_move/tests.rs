//! The hoist's plan on small files: what moves, in what order, with which
//! endings, and why what stays stays.

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
        fixed("\"\"\"Doc.\"\"\"\nimport os\n\nx = 1\n# why b\nimport b  # trailing\nimport a\n"),
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
