//! Loading rule packs: built-in (embedded) or from files, validated strictly
//! with errors that point into the TOML, compiled into a [`RuleSet`].

pub mod builtin;
mod compile;
mod query_rule;

pub use query_rule::compile_query;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_spanned::Spanned;

use crate::config::Config;
use crate::error::{self, SourceDoc, SpannedError};
use crate::glob::GlobList;
use crate::matching::known::Known;
use crate::pack_format::PackSpec;
use crate::rule::{Rule, RuleSet};
use crate::script::ScriptHost;
use compile::compile_rule;

/// Prefix of built-in pack references.
pub const BUILTIN_PREFIX: &str = "builtin:";

/// A pack's text and where its scripts come from.
#[derive(Debug, Clone)]
pub struct PackSource {
    /// The pack file, for error reports.
    pub doc: SourceDoc,
    /// Folder of the pack file; `None` for embedded packs.
    pub dir: Option<PathBuf>,
    /// Whether the pack is embedded in the binary.
    pub builtin: bool,
}

/// Why a pack, or a file of a pack, cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// `builtin:NAME` names no embedded pack.
    #[error("no built-in pack `{name}`; built-in packs: {known}")]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The embedded packs, comma-separated.
        known: String,
    },
    /// A pack file cannot be read.
    #[error("cannot read pack {path}: {source}")]
    ReadPack {
        /// The pack's path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A built-in pack names a file it does not embed.
    #[error("no embedded file `{0}`")]
    NoEmbeddedFile(String),
    /// A file of the pack (a script) cannot be read.
    #[error("cannot read {path}: {source}")]
    ReadFile {
        /// The file's path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A pack's file lies outside the pack's folder, or is not a regular file.
    #[error("`{0}` must be a regular file inside the pack's folder (a relative path without `..`)")]
    OutsidePack(String),
}

impl PackSource {
    /// Resolves a reference from the config (`builtin:NAME` or a path).
    pub fn resolve(reference: &str, root: &Path) -> Result<Self, SourceError> {
        if let Some(name) = reference.strip_prefix(BUILTIN_PREFIX) {
            let text = builtin::pack(name).ok_or_else(|| SourceError::UnknownBuiltin {
                name: name.to_string(),
                known: builtin::names().join(", "),
            })?;
            return Ok(Self {
                doc: SourceDoc::new(reference, text),
                dir: None,
                builtin: true,
            });
        }
        let path = root.join(reference);
        Self::from_file(&path)
    }

    /// Reads a pack file.
    pub fn from_file(path: &Path) -> Result<Self, SourceError> {
        let text = crate::source::read_utf8(path).map_err(|source| SourceError::ReadPack {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Self {
            doc: SourceDoc::new(path.display().to_string(), text),
            dir: path.parent().map(Path::to_path_buf),
            builtin: false,
        })
    }

    /// Reads a file that belongs to the pack (a script), relative to it.
    /// It must be a regular file inside the pack's folder: a pack from
    /// another team cannot make rulegate read elsewhere (or hang on a FIFO).
    pub fn read_file(&self, rel: &str) -> Result<String, SourceError> {
        let inside = !rel.is_empty()
            && Path::new(rel)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return Err(SourceError::OutsidePack(rel.to_string()));
        }
        let Some(dir) = &self.dir else {
            return builtin::file(rel)
                .map(str::to_string)
                .ok_or_else(|| SourceError::NoEmbeddedFile(rel.to_string()));
        };
        let path = dir.join(rel);
        let read = |source| SourceError::ReadFile {
            path: path.display().to_string(),
            source,
        };
        let meta = std::fs::symlink_metadata(&path).map_err(read)?;
        if !meta.is_file() {
            return Err(SourceError::OutsidePack(rel.to_string()));
        }
        crate::source::read_utf8(&path).map_err(read)
    }
}

/// How strictly to load: `lint` checks lanes against the config; `test` does not.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadMode<'k> {
    /// Reject lanes the config does not declare (user packs only).
    pub check_lanes: bool,
    /// Shapes of queries known to compile (not compiled again now).
    pub known: Option<&'k Known>,
}

/// A pack that loaded: its rules, and warnings worth showing.
#[derive(Debug)]
pub struct LoadedPack {
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// Problems that do not stop the load.
    pub warnings: Vec<SpannedError>,
}

/// Loads, validates and compiles one pack.
pub fn load_pack(
    source: &PackSource,
    config: &Config,
    host: &ScriptHost,
    mode: LoadMode<'_>,
) -> Result<LoadedPack, Vec<SpannedError>> {
    let doc = &source.doc;
    let spec: PackSpec = toml::from_str(&doc.text).map_err(|e| vec![doc.toml_error(&e)])?;
    let pack: Arc<str> = Arc::from(spec.pack.name.as_str());
    let mut rules = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut options_by_id: Vec<(String, toml::Table)> = Vec::new();
    let blanket_noqa = spec.pack.blanket_noqa;
    for mut spanned in spec.rules {
        let r = spanned.get_mut();
        r.blanket_noqa = r.blanket_noqa.or(blanket_noqa);
        if let Some(from) = &r.options_from {
            match options_by_id.iter().find(|(id, _)| id == from.get_ref()) {
                Some((_, base)) => {
                    let mut merged = base.clone();
                    let span = r.options.as_ref().map_or(from.span(), |o| o.span());
                    if let Some(own) = &r.options {
                        merged.extend(own.get_ref().clone());
                    }
                    r.options = Some(Spanned::new(span, merged));
                }
                None => errors.push(
                    doc.error(
                        from.span(),
                        format!("no earlier rule `{}` in this pack", from.get_ref()),
                        "options come from here",
                    )
                    .with_help("`options_from` names a rule defined above it in the same pack"),
                ),
            }
        }
        let own = r.options.as_ref().map(|o| o.get_ref().clone());
        if let Some(id) = &r.id {
            options_by_id.push((id.get_ref().clone(), own.unwrap_or_default()));
        }
        match compile_rule(source, &pack, spanned, config, host, mode) {
            Ok(c) => {
                rules.push(c.rule);
                warnings.extend(c.warnings);
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(LoadedPack { rules, warnings })
    } else {
        Err(errors)
    }
}

/// Duplicate ids: the second definition, pointing at the first.
fn duplicate_ids(all: &[(Rule, SourceDoc)], errors: &mut Vec<SpannedError>) {
    for (i, (rule, _)) in all.iter().enumerate() {
        if let Some((_, first_doc)) = all[..i].iter().find(|(r, _)| r.id == rule.id) {
            let doc = &all[i].1;
            errors.push(
                doc.error(
                    rule.id_span.clone(),
                    format!("duplicate rule id `{}`", rule.id),
                    "defined again",
                )
                .with_help(format!(
                    "`{}` is already defined in {}",
                    rule.id, first_doc.name
                )),
            );
        }
    }
}

/// Config overrides applied (or reported when no pack defines their rule),
/// and central exceptions for unknown rules.
fn check_against_config(
    config: &Config,
    all: &mut [(Rule, SourceDoc)],
    errors: &mut Vec<SpannedError>,
) {
    let ids: Vec<Arc<str>> = all.iter().map(|(r, _)| r.id.clone()).collect();
    let help = |id: &str| {
        let list = "run `rulegate rules` to list the rules of the active packs";
        match crate::selector::closest(id, ids.iter().map(|i| &**i)) {
            Some(near) => format!("did you mean `{near}`? {list}"),
            None => list.to_string(),
        }
    };
    for (id, over, span, origin) in &config.overrides {
        match all.iter_mut().find(|(r, _)| &*r.id == id) {
            Some((rule, _)) => {
                if let Some(sev) = over.severity {
                    rule.severity = sev;
                }
                if let Some((_, s)) = config.schedules.iter().find(|(i, _)| i == id) {
                    rule.schedule = Some(s.clone());
                }
            }
            None => errors.push(
                config
                    .error_in(
                        *origin,
                        span.clone(),
                        &format!("unknown rule id `{id}`"),
                        "no active pack defines it",
                    )
                    .with_help(help(id)),
            ),
        }
    }
    for (id, scope) in &config.scopes {
        if let Some((rule, _)) = all.iter_mut().find(|(r, _)| &*r.id == id) {
            rule.scope = crate::rule::Scope {
                lanes: scope.lanes.clone(),
                paths: scope.paths.clone(),
                lanes_or_paths: true,
                ..Default::default()
            };
        }
    }
    for entry in &config.per_file_ignores {
        for (selector, span) in &entry.selectors {
            for message in
                crate::selector::unknown(std::slice::from_ref(selector), ids.iter().map(|i| &**i))
            {
                errors.push(
                    config
                        .error_in(entry.origin, span.clone(), &message, "no rule")
                        .with_help("run `rulegate rules` to list the rules of the active packs"),
                );
            }
        }
    }
    for (rule, _) in all.iter_mut() {
        let globs: Vec<&str> = config
            .per_file_ignores
            .iter()
            .filter(|e| {
                e.selectors
                    .iter()
                    .any(|(s, _)| crate::selector::selected(&rule.id, std::slice::from_ref(s), &[]))
            })
            .map(|e| e.pattern.as_str())
            .collect();
        if !globs.is_empty() {
            rule.scope.ignored = GlobList::from_patterns(&globs).expect("compiled with the config");
        }
    }
    for ex in &config.exceptions {
        if !all.iter().any(|(r, _)| *r.id == ex.rule) {
            errors.push(
                config
                    .error_in(
                        ex.origin,
                        ex.span.clone(),
                        &format!("exception for unknown rule `{}`", ex.rule),
                        "here",
                    )
                    .with_help(help(&ex.rule)),
            );
        }
    }
}

/// Loads every pack the config names (plus the engine's `builtin:core`),
/// applies config overrides and `--select`/`--ignore`, and compiles the set
/// (queries among the `known` shapes are not compiled now).
pub fn load_rules(
    config: &Config,
    host: &ScriptHost,
    select: &[String],
    ignore: &[String],
    known: &Known,
) -> miette::Result<RuleSet> {
    let (gathered, key) = gather(config, host, Some(known));
    let Gathered {
        mut all,
        mut errors,
        warnings,
    } = gathered;
    error::collect(std::mem::take(&mut errors))?;

    duplicate_ids(&all, &mut errors);
    check_against_config(config, &mut all, &mut errors);
    error::collect(errors)?;
    let ids = all.iter().map(|(r, _)| &*r.id);
    let unknown = crate::selector::unknown(&[select, ignore].concat(), ids);
    if !unknown.is_empty() {
        return Err(miette::miette!(
            help = "run `rulegate rules` to list the rules of the active packs",
            "{}",
            unknown.join("\n")
        ));
    }
    Ok(finish(config, all, warnings, select, ignore, key))
}

/// Loads what [`load_rules`] loads, but keeps going past errors (the
/// language server, which must lint with whatever loaded): a pack with an
/// error is left out whole, a rule whose id an earlier pack defines is left
/// out, and a config override or exception naming no loaded rule is
/// ignored. The errors come back beside the rules; those of the config that
/// name unknown rules are left out while some pack failed (its rules are
/// the likely ones named).
pub fn load_rules_tolerant(config: &Config, host: &ScriptHost) -> (RuleSet, Vec<SpannedError>) {
    let (gathered, key) = gather(config, host, None);
    let Gathered {
        mut all,
        mut errors,
        warnings,
    } = gathered;
    let packs_failed = !errors.is_empty();
    duplicate_ids(&all, &mut errors);
    let mut seen = std::collections::HashSet::new();
    all.retain(|(r, _)| seen.insert(r.id.clone()));
    let mut config_errors = Vec::new();
    check_against_config(config, &mut all, &mut config_errors);
    if !packs_failed {
        errors.extend(config_errors);
    }
    (finish(config, all, warnings, &[], &[], key), errors)
}

/// Reads and compiles every pack the config names (plus `builtin:core`),
/// each once; also returns the start of the rule set's cache key.
fn gather(config: &Config, host: &ScriptHost, known: Option<&Known>) -> (Gathered, String) {
    let mut gathered = Gathered::default();
    let mut key = String::from(env!("CARGO_PKG_VERSION"));
    let mut refs: Vec<(String, Option<std::ops::Range<usize>>)> =
        vec![(format!("{BUILTIN_PREFIX}core"), None)];
    refs.extend(
        config
            .packs
            .iter()
            .filter(|(r, _)| r != "builtin:core")
            .cloned(),
    );
    let mut seen: Vec<String> = Vec::new();
    for (reference, span) in refs {
        // The same pack twice would define every rule twice: say so once,
        // at the repeated entry.
        let pack_key = match reference.strip_prefix(BUILTIN_PREFIX) {
            Some(_) => reference.clone(),
            None => std::fs::canonicalize(config.packs_dir().join(&reference))
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| reference.clone()),
        };
        if seen.contains(&pack_key) {
            if let (Some(span), Some(_)) = (span.clone(), &config.doc) {
                gathered.errors.push(
                    config
                        .error_in(
                            config.packs_origin,
                            span,
                            &format!("pack `{reference}` is listed twice"),
                            "again",
                        )
                        .with_help("list each pack once in `packs`"),
                );
            }
            continue;
        }
        seen.push(pack_key);
        let source = match PackSource::resolve(&reference, &config.packs_dir()) {
            Ok(s) => s,
            Err(e) => {
                let e = e.to_string();
                let err = match (span, &config.doc) {
                    (Some(span), Some(_)) => {
                        config.error_in(config.packs_origin, span, &e, "this pack")
                    }
                    _ => SourceDoc::new(reference.clone(), "").error(0..0, e, "here"),
                };
                gathered.errors.push(err);
                continue;
            }
        };
        key.push_str(&source.doc.text);
        gathered.add(&source, config, host, known);
    }
    (gathered, key)
}

/// The rule set of the rules that loaded: disabled and unselected ones
/// dropped, the cache key completed.
fn finish(
    config: &Config,
    all: Vec<(Rule, SourceDoc)>,
    warnings: Vec<SpannedError>,
    select: &[String],
    ignore: &[String],
    mut key: String,
) -> RuleSet {
    let disabled = |id: &str| {
        config
            .overrides
            .iter()
            .any(|(o, over, _, _)| o == id && over.enabled == Some(false))
    };
    let (rules, left_out): (Vec<Rule>, Vec<Rule>) = all
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| !disabled(&r.id))
        .partition(|r| crate::selector::selected(&r.id, select, ignore));
    // What a cached result depends on besides the file: this set of rules
    // (packs, their scripts, the selection) and the config.
    for r in &rules {
        key.push_str(&r.id);
        if let Some(crate::rule::FixAction {
            kind: crate::rule::FixKind::Script(s),
            ..
        }) = &r.fix
        {
            key.push_str(&s.digest.to_string());
        }
    }
    for doc in &config.docs {
        key.push_str(&doc.text);
    }
    let mut set = RuleSet::new(rules);
    set.fingerprint = crate::hash::digest(key.as_bytes());
    set.warnings = warnings;
    set.unselected = left_out
        .into_iter()
        .map(|r| (r.id, (r.scope, r.suppression)))
        .collect();
    set
}

/// Loads one pack for `rulegate test`, validated as `lint` validates it
/// (lanes against the config, duplicate ids), with the engine's
/// `builtin:core`.
pub fn load_for_test(
    reference: &str,
    base: &Path,
    config: &Config,
    host: &ScriptHost,
) -> miette::Result<RuleSet> {
    let core = format!("{BUILTIN_PREFIX}core");
    let refs = if reference == core {
        vec![core]
    } else {
        vec![core, reference.to_string()]
    };
    let mut gathered = Gathered::default();
    for r in refs {
        let source = PackSource::resolve(&r, base).map_err(|e| miette::miette!("{e}"))?;
        gathered.add(&source, config, host, None);
    }
    let Gathered {
        all,
        mut errors,
        warnings,
    } = gathered;
    error::collect(std::mem::take(&mut errors))?;
    duplicate_ids(&all, &mut errors);
    error::collect(errors)?;
    let mut set = RuleSet::new(all.into_iter().map(|(r, _)| r).collect());
    set.warnings = warnings;
    Ok(set)
}

/// The rules, errors and warnings of the packs of one load.
#[derive(Default)]
struct Gathered {
    all: Vec<(Rule, SourceDoc)>,
    errors: Vec<SpannedError>,
    warnings: Vec<SpannedError>,
}

impl Gathered {
    /// Loads one pack as `lint` does: lanes are checked for every pack that
    /// is not embedded in the binary.
    fn add(
        &mut self,
        source: &PackSource,
        config: &Config,
        host: &ScriptHost,
        known: Option<&Known>,
    ) {
        let mode = LoadMode {
            check_lanes: !source.builtin,
            known,
        };
        match load_pack(source, config, host, mode) {
            Ok(loaded) => {
                self.warnings.extend(loaded.warnings);
                let doc = &source.doc;
                self.all
                    .extend(loaded.rules.into_iter().map(|r| (r, doc.clone())));
            }
            Err(e) => self.errors.extend(e),
        }
    }
}
