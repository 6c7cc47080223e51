//! `--format json`: the array of SPEC §1.1, exactly.

use serde_json::{Value, json};

use crate::finding::{Edit, Finding};

/// One finding as the JSON object of SPEC §1.1.
pub fn finding_value(f: &Finding) -> Value {
    let fix = f.fix.as_ref().map(|fix| {
        json!({
            "applicability": fix.applicability.as_str(),
            "message": fix.message,
            "edits": fix.edits.iter().map(|e| edit_value(f, e)).collect::<Vec<_>>(),
        })
    });
    json!({
        "rule": &*f.rule,
        "severity": f.severity.as_str(),
        "message": f.message,
        "path": &*f.path,
        "line": f.location.start.line,
        "column": f.location.start.column,
        "end_line": f.location.end.line,
        "end_column": f.location.end.column,
        "lane": f.lane.as_deref(),
        "fix": fix,
    })
}

fn edit_value(f: &Finding, e: &Edit) -> Value {
    let mut v = json!({
        "line": e.location.start.line,
        "column": e.location.start.column,
        "end_line": e.location.end.line,
        "end_column": e.location.end.column,
        "content": e.content,
    });
    if let Some(file) = e.file.as_deref().filter(|p| *p != &*f.path) {
        v["path"] = json!(file);
    }
    v
}

/// All findings as a pretty-printed JSON array.
pub fn render(findings: &[Finding]) -> String {
    let list: Vec<Value> = findings.iter().map(finding_value).collect();
    let mut s = serde_json::to_string_pretty(&list).expect("JSON values serialise");
    s.push('\n');
    s
}
