//! A WebSocket echo server over TLS (wss://) on mio: the project's main job.
//!
//! ```sh
//! cargo run --release --example wss_echo_server                      # wss://127.0.0.1:9443, self-signed
//! cargo run --release --example wss_echo_server -- --cert c.pem --key k.pem --port 443
//! cargo run --release --example wss_echo_server -- --plain --port 9080   # ws://, no TLS
//! ```
//!
//! Without `--cert`/`--key` it makes a self-signed certificate for `localhost` and `127.0.0.1`
//! at start, and prints its SHA-256 fingerprint to check against what a client sees. Each
//! connection runs `TcpLink <-> TlsServer <-> WebsocketServer <-> Echo<Message>`, one `#[pipeline]`;
//! `MioServer` runs them all on one thread. Ctrl-C shuts down cleanly: every connection gets a
//! WebSocket Close (1001, going away) and a TLS `close_notify`. One line is logged per
//! connection when it ends: peer, bytes in and out, and how it ended.
//!
//! Talk to it with Python (`pip install websockets`):
//! `python3 -m websockets --insecure wss://127.0.0.1:9443` (or `ws://` with `--plain`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use pipebuf_examples::cli::{Stop, exit};
use pipebuf_examples::wss::{ServerArgs, log_line, serve};

fn main() -> ExitCode {
    exit("wss_echo_server", run())
}

fn run() -> Result<(), Stop> {
    let args = ServerArgs::parse("wss_echo_server", std::env::args().skip(1))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))?;
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let tls = args.tls()?;
    let scheme = if tls.is_some() { "wss" } else { "ws" };
    let fingerprint = tls.as_ref().map(|(_, fingerprint)| fingerprint.clone());
    serve(
        addr,
        tls.map(|(config, _)| config),
        &stop,
        |local| {
            println!("listening on {scheme}://{local}");
            if let Some(fingerprint) = &fingerprint {
                println!("certificate SHA-256 fingerprint {fingerprint}");
            }
        },
        |report| println!("{}", log_line(report)),
    )?;
    println!("shut down");
    Ok(())
}
