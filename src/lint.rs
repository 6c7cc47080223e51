//! The `lint` pipeline over many files: walk → check in parallel → (fix
//! rounds) → central-exception audit. The CLI is a thin shell over this.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::cache::{self, Cache};
use crate::check::{Checker, FileResult, Worker};
use crate::config::Config;
use crate::dates::Date;
use crate::finding::{Finding, sort_findings};
use crate::fix::{self, Candidate, write::write_if_unchanged};
use crate::rule::{EngineCheck, RuleSet};
use crate::script::ScriptHost;
use crate::source::SourceText;
use crate::suppress::{self, ShardView, SuppressionRecord};
use crate::walk::{self, Target};

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
    pub stdin: Option<(PathBuf, String)>,
    /// Fix behaviour.
    pub fix: FixMode,
    /// Also apply unsafe fixes.
    pub unsafe_fixes: bool,
    /// Worker threads (`None`: all cores).
    pub threads: Option<usize>,
    /// A report whose facts to collect (`todos`, `lanes`).
    pub collect: Option<&'static str>,
    /// Lint only shard K of N (1-based K): a stable slice of the files.
    pub shard: Option<Shard>,
    /// Reuse and record results in `.rulegate_cache/` (plain lint runs only).
    pub cache: bool,
}

/// `--shard K/N`: the files whose path hashes to K among N shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1-based.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 <= K <= N, such as 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

impl Shard {
    /// Whether the file at `rel` belongs to this shard. FNV-1a of the path:
    /// stable across machines, platforms and rulegate versions (std's
    /// hasher promises none of that).
    pub fn contains(&self, rel: &str) -> bool {
        let hash = rel.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        (hash % self.count as u64) as usize == self.index - 1
    }
}

/// A file whose text a fix run changed.
#[derive(Debug, Clone)]
pub struct ChangedFile {
    /// Project-relative path.
    pub rel: String,
    /// Text before (BOM and all, as on disk).
    pub before: String,
    /// Text after.
    pub after: String,
}

/// The result of a lint run.
#[derive(Debug, Default)]
pub struct LintRun {
    /// Per-file results (final, after fixing).
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
    /// Number of files parsed (others could not concern any rule).
    pub files_parsed: usize,
    /// Facts collected for a report, in file order.
    pub facts: Vec<crate::analyzers::Fact>,
}

/// Lints files with a rule set.
pub struct Linter<'a> {
    /// Configuration.
    pub config: &'a Config,
    /// Rules.
    pub rules: &'a RuleSet,
    /// Fix-script host.
    pub host: &'a ScriptHost,
    /// Date TTLs are judged against.
    pub today: Date,
}

impl Linter<'_> {
    fn checker(&self, opts: &LintOptions) -> Checker<'_> {
        Checker {
            rules: self.rules,
            config: self.config,
            today: self.today,
            host: self.host,
            collect: opts.collect,
            overlay: None,
        }
    }

    /// Runs `lint` with `opts`.
    pub fn run(&self, opts: &LintOptions) -> miette::Result<LintRun> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads.unwrap_or(0))
            .build()
            .map_err(|e| miette::miette!("cannot start worker threads: {e}"))?;
        pool.install(|| self.run_in_pool(opts))
    }

    fn run_in_pool(&self, opts: &LintOptions) -> miette::Result<LintRun> {
        let checker = self.checker(opts);
        let mut originals: BTreeMap<String, (PathBuf, Vec<u8>)> = BTreeMap::new();
        let mut shard_view = ShardView::whole(self.config.exceptions.len());
        let mut results: Vec<FileResult> = match &opts.stdin {
            Some((name, text)) => {
                let rel = walk::relative(self.config, name);
                originals.insert(rel.clone(), (name.clone(), text.as_bytes().to_vec()));
                vec![checker.check_source(
                    &mut Worker::new(),
                    Arc::from(rel),
                    SourceText::new(text),
                )]
            }
            None => {
                let all = walk::collect(self.config, &opts.paths, opts.force_exclude);
                shard_view = self.shard_view(opts.shard, &all);
                let targets: Vec<Target> = all
                    .into_iter()
                    .filter(|t| opts.shard.is_none_or(|s| s.contains(&t.rel)))
                    .collect();
                let keep_source = opts.fix != FixMode::Report;
                let cache = (opts.cache && !keep_source && opts.collect.is_none())
                    .then(|| Cache::open(&self.config.root, self.rules.fingerprint, self.today));
                let results = targets
                    .par_iter()
                    .map_init(Worker::new, |w, t: &Target| {
                        let bytes = std::fs::read(&t.path);
                        let content = bytes.as_ref().ok().map(|b| cache::digest(b));
                        let cached = cache
                            .as_ref()
                            .zip(content)
                            .and_then(|(c, d)| c.get(&t.rel, d));
                        if let Some(mut r) = cached {
                            if !r.findings.is_empty() {
                                r.source = bytes.ok().and_then(|b| SourceText::decode(&b).ok());
                            }
                            return r;
                        }
                        let mut r = checker.check_bytes(w, Arc::from(t.rel.as_str()), bytes);
                        if let (Some(c), Some(d)) = (&cache, content) {
                            c.put(&t.rel, d, &r);
                        }
                        if r.findings.is_empty() && !keep_source {
                            r.source = None; // keep memory flat on big trees
                        }
                        r
                    })
                    .collect::<Vec<_>>();
                if let Some(c) = &cache {
                    c.save();
                }
                results
                    .into_iter()
                    .zip(targets.iter())
                    .map(|(r, t)| {
                        // The decoded text plus its BOM is exactly what was read:
                        // no second read of the file.
                        if keep_source && let Some(src) = &r.source {
                            originals
                                .insert(t.rel.clone(), (t.path.clone(), src.encode(&src.text)));
                        }
                        r
                    })
                    .collect()
            }
        };

        let mut run = LintRun::default();
        if opts.fix != FixMode::Report {
            self.fix_rounds(opts, &mut results, &mut originals, &mut run);
        }

        let mut used = BTreeSet::new();
        let mut in_scope = BTreeSet::new();
        for r in &results {
            run.findings.extend(r.findings.iter().cloned());
            run.records.extend(r.records.iter().cloned());
            used.extend(r.exceptions_used.iter().copied());
            in_scope.extend(r.exceptions_in_scope.iter().copied());
            run.files_parsed += usize::from(r.parsed);
        }
        for r in &mut results {
            run.facts.append(&mut r.facts);
        }
        let (records, findings) = suppress::audit_exceptions(
            self.config,
            self.rules,
            &used,
            &in_scope,
            self.today,
            &shard_view,
        );
        run.records.extend(records);
        run.findings.extend(findings);
        sort_findings(&mut run.findings);
        run.records
            .sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
        run.files = results;
        Ok(run)
    }

    /// What this shard may judge about central exceptions, given every file
    /// of the run (`all`, before sharding).
    fn shard_view(&self, shard: Option<Shard>, all: &[Target]) -> ShardView {
        let Some(shard) = shard else {
            return ShardView::whole(self.config.exceptions.len());
        };
        ShardView {
            reports_config_findings: shard.index == 1,
            covers_other: self
                .config
                .exceptions
                .iter()
                .map(|ex| {
                    all.iter()
                        .any(|t| ex.paths.is_match(&t.rel) && !shard.contains(&t.rel))
                })
                .collect(),
        }
    }

    /// Fix rounds until nothing applies or [`fix::MAX_ROUNDS`]; then write or diff.
    fn fix_rounds(
        &self,
        opts: &LintOptions,
        results: &mut [FileResult],
        originals: &mut BTreeMap<String, (PathBuf, Vec<u8>)>,
        run: &mut LintRun,
    ) {
        let mut worker = Worker::new();
        let mut boms: BTreeMap<String, bool> = results
            .iter()
            .filter_map(|r| Some((r.path.to_string(), r.source.as_ref()?.bom)))
            .collect();
        let mut texts: BTreeMap<String, String> = results
            .iter()
            .filter_map(|r| Some((r.path.to_string(), r.source.as_ref()?.text.to_string())))
            .collect();
        let mut start_texts = texts.clone();
        let slot_of: std::collections::HashMap<String, usize> = results
            .iter()
            .enumerate()
            .map(|(i, r)| (r.path.to_string(), i))
            .collect();
        let mut rolled_back: Vec<Candidate> = Vec::new();
        let mut seen_states = BTreeSet::new();
        for _ in 0..fix::MAX_ROUNDS {
            // Fixes may edit files that were not linted (a stub into the module
            // that misses a name): read those now.
            let foreign: BTreeSet<String> = results
                .iter()
                .flat_map(|r| r.findings.iter())
                .filter_map(|f| f.fix.as_ref())
                .filter(|x| fix::allowed(x, opts.unsafe_fixes))
                .flat_map(|x| x.edits.iter().filter_map(|e| e.file.clone()))
                .filter(|f| !texts.contains_key(f))
                .collect();
            for rel in foreign {
                let path = self.config.root.join(&rel);
                if let Ok(bytes) = std::fs::read(&path)
                    && let Ok(src) = SourceText::decode(&bytes)
                {
                    texts.insert(rel.clone(), src.text.to_string());
                    start_texts.insert(rel.clone(), src.text.to_string());
                    boms.insert(rel.clone(), src.bom);
                    originals.insert(rel, (path, bytes));
                }
            }
            let mut candidates: Vec<Candidate> = results
                .iter()
                .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
                .filter_map(|(r, f)| {
                    let fix = f
                        .fix
                        .as_ref()
                        .filter(|x| fix::allowed(x, opts.unsafe_fixes))?;
                    let c = Candidate::from_finding(f, fix);
                    let in_error = c.edits.iter().any(|(file, range, _)| {
                        *file == *r.path
                            && r.error_regions
                                .iter()
                                .any(|e| range.start <= e.end && e.start <= range.end)
                    });
                    let known = c.edits.iter().all(|(file, _, _)| texts.contains_key(file));
                    (!in_error && known).then_some(c)
                })
                .collect();
            if candidates.is_empty() {
                break;
            }
            candidates.sort_by(|a, b| (&a.path, a.range.start).cmp(&(&b.path, b.range.start)));
            let (chosen, _deferred) = fix::select_non_overlapping(candidates);
            let touched: BTreeSet<String> = chosen
                .iter()
                .flat_map(|c| c.edits.iter().map(|e| e.0.clone()))
                .collect();
            let outcome =
                fix::apply_round(&mut worker, &mut texts, chosen, self.config.target_version);
            run.fixes_applied += outcome.applied;
            rolled_back.extend(outcome.rolled_back);
            if outcome.applied == 0 {
                break;
            }
            let state: u64 = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                texts.hash(&mut h);
                h.finish()
            };
            if !seen_states.insert(state) {
                break; // fixes undo each other: stop rather than loop
            }
            // Re-check every file whose text changed since its last check, and
            // every file whose fixes reach into a file this round touched
            // (their edits' offsets are stale).
            let mut changed: Vec<String> = texts
                .iter()
                .filter(|(p, t)| {
                    slot_of.get(p.as_str()).is_some_and(|&i| {
                        results[i]
                            .source
                            .as_ref()
                            .is_some_and(|s| &*s.text != t.as_str())
                    })
                })
                .map(|(p, _)| p.clone())
                .collect();
            for r in results.iter() {
                let reaches = r.findings.iter().filter_map(|f| f.fix.as_ref()).any(|x| {
                    x.edits
                        .iter()
                        .any(|e| e.file.as_ref().is_some_and(|f| touched.contains(f)))
                });
                if reaches && !changed.iter().any(|c| *c == *r.path) {
                    changed.push(r.path.to_string());
                }
            }
            // Symbol tables and foreign edits see this round's texts.
            let checker = Checker {
                overlay: Some(&texts),
                ..self.checker(opts)
            };
            let rechecked: Vec<FileResult> = changed
                .par_iter()
                .map_init(Worker::new, |w, p| {
                    let mut src = SourceText::new(&texts[p]);
                    src.bom = boms.get(p).copied().unwrap_or(false);
                    checker.check_source(w, Arc::from(p.as_str()), src)
                })
                .collect();
            for new in rechecked {
                if let Some(&i) = slot_of.get(&*new.path) {
                    results[i] = new;
                }
            }
        }
        self.report_rollbacks(results, &rolled_back);

        for (rel, text) in &texts {
            if start_texts.get(rel) == Some(text) {
                continue;
            }
            let Some((path, original)) = originals.get(rel) else {
                continue;
            };
            let bom = boms.get(rel).copied().unwrap_or(false);
            let after = if bom {
                format!("{}{text}", crate::source::UTF8_BOM)
            } else {
                text.clone()
            };
            let before = String::from_utf8_lossy(original).into_owned();
            if opts.fix == FixMode::Apply
                && opts.stdin.is_none()
                && let Err(e) = write_if_unchanged(path, original, after.as_bytes())
            {
                run.write_errors.push(e.to_string());
                continue;
            }
            run.changed.push(ChangedFile {
                rel: rel.clone(),
                before,
                after,
            });
        }
    }

    fn report_rollbacks(&self, results: &mut [FileResult], rolled_back: &[Candidate]) {
        let Some(rule) = self.rules.engine_rule(EngineCheck::FixRolledBack) else {
            return;
        };
        for c in rolled_back {
            let Some(r) = results.iter_mut().find(|r| *r.path == *c.path) else {
                continue;
            };
            let Some(src) = &r.source else { continue };
            let env = crate::check::FileEnv {
                rel_path: &r.path,
                lane: None,
                text: &src.text,
                lines: &src.lines,
            };
            let range = c.range.start.min(src.text.len())..c.range.end.min(src.text.len());
            let message = rule
                .message
                .render(|v| (v == "rule").then_some(std::borrow::Cow::Borrowed(c.rule.as_str())));
            let f = env.finding(rule, range, message, None);
            if !r.findings.contains(&f) {
                r.findings.push(f);
            }
            sort_findings(&mut r.findings);
        }
    }
}
