//! `rulegate promote --apply` keeps behaviour (SPEC §4.8, "Same behaviour
//! after the move"): a small program that reaches the moved module in every
//! way the rename engine rewrites runs before and after the move and prints
//! the same. With `RULEGATE_RUFF` naming a ruff binary, ruff's F401 finds no
//! new unused import in the rewritten files.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// (exit code, stdout + stderr) of `python3 main.py` in `dir`.
fn run_main(dir: &Path) -> (Option<i32>, String) {
    let out = Command::new("python3")
        .current_dir(dir)
        .args(["-B", "main.py"])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The F401 findings of `ruff` in `dir` (paths and names, without line
/// numbers: the rewrite moves lines), when `RULEGATE_RUFF` names ruff.
fn unused_imports(dir: &Path) -> Option<Vec<String>> {
    let ruff = std::env::var("RULEGATE_RUFF").ok()?;
    let out = Command::new(ruff)
        .current_dir(dir)
        .args([
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "F401",
            "--output-format",
            "concise",
            "--exit-zero",
            ".",
        ])
        .output()
        .expect("RULEGATE_RUFF names a ruff that runs");
    assert!(
        out.status.success(),
        "ruff failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut found: Vec<String> = text
        .lines()
        .filter(|l| l.contains("F401"))
        .map(|l| {
            let path = l.split(':').next().unwrap_or_default();
            let message = l.split("F401").nth(1).unwrap_or_default();
            format!("{path}:{message}")
        })
        .collect();
    found.sort();
    Some(found)
}

const MAIN: &str = r#""""Reaches candidate.x in every way a move must rewrite."""
import importlib
from unittest import mock

import candidate.x

flag = True
if flag: from candidate import x, helpers


class MonkeyPatch:
    """pytest's `monkeypatch.setattr("pkg.mod.name", value)` form."""

    def setattr(self, target, value):
        module, _, name = target.rpartition(".")
        setattr(importlib.import_module(module), name, value)


def with_monkeypatch(monkeypatch):
    monkeypatch.setattr("candidate.x.value", lambda: "monkeypatched")
    return candidate.x.call()


def shadowed(candidate):
    return candidate


print(candidate.x.call(), candidate.helper(), shadowed("param"))
print(importlib.import_module("candidate.x").call())
print(importlib.import_module(name="candidate.x").call())
print(importlib.import_module(".x", package="candidate").call())
print(__import__("candidate.x", fromlist=["call"]).call())
with mock.patch("candidate.x.value", return_value="patched"):
    print(candidate.x.call())
print(with_monkeypatch(MonkeyPatch()))
print(x.call(), helpers.NAME)
"#;

const CANDIDATE_INIT: &str = r#""""The candidate package: a lazy-import table read by `__getattr__`."""
import importlib

__all__ = ["x", "helpers", "helper"]
_LAZY = ("x", "helpers")


def helper():
    return "helper"


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module("." + name, __name__)
    raise AttributeError(name)
"#;

fn program(dir: &Path) {
    write_files(
        dir,
        &[
            ("main.py", MAIN),
            ("candidate/__init__.py", CANDIDATE_INIT),
            (
                "candidate/x.py",
                "def value():\n    return \"value\"\n\n\ndef call():\n    return value()\n",
            ),
            ("candidate/helpers.py", "NAME = \"helpers\"\n"),
            ("core/__init__.py", ""),
            ("probe.py", "import os\n"),
            (
                "star.py",
                "from candidate import *\n\nprint(helpers.NAME, helper())\n",
            ),
        ],
    );
}

/// Moves `src` to `dst` in a copy of the program and checks that it (and
/// `star.py`) prints the same after, and that no unused import is new.
fn behaves_the_same(src: &str, dst: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    program(root);
    let before = run_main(root);
    assert_eq!(before.0, Some(0), "{}", before.1);
    let star = Command::new("python3")
        .current_dir(root)
        .args(["-B", "star.py"])
        .output()
        .unwrap();
    let unused_before = unused_imports(root);
    let (code, _, err) = run_in(root, &["promote", src, "--to", dst, "--apply"]);
    assert_eq!(code, 0, "{err}");
    let after = run_main(root);
    let main = std::fs::read_to_string(root.join("main.py")).unwrap();
    assert_eq!(after, before, "main.py after the move:\n{main}");
    let star_after = Command::new("python3")
        .current_dir(root)
        .args(["-B", "star.py"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&star_after.stdout),
        String::from_utf8_lossy(&star.stdout),
        "{}",
        String::from_utf8_lossy(&star_after.stderr)
    );
    if let (Some(b), Some(a)) = (unused_before, unused_imports(root)) {
        // The probe's unused import shows that ruff's F401 ran at all.
        assert!(b.iter().any(|f| f.starts_with("probe.py:")), "{b:?}");
        assert_eq!(a, b, "new unused imports after the move");
    }
    main
}

#[test]
fn a_move_to_another_package_keeps_behaviour() {
    let main = behaves_the_same("candidate.x", "core.x");
    // `candidate.helper()` still needs `candidate` bound.
    assert!(main.contains("import candidate, core.x\n"), "{main}");
    // The split import stays in its `if` block.
    assert!(
        main.contains("if flag: from candidate import helpers; from core import x\n"),
        "{main}"
    );
    assert!(main.contains("return candidate\n"), "{main}");
    assert!(
        main.contains("monkeypatch.setattr(\"core.x.value\""),
        "{main}"
    );
}

#[test]
fn a_rename_inside_the_package_renames_its_all_and_lazy_entries() {
    let dir_main = behaves_the_same("candidate.x", "candidate.renamed");
    assert!(
        dir_main.contains("import candidate.renamed\n"),
        "{dir_main}"
    );
}

#[test]
fn strings_outside_import_calls_are_listed_for_review_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    program(root);
    let setup = "setup(packages=[\"candidate\", \"candidate.x\"])\nCODE = \"from candidate.x import call\"\n";
    write_files(root, &[("setup.py", setup)]);
    let (code, out, err) = run_in(root, &["promote", "candidate.x", "--to", "core.x"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("### Needs review"), "{out}");
    assert!(
        out.contains("- [ ] `setup.py:1` (a dotted string outside an import or patch call)"),
        "{out}"
    );
    assert!(
        out.contains("- [ ] `setup.py:2` (named inside a string)"),
        "{out}"
    );
    let (_, json, _) = run_in(
        root,
        &[
            "promote",
            "candidate.x",
            "--to",
            "core.x",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["review"][0]["path"], "setup.py");
    assert_eq!(v["review"][0]["kind"], "dotted-string");
    let (code, _, err) = run_in(
        root,
        &["promote", "candidate.x", "--to", "core.x", "--apply"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(root.join("setup.py")).unwrap(),
        setup
    );
}
