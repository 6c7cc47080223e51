//! ruff's conventions, because its users are ours (SPEC §1, §2): strict
//! selectors and their precedence, `[per-file-ignores]`, `[rules.ID]`
//! scopes, `extend`, one project per run, unused globs.

mod common;

use common::{run_in, write_files};

const LATE_IMPORT: &str = "import os\nx = 1\nimport sys\n";

fn lint(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["lint", "--no-cache", "--format", "concise"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

#[test]
fn unknown_selectors_are_errors_with_the_closest_id() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", LATE_IMPORT)]);
    for (args, bad, near) in [
        (&["--select", "E4O2"][..], "E4O2", Some("E402")),
        (&["--select", "e402x"][..], "e402x", Some("E402")),
        (&["--ignore", "RUN01"][..], "RUN01", Some("RUN001")),
        (&["--select", "E402,NOPE9"][..], "NOPE9", None),
        (&["--extend-select", "LEG01x"][..], "LEG01x", Some("LEG001")),
        (
            &["--extend-ignore", "TODO0007"][..],
            "TODO0007",
            Some("TODO001"),
        ),
    ] {
        let (code, out, err) = lint(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains(&format!("unknown rule selector `{bad}`")),
            "{err}"
        );
        if let Some(near) = near {
            assert!(err.contains(&format!("did you mean `{near}`?")), "{err}");
        }
        assert!(!out.contains("All checks passed"), "{out}");
    }
}

#[test]
fn the_more_specific_selector_wins() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", LATE_IMPORT)]);
    let (code, out, _) = lint(dir.path(), &["--select", "E402", "--ignore", "E4"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("a.py:3:1: E402"), "{out}");
    let (code, out, _) = lint(dir.path(), &["--select", "E4", "--ignore", "E402"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("E402"), "{out}");
    // --extend-select adds to the whole default selection, not replaces it.
    let (_, out, _) = lint(dir.path(), &["--ignore", "E", "--extend-select", "E402"]);
    assert!(out.contains("E402"), "{out}");
}

#[test]
fn per_file_ignores_take_rules_from_their_files() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "[per-file-ignores]\n\"tests/**\" = [\"E4\"]\n",
            ),
            ("a.py", LATE_IMPORT),
            ("tests/t.py", LATE_IMPORT),
        ],
    );
    let (code, out, err) = lint(dir.path(), &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("a.py:3:1: E402"), "{out}");
    assert!(!out.contains("tests/t.py"), "{out}");
    // A noqa for an ignored rule suppresses nothing there, and is not judged unused.
    write_files(
        dir.path(),
        &[(
            "tests/t.py",
            "import os\nx = 1\nimport sys  # noqa: E402 -- old\n",
        )],
    );
    let (_, out, _) = lint(dir.path(), &[]);
    assert!(!out.contains("tests/t.py"), "{out}");

    write_files(
        dir.path(),
        &[(
            "rulegate.toml",
            "[per-file-ignores]\n\"tests/**\" = [\"E4O2\"]\n",
        )],
    );
    let (code, _, err) = lint(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown rule selector `E4O2`") && err.contains("rulegate.toml:2:15"),
        "{err}"
    );
}

#[test]
fn a_config_scope_replaces_the_packs() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = "import matriz.core\n";
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "[lanes.production]\npaths = [\"core/**\"]\n[lanes.tests]\npaths = [\"tests/**\"]\n",
            ),
            ("core/a.py", legacy),
            ("tests/t.py", legacy),
            ("tools/x.py", legacy),
        ],
    );
    let (_, out, _) = lint(dir.path(), &["--select", "LEG001"]);
    assert!(out.contains("core/a.py:1:8: LEG001"), "{out}");
    assert!(
        !out.contains("tests/t.py") && !out.contains("tools/x.py"),
        "the pack's scope: {out}"
    );

    let config = "[lanes.production]\npaths = [\"core/**\"]\n[lanes.tests]\npaths = [\"tests/**\"]\n[rules.LEG001]\nlanes = [\"production\", \"tests\"]\npaths = [\"tools/**\"]\n";
    write_files(dir.path(), &[("rulegate.toml", config)]);
    let (_, out, _) = lint(dir.path(), &["--select", "LEG001"]);
    for f in ["core/a.py", "tests/t.py", "tools/x.py"] {
        assert!(out.contains(&format!("{f}:1:8: LEG001")), "{f}: {out}");
    }

    write_files(
        dir.path(),
        &[(
            "rulegate.toml",
            "[lanes.production]\npaths = [\"**\"]\n[rules.LEG001]\nlanes = [\"tests\"]\n",
        )],
    );
    let (code, _, err) = lint(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("tests"), "{err}");
}

#[test]
fn debugging_flags_show_what_a_run_will_do() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "exclude = [\"skip/**\"]\n[per-file-ignores]\n\"tests/**\" = [\"E4\"]\n",
            ),
            ("a.py", LATE_IMPORT),
            ("tests/t.py", LATE_IMPORT),
            ("skip/s.py", LATE_IMPORT),
        ],
    );
    let (code, out, _) = run_in(dir.path(), &["lint", "--show-settings"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("rulegate.toml") && out.contains("tests/**: E4"),
        "{out}"
    );
    assert!(out.contains("E402") && out.contains("skip/**"), "{out}");

    let (code, out, _) = run_in(dir.path(), &["lint", "--show-files"]);
    assert_eq!(code, 0);
    assert_eq!(out, "a.py\ntests/t.py\n");

    let (_, _, err) = run_in(
        dir.path(),
        &["lint", "-v", "--no-cache", "--format", "concise"],
    );
    assert!(
        err.contains("rulegate: config: ") && err.contains("rulegate: lint: 2 file(s) checked"),
        "{err}"
    );

    // `--output-format` is `--format`, as in ruff.
    let (_, out, _) = run_in(
        dir.path(),
        &["lint", "--no-cache", "--output-format", "json"],
    );
    assert!(out.trim_start().starts_with('['), "{out}");
    // Colour on request, whatever the terminal; never with --color never.
    let (_, out, _) = run_in(
        dir.path(),
        &[
            "lint",
            "--no-cache",
            "--format",
            "fancy",
            "--color",
            "always",
        ],
    );
    assert!(out.contains('\u{1b}'), "{out}");
    let mut c = common::rulegate(dir.path());
    c.args(["lint", "--no-cache", "--format", "fancy"])
        .env("FORCE_COLOR", "1");
    let (_, out, _) = common::run(c);
    assert!(out.contains('\u{1b}'), "FORCE_COLOR: {out}");
    let (_, out, _) = run_in(
        dir.path(),
        &[
            "lint",
            "--no-cache",
            "--format",
            "fancy",
            "--color",
            "never",
        ],
    );
    assert!(!out.contains('\u{1b}'), "{out}");
}

#[test]
fn a_run_that_finds_no_python_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("notes.txt", "x")]);
    let (code, _, err) = run_in(dir.path(), &["lint", "--no-cache"]);
    assert_eq!(code, 0);
    assert!(err.contains("No Python files found"), "{err}");
}

#[test]
fn completions_are_printed_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run_in(dir.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(
            out.contains("rulegate") && out.contains("lint"),
            "{shell}: {out}"
        );
    }
    let (code, _, _) = run_in(dir.path(), &["completions", "tcsh"]);
    assert_eq!(code, 2);
}

#[test]
fn one_run_checks_one_project() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a/rulegate.toml", "[lanes.production]\npaths = [\"**\"]\n"),
            ("a/x.py", "x = 1\n"),
            ("b/rulegate.toml", "[rules.E402]\nseverity = \"warning\"\n"),
            ("b/y.py", LATE_IMPORT),
        ],
    );
    // `lint b a` used to apply b's config to a's files.
    let (code, _, err) = lint(dir.path(), &["b", "a"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("b/rulegate.toml") && err.contains("a/rulegate.toml"),
        "{err}"
    );
    assert!(err.contains("one run checks one project"), "{err}");
    // One project at a time is fine, and --config makes it one project.
    let (code, _, _) = lint(dir.path(), &["b"]);
    assert_eq!(code, 0);
    let (code, out, err) = lint(dir.path(), &["--config", "b/rulegate.toml", "b", "a"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn extend_reads_the_base_first_and_this_file_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let base = "packs = [\"builtin:t4\", \"team.toml\"]\nextend-exclude = [\"gen/**\"]\n[lanes.production]\npaths = [\"**\"]\nmay_import = [\"production\"]\n[rules.E402]\nseverity = \"warning\"\n[per-file-ignores]\n\"legacy/**\" = [\"E402\"]\n[[exceptions]]\nrule = \"E402\"\npath = \"old.py\"\nreason = \"base\"\nexpires = 2026-01-01\n";
    let team = "[pack]\nname = \"team\"\n[[rule]]\nid = \"T001\"\nseverity = \"error\"\nmessage = \"no print\"\nquery = \"(call function: (identifier) @f (#eq? @f \\\"print\\\"))\"\n";
    write_files(
        dir.path(),
        &[
            ("base/rulegate.toml", base),
            ("base/team.toml", team),
            (
                "proj/rulegate.toml",
                "extend = \"../base/rulegate.toml\"\nextend-exclude = [\"skip/**\"]\n[rules.E402]\nenabled = true\n[lanes.tests]\npaths = [\"tests/**\"]\n",
            ),
            ("proj/a.py", "import os\nx = 1\nimport sys\nprint(x)\n"),
            ("proj/gen/g.py", LATE_IMPORT),
            ("proj/skip/s.py", LATE_IMPORT),
            ("proj/legacy/l.py", LATE_IMPORT),
            ("proj/old.py", "x = 1\n"),
        ],
    );
    let proj = dir.path().join("proj");
    let (code, out, err) = lint(&proj, &[]);
    assert_eq!(code, 1, "{out}{err}");
    // The base's severity, pack (beside the base), excludes and per-file ignores.
    assert!(out.contains("a.py:3:1: E402"), "{out}");
    assert!(out.contains("a.py:4:1: T001 no print"), "{out}");
    assert!(
        !out.contains("gen/") && !out.contains("skip/") && !out.contains("legacy/"),
        "{out}"
    );
    // The base's expired exception is reported in the base file.
    assert!(
        out.contains("base/rulegate.toml:") && out.contains("SUP002"),
        "{out}"
    );
    let (_, out, _) = run_in(&proj, &["lint", "--no-cache", "--format", "json"]);
    assert!(
        out.contains("\"rule\": \"E402\",\n    \"severity\": \"warning\""),
        "{out}"
    );

    let (_, settings, _) = run_in(&proj, &["lint", "--show-settings"]);
    assert!(
        settings.contains("extends ") && settings.contains("base/rulegate.toml"),
        "{settings}"
    );
    assert!(
        settings.contains("production: **") && settings.contains("tests: tests/**"),
        "{settings}"
    );

    // A cycle, and a base that does not exist, are errors at the `extend` key.
    write_files(
        dir.path(),
        &[(
            "base/rulegate.toml",
            &format!("extend = \"../proj/rulegate.toml\"\n{base}"),
        )],
    );
    let (code, _, err) = lint(&proj, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("`extend` makes a cycle"), "{err}");
    write_files(
        dir.path(),
        &[("proj/rulegate.toml", "extend = \"../nowhere.toml\"\n")],
    );
    let (code, _, err) = lint(&proj, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read the base config"), "{err}");
    // An error inside the base points into the base.
    write_files(
        dir.path(),
        &[
            ("proj/rulegate.toml", "extend = \"../base/rulegate.toml\"\n"),
            (
                "base/rulegate.toml",
                "[rules.NOPE1]\nseverity = \"warning\"\n",
            ),
        ],
    );
    let (code, _, err) = lint(&proj, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("base/rulegate.toml:1:") && err.contains("unknown rule id `NOPE1`"),
        "{err}"
    );
}

#[test]
fn globs_that_match_no_file_are_reported_in_whole_repository_runs() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "[per-file-ignores]\n\"tests/**\" = [\"E402\"]\n\"gone/**\" = [\"E402\"]\n[[exceptions]]\nrule = \"E402\"\npath = \"removed.py\"\nreason = \"was needed\"\nexpires = 2027-06-01\n",
            ),
            ("a.py", "x = 1\n"),
            ("tests/t.py", LATE_IMPORT),
        ],
    );
    let (_, out, err) = lint(dir.path(), &[]);
    assert!(
        out.contains("rulegate.toml:3:13: SUP004"),
        "the per-file ignore: {out}{err}"
    );
    assert!(
        out.contains("rulegate.toml:4:1: SUP004"),
        "the exception: {out}{err}"
    );
    assert!(
        !out.contains("rulegate.toml:2:"),
        "tests/** matches a file: {out}"
    );
    let (_, out, _) = run_in(dir.path(), &["report", "exceptions", "--format", "json"]);
    assert!(out.contains("\"unused\""), "{out}");
    // A run on some files only (pre-commit) does not judge this.
    let (_, out, _) = lint(dir.path(), &["a.py"]);
    assert!(!out.contains("SUP004"), "{out}");
}

#[test]
fn a_nested_config_under_a_walked_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "[lanes.production]\npaths = [\"**\"]\n"),
            ("a.py", "x = 1\n"),
            (
                "sub/rulegate.toml",
                "[rules.E402]\nseverity = \"warning\"\n",
            ),
            ("sub/b.py", LATE_IMPORT),
        ],
    );
    let (code, _, err) = lint(dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("sub/rulegate.toml") && err.contains("one run checks one project"),
        "{err}"
    );
    // Each project alone, or one config for all, is fine.
    assert_eq!(lint(&dir.path().join("sub"), &[]).0, 0);
    assert_eq!(lint(dir.path(), &["--config", "rulegate.toml"]).0, 1);
}
