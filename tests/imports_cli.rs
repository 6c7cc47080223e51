//! The import graph end to end: lane guards over real files, legacy rewrites,
//! and `report lanes`.

mod common;

use common::*;

const LANES: &str = r#"
src = ["src", "lib"]
[lanes.production]
paths = ["src/app/**", "lib/**"]
may_import = ["production"]
[lanes.candidate]
paths = ["src/labs/**"]
"#;

#[test]
fn resolution_through_src_roots_namespaces_stubs_and_relatives() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", LANES),
            ("src/app/__init__.py", ""),
            // A namespace package (no __init__) and a stub-only package.
            ("src/labs/ns/tool.py", ""),
            ("src/labs/typed/__init__.pyi", ""),
            ("lib/util.py", "from .. import nothing\n"),
            (
                "src/app/main.py",
                "import labs.ns\nimport labs.typed\nfrom . import util\nimport util\nfrom ... import deep\n",
            ),
        ],
    );
    let (_, out, err) = run_in(
        dir.path(),
        &["lint", "--format", "concise", "--select", "LANE,IMP"],
    );
    assert!(out.contains("src/app/main.py:1:8: LANE001 lane `production` may not import `labs.ns` from lane `candidate` (src/labs/ns)"), "{out}{err}");
    assert!(
        out.contains("src/app/main.py:2:8: LANE001")
            && out.contains("(src/labs/typed/__init__.pyi)"),
        "{out}"
    );
    assert!(
        out.contains(
            "src/app/main.py:5:1: IMP001 relative import climbs 3 level(s) from package `app`"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "lib/util.py:1:1: IMP001 relative import climbs 2 level(s) from a top-level module"
        ),
        "{out}"
    );
    assert_eq!(out.matches("LANE001").count(), 2, "{out}");
}

#[test]
fn a_package_shadows_a_module_of_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            (
                "rulegate.toml",
                "[lanes.candidate]\npaths = [\"app/bio/**\"]\n[lanes.production]\npaths = [\"app/**\"]\nmay_import = [\"production\"]\n",
            ),
            ("app/__init__.py", ""),
            ("app/bio.py", ""),
            ("app/bio/__init__.py", ""),
            ("app/main.py", "from app import bio\n"),
        ],
    );
    // `app/bio.py` is production, but Python imports the package app/bio/.
    let (_, out, _) = run_in(
        dir.path(),
        &["lint", "--format", "concise", "--select", "LANE001"],
    );
    assert!(
        out.contains("LANE001") && out.contains("(app/bio/__init__.py)"),
        "{out}"
    );
}

/// SPEC §4.3: `from matriz.x import y` rewrites safely; `import matriz.x`,
/// which binds the name `matriz` and so rewrites its uses, is unsafe even
/// when that import is the name's only binding.
#[test]
fn legacy_fixes_of_the_bound_name_are_unsafe() {
    let dir = tempfile::tempdir().unwrap();
    let sole = "import matriz.core\nprint(matriz.core.VERSION)\n";
    let shadowed = "import matriz.core\n\ndef f(matriz):\n    return matriz.core\n";
    let from = "from matriz.core import VERSION\nprint(VERSION)\n";
    write_files(
        dir.path(),
        &[("a.py", sole), ("b.py", shadowed), ("c.py", from)],
    );
    let (_, json, _) = run_in(
        dir.path(),
        &["lint", "--select", "LEG001", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let applicability = |path: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["fix"]["applicability"].clone())
    };
    assert_eq!(applicability("a.py"), Some("unsafe".into()), "{json}");
    assert_eq!(applicability("b.py"), Some("unsafe".into()), "{json}");
    assert_eq!(applicability("c.py"), Some("safe".into()), "{json}");
    run_in(dir.path(), &["lint", "--fix", "--select", "LEG001"]);
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_eq!(read("a.py"), sole, "a plain --fix leaves `import matriz.x`");
    assert_eq!(read("b.py"), shadowed);
    assert_eq!(
        read("c.py"),
        "from MATRIZ.core import VERSION\nprint(VERSION)\n"
    );
    run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "--select", "LEG001"],
    );
    assert_eq!(
        read("a.py"),
        "import MATRIZ.core\nprint(MATRIZ.core.VERSION)\n"
    );
    assert_eq!(
        read("b.py"),
        "import MATRIZ.core\n\ndef f(matriz):\n    return matriz.core\n",
        "the parameter `matriz` is another name: left alone"
    );
}

#[test]
fn monorepo_fix_rewrites_legacy_imports_into_valid_importable_python() {
    let dir = example_copy("monorepo");
    let (_, out, err) = run_in(
        dir.path(),
        &[
            "lint",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "LEG001",
            "--format",
            "concise",
        ],
    );
    let legacy = std::fs::read_to_string(dir.path().join("core/legacy.py")).unwrap();
    assert!(!legacy.contains("matriz"), "{legacy}\n{out}{err}");
    assert!(
        legacy.contains("from MATRIZ.core import VERSION"),
        "{legacy}"
    );
    python(
        dir.path(),
        "import core.legacy as m; assert m.version()[0] == '2.0'; assert m.load().VERSION == '2.0'",
    );
}

#[test]
fn lanes_report_markdown_json_and_zero() {
    let dir = repo().join("examples/monorepo");
    let (code, md, err) = run_in(&dir, &["report", "lanes"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("lanes_md", md);
    let (_, json, _) = run_in(&dir, &["report", "lanes", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    insta::assert_json_snapshot!("lanes_json", v);

    let clean = tempfile::tempdir().unwrap();
    write_files(
        clean.path(),
        &[
            ("rulegate.toml", LANES),
            ("src/app/__init__.py", "import util\n"),
            ("lib/util.py", ""),
        ],
    );
    let (code, md, _) = run_in(clean.path(), &["report", "lanes"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("lanes_zero_md", md);
}

#[test]
fn lane_checks_read_imports_without_a_parse_and_agree_with_a_parsed_run() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", LANES),
            ("src/labs/ns/tool.py", ""),
            ("src/labs/typed/__init__.pyi", ""),
            // Scanned: one finding suppressed (the file is parsed for it).
            (
                "src/app/a.py",
                "import labs.ns  # noqa: LANE001\nimport labs.typed\nx = '''\nimport labs.ns\n'''\n",
            ),
            (
                "src/app/b.py",
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from labs.ns import tool\ndef f():\n    import labs.typed\n",
            ),
            // Read from the tree: a dynamic import, a tab-indented block, a
            // syntax error elsewhere.
            (
                "src/app/c.py",
                "import importlib\nimportlib.import_module('labs.ns')\n",
            ),
            ("src/app/d.py", "if True:\n\timport labs.ns\n"),
            ("src/app/e.py", "import labs.typed\nx = (\n"),
        ],
    );
    let lint = |select: &str| {
        let (_, out, err) = run_in(
            dir.path(),
            &[
                "lint",
                "--no-cache",
                "--format",
                "concise",
                "--select",
                select,
            ],
        );
        let lines: Vec<String> = out
            .lines()
            .filter(|l| l.contains("LANE001"))
            .map(String::from)
            .collect();
        (lines, err)
    };
    let (scanned, err) = lint("LANE001");
    // E999 needs the tree: every file is parsed.
    let (parsed, _) = lint("LANE001,E999");
    assert_eq!(scanned, parsed);
    let expected = [
        "src/app/a.py:2:8",
        "src/app/b.py:3:25",
        "src/app/b.py:5:12",
        "src/app/c.py:2:26",
        "src/app/d.py:2:9",
        "src/app/e.py:1:8",
    ];
    assert_eq!(scanned.len(), expected.len(), "{scanned:#?}{err}");
    for (line, at) in scanned.iter().zip(expected) {
        assert!(line.starts_with(at), "{line} at {at}");
    }
    assert!(scanned[1].contains("typing-only"), "{}", scanned[1]);
}

/// The five dynamic imports of the lane guide, as a seed-shaped repository
/// writes them (issue 32): every one is in the lane report.
#[test]
fn lanes_report_lists_computed_dynamic_imports_and_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let bridge = "import importlib\nimport logging\nimport os\n\
                  log = logging.getLogger('labs.governance')\n\
                  CANDIDATES = (\n    'labs.governance.guardian',\n    'app.guardian',\n)\n\
                  for name in CANDIDATES:\n    try:\n        importlib.import_module(name)\n        break\n    except ImportError:\n        pass\n\
                  PLUGINS = {'default': 'labs.plugins.default'}\n\
                  def plugin(key):\n    return importlib.import_module(PLUGINS[key])\n\
                  chosen = os.environ.get('PLUGIN', 'labs.plugins.default')\n\
                  importlib.import_module(chosen)\n\
                  def load(name):\n    return importlib.import_module('.' + name, package='labs.plugins')\n\
                  def anything(name):\n    return importlib.import_module(name)\n";
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", LANES),
            ("src/app/__init__.py", ""),
            ("src/app/guardian.py", ""),
            ("src/app/bridge.py", bridge),
            ("src/labs/governance/__init__.py", ""),
            ("src/labs/governance/guardian.py", ""),
            ("src/labs/plugins/__init__.py", ""),
            ("src/labs/plugins/default.py", ""),
        ],
    );
    let (code, json, err) = run_in(dir.path(), &["report", "lanes", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sites: Vec<String> = v["pairs"][0]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!("{}:{} {} {}", s["file"], s["line"], s["module"], s["kind"]).replace('"', "")
        })
        .collect();
    assert_eq!(
        sites,
        [
            // The tuple's candidate, where the string is; not the logger's name.
            "src/app/bridge.py:6 labs.governance.guardian dynamic-computed",
            // The table's value.
            "src/app/bridge.py:15 labs.plugins.default dynamic-computed",
            // The environment default.
            "src/app/bridge.py:18 labs.plugins.default dynamic-computed",
            // Under the literal package.
            "src/app/bridge.py:21 labs.plugins dynamic-prefix",
        ],
        "{json}"
    );
    // LANE002's sites: the environment's value and a parameter.
    let unknown: Vec<String> = v["unknown_dynamic_imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{}:{} {}", u["file"], u["line"], u["rule"]).replace('"', ""))
        .collect();
    assert_eq!(
        unknown,
        [
            "src/app/bridge.py:19 LANE002",
            "src/app/bridge.py:23 LANE002"
        ],
        "{json}"
    );
    let (_, md, _) = run_in(dir.path(), &["report", "lanes"]);
    insta::assert_snapshot!("lanes_computed_md", md);
}

/// Patching by name imports the module (issue 32): the patch strings of a
/// production test that reach the candidate lane are LANE001 findings and
/// sites of the lane report (kind `patch`); a `# noqa: LANE001` on the line
/// marks the site as an exception; a string that only names a module
/// elsewhere is no site.
#[test]
fn patch_strings_are_lane_sites() {
    let dir = tempfile::tempdir().unwrap();
    let test = "from unittest import mock\n\
                @mock.patch('labs.tools.run')\n\
                def test_a(monkeypatch, mocker):\n\
                \x20   monkeypatch.setattr('labs.tools.LIMIT', 1)\n\
                \x20   mocker.patch.dict('labs.tools.TABLE', {})\n\
                \x20   mocker.patch('app.guardian.check')\n\
                \x20   log = getLogger('labs.tools')\n\
                \x20   monkeypatch.delattr('labs.tools.OLD')  # noqa: LANE001 -- until the move until=2099-01-01\n";
    write_files(
        dir.path(),
        &[
            ("rulegate.toml", LANES),
            ("src/app/__init__.py", ""),
            ("src/app/guardian.py", "def check(): pass\n"),
            ("src/app/test_guardian.py", test),
            ("src/labs/__init__.py", ""),
            (
                "src/labs/tools.py",
                "LIMIT = 0\nTABLE = {}\nOLD = 1\ndef run(): pass\n",
            ),
        ],
    );
    let (code, out, err) = run_in(
        dir.path(),
        &["lint", "--select", "LANE001", "--format", "concise"],
    );
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("LANE001")).collect();
    assert_eq!(
        lines,
        [
            "src/app/test_guardian.py:2:14: LANE001 lane `production` may not import `labs.tools.run` from lane `candidate` (src/labs/tools.py) (patched by name: the patch imports it)",
            "src/app/test_guardian.py:4:26: LANE001 lane `production` may not import `labs.tools.LIMIT` from lane `candidate` (src/labs/tools.py) (patched by name: the patch imports it)",
            "src/app/test_guardian.py:5:24: LANE001 lane `production` may not import `labs.tools.TABLE` from lane `candidate` (src/labs/tools.py) (patched by name: the patch imports it)",
        ],
        "{out}"
    );
    let (code, json, err) = run_in(dir.path(), &["report", "lanes", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sites: Vec<String> = v["pairs"][0]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!("{}:{} {} {}", s["file"], s["line"], s["module"], s["kind"]).replace('"', "")
        })
        .collect();
    assert_eq!(
        sites,
        [
            "src/app/test_guardian.py:2 labs.tools.run patch",
            "src/app/test_guardian.py:4 labs.tools.LIMIT patch",
            "src/app/test_guardian.py:5 labs.tools.TABLE patch",
            "src/app/test_guardian.py:8 labs.tools.OLD patch",
        ],
        "{json}"
    );
}

/// LEG001 renames the uses of the binding `import matriz.x` makes, and only
/// those (a parameter, local or comprehension variable named `matriz` is
/// another name); the dotted strings given to `mock.patch` and
/// `monkeypatch.setattr` are rewritten too.
#[test]
fn legacy_renames_respect_scope_and_rewrite_patch_strings() {
    let dir = tempfile::tempdir().unwrap();
    let code = "import json\nfrom unittest import mock\n\nimport matriz.x\n\n\
                def f(matriz):\n    return json.dumps(matriz)\n\n\
                def g(monkeypatch):\n    monkeypatch.setattr(\"matriz.x.greet\", None)\n    return [matriz for matriz in ()]\n\n\
                with mock.patch(\"matriz.x.greet\"):\n    matriz.x.call()\n\
                print(\"matriz.x\")\n";
    write_files(dir.path(), &[("a.py", code)]);
    run_in(
        dir.path(),
        &["lint", "--fix", "--unsafe-fixes", "--select", "LEG001"],
    );
    let fixed = std::fs::read_to_string(dir.path().join("a.py")).unwrap();
    assert_eq!(
        fixed,
        "import json\nfrom unittest import mock\n\nimport MATRIZ.x\n\n\
         def f(matriz):\n    return json.dumps(matriz)\n\n\
         def g(monkeypatch):\n    monkeypatch.setattr(\"MATRIZ.x.greet\", None)\n    return [matriz for matriz in ()]\n\n\
         with mock.patch(\"MATRIZ.x.greet\"):\n    MATRIZ.x.call()\n\
         print(\"matriz.x\")\n"
    );
}

/// A local named like the new top package would shadow the rewritten use:
/// no fix, and the finding says why.
#[test]
fn a_legacy_rename_that_a_local_would_shadow_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let code = "import matriz.x\n\ndef f():\n    MATRIZ = 1\n    return matriz.x.run(MATRIZ)\n";
    write_files(dir.path(), &[("a.py", code)]);
    let (_, out, _) = run_in(
        dir.path(),
        &[
            "lint",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "LEG001",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        code
    );
    assert!(out.contains("would shadow"), "{out}");
}
