use super::*;
use crate::imports::resolve::Resolver;

/// `code` (the file `rel`) after moving `src` to `dst`.
fn moved(src: &str, dst: &str, rel: &str, moved: bool, parent_init: bool, code: &str) -> String {
    let rename = Rename {
        src: src.into(),
        dst: dst.into(),
    };
    let resolver = Resolver::new(
        std::path::Path::new("/nonexistent"),
        &[std::path::PathBuf::from("/nonexistent")],
    );
    let calls = vec!["pkg.util.import_object".to_string()];
    let engine = FileRename {
        rename: &rename,
        relative: Some((&resolver, rel)),
        moved,
        parent_init,
        string_calls: &calls,
    };
    let tree = crate::parse::Worker::new().parse(code).unwrap();
    let names = NameModel::build(&tree, code);
    let dynamic: Vec<String> = crate::imports::DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let sites = crate::imports::extract(&tree, code, &dynamic);
    let file = Parsed {
        text: code,
        tree: &tree,
        sites: &sites,
        names: &names,
    };
    let outcome = engine.rewrites(&file);
    let edits: Vec<(Range<usize>, &str)> = outcome
        .rewrites
        .iter()
        .map(|r| (r.range.clone(), r.after.as_str()))
        .collect();
    crate::fix::apply_edits(code, &edits)
}

fn rewrite(rel: &str, moved_: bool, parent_init: bool, code: &str) -> String {
    moved("candidate.x", "core.x", rel, moved_, parent_init, code)
}

#[test]
fn prefixes_match_whole_segments() {
    let r = Rename {
        src: "matriz".into(),
        dst: "MATRIZ".into(),
    };
    assert!(r.covers("matriz.core") && r.covers("matriz"));
    assert!(!r.covers("matrizzz") && !r.covers("lukhas.matriz"));
    let bad = Rename {
        src: "a b".into(),
        dst: "c".into(),
    };
    assert!(bad.validate().is_err());
}

#[test]
fn imports_of_every_form() {
    assert_eq!(
        rewrite(
            "app.py",
            false,
            false,
            "import candidate.x\nimport candidate.x.sub as s\nfrom candidate.x import f\nfrom candidate import x, y as z\nfrom candidate import x as cx\nimport candidate.other\n"
        ),
        "import core.x\nimport core.x.sub as s\nfrom core.x import f\nfrom candidate import y as z\nfrom core import x\nfrom core import x as cx\nimport candidate.other\n"
    );
}

#[test]
fn a_split_import_keeps_its_block() {
    assert_eq!(
        rewrite("app.py", false, false, "if c: from candidate import x, y\n"),
        "if c: from candidate import y; from core import x\n"
    );
    assert_eq!(
        rewrite(
            "app.py",
            false,
            false,
            "if c:\r    from candidate import x, y\r"
        ),
        "if c:\r    from candidate import y\r    from core import x\r"
    );
}

#[test]
fn relative_imports_outside_and_inside_the_moved_package() {
    assert_eq!(
        rewrite(
            "candidate/y.py",
            false,
            false,
            "from .x import f\nfrom . import x\nfrom . import y\n"
        ),
        "from core.x import f\nfrom core import x\nfrom . import y\n"
    );
    assert_eq!(
        rewrite(
            "candidate/x/a.py",
            true,
            false,
            "from .b import g\nfrom ..y import h\nfrom candidate.x.b import g2\n"
        ),
        "from .b import g\nfrom candidate.y import h\nfrom core.x.b import g2\n"
    );
}

#[test]
fn a_renamed_import_keeps_the_name_a_use_still_needs() {
    // `candidate.helper()` still needs `candidate` bound.
    assert_eq!(
        rewrite(
            "t.py",
            false,
            false,
            "import candidate.x\ncandidate.x.f()\ncandidate.helper()\n"
        ),
        "import candidate, core.x\ncore.x.f()\ncandidate.helper()\n"
    );
    // Every use reaches the moved module: the old name goes.
    assert_eq!(
        rewrite(
            "t.py",
            false,
            false,
            "import candidate.x\ncandidate.x.f()\n"
        ),
        "import core.x\ncore.x.f()\n"
    );
}

#[test]
fn shadowing_locals_and_parameters_are_left_alone() {
    let code = "import matriz.x\nimport json\n\ndef f(matriz):\n    return json.dumps(matriz)\n\ndef g():\n    return matriz.x.run()\n";
    assert_eq!(
        moved("matriz", "MATRIZ", "t.py", false, false, code),
        "import MATRIZ.x\nimport json\n\ndef f(matriz):\n    return json.dumps(matriz)\n\ndef g():\n    return MATRIZ.x.run()\n"
    );
}

#[test]
fn dynamic_imports_and_patch_strings_of_every_form() {
    let code = "import importlib\nfrom unittest import mock\n\n\
                importlib.import_module(\"candidate.x.sub\")\n\
                importlib.import_module(name=\"candidate.x\")\n\
                importlib.import_module(\".x\", package=\"candidate\")\n\
                importlib.import_module(\".y\", package=\"candidate\")\n\
                __import__(\"candidate.x\")\n\
                mock.patch(\"candidate.x.f\")\n\
                mock.patch.dict(\"candidate.x.TABLE\", {})\n\
                def test(monkeypatch):\n    monkeypatch.setattr(\"candidate.x.f\", 1)\n\
                print(\"candidate.x.f\")\n";
    assert_eq!(
        rewrite("t.py", false, false, code),
        "import importlib\nfrom unittest import mock\n\n\
         importlib.import_module(\"core.x.sub\")\n\
         importlib.import_module(name=\"core.x\")\n\
         importlib.import_module(\"core.x\", package=\"candidate\")\n\
         importlib.import_module(\".y\", package=\"candidate\")\n\
         __import__(\"core.x\")\n\
         mock.patch(\"core.x.f\")\n\
         mock.patch.dict(\"core.x.TABLE\", {})\n\
         def test(monkeypatch):\n    monkeypatch.setattr(\"core.x.f\", 1)\n\
         print(\"candidate.x.f\")\n"
    );
    // The pack's own import-by-name helper.
    assert_eq!(
        rewrite(
            "t.py",
            false,
            false,
            "from pkg.util import import_object\nimport_object(\"candidate.x.name\")\n"
        ),
        "from pkg.util import import_object\nimport_object(\"core.x.name\")\n"
    );
}

#[test]
fn chains_through_a_bound_parent() {
    assert_eq!(
        rewrite(
            "t.py",
            false,
            false,
            "import candidate as c\nc.x.f()\nc.y.g()\n"
        ),
        "import candidate as c\nimport core.x\ncore.x.f()\nc.y.g()\n"
    );
    assert_eq!(
        rewrite(
            "t.py",
            false,
            false,
            "import candidate\nimport candidate.y\ncandidate.x.f()\n"
        ),
        "import candidate\nimport candidate.y\nimport core.x\ncore.x.f()\n"
    );
    // The parent is used for nothing else: its import goes (no F401 left).
    assert_eq!(
        rewrite(
            "t.py",
            false,
            false,
            "import os\nimport candidate\n\ncandidate.x.f()\n"
        ),
        "import os\nimport core.x\n\ncore.x.f()\n"
    );
    // A rename inside one package keeps the alias.
    assert_eq!(
        moved(
            "candidate.x",
            "candidate.z",
            "t.py",
            false,
            false,
            "import candidate as c\nc.x.f()\n"
        ),
        "import candidate as c\nc.z.f()\n"
    );
}

#[test]
fn the_parent_all_and_lazy_table() {
    // DST in another package: the name stays bound by the split import.
    assert_eq!(
        rewrite(
            "candidate/__init__.py",
            false,
            true,
            "from . import x, y\n__all__ = [\"x\", \"y\"]\n"
        ),
        "from . import y\nfrom core import x\n__all__ = [\"x\", \"y\"]\n"
    );
    // Nothing binds it any more: the entry goes.
    assert_eq!(
        rewrite(
            "candidate/__init__.py",
            false,
            true,
            "__all__ = (\"y\", \"x\")\n"
        ),
        "__all__ = (\"y\", )\n"
    );
    // A rename in the same package: entries are renamed, lazy table too.
    let init = "import importlib\n__all__ = [\"x\", \"y\"]\n_LAZY = {\"x\", \"y\"}\n\ndef __getattr__(name):\n    if name in _LAZY:\n        return importlib.import_module(\".\" + name, __name__)\n    raise AttributeError(name)\n";
    assert_eq!(
        moved(
            "candidate.x",
            "candidate.z",
            "candidate/__init__.py",
            false,
            true,
            init
        ),
        init.replace("[\"x\"", "[\"z\"").replace("{\"x\"", "{\"z\"")
    );
}

#[test]
fn lazy_tables_of_every_hook_and_move() {
    let getattr = "\n\ndef __getattr__(name):\n    return importlib.import_module(_MAP.get(name, \".\" + name), __name__)\n";
    // Another package: full names renamed, `.x` made absolute, a bare
    // entry removed (the name leaves), a dict key left.
    let init = format!(
        "import importlib\n_LAZY = [\"x\", \"y\"]\n_MAP = {{\"f\": \".x\", \"g\": \"candidate.x.g\", \"x\": \".x\"}}{getattr}"
    );
    assert_eq!(
        rewrite("candidate/__init__.py", false, true, &init),
        init.replace("[\"x\", \"y\"]", "[\"y\"]")
            .replace("\"f\": \".x\"", "\"f\": \"core.x\"")
            .replace("\"candidate.x.g\"", "\"core.x.g\"")
            .replace("\"x\": \".x\"", "\"x\": \"core.x\"")
    );
    // Still bound in the package (`from core import x`): the entry stays.
    let bound =
        format!("import importlib\nfrom candidate import x\n_LAZY = [\"x\"]\n_MAP = {{}}{getattr}");
    assert!(rewrite("candidate/__init__.py", false, true, &bound).contains("_LAZY = [\"x\"]"));
    // A hook made by a call (scientific-python's lazy_loader), the table in
    // its arguments.
    let attach = "import lazy_loader as lazy\n__getattr__, __dir__, _ = lazy.attach(__name__, submodules=[\"x\", \"y\"], submod_attrs={\"x\": [\"f\"]})\n";
    assert_eq!(
        moved(
            "candidate.x",
            "candidate.z",
            "candidate/__init__.py",
            false,
            true,
            attach
        ),
        attach
            .replace("[\"x\", \"y\"]", "[\"z\", \"y\"]")
            .replace("{\"x\"", "{\"z\"")
    );
    // No hook: a list that happens to hold "x" is not a lazy table.
    let plain = "_NAMES = [\"x\"]\n";
    assert_eq!(rewrite("candidate/__init__.py", false, true, plain), plain);
}

#[test]
fn a_top_level_package_move_rewrites_every_use() {
    let code = "import idna\nimport idna.codec\n\n\ndef f(s):\n    return idna.encode(s), idna.codec.Codec, idna\n\n\nclass T:\n    x = idna.core.IDNAError\n";
    assert_eq!(
        moved("idna", "idnakit", "tests/t.py", false, false, code),
        code.replace("idna", "idnakit")
    );
}

#[test]
fn strings_left_as_they_are_are_listed_for_review() {
    let rename = Rename {
        src: "tornado.platform".into(),
        dst: "tornado.platforms".into(),
    };
    let engine = FileRename {
        rename: &rename,
        relative: None,
        moved: false,
        parent_init: false,
        string_calls: &[],
    };
    let code = "\"\"\"Docs name tornado.platform.asyncio.\"\"\"\nimport importlib\nfrom unittest import mock\n\nimportlib.import_module(\"tornado.platform.asyncio\")\nmock.patch(\"tornado.platform.asyncio.f\")\nsetup(packages=[\"tornado\", \"tornado.platform\"])\nrun('IOLoop.configure(\"tornado.platform.asyncio.AsyncIOLoop\")')\nrun(\"from tornado.platform.asyncio import AsyncIOMainLoop\")\nprint(\"tornado.platformer\", \"tornado.platform_x\")\n";
    let tree = crate::parse::Worker::new().parse(code).unwrap();
    let names = NameModel::build(&tree, code);
    let dynamic: Vec<String> = crate::imports::DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let sites = crate::imports::extract(&tree, code, &dynamic);
    let file = Parsed {
        text: code,
        tree: &tree,
        sites: &sites,
        names: &names,
    };
    let outcome = engine.rewrites(&file);
    let review: Vec<(usize, ReviewKind)> = engine
        .review(&file, &outcome)
        .iter()
        .map(|r| (r.line, r.kind))
        .collect();
    assert_eq!(
        review,
        [
            (7, ReviewKind::DottedString),
            (8, ReviewKind::Mention),
            (9, ReviewKind::Mention)
        ]
    );
}
