//! `rulegate report ...`: the audit and inventory reports.

mod common;

use common::{TODAY, repo, run_in, write_files};

#[test]
fn exceptions_report_markdown_and_json() {
    let dir = repo().join("examples/monorepo");
    let (code, md, err) = run_in(&dir, &["report", "exceptions"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("exceptions_md", md);
    let (code, json, _) = run_in(&dir, &["report", "exceptions", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["today"], TODAY);
    insta::assert_json_snapshot!("exceptions_json", v);
}

#[test]
fn exceptions_report_judges_against_the_given_date() {
    // The same comments, a year later: the expiring one has expired.
    let dir = repo().join("examples/monorepo");
    let (_, json, _) = run_in(
        &dir,
        &[
            "report",
            "exceptions",
            "--format",
            "json",
            "--today",
            "2027-12-01",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["exceptions"].as_array().unwrap();
    let at = |path: &str, line: u64| {
        rows.iter()
            .find(|r| r["path"] == path && r["line"] == line)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(at("core/app.py", 6), "expired");
    assert_eq!(at("rulegate.toml", 19), "expired");
}

#[test]
fn report_refuses_a_format_it_has_not() {
    let dir = repo().join("examples/monorepo");
    let (code, _, err) = run_in(&dir, &["report", "exceptions", "--format", "csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("no `csv` format"), "{err}");
}

#[test]
fn expired_and_unused_central_exceptions_point_into_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                r#"packs = ["builtin:t4"]

[[exceptions]]
rule = "E402"
path = "app/late.py"
reason = "migration window"
expires = "2026-06-30"

[[exceptions]]
rule = "E402"
path = "app/clean.py"
reason = "no longer needed"
expires = "2027-06-30"
"#,
            ),
            ("app/late.py", "x = 1\nimport os\n"),
            ("app/clean.py", "import os\n"),
        ],
    );
    let (code, out, _) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("app/late.py:2:1: E402"),
        "expired: the finding is back\n{out}"
    );
    assert!(out.contains("rulegate.toml:3:1: SUP002"), "{out}");
    assert!(out.contains("rulegate.toml:9:1: SUP004"), "{out}");
    let (_, md, _) = run_in(dir.path(), &["report", "exceptions"]);
    assert!(
        md.contains("| expired | E402 | exception | rulegate.toml:3 (covers `app/late.py`)"),
        "{md}"
    );
    assert!(
        md.contains("| unused | E402 | exception | rulegate.toml:9"),
        "{md}"
    );
}

#[test]
fn an_unused_central_exception_is_not_judged_when_its_file_was_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "[[exceptions]]\nrule = \"E402\"\npath = \"a.py\"\nreason = \"r\"\nexpires = \"2027-06-30\"\n",
            ),
            ("a.py", "import os\n"),
            ("b.py", "import os\n"),
        ],
    );
    let (code, out, _) = run_in(dir.path(), &["lint", "b.py", "--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("SUP004"), "{out}");
}

#[test]
fn todos_report_csv_and_json() {
    let dir = repo().join("examples/monorepo");
    let (code, csv, err) = run_in(&dir, &["report", "todos"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("todos_csv", csv);
    assert!(err.contains("debt score 14"), "{err}");
    let (_, json, _) = run_in(&dir, &["report", "todos", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["score"], 14);
    insta::assert_json_snapshot!("todos_json", v);
}

#[test]
fn todos_report_filters_by_lane_and_handles_zero() {
    let dir = repo().join("examples/monorepo");
    let (_, csv, _) = run_in(&dir, &["report", "todos", "--lane", "candidate"]);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("candidate/experiment.py"), "{csv}");
    let empty = tempfile::tempdir().unwrap();
    write_files(empty.path(), &[("a.py", "x = 1  # nothing left to do\n")]);
    let (code, json, _) = run_in(empty.path(), &["report", "todos", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
    assert_eq!(v["score"], 0);
    // A tag in any letter case counts, as ruff finds it (not in the form).
    write_files(empty.path(), &[("a.py", "x = 1  # todo in lowercase\n")]);
    let (_, json, _) = run_in(empty.path(), &["report", "todos", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["items"][0]["kind"], "TODO");
    assert_eq!(v["items"][0]["well_formed"], false);
}

#[test]
fn todos_report_needs_a_rule_that_feeds_it() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("rulegate.toml", "packs = []\n"), ("a.py", "# TODO: x\n")],
    );
    let (code, _, err) = run_in(dir.path(), &["report", "todos"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no active rule feeds the `todos` report"),
        "{err}"
    );
}

#[test]
fn the_todo_upgrade_fix_keeps_the_author_and_leaves_the_debt_score_alone() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "packs = [\"builtin:t4\"]\n[lanes.production]\npaths = [\"app/**\"]\n",
            ),
            (
                "app/a.py",
                "x = 1  # TODO(ana): retry\n# FIXME later\n# TODO[2026-01-01][PRIORITY:HIGH][OWNER:@bo][SCOPE:PROD] : real\n",
            ),
        ],
    );
    let score = || {
        let (_, json, err) = run_in(dir.path(), &["report", "todos", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).expect(&err);
        v
    };
    assert_eq!(score()["score"], 10);
    let (_, out, err) = run_in(
        dir.path(),
        &[
            "lint",
            "--select",
            "TODO001",
            "--fix",
            "--unsafe-fixes",
            "--today",
            TODAY,
        ],
    );
    assert!(out.contains("Fixed 2"), "{out}{err}");
    let text = std::fs::read_to_string(dir.path().join("app/a.py")).unwrap();
    assert_eq!(
        text,
        format!(
            "x = 1  # TODO[{TODAY}][PRIORITY:UNSET][OWNER:@ana][SCOPE:PROD] : retry\n\
             # FIXME[{TODAY}][PRIORITY:UNSET][OWNER:UNSET][SCOPE:PROD] : later\n\
             # TODO[2026-01-01][PRIORITY:HIGH][OWNER:@bo][SCOPE:PROD] : real\n"
        )
    );
    // Only the priority a person wrote counts; UNSET is listed as such.
    let v = score();
    assert_eq!(v["score"], 10);
    assert_eq!(v["by_priority"]["UNSET"], 2);
    assert_eq!(v["items"][0]["owner"], "@ana");
    // And nothing else complains about what the fix wrote.
    let (code, out, _) = run_in(
        dir.path(),
        &["lint", "--select", "TODO", "--format", "concise"],
    );
    assert_eq!(code, 0, "{out}");
}
