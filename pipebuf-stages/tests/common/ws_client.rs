//! A WebSocket client on 127.0.0.1 for tests against real servers: a mio `Poll` loop that runs
//! one `TcpLink <-> [TlsClient <->] WebsocketClient` pipeline, plays a script of messages on its
//! application end and records what came back and how the connection ended.
//!
//! A test crate that includes this file also includes `common/net.rs` as `mod net`,
//! `common/tls.rs` as `mod tls` and `common/rng.rs` as `mod rng`.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code)]

use std::error::Error;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Poll, Token};
use pipebuf::{PBufRdWr, PBufState, PipeBufPair, Status, pipeline};
use pipebuf_stages::websocket::{ClientRequest, CloseFrame, Message, WebsocketClient};
use pipebuf_stages::{TcpLink, TlsClient};
use rustls::ClientConfig;

use crate::net::chain;
use crate::rng::XorShift;

/// WebSocket straight over TCP.
#[pipeline]
pub(crate) struct PlainClient {
    pub(crate) tcp: TcpLink,
    pub(crate) ws: WebsocketClient<XorShift>,
    #[link(tcp.upper <-> ws.lower)]
    net: PipeBufPair,
    #[link(ws.upper <->)]
    app: PipeBufPair<Message>,
}

/// WebSocket over TLS over TCP.
#[pipeline]
struct TlsClientChain {
    tcp: TcpLink,
    tls: TlsClient,
    ws: WebsocketClient<XorShift>,
    #[link(tcp.upper <-> tls.lower)]
    net: PipeBufPair,
    #[link(tls.upper <-> ws.lower)]
    plain: PipeBufPair,
    #[link(ws.upper <->)]
    app: PipeBufPair<Message>,
}

/// The client's pipeline, whichever it is.
trait Conn {
    fn tcp(&mut self) -> &mut TcpLink;
    fn ws(&mut self) -> &mut WebsocketClient<XorShift>;
    fn app(&mut self) -> PBufRdWr<'_, Message>;
    fn run(&mut self) -> Result<Status, Box<dyn Error>>;
}

macro_rules! conn {
    ($pipeline:ident) => {
        impl Conn for $pipeline {
            fn tcp(&mut self) -> &mut TcpLink {
                &mut self.tcp
            }

            fn ws(&mut self) -> &mut WebsocketClient<XorShift> {
                &mut self.ws
            }

            fn app(&mut self) -> PBufRdWr<'_, Message> {
                $pipeline::app(self)
            }

            fn run(&mut self) -> Result<Status, Box<dyn Error>> {
                Ok(self.process()?)
            }
        }
    };
}

conn!(PlainClient);
conn!(TlsClientChain);

/// What the application does: send `messages` at once (they wait for the handshake), and once
/// `replies` messages have come back, close with `close` (1000 and no reason if `None`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Script {
    pub(crate) messages: Vec<Message>,
    pub(crate) replies: usize,
    pub(crate) close: Option<CloseFrame>,
}

/// What the client saw.
#[derive(Debug, Default)]
pub(crate) struct Run {
    /// The messages received, pongs included, in order.
    pub(crate) received: Vec<Message>,
    /// How the stream of messages from the server ended, if it did.
    pub(crate) end: Option<PBufState>,
    /// The server's Close frame.
    pub(crate) peer_close: Option<CloseFrame>,
    /// The subprotocol the server chose.
    pub(crate) protocol: Option<String>,
    /// The pipeline's error, with its sources.
    pub(crate) error: Option<String>,
    /// Whether every stream ended before the deadline.
    pub(crate) done: bool,
}

/// Connects to `addr`, over TLS for `localhost` with `tls` if given, sends `request` and plays
/// `script`, for at most `timeout`.
pub(crate) fn run(
    addr: SocketAddr,
    tls: Option<Arc<ClientConfig>>,
    request: ClientRequest,
    script: &Script,
    timeout: Duration,
) -> Run {
    let tcp = TcpLink::new(TcpStream::connect(addr).expect("connect"));
    let ws = WebsocketClient::new(request, XorShift(0x9e37_79b9_7f4a_7c15)).with_pongs(true);
    let mut conn: Box<dyn Conn> = match tls {
        Some(config) => {
            let name = "localhost".try_into().expect("a valid name");
            let tls = TlsClient::new(config, name).expect("rustls accepts the config");
            Box::new(TlsClientChain::new(tcp, tls, ws))
        }
        None => Box::new(PlainClient::new(tcp, ws)),
    };
    drive(conn.as_mut(), script, Instant::now() + timeout)
}

/// The client's loop, until every stream ended, the pipeline failed or `deadline` passed.
fn drive(conn: &mut dyn Conn, script: &Script, deadline: Instant) -> Run {
    let mut poll = Poll::new().expect("a poll");
    let mut events = Events::with_capacity(64);
    let mut run = Run::default();
    let mut closed = false;
    conn.app().wr.append(&script.messages);
    conn.app().wr.push();
    while Instant::now() < deadline {
        match conn.run() {
            Ok(Status::Done) => run.done = true,
            Ok(_) => {}
            Err(error) => run.error = Some(chain(error.as_ref())),
        }
        collect(conn, &mut run);
        if run.done || run.error.is_some() {
            break;
        }
        if run.received.len() >= script.replies && !closed {
            closed = true;
            if let Some(close) = script.close.clone() {
                conn.ws().set_close(close).expect("a valid Close frame");
            }
            conn.app().wr.close();
            // Let the Close frame go out now, rather than at the next event.
            continue;
        }
        conn.tcp().register(poll.registry(), Token(0)).expect("register");
        match poll.poll(&mut events, Some(Duration::from_millis(10))) {
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            result => result.expect("poll"),
        }
        for event in &events {
            conn.tcp().handle_event(event);
        }
    }
    run.peer_close = conn.ws().peer_close().cloned();
    run.protocol = conn.ws().protocol().map(str::to_owned);
    run
}

/// Takes the messages and the end that the application's inbound stream holds.
fn collect(conn: &mut dyn Conn, run: &mut Run) {
    let mut app = conn.app();
    let len = app.rd.len();
    run.received.extend_from_slice(app.rd.data());
    app.rd.consume(len);
    app.rd.consume_push();
    let state = app.rd.state();
    if state.has_pending_eof() {
        run.end = Some(if state.is_aborted() { PBufState::Aborted } else { PBufState::Closed });
        app.rd.consume_eof();
    }
}

/// The sizes of message that every interoperability test sends, in text and in binary: empty,
/// each side of the 7-bit and 16-bit length forms, and 1 MiB.
pub(crate) const SIZES: [usize; 7] = [0, 1, 125, 126, 65535, 65536, 1 << 20];

/// A text of exactly `len` bytes, with characters of one to four bytes each.
pub(crate) fn text(len: usize) -> String {
    let mut text = String::with_capacity(len);
    for c in ['a', 'é', '€', '😀'].into_iter().cycle() {
        if text.len() + c.len_utf8() > len {
            break;
        }
        text.push(c);
    }
    while text.len() < len {
        text.push('z');
    }
    text
}

/// A text and a binary message sent in pieces, a ping between the text's pieces.
pub(crate) fn fragmented_messages() -> Vec<Message> {
    vec![
        Message::text("frag").with_more(true),
        Message::ping("between"),
        Message::text("mented ").with_more(true),
        Message::text("text"),
        Message::binary([0, 1]).with_more(true),
        Message::binary([2]),
    ]
}

/// What [`fragmented_messages`] come back as from an echo server: the pong, then the two
/// messages whole.
pub(crate) fn fragmented_echo() -> [Message; 3] {
    [Message::pong("between"), Message::text("fragmented text"), Message::binary([0, 1, 2])]
}

/// Every size of [`SIZES`] as a text message and as a binary one.
pub(crate) fn sized_messages() -> Vec<Message> {
    let text = SIZES.iter().map(|&len| Message::text(text(len)));
    let binary = SIZES.iter().map(|&len| Message::binary(crate::net::pattern(len as u64, 0, len)));
    text.chain(binary).collect()
}
