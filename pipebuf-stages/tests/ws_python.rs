//! Our WebSocket stages against the Python `websockets` package, over TCP and over TLS on
//! 127.0.0.1: our server with its sync client (`tests/py/ws_client.py`), and our client with
//! its sync server (`tests/py/ws_server.py`). The scripts print JSON lines, which the tests
//! compare whole with what they expect; each script ends itself within 20 seconds.
#![cfg(all(feature = "websocket", feature = "mio", feature = "rustls"))]

#[path = "common/net.rs"]
mod net;
#[path = "common/rng.rs"]
mod rng;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/venv.rs"]
mod venv;
#[path = "common/ws_client.rs"]
mod ws_client;
#[path = "common/ws_server.rs"]
mod ws_server;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use pipebuf::PBufState;
use pipebuf_stages::websocket::{ClientRequest, CloseFrame, Message, MessageKind, WebsocketServer};
use rustls::ServerConfig;

use ws_client::{SIZES, Script, fragmented_messages, sized_messages};
use ws_server::{EchoServer, Outcome};

/// How long a script may run; it ends itself after 20 seconds.
const TIMEOUT: Duration = Duration::from_secs(25);

// Our server, the `websockets` client.

/// Runs `ws_client.py` against our echo server, over TLS with a certificate of our own if
/// `tls`, and checks every line it prints and how the server saw its three connections end.
fn python_client_against_our_server(tls: bool) {
    let cert = tls::certificate();
    let config = tls.then(|| without_tickets(&tls::server_config(&cert, tls::versions(""), &[])));
    let server = EchoServer::start(config, WebsocketServer::new);
    let cafile = TempFile::new("ca.pem", &cert.cert.pem());
    let mut args = vec!["127.0.0.1".to_owned(), server.addr.port().to_string()];
    if tls {
        args.push(cafile.path().display().to_string());
    }
    let lines = Python::start("ws_client.py", &args).finish();

    let mut want = Vec::new();
    for kind in ["text", "binary"] {
        want.extend(SIZES.iter().map(|size| result(&format!("{kind} {size}"), "\"echoed\"")));
    }
    want.push(result("fragmented text", "\"fragmented text\""));
    want.push(result("fragmented binary", "[0, 1, 2]"));
    want.extend([0, 4, 125].map(|len| result(&format!("ping {len}"), "\"pong\"")));
    want.push(result("pipelined", "\"echoed\""));
    want.push(result("second", "\"echoed\""));
    want.push(r#"{"case": "second close", "code": 4001, "reason": "second"}"#.to_owned());
    want.push(r#"{"case": "deflate offered", "extensions": null, "result": "echoed"}"#.to_owned());
    want.push(r#"{"case": "third close", "code": 1000, "reason": ""}"#.to_owned());
    want.push(result("first after second", "\"echoed\""));
    want.push(r#"{"case": "close", "code": 4000, "reason": "bye"}"#.to_owned());
    assert_eq!(lines, want);

    let second = Outcome::Done(Some(CloseFrame::new(4001, "second")));
    let third = Outcome::Done(Some(CloseFrame::new(1000, "")));
    let first = Outcome::Done(Some(bye()));
    assert_eq!(server.wait_for(3, Duration::from_secs(5)), [second, third, first]);
}

/// Returns `config` without TLS 1.3 session tickets, the only records that a server sends
/// unasked.
///
/// The sync client of `websockets` reads a connection in a thread of its own while the main
/// thread writes it, on one `ssl.SSLSocket`, and OpenSSL does not allow that: a ticket that
/// arrives while the client sends its upgrade request runs the connection's handshake state
/// machine in both threads at once, and the client then fails with "[SSL] internal error" or
/// hangs in a read that nothing will answer
/// (<https://github.com/python/cpython/issues/143756>). Without tickets, every record the
/// client reads answers something it sent.
fn without_tickets(config: &Arc<ServerConfig>) -> Arc<ServerConfig> {
    let mut config = ServerConfig::clone(config);
    config.send_tls13_tickets = 0;
    Arc::new(config)
}

/// A line of `ws_client.py` with a `result`, written as Python's `json.dumps` writes it.
fn result(case: &str, json: &str) -> String {
    format!(r#"{{"case": "{case}", "result": {json}}}"#)
}

/// One exchange with Python at a time: each script has a deadline of its own, and two debug
/// builds of TLS moving megabytes beside two Python processes crowd the two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

#[test]
fn python_client_against_our_server_over_tcp() {
    let _one = one_at_a_time();
    python_client_against_our_server(false);
}

#[test]
fn python_client_against_our_server_over_tls() {
    let _one = one_at_a_time();
    python_client_against_our_server(true);
}

// Our client, the `websockets` server.

/// Runs our client against `ws_server.py`, over TLS if `tls`: every size, fragments with a
/// ping between them, pings, 1000 messages at once, a subprotocol, a header and the close.
fn our_client_against_python_server(tls: bool) {
    let cert = tls::certificate();
    let certfile = TempFile::new("cert.pem", &cert.cert.pem());
    let keyfile = TempFile::new("key.pem", &cert.key_pair.serialize_pem());
    let mut args = vec!["127.0.0.1".to_owned(), "1".to_owned()];
    if tls {
        args.extend([certfile.path(), keyfile.path()].map(|p| p.display().to_string()));
    }
    let mut python = Python::start("ws_server.py", &args);
    let listening = python.line();
    let port = listening
        .strip_prefix(r#"{"listening": "#)
        .and_then(|rest| rest.strip_suffix('}'))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("expected the port, got {listening:?}"));

    let payloads = [&b""[..], b"ping", &[7; 125]];
    let pipelined: Vec<_> = (0..1000).map(|i| Message::text(format!("message {i}"))).collect();
    let mut messages = sized_messages();
    messages.extend(fragmented_messages());
    messages.extend(payloads.map(Message::ping));
    messages.extend(pipelined.iter().cloned());
    let mut want_data = sized_messages();
    want_data.extend([Message::text("fragmented text"), Message::binary([0, 1, 2])]);
    want_data.extend(pipelined);
    let mut want_pongs = vec![Message::pong("between")];
    want_pongs.extend(payloads.map(Message::pong));

    let request = ClientRequest::new("localhost", "/chat?room=1")
        .with_protocol("v2")
        .with_protocol("v1")
        .with_header("X-Test", "yes");
    let script =
        Script { messages, replies: want_data.len() + want_pongs.len(), close: Some(bye()) };
    let config = tls.then(|| tls::client_config(&[cert.cert.der()], tls::versions(""), &[]));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let run = ws_client::run(addr, config, request, &script, Duration::from_secs(10));
    let lines = python.finish();

    assert_eq!((&run.error, run.done, run.protocol.as_deref()), (&None, true, Some("v1")));
    // websockets answers a ping from the thread that reads, and echoes from the handler's
    // thread: pongs and echoed messages interleave in any order.
    let (pongs, data): (Vec<_>, Vec<_>) =
        run.received.into_iter().partition(|m| m.kind() == MessageKind::Pong);
    assert_eq!(pongs, want_pongs);
    assert!(data == want_data, "the echoed messages differ: {} of {}", data.len(), want_data.len());
    assert_eq!((run.peer_close, run.end), (Some(bye()), Some(PBufState::Closed)));
    let seen = r#"{"path": "/chat?room=1", "protocols": "v2, v1", "x_test": "yes", "code": 4000, "reason": "bye"}"#;
    assert_eq!(lines, [seen]);
}

#[test]
fn our_client_against_python_server_over_tcp() {
    let _one = one_at_a_time();
    our_client_against_python_server(false);
}

#[test]
fn our_client_against_python_server_over_tls() {
    let _one = one_at_a_time();
    our_client_against_python_server(true);
}

fn bye() -> CloseFrame {
    CloseFrame::new(4000, "bye")
}

/// A script of `tests/py` running in the test virtualenv's Python.
struct Python {
    child: Child,
    stdout: BufReader<ChildStdout>,
    deadline: Instant,
}

impl Python {
    fn start(script: &str, args: &[String]) -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py").join(script);
        let mut child = Command::new(venv::python())
            .arg(path)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python starts");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Python { child, stdout, deadline: Instant::now() + TIMEOUT }
    }

    /// The next line the script prints; the script's own time limit bounds the wait.
    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("python's output");
        line.trim_end().to_owned()
    }

    /// Waits for the script to end (killing it at the deadline), checks that it succeeded, and
    /// returns the lines it printed that were not read yet.
    fn finish(mut self) -> Vec<String> {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("python's status") {
                break Some(status);
            }
            if Instant::now() > self.deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut stdout = String::new();
        self.stdout.read_to_string(&mut stdout).expect("python's output");
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            pipe.read_to_string(&mut stderr).expect("python's errors");
        }
        assert!(
            status.is_some_and(|status| status.success()),
            "python ended with {status:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        stdout.lines().map(str::to_owned).collect()
    }
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    /// Writes `contents` to a file named after `name`, the process and the thread.
    fn new(name: &str, contents: &str) -> Self {
        let thread = std::thread::current().name().unwrap_or("main").replace("::", "-");
        let file = format!("pipebuf-ws-python-{}-{thread}-{name}", std::process::id());
        let path = std::env::temp_dir().join(file);
        std::fs::write(&path, contents).expect("the temporary file is written");
        TempFile(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
