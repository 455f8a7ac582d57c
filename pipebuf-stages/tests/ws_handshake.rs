//! `websocket::parse_request`, `accept_key`, `write_accept` and `write_rejection`: the RFC 6455
//! example, requests split at every byte, non-WebSocket input left alone, each refusal with its
//! status, and the responses byte for byte.

#![cfg(feature = "websocket")]

use pipebuf::PipeBuf;
use pipebuf_stages::websocket::{
    HandshakeError, Parsed, UpgradeRequest, WriteError, accept_key, parse_request, write_accept,
    write_rejection,
};

const MAX: usize = 4096;

/// The client's handshake from RFC 6455, section 1.3 (with the key of section 1.3's example).
const RFC_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
    Host: server.example.com\r\n\
    Upgrade: websocket\r\n\
    Connection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Origin: http://example.com\r\n\
    Sec-WebSocket-Protocol: chat, superchat\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

fn upgrade(bytes: &[u8]) -> (UpgradeRequest, usize) {
    match parse_request(bytes, MAX) {
        Ok(Parsed::Upgrade { request, len }) => (request, len),
        other => panic!("expected an upgrade, got {other:?}"),
    }
}

/// A valid request with `line` replaced (matched by its header name) or removed (`None`).
fn request_with(name: &str, line: Option<&str>) -> Vec<u8> {
    let mut out = String::from("GET /chat HTTP/1.1\r\n");
    let base = [
        "Host: server.example.com",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ];
    for header in base {
        if header.starts_with(name) {
            if let Some(line) = line {
                out.push_str(line);
                out.push_str("\r\n");
            }
        } else {
            out.push_str(header);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    out.into_bytes()
}

#[test]
fn rfc_example() {
    let mut bytes = RFC_REQUEST.to_vec();
    bytes.extend_from_slice(&[0x81, 0x85]); // the start of the first frame
    let (request, len) = upgrade(&bytes);
    assert_eq!(len, RFC_REQUEST.len());
    assert_eq!(request.method(), "GET");
    assert_eq!(request.http_minor_version(), 1);
    assert_eq!(request.path(), "/chat");
    assert_eq!(request.host(), "server.example.com");
    assert_eq!(request.origin(), Some("http://example.com"));
    assert_eq!(request.key(), "dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(request.version(), 13);
    assert_eq!(request.protocols(), ["chat", "superchat"]);
    assert!(request.extensions().is_empty());
    assert_eq!(request.headers().len(), 7);
    assert_eq!(request.headers()[0], ("Host".into(), b"server.example.com".to_vec()));
    assert_eq!(request.header("origin"), Some(&b"http://example.com"[..]));
    assert_eq!(request.accept_key(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

#[test]
fn accept_key_rfc() {
    assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

#[test]
fn split_at_every_byte() {
    let whole = parse_request(RFC_REQUEST, MAX).unwrap();
    for cut in 0..RFC_REQUEST.len() {
        assert_eq!(parse_request(&RFC_REQUEST[..cut], MAX), Ok(Parsed::Incomplete), "cut {cut}");
    }
    assert_eq!(parse_request(RFC_REQUEST, MAX), Ok(whole));
}

#[test]
fn lists_and_case() {
    let bytes = b"GET /x?y=1 HTTP/1.1\r\nhost: h\r\nUPGRADE: WebSocket\r\n\
        connection: keep-alive, Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        sec-websocket-version: 13\r\nSec-WebSocket-Protocol: a ,b\r\nSec-WebSocket-Protocol: c\r\n\
        Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-foo\r\n\r\n";
    let (request, len) = upgrade(bytes);
    assert_eq!(len, bytes.len());
    assert_eq!(request.path(), "/x?y=1");
    assert_eq!(request.origin(), None);
    assert_eq!(request.protocols(), ["a", "b", "c"]);
    assert_eq!(request.extensions(), ["permessage-deflate; client_max_window_bits", "x-foo"]);
}

#[test]
fn not_websocket() {
    let cases: [&[u8]; 4] = [
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"SSH-2.0-OpenSSH_9.6\r\n",
    ];
    for bytes in cases {
        assert_eq!(parse_request(bytes, MAX), Ok(Parsed::NotWebSocket), "{bytes:?}");
    }
    // An upgrade to another protocol is left for that protocol too.
    let h2c = request_with("Upgrade", Some("Upgrade: h2c"));
    assert_eq!(parse_request(&h2c, MAX), Ok(Parsed::NotWebSocket));
}

#[test]
fn errors_and_statuses() {
    let key = "Sec-WebSocket-Key";
    let ver = "Sec-WebSocket-Version";
    let forty = "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNk";
    let cases: Vec<(Vec<u8>, HandshakeError, u16)> = vec![
        (
            b"POST /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                .to_vec(),
            HandshakeError::Method,
            405,
        ),
        (
            b"GET /chat HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                .to_vec(),
            HandshakeError::HttpVersion,
            400,
        ),
        (request_with("Connection", None), HandshakeError::Connection, 400),
        (
            request_with("Connection", Some("Connection: keep-alive")),
            HandshakeError::Connection,
            400,
        ),
        (request_with("Host", None), HandshakeError::MissingHost, 400),
        (request_with(ver, None), HandshakeError::Version, 426),
        (request_with(ver, Some("Sec-WebSocket-Version: 8")), HandshakeError::Version, 426),
        (request_with(key, None), HandshakeError::MissingKey, 400),
        (
            request_with(
                key,
                Some("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: x"),
            ),
            HandshakeError::DuplicateKey,
            400,
        ),
        (
            request_with(key, Some("Sec-WebSocket-Key: not base64!!")),
            HandshakeError::InvalidKey,
            400,
        ),
        (
            request_with(key, Some("Sec-WebSocket-Key: ####################====")),
            HandshakeError::InvalidKey,
            400,
        ),
        // 15 bytes (20 characters), and 17 bytes in 24 characters.
        (
            request_with(key, Some("Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2Rl")),
            HandshakeError::InvalidKey,
            400,
        ),
        (
            request_with(key, Some("Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZmc=")),
            HandshakeError::InvalidKey,
            400,
        ),
        // A 40-character key (30 bytes): embedded-websocket 0.9 would panic on it.
        (request_with(key, Some(forty)), HandshakeError::InvalidKey, 400),
    ];
    for (bytes, error, status) in cases {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert_eq!(parse_request(&bytes, MAX), Err(error), "{text}");
        assert_eq!(error.status(), status, "{text}");
    }
}

#[test]
fn head_too_long() {
    // Incomplete within the limit, then over it.
    let head = b"GET /chat HTTP/1.1\r\nHost: a\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa";
    assert_eq!(parse_request(head, head.len()), Ok(Parsed::Incomplete));
    assert_eq!(parse_request(head, head.len() - 1), Err(HandshakeError::HeadTooLong));
    // A complete request longer than the limit.
    assert_eq!(parse_request(RFC_REQUEST, RFC_REQUEST.len() - 1), Err(HandshakeError::HeadTooLong));
    assert_eq!(HandshakeError::HeadTooLong.status(), 431);
    // Exactly at the limit.
    assert!(matches!(parse_request(RFC_REQUEST, RFC_REQUEST.len()), Ok(Parsed::Upgrade { .. })));
}

#[test]
fn accept_responses() {
    let (request, _) = upgrade(RFC_REQUEST);
    let mut out = PipeBuf::<u8>::new();
    let len = write_accept(&mut out.wr(), &request, Some("chat")).unwrap();
    let expected: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
        Upgrade: websocket\r\n\
        Connection: Upgrade\r\n\
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
        Sec-WebSocket-Protocol: chat\r\n\r\n";
    assert_eq!(out.rd().data(), expected);
    assert_eq!(len, expected.len());

    let mut out = PipeBuf::<u8>::new();
    write_accept(&mut out.wr(), &request, None).unwrap();
    assert_eq!(
        out.rd().data(),
        &b"HTTP/1.1 101 Switching Protocols\r\n\
        Upgrade: websocket\r\n\
        Connection: Upgrade\r\n\
        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"[..]
    );
}

#[test]
fn subprotocol_selection() {
    let (request, _) = upgrade(RFC_REQUEST);
    // The server picks the first of its own that the client offers.
    let ours = ["superchat", "chat"];
    let chosen = ours.into_iter().find(|p| request.protocols().iter().any(|o| o == p));
    assert_eq!(chosen, Some("superchat"));
    let mut out = PipeBuf::<u8>::new();
    assert_eq!(
        write_accept(&mut out.wr(), &request, Some("mqtt")),
        Err(WriteError::ProtocolNotOffered)
    );
    // Protocol names are tokens, compared exactly.
    assert_eq!(
        write_accept(&mut out.wr(), &request, Some("Chat")),
        Err(WriteError::ProtocolNotOffered)
    );
    assert!(out.rd().data().is_empty());
    write_accept(&mut out.wr(), &request, chosen).unwrap();
    assert!(out.rd().data().ends_with(b"Sec-WebSocket-Protocol: superchat\r\n\r\n"));
}

#[test]
fn rejection_responses() {
    let cases: [(HandshakeError, &[u8]); 4] = [
        (
            HandshakeError::InvalidKey,
            b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        ),
        (
            HandshakeError::Method,
            b"HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        ),
        (
            HandshakeError::Version,
            b"HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
              Connection: close\r\nContent-Length: 0\r\n\r\n",
        ),
        (
            HandshakeError::HeadTooLong,
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n\
              Connection: close\r\nContent-Length: 0\r\n\r\n",
        ),
    ];
    for (error, expected) in cases {
        let mut out = PipeBuf::<u8>::new();
        assert_eq!(write_rejection(&mut out.wr(), &error), Ok(expected.len()));
        assert_eq!(out.rd().data(), expected, "{error}");
    }
}

#[test]
fn no_space_writes_nothing() {
    let mut out = PipeBuf::<u8>::with_fixed_capacity(16);
    let required =
        b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".len();
    assert_eq!(
        write_rejection(&mut out.wr(), &HandshakeError::MissingKey),
        Err(WriteError::NoSpace { required })
    );
    assert!(out.rd().data().is_empty());
}

fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}

#[test]
fn display_is_lower_case() {
    let errors = [
        HandshakeError::HeadTooLong,
        HandshakeError::Method,
        HandshakeError::HttpVersion,
        HandshakeError::Connection,
        HandshakeError::MissingHost,
        HandshakeError::HeaderEncoding,
        HandshakeError::Version,
        HandshakeError::MissingKey,
        HandshakeError::DuplicateKey,
        HandshakeError::InvalidKey,
    ];
    for error in errors {
        let text = error.to_string();
        assert!(text.chars().next().unwrap().is_lowercase(), "{text}");
        assert!(!text.ends_with('.'), "{text}");
    }
    assert_eq!(HandshakeError::DuplicateKey.to_string(), "duplicate sec-websocket-key header");
    assert_error::<HandshakeError>();
    assert_error::<WriteError>();
}
