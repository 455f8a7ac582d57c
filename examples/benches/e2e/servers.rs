//! The servers under test, each run as `e2e --server KIND --cert PEM --key PEM` in a child
//! process: it prints `PORT <n>` on stdout once listening, answers each line on its stdin with
//! `HEAP <live heap bytes>`, and serves until its stdin closes.

use std::io::{self, BufRead, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt, future};
use pipebuf_examples::tokio_wss;
use pipebuf_examples::wss::{log_line, serve, tls_config};
use pipebuf_stages::{Ended, Report};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::ALLOCATOR;
use crate::client::BoxError;

/// A server the benchmark compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `pipebuf_examples::wss::serve`: the main job's pipeline on `MioServer`.
    PipebufMio,
    /// `pipebuf_examples::tokio_wss::serve` (the `tokio_echo` example): the same stages, one
    /// task per connection run by `TokioDriver`, on tokio's default runtime.
    PipebufTokio,
    /// The baseline: tokio + tokio-rustls + tokio-tungstenite, tokio-tungstenite's own echo
    /// server example over TLS.
    Tungstenite,
}

impl Kind {
    /// Every kind, in the order of the report: ours first, the baseline last.
    pub(crate) const ALL: [Kind; 3] = [Kind::PipebufMio, Kind::PipebufTokio, Kind::Tungstenite];

    /// The name on the command line and in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::PipebufMio => "pipebuf-mio",
            Kind::PipebufTokio => "pipebuf-tokio",
            Kind::Tungstenite => "tokio-tungstenite",
        }
    }

    /// The kind of this name.
    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Serves as `kind` with the certificate and key in these PEM files, until stdin closes.
pub(crate) fn run(kind: Kind, cert: &Path, key: &Path) -> Result<(), BoxError> {
    // Every server gets the very same rustls config (ring, the same certificate).
    let (config, _) = tls_config(Some((cert, key))).map_err(|e| e.to_string())?;
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = Arc::clone(&stop);
    // The benchmark asks for the live heap with a line, and closes our stdin to stop us; the
    // thread sleeps in `read` in between.
    thread::spawn(move || {
        for _ in io::stdin().lock().lines().map_while(Result::ok) {
            let mut out = io::stdout().lock();
            let _ = writeln!(out, "HEAP {}", ALLOCATOR.allocated());
            let _ = out.flush();
        }
        watcher.store(true, Ordering::Relaxed);
    });
    let log = |report: &Report| {
        if !matches!(report.ended, Ended::Done) {
            eprintln!("{}: {}", kind.name(), log_line(report));
        }
    };
    match kind {
        Kind::PipebufMio => serve(addr, Some(config), &stop, announce, log)?,
        Kind::PipebufTokio => tokio::runtime::Runtime::new()?.block_on(async {
            let listener = TcpListener::bind(addr).await?;
            announce(listener.local_addr()?);
            let stopped = async {
                while !stop.load(Ordering::Relaxed) {
                    tokio::time::sleep(TICK).await;
                }
            };
            tokio_wss::serve(listener, Some(config), stopped, log).await
        })?,
        Kind::Tungstenite => tungstenite(addr, &TlsAcceptor::from(config), &stop)?,
    }
    Ok(())
}

/// Tells the benchmark the port.
fn announce(addr: SocketAddr) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "PORT {}", addr.port());
    let _ = out.flush();
}

/// The baseline: tokio's default (multi-threaded) runtime, which starts one worker per core it
/// may use, so one here; per connection a task that accepts TLS, then the WebSocket, then
/// forwards every text or binary message back, as tokio-tungstenite's `echo-server` example.
fn tungstenite(addr: SocketAddr, tls: &TlsAcceptor, stop: &AtomicBool) -> io::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        announce(listener.local_addr()?);
        while !stop.load(Ordering::Relaxed) {
            // Else time to look at `stop` again, or a failed accept: the next one may do.
            let Ok(Ok((stream, _))) = tokio::time::timeout(TICK, listener.accept()).await else {
                continue;
            };
            // As ours do: an echo server answers at once, small writes should not wait.
            let _ = stream.set_nodelay(true);
            let tls = tls.clone();
            tokio::spawn(async move {
                let result = async {
                    let ws = tokio_tungstenite::accept_async(tls.accept(stream).await?).await?;
                    let (write, read) = ws.split();
                    read.try_filter(|msg| future::ready(msg.is_text() || msg.is_binary()))
                        .forward(write)
                        .await?;
                    Ok::<_, BoxError>(())
                };
                if let Err(error) = result.await {
                    eprintln!("tokio-tungstenite: {error}");
                }
            });
        }
        Ok(())
    })
}

/// How often the tokio servers look at `stop`.
const TICK: Duration = Duration::from_millis(100);
