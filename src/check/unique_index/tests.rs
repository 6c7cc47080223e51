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
    let (parses, handed) = super::memo(&run)
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

/// On a real corpus (`RULEGATE_CORPUS`, say the stdlib copied without
/// `site-packages`), a unique rule adds no parse to a whole run: each
/// file is parsed once, as without it. Run alone, it counts every parse of
/// the process: `RULEGATE_CORPUS=... cargo test --lib -- --ignored corpus`.
#[test]
#[ignore = "needs RULEGATE_CORPUS and the process to itself"]
fn on_a_corpus_a_unique_rule_parses_no_file_twice() {
    use std::sync::atomic::Ordering;
    let corpus = std::path::PathBuf::from(std::env::var("RULEGATE_CORPUS").unwrap());
    let pack = |unique: &str| {
        format!(
            "[pack]\nname = \"m\"\n[[rule]]\nid = \"M001\"\nseverity = \"error\"\n\
             prefilter = [\"getLogger\"]\nmessage = \"{{NAME}}\"\npattern = \"$F($NAME)\"\n\
             where.F.regex = \"getLogger$\"\n{unique}report = \"NAME\"\n"
        )
    };
    let mut counts = Vec::new();
    for (unique, threads) in [
        ("", 2),
        ("where.NAME.unique = \"repository\"\n", 2),
        ("where.NAME.unique = \"repository\"\n", 1),
    ] {
        std::fs::write(corpus.join("m.toml"), pack(unique)).unwrap();
        std::fs::write(
            corpus.join("rulegate.toml"),
            "packs = [\"m.toml\"]\n[lanes.production]\npaths = [\"**\"]\n",
        )
        .unwrap();
        let run = Run::load(
            None,
            &corpus,
            &[],
            &[],
            crate::dates::Date::constant(2026, 1, 1),
        )
        .unwrap();
        let before = crate::parse::PARSES.load(Ordering::Relaxed);
        let start = std::time::Instant::now();
        let out = lint(
            &run,
            &LintOptions {
                paths: vec![corpus.clone()],
                threads: Some(threads),
                ..Default::default()
            },
        )
        .unwrap();
        let parses = crate::parse::PARSES.load(Ordering::Relaxed) - before;
        let found = out.findings.iter().filter(|f| &*f.rule == "M001").count();
        let index = super::memo(&run).built().map(|i| (i.parses(), i.handed()));
        eprintln!(
            "unique={} threads={threads}: {} files, {} checked with a tree, {parses} parses, index {index:?}, {found} M001, {:?}",
            !unique.is_empty(),
            out.files.len(),
            out.files_parsed,
            start.elapsed()
        );
        counts.push((parses, out.files_parsed));
    }
    assert_eq!(counts[2].0, counts[0].0, "one thread: no file parsed twice");
    assert!(counts[1].0 <= counts[0].0 + 2, "two threads: {counts:?}");
}
