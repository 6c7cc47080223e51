//! What `pytest --collect-only` would hit that a tree-sitter parse alone
//! misses (SPEC §4.7, "What pytest would see"): each cause reported at its
//! cause, with a message a user understands.

mod common;

use common::{rulegate, write_files};

/// `lint --format concise` of `dir` with `select`, and its exit code.
fn concise(dir: &std::path::Path, select: &str) -> (String, i32) {
    let out = rulegate(dir)
        .args(["lint", "--no-cache", "--format", "concise", "--select", select, "."])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn python_2_print_is_e999_and_its_file_is_never_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = "import os\nx = 1\nimport sys\n\ndef main():\n    print \"hello\", sys.argv\n";
    write_files(
        dir.path(),
        &[("legacy.py", legacy), ("modern.py", "print >> f, x\n")],
    );
    let (out, code) = concise(dir.path(), "E999,E402");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "legacy.py:6:5: E999 SyntaxError: Missing parentheses in call to 'print'. \
             Did you mean print(...)?"
        ),
        "{out}"
    );
    // `print >> f, x` is a Python 3 expression: no E999.
    assert!(!out.contains("modern.py"), "{out}");
    // The E402 hoist is not applied to a file CPython cannot compile.
    rulegate(dir.path())
        .args(["lint", "--no-cache", "--fix", "--unsafe-fixes", "--select", "E402", "."])
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("legacy.py")).unwrap(),
        legacy
    );
}
