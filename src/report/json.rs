//! `--format json`: the array of SPEC §1.1, exactly.

use serde_json::{Value, json};

use super::EditPlaces;
use crate::finding::{Edit, Finding};

/// One finding as the JSON object of SPEC §1.1.
pub fn finding_value(f: &Finding, places: &EditPlaces) -> Value {
    let fix = f.fix.as_ref().map(|fix| {
        json!({
            "applicability": fix.applicability.as_str(),
            "message": fix.message,
            "edits": fix.edits.iter().map(|e| edit_value(f, e, places)).collect::<Vec<_>>(),
        })
    });
    let mut v = json!({
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
    });
    // Only where a fix was refused (after `"fix": null`): every other
    // finding is written as before.
    if let Some(r) = &f.fix_refused {
        v["fix_refused"] = json!({ "reason": r.reason });
    }
    v
}

fn edit_value(f: &Finding, e: &Edit, places: &EditPlaces) -> Value {
    let location = places.location(&f.path, e);
    let mut v = json!({
        "line": location.start.line,
        "column": location.start.column,
        "end_line": location.end.line,
        "end_column": location.end.column,
        "content": e.content,
    });
    if let Some(file) = e.file.as_deref().filter(|p| *p != &*f.path) {
        v["path"] = json!(file);
    }
    match &e.op {
        crate::finding::EditOp::Replace => {}
        crate::finding::EditOp::Create => v["create"] = json!(true),
        crate::finding::EditOp::Move { to } => v["move_to"] = json!(to),
        crate::finding::EditOp::Delete => v["delete"] = json!(true),
    }
    v
}

/// All findings as a pretty-printed JSON array.
pub fn render(findings: &[Finding], places: &EditPlaces) -> String {
    let list = Findings { findings, places };
    let mut s = serde_json::to_string_pretty(&list).expect("JSON values serialise");
    s.push('\n');
    s
}

/// The findings as a JSON array whose objects are built one at a time as
/// it is written (a list of all of them first held as much memory again as
/// the output). Written exactly as a list of the same values would be.
struct Findings<'a> {
    findings: &'a [Finding],
    places: &'a EditPlaces<'a>,
}

impl serde::Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.findings.len()))?;
        for f in self.findings {
            seq.serialize_element(&finding_value(f, self.places))?;
        }
        seq.end()
    }
}
