//! The bugs issue 12 names, each reproduced: fixability of analyzer fixes,
//! no edit of a file with a syntax error, crashers that now exit 2 with a
//! message naming the key, and one file's panic kept to that file.

mod common;

use common::*;

#[test]
fn analyzer_fixes_are_reported_fixable() {
    let dir = example_copy("monorepo");
    let (code, out, err) = run_in(dir.path(), &["rules"]);
    assert_eq!(code, 0, "{err}");
    for id in ["LEG001", "STUB001", "SUP004"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} listed:\n{out}"));
        assert!(line.contains(" yes "), "{id} is fixable: {line}");
    }
    let (_, out, _) = run_in(dir.path(), &["explain", "LEG001"]);
    assert!(out.contains("Fixable: yes"), "{out}");
    let (_, out, _) = run_in(dir.path(), &["lint", "--format", "sarif", "--exit-zero"]);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules = &sarif["runs"][0]["tool"]["driver"]["rules"];
    let fixable = |id: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["properties"]["fixable"].clone())
    };
    assert_eq!(fixable("STUB001"), Some(serde_json::json!(true)));
    assert_eq!(fixable("LEG001"), Some(serde_json::json!(true)));
}

#[test]
fn a_file_with_a_syntax_error_is_never_edited() {
    let dir = tempfile::tempdir().unwrap();
    let source = "import os  # noqa: E402\n\n\nx = (1,\n";
    write_files(dir.path(), &[("a.py", source)]);
    let (code, out, err) = run_in(dir.path(), &["lint", "--fix", "--format", "concise"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("E999"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        source
    );
}

#[test]
fn a_non_ascii_target_version_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "target-version = \"pyé1\"\n"),
            ("a.py", "x = 1\n"),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["lint"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("target-version"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_huge_ttl_is_a_load_error_at_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let pack = "[pack]\nname = \"team\"\n[[rule]]\nid = \"T001\"\nsummary = \"s\"\nseverity = \"error\"\n\
        message = \"m\"\nquery = \"(identifier) @x\"\nsuppression = { ttl_days = 4000000000 }\n";
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"team.toml\"]\n"),
            ("team.toml", pack),
            ("a.py", "x = 1  # noqa: T001 EXCEPTION-20260101\n"),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["lint"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("ttl_days"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_analyzer_option_typo_points_at_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let pack = "[pack]\nname = \"team\"\n[[rule]]\nid = \"T001\"\nsummary = \"s\"\nseverity = \"error\"\n\
        message = \"m\"\nanalyzer = \"import-order\"\n[rule.options]\nalowed_assign_targets = []\n";
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"team.toml\"]\n"),
            ("team.toml", pack),
            ("a.py", "x = 1\n"),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["lint"]);
    assert_eq!(code, 2, "{out}{err}");
    // miette underlines the key's line, not the table header's.
    let marked = err
        .lines()
        .find(|l| l.contains("alowed_assign_targets = []"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(marked.contains("10 │") || marked.contains("10 |"), "{err}");
    assert!(err.contains("unknown field"), "{err}");
}

#[cfg(debug_assertions)]
#[test]
fn a_panic_in_one_file_is_one_finding_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a.py", "x = 1\nimport os\n"),
            ("b.py", "y = 1\nimport sys\n"),
        ],
    );
    let mut c = rulegate(dir.path());
    c.args(["lint", "--format", "concise"])
        .env("RULEGATE_TEST_PANIC_ON", "b.py");
    let (code, out, err) = run(c);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("a.py:2:1: E402"),
        "the other file is checked: {out}"
    );
    let internal: Vec<&str> = out.lines().filter(|l| l.contains("RG000")).collect();
    assert_eq!(internal.len(), 1, "{out}");
    assert!(internal[0].starts_with("b.py:"), "{out}");
    assert!(!out.contains("b.py:2:1: E402"), "{out}");
}
