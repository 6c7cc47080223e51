//! Stubs from a pytest log (`rulegate stubs --from-pytest LOG`, SPEC §4.5,
//! §4.7): the `cannot import name` errors of a `pytest --collect-only` log
//! become the same stub fixes STUB001 makes, and its `ModuleNotFoundError`s
//! the same bridges STUB003 makes, planned against the current text of each
//! module and applied by the one fix engine.

use std::ops::Range;

use crate::analyzers::FileCtx;
use crate::analyzers::missing_export::forward::Place;
use crate::analyzers::missing_export::missing::{
    Missing, MissingNames, read_text, refusal, stub_edits,
};
use crate::analyzers::missing_export::module::{
    MissingModule, MissingModules, bridge_fix, missing_modules, plan_bridge,
};
use crate::analyzers::missing_export::stub_template::Stubs;
use crate::deps::Deps;
use crate::finding::Edit;
use crate::fix::Candidate;
use crate::fix::engine::{self, Findings};
use crate::fix::workspace::Workspace;
use crate::imports::DEFAULT_DYNAMIC_CALLS;
use crate::rule::Matcher;
use crate::run::Run;
use crate::symbols::Export;

/// (name, module) pairs of `cannot import name 'X' from 'm'` lines, in order.
pub fn parse_log(log: &str) -> Vec<(String, String)> {
    let re = regex::Regex::new(r#"cannot import name ['"]([A-Za-z_][A-Za-z0-9_]*)['"] from ['"]([A-Za-z_][A-Za-z0-9_.]*)['"]"#)
        .expect("a valid regex");
    let mut out: Vec<(String, String)> = Vec::new();
    for c in re.captures_iter(log) {
        let pair = (c[1].to_string(), c[2].to_string());
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

/// A `No module named 'm'` of a log, and the test module that hit it (the
/// path pytest names in `ImportError while importing test module '…'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingModuleLine {
    /// The module Python could not find.
    pub module: String,
    /// The importing test module, as the log gives it.
    pub importer: Option<String>,
}

/// The `ModuleNotFoundError: No module named 'x'` errors of a log (the
/// `E   ModuleNotFoundError` lines of `--tb=short` too), in order, once each.
pub fn parse_missing_modules(log: &str) -> Vec<MissingModuleLine> {
    let missing = regex::Regex::new(
        r#"ModuleNotFoundError: No module named ['"]([A-Za-z_][A-Za-z0-9_.]*)['"]"#,
    )
    .expect("a valid regex");
    let importer = regex::Regex::new(r#"while importing test module ['"]([^'"]+)['"]"#)
        .expect("a valid regex");
    let mut current = None;
    let mut out: Vec<MissingModuleLine> = Vec::new();
    for line in log.lines() {
        if let Some(c) = importer.captures(line) {
            current = Some(c[1].to_string());
        }
        if let Some(c) = missing.captures(line) {
            let entry = MissingModuleLine {
                module: c[1].to_string(),
                importer: current.clone(),
            };
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
    }
    out
}

/// The stub templates of the run's first rule that has some (STUB001, or
/// STUB003 that shares them).
pub fn templates(run: &Run) -> Option<&Stubs> {
    run.rules.rules.iter().find_map(|r| {
        let Matcher::Analyzer(a) = &r.matcher else {
            return None;
        };
        let a: &dyn std::any::Any = a.as_ref();
        match a.downcast_ref::<MissingNames>() {
            Some(names) => names.stubs(),
            None => a.downcast_ref::<MissingModules>()?.stubs(),
        }
    })
}

/// What planning and applying the stubs of a log did.
#[derive(Debug, Default)]
pub struct StubRun {
    /// Stubs added.
    pub added: usize,
    /// One line per request that was skipped, with why.
    pub notes: Vec<String>,
}

/// Adds to `ws` a stub for every `(name, module)` of `requests` that a
/// module of the repository does not export yet.
pub fn add_stubs(
    run: &Run,
    stubs: &Stubs,
    requests: Vec<(String, String)>,
    ws: &mut Workspace,
) -> StubRun {
    let mut pending = Vec::new();
    let mut out = StubRun::default();
    for (name, module) in requests {
        match run.project.modules.resolve(&module) {
            Some(target) if ws.load(&target.rel) => pending.push(Missing {
                name,
                module,
                target: target.rel,
                range: 0..0,
            }),
            _ => out.notes.push(format!(
                "skipped `{name}` from `{module}`: not a module of this repository"
            )),
        }
    }
    let mut plan = StubPlan {
        place: place(run),
        stubs,
        pending,
        offered: Vec::new(),
        notes: out.notes,
        first: true,
    };
    plan.refresh(ws);
    let opts = engine::Options {
        target: run.config.target_version,
        load_reached: false,
    };
    out.added = engine::run(ws, &mut plan, opts).applied;
    out.notes = plan.notes;
    out
}

/// Where a run's fixes forward to.
fn place(run: &Run) -> Place<'_> {
    Place {
        config: &run.config,
        project: run.project.view(Deps::NONE),
        today: run.today,
        prefetch: None,
    }
}

/// The stubs still to add, planned against the workspace's current texts.
struct StubPlan<'a> {
    place: Place<'a>,
    stubs: &'a Stubs,
    pending: Vec<Missing>,
    offered: Vec<Candidate>,
    notes: Vec<String>,
    /// Whether no round has run yet (a name exported then was there before).
    first: bool,
}

impl StubPlan<'_> {
    /// Drops the requests that are now exported (or cannot be) and plans
    /// the others against the current texts.
    fn refresh(&mut self, ws: &Workspace) {
        let texts = |rel: &str| ws.text(rel);
        let mut offered = Vec::new();
        let mut still = Vec::new();
        for m in std::mem::take(&mut self.pending) {
            let project = self.place.project;
            let exported = project.symbols.exports(
                &project.modules,
                &texts,
                &m.target,
                &m.name,
                &mut Vec::new(),
                None,
            );
            match exported {
                Export::Missing => {}
                Export::Defined => {
                    // The log saw the import fail: the cause is not a
                    // missing binding, and a stub would not fix it.
                    if self.first {
                        self.notes.push(format!(
                            "skipped `{}` from `{}`: {} binds it at run time on {} now; if pytest still cannot import it, the cause is elsewhere (an import cycle, an exception while the module loads, or another Python version)",
                            m.name,
                            m.module,
                            m.target,
                            project.symbols.tables().target()
                        ));
                    }
                    continue; // or a stub of this run added it
                }
                Export::Unknowable => {
                    self.notes.push(format!(
                        "skipped `{}` from `{}`: its names cannot be known",
                        m.name, m.module
                    ));
                    continue;
                }
            }
            let text = ws.text(&m.target).unwrap_or_default();
            let source = self.place.locate(self.stubs, &m.module, &m.name, &m.target);
            let why = project
                .symbols
                .get(project.modules.root(), &m.target, Some(text), None)
                .and_then(|t| t.why_invisible(&m.name, project.symbols.tables().target()));
            if let Some(refused) = refusal(&m, &source, why.as_deref()) {
                self.notes.push(format!(
                    "skipped `{}` from `{}`: {}",
                    m.name, m.module, refused.reason
                ));
                continue;
            }
            match stub_edits(project, self.stubs, &m, &source, text, false) {
                Some(edits) => {
                    offered.push(candidate(&m, edits));
                    still.push(m);
                }
                None => self.notes.push(format!(
                    "skipped `{}` from `{}`: {} does not parse",
                    m.name, m.module, m.target
                )),
            }
        }
        self.pending = still;
        self.offered = offered;
        self.first = false;
    }
}

/// Adds to `ws` a bridge for every module of `requests` that does not
/// exist: the imports of it that STUB003 sees in the test modules the log
/// names (their names become fallbacks, one bridge per module), else a
/// bridge with no fallbacks for the module the log names.
pub fn add_bridges(
    run: &Run,
    stubs: &Stubs,
    requests: Vec<MissingModuleLine>,
    ws: &mut Workspace,
) -> StubRun {
    let mut out = StubRun::default();
    if !stubs.has_bridge() {
        if !requests.is_empty() {
            out.notes.push(
                "skipped the missing modules: the stub templates have no `bridge`".to_string(),
            );
        }
        return out;
    }
    // Per missing module: the bridge to create (the module imported, the
    // union of the names imported from it).
    let mut bridges: Vec<MissingModule> = Vec::new();
    for req in &requests {
        let found = req
            .importer
            .as_deref()
            .and_then(|p| importer_rel(run, p))
            .map(|rel| imports_of_missing(run, stubs, &rel, &req.module))
            .unwrap_or_default();
        let found = if found.is_empty() {
            bridge_for_logged(run, stubs, &req.module)
                .into_iter()
                .collect()
        } else {
            found
        };
        if found.is_empty() {
            out.notes.push(format!(
                "skipped `{}`: not a missing module of this repository",
                req.module
            ));
        }
        for m in found {
            match bridges.iter_mut().find(|b| b.module == m.module) {
                Some(b) => {
                    for n in m.names {
                        if !b.names.contains(&n) {
                            b.names.push(n);
                        }
                    }
                }
                None => bridges.push(m),
            }
        }
    }
    let mut plan = BridgePlan {
        offered: bridges
            .iter()
            .filter_map(|m| {
                let fix = bridge_fix(stubs, m, &plan_bridge(&place(run), stubs, m))?;
                let path = fix.edits.last()?.file.clone()?;
                Some(Candidate {
                    rule: "STUB003".to_string(),
                    path,
                    range: 0..0,
                    edits: fix.edits,
                })
            })
            .collect(),
    };
    let opts = engine::Options {
        target: run.config.target_version,
        load_reached: false,
    };
    out.added = engine::run(ws, &mut plan, opts).applied;
    out
}

/// The project-relative path of a test module a log names (absolute, or
/// relative to the project root).
fn importer_rel(run: &Run, path: &str) -> Option<String> {
    let p = std::path::Path::new(path);
    let rel = match p.strip_prefix(&run.config.root) {
        Ok(r) => r.to_path_buf(),
        Err(_) if p.is_relative() => p.to_path_buf(),
        Err(_) => {
            let root = std::fs::canonicalize(&run.config.root).ok()?;
            std::fs::canonicalize(p)
                .ok()?
                .strip_prefix(root)
                .ok()?
                .to_path_buf()
        }
    };
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// Runs `f` on the parsed `text` of project file `rel` as a check would see it.
fn with_ctx<R>(run: &Run, rel: &str, text: &str, f: impl FnOnce(&FileCtx) -> R) -> Option<R> {
    let tree = crate::parse::Worker::new().parse(text)?;
    let lane = run.lane_of(rel);
    Some(f(&run.file_ctx(rel, lane.as_deref(), text, &tree)))
}

/// STUB003's view of the imports in `rel` whose first missing module is `missing`.
fn imports_of_missing(run: &Run, stubs: &Stubs, rel: &str, missing: &str) -> Vec<MissingModule> {
    let Some(text) = read_text(&run.config.root.join(rel), Deps::NONE) else {
        return Vec::new();
    };
    let calls: Vec<String> = DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect();
    with_ctx(run, rel, &text, |ctx| {
        missing_modules(ctx, &calls, stubs.layout())
            .into_iter()
            .filter(|m| m.missing == missing)
            .collect()
    })
    .unwrap_or_default()
}

/// A bridge with no fallbacks for a module only the log names (seen as an
/// import in a file of its own).
fn bridge_for_logged(run: &Run, stubs: &Stubs, module: &str) -> Option<MissingModule> {
    let code = format!("import {module}\n");
    with_ctx(run, "<pytest log>", &code, |ctx| {
        missing_modules(ctx, &[], stubs.layout()).into_iter().next()
    })?
}

/// The bridges to create, offered until they exist.
struct BridgePlan {
    offered: Vec<Candidate>,
}

impl Findings for BridgePlan {
    fn candidates(&self) -> Vec<(Candidate, &[Range<usize>])> {
        self.offered.iter().map(|c| (c.clone(), &[][..])).collect()
    }

    fn recheck(&mut self, _paths: &[String], ws: &Workspace) {
        self.offered
            .retain(|c| c.edits.iter().all(|e| !ws.contains(e.target(&c.path))));
    }
}

fn candidate(m: &Missing, edits: Vec<Edit>) -> Candidate {
    Candidate {
        rule: "STUB001".to_string(),
        path: m.target.clone(),
        range: 0..0,
        edits: edits
            .into_iter()
            .map(|e| Edit {
                file: Some(m.target.clone()),
                ..e
            })
            .collect(),
    }
}

impl Findings for StubPlan<'_> {
    fn candidates(&self) -> Vec<(Candidate, &[Range<usize>])> {
        self.offered.iter().map(|c| (c.clone(), &[][..])).collect()
    }

    fn recheck(&mut self, _paths: &[String], ws: &Workspace) {
        self.refresh(ws);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_not_found_errors_are_read_with_their_importer() {
        let log = "_ ERROR collecting tests/test_a.py _\n\
            ImportError while importing test module '/r/tests/test_a.py'.\n\
            tests/test_a.py:1: in <module>\n\
            \x20   from lukhas.x.y import Z\n\
            E   ModuleNotFoundError: No module named 'lukhas.x'\n\
            ModuleNotFoundError: No module named \"other\"\n";
        assert_eq!(
            parse_missing_modules(log),
            [
                MissingModuleLine {
                    module: "lukhas.x".into(),
                    importer: Some("/r/tests/test_a.py".into())
                },
                MissingModuleLine {
                    module: "other".into(),
                    importer: Some("/r/tests/test_a.py".into())
                }
            ]
        );
    }

    #[test]
    fn pytest_import_errors_are_read() {
        let log = "ERROR collecting tests/test_a.py\n\
            ImportError while importing test module '/r/tests/test_a.py'.\n\
            E   ImportError: cannot import name 'AwarenessEngine' from 'lukhas.consciousness' (/r/lukhas/consciousness.py)\n\
            E   ImportError: cannot import name 'AwarenessEngine' from 'lukhas.consciousness' (/r/lukhas/consciousness.py)\n\
            E   ImportError: cannot import name \"MAX_DEPTH\" from \"lukhas.core\" (unknown location)\n";
        assert_eq!(
            parse_log(log),
            [
                (
                    "AwarenessEngine".to_string(),
                    "lukhas.consciousness".to_string()
                ),
                ("MAX_DEPTH".to_string(), "lukhas.core".to_string())
            ]
        );
    }
}
