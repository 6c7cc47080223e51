//! rulegate's policy on a suppression that covers a finding: a reason when
//! the rule requires one (SUP001), an expiry from `until=` or an
//! `EXCEPTION-` tag plus the rule's TTL (SUP002 when past, the finding comes
//! back; SUP003 within the warning window), and the record `report
//! exceptions` lists.

use std::borrow::Cow;

use super::directive::{Directive, Scope};
use super::{DEFAULT_WARN_DAYS, Status, SuppressionKind, SuppressionRecord};
use crate::check::FileEnv;
use crate::dates::{self, Date};
use crate::finding::Finding;
use crate::pack_format::SuppressionPolicy;
use crate::rule::{Rule, SuppressionCheck};

/// The message variables of a suppression-audit finding about `d`.
pub(super) fn vars<'a>(
    d: &'a Directive,
    rule: Option<&'a str>,
    expires: Option<Date>,
    days: i64,
) -> impl Fn(&str) -> Option<Cow<'static, str>> + 'a {
    move |v: &str| {
        Some(match v {
            "codes" => d.codes_text().into(),
            "directive" => d.spelling().into(),
            "scope" => match d.scope {
                Scope::File | Scope::FileIgnore => "in this file",
                Scope::Disable | Scope::Enable => "in this range",
                Scope::Line | Scope::Ignore => "on this line",
            }
            .into(),
            "rule" => rule.unwrap_or_default().to_string().into(),
            "reason" => d.policy.reason.clone().unwrap_or_default().into(),
            "expires" => expires.map(|d| d.to_string()).unwrap_or_default().into(),
            "days" | "since" => days.to_string().into(),
            _ => return None,
        })
    }
}

/// Judges the suppression `d` of a finding of rule `id` under its pack's
/// `policy`; returns true when the finding stays (the suppression expired
/// or has a date that does not read).
pub(super) fn judge<'r>(
    env: &FileEnv,
    (id, policy): (&str, &SuppressionPolicy),
    d: &Directive,
    today: Date,
    sup: &dyn Fn(SuppressionCheck) -> Option<&'r Rule>,
    out: &mut Vec<Finding>,
) -> bool {
    let at = d.range.clone();
    if policy.require_reason
        && d.policy.reason.is_none()
        && let Some(r) = sup(SuppressionCheck::MissingReason)
    {
        let message = r.message.render(vars(d, Some(id), None, 0));
        out.push(env.finding(r, at.clone(), message, None));
    }
    if let Some((raw, err)) = &d.policy.bad_date {
        if let Some(r) = sup(SuppressionCheck::Expired) {
            let msg = format!("suppression of {id} has an invalid date `{raw}`: {err}");
            out.push(env.finding(r, at, msg, None));
        }
        return true; // fail closed: an unreadable expiry does not suppress
    }
    let expires = d.policy.expiry(policy.ttl());
    let warn = policy.warn_before_days.unwrap_or(DEFAULT_WARN_DAYS);
    match Status::of_expiry(expires, today, warn) {
        Status::Expired => {
            if let Some(r) = sup(SuppressionCheck::Expired) {
                let days = dates::days_between(expires.expect("expired has a date"), today);
                let message = r.message.render(vars(d, Some(id), expires, days));
                let mut f = env.finding(r, at, message, None);
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
                let message = r.message.render(vars(d, Some(id), expires, days));
                out.push(env.finding(r, at, message, None));
            }
            false
        }
        _ => false,
    }
}

/// The record of one code of `d` (`*` for a blanket form) for `report
/// exceptions`; `policy` is the rule's (TTL, warning window) when known.
pub(super) fn record(
    env: &FileEnv,
    d: &Directive,
    code: &str,
    policy: Option<(Option<u32>, Option<u32>)>,
    today: Date,
    used: bool,
) -> SuppressionRecord {
    let (ttl, warn) = policy.unwrap_or((None, None));
    let expires = d.policy.expiry(ttl);
    let status = if !used {
        Status::Unused
    } else {
        Status::of_expiry(expires, today, warn.unwrap_or(DEFAULT_WARN_DAYS))
    };
    SuppressionRecord {
        rule: code.to_string(),
        path: env.rel_path.to_string(),
        applies_to: None,
        line: env.lines.line_of(d.range.start) + 1,
        reason: d.policy.reason.clone(),
        issue: d.policy.issue.clone(),
        start: d.policy.start.map(|d| d.to_string()),
        expires: expires.map(|d| d.to_string()),
        status,
        kind: match d.scope {
            Scope::Line | Scope::Ignore => SuppressionKind::Noqa,
            Scope::File | Scope::FileIgnore => SuppressionKind::File,
            Scope::Disable | Scope::Enable => SuppressionKind::Range,
        },
    }
}
