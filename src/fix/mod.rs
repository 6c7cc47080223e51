//! Applying fixes: choosing non-overlapping fixes per round, keeping line
//! endings, refusing any fix that adds a syntax error, and building the
//! input map of fix scripts.

pub mod compat;
pub mod write;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use rhai::{Dynamic, Map};

pub use compat::PythonVersion;

use crate::check::{FileEnv, Worker, syntax_errors};
use crate::dates::Date;
use crate::finding::{Applicability, Finding, Fix};
use crate::rule::Rule;
use crate::source::line_ending_of;

/// Rounds of fix-and-re-lint before giving up on convergence.
pub const MAX_ROUNDS: usize = 100;

/// Whether a fix of this applicability may be applied.
pub fn allowed(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// A fix chosen for a round, with the file each edit targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Rule id (for FIX002 reports).
    pub rule: String,
    /// Finding's file.
    pub path: String,
    /// Where the finding is (byte range in its file).
    pub range: Range<usize>,
    /// Edits as (target file, range, content).
    pub edits: Vec<(String, Range<usize>, String)>,
}

impl Candidate {
    /// Builds a candidate from a finding's fix (edits resolved to file paths).
    pub fn from_finding(f: &Finding, fix: &Fix) -> Self {
        Self {
            rule: f.rule.to_string(),
            path: f.path.to_string(),
            range: f.range.clone(),
            edits: fix
                .edits
                .iter()
                .map(|e| {
                    (
                        e.file.clone().unwrap_or_else(|| f.path.to_string()),
                        e.range.clone(),
                        e.content.clone(),
                    )
                })
                .collect(),
        }
    }
}

/// Selects fixes whose edits overlap no earlier selected edit (in any file);
/// the rest wait for the next round, as ruff does.
pub fn select_non_overlapping(candidates: Vec<Candidate>) -> (Vec<Candidate>, usize) {
    let mut taken: HashMap<String, Vec<Range<usize>>> = HashMap::new();
    let mut chosen = Vec::new();
    let mut deferred = 0;
    for c in candidates {
        let clash = c.edits.iter().any(|(file, r, _)| {
            taken
                .get(file)
                .is_some_and(|list| list.iter().any(|t| overlaps(t, r)))
        });
        let self_clash = c.edits.iter().enumerate().any(|(i, (f, r, _))| {
            c.edits[..i]
                .iter()
                .any(|(g, s, _)| f == g && overlaps(r, s))
        });
        if clash || self_clash {
            deferred += 1;
            continue;
        }
        for (file, r, _) in &c.edits {
            taken.entry(file.clone()).or_default().push(r.clone());
        }
        chosen.push(c);
    }
    (chosen, deferred)
}

/// Whether two edit ranges conflict (insertions at the same point do too).
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
        || a.start == b.start
        || (a.is_empty() || b.is_empty()) && (a.start == b.end || b.start == a.end)
}

/// Applies edits to `text` (they must not overlap). Newlines in the
/// replacement follow the file's line ending.
pub fn apply_edits(text: &str, edits: &[(Range<usize>, &str)]) -> String {
    let crlf = line_ending_of(text) == "\r\n";
    let mut sorted: Vec<&(Range<usize>, &str)> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, content) in sorted {
        out.push_str(&text[at..r.start]);
        if crlf {
            out.push_str(&normalize_crlf(content));
        } else {
            out.push_str(content);
        }
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

fn normalize_crlf(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Number of syntax errors in `text` for `target`: tree-sitter's error
/// regions, plus (before Python 3.12) f-string fields only PEP 701 allows.
pub fn error_count(worker: &mut Worker, text: &str, target: PythonVersion) -> usize {
    let Some(tree) = worker.parse(text) else {
        return usize::MAX;
    };
    let pep701 = if target.has_pep701() {
        0
    } else {
        compat::pre_pep701_violations(&tree, text)
    };
    syntax_errors(&tree).len() + pep701
}

/// The outcome of one round over the in-memory files.
#[derive(Debug, Default)]
pub struct RoundOutcome {
    /// Fixes applied.
    pub applied: usize,
    /// Fixes refused because they add a syntax error.
    pub rolled_back: Vec<Candidate>,
}

/// Applies the chosen fixes to `files` (path → text). Each touched file must
/// parse no worse than before; in a file that got worse, each fix is tried
/// alone: the ones that break it are refused, the others wait a round.
pub fn apply_round(
    worker: &mut Worker,
    files: &mut BTreeMap<String, String>,
    chosen: Vec<Candidate>,
    target: PythonVersion,
) -> RoundOutcome {
    let mut outcome = RoundOutcome::default();
    let mut before: HashMap<String, usize> = HashMap::new();
    let combined = edited(files, &chosen.iter().collect::<Vec<_>>());
    let mut worse: Vec<String> = Vec::new();
    for (f, new) in &combined {
        let old = *before
            .entry(f.clone())
            .or_insert_with(|| error_count(worker, &files[f], target));
        if error_count(worker, new, target) > old {
            worse.push(f.clone());
        }
    }
    let touches_worse = |c: &Candidate| c.edits.iter().any(|(f, _, _)| worse.contains(f));
    for c in chosen.iter().filter(|c| touches_worse(c)) {
        let alone = edited(files, &[c]);
        let breaks = alone.len() < distinct_files(c)
            || alone
                .iter()
                .any(|(f, new)| error_count(worker, new, target) > before[f]);
        if breaks {
            outcome.rolled_back.push(c.clone());
        }
    }
    let mut good: Vec<&Candidate> = chosen
        .iter()
        .filter(|c| !outcome.rolled_back.contains(c))
        .collect();
    if !worse.is_empty() {
        // Fixes fine alone may still clash together: then those wait a round.
        let still_worse = edited(files, &good)
            .iter()
            .any(|(f, new)| error_count(worker, new, target) > before.get(f).copied().unwrap_or(0));
        if still_worse {
            good.retain(|c| !touches_worse(c));
        }
    }
    for (f, new) in edited(files, &good) {
        files.insert(f, new);
    }
    outcome.applied = good.len();
    outcome
}

fn distinct_files(c: &Candidate) -> usize {
    c.edits
        .iter()
        .map(|e| &e.0)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

/// The new text of every file the fixes touch (files whose edits do not fit are left out).
fn edited(files: &BTreeMap<String, String>, fixes: &[&Candidate]) -> Vec<(String, String)> {
    let mut per_file: BTreeMap<&str, Vec<(Range<usize>, &str)>> = BTreeMap::new();
    for c in fixes {
        for (f, r, content) in &c.edits {
            per_file
                .entry(f.as_str())
                .or_default()
                .push((r.clone(), content.as_str()));
        }
    }
    per_file
        .into_iter()
        .filter_map(|(f, edits)| {
            let old = files.get(f)?;
            let fits = edits.iter().all(|(r, _)| {
                r.start <= r.end
                    && r.end <= old.len()
                    && old.is_char_boundary(r.start)
                    && old.is_char_boundary(r.end)
            });
            fits.then(|| (f.to_string(), apply_edits(old, &edits)))
        })
        .collect()
}

/// The map a fix script's `fix(m)` receives (documented in docs/scripting.md).
pub fn script_input(
    env: &FileEnv,
    rule: &Rule,
    reported: Range<usize>,
    captures: &[(&str, Range<usize>)],
    vars: &[(&'static str, String)],
    today: Date,
) -> Map {
    let range_map = |r: &Range<usize>| {
        let loc = env.lines.location(env.text, r.clone());
        let mut m = Map::new();
        m.insert("start".into(), (r.start as i64).into());
        m.insert("end".into(), (r.end as i64).into());
        m.insert("line".into(), (loc.start.line as i64).into());
        m.insert("column".into(), (loc.start.column as i64).into());
        m.insert("end_line".into(), (loc.end.line as i64).into());
        m.insert("end_column".into(), (loc.end.column as i64).into());
        m
    };
    let mut caps = Map::new();
    for (name, r) in captures {
        let mut c = range_map(r);
        c.insert("text".into(), env.text[r.clone()].into());
        caps.insert((*name).into(), c.into());
    }
    for (name, v) in vars {
        let mut c = Map::new();
        c.insert("text".into(), v.clone().into());
        caps.insert((*name).into(), c.into());
    }
    let line = env.lines.line_of(reported.start);
    let line_range = env.lines.line_range(line, env.text.len());
    let mut m = Map::new();
    m.insert("rule".into(), rule.id.to_string().into());
    m.insert("path".into(), env.rel_path.to_string().into());
    m.insert(
        "lane".into(),
        env.lane
            .map(|l| Dynamic::from(l.to_string()))
            .unwrap_or(Dynamic::UNIT),
    );
    m.insert("today".into(), today.to_string().into());
    m.insert("text".into(), env.text[reported.clone()].into());
    m.insert("range".into(), range_map(&reported).into());
    m.insert(
        "line_text".into(),
        env.text[line_range].trim_end_matches(['\n', '\r']).into(),
    );
    m.insert("captures".into(), caps.into());
    m.insert(
        "options".into(),
        toml_to_dynamic(&toml::Value::Table(rule.options.clone())),
    );
    m
}

fn toml_to_dynamic(v: &toml::Value) -> Dynamic {
    match v {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => (*f).into(),
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.iter().map(toml_to_dynamic).collect::<Vec<_>>().into(),
        toml::Value::Table(t) => {
            let m: Map = t
                .iter()
                .map(|(k, v)| (k.as_str().into(), toml_to_dynamic(v)))
                .collect();
            m.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(file: &str, r: Range<usize>, s: &str) -> Candidate {
        Candidate {
            rule: "X".into(),
            path: file.into(),
            range: r.clone(),
            edits: vec![(file.into(), r, s.into())],
        }
    }

    #[test]
    fn overlapping_edits_wait_a_round() {
        let (chosen, deferred) = select_non_overlapping(vec![
            cand("a.py", 0..5, "x"),
            cand("a.py", 3..8, "y"),
            cand("a.py", 8..9, "z"),
            cand("b.py", 0..5, "w"),
        ]);
        assert_eq!(chosen.len(), 3);
        assert_eq!(deferred, 1);
    }

    #[test]
    fn crlf_is_kept() {
        let text = "a = 1\r\nb = 2\r\n";
        assert_eq!(
            apply_edits(text, &[(0..5, "a = 1\nc = 3")]),
            "a = 1\r\nc = 3\r\nb = 2\r\n"
        );
        assert_eq!(apply_edits("a\nb\n", &[(0..1, "x\ny")]), "x\ny\nb\n");
    }

    #[test]
    fn fixes_that_break_syntax_are_rolled_back() {
        let mut w = Worker::new();
        let mut files = BTreeMap::from([("a.py".to_string(), "x = f(1)\ny = 2\n".to_string())]);
        let out = apply_round(
            &mut w,
            &mut files,
            vec![cand("a.py", 4..8, "f(1"), cand("a.py", 9..14, "y = 3")],
            PythonVersion::DEFAULT,
        );
        // The breaking fix is refused; the other still applies.
        assert_eq!(out.rolled_back.len(), 1);
        assert_eq!(out.applied, 1);
        assert_eq!(files["a.py"], "x = f(1)\ny = 3\n");
    }
}
