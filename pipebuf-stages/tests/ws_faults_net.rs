//! Protocol violations sent as raw bytes over TCP to the echo server on 127.0.0.1: each gets
//! the right close code (or HTTP status) on the wire, the server reports the typed error, and
//! keeps serving the connections that follow.
#![cfg(all(feature = "websocket", feature = "mio", feature = "rustls"))]

#[path = "common/net.rs"]
mod net;
#[path = "common/rng.rs"]
mod rng;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/ws_frames.rs"]
mod ws_frames;
#[path = "common/ws_server.rs"]
mod ws_server;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use pipebuf_stages::websocket::WebsocketServer;
use ws_frames::{UPGRADE, client_frame as frame};
use ws_server::{EchoServer, Outcome};

/// Sends `bytes` on a new connection, then reads until the server closes; returns all it got.
fn exchange(server: &EchoServer, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    stream.write_all(bytes).expect("write");
    let mut got = Vec::new();
    // A reset after the server's last bytes is fine: they were read before it.
    let _ = stream.read_to_end(&mut got);
    let _ = stream.shutdown(Shutdown::Both);
    got
}

#[test]
fn each_violation_gets_its_close_code_and_the_server_serves_on() {
    let server = EchoServer::start(None, || WebsocketServer::new().with_max_message(1000));
    let cases: [(&str, Vec<u8>, u16, &str); 6] = [
        ("unmasked", ws_frames::server_frame(0x81, b"x"), 1002, "unmasked frame from a client"),
        ("rsv1", frame(0xC1, b"x"), 1002, "reserved bits"),
        ("opcode 3", frame(0x83, b""), 1002, "reserved opcode 0x3"),
        ("bad utf-8", frame(0x81, b"\xff"), 1007, "invalid utf-8"),
        ("too big", frame(0x82, &[0; 1001]), 1009, "over the 1000-byte limit"),
        ("bad close code", frame(0x88, &1005u16.to_be_bytes()), 1002, "invalid close code 1005"),
    ];
    for (i, (name, bad, code, error)) in cases.iter().enumerate() {
        let mut bytes = UPGRADE.to_vec();
        // A good message first: the failure comes in the same read, before its echo can go.
        bytes.extend_from_slice(&frame(0x81, b"first"));
        bytes.extend_from_slice(bad);
        let got = exchange(&server, &bytes);
        assert!(got.starts_with(b"HTTP/1.1 101 "), "{name}: {got:?}");
        // The server's last frame: Close, with the code of the violation.
        let [high, low] = code.to_be_bytes();
        assert!(got.ends_with(&[0x88, 2, high, low]), "{name}: {got:?}");
        let outcomes = server.wait_for(i + 1, Duration::from_secs(5));
        match outcomes.get(i) {
            Some(Outcome::Failed(text)) => assert!(text.contains(error), "{name}: {text}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    // A well-behaved client after all of them.
    let mut bytes = UPGRADE.to_vec();
    bytes.extend_from_slice(&frame(0x82, b"still here"));
    bytes.extend_from_slice(&frame(0x88, &1000u16.to_be_bytes()));
    let got = exchange(&server, &bytes);
    assert!(got.windows(10).any(|w| w == b"still here"));
}

#[test]
fn bad_handshakes_get_their_status() {
    let server = EchoServer::start(None, WebsocketServer::new);
    let long_key = UPGRADE
        .split(|&b| b == b'\n')
        .map(|line| {
            if line.starts_with(b"Sec-WebSocket-Key") {
                b"Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r".to_vec()
            } else {
                line.to_vec()
            }
        })
        .collect::<Vec<_>>()
        .join(&b'\n');
    let cases: [(&[u8], &str); 3] = [
        (&long_key, "HTTP/1.1 400 "),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 426 "),
        (b"\x16\x03\x01\x02\x00garbage that is not http\r\n\r\n", "HTTP/1.1 426 "),
    ];
    for (i, (request, status)) in cases.iter().enumerate() {
        let got = exchange(&server, request);
        assert!(got.starts_with(status.as_bytes()), "{}", String::from_utf8_lossy(&got));
        let outcomes = server.wait_for(i + 1, Duration::from_secs(5));
        assert!(matches!(outcomes.get(i), Some(Outcome::Failed(_))), "{outcomes:?}");
    }
    // The handshake one byte at a time.
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    for byte in UPGRADE {
        stream.write_all(&[*byte]).expect("write");
    }
    let mut got = [0; 12];
    stream.read_exact(&mut got).expect("read");
    assert_eq!(&got, b"HTTP/1.1 101");
}
