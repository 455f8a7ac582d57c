//! A TLS client, like `openssl s_client` without the chatter: standard input goes to the server,
//! what the server sends goes to standard output.
//!
//! ```sh
//! cargo run --release --example tls_client -- example.com:443 < request.txt
//! cargo run --release --example tls_client -- 127.0.0.1:9443 --cafile cert.pem --sni localhost
//! cargo run --release --example tls_client -- 127.0.0.1:9443 --insecure   # any certificate
//! ```
//!
//! The server's certificate is checked against the Mozilla roots, or with `--cafile` against the
//! certificates in a PEM file, for the host name given, or for `--sni NAME` (which is also what
//! is sent as SNI; rustls sends none for an IP address). `--insecure` accepts any certificate:
//! anyone on the path can then pose as the server.
//!
//! At the end of standard input the client sends a TLS `close_notify` and half-closes TCP; it
//! keeps printing what the server sends until the server's own end. It exits with status 0 when
//! the server ended with a `close_notify`, and 1 with the error on standard error otherwise (a
//! failed handshake, a connection cut without `close_notify`, which may have been truncated).
//!
//! The connection is one `#[pipeline]`, `TcpLink <-> TlsClient`, whose top is the application's
//! byte stream, run on mio by [`MioClient`]; a thread reads standard input and wakes the loop.

use std::io::{self, Read as _, Write as _};
use std::process::ExitCode;
use std::sync::mpsc::TryRecvError;

use pipebuf::{PipeBufPair, pipeline};
use pipebuf_examples::cli::{Stop, exit};
use pipebuf_examples::client::{Trust, connect, server_name, spawn_reader, split_host_port};
use pipebuf_stages::{MioClient, MioConnection, TcpLink, TlsClient};

/// TLS over TCP, with the application's bytes at the top.
#[pipeline]
struct TlsChain {
    tcp: TcpLink,
    tls: TlsClient,
    #[link(tcp.upper <-> tls.lower)]
    net: PipeBufPair,
    #[link(tls.upper <->)]
    app: PipeBufPair,
}

impl MioConnection for TlsChain {
    fn tcp(&mut self) -> &mut TcpLink {
        &mut self.tcp
    }
}

/// The most bytes read from standard input at a time.
const CHUNK: usize = 16 << 10;
/// The most chunks, and the most bytes in the link, waiting to be sent: standard input is read no
/// faster than that.
const QUEUE: usize = 4;

fn main() -> ExitCode {
    exit("tls_client", run())
}

fn run() -> Result<(), Stop> {
    let (host, port, trust, sni) = parse_args()?;
    let config = trust.client_config(&[])?;
    let name = server_name(sni.as_deref().unwrap_or(&host))?;
    let tls = TlsClient::new(config, name)?;
    let tcp = connect(&host, port).map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
    let mut client = MioClient::new(TlsChain::new(TcpLink::new(tcp), tls))
        .map_err(|e| format!("cannot make the poll: {e}"))?;
    let mut stdin = io::stdin();
    let chunks = spawn_reader(client.waker(), QUEUE, move || {
        let mut chunk = vec![0; CHUNK];
        let len = stdin.read(&mut chunk)?;
        chunk.truncate(len);
        Ok((len > 0).then_some(chunk))
    });
    let mut stdout = io::stdout().lock();
    let mut closed = false;
    let result = client.run(|chain| {
        let mut app = chain.app();
        let received = app.rd.len();
        stdout.write_all(app.rd.data())?;
        stdout.flush()?;
        app.rd.consume(received);
        let pushed = app.rd.consume_push();
        let ended = app.rd.consume_eof();
        let mut active = received > 0 || pushed || ended;
        while !closed && !app.wr.exceeds_limit(QUEUE * CHUNK) {
            match chunks.try_recv() {
                Ok(chunk) => {
                    app.wr.append(&chunk?);
                    app.wr.push();
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    app.wr.close();
                    closed = true;
                }
            }
            active = true;
        }
        Ok(active)
    });
    result?;
    if client.conn().tls.has_received_close_notify() {
        Ok(())
    } else {
        Err("the server ended the connection without close_notify: the data may be cut".into())
    }
}

fn parse_args() -> Result<(String, u16, Trust, Option<String>), Stop> {
    let usage = "usage: tls_client host:port [--cafile cert.pem | --insecure] [--sni name]";
    let mut target = None;
    let mut trust = Trust::default();
    let mut sni = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if trust.take_arg(&arg, &mut args)? {
            continue;
        }
        match arg.as_str() {
            "--sni" => sni = Some(args.next().ok_or("--sni needs a name")?),
            "-h" | "--help" => return Err(Stop::Help(usage.to_owned())),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{usage}").into());
            }
            _ if target.is_some() => return Err(format!("one host:port only\n{usage}").into()),
            _ => target = Some(split_host_port(&arg, None)?),
        }
    }
    let (host, port) = target.ok_or(usage)?;
    Ok((host, port, trust, sni))
}
