//! Our WebSocket stages against tungstenite, a WebSocket we did not write, over TCP and over TLS
//! on 127.0.0.1: our server with tungstenite's client, and our client with tungstenite's server.
//! Every session ends with a Close frame carrying a code and a reason, checked on both sides.
#![cfg(all(feature = "websocket", feature = "mio", feature = "rustls"))]

#[path = "common/net.rs"]
mod net;
#[path = "common/rng.rs"]
mod rng;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/ws_client.rs"]
mod ws_client;
#[path = "common/ws_server.rs"]
mod ws_server;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pipebuf::PBufState;
use pipebuf_stages::websocket::{ClientRequest, CloseFrame, Message, MessageKind, WebsocketServer};
use rustls::{ClientConnection, ServerConfig, ServerConnection, StreamOwned};
use tungstenite::handshake::server::{Request, Response};
use tungstenite::http::HeaderValue;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::frame::{self, Frame};
use tungstenite::{Error as TsError, WebSocket};

use ws_client::{Script, fragmented_echo, fragmented_messages, sized_messages};
use ws_server::{EchoServer, Outcome};

/// How long one session may take, handshake to close.
const TIMEOUT: Duration = Duration::from_secs(10);

// Our server, tungstenite's client.

/// Runs `session` over plain TCP and over TLS, each time on a new connection to a new echo
/// server whose WebSocket stage `make` makes, and checks that the close handshake ends it
/// cleanly on both sides.
fn against_our_server(make: fn() -> WebsocketServer, session: fn(&mut dyn Peer)) {
    let server = EchoServer::start(None, make);
    let mut ws = connect_plain(server.addr, "/");
    session(&mut ws);
    close(&mut ws);
    drop(ws);
    assert_eq!(server.wait_for(1, TIMEOUT), [Outcome::Done(Some(bye()))]);

    let cert = tls::certificate();
    let config = tls::server_config(&cert, tls::versions(""), &[]);
    let server = EchoServer::start(Some(config), make);
    let mut ws = connect_tls(server.addr, &cert, "/");
    session(&mut ws);
    close(&mut ws);
    ws.get_mut().conn.send_close_notify();
    ws.get_mut().flush().expect("close_notify sent");
    drop(ws);
    assert_eq!(server.wait_for(1, TIMEOUT), [Outcome::Done(Some(bye()))]);
}

/// What a session needs of a tungstenite client, whatever its stream.
trait Peer {
    fn send(&mut self, message: tungstenite::Message);
    fn write(&mut self, message: tungstenite::Message);
    fn flush(&mut self);
    fn read(&mut self) -> tungstenite::Message;
}

impl<S: Read + Write> Peer for WebSocket<S> {
    fn send(&mut self, message: tungstenite::Message) {
        WebSocket::send(self, message).expect("tungstenite sends");
    }

    fn write(&mut self, message: tungstenite::Message) {
        WebSocket::write(self, message).expect("tungstenite writes");
    }

    fn flush(&mut self) {
        WebSocket::flush(self).expect("tungstenite flushes");
    }

    fn read(&mut self) -> tungstenite::Message {
        WebSocket::read(self).expect("tungstenite reads")
    }
}

fn connect_plain(addr: SocketAddr, path: &str) -> WebSocket<TcpStream> {
    let stream = std_stream(addr);
    let (ws, _) = tungstenite::client::client(format!("ws://{addr}{path}"), stream)
        .expect("the handshake succeeds");
    ws
}

fn connect_tls(
    addr: SocketAddr,
    cert: &rcgen::CertifiedKey,
    path: &str,
) -> WebSocket<StreamOwned<ClientConnection, TcpStream>> {
    let config = tls::client_config(&[cert.cert.der()], tls::versions(""), &[]);
    let name = "localhost".try_into().expect("a valid name");
    let conn = ClientConnection::new(config, name).expect("rustls accepts the config");
    let stream = StreamOwned::new(conn, std_stream(addr));
    let (ws, _) =
        tungstenite::client::client(format!("wss://localhost:{}{path}", addr.port()), stream)
            .expect("the handshake succeeds");
    ws
}

/// A blocking stream to `addr` that gives up on a read or write after [`TIMEOUT`].
fn std_stream(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("a read timeout");
    stream.set_write_timeout(Some(TIMEOUT)).expect("a write timeout");
    stream
}

/// Closes with 4000 and a reason, and checks that the server echoes both, then that it ends the
/// connection.
fn close<S: Read + Write>(ws: &mut WebSocket<S>) {
    ws.close(Some(frame::CloseFrame { code: CloseCode::from(4000), reason: "bye".into() }))
        .expect("tungstenite sends the Close frame");
    match ws.read() {
        Ok(tungstenite::Message::Close(Some(close))) => {
            assert_eq!((u16::from(close.code), close.reason.as_str()), (4000, "bye"));
        }
        other => panic!("expected the echoed Close frame, got {other:?}"),
    }
    match ws.read() {
        Err(TsError::ConnectionClosed) => {}
        other => panic!("expected the end of the connection, got {other:?}"),
    }
}

fn bye() -> CloseFrame {
    CloseFrame::new(4000, "bye")
}

/// Our message as tungstenite's.
fn to_theirs(message: &Message) -> tungstenite::Message {
    match message.kind() {
        MessageKind::Text => {
            tungstenite::Message::text(message.as_text().expect("whole UTF-8").to_owned())
        }
        MessageKind::Binary => tungstenite::Message::binary(message.data().to_vec()),
        MessageKind::Ping => tungstenite::Message::Ping(message.data().to_vec().into()),
        MessageKind::Pong => tungstenite::Message::Pong(message.data().to_vec().into()),
    }
}

/// A data frame of a fragmented message.
fn fragment(opcode: Data, payload: &str, fin: bool) -> tungstenite::Message {
    tungstenite::Message::Frame(Frame::message(
        payload.as_bytes().to_vec(),
        OpCode::Data(opcode),
        fin,
    ))
}

fn every_size_echoes(ws: &mut dyn Peer) {
    for message in sized_messages() {
        let theirs = to_theirs(&message);
        ws.send(theirs.clone());
        assert!(
            ws.read() == theirs,
            "{:?} of {} bytes comes back",
            message.kind(),
            message.data().len()
        );
    }
}

fn fragmented_messages_come_back_whole(ws: &mut dyn Peer) {
    ws.write(fragment(Data::Text, "frag", false));
    // A control frame may come between the fragments of a message.
    ws.write(tungstenite::Message::Ping(b"between".to_vec().into()));
    ws.write(fragment(Data::Continue, "mented ", false));
    ws.write(fragment(Data::Continue, "text", true));
    ws.write(fragment(Data::Binary, "\x00\x01", false));
    ws.write(fragment(Data::Continue, "\x02", true));
    ws.flush();
    assert_eq!(ws.read(), tungstenite::Message::Pong(b"between".to_vec().into()));
    assert_eq!(ws.read(), tungstenite::Message::text("fragmented text"));
    assert_eq!(ws.read(), tungstenite::Message::binary(vec![0, 1, 2]));
}

fn a_ping_gets_a_pong_with_its_payload(ws: &mut dyn Peer) {
    for payload in [&b""[..], b"ping", &[7; 125]] {
        ws.send(tungstenite::Message::Ping(payload.to_vec().into()));
        assert_eq!(ws.read(), tungstenite::Message::Pong(payload.to_vec().into()));
    }
}

fn pipelined_messages_all_come_back_in_order(ws: &mut dyn Peer) {
    for i in 0..1000 {
        ws.write(tungstenite::Message::text(format!("message {i}")));
    }
    ws.flush();
    for i in 0..1000 {
        assert_eq!(ws.read(), tungstenite::Message::text(format!("message {i}")));
    }
}

#[test]
fn our_server_echoes_every_size_to_tungstenite() {
    against_our_server(WebsocketServer::new, every_size_echoes);
}

#[test]
fn our_streaming_server_echoes_every_size_in_pieces_to_tungstenite() {
    // The server hands on each message in the pieces in which it arrives, and sends each piece
    // back as a frame of a fragmented message, a text one split anywhere, even inside a
    // character: tungstenite puts the messages back together.
    against_our_server(|| WebsocketServer::new().with_streaming(true), every_size_echoes);
}

#[test]
fn our_server_reassembles_tungstenite_fragments() {
    against_our_server(WebsocketServer::new, fragmented_messages_come_back_whole);
}

#[test]
fn our_server_answers_tungstenite_pings() {
    against_our_server(WebsocketServer::new, a_ping_gets_a_pong_with_its_payload);
}

#[test]
fn our_server_echoes_pipelined_messages_from_tungstenite() {
    against_our_server(WebsocketServer::new, pipelined_messages_all_come_back_in_order);
}

#[test]
fn our_server_chooses_the_subprotocol_tungstenite_offers() {
    let server = EchoServer::start(None, || WebsocketServer::new().with_protocols(["v2", "v1"]));
    let request = tungstenite::ClientRequestBuilder::new(
        format!("ws://{}/chat", server.addr).parse().expect("a valid URI"),
    )
    .with_sub_protocol("v1")
    .with_sub_protocol("v3");
    let (mut ws, response) =
        tungstenite::client::client(request, std_stream(server.addr)).expect("the handshake");
    let protocol = response.headers().get("sec-websocket-protocol").map(HeaderValue::as_bytes);
    assert_eq!(protocol, Some(&b"v1"[..]));
    every_size_echoes(&mut ws);
    close(&mut ws);
    drop(ws);
    assert_eq!(server.wait_for(1, TIMEOUT), [Outcome::Done(Some(bye()))]);
}

#[test]
fn our_server_keeps_serving_others_while_one_waits_and_one_fails() {
    let server = EchoServer::start(None, WebsocketServer::new);
    let mut idle = connect_plain(server.addr, "/idle");
    let mut busy = connect_plain(server.addr, "/busy");
    // A frame without a mask breaks the protocol: the server fails that connection alone.
    let mut rogue = connect_plain(server.addr, "/rogue");
    rogue.get_mut().write_all(&[0x81, 0x02, b'h', b'i']).expect("the unmasked frame is sent");
    match rogue.read() {
        Ok(tungstenite::Message::Close(Some(close))) => assert_eq!(u16::from(close.code), 1002),
        other => panic!("expected a Close frame with 1002, got {other:?}"),
    }
    assert!(
        matches!(&server.wait_for(1, TIMEOUT)[..], [Outcome::Failed(e)] if e.contains("unmasked")),
        "the rogue connection fails: {:?}",
        server.outcomes()
    );
    pipelined_messages_all_come_back_in_order(&mut busy);
    close(&mut busy);
    drop(busy);
    every_size_echoes(&mut idle);
    close(&mut idle);
    drop(idle);
    let outcomes = server.wait_for(3, TIMEOUT);
    assert_eq!(outcomes[1..], [Outcome::Done(Some(bye())), Outcome::Done(Some(bye()))]);
}

// Our client, tungstenite's server.

/// What tungstenite's server saw of its one connection.
#[derive(Debug, Default)]
struct Seen {
    path: String,
    protocols: Option<String>,
    x_test: Option<String>,
    close: Option<(u16, String)>,
    error: Option<String>,
}

/// Starts tungstenite's echo server for one connection, over TLS with `tls` if given; it
/// chooses the subprotocol `v1` if offered, and gives up after [`TIMEOUT`].
fn tungstenite_server(tls: Option<Arc<ServerConfig>>) -> (SocketAddr, JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local address");
    let thread = std::thread::spawn(move || {
        let stream = accept(&listener);
        let mut seen = Seen::default();
        if let Some(config) = tls {
            let conn = ServerConnection::new(config).expect("rustls accepts the config");
            if let Some(mut ws) = echo_handshake(StreamOwned::new(conn, stream), &mut seen) {
                echo(&mut ws, &mut seen);
                ws.get_mut().conn.send_close_notify();
                let _ = ws.get_mut().flush();
            }
        } else if let Some(mut ws) = echo_handshake(stream, &mut seen) {
            echo(&mut ws, &mut seen);
        }
        seen
    });
    (addr, thread)
}

/// Waits at most [`TIMEOUT`] for a connection.
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("non-blocking");
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).expect("blocking");
                stream.set_read_timeout(Some(TIMEOUT)).expect("a read timeout");
                return stream;
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(error) => panic!("no connection: {error}"),
        }
    }
}

/// Accepts the upgrade, noting what the request asked for, and choosing `v1` if offered.
fn echo_handshake<S: Read + Write>(stream: S, seen: &mut Seen) -> Option<WebSocket<S>> {
    #[expect(clippy::result_large_err, reason = "tungstenite's callback returns its `Response`")]
    let callback = |request: &Request, mut response: Response| {
        let header = |name| request.headers().get(name).map(|v| v.to_str().unwrap_or("?").into());
        seen.path = request.uri().to_string();
        seen.protocols = header("sec-websocket-protocol");
        seen.x_test = header("x-test");
        if seen.protocols.as_deref().is_some_and(|p| p.split(", ").any(|p| p == "v1")) {
            response.headers_mut().insert("sec-websocket-protocol", "v1".parse().expect("valid"));
        }
        Ok(response)
    };
    match tungstenite::accept_hdr(stream, callback) {
        Ok(ws) => Some(ws),
        Err(error) => {
            seen.error = Some(format!("handshake: {error}"));
            None
        }
    }
}

/// Sends back every data message until the connection ends; tungstenite answers pings and the
/// Close frame itself.
fn echo<S: Read + Write>(ws: &mut WebSocket<S>, seen: &mut Seen) {
    loop {
        match ws.read() {
            Ok(message @ (tungstenite::Message::Text(_) | tungstenite::Message::Binary(_))) => {
                if let Err(error) = ws.send(message) {
                    seen.error = Some(format!("send: {error}"));
                    return;
                }
            }
            Ok(tungstenite::Message::Close(close)) => {
                seen.close = close.map(|c| (u16::from(c.code), c.reason.as_str().to_owned()));
            }
            Ok(_) => {}
            Err(TsError::ConnectionClosed) => return,
            Err(error) => {
                seen.error = Some(format!("read: {error}"));
                return;
            }
        }
    }
}

/// Runs `script` with our client against tungstenite's server, over plain TCP and over TLS,
/// and checks that the replies are `want` and that the Close frame went both ways.
fn against_tungstenite(request: &ClientRequest, messages: Vec<Message>, want: &[Message]) {
    let script = Script { messages, replies: want.len(), close: Some(bye()) };
    for tls in [false, true] {
        let cert = tls::certificate();
        let (server, client) = if tls {
            (
                Some(tls::server_config(&cert, tls::versions(""), &[])),
                Some(tls::client_config(&[cert.cert.der()], tls::versions(""), &[])),
            )
        } else {
            (None, None)
        };
        let (addr, thread) = tungstenite_server(server);
        let run = ws_client::run(addr, client, request.clone(), &script, TIMEOUT);
        let seen = thread.join().expect("the server thread does not panic");
        let what = if tls { "over TLS" } else { "over TCP" };
        assert_eq!((&run.error, seen.error), (&None, None), "{what}");
        assert!(run.received == want, "{what}: the replies differ: {:?}", summary(&run.received));
        assert_eq!(run.peer_close, Some(bye()), "{what}");
        assert_eq!((run.end, run.done), (Some(PBufState::Closed), true), "{what}");
        assert_eq!(seen.close, Some((4000, "bye".to_owned())), "{what}");
    }
}

/// The kind and length of each message, for a failure message that does not print megabytes.
fn summary(messages: &[Message]) -> Vec<(MessageKind, usize, bool)> {
    messages.iter().map(|m| (m.kind(), m.data().len(), m.has_more())).collect()
}

fn request() -> ClientRequest {
    ClientRequest::new("localhost", "/")
}

#[test]
fn tungstenite_echoes_every_size_to_our_client() {
    let messages = sized_messages();
    against_tungstenite(&request(), messages.clone(), &messages);
}

#[test]
fn tungstenite_reassembles_our_client_fragments() {
    against_tungstenite(&request(), fragmented_messages(), &fragmented_echo());
}

#[test]
fn tungstenite_answers_our_client_pings() {
    let payloads = [&b""[..], b"ping", &[7; 125]];
    let messages: Vec<_> = payloads.iter().map(|p| Message::ping(*p)).collect();
    let want: Vec<_> = payloads.iter().map(|p| Message::pong(*p)).collect();
    against_tungstenite(&request(), messages, &want);
}

#[test]
fn tungstenite_echoes_pipelined_messages_from_our_client() {
    let messages: Vec<_> = (0..1000).map(|i| Message::text(format!("message {i}"))).collect();
    against_tungstenite(&request(), messages.clone(), &messages);
}

#[test]
fn tungstenite_sees_our_client_subprotocols_and_headers() {
    let request = ClientRequest::new("localhost", "/chat?room=1")
        .with_protocol("v2")
        .with_protocol("v1")
        .with_header("X-Test", "yes");
    let (addr, thread) = tungstenite_server(None);
    let script = Script { messages: vec![Message::text("hi")], replies: 1, close: Some(bye()) };
    let run = ws_client::run(addr, None, request, &script, TIMEOUT);
    let seen = thread.join().expect("the server thread does not panic");
    assert_eq!((run.error, run.done, run.protocol.as_deref()), (None, true, Some("v1")));
    assert_eq!(run.received, [Message::text("hi")]);
    assert_eq!(seen.path, "/chat?room=1");
    assert_eq!(seen.protocols.as_deref(), Some("v2, v1"));
    assert_eq!(seen.x_test.as_deref(), Some("yes"));
    assert_eq!(seen.close, Some((4000, "bye".to_owned())));
}
