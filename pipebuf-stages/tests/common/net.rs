//! What the end-to-end tests share: `#[pipeline]` chains with a `TcpLink` at the bottom (under a
//! TLS stage, or alone), the two ends of a TCP connection on 127.0.0.1, and a mio `Poll` loop
//! that drives one or two such pipelines to a deadline, keeping each link's stream registered
//! with the interest the link reports and playing each pipeline's application.
//!
//! A test crate that includes this file also includes `common/tls.rs` as `mod tls`.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::ErrorKind;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Poll, Registry, Token};
use pipebuf::{PBufRdWr, PBufState, PipeBufPair, Status, pipeline};
use pipebuf_stages::{TcpLink, TlsClient, TlsServer};

use crate::tls;

/// TCP alone: the application reads and writes the stream's bytes.
#[pipeline]
pub(crate) struct TcpSide {
    pub(crate) tcp: TcpLink,
    #[link(tcp.upper <->)]
    app: PipeBufPair,
}

/// A TLS server over TCP, as a straight chain.
#[pipeline]
pub(crate) struct TlsServerSide {
    pub(crate) tcp: TcpLink,
    pub(crate) tls: TlsServer,
    #[link(tls.upper <->)]
    app: PipeBufPair,
}

/// A TLS client over TCP, as a straight chain.
#[pipeline]
pub(crate) struct TlsClientSide {
    pub(crate) tcp: TcpLink,
    pub(crate) tls: TlsClient,
    #[link(tls.upper <->)]
    app: PipeBufPair,
}

/// What the driver needs from a pipeline with a `TcpLink` at the bottom.
pub(crate) trait Endpoint {
    /// The link, to hand it events and register its stream.
    fn tcp(&mut self) -> &mut TcpLink;
    /// Runs the pipeline once; the error with its sources, as text.
    fn run(&mut self) -> Result<Status, String>;
    /// The application's end.
    fn app(&mut self) -> PBufRdWr<'_>;
    /// What the TLS stage says, if there is one.
    fn tls_state(&self) -> String;
    /// Whether application data can flow: connected, and the handshake done if there is one.
    fn is_ready(&self) -> bool;
}

/// Implements [`Endpoint`] for a pipeline, with `$tls` telling the TLS stage's state.
macro_rules! endpoint {
    ($side:ident, $tls:expr, $ready:expr) => {
        impl Endpoint for $side {
            fn tcp(&mut self) -> &mut TcpLink {
                &mut self.tcp
            }

            fn run(&mut self) -> Result<Status, String> {
                self.process().map_err(|error| chain(&error))
            }

            fn app(&mut self) -> PBufRdWr<'_> {
                $side::app(self)
            }

            fn tls_state(&self) -> String {
                let describe: fn(&Self) -> String = $tls;
                describe(self)
            }

            fn is_ready(&self) -> bool {
                let ready: fn(&Self) -> bool = $ready;
                self.tcp.is_connected() && ready(self)
            }
        }
    };
}

endpoint!(TcpSide, |_| String::new(), |_| true);
endpoint!(
    TlsServerSide,
    |side| format!(
        "tls: handshaking {}, version {:?}, close_notify received {}",
        side.tls.is_handshaking(),
        side.tls.protocol_version(),
        side.tls.has_received_close_notify()
    ),
    |side| !side.tls.is_handshaking()
);
endpoint!(
    TlsClientSide,
    |side| format!(
        "tls: handshaking {}, version {:?}, close_notify received {}",
        side.tls.is_handshaking(),
        side.tls.protocol_version(),
        side.tls.has_received_close_notify()
    ),
    |side| !side.tls.is_handshaking()
);

/// A pipeline and the application on top of it, as the driver sees them.
pub(crate) struct Node<P> {
    pub(crate) p: P,
    /// What the application received, in order (a test may take it out as it goes).
    pub(crate) received: Vec<u8>,
    /// For each push the application saw, how much it had received then.
    pub(crate) pushes: Vec<usize>,
    /// How the inbound stream ended (`Closed` or `Aborted`), once the application took the end.
    pub(crate) end: Option<PBufState>,
    /// Whether the application sends back all it receives, push and end included.
    pub(crate) echo: bool,
    /// How many bytes the application received.
    pub(crate) count: usize,
    /// The pipeline's errors, and hangs, in order.
    pub(crate) errors: Vec<String>,
    /// The pipeline's last status.
    pub(crate) status: Option<Status>,
}

impl<P: Endpoint> Node<P> {
    /// The application over `p`: it stores what it receives and sends nothing.
    pub(crate) fn new(p: P) -> Self {
        Node {
            p,
            received: Vec::new(),
            pushes: Vec::new(),
            end: None,
            echo: false,
            count: 0,
            errors: Vec::new(),
            status: None,
        }
    }

    /// Takes what the application's inbound stream holds; returns true if anything moved.
    fn collect(&mut self) -> bool {
        let mut app = self.p.app();
        let len = app.rd.len();
        self.received.extend_from_slice(app.rd.data());
        self.count += len;
        let state = app.rd.state();
        if state == PBufState::Push {
            self.pushes.push(self.count);
        }
        if state.has_pending_eof() {
            self.end =
                Some(if state.is_aborted() { PBufState::Aborted } else { PBufState::Closed });
        }
        if self.echo {
            app.rd.forward(app.wr.reborrow());
        } else {
            app.rd.consume(len);
            app.rd.consume_push();
            app.rd.consume_eof();
        }
        len > 0 || state != app.rd.state()
    }

    /// Runs the pipeline and the application until neither has more to do, then keeps the
    /// stream registered with the link's interest.
    fn drive(&mut self, registry: &Registry, token: Token) {
        for _ in 0..1000 {
            match self.p.run() {
                Ok(status @ Status::Hung { .. }) => self.errors.push(format!("{status:?}")),
                Ok(status) => self.status = Some(status),
                Err(error) => self.errors.push(error),
            }
            if !self.collect() {
                break;
            }
        }
        self.p.tcp().register(registry, token).expect("register");
    }

    /// The states seen, for a failure message.
    pub(crate) fn report(&mut self) -> String {
        let received = self.count;
        let pushes = self.pushes.len();
        let (end, errors, status) = (self.end, self.errors.clone(), self.status);
        let tls = self.p.tls_state();
        let tcp = self.p.tcp();
        let tcp = format!(
            "tcp: connected {}, reset {}, interest {:?}, stream {}",
            tcp.is_connected(),
            tcp.is_reset(),
            tcp.interest(),
            if tcp.stream().is_some() { "open" } else { "closed" }
        );
        let app = self.p.app();
        format!(
            "received {received} bytes, {pushes} pushes, end {end:?}, app in {:?} (unread {}), \
             app out {}; {tcp}; {tls}; status {status:?}; errors {errors:?}",
            app.rd.state(),
            app.rd.len(),
            if app.wr.is_eof() { "ended" } else { "open" },
        )
    }
}

/// An application, as a test plays it: what it does and what it saw, whatever the pipeline
/// under it.
pub(crate) trait Side {
    /// Sends `data`.
    fn send(&mut self, data: &[u8]);
    /// Asks for a push of what it sent.
    fn push(&mut self);
    /// Closes its outbound stream.
    fn close(&mut self);
    /// Aborts its outbound stream.
    fn abort(&mut self);
    /// What it received, in order.
    fn received(&self) -> &[u8];
    /// How many bytes it received.
    fn count(&self) -> usize;
    /// For each push it saw, how much it had received then.
    fn pushes(&self) -> &[usize];
    /// How its inbound stream ended, once it took the end.
    fn end(&self) -> Option<PBufState>;
    /// The pipeline's errors.
    fn errors(&self) -> &[String];
    /// Whether application data can flow.
    fn is_ready(&self) -> bool;
}

impl<P: Endpoint> Side for Node<P> {
    fn send(&mut self, data: &[u8]) {
        self.p.app().wr.append(data);
    }

    fn push(&mut self) {
        self.p.app().wr.push();
    }

    fn close(&mut self) {
        self.p.app().wr.close();
    }

    fn abort(&mut self) {
        self.p.app().wr.abort();
    }

    fn received(&self) -> &[u8] {
        &self.received
    }

    fn count(&self) -> usize {
        self.count
    }

    fn pushes(&self) -> &[usize] {
        &self.pushes
    }

    fn end(&self) -> Option<PBufState> {
        self.end
    }

    fn errors(&self) -> &[String] {
        &self.errors
    }

    fn is_ready(&self) -> bool {
        self.p.is_ready()
    }
}

/// One or two pipelines in one mio poll loop, with a deadline. By convention `a` is the client's
/// and `b` the server's.
pub(crate) struct Net<A, B = A> {
    poll: Poll,
    events: Events,
    deadline: Instant,
    pub(crate) a: Node<A>,
    pub(crate) b: Option<Node<B>>,
}

impl<A: Endpoint, B: Endpoint> Net<A, B> {
    /// Drives `a`, and `b` if given, for at most `timeout` in all.
    pub(crate) fn new(a: A, b: Option<B>, timeout: Duration) -> Self {
        Net {
            poll: Poll::new().expect("a mio poll"),
            events: Events::with_capacity(64),
            deadline: Instant::now() + timeout,
            a: Node::new(a),
            b: b.map(Node::new),
        }
    }

    /// The second pipeline.
    pub(crate) fn b(&mut self) -> &mut Node<B> {
        self.b.as_mut().expect("the net has a second pipeline")
    }

    /// Drives every pipeline until it rests, then waits for events (at most 5 ms) and hands
    /// them to the links.
    pub(crate) fn step(&mut self) {
        self.a.drive(self.poll.registry(), Token(0));
        if let Some(b) = &mut self.b {
            b.drive(self.poll.registry(), Token(1));
        }
        match self.poll.poll(&mut self.events, Some(Duration::from_millis(5))) {
            Err(error) if error.kind() == ErrorKind::Interrupted => return,
            result => result.expect("poll"),
        }
        for event in &self.events {
            match (event.token(), &mut self.b) {
                (Token(0), _) => self.a.p.tcp().handle_event(event),
                (Token(1), Some(b)) => b.p.tcp().handle_event(event),
                (token, _) => panic!("an event for an unknown token {token:?}"),
            }
        }
    }

    /// The two applications: `a`'s then `b`'s if `a_first`, else the other way round.
    pub(crate) fn sides(&mut self, a_first: bool) -> (&mut dyn Side, &mut dyn Side) {
        let b = self.b.as_mut().expect("the net has a second pipeline");
        if a_first { (&mut self.a, b) } else { (b, &mut self.a) }
    }

    /// Steps until `done` holds; panics, with the states seen, at the deadline.
    pub(crate) fn until(&mut self, what: &str, mut done: impl FnMut(&mut Self) -> bool) {
        loop {
            if done(self) {
                return;
            }
            assert!(
                Instant::now() < self.deadline,
                "timed out waiting for {what}\n{}",
                self.report()
            );
            self.step();
        }
    }

    /// Steps until both applications took the end of their inbound stream.
    pub(crate) fn until_ended(&mut self) {
        self.until("both ends", |net| net.a.end.is_some() && net.b().end.is_some());
    }

    /// The states seen on each side, for a failure message.
    pub(crate) fn report(&mut self) -> String {
        let mut text = format!("a: {}", self.a.report());
        if let Some(b) = &mut self.b {
            let _ = write!(text, "\nb: {}", b.report());
        }
        text
    }
}

/// The two ends of a TCP connection on 127.0.0.1: the client's, still connecting, and the
/// server's, accepted.
pub(crate) fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let client =
        TcpStream::connect(listener.local_addr().expect("local address")).expect("connect");
    // The kernel completes the connection in the backlog: accept returns at once.
    let (server, _) = listener.accept().expect("accept");
    server.set_nonblocking(true).expect("non-blocking");
    (client, TcpStream::from_std(server))
}

/// A client and a server pipeline of TCP alone, connected.
pub(crate) fn tcp_net(timeout: Duration) -> Net<TcpSide, TcpSide> {
    let (client, server) = tcp_pair();
    Net::new(TcpSide::new(TcpLink::new(client)), Some(TcpSide::new(TcpLink::new(server))), timeout)
}

/// A TLS client and a TLS server pipeline over TCP, connected, offering TLS `version` ("1.2",
/// "1.3", or "" for both), with a server certificate for `localhost` made on the spot.
pub(crate) fn tls_net(version: &str, timeout: Duration) -> Net<TlsClientSide, TlsServerSide> {
    let cert = tls::certificate();
    let (client, server) = tcp_pair();
    let server_tls = TlsServer::new(tls::server_config(&cert, tls::versions(version), &[]))
        .expect("rustls accepts the server config");
    let config = tls::client_config(&[cert.cert.der()], tls::versions(version), &[]);
    let client_tls = TlsClient::new(config, "localhost".try_into().expect("a valid name"))
        .expect("rustls accepts the client config");
    Net::new(
        TlsClientSide::new(TcpLink::new(client), client_tls),
        Some(TlsServerSide::new(TcpLink::new(server), server_tls)),
        timeout,
    )
}

/// A pseudo-random byte pattern: `len` bytes of stream `seed`, from byte `from` on.
pub(crate) fn pattern(seed: u64, from: usize, len: usize) -> Vec<u8> {
    // Each 8-byte word is a hash of its index, so any slice can be made on its own.
    let word = |i: u64| {
        let mut x = (i ^ seed.rotate_left(32)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        x ^= x >> 29;
        x.wrapping_mul(0xbf58_476d_1ce4_e5b9).to_le_bytes()
    };
    let mut out = Vec::with_capacity(len + 16);
    let first = from / 8;
    let last = (from + len).div_ceil(8);
    for i in first..last {
        out.extend_from_slice(&word(i as u64));
    }
    let skip = from % 8;
    out.drain(..skip);
    out.truncate(len);
    out
}

pub(crate) use pipebuf_stages::error_chain as chain;

/// Asserts that `got` is `want`, saying what differs without printing megabytes.
#[track_caller]
pub(crate) fn assert_bytes(got: &[u8], want: &[u8], what: &str) {
    if got != want {
        let at =
            got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
        panic!("{what}: got {} bytes, want {}, first difference at {at}", got.len(), want.len());
    }
}

/// Asserts that `got` is the start of `want` (or all of it).
#[track_caller]
pub(crate) fn assert_prefix(got: &[u8], want: &[u8], what: &str) {
    assert!(
        got.len() <= want.len(),
        "{what}: got {} bytes, more than the {} sent",
        got.len(),
        want.len()
    );
    assert_bytes(got, &want[..got.len()], what);
}
