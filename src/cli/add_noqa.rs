//! `lint --add-noqa [--reason TEXT]` (SPEC §1): a `# noqa: RULES -- TEXT`
//! (with `until=` today plus the shortest TTL of the rules on the line) on
//! every line that has a finding a `# noqa` can suppress, through the
//! [`Writer`].
//!
//! Each file with such findings is read again and checked again, so that
//! the lines written to are those of the bytes on disk; it is written only
//! if it still holds those bytes, through the fix engine's atomic writer
//! (BOM and line endings kept), and never when it has a syntax error or the
//! comments would add one. Not touched: engine findings (E999, E902,
//! RG000, FIX00x) and the suppression audit's (SUP00x), which no `# noqa`
//! silences; and a finding whose suppression expired (or has an unreadable
//! date), which a person renews, not `--add-noqa`.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::sync::Arc;

use crate::check::Checker;
use crate::dates;
use crate::finding::Finding;
use crate::lint::LintRun;
use crate::parse::Worker;
use crate::rule::{Matcher, Rule};
use crate::run::Run;
use crate::suppress::directive::Scope;
use crate::suppress::writer::{Refusal, Writer};
use crate::suppress::{find_directives, placement};

/// What `--add-noqa` did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Directives written or extended (one per line).
    pub added: usize,
    /// Files written.
    pub files: usize,
    /// Of the directives written, those without the reason a rule requires.
    pub without_reason: usize,
    /// What was left alone, and why (`path:line: ...`).
    pub notes: Vec<String>,
    /// Files that could not be written, and why.
    pub write_errors: Vec<String>,
}

impl Outcome {
    /// The lines `lint --add-noqa` prints on standard error.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for n in &self.notes {
            out.push_str(&format!("warning: {n}\n"));
        }
        for e in &self.write_errors {
            out.push_str(&format!("error: {e}\n"));
        }
        if self.without_reason > 0 {
            out.push_str(&format!(
                "hint: {} directive(s) have no reason though their rule requires one (SUP001); give --reason TEXT\n",
                self.without_reason
            ));
        }
        out.push_str(&format!(
            "Added {} noqa directive(s) in {} file(s).\n",
            self.added, self.files
        ));
        out
    }

    /// 0 when every planned file was written, 2 when one could not be.
    pub fn exit_code(&self) -> ExitCode {
        if self.write_errors.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        }
    }
}

/// Whether a `# noqa` can silence findings of `rule`.
fn suppressible(rule: &Rule) -> bool {
    !matches!(rule.matcher, Matcher::Engine(_) | Matcher::Suppression(_))
}

/// Adds the directives for the findings of `lint` (a run of `run`).
pub fn add_noqa(run: &Run, lint: &LintRun, reason: Option<&str>) -> Outcome {
    let mut out = Outcome::default();
    if reason.is_some_and(|r| r.contains(['\n', '\r'])) {
        out.write_errors
            .push("--reason must be one line: a `# noqa` comment ends at the line break".into());
        return out;
    }
    let checked: BTreeSet<&str> = lint.files.iter().map(|f| &*f.path).collect();
    let paths: BTreeSet<&str> = lint
        .findings
        .iter()
        .filter(|f| checked.contains(&*f.path) && suppressible(run.rules.at(f.rule_index)))
        .map(|f| &*f.path)
        .collect();
    let checker = Checker::new(run);
    let mut worker = Worker::new();
    for rel in paths {
        add_to_file(run, &checker, &mut worker, rel, reason, &mut out);
    }
    out
}

fn add_to_file(
    run: &Run,
    checker: &Checker,
    worker: &mut Worker,
    rel: &str,
    reason: Option<&str>,
    out: &mut Outcome,
) {
    let path = run.config.root.join(rel);
    let bytes = match crate::source::read_regular(&path) {
        Ok(b) => b,
        Err(e) => {
            out.notes.push(format!("{rel}: cannot read it again: {e}"));
            return;
        }
    };
    // The findings of exactly these bytes.
    let result = crate::lint::file::check_bytes(checker, worker, Arc::from(rel), Ok(bytes.clone()));
    let Some(src) = result.source.as_ref() else {
        return;
    };
    if !result.error_regions.is_empty() {
        out.notes.push(format!(
            "{rel}: has a syntax error (E999); no directive written"
        ));
        return;
    }
    let text = &*src.text;
    let Some(tree) = worker.parse(text) else {
        return;
    };
    let writer = Writer::new(text, &tree);
    let lines = plan(run, rel, text, &tree, &writer, &result.findings, out);
    let mut edits = Vec::new();
    let mut without_reason = 0;
    for (line, (codes, ttl, reason_required)) in &lines {
        let until = ttl.map(|d| dates::add_days(run.today, i64::from(d)));
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        match writer.edit(*line, &codes, reason, until) {
            Ok(Some(e)) => {
                without_reason += usize::from(reason.is_none() && *reason_required);
                edits.push(e);
            }
            Ok(None) => {}
            Err(r) => out.notes.push(refused(rel, *line, &codes, &r)),
        }
    }
    if edits.is_empty() {
        return;
    }
    let pairs: Vec<(std::ops::Range<usize>, &str)> = edits
        .iter()
        .map(|e| (e.range.clone(), e.content.as_str()))
        .collect();
    let new = crate::fix::apply_edits(text, &pairs);
    let target = run.config.target_version;
    if worker.error_count(&new, target) > worker.error_count(text, target) {
        out.notes.push(format!(
            "{rel}: the directives would add a syntax error; not written"
        ));
        return;
    }
    match crate::fix::write::write_if_unchanged(&run.config.root, &path, &bytes, &src.encode(&new))
    {
        Ok(()) => {
            out.added += edits.len();
            out.files += 1;
            out.without_reason += without_reason;
        }
        Err(e) => out.write_errors.push(e.to_string()),
    }
}

/// Per (0-based) line that a directive goes on: the codes, the shortest
/// TTL among their rules, and whether one of them requires a reason.
type Plan = BTreeMap<usize, (BTreeSet<String>, Option<u32>, bool)>;

/// Groups the findings a `# noqa` can suppress by the line ruff reads
/// their `# noqa` from, leaving out those whose suppression expired.
fn plan(
    run: &Run,
    rel: &str,
    text: &str,
    tree: &tree_sitter::Tree,
    writer: &Writer,
    findings: &[Finding],
    out: &mut Outcome,
) -> Plan {
    let (directives, mut malformed) = find_directives(text, tree);
    let placed = placement::place(text, writer.lines(), directives, &mut malformed);
    let mut lines = Plan::new();
    for f in findings {
        let rule = run.rules.at(f.rule_index);
        if !suppressible(rule) {
            continue;
        }
        let line = writer.noqa_line(f.range.start);
        // A directive that names the rule and covers the finding, yet it
        // is reported: the suppression has expired or its date does not read.
        let named = placed.iter().any(|(d, cover)| {
            d.codes
                .as_ref()
                .is_some_and(|c| c.iter().any(|(c, _)| *c == *f.rule))
                && d.scope != Scope::Enable
                && cover.covers(writer.lines(), &f.range)
        });
        let central = run
            .config
            .exceptions
            .iter()
            .any(|ex| *ex.rule == *f.rule && ex.paths.is_match(rel) && ex.expires < run.today);
        if named || central {
            out.notes.push(format!(
                "{rel}:{}: {}: its suppression has expired or has a date that does not read (SUP002); renew it by hand",
                line + 1,
                f.rule
            ));
            continue;
        }
        let entry = lines.entry(line).or_default();
        entry.0.insert(f.rule.to_string());
        if let Some(ttl) = rule.suppression.ttl() {
            entry.1 = Some(entry.1.map_or(ttl, |t| t.min(ttl)));
        }
        entry.2 |= rule.suppression.require_reason;
    }
    lines
}

fn refused(rel: &str, line: usize, codes: &[&str], why: &Refusal) -> String {
    format!(
        "{rel}:{}: {} not suppressed: {why}",
        line + 1,
        codes.join(", ")
    )
}
