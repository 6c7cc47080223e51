//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The date every CLI test judges TTLs against.
pub const TODAY: &str = "2026-11-21";

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `rulegate` with a fixed date and no colours.
pub fn rulegate(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("rulegate").unwrap();
    c.current_dir(dir)
        .env("RULEGATE_TODAY", TODAY)
        .env("NO_COLOR", "1")
        // Tests read the repository's examples: no cache written there.
        .env("RULEGATE_NO_CACHE", "1")
        // PYT001 reads the active environment's plugins: not the caller's.
        .env_remove("VIRTUAL_ENV")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// Copies `examples/NAME` into a fresh temporary folder.
pub fn example_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples").join(name), dir.path());
    dir
}

/// Copies `tests/fixtures/NAME` into a fresh temporary folder.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/fixtures").join(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Writes files (path, content) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, c).unwrap();
    }
}

/// Runs and returns (exit code, stdout, stderr).
pub fn run(mut c: Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `rulegate ARGS` in `dir`; returns (exit code, stdout, stderr).
pub fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut c = rulegate(dir);
    c.args(args);
    run(c)
}

/// Runs `python3 -c CODE` in `dir` and fails the test if Python does.
pub fn python(dir: &std::path::Path, code: &str) {
    let out = std::process::Command::new("python3")
        .current_dir(dir)
        .args(["-c", code])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 -c {code:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Splits `bytes` into lines with their endings, as Python breaks them
/// (`\r\n`, a lone `\r`, `\n`).
pub fn lines_with_endings(bytes: &[u8]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let ending = match (bytes[i], bytes.get(i + 1)) {
            (b'\r', Some(b'\n')) => "\r\n",
            (b'\r', _) => "\r",
            (b'\n', _) => "\n",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push((
            String::from_utf8_lossy(&bytes[start..i]).into_owned(),
            ending,
        ));
        i += ending.len();
        start = i;
    }
    if start < bytes.len() {
        out.push((String::from_utf8_lossy(&bytes[start..]).into_owned(), ""));
    }
    out
}
