//! A study of rustls's unbuffered API (0.23, `rustls::unbuffered`): does it end a connection
//! soundly, through `PeerClosed` and `close_notify` to `Closed`, and does it save a copy against
//! the buffered API? (It does: `TlsServer` and `TlsClient` have run on it since; see
//! `BENCHMARKS.md`.)
//!
//! Part one, always run (also under `cargo test --all-targets`): an `UnbufferedClientConnection`
//! and an `UnbufferedServerConnection` joined in memory by two `Vec<u8>` wires run a whole
//! exchange: handshake, data from the client followed by its `close_notify` in the same flight,
//! data back from the server after it has seen `PeerClosed`, the server's `close_notify`, and
//! `Closed` on both sides. [`exchange`] records every state each side went through and
//! [`main`] asserts the sequence and prints it. A second exchange sends bytes after the
//! `close_notify`, which must be ignored.
//!
//! Part two, with `--bench`: bulk one way (client to server, 16 KiB writes) through the raw
//! buffered API and the raw unbuffered API, timed in paired rounds; `--once buffered|unbuffered
//! [MiB]` runs one transfer for callgrind. Both give the received plaintext to the application
//! by copying it into a buffer, as a stage copies it into `upper.wr`.
//!
//! Results and the conclusion in `BENCHMARKS.md`.

#[path = "common/tls.rs"]
mod common;

use common::{Configs, localhost, pattern};

use std::hint::black_box;
use std::io::{Read as _, Write as _};
use std::time::Instant;

use rustls::client::{ClientConnectionData, UnbufferedClientConnection};
use rustls::server::{ServerConnectionData, UnbufferedServerConnection};
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncryptError, UnbufferedConnectionCommon, UnbufferedStatus,
};
use rustls::{ClientConnection, ServerConnection};

/// The size of each plaintext write in the bulk part.
const CHUNK: usize = 16 << 10;

/// `process_tls_records`, which rustls defines for each side separately.
trait Process {
    type Data;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, Self::Data>;
}

impl Process for UnbufferedConnectionCommon<ClientConnectionData> {
    type Data = ClientConnectionData;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, ClientConnectionData> {
        self.process_tls_records(incoming)
    }
}

impl Process for UnbufferedConnectionCommon<ServerConnectionData> {
    type Data = ServerConnectionData;
    fn process<'c, 'i>(
        &'c mut self,
        incoming: &'i mut [u8],
    ) -> UnbufferedStatus<'c, 'i, ServerConnectionData> {
        self.process_tls_records(incoming)
    }
}

/// One side of the exchange: its connection, what it still has to send, and what it saw.
#[expect(clippy::struct_excessive_bools, reason = "each flag is one step of the close sequence")]
struct Side<C> {
    conn: C,
    /// Records from the peer, not yet processed.
    incoming: Vec<u8>,
    /// Plaintext to send once `WriteTraffic` comes.
    to_send: Vec<u8>,
    /// Send `close_notify` after `to_send`.
    close: bool,
    /// Wait for `PeerClosed` before sending anything.
    after_peer_closed: bool,
    peer_closed: bool,
    sent_close_notify: bool,
    received: Vec<u8>,
    /// The states seen, by name, without repeats in a row.
    states: Vec<&'static str>,
}

impl<C> Side<C> {
    fn new(conn: C) -> Self {
        Side {
            conn,
            incoming: Vec::new(),
            to_send: Vec::new(),
            close: false,
            after_peer_closed: false,
            peer_closed: false,
            sent_close_notify: false,
            received: Vec::new(),
            states: Vec::new(),
        }
    }

    fn saw(&mut self, state: &'static str) {
        if self.states.last() != Some(&state) {
            self.states.push(state);
        }
    }
}

/// Runs one side until it waits for the peer; appends its records to `outgoing`. Returns true if
/// it did anything.
fn drive<C, D>(side: &mut Side<C>, outgoing: &mut Vec<u8>) -> bool
where
    C: std::ops::DerefMut<Target = UnbufferedConnectionCommon<D>>,
    UnbufferedConnectionCommon<D>: Process<Data = D>,
{
    let mut active = false;
    loop {
        let status = side.conn.process(&mut side.incoming);
        let mut discard = status.discard;
        let state = status.state.expect("no TLS error");
        let mut stop = false;
        let name = match state {
            ConnectionState::ReadTraffic(mut traffic) => {
                while let Some(record) = traffic.next_record() {
                    let record = record.expect("the record decrypts");
                    discard += record.discard;
                    side.received.extend_from_slice(record.payload);
                }
                "ReadTraffic"
            }
            ConnectionState::EncodeTlsData(mut encode) => {
                let start = outgoing.len();
                outgoing.resize(start + 256, 0);
                let len = match encode.encode(&mut outgoing[start..]) {
                    Ok(len) => len,
                    Err(EncodeError::InsufficientSize(needed)) => {
                        outgoing.resize(start + needed.required_size, 0);
                        encode.encode(&mut outgoing[start..]).expect("room now")
                    }
                    Err(error) => panic!("encode: {error}"),
                };
                outgoing.truncate(start + len);
                "EncodeTlsData"
            }
            ConnectionState::TransmitTlsData(transmit) => {
                // The harness moves `outgoing` to the peer after this call.
                transmit.done();
                "TransmitTlsData"
            }
            ConnectionState::BlockedHandshake => {
                stop = true;
                "BlockedHandshake"
            }
            ConnectionState::PeerClosed => {
                side.peer_closed = true;
                "PeerClosed"
            }
            ConnectionState::Closed => {
                stop = true;
                "Closed"
            }
            ConnectionState::WriteTraffic(mut write) => {
                let may_send = !side.after_peer_closed || side.peer_closed;
                if may_send && !side.to_send.is_empty() {
                    let data = std::mem::take(&mut side.to_send);
                    encrypt(|out| write.encrypt(&data, out), outgoing);
                } else if may_send && side.close && !side.sent_close_notify {
                    encrypt(|out| write.queue_close_notify(out), outgoing);
                    side.sent_close_notify = true;
                } else {
                    stop = true;
                }
                "WriteTraffic"
            }
            other => panic!("unexpected state {other:?}"),
        };
        side.saw(name);
        side.incoming.drain(..discard);
        if stop {
            return active;
        }
        active = true;
    }
}

/// Appends what `f` writes to `outgoing`, growing it to the size rustls asks for.
fn encrypt(mut f: impl FnMut(&mut [u8]) -> Result<usize, EncryptError>, outgoing: &mut Vec<u8>) {
    let start = outgoing.len();
    outgoing.resize(start + 64, 0);
    let len = match f(&mut outgoing[start..]) {
        Ok(len) => len,
        Err(EncryptError::InsufficientSize(needed)) => {
            outgoing.resize(start + needed.required_size, 0);
            f(&mut outgoing[start..]).expect("room now")
        }
        Err(error) => panic!("encrypt: {error}"),
    };
    outgoing.truncate(start + len);
}

/// What one exchange showed.
struct Exchange {
    client_states: Vec<&'static str>,
    server_states: Vec<&'static str>,
    client_received: Vec<u8>,
    server_received: Vec<u8>,
}

/// The client sends `request` and `close_notify` in one flight (plus `junk` after it, on the
/// wire), the server answers `response` after `PeerClosed`, then sends its own `close_notify`.
fn exchange(configs: &Configs, request: &[u8], junk: &[u8], response: &[u8]) -> Exchange {
    let mut client = Side::new(
        UnbufferedClientConnection::new(configs.client.clone(), localhost()).expect("a client"),
    );
    let mut server =
        Side::new(UnbufferedServerConnection::new(configs.server.clone()).expect("a server"));
    client.to_send = request.to_vec();
    client.close = true;
    server.to_send = response.to_vec();
    server.close = true;
    server.after_peer_closed = true;
    let mut junk = Some(junk);
    for _ in 0..100 {
        let mut wire = Vec::new();
        let c = drive(&mut client, &mut wire);
        if client.sent_close_notify {
            wire.extend_from_slice(junk.take().unwrap_or_default());
        }
        server.incoming.extend_from_slice(&wire);
        let mut wire = Vec::new();
        let s = drive(&mut server, &mut wire);
        client.incoming.extend_from_slice(&wire);
        if !c && !s && wire.is_empty() {
            break;
        }
    }
    Exchange {
        client_states: client.states,
        server_states: server.states,
        client_received: client.received,
        server_received: server.received,
    }
}

/// Bulk through the buffered API: returns the bytes received.
fn bulk_buffered(configs: &Configs, source: &[u8], total: usize) -> usize {
    let mut client = ClientConnection::new(configs.client.clone(), localhost()).expect("a client");
    let mut server = ServerConnection::new(configs.server.clone()).expect("a server");
    let mut wire = Vec::new();
    let mut buf = vec![0; CHUNK];
    let mut received = 0;
    // The handshake.
    while client.is_handshaking() || server.is_handshaking() || client.wants_write() {
        wire.clear();
        client.write_tls(&mut wire).expect("a Vec takes it");
        server.read_tls(&mut &wire[..]).expect("taken");
        server.process_new_packets().expect("valid");
        wire.clear();
        server.write_tls(&mut wire).expect("a Vec takes it");
        client.read_tls(&mut &wire[..]).expect("taken");
        client.process_new_packets().expect("valid");
    }
    for piece in source.chunks(CHUNK).cycle().take(total / CHUNK) {
        client.writer().write_all(piece).expect("taken");
        wire.clear();
        while client.wants_write() {
            client.write_tls(&mut wire).expect("a Vec takes it");
        }
        let mut records = &wire[..];
        while !records.is_empty() {
            server.read_tls(&mut records).expect("taken");
            let mut left = server.process_new_packets().expect("valid").plaintext_bytes_to_read();
            while left > 0 {
                let len = server.reader().read(&mut buf).expect("there");
                black_box(&buf[..len]);
                received += len;
                left -= len;
            }
        }
    }
    received
}

/// Bulk through the unbuffered API: returns the bytes received.
fn bulk_unbuffered(configs: &Configs, source: &[u8], total: usize) -> usize {
    let mut client = Side::new(
        UnbufferedClientConnection::new(configs.client.clone(), localhost()).expect("a client"),
    );
    let mut server =
        Side::new(UnbufferedServerConnection::new(configs.server.clone()).expect("a server"));
    // The handshake, with the harness of part one.
    for _ in 0..100 {
        let mut wire = Vec::new();
        let c = drive(&mut client, &mut wire);
        server.incoming.extend_from_slice(&wire);
        let mut wire = Vec::new();
        let s = drive(&mut server, &mut wire);
        client.incoming.extend_from_slice(&wire);
        if !c && !s && wire.is_empty() {
            break;
        }
    }
    let mut wire = vec![0; CHUNK + 256];
    let mut buf = vec![0; CHUNK];
    let mut received = 0;
    for piece in source.chunks(CHUNK).cycle().take(total / CHUNK) {
        let status = client.conn.process_tls_records(&mut []);
        let Ok(ConnectionState::WriteTraffic(mut write)) = status.state else {
            panic!("the client can write");
        };
        let mut len = write.encrypt(piece, &mut wire).expect("room");
        let mut at = 0;
        while at < len {
            let status = server.conn.process_tls_records(&mut wire[at..len]);
            let mut discard = status.discard;
            match status.state.expect("valid") {
                ConnectionState::ReadTraffic(mut traffic) => {
                    while let Some(record) = traffic.next_record() {
                        let record = record.expect("decrypts");
                        discard += record.discard;
                        // As a stage copies into `upper.wr`.
                        buf[..record.payload.len()].copy_from_slice(record.payload);
                        black_box(&buf[..record.payload.len()]);
                        received += record.payload.len();
                    }
                }
                ConnectionState::WriteTraffic(_) => len = at + discard,
                other => panic!("unexpected state {other:?}"),
            }
            at += discard;
        }
    }
    received
}

fn main() {
    let configs = Configs::new();
    let source = pattern();
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--once") {
        let mib: usize = args.get(at + 2).and_then(|m| m.parse().ok()).unwrap_or(256);
        let received = match args.get(at + 1).map(String::as_str) {
            Some("unbuffered") => bulk_unbuffered(&configs, &source, mib << 20),
            _ => bulk_buffered(&configs, &source, mib << 20),
        };
        black_box(received);
        return;
    }

    // A whole exchange, with data before each `close_notify`.
    let request = vec![7; 40_000];
    let response = b"after PeerClosed".to_vec();
    let seen = exchange(&configs, &request, b"", &response);
    println!("unbuffered client states: {}", seen.client_states.join(" -> "));
    println!("unbuffered server states: {}", seen.server_states.join(" -> "));
    assert_eq!(seen.server_received, request, "all the data before close_notify is read");
    assert_eq!(seen.client_received, response, "the server can still send after PeerClosed");
    // The server reads the data first, then sees the close, then may still write and close.
    let server = &seen.server_states;
    let at = |name| server.iter().rposition(|&s| s == name).expect(name);
    assert!(at("ReadTraffic") < at("PeerClosed"));
    assert!(at("PeerClosed") < at("WriteTraffic"));
    assert_eq!(server.last(), Some(&"Closed"));
    assert_eq!(seen.client_states.last(), Some(&"Closed"));
    assert_eq!(server.iter().filter(|&&s| s == "PeerClosed").count(), 1, "edge-triggered");

    // Records after the client's `close_notify` are never decrypted: rustls stops deframing.
    let seen = exchange(&configs, b"last", &[23, 3, 3, 0, 5, 1, 2, 3, 4, 5], b"bye");
    assert_eq!(seen.server_received, b"last");
    assert_eq!(seen.server_states.last(), Some(&"Closed"));
    println!("unbuffered: data after close_notify is ignored; both sides reach Closed");

    // Both bulk paths deliver the same number of bytes.
    let total = 1 << 20;
    assert_eq!(bulk_buffered(&configs, &source, total), total);
    assert_eq!(bulk_unbuffered(&configs, &source, total), total);

    if args.iter().any(|a| a == "--bench") {
        paired(&configs, &source);
    }
}

/// Times the two bulk paths alternately, 21 rounds of 64 MiB, and prints the median and the
/// quartiles of unbuffered / buffered.
fn paired(configs: &Configs, source: &[u8]) {
    let total = 64 << 20;
    let mut ratios: Vec<f64> = (0..21)
        .map(|round| {
            let time = |unbuffered: bool| {
                let start = Instant::now();
                if unbuffered {
                    black_box(bulk_unbuffered(configs, source, total));
                } else {
                    black_box(bulk_buffered(configs, source, total));
                }
                start.elapsed().as_secs_f64()
            };
            if round % 2 == 0 {
                let unbuffered = time(true);
                unbuffered / time(false)
            } else {
                let buffered = time(false);
                time(true) / buffered
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let q = |i: usize| ratios[i * (ratios.len() - 1) / 4];
    println!(
        "bulk 64 MiB: unbuffered / buffered time, median of 21 paired rounds: {:.3} \
         (quartiles {:.3} .. {:.3})",
        q(2),
        q(1),
        q(3)
    );
}
