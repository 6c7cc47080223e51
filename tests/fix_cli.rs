//! `--fix`, `--unsafe-fixes`, `--diff` and fix safety end to end.

mod common;

use common::*;

#[test]
fn safe_then_unsafe_fixes_converge() {
    let dir = example_copy("custom-pack");
    let file = dir.path().join("app/service.py");
    let before = std::fs::read_to_string(&file).unwrap();

    let (code, out, _) = run_in(dir.path(), &["lint", "--fix", "--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    let after_safe = std::fs::read_to_string(&file).unwrap();
    assert!(
        after_safe.contains("if value is None:") && after_safe.contains("print("),
        "{after_safe}"
    );
    assert!(out.contains("1 fixed"), "{out}");

    run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "--format", "concise"],
    );
    let after_unsafe = std::fs::read_to_string(&file).unwrap();
    assert!(
        after_unsafe.contains("logger.info(\"no value\")"),
        "{after_unsafe}"
    );
    assert_ne!(before, after_unsafe);

    // A second run changes nothing.
    let (code, out, _) = run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "--format", "concise"],
    );
    assert_eq!((code, out.as_str()), (0, "All checks passed!\n"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after_unsafe);
}

#[test]
fn diff_writes_nothing_and_exits_1() {
    let dir = example_copy("custom-pack");
    let file = dir.path().join("app/service.py");
    let before = std::fs::read_to_string(&file).unwrap();
    let (code, out, err) = run_in(dir.path(), &["lint", "--diff"]);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    insta::assert_snapshot!(out);
    assert!(err.contains("Would fix 1 problem(s) in 1 file(s)"), "{err}");
}

#[test]
fn crlf_and_bom_are_kept() {
    let dir = example_copy("custom-pack");
    let file = dir.path().join("app/win.py");
    std::fs::write(&file, "\u{feff}x = 1\r\nif x == None:\r\n    pass\r\n").unwrap();
    run_in(dir.path(), &["lint", "--fix", "app/win.py"]);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        "\u{feff}x = 1\r\nif x is None:\r\n    pass\r\n".as_bytes()
    );
}

#[test]
fn stdin_fix_prints_the_fixed_source() {
    let dir = example_copy("custom-pack");
    let mut c = rulegate(dir.path());
    c.args(["lint", "--fix", "--stdin-filename", "app/x.py"])
        .write_stdin("if a != None:\n    pass\n");
    let (code, out, _) = run(c);
    assert_eq!(code, 0);
    assert_eq!(out, "if a is not None:\n    pass\n");
}

#[test]
fn unused_suppressions_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "a.py",
            "import os  # noqa: E402 -- stale\nx = 1\nimport re  # noqa: E402, RUN001 -- one is stale\n",
        )],
    );
    run_in(dir.path(), &["lint", "--fix", "--format", "concise"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        "import os\nx = 1\nimport re  # noqa: E402 -- one is stale\n"
    );
}

const BREAKING_PACK: &str = r#"[pack]
name = "bad"
[[rule]]
id = "BAD001"
severity = "warning"
summary = "s"
message = "m"
query = "(call function: (identifier) @f) @c"
where.f.in = ["foo"]
fix = "foo("
[[rule]]
id = "BAD002"
severity = "warning"
summary = "s"
message = "m"
query = "(call function: (identifier) @f) @c"
where.f.in = ["bar"]
fix = { script = "spin.rhai" }
[[rule]]
id = "BAD003"
severity = "warning"
summary = "s"
message = "m"
query = "(call function: (identifier) @f) @c"
where.f.in = ["baz"]
fix = "qux()"
"#;

#[test]
fn breaking_fixes_are_rolled_back_and_failing_scripts_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"bad.toml\"]\n"),
            ("bad.toml", BREAKING_PACK),
            ("spin.rhai", "fn fix(m) {\n    loop { }\n}\n"),
            ("a.py", "foo()\nbar()\nbaz()\n"),
        ],
    );
    // Template fixes are unsafe unless marked safe.
    let (_, out, _) = run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "--format", "concise"],
    );
    // The syntax-breaking fix and the runaway script left the file alone;
    // the good fix was applied.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        "foo()\nbar()\nqux()\n"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn no_fix_in_a_file_region_that_did_not_parse() {
    let dir = example_copy("custom-pack");
    let file = dir.path().join("app/broken.py");
    std::fs::write(&file, "if x == None:\n    y = (\n").unwrap();
    let before = std::fs::read_to_string(&file).unwrap();
    let (_, out, _) = run_in(
        dir.path(),
        &["lint", "--fix", "--format", "concise", "app/broken.py"],
    );
    assert!(out.contains("E999"), "{out}");
    // The comparison parsed, so it may be fixed; the broken region is untouched.
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(after.ends_with("    y = (\n"), "{after}");
    assert_ne!(before.len(), 0);
}

#[test]
fn fixes_never_use_syntax_newer_than_the_target_python() {
    // tree-sitter parses PEP 701 f-strings, Python 3.11 does not: rewriting
    // the inner quotes of f"{x['k']}" must wait for target-version py312.
    let fixture = repo().join("tests/fixtures/fix-safety");
    for (target, expected) in [
        ("", "s = \"a\"\nt = f\"{x['k']}\"\n"),
        (
            "target-version = \"py312\"\n",
            "s = \"a\"\nt = f\"{x[\"k\"]}\"\n",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        for f in ["rewrites.toml", "quotes.rhai"] {
            std::fs::copy(fixture.join(f), dir.path().join(f)).unwrap();
        }
        write_files(
            dir.path(),
            &[
                (
                    "rulegate.toml",
                    &format!("packs = [\"rewrites.toml\"]\n{target}"),
                ),
                ("a.py", "s = 'a'\nt = f\"{x['k']}\"\n"),
            ],
        );
        let (_, out, _) = run_in(
            dir.path(),
            &["lint", "--fix", "--unsafe-fixes", "--format", "concise"],
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
            expected,
            "{target}{out}"
        );
        assert_eq!(out.contains("FIX002"), target.is_empty(), "{out}");
    }
}
