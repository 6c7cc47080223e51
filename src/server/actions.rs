//! Code actions and hover, answered from one document version and its
//! findings: each finding's fix, "suppress with a reason", and every
//! finding's rule under the cursor on hover. Edits name the version they
//! were computed for (`documentChanges` with a versioned identifier) when
//! the client reads those, so an editor refuses them once the text has
//! moved on; other clients get `changes`, computed from the latest text
//! (the server answers a request whose text moved on with
//! `ContentModified`). A request's suppressions share one parse of the text.

use std::cell::OnceCell;
use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DocumentChanges, Hover,
    HoverContents, HoverParams, MarkupContent, MarkupKind, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};
use tree_sitter::Tree;

use super::FIX_ALL;
use super::convert::Positions;
use super::document::{Linted, Snapshot};
use crate::finding::{Applicability, EditOp, Finding};
use crate::run::Run;
use crate::source::floor_char_boundary;

/// One document version as the answers see it.
pub(super) struct View<'a> {
    pub uri: &'a Uri,
    pub snap: &'a Snapshot,
    pub linted: &'a Linted,
    pub run: &'a Run,
    /// Whether the client applies `documentChanges` (edits naming a version).
    pub versioned: bool,
}

impl View<'_> {
    fn text(&self) -> &str {
        &self.snap.text
    }

    fn positions(&self) -> Positions<'_> {
        self.snap.positions()
    }

    /// The LSP range of a finding's byte range.
    fn range(&self, r: &std::ops::Range<usize>) -> lsp_types::Range {
        let shift = self.linted.shift;
        self.positions().range(r.start + shift..r.end + shift)
    }

    /// The edit of `edits` to this version, as the client reads edits.
    fn edit(&self, edits: Vec<TextEdit>) -> WorkspaceEdit {
        workspace_edit(self.uri, self.snap.version, edits, self.versioned)
    }

    /// The findings whose range meets bytes `from..=to` of the document.
    fn findings_at(&self, from: usize, to: usize) -> impl Iterator<Item = &Finding> {
        let shift = self.linted.shift;
        self.linted
            .findings
            .iter()
            .filter(move |f| f.range.start + shift <= to && from <= f.range.end + shift)
    }
}

/// Whether a request limited to `only` kinds wants `kind`.
pub(super) fn wants(params: &CodeActionParams, kind: &CodeActionKind) -> bool {
    params.context.only.as_ref().is_none_or(|o| {
        o.iter().any(|k| {
            kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))
        })
    })
}

/// The quick fixes for `params.range`: each finding's fix and its suppression.
pub(super) fn quick_fixes(view: &View, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    if !wants(params, &CodeActionKind::QUICKFIX) {
        return Vec::new();
    }
    let bytes = view.positions().byte_range(params.range);
    // Parsed once for all the request's suppressions, and only if one is asked.
    let tree = OnceCell::new();
    let mut out = Vec::new();
    for f in view.findings_at(bytes.start, bytes.end) {
        if let Some(action) = fix_action(view, f) {
            out.push(action);
        }
        if let Some(action) = suppress_action(view, f, &tree) {
            out.push(action);
        }
    }
    out
}

/// The edit of `edits` to version `version` of `uri`: `documentChanges`
/// naming the version when the client reads them (`versioned`), else
/// `changes`.
pub(super) fn workspace_edit(
    uri: &Uri,
    version: i32,
    edits: Vec<TextEdit>,
    versioned: bool,
) -> WorkspaceEdit {
    if !versioned {
        return WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        };
    }
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version: Some(version),
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }])),
        ..Default::default()
    }
}

/// The fixAll action for one edit of version `snap`.
pub(super) fn fix_all_action(
    uri: &Uri,
    snap: &Snapshot,
    range: std::ops::Range<usize>,
    new_text: String,
    versioned: bool,
) -> CodeActionOrCommand {
    let edit = TextEdit::new(snap.positions().range(range), new_text);
    CodeActionOrCommand::CodeAction(CodeAction {
        title: "rulegate: apply every safe fix".into(),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(workspace_edit(uri, snap.version, vec![edit], versioned)),
        ..Default::default()
    })
}

/// A finding's own fix, when all its edits are text edits of this file.
fn fix_action(view: &View, f: &Finding) -> Option<CodeActionOrCommand> {
    let fix = f.fix.as_ref()?;
    let mut edits = Vec::new();
    for e in &fix.edits {
        if e.op != EditOp::Replace || e.file.as_deref().is_some_and(|p| p != &*f.path) {
            return None; // other files, created or moved files: `lint --fix` does those
        }
        edits.push(TextEdit::new(view.range(&e.range), e.content.clone()));
    }
    let safety = match fix.applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
    };
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("{} ({safety}): {}", f.rule, fix.message),
        kind: Some(CodeActionKind::QUICKFIX),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        edit: Some(view.edit(edits)),
        ..Default::default()
    }))
}

/// "Suppress RULE with a reason": `# noqa: RULE -- <reason>` on the line
/// ruff reads it from (merged into a directive the line has), with `until=`
/// today plus the rule's TTL when it has one. Not offered where the writer
/// refuses (a line inside a string, a blanket `# noqa`). `tree` is the
/// text's tree, parsed on first use.
fn suppress_action(
    view: &View,
    f: &Finding,
    tree: &OnceCell<Option<Tree>>,
) -> Option<CodeActionOrCommand> {
    let text = view.text();
    let start = floor_char_boundary(text, (f.range.start + view.linted.shift).min(text.len()));
    let line = view.snap.lines.line_of(start);
    let rule = view.run.rules.get(&f.rule)?;
    let until = rule
        .suppression
        .ttl()
        .map(|days| crate::dates::add_days(view.run.today, days as i64));
    // The one writer of suppression comments (as `lint --add-noqa`): the
    // line ruff reads the directive from, codes merged into a directive the
    // line has, never inside a string.
    let tree = tree
        .get_or_init(|| crate::parse::Worker::new().parse(text))
        .as_ref()?;
    let writer = crate::suppress::writer::Writer::new(text, tree);
    let codes = [f.rule.as_ref()];
    // A reason the line's directive has is kept; else one is asked for.
    let edit = match writer.edit(line, &codes, None, until).ok()?? {
        e if e.content.contains(" -- ") => e,
        _ => writer.edit(line, &codes, Some("<reason>"), until).ok()??,
    };
    let range = view.positions().range(edit.range);
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Suppress {} with a reason", f.rule),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(view.edit(vec![TextEdit::new(range, edit.content)])),
        ..Default::default()
    }))
}

/// Every finding under the cursor: its message, and its rule's summary and
/// `explain` (once per rule).
pub(super) fn hover(view: &View, params: &HoverParams) -> Option<Hover> {
    let at = view
        .positions()
        .offset(params.text_document_position_params.position);
    let found: Vec<&Finding> = view.findings_at(at, at).collect();
    let smallest = found.iter().min_by_key(|f| f.range.len())?;
    let range = view.range(&smallest.range);
    let mut sections = Vec::new();
    let mut explained: Vec<&str> = Vec::new();
    for f in &found {
        let Some(rule) = view.run.rules.get(&f.rule) else {
            continue;
        };
        let mut section = format!(
            "**{}** ({}, pack `{}`): {}",
            rule.id,
            f.severity.as_str(),
            rule.pack,
            f.message
        );
        if !explained.contains(&&*rule.id) {
            explained.push(&*rule.id);
            section.push_str(&format!("\n\n*{}*", rule.summary.trim()));
            if !rule.explain.trim().is_empty() {
                section.push_str(&format!("\n\n{}", rule.explain.trim()));
            }
        }
        sections.push(section);
    }
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(range),
    })
}
