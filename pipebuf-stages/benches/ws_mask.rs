//! WebSocket payload masking and UTF-8 validation: `websocket::apply_mask` against a byte loop
//! and against embedded-websocket's own unmasking; `Utf8Validator` against `core::str::from_utf8`.
//!
//! Masking, on payloads of 1 MiB, 64 KiB and 125 bytes (the largest control frame):
//!
//! - `ours`: [`apply_mask`] in place.
//! - `byte-loop`: the loop embedded-websocket 0.9 runs (`read_into_buffer`), copied here: byte
//!   `i` of the output is byte `i` of the input XOR `key[i % 4]`, from one buffer into another.
//! - `byte-loop-in-place`: the same XOR with `key[i % 4]`, in place, as `ours` works.
//! - `embedded-websocket`: `WebSocketServer::read` of one whole masked binary frame (header,
//!   key and payload) into a payload buffer: its public API unmasks only this way, so the figure
//!   includes the header parsing (a few nanoseconds) and the copy it makes anyway.
//!
//! UTF-8, on 1 MiB of ASCII and 1 MiB of mixed text (ASCII, Greek, CJK and emoji):
//!
//! - `ours`: one [`Utf8Validator::feed`] of the whole message, then `finish`.
//! - `ours-4KiB-pieces`: the message fed in 4 KiB pieces, so that characters are cut.
//! - `from_utf8`: [`core::str::from_utf8`] on the whole message.
//!
//! Run with `cargo bench -p pipebuf-stages --features websocket --bench ws_mask`: criterion's
//! figures, then a table of GB/s and ratios from paired rounds (the median of 31 rounds, each of
//! which times every variant once, in rotating order). Results in `BENCHMARKS.md`. Without
//! `--bench` (as under `cargo test --all-targets`) it only verifies that every variant computes
//! the same bytes and verdicts, which takes a moment.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use embedded_websocket::{WebSocketReceiveMessageType, WebSocketServer, WebSocketState};
use pipebuf_stages::websocket::{Utf8Validator, apply_mask};

/// The masking key of every run; `black_box`ed where it is used, so nothing is folded.
const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];
/// The payload sizes of the masking runs, with their names.
const SIZES: [(&str, usize); 3] = [("1MiB", 1 << 20), ("64KiB", 64 << 10), ("125B", 125)];
/// The size of the UTF-8 messages.
const TEXT: usize = 1 << 20;
/// The pieces `ours-4KiB-pieces` feeds.
const PIECE: usize = 4 << 10;
/// Paired rounds for the ratio table.
const ROUNDS: usize = 31;

fn main() {
    verify();
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for (name, size) in SIZES {
        let mut group = c.benchmark_group(format!("ws_mask/{name}"));
        group.throughput(Throughput::Bytes(size as u64));
        for variant in Mask::ALL {
            let mut state = MaskState::new(size);
            group.bench_function(variant.name(), |b| b.iter(|| state.run(variant)));
        }
        group.finish();
    }
    for (name, text) in [("ascii-1MiB", ascii_text(TEXT)), ("mixed-1MiB", mixed_text(TEXT))] {
        let mut group = c.benchmark_group(format!("ws_utf8/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        for variant in Utf8::ALL {
            group.bench_function(variant.name(), |b| b.iter(|| variant.run(&text)));
        }
        group.finish();
    }
    c.final_summary();
    paired_table();
}

/// The masking variants.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mask {
    Ours,
    ByteLoop,
    ByteLoopInPlace,
    EmbeddedWebsocket,
}

impl Mask {
    const ALL: [Mask; 4] =
        [Mask::Ours, Mask::ByteLoop, Mask::ByteLoopInPlace, Mask::EmbeddedWebsocket];

    fn name(self) -> &'static str {
        match self {
            Mask::Ours => "ours",
            Mask::ByteLoop => "byte-loop",
            Mask::ByteLoopInPlace => "byte-loop-in-place",
            Mask::EmbeddedWebsocket => "embedded-websocket",
        }
    }
}

/// The buffers of one masking size: a masked frame, its payload, and an output buffer.
struct MaskState {
    /// A whole masked binary frame: header, key, payload.
    frame: Vec<u8>,
    /// Where the payload starts in `frame`.
    payload_at: usize,
    /// The buffer `ours` and `byte-loop-in-place` work on, and `byte-loop` and
    /// `embedded-websocket` write into.
    out: Vec<u8>,
    server: WebSocketServer,
}

impl MaskState {
    fn new(size: usize) -> Self {
        let payload = pattern(size);
        let mut frame = vec![0x82];
        match size {
            0..=125 => frame.push(0x80 | u8::try_from(size).expect("at most 125")),
            126..=0xffff => {
                frame.push(0x80 | 0x7e);
                frame
                    .extend_from_slice(&u16::try_from(size).expect("at most 0xffff").to_be_bytes());
            }
            _ => {
                frame.push(0x80 | 0x7f);
                frame.extend_from_slice(&(size as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&KEY);
        let payload_at = frame.len();
        frame.extend_from_slice(&payload);
        apply_mask(KEY, 0, &mut frame[payload_at..]);
        let mut server = WebSocketServer::new_server();
        // Skip the opening handshake.
        server.state = WebSocketState::Open;
        let out = frame[payload_at..].to_vec();
        Self { frame, payload_at, out, server }
    }

    /// Runs `variant` once; the in-place variants toggle `out` between masked and unmasked.
    fn run(&mut self, variant: Mask) {
        let key = black_box(KEY);
        match variant {
            Mask::Ours => apply_mask(key, 0, black_box(&mut self.out)),
            Mask::ByteLoop => {
                byte_loop(key, black_box(&self.frame[self.payload_at..]), black_box(&mut self.out));
            }
            Mask::ByteLoopInPlace => byte_loop_in_place(key, black_box(&mut self.out)),
            Mask::EmbeddedWebsocket => {
                let read = self.server.read(black_box(&self.frame), black_box(&mut self.out));
                let read = read.expect("a whole masked frame");
                debug_assert_eq!(read.len_to, self.out.len());
                black_box(read);
            }
        }
    }
}

/// The loop of embedded-websocket 0.9's `read_into_buffer`, from one buffer into another.
fn byte_loop(key: [u8; 4], from: &[u8], to: &mut [u8]) {
    for (i, (from, to)) in from.iter().zip(to).enumerate() {
        *to = *from ^ key[i % 4];
    }
}

/// The same loop, in place.
fn byte_loop_in_place(key: [u8; 4], data: &mut [u8]) {
    for (i, byte) in data.iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// The UTF-8 variants.
#[derive(Clone, Copy)]
enum Utf8 {
    Ours,
    OursInPieces,
    Core,
}

impl Utf8 {
    const ALL: [Utf8; 3] = [Utf8::Ours, Utf8::OursInPieces, Utf8::Core];

    fn name(self) -> &'static str {
        match self {
            Utf8::Ours => "ours",
            Utf8::OursInPieces => "ours-4KiB-pieces",
            Utf8::Core => "from_utf8",
        }
    }

    /// Validates `text`; true if it is UTF-8.
    fn run(self, text: &[u8]) -> bool {
        let text = black_box(text);
        match self {
            Utf8::Ours => {
                let mut utf8 = Utf8Validator::new();
                utf8.feed(text).and_then(|()| utf8.finish()).is_ok()
            }
            Utf8::OursInPieces => {
                let mut utf8 = Utf8Validator::new();
                text.chunks(PIECE).try_for_each(|piece| utf8.feed(piece)).is_ok()
                    && utf8.finish().is_ok()
            }
            Utf8::Core => core::str::from_utf8(text).is_ok(),
        }
    }
}

/// Checks that every variant computes the same: the unmasked payload at every size (and at
/// lengths around the block and word sizes), and the same verdicts on valid and invalid text.
fn verify() {
    for size in SIZES.map(|(_, size)| size).into_iter().chain([0, 1, 7, 8, 63, 64, 65, 200]) {
        let expected = pattern(size);
        let masked = MaskState::new(size).out.clone();
        for variant in Mask::ALL {
            let mut state = MaskState::new(size);
            if variant == Mask::EmbeddedWebsocket {
                let read = state.server.read(&state.frame, &mut state.out).expect("a whole frame");
                assert_eq!(read.message_type, WebSocketReceiveMessageType::Binary);
                assert!(read.end_of_message);
                assert_eq!((read.len_from, read.len_to), (state.frame.len(), size));
            } else {
                state.run(variant);
            }
            assert_eq!(state.out, expected, "{} on {size} bytes", variant.name());
            if variant != Mask::EmbeddedWebsocket && variant != Mask::ByteLoop {
                state.run(variant);
                assert_eq!(state.out, masked, "{} twice on {size} bytes", variant.name());
            }
        }
    }
    for text in [ascii_text(TEXT), mixed_text(TEXT)] {
        assert!(std::str::from_utf8(&text).is_ok());
        for variant in Utf8::ALL {
            assert!(variant.run(&text), "{} on valid text", variant.name());
        }
        let mut broken = text.clone();
        // A surrogate half-way, and a message cut inside a character at the end.
        broken.splice(TEXT / 2..TEXT / 2, *b"\xed\xa0\x80");
        let mut cut = text.clone();
        cut.extend_from_slice(b"\xf0\x9f\x98");
        for bad in [broken, cut] {
            for variant in Utf8::ALL {
                assert!(!variant.run(&bad), "{} on invalid text", variant.name());
            }
        }
    }
}

/// Times every variant in paired rounds, and prints GB/s (the median round) and ratios.
fn paired_table() {
    println!("\npaired rounds, median of {ROUNDS} (GB/s = 1e9 bytes per second)");
    for (name, size) in SIZES {
        // Enough repetitions that a round takes about 2 ms of byte-loop time.
        let reps = (1 << 22) / size + 1;
        let mut state = MaskState::new(size);
        let times = paired(Mask::ALL.len(), |v| {
            for _ in 0..reps {
                state.run(Mask::ALL[v]);
            }
        });
        let bytes = as_f64(size * reps);
        print!("ws_mask/{name}:");
        for (v, variant) in Mask::ALL.iter().enumerate() {
            print!("  {} {:.2} GB/s", variant.name(), bytes / times[v] / 1e9);
        }
        println!();
        for v in 1..Mask::ALL.len() {
            println!("  ours is {:.1}x {}", times[v] / times[0], Mask::ALL[v].name());
        }
    }
    for (name, text) in [("ascii-1MiB", ascii_text(TEXT)), ("mixed-1MiB", mixed_text(TEXT))] {
        let times = paired(Utf8::ALL.len(), |v| {
            for _ in 0..4 {
                black_box(Utf8::ALL[v].run(&text));
            }
        });
        let bytes = as_f64(text.len() * 4);
        print!("ws_utf8/{name}:");
        for (v, variant) in Utf8::ALL.iter().enumerate() {
            print!("  {} {:.2} GB/s", variant.name(), bytes / times[v] / 1e9);
        }
        println!();
        println!(
            "  ours / from_utf8 time {:.3}, ours-4KiB-pieces / from_utf8 {:.3}",
            times[0] / times[2],
            times[1] / times[2]
        );
    }
}

/// Runs `run(v)` for every variant `v` in each of [`ROUNDS`] rounds, in rotating order, and
/// returns each variant's median time in seconds.
fn paired(variants: usize, mut run: impl FnMut(usize)) -> Vec<f64> {
    let mut times = vec![Vec::with_capacity(ROUNDS); variants];
    for round in 0..ROUNDS {
        for i in 0..variants {
            let v = (round + i) % variants;
            let start = Instant::now();
            run(v);
            times[v].push(start.elapsed().as_secs_f64());
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            t[ROUNDS / 2]
        })
        .collect()
}

/// Converts a byte count of a bench run (at most a few MiB) to `f64`.
fn as_f64(n: usize) -> f64 {
    f64::from(u32::try_from(n).expect("a bench run is under 4 GiB"))
}

/// Deterministic bytes that differ at every position.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 + 7).to_le_bytes()[0]).collect()
}

/// `len` bytes of printable ASCII text.
fn ascii_text(len: usize) -> Vec<u8> {
    let line = b"The quick brown fox jumps over the lazy dog, 0123456789 times.\n";
    line.iter().copied().cycle().take(len).collect()
}

/// About `len` bytes of text in which 1-, 2-, 3- and 4-byte characters mix, cut at a character.
fn mixed_text(len: usize) -> Vec<u8> {
    let sentence = "Hello, κόσμε! 你好，世界。 Grüße 😀🚀 — naïve café; ";
    let mut text = String::with_capacity(len + sentence.len());
    while text.len() + sentence.len() <= len {
        text.push_str(sentence);
    }
    for c in sentence.chars() {
        if text.len() + c.len_utf8() > len {
            break;
        }
        text.push(c);
    }
    text.into_bytes()
}
