//! What `pytest --collect-only` would hit that a tree-sitter parse alone
//! misses (SPEC §4.7, "What pytest would see"): each cause reported at its
//! cause, with a message a user understands.

mod common;

use common::{rulegate, write_files};

/// `lint --format concise` of `dir` with `select`, and its exit code.
fn concise(dir: &std::path::Path, select: &str) -> (String, i32) {
    let out = rulegate(dir)
        .args([
            "lint",
            "--no-cache",
            "--format",
            "concise",
            "--select",
            select,
            ".",
        ])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn python_2_print_is_e999_and_its_file_is_never_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = "import os\nx = 1\nimport sys\n\ndef main():\n    print \"hello\", sys.argv\n";
    write_files(
        dir.path(),
        &[("legacy.py", legacy), ("modern.py", "print >> f, x\n")],
    );
    let (out, code) = concise(dir.path(), "E999,E402");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "legacy.py:6:5: E999 SyntaxError: Missing parentheses in call to 'print'. \
             Did you mean print(...)?"
        ),
        "{out}"
    );
    // `print >> f, x` is a Python 3 expression: no E999.
    assert!(!out.contains("modern.py"), "{out}");
    // The E402 hoist is not applied to a file CPython cannot compile.
    rulegate(dir.path())
        .args([
            "lint",
            "--no-cache",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "E402",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("legacy.py")).unwrap(),
        legacy
    );
}

#[test]
fn a_module_level_import_cycle_is_reported_at_the_import_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("app/__init__.py", ""),
            // Entry `app.models`: it imports `app.services`, which needs
            // `Model` before `app.models` has bound it.
            (
                "app/models.py",
                "from app.services import save\n\n\nclass Model:\n    pass\n",
            ),
            (
                "app/services.py",
                "from app.models import Model\n\n\ndef save(m: Model):\n    return m\n",
            ),
            // Lazy, plain, and submodule imports of a cycle are fine.
            (
                "app/views.py",
                "import app.lazy\n\n\ndef show():\n    from app.lazy import page\n    return page\n",
            ),
            (
                "app/lazy.py",
                "from app import views\nimport app.views\npage = 1\n",
            ),
        ],
    );
    let (out, code) = concise(dir.path(), "IMP002");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "app/services.py:1:24: IMP002 cannot import name `Model` from partially initialized \
             module `app.models` when `app.models` is imported first \
             (circular import: app.models -> app.services -> app.models)"
        ),
        "{out}"
    );
    assert!(
        out.contains("app/models.py:1:26: IMP002 cannot import name `save`"),
        "{out}"
    );
    assert!(
        !out.contains("views.py") && !out.contains("lazy.py"),
        "{out}"
    );
}

#[test]
fn an_undeclared_third_party_module_is_reported_and_nothing_declared_says_so_under_v() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"app\"\ndependencies = [\"requests\"]\n\
                 [dependency-groups]\ntest = [\"pytest\"]\n",
            ),
            ("app/__init__.py", ""),
            (
                "app/net.py",
                "import json\nimport requests\nimport app\nimport httpx\n",
            ),
            (
                "tests/test_net.py",
                "import pytest\nfrom httpx import Client\n",
            ),
        ],
    );
    let (out, code) = concise(dir.path(), "DEP001");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "app/net.py:4:8: DEP001 `httpx` is imported but no declared dependency provides it \
             (pyproject.toml)"
        ),
        "{out}"
    );
    assert!(
        out.contains("tests/test_net.py:2:6: DEP001 `httpx`"),
        "{out}"
    );
    assert_eq!(out.matches("DEP001").count(), 2, "{out}");

    // A project that declares: `-v` has nothing to say about DEP001.
    let verbose = |dir: &std::path::Path, select: &str| {
        let out = rulegate(dir)
            .args(["lint", "--no-cache", "-v", "--select", select, "."])
            .output()
            .unwrap();
        (
            String::from_utf8(out.stderr).unwrap(),
            out.status.code().unwrap(),
        )
    };
    let (err, _) = verbose(dir.path(), "DEP001");
    assert!(!err.contains("is silent"), "{err}");

    // No declaration file: no finding, a plain run quiet, and `-v` says
    // why once per run (however many files import something).
    std::fs::remove_file(dir.path().join("pyproject.toml")).unwrap();
    let (out, code) = concise(dir.path(), "DEP001");
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("DEP001"), "{out}");
    let plain = rulegate(dir.path())
        .args(["lint", "--no-cache", "--select", "DEP001", "."])
        .output()
        .unwrap();
    assert!(plain.stderr.is_empty(), "{plain:?}");
    let (err, code) = verbose(dir.path(), "DEP001");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.matches("note: DEP001 is silent: no dependency declarations found")
            .count(),
        1,
        "{err}"
    );
    // Not selected: not mentioned.
    let (err, _) = verbose(dir.path(), "E402");
    assert!(!err.contains("DEP001"), "{err}");
    // An unreadable pyproject.toml says what is wrong with it.
    write_files(dir.path(), &[("pyproject.toml", "[project\n")]);
    let (err, code) = verbose(dir.path(), "DEP001");
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("note: DEP001 is silent: pyproject.toml:"),
        "{err}"
    );
}

/// STUB001's "what pytest would see" wordings (issue 28): a name bound only
/// under `if TYPE_CHECKING:`, and one bound only under a version test the
/// target version fails, each said in words a user understands; the same
/// version test that the target passes is no finding.
#[test]
fn stub001_says_why_a_guarded_name_is_not_there_at_run_time() {
    let dir = tempfile::tempdir().unwrap();
    let config = |target: &str| {
        format!("target-version = \"{target}\"\n[lanes.production]\npaths = [\"**\"]\n")
    };
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", &config("py311")),
            ("app/__init__.py", ""),
            (
                "app/types.py",
                "import sys\nfrom typing import TYPE_CHECKING\n\
                 if TYPE_CHECKING:\n    from collections import OrderedDict as Handler\n\
                 if sys.version_info >= (3, 12):\n    def batched(xs):\n        return xs\n",
            ),
            (
                "app/use.py",
                "from app.types import Handler\nfrom app.types import batched\n",
            ),
        ],
    );
    let (out, code) = concise(dir.path(), "STUB001");
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("STUB001")).collect();
    assert_eq!(
        lines,
        [
            "app/use.py:1:23: STUB001 cannot import name `Handler` from `app.types` (app/types.py): \
             the module binds it only under `if TYPE_CHECKING:`, which never runs",
            "app/use.py:2:23: STUB001 cannot import name `batched` from `app.types` (app/types.py): \
             the module binds it only when `sys.version_info >= (3, 12)`, which is false on the \
             target version py311",
        ],
        "{out}"
    );
    // On a target that passes the test, `batched` is there.
    write_files(dir.path(), &[("rulegate.toml", &config("py312"))]);
    let (out, _) = concise(dir.path(), "STUB001");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("STUB001")).collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].contains("`Handler`"), "{out}");
}
