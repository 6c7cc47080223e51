//! The `lint` pipeline over many files: walk → check each file in parallel
//! (`file`: match → suppress, through the `cache`) → fix rounds
//! (`fixing`, over the fix engine) → central-exception audit. The CLI is a
//! thin shell over [`lint`].

pub(crate) mod cache;
pub(crate) mod file;
pub(crate) mod fixing;
mod pass;
pub(crate) mod shard;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::analyzers::{Fact, Report};
use crate::check::Checker;
use crate::finding::{Finding, sort_findings};
use crate::fix::workspace::{ChangedFile, Workspace};
use crate::parse::Worker;
use crate::run::Run;
use crate::source::SourceText;
use crate::suppress::{self, ShardView, SuppressionRecord};
use crate::walk::{self, Target};
use cache::Cache;
pub use file::FileResult;
pub use shard::Shard;

/// What to do with fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FixMode {
    /// Report only.
    #[default]
    Report,
    /// Apply and write.
    Apply,
    /// Compute and show as a diff; write nothing.
    Diff,
}

/// Options of one lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Apply the config's excludes to explicit files too.
    pub force_exclude: bool,
    /// Source given on standard input, linted as this path.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    /// Fix behaviour.
    pub fix: FixMode,
    /// Also apply unsafe fixes.
    pub unsafe_fixes: bool,
    /// Worker threads (`None`: all cores).
    pub threads: Option<usize>,
    /// A report whose facts to collect.
    pub collect: Option<Report>,
    /// Lint only shard K of N (1-based K): a stable slice of the files.
    pub shard: Option<Shard>,
    /// Reuse and record results in `.rulegate_cache/` (plain lint runs only).
    pub cache: bool,
    /// One project per run (SPEC §2): a walked folder holding a config
    /// other than the run's is an error (the CLI sets it unless `--config`
    /// names one config for every file).
    pub one_project: bool,
    /// The report shows the text of the files with findings (fancy output,
    /// baselines): keep it. Otherwise a file's text is dropped once it is
    /// checked (fixing keeps every file's).
    pub report_sources: bool,
}

/// What the first pass keeps of a file's text once it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// Every file's (fixing reads and rewrites them).
    All,
    /// The files' with findings (the report shows them).
    WithFindings,
    /// None: only where the fixes' edits are ([`FileResult::keep_places_only`]).
    Places,
}

/// The result of a lint run.
#[derive(Debug, Default)]
pub struct LintRun {
    /// Per-file results (final, after fixing). Their findings, records and
    /// facts have moved to the run's lists below.
    pub files: Vec<FileResult>,
    /// All findings, sorted as SPEC §1.1 says.
    pub findings: Vec<Finding>,
    /// Every suppression and central exception, for `report exceptions`.
    pub records: Vec<SuppressionRecord>,
    /// Fixes applied (or, with `--diff`, that would be).
    pub fixes_applied: usize,
    /// Files changed by fixes.
    pub changed: Vec<ChangedFile>,
    /// Problems writing fixed files.
    pub write_errors: Vec<String>,
    /// Number of files checked with their syntax tree. The others were
    /// ruled out by the prefilter, or their active rules read only imports
    /// (from tokens) and found nothing; modules parsed only for their
    /// symbol tables are counted by `SymbolTables::parses`.
    pub files_parsed: usize,
    /// Facts collected for a report, in file order.
    pub facts: Vec<Fact>,
    /// Files rulegate itself failed on (each has an RG000 finding).
    pub internal_errors: usize,
    /// The project root (report renderers read files that edits reach).
    pub root: PathBuf,
}

/// Runs `lint` with `opts` over the files of `run`.
pub fn lint(run: &Run, opts: &LintOptions) -> miette::Result<LintRun> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| miette::miette!("cannot start worker threads: {e}"))?;
    pool.install(|| lint_in_pool(run, opts))
}

fn lint_in_pool(run: &Run, opts: &LintOptions) -> miette::Result<LintRun> {
    let checker = Checker {
        collect: opts.collect,
        ..Checker::new(run)
    };
    let mut ws = Workspace::new(run.config.root.clone());
    let (mut results, shard_view) = match &opts.stdin {
        Some((name, bytes)) => {
            let rel = walk::relative(&run.config, name);
            if let Ok(src) = SourceText::decode(bytes) {
                ws.insert(&rel, None, &src);
            }
            // Bytes that are not UTF-8 get E902, as a file would.
            let result = file::check_bytes(
                &checker,
                &mut Worker::new(),
                Arc::from(rel),
                Ok(bytes.clone()),
            );
            (vec![result], ShardView::whole(run.config.exceptions.len()))
        }
        None => check_files(&checker, opts, &mut ws)?,
    };

    let mut out = LintRun::default();
    if opts.fix != FixMode::Report {
        let (ws, applied_in) = fixing::fix_results(run, &mut results, ws, opts.unsafe_fixes);
        let mut failed: Vec<String> = Vec::new();
        if opts.fix == FixMode::Apply {
            let errors;
            (out.changed, errors) = ws.write();
            for (rel, message) in errors {
                failed.push(rel);
                out.write_errors.push(message);
            }
        } else {
            out.changed = ws.changed();
        }
        // A fix in a file that could not be written is not a fix.
        out.fixes_applied = applied_in.iter().filter(|f| !failed.contains(f)).count();
    }
    gather(run, &mut out, results, &shard_view);
    Ok(out)
}

/// Checks every file the paths name (through the cache when it is on).
fn check_files(
    checker: &Checker,
    opts: &LintOptions,
    ws: &mut Workspace,
) -> miette::Result<(Vec<FileResult>, ShardView)> {
    let run = checker.run;
    let walk::Walk {
        targets: all,
        nested_configs,
    } = walk::walk(&run.config, &opts.paths, opts.force_exclude);
    if opts.one_project
        && let Some(nested) = nested_configs.first()
    {
        let own = run
            .config
            .doc
            .as_ref()
            .map_or("the embedded default".to_string(), |d| d.name.clone());
        return Err(miette::miette!(
            help = "run rulegate once per project, or give one config with --config (a nested config that shares its parent's policy says `extend = \"../rulegate.toml\"`)",
            "{} governs files of this run, which is under {own}: one run checks one project",
            nested.display()
        ));
    }
    let whole = opts.stdin.is_none()
        && opts
            .paths
            .iter()
            .all(|p| std::fs::canonicalize(p).ok() == std::fs::canonicalize(&run.config.root).ok());
    let shard_view = shard::view(&run.config, opts.shard, &all, whole);
    let targets: Vec<Target> = all
        .into_iter()
        .filter(|t| opts.shard.is_none_or(|s| s.contains(&t.rel)))
        .collect();
    let keep_source = opts.fix != FixMode::Report;
    let keep = if keep_source {
        Keep::All
    } else if opts.report_sources {
        Keep::WithFindings
    } else {
        Keep::Places
    };
    let cache = (opts.cache
        && !keep_source
        && opts.collect.is_none()
        && crate::store::check_folder(&run.config.root).is_ok())
    .then(|| Cache::open(&run.config.root, run.rules.fingerprint, run.today));
    let results = pass::check_all(checker, &targets, cache.as_ref(), keep);
    run.project.symbols.save();
    run.project.imports.save();
    if keep_source {
        // The decoded text plus its BOM is exactly what was read: no second
        // read of the file.
        for (r, t) in results.iter().zip(&targets) {
            if let Some(src) = &r.source {
                ws.insert(&t.rel, Some(t.path.clone()), src);
            }
        }
    }
    Ok((results, shard_view))
}

/// Moves the per-file findings, records and facts into the run's lists
/// (each is held once), and audits the central exceptions.
fn gather(run: &Run, out: &mut LintRun, mut results: Vec<FileResult>, shard_view: &ShardView) {
    let mut used = BTreeSet::new();
    let mut in_scope = BTreeSet::new();
    out.findings
        .reserve(results.iter().map(|r| r.findings.len()).sum());
    for r in &mut results {
        // Moved, buffers and all: a file's lists are not held twice.
        out.findings.extend(std::mem::take(&mut r.findings));
        out.records.extend(std::mem::take(&mut r.records));
        used.extend(r.exceptions_used.iter().copied());
        in_scope.extend(r.exceptions_in_scope.iter().copied());
        out.files_parsed += usize::from(r.parsed);
        out.internal_errors += usize::from(r.internal_error);
        out.facts.extend(std::mem::take(&mut r.facts));
    }
    let (records, findings) = suppress::audit_exceptions(
        &run.config,
        &run.rules,
        &used,
        &in_scope,
        run.today,
        shard_view,
    );
    out.records.extend(records);
    out.findings.extend(findings);
    sort_findings(&mut out.findings);
    out.records
        .sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    out.files = results;
    out.root = run.config.root.clone();
}
