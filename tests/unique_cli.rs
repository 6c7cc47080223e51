//! `where.CAP.unique = "repository"` (SPEC §3.5): a run on some files
//! still sees every occurrence in the repository, and the cache stays
//! exact when another file gains or loses one.

mod common;

use std::path::Path;

use common::*;

const CONFIG: &str = "packs = [\"metrics.toml\"]\n[lanes.production]\npaths = [\"**\"]\n";

const PACK: &str = r#"[pack]
name = "metrics"
[[rule]]
id = "MET001"
severity = "error"
prefilter = ["Counter"]
message = "metric {NAME} is also registered at {others}"
pattern = "Counter($NAME, $$$REST)"
where.NAME.unique = "repository"
report = "NAME"
"#;

/// A project whose `app/a.py` and `app/b.py` register `requests_total`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", CONFIG),
            ("metrics.toml", PACK),
            ("app/__init__.py", ""),
            (
                "app/a.py",
                "from prometheus_client import Counter\nREQ = Counter(\"requests_total\", \"doc\")\n",
            ),
            (
                "app/b.py",
                "from prometheus_client import Counter\n\nREQ = Counter('requests_total', 'doc')\nOK = Counter('errors_total', 'doc')\n",
            ),
            ("app/c.py", "x = 'requests_total'\n"),
        ],
    );
    dir
}

/// `lint` of `paths` (none: the project), with the cache or without.
fn lint(dir: &Path, cached: bool, paths: &[&str]) -> String {
    let mut c = rulegate(dir);
    c.args(["lint", "--format", "concise", "--exit-zero"]);
    c.args(paths);
    if cached {
        c.env_remove("RULEGATE_NO_CACHE");
    } else {
        c.arg("--no-cache");
    }
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");
    out.lines()
        .filter(|l| l.contains("MET001"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A cached run (the cache filled first) equals `--no-cache`.
fn agree(dir: &Path, paths: &[&str]) -> String {
    let warm = lint(dir, true, paths);
    assert_eq!(
        warm,
        lint(dir, false, paths),
        "a cached run must equal --no-cache"
    );
    warm
}

#[test]
fn every_occurrence_names_the_others() {
    let dir = project();
    let out = lint(dir.path(), false, &[]);
    assert_eq!(
        out,
        "app/a.py:2:15: MET001 metric \"requests_total\" is also registered at app/b.py:3\n\
         app/b.py:3:15: MET001 metric 'requests_total' is also registered at app/a.py:2"
    );
}

#[test]
fn a_run_on_one_file_sees_the_other_files_occurrence() {
    let dir = project();
    let out = lint(dir.path(), false, &["app/a.py"]);
    assert_eq!(
        out,
        "app/a.py:2:15: MET001 metric \"requests_total\" is also registered at app/b.py:3"
    );
    // Standard input, as an editor sends an unsaved buffer: its own text
    // counts, the disk's copy of the same file does not.
    let mut c = rulegate(dir.path());
    c.args([
        "lint",
        "--format",
        "concise",
        "--exit-zero",
        "--stdin-filename",
        "app/b.py",
    ]);
    c.write_stdin("from prometheus_client import Counter\nA = Counter('errors_total')\nB = Counter(\"errors_total\")\n");
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "app/b.py:2:13: MET001 metric 'errors_total' is also registered at app/b.py:3"
        ),
        "{out}"
    );
    assert!(!out.contains("requests_total"), "{out}");
}

#[test]
fn the_cache_stays_exact_when_another_module_changes() {
    let dir = project();
    let d = dir.path();
    for paths in [&[][..], &["app/a.py"][..]] {
        lint(d, true, paths); // fill the cache
    }
    assert!(agree(d, &["app/a.py"]).contains("app/b.py:3"));

    // The other module renames its metric: the finding goes.
    std::fs::write(
        d.join("app/b.py"),
        "from prometheus_client import Counter\n\nREQ = Counter('requests_served_total', 'doc')\n",
    )
    .unwrap();
    assert_eq!(agree(d, &["app/a.py"]), "");
    assert_eq!(agree(d, &[]), "");

    // A new module registers it again: found though `app/a.py` did not change.
    std::fs::write(
        d.join("app/d.py"),
        "from prometheus_client import Counter\nDUP = Counter(\"\"\"requests_total\"\"\")\n",
    )
    .unwrap();
    assert_eq!(
        agree(d, &["app/a.py"]),
        "app/a.py:2:15: MET001 metric \"requests_total\" is also registered at app/d.py:2"
    );
    // It moves a line down: the message of the cached file follows.
    std::fs::write(
        d.join("app/d.py"),
        "from prometheus_client import Counter\n\nDUP = Counter(\"\"\"requests_total\"\"\")\n",
    )
    .unwrap();
    assert!(agree(d, &[]).contains("registered at app/d.py:3"));
    std::fs::remove_file(d.join("app/d.py")).unwrap();
    assert_eq!(agree(d, &[]), "");
}

#[test]
fn a_bad_unique_constraint_is_a_load_error() {
    for (constraint, says) in [
        ("where.NAME.unique = \"file\"", "unknown variant `file`"),
        (
            "where.NAME.unique = \"repository\"\nwhere.REST.unique = \"repository\"",
            "a rule has one `unique` capture",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let pack = PACK.replace("where.NAME.unique = \"repository\"", constraint);
        write_files(
            dir.path(),
            &[
                ("rulegate.toml", CONFIG),
                ("metrics.toml", &pack),
                ("a.py", ""),
            ],
        );
        let (code, out, err) = run_in(dir.path(), &["lint", "a.py"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains(says), "{err}");
    }
}
