//! `rulegate report exceptions`: every `# noqa` code and central exception
//! with its reason, issue, dates and status today (the seed's
//! IMPORT_MIGRATION_AUDIT.md).

use serde_json::json;

use super::{ReportFormat, markdown_table, to_json};
use crate::dates::Date;
use crate::suppress::{Status, SuppressionRecord};

const STATUSES: [Status; 4] = [
    Status::Active,
    Status::Expiring,
    Status::Expired,
    Status::Unused,
];

/// The name of a status, as the reports write it.
pub(crate) fn status_name(s: Status) -> &'static str {
    match s {
        Status::Active => "active",
        Status::Expiring => "expiring",
        Status::Expired => "expired",
        Status::Unused => "unused",
    }
}

/// Sorts records by place, then rule (the order of the report).
pub fn sort(records: &mut [SuppressionRecord]) {
    records.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
}

fn counts(records: &[SuppressionRecord]) -> Vec<(Status, usize)> {
    STATUSES
        .iter()
        .map(|s| (*s, records.iter().filter(|r| r.status == *s).count()))
        .collect()
}

/// Renders the report; `records` must be sorted.
pub fn render(records: &[SuppressionRecord], today: Date, format: ReportFormat) -> String {
    match format {
        ReportFormat::Json => {
            let counts: serde_json::Map<String, serde_json::Value> = counts(records)
                .into_iter()
                .map(|(s, n)| (status_name(s).to_string(), json!(n)))
                .collect();
            to_json(&json!({
                "today": today.to_string(),
                "total": records.len(),
                "counts": counts,
                "exceptions": records,
            }))
        }
        _ => markdown(records, today),
    }
}

fn markdown(records: &[SuppressionRecord], today: Date) -> String {
    let summary: Vec<String> = counts(records)
        .into_iter()
        .map(|(s, n)| format!("{n} {}", status_name(s)))
        .collect();
    let mut out = format!(
        "# Exceptions audit\n\nJudged on {today}: {} suppression(s) and exception(s): {}.\n\n",
        records.len(),
        summary.join(", ")
    );
    if records.is_empty() {
        out.push_str("No `# noqa` comment or central exception was found.\n");
        return out;
    }
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            let place = match &r.applies_to {
                Some(glob) => format!("{}:{} (covers `{glob}`)", r.path, r.line),
                None => format!("{}:{}", r.path, r.line),
            };
            vec![
                status_name(r.status).to_string(),
                r.rule.clone(),
                r.kind.as_str().to_string(),
                place,
                dash(&r.reason),
                dash(&r.issue),
                dash(&r.start),
                dash(&r.expires),
            ]
        })
        .collect();
    out.push_str(&markdown_table(
        &[
            "status", "rule", "kind", "place", "reason", "issue", "start", "expires",
        ],
        &rows,
    ));
    out
}
