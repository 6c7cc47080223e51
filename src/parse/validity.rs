//! What tree-sitter-python accepts but CPython's compiler rejects: an empty
//! block (a fix that deleted the only statement), `await`/`async for`/
//! `async with` outside an async function, `return`/`yield` outside a
//! function, `nonlocal` at module level, `break`/`continue` outside a loop.
//! The fix engine counts these as syntax errors, so a fix that adds one is
//! refused (FIX002). Iterative: deep nesting cannot overflow the stack.
//! The constructs [`suspects`] finds (Python 2 syntax, misplaced
//! `__future__` imports) are E999 as well, found without walking the tree.

pub(crate) mod suspects;

pub use suspects::compile_rejects;

use tree_sitter::{Node, Tree};

/// The function a node is in, as far as these rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Module,
    Class,
    Sync,
    Async,
    Lambda,
}

#[derive(Debug, Clone, Copy)]
struct Context {
    scope: Scope,
    in_loop: bool,
}

/// Number of constructs in `tree` that CPython's compiler rejects.
pub fn cpython_rejects(tree: &Tree) -> usize {
    let mut count = 0;
    let root = tree.root_node();
    let mut stack: Vec<(Node, Context)> = vec![(
        root,
        Context {
            scope: Scope::Module,
            in_loop: false,
        },
    )];
    while let Some((node, ctx)) = stack.pop() {
        if node.is_error() || node.is_missing() {
            continue; // counted as a syntax error already
        }
        count += usize::from(rejected(node, ctx));
        let inner = enter(node, ctx);
        let mut c = node.walk();
        for child in node.children(&mut c) {
            // The loop body is in the loop; its `else` clause is not.
            let in_loop = match node.kind() {
                "for_statement" | "while_statement" => {
                    child.kind() == "block" && node.child_by_field_name("body") == Some(child)
                        || inner.in_loop
                }
                _ => inner.in_loop,
            };
            stack.push((child, Context { in_loop, ..inner }));
        }
    }
    count
}

/// The context inside `node`.
fn enter(node: Node, ctx: Context) -> Context {
    match node.kind() {
        "function_definition" => Context {
            scope: if has_async(node) {
                Scope::Async
            } else {
                Scope::Sync
            },
            in_loop: false,
        },
        "lambda" => Context {
            scope: Scope::Lambda,
            in_loop: false,
        },
        "class_definition" => Context {
            scope: Scope::Class,
            in_loop: false,
        },
        // Loops put only their body in the loop (set per child above).
        "for_statement" | "while_statement" => Context {
            in_loop: ctx.in_loop,
            ..ctx
        },
        _ => ctx,
    }
}

fn has_async(node: Node) -> bool {
    (0..node.child_count()).any(|i| node.child(i).is_some_and(|ch| ch.kind() == "async"))
}

fn rejected(node: Node, ctx: Context) -> bool {
    // Keywords are tokens of the same kind as their expressions (`await`).
    if !node.is_named() {
        return false;
    }
    let in_function = matches!(ctx.scope, Scope::Sync | Scope::Async);
    match node.kind() {
        "block" => !(0..node.named_child_count()).any(|i| {
            node.named_child(i as u32)
                .is_some_and(|n| n.kind() != "comment")
        }),
        "await" => ctx.scope != Scope::Async,
        "for_statement" | "with_statement" => has_async(node) && ctx.scope != Scope::Async,
        "return_statement" => !in_function,
        "yield" => !(in_function || ctx.scope == Scope::Lambda),
        "nonlocal_statement" => ctx.scope == Scope::Module,
        "break_statement" | "continue_statement" => !ctx.in_loop,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    fn count(src: &str) -> usize {
        cpython_rejects(&Worker::new().parse(src).unwrap())
    }

    #[test]
    fn what_cpython_compiles_is_not_counted() {
        for ok in [
            "x = 1\n",
            "async def f():\n    await g()\n    async for a in b:\n        pass\n    async with c:\n        pass\n",
            "def f():\n    return (yield 1)\n",
            "f = lambda: (yield)\n",
            "def f():\n    x = 1\n    def g():\n        nonlocal x\n",
            "for a in b:\n    if a:\n        break\n    continue\nelse:\n    pass\n",
            "while x:\n    try:\n        break\n    finally:\n        pass\n",
            "if x:\n    pass  # comment\n",
        ] {
            assert_eq!(count(ok), 0, "{ok}");
        }
    }

    #[test]
    fn what_cpython_rejects_is_counted() {
        for bad in [
            "await x\n",
            "def f():\n    await x\n",
            "async def f():\n    g = lambda: await x\n",
            "def f():\n    async for a in b:\n        pass\n",
            "def f():\n    async with a:\n        pass\n",
            "return 1\n",
            "class A:\n    yield 1\n",
            "nonlocal x\n",
            "break\n",
            "for a in b:\n    pass\nelse:\n    continue\n",
            "while x:\n    def f():\n        break\n",
            "if v is None:\n    \nx = 1\n",
        ] {
            assert_eq!(count(bad), 1, "{bad}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = format!("x = {}1{}\n", "[".repeat(20_000), "]".repeat(20_000));
        let tree = Worker::new().parse(&text).unwrap();
        let _ = cpython_rejects(&tree);
    }
}
