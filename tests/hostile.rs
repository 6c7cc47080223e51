//! Hostile input: every case runs under a time limit and must end with an
//! exit code of 0, 1 or 2 (never a signal or a panic's 101), write nothing
//! outside the files being fixed, and leave every fixed file parseable.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

/// How much longer than on an idle machine a case may take: the limits
/// catch hangs and blow-ups (which never end), not slowness, and `cargo
/// test` must pass beside another build on two cores.
const LOADED: u64 = 10;

/// Runs `rulegate ARGS` in `dir` with a time limit of `secs` on an idle
/// machine (times [`LOADED`]); returns (code, stdout, stderr).
fn bounded(dir: &Path, args: &[&str], secs: u64) -> (i32, String, String) {
    let mut c = rulegate(dir);
    c.args(args).timeout(Duration::from_secs(secs * LOADED));
    let out = c.output().unwrap();
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "rulegate {args:?} ended by a signal or the time limit\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        matches!(code, 0..=2),
        "exit {code} for {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn deep_nesting_is_checked_not_crashed() {
    let dir = tempfile::tempdir().unwrap();
    let n = 30_000;
    let walrus = format!("x = {}(y := 1){}\n", "[".repeat(n), "]".repeat(n));
    let parens = format!("z = {}1{}\n", "(".repeat(15_000), ")".repeat(15_000));
    let sums = format!("w = {}1\n", "1 + ".repeat(50_000));
    let chain = format!("import os\nv = os{}\n", ".a".repeat(30_000));
    // Every `globals()` is looked up in the tree: one descent each.
    let namespaces = format!(
        "g = {}0{}\n",
        "f(globals(), ".repeat(5_000),
        ")".repeat(5_000)
    );
    write_files(
        dir.path(),
        &[
            ("core/__init__.py", ""),
            ("core/m.py", &walrus),
            ("core/g.py", &namespaces),
            (
                "core/a.py",
                &format!("from core.m import y\nfrom core.g import g\n{parens}{sums}{chain}"),
            ),
        ],
    );
    let (code, out, err) = bounded(dir.path(), &["lint", "--format", "concise"], 60);
    assert!(code <= 1, "{out}{err}");
}

#[cfg(unix)]
#[test]
fn fifos_devices_and_sockets_get_a_diagnostic_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(d, &[("ok.py", "x = 1\n")]);
    let fifo = d.join("pipe.py");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.py")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(d.join("sock.py")).unwrap();
    let (code, out, err) = bounded(d, &["lint", "--format", "concise"], 30);
    assert_eq!(code, 1, "{out}{err}");
    for name in ["pipe.py", "zero.py", "sock.py"] {
        assert!(out.contains(&format!("{name}:1:1: E902")), "{name}: {out}");
    }

    // A pack, a script and a cache file that are FIFOs.
    write_files(d, &[("rulegate.toml", "packs = [\"team.toml\"]\n")]);
    std::process::Command::new("mkfifo")
        .arg(d.join("team.toml"))
        .status()
        .unwrap();
    let (code, _, err) = bounded(d, &["lint"], 30);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    std::fs::remove_file(d.join("team.toml")).unwrap();
    std::fs::remove_file(d.join("rulegate.toml")).unwrap();
    std::fs::create_dir_all(d.join(".rulegate_cache")).unwrap();
    for name in ["results-0000000000000000.json", "x.json"] {
        std::process::Command::new("mkfifo")
            .arg(d.join(".rulegate_cache").join(name))
            .status()
            .unwrap();
    }
    let mut c = rulegate(d);
    c.env_remove("RULEGATE_NO_CACHE")
        .args(["lint", "--format", "concise", "ok.py"])
        .timeout(Duration::from_secs(30 * LOADED));
    assert!(c.output().unwrap().status.code().is_some());
}

#[test]
fn fix_scripts_stay_inside_their_pack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for script in ["../outside.rhai", "/etc/passwd"] {
        let pack = format!(
            "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"error\"\nsummary = \"s\"\n\
             message = \"m\"\nquery = \"(identifier) @x\"\nfix = {{ script = \"{script}\" }}\n"
        );
        write_files(
            d,
            &[
                ("rulegate.toml", "packs = [\"packs/team.toml\"]\n"),
                ("packs/team.toml", &pack),
                ("outside.rhai", "fn fix(m) { \"x\" }\n"),
                ("a.py", "x = 1\n"),
            ],
        );
        let (code, _, err) = bounded(d, &["lint"], 30);
        assert_eq!(code, 2, "{script}: {err}");
        assert!(err.contains("inside the pack's folder"), "{err}");
    }
}

#[test]
fn pack_test_files_stay_inside_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let pack = "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"error\"\nsummary = \"s\"\n\
        message = \"m\"\nquery = \"(identifier) @x\"\n[[rule.tests]]\ncode = \"x\\n\"\nexpect = [\"T1@1\"]\n\
        files = { \"../../../../../../../victim.txt\" = \"overwritten\\n\" }\n";
    write_files(d, &[("team.toml", pack)]);
    let (code, out, err) = bounded(d, &["test", "team.toml"], 30);
    assert_eq!(code, 2, "a load error: {out}{err}");
    assert!(err.contains("is outside the example"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
}

#[cfg(unix)]
#[test]
fn read_only_files_and_symlinks_keep_their_bytes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = "import os  # noqa: E402 -- not needed\n";
    write_files(d, &[("ro.py", source), ("real/target.py", source)]);
    std::fs::set_permissions(d.join("ro.py"), std::fs::Permissions::from_mode(0o444)).unwrap();
    std::os::unix::fs::symlink(d.join("real/target.py"), d.join("link.py")).unwrap();
    let (code, out, err) = bounded(
        d,
        &["lint", "--fix", "--format", "concise", "ro.py", "link.py"],
        30,
    );
    assert_eq!(code, 2, "a file that could not be fixed: {out}{err}");
    assert!(err.contains("read-only"), "{err}");
    assert!(!err.contains("all checks passed"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("ro.py")).unwrap(), source);
    assert!(
        std::fs::symlink_metadata(d.join("link.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(d.join("real/target.py")).unwrap(),
        "import os\n",
        "the link's target is fixed"
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let big: String = (0..20_000).map(|i| format!("x{i} = {i}\n")).collect();
    write_files(dir.path(), &[("a.py", &big)]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rulegate"))
        .current_dir(dir.path())
        .args(["tree", "a.py"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -1` after one line
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "no panic on a broken pipe");
    assert!(status.code().is_some(), "no signal");
}

#[test]
fn odd_encodings_and_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(d, &[("cr.py", "x = 1\rimport os\ry = 2\r")]);
    let (_, out, _) = bounded(
        d,
        &["lint", "--format", "concise", "--no-cache", "cr.py"],
        30,
    );
    assert!(
        !out.contains("E999"),
        "a CR-only file is valid Python: {out}"
    );
    assert!(out.contains("cr.py:2:1: E402"), "{out}");

    let mut c = rulegate(d);
    c.args(["lint", "--stdin-filename", "s.py", "--format", "concise"])
        .write_stdin(b"x = 1\xff\n".to_vec())
        .timeout(Duration::from_secs(30 * LOADED));
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("E902"));

    // A BOM at the start of a script, and of a pack.
    write_files(
        d,
        &[
            ("rulegate.toml", "packs = [\"team.toml\"]\n"),
            (
                "team.toml",
                "\u{feff}[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"warning\"\nsummary = \"s\"\n\
                 message = \"m\"\nquery = \"(integer) @x\"\nfix = { script = \"f.rhai\", applicability = \"safe\" }\n",
            ),
            ("f.rhai", "\u{feff}fn fix(m) { \"2\" }\n"),
            ("a.py", "x = 1\n"),
        ],
    );
    let (code, out, err) = bounded(d, &["lint", "--fix", "--format", "concise", "a.py"], 30);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(std::fs::read_to_string(d.join("a.py")).unwrap(), "x = 2\n");
}

#[test]
fn pyproject_is_parsed_not_searched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for spelling in [
        "[ tool.rulegate ]\nbogus = 1\n",
        "[tool.\"rulegate\"]\nbogus = 1\n",
        "[tool]\nrulegate.bogus = 1\n",
        "tool = { rulegate = { bogus = 1 } }\n",
    ] {
        write_files(d, &[("pyproject.toml", spelling), ("a.py", "x = 1\n")]);
        let (code, _, err) = bounded(d, &["lint"], 30);
        assert_eq!(code, 2, "{spelling}: {err}");
        assert!(err.contains("bogus"), "{spelling}: {err}");
    }
    std::fs::write(d.join("pyproject.toml"), b"[tool.rulegate]\n# caf\xe9\n").unwrap();
    let (code, _, err) = bounded(d, &["lint"], 30);
    assert_eq!(code, 2);
    assert!(
        err.contains("not valid UTF-8 at line") && err.contains("column 6"),
        "{err}"
    );
    assert!(!err.contains("--config"), "no --config was given: {err}");
}

#[test]
fn scripts_cannot_reach_outside_their_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = "keep = 1\nx = 2\nalso_keep = 3\n";
    write_files(
        d,
        &[
            ("rulegate.toml", "packs = [\"team.toml\"]\n"),
            (
                "team.toml",
                "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"warning\"\nsummary = \"s\"\n\
                 message = \"m\"\nquery = \"((identifier) @x (#eq? @x \\\"x\\\"))\"\n\
                 fix = { script = \"f.rhai\", applicability = \"safe\" }\n\
                 [[rule]]\nid = \"T2\"\nseverity = \"warning\"\nsummary = \"s\"\nmessage = \"m\"\n\
                 query = \"((identifier) @k (#eq? @k \\\"keep\\\"))\"\n\
                 fix = { script = \"g.rhai\", applicability = \"safe\" }\n",
            ),
            (
                "f.rhai",
                "fn fix(m) { [#{start: 0, end: m.range.end, content: \"\"}] }\n",
            ),
            (
                "g.rhai",
                "fn fix(m) { [#{start: 0, end: 0, content: \"import os\\n\"}] }\n",
            ),
            ("a.py", source),
        ],
    );
    let (code, out, err) = bounded(d, &["lint", "--fix", "--format", "concise", "a.py"], 30);
    assert!(
        out.contains("FIX001") && out.contains("outside its finding"),
        "{out}{err}"
    );
    assert!(
        out.contains("FIX002") && out.contains("does not converge"),
        "{out}{err}"
    );
    assert_eq!(code, 0, "warnings only");
    let fixed = std::fs::read_to_string(d.join("a.py")).unwrap();
    assert_eq!(
        fixed.matches("import os").count(),
        1,
        "inserted once: {fixed}"
    );
    assert!(fixed.ends_with(source), "nothing erased: {fixed}");
}

#[test]
fn many_findings_and_comments_stay_linear() {
    let dir = tempfile::tempdir().unwrap();
    let todos: String = (0..100_000)
        .map(|i| format!("# TODO: item {i}\n"))
        .collect();
    let imports: String = (0..50_000)
        .map(|i| format!("x{i} = 1\nimport m{i}\n"))
        .collect();
    write_files(
        dir.path(),
        &[("todos.py", &todos), ("imports.py", &imports)],
    );
    let (code, out, _) = bounded(
        dir.path(),
        &["lint", "--format", "concise", "--no-cache", "--statistics"],
        60,
    );
    assert_eq!(code, 1);
    assert!(out.contains("E402"), "{out}");
}

#[test]
fn load_errors_say_why_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_files(d, &[("a.py", "x = 1\n")]);
    let cases: [(&str, &str, &str); 4] = [
        (
            "rulegate.toml",
            "packs = [\"builtin:t4\", \"builtin:t4\"]\n",
            "listed twice",
        ),
        (
            "rulegate.toml",
            "[lanes.x]\npaths = \"\"\"\n",
            "multi-line basic string",
        ),
        (
            "rulegate.toml",
            "packs = [\"builtin:t4\"\n",
            "unclosed array",
        ),
        ("rulegate.toml", "packs = [\"team.toml\"]\n", "tag `TTTT"),
    ];
    let tag = "T".repeat(16_000);
    write_files(
        d,
        &[(
            "team.toml",
            &format!(
                "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"warning\"\nsummary = \"s\"\n\
                 message = \"m\"\nanalyzer = \"comment-format\"\n[rule.options]\ncheck = \"format\"\n\
                 tags = [\"{tag}\"]\nseparator = \" : \"\n[[rule.options.fields]]\nname = \"date\"\ntype = \"date\"\n"
            ),
        )],
    );
    for (file, text, expected) in cases {
        write_files(d, &[(file, text)]);
        let (code, _, err) = bounded(d, &["lint"], 20);
        assert_eq!(code, 2, "{text}");
        assert!(err.contains(expected), "{text}: {err}");
    }
    // A 1 MB regex is refused at once, not compiled for minutes.
    let huge =
        "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"error\"\nsummary = \"s\"\n\
        message = \"m\"\nquery = \"(identifier) @x\"\nwhere.x.regex = \""
            .to_string()
            + &"(a|b)*".repeat(170_000)
            + "\"\n";
    write_files(
        d,
        &[
            ("rulegate.toml", "packs = [\"team.toml\"]\n"),
            ("team.toml", &huge),
        ],
    );
    let (code, _, err) = bounded(d, &["lint"], 20);
    assert_eq!(code, 2);
    assert!(err.contains("size limit"), "{}", &err[..err.len().min(500)]);
    let pack = "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"error\"\nsummary = \"s\"\n\
        message = \"m\"\nquery = \"(identifier) @x\"\n[[rule.tests]]\ncode = \"x\\n\"\nexpect = [\"T1@1\"]\n\
        today = \"2026-02-30\"\n";
    write_files(d, &[("t.toml", pack)]);
    let (code, _, err) = bounded(d, &["test", "t.toml"], 20);
    assert_eq!(code, 2, "an impossible date is a load error: {err}");
    assert!(err.contains("invalid `today`"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_script_and_overlapping_edits_are_errors_not_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pack = |script: &str| {
        format!(
            "[pack]\nname = \"t\"\n[[rule]]\nid = \"T1\"\nseverity = \"warning\"\nsummary = \"s\"\n\
             message = \"m\"\nquery = \"(integer) @x\"\nfix = {{ script = \"{script}\", applicability = \"safe\" }}\n"
        )
    };
    write_files(
        d,
        &[
            ("rulegate.toml", "packs = [\"team.toml\"]\n"),
            ("team.toml", &pack("fifo.rhai")),
            ("a.py", "x = 12\n"),
        ],
    );
    std::process::Command::new("mkfifo")
        .arg(d.join("fifo.rhai"))
        .status()
        .unwrap();
    let (code, _, err) = bounded(d, &["lint"], 20);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("regular file inside the pack's folder"),
        "{err}"
    );

    write_files(
        d,
        &[
            ("team.toml", &pack("overlap.rhai")),
            (
                "overlap.rhai",
                "fn fix(m) { [#{start: m.range.start, end: m.range.end, content: \"3\"}, #{start: m.range.start, end: m.range.end - 1, content: \"4\"}] }\n",
            ),
        ],
    );
    let (code, out, err) = bounded(d, &["lint", "--fix", "--format", "concise", "a.py"], 20);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("FIX001") && out.contains("overlap"), "{out}");
    assert_eq!(std::fs::read_to_string(d.join("a.py")).unwrap(), "x = 12\n");
}

/// Every byte under `dir`, by relative path (symlinks as their target text).
#[cfg(unix)]
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.file_type().is_symlink() {
                out.insert(
                    rel,
                    std::fs::read_link(&p)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                );
            } else if meta.is_dir() {
                stack.push(p);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// SPEC §8: rulegate never writes through a symlink out of the repository:
/// not a fixed file, not a created bridge, not `init`.
#[cfg(unix)]
#[test]
fn writes_never_follow_a_symlink_out_of_the_repository() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let o = outside.path();
    write_files(
        o,
        &[
            ("victim.py", "import os  # noqa: E402 -- not needed\n"),
            ("keep.txt", "mine\n"),
        ],
    );
    std::fs::create_dir(o.join("pkgdir")).unwrap();
    let before = snapshot(o);

    let repo = tempfile::tempdir().unwrap();
    let d = repo.path();
    write_files(
        d,
        &[
            ("pkg/__init__.py", ""),
            (
                "app.py",
                "from pkg.linked.bridge import helper\n\nhelper()\n",
            ),
        ],
    );
    symlink(o.join("victim.py"), d.join("out.py")).unwrap();
    symlink(o.join("pkgdir"), d.join("pkg/linked")).unwrap();
    let (code, out, err) = bounded(
        d,
        &[
            "lint",
            "--no-cache",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "concise",
        ],
        60,
    );
    assert_eq!(code, 2, "the refused writes are errors: {out}{err}");
    assert!(err.contains("out of the repository"), "{err}");
    assert!(
        !format!("{out}{err}").contains("all checks passed"),
        "{out}{err}"
    );

    // init through a dangling link, and through a link out.
    let init = tempfile::tempdir().unwrap();
    symlink(o.join("new-config.toml"), init.path().join("rulegate.toml")).unwrap();
    let (code, _, err) = bounded(init.path(), &["init"], 30);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already exists"), "{err}");

    assert_eq!(
        snapshot(o),
        before,
        "nothing outside the repository changed"
    );
}

/// The cache never writes through a link out of the repository: a shipped
/// `.rulegate_cache/.gitignore` link, or a linked cache folder.
#[cfg(unix)]
#[test]
fn the_cache_never_writes_through_a_symlink_out_of_the_repository() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let o = outside.path();
    write_files(o, &[("important.txt", "the user's file\n")]);
    std::fs::create_dir(o.join("cachedir")).unwrap();
    let before = snapshot(o);

    // A cloned repository ships .rulegate_cache/.gitignore -> the user's file.
    let repo = tempfile::tempdir().unwrap();
    let d = repo.path();
    write_files(d, &[("a.py", "import os\nx = 1\nimport sys\n")]);
    std::fs::create_dir(d.join(".rulegate_cache")).unwrap();
    symlink(
        o.join("important.txt"),
        d.join(".rulegate_cache/.gitignore"),
    )
    .unwrap();
    let mut c = rulegate(d);
    c.env_remove("RULEGATE_NO_CACHE")
        .args(["lint", "--format", "concise"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("E402"), "{out}");

    // A cache folder that is a link out: the run warns and writes no cache.
    let repo2 = tempfile::tempdir().unwrap();
    let d2 = repo2.path();
    write_files(d2, &[("a.py", "import os\nx = 1\nimport sys\n")]);
    symlink(o.join("cachedir"), d2.join(".rulegate_cache")).unwrap();
    let mut c = rulegate(d2);
    c.env_remove("RULEGATE_NO_CACHE")
        .args(["lint", "--format", "concise"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("out of the repository") && err.contains("cache is off"),
        "{err}"
    );

    assert_eq!(
        snapshot(o),
        before,
        "nothing outside the repository changed"
    );
}

/// A lone `\r` breaks lines as it does for CPython and ruff, in every layer:
/// `# noqa: E402\rimport json` is a comment and then code (E402 at the
/// import's own line, as ruff reports it; the directive covers its own line,
/// so SUP004 flags it, and its safe fix never deletes the import), and every
/// fix kind (SUP004, the TODO upgrade, the LEG001 rename, the E402 hoist)
/// keeps each untouched line's own ending in a file that mixes CRLF, CR and
/// LF, and leaves a file CPython compiles.
#[test]
fn lone_cr_and_mixed_endings_through_every_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let lone = "x = 1\n# noqa: E402\rimport json\n";
    write_files(d, &[("lone.py", lone)]);
    let lint = [
        "lint",
        "--format",
        "concise",
        "--no-cache",
        "--today",
        "2026-01-15",
    ];
    let (_, out, err) = bounded(d, &lint, 30);
    let ours: Vec<&str> = out.lines().filter(|l| l.starts_with("lone.py:")).collect();
    // As ruff 0.17.5 (`--select E402,RUF100`): the directive is on line 2,
    // which the lone CR ends, so it suppresses nothing (`RUF100` at 2:1,
    // our SUP004) and the import is E402 at its own line 3
    // (docs/behaviour-oracles.md).
    assert_eq!(ours.len(), 2, "{out}{err}");
    assert!(ours[0].starts_with("lone.py:2:1: SUP004"), "{out}");
    assert!(ours[1].starts_with("lone.py:3:1: E402"), "{out}");
    // Positions as ruff gives them (line 3, columns 1 to 12).
    let (_, json, _) = bounded(
        d,
        &[
            "lint",
            "--format",
            "json",
            "--no-cache",
            "--select",
            "E402",
            "lone.py",
        ],
        30,
    );
    let findings: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = &findings[0];
    assert_eq!(
        (&f["line"], &f["column"], &f["end_line"], &f["end_column"]),
        (&3.into(), &1.into(), &3.into(), &12.into()),
        "{json}"
    );
    // A plain --fix (safe fixes only) removes the unused directive, never
    // the import after its lone CR: byte for byte what ruff's RUF100 fix
    // leaves.
    let (_, out, err) = bounded(d, &["lint", "--fix", "--no-cache", "lone.py"], 30);
    assert_eq!(
        std::fs::read(d.join("lone.py")).unwrap(),
        b"x = 1\nimport json\n",
        "{out}{err}"
    );
    python(d, "compile(open('lone.py','rb').read(), 'lone.py', 'exec')");

    // Every fix kind, on lines of every ending.
    let mixed = "import os\r\nx = 1\r# TODO: tidy this\r\ny = 2  # noqa: E402 -- stale\r\
                 # noqa: E402 -- stale too\nfrom matriz.core import X\r\nprint(os, X, x, y)\r";
    let todo = "# TODO[2026-01-15][PRIORITY:UNSET][OWNER:UNSET][SCOPE:PROD] : tidy this";
    // The same file in one ending each: a fix keeps it.
    let uniform = |e: &str| {
        let body = "import os\nx = 1\n# TODO: tidy this\ny = 2  # noqa: E402 -- stale\n\
                    # noqa: E402 -- stale too\nfrom matriz.core import X\nprint(os, X, x, y)\n";
        let fixed = format!(
            "import os\nfrom MATRIZ.core import X\nx = 1\n{todo}\ny = 2\nprint(os, X, x, y)\n"
        );
        (body.replace('\n', e), fixed.replace('\n', e))
    };
    let (crlf, crlf_fixed) = uniform("\r\n");
    let (cr, cr_fixed) = uniform("\r");
    write_files(
        d,
        &[("mixed.py", mixed), ("crlf.py", &crlf), ("cr.py", &cr)],
    );
    let (_, out, err) = bounded(d, &lint, 30);
    for want in [
        "mixed.py:3:1: TODO001",
        "mixed.py:4:8: SUP004",
        "mixed.py:5:1: SUP004",
        "mixed.py:6:1: E402",
        "mixed.py:6:6: LEG001",
    ] {
        assert!(out.contains(want), "{want}: {out}{err}");
    }
    let mut fix = lint.to_vec();
    fix.extend(["--fix", "--unsafe-fixes"]);
    let (code, out, err) = bounded(d, &fix, 30);
    assert_eq!(code, 0, "every finding is fixed: {out}{err}");
    let fixed = std::fs::read(d.join("mixed.py")).unwrap();
    let got = lines_with_endings(&fixed);
    let want: Vec<(String, &str)> = [
        ("import os", "\r\n"),
        // The hoisted import keeps its own ending.
        ("from MATRIZ.core import X", "\r\n"),
        ("x = 1", "\r"),
        (todo, "\r\n"),
        ("y = 2", "\r"),
        ("print(os, X, x, y)", "\r"),
    ]
    .into_iter()
    .map(|(l, e)| (l.to_string(), e))
    .collect();
    assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&fixed));
    assert_eq!(
        std::fs::read_to_string(d.join("crlf.py")).unwrap(),
        crlf_fixed
    );
    assert_eq!(std::fs::read_to_string(d.join("cr.py")).unwrap(), cr_fixed);
    for f in ["mixed.py", "crlf.py", "cr.py"] {
        python(
            d,
            &format!("compile(open('{f}','rb').read(), '{f}', 'exec')"),
        );
    }
}
