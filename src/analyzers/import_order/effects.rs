//! A conservative judgement of effects (SPEC §3.2): which module-level
//! statements a moved import may jump over. A statement is jumpable only
//! when it provably has no effect the import could observe: what runs when
//! it runs is literals, names, containers of them, `def`s and `class`es whose
//! import-time parts (decorators, defaults, annotations, bases, keywords,
//! class bodies) are so, `pass`, and `if TYPE_CHECKING:` blocks of imports.
//! Code inside `def` and `lambda` bodies does not run, so it does not count.
//! Anything else (a call anywhere, an assignment to an attribute or a
//! subscript, `del`, `global`, `with`, `for`, ...) is an effect: when in
//! doubt, it is one.

use std::cell::OnceCell;

use tree_sitter::Node;

mod type_checking;

/// What the judgement knows of one module: its text, whether annotations
/// are evaluated, and (found on first need, once per file) whether its
/// `TYPE_CHECKING` is false at run time.
pub struct Module<'a> {
    text: &'a str,
    lazy: bool,
    guards: OnceCell<type_checking::Guards>,
}

impl<'a> Module<'a> {
    /// The module of `text` (`lazy_annotations`: `from __future__ import
    /// annotations`, so annotations are not evaluated).
    pub fn new(text: &'a str, lazy_annotations: bool) -> Self {
        Self {
            text,
            lazy: lazy_annotations,
            guards: OnceCell::new(),
        }
    }
}

/// Why a statement may not be jumped: a short kind for `--statistics`.
pub fn blocker(stmt: Node, module: &Module) -> Option<&'static str> {
    let j = Judge {
        text: module.text,
        lazy: module.lazy,
        module,
    };
    j.statement(stmt, 0)
}

struct Judge<'a> {
    text: &'a str,
    lazy: bool,
    module: &'a Module<'a>,
}

/// Classes nested deeper than this are judged to have an effect (the
/// judgement recurses into class bodies).
const MAX_CLASS_DEPTH: usize = 16;

/// How many statements back an augmented assignment's name is looked for
/// (beyond, it is judged an effect: the look-up stays linear).
const MAX_LOOKBACK: usize = 64;

impl Judge<'_> {
    fn src(&self, n: Node) -> &str {
        &self.text[n.byte_range()]
    }

    fn statement(&self, stmt: Node, depth: usize) -> Option<&'static str> {
        match stmt.kind() {
            "pass_statement" => None,
            "expression_statement" => {
                let mut c = stmt.walk();
                let parts: Vec<Node> = stmt.named_children(&mut c).collect();
                for e in parts {
                    let verdict = match e.kind() {
                        "assignment" => self.assignment(e),
                        "augmented_assignment" => self.augmented(e),
                        _ => (!self.pure(e)).then(|| self.expr_kind(e)),
                    };
                    if verdict.is_some() {
                        return verdict;
                    }
                }
                None
            }
            "function_definition" => (!self.function(stmt)).then_some("definition"),
            "class_definition" => (!self.class(stmt, depth)).then_some("class"),
            "decorated_definition" => Some("decorator"),
            "if_statement" => (!self.type_checking_block(stmt)).then_some("statement"),
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                Some("import")
            }
            "delete_statement" => Some("del"),
            "global_statement" | "nonlocal_statement" => Some("global"),
            _ => Some("statement"),
        }
    }

    /// The kind of an impure expression statement or value.
    fn expr_kind(&self, e: Node) -> &'static str {
        if contains_call(e) {
            "call"
        } else {
            "statement"
        }
    }

    fn assignment(&self, a: Node) -> Option<&'static str> {
        let mut cur = a;
        let mut targets = Vec::new();
        loop {
            targets.extend(cur.child_by_field_name("left"));
            if let Some(t) = cur.child_by_field_name("type")
                && !self.annotation(t)
            {
                return Some("annotation");
            }
            match cur.child_by_field_name("right") {
                Some(r) if r.kind() == "assignment" => cur = r,
                Some(r) => {
                    for t in &targets {
                        if let Some(k) = self.target(*t, r) {
                            return Some(k);
                        }
                    }
                    return (!self.pure(r)).then(|| self.expr_kind(r));
                }
                // `X: int` (an annotation alone)
                None => {
                    return targets
                        .iter()
                        .find_map(|t| (t.kind() != "identifier").then(|| target_kind(*t)));
                }
            }
        }
    }

    /// Whether assigning `value` to `target` has an effect: only names,
    /// and tuples of names unpacking a literal of the same length, do not.
    fn target(&self, target: Node, value: Node) -> Option<&'static str> {
        match target.kind() {
            "identifier" => None,
            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                let mut c = target.walk();
                let names: Vec<Node> = target.named_children(&mut c).collect();
                if let Some(bad) = names.iter().find(|n| n.kind() != "identifier") {
                    return Some(target_kind(*bad));
                }
                let literal = matches!(value.kind(), "expression_list" | "tuple" | "list")
                    && value.named_child_count() == names.len();
                (!literal).then_some("statement")
            }
            _ => Some(target_kind(target)),
        }
    }

    fn augmented(&self, a: Node) -> Option<&'static str> {
        let left = a.child_by_field_name("left")?;
        if left.kind() != "identifier" {
            return Some("augmented assignment");
        }
        if let Some(r) = a.child_by_field_name("right")
            && !self.pure(r)
        {
            return Some(self.expr_kind(r));
        }
        // `x += [...]` changes a list or dict in place (`__iadd__`), which
        // may be another module's (`from registry import PLUGINS`).
        (!self.made_here(a, self.src(left))).then_some("augmented assignment")
    }

    /// Whether `name`, before the statement of `a`, holds a literal this
    /// module made: the closest earlier statement of the block that
    /// mentions it is `name = <literal>`, or `name += <pure>` continuing
    /// one; looked for at most [`MAX_LOOKBACK`] statements back.
    fn made_here(&self, a: Node, name: &str) -> bool {
        let mut cur = a;
        while cur.kind() != "expression_statement" {
            match cur.parent() {
                Some(p) => cur = p,
                None => return false,
            }
        }
        for _ in 0..MAX_LOOKBACK {
            let Some(prev) = cur.prev_named_sibling() else {
                return false;
            };
            cur = prev;
            let mentions = self
                .src(prev)
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == name);
            if prev.kind() == "comment" || !mentions {
                continue;
            }
            let e = match prev.named_child(0) {
                Some(e)
                    if prev.kind() == "expression_statement" && prev.named_child_count() == 1 =>
                {
                    e
                }
                _ => return false,
            };
            let left_is_name = e
                .child_by_field_name("left")
                .is_some_and(|l| l.kind() == "identifier" && self.src(l) == name);
            let right = e.child_by_field_name("right");
            match e.kind() {
                "assignment" if left_is_name => return right.is_some_and(|r| self.literal(r)),
                "augmented_assignment" if left_is_name && right.is_some_and(|r| self.pure(r)) => {}
                _ => return false,
            }
        }
        false
    }

    /// A literal that makes a new object (not a name, which may alias
    /// another module's).
    fn literal(&self, e: Node) -> bool {
        match e.kind() {
            "parenthesized_expression" => e.named_child(0).is_some_and(|i| self.literal(i)),
            "list"
            | "tuple"
            | "set"
            | "dictionary"
            | "string"
            | "concatenated_string"
            | "integer"
            | "float"
            | "true"
            | "false"
            | "none"
            | "unary_operator" => self.pure(e),
            _ => false,
        }
    }

    /// An annotation: evaluated unless `from __future__ import annotations`.
    fn annotation(&self, t: Node) -> bool {
        self.lazy || self.pure(t)
    }

    /// Whether evaluating `e` runs no code: literals, names, containers of
    /// them, numeric signs, lambdas with such defaults. Walked with a stack
    /// of its own (a deeply nested literal must not overflow ours).
    fn pure(&self, e: Node) -> bool {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            let mut c = e.walk();
            match e.kind() {
                "identifier" | "integer" | "float" | "true" | "false" | "none" | "ellipsis"
                | "comment" => {}
                "string" => {
                    let interpolated = e.children(&mut c).any(|p| p.kind() == "interpolation");
                    let mut prefix = self.src(e).chars().take_while(|c| c.is_ascii_alphabetic());
                    // A t-string builds a template object: not a literal.
                    if interpolated || prefix.any(|c| c.eq_ignore_ascii_case(&'t')) {
                        return false;
                    }
                }
                "concatenated_string"
                | "list"
                | "tuple"
                | "set"
                | "expression_list"
                | "parenthesized_expression"
                | "type" => stack.extend(e.named_children(&mut c)),
                "dictionary" => {
                    for p in e.named_children(&mut c) {
                        match p.kind() {
                            "comment" => {}
                            "pair" => stack.extend(
                                p.child_by_field_name("key")
                                    .into_iter()
                                    .chain(p.child_by_field_name("value")),
                            ),
                            _ => return false,
                        }
                    }
                }
                "unary_operator" => {
                    let numeric = e
                        .child_by_field_name("argument")
                        .is_some_and(|a| matches!(a.kind(), "integer" | "float"));
                    let sign = matches!(
                        e.child_by_field_name("operator").map(|o| self.src(o)),
                        Some("-" | "+")
                    );
                    if !(numeric && sign) {
                        return false;
                    }
                }
                // The body does not run; the defaults do.
                "lambda" => {
                    if let Some(params) = e.child_by_field_name("parameters") {
                        let mut c = params.walk();
                        for p in params.named_children(&mut c) {
                            stack.extend(p.child_by_field_name("value"));
                        }
                    }
                }
                _ => return false,
            }
        }
        true
    }

    /// Defaults (and, for a `def`, annotations) of parameters run no code.
    fn parameters(&self, params: Node, annotated: bool) -> bool {
        let mut c = params.walk();
        params.named_children(&mut c).all(|p| {
            let default_ok = p.child_by_field_name("value").is_none_or(|v| self.pure(v));
            let type_ok = !annotated
                || p.child_by_field_name("type")
                    .is_none_or(|t| self.annotation(t));
            // A typed `*args: T` holds its pattern as a child: its
            // annotation is the `type` field of the typed parameter.
            default_ok && type_ok
        })
    }

    fn function(&self, f: Node) -> bool {
        f.child_by_field_name("parameters")
            .is_none_or(|p| self.parameters(p, true))
            && f.child_by_field_name("return_type")
                .is_none_or(|t| self.annotation(t))
    }

    /// A class runs its bases' `__init_subclass__`, its metaclass and its
    /// body: only a class with no bases but `object`, no keywords and a
    /// body of jumpable statements has no effect.
    fn class(&self, cls: Node, depth: usize) -> bool {
        if depth >= MAX_CLASS_DEPTH {
            return false;
        }
        if let Some(args) = cls.child_by_field_name("superclasses") {
            let mut c = args.walk();
            let plain = args.named_children(&mut c).all(|a| {
                a.kind() == "comment" || (a.kind() == "identifier" && self.src(a) == "object")
            });
            if !plain {
                return false;
            }
        }
        let Some(body) = cls.child_by_field_name("body") else {
            return false;
        };
        let mut c = body.walk();
        body.named_children(&mut c)
            .all(|s| s.kind() == "comment" || self.statement(s, depth + 1).is_none())
    }

    /// `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) holding only
    /// imports and `pass`, with no `else`, where the name is typing's
    /// (imported above, never rebound): nothing of it runs. Bound to
    /// anything else, or unbound (a `NameError`), the test has an effect.
    fn type_checking_block(&self, stmt: Node) -> bool {
        let Some(cond) = stmt.child_by_field_name("condition") else {
            return false;
        };
        let name = match self.src(cond) {
            "TYPE_CHECKING" => "TYPE_CHECKING",
            "typing.TYPE_CHECKING" => "typing",
            _ => return false,
        };
        if stmt.child_by_field_name("alternative").is_some() {
            return false;
        }
        let guards = self
            .module
            .guards
            .get_or_init(|| type_checking::Guards::of(stmt, self.text));
        if !guards.false_at(name, stmt.start_byte()) {
            return false;
        }
        let Some(body) = stmt.child_by_field_name("consequence") else {
            return false;
        };
        let mut c = body.walk();
        body.named_children(&mut c).all(|s| {
            matches!(
                s.kind(),
                "import_statement" | "import_from_statement" | "pass_statement" | "comment"
            )
        })
    }
}

fn target_kind(t: Node) -> &'static str {
    match t.kind() {
        "attribute" => "attribute assignment",
        "subscript" => "subscript assignment",
        _ => "statement",
    }
}

/// Whether `e` holds a call outside `lambda` bodies.
fn contains_call(e: Node) -> bool {
    let mut stack = vec![e];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "call" => return true,
            "lambda" => continue,
            _ => {}
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
    false
}
