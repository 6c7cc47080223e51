//! `rulegate lint` end to end: formats, exit codes, walking, odd files.

mod common;

use common::*;

#[test]
fn monorepo_concise() {
    let dir = repo().join("examples/monorepo");
    let (code, out, _) = run_in(&dir, &["lint", "--format", "concise"]);
    assert_eq!(code, 1, "error findings remain");
    insta::assert_snapshot!(out);
}

#[test]
fn monorepo_json_is_sorted_and_complete() {
    let dir = repo().join("examples/monorepo");
    let (_, out, _) = run_in(&dir, &["lint", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<(String, u64, u64, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    insta::assert_snapshot!(out);
}

#[test]
fn monorepo_github_and_fancy() {
    let dir = repo().join("examples/monorepo");
    insta::assert_snapshot!(
        "github",
        run_in(&dir, &["lint", "--format", "github", "serve"]).1
    );
    insta::assert_snapshot!(
        "fancy",
        run_in(&dir, &["lint", "--format", "fancy", "core/app.py"]).1
    );
}

#[test]
fn statistics_and_exit_zero() {
    let dir = repo().join("examples/monorepo");
    let (code, out, _) = run_in(&dir, &["lint", "--statistics", "--exit-zero"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn select_and_ignore_by_prefix() {
    let dir = repo().join("examples/monorepo");
    let (_, out, _) = run_in(
        &dir,
        &[
            "lint", "--format", "concise", "--select", "SUP", "--ignore", "SUP00",
        ],
    );
    assert!(
        out.lines()
            .all(|l| !l.contains(": SUP00") && !l.contains(": E402")),
        "{out}"
    );
    let (_, out, _) = run_in(&dir, &["lint", "--format", "concise", "--select", "E402"]);
    assert!(out.contains(": E402 ") && !out.contains("RUN00"), "{out}");
}

#[test]
fn warnings_only_exit_zero_and_clean_files_pass() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[("a.py", "import sys\nsys.path.append('x')\n")],
    );
    let (code, out, _) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("RUN001"));
    write_files(dir.path(), &[("a.py", "import sys\n")]);
    let (code, out, _) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!((code, out.as_str()), (0, "All checks passed!\n"));
}

#[test]
fn odd_files_get_diagnostics_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("empty.py", ""),
            ("broken.py", "import os\ndef f(:\n    pass\n"),
        ],
    );
    std::fs::write(
        dir.path().join("latin1.py"),
        b"# coding: latin-1\nx = '\xe9'\nimport os\n",
    )
    .unwrap();
    let big = "import os\n".to_string() + &"x = 1\n".repeat(200_000) + "import sys\n";
    std::fs::write(dir.path().join("huge.py"), big).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("missing.py", dir.path().join("dangling.py")).unwrap();
    let (code, out, err) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn parallel_output_equals_single_thread() {
    let dir = repo().join("examples/monorepo");
    let mut one = rulegate(&dir);
    one.args(["lint", "--format", "json", "--threads", "1"]);
    let mut many = rulegate(&dir);
    many.args(["lint", "--format", "json", "--threads", "4"]);
    assert_eq!(run(one).1, run(many).1);
}

#[test]
fn explicit_files_bypass_excludes_unless_forced() {
    let dir = repo().join("examples/monorepo");
    assert!(
        run_in(
            &dir,
            &["lint", "--format", "concise", "core/vendored/old.py"]
        )
        .1
        .contains("core/vendored/old.py:2:1: E402")
    );
    assert_eq!(
        run_in(
            &dir,
            &[
                "lint",
                "--format",
                "concise",
                "--force-exclude",
                "core/vendored/old.py",
            ]
        )
        .1,
        "All checks passed!\n"
    );
    assert!(
        !run_in(&dir, &["lint", "--format", "concise", "."])
            .1
            .contains("vendored/")
    );
}

#[test]
fn stdin_is_linted_as_the_given_path() {
    let dir = repo().join("examples/monorepo");
    let mut c = rulegate(&dir);
    c.args([
        "lint",
        "--format",
        "concise",
        "--stdin-filename",
        "candidate/x.py",
    ])
    .write_stdin("x = 1\nimport os\n");
    assert_eq!(run(c).1, "All checks passed!\n", "candidate lane is exempt");
    let mut c = rulegate(&dir);
    c.args([
        "lint",
        "--format",
        "concise",
        "--stdin-filename",
        "core/x.py",
    ])
    .write_stdin("x = 1\nimport os\n");
    assert!(run(c).1.starts_with("core/x.py:2:1: E402"));
}

#[test]
fn config_is_discovered_from_the_first_path() {
    let dir = repo();
    let mut c = rulegate(&dir);
    c.args([
        "lint",
        "--format",
        "concise",
        "examples/monorepo/candidate/experiment.py",
    ]);
    // candidate lane comes from examples/monorepo/rulegate.toml: nothing to report.
    assert_eq!(run(c).1, "All checks passed!\n");
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", "x = eval('1')\n")]);
    let (code, out, _) = run_in(
        dir.path(),
        &["lint", "--format", "json", "--output-file", "out.json"],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(v[0]["rule"], "RUN002");
}
