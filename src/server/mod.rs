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
//!
//! The parts of the server, one job each:
//!
//! | module | job |
//! |---|---|
//! | `event_loop` | the message loop: reads messages and finished jobs, keeps a bug to its request |
//! | `requests` | requests: `initialize`, `shutdown`, hover and code actions (waiting for their version's findings) |
//! | `notifications` | notifications: opened, changed, closed and saved documents, refused messages, reloads |
//! | `linting` | sends document versions to the pool and takes back their findings |
//! | `cached` | opens answered from `lint`'s result cache, and results stored into it |
//! | `outbox` | what the server sends: diagnostics, messages, answers |
//! | `document`, `convert`, `actions`, `load`, `pool`, `rpc` | documents and their versions, positions, answers' contents, degraded loading, the worker threads, the framing |

mod actions;
mod cached;
pub mod convert;
mod document;
mod event_loop;
mod linting;
mod load;
mod notifications;
mod outbox;
mod pool;
mod requests;
pub mod rpc;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{CodeActionParams, HoverParams, Uri};
use serde_json::Value;

use crate::config::Config;
use crate::dates::Date;
use crate::run::Run;
use document::Doc;
use pool::{Done, Pool};
use rpc::Incoming;

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

/// A request answered from a document version's findings.
enum Ask {
    CodeAction(CodeActionParams),
    Hover(HoverParams),
}

/// The server's state.
struct Server {
    out: crossbeam_channel::Sender<String>,
    root: PathBuf,
    today: Date,
    phase: Phase,
    /// Whether the client applies `documentChanges` (edits naming the
    /// document version); else edits are sent as `changes`.
    document_changes: bool,
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
    /// Whether opens go through `lint`'s result cache (`--no-cache`: no).
    cache: bool,
    /// Whether a lint under the current run read text that is not on disk
    /// (a fresh flag for each run): the cache is then neither read nor
    /// written until the next load (see `linting::schedule`).
    unsaved_seen: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// Runs the server on stdin/stdout until the client says `exit` (or the
/// input ends); `Ok(true)` when `shutdown` came first, as LSP asks.
/// Messages over `max_message_bytes` are refused. With `cache`, opens are
/// answered from `lint`'s result cache when it holds the text's result.
pub fn serve(today: Date, max_message_bytes: u64, cache: bool) -> Result<bool, String> {
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
    server.cache = cache;
    let clean = server.main_loop(&inbox, &done);
    // The writer ends when every sender is gone.
    drop(server);
    let _ = writer.join();
    Ok(clean)
}

impl Server {
    fn new(out: crossbeam_channel::Sender<String>, today: Date, pool: Pool) -> Self {
        Self {
            out,
            root: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            today,
            phase: Phase::Uninitialized,
            document_changes: false,
            run: None,
            generation: 0,
            good_config: None,
            docs: HashMap::new(),
            waiting: HashMap::new(),
            fixing: HashMap::new(),
            broken_files: Vec::new(),
            pool,
            cache: true,
            unsaved_seen: Default::default(),
        }
    }
}
