//! Temporary: the echo server runner compiles and serves one connection.
#![cfg(all(feature = "websocket", feature = "mio", feature = "rustls"))]
#[path = "common/net.rs"]
mod net;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/ws_server.rs"]
mod ws_server;

#[test]
fn raw_handshake_and_echo() {
    use std::io::{Read, Write};
    let server = ws_server::EchoServer::start(None, pipebuf_stages::websocket::WsServer::new);
    let mut s = std::net::TcpStream::connect(server.addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").unwrap();
    s.write_all(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]).unwrap();
    let mut buf = vec![0; 4096];
    let mut got = Vec::new();
    while !got.ends_with(b"Hello") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    s.write_all(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]).unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, [0x88, 0x02, 0x03, 0xe8]);
    drop(s);
    let outcomes = server.wait_for(1, std::time::Duration::from_secs(5));
    assert_eq!(outcomes, [ws_server::Outcome::Done(Some(1000))]);
}
