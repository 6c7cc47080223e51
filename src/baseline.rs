//! Baselines (SPEC §5): adopt a policy on an old repository and fail only on
//! what a change adds. A finding's fingerprint is its rule, its path and the
//! whitespace-normalised text of its reported line, so it survives lines
//! moving; fingerprints are counted, so a second identical finding is new.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::finding::Finding;
use crate::lint::FileResult;
use crate::rule::RuleSet;

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

/// Which baseline entries a run judged: those of a rule it ran, at a file
/// it checked (or at the config, where central exceptions are reported).
pub fn judged_by<'a>(
    files: &'a [FileResult],
    config: &'a Config,
    rules: &'a RuleSet,
) -> impl Fn(&str, &str) -> bool + 'a {
    let mut paths: HashSet<String> = files.iter().map(|r| r.path.to_string()).collect();
    paths.extend(
        config
            .docs
            .iter()
            .map(|d| crate::walk::relative(config, Path::new(&d.name))),
    );
    move |rule: &str, path: &str| rules.get(rule).is_some() && paths.contains(path)
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

    /// Removes the findings the baseline knows (as many per fingerprint as it
    /// counted). Only the entries `judged(rule, path)` accepts count as
    /// stale: a run that checked some files with some rules (a pre-commit
    /// run on the staged files, `--select E402`) says nothing of the others.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        line_text: &dyn Fn(&str, usize) -> String,
        judged: &dyn Fn(&str, &str) -> bool,
    ) -> Applied {
        let (known, left) = self.match_findings(findings, line_text);
        let before = findings.len();
        let mut it = known.iter();
        findings.retain(|_| !it.next().copied().unwrap_or(false));
        Applied {
            baselined: before - findings.len(),
            stale: left
                .iter()
                .filter(|((rule, path, _), _)| judged(rule, path))
                .map(|(_, n)| n)
                .sum(),
        }
    }

    /// Which of `findings` the baseline knows (as many per fingerprint as
    /// it counted), and the counts of each fingerprint left unmatched.
    fn match_findings(
        &self,
        findings: &[Finding],
        line_text: &dyn Fn(&str, usize) -> String,
    ) -> (Vec<bool>, BTreeMap<Key, usize>) {
        let mut left: BTreeMap<Key, usize> = BTreeMap::new();
        for e in &self.findings {
            *left
                .entry((e.rule.clone(), e.path.clone(), e.line.clone()))
                .or_insert(0) += e.count;
        }
        let known = findings
            .iter()
            .map(|f| match left.get_mut(&key(f, line_text)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            })
            .collect();
        (known, left)
    }

    /// Per-rule counts of the baseline against `findings` (SPEC §1 `report
    /// delta`), over the entries `judged(rule, path)` accepts; `new` holds
    /// the findings the baseline does not know, in their order.
    pub fn compare<'f>(
        &self,
        findings: &'f [Finding],
        line_text: &dyn Fn(&str, usize) -> String,
        judged: &dyn Fn(&str, &str) -> bool,
    ) -> Comparison<'f> {
        let (known, left) = self.match_findings(findings, line_text);
        let mut rules: BTreeMap<String, RuleDelta> = BTreeMap::new();
        let mut new = Vec::new();
        for (f, known) in findings.iter().zip(known) {
            let d = rules.entry(f.rule.to_string()).or_default();
            if known {
                d.remaining += 1;
            } else {
                d.new += 1;
                new.push(f);
            }
        }
        for ((rule, path, _), n) in left {
            if n > 0 && judged(&rule, &path) {
                rules.entry(rule).or_default().fixed += n;
            }
        }
        Comparison { rules, new }
    }
}

/// One rule's counts in a [`Comparison`]: the baseline had `fixed +
/// remaining` findings, the run has `new + remaining`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleDelta {
    /// Findings the baseline does not know.
    pub new: usize,
    /// Baseline findings that are gone.
    pub fixed: usize,
    /// Findings in both.
    pub remaining: usize,
}

impl RuleDelta {
    /// Findings in the baseline.
    pub fn before(&self) -> usize {
        self.fixed + self.remaining
    }

    /// Findings now.
    pub fn now(&self) -> usize {
        self.new + self.remaining
    }
}

/// A baseline compared with a run's findings.
#[derive(Debug, Default)]
pub struct Comparison<'f> {
    /// Counts per rule id, sorted by id.
    pub rules: BTreeMap<String, RuleDelta>,
    /// The findings the baseline does not know.
    pub new: Vec<&'f Finding>,
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
        let applied = base.apply(&mut now, &moved, &|_, _| true);
        assert_eq!(
            applied,
            Applied {
                baselined: 1,
                stale: 0
            }
        );
        assert_eq!(now.len(), 1, "the second identical finding is new");
        let mut fixed = vec![];
        assert_eq!(base.apply(&mut fixed, &moved, &|_, _| true).stale, 1);
    }

    #[test]
    fn stale_counts_only_what_the_run_judged() {
        let lines = |_: &str, l: usize| format!("line {l}");
        let mut other = finding("E402", 1);
        other.path = "b.py".into();
        let base = Baseline::of(&[finding("E402", 1), finding("TODO001", 2), other], &lines);
        // The run checked only a.py, with E402 only: b.py's entry and the
        // TODO001 entry are neither stale nor fixed.
        let judged = |rule: &str, path: &str| rule == "E402" && path == "a.py";
        let mut same = vec![finding("E402", 1)];
        let applied = base.apply(&mut same, &lines, &judged);
        assert_eq!((applied.baselined, applied.stale), (1, 0));
        let mut all = vec![];
        assert_eq!(base.apply(&mut all, &lines, &|_, _| true).stale, 3);
        let mut fixed_a = vec![finding("E402", 7)];
        let applied = base.apply(&mut fixed_a, &lines, &judged);
        assert_eq!((applied.baselined, applied.stale), (0, 1));
    }

    #[test]
    fn compare_counts_new_fixed_and_remaining_per_rule() {
        let lines = |_: &str, l: usize| format!("line {l}");
        let base = Baseline::of(
            &[
                finding("E402", 1),
                finding("E402", 2),
                finding("TODO001", 3),
            ],
            &lines,
        );
        let now = [finding("E402", 1), finding("E402", 9), finding("SUP002", 4)];
        let c = base.compare(&now, &lines, &|_, _| true);
        let e402 = c.rules["E402"];
        assert_eq!((e402.new, e402.fixed, e402.remaining), (1, 1, 1));
        assert_eq!((e402.before(), e402.now()), (2, 2));
        assert_eq!(c.rules["TODO001"].fixed, 1);
        assert_eq!(c.rules["SUP002"].new, 1);
        let new: Vec<usize> = c.new.iter().map(|f| f.location.start.line).collect();
        assert_eq!(new, [9, 4]);
        let judged_none = base.compare(&[], &lines, &|_, _| false);
        assert!(
            judged_none.rules.is_empty(),
            "unjudged entries are not fixed"
        );
    }
}
