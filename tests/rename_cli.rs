//! `rulegate rename pkg.mod.Old --to New [--alias]` (SPEC §1, §3.5) on a
//! small package that reaches the class every way Python allows: its
//! definition and own uses, `from … import` (aliased too), attribute
//! chains through `import a.b`, `import a.b as x` and `from a import b`,
//! a first-party re-export and a star re-export, patch strings,
//! `getattr` with a literal, and `__all__`; next to a parameter and a
//! local named like it, which stay. The program prints the same before
//! and after (python3). Refusals: the new name bound where the rename
//! lands, a name that is not a top-level class or function; a computed
//! `getattr` blocks the gate. `--alias` keeps `from mod import Old` and
//! `mod.Old` working with a DeprecationWarning.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const FILES: &[(&str, &str)] = &[
    (
        "pkg/__init__.py",
        "from .shapes import Widget\n\n__all__ = [\"Widget\"]\n",
    ),
    (
        "pkg/shapes.py",
        r#"__all__ = ["Widget", "make"]


class Widget:
    def area(self):
        return 1


def make():
    return Widget()


def echo(Widget):
    return Widget


def local():
    Widget = "a local"
    return Widget
"#,
    ),
    (
        "pkg/star.py",
        "from pkg.shapes import *\n\n\ndef made():\n    return Widget()\n",
    ),
    (
        "app/use_from.py",
        "from pkg.shapes import Widget\nfrom pkg.shapes import Widget as W\n\n\ndef build():\n    return Widget().area() + W().area()\n",
    ),
    (
        "app/use_attr.py",
        r#"import pkg.shapes
import pkg.shapes as sh
from pkg import shapes


def build():
    return [pkg.shapes.Widget, sh.Widget, shapes.Widget, getattr(shapes, "Widget")]
"#,
    ),
    (
        "app/use_reexport.py",
        "import pkg\nfrom pkg import Widget\n\n\ndef build():\n    return Widget is pkg.Widget\n",
    ),
    (
        "app/patching.py",
        r#"from unittest import mock

import pkg.shapes


def patched():
    with mock.patch("pkg.shapes.Widget.area", return_value=5):
        return pkg.shapes.make().area()
"#,
    ),
    (
        "main.py",
        r#"import pkg.shapes as s
import pkg.star
from app import patching, use_attr, use_from, use_reexport

print(use_from.build())
print(len(set(use_attr.build())))
print(use_reexport.build())
print(patching.patched(), s.make().area())
print(s.echo(7), s.local(), type(pkg.star.made()).__name__ == s.__all__[0])
"#,
    ),
];

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), FILES);
    dir
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

/// python3 on `args` in `root`: (success, stdout + stderr); `None` when
/// there is no python3 (the test then says so and skips that check).
fn python(root: &Path, args: &[&str]) -> Option<(bool, String)> {
    let out = Command::new("python3")
        .current_dir(root)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output();
    match out {
        Ok(out) => Some((
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )),
        Err(_) => {
            eprintln!("python3 is missing: the run-the-program checks are skipped");
            None
        }
    }
}

#[test]
fn the_plan_lists_every_rewrite_and_changes_nothing() {
    let dir = project();
    let root = dir.path();
    let (code, out, err) = run_in(root, &["rename", "pkg.shapes.Widget", "--to", "Gadget"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("## Rename of `pkg.shapes.Widget` to `Gadget`"),
        "{out}"
    );
    assert!(out.contains("**Verdict: pass**"), "{out}");
    assert!(
        out.contains("Modules that bind it: `pkg.shapes`, `app.use_from`, `app.use_reexport`, `pkg`, `pkg.star`"),
        "{out}"
    );
    assert!(out.contains("- `app/use_from.py`"), "{out}");
    assert_eq!(read(root, "pkg/shapes.py"), FILES[1].1);
    let (code, json, _) = run_in(
        root,
        &[
            "rename",
            "pkg.shapes.Widget",
            "--to",
            "Gadget",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["to"], "Gadget");
    let (code, diff, _) = run_in(
        root,
        &["rename", "pkg.shapes.Widget", "--to", "Gadget", "--diff"],
    );
    assert_eq!(code, 0);
    assert!(diff.contains("-class Widget:\n+class Gadget:"), "{diff}");
    assert_eq!(read(root, "pkg/shapes.py"), FILES[1].1);
}

#[test]
fn apply_renames_every_reference_and_the_program_runs_the_same() {
    let dir = project();
    let root = dir.path();
    let before = python(root, &["main.py"]);
    if let Some((ok, out)) = &before {
        assert!(ok, "{out}");
    }
    let (code, out, err) = run_in(
        root,
        &["rename", "pkg.shapes.Widget", "--to", "Gadget", "--apply"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("Renamed `pkg.shapes.Widget` to `Gadget`"),
        "{err}"
    );
    let shapes = read(root, "pkg/shapes.py");
    assert!(
        shapes.starts_with("__all__ = [\"Gadget\", \"make\"]"),
        "{shapes}"
    );
    assert!(shapes.contains("class Gadget:"), "{shapes}");
    assert!(shapes.contains("    return Gadget()\n"), "{shapes}");
    // The parameter and the local named like it are other names.
    assert!(
        shapes.contains("def echo(Widget):\n    return Widget\n"),
        "{shapes}"
    );
    assert!(
        shapes.contains("    Widget = \"a local\"\n    return Widget\n"),
        "{shapes}"
    );
    assert_eq!(
        read(root, "pkg/__init__.py"),
        "from .shapes import Gadget\n\n__all__ = [\"Gadget\"]\n"
    );
    assert!(read(root, "pkg/star.py").contains("return Gadget()"));
    assert_eq!(
        read(root, "app/use_from.py"),
        "from pkg.shapes import Gadget\nfrom pkg.shapes import Gadget as W\n\n\ndef build():\n    return Gadget().area() + W().area()\n"
    );
    assert!(
        read(root, "app/use_attr.py")
            .contains("[pkg.shapes.Gadget, sh.Gadget, shapes.Gadget, getattr(shapes, \"Gadget\")]")
    );
    assert!(read(root, "app/use_reexport.py").contains("from pkg import Gadget\n"));
    assert!(read(root, "app/use_reexport.py").contains("return Gadget is pkg.Gadget"));
    assert!(read(root, "app/patching.py").contains("mock.patch(\"pkg.shapes.Gadget.area\""));
    let audit = read(root, "promotion-audit.log");
    assert!(audit.contains("\"command\":\"rename\""), "{audit}");
    assert!(
        audit.contains("\"symbol\":\"pkg.shapes.Widget\""),
        "{audit}"
    );
    if let (Some((_, before)), Some((ok, after))) = (before, python(root, &["main.py"])) {
        assert!(ok, "{after}");
        assert_eq!(before, after);
    }
}

#[test]
fn the_new_name_bound_where_the_rename_lands_is_refused_even_forced() {
    let dir = project();
    let root = dir.path();
    write_files(
        root,
        &[(
            "app/clash.py",
            "from pkg.shapes import Widget\n\n\ndef f():\n    Gadget = 1\n    return Widget, Gadget\n",
        )],
    );
    let (code, out, err) = run_in(
        root,
        &[
            "rename",
            "pkg.shapes.Widget",
            "--to",
            "Gadget",
            "--apply",
            "--force",
            "--reason",
            "try",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("**Verdict: refused**"), "{out}");
    assert!(
        out.contains("`app/clash.py:5` `Gadget = 1`: `Gadget` is bound here, where the renamed `Widget` is used (line 6)"),
        "{out}"
    );
    assert!(err.contains("a refusal cannot be forced"), "{err}");
    assert_eq!(read(root, "pkg/shapes.py"), FILES[1].1);
    // A builtin spelled like the new name would come to mean the class.
    write_files(
        root,
        &[(
            "app/clash.py",
            "from pkg.shapes import Widget

print(Widget)
",
        )],
    );
    let (code, out, _) = run_in(root, &["rename", "pkg.shapes.Widget", "--to", "print"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`app/clash.py:3` `print(Widget)`: `print` is used here and would then mean the renamed `Widget`"),
        "{out}"
    );
}

#[test]
fn a_new_name_bound_in_the_module_or_a_non_definition_is_an_error() {
    let dir = project();
    let root = dir.path();
    let (code, _, err) = run_in(root, &["rename", "pkg.shapes.Widget", "--to", "make"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`make` is already bound in the module (line 9)"),
        "{err}"
    );
    write_files(root, &[("pkg/consts.py", "LIMIT = 3\n")]);
    let (code, _, err) = run_in(root, &["rename", "pkg.consts.LIMIT", "--to", "MAX"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`LIMIT` is not a top-level class or function"),
        "{err}"
    );
    let (code, _, err) = run_in(root, &["rename", "pkg.shapes.area", "--to", "size"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`area` is not bound at the top level"),
        "{err}"
    );
    let (code, _, err) = run_in(root, &["rename", "pkg.nothing.X", "--to", "Y"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`pkg.nothing` is not a module"), "{err}");
    let (code, _, err) = run_in(root, &["rename", "pkg.shapes.Widget", "--to", "class"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a Python identifier"), "{err}");
}

#[test]
fn a_computed_getattr_blocks_the_gate_and_force_applies_with_its_reason() {
    let dir = project();
    let root = dir.path();
    write_files(
        root,
        &[(
            "app/dynamic.py",
            "import pkg.shapes\n\n\ndef pick(name):\n    return getattr(pkg.shapes, name)\n",
        )],
    );
    let (code, out, _) = run_in(root, &["rename", "pkg.shapes.Widget", "--to", "Gadget"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("**Verdict: blocked**"), "{out}");
    assert!(out.contains("### Not provable (1)"), "{out}");
    assert!(
        out.contains("`app/dynamic.py:5` `return getattr(pkg.shapes, name)`"),
        "{out}"
    );
    let (code, _, err) = run_in(
        root,
        &["rename", "pkg.shapes.Widget", "--to", "Gadget", "--apply"],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(root, "pkg/shapes.py"), FILES[1].1);
    let (code, _, err) = run_in(
        root,
        &[
            "rename",
            "pkg.shapes.Widget",
            "--to",
            "Gadget",
            "--apply",
            "--force",
            "--reason",
            "names come from a fixed table",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(read(root, "pkg/shapes.py").contains("class Gadget:"));
    assert!(read(root, "promotion-audit.log").contains("names come from a fixed table"));
}

#[test]
fn alias_keeps_the_old_name_working_with_a_deprecation_warning() {
    let dir = project();
    let root = dir.path();
    write_files(
        root,
        &[(
            "pkg/lazy.py",
            "def __getattr__(name):\n    if name == \"later\":\n        return 42\n    raise AttributeError(name)\n\n\ndef Thing():\n    return 1\n",
        )],
    );
    let (code, out, err) = run_in(
        root,
        &[
            "rename",
            "pkg.shapes.Widget",
            "--to",
            "Gadget",
            "--alias",
            "--apply",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let shapes = read(root, "pkg/shapes.py");
    assert!(shapes.contains("class Gadget:"), "{shapes}");
    assert!(
        shapes.contains("def __getattr__(name):\n    if name == \"Widget\":"),
        "{shapes}"
    );
    assert!(
        !shapes.contains("\nWidget ="),
        "the alias binds nothing: {shapes}"
    );
    let (code, out, err) = run_in(
        root,
        &[
            "rename",
            "pkg.lazy.Thing",
            "--to",
            "Item",
            "--alias",
            "--apply",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(read(root, "pkg/lazy.py").contains("def __getattr__(name, _previous=__getattr__):"));
    let check = r#"
import warnings
warnings.simplefilter("error")
import pkg.shapes
assert "Widget" not in dir(pkg.shapes)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    from pkg.shapes import Widget
    assert Widget is pkg.shapes.Gadget
    assert pkg.shapes.Widget is pkg.shapes.Gadget
    import pkg
    assert pkg.Widget is pkg.Gadget
assert len(w) == 3 and all(x.category is DeprecationWarning for x in w), [str(x.message) for x in w]
assert "renamed to `pkg.shapes.Gadget`" in str(w[0].message)
assert w[1].filename == __file__, (w[1].filename, __file__)
import pkg.lazy
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    assert pkg.lazy.Thing is pkg.lazy.Item and pkg.lazy.later == 42
assert len(w) == 1
try:
    pkg.lazy.missing
except AttributeError:
    pass
else:
    raise SystemExit("missing attribute")
from pkg.shapes import Gadget
print("ok")
"#;
    std::fs::write(root.join("check_alias.py"), check).unwrap();
    if let Some((ok, out)) = python(root, &["check_alias.py"]) {
        assert!(ok && out.contains("ok"), "{out}");
    }
}
