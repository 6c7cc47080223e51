//! `rulegate report delta --baseline FILE`: per-rule counts against a
//! baseline, Markdown for the pull request or JSON, exit 1 on new errors.

mod common;

use common::*;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a.py", "x = 1\nimport os\nimport sys\n"),
            ("b.py", "y = 2\nimport re\n"),
        ],
    );
    let (code, _, err) = run_in(dir.path(), &["lint", "--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    dir
}

#[test]
fn an_unchanged_repository_passes() {
    let dir = setup();
    let (code, out, err) = run_in(
        dir.path(),
        &["report", "delta", "--baseline", "baseline.json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!(out, @r"
    # Findings against the baseline

    Baseline `baseline.json`: 3 finding(s); now 3: 0 new, 0 fixed, 3 remaining.

    Passed: no new findings.

    | rule | severity | baseline | now | change | new | fixed | remaining |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | E402 | error | 3 | 3 | 0 | 0 | 0 | 3 |
    ");
}

#[test]
fn a_new_error_fails_and_fixed_ones_are_counted() {
    let dir = setup();
    // One E402 fixed in a.py, one added in b.py.
    write_files(
        dir.path(),
        &[
            ("a.py", "import sys\nx = 1\nimport os\n"),
            ("b.py", "y = 2\nimport re\nimport json\n"),
        ],
    );
    let (code, out, err) = run_in(
        dir.path(),
        &["report", "delta", "--baseline", "baseline.json"],
    );
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!(out, @r"
    # Findings against the baseline

    Baseline `baseline.json`: 3 finding(s); now 3: 1 new, 1 fixed, 2 remaining.

    **Failed**: new findings at error severity.

    | rule | severity | baseline | now | change | new | fixed | remaining |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | E402 | error | 3 | 3 | 0 | 1 | 1 | 2 |

    ## New findings

    - `b.py:3:1` E402 (error): Module level import not at top of file
    ");
    let (code, out, _) = run_in(
        dir.path(),
        &[
            "report",
            "delta",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["failed"], true);
    assert_eq!(v["rules"][0]["rule"], "E402");
    assert_eq!(v["rules"][0]["fixed"], 1);
    assert_eq!(v["new"][0]["path"], "b.py");
}

#[test]
fn only_the_checked_files_are_judged() {
    let dir = setup();
    // A pre-commit run on a.py says nothing about b.py's entry.
    let (code, out, err) = run_in(
        dir.path(),
        &[
            "report",
            "delta",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "a.py",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["fixed"], 0, "{out}");
    assert_eq!(v["totals"]["remaining"], 2, "{out}");
}

#[test]
fn bad_baselines_and_formats_are_clear_errors() {
    let dir = setup();
    let (code, _, err) = run_in(dir.path(), &["report", "delta", "--baseline", "nope.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read baseline nope.json"), "{err}");
    let (code, _, err) = run_in(
        dir.path(),
        &[
            "report",
            "delta",
            "--baseline",
            "baseline.json",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no `csv` format"), "{err}");
    let (code, _, err) = run_in(dir.path(), &["report", "delta"]);
    assert_eq!(code, 2);
    assert!(err.contains("--baseline"), "{err}");
}
