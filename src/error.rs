//! Errors that point into a file the user wrote (a pack, a config): miette
//! reports with the offending span labelled, so `rulegate` can say exactly
//! where a TOML file is wrong and what to do about it.

use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// A named text that spans point into (a pack or config file).
#[derive(Debug, Clone)]
pub struct SourceDoc {
    /// Display name: a path, or `builtin:NAME` for embedded packs.
    pub name: String,
    /// The full text.
    pub text: Arc<str>,
}

impl SourceDoc {
    /// Wraps a named text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The 1-based line of byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// An error labelled at `span` of this document.
    pub fn error(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> SpannedError {
        SpannedError {
            message: message.into(),
            src: NamedSource::new(self.name.clone(), self.text.clone()),
            span: (span.start, span.end.saturating_sub(span.start)).into(),
            label: label.into(),
            help: None,
        }
    }

    /// The span of `inner` (a byte range inside the decoded string `value`)
    /// within the TOML string literal at `literal`. Exact when the literal
    /// holds no escapes; otherwise the whole literal.
    pub fn inner_span(
        &self,
        literal: Range<usize>,
        value: &str,
        inner: Range<usize>,
    ) -> Range<usize> {
        let Some(raw) = self.text.get(literal.clone()) else {
            return literal;
        };
        let delim = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        if raw.len() < 2 * delim {
            return literal;
        }
        let mut start = delim;
        let body = &raw[delim..raw.len() - delim];
        let body = if delim == 3 {
            if let Some(b) = body.strip_prefix("\r\n") {
                start += 2;
                b
            } else if let Some(b) = body.strip_prefix('\n') {
                start += 1;
                b
            } else {
                body
            }
        } else {
            body
        };
        if body == value && inner.end <= value.len() {
            let base = literal.start + start;
            // An empty range (a position) becomes one character wide when possible.
            let end = inner
                .end
                .max(inner.start + 1)
                .min(value.len())
                .max(inner.start);
            base + inner.start..base + end
        } else {
            literal
        }
    }

    /// Turns a TOML parse error into a spanned report.
    pub fn toml_error(&self, err: &toml::de::Error) -> SpannedError {
        let span = err.span().unwrap_or(0..0);
        // serde speaks of maps and sequences; a TOML author writes tables
        // and arrays.
        let reason = err
            .message()
            .trim()
            .replace("expected a map", "expected a table")
            .replace("expected a sequence", "expected an array");
        if span.start >= self.text.trim_end().len() {
            // At the end of the file (a truncated file, an unterminated
            // `"""`) a label would not show: the reason goes in the message.
            let end = self.text.len();
            let last = self.text.trim_end().len().saturating_sub(1).min(end);
            return self.error(
                last..self.text.trim_end().len(),
                format!("invalid {}: {reason} (at the end of the file)", self.name),
                "the file ends here",
            );
        }
        self.error(span, format!("invalid {}", self.name), reason)
    }
}

/// An error in a user-written file, labelled at the span that is wrong.
#[derive(Debug, Clone, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(rulegate::config))]
pub struct SpannedError {
    message: String,
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label("{label}")]
    span: SourceSpan,
    label: String,
    #[help]
    help: Option<String>,
}

impl SpannedError {
    /// Adds advice on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The headline message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The labelled byte range.
    pub fn span(&self) -> Range<usize> {
        self.span.offset()..self.span.offset() + self.span.len()
    }
}

/// A problem in a pack that does not stop the load (a capture some matches
/// leave unbound, say): shown as a miette warning.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct LoadWarning(pub SpannedError);

impl Diagnostic for LoadWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("rulegate::pack"))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// Several spanned errors found in one pass (all are shown, not just the first).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{count} problem(s) in the rule packs or config", count = .errors.len())]
pub struct LoadErrors {
    /// The individual problems.
    #[related]
    pub errors: Vec<SpannedError>,
}

/// Prints load warnings on standard error (they never change the exit code).
pub fn print_warnings(warnings: &[SpannedError]) {
    for w in warnings {
        eprintln!("{:?}", miette::Report::new(LoadWarning(w.clone())));
    }
}

/// Turns a list of problems into one report (or `Ok` when there are none).
pub fn collect(errors: Vec<SpannedError>) -> miette::Result<()> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.into_iter().next().unwrap().into()),
        _ => Err(LoadErrors { errors }.into()),
    }
}
