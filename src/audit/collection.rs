//! `rulegate report collection --from-pytest LOG` (SPEC §4.7): the
//! collection campaign's histogram, which seed 001 builds by hand from a
//! `pytest --collect-only` log (error classes, top missing modules, top
//! missing names, as in `pytest_collection_errors_detailed.json`), with each
//! error tied to the static finding that explains it, or marked "not
//! explained by any rule". What is left, and what rulegate cannot see.
//!
//! An error is explained by a finding whose message names, in backticks,
//! what the error names in quotes (`No module named 'a.b'` by a finding
//! naming `` `a.b` ``; `cannot import name 'N' from 'm'` by one naming both
//! `` `N` `` and `` `m` ``), found first in the files the error's traceback
//! passes through, else anywhere in the project. Rules read this way need
//! no table here: a new rule explains the errors its message names.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Serialize;

use super::ReportFormat;
use crate::finding::Finding;

/// One collection error of a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollectionError {
    /// The test module pytest was collecting, as the log names it.
    pub test_module: String,
    /// The exception's class (`ModuleNotFoundError`, `ImportError`, …).
    pub error_class: String,
    /// Its message.
    pub message: String,
    /// The module of a `No module named '…'`.
    pub missing_module: Option<String>,
    /// The name of a `cannot import name '…'`.
    pub missing_name: Option<String>,
    /// The files of the traceback's `in <module>` frames, innermost last.
    #[serde(skip)]
    pub frames: Vec<String>,
    /// The finding that explains it, if one does.
    pub explained_by: Option<Explanation>,
}

/// The static finding that explains an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Its rule.
    pub rule: String,
    /// Its file (project-relative).
    pub path: String,
    /// Its line (1-based).
    pub line: usize,
    /// Its column (1-based).
    pub column: usize,
    /// Its message.
    pub message: String,
}

static HEADER: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r"^_+ ERROR collecting (.+?) _+$").expect("valid pattern")
});
static E_LINE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r"^E\s+([A-Za-z_][A-Za-z0-9_.]*)(?::\s?(.*))?$").expect("valid pattern")
});
static FRAME: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| Regex::new(r"^(\S+\.py):\d+: in <module>").expect("valid pattern"));
static SUMMARY: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r"^ERROR (\S+)(?: - ([A-Za-z_][A-Za-z0-9_.]*)(?::\s?(.*))?)?$")
        .expect("valid pattern")
});
static NO_MODULE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r#"No module named ['"]([^'"]+)['"]"#).expect("valid pattern")
});
static NO_NAME: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
    Regex::new(r#"cannot import name ['"]([^'"]+)['"](?: from ['"]([^'"]+)['"])?"#)
        .expect("valid pattern")
});
static QUOTED: std::sync::LazyLock<Regex> =
    std::sync::LazyLock::new(|| Regex::new(r#"'([^'\s]+)'"#).expect("valid pattern"));

/// Whether an `E` line names an exception (not a continuation of a message).
fn is_exception(class: &str) -> bool {
    let last = class.rsplit('.').next().unwrap_or(class);
    ["Error", "Exception", "Exit", "Interrupt", "Warning"]
        .iter()
        .any(|s| last.ends_with(s))
}

/// The collection errors of a `pytest --collect-only` log: one per `ERROR
/// collecting` section (its first exception line), or, for a log without
/// tracebacks (`--tb=no`), one per `ERROR path` summary line.
pub fn parse_log(log: &str) -> Vec<CollectionError> {
    let mut out: Vec<CollectionError> = Vec::new();
    let mut current: Option<CollectionError> = None;
    for line in log.lines() {
        if let Some(c) = HEADER.captures(line) {
            out.extend(current.take());
            current = Some(error(&c[1], "", ""));
            continue;
        }
        // A section ends where the short summary starts.
        if line.starts_with("====") {
            out.extend(current.take());
            continue;
        }
        let Some(e) = current.as_mut() else { continue };
        if let Some(c) = FRAME.captures(line) {
            e.frames.push(c[1].to_string());
        } else if e.error_class.is_empty()
            && let Some(c) = E_LINE.captures(line)
            && is_exception(&c[1])
        {
            *e = CollectionError {
                frames: std::mem::take(&mut e.frames),
                ..error(&e.test_module, &c[1], c.get(2).map_or("", |m| m.as_str()))
            };
        }
    }
    out.extend(current);
    if out.is_empty() {
        for line in log.lines() {
            if let Some(c) = SUMMARY.captures(line) {
                let class = c.get(2).map_or("", |m| m.as_str());
                out.push(error(&c[1], class, c.get(3).map_or("", |m| m.as_str())));
            }
        }
    }
    for e in &mut out {
        if e.error_class.is_empty() {
            e.error_class = "UnknownError".to_string();
        }
    }
    out
}

fn error(test_module: &str, class: &str, message: &str) -> CollectionError {
    CollectionError {
        test_module: test_module.to_string(),
        error_class: class.to_string(),
        message: message.trim().to_string(),
        missing_module: NO_MODULE.captures(message).map(|c| c[1].to_string()),
        missing_name: NO_NAME.captures(message).map(|c| c[1].to_string()),
        frames: Vec::new(),
        explained_by: None,
    }
}

/// Whether project path `rel` is the file a log names as `logged`
/// (absolute, or relative to pytest's rootdir).
fn same_file(rel: &str, logged: &str) -> bool {
    logged == rel || logged.ends_with(&format!("/{rel}"))
}

/// Ties each error to the finding that explains it, if one does.
pub fn explain(errors: &mut [CollectionError], findings: &[Finding]) {
    for e in errors.iter_mut() {
        let keys: Vec<String> = match NO_NAME.captures(&e.message) {
            Some(c) => c
                .iter()
                .skip(1)
                .flatten()
                .map(|m| m.as_str().to_string())
                .collect(),
            None => QUOTED
                .captures_iter(&e.message)
                .map(|c| c[1].to_string())
                .collect(),
        };
        if keys.is_empty() {
            continue;
        }
        let names_all = |f: &&Finding| keys.iter().all(|k| f.message.contains(&format!("`{k}`")));
        let on_the_way = |f: &&Finding| {
            same_file(&f.path, &e.test_module) || e.frames.iter().any(|p| same_file(&f.path, p))
        };
        let found = findings
            .iter()
            .filter(names_all)
            .find(on_the_way)
            .or_else(|| findings.iter().find(names_all));
        e.explained_by = found.map(|f| Explanation {
            rule: f.rule.to_string(),
            path: f.path.to_string(),
            line: f.location.start.line,
            column: f.location.start.column,
            message: f.message.clone(),
        });
    }
}

/// The histogram and the errors, ready to render.
#[derive(Debug, Serialize)]
pub struct CollectionReport {
    /// The log read.
    pub log: String,
    /// How many collection errors it holds.
    pub total_errors: usize,
    /// How many a finding explains.
    pub explained: usize,
    /// Errors per exception class.
    pub error_classes: BTreeMap<String, usize>,
    /// Missing modules, most frequent first.
    pub top_missing_modules: Vec<Count>,
    /// Missing names, most frequent first.
    pub top_missing_names: Vec<Count>,
    /// Every error, in log order.
    pub errors: Vec<CollectionError>,
}

/// A name and how often the log has it.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Count {
    /// The module or name.
    pub name: String,
    /// How many errors name it.
    pub count: usize,
}

/// Counts, most frequent first, then by name.
fn top<'a>(names: impl Iterator<Item = &'a String>) -> Vec<Count> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for n in names {
        *counts.entry(n).or_default() += 1;
    }
    let mut out: Vec<Count> = counts
        .into_iter()
        .map(|(name, count)| Count {
            name: name.to_string(),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    out
}

impl CollectionReport {
    /// The report of `errors` (already explained) read from `log`.
    pub fn new(log: &str, errors: Vec<CollectionError>) -> Self {
        let mut error_classes = BTreeMap::new();
        for e in &errors {
            *error_classes.entry(e.error_class.clone()).or_default() += 1;
        }
        Self {
            log: log.to_string(),
            total_errors: errors.len(),
            explained: errors.iter().filter(|e| e.explained_by.is_some()).count(),
            error_classes,
            top_missing_modules: top(errors.iter().filter_map(|e| e.missing_module.as_ref())),
            top_missing_names: top(errors.iter().filter_map(|e| e.missing_name.as_ref())),
            errors,
        }
    }

    /// The report in `format` (`md` or `json`).
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => serde_json::to_string_pretty(self).expect("serialisable") + "\n",
            _ => self.markdown(),
        }
    }

    fn markdown(&self) -> String {
        use std::fmt::Write;
        let mut s = String::from("# Collection errors\n\n");
        let _ = writeln!(
            s,
            "From `{}`: {} collection error(s); {} explained by a static finding, {} not explained by any rule.\n",
            self.log,
            self.total_errors,
            self.explained,
            self.total_errors - self.explained
        );
        s.push_str("## Error classes\n\n| class | count |\n| --- | --- |\n");
        for (class, n) in &self.error_classes {
            let _ = writeln!(s, "| {class} | {n} |");
        }
        for (title, counts) in [
            ("Top missing modules", &self.top_missing_modules),
            ("Top missing names", &self.top_missing_names),
        ] {
            let _ = write!(s, "\n## {title}\n\n");
            if counts.is_empty() {
                s.push_str("None.\n");
                continue;
            }
            s.push_str("| name | count |\n| --- | --- |\n");
            for c in counts.iter() {
                let _ = writeln!(s, "| `{}` | {} |", c.name, c.count);
            }
        }
        s.push_str("\n## Errors\n\n| test module | error | explained by |\n| --- | --- | --- |\n");
        for e in &self.errors {
            let why = match &e.explained_by {
                Some(x) => format!("{} at {}:{}:{}", x.rule, x.path, x.line, x.column),
                None => "not explained by any rule".to_string(),
            };
            let message = e.message.replace('|', "\\|");
            let _ = writeln!(
                s,
                "| {} | {}: {message} | {why} |",
                e.test_module, e.error_class
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
tests/test_plain.py::test_plain

==================================== ERRORS ====================================
____________________ ERROR collecting tests/test_alerts.py _____________________
ImportError while importing test module '/r/tests/test_alerts.py'.
Traceback:
/usr/lib/python3.11/importlib/__init__.py:126: in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
tests/test_alerts.py:1: in <module>
    from lukhas.observability import LEVELS, AlertManager
E   ImportError: cannot import name 'AlertManager' from 'lukhas.observability' (/r/lukhas/observability.py)
____________________ ERROR collecting tests/test_router.py _____________________
tests/test_router.py:1: in <module>
    from lukhas.router import AIModel
E   ModuleNotFoundError: No module named 'lukhas.router'
____________________ ERROR collecting tests/test_runtime.py ____________________
tests/test_runtime.py:1: in <module>
    import core.boot
core/boot.py:3: in <module>
    raise RuntimeError(\"boot failed\")
E   RuntimeError: boot failed
=========================== short test summary info ============================
ERROR tests/test_alerts.py
ERROR tests/test_router.py
ERROR tests/test_runtime.py - RuntimeError: boot failed
";

    #[test]
    fn sections_give_class_message_and_frames() {
        let errors = parse_log(LOG);
        assert_eq!(errors.len(), 3);
        assert_eq!(errors[0].error_class, "ImportError");
        assert_eq!(errors[0].missing_name.as_deref(), Some("AlertManager"));
        assert_eq!(errors[1].missing_module.as_deref(), Some("lukhas.router"));
        assert_eq!(errors[2].error_class, "RuntimeError");
        assert_eq!(errors[2].frames, ["tests/test_runtime.py", "core/boot.py"]);
        let report = CollectionReport::new("log", errors);
        assert_eq!(report.error_classes["ImportError"], 1);
        assert_eq!(
            report.top_missing_modules,
            [Count {
                name: "lukhas.router".into(),
                count: 1
            }]
        );
    }

    #[test]
    fn a_log_without_tracebacks_is_read_from_its_summary() {
        let errors = parse_log(
            "ERROR tests/a.py - ModuleNotFoundError: No module named 'x'\nERROR tests/b.py\n",
        );
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].missing_module.as_deref(), Some("x"));
        assert_eq!(errors[1].error_class, "UnknownError");
    }
}
