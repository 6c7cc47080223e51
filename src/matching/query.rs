//! Query rules: every rule's tree-sitter patterns compiled into one
//! [`Query`], walked once per file, each match mapped back to its rule by
//! pattern index and filtered by the rule's `where` constraints.

use std::cell::OnceCell;
use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;
use tree_sitter::{
    CaptureQuantifier, Node, Query, QueryCursor, QueryError, StreamingIterator, Tree,
};

use super::known;
use super::reexport::{Reexports, also_names};
use super::relation::Relation;
use crate::names::NameModel;
pub use crate::parse::python;

/// The predicates the engine evaluates; any other is refused when the pack
/// loads (a predicate that is parsed but ignored would match everything).
pub const SUPPORTED_PREDICATES: &str = "#eq?, #not-eq?, #any-eq?, #any-not-eq?, #match?, \
     #not-match?, #any-match?, #any-not-match?, #any-of?, #not-any-of?";

/// Constraints on one capture's text (`where.CAPTURE`).
#[derive(Debug, Default)]
pub struct Constraint {
    /// Must match.
    pub regex: Option<Regex>,
    /// Must not match.
    pub not_regex: Option<Regex>,
    /// Must be one of.
    pub one_of: Option<Vec<String>>,
    /// Must be none of.
    pub not_in: Option<Vec<String>>,
    /// Relational constraints (`matches`, `has`, `inside` and negations),
    /// tested after every text constraint of the match has passed.
    pub relations: Vec<Relation>,
    /// The captured expression must resolve to one of these qualified names
    /// (SPEC §3.5), through the file's name model.
    pub resolves_to: Option<Vec<String>>,
    /// It must resolve to none of these (an expression that resolves to
    /// nothing known passes).
    pub not_resolves_to: Option<Vec<String>>,
    /// `unique = "repository"`: a match is a finding only when the
    /// capture's value occurs elsewhere in the repository under the same
    /// rule ([`super::unique`]).
    pub unique: bool,
}

impl Constraint {
    /// Whether the constraint asks what a name resolves to.
    pub fn uses_names(&self) -> bool {
        self.resolves_to.is_some() || self.not_resolves_to.is_some()
    }

    /// Whether `node` passes `resolves_to` / `not_resolves_to` (an absent
    /// capture passes only the negative one).
    pub fn resolves(&self, node: Option<Node>, names: &NameModel, text: &str) -> bool {
        self.resolves_through(node, names, text, None)
    }

    /// [`Constraint::resolves`], where the expression also names what
    /// first-party re-exports make of it (asked only when its qualified
    /// name alone does not decide).
    pub fn resolves_through(
        &self,
        node: Option<Node>,
        names: &NameModel,
        text: &str,
        reexports: Option<&dyn Reexports>,
    ) -> bool {
        if !self.uses_names() {
            return true;
        }
        let Some(qualified) = node.and_then(|n| names.qualified_name(n, text)) else {
            return self.resolves_to.is_none();
        };
        let listed =
            |q: &str, l: &Option<Vec<String>>| l.as_ref().is_some_and(|l| l.iter().any(|s| s == q));
        if listed(&qualified, &self.not_resolves_to) {
            return false;
        }
        if self.resolves_to.is_none() || listed(&qualified, &self.resolves_to) {
            // Holds unless a re-export leads to a name `not_resolves_to` lists.
            if self.not_resolves_to.is_none() {
                return true;
            }
        }
        let also = reexports.map_or_else(Vec::new, |r| also_names(&qualified, r));
        let any =
            |l: &Option<Vec<String>>| listed(&qualified, l) || also.iter().any(|q| listed(q, l));
        self.resolves_to
            .as_ref()
            .is_none_or(|_| any(&self.resolves_to))
            && !any(&self.not_resolves_to)
    }

    /// Whether `text` passes the text constraints (an absent capture passes
    /// only negative ones).
    pub fn accepts(&self, text: Option<&str>) -> bool {
        let Some(text) = text else {
            return self.regex.is_none() && self.one_of.is_none();
        };
        self.regex.as_ref().is_none_or(|r| r.is_match(text))
            && self.not_regex.as_ref().is_none_or(|r| !r.is_match(text))
            && self
                .one_of
                .as_ref()
                .is_none_or(|l| l.iter().any(|s| s == text))
            && self
                .not_in
                .as_ref()
                .is_none_or(|l| !l.iter().any(|s| s == text))
    }
}

/// A query rule's matcher: the query text, constraints and reported capture.
#[derive(Debug)]
pub struct QueryMatcher {
    /// Whether some constraint is relational (a second, rarer pass).
    pub relational: bool,
    /// Whether some constraint asks what a name resolves to (the file's
    /// name model is then built, once, on the first match to test).
    pub names: bool,
    /// The tree-sitter query source.
    pub text: String,
    /// Capture names the query defines.
    pub captures: Vec<String>,
    /// `where` constraints by capture name.
    pub constraints: Vec<(String, Constraint)>,
    /// Capture to underline (`None`: the outermost captured node).
    pub report: Option<String>,
    /// Words one of which every accepted match's text holds exactly, at a
    /// captured node: the literals of an `in` constraint. The query then
    /// runs only around their occurrences (see [`QueryMatcher::anchor_of`]).
    pub anchor: Option<Vec<String>>,
}

impl QueryMatcher {
    /// The words of the `in` constraint whose shortest word is longest (the
    /// rarest, as a guess), if some capture has one without an empty word.
    /// A match is accepted only when that capture is bound to a node whose
    /// text is one of the words, so the node lies on an occurrence of one of
    /// them, and the match's root holds that occurrence.
    pub fn anchor_of(constraints: &[(String, Constraint)]) -> Option<Vec<String>> {
        constraints
            .iter()
            .filter_map(|(_, c)| c.one_of.as_ref())
            .filter(|words| !words.is_empty() && words.iter().all(|w| !w.is_empty()))
            .max_by_key(|words| words.iter().map(String::len).min())
            .cloned()
    }
}

/// What loading learns of a query that compiles: its capture names, and
/// those that some pattern (a branch of an alternation, an optional part)
/// may leave unbound in a match. Remembered across runs by the query's text
/// ([`known`]), so a run whose files are all cached compiles no query.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueryShape {
    /// Capture names, in order.
    pub captures: Vec<String>,
    /// Captures some match may leave unbound.
    pub maybe_absent: Vec<String>,
}

impl QueryShape {
    fn of(query: &Query) -> Self {
        let names = query.capture_names();
        let maybe_absent = (0..names.len())
            .filter(|&c| {
                (0..query.pattern_count()).any(|p| {
                    matches!(
                        query.capture_quantifiers(p)[c],
                        CaptureQuantifier::Zero
                            | CaptureQuantifier::ZeroOrOne
                            | CaptureQuantifier::ZeroOrMore
                    )
                })
            })
            .map(|c| names[c].to_string())
            .collect();
        Self {
            captures: names.iter().map(|s| s.to_string()).collect(),
            maybe_absent,
        }
    }
}

/// A validated query, compiled on its first use (tree-sitter's pattern
/// analysis costs milliseconds per pattern: a pre-commit run that finds
/// every file cached should not pay it).
pub struct LazyQuery {
    text: String,
    compiled: OnceLock<Query>,
}

impl std::fmt::Debug for LazyQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyQuery")
            .field("text", &self.text)
            .finish()
    }
}

impl LazyQuery {
    /// A query whose `text` was validated; `compiled` if it already was.
    pub fn new(text: String, compiled: Option<Query>) -> Self {
        let cell = OnceLock::new();
        if let Some(q) = compiled {
            let _ = cell.set(q);
        }
        Self {
            text,
            compiled: cell,
        }
    }

    /// The compiled query.
    pub fn get(&self) -> &Query {
        self.compiled.get_or_init(|| {
            Query::new(&python(), &self.text)
                .expect("a query validated by this build of rulegate compiles")
        })
    }
}

/// Validates one query: its shape, and the compiled query unless the text
/// is among the `known` shapes (then nothing is compiled). Predicates the
/// engine would ignore are refused.
pub fn check(
    text: &str,
    known: Option<&known::Known>,
) -> Result<(QueryShape, Option<Query>), QueryError> {
    if let Some(shape) = known.and_then(|k| k.get(text)) {
        return Ok((shape, None));
    }
    let query = compile_checked(text)?;
    let shape = QueryShape::of(&query);
    if let Some(k) = known {
        k.record(text, &shape);
    }
    Ok((shape, Some(query)))
}

/// Compiles one query alone, refusing predicates the engine would ignore.
fn compile_checked(text: &str) -> Result<Query, QueryError> {
    let query = Query::new(&python(), text)?;
    for i in 0..query.pattern_count() {
        let ignored = query
            .general_predicates(i)
            .first()
            .map(|p| p.operator.to_string())
            .or_else(|| {
                query
                    .property_predicates(i)
                    .first()
                    .map(|(_, positive)| if *positive { "is?" } else { "is-not?" }.into())
            })
            .or_else(|| query.property_settings(i).first().map(|_| "set!".into()));
        if let Some(operator) = ignored {
            let at = text.find(&format!("#{operator}")).unwrap_or(0);
            return Err(QueryError {
                row: text[..at].matches('\n').count(),
                column: at - text[..at].rfind('\n').map_or(0, |n| n + 1),
                offset: at,
                message: format!(
                    "unsupported predicate `#{operator}`: rulegate evaluates {SUPPORTED_PREDICATES} \
                     (or write a `where` constraint in TOML)"
                ),
                kind: tree_sitter::QueryErrorKind::Predicate,
            });
        }
    }
    Ok(query)
}

/// One match of a query rule: its rule, the reported range and the captures.
#[derive(Debug, Clone)]
pub struct QueryHit<'t> {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// Byte range to underline.
    pub range: Range<usize>,
    /// Captures by name (first node of each capture).
    pub captures: Vec<(&'t str, Node<'t>)>,
}

/// Which rules are active, and each rule's matcher.
struct Rules<'a, 't> {
    active: &'a dyn Fn(usize) -> bool,
    matchers: &'a dyn Fn(usize) -> &'t QueryMatcher,
    tree: &'t Tree,
    /// The file's name model, built on the first `resolves_to` to test.
    names: OnceCell<NameModel>,
    /// First-party re-exports, when the caller knows the project.
    reexports: Option<&'a dyn Reexports>,
}

/// All query rules of a run, compiled into a single query.
pub struct QuerySet {
    query: Query,
    /// Rule index of each pattern.
    pattern_rule: Vec<usize>,
    /// By node kind id, whether some pattern can be rooted at that kind,
    /// when every pattern's root kinds are known ([`super::roots`]).
    roots: Option<Vec<bool>>,
}

impl std::fmt::Debug for QuerySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuerySet")
            .field("patterns", &self.pattern_rule.len())
            .finish()
    }
}

impl QuerySet {
    /// Compiles the queries of `rules` (rule index, query text) into one query.
    /// Each text was validated on its own, so the combination compiles.
    pub fn build(rules: &[(usize, &str)]) -> Result<Option<Self>, QueryError> {
        if rules.is_empty() {
            return Ok(None);
        }
        let mut combined = String::new();
        let mut bounds = Vec::new();
        for (rule, text) in rules {
            bounds.push((combined.len(), *rule));
            combined.push_str(text);
            combined.push('\n');
        }
        let query = Query::new(&python(), &combined)?;
        let pattern_rule = (0..query.pattern_count())
            .map(|p| {
                let start = query.start_byte_for_pattern(p);
                let i = bounds.partition_point(|(b, _)| *b <= start) - 1;
                bounds[i].1
            })
            .collect();
        let language = python();
        let mut roots = vec![false; usize::from(language.node_kind_count() as u16)];
        let all_rooted = (0..query.pattern_count()).all(|p| {
            let text = &combined[query.start_byte_for_pattern(p)..query.end_byte_for_pattern(p)];
            super::roots::pattern_roots(text, &language).is_some_and(|kinds| {
                for k in kinds {
                    roots[usize::from(k)] = true;
                }
                true
            })
        });
        Ok(Some(Self {
            query,
            pattern_rule,
            roots: all_rooted.then_some(roots),
        }))
    }

    /// Walks `tree` once (or, with `ranges`, the parts of it that overlap
    /// them) and reports every match of an active rule.
    #[allow(clippy::too_many_arguments)]
    pub fn run<'t>(
        &'t self,
        cursor: &mut QueryCursor,
        tree: &'t Tree,
        text: &'t str,
        ranges: Option<&[Range<usize>]>,
        active: &dyn Fn(usize) -> bool,
        matchers: &dyn Fn(usize) -> &'t QueryMatcher,
        emit: impl FnMut(QueryHit<'t>),
    ) {
        let file = (tree, text, ranges);
        self.run_resolving(cursor, file, active, matchers, None, emit);
    }

    /// [`QuerySet::run`], with `resolves_to` following first-party
    /// re-exports through `reexports`.
    pub fn run_resolving<'t>(
        &'t self,
        cursor: &mut QueryCursor,
        (tree, text, ranges): (&'t Tree, &'t str, Option<&[Range<usize>]>),
        active: &dyn Fn(usize) -> bool,
        matchers: &dyn Fn(usize) -> &'t QueryMatcher,
        reexports: Option<&dyn Reexports>,
        mut emit: impl FnMut(QueryHit<'t>),
    ) {
        let rules = Rules {
            active,
            matchers,
            tree,
            names: OnceCell::new(),
            reexports,
        };
        let Some(ranges) = ranges else {
            cursor.set_byte_range(0..usize::MAX);
            match &self.roots {
                Some(roots) => self.run_rooted(cursor, tree, text, roots, &rules, &mut emit),
                None => self.run_range(cursor, text, tree.root_node(), &rules, &mut emit, None),
            }
            return;
        };
        // A match that overlaps two ranges is found twice: once is kept.
        let mut seen = (ranges.len() > 1).then(std::collections::HashSet::new);
        if let Some(roots) = &self.roots {
            self.run_around(
                cursor,
                tree,
                text,
                ranges,
                roots,
                &rules,
                &mut emit,
                seen.as_mut(),
            );
            return;
        }
        for range in merged(ranges) {
            cursor.set_byte_range(range);
            let root = tree.root_node();
            self.run_range(cursor, text, root, &rules, &mut emit, seen.as_mut());
        }
        cursor.set_byte_range(0..usize::MAX);
    }

    /// The query rooted at each node that holds one of `ranges` (each node
    /// once, root first) and can root a pattern. A
    /// match overlaps a range only through its nodes, all of them
    /// descendants of its root, so the root is one of those nodes; a run
    /// rooted at a node reads only as deep as its patterns reach, where a
    /// cursor over a byte range steps over every sibling before it, at
    /// every level of the tree, for each range.
    #[allow(clippy::too_many_arguments)]
    fn run_around<'t>(
        &'t self,
        cursor: &mut QueryCursor,
        tree: &'t Tree,
        text: &'t str,
        ranges: &[Range<usize>],
        roots: &[bool],
        rules: &Rules<'_, 't>,
        emit: &mut impl FnMut(QueryHit<'t>),
        mut seen: Option<&mut std::collections::HashSet<(usize, Vec<usize>)>>,
    ) {
        let mut visited: foldhash::HashSet<usize> = Default::default();
        let mut path: Vec<Node<'t>> = Vec::new();
        cursor.set_byte_range(0..usize::MAX);
        cursor.set_max_start_depth(Some(0));
        for range in ranges {
            // The nodes that hold the range, root first.
            path.clear();
            let mut walk = tree.walk();
            loop {
                let node = walk.node();
                if node.start_byte() > range.start || node.end_byte() < range.end {
                    break;
                }
                path.push(node);
                if walk.goto_first_child_for_byte(range.start).is_none() {
                    break;
                }
            }
            // The nodes not run from yet: those below the deepest one an
            // earlier occurrence reached (so were the nodes above it). They
            // run root first, as a cursor's walk would report their matches.
            let new = path
                .iter()
                .rposition(|n| visited.contains(&n.id()))
                .map_or(0, |i| i + 1);
            for node in &path[new..] {
                visited.insert(node.id());
                if roots
                    .get(usize::from(node.kind_id()))
                    .copied()
                    .unwrap_or(false)
                {
                    self.run_range(cursor, text, *node, rules, emit, seen.as_deref_mut());
                }
            }
        }
        cursor.set_max_start_depth(None);
    }

    /// A plain cursor walk (much cheaper per node than the query cursor's)
    /// finds the nodes a pattern can be rooted at; the query runs at each,
    /// for matches rooted there only.
    fn run_rooted<'t>(
        &'t self,
        cursor: &mut QueryCursor,
        tree: &'t Tree,
        text: &'t str,
        roots: &[bool],
        rules: &Rules<'_, 't>,
        emit: &mut impl FnMut(QueryHit<'t>),
    ) {
        let mut walk = tree.walk();
        cursor.set_max_start_depth(Some(0));
        loop {
            let node = walk.node();
            if roots
                .get(usize::from(node.kind_id()))
                .copied()
                .unwrap_or(false)
            {
                self.run_range(cursor, text, node, rules, emit, None);
            }
            if walk.goto_first_child() {
                continue;
            }
            while !walk.goto_next_sibling() {
                if !walk.goto_parent() {
                    cursor.set_max_start_depth(None);
                    return;
                }
            }
        }
    }

    /// Runs the query from `root` (within the cursor's byte range and
    /// start depth), reporting each match once when `seen` is given.
    fn run_range<'t>(
        &'t self,
        cursor: &mut QueryCursor,
        text: &'t str,
        root: Node<'t>,
        rules: &Rules<'_, 't>,
        emit: &mut impl FnMut(QueryHit<'t>),
        mut seen: Option<&mut std::collections::HashSet<(usize, Vec<usize>)>>,
    ) {
        let names = self.query.capture_names();
        // The cursor of relational constraints, made on the first need.
        let mut inner: Option<QueryCursor> = None;
        let mut matches = cursor.matches(&self.query, root, text.as_bytes());
        while let Some(m) = matches.next() {
            if let Some(seen) = seen.as_deref_mut() {
                let nodes = m.captures().iter().map(|c| c.node.id()).collect();
                if !seen.insert((m.pattern_index, nodes)) {
                    continue;
                }
            }
            let rule = self.pattern_rule[m.pattern_index];
            if !(rules.active)(rule) {
                continue;
            }
            let matcher = (rules.matchers)(rule);
            let mut captures: Vec<(&'t str, Node<'t>)> = Vec::with_capacity(m.captures().len());
            for c in m.captures() {
                let name = names[c.index as usize];
                if !captures.iter().any(|(n, _)| *n == name) {
                    captures.push((name, c.node));
                }
            }
            let text_of = |name: &str| {
                captures
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, node)| &text[node.byte_range()])
            };
            if !matcher
                .constraints
                .iter()
                .all(|(name, c)| c.accepts(text_of(name)))
            {
                continue;
            }
            if matcher.names {
                let model = rules
                    .names
                    .get_or_init(|| NameModel::build(rules.tree, text));
                let node_of =
                    |name: &str| captures.iter().find(|(n, _)| *n == name).map(|(_, n)| *n);
                if !matcher.constraints.iter().all(|(name, c)| {
                    c.resolves_through(node_of(name), model, text, rules.reexports)
                }) {
                    continue;
                }
            }
            if matcher.relational {
                let node_of = |name: &str| {
                    captures
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, node)| *node)
                };
                let cursor = inner.get_or_insert_with(QueryCursor::new);
                let holds = matcher.constraints.iter().all(|(name, c)| {
                    c.relations
                        .iter()
                        .all(|r| r.holds(node_of(name), text.as_bytes(), cursor))
                });
                if !holds {
                    continue;
                }
            }
            let reported = match &matcher.report {
                Some(name) => captures.iter().find(|(n, _)| n == name).map(|(_, n)| *n),
                None => captures
                    .iter()
                    .map(|(_, n)| *n)
                    .max_by_key(|n| (n.byte_range().len(), std::cmp::Reverse(n.start_byte()))),
            };
            let Some(node) = reported else { continue };
            emit(QueryHit {
                rule,
                range: node.byte_range(),
                captures,
            });
        }
    }
}

/// `ranges` (in order) merged where they are close: one run of a cursor
/// over a byte range serves occurrences closer than this.
fn merged(ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    const MERGE_GAP: usize = 512;
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end + MERGE_GAP => last.end = last.end.max(r.end),
            _ => out.push(r.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiles one query alone and returns its capture names.
    fn validate(text: &str) -> Result<Vec<String>, QueryError> {
        check(text, None).map(|(shape, _)| shape.captures)
    }

    #[test]
    fn bad_query_reports_offset() {
        let err = validate("(call function: (identifier) @f").unwrap_err();
        assert!(err.offset > 0);
        let err = validate("((identifier) @x (#frob? @x))").unwrap_err();
        assert!(err.message.contains("unsupported predicate"));
        // Parsed by tree-sitter but not evaluated: refused, not ignored.
        for q in [
            "((identifier) @x (#is-not? local))",
            "((identifier) @x (#set! kind \"y\"))",
        ] {
            let err = validate(q).unwrap_err();
            assert!(err.message.contains("#not-eq?"), "{q}: {}", err.message);
        }
        for q in [
            "((identifier) @x (#not-eq? @x \"a\"))",
            "((identifier) @x (#not-match? @x \"a\"))",
            "((identifier) @x (#not-any-of? @x \"a\" \"b\"))",
        ] {
            assert!(validate(q).is_ok(), "{q}");
        }
        assert_eq!(
            validate("(call function: (identifier) @f) @call").unwrap(),
            vec!["f".to_string(), "call".to_string()]
        );
    }

    #[test]
    fn captures_some_branch_does_not_bind() {
        let absent = |q: &str| check(q, None).unwrap().0.maybe_absent;
        assert_eq!(
            absent("[(call function: (identifier) @f) (attribute) @a] @x"),
            ["f", "a"]
        );
        assert_eq!(
            absent("(call function: (identifier) @f arguments: (_)? @args) @c"),
            ["args"]
        );
        assert!(absent("(call function: (identifier) @f) @c").is_empty());
    }

    /// The matcher of a rule whose `@fn` is `eval`, reporting `@call`
    /// (anchored on `eval`).
    fn eval_call_matcher() -> QueryMatcher {
        let constraints = vec![(
            "fn".to_string(),
            Constraint {
                one_of: Some(vec!["eval".to_string()]),
                ..Default::default()
            },
        )];
        QueryMatcher {
            relational: false,
            names: false,
            text: String::new(),
            captures: vec!["fn".into(), "call".into()],
            anchor: QueryMatcher::anchor_of(&constraints),
            constraints,
            report: Some("call".into()),
        }
    }

    #[test]
    fn a_run_over_anchor_ranges_finds_what_a_whole_run_finds_once_each() {
        let text = format!(
            "eval(eval(1))\n{}def f():\n    return [eval(x) for x in y]\nevaluate(2)\ns = 'eval(3)'  # eval(4)\n",
            "x = 1\n".repeat(200)
        );
        let tree = crate::parse::Worker::new().parse(&text).unwrap();
        let mut set = QuerySet::build(&[(0, "(call function: (identifier) @fn) @call")])
            .unwrap()
            .unwrap();
        let matcher = eval_call_matcher();
        assert_eq!(matcher.anchor.as_deref(), Some(&["eval".to_string()][..]));
        // The hits in the order they are reported.
        let reported = |set: &QuerySet, ranges: Option<&[Range<usize>]>| {
            let mut out = Vec::new();
            set.run(
                &mut QueryCursor::new(),
                &tree,
                &text,
                ranges,
                &|_| true,
                &|_| &matcher,
                |hit| out.push(hit.range),
            );
            out
        };
        let found = |set: &QuerySet, ranges: Option<&[Range<usize>]>| {
            let mut out = reported(set, ranges);
            out.sort_by_key(|r| (r.start, r.end));
            out
        };
        let whole = found(&set, None);
        assert_eq!(whole.len(), 3, "{whole:?}");
        // Each occurrence its own range: the outer call overlaps two.
        let each: Vec<Range<usize>> = text
            .match_indices("eval")
            .map(|(i, w)| i..i + w.len())
            .collect();
        // Rooted at the nodes around each occurrence, and (a query whose
        // roots are not known) a cursor over the ranges merged.
        assert!(set.roots.is_some());
        let order = reported(&set, Some(&each));
        for rooted in [true, false] {
            if !rooted {
                set.roots = None;
                // In the order a cursor's walk reports them (outer first).
                assert_eq!(reported(&set, Some(&each)), order);
            }
            assert_eq!(found(&set, Some(&each)), whole);
            // Only around the occurrences: the calls far from them are not
            // visited, and nothing is lost.
            assert_eq!(found(&set, Some(&each[..2])), whole[..2]);
            // An occurrence in a longer name, a string or a comment holds
            // no match.
            for far in ["evaluate", "'eval", "# eval"] {
                let at = text.find(far).unwrap() + far.find("eval").unwrap();
                let one = std::iter::once(at..at + 4).collect::<Vec<_>>();
                assert!(found(&set, Some(&one)).is_empty(), "{far}");
            }
        }
    }

    #[test]
    fn an_anchored_run_reports_in_the_cursors_order() {
        // Two matches rooted on the path to one occurrence: the outer call
        // (by the second pattern) and the inner one (by the first).
        let text = "eval(1)(2)\n";
        let tree = crate::parse::Worker::new().parse(text).unwrap();
        let query = "[(call function: (identifier) @fn) (call function: (call function: (identifier) @fn))] @call";
        let mut set = QuerySet::build(&[(0, query)]).unwrap().unwrap();
        let matcher = eval_call_matcher();
        let occurrence: Vec<Range<usize>> = std::iter::once(0..4).collect();
        let reported = |set: &QuerySet| {
            let mut out = Vec::new();
            set.run(
                &mut QueryCursor::new(),
                &tree,
                text,
                Some(&occurrence),
                &|_| true,
                &|_| &matcher,
                |hit| out.push(hit.range),
            );
            out
        };
        assert!(set.roots.is_some());
        let rooted = reported(&set);
        set.roots = None;
        assert_eq!(rooted, reported(&set));
        assert_eq!(rooted, [0..10, 0..7]);
    }

    #[test]
    fn a_rooted_run_finds_what_the_query_cursor_finds() {
        let text = "def f(a=[], b: set = {1}, c=(), *, d={}):\n    try:\n        g(lambda x=[]: x)\n    except:\n        pass\n    except E:\n        pass\nclass C:\n    def m(self, e=[i for i in y]): ...\n";
        let tree = crate::parse::Worker::new().parse(text).unwrap();
        let queries = [
            "[(default_parameter value: [(list) (set) (dictionary) (list_comprehension)] @v) (typed_default_parameter value: [(list) (set)] @v)]",
            "(except_clause !value) @handler",
            "((identifier) @i (#eq? @i \"x\"))",
        ];
        let rules: Vec<(usize, &str)> = queries.iter().copied().enumerate().collect();
        let mut set = QuerySet::build(&rules).unwrap().unwrap();
        assert!(set.roots.is_some());
        let matcher = QueryMatcher {
            relational: false,
            names: false,
            text: String::new(),
            captures: Vec::new(),
            anchor: None,
            constraints: Vec::new(),
            report: None,
        };
        let found = |set: &QuerySet| {
            let mut out = Vec::new();
            set.run(
                &mut QueryCursor::new(),
                &tree,
                text,
                None,
                &|_| true,
                &|_| &matcher,
                |hit| out.push((hit.rule, hit.range)),
            );
            out.sort_by_key(|(r, range)| (*r, range.start, range.end));
            out
        };
        let rooted = found(&set);
        set.roots = None;
        let walked = found(&set);
        assert_eq!(rooted, walked);
        let per_rule = |r: usize| rooted.iter().filter(|(x, _)| *x == r).count();
        assert_eq!(
            (per_rule(0), per_rule(1), per_rule(2)),
            (5, 1, 2),
            "{rooted:?}"
        );
    }

    #[test]
    fn only_in_constraints_without_empty_words_anchor() {
        let c = |one_of: Option<Vec<&str>>, regex: Option<&str>| Constraint {
            one_of: one_of.map(|l| l.into_iter().map(String::from).collect()),
            regex: regex.map(|r| Regex::new(r).unwrap()),
            ..Default::default()
        };
        let anchor = |cs: Vec<Constraint>| {
            let named: Vec<(String, Constraint)> =
                cs.into_iter().map(|c| ("c".to_string(), c)).collect();
            QueryMatcher::anchor_of(&named)
        };
        assert_eq!(anchor(vec![c(None, Some("^eval$"))]), None);
        assert_eq!(anchor(vec![c(Some(vec!["a", ""]), None)]), None);
        assert_eq!(
            anchor(vec![
                c(Some(vec!["sys"]), None),
                c(Some(vec!["path"]), None)
            ]),
            Some(vec!["path".to_string()]),
            "the longer shortest word"
        );
    }

    #[test]
    fn resolves_to_follows_reexports_both_ways() {
        struct Pkg;
        impl Reexports for Pkg {
            fn origin(&self, q: &str) -> Option<String> {
                (q == "pkg.helper").then(|| "pkg._impl.helper".to_string())
            }
        }
        let text = "from pkg import helper\nhelper()\n";
        let tree = crate::parse::Worker::new().parse(text).unwrap();
        let names = NameModel::build(&tree, text);
        let at = text.rfind("helper").unwrap();
        let node = tree.root_node().descendant_for_byte_range(at, at + 6);
        let c = |to: Option<&str>, not: Option<&str>| Constraint {
            resolves_to: to.map(|s| vec![s.to_string()]),
            not_resolves_to: not.map(|s| vec![s.to_string()]),
            ..Default::default()
        };
        let holds =
            |c: Constraint, r: Option<&dyn Reexports>| c.resolves_through(node, &names, text, r);
        assert!(holds(c(Some("pkg.helper"), None), None));
        assert!(!holds(c(Some("pkg._impl.helper"), None), None));
        assert!(holds(c(Some("pkg._impl.helper"), None), Some(&Pkg)));
        assert!(!holds(c(None, Some("pkg._impl.helper")), Some(&Pkg)));
        assert!(holds(c(None, Some("pkg._impl.helper")), None));
        assert!(!holds(
            c(Some("pkg.helper"), Some("pkg._impl.helper")),
            Some(&Pkg)
        ));
    }

    #[test]
    fn constraints() {
        let c = Constraint {
            regex: Some(Regex::new("^e").unwrap()),
            not_in: Some(vec!["exit".into()]),
            ..Default::default()
        };
        assert!(c.accepts(Some("eval")));
        assert!(!c.accepts(Some("exit")));
        assert!(!c.accepts(Some("print")));
        assert!(!c.accepts(None));
    }
}
