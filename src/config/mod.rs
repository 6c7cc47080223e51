//! The project configuration: `rulegate.toml` or `[tool.rulegate]` in
//! `pyproject.toml` (SPEC §2). Discovery, strict parsing with spans, and the
//! resolved [`Config`] the rest of the pipeline reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_spanned::Spanned;

use crate::dates::{self, Date};
use crate::error::{self, SourceDoc, SpannedError};
use crate::finding::Severity;
use crate::glob::GlobList;
use crate::parse::PythonVersion;

mod compile;
mod extend;
pub mod promote;
use compile::{compile_exceptions, compile_lanes, compile_per_file_ignores, compile_rules};
use extend::Layer;

/// File name of the dedicated config file.
pub const CONFIG_FILE: &str = "rulegate.toml";
/// The pack list used when no config names one.
pub const DEFAULT_PACKS: &[&str] = &["builtin:t4"];
/// Lane every file belongs to when the config declares no lanes.
pub const DEFAULT_LANE: &str = "production";
/// Folders skipped by default, as ruff does (SPEC §1).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".rulegate_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// `rulegate.toml` as written (also the body of `[tool.rulegate]`).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "rulegate.toml")]
pub struct ConfigSpec {
    /// A base config read first, this file on top (a path relative to this
    /// file), as ruff's `extend`: scalar keys and arrays here replace the
    /// base's, `extend-exclude` adds, `[rules.ID]` and `[lanes.NAME]` merge
    /// key by key, `[[exceptions]]` and `[per-file-ignores]` add up.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub extend: Option<Spanned<String>>,
    /// Packs to load: `builtin:NAME` or paths relative to the config.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub packs: Option<Vec<Spanned<String>>>,
    /// Globs that replace the default excludes.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub exclude: Option<Vec<Spanned<String>>>,
    /// Globs added to the default excludes.
    #[serde(default, rename = "extend-exclude")]
    #[schemars(with = "Vec<String>")]
    pub extend_exclude: Vec<Spanned<String>>,
    /// Roots that absolute imports resolve from.
    #[serde(default)]
    pub src: Option<Vec<String>>,
    /// Oldest Python the code must run on (`py311`); fixes never use newer syntax.
    #[serde(default, rename = "target-version")]
    #[schemars(with = "Option<String>")]
    pub target_version: Option<Spanned<String>>,
    /// The Python environment whose installed metadata says which
    /// distribution provides which module (DEP001): a virtual environment's
    /// folder or its interpreter, relative to the project root. Default:
    /// `$VIRTUAL_ENV`, else `.venv/` at the root.
    #[serde(default)]
    pub python: Option<String>,
    /// Top-level modules a distribution provides, where its metadata and
    /// its name do not say (deptry's `package_module_name_map`):
    /// `{ "PyYAML" = ["yaml"] }`.
    #[serde(default, rename = "package-module-name-map")]
    pub package_module_name_map: Option<BTreeMap<String, Vec<String>>>,
    /// Lanes, in file order: a file belongs to the first that matches.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, LaneSpec>")]
    pub lanes: IndexMap<String, Spanned<LaneSpec>>,
    /// Per-rule overrides.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RuleOverride>")]
    pub rules: BTreeMap<String, Spanned<RuleOverride>>,
    /// Central, time-limited exceptions.
    #[serde(default)]
    #[schemars(with = "Vec<ExceptionSpec>")]
    pub exceptions: Vec<Spanned<ExceptionSpec>>,
    /// Permanent per-file ignores, as ruff's: a glob and the rule selectors
    /// (ids or prefixes) that do not apply to its files
    /// (`"tests/**" = ["RUN002"]`). Time-limited ones are `[[exceptions]]`.
    #[serde(default, rename = "per-file-ignores")]
    #[schemars(with = "BTreeMap<String, Vec<String>>")]
    pub per_file_ignores: IndexMap<String, Spanned<Vec<Spanned<String>>>>,
    /// `rulegate promote`: the criteria its gate checks beyond the rules,
    /// and its audit log.
    #[serde(default)]
    pub promote: Option<promote::PromoteSpec>,
}

/// One `[lanes.NAME]` table.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LaneSpec {
    /// Globs of the lane's files (required, unless an `extend`ed base
    /// declares them for this lane).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub paths: Option<Vec<Spanned<String>>>,
    /// Lanes this lane may import from; absent means every lane.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub may_import: Option<Vec<Spanned<String>>>,
    /// Whether imports with a non-literal module name are allowed here.
    #[serde(default)]
    pub dynamic_imports: Option<DynamicImports>,
}

/// Policy for `importlib.import_module(name)` with a computed `name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DynamicImports {
    /// Allowed.
    Allow,
    /// Reported by `LANE002`.
    Forbid,
}

/// One `[rules.ID]` table.
#[derive(Debug, Default, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    /// Replaces the rule's severity.
    pub severity: Option<Severity>,
    /// `false` turns the rule off.
    pub enabled: Option<bool>,
    /// Staged enforcement: the severity from each day on (replaces the
    /// pack's schedule), `[{ on = "2026-12-01", severity = "error" }]`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<crate::escalate::StageSpec>>")]
    pub escalate: Option<Spanned<Vec<crate::escalate::StageSpec>>>,
    /// Lanes the rule applies in, replacing the pack's scope (with
    /// `paths`: a file in one of the lanes or matching one of the globs).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub lanes: Option<Vec<Spanned<String>>>,
    /// Globs of the files the rule applies to, replacing the pack's scope.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub paths: Option<Vec<Spanned<String>>>,
}

/// One `[[exceptions]]` table.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionSpec {
    /// Rule id the exception silences.
    #[schemars(with = "String")]
    pub rule: Spanned<String>,
    /// Glob of the files it covers.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// Why the exception exists.
    pub reason: String,
    /// Tracking issue.
    #[serde(default)]
    pub issue: Option<String>,
    /// When the exception started (defaults to the TTL-less form).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub start: Option<Spanned<dates::DateText>>,
    /// When it expires (`YYYY-MM-DD`, quoted or a TOML date).
    #[schemars(with = "String")]
    pub expires: Spanned<dates::DateText>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Pyproject {
    #[serde(default)]
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct PyprojectTool {
    #[serde(default)]
    rulegate: Option<ConfigSpec>,
}

/// A resolved lane.
#[derive(Debug, Clone)]
pub struct Lane {
    /// Lane name.
    pub name: String,
    /// Its files.
    pub paths: GlobList,
    /// Lanes it may import; `None` for all.
    pub may_import: Option<Vec<String>>,
    /// Its dynamic-import policy, if the config sets one.
    pub dynamic_imports: Option<DynamicImports>,
    /// The literal folders its globs start with (`candidate/**` → `candidate`):
    /// module names under them belong to the lane even when no file exists.
    pub roots: Vec<String>,
}

impl Lane {
    /// A lane named `name` with `paths` globs (known-good patterns).
    pub fn new(name: &str, paths: &[&str]) -> Self {
        Self::with(
            name.to_string(),
            GlobList::from_patterns(paths).expect("valid globs"),
            None,
            None,
        )
    }

    fn with(
        name: String,
        paths: GlobList,
        may_import: Option<Vec<String>>,
        dynamic_imports: Option<DynamicImports>,
    ) -> Self {
        let roots = Self::literal_roots(&paths);
        Self {
            name,
            paths,
            may_import,
            dynamic_imports,
            roots,
        }
    }

    fn literal_roots(paths: &GlobList) -> Vec<String> {
        paths
            .patterns()
            .iter()
            .filter(|p| p.contains('/'))
            .filter_map(|p| {
                let literal: Vec<&str> = p
                    .split('/')
                    .take_while(|c| !c.contains(['*', '?', '[', '{']))
                    .collect();
                (!literal.is_empty()).then(|| literal.join("/"))
            })
            .collect()
    }
}

/// A resolved central exception.
#[derive(Debug, Clone)]
pub struct CentralException {
    /// Rule id.
    pub rule: String,
    /// Path glob as written.
    pub path_glob: String,
    /// Compiled path glob.
    pub paths: GlobList,
    /// Reason.
    pub reason: String,
    /// Tracking issue.
    pub issue: Option<String>,
    /// Start date, if given.
    pub start: Option<Date>,
    /// Expiry date.
    pub expires: Date,
    /// Span of the `[[exceptions]]` table in its config file.
    pub span: std::ops::Range<usize>,
    /// Which of [`Config::docs`] it is written in.
    pub origin: usize,
}

/// Where `[rules.ID] lanes/paths` says a rule applies: a file in one of
/// the lanes or matching one of the globs (it replaces the pack's scope).
#[derive(Debug, Clone)]
pub struct RuleScope {
    /// The lanes, if given.
    pub lanes: Option<Vec<String>>,
    /// The globs (empty if not given).
    pub paths: GlobList,
}

/// A resolved `[per-file-ignores]` entry.
#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    /// The glob as written.
    pub pattern: String,
    /// The compiled glob.
    pub paths: GlobList,
    /// The rule selectors, with their spans in the config.
    pub selectors: Vec<(String, std::ops::Range<usize>)>,
    /// Span of the entry's value in its config file.
    pub span: std::ops::Range<usize>,
    /// Which of [`Config::docs`] it is written in.
    pub origin: usize,
}

/// The configuration the run uses, resolved and validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Project root: the config's folder, else the current folder.
    pub root: PathBuf,
    /// The config file, when one was found.
    pub doc: Option<SourceDoc>,
    /// Every config file read: this one first, then the bases it
    /// `extend`s, in order (empty for the embedded default).
    pub docs: Vec<SourceDoc>,
    /// Pack references with their spans in the config (if any).
    pub packs: Vec<(String, Option<std::ops::Range<usize>>)>,
    /// Which of [`Config::docs`] the pack list is written in.
    pub packs_origin: usize,
    /// Exclusion globs (defaults, replaced or extended).
    pub exclude: GlobList,
    /// Import roots, absolute.
    pub src: Vec<PathBuf>,
    /// Oldest Python the code must run on.
    pub target_version: PythonVersion,
    /// The configured Python environment (`python`), absolute.
    pub python: Option<PathBuf>,
    /// `package-module-name-map`: distribution → the modules it provides.
    pub package_module_name_map: BTreeMap<String, Vec<String>>,
    /// Lanes in file order.
    pub lanes: Vec<Lane>,
    /// Per-rule overrides with the span of their key and the index in
    /// [`Config::docs`] of the file it is in (the nearest that names the rule).
    pub overrides: Vec<(String, RuleOverride, std::ops::Range<usize>, usize)>,
    /// Staged-enforcement schedules of `[rules.ID]`, by rule id.
    pub schedules: Vec<(String, crate::escalate::Schedule)>,
    /// Central exceptions.
    pub exceptions: Vec<CentralException>,
    /// `[per-file-ignores]`, in file order.
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// `[rules.ID] lanes/paths`: the scope that replaces the pack's, by rule id.
    pub scopes: Vec<(String, RuleScope)>,
    /// `[promote]`: the promotion criteria and audit log.
    pub promote: promote::PromoteSettings,
}

impl Config {
    /// The embedded default: `builtin:t4`, every file in lane `production`.
    pub fn default_for(root: PathBuf) -> Self {
        Self::from_spec(root, None, ConfigSpec::default()).expect("default config is valid")
    }

    /// Finds and loads the config for `start` (a file or folder), or the default.
    pub fn discover(start: &Path) -> miette::Result<Self> {
        match find(start) {
            Some(file) => Self::read(&file, None),
            None => {
                let cwd = std::env::current_dir().map_err(|e| miette::miette!("{e}"))?;
                Ok(Self::default_for(cwd))
            }
        }
    }

    /// Loads a given config file (`rulegate.toml` or `pyproject.toml`).
    pub fn load(path: &Path) -> miette::Result<Self> {
        Self::read(path, Some("check the path given to --config"))
    }

    fn read(path: &Path, help: Option<&str>) -> miette::Result<Self> {
        let layers = extend::read_chain(path, help)?;
        let root = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        Self::from_layers(root, layers, true)
    }

    fn from_spec(root: PathBuf, doc: Option<SourceDoc>, spec: ConfigSpec) -> miette::Result<Self> {
        let has_doc = doc.is_some();
        let doc = doc.unwrap_or_else(|| SourceDoc::new("<default config>", ""));
        Self::from_layers(root, vec![Layer { doc, spec }], has_doc)
    }

    /// The config `layers` say (this file first, then its bases): the
    /// nearest layer that sets a key wins, as `extend` says.
    fn from_layers(root: PathBuf, layers: Vec<Layer>, has_doc: bool) -> miette::Result<Self> {
        let mut errors: Vec<SpannedError> = Vec::new();
        let nearest = |get: fn(&ConfigSpec) -> bool| layers.iter().position(|l| get(&l.spec));

        let packs_origin = nearest(|s| s.packs.is_some()).unwrap_or(0);
        let packs = match &layers[packs_origin].spec.packs {
            Some(list) => list
                .iter()
                .map(|p| (p.get_ref().clone(), Some(p.span())))
                .collect(),
            None => DEFAULT_PACKS
                .iter()
                .map(|p| (p.to_string(), None))
                .collect(),
        };

        let exclude = {
            let mut check = |l: &Layer, pats: &[Spanned<String>]| {
                if let Err(e) = GlobList::from_spanned(&l.doc, pats) {
                    errors.extend(e);
                }
                pats.iter().map(|p| p.get_ref().clone()).collect::<Vec<_>>()
            };
            let mut pats: Vec<String> = match nearest(|s| s.exclude.is_some()) {
                Some(i) => check(
                    &layers[i],
                    layers[i].spec.exclude.as_deref().unwrap_or_default(),
                ),
                None => DEFAULT_EXCLUDES.iter().map(|p| p.to_string()).collect(),
            };
            for l in layers.iter().rev() {
                pats.extend(check(l, &l.spec.extend_exclude));
            }
            GlobList::from_patterns(&pats).unwrap_or_default()
        };

        let target_version = match nearest(|s| s.target_version.is_some()) {
            None => PythonVersion::DEFAULT,
            Some(i) => {
                let v = layers[i].spec.target_version.as_ref().expect("set");
                PythonVersion::parse(v.get_ref()).unwrap_or_else(|| {
                    errors.push(
                        layers[i]
                            .doc
                            .error(v.span(), "unknown Python version", "not a version")
                            .with_help("write it as ruff does: `target-version = \"py311\"`"),
                    );
                    PythonVersion::DEFAULT
                })
            }
        };

        let lanes = compile_lanes(&layers, &mut errors);
        let lane_names: Vec<&str> = lanes.iter().map(|l| l.name.as_str()).collect();
        let mut exceptions = Vec::new();
        let mut per_file_ignores = Vec::new();
        for (origin, l) in layers.iter().enumerate().rev() {
            exceptions.extend(compile_exceptions(&l.doc, &l.spec, origin, &mut errors));
            per_file_ignores.extend(compile_per_file_ignores(
                &l.doc,
                &l.spec,
                origin,
                &mut errors,
            ));
        }
        let (overrides, schedules, scopes) = compile_rules(&layers, &lane_names, &mut errors);
        let promote = promote::compile_promote(&layers, &mut errors);
        let src: Vec<PathBuf> = match nearest(|s| s.src.is_some()) {
            Some(i) => layers[i].spec.src.clone().unwrap_or_default(),
            None => vec![".".to_string()],
        }
        .iter()
        .map(|s| root.join(s))
        .collect();

        // Relative to the root, as `src`.
        let python = nearest(|s| s.python.is_some())
            .and_then(|i| layers[i].spec.python.as_deref())
            .map(|p| root.join(p));
        let package_module_name_map = nearest(|s| s.package_module_name_map.is_some())
            .and_then(|i| layers[i].spec.package_module_name_map.clone())
            .unwrap_or_default();
        error::collect(errors)?;
        let docs: Vec<SourceDoc> = if has_doc {
            layers.into_iter().map(|l| l.doc).collect()
        } else {
            Vec::new()
        };
        Ok(Self {
            root,
            doc: docs.first().cloned(),
            docs,
            packs,
            packs_origin,
            exclude,
            src,
            target_version,
            python,
            package_module_name_map,
            lanes,
            overrides,
            schedules,
            exceptions,
            per_file_ignores,
            scopes,
            promote,
        })
    }

    /// The folder pack paths are relative to: that of the config file that
    /// lists them (a base's packs live beside the base), else the root.
    pub fn packs_dir(&self) -> PathBuf {
        self.docs
            .get(self.packs_origin)
            .and_then(|d| Path::new(&d.name).parent().map(Path::to_path_buf))
            .filter(|_| self.packs_origin > 0)
            .unwrap_or_else(|| self.root.clone())
    }

    /// The lane of a file (first lane in file order whose globs match).
    pub fn lane_of(&self, rel_path: &str) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.paths.is_match(rel_path))
    }

    /// Parses a config from text (pack tests declare their lanes this way).
    pub fn from_text(root: PathBuf, text: &str) -> miette::Result<Self> {
        let doc = SourceDoc::new("<test config>", text);
        let spec = toml::from_str::<ConfigSpec>(&doc.text).map_err(|e| doc.toml_error(&e))?;
        Self::from_spec(root, Some(doc), spec)
    }

    /// The lane named `name`.
    pub fn lane(&self, name: &str) -> Option<&Lane> {
        self.lanes.iter().find(|l| l.name == name)
    }

    /// Whether a lane of this name exists.
    pub fn has_lane(&self, name: &str) -> bool {
        self.lane(name).is_some()
    }

    /// An error at `span` of the config file (for checks made after loading packs).
    pub fn error_at(&self, span: std::ops::Range<usize>, msg: &str, label: &str) -> SpannedError {
        self.error_in(0, span, msg, label)
    }

    /// An error at `span` of config file `origin` (an index in [`Config::docs`]).
    pub fn error_in(
        &self,
        origin: usize,
        span: std::ops::Range<usize>,
        msg: &str,
        label: &str,
    ) -> SpannedError {
        self.docs
            .get(origin)
            .cloned()
            .unwrap_or_else(|| SourceDoc::new("<default config>", ""))
            .error(span, msg, label)
    }
}

/// The config file that governs `start` (a file or folder): the nearest
/// `rulegate.toml`, or `pyproject.toml` with a `[tool.rulegate]` table, in
/// its folder or above.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut dir = if start.is_file() {
        start.parent().map(Path::to_path_buf)
    } else {
        Some(start)
    };
    while let Some(d) = dir {
        if let Some(file) = config_in(&d) {
            return Some(file);
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    None
}

/// The config file in folder `dir` itself, if it has one.
pub fn config_in(dir: &Path) -> Option<PathBuf> {
    let candidate = dir.join(CONFIG_FILE);
    if candidate.is_file() {
        return Some(candidate);
    }
    let pyproject = dir.join("pyproject.toml");
    (pyproject.is_file() && has_rulegate_table(&pyproject)).then_some(pyproject)
}

/// Whether a `pyproject.toml` has a `[tool.rulegate]` table, in any TOML
/// spelling (`[tool.rulegate]`, `[ tool . "rulegate" ]`, dotted keys under
/// `[tool]`, an inline table). One that does not parse counts when it
/// mentions rulegate at all, so that loading it reports the TOML error.
fn has_rulegate_table(path: &Path) -> bool {
    let Ok(text) = crate::source::read_utf8(path) else {
        // Not UTF-8: loading it reports the line, when it is meant for us.
        return crate::source::read_regular(path)
            .is_ok_and(|b| b.windows(8).any(|w| w == b"rulegate"));
    };
    match toml::from_str::<toml::Table>(&text) {
        Ok(t) => t
            .get("tool")
            .and_then(|tool| tool.as_table())
            .is_some_and(|tool| tool.contains_key("rulegate")),
        Err(_) => text.contains("rulegate"),
    }
}

/// The text `rulegate init` writes: a commented starter config.
pub const STARTER_CONFIG: &str = include_str!("../../rules/starter-rulegate.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_may_be_native_toml_dates_or_strings() {
        let c = Config::from_text(
            PathBuf::from("/p"),
            "[[exceptions]]\nrule = \"E402\"\npath = \"a.py\"\nreason = \"r\"\nstart = 2026-01-02\nexpires = 2026-03-01\n[[exceptions]]\nrule = \"E402\"\npath = \"b.py\"\nreason = \"r\"\nexpires = \"2026-03-02\"\n[rules.E402]\nescalate = [{ on = 2026-12-01, severity = \"error\" }]\n",
        )
        .unwrap();
        assert_eq!(c.exceptions[0].expires.to_string(), "2026-03-01");
        assert_eq!(c.exceptions[0].start.unwrap().to_string(), "2026-01-02");
        assert_eq!(c.exceptions[1].expires.to_string(), "2026-03-02");
        assert_eq!(c.schedules.len(), 1);
        // A date-time is not a date: the same error as a malformed string.
        let err = Config::from_text(
            PathBuf::from("/p"),
            "[[exceptions]]\nrule = \"E402\"\npath = \"a.py\"\nreason = \"r\"\nexpires = 2026-03-01T10:00:00\n",
        )
        .unwrap_err();
        assert!(format!("{err:?}").contains("invalid date"), "{err:?}");
    }

    #[test]
    fn first_lane_in_file_order_wins() {
        // Not alphabetical: `zeta` is written first and claims its files.
        let c = Config::from_text(
            PathBuf::from("/p"),
            "[lanes.zeta]\npaths = [\"x/**\"]\n[lanes.alpha]\npaths = [\"**\"]\n",
        )
        .unwrap();
        assert_eq!(c.lane_of("x/f.py").unwrap().name, "zeta");
        assert_eq!(c.lane_of("y/f.py").unwrap().name, "alpha");
        assert_eq!(c.lanes[0].roots, ["x"]);
    }

    fn load_str(text: &str) -> miette::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(CONFIG_FILE);
        std::fs::write(&p, text).unwrap();
        Config::load(&p)
    }

    #[test]
    fn default_has_one_production_lane() {
        let c = Config::default_for(PathBuf::from("/x"));
        assert_eq!(c.lane_of("any/where.py").unwrap().name, "production");
        assert_eq!(c.packs[0].0, "builtin:t4");
        assert!(c.exclude.is_match(".venv/lib/x.py"));
    }

    #[test]
    fn first_matching_lane_wins() {
        let c = load_str(
            "[lanes.candidate]\npaths=[\"candidate/**\"]\n[lanes.production]\npaths=[\"**\"]\n",
        )
        .unwrap();
        assert_eq!(c.lane_of("candidate/a.py").unwrap().name, "candidate");
        assert_eq!(c.lane_of("core/a.py").unwrap().name, "production");
    }

    #[test]
    fn errors_point_at_spans() {
        let text = "[lanes.a]\npaths=[\"a/**\"]\nmay_import=[\"nope\"]\n";
        let err = load_str(text).unwrap_err();
        let e = err.downcast_ref::<SpannedError>().unwrap();
        assert_eq!(&text[e.span()], "\"nope\"");

        let text = "colour = 1\n";
        let err = load_str(text).unwrap_err();
        let e = err.downcast_ref::<SpannedError>().unwrap();
        assert_eq!(&text[e.span()], "colour");

        let text =
            "[[exceptions]]\nrule=\"E402\"\npath=\"a.py\"\nreason=\"r\"\nexpires=\"2025-02-30\"\n";
        let err = load_str(text).unwrap_err();
        let e = err.downcast_ref::<SpannedError>().unwrap();
        assert_eq!(&text[e.span()], "\"2025-02-30\"");

        let text = "exclude = [\"a/[\"]\n";
        let err = load_str(text).unwrap_err();
        let e = err.downcast_ref::<SpannedError>().unwrap();
        assert_eq!(&text[e.span()], "\"a/[\"");
    }

    #[test]
    fn pyproject_section_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[project]\nname='x'\n[tool.rulegate]\nexclude=['old/**']\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("pkg")).unwrap();
        let c = Config::discover(&dir.path().join("pkg")).unwrap();
        assert!(c.exclude.is_match("old/a.py"));
        assert!(
            !c.exclude.is_match(".venv/a.py"),
            "exclude replaces defaults"
        );
    }
}
