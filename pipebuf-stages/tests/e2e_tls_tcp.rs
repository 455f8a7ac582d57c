//! TLS over TCP as `#[pipeline]` straight chains (`tcp: TcpLink, tls: TlsServer` and
//! `tcp: TcpLink, tls: TlsClient`, the application on `tls.upper`) in a mio poll loop on
//! 127.0.0.1: our client against our server (handshake, echo, 64 MiB each way at once), our
//! server against `openssl s_client` and our client against `openssl s_server`, in TLS 1.2 and
//! 1.3, with clean closes, a killed peer, and the alert a client that is not speaking TLS gets
//! before the reset.

#![cfg(all(feature = "mio", feature = "rustls", unix))]

#[path = "common/net.rs"]
mod net;
#[path = "common/openssl.rs"]
mod openssl;
#[path = "common/tls.rs"]
mod tls;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use net::{Net, TlsClientSide, TlsServerSide, assert_bytes, pattern, tls_net};
use openssl::{Peer, TempDir, accept};
use pipebuf::PBufState;
use pipebuf_stages::{TcpLink, TlsClient, TlsServer};
use rustls::ProtocolVersion;

/// How long one test may take at most (the 64 MiB one takes longer in a debug build).
const TIMEOUT: Duration = Duration::from_secs(20);

/// The versions to run, as `tls::versions` and `openssl` name them, and as rustls reports them.
const VERSIONS: [(&str, &str, ProtocolVersion); 2] =
    [("1.3", "-tls1_3", ProtocolVersion::TLSv1_3), ("1.2", "-tls1_2", ProtocolVersion::TLSv1_2)];

#[test]
fn our_client_and_server_pipelines_handshake_and_echo_over_tcp() {
    for (version, _, protocol) in VERSIONS {
        let mut net = tls_net(version, TIMEOUT);
        net.b().echo = true;
        let hello = b"hello through TLS over TCP".to_vec();
        net.a.p.app().wr.append(&hello);
        net.until("the echo", |net| net.a.count == hello.len());
        assert_bytes(&net.a.received, &hello, "the echo");
        for (handshaking, got) in [
            (net.a.p.tls.is_handshaking(), net.a.p.tls.protocol_version()),
            (net.b().p.tls.is_handshaking(), net.b().p.tls.protocol_version()),
        ] {
            assert!(!handshaking);
            assert_eq!(got, Some(protocol));
        }
        assert_eq!(net.b().p.tls.server_name(), Some("localhost"));

        // The client's close is echoed: each side then sees a close.
        net.a.p.app().wr.close();
        net.until_ended();
        let report = net.report();
        assert_eq!((net.a.end, net.b().end), (Some(PBufState::Closed), Some(PBufState::Closed)));
        assert!(net.a.errors.is_empty() && net.b().errors.is_empty(), "{report}");
        assert!(
            net.a.p.tls.has_received_close_notify() && net.b().p.tls.has_received_close_notify()
        );
    }
}

#[test]
fn sixty_four_mib_each_way_at_once_through_tls_over_tcp() {
    const LEN: usize = 64 << 20;
    /// How far a sender may run ahead of what its peer received.
    const WINDOW: usize = 4 << 20;
    const CHUNK: usize = 256 << 10;
    let start = Instant::now();
    let mut net = tls_net("", TIMEOUT);
    // Bytes sent by the client (seed 10) and the server (seed 11), and checked on arrival.
    let (mut sent, mut checked) = ([0; 2], [0; 2]);
    net.until("64 MiB each way", |net| {
        for (i, from_client) in [(0, true), (1, false)] {
            let (from, to) = net.sides(from_client);
            while sent[i] < LEN && sent[i] < to.count() + WINDOW {
                let len = CHUNK.min(LEN - sent[i]);
                from.send(&pattern(10 + i as u64, sent[i], len));
                sent[i] += len;
            }
        }
        for (i, node_received) in
            [(1, &mut net.a.received), (0, &mut net.b.as_mut().unwrap().received)]
        {
            // What arrived from side `i`, checked against what it sent, then dropped.
            let want = pattern(10 + i as u64, checked[i], node_received.len());
            assert_bytes(node_received, &want, "the stream");
            checked[i] += node_received.len();
            node_received.clear();
        }
        checked == [LEN, LEN]
    });
    let report = net.report();
    assert_eq!((net.a.count, net.b().count), (LEN, LEN));
    assert!(net.a.errors.is_empty() && net.b().errors.is_empty(), "{report}");
    assert_eq!((net.a.end, net.b().end), (None, None));
    eprintln!("64 MiB each way through TLS over TCP in {:?}", start.elapsed());
}

/// Our server pipeline on the connection `openssl s_client` (with `flag`) makes to it, echoing.
fn server_for_s_client(flag: &str) -> (Net<TlsServerSide>, Peer, TempDir) {
    let dir = TempDir::new("e2e-server");
    let cert = tls::certificate();
    let cert_path = dir.write("cert.pem", &cert.cert.pem());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let child = Peer::spawn(&[
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
    let socket = accept(&listener, Instant::now() + TIMEOUT);
    let config = tls::server_config(&cert, tls::versions(""), &[]);
    let server = TlsServerSide::new(
        TcpLink::new(TcpStream::from_std(socket)),
        TlsServer::new(config).unwrap(),
    );
    let mut net = Net::new(server, None, TIMEOUT);
    net.a.echo = true;
    (net, child, dir)
}

#[test]
fn our_server_pipeline_echoes_to_openssl_s_client_and_sees_its_close_as_a_close() {
    for (_, flag, protocol) in VERSIONS {
        let (mut net, mut child, _dir) = server_for_s_client(flag);
        let line = b"hello from openssl\n";
        child.send(line);
        net.until("the echo at s_client", |_| child.output().contains("hello from openssl\n"));
        assert_bytes(&net.a.received, line, "what s_client sent");
        assert_eq!(net.a.p.tls.protocol_version(), Some(protocol));
        assert_eq!(net.a.p.tls.server_name(), Some("localhost"));
        // s_client's stdin ends: it sends `close_notify`, which is echoed back.
        child.close_stdin();
        net.until("s_client's close", |net| net.a.end.is_some());
        let report = net.report();
        assert_eq!(net.a.end, Some(PBufState::Closed), "{report}; openssl said {}", child.output());
        assert!(net.a.errors.is_empty(), "{report}");
        let deadline = Instant::now() + TIMEOUT;
        assert!(child.wait_success(deadline), "openssl said {}", child.output());
    }
}

#[test]
fn openssl_s_client_killed_is_an_abort_at_our_server_pipeline() {
    for (_, flag, _) in VERSIONS {
        let (mut net, mut child, _dir) = server_for_s_client(flag);
        child.send(b"ping\n");
        net.until("the echo at s_client", |_| child.output().contains("ping\n"));
        // kill -9: the kernel closes its socket with no `close_notify` before the FIN (or
        // with an RST, if data was left unread).
        child.kill();
        net.until("the end of s_client", |net| net.a.end.is_some());
        let report = net.report();
        assert_eq!(net.a.end, Some(PBufState::Aborted), "{report}");
        assert!(net.a.errors.is_empty(), "{report}");
        assert!(!net.a.p.tls.has_received_close_notify());
    }
}

#[test]
fn our_client_pipeline_talks_to_openssl_s_server_and_sees_its_close_as_a_close() {
    for (_, flag, protocol) in VERSIONS {
        let dir = TempDir::new("e2e-client");
        let cert = tls::certificate();
        let cert_path = dir.write("cert.pem", &cert.cert.pem());
        let key_path = dir.write("key.pem", &cert.key_pair.serialize_pem());
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
            Instant::now() + TIMEOUT,
        );
        let socket = TcpStream::connect(([127, 0, 0, 1], port).into()).unwrap();
        let config = tls::client_config(&[cert.cert.der()], tls::versions(""), &[]);
        let client = TlsClientSide::new(
            TcpLink::new(socket),
            TlsClient::new(config, "localhost".try_into().unwrap()).unwrap(),
        );
        let mut net: Net<TlsClientSide> = Net::new(client, None, TIMEOUT);
        net.a.p.app().wr.append(b"hello\n");
        // s_server reverses each line.
        net.until("the reversed line", |net| net.a.received.ends_with(b"olleh\n"));
        assert_bytes(&net.a.received, b"olleh\n", "the reversed line");
        assert_eq!(net.a.p.tls.protocol_version(), Some(protocol));
        // Our close: s_server answers with its own `close_notify`.
        net.a.p.app().wr.close();
        net.until("s_server's close", |net| net.a.end.is_some());
        let report = net.report();
        assert_eq!(net.a.end, Some(PBufState::Closed), "{report}; openssl said {}", child.output());
        assert!(net.a.errors.is_empty(), "{report}");
    }
}

/// A client that is not speaking TLS gets the server's alert on the wire before the connection
/// ends: the TLS stage writes the alert, then aborts, and the TCP link writes what the socket
/// takes at once before its reset.
#[test]
fn garbage_from_a_raw_tcp_client_gets_the_alert_before_the_reset() {
    use std::io::{Read, Write};

    let cert = tls::certificate();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let mut client = std::net::TcpStream::connect(listener.local_addr().expect("local address"))
        .expect("connect");
    let (server, _) = listener.accept().expect("accept");
    server.set_nonblocking(true).expect("non-blocking");
    let tls = TlsServer::new(tls::server_config(&cert, tls::versions(""), &[]))
        .expect("rustls accepts the server config");
    let mut net: Net<TlsServerSide> =
        Net::new(TlsServerSide::new(TcpLink::new(TcpStream::from_std(server)), tls), None, TIMEOUT);
    client.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("write");
    net.until("the server's error", |net| !net.a.errors.is_empty());
    let report = net.report();
    assert!(net.a.errors[0].contains("handshake"), "{report}");

    client.set_read_timeout(Some(Duration::from_secs(5))).expect("read timeout");
    let mut wire = Vec::new();
    let mut chunk = [0; 64];
    let end = loop {
        match client.read(&mut chunk) {
            Ok(0) => break "eof",
            Ok(len) => wire.extend_from_slice(&chunk[..len]),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => break "reset",
            Err(error) => panic!("reading the server's answer: {error}; {report}"),
        }
    };
    // One plaintext alert record: type 21, a TLS version, length 2, level fatal (2), and the
    // description; then the reset, never a clean end.
    assert_eq!(wire.len(), 7, "got {wire:?} then {end}; {report}");
    assert_eq!((wire[0], wire[3], wire[4], wire[5]), (21, 0, 2, 2), "got {wire:?}; {report}");
    assert_eq!(end, "reset", "got {wire:?} then {end}; {report}");
}
