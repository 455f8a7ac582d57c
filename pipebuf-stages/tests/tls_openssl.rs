//! The TLS stages against OpenSSL over real TCP on 127.0.0.1: our server against
//! `openssl s_client`, our client against `openssl s_server`, in TLS 1.2 and 1.3. The test drives
//! the socket itself, non-blocking, moving bytes between it and the stage's network end.

#![cfg(feature = "rustls")]

#[path = "common/openssl.rs"]
mod openssl;
#[path = "common/tls.rs"]
mod tls;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use openssl::{Peer, TempDir, accept};
use pipebuf::{PBufState, PipeBufPair, Stage};
use pipebuf_stages::{TlsClient, TlsClientPorts, TlsServer, TlsServerPorts};
use rustls::ProtocolVersion;

/// How long a test may take at most.
const DEADLINE: Duration = Duration::from_secs(20);

#[test]
fn our_server_talks_to_openssl_s_client() {
    for (flag, version) in
        [("-tls1_3", ProtocolVersion::TLSv1_3), ("-tls1_2", ProtocolVersion::TLSv1_2)]
    {
        let dir = TempDir::new("server");
        let cert = tls::certificate();
        let cert_path = dir.write("cert.pem", &cert.cert.pem());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut child = Peer::spawn(&[
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            flag,
            "-quiet",
            "-no_ign_eof",
            "-servername",
            "localhost",
            "-verify_return_error",
            "-CAfile",
            cert_path.to_str().unwrap(),
        ]);
        let start = Instant::now();
        let mut socket = accept(&listener, start + DEADLINE);

        let config = tls::server_config(&cert, tls::versions(""), &[]);
        let mut server = TlsServer::new(config).unwrap();
        let (mut net, mut app) = (PipeBufPair::new(), PipeBufPair::new());
        let mut received = Vec::new();
        child.send(b"hello from openssl\n");
        let mut stdin_closed = false;
        while !(app.up.state() == PBufState::Closed && net.down.state() == PBufState::Closed) {
            assert!(start.elapsed() < DEADLINE, "timed out; openssl said {}", child.output());
            pump(&mut socket, &mut net);
            let ports = TlsServerPorts { lower: net.upper(), upper: app.lower() };
            server
                .process(ports)
                .unwrap_or_else(|e| panic!("{e}: {:?}", std::error::Error::source(&e)));
            // Echo, end included.
            let mut end = app.upper();
            received.extend_from_slice(end.rd.data());
            end.rd.forward(end.wr.reborrow());
            // Once the echo is back, s_client's stdin ends: it sends `close_notify`.
            if !stdin_closed && child.output().contains("hello from openssl\n") {
                child.close_stdin();
                stdin_closed = true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(received, b"hello from openssl\n");
        assert!(server.has_received_close_notify());
        assert_eq!(server.protocol_version(), Some(version));
        assert_eq!(server.server_name(), Some("localhost"));
        assert!(child.wait_success(start + DEADLINE), "openssl said {}", child.output());
        let _ = socket.shutdown(Shutdown::Both);
    }
}

#[test]
fn our_client_talks_to_openssl_s_server() {
    for (flag, version) in
        [("-tls1_3", ProtocolVersion::TLSv1_3), ("-tls1_2", ProtocolVersion::TLSv1_2)]
    {
        let dir = TempDir::new("client");
        let cert = tls::certificate();
        let cert_path = dir.write("cert.pem", &cert.cert.pem());
        let key_path = dir.write("key.pem", &cert.key_pair.serialize_pem());
        let start = Instant::now();
        let (child, port) = Peer::s_server(
            &[
                flag,
                "-naccept",
                "1",
                "-rev",
                "-cert",
                cert_path.to_str().unwrap(),
                "-key",
                key_path.to_str().unwrap(),
            ],
            start + DEADLINE,
        );
        let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
        socket.set_nonblocking(true).unwrap();

        let config = tls::client_config(&[cert.cert.der()], tls::versions(""), &[]);
        let mut client = TlsClient::new(config, "localhost".try_into().unwrap()).unwrap();
        let (mut net, mut app) = (PipeBufPair::new(), PipeBufPair::new());
        app.upper().wr.append(b"hello\n");
        let mut received = Vec::new();
        while !app.up.state().is_eof() {
            assert!(start.elapsed() < DEADLINE, "timed out; openssl said {}", child.output());
            pump(&mut socket, &mut net);
            let ports = TlsClientPorts { lower: net.upper(), upper: app.lower() };
            client
                .process(ports)
                .unwrap_or_else(|e| panic!("{e}: {:?}", std::error::Error::source(&e)));
            let mut end = app.upper();
            received.extend_from_slice(end.rd.data());
            end.rd.consume(end.rd.len());
            // s_server reverses the line; then the client closes.
            if received.ends_with(b"olleh\n") && !end.wr.is_eof() {
                end.wr.close();
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(received, b"olleh\n");
        assert_eq!(client.protocol_version(), Some(version));
        assert!(!client.is_handshaking());
        assert_eq!(app.up.state(), PBufState::Closing, "openssl said {}", child.output());
        assert!(client.has_received_close_notify());
        let _ = socket.shutdown(Shutdown::Both);
    }
}

/// Moves bytes between a non-blocking socket and the transport's end of `net` (the stage has
/// `net.upper()`): what the socket reads goes up, FIN as close and errors as abort; what the
/// stage writes goes out, close as a write shutdown and abort as a full one.
fn pump(socket: &mut TcpStream, net: &mut PipeBufPair) {
    let mut end = net.lower();
    if !end.wr.is_eof() {
        let mut buf = [0; 16384];
        match socket.read(&mut buf) {
            Ok(0) => end.wr.close(),
            Ok(len) => end.wr.append(&buf[..len]),
            Err(error) if error.kind() == ErrorKind::WouldBlock => {}
            Err(_) => end.wr.abort(),
        }
    }
    while !end.rd.is_empty() {
        match socket.write(end.rd.data()) {
            Ok(len) => end.rd.consume(len),
            Err(error) if error.kind() == ErrorKind::WouldBlock => break,
            Err(_) => {
                end.rd.consume(end.rd.len());
                break;
            }
        }
    }
    if end.rd.is_empty() && end.rd.consume_eof() {
        let how = if end.rd.is_aborted() { Shutdown::Both } else { Shutdown::Write };
        let _ = socket.shutdown(how);
    }
}
