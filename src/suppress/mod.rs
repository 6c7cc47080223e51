//! Suppression: `# noqa` comments and central `[[exceptions]]`, with the
//! per-rule policy of the pack (reason required, TTL, warning window) and the
//! audit rules SUP001–SUP005. Runs after matching, on one file's findings.

pub mod noqa;

use std::collections::BTreeSet;
use std::sync::Arc;

use tree_sitter::Tree;

use crate::check::FileEnv;
use crate::config::CentralException;
use crate::dates::{self, Date};
use crate::finding::{Applicability, Edit, Finding, Fix};
use crate::rule::{Matcher, Rule, RuleMask, RuleSet, SuppressionCheck};
pub use noqa::Noqa;

/// What one shard of a sharded run (`--shard K/N`) may judge about central
/// exceptions, so that the union of all shards equals a single run.
#[derive(Debug, Clone)]
pub struct ShardView {
    /// Whether this shard reports date findings at the config (shard 1 does).
    pub reports_config_findings: bool,
    /// Per central exception: whether it covers files of other shards (then
    /// this shard cannot tell it is unused).
    pub covers_other: Vec<bool>,
}

impl ShardView {
    /// A run that is not sharded.
    pub fn whole(exceptions: usize) -> Self {
        Self {
            reports_config_findings: true,
            covers_other: vec![false; exceptions],
        }
    }

    fn covers_other_shards(&self, i: usize) -> bool {
        self.covers_other.get(i).copied().unwrap_or(false)
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
    /// A `# noqa` comment.
    Noqa,
    /// A central `[[exceptions]]` entry of the config.
    Exception,
}

impl SuppressionKind {
    /// The name reports print.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Noqa => "noqa",
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

/// Finds the `# noqa` comments of a file (only real comment nodes count).
pub fn find_noqa(text: &str, tree: &Tree) -> Vec<Noqa> {
    let lower = text.to_ascii_lowercase();
    let mut out: Vec<Noqa> = Vec::new();
    for (pos, _) in lower.match_indices("noqa") {
        let Some(node) = tree.root_node().descendant_for_byte_range(pos, pos + 4) else {
            continue;
        };
        if node.kind() != "comment"
            || out
                .last()
                .is_some_and(|n| n.comment.start == node.start_byte())
        {
            continue;
        }
        if let Some(n) = noqa::parse(&text[node.byte_range()], node.start_byte()) {
            out.push(n);
        }
    }
    out
}

/// Applies `# noqa` comments and central exceptions to `findings`.
pub fn apply(
    env: &FileEnv,
    rules: &RuleSet,
    active: &RuleMask,
    exceptions: &[CentralException],
    tree: &Tree,
    today: Date,
    findings: Vec<Finding>,
) -> Suppressed {
    let noqas = if env.text.contains("noqa") || env.text.contains("NOQA") {
        find_noqa(env.text, tree)
    } else {
        Vec::new()
    };
    let mut pass = Pass {
        env,
        rules,
        active,
        today,
        used: vec![BTreeSet::new(); noqas.len()],
        blanket_used: vec![false; noqas.len()],
        noqas,
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
    for i in 0..pass.noqas.len() {
        pass.audit(i);
    }
    pass.out
}

/// One file's suppression pass: its `noqa` comments, which codes of each
/// suppressed something, and what is left.
struct Pass<'a> {
    env: &'a FileEnv<'a>,
    rules: &'a RuleSet,
    active: &'a RuleMask,
    today: Date,
    noqas: Vec<Noqa>,
    /// Per noqa: the codes that suppressed (or tried to suppress) something.
    used: Vec<BTreeSet<String>>,
    /// Per noqa: whether its blanket form suppressed something.
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

    fn line_of(&self, n: &Noqa) -> usize {
        self.env.lines.line_of(n.comment.start)
    }

    /// Keeps `f`, or records the suppression that hides it.
    fn suppress(&mut self, f: Finding, exceptions: &[CentralException]) {
        let rule = self.rules.at(f.rule_index);
        if matches!(rule.matcher, Matcher::Engine(_) | Matcher::Suppression(_)) {
            self.out.findings.push(f);
            return;
        }
        let line = f.location.start.line - 1;
        let end_line = f.location.end.line.saturating_sub(1);
        let hit = self.noqas.iter().position(|n| {
            (self.line_of(n) == line || self.line_of(n) == end_line) && n.covers(&f.rule)
        });
        if let Some(i) = hit {
            match &self.noqas[i].codes {
                Some(_) => {
                    self.used[i].insert(f.rule.to_string());
                }
                None => self.blanket_used[i] = true,
            }
            let sup = |check| self.sup(check);
            let mut audits = Vec::new();
            let stays = judge(
                self.env,
                rule,
                &self.noqas[i],
                self.today,
                &sup,
                &mut audits,
            );
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

    /// Records noqa `i`'s codes and reports the blanket or unused ones.
    fn audit(&mut self, i: usize) {
        let (env, today) = (self.env, self.today);
        let n = &self.noqas[i];
        let line = self.line_of(n) + 1;
        let Some(codes) = &n.codes else {
            if let Some(r) = self.sup(SuppressionCheck::Blanket) {
                let message = r.message.render(|_| None);
                self.out
                    .findings
                    .push(env.finding(r, n.directive.clone(), message, None));
            }
            let rec = record(env, n, "*", line, None, today, self.blanket_used[i]);
            self.out.records.push(rec);
            return;
        };
        let mut unused = Vec::new();
        for (code, range) in codes {
            let rule = self.rules.get(code);
            // Judged by scope, not by prefilter: a rule whose words are absent
            // cannot fire, so its suppression is unused.
            let judged = rule.is_some_and(|r| env.in_scope(r));
            let is_used = self.used[i].contains(code);
            if judged && !is_used {
                unused.push((code.clone(), range.clone()));
            }
            let policy = rule.map(|r| (r.suppression.ttl(), r.suppression.warn_before_days));
            let rec = record(env, n, code, line, policy, today, is_used || !judged);
            self.out.records.push(rec);
        }
        if let (false, Some(r)) = (unused.is_empty(), self.sup(SuppressionCheck::Unused)) {
            let fix = unused_fix(env, n, &unused);
            let names: Vec<&str> = unused.iter().map(|(c, _)| c.as_str()).collect();
            let message = r
                .message
                .render(|v| (v == "codes").then(|| names.join(", ").into()));
            self.out
                .findings
                .push(env.finding(r, n.directive.clone(), message, fix));
        }
    }
}

/// Judges one suppression for `rule`; returns true when the finding stays.
fn judge<'r>(
    env: &FileEnv,
    rule: &Rule,
    n: &Noqa,
    today: Date,
    sup: &dyn Fn(SuppressionCheck) -> Option<&'r Rule>,
    out: &mut Vec<Finding>,
) -> bool {
    let policy = &rule.suppression;
    let at = n.directive.clone();
    let vars = |expires: Option<Date>, days: i64| {
        let codes = n.codes_text();
        let reason = n.reason.clone().unwrap_or_default();
        move |v: &str| -> Option<std::borrow::Cow<'static, str>> {
            Some(match v {
                "codes" => codes.clone().into(),
                "rule" => rule.id.to_string().into(),
                "reason" => reason.clone().into(),
                "expires" => expires.map(|d| d.to_string()).unwrap_or_default().into(),
                "days" | "since" => days.to_string().into(),
                _ => return None,
            })
        }
    };
    if policy.require_reason
        && n.reason.is_none()
        && let Some(r) = sup(SuppressionCheck::MissingReason)
    {
        out.push(env.finding(r, at.clone(), r.message.render(vars(None, 0)), None));
    }
    if let Some((raw, err)) = &n.bad_date {
        if let Some(r) = sup(SuppressionCheck::Expired) {
            let msg = format!(
                "suppression of {} has an invalid date `{raw}`: {err}",
                rule.id
            );
            out.push(env.finding(r, at, msg, None));
        }
        return true; // fail closed: an unreadable expiry does not suppress
    }
    let expires = n.expiry(policy.ttl());
    let warn = policy.warn_before_days.unwrap_or(DEFAULT_WARN_DAYS);
    match Status::of_expiry(expires, today, warn) {
        Status::Expired => {
            if let Some(r) = sup(SuppressionCheck::Expired) {
                let days = dates::days_between(expires.expect("expired has a date"), today);
                let mut f = env.finding(r, at, r.message.render(vars(expires, days)), None);
                if let Some(sev) = policy.expired_severity {
                    f.severity = sev;
                }
                out.push(f);
            }
            true
        }
        Status::Expiring => {
            if let Some(r) = sup(SuppressionCheck::Expiring) {
                let days = dates::days_between(today, expires.expect("expiring has a date"));
                out.push(env.finding(r, at, r.message.render(vars(expires, days)), None));
            }
            false
        }
        _ => false,
    }
}

fn record(
    env: &FileEnv,
    n: &Noqa,
    rule: &str,
    line: usize,
    policy: Option<(Option<u32>, Option<u32>)>,
    today: Date,
    used: bool,
) -> SuppressionRecord {
    let (ttl, warn) = policy.unwrap_or((None, None));
    let expires = n.expiry(ttl);
    let status = if !used {
        Status::Unused
    } else {
        Status::of_expiry(expires, today, warn.unwrap_or(DEFAULT_WARN_DAYS))
    };
    SuppressionRecord {
        rule: rule.to_string(),
        path: env.rel_path.to_string(),
        applies_to: None,
        line,
        reason: n.reason.clone(),
        issue: n.issue.clone(),
        start: n.start.map(|d| d.to_string()),
        expires: expires.map(|d| d.to_string()),
        status,
        kind: SuppressionKind::Noqa,
    }
}

/// The SUP004 fix: drop the unused codes, or the whole directive when none is left.
fn unused_fix(env: &FileEnv, n: &Noqa, unused: &[(String, std::ops::Range<usize>)]) -> Option<Fix> {
    let codes = n.codes.as_ref().expect("codes present");
    let kept: Vec<&str> = codes
        .iter()
        .filter(|(c, _)| !unused.iter().any(|(u, _)| u == c))
        .map(|(c, _)| c.as_str())
        .collect();
    let edit = if kept.is_empty() {
        // Remove the directive and the blanks before it (the whole comment
        // when the directive was all of it).
        let line_start = env
            .lines
            .line_range(env.lines.line_of(n.comment.start), env.text.len())
            .start;
        let before = &env.text[line_start..n.directive.start];
        let trimmed = before.trim_end_matches([' ', '\t']);
        Edit::new(
            None,
            line_start + trimmed.len()..n.directive.end,
            String::new(),
        )
    } else {
        Edit::new(
            None,
            n.codes_range.clone().expect("codes range"),
            kept.join(", "),
        )
    };
    Fix::new(
        Applicability::Safe,
        "Remove the unused suppression".to_string(),
        vec![edit],
    )
}

/// The records and findings for central exceptions, once every file is linted.
pub fn audit_exceptions(
    config: &crate::config::Config,
    rules: &RuleSet,
    used: &BTreeSet<usize>,
    in_scope: &BTreeSet<usize>,
    today: Date,
    shard: &ShardView,
) -> (Vec<SuppressionRecord>, Vec<Finding>) {
    let Some(doc) = &config.doc else {
        return (Vec::new(), Vec::new());
    };
    let rel: Arc<str> = Arc::from(
        std::path::Path::new(&doc.name)
            .strip_prefix(&config.root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| doc.name.clone()),
    );
    let lines = crate::source::LineIndex::new(&doc.text);
    let env = FileEnv {
        rel_path: &rel,
        lane: None,
        text: &doc.text,
        lines: &lines,
    };
    let mut records = Vec::new();
    let mut findings = Vec::new();
    for (i, ex) in config.exceptions.iter().enumerate() {
        let rule = rules.get(&ex.rule);
        let warn = rule
            .and_then(|r| r.suppression.warn_before_days)
            .unwrap_or(DEFAULT_WARN_DAYS);
        let mut status = Status::of_expiry(Some(ex.expires), today, warn);
        if status != Status::Expired
            && in_scope.contains(&i)
            && !used.contains(&i)
            && !shard.covers_other_shards(i)
        {
            status = Status::Unused;
        }
        let check = match status {
            Status::Expired => Some(SuppressionCheck::Expired),
            Status::Expiring => Some(SuppressionCheck::Expiring),
            Status::Unused => Some(SuppressionCheck::Unused),
            Status::Active => None,
        };
        let date_check = matches!(
            check,
            Some(SuppressionCheck::Expired | SuppressionCheck::Expiring)
        );
        let reported_here = !date_check || shard.reports_config_findings;
        if let Some(r) = check
            .and_then(|c| rules.suppression_rule(c))
            .filter(|_| reported_here)
        {
            let days = dates::days_between(ex.expires, today).abs();
            let message = r.message.render(|v| {
                Some(match v {
                    "codes" | "rule" => ex.rule.clone().into(),
                    "reason" => ex.reason.clone().into(),
                    "expires" => ex.expires.to_string().into(),
                    "days" | "since" => days.to_string().into(),
                    _ => return None,
                })
            });
            findings.push(env.finding(r, ex.span.clone(), message, None));
        }
        records.push(SuppressionRecord {
            rule: ex.rule.clone(),
            path: rel.to_string(),
            applies_to: Some(ex.path_glob.clone()),
            line: lines.position(&doc.text, ex.span.start).line,
            reason: Some(ex.reason.clone()),
            issue: ex.issue.clone(),
            start: ex.start.map(|d| d.to_string()),
            expires: Some(ex.expires.to_string()),
            status,
            kind: SuppressionKind::Exception,
        });
    }
    (records, findings)
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
}

#[cfg(test)]
mod stage_tests {
    use super::*;
    use crate::check::{Checker, FileEnv};
    use crate::parse::Worker;
    use crate::run::test_run;
    use crate::source::SourceText;

    /// Match, then suppress, as `lint::file` does.
    fn suppressed(text: &str) -> Suppressed {
        let run = test_run("", "2026-01-01");
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
    fn an_unused_code_is_sup004_with_a_safe_fix() {
        let s = suppressed("import os  # noqa: E402 -- not needed\n");
        assert_eq!(ids(&s), ["SUP004@1"]);
        let fix = s.findings[0].fix.as_ref().expect("SUP004 fixes");
        assert_eq!(fix.applicability, Applicability::Safe);
        assert_eq!(s.records[0].status, Status::Unused);
    }

    #[test]
    fn a_blanket_noqa_is_sup005_and_still_suppresses() {
        let s = suppressed("x = 1\nimport os  # noqa\n");
        // t4 requires a reason of every suppression: SUP001 too.
        assert_eq!(ids(&s), ["SUP001@2", "SUP005@2"]);
        assert_eq!(s.records[0].rule, "*");
    }
}
