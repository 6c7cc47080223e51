//! A cached run gives exactly the findings of `--no-cache`, whatever
//! changed in the files a result depended on.

mod common;

use std::path::Path;

use common::*;

fn lint(dir: &Path, cached: bool) -> String {
    lint_paths(dir, cached, &[])
}

/// Lints `paths` (none: the whole project), with the cache or without.
fn lint_paths(dir: &Path, cached: bool, paths: &[&str]) -> String {
    let mut c = rulegate(dir);
    c.args(["lint", "--format", "concise", "--exit-zero"]);
    c.args(paths);
    if cached {
        c.env_remove("RULEGATE_NO_CACHE");
    } else {
        c.arg("--no-cache");
    }
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");
    out
}

/// Lints with a warm cache and without one; both must agree.
fn agree(dir: &Path) -> String {
    let warm = lint(dir, true);
    let cold = lint(dir, false);
    assert_eq!(warm, cold, "a cached run must equal --no-cache");
    warm
}

const LANES: &str = "[lanes.production]\npaths = [\"core/**\"]\nmay_import = [\"production\"]\n\
                     [lanes.candidate]\npaths = [\"candidate/**\"]\n";

#[test]
fn a_changed_module_invalidates_its_importers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(
        d,
        &[
            ("rulegate.toml", LANES),
            ("core/__init__.py", ""),
            ("core/b.py", "X = 1\n"),
            ("core/a.py", "from core.b import X\nfrom core import c\n"),
            ("core/c.py", ""),
        ],
    );
    lint(d, true); // fill the cache
    assert!(!agree(d).contains("STUB001"));

    // The module stops defining the name.
    std::fs::write(d.join("core/b.py"), "Y = 1\n").unwrap();
    assert!(agree(d).contains("core/a.py:1:20: STUB001"));

    // It defines it again through a star import of another module.
    std::fs::write(d.join("core/b.py"), "from core.d import *\n").unwrap();
    std::fs::write(d.join("core/d.py"), "X = 2\n").unwrap();
    assert!(!agree(d).contains("STUB001"));
    std::fs::write(d.join("core/d.py"), "Z = 2\n").unwrap();
    assert!(agree(d).contains("STUB001"), "a change two modules away");

    // A package created beside the module shadows it (STUB002) and takes
    // over the import.
    std::fs::write(d.join("core/d.py"), "X = 2\n").unwrap();
    write_files(d, &[("core/b/__init__.py", "")]);
    let out = agree(d);
    assert!(out.contains("STUB002") && out.contains("STUB001"), "{out}");
}

#[test]
fn a_module_moved_to_another_lane_is_judged_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(
        d,
        &[
            (
                "rulegate.toml",
                "src = [\"a\", \"b\"]\n[lanes.production]\npaths = [\"a/**\"]\nmay_import = [\"production\"]\n\
                 [lanes.candidate]\npaths = [\"b/**\"]\n",
            ),
            ("a/app.py", "import shared.x\n"),
            ("a/shared/x.py", ""),
            ("b/shared/keep.py", ""),
        ],
    );
    lint(d, true);
    let before = agree(d);
    assert!(!before.contains("LANE001"), "{before}");
    // The same module name now resolves under the candidate lane's root.
    std::fs::rename(d.join("a/shared/x.py"), d.join("b/shared/x.py")).unwrap();
    let after = agree(d);
    assert!(after.contains("a/app.py:1:8: LANE001"), "{after}");
}

#[test]
fn a_deleted_module_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(d, A_IMPORTS_FROM_B);
    lint(d, true);
    assert!(agree(d).is_empty() || !agree(d).contains("STUB001"));
    std::fs::remove_file(d.join("core/b.py")).unwrap();
    std::fs::write(d.join("core/b.pyi"), "Y: int\n").unwrap();
    assert!(
        agree(d).contains("STUB001"),
        "now resolved to the stub file"
    );
}

#[test]
fn a_missing_module_that_appears_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(
        d,
        &[
            ("rulegate.toml", LANES),
            ("core/__init__.py", ""),
            ("core/a.py", "import core.engine\nimport core._speedups\n"),
        ],
    );
    lint(d, true); // fill the cache
    let out = agree(d);
    assert!(out.contains("core/a.py:1:8: STUB003"), "{out}");
    assert!(out.contains("core/a.py:2:8: STUB003"), "{out}");
    // The module is written; a compiled extension arrives.
    std::fs::write(d.join("core/engine.py"), "").unwrap();
    std::fs::write(d.join("core/_speedups.cpython-311-x86_64-linux-gnu.so"), "").unwrap();
    assert!(!agree(d).contains("STUB003"));
    // The parent learns to make its submodules at run time.
    std::fs::remove_file(d.join("core/engine.py")).unwrap();
    std::fs::write(
        d.join("core/__init__.py"),
        "def __getattr__(name):\n    return name\n",
    )
    .unwrap();
    assert!(!agree(d).contains("STUB003"));
    std::fs::write(d.join("core/__init__.py"), "").unwrap();
    assert!(agree(d).contains("core/a.py:1:8: STUB003"));
}

/// Lints one file, with the cache or without; both must agree.
fn lint_one(dir: &Path, file: &str) -> String {
    let warm = lint_paths(dir, true, &[file]);
    assert_eq!(
        warm,
        lint_paths(dir, false, &[file]),
        "a cached run must equal --no-cache"
    );
    warm
}

/// A package whose module `a` imports `X` from module `b`.
const A_IMPORTS_FROM_B: &[(&str, &str)] = &[
    ("core/__init__.py", ""),
    ("core/b.py", "X = 1\n"),
    ("core/a.py", "from core.b import X\n"),
];

#[test]
fn kept_symbol_tables_serve_an_edited_file_and_follow_their_module() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(d, A_IMPORTS_FROM_B);
    lint(d, true); // fill the cache: b's table is kept, as a reader needed it
    let kept: Vec<_> = walkdir(d.join(".rulegate_cache"))
        .into_iter()
        .filter(|p| p.parent().is_some_and(|f| f.ends_with("symbols")))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    // The pre-commit case: the importer is edited, the module is not.
    std::fs::write(d.join("core/a.py"), "from core.b import X, Y\n").unwrap();
    assert!(lint_one(d, "core/a.py").contains("core/a.py:1:23: STUB001"));
    // The module changes: its kept table is not its table any more.
    std::fs::write(d.join("core/b.py"), "X = 1\nY = 2\n").unwrap();
    assert!(!lint_one(d, "core/a.py").contains("STUB001"));
    std::fs::write(d.join("core/b.py"), "Y = 2\n").unwrap();
    assert!(lint_one(d, "core/a.py").contains("core/a.py:1:20: STUB001"));
    // A kept table that is not JSON any more is ignored, not trusted.
    for p in walkdir(d.join(".rulegate_cache")) {
        if p.parent().is_some_and(|f| f.ends_with("symbols")) {
            std::fs::write(&p, "{broken").unwrap();
        }
    }
    assert!(lint_one(d, "core/a.py").contains("core/a.py:1:20: STUB001"));
}

#[test]
fn a_pack_whose_query_breaks_fails_on_a_warm_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pack = |query: &str| {
        format!(
            "[pack]\nname = \"p\"\n[[rule]]\nid = \"P001\"\nseverity = \"warning\"\n\
             message = \"m\"\nquery = '{query}'\n"
        )
    };
    write_files(
        d,
        &[
            ("rulegate.toml", "packs = [\"builtin:t4\", \"./p.toml\"]\n"),
            ("p.toml", &pack("(call) @c")),
            ("a.py", "f()\n"),
        ],
    );
    assert!(lint(d, true).contains("P001"));
    assert!(lint(d, true).contains("P001"), "the query was remembered");
    std::fs::write(d.join("p.toml"), pack("(call @c")).unwrap();
    let mut c = rulegate(d);
    c.args(["lint", "--format", "concise"])
        .env_remove("RULEGATE_NO_CACHE");
    let (code, _, err) = run(c);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid tree-sitter query"), "{err}");
}

/// Every file under `dir`.
fn walkdir(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
