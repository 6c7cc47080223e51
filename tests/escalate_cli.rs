//! Staged enforcement (SPEC §4.9): a rule warns before its date, with the
//! date in its message, and blocks from the date on; bad schedules are load
//! errors that point at the TOML.

mod common;

use std::path::Path;

use common::*;

const CODE: &str = "x = 1\nimport os\n";

fn project(config_tail: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                &format!("packs = [\"builtin:t4\"]\n{config_tail}"),
            ),
            ("core/a.py", CODE),
        ],
    );
    dir
}

fn lint_on(dir: &Path, today: &str, format: &str) -> (i32, String, String) {
    let mut c = rulegate(dir);
    c.args([
        "lint", "--select", "E402", "--format", format, "--today", today,
    ]);
    run(c)
}

const SCHEDULE: &str = "[rules.E402]\nseverity = \"warning\"\nescalate = [{ on = \"2026-12-01\", severity = \"error\" }]\n";

#[test]
fn a_rule_warns_before_its_date_and_blocks_from_it() {
    let dir = project(SCHEDULE);
    let root = dir.path();
    // Before: a warning (exit 0) whose message says when it becomes an error.
    let (code, out, err) = lint_on(root, "2026-11-30", "concise");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("(becomes error on 2026-12-01)"), "{out}");
    let (_, json, _) = lint_on(root, "2026-11-30", "json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["severity"], "warning");
    // On the date and after: an error, exit 1, no note.
    for day in ["2026-12-01", "2026-12-31"] {
        let (code, out, _) = lint_on(root, day, "concise");
        assert_eq!(code, 1, "{day}: {out}");
        assert!(!out.contains("becomes"), "{out}");
        let (_, json, _) = lint_on(root, day, "json");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v[0]["severity"], "error");
        let (_, sarif, _) = lint_on(root, day, "sarif");
        assert!(sarif.contains("\"level\": \"error\""), "{sarif}");
    }
    // A cached run of yesterday does not answer for today.
    let mut c = rulegate(root);
    c.env_remove("RULEGATE_NO_CACHE")
        .args(["lint", "--select", "E402", "--today", "2026-11-30"]);
    assert_eq!(run(c).0, 0);
    let mut c = rulegate(root);
    c.env_remove("RULEGATE_NO_CACHE")
        .args(["lint", "--select", "E402", "--today", "2026-12-01"]);
    assert_eq!(run(c).0, 1);
    // `rules` shows the schedule.
    let mut c = rulegate(root);
    c.args(["rules"]).env("RULEGATE_TODAY", "2026-11-30");
    let (_, out, _) = run(c);
    let line = out.lines().find(|l| l.starts_with("E402")).unwrap();
    assert!(
        line.contains("warning") && line.ends_with("[escalates: error from 2026-12-01]"),
        "{line}"
    );
}

#[test]
fn a_pack_schedules_its_own_campaign_and_the_project_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let pack = "[pack]\nname = \"p\"\n[[rule]]\nid = \"P001\"\nseverity = \"info\"\nmessage = \"eval\"\nquery = \"(call function: (identifier) @f) @c\"\nwhere.f.in = [\"eval\"]\nescalate = [{ on = \"2026-06-01\", severity = \"warning\" }, { on = \"2027-01-01\", severity = \"error\" }]\n";
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"p.toml\"]\n"),
            ("p.toml", pack),
            ("a.py", "eval(1)\n"),
        ],
    );
    let lint = |today: &str| {
        let mut c = rulegate(dir.path());
        c.args(["lint", "--format", "concise", "--today", today]);
        run(c)
    };
    let (code, out, _) = lint("2026-07-01");
    assert_eq!(code, 0);
    assert!(
        out.contains("P001 eval (becomes error on 2027-01-01)"),
        "{out}"
    );
    assert!(out.contains("1 warning(s)"), "{out}");
    assert_eq!(lint("2027-01-01").0, 1);
    // The project's schedule replaces the pack's.
    std::fs::write(
        dir.path().join("rulegate.toml"),
        "packs = [\"p.toml\"]\n[rules.P001]\nescalate = [{ on = \"2028-01-01\", severity = \"error\" }]\n",
    )
    .unwrap();
    let (code, out, _) = lint("2027-06-01");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(becomes error on 2028-01-01)"), "{out}");
    // Long past: it works, and a warning says to write the severity plainly.
    let (code, _, err) = lint("2029-01-01");
    assert_eq!(code, 1);
    assert!(err.contains("the escalation of P001 is complete"), "{err}");
}

#[test]
fn bad_schedules_are_load_errors_with_spans() {
    for (name, tail) in [
        (
            "escalate_out_of_order",
            "[rules.E402]\nescalate = [{ on = \"2027-01-01\", severity = \"error\" }, { on = \"2026-12-01\", severity = \"warning\" }]\n",
        ),
        (
            "escalate_bad_date",
            "[rules.E402]\nescalate = [{ on = \"2026-02-30\", severity = \"error\" }]\n",
        ),
        (
            "escalate_bad_severity",
            "[rules.E402]\nescalate = [{ on = \"2026-12-01\", severity = \"fatal\" }]\n",
        ),
    ] {
        let dir = project(tail);
        let (code, out, err) = lint_on(dir.path(), "2026-11-30", "concise");
        assert_eq!(code, 2, "{name}: {out}{err}");
        let err = err.replace(&dir.path().display().to_string(), "[TMP]");
        insta::assert_snapshot!(name, err);
    }
}
