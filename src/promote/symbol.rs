//! `rulegate rename pkg.mod.Old --to New [--alias]` (SPEC §1, §3.5): a
//! top-level class or function renamed everywhere it is referenced,
//! planned by the one rename engine (`rename::symbol`, file by file) and
//! carried by promote's machinery: the plan is a [`Promotion`] that moves
//! no file, applied in memory through the fix engine, judged by a gate,
//! and committed as one journaled transaction with its audit line.
//!
//! The gate of a rename: the findings its rewrites add (every active rule
//! on each rewritten file, before and after), what the engine refuses (the
//! new name already bound where the rename lands, the old one bound
//! again), and what it cannot prove (a computed attribute name on a module
//! that binds the symbol). Refusals cannot be forced; the rest can, with
//! `--force --reason`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::json;

use super::txn::Journal;
use super::{FilePlan, Gate, PromoteError, Promotion, apply, audit};
use crate::check::Checker;
use crate::finding::Finding;
use crate::fix::workspace::Workspace;
use crate::imports::resolve::TargetKind;
use crate::lint::file::check_source;
use crate::names::NameModel;
use crate::parse::Worker;
use crate::rename::symbol::{Listed, SymbolRename, check_definition};
use crate::rename::{Parsed, Rename};
use crate::run::Run;

/// A planned symbol rename.
#[derive(Debug, Clone)]
pub struct SymbolPlan {
    /// The old name.
    pub old: String,
    /// The new name.
    pub new: String,
    /// Whether `--alias` keeps the old name answering, deprecated.
    pub alias: bool,
    /// The modules that bind the symbol (the defining one first, then its
    /// first-party re-exporters).
    pub modules: Vec<String>,
    /// The rewrites, as a promotion that moves no file
    /// (`pkg.mod.Old` → `pkg.mod.New`).
    pub promotion: Promotion,
    /// What the rename refuses: (path, place).
    pub refusals: Vec<(String, Listed)>,
    /// What may reach the symbol but cannot be proven to: (path, place).
    pub unprovable: Vec<(String, Listed)>,
}

impl SymbolPlan {
    /// `pkg.mod.Old`.
    pub fn target(&self) -> &str {
        &self.promotion.rename.src
    }

    /// Whether `--apply` is refused whatever `--force` says.
    pub fn refused(&self) -> bool {
        !self.refusals.is_empty()
    }

    /// Whether the gate blocks `--apply` (without `--force`).
    pub fn blocked(&self, gate: &Gate) -> bool {
        self.refused() || !self.unprovable.is_empty() || gate.blocked()
    }
}

/// One file read for the rename.
struct File {
    rel: String,
    module: String,
    text: std::sync::Arc<str>,
    tree: tree_sitter::Tree,
    names: NameModel,
}

impl File {
    fn parsed(&self) -> Parsed<'_> {
        Parsed {
            text: &self.text,
            tree: &self.tree,
            sites: &[],
            names: &self.names,
        }
    }
}

/// Whether `s` is a Python identifier that is not a keyword.
fn is_identifier(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield",
    ];
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
}

/// Plans renaming `target` (`pkg.mod.Old`) to `new` (`New`, or
/// `pkg.mod.New`).
pub fn plan(run: &Run, target: &str, new: &str, alias: bool) -> Result<SymbolPlan, PromoteError> {
    let (module, old) = target
        .rsplit_once('.')
        .filter(|(m, o)| is_identifier(o) && m.split('.').all(is_identifier))
        .ok_or_else(|| PromoteError::BadName(target.to_string()))?;
    let new = match new.rsplit_once('.') {
        Some((m, n)) if m == module => n,
        Some(_) => {
            return Err(PromoteError::NotRenamable(format!(
                "`{new}` is in another module; `rename` keeps the symbol in `{module}` (give the new name alone)"
            )));
        }
        None => new,
    };
    if !is_identifier(new) {
        return Err(PromoteError::NotRenamable(format!(
            "`{new}` is not a Python identifier"
        )));
    }
    if new == old {
        return Err(PromoteError::NotRenamable(format!(
            "`{old}` is already called that"
        )));
    }
    let resolver = &run.project.modules;
    let defining = resolver
        .resolve(module)
        .filter(|t| t.kind != TargetKind::Namespace)
        .ok_or_else(|| PromoteError::NotAModule(module.to_string()))?;
    let files = read_files(run, old, &defining.rel);
    let def = files
        .iter()
        .find(|f| f.rel == defining.rel)
        .ok_or_else(|| {
            PromoteError::NotRenamable(format!("`{old}` is not defined in `{}`", defining.rel))
        })?;
    check_definition(&def.names, &def.text, old, new)
        .map_err(|e| PromoteError::NotRenamable(format!("{e} (in `{}`)", def.rel)))?;
    let calls = super::string_calls(run);
    let modules = binders(run, &files, module, old, new, alias);
    let mut plans = Vec::new();
    let mut refusals = Vec::new();
    let mut unprovable = Vec::new();
    for f in &files {
        let sr = SymbolRename {
            old,
            new,
            modules: &modules,
            module: &f.module,
            relative: Some((resolver, &f.rel)),
            string_calls: &calls,
            alias,
        };
        let outcome = sr.rewrites(&f.parsed());
        refusals.extend(outcome.refusals.into_iter().map(|l| (f.rel.clone(), l)));
        unprovable.extend(outcome.unprovable.into_iter().map(|l| (f.rel.clone(), l)));
        if !outcome.rewrites.is_empty() {
            plans.push(FilePlan {
                path: f.rel.clone(),
                moved_to: None,
                rewrites: outcome.rewrites,
                lane: run.lane_of(&f.rel).map(|l| l.to_string()),
            });
        }
    }
    Ok(SymbolPlan {
        old: old.to_string(),
        new: new.to_string(),
        alias,
        modules,
        promotion: Promotion {
            rename: Rename {
                src: target.to_string(),
                dst: format!("{module}.{new}"),
            },
            files: plans,
            dst_lane: None,
            shim_path: defining.rel,
            raw: Vec::new(),
            review: Vec::new(),
        },
        refusals,
        unprovable,
    })
}

/// Every Python file of the repository that spells `old` or calls a
/// `getattr`-like function (and the
/// defining module's file, walked or not), parsed with its name model.
fn read_files(run: &Run, old: &str, defining: &str) -> Vec<File> {
    let resolver = &run.project.modules;
    let mut all: Vec<(String, PathBuf)> =
        crate::walk::collect(&run.config, std::slice::from_ref(&run.config.root), true)
            .into_iter()
            .map(|f| (f.rel, f.path))
            .collect();
    if !all.iter().any(|(rel, _)| rel == defining) {
        all.push((defining.to_string(), run.config.root.join(defining)));
    }
    let mut files: Vec<File> = all
        .par_iter()
        .map_init(Worker::new, |worker, (rel, path)| {
            let text = crate::source::read_source(path).ok()?.text;
            // A file that never spells the name may still name it by a
            // computed `getattr`-like access (listed as not provable).
            if !text.contains(old) && !text.contains("attr(") && !text.contains(".object(") {
                return None;
            }
            let tree = worker.parse(&text)?;
            let names = NameModel::build(&tree, &text);
            Some(File {
                module: resolver.module_of(rel).0,
                rel: rel.clone(),
                text,
                tree,
                names,
            })
        })
        .flatten()
        .collect();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files
}

/// The defining module and every module that binds the symbol at module
/// level through it (`from pkg.mod import Old` in `pkg/__init__.py`, a
/// star import), to a fixed point: re-exports of re-exports count.
fn binders(
    run: &Run,
    files: &[File],
    module: &str,
    old: &str,
    new: &str,
    alias: bool,
) -> Vec<String> {
    let resolver = &run.project.modules;
    let mut modules = vec![module.to_string()];
    loop {
        let found: Vec<String> = files
            .iter()
            .filter(|f| !modules.contains(&f.module))
            .filter(|f| {
                SymbolRename {
                    old,
                    new,
                    modules: &modules,
                    module: &f.module,
                    relative: Some((resolver, &f.rel)),
                    string_calls: &[],
                    alias,
                }
                .rebinds(&f.parsed())
            })
            .map(|f| f.module.clone())
            .collect();
        if found.is_empty() {
            return modules;
        }
        modules.extend(found);
        modules[1..].sort();
        modules.dedup();
    }
}

/// The findings the rename adds: every active rule on each rewritten file,
/// before (on disk) and after (`ws`); a finding counts as added when its
/// rule and message (with the old name read as the new) occur more often
/// after than before in that file.
pub fn gate(run: &Run, ws: &Workspace, old: &str, new: &str) -> Gate {
    let after = Checker {
        overlay: Some(ws.texts()),
        ..Checker::new(run)
    };
    let before = Checker::new(run);
    let mut worker = Worker::new();
    let mut findings: Vec<Finding> = Vec::new();
    for c in ws.changed() {
        let path: Arc<str> = Arc::from(c.rel.as_str());
        let was = check_source(
            &before,
            &mut worker,
            path.clone(),
            crate::source::SourceText::new(&c.before),
        );
        let Some(src) = ws.source(&c.rel) else {
            continue;
        };
        let now = check_source(&after, &mut worker, path, src);
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for f in &was.findings {
            *counts
                .entry((f.rule.to_string(), f.message.replace(old, new)))
                .or_default() += 1;
        }
        for f in now.findings {
            match counts.get_mut(&(f.rule.to_string(), f.message.clone())) {
                Some(n) if *n > 0 => *n -= 1,
                _ => findings.push(f),
            }
        }
    }
    Gate {
        findings,
        forbidden: Vec::new(),
        criteria: Vec::new(),
    }
}

/// What `--apply` did.
pub enum Applied {
    /// Committed into the journal: the files rewritten.
    Done(Vec<String>),
    /// Refused or blocked: nothing written.
    Blocked,
}

/// `--apply`: the plan's writes and its audit line, committed into
/// `journal`, unless the plan is refused or the gate blocks it and no
/// `force_reason` is given.
pub fn apply(
    run: &Run,
    plan: &SymbolPlan,
    ws: &Workspace,
    gate: &Gate,
    force_reason: Option<&str>,
    journal: &mut Journal,
) -> Result<Applied, PromoteError> {
    if plan.refused() || (plan.blocked(gate) && force_reason.is_none()) {
        return Ok(Applied::Blocked);
    }
    let (mut ops, rewritten) = apply::writes(run, &plan.promotion, ws, false)?;
    let unchanged: Vec<(String, Vec<u8>)> = ws
        .changed()
        .into_iter()
        .map(|c| (c.rel, c.before.into_bytes()))
        .collect();
    let line = json!({
        "time": jiff::Timestamp::now().to_string(),
        "command": "rename",
        "symbol": plan.target(),
        "to": plan.new,
        "alias": plan.alias,
        "rewritten": rewritten,
        "verdict": if plan.blocked(gate) { "blocked" } else { "pass" },
        "forced": force_reason.is_some() && plan.blocked(gate),
        "reason": force_reason,
    });
    ops.push(audit::append(
        &run.config.root,
        &run.config.promote.audit_log,
        &format!("{line}\n"),
    ));
    journal.commit(ops, &unchanged)?;
    Ok(Applied::Done(rewritten))
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn identifiers_exclude_keywords_and_dots() {
        assert!(is_identifier("New_2"));
        assert!(!is_identifier("class"));
        assert!(!is_identifier("a.b"));
        assert!(!is_identifier("2x"));
    }
}
