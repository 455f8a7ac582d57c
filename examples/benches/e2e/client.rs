//! What both load clients share (the rows, their results, the messages and their check), the
//! load client on tokio-tungstenite over tokio-rustls on one thread (`--client tungstenite`),
//! the idle connections, and the shutdown check, tungstenite over a blocking rustls stream.

use std::error::Error;
use std::io::ErrorKind;
use std::net::TcpStream as StdTcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use futures_util::{FutureExt, SinkExt, StreamExt, TryStreamExt, stream};
use pipebuf_stages::rustls::crypto::ring;
use pipebuf_stages::rustls::pki_types::ServerName;
use pipebuf_stages::rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use tokio::net::TcpStream;
use tokio::time::{sleep, timeout};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::procfs;

/// Errors that cross tasks.
pub(crate) type BoxError = Box<dyn Error + Send + Sync>;

/// One client connection.
type Ws = WebSocketStream<TlsStream<TcpStream>>;

/// One row of the load table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Load {
    /// Connections, all sending at once.
    pub(crate) conns: usize,
    /// Bytes per binary message (at least [`HEADER`]).
    pub(crate) size: usize,
    /// Messages in flight per connection.
    pub(crate) window: u64,
    /// Run time before the measurement, to fill the pipes and warm the caches.
    pub(crate) warmup: Duration,
    /// The measured time.
    pub(crate) measure: Duration,
}

/// What one row measured.
#[derive(Debug, Default)]
pub(crate) struct LoadResult {
    /// Echoes received in the measured time.
    pub(crate) msgs: u64,
    /// The measured time, in seconds, as it really was.
    pub(crate) secs: f64,
    /// The server's CPU time in the measured time, in microseconds.
    pub(crate) server_cpu_us: u64,
    /// The client's own, likewise.
    pub(crate) client_cpu_us: u64,
    /// Round-trip times of the echoes measured, in nanoseconds, sorted.
    pub(crate) rtts: Vec<u32>,
    /// Echoes received in the measured time, per connection.
    pub(crate) per_conn: Vec<u64>,
    /// Echoes that were not what was sent (wrong length, order, kind or bytes).
    pub(crate) echo_errors: u64,
    /// Connections that failed or stalled, with the reason.
    pub(crate) failures: Vec<String>,
}

impl LoadResult {
    /// Echoes per second.
    pub(crate) fn rate(&self) -> f64 {
        ratio(self.msgs, 1) / self.secs
    }

    /// The fraction of a core the server used.
    pub(crate) fn server_load(&self) -> f64 {
        ratio(self.server_cpu_us, 1) / (self.secs * 1e6)
    }

    /// The fraction of a core the client used.
    pub(crate) fn client_load(&self) -> f64 {
        ratio(self.client_cpu_us, 1) / (self.secs * 1e6)
    }
}

/// Everything the client needs to reach a server.
#[derive(Clone)]
pub(crate) struct Target {
    /// The server's port on 127.0.0.1.
    pub(crate) port: u16,
    /// Trusts the server's certificate only.
    pub(crate) tls: Arc<ClientConfig>,
    /// The server's process, for `/proc`.
    pub(crate) pid: u32,
    /// The unit of `/proc/<pid>/stat` times.
    pub(crate) ticks: u64,
}

/// Runs one row: connects, loads for the warm-up and measured time, lets what is in flight
/// come back, and closes every connection cleanly.
pub(crate) async fn load(target: &Target, load: Load) -> Result<LoadResult, BoxError> {
    let conns = connect_many(target, load.conns).await?;
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let probe = Probe::new(load.size);
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|ws| {
            let conn = Conn { phase: Arc::clone(&phase), probe: probe.clone() };
            tokio::spawn(conn.run(ws, load.window))
        })
        .collect();
    sleep(load.warmup).await;
    let meter = Meter::start(target)?;
    phase.store(MEASURE, Ordering::Relaxed);
    sleep(load.measure).await;
    phase.store(DRAIN, Ordering::Relaxed);
    let mut result = meter.stop()?;
    for task in tasks {
        result.add(task.await?);
    }
    Ok(result.finish())
}

/// The measured time of a row: when it began, and the CPU times of both processes then.
pub(crate) struct Meter {
    pid: u32,
    ticks: u64,
    began: Instant,
    server: u64,
    client: u64,
}

impl Meter {
    /// The measured time begins.
    pub(crate) fn start(target: &Target) -> Result<Meter, BoxError> {
        let (pid, ticks) = (target.pid, target.ticks);
        let server = procfs::cpu_micros(pid, ticks)?;
        let client = procfs::cpu_micros(std::process::id(), ticks)?;
        Ok(Meter { pid, ticks, began: Instant::now(), server, client })
    }

    /// The measured time ends: its length and the CPU time each process used in it.
    pub(crate) fn stop(self) -> Result<LoadResult, BoxError> {
        let server = procfs::cpu_micros(self.pid, self.ticks)?;
        let client = procfs::cpu_micros(std::process::id(), self.ticks)?;
        Ok(LoadResult {
            secs: self.began.elapsed().as_secs_f64(),
            server_cpu_us: server - self.server,
            client_cpu_us: client - self.client,
            ..LoadResult::default()
        })
    }
}

impl LoadResult {
    /// Adds what one connection saw.
    pub(crate) fn add(&mut self, stats: ConnStats) {
        let echoes = stats.rtts.len() as u64;
        self.msgs += echoes;
        self.per_conn.push(echoes);
        self.rtts.extend(stats.rtts);
        self.echo_errors += stats.echo_errors;
        self.failures.extend(stats.failure);
    }

    /// Sorts the round trips, once every connection is in.
    pub(crate) fn finish(mut self) -> Self {
        self.rtts.sort_unstable();
        self
    }
}

/// Memory of a server process.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Memory {
    /// Resident set size (`VmRSS`), in bytes.
    pub(crate) rss: u64,
    /// Bytes allocated and not yet freed, as the server's allocator counts them.
    pub(crate) heap: u64,
}

/// Opens `n` idle connections (each echoes one small message first, so that the server has
/// run its whole pipeline), waits `settle`, and returns the server's `memory` before and after
/// them; then closes them.
pub(crate) async fn idle(
    target: &Target,
    n: usize,
    settle: Duration,
    mut memory: impl FnMut() -> Result<Memory, BoxError>,
) -> Result<(Memory, Memory), BoxError> {
    // One connection first, so that what the server allocates once is in the baseline.
    let mut conns = connect_many(target, 1).await?;
    ping(&mut conns[0]).await?;
    close(conns.pop().ok_or("no connection")?).await?;
    sleep(Duration::from_millis(500)).await;
    let before = memory()?;
    let mut conns = connect_many(target, n).await?;
    stream::iter(conns.iter_mut())
        .for_each_concurrent(CONCURRENCY, |ws| async {
            let _ = ping(ws).await;
        })
        .await;
    sleep(settle).await;
    let after = memory()?;
    stream::iter(conns)
        .for_each_concurrent(CONCURRENCY, |ws| async {
            let _ = close(ws).await;
        })
        .await;
    Ok((before, after))
}

/// How a clean shutdown ended, seen by the client.
#[derive(Debug)]
pub(crate) struct Shutdown {
    /// The server answered our Close with a Close.
    pub(crate) close_frame: bool,
    /// The server ended TLS with a `close_notify` (rustls reads a clean end of stream), rather
    /// than just closing TCP (rustls reads `UnexpectedEof`).
    pub(crate) close_notify: bool,
}

/// Connects, echoes one message, sends a Close and reads to the end, on a blocking socket with
/// tungstenite (the one tokio-tungstenite uses), where rustls shows whether `close_notify` came.
pub(crate) fn shutdown(target: &Target) -> Result<Shutdown, BoxError> {
    let tcp = StdTcpStream::connect(("127.0.0.1", target.port))?;
    tcp.set_read_timeout(Some(STALL))?;
    let tls = ClientConnection::new(Arc::clone(&target.tls), server_name())?;
    let url = format!("wss://localhost:{}/", target.port);
    let (mut ws, _) = tungstenite::client(url, StreamOwned::new(tls, tcp))
        .map_err(|e| format!("handshake: {e}"))?;
    ws.send(Message::binary(b"hello".as_slice()))?;
    if ws.read()? != Message::binary(b"hello".as_slice()) {
        return Err("a wrong echo".into());
    }
    ws.close(None)?;
    let mut close_frame = false;
    loop {
        match ws.read() {
            Ok(Message::Close(_)) => close_frame = true,
            Ok(_) => {}
            // tungstenite read a clean end of stream: rustls saw `close_notify`.
            Err(tungstenite::Error::ConnectionClosed) => {
                return Ok(Shutdown { close_frame, close_notify: true });
            }
            Err(tungstenite::Error::Io(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                return Ok(Shutdown { close_frame, close_notify: false });
            }
            Err(e) => return Err(format!("after our Close: {e}").into()),
        }
    }
}

/// A client config that trusts only `cert` (DER), on ring like the servers.
pub(crate) fn client_config(cert: &[u8]) -> Result<Arc<ClientConfig>, BoxError> {
    let mut roots = RootCertStore::empty();
    roots.add(cert.to_vec().into())?;
    let provider = Arc::new(ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// One loaded connection's task.
struct Conn {
    phase: Arc<AtomicU8>,
    probe: Probe,
}

/// The messages a loaded connection sends, and the check of their echoes: the same for both
/// load clients.
#[derive(Clone)]
pub(crate) struct Probe {
    epoch: Instant,
    /// A message's bytes, of which each message replaces the [`HEADER`].
    template: Arc<[u8]>,
}

impl Probe {
    /// Messages of `size` bytes (at least [`HEADER`]).
    pub(crate) fn new(size: usize) -> Self {
        Probe { epoch: Instant::now(), template: (0..size).map(fill_byte).collect() }
    }

    /// A message's bytes, before [`stamp`](Self::stamp) makes them message `seq`'s.
    pub(crate) fn template(&self) -> Vec<u8> {
        self.template.to_vec()
    }

    /// The time now, as messages carry it: nanoseconds since the probe was made.
    pub(crate) fn now(&self) -> u64 {
        nanos(self.epoch)
    }

    /// Makes `bytes`, a copy of the template, message `seq`'s: its number and the time it is
    /// sent, `now`.
    pub(crate) fn stamp(seq: u64, now: u64, bytes: &mut [u8]) {
        bytes[..8].copy_from_slice(&seq.to_le_bytes());
        bytes[8..HEADER].copy_from_slice(&now.to_le_bytes());
    }

    /// Checks that `data` is message `seq` come back, and records its round trip if it came in
    /// the measured time (`measured_at`, the time it came).
    pub(crate) fn check(
        &self,
        data: &[u8],
        seq: u64,
        measured_at: Option<u64>,
        stats: &mut ConnStats,
    ) {
        let header = |range: std::ops::Range<usize>| {
            data.get(range).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes)
        };
        let (Some(got), Some(sent_at)) = (header(0..8), header(8..HEADER)) else {
            stats.echo_errors += 1;
            return;
        };
        if got != seq
            || data.len() != self.template.len()
            || data[HEADER..] != self.template[HEADER..]
        {
            stats.echo_errors += 1;
            return;
        }
        if let Some(now) = measured_at {
            let rtt = now.saturating_sub(sent_at);
            stats.rtts.push(u32::try_from(rtt).unwrap_or(u32::MAX));
        }
    }
}

/// What one loaded connection saw.
#[derive(Debug, Default)]
pub(crate) struct ConnStats {
    /// The round-trip time of each echo received in the measured time, in nanoseconds.
    pub(crate) rtts: Vec<u32>,
    pub(crate) echo_errors: u64,
    pub(crate) failure: Option<String>,
}

impl Conn {
    /// Keeps `window` messages in flight until the measured time is over, receives the rest,
    /// then closes.
    async fn run(self, mut ws: Ws, window: u64) -> ConnStats {
        let mut stats = ConnStats::default();
        if let Err(e) = self.pump(&mut ws, window, &mut stats).await {
            stats.failure = Some(e.to_string());
        } else if let Err(e) = close(ws).await {
            stats.failure = Some(format!("close: {e}"));
        }
        stats
    }

    async fn pump(&self, ws: &mut Ws, window: u64, stats: &mut ConnStats) -> Result<(), BoxError> {
        let (mut sent, mut received) = (0, 0);
        while sent < window {
            ws.feed(self.message(sent)).await?;
            sent += 1;
        }
        ws.flush().await?;
        while received < sent {
            let Ok(mut next) = timeout(STALL, ws.next()).await else {
                let in_flight = sent - received;
                return Err(format!("stalled: no echo for {STALL:?}, {in_flight} in flight").into());
            };
            // Takes every echo that is already here, sends as many new messages, then
            // flushes them together, as a pipelining client does.
            loop {
                let msg = next.ok_or("the server closed")??;
                self.check(&msg, received, stats);
                received += 1;
                if self.phase.load(Ordering::Relaxed) != DRAIN {
                    ws.feed(self.message(sent)).await?;
                    sent += 1;
                }
                match ws.next().now_or_never() {
                    Some(more) => next = more,
                    None => break,
                }
            }
            ws.flush().await?;
        }
        Ok(())
    }

    /// Message `seq`, as tungstenite sends it.
    fn message(&self, seq: u64) -> Message {
        let mut bytes = self.probe.template();
        Probe::stamp(seq, self.probe.now(), &mut bytes);
        Message::Binary(bytes.into())
    }

    /// Checks that `msg` is message `seq` come back, and records its round trip if measured.
    fn check(&self, msg: &Message, seq: u64, stats: &mut ConnStats) {
        let Message::Binary(data) = msg else {
            stats.echo_errors += 1;
            return;
        };
        let measuring = self.phase.load(Ordering::Relaxed) == MEASURE;
        self.probe.check(data, seq, measuring.then(|| self.probe.now()), stats);
    }
}

/// Opens `n` connections, [`CONCURRENCY`] handshakes at a time.
async fn connect_many(target: &Target, n: usize) -> Result<Vec<Ws>, BoxError> {
    stream::iter(0..n).map(|_| connect(target)).buffer_unordered(CONCURRENCY).try_collect().await
}

/// Opens one connection: TCP, TLS, WebSocket.
async fn connect(target: &Target) -> Result<Ws, BoxError> {
    let tcp = TcpStream::connect(("127.0.0.1", target.port)).await?;
    // The client sends at once; whether the server waits to fill segments is its own choice.
    tcp.set_nodelay(true)?;
    let tls = TlsConnector::from(Arc::clone(&target.tls)).connect(server_name(), tcp).await?;
    let url = format!("wss://localhost:{}/", target.port);
    let (ws, _) = tokio_tungstenite::client_async(url, tls).await?;
    Ok(ws)
}

/// Sends one small message and waits for its echo.
async fn ping(ws: &mut Ws) -> Result<(), BoxError> {
    ws.send(Message::binary(b"ping".as_slice())).await?;
    match ws.next().await {
        Some(Ok(Message::Binary(data))) if data == b"ping".as_slice() => Ok(()),
        other => Err(format!("a wrong echo: {other:?}").into()),
    }
}

/// Sends a Close, and reads until the server's Close and the end of the stream.
async fn close(mut ws: Ws) -> Result<(), BoxError> {
    ws.close(None).await?;
    let drain = async {
        while let Some(msg) = ws.next().await {
            match msg {
                Ok(_) => {}
                // tokio-rustls passes on rustls's `UnexpectedEof` when the server ends TCP
                // without `close_notify`: the WebSocket closing handshake is done by then.
                Err(tungstenite::Error::Io(e)) if e.kind() == ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    };
    timeout(STALL, drain).await.map_err(|_| "no end after our Close")??;
    Ok(())
}

pub(crate) fn server_name() -> ServerName<'static> {
    ServerName::try_from("localhost").expect("a valid DNS name")
}

/// Nanoseconds since `epoch`.
fn nanos(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The template's byte at `i`: varied, so that a shifted or mixed-up echo shows.
fn fill_byte(i: usize) -> u8 {
    let [low, high, ..] = i.to_le_bytes();
    low.wrapping_mul(31) ^ high
}

/// `a / b` for the report.
#[expect(clippy::cast_precision_loss, reason = "byte counts far below 2^52")]
pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    a as f64 / b as f64
}

/// Bytes of a message's header: its sequence number and its send time (little endian).
pub(crate) const HEADER: usize = 16;
/// How long a connection may wait for an echo before it counts as stalled.
pub(crate) const STALL: Duration = Duration::from_secs(5);
/// Handshakes under way at once.
const CONCURRENCY: usize = 64;
/// The phases of a row, as every connection task sees them.
pub(crate) const WARMUP: u8 = 0;
pub(crate) const MEASURE: u8 = 1;
pub(crate) const DRAIN: u8 = 2;
