//! The WebSocket stages against the Autobahn|Testsuite, groups 1 to 10 (everything but
//! permessage-deflate), run by `kosoku` from the test virtualenv (`scripts/test-deps.sh`
//! installs it):
//!
//! - `WebsocketServer`, as the echo server of `common/ws_server.rs`, under `kosoku -m fuzzingclient`;
//! - `WebsocketClient`, in a mio loop that echoes what it receives, under `kosoku -m fuzzingserver`,
//!   speaking the suite's testee protocol (`/getCaseCount`, `/runCase`, `/updateReports`).
//!
//! Each test prints its table of verdicts per group (`cargo test --test ws_autobahn --
//! --nocapture`) and fails listing every case that did not pass; the HTML reports stay under
//! `target/tmp/autobahn/`.
#![cfg(all(feature = "websocket", feature = "mio", feature = "rustls"))]

#[path = "common/autobahn.rs"]
mod autobahn;
#[path = "common/net.rs"]
mod net;
#[path = "common/rng.rs"]
mod rng;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/venv.rs"]
mod venv;
#[path = "common/ws_client.rs"]
mod ws_client;
#[path = "common/ws_server.rs"]
mod ws_server;

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Poll, Token};
use pipebuf::Status;
use pipebuf_stages::TcpLink;
use pipebuf_stages::websocket::{
    ClientRequest, Message, MessageKind, WebsocketClient, WebsocketServer,
};

use crate::autobahn::{EXCLUDE, Kosoku};
use crate::net::chain;
use crate::rng::XorShift;
use crate::ws_client::PlainClient;
use crate::ws_server::EchoServer;

/// The largest message the client accepts: group 9 sends up to 16 MiB.
const MAX_MESSAGE: usize = 64 << 20;

/// How long one run of the suite may take (about 15 s here for each mode).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// How long one connection of the client may take.
const CASE_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn server_passes_autobahn_groups_1_to_10() {
    let server = EchoServer::start(None, WebsocketServer::new);
    let dir = autobahn::report_dir("server");
    let (dir_arg, addr) = (dir.to_string_lossy().into_owned(), server.addr.to_string());
    let mut args = vec!["-m", "fuzzingclient"];
    args.extend(EXCLUDE);
    args.extend(["-o", &dir_arg, &addr]);
    let started = Instant::now();
    let mut kosoku = Kosoku::start(&args, RUN_TIMEOUT);
    let cases = autobahn::finish(&mut kosoku, &dir, started);
    autobahn::assert_passed("server (WebsocketServer)", &dir, &cases);
}

#[test]
fn client_passes_autobahn_groups_1_to_10() {
    let dir = autobahn::report_dir("client");
    let dir_arg = dir.to_string_lossy().into_owned();
    let mut args = vec!["-m", "fuzzingserver"];
    args.extend(EXCLUDE);
    args.extend(["-o", &dir_arg, "127.0.0.1:0"]);
    let started = Instant::now();
    let mut kosoku = Kosoku::start(&args, RUN_TIMEOUT);
    let Some(line) = kosoku.wait_for_line("listening on ws://") else {
        panic!("kosoku did not start; its output:\n{}", kosoku.output());
    };
    let addr: SocketAddr = line
        .rsplit("ws://")
        .next()
        .and_then(|addr| addr.trim().parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));

    let count = Session::run(addr, "/getCaseCount", 0, false);
    let text = count.messages.first().and_then(Message::as_text).unwrap_or_default();
    let Ok(cases) = text.parse::<u32>() else {
        panic!("no case count from kosoku: {count:?}\n{}", kosoku.output());
    };
    let mut failed = Vec::new();
    for case in 1..=cases {
        let session =
            Session::run(addr, &format!("/runCase?case={case}&agent=pipebuf"), case.into(), true);
        if session.timed_out {
            failed.push(format!("case {case} timed out: {session:?}"));
        }
    }
    let update = Session::run(addr, "/updateReports?agent=pipebuf", 0, false);
    assert!(!update.timed_out, "/updateReports timed out: {update:?}");
    let results = autobahn::finish(&mut kosoku, &dir, started);
    assert_eq!(results.len(), cases as usize, "kosoku reported other cases than it counted");
    autobahn::assert_passed("client (WebsocketClient)", &dir, &results);
    assert!(failed.is_empty(), "the client's connections hung:\n{}", failed.join("\n"));
}

/// What one connection of the client saw.
#[derive(Debug, Default)]
struct Session {
    /// The data messages received, when they are kept.
    messages: Vec<Message>,
    /// How many data messages arrived.
    received: usize,
    /// The close code of the server's Close frame, if one came.
    close: Option<u16>,
    /// The pipeline's errors, with their sources.
    errors: Vec<String>,
    /// Whether the connection was still going at its deadline.
    timed_out: bool,
}

impl Session {
    /// Connects to `path` on `addr` and runs the connection to its end (at most
    /// [`CASE_TIMEOUT`]), sending every message back if `echo`, else keeping them.
    fn run(addr: SocketAddr, path: &str, seed: u64, echo: bool) -> Self {
        let request = ClientRequest::new(addr.to_string(), path);
        let rng = XorShift(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0xbf58_476d_1ce4_e5b9));
        let ws = WebsocketClient::new(request, rng).with_max_message(MAX_MESSAGE);
        let stream = TcpStream::connect(addr).expect("connect to kosoku");
        let mut client = PlainClient::new(TcpLink::new(stream), ws);
        let mut poll = Poll::new().expect("a mio poll");
        let mut events = Events::with_capacity(16);
        let mut session = Session::default();
        let deadline = Instant::now() + CASE_TIMEOUT;
        loop {
            let done = session.drive(&mut client, echo);
            let ws_failed = !session.errors.is_empty();
            if done || (ws_failed && client.tcp.stream().is_none()) {
                break;
            }
            if Instant::now() > deadline {
                session.timed_out = true;
                break;
            }
            client.tcp.register(poll.registry(), Token(0)).expect("register");
            match poll.poll(&mut events, Some(Duration::from_millis(20))) {
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                result => result.expect("poll"),
            }
            for event in &events {
                client.tcp.handle_event(event);
            }
        }
        session.close = client.ws.peer_close().map(|close| close.code);
        session
    }

    /// Runs the pipeline and the application until neither moves; returns whether everything
    /// has ended.
    fn drive(&mut self, client: &mut PlainClient, echo: bool) -> bool {
        for _ in 0..1000 {
            let status = match client.process() {
                Ok(status) => status,
                Err(error) => {
                    self.errors.push(chain(&error));
                    Status::Progress
                }
            };
            if let Status::Hung { stage } = status {
                self.errors.push(format!("stage {stage} hung"));
            }
            let mut app = client.app();
            let (len, state) = (app.rd.len(), app.rd.state());
            self.received += app.rd.data().iter().filter(|m| !m.kind().is_control()).count();
            if echo {
                app.rd.forward(app.wr.reborrow());
            } else {
                self.messages.extend(
                    app.rd.data().iter().filter(|m| m.kind() != MessageKind::Pong).cloned(),
                );
                app.rd.consume(len);
                if app.rd.consume_eof() {
                    app.wr.close();
                }
            }
            if status == Status::Done {
                return true;
            }
            if len == 0 && state == app.rd.state() && status != Status::Pending {
                return false;
            }
        }
        false
    }
}
