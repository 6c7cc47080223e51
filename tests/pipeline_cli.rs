//! CI features: `--shard`, baselines, the cache.

mod common;

use std::collections::BTreeSet;

use common::*;

fn findings(out: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(out).unwrap()
}

#[test]
fn shards_partition_the_files_and_their_union_is_a_single_run() {
    let dir = example_copy("monorepo");
    // An expired central exception whose file lands in one shard only.
    let config = std::fs::read_to_string(dir.path().join("rulegate.toml")).unwrap();
    std::fs::write(
        dir.path().join("rulegate.toml"),
        format!("{config}\n[[exceptions]]\nrule = \"E402\"\npath = \"core/**\"\nreason = \"old\"\nexpires = \"2026-01-01\"\n"),
    )
    .unwrap();
    let (_, whole, _) = run_in(dir.path(), &["lint", "--format", "json"]);
    let whole: BTreeSet<String> = findings(&whole).iter().map(|f| f.to_string()).collect();
    for n in [2, 3] {
        let mut union = BTreeSet::new();
        let mut total = 0;
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            let (_, out, err) =
                run_in(dir.path(), &["lint", "--format", "json", "--shard", &shard]);
            let part = findings(&out);
            total += part.len();
            union.extend(part.iter().map(|f| f.to_string()));
            assert!(err.is_empty(), "{err}");
        }
        assert_eq!(union, whole, "{n} shards");
        assert_eq!(total, whole.len(), "no finding is reported by two shards");
    }
    let (code, _, err) = run_in(dir.path(), &["lint", "--shard", "3/2"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a shard"), "{err}");
}

#[test]
fn baseline_hides_known_findings_and_catches_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a.py", "x = 1\nimport os\n"),
            ("b.py", "y = 2\nimport sys\n"),
        ],
    );
    let (code, _, err) = run_in(dir.path(), &["lint", "--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Wrote 2 finding(s)"), "{err}");
    let (code, out, err) = run_in(
        dir.path(),
        &["lint", "--baseline", "baseline.json", "--format", "concise"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("2 finding(s) hidden by the baseline; 0 baseline entr(ies) stale"),
        "{err}"
    );
    // Lines move, one finding is fixed, an identical one appears elsewhere.
    write_files(
        dir.path(),
        &[
            ("a.py", "\"\"\"doc\"\"\"\nx = 1\n\nimport os\nimport os\n"),
            ("b.py", "import sys\n"),
        ],
    );
    let (code, out, err) = run_in(
        dir.path(),
        &["lint", "--baseline", "baseline.json", "--format", "concise"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out.matches("E402").count(),
        1,
        "only the second `import os` is new\n{out}"
    );
    assert!(out.contains("a.py:5:1: E402"), "{out}");
    assert!(
        err.contains("1 finding(s) hidden by the baseline; 1 baseline entr(ies) stale"),
        "{err}"
    );
    std::fs::write(dir.path().join("bad.json"), "{}").unwrap();
    let (code, _, err) = run_in(dir.path(), &["lint", "--baseline", "bad.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a rulegate baseline"), "{err}");
}

#[test]
fn baseline_judges_only_the_files_and_rules_of_the_run() {
    // A pre-commit run lints the staged files: the other files' entries
    // are not stale, and neither are entries of rules not selected.
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("a.py", "x = 1\nimport os\n"),
            ("b.py", "y = 2\nimport sys\n"),
            ("c.py", "# TODO: tidy\nz = 3\nimport re\n"),
        ],
    );
    let (code, _, err) = run_in(dir.path(), &["lint", "--write-baseline", "baseline.json"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_in(
        dir.path(),
        &[
            "lint",
            "--baseline",
            "baseline.json",
            "--format",
            "concise",
            "a.py",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("1 finding(s) hidden by the baseline; 0 baseline entr(ies) stale"),
        "{err}"
    );
    let (_, _, err) = run_in(
        dir.path(),
        &[
            "lint",
            "--baseline",
            "baseline.json",
            "--select",
            "E402",
            "c.py",
        ],
    );
    assert!(
        err.contains("1 finding(s) hidden by the baseline; 0 baseline entr(ies) stale"),
        "the TODO entry is not judged by an E402 run\n{err}"
    );
    // Fixed in a checked file: stale.
    write_files(dir.path(), &[("a.py", "import os\nx = 1\n")]);
    let (_, _, err) = run_in(dir.path(), &["lint", "--baseline", "baseline.json", "a.py"]);
    assert!(
        err.contains("0 finding(s) hidden by the baseline; 1 baseline entr(ies) stale"),
        "{err}"
    );
}

/// `rulegate` with the cache on (the other tests turn it off).
fn cached(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut c = rulegate(dir);
    c.env_remove("RULEGATE_NO_CACHE").args(args);
    run(c)
}

#[test]
fn the_cache_is_transparent_and_never_freezes_dates() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "a.py",
                "x = 1\nimport os  # noqa: E402 -- migration, until=2026-11-25\n",
            ),
            ("b.py", "y = 2\nimport sys\n"),
        ],
    );
    let lint = |today: &str| cached(dir.path(), &["lint", "--format", "json", "--today", today]);
    let (_, cold, _) = lint("2026-11-21");
    let folder = dir.path().join(".rulegate_cache");
    assert_eq!(
        std::fs::read_to_string(folder.join(".gitignore")).unwrap(),
        "*\n"
    );
    let (_, warm, _) = lint("2026-11-21");
    assert_eq!(cold, warm);
    // The suppression expires: a cached result must not hide it.
    let (code, later, _) = lint("2026-12-01");
    assert_eq!(code, 1);
    assert!(later.contains("SUP002"), "{later}");
    // An edited file is checked again.
    write_files(dir.path(), &[("b.py", "import sys\n")]);
    let (_, edited, _) = lint("2026-11-21");
    assert!(!edited.contains("\"b.py\""), "{edited}");
    // A corrupt cache file is ignored.
    for e in std::fs::read_dir(&folder).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            std::fs::write(&p, "{not json").unwrap();
        }
    }
    let (_, after_corruption, err) = lint("2026-11-21");
    assert_eq!(after_corruption, edited, "{err}");
}

#[test]
fn config_changes_and_no_cache() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", "x = 1\nimport os\n")]);
    let (code, _, _) = cached(dir.path(), &["lint"]);
    assert_eq!(code, 1);
    write_files(
        dir.path(),
        &[("rulegate.toml", "[rules.E402]\nseverity = \"warning\"\n")],
    );
    let (code, out, _) = cached(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 0, "a new config is a new cache key\n{out}");
    let other = tempfile::tempdir().unwrap();
    write_files(other.path(), &[("a.py", "import os\n")]);
    cached(other.path(), &["lint", "--no-cache"]);
    assert!(!other.path().join(".rulegate_cache").exists());
}
