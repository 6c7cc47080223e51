use super::*;
use crate::workbench;

/// The texts a pattern matches in `code` (the whole match each time).
fn matches(pattern: &str, code: &str) -> Vec<String> {
    let compiled = compile(pattern).unwrap_or_else(|e| panic!("{pattern}: {e:?}"));
    let matcher = workbench::compile(&compiled.query, &[], Some(MATCH_CAPTURE))
        .unwrap_or_else(|e| panic!("{pattern} -> {}: {e:?}", compiled.query));
    let probe = workbench::run(&matcher, code).expect("runs");
    probe
        .matches
        .iter()
        .map(|m| {
            m.captures
                .iter()
                .find(|c| c.name == MATCH_CAPTURE)
                .expect("the match capture")
                .text
                .clone()
        })
        .collect()
}

/// The text captured as `name` in each match.
fn captured(pattern: &str, code: &str, name: &str) -> Vec<String> {
    let compiled = compile(pattern).expect("compiles");
    let matcher = workbench::compile(&compiled.query, &[], None).expect("valid query");
    let probe = workbench::run(&matcher, code).expect("runs");
    probe
        .matches
        .iter()
        .filter_map(|m| {
            m.captures
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.text.clone())
        })
        .collect()
}

#[test]
fn a_call_with_metavariables() {
    let code = "import time\ntime.sleep(1)\nsleep(2)\ntime.sleep(1, 2)\n";
    assert_eq!(matches("time.sleep($S)", code), ["time.sleep(1)"]);
    assert_eq!(captured("time.sleep($S)", code, "S"), ["1"]);
    assert_eq!(matches("$F($A)", code), ["time.sleep(1)", "sleep(2)"]);
}

#[test]
fn many_matches_any_number_of_siblings() {
    let code = "f()\nf(1)\nf(1, 2, x=3)\ng(1)\n";
    assert_eq!(matches("f($$$ARGS)", code), ["f()", "f(1)", "f(1, 2, x=3)"]);
    assert_eq!(matches("f($A, $$$REST)", code), ["f(1)", "f(1, 2, x=3)"]);
    assert_eq!(matches("f($$$ARGS, x=3)", code), ["f(1, 2, x=3)"]);
}

#[test]
fn the_same_metavariable_twice_matches_the_same_text() {
    let code = "a == a\na == b\nx.y == x.y\n";
    assert_eq!(matches("$X == $X", code), ["a == a", "x.y == x.y"]);
}

#[test]
fn anonymous_metavariables_do_not_capture_or_tie() {
    let code = "a == b\n";
    assert_eq!(matches("$_ == $_", code), ["a == b"]);
    let compiled = compile("$_ == $_").expect("compiles");
    assert!(compiled.metavariables.is_empty());
}

#[test]
fn strictness_comments_commas_parentheses_and_quotes_do_not_matter() {
    let code = "f(1,)\nf( # why\n  1)\nf((1))\n(open)(\"p\")\nopen('p')\n";
    // A comment between anchored items counts (tree-sitter's anchors do
    // not skip it); elsewhere comments do not matter.
    assert_eq!(matches("f(1)", code), ["f(1,)", "f((1))"]);
    assert_eq!(
        matches("f($$$A)", code),
        ["f(1,)", "f( # why\n  1)", "f((1))"]
    );
    assert_eq!(matches("x = 1 # set", "x = 1\n"), ["x = 1"]);
    assert_eq!(matches("open(\"p\")", code), ["(open)(\"p\")", "open('p')"]);
    assert_eq!(matches("(f)((1))", "f(1)\n"), ["f(1)"]);
}

#[test]
fn operators_and_keywords_are_kept() {
    let code = "a + b\na - b\nx in y\nx not in y\n";
    assert_eq!(matches("$A + $B", code), ["a + b"]);
    assert_eq!(matches("$A not in $B", code), ["x not in y"]);
    let code = "def f(): pass\nasync def g(): pass\n";
    assert_eq!(captured("async def $F(): $$$BODY", code, "F"), ["g"]);
}

#[test]
fn statements_and_blocks() {
    let code = "try:\n    import x\nexcept ImportError:\n    x = None\n";
    assert_eq!(
        captured(
            "try:\n    $$$BODY\nexcept ImportError:\n    $X = None",
            code,
            "X"
        ),
        ["x"]
    );
    assert_eq!(matches("pass", "if x:\n    pass\n"), ["pass"]);
    assert_eq!(matches("f()", "f()\nf( )\nf(1)\n"), ["f()", "f( )"]);
}

#[test]
fn strings_compare_by_content() {
    let code = "log('a')\nlog(\"a\")\nlog('b')\nlog('')\nlog(f'{x}')\n";
    assert_eq!(matches("log('a')", code), ["log('a')", "log(\"a\")"]);
    assert_eq!(matches("log(\"\")", code), ["log('')"]);
    assert_eq!(matches("log(f'{$X}')", code), ["log(f'{x}')"]);
}

#[test]
fn bad_patterns_are_refused_with_a_place() {
    let e = compile("f(").expect_err("not Python");
    assert!(e.message.contains("not Python"), "{e:?}");
    let e = compile("f($x)").expect_err("lower-case metavariable");
    assert_eq!(e.offset, 2);
    let e = compile("a = 1\nb = 2").expect_err("two statements");
    assert!(e.message.contains("one statement"), "{e:?}");
}

#[test]
fn metavariables_are_listed_once_in_order() {
    let compiled = compile("$F($A, $A, $$$REST)").expect("compiles");
    assert_eq!(compiled.metavariables, ["F", "A"]);
}

/// The whole matches of `pattern` in `code` whose `$F` resolves to one of
/// `names`.
fn resolving(pattern: &str, names: &str, code: &str) -> Vec<String> {
    let compiled = compile(pattern).expect("compiles");
    let wheres = [format!("F.resolves_to={names}")];
    let matcher = workbench::compile(&compiled.query, &wheres, Some(MATCH_CAPTURE)).expect("valid");
    let probe = workbench::run(&matcher, code).expect("runs");
    probe
        .matches
        .iter()
        .map(|m| {
            m.captures
                .iter()
                .find(|c| c.name == MATCH_CAPTURE)
                .unwrap()
                .text
                .clone()
        })
        .collect()
}

#[test]
fn resolves_to_follows_imports_aliases_and_shadowing() {
    let names = "importlib.import_module";
    // Imports and aliases.
    let code = "import importlib\nimportlib.import_module('a')\n";
    assert_eq!(
        resolving("$F($$$A)", names, code),
        ["importlib.import_module('a')"]
    );
    let code = "from importlib import import_module as im\nim('a')\nimport_module('b')\n";
    assert_eq!(resolving("$F($$$A)", names, code), ["im('a')"]);
    let code = "import importlib as il\nil.import_module('a')\n";
    assert_eq!(
        resolving("$F($$$A)", names, code),
        ["il.import_module('a')"]
    );
    // A local function of the same name is not the import.
    let code = "def import_module(x):\n    return x\nimport_module('a')\n";
    assert!(resolving("$F($$$A)", names, code).is_empty());
    // A parameter shadows the import inside its function only.
    let code = "from importlib import import_module\ndef f(import_module):\n    import_module('a')\nimport_module('b')\n";
    assert_eq!(resolving("$F($$$A)", names, code), ["import_module('b')"]);
    // A name nothing binds is a builtin.
    let code = "open('p')\ndef g(open):\n    open('q')\n";
    assert_eq!(resolving("$F($$$A)", "builtins.open", code), ["open('p')"]);
}

#[test]
fn not_resolves_to_passes_what_resolves_elsewhere_or_nowhere() {
    let compiled = compile("$F($$$A)").expect("compiles");
    let wheres = [
        "F.not_resolves_to=builtins.print".to_string(),
        "F.in=print".to_string(),
    ];
    let matcher = workbench::compile(&compiled.query, &wheres, Some(MATCH_CAPTURE)).expect("valid");
    let code = "print(1)\ndef f():\n    from rich import print\n    print(2)\n";
    let probe = workbench::run(&matcher, code).expect("runs");
    let lines: Vec<usize> = probe
        .matches
        .iter()
        .map(|m| m.reported.start.line)
        .collect();
    assert_eq!(lines, [4]);
}
