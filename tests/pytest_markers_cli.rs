//! PYT001: unregistered pytest markers under strict markers, its two unsafe
//! fixes, what it says when plugins cannot be known, and an oracle against
//! real pytest `--strict-markers` when `RULEGATE_PYTEST_PYTHON` names a
//! Python that has pytest (`.ci/run` installs one into a throwaway venv).

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const TEST_FILE: &str = "import pytest\n\n\
@pytest.mark.skipf\ndef test_typo():\n    pass\n\n\
@pytest.mark.integration\ndef test_unregistered():\n    pass\n\n\
@pytest.mark.timeout(5)\ndef test_plugin():\n    pass\n\n\
@pytest.mark.slow\ndef test_registered():\n    pass\n";

/// A project with a strict pytest.ini, and a fake environment whose one
/// plugin registers `timeout` (when `venv`).
fn project(venv: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "pytest.ini",
                "[pytest]\naddopts = --strict-markers\nmarkers =\n    slow: takes long\n",
            ),
            ("tests/test_a.py", TEST_FILE),
        ],
    );
    if venv {
        let sp = ".venv/lib/python3.12/site-packages";
        write_files(
            dir.path(),
            &[
                (".venv/pyvenv.cfg", "home = /usr/bin\n"),
                (
                    &format!("{sp}/pytest_timeout-2.4.0.dist-info/entry_points.txt"),
                    "[pytest11]\ntimeout = pytest_timeout\n",
                ),
                (
                    &format!("{sp}/pytest_timeout.py"),
                    "def pytest_configure(config):\n    config.addinivalue_line(\n        \"markers\", \"timeout(timeout): set a timeout\"\n    )\n",
                ),
            ],
        );
    }
    dir
}

fn lint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut c = rulegate(dir);
    c.env_remove("VIRTUAL_ENV")
        .args(["lint", "--select", "PYT001", "--format", "concise"])
        .args(args);
    run(c)
}

#[test]
fn typos_are_renamed_and_other_markers_registered() {
    let dir = project(true);
    let (code, out, err) = lint(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(out, @r"
    tests/test_a.py:3:14: PYT001 pytest marker `skipf` is not registered, and pytest.ini makes unregistered markers a collection error; did you mean `skip`?
    tests/test_a.py:7:14: PYT001 pytest marker `integration` is not registered, and pytest.ini makes unregistered markers a collection error
    Found 2 problem(s) (2 error(s), 0 warning(s)).
    (2 more fix(es) available with `--unsafe-fixes`.)
    ");
    let (code, out, _) = lint(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out, @r"
    --- a/pytest.ini
    +++ b/pytest.ini
    @@ -2,3 +2,4 @@
     addopts = --strict-markers
     markers =
         slow: takes long
    +    integration: registered by rulegate (describe it)
    --- a/tests/test_a.py
    +++ b/tests/test_a.py
    @@ -1,6 +1,6 @@
     import pytest
     
    -@pytest.mark.skipf
    +@pytest.mark.skip
     def test_typo():
         pass
    ");
    let (code, _, err) = lint(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = lint(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn without_an_environment_only_typos_are_reported_and_it_says_why() {
    let dir = project(false);
    let (code, out, _) = lint(dir.path(), &[]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out, @r"
    tests/test_a.py:3:14: PYT001 pytest marker `skipf` is not registered, and pytest.ini makes unregistered markers a collection error; did you mean `skip`? (no Python environment found: installed plugins were not checked)
    Found 1 problem(s) (1 error(s), 0 warning(s)).
    (1 more fix(es) available with `--unsafe-fixes`.)
    ");
}

#[test]
fn a_config_change_is_seen_through_the_cache() {
    let dir = project(true);
    let cached = |dir: &Path| {
        let mut c = rulegate(dir);
        c.env_remove("VIRTUAL_ENV")
            .env_remove("RULEGATE_NO_CACHE")
            .args(["lint", "--select", "PYT001", "--format", "concise"]);
        run(c)
    };
    assert_eq!(cached(dir.path()).0, 1);
    write_files(
        dir.path(),
        &[("pytest.ini", "[pytest]\nmarkers =\n    slow: takes long\n")],
    );
    let (code, out, _) = cached(dir.path());
    assert_eq!(code, 0, "not strict any more\n{out}");
}

/// `strict_markers`/`strict` are pytest 9's keys: pytest 8 ignores them. They
/// count only where the project runs pytest >= 9, by its declarations, else
/// by the pytest installed in its environment, else by the config itself.
#[test]
fn the_ini_keys_count_only_under_pytest_nine() {
    let case = |files: &[(&str, &str)]| {
        let dir = tempfile::tempdir().unwrap();
        write_files(
            dir.path(),
            &[
                ("pytest.ini", "[pytest]\nstrict_markers = true\n"),
                (".venv/pyvenv.cfg", "home = /usr/bin\n"),
                (
                    "tests/test_a.py",
                    "import pytest\n\n@pytest.mark.integration\ndef test_x():\n    pass\n",
                ),
            ],
        );
        write_files(dir.path(), files);
        let (_, out, err) = lint(dir.path(), &[]);
        let found = out.contains("PYT001 pytest marker `integration` is not registered");
        (found, format!("{out}{err}"))
    };
    let sp = ".venv/lib/python3.12/site-packages";
    let installed = |v: &str| format!("{sp}/pytest-{v}.dist-info/METADATA");
    // Nothing says which pytest: not guessed.
    let (found, out) = case(&[]);
    assert!(!found, "{out}");
    // Declared: PEP 621, requirements, Poetry.
    let (found, out) = case(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\n[project.optional-dependencies]\ntest = [\"pytest>=9\"]\n",
    )]);
    assert!(found, "{out}");
    let (found, out) = case(&[("requirements-dev.txt", "pytest==8.4.2\n")]);
    assert!(!found, "{out}");
    let (found, out) = case(&[(
        "pyproject.toml",
        "[tool.poetry.group.dev.dependencies]\npytest = \"^9.0\"\n",
    )]);
    assert!(found, "{out}");
    // What the declarations say wins over what is installed.
    let (found, out) = case(&[
        ("requirements.txt", "pytest<9\n"),
        (&installed("9.0.1"), "Name: pytest\n"),
    ]);
    assert!(!found, "{out}");
    // Undeclared: the environment's pytest decides.
    let (found, out) = case(&[(&installed("9.0.1"), "Name: pytest\n")]);
    assert!(found, "{out}");
    let (found, out) = case(&[(&installed("8.4.2"), "Name: pytest\n")]);
    assert!(!found, "{out}");
    // The config needs pytest 9 itself.
    let (found, out) = case(&[(
        "pytest.ini",
        "[pytest]\nminversion = 9.0\nstrict_markers = true\n",
    )]);
    assert!(found, "{out}");
    // `addopts` is strict under every pytest, whatever is declared.
    let (found, out) = case(&[
        ("pytest.ini", "[pytest]\naddopts = --strict-markers\n"),
        ("requirements.txt", "pytest==8.4.2\n"),
    ]);
    assert!(found, "{out}");
}

/// A Python with pytest, if the CI provides one.
fn pytest_python() -> Option<String> {
    std::env::var("RULEGATE_PYTEST_PYTHON").ok()
}

/// The ini keys under the pytest that really runs (CI pins 8.4.2, which
/// ignores them; a pytest 9 reads them): rulegate, reading that pytest's
/// environment, agrees with it either way.
#[test]
fn the_ini_keys_agree_with_the_pytest_that_runs() {
    let Some(python) = pytest_python() else {
        eprintln!("RULEGATE_PYTEST_PYTHON not set: the pytest oracle is skipped");
        return;
    };
    let env = Path::new(&python)
        .parent()
        .and_then(Path::parent)
        .expect("a venv's bin/python")
        .to_path_buf();
    let configs = [
        ("pytest.ini", "[pytest]\nstrict_markers = true\n"),
        ("pytest.ini", "[pytest]\nstrict = true\n"),
        (
            "pyproject.toml",
            "[tool.pytest.ini_options]\nstrict_markers = true\n",
        ),
        ("tox.ini", "[pytest]\nstrict_markers = true\n"),
    ];
    for (name, text) in configs {
        let dir = tempfile::tempdir().unwrap();
        write_files(
            dir.path(),
            &[
                (name, text),
                (
                    "test_m.py",
                    "import pytest\n\n@pytest.mark.integration\ndef test_x():\n    pass\n",
                ),
            ],
        );
        let out = Command::new(&python)
            .current_dir(dir.path())
            .args([
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                "-p",
                "no:cacheprovider",
            ])
            .output()
            .expect("pytest runs");
        let log = String::from_utf8_lossy(&out.stdout).into_owned();
        let pytest_fails = log.contains("'integration' not found in `markers`");
        let mut c = rulegate(dir.path());
        c.env("VIRTUAL_ENV", &env).args([
            "lint",
            "--select",
            "PYT001",
            "--format",
            "concise",
            "--exit-zero",
        ]);
        let (_, ours, err) = run(c);
        assert_eq!(
            ours.contains("PYT001"),
            pytest_fails,
            "{name}: {text}\n{log}\n{ours}{err}"
        );
    }
}

#[test]
fn pyt001_agrees_with_pytest_strict_markers() {
    let Some(python) = pytest_python() else {
        eprintln!("RULEGATE_PYTEST_PYTHON not set: the pytest oracle is skipped");
        return;
    };
    // One module per marker (pytest stops a module at its first error),
    // under each config pytest reads; the environment is pytest's own.
    let markers = [
        "skip",
        "skipf",
        "xfail",
        "parametrise",
        "usefixtures",
        "slow",
        "db",
        "integration",
        "asyncio",
        "filterwarnings",
        "tryfirst",
    ];
    let configs = [
        (
            "pytest.ini",
            "[pytest]\naddopts = --strict-markers\nmarkers =\n    slow: x\n",
        ),
        (
            "pyproject.toml",
            // `strict_markers` is pytest 9's; `addopts` means the same to
            // every pytest the oracle may run (CI pins 8.4.2).
            "[tool.pytest.ini_options]\naddopts = \"--strict-markers\"\nmarkers = [\"slow: x\"]\n",
        ),
        (
            "tox.ini",
            "[pytest]\naddopts = -q --strict-markers\nmarkers = slow: x\n",
        ),
        (
            "setup.cfg",
            "[tool:pytest]\naddopts = --strict-markers\nmarkers =\n  slow: x\n",
        ),
    ];
    let env = Path::new(&python)
        .parent()
        .and_then(Path::parent)
        .expect("a venv's bin/python")
        .to_path_buf();
    for (name, text) in configs {
        let dir = tempfile::tempdir().unwrap();
        let mut files = vec![
            (name.to_string(), text.to_string()),
            (
                "conftest.py".to_string(),
                "def pytest_configure(config):\n    config.addinivalue_line(\"markers\", \"db: x\")\n"
                    .to_string(),
            ),
        ];
        for m in markers {
            files.push((
                format!("test_{m}.py"),
                format!("import pytest\n\n@pytest.mark.{m}\ndef test_x():\n    pass\n"),
            ));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        write_files(dir.path(), &refs);
        let out = Command::new(&python)
            .current_dir(dir.path())
            .args([
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                "-p",
                "no:cacheprovider",
            ])
            .output()
            .expect("pytest runs");
        let log = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut c = rulegate(dir.path());
        c.env("VIRTUAL_ENV", &env).args([
            "lint",
            "--select",
            "PYT001",
            "--format",
            "json",
            "--exit-zero",
        ]);
        let (_, json, err) = run(c);
        let found: Vec<serde_json::Value> = serde_json::from_str(&json).expect(&err);
        let failing = markers
            .iter()
            .filter(|m| log.contains(&format!("'{m}' not found in `markers`")))
            .count();
        assert!(failing > 0 && failing < markers.len(), "{name}: {log}");
        for m in markers {
            let pytest_fails = log.contains(&format!("'{m}' not found in `markers`"))
                || log.contains(&format!("Unknown '{m}' mark"));
            let ours = found.iter().any(|f| f["path"] == format!("test_{m}.py"));
            assert_eq!(ours, pytest_fails, "{name}: marker `{m}`\n{log}\n{json}");
        }
    }
}
