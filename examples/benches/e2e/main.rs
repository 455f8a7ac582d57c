//! The end-to-end benchmark: WSS echo servers side by side, under the same load, in one run.
//!
//! ```sh
//! cargo bench -p pipebuf-examples --bench e2e                 # the whole report, about 2.5 minutes
//! cargo bench -p pipebuf-examples --bench e2e -- --secs 5 --rounds 5 --idle 2000 --window 16
//! cargo bench -p pipebuf-examples --bench e2e -- --sizes 16     # only the 16-byte rows
//! ```
//!
//! Each server runs in its own child process pinned to core 0 (`taskset -c 0`); this process,
//! the load client, re-runs itself pinned to core 1. The servers are ours,
//! `pipebuf_examples::wss::serve` (the main job: one `#[pipeline]` per connection on
//! `MioServer`) and `pipebuf_examples::tokio_wss::serve` (the same stages on `TokioDriver`), and
//! the baseline, tokio + tokio-rustls + tokio-tungstenite (that crate's echo server example over
//! TLS), all with the same rustls config and certificate. Per server, on a fresh process: memory
//! per idle connection (`VmRSS`, and the live heap a counting allocator sees, with N idle
//! connections open, against before); a clean shutdown (does the server answer our Close with
//! a Close, and end TLS with `close_notify`?). Then the load rows go round the servers: 1 and
//! 100 connections by 16 B and 16 KiB binary messages, each connection keeping a window of
//! messages in flight, each message carrying its sequence number and send time so that the
//! client checks every echo and measures its round trip. The server's CPU time per message comes
//! from `/proc/<pid>/stat`. BENCHMARKS.md, at the root, has the method, the figures and the
//! targets.
//!
//! Without `--bench` (`cargo test --benches`) it runs a smoke test instead: every row for a
//! fraction of a second, failing on any echo error, stall, or unclean shutdown of ours.

mod client;
mod mio_client;
mod procfs;
mod servers;

use std::alloc::System;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use cap::Cap;
use client::{BoxError, Load, LoadResult, Memory, Shutdown, Target};
use servers::Kind;

/// Counts the live heap bytes of a server, to tell memory in use from memory the C allocator
/// keeps resident after it was freed. It costs every server the same: one atomic add per
/// allocation and per free.
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("e2e: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The command line.
struct Args {
    /// `cargo bench` passes `--bench`; without it, a smoke test.
    bench: bool,
    /// Set in a server's child process.
    server: Option<(Kind, PathBuf, PathBuf)>,
    /// Measured seconds per row.
    secs: f64,
    /// Idle connections for the memory figure.
    idle: usize,
    /// Messages in flight per connection.
    window: u64,
    /// Runs of each row per server; the median is reported.
    rounds: usize,
    /// The message sizes of the rows (`--sizes 16`: only the 16-byte rows, to profile them).
    sizes: Vec<usize>,
    /// The load client: ours on mio (`pipebuf`, the default) or `tungstenite`.
    tungstenite_client: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        bench: false,
        server: None,
        secs: 3.0,
        idle: 1000,
        window: 16,
        rounds: 3,
        sizes: vec![16, 16 * 1024],
        tungstenite_client: false,
    };
    let (mut kind, mut cert, mut key) = (None, None, None);
    let mut it = env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--bench" => args.bench = true,
            "--server" => {
                let name = value()?;
                kind = Some(Kind::from_name(&name).ok_or(format!("no server {name}"))?);
            }
            "--cert" => cert = Some(PathBuf::from(value()?)),
            "--key" => key = Some(PathBuf::from(value()?)),
            "--secs" => args.secs = value()?.parse().map_err(|e| format!("--secs: {e}"))?,
            "--idle" => args.idle = value()?.parse().map_err(|e| format!("--idle: {e}"))?,
            "--window" => args.window = value()?.parse().map_err(|e| format!("--window: {e}"))?,
            "--rounds" => args.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--sizes" => {
                let list = value()?;
                let sizes = list.split(',').map(str::parse).collect::<Result<Vec<_>, _>>();
                args.sizes = sizes.map_err(|e| format!("--sizes: {e}"))?;
            }
            "--client" => {
                args.tungstenite_client = match value()?.as_str() {
                    "pipebuf" => false,
                    "tungstenite" => true,
                    other => return Err(format!("--client: pipebuf or tungstenite, not {other}")),
                };
            }
            // What cargo's test and bench harnesses take (`--nocapture`, a filter) means
            // nothing here; said, not silently dropped.
            other => eprintln!("e2e: ignoring the argument {other}"),
        }
    }
    if args.rounds == 0 {
        return Err("--rounds must be at least 1".to_owned());
    }
    if args.sizes.is_empty() || args.sizes.iter().any(|&size| size < client::HEADER) {
        return Err(format!("--sizes: each at least {} bytes", client::HEADER));
    }
    if let Some(kind) = kind {
        args.server = Some((kind, cert.ok_or("--server needs --cert")?, key.ok_or("--key")?));
    }
    Ok(args)
}

/// Returns whether every check passed (the smoke test's verdict; the benchmark reports).
fn run() -> Result<bool, BoxError> {
    let args = parse_args()?;
    if let Some((kind, cert, key)) = &args.server {
        servers::run(*kind, cert, key)?;
        return Ok(true);
    }
    if env::var_os(PINNED).is_none() {
        // Runs again on core 1, leaving core 0 to the servers.
        let status = Command::new("taskset")
            .args(["-c", CLIENT_CORE])
            .arg(env::current_exe()?)
            .args(env::args_os().skip(1))
            .env(PINNED, "1")
            .status()
            .map_err(|e| format!("taskset (util-linux) is needed to pin processes: {e}"))?;
        return Ok(status.success());
    }
    let dir = env::temp_dir().join(format!("pipebuf-e2e-{}", std::process::id()));
    fs::create_dir_all(&dir)?;
    let result = bench(&args, &dir);
    let _ = fs::remove_dir_all(&dir);
    result
}

/// Runs every server through the same client and prints the report.
fn bench(args: &Args, dir: &Path) -> Result<bool, BoxError> {
    let made = rcgen::generate_simple_self_signed(["localhost".into(), "127.0.0.1".into()])?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    fs::write(&cert, made.cert.pem())?;
    fs::write(&key, made.key_pair.serialize_pem())?;
    let tls = client::client_config(made.cert.der())?;
    let ticks = procfs::ticks_per_second();
    let (warmup, measure, idle, settle, rounds) = if args.bench {
        (WARMUP, Duration::from_secs_f64(args.secs), args.idle, SETTLE, args.rounds)
    } else {
        (Duration::from_millis(100), Duration::from_millis(300), 20, Duration::from_millis(100), 1)
    };
    let loads: Vec<Load> = [1, 100]
        .into_iter()
        .flat_map(|conns| args.sizes.iter().map(move |&size| (conns, size)))
        .map(|(conns, size)| Load { conns, size, window: args.window, warmup, measure })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let started = Instant::now();
    // Others may be using the machine: the report says how busy it was.
    let load_average = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    // Every server first measures its memory and shutdown on a fresh process; then the rows
    // go round the servers, one row at a time, so that whatever else the machine does in the
    // meantime falls on all of them alike.
    let mut servers = Vec::new();
    let mut reports = Vec::new();
    for kind in Kind::ALL {
        eprintln!("e2e: {}: idle memory, shutdown", kind.name());
        let mut server = Server::spawn(kind, &cert, &key)?;
        let target = Target { port: server.port, tls: tls.clone(), pid: server.child.id(), ticks };
        let (before, after) =
            runtime.block_on(client::idle(&target, idle, settle, || server.memory()))?;
        let shutdown = client::shutdown(&target)?;
        let per_conn = |f: fn(&Memory) -> u64| {
            client::ratio(f(&after).saturating_sub(f(&before)), idle as u64)
        };
        let (idle_rss, idle_heap) = (per_conn(|m| m.rss), per_conn(|m| m.heap));
        reports.push(Report { kind, idle_rss, idle_heap, shutdown, rows: Vec::new() });
        servers.push((server, target));
    }
    let mut results: Vec<Vec<Vec<LoadResult>>> = (0..reports.len()).map(|_| Vec::new()).collect();
    for load in &loads {
        eprintln!("e2e: {} conn x {} B, {rounds} rounds", load.conns, load.size);
        let mut runs: Vec<Vec<LoadResult>> = servers.iter().map(|_| Vec::new()).collect();
        for _ in 0..rounds {
            for ((_, target), runs) in servers.iter().zip(&mut runs) {
                runs.push(if args.tungstenite_client {
                    runtime.block_on(client::load(target, *load))?
                } else {
                    mio_client::load(target, *load)?
                });
            }
        }
        for (runs, results) in runs.into_iter().zip(&mut results) {
            results.push(runs);
        }
    }
    for (mut server, _) in servers {
        server.stop();
    }
    for (report, rows) in reports.iter_mut().zip(results) {
        report.rows = rows.into_iter().map(median).collect();
    }
    let setup = format!(
        "{:.1} s measured per row after {:.1} s of warm-up, the median of {rounds} rounds by \
         msgs/s; {} messages in flight per connection; load client on {}; {idle} idle \
         connections; servers on core {SERVER_CORE}, client on core {CLIENT_CORE}; load average \
         before: {}",
        measure.as_secs_f64(),
        warmup.as_secs_f64(),
        args.window,
        if args.tungstenite_client { "tokio-tungstenite" } else { "our stages (mio)" },
        load_average.trim(),
    );
    let (text, ok) = render(&setup, &loads, &reports);
    println!("{text}");
    eprintln!("e2e: done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(ok || args.bench)
}

/// The run with the median throughput, whole, so that its figures belong together.
fn median(mut runs: Vec<LoadResult>) -> LoadResult {
    runs.sort_by(|a, b| (a.rate()).total_cmp(&b.rate()));
    let middle = runs.len() / 2;
    runs.swap_remove(middle)
}

/// What one server did.
struct Report {
    kind: Kind,
    /// Bytes per idle connection: resident, and live on the heap.
    idle_rss: f64,
    idle_heap: f64,
    shutdown: Shutdown,
    rows: Vec<LoadResult>,
}

/// A server's child process.
struct Server {
    child: Child,
    /// A line asks for the live heap; closing it stops the server.
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

impl Server {
    /// Starts `kind` on core 0 and waits until it listens.
    fn spawn(kind: Kind, cert: &Path, key: &Path) -> Result<Server, BoxError> {
        let mut child = Command::new("taskset")
            .args(["-c", SERVER_CORE])
            .arg(env::current_exe()?)
            .args(["--server", kind.name()])
            .arg("--cert")
            .arg(cert)
            .arg("--key")
            .arg(key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let port = line.strip_prefix("PORT ").and_then(|p| p.trim().parse().ok());
        let Some(port) = port else {
            let _ = child.kill();
            return Err(format!("{} did not start: {line:?}", kind.name()).into());
        };
        Ok(Server { child, stdin, stdout, port })
    }

    /// Its resident memory, and its live heap as it says.
    fn memory(&mut self) -> Result<Memory, BoxError> {
        let stdin = self.stdin.as_mut().ok_or("stopped")?;
        stdin.write_all(b"heap\n")?;
        stdin.flush()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        let heap = line.strip_prefix("HEAP ").and_then(|n| n.trim().parse().ok());
        let heap = heap.ok_or_else(|| format!("not a heap size: {line:?}"))?;
        Ok(Memory { rss: procfs::rss_bytes(self.child.id())?, heap })
    }

    /// Closes its stdin and waits for it to end, killing it after a few seconds.
    fn stop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("e2e: server {} did not stop; killed", self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.stdin.is_some() {
            self.stop();
        }
    }
}

/// The report in Markdown, and whether the smoke test's checks passed.
fn render(setup: &str, loads: &[Load], reports: &[Report]) -> (String, bool) {
    let mut out = format!("\n{setup}\n\n");
    let mut ok = true;
    out.push_str(
        "| load | server | msgs/s | p50 RTT | p99 RTT | server CPU | client CPU | server CPU µs/msg | spread max/min | echo errors |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (i, load) in loads.iter().enumerate() {
        for report in reports {
            let row = &report.rows[i];
            let _ = writeln!(
                out,
                "| {} conn x {} | {} | {} | {} | {} | {:.0} % | {:.0} % | {:.2} | {} | {} |",
                load.conns,
                size_name(load.size),
                report.kind.name(),
                thousands(row.rate()),
                micros(percentile(&row.rtts, 500)),
                micros(percentile(&row.rtts, 990)),
                100.0 * row.server_load(),
                100.0 * row.client_load(),
                client::ratio(row.server_cpu_us, row.msgs),
                spread(&row.per_conn),
                row.echo_errors,
            );
            for failure in &row.failures {
                let _ = writeln!(out, "|  | failure: {failure} | | | | | | | | |");
            }
            ok &= row.echo_errors == 0 && row.failures.is_empty() && row.msgs > 0;
        }
    }
    out.push_str(
        "\n| server | RSS per idle wss connection | live heap per idle wss connection | Close answered | TLS close_notify |\n\
         |---|---:|---:|---|---|\n",
    );
    for report in reports {
        let _ = writeln!(
            out,
            "| {} | {:.1} kB | {:.1} kB | {} | {} |",
            report.kind.name(),
            report.idle_rss / 1000.0,
            report.idle_heap / 1000.0,
            yes(report.shutdown.close_frame),
            yes(report.shutdown.close_notify),
        );
    }
    // The baseline comes last; each of ours is compared with it.
    let Some((theirs, ours)) = reports.split_last() else { return (out, ok) };
    for ours in ours {
        ok &= ours.shutdown.close_frame && ours.shutdown.close_notify;
        out.push_str(&targets(ours, theirs, loads));
    }
    (out, ok)
}

/// The ratios of `ours` to `theirs`, and the targets met or missed.
fn targets(ours: &Report, theirs: &Report, loads: &[Load]) -> String {
    let mut out =
        format!("\nRatios {} / {}, and the targets:\n\n", ours.kind.name(), theirs.kind.name());
    out.push_str("| load | msgs/s | p99 RTT | CPU µs/msg | targets |\n|---|---:|---:|---:|---|\n");
    for (i, load) in loads.iter().enumerate() {
        let (a, b) = (&ours.rows[i], &theirs.rows[i]);
        let rate = a.rate() / b.rate();
        let p99 = client::ratio(percentile(&a.rtts, 990), percentile(&b.rtts, 990).max(1));
        let cpu = client::ratio(a.server_cpu_us, a.msgs.max(1))
            / client::ratio(b.server_cpu_us, b.msgs.max(1));
        // Throughput is compared where the baseline's server is the bottleneck (its core busy
        // all the time). Where the client's core was busy all the time with ours, our rate is
        // only a lower bound of what our server does: enough to meet the target, not to miss
        // it. Elsewhere the client caps the rates, and CPU per message is compared.
        let mut targets = Vec::new();
        if b.server_load() >= SATURATED {
            if rate >= 1.3 || a.client_load() < SATURATED {
                targets.push(verdict("msgs/s >= 1.3x", rate >= 1.3));
            } else {
                targets.push("msgs/s >= 1.3x not judged (our client saturated)".to_owned());
            }
        }
        let cpu_target = if load.size <= 16 { 0.6 } else { 0.8 };
        targets.push(verdict(&format!("CPU/msg <= {cpu_target}x"), cpu <= cpu_target));
        if load.conns > 1 {
            targets.push(verdict("p99 <= 0.5x", p99 <= 0.5));
            let (max, min) = extremes(&a.per_conn);
            targets.push(verdict("spread <= 2", max <= 2 * min && min > 0));
        }
        targets.push(verdict("0 echo errors", a.echo_errors == 0 && a.failures.is_empty()));
        let _ = writeln!(
            out,
            "| {} conn x {} | {rate:.2}x | {p99:.2}x | {cpu:.2}x | {} |",
            load.conns,
            size_name(load.size),
            targets.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\n{}: {}, {}",
        ours.kind.name(),
        verdict("<= 16 kB resident per idle connection", ours.idle_rss <= 16_000.0),
        verdict(
            "a clean shutdown sends Close and close_notify",
            ours.shutdown.close_frame && ours.shutdown.close_notify
        ),
    );
    out
}

/// The value at `per_mille` of sorted `values`, 0 if there are none.
fn percentile(values: &[u32], per_mille: usize) -> u64 {
    if values.is_empty() {
        return 0;
    }
    u64::from(values[(values.len() - 1) * per_mille / 1000])
}

/// The most and fewest messages of one connection.
fn extremes(counts: &[u64]) -> (u64, u64) {
    let max = counts.iter().copied().max().unwrap_or(0);
    let min = counts.iter().copied().min().unwrap_or(0);
    (max, min)
}

/// `max/min` across connections.
fn spread(counts: &[u64]) -> String {
    match extremes(counts) {
        (_, 0) => "inf".to_owned(),
        (max, min) => format!("{:.2}", client::ratio(max, min)),
    }
}

/// Nanoseconds as microseconds or milliseconds.
fn micros(nanos: u64) -> String {
    let us = client::ratio(nanos, 1000);
    if us >= 1000.0 { format!("{:.2} ms", us / 1000.0) } else { format!("{us:.0} µs") }
}

/// A rate with a `k` or `M`.
fn thousands(rate: f64) -> String {
    if rate >= 1e6 { format!("{:.2} M", rate / 1e6) } else { format!("{:.1} k", rate / 1e3) }
}

fn size_name(size: usize) -> String {
    if size >= 1024 { format!("{} KiB", size / 1024) } else { format!("{size} B") }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn verdict(target: &str, met: bool) -> String {
    format!("{target} {}", if met { "met" } else { "MISSED" })
}

/// Marks the re-run of this process on the client's core.
const PINNED: &str = "PIPEBUF_E2E_PINNED";
const SERVER_CORE: &str = "0";
const CLIENT_CORE: &str = "1";
/// Load before each row's measured time, to fill the pipes and warm the caches.
const WARMUP: Duration = Duration::from_millis(500);
/// How long the idle connections sit before the memory is read: `MioServer` gives back the
/// buffers of a connection quiet for a whole sweep (1 s), so at most 2 s after its last byte.
const SETTLE: Duration = Duration::from_millis(2500);
/// The fraction of a core above which a server counts as the bottleneck.
const SATURATED: f64 = 0.9;
