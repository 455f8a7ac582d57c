//! The WebSocket echo server of the `tokio_echo` example, as a library: the pipelines of
//! [`wss`](crate::wss) with their bottom link left external, served on tokio, one task per
//! connection, each run by [`TokioDriver`].

use std::error::Error;
use std::future::{Future, pending};
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pipebuf::{PBufRdWr, PipeBufPair, pipeline};
use pipebuf_stages::rustls::ServerConfig;
use pipebuf_stages::websocket::{CloseFrame, Message, WebsocketServer, close_code};
use pipebuf_stages::{Echo, Ended, Report, TlsServer, TokioConnection, TokioDriver, error_chain};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// WebSocket over TLS, echoing every message; the TLS records go to and come from `wire`.
#[pipeline]
pub struct TokioWssEcho {
    /// The TLS server.
    pub tls: TlsServer,
    /// The WebSocket server.
    pub ws: WebsocketServer,
    echo: Echo<Message>,
    #[link(<-> tls.lower)]
    wire: PipeBufPair,
    #[link(tls.upper <-> ws.lower)]
    plain: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

/// WebSocket straight over the stream (`--plain`), echoing every message.
#[pipeline]
pub struct TokioWsEcho {
    /// The WebSocket server.
    pub ws: WebsocketServer,
    echo: Echo<Message>,
    #[link(<-> ws.lower)]
    wire: PipeBufPair,
    #[link(ws.upper <-> echo.io)]
    msgs: PipeBufPair<Message>,
}

/// What the server needs of both pipelines besides their wire: their WebSocket.
pub trait Served: TokioConnection {
    /// The WebSocket server stage.
    fn ws(&mut self) -> &mut WebsocketServer;
}

macro_rules! served {
    ($pipeline:ident) => {
        impl TokioConnection for $pipeline {
            fn wire(&mut self) -> PBufRdWr<'_> {
                self.wire()
            }
        }

        impl Served for $pipeline {
            fn ws(&mut self) -> &mut WebsocketServer {
                &mut self.ws
            }
        }
    };
}

served!(TokioWssEcho);
served!(TokioWsEcho);

/// How long a connection may take to finish its TLS and WebSocket handshakes.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long connections may take to end cleanly once the server shuts down.
pub const GRACE: Duration = Duration::from_secs(2);

/// Serves WebSocket echo on `listener` until `shutdown` completes: over TLS with `tls`, else
/// plain; calls `on_end` for each connection that ends.
///
/// At shutdown every connection is asked to end: its WebSocket sends a Close (1001, going away)
/// and, over TLS, a `close_notify` follows the closing handshake. Connections still open after
/// [`GRACE`] are cut and reported as [`Ended::Shutdown`].
///
/// # Errors
///
/// None at present: errors of `accept` are retried; the `Result` is for the listener's future
/// errors.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    shutdown: impl Future<Output = ()>,
    mut on_end: impl FnMut(&Report),
) -> io::Result<()> {
    let (stop_tx, stop) = watch::channel(false);
    let (cut_tx, cut) = watch::channel(false);
    // One wake-up for every connection: at shutdown, each runs its pipeline and sends its Close.
    let wake = Arc::new(Notify::new());
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    // The peer gave up before we took it: the next one may do.
                    Err(e) if is_per_connection(&e) => continue,
                    // Out of descriptors or memory: the connections open now still run, and
                    // some will end; try again shortly rather than give up serving.
                    Err(_) => {
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                };
                let (stop, cut, wake) = (stop.clone(), cut.clone(), wake.clone());
                let tls = tls.clone();
                tasks.spawn(async move {
                    let started = Instant::now();
                    let (bytes, ended, detail) = if let Some(config) = tls {
                        match TlsServer::new(config) {
                            Ok(tls) => {
                                let p = TokioWssEcho::new(tls, crate::wss::ws_server(), Echo::new());
                                connection(p, stream, stop, cut, &wake).await
                            }
                            Err(e) => {
                                ((0, 0), Ended::Failed { error: e.to_string() }, String::new())
                            }
                        }
                    } else {
                        let p = TokioWsEcho::new(crate::wss::ws_server(), Echo::new());
                        connection(p, stream, stop, cut, &wake).await
                    };
                    Report { peer, bytes, duration: started.elapsed(), ended, detail }
                });
            }
            Some(done) = tasks.join_next(), if !tasks.is_empty() => report(done, &mut on_end),
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    wake.notify_waiters();
    let grace = tokio::time::sleep(GRACE);
    let mut grace = std::pin::pin!(grace);
    while !tasks.is_empty() {
        tokio::select! {
            Some(done) = tasks.join_next() => report(done, &mut on_end),
            () = &mut grace => {
                // Each connection reports itself as cut, with the bytes it moved.
                let _ = cut_tx.send(true);
                while let Some(done) = tasks.join_next().await {
                    report(done, &mut on_end);
                }
            }
        }
    }
    Ok(())
}

/// Runs one connection until it ends, the handshakes time out or the shutdown cuts it; returns
/// the bytes it moved, how it ended and what its WebSocket says of the end.
async fn connection<P>(
    mut p: P,
    stream: TcpStream,
    stop: watch::Receiver<bool>,
    mut cut: watch::Receiver<bool>,
    wake: &Notify,
) -> ((u64, u64), Ended, String)
where
    P: Served,
    P::Error: Error + 'static,
{
    // An echo server answers at once; small writes should not wait for more.
    let _ = stream.set_nodelay(true);
    let mut driver = TokioDriver::new(stream).with_abort(reset);
    // Shared by the hook and the timeout; a multi-threaded runtime needs `Sync`.
    let established = AtomicBool::new(false);
    let mut closing = false;
    let ended = {
        let run = driver.run_with(&mut p, wake, |p| {
            established.store(p.ws().is_open(), Ordering::Relaxed);
            if !closing && *stop.borrow() {
                closing = true;
                // Valid by construction: a defined code and no reason.
                let _ = p.ws().close(CloseFrame::new(close_code::GOING_AWAY, ""));
                return true;
            }
            false
        });
        let handshake = async {
            tokio::time::sleep(HANDSHAKE_TIMEOUT).await;
            if established.load(Ordering::Relaxed) {
                pending::<()>().await;
            }
        };
        tokio::select! {
            report = run => match report.result {
                Ok(()) => Ended::Done,
                Err(error) => Ended::Failed { error: error_chain(&error) },
            },
            () = handshake => Ended::HandshakeTimeout,
            _ = cut.wait_for(|cut| *cut) => Ended::Shutdown,
        }
    };
    (driver.bytes(), ended, crate::wss::describe(p.ws()))
}

/// Logs a connection's report, or the panic of its task.
fn report(done: Result<Report, tokio::task::JoinError>, on_end: &mut impl FnMut(&Report)) {
    match done {
        Ok(report) => on_end(&report),
        Err(e) => eprintln!("a connection task failed: {e}"),
    }
}

/// Makes dropping the stream send an RST, as an abort asks.
fn reset(stream: &mut TcpStream) {
    // If this fails, the drop sends a FIN: the peer still sees the end.
    let _ = stream.set_zero_linger();
}

/// How long the server waits before it accepts again after running out of descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// True for the errors of `accept` that concern one connection only.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}
