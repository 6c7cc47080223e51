//! The rule pack file format (SPEC §3), as serde types. This module only
//! describes what a pack file may say; `packs::load_rules` validates and compiles it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_spanned::Spanned;

use crate::finding::{Applicability, Severity};

/// What `fix` may be, for the JSON Schema: a template string or a table.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // describes the TOML; the loader reads `fix` as a toml::Value
enum FixSchema {
    /// A template replacing the reported node (`"from MATRIZ{rest} import {names}"`).
    Template(String),
    /// A template or script with its applicability, target and message.
    Table(FixTable),
}

/// What a relational constraint may be, for the JSON Schema: a query, a
/// table, or a list of them (all must hold).
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // describes the TOML; the loader reads it as a toml::Value
enum RelationSchema {
    /// A tree-sitter query.
    Query(String),
    /// A query with bounds.
    Table(RelationTable),
    /// Several, all of which must hold.
    List(Vec<RelationItemSchema>),
}

/// One item of a list of relational constraints.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // describes the TOML
enum RelationItemSchema {
    /// A tree-sitter query.
    Query(String),
    /// A query with bounds.
    Table(RelationTable),
}

/// The table form of a relational constraint.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a table `{ query, stop_at, max_depth }`"
)]
pub struct RelationTable {
    /// The tree-sitter query (its own `#eq?`/`#match?`/`#any-of?`
    /// predicates apply; its captures are not visible to the message).
    pub query: String,
    /// Node kinds that end an `inside` walk: such an ancestor is tested,
    /// then the walk stops (`["function_definition"]`: the nearest def).
    #[serde(default)]
    pub stop_at: Vec<String>,
    /// How far to look: `has` (1: a direct child), `inside` (1: the parent).
    /// Default: no bound.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub max_depth: Option<u32>,
}

/// A whole pack file: a `[pack]` header and `[[rule]]` tables.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(title = "rulegate rule pack")]
#[serde(
    deny_unknown_fields,
    expecting = "a rule pack: a `[pack]` table and `[[rule]]` tables"
)]
pub struct PackSpec {
    /// The header.
    pub pack: PackHeader,
    /// The rules, in file order.
    #[serde(default, rename = "rule")]
    #[schemars(with = "Vec<RuleSpec>")]
    pub rules: Vec<Spanned<RuleSpec>>,
}

/// `[pack]`: who the pack is.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a `[pack]` table with a `name`")]
pub struct PackHeader {
    /// Short name, shown beside every rule (`t4`).
    pub name: String,
    /// One line about the pack.
    #[serde(default)]
    #[allow(dead_code)] // for the pack's readers; rulegate shows the name
    pub description: String,
    /// The pack's own version.
    #[serde(default)]
    #[allow(dead_code)] // for the pack's readers
    pub version: Option<String>,
    /// Whether a blanket `# noqa` (or file-level `# ruff: noqa`) silences
    /// this pack's rules (default true, as in ruff). `false` keeps old
    /// flake8-era blanket comments from hiding a team's new policy; a rule
    /// may say otherwise for itself.
    #[serde(default)]
    pub blanket_noqa: Option<bool>,
}

/// One `[[rule]]` table. `id`, `severity`, `message` and a matcher (`query`
/// or `analyzer`) are required; the loader reports every missing one at once.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a `[[rule]]` table")]
pub struct RuleSpec {
    /// Unique id (`E402`, `TEAM001`): letters, digits, `-` and `_`.
    #[serde(default)]
    #[schemars(with = "String", regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    pub id: Option<Spanned<String>>,
    /// `error`, `warning` or `info`.
    #[serde(default)]
    #[schemars(with = "Severity")]
    pub severity: Option<Severity>,
    /// Message template; `{name}` interpolates a capture or analyzer
    /// variable, `{{` and `}}` are literal braces.
    #[serde(default)]
    #[schemars(with = "String")]
    pub message: Option<Spanned<String>>,
    /// One-line summary (default: the message, its `{captures}` as written).
    #[serde(default)]
    pub summary: Option<String>,
    /// Longer Markdown documentation (`rulegate explain`).
    #[serde(default)]
    pub explain: String,
    /// Lanes the rule applies to; absent means every file.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub lanes: Option<Vec<Spanned<String>>>,
    /// Globs of files the rule applies to; empty means all.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    /// Globs of files the rule skips.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
    /// A tree-sitter query (query rules; exactly one of `query`, `pattern`
    /// and `analyzer`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub query: Option<Spanned<String>>,
    /// Python code with metavariables (`$X`, `$$$XS`, `$_`), compiled to a
    /// tree-sitter query (SPEC §3.5); exactly one of `query`, `pattern` and
    /// `analyzer`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
    /// A built-in analyzer (exactly one of `query`, `pattern` and
    /// `analyzer`); its
    /// `options` are described per analyzer.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub analyzer: Option<Spanned<String>>,
    /// Constraints on captures, by capture name.
    #[serde(default, rename = "where")]
    #[schemars(with = "BTreeMap<String, CaptureConstraint>")]
    pub constraints: BTreeMap<String, Spanned<CaptureConstraint>>,
    /// The capture to underline (default: the largest captured node, the
    /// earliest of equals).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub report: Option<Spanned<String>>,
    /// Literal words one of which a file must contain for the rule to apply;
    /// files containing none skip the parse. Absent: always parse.
    #[serde(default)]
    pub prefilter: Option<Vec<String>>,
    /// Options for the analyzer or the fix script.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub options: Option<Spanned<toml::Table>>,
    /// Id of an earlier rule of the same pack whose options this rule starts
    /// from (its own `options` keys win): one grammar, several rules.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub options_from: Option<Spanned<String>>,
    /// The fix: a template string replacing the reported node, or a table
    /// with exactly one of `template` and `script`. Unsafe unless marked
    /// `applicability = "safe"`.
    #[serde(default)]
    #[schemars(with = "Option<FixSchema>")]
    pub fix: Option<Spanned<toml::Value>>,
    /// Staged enforcement for a pack author's own campaign: the severity from
    /// each day on (`[{ on = "2026-12-01", severity = "error" }]`); a
    /// project's `[rules.ID] escalate` replaces it.
    #[serde(default)]
    #[schemars(with = "Option<Vec<crate::escalate::StageSpec>>")]
    pub escalate: Option<Spanned<Vec<crate::escalate::StageSpec>>>,
    /// Suppression policy for this rule's `noqa` comments and exceptions.
    #[serde(default)]
    pub suppression: Option<SuppressionPolicy>,
    /// Whether a blanket `# noqa` silences this rule (default: the pack's
    /// `blanket_noqa`, else true).
    #[serde(default)]
    pub blanket_noqa: Option<bool>,
    /// Examples checked by `rulegate test`.
    #[serde(default)]
    #[schemars(with = "Vec<RuleTest>")]
    pub tests: Vec<Spanned<RuleTest>>,
}

/// `where.CAPTURE`: constraints on a capture: its text (`regex`, `in`, …)
/// and its place in the tree (`matches`, `has`, `inside`, …). All must hold.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a table of constraints, such as `where.f.regex = \"^print$\"` or `where.f = { in = [\"print\"] }`"
)]
pub struct CaptureConstraint {
    /// The text must match this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub regex: Option<Spanned<String>>,
    /// The text must not match this regex.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub not_regex: Option<Spanned<String>>,
    /// The text must be one of these.
    #[serde(default, rename = "in")]
    pub one_of: Option<Vec<String>>,
    /// The text must be none of these.
    #[serde(default)]
    pub not_in: Option<Vec<String>>,
    /// The captured expression (a name or an attribute chain) resolves to
    /// one of these qualified names, as Python would resolve it there:
    /// through imports and aliases, not when a parameter, local or
    /// definition shadows it (SPEC §3.5). A name nothing binds is
    /// `builtins.NAME`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub resolves_to: Option<Spanned<Vec<String>>>,
    /// It resolves to none of these.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub not_resolves_to: Option<Spanned<Vec<String>>>,
    /// `"repository"`: a match is reported only when the capture's value
    /// occurs elsewhere in the repository under the same rule (strings by
    /// value: `"a"` and `'a'` are one; an f-string with `{}` parts has no
    /// value). The message may name the other places as `{others}`.
    #[serde(default)]
    #[schemars(with = "Option<UniqueScope>")]
    pub unique: Option<Spanned<UniqueScope>>,
    /// The captured node itself is the root of a match of this query.
    #[serde(default)]
    #[schemars(with = "Option<RelationSchema>")]
    pub matches: Option<Spanned<toml::Value>>,
    /// The captured node is not the root of a match of this query.
    #[serde(default)]
    #[schemars(with = "Option<RelationSchema>")]
    pub not_matches: Option<Spanned<toml::Value>>,
    /// Some proper descendant is the root of a match (`max_depth = 1`: a
    /// direct child).
    #[serde(default)]
    #[schemars(with = "Option<RelationSchema>")]
    pub has: Option<Spanned<toml::Value>>,
    /// No proper descendant (within `max_depth`) is.
    #[serde(default)]
    #[schemars(with = "Option<RelationSchema>")]
    pub not_has: Option<Spanned<toml::Value>>,
    /// Some proper ancestor is, walking up; an ancestor whose kind is in
    /// `stop_at` is tested and ends the walk.
    #[serde(default)]
    #[schemars(with = "Option<RelationSchema>")]
    pub inside: Option<Spanned<toml::Value>>,
    /// No ancestor (up to `stop_at` / `max_depth`) is.
    #[serde(default)]
    #[schemars(with = "Option<RelationSchema>")]
    pub not_inside: Option<Spanned<toml::Value>>,
}

/// Where a `unique` capture's value must be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UniqueScope {
    /// Across every file of the repository the rule applies to.
    Repository,
}

impl CaptureConstraint {
    /// The relational constraints written, by TOML key.
    pub fn relations(&self) -> [(&'static str, &Option<Spanned<toml::Value>>); 6] {
        [
            ("matches", &self.matches),
            ("not_matches", &self.not_matches),
            ("has", &self.has),
            ("not_has", &self.not_has),
            ("inside", &self.inside),
            ("not_inside", &self.not_inside),
        ]
    }
}

/// The table form of `fix`: exactly one of `template`, `script` and
/// `rename_to`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a fix table: `{ template = \"...\" }`, `{ script = \"fixes/x.rhai\" }` or `{ rename_to = \"pkg.mod.name\" }`"
)]
pub struct FixTable {
    /// Replacement template with `{capture}` interpolation.
    #[serde(default)]
    pub template: Option<String>,
    /// Rhai script, relative to the pack file.
    #[serde(default)]
    pub script: Option<String>,
    /// The qualified name the reported reference is rewritten to reach
    /// (SPEC §3.5): the import it needs is added, and the old import
    /// removed when nothing else uses it; refused where that would change
    /// what the code reads.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"))]
    pub rename_to: Option<String>,
    /// `unsafe` (default, as in ruff: a fix is unsafe unless its author
    /// marks it `safe`, and only safe fixes run under `--fix`) or `safe`.
    #[serde(default)]
    pub applicability: Applicability,
    /// Capture the template replaces (default: the reported one).
    #[serde(default)]
    pub target: Option<String>,
    /// What the fix does, shown to users.
    #[serde(default)]
    pub message: Option<String>,
}

/// `[rule.suppression]`: how `noqa` comments and exceptions for the rule behave.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a `[rule.suppression]` table")]
pub struct SuppressionPolicy {
    /// A suppression must give a reason after ` -- `.
    #[serde(default)]
    pub require_reason: bool,
    /// Days an `EXCEPTION-YYYYMMDD` tag keeps a suppression alive (at most
    /// 36525, a hundred years).
    #[serde(default)]
    #[schemars(with = "Option<u32>", range(max = 36525))]
    pub ttl_days: Option<Spanned<u32>>,
    /// Days before expiry from which `SUP003` warns.
    #[serde(default)]
    pub warn_before_days: Option<u32>,
    /// Severity of `SUP002` for this rule's expired suppressions.
    #[serde(default)]
    pub expired_severity: Option<Severity>,
}

/// The longest TTL a pack may give: a hundred years.
pub const MAX_TTL_DAYS: u32 = 36_525;

impl SuppressionPolicy {
    /// Days an `EXCEPTION-` tag keeps a suppression alive, if the pack says.
    pub fn ttl(&self) -> Option<u32> {
        self.ttl_days.as_ref().map(|d| *d.get_ref())
    }
}

/// One expected finding: `RULE@LINE` (line 1 is the first line of `code`).
#[derive(schemars::JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)] // describes the TOML
struct ExpectSchema(#[schemars(regex(pattern = r"^[A-Za-z0-9_-]+@[1-9][0-9]*$"))] String);

/// `[[rule.tests]]`: an example checked by `rulegate test`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a `[[rule.tests]]` table")]
pub struct RuleTest {
    /// A name shown when the example fails.
    #[serde(default)]
    pub name: Option<String>,
    /// The Python source. Line 1 is the line after an opening `"""` (TOML
    /// drops that newline), so a multi-line string's lines are the pack's.
    #[schemars(with = "String")]
    pub code: Spanned<String>,
    /// Expected findings as `RULE@line`; compared with the findings of the
    /// rule under test and of every rule named here.
    #[serde(default)]
    #[schemars(with = "Option<Vec<ExpectSchema>>")]
    pub expect: Option<Vec<String>>,
    /// Expected source after applying every fix (safe and unsafe).
    #[serde(default)]
    pub fixed: Option<String>,
    /// Path of the example file (default `example.py`).
    #[serde(default)]
    pub path: Option<String>,
    /// Lane of the example file (default `production`).
    #[serde(default)]
    pub lane: Option<String>,
    /// Date the example is judged at (default: 2026-01-01, so tests never age).
    #[serde(default)]
    pub today: Option<String>,
    /// A `rulegate.toml` for the example (lanes, say); the file's lane then
    /// comes from its `path`. Modules under a lane's folder belong to that
    /// lane even though no such file exists.
    #[serde(default)]
    pub config: Option<String>,
    /// Other files of the example's project (path → content), written to a
    /// temporary folder that becomes the project root.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}
