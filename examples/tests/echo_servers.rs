//! The two echo servers, `wss_echo_server` (mio) and `tokio_echo` (the tokio driver), as a user
//! runs them: the binary on a free port, Python `websockets` (asyncio, from the test
//! virtualenv) talking to it over wss:// and ws://, and a clean shutdown on SIGINT that sends a
//! Close (1001) to a client still connected.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use pipebuf_examples::testing::{example, python};

/// The servers under test.
const SERVERS: [&str; 2] = ["wss_echo_server", "tokio_echo"];

/// The clients, on asyncio (the sync client races inside OpenSSL over TLS 1.3, `CPython` issue
/// 143756): `echo` checks three echoes and closes with 4000; `stay` says `connected` after one
/// echo, then waits for the server to close and prints the code it got.
const CLIENT: &str = r#"
import asyncio, ssl, sys
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

async def main(url, mode):
    ctx = None
    if url.startswith("wss"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    async with connect(url, ssl=ctx, open_timeout=5, close_timeout=5) as ws:
        if mode == "echo":
            for message in ["hello", b"\x00\x01" * 40000, "\u00e9" * 1000]:
                await ws.send(message)
                assert await asyncio.wait_for(ws.recv(), 5) == message
            await ws.close(4000, "bye")
            print("ok")
        else:
            await ws.send("first")
            assert await asyncio.wait_for(ws.recv(), 5) == "first"
            print("connected", flush=True)
            try:
                await asyncio.wait_for(ws.recv(), 20)
                print("unexpected message")
            except ConnectionClosed as e:
                print("closed", e.rcvd.code if e.rcvd else None)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"#;

/// Starts the example `server` with `args` and returns it with the URL it printed.
fn start(server: &str, args: &[&str]) -> (Child, String, BufReader<ChildStdout>) {
    let mut child = Command::new(example(server))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{server} (plain `cargo test` builds the examples): {e}"));
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("the first line");
    let url = line.trim().strip_prefix("listening on ").expect("the URL line").to_owned();
    (child, url, out)
}

/// Starts a Python client in `mode` against `url`.
fn client(url: &str, mode: &str) -> Child {
    Command::new(python())
        .args(["-c", CLIENT, url, mode])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs")
}

/// Waits for a client and returns what it printed.
fn finish(child: Child) -> String {
    let output = child.wait_with_output().expect("python ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python failed: {stderr}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Sends SIGINT, waits for the exit, and returns the rest of what the server printed.
fn stop(mut child: Child, mut out: BufReader<ChildStdout>) -> Vec<String> {
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().expect("kill").success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("status").is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the server did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(child.wait().expect("status").success(), "the server's exit status");
    let mut lines = Vec::new();
    let mut line = String::new();
    while out.read_line(&mut line).expect("output") > 0 {
        lines.push(line.trim().to_owned());
        line.clear();
    }
    lines
}

#[test]
fn wss_echoes_for_python_and_shuts_down_cleanly() {
    for server in SERVERS {
        wss_echo(server);
    }
}

fn wss_echo(server: &str) {
    let (child, url, mut out) = start(server, &["--port", "0"]);
    assert!(url.starts_with("wss://127.0.0.1:"), "{url}");
    let mut fingerprint = String::new();
    out.read_line(&mut fingerprint).expect("the fingerprint line");
    assert!(fingerprint.starts_with("certificate SHA-256 fingerprint "), "{fingerprint}");
    // Two at once: one task each.
    let (a, b) = (client(&url, "echo"), client(&url, "echo"));
    assert_eq!(finish(a), "ok");
    assert_eq!(finish(b), "ok");
    let lines = stop(child, out);
    let done: Vec<_> =
        lines.iter().filter(|l| l.contains("done (close 4000 from the client)")).collect();
    assert_eq!(done.len(), 2, "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some("shut down"), "{lines:?}");
}

#[test]
fn plain_ws_echoes_for_python() {
    for server in SERVERS {
        let (child, url, out) = start(server, &["--plain", "--port", "0"]);
        assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
        assert_eq!(finish(client(&url, "echo")), "ok");
        let lines = stop(child, out);
        assert!(lines.iter().any(|l| l.contains("done (close 4000")), "{server}: {lines:?}");
    }
}

#[test]
fn sigint_sends_going_away_to_connected_clients() {
    for (server, args) in SERVERS.into_iter().flat_map(|server| {
        [(server, &["--port", "0"][..]), (server, &["--plain", "--port", "0"][..])]
    }) {
        let (child, url, mut out) = start(server, args);
        if url.starts_with("wss") {
            let mut fingerprint = String::new();
            out.read_line(&mut fingerprint).expect("the fingerprint line");
        }
        let mut waiting = client(&url, "stay");
        let mut line = String::new();
        BufReader::new(waiting.stdout.as_mut().expect("stdout"))
            .read_line(&mut line)
            .expect("the client's first line");
        assert_eq!(line.trim(), "connected", "{url}");
        let lines = stop(child, out);
        assert_eq!(finish(waiting), "closed 1001", "{url}");
        // The client answered the server's Close: a clean end, not a cut.
        assert!(lines.iter().any(|l| l.contains("done (close 1001 from the client)")), "{lines:?}");
        assert_eq!(lines.last().map(String::as_str), Some("shut down"), "{lines:?}");
    }
}
