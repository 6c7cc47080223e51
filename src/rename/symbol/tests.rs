use super::*;
use crate::imports::resolve::Resolver;

/// `code` (the module `module`, file `rel`) after renaming `pkg.mod.Old`
/// to `New` (`pkg` re-exports it), with what the engine refused or could
/// not prove.
fn renamed(module: &str, rel: &str, alias: bool, code: &str) -> (String, SymbolOutcome) {
    let resolver = Resolver::new(
        std::path::Path::new("/nonexistent"),
        &[std::path::PathBuf::from("/nonexistent")],
    );
    let modules = vec!["pkg.mod".to_string(), "pkg".to_string()];
    let engine = SymbolRename {
        old: "Old",
        new: "New",
        modules: &modules,
        module,
        relative: Some((&resolver, rel)),
        string_calls: &[],
        alias,
    };
    let tree = crate::parse::Worker::new().parse(code).unwrap();
    let names = NameModel::build(&tree, code);
    let file = Parsed {
        text: code,
        tree: &tree,
        sites: &[],
        names: &names,
    };
    let outcome = engine.rewrites(&file);
    let edits: Vec<(Range<usize>, &str)> = outcome
        .rewrites
        .iter()
        .map(|r| (r.range.clone(), r.after.as_str()))
        .collect();
    (crate::fix::apply_edits(code, &edits), outcome)
}

fn importer(code: &str) -> String {
    let (text, outcome) = renamed("app.x", "app/x.py", false, code);
    assert!(outcome.refusals.is_empty(), "{:?}", outcome.refusals);
    text
}

#[test]
fn the_definition_and_its_uses_are_renamed_not_a_parameter_or_a_local() {
    let code = "class Old:\n    pass\n\n\ndef f(Old):\n    return Old\n\n\ndef g():\n    return Old()\n\n\ndef h():\n    Old = 1\n    return Old\n";
    let (text, outcome) = renamed("pkg.mod", "pkg/mod.py", false, code);
    assert!(outcome.refusals.is_empty());
    assert_eq!(
        text,
        "class New:\n    pass\n\n\ndef f(Old):\n    return Old\n\n\ndef g():\n    return New()\n\n\ndef h():\n    Old = 1\n    return Old\n"
    );
}

#[test]
fn imports_keep_their_alias_and_chains_reach_through_modules_and_reexports() {
    assert_eq!(
        importer("from pkg.mod import Old\nfrom pkg.mod import Old as X\nOld(X)\n"),
        "from pkg.mod import New\nfrom pkg.mod import New as X\nNew(X)\n"
    );
    assert_eq!(
        importer(
            "import pkg.mod\nimport pkg.mod as m\nfrom pkg import mod\npkg.mod.Old, m.Old, mod.Old, pkg.Old, m.Other\n"
        ),
        "import pkg.mod\nimport pkg.mod as m\nfrom pkg import mod\npkg.mod.New, m.New, mod.New, pkg.New, m.Other\n"
    );
    // `pkg.other.Old` is another module's name.
    assert_eq!(
        importer("import pkg.other\npkg.other.Old\n"),
        "import pkg.other\npkg.other.Old\n"
    );
}

#[test]
fn patch_strings_and_literal_getattr_are_renamed_and_a_computed_name_is_listed() {
    let code = "from unittest import mock\nimport pkg.mod as m\nmock.patch(\"pkg.mod.Old.f\")\nmock.patch(\"pkg.mod.Older\")\ngetattr(m, \"Old\")\ngetattr(m, name)\n";
    let (text, outcome) = renamed("app.x", "app/x.py", false, code);
    assert_eq!(
        text,
        "from unittest import mock\nimport pkg.mod as m\nmock.patch(\"pkg.mod.New.f\")\nmock.patch(\"pkg.mod.Older\")\ngetattr(m, \"New\")\ngetattr(m, name)\n"
    );
    assert_eq!(outcome.unprovable.len(), 1);
    assert_eq!(outcome.unprovable[0].line, 6);
}

#[test]
fn the_new_name_where_the_rename_lands_is_refused() {
    let (_, outcome) = renamed(
        "app.x",
        "app/x.py",
        false,
        "from pkg.mod import Old\n\n\ndef f():\n    New = 1\n    return Old, New\n",
    );
    assert_eq!(outcome.refusals.len(), 1, "{:?}", outcome.refusals);
    assert_eq!(outcome.refusals[0].line, 5);
    let (_, outcome) = renamed(
        "app.x",
        "app/x.py",
        false,
        "from pkg.mod import Old\nOld = Old()\n",
    );
    assert!(
        outcome.refusals[0].reason.contains("bound again"),
        "{:?}",
        outcome.refusals
    );
}

#[test]
fn the_definition_check_wants_a_top_level_def_or_class_and_a_free_name() {
    let check = |code: &str| {
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        check_definition(&NameModel::build(&tree, code), code, "Old", "New")
    };
    assert!(check("def Old():\n    pass\n").is_ok());
    assert!(
        check("Old = 1\n")
            .unwrap_err()
            .contains("not a top-level class or function")
    );
    assert!(
        check("def f():\n    def Old(): pass\n")
            .unwrap_err()
            .contains("not bound at the top level")
    );
    assert!(
        check("class Old: pass\nNew = 1\n")
            .unwrap_err()
            .contains("already bound in the module (line 2)")
    );
}

#[test]
fn the_alias_is_a_module_getattr_that_extends_one_already_there() {
    let (text, outcome) = renamed("pkg.mod", "pkg/mod.py", true, "def Old():\n    pass\n");
    assert!(outcome.refusals.is_empty());
    assert!(
        text.starts_with("def New():\n    pass\n\n\n# Deprecated alias"),
        "{text}"
    );
    assert!(
        text.contains("def __getattr__(name):\n    if name == \"Old\":"),
        "{text}"
    );
    assert!(
        text.contains("        return New\n    raise AttributeError("),
        "{text}"
    );
    let (text, _) = renamed(
        "pkg.mod",
        "pkg/mod.py",
        true,
        "def __getattr__(name):\n    raise AttributeError(name)\n\n\ndef Old():\n    pass\n",
    );
    assert!(
        text.contains("def __getattr__(name, _previous=__getattr__):"),
        "{text}"
    );
    assert!(text.ends_with("    return _previous(name)\n"), "{text}");
    let (_, outcome) = renamed(
        "pkg.mod",
        "pkg/mod.py",
        true,
        "__getattr__ = None\n\n\ndef Old():\n    pass\n",
    );
    assert_eq!(outcome.refusals.len(), 1);
    // An importer gets no alias.
    let (text, _) = renamed("app.x", "app/x.py", true, "from pkg.mod import Old\n");
    assert_eq!(text, "from pkg.mod import New\n");
}
