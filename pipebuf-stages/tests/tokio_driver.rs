//! The tokio driver over real sockets on 127.0.0.1: byte and WebSocket echo (against
//! tungstenite), close and abort both ways, backpressure against a slow application, and full
//! duplex with the server pushing from outside the pipeline while the client streams.
#![cfg(all(feature = "tokio", feature = "websocket"))]

#[path = "common/rng.rs"]
mod rng;

use std::future::Future;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use pipebuf::{PBufRdWr, PipeBufPair, Stage, pipeline};
use pipebuf_stages::websocket::{ClientRequest, Message, WebsocketClient, WebsocketServer};
use pipebuf_stages::{Echo, TokioConnection, TokioDriver, TokioError, TokioReport};
use rng::XorShift;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Notify, mpsc};

/// Sends back every byte.
#[pipeline]
struct ByteEcho {
    echo: Echo,
    #[link(<-> echo.io)]
    wire: PipeBufPair,
}

/// Hands bytes on both ways, unchanged: the wire straight to an application link.
#[derive(Stage)]
#[stage(ports(lower: PBufRdWr, upper: PBufRdWr))]
struct Relay;

impl Relay {
    #[expect(clippy::unused_self, reason = "the derived `Stage` impl calls `process` on the stage")]
    fn process(&mut self, mut p: RelayPorts<'_>) -> bool {
        let before = (p.lower.tripwire(), p.upper.tripwire());
        p.lower.rd.forward(p.upper.wr.reborrow());
        p.upper.rd.forward(p.lower.wr.reborrow());
        before != (p.lower.tripwire(), p.upper.tripwire())
    }
}

/// Bytes between the wire and an application that holds at most 4 KiB of unread input.
#[pipeline]
struct Bytes {
    relay: Relay,
    #[link(<-> relay.lower)]
    wire: PipeBufPair,
    #[link(relay.upper <->, limit = 4096)]
    app: PipeBufPair,
}

/// A WebSocket server echoing every message.
#[pipeline]
struct WsEcho {
    ws: WebsocketServer,
    echo: Echo<Message>,
    #[link(<-> ws.lower)]
    wire: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

/// A WebSocket server whose application is outside the pipeline.
#[pipeline]
struct WsApp {
    ws: WebsocketServer,
    #[link(<-> ws.lower)]
    wire: PipeBufPair,
    #[link(ws.upper <->)]
    app: PipeBufPair<Message>,
}

/// A WebSocket client whose application is outside the pipeline.
#[pipeline]
struct WsClientApp {
    ws: WebsocketClient<XorShift>,
    #[link(<-> ws.lower)]
    wire: PipeBufPair,
    #[link(ws.upper <->)]
    app: PipeBufPair<Message>,
}

macro_rules! connection {
    ($($pipeline:ident),*) => {$(
        impl TokioConnection for $pipeline {
            fn wire(&mut self) -> PBufRdWr<'_> {
                self.wire()
            }
        }
    )*};
}

connection!(ByteEcho, Bytes, WsEcho, WsApp, WsClientApp);

/// Fails the test instead of hanging it.
async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .unwrap_or_else(|_| panic!("{what}: timed out"))
}

async fn listen() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    (listener, addr)
}

/// A byte pattern that shows where a byte went missing or moved.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| u8::try_from((i * 7 + i / 251) % 251).expect("below 251")).collect()
}

/// Sends an RST when the stream is dropped.
fn reset(stream: &mut TcpStream) {
    stream.set_zero_linger().expect("SO_LINGER 0");
}

#[tokio::test]
async fn bytes_echo_in_both_directions_at_once() {
    let (listener, addr) = listen().await;
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let mut echo = ByteEcho::new(Echo::new());
        TokioDriver::new(stream).with_max_read(16 * 1024).run(&mut echo).await
    });
    let data = pattern(4 << 20);
    let (mut rd, mut wr) = TcpStream::connect(addr).await.expect("connect").into_split();
    let sent = data.clone();
    // Writing all before reading would deadlock on the socket buffers: both run at once.
    let writer = tokio::spawn(async move {
        wr.write_all(&sent).await.expect("write");
        wr.shutdown().await.expect("shutdown");
    });
    let mut got = Vec::new();
    bounded("echo", rd.read_to_end(&mut got)).await.expect("read");
    writer.await.expect("writer");
    assert!(got == data, "echo differs: {} bytes of {}", got.len(), data.len());
    let report = bounded("server", server).await.expect("server task");
    assert!(report.result.is_ok(), "{report:?}");
    assert_eq!(report.bytes, (4 << 20, 4 << 20));
}

#[tokio::test]
async fn websocket_echo_for_tungstenite() {
    let (listener, addr) = listen().await;
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let mut echo = WsEcho::new(WebsocketServer::new(), Echo::new());
        let report = TokioDriver::new(stream).run(&mut echo).await;
        (report, echo.ws.peer_close().map(|close| close.code))
    });
    let client = tokio::task::spawn_blocking(move || {
        let stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        let (mut ws, _) =
            tungstenite::client::client(format!("ws://{addr}/echo"), stream).expect("upgrade");
        for i in 0..200_usize {
            let message = if i % 2 == 0 {
                tungstenite::Message::text(format!("message {i}"))
            } else {
                tungstenite::Message::binary(pattern(i * 397 % 70_000))
            };
            ws.send(message.clone()).expect("send");
            assert_eq!(ws.read().expect("echo"), message, "echo of message {i}");
        }
        ws.close(None).expect("close");
        loop {
            match ws.read() {
                Ok(tungstenite::Message::Close(_)) => {}
                Err(tungstenite::Error::ConnectionClosed) => break,
                other => panic!("after close: {other:?}"),
            }
        }
    });
    bounded("client", client).await.expect("client");
    let (report, code) = bounded("server", server).await.expect("server task");
    assert!(report.result.is_ok(), "{report:?}");
    assert_eq!(code, Some(1005), "tungstenite's close has no code");
}

#[tokio::test]
async fn closes_map_to_fin_both_ways_with_half_close() {
    let (listener, addr) = listen().await;
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let mut p = Bytes::new(Relay);
        // The application says hello and closes its side at once.
        p.app().wr.append(b"hello");
        p.app().wr.close();
        let mut got = Vec::new();
        let report = TokioDriver::new(stream)
            .run_with(&mut p, &Notify::new(), |p| {
                let mut app = p.app();
                got.extend_from_slice(app.rd.data());
                app.rd.consume(app.rd.len());
                false
            })
            .await;
        let app = p.app();
        (report, got, (app.rd.is_eof(), app.rd.is_aborted()))
    });
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut hello = Vec::new();
    // EOF after the data: the application's close arrived as a FIN.
    bounded("hello", stream.read_to_end(&mut hello)).await.expect("read");
    assert_eq!(hello, b"hello");
    // The other half is still open: the server still reads.
    stream.write_all(b"after your close").await.expect("write");
    stream.shutdown().await.expect("shutdown");
    let (report, got, state) = bounded("server", server).await.expect("server task");
    assert!(report.result.is_ok(), "{report:?}");
    assert_eq!(got, b"after your close");
    assert_eq!(state, (true, false), "the peer's FIN is a close, not an abort");
}

#[tokio::test]
async fn a_peer_reset_aborts_the_pipeline_input() {
    let (listener, addr) = listen().await;
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let mut p = Bytes::new(Relay);
        let mut seen = Some(seen_tx);
        let report = TokioDriver::new(stream)
            .run_with(&mut p, &Notify::new(), |p| {
                let mut app = p.app();
                if !app.rd.is_empty() {
                    app.rd.consume(app.rd.len());
                    if let Some(seen) = seen.take() {
                        let _ = seen.send(());
                    }
                }
                false
            })
            .await;
        (report, p.app().rd.is_aborted())
    });
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(b"x").await.expect("write");
    bounded("server read", seen_rx).await.expect("seen");
    reset(&mut stream);
    drop(stream);
    let (report, aborted) = bounded("server", server).await.expect("server task");
    assert!(report.result.is_ok(), "{report:?}");
    assert!(aborted, "the reset reached the application as an abort");
}

#[tokio::test]
async fn a_pipeline_abort_resets_the_peer() {
    let (listener, addr) = listen().await;
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let mut p = Bytes::new(Relay);
        TokioDriver::new(stream)
            .with_abort(reset)
            .run_with(&mut p, &Notify::new(), |p| {
                let mut app = p.app();
                if app.rd.data().starts_with(b"go") {
                    app.rd.consume(2);
                    app.wr.append(b"partial");
                    app.wr.abort();
                    return true;
                }
                false
            })
            .await
    });
    let std_stream = {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.into_std().expect("std stream")
    };
    let client = tokio::task::spawn_blocking(move || {
        let mut stream = std_stream;
        stream.set_nonblocking(false).expect("blocking");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        stream.write_all(b"go").expect("write");
        let mut got = Vec::new();
        let mut buf = [0; 64];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => return (got, None),
                Ok(len) => got.extend_from_slice(&buf[..len]),
                Err(e) => return (got, Some(e.kind())),
            }
        }
    });
    let report = bounded("server", server).await.expect("server task");
    assert!(report.result.is_ok(), "{report:?}");
    let (got, error) = bounded("client", client).await.expect("client");
    assert_eq!(error, Some(ErrorKind::ConnectionReset), "an abort is a reset, not a FIN");
    // With the hook, what the socket took at once went out before the reset.
    assert!(b"partial".starts_with(&got), "{got:?}");
}

#[tokio::test]
async fn a_slow_application_stops_the_reads_and_bounds_memory() {
    const TOTAL: usize = 2 << 20;
    const HIGH: usize = 8192;
    const MAX_READ: usize = 4096;
    // Small kernel buffers, so that the peer's writes block soon after ours stop.
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(16 * 1024).expect("SO_RCVBUF");
    socket.bind("127.0.0.1:0".parse().expect("address")).expect("bind");
    let listener = socket.listen(8).expect("listen");
    let addr = listener.local_addr().expect("local address");
    let draining = Arc::new(AtomicBool::new(false));
    let wake = Arc::new(Notify::new());
    let server = {
        let (draining, wake) = (draining.clone(), wake.clone());
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            let mut p = Bytes::new(Relay);
            let mut got = Vec::new();
            let mut over_mark = 0_usize;
            let report = TokioDriver::new(stream)
                .with_marks(HIGH, 2048)
                .with_max_read(MAX_READ)
                .run_with(&mut p, &wake, |p| {
                    if p.wire().wr.exceeds_limit(HIGH + MAX_READ) {
                        over_mark += 1;
                    }
                    let mut app = p.app();
                    if draining.load(Ordering::Relaxed) {
                        // A slow reader: at most 1 KiB each time it is woken.
                        let take = app.rd.len().min(1024);
                        got.extend_from_slice(&app.rd.data()[..take]);
                        app.rd.consume(take);
                        if app.rd.is_empty() && app.rd.consume_eof() {
                            app.wr.close();
                            return true;
                        }
                    }
                    false
                })
                .await;
            (report, got, over_mark)
        })
    };
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_send_buffer_size(16 * 1024).expect("SO_SNDBUF");
    let mut stream = socket.connect(addr).await.expect("connect");
    let written = Arc::new(AtomicUsize::new(0));
    let data = pattern(TOTAL);
    let client = {
        let (written, data) = (written.clone(), data.clone());
        tokio::spawn(async move {
            for chunk in data.chunks(4096) {
                stream.write_all(chunk).await.expect("write");
                written.fetch_add(chunk.len(), Ordering::Relaxed);
            }
            stream.shutdown().await.expect("shutdown");
            let mut rest = Vec::new();
            stream.read_to_end(&mut rest).await.expect("read to the end");
        })
    };
    // The peer's writes block: no progress for 300 ms (on a busy machine it may take a while
    // to get there).
    let mut stalled = written.load(Ordering::Relaxed);
    let mut still = 0;
    while still < 3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = written.load(Ordering::Relaxed);
        assert!(now < TOTAL, "the peer wrote everything while the application read nothing");
        still = if now == stalled { still + 1 } else { 0 };
        stalled = now;
    }
    // The kernel buffers (doubled by Linux), the links' 4 KiB and the marks: far below 1 MiB.
    assert!(stalled < 1 << 20, "{stalled} bytes taken while the application read nothing");
    draining.store(true, Ordering::Relaxed);
    let ticker = {
        let wake = wake.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_micros(200)).await;
                wake.notify_one();
            }
        })
    };
    bounded("client", client).await.expect("client");
    let (report, got, over_mark) = bounded("server", server).await.expect("server task");
    ticker.abort();
    assert!(report.result.is_ok(), "{report:?}");
    assert!(got == data, "received {} bytes of {TOTAL}, or out of order", got.len());
    assert_eq!(over_mark, 0, "the incoming buffer went past the high mark and one read");
}

#[tokio::test]
async fn the_server_pushes_from_outside_while_the_client_streams() {
    const FROM_CLIENT: usize = 2000;
    const PUSHES: usize = 2000;
    let (listener, addr) = listen().await;
    let wake = Arc::new(Notify::new());
    let (push_tx, mut push_rx) = mpsc::unbounded_channel::<String>();
    let server = {
        let wake = wake.clone();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            let mut p = WsApp::new(WebsocketServer::new());
            let (mut received, mut pushed) = (0_usize, 0_usize);
            let report = TokioDriver::new(stream)
                .run_with(&mut p, &wake, |p| {
                    let mut app = p.app();
                    let mut fed = false;
                    while let Some(message) = app.rd.data().first() {
                        assert_eq!(message.as_text(), Some(format!("c{received}").as_str()));
                        received += 1;
                        app.rd.consume(1);
                    }
                    while let Ok(text) = push_rx.try_recv() {
                        app.wr.append(&[Message::text(text)]);
                        pushed += 1;
                        fed = true;
                    }
                    if received == FROM_CLIENT && pushed == PUSHES && !app.wr.is_eof() {
                        app.wr.close();
                        fed = true;
                    }
                    fed
                })
                .await;
            (report, received, pushed)
        })
    };
    // The pushes come from another task, at their own pace.
    let producer = {
        let wake = wake.clone();
        tokio::spawn(async move {
            for i in 0..PUSHES {
                push_tx.send(format!("s{i}")).expect("server alive");
                wake.notify_one();
                if i % 16 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let stream = TcpStream::connect(addr).await.expect("connect");
    let ws = WebsocketClient::new(ClientRequest::new(addr.to_string(), "/"), XorShift(7));
    let mut p = WsClientApp::new(ws);
    let (mut sent, mut pushes, mut pushes_while_streaming) = (0_usize, 0_usize, 0_usize);
    let report = bounded(
        "client",
        TokioDriver::new(stream).run_with(&mut p, &Notify::new(), |p| {
            let mut app = p.app();
            while let Some(message) = app.rd.data().first() {
                assert_eq!(message.as_text(), Some(format!("s{pushes}").as_str()));
                pushes += 1;
                app.rd.consume(1);
            }
            if sent < FROM_CLIENT {
                pushes_while_streaming = pushes;
                // A few at a time, so that the stream lasts.
                for _ in 0..8.min(FROM_CLIENT - sent) {
                    app.wr.append(&[Message::text(format!("c{sent}"))]);
                    sent += 1;
                }
                return true;
            }
            if app.rd.consume_eof() {
                // The server closed after its pushes: close too.
                app.wr.close();
                return true;
            }
            false
        }),
    )
    .await;
    assert!(report.result.is_ok(), "client: {report:?}");
    producer.await.expect("producer");
    let (server_report, received, sent_by_server) =
        bounded("server", server).await.expect("server");
    assert!(server_report.result.is_ok(), "server: {server_report:?}");
    assert_eq!((received, sent_by_server, pushes), (FROM_CLIENT, PUSHES, PUSHES));
    assert!(
        pushes_while_streaming > 0,
        "no push arrived while the client was streaming: not full duplex"
    );
}

#[tokio::test]
async fn a_failing_stage_ends_the_run_with_its_error_after_its_close_frame() {
    let (listener, addr) = listen().await;
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        let mut echo = WsEcho::new(WebsocketServer::new(), Echo::new());
        TokioDriver::new(stream).run(&mut echo).await
    });
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .await
        .expect("upgrade");
    // An unmasked frame from a client breaks the protocol.
    stream.write_all(&[0x81, 0x02, b'h', b'i']).await.expect("frame");
    let mut got = Vec::new();
    let _ = bounded("reply", stream.read_to_end(&mut got)).await;
    let report: TokioReport<_> = bounded("server", server).await.expect("server task");
    assert!(matches!(report.result, Err(TokioError::Pipeline { .. })), "{report:?}");
    let close = [0x88, 0x02, 0x03, 0xea];
    assert!(got.windows(4).any(|w| w == close), "a Close frame with 1002: {got:?}");
}

#[tokio::test]
async fn a_quiet_connection_gives_its_buffers_back() {
    let (listener, addr) = listen().await;
    let wake = Arc::new(Notify::new());
    let capacity = Arc::new(AtomicUsize::new(usize::MAX));
    let server = {
        let (wake, capacity) = (wake.clone(), capacity.clone());
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            let mut echo = ByteEcho::new(Echo::new());
            TokioDriver::new(stream)
                .with_idle(Duration::from_millis(300))
                .run_with(&mut echo, &wake, |p| {
                    // The outgoing buffer: a wake reads (and so reserves room in the incoming
                    // one), but writes nothing when there is nothing to write.
                    capacity.store(p.wire.down.capacity(), Ordering::Relaxed);
                    false
                })
                .await
        })
    };
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let data = pattern(100_000);
    stream.write_all(&data).await.expect("write");
    let mut echoed = vec![0; data.len()];
    bounded("echo", stream.read_exact(&mut echoed)).await.expect("read");
    assert!(echoed == data);
    // Quiet for less than the idle time: the storage stays.
    tokio::time::sleep(Duration::from_millis(50)).await;
    wake.notify_one();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(capacity.load(Ordering::Relaxed) > 0, "the outgoing buffer had grown");
    // Quiet for longer: given back.
    tokio::time::sleep(Duration::from_millis(600)).await;
    wake.notify_one();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(capacity.load(Ordering::Relaxed), 0, "the empty outgoing buffer was released");
    stream.shutdown().await.expect("shutdown");
    let mut rest = Vec::new();
    bounded("end", stream.read_to_end(&mut rest)).await.expect("read");
    let report = bounded("server", server).await.expect("server task");
    assert!(report.result.is_ok(), "{report:?}");
}
