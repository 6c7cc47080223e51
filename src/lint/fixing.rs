//! `lint --fix` and `--diff`: the run's findings offered to the fix engine,
//! files re-checked between rounds, and refused fixes reported as FIX002.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::file::{FileResult, check_source};
use crate::check::{Checker, FileEnv};
use crate::finding::sort_findings;
use crate::fix::engine::{self, Findings, Refusal};
use crate::fix::workspace::Workspace;
use crate::fix::{self, Candidate};
use crate::parse::Worker;
use crate::rule::EngineCheck;
use crate::run::Run;

/// The findings of a lint run, as the fix engine sees them.
struct RunFindings<'a> {
    run: &'a Run,
    results: &'a mut [FileResult],
    slot_of: HashMap<String, usize>,
    unsafe_fixes: bool,
}

impl Findings for RunFindings<'_> {
    fn candidates(&self) -> Vec<(Candidate, &[Range<usize>])> {
        self.results
            .iter()
            .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
            .filter_map(|(r, f)| {
                let fix = f
                    .fix
                    .as_ref()
                    .filter(|x| fix::allowed(x, self.unsafe_fixes))?;
                Some((Candidate::from_finding(f, fix), &r.error_regions[..]))
            })
            .collect()
    }

    fn recheck(&mut self, paths: &[String], ws: &Workspace) {
        let checker = Checker {
            overlay: Some(ws.texts()),
            ..Checker::new(self.run)
        };
        let known: Vec<&String> = paths
            .iter()
            .filter(|p| self.slot_of.contains_key(p.as_str()))
            .collect();
        // A file a fix deleted has nothing left to report.
        let (deleted, known): (Vec<&String>, Vec<&String>) =
            known.into_iter().partition(|p| ws.is_deleted(p));
        for p in deleted {
            self.results[self.slot_of[p.as_str()]] = FileResult {
                path: Arc::from(p.as_str()),
                ..Default::default()
            };
        }
        let rechecked: Vec<FileResult> = known
            .par_iter()
            .map_init(Worker::new, |w, p| {
                let src = ws.source(p).expect("re-checked files are in the workspace");
                check_source(&checker, w, Arc::from(p.as_str()), src)
            })
            .collect();
        for new in rechecked {
            let slot = self.slot_of[&*new.path];
            self.results[slot] = new;
        }
    }
}

/// Applies fixes to the files of `results` (re-checking them as it goes)
/// and returns the workspace with the fixed texts and the file of each
/// applied fix's finding.
pub fn fix_results(
    run: &Run,
    results: &mut [FileResult],
    mut ws: Workspace,
    unsafe_fixes: bool,
) -> (Workspace, Vec<String>) {
    let slot_of = results
        .iter()
        .enumerate()
        .map(|(i, r)| (r.path.to_string(), i))
        .collect();
    let mut findings = RunFindings {
        run,
        results,
        slot_of,
        unsafe_fixes,
    };
    let opts = engine::Options {
        target: run.config.target_version,
        load_reached: true,
    };
    let outcome = engine::run(&mut ws, &mut findings, opts);
    report_refusals(run, findings.results, &outcome.refused);
    (ws, outcome.applied_in)
}

/// One FIX002 finding per refused fix, at its finding's place, with why.
pub fn report_refusals(run: &Run, results: &mut [FileResult], refused: &[(Candidate, Refusal)]) {
    let Some(rule) = run.rules.engine_rule(EngineCheck::FixRolledBack) else {
        return;
    };
    for (c, why) in refused {
        let Some(r) = results.iter_mut().find(|r| *r.path == *c.path) else {
            continue;
        };
        let Some(src) = &r.source else { continue };
        let env = FileEnv {
            rel_path: &r.path,
            lane: None,
            text: &src.text,
            lines: &src.lines,
        };
        let range = c.range.start.min(src.text.len())..c.range.end.min(src.text.len());
        let message = rule.message.render(|v| match v {
            "rule" => Some(std::borrow::Cow::Borrowed(c.rule.as_str())),
            "reason" => Some(std::borrow::Cow::Borrowed(why.reason())),
            _ => None,
        });
        let f = env.finding(rule, range, message, None);
        if !r.findings.contains(&f) {
            r.findings.push(f);
        }
        sort_findings(&mut r.findings);
    }
}
