//! One run's context: the configuration, the compiled rules, the script
//! host, the date TTLs are judged against, and the project model. Every
//! stage after loading (check, suppress, fix, the commands) reads this one
//! value instead of carrying its pieces separately.

use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::dates::Date;
use crate::matching::known::Known;
use crate::packs;
use crate::project::Project;
use crate::rule::RuleSet;
use crate::script::ScriptHost;

/// Everything a run over files needs.
#[derive(Debug)]
pub struct Run {
    /// The configuration.
    pub config: Config,
    /// The rules (shared: pack tests run each example under its own config).
    pub rules: Arc<RuleSet>,
    /// The fix-script host.
    pub host: Arc<ScriptHost>,
    /// The date TTLs and expiries are judged against.
    pub today: Date,
    /// Module index and symbol tables, built up as the run goes.
    pub project: Project,
}

impl Run {
    /// A run of `rules` over the project `config` describes (its stores off).
    pub fn new(config: Config, rules: Arc<RuleSet>, host: Arc<ScriptHost>, today: Date) -> Self {
        Self::with_store(config, rules, host, today, false)
    }

    /// [`Run::new`], with the stores of the cache folder on if `store`.
    fn with_store(
        config: Config,
        rules: Arc<RuleSet>,
        host: Arc<ScriptHost>,
        today: Date,
        store: bool,
    ) -> Self {
        let project = Project::new(&config, store);
        Self {
            config,
            rules,
            host,
            today,
            project,
        }
    }

    /// Loads the config (`config_file`, else discovered from `start`) and
    /// its packs, keeping the rules `select`/`ignore` pick. The stores of
    /// the cache folder are off (see [`Run::load_with_store`]).
    pub fn load(
        config_file: Option<&Path>,
        start: &Path,
        select: &[String],
        ignore: &[String],
        today: Date,
    ) -> miette::Result<Self> {
        Self::load_with_store(config_file, start, select, ignore, today, false)
    }

    /// [`Run::load`]; with `store`, the run reads and writes the stores of
    /// the project's cache folder ([`crate::store`]): the shapes of queries
    /// that compiled and the symbol tables of modules (a `lint` with its
    /// cache on).
    pub fn load_with_store(
        config_file: Option<&Path>,
        start: &Path,
        select: &[String],
        ignore: &[String],
        today: Date,
        store: bool,
    ) -> miette::Result<Self> {
        let config = match config_file {
            Some(p) => Config::load(p)?,
            None => Config::discover(start)?,
        };
        let host = ScriptHost::new();
        let store = store
            && match crate::store::check_folder(&config.root) {
                Ok(()) => true,
                Err(e) => {
                    eprintln!("warning: {e}; the cache is off for this run");
                    false
                }
            };
        // Queries that compiled in an earlier run are not compiled to be validated.
        let known = if store {
            Known::open(&config.root)
        } else {
            Known::default()
        };
        let mut rules = packs::load_rules(&config, &host, select, ignore, &known)?;
        known.save();
        rules.apply_schedules(today);
        Ok(Self::with_store(
            config,
            Arc::new(rules),
            Arc::new(host),
            today,
            store,
        ))
    }

    /// What an analyzer sees of the file `rel_path` (in `lane`), whose text
    /// is `text` and tree `tree`, as on disk (no fix round's overlay, no
    /// prefetching; a pass sets those).
    pub fn file_ctx<'a>(
        &'a self,
        rel_path: &'a str,
        lane: Option<&'a str>,
        text: &'a str,
        tree: &'a tree_sitter::Tree,
    ) -> crate::analyzers::FileCtx<'a> {
        crate::analyzers::FileCtx {
            tree: Some(tree),
            ..self.file_ctx_without_tree(rel_path, lane, text)
        }
    }

    /// What an analyzer sees of a file that was not parsed (see
    /// `crate::analyzers::Analyzer::needs_tree`).
    pub fn file_ctx_without_tree<'a>(
        &'a self,
        rel_path: &'a str,
        lane: Option<&'a str>,
        text: &'a str,
    ) -> crate::analyzers::FileCtx<'a> {
        crate::analyzers::FileCtx {
            path: rel_path,
            lane,
            text,
            tree: None,
            static_imports: None,
            today: self.today,
            config: &self.config,
            project: self.project.view(crate::deps::Deps::NONE),
            imports: Default::default(),
            tagged_comments: Default::default(),
            overlay: None,
            prefetch: None,
            names: Default::default(),
            digest: Default::default(),
        }
    }

    /// The lane of the file at `rel_path`.
    pub fn lane_of(&self, rel_path: &str) -> Option<Arc<str>> {
        self.config
            .lane_of(rel_path)
            .map(|l| Arc::from(l.name.as_str()))
    }
}

/// A run of the built-in packs over an in-memory project (unit tests).
#[cfg(test)]
pub(crate) fn test_run(config_toml: &str, today: &str) -> Run {
    test_run_selecting(config_toml, today, &[])
}

/// [`test_run`] with only the rules `select` names.
#[cfg(test)]
pub(crate) fn test_run_selecting(config_toml: &str, today: &str, select: &[&str]) -> Run {
    let config = Config::from_text(
        std::path::PathBuf::from("/nonexistent-test-root"),
        config_toml,
    )
    .expect("a valid test config");
    let host = ScriptHost::new();
    let select: Vec<String> = select.iter().map(|s| s.to_string()).collect();
    let rules = packs::load_rules(&config, &host, &select, &[], &Known::default())
        .expect("built-in packs load");
    let today = crate::dates::parse_iso(today).expect("a valid date");
    Run::new(config, Arc::new(rules), Arc::new(host), today)
}
