//! `rulegate promote SRC --to DST` (SPEC §4.8): the promotion gate, and the
//! move that rewrites every reference to the module. The plan finds the
//! files that move and every reference in the repository; the fix engine
//! applies it all at once (atomic, syntax-checked, nothing written if any
//! file would break); the gate judges the moved code where it will live.

pub mod report;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analyzers::imports::{DEFAULT_MODULE_STRING_CALLS, may_import};
use crate::check::Checker;
use crate::finding::{Edit, Finding, Severity};
use crate::fix::Candidate;
use crate::fix::engine;
use crate::fix::workspace::{ChangedFile, Workspace};
use crate::imports::DEFAULT_DYNAMIC_CALLS;
use crate::imports::resolve::{Target, TargetKind};
use crate::lint::file::check_source;
use crate::parse::Worker;
use crate::rename::{FileRename, Parsed, Rename, Rewrite};
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
}

impl Promotion {
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
fn string_calls(run: &Run) -> Vec<String> {
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
    if resolver.resolve(&dst).is_some() {
        return Err(PromoteError::Exists(dst));
    }
    let moves = moves(run, &src, &target, &dst)?;
    for (_, to) in &moves {
        if run.config.root.join(to).exists() {
            return Err(PromoteError::Exists(to.clone()));
        }
    }
    let rename = Rename { src, dst };
    let files = file_plans(run, &rename, &moves);
    let dst_lane_path = moves
        .iter()
        .find(|(from, _)| *from == target.rel)
        .map(|(_, to)| to.clone())
        .unwrap_or_default();
    Ok(Promotion {
        rename,
        files,
        dst_lane: run.config.lane_of(&dst_lane_path).map(|l| l.name.clone()),
        shim_path: target.rel,
    })
}

/// The files that move from `src` (resolved to `target`) to `dst`, and
/// where each goes: in DST's parent package, else beside the source's
/// top-level package (the same import root).
fn moves(
    run: &Run,
    src: &str,
    target: &Target,
    dst: &str,
) -> Result<Vec<(String, String)>, PromoteError> {
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
        let ext = if target.rel.ends_with(".pyi") {
            "pyi"
        } else {
            "py"
        };
        return Ok(vec![(
            target.rel.clone(),
            join(&format!("{dst_last}.{ext}")),
        )]);
    }
    let dir = target.rel.rsplit_once('/').map_or("", |(d, _)| d);
    let files = crate::walk::collect(&run.config, &[run.config.root.join(dir)], true);
    let mut moves: Vec<(String, String)> = files
        .into_iter()
        .filter_map(|f| {
            let rest = f.rel.strip_prefix(&format!("{dir}/"))?.to_string();
            Some((f.rel, join(&format!("{dst_last}/{rest}"))))
        })
        .collect();
    moves.sort();
    Ok(moves)
}

/// What the move does to each file of the repository that moves or names
/// SRC (in path order; the others are left out).
fn file_plans(run: &Run, rename: &Rename, moves: &[(String, String)]) -> Vec<FilePlan> {
    let resolver = &run.project.modules;
    let parent_init = rename
        .src
        .rsplit_once('.')
        .and_then(|(p, _)| resolver.resolve(p))
        .filter(|t| t.kind == TargetKind::Package)
        .map(|t| t.rel);
    let calls = string_calls(run);
    let all_files = crate::walk::collect(&run.config, std::slice::from_ref(&run.config.root), true);
    let last = rename.src.rsplit('.').next().unwrap_or_default();
    let dynamic: Vec<String> = DEFAULT_DYNAMIC_CALLS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut files: Vec<FilePlan> = all_files
        .par_iter()
        .map_init(Worker::new, |worker, f| {
            let moved_to = moves
                .iter()
                .find(|(from, _)| *from == f.rel)
                .map(|(_, to)| to.clone());
            let text = crate::source::read_source(&f.path).ok()?.text;
            if moved_to.is_none() && !text.contains(last) {
                return None;
            }
            let tree = worker.parse(&text)?;
            let names = crate::names::NameModel::build(&tree, &text);
            let sites = crate::imports::extract_with(&tree, &text, &dynamic, &|| &names);
            let engine = FileRename {
                rename,
                relative: Some((resolver, &f.rel)),
                moved: moved_to.is_some(),
                parent_init: parent_init.as_deref() == Some(f.rel.as_str()),
                string_calls: &calls,
            };
            let file = Parsed {
                text: &text,
                tree: &tree,
                sites: &sites,
                names: &names,
            };
            let rewrites = engine.rewrites(&file).rewrites;
            (moved_to.is_some() || !rewrites.is_empty()).then(|| FilePlan {
                lane: run.lane_of(&f.rel).map(|l| l.to_string()),
                path: f.rel.clone(),
                moved_to,
                rewrites,
            })
        })
        .flatten()
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
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

/// The module left at the old place by `--shim`: it re-exports the new
/// module (so `import old` and `from old import x` keep working) and warns.
pub fn shim(p: &Promotion) -> ChangedFile {
    let (src, dst) = (&p.rename.src, &p.rename.dst);
    ChangedFile {
        rel: p.shim_path.clone(),
        before: String::new(),
        after: format!(
            "\"\"\"Deprecated: `{src}` moved to `{dst}`; this shim re-exports it.\"\"\"\n\n\
             import importlib\n\
             import sys\n\
             import warnings\n\n\
             warnings.warn(\n    \"`{src}` moved to `{dst}`; import `{dst}` instead\",\n    DeprecationWarning,\n    stacklevel=2,\n)\n\
             sys.modules[__name__] = importlib.import_module(\"{dst}\")\n"
        ),
        moved_from: None,
        created: true,
    }
}

/// What the gate found.
#[derive(Debug)]
pub struct Gate {
    /// Findings of every active rule on the moved files, at their new place.
    pub findings: Vec<Finding>,
    /// Importers whose lane may not import the destination's lane.
    pub forbidden: Vec<String>,
}

impl Gate {
    /// Whether the promotion is blocked: an error-severity finding on the
    /// moved code, or an importer that may not import it there.
    pub fn blocked(&self) -> bool {
        !self.forbidden.is_empty() || self.findings.iter().any(|f| f.severity == Severity::Error)
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
    }
}

/// After the files are written: the shim at the old place (`--shim`), and
/// the old package's folder removed when nothing is left in it but caches
/// (an empty folder would still import, as a namespace package).
pub fn finish_move(run: &Run, p: &Promotion, shim: bool) -> Result<(), PromoteError> {
    let root = &run.config.root;
    let moved_package =
        p.shim_path.ends_with("/__init__.py") || p.shim_path.ends_with("/__init__.pyi");
    if moved_package && !shim {
        let dir = root.join(p.shim_path.rsplit_once('/').map_or("", |(d, _)| d));
        remove_if_only_caches(&dir);
    }
    if shim {
        let s = self::shim(p);
        crate::fix::write::write_new(
            root,
            &root.join(&s.rel),
            s.after.as_bytes(),
            &root.join(&s.rel),
            b"",
            true,
        )
        .map_err(|e| PromoteError::Refused(format!("the shim was not written: {e}")))?;
    }
    Ok(())
}

/// Removes `dir` (deepest folders first) when it holds nothing but
/// `__pycache__` folders.
fn remove_if_only_caches(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            if e.file_name() == "__pycache__" {
                let _ = std::fs::remove_dir_all(&path);
            } else {
                remove_if_only_caches(&path);
            }
        }
    }
    let _ = std::fs::remove_dir(dir); // fails, as it should, when not empty
}
