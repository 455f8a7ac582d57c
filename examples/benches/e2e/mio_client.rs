//! The default load client, on our own stages: per connection a `TcpLink <-> TlsClient <->
//! WebsocketClient` pipeline, all of them on one mio `Poll` on this thread. It spends less CPU
//! per message than tokio-tungstenite's client (`--client tungstenite`), so that the server
//! under test, not the single-core client, is the bottleneck on more rows.
//!
//! It sends and checks the same messages as the other client (`client::Probe`), keeps the same
//! window per connection, and ends each connection with a Close. The warm-up begins once every
//! connection has had its first echo, as the other client's begins once every handshake is done.

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use pipebuf::{Budget, PipeBufPair, Status, pipeline};
use pipebuf_examples::client::connect;
use pipebuf_stages::mio::{Events, Poll, Token};
use pipebuf_stages::websocket::{ClientRequest, Message, MessageKind, WebsocketClient};
use pipebuf_stages::{TcpLink, TlsClient, error_chain};
use rand::SeedableRng as _;
use rand::rngs::StdRng;

use crate::client::{
    BoxError, ConnStats, DRAIN, Load, LoadResult, MEASURE, Meter, Probe, STALL, Target, WARMUP,
    server_name,
};

/// One client connection: WebSocket over TLS over TCP, the messages at the top.
#[pipeline]
struct Wss {
    tcp: TcpLink,
    tls: TlsClient,
    ws: WebsocketClient<StdRng>,
    #[link(tcp.upper <-> tls.lower, limit = 65536)]
    net: PipeBufPair,
    #[link(tls.upper <-> ws.lower, limit = 65536)]
    plain: PipeBufPair,
    // Unlimited: the window bounds what the client writes here.
    #[link(ws.upper <->)]
    app: PipeBufPair<Message>,
}

/// Runs one row: connects, loads for the warm-up and measured time, lets what is in flight
/// come back, and closes every connection cleanly.
pub(crate) fn load(target: &Target, load: Load) -> Result<LoadResult, BoxError> {
    let mut poll = Poll::new()?;
    let probe = Probe::new(load.size);
    let mut conns =
        (0..load.conns).map(|_| Conn::open(target, &probe)).collect::<Result<Vec<_>, _>>()?;
    let mut events = Events::with_capacity(1024);
    let (mut phase, mut meter, mut measured) = (WARMUP, None, None);
    // Set once every connection is up.
    let mut measure_at: Option<Instant> = None;
    let mut next_sweep = Instant::now() + SWEEP;
    let mut ready: Vec<usize> = (0..conns.len()).collect();
    loop {
        for &i in &ready {
            let conn = &mut conns[i];
            if !conn.over {
                conn.drive(&probe, phase, load.window);
                conn.wss.tcp.register(poll.registry(), Token(i))?;
            }
        }
        ready.clear();
        if conns.iter().all(|conn| conn.over) {
            break;
        }
        let now = Instant::now();
        if measure_at.is_none() && conns.iter().all(|conn| conn.received > 0 || conn.over) {
            measure_at = Some(now + load.warmup);
        }
        let drain_at = measure_at.map(|at| at + load.measure);
        if phase == WARMUP && measure_at.is_some_and(|at| now >= at) {
            meter = Some(Meter::start(target)?);
            phase = MEASURE;
        } else if phase == MEASURE && drain_at.is_some_and(|at| now >= at) {
            measured = meter.take().map(Meter::stop).transpose()?;
            phase = DRAIN;
            // Those with nothing in flight close now; the others once their echoes are in.
            ready.extend(0..conns.len());
            continue;
        }
        if now >= next_sweep {
            let time = probe.now();
            for conn in &mut conns {
                conn.check_stall(time);
            }
            next_sweep = now + SWEEP;
        }
        let deadline = match phase {
            WARMUP => measure_at,
            MEASURE => drain_at,
            _ => None,
        }
        .map_or(next_sweep, |at| at.min(next_sweep));
        let timeout = deadline.saturating_duration_since(Instant::now());
        match poll.poll(&mut events, Some(timeout)) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            result => result?,
        }
        for event in &events {
            let i = event.token().0;
            conns[i].wss.tcp.handle_event(event);
            ready.push(i);
        }
    }
    let mut result = measured.ok_or("the row ended before its measured time")?;
    for conn in conns {
        result.add(conn.stats);
    }
    Ok(result.finish())
}

/// One loaded connection and what it saw.
struct Conn {
    wss: Wss,
    /// Messages sent, and echoes received, so far.
    sent: u64,
    received: u64,
    /// Our Close is on its way.
    closing: bool,
    /// The connection ended, well or badly.
    over: bool,
    /// When the last echo came (or the connection opened), as [`Probe::now`] tells time.
    last_echo: u64,
    stats: ConnStats,
    /// The next message's bytes: the template, stamped for each message and copied into it
    /// (inline up to 22 bytes, as a user's short message would be).
    scratch: Vec<u8>,
}

impl Conn {
    /// Connects; the handshakes run in the loop.
    fn open(target: &Target, probe: &Probe) -> Result<Conn, BoxError> {
        let tcp = TcpLink::new(connect("127.0.0.1", target.port)?);
        let tls = TlsClient::new(target.tls.clone(), server_name())?;
        let request = ClientRequest::new(format!("localhost:{}", target.port), "/");
        let ws = WebsocketClient::new(request, StdRng::from_os_rng());
        Ok(Conn {
            wss: Wss::new(tcp, tls, ws),
            sent: 0,
            received: 0,
            closing: false,
            over: false,
            last_echo: probe.now(),
            stats: ConnStats::default(),
            scratch: probe.template(),
        })
    }

    /// Runs the pipeline and the application in turn until neither has more to do.
    fn drive(&mut self, probe: &Probe, phase: u8, window: u64) {
        loop {
            match self.wss.process_with(Budget::UNLIMITED) {
                Ok(Status::Done) => {
                    if !self.closing {
                        self.fail("the server ended the connection".to_owned());
                    }
                    self.over = true;
                    return;
                }
                Ok(Status::Hung { stage }) => return self.fail(format!("stage `{stage}` hung")),
                Ok(_) => {}
                Err(error) => return self.fail(error_chain(&error)),
            }
            if !self.pump(probe, phase, window) {
                return;
            }
        }
    }

    /// Checks the echoes that came, tops the window up (or closes, once draining and every
    /// echo is in); returns whether it did anything.
    fn pump(&mut self, probe: &Probe, phase: u8, window: u64) -> bool {
        let mut app = self.wss.app();
        let echoes = app.rd.len();
        // The echoes came in one read, and the messages go out in one write: one time for all.
        let now = probe.now();
        let measured_at = (phase == MEASURE).then_some(now);
        for message in app.rd.data() {
            if message.kind() == MessageKind::Binary && !message.has_more() {
                probe.check(message.data(), self.received, measured_at, &mut self.stats);
            } else {
                self.stats.echo_errors += 1;
            }
            self.received += 1;
        }
        app.rd.consume(echoes);
        let mut active = echoes > 0;
        if active {
            self.last_echo = now;
        }
        if phase != DRAIN {
            while self.sent - self.received < window {
                Probe::stamp(self.sent, now, &mut self.scratch);
                app.wr.space(1)[0] = Message::binary(self.scratch.as_slice());
                app.wr.commit(1);
                self.sent += 1;
                active = true;
            }
        } else if self.sent == self.received && !self.closing {
            app.wr.close();
            self.closing = true;
            active = true;
        }
        active | app.rd.consume_eof()
    }

    /// Gives up on a connection that has waited [`STALL`] for an echo.
    fn check_stall(&mut self, now: u64) {
        let in_flight = self.sent - self.received;
        let waited = Duration::from_nanos(now.saturating_sub(self.last_echo));
        if !self.over && in_flight > 0 && waited >= STALL {
            self.fail(format!("stalled: no echo for {STALL:?}, {in_flight} in flight"));
        }
    }

    fn fail(&mut self, reason: String) {
        self.stats.failure.get_or_insert(reason);
        self.over = true;
    }
}

/// How often stalls are looked for.
const SWEEP: Duration = Duration::from_millis(100);
