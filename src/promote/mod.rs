//! `rulegate promote SRC --to DST` (SPEC §4.8): the promotion gate, and the
//! move that rewrites every reference to the module. The plan finds the
//! files that move and every reference in the repository; the fix engine
//! applies it all at once (atomic, syntax-checked, nothing written if any
//! file would break); the gate judges the moved code where it will live.

pub mod apply;
pub mod audit;
pub mod batch;
pub mod criteria;
pub mod files;
pub mod report;
pub mod shim;
pub mod symbol;
pub mod symbol_report;
pub mod txn;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analyzers::imports::{DEFAULT_MODULE_STRING_CALLS, may_import};
use crate::check::Checker;
use crate::finding::{Edit, Finding, Severity};
use crate::fix::Candidate;
use crate::fix::engine;
use crate::fix::workspace::Workspace;
use crate::imports::DEFAULT_DYNAMIC_CALLS;
use crate::imports::resolve::{Target, TargetKind};
use crate::lint::file::check_source;
use crate::parse::Worker;
use crate::rename::{FileRename, Parsed, Rename, Review, Rewrite};
use crate::rule::Matcher;
use crate::run::Run;

/// Why a promotion cannot be planned or applied.
#[derive(Debug, thiserror::Error)]
pub enum PromoteError {
    /// SRC names no module or package of the repository.
    #[error("`{0}` is not a module or package of this repository")]
    NotAModule(String),
    /// A name that is not a dotted module name or a path.
    #[error("`{0}` is not a module name (`pkg.mod`) or a path")]
    BadName(String),
    /// DST exists already.
    #[error("`{0}` exists already; a promotion never overwrites")]
    Exists(String),
    /// DST's parent package does not exist.
    #[error("`{0}`, the parent package of the destination, does not exist")]
    NoParent(String),
    /// A rewritten file would not parse, or could not be edited.
    #[error("nothing was changed: {0}")]
    Refused(String),
    /// A symlink the move cannot follow (out of the repository, or the
    /// package folder itself).
    #[error("refused: {0}")]
    Symlink(String),
    /// DST is SRC or inside it.
    #[error("refused: `{dst}` is inside `{src}`; a package cannot move into itself")]
    InsideSource {
        /// The source.
        src: String,
        /// The destination.
        dst: String,
    },
    /// A top-level DST would shadow another module for the whole repository.
    #[error(
        "refused: `{dst}` would shadow {what} for every file of the repository; choose a name inside a package of yours"
    )]
    Shadows {
        /// The destination.
        dst: String,
        /// What it shadows.
        what: &'static str,
    },
    /// A batch file or its rows cannot be used.
    #[error("{0}")]
    Batch(String),
    /// A symbol that `rulegate rename` cannot rename (not a top-level
    /// class or function, a new name already bound there, a bad name).
    #[error("refused: {0}")]
    NotRenamable(String),
    /// The transaction failed; everything was rolled back.
    #[error("nothing was changed: {0}")]
    Tx(#[from] txn::TxError),
}

/// One file the move touches: where it is, where it goes, what changes in it.
#[derive(Debug, Clone)]
pub struct FilePlan {
    /// Project-relative path now.
    pub path: String,
    /// Where it moves, for the files of the module.
    pub moved_to: Option<String>,
    /// The reference rewrites it needs.
    pub rewrites: Vec<Rewrite>,
    /// Its lane (where it is now).
    pub lane: Option<String>,
}

/// A place the move leaves as it is, for a person to check (listed in the
/// gate as "needs review").
#[derive(Debug, Clone, serde::Serialize)]
pub struct ToReview {
    /// The file's project-relative path after the move.
    pub path: String,
    /// What and where.
    #[serde(flatten)]
    pub review: Review,
}

/// A planned promotion.
#[derive(Debug, Clone)]
pub struct Promotion {
    /// The move, as module names.
    pub rename: Rename,
    /// Every file that moves or changes, in path order.
    pub files: Vec<FilePlan>,
    /// The lane of the destination.
    pub dst_lane: Option<String>,
    /// Where a `--shim` goes (the module's file, or its package's `__init__`).
    pub shim_path: String,
    /// Files that move as bytes, unread (not Python, not UTF-8, or links):
    /// `(from, to, is_link)`.
    pub raw: Vec<(String, String, bool)>,
    /// The places that name SRC but are not rewritten, in path order.
    pub review: Vec<ToReview>,
}

impl Promotion {
    /// The package folder that moves, when SRC is a package.
    pub fn src_dir(&self) -> Option<&str> {
        self.shim_path
            .strip_suffix("/__init__.py")
            .or_else(|| self.shim_path.strip_suffix("/__init__.pyi"))
    }

    /// How many files move (read and rewritten, or as bytes).
    pub fn moved_count(&self) -> usize {
        self.files.iter().filter(|f| f.moved_to.is_some()).count() + self.raw.len()
    }

    /// The project paths that move, where they are now.
    pub fn moved_paths(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .filter(|f| f.moved_to.is_some())
            .map(|f| f.path.as_str())
            .chain(self.raw.iter().map(|(from, _, _)| from.as_str()))
    }

    /// The files of other modules that reference the moved one.
    pub fn importers(&self) -> impl Iterator<Item = &FilePlan> {
        self.files
            .iter()
            .filter(|f| f.moved_to.is_none() && !f.rewrites.is_empty())
    }
}

/// A module name from a dotted name or a project path (`candidate/x.py`,
/// `candidate/x/`).
fn module_name(run: &Run, name: &str) -> Result<String, PromoteError> {
    let is_path = name.contains('/') || name.ends_with(".py") || name.ends_with(".pyi");
    let dotted = if is_path {
        let path = PathBuf::from(name);
        let abs = if path.is_absolute() {
            path
        } else {
            std::env::current_dir()
                .map(|d| d.join(&path))
                .unwrap_or(path)
        };
        let rel = crate::walk::relative(&run.config, &abs);
        let rel = rel.trim_end_matches('/');
        run.project.modules.module_of(rel).0
    } else {
        name.to_string()
    };
    let valid = !dotted.is_empty()
        && dotted.split('.').all(|s| {
            !s.is_empty()
                && !s.starts_with(|c: char| c.is_ascii_digit())
                && s.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
    if valid {
        Ok(dotted)
    } else {
        Err(PromoteError::BadName(name.to_string()))
    }
}

/// The calls whose string argument names a module: the first active
/// `check = "lanes"` rule's `module_string_calls`, else the default.
pub(crate) fn string_calls(run: &Run) -> Vec<String> {
    run.rules
        .rules
        .iter()
        .find_map(|r| match &r.matcher {
            Matcher::Analyzer(a) => (a.as_ref() as &dyn std::any::Any)
                .downcast_ref::<crate::analyzers::imports::lanes::Lanes>()?
                .module_string_calls()
                .map(<[String]>::to_vec),
            _ => None,
        })
        .unwrap_or_else(|| {
            DEFAULT_MODULE_STRING_CALLS
                .iter()
                .map(|s| s.to_string())
                .collect()
        })
}

/// Plans moving `src` to `dst` (module names or paths).
pub fn plan(run: &Run, src: &str, dst: &str) -> Result<Promotion, PromoteError> {
    let resolver = &run.project.modules;
    let src = module_name(run, src)?;
    let dst = module_name(run, dst)?;
    let target = resolver
        .resolve(&src)
        .filter(|t| t.kind != TargetKind::Namespace)
        .ok_or_else(|| PromoteError::NotAModule(src.clone()))?;
    files::check_names(&src, &dst)?;
    if resolver.resolve(&dst).is_some() {
        return Err(PromoteError::Exists(dst));
    }
    let moves = moves(run, &src, &target, &dst)?;
    let root = &run.config.root;
    // The destination package's folder (or module) must not exist at all.
    if let Some(top) = dst_top(&target, &moves)
        && std::fs::symlink_metadata(root.join(&top)).is_ok()
    {
        return Err(PromoteError::Exists(top));
    }
    for (_, to, _) in &moves {
        files::check_inside(root, to)?;
        if std::fs::symlink_metadata(root.join(to)).is_ok() {
            return Err(PromoteError::Exists(to.clone()));
        }
    }
    let rename = Rename { src, dst };
    let (files, review) = file_plans(run, &rename, &moves);
    let raw = moves
        .iter()
        .filter(|(from, _, _)| !files.iter().any(|f| &f.path == from))
        .cloned()
        .collect();
    let dst_lane_path = moves
        .iter()
        .find(|(from, _, _)| *from == target.rel)
        .map(|(_, to, _)| to.clone())
        .unwrap_or_default();
    Ok(Promotion {
        rename,
        files,
        dst_lane: run.config.lane_of(&dst_lane_path).map(|l| l.name.clone()),
        shim_path: target.rel,
        raw,
        review,
    })
}

/// The path DST takes as a whole: its package folder (where the package's
/// `__init__` goes), or its module file.
fn dst_top(target: &Target, moves: &[(String, String, bool)]) -> Option<String> {
    let (_, to, _) = moves.iter().find(|(from, _, _)| *from == target.rel)?;
    Some(match target.kind {
        TargetKind::Module => to.clone(),
        _ => to
            .rsplit_once('/')
            .map_or(to.clone(), |(d, _)| d.to_string()),
    })
}

/// The files that move from `src` (resolved to `target`) to `dst`, and
/// where each goes: in DST's parent package, else beside the source's
/// top-level package (the same import root). `(from, to, is_link)`.
fn moves(
    run: &Run,
    src: &str,
    target: &Target,
    dst: &str,
) -> Result<Vec<(String, String, bool)>, PromoteError> {
    let src_prefix = {
        let path_part = src.replace('.', "/");
        let stem = target
            .rel
            .strip_suffix("/__init__.py")
            .or_else(|| target.rel.strip_suffix("/__init__.pyi"))
            .or_else(|| target.rel.strip_suffix(".py"))
            .or_else(|| target.rel.strip_suffix(".pyi"))
            .unwrap_or(&target.rel);
        stem.strip_suffix(&path_part).unwrap_or("").to_string()
    };
    let (dst_parent, dst_last) = dst.rsplit_once('.').unwrap_or(("", dst));
    let dst_base = if dst_parent.is_empty() {
        src_prefix.trim_end_matches('/').to_string()
    } else {
        match run.project.modules.resolve(dst_parent) {
            Some(t) if t.kind == TargetKind::Namespace => t.rel,
            Some(t) if t.kind == TargetKind::Package => t
                .rel
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string()),
            _ => return Err(PromoteError::NoParent(dst_parent.to_string())),
        }
    };
    let join = |rest: &str| {
        if dst_base.is_empty() {
            rest.to_string()
        } else {
            format!("{dst_base}/{rest}")
        }
    };
    if target.kind == TargetKind::Module {
        // The module and its stub (`x.py` and `x.pyi`) move together.
        let stem = target
            .rel
            .strip_suffix(".pyi")
            .or_else(|| target.rel.strip_suffix(".py"))
            .unwrap_or(&target.rel);
        let mut out = Vec::new();
        for ext in ["py", "pyi"] {
            let from = format!("{stem}.{ext}");
            let Ok(meta) = std::fs::symlink_metadata(run.config.root.join(&from)) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                return Err(PromoteError::Symlink(format!(
                    "the module `{from}` is a symlink; promote the file it points to"
                )));
            }
            out.push((from, join(&format!("{dst_last}.{ext}")), false));
        }
        return Ok(out);
    }
    let dir = target.rel.rsplit_once('/').map_or("", |(d, _)| d);
    let prefix = format!("{dir}/");
    Ok(files::package_entries(&run.config.root, dir)?
        .into_iter()
        .filter_map(|e| {
            let rest = e.rel.strip_prefix(&prefix)?.to_string();
            Some((e.rel, join(&format!("{dst_last}/{rest}")), e.link))
        })
        .collect())
}

/// What the move does to each file of the repository that moves or names
/// SRC (in path order; the others are left out), and what it leaves for
/// review.
fn file_plans(
    run: &Run,
    rename: &Rename,
    moves: &[(String, String, bool)],
) -> (Vec<FilePlan>, Vec<ToReview>) {
    let resolver = &run.project.modules;
    let parent_init = rename
        .src
        .rsplit_once('.')
        .and_then(|(p, _)| resolver.resolve(p))
        .filter(|t| t.kind == TargetKind::Package)
        .map(|t| t.rel);
    let calls = string_calls(run);
    let mut all_files: Vec<(String, PathBuf)> =
        crate::walk::collect(&run.config, std::slice::from_ref(&run.config.root), true)
            .into_iter()
            .map(|f| (f.rel, f.path))
            .collect();
    // The moved Python files the walk skips (ignored, excluded) are read too.
    for (from, _, link) in moves {
        let python = from.ends_with(".py") || from.ends_with(".pyi");
        if python && !link && !all_files.iter().any(|(rel, _)| rel == from) {
            all_files.push((from.clone(), run.config.root.join(from)));
        }
    }
    let last = rename.src.rsplit('.').next().unwrap_or_default();
    let dynamic: Vec<String> = DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let planned: Vec<(Option<FilePlan>, Vec<ToReview>)> = all_files
        .par_iter()
        .map_init(Worker::new, |worker, (rel, path)| {
            let moved_to = moves
                .iter()
                .find(|(from, _, link)| from == rel && !link)
                .map(|(_, to, _)| to.clone());
            let text = crate::source::read_source(path).ok()?.text;
            if moved_to.is_none() && !text.contains(last) {
                return None;
            }
            let tree = worker.parse(&text)?;
            let names = crate::names::NameModel::build(&tree, &text);
            let sites = crate::imports::extract_with(&tree, &text, &dynamic, Some(&names));
            let engine = FileRename {
                rename,
                relative: Some((resolver, rel)),
                moved: moved_to.is_some(),
                parent_init: parent_init.as_deref() == Some(rel.as_str()),
                string_calls: &calls,
            };
            let file = Parsed {
                text: &text,
                tree: &tree,
                sites: &sites,
                names: &names,
            };
            let outcome = engine.rewrites(&file);
            let review = engine
                .review(&file, &outcome)
                .into_iter()
                .map(|review| ToReview {
                    path: moved_to.clone().unwrap_or_else(|| rel.clone()),
                    review,
                })
                .collect();
            let rewrites = outcome.rewrites;
            // A moved file that does not parse (a Python 2 sample, test
            // data) and needs no rewrite moves as bytes: the fix engine
            // never edits such a file, not even to move it.
            if moved_to.is_some()
                && rewrites.is_empty()
                && (!crate::parse::syntax_errors(&tree).is_empty()
                    || !crate::parse::validity::suspects::compile_rejects(
                        &tree,
                        &text,
                        run.config.target_version,
                    )
                    .is_empty())
            {
                return Some((None, review));
            }
            let plan = (moved_to.is_some() || !rewrites.is_empty()).then(|| FilePlan {
                lane: run.lane_of(rel).map(|l| l.to_string()),
                path: rel.clone(),
                moved_to,
                rewrites,
            });
            Some((plan, review))
        })
        .flatten()
        .collect();
    let (files, review): (Vec<_>, Vec<_>) = planned.into_iter().unzip();
    let mut files: Vec<FilePlan> = files.into_iter().flatten().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut review: Vec<ToReview> = review.into_iter().flatten().collect();
    review.sort_by(|a, b| (&a.path, a.review.line).cmp(&(&b.path, b.review.line)));
    (files, review)
}

/// The workspace after the move: every rewrite applied and every file
/// moved, in memory. Refused when any file would not parse or could not
/// be edited (nothing then changes).
pub fn apply_in_memory(run: &Run, p: &Promotion) -> Result<Workspace, PromoteError> {
    let mut ws = Workspace::new(run.config.root.clone());
    let mut offered = Vec::new();
    for f in &p.files {
        if !ws.load(&f.path) {
            return Err(PromoteError::Refused(format!("{} cannot be read", f.path)));
        }
        let mut edits: Vec<Edit> = f
            .rewrites
            .iter()
            .map(|r| Edit::new(Some(f.path.clone()), r.range.clone(), r.after.clone()))
            .collect();
        if let Some(to) = &f.moved_to {
            edits.push(Edit::rename(f.path.clone(), to.clone()));
        }
        offered.push(Candidate {
            rule: "promote".to_string(),
            path: f.path.clone(),
            range: 0..0,
            edits,
        });
    }
    let expected = offered.len();
    let opts = engine::Options {
        target: run.config.target_version,
        load_reached: false,
    };
    let outcome = engine::run(&mut ws, &mut engine::Planned(offered), opts);
    if !outcome.refused.is_empty() || outcome.applied != expected {
        let mut broken: Vec<String> = outcome
            .refused
            .iter()
            .map(|(c, _)| c.path.clone())
            .collect();
        let applied: std::collections::BTreeSet<&String> = outcome.applied_in.iter().collect();
        broken.extend(
            p.files
                .iter()
                .filter(|f| !applied.contains(&f.path))
                .map(|f| f.path.clone()),
        );
        broken.sort();
        broken.dedup();
        return Err(PromoteError::Refused(format!(
            "these files would not parse after the rewrite, or have syntax errors already: {}",
            broken.join(", ")
        )));
    }
    Ok(ws)
}

/// What the gate found.
#[derive(Debug)]
pub struct Gate {
    /// Findings of every active rule on the moved files, at their new place.
    pub findings: Vec<Finding>,
    /// Importers whose lane may not import the destination's lane.
    pub forbidden: Vec<String>,
    /// The `[promote.criteria]` lines, each with its verdict.
    pub criteria: Vec<criteria::Verdict>,
}

impl Gate {
    /// Whether the promotion is blocked: an error-severity finding on the
    /// moved code, or an importer that may not import it there.
    pub fn blocked(&self) -> bool {
        !self.forbidden.is_empty()
            || self.findings.iter().any(|f| f.severity == Severity::Error)
            || self.criteria.iter().any(|c| !c.passed)
    }
}

/// Judges the moved code where it will live (with every rewrite applied:
/// `ws` from [`apply_in_memory`]) and the importers' lanes.
pub fn gate(run: &Run, p: &Promotion, ws: &Workspace) -> Gate {
    let checker = Checker {
        overlay: Some(ws.texts()),
        ..Checker::new(run)
    };
    let mut worker = Worker::new();
    let mut findings = Vec::new();
    for f in &p.files {
        let Some(to) = &f.moved_to else { continue };
        let Some(src) = ws.source(to) else { continue };
        let result = check_source(&checker, &mut worker, Arc::from(to.as_str()), src);
        findings.extend(result.findings);
    }
    let lane = |name: &Option<String>| {
        name.as_ref()
            .and_then(|n| run.config.lanes.iter().find(|l| &l.name == n))
    };
    let forbidden = match lane(&p.dst_lane) {
        Some(to) => p
            .importers()
            .filter(|f| lane(&f.lane).is_some_and(|from| !may_import(from, to)))
            .map(|f| f.path.clone())
            .collect(),
        None => Vec::new(),
    };
    Gate {
        findings,
        forbidden,
        criteria: criteria::judge(&run.config.root, &run.config.promote, p),
    }
}
