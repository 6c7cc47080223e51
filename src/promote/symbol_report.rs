//! The plan of `rulegate rename` as a pull-request checklist (Markdown) or
//! JSON: the verdict, what the rename refuses and what it cannot prove
//! (each place with its reason), the findings its rewrites add, and every
//! file with its rewrites. The findings and rewrite lines are written as
//! the promotion gate writes them (`report.rs`).

use std::fmt::Write;

use serde_json::json;

use super::Gate;
use super::report::{findings_section, rewrite_lines};
use super::symbol::SymbolPlan;
use crate::rename::symbol::Listed;
use crate::report::EditPlaces;
use crate::report::json::finding_value;

/// The verdict word: `refused` (cannot be forced), `blocked`, or `pass`.
pub fn verdict(plan: &SymbolPlan, gate: &Gate) -> &'static str {
    if plan.refused() {
        "refused"
    } else if plan.blocked(gate) {
        "blocked"
    } else {
        "pass"
    }
}

/// Markdown for a pull request body.
pub fn markdown(plan: &SymbolPlan, gate: &Gate) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Rename of `{}` to `{}`{}\n",
        plan.target(),
        plan.new,
        if plan.alias {
            " (with a deprecated alias)"
        } else {
            ""
        }
    );
    let files = &plan.promotion.files;
    let rewrites: usize = files.iter().map(|f| f.rewrites.len()).sum();
    let _ = writeln!(
        out,
        "**Verdict: {}** ({} refusal(s), {} place(s) not provable, {} finding(s) added; {rewrites} rewrite(s) in {} file(s))\n",
        verdict(plan, gate),
        plan.refusals.len(),
        plan.unprovable.len(),
        gate.findings.len(),
        files.len()
    );
    if plan.modules.len() > 1 {
        let _ = writeln!(
            out,
            "Modules that bind it: {}\n",
            plan.modules
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    listed_section(&mut out, "Refused (cannot be forced)", &plan.refusals);
    listed_section(&mut out, "Not provable", &plan.unprovable);
    findings_section(&mut out, gate, "Findings the rename adds");
    let _ = writeln!(out, "\n### Files and their rewrites ({})\n", files.len());
    for f in files {
        let _ = writeln!(out, "- `{}`", f.path);
        rewrite_lines(&mut out, &f.rewrites);
    }
    out
}

/// One checklist of places with their reasons (nothing when empty).
fn listed_section(out: &mut String, title: &str, places: &[(String, Listed)]) {
    if places.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {title} ({})\n", places.len());
    for (path, l) in places {
        let _ = writeln!(out, "- [ ] `{path}:{}` `{}`: {}", l.line, l.code, l.reason);
    }
    let _ = writeln!(out);
}

/// The plan as JSON.
pub fn json(plan: &SymbolPlan, gate: &Gate, places: &EditPlaces) -> String {
    let listed = |v: &[(String, Listed)]| {
        v.iter()
            .map(|(path, l)| json!({"path": path, "line": l.line, "code": l.code, "reason": l.reason}))
            .collect::<Vec<_>>()
    };
    let value = json!({
        "symbol": plan.target(),
        "to": plan.new,
        "alias": plan.alias,
        "verdict": verdict(plan, gate),
        "modules": plan.modules,
        "refusals": listed(&plan.refusals),
        "unprovable": listed(&plan.unprovable),
        "findings": gate.findings.iter().map(|f| finding_value(f, places)).collect::<Vec<_>>(),
        "files": plan.promotion.files.iter().map(|f| json!({
            "path": f.path,
            "rewrites": f.rewrites,
        })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    s.push('\n');
    s
}
