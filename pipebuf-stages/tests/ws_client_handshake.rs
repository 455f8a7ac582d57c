//! `websocket::ClientRequest`, `write_request` and `parse_response`: the request byte for byte
//! and as httparse reads it, a round trip through the server side, responses split at every
//! byte, each refusal, injection attempts, and arbitrary bytes.

#![cfg(feature = "websocket")]

use pipebuf::PipeBuf;
use pipebuf_stages::websocket::{
    ClientRequest, Parsed, RequestField, Response, ResponseError, WriteError, parse_request,
    parse_response, write_accept, write_request,
};
use proptest::prelude::*;

const MAX: usize = 4096;

/// The nonce whose base64 is RFC 6455's sample key, `dGhlIHNhbXBsZSBub25jZQ==`.
const KEY: &[u8; 16] = b"the sample nonce";

/// The answer to [`KEY`], from RFC 6455, section 1.3.
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

fn rfc_request() -> ClientRequest {
    ClientRequest::new("server.example.com", "/chat")
        .with_origin("http://example.com")
        .with_protocol("chat")
        .with_protocol("superchat")
}

/// Writes `request` into a fresh buffer and returns the bytes.
fn written(request: &ClientRequest, key: &[u8; 16]) -> Result<Vec<u8>, WriteError> {
    let mut out = PipeBuf::<u8>::new();
    let len = write_request(&mut out.wr(), request, key)?;
    let bytes = out.rd().data().to_vec();
    assert_eq!(len, bytes.len());
    Ok(bytes)
}

/// A valid `101` answer to [`KEY`] with the headers in `extra` after those of the handshake.
fn answer(extra: &[&str]) -> Vec<u8> {
    answer_with(&[], extra)
}

/// A `101` answer to [`KEY`] without the handshake headers named in `remove`, and with `extra`.
fn answer_with(remove: &[&str], extra: &[&str]) -> Vec<u8> {
    let accept = format!("Sec-WebSocket-Accept: {ACCEPT}");
    let base = ["Upgrade: websocket", "Connection: Upgrade", &accept];
    let mut out = String::from("HTTP/1.1 101 Switching Protocols\r\n");
    for line in base.iter().filter(|line| !remove.iter().any(|r| line.starts_with(r))) {
        out.push_str(line);
        out.push_str("\r\n");
    }
    for line in extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// The subprotocol, headers and head length of an accepted response.
type Accepted = (Option<String>, Vec<(String, Vec<u8>)>, usize);

fn accepted(bytes: &[u8], request: &ClientRequest) -> Accepted {
    match parse_response(bytes, request, KEY, MAX) {
        Ok(Response::Accepted { protocol, headers, len }) => (protocol, headers, len),
        other => panic!("expected acceptance, got {other:?}"),
    }
}

#[test]
fn request_matches_rfc_example() {
    let bytes = written(&rfc_request(), KEY).unwrap();
    // RFC 6455, section 1.3, with its headers in our order.
    let expected: &[u8] = b"GET /chat HTTP/1.1\r\n\
        Host: server.example.com\r\n\
        Upgrade: websocket\r\n\
        Connection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n\
        Origin: http://example.com\r\n\
        Sec-WebSocket-Protocol: chat, superchat\r\n\r\n";
    assert_eq!(String::from_utf8_lossy(&bytes), String::from_utf8_lossy(expected));
}

#[test]
fn request_as_httparse_reads_it() {
    let request = rfc_request()
        .with_header("Authorization", "Bearer a.b.c")
        .with_header("Cookie", "a=1; b=2")
        .with_header("X-Empty", "")
        .with_header("X-Tab", "a\tb");
    let bytes = written(&request, KEY).unwrap();
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut parsed = httparse::Request::new(&mut headers);
    assert_eq!(parsed.parse(&bytes), Ok(httparse::Status::Complete(bytes.len())));
    assert_eq!(parsed.method, Some("GET"));
    assert_eq!(parsed.path, Some("/chat"));
    assert_eq!(parsed.version, Some(1));
    let got: Vec<(&str, &[u8])> = parsed.headers.iter().map(|h| (h.name, h.value)).collect();
    let want: [(&str, &[u8]); 11] = [
        ("Host", b"server.example.com"),
        ("Upgrade", b"websocket"),
        ("Connection", b"Upgrade"),
        ("Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", b"13"),
        ("Origin", b"http://example.com"),
        ("Sec-WebSocket-Protocol", b"chat, superchat"),
        ("Authorization", b"Bearer a.b.c"),
        ("Cookie", b"a=1; b=2"),
        ("X-Empty", b""),
        ("X-Tab", b"a\tb"),
    ];
    assert_eq!(got, want);
}

#[test]
fn round_trip_through_server_side() {
    let request = rfc_request().with_header("Cookie", "session=1");
    let key = [0x5a; 16];
    let mut wire = PipeBuf::<u8>::new();
    write_request(&mut wire.wr(), &request, &key).unwrap();

    let bytes = wire.rd().data().to_vec();
    let Ok(Parsed::Upgrade { request: seen, len }) = parse_request(&bytes, MAX) else {
        panic!("server refused {:?}", String::from_utf8_lossy(&bytes));
    };
    assert_eq!(len, bytes.len());
    assert_eq!(seen.host(), "server.example.com");
    assert_eq!(seen.path(), "/chat");
    assert_eq!(seen.origin(), Some("http://example.com"));
    assert_eq!(seen.protocols(), ["chat", "superchat"]);
    assert_eq!(seen.header("cookie"), Some(&b"session=1"[..]));

    for chosen in [None, Some("superchat")] {
        let mut back = PipeBuf::<u8>::new();
        write_accept(&mut back.wr(), &seen, chosen).unwrap();
        let reply = back.rd().data().to_vec();
        let Ok(Response::Accepted { protocol, headers, len }) =
            parse_response(&reply, &request, &key, MAX)
        else {
            panic!("client refused {:?}", String::from_utf8_lossy(&reply));
        };
        assert_eq!(protocol.as_deref(), chosen);
        assert_eq!(len, reply.len());
        assert_eq!(headers[0], ("Upgrade".into(), b"websocket".to_vec()));
        // Another key does not match the server's answer.
        assert_eq!(
            parse_response(&reply, &request, &[0; 16], MAX),
            Err(ResponseError::WrongAccept)
        );
    }
}

#[test]
fn rfc_sample_accept() {
    let bytes = answer(&[]);
    let (protocol, headers, len) = accepted(&bytes, &ClientRequest::new("a", "/"));
    assert_eq!((protocol, len), (None, bytes.len()));
    assert_eq!(headers[2], ("Sec-WebSocket-Accept".into(), ACCEPT.as_bytes().to_vec()));
}

#[test]
fn split_at_every_byte() {
    let request = rfc_request();
    let bytes = answer(&["Sec-WebSocket-Protocol: chat"]);
    for cut in 0..bytes.len() {
        assert_eq!(parse_response(&bytes[..cut], &request, KEY, MAX), Ok(Response::Incomplete));
    }
    let (protocol, _, len) = accepted(&bytes, &request);
    assert_eq!((protocol.as_deref(), len), (Some("chat"), bytes.len()));
}

#[test]
fn frames_after_head_are_left() {
    let head = answer(&[]);
    let mut bytes = head.clone();
    bytes.extend_from_slice(b"\x81\x05Hello\x88\x00");
    let (_, _, len) = accepted(&bytes, &ClientRequest::new("a", "/"));
    assert_eq!(len, head.len());
    assert_eq!(&bytes[len..], b"\x81\x05Hello\x88\x00");
}

#[test]
fn lists_and_case() {
    let bytes = b"HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nCONNECTION: keep-alive, UPGRADE\r\n\
        sec-websocket-accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n\r\n";
    let (protocol, _, len) = accepted(bytes, &ClientRequest::new("a", "/"));
    assert_eq!((protocol, len), (None, bytes.len()));
    // The token may come in a second header of the same name.
    let two = answer_with(&["Connection"], &["Connection: keep-alive", "Connection: upgrade"]);
    accepted(&two, &ClientRequest::new("a", "/"));
}

#[test]
fn errors() {
    let offers = rfc_request();
    let none = ClientRequest::new("a", "/");
    let cases: Vec<(Vec<u8>, &ClientRequest, ResponseError)> = vec![
        (b"SSH-2.0-OpenSSH_9.6\r\n".to_vec(), &none, ResponseError::Malformed),
        (b"HTTP/1.1 1O1 x\r\n\r\n".to_vec(), &none, ResponseError::Malformed),
        (b"HTTP/1.1 200 OK\r\n\r\n".to_vec(), &none, ResponseError::Status(200)),
        (
            b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n\r\n".to_vec(),
            &none,
            ResponseError::Status(302),
        ),
        (b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(), &none, ResponseError::Status(100)),
        (
            answer(&[])
                .strip_prefix(b"HTTP/1.1")
                .map(|rest| [b"HTTP/1.0".as_slice(), rest].concat())
                .unwrap(),
            &none,
            ResponseError::HttpVersion,
        ),
        (answer_with(&["Upgrade"], &[]), &none, ResponseError::Upgrade),
        (answer_with(&["Upgrade"], &["Upgrade: h2c"]), &none, ResponseError::Upgrade),
        (answer_with(&["Upgrade"], &["Upgrade: websockets"]), &none, ResponseError::Upgrade),
        (answer_with(&["Connection"], &[]), &none, ResponseError::Connection),
        (
            answer_with(&["Connection"], &["Connection: keep-alive"]),
            &none,
            ResponseError::Connection,
        ),
        (answer_with(&["Sec-WebSocket-Accept"], &[]), &none, ResponseError::MissingAccept),
        (
            answer(&[&format!("Sec-WebSocket-Accept: {ACCEPT}")]),
            &none,
            ResponseError::DuplicateAccept,
        ),
        (
            answer_with(
                &["Sec-WebSocket-Accept"],
                &["Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ=="],
            ),
            &none,
            ResponseError::WrongAccept,
        ),
        (
            answer(&["Sec-WebSocket-Extensions: permessage-deflate"]),
            &offers,
            ResponseError::ExtensionNotOffered,
        ),
        (answer(&["Sec-WebSocket-Extensions: "]), &none, ResponseError::ExtensionNotOffered),
        (
            answer(&["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"]),
            &offers,
            ResponseError::DuplicateProtocol,
        ),
        (answer(&["Sec-WebSocket-Protocol: chat"]), &none, ResponseError::ProtocolNotOffered),
        (answer(&["Sec-WebSocket-Protocol: Chat"]), &offers, ResponseError::ProtocolNotOffered),
        (
            answer(&["Sec-WebSocket-Protocol: chat, superchat"]),
            &offers,
            ResponseError::ProtocolNotOffered,
        ),
    ];
    for (bytes, request, error) in cases {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert_eq!(parse_response(&bytes, request, KEY, MAX), Err(error), "{text}");
    }

    // Header values that are not UTF-8, which httparse lets through as obs-text.
    let mut bad = answer_with(&["Sec-WebSocket-Accept"], &[]);
    bad.truncate(bad.len() - 2);
    bad.extend_from_slice(b"Sec-WebSocket-Accept: \xff\xfe\r\n\r\n");
    assert_eq!(parse_response(&bad, &none, KEY, MAX), Err(ResponseError::HeaderEncoding));
    let mut bad = answer(&[]);
    bad.truncate(bad.len() - 2);
    bad.extend_from_slice(b"Sec-WebSocket-Protocol: \xc3\x28\r\n\r\n");
    assert_eq!(parse_response(&bad, &offers, KEY, MAX), Err(ResponseError::HeaderEncoding));
}

#[test]
fn too_many_headers() {
    let padding: Vec<String> = (0..64).map(|i| format!("X-Pad-{i}: {i}")).collect();
    let padding: Vec<&str> = padding.iter().map(String::as_str).collect();
    let bytes = answer(&padding);
    let none = ClientRequest::new("a", "/");
    assert_eq!(parse_response(&bytes, &none, KEY, MAX), Err(ResponseError::TooManyHeaders));
    // 61 extra headers and the 3 of the handshake make 64, which is allowed.
    let bytes = answer(&padding[..61]);
    assert_eq!(accepted(&bytes, &none).1.len(), 64);
}

#[test]
fn head_too_long() {
    let none = ClientRequest::new("a", "/");
    let partial = b"HTTP/1.1 101 Switching Protocols\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa";
    assert_eq!(parse_response(partial, &none, KEY, partial.len()), Ok(Response::Incomplete));
    assert_eq!(
        parse_response(partial, &none, KEY, partial.len() - 1),
        Err(ResponseError::HeadTooLong)
    );
    // A complete head longer than the limit, then one exactly at it.
    let bytes = answer(&[]);
    assert_eq!(
        parse_response(&bytes, &none, KEY, bytes.len() - 1),
        Err(ResponseError::HeadTooLong)
    );
    assert_eq!(accepted(&bytes, &none).2, bytes.len());
    assert!(matches!(
        parse_response(&bytes, &none, KEY, bytes.len()),
        Ok(Response::Accepted { .. })
    ));
    assert_eq!(parse_response(b"", &none, KEY, 0), Ok(Response::Incomplete));
}

#[test]
fn injection_is_refused() {
    let base = || ClientRequest::new("a", "/");
    let cases: Vec<(ClientRequest, RequestField)> = vec![
        (ClientRequest::new("", "/"), RequestField::Host),
        (ClientRequest::new("a\r\nX-Evil: 1", "/"), RequestField::Host),
        (ClientRequest::new("a\n", "/"), RequestField::Host),
        (ClientRequest::new("a\0", "/"), RequestField::Host),
        (ClientRequest::new("a b", "/"), RequestField::Host),
        (ClientRequest::new("bücher.example", "/"), RequestField::Host),
        (ClientRequest::new("a", ""), RequestField::Path),
        (ClientRequest::new("a", "chat"), RequestField::Path),
        (ClientRequest::new("a", "http://a/chat"), RequestField::Path),
        (ClientRequest::new("a", "/ HTTP/1.1\r\nX-Evil: 1\r\n\r\nGET /"), RequestField::Path),
        (ClientRequest::new("a", "/a b"), RequestField::Path),
        (ClientRequest::new("a", "/a\0"), RequestField::Path),
        (ClientRequest::new("a", "/chat#top"), RequestField::Path),
        (ClientRequest::new("a", "/é"), RequestField::Path),
        (base().with_origin(""), RequestField::Origin),
        (base().with_origin("http://a\r\nX-Evil: 1"), RequestField::Origin),
        (base().with_protocol(""), RequestField::Protocol(0)),
        (base().with_protocol("a, b"), RequestField::Protocol(0)),
        (base().with_protocol("chat").with_protocol("x\r\nX-Evil: 1"), RequestField::Protocol(1)),
        (base().with_protocol("chat").with_protocol("chat"), RequestField::Protocol(1)),
        (base().with_protocol("a/b"), RequestField::Protocol(0)),
        (base().with_header("", "v"), RequestField::HeaderName(0)),
        (base().with_header("X: y\r\nZ", "v"), RequestField::HeaderName(0)),
        (base().with_header("X Y", "v"), RequestField::HeaderName(0)),
        (base().with_header("X:", "v"), RequestField::HeaderName(0)),
        (
            base().with_header("Ok", "1").with_header("sec-websocket-key", "k"),
            RequestField::HeaderName(1),
        ),
        (base().with_header("Content-Length", "5"), RequestField::HeaderName(0)),
        (base().with_header("TRANSFER-ENCODING", "chunked"), RequestField::HeaderName(0)),
        (base().with_header("Host", "b"), RequestField::HeaderName(0)),
        (base().with_header("Sec-WebSocket-Extensions", "x"), RequestField::HeaderName(0)),
        (base().with_header("X", "a\r\nX-Evil: 1"), RequestField::HeaderValue(0)),
        (base().with_header("X", "a\n"), RequestField::HeaderValue(0)),
        (base().with_header("X", "a\r"), RequestField::HeaderValue(0)),
        (base().with_header("X", "a\0b"), RequestField::HeaderValue(0)),
        (base().with_header("X", "a\x7f"), RequestField::HeaderValue(0)),
        // The first invalid field in the order of the request is reported.
        (ClientRequest::new("a", "x").with_origin("").with_header("", ""), RequestField::Path),
    ];
    for (request, field) in cases {
        let mut out = PipeBuf::<u8>::new();
        assert_eq!(
            write_request(&mut out.wr(), &request, KEY),
            Err(WriteError::InvalidField(field)),
            "{request:?}"
        );
        assert!(out.rd().data().is_empty(), "{request:?}");
    }
}

#[test]
fn valid_fields_are_accepted() {
    let request = ClientRequest::new("[::1]:8080", "/a/b?c=d&e=%20")
        .with_origin("null")
        .with_protocol("v1.chat.example.com")
        .with_protocol("!#$%&'*+-.^_`|~")
        .with_header("X-Unicode", "naïve")
        .with_header("X-Spaces", "  a  b  ");
    let bytes = written(&request, KEY).unwrap();
    assert!(matches!(parse_request(&bytes, MAX), Ok(Parsed::Upgrade { .. })));
}

#[test]
fn no_space_writes_nothing() {
    let request = rfc_request();
    let whole = written(&request, KEY).unwrap();
    let mut out = PipeBuf::<u8>::new();
    out.set_limit(Some(whole.len() - 1));
    assert_eq!(
        write_request(&mut out.wr(), &request, KEY),
        Err(WriteError::NoSpace { required: whole.len() })
    );
    assert!(out.rd().data().is_empty());
}

#[test]
fn builder_getters() {
    let request = rfc_request().with_header("Cookie", "a=1");
    assert_eq!(request.host(), "server.example.com");
    assert_eq!(request.path(), "/chat");
    assert_eq!(request.origin(), Some("http://example.com"));
    assert_eq!(request.protocols(), ["chat", "superchat"]);
    assert_eq!(request.headers(), [("Cookie".to_string(), "a=1".to_string())]);
    assert_eq!(ClientRequest::new("a", "/").origin(), None);
}

#[test]
fn error_messages() {
    fn assert_error<E: core::error::Error + Send + Sync + 'static>() {}
    assert_eq!(
        WriteError::InvalidField(RequestField::HeaderValue(2)).to_string(),
        "invalid value of header 2 in the upgrade request"
    );
    assert_eq!(
        ResponseError::Status(404).to_string(),
        "server answered the upgrade with status 404"
    );
    assert_eq!(ResponseError::TooManyHeaders.to_string(), "http response has more than 64 headers");
    assert_error::<ResponseError>();
    assert_error::<WriteError>();
}

/// A field that is usually valid (matching `valid`), so that whole requests often are, and
/// sometimes made of bytes that break requests.
fn field(valid: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![3 => valid, 1 => "[a/: \r\n\t\x00\x7fé#,]{0,8}"]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), max in 0usize..600) {
        let request = rfc_request();
        let _ = parse_response(&bytes, &request, KEY, max);
    }

    #[test]
    fn mutated_answers_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = answer(&["Sec-WebSocket-Protocol: chat"]);
        for (at, byte) in flips {
            *at.get_mut(&mut bytes) = byte;
        }
        let end = cut.index(bytes.len() + 1);
        let request = rfc_request();
        match parse_response(&bytes[..end], &request, KEY, MAX) {
            Ok(Response::Accepted { len, .. }) => prop_assert!(len <= end),
            Ok(Response::Incomplete) | Err(_) => {}
        }
    }

    #[test]
    fn arbitrary_fields_never_panic_nor_inject(
        host in field("[a-z0-9.:-]{1,8}"),
        path in field("/[a-z0-9/?=&%]{0,8}"),
        protocol in field("[a-z0-9.!#~]{1,6}"),
        name in field("[A-Za-z0-9-]{1,6}"),
        value in field("[ -~\t]{0,8}"),
    ) {
        let request = ClientRequest::new(host, path)
            .with_protocol(protocol)
            .with_header(name, value);
        let mut out = PipeBuf::<u8>::new();
        if write_request(&mut out.wr(), &request, KEY).is_ok() {
            // Whatever was accepted reads back, by the server side, as exactly what was asked.
            let bytes = out.rd().data().to_vec();
            let Ok(Parsed::Upgrade { request: seen, len }) = parse_request(&bytes, MAX) else {
                return Err(TestCaseError::fail(format!("server refused {bytes:?}")));
            };
            prop_assert_eq!(len, bytes.len());
            prop_assert_eq!(seen.path(), request.path());
            prop_assert_eq!(seen.host(), request.host());
            prop_assert_eq!(seen.protocols(), request.protocols());
            prop_assert_eq!(seen.headers().len(), 7);
        }
    }
}
