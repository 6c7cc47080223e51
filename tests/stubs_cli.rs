//! STUB001's fix and `rulegate stubs --from-pytest`, checked by importing the
//! result with the real Python.

mod common;

use common::*;

#[test]
fn monorepo_stubs_make_the_consumer_importable_and_are_idempotent() {
    let dir = example_copy("monorepo");
    let fix = [
        "lint",
        "--fix",
        "--unsafe-fixes",
        "--select",
        "STUB001",
        "--format",
        "concise",
    ];
    let (_, out, err) = run_in(dir.path(), &fix);
    assert!(out.contains("Fixed 5 problem(s)"), "{out}{err}");
    python(
        dir.path(),
        "import serve.awareness as a, lukhas.consciousness as c; a.build(); \
         assert c.AlertLevel.UNKNOWN.value == 'unknown'; assert c.__all__.count('MAX_DEPTH') == 1",
    );
    let (code, diff, _) = run_in(
        dir.path(),
        &["lint", "--diff", "--unsafe-fixes", "--select", "STUB001"],
    );
    assert_eq!(code, 0, "a second run changes nothing:\n{diff}");
}

#[test]
fn enum_import_tuple_all_and_targets_that_get_no_fix() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("pkg/__init__.py", ""),
            (
                "pkg/levels.py",
                "\"\"\"Levels.\"\"\"\nimport os\n\n__all__ = (\"BASE\",)\nBASE = os.sep\n",
            ),
            ("pkg/bridge.py", "import sys\nglobals()['Dynamic'] = 1\n"),
            ("pkg/broken.py", "def f(:\n"),
            (
                "app.py",
                "from pkg.levels import AlertLevel, RiskLevel\nfrom pkg.bridge import Dynamic\nfrom pkg.broken import f\n",
            ),
        ],
    );
    let (_, out, _) = run_in(
        dir.path(),
        &["lint", "--select", "STUB001", "--format", "concise"],
    );
    assert_eq!(
        out.matches("STUB001").count(),
        2,
        "unknowable and unparseable targets are skipped\n{out}"
    );
    run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "--select", "STUB001"],
    );
    let levels = std::fs::read_to_string(dir.path().join("pkg/levels.py")).unwrap();
    assert_eq!(
        levels.matches("from enum import Enum").count(),
        1,
        "{levels}"
    );
    assert!(
        levels.starts_with("\"\"\"Levels.\"\"\"\nimport os\nfrom enum import Enum\n"),
        "{levels}"
    );
    assert!(levels.contains("__all__ += (\"RiskLevel\",)"), "{levels}");
    python(
        dir.path(),
        "import pkg.levels as l; assert l.__all__ == ('BASE', 'AlertLevel', 'RiskLevel'); l.RiskLevel.DEFAULT",
    );
}

#[test]
fn stubs_from_a_captured_pytest_log() {
    let dir = example_copy("monorepo");
    let log = repo().join("tests/fixtures/stubs/pytest-collect.txt");
    let log = log.to_str().unwrap();
    let (code, diff, err) = run_in(dir.path(), &["stubs", "--from-pytest", log]);
    assert_eq!(code, 1, "{err}");
    assert!(diff.contains("+class AlertLevel(Enum):"), "{diff}");
    assert!(
        err.contains("skipped `nothing_here` from `json`: not a module of this repository"),
        "{err}"
    );
    let untouched = std::fs::read_to_string(dir.path().join("lukhas/consciousness.py")).unwrap();
    assert!(!untouched.contains("AlertLevel"), "--diff writes nothing");
    let (code, _, err) = run_in(dir.path(), &["stubs", "--from-pytest", log, "--fix"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Added 0 bridge module(s) and 1 stub(s); 1 file(s) changed."),
        "{err}"
    );
    python(
        dir.path(),
        "from lukhas.consciousness import AlertLevel; AlertLevel.UNKNOWN",
    );
    let (code, _, err) = run_in(dir.path(), &["stubs", "--from-pytest", log, "--fix"]);
    assert_eq!(code, 0);
    // The log is older than the stub: rulegate does not claim pytest was wrong.
    assert!(
        err.contains("lukhas/consciousness.py binds it at run time on py310 now; if pytest still cannot import it, the cause is elsewhere"),
        "{err}"
    );
}
