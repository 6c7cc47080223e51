//! Central `[[exceptions]]` of the config, audited once every file is
//! linted: expired, expiring and unused ones are reported at their span in
//! the config, and each is recorded for `report exceptions`.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{DEFAULT_WARN_DAYS, ShardView, Status, SuppressionKind, SuppressionRecord};
use crate::check::FileEnv;
use crate::dates::{self, Date};
use crate::finding::Finding;
use crate::rule::{RuleSet, SuppressionCheck};

/// The records and findings for central exceptions, once every file is linted.
pub fn audit_exceptions(
    config: &crate::config::Config,
    rules: &RuleSet,
    used: &BTreeSet<usize>,
    in_scope: &BTreeSet<usize>,
    today: Date,
    shard: &ShardView,
) -> (Vec<SuppressionRecord>, Vec<Finding>) {
    let places = ConfigPlaces::of(config);
    let mut records = Vec::new();
    let mut findings = Vec::new();
    for (i, ex) in config.exceptions.iter().enumerate() {
        let Some(env) = places.env(ex.origin) else {
            continue;
        };
        let rule = rules.get(&ex.rule);
        let warn = rule
            .and_then(|r| r.suppression.warn_before_days)
            .unwrap_or(DEFAULT_WARN_DAYS);
        let mut status = Status::of_expiry(Some(ex.expires), today, warn);
        let unused_here =
            in_scope.contains(&i) && !used.contains(&i) && !shard.covers_other_shards(i);
        if status != Status::Expired && (unused_here || shard.matches_no_file(i)) {
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
            path: env.rel_path.to_string(),
            applies_to: Some(ex.path_glob.clone()),
            line: env.lines.position(env.text, ex.span.start).line,
            reason: Some(ex.reason.clone()),
            issue: ex.issue.clone(),
            start: ex.start.map(|d| d.to_string()),
            expires: Some(ex.expires.to_string()),
            status,
            kind: SuppressionKind::Exception,
        });
    }
    findings.extend(unused_ignores(config, rules, shard, &places));
    (records, findings)
}

/// Where findings at the config files are reported: each file of the
/// `extend` chain (a base has its own path and lines).
struct ConfigPlaces<'c> {
    config: &'c crate::config::Config,
    places: Vec<(Arc<str>, crate::source::LineIndex)>,
}

impl<'c> ConfigPlaces<'c> {
    fn of(config: &'c crate::config::Config) -> Self {
        let places = config
            .docs
            .iter()
            .map(|doc| {
                let rel: Arc<str> = Arc::from(
                    std::path::Path::new(&doc.name)
                        .strip_prefix(&config.root)
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_else(|_| doc.name.clone()),
                );
                (rel, crate::source::LineIndex::new(&doc.text))
            })
            .collect();
        Self { config, places }
    }

    /// What a finding in config file `origin` is reported in.
    fn env(&self, origin: usize) -> Option<FileEnv<'_>> {
        let (doc, (rel, lines)) = (self.config.docs.get(origin)?, self.places.get(origin)?);
        Some(FileEnv {
            rel_path: rel,
            lane: None,
            text: &doc.text,
            lines,
        })
    }
}

/// SUP004 for each `[per-file-ignores]` entry whose glob matches no file of
/// the repository (judged in whole-repository runs only).
fn unused_ignores(
    config: &crate::config::Config,
    rules: &RuleSet,
    shard: &ShardView,
    places: &ConfigPlaces,
) -> Vec<Finding> {
    let Some(r) = rules
        .suppression_rule(SuppressionCheck::Unused)
        .filter(|_| shard.reports_config_findings)
    else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for entry in shard
        .unused_ignores
        .iter()
        .filter_map(|&i| config.per_file_ignores.get(i))
    {
        let Some(env) = places.env(entry.origin) else {
            continue;
        };
        let codes: Vec<&str> = entry.selectors.iter().map(|(s, _)| s.as_str()).collect();
        let reason = format!("per-file ignore `{}` matches no file", entry.pattern);
        let message = r.message.render(|v| {
            Some(match v {
                "codes" => codes.join(", ").into(),
                "reason" => reason.clone().into(),
                _ => return None,
            })
        });
        findings.push(env.finding(r, entry.span.clone(), message, None));
    }
    findings
}
