//! Compiled rules and the registry of a run: every rule is data (id,
//! severity, message, scope, docs, tests) plus one matcher.

use std::sync::Arc;

use crate::analyzers::Analyzer;
use crate::finding::{Applicability, Severity};
use crate::glob::GlobList;
use crate::matching::query::{QueryMatcher, QuerySet};
use crate::packs::spec::{RuleTest, SuppressionPolicy};
use crate::script::Script;
use crate::template::Template;

/// Where a rule applies.
#[derive(Debug, Default)]
pub struct Scope {
    /// Lanes; `None` for every file (with or without a lane).
    pub lanes: Option<Vec<String>>,
    /// Files it applies to; empty for all.
    pub paths: GlobList,
    /// Files it skips.
    pub exclude: GlobList,
}

impl Scope {
    /// Whether a file at `rel_path` in `lane` is in scope.
    pub fn applies(&self, rel_path: &str, lane: Option<&str>) -> bool {
        let lane_ok = match (&self.lanes, lane) {
            (None, _) => true,
            (Some(lanes), Some(l)) => lanes.iter().any(|x| x == l),
            (Some(_), None) => false,
        };
        lane_ok
            && (self.paths.is_empty() || self.paths.is_match(rel_path))
            && !self.exclude.is_match(rel_path)
    }
}

/// The kind of a suppression-audit rule (`analyzer = "suppression"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionCheck {
    /// SUP001: reason missing.
    MissingReason,
    /// SUP002: expired.
    Expired,
    /// SUP003: expiring soon.
    Expiring,
    /// SUP004: suppresses nothing.
    Unused,
    /// A bare `# noqa` (suppresses everything).
    Blanket,
}

/// How a rule finds things.
#[derive(Debug)]
pub enum Matcher {
    /// A tree-sitter query.
    Query(QueryMatcher),
    /// A built-in analyzer.
    Analyzer(Box<dyn Analyzer>),
    /// Audits suppressions (run after all other rules).
    Suppression(SuppressionCheck),
    /// Problems the engine itself meets (syntax errors, unreadable files,
    /// failing fix scripts, rolled-back fixes).
    Engine(EngineCheck),
}

/// What an `analyzer = "engine"` rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineCheck {
    /// The file does not parse.
    Syntax,
    /// The file cannot be read or is not UTF-8.
    Unreadable,
    /// A fix script failed.
    ScriptError,
    /// A fix was refused because it would add a syntax error.
    FixRolledBack,
}

/// How a rule fixes what it finds.
#[derive(Debug)]
pub struct FixAction {
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// Message shown for the fix.
    pub message: String,
    /// Template or script.
    pub kind: FixKind,
}

/// The two ways a pack declares a fix.
#[derive(Debug)]
pub enum FixKind {
    /// Replace the target capture with the rendered template.
    Template {
        /// The replacement.
        template: Template,
        /// Capture replaced (`None`: the reported node).
        target: Option<String>,
    },
    /// Run a Rhai script.
    Script(Arc<Script>),
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique id.
    pub id: Arc<str>,
    /// Name of the pack it came from.
    pub pack: Arc<str>,
    /// Effective severity.
    pub severity: Severity,
    /// Message template.
    pub message: Template,
    /// One-line summary.
    pub summary: String,
    /// Markdown documentation.
    pub explain: String,
    /// Scope.
    pub scope: Scope,
    /// Matcher.
    pub matcher: Matcher,
    /// Fix, if any (analyzers may also attach their own).
    pub fix: Option<FixAction>,
    /// Options table (given to analyzers and scripts).
    pub options: toml::Table,
    /// Suppression policy.
    pub suppression: SuppressionPolicy,
    /// Literal words one of which a file must contain (`None`: always parse).
    pub prefilter: Option<Vec<String>>,
    /// Pack examples.
    pub tests: Vec<RuleTest>,
    /// Span of the rule's `id` in its pack file.
    pub id_span: std::ops::Range<usize>,
}

impl Rule {
    /// Whether the rule can produce a fix.
    pub fn fixable(&self) -> bool {
        self.fix.is_some() || matches!(self.matcher, Matcher::Suppression(SuppressionCheck::Unused))
    }
}

/// The rules of a run, with their queries compiled into one.
#[derive(Debug)]
pub struct RuleSet {
    /// All active rules, in pack order.
    pub rules: Vec<Rule>,
    /// The single combined query of all query rules.
    pub queries: Option<QuerySet>,
    /// One automaton over every rule's prefilter words, with the rules each
    /// word serves: a single scan of a file tells which rules may match it.
    words: aho_corasick::AhoCorasick,
    word_rules: Vec<Vec<usize>>,
    /// Identifies the packs, scripts and config this set came from (part of
    /// the cache key); 0 when not computed.
    pub fingerprint: u64,
    /// Whether a rule reads module symbol tables (then every parsed file's
    /// table is recorded as it goes).
    pub needs_symbols: bool,
}

/// Spellings of `noqa` that make suppression rules worth running.
const NOQA_WORDS: &[&str] = &["noqa", "NOQA", "NoQA", "Noqa"];

impl RuleSet {
    /// Compiles the combined query and the prefilter automaton for `rules`.
    pub fn new(rules: Vec<Rule>) -> Self {
        let texts: Vec<(usize, &str)> = rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match &r.matcher {
                Matcher::Query(q) => Some((i, q.text.as_str())),
                _ => None,
            })
            .collect();
        let queries = QuerySet::build(&texts).expect("each query was validated alone");
        let mut words: Vec<String> = Vec::new();
        let mut word_rules: Vec<Vec<usize>> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let own: Vec<String> = match (&r.matcher, &r.prefilter) {
                (Matcher::Suppression(_), _) => NOQA_WORDS.iter().map(|w| w.to_string()).collect(),
                (_, Some(list)) => list.clone(),
                _ => continue,
            };
            for w in own {
                match words.iter().position(|x| *x == w) {
                    Some(p) => word_rules[p].push(i),
                    None => {
                        words.push(w);
                        word_rules.push(vec![i]);
                    }
                }
            }
        }
        let words = aho_corasick::AhoCorasick::new(&words).expect("literal words");
        let needs_symbols = rules.iter().any(|r| match &r.matcher {
            Matcher::Analyzer(a) => a.as_any().is_some_and(|a| {
                a.downcast_ref::<crate::analyzers::missing_export::MissingExport>()
                    .is_some()
            }),
            _ => false,
        });
        Self {
            rules,
            queries,
            words,
            word_rules,
            fingerprint: 0,
            needs_symbols,
        }
    }

    /// The rule with id `id`.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }

    /// The active rule auditing suppressions for `check`, if any.
    pub fn suppression_rule(&self, check: SuppressionCheck) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| matches!(r.matcher, Matcher::Suppression(c) if c == check))
    }

    /// The active engine rule for `check`, if any.
    pub fn engine_rule(&self, check: EngineCheck) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| matches!(r.matcher, Matcher::Engine(c) if c == check))
    }

    /// Per rule, whether the file passes its prefilter (contains one of its
    /// words, or the rule has none): one scan of the text for all rules.
    pub fn prefilter_matches(&self, text: &str) -> Vec<bool> {
        let mut seen: Vec<bool> = self
            .rules
            .iter()
            .map(|r| r.prefilter.is_none() && !matches!(r.matcher, Matcher::Suppression(_)))
            .collect();
        for m in self.words.find_overlapping_iter(text) {
            for &i in &self.word_rules[m.pattern().as_usize()] {
                seen[i] = true;
            }
        }
        seen
    }

    /// Which rules apply to a file: in scope for its path and lane, and
    /// passing their prefilter (`words`, from [`RuleSet::prefilter_matches`]).
    pub fn active_for(&self, rel_path: &str, lane: Option<&str>, words: &[bool]) -> Vec<bool> {
        self.rules
            .iter()
            .zip(words)
            .map(|(r, w)| *w && r.scope.applies(rel_path, lane))
            .collect()
    }

    /// The rule whose analyzer feeds the report `name`, if any.
    pub fn feeder(&self, name: &str) -> Option<usize> {
        self.rules.iter().position(|r| match &r.matcher {
            Matcher::Analyzer(a) => a.inventory().is_some_and(|i| i.report == name),
            _ => false,
        })
    }

    /// Whether any rule that needs the syntax tree is active.
    pub fn needs_parse(&self, active: &[bool]) -> bool {
        self.rules
            .iter()
            .zip(active)
            .any(|(r, a)| *a && !matches!(r.matcher, Matcher::Engine(_)))
    }

    /// Whether any query rule is active (else the query walk is skipped).
    pub fn any_query(&self, active: &[bool]) -> bool {
        self.rules
            .iter()
            .zip(active)
            .any(|(r, a)| *a && matches!(r.matcher, Matcher::Query(_)))
    }
}

/// Whether `id` is selected by `--select`/`--ignore` lists (ids or prefixes).
pub fn selected(id: &str, select: &[String], ignore: &[String]) -> bool {
    let hit = |list: &[String]| {
        list.iter()
            .any(|p| p == "ALL" || id.starts_with(p.as_str()))
    };
    (select.is_empty() || hit(select)) && !hit(ignore)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_ignore_by_prefix() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(selected("E402", &[], &[]));
        assert!(selected("E402", &s(&["E4"]), &[]));
        assert!(!selected("RUN001", &s(&["E4"]), &[]));
        assert!(!selected("SUP004", &[], &s(&["SUP"])));
        assert!(selected("SUP004", &s(&["ALL"]), &s(&["SUP001"])));
    }

    #[test]
    fn scope_by_lane_and_path() {
        let s = Scope {
            lanes: Some(vec!["production".into()]),
            paths: GlobList::default(),
            exclude: GlobList::from_patterns(&["archive/**"]).unwrap(),
        };
        assert!(s.applies("core/a.py", Some("production")));
        assert!(!s.applies("core/a.py", Some("candidate")));
        assert!(!s.applies("core/a.py", None));
        assert!(!s.applies("archive/a.py", Some("production")));
    }
}
