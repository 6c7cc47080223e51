//! The promotion gate as a pull-request checklist (Markdown) or JSON: the
//! findings on the moved code at its new place, the files that move, every
//! importer with the rewrite it needs and its lane verdict, and the places
//! that name SRC but are not rewritten ("needs review").

use std::fmt::Write;

use serde_json::json;

use super::{Gate, Promotion};
use crate::report::EditPlaces;
use crate::report::json::finding_value;

/// The verdict word.
pub(super) fn verdict(gate: &Gate) -> &'static str {
    if gate.blocked() { "blocked" } else { "pass" }
}

/// Markdown for a pull request body.
pub fn markdown(p: &Promotion, gate: &Gate) -> String {
    let mut out = String::new();
    let (src, dst) = (&p.rename.src, &p.rename.dst);
    let lane = p.dst_lane.as_deref().unwrap_or("none");
    let errors = gate
        .findings
        .iter()
        .filter(|f| f.severity == crate::finding::Severity::Error)
        .count();
    let _ = writeln!(out, "## Promotion of `{src}` to `{dst}` (lane `{lane}`)\n");
    let _ = writeln!(
        out,
        "**Verdict: {}** ({errors} error finding(s) on the moved code, {} importer(s) whose lane may not import `{lane}`{})\n",
        verdict(gate),
        gate.forbidden.len(),
        if gate.criteria.is_empty() {
            String::new()
        } else {
            format!(
                ", {} of {} criterion(s) failed",
                gate.criteria.iter().filter(|c| !c.passed).count(),
                gate.criteria.len()
            )
        }
    );
    criteria_section(&mut out, gate);
    moved_files(&mut out, p);
    findings_section(
        &mut out,
        gate,
        "Findings on the moved code, judged at its new place",
    );
    importers_section(&mut out, p, gate, lane);
    review_section(&mut out, p);
    out
}

/// The places left as they are, each for a person to check; they do not
/// block the gate.
fn review_section(out: &mut String, p: &Promotion) {
    if p.review.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n### Needs review: names of `{}` left as they are ({})\n",
        p.rename.src,
        p.review.len()
    );
    for r in &p.review {
        let why = match r.review.kind {
            crate::rename::ReviewKind::DottedString => {
                "a dotted string outside an import or patch call"
            }
            crate::rename::ReviewKind::Mention => "named inside a string",
            crate::rename::ReviewKind::Shadowed => "a use a local shadows: not rewritten",
        };
        let _ = writeln!(
            out,
            "- [ ] `{}:{}` ({why}): `{}`",
            r.path,
            r.review.line,
            r.review.text.replace('\n', "\\n")
        );
    }
}

/// The `[promote.criteria]` lines, each with its verdict.
fn criteria_section(out: &mut String, gate: &Gate) {
    if gate.criteria.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Promotion criteria ({})\n", gate.criteria.len());
    for c in &gate.criteria {
        let (mark, word) = if c.passed {
            ("x", "pass")
        } else {
            (" ", "**fail**")
        };
        let _ = writeln!(out, "- [{mark}] {}: {word} ({})", c.name, c.detail);
    }
    let _ = writeln!(out);
}

/// The files that move, with how many references each has rewritten.
fn moved_files(out: &mut String, p: &Promotion) {
    let moved: Vec<_> = p.files.iter().filter(|f| f.moved_to.is_some()).collect();
    let _ = writeln!(out, "### Files that move ({})\n", p.moved_count());
    for f in &moved {
        let rewrites = if f.rewrites.is_empty() {
            String::new()
        } else {
            format!(" ({} reference(s) rewritten)", f.rewrites.len())
        };
        let _ = writeln!(
            out,
            "- `{}` → `{}`{rewrites}",
            f.path,
            f.moved_to.as_deref().unwrap_or_default()
        );
    }
    for (from, to, link) in &p.raw {
        let what = if *link { "a link" } else { "moved as bytes" };
        let _ = writeln!(out, "- `{from}` → `{to}` ({what})");
    }
}

/// The findings on the moved code at its new place, as a checklist.
pub(super) fn findings_section(out: &mut String, gate: &Gate, title: &str) {
    let _ = writeln!(out, "\n### {title} ({})\n", gate.findings.len());
    if gate.findings.is_empty() {
        let _ = writeln!(out, "- [x] none");
    }
    for f in &gate.findings {
        let mark = if f.severity == crate::finding::Severity::Error {
            " "
        } else {
            "x"
        };
        let _ = writeln!(
            out,
            "- [{mark}] `{}:{}:{}` {} ({}): {}",
            f.path,
            f.location.start.line,
            f.location.start.column,
            f.rule,
            f.severity.as_str(),
            f.message
        );
    }
}

/// Every importer with its lane verdict and its rewrites.
fn importers_section(out: &mut String, p: &Promotion, gate: &Gate, lane: &str) {
    let importers: Vec<_> = p.importers().collect();
    let _ = writeln!(
        out,
        "\n### Importers and their rewrites ({})\n",
        importers.len()
    );
    if importers.is_empty() {
        let _ = writeln!(out, "- [x] none");
    }
    for f in importers {
        let allowed = !gate.forbidden.contains(&f.path);
        let verdict = if allowed {
            match &f.lane {
                Some(l) => format!("lane `{l}` may import `{lane}`"),
                None => "in no lane".to_string(),
            }
        } else {
            format!(
                "**lane `{}` may not import `{lane}`**",
                f.lane.as_deref().unwrap_or("none")
            )
        };
        let _ = writeln!(
            out,
            "- [{}] `{}` ({verdict})",
            if allowed { "x" } else { " " },
            f.path
        );
        rewrite_lines(out, &f.rewrites);
    }
}

/// One checklist line per rewrite: `line N: `before` → `after``.
pub(super) fn rewrite_lines(out: &mut String, rewrites: &[crate::rename::Rewrite]) {
    for r in rewrites {
        let one_line = |s: &str| s.trim().replace('\n', "` / `");
        let after = if r.after.trim().is_empty() {
            "(removed)".to_string()
        } else {
            format!("`{}`", one_line(&r.after))
        };
        let before = if r.before.is_empty() {
            "(inserted)".to_string()
        } else {
            format!("`{}`", one_line(&r.before))
        };
        let _ = writeln!(out, "  - line {}: {before} → {after}", r.line);
    }
}

/// The gate as JSON.
pub fn json(p: &Promotion, gate: &Gate, places: &EditPlaces) -> String {
    let value = json!({
        "src": p.rename.src,
        "dst": p.rename.dst,
        "dst_lane": p.dst_lane,
        "verdict": verdict(gate),
        "moves": p.files.iter().filter_map(|f| Some(json!({
            "from": f.path,
            "to": f.moved_to.as_ref()?,
            "rewrites": f.rewrites,
        }))).chain(p.raw.iter().map(|(from, to, _)| json!({
            "from": from,
            "to": to,
            "rewrites": [],
        }))).collect::<Vec<_>>(),
        "criteria": gate.criteria,
        "review": p.review,
        "findings": gate.findings.iter().map(|f| finding_value(f, places)).collect::<Vec<_>>(),
        "importers": p.importers().map(|f| json!({
            "path": f.path,
            "lane": f.lane,
            "allowed": !gate.forbidden.contains(&f.path),
            "rewrites": f.rewrites,
        })).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    s.push('\n');
    s
}
