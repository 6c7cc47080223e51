//! The TODO campaign's cleanup phases end to end (seed 002): obsolete TODOs,
//! conversion to issue links, and the before/after audit.

mod common;

use common::{run_in, write_files};

const CONFIG: &str = "packs = [\"builtin:t4\"]\n[lanes.production]\npaths = [\"lukhas/**\"]\n[lanes.candidate]\npaths = [\"candidate/**\"]\n";

fn campaign_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", CONFIG),
            ("lukhas/__init__.py", ""),
            ("lukhas/core.py", "class Scheduler:\n    pass\n"),
            ("docs/guide.md", ""),
            (
                "lukhas/app.py",
                "import lukhas.core\n\
                 # TODO[2026-01-15][PRIORITY:HIGH][OWNER:@ana][SCOPE:PROD] : migrate to the new scheduler\n\
                 x = 1  # FIXME[2026-01-15][PRIORITY:LOW][OWNER:@bo][SCOPE:PROD] : drop lukhas.legacy.shim\n\
                 # TODO(ana): use lukhas.core.old_helper and lukhas.core.Scheduler\n\
                 # TODO: update docs/old.md and docs/guide.md\r\n\
                 y = 2\n",
            ),
        ],
    );
    dir
}

#[test]
fn obsolete_todos_name_what_no_longer_exists() {
    let dir = campaign_repo();
    let (code, md, err) = run_in(
        dir.path(),
        &["report", "todos", "--obsolete", "--format", "md"],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("todos_obsolete_md", md);
    let (_, csv, _) = run_in(dir.path(), &["report", "todos", "--obsolete"]);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    // `--compare` and `--obsolete` are two reports.
    let (code, _, _) = run_in(
        dir.path(),
        &["report", "todos", "--obsolete", "--compare", "x.csv"],
    );
    assert_eq!(code, 2);
}

#[test]
fn link_replaces_mapped_todos_and_the_audit_counts_them_as_converted() {
    let dir = campaign_repo();
    let (_, before, err) = run_in(dir.path(), &["report", "todos", "--format", "csv"]);
    assert!(err.contains("debt score 11"), "{err}");
    std::fs::write(dir.path().join("before.csv"), &before).unwrap();
    let map = r#"[
        {"file": "lukhas/app.py", "line": 2, "url": "https://github.com/o/r/issues/553",
         "message": "migrate to the new scheduler"},
        {"file": "lukhas/app.py", "line": 5, "url": "https://github.com/o/r/issues/554"},
        {"file": "lukhas/app.py", "line": 6, "url": "https://github.com/o/r/issues/555"}
    ]"#;
    std::fs::write(dir.path().join("map.json"), map).unwrap();
    // A dry run shows the diff and writes nothing; line 6 has no TODO.
    let (code, diff, notes) = run_in(
        dir.path(),
        &["todos", "link", "--map", "map.json", "--diff"],
    );
    assert_eq!(code, 1, "{notes}");
    assert!(
        notes.contains("lukhas/app.py:6: no TODO there now"),
        "{notes}"
    );
    insta::assert_snapshot!("todos_link_diff", diff);
    let (code, _, notes) = run_in(dir.path(), &["todos", "link", "--map", "map.json"]);
    assert_eq!(code, 1, "{notes}");
    assert!(notes.contains("Replaced 2 of 3"), "{notes}");
    let text = std::fs::read_to_string(dir.path().join("lukhas/app.py")).unwrap();
    assert!(text.contains(
        "# See: https://github.com/o/r/issues/553 [2026-01-15][PRIORITY:HIGH][OWNER:@ana][SCOPE:PROD] : migrate to the new scheduler\n"
    ), "{text}");
    // The line keeps its own ending.
    assert!(
        text.contains(
            "# See: https://github.com/o/r/issues/554 : update docs/old.md and docs/guide.md\r\n"
        ),
        "{text}"
    );

    // One TODO deleted by hand, one added.
    let edited = text.replace(
        "x = 1  # FIXME[2026-01-15][PRIORITY:LOW][OWNER:@bo][SCOPE:PROD] : drop lukhas.legacy.shim\n",
        "x = 1\n# XXX[2026-02-01][PRIORITY:MED][OWNER:@cy][SCOPE:PROD] : new\n",
    );
    std::fs::write(dir.path().join("lukhas/app.py"), edited).unwrap();
    let (code, md, err) = run_in(dir.path(), &["report", "todos", "--compare", "before.csv"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("todos_compare_md", md);
    let (_, json, _) = run_in(
        dir.path(),
        &[
            "report",
            "todos",
            "--compare",
            "before.csv",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["converted"]["count"], 2);
    assert_eq!(v["deleted"]["count"], 1);
    assert_eq!(v["added"]["count"], 1);
    assert_eq!(
        (v["before"]["score"].clone(), v["after"]["score"].clone()),
        (11.into(), 3.into())
    );
}

#[test]
fn bad_maps_and_csv_files_are_clear_errors() {
    let dir = campaign_repo();
    std::fs::write(
        dir.path().join("map.json"),
        r#"[{"file": "/etc/passwd", "line": 1, "url": "u"}]"#,
    )
    .unwrap();
    let (code, _, err) = run_in(dir.path(), &["todos", "link", "--map", "map.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a path inside the project"), "{err}");
    // Two entries for one TODO: one replacement, and the run says so.
    let twice = r#"[{"file": "lukhas/app.py", "line": 2, "url": "https://x/1"},
                    {"file": "lukhas/app.py", "line": 2, "url": "https://x/2"}]"#;
    std::fs::write(dir.path().join("map.json"), twice).unwrap();
    let (code, _, err) = run_in(
        dir.path(),
        &["todos", "link", "--map", "map.json", "--diff"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Would replace 1 of 2"), "{err}");
    std::fs::write(dir.path().join("old.csv"), "a,b\n1,2\n").unwrap();
    let (code, _, err) = run_in(dir.path(), &["report", "todos", "--compare", "old.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("no `file` column"), "{err}");
    let (code, _, err) = run_in(
        dir.path(),
        &["report", "todos", "--compare", "old.csv", "--format", "csv"],
    );
    assert_eq!(code, 2, "{err}");
}
