//! The one fix loop, used by `lint --fix`/`--diff`, `rulegate test`'s
//! `fixed` examples and `rulegate stubs`: rounds of choose → apply → re-check
//! over a [`Workspace`] until nothing applies, no round makes progress, or
//! [`MAX_ROUNDS`]. What re-checking means is the caller's ([`Findings`]):
//! the engine knows files, edits and syntax, not rules.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use super::workspace::Workspace;
use super::{Candidate, apply_round, select_non_overlapping};
use crate::finding::EditOp;
use crate::parse::{PythonVersion, Worker};

/// Rounds of fix-and-re-check before giving up on convergence.
pub const MAX_ROUNDS: usize = 100;

/// The findings a fix run works from, kept current by the caller.
pub trait Findings {
    /// The fixes on offer now (already filtered by applicability), with the
    /// byte ranges of syntax errors of each finding's file.
    fn candidates(&self) -> Vec<(Candidate, &[std::ops::Range<usize>])>;
    /// Checks `paths` again against the workspace's current texts.
    fn recheck(&mut self, paths: &[String], ws: &Workspace);
}

/// What a fix run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Fixes applied.
    pub applied: usize,
    /// The file of each applied fix's finding.
    pub applied_in: Vec<String>,
    /// Fixes refused, with why (FIX002).
    pub refused: Vec<(Candidate, Refusal)>,
}

/// Why the engine refused a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The fixed file would have more syntax errors (or constructs CPython
    /// rejects) than before.
    SyntaxError,
    /// The same fix came back at the same place after it was applied.
    NotConverging,
    /// The file would grow past [`growth_bound`].
    TooLarge,
}

impl Refusal {
    /// Why, in words (FIX002's `{reason}`).
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::SyntaxError => "it would add a syntax error",
            Refusal::NotConverging => {
                "it does not converge: its finding comes back after it is applied"
            }
            Refusal::TooLarge => "it would grow the file past four times its size (and 1 MiB)",
        }
    }
}

/// The largest a file may grow to through fixes, from its size when the
/// run started.
pub fn growth_bound(start_len: usize) -> usize {
    (start_len * 4).max(start_len + 1024 * 1024)
}

/// Options of a fix run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The Python the fixed files must still parse for.
    pub target: PythonVersion,
    /// Whether files that edits reach but that were not checked may be read
    /// from disk into the workspace.
    pub load_reached: bool,
}

/// Applies fixes round by round until they converge.
pub fn run(ws: &mut Workspace, findings: &mut dyn Findings, opts: Options) -> Outcome {
    let mut worker = Worker::new();
    let mut outcome = Outcome::default();
    let mut seen_states = BTreeSet::new();
    let mut applied_before: BTreeSet<u64> = BTreeSet::new();
    // Refused fixes are reported once and not tried again.
    let mut refused_before: BTreeSet<u64> = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        let offered = findings.candidates();
        if opts.load_reached {
            for c in offered.iter().map(|(c, _)| c) {
                for t in c.targets() {
                    ws.load(t);
                }
            }
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        for (c, error_regions) in offered {
            if usable(ws, &mut worker, &c, error_regions, opts.target) {
                candidates.push(c);
            }
        }
        // A fix applied once that is offered again, the same at the same
        // place, does not converge; one that would bloat its file is refused.
        candidates.retain(|c| !refused_before.contains(&key_of(ws, c)));
        candidates.retain(|c| {
            let refusal = if applied_before.contains(&key_of(ws, c)) {
                Some(Refusal::NotConverging)
            } else if grows_too_much(ws, c) {
                Some(Refusal::TooLarge)
            } else {
                None
            };
            if let Some(r) = refusal {
                refused_before.insert(key_of(ws, c));
                outcome.refused.push((c.clone(), r));
            }
            refusal.is_none()
        });
        if candidates.is_empty() {
            break;
        }
        candidates.sort_by(|a, b| (&a.path, a.range.start).cmp(&(&b.path, b.range.start)));
        let reach: Vec<(String, BTreeSet<String>)> = candidates
            .iter()
            .map(|c| (c.path.clone(), c.targets().map(str::to_string).collect()))
            .collect();
        let (chosen, _deferred) = select_non_overlapping(candidates);
        let keys: std::collections::HashMap<Candidate, u64> =
            chosen.iter().map(|c| (c.clone(), key_of(ws, c))).collect();
        let key = |c: &Candidate| keys.get(c).copied();
        let round = apply_round(&mut worker, ws.texts_mut(), chosen, opts.target);
        // The files this round changed: what its applied fixes wrote to,
        // and where they moved files to.
        let touched: BTreeSet<String> = round
            .applied_fixes
            .iter()
            .flat_map(|c| {
                c.edits.iter().map(|e| match &e.op {
                    EditOp::Move { to } => to.clone(),
                    _ => e.target(&c.path).to_string(),
                })
            })
            .collect();
        outcome.applied += round.applied;
        create_and_move(ws, &round.applied_fixes);
        applied_before.extend(round.applied_fixes.iter().filter_map(key));
        refused_before.extend(round.rolled_back.iter().filter_map(key));
        outcome
            .applied_in
            .extend(round.applied_fixes.into_iter().map(|c| c.path));
        outcome.refused.extend(
            round
                .rolled_back
                .into_iter()
                .map(|c| (c, Refusal::SyntaxError)),
        );
        if round.applied == 0 || !seen_states.insert(state_of(ws)) {
            break; // nothing applies, or fixes undo each other
        }
        // Re-check every file whose text changed, and every file whose fixes
        // reach into a changed file (their edits' offsets are stale).
        let mut again: BTreeSet<String> = touched.clone();
        for (path, targets) in &reach {
            if targets.iter().any(|t| touched.contains(t)) {
                again.insert(path.clone());
            }
        }
        let again: Vec<String> = again.into_iter().collect();
        findings.recheck(&again, ws);
    }
    outcome
}

/// Whether a candidate may be tried: every file it edits is in the
/// workspace and had no syntax error when the run started, and no edit of
/// its own file touches an error region.
fn usable(
    ws: &mut Workspace,
    worker: &mut Worker,
    c: &Candidate,
    error_regions: &[std::ops::Range<usize>],
    target: crate::parse::PythonVersion,
) -> bool {
    let in_error = c.edits.iter().any(|e| {
        e.target(&c.path) == c.path
            && error_regions
                .iter()
                .any(|r| e.range.start <= r.end && r.start <= e.range.end)
    });
    !in_error
        && c.edits.iter().all(|e| {
            let t = e.target(&c.path);
            match &e.op {
                EditOp::Replace => ws.contains(t) && !ws.is_broken(t, worker, target),
                // Never over a file that exists, in the run or on disk.
                EditOp::Create => !ws.contains(t) && !ws.exists_on_disk(t),
                EditOp::Move { to } => ws.contains(t) && !ws.contains(to) && !ws.exists_on_disk(to),
                // Only a file the run read (its bytes are what is checked
                // before the delete).
                EditOp::Delete => ws.contains(t),
            }
        })
}

/// Files created, moved and deleted by the fixes a round applied.
fn create_and_move(ws: &mut Workspace, applied: &[Candidate]) {
    for c in applied {
        for e in &c.edits {
            match &e.op {
                EditOp::Replace => {}
                EditOp::Create => ws.mark_created(e.target(&c.path)),
                EditOp::Move { to } => {
                    ws.rename(e.target(&c.path), to);
                }
                EditOp::Delete => {
                    ws.mark_deleted(e.target(&c.path));
                }
            }
        }
    }
}

/// A fix's identity across rounds: its rule, file, the text it was found
/// on and what its edits write, not where (a fix that inserts above its
/// finding moves the finding down every round).
fn key_of(ws: &Workspace, c: &Candidate) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let found = ws.text(&c.path).and_then(|t| t.get(c.range.clone()));
    (&c.rule, &c.path, found).hash(&mut h);
    for e in &c.edits {
        (e.target(&c.path), &e.content, e.range.len()).hash(&mut h);
    }
    h.finish()
}

/// Whether applying `c` would grow a file past its [`growth_bound`].
fn grows_too_much(ws: &Workspace, c: &Candidate) -> bool {
    let mut delta: std::collections::BTreeMap<&str, isize> = Default::default();
    for e in &c.edits {
        *delta.entry(e.target(&c.path)).or_default() +=
            e.content.len() as isize - e.range.len() as isize;
    }
    delta.into_iter().any(|(file, d)| {
        let now = ws.text(file).map_or(0, str::len) as isize;
        ws.start_len(file)
            .is_some_and(|start| now + d > growth_bound(start) as isize)
    })
}

fn state_of(ws: &Workspace) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ws.texts().hash(&mut h);
    h.finish()
}

/// A fixed list of fixes, offered once: `rulegate promote` plans its edits
/// up front, so there is nothing to re-check.
pub struct Planned(pub Vec<Candidate>);

impl Findings for Planned {
    fn candidates(&self) -> Vec<(Candidate, &[std::ops::Range<usize>])> {
        self.0.iter().map(|c| (c.clone(), &[][..])).collect()
    }

    fn recheck(&mut self, _paths: &[String], _ws: &Workspace) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Edit;
    use crate::source::SourceText;
    use std::path::PathBuf;

    fn planned(file: &str, r: std::ops::Range<usize>, s: &str) -> Candidate {
        Candidate {
            rule: "X".into(),
            path: file.into(),
            range: r.clone(),
            edits: vec![Edit::new(Some(file.into()), r, s.into())],
        }
    }

    fn opts() -> Options {
        Options {
            target: PythonVersion::DEFAULT,
            load_reached: false,
        }
    }

    #[test]
    fn planned_fixes_apply_once_and_broken_files_are_left_alone() {
        let mut ws = Workspace::new(PathBuf::from("/nonexistent"));
        ws.insert("a.py", None, &SourceText::new("x = 1\n"));
        ws.insert("b.py", None, &SourceText::new("x = (\n"));
        let mut plan = Planned(vec![planned("a.py", 4..5, "2"), planned("b.py", 0..1, "y")]);
        let out = run(&mut ws, &mut plan, opts());
        assert_eq!(out.applied, 1);
        assert_eq!(out.applied_in, ["a.py"]);
        assert_eq!(ws.text("a.py"), Some("x = 2\n"));
        assert_eq!(
            ws.text("b.py"),
            Some("x = (\n"),
            "a file with a syntax error is never edited"
        );
    }

    /// Offered again and again, as a fix that never removes its finding is.
    struct Stubborn(Candidate);

    impl Findings for Stubborn {
        fn candidates(&self) -> Vec<(Candidate, &[std::ops::Range<usize>])> {
            vec![(self.0.clone(), &[][..])]
        }

        fn recheck(&mut self, _paths: &[String], _ws: &Workspace) {}
    }

    #[test]
    fn a_fix_that_never_converges_is_applied_once() {
        let mut ws = Workspace::new(PathBuf::from("/nonexistent"));
        ws.insert("a.py", None, &SourceText::new("x = 1\n"));
        let mut f = Stubborn(planned("a.py", 0..0, "import os\n"));
        let out = run(&mut ws, &mut f, opts());
        assert_eq!(out.applied, 1);
        assert_eq!(ws.text("a.py"), Some("import os\nx = 1\n"));
        assert_eq!(out.refused.len(), 1);
        assert_eq!(out.refused[0].1, Refusal::NotConverging);
    }

    #[test]
    fn a_fix_that_bloats_its_file_is_refused() {
        let mut ws = Workspace::new(PathBuf::from("/nonexistent"));
        ws.insert("a.py", None, &SourceText::new("x = 1\n"));
        let huge = "y = 2\n".repeat(300_000);
        let mut f = Planned(vec![planned("a.py", 0..0, &huge)]);
        let out = run(&mut ws, &mut f, opts());
        assert_eq!(out.applied, 0);
        assert_eq!(out.refused[0].1, Refusal::TooLarge);
    }

    #[test]
    fn fixes_create_and_move_files_but_never_over_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("taken.py"), "x = 0\n").unwrap();
        std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
        let mut ws = Workspace::new(dir.path().to_path_buf());
        ws.insert(
            "a.py",
            Some(dir.path().join("a.py")),
            &SourceText::new("x = 1\n"),
        );
        let fix = |edits: Vec<Edit>| Candidate {
            rule: "X".into(),
            path: "a.py".into(),
            range: 0..0,
            edits,
        };
        let mut plan = Planned(vec![
            fix(vec![Edit::create("pkg/new.py".into(), "y = 2\n".into())]),
            fix(vec![Edit::create("taken.py".into(), "z = 3\n".into())]),
            fix(vec![Edit::rename("a.py".into(), "b.py".into())]),
        ]);
        let out = run(&mut ws, &mut plan, opts());
        assert_eq!(out.applied, 2, "{out:?}");
        assert_eq!(ws.text("pkg/new.py"), Some("y = 2\n"));
        assert_eq!(ws.text("b.py"), Some("x = 1\n"));
        let (written, errors) = ws.write();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(written.len(), 2);
        let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).ok();
        assert_eq!(read("pkg/new.py").as_deref(), Some("y = 2\n"));
        assert_eq!(read("b.py").as_deref(), Some("x = 1\n"));
        assert_eq!(read("a.py"), None, "moved away");
        assert_eq!(
            read("taken.py").as_deref(),
            Some("x = 0\n"),
            "never overwritten"
        );
        let diff = crate::report::diffs(&written);
        assert!(
            diff.contains("--- /dev/null") && diff.contains("rename from a.py"),
            "{diff}"
        );
    }

    #[test]
    fn a_delete_removes_a_file_read_unchanged_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["a.py", "b.py"] {
            std::fs::write(dir.path().join(f), "x = 1\n").unwrap();
        }
        let mut ws = Workspace::new(dir.path().to_path_buf());
        for f in ["a.py", "b.py"] {
            ws.insert(f, Some(dir.path().join(f)), &SourceText::new("x = 1\n"));
        }
        let fix = |file: &str| Candidate {
            rule: "X".into(),
            path: "a.py".into(),
            range: 0..0,
            edits: vec![Edit::delete(file.into())],
        };
        // A file the run never read is not deleted.
        let mut plan = Planned(vec![fix("a.py"), fix("unread.py")]);
        assert_eq!(run(&mut ws, &mut plan, opts()).applied, 1);
        assert!(ws.is_deleted("a.py") && ws.text("a.py").is_none());
        // b.py changed on disk since it was read: kept.
        let mut plan = Planned(vec![fix("b.py")]);
        assert_eq!(run(&mut ws, &mut plan, opts()).applied, 1);
        std::fs::write(dir.path().join("b.py"), "x = 2\n").unwrap();
        let (written, errors) = ws.write();
        assert_eq!(written.len(), 1, "{errors:?}");
        assert!(errors[0].1.contains("changed on disk"), "{errors:?}");
        assert!(!dir.path().join("a.py").exists());
        assert!(dir.path().join("b.py").exists());
        let diff = crate::report::diffs(&written);
        assert_eq!(
            diff,
            "deleted file mode 100644\n--- a/a.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n"
        );
    }

    #[test]
    fn edits_of_unknown_files_are_not_tried() {
        let mut ws = Workspace::new(PathBuf::from("/nonexistent"));
        ws.insert("a.py", None, &SourceText::new("x = 1\n"));
        let mut plan = Planned(vec![planned("elsewhere.py", 0..1, "y")]);
        assert_eq!(run(&mut ws, &mut plan, opts()).applied, 0);
    }
}
