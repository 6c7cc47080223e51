//! `analyzer = "import-cycles"` (IMP002): a module-level `from X import n`
//! that fails because a cycle of module-level imports leaves `X` partially
//! initialised, with `n` not yet bound, when some module of the cycle is
//! imported first (pytest: "cannot import name 'n' from partially
//! initialized module 'X' (most likely due to a circular import)").
//!
//! `import a.b` and `from pkg import submodule` never fail this way, nor
//! does an import inside a function (it runs later) or under `if
//! TYPE_CHECKING:`; a guarded import (`except ImportError`) is caught.
//! The graph is the lane check's: each module's imports as extracted for
//! the file (or scanned from the text without a parse, for a module not
//! checked yet), resolved through `src`; names and the order they are bound
//! in come from the symbol tables. It is built once per run: each module's
//! imports are read once, each component of the graph is found once (by
//! Tarjan's algorithm, from the first file that reaches it) and run once
//! from each of its modules as the entry.

mod graph;

use foldhash::{HashMap, HashMapExt};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;

use crate::analyzers::{Analyzer, FileCtx, Hit};
use crate::imports::resolve::TargetKind;
use crate::imports::{ImportKind, ImportSite};
use graph::{Event, Failure, Node};

/// Options of `analyzer = "import-cycles"` (none).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CyclesOptions {}

/// The analyzer, with the graph of each project root it has checked files
/// of (a graph is dropped when the file checked is not the text it was
/// built from: an edited file in a language server, another pack example).
#[derive(Debug)]
pub struct Cycles {
    memo: Mutex<HashMap<std::path::PathBuf, Memo>>,
    dynamic_calls: Vec<String>,
}

/// The graph as far as the run has built it.
#[derive(Debug, Default)]
struct Memo {
    nodes: HashMap<String, Arc<Node>>,
    component_of: HashMap<String, usize>,
    components: Vec<Arc<Component>>,
}

/// One strongly connected component, and its failing imports.
#[derive(Debug)]
struct Component {
    members: Vec<String>,
    /// Whether its modules import one another (or one itself).
    cyclic: bool,
    /// Read once the tables of its members are (outside the memo's lock).
    failures: OnceLock<Vec<Failure>>,
}

/// Builds the analyzer from a rule's options.
pub fn build(options: &toml::Table) -> Result<Box<dyn Analyzer>, String> {
    let _: CyclesOptions = crate::analyzers::options(options)?;
    Ok(Box::new(Cycles {
        memo: Mutex::new(HashMap::new()),
        dynamic_calls: crate::imports::DEFAULT_DYNAMIC_CALLS
            .iter()
            .map(|c| c.to_string())
            .collect(),
    }))
}

impl Cycles {
    /// The node of the module in file `rel`: its imports (the file's own
    /// when it is the one checked, else scanned from its text).
    fn node(&self, ctx: &FileCtx, rel: &str) -> Node {
        let root = ctx.project.modules.root();
        let (hash, sites): (Option<u64>, Vec<ImportSite>) = if rel == ctx.path {
            (
                Some(ctx.digest()),
                ctx.imports(&self.dynamic_calls).to_vec(),
            )
        } else {
            // Read through the pass when it will check the file: once.
            let path = root.join(rel);
            let text = match ctx.prefetch {
                Some(p) => p.read_body(rel, &path).ok(),
                None => crate::source::read_body(&path).ok(),
            };
            let hash = text.as_ref().map(|t| crate::hash::digest(t.as_bytes()));
            ctx.project.deps.read(&path, hash);
            let sites = match (text.as_deref(), hash) {
                (Some(t), Some(h)) => ctx.project.imports.get_or(h, || sites_of(ctx, rel, t)),
                _ => Vec::new(),
            };
            (hash, sites)
        };
        let (module, _) = ctx.project.modules.module_of(rel);
        let events = sites.iter().filter_map(|s| event(ctx, rel, s)).collect();
        // The module's own check takes them rather than extract them again.
        if rel != ctx.path
            && let (Some(p), Some(hash)) = (ctx.prefetch, hash)
        {
            p.keep_imports(rel, hash, sites);
        }
        Node {
            events,
            hash,
            module,
            ..Node::default()
        }
    }

    /// `node` with the names its symbol table binds, and where. Read only
    /// for the modules of a cycle, through the pass's look-ahead: a module
    /// the run checks anyway is checked now, and its one parse gives the
    /// table (so no module is parsed twice).
    fn with_names(ctx: &FileCtx, rel: &str, node: &Node) -> Node {
        let root = ctx.project.modules.root();
        // The file checked: from its own tree (a fix round's text is not the disk's).
        let table = match ctx.tree.filter(|_| rel == ctx.path) {
            Some(tree) => Some(Arc::new(crate::symbols::ModuleSymbols::of(tree, ctx.text))),
            None => ctx.project.symbols.get(root, rel, None, ctx.prefetch),
        };
        Node {
            module: node.module.clone(),
            events: node.events.clone(),
            bound_at: table
                .as_ref()
                .map(|t| t.bound_at.clone())
                .unwrap_or_default(),
            names: table.map(|t| t.names.clone()).unwrap_or_default(),
            hash: node.hash,
        }
    }

    /// The component holding `rel`, found (with every component it reaches)
    /// if the run has not yet, with its failing imports.
    fn component(&self, ctx: &FileCtx, rel: &str) -> (Arc<Component>, Vec<Arc<Node>>) {
        let (comp, members) = self.graph_component(ctx, rel);
        if comp.cyclic && comp.failures.get().is_none() {
            // Outside the lock: reading a member's table may check that
            // member ahead, which runs this analyzer again on this thread.
            let named: HashMap<String, Arc<Node>> = comp
                .members
                .iter()
                .zip(&members)
                .map(|(m, n)| (m.clone(), Arc::new(Self::with_names(ctx, m, n))))
                .collect();
            let _ = comp.failures.set(graph::failures(&comp.members, &named));
        }
        (comp, members)
    }

    /// Records the checked file's node, then has the run check now the
    /// modules it loads that the graph has not met (one level deeper, as
    /// [`crate::symbols::Prefetch`] allows): their own checks record their
    /// nodes from their trees, so the walk below scans none of them. A
    /// module the run does not check, or checks elsewhere meanwhile, is
    /// scanned as before.
    ///
    /// Not in a run that records dependencies: a module checked ahead
    /// records its reads for itself, so the importer's walk, which then
    /// finds its node made, would record none of the modules it reaches.
    fn check_imports_ahead(&self, ctx: &FileCtx) {
        let Some(prefetch) = ctx.prefetch.filter(|_| !ctx.project.deps.on()) else {
            return;
        };
        let unmet: Vec<String> = {
            let mut memos = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            let memo = memos.entry(ctx.config.root.clone()).or_default();
            if memo.component_of.contains_key(ctx.path) || memo.nodes.contains_key(ctx.path) {
                return; // met already: its component is (or is being) found
            }
            let node = self.node(ctx, ctx.path);
            let mut loads: Vec<String> = node.events.iter().flat_map(|e| e.loads.clone()).collect();
            loads.sort();
            loads.dedup();
            loads.retain(|f| !memo.nodes.contains_key(f));
            memo.nodes.insert(ctx.path.to_string(), Arc::new(node));
            loads
        };
        // Outside the lock: each check ahead runs this analyzer again.
        for f in &unmet {
            prefetch.prefetch(f);
        }
    }

    /// The component holding `rel` in the graph of imports, found (with
    /// every component it reaches) if the run has not yet.
    fn graph_component(&self, ctx: &FileCtx, rel: &str) -> (Arc<Component>, Vec<Arc<Node>>) {
        let mut memos = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        let memo = memos.entry(ctx.config.root.clone()).or_default();
        let digest = ctx.digest();
        if memo.nodes.get(rel).is_some_and(|n| n.hash != Some(digest)) {
            *memo = Memo::default();
        }
        let Memo {
            nodes,
            component_of,
            components,
        } = memo;
        if !component_of.contains_key(rel) {
            let mut edges = |f: &str| -> Vec<String> {
                let node = nodes
                    .entry(f.to_string())
                    .or_insert_with(|| Arc::new(self.node(ctx, f)));
                let mut out: Vec<String> =
                    node.events.iter().flat_map(|e| e.loads.clone()).collect();
                out.sort();
                out.dedup();
                out
            };
            let found = graph::components(rel, &mut edges, &|f| component_of.contains_key(f));
            for members in found {
                let cyclic = members.len() > 1
                    || nodes[&members[0]]
                        .events
                        .iter()
                        .any(|e| e.loads.contains(&members[0]));
                for m in &members {
                    component_of.insert(m.clone(), components.len());
                }
                components.push(Arc::new(Component {
                    members,
                    cyclic,
                    failures: OnceLock::new(),
                }));
            }
        }
        let comp = components[component_of[rel]].clone();
        let members = comp.members.iter().map(|m| nodes[m].clone()).collect();
        (comp, members)
    }
}

/// The static imports of `text`, the module at `rel`: scanned, or extracted
/// from a parse (kept for the run's check of it) when the scanner cannot
/// read the text.
fn sites_of(ctx: &FileCtx, rel: &str, text: &str) -> Vec<ImportSite> {
    crate::imports::scan::static_imports(text).unwrap_or_else(|| {
        let Some(tree) = crate::parse::Worker::new().parse(text) else {
            return Vec::new();
        };
        if let Some(p) = ctx.prefetch {
            p.keep_tree(rel, text, &tree);
        }
        crate::imports::extract(&tree, text, &[])
    })
}

/// The event of one import of file `rel`, if it runs at module level.
fn event(ctx: &FileCtx, rel: &str, s: &ImportSite) -> Option<Event> {
    if s.nested || s.typing_only || !matches!(s.kind, ImportKind::Import | ImportKind::From) {
        return None;
    }
    let modules = &ctx.project.modules;
    let dotted = modules.absolute(rel, &s.module, s.level, None).ok()?;
    let file = |d: &str| {
        ctx.resolve(d)
            .filter(|t| t.kind != TargetKind::Namespace)
            .map(|t| t.rel)
    };
    // Importing `a.b.c` runs `a`, then `a.b`, then `a.b.c`.
    let mut loads = Vec::new();
    let mut prefix = String::new();
    for part in dotted.split('.') {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
        match file(&prefix) {
            Some(f) => loads.push(f),
            None => break,
        }
    }
    let mut ev = Event {
        at: s.range.start,
        from_file: None,
        needs: Vec::new(),
        from_module: dotted.clone(),
        guarded: s.guarded,
        loads,
    };
    if s.kind == ImportKind::From && !s.star {
        ev.from_file = file(&dotted);
        for n in &s.names {
            match file(&format!("{dotted}.{}", n.name)) {
                Some(sub) => ev.loads.push(sub), // a submodule: imported, never "unbound"
                None => ev.needs.push((n.name.clone(), n.range.clone())),
            }
        }
    }
    (!ev.loads.is_empty()).then_some(ev)
}

impl Analyzer for Cycles {
    fn variables(&self) -> &'static [&'static str] {
        &["name", "module", "entry", "path"]
    }

    fn prefilter(&self) -> Option<Vec<String>> {
        Some(vec!["import".to_string()])
    }

    fn needs_tree(&self, _text: &str) -> bool {
        false
    }

    fn needs_symbols(&self) -> bool {
        true
    }

    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>) {
        self.check_imports_ahead(ctx);
        let (comp, members) = self.component(ctx, ctx.path);
        let failures = comp.failures.get().map_or(&[][..], Vec::as_slice);
        if failures.is_empty() {
            return;
        }
        // The verdict reads every module of the cycle.
        let root = ctx.project.modules.root();
        for (rel, node) in comp.members.iter().zip(&members) {
            if rel != ctx.path {
                ctx.project.deps.read(&root.join(rel), node.hash);
            }
        }
        for f in failures.iter().filter(|f| f.file == ctx.path) {
            hits.push(Hit {
                vars: vec![
                    ("name", f.name.clone()),
                    ("module", f.module.clone()),
                    ("entry", f.entry.clone()),
                    ("path", f.path.join(" -> ")),
                ],
                ..Hit::at(f.range.clone())
            });
        }
    }
}
