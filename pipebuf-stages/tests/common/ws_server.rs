//! A WebSocket echo server on 127.0.0.1 for tests against real clients: a thread with a mio
//! `Poll` loop that accepts connections and runs, for each, `TcpLink <-> [TlsServer <->]
//! WebsocketServer <-> Echo<Message>` as one `#[pipeline]`, and records how each connection ended.
//!
//! A test crate that includes this file also includes `common/net.rs` as `mod net` and
//! `common/tls.rs` as `mod tls`.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::error::Error;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token};
use pipebuf::{PipeBufPair, Status, pipeline};
use pipebuf_stages::websocket::{CloseFrame, Message, WebsocketServer};
use pipebuf_stages::{Echo, TcpLink, TlsServer};
use rustls::ServerConfig;

use crate::net::chain;

/// WebSocket straight over TCP.
#[pipeline]
pub(crate) struct PlainEcho {
    pub(crate) tcp: TcpLink,
    pub(crate) ws: WebsocketServer,
    echo: Echo<Message>,
    #[link(tcp.upper <-> ws.lower)]
    net: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

/// WebSocket over TLS over TCP.
#[pipeline]
pub(crate) struct TlsEcho {
    pub(crate) tcp: TcpLink,
    tls: TlsServer,
    pub(crate) ws: WebsocketServer,
    echo: Echo<Message>,
    #[link(tcp.upper <-> tls.lower)]
    net: PipeBufPair,
    #[link(tls.upper <-> ws.lower)]
    plain: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

/// One connection's pipeline, whichever it is.
trait Conn: Send {
    fn tcp(&mut self) -> &mut TcpLink;
    fn run(&mut self) -> Result<Status, Box<dyn Error>>;
    fn ws(&self) -> &WebsocketServer;
}

macro_rules! conn {
    ($pipeline:ident) => {
        impl Conn for $pipeline {
            fn tcp(&mut self) -> &mut TcpLink {
                &mut self.tcp
            }

            fn run(&mut self) -> Result<Status, Box<dyn Error>> {
                Ok(self.process()?)
            }

            fn ws(&self) -> &WebsocketServer {
                &self.ws
            }
        }
    };
}

conn!(PlainEcho);
conn!(TlsEcho);

/// How a connection ended, as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every stream ended; with the client's Close frame, if it sent one.
    Done(Option<CloseFrame>),
    /// The pipeline failed: the error and its sources.
    Failed(String),
}

/// A running echo server; stops when dropped.
pub(crate) struct EchoServer {
    pub(crate) addr: SocketAddr,
    stop: Arc<AtomicBool>,
    outcomes: Arc<Mutex<Vec<Outcome>>>,
    thread: Option<JoinHandle<()>>,
}

impl EchoServer {
    /// Starts a server, over TLS with `tls` if given, with `make` making each connection's
    /// WebSocket stage (`WebsocketServer::new` for the defaults).
    pub(crate) fn start(tls: Option<Arc<ServerConfig>>, make: fn() -> WebsocketServer) -> Self {
        let mut listener =
            TcpListener::bind("127.0.0.1:0".parse().expect("an address")).expect("bind");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let (stop2, outcomes2) = (stop.clone(), outcomes.clone());
        let thread = std::thread::spawn(move || {
            serve(&mut listener, tls.as_ref(), make, &stop2, &outcomes2);
        });
        EchoServer { addr, stop, outcomes, thread: Some(thread) }
    }

    /// How the connections that ended so far ended, in order.
    pub(crate) fn outcomes(&self) -> Vec<Outcome> {
        self.outcomes.lock().expect("not poisoned").clone()
    }

    /// Waits until `count` connections have ended (at most `timeout`), and returns how.
    pub(crate) fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Outcome> {
        let deadline = Instant::now() + timeout;
        loop {
            let outcomes = self.outcomes();
            if outcomes.len() >= count || Instant::now() > deadline {
                return outcomes;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

const LISTENER: Token = Token(0);

/// The server's loop, until `stop` is set.
fn serve(
    listener: &mut TcpListener,
    tls: Option<&Arc<ServerConfig>>,
    make: fn() -> WebsocketServer,
    stop: &AtomicBool,
    outcomes: &Mutex<Vec<Outcome>>,
) {
    let mut poll = Poll::new().expect("a poll");
    poll.registry().register(listener, LISTENER, Interest::READABLE).expect("register");
    let mut events = Events::with_capacity(256);
    let mut conns: HashMap<Token, Box<dyn Conn>> = HashMap::new();
    let mut next = 1;
    while !stop.load(Ordering::Relaxed) {
        match poll.poll(&mut events, Some(Duration::from_millis(10))) {
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            result => result.expect("poll"),
        }
        let mut touched = Vec::new();
        for event in &events {
            if event.token() == LISTENER {
                while let Ok((stream, _)) = listener.accept() {
                    let tcp = TcpLink::new(stream);
                    let conn: Box<dyn Conn> = match tls {
                        Some(config) => Box::new(TlsEcho::new(
                            tcp,
                            TlsServer::new(config.clone()).expect("a TLS stage"),
                            make(),
                            Echo::new(),
                        )),
                        None => Box::new(PlainEcho::new(tcp, make(), Echo::new())),
                    };
                    let token = Token(next);
                    next += 1;
                    conns.insert(token, conn);
                    touched.push(token);
                }
            } else if let Some(conn) = conns.get_mut(&event.token()) {
                conn.tcp().handle_event(event);
                touched.push(event.token());
            }
        }
        for token in touched {
            let Some(conn) = conns.get_mut(&token) else { continue };
            let outcome = match conn.run() {
                Ok(Status::Done) => Some(Outcome::Done(conn.ws().peer_close().cloned())),
                Ok(status @ Status::Hung { .. }) => Some(Outcome::Failed(format!("{status:?}"))),
                Ok(_) => None,
                Err(error) => Some(Outcome::Failed(chain(error.as_ref()))),
            };
            if outcome.is_none() {
                conn.tcp().register(poll.registry(), token).expect("register");
            }
            if let Some(outcome) = outcome {
                outcomes.lock().expect("not poisoned").push(outcome);
                conns.remove(&token);
            }
        }
    }
}
