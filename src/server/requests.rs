//! Requests: `initialize`, `shutdown`, and hover and code actions, which are
//! answered from the findings of the document version they were asked
//! about. A request waits for that version's lint; when the text moves on
//! first it gets `ContentModified`, never an answer for another text.

use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, HoverParams, HoverProviderCapability, InitializeParams,
    PositionEncodingKind, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde_json::Value;

use super::pool::{FixAllJob, Job};
use super::rpc::code;
use super::{Ask, FIX_ALL, Phase, Server, Waiting, actions, convert};

/// The answer to a request whose document changed before it was ready.
const MOVED_ON: &str = "the document changed before the answer was ready";

impl Server {
    /// Answers (or queues) one request, as the session's phase allows.
    pub(super) fn request(&mut self, id: Value, method: &str, params: Value) {
        match (self.phase, method) {
            (Phase::Uninitialized, "initialize") => self.initialize(&id, params),
            (Phase::Uninitialized, _) => self.error(
                &id,
                code::SERVER_NOT_INITIALIZED,
                "the server is not initialized yet",
            ),
            (Phase::ShutDown, _) => self.error(
                &id,
                code::INVALID_REQUEST,
                &format!("`{method}` after `shutdown`: only `exit` is accepted now"),
            ),
            (Phase::Running, "initialize") => self.error(
                &id,
                code::INVALID_REQUEST,
                "the server is initialized already",
            ),
            (Phase::Running, "shutdown") => self.shutdown(&id),
            (Phase::Running, "textDocument/codeAction") => {
                match serde_json::from_value::<CodeActionParams>(params) {
                    Ok(p) => self.ask(id, Ask::CodeAction(p)),
                    Err(e) => self.error(&id, code::INVALID_PARAMS, &e.to_string()),
                }
            }
            (Phase::Running, "textDocument/hover") => {
                match serde_json::from_value::<HoverParams>(params) {
                    Ok(p) => self.ask(id, Ask::Hover(p)),
                    Err(e) => self.error(&id, code::INVALID_PARAMS, &e.to_string()),
                }
            }
            (Phase::Running, _) => self.error(
                &id,
                code::METHOD_NOT_FOUND,
                &format!("rulegate does not handle `{method}`"),
            ),
        }
    }

    fn initialize(&mut self, id: &Value, params: Value) {
        let params: InitializeParams = match serde_json::from_value(params) {
            Ok(p) => p,
            Err(e) => return self.error(id, code::INVALID_PARAMS, &e.to_string()),
        };
        #[allow(deprecated)] // root_uri: older clients send only it
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|u| convert::path_of(u.as_str()));
        if let Some(root) = root {
            self.root = root;
        }
        // An edit naming its version is refused by an editor whose text
        // moved on; a client that does not say it reads them gets `changes`.
        self.document_changes = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false);
        let capabilities = ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(FIX_ALL),
                ]),
                ..Default::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            ..Default::default()
        };
        let result = serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": {"name": "rulegate", "version": env!("CARGO_PKG_VERSION")},
        });
        self.reply(id, result);
        self.phase = Phase::Running;
        self.reload();
    }

    /// `shutdown`: what waits is refused, and only `exit` counts from now on.
    fn shutdown(&mut self, id: &Value) {
        self.phase = Phase::ShutDown;
        for (_, waiting) in std::mem::take(&mut self.waiting) {
            for w in waiting {
                self.error(&w.id, code::INVALID_REQUEST, "the server is shutting down");
            }
        }
        self.fixing.clear();
        self.reply(id, Value::Null);
    }

    /// The document at `uri` changed (or closed): requests waiting for an
    /// older version get `ContentModified`.
    pub(super) fn moved_on(&mut self, uri: &str) {
        let current = self.docs.get(uri).map(|d| d.snap.version);
        let Some(waiting) = self.waiting.get_mut(uri) else {
            return;
        };
        let (keep, stale): (Vec<Waiting>, Vec<Waiting>) = std::mem::take(waiting)
            .into_iter()
            .partition(|w| Some(w.version) == current);
        *waiting = keep;
        for w in stale {
            self.error(&w.id, code::CONTENT_MODIFIED, MOVED_ON);
        }
    }

    /// `$/cancelRequest`: a waiting request or a fixAll under way is
    /// dropped and answered `RequestCancelled`.
    pub(super) fn cancel(&mut self, id: &Value) {
        let key = id.to_string();
        let mut found = self.fixing.remove(&key).is_some();
        for waiting in self.waiting.values_mut() {
            if let Some(i) = waiting.iter().position(|w| w.id == *id) {
                waiting.remove(i);
                found = true;
            }
        }
        if found {
            self.error(id, code::REQUEST_CANCELLED, "cancelled");
        }
    }

    /// A hover or code action: answered now when the findings of the
    /// document's current version are in, else when they arrive.
    fn ask(&mut self, id: Value, ask: Ask) {
        let uri = match &ask {
            Ask::CodeAction(p) => p.text_document.uri.as_str(),
            Ask::Hover(p) => p.text_document_position_params.text_document.uri.as_str(),
        }
        .to_string();
        let Some(doc) = self.docs.get(&uri) else {
            return self.answer_empty(&id, &ask);
        };
        if doc.current_findings().is_some() || !self.lints(&uri) {
            return self.answer(&uri, id, ask);
        }
        let version = doc.snap.version;
        self.waiting
            .entry(uri)
            .or_default()
            .push(Waiting { id, version, ask });
    }

    fn answer_empty(&self, id: &Value, ask: &Ask) {
        match ask {
            Ask::CodeAction(_) => self.reply(id, Value::Array(Vec::new())),
            Ask::Hover(_) => self.reply(id, Value::Null),
        }
    }

    /// Answers the requests waiting for the document's current findings.
    pub(super) fn answer_waiting(&mut self, uri: &str) {
        let Some(waiting) = self.waiting.remove(uri) else {
            return;
        };
        for w in waiting {
            self.answer(uri, w.id, w.ask);
        }
    }

    /// Answers from the current version's findings (none when not linted).
    fn answer(&mut self, uri: &str, id: Value, ask: Ask) {
        let (Some(doc), Some(run)) = (self.docs.get(uri), self.run.clone()) else {
            return self.answer_empty(&id, &ask);
        };
        let Ok(lsp_uri) = uri.parse::<Uri>() else {
            return self.answer_empty(&id, &ask);
        };
        let Some(linted) = doc.current_findings() else {
            return self.answer_empty(&id, &ask);
        };
        let view = actions::View {
            uri: &lsp_uri,
            snap: &doc.snap,
            linted,
            run: &run,
            versioned: self.document_changes,
        };
        match ask {
            Ask::Hover(p) => {
                let hover = actions::hover(&view, &p);
                self.reply(&id, serde_json::to_value(hover).unwrap_or_default());
            }
            Ask::CodeAction(p) => {
                let fixes = actions::quick_fixes(&view, &p);
                if !actions::wants(&p, &CodeActionKind::new(FIX_ALL)) {
                    return self.reply(&id, serde_json::to_value(fixes).unwrap_or_default());
                }
                // fixAll runs the fix engine: off the loop. The quick fixes
                // are cheap, and cheap to compute again with the answer.
                let Some(rel) = self.rel(uri, &run) else {
                    return self.reply(&id, serde_json::to_value(fixes).unwrap_or_default());
                };
                let snap = doc.snap.clone();
                // The params are kept to compute the quick fixes again with
                // the answer.
                self.fixing.insert(id.to_string(), p);
                // The fix engine checks the fixed text, which is not on
                // disk, through the run's shared state.
                super::linting::mark_unsaved_seen(&self.unsaved_seen);
                self.pool.submit(Job::FixAll(FixAllJob {
                    id,
                    uri: uri.to_string(),
                    snap,
                    rel,
                    run,
                }));
            }
        }
    }

    /// fixAll's edit for `version` is computed: the answer, with the quick
    /// fixes, when the document is still at that version.
    pub(super) fn fix_all_done(
        &mut self,
        id: Value,
        uri: &str,
        version: i32,
        edit: Result<Option<(std::ops::Range<usize>, String)>, String>,
    ) {
        let Some(params) = self.fixing.remove(&id.to_string()) else {
            return; // cancelled, or the server is shutting down
        };
        let current = self.docs.get(uri).filter(|d| d.snap.version == version);
        let (Some(doc), Some(run), Ok(lsp_uri)) = (current, self.run.clone(), uri.parse::<Uri>())
        else {
            return self.error(&id, code::CONTENT_MODIFIED, MOVED_ON);
        };
        let edit = match edit {
            Ok(e) => e,
            Err(why) => return self.error(&id, code::INTERNAL_ERROR, &why),
        };
        let mut answer: Vec<CodeActionOrCommand> = match doc.current_findings() {
            Some(linted) => {
                let view = actions::View {
                    uri: &lsp_uri,
                    snap: &doc.snap,
                    linted,
                    run: &run,
                    versioned: self.document_changes,
                };
                actions::quick_fixes(&view, &params)
            }
            None => Vec::new(),
        };
        if let Some((range, text)) = edit {
            answer.push(actions::fix_all_action(
                &lsp_uri,
                &doc.snap,
                range,
                text,
                self.document_changes,
            ));
        }
        self.reply(&id, serde_json::to_value(answer).unwrap_or_default());
    }
}
