//! The WebSocket echo server of `wss_echo_server`, on tokio: the same stages, driven by
//! `pipebuf_stages::TokioDriver`.
//!
//! ```sh
//! cargo run --release --example tokio_echo                   # wss://127.0.0.1:9443, self-signed
//! cargo run --release --example tokio_echo -- --plain --port 9080   # ws://, no TLS
//! ```
//!
//! Each accepted connection is one tokio task running one `#[pipeline]`,
//! `TlsServer <-> WebsocketServer <-> Echo<Message>` (or `WebsocketServer <-> Echo<Message>` with `--plain`),
//! whose bottom link the driver connects to the `TcpStream`: both directions at once, in that
//! one task, with no tokio in any stage. Without `--cert`/`--key` it makes a self-signed
//! certificate for `localhost` and `127.0.0.1` at start and prints its SHA-256 fingerprint.
//! Ctrl-C shuts down cleanly: every connection gets a WebSocket Close (1001, going away) and a
//! TLS `close_notify`; one line is logged per connection when it ends.
//!
//! Talk to it with Python (`pip install websockets`):
//! `python3 -m websockets --insecure wss://127.0.0.1:9443` (or `ws://` with `--plain`).

use std::net::SocketAddr;
use std::process::ExitCode;

use pipebuf_examples::cli::{Stop, exit};
use pipebuf_examples::tokio_wss::serve;
use pipebuf_examples::wss::{ServerArgs, log_line};
use tokio::net::TcpListener;

fn main() -> ExitCode {
    exit("tokio_echo", run())
}

#[tokio::main]
async fn run() -> Result<(), Stop> {
    let args = ServerArgs::parse("tokio_echo", std::env::args().skip(1))?;
    let tls = args.tls()?;
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port))).await?;
    let scheme = if tls.is_some() { "wss" } else { "ws" };
    println!("listening on {scheme}://{}", listener.local_addr()?);
    if let Some((_, fingerprint)) = &tls {
        println!("certificate SHA-256 fingerprint {fingerprint}");
    }
    let ctrl_c = async {
        // Without a signal handler there is no clean way to stop: serve until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    serve(listener, tls.map(|(config, _)| config), ctrl_c, |report| {
        println!("{}", log_line(report));
    })
    .await?;
    println!("shut down");
    Ok(())
}
