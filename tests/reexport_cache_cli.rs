//! `where.CAP.resolves_to` through a first-party re-export reads another
//! file (the package's `__init__`): a cached run must notice when it
//! changes, whether the whole project or the importer alone is linted.

mod common;

use std::path::Path;

use common::*;

const PACK: &str = r#"[pack]
name = "team"
[[rule]]
id = "TEAM044"
severity = "warning"
message = "`{F}` is the internal helper"
pattern = "$F($$$ARGS)"
where.F.resolves_to = ["pkg._impl.helper"]
report = "F"
"#;

/// Lints `paths` with the cache, then without; both must agree.
fn agree(dir: &Path, paths: &[&str]) -> String {
    let run_once = |cached: bool| {
        let mut c = rulegate(dir);
        c.args([
            "lint",
            "--format",
            "concise",
            "--exit-zero",
            "--select",
            "TEAM044",
        ]);
        c.args(paths);
        if cached {
            c.env_remove("RULEGATE_NO_CACHE");
        } else {
            c.arg("--no-cache");
        }
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{out}{err}");
        out
    };
    let warm = run_once(true);
    assert_eq!(warm, run_once(false), "a cached run must equal --no-cache");
    warm
}

#[test]
fn a_changed_reexport_invalidates_the_importers_result() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(
        d,
        &[
            ("rulegate.toml", "packs = [\"team.toml\"]\n"),
            ("team.toml", PACK),
            ("pkg/__init__.py", "from pkg._impl import helper\n"),
            ("pkg/_impl.py", "def helper(): ...\n"),
            ("app.py", "from pkg import helper\nhelper()\n"),
        ],
    );
    for paths in [&[][..], &["app.py"][..]] {
        assert!(agree(d, paths).contains("app.py:2:1: TEAM044"), "{paths:?}");
    }
    // The package defines its own helper: no longer the internal one.
    std::fs::write(d.join("pkg/__init__.py"), "def helper(): ...\n").unwrap();
    for paths in [&["app.py"][..], &[][..]] {
        assert!(!agree(d, paths).contains("TEAM044"), "{paths:?}");
    }
    // A relative re-export, through a second package.
    std::fs::write(d.join("pkg/__init__.py"), "from .sub import helper\n").unwrap();
    std::fs::create_dir_all(d.join("pkg/sub")).unwrap();
    std::fs::write(
        d.join("pkg/sub/__init__.py"),
        "from .._impl import helper\n",
    )
    .unwrap();
    assert!(agree(d, &["app.py"]).contains("app.py:2:1: TEAM044"));
    std::fs::write(d.join("pkg/sub/__init__.py"), "helper = None\n").unwrap();
    assert!(!agree(d, &["app.py"]).contains("TEAM044"));
}
