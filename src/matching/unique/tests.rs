//! The index over a real project folder: every duplicate found, each file
//! parsed once, whatever the order and the threads.

use crate::lint::{LintOptions, lint};
use crate::run::Run;

const PACK: &str = r#"[pack]
name = "m"
[[rule]]
id = "M001"
severity = "error"
prefilter = ["Counter"]
message = "{NAME} again at {others}"
pattern = "Counter($NAME, $$$REST)"
where.NAME.unique = "repository"
report = "NAME"
"#;

/// A project of `files`, linted (`paths`: relative, none for the whole
/// project) on `threads`: the M001 findings, and the index's parses and
/// trees handed to checks.
fn lint_project(
    files: &[(&str, &str)],
    paths: &[&str],
    threads: usize,
) -> (Vec<String>, usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("rulegate.toml"),
        "packs = [\"m.toml\"]\n[lanes.production]\npaths = [\"**\"]\n",
    )
    .unwrap();
    std::fs::write(d.join("m.toml"), PACK).unwrap();
    for (rel, text) in files {
        std::fs::write(d.join(rel), text).unwrap();
    }
    let run = Run::load(None, d, &[], &[], crate::dates::Date::constant(2026, 1, 1)).unwrap();
    let paths = if paths.is_empty() {
        vec![d.to_path_buf()]
    } else {
        paths.iter().map(|p| d.join(p)).collect()
    };
    let out = lint(
        &run,
        &LintOptions {
            paths,
            threads: Some(threads),
            ..Default::default()
        },
    )
    .unwrap();
    let found = out
        .findings
        .iter()
        .filter(|f| &*f.rule == "M001")
        .map(|f| format!("{}:{} {}", f.path, f.location.start.line, f.message))
        .collect();
    let (parses, handed) = run
        .project
        .unique
        .built()
        .map_or((0, 0), |i| (i.parses(), i.handed()));
    (found, parses, handed)
}

const FILES: &[(&str, &str)] = &[
    ("a.py", "x = Counter(\"dup\")\ny = Counter(f\"{p}\")\n"),
    ("b.py", "# Counter, but no call of it\n"),
    ("c.py", "z = Counter('dup')\nw = Counter('once')\n"),
    ("d.py", "nothing = 1\n"),
    ("e.py", "v = Counter(\"\"\"dup\"\"\", 2)\n"),
];

#[test]
fn a_whole_run_finds_every_duplicate_and_parses_each_file_once() {
    let (found, parses, handed) = lint_project(FILES, &[], 1);
    assert_eq!(
        found,
        [
            "a.py:1 \"dup\" again at c.py:1, e.py:1",
            "c.py:1 'dup' again at a.py:1, e.py:1",
            "e.py:1 \"\"\"dup\"\"\" again at a.py:1, c.py:1",
        ]
    );
    // a.py, the first with an occurrence, builds the index (its own
    // occurrences noted): the other candidates (b.py, c.py, e.py) are
    // parsed for it and their trees go to their checks.
    assert_eq!((parses, handed), (3, 3));
    let (two, _, _) = lint_project(FILES, &[], 2);
    assert_eq!(found, two);
}

#[test]
fn files_checked_before_the_index_is_needed_are_not_parsed_for_it() {
    // The occurrences come last in walk order: every other candidate was
    // checked already and noted that it holds none.
    let files = [
        ("a.py", "# Counter\n"),
        ("b.py", "# Counter\n"),
        ("c.py", "n = 1\n"),
        ("z.py", "Counter('x')\nCounter(\"x\")\n"),
    ];
    let (found, parses, _) = lint_project(&files, &[], 1);
    assert_eq!(parses, 0);
    assert_eq!(
        found,
        ["z.py:1 'x' again at z.py:2", "z.py:2 \"x\" again at z.py:1"]
    );
}

#[test]
fn a_run_on_one_file_sees_the_others_and_parses_only_candidates() {
    let (found, parses, handed) = lint_project(FILES, &["c.py"], 1);
    assert_eq!(found, ["c.py:1 'dup' again at a.py:1, e.py:1"]);
    // a.py, b.py and e.py hold the word; d.py is not parsed.
    assert_eq!((parses, handed), (3, 0));
    // A file without an occurrence builds no index.
    let (found, parses, _) = lint_project(FILES, &["d.py"], 1);
    assert!(found.is_empty());
    assert_eq!(parses, 0);
}
