//! `rulegate lint --add-noqa [--reason TEXT]` (SPEC §1, issue 31): a
//! campaign freezes today's debt in the code, with its reason and the
//! policy's `until=`, on the lines ruff's noqa rules read, and a second run
//! changes nothing.

mod common;

use std::path::Path;

use common::*;

/// `TODAY` plus E402's TTL in `builtin:t4` (90 days).
const UNTIL: &str = "2027-02-19";

const E402_FILE: &str = "\"\"\"Doc.\"\"\"\nimport os\nx = 1\nimport re\n\
import sys  # noqa: F401\nimport json; y = \"\"\"\ninner\n\"\"\"\nimport a, \\\n    b\n";

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap()
}

fn compiles(dir: &Path, rel: &str) {
    python(
        dir,
        &format!("compile(open({rel:?}, 'rb').read(), {rel:?}, 'exec')"),
    );
}

#[test]
fn a_campaign_freezes_e402_with_its_reason_and_ttl() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("core/a.py", E402_FILE)]);
    let (code, _, err) = run_in(
        dir.path(),
        &[
            "lint",
            "--add-noqa",
            "--select",
            "E402",
            "--reason",
            "runtime import required",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Added 4 noqa directive(s) in 1 file(s)."),
        "{err}"
    );
    let tail = format!("-- runtime import required until={UNTIL}");
    let expected = format!(
        "\"\"\"Doc.\"\"\"\nimport os\nx = 1\nimport re  # noqa: E402 {tail}\n\
         import sys  # noqa: F401, E402 {tail}\nimport json; y = \"\"\"\ninner\n\"\"\"  # noqa: E402 {tail}\n\
         import a, \\\n    b  # noqa: E402 {tail}\n"
    );
    assert_eq!(read(dir.path(), "core/a.py"), expected);
    compiles(dir.path(), "core/a.py");

    // Suppressed, with nothing for the suppression audit to say.
    let (code, out, err) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert!(
        !out.contains("E402") && !out.contains("SUP00"),
        "{code} {out}{err}"
    );

    // A second run changes nothing.
    let (code, _, err) = run_in(
        dir.path(),
        &["lint", "--add-noqa", "--reason", "runtime import required"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Added 0 noqa directive(s)"), "{err}");
    assert_eq!(read(dir.path(), "core/a.py"), expected);
}

#[test]
fn crlf_and_bom_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}", E402_FILE.replace('\n', "\r\n"));
    write_files(dir.path(), &[("core/a.py", &text)]);
    let (code, _, err) = run_in(
        dir.path(),
        &["lint", "--add-noqa", "--select", "E402", "--reason", "r"],
    );
    assert_eq!(code, 0, "{err}");
    let bytes = std::fs::read(dir.path().join("core/a.py")).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM lost");
    let after = String::from_utf8(bytes).unwrap();
    assert_eq!(
        after.matches("\r\n").count(),
        after.matches('\n').count(),
        "a line lost its CRLF: {after:?}"
    );
    assert_eq!(after.matches("# noqa: ").count(), 4, "{after}");
    assert!(
        after.contains(&format!("import re  # noqa: E402 -- r until={UNTIL}\r\n")),
        "{after:?}"
    );
    compiles(dir.path(), "core/a.py");
    let (_, out, _) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert!(!out.contains("E402"), "{out}");
}

#[test]
fn without_a_reason_it_writes_what_ruff_writes_and_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("core/a.py", "x = 1\nimport os\n")]);
    let (code, _, err) = run_in(dir.path(), &["lint", "--add-noqa", "--select", "E402"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("SUP001") && err.contains("--reason"), "{err}");
    assert_eq!(
        read(dir.path(), "core/a.py"),
        format!("x = 1\nimport os  # noqa: E402 until={UNTIL}\n")
    );
    // The missing reason is left for SUP001 to report; E402 is suppressed.
    let (_, out, _) = run_in(dir.path(), &["lint", "--format", "concise"]);
    let rules: Vec<&str> = out.lines().filter_map(|l| l.split(' ').nth(1)).collect();
    assert!(
        rules.contains(&"SUP001") && !rules.contains(&"E402"),
        "{out}"
    );
    // Given later, the reason goes into the directive that lacks it only
    // when a code is added there: the suppressed line is left alone.
    let (code, _, err) = run_in(dir.path(), &["lint", "--add-noqa", "--reason", "r"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Added 0 noqa directive(s)"), "{err}");
}

#[test]
fn a_finding_inside_a_multi_line_string_is_suppressed_from_its_closing_line() {
    let dir = tempfile::tempdir().unwrap();
    let pack = "[pack]\nname = \"team\"\n[[rule]]\nid = \"TEAM001\"\nsummary = \"s\"\n\
                severity = \"error\"\nmessage = \"FIXME in a string\"\n\
                query = \"((string_content) @s (#match? @s \\\"FIXME\\\"))\"\n";
    let doc = "def f():\n    return \"\"\"\n    text\n    FIXME later\n    \"\"\"\n\n\n\
               s = 'FIXME \\\nmore'\n";
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"builtin:t4\", \"team.toml\"]\n"),
            ("team.toml", pack),
            ("core/d.py", doc),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(out.matches("TEAM001").count(), 2, "{code} {out}{err}");
    let (code, _, err) = run_in(dir.path(), &["lint", "--add-noqa", "--reason", "doc text"]);
    assert_eq!(code, 0, "{err}");
    // The triple-quoted string's closing line takes it; the line that ends
    // inside the single-quoted string is never edited.
    assert_eq!(
        read(dir.path(), "core/d.py"),
        "def f():\n    return \"\"\"\n    text\n    FIXME later\n    \"\"\"  # noqa: TEAM001 -- doc text\n\n\n\
         s = 'FIXME \\\nmore'\n"
    );
    assert!(
        err.contains("core/d.py:8: TEAM001 not suppressed: the line ends inside a string"),
        "{err}"
    );
    assert!(err.contains("Added 1 noqa directive(s)"), "{err}");
    compiles(dir.path(), "core/d.py");
    let (_, out, _) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(out.matches("TEAM001").count(), 1, "{out}");
    assert!(out.contains("core/d.py:8:"), "{out}");
}

#[test]
fn an_expired_suppression_is_not_renewed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "x = 1\nimport os  # noqa: E402 -- old until=2026-01-01\n";
    write_files(dir.path(), &[("core/a.py", text)]);
    let (code, _, err) = run_in(
        dir.path(),
        &["lint", "--add-noqa", "--select", "E402", "--reason", "r"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("core/a.py:2: E402: its suppression has expired"),
        "{err}"
    );
    assert_eq!(read(dir.path(), "core/a.py"), text);
}

#[test]
fn the_flags_conflict_where_they_would_mean_two_things() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("core/a.py", "x = 1\nimport os\n")]);
    for args in [
        &["lint", "--add-noqa", "--fix"][..],
        &["lint", "--reason", "r"][..],
        &["lint", "--add-noqa", "--reason", "two\nlines"][..],
    ] {
        let (code, _, err) = run_in(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
    assert_eq!(read(dir.path(), "core/a.py"), "x = 1\nimport os\n");
}

#[test]
fn a_file_with_a_syntax_error_is_not_edited() {
    let dir = tempfile::tempdir().unwrap();
    let text = "x = 1\nimport os\n\n\ndef f(:\n    pass\n";
    write_files(dir.path(), &[("core/a.py", text)]);
    let (code, _, err) = run_in(dir.path(), &["lint", "--add-noqa", "--reason", "r"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("core/a.py: has a syntax error (E999); no directive written"),
        "{err}"
    );
    assert!(err.contains("Added 0 noqa directive(s)"), "{err}");
    assert_eq!(read(dir.path(), "core/a.py"), text);
}
