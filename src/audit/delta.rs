//! `rulegate report delta --baseline FILE`: per-rule counts in a baseline
//! and now (new, fixed, remaining), the migration guide's per-pull-request
//! summary, as Markdown or JSON. It fails (exit 1) when a new finding is at
//! error severity, so "fail PRs that increase the E402 count" is one command.

use serde_json::json;

use super::{ReportFormat, markdown_table, to_json};
use crate::baseline::{Comparison, RuleDelta};
use crate::finding::{Finding, Severity};

/// How many new findings the Markdown lists (the JSON lists them all): a
/// pull-request comment stays readable, and the count says what is left out.
const MD_NEW_LIMIT: usize = 50;

/// The delta report of one run against one baseline.
#[derive(Debug)]
pub struct DeltaReport<'f> {
    /// The baseline file as the user named it.
    pub baseline: String,
    /// Per-rule counts, with each rule's severity in this run.
    pub rules: Vec<(String, Option<Severity>, RuleDelta)>,
    /// The findings the baseline does not know.
    pub new: Vec<&'f Finding>,
}

impl<'f> DeltaReport<'f> {
    /// The report of `comparison`; `severity(id)` is a rule's severity now.
    pub fn new(
        baseline: String,
        comparison: Comparison<'f>,
        severity: &dyn Fn(&str) -> Option<Severity>,
    ) -> Self {
        let rules = comparison
            .rules
            .into_iter()
            .map(|(id, d)| {
                let sev = severity(&id);
                (id, sev, d)
            })
            .collect();
        Self {
            baseline,
            rules,
            new: comparison.new,
        }
    }

    /// Whether a new finding is at error severity (exit 1).
    pub fn fails(&self) -> bool {
        self.new.iter().any(|f| f.severity == Severity::Error)
    }

    fn total(&self) -> RuleDelta {
        self.rules
            .iter()
            .fold(RuleDelta::default(), |t, (_, _, d)| RuleDelta {
                new: t.new + d.new,
                fixed: t.fixed + d.fixed,
                remaining: t.remaining + d.remaining,
            })
    }

    /// The report in `format` (md or json).
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => self.json(),
            _ => self.markdown(),
        }
    }

    fn markdown(&self) -> String {
        let t = self.total();
        let verdict = if self.fails() {
            "**Failed**: new findings at error severity."
        } else if t.new > 0 {
            "Passed: the new findings are warnings."
        } else {
            "Passed: no new findings."
        };
        let mut out = format!(
            "# Findings against the baseline\n\nBaseline `{}`: {} finding(s); now {}: {} new, {} fixed, {} remaining.\n\n{verdict}\n\n",
            self.baseline,
            t.before(),
            t.now(),
            t.new,
            t.fixed,
            t.remaining
        );
        if self.rules.is_empty() {
            out.push_str("No findings in the baseline or now.\n");
            return out;
        }
        let rows: Vec<Vec<String>> = self
            .rules
            .iter()
            .map(|(id, sev, d)| {
                vec![
                    id.clone(),
                    sev.map_or("-", |s| s.as_str()).to_string(),
                    d.before().to_string(),
                    d.now().to_string(),
                    signed(d.now() as i64 - d.before() as i64),
                    d.new.to_string(),
                    d.fixed.to_string(),
                    d.remaining.to_string(),
                ]
            })
            .collect();
        out.push_str(&markdown_table(
            &[
                "rule",
                "severity",
                "baseline",
                "now",
                "change",
                "new",
                "fixed",
                "remaining",
            ],
            &rows,
        ));
        if !self.new.is_empty() {
            out.push_str("\n## New findings\n\n");
            for f in self.new.iter().take(MD_NEW_LIMIT) {
                out.push_str(&format!(
                    "- `{}:{}:{}` {} ({}): {}\n",
                    f.path,
                    f.location.start.line,
                    f.location.start.column,
                    f.rule,
                    f.severity.as_str(),
                    f.message.replace(['\r', '\n'], " ")
                ));
            }
            if self.new.len() > MD_NEW_LIMIT {
                out.push_str(&format!(
                    "- … and {} more (`--format json` lists them all)\n",
                    self.new.len() - MD_NEW_LIMIT
                ));
            }
        }
        out
    }

    fn json(&self) -> String {
        let counts = |d: &RuleDelta| {
            json!({
                "baseline": d.before(), "now": d.now(),
                "new": d.new, "fixed": d.fixed, "remaining": d.remaining,
            })
        };
        let rules: Vec<_> = self
            .rules
            .iter()
            .map(|(id, sev, d)| {
                let mut v = counts(d);
                v["rule"] = json!(id);
                v["severity"] = json!(sev.map(|s| s.as_str()));
                v
            })
            .collect();
        let new: Vec<_> = self
            .new
            .iter()
            .map(|f| {
                json!({
                    "rule": &*f.rule, "severity": f.severity.as_str(), "message": f.message,
                    "path": &*f.path, "line": f.location.start.line,
                    "column": f.location.start.column,
                })
            })
            .collect();
        to_json(&json!({
            "baseline": self.baseline,
            "failed": self.fails(),
            "totals": counts(&self.total()),
            "rules": rules,
            "new": new,
        }))
    }
}

fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{n}")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::Baseline;
    use crate::source::{Location, Position};

    fn finding(rule: &str, line: usize, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            rule_index: 0,
            severity,
            message: "m".into(),
            path: "a.py".into(),
            location: Location {
                start: Position { line, column: 1 },
                end: Position { line, column: 2 },
            },
            range: 0..1,
            lane: None,
            fix: None,
            fix_refused: None,
        }
    }

    fn report<'f>(base: &[Finding], now: &'f [Finding]) -> DeltaReport<'f> {
        let lines = |_: &str, l: usize| format!("line {l}");
        let c = Baseline::of(base, &lines).compare(now, &lines, &|_, _| true);
        DeltaReport::new("b.json".into(), c, &|id| {
            Some(if id == "W1" {
                Severity::Warning
            } else {
                Severity::Error
            })
        })
    }

    #[test]
    fn fails_only_on_new_errors() {
        let base = [finding("E1", 1, Severity::Error)];
        let same = [finding("E1", 1, Severity::Error)];
        assert!(!report(&base, &same).fails());
        let warned = [finding("W1", 3, Severity::Warning)];
        assert!(!report(&base, &warned).fails());
        let worse = [
            finding("E1", 1, Severity::Error),
            finding("E1", 2, Severity::Error),
        ];
        assert!(report(&base, &worse).fails());
    }

    #[test]
    fn markdown_and_json_carry_the_counts() {
        let base = [
            finding("E1", 1, Severity::Error),
            finding("E1", 2, Severity::Error),
        ];
        let now = [
            finding("E1", 1, Severity::Error),
            finding("W1", 3, Severity::Warning),
        ];
        let r = report(&base, &now);
        let md = r.render(ReportFormat::Md);
        assert!(
            md.contains("| E1 | error | 2 | 1 | -1 | 0 | 1 | 1 |"),
            "{md}"
        );
        assert!(
            md.contains("| W1 | warning | 0 | 1 | +1 | 1 | 0 | 0 |"),
            "{md}"
        );
        assert!(md.contains("- `a.py:3:1` W1 (warning): m"), "{md}");
        let v: serde_json::Value = serde_json::from_str(&r.render(ReportFormat::Json)).unwrap();
        assert_eq!(v["totals"]["fixed"], 1);
        assert_eq!(v["rules"][0]["rule"], "E1");
        assert_eq!(v["new"][0]["line"], 3);
        assert_eq!(v["failed"], false);
    }
}
