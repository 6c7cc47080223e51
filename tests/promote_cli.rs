//! `rulegate promote` on a fixture monorepo (`tests/fixtures/promote`): the
//! gate blocks a module that leans on the candidate lane and passes a clean
//! one; `--apply` moves it and rewrites every reference form, after which the
//! fixture's own tests pass (through real pytest when `RULEGATE_PYTEST_PYTHON`
//! names a Python that has it, else `python3 -m unittest`), LANE001 is gone,
//! and a second `--apply` exits 2; `--shim` keeps the old path working, with
//! a DeprecationWarning.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// Runs the fixture's test suite; (passed, output).
fn suite(dir: &Path) -> (bool, String) {
    let (py, args): (String, Vec<&str>) = match std::env::var("RULEGATE_PYTEST_PYTHON") {
        Ok(py) => (py, vec!["-m", "pytest", "-q", "-p", "no:cacheprovider"]),
        Err(_) => (
            "python3".into(),
            vec!["-m", "unittest", "discover", "-s", "tests"],
        ),
    };
    let out = Command::new(py)
        .current_dir(dir)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `rulegate promote candidate.clean --to core.clean` with `extra` arguments.
fn promote_clean(root: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["promote", "candidate.clean", "--to", "core.clean"];
    args.extend_from_slice(extra);
    run_in(root, &args)
}

#[test]
fn the_gate_blocks_a_module_that_leans_on_candidate_and_passes_a_clean_one() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    let (code, out, err) = run_in(root, &["promote", "candidate.dirty", "--to", "core.dirty"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("**Verdict: blocked**"), "{out}");
    assert!(
        out.contains("`core/dirty/__init__.py:2:6` LANE001 (error): lane `production` may not import `candidate.helpers`"),
        "{out}"
    );
    assert!(
        out.contains("**lane `labs` may not import `production`**"),
        "{out}"
    );
    let (code, out, err) = run_in(root, &["promote", "candidate/clean", "--to", "core.clean"]);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!(out);
    let (code, out, _) = promote_clean(root, &["--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["moves"].as_array().unwrap().len(), 3);
    assert_eq!(v["importers"].as_array().unwrap().len(), 3);
    // Nothing changed on disk.
    assert!(root.join("candidate/clean/engine.py").is_file());
}

#[test]
fn apply_moves_the_package_and_rewrites_every_reference() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    let (passed, log) = suite(root);
    assert!(passed, "{log}");
    let (code, out, _) = run_in(root, &["lint", "--format", "concise", "--exit-zero"]);
    assert_eq!(code, 0);
    assert!(out.contains("core/app.py:2:8: LANE001"), "{out}");

    let (code, diff, err) = promote_clean(root, &["--diff"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        diff.contains("rename from candidate/clean/engine.py\nrename to core/clean/engine.py"),
        "{diff}"
    );
    assert!(
        root.join("candidate/clean/engine.py").is_file(),
        "--diff writes nothing"
    );

    let (code, _, err) = promote_clean(root, &["--apply"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("3 file(s) moved, 3 file(s) rewritten"),
        "{err}"
    );
    assert!(
        !root.join("candidate/clean").exists(),
        "the old package is gone"
    );
    for f in [
        "core/clean/__init__.py",
        "core/clean/engine.py",
        "core/clean/util.py",
    ] {
        assert!(root.join(f).is_file(), "{f}");
    }
    let tests = std::fs::read_to_string(root.join("tests/test_clean.py")).unwrap();
    for form in [
        "import core.clean.engine",
        "from core import clean",
        "from core.clean import run",
        "importlib.import_module(\"core.clean.util\")",
        "mock.patch(\"core.clean.engine.helper\"",
        "@mock.patch(\"core.clean.util.helper\")",
        "core.clean.engine.dump()",
    ] {
        assert!(tests.contains(form), "{form} in\n{tests}");
    }
    let parent = std::fs::read_to_string(root.join("candidate/__init__.py")).unwrap();
    assert!(
        // The name stays bound in the old parent, so `__all__` keeps it.
        parent.contains("from core import clean")
            && parent.contains("__all__ = [\"clean\", \"helpers\"]"),
        "{parent}"
    );
    let (passed, log) = suite(root);
    assert!(passed, "{log}");
    let (code, out, _) = run_in(root, &["lint", "--format", "concise"]);
    assert_eq!(code, 0, "LANE001 of the old importer is gone: {out}");
    // The module is not there any more.
    let (code, _, err) = promote_clean(root, &["--apply"]);
    assert_eq!(code, 2, "{err}");
}

/// The strings `--apply` rewrites are in the import and patch calls
/// (`mock.patch` forms, `monkeypatch.setattr`) and in the calls a `check =
/// "lanes"` rule lists in `module_string_calls`.
#[test]
fn a_lanes_rule_names_the_calls_whose_strings_are_rewritten() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    let patched = "mock.patch(\"core.clean.engine.helper\"";
    let team = "import team\nteam.patch(\"candidate.clean.util.helper\")\n";
    std::fs::write(root.join("tests/test_team.py"), team).unwrap();
    let rewritten = "+team.patch(\"core.clean.util.helper\")";
    let (code, diff, err) = promote_clean(root, &["--diff"]);
    assert_eq!(code, 0, "{err}");
    assert!(diff.contains(patched), "{diff}");
    assert!(!diff.contains(rewritten), "{diff}");
    let config = std::fs::read_to_string(root.join("rulegate.toml")).unwrap();
    let config = config.replace(
        "packs = [\"builtin:t4\"]",
        "packs = [\"builtin:t4\", \"team.toml\"]",
    );
    std::fs::write(root.join("rulegate.toml"), config).unwrap();
    std::fs::write(
        root.join("team.toml"),
        "[pack]\nname = \"team\"\n[[rule]]\nid = \"TEAM01\"\nseverity = \"info\"\n\
         message = \"m\"\nanalyzer = \"imports\"\noptions.check = \"lanes\"\n\
         options.module_string_calls = [\"team.patch\"]\n",
    )
    .unwrap();
    let (code, diff, err) = promote_clean(root, &["--diff"]);
    assert_eq!(code, 0, "{err}");
    assert!(diff.contains("rename to core/clean/engine.py"), "{diff}");
    assert!(diff.contains(patched), "{diff}");
    assert!(diff.contains(rewritten), "{diff}");
}

#[test]
fn a_shim_keeps_the_old_path_with_a_deprecation_warning() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    let (code, _, err) = promote_clean(root, &["--apply", "--shim"]);
    assert_eq!(code, 0, "{err}");
    python(
        root,
        "import warnings\n\
         with warnings.catch_warnings(record=True) as caught:\n\
         \x20   warnings.simplefilter('always')\n\
         \x20   import candidate.clean.engine\n\
         \x20   from candidate.clean import run\n\
         assert run() == 42 and candidate.clean.engine.dump() == '42'\n\
         import core.clean\n\
         assert candidate.clean is core.clean\n\
         assert any(issubclass(w.category, DeprecationWarning) and 'core.clean' in str(w.message) for w in caught), caught\n",
    );
    // DST exists now: a second promotion is refused.
    let (code, _, err) = promote_clean(root, &["--apply"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn nothing_is_written_when_a_rewritten_file_would_not_parse() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    // An importer that does not parse cannot be rewritten: the move is refused.
    std::fs::write(
        root.join("core/broken.py"),
        "import candidate.clean\nx = (\n",
    )
    .unwrap();
    let (code, _, err) = promote_clean(root, &["--apply"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("core/broken.py"), "{err}");
    assert!(root.join("candidate/clean/engine.py").is_file());
    assert!(!root.join("core/clean").exists());
}
