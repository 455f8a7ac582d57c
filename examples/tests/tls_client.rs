//! The `tls_client` example as a user runs it: standard input to the server and its answer to
//! standard output, against `openssl s_server` and against our WSS echo server (spoken to in
//! raw WebSocket frames through the client).

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use pipebuf_examples::testing::{EchoServer, TestCert, example, run_with_input, wait};

/// How long one run of a program may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the client with `args` and `input`.
fn client(args: &[&str], input: &[u8]) -> Output {
    run_with_input(Command::new(example("tls_client")).args(args), input, TIMEOUT)
}

#[test]
fn openssl_reverses_the_lines_and_both_sides_close_with_close_notify() {
    let cert = TestCert::new("tls-client-openssl");
    let cafile = cert.cert();
    let cafile = cafile.to_str().expect("UTF-8");
    // Two connections: one that checks the certificate (for the name given with `--sni`), one
    // that the Mozilla roots refuse.
    let mut server = Command::new("openssl")
        .args(["s_server", "-accept", "127.0.0.1:0", "-rev", "-naccept", "2", "-cert"])
        .arg(cert.cert())
        .arg("-key")
        .arg(cert.key())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl runs (scripts/test-deps.sh installs it)");
    let mut out = BufReader::new(server.stdout.take().expect("stdout"));
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(out.read_line(&mut line).expect("openssl's output") > 0, "no ACCEPT line");
        if let Some(addr) = line.trim().strip_prefix("ACCEPT ") {
            break addr.to_owned();
        }
    };
    // Keep reading what openssl prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || out.lines().count());

    let output = client(&[&addr, "--cafile", cafile, "--sni", "localhost"], b"hello\nabc\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "olleh\ncba\n");

    let refused = client(&[&addr], b"never sent\n");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("invalid peer certificate: UnknownIssuer"), "{stderr}");
    assert!(refused.stdout.is_empty());

    let status = wait(&mut server, TIMEOUT);
    assert!(status.success(), "{status:?}");
}

/// A WebSocket upgrade, a masked text frame "hi" and a masked Close 1000, as a client sends
/// them.
fn websocket_session() -> Vec<u8> {
    let mut bytes = b"GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n"
        .to_vec();
    let key = [1, 2, 3, 4];
    for (opcode, payload) in [(0x81, &b"hi"[..]), (0x88, &[0x03, 0xe8][..])] {
        // FIN and the opcode, then the mask bit and a length of 2.
        bytes.extend_from_slice(&[opcode, 0x82]);
        bytes.extend_from_slice(&key);
        bytes.extend(payload.iter().zip(key).map(|(b, k)| b ^ k));
    }
    bytes
}

#[test]
fn our_wss_server_answers_raw_websocket_frames_and_ends_with_close_notify() {
    let cert = TestCert::new("tls-client-ours");
    let server = EchoServer::start(Some((&cert.cert(), &cert.key())));
    let addr = server.addr.to_string();
    let output = client(&[&addr, "--insecure"], &websocket_session());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);

    let answer = output.stdout;
    let head_end = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP head") + 4;
    let head = String::from_utf8_lossy(&answer[..head_end]);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    // The RFC 6455 example key's answer.
    assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
    // The echo, then the server's Close 1000, unmasked.
    assert_eq!(&answer[head_end..], [0x81, 2, b'h', b'i', 0x88, 2, 0x03, 0xe8]);

    let log = server.stop();
    assert!(log.iter().any(|line| line.contains("done (close 1000 from the client)")), "{log:?}");
}

#[test]
fn bad_arguments_fail_with_a_message() {
    for (args, message) in [
        (&["127.0.0.1"][..], "no port in 127.0.0.1"),
        (&["127.0.0.1:x"], "not a port: x"),
        (&["127.0.0.1:1", "--sni"], "--sni needs a name"),
        (&["127.0.0.1:1", "--sni", "not a name!"], "not a server name"),
        (&["127.0.0.1:1"], "cannot connect to 127.0.0.1:1"),
    ] {
        let output = client(args, b"");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
