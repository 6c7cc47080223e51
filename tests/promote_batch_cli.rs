//! `rulegate promote --batch FILE` (SPEC §4.8): rows applied in dependency
//! order (a row after the rows whose SRC its code imports), `--status` as a
//! dashboard, `--next --apply` one row at a time, `--all --apply` in one
//! transaction (a blocked gate in the middle rolls every row back, exit 1,
//! and names the row), and a dependency cycle as an error naming the rows.

mod common;

use std::path::Path;

use common::*;

const CONFIG: &str = "packs = [\"builtin:t4\"]\n\n\
    [lanes.production]\npaths = [\"core/**\"]\nmay_import = [\"production\"]\n\
    [lanes.candidate]\npaths = [\"candidate/**\"]\n";

/// Three packages: `a` imports `b`, `b` imports `c`; the rows list them
/// in the wrong order (a, b, c).
fn three(root: &Path) {
    write_files(
        root,
        &[
            ("rulegate.toml", CONFIG),
            ("core/__init__.py", ""),
            ("candidate/__init__.py", ""),
            (
                "candidate/a/__init__.py",
                "from candidate.b import twice\n\n\ndef run():\n    return twice() + 1\n",
            ),
            (
                "candidate/b/__init__.py",
                "from candidate.c.base import one\n\n\ndef twice():\n    return one() * 2\n",
            ),
            ("candidate/c/__init__.py", ""),
            ("candidate/c/base.py", "def one():\n    return 1\n"),
            (
                "batch.tsv",
                "# src\tdst\ncandidate.a\tcore.a\ncandidate.b\tcore.b\ncandidate.c\tcore.c\n",
            ),
        ],
    );
}

fn batch(root: &Path, extra: &[&str]) -> (i32, String, String) {
    run_in(
        root,
        &[&["promote", "--batch", "batch.tsv"], extra].concat(),
    )
}

#[test]
fn status_shows_the_next_row_by_dependencies_and_all_applies_them_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    three(root);
    let (code, out, err) = batch(root, &["--status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 row(s), 0 done, 3 remaining"), "{out}");
    assert!(
        out.contains("**Next:** line 4 (candidate.c → core.c)"),
        "{out}"
    );
    assert!(
        out.contains("- [ ] line 2 (candidate.a → core.a) (waits on line 3)"),
        "{out}"
    );
    let (code, _, err) = batch(root, &["--all", "--apply"]);
    assert_eq!(code, 0, "{err}");
    for p in ["core/a/__init__.py", "core/b/__init__.py", "core/c/base.py"] {
        assert!(root.join(p).is_file(), "{p}: {err}");
    }
    assert!(!root.join("candidate/a").exists());
    let audit = std::fs::read_to_string(root.join("promotion-audit.log")).unwrap();
    let order: Vec<String> = audit
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["src"].to_string())
        .collect();
    assert_eq!(
        order,
        ["\"candidate.c\"", "\"candidate.b\"", "\"candidate.a\""]
    );
    python(root, "import core.a\nassert core.a.run() == 3\n");
    let (code, out, _) = batch(root, &["--status", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["done"], 3);
    assert_eq!(v["remaining"], 0);
    assert_eq!(v["next"], serde_json::Value::Null);
}

/// Rows may give paths, as `promote SRC --to DST` may.
#[test]
fn next_applies_one_row_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    three(root);
    write_files(
        root,
        &[(
            "batch.tsv",
            "candidate/a\tcore/a\ncandidate/b/\tcore.b\ncandidate.c\tcore.c\n",
        )],
    );
    let (_, out, _) = batch(root, &["--status"]);
    assert!(
        out.contains("- [ ] line 1 (candidate/a → core/a) (waits on line 2)"),
        "{out}"
    );
    for (i, moved) in ["core/c", "core/b", "core/a"].iter().enumerate() {
        let (code, _, err) = batch(root, &["--next", "--apply"]);
        assert_eq!(code, 0, "{err}");
        assert!(root.join(moved).is_dir(), "step {i}: {err}");
    }
    let (code, _, err) = batch(root, &["--next", "--apply"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Every row of the batch is done"), "{err}");
}

#[test]
fn a_gate_that_blocks_in_the_middle_rolls_every_row_back() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    three(root);
    // `d` leans on a candidate module that is not in the batch: blocked.
    write_files(
        root,
        &[
            ("candidate/helpers.py", "X = 1\n"),
            (
                "candidate/d/__init__.py",
                "from candidate.helpers import X\n",
            ),
            (
                "batch.tsv",
                "candidate.c\tcore.c\ncandidate.b\tcore.b\ncandidate.d\tcore.d\ncandidate.a\tcore.a\n",
            ),
        ],
    );
    let before: Vec<_> = walk(root);
    let (code, out, err) = batch(root, &["--all", "--apply"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("row line 3 (candidate.d → core.d) is blocked"),
        "{err}"
    );
    assert!(out.contains("LANE001"), "{out}");
    assert_eq!(walk(root), before, "every row rolled back");
}

#[test]
fn a_dependency_cycle_is_an_error_that_names_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    three(root);
    write_files(
        root,
        &[(
            "candidate/c/base.py",
            "def one():\n    from candidate.a import run\n    return 1\n",
        )],
    );
    let (code, _, err) = batch(root, &["--status"]);
    assert_eq!(code, 2, "{err}");
    // miette wraps the message: compare it as one line.
    let err = err
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for row in [
        "line 2 (candidate.a → core.a)",
        "line 3 (candidate.b → core.b)",
        "line 4 (candidate.c → core.c)",
    ] {
        assert!(err.contains(row), "{row}: {err}");
    }
    let (code, _, err) = batch(root, &["--all", "--apply"]);
    assert_eq!(code, 2, "{err}");
    assert!(root.join("candidate/a/__init__.py").is_file());
}

/// Every path and content under `root`, sorted.
fn walk(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if p.is_dir() {
                out.push((format!("{rel}/"), Vec::new()));
                stack.push(p);
            } else {
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}
