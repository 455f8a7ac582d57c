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
//! connection runs `TcpLink <-> TlsServer <-> WsServer <-> Echo<Message>`, one `#[pipeline]`;
//! `MioServer` runs them all on one thread. Ctrl-C shuts down cleanly: every connection gets a
//! WebSocket Close (1001, going away) and a TLS `close_notify`. One line is logged per
//! connection when it ends: peer, bytes in and out, and how it ended.
//!
//! Talk to it with Python (`pip install websockets`):
//! `python3 -m websockets --insecure wss://127.0.0.1:9443` (or `ws://` with `--plain`).

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use pipebuf::{PipeBufPair, pipeline};
use pipebuf_stages::rustls::ServerConfig;
use pipebuf_stages::rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use pipebuf_stages::websocket::{CloseFrame, Message, WsServer, close_code};
use pipebuf_stages::{Echo, Ended, MioConnection, MioServer, Report, TcpLink, TlsServer};

/// WebSocket over TLS over TCP, echoing every message.
#[pipeline]
struct WssEcho {
    tcp: TcpLink,
    tls: TlsServer,
    ws: WsServer,
    echo: Echo<Message>,
    #[link(tcp.upper <-> tls.lower)]
    net: PipeBufPair,
    #[link(tls.upper <-> ws.lower)]
    plain: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

/// WebSocket straight over TCP (`--plain`), echoing every message.
#[pipeline]
struct WsEcho {
    tcp: TcpLink,
    ws: WsServer,
    echo: Echo<Message>,
    #[link(tcp.upper <-> ws.lower)]
    net: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

/// What both pipelines tell the server.
macro_rules! connection {
    ($pipeline:ident) => {
        impl MioConnection for $pipeline {
            fn tcp(&mut self) -> &mut TcpLink {
                &mut self.tcp
            }

            fn is_established(&self) -> bool {
                self.ws.is_open()
            }

            fn describe(&self) -> String {
                describe(&self.ws)
            }

            fn shut_down(&mut self) {
                // Valid by construction: a defined code and no reason.
                let _ = self.ws.close(CloseFrame::new(close_code::GOING_AWAY, ""));
            }
        }
    };
}

connection!(WssEcho);
connection!(WsEcho);

/// How the WebSocket ended, in a few words.
fn describe(ws: &WsServer) -> String {
    match (ws.peer_close(), ws.is_close_sent()) {
        (Some(close), _) => format!("close {} from the client", close.code),
        (None, true) => "close sent, none received".to_owned(),
        (None, false) if ws.is_open() => "no close frame".to_owned(),
        (None, false) => "no handshake".to_owned(),
    }
}

/// The command line.
struct Args {
    port: u16,
    plain: bool,
    cert: Option<String>,
    key: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { port: 9443, plain: false, cert: None, key: None };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--plain" => args.plain = true,
            "--port" => {
                let port = it.next().ok_or("--port needs a number")?;
                args.port = port.parse().map_err(|_| format!("not a port: {port}"))?;
            }
            "--cert" => args.cert = Some(it.next().ok_or("--cert needs a PEM file")?),
            "--key" => args.key = Some(it.next().ok_or("--key needs a PEM file")?),
            "-h" | "--help" => {
                return Err(
                    "usage: wss_echo_server [--port N] [--plain] [--cert PEM --key PEM]".to_owned()
                );
            }
            other => return Err(format!("unknown argument {other} (try --help)")),
        }
    }
    if args.cert.is_some() != args.key.is_some() {
        return Err("--cert and --key go together".to_owned());
    }
    Ok(args)
}

/// The TLS config: the given certificate and key, or a self-signed pair made now; and the
/// certificate's SHA-256 fingerprint.
fn tls_config(args: &Args) -> Result<(Arc<ServerConfig>, String), Box<dyn Error>> {
    let (certs, key) = if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        let certs =
            CertificateDer::pem_slice_iter(&fs::read(cert)?).collect::<Result<Vec<_>, _>>()?;
        (certs, PrivateKeyDer::from_pem_slice(&fs::read(key)?)?)
    } else {
        let made = rcgen::generate_simple_self_signed(["localhost".into(), "127.0.0.1".into()])?;
        let key = PrivateKeyDer::try_from(made.key_pair.serialize_der())?;
        (vec![made.cert.der().clone()], key)
    };
    let digest =
        ring::digest::digest(&ring::digest::SHA256, certs.first().ok_or("no certificate")?);
    let mut fingerprint = String::new();
    for (i, byte) in digest.as_ref().iter().enumerate() {
        let _ = write!(fingerprint, "{}{byte:02X}", if i == 0 { "" } else { ":" });
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    Ok((Arc::new(config), fingerprint))
}

/// The one line logged per connection.
fn log(report: &Report) {
    let ended = match &report.ended {
        Ended::Done => "done".to_owned(),
        Ended::Failed { error } => format!("failed: {error}"),
        Ended::HandshakeTimeout => "handshake timeout".to_owned(),
        Ended::Shutdown => "cut at shutdown".to_owned(),
        other => format!("{other:?}"),
    };
    println!(
        "{} in {} B out {} B {:.1} s: {ended} ({})",
        report.peer,
        report.bytes.0,
        report.bytes.1,
        report.duration.as_secs_f64(),
        report.detail
    );
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed))?;
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    if args.plain {
        let mut server = MioServer::bind(addr, |stream, _| {
            Ok(WsEcho::new(TcpLink::new(stream), WsServer::new(), Echo::new()))
        })?;
        println!("listening on ws://{}", server.local_addr()?);
        server.run(&stop, log)?;
    } else {
        let (config, fingerprint) = tls_config(&args)?;
        let mut server = MioServer::bind(addr, |stream, _| {
            let tls = TlsServer::new(config.clone()).map_err(std::io::Error::other)?;
            Ok(WssEcho::new(TcpLink::new(stream), tls, WsServer::new(), Echo::new()))
        })?;
        println!("listening on wss://{}", server.local_addr()?);
        println!("certificate SHA-256 fingerprint {fingerprint}");
        server.run(&stop, log)?;
    }
    println!("shut down");
    Ok(())
}
