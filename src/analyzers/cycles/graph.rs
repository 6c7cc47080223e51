//! The module-level import graph of the repository's modules, as the
//! interpreter runs it: each module's imports in statement order (the
//! packages and module each loads, the names a `from` import needs), its
//! strongly connected components, and a run of the imports of a component
//! from each entry module, which finds the `from X import n` that meets `X`
//! partially initialised before `n` is bound.

use foldhash::{HashMap, HashMapExt};
use std::ops::Range;
use std::sync::Arc;

/// One module-level import statement of a module.
#[derive(Debug, Clone)]
pub struct Event {
    /// Where the statement starts (the module is suspended here while the
    /// modules it loads run).
    pub at: usize,
    /// The modules it loads, in order (packages first), by file.
    pub loads: Vec<String>,
    /// The module file a `from` import takes names from.
    pub from_file: Option<String>,
    /// The names it takes that are not submodules: (name, where written).
    pub needs: Vec<(String, Range<usize>)>,
    /// The module the names come from (dotted), for messages.
    pub from_module: String,
    /// A failure is caught (`try: … except ImportError:`).
    pub guarded: bool,
}

/// What the graph knows of one module.
#[derive(Debug, Default)]
pub struct Node {
    /// Its dotted name.
    pub module: String,
    /// Its module-level imports, in order.
    pub events: Vec<Event>,
    /// Where each name it binds is first bound (a name absent here is not
    /// bound at all, or counts as bound from the start: see `bound`).
    pub bound_at: foldhash::HashMap<String, usize>,
    /// Names it binds (from its symbol table).
    pub names: foldhash::HashSet<String>,
    /// The digest of its text (`None`: unreadable), for the cache.
    pub hash: Option<u64>,
}

impl Node {
    /// Whether `name` is bound before offset `at` (names the table cannot
    /// place count as bound; names it does not bind are STUB001's).
    fn bound_before(&self, name: &str, at: usize) -> bool {
        !self.names.contains(name) || self.bound_at.get(name).is_none_or(|&b| b < at)
    }
}

/// A `from X import n` that fails while `X` initialises.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The importing module's file.
    pub file: String,
    /// Where `n` is written in it.
    pub range: Range<usize>,
    /// The name.
    pub name: String,
    /// `X`, dotted.
    pub module: String,
    /// The module imported first.
    pub entry: String,
    /// The modules from the entry to the importing module, then `X` again.
    pub path: Vec<String>,
}

/// Strongly connected components of the graph reachable from `start`, by
/// Tarjan's algorithm (iterative). `edges(file)` gives a module's edges.
pub fn components(
    start: &str,
    edges: &mut dyn FnMut(&str) -> Vec<String>,
    known: &dyn Fn(&str) -> bool,
) -> Vec<Vec<String>> {
    let mut index: HashMap<String, (usize, usize)> = HashMap::new(); // (index, lowlink)
    let mut on_stack: std::collections::HashSet<String> = Default::default();
    let mut stack: Vec<String> = Vec::new();
    let mut out = Vec::new();
    // (node, its edges, next edge)
    let mut work: Vec<(String, Vec<String>, usize)> = Vec::new();
    let mut counter = 0;
    let mut visit = |n: &str,
                     index: &mut HashMap<String, (usize, usize)>,
                     stack: &mut Vec<String>,
                     on_stack: &mut std::collections::HashSet<String>,
                     work: &mut Vec<(String, Vec<String>, usize)>,
                     edges: &mut dyn FnMut(&str) -> Vec<String>| {
        index.insert(n.to_string(), (counter, counter));
        counter += 1;
        stack.push(n.to_string());
        on_stack.insert(n.to_string());
        work.push((n.to_string(), edges(n), 0));
    };
    visit(
        start,
        &mut index,
        &mut stack,
        &mut on_stack,
        &mut work,
        edges,
    );
    while let Some((node, succ, i)) = work.last_mut() {
        if let Some(next) = succ.get(*i).cloned() {
            *i += 1;
            let node = node.clone();
            if known(&next) {
                continue; // a component found before: it cannot reach back
            }
            match index.get(&next) {
                None => visit(
                    &next,
                    &mut index,
                    &mut stack,
                    &mut on_stack,
                    &mut work,
                    edges,
                ),
                Some(&(idx, _)) if on_stack.contains(&next) => {
                    let e = index.get_mut(&node).expect("visited");
                    e.1 = e.1.min(idx);
                }
                Some(_) => {}
            }
            continue;
        }
        let node = node.clone();
        work.pop();
        let (idx, low) = index[&node];
        if let Some((parent, _, _)) = work.last() {
            let p = index.get_mut(parent).expect("visited");
            p.1 = p.1.min(low);
        }
        if idx == low {
            let mut comp = Vec::new();
            while let Some(m) = stack.pop() {
                on_stack.remove(&m);
                let last = m == node;
                comp.push(m);
                if last {
                    break;
                }
            }
            comp.sort();
            out.push(comp);
        }
    }
    out
}

/// Every failing `from` import of the component `members` (files), over
/// every entry module; `nodes` holds each member's node.
pub fn failures(members: &[String], nodes: &HashMap<String, Arc<Node>>) -> Vec<Failure> {
    let graph = Indexed::new(nodes);
    let mut out: Vec<Failure> = Vec::new();
    let mut state = vec![State::Unseen; graph.files.len()];
    for entry in members {
        let Some(&entry_at) = graph.index.get(entry.as_str()) else {
            continue;
        };
        state.fill(State::Unseen);
        let mut run = Run {
            graph: &graph,
            state: &mut state,
            stack: Vec::new(),
            entry: entry_at,
            out: &mut out,
        };
        // Importing `a.b.c` first runs `a`, then `a.b`: a member's parent
        // packages run before it, so it never starts a cycle its parent
        // completes (`pkg/__init__.py: from .engine import run`).
        let module = graph.nodes[entry_at].module.as_str();
        let parents = module.match_indices('.').map(|(i, _)| &module[..i]);
        for parent in parents {
            if let Some(&file) = graph.file_of.get(parent)
                && run.state[file] == State::Unseen
            {
                run.module(file);
            }
        }
        if run.state[entry_at] == State::Unseen {
            run.module(entry_at);
        }
    }
    // One failure per place: the first entry (in sorted order) that fails it.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert((f.file.clone(), f.range.start)));
    out
}

/// The graph with files as indices: each entry's run of a large component
/// (sympy's holds most of its 1,500 modules) walks every event, so a run
/// compares and hashes no string.
struct Indexed<'a> {
    files: Vec<&'a str>,
    nodes: Vec<&'a Node>,
    index: HashMap<&'a str, usize>,
    /// Each module's file, by its dotted name.
    file_of: HashMap<&'a str, usize>,
    /// Each node's events: the loads and the `from` file that are nodes.
    events: Vec<Vec<(Vec<usize>, Option<usize>)>>,
}

impl<'a> Indexed<'a> {
    fn new(nodes: &'a HashMap<String, Arc<Node>>) -> Self {
        let mut files: Vec<&'a str> = nodes.keys().map(String::as_str).collect();
        files.sort_unstable();
        let index: HashMap<&'a str, usize> =
            files.iter().enumerate().map(|(i, f)| (*f, i)).collect();
        let nodes: Vec<&'a Node> = files.iter().map(|f| &*nodes[*f]).collect();
        let file_of = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.module.as_str(), i))
            .collect();
        let events = nodes
            .iter()
            .map(|n| {
                n.events
                    .iter()
                    .map(|ev| {
                        let loads = ev
                            .loads
                            .iter()
                            .filter_map(|l| index.get(l.as_str()).copied())
                            .collect();
                        let from = ev
                            .from_file
                            .as_ref()
                            .and_then(|f| index.get(f.as_str()).copied());
                        (loads, from)
                    })
                    .collect()
            })
            .collect();
        Self {
            files,
            nodes,
            index,
            file_of,
            events,
        }
    }
}

/// Where a module is in one run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Unseen,
    /// Running, suspended at this offset.
    Running(usize),
    Done,
}

/// One import of an entry module, run.
struct Run<'g, 'a> {
    graph: &'g Indexed<'a>,
    state: &'g mut [State],
    /// The modules running, outermost first.
    stack: Vec<usize>,
    entry: usize,
    out: &'g mut Vec<Failure>,
}

impl Run<'_, '_> {
    /// Runs module `file` (a member of the component; others are done
    /// as soon as they start, since they cannot import a member).
    fn module(&mut self, file: usize) {
        let graph = self.graph;
        let node = graph.nodes[file];
        self.state[file] = State::Running(0);
        self.stack.push(file);
        for (ev, (loads, from)) in node.events.iter().zip(&graph.events[file]) {
            self.state[file] = State::Running(ev.at);
            for &load in loads {
                if self.state[load] == State::Unseen {
                    self.module(load);
                }
            }
            let Some(from) = *from else {
                continue;
            };
            let State::Running(suspended) = self.state[from] else {
                continue; // done, or not a member
            };
            let target = graph.nodes[from];
            for (name, range) in &ev.needs {
                if ev.guarded || target.bound_before(name, suspended) {
                    continue;
                }
                let start = self.stack.iter().position(|m| *m == from);
                let path: Vec<String> = self.stack[start.unwrap_or(0)..]
                    .iter()
                    .chain(std::iter::once(&from))
                    .map(|&f| graph.nodes[f].module.clone())
                    .collect();
                self.out.push(Failure {
                    file: graph.files[file].to_string(),
                    range: range.clone(),
                    name: name.clone(),
                    module: ev.from_module.clone(),
                    entry: graph.nodes[self.entry].module.clone(),
                    path,
                });
            }
        }
        self.stack.pop();
        self.state[file] = State::Done;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(module: &str, events: Vec<Event>, bound: &[(&str, usize)]) -> Arc<Node> {
        Arc::new(Node {
            module: module.into(),
            events,
            bound_at: bound.iter().map(|(n, a)| (n.to_string(), *a)).collect(),
            names: bound.iter().map(|(n, _)| n.to_string()).collect(),
            hash: None,
        })
    }

    fn from(at: usize, file: &str, module: &str, name: &str) -> Event {
        Event {
            at,
            loads: vec![file.into()],
            from_file: Some(file.into()),
            needs: vec![(name.into(), at..at + 1)],
            from_module: module.into(),
            guarded: false,
        }
    }

    #[test]
    fn components_find_the_cycle() {
        let graph: HashMap<&str, Vec<&str>> = HashMap::from_iter([
            ("a", vec!["b"]),
            ("b", vec!["c", "a"]),
            ("c", vec!["d"]),
            ("d", vec![]),
        ]);
        let mut edges = |n: &str| graph[n].iter().map(|s| s.to_string()).collect();
        let comps = components("a", &mut edges, &|_| false);
        assert_eq!(comps, vec![vec!["d"], vec!["c"], vec!["a", "b"]]);
    }

    #[test]
    fn a_name_bound_after_the_cycle_starts_fails_for_one_entry() {
        // a.py: def f() (at 0), then `from b import g` (at 10)
        // b.py: `from a import f` (at 0), then def g() (at 20)
        let nodes = HashMap::from_iter([
            (
                "a.py".to_string(),
                node(
                    "a",
                    vec![from(10, "b.py", "b", "g")],
                    &[("f", 0), ("g", 10)],
                ),
            ),
            (
                "b.py".to_string(),
                node("b", vec![from(0, "a.py", "a", "f")], &[("f", 0), ("g", 20)]),
            ),
        ]);
        let f = failures(&["a.py".into(), "b.py".into()], &nodes);
        // Entry a: a binds f, imports b, which finds f: fine; b binds g. Entry
        // b: b imports a, which binds f and imports b, whose g is not bound.
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].file.as_str(), f[0].name.as_str(), f[0].entry.as_str()),
            ("a.py", "g", "b")
        );
        assert_eq!(f[0].path, ["b", "a", "b"]);
    }

    #[test]
    fn a_package_runs_before_its_submodule_entry() {
        // pkg/__init__.py: `from .engine import run` (at 0), binds run at 0.
        // pkg/engine.py: `from .util import helper` loads pkg (the parent)
        // and pkg.util; binds run at 30. Importing pkg.engine first runs pkg,
        // which runs engine to the end: nothing is unbound.
        let mut load_parent = from(0, "pkg/util.py", "pkg.util", "helper");
        load_parent.loads = vec!["pkg/__init__.py".into(), "pkg/util.py".into()];
        let nodes = HashMap::from_iter([
            (
                "pkg/__init__.py".to_string(),
                node(
                    "pkg",
                    vec![from(0, "pkg/engine.py", "pkg.engine", "run")],
                    &[("run", 0)],
                ),
            ),
            (
                "pkg/engine.py".to_string(),
                node("pkg.engine", vec![load_parent], &[("run", 30)]),
            ),
        ]);
        let f = failures(&["pkg/__init__.py".into(), "pkg/engine.py".into()], &nodes);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn names_bound_before_the_import_do_not_fail() {
        let nodes = HashMap::from_iter([
            (
                "a.py".to_string(),
                node(
                    "a",
                    vec![from(10, "b.py", "b", "g")],
                    &[("f", 0), ("g", 10)],
                ),
            ),
            (
                "b.py".to_string(),
                node(
                    "b",
                    vec![from(30, "a.py", "a", "f")],
                    &[("f", 30), ("g", 0)],
                ),
            ),
        ]);
        assert!(failures(&["a.py".into(), "b.py".into()], &nodes).is_empty());
    }
}
