//! Suppression directives end to end: the pack's blanket policy, the kinds
//! `report exceptions` lists, and SUP004's fix on lines ruff honours.

mod common;

use common::*;

fn pack(blanket: &str, rule_blanket: &str) -> String {
    format!(
        "[pack]\nname = \"team\"\n{blanket}\n[[rule]]\nid = \"TEAM001\"\nsummary = \"s\"\nseverity = \"error\"\n\
         message = \"print\"\nquery = \"(call function: (identifier) @f (#eq? @f \\\"print\\\")) @call\"\n{rule_blanket}\n"
    )
}

fn lint_with(pack_text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"builtin:t4\", \"team.toml\"]\n"),
            ("team.toml", pack_text),
            ("core/a.py", "print(1)  # noqa\n"),
        ],
    );
    let (code, out, err) = run_in(
        dir.path(),
        &["lint", "--select", "TEAM", "--format", "concise"],
    );
    (code, format!("{out}{err}"))
}

#[test]
fn a_pack_can_refuse_blanket_noqa() {
    let (code, out) = lint_with(&pack("", ""));
    assert_eq!(code, 0, "a blanket noqa silences by default: {out}");
    let (code, out) = lint_with(&pack("blanket_noqa = false", ""));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("TEAM001"), "{out}");
    let (code, out) = lint_with(&pack("blanket_noqa = false", "blanket_noqa = true"));
    assert_eq!(code, 0, "the rule's own setting wins: {out}");
    let (code, _) = lint_with(&pack("", "blanket_noqa = false"));
    assert_eq!(code, 1);
}

#[test]
fn report_exceptions_lists_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "core/a.py",
            "# ruff: file-ignore[RUN002] -- legacy plugin loader until=2099-01-01\n\
                 x = 1\nimport os  # noqa: E402 -- bootstrap until=2099-01-01\n\
                 # ruff: disable[E402] -- vendored block until=2099-01-01\nimport re\n\
                 # ruff: enable[E402]\neval('1')\n",
        )],
    );
    let (code, out, err) = run_in(
        dir.path(),
        &[
            "report",
            "exceptions",
            "--format",
            "json",
            "--today",
            "2026-01-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<(String, String, String)> = v["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["rule"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (kind, rule) in [("file", "RUN002"), ("noqa", "E402"), ("range", "E402")] {
        assert!(
            kinds.contains(&(kind.into(), rule.into(), "active".into())),
            "{kind} {rule}: {kinds:?}"
        );
    }
    let (code, out, _) = run_in(
        dir.path(),
        &["lint", "--format", "concise", "--today", "2026-01-01"],
    );
    assert_eq!(code, 0, "everything is suppressed: {out}");
}

#[test]
fn sup004_keeps_a_noqa_ruff_honours_on_a_continuation() {
    let dir = tempfile::tempdir().unwrap();
    let source = "x = 1\nimport os, \\\n    sys  # noqa: E402 -- why\n";
    write_files(dir.path(), &[("core/a.py", source)]);
    let (code, out, err) = run_in(dir.path(), &["lint", "--fix", "--format", "concise"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("core/a.py")).unwrap(),
        source
    );
}

#[test]
fn a_malformed_directive_suppresses_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("core/a.py", "x = 1\nimport os  # noqa:E402:\n")],
    );
    let (code, out, _) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 1);
    assert!(out.contains("core/a.py:2:1: E402"), "{out}");
    assert!(
        out.contains("SUP006") && out.contains("upper-case letters then digits"),
        "{out}"
    );
}

#[test]
fn select_sup_reports_an_expired_suppression_of_any_rule() {
    // The pre-commit hook of a TTL campaign runs `--select SUP`: an expired
    // `# noqa: E402` must fail it although E402 itself is not selected.
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "core/a.py",
            "x = 1\nimport os  # noqa: E402 -- bootstrap until=2026-01-31\n",
        )],
    );
    let lint = |today: &str| {
        run_in(
            dir.path(),
            &[
                "lint", "--select", "SUP", "--today", today, "--format", "concise",
            ],
        )
    };
    let (code, out, err) = lint("2026-02-01");
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!(out, @r"
    core/a.py:2:12: SUP002 suppression of E402 expired on 2026-01-31 (1 days ago); the finding is reported again
    Found 1 problem(s) (1 error(s), 0 warning(s)).
    ");
    let (code, out, _) = lint("2026-01-01");
    assert_eq!(code, 0, "{out}");
}
