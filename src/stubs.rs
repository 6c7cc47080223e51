//! Stubs from a pytest log (`rulegate stubs --from-pytest LOG`, SPEC §4.5):
//! the `cannot import name` errors of a `pytest --collect-only` log become
//! the same stub fixes STUB001 makes, planned against the current text of
//! each target module and applied by the one fix engine.

use std::ops::Range;

use crate::analyzers::missing_export::{Missing, stub_edits};
use crate::analyzers::stub_template::Stubs;
use crate::finding::Edit;
use crate::fix::Candidate;
use crate::fix::engine::{self, Findings};
use crate::fix::workspace::Workspace;
use crate::project::Project;
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

/// The stub templates of the run's first rule that has some (STUB001).
pub fn templates(run: &Run) -> Option<&Stubs> {
    run.rules.rules.iter().find_map(|r| match &r.matcher {
        Matcher::Analyzer(a) => a.stubs(),
        _ => None,
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
        project: &run.project,
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

/// The stubs still to add, planned against the workspace's current texts.
struct StubPlan<'a> {
    project: &'a Project,
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
            let exported = self.project.symbols.exports(
                &self.project.modules,
                &texts,
                &m.target,
                &m.name,
                &mut Vec::new(),
            );
            match exported {
                Export::Missing => {}
                Export::Defined => {
                    if self.first {
                        self.notes.push(format!(
                            "skipped `{}` from `{}`: it already exports it",
                            m.name, m.module
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
            match stub_edits(self.project, self.stubs, &m, text, false) {
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
