//! What the server sends: diagnostics, messages to the user, and answers.
//! Everything goes through the writer thread's channel, in order.

use lsp_types::{Diagnostic, MessageType, PublishDiagnosticsParams, ShowMessageParams, Uri};
use serde_json::Value;

use super::{Server, rpc};

impl Server {
    /// Publishes `diagnostics` for `uri`, naming the document version they
    /// were computed for (`None` for files that are not open documents).
    pub(super) fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(rpc::notification("textDocument/publishDiagnostics", params));
    }

    /// A message the editor shows.
    pub(super) fn show(&self, typ: MessageType, message: &str) {
        self.send(rpc::notification(
            "window/showMessage",
            message_params(typ, message),
        ));
    }

    /// A message for the editor's log.
    pub(super) fn log(&self, typ: MessageType, message: &str) {
        self.send(rpc::notification(
            "window/logMessage",
            message_params(typ, message),
        ));
    }

    /// The result of request `id`.
    pub(super) fn reply(&self, id: &Value, result: Value) {
        self.send(rpc::response(id, Ok(result)));
    }

    /// The error answer to request `id`.
    pub(super) fn error(&self, id: &Value, code: i32, message: &str) {
        self.send(rpc::response(id, Err((code, message.to_string()))));
    }

    fn send(&self, body: String) {
        // The writer is gone only when the client is: nothing to tell.
        let _ = self.out.send(body);
    }
}

fn message_params(typ: MessageType, message: &str) -> ShowMessageParams {
    ShowMessageParams {
        typ,
        message: message.to_string(),
    }
}
