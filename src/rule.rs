//! Compiled rules and the registry of a run: every rule is data (id,
//! severity, message, scope, docs, tests) plus one matcher.

use std::ops::Range;
use std::sync::Arc;

use crate::analyzers::{Analyzer, Report};
use crate::finding::{Applicability, Severity};
use crate::glob::GlobList;
use crate::matching::query::{QueryMatcher, QuerySet};
use crate::pack_format::{RuleTest, SuppressionPolicy};
use crate::script::Script;
use crate::template::Template;
use crate::words;

/// Where a rule applies.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    /// Lanes; `None` for every file (with or without a lane).
    pub lanes: Option<Vec<String>>,
    /// Files it applies to; empty for all.
    pub paths: GlobList,
    /// Files it skips.
    pub exclude: GlobList,
    /// Files the config's `[per-file-ignores]` take it from (permanent by
    /// design, so they are part of the scope, not suppressions).
    pub ignored: GlobList,
    /// Whether a file in one of `lanes` or matching `paths` is enough (a
    /// config's `[rules.ID] lanes/paths`); a pack's scope needs both.
    pub lanes_or_paths: bool,
}

impl Scope {
    /// Whether a file at `rel_path` in `lane` is in scope.
    pub fn applies(&self, rel_path: &str, lane: Option<&str>) -> bool {
        let in_lanes = |lanes: &[String]| lane.is_some_and(|l| lanes.iter().any(|x| x == l));
        let chosen = if self.lanes_or_paths {
            self.lanes.as_deref().is_some_and(in_lanes)
                || (!self.paths.is_empty() && self.paths.is_match(rel_path))
        } else {
            self.lanes.as_deref().is_none_or(in_lanes)
                && (self.paths.is_empty() || self.paths.is_match(rel_path))
        };
        chosen
            && !self.exclude.is_match(rel_path)
            && (self.ignored.is_empty() || !self.ignored.is_match(rel_path))
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
    /// SUP006: a directive ruff rejects (it suppresses nothing).
    Malformed,
}

impl SuppressionCheck {
    /// Number of kinds.
    pub const COUNT: usize = 6;
    /// Each kind by its `options.check` name in a pack.
    pub const NAMES: [(&'static str, Self); Self::COUNT] = [
        ("missing-reason", Self::MissingReason),
        ("expired", Self::Expired),
        ("expiring", Self::Expiring),
        ("unused", Self::Unused),
        ("blanket", Self::Blanket),
        ("malformed", Self::Malformed),
    ];

    /// The kind named `name` in a pack.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
    }

    /// The message variables every finding of this kind fills: a pack
    /// message naming any other is a load error. A central exception and an
    /// in-code directive both raise `expired`, `expiring` and `unused`, so
    /// those declare what both fill.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Self::MissingReason => &["codes", "directive", "scope", "rule"],
            Self::Expired | Self::Expiring => {
                &["codes", "rule", "reason", "expires", "days", "since"]
            }
            Self::Unused => &["codes", "reason"],
            Self::Blanket => &["directive", "scope", "reason"],
            Self::Malformed => &["message"],
        }
    }
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
    /// A fix was refused: it would add a syntax error, it did not converge,
    /// or it would grow the file too far (`fix::engine::Refusal`).
    FixRolledBack,
    /// rulegate itself failed on a file (a bug): the file's result is lost.
    Internal,
}

impl EngineCheck {
    /// Number of kinds.
    pub const COUNT: usize = 5;
    /// Each kind by its `options.check` name in a pack.
    pub const NAMES: [(&'static str, Self); Self::COUNT] = [
        ("syntax", Self::Syntax),
        ("unreadable", Self::Unreadable),
        ("script-error", Self::ScriptError),
        ("fix-rolled-back", Self::FixRolledBack),
        ("internal-error", Self::Internal),
    ];

    /// The kind named `name` in a pack.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
    }

    /// The message variables every finding of this kind fills: a pack
    /// message naming any other is a load error.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Self::Syntax | Self::Unreadable | Self::Internal => &["error"],
            Self::ScriptError => &["script", "pack", "rule", "error"],
            Self::FixRolledBack => &["rule", "reason"],
        }
    }
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
    /// Rewrite the target capture (a name or attribute chain) to reach
    /// this qualified name, through the rename engine
    /// ([`crate::rename::to_name`]).
    RenameTo {
        /// The qualified name (`pkg.mod.name`).
        to: String,
        /// Capture rewritten (`None`: the reported node).
        target: Option<String>,
    },
}

/// One example of a rule (`[[rule.tests]]`) and where its pack writes it,
/// so a failing example can be found.
#[derive(Debug, Clone)]
pub struct Example {
    /// The example as written.
    pub spec: RuleTest,
    /// `PACK:LINE` of its `[[rule.tests]]` header.
    pub at: String,
    /// The pack's line holding line 1 of `code`, when `code` is a
    /// multi-line string whose lines are the pack's lines.
    pub code_line: Option<usize>,
}

impl Example {
    /// `PACK:LINE` of line `line` of the example's code, when known.
    pub fn pack_line(&self, line: usize) -> Option<String> {
        let (pack, _) = self.at.rsplit_once(':')?;
        self.code_line
            .map(|first| format!("{pack}:{}", first + line - 1))
    }
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Staged enforcement, if the pack or the project schedules one.
    pub schedule: Option<crate::escalate::Schedule>,
    /// What findings' messages add while a schedule has a stage to come.
    pub note: Option<String>,
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
    /// `options` as fix scripts receive it, converted on first use.
    pub script_options: std::sync::OnceLock<rhai::Dynamic>,
    /// Suppression policy.
    pub suppression: SuppressionPolicy,
    /// Literal words one of which a file must contain (`None`: always parse).
    pub prefilter: Option<Vec<String>>,
    /// Pack examples.
    pub tests: Vec<Example>,
    /// Span of the rule's `id` in its pack file.
    pub id_span: std::ops::Range<usize>,
    /// Position in its [`RuleSet`] (set by [`RuleSet::new`]); findings carry it.
    pub index: usize,
    /// Whether a blanket `# noqa` (or `# ruff: noqa`) silences the rule
    /// (`blanket_noqa = false` in its pack or rule says no).
    pub blanket_noqa: bool,
}

impl Rule {
    /// Whether the rule can produce a fix: a pack fix, an analyzer that
    /// offers its own (LEG001, STUB001), or SUP004's removal.
    pub fn fixable(&self) -> bool {
        self.fix.is_some()
            || match &self.matcher {
                Matcher::Analyzer(a) => a.fixable(),
                Matcher::Suppression(c) => *c == SuppressionCheck::Unused,
                _ => false,
            }
    }
}

/// A set of rules by index: which rules are active for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleMask {
    words: Vec<u64>,
}

impl RuleMask {
    /// An empty mask for `len` rules.
    pub fn new(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// Adds rule `i`.
    pub fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Removes rule `i`.
    pub fn remove(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
    }

    /// Whether rule `i` is in the mask.
    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The rules in the mask, in index order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            (0..64)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| wi * 64 + b)
        })
    }
}

/// The rules of a run, with their queries compiled into one.
#[derive(Debug)]
pub struct RuleSet {
    /// All active rules, in pack order.
    pub rules: Vec<Rule>,
    /// The query rules' patterns, combined and compiled when a file first
    /// needs them (a run whose files are all cached never does).
    queries: std::sync::OnceLock<QueryGroups>,
    /// Every rule's prefilter words, with the rules each word serves: one
    /// scan of a file tells which rules may match it.
    words: RuleWords,
    /// The words of rules that read only comments (tags, suppression
    /// directives): looked for after each `#`, to the end of its line.
    comment_words: RuleWords,
    /// Identifies the packs, scripts and config this set came from (part of
    /// the cache key); 0 when not computed.
    pub fingerprint: u64,
    /// Whether a rule reads module symbol tables (then every parsed file's
    /// table is recorded as it goes).
    pub needs_symbols: bool,
    /// The engine rule of each [`EngineCheck`], by its discriminant.
    engine: [Option<usize>; EngineCheck::COUNT],
    /// The suppression rule of each [`SuppressionCheck`], by its discriminant.
    suppression: [Option<usize>; SuppressionCheck::COUNT],
    /// Rule index by id.
    by_id: std::collections::HashMap<Arc<str>, usize>,
    /// Problems in the packs that did not stop the load, to show the user.
    pub warnings: Vec<crate::error::SpannedError>,
    /// The scope and suppression policy of each rule the packs define that
    /// the selection left out: `--select SUP` still judges the dates of
    /// their suppressions (an expired `# noqa: E402` is SUP002 either way).
    pub unselected: std::collections::HashMap<Arc<str>, (Scope, SuppressionPolicy)>,
}

impl RuleSet {
    /// Puts in force, on `today`, every rule's staged-enforcement schedule:
    /// its severity and the note its messages carry. What is in force is
    /// part of the fingerprint (a cached result of yesterday's severity is
    /// not today's). A schedule whose every stage is past is a warning.
    pub fn apply_schedules(&mut self, today: crate::dates::Date) {
        let mut key = self.fingerprint.to_string();
        for rule in &mut self.rules {
            let Some(schedule) = &rule.schedule else {
                continue;
            };
            let now = schedule.in_force(rule.severity, today);
            if schedule.elapsed(today) {
                self.warnings.push(
                    schedule
                        .doc
                        .error(
                            schedule.span.clone(),
                            format!("the escalation of {} is complete", rule.id),
                            format!("every stage is before {today}"),
                        )
                        .with_help(format!(
                            "write `severity = \"{}\"` and remove `escalate`",
                            now.severity.as_str()
                        )),
                );
            }
            rule.severity = now.severity;
            rule.note = now.note;
            key.push_str(&format!(
                "{}:{}:{:?}",
                rule.id,
                rule.severity.as_str(),
                rule.note
            ));
        }
        self.fingerprint = crate::hash::digest(key.as_bytes());
    }
}

/// Words that make suppression rules worth running: `noqa` in any letter
/// case and `ruff`.
fn directive_words() -> Vec<String> {
    let mut words = crate::matching::all_casings("noqa");
    words.push("ruff".to_string());
    words
}

/// Prefilter words and the rules each serves, compiled once all are added.
#[derive(Debug, Default)]
struct RuleWords {
    words: Vec<String>,
    rules: Vec<Vec<usize>>,
    set: Option<words::WordSet>,
}

impl RuleWords {
    fn add(&mut self, word: String, rule: usize) {
        match self.words.iter().position(|x| *x == word) {
            Some(p) => self.rules[p].push(rule),
            None => {
                self.words.push(word);
                self.rules.push(vec![rule]);
            }
        }
    }

    fn compile(&mut self) {
        self.set = (!self.words.is_empty()).then(|| words::WordSet::new(&self.words));
    }

    fn is_empty(&self) -> bool {
        self.set.is_none()
    }

    /// Calls `found(rules, range)` for every occurrence of a word in
    /// `text`, with the rules the word serves.
    fn for_each(&self, text: &[u8], mut found: impl FnMut(&[usize], Range<usize>)) {
        if let Some(set) = &self.set {
            set.for_each(text, |w, at| found(&self.rules[w], at..at + set.len_of(w)));
        }
    }

    /// Adds to `seen` the rules of every word in `text`.
    fn mark(&self, text: &[u8], seen: &mut RuleMask) {
        self.for_each(text, |rules, _| {
            for &i in rules {
                seen.insert(i);
            }
        });
    }
}

impl RuleSet {
    /// Compiles the combined query and the prefilter automaton for `rules`.
    pub fn new(mut rules: Vec<Rule>) -> Self {
        for (i, r) in rules.iter_mut().enumerate() {
            r.index = i;
        }
        let mut words = RuleWords::default();
        let mut comment_words = RuleWords::default();
        for (i, r) in rules.iter().enumerate() {
            let own: Vec<String> = match (&r.matcher, &r.prefilter) {
                (Matcher::Suppression(_), _) => directive_words(),
                (_, Some(list)) => list.clone(),
                _ => continue,
            };
            let in_comments = match &r.matcher {
                Matcher::Suppression(_) => true,
                Matcher::Analyzer(a) => a.reads_only_comments(),
                _ => false,
            };
            let set = if in_comments {
                &mut comment_words
            } else {
                &mut words
            };
            for w in own {
                set.add(w, i);
            }
        }
        words.compile();
        comment_words.compile();
        let needs_symbols = rules.iter().any(|r| match &r.matcher {
            Matcher::Analyzer(a) => a.needs_symbols(),
            _ => false,
        });
        // The first rule of an id wins, as a linear search would find it.
        let by_id = rules
            .iter()
            .rev()
            .map(|r| (r.id.clone(), r.index))
            .collect();
        let mut engine = [None; EngineCheck::COUNT];
        let mut suppression = [None; SuppressionCheck::COUNT];
        for r in &rules {
            match r.matcher {
                Matcher::Engine(c) => {
                    engine[c as usize].get_or_insert(r.index);
                }
                Matcher::Suppression(c) => {
                    suppression[c as usize].get_or_insert(r.index);
                }
                _ => {}
            }
        }
        Self {
            rules,
            queries: std::sync::OnceLock::new(),
            words,
            comment_words,
            fingerprint: 0,
            needs_symbols,
            engine,
            suppression,
            by_id,
            warnings: Vec::new(),
            unselected: Default::default(),
        }
    }

    /// The query rules' combined queries.
    pub fn queries(&self) -> &QueryGroups {
        self.queries.get_or_init(|| QueryGroups::new(&self.rules))
    }

    /// The rule at `index` (a finding's [`Finding::rule_index`](crate::finding::Finding)).
    pub fn at(&self, index: usize) -> &Rule {
        &self.rules[index]
    }

    /// The rule with id `id`.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    /// The active rule auditing suppressions for `check`, if any.
    pub fn suppression_rule(&self, check: SuppressionCheck) -> Option<&Rule> {
        self.suppression[check as usize].map(|i| &self.rules[i])
    }

    /// The active engine rule for `check`, if any.
    pub fn engine_rule(&self, check: EngineCheck) -> Option<&Rule> {
        self.engine[check as usize].map(|i| &self.rules[i])
    }

    /// The rules whose prefilter the file passes (it contains one of their
    /// words, or they have none): one scan of the text for all rules.
    pub fn prefilter_matches(&self, text: &str) -> RuleMask {
        let mut seen = RuleMask::new(self.rules.len());
        for r in &self.rules {
            if r.prefilter.is_none() && !matches!(r.matcher, Matcher::Suppression(_)) {
                seen.insert(r.index);
            }
        }
        self.words.mark(text.as_bytes(), &mut seen);
        // A comment runs from its `#` to the end of its line (a `#` in a
        // string starts a false one: the test stays conservative).
        let bytes = text.as_bytes();
        let mut from = 0;
        while !self.comment_words.is_empty()
            && let Some(hash) = memchr::memchr(b'#', &bytes[from..])
        {
            let start = from + hash;
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |e| start + e);
            self.comment_words.mark(&bytes[start..end], &mut seen);
            from = end;
        }
        seen
    }

    /// Which rules apply to a file: in scope for its path and lane, and
    /// passing their prefilter (`words`, from [`RuleSet::prefilter_matches`])
    /// and their analyzer's text test (`Analyzer::may_match`).
    pub fn active_for(
        &self,
        rel_path: &str,
        lane: Option<&str>,
        words: &RuleMask,
        text: &str,
    ) -> RuleMask {
        let mut active = RuleMask::new(self.rules.len());
        // Text tests read lines as `str::lines` does (`\n`, `\r\n`); Python
        // also breaks them at a lone `\r`, so they read the text with each
        // one as `\n` (same offsets; a copy only when there is one).
        let lines_text = std::cell::OnceCell::new();
        for i in words.iter() {
            let rule = &self.rules[i];
            let possible = || match &rule.matcher {
                Matcher::Analyzer(a) => {
                    a.may_match(lines_text.get_or_init(|| crate::source::lone_cr_as_lf(text)))
                }
                _ => true,
            };
            if rule.scope.applies(rel_path, lane) && possible() {
                active.insert(i);
            }
        }
        active
    }

    /// The rule whose analyzer feeds `report`, if any.
    pub fn feeder(&self, report: Report) -> Option<usize> {
        self.rules.iter().position(|r| match &r.matcher {
            Matcher::Analyzer(a) => a.inventory().is_some_and(|i| i.report == report),
            _ => false,
        })
    }

    /// Whether any active rule reads the file at all: every rule but the
    /// engine's own checks, which the run raises elsewhere (E999 reads it:
    /// a selected syntax check runs whatever the other prefilters say).
    /// Whether the file then needs its tree is [`RuleSet::needs_tree`].
    pub fn needs_parse(&self, active: &RuleMask) -> bool {
        active.iter().any(|i| {
            !matches!(
                self.rules[i].matcher,
                Matcher::Engine(c) if c != EngineCheck::Syntax
            )
        })
    }

    /// Whether checking `text` for the active rules needs its syntax tree:
    /// queries, the syntax check and suppression audits do, and analyzers
    /// unless they say otherwise (`Analyzer::needs_tree`).
    pub fn needs_tree(&self, active: &RuleMask, text: &str) -> bool {
        active.iter().any(|i| match &self.rules[i].matcher {
            Matcher::Query(_) | Matcher::Suppression(_) => true,
            Matcher::Engine(c) => *c == EngineCheck::Syntax,
            Matcher::Analyzer(a) => a.needs_tree(text),
        })
    }

    /// Whether any query rule is active (else the query walk is skipped).
    pub fn any_query(&self, active: &RuleMask) -> bool {
        active
            .iter()
            .any(|i| matches!(self.rules[i].matcher, Matcher::Query(_)))
    }
}

/// The query rules of a set, as two combined queries: rules whose every
/// match sits on an occurrence of one of their `in` words (anchored, see
/// `QueryMatcher::anchor_of`),
/// run only around those occurrences; and the others, walked over the whole
/// tree.
#[derive(Debug, Default)]
pub struct QueryGroups {
    /// The rules without an anchor.
    pub whole: Option<QuerySet>,
    /// The anchored rules.
    pub anchored: Option<QuerySet>,
    /// Every anchor word, with the anchored rules it serves.
    anchors: RuleWords,
}

impl QueryGroups {
    fn new(rules: &[Rule]) -> Self {
        let mut whole: Vec<(usize, &str)> = Vec::new();
        let mut anchored: Vec<(usize, &str)> = Vec::new();
        let mut anchors = RuleWords::default();
        for r in rules {
            let Matcher::Query(q) = &r.matcher else {
                continue;
            };
            let Some(anchor) = &q.anchor else {
                whole.push((r.index, &q.text));
                continue;
            };
            anchored.push((r.index, &q.text));
            for w in anchor {
                anchors.add(w.clone(), r.index);
            }
        }
        anchors.compile();
        let build = |texts: &[(usize, &str)]| {
            QuerySet::build(texts).expect("each query was validated alone")
        };
        Self {
            whole: build(&whole),
            anchored: build(&anchored),
            anchors,
        }
    }

    /// Whether a rule of the whole-tree group is active.
    pub fn any_whole(&self, rules: &RuleSet, active: &RuleMask) -> bool {
        self.whole.is_some()
            && active
                .iter()
                .any(|i| matches!(&rules.rules[i].matcher, Matcher::Query(q) if q.anchor.is_none()))
    }

    /// The byte ranges of `text` the anchored group runs around: each
    /// occurrence of an active anchored rule's word, in order.
    pub fn anchor_ranges(&self, text: &str, active: &RuleMask) -> Vec<Range<usize>> {
        let mut hits: Vec<Range<usize>> = Vec::new();
        self.anchors.for_each(text.as_bytes(), |rules, range| {
            if rules.iter().any(|&i| active.contains(i)) {
                hits.push(range);
            }
        });
        hits.sort_by_key(|r| (r.start, r.end));
        hits.dedup();
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_hold_what_was_inserted() {
        let mut m = RuleMask::new(130);
        for i in [0, 63, 64, 129] {
            m.insert(i);
        }
        m.remove(63);
        assert_eq!(m.iter().collect::<Vec<_>>(), [0, 64, 129]);
        assert!(m.contains(129) && !m.contains(63) && !m.contains(500));
    }

    #[test]
    fn scope_by_lane_and_path() {
        let s = Scope {
            lanes: Some(vec!["production".into()]),
            paths: GlobList::default(),
            exclude: GlobList::from_patterns(&["archive/**"]).unwrap(),
            ..Default::default()
        };
        assert!(s.applies("core/a.py", Some("production")));
        assert!(!s.applies("core/a.py", Some("candidate")));
        assert!(!s.applies("core/a.py", None));
        assert!(!s.applies("archive/a.py", Some("production")));
        // A config's scope: a lane or a glob is enough; ignores still apply.
        let s = Scope {
            lanes: Some(vec!["tests".into()]),
            paths: GlobList::from_patterns(&["tools/**"]).unwrap(),
            ignored: GlobList::from_patterns(&["tools/gen/**"]).unwrap(),
            lanes_or_paths: true,
            ..Default::default()
        };
        assert!(s.applies("t/a.py", Some("tests")));
        assert!(s.applies("tools/a.py", None));
        assert!(!s.applies("core/a.py", Some("production")));
        assert!(!s.applies("tools/gen/a.py", None));
    }
}
