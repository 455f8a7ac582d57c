//! Faults: clients of the example's echo server (`wss::serve`, on `MioServer`) that vanish in the
//! middle of a frame or of a TLS record, reset, half-close, never finish their handshake, or send
//! garbage instead of TLS, and a server out of file descriptors. For each, over ws:// and wss:// where both apply, the server reports
//! the connection once with the right `Ended`, drops it (every connection opened has its report,
//! so none is left open), and serves the next client.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use common::{Reports, Server, Stream, Ws, echo_once, start_close};
use pipebuf_examples::wss::log_line;
use pipebuf_stages::{Ended, Report};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, RootCertStore, StreamOwned};
use tungstenite::Message;

/// The handshake timeout of `serve` (`MioServer`'s default). `serve` takes no other, so the test
/// waits the 10 s that the example's users get, alongside the other tests.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How late past its timeout the server may drop a connection: its sweep runs every second.
const SWEEP: Duration = Duration::from_secs(1);
/// How long a test waits for a report that is due now.
const SOON: Duration = Duration::from_secs(5);

#[test]
fn a_client_that_vanishes_mid_frame_ends_without_a_close() {
    for tls in [false, true] {
        let (server, reports) = start(tls);
        let mut ws = echoing(&server);
        // A binary frame of 1000 bytes, cut after its header and 500 of them; then a FIN.
        let frame = client_frame(0x2, &[7; 1000]);
        let stream = ws.get_mut();
        stream.write_all(&frame[..frame.len() / 2]).expect("write");
        stream.flush().expect("flush");
        drop(ws);
        expect_report(&reports, 1, &Ended::Done, "no close frame");
        serves_on(&server, &reports, 2);
    }
}

#[test]
fn a_client_that_vanishes_mid_tls_record_fails_the_tls_stage() {
    let (server, reports) = start(true);
    let mut ws = echoing(&server);
    let Stream::Tls(tls) = ws.get_mut() else { unreachable!("a wss client") };
    tls.conn.writer().write_all(&client_frame(0x1, b"cut short")).expect("plaintext");
    let mut records = Vec::new();
    tls.conn.write_tls(&mut records).expect("records");
    tls.sock.write_all(&records[..records.len() / 2]).expect("write");
    drop(ws);
    let report = &reports.wait_for(1, SOON)[0];
    assert_failed(report, "stage `tls` failed: transport closed inside a tls record");
    serves_on(&server, &reports, 2);
}

#[test]
fn a_client_that_resets_ends_without_a_close() {
    for tls in [false, true] {
        let (server, reports) = start(tls);
        let mut ws = echoing(&server);
        // A message whose echo meets the reset, then SO_LINGER 0 and a close: an RST.
        ws.send(Message::binary(vec![1; 100_000])).expect("send");
        socket2::SockRef::from(ws.get_ref().tcp())
            .set_linger(Some(Duration::ZERO))
            .expect("SO_LINGER");
        drop(ws);
        expect_report(&reports, 1, &Ended::Done, "no close frame");
        serves_on(&server, &reports, 2);
    }
}

#[test]
fn a_half_closed_client_gets_its_echoes_and_the_close() {
    for tls in [false, true] {
        let (server, reports) = start(tls);
        let mut ws = server.connect();
        let message = Message::text("é".repeat(50_000));
        ws.send(message.clone()).expect("send");
        start_close(&mut ws);
        // Nothing more from the client (TLS `close_notify`, then FIN) before it reads a byte.
        ws.get_mut().finish();
        assert_eq!(ws.read().expect("the echo"), message);
        expect_closed_after_finish(&mut ws);
        expect_report(&reports, 1, &Ended::Done, "close 1000 from the client");
        serves_on(&server, &reports, 2);
    }
}

#[test]
fn a_half_closed_client_without_a_close_frame_gets_its_echo_and_no_close() {
    for tls in [false, true] {
        let (server, reports) = start(tls);
        let mut ws = server.connect();
        let message = Message::binary(vec![5; 30_000]);
        ws.send(message.clone()).expect("send");
        ws.get_mut().tcp().shutdown(Shutdown::Write).expect("shutdown");
        assert_eq!(ws.read().expect("the echo"), message);
        // The end of the stream before a Close frame is an abnormal end (RFC 6455, 7.1.5,
        // code 1006): the server ends the connection with no Close frame of its own, and with
        // an abort (RST), which drops what the socket has not taken yet; this echo is small
        // enough to be taken at once.
        match ws.read() {
            Err(
                tungstenite::Error::Protocol(
                    tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                )
                | tungstenite::Error::Io(_),
            ) => {}
            other => panic!("expected the end of the connection, got {other:?}"),
        }
        expect_report(&reports, 1, &Ended::Done, "no close frame");
        serves_on(&server, &reports, 2);
    }
}

#[test]
fn handshakes_that_never_finish_time_out_while_others_are_served() {
    let (plain, plain_reports) = start(false);
    let (secure, secure_reports) = start(true);
    let started = Instant::now();
    // Stalled: half an upgrade request; nothing at all; half a TLS ClientHello; a complete TLS
    // handshake and half an upgrade request inside it.
    let mut stalled = Vec::new();
    let mut half_request = plain.tcp();
    half_request.write_all(&UPGRADE[..UPGRADE.len() / 2]).expect("write");
    stalled.push(Stream::Plain(half_request));
    stalled.push(Stream::Plain(plain.tcp()));
    let mut half_hello = secure.tcp();
    let hello = client_hello();
    half_hello.write_all(&hello[..hello.len() / 2]).expect("write");
    stalled.push(Stream::Plain(half_hello));
    let mut tls = tls_stream(&secure);
    tls.write_all(&UPGRADE[..UPGRADE.len() / 2]).expect("write");
    tls.flush().expect("flush");
    stalled.push(Stream::Tls(tls));

    // Meanwhile the servers serve others.
    for server in [&plain, &secure] {
        echo_once(server, &Message::text("not stalled"));
    }
    let mut ended = plain_reports.wait_for(3, HANDSHAKE_TIMEOUT + 2 * SWEEP + SOON);
    ended.extend(secure_reports.wait_for(3, HANDSHAKE_TIMEOUT + 2 * SWEEP + SOON));
    let elapsed = started.elapsed();
    let timed_out: Vec<&Report> =
        ended.iter().filter(|report| report.ended == Ended::HandshakeTimeout).collect();
    assert_eq!(timed_out.len(), 4, "{:?}", ended.iter().map(log_line).collect::<Vec<_>>());
    for report in timed_out {
        assert!(report.duration >= HANDSHAKE_TIMEOUT, "{}", log_line(report));
        assert!(report.duration <= HANDSHAKE_TIMEOUT + 2 * SWEEP, "{}", log_line(report));
        assert!(log_line(report).contains("handshake timeout (no handshake)"));
    }
    eprintln!("four stalled handshakes timed out, all within {elapsed:?}");
    // The server closed each stalled connection: its client reads the end, not its own timeout.
    for mut stream in stalled {
        let mut byte = [0; 1];
        match stream.read(&mut byte) {
            Ok(0) => {}
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::UnexpectedEof) => {
            }
            other => panic!("expected the end of the stalled connection, got {other:?}"),
        }
    }
    serves_on(&plain, &plain_reports, 4);
    serves_on(&secure, &secure_reports, 4);
}

#[test]
fn garbage_instead_of_tls_fails_the_tls_stage() {
    let (server, reports) = start(true);
    let mut noise = [0u8; 1024];
    let mut x = 0x9e37_79b9_u32;
    for byte in &mut noise {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *byte = x.to_le_bytes()[0];
    }
    for (i, garbage) in [UPGRADE, &noise[..]].into_iter().enumerate() {
        let mut tcp = server.tcp();
        tcp.write_all(garbage).expect("write");
        // What comes back (a TLS alert at most) and then the end; never an HTTP answer.
        let mut got = Vec::new();
        let _ = tcp.read_to_end(&mut got);
        assert!(got.is_empty() || got[0] == 0x15, "not a TLS alert: {got:?}");
        let report = &reports.wait_for(i + 1, SOON)[i];
        assert_failed(report, "stage `tls` failed: ");
    }
    serves_on(&server, &reports, 3);
}

#[test]
fn tls_to_a_plain_server_is_refused_with_426() {
    let (server, reports) = start(false);
    let mut tcp = server.tcp();
    tcp.write_all(&client_hello()).expect("write");
    let mut got = Vec::new();
    let _ = tcp.read_to_end(&mut got);
    assert!(got.starts_with(b"HTTP/1.1 426 "), "{}", String::from_utf8_lossy(&got));
    let report = &reports.wait_for(1, SOON)[0];
    assert_failed(report, "stage `ws` failed: ");
    serves_on(&server, &reports, 2);
}

/// Out of file descriptors: while a connection waits in the listen queue that the server cannot
/// accept (`EMFILE`), the server goes on serving the connections it has, and accepts the waiting
/// one once a descriptor is free. The test lowers the process's limit, so it runs in a child
/// process of its own (this test binary, filtered to this test), which the parent kills if it
/// hangs.
#[cfg(target_os = "linux")]
#[test]
fn out_of_descriptors_the_server_serves_on_and_accepts_later() {
    const CHILD: &str = "PIPEBUF_FAULTS_FD_CHILD";
    if std::env::var_os(CHILD).is_some() {
        out_of_descriptors();
        return;
    }
    let name = "out_of_descriptors_the_server_serves_on_and_accepts_later";
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = std::process::Command::new(exe)
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the child test");
    let deadline = Instant::now() + 4 * SOON;
    while child.try_wait().expect("status").is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let hung = child.try_wait().expect("status").is_none();
    if hung {
        child.kill().expect("kill the hung child");
    }
    let output = child.wait_with_output().expect("the child's output");
    let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    assert!(!hung && output.status.success(), "hung: {hung}; {}\n{text}", output.status);
    assert!(text.contains("1 passed"), "the child ran no test: {text}");
}

/// The child's part: one connection served, a second one queued with no descriptor left for it.
#[cfg(target_os = "linux")]
fn out_of_descriptors() {
    let (server, reports) = start(false);
    let mut first = server.connect();
    first.get_ref().tcp().set_read_timeout(Some(SOON)).expect("a read timeout");
    first.send(Message::text("one")).expect("send");
    assert_eq!(first.read().expect("the echo"), Message::text("one"));
    // No descriptor left once the second client has its socket: the limit just above the
    // highest one in use, and every free one below it taken but one, for that socket. The
    // server's accept then fails with `EMFILE`, and the connection stays in the listen queue.
    let highest = std::fs::read_dir("/proc/self/fd")
        .expect("/proc")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .expect("some descriptors");
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("getrlimit");
    rlimit::setrlimit(rlimit::Resource::NOFILE, highest + 2, hard).expect("setrlimit");
    let mut fillers = Vec::new();
    while let Ok(file) = std::fs::File::open("/dev/null") {
        fillers.push(file);
    }
    fillers.pop();
    let second = TcpStream::connect(server.addr).expect("connect: the kernel queues it");
    std::thread::sleep(Duration::from_millis(300));
    // The server still serves the connection it has.
    first.send(Message::text("two")).expect("send");
    assert_eq!(first.read().expect("the echo, while out of descriptors"), Message::text("two"));
    start_close(&mut first);
    common::expect_closed(&mut first);
    drop(first);
    // Descriptors are free again: the server takes the second connection.
    drop(fillers);
    let mut second = second;
    second.set_read_timeout(Some(SOON)).expect("a read timeout");
    second.write_all(UPGRADE).expect("write");
    let mut got = [0; 12];
    second.read_exact(&mut got).expect("the answer to the upgrade");
    assert_eq!(&got, b"HTTP/1.1 101");
    drop(second);
    let ended = reports.wait_for(2, SOON);
    assert_eq!(ended[0].detail, "close 1000 from the client", "{}", log_line(&ended[0]));
}

/// An upgrade request, as a browser would send it.
const UPGRADE: &[u8] = b"GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
    Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\r\n";

/// The example's server with TLS or without, recording its reports.
fn start(tls: bool) -> (Server, Reports) {
    let reports = Reports::default();
    (Server::start(tls, reports.recorder()), reports)
}

/// A client that has had one message echoed.
fn echoing(server: &Server) -> Ws {
    let mut ws = server.connect();
    ws.send(Message::text("first")).expect("send");
    assert_eq!(ws.read().expect("the echo"), Message::text("first"));
    ws
}

/// Checks that connection `n` (counting from 1) ended as said, and that it was the last one open.
fn expect_report(reports: &Reports, n: usize, ended: &Ended, detail: &str) {
    let report = &reports.wait_for(n, SOON)[n - 1];
    assert_eq!((&report.ended, report.detail.as_str()), (ended, detail), "{}", log_line(report));
    assert_eq!(reports.len(), n);
}

/// Checks that the report says a stage failed with an error that starts with `error`.
fn assert_failed(report: &Report, error: &str) {
    match &report.ended {
        Ended::Failed { error: got } => assert!(got.starts_with(error), "{}", log_line(report)),
        _ => panic!("expected a failure: {}", log_line(report)),
    }
}

/// Checks that a well-behaved client is served after `ended` connections have ended, and that
/// its connection too is reported, as connection `ended + 1`, and is then the only one.
fn serves_on(server: &Server, reports: &Reports, next: usize) {
    echo_once(server, &Message::binary(b"still serving".to_vec()));
    expect_report(reports, next, &Ended::Done, "close 1000 from the client");
}

/// Reads the echoed Close and the end, after the client already finished its byte stream.
fn expect_closed_after_finish(ws: &mut Ws) {
    match ws.read() {
        Ok(Message::Close(Some(close))) => assert_eq!(u16::from(close.code), 1000),
        other => panic!("expected the echoed Close frame, got {other:?}"),
    }
    match ws.read() {
        Err(tungstenite::Error::ConnectionClosed) => {}
        other => panic!("expected the end of the WebSocket, got {other:?}"),
    }
}

/// A TLS client connection to `server`, its handshake done.
fn tls_stream(server: &Server) -> Box<StreamOwned<ClientConnection, TcpStream>> {
    let config = server.client_config.clone().expect("a wss server");
    let name = ServerName::try_from("localhost").expect("a valid name");
    let conn = ClientConnection::new(config, name).expect("a client");
    let mut tls = Box::new(StreamOwned::new(conn, server.tcp()));
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock).expect("the TLS handshake");
    }
    tls
}

/// The first flight of a TLS client: its `ClientHello` record.
fn client_hello() -> Vec<u8> {
    let config = common::client_config(RootCertStore::empty());
    let name = ServerName::try_from("localhost").expect("a valid name");
    let mut conn = ClientConnection::new(config, name).expect("a client");
    let mut hello = Vec::new();
    conn.write_tls(&mut hello).expect("the ClientHello");
    hello
}

/// A frame from a client: final, with `opcode`, masked.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        len @ 0..126 => frame.push(0x80 | len.to_le_bytes()[0]),
        len @ 126..65536 => {
            frame.push(0xFE); // masked, 16-bit length
            frame.extend_from_slice(&u16::try_from(len).expect("under 64 KiB").to_be_bytes());
        }
        len => {
            frame.push(0xFF); // masked, 64-bit length
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&KEY);
    frame.extend(payload.iter().zip(KEY.iter().cycle()).map(|(byte, key)| byte ^ key));
    frame
}
