//! Code actions and hover: each finding's fix, "suppress with a reason",
//! `source.fixAll.rulegate` (the safe fixes, through the fix engine), and a
//! rule's `explain` on hover.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Hover, HoverContents,
    HoverParams, MarkupContent, MarkupKind, TextEdit, Uri, WorkspaceEdit,
};

use super::{FIX_ALL, Server, convert};
use crate::finding::{Applicability, EditOp, Finding};
use crate::fix::workspace::Workspace;
use crate::lint::fixing::fix_results;
use crate::source::SourceText;

/// The actions offered for `params.range`.
pub(super) fn code_actions(server: &Server, params: CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let Some((doc, rel, run)) = server.doc(uri) else {
        return Vec::new();
    };
    let only = params.context.only.as_ref();
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|o| o.iter().any(|k| kind.as_str().starts_with(k.as_str())))
    };
    let mut out = Vec::new();
    let from = convert::offset(&doc.text, params.range.start);
    let to = convert::offset(&doc.text, params.range.end);
    if wants(&CodeActionKind::QUICKFIX) {
        for f in doc
            .findings
            .iter()
            .filter(|f| f.range.start <= to && from <= f.range.end)
        {
            if let Some(action) = fix_action(uri, &doc.text, f) {
                out.push(action);
            }
            if let Some(action) = suppress_action(uri, &doc.text, f, &run) {
                out.push(action);
            }
        }
    }
    let fix_all = CodeActionKind::new(FIX_ALL);
    if wants(&fix_all) {
        let mut ws = Workspace::new(run.config.root.clone());
        ws.insert(&rel, None, &SourceText::new(&doc.text));
        let checker = crate::check::Checker::new(&run);
        let mut worker = crate::parse::Worker::new();
        let result = crate::lint::file::check_source(
            &checker,
            &mut worker,
            std::sync::Arc::from(rel.as_str()),
            SourceText::new(&doc.text),
        );
        let (ws, _) = fix_results(&run, &mut [result], ws, false);
        if let Some(new) = ws.text(&rel).filter(|t| *t != doc.text) {
            let edit = TextEdit::new(
                convert::range(&doc.text, 0..doc.text.len()),
                new.to_string(),
            );
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "rulegate: apply every safe fix".into(),
                kind: Some(fix_all),
                edit: Some(workspace_edit(uri.clone(), vec![edit])),
                ..Default::default()
            }));
        }
    }
    out
}

fn workspace_edit(uri: Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri, edits)])),
        ..Default::default()
    }
}

/// A finding's own fix, when all its edits are text edits of this file.
fn fix_action(uri: &Uri, text: &str, f: &Finding) -> Option<CodeActionOrCommand> {
    let fix = f.fix.as_ref()?;
    let mut edits = Vec::new();
    for e in &fix.edits {
        if e.op != EditOp::Replace || e.file.as_deref().is_some_and(|p| p != &*f.path) {
            return None; // other files, created or moved files: `lint --fix` does those
        }
        edits.push(TextEdit::new(
            convert::range(text, e.range.clone()),
            e.content.clone(),
        ));
    }
    let safety = match fix.applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
    };
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("{} ({safety}): {}", f.rule, fix.message),
        kind: Some(CodeActionKind::QUICKFIX),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        edit: Some(workspace_edit(uri.clone(), edits)),
        ..Default::default()
    }))
}

/// "Suppress RULE with a reason": `# noqa: RULE -- <reason>` at the end of
/// the line the finding starts on (where ruff honours it), with
/// `until=` today plus the rule's TTL when it has one. Not offered where the
/// line has a comment already.
fn suppress_action(
    uri: &Uri,
    text: &str,
    f: &Finding,
    run: &crate::run::Run,
) -> Option<CodeActionOrCommand> {
    let start = f.range.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_end = if text[..line_end].ends_with('\r') {
        line_end - 1
    } else {
        line_end
    };
    if text[line_start..line_end].contains('#') {
        return None;
    }
    let rule = run.rules.get(&f.rule)?;
    let until = rule
        .suppression
        .ttl()
        .map(|days| format!(" until={}", crate::dates::add_days(run.today, days as i64)))
        .unwrap_or_default();
    let comment = format!("  # noqa: {} -- <reason>{until}", f.rule);
    let at = convert::position(text, line_end);
    let edit = TextEdit::new(lsp_types::Range::new(at, at), comment);
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: format!("Suppress {} with a reason", f.rule),
        kind: Some(CodeActionKind::QUICKFIX),
        edit: Some(workspace_edit(uri.clone(), vec![edit])),
        ..Default::default()
    }))
}

/// The `explain` of the rule of a finding under the cursor.
pub(super) fn hover(server: &Server, params: HoverParams) -> Option<Hover> {
    let p = params.text_document_position_params;
    let (doc, _, run) = server.doc(&p.text_document.uri)?;
    let at = convert::offset(&doc.text, p.position);
    let f = doc
        .findings
        .iter()
        .find(|f| f.range.start <= at && at <= f.range.end)?;
    let rule = run.rules.get(&f.rule)?;
    let value = format!(
        "**{}** ({}, pack `{}`): {}\n\n{}",
        rule.id,
        rule.severity.as_str(),
        rule.pack,
        rule.summary,
        rule.explain.trim()
    );
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(convert::range(&doc.text, f.range.clone())),
    })
}
