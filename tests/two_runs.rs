//! Two `Run`s in one process share no state: each, linting its own project
//! with its own config in parallel with the other, gives exactly what it
//! gives alone. One has its cache and stores on (it records what each
//! result depends on, reads and writes symbol tables and query shapes), the
//! other has neither and a different selection of rules.

use std::path::Path;

use rulegate::lint::{LintOptions, lint};
use rulegate::report::{Format, render};
use rulegate::run::Run;

fn write_files(root: &Path, files: &[(String, String)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// A project whose modules import names from one another in a chain (some
/// missing: STUB001) deeper than the pass checks modules ahead, and across
/// lanes (LANE001 where `production` may not import `candidate`).
fn project(root: &Path, config: &str, modules: usize) {
    let mut files = vec![
        ("rulegate.toml".to_string(), config.to_string()),
        ("core/__init__.py".to_string(), String::new()),
        ("candidate/__init__.py".to_string(), String::new()),
        ("candidate/tool.py".to_string(), "TOOL = 1\n".to_string()),
    ];
    for i in 0..modules {
        let next = if i + 1 < modules {
            format!("from core.m{:02} import X, MISSING{i}\n", i + 1)
        } else {
            String::new()
        };
        let lane = if i % 3 == 0 {
            "from candidate.tool import TOOL\n"
        } else {
            ""
        };
        let late = if i % 4 == 0 {
            "X = 1\nimport os\n"
        } else {
            "X = 1\n"
        };
        files.push((format!("core/m{i:02}.py"), format!("{next}{lane}{late}")));
    }
    write_files(root, &files);
}

/// How one run is set up.
#[derive(Clone, Copy)]
struct Setup<'a> {
    root: &'a Path,
    select: &'a [&'a str],
    cache: bool,
}

/// Loads a fresh `Run` and lints the whole project; the JSON output.
fn lint_json(s: Setup) -> String {
    let select: Vec<String> = s.select.iter().map(|x| x.to_string()).collect();
    let today = "2026-11-21".parse::<rulegate::Date>().unwrap();
    let run = Run::load_with_store(None, s.root, &select, &[], today, s.cache).unwrap();
    let out = lint(
        &run,
        &LintOptions {
            paths: vec![s.root.to_path_buf()],
            threads: Some(2),
            cache: s.cache,
            ..Default::default()
        },
    )
    .unwrap();
    render(&out, Format::Json, false, &[], &run.rules, false)
}

#[test]
fn two_runs_in_parallel_each_give_their_solo_output() {
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    project(
        a_dir.path(),
        "[lanes.production]\npaths = [\"core/**\"]\nmay_import = [\"production\"]\n\
         [lanes.candidate]\npaths = [\"candidate/**\"]\n",
        14,
    );
    project(b_dir.path(), "[lanes.integration]\npaths = [\"**\"]\n", 11);
    let a = Setup {
        root: a_dir.path(),
        select: &[],
        cache: true,
    };
    let b = Setup {
        root: b_dir.path(),
        select: &["STUB", "E402"],
        cache: false,
    };
    let cache = a.root.join(rulegate::CACHE_FOLDER);

    // Alone: A cold (recording facts, writing its stores), then B.
    let a_solo = lint_json(a);
    assert!(cache.is_dir(), "A's run wrote its cache");
    let b_solo = lint_json(b);
    assert!(
        !b.root.join(rulegate::CACHE_FOLDER).exists(),
        "B has no cache"
    );
    for (out, wanted) in [
        (&a_solo, "LANE001"),
        (&a_solo, "STUB001"),
        (&b_solo, "STUB001"),
    ] {
        assert!(out.contains(wanted), "{wanted} in {out}");
    }
    assert!(!b_solo.contains("LANE001"), "B did not select it");
    assert!(a_solo.contains("E402") && b_solo.contains("E402"));

    // Together, several times: A alternately cold and from its cache.
    std::thread::scope(|scope| {
        let a_thread = scope.spawn(|| {
            (0..4)
                .map(|i| {
                    if i % 2 == 0 {
                        std::fs::remove_dir_all(&cache).unwrap();
                    }
                    lint_json(a)
                })
                .collect::<Vec<_>>()
        });
        let b_thread = scope.spawn(|| (0..4).map(|_| lint_json(b)).collect::<Vec<_>>());
        for out in a_thread.join().unwrap() {
            assert_eq!(out, a_solo);
        }
        for out in b_thread.join().unwrap() {
            assert_eq!(out, b_solo);
        }
    });

    // What A's cache recorded while B ran beside it still invalidates
    // exactly A's dependents: the end of the chain stops defining `X`.
    let last = a.root.join("core/m13.py");
    std::fs::write(&last, "Y = 1\n").unwrap();
    let warm = lint_json(a);
    let cold = lint_json(Setup { cache: false, ..a });
    assert_eq!(warm, cold);
    assert_ne!(warm, a_solo, "m12 imports a name m13 no longer defines");
}
