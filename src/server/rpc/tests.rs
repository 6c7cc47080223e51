//! The framing, driven with byte strings: order, limits, garbled input.

use super::*;

fn framed(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

fn read_all(input: &str, limit: u64) -> Vec<Incoming> {
    let mut r = Reader::new(std::io::Cursor::new(input.as_bytes().to_vec()), limit);
    std::iter::from_fn(|| r.next_message()).collect()
}

#[test]
fn frames_are_read_in_order() {
    let a = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
    let b = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    let input = format!("{}{}", framed(a), framed(b));
    let got = read_all(&input, 1024);
    assert!(
        matches!(&got[0], Incoming::Message(Message::Request { method, id, .. })
        if method == "initialize" && *id == 1)
    );
    assert!(
        matches!(&got[1], Incoming::Message(Message::Notification { method, .. }) if method == "exit")
    );
    assert_eq!(got.len(), 2);
}

#[test]
fn an_over_limit_body_is_dropped_and_its_id_kept() {
    let padding = "x".repeat(5000);
    let big = format!(
        r#"{{"jsonrpc":"2.0","params":{{"textDocument":{{"uri":"file:///a.py"}},"pad":"{padding}","n":[1,{{"id":7}}]}},"id":"req-\"9\"","method":"textDocument/hover"}}"#
    );
    let next = r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#;
    let input = format!("{}{}", framed(&big), framed(next));
    let got = read_all(&input, 1000);
    let Incoming::Refused(r) = &got[0] else {
        panic!("{got:?}")
    };
    assert_eq!(r.id, Some(Value::from("req-\"9\"")));
    assert_eq!(r.method.as_deref(), Some("textDocument/hover"));
    assert_eq!(r.uri.as_deref(), Some("file:///a.py"));
    assert_eq!(r.code, code::INVALID_REQUEST);
    // The stream goes on after it.
    assert!(
        matches!(&got[1], Incoming::Message(Message::Request { method, .. }) if method == "shutdown")
    );
}

#[test]
fn numeric_ids_of_any_size_are_kept() {
    let body = r#"{"id": 12345678901234, "method": "x", "params": [}"#;
    let got = read_all(&framed(body), 1 << 20);
    let Incoming::Refused(r) = &got[0] else {
        panic!("{got:?}")
    };
    assert_eq!(r.code, code::PARSE_ERROR);
    assert_eq!(r.id, Some(Value::from(12345678901234u64)));
    let body = r#"{"jsonrpc":"2.0","id":12345678901234,"method":"x"}"#;
    let got = read_all(&framed(body), 1 << 20);
    assert!(
        matches!(&got[0], Incoming::Message(Message::Request { id, .. }) if *id == 12345678901234u64)
    );
}

#[test]
fn a_huge_length_never_allocates_and_ends_with_the_input() {
    let input = "Content-Length: 4611686018427387904\r\n\r\n{\"id\":1}";
    let got = read_all(input, DEFAULT_MAX_MESSAGE_BYTES);
    assert!(got.is_empty());
    let input = "Content-Length: 99999999999999999999999\r\n\r\n{}";
    assert!(read_all(input, DEFAULT_MAX_MESSAGE_BYTES).is_empty());
}

#[test]
fn garbled_headers_are_skipped() {
    let ok = r#"{"jsonrpc":"2.0","method":"initialized"}"#;
    let input = format!(
        "Content-Type: x\r\n\r\nContent-Length: abc\r\n\r\n{}",
        framed(ok)
    );
    let got = read_all(&input, 1024);
    assert!(matches!(got[0], Incoming::Garbled(_)));
    assert!(matches!(got[1], Incoming::Garbled(_)));
    assert!(matches!(
        &got[2],
        Incoming::Message(Message::Notification { .. })
    ));
    // Junk before a header on its line.
    let input = format!("junk{}", framed(ok));
    assert!(matches!(
        &read_all(&input, 1024)[0],
        Incoming::Message(Message::Notification { .. })
    ));
}

#[test]
fn answers_are_json_rpc() {
    let r = response(&Value::from(3), Err((code::CONTENT_MODIFIED, "m".into())));
    let v: Value = serde_json::from_str(&r).unwrap();
    assert_eq!(v["error"]["code"], -32801);
    assert_eq!(v["id"], 3);
    let n = notification("window/logMessage", serde_json::json!({"type": 3}));
    assert!(n.contains("\"method\":\"window/logMessage\""));
}
