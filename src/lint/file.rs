//! The pipeline of one file: match ([`crate::check`]) → suppress
//! ([`crate::suppress`]) → one [`FileResult`]. A panic while checking a file
//! is caught here and becomes an RG000 finding for that file alone.

use std::collections::BTreeSet;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use crate::analyzers::Fact;
use crate::check::{Checker, FileEnv};
use crate::finding::{Finding, sort_findings};
use crate::parse::Worker;
use crate::rule::EngineCheck;
use crate::source::{DecodeError, Location, SourceText};
use crate::suppress::{self, SuppressionRecord};

/// What one file's check produced.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Path relative to the project root.
    pub path: Arc<str>,
    /// The source, kept for fixing and for reports that show it (absent if
    /// unreadable, or dropped once no later stage needs it: see
    /// [`FileResult::keep_places_only`]).
    pub source: Option<SourceText>,
    /// Where the edits of this file's fixes in its own text are, sorted by
    /// range: what a report reads of a source it no longer holds.
    pub edit_places: Vec<(Range<usize>, Location)>,
    /// Findings after suppression, sorted.
    pub findings: Vec<Finding>,
    /// Every `noqa` code seen.
    pub records: Vec<SuppressionRecord>,
    /// Central exceptions used by findings of this file.
    pub exceptions_used: BTreeSet<usize>,
    /// Central exceptions covering this file.
    pub exceptions_in_scope: BTreeSet<usize>,
    /// Byte ranges of syntax errors (empty when the file parsed cleanly or was not parsed).
    pub error_regions: Vec<Range<usize>>,
    /// Whether the file was parsed (files no rule can concern are not).
    pub parsed: bool,
    /// Facts collected for a report.
    pub facts: Vec<Fact>,
    /// Whether rulegate failed on the file (an RG000 finding says how).
    pub internal_error: bool,
    /// What the result depended on beyond the file's own bytes.
    pub deps: Vec<crate::deps::Fact>,
}

impl FileResult {
    /// Drops the source, keeping only the line and column of each edit in
    /// the file's own text (what JSON and SARIF print of it): a run over a
    /// big tree then holds no file's text until the report.
    pub fn keep_places_only(&mut self) {
        let Some(src) = self.source.take() else {
            return;
        };
        for f in &self.findings {
            let edits = f.fix.iter().flat_map(|x| &x.edits);
            for e in edits.filter(|e| e.target(&f.path) == &*self.path) {
                let place = src.lines.location(&src.text, e.range.clone());
                self.edit_places.push((e.range.clone(), place));
            }
        }
        self.edit_places.sort_by_key(|(r, _)| (r.start, r.end));
        self.edit_places.dedup_by_key(|(r, _)| (r.start, r.end));
    }

    /// The place of the edit of this file's own text at `range`, if kept.
    pub fn edit_place(&self, range: &Range<usize>) -> Option<Location> {
        let i = self
            .edit_places
            .binary_search_by_key(&(range.start, range.end), |(r, _)| (r.start, r.end))
            .ok()?;
        Some(self.edit_places[i].1)
    }
}

/// Checks a file read from disk (`bytes` is the read's result).
pub fn check_bytes(
    checker: &Checker,
    worker: &mut Worker,
    rel_path: Arc<str>,
    bytes: std::io::Result<Vec<u8>>,
) -> FileResult {
    let error = match bytes.map(|b| SourceText::decode(&b)) {
        Ok(Ok(src)) => return check_source(checker, worker, rel_path, src),
        Ok(Err(DecodeError::NotUtf8 { offset })) => {
            format!("file is not valid UTF-8 (first bad byte at offset {offset}); skipped")
        }
        Err(e) => format!("cannot read file: {e}"),
    };
    FileResult {
        findings: checker.unreadable(&rel_path, &error).into_iter().collect(),
        path: rel_path,
        ..Default::default()
    }
}

/// Checks decoded source text: match, then suppress. A panic on the way
/// is one RG000 finding for this file; the run goes on.
pub fn check_source(
    checker: &Checker,
    worker: &mut Worker,
    rel_path: Arc<str>,
    src: SourceText,
) -> FileResult {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        test_hook_panic(&rel_path);
        pipeline(checker, worker, &rel_path, &src)
    }));
    let mut result = outcome.unwrap_or_else(|payload| {
        // The worker's parser may be mid-parse: start afresh.
        *worker = Worker::new();
        internal_error(checker, &rel_path, &*payload)
    });
    result.path = rel_path;
    result.source = Some(src);
    result
}

fn pipeline(
    checker: &Checker,
    worker: &mut Worker,
    rel_path: &Arc<str>,
    src: &SourceText,
) -> FileResult {
    let run = checker.run;
    let matched = checker.check(worker, rel_path, src);
    let Some(tree) = matched.tree else {
        // Not parsed: no rule found anything (the checker parses a file
        // with findings for suppression), though a report may have facts.
        return FileResult {
            facts: matched.facts,
            ..Default::default()
        };
    };
    let env = FileEnv {
        rel_path,
        lane: matched.lane.as_ref(),
        text: &src.text,
        lines: &src.lines,
    };
    let suppressed = suppress::apply(
        &env,
        &run.rules,
        &matched.active,
        &run.config.exceptions,
        &tree,
        run.today,
        matched.findings,
    );
    let mut findings = suppressed.findings;
    // A scheduled escalation still to come says so in the message.
    for f in &mut findings {
        if let Some(note) = &run.rules.at(f.rule_index).note {
            f.message.push_str(note);
        }
    }
    sort_findings(&mut findings);
    FileResult {
        findings,
        records: suppressed.records,
        exceptions_used: suppressed.exceptions_used,
        exceptions_in_scope: suppressed.exceptions_in_scope,
        error_regions: matched.error_regions,
        parsed: true,
        facts: matched.facts,
        ..Default::default()
    }
}

fn internal_error(
    checker: &Checker,
    rel_path: &Arc<str>,
    payload: &(dyn std::any::Any + Send),
) -> FileResult {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    let finding = checker
        .run
        .rules
        .engine_rule(EngineCheck::Internal)
        .map(|rule| {
            let lines = crate::source::LineIndex::new("");
            let lane = checker.run.lane_of(rel_path);
            let env = FileEnv {
                rel_path,
                lane: lane.as_ref(),
                text: "",
                lines: &lines,
            };
            let message = rule
                .message
                .render(|v| (v == "error").then(|| what.as_str().into()));
            env.finding(rule, 0..0, message, None)
        });
    FileResult {
        findings: finding.into_iter().collect(),
        internal_error: true,
        ..Default::default()
    }
}

/// Tests make rulegate panic on chosen files (debug builds only) to prove
/// that one file's failure stays that file's.
fn test_hook_panic(rel_path: &str) {
    #[cfg(debug_assertions)]
    if let Some(needle) = std::env::var_os("RULEGATE_TEST_PANIC_ON")
        && rel_path.ends_with(&*needle.to_string_lossy())
    {
        panic!("test hook: RULEGATE_TEST_PANIC_ON={rel_path}");
    }
    #[cfg(not(debug_assertions))]
    let _ = rel_path;
}
