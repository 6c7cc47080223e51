use super::*;

fn model(code: &str) -> (Tree, NameModel) {
    let tree = crate::parse::Worker::new().parse(code).expect("parses");
    let m = NameModel::build(&tree, code);
    (tree, m)
}

/// The kind of binding the `n`th (0-based) use of `name` after `marker` reads.
fn reads(code: &str, marker: &str, name: &str) -> Option<BindingKind> {
    let (_, m) = model(code);
    let from = code.find(marker).expect("marker") + marker.len();
    let at = from + code[from..].find(name).expect("name after marker");
    let r = m.reference_at(at).expect("a reference there");
    m.binding_of(r, code).map(|b| m.binding(b).kind.clone())
}

fn is_import(k: Option<BindingKind>) -> bool {
    matches!(k, Some(BindingKind::Import(_)))
}

/// The qualified name of the expression that starts at the first
/// occurrence of `expr` after `marker`.
fn qualified(code: &str, marker: &str, expr: &str) -> Option<String> {
    let (tree, m) = model(code);
    let from = code.find(marker).expect("marker") + marker.len();
    let at = from + code[from..].find(expr).expect("expr after marker");
    let node = tree
        .root_node()
        .descendant_for_byte_range(at, at + expr.len())
        .expect("a node");
    m.qualified_name(node, code)
}

#[test]
fn parameters_and_locals_shadow_imports() {
    let code = "import matriz.x\nimport json\n\ndef f(matriz):\n    return json.dumps(matriz)\n\ndef g():\n    return matriz.x.run()\n\ndef h():\n    matriz = 1\n    return matriz\n";
    assert_eq!(
        reads(code, "dumps(", "matriz"),
        Some(BindingKind::Parameter)
    );
    assert!(is_import(reads(code, "def g", "matriz")));
    assert_eq!(
        reads(code, "= 1\n", "matriz"),
        Some(BindingKind::Assignment)
    );
    assert_eq!(
        qualified(code, "def g():\n    return ", "matriz.x.run"),
        Some("matriz.x.run".into())
    );
    assert_eq!(qualified(code, "dumps(", "matriz"), None);
}

#[test]
fn defaults_and_annotations_run_in_the_enclosing_scope() {
    let code = "import os\n\ndef f(os=os, p: os.PathLike = None) -> os.PathLike:\n    return os\n";
    assert!(is_import(reads(code, "os=", "os")));
    assert!(is_import(reads(code, "p: ", "os")));
    assert!(is_import(reads(code, "-> ", "os")));
    assert_eq!(reads(code, "return ", "os"), Some(BindingKind::Parameter));
}

#[test]
fn class_scopes_are_not_seen_from_nested_functions() {
    let code = "from a import x\n\nclass C:\n    x = 1\n    y = x\n    def m(self):\n        return x\n    z = [x for _ in range(3)]\n    w = [i for i in x]\n";
    assert_eq!(reads(code, "y = ", "x"), Some(BindingKind::Assignment));
    assert!(is_import(reads(code, "return ", "x")));
    // A comprehension's body is its own scope: the class is skipped ...
    assert!(is_import(reads(code, "z = [", "x")));
    // ... but its first iterable runs in the class.
    assert_eq!(reads(code, "in ", "x"), Some(BindingKind::Assignment));
}

#[test]
fn global_nonlocal_and_del() {
    let code = "import json\n\ndef f():\n    global json\n    json = None\n\ndef g():\n    v = 1\n    def h():\n        nonlocal v\n        v = 2\n    return v\n\nimport sys\ndel sys\nprint(sys)\n";
    let (_, m) = model(code);
    // `global json` makes the assignment a module binding.
    assert_eq!(m.bindings_in(0, "json").len(), 2);
    let g = m.scope_at(code.find("v = 1").unwrap());
    assert_eq!(m.bindings_in(g, "v").len(), 2);
    assert_eq!(reads(code, "print(", "sys"), None);
}

#[test]
fn reading_order_within_a_scope() {
    let code = "import os\nos.getcwd()\nos = 1\nos.real\nx = x_ = 1\n";
    assert!(is_import(reads(code, "\n", "os")));
    assert_eq!(reads(code, "= 1\n", "os"), Some(BindingKind::Assignment));
    assert_eq!(qualified(code, "= 1\n", "os.real"), None);
    assert_eq!(qualified(code, "\n", "os.getcwd"), Some("os.getcwd".into()));
}

#[test]
fn qualified_names_through_every_import_form() {
    let code = "import a.b\nimport a.b as ab\nfrom c import d as e\nfrom .rel import r\nimport_module = 3\n\na.b.f\nab.g\ne.h\nr.i\nprint\n";
    assert_eq!(qualified(code, "\n\n", "a.b.f"), Some("a.b.f".into()));
    assert_eq!(qualified(code, "\n\n", "ab.g"), Some("a.b.g".into()));
    assert_eq!(qualified(code, "\n\n", "e.h"), Some("c.d.h".into()));
    assert_eq!(qualified(code, "\n\n", "r.i"), None);
    assert_eq!(
        qualified(code, "\n\n", "print"),
        Some("builtins.print".into())
    );
    // A star import may bind anything: unknown names are not builtins.
    let star = "from m import *\nprint\n";
    assert_eq!(qualified(star, "\n", "print"), None);
}

#[test]
fn imports_inside_functions_and_comprehensions_and_walrus() {
    let code = "def f():\n    import numpy as np\n    return np.zeros\n\nnp.ones\n[y := v for v in range(3)]\nprint(y, v)\n";
    assert_eq!(
        qualified(code, "return ", "np.zeros"),
        Some("numpy.zeros".into())
    );
    assert_eq!(
        qualified(code, "\n\n", "np.ones"),
        Some("builtins.np.ones".into())
    );
    // The walrus binds in the module; the loop variable does not leak.
    assert_eq!(reads(code, "print(", "y"), Some(BindingKind::Assignment));
    assert_eq!(reads(code, "print(y, ", "v"), None);
}

#[test]
fn match_captures_with_except_and_lambda() {
    let code = "import json\nmatch 1:\n    case json:\n        pass\nprint(json)\ntry:\n    pass\nexcept E as os:\n    pass\nwith open(p) as fh:\n    fh\nf = lambda json: json\n";
    assert_eq!(reads(code, "print(", "json"), Some(BindingKind::Assignment));
    assert_eq!(reads(code, "as fh:", "fh"), Some(BindingKind::Assignment));
    assert_eq!(reads(code, "json: ", "json"), Some(BindingKind::Parameter));
}

#[test]
fn dunder_all_entries() {
    let code = "__all__ = [\"a\", 'b']\n__all__ += (\"c\",)\n__all__.append(\"d\")\n__all__.extend([\"e\"])\n";
    let (_, m) = model(code);
    let names: Vec<&str> = m.dunder_all.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
}

/// A focused model answers as the full one for every reference spelled
/// with its words: same binding (by range and kind), same qualified name.
#[test]
fn a_focused_model_resolves_its_words_as_the_full_model() {
    let codes = [
        "import sys as s\nimport os\n\ndef f(s):\n    s.path.insert(0, 'x')\n\nclass C:\n    os = 1\n    def m(self):\n        return os.getcwd()\n\ns.path.append('y')\n",
        "from importlib import *\n\ndef g():\n    return import_module('x')\n\nim = None\nfrom importlib import import_module as im\nim('y')\n",
        "def f():\n    from os import \\\n        *\n    return path\nfrom sys import\t*\npath = argv\n",
        "def outer():\n    sys = 1\n    def inner():\n        nonlocal sys\n        sys = 2\n    return [sys for sys in range(3)], sys\n\nimport sys\nglobal_sys = sys\n",
        "import a.b.c\nfor a in []:\n    pass\nwith open('f') as a:\n    a.read()\ntry:\n    pass\nexcept E as a:\n    del a\nmatch x:\n    case a:\n        a.b\nlambda a: a.b\n(a := 3)\n",
    ];
    for code in codes {
        let (tree, full) = model(code);
        for word in reference_words(code, &full) {
            focused_agrees(code, &tree, &full, word);
        }
    }
}

/// The same on real code: every Python file under the folders in
/// `RULEGATE_NAMES_CORPUS` (`:`-separated), a few words of each. Run by
/// hand when the focused walk changes (`RULEGATE_NAMES_CORPUS=<stdlib>
/// cargo test --release --lib focused_models_on_a_corpus`).
#[test]
fn focused_models_on_a_corpus() {
    let Ok(corpus) = std::env::var("RULEGATE_NAMES_CORPUS") else {
        return;
    };
    let mut files = Vec::new();
    for root in corpus.split(':').filter(|s| !s.is_empty()) {
        python_files(std::path::Path::new(root), &mut files);
    }
    files.sort();
    assert!(!files.is_empty(), "no Python files under {corpus}");
    for path in files {
        let Ok(code) = std::fs::read_to_string(&path) else {
            continue;
        };
        if code.len() > 200_000 {
            continue;
        }
        let (tree, full) = model(&code);
        let words = reference_words(&code, &full);
        // Eight words spread over the file's vocabulary.
        let step = (words.len() / 8).max(1);
        for word in words.into_iter().step_by(step) {
            focused_agrees(&code, &tree, &full, word);
        }
    }
}

fn python_files(root: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => python_files(&path, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "py") => out.push(path),
            _ => {}
        }
    }
}

/// The distinct words the full model's references spell.
fn reference_words<'c>(code: &'c str, full: &NameModel) -> Vec<&'c str> {
    let words: std::collections::BTreeSet<&str> = full
        .references()
        .iter()
        .map(|r| &code[r.range.clone()])
        .collect();
    words.into_iter().collect()
}

/// A model focused on `word` resolves each reference spelled `word` as `full` does.
fn focused_agrees(code: &str, tree: &Tree, full: &NameModel, word: &str) {
    let focused = NameModel::focused(tree, code, &[word]);
    for r in full
        .references()
        .iter()
        .filter(|r| &code[r.range.clone()] == word)
    {
        let f = focused
            .reference_at(r.range.start)
            .unwrap_or_else(|| panic!("`{word}` at {} unseen in:\n{code}", r.range.start));
        let key = |m: &NameModel, b: Option<BindingId>| {
            b.map(|b| {
                (
                    m.binding(b).range.clone(),
                    format!("{:?}", m.binding(b).kind),
                )
            })
        };
        assert_eq!(
            key(full, full.binding_of(r, code)),
            key(&focused, focused.binding_of(f, code)),
            "`{word}` at {} in:\n{code}",
            r.range.start
        );
        let node = tree
            .root_node()
            .descendant_for_byte_range(r.range.start, r.range.end)
            .expect("a node");
        assert_eq!(
            full.qualified_name(node, code),
            focused.qualified_name(node, code)
        );
    }
}

/// A model of one module-level statement answers as the full one, for what
/// is spelled in it, whether a name is a module-level one: each reference
/// resolves to the module (or to no scope) in both or in neither, and they
/// bind the same module-level names.
#[test]
fn a_statement_model_knows_module_names_as_the_full_model() {
    let codes = [
        "import sys as s\nimport os\n\ndef f(s):\n    s.path.insert(0, 'x')\n\nclass C:\n    os = 1\n    def m(self):\n        return os.getcwd()\n\ns.path.append('y')\n",
        "def outer():\n    sys = 1\n    def inner():\n        nonlocal sys\n        sys = 2\n    return [sys for sys in range(3)], sys\n\nimport sys\nglobal_sys = sys\n",
        "x = 1\ndef k():\n    global json\n    json = 2\nclass D:\n    json = 3\n    y = [json for _ in ()]\nimport json\nfor a, (b, c) in []:\n    pass\nwith open('f') as a:\n    a.read()\n(d := 3)\nif x:\n    e = 1\ntry:\n    import g\nexcept E as h:\n    pass\n",
    ];
    for code in codes {
        let (tree, full) = model(code);
        let root = tree.root_node();
        for stmt in root.named_children(&mut root.walk()) {
            let part = NameModel::of_statement(stmt, code);
            let span = stmt.byte_range();
            let inside = |r: &std::ops::Range<usize>| span.contains(&r.start);
            let module_refs = |m: &NameModel| -> Vec<(usize, bool)> {
                m.references()
                    .iter()
                    .filter(|r| inside(&r.range))
                    .map(|r| (r.range.start, r.resolved.is_none_or(|s| s == 0)))
                    .collect()
            };
            let module_bindings = |m: &NameModel| -> Vec<(usize, String)> {
                let mut b: Vec<(usize, String)> = m
                    .bindings()
                    .iter()
                    .filter(|b| b.scope == 0 && inside(&b.range))
                    .map(|b| (b.range.start, format!("{} {:?}", b.name, b.kind)))
                    .collect();
                b.sort();
                b
            };
            let what = &code[span.clone()];
            assert_eq!(module_refs(&full), module_refs(&part), "{what}");
            assert_eq!(module_bindings(&full), module_bindings(&part), "{what}");
        }
    }
}

/// Many words take the one-pass identifier scan: the model answers as with
/// a search per word.
#[test]
fn a_model_focused_on_many_words_answers_as_on_few() {
    let code = "import a, b as c\nfrom m import d, é\ndef f(a):\n    return a + c + d + é\ng = [b for b in c]\n";
    let (tree, _) = model(code);
    let many = ["a", "b", "c", "d", "é", "f", "g"];
    let wide = NameModel::focused(&tree, code, &many);
    for w in many {
        let narrow = NameModel::focused(&tree, code, &[w]);
        for r in narrow.references() {
            let other = wide.reference_at(r.range.start).expect("seen by both");
            assert_eq!(
                narrow
                    .binding_of(r, code)
                    .map(|b| narrow.binding(b).range.clone()),
                wide.binding_of(other, code)
                    .map(|b| wide.binding(b).range.clone()),
                "`{w}` at {}",
                r.range.start
            );
        }
    }
}
