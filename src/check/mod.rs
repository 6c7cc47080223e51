//! The match stage for one file: prefilter, parse once, run every query
//! rule in one walk and every analyzer, and compute each finding's fix.
//! Suppression comes after (the `suppress` stage); the per-file pipeline
//! that strings them together is `lint::file`.

mod pack_fix;
mod reexports;
mod unique;
pub(crate) mod unique_index;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use tree_sitter::Tree;

use crate::analyzers::{Fact, FileCtx, Hit, Report};
use crate::deps::Deps;
use crate::finding::{Finding, Fix};
use crate::parse::validity::compile_rejects;
use crate::parse::{Worker, describe_error, syntax_errors};
use crate::rule::{EngineCheck, Matcher, Rule, RuleMask};
use crate::run::Run;
use crate::source::{LineIndex, SourceText};

/// One file as findings are built from it.
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
            rule_index: rule.index,
            severity: rule.severity,
            message,
            path: self.rel_path.clone(),
            location: self.lines.location(self.text, range.clone()),
            range,
            lane: self.lane.cloned(),
            fix,
            fix_refused: None,
        }
    }

    /// Whether `rule`'s scope (lanes, paths, excludes) covers this file.
    pub fn in_scope(&self, rule: &Rule) -> bool {
        rule.scope.applies(self.rel_path, self.lane.map(|l| &**l))
    }
}

/// What the match stage produced for one file, before suppression.
#[derive(Default)]
pub struct Matched {
    /// Findings, unsorted.
    pub findings: Vec<Finding>,
    /// The rules that applied to the file.
    pub active: RuleMask,
    /// The syntax tree (`None`: no active rule needed one).
    pub tree: Option<Tree>,
    /// Byte ranges of syntax errors (empty when the file parsed cleanly).
    pub error_regions: Vec<Range<usize>>,
    /// Facts collected for a report.
    pub facts: Vec<Fact>,
    /// The file's lane (found once, for the later stages too).
    pub lane: Option<Arc<str>>,
}

/// One pass of checks over files of a [`Run`].
#[derive(Clone, Copy)]
pub struct Checker<'a> {
    /// The run.
    pub run: &'a Run,
    /// A report whose facts to collect from every file, whatever the scope.
    pub collect: Option<Report>,
    /// Texts of files a fix round has changed (not yet written).
    pub overlay: Option<&'a BTreeMap<String, String>>,
    /// How the run produces a module's symbol table it does not have yet
    /// (`lint` checks the module then, so that it is parsed once).
    pub prefetch: Option<&'a dyn crate::symbols::Prefetch>,
    /// Where the check records what a file's result depends on beyond the
    /// file (a `lint` with a cache; [`Deps::NONE`] otherwise).
    pub deps: Deps<'a>,
}

impl<'a> Checker<'a> {
    /// A first pass over the files as they are on disk.
    pub fn new(run: &'a Run) -> Self {
        Self {
            run,
            collect: None,
            overlay: None,
            prefetch: None,
            deps: Deps::NONE,
        }
    }

    /// The finding for a file that could not be read or decoded.
    pub fn unreadable(&self, rel_path: &Arc<str>, error: &str) -> Option<Finding> {
        let rule = self.run.rules.engine_rule(EngineCheck::Unreadable)?;
        let lane = self.run.lane_of(rel_path);
        let env = FileEnv {
            rel_path,
            lane: lane.as_ref(),
            text: "",
            lines: &LineIndex::new(""),
        };
        let message = rule
            .message
            .render(|v| (v == "error").then_some(Cow::Borrowed(error)));
        Some(env.finding(rule, 0..0, message, None))
    }

    /// Runs every active rule on `src`.
    pub fn check(&self, worker: &mut Worker, rel_path: &Arc<str>, src: &SourceText) -> Matched {
        let rules = &*self.run.rules;
        let lane = self.run.lane_of(rel_path);
        let words = rules.prefilter_matches(&src.text);
        let active = rules.active_for(rel_path, lane.as_deref(), &words, &src.text);
        let feeder = self
            .collect
            .and_then(|report| rules.feeder(report))
            .filter(|&i| words.contains(i));
        let mut matched = Matched {
            active,
            lane: lane.clone(),
            ..Default::default()
        };
        if !rules.needs_parse(&matched.active) && feeder.is_none() {
            return matched;
        }
        let env = FileEnv {
            rel_path,
            lane: lane.as_ref(),
            text: &src.text,
            lines: &src.lines,
        };
        let feeder_needs_tree = feeder.is_some_and(|i| match &rules.rules[i].matcher {
            Matcher::Analyzer(a) => a.needs_tree(&src.text),
            _ => true,
        });
        if !feeder_needs_tree
            && !rules.needs_tree(&matched.active, &src.text)
            && let Some(sites) = crate::imports::scan::static_imports(&src.text)
        {
            self.check_without_tree(worker, &env, sites, feeder, &mut matched);
            return matched;
        }
        let kept = self.prefetch.and_then(|p| p.take_tree(rel_path, &src.text));
        let Some(tree) = kept.or_else(|| worker.parse(&src.text)) else {
            return matched;
        };
        if tree.root_node().has_error() {
            matched.error_regions = syntax_errors(&tree);
            let message = describe_error(&tree, matched.error_regions[0].clone(), env.text);
            self.syntax_finding(&env, &matched.error_regions, message, &mut matched.findings);
        } else if let Some(first) =
            compile_rejects(&tree, env.text, self.run.config.target_version).first()
        {
            // What tree-sitter parsed but CPython's compiler rejects (Python
            // 2 syntax): E999 too, and its region refuses fixes.
            matched.error_regions = vec![first.range.clone()];
            let message = first.message.clone();
            self.syntax_finding(&env, &matched.error_regions, message, &mut matched.findings);
        }
        // A fix round's texts are not the disk's: only the first pass
        // records. Recorded before anything else runs, so that an importer
        // checked meanwhile (or this file's own imports, in a cycle) finds it.
        if rules.needs_symbols && self.overlay.is_none() {
            self.run
                .project
                .symbols
                .insert_on_disk(rel_path, &src.text, &tree, self.deps.on());
        }
        if rules.any_query(&matched.active) {
            self.run_queries(worker, &env, &tree, &matched.active, &mut matched.findings);
        }
        let ctx = FileCtx {
            overlay: self.overlay,
            prefetch: self.prefetch,
            project: self.run.project.view(self.deps),
            ..self
                .run
                .file_ctx(rel_path, lane.as_deref(), &src.text, &tree)
        };
        self.run_analyzers(&env, &ctx, feeder, &mut matched);
        matched.tree = Some(tree);
        matched
    }

    /// Runs the active analyzers, which read only the file's static imports
    /// (`sites`), without a parse. A file with findings is parsed after all,
    /// for the suppression stage to read its comments.
    fn check_without_tree(
        &self,
        worker: &mut Worker,
        env: &FileEnv,
        sites: Vec<crate::imports::ImportSite>,
        feeder: Option<usize>,
        matched: &mut Matched,
    ) {
        let lane = matched.lane.clone();
        let ctx = FileCtx {
            tree: None,
            static_imports: Some(std::rc::Rc::new(sites)),
            overlay: self.overlay,
            prefetch: self.prefetch,
            project: self.run.project.view(self.deps),
            ..self
                .run
                .file_ctx_without_tree(env.rel_path, lane.as_deref(), env.text)
        };
        self.run_analyzers(env, &ctx, feeder, matched);
        if !matched.findings.is_empty() {
            matched.tree = worker.parse(env.text);
            if let Some(tree) = matched.tree.as_ref().filter(|t| t.root_node().has_error()) {
                matched.error_regions = syntax_errors(tree);
            }
        }
    }

    fn syntax_finding(
        &self,
        env: &FileEnv,
        regions: &[Range<usize>],
        message: String,
        findings: &mut Vec<Finding>,
    ) {
        let Some(rule) = self.run.rules.engine_rule(EngineCheck::Syntax) else {
            return;
        };
        let first = regions[0].clone();
        let message = rule
            .message
            .render(|v| (v == "error").then_some(Cow::Borrowed(message.as_str())));
        findings.push(env.finding(rule, first, message, None));
    }

    /// The one walk of the combined query for every active query rule.
    fn run_queries(
        &self,
        worker: &mut Worker,
        env: &FileEnv,
        tree: &Tree,
        active: &RuleMask,
        findings: &mut Vec<Finding>,
    ) {
        let rules = &*self.run.rules;
        let groups = rules.queries();
        let matcher_of = |i: usize| match &rules.rules[i].matcher {
            Matcher::Query(q) => q,
            _ => unreachable!("query patterns map to query rules"),
        };
        let text = env.text;
        let mut occurrences = Vec::new();
        let mut emit = |hit: crate::matching::query::QueryHit| {
            if let Some(found) = unique::occurrence(self, &hit, text) {
                occurrences.extend(found);
                return;
            }
            let rule = &rules.rules[hit.rule];
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
            let inputs = pack_fix::Inputs {
                reported: hit.range.clone(),
                captures: &captures,
                vars: &[],
                tree: Some(tree),
            };
            let finding = self.finding_with_pack_fix(env, rule, message, inputs, findings);
            findings.push(finding);
        };
        let is_active = |i: usize| active.contains(i);
        // Asked only by `resolves_to`, for names it does not list.
        let reexports = reexports::ProjectReexports {
            project: self.run.project.view(self.deps),
            overlay: self.overlay,
            prefetch: self.prefetch,
        };
        if let Some(whole) = groups
            .whole
            .as_ref()
            .filter(|_| groups.any_whole(rules, active))
        {
            whole.run_resolving(
                &mut worker.cursor,
                (tree, text, None),
                &is_active,
                &matcher_of,
                Some(&reexports),
                &mut emit,
            );
        }
        if let Some(anchored) = &groups.anchored {
            let ranges = groups.anchor_ranges(text, active);
            if !ranges.is_empty() {
                anchored.run_resolving(
                    &mut worker.cursor,
                    (tree, text, Some(&ranges)),
                    &is_active,
                    &matcher_of,
                    Some(&reexports),
                    &mut emit,
                );
            }
        }
        self.unique_findings(env, tree, active, occurrences, findings);
    }

    /// Every active analyzer rule, each turning its hits into findings, and
    /// the report `feeder` (a rule index) collecting the file's facts.
    fn run_analyzers(
        &self,
        env: &FileEnv,
        ctx: &FileCtx,
        feeder: Option<usize>,
        matched: &mut Matched,
    ) {
        let rules = &*self.run.rules;
        if let Some(Matcher::Analyzer(a)) = feeder.map(|i| &rules.rules[i].matcher) {
            a.collect(ctx, &mut matched.facts);
        }
        let findings = &mut matched.findings;
        for i in matched.active.iter() {
            let rule = self.run.rules.at(i);
            let Matcher::Analyzer(analyzer) = &rule.matcher else {
                continue;
            };
            let mut hits: Vec<Hit> = Vec::new();
            analyzer.check(ctx, &mut hits);
            for hit in hits {
                let lookup = |name: &str| {
                    hit.vars
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| Cow::Borrowed(v.as_str()))
                };
                let message = rule.message.render(lookup);
                let fix = match hit.fix {
                    Some(f) => Some(f),
                    None => {
                        let inputs = pack_fix::Inputs {
                            reported: hit.range.clone(),
                            captures: &[],
                            vars: &hit.vars,
                            tree: None,
                        };
                        self.pack_fix(env, rule, inputs, findings).ok().flatten()
                    }
                };
                let mut finding = env.finding(rule, hit.range, message, fix);
                finding.fix_refused = hit.fix_refused;
                findings.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::test_run;

    fn matched(run: &Run, text: &str) -> Matched {
        let src = SourceText::new(text);
        Checker::new(run).check(&mut Worker::new(), &Arc::from("core/a.py"), &src)
    }

    fn ids(m: &Matched) -> Vec<String> {
        let mut v: Vec<String> = m
            .findings
            .iter()
            .map(|f| format!("{}@{}", f.rule, f.location.start.line))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn queries_and_analyzers_share_one_parse() {
        let run = test_run("", "2026-01-01");
        let m = matched(&run, "x = 1\nimport os\neval('1')\n");
        assert_eq!(ids(&m), ["E402@2", "RUN002@3"]);
        assert!(m.tree.is_some());
        let e402 = run.rules.get("E402").unwrap();
        assert!(m.active.contains(e402.index));
        // Findings carry their rule's index.
        assert!(
            m.findings
                .iter()
                .all(|f| run.rules.at(f.rule_index).id == f.rule)
        );
    }

    #[test]
    fn a_file_that_import_rules_alone_read_is_parsed_only_for_its_findings() {
        let run = crate::run::test_run_selecting("", "2026-01-01", &["IMP001"]);
        let clean = matched(&run, "import os\nfrom . import b\n");
        assert!(clean.tree.is_none() && clean.findings.is_empty());
        // A finding: parsed for the suppression stage.
        let climbs = matched(&run, "from ... import b\n");
        assert_eq!(ids(&climbs), ["IMP001@1"]);
        assert!(climbs.tree.is_some());
        // A possible dynamic import, or a text the scanner does not follow.
        for text in [
            "from importlib import import_module\n",
            "if x:\n\timport os\n",
        ] {
            assert!(matched(&run, text).tree.is_some(), "{text:?}");
        }
        // The syntax check needs the tree.
        let run = crate::run::test_run_selecting("", "2026-01-01", &["IMP001", "E999"]);
        assert!(matched(&run, "import os\n").tree.is_some());
    }

    #[test]
    fn a_selected_syntax_check_parses_whatever_the_prefilters_say() {
        // builtin:core alone: no rule's prefilter matches, but E999 is active.
        let run = test_run("packs = []\n", "2026-01-01");
        let m = matched(&run, "x = (\n");
        assert!(m.tree.is_some());
        assert_eq!(ids(&m), ["E999@1"]);
    }

    #[test]
    fn syntax_errors_are_one_e999_with_their_regions() {
        let run = test_run("", "2026-01-01");
        let m = matched(&run, "import os\nx = (1,\n");
        assert!(!m.error_regions.is_empty());
        assert_eq!(ids(&m).iter().filter(|i| i.starts_with("E999")).count(), 1);
    }

    #[test]
    fn unreadable_files_get_e902() {
        let run = test_run("", "2026-01-01");
        let f = Checker::new(&run)
            .unreadable(&Arc::from("a.py"), "cannot read file: denied")
            .unwrap();
        assert_eq!(&*f.rule, "E902");
        assert!(f.message.contains("denied"));
    }
}
