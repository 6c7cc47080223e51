//! Baselines (SPEC §5): adopt a policy on an old repository and fail only on
//! what a change adds. A finding's fingerprint is its rule, its path and the
//! whitespace-normalised text of its reported line, so it survives lines
//! moving; fingerprints are counted, so a second identical finding is new.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::finding::Finding;
use crate::lint::FileResult;

/// Format version written in baseline files.
pub const VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Known findings, sorted.
    pub findings: Vec<Entry>,
}

/// One fingerprint and how many findings have it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule id.
    pub rule: String,
    /// Project-relative path.
    pub path: String,
    /// The reported line, whitespace-normalised.
    pub line: String,
    /// Findings with this fingerprint.
    pub count: usize,
}

/// What applying a baseline did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings hidden because the baseline knows them.
    pub baselined: usize,
    /// Baseline entries (counted) that matched nothing: fixed since.
    pub stale: usize,
}

type Key = (String, String, String);

/// Why a baseline cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read baseline {path}: {source}")]
    Read {
        /// The baseline's path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("{path} is not a rulegate baseline ({source}); write one with --write-baseline")]
    Invalid {
        /// The baseline's path.
        path: String,
        /// Why.
        source: serde_json::Error,
    },
    /// The file was written by another format version.
    #[error("{path} has baseline version {version}; this rulegate writes version {VERSION}")]
    Version {
        /// The baseline's path.
        path: String,
        /// Its version.
        version: u32,
    },
    /// The file cannot be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The baseline's path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The text of line `line` (1-based) of `path` as the run read it (the
/// config file included, for findings at a central exception).
pub fn line_text_of<'a>(
    files: &'a [FileResult],
    config: &'a Config,
) -> impl Fn(&str, usize) -> String + 'a {
    let mut sources: std::collections::HashMap<String, &str> = files
        .iter()
        .filter_map(|r| Some((r.path.to_string(), &*r.source.as_ref()?.text)))
        .collect();
    for doc in &config.docs {
        sources.insert(
            crate::walk::relative(config, Path::new(&doc.name)),
            &doc.text,
        );
    }
    move |path: &str, line: usize| {
        sources
            .get(path)
            .and_then(|t| t.lines().nth(line.saturating_sub(1)))
            .unwrap_or("")
            .to_string()
    }
}

fn normalise(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn key(f: &Finding, line_text: &dyn Fn(&str, usize) -> String) -> Key {
    (
        f.rule.to_string(),
        f.path.to_string(),
        normalise(&line_text(&f.path, f.location.start.line)),
    )
}

impl Baseline {
    /// The baseline of `findings`; `line_text(path, line)` gives a line's text.
    pub fn of(findings: &[Finding], line_text: &dyn Fn(&str, usize) -> String) -> Self {
        let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
        for f in findings {
            *counts.entry(key(f, line_text)).or_insert(0) += 1;
        }
        Self {
            version: VERSION,
            findings: counts
                .into_iter()
                .map(|((rule, path, line), count)| Entry {
                    rule,
                    path,
                    line,
                    count,
                })
                .collect(),
        }
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Self, BaselineError> {
        let shown = path.display().to_string();
        let text = crate::source::read_utf8(path).map_err(|source| BaselineError::Read {
            path: shown.clone(),
            source,
        })?;
        let b: Baseline = serde_json::from_str(&text).map_err(|source| BaselineError::Invalid {
            path: shown.clone(),
            source,
        })?;
        if b.version != VERSION {
            return Err(BaselineError::Version {
                path: shown,
                version: b.version,
            });
        }
        Ok(b)
    }

    /// Writes the baseline as pretty JSON.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let mut text = serde_json::to_string_pretty(self).expect("baselines serialize");
        text.push('\n');
        std::fs::write(path, text).map_err(|source| BaselineError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// Removes the findings the baseline knows (as many per fingerprint as it counted).
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        line_text: &dyn Fn(&str, usize) -> String,
    ) -> Applied {
        let mut left: BTreeMap<Key, usize> = self
            .findings
            .iter()
            .map(|e| ((e.rule.clone(), e.path.clone(), e.line.clone()), e.count))
            .collect();
        let before = findings.len();
        findings.retain(|f| match left.get_mut(&key(f, line_text)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        Applied {
            baselined: before - findings.len(),
            stale: left.values().sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::source::{Location, Position};

    fn finding(rule: &str, line: usize) -> Finding {
        Finding {
            rule: rule.into(),
            rule_index: 0,
            severity: Severity::Error,
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

    #[test]
    fn survives_moves_and_counts_duplicates() {
        let lines = |_: &str, l: usize| {
            if l == 1 {
                "import  os".into()
            } else {
                "x".into()
            }
        };
        let base = Baseline::of(&[finding("E402", 1)], &lines);
        // The same line moved to line 5, plus a second identical finding.
        let moved = |_: &str, _: usize| "import os   ".to_string();
        let mut now = vec![finding("E402", 5), finding("E402", 9)];
        let applied = base.apply(&mut now, &moved);
        assert_eq!(
            applied,
            Applied {
                baselined: 1,
                stale: 0
            }
        );
        assert_eq!(now.len(), 1, "the second identical finding is new");
        let mut fixed = vec![];
        assert_eq!(base.apply(&mut fixed, &moved).stale, 1);
    }
}
