//! Load: a thousand concurrent connections against the example's echo server (`wss::serve`, on
//! `MioServer`), over ws:// and over wss://. Each sends a hundred messages of mixed kinds and
//! sizes (0 B to 64 KiB) and checks every echo, in order; then all close with 1000. Every
//! connection must be reported `Done` with the client's close, and the process's live heap must
//! come back to its level from before the clients, but for the server's slot table.
//!
//! The clients are tungstenite over blocking sockets. The thousand are opened first, then shared
//! among a few threads, each driving its share in lockstep (a batch of up to 64 KiB of messages
//! to every connection, then every echo back), so a thousand connections cost a few threads and
//! the test stays within a bound on two cores even in a debug build. A batch is kept under the
//! socket buffers, so that a client blocked in a write never waits on a server blocked writing
//! echoes the client has not read yet.
//!
//! Run it with `--nocapture` to see the figures (time, bytes, heap).

mod common;

use std::alloc::System;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cap::Cap;
use common::{Server, Ws, echo_once, expect_closed, start_close};
use pipebuf_examples::wss::{MAX_MESSAGE, WsEcho, WssEcho, log_line};
use pipebuf_stages::{Ended, Report};
use tungstenite::Message;

// Counts live heap bytes, so that the test sees what the server keeps after its connections
// end; `cap` does the counting without `unsafe` here.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The connections open at once.
const CONNECTIONS: usize = 1000;
/// The messages each connection sends.
const MESSAGES: usize = 100;
/// The client threads; each drives `CONNECTIONS / THREADS` connections.
const THREADS: usize = 8;
/// The most bytes of messages a connection has in flight (one message may be larger alone).
const BATCH: usize = 64 << 10;
/// The largest message: the second of each connection is this long.
const MAX_SIZE: usize = 64 << 10;
/// The largest of the other messages. A debug build does the per-byte work (masking, UTF-8
/// checks, copies) about ten times slower than a release build, on both sides of the socket: it
/// sends the others up to 8 KiB (150 MB each way instead of 730 MB), so that the tests take
/// some 15 s (ws://) and 35 s (wss://) instead of 40 s and 60 s; a release build
/// (`cargo test --release`) sends the whole mix up to 64 KiB, in 4 s and 7 s.
const MIX_MAX: usize = if cfg!(debug_assertions) { 8 << 10 } else { MAX_SIZE };
/// How long the whole run may take before the test fails.
const LIMIT: Duration = Duration::from_secs(120);
/// What the server may keep per connection once all have ended, besides the pipeline itself:
/// `MioServer` keeps each connection's pipeline inline in a slot table (a `Vec` that does not
/// shrink, and which later connections reuse), so a thousand connections leave a thousand empty
/// slots of the pipeline's size, plus the slot's own fields and the table's rounding up. A
/// buffer kept by mistake (4 KiB or more) goes over.
const SLOT_EXTRA: usize = 512;

/// The two tests measure the heap of the whole process, so they take turns.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn a_thousand_ws_connections_echo_every_message_and_give_their_memory_back() {
    load(false);
}

#[test]
fn a_thousand_wss_connections_echo_every_message_and_give_their_memory_back() {
    load(true);
}

fn load(tls: bool) {
    let _turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // Each connection takes a descriptor on either side, on top of what the harness holds.
    let limit = rlimit::increase_nofile_limit(u64::MAX).expect("getrlimit and setrlimit");
    let needed = 2 * CONNECTIONS + 100;
    assert!(limit >= needed as u64, "{limit} open files allowed, {needed} needed");

    let tally = Tally::default();
    let server = Server::start(tls, {
        let tally = tally.clone();
        move |report| tally.add(report)
    });
    // One connection first, so that what is made once (the TLS provider's tables, the poll's
    // event list, the blocks messages are cut from) is in the baseline.
    blocks();
    echo_once(&server, &Message::text("warm up"));
    tally.wait_for(1, Duration::from_secs(10));
    let baseline = ALLOCATOR.allocated();

    let started = Instant::now();
    // All thousand are open before any sends.
    let mut clients: Vec<Client> = (0..CONNECTIONS)
        .map(|id| Client { id, ws: server.connect(), sent: 0, checked: 0 })
        .collect();
    let opened = started.elapsed();
    std::thread::scope(|scope| {
        for share in clients.chunks_mut(CONNECTIONS / THREADS) {
            scope.spawn(move || drive(share));
        }
    });
    drop(clients);
    let clients_done = started.elapsed();
    let totals = tally.wait_for(CONNECTIONS + 1, LIMIT);
    let elapsed = started.elapsed();
    let after = ALLOCATOR.allocated();
    server.stop();

    assert_eq!(totals.clean, CONNECTIONS + 1, "not ended cleanly: {:?}", totals.others);
    let kept = after.saturating_sub(baseline);
    eprintln!(
        "{} connections x {MESSAGES} messages over {}: {:.1} s ({:.1} s to open them, {:.1} s \
         until the last client closed); {} MB in, {} MB out; heap {} kB before, {} kB after ({} B per connection)",
        CONNECTIONS,
        if tls { "wss" } else { "ws" },
        elapsed.as_secs_f64(),
        opened.as_secs_f64(),
        clients_done.as_secs_f64(),
        totals.bytes.0 / 1_000_000,
        totals.bytes.1 / 1_000_000,
        baseline / 1000,
        after / 1000,
        kept / CONNECTIONS,
    );
    assert!(elapsed < LIMIT, "took {elapsed:?}");
    let slot = SLOT_EXTRA + if tls { size_of::<WssEcho>() } else { size_of::<WsEcho>() };
    assert!(
        kept <= CONNECTIONS * slot,
        "the heap grew by {kept} B over its baseline of {baseline} B after all connections \
         ended, more than {slot} B per connection"
    );
}

/// Sends every connection's messages in batches, checking each echo, and closes them all.
fn drive(clients: &mut [Client]) {
    while clients.iter().any(|client| client.checked < MESSAGES) {
        for client in clients.iter_mut() {
            client.send_batch();
        }
        for client in clients.iter_mut() {
            client.check_echoes();
        }
    }
    for client in clients.iter_mut() {
        start_close(&mut client.ws);
    }
    for client in clients.iter_mut() {
        expect_closed(&mut client.ws);
    }
}

/// One connection and how far it got.
struct Client {
    id: usize,
    ws: Ws,
    sent: usize,
    checked: usize,
}

impl Client {
    /// Sends the next messages, up to [`BATCH`] bytes (at least one message).
    fn send_batch(&mut self) {
        let mut bytes = 0;
        while self.sent < MESSAGES {
            let message = message(self.id, self.sent);
            if self.sent > self.checked && bytes + message.len() > BATCH {
                break;
            }
            bytes += message.len();
            self.ws.send(message).expect("send");
            self.sent += 1;
        }
    }

    /// Reads the echo of every message sent, and checks it against what was sent.
    fn check_echoes(&mut self) {
        while self.checked < self.sent {
            let got = self.ws.read().expect("an echo");
            let want = message(self.id, self.checked);
            assert!(
                got == want,
                "connection {}, message {}: sent {} B of {}, got {} B of {}",
                self.id,
                self.checked,
                want.len(),
                kind(&want),
                got.len(),
                kind(&got)
            );
            self.checked += 1;
        }
    }
}

/// Message `index` of connection `id`: text or binary, of a size drawn from a mix where most
/// messages are small (40 % under 126 B, the limit of the shortest length form) and one in ten
/// is over a quarter of [`MIX_MAX`]; the first is empty and the second [`MAX_SIZE`] (which
/// takes the longest length form).
/// Its content is a slice of a random block, at an offset of its own.
fn message(id: usize, index: usize) -> Message {
    let mut rng =
        XorShift(((id * MESSAGES + index) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let size = match (index, rng.below(100)) {
        (0, _) => 0,
        (1, _) => MAX_SIZE,
        (_, 0..40) => rng.below(126),
        (_, 40..70) => 126 + rng.below(MIX_MAX / 16 - 126),
        (_, 70..90) => MIX_MAX / 16 + rng.below(MIX_MAX / 4 - MIX_MAX / 16),
        _ => MIX_MAX / 4 + rng.below(MIX_MAX - MIX_MAX / 4 + 1),
    };
    let start = rng.below(MAX_SIZE);
    if rng.next() % 2 == 0 {
        Message::binary(blocks().0[start..start + size].to_vec())
    } else {
        // Both ends on character boundaries, so that the slice is whole UTF-8.
        let text = &blocks().1;
        let start =
            (start..=text.len()).find(|&i| text.is_char_boundary(i)).expect("the end is one");
        let end = (0..=start + size).rev().find(|&i| text.is_char_boundary(i)).expect("0 is one");
        Message::text(&text[start..end])
    }
}

/// A block of random bytes and one of random text (ASCII and two-, three- and four-byte
/// characters), each twice the largest message, for messages to be sliced from.
fn blocks() -> &'static (Vec<u8>, String) {
    static BLOCKS: std::sync::OnceLock<(Vec<u8>, String)> = std::sync::OnceLock::new();
    BLOCKS.get_or_init(|| {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        let bytes = (0..2 * MAX_SIZE).map(|_| rng.next().to_le_bytes()[0]).collect();
        let mut text = String::with_capacity(2 * MAX_SIZE + 4);
        let chars = ['a', 'Z', ' ', '0', 'é', 'ß', '€', '中', '😀'];
        while text.len() < 2 * MAX_SIZE {
            text.push(chars[rng.below(chars.len())]);
        }
        (bytes, text)
    })
}

/// "text" or "binary" or what else came.
fn kind(message: &Message) -> &'static str {
    match message {
        Message::Text(_) => "text",
        Message::Binary(_) => "binary",
        _ => "a control frame",
    }
}

/// A small, fast, seeded generator (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    #[expect(clippy::cast_possible_truncation, reason = "the remainder is below a usize")]
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// What the server reported, counted rather than kept, so that the heap stays as it was.
#[derive(Clone, Default)]
struct Tally(std::sync::Arc<(Mutex<Totals>, Condvar)>);

/// The counts in a [`Tally`].
#[derive(Clone, Default)]
struct Totals {
    /// Connections that ended `Done` after the client's Close with 1000.
    clean: usize,
    /// The log lines of the first few others.
    others: Vec<String>,
    /// How many ended in all.
    ended: usize,
    /// Bytes received and sent, over all connections.
    bytes: (u64, u64),
}

impl Tally {
    fn add(&self, report: &Report) {
        let mut totals = self.0.0.lock().expect("not poisoned");
        totals.ended += 1;
        totals.bytes.0 += report.bytes.0;
        totals.bytes.1 += report.bytes.1;
        if report.ended == Ended::Done && report.detail == "close 1000 from the client" {
            totals.clean += 1;
        } else if totals.others.len() < 10 {
            totals.others.push(log_line(report));
        }
        self.0.1.notify_all();
    }

    /// Waits until `n` connections have ended, and returns the counts.
    fn wait_for(&self, n: usize, timeout: Duration) -> Totals {
        let deadline = Instant::now() + timeout;
        let mut totals = self.0.0.lock().expect("not poisoned");
        while totals.ended < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{} of {n} connections ended: {:?}",
                totals.ended,
                totals.others
            );
            totals = self.0.1.wait_timeout(totals, left).expect("not poisoned").0;
        }
        totals.clone()
    }
}

#[test]
fn a_client_that_sends_without_reading_fills_its_own_buffers_not_the_server() {
    for tls in [false, true] {
        // Messages of 64 KiB meet the links' limits first; messages of the largest size the
        // server takes meet the WebSocket stage's backlog limit first.
        flood(tls, 64 << 10);
        flood(tls, MAX_MESSAGE);
    }
}

/// Floods the server with messages of `size` bytes from a client that never reads its echoes,
/// and checks that the server's heap stays bounded, while the client's writes block.
fn flood(tls: bool, size: usize) {
    let _turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let server = Server::start(tls, |_| {});
    echo_once(&server, &Message::text("warm up"));
    let baseline = ALLOCATOR.allocated();
    let mut ws = server.connect();
    ws.get_ref().tcp().set_write_timeout(Some(Duration::from_millis(500))).expect("a timeout");
    let payload = vec![7u8; size];
    let most = (256 << 20) / size;
    let mut sent = 0usize;
    let mut peak = 0usize;
    // Until the socket buffers on both sides are full and a write times out.
    while sent < most {
        if ws.send(Message::binary(payload.clone())).is_err() {
            break;
        }
        sent += 1;
        peak = peak.max(ALLOCATOR.allocated().saturating_sub(baseline));
    }
    std::thread::sleep(Duration::from_millis(300));
    peak = peak.max(ALLOCATOR.allocated().saturating_sub(baseline));
    eprintln!(
        "flood over {}: {sent} messages of {} KiB sent before the writes blocked; heap at most \
         {} kB over its baseline",
        if tls { "wss" } else { "ws" },
        size >> 10,
        peak / 1000
    );
    assert!(sent < most, "256 MiB went in without blocking: the server reads without bound");
    // The server: its byte links' limits (64 KiB each way), the messages waiting either way up
    // to the backlog limit (1 MiB), the one that crosses it, one being read and one being
    // written; the client in this process: the message it is sending, twice (the payload and
    // its frame). Without the backlog limit, the message links' 16 each way would let the
    // largest messages take 32 MiB.
    let bound = 8 << 20;
    assert!(peak < bound, "{peak} B held for a client that does not read (bound {bound} B)");
    drop(ws);
    server.stop();
}
