//! Pack loading and pack tests: every built-in pack's examples pass, and every
//! malformed pack or config is an exit-2 report pointing at the right span.

mod common;

use common::*;

#[test]
fn builtin_and_example_pack_tests_pass() {
    let (code, out, err) = run_in(
        &repo(),
        &[
            "test",
            "builtin:core",
            "builtin:t4",
            "examples/custom-pack/team.toml",
            "examples/everyday-pack/everyday.toml",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn a_failing_pack_test_fails_with_expected_versus_found() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "p.toml",
            r#"[pack]
name = "p"
[[rule]]
id = "P001"
severity = "error"
summary = "s"
message = "m"
query = "(call function: (identifier) @f) @c"
where.f.in = ["eval"]
fix = "safe_eval()"
[[rule.tests]]
code = "eval(1)\n"
expect = ["P001@2"]
[[rule.tests]]
code = "eval(1)\n"
fixed = "other()\n"
"#,
        )],
    );
    let (code, out, _) = run_in(dir.path(), &["test", "p.toml"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

/// Writes a pack with `rule_body` and returns `rulegate lint`'s stderr.
fn load_error(config: &str, pack: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", config),
            ("team.toml", pack),
            ("a.py", "x = 1\n"),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 2, "{out}{err}");
    // Temporary folder names differ between runs.
    err.replace(&dir.path().display().to_string(), "[TMP]")
}

const CONFIG: &str = "packs = [\"team.toml\"]\n[lanes.production]\npaths = [\"**\"]\n";
const HEAD: &str = "[pack]\nname = \"team\"\n[[rule]]\nid = \"T001\"\nsummary = \"s\"\n";

#[test]
fn loader_errors_point_at_spans() {
    let cases = [
        (
            "unknown_key",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\ncolour = 1\n"
            ),
        ),
        (
            "bad_severity",
            CONFIG,
            format!("{HEAD}severity = \"fatal\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n"),
        ),
        (
            "bad_glob",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\npaths = [\"core/[\"]\n"
            ),
        ),
        (
            "bad_regex",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\nwhere.x.regex = \"(unclosed\"\n"
            ),
        ),
        (
            "bad_query",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = '''\n(call\n  function: (identifer) @f)\n'''\n"
            ),
        ),
        (
            "unknown_capture",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"{{nope}} here\"\nquery = \"(identifier) @x\"\n"
            ),
        ),
        (
            "unknown_lane",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\nlanes = [\"prod\"]\n"
            ),
        ),
        (
            "duplicate_id",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n[[rule]]\nid = \"T001\"\nsummary = \"s\"\nseverity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n"
            ),
        ),
        (
            // SUP006 fills only `message`: naming `rule` is an error at the span.
            "variable_the_check_does_not_fill",
            CONFIG,
            format!(
                "{HEAD}severity = \"warning\"\nmessage = \"{{rule}}: {{message}}\"\nanalyzer = \"suppression\"\noptions.check = \"malformed\"\n"
            ),
        ),
        (
            "unknown_analyzer",
            CONFIG,
            format!("{HEAD}severity = \"error\"\nmessage = \"m\"\nanalyzer = \"magic\"\n"),
        ),
        (
            "bad_script",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\nfix = {{ script = \"missing.rhai\" }}\n"
            ),
        ),
        (
            "unknown_rule_override",
            "packs = [\"team.toml\"]\n[rules.NOPE1]\nseverity = \"warning\"\n",
            format!("{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n"),
        ),
        (
            "bad_date",
            "packs = [\"team.toml\"]\n[[exceptions]]\nrule = \"T001\"\npath = \"a.py\"\nreason = \"r\"\nexpires = \"2025-02-30\"\n",
            format!("{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n"),
        ),
        (
            "bad_target_version",
            "packs = [\"team.toml\"]\ntarget-version = \"py2\"\n",
            format!("{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n"),
        ),
        ("malformed_toml", CONFIG, "[pack\nname = 1\n".to_string()),
        (
            // Every missing key of every rule, in one run.
            "missing_keys",
            CONFIG,
            "[pack]\nname = \"team\"\n[[rule]]\nid = \"T001\"\nquery = \"(identifier) @x\"\n[[rule]]\nseverity = \"error\"\n".to_string(),
        ),
        (
            // serde's type names never reach the user.
            "constraint_not_a_table",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call function: (identifier) @fn)\"\nwhere.fn = \"^print$\"\n"
            ),
        ),
        (
            // A broken query is one error, not also one per capture it names.
            "broken_query_no_cascade",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"{{f}} is bad\"\nquery = \"(call function: (identifer) @f)\"\nreport = \"f\"\nfix = \"g({{f}})\"\n"
            ),
        ),
        (
            "ignored_predicate",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"((identifier) @x (#is-not? local))\"\n"
            ),
        ),
        (
            "bad_expect",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(identifier) @x\"\n[[rule.tests]]\ncode = \"x\\n\"\nexpect = [\"E1:1\"]\n"
            ),
        ),
        (
            "empty_braces",
            CONFIG,
            format!("{HEAD}severity = \"error\"\nmessage = \"use {{}} here\"\nquery = \"(identifier) @x\"\n"),
        ),
        (
            "bad_relation_query",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call) @c\"\nwhere.c.inside = '(function_definitio) @d'\n"
            ),
        ),
        (
            "bad_relation_value",
            CONFIG,
            format!("{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call) @c\"\nwhere.c.has = 3\n"),
        ),
        (
            "relation_unknown_key",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call) @c\"\nwhere.c.has = {{ query = '(identifier)', depth = 1 }}\n"
            ),
        ),
        (
            "relation_stop_at_on_has",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call) @c\"\nwhere.c.has = {{ query = '(identifier)', stop_at = [\"block\"] }}\n"
            ),
        ),
        (
            "relation_unknown_stop_kind",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call) @c\"\nwhere.c.inside = [{{ query = '(block)', stop_at = [\"function_def\"] }}]\n"
            ),
        ),
        (
            "relation_max_depth_zero",
            CONFIG,
            format!(
                "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call) @c\"\nwhere.c.not_has = {{ query = '(identifier)', max_depth = 0 }}\n"
            ),
        ),
    ];
    for (name, config, pack) in cases {
        insta::assert_snapshot!(name, load_error(config, &pack));
    }
}

/// A check of `analyzer = "imports"` takes only its own options: a key of
/// another check is a load error at the key, naming the keys it takes.
#[test]
fn a_key_of_another_check_is_a_load_error() {
    let imports = format!("{HEAD}severity = \"error\"\nmessage = \"m\"\nanalyzer = \"imports\"\n");
    let cases = [
        (
            "lanes_rule_with_renames",
            format!(
                "{imports}[rule.options]\ncheck = \"lanes\"\ntyping_only = \"exempt\"\n\
                 renames = [{{ from = \"a\", to = \"b\" }}]\n"
            ),
        ),
        (
            "legacy_rule_with_typing_only",
            format!(
                "{imports}[rule.options]\ncheck = \"legacy\"\ntyping_only = \"exempt\"\n\
                 [[rule.options.renames]]\nfrom = \"a\"\nto = \"b\"\n"
            ),
        ),
    ];
    for (name, pack) in cases {
        let err = load_error(CONFIG, &pack);
        assert!(err.contains("takes only `check`"), "{err}");
        insta::assert_snapshot!(name, err);
    }
}

#[test]
fn a_capture_named_like_a_rhai_keyword_gets_the_fix_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let pack = format!(
        "{HEAD}severity = \"error\"\nmessage = \"m\"\nquery = \"(call function: (identifier) @fn) @c\"\nreport = \"fn\"\nfix = {{ script = \"f.rhai\" }}\n"
    );
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", CONFIG),
            ("team.toml", &pack),
            ("f.rhai", "fn fix(m) { m.captures.fn.text }\n"),
            ("a.py", "x = 1\n"),
        ],
    );
    let (code, _, err) = run_in(dir.path(), &["lint"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("m.captures[\"fn\"]"), "{err}");
    // The indexed form works.
    std::fs::write(
        dir.path().join("f.rhai"),
        "fn fix(m) { if m.captures[\"fn\"].text == \"print\" { \"log\" } }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a.py"), "print(1)\n").unwrap();
    let (code, out, err) = run_in(dir.path(), &["lint", "--diff", "--unsafe-fixes"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("+log(1)"), "{out}");
}

#[test]
fn captures_some_matches_leave_unbound_are_warned_about_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let pack = format!(
        "{HEAD}severity = \"error\"\nmessage = \"{{name}} called\"\nquery = '''\n[(call function: (identifier) @name) (call function: (attribute))] @c\n'''\nwhere.name.regex = \"^p\"\n"
    );
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", CONFIG),
            ("team.toml", &pack),
            ("a.py", "print(1)\nos.print(2)\n"),
        ],
    );
    let (code, out, err) = run_in(dir.path(), &["lint", "--format", "concise"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out.matches("T001").count(), 1, "{out}");
    let err = err.replace(&dir.path().display().to_string(), "[TMP]");
    insta::assert_snapshot!(err);
}

#[test]
fn relational_constraint_pack_tests_pass() {
    let (code, out, err) = run_in(&repo(), &["test", "tests/fixtures/packs/relations.toml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("8 passed, 0 failed"), "{out}");
    // REL008 names a capture its attribute branch leaves unbound.
    assert!(
        err.contains("capture `@attr` is not bound in every match"),
        "{err}"
    );
}

/// Each engine and suppression check fills every variable it declares: a
/// pack whose messages name all of them renders no empty value.
#[test]
fn suppression_checks_fill_every_variable_they_declare() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |id: &str, check: &str, vars: &[&str]| {
        let message: Vec<String> = vars.iter().map(|v| format!("{v}=<{{{v}}}>")).collect();
        format!(
            "[[rule]]\nid = \"{id}\"\nseverity = \"warning\"\nanalyzer = \"suppression\"\noptions.check = \"{check}\"\nmessage = \"{}\"\n",
            message.join(" ")
        )
    };
    let mut pack = "[pack]\nname = \"team\"\n[[rule]]\nid = \"T001\"\nseverity = \"error\"\nmessage = \"m\"\nquery = \"(call function: (identifier) @f (#eq? @f \\\"boom\\\"))\"\nsuppression.require_reason = true\n".to_string();
    for (id, check) in [
        ("T101", "missing-reason"),
        ("T102", "expired"),
        ("T103", "expiring"),
        ("T104", "unused"),
        ("T105", "blanket"),
        ("T106", "malformed"),
    ] {
        let vars = rulegate_check_variables(check);
        pack.push_str(&rule(id, check, &vars));
    }
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "packs = [\"team.toml\"]\n[[exceptions]]\nrule = \"T001\"\npath = \"b.py\"\nreason = \"r\"\nexpires = \"2026-01-01\"\n[[exceptions]]\nrule = \"T001\"\npath = \"c.py\"\nreason = \"r\"\nexpires = \"2026-12-10\"\n",
            ),
            ("team.toml", &pack),
            (
                "a.py",
                "boom()  # noqa: T001\nboom()  # noqa: T001 -- old until=2026-01-01\nboom()  # noqa: T001 -- soon until=2026-12-10\nx = 1  # noqa: T001 -- nothing here\ny = 2  # noqa -- generated\nz = 3  # noqa:\n",
            ),
            ("b.py", "x = 1\n"),
            ("c.py", "boom()\n"),
        ],
    );
    let (_, out, err) = run_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "concise",
            "--today",
            "2026-12-05",
            "--no-cache",
        ],
    );
    for id in ["T101", "T102", "T103", "T104", "T105", "T106"] {
        assert!(out.contains(id), "{id} not reported:\n{out}{err}");
    }
    assert!(
        !out.contains("<>"),
        "a declared variable rendered empty:\n{out}"
    );
}

/// The variables a suppression check declares, read from the library.
fn rulegate_check_variables(check: &str) -> Vec<&'static str> {
    rulegate::rule::SuppressionCheck::from_name(check)
        .unwrap()
        .variables()
        .to_vec()
}

#[test]
fn a_bad_pattern_is_a_load_error_at_its_place() {
    let err = load_error(
        CONFIG,
        &format!("{HEAD}severity = \"error\"\nmessage = \"m\"\npattern = \"f($lower)\"\n"),
    );
    assert!(err.contains("invalid pattern"), "{err}");
    assert!(
        err.contains("a metavariable is `$` then capital letters"),
        "{err}"
    );
    let err = load_error(
        CONFIG,
        &format!(
            "{HEAD}severity = \"error\"\nmessage = \"m\"\npattern = \"f($X)\"\nquery = \"(call) @c\"\n"
        ),
    );
    assert!(err.contains("one matcher"), "{err}");
    // A pattern's metavariables are its captures: `where` and `report` see them.
    let err = load_error(
        CONFIG,
        &format!(
            "{HEAD}severity = \"error\"\nmessage = \"m\"\npattern = \"f($X)\"\nreport = \"Y\"\n"
        ),
    );
    assert!(err.contains("the query has no capture `@Y`"), "{err}");
}
