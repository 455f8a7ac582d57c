//! Processing chains: source -> K stages -> sink, for K = 1, 4 and 8, compared across
//! implementations.
//!
//! Every run moves [`TOTAL`] bytes (256 MiB) in [`CHUNK`] (16 KiB) chunks. The source copies each
//! chunk from a 64 KiB pattern that stays in cache, so the figures are pipeline overhead, not
//! DRAM bandwidth. The pattern is ASCII text with a `'\n'` every 40 to 120 bytes.
//!
//! Workloads:
//!
//! - `passthrough`: each stage hands everything on unchanged.
//! - `xor`: each stage XORs every byte with [`KEY`].
//! - `lines`: each stage hands on only whole `'\n'`-terminated lines, keeps the partial last line
//!   until more arrives, and hands on the rest at the end of the stream.
//!
//! Implementations, side by side in one criterion group per workload and K:
//!
//! - `ours`: this crate, K + 1 `PipeBuf`s, stages use `forward` / `forward_prefix`.
//! - `published`: `pipebuf` 0.3.2 with the same stage code (its `forward` copies).
//! - `published-fused` (xor only): 0.3.2, each stage XORs while it copies, the best way to write
//!   that stage on that crate.
//! - `std-io`: a chain of `std::io::Read` adapters; the sink reads into a 16 KiB buffer.
//! - `memcpy`: copies the bytes once, chunk by chunk, into one 16 KiB buffer: the cost of moving
//!   the bytes once, the same for every K.
//!
//! Before benchmarking, [`verify`] runs every variant on a little over 1 MiB and checks that the
//! sink gets exactly the expected bytes (and, for `lines`, only whole lines before the end).
//!
//! Run with `cargo bench -p pipebuf@0.1.0 --bench chains`. Without `--bench` (as under
//! `cargo test --all-targets`) each variant runs once on the small size only. Results, and a
//! caveat about glibc's `rep movsb` memcpy on AMD Zen 3, are in `BENCHMARKS.md`.

use std::hint::black_box;
use std::io::{self, Read};
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput};
use pipebuf::{PBufRd, PBufWr, PipeBuf};
use pipebuf_published::{PBufRd as PubRd, PBufWr as PubWr, PipeBuf as PubBuf};

/// Bytes moved through the chain per benchmark iteration.
const TOTAL: usize = 256 * 1024 * 1024;
/// Bytes the source produces at a time, and the size of the `std::io` sink's buffer.
const CHUNK: usize = 16 * 1024;
/// Size of the pre-generated text the source copies from; a multiple of [`CHUNK`].
const PATTERN_LEN: usize = 64 * 1024;
/// Bytes moved by the verification runs: not a multiple of the chunk, so the last chunk is short
/// and ends inside a line.
const VERIFY_TOTAL: usize = 1024 * 1024 + 777;
/// The byte each `xor` stage XORs with.
const KEY: u8 = 0x5a;
/// Chain lengths benchmarked.
const STAGES: [usize; 3] = [1, 4, 8];

/// What each stage does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Workload {
    Passthrough,
    Xor,
    Lines,
}

impl Workload {
    const ALL: [Workload; 3] = [Workload::Passthrough, Workload::Xor, Workload::Lines];

    fn name(self) -> &'static str {
        match self {
            Workload::Passthrough => "passthrough",
            Workload::Xor => "xor",
            Workload::Lines => "lines",
        }
    }

    /// The implementations compared on this workload, in table order.
    fn impls(self) -> &'static [Impl] {
        match self {
            Workload::Xor => {
                &[Impl::Ours, Impl::Published, Impl::PublishedFused, Impl::StdIo, Impl::Memcpy]
            }
            _ => &[Impl::Ours, Impl::Published, Impl::StdIo, Impl::Memcpy],
        }
    }

    /// The bytes a K-stage chain must deliver for `input`.
    fn expected(self, k: usize, input: &[u8]) -> Vec<u8> {
        let mut out = input.to_vec();
        if self == Workload::Xor && k % 2 == 1 {
            xor_in_place(&mut out);
        }
        out
    }
}

/// One way of building the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Impl {
    Ours,
    Published,
    PublishedFused,
    StdIo,
    Memcpy,
}

impl Impl {
    fn name(self) -> &'static str {
        match self {
            Impl::Ours => "ours",
            Impl::Published => "published",
            Impl::PublishedFused => "published-fused",
            Impl::StdIo => "std-io",
            Impl::Memcpy => "memcpy",
        }
    }

    /// Runs a chain of `k` stages doing `w` over `total` bytes, feeding the output to `sink`.
    fn run<S: Sink>(self, w: Workload, k: usize, total: usize, pattern: &[u8], sink: S) -> S {
        match (self, w) {
            (Impl::Ours, Workload::Passthrough) => run_ours(k, total, pattern, ours_pass, sink),
            (Impl::Ours, Workload::Xor) => run_ours(k, total, pattern, ours_xor, sink),
            (Impl::Ours, Workload::Lines) => run_ours(k, total, pattern, ours_lines, sink),
            (Impl::Published, Workload::Passthrough) => run_pub(k, total, pattern, pub_pass, sink),
            (Impl::Published, Workload::Xor) => run_pub(k, total, pattern, pub_xor, sink),
            (Impl::Published, Workload::Lines) => run_pub(k, total, pattern, pub_lines, sink),
            (Impl::PublishedFused, Workload::Xor) => {
                run_pub(k, total, pattern, pub_xor_fused, sink)
            }
            (Impl::PublishedFused, _) => unreachable!("published-fused is an xor variant"),
            (Impl::StdIo, _) => run_std(w, k, total, pattern, sink),
            (Impl::Memcpy, _) => run_memcpy(total, pattern, sink),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Source data and sinks

/// Builds the 64 KiB pattern: printable ASCII lines of 40 to 120 bytes (with the `'\n'`), of
/// pseudo-random lengths from a fixed seed; the last line ends exactly at the end.
fn make_pattern() -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut out = Vec::with_capacity(PATTERN_LEN);
    while out.len() < PATTERN_LEN {
        let left = PATTERN_LEN - out.len();
        let mut len = 40 + usize::try_from(next() % 81).expect("small");
        if left <= 120 {
            len = left;
        } else if left - len < 40 {
            len = left - 40;
        }
        for _ in 1..len {
            let r = next() % 32;
            out.push(if r < 5 { b' ' } else { b'a' + u8::try_from(r % 26).expect("small") });
        }
        out.push(b'\n');
    }
    assert_eq!(out.len(), PATTERN_LEN);
    out
}

/// The source's chunk at stream position `pos` (a multiple of [`CHUNK`]): the next 16 KiB of the
/// pattern, or less at the end of the stream.
#[inline]
fn source_chunk(pattern: &[u8], pos: usize, total: usize) -> &[u8] {
    let off = pos % PATTERN_LEN;
    &pattern[off..off + CHUNK.min(total - pos)]
}

/// The input stream of `total` bytes, as the sources produce it.
fn input_stream(pattern: &[u8], total: usize) -> Vec<u8> {
    pattern.iter().copied().cycle().take(total).collect()
}

/// The end of a chain: takes each piece of output as it comes, without keeping it.
trait Sink {
    fn take(&mut self, data: &[u8]);
}

/// The benchmark sink: copies nothing, sums the length and first byte of each piece so the
/// optimizer must produce the data.
#[derive(Default)]
struct Checksum(u64);

impl Sink for Checksum {
    #[inline]
    fn take(&mut self, data: &[u8]) {
        let data = black_box(data);
        if let Some(&first) = data.first() {
            self.0 = self.0.wrapping_add(data.len() as u64 + u64::from(first));
        }
    }
}

/// The verification sink: keeps all the output and where each piece ended.
#[derive(Default)]
struct Collect {
    bytes: Vec<u8>,
    piece_ends: Vec<usize>,
}

impl Sink for Collect {
    fn take(&mut self, data: &[u8]) {
        if !data.is_empty() {
            self.bytes.extend_from_slice(data);
            self.piece_ends.push(self.bytes.len());
        }
    }
}

#[inline]
fn xor_in_place(data: &mut [u8]) {
    for b in data {
        *b ^= KEY;
    }
}

// ---------------------------------------------------------------------------------------------
// Ours

fn ours_pass(mut rd: PBufRd<'_>, wr: PBufWr<'_>) {
    rd.forward(wr);
}

fn ours_xor(mut rd: PBufRd<'_>, wr: PBufWr<'_>) {
    xor_in_place(rd.data_mut());
    rd.forward(wr);
}

fn ours_lines(mut rd: PBufRd<'_>, wr: PBufWr<'_>) {
    if rd.is_eof() {
        rd.forward(wr);
    } else if let Some(i) = rd.data().iter().rposition(|&b| b == b'\n') {
        rd.forward_prefix(wr, i + 1);
    }
}

/// Source, `k` stages and sink over `k + 1` buffers; each chunk goes through every stage before
/// the next is produced.
fn run_ours<S: Sink>(
    k: usize,
    total: usize,
    pattern: &[u8],
    stage: impl Fn(PBufRd<'_>, PBufWr<'_>),
    mut sink: S,
) -> S {
    let mut bufs: Vec<PipeBuf> = (0..=k).map(|_| PipeBuf::new()).collect();
    let mut pos = 0;
    while pos < total {
        let chunk = source_chunk(pattern, pos, total);
        let mut wr = bufs[0].wr();
        wr.space(chunk.len()).copy_from_slice(chunk);
        wr.commit(chunk.len());
        pos += chunk.len();
        if pos == total {
            wr.close();
        }
        for i in 0..k {
            let (head, tail) = bufs.split_at_mut(i + 1);
            stage(head[i].rd(), tail[0].wr());
        }
        let mut rd = bufs[k].rd();
        sink.take(rd.data());
        let len = rd.len();
        rd.consume(len);
    }
    let mut rd = bufs[k].rd();
    assert!(rd.consume_eof() && rd.is_done(), "the close came through");
    sink
}

// ---------------------------------------------------------------------------------------------
// Published 0.3.2

fn pub_pass(mut rd: PubRd<'_>, wr: PubWr<'_>) {
    rd.forward(wr);
}

fn pub_xor(mut rd: PubRd<'_>, wr: PubWr<'_>) {
    xor_in_place(rd.data_mut());
    rd.forward(wr);
}

/// XOR while copying: the best way to write this stage on 0.3.2, whose `forward` copies.
fn pub_xor_fused(mut rd: PubRd<'_>, mut wr: PubWr<'_>) {
    let len = rd.len();
    if len > 0 {
        for (to, &from) in wr.space(len).iter_mut().zip(rd.data()) {
            *to = from ^ KEY;
        }
        wr.commit(len);
        rd.consume(len);
    }
    if rd.consume_push() {
        wr.push();
    }
    if rd.consume_eof() {
        if rd.is_aborted() {
            wr.abort();
        } else {
            wr.close();
        }
    }
}

fn pub_lines(mut rd: PubRd<'_>, mut wr: PubWr<'_>) {
    if rd.is_eof() {
        rd.forward(wr);
    } else if let Some(i) = rd.data().iter().rposition(|&b| b == b'\n') {
        wr.append(&rd.data()[..=i]);
        rd.consume(i + 1);
    }
}

/// The same glue as [`run_ours`], on 0.3.2 buffers.
fn run_pub<S: Sink>(
    k: usize,
    total: usize,
    pattern: &[u8],
    stage: impl Fn(PubRd<'_>, PubWr<'_>),
    mut sink: S,
) -> S {
    let mut bufs: Vec<PubBuf> = (0..=k).map(|_| PubBuf::new()).collect();
    let mut pos = 0;
    while pos < total {
        let chunk = source_chunk(pattern, pos, total);
        let mut wr = bufs[0].wr();
        wr.space(chunk.len()).copy_from_slice(chunk);
        wr.commit(chunk.len());
        pos += chunk.len();
        if pos == total {
            wr.close();
        }
        for i in 0..k {
            let (head, tail) = bufs.split_at_mut(i + 1);
            stage(head[i].rd(), tail[0].wr());
        }
        let mut rd = bufs[k].rd();
        sink.take(rd.data());
        let len = rd.len();
        rd.consume(len);
    }
    let mut rd = bufs[k].rd();
    assert!(rd.consume_eof() && rd.is_done(), "the close came through");
    sink
}

// ---------------------------------------------------------------------------------------------
// std::io

/// Reads the stream from the pattern, as the other sources produce it.
struct PatternReader<'a> {
    pattern: &'a [u8],
    pos: usize,
    total: usize,
}

impl Read for PatternReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let off = self.pos % PATTERN_LEN;
        let len = buf.len().min(self.total - self.pos).min(PATTERN_LEN - off);
        buf[..len].copy_from_slice(&self.pattern[off..off + len]);
        self.pos += len;
        Ok(len)
    }
}

/// Pass-through stage: reads straight into the caller's buffer.
struct PassReader<R>(R);

impl<R: Read> Read for PassReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

/// XOR stage: reads into the caller's buffer, then XORs what it read.
struct XorReader<R>(R);

impl<R: Read> Read for XorReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let len = self.0.read(buf)?;
        xor_in_place(&mut buf[..len]);
        Ok(len)
    }
}

/// Line stage: buffers its input like a `BufReader` and returns only whole lines (the rest at the
/// end of the stream), keeping a partial line until more arrives.
struct LineReader<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> LineReader<R> {
    fn new(inner: R) -> Self {
        LineReader {
            inner,
            buf: vec![0; 2 * CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
        }
    }
}

impl<R: Read> Read for LineReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let avail = &self.buf[self.start..self.end];
            let window = &avail[..avail.len().min(out.len())];
            let len = match window.iter().rposition(|&b| b == b'\n') {
                _ if self.eof => window.len(),
                Some(i) => i + 1,
                // A line longer than `out` or than the buffer: give what there is.
                None if window.len() == out.len() || avail.len() == self.buf.len() => window.len(),
                None => 0,
            };
            if len > 0 || self.eof {
                out[..len].copy_from_slice(&window[..len]);
                self.start += len;
                return Ok(len);
            }
            // No whole line: move the partial line to the front and read up to a chunk more.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            let want = (self.end + CHUNK).min(self.buf.len());
            match self.inner.read(&mut self.buf[self.end..want])? {
                0 => self.eof = true,
                got => self.end += got,
            }
        }
    }
}

/// The `std::io` chain: a source and `k` adapters, each wrapping the one before; the sink reads
/// into a 16 KiB buffer until the end.
fn run_std<S: Sink>(w: Workload, k: usize, total: usize, pattern: &[u8], mut sink: S) -> S {
    let mut reader: Box<dyn Read + '_> = Box::new(PatternReader { pattern, pos: 0, total });
    for _ in 0..k {
        reader = match w {
            Workload::Passthrough => Box::new(PassReader(reader)),
            Workload::Xor => Box::new(XorReader(reader)),
            Workload::Lines => Box::new(LineReader::new(reader)),
        };
    }
    let mut buf = vec![0; CHUNK];
    let mut seen = 0;
    loop {
        let len = reader.read(&mut buf).expect("no I/O errors here");
        if len == 0 {
            break;
        }
        seen += len;
        sink.take(&buf[..len]);
    }
    assert_eq!(seen, total);
    sink
}

// ---------------------------------------------------------------------------------------------
// memcpy baseline

/// Copies the stream once, chunk by chunk, into one 16 KiB buffer.
fn run_memcpy<S: Sink>(total: usize, pattern: &[u8], mut sink: S) -> S {
    let mut buf = vec![0; CHUNK];
    let mut pos = 0;
    while pos < total {
        let chunk = source_chunk(pattern, pos, total);
        let to = &mut buf[..chunk.len()];
        to.copy_from_slice(chunk);
        sink.take(black_box(to));
        pos += chunk.len();
    }
    sink
}

// ---------------------------------------------------------------------------------------------
// Verification and benchmarks

/// Runs every variant on [`VERIFY_TOTAL`] bytes and checks its output against the input
/// transformed, so the benchmarks compare implementations that do the same work. Panics on a
/// mismatch.
fn verify(pattern: &[u8]) {
    let input = input_stream(pattern, VERIFY_TOTAL);
    let mut checked = 0;
    for w in Workload::ALL {
        for k in [1, 2, 3, 4, 8] {
            let expected = w.expected(k, &input);
            for &imp in w.impls() {
                let what = format!("{}/K={k}/{}", w.name(), imp.name());
                let out = imp.run(w, k, VERIFY_TOTAL, pattern, Collect::default());
                let want = if imp == Impl::Memcpy { &input } else { &expected };
                assert!(out.bytes == *want, "{what}: wrong output");
                if w == Workload::Lines && imp != Impl::Memcpy {
                    let last = out.piece_ends.last().copied();
                    for &end in &out.piece_ends {
                        assert!(
                            out.bytes[end - 1] == b'\n' || Some(end) == last,
                            "{what}: a partial line before the end"
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    eprintln!("verify: {checked} variants produce the expected output");
}

fn bench_all(c: &mut Criterion, pattern: &[u8], total: usize) {
    for w in Workload::ALL {
        for k in STAGES {
            let mut group = c.benchmark_group(format!("{}/K={k}", w.name()));
            group.throughput(Throughput::Bytes(total as u64));
            group.sampling_mode(SamplingMode::Flat);
            for &imp in w.impls() {
                group.bench_function(imp.name(), |b| {
                    b.iter(|| imp.run(w, k, total, pattern, Checksum::default()).0);
                });
            }
            group.finish();
        }
    }
}

fn main() {
    let pattern = make_pattern();
    verify(&pattern);
    // Without `--bench` criterion only checks that each benchmark runs, once; keep that quick.
    let total = if std::env::args().any(|a| a == "--bench") { TOTAL } else { VERIFY_TOTAL };
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench_all(&mut c, &pattern, total);
    c.final_summary();
}
