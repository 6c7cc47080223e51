//! The one rename engine (SPEC §3.2, §4.3, §4.8): what one file needs
//! rewritten when a module prefix is renamed (`matriz` → `MATRIZ` for
//! LEG001, `candidate.x` → `core.x` for `rulegate promote`). Every decision
//! about a name goes through the file's [`NameModel`], so a parameter or
//! local that shadows an imported name is left alone, a name the file still
//! uses stays bound, and no import is left unused.
//!
//! - `statements`: `import` and `from` statements (absolute and relative),
//!   and the import a rewritten use needs (or no longer needs);
//! - `uses`: the uses of imported names (`a.b.src.f()` through `import a.b`);
//! - `strings`: dotted strings given to import-by-name and patch calls,
//!   the old parent's `__all__` and lazy-import tables;
//! - `symbol`: a top-level class or function renamed in its module
//!   (`rulegate rename`), through the same model and string rules;
//! - `review`: the places that name the prefix but stay as they are (a
//!   dotted string outside those calls, a shadowed use), for the gate to list.

mod review;
mod statements;
mod strings;
pub mod symbol;
pub mod to_name;
mod uses;

use std::ops::Range;

use tree_sitter::Tree;

use crate::imports::ImportSite;
use crate::imports::resolve::Resolver;
use crate::names::NameModel;

/// A module prefix and its replacement (`from = "matriz"`, `to =
/// "MATRIZ"`): the prefix covers itself and every module inside it, by
/// whole dotted segments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// The old prefix (`matriz`).
    #[serde(rename = "from")]
    pub src: String,
    /// Its replacement (`MATRIZ`).
    #[serde(rename = "to")]
    pub dst: String,
}

impl Rename {
    /// Checks both sides are dotted module names.
    pub fn validate(&self) -> Result<(), String> {
        for side in [&self.src, &self.dst] {
            if !is_dotted_name(side) {
                return Err(format!("`{side}` in renames is not a dotted module name"));
            }
        }
        Ok(())
    }

    /// `name` after the rename, if it is `src` or inside it (`matriz`
    /// covers `matriz.core`, never `matrizzz`).
    pub fn apply(&self, name: &str) -> Option<String> {
        let rest = name.strip_prefix(self.src.as_str())?;
        (rest.is_empty() || rest.starts_with('.')).then(|| format!("{}{rest}", self.dst))
    }

    /// Whether `name` is `src` or inside it.
    pub fn covers(&self, name: &str) -> bool {
        self.apply(name).is_some()
    }

    /// (parent, last segment) of a dotted name.
    pub(crate) fn split(name: &str) -> (&str, &str) {
        name.rsplit_once('.').unwrap_or(("", name))
    }
}

fn is_dotted_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|seg| {
            seg.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// What kind of reference a rewrite changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefKind {
    /// `import a.b`.
    Import,
    /// `from a.b import c` (absolute or relative).
    From,
    /// A relative import of the moved code that reaches outside it (made absolute).
    Relative,
    /// `importlib.import_module("a.b")`, `__import__("a.b")`.
    Dynamic,
    /// A string argument of a call such as `mock.patch("a.b.f")`.
    String,
    /// `a.b.f()` through `import a.b`.
    Attribute,
    /// An entry of the old parent's `__all__`.
    All,
    /// An entry of the old parent's lazy-import table.
    LazyTable,
    /// An import added so that a rewritten name stays bound.
    AddedImport,
    /// An import nothing uses after the rewrite, removed.
    RemovedImport,
    /// The `def` or `class` of a renamed symbol.
    Definition,
    /// A use of a renamed symbol's name.
    Name,
    /// A deprecated alias (a PEP 562 module `__getattr__`) added.
    Alias,
}

/// One change to a file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rewrite {
    /// What it changes.
    pub kind: RefKind,
    /// Byte range replaced.
    #[serde(skip)]
    pub range: Range<usize>,
    /// The statement or call it follows from (an import's rewrite and the
    /// rewrites of the uses it binds share it: one fix for LEG001).
    #[serde(skip)]
    pub cause: Range<usize>,
    /// 1-based line.
    pub line: usize,
    /// The text replaced.
    pub before: String,
    /// The new text.
    pub after: String,
}

/// What the engine needs to know of the file besides its text.
pub struct FileRename<'a> {
    /// The rename.
    pub rename: &'a Rename,
    /// The module index and the file's project-relative path, to resolve
    /// relative imports; `None` leaves them alone.
    pub relative: Option<(&'a Resolver, &'a str)>,
    /// Whether the file moves with the module (its relative imports inside
    /// the module stay).
    pub moved: bool,
    /// Whether the file is the `__init__` of SRC's parent package.
    pub parent_init: bool,
    /// Qualified names of calls whose first string argument names a module
    /// or a member (besides the import and patch calls the engine knows).
    pub string_calls: &'a [String],
}

/// One parsed file.
pub struct Parsed<'a> {
    /// Its text.
    pub text: &'a str,
    /// Its tree.
    pub tree: &'a Tree,
    /// Its imports (with the default dynamic-import calls).
    pub sites: &'a [ImportSite],
    /// Its names.
    pub names: &'a NameModel,
}

/// The engine's answer for one file.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The rewrites, non-overlapping, in file order.
    pub rewrites: Vec<Rewrite>,
    /// Places where the new name would be shadowed (a local named like the
    /// destination's top package), with the statement whose uses they are:
    /// those uses are left as they were, so the rewrite is not complete.
    pub conflicts: Vec<(usize, Range<usize>)>,
}

/// Why a place that names the prefix is listed for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewKind {
    /// A string equal to a dotted name inside the prefix, outside the calls
    /// that import or patch by name (a `setup()` list, a config value).
    DottedString,
    /// A string that names the prefix inside a longer text (Python code
    /// given to `python -c`, a message).
    Mention,
    /// A use left as it was: a local named like the new name shadows it.
    Shadowed,
}

/// A place that names the prefix but that the engine leaves as it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Review {
    /// Why it is listed.
    pub kind: ReviewKind,
    /// 1-based line.
    pub line: usize,
    /// The string literal, or the line of a shadowed use.
    pub text: String,
}

/// Collects rewrites with their line numbers.
pub(crate) struct Out<'a> {
    text: &'a str,
    lines: crate::source::LineIndex,
    rewrites: Vec<Rewrite>,
    conflicts: Vec<(usize, Range<usize>)>,
}

impl Out<'_> {
    fn push(&mut self, kind: RefKind, range: Range<usize>, cause: Range<usize>, after: String) {
        self.rewrites.push(Rewrite {
            kind,
            line: self.lines.line_of(range.start) + 1,
            before: self.text[range.clone()].to_string(),
            range,
            cause,
            after,
        });
    }
}

impl FileRename<'_> {
    /// The rewrites `file` needs (non-overlapping, in file order).
    pub fn rewrites(&self, file: &Parsed) -> Outcome {
        let mut out = Out {
            text: file.text,
            lines: crate::source::LineIndex::new(file.text),
            rewrites: Vec::new(),
            conflicts: Vec::new(),
        };
        let plan = statements::rewrite(self, file, &mut out);
        uses::rewrite(self, file, &plan, &mut out);
        strings::rewrite(self, file, &mut out);
        if self.parent_init {
            strings::parent_tables(self, file, &mut out);
        }
        let mut rewrites = out.rewrites;
        rewrites.sort_by_key(|r| (r.range.start, r.range.end));
        // One rewrite per place (an insertion may share its start).
        rewrites.dedup_by(|b, a| !a.range.is_empty() && a.range.end > b.range.start);
        let mut conflicts = out.conflicts;
        conflicts.sort_by_key(|c| c.0);
        Outcome {
            rewrites,
            conflicts,
        }
    }

    /// The places of `file` that name the prefix but that `outcome` (its
    /// [`Self::rewrites`]) leaves as they are: dotted strings outside the
    /// import and patch calls, mentions inside longer strings, shadowed uses.
    pub fn review(&self, file: &Parsed, outcome: &Outcome) -> Vec<Review> {
        review::collect(self, file, outcome)
    }
}

#[cfg(test)]
mod tests;
