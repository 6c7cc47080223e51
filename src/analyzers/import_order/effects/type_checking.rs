//! Whether the test of an `if TYPE_CHECKING:` block is false at run time,
//! so the block runs nothing: `TYPE_CHECKING` is typing's (imported from
//! `typing` or `typing_extensions`, or `= False`) and nothing else binds it;
//! for `typing.TYPE_CHECKING`, `typing` is `import typing` and nothing sets
//! its attribute. Bound to `True`, to another module's, or unbound (a
//! `NameError`), the test has an effect. One walk of the file's tree, done
//! only when such a block is jumped.

use tree_sitter::Node;

/// How a module binds the names an `if TYPE_CHECKING:` test reads.
#[derive(Debug, Default)]
pub struct Guards {
    type_checking: Name,
    typing: Name,
}

/// The uses of one name in the module.
#[derive(Debug, Default)]
struct Name {
    /// Where the first module-level binding that makes it typing's starts.
    bound_at: Option<usize>,
    /// Some use may bind it to something else (or is not understood).
    other: bool,
}

impl Name {
    fn false_at(&self, at: usize) -> bool {
        !self.other && self.bound_at.is_some_and(|b| b < at)
    }
}

/// What one occurrence of a name does.
#[derive(Debug, PartialEq)]
enum Use {
    Read,
    /// Binds it to typing's (`from typing import TYPE_CHECKING`,
    /// `TYPE_CHECKING = False`, `import typing`).
    Binds,
    /// Anything else: when in doubt, it may bind it to anything.
    Other,
}

impl Guards {
    /// The guards of the module holding `node`.
    pub fn of(node: Node, text: &str) -> Self {
        let mut root = node;
        while let Some(p) = root.parent() {
            root = p;
        }
        let mut g = Guards::default();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            if n.kind() != "identifier" {
                let mut c = n.walk();
                stack.extend(n.children(&mut c));
                continue;
            }
            let (name, slot) = match &text[n.byte_range()] {
                "TYPE_CHECKING" => ("TYPE_CHECKING", &mut g.type_checking),
                "typing" => ("typing", &mut g.typing),
                _ => continue,
            };
            match use_of(n, text, name) {
                Use::Read => {}
                Use::Binds if module_level(n) => {
                    slot.bound_at.get_or_insert(n.start_byte());
                }
                Use::Binds | Use::Other => slot.other = true,
            }
        }
        g
    }

    /// Whether the test `TYPE_CHECKING` (`name` "TYPE_CHECKING") or
    /// `typing.TYPE_CHECKING` (`name` "typing") at byte `at` is false.
    pub fn false_at(&self, name: &str, at: usize) -> bool {
        match name {
            "typing" => self.typing.false_at(at) && !self.type_checking.other,
            _ => self.type_checking.false_at(at),
        }
    }
}

fn use_of(n: Node, text: &str, name: &str) -> Use {
    let Some(p) = n.parent() else {
        return Use::Other;
    };
    let is = |field: &str| {
        p.child_by_field_name(field)
            .is_some_and(|c| c.id() == n.id())
    };
    match p.kind() {
        "if_statement" | "elif_clause" | "while_statement" if is("condition") => Use::Read,
        "not_operator" | "boolean_operator" | "comparison_operator" | "conditional_expression" => {
            Use::Read
        }
        "assignment" if is("right") => Use::Read,
        "assignment"
            if name == "TYPE_CHECKING"
                && is("left")
                && p.child_by_field_name("type").is_none()
                && p.child_by_field_name("right")
                    .is_some_and(|r| r.kind() == "false") =>
        {
            Use::Binds
        }
        // `typing.X` reads `typing`; `X.TYPE_CHECKING` is read where the
        // attribute is read (`typing.TYPE_CHECKING = True` sets it).
        "attribute" if name == "typing" && is("object") => Use::Read,
        "attribute" if name == "TYPE_CHECKING" && is("attribute") => match use_of(p, text, name) {
            Use::Read => Use::Read,
            _ => Use::Other,
        },
        "dotted_name" => imported(p, text, name),
        _ => Use::Other,
    }
}

/// A name in an import's dotted name: `from typing import TYPE_CHECKING`
/// and `import typing` bind it to typing's; `from typing import X` names
/// the module and binds nothing; any other import binds something else.
fn imported(dotted: Node, text: &str, name: &str) -> Use {
    let Some(stmt) = dotted.parent() else {
        return Use::Other;
    };
    let whole = &text[dotted.byte_range()];
    match stmt.kind() {
        "import_from_statement" => {
            let from = stmt.child_by_field_name("module_name");
            if from.is_some_and(|m| m.id() == dotted.id()) {
                return Use::Read;
            }
            let typing = from
                .is_some_and(|m| matches!(&text[m.byte_range()], "typing" | "typing_extensions"));
            if typing && whole == "TYPE_CHECKING" && name == "TYPE_CHECKING" {
                Use::Binds
            } else {
                Use::Other
            }
        }
        "import_statement" if whole == "typing" && name == "typing" => Use::Binds,
        _ => Use::Other,
    }
}

/// Whether `n` binds at module level: inside no `def`, `class` or `lambda`
/// (blocks such as `try` and `if` run at module level).
fn module_level(n: Node) -> bool {
    let mut cur = n.parent();
    while let Some(p) = cur {
        if matches!(
            p.kind(),
            "function_definition" | "class_definition" | "lambda"
        ) {
            return false;
        }
        cur = p.parent();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::Guards;

    /// Whether the last `if` of `code` tests a false `TYPE_CHECKING`.
    fn false_in(code: &str) -> bool {
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        let root = tree.root_node();
        let mut c = root.walk();
        let stmt = root
            .named_children(&mut c)
            .filter(|s| s.kind() == "if_statement")
            .last()
            .unwrap();
        let cond = &code[stmt.child_by_field_name("condition").unwrap().byte_range()];
        let name = if cond == "typing.TYPE_CHECKING" {
            "typing"
        } else {
            "TYPE_CHECKING"
        };
        Guards::of(stmt, code).false_at(name, stmt.start_byte())
    }

    #[test]
    fn typing_s_type_checking_is_false() {
        for code in [
            "from typing import TYPE_CHECKING\nx = 1\nif TYPE_CHECKING:\n    pass\n",
            "from typing_extensions import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n",
            "try:\n    from typing import TYPE_CHECKING\nexcept ImportError:\n    TYPE_CHECKING = False\nif TYPE_CHECKING:\n    pass\n",
            "TYPE_CHECKING = False\nif not TYPE_CHECKING or TYPE_CHECKING == 0:\n    pass\nif TYPE_CHECKING:\n    pass\n",
            "import typing\nfrom typing import List\nx: typing.List[int] = typing.cast(int, 1)\nif typing.TYPE_CHECKING:\n    pass\n",
        ] {
            assert!(false_in(code), "{code}");
        }
    }

    #[test]
    fn anything_else_may_be_true_or_unbound() {
        for code in [
            // Unbound: a NameError.
            "if TYPE_CHECKING:\n    pass\n",
            "if typing.TYPE_CHECKING:\n    pass\n",
            // Bound after the test, or only inside a function.
            "if TYPE_CHECKING:\n    pass\nfrom typing import TYPE_CHECKING\n",
            "def f():\n    from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n",
            // Bound to something else.
            "TYPE_CHECKING = True\nif TYPE_CHECKING:\n    pass\n",
            "from typing import TYPE_CHECKING\nTYPE_CHECKING = True\nif TYPE_CHECKING:\n    pass\n",
            "from config import TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n",
            "from typing import TYPE_CHECKING\nfor TYPE_CHECKING in [1]:\n    pass\nif TYPE_CHECKING:\n    pass\n",
            "from typing import TYPE_CHECKING\nimport os as TYPE_CHECKING\nif TYPE_CHECKING:\n    pass\n",
            "from typing import TYPE_CHECKING\n(TYPE_CHECKING := 1)\nif TYPE_CHECKING:\n    pass\n",
            "import typing\ntyping.TYPE_CHECKING = True\nif typing.TYPE_CHECKING:\n    pass\n",
            "import typing\nsetattr(typing, 'TYPE_CHECKING', 1)\nif typing.TYPE_CHECKING:\n    pass\n",
            "import typing\ntyping = object()\nif typing.TYPE_CHECKING:\n    pass\n",
        ] {
            assert!(!false_in(code), "{code}");
        }
    }
}
