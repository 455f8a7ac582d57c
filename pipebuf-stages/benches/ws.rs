//! WebSocket messages from a client to a server in memory: our stages against raw
//! embedded-websocket 0.9 and tungstenite 0.29, side by side in one run; and the heap an idle
//! connection keeps.
//!
//! Three variants, each a client and a server joined in memory, the handshake done once before
//! anything is timed:
//!
//! - `ours`: a [`WebsocketClient`] and a [`WebsocketServer`] whose `lower` ports share one [`PipeBufPair`]
//!   (the wire), each with a [`PipeBufPair<Message>`] for its messages, driven by hand with the
//!   loop everyone writes (call both, stop after a pass with no activity), as `benches/tls.rs`
//!   does. No `#[pipeline]`: it would add nothing but the same loop.
//! - `tungstenite`: two `tungstenite::WebSocket`s made with `from_raw_socket` (client and server
//!   roles, default config), each over one end of an in-memory duplex stream ([`End`]: two
//!   shared `Vec<u8>`s; reading an empty one gives `WouldBlock`, as a non-blocking socket does).
//!   The client `write`s each message and `flush`es once per burst; the server `read`s until
//!   `WouldBlock`.
//! - `embedded-websocket`: a `WebSocketClient` and a `WebSocketServer` (opened by the in-memory
//!   `client_connect` / `server_accept` / `client_accept` handshake) with the fixed buffers that
//!   crate expects: the client `write`s each frame into a wire buffer, the server `read`s each
//!   frame from it into a reused payload buffer.
//!
//! Workload: for each size (16 B, 1 KiB, 64 KiB) one batch is enough messages for 1 MiB of
//! payload and at least 256 (65 536, 1 024 and 256 messages), all binary, sent in bursts of at
//! most 16 KiB of payload (1 024, 16 and 1 message), as a 16 KiB read from a socket would bring
//! them. Per burst the client application hands over each message, the client frames and masks
//! it, the bytes reach the server, the server parses and unmasks them and delivers whole
//! messages, and the server application takes and drops them. Message `i` is `size` bytes of a
//! pattern starting at byte `i % 256`, the same bytes in every variant. Ours and tungstenite take
//! an owned message, so their application copies each payload into one: ours with
//! `Message::binary(&[u8])`, a `Payload` that holds up to 22 bytes inline (no allocation at 16 B,
//! one allocation above), tungstenite's from a fresh `Vec<u8>` (its `Bytes` has no inline form);
//! embedded-websocket takes a slice.
//!
//! Masking keys: ours and embedded-websocket draw them from the same cheap [`XorShift`];
//! tungstenite always uses `rand::random()` (a thread-local `ChaCha12`), a few ns per frame.
//!
//! Memory: [`IDLE`] connections kept at once after the handshake and a few messages each way,
//! nothing in flight; heap bytes per connection as counted by the global allocator (`cap`). For
//! ours it also prints the capacity of every buffer of the links.
//!
//! [`verify`] first checks that every variant delivers every message whole, binary and with the
//! bytes sent (an order-sensitive checksum of every byte), both ways.
//!
//! Run with `cargo bench -p pipebuf-stages --features websocket --bench ws`; results in
//! `BENCHMARKS.md`. `--once <variant> <size> [batches]` runs one variant only, for callgrind.
//! Without `--bench` (as under `cargo test --all-targets`) it verifies and runs each variant once.

#[path = "common/sink.rs"]
mod sink;

use std::alloc::System;
use std::any::Any;
use std::cell::RefCell;
use std::hint::black_box;
use std::io::{self, Read, Write};
use std::mem::size_of;
use std::rc::Rc;
use std::time::{Duration, Instant};

use cap::Cap;
use criterion::{Criterion, Throughput};
use embedded_websocket::{
    WebSocketClient, WebSocketOptions, WebSocketReceiveMessageType, WebSocketSendMessageType,
    WebSocketServer, read_http_header,
};
use pipebuf::{PipeBuf, PipeBufPair, Stage};
use pipebuf_stages::websocket::{
    ClientRequest, Message, MessageKind, WebsocketClient, WebsocketClientPorts, WebsocketServer,
    WebsocketServerPorts,
};
use tungstenite::protocol::{Role, WebSocket};

use sink::Sink;

/// Counts the live heap bytes, for the memory figures.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The message sizes, with their names.
const SIZES: [(&str, usize); 3] = [("16B", 16), ("1KiB", 1 << 10), ("64KiB", 64 << 10)];
/// The payload a batch carries at least.
const BATCH_BYTES: usize = 1 << 20;
/// The messages a batch carries at least.
const BATCH_MIN: usize = 256;
/// The payload of one burst (at least one message).
const BURST: usize = 16 << 10;
/// Idle connections kept at once for the memory figures.
const IDLE: usize = 1000;
/// Paired rounds for the ratio table.
const ROUNDS: usize = 31;

/// The three variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Ours,
    Tungstenite,
    Embedded,
}

impl Variant {
    const ALL: [Variant; 3] = [Variant::Ours, Variant::Tungstenite, Variant::Embedded];

    fn name(self) -> &'static str {
        match self {
            Variant::Ours => "ours",
            Variant::Tungstenite => "tungstenite",
            Variant::Embedded => "embedded-websocket",
        }
    }
}

/// A cheap, deterministic source of masking keys, for both `rand_core` versions.
struct XorShift(u64);

impl XorShift {
    fn new() -> Self {
        XorShift(0x9e37_79b9_7f4a_7c15)
    }

    fn step(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn fill(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.step().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

impl rand_core::RngCore for XorShift {
    fn next_u32(&mut self) -> u32 {
        self.step().to_le_bytes()[4..].iter().fold(0, |n, &b| n << 8 | u32::from(b))
    }
    fn next_u64(&mut self) -> u64 {
        self.step()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.fill(dst);
    }
}

impl rand_core_06::RngCore for XorShift {
    fn next_u32(&mut self) -> u32 {
        self.step().to_le_bytes()[4..].iter().fold(0, |n, &b| n << 8 | u32::from(b))
    }
    fn next_u64(&mut self) -> u64 {
        self.step()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.fill(dst);
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill(dst);
        Ok(())
    }
}

/// The payloads: message `i` of a size is `source[i % 256..][..size]`.
struct Source {
    bytes: Vec<u8>,
    size: usize,
}

impl Source {
    fn new(size: usize) -> Self {
        Source { bytes: (0..size + 256).map(|i| (i * 131 + 7).to_le_bytes()[0]).collect(), size }
    }

    fn payload(&self, i: usize) -> &[u8] {
        &self.bytes[i % 256..][..self.size]
    }

    /// Messages per batch.
    fn batch(&self) -> usize {
        (BATCH_BYTES / self.size.max(1)).max(BATCH_MIN)
    }

    /// Messages per burst.
    fn burst(&self) -> usize {
        (BURST / self.size.max(1)).max(1)
    }
}

/// What each variant does: a client and a server joined in memory.
trait Duo: Sized + 'static {
    /// A new client and server, handshaken.
    fn connected() -> Self;
    /// Sends messages `first..first + count` of `source` from the client, moves the bytes, and
    /// hands every message the server delivers to `sink`.
    fn burst(&mut self, source: &Source, first: usize, count: usize, sink: &mut Sink);
    /// Sends one message from the server to the client, and hands it to `sink` there.
    fn reply(&mut self, payload: &[u8], sink: &mut Sink);
    /// Keeps what a connection keeps while idle (both ends, or the server alone), for the
    /// memory figures.
    fn idle(self, server_only: bool) -> Box<dyn Any>;
}

/// Our stages, with the wire as one `PipeBufPair`: the client's `lower` is its `upper` end.
struct Ours {
    client: WebsocketClient<XorShift>,
    server: WebsocketServer,
    /// The client application's end is `upper()`.
    sent: PipeBufPair<Message>,
    wire: PipeBufPair,
    /// The server application's end is `upper()`.
    received: PipeBufPair<Message>,
}

impl Ours {
    fn run(&mut self) {
        loop {
            let client = self
                .client
                .process(WebsocketClientPorts {
                    lower: self.wire.upper(),
                    upper: self.sent.lower(),
                })
                .expect("the client works");
            let server = self
                .server
                .process(WebsocketServerPorts {
                    lower: self.wire.lower(),
                    upper: self.received.lower(),
                })
                .expect("the server works");
            if !client && !server {
                break;
            }
        }
    }

    /// Hands every message in `link`'s upper reading end to `sink`, and drops them.
    fn drain(link: &mut PipeBufPair<Message>, sink: &mut Sink) {
        let mut app = link.upper();
        for message in app.rd.data() {
            assert!(
                message.kind() == MessageKind::Binary && !message.has_more(),
                "a whole binary message"
            );
            sink.take(message.data());
        }
        let len = app.rd.len();
        app.rd.consume(len);
    }

    /// The bytes of storage each buffer of the links holds, by name.
    fn capacities(&self) -> [(&'static str, usize); 6] {
        fn bytes<T: Default>(buf: &PipeBuf<T>) -> usize {
            buf.capacity() * size_of::<T>()
        }
        [
            ("wire.down (client -> server bytes)", bytes(&self.wire.down)),
            ("wire.up (server -> client bytes)", bytes(&self.wire.up)),
            ("sent.down (client app -> client)", bytes(&self.sent.down)),
            ("sent.up (client -> client app)", bytes(&self.sent.up)),
            ("received.down (server app -> server)", bytes(&self.received.down)),
            ("received.up (server -> server app)", bytes(&self.received.up)),
        ]
    }
}

impl Duo for Ours {
    fn connected() -> Self {
        let request = ClientRequest::new("localhost", "/bench");
        let mut duo = Ours {
            client: WebsocketClient::new(request, XorShift::new()),
            server: WebsocketServer::new(),
            sent: PipeBufPair::new(),
            wire: PipeBufPair::new(),
            received: PipeBufPair::new(),
        };
        duo.run();
        assert!(duo.client.is_open() && duo.server.is_open(), "the handshake completes");
        duo
    }

    fn burst(&mut self, source: &Source, first: usize, count: usize, sink: &mut Sink) {
        let mut app = self.sent.upper();
        for (slot, i) in app.wr.space(count).iter_mut().zip(first..) {
            *slot = Message::binary(source.payload(i));
        }
        app.wr.commit(count);
        self.run();
        Self::drain(&mut self.received, sink);
    }

    fn reply(&mut self, payload: &[u8], sink: &mut Sink) {
        let mut app = self.received.upper();
        app.wr.space(1)[0] = Message::binary(payload);
        app.wr.commit(1);
        self.run();
        Self::drain(&mut self.sent, sink);
    }

    fn idle(mut self, server_only: bool) -> Box<dyn Any> {
        // What a driver does when a connection goes quiet (`release_empty_links` in a pipeline).
        self.wire.release_if_empty();
        self.sent.release_if_empty();
        self.received.release_if_empty();
        if server_only { Box::new((self.server, self.wire, self.received)) } else { Box::new(self) }
    }
}

/// One direction of the in-memory stream under tungstenite.
#[derive(Default)]
struct Pipe {
    data: Vec<u8>,
    at: usize,
}

/// One end of the in-memory duplex stream: it reads `rx` and writes `tx`. Reading an empty
/// pipe gives `WouldBlock`, as a non-blocking socket does.
struct End {
    rx: Rc<RefCell<Pipe>>,
    tx: Rc<RefCell<Pipe>>,
}

impl End {
    /// Empties both pipes and frees their storage: the kernel's buffers, not the connection's.
    fn release(&self) {
        *self.rx.borrow_mut() = Pipe::default();
        *self.tx.borrow_mut() = Pipe::default();
    }
}

impl Read for End {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut pipe = self.rx.borrow_mut();
        let pipe = &mut *pipe;
        let ready = &pipe.data[pipe.at..];
        if ready.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let len = ready.len().min(buf.len());
        buf[..len].copy_from_slice(&ready[..len]);
        pipe.at += len;
        if pipe.at == pipe.data.len() {
            pipe.data.clear();
            pipe.at = 0;
        }
        Ok(len)
    }
}

impl Write for End {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx.borrow_mut().data.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Two tungstenite sockets over an in-memory duplex stream.
struct Tungstenite {
    client: WebSocket<End>,
    server: WebSocket<End>,
}

impl Tungstenite {
    /// Reads every message `to` has, until `WouldBlock`.
    fn drain(to: &mut WebSocket<End>, sink: &mut Sink) {
        loop {
            match to.read() {
                Ok(tungstenite::Message::Binary(data)) => sink.take(&data),
                Ok(other) => panic!("a binary message, not {other:?}"),
                Err(tungstenite::Error::Io(error)) if error.kind() == io::ErrorKind::WouldBlock => {
                    return;
                }
                Err(error) => panic!("tungstenite fails: {error}"),
            }
        }
    }
}

impl Duo for Tungstenite {
    fn connected() -> Self {
        let up = Rc::new(RefCell::new(Pipe::default()));
        let down = Rc::new(RefCell::new(Pipe::default()));
        let client = End { rx: Rc::clone(&down), tx: Rc::clone(&up) };
        let server = End { rx: up, tx: down };
        // `from_raw_socket` starts after the handshake, which the bench does not do.
        Tungstenite {
            client: WebSocket::from_raw_socket(client, Role::Client, None),
            server: WebSocket::from_raw_socket(server, Role::Server, None),
        }
    }

    fn burst(&mut self, source: &Source, first: usize, count: usize, sink: &mut Sink) {
        for i in first..first + count {
            let message = tungstenite::Message::binary(source.payload(i).to_vec());
            self.client.write(message).expect("tungstenite takes the message");
        }
        self.client.flush().expect("the stream takes everything");
        Self::drain(&mut self.server, sink);
    }

    fn reply(&mut self, payload: &[u8], sink: &mut Sink) {
        self.server.send(tungstenite::Message::binary(payload.to_vec())).expect("sent");
        Self::drain(&mut self.client, sink);
    }

    fn idle(self, server_only: bool) -> Box<dyn Any> {
        self.client.get_ref().release();
        if server_only { Box::new(self.server) } else { Box::new(self) }
    }
}

/// Raw embedded-websocket, with the fixed buffers that crate expects from its user.
struct Embedded {
    client: WebSocketClient<XorShift>,
    server: WebSocketServer,
    /// The frames of one burst.
    wire: Vec<u8>,
    /// Where a read puts a frame's payload.
    payload: Vec<u8>,
}

impl Embedded {
    /// Reads every frame in `wire` with `ws`, handing each payload to `sink`.
    fn drain<T: rand_core_06::RngCore, S: embedded_websocket::WebSocketType>(
        ws: &mut embedded_websocket::WebSocket<T, S>,
        mut wire: &[u8],
        payload: &mut [u8],
        sink: &mut Sink,
    ) {
        while !wire.is_empty() {
            let read = ws.read(wire, payload).expect("a whole frame");
            assert!(
                read.message_type == WebSocketReceiveMessageType::Binary && read.end_of_message
            );
            sink.take(&payload[..read.len_to]);
            wire = &wire[read.len_from..];
        }
    }
}

impl Duo for Embedded {
    fn connected() -> Self {
        let mut client = WebSocketClient::new_client(XorShift::new());
        let mut server = WebSocketServer::new_server();
        let mut request = [0; 1024];
        let options = WebSocketOptions {
            path: "/bench",
            host: "localhost",
            origin: "http://localhost",
            sub_protocols: None,
            additional_headers: None,
        };
        let (len, key) = client.client_connect(&options, &mut request).expect("a request");
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut parsed = httparse::Request::new(&mut headers);
        assert!(parsed.parse(&request[..len]).expect("a valid request").is_complete());
        let fields = parsed.headers.iter().map(|h| (h.name, h.value));
        let context = read_http_header(fields).expect("a valid request").expect("an upgrade");
        let mut answer = [0; 1024];
        let len = server.server_accept(&context.sec_websocket_key, None, &mut answer).expect("101");
        client.client_accept(&key, &answer[..len]).expect("a valid answer");
        // Room for the largest burst: one 64 KiB frame, or 1 024 small ones with their headers.
        Embedded { client, server, wire: vec![0; 2 * MAX_SIZE], payload: vec![0; MAX_SIZE] }
    }

    fn burst(&mut self, source: &Source, first: usize, count: usize, sink: &mut Sink) {
        let mut len = 0;
        for i in first..first + count {
            len += self
                .client
                .write(
                    WebSocketSendMessageType::Binary,
                    true,
                    source.payload(i),
                    &mut self.wire[len..],
                )
                .expect("the frame fits");
        }
        Self::drain(&mut self.server, &self.wire[..len], &mut self.payload, sink);
    }

    fn reply(&mut self, payload: &[u8], sink: &mut Sink) {
        let len = self
            .server
            .write(WebSocketSendMessageType::Binary, true, payload, &mut self.wire)
            .expect("the frame fits");
        Self::drain(&mut self.client, &self.wire[..len], &mut self.payload, sink);
    }

    fn idle(self, server_only: bool) -> Box<dyn Any> {
        // The buffers are the application's, of whatever size it picks; they are left out.
        if server_only { Box::new(self.server) } else { Box::new((self.client, self.server)) }
    }
}

/// The largest message of the bench.
const MAX_SIZE: usize = 64 << 10;

/// Sends one batch of `source` over a connected pair.
fn batch<D: Duo>(duo: &mut D, source: &Source, sink: &mut Sink) {
    let (total, burst) = (source.batch(), source.burst());
    let mut first = 0;
    while first < total {
        let count = burst.min(total - first);
        duo.burst(source, first, count, sink);
        first += count;
    }
}

/// The variants' pairs for one size, connected.
struct Duos {
    ours: Ours,
    tungstenite: Tungstenite,
    embedded: Embedded,
}

impl Duos {
    fn new() -> Self {
        Duos {
            ours: Ours::connected(),
            tungstenite: Tungstenite::connected(),
            embedded: Embedded::connected(),
        }
    }

    /// Sends `batches` batches of `source` with `variant`; returns the messages delivered.
    fn run(&mut self, variant: Variant, source: &Source, batches: usize) -> usize {
        let mut sink = Sink::default();
        for _ in 0..batches {
            match variant {
                Variant::Ours => batch(&mut self.ours, source, &mut sink),
                Variant::Tungstenite => batch(&mut self.tungstenite, source, &mut sink),
                Variant::Embedded => batch(&mut self.embedded, source, &mut sink),
            }
        }
        black_box(sink.hash);
        sink.pieces
    }
}

/// Every variant delivers every message whole and exactly, one way and the other.
fn verify() {
    fn go<D: Duo>(variant: Variant) {
        let name = variant.name();
        let mut duo = D::connected();
        for (size_name, size) in SIZES.into_iter().chain([("0B", 0), ("125B", 125), ("126B", 126)])
        {
            let source = Source::new(size);
            let count = source.batch().min(2048);
            let mut expected = Sink::full();
            (0..count).for_each(|i| expected.take(source.payload(i)));
            let mut sink = Sink::full();
            let mut first = 0;
            while first < count {
                let n = source.burst().min(count - first);
                duo.burst(&source, first, n, &mut sink);
                first += n;
            }
            let got = (sink.pieces, sink.len, sink.hash);
            assert_eq!(got, (expected.pieces, expected.len, expected.hash), "{name}, {size_name}");
            let mut back = Sink::full();
            duo.reply(source.payload(3), &mut back);
            let mut one = Sink::full();
            one.take(source.payload(3));
            assert_eq!((back.len, back.hash), (one.len, one.hash), "{name}, {size_name} back");
        }
    }
    go::<Ours>(Variant::Ours);
    go::<Tungstenite>(Variant::Tungstenite);
    go::<Embedded>(Variant::Embedded);
}

/// What a connection has done before it goes idle.
#[derive(Clone, Copy)]
enum History {
    /// The handshake only.
    Handshake,
    /// The handshake, then 16 B and 1 KiB each way.
    Small,
    /// The handshake, then 64 KiB each way.
    Large,
}

impl History {
    const ALL: [History; 3] = [History::Handshake, History::Small, History::Large];

    fn name(self) -> &'static str {
        match self {
            History::Handshake => "after the handshake",
            History::Small => "after 16 B + 1 KiB each way",
            History::Large => "after 64 KiB each way",
        }
    }

    fn sizes(self) -> &'static [usize] {
        match self {
            History::Handshake => &[],
            History::Small => &[16, 1 << 10],
            History::Large => &[64 << 10],
        }
    }

    fn make<D: Duo>(self) -> D {
        let mut duo = D::connected();
        let mut sink = Sink::default();
        for &size in self.sizes() {
            let source = Source::new(size);
            duo.burst(&source, 0, 1, &mut sink);
            duo.reply(source.payload(1), &mut sink);
        }
        duo
    }
}

/// Heap bytes per idle connection, as (both ends, server alone).
fn idle_bytes(variant: Variant, history: History, count: usize) -> (usize, usize) {
    fn go<D: Duo>(history: History, count: usize) -> (usize, usize) {
        let measure = |server_only: bool| {
            let before = ALLOCATOR.allocated();
            let kept: Vec<Box<dyn Any>> =
                (0..count).map(|_| history.make::<D>().idle(server_only)).collect();
            let after = ALLOCATOR.allocated();
            drop(kept);
            // The `Vec` of boxes is the bench's.
            (after - before - count * size_of::<Box<dyn Any>>()) / count
        };
        (measure(false), measure(true))
    }
    match variant {
        Variant::Ours => go::<Ours>(history, count),
        Variant::Tungstenite => go::<Tungstenite>(history, count),
        Variant::Embedded => go::<Embedded>(history, count),
    }
}

/// Prints the idle memory of every variant, and where ours keeps it.
fn memory(count: usize) {
    println!("\nidle memory, heap bytes per connection ({count} connections kept at once)");
    for history in History::ALL {
        for variant in Variant::ALL {
            let (pair, server) = idle_bytes(variant, history, count);
            println!(
                "ws/idle/{}, {}: {pair} per client + server, {server} per server side",
                variant.name(),
                history.name()
            );
        }
        let ours = history.make::<Ours>();
        let buffers: usize = ours.capacities().iter().map(|&(_, bytes)| bytes).sum();
        print!("  ours' buffers {buffers} bytes:");
        for (name, bytes) in ours.capacities() {
            print!(" {name} {bytes};");
        }
        println!();
    }
    println!(
        "  sizes: WebsocketServer {} B, WebsocketClient<XorShift> {} B, PipeBufPair {} B, \
         PipeBufPair<Message> {} B, Message {} B; tungstenite WebSocket<End> {} B; \
         embedded-websocket server {} B, client {} B",
        size_of::<WebsocketServer>(),
        size_of::<WebsocketClient<XorShift>>(),
        size_of::<PipeBufPair>(),
        size_of::<PipeBufPair<Message>>(),
        size_of::<Message>(),
        size_of::<WebSocket<End>>(),
        size_of::<WebSocketServer>(),
        size_of::<WebSocketClient<XorShift>>(),
    );
}

/// Times the variants on one size in [`ROUNDS`] rounds, each running every variant once on a
/// batch in rotating order, and prints messages/s, GB/s and the ratios.
fn paired_table(name: &str, source: &Source, duos: &mut Duos) {
    let mut times = vec![Vec::with_capacity(ROUNDS); Variant::ALL.len()];
    let mut speedups = vec![Vec::with_capacity(ROUNDS); Variant::ALL.len()];
    for round in 0..ROUNDS {
        let mut round_times = [0.0_f64; 3];
        for i in 0..Variant::ALL.len() {
            let v = (round + i) % Variant::ALL.len();
            let start = Instant::now();
            black_box(duos.run(Variant::ALL[v], source, 1));
            round_times[v] = start.elapsed().as_secs_f64();
        }
        for v in 0..Variant::ALL.len() {
            times[v].push(round_times[v]);
            speedups[v].push(round_times[v] / round_times[0]);
        }
    }
    let messages = as_f64(source.batch());
    let bytes = as_f64(source.batch() * source.size);
    println!(
        "ws/{name} ({} messages per batch), median of {ROUNDS} paired rounds:",
        source.batch()
    );
    for (v, variant) in Variant::ALL.iter().enumerate() {
        let time = median(&mut times[v]).1;
        println!(
            "  {:<18} {:>8.1} ns/message {:>7.3} M messages/s {:>7.3} GB/s",
            variant.name(),
            time / messages * 1e9,
            messages / time / 1e6,
            bytes / time / 1e9
        );
    }
    for (variant, speedups) in Variant::ALL.iter().zip(&mut speedups).skip(1) {
        let (low, mid, high) = median(speedups);
        let name = variant.name();
        println!(
            "  ours is {mid:.2}x {name} (time {name} / ours; quartiles {low:.2} .. {high:.2})"
        );
    }
}

/// The lower quartile, the median and the upper quartile.
fn median(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: usize| values[q * (values.len() - 1) / 4];
    (at(1), at(2), at(3))
}

/// Converts a count of a bench run (under 4 G) to `f64`.
fn as_f64(n: usize) -> f64 {
    f64::from(u32::try_from(n).expect("a bench run counts under 4 G"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--once <variant> <size> [batches]`: one variant, one size and nothing else, to count its
    // instructions under `valgrind --tool=callgrind`, which timing noise does not touch.
    if let Some(at) = args.iter().position(|a| a == "--once") {
        let variant = Variant::ALL
            .into_iter()
            .find(|v| args.get(at + 1).is_some_and(|a| a == v.name()))
            .unwrap_or(Variant::Ours);
        let size = SIZES
            .into_iter()
            .find(|(name, _)| args.get(at + 2).is_some_and(|a| a == name))
            .map_or(16, |(_, size)| size);
        let batches = args.get(at + 3).and_then(|n| n.parse().ok()).unwrap_or(16);
        let mut duos = Duos::new();
        black_box(duos.run(variant, &Source::new(size), batches));
        return;
    }
    verify();
    let full = args.iter().any(|a| a == "--bench");
    if !full {
        // As under `cargo test --all-targets`: each variant once per size, and a few idle ones.
        for (_, size) in SIZES {
            let source = Source::new(size);
            let mut duos = Duos::new();
            for variant in Variant::ALL {
                assert_eq!(duos.run(variant, &source, 1), source.batch());
            }
        }
        memory(10);
        return;
    }
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for (name, size) in SIZES {
        let source = Source::new(size);
        let mut duos = Duos::new();
        let mut group = c.benchmark_group(format!("ws/{name}"));
        group.throughput(Throughput::Bytes((source.batch() * size) as u64));
        for variant in Variant::ALL {
            group.bench_function(variant.name(), |b| b.iter(|| duos.run(variant, &source, 1)));
        }
        group.finish();
    }
    c.final_summary();
    memory(IDLE);
    println!("\npaired rounds (GB/s = 1e9 payload bytes per second)");
    for (name, size) in SIZES {
        let source = Source::new(size);
        let mut duos = Duos::new();
        paired_table(name, &source, &mut duos);
    }
}
