//! The WebSocket echo server of the `wss_echo_server` example, as a library: its pipelines, its
//! TLS config and its log line, so that tests and benchmarks run the very same server.

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use pipebuf::{PipeBufPair, pipeline};
use pipebuf_stages::rustls::ServerConfig;
use pipebuf_stages::rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use pipebuf_stages::websocket::{CloseFrame, Message, WsServer, close_code};
use pipebuf_stages::{Echo, Ended, MioConnection, MioServer, Report, TcpLink, TlsServer};

/// WebSocket over TLS over TCP, echoing every message.
#[pipeline]
pub struct WssEcho {
    /// The TCP link.
    pub tcp: TcpLink,
    /// The TLS server.
    pub tls: TlsServer,
    /// The WebSocket server.
    pub ws: WsServer,
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
pub struct WsEcho {
    /// The TCP link.
    pub tcp: TcpLink,
    /// The WebSocket server.
    pub ws: WsServer,
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

/// The TLS config: the certificate and key in these PEM files, or a self-signed pair for
/// `localhost` and `127.0.0.1` made now; and the certificate's SHA-256 fingerprint.
///
/// # Errors
///
/// A file that cannot be read or parsed, or a certificate rustls refuses.
pub fn tls_config(
    files: Option<(&Path, &Path)>,
) -> Result<(Arc<ServerConfig>, String), Box<dyn Error>> {
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
            let tls = TlsServer::new(config.clone()).map_err(std::io::Error::other)?;
            Ok(WssEcho::new(TcpLink::new(stream), tls, WsServer::new(), Echo::new()))
        })?;
        ready(server.local_addr()?);
        server.run(stop, on_end)
    } else {
        let mut server = MioServer::bind(addr, |stream, _| {
            Ok(WsEcho::new(TcpLink::new(stream), WsServer::new(), Echo::new()))
        })?;
        ready(server.local_addr()?);
        server.run(stop, on_end)
    }
}
