//! `rulegate server` (SPEC §8): a Language Server over stdio. Open Python
//! files are linted as they are typed (their unsaved text, with the run
//! `lint` would load: config, packs, rules), each finding's fix and a
//! "suppress with a reason" are code actions, `source.fixAll.rulegate`
//! applies the safe fixes, hover shows a rule's `explain`, and load errors of
//! the config or a pack are diagnostics at their span (the last good run
//! keeps serving meanwhile). Lints run off the message loop, coalesced, so
//! typing never waits for a slow file.

mod actions;
pub mod convert;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, Diagnostic,
    DiagnosticSeverity, HoverProviderCapability, InitializeParams, Position,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use crate::check::Checker;
use crate::dates::Date;
use crate::finding::Finding;
use crate::lint::file::check_source;
use crate::parse::Worker;
use crate::run::Run;
use crate::source::SourceText;

/// The code action kind of "apply every safe fix".
pub const FIX_ALL: &str = "source.fixAll.rulegate";

/// An open document.
struct Doc {
    text: String,
    version: i32,
    /// Findings of the last lint of this version (empty until it arrives).
    findings: Vec<Finding>,
    /// The version the last lint was asked for.
    asked: Option<i32>,
}

/// A finished lint.
struct Linted {
    uri: String,
    version: i32,
    findings: Vec<Finding>,
}

/// The server's state.
struct Server {
    sender: Sender<Message>,
    root: PathBuf,
    today: Date,
    run: Option<Arc<Run>>,
    docs: HashMap<String, Doc>,
    /// Files holding load errors now (their diagnostics to clear later).
    broken_files: Vec<Uri>,
    done_tx: Sender<Linted>,
}

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn serve(today: Date) -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::new(FIX_ALL)]),
            ..Default::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..Default::default()
    };
    let caps = serde_json::to_value(capabilities).map_err(|e| e.to_string())?;
    let init = connection
        .initialize(caps)
        .map_err(|e| format!("initialize: {e}"))?;
    let params: InitializeParams = serde_json::from_value(init).map_err(|e| e.to_string())?;
    #[allow(deprecated)] // root_uri: older clients send only it
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or(params.root_uri.clone())
        .and_then(|u| convert::path_of(&u))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let (done_tx, done_rx) = crossbeam_channel::unbounded();
    let mut server = Server {
        sender: connection.sender.clone(),
        root,
        today,
        run: None,
        docs: HashMap::new(),
        broken_files: Vec::new(),
        done_tx,
    };
    server.reload();
    server.main_loop(&connection.receiver, &done_rx)?;
    // The writer thread ends when every sender is gone.
    drop(server);
    drop(connection);
    io.join().map_err(|e| e.to_string())
}

impl Server {
    fn main_loop(
        &mut self,
        inbox: &Receiver<Message>,
        done: &Receiver<Linted>,
    ) -> Result<(), String> {
        loop {
            select! {
                recv(inbox) -> msg => {
                    let Ok(msg) = msg else { return Ok(()) };
                    if self.handle(msg, inbox)? {
                        return Ok(());
                    }
                    // Coalesce: what arrived meanwhile is handled before linting.
                    while let Ok(more) = inbox.try_recv() {
                        if self.handle(more, inbox)? {
                            return Ok(());
                        }
                    }
                    self.lint_dirty();
                }
                recv(done) -> linted => {
                    if let Ok(l) = linted {
                        self.publish(l);
                    }
                }
            }
        }
    }

    /// Handles one message; `true` when the server should stop.
    fn handle(&mut self, msg: Message, inbox: &Receiver<Message>) -> Result<bool, String> {
        match msg {
            Message::Request(req) => {
                if req.method == "shutdown" {
                    self.respond(Response::new_ok(req.id.clone(), ()));
                    // Wait for `exit`.
                    for m in inbox {
                        if let Message::Notification(n) = m
                            && n.method == "exit"
                        {
                            break;
                        }
                    }
                    return Ok(true);
                }
                let response = self.request(req);
                self.respond(response);
            }
            Message::Notification(n) => self.notification(n),
            Message::Response(_) => {}
        }
        Ok(false)
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            "textDocument/codeAction" => serde_json::from_value(req.params)
                .map(|p| serde_json::to_value(actions::code_actions(self, p)).unwrap_or_default()),
            "textDocument/hover" => serde_json::from_value(req.params)
                .map(|p| serde_json::to_value(actions::hover(self, p)).unwrap_or_default()),
            _ => {
                return Response::new_err(
                    id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("rulegate does not handle `{}`", req.method),
                );
            }
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err(e) => Response::new_err(
                id,
                lsp_server::ErrorCode::InvalidParams as i32,
                e.to_string(),
            ),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification as N;
        match n.method.as_str() {
            N::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                {
                    self.docs.insert(
                        p.text_document.uri.as_str().to_string(),
                        Doc {
                            text: p.text_document.text,
                            version: p.text_document.version,
                            findings: Vec::new(),
                            asked: None,
                        },
                    );
                }
            }
            N::DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                    && let Some(doc) = self.docs.get_mut(p.text_document.uri.as_str())
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    doc.text = change.text;
                    doc.version = p.text_document.version;
                }
            }
            N::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                {
                    self.docs.remove(p.text_document.uri.as_str());
                    self.send_diagnostics(p.text_document.uri, Vec::new(), None);
                }
            }
            // A saved file may be a module others import, the config or a
            // pack: load the run again (fresh module index and symbol
            // tables) and lint every open file.
            N::DidSaveTextDocument::METHOD | N::DidChangeWatchedFiles::METHOD => {
                self.reload();
                for doc in self.docs.values_mut() {
                    doc.asked = None;
                }
            }
            _ => {}
        }
    }

    /// Loads the run for the workspace; on a load error, shows it in the
    /// file it is in and keeps the last good run.
    fn reload(&mut self) {
        let loaded = Run::load(None, &self.root, &[], &[], self.today);
        let old = std::mem::take(&mut self.broken_files);
        match loaded {
            Ok(run) => {
                crate::error::print_warnings(&run.rules.warnings);
                self.run = Some(Arc::new(run));
                for uri in old {
                    self.send_diagnostics(uri, Vec::new(), None);
                }
            }
            Err(report) => {
                let mut by_file: HashMap<String, (Uri, Vec<Diagnostic>)> = HashMap::new();
                for (path, range, message) in load_errors(&report, &self.root) {
                    let Some(uri) = convert::uri_of(&path) else {
                        continue;
                    };
                    by_file
                        .entry(uri.as_str().to_string())
                        .or_insert_with(|| (uri.clone(), Vec::new()))
                        .1
                        .push(Diagnostic {
                            range,
                            severity: Some(DiagnosticSeverity::ERROR),
                            source: Some("rulegate".into()),
                            message,
                            ..Default::default()
                        });
                }
                for uri in old {
                    if !by_file.contains_key(uri.as_str()) {
                        self.send_diagnostics(uri, Vec::new(), None);
                    }
                }
                for (_, (uri, diags)) in by_file {
                    self.broken_files.push(uri.clone());
                    self.send_diagnostics(uri, diags, None);
                }
            }
        }
    }

    /// Starts a lint of every open Python document whose current version
    /// has not been asked for, each on its own thread.
    fn lint_dirty(&mut self) {
        let Some(run) = self.run.clone() else { return };
        for (uri, doc) in &mut self.docs {
            if doc.asked == Some(doc.version) {
                continue;
            }
            doc.asked = Some(doc.version);
            let Some(path) = uri.parse::<Uri>().ok().and_then(|u| convert::path_of(&u)) else {
                continue;
            };
            if !crate::walk::is_python(&path) {
                continue;
            }
            let rel = crate::walk::relative(&run.config, &path);
            let (text, version, uri, run, tx) = (
                doc.text.clone(),
                doc.version,
                uri.clone(),
                run.clone(),
                self.done_tx.clone(),
            );
            std::thread::spawn(move || {
                let findings = lint_text(&run, &rel, &text);
                let _ = tx.send(Linted {
                    uri,
                    version,
                    findings,
                });
            });
        }
    }

    /// Publishes a finished lint, unless the document moved on meanwhile.
    fn publish(&mut self, l: Linted) {
        let Some(doc) = self.docs.get_mut(&l.uri) else {
            return;
        };
        if doc.version != l.version {
            return;
        }
        let diags = l
            .findings
            .iter()
            .map(|f| convert::diagnostic(f, &doc.text))
            .collect();
        doc.findings = l.findings;
        let version = doc.version;
        if let Ok(uri) = l.uri.parse::<Uri>() {
            self.send_diagnostics(uri, diags, Some(version));
        }
    }

    fn send_diagnostics(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let n = Notification::new(
            lsp_types::notification::PublishDiagnostics::METHOD.to_string(),
            params,
        );
        let _ = self.sender.send(Message::Notification(n));
    }

    fn respond(&self, r: Response) {
        let _ = self.sender.send(Message::Response(r));
    }

    /// The document at `uri`, its project path and the run.
    fn doc(&self, uri: &Uri) -> Option<(&Doc, String, Arc<Run>)> {
        let doc = self.docs.get(uri.as_str())?;
        let run = self.run.clone()?;
        let rel = crate::walk::relative(&run.config, &convert::path_of(uri)?);
        Some((doc, rel, run))
    }
}

/// The findings of `text` linted as the project file `rel`.
fn lint_text(run: &Run, rel: &str, text: &str) -> Vec<Finding> {
    let checker = Checker::new(run);
    let mut worker = Worker::new();
    check_source(&checker, &mut worker, Arc::from(rel), SourceText::new(text)).findings
}

/// The spans of a load error: (file, range, message) for each labelled
/// problem, in its own file (relative names are under `root`).
fn load_errors(report: &miette::Report, root: &Path) -> Vec<(PathBuf, lsp_types::Range, String)> {
    let top: &dyn miette::Diagnostic = report.as_ref();
    let mut diags: Vec<&dyn miette::Diagnostic> =
        top.related().map(|r| r.collect()).unwrap_or_default();
    if diags.is_empty() {
        diags.push(top);
    }
    let mut out = Vec::new();
    for d in diags {
        let (Some(src), Some(labels)) = (d.source_code(), d.labels()) else {
            continue;
        };
        for label in labels {
            let Ok(contents) = src.read_span(label.inner(), 0, 0) else {
                continue;
            };
            let Some(name) = contents.name() else {
                continue;
            };
            if name.starts_with(crate::packs::BUILTIN_PREFIX) {
                continue;
            }
            let path = root.join(name);
            let start = Position::new(contents.line() as u32, contents.column() as u32);
            let end = Position::new(start.line, start.character + label.len().max(1) as u32);
            let message = match label.label() {
                Some(l) => format!("{d}: {l}"),
                None => d.to_string(),
            };
            out.push((path, lsp_types::Range::new(start, end), message));
        }
    }
    out
}
