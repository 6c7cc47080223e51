//! Literal module names that reach a dynamic-import call through the
//! module's own code: `import_module(name)` where `name` loops over a tuple
//! of candidates (the bridge pattern), indexes a table of plugin modules,
//! or falls back on an `os.environ.get("X", "pkg.default")` default.
//!
//! The trace is syntactic and flow-insensitive, within one module: a name
//! is followed to the `for` loops and comprehensions around the call that
//! bind it, else to its assignments in the enclosing function (a parameter
//! is unknown), else at module level. A string that never reaches the call
//! (`getLogger("lukhas.core")`) is never looked at. What cannot be followed
//! (a parameter, a call, an environment variable's value) makes the trace
//! incomplete: the call's target then stays partly unknown (LANE002).

use std::ops::Range;

use tree_sitter::Node;

use super::literal_string;

/// How deep the trace follows names into names (a cycle `x = x + y` ends).
const MAX_DEPTH: usize = 6;

/// Calls whose second argument is a default module name
/// (`os.environ.get("PLUGIN", "pkg.default")`).
const ENV_GETS: &[&str] = &["os.environ.get", "environ.get", "os.getenv", "getenv"];

/// Comprehensions whose `for … in` clauses bind names for their body.
const COMPREHENSIONS: &[&str] = &[
    "list_comprehension",
    "set_comprehension",
    "generator_expression",
    "dictionary_comprehension",
];

/// The literal names an expression may evaluate to.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Traced {
    /// Each literal string (its value and the range of its content).
    pub strings: Vec<(String, Range<usize>)>,
    /// Whether every value the expression can take is one of `strings`.
    pub complete: bool,
}

/// The literal values `arg`, the name argument of a dynamic-import call,
/// can take.
pub(super) fn trace(arg: Node, text: &str) -> Traced {
    let mut t = Tracer {
        text,
        out: Traced {
            strings: Vec::new(),
            complete: true,
        },
    };
    t.value(arg, 0);
    t.out.strings.sort_by_key(|(_, r)| r.start);
    t.out.strings.dedup();
    t.out
}

/// How a name's bound value is read.
#[derive(Clone, Copy)]
enum Read {
    /// As the module name itself.
    Value,
    /// As a container of module names (iterated or indexed).
    Elements,
}

struct Tracer<'a> {
    text: &'a str,
    out: Traced,
}

impl Tracer<'_> {
    fn t(&self, n: Node) -> &str {
        &self.text[n.byte_range()]
    }

    fn unknown(&mut self) {
        self.out.complete = false;
    }

    /// What evaluating `n` gives.
    fn value(&mut self, n: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return self.unknown();
        }
        match n.kind() {
            "string" => match literal_string(n, self.text) {
                Some(s) => self.out.strings.push(s),
                None => self.unknown(),
            },
            "parenthesized_expression" => match n.named_child(0) {
                Some(inner) => self.value(inner, depth),
                None => self.unknown(),
            },
            // `a if c else b`, `a or b`: either side.
            "conditional_expression" => {
                let mut c = n.walk();
                let parts: Vec<Node> = n.named_children(&mut c).collect();
                match parts.as_slice() {
                    [a, _, b] => {
                        self.value(*a, depth + 1);
                        self.value(*b, depth + 1);
                    }
                    _ => self.unknown(),
                }
            }
            "boolean_operator" => {
                for side in ["left", "right"] {
                    match n.child_by_field_name(side) {
                        Some(s) => self.value(s, depth + 1),
                        None => self.unknown(),
                    }
                }
            }
            "identifier" => self.name(n, depth + 1, Read::Value),
            // `TABLE[key]`, `CANDIDATES[0]`: any element of the container.
            "subscript" => match n.child_by_field_name("value") {
                Some(v) => self.elements(v, depth + 1),
                None => self.unknown(),
            },
            "call" => self.call_value(n, depth + 1),
            _ => self.unknown(),
        }
    }

    /// `os.environ.get("X", "default")`: the default (the variable's value
    /// is unknown); `TABLE.get(key, default)`: the table's values and the
    /// default.
    fn call_value(&mut self, n: Node, depth: usize) {
        let (Some(function), Some(args)) = (
            n.child_by_field_name("function"),
            n.child_by_field_name("arguments"),
        ) else {
            return self.unknown();
        };
        let mut c = args.walk();
        let all: Vec<Node> = args
            .named_children(&mut c)
            .filter(|a| a.kind() != "comment")
            .collect();
        let default = all
            .iter()
            .find(|a| {
                a.kind() == "keyword_argument"
                    && a.child_by_field_name("name")
                        .is_some_and(|k| self.t(k) == "default")
            })
            .and_then(|a| a.child_by_field_name("value"))
            .or_else(|| {
                all.get(1)
                    .copied()
                    .filter(|a| a.kind() != "keyword_argument")
            });
        let name = self.t(function).split_whitespace().collect::<String>();
        if ENV_GETS.contains(&name.as_str()) {
            self.unknown();
            if let Some(d) = default {
                self.value(d, depth);
            }
            return;
        }
        match (function.kind(), function.child_by_field_name("attribute")) {
            ("attribute", Some(attr)) if self.t(attr) == "get" => {
                match function.child_by_field_name("object") {
                    Some(obj) => self.elements(obj, depth),
                    None => self.unknown(),
                }
                match default {
                    Some(d) => self.value(d, depth),
                    // `.get(key)` may give `None`: not a module name.
                    None => self.unknown(),
                }
            }
            _ => self.unknown(),
        }
    }

    /// What iterating or indexing `n` gives: a tuple's, list's or set's
    /// elements, a dict's values.
    fn elements(&mut self, n: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return self.unknown();
        }
        match n.kind() {
            "tuple" | "list" | "set" => {
                let mut c = n.walk();
                for e in n.named_children(&mut c).filter(|e| e.kind() != "comment") {
                    self.value(e, depth + 1);
                }
            }
            "dictionary" => {
                let mut c = n.walk();
                for e in n.named_children(&mut c).filter(|e| e.kind() != "comment") {
                    match e
                        .child_by_field_name("value")
                        .filter(|_| e.kind() == "pair")
                    {
                        Some(v) => self.value(v, depth + 1),
                        None => self.unknown(), // `**other`
                    }
                }
            }
            "parenthesized_expression" => match n.named_child(0) {
                Some(inner) => self.elements(inner, depth),
                None => self.unknown(),
            },
            "binary_operator" => {
                for side in ["left", "right"] {
                    match n.child_by_field_name(side) {
                        Some(s) => self.elements(s, depth + 1),
                        None => self.unknown(),
                    }
                }
            }
            "identifier" => self.name(n, depth + 1, Read::Elements),
            "call" => match self.wrapped(n) {
                Some(inner) => self.elements(inner, depth + 1),
                None => self.unknown(),
            },
            _ => self.unknown(),
        }
    }

    /// `sorted(X)`, `list(X)`, `tuple(X)`, `reversed(X)`, `set(X)` and
    /// `X.values()`: the container whose elements the call gives.
    fn wrapped<'t>(&self, n: Node<'t>) -> Option<Node<'t>> {
        let function = n.child_by_field_name("function")?;
        let args = n.child_by_field_name("arguments")?;
        match function.kind() {
            "identifier"
                if matches!(
                    self.t(function),
                    "sorted" | "list" | "tuple" | "reversed" | "set"
                ) && args.named_child_count() == 1 =>
            {
                args.named_child(0)
            }
            "attribute"
                if function
                    .child_by_field_name("attribute")
                    .is_some_and(|a| self.t(a) == "values")
                    && args.named_child_count() == 0 =>
            {
                function.child_by_field_name("object")
            }
            _ => None,
        }
    }

    /// Follows the name `ident` to what binds it: the loops around it, else
    /// its assignments in the enclosing function, else at module level.
    /// `read` says how each bound value is read.
    fn name(&mut self, ident: Node, depth: usize, read: Read) {
        let name = self.t(ident).to_string();
        if let Some(iterable) = self.loop_binding(ident, &name) {
            match (iterable, read) {
                (Some(it), Read::Value) => self.elements(it, depth),
                // A container taken from a loop is not followed.
                _ => self.unknown(),
            }
            return;
        }
        let mut scope = ident;
        let mut function = None;
        while let Some(p) = scope.parent() {
            scope = p;
            if p.kind() == "function_definition" {
                function = Some(p);
                break;
            }
        }
        if let Some(f) = function {
            if self.is_parameter(f, &name) {
                return self.unknown();
            }
            let found = self.assignments(f, &name);
            if !found.is_empty() {
                return self.read_all(&found, depth, read);
            }
            while let Some(p) = scope.parent() {
                scope = p;
            }
        }
        let found = self.assignments(scope, &name);
        if found.is_empty() {
            return self.unknown();
        }
        self.read_all(&found, depth, read);
    }

    fn read_all(&mut self, nodes: &[Node], depth: usize, read: Read) {
        for n in nodes {
            match read {
                Read::Value => self.value(*n, depth),
                Read::Elements => self.elements(*n, depth),
            }
        }
    }

    /// The iterable of the `for` loop or comprehension around `at` that
    /// binds `name`: `Some(Some(iterable))`, or `Some(None)` when it binds
    /// it in a way not followed (`for i, name in enumerate(x)` is followed,
    /// `for a, b in pairs` is not).
    fn loop_binding<'t>(&self, at: Node<'t>, name: &str) -> Option<Option<Node<'t>>> {
        let mut child = at;
        while let Some(p) = child.parent() {
            if p.kind() == "function_definition" || p.kind() == "class_definition" {
                return None;
            }
            let clauses: Vec<Node> = if p.kind() == "for_statement" {
                // Only the body sees the loop's variable.
                (p.child_by_field_name("body") == Some(child))
                    .then_some(p)
                    .into_iter()
                    .collect()
            } else if COMPREHENSIONS.contains(&p.kind()) {
                let mut c = p.walk();
                p.named_children(&mut c)
                    .filter(|n| n.kind() == "for_in_clause")
                    .collect()
            } else {
                Vec::new()
            };
            for clause in clauses {
                let (Some(left), Some(right)) = (
                    clause.child_by_field_name("left"),
                    clause.child_by_field_name("right"),
                ) else {
                    continue;
                };
                if let Some(found) = self.bound_by(left, right, name) {
                    return Some(found);
                }
            }
            child = p;
        }
        None
    }

    /// Whether the loop target `left` over `right` binds `name`, and the
    /// container whose elements it takes.
    fn bound_by<'t>(
        &self,
        left: Node<'t>,
        right: Node<'t>,
        name: &str,
    ) -> Option<Option<Node<'t>>> {
        if left.kind() == "identifier" {
            return (self.t(left) == name).then_some(Some(right));
        }
        let mut c = left.walk();
        let targets: Vec<Node> = left.named_children(&mut c).collect();
        let at = targets
            .iter()
            .position(|t| t.kind() == "identifier" && self.t(*t) == name)?;
        // `for key, name in TABLE.items()`, `for i, name in enumerate(X)`.
        let function = right.child_by_field_name("function");
        let args = right.child_by_field_name("arguments");
        let container = match (right.kind(), function, targets.len(), at) {
            ("call", Some(f), 2, 1) if f.kind() == "attribute" => f
                .child_by_field_name("attribute")
                .filter(|a| self.t(*a) == "items")
                .and_then(|_| f.child_by_field_name("object")),
            ("call", Some(f), 2, 1) if self.t(f) == "enumerate" => {
                args.and_then(|a| a.named_child(0))
            }
            _ => None,
        };
        Some(container)
    }

    fn is_parameter(&self, function: Node, name: &str) -> bool {
        let Some(params) = function.child_by_field_name("parameters") else {
            return false;
        };
        let mut c = params.walk();
        params.named_children(&mut c).any(|p| {
            let ident = match p.kind() {
                "identifier" => Some(p),
                _ => p
                    .child_by_field_name("name")
                    .or_else(|| p.named_child(0))
                    .filter(|n| n.kind() == "identifier"),
            };
            ident.is_some_and(|i| self.t(i) == name)
        })
    }

    /// The right-hand sides of `name = …` in `scope` (a function, or the
    /// module without its functions' and classes' bodies).
    fn assignments<'t>(&self, scope: Node<'t>, name: &str) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut stack = vec![scope];
        while let Some(n) = stack.pop() {
            if n.kind() == "assignment"
                && n.child_by_field_name("left")
                    .is_some_and(|l| l.kind() == "identifier" && self.t(l) == name)
                && let Some(rhs) = n.child_by_field_name("right")
            {
                out.push(rhs);
                continue;
            }
            let nested_scope = n != scope
                && matches!(
                    n.kind(),
                    "function_definition" | "class_definition" | "lambda"
                );
            // Only statements hold assignments: expressions are not entered.
            if !nested_scope && (n.kind().ends_with("statement") || is_container(n.kind())) {
                let mut c = n.walk();
                stack.extend(n.named_children(&mut c));
            }
        }
        out.sort_by_key(|n| n.start_byte());
        out
    }
}

/// Nodes whose children may be assignments (besides `*_statement`).
fn is_container(kind: &str) -> bool {
    matches!(
        kind,
        "module"
            | "block"
            | "function_definition"
            | "decorated_definition"
            | "elif_clause"
            | "else_clause"
            | "except_clause"
            | "finally_clause"
            | "case_clause"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    /// The traced values of the first argument of the last `load(...)` call.
    fn traced(src: &str) -> (Vec<String>, bool) {
        let tree = Worker::new().parse(src).unwrap();
        let at = src.rfind("load(").unwrap() + 5;
        let arg = tree
            .root_node()
            .descendant_for_byte_range(at, at + 1)
            .unwrap();
        // The argument is the largest node starting there inside the call.
        let mut arg = arg;
        while let Some(p) = arg.parent() {
            if p.start_byte() != at || p.kind() == "argument_list" {
                break;
            }
            arg = p;
        }
        let t = trace(arg, src);
        (t.strings.into_iter().map(|s| s.0).collect(), t.complete)
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_tuple_of_candidates_looped_into_the_call() {
        let src = "CANDIDATES = (\"candidate.a\", \"core.a\")\n\
                   def f():\n    for name in CANDIDATES:\n        try:\n            return load(name)\n        except ImportError:\n            pass\n";
        assert_eq!(traced(src), (names(&["candidate.a", "core.a"]), true));
        let inline = "for m in ['x.a', 'x.b']:\n    load(m)\n";
        assert_eq!(traced(inline), (names(&["x.a", "x.b"]), true));
        let comp = "mods = [load(m) for m in ('p.a', 'p.b')]\n";
        assert_eq!(traced(comp), (names(&["p.a", "p.b"]), true));
    }

    #[test]
    fn a_table_indexed_or_iterated() {
        let src = "PLUGINS = {'default': 'candidate.plugins.default', 'x': 'core.x'}\n\
                   def get(key):\n    return load(PLUGINS[key])\n";
        assert_eq!(
            traced(src),
            (names(&["candidate.plugins.default", "core.x"]), true)
        );
        let items = "T = {'a': 'm.a'}\nfor k, v in T.items():\n    load(v)\n";
        assert_eq!(traced(items), (names(&["m.a"]), true));
        let values = "T = {'a': 'm.a'}\nfor v in sorted(T.values()):\n    load(v)\n";
        assert_eq!(traced(values), (names(&["m.a"]), true));
        let get = "T = {'a': 'm.a'}\nload(T.get(k, 'm.b'))\n";
        assert_eq!(traced(get), (names(&["m.a", "m.b"]), true));
    }

    #[test]
    fn an_environment_default_is_known_but_the_value_is_not() {
        let src =
            "import os\nname = os.environ.get('PLUGIN', 'candidate.plugins.default')\nload(name)\n";
        assert_eq!(traced(src), (names(&["candidate.plugins.default"]), false));
        let inline = "import os\nload(os.getenv('P', default='a.b'))\n";
        assert_eq!(traced(inline), (names(&["a.b"]), false));
    }

    #[test]
    fn what_is_not_followed_is_unknown() {
        // A parameter, a call, a name bound nowhere.
        assert_eq!(traced("def f(name):\n    load(name)\n"), (vec![], false));
        assert_eq!(traced("load(make())\n"), (vec![], false));
        assert_eq!(traced("load(nowhere)\n"), (vec![], false));
        // One branch known, the other not.
        assert_eq!(
            traced("x = 'a.b' if c else other()\nload(x)\n"),
            (names(&["a.b"]), false)
        );
        // A cycle ends.
        assert!(!traced("x = x\nload(x)\n").1);
        // A string that names a module but never reaches the call.
        let elsewhere = "import logging\nlog = logging.getLogger('lukhas.core')\nload(name)\n";
        assert_eq!(traced(elsewhere), (vec![], false));
    }

    #[test]
    fn a_function_assignment_shadows_the_module_one() {
        let src = "X = 'mod.a'\ndef f():\n    X = 'mod.b'\n    load(X)\n";
        assert_eq!(traced(src), (names(&["mod.b"]), true));
    }
}
