//! The message loop: takes what the client sent and what the pool finished,
//! one at a time, and keeps a bug in handling a message to that message.

use std::panic::AssertUnwindSafe;

use crossbeam_channel::{Receiver, select};
use lsp_types::MessageType;

use super::pool::Done;
use super::rpc::{Incoming, Message, code};
use super::{Phase, Server};

/// What to do after a message.
pub(super) enum Flow {
    /// Go on.
    Go,
    /// Stop; `true` when `shutdown` came first.
    Exit(bool),
}

impl Server {
    /// Serves until `exit` or the end of the input; `true` when `shutdown`
    /// came first.
    pub(super) fn main_loop(&mut self, inbox: &Receiver<Incoming>, done: &Receiver<Done>) -> bool {
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
    pub(super) fn guarded(&mut self, incoming: Incoming) -> Flow {
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
                self.request(id, &method, params);
                Flow::Go
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
}
