//! `rulegate promote --apply` you can trust (SPEC §4.8): the gate guards the
//! move (`--force --reason` overrides it, into the audit log); every write
//! is one transaction (a read-only importer leaves every byte as it was; a
//! kill at the k-th rename is rolled back by the next run); every file of
//! the package moves; clear refusals; a package shim that aliases each
//! submodule once; `[promote.criteria]` in the gate.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Every file under `root` (links as their target text), by path.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let kind = e.file_type().unwrap();
            if kind.is_symlink() {
                let to = std::fs::read_link(&p).unwrap();
                out.insert(rel, to.display().to_string().into_bytes());
            } else if kind.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn apply_clean(root: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "promote",
        "candidate.clean",
        "--to",
        "core.clean",
        "--apply",
    ];
    args.extend_from_slice(extra);
    run_in(root, &args)
}

fn audit_lines(root: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(root.join("promotion-audit.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_blocked_gate_changes_nothing_and_force_records_the_reason() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    let before = tree(root);
    let args = [
        "promote",
        "candidate.dirty",
        "--to",
        "core.dirty",
        "--apply",
    ];
    let (code, out, err) = run_in(root, &args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("**Verdict: blocked**"), "{out}");
    assert!(err.contains("--force --reason"), "{err}");
    assert_eq!(tree(root), before, "nothing changed");

    let (code, _, err) = run_in(root, &[&args[..], &["--force"]].concat());
    assert_eq!(code, 2, "--force needs --reason: {err}");
    let forced = [&args[..], &["--force", "--reason", "pairing with #12"]].concat();
    let (code, _, err) = run_in(root, &forced);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("reason: pairing with #12"), "{err}");
    assert!(root.join("core/dirty/__init__.py").is_file());
    let lines = audit_lines(root);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let l = &lines[0];
    assert_eq!(l["src"], "candidate.dirty");
    assert_eq!(l["dst"], "core.dirty");
    assert_eq!(l["verdict"], "blocked");
    assert_eq!(l["forced"], true);
    assert_eq!(l["reason"], "pairing with #12");
    assert_eq!(l["moved"][0]["to"], "core/dirty/__init__.py");
    assert!(l["time"].as_str().unwrap().ends_with('Z'), "{l}");
}

#[cfg(unix)]
#[test]
fn a_read_only_importer_leaves_every_byte_as_it_was_and_the_move_can_be_retried() {
    use std::os::unix::fs::PermissionsExt;
    let dir = fixture_copy("promote");
    let root = dir.path();
    let importer = root.join("tests/test_clean.py");
    std::fs::set_permissions(&importer, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = tree(root);
    let (code, _, err) = apply_clean(root, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("tests/test_clean.py is read-only"),
        "the file is named: {err}"
    );
    assert_eq!(tree(root), before, "every byte as it was");
    std::fs::set_permissions(&importer, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, err) = apply_clean(root, &[]);
    assert_eq!(code, 0, "the move can be retried: {err}");
    assert!(root.join("core/clean/engine.py").is_file());
    assert_eq!(audit_lines(root).len(), 1);
}

/// `RULEGATE_TEST_KILL_AT_RENAME=K` aborts the commit after its K-th
/// rename (debug builds only); the next run, whatever the command, rolls
/// the journal back and says so, and the move can be made again.
#[test]
fn a_kill_at_the_kth_rename_is_rolled_back_by_the_next_run() {
    if !cfg!(debug_assertions) {
        return; // release builds ignore the fault-injection variable
    }
    let mut killed = 0;
    for k in [1, 2, 5, 8, 11, 14] {
        let dir = fixture_copy("promote");
        let root = dir.path();
        let before = tree(root);
        let mut c = rulegate(root);
        c.args([
            "promote",
            "candidate.clean",
            "--to",
            "core.clean",
            "--apply",
        ])
        .env("RULEGATE_TEST_KILL_AT_RENAME", k.to_string());
        let (code, _, err) = run(c);
        if code == 0 {
            continue; // fewer renames than k: the move completed
        }
        killed += 1;
        assert!(err.contains(&format!("aborting after rename {k}")), "{err}");
        assert!(root.join(".rulegate-journal/journal.json").is_file());
        let (code, _, err) = run_in(root, &["rules"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("was rolled back"), "k={k}: {err}");
        assert_eq!(tree(root), before, "k={k}: every byte as before");
        let (code, _, err) = apply_clean(root, &[]);
        assert_eq!(code, 0, "k={k}: the move can be made again: {err}");
        assert!(!root.join(".rulegate-journal").exists());
    }
    assert!(killed >= 5, "the kills happened ({killed})");
}

/// `RULEGATE_TEST_FAIL_AT_RENAME=K` makes the K-th rename fail as a full
/// disk would (debug builds only): the run rolls back at once, exits 2, and
/// the move can be retried.
#[test]
fn a_failure_in_the_middle_of_the_commit_rolls_back_at_once() {
    if !cfg!(debug_assertions) {
        return;
    }
    for k in [1, 4, 9, 13] {
        let dir = fixture_copy("promote");
        let root = dir.path();
        let before = tree(root);
        let mut c = rulegate(root);
        c.args([
            "promote",
            "candidate.clean",
            "--to",
            "core.clean",
            "--apply",
        ])
        .env("RULEGATE_TEST_FAIL_AT_RENAME", k.to_string());
        let (code, _, err) = run(c);
        assert_eq!(code, 2, "k={k}: {err}");
        assert!(err.contains("a simulated failure"), "k={k}: {err}");
        assert!(err.contains("every file is as it was"), "k={k}: {err}");
        assert_eq!(tree(root), before, "k={k}: every byte as before");
        let (code, _, err) = apply_clean(root, &[]);
        assert_eq!(code, 0, "k={k}: retried: {err}");
    }
}

#[test]
fn every_file_of_the_package_moves_whatever_its_type_encoding_or_ignore_status() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    write_files(
        root,
        &[
            (".gitignore", "_version.py\nbuild/\n"),
            ("candidate/clean/data.json", "{\"k\": 1}\n"),
            ("candidate/clean/_version.py", "VERSION = '1.0'\n"),
            ("candidate/clean/build/__init__.py", ""),
            ("candidate/clean/build/steps.py", "from .. import util\n"),
            ("candidate/clean/py2_sample.py", "print \"not Python 3\"\n"),
        ],
    );
    let latin1: &[u8] = b"# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n";
    std::fs::write(root.join("candidate/clean/legacy.py"), latin1).unwrap();
    let _ = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(root)
        .status();
    let (code, _, err) = apply_clean(root, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("9 file(s) moved"), "{err}");
    assert!(
        !root.join("candidate/clean").exists(),
        "nothing left behind"
    );
    assert_eq!(
        std::fs::read(root.join("core/clean/legacy.py")).unwrap(),
        latin1,
        "the Latin-1 module moved byte for byte"
    );
    for f in [
        "data.json",
        "_version.py",
        "build/__init__.py",
        "build/steps.py",
    ] {
        assert!(root.join("core/clean").join(f).is_file(), "{f}");
    }
    python(
        root,
        "import core.clean.legacy, core.clean._version, core.clean.build.steps\n\
         assert core.clean.legacy.NAME == 'caf\\xe9'\n",
    );
}

#[cfg(unix)]
#[test]
fn symlinks_and_bad_destinations_are_refused_clearly() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    write_files(root, &[("real/linked/__init__.py", "X = 1\n")]);
    std::os::unix::fs::symlink(root.join("real/linked"), root.join("candidate/linked")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    write_files(outside.path(), &[("__init__.py", "")]);
    std::os::unix::fs::symlink(outside.path(), root.join("core/ext")).unwrap();
    let before = tree(root);
    // pip is installed wherever these tests run (CI fetches with it).
    let cases: [(&[&str], &str); 7] = [
        (&["candidate.linked", "--to", "core.linked"], "is a symlink"),
        (&["candidate.helpers", "--to", "json"], "standard-library"),
        (&["candidate.helpers", "--to", "pip"], "an installed module"),
        (
            &["candidate.clean", "--to", "candidate.clean.inner"],
            "inside `candidate.clean`",
        ),
        (&["candidate.clean", "--to", "core.app"], "exists already"),
        (
            &["candidate.clean", "--to", "core.ext.clean"],
            "out of the repository",
        ),
        (
            &["candidate.clean", "--to", "core.nowhere.clean"],
            "does not exist",
        ),
    ];
    for (args, says) in cases {
        let (code, _, err) = run_in(root, &[&["promote"], args, &["--apply"]].concat());
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(tree(root), before);
    assert!(std::fs::read_dir(outside.path()).unwrap().count() == 1);
}

#[test]
fn a_package_shim_aliases_every_submodule_lazily_and_loads_each_once() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    write_files(
        root,
        &[
            ("candidate/errs/__init__.py", "\"\"\"Errors.\"\"\"\n"),
            (
                "candidate/errs/kinds.py",
                "import builtins\n\
                 builtins.__dict__.setdefault('LOADS', []).append(__name__)\n\n\n\
                 class Oops(Exception):\n    pass\n",
            ),
            ("candidate/errs/deep/__init__.py", ""),
            ("candidate/errs/deep/leaf.py", "from ..kinds import Oops\n"),
        ],
    );
    let args = [
        "promote",
        "candidate.errs",
        "--to",
        "core.errs",
        "--apply",
        "--shim",
    ];
    let (code, _, err) = run_in(root, &args);
    assert_eq!(code, 0, "{err}");
    python(
        root,
        "import builtins, sys, warnings\n\
         warnings.simplefilter('ignore')\n\
         import candidate.errs\n\
         assert 'core.errs.kinds' not in sys.modules, 'nothing imported eagerly'\n\
         from candidate.errs.kinds import Oops as Old\n\
         import core.errs.kinds\n\
         import candidate.errs.deep.leaf, core.errs.deep.leaf\n\
         assert candidate.errs.kinds is core.errs.kinds\n\
         assert candidate.errs.deep.leaf is core.errs.deep.leaf\n\
         assert sys.modules['candidate.errs.kinds'] is core.errs.kinds\n\
         assert builtins.LOADS == ['core.errs.kinds'], builtins.LOADS\n\
         assert core.errs.kinds.__spec__.name == 'core.errs.kinds'\n\
         try:\n    raise core.errs.kinds.Oops()\nexcept Old:\n    pass\n\
         try:\n    raise Old()\nexcept core.errs.deep.leaf.Oops:\n    pass\n",
    );
    // The row counts as done: DST exists and SRC is a shim.
    std::fs::write(root.join("b.tsv"), "candidate.errs\tcore.errs\n").unwrap();
    let (code, out, err) = run_in(root, &["promote", "--batch", "b.tsv", "--status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 row(s), 1 done, 0 remaining"), "{out}");
}

#[test]
fn the_criteria_are_lines_of_the_gate_with_their_verdicts() {
    let dir = fixture_copy("promote");
    let root = dir.path();
    let config = std::fs::read_to_string(root.join("rulegate.toml")).unwrap();
    std::fs::write(
        root.join("rulegate.toml"),
        format!(
            "{config}\n[promote.criteria]\nfiles = [\"PROMOTE.md\"]\n\
             coverage = {{ report = \"cov/coverage.json\", min = 90 }}\n"
        ),
    )
    .unwrap();
    let report = |engine: u32| {
        format!(
            r#"{{"meta": {{"branch_coverage": false}}, "files": {{
            "../candidate/clean/__init__.py": {{"summary": {{"covered_lines": 2, "num_statements": 2}}}},
            "{}/candidate/clean/engine.py": {{"summary": {{"covered_lines": {engine}, "num_statements": 10}}}},
            "candidate/clean/util.py": {{"summary": {{"covered_lines": 8, "num_statements": 8}}}}}}}}"#,
            root.display()
        )
    };
    write_files(root, &[("cov/coverage.json", &report(5))]);
    let (code, out, _) = run_in(root, &["promote", "candidate.clean", "--to", "core.clean"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("2 of 2 criterion(s) failed"), "{out}");
    assert!(
        out.contains("- [ ] file `PROMOTE.md`: **fail** (`candidate/clean/PROMOTE.md` is missing)"),
        "{out}"
    );
    assert!(
        out.contains("- [ ] coverage ≥ 90%: **fail** (75.0% of 3 file(s))"),
        "{out}"
    );
    write_files(
        root,
        &[
            ("candidate/clean/PROMOTE.md", "# ok\n"),
            ("cov/coverage.json", &report(10)),
        ],
    );
    let (code, out, _) = run_in(root, &["promote", "candidate.clean", "--to", "core.clean"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("- [x] coverage ≥ 90%: pass (100.0% of 3 file(s))"),
        "{out}"
    );
    let (code, out, _) = run_in(
        root,
        &[
            "promote",
            "candidate.clean",
            "--to",
            "core.clean",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["criteria"][0]["passed"], true);
    assert_eq!(v["criteria"][1]["name"], "coverage ≥ 90%");
    // A bad minimum is a config error pointing at it.
    let bad = std::fs::read_to_string(root.join("rulegate.toml"))
        .unwrap()
        .replace("min = 90", "min = 900");
    std::fs::write(root.join("rulegate.toml"), bad).unwrap();
    let (code, _, err) = run_in(root, &["promote", "candidate.clean", "--to", "core.clean"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a coverage minimum is a percentage"), "{err}");
}
