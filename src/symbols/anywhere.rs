//! What binds or hides a module's names outside its top-level statements
//! (walrus targets, `global` declarations, writes to `globals()`, `vars()`
//! or `sys.modules`): one walk of the nodes that hold those words.

use tree_sitter::Node;

use super::ModuleSymbols;
use crate::parse::fields::FIELD;

impl ModuleSymbols {
    /// What binds or hides module names anywhere in the file, not only in
    /// its top-level statements: `(name := value)` at module scope
    /// (comprehensions included; function and class bodies excluded),
    /// `global` declarations in functions, and writes to `globals()`,
    /// `vars()` or `sys.modules`. One cursor walk that enters only the nodes
    /// holding an occurrence of those words: most files have none, a whole
    /// walk costs a quarter of a parse, and a lookup per occurrence from the
    /// root is quadratic in deeply nested code.
    /// `offsets` are where those words occur, in order.
    pub(super) fn scan_anywhere(&mut self, root: Node, offsets: &[usize], text: &str) {
        if offsets.is_empty() {
            return;
        }
        let holds = |n: Node| {
            let i = offsets.partition_point(|&at| at < n.start_byte());
            offsets.get(i).is_some_and(|&at| at < n.end_byte())
        };
        let mut cursor = root.walk();
        // Each level's node (`Node::parent` searches from the root each
        // time), and whether it is in a function, class or lambda.
        let mut parents: Vec<(Node, bool)> = Vec::new();
        loop {
            let n = cursor.node();
            let opaque = parents.last().is_some_and(|p| p.1);
            self.anywhere(n, parents.last().map(|p| p.0), opaque, text);
            if holds(n) && cursor.goto_first_child() {
                let hides = matches!(
                    n.kind(),
                    "function_definition" | "class_definition" | "lambda"
                );
                parents.push((n, opaque || hides));
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return;
                }
                parents.pop();
            }
        }
    }

    /// One node of [`ModuleSymbols::scan_anywhere`]'s walk, whose parent is
    /// `parent`; `opaque`: inside a function, class or lambda.
    fn anywhere(&mut self, n: Node, parent: Option<Node>, opaque: bool, text: &str) {
        match n.kind() {
            "named_expression" if !opaque => {
                if let Some(name) = n.child_by_field_id(FIELD.name) {
                    self.bind(&text[name.byte_range()]);
                }
            }
            // `exec(code, globals())` and friends may bind anything.
            "argument_list" => {
                let mut c = n.walk();
                if n.named_children(&mut c)
                    .any(|a| matches!(&text[a.byte_range()], "globals()" | "vars()" | "locals()"))
                {
                    self.unknowable = Some("it passes `globals()` to a call".into());
                }
            }
            "global_statement" => {
                let mut c = n.walk();
                let names: Vec<String> = n
                    .named_children(&mut c)
                    .map(|i| text[i.byte_range()].to_string())
                    .collect();
                for name in names {
                    self.bind(&name);
                }
            }
            // The object is the node's first child, so its text starts
            // the node's: most attributes are ruled out without a
            // field lookup.
            "subscript" | "attribute"
                if ["globals()", "vars()", "sys.modules"]
                    .iter()
                    .any(|b| text[n.start_byte()..].starts_with(b)) =>
            {
                let object = n
                    .child_by_field_id(FIELD.value)
                    .or_else(|| n.child_by_field_id(FIELD.object));
                let base = object.map(|o| &text[o.byte_range()]).unwrap_or("");
                if matches!(base, "globals()" | "vars()" | "sys.modules")
                    && parent.is_some_and(|p| written(p, n, text))
                {
                    self.unknowable = Some(format!("it writes to `{base}`"));
                }
            }
            _ => {}
        }
    }
}

/// Whether the word `global` at `at` may start a `global` statement: it is
/// followed by a blank and starts its line or follows a `:` or `;`
/// (conservative: strings and comments may pass too, never a real
/// statement fail).
pub(super) fn global_statement_at(text: &str, at: usize) -> bool {
    let after = text[at + 6..].chars().next();
    let before = text[..at].trim_end_matches([' ', '\t', '\x0c']);
    matches!(after, Some(' ' | '\t' | '\\'))
        && (before.is_empty() || before.ends_with(['\n', '\r', ':', ';']))
}

/// Whether `n` (`globals()[…]`, `sys.modules.update`, …) is written by its parent `p`.
fn written(p: Node, n: Node, text: &str) -> bool {
    let is_target = p
        .child_by_field_id(FIELD.left)
        .is_some_and(|l| l.id() == n.id());
    let mutating_call = p.kind() == "call"
        || (n.kind() == "attribute"
            && n.child_by_field_id(FIELD.attribute)
                .is_some_and(|a| matches!(&text[a.byte_range()], "update" | "setdefault" | "pop")));
    is_target || p.kind() == "delete_statement" || mutating_call
}
