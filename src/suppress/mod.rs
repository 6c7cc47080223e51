//! Suppression: the directives ruff reads (`# noqa`, file-level
//! `# ruff: noqa`, `# ruff: ignore/file-ignore/disable/enable`) read exactly
//! as ruff 0.17.5 reads them, and central `[[exceptions]]`; with the
//! pack's policy on top (reason required, TTL, warning window, blanket
//! `noqa` allowed or not) and the audit rules SUP001–SUP006. Runs after
//! matching, on one file's findings.

pub mod directive;
mod exceptions;
pub mod lines;
pub mod placement;
mod policy;
pub mod writer;

use std::collections::BTreeSet;

use tree_sitter::Tree;

use crate::check::FileEnv;
use crate::config::CentralException;
use crate::dates::{self, Date};
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::rule::{Matcher, Rule, RuleMask, RuleSet, SuppressionCheck};
use directive::{Directive, Malformed, Scope};
pub use exceptions::audit_exceptions;
use lines::Lines;
use placement::Cover;

/// What one shard of a sharded run (`--shard K/N`) may judge about central
/// exceptions, so that the union of all shards equals a single run.
#[derive(Debug, Clone)]
pub struct ShardView {
    /// Whether this shard reports date findings at the config (shard 1 does).
    pub reports_config_findings: bool,
    /// Per central exception: whether it covers files of other shards (then
    /// this shard cannot tell it is unused).
    pub covers_other: Vec<bool>,
    /// Per central exception: whether its glob matches no file of a
    /// whole-repository run (then it is unused; a run on some files only
    /// cannot tell, and leaves this all false).
    pub matches_none: Vec<bool>,
    /// The `[per-file-ignores]` entries whose glob matches no file of a
    /// whole-repository run.
    pub unused_ignores: Vec<usize>,
}

impl ShardView {
    /// A run that is not sharded.
    pub fn whole(exceptions: usize) -> Self {
        Self {
            reports_config_findings: true,
            covers_other: vec![false; exceptions],
            matches_none: vec![false; exceptions],
            unused_ignores: Vec::new(),
        }
    }

    pub(crate) fn covers_other_shards(&self, i: usize) -> bool {
        self.covers_other.get(i).copied().unwrap_or(false)
    }

    pub(crate) fn matches_no_file(&self, i: usize) -> bool {
        self.matches_none.get(i).copied().unwrap_or(false)
    }
}

/// Days before expiry from which SUP003 warns when the policy does not say.
pub const DEFAULT_WARN_DAYS: u32 = 14;

/// Where a suppression stands today.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Suppresses, and is not about to expire.
    Active,
    /// Suppresses, but expires within the warning window.
    Expiring,
    /// Has expired: the finding is reported again.
    Expired,
    /// Suppresses nothing.
    Unused,
}

impl Status {
    /// Judges an expiry date against `today` with a warning window.
    pub fn of_expiry(expires: Option<Date>, today: Date, warn_days: u32) -> Self {
        match expires {
            Some(e) if e < today => Status::Expired,
            Some(e) if dates::days_between(today, e) <= i64::from(warn_days) => Status::Expiring,
            _ => Status::Active,
        }
    }
}

/// One suppression (a code of a `# noqa` comment, or a central exception), for reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SuppressionRecord {
    /// Rule id (`*` for a blanket `# noqa`).
    pub rule: String,
    /// File (the config file for central exceptions).
    pub path: String,
    /// For a central exception, the glob of files it covers.
    pub applies_to: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// Reason given.
    pub reason: Option<String>,
    /// Issue reference.
    pub issue: Option<String>,
    /// TTL start.
    pub start: Option<String>,
    /// Expiry.
    pub expires: Option<String>,
    /// Status today.
    pub status: Status,
    /// What kind of suppression it is.
    pub kind: SuppressionKind,
}

/// The kinds of suppression `report exceptions` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// A line's `# noqa` or `# ruff: ignore[…]`.
    Noqa,
    /// A file's `# ruff: noqa`, `# flake8: noqa` or `# ruff: file-ignore[…]`.
    File,
    /// A `# ruff: disable[…]` … `# ruff: enable[…]` range.
    Range,
    /// A central `[[exceptions]]` entry of the config.
    Exception,
}

impl SuppressionKind {
    /// The name reports print.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Noqa => "noqa",
            SuppressionKind::File => "file",
            SuppressionKind::Range => "range",
            SuppressionKind::Exception => "exception",
        }
    }
}

/// The result of applying suppressions to one file.
#[derive(Debug, Default)]
pub struct Suppressed {
    /// Findings that remain, plus the SUP findings.
    pub findings: Vec<Finding>,
    /// Every `noqa` code seen, with its status.
    pub records: Vec<SuppressionRecord>,
    /// Central exceptions that matched a finding here (index into the config's list).
    pub exceptions_used: BTreeSet<usize>,
    /// Central exceptions that cover this file and an active rule.
    pub exceptions_in_scope: BTreeSet<usize>,
}

/// Words without which a file has no directive ruff would read.
#[cfg(test)]
static DIRECTIVE_WORDS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["noqa", "ruff"])
            .expect("literal words")
    });

/// Where `noqa` or `ruff` (in any letter case) occurs after a `#` on its
/// line: what [`crate::source::words_after_hash`] finds of
/// [`DIRECTIVE_WORDS`], found by the words' rarer letters (`q`, `f`)
/// instead of an automaton over every comment.
fn directive_words(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut hits = Vec::new();
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'#', &b[from..]) {
        let hash = from + i;
        // A line ends at `\n`, `\r\n` or a lone `\r`, as Python reads it.
        let end = memchr::memchr2(b'\n', b'\r', &b[hash..]).map_or(b.len(), |e| hash + e);
        let line = &b[hash..end];
        let first = hits.len();
        let mut word_at = |letters: (u8, u8), before: usize, word: &[u8]| {
            for at in memchr::memchr2_iter(letters.0, letters.1, line) {
                if let Some(start) = at.checked_sub(before)
                    && line
                        .get(start..start + word.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(word))
                {
                    hits.push(hash + start);
                }
            }
        };
        word_at((b'q', b'Q'), 2, b"noqa");
        word_at((b'f', b'F'), 2, b"ruff");
        hits[first..].sort_unstable();
        from = end;
    }
    hits
}

/// The directives of a file's comments (only real comment nodes count),
/// and the ones ruff rejects.
pub fn find_directives(text: &str, tree: &Tree) -> (Vec<Directive>, Vec<Malformed>) {
    let mut directives = Vec::new();
    let mut malformed = Vec::new();
    let mut last_comment = None;
    // Every occurrence in a comment, and some in strings (the tree tells
    // them apart).
    let hits = directive_words(text);
    let all = (hits.len() > crate::parse::COMMENT_LOOKUPS_BEFORE_WALK)
        .then(|| crate::parse::comment_ranges(tree));
    for at in hits {
        let comment = match &all {
            Some(all) => crate::parse::comment_at(all, at),
            None => tree
                .root_node()
                .descendant_for_byte_range(at, at + 1)
                .filter(|n| n.kind() == "comment")
                .map(|n| n.byte_range()),
        };
        let Some(range) = comment else { continue };
        // tree-sitter's comment holds the `\r` of a `\r\n`: the line's
        // ending is not the directive's (a fix that removes it keeps it).
        let range = range.start..range.start + text[range].trim_end_matches('\r').len();
        if last_comment == Some(range.start) {
            continue;
        }
        last_comment = Some(range.start);
        let (d, bad) = directive::parse_comment(&text[range.clone()], range.start);
        directives.extend(d);
        malformed.extend(bad);
    }
    (directives, malformed)
}

/// Applies suppression directives and central exceptions to `findings`.
pub fn apply(
    env: &FileEnv,
    rules: &RuleSet,
    active: &RuleMask,
    exceptions: &[CentralException],
    tree: &Tree,
    today: Date,
    findings: Vec<Finding>,
) -> Suppressed {
    let (directives, mut malformed) = find_directives(env.text, tree);
    let lines = if directives.is_empty() {
        Lines::default()
    } else {
        Lines::new(env.text, tree)
    };
    let placed = placement::place(env.text, &lines, directives, &mut malformed);
    let mut order: Vec<usize> = (0..placed.len()).collect();
    order.sort_by_key(|&i| (placed[i].1.precedence(), placed[i].0.range.start));
    let mut pass = Pass {
        env,
        rules,
        active,
        today,
        used: vec![BTreeSet::new(); placed.len()],
        blanket_used: vec![false; placed.len()],
        placed,
        order,
        lines,
        out: Suppressed::default(),
    };
    for (i, ex) in exceptions.iter().enumerate() {
        let in_scope =
            ex.paths.is_match(env.rel_path) && rules.get(&ex.rule).is_some_and(|r| env.in_scope(r));
        if in_scope {
            pass.out.exceptions_in_scope.insert(i);
        }
    }
    for f in findings {
        pass.suppress(f, exceptions);
    }
    for i in 0..pass.placed.len() {
        pass.audit(i);
    }
    pass.report_malformed(&malformed);
    pass.out
}

/// One file's suppression pass: its placed directives, which codes of each
/// suppressed something, and what is left.
struct Pass<'a> {
    env: &'a FileEnv<'a>,
    rules: &'a RuleSet,
    active: &'a RuleMask,
    today: Date,
    placed: Vec<(Directive, Cover)>,
    /// Indices into `placed` in the order directives are consulted.
    order: Vec<usize>,
    lines: Lines,
    /// Per directive: the codes that suppressed (or tried to suppress) something.
    used: Vec<BTreeSet<String>>,
    /// Per directive: whether its blanket form suppressed something.
    blanket_used: Vec<bool>,
    out: Suppressed,
}

impl<'a> Pass<'a> {
    /// The active suppression-audit rule for `check`.
    fn sup(&self, check: SuppressionCheck) -> Option<&'a Rule> {
        self.rules
            .suppression_rule(check)
            .filter(|r| self.active.contains(r.index))
    }

    /// The first directive (in ruff's order) that covers `f` of `rule`.
    fn covering(&self, f: &Finding, rule: &Rule) -> Option<usize> {
        self.order.iter().copied().find(|&i| {
            let (d, cover) = &self.placed[i];
            let named = match &d.codes {
                Some(codes) => codes.iter().any(|(c, _)| *c == *f.rule),
                None => rule.blanket_noqa,
            };
            named && cover.covers(&self.lines, &f.range)
        })
    }

    /// Keeps `f`, or records the suppression that hides it.
    fn suppress(&mut self, f: Finding, exceptions: &[CentralException]) {
        let rule = self.rules.at(f.rule_index);
        if matches!(rule.matcher, Matcher::Engine(_) | Matcher::Suppression(_)) {
            self.out.findings.push(f);
            return;
        }
        if let Some(i) = self.covering(&f, rule) {
            match &self.placed[i].0.codes {
                Some(_) => {
                    self.used[i].insert(f.rule.to_string());
                }
                None => self.blanket_used[i] = true,
            }
            let sup = |check| self.sup(check);
            let mut audits = Vec::new();
            let d = &self.placed[i].0;
            let judged = (&*rule.id, &rule.suppression);
            let stays = policy::judge(self.env, judged, d, self.today, &sup, &mut audits);
            self.out.findings.append(&mut audits);
            if stays {
                self.out.findings.push(f);
            }
            return;
        }
        let central = exceptions
            .iter()
            .position(|ex| *ex.rule == *f.rule && ex.paths.is_match(self.env.rel_path));
        if let Some(i) = central {
            self.out.exceptions_used.insert(i);
            if exceptions[i].expires < self.today {
                self.out.findings.push(f); // expired: SUP002 is reported at the config
            }
            return;
        }
        self.out.findings.push(f);
    }

    /// Records directive `i`'s codes and reports it when blanket or unused.
    fn audit(&mut self, i: usize) {
        let (env, today) = (self.env, self.today);
        let d = &self.placed[i].0;
        let Some(codes) = &d.codes else {
            if let Some(r) = self.sup(SuppressionCheck::Blanket) {
                let message = r.message.render(policy::vars(d, None, None, 0));
                self.out
                    .findings
                    .push(env.finding(r, d.range.clone(), message, None));
            }
            let rec = policy::record(env, d, "*", None, today, self.blanket_used[i]);
            self.out.records.push(rec);
            return;
        };
        let mut unused = Vec::new();
        let mut audits = Vec::new();
        for (code, range) in codes {
            let rule = self.rules.get(code);
            if rule.is_none() {
                self.judge_unselected(i, code, &mut audits);
            }
            // Judged by scope, not by prefilter: a rule whose words are absent
            // cannot fire, so its suppression is unused.
            let judged = rule.is_some_and(|r| env.in_scope(r));
            let is_used = self.used[i].contains(code);
            if judged && !is_used {
                unused.push((code.clone(), range.clone()));
            }
            let policy = rule
                .map(|r| &r.suppression)
                .or_else(|| self.rules.unselected.get(&**code).map(|(_, p)| p))
                .map(|p| (p.ttl(), p.warn_before_days));
            let rec = policy::record(env, d, code, policy, today, is_used || !judged);
            self.out.records.push(rec);
        }
        self.out.findings.append(&mut audits);
        if let (false, Some(r)) = (unused.is_empty(), self.sup(SuppressionCheck::Unused)) {
            let fix = unused_fix(env, d, &unused);
            let names: Vec<&str> = unused.iter().map(|(c, _)| c.as_str()).collect();
            let message = r.message.render(|v| match v {
                "codes" => Some(names.join(", ").into()),
                other => policy::vars(d, None, None, 0)(other),
            });
            self.out
                .findings
                .push(env.finding(r, d.range.clone(), message, fix));
        }
    }

    /// The SUP001–SUP003 findings about directive `i`'s `code` when the
    /// selection left that rule out (`--select SUP`): the directive's
    /// reason and dates are judged as a run of the rule would judge them,
    /// since they do not depend on its findings. Whether it is unused
    /// (SUP004) does, so that waits for a run of the rule.
    fn judge_unselected(&self, i: usize, code: &str, out: &mut Vec<Finding>) {
        let Some((scope, policy)) = self.rules.unselected.get(code) else {
            return;
        };
        if !scope.applies(self.env.rel_path, self.env.lane.map(|l| &**l)) {
            return;
        }
        let sup = |check| self.sup(check);
        let d = &self.placed[i].0;
        policy::judge(self.env, (code, policy), d, self.today, &sup, out);
    }

    /// SUP006 for each directive ruff rejects.
    fn report_malformed(&mut self, malformed: &[Malformed]) {
        let Some(r) = self.sup(SuppressionCheck::Malformed) else {
            return;
        };
        for m in malformed {
            let message = r
                .message
                .render(|v| (v == "message").then(|| m.message.clone().into()));
            self.out
                .findings
                .push(self.env.finding(r, m.range.clone(), message, None));
        }
    }
}

/// The SUP004 fix: drop the unused codes, or the whole directive when none
/// is left. A `disable` is left alone: its `enable` would need the same
/// edit.
fn unused_fix(
    env: &FileEnv,
    d: &Directive,
    unused: &[(String, std::ops::Range<usize>)],
) -> Option<Fix> {
    if matches!(d.scope, Scope::Disable | Scope::Enable) {
        return None;
    }
    let codes = d.codes.as_ref()?;
    let kept: Vec<&str> = codes
        .iter()
        .filter(|(c, _)| !unused.iter().any(|(u, _)| u == c))
        .map(|(c, _)| c.as_str())
        .collect();
    let edit = if kept.is_empty() {
        // Remove the directive and the blanks before it (the whole comment
        // when the directive was all of it); a directive alone on its line
        // goes with the line and its line break, as ruff's fix does (an
        // emptied line would join a lone `\r` before it and the `\n` after
        // it into one `\r\n`).
        let line = env
            .lines
            .line_range(env.lines.line_of(d.range.start), env.text.len());
        let before = &env.text[line.start..d.range.start];
        let trimmed = before.trim_end_matches([' ', '\t', '\x0c']);
        let after = env.text[d.range.end..line.end].trim_start_matches([' ', '\t', '\x0c']);
        if trimmed.is_empty() && matches!(after, "" | "\n" | "\r\n" | "\r") {
            Edit::new(None, line, String::new())
        } else {
            Edit::new(None, line.start + trimmed.len()..d.range.end, String::new())
        }
    } else {
        Edit::new(None, d.codes_range.clone()?, kept.join(", "))
    };
    Fix::new(
        Applicability::Safe,
        "Remove the unused suppression".to_string(),
        vec![edit],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_of_expiry() {
        let today = Date::new(2026, 1, 1).unwrap();
        let d = |m, d| Some(Date::new(2026, m, d).unwrap());
        assert_eq!(Status::of_expiry(None, today, 14), Status::Active);
        assert_eq!(
            Status::of_expiry(Some(Date::new(2025, 12, 31).unwrap()), today, 14),
            Status::Expired
        );
        assert_eq!(Status::of_expiry(d(1, 1), today, 14), Status::Expiring);
        assert_eq!(Status::of_expiry(d(1, 15), today, 14), Status::Expiring);
        assert_eq!(Status::of_expiry(d(1, 16), today, 14), Status::Active);
    }

    /// The search by rare letters finds what the automaton finds.
    #[test]
    fn directive_words_are_the_automatons() {
        for text in [
            "x = 1  # noqa: E402\ny = 2 # NoQA\n# ruff: noqa\n",
            "# noqanoqa ruffruff RUFF rUfF nOqA\r\n#noq a ru ff\rq # qa ff noqa",
            "s = 'no # noqa' + \"ruff\"  # Ruff:  isort: skip\n#\n##noqa#ruff",
            "q f noqa ruff # q\n# f\n# oqa uff # nnoqaa rruffff # é noqa ünoqa",
            "",
            "# no hash words at all\n",
        ] {
            assert_eq!(
                directive_words(text),
                crate::source::words_after_hash(text, &DIRECTIVE_WORDS),
                "{text:?}"
            );
        }
        // And on a corpus, when given (`RULEGATE_SCAN_CORPUS=<folder>`).
        let mut stack: Vec<std::path::PathBuf> = std::env::var("RULEGATE_SCAN_CORPUS")
            .map(|c| c.split(':').map(Into::into).collect())
            .unwrap_or_default();
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(
                    std::fs::read_dir(&path)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .map(|e| e.path()),
                );
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                assert_eq!(
                    directive_words(&text),
                    crate::source::words_after_hash(&text, &DIRECTIVE_WORDS),
                    "{}",
                    path.display()
                );
            }
        }
    }
}

#[cfg(test)]
mod stage_tests {
    use super::*;
    use crate::check::{Checker, FileEnv};
    use crate::parse::Worker;
    use crate::run::test_run;
    use crate::source::SourceText;
    use std::sync::Arc;

    /// Match, then suppress, as `lint::file` does.
    fn suppressed(text: &str) -> Suppressed {
        suppressed_with(test_run("", "2026-01-01"), text)
    }

    fn suppressed_with(run: crate::run::Run, text: &str) -> Suppressed {
        let src = SourceText::new(text);
        let rel: Arc<str> = Arc::from("core/a.py");
        let m = Checker::new(&run).check(&mut Worker::new(), &rel, &src);
        let lane = run.lane_of(&rel);
        let env = FileEnv {
            rel_path: &rel,
            lane: lane.as_ref(),
            text: &src.text,
            lines: &src.lines,
        };
        let tree = m.tree.expect("parsed");
        apply(
            &env,
            &run.rules,
            &m.active,
            &[],
            &tree,
            run.today,
            m.findings,
        )
    }

    fn ids(s: &Suppressed) -> Vec<String> {
        s.findings
            .iter()
            .map(|f| format!("{}@{}", f.rule, f.location.start.line))
            .collect()
    }

    #[test]
    fn a_noqa_hides_its_finding_and_is_recorded_used() {
        let s = suppressed("x = 1\nimport os  # noqa: E402 -- needs x first\n");
        assert!(ids(&s).is_empty(), "{:?}", ids(&s));
        assert_eq!(s.records.len(), 1);
        assert_eq!(s.records[0].status, Status::Active);
        assert_eq!(s.records[0].kind, SuppressionKind::Noqa);
    }

    #[test]
    fn a_lone_cr_ends_the_directive_and_its_line() {
        // The import after the lone CR is code (to CPython and ruff): its
        // own E402 on line 3; the directive on line 2 covers line 2 only, so
        // it is unused (ruff's RUF100 too), and its fix removes the
        // directive, never the import.
        let text = "x = 1\n# noqa: E402\rimport json\n";
        let s = suppressed(text);
        let mut got = ids(&s);
        got.sort();
        assert_eq!(got, ["E402@3", "SUP004@2"]);
        let e402 = s.findings.iter().find(|f| &*f.rule == "E402").unwrap();
        assert_eq!(&text[e402.range.clone()], "import json");
        let sup = s.findings.iter().find(|f| &*f.rule == "SUP004").unwrap();
        let edit = &sup.fix.as_ref().expect("SUP004 fixes").edits[0];
        assert_eq!(&text[edit.range.clone()], "# noqa: E402\r");
        // Alone on its line, the directive goes with its line break: the
        // lone `\r` before it and the `\n` after it stay two line breaks.
        let text = "x = 1\r  # noqa: E402 -- why\ny = 2\n";
        let s = suppressed(text);
        let edit = &s.findings[0].fix.as_ref().expect("SUP004 fixes").edits[0];
        assert_eq!(&text[edit.range.clone()], "  # noqa: E402 -- why\n");
        // After code, only the directive and the blanks before it go (not
        // the `\r` of a CRLF, which tree-sitter counts in the comment).
        let text = "x = 1  # noqa: E402 -- why\r\n";
        let s = suppressed(text);
        let edit = &s.findings[0].fix.as_ref().expect("SUP004 fixes").edits[0];
        assert_eq!(&text[edit.range.clone()], "  # noqa: E402 -- why");
        let text = "x = 1  # noqa: E402 -- why\r";
        let s = suppressed(text);
        let edit = &s.findings[0].fix.as_ref().expect("SUP004 fixes").edits[0];
        assert_eq!(&text[edit.range.clone()], "  # noqa: E402 -- why");
        // The same directive on the import's own line suppresses it.
        let s = suppressed("x = 1\rimport json  # noqa: E402 -- why\r\n");
        assert_eq!(ids(&s), Vec::<String>::new());
    }

    #[test]
    fn an_unused_code_is_sup004_with_a_safe_fix() {
        let s = suppressed("import os  # noqa: E402 -- not needed\n");
        assert_eq!(ids(&s), ["SUP004@1"]);
        let fix = s.findings[0].fix.as_ref().expect("SUP004 fixes");
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(s.records[0].status, Status::Unused);
    }

    #[test]
    fn dates_are_judged_when_only_the_sup_rules_are_selected() {
        let sup_only = || crate::run::test_run_selecting("", "2026-01-01", &["SUP"]);
        let expired = "x = 1\nimport a  # noqa: E402 -- bootstrap until=2025-12-31\n";
        let s = suppressed_with(sup_only(), expired);
        assert_eq!(ids(&s), ["SUP002@2"]);
        assert!(
            s.findings[0].message.contains("E402"),
            "{}",
            s.findings[0].message
        );
        assert_eq!(s.records[0].status, Status::Expired);
        let bad = "x = 1\nimport a  # noqa: E402 -- bootstrap until=2025-13-31\n";
        assert_eq!(ids(&suppressed_with(sup_only(), bad)), ["SUP002@2"]);
        let soon = "x = 1\nimport a  # noqa: E402 -- bootstrap until=2026-01-10\n";
        assert_eq!(ids(&suppressed_with(sup_only(), soon)), ["SUP003@2"]);
        // Whether it is unused needs E402's findings: not judged.
        let fine = "import a  # noqa: E402 -- bootstrap until=2026-06-01\n";
        assert!(ids(&suppressed_with(sup_only(), fine)).is_empty());
        // The suppressed rule selected too: one SUP002, as before.
        let mut both = ids(&suppressed(expired));
        both.sort();
        assert_eq!(both, ["E402@2", "SUP002@2"]);
    }

    #[test]
    fn a_blanket_noqa_is_sup005_and_still_suppresses() {
        let s = suppressed("x = 1\nimport os  # noqa\n");
        // t4 requires a reason of every suppression: SUP001 too.
        assert_eq!(ids(&s), ["SUP001@2", "SUP005@2"]);
        assert_eq!(s.records[0].rule, "*");
    }
}
