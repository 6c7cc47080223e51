//! Built-in analyzers: matchers for what one tree-sitter query cannot say.
//! Each is configured by the `[rule.options]` of the rule that names it
//! (`analyzer = "import-order"`), so a pack never needs Rust code to change.

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
pub mod import_move;
pub mod import_order;
pub mod imports;
pub mod late_import_scan;
pub mod legacy;
pub mod missing_export;
pub mod missing_module;
pub mod stub_template;

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

    /// The file's imports, with `dynamic_calls` as the dynamic-import functions.
    pub fn imports(&self, dynamic_calls: &[String]) -> Rc<Vec<ImportSite>> {
        if let Some(sites) = &self.static_imports {
            return sites.clone();
        }
        self.imports.get_or(&dynamic_calls.to_vec(), || {
            crate::imports::extract(self.tree(), self.text, dynamic_calls)
        })
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
}

impl Hit {
    /// A hit at `range` with no variables and no fix.
    pub fn at(range: Range<usize>) -> Self {
        Self {
            range,
            vars: Vec::new(),
            fix: None,
        }
    }
}

/// A built-in analyzer, configured from a rule's options.
pub trait Analyzer: Send + Sync + Debug {
    /// Variables its hits define, usable in the rule's message.
    fn variables(&self) -> &'static [&'static str];
    /// Literal words one of which a file must contain for a hit to be possible
    /// (`None`: every file may have hits).
    fn prefilter(&self) -> Option<Vec<String>>;
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
    /// The stub templates it fixes with, if any (`rulegate stubs` plans
    /// with the STUB001 rule's templates).
    fn stubs(&self) -> Option<&stub_template::Stubs> {
        None
    }

    /// The calls whose first string argument names a module, if the pack
    /// lists them (`rulegate promote` rewrites those strings).
    fn module_string_calls(&self) -> Option<&[String]> {
        None
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

/// The analyzers a rule may name, by `analyzer = "..."` value, with the
/// schema of their `[rule.options]`.
const REGISTRY: &[(&str, Factory, OptionsSchema)] = &[
    ("import-order", import_order::build, |g| {
        g.subschema_for::<import_order::ImportOrderOptions>()
    }),
    ("comment-format", comment_format::build, |g| {
        g.subschema_for::<comment_format::CommentFormatOptions>()
    }),
    ("imports", imports::build, |g| {
        g.subschema_for::<imports::ImportsOptions>()
    }),
    ("missing-export", missing_export::build, |g| {
        g.subschema_for::<missing_export::MissingExportOptions>()
    }),
];

/// Each analyzer's name with the schema of its options (for the pack schema).
pub fn option_schemas(
    generator: &mut schemars::SchemaGenerator,
) -> Vec<(&'static str, schemars::Schema)> {
    REGISTRY
        .iter()
        .map(|(name, _, schema)| (*name, schema(generator)))
        .collect()
}

/// Matchers handled by the engine itself rather than by an [`Analyzer`].
pub const ENGINE_MATCHERS: &[&str] = &["engine", "suppression"];

/// Names a rule may use in `analyzer = "..."`.
pub fn names() -> Vec<&'static str> {
    REGISTRY
        .iter()
        .map(|(n, _, _)| *n)
        .chain(ENGINE_MATCHERS.iter().copied())
        .collect()
}

/// Builds the analyzer `name` from `options`; `None` if no such analyzer.
pub fn build(name: &str, options: &toml::Table) -> Option<Result<Box<dyn Analyzer>, OptionsError>> {
    REGISTRY
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, f, _)| f(options).map_err(OptionsError))
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
