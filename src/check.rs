//! Checking one file: read once, parse once, run every query rule in one
//! walk and every analyzer, compute fixes, then apply suppressions.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{Node, Parser, QueryCursor, Tree};

use crate::analyzers::{FileCtx, Hit};
use crate::config::Config;
use crate::dates::Date;
use crate::finding::{Edit, Finding, Fix};
use crate::matching::query::python;
use crate::rule::{EngineCheck, FixKind, Matcher, Rule, RuleSet};
use crate::script::{ScriptHost, ScriptOutput};
use crate::source::{DecodeError, LineIndex, SourceText};
use crate::suppress::{self, SuppressionRecord};

/// Per-thread parsing state (parsers and cursors are not shared).
pub struct Worker {
    parser: Parser,
    cursor: QueryCursor,
}

impl Default for Worker {
    fn default() -> Self {
        Self::new()
    }
}

impl Worker {
    /// A parser set to Python and a fresh query cursor.
    pub fn new() -> Self {
        let mut parser = Parser::new();
        parser
            .set_language(&python())
            .expect("tree-sitter-python matches the tree-sitter ABI");
        Self {
            parser,
            cursor: QueryCursor::new(),
        }
    }

    /// Parses `text`.
    pub fn parse(&mut self, text: &str) -> Option<Tree> {
        self.parser.parse(text, None)
    }
}

/// What one file's check produced.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Path relative to the project root.
    pub path: Arc<str>,
    /// The source, kept for reporting and fixing (absent if unreadable).
    pub source: Option<SourceText>,
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
    /// Facts collected for a report (see [`Checker::collect`]).
    pub facts: Vec<crate::analyzers::Fact>,
}

/// Everything about a file that findings are built from.
pub struct FileEnv<'a> {
    /// Path relative to the project root.
    pub rel_path: &'a Arc<str>,
    /// Lane.
    pub lane: Option<&'a Arc<str>>,
    /// Text (BOM excluded).
    pub text: &'a str,
    /// Line index of `text`.
    pub lines: &'a LineIndex,
}

impl FileEnv<'_> {
    /// A finding of `rule` at `range`.
    pub fn finding(
        &self,
        rule: &Rule,
        range: Range<usize>,
        message: String,
        fix: Option<Fix>,
    ) -> Finding {
        Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            message,
            path: self.rel_path.clone(),
            location: self.lines.location(self.text, range.clone()),
            range,
            lane: self.lane.cloned(),
            fix,
        }
    }

    /// An edit of this file.
    pub fn edit(&self, range: Range<usize>, content: String) -> Edit {
        Edit {
            file: None,
            location: self.lines.location(self.text, range.clone()),
            range,
            content,
        }
    }

    /// Whether `rule`'s scope (lanes, paths, excludes) covers this file.
    pub fn in_scope(&self, rule: &Rule) -> bool {
        rule.scope.applies(self.rel_path, self.lane.map(|l| &**l))
    }

    /// Whether `rule` is in scope for this file and selected.
    pub fn rule_active(&self, rules: &RuleSet, active: &[bool], rule: &Rule) -> bool {
        rules
            .rules
            .iter()
            .position(|r| std::ptr::eq(r, rule))
            .is_some_and(|i| active[i])
    }
}

/// Checks files against a rule set.
pub struct Checker<'a> {
    /// The rules.
    pub rules: &'a RuleSet,
    /// The configuration.
    pub config: &'a Config,
    /// The date TTLs are judged against.
    pub today: Date,
    /// The fix-script host.
    pub host: &'a ScriptHost,
    /// A report whose facts to collect from every file, whatever the scope.
    pub collect: Option<&'static str>,
    /// Texts of files a fix round has changed (not yet written).
    pub overlay: Option<&'a std::collections::BTreeMap<String, String>>,
}

impl Checker<'_> {
    /// Checks a file read from disk (`bytes` is the read's result).
    pub fn check_bytes(
        &self,
        worker: &mut Worker,
        rel_path: Arc<str>,
        bytes: std::io::Result<Vec<u8>>,
    ) -> FileResult {
        let error = match bytes.map(|b| SourceText::decode(&b)) {
            Ok(Ok(src)) => return self.check_source(worker, rel_path, src),
            Ok(Err(DecodeError::NotUtf8 { offset })) => {
                format!("file is not valid UTF-8 (first bad byte at offset {offset}); skipped")
            }
            Err(e) => format!("cannot read file: {e}"),
        };
        let mut result = FileResult {
            path: rel_path.clone(),
            ..Default::default()
        };
        let lane = self.lane_of(&rel_path);
        if let Some(rule) = self.rules.engine_rule(EngineCheck::Unreadable) {
            let env = FileEnv {
                rel_path: &rel_path,
                lane: lane.as_ref(),
                text: "",
                lines: &LineIndex::new(""),
            };
            let message = rule
                .message
                .render(|v| (v == "error").then(|| Cow::Owned(error.clone())));
            result.findings.push(env.finding(rule, 0..0, message, None));
        }
        result
    }

    fn lane_of(&self, rel_path: &str) -> Option<Arc<str>> {
        self.config
            .lane_of(rel_path)
            .map(|l| Arc::from(l.name.as_str()))
    }

    /// Checks decoded source text.
    pub fn check_source(
        &self,
        worker: &mut Worker,
        rel_path: Arc<str>,
        src: SourceText,
    ) -> FileResult {
        let lane = self.lane_of(&rel_path);
        let words = self.rules.prefilter_matches(&src.text);
        let active = self.rules.active_for(&rel_path, lane.as_deref(), &words);
        let feeder = self
            .collect
            .and_then(|report| self.rules.feeder(report))
            .filter(|&i| words[i]);
        let mut result = FileResult {
            path: rel_path.clone(),
            ..Default::default()
        };
        if !self.rules.needs_parse(&active) && feeder.is_none() {
            result.source = Some(src);
            return result;
        }
        let Some(tree) = worker.parse(&src.text) else {
            result.source = Some(src);
            return result;
        };
        result.parsed = true;
        let text: &str = &src.text;
        let env = FileEnv {
            rel_path: &rel_path,
            lane: lane.as_ref(),
            text,
            lines: &src.lines,
        };
        let mut findings = Vec::new();

        if tree.root_node().has_error() {
            result.error_regions = syntax_errors(&tree);
            if let Some(rule) = self.rules.engine_rule(EngineCheck::Syntax) {
                let first = result.error_regions[0].clone();
                let message = describe_error(&tree, first.clone(), text);
                let message = rule
                    .message
                    .render(|v| (v == "error").then(|| Cow::Owned(message.clone())));
                findings.push(env.finding(rule, first, message, None));
            }
        }

        if let Some(queries) = self
            .rules
            .queries
            .as_ref()
            .filter(|_| self.rules.any_query(&active))
        {
            let matcher_of = |i: usize| match &self.rules.rules[i].matcher {
                Matcher::Query(q) => q,
                _ => unreachable!("query patterns map to query rules"),
            };
            queries.run(
                &mut worker.cursor,
                &tree,
                text,
                &active,
                &matcher_of,
                |hit| {
                    let rule = &self.rules.rules[hit.rule];
                    let captures: Vec<(&str, Range<usize>)> = hit
                        .captures
                        .iter()
                        .map(|(n, node)| (*n, node.byte_range()))
                        .collect();
                    let lookup = |name: &str| {
                        captures
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, r)| Cow::Borrowed(&text[r.clone()]))
                    };
                    let message = rule.message.render(lookup);
                    let fix =
                        self.pack_fix(&env, rule, hit.range.clone(), &captures, &[], &mut findings);
                    findings.push(env.finding(rule, hit.range, message, fix));
                },
            );
        }

        // A fix round's texts are not the disk's: only the first pass records.
        if self.rules.needs_symbols && self.overlay.is_none() {
            self.config.symbols.insert_on_disk(&rel_path, text, &tree);
        }
        let ctx = FileCtx {
            path: &rel_path,
            lane: lane.as_deref(),
            text,
            tree: &tree,
            today: self.today,
            config: self.config,
            imports: Default::default(),
            overlay: self.overlay,
        };
        for (rule, _) in self.rules.rules.iter().zip(&active).filter(|(_, a)| **a) {
            let Matcher::Analyzer(analyzer) = &rule.matcher else {
                continue;
            };
            let mut hits: Vec<Hit> = Vec::new();
            analyzer.check(&ctx, &mut hits);
            for hit in hits {
                let lookup = |name: &str| {
                    hit.vars
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| Cow::Borrowed(v.as_str()))
                };
                let message = rule.message.render(lookup);
                let fix = match &hit.fix {
                    Some(f) => Some(Fix {
                        applicability: f.applicability,
                        message: f.message.clone(),
                        edits: f
                            .edits
                            .iter()
                            .map(|e| match &e.file {
                                None => env.edit(e.range.clone(), e.content.clone()),
                                Some(other) => {
                                    self.foreign_edit(other, e.range.clone(), e.content.clone())
                                }
                            })
                            .collect(),
                    }),
                    None => {
                        self.pack_fix(&env, rule, hit.range.clone(), &[], &hit.vars, &mut findings)
                    }
                };
                findings.push(env.finding(rule, hit.range, message, fix));
            }
        }

        if let Some(Matcher::Analyzer(a)) = feeder.map(|i| &self.rules.rules[i].matcher) {
            a.collect(&ctx, &mut result.facts);
        }

        let suppressed = suppress::apply(
            &env,
            self.rules,
            &active,
            &self.config.exceptions,
            &tree,
            self.today,
            findings,
        );
        result.findings = suppressed.findings;
        crate::finding::sort_findings(&mut result.findings);
        result.records = suppressed.records;
        result.exceptions_used = suppressed.exceptions_used;
        result.exceptions_in_scope = suppressed.exceptions_in_scope;
        result.source = Some(src);
        result
    }

    /// An edit of another file of the project (its location from the fix
    /// round's text of it, else from disk).
    fn foreign_edit(&self, rel: &str, range: Range<usize>, content: String) -> Edit {
        let text = match self.overlay.and_then(|o| o.get(rel)) {
            Some(t) => Some(SourceText::new(t)),
            None => std::fs::read(self.config.root.join(rel))
                .ok()
                .and_then(|b| SourceText::decode(&b).ok()),
        };
        let location = match &text {
            Some(t) => t.lines.location(&t.text, range.clone()),
            None => Default::default(),
        };
        Edit {
            file: Some(rel.to_string()),
            range,
            location,
            content,
        }
    }

    /// The fix a pack declares for `rule` (template or script), if any.
    /// A failing script yields a FIX001 finding instead.
    fn pack_fix(
        &self,
        env: &FileEnv,
        rule: &Rule,
        reported: Range<usize>,
        captures: &[(&str, Range<usize>)],
        vars: &[(&'static str, String)],
        findings: &mut Vec<Finding>,
    ) -> Option<Fix> {
        let action = rule.fix.as_ref()?;
        let text_of = |name: &str| -> Option<Cow<str>> {
            captures
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, r)| Cow::Borrowed(&env.text[r.clone()]))
                .or_else(|| {
                    vars.iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| Cow::Borrowed(v.as_str()))
                })
        };
        let edits = match &action.kind {
            FixKind::Template { template, target } => {
                let range = target
                    .as_ref()
                    .and_then(|t| {
                        captures
                            .iter()
                            .find(|(n, _)| n == t)
                            .map(|(_, r)| r.clone())
                    })
                    .unwrap_or(reported);
                vec![env.edit(range, template.render(text_of))]
            }
            FixKind::Script(script) => {
                let input = crate::fix::script_input(
                    env,
                    rule,
                    reported.clone(),
                    captures,
                    vars,
                    self.today,
                );
                let outcome = self.host.run(script, input).and_then(|out| match out {
                    ScriptOutput::Nothing => Ok(Vec::new()),
                    ScriptOutput::Replace(s) => Ok(vec![env.edit(reported.clone(), s)]),
                    ScriptOutput::Edits(list) => list
                        .into_iter()
                        .map(|e| {
                            let valid = e.range.end <= env.text.len()
                                && env.text.is_char_boundary(e.range.start)
                                && env.text.is_char_boundary(e.range.end);
                            if valid {
                                Ok(env.edit(e.range, e.content))
                            } else {
                                Err(crate::script::ScriptError {
                                    message: format!(
                                        "edit {}..{} is outside the file or splits a character",
                                        e.range.start, e.range.end
                                    ),
                                    line: None,
                                })
                            }
                        })
                        .collect(),
                });
                match outcome {
                    Ok(edits) => edits,
                    Err(err) => {
                        if let Some(r) = self.rules.engine_rule(EngineCheck::ScriptError) {
                            let place = format!(
                                "{}:{}",
                                script.path,
                                err.line.map(|l| l.to_string()).unwrap_or("?".into())
                            );
                            let message = r.message.render(|v| {
                                Some(Cow::Owned(match v {
                                    "script" => place.clone(),
                                    "pack" => script.pack.clone(),
                                    "rule" => rule.id.to_string(),
                                    "error" => err.message.clone(),
                                    _ => return None,
                                }))
                            });
                            findings.push(env.finding(r, reported, message, None));
                        }
                        return None;
                    }
                }
            }
        };
        (!edits.is_empty()).then(|| Fix {
            applicability: action.applicability,
            message: action.message.clone(),
            edits,
        })
    }
}

/// Byte ranges of ERROR and MISSING nodes, outermost first, in file order.
pub fn syntax_errors(tree: &Tree) -> Vec<Range<usize>> {
    fn walk(node: Node, out: &mut Vec<Range<usize>>) {
        if node.is_error() || node.is_missing() {
            out.push(node.byte_range());
            return;
        }
        let mut c = node.walk();
        for child in node.children(&mut c) {
            if child.has_error() {
                walk(child, out);
            }
        }
    }
    let mut out = Vec::new();
    if tree.root_node().has_error() {
        walk(tree.root_node(), &mut out);
    }
    if out.is_empty() && tree.root_node().has_error() {
        out.push(0..0);
    }
    out
}

fn describe_error(tree: &Tree, range: Range<usize>, text: &str) -> String {
    let node = tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end);
    match node {
        Some(n) if n.is_missing() => format!("expected `{}`", n.kind()),
        _ => {
            let snippet: String = text[range].chars().take(30).collect();
            let snippet = snippet.lines().next().unwrap_or("").trim();
            if snippet.is_empty() {
                "invalid syntax".to_string()
            } else {
                format!("invalid syntax near `{snippet}`")
            }
        }
    }
}
