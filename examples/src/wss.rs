//! The WebSocket echo server of the `wss_echo_server` example, as a library: its pipelines, its
//! TLS config and its log line, so that tests and benchmarks run the very same server.

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use pipebuf::{PipeBufPair, pipeline};
use pipebuf_stages::rustls::ServerConfig;
use pipebuf_stages::rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use pipebuf_stages::websocket::{CloseFrame, Message, WebsocketServer, close_code};
use pipebuf_stages::{Echo, Ended, MioConnection, MioServer, Report, TcpLink, TlsServer};

use crate::cli::Stop;

/// WebSocket over TLS over TCP, echoing every message.
#[pipeline]
pub struct WssEcho {
    /// The TCP link.
    pub tcp: TcpLink,
    /// The TLS server.
    pub tls: TlsServer,
    /// The WebSocket server.
    pub ws: WebsocketServer,
    echo: Echo<Message>,
    // Every link has a limit, so that a client that sends without reading fills its own socket
    // buffers, not the server's memory: each stage stops when its output is full. A message
    // link counts messages, not bytes (16 each way); the WebSocket stage also stops reading
    // while the messages waiting either way weigh more than `MAX_BACKLOG`.
    #[link(tcp.upper <-> tls.lower, limit = 65536)]
    net: PipeBufPair,
    #[link(tls.upper <-> ws.lower, limit = 65536)]
    plain: PipeBufPair,
    #[link(ws.upper <-> echo.io, limit = 16)]
    msgs: PipeBufPair<Message>,
}

/// WebSocket straight over TCP (`--plain`), echoing every message.
#[pipeline]
pub struct WsEcho {
    /// The TCP link.
    pub tcp: TcpLink,
    /// The WebSocket server.
    pub ws: WebsocketServer,
    echo: Echo<Message>,
    #[link(tcp.upper <-> ws.lower, limit = 65536)]
    net: PipeBufPair,
    #[link(ws.upper <-> echo.io, limit = 16)]
    msgs: PipeBufPair<Message>,
}

/// The largest message the echo servers take: 1 MiB.
pub const MAX_MESSAGE: usize = 1 << 20;

/// How much the messages waiting in an echo server's connection, both ways, may weigh before
/// its WebSocket stage stops reading the client: 1 MiB, so that a client that sends the largest
/// messages without reading makes the server hold about 2 MiB, not 32.
pub const MAX_BACKLOG: usize = 1 << 20;

/// The WebSocket stage of the echo servers: defaults, but messages of at most [`MAX_MESSAGE`]
/// and a backlog of at most [`MAX_BACKLOG`].
#[must_use]
pub fn ws_server() -> WebsocketServer {
    WebsocketServer::new().with_max_message(MAX_MESSAGE).with_max_backlog(MAX_BACKLOG)
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
#[must_use]
pub fn describe(ws: &WebsocketServer) -> String {
    match (ws.peer_close(), ws.is_close_sent()) {
        (Some(close), _) => format!("close {} from the client", close.code),
        (None, true) => "close sent, none received".to_owned(),
        (None, false) if ws.is_open() => "no close frame".to_owned(),
        (None, false) => "no handshake".to_owned(),
    }
}

/// A server's TLS config, and its certificate's SHA-256 fingerprint (as `AA:BB:...`).
pub type Tls = (Arc<ServerConfig>, String);

/// The command line of the echo servers: `--port N` (9443), `--plain` (ws:// without TLS),
/// `--cert PEM --key PEM` (else a self-signed certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerArgs {
    /// The port on 127.0.0.1.
    pub port: u16,
    /// Plain ws://, no TLS.
    pub plain: bool,
    /// The certificate and key PEM files.
    pub files: Option<(PathBuf, PathBuf)>,
}

impl ServerArgs {
    /// Reads the arguments that follow the program's name; `program` names it in the usage.
    ///
    /// # Errors
    ///
    /// [`Stop::Help`] with the usage for `--help`, or [`Stop::Failed`] with what is wrong with
    /// the arguments.
    ///
    /// # Examples
    ///
    /// ```
    /// use pipebuf_examples::cli::Stop;
    /// use pipebuf_examples::wss::ServerArgs;
    ///
    /// let args = ServerArgs::parse("server", ["--plain", "--port", "0"].map(String::from))?;
    /// assert_eq!((args.port, args.plain, args.files), (0, true, None));
    /// let wrong = ServerArgs::parse("server", ["--cert", "c.pem"].map(String::from));
    /// assert_eq!(wrong, Err(Stop::Failed("--cert and --key go together".to_owned())));
    /// # Ok::<(), Stop>(())
    /// ```
    pub fn parse(program: &str, args: impl IntoIterator<Item = String>) -> Result<Self, Stop> {
        let (mut port, mut plain, mut cert, mut key) = (9443, false, None, None);
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--plain" => plain = true,
                "--port" => {
                    let text = it.next().ok_or("--port needs a number")?;
                    port = text.parse().map_err(|_| format!("not a port: {text}"))?;
                }
                "--cert" => cert = Some(PathBuf::from(it.next().ok_or("--cert needs a PEM file")?)),
                "--key" => key = Some(PathBuf::from(it.next().ok_or("--key needs a PEM file")?)),
                "-h" | "--help" => {
                    let usage =
                        format!("usage: {program} [--port N] [--plain] [--cert PEM --key PEM]");
                    return Err(Stop::Help(usage));
                }
                other => {
                    return Err(
                        format!("unknown argument {other} (try --help for the usage)").into()
                    );
                }
            }
        }
        let files = match (cert, key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err("--cert and --key go together".into()),
        };
        Ok(ServerArgs { port, plain, files })
    }

    /// The TLS config the arguments ask for ([`tls_config`]), or `None` with `--plain`.
    ///
    /// # Errors
    ///
    /// As [`tls_config`].
    pub fn tls(&self) -> Result<Option<Tls>, Box<dyn Error>> {
        if self.plain {
            return Ok(None);
        }
        let files = self.files.as_ref().map(|(cert, key)| (cert.as_path(), key.as_path()));
        tls_config(files).map(Some)
    }
}

/// The TLS config: the certificate and key in these PEM files, or a self-signed pair for
/// `localhost` and `127.0.0.1` made now; and the certificate's SHA-256 fingerprint.
///
/// # Errors
///
/// A file that cannot be read or parsed, or a certificate rustls refuses.
pub fn tls_config(files: Option<(&Path, &Path)>) -> Result<Tls, Box<dyn Error>> {
    let (certs, key) = if let Some((cert, key)) = files {
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

/// The one line logged per connection: peer, bytes in and out, time, how it ended.
#[must_use]
pub fn log_line(report: &Report) -> String {
    let ended = match &report.ended {
        Ended::Done => "done".to_owned(),
        Ended::Failed { error } => format!("failed: {error}"),
        Ended::HandshakeTimeout => "handshake timeout".to_owned(),
        Ended::Shutdown => "cut at shutdown".to_owned(),
        other => format!("{other:?}"),
    };
    format!(
        "{} in {} B out {} B {:.1} s: {ended} ({})",
        report.peer,
        report.bytes.0,
        report.bytes.1,
        report.duration.as_secs_f64(),
        report.detail
    )
}

/// Serves WebSocket echo on `addr` until `stop` is set: over TLS with `tls`, else plain; calls
/// `ready` with the address once listening, and `on_end` for each connection that ends.
///
/// # Errors
///
/// The errors of binding and of the poll.
pub fn serve(
    addr: SocketAddr,
    tls: Option<Arc<ServerConfig>>,
    stop: &AtomicBool,
    ready: impl FnOnce(SocketAddr),
    on_end: impl FnMut(&Report),
) -> std::io::Result<()> {
    if let Some(config) = tls {
        let mut server = MioServer::bind(addr, |stream, _| {
            // Small writes (the session tickets, then the 101) must not wait for an ACK.
            stream.set_nodelay(true)?;
            let tls = TlsServer::new(config.clone()).map_err(std::io::Error::other)?;
            Ok(WssEcho::new(TcpLink::new(stream), tls, ws_server(), Echo::new()))
        })?;
        ready(server.local_addr()?);
        server.run(stop, on_end)
    } else {
        let mut server = MioServer::bind(addr, |stream, _| {
            stream.set_nodelay(true)?;
            Ok(WsEcho::new(TcpLink::new(stream), ws_server(), Echo::new()))
        })?;
        ready(server.local_addr()?);
        server.run(stop, on_end)
    }
}
