//! The main job, as a user runs it: the `wss_echo_server` binary on a free port, a client we did
//! not write (Python `websockets`, from the test virtualenv) talking to it over wss:// and ws://,
//! and a clean shutdown on SIGINT with one log line per connection.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The example binary, built by `cargo test` beside the test binaries.
fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    dir.join("examples").join("wss_echo_server")
}

/// The Python of the test virtualenv made by `scripts/test-deps.sh`.
fn python() -> PathBuf {
    let venv = std::env::var_os("PIPEBUF_TEST_VENV").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv-test"),
        PathBuf::from,
    );
    let python = venv.join("bin/python");
    assert!(python.exists(), "{} is missing: run scripts/test-deps.sh", python.display());
    python
}

/// The client, on asyncio: the sync client of `websockets` reads in a second thread, which races
/// with the main thread inside OpenSSL when TLS 1.3 session tickets arrive (`CPython` issue 143756).
const CLIENT: &str = r#"
import asyncio, ssl, sys
from websockets.asyncio.client import connect

async def main(url):
    ctx = None
    if url.startswith("wss"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    async with connect(url, ssl=ctx, open_timeout=5, close_timeout=5) as ws:
        for message in ["hello", b"\x00\x01" * 40000, "\u00e9" * 1000]:
            await ws.send(message)
            assert await asyncio.wait_for(ws.recv(), 5) == message
        await ws.close(4000, "bye")
    print("ok")

asyncio.run(main(sys.argv[1]))
"#;

/// Starts the server with `args` and returns it with the URL it printed.
fn start(args: &[&str]) -> (Child, String, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(example())
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example binary: plain `cargo test` builds it, or `cargo build --example wss_echo_server`");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("the first line");
    let url = line.trim().strip_prefix("listening on ").expect("the URL line").to_owned();
    (child, url, out)
}

/// Runs the Python client against `url`.
fn talk(url: &str) {
    let output = Command::new(python()).args(["-c", CLIENT, url]).output().expect("python runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python failed: {stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "ok");
}

/// Sends SIGINT, waits for the exit, and returns the rest of what the server printed.
fn stop(mut child: Child, mut out: BufReader<std::process::ChildStdout>) -> Vec<String> {
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().expect("kill").success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("status").is_none() {
        assert!(Instant::now() < deadline, "the server did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
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
    let (child, url, mut out) = start(&["--port", "0"]);
    assert!(url.starts_with("wss://127.0.0.1:"), "{url}");
    let mut fingerprint = String::new();
    out.read_line(&mut fingerprint).expect("the fingerprint line");
    assert!(fingerprint.starts_with("certificate SHA-256 fingerprint "), "{fingerprint}");
    talk(&url);
    talk(&url);
    let lines = stop(child, out);
    let done: Vec<_> =
        lines.iter().filter(|l| l.contains("done (close 4000 from the client)")).collect();
    assert_eq!(done.len(), 2, "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some("shut down"), "{lines:?}");
}

#[test]
fn plain_ws_echoes_for_python() {
    let (child, url, out) = start(&["--plain", "--port", "0"]);
    assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
    talk(&url);
    let lines = stop(child, out);
    assert!(lines.iter().any(|l| l.contains("done (close 4000")), "{lines:?}");
}
