//! One-line formats: `concise` (`path:line:col: RULE message`) and `github`
//! (workflow commands that annotate pull requests).

use std::fmt::Write;

use crate::finding::{Finding, Severity};

/// `path:line:col: RULE message`, one per line; `[*]` marks the findings
/// `--fix` as given fixes (an unsafe fix only with `unsafe_fixes`), as ruff's.
pub fn concise(findings: &[Finding], unsafe_fixes: bool) -> String {
    let mut out = String::new();
    for f in findings {
        let fixed = f.fix.as_ref().is_some_and(|x| x.applies(unsafe_fixes));
        let mark = if fixed { " [*]" } else { "" };
        let _ = writeln!(
            out,
            "{}:{}:{}: {}{mark} {}",
            f.path, f.location.start.line, f.location.start.column, f.rule, f.message
        );
    }
    out
}

/// GitHub Actions workflow commands.
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{level} title={rule},file={path},line={l},col={c},endLine={el},endColumn={ec}::{path}:{l}:{c}: {rule} {msg}",
            rule = escape_property(&f.rule),
            path = escape_property(&f.path),
            l = f.location.start.line,
            c = f.location.start.column,
            el = f.location.end.line,
            ec = f.location.end.column,
            msg = escape_data(&f.message),
        );
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
