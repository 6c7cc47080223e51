//! The server's message handling, driven without stdio: each ordering of
//! changes, requests and finished lints that the end-to-end tests
//! (`tests/lsp`) cannot force.

use crossbeam_channel::Receiver;
use serde_json::{Value, json};

use super::event_loop::Flow;
use super::pool::{Done, Pool};
use super::rpc::{Incoming, Message, Refusal, code};
use super::*;

/// A server on a fresh project, its outbox and its pool's results.
struct Harness {
    server: Server,
    out: Receiver<String>,
    done: Receiver<Done>,
    _dir: tempfile::TempDir,
    uri: String,
}

impl Harness {
    /// A client that applies `documentChanges` (edits naming a version).
    fn new() -> Self {
        Self::with(json!({"workspace": {"workspaceEdit": {"documentChanges": true}}}))
    }

    /// A client with `capabilities`.
    fn with(capabilities: Value) -> Self {
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
            json!({"capabilities": capabilities, "rootUri": root.as_str()}),
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

    /// A code action request over lines 0-9 (fixAll too: no `only`).
    fn code_action(&mut self, id: i64) {
        self.code_action_in(id, json!({"diagnostics": []}));
    }

    fn code_action_in(&mut self, id: i64, context: Value) {
        let uri = self.uri.clone();
        self.request(
            id,
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}},
                   "context": context}),
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

/// `text` with LSP edits (all against `text`) applied, as an editor does.
fn apply(text: &str, edits: &[Value]) -> String {
    let index = crate::source::LineIndex::new(text);
    let at = convert::Positions::new(text, &index);
    let pos = |p: &Value| {
        lsp_types::Position::new(
            p["line"].as_u64().unwrap() as u32,
            p["character"].as_u64().unwrap() as u32,
        )
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            (
                at.offset(pos(&r["start"])),
                at.offset(pos(&r["end"])),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn a_client_without_document_changes_gets_changes_for_the_current_text() {
    let mut h = Harness::with(json!({}));
    h.open("x = 1\nimport os\n");
    h.lint_one();
    h.sent();
    // The text moves on; the quick fixes asked for now are version 2's.
    h.change(2, 0, 0, "# 日本 😀\n");
    let v2 = "# 日本 😀\nx = 1\nimport os\n";
    let uri = h.uri.clone();
    h.request(
        4,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 9}},
               "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    assert!(h.sent().iter().all(|m| m["id"] != 4), "waits for version 2");
    h.lint_one();
    let sent = h.sent();
    let answer = sent.iter().find(|m| m["id"] == 4).unwrap();
    let actions = answer["result"].as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("E402"))
        .unwrap();
    assert!(fix["edit"].get("documentChanges").is_none(), "{fix}");
    let edits = fix["edit"]["changes"][&h.uri].as_array().unwrap();
    assert_eq!(apply(v2, edits), "# 日本 😀\nimport os\nx = 1\n");
    let suppress = actions
        .iter()
        .find(|a| a["title"] == "Suppress E402 with a reason")
        .unwrap();
    let edits = suppress["edit"]["changes"][&h.uri].as_array().unwrap();
    assert!(
        apply(v2, edits).contains("\nimport os  # noqa: E402 -- <reason> until="),
        "{}",
        apply(v2, edits)
    );
}

/// Lines ending in `\n`, `\r\n` and a lone `\r`, with non-ASCII text: each
/// published position is the CLI's (1-based line, column in characters)
/// in LSP's terms (0-based line, UTF-16 units).
#[test]
fn positions_on_mixed_line_endings_are_the_clis() {
    let text = "# 日本 😀\r\nx = '😀'\rimport os\nimport sys  # é\r\ny = '😀'; import json\n";
    let mut h = Harness::new();
    h.open(text);
    h.lint_one();
    let sent = h.sent();
    let published = sent
        .iter()
        .find(|m| m["method"] == "textDocument/publishDiagnostics")
        .unwrap();
    let diags = published["params"]["diagnostics"].as_array().unwrap();
    // The CLI's findings of the same text.
    let run = h.server.run.clone().unwrap();
    let checker = crate::check::Checker::new(&run);
    let src = crate::source::SourceText::new(text);
    let result = crate::lint::file::check_source(
        &checker,
        &mut crate::parse::Worker::new(),
        std::sync::Arc::from("a.py"),
        src.clone(),
    );
    let mut cli: Vec<(String, usize, usize)> = result
        .findings
        .iter()
        .map(|f| {
            let p = src.lines.position(&src.text, f.range.start);
            (f.rule.to_string(), p.line, p.column)
        })
        .collect();
    cli.sort();
    assert_eq!(
        cli.iter().filter(|c| c.0 == "E402").count(),
        3,
        "each import after code, lone CR included: {cli:?}"
    );
    let mut lsp: Vec<(String, usize, usize)> = diags
        .iter()
        .map(|d| {
            let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
            let units = d["range"]["start"]["character"].as_u64().unwrap() as usize;
            // UTF-16 units back to characters, on the line the CLI counts.
            let start = src.lines.line_start(line);
            let mut seen = 0;
            let column = text[start..]
                .chars()
                .take_while(|c| {
                    seen += c.len_utf16();
                    seen <= units
                })
                .count();
            (
                d["code"].as_str().unwrap().to_string(),
                line + 1,
                column + 1,
            )
        })
        .collect();
    lsp.sort();
    assert_eq!(lsp, cli);
    // `import json` after `y = '😀'; `: the 10th character, 10 UTF-16
    // units in.
    assert!(cli.contains(&("E402".into(), 5, 10)), "{cli:?}");
    assert!(
        diags
            .iter()
            .any(|d| d["range"]["start"] == json!({"line": 4, "character": 10})),
        "{diags:?}"
    );
}

/// How a version's lint ended.
#[derive(Debug, PartialEq)]
enum Answered {
    /// By a lint of the text.
    Linted,
    /// From the lint cache (and then its tree was parsed).
    FromCache,
}

impl Harness {
    fn path(&self, name: &str) -> std::path::PathBuf {
        self._dir.path().join(name)
    }

    /// Opens `text` afresh (closing the document first) and runs its lint
    /// to the end: the diagnostics published, and where they came from.
    fn open_and_lint(&mut self, text: &str) -> (Value, Answered) {
        let uri = self.uri.clone();
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        self.sent();
        self.open(text);
        self.server.schedule();
        let wait = std::time::Duration::from_secs(120);
        let d = self.done.recv_timeout(wait).expect("a lint finishes");
        // An answer from the cache parses nothing (the first change parses
        // in full).
        let answered = match &d {
            Done::Linted {
                from_cache: true, ..
            } => Answered::FromCache,
            _ => Answered::Linted,
        };
        self.server.finished(d);
        if answered == Answered::FromCache {
            assert!(self.server.docs[&self.uri].tree.is_none());
        }
        let published = self.published();
        assert_eq!(published["params"]["version"], 1);
        (published["params"]["diagnostics"].clone(), answered)
    }

    /// The first diagnostics published among the messages sent since the
    /// last look.
    fn published(&self) -> Value {
        self.sent()
            .into_iter()
            .find(|m| m["method"] == "textDocument/publishDiagnostics")
            .expect("diagnostics are published")
    }

    /// The quick fixes offered for the whole of the current version.
    fn quick_fixes(&mut self, id: i64) -> Value {
        self.code_action_in(id, json!({"diagnostics": [], "only": ["quickfix"]}));
        let sent = self.sent();
        sent.iter().find(|m| m["id"] == id).expect("answered")["result"].clone()
    }
}

/// A file with findings of a rule that reads another module (STUB001: a
/// name `b` does not define), a fixable one (E402) and a TODO.
const CACHED: &str = "import os\nx = 1\nimport sys\nfrom b import missing\n# TODO fix it\n";

#[test]
fn an_open_answered_from_the_cache_is_a_fresh_lints_answer() {
    let mut h = Harness::new();
    std::fs::write(h.path("a.py"), CACHED).unwrap();
    std::fs::write(h.path("b.py"), "present = 1\n").unwrap();
    // The first open lints, and stores the result: the text is the file's.
    let (fresh, how) = h.open_and_lint(CACHED);
    assert_eq!(how, Answered::Linted);
    let codes: Vec<&str> = fresh
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for rule in ["E402", "STUB001", "TODO001"] {
        assert!(codes.contains(&rule), "{codes:?}");
    }
    let fixes = h.quick_fixes(5);
    assert!(fixes.as_array().is_some_and(|a| !a.is_empty()), "{fixes}");
    // The next open is answered from the cache: the same diagnostics, and
    // the same code actions (the cached findings carry their fixes).
    let (cached, how) = h.open_and_lint(CACHED);
    assert_eq!(how, Answered::FromCache);
    assert_eq!(cached, fresh);
    assert_eq!(h.quick_fixes(6), fixes);
    // Its first change has no tree to edit: it parses in full, keeps the
    // tree for the next changes, and publishes what a fresh lint of the
    // new text publishes.
    h.change(2, 0, 0, "# c\n");
    h.lint_one();
    assert!(h.server.docs[&h.uri].tree.is_some());
    let changed = h.published();
    assert_eq!(changed["params"]["version"], 2);
    h.server.cache = false;
    let (fresh_changed, _) = h.open_and_lint(&format!("# c\n{CACHED}"));
    h.server.cache = true;
    assert_eq!(changed["params"]["diagnostics"], fresh_changed);
    // Without the cache, the same again.
    h.server.cache = false;
    assert_eq!(h.open_and_lint(CACHED), (fresh.clone(), Answered::Linted));
    h.server.cache = true;
    // A module the result depends on changes (the editor says so, the run
    // is loaded again): the entry no longer holds.
    std::fs::write(h.path("b.py"), "present = 1\nmissing = 2\n").unwrap();
    h.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    let (after, how) = h.open_and_lint(CACHED);
    assert_eq!(how, Answered::Linted);
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] != "STUB001"),
        "{after}"
    );
    assert_eq!(h.open_and_lint(CACHED), (after, Answered::FromCache));
}

#[test]
fn unsaved_text_is_never_stored_and_changes_skip_the_cache() {
    let mut h = Harness::new();
    std::fs::write(h.path("a.py"), "import os\n").unwrap();
    let unsaved = "x = 1\nimport os\n";
    assert_eq!(h.open_and_lint(unsaved).1, Answered::Linted);
    assert_eq!(h.open_and_lint(unsaved).1, Answered::Linted);
    // The run has read unsaved text: the text on disk is neither stored
    // nor looked up until the run is loaded again.
    let (on_disk, how) = h.open_and_lint("import os\n");
    assert_eq!(how, Answered::Linted);
    assert_eq!(
        h.open_and_lint("import os\n"),
        (on_disk.clone(), Answered::Linted)
    );
    h.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    h.sent();
    // Loaded again: stored on open, then answered from the cache; a
    // change is linted (only a document's first lint under a run reads
    // the cache).
    assert_eq!(
        h.open_and_lint("import os\n"),
        (on_disk.clone(), Answered::Linted)
    );
    assert_eq!(
        h.open_and_lint("import os\n"),
        (on_disk, Answered::FromCache)
    );
    h.change(2, 0, 0, "# c\n");
    h.lint_one();
    assert!(h.server.docs[&h.uri].linted.is_some());
}

#[test]
fn an_open_is_answered_from_what_lint_stored() {
    let mut h = Harness::new();
    std::fs::write(h.path("a.py"), CACHED).unwrap();
    std::fs::write(h.path("b.py"), "present = 1\n").unwrap();
    h.server.cache = false;
    let (fresh, _) = h.open_and_lint(CACHED);
    h.server.cache = true;
    let root = h._dir.path().to_path_buf();
    let run =
        crate::run::Run::load_with_store(None, &root, &[], &[], h.server.today, true).unwrap();
    let opts = crate::lint::LintOptions {
        paths: vec![root],
        cache: true,
        one_project: true,
        threads: Some(1),
        ..Default::default()
    };
    crate::lint::lint(&run, &opts).unwrap();
    assert_eq!(h.open_and_lint(CACHED), (fresh, Answered::FromCache));
}

/// `pkg/a.py` and `pkg/b.py` import each other at module level, and `b`'s
/// import of `helper` fails when `a` is imported first (IMP002).
fn cycle_on_disk(h: &Harness) -> (String, String, &'static str) {
    std::fs::create_dir_all(h.path("pkg")).unwrap();
    std::fs::write(h.path("pkg/__init__.py"), "").unwrap();
    let a = "from pkg.b import run\n\n\ndef helper():\n    return 1\n";
    let b = "from pkg.a import helper\n\n\ndef run():\n    return helper()\n";
    std::fs::write(h.path("pkg/a.py"), a).unwrap();
    std::fs::write(h.path("pkg/b.py"), b).unwrap();
    let uri = |f: &str| convert::uri_of(&h.path(f)).unwrap().as_str().to_string();
    (uri("pkg/a.py"), uri("pkg/b.py"), b)
}

fn codes(diags: &Value) -> Vec<&str> {
    diags
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

/// `pkg/b.py` as `rulegate lint` (with its cache, or without) finds it.
fn cli_codes(h: &Harness, cache: bool) -> Vec<String> {
    let root = h._dir.path().to_path_buf();
    let run =
        crate::run::Run::load_with_store(None, &root, &[], &[], h.server.today, cache).unwrap();
    let opts = crate::lint::LintOptions {
        paths: vec![root.join("pkg/b.py")],
        cache,
        threads: Some(1),
        ..Default::default()
    };
    let out = crate::lint::lint(&run, &opts).unwrap();
    out.findings.iter().map(|f| f.rule.to_string()).collect()
}

#[test]
fn a_run_that_read_unsaved_text_neither_stores_nor_answers_from_the_cache() {
    let mut h = Harness::new();
    let (a, b, b_text) = cycle_on_disk(&h);
    // `a` opened as saved, then edited: its import moves into a function,
    // so the run's import graph (shared by its lints) has no cycle.
    h.uri = a.clone();
    let a_text = std::fs::read_to_string(h.path("pkg/a.py")).unwrap();
    h.open_and_lint(&a_text);
    h.change(2, 0, 0, "def f():\n    ");
    h.lint_one();
    // `b` as saved: linted against that graph, so its result must not be
    // stored (the files on disk do fail), nor its open answered.
    h.uri = b.clone();
    let (unsaved_view, how) = h.open_and_lint(b_text);
    assert_eq!(how, Answered::Linted);
    assert!(!codes(&unsaved_view).contains(&"IMP002"), "{unsaved_view}");
    assert_eq!(cli_codes(&h, true), ["IMP002"], "nothing wrong was stored");
    assert_eq!(cli_codes(&h, false), ["IMP002"]);
    // `a` closed unsaved, the run loaded again: everything is the disk's,
    // and the cache answers with what a fresh lint gives.
    h.notify("textDocument/didClose", json!({"textDocument": {"uri": a}}));
    h.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    h.sent();
    let (hit, how) = h.open_and_lint(b_text);
    assert_eq!(how, Answered::FromCache);
    assert_eq!(codes(&hit), ["IMP002"]);
    h.server.cache = false;
    assert_eq!(h.open_and_lint(b_text), (hit, Answered::Linted));
}

#[test]
fn bom_and_carriage_return_texts_answered_from_the_cache_are_a_fresh_lints() {
    for text in [
        "\u{feff}import os\nx = 1\nimport sys\n# TODO a\n",
        "import os\rx = 1\rimport sys\r# TODO a\r",
        "\u{feff}import os\r\nx = 1\rimport sys\n# TODO a\r\n",
    ] {
        let mut h = Harness::new();
        std::fs::write(h.path("a.py"), text).unwrap();
        h.server.cache = false;
        let (fresh, _) = h.open_and_lint(text);
        let fixes = h.quick_fixes(3);
        assert!(codes(&fresh).contains(&"E402"), "{fresh}");
        h.server.cache = true;
        assert_eq!(h.open_and_lint(text).1, Answered::Linted); // stores
        let (hit, how) = h.open_and_lint(text);
        assert_eq!(how, Answered::FromCache, "{text:?}");
        assert_eq!(hit, fresh, "{text:?}");
        assert_eq!(h.quick_fixes(4), fixes, "{text:?}");
    }
}

#[test]
fn a_fix_all_keeps_the_runs_later_lints_away_from_the_cache() {
    let mut h = Harness::new();
    std::fs::write(h.path("a.py"), CACHED).unwrap();
    std::fs::write(h.path("b.py"), "present = 1\n").unwrap();
    assert_eq!(h.open_and_lint(CACHED).1, Answered::Linted); // stored
    // A lightbulb's request (no `only`) computes fixAll: the fix engine
    // checks the fixed text, not on disk, through the run's shared state.
    h.code_action(9);
    let d = h
        .done
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("fixAll finishes");
    h.server.finished(d);
    h.sent();
    assert_eq!(h.open_and_lint(CACHED).1, Answered::Linted);
    // Loaded again, the entry serves.
    h.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    h.sent();
    assert_eq!(h.open_and_lint(CACHED).1, Answered::FromCache);
}
