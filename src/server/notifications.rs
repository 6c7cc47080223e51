//! Notifications: documents opened, changed, closed and saved, cancelled
//! requests, messages the reader refused, and loading the run again when a
//! saved file may change it.

use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    MessageType, Uri,
};
use serde_json::Value;

use super::document::Doc;
use super::event_loop::Flow;
use super::rpc::Refusal;
use super::{Phase, Server, convert, load};

impl Server {
    /// Handles one notification; `exit` ends the loop.
    pub(super) fn notification(&mut self, method: &str, params: Value) -> Flow {
        if method == "exit" {
            return Flow::Exit(self.phase == Phase::ShutDown);
        }
        if self.phase != Phase::Running {
            return Flow::Go;
        }
        match method {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(params) {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.moved_on(&uri);
                    let doc = Doc::open(p.text_document.text, p.text_document.version);
                    self.docs.insert(uri, doc);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(params) {
                    let uri = p.text_document.uri.as_str().to_string();
                    if let Some(doc) = self.docs.get_mut(&uri) {
                        doc.change(p.text_document.version, p.content_changes);
                        self.moved_on(&uri);
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(params) {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.docs.remove(&uri);
                    self.moved_on(&uri);
                    self.publish(p.text_document.uri, Vec::new(), None);
                }
            }
            // A saved file may be a module others import, the config or a
            // pack: load the run again (fresh module index and symbol
            // tables) and lint every open file.
            "textDocument/didSave" | "workspace/didChangeWatchedFiles" => self.reload(),
            "$/cancelRequest" => {
                if let Some(id) = params.get("id") {
                    self.cancel(id);
                }
            }
            _ => {}
        }
        Flow::Go
    }

    /// A message the reader refused: an error for a request; for a change
    /// of a document, the server stops serving that document (its text is
    /// unknown now) until it is opened again.
    pub(super) fn refused(&mut self, r: Refusal) {
        if let Some(id) = &r.id {
            self.error(id, r.code, &r.reason);
        }
        let method = r.method.as_deref().unwrap_or("a message");
        let document = r.uri.as_deref().filter(|_| {
            matches!(
                r.method.as_deref(),
                Some("textDocument/didOpen" | "textDocument/didChange")
            )
        });
        if let Some(uri) = document {
            // Its text is unknown now: stop serving it (and clear what was
            // shown for an older text).
            if self.docs.remove(uri).is_some() {
                self.moved_on(uri);
                if let Ok(u) = uri.parse::<Uri>() {
                    self.publish(u, Vec::new(), None);
                }
            }
            self.show(
                MessageType::ERROR,
                &format!(
                    "rulegate: {method} of {uri} was refused ({}); reopen the file to lint it again",
                    r.reason
                ),
            );
        } else if r.id.is_none() {
            self.log(
                MessageType::ERROR,
                &format!("rulegate: {method} was refused: {}", r.reason),
            );
        }
    }

    /// Loads the run for the workspace: what loads lints, and load errors
    /// are shown in the files they are in (and said in a message).
    pub(super) fn reload(&mut self) {
        let loaded = load::load(&self.root, self.today, self.good_config.as_ref());
        crate::error::print_warnings(&loaded.run.rules.warnings);
        self.run = Some(loaded.run);
        if loaded.good_config.is_some() {
            self.good_config = loaded.good_config;
        }
        self.generation += 1;
        // A new run: its shared state holds nothing unsaved yet.
        self.unsaved_seen = Default::default();
        let old = std::mem::take(&mut self.broken_files);
        let mut now: Vec<Uri> = Vec::new();
        for (path, diags) in loaded.diagnostics {
            let Some(uri) = convert::uri_of(&path) else {
                continue;
            };
            now.push(uri.clone());
            self.publish(uri, diags, None);
        }
        for uri in old {
            if !now.iter().any(|u| u.as_str() == uri.as_str()) {
                self.publish(uri, Vec::new(), None);
            }
        }
        self.broken_files = now;
        for m in &loaded.messages {
            self.show(MessageType::WARNING, &format!("rulegate: {m}"));
        }
    }
}
