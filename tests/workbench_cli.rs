//! The pack author's workbench: `rulegate query`, `rulegate tree --all` and
//! `-`, and what `rulegate test` says about a failing example.

mod common;

use common::*;

const SLEEPS: &str = "import time\nasync def a():\n    def b():\n        time.sleep(1)\n    if x:\n        for y in z:\n            time.sleep(2)\n    f = lambda: time.sleep(3)\n";

#[test]
fn query_lists_matches_with_captures_and_takes_where_constraints() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", SLEEPS)]);
    let q = "(call function: (attribute object: (identifier) @m attribute: (identifier) @f)) @call";
    let (code, out, err) = run_in(
        dir.path(),
        &[
            "query",
            "a.py",
            q,
            "--where",
            "m.in=time",
            "--where",
            "call.inside={ query = '(function_definition \"async\") @d', stop_at = [\"function_definition\"] }",
        ],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
    // Nothing matches: exit 1, as grep.
    let (code, out, _) = run_in(dir.path(), &["query", "a.py", q, "--where", "f.in=nap"]);
    assert_eq!(code, 1);
    assert_eq!(out, "0 matches\n");
    // JSON.
    let (code, out, _) = run_in(dir.path(), &["query", "a.py", q, "--json", "--report", "f"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[0]["reported"]["start"]["line"], 4);
    assert_eq!(v[0]["captures"][0]["kind"], "call");
    assert_eq!(v[0]["captures"][2]["text"], "sleep");
}

#[test]
fn query_errors_point_at_the_query_or_the_where() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", "x\n")]);
    for args in [
        vec!["query", "a.py", "(call"],
        vec!["query", "a.py", "(call) @c", "--where", "c.colour=red"],
        vec!["query", "a.py", "(call) @c", "--where", "nope"],
        vec!["query", "a.py", "(call) @c", "--where", "x.in=a"],
        vec!["query", "a.py", "((identifier) @x (#is-not? local))"],
        vec!["query", "missing.py", "(call) @c"],
    ] {
        let (code, out, err) = run_in(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn tree_reads_stdin_and_shows_anonymous_tokens_with_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = rulegate(dir.path());
    c.args(["tree", "-", "--all"])
        .write_stdin("async def f(): x == None\n");
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("    \"async\" [1:1]\n"), "{out}");
    assert!(out.contains("operators: \"==\""), "{out}");
    let mut c = rulegate(dir.path());
    c.args(["query", "-", "(function_definition \"async\") @f"])
        .write_stdin("async def f(): pass\ndef g(): pass\n");
    let (code, out, _) = run(c);
    assert_eq!(code, 0);
    assert!(out.starts_with("-:1:1: match 1\n"), "{out}");
    assert!(out.ends_with("1 match\n"), "{out}");
    // Without --all, tokens are hidden.
    let mut c = rulegate(dir.path());
    c.args(["tree", "-"]).write_stdin("async def f(): pass\n");
    let (_, out, _) = run(c);
    assert!(!out.contains("\"async\""), "{out}");
}

const HEAD: &str = "[pack]\nname = \"p\"\n";

#[test]
fn a_minimal_rule_is_four_keys_and_its_summary_is_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let pack = format!(
        "{HEAD}[[rule]]\nid = \"P001\"\nseverity = \"error\"\nmessage = \"eval of {{f}}\"\nquery = \"(call function: (identifier) @f) @c\"\nwhere.f.in = [\"eval\"]\n"
    );
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"p.toml\"]\n"),
            ("p.toml", &pack),
            ("a.py", "eval(1)\n"),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("a.py:1:1: P001 eval of eval"), "{out}");
    let (_, out, _) = run_in(dir.path(), &["rules"]);
    assert!(out.contains("eval of {f}"), "{out}");
}

#[test]
fn the_rules_table_fits_long_ids() {
    let dir = tempfile::tempdir().unwrap();
    let pack = "[pack]\nname = \"a-long-pack-name\"\n[[rule]]\nid = \"VERY-LONG-RULE-ID-001\"\nseverity = \"info\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n";
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", "packs = [\"p.toml\"]\n"),
            ("p.toml", pack),
        ],
    );
    let (code, out, _) = run_in(dir.path(), &["rules"]);
    assert_eq!(code, 0);
    // Every row's severity starts in the same column.
    let cols: Vec<usize> = out
        .lines()
        .skip(1)
        .map(|l| {
            ["error", "warning", "info"]
                .iter()
                .filter_map(|s| l.find(&format!(" {s} ")))
                .min()
                .unwrap()
        })
        .collect();
    assert!(cols.windows(2).all(|w| w[0] == w[1]), "{out}");
}

#[test]
fn test_validates_packs_as_lint_does() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "[[rule]]\nid = \"P001\"\nseverity = \"info\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n";
    write_files(
        dir.path(),
        &[
            ("dup.toml", &format!("{HEAD}{rule}{rule}")),
            ("lane.toml", &format!("{HEAD}{rule}lanes = [\"nowhere\"]\n")),
        ],
    );
    let (code, _, err) = run_in(dir.path(), &["test", "dup.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("duplicate rule id `P001`"), "{err}");
    let (code, _, err) = run_in(dir.path(), &["test", "lane.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown lane `nowhere`"), "{err}");
}

#[test]
fn a_failing_example_says_why_the_fix_did_not_happen() {
    let dir = tempfile::tempdir().unwrap();
    let pack = format!(
        r#"{HEAD}[[rule]]
id = "P001"
severity = "error"
message = "m"
prefilter = ["evil"]
query = "(call function: (identifier) @f) @c"
where.f.in = ["eval"]
[[rule.tests]]
code = """
x = 1
eval(1)
"""
expect = ["P001@2"]
[[rule]]
id = "P002"
severity = "error"
message = "m"
query = "(call function: (identifier) @f) @c"
where.f.in = ["exec"]
fix = {{ script = "bad.rhai" }}
[[rule.tests]]
code = "exec(1)\n"
fixed = "run(1)\n"
[[rule]]
id = "P003"
severity = "error"
message = "m"
query = "(call function: (identifier) @f) @c"
where.f.in = ["spam"]
fix = "spam("
[[rule.tests]]
code = "spam(1)\n"
fixed = "ham(1)\n"
[[rule.tests]]
code = """
x = 1

spam(1)
"""
expect = ["P003@2"]
"#
    );
    write_files(
        dir.path(),
        &[
            ("p.toml", &pack),
            ("bad.rhai", "fn fix(m) { throw \"no way\" }\n"),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["test", "p.toml"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn query_takes_a_pattern_and_prints_what_it_compiles_to() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("a.py", SLEEPS)]);
    let (code, out, err) = run_in(
        dir.path(),
        &["query", "a.py", "--pattern", "time.sleep($S)"],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
    // A pattern that is not Python, or a lower-case metavariable: exit 2,
    // with the place; a pattern and a query together: a usage error.
    for args in [
        vec!["query", "a.py", "--pattern", "time.sleep("],
        vec!["query", "a.py", "--pattern", "f($x)"],
        vec!["query", "a.py", "(call) @c", "--pattern", "f()"],
    ] {
        let (code, out, err) = run_in(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let (_, _, err) = run_in(dir.path(), &["query", "a.py", "--pattern", "f($x)"]);
    assert!(err.contains("invalid pattern at byte 2"), "{err}");
}
