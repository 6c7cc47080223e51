//! JSON-RPC over stdio as LSP frames it: `Content-Length` headers, then a
//! body. rulegate reads the framing itself so that a message over the size
//! limit is never allocated: its body is read and dropped in chunks while a
//! small scanner picks out its `id`, `method` and document URI, so that the
//! request can still be answered with an error.
//!
//! Message ids are kept as JSON values (a number of any size, a string):
//! whatever the client sent is echoed back.

use std::io::{BufRead, Read, Write};

use serde::Serialize;
use serde_json::Value;

/// The default limit on an incoming message's body.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// JSON-RPC and LSP error codes the server answers with.
pub mod code {
    /// The body is not JSON.
    pub const PARSE_ERROR: i32 = -32700;
    /// Not a valid request (too large, or after `shutdown`).
    pub const INVALID_REQUEST: i32 = -32600;
    /// A method rulegate does not handle.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// Parameters that do not fit the method.
    pub const INVALID_PARAMS: i32 = -32602;
    /// A bug in rulegate, caught.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// A request before `initialize`.
    pub const SERVER_NOT_INITIALIZED: i32 = -32002;
    /// The client cancelled the request.
    pub const REQUEST_CANCELLED: i32 = -32800;
    /// The document changed before the request could be answered.
    pub const CONTENT_MODIFIED: i32 = -32801;
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A request (has an id and a method).
    Request {
        /// The id to answer with.
        id: Value,
        /// The method.
        method: String,
        /// Its parameters (`null` when absent).
        params: Value,
    },
    /// A notification (a method, no id).
    Notification {
        /// The method.
        method: String,
        /// Its parameters (`null` when absent).
        params: Value,
    },
    /// A response to a request of the server (rulegate sends none it waits for).
    Response,
}

impl Message {
    /// Classifies a JSON body; a refusal when it is no JSON-RPC message.
    fn from_value(v: Value) -> Result<Self, Refusal> {
        let Value::Object(mut map) = v else {
            return Err(Refusal::new(
                None,
                code::INVALID_REQUEST,
                "a JSON-RPC message is a JSON object",
            ));
        };
        let id = map.remove("id");
        let params = map.remove("params").unwrap_or(Value::Null);
        match (map.remove("method"), id) {
            (Some(Value::String(method)), Some(id)) if is_id(&id) => {
                Ok(Message::Request { id, method, params })
            }
            (Some(Value::String(method)), None) => Ok(Message::Notification { method, params }),
            (None, Some(_)) => Ok(Message::Response),
            (_, id) => Err(Refusal::new(
                id.filter(is_id),
                code::INVALID_REQUEST,
                "a request needs a string `method` and a number or string `id`",
            )),
        }
    }
}

fn is_id(v: &Value) -> bool {
    matches!(v, Value::Number(_) | Value::String(_))
}

/// A message the server read but cannot take.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The request's id, when the scanner found one (a notification has none).
    pub id: Option<Value>,
    /// The method, when found.
    pub method: Option<String>,
    /// `params.textDocument.uri`, when found.
    pub uri: Option<String>,
    /// The error code to answer with.
    pub code: i32,
    /// Why.
    pub reason: String,
}

impl Refusal {
    fn new(id: Option<Value>, code: i32, reason: impl Into<String>) -> Self {
        Self {
            id,
            method: None,
            uri: None,
            code,
            reason: reason.into(),
        }
    }
}

/// What the reader hands the message loop.
#[derive(Debug)]
pub enum Incoming {
    /// A message.
    Message(Message),
    /// A message refused (too large, not JSON, not JSON-RPC).
    Refused(Refusal),
    /// Framing the reader skipped (a header block without a length).
    Garbled(String),
}

/// Longest header line kept; longer ones are read to their end and dropped.
const MAX_HEADER_LINE: usize = 8 * 1024;
/// Size of the chunks an over-limit body is dropped in.
const DISCARD_CHUNK: usize = 64 * 1024;

/// Reads LSP frames from `input` with bodies of at most `limit` bytes.
pub struct Reader<R> {
    input: R,
    limit: u64,
}

impl<R: BufRead> Reader<R> {
    /// A reader of `input` refusing bodies over `limit` bytes.
    pub fn new(input: R, limit: u64) -> Self {
        Self { input, limit }
    }

    /// The next message; `None` at the end of input (or a read error).
    pub fn next_message(&mut self) -> Option<Incoming> {
        let length = match self.headers()? {
            Ok(n) => n,
            Err(why) => return Some(Incoming::Garbled(why)),
        };
        if length > self.limit {
            return self.discard(length).map(Incoming::Refused);
        }
        let mut body = Vec::with_capacity(length as usize);
        let read = (&mut self.input).take(length).read_to_end(&mut body).ok()?;
        if (read as u64) < length {
            return None; // the input ended inside the body
        }
        Some(match serde_json::from_slice::<Value>(&body) {
            Ok(v) => match Message::from_value(v) {
                Ok(m) => Incoming::Message(m),
                Err(r) => Incoming::Refused(r),
            },
            Err(e) => {
                let mut scan = Scanner::default();
                scan.feed(&body);
                Incoming::Refused(scan.refusal(code::PARSE_ERROR, format!("invalid JSON: {e}")))
            }
        })
    }

    /// Reads one header block: `Ok(length)`, `Err(why)` for a block without
    /// a usable `Content-Length`, `None` at the end of input.
    fn headers(&mut self) -> Option<Result<u64, String>> {
        let mut length: Option<u64> = None;
        let mut seen_any = false;
        loop {
            let line = self.line()?;
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if !seen_any {
                    continue; // stray blank lines between messages
                }
                return Some(length.ok_or_else(|| "a header block without Content-Length".into()));
            }
            seen_any = true;
            // A header after junk on the same line (a client's stray bytes):
            // the last `Content-Length:` of the line counts.
            let lower = line.to_ascii_lowercase();
            if let Some(at) = lower.rfind("content-length:") {
                let value = line[at + "content-length:".len()..].trim();
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Some(Err(format!("invalid Content-Length `{value}`")))
                        .filter(|_| self.skip_block());
                }
                // Beyond u64: over any limit all the same.
                length = Some(value.parse::<u64>().unwrap_or(u64::MAX));
            }
        }
    }

    /// Skips to the end of the current header block; `false` at the end of input.
    fn skip_block(&mut self) -> bool {
        loop {
            match self.line() {
                None => return false,
                Some(l) if l.trim_end_matches(['\r', '\n']).is_empty() => return true,
                Some(_) => {}
            }
        }
    }

    /// One line (with its ending) of at most [`MAX_HEADER_LINE`] bytes kept.
    fn line(&mut self) -> Option<String> {
        let mut kept = Vec::new();
        loop {
            let buf = self.input.fill_buf().ok()?;
            if buf.is_empty() {
                return (!kept.is_empty()).then(|| String::from_utf8_lossy(&kept).into_owned());
            }
            let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            let room = MAX_HEADER_LINE.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            let n = chunk.len();
            self.input.consume(n);
            if done {
                return Some(String::from_utf8_lossy(&kept).into_owned());
            }
        }
    }

    /// Reads and drops a body of `length` bytes in chunks, scanning it for
    /// the id, method and URI; `None` when the input ends first.
    fn discard(&mut self, length: u64) -> Option<Refusal> {
        let mut scan = Scanner::default();
        let mut left = length;
        let mut chunk = vec![0u8; DISCARD_CHUNK];
        while left > 0 {
            let want = left.min(DISCARD_CHUNK as u64) as usize;
            let n = self.input.read(&mut chunk[..want]).ok()?;
            if n == 0 {
                return None;
            }
            scan.feed(&chunk[..n]);
            left -= n as u64;
        }
        Some(scan.refusal(
            code::INVALID_REQUEST,
            format!(
                "message of {length} bytes is over the limit of {} bytes (rulegate server --max-message-bytes)",
                self.limit
            ),
        ))
    }
}

/// Writes one message, framed.
pub fn write(out: &mut impl Write, body: &str) -> std::io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(body.as_bytes())?;
    out.flush()
}

/// The JSON of a response.
pub fn response(id: &Value, result: Result<Value, (i32, String)>) -> String {
    #[derive(Serialize)]
    struct Error<'a> {
        code: i32,
        message: &'a str,
    }
    #[derive(Serialize)]
    struct Ok<'a> {
        jsonrpc: &'static str,
        id: &'a Value,
        result: &'a Value,
    }
    #[derive(Serialize)]
    struct Err<'a> {
        jsonrpc: &'static str,
        id: &'a Value,
        error: Error<'a>,
    }
    let json = match &result {
        Result::Ok(result) => serde_json::to_string(&Ok {
            jsonrpc: "2.0",
            id,
            result,
        }),
        Result::Err((code, message)) => serde_json::to_string(&Err {
            jsonrpc: "2.0",
            id,
            error: Error {
                code: *code,
                message,
            },
        }),
    };
    json.unwrap_or_default()
}

/// The JSON of a notification.
pub fn notification(method: &str, params: impl Serialize) -> String {
    #[derive(Serialize)]
    struct N<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: P,
    }
    serde_json::to_string(&N {
        jsonrpc: "2.0",
        method,
        params,
    })
    .unwrap_or_default()
}

/// A streaming scan of a JSON body for the few values an error answer
/// needs: top-level `id` and `method`, and `params.textDocument.uri`.
/// Constant memory whatever the body's size; it reads a malformed body as
/// far as it can.
#[derive(Default)]
struct Scanner {
    /// The keys of the open objects, outermost first (up to [`PATH_DEPTH`]).
    stack: Vec<Frame>,
    /// Containers opened beyond the tracked depth.
    deep: usize,
    in_string: bool,
    escaped: bool,
    /// The string or scalar being read, when it is one worth keeping.
    capture: Option<Vec<u8>>,
    /// Whether the string being read is an object key.
    key: bool,
    /// Reading a scalar (number, literal) that is worth keeping.
    scalar: bool,
    id: Option<Value>,
    method: Option<String>,
    uri: Option<String>,
}

struct Frame {
    object: bool,
    expect_key: bool,
    key: Option<Vec<u8>>,
}

const PATH_DEPTH: usize = 4;
const MAX_CAPTURE: usize = 4096;

#[derive(PartialEq)]
enum Wanted {
    Id,
    Method,
    Uri,
}

impl Scanner {
    /// What the value starting now is, when it is one to keep.
    fn wanted(&self) -> Option<Wanted> {
        if self.deep > 0 || self.stack.iter().any(|f| !f.object) {
            return None;
        }
        let path: Vec<&[u8]> = self
            .stack
            .iter()
            .map(|f| f.key.as_deref().unwrap_or(b""))
            .collect();
        match path.as_slice() {
            [b"id"] => Some(Wanted::Id),
            [b"method"] => Some(Wanted::Method),
            [b"params", b"textDocument", b"uri"] => Some(Wanted::Uri),
            _ => None,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
                self.end_string();
                return;
            }
            if let Some(c) = self.capture.as_mut().filter(|c| c.len() < MAX_CAPTURE) {
                c.push(b);
            }
            return;
        }
        if self.scalar {
            if matches!(b, b'-' | b'+' | b'.' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z') {
                if let Some(c) = self.capture.as_mut().filter(|c| c.len() < 64) {
                    c.push(b);
                }
                return;
            }
            self.scalar = false;
            if let Some(raw) = self.capture.take()
                && self.wanted() == Some(Wanted::Id)
            {
                self.id = serde_json::from_slice::<Value>(&raw).ok().filter(is_id);
            }
        }
        match b {
            b'"' => {
                self.in_string = true;
                self.key = self.stack.last().is_some_and(|f| f.object && f.expect_key);
                self.capture = if (self.key && self.deep == 0) || self.wanted().is_some() {
                    Some(Vec::new())
                } else {
                    None
                };
            }
            b'{' | b'[' => {
                if self.deep > 0 || self.stack.len() >= PATH_DEPTH {
                    self.deep += 1;
                } else {
                    self.stack.push(Frame {
                        object: b == b'{',
                        expect_key: b == b'{',
                        key: None,
                    });
                }
            }
            b'}' | b']' => {
                if self.deep > 0 {
                    self.deep -= 1;
                } else {
                    self.stack.pop();
                }
            }
            b':' => {
                if self.deep == 0
                    && let Some(f) = self.stack.last_mut()
                {
                    f.expect_key = false;
                }
            }
            b',' => {
                if self.deep == 0
                    && let Some(f) = self.stack.last_mut().filter(|f| f.object)
                {
                    f.expect_key = true;
                    f.key = None;
                }
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                self.scalar = true;
                self.capture = (self.wanted() == Some(Wanted::Id)).then(|| vec![b]);
            }
            _ => {}
        }
    }

    fn end_string(&mut self) {
        let Some(raw) = self.capture.take() else {
            return;
        };
        if self.key {
            if self.deep == 0
                && let Some(f) = self.stack.last_mut()
            {
                f.key = Some(raw);
            }
            return;
        }
        let mut quoted = Vec::with_capacity(raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(&raw);
        quoted.push(b'"');
        let Ok(s) = serde_json::from_slice::<String>(&quoted) else {
            return;
        };
        match self.wanted() {
            Some(Wanted::Id) => self.id = Some(Value::String(s)),
            Some(Wanted::Method) => self.method = Some(s),
            Some(Wanted::Uri) => self.uri = Some(s),
            None => {}
        }
    }

    fn refusal(mut self, code: i32, reason: String) -> Refusal {
        // A number at the very end of the body has no byte after it.
        self.byte(b' ');
        Refusal {
            id: self.id,
            method: self.method,
            uri: self.uri,
            code,
            reason,
        }
    }
}

#[cfg(test)]
mod tests;
