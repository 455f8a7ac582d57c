//! What the load and fault tests share: the example's echo server (`wss::serve`) on a thread,
//! over ws:// or wss:// with a certificate made now, and a tungstenite client (a peer we did not
//! write) over a blocking socket, with rustls for wss://.

// Each test file is a crate of its own and uses only some of these helpers.
#![allow(dead_code)]

use std::fs;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pipebuf_examples::wss::{log_line, serve, tls_config};
use pipebuf_stages::Report;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Error as WebsocketError, Message, WebSocket};

/// How long a client waits on any one read or write before the test fails.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// A client's WebSocket.
pub(crate) type Ws = WebSocket<Stream>;

/// The example's echo server, serving on a thread of its own until dropped.
pub(crate) struct Server {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// What a client needs to trust it, when it serves wss://.
    pub(crate) client_config: Option<Arc<ClientConfig>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    /// Starts `serve` on 127.0.0.1, port 0, with TLS or without; `on_end` gets each report.
    pub(crate) fn start(tls: bool, on_end: impl FnMut(&Report) + Send + 'static) -> Server {
        let (server_config, client_config) = if tls {
            let (server, client) = tls_configs();
            (Some(server), Some(client))
        } else {
            (None, None)
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (ready, addr) = std::sync::mpsc::channel();
        let thread = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let any = SocketAddr::from(([127, 0, 0, 1], 0));
                let ready = move |addr| ready.send(addr).expect("the test waits for the address");
                serve(any, server_config, &stop, ready, on_end)
            }
        });
        let addr = addr.recv_timeout(TIMEOUT).expect("the server listens");
        Server { addr, client_config, stop, thread: Some(thread) }
    }

    /// Opens a TCP connection to the server, with the client's timeouts.
    pub(crate) fn tcp(&self) -> TcpStream {
        let tcp = TcpStream::connect(self.addr).expect("connect");
        tcp.set_read_timeout(Some(TIMEOUT)).expect("a read timeout");
        tcp.set_write_timeout(Some(TIMEOUT)).expect("a write timeout");
        tcp
    }

    /// Connects a tungstenite client, over TLS if the server serves wss://; small buffers, so
    /// that a thousand of them fit.
    pub(crate) fn connect(&self) -> Ws {
        let tcp = self.tcp();
        let (stream, url) = match &self.client_config {
            Some(config) => {
                let name = ServerName::try_from("localhost").expect("a valid name");
                let tls = ClientConnection::new(config.clone(), name).expect("a client");
                let url = format!("wss://localhost:{}/", self.addr.port());
                (Stream::Tls(Box::new(StreamOwned::new(tls, tcp))), url)
            }
            None => (Stream::Plain(tcp), format!("ws://{}/", self.addr)),
        };
        let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
        let (ws, response) = tungstenite::client::client_with_config(url, stream, Some(config))
            .expect("the opening handshake succeeds");
        assert_eq!(response.status(), 101);
        ws
    }

    /// Stops the server and waits for it to end.
    pub(crate) fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.take().expect("not yet joined");
        thread.join().expect("the server thread does not panic").expect("the server runs");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A test that panicked still ends its server, so that the process exits.
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A client's byte stream: TCP, or TLS over TCP.
pub(crate) enum Stream {
    /// ws://
    Plain(TcpStream),
    /// wss://
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// The TCP stream underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => &tls.sock,
        }
    }

    /// Ends the byte stream cleanly: TLS `close_notify` first (tungstenite does not send it),
    /// then the TCP FIN.
    pub(crate) fn finish(&mut self) {
        if let Stream::Tls(tls) = self {
            tls.conn.send_close_notify();
            tls.flush().expect("close_notify goes out");
        }
        self.tcp().shutdown(Shutdown::Write).expect("shutdown");
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buf),
            Stream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

/// Sends a Close frame with 1000; the test then reads the echoes still due and
/// [`expect_closed`].
pub(crate) fn start_close(ws: &mut Ws) {
    ws.close(Some(CloseFrame { code: CloseCode::Normal, reason: "".into() }))
        .expect("tungstenite sends the Close frame");
}

/// Reads the server's Close frame (1000, echoed) and the end of the connection, then ends the
/// byte stream cleanly.
pub(crate) fn expect_closed(ws: &mut Ws) {
    match ws.read() {
        Ok(Message::Close(Some(close))) => assert_eq!(close.code, CloseCode::Normal),
        other => panic!("expected the echoed Close frame, got {other:?}"),
    }
    match ws.read() {
        Err(WebsocketError::ConnectionClosed) => {}
        other => panic!("expected the end of the WebSocket, got {other:?}"),
    }
    ws.get_mut().finish();
}

/// Sends `message`, checks its echo, and closes cleanly: what a well-behaved client does.
pub(crate) fn echo_once(server: &Server, message: &Message) {
    let mut ws = server.connect();
    ws.send(message.clone()).expect("send");
    assert_eq!(&ws.read().expect("the echo"), message);
    start_close(&mut ws);
    expect_closed(&mut ws);
}

/// The reports of the connections that ended, in order, for a test to wait on.
#[derive(Clone, Default)]
pub(crate) struct Reports(Arc<(Mutex<Vec<Report>>, Condvar)>);

impl Reports {
    /// The callback that records each report.
    pub(crate) fn recorder(&self) -> impl FnMut(&Report) + Send + 'static {
        let shared = self.0.clone();
        move |report| {
            shared.0.lock().expect("not poisoned").push(report.clone());
            shared.1.notify_all();
        }
    }

    /// Waits until `n` connections have ended, and returns their reports.
    ///
    /// # Panics
    ///
    /// After `timeout`, listing the reports that did come.
    pub(crate) fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Report> {
        let deadline = Instant::now() + timeout;
        let mut reports = self.0.0.lock().expect("not poisoned");
        while reports.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{} of {n} reports after {timeout:?}: {}", reports.len(), {
                reports.iter().map(log_line).collect::<Vec<_>>().join("; ")
            });
            reports = self.0.1.wait_timeout(reports, left).expect("not poisoned").0;
        }
        reports.clone()
    }

    /// How many connections have ended.
    pub(crate) fn len(&self) -> usize {
        self.0.0.lock().expect("not poisoned").len()
    }
}

/// A self-signed certificate for `localhost`, written to PEM files and read back by the
/// example's own `tls_config`; and a client config that trusts it.
fn tls_configs() -> (Arc<rustls::ServerConfig>, Arc<ClientConfig>) {
    static DIRS: AtomicUsize = AtomicUsize::new(0);
    let made = rcgen::generate_simple_self_signed(["localhost".to_owned()]).expect("a certificate");
    let n = DIRS.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("pipebuf-examples-{}-{n}", std::process::id()));
    fs::create_dir_all(&dir).expect("a temporary directory");
    let (cert, key): (PathBuf, PathBuf) = (dir.join("cert.pem"), dir.join("key.pem"));
    fs::write(&cert, made.cert.pem()).expect("write the certificate");
    fs::write(&key, made.key_pair.serialize_pem()).expect("write the key");
    let (server, _fingerprint) = tls_config(Some((&cert, &key))).expect("the example's config");
    fs::remove_dir_all(&dir).expect("remove the temporary directory");

    let mut roots = RootCertStore::empty();
    roots.add(made.cert.der().clone()).expect("a valid root");
    (server, client_config(roots))
}

/// A client config on ring that trusts `roots`.
pub(crate) fn client_config(roots: RootCertStore) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(client)
}
