//! STUB002's fix: delete a module that a same-named package shadows, when
//! the package provides every name the repository imports from it; shown
//! as git shows a deletion, refused with the reason otherwise, and never
//! through a symlink.

mod common;

use common::*;

fn project(app: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("pkg/__init__.py", ""),
            ("pkg/bio.py", "def old():\n    pass\n\n\nX = 1\n"),
            ("pkg/bio/__init__.py", "X = 1\n"),
            ("app.py", app),
        ],
    );
    dir
}

fn lint(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    run_in(
        dir,
        &[&["lint", "--select", "STUB002", "--unsafe-fixes"], args].concat(),
    )
}

#[test]
fn a_dead_module_is_deleted_as_git_shows_it() {
    let dir = project("from pkg.bio import X\n");
    let (code, out, err) = lint(dir.path(), &["--diff"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(out, @r"
    deleted file mode 100644
    --- a/pkg/bio.py
    +++ /dev/null
    @@ -1,5 +0,0 @@
    -def old():
    -    pass
    -
    -
    -X = 1
    ");
    assert!(
        dir.path().join("pkg/bio.py").exists(),
        "--diff changes nothing"
    );
    let (code, out, err) = lint(dir.path(), &["--fix", "--format", "concise"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!dir.path().join("pkg/bio.py").exists());
    assert!(dir.path().join("pkg/bio/__init__.py").exists());
    let (code, out, _) = lint(dir.path(), &["--format", "concise"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_name_only_the_module_defines_refuses_the_delete() {
    let dir = project("from pkg.bio import X, old\n");
    let (_, out, err) = lint(dir.path(), &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect(&err);
    assert_eq!(v[0]["rule"], "STUB002");
    assert_eq!(v[0]["fix"], serde_json::Value::Null);
    let reason = v[0]["fix_refused"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("app.py imports `old` from `pkg.bio`"),
        "{reason}"
    );
    let dir = project("import pkg.bio\n");
    let (_, out, _) = lint(dir.path(), &["--format", "json"]);
    assert!(out.contains("imports `pkg.bio` as a module"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_module_is_never_deleted() {
    let dir = project("from pkg.bio import X\n");
    std::fs::rename(
        dir.path().join("pkg/bio.py"),
        dir.path().join("real_bio.py"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../real_bio.py", dir.path().join("pkg/bio.py")).unwrap();
    let (code, _, err) = lint(dir.path(), &["--fix"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a symlink is never deleted"), "{err}");
    assert!(std::fs::symlink_metadata(dir.path().join("pkg/bio.py")).is_ok());
    assert!(dir.path().join("real_bio.py").exists());
}

#[test]
fn a_module_with_names_the_package_lacks_is_merged_into_it() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("pkg/__init__.py", ""),
            (
                "pkg/bio.py",
                "import os\n\n\ndef old():\n    return os.sep\n",
            ),
            ("pkg/bio/__init__.py", "X = 1\n"),
            ("app.py", "from pkg.bio import X, old\n"),
        ],
    );
    let (code, out, err) = lint(dir.path(), &["--diff"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(out, @r"
    deleted file mode 100644
    --- a/pkg/bio.py
    +++ /dev/null
    @@ -1,5 +0,0 @@
    -import os
    -
    -
    -def old():
    -    return os.sep
    --- a/pkg/bio/__init__.py
    +++ b/pkg/bio/__init__.py
    @@ -1 +1,8 @@
     X = 1
    +
    +# Merged from pkg/bio.py (STUB002).
    +import os
    +
    +
    +def old():
    +    return os.sep
    ");
    let (code, out, err) = lint(dir.path(), &["--fix", "--format", "concise"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!dir.path().join("pkg/bio.py").exists());
    python(
        dir.path(),
        "from pkg.bio import X, old; assert old() and X == 1",
    );
}

#[test]
fn a_module_that_runs_code_on_import_is_not_merged() {
    let dir = project("from pkg.bio import old\n");
    std::fs::write(
        dir.path().join("pkg/bio.py"),
        "def old():\n    pass\n\n\nprint('loaded')\n",
    )
    .unwrap();
    let (_, out, _) = lint(dir.path(), &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let reason = v[0]["fix_refused"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("not merged: line 5 calls `print('loaded')` at import time"),
        "{reason}"
    );
}
