//! `--format fancy`: miette's graphical reports with the source snippet.

use std::collections::HashMap;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use crate::finding::{Finding, Severity};

/// Renders every finding with its snippet; `sources` maps paths to text.
pub fn render(findings: &[Finding], sources: &HashMap<&str, Arc<str>>, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    for f in findings {
        let mut diag = MietteDiagnostic::new(f.message.clone())
            .with_code(f.rule.to_string())
            .with_severity(match f.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            });
        if let Some(fix) = &f.fix {
            diag = diag.with_help(format!(
                "{} ({} fix)",
                fix.message,
                fix.applicability.as_str()
            ));
        }
        let report = match sources.get(&*f.path) {
            Some(text) => {
                let diag = diag.with_label(LabeledSpan::at(f.range.clone(), f.rule.to_string()));
                miette::Report::new(diag).with_source_code(NamedSource::new(&f.path, text.clone()))
            }
            None => miette::Report::new(diag.with_help(format!("in {}", f.path))),
        };
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    out
}
