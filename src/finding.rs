//! What a rule reports: findings, their severity, and the fixes they carry.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::source::Location;

/// How serious a finding is. Only `error` findings make `lint` exit 1.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, never fails a run.
    Info,
    /// Should be fixed, does not fail a run.
    Warning,
    /// Fails the run (exit 1).
    Error,
}

impl Severity {
    /// The lowercase name used in TOML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Whether a fix may be applied by plain `--fix`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Preserves behaviour: applied by `--fix`.
    Safe,
    /// May change behaviour: applied only with `--unsafe-fixes`. The
    /// default, as in ruff: a pack's fix is unsafe unless marked safe.
    #[default]
    Unsafe,
}

impl Applicability {
    /// The lowercase name used in TOML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// One text replacement. `file` is `None` for the finding's own file, else a
/// path relative to the project root (edits may reach other files). Its
/// line and column are computed when a report renders it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    /// Target file, relative to the project root; `None` means the finding's file.
    pub file: Option<String>,
    /// Byte range replaced in the target file.
    pub range: Range<usize>,
    /// Replacement text (for [`EditOp::Create`], the new file's text).
    pub content: String,
    /// What the edit does to its file.
    #[serde(default, skip_serializing_if = "EditOp::is_replace")]
    pub op: EditOp,
    /// The content's line breaks are written as they are: the fix engine
    /// does not give them the ending of the line at the edit (lines a fix
    /// moves keep their own endings, byte for byte).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verbatim: bool,
}

/// What an edit does to its file: change text in it, create, move or delete it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EditOp {
    /// Replace `range` with `content`.
    #[default]
    Replace,
    /// Create the file (never over an existing one) with `content`.
    Create,
    /// Move the file to this project-relative path (never over an existing one).
    Move {
        /// Where it goes.
        to: String,
    },
    /// Delete the file (never through a symlink, never one that changed
    /// since it was read).
    Delete,
}

impl EditOp {
    /// Whether it is a plain text replacement.
    pub fn is_replace(&self) -> bool {
        *self == EditOp::Replace
    }
}

impl Edit {
    /// Replaces `range` of `file` (`None`: the finding's own file) with `content`.
    pub fn new(file: Option<String>, range: Range<usize>, content: String) -> Self {
        Self {
            file,
            range,
            content,
            op: EditOp::Replace,
            verbatim: false,
        }
    }

    /// Creates the project file `path` holding `content`.
    pub fn create(path: String, content: String) -> Self {
        Self {
            file: Some(path),
            range: 0..0,
            content,
            op: EditOp::Create,
            verbatim: false,
        }
    }

    /// Deletes the project file `path`.
    pub fn delete(path: String) -> Self {
        Self {
            file: Some(path),
            range: 0..0,
            content: String::new(),
            op: EditOp::Delete,
            verbatim: false,
        }
    }

    /// Moves the project file `from` to `to`.
    pub fn rename(from: String, to: String) -> Self {
        Self {
            file: Some(from),
            range: 0..0,
            content: String::new(),
            op: EditOp::Move { to },
            verbatim: false,
        }
    }

    /// The same edit, its content written with its own line breaks (its
    /// `verbatim` field set).
    pub fn keeping_endings(self) -> Self {
        Self {
            verbatim: true,
            ..self
        }
    }

    /// The file this edit targets, given the finding's own.
    pub fn target<'a>(&'a self, own: &'a str) -> &'a str {
        self.file.as_deref().unwrap_or(own)
    }
}

/// A fix: edits applied together, or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// What the fix does, for humans.
    pub message: String,
    /// The edits; never empty, sorted by file and position.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// Whether `--fix` applies it (`unsafe_fixes`: `--unsafe-fixes` was given).
    pub fn applies(&self, unsafe_fixes: bool) -> bool {
        unsafe_fixes || self.applicability == Applicability::Safe
    }

    /// A fix of `edits` (sorted here); `None` when there are none.
    pub fn new(
        applicability: Applicability,
        message: String,
        mut edits: Vec<Edit>,
    ) -> Option<Self> {
        if edits.is_empty() {
            return None;
        }
        edits.sort_by(|a, b| {
            (&a.file, a.range.start, a.range.end).cmp(&(&b.file, b.range.start, b.range.end))
        });
        Some(Self {
            applicability,
            message,
            edits,
        })
    }
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `E402`.
    pub rule: Arc<str>,
    /// The rule's index in the run's rule set (O(1) lookup of the rule).
    pub rule_index: usize,
    /// Effective severity (after config overrides).
    pub severity: Severity,
    /// The rendered message.
    pub message: String,
    /// Path relative to the project root, with `/` separators.
    pub path: Arc<str>,
    /// Byte range in the file's text (BOM excluded).
    pub range: Range<usize>,
    /// Line/column of `range`.
    pub location: Location,
    /// The lane of the file, if any.
    pub lane: Option<Arc<str>>,
    /// The fix, if the rule offers one.
    pub fix: Option<Fix>,
    /// Why the rule's fix is not offered here (SPEC §1.1 `fix_refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_refused: Option<FixRefused>,
}

/// A fix the rule has but does not offer for one finding: it could not
/// prove the fix keeps behaviour, or the fix would break the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FixRefused {
    /// A short name of the kind of reason (`--statistics` counts by it).
    pub kind: String,
    /// The reason, for humans (the JSON `fix_refused.reason`).
    pub reason: String,
}

impl FixRefused {
    /// A refusal of `kind` saying `reason`.
    pub fn new(kind: &str, reason: String) -> Self {
        Self {
            kind: kind.to_string(),
            reason,
        }
    }
}

impl Finding {
    /// The ordering of SPEC §1.1: path, line, column, rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (
            &self.path,
            self.location.start.line,
            self.location.start.column,
            &self.rule,
        )
    }
}

/// Sorts findings as SPEC §1.1 requires and drops exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
}
