//! Reporting a lint run: the output formats of SPEC §1, the one-line
//! summary, `--statistics`, and unified diffs of fixes.

pub(crate) mod fancy;
pub(crate) mod json;
pub(crate) mod sarif;
pub(crate) mod text;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Arc;

use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::fix::workspace::ChangedFile;
use crate::lint::LintRun;
use crate::source::{LineIndex, Location, SourceText};

/// Places edits for a report: an edit's line and column come from the text
/// of the file it targets, looked up when a report renders it (the run's
/// sources first, then the places a file kept of its own edits, else the
/// file on disk, read once).
pub struct EditPlaces<'a> {
    sources: HashMap<&'a str, &'a SourceText>,
    kept: HashMap<&'a str, &'a crate::lint::FileResult>,
    root: &'a std::path::Path,
    read: std::sync::Mutex<HashMap<String, Option<SourceText>>>,
}

impl<'a> EditPlaces<'a> {
    /// The places of `run`'s edits.
    pub fn of(run: &'a LintRun) -> Self {
        Self {
            sources: run
                .files
                .iter()
                .filter_map(|r| Some((&*r.path, r.source.as_ref()?)))
                .collect(),
            kept: run
                .files
                .iter()
                .filter(|r| !r.edit_places.is_empty())
                .map(|r| (&*r.path, r))
                .collect(),
            root: &run.root,
            read: Default::default(),
        }
    }

    /// Places read from the files under `root` as needed.
    pub fn from_root(root: &'a std::path::Path) -> Self {
        Self {
            sources: HashMap::new(),
            kept: HashMap::new(),
            root,
            read: Default::default(),
        }
    }

    /// Where `e`, an edit of a finding in `own`, is.
    pub fn location(&self, own: &str, e: &Edit) -> Location {
        let path = e.target(own);
        if matches!(
            e.op,
            crate::finding::EditOp::Create | crate::finding::EditOp::Delete
        ) {
            // The start of the new file.
            return LineIndex::new("").location("", 0..0);
        }
        if let Some(src) = self.sources.get(path) {
            return src.lines.location(&src.text, e.range.clone());
        }
        if let Some(place) = self.kept.get(path).and_then(|r| r.edit_place(&e.range)) {
            return place;
        }
        let Ok(mut read) = self.read.lock() else {
            return Location::default();
        };
        let src = read.entry(path.to_string()).or_insert_with(|| {
            crate::source::read_regular(&self.root.join(path))
                .ok()
                .and_then(|b| SourceText::decode(&b).ok())
        });
        match src {
            Some(s) if e.range.end <= s.text.len() => s.lines.location(&s.text, e.range.clone()),
            _ => Location::default(),
        }
    }
}

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette graphical reports with source snippets.
    Fancy,
    /// `path:line:col: RULE message`.
    Concise,
    /// The JSON array of SPEC §1.1.
    Json,
    /// SARIF 2.1.0 (code-scanning uploads).
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

impl Format {
    /// Whether the format is for people (gets a summary line).
    pub fn is_human(self) -> bool {
        matches!(self, Format::Fancy | Format::Concise)
    }
}

/// Renders findings in `format`. `extra_sources` adds texts (the config file)
/// that findings may point into; `unsafe_fixes` says whether `--fix` as
/// given applies unsafe fixes (the `[*]` marks).
pub fn render(
    run: &LintRun,
    format: Format,
    color: bool,
    extra_sources: &[(String, Arc<str>)],
    rules: &crate::rule::RuleSet,
    unsafe_fixes: bool,
) -> String {
    match format {
        Format::Json => json::render(&run.findings, &EditPlaces::of(run)),
        Format::Sarif => sarif::render(&run.findings, rules, &EditPlaces::of(run)),
        Format::Concise => text::concise(&run.findings, unsafe_fixes),
        Format::Github => text::github(&run.findings),
        Format::Fancy => {
            let mut sources: HashMap<&str, Arc<str>> = run
                .files
                .iter()
                .filter_map(|r| Some((&*r.path, r.source.as_ref()?.text.clone())))
                .collect();
            for (p, t) in extra_sources {
                sources.insert(p.as_str(), t.clone());
            }
            fancy::render(&run.findings, &sources, color)
        }
    }
}

/// The one-line summary (ruff's wording as the model).
pub fn summary(run: &LintRun, unsafe_fixes: bool, fixing: bool) -> String {
    let count = |s| run.findings.iter().filter(|f| f.severity == s).count();
    let mut out = String::new();
    if !run.write_errors.is_empty() {
        // A fix that was not written is not a passed check.
        let _ = writeln!(
            out,
            "{} file(s) could not be written; their fixes were not applied.",
            run.write_errors.len()
        );
        if run.findings.is_empty() {
            return out;
        }
    } else if run.findings.is_empty() {
        if run.fixes_applied > 0 {
            let _ = writeln!(
                out,
                "Fixed {} problem(s); all checks passed!",
                run.fixes_applied
            );
        } else {
            out.push_str("All checks passed!\n");
        }
        return out;
    }
    let n = run.findings.len();
    let (e, w, i) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    let mut parts = vec![format!("{e} error(s)"), format!("{w} warning(s)")];
    if i > 0 {
        parts.push(format!("{i} info"));
    }
    if run.fixes_applied > 0 {
        let _ = writeln!(
            out,
            "Found {} problem(s) ({} fixed, {n} remaining: {}).",
            n + run.fixes_applied,
            run.fixes_applied,
            parts.join(", ")
        );
    } else {
        let _ = writeln!(out, "Found {n} problem(s) ({}).", parts.join(", "));
    }
    let fixable = |a: Applicability| {
        run.findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (fixable(Applicability::Safe), fixable(Applicability::Unsafe));
    if !fixing && (safe > 0 || (unsafe_fixes && unsafe_ > 0)) {
        let n = safe + if unsafe_fixes { unsafe_ } else { 0 };
        let _ = writeln!(
            out,
            "[*] {n} fixable with `rulegate lint --fix{}`.",
            if unsafe_fixes { " --unsafe-fixes" } else { "" }
        );
    }
    if !unsafe_fixes && unsafe_ > 0 {
        let _ = writeln!(
            out,
            "({unsafe_} more fix(es) available with `--unsafe-fixes`.)"
        );
    }
    out
}

/// `--statistics`: count, rule, fixable mark and summary per rule.
pub fn statistics(
    findings: &[Finding],
    unsafe_fixes: bool,
    summaries: &dyn Fn(&str) -> String,
) -> String {
    let mut by_rule: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    for f in findings {
        let e = by_rule.entry(&f.rule).or_default();
        e.0 += 1;
        e.1 |= f.fix.as_ref().is_some_and(|x| x.applies(unsafe_fixes));
    }
    let mut rows: Vec<_> = by_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let mut out = String::new();
    for (rule, (n, fixable)) in rows {
        let mark = if fixable { "[*]" } else { "   " };
        let _ = writeln!(out, "{n:>5}\t{rule:<8}\t{mark} {}", summaries(rule));
    }
    // Then the fixes refused, by rule and kind of reason.
    let mut refused: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for f in findings {
        if let Some(r) = &f.fix_refused {
            *refused.entry((&f.rule, &r.kind)).or_default() += 1;
        }
    }
    let mut rows: Vec<_> = refused.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((rule, kind), n) in rows {
        let _ = writeln!(out, "{n:>5}\t{rule:<8}\t    fix refused: {kind}");
    }
    out
}

/// A diff header's side, as git spells it: `a/PATH`, `b/PATH`, with a path
/// outside the project (absolute) losing its leading `/` (`a/tmp/x.py`).
fn side(prefix: &str, path: &str) -> String {
    format!("{prefix}/{}", path.trim_start_matches('/'))
}

/// Unified diffs of changed files (`--diff`).
pub fn diffs(changed: &[ChangedFile]) -> String {
    let mut out = String::new();
    for c in changed {
        if c.deleted {
            // git's spelling of a deletion: the mode line, then the whole
            // file removed, to /dev/null (an empty file: the headers alone).
            let _ = writeln!(out, "deleted file mode 100644");
            if c.before.is_empty() {
                let _ = writeln!(out, "--- {}\n+++ /dev/null", side("a", &c.rel));
                continue;
            }
            let diff = similar::TextDiff::from_lines(&c.before, "");
            let header = diff
                .unified_diff()
                .context_radius(3)
                .header(&side("a", &c.rel), "/dev/null")
                .to_string();
            out.push_str(&header);
            continue;
        }
        // git's spelling: a new file comes from /dev/null, a move says so.
        let from = match (&c.moved_from, c.created) {
            (_, true) => "/dev/null".to_string(),
            (Some(old), _) => {
                let _ = writeln!(out, "rename from {old}\nrename to {}", c.rel);
                side("a", old)
            }
            (None, false) => side("a", &c.rel),
        };
        if c.created && c.after.is_empty() {
            // An empty new file (an `__init__.py`) has no hunk: git shows
            // its headers alone.
            let _ = writeln!(out, "--- /dev/null\n+++ {}", side("b", &c.rel));
            continue;
        }
        let diff = similar::TextDiff::from_lines(&c.before, &c.after);
        let _ = write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&from, &side("b", &c.rel))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn diff_sides_are_spelled_as_git_does() {
        assert_eq!(super::side("a", "core/x.py"), "a/core/x.py");
        // A file outside the project: `a/tmp/x.py`, not `a//tmp/x.py`.
        assert_eq!(super::side("b", "/tmp/x.py"), "b/tmp/x.py");
    }

    #[test]
    fn statistics_count_refused_fixes_by_kind() {
        use crate::finding::{Finding, FixRefused, Severity};
        use crate::source::Location;
        let finding = |rule: &str, refused: Option<(&str, &str)>| Finding {
            rule: rule.into(),
            rule_index: 0,
            severity: Severity::Error,
            message: "m".into(),
            path: "a.py".into(),
            range: 0..1,
            location: Location::default(),
            lane: None,
            fix: None,
            fix_refused: refused.map(|(k, r)| FixRefused::new(k, r.to_string())),
        };
        let findings = [
            finding("E402", Some(("call", "not moved: `f()` at line 2 ..."))),
            finding("E402", Some(("call", "not moved: `g()` at line 5 ..."))),
            finding("E402", Some(("pinned order", "not moved: ..."))),
            finding("E402", None),
            finding("TODO001", None),
        ];
        let out = super::statistics(&findings, false, &|_| "summary".to_string());
        assert_eq!(
            out,
            "    4\tE402    \t    summary\n    1\tTODO001 \t    summary\n    \
             2\tE402    \t    fix refused: call\n    1\tE402    \t    fix refused: pinned order\n"
        );
    }
}
