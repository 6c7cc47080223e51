//! Relational constraints (SPEC §3.1): what one query cannot say about a
//! capture, written as further queries. `matches` tests the captured node
//! itself, `has` its descendants, `inside` its ancestors; each may be
//! negated. The inner queries are validated when the pack loads, compiled
//! once on first use, and run only on matches that passed every cheaper constraint.

use tree_sitter::{Node, QueryCursor, StreamingIterator};

use super::query::LazyQuery;

/// Where a relation looks for a match of its query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    /// The captured node itself is the root of a match.
    Matches,
    /// Some proper descendant is.
    Has,
    /// Some proper ancestor is.
    Inside,
}

impl RelationKind {
    /// The TOML keys, positive then negated, with their kind.
    pub const KEYS: [(&'static str, RelationKind, bool); 6] = [
        ("matches", RelationKind::Matches, false),
        ("not_matches", RelationKind::Matches, true),
        ("has", RelationKind::Has, false),
        ("not_has", RelationKind::Has, true),
        ("inside", RelationKind::Inside, false),
        ("not_inside", RelationKind::Inside, true),
    ];
}

/// One relational constraint on a capture.
pub struct Relation {
    /// Where to look.
    pub kind: RelationKind,
    /// `not_…`: the relation must not hold.
    pub negated: bool,
    /// The inner query, compiled once per run on first use.
    pub query: LazyQuery,
    /// Node kinds that end an `inside` walk (tested, then the walk stops).
    pub stop_at: Vec<String>,
    /// How far down (`has`) or up (`inside`) to look; `None`: no bound.
    pub max_depth: Option<u32>,
}

impl std::fmt::Debug for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relation")
            .field("kind", &self.kind)
            .field("negated", &self.negated)
            .field("stop_at", &self.stop_at)
            .field("max_depth", &self.max_depth)
            .finish()
    }
}

impl Relation {
    /// Whether the constraint holds for `node` (`None`: the capture is
    /// absent from the match, so only a negated relation holds).
    pub fn holds(&self, node: Option<Node>, text: &[u8], cursor: &mut QueryCursor) -> bool {
        let Some(node) = node else {
            return self.negated;
        };
        let found = match self.kind {
            RelationKind::Matches => self.rooted_at(node, text, cursor, Some(0)),
            RelationKind::Has => {
                // A match rooted in a child's subtree, no deeper than the bound.
                let below_child = self.max_depth.map(|d| d.saturating_sub(1));
                let mut walk = node.walk();
                let children: Vec<Node> = node.children(&mut walk).collect();
                self.max_depth != Some(0)
                    && children
                        .into_iter()
                        .any(|c| self.rooted_at(c, text, cursor, below_child))
            }
            RelationKind::Inside => self.inside(node, text, cursor),
        };
        found != self.negated
    }

    /// Walks up from `node`: each ancestor is tested, and one whose kind is
    /// in `stop_at` (or at `max_depth`) ends the walk.
    fn inside(&self, node: Node, text: &[u8], cursor: &mut QueryCursor) -> bool {
        let mut depth = 0;
        let mut at = node.parent();
        while let Some(ancestor) = at {
            depth += 1;
            if self.max_depth.is_some_and(|max| depth > max) {
                return false;
            }
            if self.rooted_at(ancestor, text, cursor, Some(0)) {
                return true;
            }
            if self.stop_at.iter().any(|k| k == ancestor.kind()) {
                return false;
            }
            at = ancestor.parent();
        }
        false
    }

    /// Whether a match of the query starts in `node`'s subtree, at most
    /// `start_depth` below it (`Some(0)`: rooted at `node` itself). The
    /// query's own text predicates apply.
    fn rooted_at(
        &self,
        node: Node,
        text: &[u8],
        cursor: &mut QueryCursor,
        start_depth: Option<u32>,
    ) -> bool {
        cursor.set_max_start_depth(start_depth);
        let mut matches = cursor.matches(self.query.get(), node, text);
        matches.next().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relation(kind: RelationKind, negated: bool, q: &str) -> Relation {
        Relation {
            kind,
            negated,
            query: LazyQuery::new(q.to_string(), None),
            stop_at: Vec::new(),
            max_depth: None,
        }
    }

    /// Each node of kind `kind` in `code`, in order, tested against `r`.
    fn verdicts(code: &str, kind: &str, r: &Relation) -> Vec<bool> {
        let tree = crate::parse::Worker::new().parse(code).unwrap();
        let mut out = Vec::new();
        let mut cursor = QueryCursor::new();
        let mut stack = vec![tree.root_node()];
        let mut nodes = Vec::new();
        while let Some(n) = stack.pop() {
            if n.kind() == kind {
                nodes.push(n);
            }
            let mut w = n.walk();
            stack.extend(n.children(&mut w));
        }
        nodes.sort_by_key(|n| n.start_byte());
        for n in nodes {
            out.push(r.holds(Some(n), code.as_bytes(), &mut cursor));
        }
        out
    }

    #[test]
    fn matches_tests_the_node_itself() {
        let r = relation(
            RelationKind::Matches,
            false,
            "(call (identifier) @f (#eq? @f \"g\"))",
        );
        assert_eq!(verdicts("f(g(1))\ng(2)\n", "call", &r), [false, true, true]);
    }

    #[test]
    fn has_looks_below_with_a_depth_bound() {
        let code = "f(timeout=1)\nf(x, g(timeout=1))\nf(x)\n";
        let q = "(keyword_argument name: (identifier) @k (#eq? @k \"timeout\"))";
        let any = relation(RelationKind::Has, false, q);
        let mut direct = relation(RelationKind::Has, false, q);
        direct.max_depth = Some(1);
        // argument_list nodes: f(timeout=1), f(x, g(..)), g(timeout=1), f(x)
        assert_eq!(
            verdicts(code, "argument_list", &any),
            [true, true, true, false]
        );
        assert_eq!(
            verdicts(code, "argument_list", &direct),
            [true, false, true, false]
        );
        // The node itself is not its own descendant.
        let itself = relation(RelationKind::Has, false, "(argument_list) @a");
        assert_eq!(verdicts("f(x)\n", "argument_list", &itself), [false]);
    }

    #[test]
    fn inside_walks_up_and_stops() {
        let code = "async def a():\n    def b():\n        s()\n    s()\n    lambda: s()\n";
        let q = "(function_definition \"async\") @d";
        let mut r = relation(RelationKind::Inside, false, q);
        assert_eq!(verdicts(code, "call", &r), [true, true, true]);
        r.stop_at = vec!["function_definition".into()];
        assert_eq!(verdicts(code, "call", &r), [false, true, true]);
        let mut shallow = relation(RelationKind::Inside, false, q);
        shallow.max_depth = Some(2);
        // s() → expression_statement → block → function_definition: 3 up.
        assert_eq!(verdicts(code, "call", &shallow), [false, false, false]);
        shallow.max_depth = Some(3);
        assert_eq!(verdicts(code, "call", &shallow), [false, true, false]);
    }

    #[test]
    fn negation_and_absent_captures() {
        let r = relation(RelationKind::Has, true, "(identifier) @i");
        let mut cursor = QueryCursor::new();
        assert!(r.holds(None, b"", &mut cursor));
        let positive = relation(RelationKind::Has, false, "(identifier) @i");
        assert!(!positive.holds(None, b"", &mut cursor));
        assert_eq!(verdicts("f(x)\nf()\n", "argument_list", &r), [false, true]);
    }
}
