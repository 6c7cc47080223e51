//! `--format sarif`: SARIF 2.1.0, one run, the active rules in
//! `tool.driver.rules`, findings as results with their fixes.
//!
//! Built with `serde_json` rather than a SARIF crate: the document is small,
//! and a test validates it against the official 2.1.0 schema.

use serde_json::{Value, json};

use super::EditPlaces;
use crate::finding::{Edit, Finding, Severity};
use crate::rule::RuleSet;
use crate::source::Location;

/// The SARIF level of a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn region(loc: &Location) -> Value {
    json!({
        "startLine": loc.start.line.max(1),
        "startColumn": loc.start.column.max(1),
        "endLine": loc.end.line.max(1),
        "endColumn": loc.end.column.max(1),
    })
}

fn artifact(path: &str) -> Value {
    json!({ "uri": path, "uriBaseId": "%SRCROOT%" })
}

fn fix_value(f: &Finding, places: &EditPlaces) -> Option<Value> {
    let fix = f.fix.as_ref()?;
    // SARIF groups replacements by file.
    let mut files: Vec<(&str, Vec<&Edit>)> = Vec::new();
    for e in &fix.edits {
        let path = e.file.as_deref().unwrap_or(&f.path);
        match files.iter_mut().find(|(p, _)| *p == path) {
            Some((_, list)) => list.push(e),
            None => files.push((path, vec![e])),
        }
    }
    Some(json!({
        "description": { "text": format!("{} ({})", fix.message, fix.applicability.as_str()) },
        "artifactChanges": files.iter().map(|(path, edits)| json!({
            "artifactLocation": artifact(path),
            "replacements": edits.iter().map(|e| json!({
                "deletedRegion": region(&places.location(&f.path, e)),
                "insertedContent": { "text": e.content },
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    }))
}

/// The SARIF log of a run.
pub fn render(findings: &[Finding], rules: &RuleSet, places: &EditPlaces) -> String {
    let driver_rules: Vec<Value> = rules
        .rules
        .iter()
        .map(|r| {
            let help = if r.explain.trim().is_empty() {
                r.summary.clone()
            } else {
                r.explain.trim().to_string()
            };
            json!({
                "id": &*r.id,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": r.summary },
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "pack": &*r.pack, "fixable": r.fixable() },
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": &*f.rule,
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&f.path),
                        "region": region(&f.location),
                    }
                }],
            });
            if let Some(i) = rules.rules.iter().position(|r| r.id == f.rule) {
                result["ruleIndex"] = json!(i);
            }
            if let Some(lane) = &f.lane {
                result["properties"] = json!({ "lane": &**lane });
            }
            if let Some(r) = &f.fix_refused {
                result["properties"]["fixRefused"] = json!({ "reason": r.reason });
            }
            if let Some(fix) = fix_value(f, places) {
                result["fixes"] = json!([fix]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "rulegate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": driver_rules,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "the project root" } } },
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).expect("JSON values serialise");
    s.push('\n');
    s
}
