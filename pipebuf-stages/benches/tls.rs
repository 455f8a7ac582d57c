//! TLS stages against raw rustls and the published `pipebuf_rustls`, side by side in one run, in
//! memory: bulk throughput, handshakes, and the heap an idle connection keeps.
//!
//! Three variants, all on rustls 0.23 with ring, TLS 1.3 and `TLS13_AES_128_GCM_SHA256`, one
//! ECDSA P-256 certificate made by rcgen:
//!
//! - `ours`: a [`TlsClient`] and a [`TlsServer`] whose `lower` ports share one [`PipeBufPair`]
//!   (the wire), each with a [`PipeBufPair`] for its plaintext, and the loop everyone writes:
//!   call both stages, stop after a pass with no activity.
//! - `raw`: a `ClientConnection` and a `ServerConnection` driven through the buffered API between
//!   plain `Vec<u8>` buffers, the way a careful user writes it: `writer().write_all`,
//!   `write_tls` into the wire `Vec`, `read_tls` from it, `process_new_packets`, and
//!   `reader().read` into a reused 16 KiB buffer.
//! - `published`: `pipebuf_rustls` 0.23.1 (its default, buffered mode) on pipebuf 0.3.2, joined
//!   the same way as `ours`.
//!
//! Workloads:
//!
//! - `bulk`: 256 MiB one way, client to server, in 16 KiB plaintext writes. Per write the
//!   application puts the 16 KiB into the buffer the TLS layer reads from (the `PipeBuf` for the
//!   stages, a reused `Vec` for raw rustls), the variant runs until nothing moves, and the
//!   receiver takes the plaintext that came up.
//! - `handshake`: a full TLS 1.3 handshake on new connections (no resumption, no tickets).
//! - memory: 1000 connections after the handshake, idle; heap bytes per connection, counted by
//!   the global allocator (`cap`, a wrapper around `System` that counts live bytes).
//!
//! [`verify`] first checks every variant: the plaintext received equals the plaintext sent (by
//! length and checksum), the suite is the one asked for, and the close arrives as a close.
//!
//! Run with `cargo bench -p pipebuf-stages --bench tls --features rustls`; results in
//! `BENCHMARKS.md`, which also shows how to count instructions with `--once` under callgrind.
//! Without `--bench` (as under `cargo test --all-targets`) it verifies, then runs each variant
//! once on small sizes.

#[path = "common/tls.rs"]
mod common;
#[path = "common/sink.rs"]
mod sink;

use common::{Configs, localhost, pattern};
use sink::{Sink, checksum};

use std::alloc::System;
use std::hint::black_box;
use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use cap::Cap;
use criterion::{Criterion, Throughput};
use pipebuf::{PBufState, PipeBufPair, Stage};
use pipebuf_published::PipeBufPair as PublishedPair;
use pipebuf_rustls_published::{TlsClient as PublishedClient, TlsServer as PublishedServer};
use pipebuf_stages::{TlsClient, TlsClientPorts, TlsServer, TlsServerPorts};
use rustls::{CipherSuite, ClientConnection, ConnectionCommon, ServerConnection};

/// Counts the live heap bytes, for the memory figures.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Bytes sent per bulk iteration.
const TOTAL: usize = 256 << 20;
/// The size of each plaintext write.
const CHUNK: usize = 16 << 10;
/// Idle connections kept at once for the memory figures.
const IDLE: usize = 1000;

/// The three variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Ours,
    Raw,
    Published,
}

impl Variant {
    const ALL: [Variant; 3] = [Variant::Ours, Variant::Raw, Variant::Published];

    fn name(self) -> &'static str {
        match self {
            Variant::Ours => "ours",
            Variant::Raw => "raw",
            Variant::Published => "published",
        }
    }
}

/// What each variant does: a client and a server joined in memory.
trait Duo {
    /// A new, unconnected client and server.
    fn new(configs: &Configs) -> Self;
    /// Runs until nothing moves.
    fn settle(&mut self, sink: &mut Sink);
    /// Whether either side is still handshaking.
    fn is_handshaking(&self) -> bool;
    /// The cipher suite the server agreed.
    fn suite(&self) -> Option<CipherSuite>;
    /// Puts `piece` where the client's application writes, runs, and hands the plaintext that
    /// came up at the server to `sink`.
    fn send(&mut self, piece: &[u8], sink: &mut Sink);
    /// Closes the client's plaintext, runs, and says whether the server saw a clean close.
    fn close(&mut self, sink: &mut Sink) -> bool;
    /// Keeps only what the server side needs between events, for the memory figures.
    fn into_server(self) -> Box<dyn Send>;
}

/// Our stages, with the wire as one `PipeBufPair`: the client's `lower` is its `upper` end.
struct Ours {
    client: TlsClient,
    server: TlsServer,
    /// The client application's end is `upper()`.
    sent: PipeBufPair,
    wire: PipeBufPair,
    /// The server application's end is `upper()`.
    received: PipeBufPair,
}

impl Ours {
    fn run(&mut self) {
        loop {
            let client = self
                .client
                .process(TlsClientPorts { lower: self.wire.upper(), upper: self.sent.lower() })
                .expect("the client works");
            let server = self
                .server
                .process(TlsServerPorts { lower: self.wire.lower(), upper: self.received.lower() })
                .expect("the server works");
            if !client && !server {
                break;
            }
        }
    }

    fn drain(&mut self, sink: &mut Sink) {
        let mut app = self.received.upper();
        sink.take(app.rd.data());
        let len = app.rd.len();
        app.rd.consume(len);
    }
}

impl Duo for Ours {
    fn new(configs: &Configs) -> Self {
        Ours {
            client: TlsClient::new(configs.client.clone(), localhost()).expect("a client"),
            server: TlsServer::new(configs.server.clone()).expect("a server"),
            sent: PipeBufPair::new(),
            wire: PipeBufPair::new(),
            received: PipeBufPair::new(),
        }
    }

    fn settle(&mut self, sink: &mut Sink) {
        self.run();
        self.drain(sink);
    }

    fn is_handshaking(&self) -> bool {
        self.client.is_handshaking() || self.server.is_handshaking()
    }

    fn suite(&self) -> Option<CipherSuite> {
        self.server.cipher_suite().map(|suite| suite.suite())
    }

    fn send(&mut self, piece: &[u8], sink: &mut Sink) {
        self.sent.upper().wr.append(piece);
        self.settle(sink);
    }

    fn close(&mut self, sink: &mut Sink) -> bool {
        self.sent.upper().wr.close();
        self.settle(sink);
        self.received.up.state() == PBufState::Closing
    }

    fn into_server(self) -> Box<dyn Send> {
        Box::new((self.server, self.received))
    }
}

/// rustls's buffered API between plain `Vec`s.
struct Raw {
    client: ClientConnection,
    server: ServerConnection,
    /// The client application's outgoing plaintext.
    plain: Vec<u8>,
    /// The records in flight.
    wire: Vec<u8>,
    /// Where the server application reads its plaintext.
    buf: Vec<u8>,
}

/// Moves what `from` has to send over `wire` into `to`, and hands `to`'s plaintext to `sink`;
/// returns true if anything moved.
fn transfer<A, B>(
    from: &mut ConnectionCommon<A>,
    to: &mut ConnectionCommon<B>,
    wire: &mut Vec<u8>,
    buf: &mut [u8],
    sink: &mut Sink,
) -> bool {
    wire.clear();
    while from.wants_write() {
        from.write_tls(wire).expect("a Vec takes everything");
    }
    let mut records = &wire[..];
    while !records.is_empty() {
        to.read_tls(&mut records).expect("rustls takes the records");
        let state = to.process_new_packets().expect("valid records");
        let mut left = state.plaintext_bytes_to_read();
        while left > 0 {
            let len = to.reader().read(buf).expect("plaintext is there");
            sink.take(&buf[..len]);
            left -= len;
        }
    }
    !wire.is_empty()
}

impl Duo for Raw {
    fn new(configs: &Configs) -> Self {
        Raw {
            client: ClientConnection::new(configs.client.clone(), localhost()).expect("a client"),
            server: ServerConnection::new(configs.server.clone()).expect("a server"),
            plain: Vec::with_capacity(CHUNK),
            wire: Vec::new(),
            buf: vec![0; CHUNK],
        }
    }

    fn settle(&mut self, sink: &mut Sink) {
        loop {
            let up =
                transfer(&mut self.client, &mut self.server, &mut self.wire, &mut self.buf, sink);
            let down =
                transfer(&mut self.server, &mut self.client, &mut self.wire, &mut self.buf, sink);
            if !up && !down {
                break;
            }
        }
    }

    fn is_handshaking(&self) -> bool {
        self.client.is_handshaking() || self.server.is_handshaking()
    }

    fn suite(&self) -> Option<CipherSuite> {
        self.server.negotiated_cipher_suite().map(|suite| suite.suite())
    }

    fn send(&mut self, piece: &[u8], sink: &mut Sink) {
        self.plain.clear();
        self.plain.extend_from_slice(piece);
        self.client.writer().write_all(&self.plain).expect("rustls takes the plaintext");
        transfer(&mut self.client, &mut self.server, &mut self.wire, &mut self.buf, sink);
    }

    fn close(&mut self, sink: &mut Sink) -> bool {
        self.client.send_close_notify();
        self.settle(sink);
        matches!(self.server.reader().read(&mut self.buf), Ok(0))
    }

    fn into_server(self) -> Box<dyn Send> {
        // A careful user shares `plain` and `buf` between connections; the wire is the transport.
        Box::new(self.server)
    }
}

/// The published `pipebuf_rustls` on the published pipebuf, joined as [`Ours`] is.
struct Published {
    client: PublishedClient,
    server: PublishedServer,
    sent: PublishedPair,
    wire: PublishedPair,
    received: PublishedPair,
}

impl Published {
    fn run(&mut self) {
        loop {
            let client = self
                .client
                .process(self.wire.upper(), self.sent.lower())
                .expect("the client works");
            let server = self
                .server
                .process(self.wire.lower(), self.received.lower())
                .expect("the server works");
            if !client && !server {
                break;
            }
        }
    }
}

impl Duo for Published {
    fn new(configs: &Configs) -> Self {
        Published {
            client: PublishedClient::new(Some((configs.client.clone(), localhost())))
                .expect("a client"),
            server: PublishedServer::new(Some(configs.server.clone())).expect("a server"),
            sent: PublishedPair::new(),
            wire: PublishedPair::new(),
            received: PublishedPair::new(),
        }
    }

    fn settle(&mut self, sink: &mut Sink) {
        self.run();
        let mut app = self.received.upper();
        sink.take(app.rd.data());
        let len = app.rd.data().len();
        app.rd.consume(len);
    }

    fn is_handshaking(&self) -> bool {
        let client = self.client.connection().is_some_and(|conn| conn.is_handshaking());
        client || self.server.connection().is_some_and(|conn| conn.is_handshaking())
    }

    fn suite(&self) -> Option<CipherSuite> {
        let conn = self.server.connection()?;
        conn.negotiated_cipher_suite().map(|suite| suite.suite())
    }

    fn send(&mut self, piece: &[u8], sink: &mut Sink) {
        self.sent.upper().wr.append(piece);
        self.settle(sink);
    }

    fn close(&mut self, sink: &mut Sink) -> bool {
        self.sent.upper().wr.close();
        self.settle(sink);
        self.received.up.state() == pipebuf_published::PBufState::Closing
    }

    fn into_server(self) -> Box<dyn Send> {
        Box::new((self.server, self.received))
    }
}

/// A new pair of connections, handshaken.
fn connected<D: Duo>(configs: &Configs) -> D {
    let mut duo = D::new(configs);
    let mut sink = Sink::full();
    duo.settle(&mut sink);
    assert!(!duo.is_handshaking(), "the handshake completes");
    assert_eq!(sink.len, 0, "no plaintext during the handshake");
    duo
}

/// Sends `total` bytes of `source`, cycled, in 16 KiB writes over a connected pair; returns
/// what the sink saw.
fn bulk<D: Duo>(duo: &mut D, source: &[u8], total: usize, mut sink: Sink) -> Sink {
    for piece in source.chunks(CHUNK).cycle().take(total / CHUNK) {
        duo.send(piece, &mut sink);
    }
    sink
}

/// Runs one bulk transfer of `total` bytes with `variant`, the handshake included.
fn run_bulk(variant: Variant, configs: &Configs, source: &[u8], total: usize) -> usize {
    fn go<D: Duo>(configs: &Configs, source: &[u8], total: usize) -> usize {
        let mut duo = connected::<D>(configs);
        bulk(&mut duo, source, total, Sink::default()).len
    }
    match variant {
        Variant::Ours => go::<Ours>(configs, source, total),
        Variant::Raw => go::<Raw>(configs, source, total),
        Variant::Published => go::<Published>(configs, source, total),
    }
}

/// Runs `count` full handshakes with `variant`.
fn run_handshakes(variant: Variant, configs: &Configs, count: usize) {
    fn go<D: Duo>(configs: &Configs, count: usize) {
        for _ in 0..count {
            black_box(connected::<D>(configs));
        }
    }
    match variant {
        Variant::Ours => go::<Ours>(configs, count),
        Variant::Raw => go::<Raw>(configs, count),
        Variant::Published => go::<Published>(configs, count),
    }
}

/// Heap bytes per idle connection, as (whole pair with its buffers, server side alone).
fn idle_bytes(variant: Variant, configs: &Configs, count: usize) -> (usize, usize) {
    fn go<D: Duo + Send + 'static>(configs: &Configs, count: usize) -> (usize, usize) {
        let measure = |make: &dyn Fn() -> Box<dyn Send>| {
            let before = ALLOCATOR.allocated();
            let kept: Vec<Box<dyn Send>> = (0..count).map(|_| make()).collect();
            let after = ALLOCATOR.allocated();
            drop(kept);
            (after - before) / count
        };
        let pair = measure(&|| Box::new(connected::<D>(configs)));
        let server = measure(&|| connected::<D>(configs).into_server());
        (pair, server)
    }
    match variant {
        Variant::Ours => go::<Ours>(configs, count),
        Variant::Raw => go::<Raw>(configs, count),
        Variant::Published => go::<Published>(configs, count),
    }
}

/// Every variant delivers the plaintext sent, exactly, with the suite asked for, and ends with a
/// clean close.
fn verify(configs: &Configs, source: &[u8]) {
    fn go<D: Duo>(variant: Variant, configs: &Configs, source: &[u8], expected: (usize, u64)) {
        let name = variant.name();
        let mut duo = connected::<D>(configs);
        assert_eq!(duo.suite(), Some(CipherSuite::TLS13_AES_128_GCM_SHA256), "{name}: suite");
        let mut sink = bulk(&mut duo, source, expected.0, Sink::full());
        assert!(duo.close(&mut sink), "{name}: the close arrives as a close");
        assert_eq!((sink.len, sink.hash), expected, "{name}: the plaintext differs");
    }
    // Past the pattern's length, so that the stream wraps around it.
    let total = 4 * source.len() + 3 * CHUNK;
    let stream: Vec<u8> = source.iter().copied().cycle().take(total).collect();
    let expected = (total, checksum(0, &stream));
    go::<Ours>(Variant::Ours, configs, source, expected);
    go::<Raw>(Variant::Raw, configs, source, expected);
    go::<Published>(Variant::Published, configs, source, expected);
}

fn main() {
    let configs = Configs::new();
    let source = pattern();
    let args: Vec<String> = std::env::args().collect();
    // `--once ours|raw|published [MiB]`: one bulk transfer of one variant and nothing else, to
    // count its instructions under `valgrind --tool=callgrind`, which timing noise does not touch.
    if let Some(at) = args.iter().position(|a| a == "--once") {
        let variant = match args.get(at + 1).map(String::as_str) {
            Some("raw") => Variant::Raw,
            Some("published") => Variant::Published,
            _ => Variant::Ours,
        };
        let mib: usize = args.get(at + 2).and_then(|m| m.parse().ok()).unwrap_or(256);
        black_box(run_bulk(variant, &configs, &source, mib << 20));
        return;
    }
    verify(&configs, &source);
    let full = args.iter().any(|a| a == "--bench");
    // Without `--bench` (as under `cargo test --all-targets`) each variant runs once, small.
    let (total, idle) = if full { (TOTAL, IDLE) } else { (1 << 20, 10) };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let mut group = c.benchmark_group("tls/bulk-256MiB");
    group.throughput(Throughput::Bytes(total as u64));
    for variant in Variant::ALL {
        group.bench_function(variant.name(), |b| {
            b.iter(|| run_bulk(variant, &configs, &source, total));
        });
    }
    group.finish();
    let mut group = c.benchmark_group("tls/handshake");
    group.throughput(Throughput::Elements(1));
    for variant in Variant::ALL {
        group.bench_function(variant.name(), |b| b.iter(|| run_handshakes(variant, &configs, 1)));
    }
    group.finish();
    c.final_summary();

    for variant in Variant::ALL {
        let (pair, server) = idle_bytes(variant, &configs, idle);
        println!(
            "tls/idle/{}: {pair} heap bytes per connected pair, {server} per server side \
             ({idle} idle connections)",
            variant.name()
        );
    }
    if full {
        paired_ratios("bulk", 21, |variant| {
            black_box(run_bulk(variant, &configs, &source, 32 << 20));
        });
        paired_ratios("handshake", 21, |variant| run_handshakes(variant, &configs, 200));
    }
}

/// Times the variants in turn, `rounds` times, and prints the median and quartiles of the
/// per-round time ratios of `ours` to each of the others. Noise on this machine moves whole
/// stretches of time (see `pipebuf/BENCHMARKS.md`); pairing the runs round by round cancels most
/// of it.
fn paired_ratios(name: &str, rounds: usize, mut run: impl FnMut(Variant)) {
    let mut to_raw = Vec::with_capacity(rounds);
    let mut to_published = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mut times = [0.0_f64; 3];
        // Rotate which goes first, so that none always runs on a warmer cache.
        for i in 0..3 {
            let at = (round + i) % 3;
            let start = Instant::now();
            run(Variant::ALL[at]);
            times[at] = start.elapsed().as_secs_f64();
        }
        to_raw.push(times[0] / times[1]);
        to_published.push(times[0] / times[2]);
    }
    for (other, mut ratios) in [("raw", to_raw), ("published", to_published)] {
        ratios.sort_by(f64::total_cmp);
        let quartile = |q: usize| ratios[q * (ratios.len() - 1) / 4];
        println!(
            "tls/{name}: ours / {other} time, median of {rounds} paired rounds: {:.3} \
             (quartiles {:.3} .. {:.3})",
            quartile(2),
            quartile(1),
            quartile(3)
        );
    }
}
