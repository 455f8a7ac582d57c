//! The `ws_client` example as a user runs it: lines on its standard input, against our echo
//! server (wss:// with the server's certificate given by `--cafile`, or `--insecure`; ws://) and
//! against a server we did not write (Python `websockets`, over wss://).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use pipebuf_examples::testing::{
    EchoServer, Interactive, TestCert, example, python, run_with_input, wait,
};

/// How long one run of the client may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the client with `args` and `input`.
fn client(args: &[&str], input: &str) -> Output {
    run_with_input(Command::new(example("ws_client")).args(args), input.as_bytes(), TIMEOUT)
}

/// Asserts that the client ended with status 0 and printed `expected`.
fn assert_echoed(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "{stderr}");
}

#[test]
fn wss_with_the_servers_certificate_echoes_every_line_and_closes_with_1000() {
    let cert = TestCert::new("ws-client-cafile");
    let server = EchoServer::start(Some((&cert.cert(), &cert.key())));
    let url = format!("wss://127.0.0.1:{}", server.addr.port());
    let cafile = cert.cert();
    let cafile = cafile.to_str().expect("a UTF-8 path");

    let input = "hello\n\nwörld\r\n";
    assert_echoed(&client(&[&url, "--cafile", cafile], input), "hello\n\nwörld\n");

    // Many lines, more than the client queues at once, each back in order.
    let lines = (0..3000).fold(String::new(), |mut lines, i| {
        let _ = writeln!(lines, "line {i} {}", "x".repeat(i % 300));
        lines
    });
    assert_echoed(&client(&[&url, "--cafile", cafile], &lines), &lines);

    let log = server.stop();
    let done = log.iter().filter(|line| line.contains("done (close 1000 from the client)"));
    assert_eq!(done.count(), 2, "{log:?}");
}

#[test]
fn wss_insecure_accepts_a_self_signed_certificate_that_is_refused_without_it() {
    let cert = TestCert::new("ws-client-insecure");
    let server = EchoServer::start(Some((&cert.cert(), &cert.key())));
    let url = format!("wss://127.0.0.1:{}", server.addr.port());

    assert_echoed(&client(&[&url, "--insecure"], "trust me\n"), "trust me\n");

    // The Mozilla roots do not know the certificate: the handshake fails, and says why.
    let refused = client(&[&url], "never sent\n");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("invalid peer certificate: UnknownIssuer"), "{stderr}");
    assert!(refused.stdout.is_empty());

    let log = server.stop();
    assert!(log.iter().any(|line| line.contains("done (close 1000 from the client)")), "{log:?}");
    assert!(log.iter().any(|line| line.contains("UnknownCA")), "{log:?}");
}

#[test]
fn plain_ws_with_a_path_echoes() {
    let server = EchoServer::start(None);
    let url = format!("ws://127.0.0.1:{}/some/path?x=1", server.addr.port());
    assert_echoed(&client(&[&url], "plain\n"), "plain\n");
    let log = server.stop();
    assert!(log.iter().any(|line| line.contains("done (close 1000 from the client)")), "{log:?}");
}

#[test]
fn bad_arguments_and_a_refused_connection_fail_with_a_message() {
    for (args, message) in [
        (&["http://127.0.0.1"][..], "not a ws:// or wss:// URL"),
        (&["wss://127.0.0.1", "--cafile"], "--cafile needs a PEM file"),
        (&["wss://127.0.0.1", "--insecure", "--cafile", "x"], "not both"),
        (&[], "usage"),
        (&["ws://127.0.0.1:1"], "cannot connect to 127.0.0.1:1"),
    ] {
        let output = client(args, "");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// A Python `websockets` echo server on asyncio over TLS: it greets each client with a binary
/// message, then echoes; it prints its port and serves until its standard input closes.
const PYTHON_SERVER: &str = r#"
import asyncio, ssl, sys
from websockets.asyncio.server import serve

async def echo(ws):
    await ws.send(b"\x00\x01\xfe\xff")
    async for message in ws:
        await ws.send(message)

async def main(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    async with serve(echo, "127.0.0.1", 0, ssl=ctx) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"#;

#[test]
fn wss_against_python_websockets_prints_binary_as_hex_and_closes_cleanly() {
    let cert = TestCert::new("ws-client-python");
    let mut server = Command::new(python())
        .args(["-c", PYTHON_SERVER])
        .arg(cert.cert())
        .arg(cert.key())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut port = String::new();
    BufReader::new(server.stdout.take().expect("stdout")).read_line(&mut port).expect("the port");
    let url = format!("wss://127.0.0.1:{}", port.trim());
    let cafile = cert.cert();

    // A line at a time: `websockets` answers a Close at once, and echoes nothing after it, so
    // the input ends only once the echoes are back.
    let mut client = Interactive::start(Command::new(example("ws_client")).args([
        &url,
        "--cafile",
        cafile.to_str().expect("UTF-8"),
    ]));
    assert_eq!(client.line(TIMEOUT), "[binary, 4 bytes] 0001feff");
    for line in ["ça va", "", "bien"] {
        client.send(line);
        assert_eq!(client.line(TIMEOUT), line);
    }
    let (status, rest, stderr) = client.finish(TIMEOUT);
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(rest.is_empty(), "{rest:?}");

    drop(server.stdin.take());
    let status = wait(&mut server, TIMEOUT);
    assert!(status.success(), "{status:?}");
}
