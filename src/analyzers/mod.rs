//! Built-in analyzers: matchers for what one tree-sitter query cannot say.
//! Each is configured by the `[rule.options]` of the rule that names it
//! (`analyzer = "import-order"`), so a pack never needs Rust code to change.
//! A family of checks (`analyzer = "imports"`, `"missing-export"`) is one
//! analyzer per check, picked by `[rule.options] check`, each with options of
//! its own: a key another check reads is an error, not silently ignored.

use std::any::Any;
use std::cell::RefCell;
use std::fmt::Debug;
use std::ops::Range;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use tree_sitter::Tree;

use crate::config::Config;
use crate::dates::Date;
use crate::imports::ImportSite;

pub mod comment_format;
pub mod cycles;
pub mod import_order;
pub mod imports;
pub mod missing_export;
pub mod pytest_markers;
pub mod undeclared;

/// What an analyzer sees of one file.
pub struct FileCtx<'a> {
    /// Path relative to the project root.
    pub path: &'a str,
    /// The file's lane.
    pub lane: Option<&'a str>,
    /// The file's text (BOM excluded).
    pub text: &'a str,
    /// Its syntax tree (`None` when every active rule reads only the
    /// file's imports: see [`Analyzer::needs_tree`]).
    pub tree: Option<&'a Tree>,
    /// The file's static imports read without a parse, when it has no tree.
    pub static_imports: Option<Rc<Vec<ImportSite>>>,
    /// The date judgements are made against.
    pub today: Date,
    /// The project configuration.
    pub config: &'a Config,
    /// The project model (module index, symbol tables).
    pub project: crate::project::ProjectView<'a>,
    /// The file's imports, extracted once for all the rules that need them
    /// (keyed by the dynamic-import functions asked for).
    pub imports: Memo<Vec<String>, Vec<ImportSite>>,
    /// The file's comments holding a tag, with their line, found once for
    /// all the rules that read them (keyed by the tags).
    pub tagged_comments: Memo<Vec<String>, Vec<(Range<usize>, usize)>>,
    /// Texts of files a fix round is changing (they differ from the disk).
    pub overlay: Option<&'a std::collections::BTreeMap<String, String>>,
    /// How the run produces a module's symbol table before parsing it for
    /// the table alone (see [`crate::symbols::Prefetch`]).
    pub prefetch: Option<&'a dyn crate::symbols::Prefetch>,
    /// The file's name model, built on first use (files whose rules never
    /// ask pay nothing).
    pub names: std::cell::OnceCell<crate::names::NameModel>,
    /// The digest of `text`, computed on first use.
    pub digest: std::cell::OnceCell<u64>,
}

/// Something computed from one file on first use, for every rule that asks
/// with the same key (rules whose options differ get their own).
pub struct Memo<K, V>(RefCell<Option<(K, Rc<V>)>>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self(RefCell::new(None))
    }
}

impl<K: PartialEq + Clone, V> Memo<K, V> {
    /// The value for `key`, computed by `compute` unless it was for that key.
    pub fn get_or(&self, key: &K, compute: impl FnOnce() -> V) -> Rc<V> {
        if let Some((k, v)) = &*self.0.borrow()
            && k == key
        {
            return v.clone();
        }
        let v = Rc::new(compute());
        *self.0.borrow_mut() = Some((key.clone(), v.clone()));
        v
    }
}

impl<'a> FileCtx<'a> {
    /// Resolves a module name, seeing the files a fix round has created.
    pub fn resolve(&self, dotted: &str) -> Option<crate::imports::resolve::Target> {
        self.project.modules.resolve_with(dotted, self.overlay)
    }

    /// The syntax tree, for an analyzer that reads it. The checker parses
    /// the file unless every active analyzer says it needs no tree
    /// ([`Analyzer::needs_tree`]), so an analyzer that reads the tree gets one.
    pub fn tree(&self) -> &'a Tree {
        self.tree
            .expect("the checker parses a file whose active analyzers read the tree")
    }

    /// The file's name model (scopes, bindings, references), built once.
    pub fn names(&self) -> &crate::names::NameModel {
        self.names
            .get_or_init(|| crate::names::NameModel::build(self.tree(), self.text))
    }

    /// The file's imports, with `dynamic_calls` as the dynamic-import functions.
    pub fn imports(&self, dynamic_calls: &[String]) -> Rc<Vec<ImportSite>> {
        if let Some(sites) = &self.static_imports {
            return sites.clone();
        }
        self.imports.get_or(&dynamic_calls.to_vec(), || {
            // Imports scanned from this very text for an import graph: what
            // the tree gives, unless the text names a dynamic-import
            // function (only the tree sees those calls) or has a syntax
            // error (the scanner and the tree may read it differently).
            let tree = self.tree();
            if !tree.root_node().has_error()
                && !crate::imports::names_dynamic_call(self.text, dynamic_calls)
                && let Some(sites) = self
                    .prefetch
                    .and_then(|p| p.take_imports(self.path, &|| self.digest()))
            {
                return sites;
            }
            crate::imports::extract_with(tree, self.text, dynamic_calls, self.names.get())
        })
    }

    /// The digest of the file's text ([`crate::hash::digest`]), computed once.
    pub fn digest(&self) -> u64 {
        *self
            .digest
            .get_or_init(|| crate::hash::digest(self.text.as_bytes()))
    }
}

/// One thing an analyzer found.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Byte range to underline.
    pub range: Range<usize>,
    /// Values for the rule's message template.
    pub vars: Vec<(&'static str, String)>,
    /// The analyzer's own fix, if any.
    pub fix: Option<crate::finding::Fix>,
    /// Why the analyzer's fix is not offered for this hit, if it is not.
    pub fix_refused: Option<crate::finding::FixRefused>,
}

impl Hit {
    /// A hit at `range` with no variables and no fix.
    pub fn at(range: Range<usize>) -> Self {
        Self {
            range,
            vars: Vec::new(),
            fix: None,
            fix_refused: None,
        }
    }
}

/// A built-in analyzer, configured from a rule's options.
///
/// It has what every analyzer needs. A command that needs what one analyzer
/// alone has asks that analyzer's type, through [`Any`] (`rulegate stubs`
/// the stub templates of `MissingNames` and `MissingModules`, `rulegate
/// promote` the `module_string_calls` of `Lanes`).
pub trait Analyzer: Any + Send + Sync + Debug {
    /// Variables its hits define, usable in the rule's message.
    fn variables(&self) -> &'static [&'static str];
    /// Literal words one of which a file must contain for a hit to be possible
    /// (`None`: every file may have hits).
    fn prefilter(&self) -> Option<Vec<String>>;
    /// Whether the analyzer reads only comments: its prefilter words are
    /// then looked for only after a `#` on the same line.
    fn reads_only_comments(&self) -> bool {
        false
    }
    /// A cheap test of a file's text that passed the prefilter: `false`
    /// means no hit is possible, and the file needs no parse for this rule.
    /// It must be conservative (never `false` for a file with a hit).
    fn may_match(&self, _text: &str) -> bool {
        true
    }
    /// Whether checking this file needs its syntax tree. `false` when the
    /// analyzer reads only the file's static imports: if every active rule
    /// says so, the file is not parsed and its imports come from
    /// [`crate::imports::scan`].
    fn needs_tree(&self, _text: &str) -> bool {
        true
    }
    /// Finds the hits in one file.
    fn check(&self, ctx: &FileCtx, hits: &mut Vec<Hit>);
    /// The report this analyzer feeds (`rulegate report NAME`), if any.
    fn inventory(&self) -> Option<Inventory> {
        None
    }
    /// Records one file's facts for the report named by [`Analyzer::inventory`],
    /// whatever the rule's scope.
    fn collect(&self, _ctx: &FileCtx, _facts: &mut Vec<Fact>) {}
    /// Whether its hits may carry a fix of their own (shown by `rules`,
    /// `explain` and SARIF).
    fn fixable(&self) -> bool {
        false
    }
    /// Whether it reads other modules' symbol tables (then every parsed
    /// file's table is recorded as the run goes).
    fn needs_symbols(&self) -> bool {
        false
    }
}

/// The reports analyzers feed (`rulegate report NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// `rulegate report todos`: tagged comments.
    Todos,
    /// `rulegate report lanes`: imports between lanes.
    Lanes,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Report::Todos => "todos",
            Report::Lanes => "lanes",
        })
    }
}

/// What an analyzer contributes to a report.
#[derive(Debug, Clone)]
pub struct Inventory {
    /// The report it feeds.
    pub report: Report,
    /// Its data columns, in order.
    pub columns: Vec<String>,
}

/// One fact recorded for a report.
#[derive(Debug, Clone)]
pub enum Fact {
    /// A tagged comment (`rulegate report todos`).
    Todo(TaggedComment),
    /// An import from one lane into another (`rulegate report lanes`).
    LaneImport(LaneImport),
}

/// An import that crosses lanes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LaneImport {
    /// Importing file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The importing file's lane.
    pub from_lane: String,
    /// The imported module's lane.
    pub to_lane: String,
    /// The absolute module name.
    pub module: String,
    /// The file it resolved to (`None`: under the lane's folder, no file).
    pub target: Option<String>,
    /// `import`, `from`, `dynamic`, `dynamic-prefix`.
    pub kind: &'static str,
    /// Inside `if TYPE_CHECKING:`.
    pub typing_only: bool,
    /// Whether the lanes allow it.
    pub allowed: bool,
}

/// A tagged comment, well-formed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedComment {
    /// Path relative to the project root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The file's lane.
    pub lane: Option<String>,
    /// The tag (`TODO`).
    pub kind: String,
    /// (column, value) for the grammar's inventory columns; empty when missing.
    pub columns: Vec<(String, String)>,
    /// The message.
    pub message: String,
    /// Whether it is in the form.
    pub well_formed: bool,
    /// (value, weight) of its debt-score field, if it has a weighted value.
    pub weight: Option<(String, i64)>,
}

type Factory = fn(&toml::Table) -> Result<Box<dyn Analyzer>, String>;

/// The JSON Schema of an analyzer's options.
type OptionsSchema = fn(&mut schemars::SchemaGenerator) -> schemars::Schema;

/// An analyzer a rule may name.
struct Entry {
    /// `analyzer = "NAME"`.
    name: &'static str,
    /// For one check of a family: the `[rule.options] check` that picks it.
    check: Option<&'static str>,
    /// Builds it from the rule's options (a check's: without `check`).
    build: Factory,
    /// The schema of those options.
    schema: OptionsSchema,
}

/// An analyzer that takes its options whole.
const fn analyzer(name: &'static str, build: Factory, schema: OptionsSchema) -> Entry {
    Entry {
        name,
        check: None,
        build,
        schema,
    }
}

/// One check of a family.
const fn check(
    name: &'static str,
    check: &'static str,
    build: Factory,
    schema: OptionsSchema,
) -> Entry {
    Entry {
        name,
        check: Some(check),
        build,
        schema,
    }
}

/// The analyzers a rule may name, by `analyzer = "..."` value (and `check`,
/// for a family's), with the schema of their `[rule.options]`.
const REGISTRY: &[Entry] = &[
    analyzer("import-order", import_order::build, |g| {
        g.subschema_for::<import_order::ImportOrderOptions>()
    }),
    analyzer("comment-format", comment_format::build, |g| {
        g.subschema_for::<comment_format::CommentFormatOptions>()
    }),
    analyzer("pytest-markers", pytest_markers::build, |g| {
        g.subschema_for::<pytest_markers::PytestMarkersOptions>()
    }),
    analyzer("undeclared-imports", undeclared::build, |g| {
        g.subschema_for::<undeclared::UndeclaredOptions>()
    }),
    analyzer("import-cycles", cycles::build, |g| {
        g.subschema_for::<cycles::CyclesOptions>()
    }),
    check("imports", "lanes", imports::lanes::build, |g| {
        g.subschema_for::<imports::lanes::LanesOptions>()
    }),
    check("imports", "dynamic", imports::dynamic::build, |g| {
        g.subschema_for::<imports::dynamic::DynamicOptions>()
    }),
    check("imports", "legacy", imports::legacy::build, |g| {
        g.subschema_for::<imports::legacy::LegacyOptions>()
    }),
    check("imports", "relative", imports::relative::build, |g| {
        g.subschema_for::<imports::relative::RelativeOptions>()
    }),
    check(
        "missing-export",
        "missing",
        missing_export::missing::build,
        |g| g.subschema_for::<missing_export::missing::MissingOptions>(),
    ),
    check(
        "missing-export",
        "shadowed",
        missing_export::shadowed::build,
        |g| g.subschema_for::<missing_export::shadowed::ShadowedOptions>(),
    ),
    check(
        "missing-export",
        "module",
        missing_export::module::build,
        |g| g.subschema_for::<missing_export::module::ModuleOptions>(),
    ),
];

/// Each analyzer's name with the schema of its options (for the pack
/// schema). A family's options are one of its checks' (each with its
/// `check` value).
pub fn option_schemas(
    generator: &mut schemars::SchemaGenerator,
) -> Vec<(&'static str, schemars::Schema)> {
    let mut out: Vec<(&'static str, schemars::Schema)> = Vec::new();
    for entry in REGISTRY {
        let schema = (entry.schema)(generator);
        let Some(check) = entry.check else {
            out.push((entry.name, schema));
            continue;
        };
        with_check(generator, &schema, check);
        match out.iter_mut().find(|(n, _)| *n == entry.name) {
            Some((_, family)) => {
                if let Some(serde_json::Value::Array(cases)) = family.get_mut("oneOf") {
                    cases.push(schema.to_value());
                }
            }
            None => out.push((
                entry.name,
                schemars::json_schema!({ "oneOf": [schema.to_value()] }),
            )),
        }
    }
    out
}

/// Adds the required `check = CHECK` to the options definition `schema`
/// refers to (a check's options type has no `check` field: the registry
/// reads it).
fn with_check(generator: &mut schemars::SchemaGenerator, schema: &schemars::Schema, check: &str) {
    let Some(name) = schema
        .get("$ref")
        .and_then(serde_json::Value::as_str)
        .and_then(|r| r.rsplit('/').next())
    else {
        return;
    };
    let Some(serde_json::Value::Object(def)) = generator.definitions_mut().get_mut(name) else {
        return;
    };
    let mut properties = serde_json::Map::new();
    properties.insert(
        "check".into(),
        serde_json::json!({ "description": "Which check.", "const": check }),
    );
    if let Some(serde_json::Value::Object(own)) = def.remove("properties") {
        properties.extend(own);
    }
    def.insert("properties".into(), serde_json::Value::Object(properties));
    let mut required = vec![serde_json::Value::from("check")];
    if let Some(serde_json::Value::Array(own)) = def.remove("required") {
        required.extend(own);
    }
    def.insert("required".into(), serde_json::Value::Array(required));
}

/// Matchers handled by the engine itself rather than by an [`Analyzer`].
pub const ENGINE_MATCHERS: &[&str] = &["engine", "suppression"];

/// Names a rule may use in `analyzer = "..."`.
pub fn names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for entry in REGISTRY {
        if !out.contains(&entry.name) {
            out.push(entry.name);
        }
    }
    out.extend(ENGINE_MATCHERS);
    out
}

/// Builds the analyzer `name` from `options` (for a family, the one its
/// `check` names); `None` if no such analyzer.
pub fn build(name: &str, options: &toml::Table) -> Option<Result<Box<dyn Analyzer>, OptionsError>> {
    let entries: Vec<&Entry> = REGISTRY.iter().filter(|e| e.name == name).collect();
    let built = match entries.as_slice() {
        [] => return None,
        [entry] if entry.check.is_none() => (entry.build)(options),
        family => build_check(name, family, options),
    };
    Some(built.map_err(OptionsError))
}

/// Builds the check of a family that `options.check` names, from the other
/// options, which must be that check's.
fn build_check(
    name: &str,
    family: &[&Entry],
    options: &toml::Table,
) -> Result<Box<dyn Analyzer>, String> {
    let checks: Vec<String> = family
        .iter()
        .filter_map(|e| e.check)
        .map(String::from)
        .collect();
    let expected = || format!("expected one of {}", quoted(&checks));
    let check = match options.get("check") {
        Some(toml::Value::String(check)) => check,
        Some(_) => return Err(format!("`check` is not a string: {}", expected())),
        None => {
            return Err(format!(
                "missing field `check`: `analyzer = \"{name}\"` needs one, {}",
                expected()
            ));
        }
    };
    let Some(entry) = family.iter().find(|e| e.check == Some(check.as_str())) else {
        return Err(format!(
            "unknown check `{check}` of `analyzer = \"{name}\"`, {}",
            expected()
        ));
    };
    let mut own = options.clone();
    own.remove("check");
    (entry.build)(&own).map_err(|e| match unknown_field(&e) {
        Some(key) => {
            let mut keys = vec!["check".to_string()];
            keys.extend(option_keys(entry));
            format!(
                "unknown field `{key}`: `check = \"{check}\"` takes only {}",
                quoted(&keys)
            )
        }
        None => e,
    })
}

/// The key of serde's "unknown field `KEY`, expected …" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split_once('`')?.0)
}

/// The top-level keys of an entry's options, in order, from its schema.
fn option_keys(entry: &Entry) -> Vec<String> {
    let mut generator = schemars::generate::SchemaSettings::default()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let schema = (entry.schema)(&mut generator);
    schema
        .get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// `` `a`, `b`, `c` ``.
fn quoted(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an analyzer rejected a rule's `[rule.options]` (shown at the options,
/// or at the key serde names).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OptionsError(pub String);

/// Deserializes an analyzer's options table strictly.
pub fn options<T: DeserializeOwned>(table: &toml::Table) -> Result<T, String> {
    toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    /// The error building `analyzer = name` with `options` gives.
    fn rejected(name: &str, options: &str) -> String {
        match build(name, &table(options)).expect("a registered analyzer") {
            Ok(a) => panic!("{name} accepted {options}: {a:?}"),
            Err(OptionsError(e)) => e,
        }
    }

    #[test]
    fn each_check_takes_only_its_own_options() {
        let e = rejected(
            "imports",
            "check = \"lanes\"\n[[renames]]\nfrom = \"a\"\nto = \"b\"\n",
        );
        assert_eq!(
            e,
            "unknown field `renames`: `check = \"lanes\"` takes only `check`, \
             `dynamic_calls`, `typing_only`, `module_string_calls`"
        );
        let e = rejected(
            "imports",
            "check = \"legacy\"\ntyping_only = \"exempt\"\n[[renames]]\nfrom = \"a\"\nto = \"b\"\n",
        );
        assert_eq!(
            e,
            "unknown field `typing_only`: `check = \"legacy\"` takes only `check`, \
             `dynamic_calls`, `renames`"
        );
        let e = rejected("imports", "check = \"relative\"\nforbid_dynamic_in = []\n");
        assert!(e.contains("takes only `check`, `dynamic_calls`"), "{e}");
        let e = rejected("imports", "check = \"dynamic\"\nmodule_string_calls = []\n");
        assert!(e.contains("`check = \"dynamic\"`"), "{e}");
        assert!(e.contains("`forbid_dynamic_in`"), "{e}");
        // STUB002 has no options, STUB001 and STUB003 the stub templates.
        let e = rejected("missing-export", "check = \"shadowed\"\nstubs = {}\n");
        assert_eq!(
            e,
            "unknown field `stubs`: `check = \"shadowed\"` takes only `check`"
        );
        let e = rejected(
            "missing-export",
            "check = \"module\"\ntyping_only = \"report\"\n",
        );
        assert!(e.contains("takes only `check`, `stubs`"), "{e}");
    }

    #[test]
    fn a_family_needs_a_known_check() {
        assert_eq!(
            rejected("imports", "typing_only = \"exempt\"\n"),
            "missing field `check`: `analyzer = \"imports\"` needs one, expected one of \
             `lanes`, `dynamic`, `legacy`, `relative`"
        );
        assert_eq!(
            rejected("missing-export", "check = \"exports\"\n"),
            "unknown check `exports` of `analyzer = \"missing-export\"`, expected one of \
             `missing`, `shadowed`, `module`"
        );
        assert!(rejected("imports", "check = 1\n").contains("not a string"));
        // A check's own validation still runs.
        assert_eq!(
            rejected("imports", "check = \"legacy\"\n"),
            "`check = \"legacy\"` needs at least one `[[renames]]`"
        );
        // Analyzers without checks keep serde's message.
        assert!(
            rejected("import-order", "allowed = []\n")
                .starts_with("unknown field `allowed`, expected one of")
        );
    }

    #[test]
    fn the_check_picks_the_analyzer() {
        let built = |name: &str, options: &str| build(name, &table(options)).unwrap().unwrap();
        let lanes = built(
            "imports",
            "check = \"lanes\"\ntyping_only = \"exempt\"\nmodule_string_calls = [\"p\"]\n",
        );
        let any: &dyn Any = lanes.as_ref();
        let lanes = any.downcast_ref::<imports::lanes::Lanes>().unwrap();
        assert_eq!(lanes.module_string_calls(), Some(&["p".to_string()][..]));
        assert_eq!(lanes.variables()[0], "from_lane");
        assert!(lanes.inventory().is_some());
        let legacy = built(
            "imports",
            "check = \"legacy\"\n[[renames]]\nfrom = \"a\"\nto = \"b\"\n",
        );
        assert!(legacy.fixable());
        assert_eq!(legacy.prefilter(), Some(vec!["a".to_string()]));
        assert!(legacy.inventory().is_none());
        let shadowed = built("missing-export", "check = \"shadowed\"\n");
        assert_eq!(shadowed.variables(), &["module", "package"]);
        assert!(build("no-such", &toml::Table::new()).is_none());
    }

    #[test]
    fn a_family_schema_is_one_of_its_checks() {
        let mut generator = schemars::generate::SchemaSettings::default().into_generator();
        let schemas = option_schemas(&mut generator);
        let names: Vec<&str> = schemas.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "import-order",
                "comment-format",
                "pytest-markers",
                "undeclared-imports",
                "import-cycles",
                "imports",
                "missing-export"
            ]
        );
        let imports = &schemas[5].1;
        let cases = imports.get("oneOf").and_then(|v| v.as_array()).unwrap();
        assert_eq!(cases.len(), 4);
        let lanes = &generator.definitions()["LanesOptions"];
        assert_eq!(lanes["properties"]["check"]["const"], "lanes");
        assert_eq!(lanes["required"][0], "check");
        assert_eq!(lanes["additionalProperties"], false);
        assert!(lanes["properties"].get("renames").is_none());
        assert_eq!(
            super::names(),
            [
                "import-order",
                "comment-format",
                "pytest-markers",
                "undeclared-imports",
                "import-cycles",
                "imports",
                "missing-export",
                "engine",
                "suppression"
            ]
        );
    }
}
