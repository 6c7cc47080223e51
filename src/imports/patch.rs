//! Patch strings: the dotted names given to `mock.patch("pkg.mod.f")`,
//! `monkeypatch.setattr("pkg.mod.f", …)`, `mocker.patch(…)` and the pack's
//! `module_string_calls`. Patching by name imports the module, so each such
//! string is an import site for the lane guards (and `rulegate promote`
//! rewrites it with the imports).
//!
//! Cheap by construction: only a file whose text holds one of the calls'
//! words is looked at, and only at the places that word occurs (no walk of
//! the tree); a name model, focused on the calls' names, is built only for a
//! call spelled through an alias (`um.patch` after `import unittest.mock as
//! um`).

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::names::NameModel;

/// Calls that patch by dotted name, whatever the pack says (the first
/// positional argument, or `target=`).
pub const PATCH_CALLS: &[&str] = &[
    "unittest.mock.patch",
    "unittest.mock.patch.dict",
    "unittest.mock.patch.multiple",
    "mock.patch",
    "mock.patch.dict",
    "mock.patch.multiple",
    "patch",
    "patch.dict",
    "patch.multiple",
    "monkeypatch.setattr",
    "monkeypatch.delattr",
    "mocker.patch",
    "mocker.patch.dict",
    "mocker.patch.multiple",
];

/// One dotted name given to a patch call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchTarget {
    /// The dotted name (`pkg.mod.f`).
    pub dotted: String,
    /// The range of the string's content.
    pub range: Range<usize>,
    /// The range of the call.
    pub call: Range<usize>,
}

/// The word of a call's name that is searched for in the text: its last
/// part that is not an attribute of `patch` (`patch` of `mock.patch.dict`).
fn anchor(call: &str) -> &str {
    call.rsplit('.')
        .find(|s| !matches!(*s, "dict" | "multiple"))
        .unwrap_or(call)
}

/// The patch calls a rule looks for ([`PATCH_CALLS`] and the pack's own),
/// with the words that find them, computed once per rule.
#[derive(Debug, Clone)]
pub struct PatchCalls {
    /// Qualified or written names of the calls.
    calls: Vec<String>,
    /// Their anchor words, each once.
    words: Vec<String>,
}

impl PatchCalls {
    /// [`PATCH_CALLS`] and `extra`.
    pub fn new(extra: &[String]) -> Self {
        let mut calls: Vec<String> = PATCH_CALLS.iter().map(|c| c.to_string()).collect();
        calls.extend(extra.iter().filter(|c| !c.is_empty()).cloned());
        calls.sort();
        calls.dedup();
        let mut words: Vec<String> = calls.iter().map(|c| anchor(c).to_string()).collect();
        words.sort();
        words.dedup();
        // `patch` finds `monkeypatch` too: a word inside another is searched once.
        let all = words.clone();
        words.retain(|w| !all.iter().any(|o| o != w && w.contains(o.as_str())));
        Self { calls, words }
    }

    /// Whether `text` may hold one of the calls (it holds an anchor word).
    pub fn may_match(&self, text: &str) -> bool {
        // A SIMD search (std's substring search is several times slower).
        self.words
            .iter()
            .any(|w| memchr::memmem::find(text.as_bytes(), w.as_bytes()).is_some())
    }

    /// The dotted names the file gives to the calls (qualified names as
    /// `unittest.mock.patch`, or spelled as written), in file order.
    pub fn targets(&self, tree: &Tree, text: &str) -> Vec<PatchTarget> {
        let root = tree.root_node();
        let mut found: Vec<Node> = Vec::new();
        for w in &self.words {
            for at in memchr::memmem::find_iter(text.as_bytes(), w.as_bytes()) {
                if let Some(call) = root
                    .descendant_for_byte_range(at, at + w.len())
                    .and_then(call_around)
                    && !found.contains(&call)
                {
                    found.push(call);
                }
            }
        }
        found.sort_by_key(|c| c.start_byte());
        let known = |n: &str| self.calls.iter().any(|c| c == n);
        let functions: Vec<(Node, Node)> = found
            .into_iter()
            .filter_map(|c| Some((c, c.child_by_field_name("function")?)))
            .collect();
        // An alias (`um.patch`) needs the name model; a name written as
        // listed does not. The model is focused on the aliases' heads.
        let heads: Vec<&str> = functions
            .iter()
            .map(|(_, f)| &text[f.byte_range()])
            .filter(|w| w.contains('.') && !known(w))
            .filter_map(|w| w.split('.').next())
            .collect();
        let model = (!heads.is_empty()).then(|| NameModel::focused(tree, text, &heads));
        let mut out = Vec::new();
        for (call, function) in functions {
            let written = &text[function.byte_range()];
            let matched = known(written)
                || model
                    .as_ref()
                    .and_then(|m| m.qualified_name(function, text))
                    .is_some_and(|q| known(&q));
            if !matched {
                continue;
            }
            if let Some((dotted, range)) = first_argument(call, text).and_then(|a| dotted(a, text))
            {
                out.push(PatchTarget {
                    dotted,
                    range,
                    call: call.byte_range(),
                });
            }
        }
        out
    }
}

/// The call whose function's name holds `node` (an identifier in an
/// attribute chain: `patch` in `mock.patch.dict(…)`).
fn call_around(node: Node<'_>) -> Option<Node<'_>> {
    if node.kind() != "identifier" {
        return None;
    }
    let mut inner = node;
    loop {
        let parent = inner.parent()?;
        match parent.kind() {
            "attribute" => inner = parent,
            "call" if parent.child_by_field_name("function") == Some(inner) => {
                return Some(parent);
            }
            _ => return None,
        }
    }
}

/// The first positional argument of a call, or its `target=`.
fn first_argument<'t>(call: Node<'t>, text: &str) -> Option<Node<'t>> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let first = args
        .named_children(&mut c)
        .find(|a| a.kind() != "comment")?;
    match first.kind() {
        "keyword_argument" => first
            .child_by_field_name("name")
            .filter(|n| &text[n.byte_range()] == "target")
            .and_then(|_| first.child_by_field_name("value")),
        _ => Some(first),
    }
}

/// A plain string literal holding a dotted name: (the name, its range).
fn dotted(node: Node, text: &str) -> Option<(String, Range<usize>)> {
    let (value, range) = super::literal_string(node, text)?;
    let valid = value.split('.').all(|s| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    valid.then_some((value, range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    fn dotted_of(src: &str, extra: &[&str]) -> Vec<String> {
        let tree = Worker::new().parse(src).unwrap();
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        PatchCalls::new(&extra)
            .targets(&tree, src)
            .into_iter()
            .map(|t| {
                assert_eq!(&src[t.range.clone()], t.dotted);
                t.dotted
            })
            .collect()
    }

    #[test]
    fn every_patch_form_names_its_target() {
        let src = "\
from unittest import mock
from unittest.mock import patch
import unittest.mock as um

@mock.patch(\"a.b.f\")
def test_a(m, monkeypatch, mocker):
    monkeypatch.setattr(\"a.c.g\", 1)
    monkeypatch.setattr(obj, \"name\", 1)
    monkeypatch.delattr(\"a.d.h\")
    mocker.patch(\"a.e.i\", return_value=1)
    mocker.patch.dict(\"a.f.TABLE\", {})
    with patch(target=\"a.g.j\"), um.patch(\"a.h.k\"):
        pass
    setattr(obj, \"a.x.y\", 1)
    log.getLogger(\"a.y.z\")
    patch(\"not a module\")
    patch(f\"a.{x}\")
    override(\"a.i.l\")
";
        assert_eq!(
            dotted_of(src, &[]),
            [
                "a.b.f",
                "a.c.g",
                "a.d.h",
                "a.e.i",
                "a.f.TABLE",
                "a.g.j",
                "a.h.k"
            ]
        );
        // A pack's module_string_calls count too.
        assert_eq!(dotted_of("override(\"a.i.l\")\n", &["override"]), ["a.i.l"]);
        let calls = PatchCalls::new(&[]);
        assert_eq!(calls.words, ["delattr", "patch", "setattr"]);
        assert!(!calls.may_match("import os\nos.getcwd()\n"));
        assert!(calls.may_match("def t(monkeypatch): ...\n"));
    }
}
