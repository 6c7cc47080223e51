//! Applying fixes: choosing non-overlapping fixes per round, keeping line
//! endings and refusing any fix that adds a syntax error ([`apply_round`]);
//! the rounds to convergence over a [`workspace::Workspace`] of files
//! ([`engine`]), and writing the result safely ([`mod@write`]).

pub mod engine;
pub mod workspace;
pub mod write;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use crate::finding::{Applicability, Edit, EditOp, Finding, Fix};
use crate::parse::{PythonVersion, Worker};
use crate::source::LineEnding;

/// The line ending of the line holding `offset` (a file with mixed endings
/// keeps each line's own); the file's dominant one on its last line.
fn ending_at(text: &str, offset: usize, dominant: LineEnding) -> LineEnding {
    // An edit that starts between the `\r` and `\n` of a CRLF is on the
    // line that CRLF ends.
    let offset = if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n')
    {
        offset - 1
    } else {
        offset
    };
    LineEnding::after(text, offset).map_or(dominant, |(_, ending)| ending)
}

/// Whether a fix of this applicability may be applied.
pub fn allowed(fix: &Fix, unsafe_fixes: bool) -> bool {
    fix.applicability == Applicability::Safe || unsafe_fixes
}

/// A fix offered in a round: the finding it comes from and its edits, each
/// naming its target file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Rule id (for FIX002 reports).
    pub rule: String,
    /// Finding's file.
    pub path: String,
    /// Where the finding is (byte range in its file).
    pub range: Range<usize>,
    /// Edits, each with `file` set.
    pub edits: Vec<Edit>,
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
                .map(|e| Edit {
                    file: Some(e.target(&f.path).to_string()),
                    ..e.clone()
                })
                .collect(),
        }
    }

    /// The files its edits touch.
    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.edits.iter().map(|e| e.target(&self.path))
    }
}

/// Selects fixes whose edits overlap no earlier selected edit (in any file);
/// the rest wait for the next round, as ruff does. Each file's taken ranges
/// are kept sorted, so a fix of many edits costs n log n, not n².
pub fn select_non_overlapping(candidates: Vec<Candidate>) -> (Vec<Candidate>, usize) {
    let mut taken: HashMap<String, BTreeSet<(usize, usize)>> = HashMap::new();
    let mut chosen = Vec::new();
    let mut deferred = 0;
    for c in candidates {
        let clash = c.edits.iter().any(|e| {
            taken
                .get(e.target(&c.path))
                .is_some_and(|set| clashes(set, &e.range))
        });
        // The candidate's own edits, file by file in order.
        let mut own: HashMap<&str, BTreeSet<(usize, usize)>> = HashMap::new();
        let mut self_clash = false;
        for e in &c.edits {
            let set = own.entry(e.target(&c.path)).or_default();
            if clashes(set, &e.range) {
                self_clash = true;
                break;
            }
            set.insert((e.range.start, e.range.end));
        }
        if clash || self_clash {
            deferred += 1;
            continue;
        }
        for e in &c.edits {
            taken
                .entry(e.target(&c.path).to_string())
                .or_default()
                .insert((e.range.start, e.range.end));
        }
        chosen.push(c);
    }
    (chosen, deferred)
}

/// Whether `r` conflicts with one of `set`, ranges that do not conflict
/// with each other (so sorted by start they are sorted by end too): only
/// those starting at or before `r`'s end and ending at or after its start
/// can, and they are the last ones before that end.
fn clashes(set: &BTreeSet<(usize, usize)>, r: &Range<usize>) -> bool {
    set.range(..=(r.end, usize::MAX))
        .rev()
        .take_while(|(_, end)| *end >= r.start)
        .any(|(start, end)| overlaps(&(*start..*end), r))
}

/// Whether two edit ranges conflict (insertions at the same point do too).
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
        || a.start == b.start
        || (a.is_empty() || b.is_empty()) && (a.start == b.end || b.start == a.end)
}

/// One replacement: the range, the new text, and whether that text keeps
/// its own line breaks ([`Edit::verbatim`](crate::finding::Edit)).
type Splice<'a> = (Range<usize>, &'a str, bool);

/// Applies edits to `text` (they must not overlap). Newlines in the
/// replacement follow the ending of the line at the edit.
pub fn apply_edits(text: &str, edits: &[(Range<usize>, &str)]) -> String {
    splice(
        text,
        edits.iter().map(|(r, s)| (r.clone(), *s, false)).collect(),
    )
}

/// Applies a fix's text edits to `text` (they must not overlap): newlines
/// in a replacement follow the ending of the line at the edit, unless the
/// edit is verbatim (a moved line keeps its own ending). The engine's
/// rounds do the same through [`apply_round`].
#[cfg(test)]
pub fn apply_fix_edits<'e>(text: &str, edits: impl IntoIterator<Item = &'e Edit>) -> String {
    splice(
        text,
        edits
            .into_iter()
            .map(|e| (e.range.clone(), e.content.as_str(), e.verbatim))
            .collect(),
    )
}

fn splice(text: &str, mut edits: Vec<Splice>) -> String {
    let dominant = LineEnding::of(text);
    edits.sort_by_key(|(r, ..)| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, content, verbatim) in edits {
        out.push_str(&text[at..r.start]);
        if verbatim {
            out.push_str(content);
        } else {
            out.push_str(&ending_at(text, r.start, dominant).apply(content));
        }
        at = r.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The outcome of one round over the in-memory files.
#[derive(Debug, Default)]
pub struct RoundOutcome {
    /// Fixes applied.
    pub applied: usize,
    /// The fixes applied.
    pub applied_fixes: Vec<Candidate>,
    /// Fixes refused because they add a syntax error.
    pub rolled_back: Vec<Candidate>,
}

/// Applies the chosen fixes to `files` (path → text). Each touched file must
/// parse no worse than before. In a file that got worse, fixes are added
/// one at a time and kept while the file stays no worse; one that breaks
/// the file even alone is refused, one that only clashes with those kept
/// waits a round. Fixes within one module-level statement are judged on
/// that statement's text alone (syntax and the constructs CPython rejects
/// are local to it), so a file with hundreds of fixes is not parsed
/// hundreds of times whole.
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
        if !is_python(f) {
            continue; // a config file a fix registers something in
        }
        let old = *before
            .entry(f.clone())
            .or_insert_with(|| files.get(f).map_or(0, |t| worker.error_count(t, target)));
        if worker.error_count(new, target) > old {
            worse.push(f.clone());
        }
    }
    let touches_worse = |c: &Candidate| c.targets().any(|f| worse.iter().any(|w| w == f));
    let mut good: Vec<&Candidate> = chosen.iter().filter(|c| !touches_worse(c)).collect();
    let mut judged = Judge {
        worker,
        target,
        before: &before,
        files,
        rolled_back: Vec::new(),
    };
    let mut kept: Vec<&Candidate> = Vec::new();
    for f in &worse {
        let in_file: Vec<&Candidate> = chosen
            .iter()
            .filter(|c| c.targets().all(|t| t == f))
            .collect();
        let refused_so_far = judged.rolled_back.len();
        let local = judged.by_statement(f, &in_file);
        // The statements' verdicts must hold for the whole file together.
        if judged.no_worse(&edited(judged.files, &local)) {
            kept.extend(local);
        } else {
            judged.rolled_back.truncate(refused_so_far);
            kept.extend(judged.greedy(Vec::new(), &in_file));
        }
    }
    // Fixes that reach several files, at least one of them worse: each is
    // judged with the fixes kept in the files it reaches.
    for c in chosen.iter().filter(|c| {
        touches_worse(c) && c.targets().collect::<std::collections::BTreeSet<_>>().len() > 1
    }) {
        let base: Vec<&Candidate> = kept
            .iter()
            .copied()
            .filter(|k| k.targets().any(|t| c.targets().any(|u| u == t)))
            .collect();
        let with = judged.greedy(base.clone(), &[c]);
        if with.len() > base.len() {
            kept.push(c);
        }
    }
    outcome.rolled_back = judged.rolled_back;
    good.extend(kept);
    for (f, new) in edited(files, &good) {
        files.insert(f, new);
    }
    outcome.applied = good.len();
    outcome.applied_fixes = good.into_iter().cloned().collect();
    outcome
}

/// Whether the engine judges `rel`'s syntax as Python: a fix may also edit
/// a config file (PYT001 registers a marker in `pytest.ini`), which is
/// text to the engine.
pub fn is_python(rel: &str) -> bool {
    rel.ends_with(".py") || rel.ends_with(".pyi")
}

/// Decides which fixes of files that got worse may stay.
struct Judge<'a, 'w> {
    worker: &'w mut Worker,
    target: PythonVersion,
    before: &'a HashMap<String, usize>,
    files: &'a BTreeMap<String, String>,
    rolled_back: Vec<Candidate>,
}

impl<'a> Judge<'a, '_> {
    /// Whether each of these new texts has no more errors than before.
    fn no_worse(&mut self, texts: &[(String, String)]) -> bool {
        texts.iter().all(|(f, new)| {
            !is_python(f)
                || self.worker.error_count(new, self.target)
                    <= self.before.get(f).copied().unwrap_or(0)
        })
    }

    /// Adds `candidates` one at a time to `kept` while the files stay no
    /// worse; the ones that break a file even alone are rolled back.
    fn greedy<'c>(
        &mut self,
        mut kept: Vec<&'c Candidate>,
        candidates: &[&'c Candidate],
    ) -> Vec<&'c Candidate> {
        for &c in candidates {
            if kept.contains(&c) {
                continue;
            }
            let mut trial = kept.clone();
            trial.push(c);
            let result = edited(self.files, &trial);
            if result.len() >= distinct_files(c) && self.no_worse(&result) {
                kept.push(c);
                continue;
            }
            let alone = edited(self.files, &[c]);
            if alone.len() < distinct_files(c) || !self.no_worse(&alone) {
                self.rolled_back.push(c.clone());
            }
        }
        kept
    }

    /// The fixes of file `f` that may stay, judged per module-level
    /// statement; fixes that fit in no single statement are judged on the
    /// whole file.
    fn by_statement<'c>(&mut self, f: &str, candidates: &[&'c Candidate]) -> Vec<&'c Candidate> {
        let Some(text) = self.files.get(f) else {
            return self.greedy(Vec::new(), candidates); // a file this round creates
        };
        let Some(tree) = self.worker.parse(text) else {
            return self.greedy(Vec::new(), candidates);
        };
        let root = tree.root_node();
        let mut cursor = root.walk();
        let statements: Vec<Range<usize>> = root
            .named_children(&mut cursor)
            .map(|n| n.byte_range())
            .collect();
        let mut groups: BTreeMap<usize, Vec<&'c Candidate>> = BTreeMap::new();
        let mut whole: Vec<&'c Candidate> = Vec::new();
        for &c in candidates {
            let home = statements.iter().position(|s| {
                c.edits
                    .iter()
                    .all(|e| s.start <= e.range.start && e.range.end <= s.end)
            });
            match home {
                Some(i) => groups.entry(i).or_default().push(c),
                None => whole.push(c),
            }
        }
        let mut kept = Vec::new();
        for (i, group) in groups {
            let s = &statements[i];
            kept.extend(self.local(&text[s.clone()], s.start, &group));
        }
        self.greedy(kept, &whole)
    }

    /// The greedy check on one statement's text (`offset`: where it starts).
    fn local<'c>(
        &mut self,
        snippet: &str,
        offset: usize,
        group: &[&'c Candidate],
    ) -> Vec<&'c Candidate> {
        let before = self.worker.error_count(snippet, self.target);
        let text_with = |cs: &[&Candidate]| {
            let edits = cs.iter().flat_map(|c| c.edits.iter()).map(|e| {
                let r = e.range.start - offset..e.range.end - offset;
                (r, e.content.as_str(), e.verbatim)
            });
            splice(snippet, edits.collect())
        };
        // Halving: a whole run of fixes that is fine costs one parse; only
        // the runs holding a bad fix are split, down to that fix.
        let mut kept: Vec<&'c Candidate> = Vec::new();
        let mut pending: Vec<&[&'c Candidate]> = vec![group];
        while let Some(run) = pending.pop() {
            let mut trial = kept.clone();
            trial.extend_from_slice(run);
            if self.worker.error_count(&text_with(&trial), self.target) <= before {
                kept = trial;
            } else if let [c] = run {
                if self.worker.error_count(&text_with(&[c]), self.target) > before {
                    self.rolled_back.push((*c).clone());
                }
            } else {
                let (left, right) = run.split_at(run.len() / 2);
                pending.push(right);
                pending.push(left);
            }
        }
        kept
    }
}

/// The files whose text `c` writes (a move or a deletion writes none).
fn distinct_files(c: &Candidate) -> usize {
    c.edits
        .iter()
        .filter(|e| !matches!(e.op, EditOp::Move { .. } | EditOp::Delete))
        .map(|e| e.target(&c.path))
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

/// The new text of every file the fixes touch (files whose edits do not fit are left out).
/// A file created by a fix must not exist yet and takes no other edit; a
/// move or a deletion changes no text (the engine moves or deletes the file
/// once the round is applied).
fn edited(files: &BTreeMap<String, String>, fixes: &[&Candidate]) -> Vec<(String, String)> {
    let mut per_file: BTreeMap<&str, Vec<Splice>> = BTreeMap::new();
    let mut created: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in fixes {
        for e in &c.edits {
            let target = e.target(&c.path);
            match &e.op {
                EditOp::Replace => per_file.entry(target).or_default().push((
                    e.range.clone(),
                    e.content.as_str(),
                    e.verbatim,
                )),
                EditOp::Create => created.entry(target).or_default().push(&e.content),
                EditOp::Move { .. } | EditOp::Delete => {}
            }
        }
    }
    let new_files = created.into_iter().filter_map(|(f, contents)| {
        let alone = contents.len() == 1 && !files.contains_key(f) && !per_file.contains_key(f);
        alone.then(|| (f.to_string(), contents[0].to_string()))
    });
    per_file
        .iter()
        .filter_map(|(f, edits)| {
            let old = files.get(*f)?;
            let fits = edits.iter().all(|(r, ..)| {
                r.start <= r.end
                    && r.end <= old.len()
                    && old.is_char_boundary(r.start)
                    && old.is_char_boundary(r.end)
            });
            fits.then(|| (f.to_string(), splice(old, edits.clone())))
        })
        .chain(new_files)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(file: &str, r: Range<usize>, s: &str) -> Candidate {
        Candidate {
            rule: "X".into(),
            path: file.into(),
            range: r.clone(),
            edits: vec![Edit::new(Some(file.into()), r, s.into())],
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
        // A script's CRLF on an LF line, and the CRLF line of a mixed file.
        assert_eq!(apply_edits("a\nb\n", &[(0..1, "x\r\ny")]), "x\ny\nb\n");
        assert_eq!(
            apply_edits("a\r\nb\nc\nd\n", &[(0..1, "x\ny")]),
            "x\r\ny\r\nb\nc\nd\n"
        );
    }

    #[test]
    fn a_lone_cr_line_keeps_its_cr() {
        // Each line's own ending: lone CR, CRLF, LF.
        let text = "a\rb\r\nc\n";
        assert_eq!(apply_edits(text, &[(0..1, "x\ny")]), "x\ry\rb\r\nc\n");
        assert_eq!(apply_edits(text, &[(2..3, "x\ny")]), "a\rx\r\ny\r\nc\n");
        assert_eq!(apply_edits(text, &[(5..6, "x\ny")]), "a\rb\r\nx\ny\n");
        // An insertion at a line start takes that line's ending.
        assert_eq!(
            apply_edits(text, &[(2..2, "import os\n")]),
            "a\rimport os\r\nb\r\nc\n"
        );
        assert_eq!(ending_at("a\r\nb", 2, LineEnding::Lf), LineEnding::CrLf);
        assert_eq!(ending_at("a\rb", 0, LineEnding::Lf), LineEnding::Cr);
        assert_eq!(ending_at("a\rb", 2, LineEnding::CrLf), LineEnding::CrLf);
    }

    /// A verbatim edit's line breaks are written as given (lines a fix
    /// moves keep their endings); others take the ending at the edit.
    #[test]
    fn a_verbatim_edit_keeps_its_own_endings() {
        let text = "a\rb\r\nc\n";
        let moved = "x\r\ny\nz\r";
        let plain = Edit::new(None, 2..2, moved.to_string());
        assert_eq!(apply_fix_edits(text, [&plain]), "a\rx\r\ny\r\nz\rb\r\nc\n");
        let kept = plain.keeping_endings();
        assert_eq!(apply_fix_edits(text, [&kept]), "a\rx\r\ny\nz\rb\r\nc\n");
        // Through a round of the engine too.
        let mut files = BTreeMap::from([("a.py".to_string(), text.to_string())]);
        let c = Candidate {
            rule: "X".into(),
            path: "a.py".into(),
            range: 2..2,
            edits: vec![Edit {
                file: Some("a.py".into()),
                ..kept
            }],
        };
        let out = apply_round(
            &mut Worker::new(),
            &mut files,
            vec![c],
            PythonVersion::DEFAULT,
        );
        assert_eq!(out.applied, 1);
        assert_eq!(files["a.py"], "a\rx\r\ny\nz\rb\r\nc\n");
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
