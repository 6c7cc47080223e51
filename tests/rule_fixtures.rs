//! Per-rule fixtures, in the manner of ruff's `resources/test/fixtures`:
//! `tests/fixtures/rules/NAME.py` (or a folder `NAME/`, a project with its
//! own `rulegate.toml`) is linted with `--select NAME` and the findings are
//! snapshotted. The pack examples (`[[rule.tests]]`) stay the pack author's
//! tests; these pin the engine's behaviour on fuller inputs.

mod common;

use std::path::Path;

use common::*;

/// Lints `fixture` (a file or a project folder) with `--select select`.
fn lint_fixture(fixture: &Path, select: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    if fixture.is_dir() {
        copy_tree(fixture, dir.path());
    } else {
        let name = fixture.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(fixture).unwrap();
        write_files(dir.path(), &[(&format!("core/{name}"), &text)]);
    }
    let (code, out, err) = run_in(
        dir.path(),
        &[
            "lint",
            "--select",
            select,
            "--format",
            "concise",
            "--exit-zero",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn rule_fixtures() {
    let root = repo().join("tests/fixtures/rules");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "fixtures found: {names:?}");
    for name in names {
        let stem = name.trim_end_matches(".py");
        // The name is the selection: `E402+SUP` selects E402 and the SUP family.
        let out = lint_fixture(&root.join(&name), &stem.replace('+', ","));
        insta::assert_snapshot!(stem.to_string(), out);
    }
}
