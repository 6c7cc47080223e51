//! `rulegate test`: running the examples embedded in packs
//! (`[[rule.tests]]`), so a team can test its own rules like code.

use std::fmt::Write;
use std::path::PathBuf;
use std::sync::Arc;

use crate::check::Checker;
use crate::config::{Config, Lane};
use crate::dates::{self, Date};
use crate::finding::Finding;
use crate::fix::workspace::Workspace;
use crate::lint::file::{FileResult, check_source};
use crate::lint::fixing::fix_results;
use crate::pack_format::RuleTest;
use crate::parse::Worker;
use crate::rule::{EngineCheck, Example, Rule, RuleSet};
use crate::run::Run;
use crate::script::ScriptHost;
use crate::source::SourceText;

/// Date examples are judged at unless they say otherwise, so they never age.
pub const DEFAULT_TEST_DAY: &str = "2026-01-01";

/// The outcome of one example.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    /// Rule under test.
    pub rule: String,
    /// Example number (1-based) and name.
    pub name: String,
    /// `PACK:LINE` of the example's `[[rule.tests]]`.
    pub at: String,
    /// `None` when it passed; else what went wrong.
    pub failure: Option<String>,
}

/// Runs every example of every rule in `rules`.
pub fn run_pack_tests(rules: &Arc<RuleSet>, host: &Arc<ScriptHost>) -> Vec<TestOutcome> {
    let mut out = Vec::new();
    let mut worker = Worker::new();
    for rule in &rules.rules {
        for (i, example) in rule.tests.iter().enumerate() {
            let name = match &example.spec.name {
                Some(n) => format!("#{} {n}", i + 1),
                None => format!("#{}", i + 1),
            };
            out.push(TestOutcome {
                rule: rule.id.to_string(),
                name,
                at: example.at.clone(),
                failure: run_one(rules, host, &mut worker, rule, example).err(),
            });
        }
    }
    out
}

fn run_one(
    rules: &Arc<RuleSet>,
    host: &Arc<ScriptHost>,
    worker: &mut Worker,
    rule: &Rule,
    example: &Example,
) -> Result<(), String> {
    let t = &example.spec;
    let code = t.code.get_ref().as_str();
    let today: Date = dates::parse_iso(t.today.as_deref().unwrap_or(DEFAULT_TEST_DAY))?;
    let (_project, config) = example_project(t)?;
    let run = Run::new(config, rules.clone(), host.clone(), today);
    let checker = Checker::new(&run);
    let path = t.path.clone().unwrap_or_else(|| "example.py".to_string());
    let rel: Arc<str> = Arc::from(path.as_str());
    let result = check_source(&checker, worker, rel.clone(), SourceText::new(code));
    let mut problems = String::new();

    if let Some(expect) = &t.expect {
        check_expect(&rule.id, expect, &result, example, &mut problems);
    }

    if let Some(fixed) = &t.fixed {
        let (got, engine_findings) = fixed_text(&run, result, &path, code);
        if got != *fixed {
            let diff = similar::TextDiff::from_lines(fixed.as_str(), got.as_str());
            let _ = writeln!(
                problems,
                "the fixed code differs (- expected, + got):\n{}",
                diff.unified_diff().header("expected", "got")
            );
            for f in &engine_findings {
                let _ = writeln!(
                    problems,
                    "   because {} at line {}: {}",
                    f.rule, f.location.start.line, f.message
                );
            }
        }
    }
    if !problems.is_empty() {
        why_the_rule_did_not_run(&run, rule, &rel, code, &mut problems);
        return Err(problems);
    }
    Ok(())
}

/// When the rule under test did not even run on the example (its
/// prefilter found none of its words, or the example lies outside its
/// scope), the failure says so.
fn why_the_rule_did_not_run(run: &Run, rule: &Rule, path: &Arc<str>, code: &str, out: &mut String) {
    let rules = &run.rules;
    let lane = run.lane_of(path);
    if !rule.scope.applies(path, lane.as_deref()) {
        let _ = writeln!(
            out,
            "   note: the example ({path}, lane {}) is outside the rule's scope, so {} did not run",
            lane.as_deref().unwrap_or("none"),
            rule.id
        );
        return;
    }
    let words = rules.prefilter_matches(code);
    if !rules
        .active_for(path, lane.as_deref(), &words, code)
        .contains(rule.index)
    {
        let _ = writeln!(
            out,
            "   note: the rule's prefilter {:?} (or its analyzer's text test) ruled the example out, so {} did not run",
            rule.prefilter.as_deref().unwrap_or_default(),
            rule.id
        );
    }
}

/// The example's project: a temporary folder holding its other files (when
/// it has some), and its config (its own, else one lane over every file).
fn example_project(t: &RuleTest) -> Result<(Option<tempfile::TempDir>, Config), String> {
    // Other files of the example's project, when it has some, live in a
    // temporary folder that is the project root.
    let project = if t.files.is_empty() {
        None
    } else {
        let dir =
            tempfile::tempdir().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
        for (rel, text) in &t.files {
            let inside = std::path::Path::new(rel)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside || rel.is_empty() {
                return Err(format!(
                    "example file `{rel}` must be a relative path inside the example's project (no `..`, no absolute path)"
                ));
            }
            let p = dir.path().join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&p, text).map_err(|e| e.to_string())?;
        }
        Some(dir)
    };
    let root = project
        .as_ref()
        .map(|d| d.path().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("/nonexistent-rulegate-test-root"));
    let config = match &t.config {
        Some(text) => Config::from_text(root, text)
            .map_err(|e| format!("the test's config is invalid: {e}"))?,
        None => {
            let mut config = Config::default_for(root);
            let lane = t.lane.as_deref().unwrap_or(crate::config::DEFAULT_LANE);
            config.lanes = vec![Lane::new(lane, &["**"])];
            config
        }
    };
    Ok((project, config))
}

/// Compares the findings of the watched rules with `expect` (`RULE@LINE`).
fn check_expect(
    rule: &str,
    expect: &[String],
    result: &FileResult,
    example: &Example,
    problems: &mut String,
) {
    let mut watched: Vec<&str> = vec![rule];
    watched.extend(expect.iter().filter_map(|e| e.split('@').next()));
    let mut found: Vec<String> = result
        .findings
        .iter()
        .filter(|f| watched.contains(&&*f.rule))
        .map(|f| format!("{}@{}", f.rule, f.location.start.line))
        .collect();
    let mut expected = expect.to_vec();
    found.sort();
    expected.sort();
    if found != expected {
        let _ = writeln!(problems, "expected {expected:?}\n   found    {found:?}");
        for f in result
            .findings
            .iter()
            .filter(|f| watched.contains(&&*f.rule))
        {
            let line = f.location.start.line;
            let in_pack = example
                .pack_line(line)
                .map(|at| format!(" ({at})"))
                .unwrap_or_default();
            let _ = writeln!(
                problems,
                "     {line}:{}: {} {}{in_pack}",
                f.location.start.column, f.rule, f.message
            );
        }
    }
}

/// The example's code after every fix (safe or not) the engine applies,
/// and the engine's findings on the way (FIX001 a script failed, FIX002 a
/// fix was refused), which explain a fix that did not happen.
fn fixed_text(run: &Run, result: FileResult, path: &str, code: &str) -> (String, Vec<Finding>) {
    let mut ws = Workspace::new(run.config.root.clone());
    ws.insert(path, None, &SourceText::new(code));
    let is_engine = |f: &&Finding| {
        [EngineCheck::ScriptError, EngineCheck::FixRolledBack]
            .iter()
            .any(|&c| {
                run.rules
                    .engine_rule(c)
                    .is_some_and(|r| r.index == f.rule_index)
            })
    };
    let mut engine: Vec<Finding> = result.findings.iter().filter(is_engine).cloned().collect();
    let mut results = [result];
    let (ws, _) = fix_results(run, &mut results, ws, true);
    for f in results[0].findings.iter().filter(is_engine) {
        if !engine
            .iter()
            .any(|e| e.rule == f.rule && e.message == f.message)
        {
            engine.push(f.clone());
        }
    }
    (ws.text(path).unwrap_or(code).to_string(), engine)
}

/// A human report of outcomes: failures in full, then a closing count line.
pub fn render(outcomes: &[TestOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes.iter().filter(|o| o.failure.is_some()) {
        let _ = writeln!(
            out,
            "FAILED {} {} ({})\n   {}",
            o.rule,
            o.name,
            o.at,
            o.failure.as_deref().unwrap_or("").trim_end()
        );
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    let mut rules: Vec<&str> = outcomes.iter().map(|o| o.rule.as_str()).collect();
    rules.dedup();
    let _ = writeln!(
        out,
        "pack tests: {} passed, {failed} failed ({} rules)",
        outcomes.len() - failed,
        rules.len()
    );
    out
}
