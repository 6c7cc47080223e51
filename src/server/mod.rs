//! `rulegate server` (SPEC §8): a Language Server over stdio. Open Python
//! files are linted as they are typed (their unsaved text, with the run
//! `lint` would load: config, packs, rules), each finding's fix and a
//! "suppress with a reason" are code actions, `source.fixAll.rulegate`
//! applies the safe fixes, hover lists every finding under the cursor with
//! its rule's `explain`, and load errors of the config or a pack are
//! diagnostics at their span while everything that loaded keeps linting.
//!
//! The message loop only keeps state and answers from it; lints and fixAll
//! run on a bounded pool ([`pool`]). Every answer belongs to one document
//! version: diagnostics are published with the version they were computed
//! for (a stale lint is dropped), hover and code actions wait for the
//! findings of the version they were asked about, and get `ContentModified`
//! when the text changes first. The framing is rulegate's own ([`rpc`]):
//! a message over the size limit is dropped in chunks and refused.

mod actions;
pub mod convert;
mod document;
mod load;
mod pool;
pub mod rpc;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, select};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, Diagnostic, HoverParams, HoverProviderCapability,
    InitializeParams, MessageType, PositionEncodingKind, PublishDiagnosticsParams,
    ServerCapabilities, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde_json::Value;

use crate::config::Config;
use crate::dates::Date;
use crate::run::Run;
use document::{Doc, Linted};
use pool::{Done, FixAllJob, Job, LintJob, Pool};
use rpc::{Incoming, Message, Refusal, code};

/// The code action kind of "apply every safe fix".
pub const FIX_ALL: &str = "source.fixAll.rulegate";

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `initialize`.
    Uninitialized,
    /// Serving.
    Running,
    /// After `shutdown`: only `exit` counts.
    ShutDown,
}

/// A request waiting for the findings of the version it was asked about.
struct Waiting {
    id: Value,
    version: i32,
    ask: Ask,
}

enum Ask {
    CodeAction(CodeActionParams),
    Hover(HoverParams),
}

/// The server's state.
struct Server {
    out: Sender<String>,
    root: PathBuf,
    today: Date,
    phase: Phase,
    run: Option<Arc<Run>>,
    /// Bumped on every load: a lint of an older run is redone.
    generation: u64,
    /// The last config that loaded without errors.
    good_config: Option<Config>,
    docs: HashMap<String, Doc>,
    /// Requests waiting for a lint, by document.
    waiting: HashMap<String, Vec<Waiting>>,
    /// fixAll requests on the pool, by id (JSON text), with their params:
    /// an id cancelled meanwhile is gone.
    fixing: HashMap<String, CodeActionParams>,
    /// Files holding load errors now (their diagnostics to clear later).
    broken_files: Vec<Uri>,
    pool: Pool,
}

/// Runs the server on stdin/stdout until the client says `exit` (or the
/// input ends); `Ok(true)` when `shutdown` came first, as LSP asks.
/// Messages over `max_message_bytes` are refused.
pub fn serve(today: Date, max_message_bytes: u64) -> Result<bool, String> {
    let (in_tx, inbox) = crossbeam_channel::bounded::<Incoming>(64);
    std::thread::Builder::new()
        .name("rulegate-lsp-reader".into())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut reader = rpc::Reader::new(stdin.lock(), max_message_bytes);
            while let Some(incoming) = reader.next_message() {
                if in_tx.send(incoming).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let (out, outbox) = crossbeam_channel::unbounded::<String>();
    let writer = std::thread::Builder::new()
        .name("rulegate-lsp-writer".into())
        .spawn(move || {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            for body in outbox {
                if rpc::write(&mut w, &body).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let (done_tx, done) = crossbeam_channel::unbounded::<Done>();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let mut server = Server::new(out, today, Pool::new(threads, done_tx));
    let clean = server.main_loop(&inbox, &done);
    // The writer ends when every sender is gone.
    drop(server);
    let _ = writer.join();
    Ok(clean)
}

/// What to do after a message.
enum Flow {
    Go,
    /// Stop; `true` when `shutdown` came first.
    Exit(bool),
}

impl Server {
    fn new(out: Sender<String>, today: Date, pool: Pool) -> Self {
        Self {
            out,
            root: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            today,
            phase: Phase::Uninitialized,
            run: None,
            generation: 0,
            good_config: None,
            docs: HashMap::new(),
            waiting: HashMap::new(),
            fixing: HashMap::new(),
            broken_files: Vec::new(),
            pool,
        }
    }

    fn main_loop(&mut self, inbox: &Receiver<Incoming>, done: &Receiver<Done>) -> bool {
        loop {
            select! {
                recv(inbox) -> msg => {
                    let Ok(msg) = msg else { return self.phase == Phase::ShutDown };
                    if let Flow::Exit(clean) = self.guarded(msg) {
                        return clean;
                    }
                    // Coalesce: what arrived meanwhile is handled before linting.
                    while let Ok(more) = inbox.try_recv() {
                        if let Flow::Exit(clean) = self.guarded(more) {
                            return clean;
                        }
                    }
                    self.schedule();
                }
                recv(done) -> d => {
                    if let Ok(d) = d {
                        self.finished(d);
                        self.schedule();
                    }
                }
            }
        }
    }

    /// Handles one incoming message; a bug while doing so is an internal
    /// error for that request, never the end of the server.
    fn guarded(&mut self, incoming: Incoming) -> Flow {
        let id = match &incoming {
            Incoming::Message(Message::Request { id, .. }) => Some(id.clone()),
            _ => None,
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.handle(incoming))) {
            Ok(flow) => flow,
            Err(_) => {
                if let Some(id) = id {
                    self.error(
                        &id,
                        code::INTERNAL_ERROR,
                        "rulegate failed on this request (a bug)",
                    );
                }
                Flow::Go
            }
        }
    }

    fn handle(&mut self, incoming: Incoming) -> Flow {
        match incoming {
            Incoming::Message(Message::Request { id, method, params }) => {
                self.request(id, &method, params)
            }
            Incoming::Message(Message::Notification { method, params }) => {
                self.notification(&method, params)
            }
            Incoming::Message(Message::Response) => Flow::Go,
            Incoming::Refused(r) => {
                self.refused(r);
                Flow::Go
            }
            Incoming::Garbled(why) => {
                self.log(
                    MessageType::WARNING,
                    &format!("rulegate: skipped input: {why}"),
                );
                Flow::Go
            }
        }
    }

    fn request(&mut self, id: Value, method: &str, params: Value) -> Flow {
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
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShutDown;
                for (_, waiting) in std::mem::take(&mut self.waiting) {
                    for w in waiting {
                        self.error(&w.id, code::INVALID_REQUEST, "the server is shutting down");
                    }
                }
                self.fixing.clear();
                self.reply(&id, Value::Null);
            }
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
        Flow::Go
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

    fn notification(&mut self, method: &str, params: Value) -> Flow {
        if method == "exit" {
            return Flow::Exit(self.phase == Phase::ShutDown);
        }
        if self.phase != Phase::Running {
            return Flow::Go;
        }
        match method {
            "textDocument/didOpen" => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(params)
                {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.moved_on(&uri);
                    let doc = Doc::open(p.text_document.text, p.text_document.version);
                    self.docs.insert(uri, doc);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(params)
                {
                    let uri = p.text_document.uri.as_str().to_string();
                    if let Some(doc) = self.docs.get_mut(&uri) {
                        doc.change(p.text_document.version, p.content_changes);
                        self.moved_on(&uri);
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(params)
                {
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

    /// The document at `uri` changed (or closed): requests waiting for an
    /// older version get `ContentModified`.
    fn moved_on(&mut self, uri: &str) {
        let current = self.docs.get(uri).map(|d| d.snap.version);
        let Some(waiting) = self.waiting.get_mut(uri) else {
            return;
        };
        let (keep, stale): (Vec<Waiting>, Vec<Waiting>) = std::mem::take(waiting)
            .into_iter()
            .partition(|w| Some(w.version) == current);
        *waiting = keep;
        for w in stale {
            self.error(
                &w.id,
                code::CONTENT_MODIFIED,
                "the document changed before the answer was ready",
            );
        }
    }

    fn cancel(&mut self, id: &Value) {
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

    /// Whether the document at `uri` is one the server lints.
    fn lints(&self, uri: &str) -> bool {
        self.run.is_some() && convert::path_of(uri).is_some_and(|p| crate::walk::is_python(&p))
    }

    fn answer_empty(&self, id: &Value, ask: &Ask) {
        match ask {
            Ask::CodeAction(_) => self.reply(id, Value::Array(Vec::new())),
            Ask::Hover(_) => self.reply(id, Value::Null),
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

    /// The path of `uri` relative to the run's project.
    fn rel(&self, uri: &str, run: &Run) -> Option<String> {
        let path = convert::path_of(uri)?;
        Some(crate::walk::relative(&run.config, &path))
    }

    /// Sends every document whose current version (under the current run)
    /// has not been linted to the pool, one lint per document at a time.
    fn schedule(&mut self) {
        let Some(run) = self.run.clone() else { return };
        let uris: Vec<String> = self
            .docs
            .iter()
            .filter(|(_, d)| !d.in_flight && d.asked != Some((d.snap.version, self.generation)))
            .map(|(u, _)| u.clone())
            .collect();
        for uri in uris {
            let lints = self.lints(&uri);
            let rel = self.rel(&uri, &run);
            let generation = self.generation;
            let Some(doc) = self.docs.get_mut(&uri) else {
                continue;
            };
            doc.asked = Some((doc.snap.version, generation));
            let Some(rel) = rel.filter(|_| lints) else {
                continue;
            };
            doc.in_flight = true;
            self.pool.submit(Job::Lint(LintJob {
                uri,
                snap: doc.snap.clone(),
                rel,
                run: run.clone(),
                old_tree: doc.tree.clone(),
            }));
        }
    }

    /// A job of the pool is done.
    fn finished(&mut self, done: Done) {
        match done {
            Done::Linted {
                uri,
                version,
                findings,
                shift,
                tree,
            } => {
                let Some(doc) = self.docs.get_mut(&uri) else {
                    return;
                };
                doc.in_flight = false;
                if doc.snap.version != version {
                    return; // stale: the newer version is linted next
                }
                if tree.is_some() {
                    doc.tree = tree;
                }
                let Some(findings) = findings else {
                    // rulegate failed on the text: no diagnostics, and the
                    // waiting requests are answered with nothing.
                    doc.linted = Some(Linted {
                        version,
                        findings: Vec::new(),
                        shift,
                    });
                    self.answer_waiting(&uri);
                    return;
                };
                let snap = doc.snap.clone();
                let diagnostics: Vec<Diagnostic> = findings
                    .iter()
                    .map(|f| convert::diagnostic(f, &snap.text, &snap.lines, shift))
                    .collect();
                doc.linted = Some(Linted {
                    version,
                    findings,
                    shift,
                });
                if let Ok(u) = uri.parse::<Uri>() {
                    self.publish(u, diagnostics, Some(version));
                }
                self.answer_waiting(&uri);
            }
            Done::FixAll {
                id,
                uri,
                version,
                edit,
            } => {
                let Some(params) = self.fixing.remove(&id.to_string()) else {
                    return; // cancelled, or the server is shutting down
                };
                let current = self.docs.get(&uri).filter(|d| d.snap.version == version);
                let (Some(doc), Some(run), Ok(lsp_uri)) =
                    (current, self.run.clone(), uri.parse::<Uri>())
                else {
                    return self.error(
                        &id,
                        code::CONTENT_MODIFIED,
                        "the document changed before the answer was ready",
                    );
                };
                let edit = match edit {
                    Ok(e) => e,
                    Err(why) => return self.error(&id, code::INTERNAL_ERROR, &why),
                };
                let mut actions: Vec<CodeActionOrCommand> = match doc.current_findings() {
                    Some(linted) => {
                        let view = actions::View {
                            uri: &lsp_uri,
                            snap: &doc.snap,
                            linted,
                            run: &run,
                        };
                        actions::quick_fixes(&view, &params)
                    }
                    None => Vec::new(),
                };
                if let Some((range, text)) = edit {
                    actions.push(actions::fix_all_action(&lsp_uri, &doc.snap, range, text));
                }
                self.reply(&id, serde_json::to_value(actions).unwrap_or_default());
            }
        }
    }

    /// Answers the requests waiting for the document's current findings.
    fn answer_waiting(&mut self, uri: &str) {
        let Some(waiting) = self.waiting.remove(uri) else {
            return;
        };
        for w in waiting {
            self.answer(uri, w.id, w.ask);
        }
    }

    /// A message the reader refused: an error for a request; for a change
    /// of a document, the server stops serving that document (its text is
    /// unknown now) until it is opened again.
    fn refused(&mut self, r: Refusal) {
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
    fn reload(&mut self) {
        let loaded = load::load(&self.root, self.today, self.good_config.as_ref());
        crate::error::print_warnings(&loaded.run.rules.warnings);
        self.run = Some(loaded.run);
        if loaded.good_config.is_some() {
            self.good_config = loaded.good_config;
        }
        self.generation += 1;
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

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(rpc::notification("textDocument/publishDiagnostics", params));
    }

    fn show(&self, typ: MessageType, message: &str) {
        let params = ShowMessageParams {
            typ,
            message: message.to_string(),
        };
        self.send(rpc::notification("window/showMessage", params));
    }

    fn log(&self, typ: MessageType, message: &str) {
        let params = ShowMessageParams {
            typ,
            message: message.to_string(),
        };
        self.send(rpc::notification("window/logMessage", params));
    }

    fn reply(&self, id: &Value, result: Value) {
        self.send(rpc::response(id, Ok(result)));
    }

    fn error(&self, id: &Value, code: i32, message: &str) {
        self.send(rpc::response(id, Err((code, message.to_string()))));
    }

    fn send(&self, body: String) {
        let _ = self.out.send(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A server on a fresh project, its outbox and its pool's results.
    struct Harness {
        server: Server,
        out: Receiver<String>,
        done: Receiver<Done>,
        _dir: tempfile::TempDir,
        uri: String,
    }

    impl Harness {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(
                dir.path().join("rulegate.toml"),
                "packs = [\"builtin:t4\"]\n",
            )
            .unwrap();
            let (out_tx, out) = crossbeam_channel::unbounded();
            let (done_tx, done) = crossbeam_channel::unbounded();
            let today = crate::dates::parse_iso("2026-01-01").unwrap();
            let server = Server::new(out_tx, today, Pool::new(1, done_tx));
            let root = convert::uri_of(dir.path()).unwrap();
            let uri = convert::uri_of(&dir.path().join("a.py")).unwrap();
            let mut h = Self {
                server,
                out,
                done,
                uri: uri.as_str().to_string(),
                _dir: dir,
            };
            h.request(
                0,
                "initialize",
                json!({"capabilities": {}, "rootUri": root.as_str()}),
            );
            assert_eq!(h.server.phase, Phase::Running);
            h.sent();
            h
        }

        fn request(&mut self, id: i64, method: &str, params: Value) -> Flow {
            self.server.guarded(Incoming::Message(Message::Request {
                id: Value::from(id),
                method: method.into(),
                params,
            }))
        }

        fn notify(&mut self, method: &str, params: Value) -> Flow {
            self.server
                .guarded(Incoming::Message(Message::Notification {
                    method: method.into(),
                    params,
                }))
        }

        /// Everything the server sent since the last call.
        fn sent(&self) -> Vec<Value> {
            self.out
                .try_iter()
                .map(|s| serde_json::from_str(&s).unwrap())
                .collect()
        }

        /// Schedules lints and waits for the next job to finish.
        fn lint_one(&mut self) {
            self.server.schedule();
            let d = self
                .done
                .recv_timeout(std::time::Duration::from_secs(120))
                .expect("a lint finishes");
            self.server.finished(d);
        }

        fn open(&mut self, text: &str) {
            let uri = self.uri.clone();
            self.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
            );
        }

        fn change(&mut self, version: i32, line: u32, ch: u32, text: &str) {
            let uri = self.uri.clone();
            self.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"range": {"start": {"line": line, "character": ch}, "end": {"line": line, "character": ch}}, "text": text}]}),
            );
        }

        fn code_action(&mut self, id: i64) {
            let uri = self.uri.clone();
            self.request(
                id,
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri},
                       "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}},
                       "context": {"diagnostics": []}}),
            );
        }
    }

    fn error_code(msgs: &[Value], id: i64) -> Option<i64> {
        msgs.iter()
            .find(|m| m["id"] == id)
            .and_then(|m| m["error"]["code"].as_i64())
    }

    #[test]
    fn a_request_overtaken_by_a_change_gets_content_modified() {
        let mut h = Harness::new();
        h.open("x = 1\nimport os\n");
        // Not linted yet: the request waits for version 1's findings ...
        h.code_action(7);
        assert!(h.sent().iter().all(|m| m["id"] != 7));
        // ... and the text moves on first.
        h.change(2, 0, 0, "# 日本 😀\n");
        assert_eq!(
            error_code(&h.sent(), 7),
            Some(code::CONTENT_MODIFIED as i64)
        );
        // A request on version 2 is answered once version 2 is linted,
        // with edits that name version 2.
        h.code_action(8);
        h.lint_one();
        // A request without `only` wants fixAll too: computed on the pool.
        let d = h
            .done
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("fixAll finishes");
        h.server.finished(d);
        let sent = h.sent();
        let published = sent
            .iter()
            .find(|m| m["method"] == "textDocument/publishDiagnostics")
            .unwrap();
        assert_eq!(published["params"]["version"], 2);
        assert_eq!(
            published["params"]["diagnostics"][0]["range"]["start"]["line"],
            2
        );
        let answer = sent.iter().find(|m| m["id"] == 8).unwrap();
        let actions = answer["result"].as_array().unwrap();
        assert!(!actions.is_empty());
        for a in actions {
            let doc = &a["edit"]["documentChanges"][0]["textDocument"];
            assert_eq!(doc["version"], 2, "{a}");
        }
    }

    #[test]
    fn a_stale_lint_is_dropped_and_the_newest_version_published() {
        let mut h = Harness::new();
        h.open("import os\n");
        h.server.schedule(); // version 1 goes to the pool
        h.change(2, 1, 0, "x = 1\nimport sys\n");
        let d = h
            .done
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap();
        h.server.finished(d);
        assert!(
            h.sent()
                .iter()
                .all(|m| m["method"] != "textDocument/publishDiagnostics"),
            "version 1's findings are not published once version 2 exists"
        );
        h.lint_one();
        let sent = h.sent();
        let published = sent
            .iter()
            .find(|m| m["method"] == "textDocument/publishDiagnostics")
            .unwrap();
        assert_eq!(published["params"]["version"], 2);
        assert_eq!(published["params"]["diagnostics"][0]["code"], "E402");
    }

    #[test]
    fn shutdown_then_requests_are_invalid_and_exit_reports_it() {
        let mut h = Harness::new();
        h.open("x = 1\nimport os\n");
        h.code_action(3); // waiting when shutdown comes
        assert!(matches!(h.request(4, "shutdown", Value::Null), Flow::Go));
        let sent = h.sent();
        assert_eq!(error_code(&sent, 3), Some(code::INVALID_REQUEST as i64));
        assert!(sent.iter().any(|m| m["id"] == 4 && m["result"].is_null()));
        h.request(5, "textDocument/hover", json!({}));
        assert_eq!(error_code(&h.sent(), 5), Some(code::INVALID_REQUEST as i64));
        assert!(matches!(h.notify("exit", Value::Null), Flow::Exit(true)));
        // Without shutdown: exit says so.
        let mut h = Harness::new();
        assert!(matches!(h.notify("exit", Value::Null), Flow::Exit(false)));
    }

    #[test]
    fn a_refused_change_stops_serving_its_document_and_says_so() {
        let mut h = Harness::new();
        h.open("x = 1\nimport os\n");
        h.code_action(9); // waiting for version 1's findings
        let uri = h.uri.clone();
        h.server.guarded(Incoming::Refused(Refusal {
            id: None,
            method: Some("textDocument/didChange".into()),
            uri: Some(uri),
            code: code::INVALID_REQUEST,
            reason: "message of 9 bytes is over the limit of 8 bytes".into(),
        }));
        let sent = h.sent();
        assert_eq!(error_code(&sent, 9), Some(code::CONTENT_MODIFIED as i64));
        assert!(sent.iter().any(|m| m["method"] == "window/showMessage"
            && m["params"]["message"].as_str().unwrap().contains("refused")));
        assert!(
            sent.iter()
                .any(|m| m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["diagnostics"] == json!([]))
        );
        assert!(h.server.docs.is_empty());
        // A refused request is answered with the refusal's code.
        h.server.guarded(Incoming::Refused(Refusal {
            id: Some(Value::from("x-1")),
            method: None,
            uri: None,
            code: code::INVALID_REQUEST,
            reason: "too large".into(),
        }));
        let sent = h.sent();
        assert!(
            sent.iter()
                .any(|m| m["id"] == "x-1" && m["error"]["code"] == code::INVALID_REQUEST)
        );
    }

    #[test]
    fn requests_before_initialize_and_unknown_methods_get_errors() {
        let (out_tx, out) = crossbeam_channel::unbounded();
        let (done_tx, _done) = crossbeam_channel::unbounded();
        let today = crate::dates::parse_iso("2026-01-01").unwrap();
        let mut server = Server::new(out_tx, today, Pool::new(1, done_tx));
        server.guarded(Incoming::Message(Message::Request {
            id: Value::from(1),
            method: "textDocument/hover".into(),
            params: Value::Null,
        }));
        let m: Value = serde_json::from_str(&out.try_recv().unwrap()).unwrap();
        assert_eq!(m["error"]["code"], code::SERVER_NOT_INITIALIZED);
        let mut h = Harness::new();
        h.request(2, "textDocument/formatting", json!({}));
        h.request(3, "textDocument/hover", json!({"bogus": true}));
        let sent = h.sent();
        assert_eq!(error_code(&sent, 2), Some(code::METHOD_NOT_FOUND as i64));
        assert_eq!(error_code(&sent, 3), Some(code::INVALID_PARAMS as i64));
    }
}
