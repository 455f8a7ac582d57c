//! A WebSocket client: each line of standard input goes to the server as a text message, and
//! each message that comes back is printed.
//!
//! ```sh
//! cargo run --release --example ws_client -- wss://127.0.0.1:9443 --cafile cert.pem
//! cargo run --release --example ws_client -- wss://127.0.0.1:9443 --insecure   # any certificate
//! cargo run --release --example ws_client -- ws://127.0.0.1:9080/chat           # no TLS
//! ```
//!
//! Try it against the main job (`cargo run --release --example wss_echo_server`): type lines,
//! see them come back. A text message is printed as it is, a binary one as its length and hex.
//! At the end of standard input (Ctrl-D) the client sends a Close frame (1000) after the
//! messages before it, waits for the server's Close, and exits with status 0; any other end (a
//! failure, a Close with another code, none at all) is printed to standard error, with status 1.
//!
//! A wss:// server's certificate is checked against the Mozilla roots, or with `--cafile` against
//! the certificates in a PEM file (a self-signed server's own certificate, say). `--insecure`
//! accepts any certificate: anyone on the path can then pose as the server.
//!
//! The connection is one `#[pipeline]`, `TcpLink <-> TlsClient <-> WebsocketClient`, run on mio by
//! [`MioClient`]; over ws:// the `TlsClient` passes the bytes through. The client masks its
//! frames with keys from `StdRng` seeded by the operating system, as RFC 6455 asks. A thread
//! reads standard input and wakes the loop.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::process::ExitCode;
use std::sync::mpsc::TryRecvError;

use pipebuf::{PipeBufPair, pipeline};
use pipebuf_examples::cli::{Stop, exit};
use pipebuf_examples::client::{Trust, WsUrl, connect, server_name, spawn_reader};
use pipebuf_stages::websocket::{ClientRequest, Message, MessageKind, WebsocketClient, close_code};
use pipebuf_stages::{MioClient, MioConnection, TcpLink, TlsClient};
use rand::SeedableRng as _;
use rand::rngs::StdRng;

/// WebSocket over TLS (or over a pass-through) over TCP, with the application's messages at the
/// top.
#[pipeline]
struct WsChain {
    tcp: TcpLink,
    tls: TlsClient,
    ws: WebsocketClient<StdRng>,
    #[link(tcp.upper <-> tls.lower)]
    net: PipeBufPair,
    #[link(tls.upper <-> ws.lower)]
    plain: PipeBufPair,
    #[link(ws.upper <->)]
    app: PipeBufPair<Message>,
}

impl MioConnection for WsChain {
    fn tcp(&mut self) -> &mut TcpLink {
        &mut self.tcp
    }
}

/// The most lines waiting to be sent: standard input is read no faster than that.
const QUEUE: usize = 64;

fn main() -> ExitCode {
    exit("ws_client", run())
}

fn run() -> Result<(), Stop> {
    let (url, trust) = parse_args()?;
    let tcp = connect(&url.host, url.port)
        .map_err(|e| format!("cannot connect to {}:{}: {e}", url.host, url.port))?;
    let tls = if url.secure {
        let config = trust.client_config(&[])?;
        TlsClient::new(config, server_name(&url.host)?)?
    } else {
        TlsClient::passthrough()
    };
    let rng = StdRng::from_os_rng();
    let ws = WebsocketClient::new(ClientRequest::new(url.host_header(), url.path.clone()), rng);
    let mut client = MioClient::new(WsChain::new(TcpLink::new(tcp), tls, ws))
        .map_err(|e| format!("cannot make the poll: {e}"))?;
    let stdin = io::stdin();
    let lines = spawn_reader(client.waker(), QUEUE, move || {
        let mut line = String::new();
        Ok((stdin.read_line(&mut line)? > 0).then(|| {
            line.truncate(line.trim_end_matches(['\n', '\r']).len());
            line
        }))
    });
    let mut stdout = io::stdout().lock();
    let mut closed = false;
    let result = client.run(|chain| {
        let mut app = chain.app();
        let received = app.rd.len();
        for message in app.rd.data() {
            writeln!(stdout, "{}", show(message))?;
        }
        app.rd.consume(received);
        let pushed = app.rd.consume_push();
        let mut active = received > 0 || pushed;
        // The server's Close (or the connection's end) ends the session from its side too: the
        // stage answers a Close with the same code when the application closes.
        let server_ended = app.rd.consume_eof();
        while !closed && !app.wr.exceeds_limit(QUEUE) {
            match lines.try_recv() {
                Ok(line) => {
                    app.wr.append(&[Message::text(line?)]);
                    app.wr.push();
                }
                Err(TryRecvError::Empty) if !server_ended => break,
                Err(_) => {
                    app.wr.close();
                    closed = true;
                }
            }
            active = true;
        }
        stdout.flush()?;
        Ok(active || server_ended)
    });
    result?;
    match client.conn().ws.peer_close() {
        Some(close) if close.code == close_code::NORMAL => Ok(()),
        Some(close) => {
            Err(format!("the server closed with {} {:?}", close.code, close.reason).into())
        }
        None => Err("the connection ended without a Close frame".into()),
    }
}

/// A message as printed: text as it is, binary as its length and its bytes in hex (the first
/// 64), pings and pongs as their kind and payload.
fn show(message: &Message) -> String {
    if let Some(text) = message.as_text() {
        return text.to_owned();
    }
    let kind = match message.kind() {
        MessageKind::Binary => "binary",
        MessageKind::Ping => "ping",
        MessageKind::Pong => "pong",
        MessageKind::Text => "text, not UTF-8",
    };
    let mut line = format!("[{kind}, {} bytes]", message.data().len());
    for (i, byte) in message.data().iter().take(64).enumerate() {
        let _ = write!(line, "{}{byte:02x}", if i == 0 { " " } else { "" });
    }
    if message.data().len() > 64 {
        line.push_str("...");
    }
    line
}

fn parse_args() -> Result<(WsUrl, Trust), Stop> {
    let usage = "usage: ws_client ws[s]://host[:port][/path] [--cafile cert.pem | --insecure]";
    let mut url = None;
    let mut trust = Trust::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if trust.take_arg(&arg, &mut args)? {
            continue;
        }
        match arg.as_str() {
            "-h" | "--help" => return Err(Stop::Help(usage.to_owned())),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{usage}").into());
            }
            _ if url.is_some() => return Err(format!("one URL only\n{usage}").into()),
            _ => url = Some(WsUrl::parse(&arg)?),
        }
    }
    Ok((url.ok_or(usage)?, trust))
}
