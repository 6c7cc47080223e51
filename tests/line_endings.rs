//! Line endings through the fixes that `tests/hostile.rs` does not drive
//! (it covers SUP004, the TODO upgrade, the LEG001 rename and a one-line
//! E402 hoist): the stub fixes (STUB001, STUB003), `--add-noqa`, and the
//! E402 hoist of commented and multi-line imports after lone CRs. In files
//! that mix CRLF, lone CR and LF, every line a fix does not rewrite keeps
//! its own ending, nothing is lost, and CPython compiles the result.
//! (SUP001–SUP003 offer no fix.)

mod common;

use std::path::Path;

use common::*;

/// Lints with `args` in `dir`; the run must end normally.
fn lint(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["lint", "--no-cache", "--format", "concise"];
    all.extend(args);
    let (code, out, err) = run_in(dir, &all);
    assert!(
        matches!(code, 0 | 1),
        "exit {code} for {args:?}: {out}{err}"
    );
    out
}

fn bytes(dir: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(dir.join(rel)).unwrap()
}

fn compiles(dir: &Path, rel: &str) {
    python(
        dir,
        &format!("compile(open({rel:?}, 'rb').read(), {rel:?}, 'exec')"),
    );
}

/// Asserts that every line of `before` (text and ending) is found in
/// `after`, in order: the fix only added lines.
fn keeps_every_line(before: &[u8], after: &[u8]) {
    let after_lines = lines_with_endings(after);
    let mut rest = after_lines.iter();
    for line in lines_with_endings(before) {
        assert!(
            rest.any(|l| *l == line),
            "{line:?} lost or its ending changed: {:?}",
            String::from_utf8_lossy(after)
        );
    }
}

/// STUB001 adds stubs to a module with mixed endings; STUB003 creates a
/// bridge for a module an importer with mixed endings names. The target's
/// lines keep their endings, the importer is not touched, and Python
/// imports everything.
#[test]
fn stub_fixes_keep_each_lines_ending() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let levels = "\"\"\"Levels.\"\"\"\r\nimport os\r__all__ = [\"BASE\"]\nBASE = os.sep\r\n";
    let app = "from pkg.levels import RiskLevel, make_thing\r\nimport pkg.missing_mod\rprint(RiskLevel)\n";
    write_files(
        d,
        &[
            ("pkg/__init__.py", ""),
            ("pkg/levels.py", levels),
            ("app.py", app),
        ],
    );
    let out = lint(d, &["--select", "STUB"]);
    for want in [
        "app.py:1:24: STUB001",
        "app.py:1:35: STUB001",
        "app.py:2:8: STUB003",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    lint(d, &["--select", "STUB", "--fix", "--unsafe-fixes"]);
    assert_eq!(
        bytes(d, "app.py"),
        app.as_bytes(),
        "the importer is untouched"
    );
    let fixed = bytes(d, "pkg/levels.py");
    keeps_every_line(levels.as_bytes(), &fixed);
    let fixed = String::from_utf8(fixed).unwrap();
    assert!(fixed.contains("class RiskLevel(Enum):"), "{fixed:?}");
    assert!(fixed.contains("def make_thing("), "{fixed:?}");
    for f in ["pkg/levels.py", "pkg/missing_mod/__init__.py", "app.py"] {
        compiles(d, f);
    }
    python(
        d,
        "import pkg.levels as l, pkg.missing_mod; l.RiskLevel.DEFAULT; l.make_thing(); \
         assert l.__all__ == ['BASE', 'RiskLevel', 'make_thing'], l.__all__",
    );
    let out = lint(d, &["--select", "STUB"]);
    assert!(!out.contains("STUB00"), "{out}");
}

/// `--add-noqa` writes each directive before its line's own break (a lone
/// CR, CRLF or LF), on the line ruff reads it from; a second lint finds
/// the findings suppressed.
#[test]
fn add_noqa_writes_before_each_lines_own_break() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "import os\r\nx = 1\rimport re\r\nimport json\nimport sys\r# c\rimport io  # why\r\n\
                from os import (\r    path,\n)\rimport a, \\\r    b\r\nimport c";
    // A directive alone on its line, then a lone CR: the import after it
    // is code on the next line, and gets its own directive.
    let lone = "x = 1\n# noqa: E402\rimport json\n";
    write_files(d, &[("m.py", text), ("lone.py", lone)]);
    let (code, _, err) = run_in(
        d,
        &[
            "lint",
            "--no-cache",
            "--add-noqa",
            "--select",
            "E402",
            "--reason",
            "boot",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let noqa = "  # noqa: E402 -- boot until=2027-02-19";
    let want = format!(
        "import os\r\nx = 1\rimport re{noqa}\r\nimport json{noqa}\nimport sys{noqa}\r# c\r\
         import io  # why{noqa}\r\nfrom os import ({noqa}\r    path,\n)\rimport a, \\\r    b{noqa}\r\n\
         import c{noqa}"
    );
    assert_eq!(String::from_utf8(bytes(d, "m.py")).unwrap(), want);
    assert_eq!(
        String::from_utf8(bytes(d, "lone.py")).unwrap(),
        format!("x = 1\n# noqa: E402\rimport json{noqa}\n")
    );
    compiles(d, "m.py");
    compiles(d, "lone.py");
    let out = lint(d, &["--today", TODAY]);
    assert!(!out.contains(": E402 "), "{out}");
    // The own-line directive above suppresses nothing (it covers its own
    // line), as before.
    assert!(out.contains("lone.py:2:1: SUP004"), "{out}");
    assert!(!out.contains("m.py:"), "{out}");
}

/// The E402 hoist after lone CRs: an import with its comment above it, a
/// multi-line import with breaks of every kind, and a last line with no
/// break all move; the lines it jumps keep their endings; no line is lost.
#[test]
fn e402_hoist_moves_whole_lines_after_lone_crs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "\"\"\"Doc.\"\"\"\rimport os\r\nx = 1\r# why re\nimport re\r\n\
                from os import (\r    path,\n    sep,\r\n)\ry = 2\nimport json";
    write_files(d, &[("h.py", text)]);
    let out = lint(d, &["--select", "E402"]);
    for want in ["h.py:5:1: E402", "h.py:6:1: E402", "h.py:11:1: E402"] {
        assert!(out.contains(want), "{want}: {out}");
    }
    let out = lint(d, &["--select", "E402", "--fix", "--unsafe-fixes"]);
    assert!(!out.contains(": E402 "), "every import moves: {out}");
    let fixed = bytes(d, "h.py");
    let got = lines_with_endings(&fixed);
    let texts: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        texts,
        [
            "\"\"\"Doc.\"\"\"",
            "import os",
            "# why re",
            "import re",
            "from os import (",
            "    path,",
            "    sep,",
            ")",
            "import json",
            "x = 1",
            "y = 2",
        ],
        "{:?}",
        String::from_utf8_lossy(&fixed)
    );
    // The lines jumped over, and those above, keep their own endings.
    for (line, ending) in [
        ("\"\"\"Doc.\"\"\"", "\r"),
        ("import os", "\r\n"),
        ("x = 1", "\r"),
        ("y = 2", "\n"),
    ] {
        assert!(
            got.contains(&(line.to_string(), ending)),
            "{line:?} lost its {ending:?}: {got:?}"
        );
    }
    compiles(d, "h.py");
}
