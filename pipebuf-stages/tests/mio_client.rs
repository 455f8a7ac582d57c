//! `MioClient` over real sockets (127.0.0.1) against `std::net` servers: what another thread
//! hands the application goes out when it wakes the loop, a failed stage's alert goes out
//! before the error, and the application's own error ends the run.

#![cfg(all(feature = "mio", feature = "rustls"))]

#[path = "common/tls.rs"]
mod tls;

use std::error::Error as _;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{self, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use pipebuf::{PipeBufPair, pipeline};
use pipebuf_stages::rustls::pki_types::ServerName;
use pipebuf_stages::{MioClient, MioClientError, MioConnection, TcpLink, TlsClient, error_chain};
use tls::{ALERT, HANDSHAKE, records};

/// How long a peer waits for the client.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Raw TCP, its far end is the application.
#[pipeline]
struct Raw {
    tcp: TcpLink,
    #[link(tcp.upper <->)]
    app: PipeBufPair,
}

impl MioConnection for Raw {
    fn tcp(&mut self) -> &mut TcpLink {
        &mut self.tcp
    }
}

/// TLS over TCP, its far end is the application.
#[pipeline]
struct OverTls {
    tcp: TcpLink,
    tls: TlsClient,
    #[link(tcp.upper <-> tls.lower)]
    net: PipeBufPair,
    #[link(tls.upper <->)]
    app: PipeBufPair,
}

impl MioConnection for OverTls {
    fn tcp(&mut self) -> &mut TcpLink {
        &mut self.tcp
    }
}

/// A server for one connection: `serve` runs on its own thread with the accepted stream.
/// Returns the link of a client to it, and the thread.
fn server<T: Send + 'static>(
    serve: impl FnOnce(TcpStream) -> io::Result<T> + Send + 'static,
) -> (TcpLink, JoinHandle<io::Result<T>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("its address");
    let thread = thread::spawn(move || {
        let (stream, _) = listener.accept()?;
        stream.set_read_timeout(Some(TIMEOUT))?;
        serve(stream)
    });
    let stream = TcpStream::connect(addr).expect("connected");
    stream.set_nonblocking(true).expect("non-blocking");
    (TcpLink::new(mio::net::TcpStream::from_std(stream)), thread)
}

/// Echoes everything, then ends its side when the client ends its own.
fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buf = [0; 4096];
    loop {
        let len = stream.read(&mut buf)?;
        if len == 0 {
            return stream.shutdown(Shutdown::Write);
        }
        stream.write_all(&buf[..len])?;
    }
}

#[test]
fn what_another_thread_hands_over_goes_out_when_it_wakes_the_loop() {
    let (tcp, peer) = server(echo);
    let mut client = MioClient::new(Raw::new(tcp)).expect("a poll");
    let (tx, rx) = mpsc::channel();
    let waker = client.waker();
    // The loop runs on a thread of its own, so that a wake-up that never comes fails the test
    // instead of hanging it.
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let (mut echoed, mut closed) = (Vec::new(), false);
        let run = client.run(|raw| {
            let mut app = raw.app();
            let received = app.rd.len();
            echoed.extend_from_slice(app.rd.data());
            app.rd.consume(received);
            let ended = app.rd.consume_eof();
            let mut active = received > 0 || ended;
            while !closed {
                match rx.try_recv() {
                    Ok(word) => app.wr.append(word),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        app.wr.close();
                        closed = true;
                    }
                }
                active = true;
            }
            Ok(active)
        });
        done.send(run.map(|()| echoed)).expect("the test waits");
    });
    for word in [&b"one "[..], b"two ", b"three"] {
        // Later than the loop's first wait: only the wake-up brings each word.
        thread::sleep(Duration::from_millis(20));
        tx.send(word).expect("the loop runs");
        waker.wake().expect("woken");
    }
    drop(tx);
    waker.wake().expect("woken");
    let echoed = result.recv_timeout(TIMEOUT).expect("the loop woke and ended");
    assert_eq!(echoed.expect("the run ends when both directions have"), b"one two three");
    peer.join().expect("the server").expect("the echo");
}

#[test]
fn a_failed_stage_sends_its_alert_before_the_run_returns_the_error() {
    // Answers the client's hello with plain text, then keeps what comes until the client's end
    // (an abort: a reset, after the bytes before it).
    let (tcp, peer) = server(|mut stream| {
        let mut wire = vec![0; 4096];
        let hello = stream.read(&mut wire)?;
        wire.truncate(hello);
        stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")?;
        let mut rest = Vec::new();
        let end = stream.read_to_end(&mut rest).map(drop).map_err(|e| e.kind());
        Ok((wire, rest, end))
    });
    let cert = tls::certificate();
    let config = tls::client_config(&[cert.cert.der()], tls::versions(""), &[]);
    let name = ServerName::try_from("localhost").expect("a name");
    let tls = TlsClient::new(config, name).expect("a client");
    let mut client = MioClient::new(OverTls::new(tcp, tls)).expect("a poll");
    let error = client.run(|_| Ok(false)).expect_err("no TLS server");
    assert!(matches!(error, MioClientError::Pipeline { .. }), "{error:?}");
    let chain = error_chain(&error);
    assert!(chain.starts_with("the pipeline failed: stage `tls` failed"), "{chain}");
    let (hello, rest, end) = peer.join().expect("the server").expect("its reads");
    assert_eq!(records(&hello).first().map(|record| record.0), Some(HANDSHAKE));
    assert_eq!(records(&rest), [(ALERT, 2)], "the alert, then the end");
    assert_eq!(end, Err(io::ErrorKind::ConnectionReset), "an abort, not a close");
}

#[test]
fn an_application_error_ends_the_run_with_it() {
    let (tcp, peer) = server(echo);
    let mut client = MioClient::new(Raw::new(tcp)).expect("a poll");
    let error = client.run(|_| Err(io::Error::other("no more"))).expect_err("it failed");
    assert!(matches!(error, MioClientError::App { .. }), "{error:?}");
    assert_eq!(error.to_string(), "the application failed");
    assert_eq!(error.source().map(ToString::to_string).as_deref(), Some("no more"));
    // The client is dropped with its socket: the server sees the end.
    drop(client);
    peer.join().expect("the server").expect("the echo");
}
